#!/usr/bin/env bats
# Day two (issue 21): what a detached container keeps until runb rm (its
# record in /var/lib/runb: state, logs), the verbs that read it (ps -a, logs,
# wait, inspect, stats, rm), and what ends or restarts it (stop -s,
# --stop-signal, --restart, --rm, the OOM killer). After each test the host is
# as it was (common_teardown removes the test's records first, as a docker
# user would; the tests below check what runb removes itself).

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }

teardown() {
	local rc=0
	stop_test_containers
	common_teardown || rc=1
	rm -f "$ROOTFS/tmp/$CNAME".*
	return "$rc"
}

REC=/var/lib/runb

# field NAME FIELD: runb ps -a --format's FIELD of NAME (empty when not listed).
field() {
	rbt ps -a --format "{{.Name}}	{{.$2}}" | awk -F '\t' -v n="$1" '$1 == n { print $2 }'
}
state_is() { [ "$(field "$1" State)" = "$2" ]; }

# A shell snippet for a container: wait (at most 30 s) until FILE exists.
wait_file() {
	echo "i=0; while [ ! -e $1 ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done"
}

# logs_apart NAME OUT ERR: runb logs NAME writes exactly OUT on stdout and ERR on stderr.
logs_apart() {
	rbt logs "$1" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || return 1
	[ "$(<"$BATS_TEST_TMPDIR/out")" = "$2" ] || { echo "# stdout: $(<"$BATS_TEST_TMPDIR/out")" >&2; return 1; }
	[ "$(<"$BATS_TEST_TMPDIR/err")" = "$3" ] || { echo "# stderr: $(<"$BATS_TEST_TMPDIR/err")" >&2; return 1; }
}

# json EXPR: python3 evaluates EXPR with d the JSON document on stdin.
json() {
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

# ------------------------------------------------------------------ records

@test "a detached container stopped: its record stays; logs three times, stdout and stderr apart; wait any number of times" {
	rbd "$CNAME" -- sh -c 'trap "echo stopping >&2; exit 0" TERM; echo out-1; echo err-1 >&2; echo out-2; while :; do sleep 0.05; done'
	retry 201 0.05 grep -q 'stdout F out-2' "$REC/$CNAME/container.log"
	run rbt stop "$CNAME"
	assert_success
	assert_output "$CNAME"
	local i
	for i in 1 2 3; do
		logs_apart "$CNAME" "$(printf 'out-1\nout-2')" "$(printf 'err-1\nstopping')"
	done
	for i in 1 2; do
		run rbt wait "$CNAME"
		[ "$status" = 0 ]
	done
	# listed by ps -a as exited (0), not by ps; the record is on disk, nothing in /run
	[[ "$(field "$CNAME" Status)" == "Exited (0) "*" ago" ]]
	[ -z "$(rbt ps --format '{{.Name}}' | grep -x "$CNAME")" ]
	ls "$REC/$CNAME"
	[ -f "$REC/$CNAME/state" ] && [ -f "$REC/$CNAME/container.log" ]
	[ -z "$(ls /run/runb | grep -e "^$CNAME\\.")" ]
	# each line in the CRI log format: TIME STREAM F|P TEXT
	run grep -cE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z (stdout|stderr) F ' "$REC/$CNAME/container.log"
	[ "$output" = 4 ]
	# rm: gone, and so is what the verbs read
	run rbt rm "$CNAME"
	assert_success
	assert_output "$CNAME"
	[ ! -e "$REC/$CNAME" ]
	run rbt logs "$CNAME"
	[ "$status" = 125 ]
	assert_output "runb: logs: no container $CNAME"
	run rbt wait "$CNAME"
	[ "$status" = 125 ]
	run rbt rm "$CNAME"
	[ "$status" = 125 ]
	assert_output "runb: rm: no container $CNAME"
}

@test "a new run of NAME replaces the record of a former one; rm refuses a running one, rm -f kills it" {
	rbd "$CNAME" -- sh -c 'echo first; exit 5'
	run rbt wait "$CNAME"
	[ "$status" = 5 ]
	rbd "$CNAME" -- sh -c "echo second; $(wait_file "/tmp/$CNAME.go"); exit 6"
	retry 201 0.05 state_is "$CNAME" running
	run rbt rm "$CNAME"
	[ "$status" = 125 ]
	assert_output "runb: rm: container $CNAME is running: stop it first (runb stop $CNAME), or rm -f"
	logs_apart "$CNAME" second ""
	touch "$ROOTFS/tmp/$CNAME.go"
	run rbt wait "$CNAME"
	[ "$status" = 6 ]
	# rm -f of a running one: killed (no 10 s stop), removed, nothing left of it
	rbd "$CNAME" -- sleep 60
	retry 201 0.05 state_is "$CNAME" running
	run rbt rm -f "$CNAME"
	assert_success
	assert_output "$CNAME"
	[ ! -e "$REC/$CNAME" ]
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ ! -e "/run/netns/$CNAME" ]
}

