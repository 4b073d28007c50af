#!/usr/bin/env bash
# scripts/vmtest.sh - run a command as root inside a throwaway QEMU VM that
# boots a Debian cgroup-v2-only kernel over the host's own root filesystem.
#
# usage: scripts/vmtest.sh [COMMAND [ARG...]]        (default: bats test/)
#
# The VM sees the host's / read-only through 9p with a tmpfs overlay on top,
# the checkout read-write at its own absolute path, fresh tmpfs on /tmp, /run,
# /dev/shm, /var/lib/runb on a disk of its own (a sparse ext4 image: as on a
# real machine, runb's records and --overlay's layers are not in RAM),
# cgroup2 on /sys/fs/cgroup with the controllers enabled, and the
# veth/bridge/netfilter modules loaded. COMMAND runs in the checkout with
# PATH, HOME=/root, TERM=dumb, TMPDIR=/tmp (and CI if set). Its stdout and
# stderr come back on ours, and we exit with its status. If the VM itself
# fails (no status, timeout) we exit 125 and show the end of the console log.
# The host's / is also mounted read-only at /.vmtest/host in the VM (handy for
# files under the host's /tmp, which the VM's fresh /tmp hides).
#
# Environment:
#   VMTEST_TIMEOUT   seconds before the VM is killed (default 1500)
#   VMTEST_BOOT_TIMEOUT  seconds for the VM to start COMMAND (default 120)
#   VMTEST_KVM       auto (default: KVM if /dev/kvm opens and the CPU has
#                    vmx/svm), 1 (force KVM) or 0 (force TCG)
#   VMTEST_MEM       guest memory in MiB (default 1024)
#   VMTEST_SMP       guest CPUs (default 2)
#   VMTEST_CACHE     kernel cache dir (default ${XDG_CACHE_HOME:-/var/cache}/runb-vm)
#   VMTEST_KERNEL_PKG  kernel package (default: what linux-image-amd64 depends on)
#   VMTEST_MODULES   extra kernel modules to modprobe in the VM
#   VMTEST_PASSENV   names of extra environment variables to pass to COMMAND
#   VMTEST_VERBOSE   1: boot without "quiet", stream the console to stderr and
#                    print a timing summary
#
# Needs (installed when missing, as root): qemu-system-x86, xz-utils, busybox-static.
set -euo pipefail

prog=vmtest
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 125; }
say() { printf '%s: %s\n' "$prog" "$*" >&2; }

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P) || die "cannot find the checkout"
cd "$top"
[ $# -gt 0 ] || set -- bats test/

timeout_s=${VMTEST_TIMEOUT:-1500}
mem=${VMTEST_MEM:-1024}
smp=${VMTEST_SMP:-2}
kvm=${VMTEST_KVM:-auto}
verbose=${VMTEST_VERBOSE:-0}
if [ -n "${VMTEST_CACHE:-}" ]; then
	cache=$VMTEST_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
	cache=$XDG_CACHE_HOME/runb-vm
elif [ "$(id -u)" = 0 ]; then
	cache=/var/cache/runb-vm
else
	cache=$HOME/.cache/runb-vm
fi
case $timeout_s in ''|*[!0-9]*) die "VMTEST_TIMEOUT must be a number of seconds";; esac

# ---------------------------------------------------------------- host tools
apt_updated=0
apt_update_once() {
	[ "$apt_updated" = 1 ] && return 0
	[ "$(id -u)" = 0 ] || die "need root to run apt-get (missing: $*)"
	say "apt-get update"
	# another vmtest.sh may be looking up its kernel at the same moment
	flock /var/lock/runb-vmtest-apt.lock apt-get update -qq >&2 || die "apt-get update failed"
	apt_updated=1
}

# One vmtest.sh at a time here: make test-vm starts one per CPU, and two
# apt-gets at once fail on apt's lock (the second finds all installed).
exec 8>/var/lock/runb-vmtest-tools.lock
flock 8
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
# Debian's kernel image and modules are xz-compressed
command -v unxz >/dev/null || missing+=(xz-utils)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q ' installed$' ||
   [ ! -x /bin/busybox ]; then
	missing+=(busybox-static)
