#!/usr/bin/env bash
# scripts/freshtest.sh - the README's quick start, as written, on a freshly
# debootstrapped Debian (make test-fresh).
#
# usage: scripts/freshtest.sh          (as root; hold the suite lock: it is a host suite)
#
# A machine that already has what the README forgets to install hides the
# missing step; this test runs where nothing is installed:
#  1. debootstrap --variant=minbase --include=git,ca-certificates,sudo, once,
#     into a cache (the tree stays pristine: each run works on an overlay of
#     it with a tmpfs on top). A minimal Debian has neither sudo nor make nor
#     gcc; sudo is added because a user who types the README's `sudo` has it.
#  2. A network namespace of the test's own, where runb's default network
#     makes its runb-bridge, and with it no way out but one: apt's proxy on
#     127.0.0.1:3142, a relay (socat) to deb.debian.org:80 in this machine's
#     network namespace. The tree's apt sources are SUITE main,
#     SUITE-updates and SUITE-security, all on deb.debian.org.
#  3. In that namespace, a mount namespace with its own root: the overlay
#     bound on itself, fresh tmpfs on /run and /tmp, this machine's /proc,
#     /sys (with its cgroups) and /dev; pivot_root into it, the old root
#     detached. There the tree's git clones this checkout's HEAD (committed
#     work only: uncommitted changes are not tested).
#  4. The lines of README's quick-start ```sh block, run as root by bash as
#     written: the first (the demo) with a shell command piped in, which must
#     print its output and whose exit status must come back through runb;
#     the second (the test suite) must pass every test.
#  5. Afterwards this machine must be as before: no runb cgroup, netns name,
#     link or /run/runb file is left.
#
# Environment:
#   FRESHTEST_SUITE   Debian suite (default bookworm)
#   FRESHTEST_CACHE   cache of debootstrapped trees (default /var/cache/runb-fresh)
#   FRESHTEST_MIRROR  mirror host (default deb.debian.org)
#
# Needs (installed when missing): debootstrap, socat, debian-archive-keyring.
set -euo pipefail

prog=freshtest
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 125; }
say() { printf '%s: %s\n' "$prog" "$*" >&2; }

# -------------------------------------------- stage 3: inside the fresh root
# Run by the fresh tree's bash after pivot_root, as root, in /root.
# shellcheck disable=SC2016 # expanded by that bash
stage3='
set -u
sha=$1
say() { printf "freshtest: %s\n" "$*" >&2; }
git clone -q /srv/runb.git /root/runb && cd /root/runb && git checkout -q "$sha" ||
	{ say "cannot clone the checkout"; exit 125; }
say "cloned $(git log --oneline -1)"
# the lines of the first ```sh block under "## Quick start"
mapfile -t lines < <(awk '\''/^## Quick start/ { q = 1; next }
	q && /^```sh$/ { b = 1; next } b && /^```/ { exit } b'\'' README.md)
