/* ptyrun: a terminal driver for the tests. It makes a pty pair of a given size, runs
 * COMMAND on the slave as its controlling terminal (setsid, TIOCSCTTY, the slave as
 * stdin, stdout and stderr), plays STEPs on the master as a user at that terminal would,
 * and prints what the terminal showed.
 *
 * usage: ptyrun [-r ROWS] [-c COLS] [-t SECONDS] [-R] [STEP...] -- COMMAND [ARG...]
 *
 *   -r, -c   the terminal's size (default 24 x 80)
 *   -t       how long an expect, a wait, or COMMAND's end may take (default 20 s)
 *   -R       print the transcript raw (by default every \r is left out)
 *
 * Each STEP is one argument, a word and its text:
 *   send TEXT      type TEXT; escapes \r \n \t \e \\ \xHH (\x03 is ^C, \x1a ^Z, \x04 ^D)
 *   expect TEXT    wait until TEXT (same escapes) shows, after what the last expect matched
 *   resize R C     TIOCSWINSZ on the master: the terminal now has R rows and C columns
 *   sleep MS       wait MS milliseconds (reading the output meanwhile)
 *   modes          note the terminal's modes now (icanon, echo, isig: on or off)
 *   kill SIG       send signal number SIG to COMMAND (its process, not its group)
 *   wait           wait until COMMAND has ended
 *
 * After the steps ptyrun waits for COMMAND to end (up to -t seconds; then SIGHUP, SIGTERM
 * twice, SIGKILL to its process group, in that order, a few seconds apart), and prints:
 *   the transcript (all COMMAND wrote to the terminal), then a line "--- ptyrun", then
 *   "ptyrun: modes ..." for each modes step,
 *   "ptyrun: status N" (COMMAND's exit status, 128+N for signal N),
 *   "ptyrun: termios unchanged", or "ptyrun: termios changed: ..." (the terminal's settings
 *   after COMMAND compared with those before it started; ptyrun keeps a slave descriptor
 *   open to read them).
 * Exit status: 0 when every step succeeded and COMMAND ended by itself, 1 otherwise (the
 * reason is printed as "ptyrun: ..."), 2 for bad usage.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/ptyrun test/ptyrun.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int master = -1;
static char *out;               /* the transcript */
static size_t out_len, out_cap;
static size_t mark;             /* where the next expect starts looking */
static pid_t child;
static int child_status = -1;   /* the shell's $?, -1 while COMMAND runs */
static double timeout_s = 20;
static char notes[4096];        /* "ptyrun: modes ..." lines */
static size_t notes_len;

static void usage(void)
{
	fprintf(stderr, "usage: ptyrun [-r ROWS] [-c COLS] [-t SECONDS] [-R] [STEP...] -- "
		"COMMAND [ARG...]\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* TEXT with its escapes undone, into BUF; returns the length. */
static size_t unescape(const char *s, char *buf, size_t cap)
{
	size_t n = 0;

	while (*s && n < cap) {
		char c = *s++;

		if (c == '\\' && *s) {
			c = *s++;
			switch (c) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'e': c = 033; break;
			case 'x': {
				char hex[3] = { 0 };

				for (int i = 0; i < 2 && *s && strchr("0123456789abcdefABCDEF", *s); i++)
					hex[i] = *s++;
				if (!hex[0]) {
					fprintf(stderr, "ptyrun: \\x without hex digits\n");
					exit(2);
				}
				c = (char)strtol(hex, NULL, 16);
				break;
			}
			default: break;  /* \\ and any other: the character itself */
			}
		}
		buf[n++] = c;
	}
	return n;
}

/* Has COMMAND ended? Reap it if so. */
static bool child_ended(void)
{
	int ws;

	if (child_status >= 0)
		return true;
	if (waitpid(child, &ws, WNOHANG) == child) {
		child_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		return true;
	}
	return false;
}

/* Read what the master holds, waiting up to MS milliseconds for the first byte. */
static void pump(int ms)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&p, 1, ms) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			return;  /* EAGAIN (nothing more), or EIO (no slave left) */
		if (out_len + n + 1 > out_cap) {
			out_cap = (out_len + n + 1) * 2;
			out = realloc(out, out_cap);
			if (!out) {
				perror("ptyrun: realloc");
				exit(2);
			}
		}
		memcpy(out + out_len, buf, n);
		out_len += n;
		out[out_len] = '\0';
	}
}

