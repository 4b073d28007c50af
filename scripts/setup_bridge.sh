#!/usr/bin/env bash
#
# setup_bridge.sh - create the network bridge used by runb containers.
#
# Usage: scripts/setup_bridge.sh [--subnet CIDR]      (as root)
#
# CIDR is the containers' network, as runb's --subnet (default 10.0.0.0/24,
# the slide's); the bridge takes its first address (10.0.0.1/24). Give runb
# the same --subnet. The default subnet's bridge is "runb-bridge"; any other
# subnet has a bridge of its own, named as runb names it (runb-0a610000 for
# 10.97.0.0/16). Run it once per subnet. (The rules for CIDR, and what both
# scripts share: scripts/bridge-common.sh.)
#
# What it does (each step only if not already done, so it can be re-run):
#   1. creates the subnet's bridge with the MAC runb gives it, gives it the
#      subnet's first address, brings it up (runb removes a bridge it made
#      itself when its last container ends; this one stays);
#   2. enables IPv4 forwarding (net.ipv4.ip_forward=1); if it was 0 before,
#      that is recorded in $RUNB_STATE_DIR/ip_forward.saved (default
#      /run/runb) so that remove_bridge.sh can restore it;
#   3. adds NAT (masquerade) for the subnet, forward-accept rules for the
#      bridge, and isolation: nothing is forwarded between this bridge and
#      another runb bridge (runb-*), both ways, as docker's isolation chains
#      do. It touches ONLY runb's own rules (the host's other NAT rules, e.g.
#      docker's or libvirt's, are left alone):
#        - with nftables (nft): a table of the subnet's own, "ip runb" for
#          the default one and "ip BRIDGE" for another, replaced atomically
#          on every run.  If iptables' FORWARD chain has a DROP policy
#          (as docker sets it), the same accepts and isolation go into
#          iptables' FORWARD too, tagged with the comment "runb", because
#          a drop in any table wins over our table's accept;
#        - otherwise with iptables: rules tagged "-m comment --comment runb",
#          each added only when "iptables -C" does not find it.
#
# Undo everything with scripts/remove_bridge.sh (with the same --subnet).

set -euo pipefail

PROG=${0##*/}
# shellcheck source=scripts/bridge-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/bridge-common.sh"

# ipt_ensure TABLE CHAIN -A|-I SPEC...: add the rule unless it is present.
ipt_ensure() {
    local table=$1 chain=$2 how=$3
    shift 3
    if ! iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null; then
        iptables -w -t "$table" "$how" "$chain" "$@"
    fi
}

ipt_forward_rules() {
    # Inserted at the top so that they come before any rejecting rule; the
    # last inserted is the first: the bridge to itself, the isolation, then
    # the accepts.
    ipt_ensure filter FORWARD -I "${IPT_FWD_EST[@]}"
    ipt_ensure filter FORWARD -I "${IPT_FWD_IN[@]}"
    ipt_ensure filter FORWARD -I "${IPT_ISO_IN[@]}"
    ipt_ensure filter FORWARD -I "${IPT_ISO_OUT[@]}"
    ipt_ensure filter FORWARD -I "${IPT_ISO_SELF[@]}"
}

parse_args "Usage: $PROG [--subnet CIDR]   (as root) - create the bridge of CIDR (default 10.0.0.0/24) with its first address, and NAT for it, for runb" "$@"
[ "$(id -u)" -eq 0 ] || die "must be run as root"
NFT_TABLE="$NFT_FAMILY $NFT_NAME"
have ip || die "'ip' not found; install iproute2"
have nft || have iptables || die "neither nft nor iptables found; install nftables (or iptables)"

# 1. The bridge.
if ! ip link show dev "$BRIDGE" >/dev/null 2>&1; then
    echo ">> creating bridge $BRIDGE"
    ip link add name "$BRIDGE" address "$BRIDGE_MAC" type bridge
fi
if ! ip -4 addr show dev "$BRIDGE" | grep -qw "inet $BRIDGE_ADDR"; then
    echo ">> adding address $BRIDGE_ADDR to $BRIDGE"
    ip addr add "$BRIDGE_ADDR" dev "$BRIDGE"
fi
ip link set dev "$BRIDGE" up
# a bridge runb made for its containers is marked with the alias "runb", and
# runb removes it when the last of them ends; this one is the script's: it stays
if ip -o link show dev "$BRIDGE" | grep -q ' alias runb\b'; then
    ip link set dev "$BRIDGE" alias ""
fi

# 2. IPv4 forwarding; remember if it was off (only the first time).
fwd=$(cat /proc/sys/net/ipv4/ip_forward)
if [ "$fwd" = "0" ] && [ ! -e "$FWD_SAVED" ]; then
    mkdir -p "$STATE_DIR"
    echo 0 >"$FWD_SAVED"
fi
if [ "$fwd" != "1" ]; then
    echo ">> enabling net.ipv4.ip_forward"
    set_ip_forward 1
fi

# 3. NAT and forwarding rules.
if have nft; then
    echo ">> installing nftables table '$NFT_TABLE'"
    # The first two lines make the file idempotent: create the table if it
    # is missing, then delete it; the whole file is applied atomically.
    nft -f - <<EOF
table $NFT_TABLE {}
delete table $NFT_TABLE
table $NFT_TABLE {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr $SUBNET oifname != "$BRIDGE" masquerade
    }
    chain forward {
        type filter hook forward priority 0; policy accept;
        iifname "$BRIDGE" oifname "runb-*" oifname != "$BRIDGE" drop
        oifname "$BRIDGE" iifname "runb-*" iifname != "$BRIDGE" drop
        iifname "$BRIDGE" accept
        oifname "$BRIDGE" ct state related,established accept
    }
}
EOF
    # A DROP policy on iptables' FORWARD chain (docker sets one) would drop
    # our traffic even though our own table accepts it.
    if have iptables && iptables -w -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD DROP'; then
        echo ">> iptables FORWARD policy is DROP: adding runb accept rules there too"
        ipt_forward_rules
    fi
else
    echo ">> nft not found: installing iptables rules (comment 'runb')"
    ipt_ensure nat POSTROUTING -A "${IPT_NAT[@]}"
    ipt_forward_rules
fi

echo ">> $BRIDGE is up with $BRIDGE_ADDR; NAT enabled for $SUBNET"
