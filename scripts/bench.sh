#!/usr/bin/env bash
# scripts/bench.sh - what a container costs: `runb NAME ROOTFS /bin/true` on the
# busybox rootfs, timed as a whole process (start, run, teardown), against two
# floors measured in the same run. The plain floor is the same namespaces
# without an engine:
#     unshare --pid --uts --ipc --mount --cgroup --net --fork chroot ROOTFS /bin/true
# the network floor (scripts/netfloor.c) is the plain floor plus exactly the
# kernel work of runb's default network, with runb's own rtnetlink requests:
# a veth pair, its peer born in the new netns, the host end enslaved to the
# bridge, both up, an address and a default route. netfloor / floor is the
# kernel's price for the network; runb / netfloor is runb's own. Then, from
# `runb -v`, what each slide's steps cost (µs, the mean of BENCH_STEP_RUNS).
# and, when they are installed, against crun and runc on an OCI bundle of the
# same rootfs and command (`crun spec` / `runc spec`, edited: /bin/true, no
# terminal, root not read-only, plus the cgroup namespace), and against the
# original shell runb when its path is given.
#
# usage: scripts/bench.sh [--vm] [RUNB_SH]      (as root; `make bench`)
#
#   RUNB_SH  the original shell runb (github.com/k-onishi/runb), timed too when
#            given: its runb.sh, with src/core.sh or lib/core.sh beside it, or a
#            git directory holding both (a clone, or a mirror without a work
#            tree). Needs cgcreate (cgroup-tools), brctl (bridge-utils) and
#            capsh (libcap2-bin). It is run as it is, but for four edits: the
#            path of core.sh; the command (/bin/true instead of an interactive
#            /bin/bash); its name (it names its veth "veth-<script>-<pid>",
#            which must fit in 15 characters); and its cgclassify, which
#            libcgroup 2 cannot do from inside a PID namespace (it walks the
#            host's /proc/1/task), becomes the same writes of "0" to the
#            container's cgroup.procs files. It never removes its cgroups;
#            this script does, after each run (untimed).
#   --vm     run all of it inside the cgroup-v2 VM of scripts/vmtest.sh (where
#            Debian's crun 1.8 runs: it refuses a hybrid cgroup layout).
#
# Environment:
#   BENCH_RUNS        runs per configuration (default 20)
#   BENCH_STEP_RUNS   runs of runb -v for the per-step table (default 10)
#   BENCH_CONCURRENT  how many containers to start at once (default "1 10 50")
#   BENCH_INSTALL     1 (default): as root, apt-get install what is missing of
#                     crun, runc and time (and, with RUNB_SH, of cgroup-tools,
#                     bridge-utils, libcap2-bin); 0: never install, skip instead
#   BENCH_VM          1: as --vm
#   RUNB_SH           as the argument
#   RUNB, ROOTFS      the runb binary and the rootfs (default: the checkout's)
#   BENCH_TIMER       shell: time with date(1) and GNU time, not the C timer
#
# Method. Each command runs as a child of a small C timer built here (cc):
# it joins the benchmark's network namespace (as nsenter --net would), execs
# the command with stdin and stdout on /dev/null, and reports the wall time
# from fork to wait4 and the child's ru_maxrss (the largest single process
# of the command's tree that was waited for, i.e. runb or its container
# before exec). So no shell overhead is timed, and it is the same for every
# command. Commands alternate run by run (floor A B C ..., floor A B C ...);
# each gets one untimed warm-up run first. The table shows per command the
# median wall time, the median of the per-run ratios to the floor run of the
# same round, the peak RSS over all runs, and how many runs exited 0. Then N
# containers started at once: the total time until the last one is reaped.
# Without a C compiler it falls back to date(1) around nsenter and GNU time.
# Much of a container's wall time is waiting for RCU grace periods (moving a
# task between cgroups, deleting a network device, detaching mounts), whose
# length depends on what else the machine does: run it on an idle machine.
#
# Everything runs inside a network namespace made for it (bench-PID), which
# is deleted at the end with all that runb made in it (runb-bridge); the
# rootfs copy, the OCI bundles and the crun/runc state live in a mktemp
# directory that is removed too. These are figures, not assertions: the
# script fails only when it cannot measure at all.
set -euo pipefail

prog=bench
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "$*"; exit 1; }

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
runs=${BENCH_RUNS:-20}
concurrent=${BENCH_CONCURRENT:-1 10 50}
install=${BENCH_INSTALL:-1}
vm=${BENCH_VM:-0}
runb_sh=${RUNB_SH:-}
RUNB=${RUNB:-$top/runb}
ROOTFS=${ROOTFS:-$top/rootfs/busybox}

while [ $# -gt 0 ]; do
	case $1 in
	--vm) vm=1 ;;
	-h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) runb_sh=$1 ;;
	esac
	shift
done
case $runs in ''|*[!0-9]*|0) die "BENCH_RUNS must be a positive number" ;; esac
for n in $concurrent; do
	case $n in ''|*[!0-9]*|0) die "BENCH_CONCURRENT must be positive numbers" ;; esac
done
[ "$(id -u)" = 0 ] || die "must be run as root (runb, unshare and the peers need it)"

notes=()
note() { notes+=("$*"); }

