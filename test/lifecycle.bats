#!/usr/bin/env bats
# The container's life (issue 5): one container per NAME, runb killed or
# signalled while its container runs (and a PID 1 that drops its death
# signal, issue 11), descriptors, many containers at once and one after
# another; after each, the host as it was (common_teardown).

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# The background container's PID 1, once it has become `sleep` (within 10 s:
# runb's setup is over, its signals are blocked, the child's are not).
sleeping_pid() {
	local p
	p=$(container_pid) && retry 200 0.05 comm_is "$p" sleep && echo "$p"
}

# Seconds from START (a now()) to now, as a decimal with three places.
since() {
	local ns=$(($(now) - $1))
	printf '%d.%03d\n' $((ns / 1000000000)) $((ns / 1000000 % 1000))
}

# A < B for decimals (awk: no bc on a fresh machine).
lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'
}

@test "NAME lock: a second container of the same NAME is refused at once, the first runs on" {
	rb_bg --net none "$CNAME" "$ROOTFS" sleep 30
	local pid t
	pid=$(sleeping_pid)
	t=$(now)
	run rb "$CNAME" "$ROOTFS" true
	echo "$output (after $(since "$t") s)"
	[ "$status" = 125 ]
	assert_output "runb: container $CNAME is already running"
	lt "$(since "$t")" 5
	# the refused run undid nothing of the first's
	alive "$pid"
	[ -e "/run/runb/$CNAME.lock" ]
	[ -e "/run/netns/$CNAME" ]
	[ "$(readlink "/proc/$pid/ns/net")" = "$(ip netns exec "$CNAME" readlink /proc/self/ns/net)" ]
	# a --net bridge second run is refused the same way, before any veth
	run rb --net bridge "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: container $CNAME is already running"
	alive "$pid"
	kill -KILL "$pid"
	rb_wait
	[ "$status" = 137 ]
	[ ! -e "/run/runb/$CNAME.lock" ]
	# and now the NAME is free
	run rb --net none "$CNAME" "$ROOTFS" true
	assert_success
}

@test "SIGKILL of runb: the container dies with it, the next run of NAME sweeps what was left" {
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	local pid
	pid=$(sleeping_pid)
	kill -KILL "$RB_PID"
	rb_wait
	[ "$status" = 137 ]
	retry 40 0.05 dead "$pid" || true
	refute alive "$pid"
	# a crash leaves everything runb made on the host: the sweep has work
	# (and its address lease, which another runb may take over meanwhile)
	[ -e "/run/runb/$CNAME.lock" ]
	[ -e "/run/netns/$CNAME" ]
	[ -n "$(ip -n "$NS" -o link show type veth)" ]
	[ -n "$(find /sys/fs/cgroup -maxdepth 4 -path "*runb/$CNAME")" ]
	run rb "$CNAME" "$ROOTFS" true
	assert_success
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ ! -e "/run/netns/$CNAME" ]
	[ -z "$(leases_of "$CNAME")" ]
	retry 41 0.05 no_veth
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -path "*runb/$CNAME")" ]
	# (common_teardown: the host is exactly as before the crash)
}

@test "SIGKILL of runb: its lease is swept even when the next run of NAME gets another address" {
	local other=$CNAME-other opid bpid lease
	# another container holds the lowest free address...
	CNAME=$other rb_bg "$other" "$ROOTFS" sleep 30
	local orb=$RB_PID
	opid=$(sleeping_pid)
	# ...so NAME gets the next, and then its runb is killed
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	bpid=$(sleeping_pid)
	lease=$(leases_of "$CNAME")
	echo "NAME's lease: $lease; the other's: $(leases_of "$other")"
	[ -n "$lease" ]
	kill -KILL "$RB_PID"
	rb_wait
	[ "$status" = 137 ]
	# the other ends cleanly, freeing the lower address
	kill -KILL "$opid"
	RB_PID=$orb rb_wait
	[ "$status" = 137 ]
	# NAME again: it takes the lower address, and must sweep its old lease
	run rb "$CNAME" "$ROOTFS" true
	assert_success
	ls -l /run/runb
	# gather, then remove a stale lease by hand (lest a later test trip on
	# it), then judge
	local left=no
	if [ -e "$lease" ]; then
		left=yes
		grep -qx "$CNAME" "$lease" && flock -n "$lease" rm -f "$lease"
	fi
	[ "$left" = no ] || fail "the crashed run's lease $lease is left on the host"
}

