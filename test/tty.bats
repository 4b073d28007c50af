#!/usr/bin/env bats
# Sessions and terminals (issue 11, class 3). The container's first process
# has a session of its own: from inside it can signal neither runb nor runb's
# caller, and without a pty /dev/tty opens nothing. With -t (the default on a
# terminal) it gets a terminal of its own in its devpts, and runb relays the
# caller's to it in raw mode. The caller's terminal here is test/ptyrun's, a
# pty pair it makes and drives (its usage: the comment at the top of
# ptyrun.c); the shell inside is busybox sh (the rootfs has no bash).

load helpers

setup_file() { common_setup_file; }
setup() { pty_setup; }
teardown() { common_teardown; }
# the interactive shell's prompt (-e PS1=...), which no command line holds
PROMPT='rb-prompt> '

# The lines of ptyrun's report (after "--- ptyrun").
report() {
	sed '1,/^--- ptyrun$/d' <<<"$output"
}

# The transcript (before "--- ptyrun").
transcript() {
	sed '/^--- ptyrun$/,$d' <<<"$output"
}

# ---------------------------------------------------------------- sessions

@test "session: kill -USR1 0 inside reaches the container's own process group, neither runb nor its caller" {
	local log=$BATS_TEST_TMPDIR/usr1
	# the caller: a shell in a session of its own (setsid), so that nothing else
	# could be hit, which notes a SIGUSR1 and the status of its command
	# shellcheck disable=SC2016
	local caller='trap "echo caller-got-USR1 >> \"$LOG\"" USR1; "$@"; s=$?; echo "status $s" >> "$LOG"; exit "$s"'
	# the control: a command in the caller's process group does reach it
	LOG=$log run setsid -w bash -c "$caller" _ sh -c 'trap "" USR1; kill -USR1 0; exit 3'
	[ "$status" = 3 ]
	run cat "$log"
	assert_line caller-got-USR1
	assert_line "status 3"
	rm -f "$log"
	# the container's PID 1 sees its own signal; runb, unhurt, passes its status on
	LOG=$log run setsid -w bash -c "$caller" _ nsenter --net="/run/netns/$NS" "$RUNB" \
		--net none "$CNAME" "$ROOTFS" /bin/sh -c \
		'trap "echo container-got-USR1" USR1; kill -USR1 0; sleep 0.2; exit 3'
	[ "$status" = 3 ]
	assert_output container-got-USR1
	run cat "$log"
	assert_output "status 3"
}

@test "session: the container's PID 1 leads a session and process group of its own, without a terminal" {
	rb_bg --net none "$CNAME" "$ROOTFS" sleep 30
	local pid
	pid=$(container_pid)
	retry 100 0.05 comm_is "$pid" sleep || true
	echo "runb $RB_PID: pgrp $(stat_field "$RB_PID" 5) session $(stat_field "$RB_PID" 6)"
	echo "PID 1 $pid: pgrp $(stat_field "$pid" 5) session $(stat_field "$pid" 6) tty $(stat_field "$pid" 7)"
	[ "$(stat_field "$pid" 5)" = "$pid" ]
	[ "$(stat_field "$pid" 6)" = "$pid" ]
	[ "$(stat_field "$pid" 7)" = 0 ]
	# runb stays in its caller's (the control: not every process leads its own)
	[ "$(stat_field "$RB_PID" 5)" != "$RB_PID" ]
	[ "$(stat_field "$RB_PID" 6)" = "$(stat_field $$ 6)" ]
	kill -KILL "$pid"
	rb_wait
	[ "$status" = 137 ]
	# inside: PID 1 is its own session and process group
	run rb --net none "$CNAME" "$ROOTFS" awk '{ print $5, $6, $7 }' /proc/self/stat
	assert_output "1 1 0"
}

