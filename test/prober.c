/*
 * prober.c - a hostile process inside a container that keeps trying to get at
 * the container engine's own processes, and reports what it obtained.
 *
 * Usage: prober [-s STOPFILE] [-t SECONDS] [-q]
 *
 *   -s STOPFILE  stop at the start of the first round in which STOPFILE exists
 *   -t SECONDS   stop after SECONDS (default 30)
 *   -q           quiet: suppresses per-round chatter (there is none today)
 *
 * The invariant under test: a runb process that is inside the container's
 * namespaces (so visible in its /proc) holds no descriptor of the host's, is
 * not dumpable, and nothing of the host's can be obtained through
 * /proc/PID/exe, /proc/PID/fd/N, /proc/PID/cwd, /proc/PID/root, /proc/PID/mem
 * or ptrace(2), whatever capabilities the container has. Three runc bugs are
 * the reason for each check:
 *
 *   CVE-2019-5736: a process in the container opened /proc/PID/exe of runc's
 *   process that had joined the container, which was the host's runc binary,
 *   and overwrote it. So the prober opens /proc/PID/exe (read only) and
 *   accepts only a file that is also reachable by its path in the container's
 *   own view, or a memfd sealed against writes.
 *
 *   CVE-2016-9962: runc's init process joined the container while it was
 *   still dumpable and held host descriptors, so a process in the container
 *   could ptrace it and take them. So the prober seizes each process with
 *   ptrace, stops it for a moment and lets it go. Tracing a process that has
 *   no more privileges than the prober has gives nothing; tracing one with a
 *   capability the prober lacks, a weaker seccomp mode, no "no new privs"
 *   where the prober has it, or capabilities in a user namespace that is not
 *   the prober's own nor below it, would. (Capabilities in a user namespace
 *   below the prober's are no gain: any process can make one and have them
 *   all there.)
 *
 *   CVE-2024-21626: runc leaked a descriptor of a host directory into the
 *   container, and a process there reached the host's file system through it
 *   (its cwd, or /proc/PID/fd/N of runc's process). So the prober opens every
 *   /proc/PID/fd/N, /proc/PID/cwd and /proc/PID/root with O_PATH and accepts
 *   only objects the container already has: the file the link's path names in
 *   the prober's own view (same device and inode), a pipe, socket or
 *   anonymous inode, a /dev/null-like device, a pty of the container's own
 *   devpts, one of the prober's own
 *   descriptors or namespaces, or a memfd sealed against writes. A directory
 *   must moreover lead up, through "..", to the prober's own root: a
 *   directory whose top is another root is outside the container.
 *
 * It also opens /proc/PID/mem read only and closes it at once: that is only
 * counted, not judged.
 *
 * Everything it tries would be harmless if it succeeded: it opens files read
 * only or with O_PATH (a pipe or socket is never read from), never writes,
 * never kills, and a ptrace attach is PTRACE_SEIZE, PTRACE_INTERRUPT, a
 * bounded wait for the stop, and PTRACE_DETACH (handing back a signal the
 * target was about to receive). A target that does not stop within ~100 ms is
 * remembered and let go as soon as it stops; at exit the kernel detaches the
 * rest. Processes that vanish midway are just refusals.
 *
 * Each round reads /proc and probes every process but the prober itself
 * (at most MAX_PIDS of them, at most MAX_FDS descriptors each); rounds follow
 * one another with only a sched_yield() between, so that short windows (a
 * runb process that lives for a few milliseconds) are caught.
 *
 * Output (stdout): each distinct violation (by pid and what) once, as
 *   VIOLATION pid=P comm=C what=W detail=D
 * where W is exe, cwd, root, fd:N or ptrace; then one summary line,
 *   prober: rounds=R pids=N runb_seen=K attempts=A successes=S violations=V
 * (pids and runb_seen count distinct pids; runb_seen those whose comm began
 * with "runb", as runb names its processes before the exec). A breakdown per
 * kind of attempt goes to stderr. Exit status: 0 when V is 0, 1 when it is
 * not, 2 on misuse.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/prober test/prober.c
 */
