#!/usr/bin/env bats
# cgroups (issue 3): --pids, --memory and --cpus limit the container, its
# cgroup is its cgroup namespace's root, /sys/fs/cgroup inside shows it
# read-only (issue 12), the cgroup directories exist while it runs and are
# gone after, bad values are refused, a crashed run's cgroups are swept. Every check has a cgroup v1 (or hybrid) branch and a
# cgroup v2 (unified) branch: the same file runs on both kinds of machine.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# The container's cgroup directories as runb should make them.
cg_dirs() {
	if cg_v2; then
		echo "/sys/fs/cgroup/runb/$CNAME"
	else
		echo "/sys/fs/cgroup/cpu/runb/$CNAME"
		echo "/sys/fs/cgroup/memory/runb/$CNAME"
		echo "/sys/fs/cgroup/pids/runb/$CNAME"
	fi
}

# The directory of CTRL's cgroup (v1), or of the cgroup (v2, CTRL ignored),
# that PID is in, as the host sees it in /proc/PID/cgroup.
cg_dir_of() {
	local pid=$1 ctrl=$2 rel
	if cg_v2; then
		rel=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup$rel"
	else
		rel=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
		[ -n "$rel" ] && echo "/sys/fs/cgroup/$ctrl$rel"
	fi
}

# While the container runs: each of its cgroup directories exists.
assert_cg_exists() {
	local d
	for d in $(cg_dirs); do
		[ -d "$d" ] || fail "cgroup $d does not exist while the container runs"
	done
}