@test "session: without a pty /dev/tty opens nothing (ENXIO), though runb's caller has a terminal" {
	local file=$BATS_TEST_TMPDIR/out
	# the control: a process of the caller's session, its descriptors elsewhere,
	# reaches the caller's terminal through /dev/tty
	pty -- sh -c 'sh -c "echo LEAKED-CONTROL > /dev/tty" </dev/null >"$1" 2>&1' _ "$file"
	assert_success
	[[ "$(transcript)" == *LEAKED-CONTROL* ]]
	pty -- sh -c '"$@" </dev/null >"$0" 2>&1' "$file" "${RB[@]}" -T --net none "$CNAME" "$ROOTFS" \
		/bin/sh -c 'echo LEAKED > /dev/tty; echo "status $?"; awk "{ print \$7 }" /proc/self/stat'
	assert_success
	cat "$file"
	[[ "$(transcript)" != *LEAKED* ]]
	run cat "$file"
	assert_line --regexp "^/bin/sh: (line [0-9]+: )?can't create /dev/tty: No such device or address\$"
	assert_line "status 1"
	# and the container has no terminal at all
	assert_line --index 2 0
	refute_output --partial LEAKED
}

# ---------------------------------------------------------------- -t: a terminal of its own

@test "-t: tty is /dev/pts/0 of the container's devpts, the terminal of ps and /proc/self/stat, and /dev/console" {
	pty -- "${RB[@]}" -t --net none "$CNAME" "$ROOTFS" /bin/sh -c \
		'tty; ps -o pid,tty,comm; awk "{ print \$7 }" /proc/self/stat; stat -c "%n %t:%T" /dev/pts/0 /dev/console'
	assert_success
	assert_line /dev/pts/0
	assert_line --regexp '^ +1 136,0 +sh$'
	# tty_nr: major 136 << 8 | minor 0
	assert_line 34816
	assert_line '/dev/pts/0 88:0'
	assert_line '/dev/console 88:0'
	assert_line 'ptyrun: status 0'
}

@test "-t is the default when stdin and stdout are terminals, not when stdout is a file; -T turns it off" {
	local file=$BATS_TEST_TMPDIR/out
	pty -- "${RB[@]}" --net none "$CNAME" "$ROOTFS" tty
	assert_line /dev/pts/0
	# the control for the two below: the terminal passed through is the host's,
	# which the container's devpts does not have
	pty -- sh -c '"$@" >"$0"' "$file" "${RB[@]}" --net none "$CNAME" "$ROOTFS" tty
	assert_success
	run cat "$file"
	assert_output "not a tty"
	pty -- "${RB[@]}" -T --net none "$CNAME" "$ROOTFS" tty
	assert_success
	assert_line "not a tty"
	refute_line /dev/pts/0
	# nor in the background of the terminal (timeout(1) runs it in a process group
	# of its own): a job there that set the terminal's modes would be stopped by
	# SIGTTOU, so runb starts no pty; the control is timeout --foreground
	pty -- sh -c 'timeout 30 "$@"' _ "${RB[@]}" --net none "$CNAME" "$ROOTFS" tty
	assert_line "not a tty"
	assert_line 'ptyrun: status 1'
	pty -- sh -c 'timeout --foreground 30 "$@"' _ "${RB[@]}" --net none "$CNAME" "$ROOTFS" tty
	assert_line /dev/pts/0
	assert_line 'ptyrun: status 0'
}

@test "-t: stty size is the caller's terminal's, and a resize reaches the container (SIGWINCH)" {
	pty -r 33 -c 111 "expect $PROMPT" 'send stty size\r' 'expect 33 111' "expect $PROMPT" \
		'resize 41 123' 'sleep 200' 'send stty size\r' 'expect 41 123' "expect $PROMPT" \
		'send exit\r' -- "${RB[@]}" -e "PS1=$PROMPT" --net none "$CNAME" "$ROOTFS" /bin/sh
	assert_success
	assert_line 'ptyrun: status 0'
}

@test "-t: ^C kills the foreground sleep 100, not the interactive shell, which answers" {
	# the shell's own job control puts sleep in the terminal's foreground
	pty "expect $PROMPT" 'send echo sle""eping; sleep 100\r' 'expect sleeping' 'sleep 300' \
		'send \x03' "expect $PROMPT" 'send echo "st""atus $?"; echo ali""ve\r' 'expect alive' \
		"expect $PROMPT" 'send exit\r' -- \
		"${RB[@]}" -e "PS1=$PROMPT" --net none "$CNAME" "$ROOTFS" /bin/sh
	assert_success
	# killed by SIGINT: 128 + 2
	assert_line 'status 130'
	assert_line alive
	assert_line 'ptyrun: status 0'
}