@test "--rm: the record goes when the container ends" {
	rbd "$CNAME" --rm -- sh -c 'echo bye'
	retry 201 0.05 test ! -e "$REC/$CNAME"
	retry 201 0.05 test ! -e "/run/runb/$CNAME.lock"
	[ -z "$(rbt ps -a --format '{{.Name}}' | grep -x "$CNAME")" ]
	# the control: without --rm it stays
	rbd "$CNAME-kept" -- sh -c 'echo bye'
	run rbt wait "$CNAME-kept"
	assert_success
	[ -d "$REC/$CNAME-kept" ]
}

@test "200 detached containers started and removed leave nothing behind" {
	local n=200
	seq "$n" | xargs -P 4 -I{} timeout 60 nsenter --net="/run/netns/$NS" "$RUNB" -d --net none \
		"$CNAME-{}" "$ROOTFS" true >"$BATS_TEST_TMPDIR/names"
	[ "$(sort -u "$BATS_TEST_TMPDIR/names" | wc -l)" = "$n" ]
	retry 401 0.05 test "$(rbt ps --filter "name=$CNAME-" -q | wc -l)" = 0
	[ "$(rbt ps -a --filter "name=$CNAME-" -q | wc -l)" = "$n" ]
	[ "$(ls -d "$REC/$CNAME"-* | wc -l)" = "$n" ]
	# shellcheck disable=SC2046 # one argument per name
	run rbt rm $(rbt ps -a --filter "name=$CNAME-" -q)
	assert_success
	[ "${#lines[@]}" = "$n" ]
	[ -z "$(ls -d "$REC/$CNAME"-* /run/runb/"$CNAME"-* /run/netns/"$CNAME"-* 2>/dev/null)" ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -path "*runb/$CNAME-*")" ]
}

@test "a SIGKILLed supervisor: the next verb (ps) sweeps its cgroups, netns name and lock; the record says Exited (137)" {
	rbd "$CNAME" -- sleep 60
	retry 201 0.05 state_is "$CNAME" running
	local sup pid
	sup=$(sed -n 's/^supervisor=//p' "/run/runb/$CNAME.lock")
	pid=$(sed -n 's/^pid=//p' "/run/runb/$CNAME.lock")
	kill -KILL "$sup"
	retry 201 0.05 dead "$pid"  # the watcher kills the container when its runb dies
	[ -e "/run/netns/$CNAME" ]   # left, until a verb sweeps
	run rbt ps -a --format '{{.Name}} {{.State}} {{.ExitCode}}'
	assert_success
	assert_line "$CNAME exited 137"
	[ ! -e "/run/netns/$CNAME" ]
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -path "*runb/$CNAME")" ]
	run rbt wait "$CNAME"
	[ "$status" = 137 ]
}

# --------------------------------------------------------------------- logs

