#!/usr/bin/env bats
# -p (issue 22): a port of the host (here: of the test's network namespace,
# which stands in for the host's) relayed into the container, with --net none
# and with the bridge; many connections at once; half-closes passed on; a port
# in use refused before anything is made; nothing left after. The clients run
# in the test's namespace, entered with nsenter.

load helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() {
	stop_test_containers
	common_teardown
	rm -rf "$ROOTFS/tmp/$CNAME".*
}

# in_ns CMD...: CMD in the test's network namespace (the "host" side).
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

# A web page the container's busybox httpd serves from /tmp/$CNAME.www.
web_root() {
	mkdir -p "$ROOTFS/tmp/$CNAME.www"
	echo "hello from $CNAME" >"$ROOTFS/tmp/$CNAME.www/index.html"
}

get() { in_ns curl -fsS --max-time 20 "http://$1/"; }

@test "-p with --net none: the host's port reaches the container's server; 100 connections at once; ps and inspect show it" {
	web_root
	rbd "$CNAME" -p 127.0.0.1:18080:80 -- httpd -f -p 80 -h "/tmp/$CNAME.www"
	retry 201 0.05 get 127.0.0.1:18080
	run get 127.0.0.1:18080
	assert_output "hello from $CNAME"
	local i pids=()
	for i in $(seq 100); do
		get 127.0.0.1:18080 >"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
	done
	local failed=0
	for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
	[ "$failed" = 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR"/out.* | grep -cx "hello from $CNAME")" = 100 ]
	[ "$(rbt ps --format '{{.Name}} {{.Ports}}' | grep "^$CNAME ")" = "$CNAME 127.0.0.1:18080->80/tcp" ]
	[ "$(rbt inspect "$CNAME" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Ports"][0])')" = "127.0.0.1:18080->80/tcp" ]
	# the container ends: its port is closed, and its proxy is gone
	rbt rm -f "$CNAME"
	run get 127.0.0.1:18080
	[ "$status" != 0 ]
	[ -z "$(ip netns pids "$NS")" ]
}

@test "-p with the bridge: relayed to the container's address; a half-close reaches the server and the answer comes back" {
	rbd "$CNAME" --net bridge -p 18081:7 -- nc -l -p 7 -e cat
	local ip
	retry 201 0.05 test -n "$(rbt ps --format '{{.Name}} {{.IP}}' | awk -v n="$CNAME" '$1 == n && $2 != "-"')"
	ip=$(rbt ps --format '{{.Name}} {{.IP}}' | awk -v n="$CNAME" '$1 == n { print $2 }')
	[[ "$ip" == 10.0.0.* ]]
	# nc listens in the container (else the proxy's connect is refused, and the client
	# gets an empty answer: seen under load)
	retry 201 0.05 nsenter --net="/run/netns/$CNAME" sh -c 'ss -Hltn "sport = :7" | grep -q .'
	# the client sends, then shuts down its writing side: cat sees the end, and its echo
	# and then the connection's end come back
	run in_ns python3 -c '
import socket, sys, time
for t in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", 18081), timeout=10); break
    except OSError: time.sleep(0.05)
s.sendall(b"echo-through-the-proxy"); s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(4096)
    if not b: break
    got += b
print(got.decode())'
	assert_success
	assert_output "echo-through-the-proxy"
}

@test "-p: a port in use on the host is refused with 125 before anything is made" {
	in_ns python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 18082)); s.listen(1); time.sleep(30)' &
	local holder=$!
	retry 201 0.05 in_ns sh -c 'ss -ltn 2>/dev/null | grep -q ":18082 " || netstat -ltn 2>/dev/null | grep -q ":18082 "'
	run rbt --net none -p 18082:80 "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: -p 0.0.0.0:18082:80: port 18082 is in use on the host"
	kill "$holder"
	wait "$holder" || true
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ ! -e "/run/netns/$CNAME" ]
}

@test "-p: the proxy reads strangers' bytes as nobody, without capabilities, with no_new_privs" {
	web_root
	rbd "$CNAME" -p 127.0.0.1:18083:80 -- httpd -f -p 80 -h "/tmp/$CNAME.www"
	retry 201 0.05 get 127.0.0.1:18083
	local p found=0
	for p in $(pgrep -x runb); do
		grep -q '^Uid:[[:space:]]*65534' "/proc/$p/status" 2>/dev/null || continue
		grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$p/status"
		grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$p/status"
		found=$((found + 1))
	done
	[ "$found" = 1 ]
}

