#!/usr/bin/env bats
# The network (issue 4), slide 26: the bridge, a veth per container, an
# address leased per container, DNS, what a crashed run leaves and the next
# run sweeps, and scripts/setup_bridge.sh / remove_bridge.sh. All traffic
# stays between namespaces the tests make: the test's $NS (the "host"), its
# containers, and for the NAT check one anonymous namespace.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# A command in the test's "host" network namespace.
in_ns() {
	nsenter --net="/run/netns/$NS" "$@"
}

# rb_bg for a container named NAME (rb_bg itself waits for $CNAME's netns);
# runb's pid in RB_PID. Usage: rb_bg_as NAME RUNB-ARGS...
rb_bg_as() {
	local CNAME=$1
	shift
	rb_bg "$@"
}

# Kill the container of the background runb PID and wait for runb: $status.
rb_stop() {
	local RB_PID=$1 p
	p=$(container_pid) || return 1
	kill -KILL "$p"
	rb_wait
}

# The container NAME's eth0 address, without the prefix, seen from the host
# through /run/netns/NAME.
addr_of() {
	ip -n "$1" -o -4 addr show dev eth0 | awk '{sub("/.*", "", $4); print $4}'
}

no_bridge_ports() { [ -z "$(bridge_ports)" ]; }
one_bridge_port() { [ "$(bridge_ports | wc -l)" = 1 ]; }

# The links in the test's netns whose master is runb-bridge: the host veths.
# (ip complains on stderr about names in /run/netns it cannot open: not ours.)
bridge_ports() {
	ip -n "$NS" -o link show master runb-bridge 2>/dev/null | awk -F': ' '{sub("@.*", "", $2); print $2}'
}

# GET http://ADDR:PORT/PATH from the test's "host" netns: the body of a 200
# answer, else failure. The rootfs's busybox nc speaks the HTTP/1.0, within
# 2 s: no curl on a fresh machine, and Debian's busybox wget -T crashes.
http_get() {
	local url=${1#http://} hostport resp
	hostport=${url%%/*}
	resp=$(printf 'GET /%s HTTP/1.0\r\nHost: %s\r\n\r\n' "${url#*/}" "$hostport" |
		in_ns timeout 2 "$ROOTFS/bin/busybox" nc "${hostport%:*}" "${hostport##*:}") || return 1
	# the status line says 200; the body follows the first empty line
	awk 'NR == 1 { if ($2 != 200) exit 1; next } body { print; next } /^\r?$/ { body = 1 }' <<<"$resp"
}

# The first N free container addresses (10.0.0.x, lowest first). A lease is
# the flock of /run/runb/10.0.0.x: held ones are in /proc/locks (read only
# here), so other runb users on this machine do not upset the expectation.
free_addrs() {
	local n=$1 x f d id
	for x in $(seq 2 254); do
		f=/run/runb/10.0.0.$x
		# /proc/locks names a file MAJOR:MINOR:INODE, the numbers in hex
		if d=$(stat -c '%d %i' "$f" 2>/dev/null) &&
			id=$(printf '%02x:%02x:%s' $((${d% *} >> 8 & 0xfff)) \
				$((${d% *} & 0xff | ${d% *} >> 12 & 0xfff00)) "${d#* }") &&
			grep -q " FLOCK .* $id " /proc/locks; then
			continue
		fi
		echo "10.0.0.$x"
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 0
	done
}

@test "slide 26: eth0 has 10.0.0.x/24, the default route via 10.0.0.1, and the gateway answers" {
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'ip -o -4 addr show dev eth0; ip route; ping -c1 -W2 10.0.0.1 >/dev/null && echo gateway-ok'
	assert_success
	assert_line --regexp '^[0-9]+: eth0 +inet 10\.0\.0\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])/24 '
	assert_line --regexp '^default via 10\.0\.0\.1 dev eth0'
	assert_line --regexp '^10\.0\.0\.0/24 dev eth0 '
	assert_line gateway-ok
}

@test "slide 26: the host side is runb-bridge with 10.0.0.1/24 and a veth in it" {
	ip -n "$NS" link show runb-bridge 2>/dev/null && fail "runb-bridge exists before the test"
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	container_pid >/dev/null # runb sets the network up before it clones the container
	run ip -n "$NS" -o -4 addr show dev runb-bridge
	assert_output --regexp 'inet 10\.0\.0\.1/24 '
	run ip -n "$NS" -o link show dev runb-bridge
	assert_output --partial ',UP'
	# exactly one port: this container's veth, up, named rb... and at most 15 characters
	run bridge_ports
	assert_output --regexp '^rb[^ ]{1,13}$'
	local veth=$output
	run --separate-stderr ip -n "$NS" -o link show dev "$veth"
	assert_output --partial 'master runb-bridge'
	assert_output --partial 'state UP'
	# its peer is in the container's netns, /run/netns/NAME, as its eth0
	assert_output --regexp "@if[0-9]+: .* link-netns $CNAME( |\$)"
	# the host reaches the container
	local addr
	addr=$(addr_of "$CNAME")
	in_ns "$ROOTFS/bin/busybox" ping -c1 -W2 "$addr"
	ip -n "$CNAME" -o link show dev eth0 | grep -q 'state UP'
	rb_stop "$RB_PID"
	[ "$status" = 137 ]
	# the veth goes with the container's netns, which the kernel dismantles
	# right after runb; the bridge stays, by design
	retry 41 0.05 link_gone "$veth"
	ip -n "$NS" link show runb-bridge
}

@test "two containers get different addresses, and one serves the other and the host" {
	local server=$CNAME client=${CNAME}b sip cip pid1
	rb_bg_as "$server" "$server" "$ROOTFS" /bin/sh -c \
		'mkdir /dev/www && echo "hello from $HOSTNAME" > /dev/www/file && exec httpd -f -p 8080 -h /dev/www'
	pid1=$RB_PID
	RB_PID=$pid1 container_pid >/dev/null # its network is set up
	sip=$(addr_of "$server")
	[ -n "$sip" ]
	# httpd listens once it answers: poll from the host (bounded)
	retry 100 0.05 http_get "http://$sip:8080/file" >/dev/null
	run http_get "http://$sip:8080/file"
	assert_success
	assert_output "hello from $server"
	# a second container, at the same time, with another address, is a client
	run rb "$client" "$ROOTFS" /bin/sh -c "ip -o -4 addr show dev eth0; wget -qO- http://$sip:8080/file"
	assert_success
	assert_line "hello from $server"
	cip=$(sed -n 's/.* inet \(10\.0\.0\.[0-9]*\)\/24 .*/\1/p' <<<"$output")
	echo "server $sip, client $cip"
	[ -n "$cip" ]
	[ "$cip" != "$sip" ]
	# the server still runs and answers after the client's veth is gone
	run http_get "http://$sip:8080/file"
	assert_output "hello from $server"
	rb_stop "$pid1"
	[ "$status" = 137 ]
}

