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
	for h in escape openpty sysc resolve reap ptyrun swapper nodeath prober holdexe; do
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
	echo "## host links"
	while read -r _ n rest; do echo "${n%:}"; done < <(ip -o link show)
	# runb-bridge is made when missing and left in place, by design
	echo "## test netns links and addresses (but runb-bridge)"
	while read -r _ n rest; do
		[ "$n" = runb-bridge ] || echo "$n ${rest%%/*}"
	done < <(ip -n "$NS" -o addr show)
	while read -r _ n rest; do
		[ "${n%:}" = runb-bridge ] || echo "${n%:}"
	done < <(ip -n "$NS" -o link show)
	echo "## netns"
	for f in /run/netns/*; do echo "${f##*/}"; done
	echo "## state"
	for f in /run/runb/*; do echo "${f##*/}"; done
	shopt -u nullglob dotglob
}

# wait_for CMD...: until CMD succeeds, polling every 50 ms, at most 100 times
# (~5 s here, longer where each poll is slow).
wait_for() {
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.05
	done
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

# settle CMD...: until CMD succeeds, for at most 2 s. runb leaves the host
# veth to the kernel, which removes it with the container's network
# namespace some milliseconds after runb has exited (see teardown() in
# runb.c); whatever else must be gone is gone before runb exits.
settle() {
	local i
	for ((i = 0; i < 40; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# A test that failed halfway may leave a runb running in its netns: stop it
# with SIGTERM so that it tears down what it made, then SIGKILL what is left.
stop_leftover_runb() {
	local pids
	pids=$(ip netns pids "$NS" 2>/dev/null) || return 0
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 $pids 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL $pids 2>/dev/null || true
}

# The host must be exactly as before the test; then the test's netns goes.
common_teardown() {
	local rc=0
	settle host_unchanged || rc=1
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

	for _ in $(seq 100); do
		[ -e "/run/netns/$CNAME" ] && return 0
		sleep 0.05
	done
	return 1
}

# The container's PID 1 as the host sees it: runb's child.
container_pid() {
	local p
	for _ in $(seq 100); do
		p=$(cat "/proc/$RB_PID/task/$RB_PID/children" 2>/dev/null | awk '{print $1}')
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
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

# without_times TEXT: runb -v's lines without the " [N µs]" each ends with.
without_times() {
	sed -E 's/ \[[0-9]+ µs\]$//' <<<"$1"
}

# runb bounded in time: a verb that hangs fails the test (status 124).
rbt() {
	timeout 60 nsenter --net="/run/netns/$NS" "$RUNB" "$@"
}

# PID is a live process (a zombie is dead: it only waits to be reaped).
alive() {
	[ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
dead() { ! alive "$1"; }

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
