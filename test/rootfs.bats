#!/usr/bin/env bats
# ROOTFS against what could be done to it or through it (issue 11), each
# tried for real: mount targets that are links, a /proc, /sys or /dev that is
# not what runb mounted there, mounts that fail, the ROOTFS swapped for a link
# while runb starts, a ROOTFS other users can reach. (Sessions and the pty:
# tty.bats; the masks and seccomp probes: confinement.bats; a PID 1 that
# outlives a killed runb: lifecycle.bats.) Every attempt is harmless even
# where the protection is missing: the links point into the test's own copy
# of the rootfs, the swapper renames only the test's own files.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
# directories a test made outside its $BATS_TEST_TMPDIR (in /var/tmp, /dev/shm)
CLEANUP=()
teardown() {
	[ "${#CLEANUP[@]}" = 0 ] || rm -rf "${CLEANUP[@]}"
	common_teardown
}

# A new directory of mode 0700 below $1, removed at the teardown, in $MADE
# (not printed: CLEANUP must be set in the test's shell, not a subshell's).
MADE=
tmpdir_in() {
	MADE=$(mktemp -d "$1/runb-rootfs.XXXXXX")
	CLEANUP+=("$MADE")
}


# Every name in the tree DIR with its type, mode and link target: to show runb
# changed nothing in it.
tree_of() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | sort)
}

# ---------------------------------------------------------------- mount targets