/* Is NEEDLE in the transcript after MARK? Then MARK moves past it. */
static bool seen(const char *needle, size_t n)
{
	char *hit;

	if (out_len < mark + n)
		return false;
	hit = memmem(out + mark, out_len - mark, needle, n);
	if (hit)
		mark = hit - out + n;
	return hit != NULL;
}

static bool step_expect(const char *text)
{
	char needle[1024];
	size_t n = unescape(text, needle, sizeof(needle));
	double end = now() + timeout_s;

	while (!seen(needle, n)) {
		if (child_ended()) {
			pump(0);
			if (seen(needle, n))
				return true;
			fprintf(stderr, "ptyrun: expect '%s': COMMAND ended without it\n", text);
			return false;
		}
		if (now() >= end) {
			fprintf(stderr, "ptyrun: expect '%s': not seen within %g s\n", text, timeout_s);
			return false;
		}
		pump(50);
	}
	return true;
}

static bool step_wait(void)
{
	double end = now() + timeout_s;

	while (!child_ended()) {
		if (now() >= end) {
			fprintf(stderr, "ptyrun: wait: COMMAND still runs after %g s\n", timeout_s);
			return false;
		}
		pump(50);
	}
	pump(0);
	return true;
}

static void step_modes(int slave)
{
	struct termios t;

	if (tcgetattr(slave, &t) < 0) {
		perror("ptyrun: tcgetattr");
		exit(2);
	}
	notes_len += snprintf(notes + notes_len, sizeof(notes) - notes_len,
			      "ptyrun: modes icanon %s, echo %s, isig %s\n",
			      t.c_lflag & ICANON ? "on" : "off", t.c_lflag & ECHO ? "on" : "off",
			      t.c_lflag & ISIG ? "on" : "off");
}

/* Run one step; false when it failed. */
static bool step(const char *arg, int slave)
{
	const char *sp = strchr(arg, ' ');
	size_t wl = sp ? (size_t)(sp - arg) : strlen(arg);
	const char *text = sp ? sp + 1 : "";

	if (wl == 4 && strncmp(arg, "send", 4) == 0) {
		char buf[4096];
		size_t n = unescape(text, buf, sizeof(buf)), off = 0;

		while (off < n) {
			ssize_t w = write(master, buf + off, n - off);

			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				perror("ptyrun: send");
				return false;
			}
			if (w > 0)
				off += w;
			pump(w > 0 ? 0 : 10);
		}
		return true;
	}
	if (wl == 6 && strncmp(arg, "expect", 6) == 0)
		return step_expect(text);
	if (wl == 6 && strncmp(arg, "resize", 6) == 0) {
		struct winsize ws = { 0 };
		unsigned r, c;

		if (sscanf(text, "%u %u", &r, &c) != 2)
			usage();
		ws.ws_row = r;
		ws.ws_col = c;
		if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
			perror("ptyrun: TIOCSWINSZ");
			return false;
		}
		return true;
	}
	if (wl == 5 && strncmp(arg, "sleep", 5) == 0) {
		double end = now() + atoi(text) / 1000.0;

		while (now() < end)
			pump((int)((end - now()) * 1000) + 1);
		return true;
	}
	if (wl == 5 && strncmp(arg, "modes", 5) == 0) {
		step_modes(slave);
		return true;
	}
	if (wl == 4 && strncmp(arg, "wait", 4) == 0)
		return step_wait();
	if (wl == 4 && strncmp(arg, "kill", 4) == 0) {
		if (kill(child, atoi(text)) < 0) {
			perror("ptyrun: kill");
			return false;
		}
		return true;
	}
	fprintf(stderr, "ptyrun: unknown step '%s'\n", arg);
	usage();
	return false;
}