# After the container: no runb/NAME cgroup left in any hierarchy.
assert_cg_gone() {
	local d
	for d in /sys/fs/cgroup/runb/"$CNAME" /sys/fs/cgroup/*/runb/"$CNAME"; do
		[ ! -e "$d" ] || fail "cgroup $d is left after the container"
	done
}

# The kernel's count of OOM kills since boot (all cgroups).
oom_kills() {
	awk '$1 == "oom_kill" { print $2 }' /proc/vmstat
}

@test "--pids 10: the container cannot have more than 10 processes" {
	local out=$BATS_TEST_TMPDIR/out n
	# Without a limit, the 20 background sleeps all start.
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'for i in $(seq 20); do sleep 5 & echo started; done'
	assert_success
	[ "$(grep -cx started <<<"$output")" = 20 ]
	refute_output --partial "can't fork"

	# With --pids 10: a subshell starts them until fork(2) fails, which ends
	# the subshell (busybox sh: "can't fork"); PID 1 (sh, then sleep by exec)
	# stays, so the count can be read from the host while the container runs.
	rb_bg --pids 10 --net none "$CNAME" "$ROOTFS" /bin/sh -c \
		'(for i in $(seq 20); do sleep 5 & echo started; done); echo loop-ended; exec sleep 30' \
		>"$out" 2>&1
	retry 200 0.05 grep -qsx loop-ended "$out" || fail "no line loop-ended in 10 s: $(cat "$out")"
	cat "$out"
	grep -q "can't fork" "$out"
	n=$(grep -cx started "$out")
	echo "started: $n"
	# PID 1 and the subshell count too: at most 8 sleeps, and surely not 20
	[ "$n" -lt 20 ]
	[ "$n" -le 10 ]
	[ "$n" -le 8 ]
	[ "$n" -ge 1 ]
	assert_cg_exists
	local dir
	dir=$(cg_dir_of "$(container_pid)" pids)
	[ "$dir" = "$(cg_dirs | grep -m1 -e /pids/ -e "^/sys/fs/cgroup/runb/")" ]
	[ "$(cat "$dir/pids.max")" = 10 ]
	[ "$(cat "$dir/pids.current")" -le 10 ]
	kill -KILL "$(container_pid)"
	rb_wait
	[ "$status" = 137 ]
	assert_cg_gone
}

@test "--memory 32m: 64 MiB is OOM-killed (137), 4 MiB is fine" {
	local before after out=$BATS_TEST_TMPDIR/out
	# dd reads 64 MiB of /dev/zero into its one 64 MiB buffer: every page
	# touched, charged to the container's memory cgroup. No swap on top.
	before=$(oom_kills)
	run rb -m 32m --net none "$CNAME" "$ROOTFS" dd if=/dev/zero of=/dev/null bs=64M count=1
	after=$(oom_kills)
	echo "$output"
	echo "oom_kill: $before -> $after"
	[ "$status" = 137 ]
	# the SIGKILL was the kernel's OOM killer's
	[ "$after" -gt "$before" ]
	assert_cg_gone

	run rb -m 32m --net none "$CNAME" "$ROOTFS" dd if=/dev/zero of=/dev/null bs=4M count=1
	assert_success
	assert_output --partial '1+0 records out'
	assert_cg_gone

	# the 4 MiB are charged to the container's cgroup, whose limit is 32 MiB
	rb_bg -m 32m --net none "$CNAME" "$ROOTFS" /bin/sh -c \
		'dd if=/dev/zero of=/dev/null bs=4M count=1 2>/dev/null && echo dd-ok; exec sleep 30' >"$out" 2>&1
	retry 200 0.05 grep -qsx dd-ok "$out" || fail "no line dd-ok in 10 s: $(cat "$out")"
	assert_cg_exists
	local dir peak
	dir=$(cg_dir_of "$(container_pid)" memory)
	if cg_v2; then
		[ "$dir" = "/sys/fs/cgroup/runb/$CNAME" ]
		[ "$(cat "$dir/memory.max")" = 33554432 ]
		peak=$(cat "$dir/memory.peak")
	else
		[ "$dir" = "/sys/fs/cgroup/memory/runb/$CNAME" ]
		[ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ]
		peak=$(cat "$dir/memory.max_usage_in_bytes")
	fi
	echo "peak: $peak"
	[ "$peak" -ge 4194304 ]
	[ "$peak" -le 33554432 ]
	kill -KILL "$(container_pid)"
	rb_wait
	[ "$status" = 137 ]
	assert_cg_gone
}

@test "--cpus 0.5 -m 64m --pids 50: the limits in the container's cgroup, seen from the host" {
	rb_bg --cpus 0.5 -m 64m --pids 50 --net none "$CNAME" "$ROOTFS" sleep 30
	local pid
	pid=$(container_pid)
	cat "/proc/$pid/cgroup"
	assert_cg_exists
	if cg_v2; then
		local dir
		dir=$(cg_dir_of "$pid")
		[ "$dir" = "/sys/fs/cgroup/runb/$CNAME" ]
		[ "$(cat "$dir/cpu.max")" = "50000 100000" ]
		[ "$(cat "$dir/memory.max")" = 67108864 ]
		[ "$(cat "$dir/pids.max")" = 50 ]
		grep -qx "$pid" "$dir/cgroup.procs"
	else
		local cpu mem pids
		cpu=$(cg_dir_of "$pid" cpu)
		mem=$(cg_dir_of "$pid" memory)
		pids=$(cg_dir_of "$pid" pids)
		[ "$cpu" = "/sys/fs/cgroup/cpu/runb/$CNAME" ]
		[ "$mem" = "/sys/fs/cgroup/memory/runb/$CNAME" ]
		[ "$pids" = "/sys/fs/cgroup/pids/runb/$CNAME" ]
		[ "$(cat "$cpu/cpu.cfs_quota_us")" = 50000 ]
		[ "$(cat "$cpu/cpu.cfs_period_us")" = 100000 ]
		[ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
		[ "$(cat "$pids/pids.max")" = 50 ]
		grep -qx "$pid" "$cpu/cgroup.procs"
		grep -qx "$pid" "$mem/cgroup.procs"
		grep -qx "$pid" "$pids/cgroup.procs"
	fi
	kill -KILL "$pid"
	rb_wait
	[ "$status" = 137 ]
	assert_cg_gone
}

@test "without limits (--pids 0: not even the default) the cgroup is made too, with no limit in it" {
	rb_bg --pids 0 --net none "$CNAME" "$ROOTFS" sleep 30
	local pid
	pid=$(container_pid)
	assert_cg_exists
	if cg_v2; then
		[ "$(cat "/sys/fs/cgroup/runb/$CNAME/cpu.max")" = "max 100000" ]
		[ "$(cat "/sys/fs/cgroup/runb/$CNAME/memory.max")" = max ]
		[ "$(cat "/sys/fs/cgroup/runb/$CNAME/pids.max")" = max ]
	else
		[ "$(cat "/sys/fs/cgroup/cpu/runb/$CNAME/cpu.cfs_quota_us")" = -1 ]
		[ "$(cat "/sys/fs/cgroup/pids/runb/$CNAME/pids.max")" = max ]
		# v1's "no limit" is the largest page-aligned value
		[ "$(cat "/sys/fs/cgroup/memory/runb/$CNAME/memory.limit_in_bytes")" -gt $((1 << 40)) ]
	fi
	kill -KILL "$pid"
	rb_wait
	[ "$status" = 137 ]
	assert_cg_gone
}

@test "inside, every line of /proc/self/cgroup ends in :/" {
	run rb --net none "$CNAME" "$ROOTFS" cat /proc/self/cgroup
	assert_success
	[ "${#lines[@]}" -ge 1 ]
	refute_line --regexp ':/.+$'
	local l
	for l in "${lines[@]}"; do
		[[ $l == *:/ ]] || fail "not the namespace's root: $l"
	done
	if cg_v2; then
		assert_output '0::/'
	else
		# the hierarchies runb uses are there, at their roots
		assert_line --regexp '^[0-9]+:([a-z,]*,)?cpu(,[a-z,]*)?:/$'
		assert_line --regexp '^[0-9]+:([a-z,]*,)?memory(,[a-z,]*)?:/$'
		assert_line --regexp '^[0-9]+:([a-z,]*,)?pids(,[a-z,]*)?:/$'
	fi
	assert_cg_gone
}

# /sys/fs/cgroup inside: the container's cgroup, read-only, at its namespace's root

# The limit files: inside (relative to /sys/fs/cgroup), and the container's on the host.
cg_files() {
	if cg_v2; then
		echo memory.max pids.max cpu.max
	else
		echo memory/memory.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us
	fi
}
cg_host_file() {
	if cg_v2; then
		echo "/sys/fs/cgroup/runb/$CNAME/$1"
	else
		echo "/sys/fs/cgroup/${1%%/*}/runb/$CNAME/${1#*/}"
	fi
}