@test "logs: --tail N, -t (each line's time), --since; -d -v keeps runb's own lines out of the container's log" {
	rbd "$CNAME" -v -- sh -c "echo early-1; echo early-2 >&2; $(wait_file "/tmp/$CNAME.go"); echo late-1; echo late-2"
	retry 201 0.05 grep -q 'early-2' "$REC/$CNAME/container.log"
	sleep 0.05
	local mark
	mark=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
	sleep 0.05
	touch "$ROOTFS/tmp/$CNAME.go"
	run rbt wait "$CNAME"
	assert_success
	run rbt logs --tail 2 "$CNAME"
	assert_output "$(printf 'late-1\nlate-2')"
	run rbt logs -n 0 "$CNAME"
	assert_output ""
	run rbt logs --since "$mark" "$CNAME"
	assert_output "$(printf 'late-1\nlate-2')"
	run rbt logs --since 1h "$CNAME"
	[ "${#lines[@]}" = 4 ]
	run rbt logs -t "$CNAME"
	assert_line --regexp '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{9}Z late-2$'
	[ "${#lines[@]}" = 4 ]
	run rbt logs --since yesterday "$CNAME"
	[ "$status" = 125 ]
	# -v: the trace is runb's, on the caller's stderr or in runb.log, never in container.log
	[ "$(grep -c . "$REC/$CNAME/container.log")" = 4 ]
	! grep -q 'slide\|runb' "$REC/$CNAME/container.log"
	[ -s "$REC/$CNAME/runb.log" ]
}

@test "logs: a part of a line (no newline yet) joins the rest; a foreground container has none" {
	rbd "$CNAME" -- sh -c 'printf "one-"; sleep 0.2; echo line; printf "no-newline-at-the-end"'
	run rbt wait "$CNAME"
	assert_success
	grep -q 'stdout P one-' "$REC/$CNAME/container.log"
	run rbt logs "$CNAME"
	assert_output "$(printf 'one-line\nno-newline-at-the-end')"
	CNAME=$CNAME-fg rb_bg --net none "$CNAME-fg" "$ROOTFS" sleep 30
	retry 201 0.05 state_is "$CNAME-fg" running
	run rbt logs "$CNAME-fg"
	[ "$status" = 125 ]
	assert_output "runb: logs: $CNAME-fg runs in the foreground: its output goes to its runb's terminal"
	rbt kill "$CNAME-fg"
	rb_wait || true
}

@test "log rotation: --log-opt max-size, max-file bound the disk; the newest lines kept in order" {
	rbd "$CNAME" --log-opt max-size=64k --log-opt max-file=3 -- sh -c 'i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i + 1)); done; echo the-last-line'
	run rbt wait "$CNAME"
	assert_success
	ls -l "$REC/$CNAME"
	[ -f "$REC/$CNAME/container.log.2" ]
	[ ! -e "$REC/$CNAME/container.log.3" ]
	local f total=0
	for f in "$REC/$CNAME"/container.log*; do
		[ "$(stat -c %s "$f")" -le 65536 ]
		total=$((total + $(stat -c %s "$f")))
	done
	[ "$total" -le $((3 * 65536)) ]
	rbt logs "$CNAME" >"$BATS_TEST_TMPDIR/all"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/all")" = the-last-line ]
	[ "$(tail -n 2 "$BATS_TEST_TMPDIR/all" | head -n 1)" = line-19999 ]
	# what is kept is the end of the output, in order, with nothing missing in between
	local first
	first=$(head -n 1 "$BATS_TEST_TMPDIR/all" | sed 's/^line-//')
	[ "$first" -gt 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/all")" = $((20000 - first + 1)) ]
	run rbt --log-opt max-file=0 "$CNAME-x" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: invalid --log-opt 'max-file=0': expected max-size=SIZE (k, m, g) or max-file=N (1 to 100)"
}

# ----------------------------------------------------------------- stopping

@test "--stop-signal INT: runb stop ends a postgres-like service cleanly (0, not SIGKILL's 137)" {
	# postgres: SIGTERM is "smart shutdown", which waits for clients; SIGINT is "fast"
	local svc='trap "echo smart-shutdown-waits" TERM; trap "echo fast-shutdown; exit 0" INT; echo ready; while :; do sleep 0.05; done'
	rbd "$CNAME" --stop-signal INT --stop-timeout 30 -- sh -c "$svc"
	retry 201 0.05 grep -q ready "$REC/$CNAME/container.log"
	run rbt stop "$CNAME"
	assert_success
	run rbt wait "$CNAME"
	[ "$status" = 0 ]
	logs_apart "$CNAME" "$(printf 'ready\nfast-shutdown')" ""
	[ "$(rbt inspect "$CNAME" | json 'd[0]["Config"]["StopSignal"]')" = SIGINT ]
	# stop -s INT does the same for a container started without it
	rbd "$CNAME-s" --stop-timeout 30 -- sh -c "$svc"
	retry 201 0.05 grep -q ready "$REC/$CNAME-s/container.log"
	run rbt stop -s INT "$CNAME-s"
	assert_success
	run rbt wait "$CNAME-s"
	[ "$status" = 0 ]
	# the control: the default, TERM, is what this service does not end on: SIGKILL at -t 1
	rbd "$CNAME-t" -- sh -c "$svc"
	retry 201 0.05 grep -q ready "$REC/$CNAME-t/container.log"
	run rbt stop -t 1 "$CNAME-t"
	assert_success
	run rbt wait "$CNAME-t"
	[ "$status" = 137 ]
	grep -q smart-shutdown-waits "$REC/$CNAME-t/container.log"
	run rbt --stop-signal NOPE "$CNAME-x" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --partial "--stop-signal: invalid signal 'NOPE'"
}

