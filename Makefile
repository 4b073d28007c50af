# runb — build, test, install.   sudo make demo ; sudo make test ; sudo make test-fresh
CC      ?= cc
CFLAGS  ?= -O2
WFLAGS  := -std=gnu11 -Wall -Wextra -Werror
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
BATS    ?= bats

# Static helpers the tests run inside the busybox container (and euid, setuid).
HELPERS := test/escape test/openpty test/sysc test/euid test/resolve test/reap

.PHONY: all demo test test-deps test-vm test-fresh bench install uninstall clean

all: runb rootfs/bin/busybox

runb: runb.c
	$(CC) $(WFLAGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ runb.c

# The demo and test root file system: busybox-static and its applets. Mode
# 0700: what a container leaves in it (a setuid binary, a device node) is
# out of other host users' reach.
rootfs/bin/busybox: scripts/setup_filesystem.sh
	scripts/setup_filesystem.sh rootfs busybox
	chmod 0700 rootfs

# The quick start: a shell in the container "demo", on rootfs/.
demo: all
	./runb demo rootfs

test/%: test/%.c
	$(CC) -static $(WFLAGS) -O2 -o $@ $<

# What the suite needs, installed when missing: see scripts/test-deps.sh.
test-deps:
	@scripts/test-deps.sh

test: test-deps
	$(MAKE) --no-print-directory all $(HELPERS)
	$(BATS) test/

# The same suite in a throwaway QEMU VM booted with cgroup v2 only.
test-vm: test-deps
	$(MAKE) --no-print-directory all $(HELPERS)
	scripts/vmtest.sh $(BATS) test/

# The README's quick start, as written, on a freshly debootstrapped Debian.
test-fresh:
	scripts/freshtest.sh

bench: all
	scripts/bench.sh

install: runb
	install -D -m 0755 runb $(DESTDIR)$(BINDIR)/runb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/runb

clean:
	rm -f runb $(HELPERS)
	rm -rf rootfs
