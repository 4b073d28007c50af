load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# What the container's process is kept from, beyond the slides (devices
# cgroup, /proc masking and read-only paths, no_new_privs, seccomp). Each test
# tries an escape from inside the container and expects it to fail. Every
# attempt is harmless even when the protection is missing: no block device is
# ever written, /proc/sysrq-trigger never, and core_pattern only gets the
# value it already holds or is opened for appending and closed.

# runb's tables (fs_masked, fs_readonly in runb.c)
MASKED=(/proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats
	/proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware
	/sys/devices/virtual/powercap /sys/fs/selinux /sys/dev/block)
READONLY=(/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger)

# mountinfo on stdin -> one line per mount, the last one for a mount point
# being the one in sight: MOUNTPOINT ROOT MAJ:MIN PER-MOUNT-OPTS FSTYPE SOURCE SUPER-OPTS
# (fields 5, 4, 3, 6, then the three after the " - " separator)
mounts() {
	awk '{ for (i = 7; $i != "-"; i++); print $5, $4, $3, $6, $(i+1), $(i+2), $(i+3) }'
}

# The mount in sight at mount point $1, from the mounts() table in $MOUNTS.
mount_at() {
	awk -v m="$1" '$1 == m' <<<"$MOUNTS" | tail -n 1
}

lacks_opt() {
	! has_opt "$@"
}

# Is $1 not a whole line of $2? (a function, as "! cmd" never fails a bats test)
no_line() {
	! grep -qxF -- "$1" <<<"$2"
}


@test "core_pattern: writing back its own value fails, read-only file system; the host's is unchanged" {
	local host
	host=$(cat /proc/sys/kernel/core_pattern)
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		v=$(cat /proc/sys/kernel/core_pattern) || exit 2
		printf "%s\n" "$v"
		printf "%s\n" "$v" > /proc/sys/kernel/core_pattern && echo WRITTEN'
	assert_failure 1
	# the container reads the host's value: the file is there, only not writable
	assert_line --index 0 "$host"
	assert_line --partial "/proc/sys/kernel/core_pattern: Read-only file system"
	refute_line WRITTEN
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$host" ]
}

@test "a normal container cannot open core_pattern or sysrq-trigger for writing; the host's root can (the control)" {
	local host p probes=(/proc/sys/kernel/core_pattern /proc/sysrq-trigger) proven=0
	host=$(cat /proc/sys/kernel/core_pattern)
	# opened for writing (appending, nothing written), closed at once: harmless either way
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		for p; do
			if [ ! -e "$p" ]; then echo "absent $p"
			elif (: >> "$p") 2>&1; then echo "OPENED $p"
			fi
		done; true' sh "${probes[@]}"
	assert_success
	refute_output --partial OPENED
	for p in "${probes[@]}"; do
		if grep -qx "absent $p" <<<"$output"; then
			note "$p absent on this kernel: not proven here"
			continue
		fi
		assert_line --regexp "^sh: (line [0-9]+: )?can't create $p: Read-only file system\$"
		# the control: on the host, the same open succeeds (nothing is written)
		bash -c ': >> "$1"' _ "$p"
		proven=$((proven + 1))
	done
	[ "$proven" -ge 1 ]
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$host" ]
}

@test "/proc/sys, /proc/sysrq-trigger, /proc/bus, /proc/fs, /proc/irq are read-only binds (where the kernel has them)" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /proc/self/mountinfo; echo "## exists"
		for p; do [ -e "$p" ] && echo "$p"; done; true' sh "${READONLY[@]}"
	assert_success
	local exists p m opts fstype proven=0
	MOUNTS=$(sed '/^## exists$/,$d' <<<"$output" | mounts)
	exists=$(sed '1,/^## exists$/d' <<<"$output")
	for p in "${READONLY[@]}"; do
		if [ -e "$p" ]; then
			m=$(mount_at "$p")
			echo "$p: $m"
			[ -n "$m" ]
			read -r _ _ _ opts fstype _ <<<"$m"
			has_opt "$opts" ro
			[ "$fstype" = proc ]
			grep -qx "$p" <<<"$exists"
			proven=$((proven + 1))
		else
			note "$p absent on this kernel: not proven here"
			no_line "$p" "$exists"
			[ -z "$(mount_at "$p")" ]
		fi
	done
	# /proc/sys exists on every kernel: at least that one is proven for real
	[ "$proven" -ge 1 ]
}

