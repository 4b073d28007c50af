# runb — build, test, install.   make && sudo ./runb demo rootfs ; sudo make test
CC      ?= cc
CFLAGS  ?= -O2
WFLAGS  := -std=gnu11 -Wall -Wextra -Werror
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
BATS    ?= bats

# Static helpers the tests run inside the busybox container.
HELPERS := test/escape test/openpty test/sysc

.PHONY: all test test-vm bench install uninstall clean

all: runb rootfs/bin/busybox

runb: runb.c
	$(CC) $(WFLAGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ runb.c

# The demo and test root file system: busybox-static and its applets.
rootfs/bin/busybox: scripts/setup_filesystem.sh
	scripts/setup_filesystem.sh rootfs busybox

test/%: test/%.c
	$(CC) -static $(WFLAGS) -O2 -o $@ $<

test: all $(HELPERS)
	$(BATS) test/

# The same suite in a throwaway QEMU VM booted with cgroup v2 only.
test-vm: all $(HELPERS)
	scripts/vmtest.sh $(BATS) test/

bench: all
	scripts/bench.sh

install: runb
	install -D -m 0755 runb $(DESTDIR)$(BINDIR)/runb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/runb

clean:
	rm -f runb $(HELPERS)
	rm -rf rootfs
