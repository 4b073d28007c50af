/* scall: one system call with the arguments given, from inside a runb container, to
 * test a compiled seccomp profile (runb-oci, config.json's linux.seccomp). Prints 0 when
 * the call succeeded, or its errno as a number.
 *
 * Usage: scall NAME [ARG0 [ARG1 ...]]   (ARGs in C's notation: 5, 0x100000005)
 *
 * NAME is one of calls that ignore their arguments (getpid, getppid, getuid, geteuid,
 * getgid, getegid, gettid, getpgrp, getsid with 0, sched_yield), so any argument the
 * filter lets through does nothing: the seccomp filter sees the six argument
 * registers, the kernel reads none of them.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/scall test/scall.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{ "getpid", SYS_getpid }, { "getppid", SYS_getppid }, { "getuid", SYS_getuid },
	{ "geteuid", SYS_geteuid }, { "getgid", SYS_getgid }, { "getegid", SYS_getegid },
	{ "gettid", SYS_gettid }, { "getpgrp", SYS_getpgrp }, { "getsid", SYS_getsid },
	{ "sched_yield", SYS_sched_yield },
};

int main(int argc, char **argv)
{
	unsigned long long a[6] = { 0 };
	long r;

	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: scall NAME [ARG0 ... ARG5]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		a[i - 2] = strtoull(argv[i], NULL, 0);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (strcmp(argv[1], calls[i].name) != 0)
			continue;
		r = syscall(calls[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		printf("%d\n", r < 0 ? errno : 0);
		return 0;
	}
	fprintf(stderr, "scall: %s: not one of the calls that ignore their arguments\n", argv[1]);
	return 2;
}