# ------------------------------------------------------------------ restart

# A command that fails twice, then succeeds: its count in the rootfs.
third_time_lucky() {
	echo "n=\$(cat /tmp/$CNAME.n 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >/tmp/$CNAME.n; echo run \$n; [ \$n -ge 3 ]"
}

@test "--restart on-failure: a command that fails twice then succeeds runs three times; on-failure:1 gives up" {
	rbd "$CNAME" --restart on-failure -- sh -c "$(third_time_lucky)"
	run rbt wait "$CNAME"
	[ "$status" = 0 ]
	logs_apart "$CNAME" "$(printf 'run 1\nrun 2\nrun 3')" ""
	[ "$(field "$CNAME" Restarts)" = 2 ]
	[ "$(rbt inspect "$CNAME" | json 'd[0]["RestartCount"], d[0]["HostConfig"]["RestartPolicy"]["Name"]')" = "2 on-failure" ]
	# the supervisor said so in its own log, with the back-off: 100 ms, then 200
	grep -q 'exited with 1; restart 1 in 100 ms' "$REC/$CNAME/runb.log"
	grep -q 'exited with 1; restart 2 in 200 ms' "$REC/$CNAME/runb.log"
	rm -f "$ROOTFS/tmp/$CNAME.n"
	rbd "$CNAME-1" --restart on-failure:1 -- sh -c "$(CNAME=$CNAME third_time_lucky)"
	run rbt wait "$CNAME-1"
	[ "$status" = 1 ]
	[ "$(field "$CNAME-1" Restarts)" = 1 ]
	[ "$(cat "$ROOTFS/tmp/$CNAME.n")" = 2 ]
	# the default, no: once
	rm -f "$ROOTFS/tmp/$CNAME.n"
	rbd "$CNAME-no" -- sh -c "$(CNAME=$CNAME third_time_lucky)"
	run rbt wait "$CNAME-no"
	[ "$status" = 1 ]
	[ "$(cat "$ROOTFS/tmp/$CNAME.n")" = 1 ]
}

# restarts_at_least NAME N: ps says NAME has restarted N times or more.
restarts_at_least() { [ "$(field "$1" Restarts)" -ge "$2" ]; }

@test "--restart always: restarts even after 0, never after runb stop (running or restarting)" {
	rbd "$CNAME" --restart always -- sh -c 'echo up; sleep 0.3'
	retry 201 0.05 restarts_at_least "$CNAME" 2
	run rbt stop "$CNAME"
	assert_success
	run rbt wait "$CNAME"
	[ "$(field "$CNAME" State)" = exited ]
	local n
	n=$(field "$CNAME" Restarts)
	sleep 1
	[ "$(field "$CNAME" Restarts)" = "$n" ]
	[ "$(field "$CNAME" State)" = exited ]
	# stopped while it waits to restart (a command that fails at once; the back-off grows)
	rbd "$CNAME-r" --restart always -- sh -c 'exit 1'
	retry 201 0.05 state_is "$CNAME-r" restarting
	run rbt stop "$CNAME-r"
	assert_success
	run rbt wait "$CNAME-r"
	[ "$status" = 1 ]
	n=$(field "$CNAME-r" Restarts)
	sleep 0.5
	[ "$(field "$CNAME-r" Restarts)" = "$n" ]
	# no --restart without -d, nor with --rm
	run rbt --restart always "$CNAME-x" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --restart needs -d: the supervisor that restarts the command is -d's"
	run rbt -d --rm --restart always "$CNAME-x" "$ROOTFS" true
	[ "$status" = 125 ]
	[ ! -e "$REC/$CNAME-x" ]
}

