#!/usr/bin/env bats
# runb-oci under the engines that call an OCI runtime (README, "Using runb from
# docker, podman and containerd"; podman's tests are podman.bats): dockerd with
# its own containerd, started by the test file in a network namespace and
# directories of its own, runb-oci beside runc
# as a runtime, each result compared with runc's in the same test. The image
# is the test's busybox rootfs, docker import'ed: no registry.

load helpers

# docker ARGS...: the test's dockerd, from its network namespace
docker() {
	nsenter --net="/run/netns/$DNS" "$DOCKER" -H "unix://$DK/docker.sock" "$@"
}

setup_file() {
	common_setup_file
	export DK=$BATS_FILE_TMPDIR/docker DNS=rbdk$$ CTRNS=rbt$$ DOCKER
	DOCKER=$(command -v /usr/bin/docker docker | head -1)
	mkdir -p "$DK/data" "$DK/exec" "$DK/bin"
	ln -s "$RUNB" "$DK/bin/runb-oci"
	echo "{ \"runtimes\": { \"runb\": { \"path\": \"$DK/bin/runb-oci\" },
		\"crun\": { \"path\": \"$(command -v crun || echo /usr/bin/crun)\" } } }" >"$DK/daemon.json"
	# what dockerd makes outside its --data-root and --exec-root, removed after if new
	[ -e /run/docker ] || touch "$DK/no-run-docker"
	[ -e /etc/docker/key.json ] || touch "$DK/no-key-json"
	[ -e /etc/docker ] || touch "$DK/no-etc-docker"
	# runc's containers go into the cgroup docker/ID, whose parent runc leaves
	compgen -G "/sys/fs/cgroup/*docker" >/dev/null || compgen -G "/sys/fs/cgroup/*/docker" >/dev/null ||
		touch "$DK/no-docker-cgroup"
	ip netns add "$DNS"
	ip -n "$DNS" link set lo up
	nsenter --net="/run/netns/$DNS" dockerd --config-file "$DK/daemon.json" \
		--data-root "$DK/data" --exec-root "$DK/exec" -H "unix://$DK/docker.sock" \
		--pidfile "$DK/docker.pid" --iptables=false --ip6tables=false --bridge=none \
		--storage-driver vfs --exec-opt native.cgroupdriver=cgroupfs \
		>"$DK/dockerd.log" 2>&1 3>&- &
	retry 200 0.1 docker info >/dev/null 2>&1 || { cat "$DK/dockerd.log" >&2; false; }
	tar -C "$ROOTFS" -c . | docker import - rbbox:1 >/dev/null
}

teardown_file() {
	local pid
	pid=$(cat "$DK/docker.pid" 2>/dev/null) || true
	[ -z "$pid" ] || kill "$pid"
	[ -z "$pid" ] || retry 300 0.1 sh -c '! kill -0 "$1" 2>/dev/null' sh "$pid"
	ip netns del "$DNS"
	[ ! -e "$DK/no-run-docker" ] || rm -rf /run/docker
	[ ! -e "$DK/no-key-json" ] || rm -f /etc/docker/key.json
	[ ! -e "$DK/no-etc-docker" ] || rmdir /etc/docker 2>/dev/null || true
	[ ! -e "$DK/no-docker-cgroup" ] || rmdir /sys/fs/cgroup/docker /sys/fs/cgroup/*/docker 2>/dev/null || true
	# and ctr's containers go into NAMESPACE/ID, the test's namespace $CTRNS
	rmdir /sys/fs/cgroup/"$CTRNS" /sys/fs/cgroup/*/"$CTRNS" 2>/dev/null || true
}

setup() { common_setup; }
teardown() {
	docker rm -f "r$CNAME-runc" "r$CNAME-runb" >/dev/null 2>&1 || true
	common_teardown
}

