#!/usr/bin/env bash
#
# remove_bridge.sh - undo scripts/setup_bridge.sh.
#
# Usage: scripts/remove_bridge.sh           (as root, no arguments)
#
# Removes exactly what setup_bridge.sh added, and nothing else:
#   - the nftables table "ip runb" (if it exists);
#   - the iptables rules tagged with the comment "runb" (each deleted while
#     "iptables -C" still finds it);
#   - the bridge "runb-bridge" (if it exists);
#   - net.ipv4.ip_forward is reset ONLY if setup_bridge.sh recorded that it
#     was 0 before ($RUNB_STATE_DIR/ip_forward.saved, default /run/runb);
#     the record is then removed.
# Safe to run when nothing (or only part) is set up, and to run twice.

set -euo pipefail

PROG=${0##*/}

# Keep these in sync with setup_bridge.sh.
BRIDGE=runb-bridge
SUBNET=10.0.0.0/24
NFT_FAMILY=ip
NFT_NAME=runb
STATE_DIR=${RUNB_STATE_DIR:-/run/runb}
FWD_SAVED="$STATE_DIR/ip_forward.saved"
IPT_NAT=(-s "$SUBNET" ! -o "$BRIDGE" -m comment --comment runb -j MASQUERADE)
IPT_FWD_IN=(-i "$BRIDGE" -m comment --comment runb -j ACCEPT)
IPT_FWD_EST=(-o "$BRIDGE" -m conntrack --ctstate "RELATED,ESTABLISHED" -m comment --comment runb -j ACCEPT)

die() {
    echo "$PROG: error: $*" >&2
    exit 1
}

have() {
    command -v "$1" >/dev/null 2>&1
}

# ipt_remove TABLE CHAIN SPEC...: delete every copy of the rule.
ipt_remove() {
    local table=$1 chain=$2
    shift 2
    while iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null; do
        iptables -w -t "$table" -D "$chain" "$@"
    done
}

if [ $# -ne 0 ]; then
    if [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
        echo "Usage: $PROG   (as root) - remove $BRIDGE and runb's NAT rules"
        exit 0
    fi
    die "takes no arguments (usage: $PROG)"
fi
[ "$(id -u)" -eq 0 ] || die "must be run as root"
have ip || die "'ip' not found; install iproute2"

if have nft && nft list table "$NFT_FAMILY" "$NFT_NAME" >/dev/null 2>&1; then
    echo ">> deleting nftables table '$NFT_FAMILY $NFT_NAME'"
    nft delete table "$NFT_FAMILY" "$NFT_NAME"
fi

if have iptables; then
    ipt_remove nat POSTROUTING "${IPT_NAT[@]}"
    ipt_remove filter FORWARD "${IPT_FWD_IN[@]}"
    ipt_remove filter FORWARD "${IPT_FWD_EST[@]}"
fi

if ip link show dev "$BRIDGE" >/dev/null 2>&1; then
    echo ">> deleting bridge $BRIDGE"
    ip link set dev "$BRIDGE" down || true
    ip link del dev "$BRIDGE"
fi

if [ -f "$FWD_SAVED" ]; then
    saved=$(cat "$FWD_SAVED")
    case $saved in
        0 | 1) ;;
        *) die "unexpected content in $FWD_SAVED: '$saved'" ;;
    esac
    echo ">> restoring net.ipv4.ip_forward=$saved"
    if have sysctl; then
        sysctl -q -w "net.ipv4.ip_forward=$saved"
    else
        echo "$saved" >/proc/sys/net/ipv4/ip_forward
    fi
    rm -f "$FWD_SAVED"
    rmdir "$STATE_DIR" 2>/dev/null || true
fi

echo ">> runb bridge removed"
