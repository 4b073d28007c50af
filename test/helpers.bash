# shellcheck shell=bash
# Shared by every test file: where runb is, a rootfs copy with the static
# helpers, a network namespace per test standing in for the host's network,
# and the check that the machine is as it was after each test.

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# the runb under test: make's, or another build named in the environment
# (make check-asan's runb-asan)
RUNB=${RUNB:-$TOP/runb}
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
bats_require_minimum_version 1.5.0

# One copy of the busybox rootfs per test file, with the test helpers in
# /usr/local/bin, so the tests never change the demo rootfs.
common_setup_file() {
	export ROOTFS=$BATS_FILE_TMPDIR/rootfs
	# make's rootfs/busybox is a 0755 tree in the 0700 rootfs/; the copy is a
	# 0755 tree in bats' own 0700 directory
	mkdir -m 0755 "$ROOTFS"
	cp -a "$TOP/rootfs/busybox/." "$ROOTFS/"
	local h
	mkdir -p "$ROOTFS/usr/local/bin"
	for h in escape openpty sysc scall resolve reap ptyrun swapper nodeath prober holdexe udpecho; do
		if [ -x "$TOP/test/$h" ]; then
			install -m 0755 "$TOP/test/$h" "$ROOTFS/usr/local/bin/$h"
		fi
	done
}

# Everything runb could leave behind on the host: mounts, cgroups, links
# (in the real host namespace and in the test's), netns names, state files.
# Bash globs and reads where it can: in the VM (QEMU without KVM) every
# process started costs tens of milliseconds, and this runs twice a test.
host_state() {
	local f n rest
	echo "## mounts"
	echo "$(</proc/self/mountinfo)"
	echo "## cgroups"
	shopt -s nullglob dotglob
	for f in /sys/fs/cgroup/runb* /sys/fs/cgroup/*/runb* /sys/fs/cgroup/*/*/runb* \
		/sys/fs/cgroup/*/*/*/runb*; do
		echo "$f"
	done
	# the host's links, as sysfs (mounted in the host's netns) lists them
	echo "## host links"
	for f in /sys/class/net/*; do echo "${f##*/}"; done
	# runb-bridge is made when missing and left in place, by design. One ip
	# for both lists: a link's line has "NAME:", an address's "NAME ADDR"
	echo "## test netns links and addresses (but runb-bridge)"
	while read -r _ n rest; do
		if [[ $n == *: ]]; then
			[ "${n%:}" = runb-bridge ] || echo "${n%:}"
		else
			[ "$n" = runb-bridge ] || echo "$n ${rest%%/*}"
		fi
	done < <(ip -n "$NS" -o -batch - <<<$'addr show\nlink show')
	echo "## netns"
	for f in /run/netns/*; do echo "${f##*/}"; done
	echo "## state"
	for f in /run/runb/*; do echo "${f##*/}"; done
	echo "## records"
	for f in /var/lib/runb/*; do echo "${f##*/}"; done
	echo "## runb-oci's default --root"
	for f in /run/runb-oci/*; do echo "${f##*/}"; done
	shopt -u nullglob dotglob
}

