#!/usr/bin/env bats
# Issue 19: what runb carries into the container. A runb process in the
# container's namespaces (the first process, --init's PID 1, runb exec's
# process) holds no descriptor of the host's it does not need next, is not
# dumpable, runs from a sealed copy of runb, and resolves paths beneath the
# container's root. runc's CVEs are the checklist: 2024-21626 (a host
# directory through -w), 2019-5736 (runb's binary rewritten through
# /proc/PID/exe), 2016-9962 (ptrace before seccomp), plus the caller's
# descriptors and terminal, a pids limit by default, and test/prober, which
# tries all of it from inside while runb does everything it can to the
# container. Every attack is harmless even where the hole is open: the links
# lead to the test's own directories, the binary written to is a copy the
# test made, the prober only reads and opens with O_PATH.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { stop_test_containers; common_teardown; }

@test "CVE-2024-21626: -w through a link to /proc/self/fd/N is refused, and never reaches the host" {
	local root n opts
	root=$(rootfs_copy w)
	touch "$BATS_TEST_TMPDIR/HOST-MARK"   # beside the root, outside it
	for n in $(seq 3 12); do
		ln -s "/proc/self/fd/$n" "$root/job$n"
		ln -s "/proc/self/fd/$n/.." "$root/up$n"
	done
	for opts in "" "--init" "--read-only" "--overlay" "--chroot"; do
		local magic=0
		for n in $(seq 3 12); do
			# shellcheck disable=SC2086 # OPTS is a list of options
			run rb --net none $opts -w "/job$n" "$CNAME" "$root" sh -c 'ls -a . .. ../..'
			refute_output --partial HOST-MARK
			[ "$status" = 125 ] || fail "-w /job$n ($opts): status $status: $output"
			# an open descriptor N: a magic link, refused; none: no such file
			assert_output --regexp 'magic link|No such file'
			[[ $output != *"magic link"* ]] || magic=$((magic + 1))
			# shellcheck disable=SC2086
			run rb --net none $opts -w "/up$n/x" "$CNAME" "$root" sh -c 'ls -a . .. ../..'
			refute_output --partial HOST-MARK
			[ "$status" = 125 ]
		done
		[ "$magic" -ge 1 ] || fail "($opts): no /proc/self/fd/N was an open descriptor"
	done
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "CVE-2024-21626 through a shared volume: a link one container plants is no way out for another's -w, nor exec -w" {
	local vol=$BATS_TEST_TMPDIR/shared n
	mkdir "$vol"
	touch "$BATS_TEST_TMPDIR/HOST-MARK"
	run rb --net none --volume "$vol:/data" "$CNAME-a" "$ROOTFS" sh -c \
		'for n in 3 4 5 6 7 8 9 10; do ln -s /proc/self/fd/$n/../.. /data/job$n; done'
	assert_success
	for n in 3 4 5 6 7 8 9 10; do
		run rb --net none --volume "$vol:/data" -w "/data/job$n" "$CNAME" "$ROOTFS" ls -a . ..
		[ "$status" = 125 ]
		refute_output --partial HOST-MARK
	done
	rbd "$CNAME" --volume "$vol:/data" -- sleep 60
	for n in 3 4 5 6 7 8 9 10; do
		run rbt exec -w "/data/job$n" "$CNAME" ls -a . .. 9<"$BATS_TEST_TMPDIR/HOST-MARK"
		[ "$status" = 125 ]
		refute_output --partial HOST-MARK
	done
	# control: a plain link inside the container is followed, as the container sees it
	ln -s /tmp "$vol/tmplink"
	run rbt exec -w /data/tmplink "$CNAME" pwd
	assert_success
	assert_output /tmp
	rbt stop -t 0 "$CNAME"
}

@test "CVE-2019-5736: runb's binary cannot be written back through /proc/PID/exe of runb exec's process" {
	local copy=$BATS_TEST_TMPDIR/runb-copy caps i
	cp "$RUNB" "$copy"
	cp "$RUNB" "$BATS_TEST_TMPDIR/runb-pristine"
	for caps in "" "--cap-add ALL"; do
		# shellcheck disable=SC2086
		rbd "$CNAME" $caps -- holdexe 8 OVERWRITTEN
		# runb exec from another inode than the container's runb: once it
		# has ended, nothing keeps its binary busy (no ETXTBSY)
		for i in $(seq 30); do
			timeout 20 nsenter --net="/run/netns/$NS" "$copy" exec "$CNAME" true || true
		done
		run rbt wait "$CNAME"
		local st=$status
		run rbt logs "$CNAME"
		note "${caps:-default caps}: $(echo "$output" | tr '\n' ' ')"
		refute_output --partial wrote
		[ "$st" = 0 ]
		cmp "$copy" "$BATS_TEST_TMPDIR/runb-pristine"
	done
}

@test "the prober: with every capability, nothing of the host's through runb's processes while runb does all it can to the container" {
	local vol=$BATS_TEST_TMPDIR/vol ov=$BATS_TEST_TMPDIR/ov copy=$BATS_TEST_TMPDIR/runb-copy i
	mkdir -m 0700 "$vol"
	echo secret >"$BATS_TEST_TMPDIR/caller-file"
	cp "$RUNB" "$copy"
	rbd "$CNAME" --init --cap-add ALL -w /work --volume "$vol:/data" --overlay="$ov" -- \
		prober -s /data/stop -t 150
	(
		st=0
		timeout 120 nsenter --net="/run/netns/$NS" "$RUNB" wait "$CNAME" || st=$?
		echo "$st" >"$BATS_TEST_TMPDIR/wait.out"
	) &
	local waiter=$!
	for i in $(seq 10); do
		rbt exec "$CNAME" true 9<"$BATS_TEST_TMPDIR/caller-file"
		rbt exec -w /tmp --user 1000 "$CNAME" sh -c 'echo hi' >/dev/null
		timeout 20 nsenter --net="/run/netns/$NS" "$copy" exec "$CNAME" true 9<"$BATS_TEST_TMPDIR/caller-file"
		env TERM=dumb "$PTYRUN" -t 20 -- nsenter --net="/run/netns/$NS" "$RUNB" exec -t "$CNAME" true >/dev/null
		rbt ps >/dev/null
		rbt logs "$CNAME" >/dev/null
		rbt kill -s WINCH "$CNAME"
	done
	touch "$vol/stop"
	wait "$waiter"
	run rbt logs "$CNAME"
	note "$(grep '^prober:' <<<"$output")"
	refute_output --partial VIOLATION
	assert_line --regexp '^prober: rounds=[1-9][0-9]* .*runb_seen=[1-9][0-9]* .*violations=0$'
	[ "$(cat "$BATS_TEST_TMPDIR/wait.out")" = 0 ]
}

@test "the prober as PID 1 with the default capabilities, then exec'd beside a container runb stops" {
	local vol=$BATS_TEST_TMPDIR/vol i
	mkdir -m 0700 "$vol"
	echo secret >"$BATS_TEST_TMPDIR/caller-file"
	rbd "$CNAME" --overlay --volume "$vol:/data" -- prober -s /data/stop -t 150
	for i in $(seq 10); do
		rbt exec "$CNAME" true 9<"$BATS_TEST_TMPDIR/caller-file"
		rbt exec -w /tmp "$CNAME" true
	done
	touch "$vol/stop"
	run rbt wait "$CNAME"
	[ "$status" = 0 ]
	run rbt logs "$CNAME"
	note "$(grep '^prober:' <<<"$output")"
	refute_output --partial VIOLATION
	assert_line --regexp '^prober: rounds=[1-9][0-9]* .*violations=0$'

	# runb stop ends the container while an exec'd prober probes --init's PID 1
	rbd "$CNAME" --init --cap-add SYS_PTRACE --volume "$vol:/data" -- sleep 120
	rm -f "$vol/stop"
	rbt exec "$CNAME" sh -c 'prober -t 150 >/data/probe.out 2>&1' &
	local prober=$!
	for i in $(seq 5); do
		rbt exec "$CNAME" true 9<"$BATS_TEST_TMPDIR/caller-file"
	done
	rbt stop -t 1 "$CNAME"
	wait "$prober" || true
	run cat "$vol/probe.out"
	refute_output --partial VIOLATION
}

@test "ptrace (CVE-2016-9962): runb exec's setup is out of the container's sight; what it can trace is already confined" {
	rbd "$CNAME" --cap-add SYS_PTRACE -- sleep 60
	# a tracer inside, racing 20 execs: a process it sees is confined already
	rbt exec "$CNAME" sh -c 'prober -t 8 >/tmp/p.out 2>&1' &
	local p=$! i
	sleep 0.5
	for i in $(seq 20); do
		rbt exec "$CNAME" true
	done
	wait "$p" || true
	run rbt exec "$CNAME" cat /tmp/p.out
	note "$(grep '^prober:' <<<"$output")"
	refute_output --partial VIOLATION
	assert_line --regexp '^prober: rounds=[1-9].*violations=0$'
	rbt stop -t 0 "$CNAME"
}

@test "the caller's descriptors: none reaches runb exec's command, which gets pipes" {
	rbd "$CNAME" -- sleep 60
	run rbt exec "$CNAME" sh -c 'ls /proc/self/fd; for i in 0 1 2; do readlink /proc/self/fd/$i; done' \
		7<"$BATS_TEST_TMPDIR" 9>"$BATS_TEST_TMPDIR/out"
	assert_success
	refute_line 7
	refute_line 9
	assert_line --regexp '^pipe:'
	[ "$(grep -c '^pipe:' <<<"$output")" = 3 ]
	# stdin, stdout and stderr are relayed, each to its own
	run bash -c "echo in | timeout 20 nsenter --net=/run/netns/$NS $RUNB exec $CNAME sh -c 'cat; echo err >&2; exit 3' 2>/dev/null"
	[ "$status" = 3 ]
	assert_output in
	rbt stop -t 0 "$CNAME"
}

@test "exec without -t, stdout a pipe, stdin the caller's terminal: the command gets pipes, and what it leaves behind never reads the terminal" {
	rbd "$CNAME" -- sleep 60
	run env TERM=dumb "$PTYRUN" -t 20 'sleep 1500' 'send TYPED-AFTER\n' 'sleep 500' -- sh -c \
		"nsenter --net=/run/netns/$NS $RUNB exec $CNAME sh -c '[ -t 0 ] && echo STDIN-TTY; [ -t 2 ] && echo STDERR-TTY; (sleep 0.5; cat >/tmp/left) </dev/stdin & exit 0' | cat; sleep 2"
	assert_line 'ptyrun: status 0'
	refute_output --partial STDIN-TTY
	refute_output --partial STDERR-TTY
	run rbt exec "$CNAME" cat /tmp/left
	assert_success   # the leftover ran, and got its stdin's end
	refute_output --partial TYPED-AFTER
	rbt stop -t 0 "$CNAME"
}

@test "runb exec waits for the container's command: refused while PID 1 is still runb's setup" {
	command -v strace >/dev/null || fail "strace is missing (make test-deps installs it)"
	# hold the container's execve for 3 s (strace delays it), then try exec
	nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null -e trace=execve \
		-e inject=execve:delay_enter=3000000:when=2 "$RUNB" --net none "$CNAME" "$ROOTFS" sleep 2 &
	local runner=$!
	retry 100 0.05 test -e "/run/runb/$CNAME.lock"
	retry 100 0.05 grep -q '^end$' "/run/runb/$CNAME.lock"
	run rbt exec "$CNAME" true
	[ "$status" = 125 ]
	assert_output --partial "has not started its command yet"
	wait "$runner"
}

@test "--init: PID 1 holds stdin, stdout and stderr only, nothing of runb's or the caller's" {
	rb_bg --init --net none --overlay="$BATS_TEST_TMPDIR/ov" "$CNAME" "$ROOTFS" sleep 30 \
		7<"$BATS_TEST_TMPDIR" 8>"$BATS_TEST_TMPDIR/x"
	local pid
	pid=$(container_pid)
	# the init has forked its command (sleep) once its setup is over
	retry 100 0.05 has_child "$pid"
	run ls "/proc/$pid/fd"
	assert_output "$(printf '0\n1\n2')"
	run readlink "/proc/$pid/exe"
	assert_output --regexp '^/memfd:runb'
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status"
	kill -TERM "$RB_PID"
	rb_wait
}

@test "pids: 2048 by default (no fork bomb takes the host's PIDs), --pids N, and --pids 0 or unlimited for none" {
	local probe='cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max'
	run rb --net none "$CNAME" "$ROOTFS" sh -c "$probe"
	assert_output 2048
	run rb --net none --pids 100 "$CNAME" "$ROOTFS" sh -c "$probe"
	assert_output 100
	run rb --net none --pids 0 "$CNAME" "$ROOTFS" sh -c "$probe"
	assert_output max
	run rb --net none --pids unlimited "$CNAME" "$ROOTFS" sh -c "$probe"
	assert_output max
	run rb --net none --pids lots "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --partial "0 (no limit)"
}

@test "-t: the caller's terminal is restored with its pending input discarded (TCSAFLUSH), so no answerback reaches the shell" {
	command -v strace >/dev/null || fail "strace is missing (make test-deps installs it)"
	# the command waits for a line: the relay has made the terminal raw by then
	run env TERM=dumb "$PTYRUN" -t 20 'expect READY' 'send x\r' -- nsenter --net="/run/netns/$NS" \
		strace -qq -e trace=ioctl -e signal=none -o "$BATS_TEST_TMPDIR/strace" "$RUNB" -t --net none \
		"$CNAME" "$ROOTFS" sh -c 'echo READY; read -r x'

	assert_success
	# strace names the request "SNDCTL_TMR_STOP or TCSETSW": the same number
	run grep -E 'ioctl\(0, ([A-Z_]+ or )?TCSETS[FW]?,' "$BATS_TEST_TMPDIR/strace"
	# raw mode first (TCSETSW: after output drains), the restore last, flushing input
	assert_line --index 0 --partial 'TCSETSW'
	[ "${#lines[@]}" = 2 ]
	assert_line --index 1 --partial 'TCSETSF'
}

@test "what a container can see of runb (--init's PID 1, runb exec) runs from a sealed copy: /proc/PID/exe names a memfd" {
	rb_bg --init --net none "$CNAME" "$ROOTFS" sleep 30
	local pid ex
	pid=$(container_pid)
	retry 101 0.05 grep -q . "/proc/$pid/task/$pid/children"
	run readlink "/proc/$pid/exe"
	assert_output --regexp '^/memfd:runb'
	run readlink "/proc/$RB_PID/exe"
	assert_output --regexp '^/memfd:runb'
	grep -q '^runb$' "/proc/$RB_PID/comm"
	# runb exec, on the host: the setup and the command are clones of it
	nsenter --net="/run/netns/$NS" "$RUNB" exec "$CNAME" sleep 5 3>&- &
	ex=$!
	# nsenter execs runb in its own process, which starts again from the copy at once
	retry 101 0.05 sh -c "readlink /proc/$ex/exe | grep -q '^/memfd:runb'"
	kill -TERM "$RB_PID"
	rb_wait
	wait "$ex" || true
}

@test "runb exec's bounding set comes from the host's cap_last_cap, not one the container mounted over its own" {
	rbd "$CNAME" --cap-add SYS_ADMIN -- sleep 60
	local want
	want=$(rbt exec "$CNAME" sh -c 'grep CapBnd /proc/1/status')
	# the container lies: cap_last_cap 10 (its own mount namespace only)
	rbt exec "$CNAME" sh -c 'echo 10 >/tmp/last && mount --bind /tmp/last /proc/sys/kernel/cap_last_cap && cat /proc/sys/kernel/cap_last_cap' | grep -qx 10
	run rbt exec "$CNAME" sh -c 'grep CapBnd /proc/self/status'
	assert_output "$want"
	rbt stop -t 0 "$CNAME"
}

@test "--overlay=DIR through a link a container planted in a shared volume: refused, the link's target untouched" {
	local vol=$BATS_TEST_TMPDIR/shared elsewhere=$BATS_TEST_TMPDIR/elsewhere
	mkdir "$vol" "$elsewhere"
	# container A plants the link in the volume it shares with the host
	run rb --net none --volume "$vol:/shared" "$CNAME-a" "$ROOTFS" ln -s "$elsewhere" /shared/ov
	assert_success
	[ -L "$vol/ov" ]
	run rb --net none --overlay="$vol/ov" "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --partial "a symlink on its path"
	[ -z "$(ls -A "$elsewhere")" ]
	# control: the directory itself works
	mkdir "$vol/real"
	run rb --net none --overlay="$vol/real" "$CNAME" "$ROOTFS" sh -c 'echo hi >/f; cat /f'
	assert_success
	assert_output hi
	[ -f "$vol/real/upper/f" ]
}

@test "--init's PID 1 and runb exec's processes keep neither the caller's environment nor runb's host paths in memory" {
	# with CAP_SYS_PTRACE the container may read /proc/1/environ; it finds zeros
	run env RUNB_TEST_SECRET=host-only nsenter --net="/run/netns/$NS" "$RUNB" --net none --init -T \
		--cap-add SYS_PTRACE "$CNAME" "$ROOTFS" sh -c 'tr "\0" "\n" </proc/1/environ; tr "\0" "\n" </proc/1/cmdline'
	assert_success
	refute_output --partial RUNB_TEST_SECRET
	refute_output --partial "$ROOTFS"
	assert_line runb-init
	# runb exec: a prober-like loop reads every environ it can while execs run
	rbd "$CNAME" --cap-add SYS_PTRACE -- sh -c 'while :; do for e in /proc/[0-9]*/environ; do tr "\0" "\n" <"$e"; done 2>/dev/null; done >/tmp/seen'
	local i
	for i in $(seq 20); do
		env RUNB_TEST_SECRET=host-only nsenter --net="/run/netns/$NS" "$RUNB" exec "$CNAME" true
	done
	run rbt exec "$CNAME" sh -c 'grep -c . /tmp/seen; grep -c RUNB_TEST_SECRET /tmp/seen'
	assert_line --index 1 0
	[ "${lines[0]}" -gt 0 ]   # it did read environments (its own, at least)
	rbt stop -t 0 "$CNAME"
}