#define _GNU_SOURCE /* O_PATH, F_GET_SEALS, __WALL */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define MAX_PIDS	4096		/* processes probed per round */
#define MAX_FDS		1024		/* descriptors probed per process */
#define MAX_WALK	4096		/* ".." steps to a top directory */
#define MAX_PENDING	64		/* tracees that had not stopped yet */
#define MAX_VIOLATIONS	4096		/* distinct violations remembered */
#define MAX_OWN		512		/* the prober's own objects */
#define PID_LIMIT	(1 << 22)	/* the kernel's largest pid_max */
#define STOP_WAIT_NS	100000000L	/* how long a tracee may take to stop */

#ifndef NS_GET_PARENT
#define NS_GET_PARENT	_IO(0xb7, 0x2)
#endif

enum kind { K_EXE, K_CWD, K_ROOT, K_FDDIR, K_FD, K_MEM, K_PTRACE, K_NR };

static const char *const kind_name[K_NR] = {
	"exe", "cwd", "root", "fddir", "fd", "mem", "ptrace",
};

struct target {
	pid_t pid;
	char comm[64];
};

struct privs {
	unsigned long long eff, prm, bnd;
	int seccomp, nnp;
};

struct id {
	dev_t dev;
	ino_t ino;
};

struct vkey {
	pid_t pid;
	char what[16];
};

static unsigned long long tries[K_NR], oks[K_NR];
static unsigned long long rounds, own_channel, violations;
static unsigned long n_pids, n_runb;
static unsigned char seen[PID_LIMIT / 8], seen_runb[PID_LIMIT / 8];

static struct vkey vseen[MAX_VIOLATIONS];
static int n_vseen;

static pid_t pending[MAX_PENDING];
static int n_pending;

static struct id own[MAX_OWN];
static int n_own;
static struct stat root_st, own_userns;
static struct privs own_privs;
static pid_t self;

/* ---- small helpers ---------------------------------------------------- */

static void now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static long long ns_since(const struct timespec *t0)
{
	struct timespec t;

	now(&t);
	return (t.tv_sec - t0->tv_sec) * 1000000000LL + (t.tv_nsec - t0->tv_nsec);
}

static void nap_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static int same_id(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Read a small file into buf (NUL-terminated): its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * The path of what our descriptor fd refers to, as /proc/self/fd/FD reads
 * (relative to the prober's root; the full path when outside it). Read from
 * our own descriptor, not from the target's link, so that it is the object we
 * hold even if the target has changed its descriptor since.
 */
static int fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Replace what would garble a one-line report (a hostile comm or path). */
static void printable(char *s, int no_space)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || (no_space && *s == ' '))
			*s = '?';
}

static void strip_deleted(char *path)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(path), k = sizeof(suffix) - 1;

	if (n > k && strcmp(path + n - k, suffix) == 0)
		path[n - k] = '\0';
}

static int bit_test_set(unsigned char *map, pid_t pid)
{
	unsigned char m = 1u << (pid & 7);
	int was = map[pid >> 3] & m;

	map[pid >> 3] |= m;
	return was;
}

/* ---- reporting -------------------------------------------------------- */

static void violation(const struct target *t, const char *what, const char *detail)
{
	static int full_told;
	char d[1024];
	int i;

	for (i = 0; i < n_vseen; i++)
		if (vseen[i].pid == t->pid && strcmp(vseen[i].what, what) == 0)
			return;
	violations++;
	if (n_vseen == MAX_VIOLATIONS) {
		if (!full_told++)
			fprintf(stderr, "prober: more than %d violations, printing no more\n",
				MAX_VIOLATIONS);
		return;
	}
	vseen[n_vseen].pid = t->pid;
	snprintf(vseen[n_vseen].what, sizeof(vseen[n_vseen].what), "%s", what);
	n_vseen++;
	snprintf(d, sizeof(d), "%s", detail);
	printable(d, 0);
	printf("VIOLATION pid=%d comm=%s what=%s detail=%s\n", (int)t->pid, t->comm, what, d);
	fflush(stdout);
}