@test "masked files read empty as /dev/null binds, masked dirs are empty read-only tmpfs (where the kernel has them)" {
	# Reads take at most 1 byte, so an unmasked /proc/kcore could not hang the test.
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /proc/self/mountinfo; echo "## probes"
		for p; do
			if [ -d "$p" ]; then
				echo "$p dir $(ls -A "$p" | wc -l) $(touch "$p/.runb-test" 2>&1 | grep -c "Read-only file system")"
			elif [ -e "$p" ]; then
				echo "$p file $(head -c 1 "$p" | wc -c) $(stat -c %t:%T "$p")"
			else
				echo "$p absent"
			fi
		done' sh "${MASKED[@]}"
	assert_success
	local probes p m dev opts fstype sopts root majmin files=0 dirs=0
	MOUNTS=$(sed '/^## probes$/,$d' <<<"$output" | mounts)
	probes=$(sed '1,/^## probes$/d' <<<"$output")
	# the container's /dev, which the masking binds its null from
	dev=$(mount_at /dev | awk '{print $3}')
	[ -n "$dev" ]
	for p in "${MASKED[@]}"; do
		m=$(mount_at "$p")
		echo "$p: $m"
		if [ -d "$p" ]; then
			# an empty tmpfs, read-only per mount and per super block
			grep -qx "$p dir 0 1" <<<"$probes"
			read -r _ _ _ opts fstype _ sopts <<<"$m"
			[ "$fstype" = tmpfs ]
			has_opt "$opts" ro
			has_opt "$sopts" ro
			dirs=$((dirs + 1))
		elif [ -e "$p" ]; then
			# reads nothing, is char 1:3, and is the file "null" of the container's /dev
			grep -qx "$p file 0 1:3" <<<"$probes"
			read -r _ root majmin _ fstype _ <<<"$m"
			[ "$root" = /null ]
			[ "$majmin" = "$dev" ]
			[[ "$fstype" =~ ^(devtmpfs|tmpfs)$ ]]
			files=$((files + 1))
		else
			note "$p absent on this kernel: not proven here"
			grep -qx "$p absent" <<<"$probes"
			[ -z "$m" ]
		fi
	done
	echo "proven: $files masked files, $dirs masked dirs"
	# /proc/keys or /proc/timer_list is on any usual kernel: a file proven for real
	[ "$files" -ge 1 ]
	[ "$dirs" -ge 1 ] || note "no masked directory exists on this kernel: none proven"
}

@test "the masks cannot be lifted: no umount, no remount rw, no fresh proc" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		umount /proc/keys && echo UNMASKED-keys
		umount -l /proc/sys && echo UNMASKED-sys
		mount -o remount,rw,bind /proc/sys && echo REMOUNTED-sys
		mkdir -p /tmp/proc2 && mount -t proc proc /tmp/proc2 && echo FRESH-proc
		head -c 1 /proc/keys | wc -c
		grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6'
	refute_output --partial UNMASKED
	refute_output --partial REMOUNTED
	refute_output --partial FRESH
	assert_line --partial "umount: can't unmount /proc/keys: Operation not permitted"
	assert_line --partial "mount: permission denied"
	# still masked, still read-only
	assert_line 0
	assert_line --regexp '^ro(,|$)'
}

# A block device of the host: the one under /, else the first in /proc/partitions.
# Prints MAJ MIN, or nothing (the QEMU VM's / is 9p under an overlay, and it has no disk).
host_block_dev() {
	local d
	d=$(mountpoint -d / 2>/dev/null) || d=
	if [ -z "$d" ] || [ "${d%%:*}" = 0 ]; then
		d=$(awk 'NR > 2 && NF == 4 && $1 != 0 { print $1 ":" $2; exit }' /proc/partitions)
	fi
	[ -z "$d" ] || echo "${d%%:*} ${d#*:}"
}

# The container's capabilities (runb's caps_kept, CapEff 00000020a80425fb), as a
# setpriv bounding set: root running under it has exactly those.
CONTAINER_CAPS=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap,+audit_read

# A directory for a few minutes' file on a mount without option $1 (nodev, nosuid):
# $BATS_TEST_TMPDIR, or where that is on such a mount (the VM's /tmp), a new one in
# /var/tmp, which the caller removes.
dir_without() {
	if lacks_opt "$(findmnt -n -o OPTIONS -T "$BATS_TEST_TMPDIR")" "$1"; then
		echo "$BATS_TEST_TMPDIR"
	else
		mktemp -d /var/tmp/runb-confinement.XXXXXX
	fi
}

