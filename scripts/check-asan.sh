#!/usr/bin/env bash
#
# check-asan.sh - bats test files run against runb built with AddressSanitizer
# and UndefinedBehaviorSanitizer (make check-asan builds runb-asan).
#
# Usage: scripts/check-asan.sh RUNB-ASAN BATS FILE...     (as root, as make test)
#
# The suite's helpers take the runb under test from RUNB. Every sanitizer
# report fails the run, whichever process it comes from:
#   - halt_on_error=1: the process that hits an error stops there, with
#     exitcode 86, a status runb never gives (so a test that expects 125 or
#     137 fails too);
#   - log_path: each AddressSanitizer report also goes to a file of its own
#     (asan.PID) in a directory made here, printed at the end, and any file
#     there fails the run, even when no test looks at that process's status
#     (runb -d's supervisor, a runb under strace, a cleanup run). gcc's
#     libubsan, loaded beside libasan, ignores log_path: UBSan's reports go
#     to the process's stderr, and fail the run by the status alone. (A
#     process inside the container, after its root switch, cannot reach the
#     directory either: ASan then says so on its stderr, and exits.)
#   - detect_leaks=0: LeakSanitizer stops the process at exit to scan it,
#     with ptrace, and dies with "LeakSanitizer does not work under ptrace"
#     when runb is traced: several tests hold runb with strace -f. (runb is
#     short-lived: every process of it exits or execs the container's
#     command soon after it starts.)

set -euo pipefail

PROG=${0##*/}
[ $# -ge 3 ] || { echo "usage: $PROG RUNB-ASAN BATS FILE..." >&2; exit 2; }
runb=$(realpath "$1")
bats=$2
shift 2

# a directory any runb process may write to (runb as nobody: test/cli.bats)
logs=$(mktemp -d "${TMPDIR:-/tmp}/runb-asan.XXXXXX")
chmod 1777 "$logs"
trap 'rm -rf "$logs"' EXIT

export RUNB=$runb
export ASAN_OPTIONS="halt_on_error=1:exitcode=86:detect_leaks=0:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=86:print_stacktrace=1:log_path=$logs/ubsan"

st=0
"$bats" "$@" || st=$?

shopt -s nullglob
reports=("$logs"/*)
if [ ${#reports[@]} -gt 0 ]; then
	for r in "${reports[@]}"; do
		echo "$PROG: ==== ${r##*/}"
		cat "$r"
	done
	echo "$PROG: ${#reports[@]} sanitizer report(s), above" >&2
	exit 1
fi
echo "$PROG: no sanitizer report"
exit "$st"