@test "-p .../udp: each client's datagrams reach the container's UDP server and its answers come back to that client; a UDP port in use is refused" {
	rbd "$CNAME" -p 127.0.0.1:18084:5353/udp -- udpecho 5353
	# two clients, each a flow of its own: each gets only its own answers
	run in_ns python3 -c '
import socket, time
def ask(s, msg):
    want = b"echo: " + msg
    for t in range(100):
        s.sendto(msg, ("127.0.0.1", 18084))
        end = time.time() + 0.2
        while time.time() < end:
            try:
                got = s.recv(4096)
            except socket.timeout:
                break
            if got == want:
                return got.decode()
            if not got.startswith(b"echo: " + msg.split()[0]):
                return "another client'"'"'s answer: " + got.decode()
    return "no answer"
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(0.2)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.settimeout(0.2)
print(ask(a, b"a 1")); print(ask(b, b"b 1")); print(ask(a, b"a 2")); print(ask(b, b"b 2"))'
	assert_success
	assert_output "echo: a 1
echo: b 1
echo: a 2
echo: b 2"
	[ "$(rbt ps --format '{{.Name}} {{.Ports}}' | grep "^$CNAME ")" = "$CNAME 127.0.0.1:18084->5353/udp" ]
	# nobody else can bind the published port to read its datagrams, with SO_REUSEADDR neither
	run in_ns python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 18084))'
	assert_failure
	assert_output --partial "Address already in use"
	rbt rm -f "$CNAME"
	# a UDP port in use on the host: 125, nothing made, even when its holder lets
	# others share it (SO_REUSEADDR, as an mDNS daemon does)
	in_ns python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 18085)); time.sleep(30)' &
	local holder=$!
	retry 201 0.05 in_ns sh -c 'ss -lun 2>/dev/null | grep -q ":18085 " || netstat -lun 2>/dev/null | grep -q ":18085 "'
	run rbt --net none -p 18085:53/udp "$CNAME" "$ROOTFS" true
	kill "$holder"
	wait "$holder" || true
	[ "$status" = 125 ]
	assert_output "runb: -p 0.0.0.0:18085:53/udp: port 18085/udp is in use on the host"
	[ ! -e "/run/runb/$CNAME.lock" ]
	[ ! -e "/run/netns/$CNAME" ]
}

# The proxy of the runb whose command line has -p 127.0.0.1:PORT (a fork of
# runb, so its command line too, but of uid 65534).
proxy_of() {
	local p
	for p in $(pgrep -f -- "-p 127\.0\.0\.1:$1:"); do
		if grep -q '^Uid:[[:space:]]*65534' "/proc/$p/status" 2>/dev/null; then echo "$p"; fi
	done
}

# CPU ticks (user + system) PID has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

@test "-p .../udp: an ICMP error on a flow (nothing listens in the container) does not make the proxy spin" {
	rbd "$CNAME" -p 127.0.0.1:18086:5353/udp -- sleep 60
	local px t0 t1
	retry 100 0.05 test -n "$(proxy_of 18086)"
	px=$(proxy_of 18086)
	# one datagram to a port where nothing listens: the container's kernel answers
	# with an ICMP port unreachable, which waits on the proxy's flow socket
	in_ns python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("127.0.0.1", 18086))'
	sleep 0.2
	t0=$(cpu_ticks "$px")
	sleep 1
	t1=$(cpu_ticks "$px")
	echo "the proxy used $((t1 - t0)) ticks in 1 s"
	[ $((t1 - t0)) -lt 20 ]
	rbt rm -f "$CNAME" >/dev/null
}

@test "-p: the proxy dies with runb, even killed with SIGKILL: the host's port is free again" {
	rb_bg -T --net none -p 127.0.0.1:18087:5353/udp -p 127.0.0.1:18087:80 "$CNAME" "$ROOTFS" sleep 60
	local px
	retry 100 0.05 test -n "$(proxy_of 18087)"
	px=$(proxy_of 18087)
	kill -KILL "$RB_PID"
	rb_wait
	retry 100 0.05 dead "$px"
	in_ns python3 -c 'import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 18087))
t = socket.socket(); t.bind(("127.0.0.1", 18087))'
	# the next runb sweeps what the killed one left
	run rb --net none "$CNAME" "$ROOTFS" true
	assert_success
}