@test "-t: job control in busybox sh: jobs lists a background job, ^Z stops a foreground one, kill %N ends them" {
	pty "expect $PROMPT" 'send sleep 100 &\r' "expect $PROMPT" 'send jobs\r' 'expect Running' \
		"expect $PROMPT" 'send sleep 101\r' 'sleep 500' 'send \x1a' 'expect Stopped' \
		"expect $PROMPT" 'send jobs\r' "expect $PROMPT" 'send kill %1; kill -9 %2\r' "expect $PROMPT" \
		'send wait; jobs; echo "no jobs: $(jobs | wc -l)"\r' 'expect no jobs: ' "expect $PROMPT" \
		'send exit\r' -- "${RB[@]}" -e "PS1=$PROMPT" --net none "$CNAME" "$ROOTFS" /bin/sh
	assert_success
	assert_line --regexp '^\[1\]\+ +Running +sleep 100$'
	assert_line --regexp '^\[2\]\+ +Stopped +sleep 101$'
	assert_line --regexp '^\[1\]- +Running +sleep 100$'
	assert_line --regexp '^\[1\]\+ +Terminated +sleep 100$'
	assert_line --regexp '^\[2\]\+ +Killed +sleep 101$'
	assert_line 'no jobs: 0'
	assert_line 'ptyrun: status 0'
}

@test "-t: exit 7 is runb's status; the caller's terminal is raw while it runs and restored after" {
	# the control: ptyrun sees a change of the terminal's modes
	pty 'modes' -- stty raw -echo
	assert_line 'ptyrun: modes icanon on, echo on, isig on'
	assert_line --regexp '^ptyrun: termios changed: '
	pty "expect $PROMPT" 'modes' 'send exit 7\r' 'wait' 'modes' -- \
		"${RB[@]}" -e "PS1=$PROMPT" --net none "$CNAME" "$ROOTFS" /bin/sh
	assert_success
	[ "$(report)" = "$(printf '%s\n' 'ptyrun: modes icanon off, echo off, isig off' \
		'ptyrun: modes icanon on, echo on, isig on' 'ptyrun: status 7' 'ptyrun: termios unchanged')" ]
}

@test "-t: runb stopped by SIGTERM restores the caller's terminal too (143)" {
	# PID 1, the interactive shell, ignores SIGTERM: runb kills it after --stop-timeout
	pty "expect $PROMPT" 'modes' 'kill 15' 'wait' -- \
		"${RB[@]}" --stop-timeout 1 -e "PS1=$PROMPT" --net none "$CNAME" "$ROOTFS" /bin/sh
	assert_success
	[ "$(report)" = "$(printf '%s\n' 'ptyrun: modes icanon off, echo off, isig off' \
		'ptyrun: status 143' 'ptyrun: termios unchanged')" ]
}

@test "-T on a terminal: no pty, tty says not a tty, no job control, the caller's terminal left in its modes" {
	# the caller's terminal passed through is the container's stdin, but not its
	# controlling terminal: busybox sh says so
	pty "expect $PROMPT" 'send tty\r' 'expect not a tty' "expect $PROMPT" 'send exit 3\r' -- \
		"${RB[@]}" -T -e "PS1=$PROMPT" --net none "$CNAME" "$ROOTFS" /bin/sh
	assert_success
	assert_line "/bin/sh: can't access tty; job control turned off"
	assert_line 'ptyrun: status 3'
	assert_line 'ptyrun: termios unchanged'
	# runb leaves the modes alone (an interactive shell would change them itself)
	pty 'expect not a tty' 'modes' 'wait' -- \
		"${RB[@]}" -T --net none "$CNAME" "$ROOTFS" /bin/sh -c 'tty; sleep 1; exit 3'
	assert_success
	[ "$(report)" = "$(printf '%s\n' 'ptyrun: modes icanon on, echo on, isig on' \
		'ptyrun: status 3' 'ptyrun: termios unchanged')" ]
}