# In the container (the files as arguments): "FILE: VALUE" for each, then a write
# of the very value back (harmless had it worked), and a new cgroup (removed at once
# had it been made).
# shellcheck disable=SC2016
CG_PROBE='
	for f; do echo "$f: $(cat "/sys/fs/cgroup/$f")"; done
	for f; do
		v=$(cat "/sys/fs/cgroup/$f")
		echo "$v" > "/sys/fs/cgroup/$f" && echo "WRITTEN $f"
	done
	for d in /sys/fs/cgroup "/sys/fs/cgroup/${1%/*}"; do
		[ -d "$d" ] && mkdir "$d/probe" && rmdir "$d/probe" && echo "MADE $d/probe"
	done
	true'

@test "/sys/fs/cgroup inside: -m 64m --pids 50 --cpus 0.5 read there as on the host's runb/NAME, read-only" {
	local out=$BATS_TEST_TMPDIR/out go=$ROOTFS/tmp/.go-$CNAME f files
	read -ra files <<<"$(cg_files)"
	# the container answers, then waits (5 s at most) for the host to have looked
	rb_bg --net none -m 64m --pids 50 --cpus 0.5 "$CNAME" "$ROOTFS" /bin/sh -c "$CG_PROBE"'
		echo READY
		for i in $(seq 100); do [ -e "/tmp/.go-$(hostname)" ] && break; sleep 0.05; done' \
		sh "${files[@]}" >"$out" 2>&1
	retry 100 0.05 grep -qx READY "$out"
	local host=()
	for f in "${files[@]}"; do
		host+=("$f: $(cat "$(cg_host_file "$f")")")
	done
	touch "$go"
	rb_wait
	rm -f "$go"
	cat "$out"
	printf 'host: %s\n' "${host[@]}"
	[ "$status" = 0 ]
	if cg_v2; then
		assert_equal "${host[*]}" "memory.max: 67108864 pids.max: 50 cpu.max: 50000 100000"
	else
		assert_equal "${host[*]}" "memory/memory.limit_in_bytes: 67108864 pids/pids.max: 50 cpu/cpu.cfs_quota_us: 50000"
	fi
	# the container reads the host's values for its cgroup
	assert_equal "$(head -n 3 "$out")" "$(printf '%s\n' "${host[@]}")"
	# and cannot write them, nor make a cgroup
	run cat "$out"
	refute_output --partial WRITTEN
	refute_output --partial MADE
	# 3 writes, and a mkdir in /sys/fs/cgroup (v1: and in memory/), all refused so
	local refused=5
	if cg_v2; then refused=4; fi
	[ "$(grep -c 'Read-only file system' "$out")" = "$refused" ]
}