@test "ip netns list shows NAME; --net none has only lo and makes no bridge" {
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	run ip netns list
	assert_line --regexp "^$CNAME( |$)"
	rb_stop "$RB_PID"
	run ip netns list
	refute_line --regexp "^$CNAME( |$)"
	# --net none, in a netns with no runb-bridge yet
	ip -n "$NS" link del runb-bridge
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c 'ls /sys/class/net; ip -o link show; cat /etc/resolv.conf'
	assert_success
	assert_line --index 0 lo
	refute_line eth0
	[ "$(grep -c '^[0-9]*: ' <<<"$output")" = 1 ]
	refute_output --partial nameserver
	run ip -n "$NS" link show runb-bridge
	assert_failure
	[ -z "$(leases_of "$CNAME")" ]
}

@test "a NAME of 30 characters gets its network; two sharing a prefix do too, at once" {
	local long1 long2 pid1
	long1=$(printf '%s-%s' "$CNAME" "$(printf 'x%.0s' $(seq 40))" | cut -c1-30)
	long2=${long1%?}y
	[ "${#long1}" = 30 ] && [ "${#long2}" = 30 ]
	rb_bg_as "$long1" "$long1" "$ROOTFS" sleep 30
	pid1=$RB_PID
	RB_PID=$pid1 container_pid >/dev/null
	run rb "$long2" "$ROOTFS" ip -o -4 addr show dev eth0
	assert_success
	assert_output --regexp '^[0-9]+: eth0 +inet 10\.0\.0\.[0-9]+/24 '
	[ -n "$(addr_of "$long1")" ]
	# the host end of the first: one port (once long2's has gone with its
	# netns), 15 characters at most
	retry 41 0.05 one_bridge_port
	run bridge_ports
	[ "${#lines[@]}" = 1 ]
	[ "${#output}" -le 15 ]
	rb_stop "$pid1"
	[ "$status" = 137 ]
}

@test "--ip gives exactly that address; one in use, or outside 10.0.0.2-254, fails with 125" {
	run rb --ip 10.0.0.77 "$CNAME" "$ROOTFS" ip -o -4 addr show
	assert_success
	assert_line --regexp '^[0-9]+: eth0 +inet 10\.0\.0\.77/24 '
	[ "$(grep -c 'inet 10\.' <<<"$output")" = 1 ]
	rb_bg --ip 10.0.0.77 "$CNAME" "$ROOTFS" sleep 30
	container_pid >/dev/null
	[ "$(cat /run/runb/10.0.0.77)" = "$CNAME" ]
	# twice: the refused run must not free the holder's lease on its way out
	for i in 1 2; do
		run rb --ip 10.0.0.77 "${CNAME}b" "$ROOTFS" true
		[ "$status" = 125 ]
		assert_output --partial 'in use'
		[ ! -e "/run/netns/${CNAME}b" ] && [ ! -e "/run/runb/${CNAME}b.lock" ]
		[ "$(cat /run/runb/10.0.0.77)" = "$CNAME" ]
	done
	[ "$(addr_of "$CNAME")" = 10.0.0.77 ]
	rb_stop "$RB_PID"
	[ "$status" = 137 ]
	# nothing made at all for addresses outside the range or not addresses
	ip -n "$NS" link del runb-bridge
	for a in 10.0.1.5 10.0.0.1 10.0.0.255 10.0.0.0 x; do
		run rb --ip "$a" "$CNAME" "$ROOTFS" true
		echo "$a: $output"
		[ "$status" = 125 ]
		assert_output --partial "invalid --ip '$a'"
		[ ! -e "/run/netns/$CNAME" ] && [ ! -e "/run/runb/$CNAME.lock" ]
		run ip -n "$NS" link show runb-bridge
		assert_failure
	done
}

@test "leases: the lowest free address, and it is free again when its container ends" {
	local pid1 first second
	# on a machine where no other runb runs: 10.0.0.2, then 10.0.0.3
	read -r first second <<<"$(free_addrs 2 | tr '\n' ' ')"
	echo "expected: $first, then $second"
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	pid1=$RB_PID
	container_pid >/dev/null
	[ "$(addr_of "$CNAME")" = "$first" ]
	[ "$(leases_of "$CNAME")" = "/run/runb/$first" ]
	run rb "${CNAME}b" "$ROOTFS" ip -o -4 addr show dev eth0
	assert_output --regexp "inet ${second//./\\.}/24 "
	rb_stop "$pid1"
	[ "$status" = 137 ]
	# no lease, netns name or veth of the first is left
	[ -z "$(leases_of "$CNAME")" ]
	[ ! -e "/run/runb/$first" ]
	[ ! -e "/run/netns/$CNAME" ]
	retry 41 0.05 no_bridge_ports
	run rb "${CNAME}b" "$ROOTFS" ip -o -4 addr show dev eth0
	assert_output --regexp "inet ${first//./\\.}/24 "
	[ -z "$(leases_of "${CNAME}b")" ]
}