# The issue's attack: /X is a link that stays inside ROOTFS, through a
# directory (Y/p) that a mount made later hides: X -> Y/p/../../realX. Were the
# link followed (RESOLVE_IN_ROOT would), X's file system would land on /realX
# and every mask made later through the path /X would miss it.
@test "mount targets: /proc, /sys, /dev as links through a directory a later mount hides are refused, ROOTFS unchanged" {
	local t via r before
	for t in proc:dev sys:dev dev:sys; do
		via=${t#*:}
		t=${t%:*}
		r=$(rootfs_copy "$t")
		rm -rf "${r:?}/$t"
		mkdir -p "$r/real$t" "$r/$via/p"
		ln -s "$via/p/../../real$t" "$r/$t"
		# the link resolves inside ROOTFS: a check that only kept a link inside would pass it
		[ "$(readlink -f "$r/$t")" = "$r/real$t" ]
		before=$(tree_of "$r")
		run rb --net none "$CNAME" "$r" /bin/true
		echo "$t: $output"
		[ "$status" = 125 ]
		# exactly one line, naming the path
		assert_output "runb: $r/$t is a symlink: runb mounts only on a real directory inside ROOTFS"
		[ "$(tree_of "$r")" = "$before" ]
		[ -z "$(ls -A "$r/real$t")" ]
		# (and nothing mounted or left on the host: common_teardown)
	done
}

@test "mount targets: an /etc that is a link is refused (runb binds its names files there), its target untouched" {
	local r before opt
	r=$(rootfs_copy etc)
	mv "$r/etc" "$r/realetc"
	ln -s realetc "$r/etc"
	before=$(tree_of "$r")
	# /etc/hosts and /etc/hostname in every container, /etc/resolv.conf with the bridge
	for opt in --net=none --net=bridge; do
		run rb "$opt" "$CNAME" "$r" /bin/true
		[ "$status" = 125 ]
		assert_output "runb: /etc is a symlink: runb mounts only on a real directory inside ROOTFS"
	done
	[ "$(tree_of "$r")" = "$before" ]
}

# runb under strace, in the test's netns: strace's log in $LOG ("(INJECTED)"
# marks a tampered call), runb's status and stderr in $status and $output.
LOG=
rb_strace() {
	LOG=$BATS_TEST_TMPDIR/strace.log
	run nsenter --net="/run/netns/$NS" strace -f -qq -o "$LOG" "$@" 3>&-
}

@test "a mask or read-only bind that fails (mount_setattr EPERM, injected) is fatal: 125, the path named, all unwound" {
	command -v strace >/dev/null || skip "strace is not installed (it is on the dev machine and in the VM)"
	# the control: the same run without the injection succeeds
	rb_strace -e trace=mount_setattr "$RUNB" --net none "$CNAME" "$ROOTFS" /bin/true
	assert_success
	[ -z "$output" ]
	grep -q '^[0-9]* *mount_setattr(' "$LOG"
	# the first of the masks: a cover's detached tmpfs (/proc/acpi, ... as the kernel has
	# them), or else a read-only bind (/proc/bus, /proc/fs, ...)
	rb_strace -e trace=mount_setattr -e inject=mount_setattr:error=EPERM:when=1 \
		"$RUNB" --net none "$CNAME" "$ROOTFS" /bin/true
	cat "$LOG"
	[ "$status" = 125 ]
	assert_output --regexp '^runb: (mask /(proc|sys)/[a-z_/-]+: fsmount|mount --bind -o ro /proc/(bus|fs|irq|sys|sysrq-trigger): mount_setattr): Operation not permitted$'
	[ "$(grep -c INJECTED "$LOG")" = 1 ]
}

# mount_inject N EXPECT: runb, with the container's Nth mount(2) (counted per
# process: 1 makes / private, 2 is proc, 3 /dev's tmpfs, ... 7 sysfs; the masks
# after them are attached with move_mount) made to fail or to do nothing as
# strace's inject spec says ($3).
mount_inject() {
	rb_strace -e trace=mount -e "inject=mount:$3:when=$1" "$RUNB" --net none "$CNAME" "$4" /bin/true
	grep INJECTED "$LOG"
	# it was the call meant
	[ "$(grep -c INJECTED "$LOG")" = 1 ]
	grep INJECTED "$LOG" | grep -q -- "$2"
}

# A directory for a rootfs copy on a file system of another type than tmpfs,
# in $MADE: $BATS_TEST_TMPDIR, or one in /var/tmp (the VM's /tmp is a tmpfs);
# fails when there is none.
dir_not_tmpfs() {
	if [ "$(stat -f -c %T "$BATS_TEST_TMPDIR")" != tmpfs ]; then
		MADE=$BATS_TEST_TMPDIR
	elif [ "$(stat -f -c %T /var/tmp)" != tmpfs ]; then
		tmpdir_in /var/tmp
	else
		return 1
	fi
}

@test "a /proc, /sys or /dev that is not what runb mounted (a mount skipped, injected) is refused after the root switch" {
	command -v strace >/dev/null || skip "strace is not installed (it is on the dev machine and in the VM)"
	local d r
	# retval=0: mount(2) "succeeds" without mounting: the plain directory of ROOTFS stays
	mount_inject 2 'mount("proc", ' retval=0 "$ROOTFS"
	[ "$status" = 125 ]
	assert_output "runb: /proc is not the procfs runb mounted there: ROOTFS changed under runb; refusing to start a container whose /proc would go unmasked"
	mount_inject 7 'mount("sysfs", ' retval=0 "$ROOTFS"
	[ "$status" = 125 ]
	assert_output "runb: /sys is not the sysfs runb mounted there: ROOTFS changed under runb; refusing to start a container whose /sys would go unmasked"
	# without /dev's tmpfs the nodes and the other mounts of /dev land in ROOTFS:
	# a copy, on a file system that is not a tmpfs itself (see the next test)
	dir_not_tmpfs || fail "no file system but tmpfs for the copy ($BATS_TEST_TMPDIR, /var/tmp)"
	d=$MADE
	mkdir "$d/devless"
	cp -a "$ROOTFS/." "$d/devless/"
	r=$(realpath "$d/devless")
	mount_inject 3 'mount("tmpfs", .*"mode=755,' retval=0 "$r"
	[ "$status" = 125 ]
	assert_output "runb: /dev is not the tmpfs runb mounted there: ROOTFS changed under runb; refusing to start a container whose /dev would go unmasked"
}

# The file system's type alone would not do: a ROOTFS that lives on a tmpfs
# (/dev/shm, the VM's /tmp) has a /dev of that type before runb mounts
# anything. runb also checks that /dev is a mount apart from / (its own
# device number).
@test "a /dev that is ROOTFS's own directory on a tmpfs (its mount skipped, injected) is refused too" {
	command -v strace >/dev/null || skip "strace is not installed (it is on the dev machine and in the VM)"
	[ "$(stat -f -c %T /dev/shm)" = tmpfs ] || skip "/dev/shm is no tmpfs here (it is on the dev machine and in the VM)"
	local d r
	tmpdir_in /dev/shm
	d=$MADE
	mkdir "$d/devless"
	cp -a "$ROOTFS/." "$d/devless/"
	r=$d/devless
	mount_inject 3 'mount("tmpfs", .*"mode=755,' retval=0 "$r"
	ls -la "$r/dev"
	[ "$status" = 125 ] || fail "runb ran the container on ROOTFS's own /dev (status $status) and left its nodes there: $(ls "$r/dev" | tr '\n' ' ')"
	assert_output "runb: /dev is not the tmpfs runb mounted there: ROOTFS changed under runb; refusing to start a container whose /dev would go unmasked"
}

@test "a mask that fails (move_mount EACCES, injected) is fatal: 125, the path named, all unwound" {
	command -v strace >/dev/null || skip "strace is not installed (it is on the dev machine and in the VM)"
	# the masks are the first mounts attached by descriptor (move_mount) after the root
	# switch's own bind of ROOTFS
	rb_strace -e trace=move_mount -e inject=move_mount:error=EACCES:when=2 \
		"$RUNB" --net none "$CNAME" "$ROOTFS" /bin/true
	cat "$LOG"
	[ "$(grep -c INJECTED "$LOG")" = 1 ]
	[ "$status" = 125 ]
	assert_output --regexp '^runb: mask /(proc|sys)/[a-z_/-]+: move_mount: Permission denied$'
}

# ---------------------------------------------------------------- ROOTFS swap race

@test "ROOTFS swapped with a link to / in a loop: up to 200 starts (45 s), each runs in ROOTFS or is refused with 125, never on the host's /" {
	local d=$BATS_TEST_TMPDIR/swap swapper=$TOP/test/swapper marker host_only
	local i s out spid runs=0 ran=0 refused=0 linked=0 hostroot=0 bad=0 start limit
	limit=$(timebox 45)
	[ -x "$swapper" ] || fail "test/swapper is not built (make test builds it)"
	mkdir "$d"
	cp -a "$ROOTFS" "$d/rootfs"
	ln -s / "$d/link"
	# a file only the rootfs has, and one only the host has
	marker=marker-$RANDOM$RANDOM
	echo "$marker" > "$d/rootfs/runb-marker"
	host_only=$BATS_TEST_TMPDIR/host-only
	touch "$host_only"
	"$swapper" "$d/rootfs" "$d/link" 150 > "$BATS_TEST_TMPDIR/swaps" &
	spid=$!
	start=$SECONDS

	# the control: chroot(8), which names the rootfs by path as the slides do,
	# lands on the host's / some of the time (it only reads a file there)
	local control=0
	for i in $(seq 200); do
		[ $((SECONDS - start)) -lt 20 ] || break
		out=$(chroot "$d/rootfs" /bin/sh -c 'if [ -e "$1" ]; then echo HOST; else cat /runb-marker; fi' sh "$host_only" 2>&1) || true
		if [ "$out" = HOST ]; then
			control=$((control + 1))
			break
		fi
	done
	echo "control: chroot by path reached the host's / after $i tries"

	start=$SECONDS
	for i in $(seq 200); do
		[ $((SECONDS - start)) -lt "$limit" ] || break
		runs=$i
		s=0
		out=$(rb --net none "$CNAME" "$d/rootfs" /bin/sh -c \
			'cat /runb-marker && [ ! -e "$1" ] && echo in-rootfs' sh "$host_only" 2>&1) || s=$?
		if [ "$s" = 0 ] && [ "$out" = "$marker"$'\n'in-rootfs ]; then
			ran=$((ran + 1))
		elif [ "$s" = 125 ] && [ "$(wc -l <<<"$out")" = 1 ] &&
			[[ "$out" == "runb: ROOTFS $d/rootfs: a symlink on its path; runb follows none there (a link can be swapped for another): give the directory itself" ]]; then
			refused=$((refused + 1))
			linked=$((linked + 1))
		elif [ "$s" = 125 ] && [ "$out" = "runb: ROOTFS $d/rootfs: is the host's /; runb will not make it a container's root" ]; then
			refused=$((refused + 1))
			hostroot=$((hostroot + 1))
		else
			bad=$((bad + 1))
			echo "run $i: status $s: $out"
		fi
	done
	kill -TERM "$spid"
	wait "$spid" || fail "the swapper failed"
	cat "$BATS_TEST_TMPDIR/swaps"
	echo "$runs runs in $((SECONDS - start)) s: $ran ran in ROOTFS, $refused refused ($linked 'a symlink on its path', $hostroot 'the host's /'), $bad otherwise"
	note "swap race: $runs runs, $ran in ROOTFS, $refused refused ($linked a link on the path, $hostroot the host's /)"
	[ "$bad" = 0 ]
	# the race was run for real: both outcomes happened, and the path-based control lost it
	[ "$control" = 1 ]
	[ "$ran" -ge 1 ]
	[ "$refused" -ge 1 ]
	[ "$runs" -ge 20 ] || fail "only $runs runs in ${limit} s"
	[ -d "$d/rootfs" ] && [ ! -L "$d/rootfs" ] && [ "$(readlink "$d/link")" = / ]
}

# The same race with a link to a directory other than /. A realpath(3) of
# the ROOTFS argument would follow the link when the swapper had just put it
# there, and only "/" itself could be refused by name; runb opens the
# argument as given and follows no symlink at all, so the link is refused.
# The decoy stands for any host directory (/usr, /etc: a root that container
# root can write); here it is a rootfs copy of the test's, so the command
# runs there and says where it is.
@test "ROOTFS swapped with a link to another directory in a loop: the container never runs in the link's target" {
	local d=$BATS_TEST_TMPDIR/swap swapper=$TOP/test/swapper
	local i s out spid runs=0 ran=0 decoy=0 refused=0 bad=0 start limit
	limit=$(timebox 30)
	[ -x "$swapper" ] || fail "test/swapper is not built (make test builds it)"
	mkdir "$d"
	cp -a "$ROOTFS" "$d/rootfs"
	cp -a "$ROOTFS" "$d/decoy"
	echo rootfs > "$d/rootfs/where"
	echo decoy > "$d/decoy/where"
	ln -s "$d/decoy" "$d/link"
	# without the swapper, ROOTFS is ROOTFS
	run rb --net none "$CNAME" "$d/rootfs" cat /where
	assert_output rootfs
	"$swapper" "$d/rootfs" "$d/link" 100 > "$BATS_TEST_TMPDIR/swaps" &
	spid=$!
	start=$SECONDS
	for i in $(seq 100); do
		[ $((SECONDS - start)) -lt "$limit" ] || break
		runs=$i
		s=0
		out=$(rb --net none "$CNAME" "$d/rootfs" cat /where 2>&1) || s=$?
		case "$s:$out" in
		0:rootfs) ran=$((ran + 1)) ;;
		0:decoy) decoy=$((decoy + 1)) ;;
		"125:runb: ROOTFS $d/rootfs: a symlink on its path; runb follows none there (a link can be swapped for another): give the directory itself")
			refused=$((refused + 1)) ;;
		*) bad=$((bad + 1)); echo "run $i: status $s: $out" ;;
		esac
		# one run in the decoy proves the point
		[ "$decoy" = 0 ] || break
	done
	kill -TERM "$spid"
	wait "$spid" || fail "the swapper failed"
	cat "$BATS_TEST_TMPDIR/swaps"
	echo "$runs runs: $ran in ROOTFS, $decoy in the link's target, $refused refused, $bad otherwise"
	[ -d "$d/rootfs" ] && [ ! -L "$d/rootfs" ]
	[ "$bad" = 0 ]
	[ "$decoy" = 0 ] || fail "run $runs ran in $d/decoy, the target of the link swapped in for ROOTFS"
	[ "$ran" -ge 1 ]
}

