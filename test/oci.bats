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
	# start returns once PID 1 has exec'd: no longer runb's code, as exec requires
	grep -q '^Name:	sleep' "/proc/$pid/status"
	[ "$(readlink "/proc/$pid/exe")" != "$(readlink -f "$RUNB")" ]
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

@test "runb-oci: linux.seccomp compiled to BPF: each comparison on all 64 bits, conditions ANDed, rules in order, an unknown name skipped, errnoRet and defaultErrnoRet, KILL_PROCESS" {
	local rule profile calls sc=/usr/local/bin/scall
	# rule NAME ARGS ERRNO: SCMP_ACT_ERRNO with ERRNO for NAME when ARGS (conditions) hold
	rule() { echo "{ \"names\": [ $1 ], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": $3, \"args\": [ $2 ] }"; }
	profile="\"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [ \"SCMP_ARCH_X86_64\" ], \"syscalls\": [
		$(rule '"getpid"' '{ "index": 0, "value": 4294967301, "op": "SCMP_CMP_EQ" }' 101),
		$(rule '"getppid"' '{ "index": 1, "value": 7, "op": "SCMP_CMP_NE" }' 102),
		$(rule '"getuid"' '{ "index": 2, "value": 4294967296, "op": "SCMP_CMP_LT" }' 103),
		$(rule '"geteuid"' '{ "index": 3, "value": 10, "op": "SCMP_CMP_LE" }' 104),
		$(rule '"getgid"' '{ "index": 4, "value": 4294967296, "op": "SCMP_CMP_GT" }' 105),
		$(rule '"getegid"' '{ "index": 5, "value": 20, "op": "SCMP_CMP_GE" }' 106),
		$(rule '"gettid"' '{ "index": 0, "value": 1095216660735, "valueTwo": 77309411380, "op": "SCMP_CMP_MASKED_EQ" }' 107),
		$(rule '"getpgrp"' '{ "index": 0, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 1, "value": 2, "op": "SCMP_CMP_EQ" }' 108),
		$(rule '"getpgrp"' '{ "index": 0, "value": 1, "op": "SCMP_CMP_EQ" }' 109),
		{ \"names\": [ \"no_such_call\", \"getsid\" ], \"action\": \"SCMP_ACT_ERRNO\" },
		{ \"names\": [ \"sched_yield\" ], \"action\": \"SCMP_ACT_KILL_PROCESS\" } ] }"
	# NAME ARGS... -> the errno the profile gives (0: allowed)
	calls='getpid 5; getpid 0x100000005; getpid 0x200000005
getppid 0 7; getppid 0 8; getppid 0 0x100000007
getuid 0 0 0xffffffff; getuid 0 0 0x100000000
geteuid 0 0 0 10; geteuid 0 0 0 11; geteuid 0 0 0 0x10000000a
getgid 0 0 0 0 0x100000001; getgid 0 0 0 0 0x100000000; getgid 0 0 0 0 0xffffffff; getgid 0 0 0 0 0x200000000
getegid 0 0 0 0 0 20; getegid 0 0 0 0 0 19; getegid 0 0 0 0 0 0x100000000
gettid 0x12ab000034; gettid 0x1300000034; gettid 0x12ab000035
getpgrp 1 2; getpgrp 1 3; getpgrp 2 2
getsid 0'
	calls=$(tr '\n' ';' <<<"$calls" | sed "s|\([a-z_]*\) \([^;]*\)|$sc \1 \2|g; s/;/; /g")
	bundle "\"args\": [ \"sh\", \"-c\", \"$calls $sc sched_yield; echo killed=\$?\" ]" '' '' ", $profile"
	run oci run --bundle "$B" "$CNAME"
	assert_success
	# EPERM (1) is the errno of an ERRNO rule without errnoRet, as runc gives it
	[ "$(tr '\n' ' ' <<<"$output")" = "0 101 0 0 102 102 103 0 104 0 0 105 0 0 105 106 0 106 107 0 0 108 109 0 1 Bad system call killed=159 " ]
	# a profile that answers the user switch with errno 0 (before it, without
	# no_new_privs): the switch did not take, and create says so
	bundle '"args": [ "id" ], "user": { "uid": 1000, "gid": 1000 }' '' '' \
		', "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "setresuid", "setresgid", "setgroups", "capset" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 0 } ] }'
	run oci run --bundle "$B" "$CNAME"
	[ "$status" = 125 ]
	[[ $output == *"runb: capsh --uid=1000 --gid=1000: the switch did not take (a seccomp profile answering setresuid, setgroups or capset?)"* ]]
	# defaultAction ERRNO with defaultErrnoRet: a call no rule names gets it
	bundle "\"args\": [ \"sh\", \"-c\", \"$sc getpid 5; $sc getppid\" ]" '' '' \
		', "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "getppid" ], "action": "SCMP_ACT_ERRNO" } ] }'
	run oci run --bundle "$B" "$CNAME"
	assert_output "0
1"
}

@test "runb-oci hooks: prestart and createRuntime at create, poststart after start, poststop after delete, each with the state on stdin; a failed or slow prestart fails create and leaves nothing" {
	local h=$BATS_TEST_TMPDIR/hooks pid
	mkdir "$h"
	# hook KIND [SH]: a hook that keeps its stdin, its environment and args in $h/KIND
	hook() {
		echo "{ \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"cat >$h/$1.json; echo \$X \$0 \$PWD >$h/$1.env; ${2:-true}\", \"arg0\" ], \"env\": [ \"X=from-config\" ] }"
	}
	bundle '"args": [ "sleep", "100" ]' ", \"hooks\": { \"prestart\": [ $(hook prestart) ], \"createRuntime\": [ $(hook createRuntime) ],
		\"poststart\": [ $(hook poststart) ], \"poststop\": [ $(hook poststop) ] }"
	ocil create --bundle "$B" --pid-file "$B/pid" "$CNAME" </dev/null >/dev/null 2>&1
	pid=$(cat "$B/pid")
	json() { python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(s["id"], s["status"], s["pid"], s["bundle"])' "$h/$1.json"; }
	[ "$(json prestart)" = "$CNAME created $pid $B" ]
	[ "$(json createRuntime)" = "$CNAME created $pid $B" ]
	[ "$(cat "$h/prestart.env")" = "from-config arg0 $B" ]  # its cwd the bundle, never ROOTFS
	[ ! -e "$h/poststart.json" ]
	ocil start "$CNAME"
	[ "$(json poststart)" = "$CNAME running $pid $B" ]
	ocil delete --force "$CNAME"
	[ "$(json poststop)" = "$CNAME stopped 0 $B" ]
	# a prestart hook that fails: create fails, and what it made is gone (teardown checks)
	bundle '"args": [ "true" ]' ", \"hooks\": { \"prestart\": [ $(hook prestart 'exit 3') ] }"
	run ocil create --bundle "$B" "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "hooks.prestart[0]: failed" ]
	[ ! -e "$BATS_TEST_TMPDIR/root/$CNAME" ]
	# one that outlasts its timeout is killed, and fails create too
	bundle '"args": [ "true" ]' ", \"hooks\": { \"prestart\": [ { \"path\": \"/bin/sleep\", \"args\": [ \"sleep\", \"60\" ], \"timeout\": 1 } ] }"
	run ocil create --bundle "$B" "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "hooks.prestart[0]: ran out of time, killed" ]
	[ ! -e "$BATS_TEST_TMPDIR/root/$CNAME" ]
}

@test "runb-oci: a PID that came round again is not the container's (state.json's start time differs): stopped, and kill signals nothing" {
	local pid state=$BATS_TEST_TMPDIR/root/$CNAME/state.json
	bundle '"args": [ "sleep", "100" ]'
	ocil create --bundle "$B" --pid-file "$B/pid" "$CNAME" </dev/null >/dev/null 2>&1
	pid=$(cat "$B/pid")
	ocil start "$CNAME"
	# the same PID and PID namespace, another start time: as a reused PID would be
	cp "$state" "$B/state.json"
	sed -i 's/"started":\([0-9]*\)/"started":1\1/' "$state"
	status_is stopped
	run ocil kill "$CNAME" KILL
	[ "$status" = 125 ]
	[ "$(last_error)" = "kill $CNAME: container not running" ]
	kill -0 "$pid"
	cp "$B/state.json" "$state"
	status_is running
	ocil delete --force "$CNAME"
}

@test "runb-oci: linux.sysctl, additionalGids exactly (none from ROOTFS's /etc/group), memory.swap, cpu.shares, docker's device rules" {
	bundle '"args": [ "sh", "-c", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni; id -G; cat /sys/fs/cgroup/memory.swap.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes; head -c 4 /dev/zero | wc -c; cat /sys/fs/cgroup/cpu.weight 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.shares" ],
		"user": { "uid": 1000, "gid": 1000, "additionalGids": [ 5, 7 ] }' '' '' \
		', "sysctl": { "net.ipv4.ip_unprivileged_port_start": "80", "kernel.shmmni": "1234" },
		"resources": { "memory": { "limit": 67108864, "swap": 134217728 }, "cpu": { "shares": 512 }, "devices": [ { "allow": false, "access": "rwm" },
		{ "allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm" }, { "allow": true, "type": "c", "major": 5, "minor": 1, "access": "rwm" },
		{ "allow": false, "type": "c", "major": 10, "minor": 229, "access": "rwm" } ] }'
	# user 1000 is a member of group 0 in ROOTFS's /etc/group: config.json does not ask for it
	echo "u:x:1000:1000::/:/bin/sh" >>"$B/rootfs/etc/passwd"
	echo "wheelish:x:4242:u" >>"$B/rootfs/etc/group"
	run oci run --bundle "$B" "$CNAME"
	assert_success
	[ "${lines[0]}" = 80 ]
	[ "${lines[1]}" = 1234 ]
	[ "${lines[2]}" = "1000 5 7" ]
	[[ ${lines[3]} == 67108864 || ${lines[3]} == 134217728 ]]  # v2: swap alone; v1: both
	[ "${lines[4]}" = 4 ]
	[[ ${lines[5]} == 512 || ${lines[5]} == 20 ]]  # v1's shares; v2's weight, as runc converts
}

@test "runb-oci exec --process: the process's args, env, cwd, user and capabilities; the status passes through; --detach leaves it to the caller with --pid-file; the container's seccomp profile applies" {
	local pid
	bundle '"args": [ "sleep", "100" ]' '' '' \
		', "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "getppid" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 42 } ] }'
	ocil create --bundle "$B" --pid-file "$B/pid" "$CNAME" </dev/null >/dev/null 2>&1
	run ocil exec --process /dev/null "$CNAME"
	[ "$status" = 125 ]
	[ "$(last_error)" = "exec $CNAME: container not running" ]
	ocil start "$CNAME"
	cat >"$B/process.json" <<-'EOF'
	{ "args": [ "sh", "-c", "pwd; echo $GREETING; id; grep CapEff /proc/self/status; /usr/local/bin/scall getppid; umask; cat /proc/self/oom_score_adj; exit 6" ],
	  "env": [ "PATH=/bin", "GREETING=hello from exec" ], "cwd": "/tmp",
	  "user": { "uid": 1000, "gid": 1000, "umask": 23 }, "oomScoreAdj": 300,
	  "capabilities": { "bounding": [ "CAP_KILL" ], "effective": [ "CAP_KILL" ], "permitted": [ "CAP_KILL" ] } }
	EOF
	run ocil exec --process "$B/process.json" "$CNAME"
	[ "$status" = 6 ]
	assert_output "/tmp
hello from exec
uid=1000 gid=1000
CapEff:	0000000000000000
42
0027
300"
	# --detach: runb-oci goes, the process stays, its pid in --pid-file
	echo '{ "args": [ "sleep", "100" ], "cwd": "/" }' >"$B/process.json"
	ocil exec --detach --pid-file "$B/exec.pid" --process "$B/process.json" "$CNAME" </dev/null >/dev/null 2>&1
	pid=$(cat "$B/exec.pid")
	grep -q '^Name:	sleep' "/proc/$pid/status"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(cat "$B/pid")/ns/pid")" ]
	run ocil ps --format json "$CNAME"
	assert_output "[$(cat "$B/pid"),$pid]"
	ocil delete --force "$CNAME"
	retry 100 0.05 sh -c '! grep -qs "^State:	S" "/proc/$1/status"' sh "$pid"
}

@test "runb-oci pause and resume: the cgroup frozen and thawed, state paused then running (cgroup v2); on v1 refused in one line" {
	bundle '"args": [ "sleep", "100" ]'
	ocil create --bundle "$B" "$CNAME" </dev/null >/dev/null 2>&1
	ocil start "$CNAME"
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
		run ocil pause "$CNAME"
		[ "$status" = 125 ]
		[ "$(last_error)" = "pause $CNAME: runb freezes on cgroup v2 only (its v1 cgroups have no freezer)" ]
		status_is running
	else
		ocil pause "$CNAME"
		grep -qx 'frozen 1' "/sys/fs/cgroup/runb/$CNAME/cgroup.events"
		status_is paused
		run ocil delete "$CNAME"
		[ "$(last_error)" = "delete $CNAME: cannot delete a container that is paused (stop it, or --force)" ]
		run ocil pause "$CNAME"
		[ "$(last_error)" = "pause $CNAME: container not running" ]
		ocil resume "$CNAME"
		grep -qx 'frozen 0' "/sys/fs/cgroup/runb/$CNAME/cgroup.events"
		status_is running
	fi
	ocil delete --force "$CNAME"
}
