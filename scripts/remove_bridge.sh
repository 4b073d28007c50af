#!/usr/bin/env bash
#
# remove_bridge.sh - undo scripts/setup_bridge.sh.
#
# Usage: scripts/remove_bridge.sh [--subnet CIDR]     (as root)
#
# CIDR: the one setup_bridge.sh was given (default 10.0.0.0/24); it names
# the bridge, the nftables table and the NAT rule (scripts/bridge-common.sh).
#
# Removes exactly what setup_bridge.sh added for CIDR, and nothing else:
#   - the subnet's nftables table ("ip runb", or "ip BRIDGE"), if it exists;
#   - the iptables rules tagged with the comment "runb" for the subnet's
#     bridge (each deleted while "iptables -C" still finds it);
#   - the subnet's bridge ("runb-bridge", or runb-XXXXXXXX), if it exists;
#   - net.ipv4.ip_forward is reset ONLY if setup_bridge.sh recorded that it
#     was 0 before ($RUNB_STATE_DIR/ip_forward.saved, default /run/runb),
#     and only when no other subnet's runb table or bridge is left; the
#     record is then removed.
# Safe to run when nothing (or only part) is set up, and to run twice.

set -euo pipefail

PROG=${0##*/}
# shellcheck source=scripts/bridge-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bridge-common.sh"

# ipt_remove TABLE CHAIN SPEC...: delete every copy of the rule.
ipt_remove() {
    local table=$1 chain=$2
    shift 2
    while iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null; do
        iptables -w -t "$table" -D "$chain" "$@"
    done
}

parse_args "Usage: $PROG [--subnet CIDR]   (as root) - remove the bridge of CIDR (default 10.0.0.0/24) and runb's NAT rules for it" "$@"
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
    ipt_remove filter FORWARD "${IPT_ISO_SELF[@]}"
    ipt_remove filter FORWARD "${IPT_ISO_OUT[@]}"
    ipt_remove filter FORWARD "${IPT_ISO_IN[@]}"
fi

if ip link show dev "$BRIDGE" >/dev/null 2>&1; then
    echo ">> deleting bridge $BRIDGE"
    ip link set dev "$BRIDGE" down || true
    ip link del dev "$BRIDGE"
fi

# another subnet still set up (its table or rules are left): forwarding stays on for it
others=0
if have nft && nft list tables 2>/dev/null | grep -q "^table $NFT_FAMILY runb"; then
    others=1
fi
if have iptables && { iptables -w -S FORWARD; iptables -w -t nat -S POSTROUTING; } 2>/dev/null |
    grep -q -- '--comment runb'; then
    others=1
fi
if [ -f "$FWD_SAVED" ] && [ "$others" = 0 ]; then
    saved=$(cat "$FWD_SAVED")
    case $saved in
        0 | 1) ;;
        *) die "unexpected content in $FWD_SAVED: '$saved'" ;;
    esac
    echo ">> restoring net.ipv4.ip_forward=$saved"
    set_ip_forward "$saved"
    rm -f "$FWD_SAVED"
    rmdir "$STATE_DIR" 2>/dev/null || true
fi

echo ">> runb bridge removed"