/* ---- privileges ------------------------------------------------------- */

/* The value after "\nNAME" in a /proc/PID/status text, or NULL. */
static const char *status_field(const char *buf, const char *name)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "\n%s", name);
	p = strstr(buf, key);
	return p ? p + strlen(key) : NULL;
}

static int read_privs(const char *path, struct privs *pv)
{
	const char *eff, *prm, *bnd, *sc, *nnp;
	char buf[8192];

	if (read_small(path, buf + 1, sizeof(buf) - 1) <= 0)
		return -1;
	buf[0] = '\n';
	eff = status_field(buf, "CapEff:");
	prm = status_field(buf, "CapPrm:");
	bnd = status_field(buf, "CapBnd:");
	if (!eff || !prm || !bnd)
		return -1;
	pv->eff = strtoull(eff, NULL, 16);
	pv->prm = strtoull(prm, NULL, 16);
	pv->bnd = strtoull(bnd, NULL, 16);
	sc = status_field(buf, "Seccomp:");
	nnp = status_field(buf, "NoNewPrivs:");
	pv->seccomp = sc ? atoi(sc) : 0;
	pv->nnp = nnp ? atoi(nnp) : 0;
	return 0;
}

enum userns { NS_SAME, NS_BELOW, NS_OUTSIDE, NS_UNKNOWN };

/*
 * Where the user namespace of process pid is, from the prober's: its own,
 * below it (a descendant, whose capabilities any process can have by making
 * one), outside it (an ancestor or another branch, where capabilities are
 * worth more than the prober's), or unknown.
 */
static enum userns userns_of(pid_t pid)
{
	char path[64];
	struct stat st;
	int fd, up, i;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NS_UNKNOWN;
	for (i = 0; i < 64; i++) {
		if (fstat(fd, &st) < 0)
			break;
		if (same_id(&st, &own_userns)) {
			close(fd);
			return i ? NS_BELOW : NS_SAME;
		}
		up = ioctl(fd, NS_GET_PARENT);
		if (up < 0) {
			close(fd);
			return errno == EPERM || errno == ENOENT ? NS_OUTSIDE : NS_UNKNOWN;
		}
		close(fd);
		fd = up;
	}
	close(fd);
	return NS_UNKNOWN;
}

/*
 * What a tracer of process t would gain: a capability the prober lacks (in
 * the prober's user namespace, or any capability in one outside it), a weaker
 * seccomp mode, or no "no new privs" where the prober has it.
 */
static void judge_privs(const struct target *t)
{
	static const char *const ns_name[] = { "own", "below-own", "outside-own", "unknown" };
	const struct privs *o = &own_privs;
	char path[64], detail[512];
	enum userns ns;
	struct privs p;
	int more;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->pid);
	if (read_privs(path, &p) < 0)
		return;
	ns = userns_of(t->pid);
	switch (ns) {
	case NS_BELOW:
		more = 0;
		break;
	case NS_OUTSIDE:
		more = (p.eff | p.prm) != 0;
		break;
	default:
		more = (p.eff & ~o->eff) || (p.prm & ~o->prm) || (p.bnd & ~o->bnd);
		break;
	}
	if (!more && p.seccomp >= o->seccomp && p.nnp >= o->nnp)
		return;
	snprintf(detail, sizeof(detail),
		 "CapEff=%016llx CapPrm=%016llx CapBnd=%016llx Seccomp=%d NoNewPrivs=%d userns=%s"
		 " own: CapEff=%016llx CapPrm=%016llx CapBnd=%016llx Seccomp=%d NoNewPrivs=%d",
		 p.eff, p.prm, p.bnd, p.seccomp, p.nnp, ns_name[ns],
		 o->eff, o->prm, o->bnd, o->seccomp, o->nnp);
	violation(t, "ptrace", detail);
}