fi
if [ ${#missing[@]} -gt 0 ]; then
	apt_update_once "${missing[@]}"
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 </dev/null || die "apt-get install ${missing[*]} failed"
fi
flock -u 8
exec 8>&-
bb=/bin/busybox

# -------------------------------------------------------------------- kernel
# Extract the ELF vmlinux from a bzImage, like the kernel's
# scripts/extract-vmlinux: find a compressed-payload magic, decompress from
# there, keep the first result that is an ELF file.
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' \n')" = '177ELF' ]; }
extract_vmlinux() { # IMAGE OUTPUT
	local img=$1 out=$2 magic tag tool pos
	local -a specs=(
		'\037\213\010' xy gunzip
		'\3757zXZ\000' abcde unxz
		'BZh' xy bunzip2
		'\135\0\0\0' xxx unlzma
		'\211\114\132' xy 'lzop -d'
		'\002!L\030' xxx 'lz4 -d'
		'(\265/\375' xxx unzstd
	)
	if is_elf "$img"; then cp "$img" "$out"; return 0; fi
	local i
	for ((i = 0; i < ${#specs[@]}; i += 3)); do
		magic=${specs[i]} tag=${specs[i+1]} tool=${specs[i+2]}
		command -v "${tool%% *}" >/dev/null || continue
		# Map the magic's first byte to \n and the rest to $tag, so that
		# grep -b reports the 1-based offset of the magic as a line start.
		for pos in $(LC_ALL=C tr "$magic\n$tag" "\n$tag=" <"$img" |
			     LC_ALL=C grep -abo "^$tag" | cut -d: -f1); do
			# shellcheck disable=SC2086 # $tool is a command plus options
			tail -c "+$pos" "$img" | $tool >"$out" 2>/dev/null || true
			if is_elf "$out"; then return 0; fi
		done
	done
	rm -f "$out"
	return 1
}

kpkg=${VMTEST_KERNEL_PKG:-}
find_kpkg() {
	local meta=linux-image-amd64
	apt-cache depends "$meta" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
if [ -z "$kpkg" ]; then
	kpkg=$(find_kpkg || true)
	if [ -z "$kpkg" ]; then
		# no usable package lists: reuse a complete cached kernel if there is one
		for d in "$cache"/linux-image-*/.complete; do
			[ -e "$d" ] && kpkg=$(basename "$(dirname "$d")")
		done
	fi
	if [ -z "$kpkg" ]; then
		apt_update_once linux-image-amd64
		kpkg=$(find_kpkg || true)
	fi
	[ -n "$kpkg" ] || die "cannot find the kernel package linux-image-amd64 depends on"
fi
kver=${kpkg#linux-image-}
kdir=$cache/$kpkg

if [ ! -e "$kdir/.complete" ]; then
	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/.lock"
	flock 9
	if [ ! -e "$kdir/.complete" ]; then
		say "preparing kernel $kpkg in $kdir"
		new=$(mktemp -d "$cache/.new.XXXXXX")
		( cd "$new" && apt-get download -o APT::Sandbox::User=root "$kpkg" >&2 ) ||
			{ apt_update_once "$kpkg"; ( cd "$new" && apt-get download -o APT::Sandbox::User=root "$kpkg" >&2 ); } ||
			{ rm -rf "$new"; die "apt-get download $kpkg failed"; }
		dpkg-deb -x "$new"/*.deb "$new/x" || { rm -rf "$new"; die "dpkg-deb -x failed"; }
		if [ ! -d "$new/x/lib/modules/$kver" ]; then
			kver=$(basename "$(find "$new/x/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
		fi
		mkdir -p "$new/lib/modules"
		mv "$new/x/lib/modules/$kver" "$new/lib/modules/$kver"
		mv "$new/x/boot/vmlinuz-$kver" "$new/vmlinuz"
		rm -rf "$new/x" "$new"/*.deb
		# plain .ko files, so insmod/modprobe do not need decompression support
		find "$new/lib/modules/$kver" -name '*.ko.xz' -exec xz -d {} +
		find "$new/lib/modules/$kver" -name '*.ko.zst' -exec zstd -d -q --rm {} +
		find "$new/lib/modules/$kver" -name '*.ko.gz' -exec gzip -d {} +
		if command -v depmod >/dev/null; then
			depmod -b "$new" "$kver"
		else
			"$bb" depmod -b "$new" "$kver"
		fi || { rm -rf "$new"; die "depmod failed"; }
		extract_vmlinux "$new/vmlinuz" "$new/vmlinux" ||
			{ rm -rf "$new"; die "cannot extract an ELF vmlinux from $kpkg"; }
		rm -f "$new/vmlinuz"
		printf '%s\n' "$kver" >"$new/kver"
		touch "$new/.complete"
		for d in "$cache"/linux-image-*; do
			[ -d "$d" ] && rm -rf "$d"
		done
		mv "$new" "$kdir"
	fi
	exec 9>&-
fi
kver=$(cat "$kdir/kver")
moddir=$kdir/lib/modules/$kver
if [ ! -s "$kdir/vmlinux" ] || [ ! -s "$moddir/modules.dep" ]; then
	die "incomplete kernel cache $kdir (remove it)"
fi

# ---------------------------------------------------------------- initramfs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmtest.XXXXXX")
qpid=
tails=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	for t in "${tails[@]}"; do kill "$t" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

stage=$tmp/initramfs
mkdir -p "$stage/bin" "$stage/modules" "$tmp/share"
cp "$bb" "$stage/bin/busybox"

# modules needed to reach the 9p root, in dependency order
order=()
add_mod() { # path relative to $moddir, as in modules.dep
	local path=$1 line dep
	local -a deps
	case " ${order[*]} " in *" $path "*) return 0;; esac
	line=$(awk -F: -v p="$path" '$1 == p { print; exit }' "$moddir/modules.dep")
	[ -n "$line" ] || return 1
	read -ra deps <<<"${line#*:}"
	for dep in "${deps[@]}"; do add_mod "$dep" || return 1; done
	order+=("$path")
}
for m in virtio_pci 9pnet_virtio 9p overlay; do
	pat=$(printf '%s' "$m" | sed 's/[-_]/[-_]/g')
	path=$(grep -m 1 -E "(^|/)$pat\.ko:" "$moddir/modules.dep" | cut -d: -f1 || true)
	if [ -z "$path" ]; then
		grep -qE "(^|/)$pat\.ko$" "$moddir/modules.builtin" 2>/dev/null ||
			die "kernel module $m not found in $kpkg"
		continue
	fi
	add_mod "$path" || die "cannot resolve the dependencies of $m"
done
for path in "${order[@]}"; do
	cp "$moddir/$path" "$stage/modules/"
	basename "$path" >>"$stage/modules/order"
done
touch "$stage/modules/order"

# configuration for the guest scripts
{
	printf 'REPO=%q\n' "$top"
	printf 'KVER=%q\n' "$kver"
	printf 'KCACHE=%q\n' "$(cd "$kdir" && pwd -P)"
	printf 'MODULES=%q\n' "veth bridge nf_tables nf_conntrack nf_nat nft_chain_nat nft_masq nft_nat nft_ct nft_compat ${VMTEST_MODULES:-}"
	printf 'VERBOSE=%q\n' "$verbose"
} >"$stage/conf"

# the command, run by bash in the guest with a clean environment
{
	printf 'cd -- %q || exit 125\n' "$top"
	for v in CI ${VMTEST_PASSENV:-}; do
		[ -n "${!v+set}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$tmp/share/cmd"

cat >"$stage/init" <<'EOF'
#!/bin/busybox sh
# stage 1: mount the host's / (9p, read-only) under a tmpfs overlay, switch to it
/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
. /conf
fail() { echo "vmtest-init: $*" >/dev/console; sleep 1; poweroff -f; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/modules/$m" || fail "insmod $m failed"
done </modules/order
mkdir -p /lower /rw /newroot
o=trans=virtio,version=9p2000.L,msize=512000
i=0
until mount -t 9p -o "$o,cache=loose" hostroot /lower 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "cannot mount the host root over 9p"
	sleep 0.1
done
mount -t tmpfs -o mode=755 tmpfs /rw
mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "cannot mount the overlay root"
mkdir -p /newroot/.vmtest/host /newroot/.vmtest/bin /newroot/.vmtest/share
mount -o bind /lower /newroot/.vmtest/host
mount -o remount,bind,ro /newroot/.vmtest/host
cp /bin/busybox /conf /stage2 /newroot/.vmtest/
mount -t 9p -o "$o" vmtest /newroot/.vmtest/share || fail "cannot mount the control share"
# keep /proc mounted: without it, busybox's /proc/self/exe would resolve to the
# host's /proc over 9p, i.e. to qemu's own binary
mount -o move /proc /newroot/proc
mount -o move /sys /newroot/sys
mount -o move /dev /newroot/dev
exec switch_root /newroot /.vmtest/busybox sh /.vmtest/stage2
EOF

cat >"$stage/stage2" <<'EOF'
# stage 2 (PID 1 in the overlay root): set the system up like a host, run the command
/.vmtest/busybox --install -s /.vmtest/bin
export PATH=/.vmtest/bin
. /.vmtest/conf
S=/.vmtest/share
warn() { echo "vmtest: warning: $*" >/dev/console; }
fail() { echo "vmtest: $*" >/dev/console; sync; poweroff -f; }
o=trans=virtio,version=9p2000.L,msize=512000

mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o nosuid,noexec,newinstance,gid=5,mode=620,ptmxmode=666 devpts /dev/pts
rm -f /dev/ptmx; ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue || warn "no mqueue"
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
ln -sf /proc/kcore /dev/core

mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2"
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || warn "cannot enable cgroup controller $c"
done
mount -t bpf -o nosuid,nodev,noexec,mode=700 bpf /sys/fs/bpf 2>/dev/null || true

# kernel modules: the cached package's tree, busybox modprobe (also for autoloading)
mkdir -p "/lib/modules/$KVER"
mount -o bind "/.vmtest/host$KCACHE/lib/modules/$KVER" "/lib/modules/$KVER" || warn "no module tree"
echo /.vmtest/bin/modprobe >/proc/sys/kernel/modprobe
for m in $MODULES; do
	modprobe "$m" 2>/dev/null || grep -q "/$m.ko\$" "/lib/modules/$KVER/modules.builtin" ||
		warn "cannot load module $m"
done

# /var/lib/runb on the disk (/dev/vda): the drivers, then the device
modprobe virtio_blk 2>/dev/null || true
modprobe ext4 2>/dev/null || true
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /var/lib/runb
mount -t ext4 /dev/vda /var/lib/runb || fail "cannot mount the disk (/dev/vda) at /var/lib/runb"
rmdir /var/lib/runb/lost+found
chmod 0700 /var/lib/runb

mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run
mkdir -p /run/netns /run/lock /run/user
chmod 1777 /run/lock
[ -L /var/run ] || mount -o bind /run /var/run
mkdir -p "$REPO"
mount -t 9p -o "$o,cache=mmap" repo "$REPO" || fail "cannot mount the checkout at $REPO"
# as systemd does (busybox mount cannot do this; use the host's util-linux)
for m in /usr/bin/mount /bin/mount ""; do [ -x "$m" ] && break; done
[ -n "$m" ] && "$m" --make-rshared / || warn "cannot make / rshared"
hostname vmtest
ip link set lo up

stty -F /dev/ttyS1 raw -echo || fail "no /dev/ttyS1"
stty -F /dev/ttyS2 raw -echo || fail "no /dev/ttyS2"
cut -d' ' -f1 /proc/uptime >"$S/started"
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM=dumb TMPDIR=/tmp \
	/bin/bash "$S/cmd" </dev/null >/dev/ttyS1 2>/dev/ttyS2
rc=$?
echo "$rc" >"$S/status.new" && mv "$S/status.new" "$S/status"
sync
# stty sets the modes with TCSADRAIN: waits until the ports have sent everything
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
poweroff -f
EOF
chmod 755 "$stage/init"

(cd "$stage" && find . | "$bb" cpio -o -H newc -R 0:0 2>/dev/null) >"$tmp/initramfs.cpio" ||
	die "cannot build the initramfs"

# --------------------------------------------------------------------- boot
case $kvm in
auto)	# /dev/kvm can be present yet useless (nested without vmx/svm: KVM_RUN
	# spins); KVM failures before the command starts fall back to TCG
	if ( exec 3<>/dev/kvm ) 2>/dev/null && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		kvm=1
	else
		kvm=0
	fi ;;
1)	( exec 3<>/dev/kvm ) 2>/dev/null || die "VMTEST_KVM=1 but /dev/kvm is not usable"
	VMTEST_KVM=force ;;
0)	;;
*)	die "VMTEST_KVM must be auto, 0 or 1" ;;
esac
boot_timeout=${VMTEST_BOOT_TIMEOUT:-120}
append="console=ttyS0 rdinit=/init panic=-1 cgroup_no_v1=all norandmaps"
[ "$verbose" = 1 ] || append="quiet $append"

for a in "$@"; do
	case $a in /tmp/*|/run/*)
		[ -e "$a" ] && say "note: $a is hidden by the VM's fresh tmpfs; use /.vmtest/host$a" ;;
	esac
done

show_console() {
	say "--- qemu ---"
	cat "$tmp/qemu.log" >&2
	say "--- last lines of the VM console (VMTEST_VERBOSE=1 shows all) ---"
	tail -n 40 "$tmp/console" | tr -d '\r' >&2
}

# run_vm: boot, stream the command's output, set qrc and booted (0/1)
run_vm() {
	local accel t
	if [ "$kvm" = 1 ]; then
		accel=(-enable-kvm -cpu host)
	else
		# a baseline x86-64 CPU: glibc then takes its SSE2 paths, which TCG
		# runs faster than the AVX ones "max" offers (the suite: ~13 % less)
		accel=(-accel tcg -cpu qemu64)
	fi
	rm -f "$tmp/share/started" "$tmp/share/status"
	for t in console out err qemu.log; do : >"$tmp/$t"; done
	# The subshell keeps bash's "Aborted"-style job messages out of our
	# stderr and passes a SIGTERM (from us) on to timeout, hence to qemu.
	(
		timeout -k 10 "$timeout_s" qemu-system-x86_64 \
			-nodefaults -no-user-config -display none -no-reboot \
			-M q35 "${accel[@]}" -smp "$smp" -m "$mem" -nic none \
			-kernel "$kdir/vmlinux" -initrd "$tmp/initramfs.cpio" -append "$append" \
			-chardev "file,id=con,path=$tmp/console" -serial chardev:con \
			-chardev "file,id=out,path=$tmp/out" -device isa-serial,chardev=out,index=1 \
			-chardev "file,id=err,path=$tmp/err" -device isa-serial,chardev=err,index=2 \
			-fsdev local,id=hostroot,path=/,readonly=on,security_model=none,multidevs=remap \
			-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
			-fsdev "local,id=repo,path=$top,security_model=none,multidevs=remap" \
			-device virtio-9p-pci,fsdev=repo,mount_tag=repo \
			-fsdev "local,id=vmtest,path=$tmp/share,security_model=none" \
			-device virtio-9p-pci,fsdev=vmtest,mount_tag=vmtest \
			-drive "file=$tmp/disk.img,if=virtio,format=raw,cache=unsafe" &
		tpid=$!
		trap 'kill "$tpid" 2>/dev/null' TERM
		rc=0
		wait "$tpid" || rc=$?
		while kill -0 "$tpid" 2>/dev/null; do rc=0; wait "$tpid" || rc=$?; done
		exit "$rc"
	) </dev/null >>"$tmp/qemu.log" 2>&1 &
	qpid=$!

	# stream the command's output while the VM runs
	tail -c +1 -f --pid="$qpid" "$tmp/out" &
	tails+=($!)
	tail -c +1 -f --pid="$qpid" "$tmp/err" >&2 &
	tails+=($!)
	if [ "$verbose" = 1 ]; then
		tail -c +1 -f --pid="$qpid" "$tmp/console" >&2 &
		tails+=($!)
	fi

	booted=0
	local t0=$SECONDS
	while kill -0 "$qpid" 2>/dev/null; do
		if [ "$booted" = 0 ]; then
			if [ -e "$tmp/share/started" ]; then
				booted=1
			elif [ $((SECONDS - t0)) -ge "$boot_timeout" ]; then
				say "VM did not start the command within ${boot_timeout}s (VMTEST_BOOT_TIMEOUT)"
				kill "$qpid" 2>/dev/null || true
			fi
		fi
		sleep 0.2
	done
	qrc=0
	wait "$qpid" || qrc=$?
	qpid=
	[ -e "$tmp/share/started" ] && booted=1
	for t in "${tails[@]}"; do wait "$t" || true; done
	tails=()
}

# the disk for /var/lib/runb: sparse, so only what the tests write takes room
truncate -s 4G "$tmp/disk.img"
mkfs.ext4 -q -F "$tmp/disk.img" || die "mkfs.ext4 $tmp/disk.img failed"
start=$(date +%s.%N)
run_vm
if [ "$booted" = 0 ] && [ "$kvm" = 1 ] && [ "${VMTEST_KVM:-auto}" != force ]; then
	[ "$verbose" = 1 ] && show_console
	say "KVM boot failed (qemu exited $qrc), retrying with TCG"
	kvm=0
	start=$(date +%s.%N)
	run_vm
fi
end=$(date +%s.%N)

if [ "$booted" = 1 ] && { [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; }; then
	show_console
	die "VM timed out after ${timeout_s}s (VMTEST_TIMEOUT)"
fi
status=$(cat "$tmp/share/status" 2>/dev/null || true)
case $status in
''|*[!0-9]*)
	show_console
	die "VM produced no exit status (qemu exited $qrc)" ;;
esac
if [ "$verbose" = 1 ]; then
	say "status $status; command started at guest uptime $(cat "$tmp/share/started")s;" \
		"wall $(awk "BEGIN { printf \"%.1f\", $end - $start }")s ($([ "$kvm" = 1 ] && echo kvm || echo tcg))"
fi
exit "$status"