@test "DNS: nameserver 8.8.8.8 by default, --dns sets it" {
	run rb "$CNAME" "$ROOTFS" cat /etc/resolv.conf
	assert_success
	assert_output 'nameserver 8.8.8.8'
	run rb --dns 1.1.1.1 "$CNAME" "$ROOTFS" cat /etc/resolv.conf
	assert_success
	assert_output 'nameserver 1.1.1.1'
	run rb --dns 1.1.1 "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --partial "invalid --dns '1.1.1'"
	# repeatable, IPv6 too, and search domains, in the order given
	run rb --dns 1.1.1.1 --dns 2606:4700:4700::1111 --dns-search a.example --dns-search b.example \
		"$CNAME" "$ROOTFS" cat /etc/resolv.conf
	assert_success
	assert_output "$(printf 'nameserver 1.1.1.1\nnameserver 2606:4700:4700::1111\nsearch a.example b.example')"
	# --net none: none by default (no network), but what is asked for is written
	run rb --net none "$CNAME" "$ROOTFS" cat /etc/resolv.conf
	refute_output --partial nameserver
	run rb --net none --dns 10.1.2.3 "$CNAME" "$ROOTFS" cat /etc/resolv.conf
	assert_success
	assert_output 'nameserver 10.1.2.3'
}

@test "DNS: ROOTFS's own resolv.conf, or a link there to a host file, is covered in the container and left alone in ROOTFS" {
	local r=$BATS_TEST_TMPDIR/rootfs victim=$BATS_TEST_TMPDIR/victim before
	cp -a "$ROOTFS" "$r"
	# the image's own file: hidden in the container, unchanged in ROOTFS
	rm -f "$r/etc/resolv.conf"
	echo 'nameserver 192.0.2.53' > "$r/etc/resolv.conf"
	touch -d '2001-02-03 04:05:06' "$r/etc/resolv.conf"
	before=$(stat -c '%s %Y %i' "$r/etc/resolv.conf")
	run rb --dns 1.1.1.1 "$CNAME" "$r" cat /etc/resolv.conf
	assert_success
	assert_output 'nameserver 1.1.1.1'
	[ "$(cat "$r/etc/resolv.conf")" = 'nameserver 192.0.2.53' ]
	[ "$(stat -c '%s %Y %i' "$r/etc/resolv.conf")" = "$before" ]
	# a link to a host file: never followed; the bind covers the link itself
	echo 'precious host data' > "$victim"
	touch -d '2001-02-03 04:05:06' "$victim"
	before=$(stat -c '%s %Y %i' "$victim")
	for link in "$victim" "../../../../../../../../../..$victim"; do
		rm -f "$r/etc/resolv.conf"
		ln -s "$link" "$r/etc/resolv.conf"
		for opt in --net=bridge --chroot; do
			run rb "$opt" --dns 1.1.1.1 "$CNAME" "$r" /bin/sh -c 'echo ran; cat /etc/resolv.conf 2>&1; true'
			echo "$link $opt: $output"
			assert_success
			assert_output "ran
nameserver 1.1.1.1"
			[ "$(cat "$victim")" = 'precious host data' ]
			[ "$(stat -c '%s %Y %i' "$victim")" = "$before" ]
			[ "$(readlink "$r/etc/resolv.conf")" = "$link" ]
		done
	done
}

@test "-v shows each rtnetlink request beside the ip/brctl line it replaces" {
	run rb -v "$CNAME" "$ROOTFS" true
	assert_success
	# each line ends with the time its step took: " [N µs]"
	run without_times "$output"
	assert_line "[slide 26] ip netns add NAME -> unshare(CLONE_NEWNET), mount --bind /proc/self/ns/net /run/netns/$CNAME"
	# the bridge is setup_bridge.sh's, not the slide's: runb makes it beyond the slides
	assert_line --regexp '^\[runb\] brctl addbr \$BRIDGE_NAME -> RTM_NEWLINK bridge runb-bridge '
	assert_line --regexp '^\[runb\] ip addr add \$BRIDGE_IP/\$BRIDGE_NETMASK dev \$BRIDGE_NAME -> RTM_NEWADDR 10\.0\.0\.1/24 on runb-bridge'
	assert_line --regexp '^\[slide 26\] ip link add name \$VETH type veth peer name \$ETH -> RTM_NEWLINK veth rb[^ ,]+, peer eth0 address 02:00:0a:00:00:[0-9a-f]{2}$'
	local veth
	veth=$(sed -n 's/.*-> RTM_NEWLINK veth \(rb[^ ,]*\), peer eth0 address .*/\1/p' <<<"$output")
	assert_line "[slide 26] brctl addif \$BRIDGE_NAME \$VETH -> RTM_NEWLINK $veth IFLA_MASTER runb-bridge"
	assert_line "[slide 26] ip link set \$VETH up -> RTM_NEWLINK $veth IFF_UP"
	assert_line --regexp '^\[slide 26\] ip address add 10\.0\.0\.2/24 dev \$ETH -> RTM_NEWADDR 10\.0\.0\.[0-9]+/24 on eth0$'
	assert_line "[slide 26] ip link set \$ETH up -> RTM_NEWLINK eth0 IFF_UP"
	assert_line "[slide 26] ip route add default via 10.0.0.1 -> RTM_NEWROUTE 0.0.0.0/0 via 10.0.0.1"
	# not deleted synchronously: the veth goes with the container's netns
	assert_line "[runb] ip link del \$VETH -> none: it goes with the container's netns"
	# the order of slide 26: netns, bridge, veth, addif, address, route
	local order
	order=$(grep -o -e 'ip netns add' -e 'brctl addbr' -e 'peer name \$ETH' -e 'brctl addif' \
		-e 'RTM_NEWADDR 10\.0\.0\.[0-9]*/24 on eth0' -e 'RTM_NEWROUTE' <<<"$output" | sed 's/ 10.*//' | tr '\n' '|')
	[ "$order" = 'ip netns add|brctl addbr|peer name $ETH|brctl addif|RTM_NEWADDR|RTM_NEWROUTE|' ]
}

@test "a crashed run's netns name, veth and lock are swept by the next run of NAME" {
	local cpid addr veth
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	cpid=$(container_pid)
	retry 100 0.05 comm_is "$cpid" sleep
	addr=$(addr_of "$CNAME")
	veth=$(bridge_ports)
	[ -n "$addr" ] && [ -n "$veth" ]
	kill -KILL "$RB_PID"
	rb_wait
	[ "$status" = 137 ]
	retry 100 0.05 dead "$cpid"
	# the leftovers of the crash
	[ -e "/run/netns/$CNAME" ]
	ip -n "$NS" link show dev "$veth"
	[ -e "/run/runb/$CNAME.lock" ]
	# the next run sweeps them, and gets the crashed run's address again
	run rb "$CNAME" "$ROOTFS" ip -o -4 addr show dev eth0
	assert_success
	assert_output --regexp "inet $addr/24 "
	[ ! -e "/run/netns/$CNAME" ]
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ ! -e "/run/runb/$addr" ]
	retry 41 0.05 link_gone "$veth"
}