/* ---- objects ---------------------------------------------------------- */

static void add_own(const struct stat *st)
{
	if (n_own < MAX_OWN) {
		own[n_own].dev = st->st_dev;
		own[n_own].ino = st->st_ino;
		n_own++;
	}
}

/* What the prober itself holds: its descriptors and its namespaces. */
static void collect_own(const char *dir, int skip_fd)
{
	char path[512];
	struct dirent *e;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (skip_fd && atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0)
			add_own(&st);
	}
	closedir(d);
}

static int is_own(const struct stat *st)
{
	int i;

	for (i = 0; i < n_own; i++)
		if (own[i].dev == st->st_dev && own[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int is_channel(const char *link)
{
	return strncmp(link, "pipe:", 5) == 0 || strncmp(link, "socket:", 7) == 0 ||
	       strncmp(link, "anon_inode:", 11) == 0;
}

/* /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom: alike everywhere. */
static int is_null_like(const struct stat *st)
{
	unsigned int mi = minor(st->st_rdev);

	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 &&
	       (mi == 3 || mi == 5 || mi == 7 || mi == 8 || mi == 9);
}

/* A pty of the container's own devpts instance (its /dev/pts): the same number can
 * name another pty elsewhere, so the instance is told by its file system's device. */
static dev_t own_devpts;
static int is_own_pty(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && own_devpts && st->st_dev == own_devpts;
}

static int sealed_against_writes(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & F_SEAL_WRITE);
}

/* A memfd sealed against writes, through an O_PATH descriptor of it. */
static int sealed_memfd_path(int pfd, const char *link, const struct stat *st)
{
	char path[64];
	int fd, ok;

	if (strncmp(link, "/memfd:", 7) != 0 || !S_ISREG(st->st_mode))
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = sealed_against_writes(fd);
	close(fd);
	return ok;
}

/* Is st the object that path names in the prober's own view? */
static int reachable_as(const struct stat *st, const char *link)
{
	char path[4096];
	struct stat pst;

	snprintf(path, sizeof(path), "%s", link);
	strip_deleted(path);
	return path[0] == '/' && stat(path, &pst) == 0 && same_id(st, &pst);
}

/*
 * Walk ".." up from directory fd to a directory that is its own parent. 1 when
 * that top is the prober's own root, 0 when it is another (fd is outside the
 * container), -1 when the walk could not be finished.
 */
static int top_is_own_root(int fd)
{
	struct stat cur_st, up_st;
	int cur, up, i;

	cur = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return -1;
	if (fstat(cur, &cur_st) < 0)
		goto unknown;
	for (i = 0; i < MAX_WALK; i++) {
		up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0)
			goto unknown;
		close(cur);
		cur = up;
		if (fstat(cur, &up_st) < 0)
			goto unknown;
		if (same_id(&up_st, &cur_st)) {
			close(cur);
			return same_id(&up_st, &root_st);
		}
		cur_st = up_st;
	}
unknown:
	close(cur);
	return -1;
}

/* Judge an object the prober got hold of through a link of a target's. */
static void judge_object(const struct target *t, const char *what, int fd,
			 const struct stat *st, const char *link)
{
	char detail[4200];

	if (is_channel(link) || is_null_like(st) || is_own_pty(st) || is_own(st)) {
		own_channel++;
		return;
	}
	if (sealed_memfd_path(fd, link, st))
		return;
	if (!reachable_as(st, link)) {
		violation(t, what, link);
		return;
	}
	if (S_ISDIR(st->st_mode) && top_is_own_root(fd) == 0) {
		snprintf(detail, sizeof(detail), "%s (a directory outside the root)", link);
		violation(t, what, detail);
	}
}

/* ---- the attempts ----------------------------------------------------- */

static void probe_exe(const struct target *t)
{
	char path[64], link[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
	tries[K_EXE]++;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	oks[K_EXE]++;
	if (fstat(fd, &st) == 0 && fd_path(fd, link, sizeof(link)) == 0 &&
	    !reachable_as(&st, link) && !sealed_against_writes(fd))
		violation(t, "exe", link);
	close(fd);
}

/* open(path, O_PATH) of a magic link (cwd, root, fd/N) and judge the object. */
static void probe_link(const struct target *t, enum kind k, const char *path,
		       const char *what)
{
	char link[4096];
	struct stat st;
	int fd;

	tries[k]++;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	oks[k]++;
	if (fstat(fd, &st) == 0 && fd_path(fd, link, sizeof(link)) == 0)
		judge_object(t, what, fd, &st, link);
	close(fd);
}

static void probe_fds(const struct target *t)
{
	char dir[64], path[128], what[16];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)t->pid);
	tries[K_FDDIR]++;
	d = opendir(dir);
	if (!d)
		return;
	oks[K_FDDIR]++;
	while (n < MAX_FDS && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]) || strlen(e->d_name) > 10)
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(what, sizeof(what), "fd:%s", e->d_name);
		probe_link(t, K_FD, path, what);
	}
	closedir(d);
}

