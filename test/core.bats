#!/usr/bin/env bats
# The core (issue 2): each slide's step, seen from inside the container,
# the exit statuses, bad input, and the host left as it was.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

@test "slide 27/36: the command is PID 1 of its own PID namespace" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'echo $$; exec ps -o pid,comm'
	assert_success
	assert_line --index 0 1
	# ps, which replaced sh as PID 1, is the only process there is
	assert_line --index 1 --regexp '^PID +COMMAND$'
	assert_line --index 2 --regexp '^ +1 +ps$'
	[ "${#lines[@]}" = 3 ]
}

@test "slide 33: the host name is NAME by default, --hostname sets it" {
	run rb "$CNAME" "$ROOTFS" hostname
	assert_success
	assert_output "$CNAME"
	run rb --hostname runB "$CNAME" "$ROOTFS" hostname
	assert_output runB
	[ "$(hostname)" != runB ]
}

@test "slide 27: the UTS, IPC, mount, network, cgroup namespaces are new" {
	local me
	me=$(readlink /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/mnt /proc/self/ns/cgroup | tr '\n' ' ')
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'for n in uts ipc mnt cgroup net; do readlink /proc/self/ns/$n; done'
	assert_success
	for ns in $me "$(readlink /proc/self/ns/net)" "$(ip netns exec "$NS" readlink /proc/self/ns/net)"; do
		refute_line "$ns"
	done
}

@test "slides 29-30: the slides' mounts with the slides' options" {
	run rb "$CNAME" "$ROOTFS" cat /proc/self/mountinfo
	assert_success
	# mount point, per-mount options, fs type, super options: fields 5, 6, 9, 11
	local t
	t=$(awk '{ for (i = 7; $i != "-"; i++); print $5, $6, $(i+1), $(i+3) }' <<<"$output")
	echo "$t"
	grep -qx '/proc rw,nosuid,nodev,noexec,relatime proc rw' <<<"$t"
	# (nosuid and a size: runb's departure, as runc)
	grep -Eqx '/dev rw,nosuid,noexec tmpfs rw,size=65536k,mode=755(,inode64)?' <<<"$t"
	grep -Eqx '/dev/shm rw,nosuid,nodev,noexec,relatime tmpfs rw,size=65536k(,inode64)?' <<<"$t"
	grep -qx '/dev/mqueue rw,nosuid,nodev,noexec,relatime mqueue rw' <<<"$t"
	grep -qx '/dev/pts rw,nosuid,noexec,relatime devpts rw,gid=5,mode=620,ptmxmode=666' <<<"$t"
	grep -qx '/sys ro,nosuid,nodev,noexec,relatime sysfs ro' <<<"$t"
	# /dev/shm is world-writable with the sticky bit (mode=1777)
	run rb "$CNAME" "$ROOTFS" stat -c %a /dev/shm
	assert_output 1777
}

@test "slide 31: device nodes with the slide's numbers, mode 0666 whatever the umask" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'for d in null zero full tty random urandom; do stat -c "%n %F %t:%T %a" /dev/$d; done'
	assert_success
	assert_output - <<-'OUT'
	/dev/null character special file 1:3 666
	/dev/zero character special file 1:5 666
	/dev/full character special file 1:7 666
	/dev/tty character special file 5:0 666
	/dev/random character special file 1:8 666
	/dev/urandom character special file 1:9 666
	OUT
	run bash -c "umask 077; nsenter --net=/run/netns/$NS $RUNB $CNAME $ROOTFS stat -c %a /dev/null"
	assert_output 666
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo written'
	assert_line --index 0 4
	assert_line --index 1 written
}

@test "slide 32: /dev/ptmx is the container's own; a pty opened there exists in its /dev/pts" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'readlink /dev/ptmx; stat -L -c "%t:%T %a" /dev/ptmx; openpty'
	assert_success
	assert_line --index 0 pts/ptmx
	assert_line --index 1 '5:2 666'
	assert_line --regexp '^ok /dev/pts/[0-9]+$'
	# the pty and /dev/pts are one devpts instance
	local devs
	devs=$(grep '^dev ' <<<"$output")
	[ "$(awk '{print $2}' <<<"$devs")" = "$(awk '{print $4}' <<<"$devs")" ]
}

@test "slide 32: /dev/fd and /dev/std* link to /proc/self/fd" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done; echo via-stdout > /dev/stdout'
	assert_success
	assert_output - <<-'OUT'
	fd /proc/self/fd
	stdin /proc/self/fd/0
	stdout /proc/self/fd/1
	stderr /proc/self/fd/2
	via-stdout
	OUT
}

