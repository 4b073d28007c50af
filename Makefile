# runb — build, test, install.   sudo make demo ; make check ; sudo make test ; sudo make test-fresh
CC      ?= cc
CFLAGS  ?= -O2
WFLAGS  := -std=gnu11 -Wall -Wextra -Werror
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
BATS    ?= bats

# Static helpers the tests run inside the busybox container (and euid, setuid;
# ptyrun and swapper run on the host side).
HELPERS := test/escape test/openpty test/sysc test/scall test/euid test/resolve test/reap test/ptyrun test/swapper test/nodeath test/prober test/holdexe test/udpecho

.PHONY: all demo check check-asan test test-deps test-build test-vm test-fresh bench install uninstall clean

all: runb rootfs/busybox/bin/busybox

# STATIC=1 (the default): linked with glibc's libc.a (libc6-dev ships it: still
# libc only), no dynamic loader at start: measured faster to start and smaller
# in memory (README, Performance). STATIC=0: the usual dynamic binary.
STATIC  ?= 1
ifeq ($(STATIC),1)
LDSTATIC := -static
endif

BUILD := $(CC) $(WFLAGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(LDSTATIC)

runb: runb.c .build-flags
	$(BUILD) -o $@ runb.c

# runb is rebuilt when the command that builds it changes (STATIC=1, CFLAGS=...)
.build-flags: FORCE
	@echo '$(BUILD)' | cmp -s - $@ || echo '$(BUILD)' > $@

FORCE:

# The demo and test root file system: busybox-static and its applets, in
# rootfs/busybox, mode 0755 (a non-root user in the container can use it),
# inside rootfs/, mode 0700 (what a container leaves in the tree, a setuid
# binary or a device node, is out of other host users' reach; docker keeps its
# trees so). No symlink on the way: runb follows none in ROOTFS's path.
rootfs/busybox/bin/busybox: scripts/setup_filesystem.sh
	@if [ -L rootfs ] || [ -e rootfs/bin ]; then echo ">> an older layout: rm -rf rootfs .rootfs"; rm -rf rootfs .rootfs; fi
	install -d -m 0700 rootfs
	scripts/setup_filesystem.sh rootfs/busybox busybox

# The quick start: a shell in the container "demo", on rootfs, whose writes go
# to an overlay that vanishes with it (rootfs stays as built).
demo: all
	./runb --overlay demo rootfs/busybox

test/%: test/%.c
	$(CC) -static $(WFLAGS) -O2 -o $@ $<

# What the suite needs, installed when missing: see scripts/test-deps.sh.
test-deps:
	@scripts/test-deps.sh

# runb, the test rootfs and the helpers the tests run.
test-build: all $(HELPERS)

test: test-deps
	$(MAKE) --no-print-directory test-build
	$(BATS) test/

# The tier that needs no root: runb's command line (test/cli.bats), run as
# nobody; as root, through setpriv, each runb in a network namespace of its
# own.
check: runb
	@scripts/test-deps.sh check
	$(BATS) test/cli.bats

# runb built with AddressSanitizer and UndefinedBehaviorSanitizer: gcc,
# dynamic (the sanitizers' runtimes are shared libraries), -O1 as ASan's
# documentation advises; no -Werror (the warnings are runb's build's).
ASAN_CC ?= gcc
runb-asan: runb.c
	$(ASAN_CC) -std=gnu11 -Wall -Wextra -fsanitize=address,undefined -fno-omit-frame-pointer \
		-g -O1 -o $@ runb.c

# The test files of the parsers, the state file, run and exec and their
# relays: against runb-asan, where any sanitizer report fails the run
# (scripts/check-asan.sh). About a minute and a half, so that .ci/run stays
# under 25 minutes; core.bats, records.bats, files.bats and tty.bats passed
# under it too (no report) and can be added back: ASAN_TESTS="..." make check-asan.
ASAN_TESTS ?= test/cli.bats test/verbs.bats
check-asan: test-deps
	$(MAKE) --no-print-directory runb-asan rootfs/busybox/bin/busybox $(HELPERS)
	scripts/check-asan.sh runb-asan $(BATS) $(ASAN_TESTS)

# The same suite in throwaway QEMU VMs booted with cgroup v2 only, the test
# files shared out over one VM per host CPU (scripts/vmsuite.sh).
test-vm: test-deps
	$(MAKE) --no-print-directory test-build
	scripts/vmsuite.sh $(BATS)

# The README's quick start, as written, on a freshly debootstrapped Debian.
test-fresh:
	scripts/freshtest.sh

bench: all
	scripts/bench.sh

# runb-oci: runb as an OCI runtime (README, "runb as an OCI runtime"), a link
# by that name, as busybox's applets are.
install: runb
	install -D -m 0755 runb $(DESTDIR)$(BINDIR)/runb
	ln -sf runb $(DESTDIR)$(BINDIR)/runb-oci

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/runb $(DESTDIR)$(BINDIR)/runb-oci

clean:
	rm -f runb runb-asan .build-flags $(HELPERS)
	rm -rf rootfs
