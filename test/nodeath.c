/* nodeath: a container's PID 1 that undoes the death signal runb gave it, the way any
 * command may: prctl(PR_SET_PDEATHSIG, 0), and a credential change (setresuid), which
 * clears it too. It then forks one child and both sleep, so the test can check that
 * runb's watcher, not the death signal, ends the container when runb is killed.
 *
 * usage: nodeath [-k] [-u UID] SECONDS
 *   -k      keep the death signal (the control: the process dies with its parent)
 *   -u UID  also setresuid(UID, UID, UID)
 *
 * Prints "pdeathsig before=N after=M" and "ready child=PID" (PID as nodeath sees it),
 * then sleeps SECONDS (a bound: it never runs on for long, whatever happens), and
 * exits 0. Harmless anywhere: it changes nothing but its own credentials.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/nodeath test/nodeath.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	int keep = 0, before = -1, after = -1, opt;
	long uid = -1;
	double secs;
	pid_t pid;

	while ((opt = getopt(argc, argv, "ku:")) != -1) {
		switch (opt) {
		case 'k': keep = 1; break;
		case 'u': uid = atol(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || (secs = atof(argv[optind])) <= 0)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (prctl(PR_GET_PDEATHSIG, &before) < 0) {
		perror("nodeath: PR_GET_PDEATHSIG");
		return 1;
	}
	if (!keep && prctl(PR_SET_PDEATHSIG, 0) < 0) {
		perror("nodeath: PR_SET_PDEATHSIG");
		return 1;
	}
	if (uid >= 0 && setresuid(uid, uid, uid) < 0) {
		perror("nodeath: setresuid");
		return 1;
	}
	prctl(PR_GET_PDEATHSIG, &after);
	printf("pdeathsig before=%d after=%d\n", before, after);
	pid = fork();
	if (pid < 0) {
		perror("nodeath: fork");
		return 1;
	}
	if (pid == 0) {
		sleep_s(secs);
		_exit(0);
	}
	printf("ready child=%d\n", (int)pid);
	sleep_s(secs);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
usage:
	fprintf(stderr, "usage: nodeath [-k] [-u UID] SECONDS\n");
	return 2;
}