@test "slide 33: capabilities are exactly SET_CAPS for root; none for another user" {
	run rb "$CNAME" "$ROOTFS" grep ^Cap /proc/self/status
	assert_success
	assert_line "CapBnd:	00000020a80425fb"
	assert_line "CapEff:	00000020a80425fb"
	assert_line "CapPrm:	00000020a80425fb"
	assert_line "CapInh:	0000000000000000"
	assert_line "CapAmb:	0000000000000000"
	run rb --user 1000:1000 "$CNAME" "$ROOTFS" /bin/sh -c 'id -u; id -g; id -G; grep ^Cap /proc/self/status'
	assert_success
	assert_line --index 0 1000
	assert_line --index 1 1000
	assert_line --index 2 1000
	assert_line "CapEff:	0000000000000000"
	assert_line "CapPrm:	0000000000000000"
	assert_line "CapBnd:	00000020a80425fb"
}

@test "slide 33: --user UID alone runs with GID 0" {
	run rb --user 123 "$CNAME" "$ROOTFS" /bin/sh -c 'echo $(id -u):$(id -g)'
	assert_success
	assert_output 123:0
}

@test "slide 33: the network namespace has lo, up, and nothing of the host's" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'ls /sys/class/net; ip -o link show lo; ping -c1 -W1 127.0.0.1 >/dev/null && echo pong'
	assert_success
	assert_line --index 0 lo
	assert_line --partial 'lo: <LOOPBACK,UP,LOWER_UP>'
	assert_line pong
	refute_line eth0
}

@test "slide 26: ip netns list shows NAME while the container runs, and not after" {
	rb_bg --net none "$CNAME" "$ROOTFS" sleep 30
	run ip netns list
	assert_line --regexp "^$CNAME( |$)"
	kill -KILL "$(container_pid)"
	rb_wait
	[ "$status" = 137 ]
	run ip netns list
	refute_line --regexp "^$CNAME( |$)"
}

@test "slide 33: pivot_root by default; the classic chroot escape fails" {
	run rb "$CNAME" "$ROOTFS" escape "$ROOTFS/bin"
	assert_line contained
	refute_line escaped
	[ "$status" = 1 ]
}

@test "slide 33: --chroot does what the slide does, and the escape succeeds" {
	run rb --chroot "$CNAME" "$ROOTFS" escape "$ROOTFS/bin"
	assert_line escaped
	[ "$status" = 0 ]
}

@test "after pivot_root no mount of the host is left in the container" {
	run rb "$CNAME" "$ROOTFS" cat /proc/self/mountinfo
	assert_success
	# the root, the slides' six, then only the masks over /proc and /sys
	# (confinement.bats), /sys/fs/cgroup (cgroup.bats), the generated
	# /etc/hosts, /etc/hostname, /etc/resolv.conf, and nothing of the host
	run awk '{print $5}' <<<"$output"
	[ "$(head -n 7 <<<"$output")" = "$(printf '%s\n' / /proc /dev /dev/shm /dev/mqueue /dev/pts /sys)" ]
	[ "$(tail -n +8 <<<"$output" | grep -Ev '^/(proc|sys)/' | tr '\n' ' ')" = "/etc/hosts /etc/hostname /etc/resolv.conf " ]
	refute_output --partial /run/netns
}

@test "the environment is clean: PATH, HOSTNAME, HOME, TERM, then -e" {
	run env -i TERM=xterm-test SECRET=1 PATH="$PATH" nsenter --net="/run/netns/$NS" "$RUNB" -e A=1 -e B=x=y -e PATH=/bin "$CNAME" "$ROOTFS" env
	assert_success
	assert_output - <<-OUT
	PATH=/bin
	HOSTNAME=$CNAME
	HOME=/root
	TERM=xterm-test
	A=1
	B=x=y
	OUT
	run env -i PATH="$PATH" nsenter --net="/run/netns/$NS" "$RUNB" --user 7 "$CNAME" "$ROOTFS" env
	assert_output - <<-OUT
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOSTNAME=$CNAME
	HOME=/
	OUT
}

