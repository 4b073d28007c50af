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
teardown() { common_teardown; }

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
