#!/usr/bin/env bats
# runb-oci under podman (README, "Using runb from docker, podman and
# containerd"): Debian's podman and conmon, with a --root, --runroot and
# containers.conf of the test file's own, each command run in the test's
# network namespace. Every command runs under runc and then under runb-oci (and
# under crun as well on cgroup v2, where crun runs), and the results must be
# equal. The image is the test's busybox rootfs, podman import'ed: no registry.

load helpers

# podman ARGS...: the test's podman, from the test's network namespace
podman() {
	CONTAINERS_CONF=$PM/containers.conf nsenter --net="/run/netns/$NS" /usr/bin/podman \
		--root "$PM/storage" --runroot "$PM/run" --storage-driver vfs "$@"
}

setup_file() {
	common_setup_file
	export PM=$BATS_FILE_TMPDIR/podman RTS="runc runb"
	# crun 1.8 refuses this machine's hybrid cgroups; on cgroup v2 it runs
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || RTS="runc crun runb"
	mkdir -p "$PM/bin" "$PM/tmp"
	ln -s "$RUNB" "$PM/bin/runb-oci"
	# what podman, conmon and runc make outside the test's directories, removed after if new
	local f
	for f in /var/lib/containers /run/runc /run/crun /run/libpod /run/containers; do
		[ -e "$f" ] || echo "$f" >>"$PM/new-dirs"
	done
	compgen -G "/sys/fs/cgroup/libpod_parent" >/dev/null ||
		compgen -G "/sys/fs/cgroup/*/libpod_parent" >/dev/null || touch "$PM/no-libpod-cgroup"
	# podman asks for nofile 1048576 by default, which needs CAP_SYS_RESOURCE (this
	# machine's bounding set lacks it, and runc fails there too): limits below any
	# machine's, which every runtime can set
	cat >"$PM/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
		log_driver = "k8s-file"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PM/events.log"
		tmp_dir = "$PM/tmp"
		image_copy_tmp_dir = "$PM/tmp"
		volume_path = "$PM/volumes"
		static_dir = "$PM/static"
		[engine.runtimes]
		runb = ["$PM/bin/runb-oci"]
		[network]
		network_config_dir = "$PM/cni"
	EOF
	NS=rbpm$$
	ip netns add "$NS"
	tar -C "$ROOTFS" -c . | podman import - rbbox:1 >/dev/null
	ip netns del "$NS"
}