@test "the default command is /bin/bash, or /bin/sh when there is no bash" {
	run bash -c "echo 'echo \$0' | nsenter --net=/run/netns/$NS $RUNB $CNAME $ROOTFS"
	assert_success
	assert_output /bin/sh
	mkdir -p "$BATS_TEST_TMPDIR/bash"
	cp -a "$ROOTFS/." "$BATS_TEST_TMPDIR/bash/"
	printf '#!/bin/sh\necho i-am-bash\n' > "$BATS_TEST_TMPDIR/bash/bin/bash"
	chmod 755 "$BATS_TEST_TMPDIR/bash/bin/bash"
	run rb "$CNAME" "$BATS_TEST_TMPDIR/bash"
	assert_output i-am-bash
}

@test "arguments pass through unsplit" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'for a; do echo "[$a]"; done' x 'a b' '' '-v'
	assert_success
	assert_output - <<-'OUT'
	[a b]
	[]
	[-v]
	OUT
}

@test "exit status: the command's own, 128+N for a signal, 126, 127" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'exit 3'
	[ "$status" = 3 ]
	run rb "$CNAME" "$ROOTFS" /bin/true
	[ "$status" = 0 ]
	run -126 rb "$CNAME" "$ROOTFS" /etc/passwd
	[ "$status" = 126 ]
	assert_output --partial 'exec /etc/passwd: Permission denied'
	run -127 rb "$CNAME" "$ROOTFS" /no/such/file
	[ "$status" = 127 ]
	run -127 rb "$CNAME" "$ROOTFS" no-such-command
	[ "$status" = 127 ]
	assert_output "runb: exec no-such-command: executable file not found in ROOTFS $ROOTFS (is it a root file system?)"
	# the child's own exec failing (a command under a --tmpfs, which runb cannot look for first)
	run -127 rb --tmpfs /opt "$CNAME" "$ROOTFS" /opt/nosuch
	assert_output --partial 'exec /opt/nosuch: No such file or directory'
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	kill -KILL "$(container_pid)"
	rb_wait
	[ "$status" = 137 ]
}

@test "a ROOTFS that is no root file system (empty, or without the command): 127 before runb writes a thing into it" {
	local empty=$BATS_TEST_TMPDIR/empty usr=$BATS_TEST_TMPDIR/usr
	mkdir -m 0755 "$empty" "$usr"
	mkdir -p "$usr/bin" && cp "$ROOTFS/bin/busybox" "$usr/bin/"
	run -127 rb --net none "$CNAME" "$empty"
	assert_output "runb: exec /bin/sh: executable file not found in ROOTFS $empty (is it a root file system?)"
	[ -z "$(ls -A "$empty")" ]
	run -127 rb --net none "$CNAME" "$usr" ls
	assert_output "runb: exec ls: executable file not found in ROOTFS $usr (is it a root file system?)"
	[ "$(ls -A "$usr")" = bin ]
	# found through the container's PATH, and through a link inside ROOTFS
	run rb --net none "$CNAME" "$ROOTFS" busybox true
	assert_success
	ln -s busybox "$usr/bin/true"
	run rb --net none "$CNAME" "$usr" /bin/true
	[ "$status" != 127 ] || [[ "$output" != *"not found in ROOTFS"* ]]
}

# Bad input: one line naming the problem, 125, nothing made on the host
# (common_teardown checks the last part).
bad_input() {
	run rb "$@"
	echo "$output"
	[ "$status" = 125 ]
	[ "$(wc -l <<<"$output")" -ge 1 ]
}

@test "bad input: no arguments, NAME only" {
	bad_input
	assert_output --partial 'missing NAME and ROOTFS'
	bad_input "$CNAME"
	assert_output --partial 'missing ROOTFS'
}

@test "bad input: invalid NAMEs" {
	for n in '' -x .x 'a/b' 'a b' "$(printf 'a%.0s' $(seq 65))" 'a:b'; do
		bad_input -- "$n" "$ROOTFS" true
		assert_output --partial 'invalid NAME'
	done
	run rb "$(printf 'a%.0s' $(seq 64))" "$ROOTFS" true
	assert_success
}

@test "bad input: ROOTFS missing or not a directory" {
	bad_input "$CNAME" /no/such/dir true
	assert_output 'runb: ROOTFS /no/such/dir: No such file or directory'
	bad_input "$CNAME" /etc/passwd true
	assert_output --partial 'not a directory'
	bad_input "$CNAME" / true
	assert_output --partial "host's /"
}