@test "devices: nodes made for the host's disk, /dev/kmsg, /dev/vcs, /dev/net/tun, /dev/fuse cannot be opened" {
	# Each probe only opens the node for reading and reads nothing. A probe proves
	# runb's device rules only where the host's root, with the container's
	# capabilities and no device rules, can open it (the control): a node refused
	# anyway (this machine refuses every block device even to root; 1:11 needs
	# CAP_SYSLOG when kernel.dmesg_restrict is 1) proves nothing.
	local probes=() maj min
	if read -r maj min <<<"$(host_block_dev)" && [ -n "$maj" ]; then
		probes+=("hostdisk b $maj $min")
	else
		note "no block device on this host: no disk probe"
	fi
	# 7:0 /dev/vcs (the host console's screen) is there with any CONFIG_VT kernel, tun and
	# fuse where their modules load
	probes+=("kmsg2 c 1 11" "vcs2 c 7 0" "tun2 c 10 200" "fuse2 c 10 229")
	local dir p name type ctl proven=0
	dir=$(dir_without nodev)
	run setpriv --bounding-set="$CONTAINER_CAPS" grep ^CapEff: /proc/self/status
	ctl=$output
	for p in "${probes[@]}"; do
		read -r name type maj min <<<"$p"
		mknod "$dir/$name" "$type" "$maj" "$min"
		if setpriv --bounding-set="$CONTAINER_CAPS" bash -c 'exec 9<"$1"' _ "$dir/$name" 2>/dev/null; then
			ctl+=$'\n'"$name opens"
		fi
		rm -f "$dir/$name"
	done
	[ "$dir" = "$BATS_TEST_TMPDIR" ] || rmdir "$dir"
	echo "control: $ctl"
	# In the container's own /dev: a tmpfs without nodev, so only the device rules
	# can refuse the open (on a nodev mount, as /tmp in the VM, EACCES comes first).
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		grep ^CapEff: /proc/self/status
		for p; do
			set -- $p
			if mknod "/dev/$1" "$2" "$3" "$4"; then
				true < "/dev/$1" && echo "OPENED $1"
			fi
		done' sh "${probes[@]}"
	# the control ran with the container's very capabilities
	assert_line --index 0 "$(head -n 1 <<<"$ctl")"
	refute_output --partial OPENED
	for p in "${probes[@]}"; do
		read -r name _ <<<"$p"
		# runb lets mknod through (CAP_MKNOD kept, rule "m") and refuses the open;
		# were mknod refused instead, that must be EPERM too
		assert_line --regexp "^(sh: (line [0-9]+: )?can't open|mknod:) /dev/$name: Operation not permitted\$"
		if grep -qx "$name opens" <<<"$ctl"; then
			proven=$((proven + 1))
		else
			note "/dev/$name: refused even without runb's device rules here: not proven"
		fi
	done
	[ "${#lines[@]}" = $((${#probes[@]} + 1)) ]
	echo "proven: $proven"
	[ "$proven" -ge 1 ]
}

@test "devices: the allowed ones still work, by number (a new node 1:3 works too), and ptys" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		echo x > /dev/null && echo null-written
		head -c 4 /dev/zero | wc -c
		head -c 4 /dev/urandom | wc -c
		head -c 4 /dev/random | wc -c
		echo x > /dev/full || echo full-refused
		mknod /dev/null2 c 1 3 && echo x > /dev/null2 && echo null2-written
		openpty'
	assert_success
	assert_line --index 0 null-written
	assert_line --index 1 4
	assert_line --index 2 4
	assert_line --index 3 4
	# /dev/full opens (allowed) and its write fails as /dev/full does
	assert_line --partial "No space left on device"
	assert_line full-refused
	assert_line null2-written
	assert_line --regexp '^ok /dev/pts/[0-9]+$'
	refute_output --partial "Operation not permitted"
}

# sysc's lines under runb's filter: every probed call refused
sysc_filtered() {
	local c
	echo "getpid OK"
	echo "uname OK"
	for c in keyctl add_key request_key bpf perf_event_open userfaultfd init_module \
		finit_module delete_module kexec_load kexec_file_load open_by_handle_at \
		io_uring_setup io_uring_enter io_uring_register \
		'unshare(CLONE_NEWUSER)' 'clone(CLONE_NEWUSER)'; do
		echo "$c EPERM"
	done
	echo "clone3 ENOSYS"
	echo "ioctl(TIOCSTI) EPERM"
	echo "ioctl(TIOCSTI|1<<32) EPERM"
	if [ "$(uname -m)" = x86_64 ]; then
		echo "x32-getpid EPERM"
	fi
}

@test "no_new_privs and seccomp are on; every filtered syscall fails with EPERM (clone3 ENOSYS), TIOCSTI and io_uring included" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; sysc'
	assert_success
	assert_output "$(printf 'NoNewPrivs:\t1\nSeccomp:\t2\n'; sysc_filtered)"
	# the same for another user, and with --seccomp=default
	run rb --net none --user 1000 --seccomp=default "$CNAME" "$ROOTFS" /bin/sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; sysc'
	assert_success
	assert_output "$(printf 'NoNewPrivs:\t1\nSeccomp:\t2\n'; sysc_filtered)"
}

@test "--seccomp=unconfined: no filter (the probes get the kernel's own answers), no_new_privs still set" {
	run rb --net none --seccomp=unconfined "$CNAME" "$ROOTFS" /bin/sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; sysc'
	assert_success
	# nnp_set runs whatever --seccomp says
	assert_line --index 0 "NoNewPrivs:	1"
	assert_line --index 1 "Seccomp:	0"
	# proof the filtered test could fail: the same probes answer otherwise
	refute_line "keyctl EPERM"
	refute_line "bpf EPERM"
	refute_line "clone3 ENOSYS"
	assert_line "ioctl(TIOCSTI) ENOTTY"
	assert_line "ioctl(TIOCSTI|1<<32) ENOTTY"
	# io_uring: the kernel's own answers to a ring that cannot be made or found
	assert_line "io_uring_enter EBADF"
	assert_line "io_uring_register EBADF"
	local disabled
	disabled=$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)
	if [ "$disabled" = 0 ]; then
		assert_line "io_uring_setup EFAULT"
	else
		# (the sysctl, Linux 6.6+, refuses io_uring_setup to the container itself)
		note "kernel.io_uring_disabled is $disabled: io_uring_setup is refused without the filter too"
		assert_line "io_uring_setup EPERM"
	fi
	[ "$(tail -n +3 <<<"$output")" != "$(sysc_filtered)" ]
}

@test "--seccomp with a bad value exits 125" {
	run rb --net none --seccomp=bogus "$CNAME" "$ROOTFS" true
	assert_failure 125
	assert_output --partial "invalid --seccomp 'bogus'"
	run rb --net none --seccomp= "$CNAME" "$ROOTFS" true
	assert_failure 125
	[ ! -e "/run/netns/$CNAME" ]
}

@test "a setuid-root binary does not raise a non-root user's privileges (no_new_privs)" {
	# test/euid, copied setuid-root, prints its real and effective uids.
	local root=$ROOTFS tmp=
	if has_opt "$(findmnt -n -o OPTIONS -T "$ROOTFS")" nosuid; then
		# the setuid bit means nothing there (the VM's /tmp): use a copy elsewhere
		tmp=$(mktemp -d /var/tmp/runb-confinement.XXXXXX)
		root=$tmp/rootfs
		cp -a "$ROOTFS" "$root"
	fi
	if has_opt "$(findmnt -n -o OPTIONS -T "$root")" nosuid; then
		[ -z "$tmp" ] || rm -rf "$tmp"
		skip "no file system without nosuid for the setuid binary"
	fi
	mkdir -p "$root/tmp/suid"
	install -m 4755 -o 0 -g 0 "$TOP/test/euid" "$root/tmp/suid/euid"
	# control, on the host without no_new_privs: the setuid bit works on this
	# file for uid 1000, which needs no passwd entry (run by fd, as the
	# rootfs copy's parents are not searchable by uid 1000)
	run setpriv --reuid=1000 --regid=1000 --clear-groups /proc/self/fd/9 9<"$root/tmp/suid/euid"
	local control=$output
	run rb --net none --user 1000 "$CNAME" "$root" /bin/sh -c '
		grep -E "^(Uid|NoNewPrivs):" /proc/self/status
		/tmp/suid/euid
		grep " / " /proc/self/mountinfo | cut -d" " -f6'
	rm -rf "$root/tmp/suid"
	[ -z "$tmp" ] || rm -rf "$tmp"
	echo "control: $control"
	[ "$control" = "uid 1000 euid 0" ]
	assert_success
	assert_line --index 0 "Uid:	1000	1000	1000	1000"
	assert_line --index 1 "NoNewPrivs:	1"
	assert_line --index 2 "uid 1000 euid 1000"
	# the container's / is not nosuid: only no_new_privs stood in the way
	local opts=${lines[3]}
	[ -n "$opts" ]
	lacks_opt "$opts" nosuid
}
