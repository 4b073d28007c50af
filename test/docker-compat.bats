#!/usr/bin/env bats
# What docker run gives an everyday container and runb matches (issue 12;
# README, "Coming from docker"): /etc/hosts and /etc/hostname, --add-host,
# --init, resource limits that do not depend on the caller, --ulimit,
# --cap-add/--cap-drop, no signal ignored or blocked, --security-opt. (Their
# lines in --help: cli.bats; /sys/fs/cgroup inside: cgroup.bats; -t:
# tty.bats.)
# Every check that depends on the machine branches on it (cgroup v1 or v2;
# whether runb may raise a hard limit, CAP_SYS_RESOURCE) and proves each
# branch for real.

load helpers

setup_file() {
	common_setup_file
	# this file's helpers, built by make (HELPERS), copied by common_setup_file
	local h
	for h in resolve reap sysc; do
		[ -x "$ROOTFS/usr/local/bin/$h" ] || {
			echo "test/$h is not built: run make $(printf 'test/%s ' resolve reap sysc euid)" >&2
			return 1
		}
	done
	[ -x "$TOP/test/euid" ] || { echo "test/euid is not built: run make test/euid" >&2; return 1; }
}
setup() { common_setup; }
teardown() { common_teardown; }

# Does the test shell hold capability number $1 (its CapEff)?
has_cap() {
	local eff
	eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
	[ $(((16#$eff >> $1) & 1)) = 1 ]
}


# ---------------------------------------------------------------------------
# 1. /etc/hosts and /etc/hostname
# ---------------------------------------------------------------------------

# The /etc/hosts runb writes for host name $1 at address $2, then the lines $3...
hosts_file() {
	local name=$1 addr=$2
	shift 2
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n' "$addr" "$name"
	[ $# = 0 ] || printf '%s\n' "$@"
}

@test "/etc/hosts and /etc/hostname: exactly docker's lines, 127.0.1.1 with --net none, one line per --add-host" {
	local got=$BATS_TEST_TMPDIR/got want=$BATS_TEST_TMPDIR/want
	# byte for byte: the files themselves, "=" between them (each must end in a newline)
	rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'cat /etc/hosts; echo =; cat /etc/hostname' >"$got"
	{ hosts_file "$CNAME" 127.0.1.1; echo '='; echo "$CNAME"; } >"$want"
	diff -u "$want" "$got"
	# --hostname names the third line and /etc/hostname; each --add-host is a line, in
	# order, IPv6 too (the name ends at the first colon), a name given twice twice
	rb --net none --hostname web.example --add-host db:192.0.2.10 --add-host v6.example:2001:db8::1 \
		--add-host lo6:::1 --add-host db:192.0.2.11 "$CNAME" "$ROOTFS" \
		/bin/sh -c 'cat /etc/hosts; echo =; cat /etc/hostname; echo =; hostname' >"$got"
	{
		hosts_file web.example 127.0.1.1 $'192.0.2.10\tdb' $'2001:db8::1\tv6.example' \
			$'::1\tlo6' $'192.0.2.11\tdb'
		printf '=\nweb.example\n=\nweb.example\n'
	} >"$want"
	diff -u "$want" "$got"
}

@test "/etc/hosts, /etc/hostname: binds of files on the container's /dev tmpfs, which keeps no name of them" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /proc/self/mountinfo; echo "## dev"; ls -A /dev'
	assert_success
	local mounts dev m f
	mounts=$(sed '/^## dev$/,$d' <<<"$output")
	dev=$(awk '$5 == "/dev" { print $3 }' <<<"$mounts" | tail -n 1)
	[ -n "$dev" ]
	for f in hosts hostname; do
		m=$(awk -v p="/etc/$f" '$5 == p' <<<"$mounts" | tail -n 1)
		echo "/etc/$f: $m"
		# the mount's device is /dev's, its root the file runb wrote there and removed
		[ "$(cut -d' ' -f3 <<<"$m")" = "$dev" ]
		[ "$(cut -d' ' -f4 <<<"$m")" = "/.runb-$f//deleted" ]
	done
	# and nothing of it is left in /dev
	run sed '1,/^## dev$/d' <<<"$output"
	assert_line null
	refute_output --partial .runb-
}

@test "the container's own name and each --add-host name resolve at once through the C library (--net none)" {
	run rb --net none --add-host db:192.0.2.10 --add-host v6.example:2001:db8::1 "$CNAME" "$ROOTFS" /bin/sh -c '
		for n in "$(hostname)" db v6.example localhost not-in-hosts.invalid; do
			timeout 3 resolve "$n"; echo "$n: $?"
		done'
	assert_line --index 0 127.0.1.1
	assert_line --index 1 "$CNAME: 0"
	assert_line --index 2 192.0.2.10
	assert_line --index 3 "db: 0"
	assert_line --index 4 2001:db8::1
	assert_line --index 5 "v6.example: 0"
	assert_line --index 6 127.0.0.1
	assert_line --index 7 "localhost: 0"
	# control: a name not in /etc/hosts does not resolve (resolve echoes nothing made up)
	assert_line --index 8 --partial "resolve not-in-hosts.invalid: "
	assert_line --index 9 "not-in-hosts.invalid: 2"
	[ "${#lines[@]}" = 10 ]
}

@test "/etc/hosts with the bridge: the container's own address beside its name, and the name resolves to it" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c '
		ip -4 -o addr show dev eth0; echo =; cat /etc/hosts; echo =; timeout 3 resolve "$(hostname)"'
	assert_success
	local addr
	addr=$(awk 'NR == 1 { sub("/.*", "", $4); print $4 }' <<<"$output")
	echo "eth0: $addr"
	[[ "$addr" =~ ^10\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
	assert_equal "$(sed -n '/^=$/,/^=$/p' <<<"$output" | sed '1d;$d')" "$(hosts_file "$CNAME" "$addr")"
	assert_equal "${lines[-1]}" "$addr"
}

@test "/etc/hosts, /etc/hostname: ROOTFS's own are covered and unchanged byte for byte, links there are not followed, missing ones become empty mount points" {
	local r=$BATS_TEST_TMPDIR/rootfs f link opt
	cp -a "$ROOTFS" "$r"
	# the image's own files: hidden in the container, unchanged in ROOTFS
	printf '# the image'"'"'s own\n192.0.2.99\timage-only\n' >"$r/etc/hosts"
	printf 'image-name\n' >"$r/etc/hostname"
	for f in hosts hostname; do
		touch -d '2001-02-03 04:05:06' "$r/etc/$f"
		cp -a "$r/etc/$f" "$BATS_TEST_TMPDIR/$f.orig"
		stat -c '%s %Y %i %a' "$r/etc/$f" >"$BATS_TEST_TMPDIR/$f.stat"
	done
	run rb --net none "$CNAME" "$r" /bin/sh -c 'cat /etc/hosts /etc/hostname; timeout 3 resolve image-only'
	assert_failure 2
	assert_equal "$(head -n 4 <<<"$output")" "$(hosts_file "$CNAME" 127.0.1.1; echo "$CNAME")"
	assert_line --index 4 --partial "resolve image-only: "
	[ "${#lines[@]}" = 5 ]
	for f in hosts hostname; do
		cmp "$BATS_TEST_TMPDIR/$f.orig" "$r/etc/$f"
		[ "$(stat -c '%s %Y %i %a' "$r/etc/$f")" = "$(cat "$BATS_TEST_TMPDIR/$f.stat")" ]
	done

	# a link to a host file, absolute or climbing out: never followed, the bind covers
	# the link itself, with either root switch
	local victim=$BATS_TEST_TMPDIR/victim before
	echo 'precious host data' >"$victim"
	touch -d '2001-02-03 04:05:06' "$victim"
	before=$(stat -c '%s %Y %i' "$victim")
	for link in "$victim" "../../../../../../../../../..$victim"; do
		for f in hosts hostname; do
			rm -f "$r/etc/$f"
			ln -s "$link" "$r/etc/$f"
		done
		for opt in --net=none --chroot; do
			run rb "$opt" --net none "$CNAME" "$r" /bin/sh -c 'cat /etc/hosts /etc/hostname'
			echo "$link $opt: $output"
			assert_success
			assert_output "$(hosts_file "$CNAME" 127.0.1.1)
$CNAME"
			[ "$(cat "$victim")" = 'precious host data' ]
			[ "$(stat -c '%s %Y %i' "$victim")" = "$before" ]
			for f in hosts hostname; do
				[ "$(readlink "$r/etc/$f")" = "$link" ]
			done
		done
	done

	# none in ROOTFS: runb makes each an empty file, its mount point, as docker does
	rm -f "$r/etc/hosts" "$r/etc/hostname"
	run rb --net none "$CNAME" "$r" cat /etc/hostname
	assert_success
	assert_output "$CNAME"
	for f in hosts hostname; do
		[ -f "$r/etc/$f" ] && [ ! -L "$r/etc/$f" ] && [ ! -s "$r/etc/$f" ]
	done
}

@test "--add-host: no colon, a bad address, an empty name, a blank or # in the name: one line, 125, nothing made" {
	local bad
	for bad in db 'db:' db:192.0.2 db:example.com ':192.0.2.1' 'a b:192.0.2.1' 'a#b:192.0.2.1'; do
		run rb --net none --add-host "$bad" "$CNAME" "$ROOTFS" true
		echo "$bad: $status $output"
		assert_failure 125
		assert_output "runb: invalid --add-host '$bad': expected NAME:IP"
		[ ! -e "/run/netns/$CNAME" ]
	done
	# control: the same shapes, well formed, run
	run rb --net none --add-host db:192.0.2.1 --add-host db6:2001:db8::1 "$CNAME" "$ROOTFS" true
	assert_success
	assert_output ""
}

# ---------------------------------------------------------------------------
# 2. --init
# ---------------------------------------------------------------------------

@test "--init: runb's init is PID 1 (comm runb), the command PID 2 in a process group of its own; without, the command is PID 1" {
	# shellcheck disable=SC2016
	local probe='echo "1 $(cat /proc/1/comm) pgrp $(cut -d" " -f5 /proc/1/stat)"
		echo "$$ $(cat /proc/$$/comm) pgrp $(cut -d" " -f5 /proc/$$/stat)"'
	run rb --net none --init "$CNAME" "$ROOTFS" /bin/sh -c "$probe"
	assert_success
	assert_output "1 runb pgrp 1
2 sh pgrp 2"
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c "$probe"
	assert_success
	assert_output "1 sh pgrp 1
1 sh pgrp 1"
}

@test "--init reaps orphans; without it the command, PID 1, leaves the orphan a zombie" {
	run rb --net none "$CNAME" "$ROOTFS" reap
	assert_success
	assert_output "pid 1
zombies 1"
	run rb --net none --init "$CNAME" "$ROOTFS" reap
	assert_success
	assert_output "pid 2
zombies 0"
}

# The container's command runs COMM: PID 1 (without --init) or PID 1's child (with).
command_runs() {
	local p=$1 comm=$2 c
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$comm" ] && return 0
	for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$comm" ] && return 0
	done
	return 1
}

@test "--init: SIGTERM to runb ends a command without a handler at once, 143; without --init the stop waits for --stop-timeout" {
	local p t0 ms
	rb_bg --net none --init --stop-timeout 30 "$CNAME" "$ROOTFS" sleep 100
	p=$(container_pid)
	retry 100 0.05 command_runs "$p" sleep
	[ "$(cat "/proc/$p/comm")" = runb ]
	t0=$(date +%s%N)
	kill -TERM "$RB_PID"
	rb_wait
	ms=$(ms_since "$t0")
	echo "--init: status $status after $ms ms"
	[ "$status" = 143 ]
	[ "$ms" -lt 5000 ]
	# control: sleep as PID 1 does not die of SIGTERM; runb kills it after 2 s
	rb_bg --net none --stop-timeout 2 "$CNAME" "$ROOTFS" sleep 100
	p=$(container_pid)
	retry 100 0.05 command_runs "$p" sleep
	t0=$(date +%s%N)
	kill -TERM "$RB_PID"
	rb_wait
	ms=$(ms_since "$t0")
	echo "without: status $status after $ms ms"
	[ "$status" = 143 ]
	[ "$ms" -ge 2000 ]
	[ "$ms" -lt 10000 ]
}

@test "--init: the command's exit status passes through, 3 as 3, killed by signal 9 from inside as 137" {
	run rb --net none --init "$CNAME" "$ROOTFS" /bin/sh -c 'exit 3'
	assert_failure 3
	# shellcheck disable=SC2016
	run rb --net none --init "$CNAME" "$ROOTFS" /bin/sh -c 'kill -9 $$; echo survived'
	assert_failure 137
	assert_output ""
	# control: without --init the shell is PID 1, which the kernel spares its own
	# namespace's SIGKILL: it goes on
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'exit 3'
	assert_failure 3
	# shellcheck disable=SC2016
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'kill -9 $$; echo survived'
	assert_success
	assert_output survived
}

# ---------------------------------------------------------------------------
# 3. Limits
# ---------------------------------------------------------------------------

# /proc/PID/limits on stdin -> "NAME|SOFT|HARD" per limit ("%-25s %-20s %-20s %-10s").
limits_table() {
	awk 'NR > 1 { n = substr($0, 1, 25); s = substr($0, 27, 20); h = substr($0, 48, 20)
		sub(/ +$/, "", n); gsub(/ /, "", s); gsub(/ /, "", h); print n "|" s "|" h }'
}

# Is limit $1 above limit $2 (unlimited above all)?
lim_gt() {
	[ "$1" != "$2" ] || return 1
	[ "$1" = unlimited ] && return 0
	[ "$2" = unlimited ] && return 1
	[ "$1" -gt "$2" ]
}

# The limits runb gives a container, from the caller's (limits_table rows on stdin):
# runb's defaults, where runb lacks CAP_SYS_RESOURCE a hard limit above the caller's
# cut to it (and the soft to that). Rows "NAME=SOFT:HARD" in $OVERRIDE replace one.
expected_limits() {
	local name soft hard s h raise=0 o
	has_cap 24 && raise=1
	while IFS='|' read -r name soft hard; do
		case $name in
		"Max stack size") s=8388608 h=unlimited ;;
		"Max core file size") s=0 h=unlimited ;;
		"Max open files")
			if [ "$(cat /proc/sys/fs/nr_open)" -ge 1048576 ]; then
				s=1048576 h=1048576
			else
				s=$soft h=$hard
			fi
			;;
		"Max locked memory") s=8388608 h=8388608 ;;
		"Max msgqueue size") s=819200 h=819200 ;;
		"Max nice priority" | "Max realtime priority") s=0 h=0 ;;
		"Max pending signals")
			IFS='|' read -r _ s h < <(limits_table </proc/1/limits | grep '^Max pending signals|')
			;;
		*) s=unlimited h=unlimited ;;
		esac
		for o in "${OVERRIDE[@]}"; do
			if [ "${o%%=*}" = "$name" ]; then
				o=${o#*=}
				s=${o%:*} h=${o#*:}
			fi
		done
		if [ "$raise" = 0 ] && lim_gt "$h" "$hard"; then
			h=$hard
			if lim_gt "$s" "$h"; then s=$h; fi
		fi
		echo "$name|$s|$h"
	done
}

@test "limits: every one set explicitly: docker's defaults, a hard one above the caller's cut to it where runb may not raise it" {
	local OVERRIDE=() want
	want=$(limits_table </proc/self/limits | expected_limits)
	run rb --net none "$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_success
	diff -u <(echo "$want") <(limits_table <<<"$output")
	# every resource setrlimit(2) has, no more, no less
	[ "$(wc -l <<<"$want")" = 16 ]
	if has_cap 24; then
		grep -qx 'Max open files|1048576|1048576' <<<"$want"
		grep -qx 'Max processes|unlimited|unlimited' <<<"$want"
	else
		note "no CAP_SYS_RESOURCE here: nofile and nproc are the caller's hard limits"
	fi
}

@test "--umask and --oom-score-adj: the command's own; without them, runb's caller's (as runb inherited them)" {
	local host_oom
	host_oom=$(cat /proc/self/oom_score_adj)
	run rb --net none --umask 027 --oom-score-adj 500 "$CNAME" "$ROOTFS" /bin/sh -c 'umask; cat /proc/self/oom_score_adj'
	assert_success
	assert_output "0027
500"
	run bash -c 'umask 0077; exec "$@"' sh nsenter --net="/run/netns/$NS" "$RUNB" --net none "$CNAME" \
		"$ROOTFS" /bin/sh -c 'umask; cat /proc/self/oom_score_adj'
	assert_success
	assert_output "0077
$host_oom"
}

@test "limits: a caller's lowered soft limits do not reach the container" {
	run rb --net none "$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_success
	local normal
	normal=$(limits_table <<<"$output")
	# shellcheck disable=SC2016
	run nsenter --net="/run/netns/$NS" bash -c '
		# lower OPT to VALUE, or to half the hard limit where that is lower
		lower() {
			local h
			h=$(ulimit -H "$1") || return
			if [ "$h" != unlimited ] && [ "$h" -le "$2" ]; then set -- "$1" $(($h / 2)); fi
			ulimit -S "$1" "$2"
		}
		for l in -n:256 -c:0 -s:1024 -u:1000 -l:64 -q:1000 -i:50 -t:100000 -f:1000000 \
			-d:4000000 -x:1000; do
			lower "${l%:*}" "${l#*:}" || exit 99
		done
		cat /proc/self/limits; echo "##"; exec "$@"' _ "$RUNB" --net none "$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_success
	local wrapper inside
	wrapper=$(sed '/^##$/,$d' <<<"$output" | limits_table)
	inside=$(sed '1,/^##$/d' <<<"$output" | limits_table)
	echo "wrapper: $wrapper"
	# control: the wrapper (runb's caller) had them lowered
	grep -q '^Max open files|256|' <<<"$wrapper"
	grep -q '^Max stack size|1048576|' <<<"$wrapper"
	grep -q '^Max pending signals|50|' <<<"$wrapper"
	grep -q '^Max msgqueue size|1000|' <<<"$wrapper"
	[ "$wrapper" != "$normal" ]
	# the container has the same limits as from a caller that had not
	diff -u <(echo "$normal") <(echo "$inside")
}

@test "--ulimit NAME=SOFT[:HARD] sets that limit, for each name; HARD defaults to SOFT; unlimited or -1 for none" {
	local hard_nproc nproc
	hard_nproc=$(limits_table </proc/self/limits | awk -F'|' '$1 == "Max processes" { print $3 }')
	nproc=50000
	if [ "$hard_nproc" != unlimited ] && [ "$hard_nproc" -lt "$nproc" ]; then nproc=$hard_nproc; fi
	# sudo (disable_coredump) hands its command a core limit of 0:0, which
	# only CAP_SYS_RESOURCE may raise: then -1 is tried on the stack instead
	local hard_core core=-1 core_want=unlimited:unlimited stack=unlimited
	hard_core=$(limits_table </proc/self/limits | awk -F'|' '$1 == "Max core file size" { print $3 }')
	if [ "$hard_core" != unlimited ] && ! has_cap 24; then
		core=$hard_core core_want=$hard_core:$hard_core stack=-1
		note "the caller's hard core limit is $hard_core: --ulimit core=$hard_core instead of -1"
	fi
	local OVERRIDE=(
		"Max address space=1073741824:unlimited"
		"Max core file size=$core_want"
		"Max cpu time=100:100"
		"Max data size=1073741824:unlimited"
		"Max file size=1048576:unlimited"
		"Max file locks=100:200"
		"Max locked memory=65536:65536"
		"Max msgqueue size=1000:2000"
		"Max open files=1024:4096"
		"Max processes=$nproc:$nproc"
		"Max resident set=1048576:1048576"
		"Max realtime timeout=5000:10000"
		"Max pending signals=100:200"
		"Max stack size=unlimited:unlimited"
	)
	run rb --net none --ulimit as=1073741824:unlimited --ulimit core=$core --ulimit cpu=100 \
		--ulimit data=1073741824:-1 --ulimit fsize=1048576:unlimited --ulimit locks=100:200 \
		--ulimit memlock=65536 --ulimit msgqueue=1000:2000 --ulimit nofile=1024:4096 \
		--ulimit nproc=$nproc --ulimit rss=1048576 --ulimit rttime=5000:10000 \
		--ulimit sigpending=100:200 --ulimit stack=$stack \
		"$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_success
	diff -u <(limits_table </proc/self/limits | expected_limits) <(limits_table <<<"$output")
	# the last of one name wins
	run rb --net none --ulimit nofile=100 --ulimit nofile=200:300 "$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_line --regexp '^Max open files +200 +300 +files'
	# nice and rtprio (hard limit 0 by default, the caller's often too): see the next test
}

@test "--ulimit above what runb may set: allowed with CAP_SYS_RESOURCE (the VM), else one line and 125; below, always allowed" {
	# the caller (a shell) lowers its own nofile to 4096, soft and hard
	local wrap='ulimit -n 4096 && exec "$@"' name want
	run nsenter --net="/run/netns/$NS" bash -c "$wrap" _ "$RUNB" --net none --ulimit nofile=8192 \
		"$CNAME" "$ROOTFS" cat /proc/self/limits
	if has_cap 24; then
		assert_success
		assert_line --regexp '^Max open files +8192 +8192 +files'
	else
		assert_failure 125
		assert_output "runb: setrlimit nofile 8192:8192 (--ulimit): Operation not permitted"
	fi
	[ ! -e "/run/netns/$CNAME" ]
	# the default from that caller: 1048576 where runb may raise it, else its 4096
	run nsenter --net="/run/netns/$NS" bash -c "$wrap" _ "$RUNB" --net none "$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_success
	if has_cap 24; then want=1048576; else want=4096; fi
	assert_line --regexp "^Max open files +$want +$want +files"
	# below the caller's hard limit: allowed with or without the capability
	run nsenter --net="/run/netns/$NS" bash -c "$wrap" _ "$RUNB" --net none --ulimit nofile=1000:4096 \
		"$CNAME" "$ROOTFS" cat /proc/self/limits
	assert_success
	assert_line --regexp '^Max open files +1000 +4096 +files'
	# nice and rtprio, one above the caller's hard limit (runb's default is 0)
	local hard
	for name in nice rtprio; do
		case $name in
		nice) hard=$(limits_table </proc/self/limits | awk -F'|' '$1 == "Max nice priority" { print $3 }') ;;
		rtprio) hard=$(limits_table </proc/self/limits | awk -F'|' '$1 == "Max realtime priority" { print $3 }') ;;
		esac
		want=$((hard + 1))
		run rb --net none --ulimit "$name=$want" "$CNAME" "$ROOTFS" cat /proc/self/limits
		if has_cap 24; then
			assert_success
			assert_line --regexp "^Max (nice|realtime) priority +$want +$want *\$"
		else
			assert_failure 125
			assert_output "runb: setrlimit $name $want:$want (--ulimit): Operation not permitted"
		fi
		# at the caller's hard limit: allowed
		run rb --net none --ulimit "$name=$hard" "$CNAME" "$ROOTFS" cat /proc/self/limits
		assert_success
		assert_line --regexp "^Max (nice|realtime) priority +$hard +$hard *\$"
	done
}