# stop_with SIG STATUS: runb running `sleep 1000` as PID 1 with
# --stop-timeout 2 gets SIG; it exits STATUS within 5 s and the container
# is gone.
stop_with() {
	rb_bg --stop-timeout 2 --net none "$CNAME" "$ROOTFS" sleep 1000
	local pid t
	pid=$(sleeping_pid)
	t=$(now)
	kill "-$1" "$RB_PID"
	rb_wait
	echo "status $status after $(since "$t") s"
	[ "$status" = "$2" ]
	lt "$(since "$t")" 5
	refute alive "$pid"
}

@test "race: another run's crash sweep never holds NAME's lock, so NAME starts again the moment it ended" {
	command -v strace >/dev/null || skip "needs strace to hold the sweep mid-way"
	local lock=/run/runb/$CNAME.lock log=$BATS_TEST_TMPDIR/sweep.strace b back=""
	# A: NAME, until TERM
	rb_bg --net none "$CNAME" "$ROOTFS" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	retry 200 0.05 comm_is "$(container_pid)" sh
	# B: another NAME, whose sweep (just after it takes its own lock) reads
	# NAME.lock in /run/runb and is held 5 s as it opens it, and 5 s at any
	# unlink of it (-P: only the calls on that path are traced and held)
	nsenter --net="/run/netns/$NS" strace -qq -f -o "$log" -P "$lock" -e trace=openat,linkat,unlink \
		-e inject=openat:delay_enter=5000000:when=1 -e inject=unlink:delay_enter=5000000:when=1 \
		"$RUNB" --net none "$CNAME-b" "$ROOTFS" true 3>&- &
	b=$!
	retry 200 0.05 test -e "/run/runb/$CNAME-b.lock" || true
	sleep 0.5
	# A ends meanwhile, and takes NAME.lock with it
	kill -TERM "$RB_PID"
	rb_wait
	[ "$status" = 0 ]
	[ ! -e "$lock" ]
	# B's open ends (strace logs it then), finding no NAME.lock; had B made
	# one, it would be there for the 5 s of B's unlink
	retry 300 0.05 grep -qs ENOENT "$log" || true
	sleep 0.3
	[ -e "$lock" ] && back=yes
	# NAME starts again while B still runs
	run rb --net none "$CNAME" "$ROOTFS" true
	echo "NAME.lock back during B's sweep: ${back:-no}; the restart: $status $output"
	wait "$b"
	cat "$log"
	# control: B's sweep did open NAME.lock, after A had removed it
	grep -q "openat(.*\"$lock\".*= -1 ENOENT" "$log"
	[ -z "$back" ]
	assert_success
}

@test "SIGTERM to runb: forwarded; PID 1 ignores it, so SIGKILL after --stop-timeout; 143" {
	stop_with TERM 143
}

@test "SIGINT to runb: the same, 130" {
	stop_with INT 130
}

@test "SIGTERM while runb sets the container up: it still removes what it made" {
	command -v strace >/dev/null || skip "needs strace to hold runb mid-setup"
	# strace holds runb for 2 s at its first unshare(2), the one that makes
	# the network namespace: the lock, the cgroups and /run/netns/NAME exist.
	nsenter --net="/run/netns/$NS" strace -qq -o /dev/null -e trace=unshare \
		-e inject=unshare:delay_enter=2000000:when=1 \
		"$RUNB" --stop-timeout 1 --net none "$CNAME" "$ROOTFS" sleep 30 3>&- &
	local st=$! rbpid
	retry 100 0.05 test -e "/run/netns/$CNAME" || true
	rbpid=$(pgrep -P "$st" -x runb)
	local comm
	comm=$(cat "/proc/${rbpid:-0}/comm" 2>/dev/null || true)
	kill -TERM "${rbpid:-$st}"
	status=0
	wait "$st" || status=$?
	# gather; let a run of NAME sweep whatever was left; then judge
	local left=""
	[ -e "/run/runb/$CNAME.lock" ] && left+=" lock"
	[ -e "/run/netns/$CNAME" ] && left+=" netns"
	[ -n "$(find /sys/fs/cgroup -maxdepth 4 -path "*runb/$CNAME")" ] && left+=" cgroup"
	rb --net none "$CNAME" "$ROOTFS" true
	echo "runb ($comm): status $status; left on the host:${left:- nothing}"
	[ "$comm" = runb ]
	[ "$status" = 143 ]
	[ -z "$left" ]
}