if [ ${#lines[@]} != 2 ]; then
	say "README.md: the quick-start block has ${#lines[@]} lines, not two (demo, tests):"
	printf "  %s\n" "${lines[@]}" >&2
	exit 1
fi
rc=0

say "README line 1, a shell command piped in: ${lines[0]}"
printf "echo fresh-ok; hostname; exit 7\n" | bash -c "${lines[0]}" 2>&1 | tee /root/demo.log
st=${PIPESTATUS[1]}
# make reports a recipe'\''s failure as "[Makefile:N: demo] Error 7" and exits 2
if grep -qx fresh-ok /root/demo.log && grep -qx demo /root/demo.log &&
	{ [ "$st" = 7 ] || { [ "$st" = 2 ] && grep -q "\] Error 7\$" /root/demo.log; }; }; then
	say "README line 1: ok (the demo shell ran the command in container demo, exit 7 came back; status $st)"
else
	say "README line 1: FAILED (status $st; want the lines fresh-ok and demo, and exit 7 through runb)"
	rc=1
fi

say "README line 2: ${lines[1]}"
bash -c "${lines[1]}" </dev/null 2>&1 | tee /root/test.log
st=${PIPESTATUS[0]}
plan=$(sed -n "s/^1\.\.\([0-9][0-9]*\)$/\1/p" /root/test.log | tail -n 1)
oks=$(grep -c "^ok " /root/test.log || true)
if [ "$st" = 0 ] && [ -n "$plan" ] && [ "$plan" -gt 0 ] && [ "$oks" = "$plan" ] &&
	! grep -q "^not ok " /root/test.log; then
	say "README line 2: ok ($oks of $plan tests passed)"
else
	say "README line 2: FAILED (status $st, $oks of ${plan:-no} tests passed)"
	rc=1
fi
exit "$rc"
'

# ------------------------------- stage 2: own mount and UTS namespaces, root
# usage: freshtest.sh --stage2 TREE TMP TOP SHA   (in the test's netns)
if [ "${1:-}" = --stage2 ]; then
	tree=$2 tmp=$3 top=$4 sha=$5
	r=$tmp/root
	mount -t tmpfs -o mode=0755,size=8g runb-fresh "$tmp/rw"
	mkdir "$tmp/rw/upper" "$tmp/rw/work"
	mount -t overlay -o "lowerdir=$tree,upperdir=$tmp/rw/upper,workdir=$tmp/rw/work" runb-fresh "$r"
	mount --bind "$r" "$r"
	mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs "$r/run"
	mkdir -m 1777 "$r/run/lock"
	# like Debian's default /tmp, on the root file system: no nosuid, nodev
	mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
	mount --rbind /proc "$r/proc"
	mount --rbind /sys "$r/sys"
	mount --rbind /dev "$r/dev"
	# a real machine's /var/lib is on disk: runb's records and --overlay's
	# layers go to a directory of this machine's disk, not to the RAM overlay
	mkdir -p "$tmp/varlib-runb" "$r/var/lib/runb"
	chmod 0700 "$tmp/varlib-runb"
	mount --bind "$tmp/varlib-runb" "$r/var/lib/runb"
	# the test's own machine: a name, and apt's one way out (see stage 1)
	hostname runb-fresh
	echo runb-fresh >"$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\trunb-fresh\n' >"$r/etc/hosts"
	echo 'Acquire::http::Proxy "http://127.0.0.1:3142";' >"$r/etc/apt/apt.conf.d/01runb-freshtest-proxy"
	mkdir -p "$r/srv"
	git clone -q --bare "file://$top" "$r/srv/runb.git"
	cd "$r"
	mkdir .old
	pivot_root . .old
	cd /
	umount -l /.old
	rmdir /.old
	exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb \
		/bin/bash -c "cd /root && $stage3" freshtest "$sha"
fi

# ----------------------------------------------- stage 1: this machine's side
[ $# = 0 ] || die "usage: $0   (no arguments)"
[ "$(id -u)" = 0 ] || die "run it as root (sudo make test-fresh)"
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
self=$top/scripts/freshtest.sh
suite=${FRESHTEST_SUITE:-bookworm}
mirror=${FRESHTEST_MIRROR:-deb.debian.org}
cache=${FRESHTEST_CACHE:-/var/cache/runb-fresh}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v socat >/dev/null || missing+=(socat)
[ -e "$keyring" ] || missing+=(debian-archive-keyring)
if [ ${#missing[@]} -gt 0 ]; then
	command -v apt-get >/dev/null || die "missing ${missing[*]}, and there is no apt-get to install them"
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null ||
		die "apt-get install ${missing[*]} failed"
fi

sha=$(git -C "$top" rev-parse HEAD) || die "$top is not a git checkout"
if [ -n "$(git -C "$top" status --porcelain)" ]; then
	say "warning: $top has uncommitted changes; they are not tested (only HEAD $(git -C "$top" rev-parse --short HEAD) is cloned)"
fi

# the cached tree: made once, under a lock, marked complete last
tree=$cache/$suite/root
if [ ! -e "$cache/$suite/.complete" ]; then
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	if [ ! -e "$cache/$suite/.complete" ]; then
		say "debootstrap $suite (minbase, git, ca-certificates, sudo) into $cache/$suite"
		new=$(mktemp -d "$cache/.new.XXXXXX")
		debootstrap --variant=minbase --include=git,ca-certificates,sudo \
			--keyring="$keyring" "$suite" "$new/root" "http://$mirror/debian" >"$new/log" 2>&1 ||
			{ tail -n 20 "$new/log" >&2; rm -rf "$new"; die "debootstrap failed"; }
		cat >"$new/root/etc/apt/sources.list" <<-EOF
		deb http://$mirror/debian $suite main
		deb http://$mirror/debian $suite-updates main
		deb http://$mirror/debian-security $suite-security main
		EOF
		rm -f "$new/root/var/cache/apt/archives/"*.deb
		touch "$new/.complete"
		rm -rf "${cache:?}/${suite:?}"
		mv "$new" "$cache/$suite"
	fi
	exec 9>&-
fi

# what runb could leave on this machine
host_state() {
	echo "## cgroups"
	find /sys/fs/cgroup -maxdepth 4 -name 'runb*' 2>/dev/null | sort
	echo "## links"
	ip -o link show | cut -d: -f2 | sort
	echo "## netns"
	find /run/netns -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
	echo "## /run/runb"
	find /run/runb -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
	echo "## /var/lib/runb"
	find /var/lib/runb -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
}

ns=runb-fresh-$$
tmp=$(mktemp -d /tmp/runb-fresh.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -e "/run/netns/$ns" ]; then
		# whatever the fresh machine left running, then the namespace
		p=$(ip netns pids "$ns" 2>/dev/null || true)
		# shellcheck disable=SC2086 # a list of pids
		[ -z "$p" ] || kill -KILL $p 2>/dev/null || true
		ip netns del "$ns" || true
	fi
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
before=$(host_state)

ip netns add "$ns"
ip -n "$ns" link set lo up
# the relay: 127.0.0.1:3142 in the test's netns -> a socket file -> the mirror
socat "UNIX-LISTEN:$tmp/apt.sock,fork,mode=0600" "TCP:$mirror:80" &
pids+=($!)
nsenter --net="/run/netns/$ns" socat TCP-LISTEN:3142,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$tmp/apt.sock" &
pids+=($!)
for _ in $(seq 100); do
	[ -S "$tmp/apt.sock" ] && [ -n "$(nsenter --net="/run/netns/$ns" ss -Hltn 'sport = :3142')" ] && break
	sleep 0.05
done
[ -S "$tmp/apt.sock" ] || die "the apt relay did not start"

mkdir "$tmp/rw" "$tmp/root"
say "running README's quick start in a fresh $suite (netns $ns)"
start=$SECONDS
rc=0
nsenter --net="/run/netns/$ns" unshare --mount --uts --propagation private \
	bash "$self" --stage2 "$tree" "$tmp" "$top" "$sha" </dev/null || rc=$?
say "the fresh machine's part took $((SECONDS - start)) s"

# all of the fresh machine gone, then this machine as it was before
cleanup
pids=()
trap - EXIT
after=$(host_state)
if [ "$after" != "$before" ]; then
	say "this machine changed:"
	diff -u <(echo "$before") <(echo "$after") >&2 || true
	[ "$rc" != 0 ] || rc=1
fi
if ip link show runb-bridge >/dev/null 2>&1; then
	say "runb-bridge is in this machine's network namespace"
	[ "$rc" != 0 ] || rc=1
fi
if [ "$rc" = 0 ]; then
	say "ok: README's quick start passes on a fresh $suite"
else
	say "FAILED (status $rc)"
fi
exit "$rc"