@test "--ulimit: an unknown name, soft above hard, a bad number: one line, 125, nothing made" {
	local bad
	local bad why
	for bad in foo=1 NOFILE=1 nofile nofile= nofile=abc nofile=-2 nofile=1:2:3 nofile=2:1 \
		nofile=unlimited:100 nofile=99999999999999999999999; do
		run rb --net none --ulimit "$bad" "$CNAME" "$ROOTFS" true
		echo "$bad: $status $output"
		assert_failure 125
		[ "${#lines[@]}" = 1 ]
		case $bad in
		foo=1) why="unknown limit foo " ;;
		NOFILE=1) why="unknown limit NOFILE " ;;
		nofile) why="expected NAME=SOFT[:HARD]" ;;
		nofile=2:1 | nofile=unlimited:100) why="the soft limit is above the hard one" ;;
		*) why="SOFT and HARD are numbers or unlimited" ;;
		esac
		assert_output --partial "runb: invalid --ulimit '$bad': $why"
		[ ! -e "/run/netns/$CNAME" ]
	done
}

# ---------------------------------------------------------------------------
# 4. Capabilities
# ---------------------------------------------------------------------------

SET_CAPS=0x00000020a80425fb

# capabilities(7), by number
CAP_NAMES=(chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap
	linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner
	sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice
	sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap
	mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf
	checkpoint_restore)