@test "/sys/fs/cgroup inside, without limits (--pids unlimited): max, unlimited; control: --pids 7 reads 7" {
	local files
	read -ra files <<<"$(cg_files)"
	run rb --pids unlimited --net none "$CNAME" "$ROOTFS" /bin/sh -c "$CG_PROBE" sh "${files[@]}"
	assert_success
	if cg_v2; then
		assert_line --index 0 "memory.max: max"
		assert_line --index 1 "pids.max: max"
		assert_line --index 2 "cpu.max: max 100000"
	else
		# memory: the page-rounded "no limit", above a TiB
		[[ "${lines[0]}" =~ ^memory/memory.limit_in_bytes:\ ([0-9]+)$ ]]
		[ "${BASH_REMATCH[1]}" -gt $((1 << 40)) ]
		assert_line --index 1 "pids/pids.max: max"
		assert_line --index 2 "cpu/cpu.cfs_quota_us: -1"
	fi
	refute_output --partial WRITTEN
	refute_output --partial MADE
	# control: the same file reads a limit once the container has one
	run rb --net none --pids 7 "$CNAME" "$ROOTFS" /bin/sh -c "$CG_PROBE" sh "${files[@]}"
	assert_line --index 1 --regexp '^pids(/pids)?\.max: 7$'
}

@test "/sys/fs/cgroup inside: v2 one read-only cgroup2 at the namespace's root; v1 a read-only tmpfs of each hierarchy runb joined, read-only, a link per controller of a shared one" {
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /proc/self/cgroup; echo "## mounts"; cat /proc/self/mountinfo; echo "## ls"
		for e in /sys/fs/cgroup/*; do
			if [ -L "$e" ]; then echo "${e##*/} -> $(readlink "$e")"; else echo "${e##*/}"; fi
		done'
	assert_success
	local cgroups mounts listing m
	cgroups=$(sed '/^## mounts$/,$d' <<<"$output")
	mounts=$(sed -n '/^## mounts$/,/^## ls$/p' <<<"$output" | sed '1d;$d' |
		awk '{ for (i = 7; $i != "-"; i++); print $5, $4, $6, $(i+1), $(i+2) }')
	listing=$(sed '1,/^## ls$/d' <<<"$output")
	# MOUNTPOINT ROOT OPTS FSTYPE SOURCE of the mount at $1
	m=$(awk '$1 == "/sys/fs/cgroup"' <<<"$mounts")
	echo "/sys/fs/cgroup: $m"
	[ "$(wc -l <<<"$m")" = 1 ]
	has_opt "$(cut -d' ' -f3 <<<"$m")" ro
	if cg_v2; then
		assert_equal "$cgroups" "0::/"
		assert_equal "$(cut -d' ' -f2,4 <<<"$m")" "/ cgroup2"
		# a cgroup below the hierarchy's root: the root has no memory.max, pids.max, cpu.max
		# (control: the host's root has none)
		[ ! -e /sys/fs/cgroup/memory.max ]
		grep -qx memory.max <<<"$listing"
		grep -qx pids.max <<<"$listing"
		grep -qx cpu.max <<<"$listing"
		[ -z "$(awk '$1 ~ "^/sys/fs/cgroup/"' <<<"$mounts")" ]
	else
		[ "$(cut -d' ' -f4 <<<"$m")" = tmpfs ]
		# each hierarchy of cpu, memory, pids, devices, as /proc/self/cgroup names it:
		# a read-only cgroup mount at the container's cgroup (the namespace's root)
		local want=() ctrls path c line
		while IFS=: read -r _ ctrls path; do
			case ",$ctrls," in *,cpu,* | *,memory,* | *,pids,* | *,devices,*) ;; *) continue ;; esac
			[ "$path" = / ]
			want+=("$ctrls")
			m=$(awk -v p="/sys/fs/cgroup/$ctrls" '$1 == p' <<<"$mounts")
			echo "$ctrls: $m"
			[ "$(wc -l <<<"$m")" = 1 ]
			[ "$(cut -d' ' -f2,4 <<<"$m")" = "/ cgroup" ]
			has_opt "$(cut -d' ' -f3 <<<"$m")" ro
			if [[ $ctrls == *,* ]]; then
				for c in ${ctrls//,/ }; do
					want+=("$c -> $ctrls")
				done
			fi
		done <<<"$cgroups"
		# cpu, memory, pids and devices are there (a directory or a link), and nothing else
		for c in cpu memory pids devices; do
			printf '%s\n' "${want[@]}" | grep -Eq "^$c( -> .*)?\$"
		done
		assert_equal "$(LC_ALL=C sort <<<"$listing")" "$(printf '%s\n' "${want[@]}" | LC_ALL=C sort)"
		for line in "${want[@]}"; do
			[[ $line == *" -> "* ]] && note "v1 link proven: $line"
		done
		true
	fi
}