# ---------------------------------------------------------------- ROOTFS open to others

VARTMP=
# A rootfs at $VARTMP/a/rootfs, below a new directory of mode 0700 in /var/tmp
# (itself 1777, as / and /var are 755: open to others); teardown removes it.
open_rootfs_dir() {
	VARTMP=$(mktemp -d /var/tmp/runb-rootfs.XXXXXX)
	CLEANUP+=("$VARTMP")
	mkdir "$VARTMP/a"
	cp -a "$ROOTFS" "$VARTMP/a/rootfs"
	chmod 755 "$VARTMP/a" "$VARTMP/a/rootfs"
}

# warned_with MODE-OF-$VARTMP OWNER:GROUP-OF-$VARTMP MODE-OF-ROOTFS: run a
# container there; succeeds when it ran, and sets WARNED to the warning lines
# on its stderr.
WARNED=
warned_with() {
	chmod "$1" "$VARTMP"
	chown "$2" "$VARTMP"
	chmod "$3" "$VARTMP/a/rootfs"
	run --separate-stderr rb --net none "$CNAME" "$VARTMP/a/rootfs" echo ran
	# shellcheck disable=SC2154 # (bats' run --separate-stderr sets it)
	echo "$1 $2 $3: status $status, stdout '$output', stderr '$stderr'"
	WARNED=$(grep 'warning' <<<"$stderr" || true)
	[ "$status" = 0 ] && [ "$output" = ran ]
}