@test "a second SIGTERM kills at once, well before the default 10 s stop timeout" {
	rb_bg --net none "$CNAME" "$ROOTFS" sleep 1000
	local pid t
	pid=$(sleeping_pid)
	t=$(now)
	kill -TERM "$RB_PID"
	sleep 0.3
	alive "$pid"  # the first one alone did not kill it
	kill -TERM "$RB_PID"
	rb_wait
	echo "status $status after $(since "$t") s"
	[ "$status" = 143 ]
	lt "$(since "$t")" 5
	refute alive "$pid"
}

@test "SIGTERM reaches a PID 1 that handles it: it exits with its own status" {
	rb_bg --net none "$CNAME" "$ROOTFS" /bin/sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	local pid
	pid=$(container_pid)
	retry 200 0.05 has_child "$pid"  # the trap is set: the loop has started a sleep
	kill -TERM "$RB_PID"
	rb_wait
	[ "$status" = 7 ]
	refute alive "$pid"
}

@test "a PID 1 that handles SIGTERM and stays is killed after --stop-timeout: 143" {
	local out=$BATS_TEST_TMPDIR/out
	rb_bg --stop-timeout 1 --net none "$CNAME" "$ROOTFS" /bin/sh -c \
		'trap "echo got TERM" TERM; while :; do sleep 0.1; done' >"$out" 2>&1
	local pid
	pid=$(container_pid)
	retry 200 0.05 has_child "$pid"
	kill -TERM "$RB_PID"
	rb_wait
	cat "$out"
	[ "$status" = 143 ]
	grep -qx 'got TERM' "$out"
	refute alive "$pid"
}

@test "the caller's descriptors do not reach the container" {
	exec 5</etc/hostname 7>"$BATS_TEST_TMPDIR/x" 9<&0
	run rb "$CNAME" "$ROOTFS" ls /proc/self/fd
	exec 5<&- 7>&- 9<&-
	assert_success
	# 0, 1, 2, and the one ls opened to list the directory
	assert_output - <<-'OUT'
	0
	1
	2
	3
	OUT
}

@test "20 containers at once: distinct addresses, all end, nothing left" {
	local n=20 i
	local out=$BATS_TEST_TMPDIR/out
	rm -f "$ROOTFS/go"
	for i in $(seq "$n"); do
		# each prints its address and waits until all have done so
		rb "$CNAME-$i" "$ROOTFS" /bin/sh -c \
			'ip -o -4 addr show dev eth0; while [ ! -e /go ]; do sleep 0.1; done; echo end' \
			>"$out.$i" 2>&1 3>&- &
		eval "pid_$i=\$!"
	done
	# (at most 30 s)
	all_have_addresses() { [ "$(cat "$out".* | grep -c ' inet ')" -ge "$n" ]; }
	retry 300 0.1 all_have_addresses || true
	touch "$ROOTFS/go"
	local rc=0 s
	for i in $(seq "$n"); do
		s=0
		eval "wait \$pid_$i" || s=$?
		[ "$s" = 0 ] || { echo "# $CNAME-$i: status $s: $(cat "$out.$i")"; rc=1; }
	done
	rm -f "$ROOTFS/go"
	[ "$rc" = 0 ]
	local addrs
	addrs=$(cat "$out".* | awk '$3 == "inet" { print $4 }' | sort)
	echo "$addrs"
	[ "$(wc -l <<<"$addrs")" = "$n" ]
	[ "$(sort -u <<<"$addrs" | wc -l)" = "$n" ]
	[ -z "$(grep -v '^10\.0\.0\.[0-9]*/24$' <<<"$addrs")" ]
	[ "$(cat "$out".* | grep -cx end)" = "$n" ]
	for i in $(seq "$n"); do
		[ ! -e "/run/runb/$CNAME-$i.lock" ]
		[ ! -e "/run/netns/$CNAME-$i" ]
	done
}