@test "invalid --memory, --cpus, --pids: 125, one line naming the option, nothing made" {
	local opt val want
	while read -r opt val want; do
		run rb "$opt" "$val" --net none "$CNAME" "$ROOTFS" true
		echo "$opt $val -> $status: $output"
		[ "$status" = 125 ]
		[ "${#lines[@]}" = 1 ]
		assert_output --regexp "^runb: .*$want"
		[ ! -e "/run/runb/$CNAME.lock" ]
		[ ! -e "/run/netns/$CNAME" ]
		assert_cg_gone
	done <<-'CASES'
	-m 0 --memory
	-m abc --memory
	-m 12x --memory
	--memory 1k --memory
	--cpus 0 --cpus
	--cpus -1 --cpus
	--cpus abc --cpus
	--cpus 0.000001 --cpus
	--pids x --pids
	--pids 4194305 --pids
	--pids -5 --pids
	CASES
	# the smallest values each option accepts do run
	run rb -m 1m --cpus 0.01 --pids 1 --net none "$CNAME" "$ROOTFS" true
	assert_success
	assert_cg_gone
}

# runb succeeds although its first mkdir of DIR fails with ENOENT, as when
# another runb removed the shared parent just then (strace fault injection).
mkdir_vanishes() {
	run nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null \
		-P "$1" -e trace=mkdir -e inject=mkdir:error=ENOENT:when=1 \
		"$RUNB" --net none "$CNAME" "$ROOTFS" true
	echo "$output"
	assert_success
}

# A crashed run of NAME, made by hand: a lock file nobody holds, and the
# cgroup directories.
fake_crashed_run() {
	mkdir -p /run/runb
	: >"/run/runb/$CNAME.lock"
	local d
	for d in $(cg_dirs); do
		mkdir -p "$d"
	done
}

@test "a crashed run's leftover cgroup of the same NAME is removed" {
	fake_crashed_run
	assert_cg_exists
	run rb --net none "$CNAME" "$ROOTFS" true
	assert_success
	assert_cg_gone
	[ ! -e "/run/runb/$CNAME.lock" ]
	# (and the teardown checks the host is as before the crash)
}

@test "a crashed run's leftover cgroup still holding a process is emptied and removed" {
	local d
	fake_crashed_run
	sleep 60 &
	local left=$!
	for d in $(cg_dirs); do
		echo "$left" >"$d/cgroup.procs"
	done
	run rb --net none "$CNAME" "$ROOTFS" true
	# gather, then clean up by hand whatever runb did not, then judge
	local rc=$status out=$output alive=no gone=yes
	kill -0 "$left" 2>/dev/null && alive=yes
	for d in $(cg_dirs); do
		[ -e "$d" ] && gone=no
	done
	kill -KILL "$left" 2>/dev/null || true
	wait "$left" || true
	for d in $(cg_dirs); do
		rmdir "$d" 2>/dev/null || true
		rmdir "${d%/*}" 2>/dev/null || true
	done
	rm -f "/run/runb/$CNAME.lock"
	echo "runb: $rc: $out; left process alive: $alive; cgroups gone: $gone"
	[ "$rc" = 0 ]
	[ "$alive" = no ]
	[ "$gone" = yes ]
}