static void probe_dirs(const struct target *t)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)t->pid);
	probe_link(t, K_CWD, path, "cwd");
	snprintf(path, sizeof(path), "/proc/%d/root", (int)t->pid);
	probe_link(t, K_ROOT, path, "root");
}

static void probe_mem(const struct target *t)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->pid);
	tries[K_MEM]++;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	oks[K_MEM]++;
	close(fd);
}

/*
 * Let a stopped tracee go. A signal-delivery-stop (event 0) is a signal the
 * tracee was about to receive: hand it back rather than swallow it.
 */
static int detach(pid_t pid, int status)
{
	long sig = 0;

	if (WIFSTOPPED(status) && (status >> 16) == 0)
		sig = WSTOPSIG(status);
	return ptrace(PTRACE_DETACH, pid, NULL, (void *)sig) == 0 || errno != ESRCH ? 0 : -1;
}

static void pending_add(pid_t pid)
{
	if (n_pending < MAX_PENDING)
		pending[n_pending++] = pid;
}

/*
 * Let go every tracee that has stopped since; forget those that are gone. One
 * that is still running (stuck in the kernel) stays until it stops.
 */
static void service_pending(void)
{
	int i = 0, status;
	pid_t w;

	while (i < n_pending) {
		w = waitpid(pending[i], &status, WNOHANG | __WALL);
		if (w == 0 || (w < 0 && errno == EINTR) ||
		    (w > 0 && WIFSTOPPED(status) && detach(w, status) < 0)) {
			i++;
			continue;
		}
		pending[i] = pending[--n_pending];
	}
}

/* Wait up to STOP_WAIT_NS for tracee pid to stop: 1 stopped, 0 not yet, -1 gone. */
static int wait_stop(pid_t pid, int *status)
{
	struct timespec t0;
	pid_t w;

	now(&t0);
	for (;;) {
		w = waitpid(pid, status, WNOHANG | __WALL);
		if (w == pid)
			return WIFSTOPPED(*status) ? 1 : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (ns_since(&t0) > STOP_WAIT_NS)
			return 0;
		nap_us(200);
	}
}

static void probe_ptrace(const struct target *t)
{
	int status, r;

	if (n_pending == MAX_PENDING)
		return;		/* no room to remember one that will not stop */
	tries[K_PTRACE]++;
	if (ptrace(PTRACE_SEIZE, t->pid, NULL, NULL) < 0)
		return;
	oks[K_PTRACE]++;
	if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL) < 0) {
		pending_add(t->pid);	/* going away: wait collects it */
		return;
	}
	r = wait_stop(t->pid, &status);
	judge_privs(t);
	if (r == 0 || (r == 1 && detach(t->pid, status) < 0))
		pending_add(t->pid);
}

/* ---- rounds ----------------------------------------------------------- */