@test "a ROOTFS no directory on whose path is closed to others gets one warning line, and runs" {
	open_rootfs_dir
	local warning="runb: warning: ROOTFS $VARTMP/a/rootfs is open to other users"
	# / 755, /var 755, /var/tmp 1777: only $VARTMP or the rootfs can close the path
	[ "$(stat -c %a /var/tmp)" = 1777 ]
	warned_with 700 root:root 755
	[ -z "$WARNED" ]
	warned_with 755 root:root 755
	[ "$(wc -l <<<"$WARNED")" = 1 ]
	[[ "$WARNED" == "$warning "* ]]
	[ "$stderr" = "$WARNED" ]
	# its advice names the directory above ROOTFS: a 0700 ROOTFS is a 0700 "/" inside
	[[ "$WARNED" == *"keep it below a directory only root enters (mkdir -m 700 DIR; mv it into DIR), never chmod 700 ROOTFS itself"* ]]
	# the search bit is what opens a directory, not the read bit
	warned_with 711 root:root 755
	[[ "$WARNED" == "$warning "* ]]
	warned_with 755 root:root 700
	[ -z "$WARNED" ]
	# a group other than root's with the search bit opens it; root's does not
	warned_with 750 root:root 755
	[ -z "$WARNED" ]
	warned_with 750 root:users 755
	[[ "$WARNED" == "$warning "* ]]
	warned_with 700 root:users 755
	[ -z "$WARNED" ]
	# a 0700 directory of another user's is open to that user
	warned_with 700 nobody:root 755
	[[ "$WARNED" == "$warning "* ]]
}