# retry ATTEMPTS DELAY CMD...: run CMD until it succeeds, at most ATTEMPTS
# times, DELAY seconds apart: the last try comes (ATTEMPTS - 1) x DELAY s
# after the first, plus what the tries took (longer where each try is slow,
# as in the VM). As runc's tests/integration/helpers.bash retry(), but CMD
# runs in the test's own shell, not under bats' run: it may set the caller's
# variables, and $status, $output and $lines stay the test's.
# retry --within SECONDS DELAY CMD...: the same, bounded by the clock instead:
# no try starts SECONDS or more after the first. For a wait whose bound is
# what the test shows ("dies within 1 s"), which slow tries must not stretch.
# Either way: 0 once CMD has succeeded; else a line naming CMD on stderr, 1.
retry() {
	local attempts=0 secs='' delay i=1 end now int frac
	if [ "$1" = --within ]; then
		secs=$2
		shift
	else
		attempts=$1
	fi
	delay=$2
	shift 2
	if [ -n "$secs" ]; then
		# the clock in microseconds: bash's $EPOCHREALTIME, no process per try
		int=${secs%.*} frac=
		[[ $secs != *.* ]] || frac=${secs#*.}
		frac=${frac}000000
		now=${EPOCHREALTIME/[.,]/}
		end=$((now + ${int:-0} * 1000000 + 10#${frac:0:6}))
	fi
	while :; do
		"$@" && return 0
		if [ -n "$secs" ]; then
			now=${EPOCHREALTIME/[.,]/}
			[ "$now" -lt "$end" ] || break
		else
			[ "$i" -lt "$attempts" ] || break
		fi
		i=$((i + 1))
		sleep "$delay"
	done
	if [ -n "$secs" ]; then
		echo "# retry: '$*' failed for $secs s ($i tries, $delay s apart)" >&2
	else
		echo "# retry: '$*' failed $i times, $delay s apart" >&2
	fi
	return 1
}

# For the files driven through test/ptyrun (tty.bats, step.bats): the test's
# setup, and runb as a command line (RB) that ptyrun can run, rb being a
# shell function.
# shellcheck disable=SC2034 # used by the files that load this one
PTYRUN=$TOP/test/ptyrun
pty_setup() {
	common_setup
	# shellcheck disable=SC2034 # used by the files that load this one
	RB=(nsenter --net="/run/netns/$NS" "$RUNB")
}

# pty [PTYRUN-OPTION...] [STEP...] -- COMMAND...: COMMAND on a terminal that
# ptyrun drives (its usage: the comment at the top of ptyrun.c), waiting at
# most PTY_TIMEOUT s (a file's own, else 30: the VM is slow) for any expected
# text; its transcript and report in $output, its status in $status.
pty() {
	[ -x "$PTYRUN" ] || fail "test/ptyrun is not built (make test builds it)"
	run env TERM=dumb "$PTYRUN" -t "${PTY_TIMEOUT:-30}" "$@" 3>&-
	# shellcheck disable=SC2154 # bats' run sets it
	echo "$output"
}

common_setup() {
	NS=rbt$$n$BATS_TEST_NUMBER
	CNAME=c$$n$BATS_TEST_NUMBER
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	host_state > "$BATS_TEST_TMPDIR/host.before"
}

host_unchanged() {
	host_state > "$BATS_TEST_TMPDIR/host.after"
	[ "$(<"$BATS_TEST_TMPDIR/host.before")" = "$(<"$BATS_TEST_TMPDIR/host.after")" ]
}

# none_left PID...: not one of the PIDs is there to signal (kill -0).
none_left() {
	! kill -0 "$@" 2>/dev/null
}

# A test that failed halfway may leave a runb running in its netns: stop it
# with SIGTERM so that it tears down what it made, then (after 5 s) SIGKILL
# what is left.
stop_leftover_runb() {
	local pids
	pids=$(ip netns pids "$NS" 2>/dev/null) || return 0
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # a list of pids
	kill -TERM $pids 2>/dev/null || true
	# shellcheck disable=SC2086
	retry 50 0.1 none_left $pids && return 0
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
}

# What the test's detached containers keep ($CNAME's and $CNAME-*'s records
# in /var/lib/runb, as docker keeps a stopped container): removed with
# runb rm -f before the host is compared, as a docker user would remove them.
# (records.bats checks what runb itself removes: rm, --rm.)
remove_test_records() {
	local n
	for n in /var/lib/runb/"$CNAME" /var/lib/runb/"$CNAME"-*; do
		[ -e "$n" ] || continue  # (a pattern that matched nothing)
		rbt rm -f "${n##*/}" >/dev/null || true
	done
}

# The host must be exactly as before the test; then the test's netns goes.
# For up to 2 s: runb leaves the host veth to the kernel, which removes it
# with the container's network namespace some milliseconds after runb has
# exited (see teardown() in runb.c); whatever else must be gone is gone
# before runb exits.
common_teardown() {
	local rc=0
	remove_test_records
	retry 41 0.05 host_unchanged || rc=1
	[ "$rc" = 0 ] || diff -u "$BATS_TEST_TMPDIR/host.before" "$BATS_TEST_TMPDIR/host.after"
	stop_leftover_runb
	ip netns del "$NS"
	[ "$rc" = 0 ] || echo "# the host changed: see the diff above" >&2
	return "$rc"
}

# runb, as the test's "host", inside the test's network namespace. nsenter,
# not ip netns exec: that remounts /sys and hides /sys/fs/cgroup.
rb() {
	nsenter --net="/run/netns/$NS" "$RUNB" "$@"
}

# Start runb in the background; RB_PID is runb's pid. Waits until the
# container's netns name exists (the container is being set up).
rb_bg() {
	nsenter --net="/run/netns/$NS" "$RUNB" "$@" 3>&- &
	RB_PID=$!
	retry 100 0.05 test -e "/run/netns/$CNAME"
}

# has_child PID: PID has a child (e.g. a shell's loop has started its sleep,
# so its traps are set).
has_child() {
	[ -n "$(cat "/proc/$1/task/$1/children" 2>/dev/null)" ]
}

# The container's PID 1 as the host sees it: runb's (first) child.
container_pid() {
	local p
	retry 100 0.05 has_child "$RB_PID" || return 1
	p=$(awk '{print $1}' "/proc/$RB_PID/task/$RB_PID/children" 2>/dev/null)
	[ -n "$p" ] && echo "$p"
}

# comm_is PID COMM: PID has exec'd COMM (e.g. the container's command runs:
# runb's setup is over).
comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# Wait for the background runb; its exit status in $status (bats' variable).
# shellcheck disable=SC2034
rb_wait() {
	status=0
	wait "$RB_PID" || status=$?
}

# link_gone DEV: the test's "host" namespace has no link DEV.
link_gone() {
	! ip -n "$NS" link show dev "$1" >/dev/null 2>&1
}

# The test's "host" namespace has no veth (the kernel removes a container's
# host veth with its network namespace, some milliseconds after runb exits).
no_veth() {
	[ -z "$(ip -n "$NS" -o link show type veth)" ]
}

# without_times TEXT: runb -v's lines without the " [N µs]" each ends with.
without_times() {
	sed -E 's/ \[[0-9]+ µs\]$//' <<<"$1"
}

# runb bounded in time: a verb that hangs fails the test (status 124).
rbt() {
	timeout 60 nsenter --net="/run/netns/$NS" "$RUNB" "$@"
}

# rbd NAME [OPTION...] -- COMMAND...: runb -d --net none OPTION... NAME ROOTFS
# COMMAND, a detached container on the file's rootfs; it must print NAME and
# nothing else, and return 0.
rbd() {
	local name=$1 out opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	out=$(rbt -d --net none "${opts[@]}" "$name" "$ROOTFS" "$@") ||
		{ echo "# runb -d $name: status $?" >&2; return 1; }
	[ "$out" = "$name" ] || { echo "# runb -d printed '$out', not '$name'" >&2; return 1; }
}

# For the teardown of a file of detached containers: after a failed test,
# stop the containers it left running ($CNAME and $CNAME-*) at once (the host
# check still sees what they keep), not after stop_leftover_runb's SIGTERM
# and the 10 s stop timeout.
stop_test_containers() {
	local n
	[ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
	for n in $(rbt ps --format '{{.Name}}' | grep -e "^$CNAME\$" -e "^$CNAME-"); do
		rbt stop -t 0 "$n" >/dev/null || true
	done
}

# PID is a live process (a zombie is dead: it only waits to be reaped).
alive() {
	[ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
dead() { ! alive "$1"; }

# timebox SECONDS: a race loop's time box, scaled by RUNB_TEST_TIMEBOX percent
# (default 100). The VM sets 40: under TCG a loop's runs are five times slower,
# and a box of 40 % still gives each race dozens of runs (the test asks 20).
timebox() {
	echo $(($1 * ${RUNB_TEST_TIMEBOX:-100} / 100))
}

# Nanoseconds since the epoch; milliseconds since a now().
now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }

# /sys/fs/cgroup is cgroup2 only on a unified (v2-only) machine; a tmpfs of
# v1 hierarchies (maybe with cgroup2 at unified/, "hybrid") means v1.
cg_v2() {
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
}

# A process's field F of /proc/PID/stat (5 the process group, 6 the session,
# 7 the terminal), counted as proc(5) does; the name in parentheses may hold
# spaces.
stat_field() {
	sed 's/^.*) //' "/proc/$1/stat" | awk -v f="$2" '{ print $(f - 2) }'
}

# The lease files (/run/runb/10.0.0.x) that name the container NAME: the
# addresses it holds or held.
leases_of() {
	grep -lx -- "$1" /run/runb/10.0.0.* 2>/dev/null || true
}

# A line in the test's output (bats shows it with the test's name).
note() {
	echo "# $*" >&3
}

# Does the comma-separated option list $1 hold option $2?
has_opt() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

# A private copy of the file's rootfs at $BATS_TEST_TMPDIR/NAME, for a test
# that changes it; prints its real path, the one runb names in messages.
rootfs_copy() {
	mkdir -p "$BATS_TEST_TMPDIR/$1"
	cp -a "$ROOTFS/." "$BATS_TEST_TMPDIR/$1/"
	realpath "$BATS_TEST_TMPDIR/$1"
}

# seccomp_alike: $runc and $runb hold an engine's "STATUS: OUTPUT" of test/sysc (a
# line NAME RESULT per call), under each runtime with the engine's default profile:
# runb's ran, runc's refused some call, and each call runc's refuses (EPERM, ENOSYS)
# runb's refuses too
# shellcheck disable=SC2154 # $runc and $runb: set by the caller (both, each)
seccomp_alike() {
	local call result
	[[ $runb == 0:* ]]
	[[ $runc == *" EPERM"* ]]
	while read -r call result; do
		[[ $result == EPERM || $result == ENOSYS ]] || continue
		[[ $(grep "^$call " <<<"${runb#0: }") =~ \ (EPERM|ENOSYS)$ ]] ||
			{ echo "runc: $call $result; runb: $(grep "^$call " <<<"${runb#0: }")"; return 1; }
	done <<<"${runc#0: }"
}
