#!/usr/bin/env bats
# Files in and out (issue 13): --volume, --tmpfs, --read-only, -w and
# --overlay[=DIR]. Each test looks from inside the container and from the
# host; common_teardown checks that the host's mounts, cgroups, links,
# /run/netns and /run/runb are as before. Every file a test writes or links
# is its own (in BATS_TEST_TMPDIR, or a name of its own in ROOTFS).

load helpers

setup_file() { common_setup_file; }
setup() {
	common_setup
	T=$BATS_TEST_TMPDIR
}
teardown() { common_teardown; }

# The per-mount options (mountinfo's 6th field) of the mount in sight at
# mount point $1, from a mountinfo on stdin; then its fs type and super
# options after the " - ".
mount_opts() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); o = $6 " " $(i+1) " " $(i+3) } END { print o }'
}


# A tree as bytes: every entry's path, type and mode, owner, size, mtime and
# link target, then each regular file's sha256.
tree_sum() {
	(cd "$1" && find . -printf '%p %M %U:%G %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
}

# In the container (with the sync volume at /sync): say ready, then wait for
# the host's go, at most 20 s.
HOLD='touch /sync/ready; i=0; while [ ! -e /sync/go ]; do i=$((i+1)); [ $i -lt 400 ] || exit 99; sleep 0.05; done'

# The mounts the host has now and had before the test, but for the netns
# binds of the containers named in $@ (runb's own, for /run/netns/NAME):
# what a container's --volume or --overlay would have leaked onto the host.
host_new_mounts() {
	local n skip=()
	for n; do skip+=(-e " /run/netns/$n "); done
	grep -vxFf <(sed -n '/^## mounts$/,/^## cgroups$/p' "$T/host.before") /proc/self/mountinfo |
		grep -vF "${skip[@]}" || true
}

# The container held by $HOLD is ready: the host has no new mount meanwhile;
# then let it go, and it ends with 0.
held_leaks_nothing() {
	# for at most 20 s (the VM is slow)
	retry 400 0.05 test -e "$T/sync/ready"
	run host_new_mounts "$CNAME"
	touch "$T/sync/go"
	assert_output ""
	rb_wait
	[ "$status" = 0 ]
}

# A copy of ROOTFS of the test's own, for the tests that change it or sum it.
# Where --overlay keeps its layers: on disk, but where /var/lib/runb is on an
# overlayfs (a root in RAM without a disk), which overlayfs cannot take as an
# upper layer, on a tmpfs. (The VM and the fresh machine give /var/lib/runb a
# disk of its own, as a real machine has.)
overlay_layers() {
	local t
	t=$(stat -fc %T /var/lib/runb 2>/dev/null || stat -fc %T /var/lib)
	if [ "$t" = overlayfs ]; then echo "(a tmpfs)"; else echo "/var/lib/runb/.overlay/$CNAME"; fi
}

own_rootfs() {
	cp -a "$ROOTFS" "$T/rootfs"
	R=$T/rootfs
}

# ---------------------------------------------------------------------------
# --volume
# ---------------------------------------------------------------------------

@test "--volume rw: the container reads the host's files and what it writes is on the host; no mount on the host" {
	mkdir -p "$T/h" "$T/sync"
	echo from-host > "$T/h/in"
	rb_bg --net none -v --volume "$T/h:/data" --volume "$T/sync:/sync" "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /data/in; echo from-container > /data/out; mkdir /data/d
		grep " /data " /proc/self/mountinfo
		'"$HOLD" > "$T/out" 2>&1
	# from the host, while it runs: the bind is in the container's mount namespace only
	held_leaks_nothing
	run cat "$T/out"
	assert_line from-host
	assert_line --partial "[runb] mount --bind HOST CONTAINER -> open_tree(\"$T/h\") on the host, move_mount to /data"
	refute_line --partial "move_mount to /data (ro"
	local opts
	opts=$(mount_opts /data < "$T/out")
	has_opt "${opts%% *}" rw
	[ "$(cat "$T/h/out")" = from-container ]
	[ -d "$T/h/d" ]
	[ "$(cat "$T/h/in")" = from-host ]
	# the mount point was made in ROOTFS, as docker makes it, and is empty there
	[ -d "$ROOTFS/data" ] && [ -z "$(ls -A "$ROOTFS/data")" ]
}

@test "--volume :ro refuses writes (EROFS) and cannot be remounted rw from inside; the host file is unchanged" {
	mkdir -p "$T/h"
	echo original > "$T/h/f"
	run rb --net none -v --volume "$T/h:/ro:ro" "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /ro/f
		echo changed > /ro/f && echo WROTE-F
		touch /ro/new && echo WROTE-NEW
		grep " /ro " /proc/self/mountinfo; echo "## remount"
		mount -o remount,rw /ro && echo REMOUNTED
		mount -o remount,bind,rw /ro && echo REMOUNTED-BIND
		echo "## after"
		grep " /ro " /proc/self/mountinfo
		echo changed > /ro/f && echo WROTE-F-AFTER
		true'
	assert_success
	assert_line original
	assert_line --partial "[runb] mount --bind HOST CONTAINER -> open_tree(\"$T/h\") on the host, move_mount to /ro (ro,nosuid,nodev)"
	assert_line --partial "can't create /ro/f: Read-only file system"
	assert_line --partial "/ro/new: Read-only file system"
	refute_line WROTE-F
	refute_line WROTE-NEW
	refute_line REMOUNTED
	refute_line REMOUNTED-BIND
	refute_line WROTE-F-AFTER
	local before after o
	before=$(sed '/^## remount$/,$d' <<<"$output" | mount_opts /ro)
	after=$(sed '1,/^## after$/d' <<<"$output" | mount_opts /ro)
	for o in ro nosuid nodev; do
		has_opt "${before%% *}" "$o"
		has_opt "${after%% *}" "$o"
	done
	# from the host
	[ "$(cat "$T/h/f")" = original ]
	[ ! -e "$T/h/new" ]
}

@test "--volume :ro is read-only recursively: a mount below HOST is read-only inside too (the :rw control writes there)" {
	mkdir -p "$T/h/sub"
	# the mount below HOST is made in a mount namespace of the test's own,
	# in which runb runs too: the host never sees it
	run unshare --mount --propagation private sh -c '
		T=$1 NS=$2 RUNB=$3 CNAME=$4 ROOTFS=$5
		mount -t tmpfs below "$T/h/sub" || exit 2
		echo below > "$T/h/sub/f"
		nsenter --net="/run/netns/$NS" "$RUNB" --net none --volume "$T/h:/ro:ro" --volume "$T/h:/rw" \
			"$CNAME" "$ROOTFS" /bin/sh -c "
			cat /ro/sub/f
			echo x > /ro/sub/f && echo WROTE-RO
			echo rw > /rw/sub/g && echo WROTE-RW
			grep \" /ro/sub \" /proc/self/mountinfo"
		echo "## host: $(cat "$T/h/sub/f") $(cat "$T/h/sub/g")"
		umount "$T/h/sub"' sh "$T" "$NS" "$RUNB" "$CNAME" "$ROOTFS"
	assert_success
	assert_line --index 0 below
	assert_line --partial "can't create /ro/sub/f: Read-only file system"
	refute_line WROTE-RO
	assert_line WROTE-RW
	local opts
	opts=$(mount_opts /ro/sub <<<"$output")
	has_opt "${opts%% *}" ro
	has_opt "${opts%% *}" nosuid
	has_opt "${opts%% *}" nodev
	assert_line "## host: below rw"
}

@test "--volume: the copy is private, a mount made in it inside never propagates to the host (control: a shared peer does)" {
	mkdir -p "$T/h/sub" "$T/peer"
	# HOST is made a shared mount in a mount namespace of the test's own (the
	# "host"): without runb's MS_PRIVATE, its open_tree copy would be a peer
	run unshare --mount --propagation private sh -c '
		T=$1 NS=$2 RUNB=$3 CNAME=$4 ROOTFS=$5
		mount --bind "$T/h" "$T/h" && mount --make-shared "$T/h" || exit 2
		# control: a mount in a peer of the shared mount shows on HOST
		mount --bind "$T/h" "$T/peer" && mount -t tmpfs control "$T/peer/sub" || exit 2
		echo "control: $(grep -c " $T/h/sub " /proc/self/mountinfo)"
		umount "$T/peer/sub" "$T/peer"
		echo "before: $(grep -c " $T/h/sub " /proc/self/mountinfo)"
		nsenter --net="/run/netns/$NS" "$RUNB" --net none --cap-add SYS_ADMIN --volume "$T/h:/data" \
			"$CNAME" "$ROOTFS" /bin/sh -c "mount -t tmpfs inside /data/sub && echo MOUNTED-INSIDE"
		echo "after: $(grep -c " $T/h/sub " /proc/self/mountinfo)"
		umount "$T/h"' sh "$T" "$NS" "$RUNB" "$CNAME" "$ROOTFS"
	assert_success
	assert_line "control: 1"
	assert_line "before: 0"
	assert_line MOUNTED-INSIDE
	assert_line "after: 0"
}

@test "--volume of a file: bound onto an empty file made in ROOTFS; rw writes through, ro refuses" {
	echo conf-from-host > "$T/app.conf"
	echo ro-from-host > "$T/ro.conf"
	rm -f "$ROOTFS/etc/app$BATS_TEST_NUMBER.conf" "$ROOTFS/etc/ro$BATS_TEST_NUMBER.conf"
	run rb --net none --volume "$T/app.conf:/etc/app$BATS_TEST_NUMBER.conf" \
		--volume "$T/ro.conf:/etc/ro$BATS_TEST_NUMBER.conf:ro" "$CNAME" "$ROOTFS" /bin/sh -c '
		n=$1
		cat /etc/app$n.conf /etc/ro$n.conf
		echo written-inside > /etc/app$n.conf && echo WROTE-RW
		echo x > /etc/ro$n.conf && echo WROTE-RO
		true' sh "$BATS_TEST_NUMBER"
	assert_success
	assert_line --index 0 conf-from-host
	assert_line --index 1 ro-from-host
	assert_line WROTE-RW
	assert_line --partial "can't create /etc/ro$BATS_TEST_NUMBER.conf: Read-only file system"
	refute_line WROTE-RO
	[ "$(cat "$T/app.conf")" = written-inside ]
	[ "$(cat "$T/ro.conf")" = ro-from-host ]
	# the mount points: empty regular files in ROOTFS
	[ -f "$ROOTFS/etc/app$BATS_TEST_NUMBER.conf" ] && [ ! -s "$ROOTFS/etc/app$BATS_TEST_NUMBER.conf" ]
	[ -f "$ROOTFS/etc/ro$BATS_TEST_NUMBER.conf" ] && [ ! -s "$ROOTFS/etc/ro$BATS_TEST_NUMBER.conf" ]
	rm -f "$ROOTFS/etc/app$BATS_TEST_NUMBER.conf" "$ROOTFS/etc/ro$BATS_TEST_NUMBER.conf"
}

@test "--volume HOST that is a symlink: followed on the host, as docker; the bind lands inside the container only" {
	mkdir -p "$T/real" "$T/sync"
	echo real > "$T/real/marker"
	ln -s real "$T/link"
	ln -s nowhere "$T/dangling"
	rb_bg --net none --volume "$T/link:/data" --volume "$T/sync:/sync" "$CNAME" "$ROOTFS" /bin/sh -c '
		cat /data/marker; echo inside > /data/w; '"$HOLD" > "$T/out" 2>&1
	held_leaks_nothing
	[ "$(cat "$T/out")" = real ]
	[ "$(cat "$T/real/w")" = inside ]
	[ -L "$T/link" ] && [ "$(readlink "$T/link")" = real ]
	# a symlink to nothing: HOST does not exist
	run rb --net none --volume "$T/dangling:/data" "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --volume $T/dangling:/data: HOST $T/dangling does not exist"
}

@test "a CONTAINER path through a symlink in ROOTFS: followed as the container sees it, never out of its root; nothing lands on the host" {
	local n=$BATS_TEST_NUMBER out=$T/outside first
	first=$(cut -d/ -f1-3 <<<"$T")  # e.g. /tmp/bats-run-XXXX: what runb may make inside ROOTFS
	mkdir -p "$T/h" "$out"
	echo outside-file > "$out/file"
	echo from-host > "$T/h.conf"
	echo in-root > "$ROOTFS/etc/real$n"
	# links planted in ROOTFS: to the test's own host dir (absolute, and climbing with ..),
	# to a file inside the root, and merged-/usr's kind (/var/run -> /run)
	ln -s "$out" "$ROOTFS/ldir$n"
	ln -s "../../../../../../../../..$out" "$ROOTFS/lrel$n"
	ln -s "/etc/real$n" "$ROOTFS/etc/lfile$n"
	mkdir -p "$ROOTFS/v$n" "$ROOTFS/run"
	ln -s /run "$ROOTFS/v$n/run"
	run rb --net none --volume "$T/h:/ldir$n/x" --volume "$T/h:/lrel$n/y" --tmpfs "/v$n/run/t$n" \
		--volume "$T/h.conf:/etc/lfile$n" "$CNAME" "$ROOTFS" /bin/sh -c \
		"echo RAN; grep -c ' $out/[xy] ' /proc/self/mountinfo; grep -c ' /run/t$n ' /proc/self/mountinfo; cat /etc/real$n"
	assert_success
	assert_output "$(printf 'RAN\n2\n1\nfrom-host')"
	# from the host: the links' host target has only the test's own file, unchanged;
	# the mount points were made inside ROOTFS, where the links lead in the container
	[ "$(ls -A "$out")" = file ]
	[ "$(cat "$out/file")" = outside-file ]
	[ -d "$ROOTFS$out/x" ] && [ -d "$ROOTFS$out/y" ] && [ -d "$ROOTFS/run/t$n" ]
	[ "$(cat "$ROOTFS/etc/real$n")" = in-root ]
	[ -L "$ROOTFS/ldir$n" ] && [ -L "$ROOTFS/lrel$n" ] && [ -L "$ROOTFS/etc/lfile$n" ]
	rm -rf "${ROOTFS:?}/ldir$n" "$ROOTFS/lrel$n" "$ROOTFS/etc/lfile$n" "$ROOTFS/etc/real$n" \
		"$ROOTFS/v$n" "$ROOTFS/run/t$n" "$ROOTFS$first"
}

# Docker: a user mount at /etc/hosts, /etc/hostname or /etc/resolv.conf takes
# the place of the generated file (HasMountFor in docker's NetworkMounts).
@test "--volume onto /etc/hosts: the container sees the user's file, not runb's generated one (as docker)" {
	printf '10.9.8.7\tmine\n' > "$T/hosts"
	run rb --net none --volume "$T/hosts:/etc/hosts" "$CNAME" "$ROOTFS" cat /etc/hosts
	assert_success
	assert_output "$(printf '10.9.8.7\tmine')"
}

# ---------------------------------------------------------------------------
# --tmpfs
# ---------------------------------------------------------------------------

@test "--tmpfs: a fresh nosuid,nodev tmpfs with size= and mode=; nothing reaches ROOTFS" {
	local n=$BATS_TEST_NUMBER
	run rb --net none -v --tmpfs "/scratch$n:size=1m,mode=0750" "$CNAME" "$ROOTFS" /bin/sh -c '
		d=/scratch$1
		stat -c "mode %a" $d
		grep " $d " /proc/self/mountinfo
		echo hi > $d/f && cat $d/f
		dd if=/dev/zero of=$d/big bs=64k count=32 2>&1 | grep -o "No space left on device"
		true' sh "$n"
	assert_success
	assert_line --partial "[runb] mount -t tmpfs -> mount(\"tmpfs\", \"/scratch$n\", \"tmpfs\", \"nosuid,nodev,size=1m,mode=0750\")"
	assert_line "mode 750"
	assert_line hi
	assert_line "No space left on device"
	local opts
	opts=$(mount_opts "/scratch$n" <<<"$output")
	read -r per fstype super <<<"$opts"
	has_opt "$per" rw && has_opt "$per" nosuid && has_opt "$per" nodev
	[ "$fstype" = tmpfs ]
	has_opt "$super" size=1024k
	has_opt "$super" mode=750
	# from the host: only the empty mount point
	[ -d "$ROOTFS/scratch$n" ] && [ -z "$(ls -A "$ROOTFS/scratch$n")" ]
	rmdir "$ROOTFS/scratch$n"
}

@test "--volume :rw,nosuid,nodev,noexec and --tmpfs :noexec: the options on the mount; an executable there does not run" {
	local n=$BATS_TEST_NUMBER
	mkdir "$T/h"
	cp "$ROOTFS/bin/busybox" "$T/h/busybox"
	run rb --net none --volume "$T/h:/v$n:rw,nosuid,nodev,noexec" --tmpfs "/t$n:noexec" \
		"$CNAME" "$ROOTFS" /bin/sh -c '
		cat /proc/self/mountinfo
		/v$1/busybox true 2>&1 || echo volume-noexec
		cp /bin/busybox /t$1/busybox && { /t$1/busybox true 2>&1 || echo tmpfs-noexec; }
		echo w > /v$1/written' sh "$n"
	assert_success
	assert_line volume-noexec
	assert_line tmpfs-noexec
	assert_line --partial "/v$n/busybox: Permission denied"
	local per
	read -r per _ <<<"$(mount_opts "/v$n" <<<"$output")"
	has_opt "$per" rw && has_opt "$per" nosuid && has_opt "$per" nodev && has_opt "$per" noexec
	read -r per _ <<<"$(mount_opts "/t$n" <<<"$output")"
	has_opt "$per" noexec && has_opt "$per" nosuid
	[ "$(cat "$T/h/written")" = w ]
	# the control: without the options the same file runs
	run rb --net none --volume "$T/h:/v$n" "$CNAME" "$ROOTFS" "/v$n/busybox" echo runs
	assert_success
	assert_output runs
	rmdir "$ROOTFS/v$n" "$ROOTFS/t$n"
}

@test "--tmpfs :tmpcopyup: what the directory held is copied in (files, dirs, links as links, owners, modes; no FIFO); the tmpfs takes the directory's mode; ROOTFS unchanged" {
	local n=$BATS_TEST_NUMBER d=$ROOTFS/cu$BATS_TEST_NUMBER
	mkdir -p "$d/sub"
	chmod 0751 "$d"
	echo data >"$d/f"
	chown 1:2 "$d/f"
	chmod 0640 "$d/f"
	ln -s /etc/shadow-of-the-host "$d/sub/abs"
	ln -s ../f "$d/sub/rel"
	mkfifo "$d/fifo"
	before=$(tree_sum "$d")
	run rb --net none --read-only --tmpfs "/cu$n:tmpcopyup" "$CNAME" "$ROOTFS" /bin/sh -c '
		cd /cu$1 || exit 2
		stat -c "%n %a %u:%g %F" . f sub sub/abs sub/rel
		readlink sub/abs; cat sub/rel; ls fifo 2>&1
		echo new > g && echo writable
		grep " /cu$1 " /proc/self/mountinfo' sh "$n"
	assert_success
	assert_line ". 751 0:0 directory"
	assert_line "f 640 1:2 regular file"
	assert_line "sub/abs 777 0:0 symbolic link"
	assert_line /etc/shadow-of-the-host
	assert_line data
	assert_line --partial "fifo: No such file or directory"
	assert_line writable
	assert_line --partial " - tmpfs "
	# ROOTFS is as it was: the copy went one way
	[ "$(tree_sum "$d")" = "$before" ]
	rm -rf "$d"
}

@test "--tmpfs :tmpcopyup through a link (/var/run -> /run, as Debian has it): the tmpfs lands on the link's target, filled" {
	own_rootfs
	local n=$BATS_TEST_NUMBER
	mkdir -p "$R/run$n/lock"
	echo pid >"$R/run$n/x.pid"
	mkdir -p "$R/var"
	ln -s "/run$n" "$R/var/run$n"
	run rb --net none --read-only --tmpfs "/var/run$n:tmpcopyup" "$CNAME" "$R" /bin/sh -c '
		cat /run$1/x.pid; ls -d /run$1/lock; echo new > /run$1/y && echo writable
		grep -c " /run$1 " /proc/self/mountinfo' sh "$n"
	assert_success
	assert_output "pid
/run$n/lock
writable
1"
	[ ! -e "$R/run$n/y" ]
}

@test "--tmpfs :tmpcopyup copies nothing of another mount below the directory" {
	local n=$BATS_TEST_NUMBER d=$ROOTFS/cm$BATS_TEST_NUMBER
	mkdir -p "$d/sub"
	echo top >"$d/f"
	mount -t tmpfs "rbt-cm$n" "$d/sub"
	echo below >"$d/sub/g"
	run rb --net none --tmpfs "/cm$n:tmpcopyup" "$CNAME" "$ROOTFS" /bin/sh -c 'cat /cm$1/f; ls -A /cm$1; ls -A /cm$1/sub 2>/dev/null || echo no-sub' sh "$n"
	umount "$d/sub"
	assert_success
	assert_output "top
f
no-sub"
	rm -rf "$d"
}

@test "--tmpfs onto a directory that was not there: tmpfs's own mode 1777, as runc; with tmpcopyup, nothing to copy" {
	local n=$BATS_TEST_NUMBER
	run rb --net none --tmpfs "/new$n:tmpcopyup" "$CNAME" "$ROOTFS" stat -c "%a %h" "/new$n"
	assert_success
	assert_output "1777 2"
	rmdir "$ROOTFS/new$n"
}

@test "--tmpfs /data with --volume X:/data/x: shallowest first, in either order" {
	local n=$BATS_TEST_NUMBER
	mkdir -p "$T/x"
	echo in-x > "$T/x/f"
	local -a first=(--tmpfs "/d$n") second=(--volume "$T/x:/d$n/x")
	for _ in 1 2; do
		run rb --net none "${first[@]}" "${second[@]}" "$CNAME" "$ROOTFS" /bin/sh -c '
			cat /d$1/x/f; echo t > /d$1/on-tmpfs; cat /proc/self/mountinfo' sh "$n"
		assert_success
		assert_line --index 0 in-x
		[ "$(mount_opts "/d$n" <<<"$output" | cut -d" " -f2)" = tmpfs ]
		[ -n "$(mount_opts "/d$n/x" <<<"$output")" ]
		local -a tmp=("${first[@]}")
		first=("${second[@]}") second=("${tmp[@]}")
	done
	# the tmpfs's file never reached ROOTFS, nor the host dir
	[ -z "$(ls -A "$ROOTFS/d$n")" ]
	[ "$(ls -A "$T/x")" = f ]
	rmdir "$ROOTFS/d$n"
}

# ---------------------------------------------------------------------------
# --read-only
# ---------------------------------------------------------------------------

# Writes to /, /etc, /tmp, /dev/shm, /dev, /etc/hosts, a volume and a tmpfs:
# what got written, one word each.
RO_SCRIPT='n=$1
	touch /rofile$n && echo W-ROOT
	echo x > /etc/rofile$n && echo W-ETC
	touch /tmp/rofile$n && echo W-TMP
	echo shm > /dev/shm/f && [ "$(cat /dev/shm/f)" = shm ] && echo W-SHM
	touch /dev/f && echo W-DEV
	echo "10.1.1.1 extra" >> /etc/hosts && echo W-HOSTS
	[ -d /vol ] && touch /vol/f && echo W-VOL
	[ -d /tm ] && touch /tm/f && echo W-TM
	grep -E "^([^ ]+ ){4}/ " /proc/self/mountinfo | cut -d" " -f6 | tr , "\n" | grep -x "r[ow]" | sed s/^/root-/
	mount -o remount,rw / 2>/dev/null && echo REMOUNTED
	rm -f /rofile$n /etc/rofile$n /tmp/rofile$n
	true'

@test "--read-only: / and /etc refuse writes (EROFS); /dev, /dev/shm, /etc/hosts, volumes, tmpfs stay writable; control without" {
	local n=$BATS_TEST_NUMBER
	mkdir -p "$T/vol"
	run rb --net none -v --read-only --volume "$T/vol:/vol" --tmpfs /tm "$CNAME" "$ROOTFS" /bin/sh -c "$RO_SCRIPT" sh "$n"
	assert_success
	assert_line --partial "[runb] docker run --read-only -> mount -o remount,bind,ro /"
	assert_line --partial "/rofile$n: Read-only file system"
	assert_line --partial "can't create /etc/rofile$n: Read-only file system"
	assert_line --partial "/tmp/rofile$n: Read-only file system"
	refute_line W-ROOT
	refute_line W-ETC
	refute_line W-TMP
	refute_line REMOUNTED
	assert_line root-ro
	assert_line W-SHM
	assert_line W-DEV
	assert_line W-HOSTS
	assert_line W-VOL
	assert_line W-TM
	[ -e "$T/vol/f" ]
	[ ! -e "$ROOTFS/rofile$n" ] && [ ! -e "$ROOTFS/etc/rofile$n" ] && [ ! -e "$ROOTFS/tmp/rofile$n" ]
	# control: the same writes without --read-only all succeed
	run rb --net none "$CNAME" "$ROOTFS" /bin/sh -c "$RO_SCRIPT" sh "$n"
	assert_success
	assert_line W-ROOT
	assert_line W-ETC
	assert_line W-TMP
	assert_line root-rw
	rm -rf "$ROOTFS/vol" "$ROOTFS/tm"
}

@test "--read-only --tmpfs /tmp: /tmp is writable, / still is not; --read-only --chroot is refused" {
	run rb --net none --read-only --tmpfs /tmp "$CNAME" "$ROOTFS" /bin/sh -c '
		touch /tmp/f && echo W-TMP
		touch /f && echo W-ROOT
		cat /proc/self/mountinfo'
	assert_success
	assert_line W-TMP
	refute_line W-ROOT
	[ "$(mount_opts /tmp <<<"$output" | cut -d" " -f2)" = tmpfs ]
	has_opt "$(mount_opts / <<<"$output" | cut -d" " -f1)" ro
	[ ! -e "$ROOTFS/tmp/f" ]
	run rb --net none --read-only --chroot "$CNAME" "$ROOTFS" true
	[ "$status" = 125 ]
	assert_output "runb: --read-only needs runb's pivot_root: the --chroot root is no mount to make read-only"
}

# ---------------------------------------------------------------------------
# -w, --workdir
# ---------------------------------------------------------------------------

@test "-w makes and enters the directory; with --user 1000 a directory only root may enter is refused, 125" {
	local n=$BATS_TEST_NUMBER
	rm -rf "$ROOTFS/wd$n"
	run rb --net none -w "/wd$n/sub/dir" "$CNAME" "$ROOTFS" pwd
	assert_success
	assert_output "/wd$n/sub/dir"
	# control: without -w, the command starts in /
	run rb --net none "$CNAME" "$ROOTFS" pwd
	assert_output /
	# from the host: made in ROOTFS, by root, 0755
	[ "$(stat -c '%a %u' "$ROOTFS/wd$n/sub/dir")" = "755 0" ]
	# --user 1000: an open directory (made by runb) is entered ...
	run rb --net none --user 1000 -w "/wd$n/open" "$CNAME" "$ROOTFS" /bin/sh -c 'pwd; id -u'
	assert_success
	assert_output "/wd$n/open
1000"
	# ... one only root may enter is not
	mkdir -m 0700 "$ROOTFS/wd$n/secret"
	run rb --net none --user 1000 -w "/wd$n/secret" "$CNAME" "$ROOTFS" /bin/sh -c 'echo RAN'
	[ "$status" = 125 ]
	assert_output "runb: --workdir: cd /wd$n/secret (as uid 1000): Permission denied"
	# (root enters it)
	run rb --net none -w "/wd$n/secret" "$CNAME" "$ROOTFS" pwd
	assert_output "/wd$n/secret"
	rm -rf "$ROOTFS/wd$n"
}

# ---------------------------------------------------------------------------
# --overlay, --overlay=DIR, and the in-place default
# ---------------------------------------------------------------------------

# In the container: write my name into /etc/who, say so on /sync, wait for
# the other container to have written its own, then read /etc/who back.
WHO_SCRIPT='me=$1 other=$2
	echo "$me" > /etc/who; touch "/etc/only-$me"
	touch "/sync/$me"
	i=0; while [ ! -e "/sync/$other" ]; do i=$((i+1)); [ $i -lt 400 ] || exit 99; sleep 0.05; done
	echo "$me reads $(cat /etc/who)"
	ls /etc | grep "^only-" | tr "\n" " "; echo'

# who_pair ROOTFS [OPTS...]: two containers at once, a and b, on ROOTFS.
who_pair() {
	local r=$1 a b
	shift
	rm -rf "$T/sync"
	mkdir -p "$T/sync"
	nsenter --net="/run/netns/$NS" "$RUNB" --net none "$@" --volume "$T/sync:/sync" \
		"${CNAME}a" "$r" /bin/sh -c "$WHO_SCRIPT" sh a b > "$T/a.out" 2>&1 &
	a=$!
	nsenter --net="/run/netns/$NS" "$RUNB" --net none "$@" --volume "$T/sync:/sync" \
		"${CNAME}b" "$r" /bin/sh -c "$WHO_SCRIPT" sh b a > "$T/b.out" 2>&1 &
	b=$!
	wait "$a" || echo "a: exit $?" >> "$T/a.out"
	wait "$b" || echo "b: exit $?" >> "$T/b.out"
	cat "$T/a.out" "$T/b.out"
}

@test "two --overlay containers on one ROOTFS at once: each sees only its own writes; ROOTFS is byte for byte unchanged" {
	own_rootfs
	local before
	before=$(tree_sum "$R")
	run who_pair "$R" --overlay
	assert_output "a reads a
only-a 
b reads b
only-b "
	[ "$(tree_sum "$R")" = "$before" ]
	[ ! -e "$R/etc/who" ]
}

@test "control: two containers on one ROOTFS in place (no --overlay) see each other's writes, which stay in ROOTFS" {
	own_rootfs
	run who_pair "$R"
	assert_success
	# both wrote before either read: both read the last writer's name
	local last
	last=$(cat "$R/etc/who")
	[[ $last = [ab] ]]
	assert_output "a reads $last
only-a only-b 
b reads $last
only-a only-b "
	[ -e "$R/etc/only-a" ] && [ -e "$R/etc/only-b" ]
}

@test "--overlay leaves ROOTFS unchanged even where runb makes mount points; the in-place default writes them (control)" {
	own_rootfs
	(cd "$R" && rm -rf proc sys dev tmp etc/hosts etc/hostname)
	cp -a "$R" "$T/inplace"
	local before
	before=$(tree_sum "$R")
	mkdir -p "$T/h"
	run rb --net none -v --overlay --volume "$T/h:/vol/h" --tmpfs /tm -w /work "$CNAME" "$R" /bin/sh -c '
		ls -d /proc/1 /sys/kernel /dev/null /etc/hosts /vol/h /tm /work >/dev/null && echo MOUNTS-THERE
		echo x > /etc/new; rm /etc/group; mkdir /newdir; echo w > /work/f; pwd'
	assert_success
	assert_line --partial "[runb] (--overlay) -> mount -t overlay -o lowerdir=$R,upperdir=$(overlay_layers)/upper,workdir=$(overlay_layers)/work overlay $R"
	assert_line MOUNTS-THERE
	assert_line /work
	[ "$(tree_sum "$R")" = "$before" ]
	[ -z "$(ls -A "$T/h")" ]
	# the same run in place writes into ROOTFS: mount points, the files
	run rb --net none --volume "$T/h:/vol/h" --tmpfs /tm -w /work "$CNAME" "$T/inplace" /bin/sh -c '
		echo x > /etc/new; rm /etc/group; mkdir /newdir; echo w > /work/f'
	assert_success
	local p
	for p in proc sys dev etc/hosts etc/hostname vol/h tm work/f etc/new newdir; do
		[ -e "$T/inplace/$p" ] || { echo "$p missing in place"; false; }
	done
	[ ! -e "$T/inplace/etc/group" ]
}

@test "--overlay=DIR: DIR made 0700, the upper layer kept in DIR/upper; the next run (another NAME) sees the changes" {
	own_rootfs
	echo doomed > "$R/etc/doomed"
	local before d=$T/layers
	before=$(tree_sum "$R")
	run rb --net none --overlay="$d" "$CNAME" "$R" /bin/sh -c '
		echo kept > /etc/kept; rm /etc/doomed; echo DONE'
	assert_success
	assert_output DONE
	# from the host: DIR 0700, with upper (holding the write) and work beside it
	[ "$(stat -c %a "$d")" = 700 ]
	[ -d "$d/work" ]
	[ "$(cat "$d/upper/etc/kept")" = kept ]
	[ "$(tree_sum "$R")" = "$before" ]
	# the next run, another name, the same DIR: sees the write and the removal
	run rb --net none --overlay="$d" "${CNAME}x" "$R" /bin/sh -c '
		cat /etc/kept; [ -e /etc/doomed ] || echo NO-DOOMED'
	assert_success
	assert_output "kept
NO-DOOMED"
	# controls: a throwaway --overlay and the in-place default see ROOTFS as it is
	run rb --net none --overlay "$CNAME" "$R" /bin/sh -c 'cat /etc/doomed; [ -e /etc/kept ] || echo NO-KEPT'
	assert_output "doomed
NO-KEPT"
	run rb --net none "$CNAME" "$R" /bin/sh -c 'cat /etc/doomed; [ -e /etc/kept ] || echo NO-KEPT'
	assert_output "doomed
NO-KEPT"
}

@test "--overlay=DIR relative: DIR is the caller's ./DIR, as runb made it, never a DIR inside ROOTFS" {
	own_rootfs
	mkdir -p "$T/cwd" "$R/layers/upper" "$R/layers/work"
	local before
	before=$(tree_sum "$R")
	# runb makes ./layers from the caller's directory ...
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$T/cwd" nsenter --net="/run/netns/$NS" "$RUNB" \
		--net none --overlay=layers "$CNAME" "$R" /bin/sh -c 'echo rel > /etc/rel; echo DONE'
	[ -d "$T/cwd/layers/upper" ]
	# ... and the container's writes land there, not in ROOTFS's own layers/
	assert_success
	assert_output DONE
	[ "$(cat "$T/cwd/layers/upper/etc/rel")" = rel ]
	[ "$(tree_sum "$R")" = "$before" ]
}

@test "--overlay=DIR inside ROOTFS: refused before anything is made (the container would see its own layers)" {
	own_rootfs
	mkdir -p "$R/layers"
	local before d
	before=$(tree_sum "$R")
	# one there already, and one runb would make (and so removes again)
	for d in "$R/layers" "$R/tmp/new-layers"; do
		run rb --net none --overlay="$d" "$CNAME" "$R" true
		[ "$status" = 125 ]
		assert_output "runb: --overlay=$d is inside ROOTFS $R: the container would see its own layers there; choose a DIR outside ROOTFS"
		[ "$(tree_sum "$R")" = "$before" ]
	done
	# the control: DIR beside ROOTFS
	run rb --net none --overlay="$T/layers" "$CNAME" "$R" echo ok
	assert_success
	assert_output ok
}

@test "the in-place default writes into ROOTFS and the next run sees it (the slides; control for --overlay)" {
	own_rootfs
	run rb --net none "$CNAME" "$R" /bin/sh -c 'echo in-place > /etc/left'
	assert_success
	[ "$(cat "$R/etc/left")" = in-place ]
	run rb --net none "${CNAME}x" "$R" cat /etc/left
	assert_output in-place
}

@test "--overlay: no 'ROOTFS is open to other users' warning, which the in-place run on the same open ROOTFS prints" {
	local o
	o=$(mktemp -d /tmp/runb-files-open.XXXXXX)
	chmod 755 "$o"
	cp -a "$ROOTFS" "$o/r"
	chmod 755 "$o/r"
	run rb --net none --overlay "$CNAME" "$o/r" true
	local ov=$status ovout=$output
	run rb --net none --overlay="$T/layers" "$CNAME" "$o/r" true
	local dir=$status dirout=$output
	run rb --net none "$CNAME" "$o/r" true
	rm -rf "$o"
	[ "$ov" = 0 ] && [ -z "$ovout" ]
	[ "$dir" = 0 ] && [ -z "$dirout" ]
	assert_success
	assert_output --regexp "^runb: warning: ROOTFS $o/r is open to other users"
}

# ---------------------------------------------------------------------------
# bad values
# ---------------------------------------------------------------------------

@test "bad values: one line, exit 125, nothing made on the host or in ROOTFS" {
	local n=$BATS_TEST_NUMBER h=$T/h f=$T/file
	mkdir -p "$h"
	touch "$f"
	local -a cases=(
		"--volume $T/missing:/bad$n|runb: --volume $T/missing:/bad$n: HOST $T/missing does not exist"
		"--volume $T/missing:/bad$n --overlay=$T/ovl|runb: --volume $T/missing:/bad$n: HOST $T/missing does not exist"
		"--volume $h:bad$n|runb: invalid --volume '$h:bad$n': the container's path must be absolute, and not /"
		"--volume $h:/|runb: invalid --volume '$h:/': the container's path must be absolute, and not /"
		"--volume $h://|runb: invalid --volume '$h://': the container's path must be absolute, and not /"
		"--volume $h:/bad$n/../etc|runb: invalid --volume '$h:/bad$n/../etc': no . or .. in the container's path"
		"--volume $h:/bad$n/.|runb: invalid --volume '$h:/bad$n/.': no . or .. in the container's path"
		"--volume $h:/proc/bad$n|runb: invalid --volume '$h:/proc/bad$n': nothing is mounted in /proc, whose masks protect the host"
		"--volume $h://sys|runb: invalid --volume '$h://sys': nothing is mounted in /sys, whose masks protect the host"
		"--volume $h:/bad$n:rx|runb: invalid --volume '$h:/bad$n:rx': unknown option 'rx' (ro, rw, nosuid, nodev, noexec)"
		"--volume $h:/bad$n:|runb: invalid --volume '$h:/bad$n:': unknown option '' (ro, rw, nosuid, nodev, noexec)"
		"--volume $h|runb: invalid --volume '$h': expected HOST:CONTAINER[:ro|:rw]"
		"--volume :/bad$n|runb: invalid --volume ':/bad$n': expected HOST:CONTAINER[:ro|:rw]"
		"--tmpfs /bad$n:uid=0|runb: invalid --tmpfs '/bad$n:uid=0': 'uid=0' (expected size=N[k|m|g|%], mode=OCTAL, noexec or tmpcopyup)"
		"--tmpfs /bad$n:size=big|runb: invalid --tmpfs '/bad$n:size=big': 'size=big' (expected size=N[k|m|g|%], mode=OCTAL, noexec or tmpcopyup)"
		"--tmpfs /bad$n:size=1mb|runb: invalid --tmpfs '/bad$n:size=1mb': 'size=1mb' (expected size=N[k|m|g|%], mode=OCTAL, noexec or tmpcopyup)"
		"--tmpfs /bad$n:mode=0999|runb: invalid --tmpfs '/bad$n:mode=0999': 'mode=0999' (expected size=N[k|m|g|%], mode=OCTAL, noexec or tmpcopyup)"
		"--tmpfs /bad$n:size=1m,exec|runb: invalid --tmpfs '/bad$n:size=1m,exec': 'exec' (expected size=N[k|m|g|%], mode=OCTAL, noexec or tmpcopyup)"
		"--tmpfs bad$n|runb: invalid --tmpfs 'bad$n': the container's path must be absolute, and not /"
		"--tmpfs /proc|runb: invalid --tmpfs '/proc': nothing is mounted in /proc, whose masks protect the host"
		"-w bad$n|runb: invalid --workdir 'bad$n': must be absolute"
		"--workdir=bad$n|runb: invalid --workdir 'bad$n': must be absolute"
		"--overlay=|runb: invalid --overlay=: expected --overlay, --overlay=tmpfs or --overlay=DIR"
		"--overlay=$f|runb: --overlay=$f: not a directory"
	)
	local before c
	before=$(tree_sum "$ROOTFS")
	for c in "${cases[@]}"; do
		echo "# ${c%%|*}"
		# shellcheck disable=SC2086 # the case's words
		run rb --net none ${c%%|*} "$CNAME" "$ROOTFS" /bin/sh -c 'echo RAN'
		[ "$status" = 125 ]
		assert_output "${c#*|}"
		[ "${#lines[@]}" = 1 ]
	done
	# nothing made: no mount point in ROOTFS, no --overlay DIR, the host file untouched
	[ "$(tree_sum "$ROOTFS")" = "$before" ]
	[ ! -e "$T/ovl" ]
	[ ! -s "$f" ]
}

@test "--overlay: its layers on disk (/var/lib/runb/.overlay/NAME, gone at the end): 200 MiB written under -m 64m are no OOM; --overlay=tmpfs keeps them in RAM" {
	own_rootfs
	local before
	before=$(tree_sum "$R")
	run rb --net none -v --overlay "$CNAME" "$R" /bin/sh -c 'echo x > /f; cat /f'
	assert_success
	assert_line x
	assert_line --partial "upperdir=$(overlay_layers)/upper"
	[ ! -e "/var/lib/runb/.overlay/$CNAME" ]
	[ "$(tree_sum "$R")" = "$before" ]
	if [ "$(overlay_layers)" = "(a tmpfs)" ]; then
		note "/var/lib/runb is on an overlayfs here (a root in RAM): the layers go to a tmpfs, and the 200 MiB under -m 64m is not tried"
	else
		run rb --net none --overlay -m 64m "$CNAME" "$R" /bin/sh -c \
			'dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null; ls -l /big | awk "{ print \$5 }"'
		assert_success
		assert_output 209715200
	fi
	# --overlay=tmpfs: the layers in RAM, counted against -m: the same writes are OOM-killed
	run rb --net none -v --overlay=tmpfs "$CNAME" "$R" /bin/sh -c 'echo x > /f; cat /f'
	assert_line --partial "upperdir=(a tmpfs)/upper"
	run rb --net none --overlay=tmpfs -m 64m "$CNAME" "$R" /bin/sh -c 'dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null'
	[ "$status" = 137 ]
	[ "$(tree_sum "$R")" = "$before" ]
}

@test "a mount target led by a link onto a kernel file system or into /dev: refused (/proc, /sys, /dev/pts stay as runb made them)" {
	own_rootfs
	local n=$BATS_TEST_NUMBER
	ln -s /proc/sys "$R/psys$n"
	ln -s /dev/pts "$R/pts$n"
	ln -s /dev "$R/dev$n"
	ln -s /proc "$R/proc$n"
	run rb --net none --tmpfs "/psys$n" "$CNAME" "$R" true
	[ "$status" = 125 ]
	assert_output "runb: /psys$n leads to a kernel file system (/proc, /sys, /dev/pts ...): runb mounts nothing there"
	run rb --net none --tmpfs "/pts$n" "$CNAME" "$R" true
	[ "$status" = 125 ]
	run rb --net none --volume "$T:/proc$n" "$CNAME" "$R" true
	[ "$status" = 125 ]
	run rb --net none --tmpfs "/dev$n/x" "$CNAME" "$R" true
	[ "$status" = 125 ]
	assert_output "runb: /dev$n/x leads into /dev through a link: runb mounts there only on a path that says so"
	# onto the container's root itself
	ln -s / "$R/root$n"
	run rb --net none --tmpfs "/root$n:tmpcopyup" "$CNAME" "$R" true
	[ "$status" = 125 ]
	assert_output "runb: /root$n leads to the container's root: runb mounts nothing over it"
	# onto what runb mounted over /proc or /sys: a mask, v1's /sys/fs/cgroup (tmpfs, all)
	ln -s /sys/firmware "$R/fw$n"
	ln -s /proc/acpi "$R/acpi$n"
	ln -s /sys/fs/cgroup "$R/cg$n"
	for l in "fw$n" "acpi$n" "cg$n"; do
		run rb --net none --tmpfs "/$l" "$CNAME" "$R" true
		[ "$status" = 125 ]
		assert_output "runb: /$l leads to a kernel file system (/proc, /sys, /dev/pts ...): runb mounts nothing there"
	done
	# the control: a path that says /dev is taken as it is
	run rb --net none --tmpfs /dev/x "$CNAME" "$R" sh -c 'grep -c " /dev/x " /proc/self/mountinfo'
	assert_success
	assert_output 1
}

@test "--overlay: a tree deeper than PATH_MAX the container leaves in its layer is removed all the same" {
	own_rootfs
	run rb --net none --overlay "$CNAME" "$R" sh -c 'cd /tmp; n=$(printf "d%.0s" $(seq 105)); for i in $(seq 45); do mkdir $n && cd $n 2>/dev/null || break; done; ln -s / lnk; mkfifo ff; pwd | wc -c'
	assert_success
	[ "$output" -gt 4000 ]
	[ ! -e "/var/lib/runb/.overlay/$CNAME" ]
}