/* COMMAND did not end by itself: ask, then insist. Returns when it has ended. */
static void stop_child(void)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGTERM, SIGKILL };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]) && !child_ended(); i++) {
		double end = now() + 3;

		fprintf(stderr, "ptyrun: sending %s to COMMAND\n", strsignal(sigs[i]));
		kill(-child, sigs[i]);
		while (!child_ended() && now() < end)
			pump(50);
	}
	while (!child_ended())
		pump(50);
}

/* The settings that make a terminal's behaviour, compared; the differences into BUF. */
static bool termios_same(const struct termios *a, const struct termios *b, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
#define CMP(f) if (a->f != b->f) n += snprintf(buf + n, cap - n, " " #f " %#lo -> %#lo", \
						 (unsigned long)a->f, (unsigned long)b->f)
	CMP(c_iflag);
	CMP(c_oflag);
	CMP(c_cflag);
	CMP(c_lflag);
#undef CMP
	for (int i = 0; i < NCCS && n < cap; i++)
		if (a->c_cc[i] != b->c_cc[i])
			n += snprintf(buf + n, cap - n, " c_cc[%d] %u -> %u", i, a->c_cc[i], b->c_cc[i]);
	if (cfgetispeed(a) != cfgetispeed(b) || cfgetospeed(a) != cfgetospeed(b))
		n += snprintf(buf + n, cap - n, " speed");
	return n == 0;
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct termios before, after;
	bool raw = false, ok = true;
	int opt, slave, first_step, dashdash = -1;
	char *pts, diff[1024];

	while ((opt = getopt(argc, argv, "+r:c:t:R")) != -1) {
		switch (opt) {
		case 'r': ws.ws_row = atoi(optarg); break;
		case 'c': ws.ws_col = atoi(optarg); break;
		case 't': timeout_s = atof(optarg); break;
		case 'R': raw = true; break;
		default: usage();
		}
	}
	first_step = optind;
	if (optind > 1 && strcmp(argv[optind - 1], "--") == 0)
		dashdash = optind - 1;  /* getopt took the "--" itself: no steps */
	for (int i = optind; i < argc && dashdash < 0; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	if (dashdash < 0 || dashdash + 1 >= argc || timeout_s <= 0)
		usage();

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || !(pts = ptsname(master))) {
		perror("ptyrun: posix_openpt");
		return 2;
	}
	if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
		perror("ptyrun: TIOCSWINSZ");
		return 2;
	}
	slave = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || tcgetattr(slave, &before) < 0) {
		perror("ptyrun: open the slave");
		return 2;
	}

	child = fork();
	if (child < 0) {
		perror("ptyrun: fork");
		return 2;
	}
	if (child == 0) {
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
			perror("ptyrun: setsid, TIOCSCTTY");
			_exit(126);
		}
		for (int i = 0; i < 3; i++)
			if (dup2(slave, i) < 0)
				_exit(126);
		execvp(argv[dashdash + 1], &argv[dashdash + 1]);
		fprintf(stderr, "ptyrun: exec %s: %s\n", argv[dashdash + 1], strerror(errno));
		_exit(127);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);

	for (int i = first_step; i < dashdash && ok; i++)
		ok = step(argv[i], slave);
	if (ok && !step_wait())
		ok = false;
	if (!child_ended())
		stop_child();
	pump(100);
	if (tcgetattr(slave, &after) < 0) {
		perror("ptyrun: tcgetattr");
		return 2;
	}

	for (size_t i = 0; i < out_len; i++)
		if (raw || out[i] != '\r')
			putchar(out[i]);
	if (out_len && out[out_len - 1] != '\n')
		putchar('\n');
	printf("--- ptyrun\n%.*s", (int)notes_len, notes);
	printf("ptyrun: status %d\n", child_status);
	if (termios_same(&before, &after, diff, sizeof(diff)))
		printf("ptyrun: termios unchanged\n");
	else
		printf("ptyrun: termios changed:%s\n", diff);
	fflush(stdout);
	return ok ? 0 : 1;
}