@test "--restart and --volume: each run mounts the HOST runb opened at the start, whatever the container did to its path" {
	# harmless: every path is the test's own. Run 1 replaces the bind's HOST
	# path (seen through the outer volume) with a link to another directory of
	# the test's; run 2 must still get the original directory.
	local d=$BATS_TEST_TMPDIR/vol
	mkdir -p "$d/shared/sub" "$d/other"
	echo original >"$d/shared/sub/who"
	echo other >"$d/other/who"
	rbd "$CNAME" --restart on-failure:1 --volume "$d/shared:/shared" --volume "$d/shared/sub:/sub" -- \
		sh -c "cat /sub/who; if [ ! -e /tmp/$CNAME.swapped ]; then touch /tmp/$CNAME.swapped; mv /shared/sub /shared/sub.was; ln -s $d/other /shared/sub; exit 1; fi"
	run rbt wait "$CNAME"
	[ "$status" = 0 ]
	[ -L "$d/shared/sub" ]  # the container did swap it
	logs_apart "$CNAME" "$(printf 'original\noriginal')" ""
	[ "$(field "$CNAME" Restarts)" = 1 ]
}

# ---------------------------------------------------------------------- OOM

@test "the OOM killer: one line naming the limit, 137, and the record says OOMKilled" {
	local hog='x=a; while :; do x="$x$x"; done'
	run --separate-stderr rbt --net none -m 8m "$CNAME" "$ROOTFS" sh -c "$hog"
	[ "$status" = 137 ]
	[ "$stderr" = "runb: $CNAME: killed by the OOM killer (memory limit 8 MiB)" ]
	rbd "$CNAME-d" -m 16m -- sh -c "$hog"
	run rbt wait "$CNAME-d"
	[ "$status" = 137 ]
	[ "$(rbt inspect "$CNAME-d" | json 'd[0]["State"]["OOMKilled"]')" = True ]
	grep -qx "runb: $CNAME-d: killed by the OOM killer (memory limit 16 MiB)" "$REC/$CNAME-d/runb.log"
	# the control: killed, but not by the OOM killer
	rbd "$CNAME-k" -m 16m -- sleep 60
	retry 201 0.05 state_is "$CNAME-k" running
	rbt kill "$CNAME-k"
	run rbt wait "$CNAME-k"
	[ "$status" = 137 ]
	[ "$(rbt inspect "$CNAME-k" | json 'd[0]["State"]["OOMKilled"]')" = False ]
	[ ! -s "$REC/$CNAME-k/runb.log" ] || ! grep -q OOM "$REC/$CNAME-k/runb.log"
}

# ------------------------------------------------ ps, inspect, stats