@test "50 runs one after another leave nothing" {
	local i
	for i in $(seq 50); do
		rb --net none "$CNAME" "$ROOTFS" true || fail "run $i: status $?"
	done
	# and with the bridge network, each with its own status
	for i in $(seq 10); do
		run rb "$CNAME" "$ROOTFS" /bin/sh -c "exit $i"
		[ "$status" = "$i" ] || fail "run $i: status $status: $output"
	done
	[ ! -e "/run/runb/$CNAME.lock" ]
}

# ---------------------------------------------------------------- death signal

# The control, on the host: nodeath [-k] as the child of a shell started with a
# death signal of SIGKILL (setpriv --pdeathsig), the shell then killed. Prints
# nodeath's lines and its pid, last.
pdeath_control() {
	local out=$BATS_TEST_TMPDIR/control.out pf=$BATS_TEST_TMPDIR/control.pid sh
	rm -f "$out" "$pf"
	# (no descriptor of the caller's in nodeath: bats' run would wait for it to close)
	# shellcheck disable=SC2016
	OUT=$out PF=$pf bash -c 'setpriv --pdeathsig KILL "$@" > "$OUT" 2>&1 & echo $! > "$PF"; wait' \
		_ "$TOP/test/nodeath" "$@" 30 </dev/null >/dev/null 2>&1 3>&- &
	sh=$!
	retry --within 5 0.05 grep -q '^ready' "$out"
	kill -KILL "$sh"
	wait "$sh" || true
	cat "$out"
	cat "$pf"
}

@test "death signal: a PID 1 that clears it still dies within 1 s of a SIGKILLed runb (the watcher); the next run sweeps" {
	local out=$BATS_TEST_TMPDIR/out pid child w t left p
	[ -x "$TOP/test/nodeath" ] || fail "test/nodeath is not built (make test builds it)"
	# the control: the death signal alone kills nodeath -k with its parent, not
	# nodeath, which clears it
	run pdeath_control -k
	assert_line 'pdeathsig before=9 after=9'
	retry --within 1 0.05 dead "${lines[-1]}"
	run pdeath_control
	assert_line 'pdeathsig before=9 after=0'
	sleep 0.2
	alive "${lines[-1]}"
	kill -KILL "${lines[-1]}"

	# PID 1 clears the death signal runb set and changes its user as well
	rb_bg --net none "$CNAME" "$ROOTFS" nodeath -u 65534 60 >"$out" 2>&1
	pid=$(container_pid)
	retry --within 10 0.05 grep -q '^ready' "$out"
	cat "$out"
	grep -qx 'pdeathsig before=9 after=0' "$out"
	child=$(cat "/proc/$pid/task/$pid/children")
	[ -n "$child" ]
	[ "$(stat -c %u "/proc/$pid")" = 65534 ]
	# runb's other child is the watcher: outside the container's PID namespace,
	# in a session of its own
	w=$(tr ' ' '\n' < "/proc/$RB_PID/task/$RB_PID/children" | grep -vx "$pid" | grep .)
	echo "runb $RB_PID, PID 1 $pid, its child $child, the watcher $w"
	[ "$(wc -w <<<"$w")" = 1 ]
	[ "$(readlink "/proc/$w/ns/pid")" = "$(readlink /proc/self/ns/pid)" ]
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	[ "$(stat_field "$w" 6)" = "$w" ]

	kill -KILL "$RB_PID"
	rb_wait
	[ "$status" = 137 ]
	t=$(date +%s.%N)
	# (none_alive: $left, those of them still alive, is empty)
	none_alive() {
		left=
		for p in "$pid" $child "$w"; do
			alive "$p" && left+=" $p"
		done
		[ -z "$left" ]
	}
	retry --within 1 0.05 none_alive || true
	echo "after $(awk -v now="$(date +%s.%N)" -v t="$t" 'BEGIN { printf "%.3f", now - t }') s, alive:${left:- none}"
	if [ -n "$left" ]; then
		kill -KILL $left 2>/dev/null || true
		rb --net none "$CNAME" "$ROOTFS" true || true
		fail "the container outlived runb:$left"
	fi
	# what the crash left (lock, netns, cgroups) is swept by the next run of NAME
	[ -e "/run/runb/$CNAME.lock" ]
	run rb --net none "$CNAME" "$ROOTFS" true
	assert_success
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ ! -e "/run/netns/$CNAME" ]
}
