/*
 * reap.c - leave an orphan to PID 1 and count the zombies: "reap" prints
 * "pid P" (its own pid), then "zombies N".
 *
 * As a container's command it forks a child that forks a grandchild and
 * exits; reap waits for the child (its own), so the grandchild is an orphan,
 * reparented to the PID namespace's init. The grandchild exits at once. reap
 * waits for it to exit, then for up to 1 s while it is a zombie, and counts
 * the processes in state Z in /proc.
 * Without --init reap itself is PID 1, inherits the orphan and never reaps
 * it: 1 zombie. With --init runb's init is PID 1 and reaps it: 0.
 * (The pipe reads EOF a moment before the exited grandchild is a zombie, so
 * reap watches the grandchild itself, whose pid the child writes to it.)
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/reap test/reap.c
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The state of process PID ('R', 'S', 'Z', ...), or 0 when it is gone. */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* The processes in state Z, as /proc/PID/stat shows them (the state follows "comm) "). */
static int zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d) {
		perror("opendir /proc");
		exit(2);
	}
	while ((e = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;
		size_t len;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;  /* gone meanwhile */
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			n++;
	}
	closedir(d);
	return n;
}

int main(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int fds[2];
	pid_t child, grandchild = 0;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	if (pipe(fds) < 0) {
		perror("pipe");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		pid_t self = getpid(), gc = fork();

		if (gc < 0)
			_exit(2);
		if (gc == 0) {
			/* an orphan once the child is gone: the kernel reparents it then */
			while (getppid() == self)
				nanosleep(&tick, NULL);
			_exit(0);
		}
		if (write(fds[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	if (waitpid(child, NULL, 0) != child) {
		perror("waitpid");
		return 2;
	}
	if (read(fds[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild) || grandchild <= 0) {
		fprintf(stderr, "reap: no grandchild pid from the child\n");
		return 2;
	}
	/* until it has exited (5 s at most), then while it is a zombie (1 s at most) */
	for (int i = 0; i < 500 && state_of(grandchild) && state_of(grandchild) != 'Z'; i++)
		nanosleep(&tick, NULL);
	for (int i = 0; i < 100 && state_of(grandchild) == 'Z'; i++)
		nanosleep(&tick, NULL);
	printf("zombies %d\n", zombies());
	return 0;
}
