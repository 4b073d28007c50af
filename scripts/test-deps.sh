#!/usr/bin/env bash
#
# test-deps.sh - what `make test` needs, checked before anything runs; the
# missing Debian packages are installed in one apt-get call.
#
# Usage: scripts/test-deps.sh            (as root: make test runs containers)
#        scripts/test-deps.sh check      (what make check needs: any user
#                                         when nothing is missing)
#
# Every tool the suite in test/ calls on the host (the containers have their
# own busybox) is listed below with the Debian package that provides it. When
# some are missing, it says which and why, then runs `apt-get update` and one
# `apt-get install`. Without apt-get it names every missing tool and fails, so
# that no test runs on a machine that cannot pass it.

set -euo pipefail

PROG=${0##*/}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
    echo "$PROG: $*" >&2
    exit 1
}

mode=${1:-test}
case $mode in
    test) [ "$(id -u)" = 0 ] || die "make test runs containers: run it as root (sudo make test)" ;;
    check) ;;
    *) die "usage: $PROG [check]" ;;
esac

# TOOL PACKAGE WHAT-FOR, one a line. A TOOL with a / is a file that must exist.
needs=$(cat <<'EOF'
bats                                 bats          the test runner
/usr/lib/bats/bats-support/load.bash bats-support  bats' helper library
/usr/lib/bats/bats-assert/load.bash  bats-assert   assert_output, assert_line
ip                                   iproute2      the tests' network namespaces, links, addresses
nft                                  nftables      setup_bridge.sh's NAT, checked by net.bats
nsenter                              util-linux    runb inside a test's network namespace
unshare                              util-linux    namespaces of the tests' own
setpriv                              util-linux    non-root runs and the capability controls
findmnt                              util-linux    mount options in confinement.bats
mountpoint                           util-linux    the host's root device in confinement.bats
flock                                util-linux    stale leases in lifecycle.bats
mount                                mount         a read-only bind in unwind.bats
pgrep                                procps        runb under strace
ps                                   procps        what outlived runb in net.bats
strace                               strace        delays and faults injected into runb
cc                                   gcc           the static helpers in test/
make                                 make          the build
timeout                              coreutils     bounded waits
awk                                  mawk          the tests' text checks
diff                                 diffutils     the host-unchanged check
find                                 findutils     cgroups and ROOTFS listings
hostname                             hostname      the host name check in core.bats
script                               bsdutils      a terminal for runb exec in verbs.bats
python3                              python3       runb inspect's and ps' JSON read back in records.bats
shellcheck                           shellcheck    scripts/ and .ci/run checked by cli.bats
curl                                 curl          the clients of -p in ports.bats
dockerd                              docker.io     docker with runb-oci as a runtime, in engines.bats
/usr/bin/docker                      docker.io     its client, of dockerd's own version
ctr                                  containerd    containerd's client, against dockerd's containerd
/usr/bin/podman                      podman        podman with runb-oci as a runtime, in podman.bats
conmon                               conmon        podman's monitor of each container
crun                                 crun          the runtime compared besides runc on cgroup v2
EOF
)

missing=() pkgs=()
need() { # PACKAGE TOOL WHY
    missing+=("$2 (package $1): $3")
    case " ${pkgs[*]} " in *" $1 "*) ;; *) pkgs+=("$1") ;; esac
}

# make check needs only these of them (test/cli.bats: runb's command line as
# nobody, through setpriv in a network namespace of its own), and cc's libc.a
check_tools=" bats /usr/lib/bats/bats-support/load.bash /usr/lib/bats/bats-assert/load.bash setpriv unshare cc make shellcheck "

while read -r tool pkg why; do
    [ "$mode" = test ] || [[ $check_tools == *" $tool "* ]] || continue
    case $tool in
        /*) [ -e "$tool" ] || need "$pkg" "$tool" "$why" ;;
        *) command -v "$tool" >/dev/null 2>&1 || need "$pkg" "$tool" "$why" ;;
    esac
done <<<"$needs"

# The helpers are linked statically: libc.a, from libc6-dev.
if command -v cc >/dev/null 2>&1; then
    libc=$(cc -print-file-name=libc.a 2>/dev/null || true)
    case $libc in /*) [ -e "$libc" ] ;; *) false ;; esac || need libc6-dev libc.a "the static helpers in test/"
else
    need libc6-dev libc.a "the static helpers in test/"
fi
# rootfs/ is made of Debian's static busybox (scripts/setup_filesystem.sh).
if [ "$mode" = test ] && [ ! -x "$top/rootfs/busybox/bin/busybox" ] && [ ! -x /bin/busybox ]; then
    need busybox-static /bin/busybox "rootfs/, the tests' container"
fi
# A kernel with modules loads veth, bridge and nf_tables through modprobe.
if [ "$mode" = test ] && [ -e /proc/modules ] && ! command -v modprobe >/dev/null 2>&1; then
    need kmod modprobe "the kernel loads veth, bridge, nf_tables with it"
fi

[ ${#missing[@]} -gt 0 ] || exit 0
[ "$(id -u)" = 0 ] || {
    echo "$PROG: make $mode needs these, and only root can install them:" >&2
    printf '  %s
' "${missing[@]}" >&2
    exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
    {
        echo "$PROG: make $mode needs these, and there is no apt-get to install them:"
        printf '  %s\n' "${missing[@]}"
        echo "$PROG: install them (Debian package names above) and run make $mode again"
    } >&2
    exit 1
fi

echo ">> make $mode needs what this machine lacks:"
printf '>>   %s\n' "${missing[@]}"
echo ">> installing with apt-get: ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${pkgs[@]}"
