/* swapper: exchange two names again and again, as fast as it can: a directory and a
 * symlink (renameat2(RENAME_EXCHANGE), atomic: each name always exists). It runs on the
 * host, in the test's own directory, to race runb while it resolves and opens ROOTFS.
 *
 * usage: swapper DIR LINK SECONDS
 *
 * DIR must be a directory and LINK a symlink when it starts. It stops after SECONDS, or
 * at SIGTERM or SIGINT, always with DIR the directory again and LINK the link (an even
 * number of exchanges), and prints "swaps N". Exit status 0, or 1 on an error.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/swapper test/swapper.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int swap(const char *a, const char *b)
{
	if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0) {
		fprintf(stderr, "swapper: renameat2(%s, %s, RENAME_EXCHANGE): %s\n", a, b,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int is(const char *path, mode_t type)
{
	struct stat st;

	return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec t0, t;
	unsigned long long n = 0;
	double secs;

	if (argc != 4 || (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: swapper DIR LINK SECONDS\n");
		return 2;
	}
	if (!is(argv[1], S_IFDIR) || !is(argv[2], S_IFLNK)) {
		fprintf(stderr, "swapper: %s must be a directory and %s a symlink\n", argv[1], argv[2]);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		/* two exchanges a round: DIR is a directory again at the end of each */
		if (swap(argv[1], argv[2]) < 0)
			return 1;
		if (swap(argv[1], argv[2]) < 0)
			return 1;
		n += 2;
		if ((n & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
				break;
		}
	}
	printf("swaps %llu\n", n);
	if (!is(argv[1], S_IFDIR) || !is(argv[2], S_IFLNK)) {
		fprintf(stderr, "swapper: %s and %s did not end as they began\n", argv[1], argv[2]);
		return 1;
	}
	return 0;
}
