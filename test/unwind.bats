#!/usr/bin/env bats
# Lifecycle (issue 5): runb failing at a step after it has changed the host
# unwinds every change. Each test makes one step fail, expects exit 125 and
# one line naming the step, and common_teardown checks that the host's
# mounts, cgroups, links, /run/netns and /run/runb are as before.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# The cgroup directory runb makes for $CNAME where the memory controller is.
cg_memory_dir() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "/sys/fs/cgroup/runb/$CNAME"
	else
		echo "/sys/fs/cgroup/memory/runb/$CNAME"
	fi
}

@test "a mount point that is a file in ROOTFS: the child fails at slide 29, everything is unwound" {
	local r=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$r"
	rm -rf "$r/proc"
	echo 'not a directory' > "$r/proc"
	# the host changes first (cgroups, netns, bridge, veth, lease), then
	# the container's mounts fail
	run rb "$CNAME" "$r" true
	[ "$status" = 125 ]
	assert_output "runb: $r/proc is not a directory: runb mounts only on a real directory inside ROOTFS"
	# and ROOTFS is as it was
	[ "$(cat "$r/proc")" = 'not a directory' ]
}

@test "a read-only ROOTFS without its mount points: mkdir fails, everything is unwound" {
	local r=$BATS_TEST_TMPDIR/ro
	mkdir -p "$r"
	cp -a "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/usr" "$r/"
	# read-only for runb only: a read-only bind in a mount namespace of its
	# own, in which runb runs (its /run/netns bind is then made there too)
	run unshare --mount --propagation private sh -c '
		mount --bind -o ro "$1" "$1" &&
		nsenter --net="/run/netns/$2" "$3" "$4" "$1" true' sh "$r" "$NS" "$RUNB" "$CNAME"
	[ "$status" = 125 ]
	assert_output "runb: mkdir -p $r/proc: Read-only file system"
	[ ! -e "$r/proc" ]
}

@test "runb-bridge taken by an interface that is no bridge: runb fails at brctl addif, everything is unwound" {
	# (a veth: the dummy module is missing on some kernels)
	ip -n "$NS" link add runb-bridge type veth peer name rbt-peer
	run rb "$CNAME" "$ROOTFS" true
	ip -n "$NS" link del runb-bridge
	[ "$status" = 125 ]
	assert_output --regexp '^runb: ip link set rb[0-9]+-[^ ]* master runb-bridge: '
	[ "${#lines[@]}" = 1 ]
}

@test "a cgroup that cannot be made: runb fails at cgcreate, everything is unwound" {
	command -v strace >/dev/null || skip "needs strace to make mkdir fail"
	local d
	d=$(cg_memory_dir)
	# mkdir of the container's cgroup fails as on a machine out of cgroups
	run nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null -P "$d" \
		-e trace=mkdir -e inject=mkdir:error=ENOSPC "$RUNB" "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: cgcreate: mkdir $d: No space left on device"
}

@test "no cgroup file system under /sys/fs/cgroup (ip netns exec's fresh /sys): refused, naming it" {
	# ip netns exec mounts a new sysfs over /sys, in a mount namespace of its
	# own, and the cgroup mounts under /sys/fs/cgroup are not in it
	run ip netns exec "$NS" "$RUNB" "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --partial "runb: cgcreate: /sys/fs/cgroup is neither cgroup2 nor has a v1 cpu hierarchy"
	assert_output --partial "nsenter --net="
}

@test "a limit the kernel refuses: runb fails after making the cgroups, everything is unwound" {
	command -v strace >/dev/null || skip "needs strace to make the write fail"
	local d
	d=$(cg_memory_dir)
	run nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null \
		-e trace=write -e inject=write:error=EINVAL:when=1 -P "$d/memory.max" -P "$d/memory.limit_in_bytes" \
		"$RUNB" -m 64m "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --regexp "^runb: echo 67108864 > $d/memory\.(max|limit_in_bytes): Invalid argument$"
}

@test "a netns name that is someone else's: refused, and theirs is left alone" {
	ip netns add "$CNAME"
	run rb "$CNAME" "$ROOTFS" true
	local here=no
	[ -e "/run/netns/$CNAME" ] && here=yes
	ip netns del "$CNAME"
	[ "$status" = 125 ]
	assert_output "runb: network namespace $CNAME exists and was not made by runb: choose another NAME"
	[ "$here" = yes ]
}
