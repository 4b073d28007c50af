#!/usr/bin/env bash
#
# setup_filesystem.sh - build a root filesystem directory for runb.
#
# Usage:
#   scripts/setup_filesystem.sh DIR                      (same as "busybox")
#   scripts/setup_filesystem.sh DIR busybox
#   scripts/setup_filesystem.sh DIR docker IMAGE
#   scripts/setup_filesystem.sh DIR debootstrap SUITE [MIRROR]
#
# Modes:
#   busybox      A tiny rootfs made of Debian/Ubuntu's static busybox
#                (package busybox-static, /bin/busybox) with every applet
#                installed as a symlink to /bin/busybox, plus a minimal
#                /etc/passwd and /etc/group.  There is NO bash in it: use
#                /bin/sh as the container's command.  If the busybox found
#                is dynamically linked, its loader and libraries are copied
#                in as well.  Running it again on the same DIR is harmless:
#                existing files are kept (only bin/busybox is refreshed).
#   docker IMAGE The flattened filesystem of IMAGE ("docker create" +
#                "docker export | tar -x").  The helper container is always
#                removed afterwards.
#   debootstrap SUITE [MIRROR]
#                A minimal Debian/Ubuntu system made by
#                "debootstrap --variant=minbase SUITE DIR [MIRROR]".
#
# The docker and debootstrap modes must be run as root.  Missing tools (busybox-static, debootstrap) are
# installed with apt-get when possible.

set -euo pipefail