# both CMD...: run "docker CMD..." with RT replaced by runc, then runb (and, with
# CRUN=1 on cgroup v2, where crun runs, by crun in between); $runc, $crun and
# $runb hold each one's status and output, as "STATUS: OUTPUT", where the name
# r$CNAME-RT is NAME
both() {
	local rt out st rts="runc runb"
	[ "${CRUN:-}" != 1 ] || [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || rts="runc crun runb"
	for rt in $rts; do
		st=0
		out=$(docker "${@/RT/$rt}" 2>&1) || st=$?
		out=${out//r$CNAME-$rt/NAME}  # a container's name, as its runtime's
		out=$(grep -v '^WARNING: ' <<<"$out" || true)  # docker's own (no swap accounting in the VM)
		printf -v "$rt" '%s: %s' "$st" "$out"
		echo "$rt: $st: $out"  # what a failed test shows
	done
}

@test "docker run --runtime runb: status, stdout and stderr, stdin, -t, --user, --cap-drop, --read-only, -m, --pids-limit, a volume: as with runc (and crun on cgroup v2)" {
	local data=$BATS_TEST_TMPDIR/data CRUN=1 crun=
	mkdir "$data"
	echo from-host >"$data/f"
	both run --rm --network none --runtime RT rbbox:1 sh -c 'echo out; exit 3'
	[ "$runb" = "3: out" ]
	[ "$runb" = "$runc" ]
	[ -z "$crun" ] || [ "$crun" = "$runc" ]
	runb=$(docker run --rm --network none --runtime runb rbbox:1 sh -c 'echo err >&2' 2>&1 >/dev/null)
	[ "$runb" = err ]
	runc=$(echo from-stdin | docker run -i --rm --network none --runtime runc rbbox:1 cat)
	runb=$(echo from-stdin | docker run -i --rm --network none --runtime runb rbbox:1 cat)
	[ "$runb" = from-stdin ]
	[ "$runb" = "$runc" ]
	both run --rm -t --network none --runtime RT rbbox:1 sh -c 'tty; stty size'
	[[ $runb == "0: /dev/pts/0"* ]]
	[ "$runb" = "$runc" ]
	[ -z "$crun" ] || [ "$crun" = "$runc" ]
	both run --rm --network none --runtime RT --user 1000:1000 --cap-drop ALL --read-only -m 64m \
		--pids-limit 50 -v "$data:/data:ro" rbbox:1 sh -c 'id; grep -E "^Cap(Eff|Bnd)" /proc/self/status;
		touch /x 2>&1; cat /data/f; touch /data/y 2>&1;
		cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max 2>/dev/null ||
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
	[[ $runb == "0: uid=1000 gid=1000 groups=1000"* ]]
	[[ $runb == *"from-host"* ]]
	[[ $runb == *"67108864"*"50" ]]
	[ "$runb" = "$runc" ]
	[ -z "$crun" ] || [ "$crun" = "$runc" ]
	# a command that is not there: 127, as docker maps runc's message (crun's it does not
	# map: 125)
	both run --rm --network none --runtime RT rbbox:1 no-such-command
	[[ $runb == 127:* ]]
	[[ $runc == 127:* ]]
}

@test "docker run -d --runtime runb, then exec (-t, -u, -i, a status), logs, stop, kill, rm: as with runc" {
	local rt
	for rt in runc runb; do
		docker run -d --name "r$CNAME-$rt" --network none --runtime $rt rbbox:1 \
			sh -c 'trap "echo term; exit 0" TERM; echo started; while :; do sleep 0.1; done' >/dev/null
	done
	both exec "r$CNAME-RT" sh -c 'echo in-exec; ps -o pid,comm | grep -c sleep >/dev/null; exit 5'
	[ "$runb" = "5: in-exec" ]
	[ "$runb" = "$runc" ]
	both exec -t "r$CNAME-RT" tty
	[[ $runb == "0: /dev/pts/"* ]]
	both exec -u 1000:1000 "r$CNAME-RT" id
	[ "$runb" = "0: uid=1000 gid=1000 groups=1000" ]
	[ "$runb" = "$runc" ]
	runb=$(echo piped | docker exec -i "r$CNAME-runb" cat)
	[ "$runb" = piped ]
	# --network container:X: docker names X's namespace by path, and runb joins it
	both run --rm --network "container:r$CNAME-RT" --runtime RT rbbox:1 readlink /proc/self/ns/net
	[ "$runb" = "0: $(docker exec "r$CNAME-runb" readlink /proc/self/ns/net)" ]
	[ "$runc" = "0: $(docker exec "r$CNAME-runc" readlink /proc/self/ns/net)" ]
	both logs "r$CNAME-RT"
	[[ $runb == "0: started"* ]]
	# stop: SIGTERM, which the trap takes: status 0, and the trap's line in the logs
	both stop -t 5 "r$CNAME-RT"
	[ "$runb" = "$runc" ]
	both inspect -f '{{.State.ExitCode}} {{.State.Running}}' "r$CNAME-RT"
	[ "$runb" = "0: 0 false" ]
	both logs "r$CNAME-RT"
	[ "$runb" = "0: started
term" ]
	both rm "r$CNAME-RT"
	[ "$runb" = "$runc" ]
	# kill: SIGKILL, 137
	both run -d --name "r$CNAME-RT" --network none --runtime RT rbbox:1 sleep 100
	both kill "r$CNAME-RT"
	both wait "r$CNAME-RT"
	[ "$runb" = "0: 137" ]
	[ "$runb" = "$runc" ]
	both rm "r$CNAME-RT"
	# nothing of runb-oci's is left (teardown checks the cgroups, netns and /run/runb)
	[ -z "$(ls "$DK/exec/runtime-runb/moby" 2>/dev/null)" ]
}

@test "docker's default seccomp profile under runb: every call runc's refuses, runb's refuses too" {
	both run --rm --network none --runtime RT rbbox:1 sysc
	seccomp_alike
	# and with --security-opt seccomp=unconfined, runb's own filter still refuses these
	runb=$(docker run --rm --network none --runtime runb --security-opt seccomp=unconfined rbbox:1 sysc)
	[[ $runb == *"keyctl EPERM"* ]]
}

@test "ctr run --runc-binary runb-oci (containerd's own default spec, a rootfs and no image): as with runc" {
	local rt out st
	for rt in runc runb; do
		st=0
		out=$(nsenter --net="/run/netns/$DNS" ctr -a "$DK/exec/containerd/containerd.sock" -n "$CTRNS" \
			run --rm --runc-binary "$([ $rt = runc ] && echo runc || echo "$DK/bin/runb-oci")" \
			--rootfs "$ROOTFS" "r$CNAME" /bin/sh -c 'echo hello from ctr; id; exit 4' 2>&1) || st=$?
		printf -v "$rt" '%s: %s' "$st" "$out"
	done
	[ "$runb" = "4: hello from ctr
uid=0(root) gid=0(root)" ]
	[ "$runb" = "$runc" ]
}
