#!/usr/bin/env bash
# scripts/vmsuite.sh - the bats suite in the cgroup-v2 VM of scripts/vmtest.sh,
# split over several VMs at once (make test-vm).
#
# usage: scripts/vmsuite.sh [BATS]        (BATS: the bats command, default bats)
#
# Without KVM (this CPU has no vmx/svm) QEMU emulates the CPU, and one VM
# runs the suite's tests one after another on one host core. The test files
# are shared out over VMSUITE_JOBS VMs (default: the host's CPUs, at most 4),
# the longest first, each to the VM with the least time so far;
# each VM has one vCPU (VMTEST_SMP=1) and its own kernel, so their tests do
# not see each other. Each VM's TAP output is printed whole as that VM ends,
# with a line naming its files; the exit status is 0 only when every VM
# passed all of its tests.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$top"
bats=${1:-bats}
jobs=${VMSUITE_JOBS:-$(nproc)}
[ "$jobs" -le 4 ] || jobs=4
[ "$jobs" -ge 1 ] || jobs=1

# What each file takes in one VM, in seconds (measured under TCG, make test-vm
# of 2026-12-05; rootfs.bats less the 45 s its race loops lost to the time
# box, RUNB_TEST_TIMEBOX=40, below); a file not listed counts 7 s a test. The files that never
# reach the kernel's container features are left to make check and make test:
# cli.bats (the command line, as nobody) and map.bats (the source's maps).
declare -A secs=([test/inside.bats]=207 [test/verbs.bats]=223 [test/rootfs.bats]=135
	[test/net.bats]=150 [test/files.bats]=121 [test/records.bats]=100 [test/docker-compat.bats]=88
	[test/lifecycle.bats]=78 [test/core.bats]=74 [test/cgroup.bats]=44 [test/tty.bats]=30
	[test/confinement.bats]=28 [test/step.bats]=20 [test/unwind.bats]=20 [test/engines.bats]=75 [test/oci.bats]=70
	[test/podman.bats]=60)
skip=" test/cli.bats test/map.bats "
weight() { echo "${secs[$1]:-$((7 * $(grep -c '^@test' "$1")))}"; }

# the files, the longest first
mapfile -t files < <(for f in test/*.bats; do
	[[ $skip == *" $f "* ]] || printf '%s %s\n' "$(weight "$f")" "$f"
done | sort -rn | cut -d' ' -f2)
[ "${#files[@]}" -gt 0 ] || { echo "vmsuite: no test/*.bats" >&2; exit 125; }
[ "$jobs" -le "${#files[@]}" ] || jobs=${#files[@]}

# share them out: each to the group with the least time so far
declare -a group load
for ((j = 0; j < jobs; j++)); do group[j]=""; load[j]=0; done
for f in "${files[@]}"; do
	best=0
	for ((j = 1; j < jobs; j++)); do
		[ "${load[j]}" -lt "${load[best]}" ] && best=$j
	done
	group[best]+=" $f"
	load[best]=$((load[best] + $(weight "$f")))
done

logs=$(mktemp -d "${TMPDIR:-/tmp}/vmsuite.XXXXXX")
pids=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

for ((j = 0; j < jobs; j++)); do
	# shellcheck disable=SC2086 # the group is a list of file names without spaces
	RUNB_TEST_TIMEBOX=40 VMTEST_PASSENV="${VMTEST_PASSENV:-} RUNB_TEST_TIMEBOX" VMTEST_SMP=1 \
		scripts/vmtest.sh "$bats" --timing ${group[j]} >"$logs/$j" 2>&1 &
	pids+=($!)
done

rc=0
for ((j = 0; j < jobs; j++)); do
	st=0
	wait "${pids[j]}" || st=$?
	echo "vmsuite: VM $((j + 1)) of $jobs (about ${load[j]} s:${group[j]}) exited $st"
	cat "$logs/$j"
	[ "$st" = 0 ] || rc=1
done
pids=()
exit "$rc"