# The container's Prm, Eff and Bnd sets as one line, for runb options "$@".
caps_of() {
	rb --net none "$@" "$CNAME" "$ROOTFS" /bin/sh -c \
		'grep -E "^Cap(Prm|Eff|Bnd):" /proc/self/status | cut -f2 | tr "\n" " "'
}

# A mask as the kernel prints it, three times (Prm Eff Bnd).
caps3() {
	local m
	m=$(printf '%016x' $(($1)))
	echo "$m $m $m "
}

@test "--cap-add/--cap-drop: as docker, SET_CAPS less drops plus adds, by any spelling, ALL" {
	assert_equal "$(caps_of)" "$(caps3 $SET_CAPS)"
	assert_equal "$(caps_of --cap-drop ALL --cap-add NET_ADMIN)" "$(caps3 0x1000)"
	assert_equal "$(caps_of --cap-drop all --cap-add cap_net_admin)" "$(caps3 0x1000)"
	assert_equal "$(caps_of --cap-drop ALL)" "$(caps3 0)"
	local spelling
	for spelling in chown CHOWN CAP_CHOWN cap_Chown; do
		assert_equal "$(caps_of --cap-drop "$spelling")" "$(caps3 "$SET_CAPS & ~1")"
	done
	# CAP_SYS_ADMIN is bit 21, CAP_NET_ADMIN 12, CAP_KILL 5
	assert_equal "$(caps_of --cap-add sys_admin --cap-add CAP_NET_ADMIN --cap-drop Kill)" \
		"$(caps3 "($SET_CAPS | 1 << 21 | 1 << 12) & ~(1 << 5)")"
	# as docker (moby's TweakCapabilities): drops first, then adds, so an add wins;
	# --cap-add ALL wins over --cap-drop ALL, and --cap-drop ALL keeps only the adds
	assert_equal "$(caps_of --cap-add NET_ADMIN --cap-drop NET_ADMIN)" "$(caps3 "$SET_CAPS | 1 << 12")"
	assert_equal "$(caps_of --cap-drop NET_RAW --cap-add NET_RAW)" "$(caps3 $SET_CAPS)"
	# ALL: every capability up to cap_last_cap, which runb can give only when it has
	# them all itself (this sandbox's root lacks CAP_SYS_RESOURCE)
	local last all mine lacking
	last=$(cat /proc/sys/kernel/cap_last_cap)
	all=$(((2 << last) - 1))
	mine=$((16#$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status) & all))
	lacking=$((all & ~mine))
	# ALL is what runb holds itself: all of them where it has all (the VM), else
	# all but those it lacks (this sandbox's root lacks CAP_SYS_RESOURCE); a named
	# --cap-add of one it lacks is refused up front, naming it
	assert_equal "$(caps_of --cap-add ALL)" "$(caps3 $mine)"
	assert_equal "$(caps_of --cap-add all --cap-drop CAP_CHOWN)" "$(caps3 "$mine & ~1")"
	assert_equal "$(caps_of --cap-drop ALL --cap-add ALL)" "$(caps3 $mine)"
	if [ "$lacking" != 0 ]; then
		local i
		for ((i = 0; i <= last; i++)); do
			[ $(((lacking >> i) & 1)) = 1 ] && break
		done
		note "runb lacks capabilities $(printf '%x' $lacking): a named --cap-add ${CAP_NAMES[i]} is refused"
		run rb --net none --cap-add "${CAP_NAMES[i]}" "$CNAME" "$ROOTFS" true
		assert_failure 125
		assert_output "runb: --cap-add ${CAP_NAMES[i]}: runb itself does not hold it, so cannot give it"
	fi
}

@test "--cap-add for a non-root --user: nothing effective or permitted, only the bounding set has it" {
	assert_equal "$(caps_of --user 1000 --cap-add NET_ADMIN)" \
		"0000000000000000 0000000000000000 $(printf '%016x' $((SET_CAPS | 1 << 12))) "
	# control: root gets it
	assert_equal "$(caps_of --cap-add NET_ADMIN)" "$(caps3 "$SET_CAPS | 1 << 12")"
}

@test "--cap-add/--cap-drop: an unknown name is one line naming it, 125, nothing made" {
	local opt bad
	for opt in --cap-add:FOO --cap-add:CAP_FOO --cap-add: --cap-drop:NET-ADMIN --cap-drop:12 \
		--cap-drop:NET_ADMIN,CHOWN; do
		bad=${opt#*:} opt=${opt%%:*}
		run rb --net none "$opt" "$bad" "$CNAME" "$ROOTFS" true
		echo "$opt '$bad': $status $output"
		assert_failure 125
		assert_output "runb: invalid $opt '$bad': not a capability (capabilities(7), e.g. NET_ADMIN or ALL)"
		[ ! -e "/run/netns/$CNAME" ]
	done
}

@test "--cap-drop CHOWN: chown in the container fails; --cap-add NET_ADMIN: setting lo's MTU to its own value works; both controls" {
	# a file on the container's own /dev tmpfs, gone with it
	# shellcheck disable=SC2016
	local chown='touch /dev/x && chown 1 /dev/x; echo "chown $? $(stat -c %u /dev/x)"'
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c "$chown"
	assert_success
	assert_output "chown 0 1"
	run rb --net none --cap-drop CHOWN "$CNAME" "$ROOTFS" /bin/sh -c "$chown"
	assert_success
	assert_line --index 0 "chown: /dev/x: Operation not permitted"
	assert_line --index 1 "chown 1 0"
	# shellcheck disable=SC2016
	local mtu='m=$(cat /sys/class/net/lo/mtu); ip link set lo mtu "$m"; echo "mtu $? $(cat /sys/class/net/lo/mtu) was $m"'
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c "$mtu"
	assert_success
	assert_line --index 0 "ip: SIOCSIFMTU: Operation not permitted"
	[[ "${lines[1]}" =~ ^mtu\ [1-9][0-9]*\ ([0-9]+)\ was\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	run rb --net none --cap-add NET_ADMIN "$CNAME" "$ROOTFS" /bin/sh -c "$mtu"
	assert_success
	[[ "$output" =~ ^mtu\ 0\ ([0-9]+)\ was\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

# ---------------------------------------------------------------------------
# 5. Signals
# ---------------------------------------------------------------------------

@test "signals: none ignored or blocked in the container, though runb's caller ignored SIGINT and SIGQUIT" {
	local wrap="trap '' INT QUIT; grep -E '^Sig(Blk|Ign):' /proc/self/status; exec \"\$@\""
	local init
	for init in "" --init; do
		run nsenter --net="/run/netns/$NS" bash -c "$wrap" _ "$RUNB" --net none $init "$CNAME" "$ROOTFS" \
			grep -E '^Sig(Blk|Ign):' /proc/self/status
		assert_success
		echo "$init: $output"
		# control: the wrapper's own grep inherits the ignored SIGINT (2) and SIGQUIT (3)
		[[ "${lines[1]}" =~ ^SigIgn:[[:space:]]+([0-9a-f]+)$ ]]
		[ $(((16#${BASH_REMATCH[1]} >> 1) & 3)) = 3 ]
		assert_line --index 2 "SigBlk:	0000000000000000"
		assert_line --index 3 "SigIgn:	0000000000000000"
	done
	# control for the mask: runb itself blocks signals while the container runs, and the
	# container's process has none blocked, none ignored
	nsenter --net="/run/netns/$NS" bash -c "trap '' INT QUIT; exec \"\$@\"" _ \
		"$RUNB" --net none --init "$CNAME" "$ROOTFS" sleep 100 3>&- &
	RB_PID=$!
	local p c
	retry 100 0.05 test -e "/run/netns/$CNAME"
	p=$(container_pid)
	retry 100 0.05 command_runs "$p" sleep
	c=$(awk '{ print $1 }' "/proc/$p/task/$p/children")
	grep -E '^Sig(Blk|Ign):' "/proc/$RB_PID/status" "/proc/$c/status"
	[ "$(sed -n 's/^SigBlk:\t//p' "/proc/$RB_PID/status")" != 0000000000000000 ]
	[ "$(sed -n 's/^SigIgn:\t//p' "/proc/$RB_PID/status")" != 0000000000000000 ]
	[ "$(sed -n 's/^SigBlk:\t//p' "/proc/$c/status")" = 0000000000000000 ]
	[ "$(sed -n 's/^SigIgn:\t//p' "/proc/$c/status")" = 0000000000000000 ]
	# and the init's own SIGINT, ignored as runb's was, still takes the forward: 128+2
	kill -INT "$RB_PID"
	rb_wait
	[ "$status" = 130 ]
}

# ---------------------------------------------------------------------------
# 6. --security-opt
# ---------------------------------------------------------------------------

# A rootfs copy holding /tmp/suid/euid setuid-root, on a mount without nosuid (the
# VM's /tmp is nosuid: then a copy in /var/tmp). Sets SUID_ROOT; SUID_TMP to remove.
suid_rootfs() {
	SUID_ROOT=$ROOTFS SUID_TMP=
	if has_opt "$(findmnt -n -o OPTIONS -T "$ROOTFS")" nosuid; then
		SUID_TMP=$(mktemp -d /var/tmp/runb-docker-compat.XXXXXX)
		SUID_ROOT=$SUID_TMP/rootfs
		cp -a "$ROOTFS" "$SUID_ROOT"
	fi
	# no file system for it would be a failure, not a skip
	! has_opt "$(findmnt -n -o OPTIONS -T "$SUID_ROOT")" nosuid
	mkdir -p "$SUID_ROOT/tmp/suid"
	install -m 4755 -o 0 -g 0 "$TOP/test/euid" "$SUID_ROOT/tmp/suid/euid"
}
suid_rootfs_remove() {
	rm -rf "$SUID_ROOT/tmp/suid"
	[ -z "$SUID_TMP" ] || rm -rf "$SUID_TMP"
}

# shellcheck disable=SC2016
NNP_PROBE='grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; /tmp/suid/euid
	sysc | grep -E "^(keyctl|bpf) "; awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo'

@test "--security-opt no-new-privileges=false: no_new_privs off, the seccomp filter still on, a setuid-root binary gives euid 0" {
	suid_rootfs
	run rb --net none --user 1000 --security-opt no-new-privileges=false "$CNAME" "$SUID_ROOT" /bin/sh -c "$NNP_PROBE"
	local off=("$status" "${lines[@]}")
	# control: the default, no_new_privs on
	run rb --net none --user 1000 "$CNAME" "$SUID_ROOT" /bin/sh -c "$NNP_PROBE"
	local on=("$status" "${lines[@]}")
	suid_rootfs_remove
	printf 'off: %s\n' "${off[@]}"
	printf 'on: %s\n' "${on[@]}"
	assert_equal "${off[*]:0:6}" "0 NoNewPrivs:	0 Seccomp:	2 uid 1000 euid 0 keyctl EPERM bpf EPERM"
	assert_equal "${on[*]:0:6}" "0 NoNewPrivs:	1 Seccomp:	2 uid 1000 euid 1000 keyctl EPERM bpf EPERM"
	# the container's / is not nosuid: only no_new_privs made the difference
	[ -n "${off[6]}" ]
	! has_opt "${off[6]}" nosuid
}

@test "--security-opt no-new-privileges, =true, :true keep it on (the last one wins); seccomp=unconfined removes the filter; a bad value is 125" {
	suid_rootfs
	local opts o res=()
	for opts in "no-new-privileges" "no-new-privileges=true" "no-new-privileges:true" \
		"no-new-privileges=false no-new-privileges=true" "no-new-privileges=true no-new-privileges:false" \
		"seccomp=unconfined" "seccomp:unconfined no-new-privileges=false"; do
		local args=()
		for o in $opts; do args+=(--security-opt "$o"); done
		run rb --net none --user 1000 "${args[@]}" "$CNAME" "$SUID_ROOT" /bin/sh -c "$NNP_PROBE"
		res+=("$opts: $status ${lines[*]:0:3}")
	done
	suid_rootfs_remove
	printf '%s\n' "${res[@]}"
	assert_equal "${res[0]}" "no-new-privileges: 0 NoNewPrivs:	1 Seccomp:	2 uid 1000 euid 1000"
	assert_equal "${res[1]}" "no-new-privileges=true: 0 NoNewPrivs:	1 Seccomp:	2 uid 1000 euid 1000"
	assert_equal "${res[2]}" "no-new-privileges:true: 0 NoNewPrivs:	1 Seccomp:	2 uid 1000 euid 1000"
	assert_equal "${res[3]}" "no-new-privileges=false no-new-privileges=true: 0 NoNewPrivs:	1 Seccomp:	2 uid 1000 euid 1000"
	assert_equal "${res[4]}" "no-new-privileges=true no-new-privileges:false: 0 NoNewPrivs:	0 Seccomp:	2 uid 1000 euid 0"
	assert_equal "${res[5]}" "seccomp=unconfined: 0 NoNewPrivs:	1 Seccomp:	0 uid 1000 euid 1000"
	assert_equal "${res[6]}" "seccomp:unconfined no-new-privileges=false: 0 NoNewPrivs:	0 Seccomp:	0 uid 1000 euid 0"
	# unconfined: the probes get the kernel's answers, not the filter's EPERM
	run rb --net none --security-opt seccomp=unconfined "$CNAME" "$ROOTFS" sysc
	refute_line "keyctl EPERM"
	refute_line "bpf EPERM"
	local bad
	for bad in bogus no-new-privileges=maybe seccomp=default ''; do
		run rb --net none --security-opt "$bad" "$CNAME" "$ROOTFS" true
		echo "'$bad': $status $output"
		assert_failure 125
		assert_output "runb: invalid --security-opt '$bad': expected no-new-privileges=true|false or seccomp=unconfined"
		[ ! -e "/run/netns/$CNAME" ]
	done
}

@test "--env-file: a -e per line (KEY=VALUE, KEY from the caller), blank and # lines skipped, -e after it wins; a missing file is 125" {
	local f=$BATS_TEST_TMPDIR/env
	printf '# a comment\n\nFROM_FILE=one two\nCRLF=yes\r\nPASSED\nOVER=file\n' >"$f"
	PASSED=from-caller run rb --net none --env-file "$f" -e OVER=flag "$CNAME" "$ROOTFS" env
	assert_success
	assert_line "FROM_FILE=one two"
	assert_line "CRLF=yes"
	assert_line "PASSED=from-caller"
	assert_line "OVER=flag"
	refute_line --partial "comment"
	run rb --net none --env-file "$BATS_TEST_TMPDIR/nosuch" "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --env-file $BATS_TEST_TMPDIR/nosuch: No such file or directory"
}

@test "--user NAME[:GROUP]: looked up in ROOTFS's /etc/passwd and /etc/group, with the user's groups and HOME, as docker; exec --user too" {
	local r
	r=$(rootfs_copy users)
	echo 'pg:x:1001:1002:postgres:/var/lib/pg:/bin/sh' >>"$r/etc/passwd"
	printf 'pgroup:x:1002:\nextra:x:1500:other,pg\nnotpg:x:1600:pgx\n' >>"$r/etc/group"
	run rb --net none --user pg "$CNAME" "$r" /bin/sh -c 'echo $(id -u):$(id -g):$(id -G):$HOME'
	assert_success
	assert_output "1001:1002:1002 1500:/var/lib/pg"
	run rb --net none --user pg:extra "$CNAME" "$r" /bin/sh -c 'echo $(id -u):$(id -g)'
	assert_output "1001:1500"
	# a number found there takes its group and HOME; -e HOME wins
	run rb --net none --user 1001 -e HOME=/h "$CNAME" "$r" /bin/sh -c 'echo $(id -u):$(id -g):$HOME'
	assert_output "1001:1002:/h"
	# one not there: group 0 and HOME /, as before
	run rb --net none --user 4321 "$CNAME" "$r" /bin/sh -c 'echo $(id -u):$(id -g):$HOME'
	assert_output "4321:0:/"
	run rb --net none --user nosuch "$CNAME" "$r" true
	[ "$status" = 125 ]
	assert_output "runb: --user nosuch: no such user in ROOTFS's /etc/passwd"
	run rb --net none --user pg:nosuchgroup "$CNAME" "$r" true
	[ "$status" = 125 ]
	assert_output "runb: --user pg:nosuchgroup: no such group in ROOTFS's /etc/group"
	# exec --user NAME: from the container's own files
	CNAME=$CNAME rb_bg --net none "$CNAME" "$r" sleep 30
	retry 201 0.05 test -n "$(container_pid)"
	sleep 0.2
	run timeout 20 nsenter --net="/run/netns/$NS" "$RUNB" exec --user pg "$CNAME" /bin/sh -c 'echo $(id -u):$(id -g):$(id -G)'
	assert_output "1001:1002:1002 1500"
	rbt kill "$CNAME" >/dev/null  # sleep as PID 1 ignores SIGTERM: no 10 s stop timeout
	rb_wait || true
}

@test "--user NAME with an /etc/passwd that is a FIFO: refused with one line, never waited on" {
	local r
	r=$(rootfs_copy fifo)
	rm "$r/etc/passwd"
	mkfifo "$r/etc/passwd"
	run timeout 20 nsenter --net="/run/netns/$NS" "$RUNB" --net none --user pg "$CNAME" "$r" true
	[ "$status" = 125 ]
	assert_output "runb: /etc/passwd in the container's root is not a regular file of its own"
}

@test "--user against a hostile /etc/passwd: a link to /proc, a uid out of range, an over-long line are no user" {
	local r
	r=$(rootfs_copy hostile)
	printf 'big:x:4294967296:0::/:/bin/sh\nabc:x:abc:0::/:/bin/sh\n%s\n' \
		"$(printf 'p%.0s' $(seq 1100)):x:0:0::/:/bin/sh" >>"$r/etc/passwd"
	printf 'fake0:x:0:0::/:/bin/sh\n' >"$BATS_TEST_TMPDIR/tail"
	local u
	for u in big abc fake0; do
		run rb --net none --user "$u" "$CNAME" "$r" true
		[ "$status" = 125 ]
		assert_output "runb: --user $u: no such user in ROOTFS's /etc/passwd"
	done
	# a link to /proc: inside a running container /proc is there, and runb exec --user,
	# which looks the name up from inside, refuses it
	rm "$r/etc/passwd"
	ln -s /proc/1/status "$r/etc/passwd"
	CNAME=$CNAME rb_bg --net none "$CNAME" "$r" sleep 30
	retry 201 0.05 test -n "$(container_pid)"
	sleep 0.2
	run timeout 20 nsenter --net="/run/netns/$NS" "$RUNB" exec --user pg "$CNAME" true
	[ "$status" = 125 ]
	assert_output "runb: /etc/passwd in the container's root is not a regular file of its own"
	rbt kill "$CNAME" >/dev/null  # sleep as PID 1 ignores SIGTERM: no 10 s stop timeout
	rb_wait || true
}