@test "a parent cgroup removed under runb (another runb's teardown) is retried, not fatal" {
	command -v strace >/dev/null || skip "needs strace for fault injection"
	# Another runb's teardown removes the shared runb/ parent when it is empty,
	# so mkdir of runb/NAME can fail with ENOENT; runb then makes the parent
	# again and retries. strace injects that ENOENT: on v1 into the second
	# hierarchy (after runb/NAME was made in the first), on v2 into the one
	# mkdir and then into reading the recreated parent's cgroup.controllers.
	if cg_v2; then
		mkdir_vanishes "/sys/fs/cgroup/runb/$CNAME"
		assert_cg_gone
		local had_parent leaked rc out err
		# ENOENT: the parent is gone; ENODEV: its rmdir is under way (seen with 4
		# runb starting and ending at once)
		for err in ENOENT ENODEV; do
			had_parent=no leaked=no
			[ -d /sys/fs/cgroup/runb ] && had_parent=yes
			run nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null \
				-P /sys/fs/cgroup/runb/cgroup.controllers -e trace=open,openat \
				-e inject=open,openat:error=$err:when=1 \
				"$RUNB" --net none "$CNAME" "$ROOTFS" true
			rc=$status out=$output
			# gather; remove a parent runb made and left (lest the next test
			# trip on it); then judge
			if [ "$had_parent" = no ] && [ -d /sys/fs/cgroup/runb ]; then
				leaked=yes
				rmdir /sys/fs/cgroup/runb 2>/dev/null || true
			fi
			echo "$err: status $rc: $out; the runb/ parent runb made is left: $leaked"
			[ "$rc" = 0 ]
			[ "$leaked" = no ]
		done
	else
		mkdir_vanishes "/sys/fs/cgroup/memory/runb/$CNAME"
	fi
	assert_cg_gone
}

@test "-v says which cgroup hierarchy runb uses" {
	run rb -v -m 32m --net none "$CNAME" "$ROOTFS" true
	assert_success
	if cg_v2; then
		assert_line --partial '[slide 25] cgcreate -g cpu,memory,pids:NAME -> statfs("/sys/fs/cgroup"): cgroup2, unified v2'
		assert_line --partial "mkdir(\"/sys/fs/cgroup/runb/$CNAME\")"
		assert_line --partial "echo 33554432 > /sys/fs/cgroup/runb/$CNAME/memory.max"
		# born in its cgroup (clone3 CLONE_INTO_CGROUP): nothing to move
		assert_line --partial "already in /sys/fs/cgroup/runb/$CNAME: born there"
		refute_output --partial 'v1 or hybrid'
		refute_output --partial "/sys/fs/cgroup/memory/"
	else
		assert_line --partial '[slide 25] cgcreate -g cpu,memory,pids:NAME -> statfs("/sys/fs/cgroup"): not cgroup2, v1 or hybrid'
		assert_line --partial "mkdir(\"/sys/fs/cgroup/memory/runb/$CNAME\")"
		assert_line --partial "mkdir(\"/sys/fs/cgroup/cpu/runb/$CNAME\")"
		assert_line --partial "mkdir(\"/sys/fs/cgroup/pids/runb/$CNAME\")"
		assert_line --partial "echo 33554432 > /sys/fs/cgroup/memory/runb/$CNAME/memory.limit_in_bytes"
		assert_line --partial "echo 0 > /sys/fs/cgroup/memory/runb/$CNAME/tasks"
		refute_output --partial 'unified v2'
		refute_output --partial "/sys/fs/cgroup/runb/"
	fi
	assert_cg_gone
}

@test "v2: where delegation is impossible (a process in runb/), a clear error and nothing made" {
	cg_v2 || skip "cgroup v2 only (this machine is v1): it runs in make test-vm"
	local made=0 pid
	[ -d /sys/fs/cgroup/runb ] || { mkdir /sys/fs/cgroup/runb; made=1; }
	# a process in runb/ itself: v2 then refuses to delegate controllers
	# from runb/ to its children ("no internal processes")
	sleep 30 &
	pid=$!
	echo "$pid" > /sys/fs/cgroup/runb/cgroup.procs
	run rb --net none "$CNAME" "$ROOTFS" true
	echo "$pid" > /sys/fs/cgroup/cgroup.procs
	kill "$pid"
	wait "$pid" || true
	[ "$made" = 0 ] || rmdir /sys/fs/cgroup/runb 2>/dev/null || true
	[ "$status" = 125 ]
	assert_output --partial 'cgroup.subtree_control'
	assert_output --partial 'no process in a cgroup that delegates'
	[ ! -e "/sys/fs/cgroup/runb/$CNAME" ]
}