# True once PID is in another network namespace than this shell.
netns_other_than_mine() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# setup_bridge.sh / remove_bridge.sh [ARG...] run in the test's netns; their
# state file goes under $BATS_TEST_TMPDIR, so /run/runb is untouched.
in_ns_script() {
	local script=$1
	shift
	RUNB_STATE_DIR=$BATS_TEST_TMPDIR/state in_ns "$TOP/scripts/$script" "$@"
}

# The outside, past the NAT: an anonymous netns (its sleep's pid in $OPID)
# wired to the test's netns, 192.168.77.2 behind its 192.168.77.1, with no
# route to the containers' subnet: its replies come back only to a
# masqueraded source. outside_down removes it.
OPID=
outside_up() {
	unshare --net sleep 60 3>&- &
	OPID=$!
	retry 100 0.05 netns_other_than_mine "$OPID"
	ip -n "$NS" link add rbtout type veth peer name eth9 netns "$OPID"
	ip -n "$NS" addr add 192.168.77.1/24 dev rbtout
	ip -n "$NS" link set rbtout up
	nsenter --net="/proc/$OPID/ns/net" ip addr add 192.168.77.2/24 dev eth9
	nsenter --net="/proc/$OPID/ns/net" ip link set eth9 up
	nsenter --net="/proc/$OPID/ns/net" ip link set lo up
}
outside_down() {
	ip -n "$NS" link del rbtout
	kill "$OPID"
	wait "$OPID" || true
}

