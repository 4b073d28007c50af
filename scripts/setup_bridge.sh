#!/usr/bin/env bash
#
# setup_bridge.sh - create the network bridge used by runb containers.
#
# Usage: scripts/setup_bridge.sh            (as root, no arguments)
#
# What it does (each step only if not already done, so it can be re-run):
#   1. creates the bridge "runb-bridge", gives it 10.0.0.1/24, brings it up;
#   2. enables IPv4 forwarding (net.ipv4.ip_forward=1); if it was 0 before,
#      that is recorded in $RUNB_STATE_DIR/ip_forward.saved (default
#      /run/runb) so that remove_bridge.sh can restore it;
#   3. adds NAT (masquerade) for 10.0.0.0/24 and forward-accept rules for the
#      bridge, touching ONLY runb's own rules (the host's other NAT rules, e.g.
#      docker's or libvirt's, are left alone):
#        - with nftables (nft): a dedicated table "ip runb", replaced
#          atomically on every run.  If iptables' FORWARD chain has a DROP
#          policy (as docker sets it), two iptables FORWARD accepts tagged
#          with the comment "runb" are added too, because a drop in any
#          table wins over our table's accept;
#        - otherwise with iptables: rules tagged "-m comment --comment runb",
#          each added only when "iptables -C" does not find it.
#
# Undo everything with scripts/remove_bridge.sh.

set -euo pipefail

PROG=${0##*/}

# Keep these in sync with remove_bridge.sh.
BRIDGE=runb-bridge
BRIDGE_ADDR=10.0.0.1/24
SUBNET=10.0.0.0/24
NFT_TABLE="ip runb"
STATE_DIR=${RUNB_STATE_DIR:-/run/runb}
FWD_SAVED="$STATE_DIR/ip_forward.saved"
# iptables rule specs (without the chain name); all tagged "runb".
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

# ipt_ensure TABLE CHAIN -A|-I SPEC...: add the rule unless it is present.
ipt_ensure() {
    local table=$1 chain=$2 how=$3
    shift 3
    if ! iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null; then
        iptables -w -t "$table" "$how" "$chain" "$@"
    fi
}

ipt_forward_rules() {
    # Inserted at the top so that they come before any rejecting rule.
    ipt_ensure filter FORWARD -I "${IPT_FWD_EST[@]}"
    ipt_ensure filter FORWARD -I "${IPT_FWD_IN[@]}"
}

set_ip_forward() {
    if have sysctl; then
        sysctl -q -w "net.ipv4.ip_forward=$1"
    else
        echo "$1" >/proc/sys/net/ipv4/ip_forward
    fi
}

if [ $# -ne 0 ]; then
    if [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
        echo "Usage: $PROG   (as root) - create $BRIDGE ($BRIDGE_ADDR) with NAT for runb"
        exit 0
    fi
    die "takes no arguments (usage: $PROG)"
fi
[ "$(id -u)" -eq 0 ] || die "must be run as root"
have ip || die "'ip' not found; install iproute2"
have nft || have iptables || die "neither nft nor iptables found; install nftables (or iptables)"

# 1. The bridge.
if ! ip link show dev "$BRIDGE" >/dev/null 2>&1; then
    echo ">> creating bridge $BRIDGE"
    ip link add name "$BRIDGE" address 02:00:0a:00:00:01 type bridge
fi
if ! ip -4 addr show dev "$BRIDGE" | grep -qw "inet $BRIDGE_ADDR"; then
    echo ">> adding address $BRIDGE_ADDR to $BRIDGE"
    ip addr add "$BRIDGE_ADDR" dev "$BRIDGE"
fi
ip link set dev "$BRIDGE" up

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
