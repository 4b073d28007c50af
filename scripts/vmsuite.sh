#!/usr/bin/env bash
# scripts/vmsuite.sh - the bats suite in the cgroup-v2 VM of scripts/vmtest.sh,
# split over several VMs at once (make test-vm).
#
# usage: scripts/vmsuite.sh [BATS]        (BATS: the bats command, default bats)
#
# Without KVM (this CPU has no vmx/svm) QEMU emulates the CPU, and one VM
# runs the suite's tests one after another on one host core. The test files
# are shared out over VMSUITE_JOBS VMs (default: the host's CPUs, at most 4),
# the files with most tests first, each to the VM with fewest tests so far;
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

# the files, most tests first
mapfile -t files < <(for f in test/*.bats; do
	printf '%s %s\n' "$(grep -c '^@test' "$f")" "$f"
done | sort -rn | cut -d' ' -f2)
[ "${#files[@]}" -gt 0 ] || { echo "vmsuite: no test/*.bats" >&2; exit 125; }
[ "$jobs" -le "${#files[@]}" ] || jobs=${#files[@]}

# share them out: each to the group with fewest tests so far
declare -a group load
for ((j = 0; j < jobs; j++)); do group[j]=""; load[j]=0; done
for f in "${files[@]}"; do
	best=0
	for ((j = 1; j < jobs; j++)); do
		[ "${load[j]}" -lt "${load[best]}" ] && best=$j
	done
	group[best]+=" $f"
	load[best]=$((load[best] + $(grep -c '^@test' "$f")))
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
	VMTEST_SMP=1 scripts/vmtest.sh "$bats" --timing ${group[j]} >"$logs/$j" 2>&1 &
	pids+=($!)
done

rc=0
for ((j = 0; j < jobs; j++)); do
	st=0
	wait "${pids[j]}" || st=$?
	echo "vmsuite: VM $((j + 1)) of $jobs (${load[j]} tests:${group[j]}) exited $st"
	cat "$logs/$j"
	[ "$st" = 0 ] || rc=1
done
pids=()
exit "$rc"