# ------------------------------------------------------------ peers' packages
# Only as root, only what is missing, and only when allowed: otherwise the
# peer is skipped with a note.
install_missing() {
	local want=()
	command -v crun >/dev/null || want+=(crun)
	command -v runc >/dev/null || want+=(runc)
	[ -x /usr/bin/time ] || want+=(time)
	if [ -n "$runb_sh" ]; then
		command -v cgcreate >/dev/null || want+=(cgroup-tools)
		command -v brctl >/dev/null || want+=(bridge-utils)
		command -v capsh >/dev/null || want+=(libcap2-bin)
	fi
	[ ${#want[@]} -gt 0 ] || return 0
	if [ "$install" != 1 ]; then
		note "not installed (BENCH_INSTALL=0): ${want[*]}"
		return 0
	fi
	if ! command -v apt-get >/dev/null; then
		note "not installed (no apt-get): ${want[*]}"
		return 0
	fi
	say "installing ${want[*]} (apt-get)"
	if ! { apt-get update -qq &&
	       DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${want[@]}"; } </dev/null >&2; then
		note "apt-get install ${want[*]} failed: those are skipped"
	fi
}
install_missing

# ---------------------------------------------------------------- the VM way
if [ "$vm" = 1 ] && [ -z "${BENCH_IN_VM:-}" ]; then
	[ -x "$top/scripts/vmtest.sh" ] || die "--vm needs scripts/vmtest.sh"
	# The VM sees the host's / (read-only, under a tmpfs overlay), so what
	# was just installed is there; the VM itself installs nothing.
	export BENCH_IN_VM=1 BENCH_INSTALL=0
	export VMTEST_PASSENV="${VMTEST_PASSENV:-} BENCH_RUNS BENCH_CONCURRENT BENCH_INSTALL BENCH_IN_VM RUNB ROOTFS BENCH_STEP_RUNS BENCH_PORT_MB BENCH_OCI_LOOP BENCH_OCI_ROUNDS BENCH_DOCKER_RUNS"
	case $runb_sh in /tmp/*|/run/*) runb_sh=/.vmtest/host$runb_sh ;; esac
	say "running in the cgroup-v2 VM: scripts/vmtest.sh scripts/bench.sh"
	exec "$top/scripts/vmtest.sh" "$top/scripts/bench.sh" ${runb_sh:+"$runb_sh"}
fi

[ -x "$RUNB" ] || die "no runb at $RUNB: build it first (make)"
[ -x "$ROOTFS/bin/busybox" ] || die "no busybox rootfs at $ROOTFS: make (scripts/setup_filesystem.sh)"
RUNB=$(cd "$(dirname "$RUNB")" && pwd -P)/$(basename "$RUNB")

# ------------------------------------------------------------ the workplace
ns=bench-$$
nsfile=/run/netns/$ns
tag=b$$			# container names: b<pid>-<run>, b<pid>-c<n>
tmp=$(mktemp -d "${TMPDIR:-/tmp}/runb-bench.XXXXXX")
cg_before=$tmp/cgroups.before
ns_made=0

# What runb, the peers or the original could leave on the host, by our names.
leftovers() {
	local left
	left=$( {
		find /sys/fs/cgroup -maxdepth 4 -name "$tag-*" 2>/dev/null
		ls -d /run/netns/"$tag"-* /run/runb/"$tag"-* 2>/dev/null
		find /sys/fs/cgroup -maxdepth 2 -type d -name 'ob-[0-9]*' 2>/dev/null |
			grep -vxF -f "$cg_before" 2>/dev/null
	} | sort -u) || true
	[ -z "$left" ] || say "left behind (remove by hand): $(echo "$left" | tr '\n' ' ')"
}

# runb.sh makes cgroups ob-<pid> (cgcreate) and never removes them.
remove_orig_cgroups() {
	local d i
	[ -s "$tmp/orig/ob.sh" ] || return 0
	find /sys/fs/cgroup -maxdepth 2 -type d -name 'ob-[0-9]*' 2>/dev/null |
		{ grep -vxF -f "$cg_before" 2>/dev/null || true; } | while read -r d; do
			for i in 1 2 3 4 5 6 7 8 9 10; do
				rmdir "$d" 2>/dev/null && break
				[ -d "$d" ] || break
				sleep 0.05
			done
		done
	return 0
}

cleanup() {
	local rc=$? i
	trap - EXIT INT TERM HUP
	set +e	# undo all that can be undone, whatever fails
	if [ "$ns_made" = 1 ]; then
		# what still runs in our namespace is ours (an interrupted run)
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -n "$(ip netns pids "$ns" 2>/dev/null)" ] || break
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null || true
			sleep 0.2
		done
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		remove_orig_cgroups
		ip netns del "$ns" 2>/dev/null || say "cannot delete the network namespace $ns"
	fi
	leftovers
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

ip netns add "$ns"
ns_made=1
ip -n "$ns" link set lo up
find /sys/fs/cgroup -maxdepth 2 -type d -name 'ob-[0-9]*' >"$cg_before" 2>/dev/null || true

# One copy of the rootfs for every command: nothing writes to the checkout's.
mkdir -p "$tmp/c"
mkdir -m 0755 "$tmp/c/rootfs"
cp -a "$ROOTFS/." "$tmp/c/rootfs/"
rootfs=$tmp/c/rootfs

# ------------------------------------------------------------------ the timer
cat >"$tmp/benchrun.c" <<'EOF'
/* benchrun [-n N] [-s NETNS] CMD ARG...: start N copies of CMD at once ("{}" in
 * an argument becomes the copy's number), each first joining the network
 * namespace NETNS (as nsenter --net), stdin and stdout on /dev/null; wait for
 * all; print "WALL_NS OK MAXRSS_KIB": fork of the first to reaping of the
 * last, how many exited 0, the largest ru_maxrss of any of them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char **subst(char **argv, int i)
{
	int n = 0;

	while (argv[n])
		n++;
	char **out = calloc(n + 1, sizeof(*out));
	if (!out)
		exit(125);
	for (int k = 0; k < n; k++) {
		char *p = strstr(argv[k], "{}");
		if (!p)
			out[k] = argv[k];
		else if (asprintf(&out[k], "%.*s%d%s", (int)(p - argv[k]), argv[k], i, p + 2) < 0)
			exit(125);
	}
	return out;
}

int main(int argc, char **argv)
{
	int n = 1, nsfd = -1, devnull, c, ok = 0;
	long maxrss = 0;
	struct timespec t0, t1;

	while ((c = getopt(argc, argv, "+n:s:")) != -1) {
		if (c == 'n')
			n = atoi(optarg);
		else if (c == 's' && (nsfd = open(optarg, O_RDONLY | O_CLOEXEC)) < 0) {
			perror(optarg);
			return 125;
		} else if (c != 's')
			return 125;
	}
	if (optind >= argc || n < 1) {
		fputs("usage: benchrun [-n N] [-s NETNS] CMD [ARG...]\n", stderr);
		return 125;
	}
	char ***cmd = calloc(n, sizeof(*cmd));
	if (!cmd)
		return 125;
	for (int i = 0; i < n; i++)
		cmd[i] = subst(argv + optind, i);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return 125;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			break;
		}
		if (pid == 0) {
			if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) {
				perror("setns");
				_exit(125);
			}
			dup2(devnull, 0);
			dup2(devnull, 1);
			execvp(cmd[i][0], cmd[i]);
			perror(cmd[i][0]);
			_exit(127);
		}
	}
	for (;;) {
		struct rusage ru;
		int st;
		pid_t p = wait4(-1, &st, 0, &ru);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			break;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld %d %ld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
	       (t1.tv_nsec - t0.tv_nsec), ok, maxrss);
	return 0;
}
EOF
benchrun=
if [ "${BENCH_TIMER:-c}" = c ]; then
	cc_=${CC:-cc}
	# static: the timer's own pages, copied into each child before exec, are
	# counted in the child's ru_maxrss; a static binary has few
	if "$cc_" -O2 -static -o "$tmp/benchrun" "$tmp/benchrun.c" 2>/dev/null ||
	   "$cc_" -O2 -o "$tmp/benchrun" "$tmp/benchrun.c" 2>/dev/null; then
		benchrun=$tmp/benchrun
	else
		note "no C compiler: timed with date(1) around nsenter, RSS by GNU time (both add their own overhead)"
	fi
else
	note "BENCH_TIMER=${BENCH_TIMER}: timed with date(1) around nsenter, RSS by GNU time (both add their own overhead)"
fi

# run_timed N CMD...: "WALL_NS OK MAXRSS_KIB", as benchrun prints it
run_timed() {
	local n=$1 t0 t1 i ok=0 rss=0 r
	shift
	if [ -n "$benchrun" ]; then
		"$benchrun" -n "$n" -s "$nsfile" "$@"
		return
	fi
	local -a pids=() args
	t0=$(date +%s%N)
	for ((i = 0; i < n; i++)); do
		args=("${@//\{\}/$i}")
		if [ -x /usr/bin/time ]; then
			nsenter --net="$nsfile" /usr/bin/time -f %M -o "$tmp/rss.$i" "${args[@]}" </dev/null >/dev/null &
		else
			nsenter --net="$nsfile" "${args[@]}" </dev/null >/dev/null &
		fi
		pids+=($!)
	done
	for ((i = 0; i < n; i++)); do
		if wait "${pids[i]}"; then ok=$((ok + 1)); fi
	done
	t1=$(date +%s%N)
	for ((i = 0; i < n; i++)); do
		r=$(tail -n 1 "$tmp/rss.$i" 2>/dev/null || echo 0)
		case $r in ''|*[!0-9]*) r=0 ;; esac
		[ "$r" -le "$rss" ] || rss=$r
		rm -f "$tmp/rss.$i"
	done
	echo "$((t1 - t0)) $ok $rss"
}

# The network floor, built from scripts/netfloor.c like the timer (dynamic, as
# unshare(1) and chroot(1) of the plain floor are).
netfloor=
if "${CC:-cc}" -O2 -o "$tmp/netfloor" "$top/scripts/netfloor.c" 2>"$tmp/netfloor.err"; then
	netfloor=$tmp/netfloor
fi

# runb built without its sealed copy (self_seal), never installed: what the copy
# of itself into a memfd and its exec cost where runb makes one, at a start with
# --init and at each runb exec (README, Security)
unsealed=
if "${CC:-cc}" -std=gnu11 -O2 -static -DRUNB_BENCH_UNSEALED -o "$tmp/runb-unsealed" \
	"$top/runb.c" 2>"$tmp/unsealed.err"; then
	unsealed=$tmp/runb-unsealed
fi

# ------------------------------------------------------------ configurations
configs=(floor netfloor runb runb-net-none runb-init runb-unsealed runb-limits crun runc runb.sh)
declare -A label=(
	[floor]="floor (unshare+chroot)"
	[netfloor]="network floor (+veth, addr, route)"
	[runb]="runb (cgroups+bridge)"
	[runb-net-none]="runb --net none"
	[runb-init]="runb --init --net none"
	[runb-unsealed]="  the same without the sealed copy"
	[runb-limits]="runb -m 64m --cpus 1 --pids 100"
	[crun]="crun $(crun --version 2>/dev/null | awk 'NR==1 {print $3}')"
	[runc]="runc $(runc --version 2>/dev/null | awk 'NR==1 {print $3}')"
	[runb.sh]="runb.sh (original)"
)
declare -A why=()	# a configuration that cannot run here: the reason
[ -n "$unsealed" ] || why[runb-unsealed]="cannot build it: $(grep -m 1 . "$tmp/unsealed.err")"

# set_cmd CONFIG ID: cmd=(the command line), for container name/ID ID
set_cmd() {
	case $1 in
	floor) cmd=(unshare --pid --uts --ipc --mount --cgroup --net --fork chroot "$rootfs" /bin/true) ;;
	netfloor) # its address: 10.0.0.150 plus the run's number ({}: the copy's, at once)
		local idx=${2##*-}
		idx=${idx#c}
		[ "$idx" != w ] || idx=0
		cmd=("$netfloor" -a 10.0.0.150/24 -i "$idx" -g 10.0.0.1 "$rootfs" /bin/true) ;;
	runb) cmd=("$RUNB" "$2" "$rootfs" /bin/true) ;;
	runb-net-none) cmd=("$RUNB" --net none "$2" "$rootfs" /bin/true) ;;
	runb-init) cmd=("$RUNB" --init --net none "$2" "$rootfs" /bin/true) ;;
	runb-unsealed) cmd=("$unsealed" --init --net none "$2" "$rootfs" /bin/true) ;;
	runb-limits) cmd=("$RUNB" -m 64m --cpus 1 --pids 100 "$2" "$rootfs" /bin/true) ;;
	crun) cmd=(crun --root "$tmp/crun-state" run --bundle "$tmp/oci-crun" "$2") ;;
	runc) cmd=(runc --root "$tmp/runc-state" run --bundle "$tmp/oci-runc" "$2") ;;
	runb.sh) cmd=(bash "$tmp/orig/ob.sh" "$tmp/c") ;;
	esac
}

# An OCI bundle for crun or runc: its own spec, edited to the same container.
make_bundle() { # RUNTIME
	local b=$tmp/oci-$1 f
	f=$b/config.json
	mkdir -p "$b" "$tmp/$1-state"
	if ! (cd "$b" && "$1" spec) >/dev/null 2>"$tmp/spec.$1"; then
		why[$1]="$1 spec failed: $(head -n 1 "$tmp/spec.$1")"
		return
	fi
	sed -i -e 's/"terminal": true/"terminal": false/' \
		-e 's/"readonly": true/"readonly": false/' \
		-e "s|\"path\": \"rootfs\"|\"path\": \"$rootfs\"|" \
		-e 's|^\([[:space:]]*\)"sh"$|\1"/bin/true"|' "$f"
	if ! grep -q '"type": "cgroup"$' "$f"; then
		sed -i 's/^\([[:space:]]*\)"type": "mount"$/&\n\1},\n\1{\n\1"type": "cgroup"/' "$f"
	fi
	if ! grep -q '"/bin/true"' "$f" || ! grep -q '"terminal": false' "$f" ||
	   ! grep -qF "\"path\": \"$rootfs\"" "$f" || ! grep -q '"type": "cgroup"$' "$f"; then
		why[$1]="cannot edit the output of '$1 spec' (format changed?)"
	fi
}

# The original shell runb, with its four edits (see the head of this file).
make_orig() {
	local d=$tmp/orig src=$runb_sh t core
	mkdir -p "$d/lib"
	for t in cgcreate brctl capsh; do
		command -v "$t" >/dev/null || { why[runb.sh]="needs $t (cgroup-tools, bridge-utils, libcap2-bin)"; return; }
	done
	if [ -d "$src" ] && git --git-dir="$src" rev-parse --git-dir >/dev/null 2>&1 &&
	   git --git-dir="$src" cat-file -e HEAD:runb.sh 2>/dev/null; then
		git --git-dir="$src" show HEAD:runb.sh >"$d/ob.sh"
		git --git-dir="$src" show HEAD:src/core.sh >"$d/lib/core.sh" 2>/dev/null ||
			git --git-dir="$src" show HEAD:lib/core.sh >"$d/lib/core.sh" 2>/dev/null ||
			{ why[runb.sh]="no src/core.sh in $src"; return; }
	else
		[ -d "$src" ] && src=$src/runb.sh
		[ -f "$src" ] || { why[runb.sh]="no runb.sh at $runb_sh"; return; }
		core=$(dirname "$src")/src/core.sh
		[ -f "$core" ] || core=$(dirname "$src")/lib/core.sh
		[ -f "$core" ] || { why[runb.sh]="no src/core.sh or lib/core.sh beside $src"; return; }
		cp "$src" "$d/ob.sh"
		cp "$core" "$d/lib/core.sh"
	fi
	sed -i "s|^CORE=.*|CORE=$d/lib/core.sh|" "$d/ob.sh"
	sed -i 's|-- -c "/bin/bash"|--shell=/bin/true --|' "$d/lib/core.sh"
	# shellcheck disable=SC2016 # the shell line written into core.sh
	sed -i 's|^cgclassify -g "$CGROUP_CONTROLLERS:$CONTAINER_NAME" $$$|for f in /sys/fs/cgroup/{cpu,memory,pids,}/$CONTAINER_NAME/cgroup.procs; do [ ! -e $f ] \|\| echo 0 > $f; done|' "$d/lib/core.sh"
	if ! grep -q "^CORE=$d/lib/core.sh\$" "$d/ob.sh" || ! grep -q -- '--shell=/bin/true --' "$d/lib/core.sh" ||
	   grep -q '^cgclassify' "$d/lib/core.sh"; then
		why[runb.sh]="cannot edit this runb.sh/core.sh (not the known version?)"
		return
	fi
	# the bridge it expects from tool/setup_bridge.sh (runb makes the same)
	if ! ip -n "$ns" link show runb-bridge >/dev/null 2>&1; then
		ip -n "$ns" link add runb-bridge type bridge
		ip -n "$ns" addr add 10.0.0.1/24 dev runb-bridge
		ip -n "$ns" link set runb-bridge up
	fi
}

[ -n "$netfloor" ] || why[netfloor]="cannot build scripts/netfloor.c: $(head -n 1 "$tmp/netfloor.err")"
for c in crun runc; do
	if command -v "$c" >/dev/null; then
		make_bundle "$c"
	else
		why[$c]="not installed"
	fi
done
if [ -n "$runb_sh" ]; then
	make_orig
else
	why[runb.sh]="not asked for: give its path (argument or RUNB_SH) to time it"
fi

# The bridge, as runb makes it (the network floor and runb.sh expect it).
if ! ip -n "$ns" link show runb-bridge >/dev/null 2>&1; then
	ip -n "$ns" link add runb-bridge address 02:00:0a:00:00:01 type bridge
	ip -n "$ns" addr add 10.0.0.1/24 dev runb-bridge
	ip -n "$ns" link set runb-bridge up
fi

# One untimed warm-up run each; a command that fails it is out, with the
# first line of what it said as the reason.
active=()
for c in "${configs[@]}"; do
	[ -z "${why[$c]:-}" ] || continue
	set_cmd "$c" "$tag-w"
	out=$(run_timed 1 "${cmd[@]}" 2>"$tmp/warm.$c") || true
	read -r _ ok _ <<<"$out" || true
	[ "$c" != runb.sh ] || remove_orig_cgroups
	if [ "${ok:-0}" = 1 ]; then
		active+=("$c")
	else
		why[$c]="cannot run here: $(grep -m 1 . "$tmp/warm.$c" || echo "exit status not 0")"
	fi
done
case " ${active[*]} " in *" floor "*) ;; *) die "the floor itself does not run: ${why[floor]}" ;; esac

# ------------------------------------------------------------------ measure
say "timing ${active[*]}: $runs runs each, alternating"
data=$tmp/data
: >"$data"
for ((i = 1; i <= runs; i++)); do
	for c in "${active[@]}"; do
		set_cmd "$c" "$tag-$i"
		out=$(run_timed 1 "${cmd[@]}" 2>>"$tmp/err.$c") || true
		read -r t ok rss <<<"$out" || true
		[ "$c" != runb.sh ] || remove_orig_cgroups
		echo "$c $i ${t:-0} ${ok:-0} ${rss:-0}" >>"$data"
	done
done

declare -A at_once=()
for n in $concurrent; do
	for c in "${active[@]}"; do
		case $c in runb.sh) continue ;; esac	# one fixed address, 10.0.0.2
		set_cmd "$c" "$tag-c{}"
		out=$(run_timed "$n" "${cmd[@]}" 2>>"$tmp/err.$c") || true
		read -r t ok _ <<<"$out" || true
		at_once[$c,$n]="${t:-0} ${ok:-0}"
	done
done

# ------------------------------------------------------------------- report
# per configuration: median ms, median of per-round ratios to the floor,
# peak RSS, runs that exited 0
# The median of a[1..n], an awk function both reports use (insertion sort: n is small).
awk_median='
	function median(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) {
			x = a[i]
			for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]
			a[j + 1] = x
		}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}'
stats=$(awk "$awk_median"'
	{ t[$1, $2] = $3; ok[$1] += $4; if ($5 > rss[$1]) rss[$1] = $5; runs[$1]++; seen[$1] = 1 }
	END {
		for (c in seen) {
			n = 0; m = 0; k = 0
			delete a; delete r; delete q
			for (i = 1; i <= runs[c]; i++) {
				a[++n] = t[c, i] / 1e6
				if (t["floor", i] > 0) r[++m] = t[c, i] / t["floor", i]
				if (t["netfloor", i] > 0) q[++k] = t[c, i] / t["netfloor", i]
			}
			printf "%s %.2f %.2f %s %d %d %d\n", c, median(a, n), m ? median(r, m) : 0,
			       k ? sprintf("%.2f", median(q, k)) : "-", rss[c], ok[c], runs[c]
		}
	}' "$data")

cgv="cgroup v1 (hybrid)"
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && cgv="cgroup v2"
echo
echo "runb bench: $(uname -r), $cgv, $(nproc) CPUs${BENCH_IN_VM:+ (in the vmtest VM)}, $runs runs each, alternating"
echo
printf '%-36s %10s %10s %13s %13s %7s\n' config "median ms" "vs floor" "vs net floor" "peak RSS KiB" ok
for c in "${configs[@]}"; do
	if [ -n "${why[$c]:-}" ]; then
		printf '%-36s %10s   %s\n' "${label[$c]}" - "${why[$c]}"
		continue
	fi
	read -r _ med ratio nratio rss nok nruns < <(grep "^$c " <<<"$stats")
	printf '%-36s %10s %10s %13s %13s %7s\n' "${label[$c]}" "$med" "$ratio" "$nratio" "$rss" "$nok/$nruns"
done

echo
printf '%-34s' "started at once: total ms"
for n in $concurrent; do printf ' %14s' "$n"; done
echo
for c in "${active[@]}"; do
	[ "$c" != runb.sh ] || continue
	printf '%-34s' "${label[$c]}"
	for n in $concurrent; do
		read -r t ok <<<"${at_once[$c,$n]}"
		if [ "$ok" = "$n" ]; then
			printf ' %14s' "$(awk -v t="$t" 'BEGIN { printf "%.1f all ok", t / 1e6 }')"
		else
			printf ' %14s' "$(awk -v t="$t" -v ok="$ok" -v n="$n" 'BEGIN { printf "%.1f %d/%d ok", t / 1e6, ok, n }')"
		fi
	done
	echo
done

if read -r _ med ratio nratio rss _ _ < <(grep '^runb ' <<<"$stats"); then
	echo
	echo "runb default: $ratio x floor (target <= 1.30), $nratio x network floor (target <= 1.05), peak RSS $rss KiB (target <= 2048)"
fi
if read -r _ med ratio _ _ _ _ < <(grep '^runb-net-none ' <<<"$stats"); then
	echo "runb --net none: $ratio x floor (target <= 1.10)"
fi
for n in $concurrent; do
	[ "$n" = 50 ] || continue
	read -r tf _ <<<"${at_once[floor,$n]:-0 0}"
	read -r tr _ <<<"${at_once[runb,$n]:-0 0}"
	[ "$tf" -gt 0 ] && echo "runb default, 50 at once: $(awk -v a="$tr" -v b="$tf" 'BEGIN { printf "%.2f", a / b }') x the floor's 50 (target <= 1.50)"
done

# ------------------------------------------------------------------ runb exec
# runb exec NAME /bin/true into one running container (its setup outside the
# PID namespace, the command cloned in, pipes relayed), against nsenter(1) into
# the same namespaces (no cgroup, no confinement: the floor of entering), and
# the unsealed build; alternating, as above.
exec_name=$tag-x
if nsenter --net="$nsfile" "$RUNB" -d --net none "$exec_name" "$rootfs" sleep 600 >/dev/null 2>&1; then
	xpid=$(nsenter --net="$nsfile" "$RUNB" ps --format '{{.Name}} {{.Pid}}' | awk -v n="$exec_name" '$1 == n { print $2 }')
	: >"$tmp/xdata"
	for ((i = 0; i <= runs; i++)); do  # round 0: the warm-up
		for c in nsenter runb unsealed; do
			case $c in
			nsenter) cmd=(nsenter -t "$xpid" -m -u -i -n -p -C -r -w /bin/true) ;;
			runb) cmd=("$RUNB" exec "$exec_name" /bin/true) ;;
			unsealed) [ -n "$unsealed" ] || continue; cmd=("$unsealed" exec "$exec_name" /bin/true) ;;
			esac
			out=$(run_timed 1 "${cmd[@]}" 2>>"$tmp/err.exec") || true
			read -r t ok rss <<<"$out" || true
			[ "$i" = 0 ] || echo "$c $i ${t:-0} ${ok:-0} ${rss:-0}" >>"$tmp/xdata"
		done
	done
	# rm -f, not stop: a detached container's record stays until runb rm
	nsenter --net="$nsfile" "$RUNB" rm -f "$exec_name" >/dev/null 2>&1 || true
	echo
	echo "runb exec NAME /bin/true into a running container ($runs runs each, alternating)"
	printf '%-36s %10s %10s %13s %7s\n' command "median ms" "vs nsenter" "peak RSS KiB" ok
	awk "$awk_median"'
		{ t[$1, $2] = $3; ok[$1] += $4; if ($5 > rss[$1]) rss[$1] = $5; runs[$1]++; if (!($1 in seen)) order[++m] = $1; seen[$1] = 1 }
		END {
			label["nsenter"] = "nsenter -t PID1 -a (the floor)"
			label["runb"] = "runb exec"
			label["unsealed"] = "  the same without the sealed copy"
			for (k = 1; k <= m; k++) {
				c = order[k]; n = 0; q = 0
				delete a; delete r
				for (i = 1; i <= runs[c]; i++) {
					a[++n] = t[c, i] / 1e6
					if (t["nsenter", i] > 0) r[++q] = t[c, i] / t["nsenter", i]
				}
				printf "%-36s %10.2f %10.2f %13d %7s\n", label[c], median(a, n), median(r, q), rss[c], ok[c] "/" runs[c]
			}
		}' "$tmp/xdata"
else
	note "runb exec not timed: runb -d did not start its container"
fi

# ------------------------------------------------------------- -p throughput
# BENCH_PORT_MB MiB (default 256) sent into a container's `nc -l` (a sink),
# once straight to its address on the bridge and once through -p's proxy, in
# the same run: the proxy's price is the ratio of the two rates.
port_mb=${BENCH_PORT_MB:-256}
send_mb() { # HOST PORT: MiB/s of port_mb MiB sent and closed, as the client sees it
	nsenter --net="$nsfile" python3 -c '
import socket, sys, time
host, port, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for t in range(200):
    try:
        s = socket.create_connection((host, port), timeout=30); break
    except OSError: time.sleep(0.05)
buf = bytes(1 << 20); t0 = time.monotonic()
for i in range(mb): s.sendall(buf)
s.shutdown(socket.SHUT_WR); s.recv(1)
print("%.0f" % (mb / (time.monotonic() - t0)))' "$1" "$2" "$port_mb"
}
port_run() { # NAME ARGS...: a detached sink on port 5001; prints its address
	local name=$1
	shift
	nsenter --net="$nsfile" "$RUNB" -d "$@" "$name" "$rootfs" sh -c 'nc -l -p 5001 >/dev/null' >/dev/null || return 1
	nsenter --net="$nsfile" "$RUNB" ps --format '{{.Name}} {{.IP}}' | awk -v n="$name" '$1 == n { print $2 }'
}
if command -v python3 >/dev/null; then
	ip_direct=$(port_run "$tag-pd") && direct=$(send_mb "$ip_direct" 5001)
	port_run "$tag-pp" -p 127.0.0.1:15001:5001 >/dev/null && proxied=$(send_mb 127.0.0.1 15001)
	for n in "$tag-pd" "$tag-pp"; do nsenter --net="$nsfile" "$RUNB" rm -f "$n" >/dev/null 2>&1 || true; done
	echo
	echo "-p throughput ($port_mb MiB into a container's nc -l, MiB/s)"
	printf '  %-40s %8s\n' "straight to its address (bridge)" "${direct:-?}" "through -p's proxy" "${proxied:-?}"
	if [ -n "${direct:-}" ] && [ -n "${proxied:-}" ]; then
		awk -v d="$direct" -v p="$proxied" 'BEGIN { printf "  %-40s %8.2f\n", "proxy / direct", p / d }'
	fi
else
	note "-p throughput needs python3 (the client)"
fi

# ------------------------------------------------------------- the OCI loop
# crun's headline benchmark: create, start, wait, delete of /bin/true on one
# bundle, BENCH_OCI_LOOP times (default 100), as containerd calls a runtime:
# the driver (python3) is a child subreaper, so the container's first process
# is its child and it waits for it. runb-oci, runc and crun each on its own
# bundle (its own spec, edited to the same container); BENCH_OCI_ROUNDS
# rounds (default 3), alternating, the median loop time reported. The same
# driver, run by the same timer, for all three: its own cost is in each.
oci_loop=${BENCH_OCI_LOOP:-100}
oci_rounds=${BENCH_OCI_ROUNDS:-3}
cat >"$tmp/ociloop.py" <<'PY'
import ctypes, os, subprocess, sys
if ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl")
runtime, root, bundle, n, tag = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
for i in range(n):
    cid, pidfile = f"{tag}-{i}", f"{root}/{tag}.pid"
    subprocess.run([runtime, "--root", root, "create", "--bundle", bundle, "--pid-file", pidfile, cid], **quiet)
    pid = int(open(pidfile).read())
    subprocess.run([runtime, "--root", root, "start", cid], **quiet)
    os.waitpid(pid, 0)
    subprocess.run([runtime, "--root", root, "delete", cid], **quiet)
PY
ln -sf "$RUNB" "$tmp/runb-oci"
mkdir -p "$tmp/oci-runb" "$tmp/runb-oci-state"
if (cd "$tmp/oci-runb" && "$tmp/runb-oci" spec) && sed -i -e "s|\"path\": \"rootfs\"|\"path\": \"$rootfs\"|" \
	-e 's|"args": \[ "sh" \]|"args": [ "/bin/true" ]|' "$tmp/oci-runb/config.json" &&
	grep -q '"/bin/true"' "$tmp/oci-runb/config.json" && command -v python3 >/dev/null; then
	oci_rts=()
	for c in runb-oci runc crun; do
		case $c in
		runb-oci) rt=$tmp/runb-oci b=$tmp/oci-runb ;;
		*) [ -z "${why[$c]:-}" ] || continue; rt=$c b=$tmp/oci-$c ;;
		esac
		mkdir -p "$tmp/loop-$c"
		out=$(run_timed 1 python3 "$tmp/ociloop.py" "$rt" "$tmp/loop-$c" "$b" 1 "$tag-lw" 2>>"$tmp/err.loop") || true
		read -r _ ok _ <<<"$out" || true
		[ "${ok:-0}" = 1 ] && oci_rts+=("$c:$rt:$b")
	done
	: >"$tmp/loopdata"
	for ((i = 1; i <= oci_rounds; i++)); do
		for e in "${oci_rts[@]}"; do
			IFS=: read -r c rt b <<<"$e"
			out=$(run_timed 1 python3 "$tmp/ociloop.py" "$rt" "$tmp/loop-$c" "$b" "$oci_loop" "$tag-l$i" 2>>"$tmp/err.loop") || true
			read -r t ok _ <<<"$out" || true
			echo "$c $i ${t:-0} ${ok:-0}" >>"$tmp/loopdata"
		done
	done
	echo
	echo "the OCI loop: create, start, wait, delete of /bin/true, $oci_loop times ($oci_rounds rounds, alternating)"
	printf '%-36s %12s %12s %10s %7s\n' runtime "median s" "ms a cycle" "vs runc" ok
	awk "$awk_median"'
		{ t[$1, $2] = $3; ok[$1] += $4; runs[$1]++; if (!($1 in seen)) order[++m] = $1; seen[$1] = 1 }
		END {
			for (k = 1; k <= m; k++) {
				c = order[k]; n = 0; q = 0
				delete a; delete r
				for (i = 1; i <= runs[c]; i++) {
					a[++n] = t[c, i] / 1e9
					if (t["runc", i] > 0) r[++q] = t[c, i] / t["runc", i]
				}
				printf "%-36s %12.2f %12.1f %10s %7s\n", c, median(a, n), median(a, n) * 1000 / loops,
				       q ? sprintf("%.2f", median(r, q)) : "-", ok[c] "/" runs[c]
			}
		}' loops="$oci_loop" "$tmp/loopdata"
	# What stays beside a running container: runb-oci leaves no process of its own
	# (no supervisor, no shim of its own); the caller's only.
	mkdir -p "$tmp/oci-sleep" && cp "$tmp/oci-runb/config.json" "$tmp/oci-sleep/"
	sed -i 's|"args": \[ "/bin/true" \]|"args": [ "sleep", "30" ]|' "$tmp/oci-sleep/config.json"
	if nsenter --net="$nsfile" "$tmp/runb-oci" --root "$tmp/loop-runb-oci" create --bundle "$tmp/oci-sleep" \
		--pid-file "$tmp/sleep.pid" "$tag-m" </dev/null >/dev/null 2>&1; then
		nsenter --net="$nsfile" "$tmp/runb-oci" --root "$tmp/loop-runb-oci" start "$tag-m"
		left=0
		for p in /proc/[0-9]*; do
			if [ "$(readlink "$p/exe" 2>/dev/null)" = "$(readlink -f "$RUNB")" ]; then left=$((left + 1)); fi
		done
		echo "processes of runb's beside a created and started runb-oci container: $left (its first process: $(awk '/^VmRSS/ {print $2, $3}' "/proc/$(cat "$tmp/sleep.pid")/status"), the container's own)"
		nsenter --net="$nsfile" "$tmp/runb-oci" --root "$tmp/loop-runb-oci" delete --force "$tag-m" >/dev/null 2>&1 || true
	fi
	if [ -n "${why[crun]:-}" ]; then note "the OCI loop without crun: ${why[crun]}"; fi
else
	note "the OCI loop not timed: runb-oci spec, its edit or python3 failed"
fi

# e2e_report TITLE FILE: an engine's runs, "RUNTIME ROUND NS OK" a line in FILE, as
# each runtime's median and its median ratio to runc's run of the same round
e2e_report() {
	echo
	echo "$1"
	printf '%-36s %10s %10s %7s\n' runtime "median ms" "vs runc" ok
	awk "$awk_median"'
		{ t[$1, $2] = $3; ok[$1] += $4; runs[$1]++; if (!($1 in seen)) order[++m] = $1; seen[$1] = 1 }
		END {
			for (k = 1; k <= m; k++) {
				c = order[k]; n = 0; q = 0
				delete a; delete r
				for (i = 1; i <= runs[c]; i++) {
					a[++n] = t[c, i] / 1e6
					if (t["runc", i] > 0) r[++q] = t[c, i] / t["runc", i]
				}
				printf "%-36s %10.1f %10.2f %7s\n", c, median(a, n), median(r, q), ok[c] "/" runs[c]
			}
		}' "$2"
}

# --------------------------------------------------------- docker run, end to end
# docker run --rm --network none --runtime X IMAGE /bin/true, runb-oci against
# runc, BENCH_DOCKER_RUNS times each (default 10), alternating: a dockerd of the
# bench's own (in its network namespace, its directories under $tmp, the vfs
# storage driver), stopped after; the image is the rootfs, docker import'ed.
docker_runs=${BENCH_DOCKER_RUNS:-10}
dk=$tmp/docker
dockerc=$(command -v /usr/bin/docker docker 2>/dev/null | head -1 || true)
if command -v dockerd >/dev/null && [ -n "$dockerc" ]; then
	mkdir -p "$dk/data" "$dk/exec"
	echo "{ \"runtimes\": { \"runb\": { \"path\": \"$tmp/runb-oci\" } } }" >"$dk/daemon.json"
	fresh_run_docker=0 fresh_key=0 fresh_cg=0
	[ -e /run/docker ] || fresh_run_docker=1
	[ -e /etc/docker/key.json ] || fresh_key=1
	compgen -G "/sys/fs/cgroup/*docker" >/dev/null || compgen -G "/sys/fs/cgroup/*/docker" >/dev/null || fresh_cg=1
	nsenter --net="$nsfile" dockerd --config-file "$dk/daemon.json" --data-root "$dk/data" \
		--exec-root "$dk/exec" -H "unix://$dk/docker.sock" --pidfile "$dk/docker.pid" \
		--iptables=false --ip6tables=false --bridge=none --storage-driver vfs \
		--exec-opt native.cgroupdriver=cgroupfs >"$dk/log" 2>&1 </dev/null &
	dkc() { nsenter --net="$nsfile" "$dockerc" -H "unix://$dk/docker.sock" "$@"; }
	for ((i = 0; i < 200; i++)); do dkc info >/dev/null 2>&1 && break; sleep 0.1; done
	if tar -C "$rootfs" -c . | dkc import - runb-bench:1 >/dev/null 2>&1; then
		: >"$tmp/dkdata"
		for ((i = 0; i <= docker_runs; i++)); do  # round 0: the warm-up
			for rt in runc runb; do
				out=$(run_timed 1 "$dockerc" -H "unix://$dk/docker.sock" run --rm --network none \
					--runtime "$rt" runb-bench:1 /bin/true 2>>"$tmp/err.docker") || true
				read -r t ok rss <<<"$out" || true
				[ "$i" = 0 ] || echo "$rt $i ${t:-0} ${ok:-0}" >>"$tmp/dkdata"
			done
		done
		e2e_report "docker run --rm --network none --runtime X IMAGE /bin/true, end to end ($docker_runs runs each, alternating)" "$tmp/dkdata"
	else
		note "docker run not timed: dockerd did not start (its log: $(tail -n 1 "$dk/log"))"
	fi
	kill "$(cat "$dk/docker.pid" 2>/dev/null)" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do [ -e "$dk/docker.pid" ] || break; sleep 0.1; done
	[ "$fresh_run_docker" = 0 ] || rm -rf /run/docker
	[ "$fresh_key" = 0 ] || rm -f /etc/docker/key.json
	[ "$fresh_cg" = 0 ] || rmdir /sys/fs/cgroup/docker /sys/fs/cgroup/*/docker 2>/dev/null || true
else
	note "docker run not timed: no dockerd (Debian's docker.io)"
fi

# --------------------------------------------------------- podman run, end to end
# podman run --rm --network none --runtime X IMAGE /bin/true, runb-oci against runc
# (and crun on cgroup v2), BENCH_DOCKER_RUNS times each, alternating: podman with a
# --root, --runroot and containers.conf of the bench's (vfs, cgroupfs), as
# test/podman.bats runs it; what it makes outside them is removed after if new.
pm=$tmp/podman
if [ -x /usr/bin/podman ]; then
	mkdir -p "$pm/bin" "$pm/tmp"
	ln -s "$tmp/runb-oci" "$pm/bin/runb-oci"
	pm_new=()
	for f in /var/lib/containers /run/runc /run/crun /run/libpod /run/containers; do
		[ -e "$f" ] || pm_new+=("$f")
	done
	pm_cg=0
	compgen -G "/sys/fs/cgroup/libpod_parent" >/dev/null ||
		compgen -G "/sys/fs/cgroup/*/libpod_parent" >/dev/null || pm_cg=1
	cat >"$pm/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$pm/events.log"
		tmp_dir = "$pm/tmp"
		image_copy_tmp_dir = "$pm/tmp"
		volume_path = "$pm/volumes"
		static_dir = "$pm/static"
		[engine.runtimes]
		runb = ["$pm/bin/runb-oci"]
		[network]
		network_config_dir = "$pm/cni"
	EOF
	pmc=(env CONTAINERS_CONF="$pm/containers.conf" /usr/bin/podman --root "$pm/storage"
		--runroot "$pm/run" --storage-driver vfs)
	pm_rts="runc runb"
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || ! command -v crun >/dev/null || pm_rts="runc crun runb"
	if tar -C "$rootfs" -c . | nsenter --net="$nsfile" "${pmc[@]}" import - runb-bench:1 >/dev/null 2>&1; then
		: >"$tmp/pmdata"
		for ((i = 0; i <= docker_runs; i++)); do  # round 0: the warm-up
			for rt in $pm_rts; do
				out=$(run_timed 1 "${pmc[@]}" run --rm --network none --runtime "$rt" runb-bench:1 \
					/bin/true 2>>"$tmp/err.podman") || true
				read -r t ok rss <<<"$out" || true
				[ "$i" = 0 ] || echo "$rt $i ${t:-0} ${ok:-0}" >>"$tmp/pmdata"
			done
		done
		e2e_report "podman run --rm --network none --runtime X IMAGE /bin/true, end to end ($docker_runs runs each, alternating)" "$tmp/pmdata"
	else
		note "podman run not timed: podman import failed"
	fi
	for f in "${pm_new[@]}"; do rm -rf "$f"; done
	[ "$pm_cg" = 0 ] || rmdir /sys/fs/cgroup/libpod_parent/conmon /sys/fs/cgroup/*/libpod_parent/conmon \
		/sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true
else
	note "podman run not timed: no podman (Debian's podman)"
fi

# ---------------------------------------------------------- per-step times
# runb -v ends each step's line with its time, "[N µs]": the mean per slide (and
# for runb's own steps beyond the slides), over BENCH_STEP_RUNS runs.
step_runs=${BENCH_STEP_RUNS:-10}
: >"$tmp/steps"
for ((i = 1; i <= step_runs; i++)); do
	nsenter --net="$nsfile" "$RUNB" -v "$tag-s$i" "$rootfs" /bin/true 2>>"$tmp/steps" >/dev/null || true
done
echo
echo "runb -v, per step (mean of $step_runs runs of the default container, µs)"
awk -v runs="$step_runs" '
	/ µs\]$/ && /^\[(slide [0-9]+|runb)\]/ {
		what = $0; sub(/\].*/, "]", what)
		us = $0; sub(/.* \[/, "", us); sub(/ µs\]$/, "", us)
		key = what
		if (what == "[runb]") { key = $0; sub(/^\[runb\] /, "", key); sub(/ ->.*/, "", key); key = "[runb] " key }
		if (!(key in sum)) order[++n] = key
		sum[key] += us
	}
	/^\[runb\] timings: .* the container side/ { split($0, f, " "); side += f[3]; next }
	/^\[runb\] timings: / {
		split($0, f, " "); clone += f[3]; life += f[8]; down += f[13]; all += f[16]
	}
	END {
		for (i = 1; i <= n; i++) printf "  %-60s %8.0f\n", order[i], sum[order[i]] / runs
		if (all) printf "  %-60s %8.0f\n  %-60s %8.0f\n  %-60s %8.0f\n  %-60s %8.0f\n  %-60s %8.0f\n",
			"runb, to the clone", clone / runs, "the child, from the clone to the exec", side / runs,
			"the clone to the end of PID 1 (the child, the command, its exit)", life / runs,
			"teardown", down / runs, "in all", all / runs
	}' "$tmp/steps"
if [ -n "${why[crun]:-}" ] && [ "$cgv" != "cgroup v2" ] && command -v crun >/dev/null; then
	note "crun on cgroup v2: scripts/bench.sh --vm (or BENCH_VM=1 make bench) runs this whole table in the VM of scripts/vmtest.sh"
fi
case " ${active[*]} " in *" runb.sh "*)
	note "runb.sh is not started many at once: it gives every container 10.0.0.2" ;;
esac
for c in "${active[@]}"; do
	if [ -s "$tmp/err.$c" ]; then
		note "${label[$c]} printed errors, first: $(grep -m 1 . "$tmp/err.$c")"
	fi
done
for n in "${notes[@]}"; do echo "note: $n"; done