teardown_file() {
	local f
	while read -r f; do rm -rf "$f"; done <"$PM/new-dirs" 2>/dev/null || true
	[ ! -e "$PM/no-libpod-cgroup" ] ||
		rmdir /sys/fs/cgroup/libpod_parent/conmon /sys/fs/cgroup/*/libpod_parent/conmon \
			/sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true
}

setup() { common_setup; }
teardown() {
	local rt
	for rt in $RTS; do podman rm -f -t 0 "r$CNAME-$rt" >/dev/null 2>&1 || true; done
	common_teardown
}

# each CMD...: run "podman CMD..." with RT replaced by each runtime of $RTS; $runc,
# $crun and $runb hold each one's status and output, as "STATUS: OUTPUT", where
# the name r$CNAME-RT is NAME; $same says whether they are all equal
each() {
	local rt out st
	same=true
	for rt in $RTS; do
		st=0
		out=$(podman "${@/RT/$rt}" 2>&1) || st=$?
		out=${out//r$CNAME-$rt/NAME}  # a container's name, as its runtime's
		printf -v "$rt" '%s: %s' "$st" "$out"
		echo "$rt: $st: $out"  # what a failed test shows
		[ "${!rt}" = "$runc" ] || same=false
	done
}

@test "podman run --runtime runb: status, stdout and stderr, stdin, -t, --user, --cap-drop, --read-only, -m, --pids-limit, a volume, umask, --network ns:PATH: as with runc" {
	local data=$BATS_TEST_TMPDIR/data
	mkdir "$data"
	echo from-host >"$data/f"
	each run --rm --network none --runtime RT rbbox:1 sh -c 'echo out; umask; exit 3'
	[ "$runb" = "3: out
0022" ]
	$same
	runb=$(podman run --rm --network none --runtime runb rbbox:1 sh -c 'echo err >&2' 2>&1 >/dev/null)
	[ "$runb" = err ]
	runc=$(echo from-stdin | podman run -i --rm --network none --runtime runc rbbox:1 cat)
	runb=$(echo from-stdin | podman run -i --rm --network none --runtime runb rbbox:1 cat)
	[ "$runb" = from-stdin ]
	[ "$runb" = "$runc" ]
	each run --rm -t --network none --runtime RT rbbox:1 tty
	[[ $runb == "0: /dev/pts/0"* ]]
	$same
	# --read-only: podman adds tmpfs on /run, /tmp and /var/tmp, with what was there copied in
	each run --rm --network none --runtime RT --user 1000:1000 --cap-drop ALL --read-only -m 64m \
		--pids-limit 50 -v "$data:/data:ro" rbbox:1 sh -c 'id; grep -E "^Cap(Eff|Bnd)" /proc/self/status;
		touch /x 2>&1; touch /tmp/y && echo tmp-writable; ls -ld /run /tmp /var/tmp | cut -c1-10;
		cat /data/f; touch /data/y 2>&1;
		cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 2>/dev/null ||
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
	[[ $runb == "0: uid=1000(1000) gid=1000(1000) groups=1000(1000)"* ]]
	[[ $runb == *"/x: Read-only file system"*"tmp-writable"*"from-host"* ]]
	[[ $runb == *"67108864"*"50" ]]
	$same
	# --network ns:PATH: the test's own namespace, joined
	each run --rm --network "ns:/run/netns/$NS" --runtime RT rbbox:1 readlink /proc/self/ns/net
	[ "$runb" = "0: net:[$(stat -L -c %i "/run/netns/$NS")]" ]
	$same
	# a command that is not there: 127, as podman maps runc's error
	each run --rm --network none --runtime RT rbbox:1 no-such-command
	[[ $runb == 127:* ]]
	[[ $runc == 127:* ]]
}

@test "podman run -d --runtime runb, then exec (-t, -u, -i, a status), logs, stop, kill, rm: as with runc" {
	local rt
	for rt in $RTS; do
		podman run -d --name "r$CNAME-$rt" --network none --runtime $rt rbbox:1 \
			sh -c 'trap "echo term; exit 0" TERM; echo started; while :; do sleep 0.1; done' >/dev/null
	done
	each exec "r$CNAME-RT" sh -c 'echo in-exec; umask; exit 5'
	[ "$runb" = "5: in-exec
0022" ]
	$same
	each exec -t "r$CNAME-RT" tty
	[[ $runb == "0: /dev/pts/"* ]]
	each exec -u 1000:1000 "r$CNAME-RT" id
	[[ $runb == "0: uid=1000"*"gid=1000"* ]]
	$same
	runb=$(echo piped | podman exec -i "r$CNAME-runb" cat)
	[ "$runb" = piped ]
	each logs "r$CNAME-RT"
	[[ $runb == "0: started"* ]]
	# pause and resume: the cgroup v2 freezer; on v1 runb-oci refuses in one line
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		each pause "r$CNAME-RT"
		each inspect -f '{{.State.Status}}' "r$CNAME-RT"
		[ "$runb" = "0: paused" ]
		$same
		each unpause "r$CNAME-RT"
		each inspect -f '{{.State.Status}}' "r$CNAME-RT"
		[ "$runb" = "0: running" ]
		$same
	else
		run podman pause "r$CNAME-runb"
		assert_failure
		assert_output --partial "runb freezes on cgroup v2 only"
	fi
	# stop: SIGTERM, which the trap takes: status 0, and the trap's line in the logs
	each stop -t 5 "r$CNAME-RT"
	$same
	each inspect -f '{{.State.ExitCode}} {{.State.Running}}' "r$CNAME-RT"
	[ "$runb" = "0: 0 false" ]
	each logs "r$CNAME-RT"
	[ "$runb" = "0: started
term" ]
	each rm "r$CNAME-RT"
	$same
	# kill: SIGKILL, 137
	each run -d --name "r$CNAME-RT" --network none --runtime RT rbbox:1 sleep 100
	each kill "r$CNAME-RT"
	each wait "r$CNAME-RT"
	[ "$runb" = "0: 137" ]
	$same
	each rm "r$CNAME-RT"
	# nothing of runb-oci's is left (teardown checks the cgroups, netns and runb-oci's root)
	[ -z "$(ls /run/runb-oci)" ]
}

@test "podman's default seccomp profile under runb: every call runc's refuses, runb's refuses too" {
	each run --rm --network none --runtime RT rbbox:1 sysc
	seccomp_alike
}
