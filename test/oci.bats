#!/usr/bin/env bats
# runb-oci run (Part III): a bundle's config.json, run by runb's engine. What
# config.json asks for is checked from inside the container, as the tests of
# the same runb options check it; the config.json checks that need no root
# (bad JSON, a field runb cannot honour) are in cli.bats. runb-oci is a link
# to runb by that name, made in the test's directory.

load helpers

setup_file() { common_setup_file; }
setup() {
	common_setup
	OCI=$BATS_TEST_TMPDIR/bin/runb-oci
	mkdir -p "${OCI%/*}"
	ln -s "$RUNB" "$OCI"
}
# a test that failed may leave a created container: delete it before the check
teardown() {
	local root
	for root in "$BATS_TEST_TMPDIR/root" /run/runb-oci; do
		[ ! -e "$root/$CNAME" ] || oci --root "$root" delete --force "$CNAME" || true
	done
	common_teardown
}

# bundle PROCESS-FIELDS [MORE-TOP-FIELDS]: a bundle in $B, its rootfs a copy of
# the test's, its config.json what runc spec writes, with PROCESS-FIELDS in
# process and MORE-TOP-FIELDS at the top
bundle() {
	B=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$B"
	[ -d "$B/rootfs" ] || cp -a "$ROOTFS" "$B/rootfs"
	# runc spec's user, cwd and env, unless PROCESS-FIELDS has its own (a key
	# given twice is refused)
	local defaults=
	[[ $1 == *'"user"'* ]] || defaults+='"user": { "uid": 0, "gid": 0 }, '
	[[ $1 == *'"cwd"'* ]] || defaults+='"cwd": "/", '
	[[ $1 == *'"env"'* ]] || defaults+='"env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ], '
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": { "terminal": false, $defaults$1 },
  "root": { "path": "rootfs" },
  "hostname": "oci-host",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
    ${3:-} ],
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
    { "type": "uts" }, { "type": "mount" } ] ${4:-} }
  ${2:-}
}
EOF
}

# runb-oci in the test's network namespace, as rb runs runb
oci() {
	nsenter --net="/run/netns/$NS" "$OCI" "$@"
}

@test "runb-oci run: process.args run in the slides' container, with env, cwd, user and hostname; the exit status passes through" {
	bundle '"args": [ "sh", "-c", "echo \"$GREETING\"; id -u; id -g; pwd; hostname; exit 3" ],
		"env": [ "PATH=/bin", "GREETING=hello from config.json" ], "cwd": "/work",
		"user": { "uid": 1000, "gid": 100 }'
	run oci run --bundle "$B" "$CNAME"
	[ "$status" = 3 ]
	assert_output "hello from config.json
1000
100
/work
oci-host"
	# the bundle as the current directory, as containerd and conmon give it
	bundle '"args": [ "cat", "/etc/hostname" ]'
	run sh -c 'cd "$1" && nsenter --net="/run/netns/$2" "$3" run "$4"' sh "$B" "$NS" "$OCI" "$CNAME"
	assert_success
	assert_output oci-host
}