PROG=${0##*/}

die() {
    echo "$PROG: error: $*" >&2
    exit 1
}

usage() {
    cat <<EOF
Usage: $PROG DIR [busybox | docker IMAGE | debootstrap SUITE [MIRROR]]
Build a root filesystem for runb in DIR (default mode: busybox).
EOF
}

# Install Debian package $1 (which provides the tool named $2) with apt-get.
apt_install() {
    local pkg=$1 what=$2
    if [ "$(id -u)" -ne 0 ]; then
        die "$what not found: run as root to have it installed (sudo make), or install it first: sudo apt-get install $pkg"
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        die "$what not found and apt-get is unavailable; install the '$pkg' package (or equivalent) first"
    fi
    echo ">> $what not found: installing package $pkg"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg"
}

# Succeeds if the ELF file $1 is dynamically linked (has a program interpreter).
is_dynamic() {
    local f=$1
    if command -v readelf >/dev/null 2>&1; then
        readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter'
    elif command -v file >/dev/null 2>&1; then
        file -L "$f" | grep -q 'dynamically linked'
    else
        # ldd prints "not a dynamic executable" (and fails) for static files.
        ldd "$f" >/dev/null 2>&1
    fi
}

# Copy the dynamic loader and shared libraries that ELF file $1 needs into
# the rootfs $2, at the same absolute paths.
copy_libs() {
    local f=$1 root=$2 lib
    command -v ldd >/dev/null 2>&1 || die "$f is dynamically linked but ldd is unavailable to list its libraries"
    # ldd lines look like:
    #   libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)
    #   /lib64/ld-linux-x86-64.so.2 (0x...)
    #   linux-vdso.so.1 (0x...)            <- virtual, no file
    while read -r lib; do
        [ -n "$lib" ] || continue
        if [ ! -e "$root$lib" ]; then
            echo ">> copying library $lib"
            cp -L --parents "$lib" "$root"
        fi
    done < <(ldd "$f" | awk '
        $2 == "=>" && $3 ~ /^\// { print $3; next }
        $1 ~ /^\//               { print $1 }')
}

setup_busybox() {
    local root=$1 bb="" d applet applets link

    # Prefer Debian's busybox-static at /bin/busybox.
    if [ -x /bin/busybox ]; then
        bb=/bin/busybox
    elif command -v busybox >/dev/null 2>&1; then
        bb=$(command -v busybox)
    else
        apt_install busybox-static busybox
        bb=/bin/busybox
        [ -x "$bb" ] || die "busybox-static installed but /bin/busybox is missing"
    fi
    echo ">> using $bb"

    echo ">> creating directory layout in $root"
    for d in bin sbin usr/bin usr/sbin etc root tmp proc sys dev home var; do
        mkdir -p "$root/$d"
    done
    chmod 0700 "$root/root"
    chmod 1777 "$root/tmp"

    # install(1) unlinks the destination first, so a busy or symlinked
    # bin/busybox is replaced rather than written through.
    install -m 0755 "$bb" "$root/bin/busybox"

    if is_dynamic "$bb"; then
        echo ">> $bb is dynamically linked: copying its libraries"
        copy_libs "$bb" "$root"
    fi

    # Every applet becomes a symlink to /bin/busybox.  The link target is
    # absolute on purpose: it is resolved inside the container's root.
    echo ">> installing applet links"
    applets=$("$bb" --list-full) || die "$bb --list-full failed (is it a full busybox build?)"
    while read -r applet; do
        [ -n "$applet" ] || continue
        link="$root/$applet"
        if [ -e "$link" ] || [ -L "$link" ]; then
            continue    # never overwrite existing files
        fi
        mkdir -p "${link%/*}"
        ln -s /bin/busybox "$link"
    done <<<"$applets"

    if [ ! -e "$root/etc/passwd" ]; then
        cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
        chmod 0644 "$root/etc/passwd"
    fi
    if [ ! -e "$root/etc/group" ]; then
        cat >"$root/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
        chmod 0644 "$root/etc/group"
    fi

    echo ">> busybox rootfs ready in $root (no bash inside: use /bin/sh)"
}

setup_docker() {
    local root=$1 image=$2 cid
    command -v docker >/dev/null 2>&1 || die "docker not found; install docker to use the docker mode"
    command -v tar >/dev/null 2>&1 || die "tar not found"

    mkdir -p "$root"
    echo ">> creating a temporary container from $image"
    # A placeholder command lets images without CMD/ENTRYPOINT be created;
    # the container is never started, so the command need not exist.
    cid=$(docker create "$image" /runb-export-placeholder) || die "docker create $image failed"
    # Always remove the helper container, whatever happens next.
    # shellcheck disable=SC2064  # expand $cid now, on purpose
    trap "docker rm -f '$cid' >/dev/null 2>&1 || true" EXIT

    echo ">> exporting its filesystem into $root"
    # --numeric-owner keeps the image's uids/gids instead of remapping them
    # through the host's /etc/passwd by name.
    docker export "$cid" | tar -x --numeric-owner -p -C "$root" -f -

    echo ">> rootfs from $image ready in $root"
}

setup_debootstrap() {
    local root=$1 suite=$2 mirror=${3:-}
    if ! command -v debootstrap >/dev/null 2>&1; then
        apt_install debootstrap debootstrap
    fi
    mkdir -p "$root"
    echo ">> running debootstrap --variant=minbase $suite $root ${mirror}"
    if [ -n "$mirror" ]; then
        debootstrap --variant=minbase "$suite" "$root" "$mirror"
    else
        debootstrap --variant=minbase "$suite" "$root"
    fi
    echo ">> $suite rootfs ready in $root"
}

main() {
    if [ $# -ge 1 ] && { [ "$1" = "-h" ] || [ "$1" = "--help" ]; }; then
        usage
        exit 0
    fi
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        usage >&2
        die "missing DIR argument"
    fi
    local root=$1 mode=${2:-busybox}
    # busybox needs root only to install busybox-static (apt_install says so);
    # docker export and debootstrap make files owned by many users.
    if [ "$mode" != busybox ] && [ "$(id -u)" -ne 0 ]; then
        die "the $mode mode must be run as root"
    fi
    # Work with an absolute path; strip trailing slashes (keep "/" itself out).
    case $root in
        /*) ;;
        *) root="$PWD/$root" ;;
    esac
    while [ "${#root}" -gt 1 ] && [ "${root%/}" != "$root" ]; do
        root=${root%/}
    done
    [ "$root" != "/" ] || die "refusing to use / as the rootfs directory"
    if [ -e "$root" ] && [ ! -d "$root" ]; then
        die "$root exists and is not a directory"
    fi

    case $mode in
        busybox)
            [ $# -le 2 ] || die "busybox mode takes no further arguments"
            setup_busybox "$root"
            ;;
        docker)
            [ $# -eq 3 ] || die "usage: $PROG DIR docker IMAGE"
            setup_docker "$root" "$3"
            ;;
        debootstrap)
            [ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: $PROG DIR debootstrap SUITE [MIRROR]"
            setup_debootstrap "$root" "$3" "${4:-}"
            ;;
        *)
            usage >&2
            die "unknown mode '$mode' (expected busybox, docker or debootstrap)"
            ;;
    esac
}

main "$@"
