# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source it
#
# bridge-common.sh - what setup_bridge.sh and remove_bridge.sh share, sourced
# by both: the names of what they make (runb's bridge, the nftables table,
# the iptables rules tagged "runb", the saved ip_forward), their command
# line, and the subnet with its addresses and bridge.
#
# The command line of both: [--subnet CIDR] (also --subnet=CIDR), or -h,
# --help. CIDR follows runb's own --subnet rules: a private range (10.0.0.0/8,
# 172.16.0.0/12, 192.168.0.0/16), /24 or larger, given by its network
# address; the default is runb's, 10.0.0.0/24. The bridge takes the subnet's
# first address, and the MAC runb gives the bridge it makes: 02:00 and that
# address's four bytes (bridge_make() in runb.c), so the one runb finds is the
# one it would have made. The default subnet's bridge is runb-bridge; any other
# subnet has a bridge of its own, named from its network address in hex
# (runb-0a610000 for 10.97.0.0/16), as runb's bridge_name() names it, and an
# nftables table of the same name.

NFT_FAMILY=ip
STATE_DIR=${RUNB_STATE_DIR:-/run/runb}
FWD_SAVED=$STATE_DIR/ip_forward.saved

die() {
    echo "$PROG: error: $*" >&2
    exit 1
}

have() {
    command -v "$1" >/dev/null 2>&1
}

# set_ip_forward 0|1
set_ip_forward() {
    if have sysctl; then
        sysctl -q -w "net.ipv4.ip_forward=$1"
    else
        echo "$1" >/proc/sys/net/ipv4/ip_forward
    fi
}

# set_subnet CIDR: SUBNET (CIDR), BRIDGE_IP (its first address), BRIDGE_ADDR
# (BRIDGE_IP/N), BRIDGE_MAC; dies, with runb's words, on a CIDR runb refuses.
set_subnet() {
    local cidr=$1 o n prefix mask gw
    local bad="invalid --subnet '$cidr': expected A.B.C.D/N, e.g. 10.0.0.0/24"
    local o8='(0|[1-9][0-9]{0,2})'  # as inet_pton(3): no leading zero
    [[ $cidr =~ ^$o8\.$o8\.$o8\.$o8/([0-9]{1,2})$ ]] || die "$bad"
    n=0
    for o in 1 2 3 4; do
        [ $((10#${BASH_REMATCH[o]})) -le 255 ] || die "$bad"
        n=$(((n << 8) | 10#${BASH_REMATCH[o]}))
    done
    prefix=$((10#${BASH_REMATCH[5]}))
    [ "$prefix" -le 32 ] || die "$bad"
    [ "$prefix" -le 24 ] || die "invalid --subnet '$cidr': a /24 or larger (N at most 24)"
    mask=$(((0xffffffff << (32 - prefix)) & 0xffffffff))
    [ $((n & ~mask & 0xffffffff)) = 0 ] || die "invalid --subnet '$cidr': not the network address of a /$prefix"
    if ! { [ "$prefix" -ge 8 ] && [ $((n >> 24)) = 10 ]; } &&
        ! { [ "$prefix" -ge 12 ] && [ $((n & 0xfff00000)) = $((0xac100000)) ]; } &&
        ! { [ "$prefix" -ge 16 ] && [ $((n & 0xffff0000)) = $((0xc0a80000)) ]; }; then
        die "invalid --subnet '$cidr': not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"
    fi
    if [ "$n" = $((0x0a000000)) ] && [ "$prefix" = 24 ]; then
        BRIDGE=runb-bridge  # runb.c: NET_BRIDGE_NAME
        NFT_NAME=runb
    else
        BRIDGE=$(printf 'runb-%08x' "$n")  # runb.c: bridge_name()
        NFT_NAME=$BRIDGE
    fi
    gw=$((n + 1))
    SUBNET=$((n >> 24)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))/$prefix
    BRIDGE_IP=$((gw >> 24)).$((gw >> 16 & 255)).$((gw >> 8 & 255)).$((gw & 255))
    BRIDGE_ADDR=$BRIDGE_IP/$prefix
    BRIDGE_MAC=$(printf '02:00:%02x:%02x:%02x:%02x' $((gw >> 24)) $((gw >> 16 & 255)) $((gw >> 8 & 255)) $((gw & 255)))
}

# parse_args USAGE ARG...: the command line; -h or --help prints USAGE.
# Then SUBNET and the rest (set_subnet), and the iptables rule specs
# (without the chain name), all tagged "runb".
parse_args() {
    local usage=$1 cidr=10.0.0.0/24
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            -h | --help)
                echo "$usage"
                exit 0
                ;;
            --subnet)
                [ $# -ge 2 ] || die "--subnet needs a value (usage: $usage)"
                cidr=$2
                shift 2
                ;;
            --subnet=*)
                cidr=${1#--subnet=}
                shift
                ;;
            *) die "unknown argument '$1' (usage: $usage)" ;;
        esac
    done
    set_subnet "$cidr"
    IPT_NAT=(-s "$SUBNET" ! -o "$BRIDGE" -m comment --comment runb -j MASQUERADE)
    IPT_FWD_IN=(-i "$BRIDGE" -m comment --comment runb -j ACCEPT)
    IPT_FWD_EST=(-o "$BRIDGE" -m conntrack --ctstate "RELATED,ESTABLISHED" -m comment --comment runb -j ACCEPT)
    # isolation, as docker's DOCKER-ISOLATION chains: nothing is forwarded
    # between this bridge and another runb bridge (runb+), both ways
    IPT_ISO_SELF=(-i "$BRIDGE" -o "$BRIDGE" -m comment --comment runb -j ACCEPT)
    IPT_ISO_OUT=(-i "$BRIDGE" -o runb+ -m comment --comment runb -j DROP)
    IPT_ISO_IN=(-i runb+ -o "$BRIDGE" -m comment --comment runb -j DROP)
}