@test "setup_bridge.sh: bridge, table ip runb with masquerade, idempotent, foreign rules kept; remove_bridge.sh undoes exactly that" {
	local host_rules host_fwd ns_fwd foreign r1 r2 idx
	host_rules=$(nft list ruleset)
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	ns_fwd=$(in_ns cat /proc/sys/net/ipv4/ip_forward) # 0 in a new netns, as a rule
	# someone else's NAT and filter rules, there first
	in_ns nft -f - <<-'EOF'
	table ip foreign {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			ip saddr 192.168.99.0/24 masquerade
		}
		chain filter_fw {
			type filter hook forward priority 0; policy accept;
			iifname "foreign0" counter accept comment "keep me"
		}
	}
	EOF
	foreign=$(in_ns nft list ruleset)

	run in_ns_script setup_bridge.sh
	assert_success
	run ip -n "$NS" -o -4 addr show dev runb-bridge
	assert_output --regexp 'inet 10\.0\.0\.1/24 '
	ip -n "$NS" -o link show dev runb-bridge | grep -q ',UP'
	run in_ns nft list table ip runb
	assert_success
	assert_output --regexp 'ip saddr 10\.0\.0\.0/24 oifname != "runb-bridge" masquerade'
	assert_output --partial 'type nat hook postrouting'
	assert_output --partial 'iifname "runb-bridge" accept'
	[ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	[ "$ns_fwd" = 1 ] || [ "$(cat "$BATS_TEST_TMPDIR/state/ip_forward.saved")" = 0 ]
	idx=$(ip -n "$NS" -o link show dev runb-bridge | cut -d: -f1)
	r1=$(in_ns nft list ruleset)
	grep -q 'comment "keep me"' <<<"$r1"
	grep -q 'ip saddr 192.168.99.0/24 masquerade' <<<"$r1"

	# twice: the same ruleset, one address on the bridge
	run in_ns_script setup_bridge.sh
	assert_success
	r2=$(in_ns nft list ruleset)
	[ "$r1" = "$r2" ]
	[ "$(ip -n "$NS" -o -4 addr show dev runb-bridge | wc -l)" = 1 ]

	# a container uses that bridge, and reaches past it through the NAT
	outside_up
	run rb "$CNAME" "$ROOTFS" /bin/sh -c 'ping -c1 -W2 192.168.77.2 >/dev/null && echo outside-ok'
	assert_success
	assert_output outside-ok
	# the very bridge setup_bridge.sh made: same device, one address (once
	# the kernel has removed the last run's veth with its netns)
	retry 41 0.05 no_bridge_ports
	rb_bg "$CNAME" "$ROOTFS" sleep 30
	container_pid >/dev/null
	[ "$(bridge_ports | wc -l)" = 1 ]
	[ "$(ip -n "$NS" -o link show dev runb-bridge | cut -d: -f1)" = "$idx" ]
	[ "$(ip -n "$NS" -o -4 addr show dev runb-bridge | wc -l)" = 1 ]
	rb_stop "$RB_PID"

	run in_ns_script remove_bridge.sh
	assert_success
	run ip -n "$NS" link show runb-bridge
	assert_failure
	[ "$(in_ns nft list ruleset)" = "$foreign" ]
	[ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = "$ns_fwd" ]
	[ ! -e "$BATS_TEST_TMPDIR/state/ip_forward.saved" ]
	# twice is fine, and changes nothing
	run in_ns_script remove_bridge.sh
	assert_success
	[ "$(in_ns nft list ruleset)" = "$foreign" ]
	# without the NAT (runb remakes a bare bridge) the outside is unreachable
	run rb "$CNAME" "$ROOTFS" ping -c1 -W1 192.168.77.2
	assert_failure

	outside_down
	# the real host's rules and forwarding were never touched
	[ "$(nft list ruleset)" = "$host_rules" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
}

@test "setup_bridge.sh --subnet: the subnet's first address and runb's MAC on the bridge, NAT for it, runb --subnet uses it; remove_bridge.sh --subnet undoes it" {
	local host_rules bad script r idx
	host_rules=$(nft list ruleset)
	# what runb's --subnet refuses, both scripts refuse, in runb's words, making nothing
	for bad in 10.97.0.1/24 8.8.8.0/24 10.97.0.0/25 10.97.0.0 010.97.0.0/24 10.97.0.0/33 10.256.0.0/16; do
		run rb --subnet "$bad" "$CNAME" "$ROOTFS" true
		assert_failure 125
		[[ $output == "runb: invalid --subnet '$bad': "* ]]
		r=${output#runb: }
		for script in setup_bridge.sh remove_bridge.sh; do
			run in_ns_script "$script" --subnet "$bad"
			assert_failure
			assert_output "$script: error: $r"
		done
	done
	run in_ns_script setup_bridge.sh --subnet
	assert_failure
	assert_output --partial '--subnet needs a value'
	run in_ns_script remove_bridge.sh --bogus
	assert_failure
	assert_output --partial "unknown argument '--bogus'"
	link_gone runb-bridge
	[ -z "$(in_ns nft list ruleset)" ]

	# a /16: a bridge of its own, named as runb names it, with 10.97.0.1/16
	# and the MAC runb would give it, and a table of its own
	run in_ns_script setup_bridge.sh --subnet 10.97.0.0/16
	assert_success
	link_gone runb-bridge
	run ip -n "$NS" -o -4 addr show dev runb-0a610000
	assert_output --regexp 'inet 10\.97\.0\.1/16 '
	[ "${#lines[@]}" = 1 ]
	[ "$(bridge_mac runb-0a610000)" = 02:00:0a:61:00:01 ]
	r=$(in_ns nft list table ip runb-0a610000)
	grep -q 'ip saddr 10\.97\.0\.0/16 oifname != "runb-0a610000" masquerade' <<<"$r"
	[ "$(grep -c masquerade <<<"$r")" = 1 ]
	idx=$(ip -n "$NS" -o link show dev runb-0a610000 | cut -d: -f1)
	# runb --subnet takes that very bridge and address, and gets out through its NAT
	outside_up
	run rb --subnet 10.97.0.0/16 "$CNAME" "$ROOTFS" /bin/sh -c \
		'ip -o -4 addr show dev eth0; ip route; ping -c1 -W2 192.168.77.2 >/dev/null && echo outside-ok'
	outside_down
	assert_success
	assert_line --index 0 --regexp 'inet 10\.97\.0\.2/16 '
	assert_line 'default via 10.97.0.1 dev eth0 '
	assert_line outside-ok
	# the script's bridge stays when its last container has ended
	[ "$(ip -n "$NS" -o link show dev runb-0a610000 | cut -d: -f1)" = "$idx" ]
	[ "$(ip -n "$NS" -o -4 addr show dev runb-0a610000 | wc -l)" = 1 ]
	[ "$(bridge_mac runb-0a610000)" = 02:00:0a:61:00:01 ]
	link_gone runb-bridge

	run in_ns_script remove_bridge.sh --subnet=10.97.0.0/16
	assert_success
	link_gone runb-0a610000
	[ -z "$(in_ns nft list ruleset)" ]
	[ ! -e "$BATS_TEST_TMPDIR/state/ip_forward.saved" ]
	[ "$(nft list ruleset)" = "$host_rules" ]
}

@test "containers started at the same moment get different addresses" {
	local i n=6 go=$BATS_TEST_TMPDIR/go pids=()
	# each container holds its lease until the test closes the fifo "go"
	mkfifo "$go"
	exec 5<>"$go"
	for i in $(seq $n); do
		rb "$CNAME-$i" "$ROOTFS" /bin/sh -c 'ip -o -4 addr show dev eth0; ping -c1 -W2 10.0.0.1 >/dev/null && echo gw-ok; read x; exit 0' \
			<"$go" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 5>&- 3>&- &
		pids+=($!)
	done
	all_up() { [ "$(cat "$BATS_TEST_TMPDIR"/out.* 2>/dev/null | grep -c gw-ok)" = "$n" ]; }
	# one that fails ends at once: stop waiting then (each poll costs much in the VM)
	all_up_or_ended() {
		all_up && return 0
		for i in "${!pids[@]}"; do kill -0 "${pids[$i]}" 2>/dev/null || return 0; done
		return 1
	}
	# by the clock, not a count of polls: six starts on a loaded VM's one CPU are slow
	retry --within 90 0.2 all_up_or_ended || true
	sleep 0.2
	if ! all_up; then
		for i in $(seq $n); do echo "container $i: $(cat "$BATS_TEST_TMPDIR/out.$i")"; done
		exec 5>&-
		wait
		fail "not all $n containers came up"
	fi
	# all running at once: n addresses, n lease files, no two alike
	run sh -c "cat '$BATS_TEST_TMPDIR'/out.* | grep -o 'inet 10\.0\.0\.[0-9]*' | sort"
	echo "$output"
	[ "${#lines[@]}" = "$n" ]
	[ -z "$(uniq -d <<<"$output")" ]
	for i in $(seq $n); do
		[ "$(leases_of "$CNAME-$i" | wc -l)" = 1 ]
	done
	[ "$(bridge_ports | wc -l)" = "$n" ]
	exec 5>&-
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "container $((i + 1)) failed: $(cat "$BATS_TEST_TMPDIR/out.$((i + 1))")"
	done
	retry 41 0.05 no_bridge_ports
}

@test "a crashed run's lease file goes too when the next run of NAME gets another address" {
	local cpid left
	rb_bg --ip 10.0.0.78 "$CNAME" "$ROOTFS" sleep 30
	cpid=$(container_pid)
	retry 100 0.05 comm_is "$cpid" sleep
	[ "$(cat /run/runb/10.0.0.78)" = "$CNAME" ]
	kill -KILL "$RB_PID"
	rb_wait
	retry 100 0.05 dead "$cpid"
	[ -e /run/runb/10.0.0.78 ]
	run rb "$CNAME" "$ROOTFS" ip -o -4 addr show dev eth0
	assert_success
	refute_output --partial 10.0.0.78
	# the sweep took the netns name, veth and lock; the lease file must go too
	[ ! -e "/run/netns/$CNAME" ] && [ ! -e "/run/runb/$CNAME.lock" ]
	left=$(leases_of "$CNAME")
	# (remove what runb left, so that no later run trips over it)
	[ -z "$left" ] || rm -f $left
	[ -z "$left" ] || fail "the crashed run's lease is left: $left (naming $CNAME)"
}

# The gateway as a container's ARP cache holds it must stay valid when another
# container leaves: the bridge's MAC must not follow its ports.
gateway_survives_a_neighbour_leaving() {
	local a=$CNAME b=${CNAME}b pa pb ma mb low high lowpid highpid
	rb_bg_as "$a" "$a" "$ROOTFS" sleep 30
	pa=$RB_PID
	RB_PID=$pa container_pid >/dev/null
	rb_bg_as "$b" "$b" "$ROOTFS" sleep 30
	pb=$RB_PID
	RB_PID=$pb container_pid >/dev/null
	# which container's host veth has the lower MAC (a bridge without a MAC
	# of its own takes the lowest of its ports')
	ma=$(host_veth_mac "$a")
	mb=$(host_veth_mac "$b")
	[ -n "$ma" ] && [ -n "$mb" ]
	if [[ "$ma" < "$mb" ]]; then
		low=$a lowpid=$pa high=$b highpid=$pb
	else
		low=$b lowpid=$pb high=$a highpid=$pa
	fi
	echo "bridge $(bridge_mac), $a's veth $ma, $b's veth $mb"
	# the survivor learns the gateway's MAC, its neighbour leaves, it asks again at once
	nsenter --net="/run/netns/$high" "$ROOTFS/bin/busybox" ping -c1 -W2 10.0.0.1
	rb_stop "$lowpid"
	echo "bridge after $low left: $(bridge_mac)"
	nsenter --net="/run/netns/$high" ip neigh show 10.0.0.1
	run nsenter --net="/run/netns/$high" "$ROOTFS/bin/busybox" ping -c1 -W2 10.0.0.1
	local ping=$status
	rb_stop "$highpid"
	[ "$status" = 137 ]
	status=$ping
}

# The MAC of the host veth of the container NAME, and of runb-bridge.
host_veth_mac() {
	ip -n "$NS" -o link show master runb-bridge 2>/dev/null |
		awk -v n="$1" '$0 ~ "link-netns " n "( |$)" { for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }'
}
bridge_mac() {
	ip -n "$NS" -o link show dev "${1:-runb-bridge}" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }'
}

@test "the gateway stays reachable when a neighbour leaves: runb's own bridge" {
	gateway_survives_a_neighbour_leaving
	[ "$status" = 0 ]
	# the bridge runb makes has a fixed MAC
	[ "$(bridge_mac)" = 02:00:0a:00:00:01 ]
}

@test "the gateway stays reachable when a neighbour leaves: setup_bridge.sh's bridge" {
	in_ns_script setup_bridge.sh >/dev/null
	local m0 m1 ok
	m0=$(bridge_mac)
	gateway_survives_a_neighbour_leaving
	ok=$status
	m1=$(bridge_mac)
	in_ns_script remove_bridge.sh >/dev/null
	echo "bridge MAC at setup: $m0, after the containers: $m1"
	[ "$ok" = 0 ] || fail "the survivor lost its gateway: its ARP entry for 10.0.0.1 is the departed veth's MAC"
	[ "$m0" = "$m1" ]
}

@test "runb killed while it sets the container up: the container does not run on" {
	command -v strace >/dev/null || skip "strace is not installed"
	local spid rpid cpid ok=0
	# strace holds the container's capset(2), the last step before it sets
	# its parent-death signal and checks that runb is still alive, for 1 s
	nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null -e trace=capset \
		-e inject=capset:delay_enter=1000000 "$RUNB" "$CNAME" "$ROOTFS" sleep 30 3>&- &
	spid=$!
	# (strace forks short-lived probes of its own first: wait for runb)
	retry 100 0.05 eval 'rpid=$(pgrep -P "$spid" -x runb); [ -n "$rpid" ]'
	RB_PID=$rpid
	cpid=$(container_pid)
	kill -KILL "$rpid"
	# with runb gone the child must give up, not exec the command
	retry 100 0.05 dead "$cpid" || ok=$?
	if [ "$ok" != 0 ]; then
		echo "the container outlived runb: $(ps -o pid=,ppid=,args= -p "$cpid")"
		kill -KILL "$cpid"
	fi
	wait "$spid" || true
	# the next run sweeps what the killed one left
	rb "$CNAME" "$ROOTFS" true
	[ "$ok" = 0 ]
}

# An interface of the test's "host" holding ADDR: one end of a veth pair (not
# a dummy: the development machine has no dummy driver, and loading it in the
# VM makes a dummy0 in the machine's own network namespace).
add_host_iface() {
	ip -n "$NS" link add rbt-d0 type veth peer name rbt-d1
	ip -n "$NS" addr add "$1" dev rbt-d0
	ip -n "$NS" link set rbt-d0 up
}

@test "race: runb-bridge made by another runb during the subnet check is not a conflict" {
	command -v strace >/dev/null || skip "strace is not installed"
	# strace holds runb's first sendto(2), the subnet check's address dump,
	# for 2 s: after it looked for runb-bridge (none yet), before it reads
	# the addresses and routes
	nsenter --net="/run/netns/$NS" strace -f -qq -o /dev/null -e trace=sendto \
		-e inject=sendto:delay_enter=2000000:when=1 \
		"$RUNB" "$CNAME" "$ROOTFS" /bin/sh -c 'ip -o -4 addr show dev eth0' \
		>"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	local st=$!
	sleep 0.5
	# meanwhile another runb makes the bridge, as runb makes it
	ip -n "$NS" link add runb-bridge address 02:00:0a:00:00:01 type bridge
	ip -n "$NS" addr add 10.0.0.1/24 dev runb-bridge
	ip -n "$NS" link set runb-bridge up
	status=0
	wait "$st" || status=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$status" = 0 ]
	grep -q 'inet 10\.0\.0\.2/24' "$BATS_TEST_TMPDIR/out"
	retry 41 0.05 no_bridge_ports
}

@test "a subnet the machine already uses is refused with nothing made; --subnet picks another" {
	add_host_iface 10.0.0.7/24
	run rb "$CNAME" "$ROOTFS" true
	assert_failure 125
	assert_output "runb: --subnet 10.0.0.0/24 is already this machine's: address 10.0.0.7/24 on rbt-d0; choose another with --subnet (e.g. --subnet 10.99.0.0/24) or --net none"
	link_gone runb-bridge
	[ ! -e "/run/netns/$CNAME" ]
	# a larger network that contains the slide's is a conflict too, and a route
	ip -n "$NS" addr flush dev rbt-d0
	ip -n "$NS" addr add 10.0.0.7/16 dev rbt-d0
	run rb "$CNAME" "$ROOTFS" true
	assert_failure 125
	assert_output --partial "address 10.0.0.7/16 on rbt-d0"
	ip -n "$NS" addr flush dev rbt-d0
	ip -n "$NS" route add blackhole 10.0.0.128/25
	run rb "$CNAME" "$ROOTFS" true
	assert_failure 125
	assert_output --partial "route 10.0.0.128/25 on ?"
	# another subnet: its own bridge takes its first address, the container the next
	run rb --subnet 10.99.0.0/24 "$CNAME" "$ROOTFS" /bin/sh -c 'ip -o -4 addr show dev eth0; ip route'
	assert_success
	assert_line --index 0 --regexp 'inet 10\.99\.0\.2/24 '
	assert_line --index 1 'default via 10.99.0.1 dev eth0 '
	link_gone runb-bridge
	link_gone runb-0a630000
	# --net none makes no bridge and needs no subnet
	run rb --net none "$CNAME" "$ROOTFS" true
	assert_success
	link_gone runb-bridge
	ip -n "$NS" route del blackhole 10.0.0.128/25
	ip -n "$NS" link del rbt-d0
}

@test "--subnet larger than /24: --ip anywhere in it, nothing past its last host" {
	run rb --subnet 10.98.0.0/23 --ip 10.98.1.7 "$CNAME" "$ROOTFS" ip -o -4 addr show dev eth0
	assert_success
	assert_output --partial 'inet 10.98.1.7/23 '
	run rb --subnet 10.98.0.0/23 --ip 10.98.1.255 "$CNAME" "$ROOTFS" true
	assert_failure 125
	assert_output --partial "outside the containers' range 10.98.0.2-10.98.1.254"
}

# The links whose master is BRIDGE in the test's netns: the host veths.
ports_of() {
	ip -n "$NS" -o link show master "$1" 2>/dev/null | awk -F': ' '{sub("@.*", "", $2); print $2}'
}

# arp_from NAME ADDR: the container NAME asks on its eth0 who has ADDR (the
# test routes ADDR to eth0 for that moment, and pings it), and prints the MAC
# it learned, if any: an answer means the two share a link.
arp_from() {
	local n="nsenter --net=/run/netns/$1"
	$n ip route add "$2/32" dev eth0
	$n "$ROOTFS/bin/busybox" ping -c1 -W1 "$2" >/dev/null 2>&1 || true
	$n ip neigh show "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
	$n ip route del "$2/32" dev eth0
}

@test "--subnet: a bridge of its own each, no link between two subnets, removed with its last container" {
	local a=$CNAME a2=$CNAME-a2 b=$CNAME-b pa pa2 pb
	rb_bg_as "$a" --subnet 10.71.0.0/24 "$a" "$ROOTFS" sleep 30
	pa=$RB_PID
	RB_PID=$pa container_pid >/dev/null
	rb_bg_as "$a2" --subnet 10.71.0.0/24 "$a2" "$ROOTFS" sleep 30
	pa2=$RB_PID
	RB_PID=$pa2 container_pid >/dev/null
	rb_bg_as "$b" --subnet 10.72.0.0/24 "$b" "$ROOTFS" sleep 30
	pb=$RB_PID
	RB_PID=$pb container_pid >/dev/null
	# each subnet's bridge has its first address, runb's alias, and only its containers
	run ip -n "$NS" -o -4 addr show dev runb-0a470000
	assert_output --regexp 'inet 10\.71\.0\.1/24 '
	run ip -n "$NS" -o -4 addr show dev runb-0a480000
	assert_output --regexp 'inet 10\.72\.0\.1/24 '
	ip -n "$NS" -o link show dev runb-0a470000 | grep -q ' alias runb'
	[ "$(ports_of runb-0a470000 | wc -l)" = 2 ]
	[ "$(ports_of runb-0a480000 | wc -l)" = 1 ]
	link_gone runb-bridge
	# a neighbour on the same subnet answers ARP; one on the other subnet cannot hear it
	[ "$(arp_from "$a" 10.71.0.3)" = 02:00:0a:47:00:03 ]
	[ -z "$(arp_from "$a" 10.72.0.2)" ]
	[ -z "$(arp_from "$b" 10.71.0.2)" ]
	# the bridge stays while a container is on it, and goes with the last, its route too
	rb_stop "$pa"
	[ "$status" = 137 ]
	[ "$(ports_of runb-0a470000)" = "$(ports_of runb-0a470000 | grep "^rb$pa2-")" ]
	ip -n "$NS" link show dev runb-0a470000 >/dev/null
	rb_stop "$pa2"
	rb_stop "$pb"
	link_gone runb-0a470000
	link_gone runb-0a480000
	[ -z "$(ip -n "$NS" route show 10.71.0.0/24)" ]
	[ -z "$(ip -n "$NS" route show 10.72.0.0/24)" ]
	[ -z "$(ls /run/runb | grep '\.bridge$')" ]
}

@test "--subnet where forwarding is on: two subnets reach each other through the host, but not with setup_bridge.sh's rules" {
	local fwd pa
	fwd=$(in_ns cat /proc/sys/net/ipv4/ip_forward)
	in_ns sysctl -qw net.ipv4.ip_forward=1
	rb_bg_as "$CNAME" --subnet 10.71.0.0/24 "$CNAME" "$ROOTFS" sleep 30
	pa=$RB_PID
	RB_PID=$pa container_pid >/dev/null
	run rb --subnet 10.72.0.0/24 "$CNAME-b" "$ROOTFS" ping -c1 -W2 10.71.0.2
	assert_success
	in_ns sysctl -qw "net.ipv4.ip_forward=$fwd"
	# the scripts' rules drop what would pass between the two, both ways
	in_ns_script setup_bridge.sh --subnet 10.71.0.0/24 >/dev/null
	in_ns_script setup_bridge.sh --subnet 10.72.0.0/24 >/dev/null
	[ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	in_ns nft list table ip runb-0a480000 | grep -q 'iifname "runb-0a480000" oifname "runb-\*" oifname != "runb-0a480000" drop'
	run rb --subnet 10.72.0.0/24 "$CNAME-b" "$ROOTFS" ping -c1 -W2 10.71.0.2
	assert_failure 1
	run rb --subnet 10.72.0.0/24 "$CNAME-b" "$ROOTFS" ping -c1 -W2 10.72.0.1
	assert_success
	# the bridge runb made is the script's now: it stays after its container
	rb_stop "$pa"
	ip -n "$NS" -o link show dev runb-0a470000 | grep -vq ' alias runb'
	in_ns_script remove_bridge.sh --subnet 10.71.0.0/24 >/dev/null
	# forwarding stays on while the other subnet is set up, and is restored after
	[ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	in_ns_script remove_bridge.sh --subnet 10.72.0.0/24 >/dev/null
	[ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ]
	link_gone runb-0a470000
	link_gone runb-0a480000
	[ -z "$(in_ns nft list ruleset)" ]
}

@test "--subnet: containers joining and leaving its bridge at the same moment all run, and the last removes it" {
	local i round pids=() st
	for round in 1 2 3; do
		pids=()
		for i in 1 2 3 4 5 6; do
			rb --subnet 10.73.0.0/24 "$CNAME-$i" "$ROOTFS" ping -c1 -W2 10.73.0.1 >/dev/null &
			pids+=($!)
		done
		for i in "${pids[@]}"; do
			st=0
			wait "$i" || st=$?
			[ "$st" = 0 ] || fail "round $round: a container's ping of its gateway: status $st"
		done
		link_gone runb-0a730000
	done
}

# A start (here: of a --net none container), then: is the bridge gone?
gone_after_a_start() {
	rb --net none "$CNAME" "$ROOTFS" true && link_gone "$1"
}

@test "--subnet: the bridge of a run killed with SIGKILL goes with a later start's sweep" {
	rb_bg -T --subnet 10.74.0.0/24 "$CNAME" "$ROOTFS" sleep 60
	RB_PID=$RB_PID container_pid >/dev/null
	ip -n "$NS" -o link show dev runb-0a4a0000 | grep -q ' alias runb'
	kill -KILL "$RB_PID"
	rb_wait
	# the first start sweeps the killed run (its netns goes, with its veth, a moment
	# later); a start that finds the bridge without a port removes it
	retry 20 0.1 gone_after_a_start runb-0a4a0000
	[ -z "$(ip -n "$NS" route show 10.74.0.0/24)" ]
}

# runb names its host veth rb<PID>-<NAME>. A former run's veth of that name can
# linger for a moment when runb's PID is reused; runb deletes it. Here runb is
# PID 1 of a PID namespace of its own, so its name is known in advance.
@test "a veth left with this run's name (runb's PID reused) is deleted, and the run goes on" {
	local veth="rb1-$CNAME"
	veth=${veth:0:15}
	run nsenter --net="/run/netns/$NS" unshare --pid --fork --mount-proc sh -c \
		'ip link add "$1" type veth peer name "$2" && exec "$3" "$4" "$5" ip -o link show eth0' \
		sh "$veth" "${veth:0:10}stale" "$RUNB" "$CNAME" "$ROOTFS"
	assert_success
	assert_output --partial 'eth0@'
	# the stale pair is gone, peer and all; the run's own veth went with its netns
	retry 41 0.05 link_gone "${veth:0:10}stale"
	retry 41 0.05 link_gone "$veth"
}

# ---------------------------------------------------------------------------
# namespaces joined, not made: --net/--ipc/--uts ns:PATH, --net container:NAME
# ---------------------------------------------------------------------------

@test "--net, --ipc, --uts ns:PATH: the container is in those namespaces, with their host name; nothing is configured in them; they outlive it" {
	local n=$BATS_TEST_NUMBER holder
	# the network namespace to join: the test's own; an IPC and a UTS namespace held by a
	# process of the test's, with a host name of its own
	unshare --ipc --uts sleep 100 &
	holder=$!
	retry 50 0.05 sh -c '[ "$(readlink /proc/$1/ns/uts)" != "$(readlink /proc/self/ns/uts)" ]' sh "$holder"
	nsenter -t "$holder" --uts hostname "joined$n"
	run rb --net "ns:/run/netns/$NS" --ipc "ns:/proc/$holder/ns/ipc" --uts "ns:/proc/$holder/ns/uts" \
		"$CNAME" "$ROOTFS" sh -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done; hostname; ip -o link | wc -l'
	echo "$output"
	assert_success
	[ "${lines[0]}" = "net:[$(stat -L -c %i "/run/netns/$NS")]" ]
	[ "${lines[1]}" = "$(readlink "/proc/$holder/ns/ipc")" ]
	[ "${lines[2]}" = "$(readlink "/proc/$holder/ns/uts")" ]
	[ "${lines[3]}" = "joined$n" ]
	[ "${lines[4]}" = 1 ]
	# runb configured nothing there: the host name is still the holder's, no link was added
	[ "$(nsenter -t "$holder" --uts hostname)" = "joined$n" ]
	[ "$(ip -n "$NS" -o link | wc -l)" = 1 ]
	kill "$holder"
	# and the network namespace lives on (teardown unbound /run/netns/NAME only): setup's
	# $NS is still there, which common_teardown checks and removes
}

@test "--net container:NAME: a second container in the first one's network namespace; --net ns:FILE that is no namespace, or of another kind: one line, 125, nothing made" {
	run rb -d --net none "$CNAME-a" "$ROOTFS" sleep 100
	assert_success
	run rb --net "container:$CNAME-a" "$CNAME" "$ROOTFS" readlink /proc/self/ns/net
	assert_success
	assert_output "net:[$(stat -L -c %i "/run/netns/$CNAME-a")]"
	run rb --net ns:/etc/hostname "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --net ns:/etc/hostname: not a network namespace"
	run rb --ipc ns:/proc/self/ns/uts "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --ipc ns:/proc/self/ns/uts: not an IPC namespace"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run timeout 10 nsenter --net="/run/netns/$NS" "$RUNB" --uts "ns:$BATS_TEST_TMPDIR/fifo" "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --uts ns:$BATS_TEST_TMPDIR/fifo: not a UTS namespace"
	run rb --net container:no-such-runb "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output --partial "runb: --net ns:/run/netns/no-such-runb: open: No such file or directory"
	run rb stop -t 0 "$CNAME-a"
}