@test "bad input: unknown option, missing or invalid option values" {
	bad_input --bogus "$CNAME" "$ROOTFS"
	assert_output --partial "unknown option '--bogus'"
	bad_input --net wifi "$CNAME" "$ROOTFS"
	assert_output --partial "invalid --net 'wifi'"
	bad_input --user abc "$CNAME" "$ROOTFS"
	assert_output --partial "--user abc: no such user in ROOTFS's /etc/passwd"
	bad_input --user 1:x "$CNAME" "$ROOTFS"
	bad_input --user -1 "$CNAME" "$ROOTFS"
	bad_input -e =x "$CNAME" "$ROOTFS"
	assert_output --partial "invalid --env"
	bad_input --hostname "" "$CNAME" "$ROOTFS"
	bad_input --subnet 10.9.0.0/25 "$CNAME" "$ROOTFS"
	assert_output --partial "a /24 or larger"
	bad_input --subnet 8.8.0.0/16 "$CNAME" "$ROOTFS"
	assert_output --partial "not inside a private range"
	bad_input --subnet 10.9.0.1/24 "$CNAME" "$ROOTFS"
	assert_output --partial "not the network address"
	bad_input --subnet 10.9.0.0 "$CNAME" "$ROOTFS"
	assert_output --partial "expected A.B.C.D/N"
	bad_input --subnet 10.9.0.0/24 --ip 10.0.0.5 "$CNAME" "$ROOTFS"
	assert_output --partial "outside the containers' range 10.9.0.2-10.9.0.254"
}

@test "bad input: an option without its value says so, not 'unknown option'" {
	local opt
	for opt in --net -m --memory -e --env --seccomp --subnet --ip --user --hostname; do
		bad_input "$opt"
		assert_output "runb: option '$opt' needs a value (see runb --help)"
	done
}

@test "ROOTFS gains only the missing mount-point directories" {
	local r=$BATS_TEST_TMPDIR/bare
	mkdir -p "$r"
	cp -a "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/usr" "$r/"
	rm -f "$r/etc/resolv.conf"
	(cd "$r" && find . -printf '%p %y %m\n' | sort) > "$BATS_TEST_TMPDIR/before"
	run rb "$CNAME" "$r" /bin/true
	assert_success
	(cd "$r" && find . -printf '%p %y %m\n' | sort) > "$BATS_TEST_TMPDIR/after"
	# nothing removed or changed, three directories added
	[ -z "$(comm -23 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after")" ]
	run comm -13 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# (and /etc/resolv.conf, the mount point of the generated one: see net.bats)
	assert_output - <<-'OUT'
		./dev d 755
		./etc/resolv.conf f 644
		./proc d 755
		./sys d 755
	OUT
}

@test "a symlink in ROOTFS cannot redirect a mount onto the host" {
	local r=$BATS_TEST_TMPDIR/evil target=$BATS_TEST_TMPDIR/host-dir
	mkdir -p "$r" "$target"
	cp -a "$ROOTFS/." "$r/"
	rm -rf "$r/sys"
	ln -s "$target" "$r/sys"
	run rb "$CNAME" "$r" /bin/true
	# refused: runb mounts only on a real directory, reached without a link
	[ "$status" = 125 ]
	assert_output "runb: $r/sys is a symlink: runb mounts only on a real directory inside ROOTFS"
	# nothing appeared at the host path (and no mount: see the teardown)
	[ -z "$(ls -A "$target")" ]
}

@test "-v shows every step in slide order" {
	run rb -v "$CNAME" "$ROOTFS" /bin/true
	assert_success
	# each line ends with the time its step took: " [N µs]"
	run without_times "$output"
	local slides
	slides=$(grep -o '^\[slide [0-9]*\]' <<<"$output" | tr -dc '0-9\n' | uniq | tr '\n' ' ')
	echo "$slides"
	[ "$slides" = "25 26 27 28 29 30 31 32 33 " ]
	assert_output --partial '[slide 31] mknod -m 666 $ROOT_FS_DIR/dev/... -> mknod("/dev/null", S_IFCHR|0666, makedev(1, 3))'
	assert_output --partial 'pivot_root(".", ".")'
	assert_output --partial '[slide 27] unshare --mount (--propagation private, implied)'
	# in order: the sorted slide numbers are the printed ones
	[ "$(grep -o '^\[slide [0-9]*\]' <<<"$output" | tr -dc '0-9\n' | sort -n | tr '\n' ' ')" = "$(grep -o '^\[slide [0-9]*\]' <<<"$output" | tr -dc '0-9\n' | tr '\n' ' ')" ]
}