static void read_comm(struct target *t)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->pid);
	n = read_small(path, t->comm, sizeof(t->comm));
	if (n <= 0) {
		strcpy(t->comm, "?");
		return;
	}
	if (t->comm[n - 1] == '\n')
		t->comm[n - 1] = '\0';
	printable(t->comm, 1);
}

static void probe_pid(pid_t pid)
{
	struct target t = { .pid = pid };

	read_comm(&t);
	if (!bit_test_set(seen, pid))
		n_pids++;
	if (strncmp(t.comm, "runb", 4) == 0 && !bit_test_set(seen_runb, pid))
		n_runb++;
	probe_exe(&t);
	probe_fds(&t);
	probe_dirs(&t);
	probe_mem(&t);
	probe_ptrace(&t);
}

static void round_once(const struct timespec *t0, long long limit_ns)
{
	struct dirent *e;
	int n = 0;
	char *end;
	long pid;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return;
	while (n < MAX_PIDS && (e = readdir(d))) {
		pid = strtol(e->d_name, &end, 10);
		if (!isdigit((unsigned char)e->d_name[0]) || *end || pid <= 0 ||
		    pid >= PID_LIMIT || pid == self)
			continue;
		n++;
		probe_pid((pid_t)pid);
		service_pending();
		if (ns_since(t0) > limit_ns)
			break;
	}
	closedir(d);
}

/* At the end: give the tracees that have not stopped yet a moment more. */
static void drain_pending(void)
{
	int i;

	for (i = 0; n_pending && i < 500; i++) {
		service_pending();
		nap_us(1000);
	}
}

static int setup(void)
{
	char path[64];

	self = getpid();
	{
		struct stat pts;

		if (stat("/dev/pts/ptmx", &pts) == 0)
			own_devpts = pts.st_dev;
	}
	if (stat("/", &root_st) < 0) {
		perror("prober: stat /");
		return -1;
	}
	if (read_privs("/proc/self/status", &own_privs) < 0) {
		fprintf(stderr, "prober: cannot read /proc/self/status\n");
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)self);
	if (stat(path, &own_userns) < 0)
		memset(&own_userns, 0, sizeof(own_userns));
	collect_own("/proc/self/fd", 1);
	collect_own("/proc/self/ns", 0);
	return 0;
}

static void summary(void)
{
	unsigned long long a = 0, s = 0;
	int k;

	for (k = 0; k < K_NR; k++) {
		a += tries[k];
		s += oks[k];
	}
	printf("prober: rounds=%llu pids=%lu runb_seen=%lu attempts=%llu successes=%llu violations=%llu\n",
	       rounds, n_pids, n_runb, a, s, violations);
	fflush(stdout);
	fprintf(stderr, "prober: successes/attempts:");
	for (k = 0; k < K_NR; k++)
		fprintf(stderr, " %s=%llu/%llu", kind_name[k], oks[k], tries[k]);
	fprintf(stderr, " own_channel=%llu\n", own_channel);
}

int main(int argc, char **argv)
{
	const char *stopfile = NULL;
	long long limit_ns;
	struct timespec t0;
	double secs = 30;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "s:t:q")) != -1) {
		switch (opt) {
		case 's':
			stopfile = optarg;
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (*end || !(secs > 0))
				goto usage;
			break;
		case 'q':
			break;	/* there is no per-round chatter to suppress */
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	signal(SIGPIPE, SIG_IGN);
	if (setup() < 0)
		return 2;
	limit_ns = (long long)(secs * 1e9);
	now(&t0);
	while (ns_since(&t0) < limit_ns) {
		if (stopfile && access(stopfile, F_OK) == 0)
			break;
		round_once(&t0, limit_ns);
		rounds++;
		service_pending();
		sched_yield();
	}
	drain_pending();
	summary();
	return violations ? 1 : 0;
usage:
	fprintf(stderr, "usage: prober [-s STOPFILE] [-t SECONDS] [-q]\n");
	return 2;
}