@test "ps: -a, -q, --filter, --format json, a STATUS column, columns that fit a long name" {
	local long=$CNAME-a-rather-long-name-of-forty-chars
	rbd "$long" -- sleep 60
	rbd "$CNAME-x" -- sh -c 'exit 3'
	run rbt wait "$CNAME-x"
	[ "$status" = 3 ]
	retry 201 0.05 state_is "$long" running
	run rbt ps
	assert_success
	echo "$output"
	[ "$(head -n 1 <<<"$output" | tr -s ' ')" = "NAME STATUS PID IP ROOTFS COMMAND" ]
	# STATUS starts three spaces after the longest name, in every line
	local col=$((${#long} + 3))
	assert_line --regexp "^$long   Up [A-Za-z0-9 ]+ +[0-9]+ +- +$ROOTFS +sleep 60\$"
	[ "$(head -n 1 <<<"$output" | cut -c $((col + 1))-$((col + 6)))" = STATUS ]
	refute_line --partial "$CNAME-x"
	run rbt ps -a
	assert_line --regexp "^$CNAME-x +Exited \\(3\\) [A-Za-z0-9 ]+ ago +- +- +$ROOTFS +sh -c exit 3\$"
	run rbt ps -a -q --filter "name=$CNAME"
	assert_success
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$long" "$CNAME-x" | sort)" ]
	run rbt ps -a -q --filter status=exited
	assert_line "$CNAME-x"
	refute_line "$long"
	run rbt ps -a --filter "name=$CNAME" --format json
	assert_success
	[ "${#lines[@]}" = 2 ]
	local l
	for l in "${lines[@]}"; do
		python3 -c 'import json, sys; json.loads(sys.argv[1])' "$l"
	done
	[ "$(rbt ps -a --format json --filter "name=$CNAME-x" | json 'd["State"], d["ExitCode"], d["Status"][:10]')" = "exited 3 Exited (3)" ]
	run rbt ps --filter nope=1
	[ "$status" = 125 ]
}

@test "inspect: the record as JSON that python3 -m json.tool reads back; an unknown NAME is 125" {
	rbd "$CNAME" -e 'WITH="quotes" and \backslash' -w /tmp --restart on-failure:2 -m 32m -- sh -c 'echo "a \"quoted\" arg"; exit 0'
	run rbt wait "$CNAME"
	assert_success
	rbt inspect "$CNAME" >"$BATS_TEST_TMPDIR/inspect.json"
	python3 -m json.tool "$BATS_TEST_TMPDIR/inspect.json" >/dev/null
	local got
	got=$(json 'd[0]["Name"], d[0]["State"]["Status"], d[0]["State"]["ExitCode"], d[0]["Config"]["WorkingDir"], d[0]["HostConfig"]["Memory"], d[0]["HostConfig"]["RestartPolicy"]["MaximumRetryCount"], d[0]["Path"]' <"$BATS_TEST_TMPDIR/inspect.json")
	[ "$got" = "$CNAME exited 0 /tmp 33554432 2 sh" ]
	json '[e for e in d[0]["Config"]["Env"] if e.startswith("WITH=")][0]' <"$BATS_TEST_TMPDIR/inspect.json" | grep -qxF 'WITH="quotes" and \backslash'
	[ "$(json 'd[0]["Args"][1]' <"$BATS_TEST_TMPDIR/inspect.json")" = 'echo "a \"quoted\" arg"; exit 0' ]
	[ "$(json 'd[0]["LogPath"]' <"$BATS_TEST_TMPDIR/inspect.json")" = "$REC/$CNAME/container.log" ]
	run rbt inspect "$CNAME" "$CNAME-nosuch"
	[ "$status" = 125 ]
}

@test "stats --no-stream: CPU %, memory use and limit, pids, from the cgroups; a NAME that does not run is 125" {
	rbd "$CNAME" -m 64m --pids 100 -- sh -c 'sleep 60 & sleep 60 & while :; do :; done'
	retry 201 0.05 state_is "$CNAME" running
	run rbt stats --no-stream "$CNAME"
	assert_success
	echo "$output"
	[ "$(head -n 1 <<<"$output" | tr -s ' ')" = "NAME CPU % MEM USAGE / LIMIT MEM % PIDS" ]
	# a busy loop: CPU above 10 % of one CPU; 64 MiB the limit; three processes
	assert_line --regexp "^$CNAME +[0-9.]+% +[0-9.]+[KMG]?i?B / 64MiB +[0-9.]+% +3\$"
	local cpu
	cpu=$(awk -v n="$CNAME" '$1 == n { sub(/%/, "", $2); print int($2) }' <<<"$output")
	[ "$cpu" -ge 10 ]
	run rbt stats --no-stream
	assert_line --regexp "^$CNAME "
	run rbt stats --no-stream "$CNAME-nosuch"
	[ "$status" = 125 ]
	assert_output "runb: stats: no running container $CNAME-nosuch"
}

@test "-d: the supervisor keeps none of its caller's files (a lock the caller held is free once runb -d returns)" {
	local lock=$BATS_TEST_TMPDIR/lock
	# fd 9 is the caller's, locked: runb -d inherits it
	( flock 9 && rbd "$CNAME" -- sleep 30 ) 9>"$lock"
	[ "$(field "$CNAME" State)" = running ]
	run flock -n "$lock" true
	rbt rm -f "$CNAME" >/dev/null
	[ "$status" = 0 ] || fail "the caller's lock is still held, by the supervisor of $CNAME"
}