@test "runb-oci run: root.readonly, a bind (ro) and a tmpfs from mounts, the limits from linux.resources" {
	local data=$BATS_TEST_TMPDIR/data
	mkdir "$data"
	echo host-file >"$data/f"
	# (a JSON string holds no raw newline: the shell lines are joined by ;)
	bundle '"args": [ "sh", "-c", "cat /data/f; touch /data/x 2>/dev/null || echo data-ro; touch /x 2>/dev/null || echo root-ro; touch /scratch/x && echo scratch-rw; grep -w /scratch /proc/mounts | grep -o size=[0-9]*k; grep \"open files\" /proc/self/limits" ],
		"rlimits": [ { "type": "RLIMIT_NOFILE", "soft": 123, "hard": 456 } ]' '' \
		", { \"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$data\", \"options\": [ \"rbind\", \"ro\" ] },
		 { \"destination\": \"/scratch\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ \"size=1m\" ] }" \
		', "resources": { "memory": { "limit": 67108864 }, "pids": { "limit": 42 } }'
	sed -i 's/"path": "rootfs" }/"path": "rootfs", "readonly": true }/' "$B/config.json"
	run oci run --bundle "$B" "$CNAME"
	assert_success
	assert_line --index 0 host-file
	assert_line --index 1 data-ro
	assert_line --index 2 root-ro
	assert_line --index 3 scratch-rw
	assert_line --index 4 size=1024k
	assert_line --index 5 --regexp '^Max open files +123 +456 +files'
	[ ! -e "$data/x" ]
	# the limits, as the container's own /sys/fs/cgroup shows them
	bundle '"args": [ "sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max" ]' '' '' \
		', "resources": { "memory": { "limit": 67108864 }, "pids": { "limit": 42 } }'
	run oci run --bundle "$B" "$CNAME"
	assert_success
	assert_output "67108864
42"
}

@test "runb-oci run: process.capabilities and noNewPrivileges as the spec reads them; missing: none, and no_new_privs off" {
	local caps="grep -E '^(CapBnd|CapEff|CapPrm|CapInh|CapAmb|NoNewPrivs):' /proc/self/status | tr -s '\\\\t' ' '"
	bundle "\"args\": [ \"sh\", \"-c\", \"$caps\" ],
		\"capabilities\": { \"bounding\": [ \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],
		\"effective\": [ \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ], \"permitted\": [ \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ] },
		\"noNewPrivileges\": true"
	run oci run --bundle "$B" "$CNAME"
	assert_success
	assert_output "CapInh: 0000000000000000
CapPrm: 0000000000000420
CapEff: 0000000000000420
CapBnd: 0000000000000420
CapAmb: 0000000000000000
NoNewPrivs: 1"
	# neither field: no capability at all, and no_new_privs not set
	bundle "\"args\": [ \"sh\", \"-c\", \"$caps\" ]"
	run oci run --bundle "$B" "$CNAME"
	assert_success
	assert_line "CapBnd: 0000000000000000"
	assert_line "CapEff: 0000000000000000"
	assert_line "NoNewPrivs: 0"
}

@test "runb-oci --debug: runb's -v trace, slide by slide, after the command line config.json became" {
	bundle '"args": [ "true" ]'
	run oci --debug run --bundle "$B" "$CNAME"
	assert_success
	assert_line --index 0 --regexp "^\[runb\] config\.json -> runb --verbose --cap-drop ALL --pids 0 --hostname oci-host .* --net none --no-tty -- $CNAME $B/rootfs true$"
	assert_line --partial '[slide 25] cgcreate -g cpu,memory,pids:NAME'
	assert_line --partial '[slide 27] unshare --pid --uts --ipc --mount --fork'
	assert_line --partial '[slide 33] capsh -- -c "/bin/bash" -> execve("true")'
	# the network namespace config.json asks for is runb's --net none: lo only
	bundle '"args": [ "sh", "-c", "ls /sys/class/net" ]'
	run oci run --bundle "$B" "$CNAME"
	assert_success
	assert_output lo
}

@test "runb-oci spec, then run: the container runb ID ROOTFS sh gives (hostname runb, SET_CAPS, the pids limit)" {
	local plain
	B=$BATS_TEST_TMPDIR/spec
	mkdir "$B"
	cp -a "$ROOTFS" "$B/rootfs"
	(cd "$B" && "$OCI" spec)
	run oci run --bundle "$B" "$CNAME" <<<'hostname; grep -E "^Cap(Bnd|Eff)" /proc/self/status; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max; exit 4'
	[ "$status" = 4 ]
	plain=$(rb --net none "$CNAME" "$ROOTFS" sh -c 'grep -E "^Cap(Bnd|Eff)" /proc/self/status')
	assert_output "runb
$plain
2048"
}

# caller ID [--tty] [--go FILE]: test/oci-caller, a caller of runb-oci as
# containerd's shim is (a child subreaper; create, state, start, wait, delete),
# in the test's network namespace, its --root in the test's directory
caller() {
	nsenter --net="/run/netns/$NS" "$BATS_TEST_DIRNAME/oci-caller" "$OCI" "$BATS_TEST_TMPDIR/root" "$B" "$@"
}

# ocil ARGS...: runb-oci with the test's --root, its errors in $B/log.json as JSON
ocil() {
	oci --root "$BATS_TEST_TMPDIR/root" --log "$B/log.json" --log-format json "$@"
}

# status_is STATUS: runb-oci state says STATUS of $CNAME
status_is() {
	[[ $(ocil state "$CNAME") == *"\"status\": \"$1\""* ]]
}

# last_error: the last error line of $B/log.json, as containerd's shim reads it
last_error() {
	python3 -c 'import json, sys
last = [l for l in map(json.loads, open(sys.argv[1])) if l["level"] == "error"][-1]
print(last["msg"])' "$B/log.json"
}

@test "runb-oci create, start, state, delete as containerd's shim calls them: set up and waiting, then the caller's child, with the caller's stdio or a pty over --console-socket; nothing left after delete" {
	local shared=$BATS_TEST_TMPDIR/shared wait='while [ ! -e /shared/go ]; do sleep 0.05; done'
	mkdir "$shared"
	bundle "\"args\": [ \"sh\", \"-c\", \"$wait; echo out; echo err >&2; exit 7\" ]" '' \
		", { \"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$shared\", \"options\": [ \"rbind\" ] }"
	run caller "$CNAME" --go "$shared/go"
	assert_success
	assert_output "created created child-of-caller=yes
started running
exit 7
stdout: out
stderr: err
after stopped
deleted 0"
	[ ! -e "$BATS_TEST_TMPDIR/root/$CNAME" ]
	# process.terminal: the pty's master goes to the caller over --console-socket
	rm "$shared/go"
	bundle "\"args\": [ \"sh\", \"-c\", \"$wait; tty; echo hi; exit 4\" ]" '' \
		", { \"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$shared\", \"options\": [ \"rbind\" ] }"
	sed -i 's/"terminal": false/"terminal": true/' "$B/config.json"
	run caller "$CNAME" --tty --go "$shared/go"
	assert_success
	assert_output "created created child-of-caller=yes
started running
console: /dev/pts/0|hi
exit 4
after stopped
deleted 0"
}

@test "runb-oci create: the waiting first process holds its stdio and exec.fifo only, and is not dumpable; start, ps, kill --all, and the errors containerd reads in --log" {
	local pid fds
	bundle '"args": [ "sleep", "100" ], "user": { "uid": 1000, "gid": 1000 }'
	ocil create --bundle "$B" --pid-file "$B/pid" "$CNAME" </dev/null >/dev/null 2>&1
	pid=$(cat "$B/pid")
	fds=$(for fd in /proc/"$pid"/fd/*; do readlink "$fd"; done)
	[ "$fds" = "/dev/null
/dev/null
/dev/null
$BATS_TEST_TMPDIR/root/$CNAME/exec.fifo" ]
	grep -q "^Uid:	1000	" "/proc/$pid/status"
	[ "$(stat -c %u "/proc/$pid/environ")" = 0 ]  # uid 1000's, were it dumpable
	run ocil state "$CNAME"
	assert_success
	assert_line '  "status": "created",'
	assert_line "  \"pid\": $pid,"
	assert_line "  \"bundle\": \"$B\","
	run ocil ps --format json "$CNAME"
	assert_output "[$pid]"
	# created twice: refused, and the first stays as it was
	run ocil create --bundle "$B" "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "create: container $CNAME already exists" ]
	ocil start "$CNAME"
	retry 100 0.05 grep -q '^Name:	sleep' "/proc/$pid/status"
	run ocil state "$CNAME"
	assert_line '  "status": "running",'
	run ocil start "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "start $CNAME: cannot start a container that is running" ]
	run ocil delete "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "delete $CNAME: cannot delete a container that is running (stop it, or --force)" ]
	ocil kill --all "$CNAME" KILL
	retry 100 0.05 status_is stopped
	run ocil kill "$CNAME" 9
	[ "$status" = 125 ]
	[ "$(last_error)" = "kill $CNAME: container not running" ]
	ocil delete "$CNAME"
	run ocil state "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "state: container $CNAME does not exist" ]
}

@test "runb-oci delete --force of a running container, a create that fails (nothing left either way), and the default --root podman's bare state reads" {
	bundle '"args": [ "sleep", "100" ]'
	oci create --bundle "$B" "$CNAME" </dev/null >/dev/null 2>&1
	[ -p "/run/runb-oci/$CNAME/exec.fifo" ]
	oci start "$CNAME"
	run oci state "$CNAME"
	assert_line '  "status": "running",'
	oci delete --force "$CNAME"
	[ ! -e "/run/runb-oci/$CNAME" ]
	# a command config.json names that ROOTFS lacks: create fails, leaves nothing
	bundle '"args": [ "no-such-command" ]'
	run -127 ocil create --bundle "$B" "$CNAME"
	[[ $(last_error) == *no-such-command* ]]
	[ ! -e "$BATS_TEST_TMPDIR/root/$CNAME" ]
}