# Is no directory from / down to DIR closed to other users (runb's rule: owned
# by root, no search bit for others, nor for a group other than root's)?
open_to_others() {
	local d
	d=$(realpath "$1")
	while :; do
		read -r uid gid mode <<<"$(stat -c '%u %g %a' "$d")"
		# closed: root's, o-x, and g-x unless the group is root's
		if [ "$uid" = 0 ] && [ $((8#$mode & 1)) = 0 ] && { [ "$gid" = 0 ] || [ $((8#$mode & 8)) = 0 ]; }; then
			echo "closed at $d ($uid:$gid $mode)"
			return 1
		fi
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

@test "the rootfs make builds lies below a directory closed to other users (no warning for it)" {
	[ -d "$TOP/rootfs/busybox" ] && [ ! -L "$TOP/rootfs" ] && [ ! -L "$TOP/rootfs/busybox" ]
	[ "$(stat -c %a "$TOP/rootfs")" = 700 ]
	[ "$(stat -c %a "$TOP/rootfs/busybox")" = 755 ]
	# the rule works both ways: this file's copy lies below bats' 0700 directory,
	# a 0755 copy in /var/tmp (1777) does not
	open_rootfs_dir
	chmod 755 "$VARTMP"
	open_to_others "$VARTMP/a/rootfs"
	run ! open_to_others "$ROOTFS"
	run ! open_to_others "$TOP/rootfs/busybox"
	echo "$output"
}
