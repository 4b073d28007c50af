/*
 * runb.c is a container engine in one C file. It follows, step by step, the
 * talk "コンテナエンジンの作り方" (K. Onishi, 2019) and its shell tool runb
 * (runb.sh and src/core.sh). Read it beside the slides: each block of Part I
 * begins with the slide it implements and the shell line it replaces.
 *
 *   sudo ./runb [OPTIONS] NAME ROOTFS [COMMAND [ARG...]]
 *
 * The file, top to bottom:
 *   The kit      errors, the -v trace and --step, syscalls glibc does not
 *                wrap, paths inside ROOTFS, a small rtnetlink kit
 *   Part I       the slides, 25 to 33, in their order: only what they do
 *   Part II      beyond the slides, in the order of the container's life;
 *                its index is at its top
 *   Part III     the OCI front-end: runb called as runb-oci reads a
 *                bundle's config.json, as runc does, and runs it as Part II
 *   The spines   container_main(), which reads like core.sh, and main(),
 *                which reads like runb.sh
 *
 * A comment in Part I that begins with "[robustness]" marks code that the
 * slide does not have but a real machine needs: a retry, a diagnosis, or the
 * removal of what a crashed run left. You can skip it on a first reading.
 *
 * This table maps each slide to the functions that do it, in the order of
 * Part I. README.md has the same map, and test/map.bats checks both against
 * this file.
 *
 *   slide  shell step (runb.sh / core.sh)            runb.c
 *   -----  ----------------------------------------  --------------------------
 *   25     cgcreate -g cpu,memory,pids:$NAME          cg_detect(), cg_create()
 *   26     ip netns add $CONTAINER_NET_NS            net_ns_add()
 *   26     ip link add $VETH type veth peer $ETH,    net_host_side()
 *          brctl addif, ip link set $VETH up
 *   26     ip netns exec ... ip address/link/route   net_configure_container()
 *   27     unshare --pid --uts --ipc --mount --fork  ns_clone_container()
 *   27     (unshare's implied --propagation private) fs_make_private()
 *   28     cgclassify -g cpu,memory,pids:$NAME $$     cg_join()
 *   28     unshare --cgroup                          ns_unshare_cgroup()
 *   29-30  mkdir -p ... && mount -t ...              fs_mount_all()
 *   31     mknod -m 666 $ROOT_FS_DIR/dev/...         dev_make_nodes()
 *   32     mount --bind /dev/pts/ptmx ...            dev_link_ptmx()
 *   32     ln -s /proc/self/fd ...                   dev_link_stdio()
 *   33     hostname runB                             uts_set_hostname()
 *   33     capsh --drop="$DROP_CAPS"                 caps_drop_bounding()
 *   33     ip netns exec $CONTAINER_NET_NS           net_ns_enter()
 *   33     capsh --chroot="$ROOT_FS_DIR"             root_pivot(), root_chroot()
 *   33     capsh --inh --uid --gid                   caps_switch_user()
 *   33     capsh -- -c "/bin/bash"                   exec_command()
 *
 * Process model: runb (the parent) stays in the host's namespaces, makes what
 * must exist on the host, clones the container's first process (the child),
 * waits for it, and removes what it made. The child builds the container
 * around itself and finally execs the command, which thus becomes PID 1 of its
 * PID namespace (slide 36). A third process, the watcher, kills the container
 * if runb dies without running its teardown.
 *
 * Cleanup policy: what lives only in the child's namespaces dies with them.
 * What runb makes on the host (the NAME lock, cgroups, the netns name, the
 * address lease, the terminal's mode) is recorded in one ledger as it is made.
 * teardown() unwinds the ledger in reverse order; on_exit(3) runs it on every
 * exit of runb, die() included. When a run crashes (SIGKILL, power loss), the
 * next run, whatever its NAME, finds what it left and removes it the same way.
 *
 * Build: make   (cc -std=gnu11 -O2 -Wall -Wextra -Werror, libc only)
 * License: MIT
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define RUNB_VERSION "0.2.0"

/* Exit statuses, as docker run and env(1) use them. */
enum { EXIT_RUNB = 125, EXIT_CANNOT_EXEC = 126, EXIT_NOT_FOUND = 127 };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CONTAINER_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NETNS_DIR "/run/netns"
#define STATE_DIR "/run/runb"
#define RECORD_DIR "/var/lib/runb"	/* -d: a record per container, on disk, until runb rm */
#define NET_BRIDGE_NAME "runb-bridge"	/* setup_bridge.sh: BRIDGE_NAME */
#define NET_SUBNET 0x0a000000u	/* 10.0.0.0, the slide's network (host byte order) */
#define NET_PREFIX 24			/* BRIDGE_NETMASK: the default --subnet is 10.0.0.0/24 */
#define NET_ETH "eth0"			/* the container's end of the veth */
#define CG_ROOT "/sys/fs/cgroup"
#define CG_CPU_PERIOD 100000UL		/* µs, the CFS default */
#define DEV_TMPFS_SIZE "65536k"		/* runc's size for the container's /dev */
#define PIDS_DEFAULT 2048		/* podman's default pids limit: no fork bomb takes the host's PIDs */

/* -v: the trace of each step, with the time it took; --step: a pause before
 * each. It lives outside struct config, which every step reads as const,
 * because its clock moves with each line. */
struct tracer {
	bool verbose;           /* -v */
	bool timings;           /* --timings: the totals at the end (also with -v) */
	bool step;              /* --step */
	int fd;                 /* where the lines go; 0: stderr (the child's, -d: see detach_stdio) */
	void (*pause)(struct tracer *tr, int slide, const char *shell, const char *what);
	int tty;                /* --step: the terminal to wait for Enter on */
	pid_t look_pid;         /* --step: the process the look commands name */
	const char *name;       /* --step: NAME and ROOTFS, for the look commands */
	const char *rootfs;
	bool cg_v2;
	char pending[640];      /* -v: the line of the step under way, printed once it is over */
	char paused[160];       /* --step: the shell line paused at last */
	struct timespec begun;  /* when the step under way began */
	struct timespec start;  /* when this process began its steps */
	struct timespec cloned, ended;  /* runb: the clone, and the end of the container */
};

/* A -p [IP:]HOSTPORT:CONTAINERPORT (beyond the slides). */
struct port {
	struct in_addr ip;      /* where it listens on the host; default 0.0.0.0 */
	uint16_t host, ctr;
	bool udp;               /* .../udp; default TCP */
};

/* A --volume HOST:CONTAINER[:OPTIONS] or a --tmpfs PATH[:OPTIONS] (beyond the slides). */
struct user_mount {
	const char *target;     /* CONTAINER or PATH: absolute, inside the container */
	const char *host;       /* --volume: HOST as given; NULL for a tmpfs */
	bool readonly;          /* --volume ...:ro (which is nosuid and nodev too) */
	unsigned attr;          /* ...:nosuid,nodev,noexec, as MOUNT_ATTR_* (mount_words[]) */
	bool copyup;            /* --tmpfs ...:tmpcopyup: what the directory held, copied in */
	char data[128];         /* --tmpfs: size=,mode= as mount(2) takes them */
};

/* The namespaces a container may join instead of making its own: --net, --ipc and
 * --uts ns:PATH (beyond the slides; ns_joinable[] in Part II.2). */
enum { JOIN_NET, JOIN_IPC, JOIN_UTS, JOIN_N };

/* The container: what the command line asked for. parse_args() fills it and
 * runb_start() completes it (ROOTFS and --overlay=DIR made absolute, -t or -T
 * decided); from the first step on every step reads it as const. What runb
 * learns while it runs lives apart, in struct run. */
struct config {
	const char *name;       /* NAME: the container, its netns and cgroup */
	char rootfs[PATH_MAX];  /* ROOTFS, absolute: for messages; runb opens it once */
	const char *hostname;   /* --hostname, default NAME */
	uid_t uid;              /* --user UID[:GID], default 0:0 */
	gid_t gid;
	const char *user;       /* --user as given, names resolved in ROOTFS (user_resolve) */
	gid_t groups[32];       /* the user's supplementary groups, from ROOTFS's /etc/group */
	int n_groups;
	bool groups_exact;      /* --groups: these and no more, none from /etc/group */
	bool home_asked;        /* -e HOME: the user's HOME from /etc/passwd is not set */
	char **env;             /* the container's whole environment */
	enum { NET_NONE, NET_BRIDGE } net;
	const char *join[JOIN_N];  /* --net/--ipc/--uts ns:PATH: that namespace, joined; or NULL */
	uint32_t subnet;        /* --subnet, host byte order; default 10.0.0.0 */
	int prefix;             /* its prefix length; default 24 */
	char bridge[IFNAMSIZ];  /* the subnet's bridge: runb-bridge, or runb-XXXXXXXX (bridge_name) */
	struct in_addr ip;      /* --ip; see struct run for the address in use */
	bool ip_asked;
	const char **sysctls;   /* --sysctl KEY=VALUE, each a file of the container's /proc/sys */
	int n_sysctls;
	const char **dns;       /* --dns, each a nameserver line; none: the slide's 8.8.8.8 */
	int n_dns;
	const char **dns_search;  /* --dns-search, the search line */
	int n_dns_search;
	unsigned long long memory;  /* -m/--memory in bytes; 0: no limit */
	long long memory_swap;  /* --memory-swap: memory and swap in bytes; -1: any swap; 0: none */
	unsigned long cpu_quota;    /* --cpus as µs per CG_CPU_PERIOD; 0: none */
	unsigned long cpu_shares;   /* --cpu-shares, v1's weight (2 to 262144); 0: the default */
	unsigned long pids;         /* --pids, default PIDS_DEFAULT; 0: no limit */
	unsigned int stop_timeout;  /* --stop-timeout: seconds from a forwarded signal to SIGKILL */
	int stop_signal;        /* --stop-signal: what runb stop sends first, default SIGTERM */
	enum { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED } restart;
	unsigned int restart_max;   /* --restart on-failure:N; 0: no limit */
	bool autoremove;        /* --rm: the record goes when the container ends */
	unsigned long long log_max_size;  /* --log-opt max-size=: a log file's size, then the next */
	unsigned int log_max_file;  /* --log-opt max-file=: how many log files are kept */
	bool seccomp;           /* --seccomp=unconfined: false */
	bool nnp;               /* --security-opt no-new-privileges=false: false */
	bool use_chroot;        /* --chroot: the slide's escapable chroot */
	int tty;                /* -t: 1, -T: 0, neither: -1 (a pty when stdin and stdout are terminals) */
	bool init;              /* --init: runb's own init is PID 1, the command its child */
	bool detach;            /* -d: runb returns once the command runs, and supervises it */
	uint64_t caps;          /* the capabilities kept: SET_CAPS, --cap-add, --cap-drop */
	struct port ports[16];  /* -p, each a TCP or UDP port relayed into the container */
	int n_ports;
	const char **add_hosts; /* --add-host NAME:IP, each a line of /etc/hosts */
	int n_add_hosts;
	bool umask_asked;       /* --umask MODE: the command's umask; else runb's own, inherited */
	mode_t umask;
	bool oom_asked;         /* --oom-score-adj N: the command's; else runb's own, inherited */
	int oom_score_adj;
	struct rlimit rlimits[RLIM_NLIMITS];  /* --ulimit, over runb's defaults */
	uint32_t rlimits_asked; /* bit R: --ulimit set resource R */
	struct user_mount *mounts;  /* --volume and --tmpfs, in command-line order */
	int n_mounts;
	bool read_only;         /* --read-only: the root file system mounted read-only */
	const char *workdir;    /* -w/--workdir: where the command starts, default / */
	enum { OVERLAY_NONE, OVERLAY_DISK, OVERLAY_TMPFS, OVERLAY_DIR } overlay;  /* --overlay[=..] */
	const char *overlay_dir;
	char **argv;            /* COMMAND [ARG...]; NULL: /bin/bash or /bin/sh */
	struct tracer *tr;      /* -v: where each step's line goes */
	struct oci_run *oci;    /* runb-oci create (Part III.3); NULL for runb's own runs */
	const struct sock_fprog *profile;  /* runb-oci: config.json's linux.seccomp, compiled
					    * (Part III.2), on top of runb's filter; or NULL */
};

/* What runb learns while it runs, each field written by one step (named) and
 * read by the steps after it. The descriptors runb opens for its child are in
 * struct handoff. */
struct volume_tree {
	int host;               /* volumes_open(): HOST, looked up once, at the start (O_PATH) */
	int tree;               /* volume_clone(): a detached copy of HOST's mounts, for one run */
	bool is_dir;            /* volumes_open(): HOST is a directory (else a file) */
};

struct run {
	bool cg_v2;             /* cg_detect(): /sys/fs/cgroup is cgroup2, unified v2 */
	bool cg_born_in;        /* ns_clone_container(): v2, the child was cloned into its cgroup */
	struct in_addr ip;      /* net_lease(): --ip, or the lowest free address of the subnet */
	struct winsize winsize; /* runb_handoff(): the caller's terminal's size, for the pty */
	struct volume_tree *volumes;  /* volumes_open(): one per --volume or --tmpfs, in order */
	int restarts;           /* restart_wait(): how many times --restart ran the command again */
	unsigned int backoff_ms;  /* restart_wait(): the wait before the last restart */
	struct timespec began;  /* runb_supervise(): when this run's command was cloned */
	long long created;      /* runb_supervise(): when the first run began (CLOCK_REALTIME s) */
	long long oom_kills;    /* runb_supervise(): the cgroup's OOM kills counted so far */
	int port_fds[16];       /* ports_listen(): each -p's socket, listening on the host */
};

/* What runb made on the host, in the order it made it: teardown() unwinds
 * it from the last entry to the first. The crash sweep fills one for a dead
 * run's NAME and unwinds it the same way. */
enum made_what { MADE_LOCK, MADE_OCI_STATE, MADE_OVERLAY, MADE_CGROUP, MADE_NETNS, MADE_LEASE,
		 MADE_BRIDGE, MADE_RECORD, MADE_PROXY, MADE_TTY_RAW };

struct ledger {
	pid_t owner;            /* the runb that made it: only that process unwinds it */
	const char *name;       /* NAME: the paths of what runb made are made from it */
	bool cg_v2;
	struct tracer *tr;
	unsigned int n;
	enum made_what made[10];
	int lock_fd;            /* MADE_LOCK: /run/runb/NAME.lock, held for the container's life */
	int lease_fd;           /* MADE_LEASE: /run/runb/ADDR, locked while the container has ADDR */
	struct in_addr lease;
	const char *bridge;     /* MADE_BRIDGE: a --subnet's own bridge, which its last container removes */
	int bridge_fd;          /* MADE_BRIDGE: /run/runb/BRIDGE.bridge, locked while joining or leaving */
	bool bridge_made;       /* MADE_BRIDGE: this run made the bridge (and marks it) */
	char veth[IFNAMSIZ];    /* MADE_BRIDGE: the container's port on it */
	struct termios tty_saved;  /* MADE_TTY_RAW: the caller's terminal as it was */
	int record_fd;          /* MADE_RECORD: -d, /var/lib/runb/NAME/state, the record's state */
	pid_t proxy;            /* MADE_PROXY: -p's proxy, killed at the end */
	bool keep_record;       /* MADE_RECORD: the command ran and no --rm: the record stays */
	const char *oci_state;  /* MADE_OCI_STATE: runb-oci's ROOT/ID, its state and exec.fifo */
};

/* The descriptors runb opens for its child, the container's first process. */
struct handoff {
	int rootfd;             /* ROOTFS, opened once; the child reaches it as "." (see rootfs_open) */
	int netns_fd;           /* the container's network namespace, /run/netns/NAME */
	int join[JOIN_N];       /* ns_join_open(): --ipc, --uts ns:PATH, for the child; or -1 */
	int alive_r, alive_w;   /* a pipe only runb writes: EOF at alive_r means runb is gone */
	int pty_sock[2];        /* with a pty, the child sends its master over [1] to runb's [0] */
	int report[2];          /* the child tells runb [0] over [1] when it execs (exec_command) */
	int out[2], err[2];     /* -d: the container's stdout and stderr [1], for runb's log [0] */
};

/* What runb-oci create adds to the description (Part III.3): the container's
 * state for the OCI verbs, and what its caller asked for. */
struct oci_run {
	const char *id, *bundle;
	const char *dir;        /* ROOT/ID: state.json and exec.fifo, runb-oci's record of it */
	const char *pid_file;   /* --pid-file: the first process's PID, for the caller */
	const char *console;    /* --console-socket: where the pty's master goes */
	int stderr_fd;          /* the caller's stderr, when runb's own lines go to --log; or -1 */
	int start_fd;           /* ROOT/ID/exec.fifo: the child waits on it for runb-oci start */
	const char *hooks;      /* config.json's hooks, as its text; or NULL */
	const char *seccomp;    /* config.json's linux.seccomp, as its text; or NULL */
};

/* ======================================================================== */
/* The kit: errors, the trace, syscalls glibc does not wrap, paths inside    */
/* ROOTFS, the ledger, rtnetlink.                                            */
/* ======================================================================== */

/* Print one line on stderr: "runb: " and FMT, then ": " and strerror(ERR)
 * unless ERR is 0. The line is built first and printed in one call (stderr is
 * unbuffered, so each call is one write), so lines of runb and its child do
 * not mix. */
static void say(int err, const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0 || n >= (int)sizeof(line))
		n = strlen(line);
	if (err)
		snprintf(line + n, sizeof(line) - n, ": %s", strerror(err));
	fprintf(stderr, "runb: %s\n", line);
}

/* die() is for a step that failed. It prints one line that names the step and
 * its arguments, then strerror(errno), and exits with 125. errno is saved
 * first, because formatting the line may change it. On exit, teardown()
 * (registered with on_exit) removes what runb made on the host. */
static noreturn void die(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	say(saved, fmt, ap);
	va_end(ap);
	exit(EXIT_RUNB);
}

/* diex() is the same as die(), for bad input, where there is no errno to report. */
static noreturn void diex(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(0, fmt, ap);
	va_end(ap);
	exit(EXIT_RUNB);
}

/* warn() reports trouble that must not stop runb, such as what teardown could
 * not undo. It prints one line with strerror(errno) and returns; errno is kept. */
static void warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	say(saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* Microseconds from A to B. */
static long long us_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000LL + (b->tv_nsec - a->tv_nsec) / 1000;
}

/* With -v, print the line of the step that just ended, with the time it took. */
static void trace_flush(struct tracer *tr)
{
	struct timespec now;

	if (!tr->pending[0])
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dprintf(tr->fd > 0 ? tr->fd : STDERR_FILENO, "%s [%lld µs]\n", tr->pending,
		us_between(&tr->begun, &now));
	tr->pending[0] = '\0';
}

/* With -v, trace() prints "[slide NN] <shell line> -> <what runb does> [N µs]"
 * when each step ends. A step beyond the slides has SLIDE 0 and prints "[runb]".
 * This is the tutorial's live demonstration. --step pauses before each step. */
static void trace(struct tracer *tr, int slide, const char *shell, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (!tr->verbose && !tr->step)
		return;
	trace_flush(tr);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (tr->pause && slide)
		tr->pause(tr, slide, shell, what);  /* --step: step_pause(), in Part II */
	if (tr->verbose && slide)
		snprintf(tr->pending, sizeof(tr->pending), "[slide %d] %s -> %s", slide, shell, what);
	else if (tr->verbose)
		snprintf(tr->pending, sizeof(tr->pending), "[runb] %s -> %s", shell, what);
	clock_gettime(CLOCK_MONOTONIC, &tr->begun);
}

/* Wrappers for system calls that glibc 2.36 does not wrap, as their man pages
 * declare them. */
static int sys_pivot_root(const char *new_root, const char *put_old)
{
	return syscall(SYS_pivot_root, new_root, put_old);
}

static int sys_capset(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data)
{
	return syscall(SYS_capset, hdr, data);
}

static int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return syscall(SYS_open_tree, dirfd, path, flags);
}

static int sys_move_mount(int from_fd, const char *from, int to_fd, const char *to,
			  unsigned int flags)
{
	return syscall(SYS_move_mount, from_fd, from, to_fd, to, flags);
}

static int sys_pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static pid_t sys_clone3(struct clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof(*args));
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

/* clone(2) used like fork(2), with FLAGS. The low byte of FLAGS is the exit signal. */
static pid_t sys_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
}

/* Open PATH below the directory DIRFD. No symlink is followed, and ".." cannot
 * lead above DIRFD (openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS).
 * The shell's `mkdir -p $ROOT_FS_DIR/proc` follows a link planted in the rootfs
 * to wherever it points, and a link that stays inside the rootfs now may point
 * elsewhere after the next mount. This function follows no link, so it opens
 * exactly what the path names. EAGAIN means that a rename raced the lookup, and
 * the kernel asks us to try again. */
static int open_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	do
		fd = sys_openat2(dirfd, path, &how);
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

/* The path through which mount(2) reaches an O_PATH descriptor. */
static const char *fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* mkdir -p ROOT/PATH, then open the directory to mount something on it, and
 * return an O_PATH descriptor. A mount target must be a real directory inside
 * ROOTFS, reached without following any symlink; runc requires this since
 * CVE-2019-19921 and CVE-2023-27561. Anything else (a link on the way, or a
 * file) is refused: runb names the path and exits with 125. SHOWN is the name
 * of ROOT in messages. */
static int open_mount_dir(int rootfd, const char *path, const char *shown)
{
	char comp[NAME_MAX + 1];
	const char *p;
	int dirfd = rootfd, fd;

	path += strspn(path, "/");  /* relative to ROOT, even when written as /x */
	p = path;

	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 0 || len > NAME_MAX) {
			p += len + (p[len] == '/');
			continue;
		}
		snprintf(comp, sizeof(comp), "%.*s", (int)len, p);
		fd = open_beneath(dirfd, comp, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(dirfd, comp, 0755) < 0 && errno != EEXIST)
				die("mkdir -p %s/%.*s", shown, (int)(p - path + len), path);
			fd = open_beneath(dirfd, comp, O_PATH | O_DIRECTORY);
		}
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == EXDEV))
			diex("%s/%.*s is %s: runb mounts only on a real directory inside ROOTFS",
			     shown, (int)(p - path + len), path, errno == ENOTDIR ? "not a directory" :
			     "a symlink");
		if (fd < 0)
			die("open %s/%.*s", shown, (int)(p - path + len), path);
		if (dirfd != rootfd)
			close(dirfd);
		dirfd = fd;
		p += len + (p[len] == '/');
	}
	return dirfd == rootfd ? open_beneath(rootfd, ".", O_PATH | O_DIRECTORY) : dirfd;
}

/* Record in the ledger (struct ledger) what a step makes on the host, before
 * that step can fail halfway, so that teardown() undoes it. */
static void ledger_add(struct ledger *led, enum made_what what)
{
	if (led->n == ARRAY_SIZE(led->made))
		diex("ledger: more than %zu entries (a bug in runb)", ARRAY_SIZE(led->made));
	led->made[led->n++] = what;
}

/* Write S to FD, which is open on PATH, in one write(2). A kernel file takes
 * the whole string or fails. */
static void write_fd(int fd, const char *path, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		die("echo %s > %s", s, path);
}

/* echo S > PATH, for cgroupfs. It is one write(2), and its error is the
 * kernel's answer (EINVAL for a bad value, EBUSY, ...). */
static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s", path);
	write_fd(fd, path, s);
	close(fd);
}

/* One rtnetlink request: the header, the message's fixed part, then attributes in buf. */
struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;	/* RTM_NEWLINK, RTM_DELLINK */
		struct ifaddrmsg ifa;	/* RTM_NEWADDR */
		struct rtmsg rtm;	/* RTM_NEWROUTE */
	};
	char buf[512];
};

/* Open a route socket. It talks to the network namespace the caller is in when it opens it. */
static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		die("socket(AF_NETLINK, NETLINK_ROUTE)");
	return fd;
}

/* Append attribute TYPE with LEN bytes of DATA (zeroes if DATA is NULL). The size is
 * checked before anything is written; an overflow is a bug in runb, so runb dies. */
static struct rtattr *nl_put(struct nl_req *req, unsigned short type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct rtattr *rta = (struct rtattr *)((char *)req + off);

	if (off + RTA_SPACE(len) > sizeof(*req)) {
		errno = EMSGSIZE;
		die("netlink request: no room for attribute %u", type);
	}
	memset(rta, 0, RTA_SPACE(len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (data && len)
		memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = off + RTA_SPACE(len);
	return rta;
}

/* A nest is an attribute whose payload is the attributes put after it... */
static struct rtattr *nl_nest_begin(struct nl_req *req, unsigned short type)
{
	return nl_put(req, type, NULL, 0);
}

/* ...so, once they are in, stretch its length to the end of the request. */
static void nl_nest_end(struct nl_req *req, struct rtattr *nest)
{
	nest->rta_len = (char *)req + req->nh.nlmsg_len - (char *)nest;
}

/* Read the kernel's NLMSG_ERROR. Its error is 0 for the ack, or -errno for a refusal. */
static int nl_ack(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *err = NLMSG_DATA(nh);

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
		errno = EPROTO;
		return -1;
	}
	if (err->error == 0)
		return 0;
	errno = -err->error;
	return -1;
}

/* Send REQ with NLM_F_ACK and wait for the ack with its sequence number. Return 0, or -1 with
 * errno set from the kernel, so that die() prints e.g. "File exists". The sequence number comes
 * from the clock, so each request gets a fresh one without a global counter. Replies to
 * anything else are skipped. */
static int nl_talk(int fd, struct nl_req *req)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl peer = { .nl_family = AF_NETLINK };	/* nl_pid 0 is the kernel */
	socklen_t peer_len;
	struct nlmsghdr *nh;
	struct timespec now;
	ssize_t n;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return -1;
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = (uint32_t)now.tv_nsec ^ (uint32_t)now.tv_sec;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&peer, sizeof(peer)) < 0)
		return -1;
	for (;;) {
		peer_len = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&peer, &peer_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n > sizeof(buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		if (peer.nl_pid != 0)	/* not from the kernel */
			continue;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n))
			if (nh->nlmsg_seq == req->nh.nlmsg_seq && nh->nlmsg_type == NLMSG_ERROR)
				return nl_ack(nh);
	}
}

/* ip link show NAME, for its index. Names are per netns, and a link moved to another netns may
 * get a new index there, so always look it up by name in the current netns. */
static int link_index(const char *name)
{
	unsigned int index = if_nametoindex(name);

	return index ? (int)index : -1;
}

/* runb keeps the addresses of the containers' subnet (--subnet, by default the slide's
 * 10.0.0.0/24) in host byte order. The bridge is the gateway; it has the subnet's first address. */
static struct in_addr net_addr(uint32_t host_order)
{
	return (struct in_addr){ htonl(host_order) };
}

static uint32_t net_gateway(const struct config *cfg)
{
	return cfg->subnet + 1;
}

/* ======================================================================== */
/* Part I: the slides, 25 to 33, in their order.                             */
/* ======================================================================== */

/* Slide 25: cgroups — replaces: cgcreate -g "$CGROUP_CONTROLLERS:$CONTAINER_NAME"
 *
 * A cgroup is a directory in a cgroup file system. Its files hold the limits
 * for the processes in it (slides 15-18, man 7 cgroups), so cgcreate is mkdir.
 * There are two versions, and /sys/fs/cgroup shows one of them:
 *   v2 (unified): one tree, with /sys/fs/cgroup/runb/NAME. A controller works
 *       in a cgroup only once the parent lists it in cgroup.subtree_control,
 *       and a cgroup that hands controllers to its children may hold no
 *       process itself ("no internal processes"). So runb enables the
 *       controllers in each parent on the way down.
 *   v1 (or hybrid): one tree per controller (cpu/runb/NAME, memory/runb/NAME,
 *       pids/runb/NAME), each with its own file names. runb also makes
 *       devices/runb/NAME, for the device rules of Part II (not in the slides).
 * Departure: the slide never removes its cgroups. runb removes them with
 * cg_remove() (Part II.2), as it removes everything it makes on the host.
 */
static const char *const cg_v1_controllers[] = {
	"cpu", "memory", "pids",  /* the slide's CGROUP_CONTROLLERS, v1 and v2 */
	"devices",                /* v1 only, for the device rules; v2 uses a BPF program */
};
#define CG_V2_CONTROLLERS 3       /* the first three of cg_v1_controllers */

/* Put in PATH the cgroup directory of container NAME: in the v1 hierarchy CTRL,
 * or, when V2, in the unified one (CTRL is then ignored). When FILE is given,
 * "/FILE" is added at the end. */
static void cg_path(const char *name, bool v2, const char *ctrl, const char *file,
		    char path[static PATH_MAX])
{
	if (v2)
		snprintf(path, PATH_MAX, CG_ROOT "/runb/%s%s%s", name,
			 file ? "/" : "", file ? file : "");
	else
		snprintf(path, PATH_MAX, CG_ROOT "/%s/runb/%s%s%s", ctrl ? ctrl : "?", name,
			 file ? "/" : "", file ? file : "");
}

/* Find out which version this machine uses. If /sys/fs/cgroup has cgroup2's
 * magic number, it is v2 only. Anything else is a tmpfs of v1 hierarchies,
 * perhaps with a v2 one beside them at unified/ ("hybrid"), and then runb uses
 * the v1 controllers. */
static void cg_detect(const struct config *cfg, struct run *run)
{
	struct statfs st;

	if (statfs(CG_ROOT, &st) < 0)
		die("cgroups: statfs %s", CG_ROOT);
	run->cg_v2 = st.f_type == CGROUP2_SUPER_MAGIC;
	trace(cfg->tr, 25, "cgcreate -g cpu,memory,pids:NAME", "statfs(\"" CG_ROOT "\"): %s", run->cg_v2 ?
	      "cgroup2, unified v2" : "not cgroup2, v1 or hybrid: using the v1 cpu, memory, pids");
}

/* [robustness] Read the words of DIR/FILE into HAVE as " w1 w2 ... ". Return 0, or -1 when
 * DIR is gone (ENOENT) or going (ENODEV: another runb's rmdir of it is under way). */
static int cg_read_words(const char *dir, const char *file, char have[static 512])
{
	char path[PATH_MAX];
	ssize_t n = -1;
	int fd;

	snprintf(path, PATH_MAX, "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (n = read(fd, have + 1, 512 - 3)) < 0)
		close(fd);
	if (n < 0 && (errno == ENOENT || errno == ENODEV))
		return -1;
	if (n < 0)
		die("cgroups: read %s", path);
	close(fd);
	have[0] = ' ';
	strcpy(have + 1 + n - (n && have[n] == '\n'), " ");
	return 0;
}

/* [robustness] Is each of the slide's controllers among the words in HAVE? */
static bool cg_v2_all_in(const char *have)
{
	char word[16];

	for (size_t i = 0; i < CG_V2_CONTROLLERS; i++) {
		snprintf(word, sizeof(word), " %s ", cg_v1_controllers[i]);
		if (!strstr(have, word))
			return false;
	}
	return true;
}

/* v2: echo "+cpu +memory +pids" > DIR/cgroup.subtree_control, unless they are
 * enabled there already. First check that DIR/cgroup.controllers offers them.
 * If DIR's parent does not delegate them, runb cannot fix that from here, so
 * it says so rather than make half a container. */
static int cg_v2_delegate(const struct config *cfg, const char *dir)
{
	char path[PATH_MAX], have[512], want[64] = "";
	int fd;

	if (cg_read_words(dir, "cgroup.subtree_control", have) < 0)
		return -1;  /* another runb just removed this parent: try again */
	if (cg_v2_all_in(have))
		return 0;   /* systemd or an earlier runb enabled them already */
	if (cg_read_words(dir, "cgroup.controllers", have) < 0)
		return -1;
	for (size_t i = 0; i < CG_V2_CONTROLLERS; i++) {
		char word[16];

		snprintf(word, sizeof(word), " %s ", cg_v1_controllers[i]);
		if (!strstr(have, word))
			diex("cgroups: controller %s is not available in %s (cgroup.controllers:%s)",
			     cg_v1_controllers[i], dir, have);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s+%s", i ? " " : "",
			 cg_v1_controllers[i]);
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	trace(cfg->tr, 25, "cgcreate -g cpu,memory,pids:NAME", "echo \"%s\" > %s", want, path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, want, strlen(want)) < 0) {
		int err = errno;

		close(fd);
		fd = -1;
		errno = err;
	}
	if (fd < 0 && (errno == ENOENT || errno == ENODEV))
		return -1;  /* another runb is removing this parent: try again */
	if (fd < 0)
		die("cgroups: echo \"%s\" > %s%s", want, path, errno == EBUSY ?
		    " (it holds processes, and v2 allows no process in a cgroup that delegates)" : "");
	close(fd);
	return 0;
}

/* mkdir DIR. EEXIST is fine. The shared parent "runb" may exist already, and
 * NAME can only be this run's own, from an earlier try: the NAME lock and the
 * sweep of crashed runs make sure of that. */
static int cg_mkdir(const struct config *cfg, const char *dir)
{
	trace(cfg->tr, 25, "cgcreate -g cpu,memory,pids:NAME", "mkdir(\"%s\")", dir);
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno == ENOENT)
		return -1;  /* another runb just removed a parent: try again */
	die("cgcreate: mkdir %s", dir);
}

static int cg_make_dirs(const struct config *cfg, bool v2)
{
	char path[PATH_MAX];

	if (v2) {
		cg_path(cfg->name, true, NULL, NULL, path);
		if (cg_v2_delegate(cfg, CG_ROOT) < 0 || cg_mkdir(cfg, CG_ROOT "/runb") < 0 ||
		    cg_v2_delegate(cfg, CG_ROOT "/runb") < 0)
			return -1;
		return cg_mkdir(cfg, path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cg_v1_controllers); i++) {
		snprintf(path, sizeof(path), CG_ROOT "/%s/runb", cg_v1_controllers[i]);
		if (cg_mkdir(cfg, path) < 0)
			return -1;
		cg_path(cfg->name, false, cg_v1_controllers[i], NULL, path);
		if (cg_mkdir(cfg, path) < 0)
			return -1;
	}
	return 0;
}

/* cg_create() is all of cgcreate. It makes the directories, and tries up to
 * CG_MKDIR_TRIES times, because another runb's teardown may remove the shared
 * parent "runb" while we work. */
#define CG_MKDIR_TRIES 5

static void cg_create(const struct config *cfg, const struct run *run, struct ledger *led)
{
	ledger_add(led, MADE_CGROUP);  /* from here on, teardown removes what exists */
	for (int tries = 0; cg_make_dirs(cfg, run->cg_v2) < 0;)
		if (++tries == CG_MKDIR_TRIES)
			die("cgcreate: mkdir under " CG_ROOT);
}

/* Slide 26: network namespace — replaces: ip netns add $CONTAINER_NET_NS
 *
 * A network namespace lives as long as a process is in it or a file is bound
 * to it. `ip netns add` creates one and binds /proc/self/ns/net at
 * /run/netns/NAME, so that the namespace outlives the command and others can
 * find it by name. runb does the same in its own process, then returns to the
 * host's namespace with setns(2). It returns a descriptor of the new
 * namespace. See man 7 network_namespaces and man 8 ip-netns.
 */
/* Make PATH, /run/netns/NAME, the empty file a namespace gets bound on, as ip netns
 * does (STEP: its command, for messages); from here on teardown unbinds and removes it. */
static void net_ns_file(const char *path, struct ledger *led, const char *step)
{
	int fd;

	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		die("%s: mkdir %s", step, NETNS_DIR);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		die("%s: create %s", step, path);
	close(fd);
	ledger_add(led, MADE_NETNS);
}

static int net_ns_add(const struct config *cfg, struct ledger *led)
{
	char path[PATH_MAX];
	int host_fd, fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", cfg->name);
	trace(cfg->tr, 26, "ip netns add NAME",
	      "unshare(CLONE_NEWNET), mount --bind /proc/self/ns/net %s", path);
	net_ns_file(path, led, "ip netns add");
	host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host_fd < 0)
		die("ip netns add: open /proc/self/ns/net");
	if (unshare(CLONE_NEWNET) < 0)
		die("ip netns add: unshare(CLONE_NEWNET)");
	if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		die("ip netns add: mount --bind /proc/self/ns/net %s", path);
	if (setns(host_fd, CLONE_NEWNET) < 0)
		die("ip netns add: setns back to the host's network namespace");
	close(host_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("ip netns add: open %s", path);
	return fd;
}

/* Slide 26: network setting — replaces:
 *     ip link add name $VETH type veth peer name $ETH
 *     brctl addif $BRIDGE_NAME $VETH; ip link set $VETH up
 *     ip link set $ETH netns $CONTAINER_NET_NS
 *     ip netns exec $CONTAINER_NET_NS ip address add 10.0.0.2/24 dev $ETH
 *     ip netns exec $CONTAINER_NET_NS ip link set $ETH up
 *     ip netns exec $CONTAINER_NET_NS ip route add default via 10.0.0.1
 *
 * A veth pair is a cable with two ends. One end stays on the host and is
 * plugged into the bridge runb-bridge (10.0.0.1, the containers' gateway);
 * the other becomes the container's eth0. Each shell command is one rtnetlink
 * request, sent by a function named after the command. The functions below
 * follow the order of the shell lines (man 8 ip-link, man 7 rtnetlink). The
 * slide expects setup_bridge.sh to have made the bridge; when it is missing,
 * bridge_enter() (Part II.2) makes it just before these steps.
 */

/* ip link add name VETH type veth peer name ETH netns NS.
 * Departure: the slide makes $ETH on the host and then moves it. runb names the netns in the
 * same request (IFLA_NET_NS_FD), so the peer is born in the container and can be called eth0,
 * although the host has an eth0 too. */
static int link_add_veth(int fd, const char *host_name, const char *peer_name,
			 const unsigned char peer_mac[6], int netns_fd)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_NEWLINK,
		.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL,
		.ifi.ifi_family = AF_UNSPEC,
	};
	struct rtattr *linkinfo, *data, *peer;
	uint32_t ns = netns_fd;

	nl_put(&req, IFLA_IFNAME, host_name, strlen(host_name) + 1);
	linkinfo = nl_nest_begin(&req, IFLA_LINKINFO);
	nl_put(&req, IFLA_INFO_KIND, "veth", strlen("veth"));
	data = nl_nest_begin(&req, IFLA_INFO_DATA);
	/* the peer is described like a link of its own: a zeroed ifinfomsg, then attributes */
	peer = nl_put(&req, VETH_INFO_PEER, &(struct ifinfomsg){ .ifi_family = AF_UNSPEC },
		      sizeof(struct ifinfomsg));
	nl_put(&req, IFLA_IFNAME, peer_name, strlen(peer_name) + 1);
	nl_put(&req, IFLA_ADDRESS, peer_mac, 6);
	nl_put(&req, IFLA_NET_NS_FD, &ns, sizeof(ns));
	nl_nest_end(&req, peer);
	nl_nest_end(&req, data);
	nl_nest_end(&req, linkinfo);
	return nl_talk(fd, &req);
}

/* brctl addif runb-bridge VETH, done as ip link set VETH master runb-bridge. */
static int link_set_master(int fd, int ifindex, int master_ifindex)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_NEWLINK,
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	uint32_t master = master_ifindex;

	nl_put(&req, IFLA_MASTER, &master, sizeof(master));
	return nl_talk(fd, &req);
}

/* ip link set DEV up. IFF_UP is set in the flags and in the change mask, so only that bit
 * changes. */
static int link_set_up(int fd, int ifindex)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_NEWLINK,
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
			 .ifi_flags = IFF_UP, .ifi_change = IFF_UP },
	};

	return nl_talk(fd, &req);
}

/* ip address add ADDR/PREFIX dev DEV. With EXIST_OK, EEXIST counts as done: this is for the
 * shared bridge's 10.0.0.1/24, which the first runb to start adds. A container's own address
 * must be new. */
static int addr_add(int fd, int ifindex, struct in_addr addr, int prefixlen, bool exist_ok)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
		.nh.nlmsg_type = RTM_NEWADDR,
		.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL,
		.ifa = { .ifa_family = AF_INET, .ifa_prefixlen = prefixlen,
			 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = ifindex },
	};

	nl_put(&req, IFA_LOCAL, &addr, sizeof(addr));
	nl_put(&req, IFA_ADDRESS, &addr, sizeof(addr));	/* same as LOCAL: not point-to-point */
	if (nl_talk(fd, &req) < 0 && !(exist_ok && errno == EEXIST))
		return -1;
	return 0;
}

/* ip route add default via GW. Like ip(8), send destination 0.0.0.0/0 in the main table. */
static int route_add_default(int fd, struct in_addr gw)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
		.nh.nlmsg_type = RTM_NEWROUTE,
		.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL,
		.rtm = { .rtm_family = AF_INET, .rtm_dst_len = 0, .rtm_table = RT_TABLE_MAIN,
			 .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			 .rtm_type = RTN_UNICAST },
	};

	nl_put(&req, RTA_GATEWAY, &gw, sizeof(gw));
	return nl_talk(fd, &req);
}

/* Departure: "veth-$CONTAINER_NAME" can be longer than the 15 characters of a link name.
 * runb uses rb<PID>-<NAME>, cut at 15: it is unique while runb runs, and it still tells whose
 * it is. */
static void veth_name(const struct config *cfg, pid_t runb_pid, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, "rb%d-%s", (int)runb_pid, cfg->name);
}

/* The host half of slide 26, run in the host's netns. The bridge exists (setup_bridge.sh
 * made it, or bridge_enter() in Part II.2). runb makes a veth whose host end, VETH, joins
 * the bridge and whose other end is eth0 in the container's netns (NETNS_FD). eth0's MAC is
 * made from its address, 02:00:0a:00:00:xx (as docker does), so the host's ARP entry for
 * 10.0.0.x stays right when a later container gets the same x. There is no undo: the
 * kernel removes the veth pair with the container's netns, when its last user is gone
 * (deleting it here would wait ~20 ms for an RCU barrier). */
static void net_host_side(const struct config *cfg, const struct run *run, int netns_fd,
			  const char *veth)
{
	const unsigned char *ip = (const unsigned char *)&run->ip.s_addr;
	const unsigned char mac[6] = { 0x02, 0, ip[0], ip[1], ip[2], ip[3] };
	int fd = nl_open();
	int bridge = link_index(cfg->bridge), host_end;

	if (bridge < 0)
		die("brctl addif %s: ip link show %s", cfg->bridge, cfg->bridge);
	trace(cfg->tr, 26, "ip link add name $VETH type veth peer name $ETH",
	      "RTM_NEWLINK veth %s, peer %s address 02:00:%02x:%02x:%02x:%02x", veth, NET_ETH,
	      ip[0], ip[1], ip[2], ip[3]);
	trace(cfg->tr, 26, "ip link set $ETH netns $CONTAINER_NET_NS",
	      "same request: peer's IFLA_NET_NS_FD %d", netns_fd);
	if (link_add_veth(fd, veth, NET_ETH, mac, netns_fd) < 0)
		die("ip link add name %s type veth peer name %s netns fd %d", veth, NET_ETH, netns_fd);
	host_end = link_index(veth);
	if (host_end < 0)
		die("ip link show %s", veth);
	trace(cfg->tr, 26, "brctl addif $BRIDGE_NAME $VETH", "RTM_NEWLINK %s IFLA_MASTER %s",
	      veth, cfg->bridge);
	if (link_set_master(fd, host_end, bridge) < 0)
		die("ip link set %s master %s", veth, cfg->bridge);
	trace(cfg->tr, 26, "ip link set $VETH up", "RTM_NEWLINK %s IFF_UP", veth);
	if (link_set_up(fd, host_end) < 0)
		die("ip link set %s up", veth);
	if (close(fd) < 0)
		die("close netlink socket");
}

/* Departure: runb.sh never brings up lo in the new netns, so 127.0.0.1 is unreachable in its
 * containers. runb does ip link set lo up, also with --net none. */
static void net_lo_up(const struct config *cfg, int fd)
{
	int lo = link_index("lo");

	trace(cfg->tr, 0, "ip link set lo up", "RTM_NEWLINK lo IFF_UP");
	if (lo < 0 || link_set_up(fd, lo) < 0)
		die("ip link set lo up");
}

/* The container half of slide 26, run inside the container's netns. The order matters: the
 * default route needs 10.0.0.1 to be reachable through the connected route 10.0.0.0/24, and
 * the kernel adds that route only once eth0 has its address and is up. eth0 is looked up here,
 * so its index is the one in the container's netns. */
static void net_container_side(const struct config *cfg, struct in_addr ip, int fd)
{
	struct in_addr gw = net_addr(net_gateway(cfg));
	int eth = link_index(NET_ETH);

	if (eth < 0)
		die("ip link show %s", NET_ETH);
	trace(cfg->tr, 26, "ip address add 10.0.0.2/24 dev $ETH", "RTM_NEWADDR %s/%d on %s",
	      inet_ntoa(ip), cfg->prefix, NET_ETH);
	if (addr_add(fd, eth, ip, cfg->prefix, false) < 0)
		die("ip address add %s/%d dev %s", inet_ntoa(ip), cfg->prefix, NET_ETH);
	trace(cfg->tr, 26, "ip link set $ETH up", "RTM_NEWLINK %s IFF_UP", NET_ETH);
	if (link_set_up(fd, eth) < 0)
		die("ip link set %s up", NET_ETH);
	trace(cfg->tr, 26, "ip route add default via 10.0.0.1", "RTM_NEWROUTE 0.0.0.0/0 via %s",
	      inet_ntoa(gw));
	if (route_add_default(fd, gw) < 0)
		die("ip route add default via %s", inet_ntoa(gw));
}

/* Slide 26: the container's side — replaces: ip netns exec $CONTAINER_NET_NS ip ...
 *
 * runb.sh configures the container's network from the host, before the
 * container exists, by running ip inside the named namespace. runb enters it
 * with setns(2), sends its requests there (a netlink socket talks to the
 * namespace it was opened in), and returns to the host's namespace.
 */
static void net_configure_container(const struct config *cfg, const struct run *run, int netns_fd)
{
	int host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd;

	if (host_fd < 0)
		die("ip netns exec: open /proc/self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		die("ip netns exec %s: setns", cfg->name);
	fd = nl_open();
	net_lo_up(cfg, fd);
	if (cfg->net == NET_BRIDGE)
		net_container_side(cfg, run->ip, fd);
	if (close(fd) < 0)
		die("close netlink socket");
	if (setns(host_fd, CLONE_NEWNET) < 0)
		die("ip netns exec: setns back to the host's network namespace");
	close(host_fd);
}

/* Slide 27: new namespaces — replaces:
 *     unshare --pid --uts --ipc --mount --cgroup --fork bash $CORE ...
 *
 * clone3(2) with these flags does what unshare(1) does with --fork: the child
 * is born in the new namespaces and is PID 1 of the new PID namespace. It then
 * runs container_main(), runb's core.sh. net_ns_add() made the network
 * namespace, and the child enters it at slide 33.
 * Departure: the slide's --cgroup comes before cgclassify, so its container sees paths like
 * /../.. in /proc/self/cgroup. runb makes the cgroup namespace at slide 28, after joining the
 * cgroup.
 */
static const int ns_clone_flags =
	CLONE_NEWPID |  /* unshare --pid:   its own PIDs; the child is PID 1 */
	CLONE_NEWUTS |  /* unshare --uts:   its own host name */
	CLONE_NEWIPC |  /* unshare --ipc:   its own SysV IPC and POSIX queues */
	CLONE_NEWNS;    /* unshare --mount: its own mount table */

/* clone3(2) without a stack of its own works like fork(2): the child goes on
 * from here, on a copy of runb's memory, in its new namespaces, and the call
 * returns 0 in it. On cgroup v2 the child is born in its cgroup
 * (CLONE_INTO_CGROUP, Linux 5.7), because moving a running process makes the
 * kernel wait for an RCU grace period (~10 ms); slide 28 then has nothing left
 * to do. CLONE_PIDFD gives runb a descriptor that always names the child, even
 * if its PID is reused. Kernels without clone3 get the classic clone(2) and
 * pidfd_open. */
static pid_t ns_clone_container(const struct config *cfg, struct run *run, int *pidfd)
{
	struct clone_args args = {
		.flags = ns_clone_flags | CLONE_PIDFD,
		.pidfd = (uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	char path[PATH_MAX];
	int cgfd = -1;
	pid_t pid;

	trace(cfg->tr, 27, "unshare --pid --uts --ipc --mount --fork",
	      "clone3(CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNS%s)",
	      run->cg_v2 ? "|CLONE_INTO_CGROUP" : "");
	if (run->cg_v2) {
		cg_path(cfg->name, true, NULL, NULL, path);
		cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0)
			die("clone3: open %s", path);
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = cgfd;
		run->cg_born_in = true;
	}
	pid = sys_clone3(&args);
	if (pid < 0 && errno == ENOSYS) {
		run->cg_born_in = false;
		pid = sys_clone(ns_clone_flags | SIGCHLD);
		if (pid > 0 && (*pidfd = sys_pidfd_open(pid)) < 0)
			die("pidfd_open %d", pid);
	}
	if (pid < 0)
		die("unshare --pid --uts --ipc --mount --fork: clone3");
	if (pid > 0 && cgfd >= 0)
		close(cgfd);
	return pid;
}

/* Slide 27: mount propagation — replaces: unshare's implied --propagation private
 *
 * A new mount namespace starts as a copy of the host's, and its mounts may still
 * be "shared" with the host's (systemd makes / shared). A mount made in the
 * container would then appear on the host too. util-linux unshare makes /
 * recursively private before it runs the command; that is the only reason the
 * shell version's mounts do not leak to the host. runb must do this itself,
 * before any other mount.
 */
static void fs_make_private(const struct config *cfg)
{
	trace(cfg->tr, 27, "unshare --mount (--propagation private, implied)",
	      "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private: mount --make-rprivate /");
}

/* Slide 28: cgroup — replaces: cgclassify -g "$CGROUP_CONTROLLERS:$CONTAINER_NAME" $$
 *
 * Before it does anything else, the child moves itself into its cgroup(s) by
 * writing "0", which means the writing process. Then all that it does and
 * starts is accounted and limited, since its children inherit the cgroup. On
 * v1 it writes to "tasks", which moves one thread (the child has only one)
 * without the lock that cgroup.procs takes for a whole process, a wait of
 * ~10 ms. On v2 the child was born in its cgroup (clone3 with
 * CLONE_INTO_CGROUP, slide 27), unless the kernel lacks clone3.
 */
static void cg_join(const struct config *cfg, const struct run *run)
{
	char path[PATH_MAX];

	if (run->cg_born_in) {
		cg_path(cfg->name, true, NULL, NULL, path);
		trace(cfg->tr, 28, "cgclassify -g cpu,memory,pids:NAME $$",
		      "already in %s: born there (clone3 CLONE_INTO_CGROUP)", path);
		return;
	}
	for (size_t i = 0; i < (run->cg_v2 ? 1 : ARRAY_SIZE(cg_v1_controllers)); i++) {
		cg_path(cfg->name, run->cg_v2, cg_v1_controllers[i],
			run->cg_v2 ? "cgroup.procs" : "tasks", path);
		trace(cfg->tr, 28, "cgclassify -g cpu,memory,pids:NAME $$", "echo 0 > %s", path);
		write_file(path, "0");
	}
}

/* Slide 28: the cgroup namespace — replaces: unshare --cgroup (on slide 27)
 *
 * runb makes it only now, after cg_join(). The root of a cgroup namespace is
 * the cgroup its maker is in at that moment, so /proc/self/cgroup reads "/"
 * inside.
 */
static void ns_unshare_cgroup(const struct config *cfg)
{
	trace(cfg->tr, 28, "unshare --cgroup",
	      "unshare(CLONE_NEWCGROUP), after cgclassify: /proc/self/cgroup reads /");
	if (unshare(CLONE_NEWCGROUP) < 0)
		die("unshare --cgroup: unshare(CLONE_NEWCGROUP)");
}

/* Slides 29-30: file systems — replaces: for each row of the table,
 *     mkdir -p $ROOT_FS_DIR/<target> && mount -t <type> -o <options> <type> $ROOT_FS_DIR/<target>
 *
 * fs_mounts[] holds the slides' mounts and options. mount(2) takes the generic
 * options as MS_* flags and the file system's own options as a string; the -v
 * line shows both together, as the slide's -o. open_mount_dir() opens each
 * target inside ROOTFS without following any symlink, and runb mounts through
 * that descriptor, so a link in the rootfs cannot redirect a mount. devpts
 * "newinstance" gives the container its own pty numbering (slide 32). See
 * man 2 mount.
 * Departure: the slide's /dev has neither nosuid nor a size. runb's has both, as runc's does,
 * so it can neither fill the host's memory nor hold a setuid file.
 */
struct fs_mount {
	const char *target;     /* below ROOTFS */
	const char *type;
	unsigned long flags;
	const char *data;
	bool in_netns;          /* mounted at slide 33, once in the container's netns */
};

static const struct fs_mount fs_mounts[] = {
	{ "proc",       "proc",   MS_NOEXEC | MS_NOSUID | MS_NODEV, NULL, false },
	{ "dev",        "tmpfs",  MS_NOEXEC | MS_STRICTATIME | MS_NOSUID,
	  "mode=755,size=" DEV_TMPFS_SIZE, false },
	{ "dev/shm",    "tmpfs",  MS_NOEXEC | MS_NOSUID | MS_NODEV, "mode=1777,size=65536k", false },
	{ "dev/mqueue", "mqueue", MS_NOEXEC | MS_NOSUID | MS_NODEV, NULL, false },
	{ "dev/pts",    "devpts", MS_NOEXEC | MS_NOSUID, "newinstance,ptmxmode=0666,mode=620,gid=5",
	  false },
	{ "sys",        "sysfs",  MS_NOEXEC | MS_NOSUID | MS_NODEV | MS_RDONLY, NULL, true },
};

/* A mount's flags and data as mount(8)'s -o list, for -v and for messages. */
static const char *fs_options(const struct fs_mount *m, char buf[static 128])
{
	static const struct { unsigned long flag; const char *name; } names[] = {
		{ MS_NOEXEC, "noexec" }, { MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" },
		{ MS_STRICTATIME, "strictatime" }, { MS_RDONLY, "ro" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (m->flags & names[i].flag)
			n += snprintf(buf + n, 128 - n, "%s%s", n ? "," : "", names[i].name);
	if (m->data && n < 128)
		snprintf(buf + n, 128 - n, "%s%s", n ? "," : "", m->data);
	return buf;
}

static void fs_mount_one(const struct config *cfg, int rootfd, const struct fs_mount *m)
{
	char buf[32], opts[128];
	int fd = open_mount_dir(rootfd, m->target, cfg->rootfs);

	if (mount(m->type, fd_path(fd, buf), m->type, m->flags, m->data) < 0)
		die("mount -t %s -o %s %s %s/%s", m->type, fs_options(m, opts), m->type,
		    cfg->rootfs, m->target);
	close(fd);
}

static void fs_mount_all(const struct config *cfg, int rootfd)
{
	char opts[128];

	for (size_t i = 0; i < ARRAY_SIZE(fs_mounts); i++) {
		const struct fs_mount *m = &fs_mounts[i];

		trace(cfg->tr, i == 0 ? 29 : 30, "mkdir -p && mount -t ...",
		      "mount(\"%s\", \"%s/%s\", \"%s\", \"%s\")%s", m->type, cfg->rootfs, m->target,
		      m->type, fs_options(m, opts), m->in_netns ? " at slide 33, in the container's netns" : "");
		if (m->in_netns)
			close(open_mount_dir(rootfd, m->target, cfg->rootfs));
		else
			fs_mount_one(cfg, rootfd, m);
	}
}

/* Slide 31: device nodes — replaces: mknod -m 666 $ROOT_FS_DIR/dev/<name> c <major> <minor>
 *
 * The container's /dev is the tmpfs just mounted, so the nodes live there and
 * vanish with the container; nothing is written to ROOTFS. mknod(2) applies
 * the umask, which mknod -m does not, so fchmodat() sets 0666 afterwards.
 * Departure: the slide's seventh row, ptmx c 5 2, would open the host's ptys. runb makes
 * /dev/ptmx a link instead, at slide 32.
 */
struct dev_node {
	const char *name;
	unsigned int major, minor;
};

static const struct dev_node dev_nodes[] = {
	{ "null",    1, 3 },
	{ "zero",    1, 5 },
	{ "full",    1, 7 },
	{ "tty",     5, 0 },
	{ "random",  1, 8 },
	{ "urandom", 1, 9 },
};

static void dev_make_nodes(const struct config *cfg, int devfd)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		const struct dev_node *d = &dev_nodes[i];

		trace(cfg->tr, 31, "mknod -m 666 $ROOT_FS_DIR/dev/...",
		      "mknod(\"/dev/%s\", S_IFCHR|0666, makedev(%u, %u))",
		      d->name, d->major, d->minor);
		if (mknodat(devfd, d->name, S_IFCHR | 0666, makedev(d->major, d->minor)) < 0)
			die("mknod %s/dev/%s c %u %u", cfg->rootfs, d->name, d->major, d->minor);
		if (fchmodat(devfd, d->name, 0666, AT_SYMLINK_NOFOLLOW) < 0)
			die("chmod 666 %s/dev/%s", cfg->rootfs, d->name);
	}
}

/* Slide 32: terminal — replaces:
 *     touch $ROOT_FS_DIR/dev/pts/ptmx && mount --bind /dev/pts/ptmx $ROOT_FS_DIR/dev/pts/ptmx
 *
 * /dev/ptmx is the multiplexer that hands out ptys. The container's own devpts
 * instance (newinstance,ptmxmode=0666, slide 30) has one at pts/ptmx. See
 * man 4 pts.
 * Departure: the slide binds the host's ptmx, which allocates ptys on the host's devpts, so
 * they are missing from the container's /dev/pts. runb links /dev/ptmx to pts/ptmx, as runc
 * does.
 */
static void dev_link_ptmx(const struct config *cfg, int devfd)
{
	trace(cfg->tr, 32, "mount --bind /dev/pts/ptmx $ROOT_FS_DIR/dev/pts/ptmx",
	      "symlink(\"pts/ptmx\", \"/dev/ptmx\") (the container's own devpts)");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		die("ln -s pts/ptmx %s/dev/ptmx", cfg->rootfs);
}

/* Slide 32: I/O — replaces: ln -s /proc/self/fd $ROOT_FS_DIR/dev/fd (and stdin, stdout, stderr)
 *
 * Programs and shells open /dev/stdin and /dev/fd/N; on Linux they are
 * links into /proc/self/fd, which the container's own /proc resolves.
 */
static const struct { const char *target, *name; } dev_links[] = {
	{ "/proc/self/fd",   "fd" },
	{ "/proc/self/fd/0", "stdin" },
	{ "/proc/self/fd/1", "stdout" },
	{ "/proc/self/fd/2", "stderr" },
};

static void dev_link_stdio(const struct config *cfg, int devfd)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++) {
		trace(cfg->tr, 32, "ln -s /proc/self/fd... $ROOT_FS_DIR/dev/...",
		      "symlink(\"%s\", \"/dev/%s\")", dev_links[i].target, dev_links[i].name);
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			die("ln -s %s %s/dev/%s", dev_links[i].target, cfg->rootfs,
			    dev_links[i].name);
	}
}

/* Slide 33: host name — replaces: hostname runB
 *
 * The UTS namespace (slide 27) gives the container a host name of its own;
 * setting it does not touch the host's. runb sets --hostname, by default NAME.
 */
static void uts_set_hostname(const struct config *cfg)
{
	trace(cfg->tr, 33, "hostname runB", "sethostname(\"%s\")", cfg->hostname);
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		die("hostname %s", cfg->hostname);
}

/* Slide 33: capabilities (slides 21-23) — replaces: capsh --drop="$DROP_CAPS"
 *
 * Root's power is split into capabilities (man 7 capabilities). The bounding
 * set limits what any later execve(2) can ever grant. PR_CAPBSET_DROP needs
 * CAP_SETPCAP, and the child still has all its capabilities here, so this step
 * comes before the user switch.
 * Departure: the slide's deny-list of 23 capabilities misses newer ones (CAP_BPF,
 * CAP_PERFMON). runb uses the slide's SET_CAPS as an allow-list: it keeps exactly
 * those and drops all others, up to cap_last_cap.
 */
static const struct { int cap; const char *name; } caps_kept[] = {
	{ CAP_CHOWN,            "cap_chown" },            /* chown files in its own tree */
	{ CAP_DAC_OVERRIDE,     "cap_dac_override" },     /* root reads and writes any of its files */
	{ CAP_FOWNER,           "cap_fowner" },           /* chmod, utime on files it does not own */
	{ CAP_FSETID,           "cap_fsetid" },           /* keep setuid bits on write: risky, see README */
	{ CAP_KILL,             "cap_kill" },             /* signal its own processes of other uids */
	{ CAP_SETGID,           "cap_setgid" },           /* su, sshd, daemons dropping privileges */
	{ CAP_SETUID,           "cap_setuid" },           /* the same for the uid */
	{ CAP_SETPCAP,          "cap_setpcap" },          /* drop more caps itself (capsh, systemd) */
	{ CAP_NET_BIND_SERVICE, "cap_net_bind_service" }, /* listen on ports below 1024 */
	{ CAP_NET_RAW,          "cap_net_raw" },          /* ping; but also ARP/IP spoofing on the shared bridge */
	{ CAP_SYS_CHROOT,       "cap_sys_chroot" },       /* chroot(2): harmless only after pivot_root */
	{ CAP_MKNOD,            "cap_mknod" },            /* mknod; device rules limit their use */
	{ CAP_AUDIT_WRITE,      "cap_audit_write" },      /* login, sshd write audit records */
	{ CAP_SETFCAP,          "cap_setfcap" },          /* set file caps (setcap, dpkg): risky, see README */
	{ CAP_AUDIT_READ,       "cap_audit_read" },       /* read the audit log over netlink */
};

static uint64_t caps_kept_mask(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < ARRAY_SIZE(caps_kept); i++)
		mask |= 1ULL << caps_kept[i].cap;
	return mask;
}

static int caps_last_cap(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		die("capabilities: read /proc/sys/kernel/cap_last_cap");
	close(fd);
	return atoi(buf);
}

static void caps_drop_bounding(const struct config *cfg, uint64_t keep)
{
	int last = caps_last_cap();

	trace(cfg->tr, 33, "capsh --drop=\"$DROP_CAPS\"",
	      "prctl(PR_CAPBSET_DROP) for each of caps 0..%d not in SET_CAPS: bounding set %016llx",
	      last, (unsigned long long)keep);
	for (int cap = 0; cap <= last; cap++)
		if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			die("capsh --drop: prctl(PR_CAPBSET_DROP, %d)", cap);
}

/* Slide 33: network — replaces: exec ip netns exec $CONTAINER_NET_NS ...
 *
 * `ip netns exec` does setns(2) into the namespace bound at /run/netns/NAME,
 * then remounts /sys, because sysfs shows the network devices of the namespace
 * that mounts it. So runb mounts the slide's sysfs only here, instead of once
 * at slide 30 and again now.
 */
static void net_ns_enter(const struct config *cfg, int netns_fd, int rootfd)
{
	trace(cfg->tr, 33, "ip netns exec $CONTAINER_NET_NS",
	      "setns(open(\"" NETNS_DIR "/%s\"), CLONE_NEWNET), then mount sysfs", cfg->name);
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		die("ip netns exec %s: setns", cfg->name);
	close(netns_fd);  /* entered: the host's handle on it is not the container's to keep */
	for (size_t i = 0; i < ARRAY_SIZE(fs_mounts); i++)
		if (fs_mounts[i].in_netns)
			fs_mount_one(cfg, rootfd, &fs_mounts[i]);
}

/* Slides 19 and 33: the root switch — replaces: capsh --chroot="$ROOT_FS_DIR"
 *
 * chroot(2) changes only where path lookups start; pivot_root(2) changes the
 * root of the mount namespace. pivot_root needs the new root to be a mount
 * point, so runb first binds ROOTFS, with the mounts of slides 29-33,
 * recursively onto itself (open_tree(2) and move_mount(2), through its
 * descriptor). Then it calls pivot_root(".", ".") and detaches the old root,
 * which is now stacked beneath the new one. See man 2 pivot_root.
 * Departure: while CAP_SYS_CHROOT is kept, the slide's chroot can be escaped (chroot into a
 * subdirectory, then climb ".."). runb's pivot_root leaves the host's file system out of
 * reach, as runc's does. --chroot keeps the slide's escapable chroot, for comparison.
 */
static void root_pivot(const struct config *cfg, int rootfd)
{
	int tree;

	trace(cfg->tr, 33, "capsh --chroot=\"$ROOT_FS_DIR\"",
	      "mount --rbind %s %s; pivot_root(\".\", \".\"); umount2(\".\", MNT_DETACH)",
	      cfg->rootfs, cfg->rootfs);
	tree = sys_open_tree(rootfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
			     AT_EMPTY_PATH);
	if (tree < 0)
		die("pivot_root: mount --rbind %s: open_tree", cfg->rootfs);
	if (sys_move_mount(tree, "", rootfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("pivot_root: mount --rbind %s %s: move_mount", cfg->rootfs, cfg->rootfs);
	if (fchdir(tree) < 0)
		die("pivot_root: cd %s", cfg->rootfs);
	if (sys_pivot_root(".", ".") < 0)
		die("pivot_root %s", cfg->rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		die("pivot_root: detach the old root");
	if (chdir("/") < 0)
		die("pivot_root: chdir /");
	close(tree);
}

static void root_chroot(const struct config *cfg, int rootfd)
{
	trace(cfg->tr, 33, "capsh --chroot=\"$ROOT_FS_DIR\"",
	      "fchdir(ROOTFS); chroot(\".\") (--chroot: escapable, as in the slide)");
	if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		die("chroot %s", cfg->rootfs);
}

/* Slide 33: the user and the capability sets — replaces:
 *     capsh --inh="$SET_CAPS" --uid="$UID" --gid="$GUID"
 *
 * The steps come in the order runc and crun use, and each must come before
 * the next:
 * 1. PR_SET_KEEPCAPS, or else setuid(2) to a non-zero UID would clear the
 *    permitted set.
 * 2. The groups, then the GID, then the UID: setgroups and setgid need
 *    CAP_SETGID, which the UID change takes away from a non-root user's
 *    effective set.
 * 3. capset(2): effective = permitted = KEEP for root, and nothing for
 *    another user (the bounding set of slide 33 already holds no more).
 * So a non-root command starts with no capabilities, as under docker.
 * Departure: with the slide's --inh, files with inheritable capabilities can gain them
 * (CVE-2022-24769). runb, like moby and runc since then, leaves the inheritable set empty.
 */
static void caps_switch_user(const struct config *cfg, uint64_t keep)
{
	uint64_t caps = cfg->uid == 0 ? keep : 0;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32), .permitted = (uint32_t)(caps >> 32) },
	};

	trace(cfg->tr, 33, "capsh --inh --uid --gid",
	      "prctl(PR_SET_KEEPCAPS), setgroups(%d), setresgid(%u), setresuid(%u), capset(eff=prm=%016llx, inh=0)",
	      cfg->n_groups, (unsigned)cfg->gid, (unsigned)cfg->uid, (unsigned long long)caps);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		die("capsh: prctl(PR_SET_KEEPCAPS)");
	if (setgroups(cfg->n_groups, cfg->groups) < 0)
		die("capsh --gid: setgroups(%d)", cfg->n_groups);
	if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		die("capsh --gid=%u", (unsigned)cfg->gid);
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		die("capsh --uid=%u", (unsigned)cfg->uid);
	if (sys_capset(&hdr, data) < 0)
		die("capsh: capset");
}

/* Slide 33: run the command — replaces: capsh ... -- -c "/bin/bash"
 *
 * execve(2) with the container's environment. runb searches the container's
 * PATH as a shell would; execvp(3) would search runb's PATH instead. The
 * default command is the slide's /bin/bash, or /bin/sh when the rootfs has no
 * bash. It is looked up only now, inside the new root, so a link in the rootfs
 * resolves to where it points in the container. As a shell does, runb exits
 * with 127 when the command is not found, and with 126 when it is found but
 * cannot be executed. REPORT (beyond the slides, for runb -d) is -1, or a pipe
 * to runb: it gets "R" just before the exec, and "E" and errno after an exec
 * that failed (see watch_report(), Part II.8).
 */
static noreturn void exec_command(const struct config *cfg, int report)
{
	char *default_argv[] = { "/bin/bash", NULL };
	char *const *argv = cfg->argv ? cfg->argv : default_argv;
	char path[PATH_MAX];
	int err = ENOENT;

	if (!cfg->argv && access("/bin/bash", X_OK) < 0)
		default_argv[0] = "/bin/sh";
	trace(cfg->tr, 33, "capsh -- -c \"/bin/bash\"", "execve(\"%s\") with PATH=%s",
	      argv[0], CONTAINER_PATH);
	trace_flush(cfg->tr);
	if (cfg->tr->verbose || cfg->tr->timings) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		dprintf(cfg->tr->fd > 0 ? cfg->tr->fd : STDERR_FILENO, "[runb] timings: %lld µs the "
			"container side, from the clone to the exec\n", us_between(&cfg->tr->start, &now));
	}
	if (report >= 0 && write(report, "R", 1) != 1)
		die("write to runb's report pipe");
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, cfg->env);
		err = errno;
	} else {
		for (const char *dir = CONTAINER_PATH; *dir; dir += strcspn(dir, ":") + !!strchr(dir, ':')) {
			snprintf(path, sizeof(path), "%.*s/%s", (int)strcspn(dir, ":"), dir, argv[0]);
			execve(path, argv, cfg->env);
			if (errno != ENOENT && errno != ENOTDIR)
				err = errno;  /* remember "found but not executable" */
		}
	}
	errno = err;
	warn("exec %s", argv[0]);
	if (report >= 0 && (write(report, "E", 1) != 1 || write(report, &err, sizeof(err)) != sizeof(err)))
		die("write to runb's report pipe");
	exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

/* ======================================================================== */
/* Part II: beyond the slides. What runc, crun and docker run do for their   */
/* users that the slides' container lacks, each block saying what it stops.  */
/* ======================================================================== */

/*
 * Part II follows the container's life, as seen from the process that runs
 * the code: first the rule every process inside obeys, then runb on the host
 * before the clone, the child from the root switch to its exec, runb beside
 * the running container, and the verbs last. Each section holds its why, its
 * tables, its functions and their undo. Before the sections, the kit
 * continues with the system calls and helpers only Part II uses. The index:
 * each section, its entry points, and who calls them (test/map.bats checks
 * it against the code).
 *
 *   II.0  What a runb process inside the container may hold
 *         self_seal()                                    <- main(), runb_command_line()
 *         not_dumpable()                                 <- main()
 *         fds_keep_only()                                <- child_keep_fds(), init_start(), exec_setup()
 *   II.1  The command line
 *         parse_args()                                   <- runb_command_line()
 *         rlimits_default(), step_open()                 <- runb_start()
 *   II.2  runb's bookkeeping: locks, records, lease, ledger, crash sweep
 *         name_lock(), record_remove(), record_make()    <- runb_start()
 *         sweep_crashed_run()                            <- runb_start()
 *         sweep_crashed_runs(), net_ns_check_free()      <- runb_start()
 *         ns_join_open()                                 <- runb_start()
 *         net_ns_attach()                                <- main()
 *         ns_join_enter()                                <- child_begin()
 *         net_check_subnet_free()                        <- runb_start()
 *         net_lease(), bridge_enter(), bridge_entered()  <- main()
 *         teardown()                                     <- runb_start(), exec_run()
 *   II.3  The root: ROOTFS by its descriptor, and --overlay
 *         rootfs_open(), rootfs_warn_if_open()           <- runb_start()
 *         overlay_dir_prepare()                          <- runb_start()
 *         rootfs_hand_over()                             <- main()
 *         rootfs_take_over()                             <- child_begin()
 *         overlay_mount()                                <- container_main()
 *   II.4  cgroups beyond slide 25: the limits, the device rules
 *         cg_check_mounted()                             <- runb_start()
 *         cg_set_limits(), cg_devices()                  <- main()
 *         cg_oom_check()                                 <- runb_supervise()
 *   II.5  In the child: the file system after the root switch
 *         volumes_open()                                 <- runb_start()
 *         fs_after_root_switch()                         <- container_main()
 *         fs_mask_kernel_files(), cg_mount_inside()      <- fs_after_root_switch()
 *         user_mounts_all(), hosts_set(), dns_set()      <- fs_after_root_switch()
 *         workdir_make(), root_make_readonly()           <- fs_after_root_switch()
 *   II.6  In the child: the process, to the exec
 *         child_begin(), process_finalize()              <- container_main()
 *         child_before_exec()                            <- container_main()
 *         child_keep_fds(), ns_new_session()             <- child_begin()
 *         process_finalize()                             <- exec_setup()
 *         die_with_runb(), detach_stdio(), init_start()  <- child_before_exec()
 *         signals_default()                              <- child_before_exec(), exec_child()
 *   II.7  The terminal: -t
 *         pty_make_console()                             <- container_main()
 *         pty_send_master()                              <- exec_setup()
 *         tty_wanted()                                   <- runb_start(), exec_config()
 *         tty_get_size()                                 <- runb_handoff(), exec_run()
 *   II.8  runb beside its container: state, -d, the watcher, the wait
 *         signals_block(), fds_cloexec()                 <- runb_start(), exec_run()
 *         fds_close_inherited(), detach_start()          <- runb_start()
 *         stop_if_signalled()                            <- main()
 *         state_write(), watch_container(), state_end()  <- runb_supervise()
 *         ports_listen()                                 <- runb_start()
 *         ports_proxy_start()                            <- main()
 *         wait_container()                               <- runb_supervise(), exec_run()
 *         restart_wait()                                 <- main()
 *   II.9  The verbs: ps, exec, stop, kill, logs, wait, rm, inspect, stats
 *         verb_of(), verb_run()                          <- main()
 *         verb_sweep()                                   <- verb_run()
 *         usage()                                        <- runb_command_line()
 */

/* ------------------------------------------------------------------------ */
/* The kit, continued: system calls and helpers that only Part II uses      */
/* ------------------------------------------------------------------------ */

/* More system calls that glibc does not wrap. Each wrapper follows its man page. */
static int sys_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int sys_mount_setattr(int fd, unsigned int flags, struct mount_attr *attr)
{
	return syscall(SYS_mount_setattr, fd, "", flags | AT_EMPTY_PATH, attr, sizeof(*attr));
}

static int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static int sys_fsopen(const char *type)
{
	return syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
}

/* fsconfig(2) sets KEY to the string VALUE, or the flag KEY when VALUE is NULL. With
 * no KEY, it creates the file system. */
static int sys_fsconfig(int fd, const char *key, const char *value)
{
	return syscall(SYS_fsconfig, fd, !key ? FSCONFIG_CMD_CREATE : value ? FSCONFIG_SET_STRING :
		       FSCONFIG_SET_FLAG, key, value, 0);
}

static int sys_fsmount(int fs)
{
	return syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int sys_capget(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct *data)
{
	return syscall(SYS_capget, hdr, data);
}

static int sys_seccomp_filter(struct sock_fprog *prog)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
}

/* rt_sigaction(2) with the kernel's own struct. glibc refuses its signals 32 and 33. */
static int sys_rt_sigaction(int sig, const unsigned long act[8])
{
	return syscall(SYS_rt_sigaction, sig, act, NULL, (size_t)(_NSIG - 1) / 8);
}

/* Return true if the file system behind FD has the type MAGIC. statfs(2) reports
 * the type in f_type. */
static bool fd_is_fs(int fd, long magic)
{
	struct statfs st;

	return fstatfs(fd, &st) == 0 && st.f_type == magic;
}

/* Return the command's status as a shell reports it. This is its exit code, or
 * 128+N when signal N killed it. */
static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + WTERMSIG(wstatus);
}

/* This macro defines struct NAME, a BPF program being built, with room for at most
 * MAX instructions of TYPE. It also defines NAME_emit(), which appends one
 * instruction. NAME_emit() checks the bound first, so a table that has grown too
 * long cannot overrun the buffer. WHAT names the program's owner in the message.
 * The device rules' eBPF program and the seccomp filter's classic BPF are built so. */
#define BPF_PROGRAM(name, type, max, what)                                       \
	struct name {                                                            \
		type ins[max];                                                   \
		unsigned int len;                                                \
	};                                                                       \
	static void name##_emit(struct name *p, type one)                        \
	{                                                                        \
		if (p->len == ARRAY_SIZE(p->ins))                                \
			diex("%s: its BPF program is too long for its buffer", what); \
		p->ins[p->len++] = one;                                          \
	}

/* These functions give the containers' subnet mask and the range of the containers'
 * addresses. The bridge has the first address (see net_gateway()). The last address
 * is the broadcast address. */
static uint32_t net_mask(int prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

static uint32_t net_first_host(const struct config *cfg)
{
	return cfg->subnet + 2;
}

static uint32_t net_last_host(const struct config *cfg)
{
	return (cfg->subnet | ~net_mask(cfg->prefix)) - 1;
}

/* ------------------------------------------------------------------------ */
/* Part II.0: What a runb process inside the container may hold             */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: the invariant — replaces: nothing (the shell runs its steps
 * in one process that holds whatever its caller gave it)
 *
 * Some processes of runb's enter a namespace that the container controls.
 * They are the first process after the clone, --init's PID 1, and the
 * command of runb exec. From that moment, anything in the container may try
 * to use such a process. It may open /proc/PID/exe, fd/N, cwd or root, or
 * it may trace the process. runc's security holes came exactly this way. In
 * CVE-2024-21626, runc left a host directory descriptor open for a chdir. In
 * CVE-2019-5736, a container reopened runc's own binary for writing through
 * /proc/PID/exe. In CVE-2016-9962, a container traced runc's setup before its
 * seccomp filter was in place. So runb follows these rules:
 *   1. Such a process holds no descriptor of the host's except those that
 *      its next steps need, and it closes each one once used (fds_keep_only).
 *      It resolves every path beneath the container's root (openat2 with
 *      RESOLVE_IN_ROOT).
 *   2. It is not dumpable (PR_SET_DUMPABLE 0, which the clone inherits). So
 *      a process of the container without CAP_SYS_PTRACE can neither trace
 *      it nor open anything under its /proc/PID.
 *   3. Its /proc/PID/exe is never the host's runb. Some runb processes can be
 *      seen by a process of the container: --init's PID 1, and runb exec's
 *      command before its exec. These run from a sealed copy of runb in
 *      memory (self_seal), which nobody can write. The first process without
 *      --init does not need the copy. It execs the command before any
 *      process of the container exists (see point 4), and the copy costs
 *      about 2 ms (README, Performance).
 *   4. runb exec does its setup in a process outside the container's PID
 *      namespace, where the container cannot see it. Only a fully confined
 *      process is forked into the PID namespace. It has the container's user
 *      and capabilities, no_new_privs and seccomp, and it only execs
 *      (exec_child). runb exec is refused until the container's own command
 *      runs, and so is runb-oci exec: runb-oci start returns only once PID 1
 *      has exec'd (oci_wait_exec). So no process of the container exists
 *      while PID 1 is still doing runb's setup.
 */

/* Close every descriptor except the N descriptors in KEEP. Negative entries are ignored. */
static void fds_keep_only(const int *keep, size_t n)
{
	unsigned int lo = 0;
	int next;

	for (;;) {
		next = INT_MAX;  /* the lowest kept descriptor at or above LO */
		for (size_t i = 0; i < n; i++)
			if (keep[i] >= (int)lo && keep[i] < next)
				next = keep[i];
		if (next == INT_MAX)
			break;
		if (next > (int)lo && sys_close_range(lo, next - 1, 0) < 0)
			die("close_range(%u, %d)", lo, next - 1);
		lo = next + 1;
	}
	if (sys_close_range(lo, ~0U, 0) < 0)
		die("close_range(%u, ~0)", lo);
}

/* Make the process not dumpable. Then nobody can trace it, and only root can open
 * its /proc/PID (proc(5), PR_SET_DUMPABLE). */
static void not_dumpable(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("prctl(PR_SET_DUMPABLE, 0)");
}

/* A process that can ptrace, or that holds CAP_SYS_PTRACE, can read the
 * /proc/PID/environ and /proc/PID/cmdline of the processes it sees. In a clone of
 * runb, these hold the caller's own environment and runb's command line with its
 * host paths. Some runb processes stay inside the container (--init's PID 1), or
 * are cloned into it (runb exec's). Such a process overwrites both with zeros once
 * it no longer needs them, and writes AS there as its name. Fields 48 to 51 of
 * /proc/self/stat tell where the two are (proc(5)). */
static void args_scrub(const char *as, int proc)
{
	unsigned long arg[2], env[2];
	char buf[1024], *p;
	int fd = openat(proc, "self/stat", O_RDONLY | O_CLOEXEC), field = 3;
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		die("open /proc/self/stat");
	close(fd);
	buf[n] = '\0';
	p = strrchr(buf, ')');  /* the command name may hold spaces and parentheses */
	for (p = p ? p + 2 : buf; *p && field < 48; p += strcspn(p, " ") + 1)
		field++;
	if (sscanf(p, "%lu %lu %lu %lu", &arg[0], &arg[1], &env[0], &env[1]) != 4 ||
	    arg[1] <= arg[0] || env[1] < env[0])
		diex("/proc/self/stat: no arg_start, arg_end, env_start, env_end");
	memset((void *)env[0], 0, env[1] - env[0]);
	memset((void *)arg[0], 0, arg[1] - arg[0]);
	snprintf((char *)arg[0], arg[1] - arg[0], "%s", as);
}

/* Return a copy of the NULL-terminated list V and of its strings, on the heap.
 * Callers make the copy before args_scrub() erases the original. */
static char **strv_dup(char *const *v)
{
	size_t n = 0;
	char **copy;

	while (v && v[n])
		n++;
	copy = calloc(n + 1, sizeof(*copy));
	if (!copy)
		die("calloc");
	for (size_t i = 0; i < n; i++)
		if (!(copy[i] = strdup(v[i])))
			die("strdup");
	return copy;
}

/* For runb exec and runb --init, runb re-executes itself from a sealed memfd
 * before it makes anything. So the /proc/PID/exe of each process that it puts
 * inside names that copy, never the file on the host. A container that opens the
 * copy can read it but never write it, as with runc's cloned binary. The copy
 * recognizes itself by its seals. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define RUNB_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int self_copy(int exe)
{
	struct stat st;
	off_t off = 0;
	int mfd = memfd_create("runb", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (mfd < 0 && errno == EINVAL)  /* Linux < 6.3 lacks MFD_EXEC, but a memfd runs */
		mfd = memfd_create("runb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		die("memfd_create for a sealed copy of runb");
	if (fstat(exe, &st) < 0)
		die("stat /proc/self/exe");
	while (off < st.st_size)
		if (sendfile(mfd, exe, &off, st.st_size - off) <= 0)
			die("copy /proc/self/exe into a memfd");
	if (fcntl(mfd, F_ADD_SEALS, RUNB_SEALS) < 0)
		die("seal runb's copy (F_ADD_SEALS)");
	return mfd;
}

static void self_seal(char **argv)
{
	int exe, mfd, seals;

#ifdef RUNB_BENCH_UNSEALED  /* scripts/bench.sh's build, to measure what the copy costs */
	return;
#endif
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		die("open /proc/self/exe");
	seals = fcntl(exe, F_GET_SEALS);  /* fails with EINVAL for a file that is not a memfd */
	if (seals >= 0 && (seals & RUNB_SEALS) == RUNB_SEALS) {
		close(exe);  /* this is the copy */
		if (prctl(PR_SET_NAME, "runb", 0, 0, 0) < 0)
			die("prctl(PR_SET_NAME)");
		return;
	}
	mfd = self_copy(exe);
	close(exe);
	fexecve(mfd, argv, environ);
	die("execute runb's sealed copy (fexecve; vm.memfd_noexec=2 forbids it)");
}

/* ------------------------------------------------------------------------ */
/* Part II.1: The command line                                              */
/* ------------------------------------------------------------------------ */

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* Parse S as a decimal number from 0 to MAX. Return false for anything else. */
static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out <= max;
}

struct caps_asked {
	uint64_t add, drop;
	bool add_all, drop_all;
};

/* This struct holds what parse_args() collects besides the description itself.
 * It holds the -e values and the capabilities asked for. Once every option has
 * been read, they become the environment and the capability set. */
struct cmdline {
	struct config *cfg;
	char **env;             /* -e KEY=VAL and --env-file's lines, in order */
	int n_env, env_cap;
	struct caps_asked caps; /* --cap-add, --cap-drop */
	bool help, version;     /* -h, -V */
};

/* Parse a size above 0, as docker reads one. A size is a number of bytes, which may
 * have decimals. It may end with a unit, which is b, k, m, g or t, alone or followed
 * by b or ib, in any case. The units are powers of 1024. Examples are 512m, 1.5g,
 * 512mb and 1GiB. */
static bool parse_size(const char *arg, unsigned long long *out)
{
	static const char units[] = "bkmgt";
	unsigned long long whole = 0, frac = 0, div = 1, unit = 1;
	const char *p = arg, *u;

	for (; isdigit((unsigned char)*p) && whole < (1ULL << 50); p++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			if (div < 1000000000ULL) {
				frac = frac * 10 + (*p - '0');
				div *= 10;
			}
	if (p == arg || !isdigit((unsigned char)arg[0]))
		return false;
	if (*p && (u = strchr(units, tolower((unsigned char)*p)))) {
		for (long i = u - units; i > 0; i--)
			unit <<= 10;
		p++;
		if (u != units && (strcasecmp(p, "b") == 0 || strcasecmp(p, "ib") == 0))
			p += strlen(p);
	}
	if (*p || whole > (1ULL << 62) / unit)
		return false;
	*out = whole * unit + frac * unit / div;
	return *out > 0;
}

/* -m/--memory SIZE */
static void parse_memory(struct cmdline *cl, const char *arg)
{
	unsigned long long n;

	if (!parse_size(arg, &n))
		diex("invalid --memory '%s': expected bytes, or a number with k, m or g (512m, 1.5g)", arg);
	if (n < (1ULL << 20))
		diex("invalid --memory '%s': the minimum is 1m", arg);
	cl->cfg->memory = n;
}

/* --memory-swap SIZE: memory and swap together, as docker reads it; -1: swap without
 * limit. runb's default is no swap on top of --memory. */
static void parse_memory_swap(struct cmdline *cl, const char *arg)
{
	unsigned long long n;

	if (strcmp(arg, "-1") == 0) {
		cl->cfg->memory_swap = -1;
		return;
	}
	if (!parse_size(arg, &n) || n > INT64_MAX)
		diex("invalid --memory-swap '%s': expected bytes, or a number with k, m or g; or -1", arg);
	cl->cfg->memory_swap = n;
}

/* The signals runb knows by name, for --stop-signal, runb kill -s and runb stop -s. */
static const struct { const char *name; int sig; } signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "WINCH", SIGWINCH }, { "ALRM", SIGALRM }, { "PWR", SIGPWR },
};

/* Parse a signal given by name (TERM or SIGTERM, in any case) or by number. WHAT
 * names the option. */
static int parse_signal(const char *what, const char *arg)
{
	const char *name = strncasecmp(arg, "SIG", 3) == 0 ? arg + 3 : arg;
	unsigned long n;

	if (parse_ulong(arg, NSIG - 1, &n) && n > 0)
		return n;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (strcasecmp(name, signal_names[i].name) == 0)
			return signal_names[i].sig;
	diex("%s: invalid signal '%s' (TERM, KILL, HUP, INT, USR1, ... or a number)", what, arg);
}

/* Return SIG as docker's inspect shows it. This is a name such as SIGTERM, or else
 * the number. */
static const char *signal_name(int sig, char buf[static 16])
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (signal_names[i].sig == sig) {
			snprintf(buf, 16, "SIG%s", signal_names[i].name);
			return buf;
		}
	snprintf(buf, 16, "%d", sig);
	return buf;
}

/* --cpus N takes a decimal number of CPUs. runb sets it as a CFS quota per 100 ms
 * period. For example, 0.5 gives 50000 µs of CPU time in every 100000 µs. */
/* --cpu-shares N: the CPU weight against other cgroups, as docker's -c (v1's cpu.shares;
 * v2's cpu.weight, converted as runc converts it). */
static void opt_cpu_shares(struct cmdline *cl, const char *v)
{
	unsigned long n;

	if (!parse_ulong(v, 262144, &n) || n < 2)
		diex("invalid --cpu-shares '%s': expected 2 to 262144 (docker's default: 1024)", v);
	cl->cfg->cpu_shares = n;
}

static void parse_cpus(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	unsigned long whole = 0, frac = 0, scale = CG_CPU_PERIOD;
	const char *p = arg;

	if (!isdigit((unsigned char)*p) && *p != '.')
		goto bad;
	for (; isdigit((unsigned char)*p); p++)
		if ((whole = whole * 10 + (*p - '0')) > 1024)
			goto bad;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++) {
			scale /= 10;
			if (scale == 0)
				goto bad;  /* finer than 1 µs */
			frac += (*p - '0') * scale;
		}
	if (*p || p == arg)
		goto bad;
	cfg->cpu_quota = whole * CG_CPU_PERIOD + frac;
	if (cfg->cpu_quota < 1000)  /* the kernel's minimum quota is 1 ms */
		goto bad;
	if (cfg->cpu_quota > (unsigned long)sysconf(_SC_NPROCESSORS_ONLN) * CG_CPU_PERIOD)
		diex("invalid --cpus '%s': this machine has %ld CPUs online (from 0.01 to %ld)", arg,
		     sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_ONLN));
	return;
bad:
	diex("invalid --cpus '%s': expected a decimal from 0.01 to 1024", arg);
}

static void parse_ip(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	if (inet_pton(AF_INET, arg, &cfg->ip) != 1)
		diex("invalid --ip '%s': expected an IPv4 address", arg);
	cfg->ip_asked = true;
}

/* --ip must lie in the containers' range of the subnet. This is checked once --subnet
 * is known too. */
static void check_ip(const struct config *cfg)
{
	uint32_t a = ntohl(cfg->ip.s_addr);
	char first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN];

	if (!cfg->ip_asked || (a >= net_first_host(cfg) && a <= net_last_host(cfg)))
		return;
	inet_ntop(AF_INET, &(struct in_addr){ htonl(net_first_host(cfg)) }, first, sizeof(first));
	inet_ntop(AF_INET, &(struct in_addr){ htonl(net_last_host(cfg)) }, last, sizeof(last));
	diex("invalid --ip '%s': outside the containers' range %s-%s", inet_ntoa(cfg->ip), first, last);
}

/* A --subnet other than the slide's gets a bridge of its own. Its name is made from the
 * network address in hex. For example, 10.99.0.0/N gets runb-0a630000. A link name has
 * 15 characters, which are too few for the address in dots. Two subnets with one network
 * address overlap, and runb refuses
 * the second (net_check_subnet_free()), so the name is unique. scripts/bridge-common.sh
 * names it the same way. */
static void bridge_name(struct config *cfg)
{
	if (cfg->subnet == NET_SUBNET && cfg->prefix == NET_PREFIX)
		snprintf(cfg->bridge, sizeof(cfg->bridge), "%s", NET_BRIDGE_NAME);
	else
		snprintf(cfg->bridge, sizeof(cfg->bridge), "runb-%08x", cfg->subnet);
}

/* --subnet A.B.C.D/N takes a private range (RFC 1918) of /24 or larger, given by its
 * network address. The slide's subnet is 10.0.0.0/24. Another subnet is for a machine
 * whose own network already uses that one (see net_check_subnet_free()). */
static void parse_subnet(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	static const struct { uint32_t net; int prefix; } private[] = {
		{ 0x0a000000u, 8 }, { 0xac100000u, 12 }, { 0xc0a80000u, 16 },
	};
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	unsigned long prefix;
	struct in_addr a;
	uint32_t net;

	if (!slash || slash - arg >= (int)sizeof(addr) || !parse_ulong(slash + 1, 32, &prefix))
		diex("invalid --subnet '%s': expected A.B.C.D/N, e.g. 10.0.0.0/24", arg);
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - arg), arg);
	if (inet_pton(AF_INET, addr, &a) != 1)
		diex("invalid --subnet '%s': expected A.B.C.D/N, e.g. 10.0.0.0/24", arg);
	net = ntohl(a.s_addr);
	if (prefix > 24)
		diex("invalid --subnet '%s': a /24 or larger (N at most 24)", arg);
	if (net & ~net_mask(prefix))
		diex("invalid --subnet '%s': not the network address of a /%lu", arg, prefix);
	for (size_t i = 0; i < ARRAY_SIZE(private); i++)
		if ((int)prefix >= private[i].prefix &&
		    (net & net_mask(private[i].prefix)) == private[i].net) {
			cfg->subnet = net;
			cfg->prefix = prefix;
			bridge_name(cfg);
			return;
		}
	diex("invalid --subnet '%s': not inside a private range (10.0.0.0/8, 172.16.0.0/12, "
	     "192.168.0.0/16)", arg);
}

/* Check a user or group name as useradd(8) takes one, or a number. It is made of
 * [A-Za-z0-9_.-], and it does not start with '-'. */
static bool user_chars(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* --user USER[:GROUP]. Each of USER and GROUP is a number or a name, and
 * user_resolve() looks names up in ROOTFS. Numbers are set here. A name is kept
 * for the lookup. */
static void parse_user(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	char uid[64];
	const char *colon = strchr(arg, ':');
	unsigned long u = 0, g = 0;
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (n == 0 || n >= sizeof(uid) || (colon && !colon[1]) || !user_chars(arg, n) ||
	    (colon && !user_chars(colon + 1, strlen(colon + 1))))
		diex("invalid --user '%s': expected USER[:GROUP], each a number or a name", arg);
	snprintf(uid, sizeof(uid), "%.*s", (int)n, arg);
	if (isdigit((unsigned char)uid[0]) && !parse_ulong(uid, UINT32_MAX - 1, &u))
		diex("invalid --user '%s': UID out of range", arg);
	if (colon && isdigit((unsigned char)colon[1]) && !parse_ulong(colon + 1, UINT32_MAX - 1, &g))
		diex("invalid --user '%s': GID out of range", arg);
	cfg->uid = u;
	cfg->gid = g;
	cfg->user = arg;
}

/* Set KEY=VALUE in ENV, replacing KEY. ENV is a NULL-terminated array with room. */
static void env_set(char **env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	int i;

	for (i = 0; env[i]; i++)
		if (strncmp(env[i], kv, klen) == 0 && env[i][klen] == '=')
			break;
	env[i] = (char *)kv;
}

/* -e KEY=VALUE sets KEY. -e KEY passes the caller's KEY, if it has one. */
static void env_add(char **env, const char *kv)
{
	if (!strchr(kv, '=')) {
		if (!getenv(kv))
			return;
		if (asprintf((char **)&kv, "%s=%s", kv, getenv(kv)) < 0)
			die("environment: asprintf");
	}
	env_set(env, kv);
}

/* runb builds the container's environment and never inherits it. It holds docker
 * run's PATH, HOSTNAME and HOME, the caller's TERM, and then each -e in order. -e KEY
 * without a value passes the caller's KEY, as docker run -e does. */
static void env_build(struct config *cfg, char **opt_env, int n_env)
{
	static const char *const fixed = "PATH=" CONTAINER_PATH;
	char **env = calloc(n_env + 5, sizeof(*env));
	const char *term = getenv("TERM");

	if (!env)
		die("environment: calloc");
	env_set(env, fixed);
	if (asprintf(&env[1], "HOSTNAME=%s", cfg->hostname) < 0)
		die("environment: asprintf");
	env_set(env, cfg->uid == 0 ? "HOME=/root" : "HOME=/");
	if (term && asprintf(&env[3], "TERM=%s", term) < 0)
		die("environment: asprintf");
	for (int i = 0; i < n_env; i++) {
		env_add(env, opt_env[i]);
		cfg->home_asked |= strncmp(opt_env[i], "HOME", 4) == 0 && strchr("=", opt_env[i][4]);
	}
	cfg->env = env;
}

/* --cap-add and --cap-drop take capabilities(7) by name, with or without CAP_, in
 * any case. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

/* Return one name as a mask. This is its bit, or every capability for ALL. */
static uint64_t parse_cap(const char *opt, const char *arg)
{
	const char *name = strncasecmp(arg, "cap_", 4) == 0 ? arg + 4 : arg;

	if (strcasecmp(name, "all") == 0)
		return ~0ULL;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return 1ULL << i;
	diex("invalid %s '%s': not a capability (capabilities(7), e.g. NET_ADMIN or ALL)", opt, arg);
}

/* Record --cap-add and --cap-drop as given. MASK gets each named capability, and
 * ALL says whether ALL was given. */

static void caps_ask(uint64_t *mask, bool *all, uint64_t cap)
{
	if (cap == ~0ULL)
		*all = true;
	else
		*mask |= cap;
}

/* Return the capabilities kept, as docker computes them (moby's TweakCapabilities).
 * With --cap-add ALL, the container keeps all of them except each --cap-drop.
 * Otherwise, with --cap-drop ALL, it keeps each --cap-add. Otherwise, it keeps the
 * slide's SET_CAPS without each --cap-drop, plus each --cap-add. */
static uint64_t caps_wanted(const struct caps_asked *a)
{
	if (a->add_all)
		return ~0ULL & ~a->drop;
	if (a->drop_all)
		return a->add;
	return (caps_kept_mask() & ~a->drop) | a->add;
}

/* Return what runb can give. These are the kernel's capabilities, but only those
 * that runb holds itself, because a sandbox may lack some. A capability named by
 * --cap-add that runb lacks is an error. The others, from SET_CAPS or ALL, are
 * given as far as runb has them. */
static uint64_t caps_usable(uint64_t wanted, uint64_t named)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t have;

	if (sys_capget(&hdr, data) < 0)
		die("capget");
	have = ((uint64_t)data[1].permitted << 32 | data[0].permitted) &
	       ((2ULL << caps_last_cap()) - 1);
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (named & wanted & ~have & (1ULL << i))
			diex("--cap-add %s: runb itself does not hold it, so cannot give it", cap_names[i]);
	return wanted & have;
}

/* --ulimit NAME=SOFT[:HARD] names setrlimit(2) resources as ulimit and docker name them. */
static const struct { const char *name; int resource; } rlimit_names[] = {
	{ "as", RLIMIT_AS },             { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },         { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },   { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },     { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },     { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

/* Parse a limit. It is a decimal number, or unlimited (or -1, as docker writes it). */
static bool parse_rlim(const char *s, rlim_t *out)
{
	unsigned long v;

	if (strcmp(s, "unlimited") == 0 || strcmp(s, "-1") == 0) {
		*out = RLIM_INFINITY;
		return true;
	}
	if (!parse_ulong(s, ULONG_MAX - 1, &v))
		return false;
	*out = v;
	return true;
}

static void parse_ulimit(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	char name[16], soft[32];
	const char *eq = strchr(arg, '='), *colon;
	struct rlimit lim;

	if (!eq || eq - arg >= (int)sizeof(name))
		diex("invalid --ulimit '%s': expected NAME=SOFT[:HARD], e.g. nofile=1024:4096", arg);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	colon = strchr(eq + 1, ':');
	snprintf(soft, sizeof(soft), "%.*s", colon ? (int)(colon - eq - 1) : (int)strlen(eq + 1), eq + 1);
	if (!parse_rlim(soft, &lim.rlim_cur) || !parse_rlim(colon ? colon + 1 : soft, &lim.rlim_max))
		diex("invalid --ulimit '%s': SOFT and HARD are numbers or unlimited", arg);
	if (lim.rlim_cur > lim.rlim_max)
		diex("invalid --ulimit '%s': the soft limit is above the hard one", arg);
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(name, rlimit_names[i].name) == 0) {
			cfg->rlimits[rlimit_names[i].resource] = lim;
			cfg->rlimits_asked |= 1u << rlimit_names[i].resource;
			return;
		}
	diex("invalid --ulimit '%s': unknown limit %s (nofile, nproc, core, memlock, stack, ...)",
	     arg, name);
}

/* Beyond the slides: the container's resource limits — replaces: the caller's, inherited
 *
 * A process inherits its parent's limits. So a container started from a
 * shell that ran `ulimit -n 256` or `ulimit -c unlimited` would get them by
 * accident. runb gives every container the same limits:
 *   - RLIMIT_NOFILE 1048576, as docker does, when the host's fs.nr_open
 *     allows it. Otherwise, the container gets the caller's limit.
 *   - No limit on processes. The pids cgroup is the limit (--pids).
 *   - The kernel's own boot values for the rest, which means no core files
 *     and 8 MiB of stack.
 *   - The host init's pending-signal limit, which the kernel sizes from the RAM.
 * Each --ulimit then overrides one of them. The child calls setrlimit(2)
 * before its capabilities go, because raising a hard limit needs
 * CAP_SYS_RESOURCE. Some sandboxes do not give runb that capability. There,
 * a default above the caller's hard limit becomes that hard limit, and an
 * --ulimit above it is an error.
 */
static void rlimits_default(struct config *cfg)
{
	static const struct { int resource; rlim_t soft, hard; } kernel[] = {
		{ RLIMIT_CORE, 0, RLIM_INFINITY },
		{ RLIMIT_STACK, 8 << 20, RLIM_INFINITY },
		{ RLIMIT_MEMLOCK, 8 << 20, 8 << 20 },
		{ RLIMIT_MSGQUEUE, 819200, 819200 },
		{ RLIMIT_NICE, 0, 0 },
		{ RLIMIT_RTPRIO, 0, 0 },
	};
	struct rlimit *r = cfg->rlimits;
	char buf[32] = "";
	int fd;

	for (int i = 0; i < RLIM_NLIMITS; i++)
		r[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	for (size_t i = 0; i < ARRAY_SIZE(kernel); i++)
		r[kernel[i].resource] = (struct rlimit){ kernel[i].soft, kernel[i].hard };
	if (prlimit(1, RLIMIT_SIGPENDING, NULL, &r[RLIMIT_SIGPENDING]) < 0)
		getrlimit(RLIMIT_SIGPENDING, &r[RLIMIT_SIGPENDING]);
	fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strtoul(buf, NULL, 10) >= 1048576) {
		r[RLIMIT_NOFILE] = (struct rlimit){ 1048576, 1048576 };
	} else {  /* the caller's hard limit for both, never its soft one, which may be lower */
		getrlimit(RLIMIT_NOFILE, &r[RLIMIT_NOFILE]);
		r[RLIMIT_NOFILE].rlim_cur = r[RLIMIT_NOFILE].rlim_max;
	}
	if (fd >= 0)
		close(fd);
}

/* --add-host NAME:IP adds a line to the container's /etc/hosts. The IP may be IPv6,
 * with colons of its own, so the name ends at the first colon. */
static void parse_add_host(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	const char *colon = strchr(arg, ':');
	unsigned char a[16];
	char *line;

	if (!colon || colon == arg || strcspn(arg, " \t#") < (size_t)(colon - arg) ||
	    (inet_pton(AF_INET, colon + 1, a) != 1 && inet_pton(AF_INET6, colon + 1, a) != 1))
		diex("invalid --add-host '%s': expected NAME:IP", arg);
	if (asprintf(&line, "%s\t%.*s\n", colon + 1, (int)(colon - arg), arg) < 0)
		die("--add-host: asprintf");
	cfg->add_hosts[cfg->n_add_hosts++] = line;
}

/* --security-opt takes no-new-privileges[=true|false], in docker's spelling, and
 * seccomp=unconfined. */
static void parse_security_opt(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	if (strcmp(arg, "no-new-privileges") == 0 || strcmp(arg, "no-new-privileges=true") == 0 ||
	    strcmp(arg, "no-new-privileges:true") == 0)
		cfg->nnp = true;
	else if (strcmp(arg, "no-new-privileges=false") == 0 ||
		 strcmp(arg, "no-new-privileges:false") == 0)
		cfg->nnp = false;
	else if (strcmp(arg, "seccomp=unconfined") == 0 || strcmp(arg, "seccomp:unconfined") == 0)
		cfg->seccomp = false;
	else
		diex("invalid --security-opt '%s': expected no-new-privileges=true|false or "
		     "seccomp=unconfined", arg);
}

/* Check a mount target inside the container. It must be absolute and not / itself.
 * It must have no "." or ".." component. It must not be in /proc or /sys, whose
 * masks protect the host. */
static void check_target(const char *opt, const char *arg, const char *path)
{
	size_t n;

	if (path[0] != '/' || path[strspn(path, "/")] == '\0')
		diex("invalid %s '%s': the container's path must be absolute, and not /", opt, arg);
	if (strlen(path) >= PATH_MAX)
		diex("invalid %s: the container's path is longer than %d bytes", opt, PATH_MAX - 1);
	for (const char *p = path; *p; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			diex("invalid %s '%s': no . or .. in the container's path", opt, arg);
	}
	n = strspn(path, "/");
	if (strncmp(path + n, "proc", 4) == 0 && (path[n + 4] == '/' || path[n + 4] == '\0'))
		diex("invalid %s '%s': nothing is mounted in /proc, whose masks protect the host", opt, arg);
	if (strncmp(path + n, "sys", 3) == 0 && (path[n + 3] == '/' || path[n + 3] == '\0'))
		diex("invalid %s '%s': nothing is mounted in /sys, whose masks protect the host", opt, arg);
}

/* The mount options --volume and --tmpfs take besides their own, as podman's -v does. */
static const struct { const char *word; unsigned attr; } mount_words[] = {
	{ "nosuid", MOUNT_ATTR_NOSUID },
	{ "nodev", MOUNT_ATTR_NODEV },
	{ "noexec", MOUNT_ATTR_NOEXEC },
};

/* Is WORD one of mount_words[]? Then add its attribute to M. */
static bool mount_word(struct user_mount *m, const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_words); i++)
		if (strcmp(word, mount_words[i].word) == 0) {
			m->attr |= mount_words[i].attr;
			return true;
		}
	return false;
}

/* --volume HOST:CONTAINER[:OPT,...], OPT one of ro, rw, nosuid, nodev, noexec */
static void parse_volume(struct cmdline *cl, const char *shown)
{
	struct config *cfg = cl->cfg;
	struct user_mount *m = &cfg->mounts[cfg->n_mounts++];
	char *arg = strdup(shown), *opts, *opt;

	if (!arg)
		die("--volume: strdup");
	m->host = arg;
	m->target = strchr(arg, ':');
	if (!m->target || m->target == arg)
		diex("invalid --volume '%s': expected HOST:CONTAINER[:ro|:rw]", shown);
	*(char *)m->target++ = '\0';
	opts = strchr(m->target, ':');
	if (opts) {
		*opts++ = '\0';
		while ((opt = strsep(&opts, ",")))  /* an empty one too, which is no option */
			if (strcmp(opt, "ro") == 0 || strcmp(opt, "rw") == 0)
				m->readonly = strcmp(opt, "ro") == 0;
			else if (!mount_word(m, opt))
				diex("invalid --volume '%s': unknown option '%s' (ro, rw, nosuid, nodev, "
				     "noexec)", shown, opt);
	}
	check_target("--volume", shown, m->target);
}

/* --tmpfs PATH[:size=N,mode=M,noexec,tmpcopyup]. N is in bytes, or it ends with k, m,
 * g or %. M is in octal. */
static void parse_tmpfs(struct cmdline *cl, const char *shown)
{
	struct config *cfg = cl->cfg;
	struct user_mount *m = &cfg->mounts[cfg->n_mounts++];
	char *arg = strdup(shown), *opts = arg ? strchr(arg, ':') : NULL, *opt, *save = NULL;
	size_t used = 0;

	if (!arg)
		die("--tmpfs: strdup");
	if (opts)
		*opts++ = '\0';
	m->target = arg;
	check_target("--tmpfs", shown, arg);
	for (opt = opts ? strtok_r(opts, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		const char *v = strchr(opt, '=') ? strchr(opt, '=') + 1 : "";

		if (mount_word(m, opt))
			continue;  /* nosuid and nodev: a tmpfs is both anyway */
		if (strcmp(opt, "tmpcopyup") == 0) {
			m->copyup = true;
			continue;
		}
		size_t digits = strspn(v, "0123456789");
		bool ok = strncmp(opt, "size=", 5) == 0 ?
			  digits > 0 && (v[digits] == '\0' || (strchr("kKmMgG%", v[digits]) && !v[digits + 1])) :
			  strncmp(opt, "mode=", 5) == 0 ?
			  *v && strspn(v, "01234567") == strlen(v) && strlen(v) <= 4 : false;

		if (!ok)
			diex("invalid --tmpfs '%s': '%s' (expected size=N[k|m|g|%%], mode=OCTAL, noexec "
			     "or tmpcopyup)", shown, opt);
		used += snprintf(m->data + used, sizeof(m->data) - used, "%s%s", used ? "," : "", opt);
		if (used >= sizeof(m->data))
			diex("invalid --tmpfs '%s': options too long", shown);
	}
}

/* Beyond the slides: -v's totals and --step — replaces: nothing */

/* --step prints a command that a learner can run in a second terminal, to look at
 * what a slide's step made. PID is the process that makes it. */
static void step_look(const struct tracer *tr, int slide, char out[static 512])
{
	int pid = tr->look_pid;

	switch (slide) {
	case 25:
		snprintf(out, 512, tr->cg_v2 ? "ls /sys/fs/cgroup/runb/%s" :
			 "ls -d /sys/fs/cgroup/*/runb/%s", tr->name);
		break;
	case 26:
		snprintf(out, 512, "ip netns list; ip -br link show type bridge_slave"
			 "; ip netns exec %s ip -br addr", tr->name);
		break;
	case 27:
		snprintf(out, 512, "ps -o pid,ppid,comm --ppid %d; ls -l /proc/%d/ns", pid, pid);
		break;
	case 28:
		snprintf(out, 512, "cat /proc/%d/cgroup", pid);
		break;
	case 29: case 30:
		snprintf(out, 512, "nsenter -t %d -m findmnt -R %s", pid, tr->rootfs);
		break;
	case 31: case 32:
		snprintf(out, 512, "nsenter -t %d -m ls -l %s/dev", pid, tr->rootfs);
		break;
	default:
		snprintf(out, 512, "nsenter -t %d -u hostname; grep Cap /proc/%d/status; "
			 "nsenter -t %d -n ip -br addr; cat /proc/%d/mountinfo", pid, pid, pid, pid);
	}
}

/* With --step, before a slide's step (once per shell line), say what comes and
 * wait for Enter on the terminal. A stop signal ends the wait and runb, as it
 * would at any other step. The signal may be ^C at the pause, or come from runb
 * to its child. It is blocked, so it is read from a signalfd beside the terminal. */
static void step_pause(struct tracer *tr, int slide, const char *shell, const char *what)
{
	struct pollfd p[2] = { { .fd = tr->tty, .events = POLLIN }, { .events = POLLIN } };
	struct signalfd_siginfo si;
	char key[160], look[512], c = 0;
	sigset_t stop;
	ssize_t n = 1;

	snprintf(key, sizeof(key), "%d %s", slide, shell);
	if (strcmp(key, tr->paused) == 0)
		return;
	snprintf(tr->paused, sizeof(tr->paused), "%s", key);
	step_look(tr, slide, look);
	dprintf(tr->tty, "\n--step: slide %d: %s\n  runb is about to: %s\n  look: %s\n"
		"  press Enter to go on ", slide, shell, what, look);
	sigemptyset(&stop);
	sigaddset(&stop, SIGHUP);  /* the stop signals that runb forwards (fwd_signals) */
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGQUIT);
	sigaddset(&stop, SIGTERM);
	p[1].fd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (p[1].fd < 0)
		die("--step: signalfd");
	while (c != '\n' && n > 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die("--step: poll the terminal");
		if (p[1].revents && read(p[1].fd, &si, sizeof(si)) == sizeof(si))
			exit(128 + si.ssi_signo);
		if (p[0].revents)
			n = read(tr->tty, &c, 1);
	}
	close(p[1].fd);
	if (n <= 0)
		diex("--step: the terminal went away");
}

/* Start the child's trace. It shows the child's steps from the clone on. For
 * --step's look commands, it also keeps the child's PID as the host sees it,
 * since the host's /proc is still there. */
static void trace_begin_child(struct tracer *tr)
{
	char self[32] = "";

	/* The child prints the clone's line, which is still pending, as in runb. So
	 * it comes out before the child's own lines, however the two are scheduled. */
	clock_gettime(CLOCK_MONOTONIC, &tr->start);
	if (tr->step && readlink("/proc/self", self, sizeof(self) - 1) > 0)
		tr->look_pid = atoi(self);
}

/* An on_exit(3) handler, in runb and in the child. It prints the last step's line.
 * In runb, with -v or --timings, it also prints where the time went. */
static void trace_at_exit(int status, void *arg)
{
	struct tracer *tr = arg;
	struct timespec now;

	(void)status;
	trace_flush(tr);
	if (!(tr->verbose || tr->timings) || !tr->cloned.tv_sec || getpid() == 1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "[runb] timings: %lld µs to the clone, %lld µs the container's life, "
		"%lld µs teardown; %lld µs in all\n", us_between(&tr->start, &tr->cloned),
		us_between(&tr->cloned, &tr->ended), us_between(&tr->ended, &now),
		us_between(&tr->start, &now));
}

/* For --step, open the terminal to wait for Enter on. Without one, refuse. */
static void step_open(const struct config *cfg)
{
	struct tracer *tr = cfg->tr;

	if (!tr->step)
		return;
	tr->tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tr->tty < 0)
		diex("--step waits for Enter on a terminal, and runb has none (/dev/tty: %s)",
		     strerror(errno));
	tr->name = cfg->name;
	tr->rootfs = cfg->rootfs;
	tr->look_pid = getpid();
	tr->pause = step_pause;
}

/* The options' setters follow, one per option that needs more than a parse_
 * function. Each reads one option's value into the description (struct config). */
static void opt_hostname(struct cmdline *cl, const char *v)
{
	if (!*v || strlen(v) > 64)
		diex("invalid --hostname '%s': 1 to 64 characters", v);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			diex("invalid --hostname: a control character (it goes into /etc/hosts)");
	cl->cfg->hostname = v;
}

/* -e KEY=VALUE, or -e KEY for the caller's KEY. KEY must not be empty. */
static void opt_env(struct cmdline *cl, const char *v)
{
	if (!*v || *v == '=')
		diex("invalid --env '%s': expected KEY=VALUE", v);
	if (cl->n_env == cl->env_cap) {
		cl->env_cap = cl->env_cap ? 2 * cl->env_cap : 16;
		cl->env = realloc(cl->env, cl->env_cap * sizeof(*cl->env));
		if (!cl->env)
			die("--env: realloc");
	}
	cl->env[cl->n_env++] = (char *)v;
}

/* --env-file FILE acts as a -e for each line, KEY=VALUE or KEY (the caller's), as
 * docker reads the file. Blank lines and lines starting with # are skipped. */
static void opt_env_file(struct cmdline *cl, const char *v)
{
	FILE *f = fopen(v, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		die("--env-file %s", v);
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[strspn(line, " \t")] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if (line[0] == '=')
			diex("invalid --env-file %s: a line without a KEY: '%s'", v, line);
		opt_env(cl, strdup(line));
	}
	free(line);
	fclose(f);
}

static void opt_dns_search(struct cmdline *cl, const char *v)
{
	if (!*v || strlen(v) > 253 || strpbrk(v, " \t\n"))
		diex("invalid --dns-search '%s': expected a domain", v);
	cl->cfg->dns_search[cl->cfg->n_dns_search++] = v;
}

static void opt_tty(struct cmdline *cl, const char *v)     { (void)v; cl->cfg->tty = 1; }

static void opt_no_tty(struct cmdline *cl, const char *v)  { (void)v; cl->cfg->tty = 0; }

static void opt_detach(struct cmdline *cl, const char *v)  { (void)v; cl->cfg->detach = true; }

static void opt_rm(struct cmdline *cl, const char *v)      { (void)v; cl->cfg->autoremove = true; }

static void opt_interactive(struct cmdline *cl, const char *v) { (void)cl; (void)v; }

static void opt_chroot(struct cmdline *cl, const char *v)  { (void)v; cl->cfg->use_chroot = true; }

static void opt_init(struct cmdline *cl, const char *v)    { (void)v; cl->cfg->init = true; }

static void opt_read_only(struct cmdline *cl, const char *v) { (void)v; cl->cfg->read_only = true; }

static void opt_verbose(struct cmdline *cl, const char *v) { (void)v; cl->cfg->tr->verbose = true; }

static void opt_step(struct cmdline *cl, const char *v)    { (void)v; cl->cfg->tr->step = true; }

static void opt_timings(struct cmdline *cl, const char *v) { (void)v; cl->cfg->tr->timings = true; }

/* ns:PATH, a namespace to join (podman's spelling): PATH absolute, as --OPT takes it. */
static void opt_join(struct cmdline *cl, int which, const char *opt, const char *v)
{
	if (strncmp(v, "ns:", 3) != 0 || v[3] != '/')
		diex("invalid %s '%s': expected ns:PATH, PATH absolute%s", opt, v,
		     which == JOIN_NET ? ", or none, bridge, container:NAME" : "");
	cl->cfg->join[which] = v + 3;
}

static void opt_net(struct cmdline *cl, const char *v)
{
	char *path;

	cl->cfg->join[JOIN_NET] = NULL;
	if (strcmp(v, "none") == 0) {
		cl->cfg->net = NET_NONE;
	} else if (strcmp(v, "bridge") == 0) {
		cl->cfg->net = NET_BRIDGE;
	} else if (strncmp(v, "container:", 10) == 0) {  /* another runb container's, as docker */
		if (!valid_name(v + 10) || asprintf(&path, "ns:" NETNS_DIR "/%s", v + 10) < 0)
			diex("invalid --net '%s': container:NAME, NAME a runb container's", v);
		cl->cfg->net = NET_NONE;
		opt_join(cl, JOIN_NET, "--net", path);
	} else {
		cl->cfg->net = NET_NONE;
		opt_join(cl, JOIN_NET, "--net", v);
	}
}

static void opt_ipc(struct cmdline *cl, const char *v) { opt_join(cl, JOIN_IPC, "--ipc", v); }

static void opt_uts(struct cmdline *cl, const char *v) { opt_join(cl, JOIN_UTS, "--uts", v); }

static void opt_dns(struct cmdline *cl, const char *v)
{
	struct in6_addr a;

	if (inet_pton(AF_INET, v, &a) != 1 && inet_pton(AF_INET6, v, &a) != 1)
		diex("invalid --dns '%s': expected an IPv4 or IPv6 address", v);
	cl->cfg->dns[cl->cfg->n_dns++] = v;
}

/* --group-add GID: a supplementary group, on top of the user's in ROOTFS's /etc/group. */
static void opt_group_add(struct cmdline *cl, const char *v)
{
	struct config *cfg = cl->cfg;
	unsigned long g;

	if (!parse_ulong(v, UINT32_MAX - 1, &g))
		diex("invalid --group-add '%s': expected a GID, a number", v);
	if (cfg->n_groups == (int)ARRAY_SIZE(cfg->groups))
		diex("--group-add %s: more than %zu groups", v, ARRAY_SIZE(cfg->groups));
	cfg->groups[cfg->n_groups++] = g;
}

/* --groups GID,GID...: exactly these supplementary groups (none: ""), and none of
 * ROOTFS's /etc/group, as an OCI runtime sets process.user.additionalGids. */
static void opt_groups(struct cmdline *cl, const char *v)
{
	char *list = strdup(v), *save = NULL;

	if (!list)
		die("--groups: strdup");
	cl->cfg->n_groups = 0;
	cl->cfg->groups_exact = true;
	for (char *g = strtok_r(list, ",", &save); g; g = strtok_r(NULL, ",", &save))
		opt_group_add(cl, g);
	free(list);
}

/* --sysctl KEY=VALUE: only the keys a container's own namespaces hold, as docker allows:
 * net.* (its network namespace), kernel.shm*, msg*, sem and fs.mqueue.* (its IPC
 * namespace). A key is a dotted name, so it can name no file outside /proc/sys. */
static void opt_sysctl(struct cmdline *cl, const char *v)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
		"kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };
	size_t klen = strcspn(v, "=");
	bool ok = strncmp(v, "net.", 4) == 0 || strncmp(v, "fs.mqueue.", 10) == 0;

	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		ok |= strlen(ipc[i]) == klen && strncmp(v, ipc[i], klen) == 0;
	for (size_t i = 0; i < klen; i++)
		ok &= isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-' ||
		      (v[i] == '.' && i > 0 && v[i - 1] != '.' && i + 1 < klen);
	if (!v[klen] || !ok || strchr(v + klen, '\n'))
		diex("invalid --sysctl '%s': expected KEY=VALUE, KEY in the container's own namespaces "
		     "(net.*, fs.mqueue.*, kernel.shm*, kernel.msg*, kernel.sem)", v);
	cl->cfg->sysctls[cl->cfg->n_sysctls++] = v;
}

static void opt_stop_timeout(struct cmdline *cl, const char *v)
{
	unsigned long t;

	if (!parse_ulong(v, 86400, &t))
		diex("invalid --stop-timeout '%s': expected seconds, 0 to 86400", v);
	cl->cfg->stop_timeout = t;
}

static void opt_stop_signal(struct cmdline *cl, const char *v)
{
	cl->cfg->stop_signal = parse_signal("--stop-signal", v);
}

/* -p [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] */
static void parse_publish(struct cmdline *cl, const char *arg)
{
	struct config *cfg = cl->cfg;
	struct port *p = &cfg->ports[cfg->n_ports];
	char ip[INET_ADDRSTRLEN] = "0.0.0.0", proto[8] = "tcp";
	unsigned int h, c;
	int n = 0;

	if (cfg->n_ports == (int)ARRAY_SIZE(cfg->ports))
		diex("-p %s: at most %zu ports", arg, ARRAY_SIZE(cfg->ports));
	bool with_ip = strchr(arg, ':') != strrchr(arg, ':');  /* two colons: IP:H:C */

	if (!(with_ip ? (sscanf(arg, "%15[0-9.]:%u:%u%n", ip, &h, &c, &n) == 3 && !arg[n]) ||
			(sscanf(arg, "%15[0-9.]:%u:%u/%7[a-z]%n", ip, &h, &c, proto, &n) == 4 && !arg[n]) :
			(sscanf(arg, "%u:%u%n", &h, &c, &n) == 2 && !arg[n]) ||
			(sscanf(arg, "%u:%u/%7[a-z]%n", &h, &c, proto, &n) == 3 && !arg[n])) ||
	    inet_pton(AF_INET, ip, &p->ip) != 1 || h == 0 || h > 65535 || c == 0 || c > 65535)
		diex("invalid -p '%s': expected [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]", arg);
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		diex("invalid -p '%s': expected /tcp or /udp after the ports", arg);
	p->host = h;
	p->ctr = c;
	p->udp = strcmp(proto, "udp") == 0;
	cfg->n_ports++;
}

/* --restart no|on-failure[:N]|always|unless-stopped */
static void opt_restart(struct cmdline *cl, const char *v)
{
	static const char *const policies[] = { "no", "on-failure", "always", "unless-stopped" };
	size_t n = strcspn(v, ":");
	unsigned long max = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policies); i++)
		if (strlen(policies[i]) == n && strncmp(v, policies[i], n) == 0)
			break;
	if (i == ARRAY_SIZE(policies) ||
	    (v[n] == ':' && (i != RESTART_ON_FAILURE || !parse_ulong(v + n + 1, INT_MAX, &max))))
		diex("invalid --restart '%s': expected no, on-failure[:N], always or unless-stopped", v);
	cl->cfg->restart = i;
	cl->cfg->restart_max = max;
}

/* --log-opt max-size=SIZE or max-file=N */
static void opt_log_opt(struct cmdline *cl, const char *v)
{
	unsigned long n;

	if (strncmp(v, "max-size=", 9) == 0 && parse_size(v + 9, &cl->cfg->log_max_size))
		return;
	if (strncmp(v, "max-file=", 9) == 0 && parse_ulong(v + 9, 100, &n) && n > 0) {
		cl->cfg->log_max_file = n;
		return;
	}
	diex("invalid --log-opt '%s': expected max-size=SIZE (k, m, g) or max-file=N (1 to 100)", v);
}

static void opt_seccomp(struct cmdline *cl, const char *v)
{
	if (strcmp(v, "unconfined") != 0 && strcmp(v, "default") != 0)
		diex("invalid --seccomp '%s': expected default or unconfined", v);
	cl->cfg->seccomp = strcmp(v, "default") == 0;
}

static void opt_pids(struct cmdline *cl, const char *v)
{
	if (strcmp(v, "unlimited") == 0)
		cl->cfg->pids = 0;
	else if (!parse_ulong(v, 4194304, &cl->cfg->pids))
		diex("invalid --pids '%s': expected a number from 0 (no limit) to 4194304, or "
		     "unlimited", v);
}

static void opt_umask(struct cmdline *cl, const char *v)
{
	unsigned long mode = 0;

	if (!*v || strlen(v) > 4 || strspn(v, "01234567") != strlen(v) ||
	    (mode = strtoul(v, NULL, 8)) > 0777)
		diex("invalid --umask '%s': expected an octal mode from 0 to 0777", v);
	cl->cfg->umask = mode;
	cl->cfg->umask_asked = true;
}

static void opt_oom_score_adj(struct cmdline *cl, const char *v)
{
	unsigned long n;

	if (!parse_ulong(v + (*v == '-'), 1000, &n))
		diex("invalid --oom-score-adj '%s': expected a number from -1000 to 1000", v);
	cl->cfg->oom_score_adj = *v == '-' ? -(int)n : (int)n;
	cl->cfg->oom_asked = true;
}

static void opt_cap_add(struct cmdline *cl, const char *v)
{
	caps_ask(&cl->caps.add, &cl->caps.add_all, parse_cap("--cap-add", v));
}

static void opt_cap_drop(struct cmdline *cl, const char *v)
{
	caps_ask(&cl->caps.drop, &cl->caps.drop_all, parse_cap("--cap-drop", v));
}

static void opt_workdir(struct cmdline *cl, const char *v)
{
	if (v[0] != '/')
		diex("invalid --workdir '%s': must be absolute", v);
	cl->cfg->workdir = v;
}

static void opt_overlay(struct cmdline *cl, const char *v)
{
	if (v && !*v)
		diex("invalid --overlay=: expected --overlay, --overlay=tmpfs or --overlay=DIR");
	cl->cfg->overlay = !v ? OVERLAY_DISK : strcmp(v, "tmpfs") == 0 ? OVERLAY_TMPFS : OVERLAY_DIR;
	cl->cfg->overlay_dir = cl->cfg->overlay == OVERLAY_DIR ? v : NULL;
}

static void opt_help(struct cmdline *cl, const char *v)    { (void)v; cl->help = true; }

static void opt_version(struct cmdline *cl, const char *v) { (void)v; cl->version = true; }

/* This table has every option of `runb NAME ROOTFS`, one row each, in --help's order.
 * getopt_long's tables and --help are made from it. README's option table says the
 * same, and a test compares them. HELP's lines are joined with \n. */
struct option_row {
	const char *name;       /* --NAME */
	char letter;            /* -L, or 0 */
	int has_arg;            /* no_argument, required_argument, optional_argument */
	const char *value;      /* what --help calls the value */
	void (*set)(struct cmdline *cl, const char *value);
	const char *help;
};

static const struct option_row options[] = {
	{ "detach", 'd', no_argument, NULL, opt_detach,
	  "run in the background: print NAME once COMMAND runs; its output\n"
	  "goes to runb logs NAME, its status to runb wait NAME" },
	{ "hostname", 0, required_argument, "H", opt_hostname, "host name in the container (default NAME)" },
	{ "user", 0, required_argument, "UID[:GID]", parse_user, "run the command as UID:GID (default 0:0)" },
	{ "group-add", 0, required_argument, "GID", opt_group_add,
	  "a supplementary group on top of the user's (repeatable)" },
	{ "groups", 0, required_argument, "GID,...", opt_groups,
	  "exactly these supplementary groups, none from ROOTFS's\n/etc/group (\"\": none)" },
	{ "env", 'e', required_argument, "KEY=VAL", opt_env, "set an environment variable (repeatable)" },
	{ "env-file", 0, required_argument, "FILE", opt_env_file,
	  "a -e for each line of FILE (KEY=VAL or KEY; # comments)" },
	{ "tty", 't', no_argument, NULL, opt_tty,
	  "a terminal of the container's own, relayed to the caller's\n"
	  "(default when stdin and stdout are terminals)" },
	{ "no-tty", 'T', no_argument, NULL, opt_no_tty, "no terminal: the container gets runb's stdin, stdout, stderr" },
	{ "interactive", 'i', no_argument, NULL, opt_interactive,
	  "accepted for docker's -i (-it): runb always passes stdin on" },
	{ "net", 0, required_argument, "none|bridge", opt_net,
	  "network: only lo, or runb-bridge (default bridge); or joined:\n"
	  "ns:PATH (a namespace file), container:NAME (runb's NAME's)" },
	{ "network", 0, required_argument, "none|bridge", opt_net, "the same as --net, as docker spells it" },
	{ "ipc", 0, required_argument, "ns:PATH", opt_ipc, "join the IPC namespace at PATH (default: one of its own)" },
	{ "uts", 0, required_argument, "ns:PATH", opt_uts,
	  "join the UTS namespace at PATH, its host name kept\n(default: one of its own)" },
	{ "ip", 0, required_argument, "ADDR", parse_ip, "the container's address (default: the lowest free in the subnet)" },
	{ "subnet", 0, required_argument, "CIDR", parse_subnet,
	  "the containers' network, a private /24 or larger (default\n"
	  "10.0.0.0/24, the slide's, on runb-bridge; another subnet gets a bridge of\n"
	  "its own, runb-XXXXXXXX, removed with its last container)" },
	{ "dns", 0, required_argument, "ADDR", opt_dns,
	  "a nameserver for /etc/resolv.conf, IPv4 or IPv6 (repeatable;\ndefault 8.8.8.8)" },
	{ "dns-search", 0, required_argument, "DOMAIN", opt_dns_search,
	  "a search domain for /etc/resolv.conf (repeatable)" },
	{ "add-host", 0, required_argument, "NAME:IP", parse_add_host, "a line of the container's /etc/hosts (repeatable)" },
	{ "sysctl", 0, required_argument, "KEY=VALUE", opt_sysctl,
	  "a kernel setting of the container's own namespaces: net.*,\n"
	  "fs.mqueue.*, kernel.shm*, kernel.msg*, kernel.sem (repeatable)" },
	{ "publish", 'p', required_argument, "[IP:]H:C[/udp]", parse_publish,
	  "relay the host's TCP (or UDP) port H to the container's\nport C (repeatable; --net none too)" },
	{ "memory", 'm', required_argument, "SIZE", parse_memory,
	  "memory limit: bytes, or with k, m, g (512m, 1.5g, 1gb; no swap on top)" },
	{ "memory-swap", 0, required_argument, "SIZE", parse_memory_swap,
	  "memory and swap together, at least -m (-1: any swap;\ndefault: -m's, no swap)" },
	{ "cpu-shares", 0, required_argument, "N", opt_cpu_shares,
	  "CPU weight against other containers (2 to 262144; 1024: even)" },
	{ "cpus", 0, required_argument, "N", parse_cpus, "CPU limit, a decimal number of CPUs (0.5: half of one)" },
	{ "pids", 0, required_argument, "N", opt_pids, "at most N processes (default 2048; 0 or unlimited: none)" },
	{ "oom-score-adj", 0, required_argument, "N", opt_oom_score_adj,
	  "the command's OOM score adjustment, -1000 to 1000\n(default: runb's own)" },
	{ "umask", 0, required_argument, "MODE", opt_umask, "the command's umask, octal (default: runb's own)" },
	{ "ulimit", 0, required_argument, "NAME=SOFT[:HARD]", parse_ulimit,
	  "a resource limit: nofile, nproc, core, stack, ...\n(repeatable; unlimited or -1 for none)" },
	{ "stop-timeout", 0, required_argument, "S", opt_stop_timeout,
	  "seconds from a forwarded SIGINT/SIGTERM/SIGHUP/SIGQUIT\n"
	  "to SIGKILL (default 10; a second signal kills at once)" },
	{ "stop-signal", 0, required_argument, "SIG", opt_stop_signal,
	  "what runb stop sends first (default TERM; postgres: INT)" },
	{ "restart", 0, required_argument, "POLICY", opt_restart,
	  "with -d: no (default), on-failure[:N], always, unless-stopped;\n"
	  "the command again after 100 ms, doubling; never after runb stop" },
	{ "rm", 0, no_argument, NULL, opt_rm, "with -d: remove the record (state, logs) when it ends" },
	{ "log-opt", 0, required_argument, "KEY=VAL", opt_log_opt,
	  "with -d: max-size=SIZE of a log file (default 20m),\n"
	  "max-file=N files kept (default 5)" },
	{ "init", 0, no_argument, NULL, opt_init, "runb's own init is PID 1: it reaps zombies, forwards signals" },
	{ "volume", 0, required_argument, "HOST:CONTAINER[:ro]", parse_volume,
	  "bind HOST's file or directory at CONTAINER (repeatable);\n"
	  "options after ':', comma-separated: ro, rw, nosuid, nodev, noexec" },
	{ "tmpfs", 0, required_argument, "PATH[:size=N,mode=M]", parse_tmpfs,
	  "a fresh tmpfs at PATH, nosuid and nodev (repeatable);\n"
	  "options: size=N[k|m|g|%], mode=OCTAL, noexec, tmpcopyup\n(PATH's files copied in)" },
	{ "read-only", 0, no_argument, NULL, opt_read_only, "the root file system read-only (/dev, /proc, volumes as they are)" },
	{ "workdir", 'w', required_argument, "DIR", opt_workdir, "where COMMAND starts (made when missing; default /)" },
	{ "overlay", 0, optional_argument, "[=tmpfs|=DIR]", opt_overlay,
	  "writes go to an overlay, not ROOTFS: on disk, removed with the\n"
	  "container; =tmpfs: in RAM; =DIR: kept in DIR/upper for the next run" },
	{ "cap-add", 0, required_argument, "CAP", opt_cap_add,
	  "a capability on top of the slide's SET_CAPS (NET_ADMIN or\n"
	  "CAP_NET_ADMIN, any case; ALL; repeatable)" },
	{ "cap-drop", 0, required_argument, "CAP", opt_cap_drop, "a capability taken away (the same names; ALL; repeatable)" },
	{ "security-opt", 0, required_argument, "no-new-privileges=false", parse_security_opt,
	  "setuid programs work (default true)" },
	{ "seccomp", 0, required_argument, "unconfined", opt_seccomp, "no seccomp filter (default: runb's filter)" },
	{ "chroot", 0, no_argument, NULL, opt_chroot, "switch root with chroot(2) as the slides do (escapable)" },
	{ "verbose", 'v', no_argument, NULL, opt_verbose, "print each step, its slide, the shell line it replaces, its time" },
	{ "step", 0, no_argument, NULL, opt_step, "before each slide's step, say what comes and wait for Enter" },
	{ "timings", 0, no_argument, NULL, opt_timings, "at the end, where the time went (also with -v)" },
	{ "help", 'h', no_argument, NULL, opt_help, "this help" },
	{ "version", 'V', no_argument, NULL, opt_version, "print the version" },
};

/* Print --help's lines for the options, such as "  -e, --env KEY=VAL  ...". The
 * text starts at column 22. */
static void options_usage(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option_row *o = &options[i];
		char head[64], letter[8] = "";
		const char *sep = o->value && o->has_arg == required_argument ? " " : "";
		int n;

		if (o->letter)
			snprintf(letter, sizeof(letter), "-%c, ", o->letter);
		n = snprintf(head, sizeof(head), "  %s--%s%s%s", letter, o->name, sep,
			     o->value ? o->value : "");
		fprintf(out, n > 19 ? "%s  " : "%-21s", head);  /* two spaces after a long head */
		for (const char *p = o->help; *p; p++)
			*p == '\n' ? fputs("\n                     ", out) : fputc(*p, out);
		fputc('\n', out);
	}
}

/* Make getopt_long's two tables from options[]. A long option's value is 256 plus its
 * row, and a short option's value is its letter. With "+", options end at NAME, so
 * COMMAND's own options pass unsplit. With ":" first, getopt_long tells a missing value
 * apart from an unknown option. */
static void options_getopt(struct option longopts[], char shortopts[])
{
	char *s = stpcpy(shortopts, "+:");

	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		longopts[i] = (struct option){ options[i].name, options[i].has_arg, NULL, 256 + (int)i };
		if (options[i].letter) {
			*s++ = options[i].letter;
			if (options[i].has_arg == required_argument)
				*s++ = ':';
		}
	}
	*s = '\0';
	longopts[ARRAY_SIZE(options)] = (struct option){ 0 };
}

/* Return the row of the option that getopt_long returned as C. */
static const struct option_row *option_row_of(int c)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (c == 256 + (int)i || (options[i].letter && c == options[i].letter))
			return &options[i];
	return NULL;
}

/* Return the option that getopt_long stopped at, for a message. It is -x (getopt's
 * optopt, which is right even in a group such as -dx), --name, or the argument as given. */
static const char *option_shown(char **argv, char buf[static 8])
{
	if (optopt > 0 && optopt < 256) {
		snprintf(buf, 8, "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

/* Return true if two container paths name the same place, such as /data and //data/. */
static bool same_target(const char *a, const char *b)
{
	for (;;) {
		a += strspn(a, "/");
		b += strspn(b, "/");
		if (!*a || !*b)
			return !*a && !*b;
		size_t n = strcspn(a, "/");

		if (n != strcspn(b, "/") || strncmp(a, b, n) != 0)
			return false;
		a += n;
		b += n;
	}
}

/* Refuse two --volume or --tmpfs options onto one target. The second would hide the
 * first. */
static void check_targets_unique(const struct config *cfg)
{
	for (int i = 0; i < cfg->n_mounts; i++)
		for (int j = i + 1; j < cfg->n_mounts; j++)
			if (same_target(cfg->mounts[i].target, cfg->mounts[j].target))
				diex("duplicate mount point %s: two --volume or --tmpfs onto one path",
				     cfg->mounts[j].target);
}

/* A docker habit can put a path where NAME goes. Return a hint that says what was meant. */
static const char *name_hint(const char *name)
{
	if (strchr(name, ':') && strchr(name, '/'))
		return " (runb's -v is --verbose; a bind mount is --volume HOST:CONTAINER)";
	if (name[0] == '/' || name[0] == '.')
		return " (an option's value? --overlay takes DIR as --overlay=DIR)";
	return "";
}

/* These checks need every option. They refuse the combinations that cannot work. */
/* A joined namespace is its owner's: runb sets nothing in it (ns_join_open). So what
 * would set something there is refused, as docker refuses -p with --network container:. */
static void check_joins(const struct config *cfg)
{
	static const char *const ipc_keys[] = { "kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue." };

	if (cfg->join[JOIN_NET] && (cfg->n_ports || cfg->ip_asked))
		diex("--net ns:PATH or container:NAME joins a network runb does not own: no -p, no --ip");
	if (cfg->join[JOIN_UTS] && cfg->hostname)
		diex("--uts ns:PATH joins a host name runb does not own: no --hostname");
	for (int i = 0; i < cfg->n_sysctls; i++) {
		bool ipc = false;

		for (size_t k = 0; k < ARRAY_SIZE(ipc_keys); k++)
			ipc |= strncmp(cfg->sysctls[i], ipc_keys[k], strlen(ipc_keys[k])) == 0;
		if ((ipc && cfg->join[JOIN_IPC]) || (!ipc && cfg->join[JOIN_NET]))
			diex("--sysctl %s: its namespace is joined (--%s ns:PATH), and runb does not own it",
			     cfg->sysctls[i], ipc ? "ipc" : "net");
	}
}

static void options_check(const struct config *cfg)
{
	check_ip(cfg);
	check_joins(cfg);
	check_targets_unique(cfg);
	if (cfg->memory_swap && (!cfg->memory || (cfg->memory_swap > 0 &&
						  (unsigned long long)cfg->memory_swap < cfg->memory)))
		diex("--memory-swap: with -m, and at least -m's (it counts memory and swap together)");
	if (cfg->use_chroot && cfg->read_only)
		diex("--read-only needs runb's pivot_root: the --chroot root is no mount to make read-only");
	if (cfg->detach && cfg->tty == 1)
		diex("-d and -t: a detached container has no terminal to relay (runb has no attach; "
		     "drop -t, and later: runb exec -it NAME sh)");
	if (cfg->detach && cfg->tr->step)
		diex("-d and --step: --step waits on the terminal that -d leaves");
	if (cfg->restart != RESTART_NO && !cfg->detach)
		diex("--restart needs -d: the supervisor that restarts the command is -d's");
	if (cfg->restart != RESTART_NO && cfg->autoremove)
		diex("--restart and --rm: a container removed at its end cannot restart (as docker)");
}

/* Read the command line into the description CFG and into CL. Return ROOTFS as given,
 * or NULL for --help and --version. CL says which of the two was given. */
static const char *parse_args(struct config *cfg, struct cmdline *cl, int argc, char **argv)
{
	struct option longopts[ARRAY_SIZE(options) + 1];
	char shortopts[3 + 2 * ARRAY_SIZE(options)], shown[8];
	int c;

	cl->cfg = cfg;
	cfg->dns = calloc(argc, sizeof(*cfg->dns));
	cfg->sysctls = calloc(argc, sizeof(*cfg->sysctls));
	cfg->dns_search = calloc(argc, sizeof(*cfg->dns_search));
	cfg->add_hosts = calloc(argc, sizeof(*cfg->add_hosts));
	cfg->mounts = calloc(argc, sizeof(*cfg->mounts));
	if (!cfg->dns || !cfg->sysctls || !cfg->dns_search || !cfg->add_hosts || !cfg->mounts)
		die("calloc");
	options_getopt(longopts, shortopts);
	optind = 0;  /* 0, not 1: glibc starts afresh, whatever parsed a command line before */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == ':')
			diex("option '%s' needs a value (see runb --help)", option_shown(argv, shown));
		if (c == '?')
			diex("unknown option '%s' (see runb --help)", option_shown(argv, shown));
		option_row_of(c)->set(cl, optarg);
		if (cl->help || cl->version)
			return NULL;  /* they win over what follows, even over errors */
	}
	options_check(cfg);
	if (argc - optind < 2) {  /* runb_start says what is missing */
		cfg->name = optind < argc ? argv[optind] : NULL;
		return NULL;
	}
	cfg->name = argv[optind];
	if (!valid_name(cfg->name))
		diex("invalid NAME '%s': 1 to 64 of [A-Za-z0-9_.-], starting with a letter or digit%s",
		     cfg->name, name_hint(cfg->name));
	if (geteuid() != 0)
		diex("must be run as root (try: sudo runb ...)");
	cfg->caps = caps_usable(caps_wanted(&cl->caps), cl->caps.add);
	if (cfg->detach)
		cfg->tty = 0;
	cfg->argv = argc - optind > 2 ? &argv[optind + 2] : NULL;
	if (!cfg->hostname)
		cfg->hostname = cfg->name;
	env_build(cfg, cl->env, cl->n_env);
	return argv[optind + 1];
}

/* ------------------------------------------------------------------------ */
/* Part II.2: runb's bookkeeping: locks, records, lease, ledger, crash sweep */
/* ------------------------------------------------------------------------ */

/* Take an exclusive flock(2) on the lock file PATH as it is. Return -1 with
 * EWOULDBLOCK when another process holds the lock. Return -1 with ENOENT when
 * there is no such file, or when it was unlinked while we locked it. A holder
 * unlinks its file before it lets go, so a lock won on an unlinked file is
 * worthless. The crash sweep takes only such locks, and it never makes a file.
 * If it made a lock file, even for a moment, a run of that NAME that started
 * then would fail with "already running". */
static int lock_existing(const char *path)
{
	struct stat held, now;
	int fd = open(path, O_RDWR | O_CLOEXEC), err;

	if (fd < 0 && errno != ENOENT)
		die("lock %s", path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno;
		close(fd);
		errno = err;
		if (err == EWOULDBLOCK)
			return -1;
		die("flock %s", path);
	}
	if (fstat(fd, &held) < 0)
		die("stat %s", path);
	if (stat(path, &now) == 0 && now.st_ino == held.st_ino && now.st_dev == held.st_dev)
		return fd;
	close(fd);
	errno = ENOENT;
	return -1;
}

/* Take an exclusive flock(2) on STATE_DIR/NAME, and make the file when there is
 * none. Return -1 with EWOULDBLOCK when another process holds the lock. A lock
 * dies with its holder, so what a crashed runb held is free again at once. Its
 * file stays, however, and EXISTED tells whether the file was there. A new file
 * is locked before it gets its name: it is made with O_TMPFILE, locked, and then
 * linked. So if anyone can take a lock file, its holder is gone. */
static int lock_file(const char *name, bool *existed)
{
	char path[PATH_MAX], fdp[32];
	int fd;

	snprintf(path, sizeof(path), STATE_DIR "/%s", name);
	for (;;) {
		fd = lock_existing(path);
		if (fd >= 0 || errno == EWOULDBLOCK) {
			*existed = true;
			return fd;
		}
		/* There is none, or it was unlinked meanwhile. Make it, lock it, name it. */
		fd = open(STATE_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) < 0)
			die("lock %s: O_TMPFILE in " STATE_DIR, path);
		if (linkat(AT_FDCWD, fd_path(fd, fdp), AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) {
			*existed = false;
			return fd;
		}
		if (errno != EEXIST)
			die("lock %s: link", path);
		close(fd);  /* someone else named one first, so take theirs */
	}
}

/* Let go of a lock_file(). Unlink the file first, then close it, which unlocks it. */
static void unlock_file(const char *name, int fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), STATE_DIR "/%s", name);
	if (unlink(path) < 0 && errno != ENOENT)
		warn("teardown: rm %s", path);
	close(fd);
}

/* Make a dump request, as ip route show or ip address show do. Send REQ with NLM_F_DUMP,
 * and hand each answer of TYPE to FN until the kernel's NLMSG_DONE. Return 0, or -1
 * with errno set. */
static int nl_dump(int fd, struct nl_req *req, int type,
		   void (*fn)(const struct nlmsghdr *nh, void *arg), void *arg)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl peer = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh;
	ssize_t n;

	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	req->nh.nlmsg_seq = 1;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&peer, sizeof(peer)) < 0)
		return -1;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return nl_ack(nh) < 0 ? -1 : 0;
			if (nh->nlmsg_type == type)
				fn(nh, arg);
		}
	}
}

/* There is one container per NAME. runb holds /run/runb/NAME.lock for the
 * container's whole life. A crash releases the lock but leaves the file. The file
 * tells the next run of NAME that there may be leftovers to sweep (CRASHED). */
static void name_lock(const struct config *cfg, struct ledger *led, bool *crashed)
{
	char path[PATH_MAX];

	if (mkdir(STATE_DIR, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", STATE_DIR);
	snprintf(path, sizeof(path), "%s.lock", cfg->name);
	led->lock_fd = lock_file(path, crashed);
	if (led->lock_fd < 0)
		diex("container %s is already running", cfg->name);
	ledger_add(led, MADE_LOCK);
}

/* The undo unlinks the lock file, then lets go of it. */
static void name_unlock(struct ledger *led)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s.lock", led->name);
	unlock_file(path, led->lock_fd);
	led->lock_fd = -1;
}

/* Beyond the slides: a record per detached container — replaces: nothing
 *
 * docker keeps a container that has stopped until docker rm. It keeps its
 * state, its exit status and its logs. runb keeps the same for a detached
 * container (-d), in the directory /var/lib/runb/NAME. That directory is on
 * disk, because /run is memory on most machines. It holds four files:
 *   - "state" has the lines of the lock file (see "a container that others
 *     can find"). At the end, it also gets the status, the end time, and
 *     whether the OOM killer struck.
 *   - "container.log" is the output, with .1, .2, ... as it rotates.
 *   - "runb.log" has the supervisor's own lines once the command runs.
 *   - "stopped" says that runb stop came, so --restart does not restart.
 * runb rm removes the record, and so does the container's end with --rm. A
 * new run of NAME replaces it. A foreground run keeps no record.
 */
static void record_path(const char *name, const char *file, char out[static PATH_MAX])
{
	snprintf(out, PATH_MAX, RECORD_DIR "/%s%s%s", name, *file ? "/" : "", file);
}

/* Open FILE of NAME's record with FLAGS. With O_CREAT, the mode is 0600. Return -1
 * when the file is missing. */
static int record_open(const char *name, const char *file, int flags)
{
	char path[PATH_MAX];
	int fd;

	record_path(name, file, path);
	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno != ENOENT)
		die("open %s", path);
	return fd;
}

/* Do rm -r /var/lib/runb/NAME. Remove its files, then the directory. Return false
 * when there was none. */
static bool record_remove(const char *name)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	record_path(name, "", path);
	d = opendir(path);
	if (!d && errno == ENOENT)
		return false;
	if (!d)
		die("rm -r %s", path);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
			warn("rm %s/%s", path, e->d_name);
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
		warn("rmdir %s", path);
	return true;
}

/* For -d, make a new record of NAME. Its state file stays open in LED until the end. */
static void record_make(const struct config *cfg, struct ledger *led)
{
	char path[PATH_MAX];

	if (mkdir(RECORD_DIR, 0700) < 0 && errno != EEXIST)
		die("mkdir %s", RECORD_DIR);
	record_path(cfg->name, "", path);
	ledger_add(led, MADE_RECORD);
	if (mkdir(path, 0700) < 0)
		die("mkdir %s", path);
	led->record_fd = record_open(cfg->name, "state", O_RDWR | O_CREAT | O_TRUNC);
	if (led->record_fd < 0)
		die("open %s/state", path);
}

/* Finish a crashed run's record. The run ended when its runb died, because the
 * watcher killed its PID 1 then, so the status is 137. The record gets that status
 * unless it has one already. With --rm, the record is removed. */
static void record_crashed(const char *name)
{
	char text[65536], line[64];
	int fd = record_open(name, "state", O_RDWR | O_APPEND);
	ssize_t n;

	if (fd < 0)
		return;
	n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	if (strstr(text, "\nautoremove=1\n")) {
		close(fd);
		record_remove(name);
		return;
	}
	snprintf(line, sizeof(line), "status=137\nfinished=%lld\n", (long long)time(NULL));
	if (!strstr(text, "\nstatus=") && write(fd, line, strlen(line)) < 0)
		warn("record %s: write the status", name);
	close(fd);
}

/* The undo keeps the record when the command ran and --rm was not given. */
static void record_end(struct ledger *led)
{
	if (led->record_fd >= 0)
		close(led->record_fd);
	led->record_fd = -1;
	if (!led->keep_record)
		record_remove(led->name);
}

/* Beyond the slides: one address per container — replaces: the fixed 10.0.0.2/24
 *
 * The slide gives every container 10.0.0.2, so a second container collides.
 * runb leases the lowest free address of the subnet. The lease is the lock of
 * the file /run/runb/ADDR, held while the container runs. A lock dies with its
 * holder, so a crashed run's address is free again at once. Two runb processes
 * that start together cannot both win one address. The file names its
 * container, for whoever looks.
 */
static void net_lease(const struct config *cfg, struct run *run, struct ledger *led)
{
	const char *lease = "";
	bool existed;
	uint32_t a;

	for (a = cfg->ip_asked ? ntohl(cfg->ip.s_addr) : net_first_host(cfg); a <= net_last_host(cfg); a++) {
		run->ip = net_addr(a);
		lease = inet_ntoa(run->ip);
		led->lease_fd = lock_file(lease, &existed);
		if (led->lease_fd >= 0 || cfg->ip_asked)
			break;
	}
	if (led->lease_fd < 0 && cfg->ip_asked)
		diex("--ip %s: the address is in use by another container", inet_ntoa(cfg->ip));
	if (led->lease_fd < 0)
		diex("no free address in the subnet: %u containers are running",
		     net_last_host(cfg) - net_first_host(cfg) + 1);
	led->lease = run->ip;
	ledger_add(led, MADE_LEASE);
	if (ftruncate(led->lease_fd, 0) < 0 || dprintf(led->lease_fd, "%s\n", cfg->name) < 0)
		die("lease " STATE_DIR "/%s", lease);
	trace(cfg->tr, 0, "(an address of its own)", "lease %s (flock " STATE_DIR "/%s)",
	      lease, lease);
}

/* The undo gives the address back. */
static void net_release(struct ledger *led)
{
	unlock_file(inet_ntoa(led->lease), led->lease_fd);
	led->lease_fd = -1;
}

/* Beyond the slides: the bridge — replaces: brctl addbr, ip addr add, ip link set up
 * (tool/setup_bridge.sh)
 *
 * On slide 26 each container is plugged into runb-bridge, which the original's
 * setup_bridge.sh made beforehand, with 10.0.0.1 on it. runb makes the bridge
 * when it is missing, so that a first run needs no script. NAT to the outside
 * stays in scripts/setup_bridge.sh.
 */

/* brctl addbr runb-bridge, done as ip link add NAME address MAC type bridge. EEXIST counts
 * as success: another runb that started at the same moment made it first.
 * Departure: brctl sets no MAC, so the bridge's MAC changes with its ports, and when a container
 * leaves, every container's ARP entry for the gateway goes stale. runb sets a fixed MAC. */
static int link_add_bridge(int fd, const char *name, const unsigned char mac[6])
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_NEWLINK,
		.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL,
		.ifi.ifi_family = AF_UNSPEC,
	};
	struct rtattr *linkinfo;

	nl_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
	nl_put(&req, IFLA_ADDRESS, mac, 6);
	linkinfo = nl_nest_begin(&req, IFLA_LINKINFO);
	nl_put(&req, IFLA_INFO_KIND, "bridge", strlen("bridge"));
	nl_nest_end(&req, linkinfo);
	if (nl_talk(fd, &req) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The network half of setup_bridge.sh: make the bridge, give it the subnet's first address,
 * and bring it up. Each step accepts "already done", so several runb can safely start at
 * once. */
static void bridge_make(const struct config *cfg, int fd)
{
	struct in_addr ip = net_addr(net_gateway(cfg));
	const unsigned char *b = (const unsigned char *)&ip.s_addr;
	const unsigned char mac[6] = { 0x02, 0, b[0], b[1], b[2], b[3] };  /* local bit + its IP */
	int bridge;

	trace(cfg->tr, 0, "brctl addbr $BRIDGE_NAME", "RTM_NEWLINK bridge %s address "
	      "02:00:%02x:%02x:%02x:%02x (exists: fine)", cfg->bridge, b[0], b[1], b[2], b[3]);
	if (link_add_bridge(fd, cfg->bridge, mac) < 0)
		die("ip link add %s type bridge", cfg->bridge);
	bridge = link_index(cfg->bridge);
	if (bridge < 0)
		die("ip link show %s", cfg->bridge);
	trace(cfg->tr, 0, "ip addr add $BRIDGE_IP/$BRIDGE_NETMASK dev $BRIDGE_NAME",
	      "RTM_NEWADDR %s/%d on %s (exists: fine)", inet_ntoa(ip), cfg->prefix, cfg->bridge);
	if (addr_add(fd, bridge, ip, cfg->prefix, true) < 0)
		die("ip address add %s/%d dev %s", inet_ntoa(ip), cfg->prefix, cfg->bridge);
	trace(cfg->tr, 0, "ip link set $BRIDGE_NAME up", "RTM_NEWLINK %s IFF_UP", cfg->bridge);
	if (link_set_up(fd, bridge) < 0)
		die("ip link set %s up", cfg->bridge);
}

/* ip link del NAME. Deleting one end of a veth deletes its peer too, and deleting a
 * bridge takes its address and route with it. ENODEV counts as success: the link is
 * gone already. */
static int link_del(int fd, const char *name)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_DELLINK,
		.ifi.ifi_family = AF_UNSPEC,
	};

	nl_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
	if (nl_talk(fd, &req) < 0 && errno != ENODEV)
		return -1;
	return 0;
}

/* Beyond the slides: a bridge per subnet — replaces: one runb-bridge for every subnet
 *
 * The containers of the slide's subnet share runb-bridge, which stays, as on
 * the slide. Each other --subnet gets a bridge of its own (bridge_name()), so
 * containers of different subnets share no link: no ARP and no broadcast
 * passes between them. runb marks a bridge it makes with the alias "runb",
 * and the last container to leave such a bridge removes it; its address and
 * route go with it. A bridge that someone else made (scripts/setup_bridge.sh)
 * stays. Joining and leaving hold the lock /run/runb/BRIDGE.bridge, so a
 * container that joins never loses its bridge to one that leaves.
 */
static int bridge_lock(const char *bridge)
{
	char path[PATH_MAX];
	struct stat held, named;
	int fd;

	snprintf(path, sizeof(path), STATE_DIR "/%s.bridge", bridge);
	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &held) < 0) {
			close(fd);
			return -1;
		}
		if (stat(path, &named) == 0 && held.st_ino == named.st_ino && held.st_dev == named.st_dev)
			return fd;
		close(fd);  /* its last holder unlinked it meanwhile: lock the new one */
	}
}

/* Unlink first, then close, which unlocks: nothing is left in /run/runb. */
static void bridge_unlock(const char *bridge, int *fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), STATE_DIR "/%s.bridge", bridge);
	if (unlink(path) < 0)
		warn("unlink %s", path);
	close(*fd);
	*fd = -1;
}

/* ip link set DEV alias TEXT. */
static int link_set_alias(int fd, int ifindex, const char *alias)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_NEWLINK,
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};

	nl_put(&req, IFLA_IFALIAS, alias, strlen(alias) + 1);
	return nl_talk(fd, &req);
}

/* Lock a --subnet's own bridge, and note whether this run makes it. */
static void bridge_lock_own(const struct config *cfg, struct ledger *led, const char *veth)
{
	led->bridge = cfg->bridge;
	snprintf(led->veth, sizeof(led->veth), "%s", veth);
	led->bridge_fd = bridge_lock(cfg->bridge);
	if (led->bridge_fd < 0)
		die("lock " STATE_DIR "/%s.bridge", cfg->bridge);
	led->bridge_made = link_index(cfg->bridge) < 0;
	ledger_add(led, MADE_BRIDGE);
	trace(cfg->tr, 0, "(a bridge of its own for --subnet)", "flock " STATE_DIR "/%s.bridge; "
	      "%s %s", cfg->bridge, led->bridge_made ? "make" : "join", cfg->bridge);
}

/* Before slide 26's host half: the bridge, locked first if it is a --subnet's own (the
 * default bridge needs no lock), and made if it is missing. A veth with this run's name
 * can exist already only if runb's PID was reused in the short time a former run's veth
 * takes to go away with its netns: runb deletes it. */
static void bridge_enter(const struct config *cfg, struct ledger *led, const char *veth)
{
	int fd;

	if (strcmp(cfg->bridge, NET_BRIDGE_NAME) != 0)
		bridge_lock_own(cfg, led, veth);
	fd = nl_open();
	bridge_make(cfg, fd);
	if (link_index(veth) >= 0 && link_del(fd, veth) < 0)
		die("ip link del %s (a former run's, of the same name)", veth);
	close(fd);
}

/* After it: mark a bridge this run made as runb's (ip link set BRIDGE alias runb), and
 * let go of the lock. */
static void bridge_entered(const struct config *cfg, struct ledger *led)
{
	int fd;

	if (led->bridge_fd < 0)
		return;
	if (led->bridge_made) {
		fd = nl_open();
		if (link_set_alias(fd, link_index(cfg->bridge), "runb") < 0)
			die("ip link set %s alias runb", cfg->bridge);
		close(fd);
	}
	bridge_unlock(led->bridge, &led->bridge_fd);
}

struct bridge_ports {
	int bridge;             /* the bridge's ifindex */
	int ports;              /* links whose master it is */
	bool runbs;             /* its alias is "runb" */
};

static void bridge_count_ports(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct bridge_ports *b = arg;
	int len = IFLA_PAYLOAD(nh);

	for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_MASTER && RTA_PAYLOAD(rta) >= sizeof(int) &&
		    *(int *)RTA_DATA(rta) == b->bridge)
			b->ports++;
		if (rta->rta_type == IFLA_IFALIAS && ifi->ifi_index == b->bridge &&
		    RTA_PAYLOAD(rta) >= 5 && memcmp(RTA_DATA(rta), "runb", 5) == 0)
			b->runbs = true;
	}
}

/* The undo: take the container's port off the bridge now (ip link del VETH), not when
 * the kernel frees its netns, then remove a bridge of runb's that has no port left: one
 * with the alias "runb", or one this run made and had no time to mark (it died while
 * joining). setup_bridge.sh clears the alias of a bridge it takes over. */
/* Remove BRIDGE when no link has it as master and it is runb's: its alias is "runb",
 * or MADE (this run made it). FD is a route socket; the caller holds the bridge's lock. */
static void bridge_remove_if_empty(int fd, const char *bridge, bool made)
{
	struct bridge_ports b = { .bridge = link_index(bridge) };
	struct nl_req links = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.ifi.ifi_family = AF_UNSPEC,
	};

	if (b.bridge < 0)
		return;
	if (nl_dump(fd, &links, RTM_NEWLINK, bridge_count_ports, &b) < 0)
		warn("ip link show master %s", bridge);
	else if (b.ports == 0 && (b.runbs || made) && link_del(fd, bridge) < 0)
		warn("ip link del %s", bridge);
}

static void bridge_leave(struct ledger *led)
{
	bool joining = led->bridge_fd >= 0;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (led->bridge_fd < 0)
		led->bridge_fd = bridge_lock(led->bridge);
	trace(led->tr, 0, "(the last container on a bridge of its own removes it)",
	      "ip link del %s; ip link del %s when it has no port left", led->veth, led->bridge);
	if (fd < 0 || led->bridge_fd < 0)
		warn("teardown: lock " STATE_DIR "/%s.bridge", led->bridge);
	else if (link_del(fd, led->veth) < 0)
		warn("teardown: ip link del %s", led->veth);
	else
		bridge_remove_if_empty(fd, led->bridge, joining && led->bridge_made);
	if (fd >= 0)
		close(fd);
	if (led->bridge_fd >= 0)
		bridge_unlock(led->bridge, &led->bridge_fd);
}

/* A run killed with SIGKILL leaves its --subnet's bridge behind, with no port once
 * the kernel has freed the run's netns. Every start removes such bridges of runb's
 * (alias "runb"), each under its lock, as bridge_leave() would have. */
struct runb_bridges {
	char names[16][IFNAMSIZ];
	int n;
};

static void bridge_find_runbs(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct runb_bridges *b = arg;
	const char *name = NULL;
	bool runbs = false;
	int len = IFLA_PAYLOAD(nh);

	for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_IFNAME)
			name = RTA_DATA(rta);
		if (rta->rta_type == IFLA_IFALIAS && RTA_PAYLOAD(rta) >= 5 &&
		    memcmp(RTA_DATA(rta), "runb", 5) == 0)
			runbs = true;
	}
	if (name && runbs && b->n < (int)ARRAY_SIZE(b->names))
		snprintf(b->names[b->n++], IFNAMSIZ, "%s", name);
}

static void bridges_sweep(void)
{
	struct runb_bridges b = { .n = 0 };
	struct nl_req links = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.ifi.ifi_family = AF_UNSPEC,
	};
	int fd = nl_open(), lock;

	if (nl_dump(fd, &links, RTM_NEWLINK, bridge_find_runbs, &b) < 0)
		die("sweep: ip link show");
	for (int i = 0; i < b.n; i++) {
		lock = bridge_lock(b.names[i]);
		if (lock < 0)
			die("sweep: lock " STATE_DIR "/%s.bridge", b.names[i]);
		bridge_remove_if_empty(fd, b.names[i], false);
		bridge_unlock(b.names[i], &lock);
	}
	close(fd);
}

/* Beyond the slides: the subnet must be free on this machine before the bridge gets the
 * subnet's first address. Suppose the machine's own network is 10.0.0.0/24. Then the bridge
 * would add a second route to it and take that network's traffic. So any address or route of
 * another interface that overlaps the subnet is a conflict, except a default route. runb
 * reads them as ip address show and ip route show do. */
struct subnet_use {
	uint32_t net;
	int prefix, bridge;
	const char *bridge_name;
	char found[96];  /* "address 10.0.0.5/24 on eth0", or empty while none is found */
};

static void subnet_overlap(struct subnet_use *u, const char *what, uint32_t a, int prefix,
			   int ifindex)
{
	int p = prefix < u->prefix ? prefix : u->prefix;
	char ifname[IF_NAMESIZE] = "?";

	if (u->found[0] || prefix == 0 || (ifindex == u->bridge && ifindex > 0) ||
	    (a & net_mask(p)) != (u->net & net_mask(p)))
		return;
	if (ifindex > 0 && !if_indextoname(ifindex, ifname))
		strcpy(ifname, "?");
	/* the bridge that another runb starting meanwhile made is ours too */
	if (strcmp(ifname, u->bridge_name) == 0)
		return;
	snprintf(u->found, sizeof(u->found), "%s %s/%d on %s", what,
		 inet_ntoa(net_addr(a)), prefix, ifname);
}

static void subnet_check_addr(const struct nlmsghdr *nh, void *arg)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	int len = IFA_PAYLOAD(nh);

	for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFA_LOCAL)
			subnet_overlap(arg, "address", ntohl(*(uint32_t *)RTA_DATA(rta)),
				       ifa->ifa_prefixlen, ifa->ifa_index);
}

static void subnet_check_route(const struct nlmsghdr *nh, void *arg)
{
	const struct rtmsg *rtm = NLMSG_DATA(nh);
	int len = RTM_PAYLOAD(nh), oif = 0;
	uint32_t dst = 0;

	if (rtm->rtm_table == RT_TABLE_LOCAL)  /* the machine's own addresses, seen above */
		return;
	for (struct rtattr *rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_DST)
			dst = ntohl(*(uint32_t *)RTA_DATA(rta));
		else if (rta->rta_type == RTA_OIF)
			oif = *(int *)RTA_DATA(rta);
	}
	subnet_overlap(arg, "route", dst, rtm->rtm_dst_len, oif);
}

static void net_check_subnet_free(const struct config *cfg)
{
	int fd = nl_open();
	struct subnet_use u = { .net = cfg->subnet, .prefix = cfg->prefix,
				.bridge = link_index(cfg->bridge), .bridge_name = cfg->bridge };
	struct nl_req addrs = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
		.nh.nlmsg_type = RTM_GETADDR,
		.ifa.ifa_family = AF_INET,
	};
	struct nl_req routes = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
		.nh.nlmsg_type = RTM_GETROUTE,
		.rtm.rtm_family = AF_INET,
	};

	trace(cfg->tr, 0, "(is the subnet free?)", "RTM_GETADDR, RTM_GETROUTE dumps: %s/%d on no "
	      "interface but %s", inet_ntoa(net_addr(cfg->subnet)), cfg->prefix, cfg->bridge);
	if (nl_dump(fd, &addrs, RTM_NEWADDR, subnet_check_addr, &u) < 0)
		die("ip address show");
	if (nl_dump(fd, &routes, RTM_NEWROUTE, subnet_check_route, &u) < 0)
		die("ip route show");
	close(fd);
	if (u.found[0])
		diex("--subnet %s/%d is already this machine's: %s; choose another with --subnet "
		     "(e.g. --subnet 10.99.0.0/24) or --net none", inet_ntoa(net_addr(cfg->subnet)),
		     cfg->prefix, u.found);
}

/* A name in /run/netns that runb did not leave is someone else's, so refuse it. */
static void net_ns_check_free(const struct config *cfg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", cfg->name);
	if (access(path, F_OK) == 0)
		diex("network namespace %s exists and was not made by runb: choose another NAME",
		     cfg->name);
}

/* Beyond the slides: namespaces joined, not made — replaces: ip netns attach NAME PID,
 * nsenter --ipc=PATH --uts=PATH
 *
 * Kubernetes starts a pod's containers in the namespaces of the pod's sandbox, and
 * docker's --network container:X puts one in another's: the engine names each by a
 * path, a /proc/PID/ns/ file or one bound as /run/netns/NAME binds one. runb opens each
 * at the start, before it makes anything, and checks that it is a namespace of the
 * kind asked (nsfs, NS_GET_NSTYPE). The network one is bound at /run/netns/NAME, as `ip
 * netns attach` binds one, in place of a new one: slide 33's enter, exec and -p find it
 * there as ever, and teardown unbinds it, which leaves the namespace to its owner. runb
 * configures nothing in it: it is someone else's. The child enters the IPC and UTS ones
 * at its first step with setns(2), leaving the new ones slide 27 made, and slide 33
 * keeps the joined UTS namespace's host name.
 */
static const struct { const char *option, *kind; int flag; } ns_joinable[JOIN_N] = {
	[JOIN_NET] = { "--net", "a network", CLONE_NEWNET },
	[JOIN_IPC] = { "--ipc", "an IPC", CLONE_NEWIPC },
	[JOIN_UTS] = { "--uts", "a UTS", CLONE_NEWUTS },
};

static void ns_join_open(const struct config *cfg, struct handoff *h)
{
	for (int i = 0; i < JOIN_N; i++) {
		h->join[i] = -1;
		if (!cfg->join[i])
			continue;
		h->join[i] = open(cfg->join[i], O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (h->join[i] < 0)
			die("%s ns:%s: open", ns_joinable[i].option, cfg->join[i]);
		if (!fd_is_fs(h->join[i], NSFS_MAGIC) ||
		    ioctl(h->join[i], NS_GET_NSTYPE) != ns_joinable[i].flag)
			diex("%s ns:%s: not %s namespace", ns_joinable[i].option, cfg->join[i],
			     ns_joinable[i].kind);
	}
}

/* The joined network namespace, bound at /run/netns/NAME; its descriptor, as
 * net_ns_add() returns the new one's. */
static int net_ns_attach(const struct config *cfg, struct ledger *led, struct handoff *h)
{
	char path[PATH_MAX], buf[32];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", cfg->name);
	trace(cfg->tr, 0, "ip netns attach NAME", "mount --bind %s %s", cfg->join[JOIN_NET], path);
	net_ns_file(path, led, "ip netns attach");
	if (mount(fd_path(h->join[JOIN_NET], buf), path, NULL, MS_BIND, NULL) < 0)
		die("ip netns attach: mount --bind %s %s", cfg->join[JOIN_NET], path);
	close(h->join[JOIN_NET]);
	h->join[JOIN_NET] = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("ip netns attach: open %s", path);
	return fd;
}

/* In the child, at its first step: enter the joined IPC and UTS namespaces. */
static void ns_join_enter(const struct config *cfg, const struct handoff *h)
{
	for (int i = JOIN_IPC; i < JOIN_N; i++) {
		if (h->join[i] < 0)
			continue;
		trace(cfg->tr, 0, "nsenter", "setns(open(\"%s\"), %s)", cfg->join[i],
		      i == JOIN_IPC ? "CLONE_NEWIPC" : "CLONE_NEWUTS");
		if (setns(h->join[i], ns_joinable[i].flag) < 0)
			die("%s ns:%s: setns", ns_joinable[i].option, cfg->join[i]);
		close(h->join[i]);
	}
}

/* Here follows the undo of each thing that runb makes on the host. The slides make
 * things and never remove them. teardown() removes them in the reverse order of the
 * making. */
/* The undo of slide 25, cgdelete, does rmdir on one cgroup. A cgroup can go only when
 * it is empty. When a crashed run left processes in it, kill them first. On v2, write
 * cgroup.kill, which kills every process in the cgroup at once. On v1, kill each pid
 * that it lists. Then try again, every CG_RMDIR_WAIT_US, CG_RMDIR_TRIES times, which
 * is a second in all. */
#define CG_RMDIR_TRIES 200
#define CG_RMDIR_WAIT_US 5000

static void cg_rmdir(const char *dir)
{
	char path[PATH_MAX + 16], pid[32];
	FILE *f;

	for (int i = 0; rmdir(dir) < 0; i++) {
		if (errno == ENOENT)
			return;
		if (errno != EBUSY || i == CG_RMDIR_TRIES) {
			warn("teardown: rmdir %s", dir);
			return;
		}
		snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
		if (access(path, F_OK) == 0) {
			write_file(path, "1");
		} else {
			snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
			if ((f = fopen(path, "re"))) {
				while (fgets(pid, sizeof(pid), f))
					kill(atoi(pid), SIGKILL);
				fclose(f);
			}
		}
		usleep(CG_RMDIR_WAIT_US);
	}
}

/* cgdelete removes NAME's cgroups, then the shared parent "runb" if it is empty now.
 * Another runb may be using the parent. Then rmdir fails, and that is fine. */
static void cg_remove(const char *name, bool v2)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < (v2 ? 1 : ARRAY_SIZE(cg_v1_controllers)); i++) {
		cg_path(name, v2, cg_v1_controllers[i], NULL, path);
		cg_rmdir(path);
		*strrchr(path, '/') = '\0';
		if (rmdir(path) < 0 && errno != ENOTEMPTY && errno != EBUSY && errno != ENOENT)
			warn("teardown: rmdir %s", path);
	}
}

/* The undo of slide 26, ip netns del, unmounts and removes /run/netns/NAME. The
 * namespace itself goes when its last process and mount are gone. */
static void net_ns_del(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		warn("teardown: umount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		warn("teardown: rm %s", path);
}

/* The undo of --overlay on disk removes its directory, /var/lib/runb/.overlay/NAME.
 * This function gives that path. */
static void overlay_disk_path(const char *name, char out[static PATH_MAX])
{
	snprintf(out, PATH_MAX, RECORD_DIR "/.overlay/%s", name);
}

/* Put into NAME the first entry of directory FD other than . and .. Return false when
 * the directory is empty. */
static bool dir_first(int fd, char name[static NAME_MAX + 1])
{
	DIR *d = fdopendir(dup(fd));
	struct dirent *e;
	bool found = false;

	if (d)
		rewinddir(d);  /* the dup shares FD's offset, so start again */
	while (d && !found && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(name, NAME_MAX + 1, "%s", e->d_name);
			found = true;
		}
	if (d)
		closedir(d);
	return found;
}

/* Do rm -r DIR by descriptor, with two descriptors open at a time, however deep DIR
 * is. Go down into the first subdirectory, and back up through ".." once it is
 * empty. A stack keeps the names on the way. Nothing is followed (O_NOFOLLOW), and no
 * other file system is entered. Only runb can reach DIR (0700), and its container
 * is gone. */
static void rm_tree(const char *path)
{
	char name[NAME_MAX + 1], (*stack)[NAME_MAX + 1] = NULL;
	int cur = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), depth = 0, up;
	struct stat top, st;

	if (cur < 0 || fstat(cur, &top) < 0)
		goto out;
	for (;;) {
		if (dir_first(cur, name)) {
			int sub;

			if (unlinkat(cur, name, 0) == 0)
				continue;
			sub = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || fstat(sub, &st) < 0 || st.st_dev != top.st_dev ||
			    !(stack = realloc(stack, (depth + 1) * sizeof(*stack)))) {
				warn("rm -r %s: %s", path, name);
				break;
			}
			memcpy(stack[depth++], name, sizeof(name));
			close(cur);
			cur = sub;
			continue;
		}
		if (depth == 0)
			break;
		up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || unlinkat(up, stack[--depth], AT_REMOVEDIR) < 0) {
			warn("rm -r %s", path);
			break;
		}
		close(cur);
		cur = up;
	}
	close(cur);
	if (depth == 0 && rmdir(path) < 0 && errno != ENOENT)
		warn("rmdir %s", path);
out:
	free(stack);
}

static void overlay_disk_remove(const char *name)
{
	char path[PATH_MAX];

	overlay_disk_path(name, path);
	rm_tree(path);
	rmdir(RECORD_DIR "/.overlay");  /* when it was the last, so nothing is left behind */
}

/* Undo what LED lists, from the last entry to the first. Each undo tolerates
 * "already gone", so a half-made step unwinds too. */
static void ledger_unwind(struct ledger *led)
{
	while (led->n > 0) {
		switch (led->made[--led->n]) {
		case MADE_TTY_RAW:
			/* TCSAFLUSH discards input that the container provoked, such as a
			 * terminal's answerback to an escape that it printed. So the caller's
			 * shell does not read that input. */
			if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &led->tty_saved) < 0)
				warn("teardown: restore the terminal's modes");
			break;
		case MADE_LEASE:
			net_release(led);
			break;
		case MADE_BRIDGE:
			bridge_leave(led);
			break;
		case MADE_RECORD:
			record_end(led);
			break;
		case MADE_OVERLAY:
			overlay_disk_remove(led->name);
			break;
		case MADE_OCI_STATE:
			rm_tree(led->oci_state);
			break;
		case MADE_PROXY:
			kill(led->proxy, SIGKILL);
			waitpid(led->proxy, NULL, 0);
			break;
		case MADE_NETNS:
			trace(led->tr, 0, "ip link del $VETH", "none: it goes with the container's netns");
			trace(led->tr, 0, "ip netns del $CONTAINER_NET_NS", "umount2(\"" NETNS_DIR
			      "/%s\", MNT_DETACH), unlink", led->name);
			net_ns_del(led->name);
			break;
		case MADE_CGROUP:
			trace(led->tr, 0, "cgdelete", "rmdir the cgroups runb/%s", led->name);
			cg_remove(led->name, led->cg_v2);
			break;
		case MADE_LOCK:
			name_unlock(led);
			break;
		}
	}
}

/* An on_exit(3) handler. Every exit of runb, die() included, unwinds its ledger.
 * The child and the watcher inherit the registration, but they skip the unwinding,
 * because they made nothing on the host. */
static void teardown(int status, void *arg)
{
	struct ledger *led = arg;

	(void)status;
	if (getpid() == led->owner)
		ledger_unwind(led);
}

/* A run of NAME died without its teardown, for example by SIGKILL or a power loss.
 * Remove what it may have left by unwinding the ledger that it would have had. All
 * of those things are named from NAME. Its container died with it (the watcher saw
 * to that), and cg_remove() kills whatever is left in its cgroup. So once the netns
 * name is gone too, the kernel removes its network namespace, and the veth with it. */
static void sweep_crashed_run(const struct ledger *live, const char *name)
{
	struct ledger dead = {
		.owner = live->owner, .name = name, .cg_v2 = live->cg_v2, .tr = live->tr,
		.lock_fd = -1, .lease_fd = -1, .bridge_fd = -1, .record_fd = -1, .n = 3,
		.made = { MADE_OVERLAY, MADE_CGROUP, MADE_NETNS },
	};

	trace(live->tr, 0, "(a crashed run left " STATE_DIR "/NAME.lock)",
	      "remove %s's netns name, cgroups, log (its veth goes with the netns)", name);
	ledger_unwind(&dead);
	record_crashed(name);
}

/* Every start looks for what crashed runs of any NAME left. If anyone can lock a lock
 * file, its runb is gone, because lock_file() links new ones in already locked. The
 * same holds for an address lease and a bridge's lock. Each of these is swept and
 * removed. A file that vanished since readdir is left alone, since lock_existing()
 * makes none. */
static void sweep_crashed_runs(const struct ledger *live)
{
	DIR *d = opendir(STATE_DIR);
	struct dirent *e;
	struct in_addr a;
	char name[80], path[PATH_MAX];
	bool lease;
	size_t len;
	int fd;

	if (!d)
		die("sweep: opendir %s", STATE_DIR);
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		/* an address lease, or a bridge's lock (bridge_lock()) */
		lease = inet_pton(AF_INET, e->d_name, &a) == 1 ||
			(len > 7 && strcmp(e->d_name + len - 7, ".bridge") == 0);
		if (!lease && (len < 6 || len > 69 || strcmp(e->d_name + len - 5, ".lock") != 0))
			continue;
		snprintf(path, sizeof(path), STATE_DIR "/%s", e->d_name);
		fd = lock_existing(path);
		if (fd < 0)
			continue;  /* a running container's file, or gone since readdir */
		snprintf(name, sizeof(name), "%.*s", (int)len - 5, e->d_name);
		if (!lease && valid_name(name))
			sweep_crashed_run(live, name);
		unlock_file(e->d_name, fd);
	}
	closedir(d);
	bridges_sweep();
}

/* ------------------------------------------------------------------------ */
/* Part II.3: The root: ROOTFS by its descriptor, and --overlay             */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: ROOTFS opened once — replaces: $ROOT_FS_DIR, named at every step
 *
 * The shell names the rootfs by its path at every step, in mkdir, mount,
 * mknod and chroot. Someone may be able to write the directory that holds
 * ROOTFS. This can be another container, when ROOTFS sits in a tree that a
 * container can write. Between two steps, they can exchange ROOTFS with a
 * link to / or to any host directory, and the container's root becomes that.
 * runb opens ROOTFS once, as given, without following a single symlink
 * (openat2(2) with RESOLVE_NO_SYMLINKS). A link on the path makes the open
 * fail, whether it was there from the start or swapped in meanwhile. From then
 * on, runb uses only the descriptor. The path in its messages is what the
 * kernel says the descriptor is. The child reaches ROOTFS through its working
 * directory. A new mount namespace carries its maker's root and working
 * directory over into its copy of the mounts. Any other descriptor keeps
 * naming the host's mounts, on which the child could not mount. So runb makes
 * ROOTFS its working directory just before the clone (rootfs_hand_over), and
 * the child opens "." (rootfs_take_over).
 */
static int rootfs_open(struct config *cfg, const char *arg)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	struct stat st, host_root;
	char fdp[32];
	ssize_t n;
	int fd;

	do
		fd = sys_openat2(AT_FDCWD, arg, &how);
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0 && errno == ENOTDIR)
		diex("ROOTFS %s: not a directory", arg);
	if (fd < 0 && errno == ELOOP)
		diex("ROOTFS %s: a symlink on its path; runb follows none there (a link can be "
		     "swapped for another): give the directory itself", arg);
	if (fd < 0)
		die("ROOTFS %s", arg);
	n = readlink(fd_path(fd, fdp), cfg->rootfs, sizeof(cfg->rootfs) - 1);
	if (n < 0)
		die("ROOTFS %s: readlink %s", arg, fdp);
	cfg->rootfs[n] = '\0';
	if (fstat(fd, &st) < 0 || stat("/", &host_root) < 0)
		die("ROOTFS %s: stat", cfg->rootfs);
	if (st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino)
		diex("ROOTFS %s: is the host's /; runb will not make it a container's root", arg);
	return fd;
}

/* Return true if ROOTFS holds PATH as a file, not a directory. PATH is looked up as
 * the container will look it up, with RESOLVE_IN_ROOT, so its links stay inside. */
static bool rootfs_has(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	struct stat st;
	int fd;

	do
		fd = sys_openat2(rootfd, path, &how);
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0)
		return false;
	fstat(fd, &st);
	close(fd);
	return !S_ISDIR(st.st_mode);
}

/* Return true if PATH is at or below a --volume or --tmpfs target. Such a target is
 * there only once the container starts. */
static bool under_a_mount(const struct config *cfg, const char *path)
{
	for (int i = 0; i < cfg->n_mounts; i++) {
		const char *t = cfg->mounts[i].target;
		size_t n = strlen(t);

		while (n > 1 && t[n - 1] == '/')
			n--;
		if (strncmp(path, t, n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

/* This check comes before anything is written into ROOTFS. The command, or
 * /bin/sh by default, must be in ROOTFS, found as the container's PATH finds it.
 * Otherwise ROOTFS is no root file system (it may be /usr, or an empty directory),
 * and runb would litter it with its mount points. runb then exits with 127, as the
 * exec would. The check is skipped for a command under a --volume or --tmpfs, and
 * with --overlay=DIR, because these may hold the command. */
static void rootfs_check_command(const struct config *cfg, int rootfd)
{
	const char *cmd = cfg->argv ? cfg->argv[0] : "/bin/sh";
	char path[PATH_MAX];
	bool found = false;

	if (cfg->overlay == OVERLAY_DIR || (strchr(cmd, '/') && cmd[0] != '/'))
		return;  /* maybe in DIR/upper, or relative to -w for the container to find */
	if (cmd[0] == '/')
		found = under_a_mount(cfg, cmd) || rootfs_has(rootfd, cmd) ||
			(!cfg->argv && rootfs_has(rootfd, "/bin/bash"));
	for (const char *d = CONTAINER_PATH; !found && cmd[0] != '/' && *d;
	     d += strcspn(d, ":") + (d[strcspn(d, ":")] == ':')) {
		snprintf(path, sizeof(path), "%.*s/%s", (int)strcspn(d, ":"), d, cmd);
		found = under_a_mount(cfg, path) || rootfs_has(rootfd, path);
	}
	if (!found) {
		errno = 0;
		warn("exec %s: executable file not found in ROOTFS %s (is it a root file system?)", cmd,
		     cfg->rootfs);  /* runc's words, which docker maps to 127 */
		exit(EXIT_NOT_FOUND);
	}
}

/* Beyond the slides: --user by name — replaces: capsh --uid=N --gid=N (numbers)
 *
 * docker finds a user named in --user in the image's /etc/passwd, and the
 * groups that it is a member of in /etc/group. Its HOME comes from there too.
 * runb reads both files beneath the container's root, before anything is made.
 * It uses RESOLVE_IN_ROOT, so a link in the image stays inside it. A USER given
 * as a number is looked up only for its primary group and HOME. Without an
 * entry, it gets group 0 and HOME=/, as in docker. The supplementary groups go
 * to setgroups(2) on slide 33, where the slide sets none.
 */
/* Open a regular file of the container's for reading. O_NONBLOCK is used because a
 * FIFO there would hold runb forever. A FIFO is refused anyway, as is anything but a
 * regular file. */
static FILE *rootfs_fopen(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	struct stat st;
	char fdp[32];
	FILE *f;
	int o, fd;

	do  /* looked at first, then read (O_PATH opens nothing, so no device's open runs) */
		o = sys_openat2(rootfd, path, &how);
	while (o < 0 && errno == EAGAIN);
	if (o < 0)
		return NULL;
	if (fstat(o, &st) < 0 || !S_ISREG(st.st_mode) || fd_is_fs(o, PROC_SUPER_MAGIC) ||
	    fd_is_fs(o, SYSFS_MAGIC))
		diex("%s in the container's root is not a regular file of its own", path);
	fd = open(fd_path(o, fdp), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {  /* the container's /proc in runb exec's setup lacks it */
		struct stat again;

		how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
		fd = sys_openat2(rootfd, path, &how);
		if (fd >= 0 && (fstat(fd, &again) < 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino))
			diex("%s in the container's root changed while runb read it", path);
	}
	close(o);
	f = fd < 0 ? NULL : fdopen(fd, "re");
	if (!f)
		die("open %s in the container", path);
	return f;
}

/* Read the next line of an /etc/passwd or /etc/group, and split it at ':' into F,
 * which has N fields. Return false at the end, or past the file's first MiB, as the
 * container's file may be huge. A line longer than LINE is dropped whole, and it is
 * never read as two lines. */
static bool etc_fields(FILE *f, char line[static 1024], char *fields[], int n)
{
	while (ftell(f) < (1L << 20) && fgets(line, 1024, f)) {
		int k = 0;

		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			while (ftell(f) < (1L << 20) && (c = fgetc(f)) != EOF && c != '\n')
				;  /* a line too long is skipped, within the same 1 MiB (a sparse file) */
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		for (char *p = line; k < n; k++) {
			fields[k] = p;
			p += strcspn(p, ":");
			if (*p)
				*p++ = '\0';
		}
		if (fields[0][0] && fields[0][0] != '#')
			return true;
	}
	return false;
}

/* Look up USER, a name or a UID, in ROOTFS's /etc/passwd. Return its uid, gid,
 * name and HOME. */
static bool user_lookup(int rootfd, const char *user, uid_t *uid, gid_t *gid, char name[static 64],
			char home[static 256])
{
	FILE *f = rootfs_fopen(rootfd, "/etc/passwd");
	char line[1024], *fl[7];
	bool found = false;

	unsigned long u, g;

	while (f && !found && etc_fields(f, line, fl, 7)) {
		if (!parse_ulong(fl[2], UINT32_MAX - 1, &u) || !parse_ulong(fl[3], UINT32_MAX - 1, &g))
			continue;  /* a broken entry is no user */
		if (isdigit((unsigned char)user[0]) ? u == *uid : strcmp(fl[0], user) == 0) {
			*uid = u;
			*gid = g;
			snprintf(name, 64, "%s", fl[0]);
			snprintf(home, 256, "%s", fl[5][0] ? fl[5] : "/");
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* Look up GROUP by name in /etc/group, and put its GID into CFG. Put NAME's other
 * groups into CFG's list. */
static bool groups_lookup(struct config *cfg, int rootfd, const char *group, const char *name)
{
	FILE *f = rootfs_fopen(rootfd, "/etc/group");
	char line[1024], *fl[4], members[1040], want[80];
	bool found = !group;

	snprintf(want, sizeof(want), ",%s,", name);  /* NAME among a group's members */
	while (f && etc_fields(f, line, fl, 4)) {
		unsigned long g;

		if (!parse_ulong(fl[2], UINT32_MAX - 1, &g))
			continue;
		if (group && strcmp(fl[0], group) == 0) {
			cfg->gid = g;
			found = true;
		}
		snprintf(members, sizeof(members), ",%s,", fl[3]);
		if (*name && strstr(members, want) && cfg->n_groups == (int)ARRAY_SIZE(cfg->groups))
			diex("--user %s: in more than %zu groups in ROOTFS's /etc/group", name,
			     ARRAY_SIZE(cfg->groups));
		if (*name && strstr(members, want))
			cfg->groups[cfg->n_groups++] = g;
	}
	if (f)
		fclose(f);
	return found;
}

static void user_resolve(struct config *cfg, int rootfd)
{
	const char *colon = cfg->user ? strchr(cfg->user, ':') : NULL;
	char user[64], name[64] = "", home[256] = "/", env[300];
	gid_t gid = cfg->gid;
	bool found;

	if (!cfg->user)
		return;  /* root, HOME=/root */
	snprintf(user, sizeof(user), "%.*s", colon ? (int)(colon - cfg->user) : (int)strlen(cfg->user),
		 cfg->user);
	found = user_lookup(rootfd, user, &cfg->uid, &gid, name, home);
	if (!found && !isdigit((unsigned char)user[0]))
		diex("--user %s: no such user in ROOTFS's /etc/passwd", user);
	if (!colon)
		cfg->gid = found ? gid : 0;
	if (!groups_lookup(cfg, rootfd, colon && !isdigit((unsigned char)colon[1]) ? colon + 1 : NULL,
			   cfg->groups_exact ? "" : name))
		diex("--user %s: no such group in ROOTFS's /etc/group", cfg->user);
	snprintf(env, sizeof(env), "HOME=%s", found ? home : cfg->uid == 0 ? "/root" : "/");
	if (!cfg->home_asked)
		env_set(cfg->env, strdup(env));
}

/* Beyond the slides: a ROOTFS other users can reach — replaces: nothing
 *
 * The slide's capabilities keep CAP_MKNOD, CAP_FSETID and CAP_SETFCAP. So a
 * container's root can leave a setuid-root binary or a world-writable device
 * node in ROOTFS. An unprivileged host user who can reach that path then gets
 * root. Docker keeps its trees below a root-only directory. runb warns once
 * when no directory from / down to ROOTFS is closed to other users. Such a
 * directory is owned by root, and it has no search bit for others, nor for a
 * group other than root's. runb walks upwards from the descriptor through "..",
 * never by path.
 */
static bool dir_closed_to_others(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & S_IXOTH) &&
	       (st->st_gid == 0 || !(st->st_mode & S_IXGRP));
}

/* Print the warning. It advises a directory above SHOWN, never SHOWN itself. For
 * ROOTFS, SHOWN is the container's "/", and a 0700 "/" locks out every user but root
 * inside, such as postgres, redis or www-data. Nor does it advise the directory that
 * holds SHOWN, which may be /tmp or /srv. */
static void dir_warn(const char *what, const char *shown)
{
	fprintf(stderr, "runb: warning: %s %s is open to other users (no directory on its path "
		"is closed to them): setuid binaries or device nodes a container leaves there are "
		"theirs too; keep it below a directory only root enters (mkdir -m 700 DIR; mv it "
		"into DIR), never chmod 700 %s itself (README: Security)\n", what, shown, what);
}

static void dir_warn_if_open(const char *what, const char *shown, int dirfd)
{
	struct stat st, up;
	int fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), parent;

	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s %s: stat", what, shown);
	for (;;) {
		if (dir_closed_to_others(&st))
			break;
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0)
			die("%s %s: stat a directory above it", what, shown);
		close(fd);
		fd = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {  /* "/" is its own ".." */
			dir_warn(what, shown);
			break;
		}
		st = up;
	}
	close(fd);
}

static void rootfs_warn_if_open(const struct config *cfg, int rootfd)
{
	dir_warn_if_open("ROOTFS", cfg->rootfs, rootfd);
}

/* runb calls this just before the clone. ROOTFS becomes its working directory, and
 * the child's new mount namespace translates it into its own copy (see above). */
static void rootfs_hand_over(const struct config *cfg, int rootfd)
{
	if (fchdir(rootfd) < 0)
		die("cd ROOTFS %s", cfg->rootfs);
}

/* The child calls this first thing in its mount namespace, where "." is ROOTFS. */
static int rootfs_take_over(const struct config *cfg)
{
	int fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die("open ROOTFS %s in the container's mount namespace", cfg->rootfs);
	return fd;
}

/* Beyond the slides: --overlay[=DIR] — replaces: writing into ROOTFS in place
 *
 * The slides' container writes into ROOTFS itself. Two containers on one
 * ROOTFS see each other's writes, and a second run inherits the first one's.
 * With --overlay, the container sees ROOTFS as the lower layer of an
 * overlayfs whose upper layer takes every write. So ROOTFS is never changed,
 * and many containers can share it at once, as with systemd-nspawn's and
 * bubblewrap's --overlay. With --overlay, the upper and work directories live
 * on a tmpfs made for the container, and the writes vanish with it. With
 * --overlay=DIR, they live in DIR, and DIR/upper keeps the writes for the next
 * run. The tmpfs is mounted over ROOTFS itself, in the container's mount
 * namespace, and the overlay is mounted over that. overlayfs reaches its layers
 * through /proc/self/fd, so ROOTFS is its lower layer by descriptor. This is
 * done before slide 29's mounts, which then go into the overlay.
 * overlay_mount() returns the overlay's root.
 */
/* A new file system of TYPE, mounted detached: fsopen, fsconfig for each of OPTIONS
 * (comma-separated, KEY=VALUE or a flag), fsmount, and the mount attributes ATTR
 * (MOUNT_ATTR_*). Nothing of it is in sight until move_mount attaches it, and that
 * goes through a descriptor: after the root switch no path (not even /proc/self/fd/N,
 * whose /proc a process on the host could rename away) decides where it lands. */
static int fs_detached(const char *type, const char *options, unsigned attr, const char *shown)
{
	struct mount_attr a = { .attr_set = attr };
	char opts[256], *opt, *v, *save = NULL;
	int fs = sys_fsopen(type), mnt;

	if (fs < 0)
		die("%s: fsopen %s", shown, type);
	snprintf(opts, sizeof(opts), "%s", options ? options : "");
	for (opt = strtok_r(opts, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if ((v = strchr(opt, '=')))
			*v++ = '\0';
		if (sys_fsconfig(fs, opt, v) < 0)
			die("%s: -o %s%s%s", shown, opt, v ? "=" : "", v ? v : "");
	}
	if (sys_fsconfig(fs, NULL, NULL) < 0)
		die("%s: mount -t %s", shown, type);
	mnt = sys_fsmount(fs);
	if (mnt < 0 || sys_mount_setattr(mnt, 0, &a) < 0)
		die("%s: fsmount", shown);
	close(fs);
	return mnt;
}

/* Attach the detached mount MNT over the descriptor ONTO, and let MNT go. */
static void mount_onto(int mnt, int onto, const char *shown)
{
	if (sys_move_mount(mnt, "", onto, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("%s: move_mount", shown);
	close(mnt);
}

/* Make a new mount of TYPE with fsopen, fsconfig KEY=VALUE..., fsmount, and
 * move_mount onto ONTO. */
static int mount_new(const char *type, const char *const kv[], int onto, const char *shown)
{
	int fs = sys_fsopen(type), mnt;

	if (fs < 0)
		die("%s: fsopen %s", shown, type);
	for (int i = 0; kv[i]; i += 2)
		if (sys_fsconfig(fs, kv[i], kv[i + 1]) < 0)
			die("%s: %s=%s", shown, kv[i], kv[i + 1]);
	if (sys_fsconfig(fs, NULL, NULL) < 0)
		die("%s: mount -t %s", shown, type);
	mnt = sys_fsmount(fs);
	if (mnt < 0)
		die("%s: fsmount", shown);
	close(fs);
	if (sys_move_mount(mnt, "", onto, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("%s: move_mount", shown);
	return mnt;
}

/* Open DIR as ROOTFS is opened, following no symlink on its path. DIR holds what the
 * container writes, so a directory on its path may be one that a container can write,
 * such as a shared volume. A link there would send the layers anywhere. */
static int overlay_dir_open(const char *dir, unsigned long long flags)
{
	struct open_how how = { .flags = flags | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	int fd;

	do
		fd = sys_openat2(AT_FDCWD, dir, &how);
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0 && errno == ELOOP)
		diex("--overlay=%s: a symlink on its path; runb follows none there: give the "
		     "directory itself", dir);
	if (fd < 0 && errno == ENOTDIR)
		diex("--overlay=%s: not a directory", dir);
	if (fd < 0)
		die("--overlay=%s: open", dir);
	return fd;
}

/* Return true if the directory FD, or one above it, is the directory TOP, by device
 * and inode. SHOWN is --overlay's DIR, for messages. */
static bool dir_is_below(int fd, const char *shown, const struct stat *top)
{
	struct stat st, up;
	int dir = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), parent;
	bool below = false;

	if (dir < 0 || fstat(dir, &st) < 0)
		die("--overlay=%s: stat", shown);
	while (!below) {
		below = st.st_dev == top->st_dev && st.st_ino == top->st_ino;
		parent = openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0)
			die("--overlay=%s: stat a directory above it", shown);
		close(dir);
		dir = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break;  /* "/" */
		st = up;
	}
	close(dir);
	return below;
}

/* Make --overlay's own directory on disk, /var/lib/runb/.overlay/NAME, for this run.
 * What a crashed run of NAME left there is removed first. The directory is removed
 * at the run's end (overlay_disk_remove, Part II.2). */
static void overlay_disk_make(struct config *cfg, struct ledger *led)
{
	char path[PATH_MAX];

	overlay_disk_path(cfg->name, path);
	overlay_disk_remove(cfg->name);
	ledger_add(led, MADE_OVERLAY);
	for (int tries = 0; mkdir(path, 0700) < 0; tries++) {  /* another runb's end may rmdir .overlay */
		if (errno != ENOENT || tries == 5)
			die("--overlay: mkdir %s", path);
		if ((mkdir(RECORD_DIR, 0700) < 0 && errno != EEXIST) ||
		    (mkdir(RECORD_DIR "/.overlay", 0700) < 0 && errno != EEXIST))
			die("--overlay: mkdir " RECORD_DIR "/.overlay");
	}
	cfg->overlay_dir = strdup(path);
	if (!cfg->overlay_dir)
		die("strdup");
}

/* Refuse a DIR whose parent is inside ROOTFS, before runb makes DIR there. */
static void overlay_dir_check(const struct config *cfg, const struct stat *root)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(cfg->overlay_dir, '/');
	int fd;

	snprintf(parent, sizeof(parent), "%.*s", slash ? (slash == cfg->overlay_dir ? 1 :
		 (int)(slash - cfg->overlay_dir)) : 1, slash ? cfg->overlay_dir : ".");
	fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && dir_is_below(fd, cfg->overlay_dir, root))
		diex("--overlay=%s is inside ROOTFS %s: the container would see its own layers there; "
		     "choose a DIR outside ROOTFS", cfg->overlay_dir, cfg->rootfs);
	if (fd >= 0)
		close(fd);
}

/* Make DIR/upper and DIR/work on the host when they are missing, with DIR mode 0700.
 * runb does this before anything else. upper gets ROOTFS's mode and owner, which its
 * root shows in the overlay. */
static void overlay_dir_prepare(struct config *cfg, struct ledger *led, int rootfd)
{
	struct statfs fs;
	struct stat root;
	char fdp[32], *abs;
	int fd;
	ssize_t n;

	if (cfg->overlay == OVERLAY_DISK && (statfs(RECORD_DIR, &fs) == 0 || statfs("/var/lib", &fs) == 0) &&
	    fs.f_type == OVERLAYFS_SUPER_MAGIC) {
		cfg->overlay = OVERLAY_TMPFS;  /* overlayfs takes no overlayfs as its upper layer */
		trace(cfg->tr, 0, "(--overlay)", RECORD_DIR " is on an overlayfs: the layers on a tmpfs");
	}
	if (cfg->overlay == OVERLAY_DISK)
		overlay_disk_make(cfg, led);
	if (cfg->overlay != OVERLAY_DIR && cfg->overlay != OVERLAY_DISK)
		return;
	if (fstat(rootfd, &root) < 0)
		die("stat ROOTFS %s", cfg->rootfs);
	if (cfg->overlay == OVERLAY_DIR)
		overlay_dir_check(cfg, &root);
	if (mkdir(cfg->overlay_dir, 0700) < 0 && errno != EEXIST)
		die("--overlay=%s: mkdir", cfg->overlay_dir);
	/* Only one container at a time may use DIR. Its lock is held for runb's life,
	 * and the exit closes it. */
	fd = overlay_dir_open(cfg->overlay_dir, O_RDONLY);
	/* The child opens DIR again after its cd into ROOTFS, so it needs the absolute path. */
	if (!(abs = calloc(1, PATH_MAX)) || (n = readlink(fd_path(fd, fdp), abs, PATH_MAX - 1)) < 0)
		die("--overlay=%s: readlink %s", cfg->overlay_dir, fdp);
	cfg->overlay_dir = abs;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		diex("--overlay=%s: in use by another container (an overlay's upper layer is one's only)",
		     abs);
	dir_warn_if_open("--overlay", abs, fd);
	if (dir_is_below(fd, abs, &root))
		diex("--overlay=%s is inside ROOTFS %s: the container would see its own layers there; "
		     "choose a DIR outside ROOTFS", abs, cfg->rootfs);
	if (mkdirat(fd, "upper", root.st_mode & 07777) == 0) {
		if (fchownat(fd, "upper", root.st_uid, root.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(fd, "upper", root.st_mode & 07777, 0) < 0)
			die("--overlay=%s: chown/chmod upper", abs);
	} else if (errno != EEXIST) {
		die("--overlay=%s: mkdir upper", abs);
	}
	if (mkdirat(fd, "work", 0700) < 0 && errno != EEXIST)
		die("--overlay=%s: mkdir work", abs);
}

static int overlay_mount(const struct config *cfg, int rootfd)
{
	char lower[32], upper[32], work[32];
	struct stat root;
	int layers, up, wk, ov;

	if (cfg->overlay == OVERLAY_NONE)
		return rootfd;
	trace(cfg->tr, 0, "(--overlay)", "mount -t overlay -o lowerdir=%s,upperdir=%s/upper,workdir=%s/work"
	      " overlay %s", cfg->rootfs, cfg->overlay_dir ? cfg->overlay_dir : "(a tmpfs)",
	      cfg->overlay_dir ? cfg->overlay_dir : "(a tmpfs)", cfg->rootfs);
	if (cfg->overlay == OVERLAY_TMPFS) {
		static const char *const kv[] = { "mode", "0700", NULL };

		if (fstat(rootfd, &root) < 0)
			die("stat ROOTFS %s", cfg->rootfs);
		layers = mount_new("tmpfs", kv, rootfd, "--overlay: the tmpfs for its layers");
		if (mkdirat(layers, "upper", root.st_mode & 07777) < 0 || mkdirat(layers, "work", 0700) < 0 ||
		    fchownat(layers, "upper", root.st_uid, root.st_gid, 0) < 0 ||
		    fchmodat(layers, "upper", root.st_mode & 07777, 0) < 0)
			die("--overlay: mkdir upper, work on its tmpfs");
	} else {
		layers = overlay_dir_open(cfg->overlay_dir, O_PATH);
	}
	up = open_beneath(layers, "upper", O_PATH | O_DIRECTORY);
	wk = open_beneath(layers, "work", O_PATH | O_DIRECTORY);
	if (up < 0 || wk < 0)
		die("--overlay: open upper and work");
	{
		const char *const kv[] = { "lowerdir", fd_path(rootfd, lower), "upperdir", fd_path(up, upper),
					   "workdir", fd_path(wk, work), NULL };

		ov = mount_new("overlay", kv, rootfd, "--overlay");
	}
	close(up);
	close(wk);
	close(layers);
	close(rootfd);
	rootfd = open_beneath(ov, ".", O_PATH | O_DIRECTORY);
	if (rootfd < 0)
		die("--overlay: open its root");
	close(ov);
	return rootfd;
}

/* ------------------------------------------------------------------------ */
/* Part II.4: cgroups beyond slide 25: the limits, the device rules         */
/* ------------------------------------------------------------------------ */

/* Before slide 25's mkdir: on v1, is each hierarchy runb uses mounted? Often one is
 * not, because `ip netns exec` mounts a fresh sysfs without the cgroup mounts under it;
 * then every mkdir would fail with a bare ENOENT. runb names what is missing instead. */
static void cg_check_mounted(const struct run *run)
{
	char path[PATH_MAX];
	struct statfs st;

	if (run->cg_v2)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cg_v1_controllers); i++) {
		snprintf(path, sizeof(path), CG_ROOT "/%s", cg_v1_controllers[i]);
		if (statfs(path, &st) < 0 || st.f_type != CGROUP_SUPER_MAGIC)
			diex("cgcreate: " CG_ROOT " is neither cgroup2 nor has a v1 %s hierarchy at %s "
			     "(no cgroup file system mounted there? `ip netns exec` mounts a fresh /sys "
			     "without one: nsenter --net=/run/netns/NS keeps it)",
			     cg_v1_controllers[i], path);
	}
}

/* Beyond the slides: -m, --cpus, --pids — replaces: nothing (runb.sh makes the
 * cgroups and sets no limit in them)
 *
 * Each limit is a write into the container's cgroup. OPTIONAL files, for swap,
 * may be missing when the kernel does not account swap. */
static void cg_write(const struct config *cfg, bool v2, const char *ctrl, const char *file,
		     const char *value, bool optional)
{
	char path[PATH_MAX];

	cg_path(cfg->name, v2, ctrl, file, path);
	if (optional && access(path, F_OK) < 0)
		return;
	trace(cfg->tr, 0, "(cgroup limits: -m, --cpus, --pids)", "echo %s > %s", value, path);
	write_file(path, value);
}

/* This table holds the limits as data. Each row is a file that takes one option's
 * value, on v2 or on v1, where the file is in CTRL's hierarchy. An OPTIONAL file is
 * written only where the kernel has it, which depends on swap accounting. What is
 * written is the option's value, with these exceptions. v2's cpu.max takes
 * "QUOTA PERIOD", v1's period file takes the period, and swap gets 0 (none on top
 * of -m) unless --memory-swap asks for some: v2 counts swap alone, v1 memory and
 * swap together. */
enum cg_value { CG_MEMORY, CG_SWAP, CG_MEMSW, CG_CPU_MAX, CG_V1_PERIOD, CG_CPU_QUOTA, CG_PIDS,
		CG_SHARES, CG_WEIGHT };

struct cg_limit {
	enum cg_value value;
	bool v2;
	const char *ctrl;       /* v1's controller, or NULL on v2 */
	const char *file;
	bool optional;
};

static const struct cg_limit cg_limits[] = {
	{ CG_MEMORY, true, NULL, "memory.max", false },
	{ CG_SWAP, true, NULL, "memory.swap.max", true },
	{ CG_MEMORY, false, "memory", "memory.limit_in_bytes", false },
	{ CG_MEMSW, false, "memory", "memory.memsw.limit_in_bytes", true },
	{ CG_CPU_MAX, true, NULL, "cpu.max", false },
	{ CG_V1_PERIOD, false, "cpu", "cpu.cfs_period_us", false },
	{ CG_CPU_QUOTA, false, "cpu", "cpu.cfs_quota_us", false },
	{ CG_PIDS, true, NULL, "pids.max", false },
	{ CG_PIDS, false, "pids", "pids.max", false },
	{ CG_WEIGHT, true, NULL, "cpu.weight", false },
	{ CG_SHARES, false, "cpu", "cpu.shares", false },
};

/* Put into V what row L writes. Return false when its option was not given, which
 * means no limit. */
static bool cg_limit_value(const struct config *cfg, const struct cg_limit *l, char v[static 64])
{
	switch (l->value) {
	case CG_MEMORY:
		snprintf(v, 64, "%llu", cfg->memory);
		return cfg->memory;
	case CG_SWAP:
		snprintf(v, 64, cfg->memory_swap < 0 ? "max" : "%llu", cfg->memory_swap ?
			 cfg->memory_swap - cfg->memory : 0);
		return cfg->memory;
	case CG_MEMSW:
		snprintf(v, 64, "%lld", cfg->memory_swap ? cfg->memory_swap : (long long)cfg->memory);
		return cfg->memory;
	case CG_SHARES:
	case CG_WEIGHT:  /* 2..262144 onto 1..10000, as runc's ConvertCPUSharesToCgroupV2Value */
		snprintf(v, 64, "%lu", l->value == CG_SHARES ? cfg->cpu_shares :
			 1 + ((cfg->cpu_shares - 2) * 9999) / 262142);
		return cfg->cpu_shares;
	case CG_CPU_MAX:
		snprintf(v, 64, "%lu %lu", cfg->cpu_quota, CG_CPU_PERIOD);
		return cfg->cpu_quota;
	case CG_V1_PERIOD:
	case CG_CPU_QUOTA:
		snprintf(v, 64, "%lu", l->value == CG_V1_PERIOD ? CG_CPU_PERIOD : cfg->cpu_quota);
		return cfg->cpu_quota;
	case CG_PIDS:
		snprintf(v, 64, "%lu", cfg->pids);
		return cfg->pids;
	}
	return false;
}

static void cg_set_limits(const struct config *cfg, const struct run *run)
{
	char v[64];

	for (size_t i = 0; i < ARRAY_SIZE(cg_limits); i++)
		if (cg_limits[i].v2 == run->cg_v2 && cg_limit_value(cfg, &cg_limits[i], v))
			cg_write(cfg, run->cg_v2, cg_limits[i].ctrl, cg_limits[i].file, v, cg_limits[i].optional);
}

/* Beyond the slides: the devices a container may open — replaces: nothing
 *
 * The slide keeps CAP_MKNOD and sets no device rules. So root in its
 * container can `mknod disk b 254 0` and read or write the host's disk. runb,
 * like runc and crun, lets the container open only slide 31's nodes and its
 * own ptys. The container can still make a node, because CAP_MKNOD is kept,
 * but it cannot open the node. One table feeds both branches. On v1, runb
 * writes devices.deny and devices.allow. v2 has no such files. There, a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup
 * decides each open instead (bpf(2)).
 */
struct dev_rule {
	char type;  /* 'c' for char, or 'b' for block */
	unsigned int major;
	int minor;  /* -1 for any minor */
	const char *name;
};

/* Besides slide 31's nodes (dev_nodes), the container may open these. */
static const struct dev_rule dev_allowed_more[] = {
	{ 'c', 5, 2, "ptmx" },     /* /dev/ptmx -> pts/ptmx (slide 32) */
	{ 'c', 136, -1, "pts/N" }, /* the terminals ptmx hands out (and -t's /dev/console) */
};

#define DEV_ALLOWED (ARRAY_SIZE(dev_nodes) + ARRAY_SIZE(dev_allowed_more))

/* The allow-list holds every node of slide 31, then dev_allowed_more. */
static void dev_allowed(struct dev_rule out[static DEV_ALLOWED])
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++)
		out[i] = (struct dev_rule){ 'c', dev_nodes[i].major, (int)dev_nodes[i].minor,
					    dev_nodes[i].name };
	for (size_t i = 0; i < ARRAY_SIZE(dev_allowed_more); i++)
		out[ARRAY_SIZE(dev_nodes) + i] = dev_allowed_more[i];
}

/* Small eBPF instruction builders. They fill the fields of struct bpf_insn, which are
 * code, dst, src, off and imm. */
#define EBPF_INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

#define EBPF_LDX_W(dst, src, off) EBPF_INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define EBPF_MOV_X(dst, src)      EBPF_INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define EBPF_MOV_K(dst, imm)      EBPF_INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EBPF_ALU_K(op, dst, imm)  EBPF_INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define EBPF_JNE_K(dst, imm, off) EBPF_INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EBPF_JSET_K(dst, imm, off) EBPF_INSN(BPF_JMP | BPF_JSET | BPF_K, dst, 0, off, imm)
#define EBPF_EXIT()               EBPF_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* An eBPF program being built. 64 instructions leave room for the table above and more. */
BPF_PROGRAM(dev_prog, struct bpf_insn, 64, "devices")

/* Emit the prologue. The kernel hands us struct bpf_cgroup_dev_ctx in r1. Its fields
 * are access_type, major and minor. The low 16 bits of access_type hold
 * BPF_DEVCG_DEV_*, and the high 16 bits hold BPF_DEVCG_ACC_*. The prologue leaves
 * r2 = type, r4 = major, r5 = minor. A request with neither read nor write returns 1
 * at once. Such a request is a mknod, or an access(2) F_OK, which asks with no bits.
 * The v1 rules "c *:* m" and "b *:* m" let the same requests through, so both
 * branches behave alike. */
static void dev_emit_prologue(struct dev_prog *p)
{
	dev_prog_emit(p, EBPF_LDX_W(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
	dev_prog_emit(p, EBPF_LDX_W(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major)));
	dev_prog_emit(p, EBPF_LDX_W(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor)));
	dev_prog_emit(p, EBPF_MOV_X(BPF_REG_3, BPF_REG_2));
	dev_prog_emit(p, EBPF_ALU_K(BPF_RSH, BPF_REG_3, 16));
	dev_prog_emit(p, EBPF_ALU_K(BPF_AND, BPF_REG_2, 0xffff));
	dev_prog_emit(p, EBPF_JSET_K(BPF_REG_3, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, 2));
	dev_prog_emit(p, EBPF_MOV_K(BPF_REG_0, 1));
	dev_prog_emit(p, EBPF_EXIT());
}

/* Emit one block per table row. If the type, the major and maybe the minor match,
 * the block returns 1. Otherwise, control goes on to the next block. Each JNE skips
 * the rest of its own block, so offsets stay tiny and local. */
static void dev_emit_rule(struct dev_prog *p, const struct dev_rule *r)
{
	short left = r->minor < 0 ? 3 : 4; /* instructions after the first JNE */
	int type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;

	dev_prog_emit(p, EBPF_JNE_K(BPF_REG_2, type, left));
	dev_prog_emit(p, EBPF_JNE_K(BPF_REG_4, r->major, left - 1));
	if (r->minor >= 0)
		dev_prog_emit(p, EBPF_JNE_K(BPF_REG_5, r->minor, left - 2));
	dev_prog_emit(p, EBPF_MOV_K(BPF_REG_0, 1));
	dev_prog_emit(p, EBPF_EXIT());
}

/* The verifier's reason for refusing a program is the last line of its log, before the
 * "processed N insns" statistics line that recent kernels append. */
static const char *dev_log_reason(char *log)
{
	char *line;

	for (;;) {
		size_t n = strlen(log);

		while (n && log[n - 1] == '\n')
			log[--n] = '\0';
		line = strrchr(log, '\n');
		line = line ? line + 1 : log;
		if (line == log || strncmp(line, "processed ", 10) != 0)
			return line;
		*line = '\0';
	}
}

/* Load the program with bpf(BPF_PROG_LOAD). The license string only gates GPL-only helpers,
 * and this program calls none. On a verifier refusal, load again with a log and show its
 * reason. */
static int dev_bpf_load(const struct bpf_insn *ins, unsigned int len)
{
	union bpf_attr a;
	char log[16384] = "";
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)ins;
	a.insn_cnt = len;
	a.license = (uintptr_t)"GPL";
	strcpy(a.prog_name, "runb_devices");
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	if (errno != EACCES && errno != EINVAL)
		die("bpf(BPF_PROG_LOAD) device filter");
	a.log_level = 1;
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		die("bpf(BPF_PROG_LOAD) device filter, verifier: \"%s\"", dev_log_reason(log));
	return fd;
}

/* cgroup v2 has no devices.allow file. Instead, a BPF_PROG_TYPE_CGROUP_DEVICE program
 * attached to the container's cgroup decides every open and mknod of a device node. It
 * returns 1 to allow, and 0 for EPERM. The flags are 0, so nothing below may override
 * it. The program stays attached until the cgroup is removed, so the program fd is
 * closed here. See bpf(2), and "Device controller" in
 * Documentation/admin-guide/cgroup-v2.rst. */
static void dev_bpf_attach(const struct config *cfg, const char *cgroup_dir)
{
	struct dev_rule rules[DEV_ALLOWED];
	struct dev_prog p = { .len = 0 };
	union bpf_attr a;
	int prog_fd, dir_fd;

	dev_emit_prologue(&p);
	dev_allowed(rules);
	for (size_t i = 0; i < DEV_ALLOWED; i++)
		dev_emit_rule(&p, &rules[i]);
	dev_prog_emit(&p, EBPF_MOV_K(BPF_REG_0, 0));
	dev_prog_emit(&p, EBPF_EXIT());
	trace(cfg->tr, 0, "devices (cgroup v2)", "bpf(BPF_PROG_LOAD) %u instructions, BPF_PROG_ATTACH to %s",
	      p.len, cgroup_dir);
	prog_fd = dev_bpf_load(p.ins, p.len);
	dir_fd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		die("open %s", cgroup_dir);
	memset(&a, 0, sizeof(a));
	a.target_fd = dir_fd;
	a.attach_bpf_fd = prog_fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		die("bpf(BPF_PROG_ATTACH) device filter to %s", cgroup_dir);
	close(dir_fd);
	close(prog_fd);
}

/* On cgroup v1, deny everything ("a"), and allow mknod of any node, as the v2 program
 * does. Then allow read, write and mknod on each row of the allow-list, one line per
 * write. See Documentation/admin-guide/cgroup-v1/devices.rst. */
static void dev_v1_allow(const struct config *cfg, const char *devices_cgroup_dir)
{
	char deny[PATH_MAX], allow[PATH_MAX], line[64], minor[16];
	struct dev_rule rules[DEV_ALLOWED];
	int fd;

	if (snprintf(deny, sizeof(deny), "%s/devices.deny", devices_cgroup_dir) >= (int)sizeof(deny) ||
	    snprintf(allow, sizeof(allow), "%s/devices.allow", devices_cgroup_dir) >= (int)sizeof(allow))
		diex("devices cgroup path too long: %s", devices_cgroup_dir);
	trace(cfg->tr, 0, "devices (cgroup v1)", "echo a > %s; echo 'c *:* m' 'b *:* m' and %zu rules > %s",
	      deny, DEV_ALLOWED, allow);
	write_file(deny, "a");
	/* One descriptor serves all the rules, because the file parses each write alone. */
	if ((fd = open(allow, O_WRONLY | O_CLOEXEC)) < 0)
		die("open %s", allow);
	write_fd(fd, allow, "c *:* m");
	write_fd(fd, allow, "b *:* m");
	dev_allowed(rules);
	for (size_t i = 0; i < DEV_ALLOWED; i++) {
		const struct dev_rule *r = &rules[i];

		if (r->minor < 0)
			strcpy(minor, "*");
		else
			snprintf(minor, sizeof(minor), "%d", r->minor);
		snprintf(line, sizeof(line), "%c %u:%s rwm", r->type, r->major, minor);
		write_fd(fd, allow, line);
	}
	close(fd);
}

static void cg_devices(const struct config *cfg, const struct run *run)
{
	char path[PATH_MAX];

	if (run->cg_v2) {
		cg_path(cfg->name, true, NULL, NULL, path);
		dev_bpf_attach(cfg, path);
	} else {
		cg_path(cfg->name, false, "devices", NULL, path);
		dev_v1_allow(cfg, path);
	}
}

/* Beyond the slides: the OOM killer's part — replaces: nothing (docker's OOMKilled)
 *
 * A container killed for its memory limit ends with 137, as does one killed by
 * SIGKILL for any other reason. The memory cgroup counts the processes that
 * the OOM killer killed in it. The count is "oom_kill N" in v2's memory.events
 * and in v1's memory.oom_control (Linux 4.13 and later). runb reads the count
 * when the command ends. If the count rose, runb prints one line and puts a
 * mark in the state.
 */
/* Read a number from NAME's cgroup file FILE, which is in CTRL's hierarchy on v1.
 * Without KEY, it is the file's first number. With KEY, it is the number after KEY
 * on the line that starts with KEY. Return 0 when there is none. */
static unsigned long long cg_read_ull(const char *name, bool v2, const char *ctrl,
				      const char *file, const char *key)
{
	char path[PATH_MAX], line[256], k[64];
	unsigned long long v = 0, n;
	FILE *f;

	cg_path(name, v2, ctrl, file, path);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			if (sscanf(line, "%llu", &v) != 1)
				v = 0;  /* "max" */
			break;
		}
		if (sscanf(line, "%63s %llu", k, &n) == 2 && strcmp(k, key) == 0) {
			v = n;
			break;
		}
	}
	fclose(f);
	return v;
}

static long long cg_oom_kills(const char *name, bool v2)
{
	return cg_read_ull(name, v2, "memory", v2 ? "memory.events" : "memory.oom_control",
			   "oom_kill");
}

/* Show BYTES as "64 MiB", or in KiB or GiB. When it is none of them exactly, show
 * bytes. */
static const char *size_text(unsigned long long bytes, char out[static 32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (u + 1 < ARRAY_SIZE(units) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, 32, "%llu %s", bytes, units[u]);
	return out;
}

/* Show BYTES as docker stats shows them, such as 1.5MiB. */
static const char *size_short(unsigned long long bytes, char out[static 32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(out, 32, "%.4g%s", v, units[u]);
	return out;
}

/* This is what runb stats shows of a container, from its cgroup. On v1, the CPU time
 * comes from cpuacct.usage where the cpu hierarchy has cpuacct beside it, as most
 * machines mount them. Otherwise, it is the CPU time of each of its processes, from
 * /proc. When there is no limit, the limit shown is the host's memory, as docker
 * shows it. */
struct cg_usage {
	unsigned long long cpu_ns, memory, limit, pids;
};

/* On v1 without cpuacct beside cpu, add up the CPU time of the processes in NAME's
 * pids cgroup and of the children they have reaped. proc(5) calls these utime, stime,
 * cutime and cstime. */
static unsigned long long cg_cpu_of_procs(const char *name)
{
	char path[PATH_MAX], line[1024];
	unsigned long long ns = 0, t[4];
	long tick = sysconf(_SC_CLK_TCK);
	FILE *procs, *f;
	int pid;

	cg_path(name, false, "pids", "cgroup.procs", path);
	procs = fopen(path, "re");
	if (!procs)
		return 0;
	while (fscanf(procs, "%d", &pid) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && strrchr(line, ')') &&
		    sscanf(strrchr(line, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			   "%llu %llu %llu %llu", &t[0], &t[1], &t[2], &t[3]) == 4 && tick > 0)
			ns += (t[0] + t[1] + t[2] + t[3]) * (1000000000ULL / tick);
		fclose(f);
	}
	fclose(procs);
	return ns;
}

static void cg_usage_read(const char *name, bool v2, struct cg_usage *u)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	unsigned long long host = pages > 0 && page > 0 ? (unsigned long long)pages * page : 0;

	if (v2) {
		u->cpu_ns = cg_read_ull(name, true, NULL, "cpu.stat", "usage_usec") * 1000;
		u->memory = cg_read_ull(name, true, NULL, "memory.current", NULL);
		u->limit = cg_read_ull(name, true, NULL, "memory.max", NULL);
	} else {
		u->cpu_ns = cg_read_ull(name, false, "cpu", "cpuacct.usage", NULL);
		if (!u->cpu_ns)
			u->cpu_ns = cg_cpu_of_procs(name);
		u->memory = cg_read_ull(name, false, "memory", "memory.usage_in_bytes", NULL);
		u->limit = cg_read_ull(name, false, "memory", "memory.limit_in_bytes", NULL);
	}
	u->pids = cg_read_ull(name, v2, "pids", "pids.current", NULL);
	if (!u->limit || u->limit > host)
		u->limit = host;
}

/* If the OOM killer struck since the last look, say so, once. */
static bool cg_oom_check(const struct config *cfg, struct run *run, int status)
{
	long long kills = cg_oom_kills(cfg->name, run->cg_v2);
	char limit[48], size[32];

	if (kills <= run->oom_kills)
		return false;
	run->oom_kills = kills;
	snprintf(limit, sizeof(limit), cfg->memory ? "memory limit %s" : "no memory limit: the host's "
		 "memory ran out", size_text(cfg->memory, size));
	errno = 0;
	if (status == 128 + SIGKILL)
		warn("%s: killed by the OOM killer (%s)", cfg->name, limit);
	else
		warn("%s: the OOM killer killed a process of it (%s)", cfg->name, limit);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Part II.5: In the child: the file system after the root switch           */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: /proc and /sys masked — replaces: nothing
 *
 * The slide's /proc is the kernel's whole /proc, and it is writable. Root in
 * its container can write /proc/sys/kernel/core_pattern. The host then runs a
 * program of the container's choosing as root at the next crash. Root can also
 * write /proc/sysrq-trigger, which can reboot the host. runb does as runc's
 * defaults do. It covers the files that leak host state: a bind of /dev/null
 * goes over a file, and an empty read-only tmpfs over a directory. It binds
 * the tunables read-only. This is done after the root switch, through
 * descriptors of a /proc and a /sys. runb first checks (with fstatfs) that
 * they are the procfs and sysfs of slides 29-33. If they were not, every mask
 * below would miss, so that is fatal. This can happen with a ROOTFS whose
 * links or directories changed under runb. A path that the verified file
 * system lacks is skipped, because the kernel has no such file. Any other
 * failure is fatal.
 */
struct fs_mask {
	const char *fs;    /* "proc" or "sys", the file system the path lies in */
	const char *path;  /* the path inside it */
	bool readonly;     /* bind read-only, or else cover */
};

static const struct fs_mask fs_masks[] = {
	{ "proc", "acpi", false },
	{ "proc", "asound", false },
	{ "proc", "kcore", false },
	{ "proc", "keys", false },
	{ "proc", "latency_stats", false },
	{ "proc", "timer_list", false },
	{ "proc", "timer_stats", false },
	{ "proc", "sched_debug", false },
	{ "proc", "scsi", false },
	{ "sys",  "firmware", false },
	{ "sys",  "devices/virtual/powercap", false },  /* RAPL energy, CVE-2020-8694 (Platypus) */
	{ "sys",  "fs/selinux", false },  /* podman's: the host's SELinux policy */
	{ "sys",  "dev/block", false },   /* podman's: the host's block devices, by number */
	{ "proc", "bus", true },
	{ "proc", "fs", true },
	{ "proc", "irq", true },
	{ "proc", "sys", true },
	{ "proc", "sysrq-trigger", true },
};

/* Open /proc or /sys in the new root, and check that it is the file system runb
 * mounted there. It must be a real directory (no link is followed), and its statfs
 * must say so. */
static int fs_open_verified(const char *path, long magic, const char *what)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (root < 0)
		die("open /");
	fd = open_beneath(root, path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		die("open /%s", path);
	if (!fd_is_fs(fd, magic))
		diex("/%s is not the %s runb mounted there: ROOTFS changed under runb; refusing to "
		     "start a container whose /%s would go unmasked", path, what, path);
	close(root);
	return fd;
}

/* Open /dev beneath ROOT (ROOTFS before the root switch, / after it), and check that it
 * is the tmpfs runb mounted there (slide 30): a tmpfs, and a mount apart from the root,
 * since a ROOTFS on a tmpfs has a tmpfs /dev of its own. A process on the host with
 * write access to ROOTFS could otherwise swap ROOTFS/dev for a directory of its own
 * between the mount and this open, and have slide 31's nodes made, or the names files
 * written, in a tree it controls. Once checked, what is inside is out of its reach. */
static int dev_open_verified(int root)
{
	int dev = open_beneath(root, "dev", O_PATH | O_DIRECTORY);
	struct stat d, r;

	if (dev < 0 || fstat(dev, &d) < 0 || fstat(root, &r) < 0)
		die("open /dev");
	if (!fd_is_fs(dev, TMPFS_MAGIC) || d.st_dev == r.st_dev)
		diex("/dev is not the tmpfs runb mounted there: ROOTFS changed under runb; refusing "
		     "to start a container whose /dev would go unmasked");
	return dev;
}

/* Cover PATH, a descriptor in /proc or /sys. A directory gets an empty read-only
 * tmpfs, and a file a bind of NUL, the container's /dev/null; both by descriptor. */
static void fs_cover(int fd, bool dir, int nul, const char *path)
{
	char shown[80];
	int tree;

	snprintf(shown, sizeof(shown), "mask %s", path);
	tree = dir ? fs_detached("tmpfs", "size=0,ro", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, shown) :
	       sys_open_tree(nul, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		die("%s: open_tree /dev/null", shown);
	mount_onto(tree, fd, shown);
}

/* Do mount --bind -o ro PATH PATH. A clone of the mount at FD is made read-only
 * (mount_setattr(2)) before it is attached over FD. So there is no moment at
 * which it is writable. */
static void fs_bind_readonly(int fd, const char *shown)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
	};
	int tree = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

	if (tree < 0)
		die("mount --bind -o ro %s: open_tree", shown);
	if (sys_mount_setattr(tree, 0, &attr) < 0)
		die("mount --bind -o ro %s: mount_setattr", shown);
	if (sys_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount --bind -o ro %s: move_mount", shown);
	close(tree);
}

static void fs_mask_one(const struct config *cfg, int base, int nul, const struct fs_mask *m)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	char shown[64];
	struct stat st;
	int fd;

	snprintf(shown, sizeof(shown), "/%s/%s", m->fs, m->path);
	fd = sys_openat2(base, m->path, &how);
	if (fd < 0 && errno == ENOENT)
		return;  /* this kernel has no such file */
	if (fd < 0 || fstat(fd, &st) < 0)
		die("mask %s: open", shown);
	trace(cfg->tr, 0, m->readonly ? "(read-only /proc)" : "(mask /proc, /sys)",
	      m->readonly ? "mount --bind -o ro %s %s" : S_ISDIR(st.st_mode) ?
	      "mount -t tmpfs -o ro tmpfs %s" : "mount --bind /dev/null %s", shown, shown);
	if (m->readonly)
		fs_bind_readonly(fd, shown);
	else
		fs_cover(fd, S_ISDIR(st.st_mode), nul, shown);
	close(fd);
}

static void fs_mask_kernel_files(const struct config *cfg)
{
	int proc = fs_open_verified("proc", PROC_SUPER_MAGIC, "procfs");
	int sys = fs_open_verified("sys", SYSFS_MAGIC, "sysfs");
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), dev, nul;
	struct stat n;

	if (root < 0)
		die("open /");
	dev = dev_open_verified(root);
	close(root);
	nul = open_beneath(dev, "null", O_PATH | O_NOFOLLOW);  /* slide 31's, checked */
	if (nul < 0 || fstat(nul, &n) < 0 || !S_ISCHR(n.st_mode) || n.st_rdev != makedev(1, 3))
		diex("/dev/null is not slide 31's: ROOTFS changed under runb; refusing to start");
	for (size_t i = 0; i < ARRAY_SIZE(fs_masks); i++)
		fs_mask_one(cfg, strcmp(fs_masks[i].fs, "proc") == 0 ? proc : sys, nul, &fs_masks[i]);
	close(nul);
	close(dev);
	close(sys);
	close(proc);
}

/* Beyond the slides: /sys/fs/cgroup inside — replaces: an empty directory
 *
 * With /sys/fs/cgroup empty, the JVM, .NET, Go's runtime, systemd and nproc
 * cannot see --memory, --cpus or --pids. They size themselves to the host, and
 * get OOM-killed. runb mounts /sys/fs/cgroup read-only, as runc's default spec
 * and docker do. It mounts it from inside the cgroup namespace (slide 28), so
 * the container sees its own cgroup as the root. On v2, this is one cgroup2
 * mount, where memory.max is the container's limit. On v1, it is a tmpfs that
 * holds each hierarchy that runb joined, each mounted read-only. A hierarchy is
 * named as in /proc/self/cgroup, such as "cpu" or "cpu,cpuacct". A shared one
 * gets a link per controller. Then the tmpfs is made read-only too.
 */
static const unsigned cg_inside_attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				      MOUNT_ATTR_NOEXEC;

/* Return true if one of the comma-separated CTRLS is a controller that runb joined
 * (cg_v1_controllers). */
static bool cg_v1_joined(const char *ctrls)
{
	char word[32];

	for (const char *p = ctrls; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(p, ","), p);
		for (size_t i = 0; i < ARRAY_SIZE(cg_v1_controllers); i++)
			if (strcmp(word, cg_v1_controllers[i]) == 0)
				return true;
	}
	return false;
}

/* On v1, do mount -t cgroup -o ro,CTRLS cgroup /sys/fs/cgroup/CTRLS, and make a link
 * per controller. */
static void cg_v1_mount_inside(int tmpfs, const char *ctrls)
{
	char word[32];
	int fd;

	if (mkdirat(tmpfs, ctrls, 0555) < 0 || (fd = open_beneath(tmpfs, ctrls, O_PATH | O_DIRECTORY)) < 0)
		die("mkdir /sys/fs/cgroup/%s", ctrls);
	mount_onto(fs_detached("cgroup", ctrls, cg_inside_attr, "mount -t cgroup cgroup"), fd,
		   "mount -t cgroup -o ro cgroup /sys/fs/cgroup/CTRLS");
	close(fd);
	if (!strchr(ctrls, ','))
		return;
	for (const char *p = ctrls; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(p, ","), p);
		if (symlinkat(ctrls, tmpfs, word) < 0 && errno != EEXIST)
			die("ln -s %s /sys/fs/cgroup/%s", ctrls, word);
	}
}

static void cg_v1_mount_all_inside(int target)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int proc = fs_open_verified("proc", PROC_SUPER_MAGIC, "procfs");
	int fd = openat(proc, "self/cgroup", O_RDONLY | O_CLOEXEC), tmpfs;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	char line[256];

	if (!f)
		die("open /proc/self/cgroup");
	close(proc);
	tmpfs = fs_detached("tmpfs", "mode=755,size=64k", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC, "mount -t tmpfs tmpfs /sys/fs/cgroup");
	if (sys_move_mount(tmpfs, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount -t tmpfs tmpfs /sys/fs/cgroup: move_mount");
	while (fgets(line, sizeof(line), f)) {  /* "ID:CONTROLLERS:PATH" */
		char *ctrls = strchr(line, ':'), *end = ctrls ? strchr(ctrls + 1, ':') : NULL;

		if (!end)
			continue;
		*end = '\0';
		if (cg_v1_joined(++ctrls))
			cg_v1_mount_inside(tmpfs, ctrls);
	}
	fclose(f);
	if (sys_mount_setattr(tmpfs, 0, &ro) < 0)
		die("mount -o remount,ro /sys/fs/cgroup");
	close(tmpfs);
}

static void cg_mount_inside(const struct config *cfg, bool v2)
{
	int sysfd = fs_open_verified("sys", SYSFS_MAGIC, "sysfs");
	int fd = open_beneath(sysfd, "fs/cgroup", O_PATH | O_DIRECTORY);

	if (fd < 0)
		die("open /sys/fs/cgroup");
	trace(cfg->tr, 0, "(cgroups visible inside)", v2 ?
	      "mount -t cgroup2 -o ro cgroup2 /sys/fs/cgroup (the cgroup namespace's root)" :
	      "mount -t tmpfs tmpfs /sys/fs/cgroup; mount -t cgroup -o ro,CTRL per joined hierarchy");
	if (v2) {
		mount_onto(fs_detached("cgroup2", NULL, cg_inside_attr, "mount -t cgroup2 cgroup2"), fd,
			   "mount -t cgroup2 -o ro cgroup2 /sys/fs/cgroup");
	} else {
		cg_v1_mount_all_inside(fd);
	}
	close(fd);
	close(sysfd);
}

/* Beyond the slides: --volume HOST:CONTAINER[:ro] — replaces: nothing (bubblewrap's --bind)
 *
 * A volume is a bind mount of a host file or directory. runb opens HOST on
 * the host before it makes anything, as a detached copy of its mounts
 * (open_tree(2) with OPEN_TREE_CLONE|AT_RECURSIVE). So a missing HOST is an
 * error while nothing is made yet. The copy is made private, so nothing
 * mounted in it propagates back to the host. With :ro, the copy is made
 * read-only, nosuid and nodev, recursively, before it is attached
 * (mount_setattr(2)). So it is read-only from its first moment, and the
 * container, without CAP_SYS_ADMIN, cannot remount it. nosuid, nodev and noexec
 * (podman's -v options, and what podman asks for its /dev/shm) are set the same
 * way. The child attaches it (move_mount(2)) at CONTAINER. CONTAINER is opened inside the root without
 * following any symlink, and it is made when missing. It is a directory for a
 * directory, and an empty file for a file.
 */
/* Make a copy of HOST's mounts for one run. The child moves it into its mount
 * namespace, so --restart makes a new one for each run. It makes it from HOST's
 * descriptor, never from its path again, because the container may have changed the
 * path meanwhile (CVE-2021-30465). */
static void volume_clone(const struct user_mount *m, struct volume_tree *v)
{
	struct mount_attr attr = { .propagation = MS_PRIVATE };

	v->tree = sys_open_tree(v->host, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				AT_RECURSIVE);
	if (v->tree < 0)
		die("--volume: open_tree %s", m->host);
	attr.attr_set = m->attr;
	if (m->readonly)
		attr.attr_set |= MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (sys_mount_setattr(v->tree, AT_RECURSIVE, &attr) < 0)
		die("--volume %s: mount --make-rprivate%s", m->host, attr.attr_set ? " (and its options)" : "");
}

static void volume_open(const struct user_mount *m, struct volume_tree *v)
{
	struct stat st;

	v->host = open(m->host, O_PATH | O_CLOEXEC);
	if (v->host < 0 && (errno == ENOENT || errno == ENOTDIR))
		diex("--volume %s:%s: HOST %s does not exist", m->host, m->target, m->host);
	if (v->host < 0 || fstat(v->host, &st) < 0)
		die("--volume: open %s", m->host);
	v->is_dir = S_ISDIR(st.st_mode);
	volume_clone(m, v);
}

static void volumes_open(const struct config *cfg, struct run *run)
{
	run->volumes = calloc(cfg->n_mounts + 1, sizeof(*run->volumes));
	if (!run->volumes)
		die("--volume: calloc");
	for (int i = 0; i < cfg->n_mounts; i++) {
		run->volumes[i].tree = run->volumes[i].host = -1;
		if (cfg->mounts[i].host)
			volume_open(&cfg->mounts[i], &run->volumes[i]);
	}
}

/* Resolve a --volume or --tmpfs target as the container will see it. A symlink on
 * the way is followed, but never out of ROOT. This is openat2 with RESOLVE_IN_ROOT,
 * where ".." and absolute links stop at ROOT, and no /proc magic link is followed.
 * So a merged-/usr tree's /var/run -> /run works as in docker. What is missing is
 * made one directory at a time, each in the one resolved before it. The mount goes
 * through the descriptor, so a link swapped meanwhile cannot send it elsewhere
 * (as with runc's securejoin). Under /dev, which is runb's own tmpfs, the stricter
 * rule of slides 29-30 stays, and no symlink is followed at all. */
static int open_in_root(int root, const char *path, int flags)
{
	struct open_how how = { .flags = flags | O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd;

	do
		fd = sys_openat2(root, path, &how);
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

/* Handle a link whose target is missing. Put in OUT the path with the link's target
 * in the link's place. PREFIX ends in the link, COMP is the link's name, and REST is
 * what follows it. The walk starts over on OUT, so the target is made as the
 * container sees it. */
static bool target_relink(int dir, const char *prefix, const char *comp, const char *rest,
			  char out[static PATH_MAX])
{
	char link[PATH_MAX];
	ssize_t n = readlinkat(dir, comp, link, sizeof(link) - 1);
	int base = strlen(prefix) - strlen(comp), len;

	if (n < 0 && errno == EINVAL)
		return false;  /* no link, but a directory made meanwhile */
	if (n < 0)
		die("readlink /%s in the container", prefix);
	link[n] = '\0';
	len = link[0] == '/' ? snprintf(out, PATH_MAX, "%s/%s", link, rest) :
	      snprintf(out, PATH_MAX, "/%.*s%s/%s", base, prefix, link, rest);
	if (len < 0 || len >= PATH_MAX)
		diex("/%s: the path through its link is too long", prefix);
	return true;
}

static int open_target_dir(int root, const char *path)
{
	char walk[PATH_MAX], next[PATH_MAX], prefix[PATH_MAX], comp[NAME_MAX + 1];
	const char *start, *p;
	int dir = -1, fd, hops = 0;

	snprintf(walk, sizeof(walk), "%s", path);
restart:
	start = walk + strspn(walk, "/");
	if (strncmp(start, "dev", 3) == 0 && (start[3] == '/' || start[3] == '\0'))
		return open_mount_dir(root, walk, "");
	dir = open_in_root(root, ".", O_DIRECTORY);
	for (p = start; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 0 || len > NAME_MAX) {
			p += len + (p[len] == '/');
			continue;
		}
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p + len - start), start);
		snprintf(comp, sizeof(comp), "%.*s", (int)len, p);
		fd = open_in_root(root, prefix, O_DIRECTORY);
		if (fd < 0 && errno == ENOENT && mkdirat(dir, comp, 0755) < 0 && errno == EEXIST &&
		    ++hops <= 40 && target_relink(dir, prefix, comp, p + len + (p[len] == '/'), next)) {
			memcpy(walk, next, sizeof(walk));  /* follow a link to what is missing */
			close(dir);
			goto restart;
		}
		if (fd < 0 && (errno == ENOENT || errno == EEXIST))
			fd = open_in_root(root, prefix, O_DIRECTORY);
		if (fd < 0 && errno == ENOTDIR)
			diex("%s: /%s is not a directory in the container", path, prefix);
		if (fd < 0)
			die("mkdir -p %s in the container: /%s", path, prefix);
		close(dir);
		dir = fd;
		p += len + (p[len] == '/');
	}
	return dir;
}

/* Resolve the mount point of a file, for a --volume of a file, as above. An empty
 * file is made when it is missing. What is there must be a regular file. */
static int open_mount_file(int root, const char *path)
{
	const char *base = strrchr(path, '/') + 1;
	char dir[PATH_MAX];
	struct stat st;
	int dirfd, fd;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	dirfd = open_target_dir(root, dir);
	fd = open_in_root(root, path, 0);
	if (fd < 0 && errno == ENOENT) {
		fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			die("touch %s (its mount point)", path);
		if (fd >= 0)
			close(fd);
		fd = open_in_root(root, path, 0);
	}
	if (fd < 0 || fstat(fd, &st) < 0)
		die("open %s", path);
	if (!S_ISREG(st.st_mode))
		diex("%s is not a regular file in the container: runb binds a file only onto a file",
		     path);
	close(dirfd);
	return fd;
}

/* A target resolved through links must not land on what runb keeps apart. This
 * means the kernel's file systems (/proc, /sys and the cgroups), whose masks protect
 * the host. It also means /dev and the mounts on it, unless the path says /dev. This
 * is the kind of hole that runc had in CVE-2019-19921. The check is made on the
 * descriptor that the mount then goes through. */
static bool on_kernel_fs(int fd)
{
	static const long kernel_fs[] = { PROC_SUPER_MAGIC, SYSFS_MAGIC, CGROUP_SUPER_MAGIC,
					  CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC, 0x19800202 /* mqueue */ };

	for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++)
		if (fd_is_fs(fd, kernel_fs[i]))
			return true;
	return false;
}

/* Is a directory above DIR, up to ROOT, on a kernel file system? What runb mounts over
 * part of /proc or /sys (a mask, v1's /sys/fs/cgroup) is a tmpfs itself: the file
 * systems above it tell. ".." from a mount's root goes on in the mount below. */
static bool kernel_fs_above(int root, int dir)
{
	int cur = openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC), up;
	struct stat r, st;
	bool found = false;

	if (fstat(root, &r) < 0)
		die("stat /");
	for (int hops = 0; !found && hops < PATH_MAX / 2; hops++) {
		if (cur < 0 || fstat(cur, &st) < 0)
			die("open .. of a mount target");
		found = on_kernel_fs(cur);
		if (st.st_dev == r.st_dev && st.st_ino == r.st_ino)
			break;
		up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = up;
	}
	close(cur);
	return found;
}

static void target_check(int root, int fd, const char *target)
{
	static const char *const dev_mounts[] = { "dev", "dev/shm", "dev/mqueue" };
	const char *t = target + strspn(target, "/");
	struct stat st, dev;

	if (fstat(fd, &st) < 0 || fstat(root, &dev) < 0)
		die("stat %s", target);
	if (st.st_dev == dev.st_dev && st.st_ino == dev.st_ino)
		diex("%s leads to the container's root: runb mounts nothing over it", target);
	if (on_kernel_fs(fd) || (S_ISDIR(st.st_mode) && kernel_fs_above(root, fd)))
		diex("%s leads to a kernel file system (/proc, /sys, /dev/pts ...): runb mounts "
		     "nothing there", target);
	if (strncmp(t, "dev", 3) == 0 && (t[3] == '/' || t[3] == '\0'))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(dev_mounts); i++) {
		int d = open_beneath(root, dev_mounts[i], O_PATH | O_DIRECTORY);

		if (d >= 0 && fstat(d, &dev) == 0 && fstat(fd, &st) == 0 && st.st_dev == dev.st_dev)
			diex("%s leads into /%s through a link: runb mounts there only on a path that "
			     "says so", target, dev_mounts[i]);
		if (d >= 0)
			close(d);
	}
}

/* Beyond the slides: --tmpfs PATH[:size=N,mode=M] — replaces: nothing
 * This mounts a fresh tmpfs, nosuid and nodev (and noexec if asked), as docker's --tmpfs
 * and bubblewrap's --tmpfs do. With tmpcopyup (podman's --read-only puts one on /run,
 * /tmp and /var/tmp, as runc and crun take it), what PATH held is copied into it. */

/* Give the new file FD the owner and mode of ST (chown first: it clears setuid bits). */
static void copy_owner_mode(int fd, const struct stat *st, const char *shown, const char *name)
{
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0)
		die("tmpcopyup %s: chown and chmod %s", shown, name);
}

/* Copy the regular file NAME of FROM (ST: what its O_PATH descriptor was) to TO's NAME.
 * It is opened again by name, never through /proc (whose name a process on the host
 * could rename to a tree of its own), without following a link or blocking, and
 * copied only if it is still the very file ST describes. */
static void copy_file(int from, const struct stat *st, int to, const char *name, const char *shown)
{
	int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), out;
	struct stat now;
	ssize_t n;

	if (in < 0 || fstat(in, &now) < 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino)
		diex("tmpcopyup %s: %s changed while runb copied it", shown, name);
	out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		die("tmpcopyup %s: create %s", shown, name);
	while ((n = sendfile(out, in, NULL, 1 << 20)) > 0)
		;
	if (n < 0)
		die("tmpcopyup %s: copy %s", shown, name);
	copy_owner_mode(out, st, shown, name);
	close(out);
	close(in);
}

/* Copy the link SRC (an O_PATH descriptor of the link itself) to TO's NAME, as a link. */
static void copy_link(int src, const struct stat *st, int to, const char *name, const char *shown)
{
	char link[PATH_MAX];
	ssize_t n = readlinkat(src, "", link, sizeof(link) - 1);

	if (n < 0)
		die("tmpcopyup %s: readlink %s", shown, name);
	link[n] = '\0';
	if (symlinkat(link, to, name) < 0 ||
	    fchownat(to, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		die("tmpcopyup %s: link %s", shown, name);
}

static void copy_tree(int from, int to, int depth, const char *shown);

/* Copy the directory SRC (an O_PATH descriptor) to TO's NAME, and what it holds. */
static void copy_dir(int src, const struct stat *st, int to, const char *name, int depth,
		     const char *shown)
{
	int t;

	if (mkdirat(to, name, 0700) < 0 ||
	    (t = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		die("tmpcopyup %s: directory %s", shown, name);
	copy_tree(src, t, depth + 1, shown);
	copy_owner_mode(t, st, shown, name);
	close(t);
}

/* Copy the tree at FROM into TO, a tmpfs nobody sees yet: directories, regular files and
 * links, with their owners and modes. Each entry is opened without following a link,
 * and what that descriptor is (fstat) decides what is copied, whatever the name means
 * by then. Other kinds (devices, sockets, FIFOs) are left out, and so is what another
 * mount holds. */
static void copy_tree(int from, int to, int depth, const char *shown)
{
	int list = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), src;
	DIR *d = list < 0 ? NULL : fdopendir(list);
	struct dirent *e;
	struct stat st, top;

	if (!d || fstat(from, &top) < 0)
		die("tmpcopyup %s: open", shown);
	if (depth > 32)
		diex("tmpcopyup %s: deeper than 32 directories", shown);
	while ((errno = 0, e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		src = openat(from, e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0 || fstat(src, &st) < 0)
			die("tmpcopyup %s: open %s", shown, e->d_name);
		if (st.st_dev != top.st_dev)
			;  /* another mount (a volume, a kernel file system): not copied */
		else if (S_ISDIR(st.st_mode))
			copy_dir(src, &st, to, e->d_name, depth, shown);
		else if (S_ISREG(st.st_mode))
			copy_file(from, &st, to, e->d_name, shown);
		else if (S_ISLNK(st.st_mode))
			copy_link(src, &st, to, e->d_name, shown);
		close(src);
	}
	if (errno)
		die("tmpcopyup %s: readdir", shown);
	closedir(d);
}

/* Mount the tmpfs M asks for at its target, resolved once (FD): made detached, filled
 * (tmpcopyup) from FD's directory while nobody sees it, then attached through FD. */
static void tmpfs_mount_one(const struct config *cfg, int root, const struct user_mount *m)
{
	const char *noexec = m->attr & MOUNT_ATTR_NOEXEC ? ",noexec" : "";
	char data[sizeof(m->data) + 16];
	int was = open_in_root(root, m->target, O_DIRECTORY), fd, mnt;  /* was it there? */
	struct stat st;

	fd = open_target_dir(root, m->target);
	target_check(root, fd, m->target);
	if (fstat(fd, &st) < 0)
		die("stat %s", m->target);
	if (was >= 0)
		close(was);
	/* no mode= asked: the mode of the directory it covers if it was there, as runc does;
	 * else tmpfs's own, 1777 */
	if (strstr(m->data, "mode=") || was < 0)
		snprintf(data, sizeof(data), "%s", m->data);
	else
		snprintf(data, sizeof(data), "mode=%04o%s%s", (unsigned)(st.st_mode & 07777),
			 m->data[0] ? "," : "", m->data);
	trace(cfg->tr, 0, "mount -t tmpfs", "mount(\"tmpfs\", \"%s\", \"tmpfs\", "
	      "\"nosuid,nodev%s%s%s\")%s", m->target, noexec, data[0] ? "," : "", data,
	      m->copyup ? ", and what was there copied in" : "");
	mnt = fs_detached("tmpfs", data, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			  (m->attr & MOUNT_ATTR_NOEXEC), m->target);
	if (m->copyup)
		copy_tree(fd, mnt, 0, m->target);
	if (sys_move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount -t tmpfs -o nosuid,nodev%s%s%s tmpfs %s", noexec, data[0] ? "," : "", data,
		    m->target);
	close(mnt);
	close(fd);
}

static void user_mount_one(const struct config *cfg, int root, const struct user_mount *m,
			   const struct volume_tree *v)
{
	int fd;

	if (!m->host) {
		tmpfs_mount_one(cfg, root, m);
		return;
	}
	trace(cfg->tr, 0, "mount --bind HOST CONTAINER", "open_tree(\"%s\") on the host, "
	      "move_mount to %s%s%s", m->host, m->target, m->readonly ? " (ro,nosuid,nodev)" : "",
	      m->attr ? " (nosuid, nodev or noexec)" : "");
	fd = v->is_dir ? open_target_dir(root, m->target) : open_mount_file(root, m->target);
	target_check(root, fd, m->target);
	if (sys_move_mount(v->tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount --bind %s %s", m->host, m->target);
	close(v->tree);  /* the host's tree is mounted now, so nothing is left to hold */
	close(fd);
}

/* Return the number of components of PATH. A mount goes in before the ones below it. */
static int path_depth(const char *path)
{
	int n = 0;

	for (const char *p = path; *p; p++)
		n += *p != '/' && (p == path || p[-1] == '/');
	return n;
}

/* After the root switch, mount each --volume and --tmpfs. The shallower ones come
 * first, so that --tmpfs /data and --volume x:/data/x work in either order. Mounts of
 * the same depth come in command-line order. */
static void user_mounts_all(const struct config *cfg, const struct run *run)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), max = 0;

	if (root < 0)
		die("open /");
	for (int i = 0; i < cfg->n_mounts; i++)
		max = path_depth(cfg->mounts[i].target) > max ? path_depth(cfg->mounts[i].target) : max;
	for (int depth = 1; depth <= max; depth++)
		for (int i = 0; i < cfg->n_mounts; i++)
			if (path_depth(cfg->mounts[i].target) == depth)
				user_mount_one(cfg, root, &cfg->mounts[i], &run->volumes[i]);
	close(root);
}

/* runb.sh: config files — replaces: echo "nameserver 8.8.8.8" > $CONTAINER_FS/etc/resolv.conf
 *
 * The shell writes from the host into the rootfs. So it follows a link that
 * the rootfs may hold, such as etc/resolv.conf -> /etc/shadow, onto a host
 * file. runb writes nothing into ROOTFS and follows no link there. After the
 * root switch, it writes the file on the container's own /dev tmpfs. It binds
 * the file over /etc/resolv.conf, as docker binds a generated one, and then
 * removes the name it wrote. /etc must be a real directory. If resolv.conf is
 * a link, the bind covers the link itself, and the link is never followed. If
 * resolv.conf is missing, it gets an empty file as its mount point, as docker
 * makes it.
 */
static int etc_mount_point(int etc, const char *name)
{
	struct stat st;
	int fd = openat(etc, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		fd = openat(etc, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			die("touch /etc/%s (its mount point)", name);
		close(fd);
		fd = openat(etc, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st) < 0)
		die("open /etc/%s", name);
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		diex("/etc/%s in ROOTFS is neither a file nor a symlink: runb binds only over those",
		     name);
	return fd;
}

/* Return true if paths A and B name the same place. They are compared as strings,
 * with repeated slashes folded. */
static bool path_same(const char *a, const char *b)
{
	for (;;) {
		a += strspn(a, "/");
		b += strspn(b, "/");
		size_t na = strcspn(a, "/"), nb = strcspn(b, "/");

		if (na != nb || strncmp(a, b, na) != 0)
			return false;
		if (na == 0)
			return true;
		a += na;
		b += nb;
	}
}

/* Return true if the user put a --volume or --tmpfs at PATH. runb then binds none of
 * its own there. */
static bool user_mount_at(const struct config *cfg, const char *path)
{
	for (int i = 0; i < cfg->n_mounts; i++)
		if (path_same(cfg->mounts[i].target, path))
			return true;
	return false;
}

static void etc_bind_file(const struct config *cfg, const char *name, const char *content)
{
	char tmp[64];
	int root, dev, etc, target, fd, tree;

	snprintf(tmp, sizeof(tmp), "/etc/%s", name);
	if (user_mount_at(cfg, tmp)) {  /* the user's own file, which docker leaves too */
		trace(cfg->tr, 0, "(the names files)", "%s: the user's, left as it is", tmp);
		return;
	}
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die("open /");
	dev = dev_open_verified(root);
	etc = open_mount_dir(root, "etc", "");
	trace(cfg->tr, 0, "(the names files)", "write /dev/.runb-%s on /dev's tmpfs, "
	      "mount --bind it over /etc/%s", name, name);
	target = etc_mount_point(etc, name);
	snprintf(tmp, sizeof(tmp), ".runb-%s", name);
	fd = openat(dev, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		die("write /dev/%s", tmp);
	close(fd);
	tree = sys_open_tree(dev, tmp, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (tree < 0 ||
	    sys_move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount --bind /dev/%s /etc/%s", tmp, name);
	if (unlinkat(dev, tmp, 0) < 0)
		die("rm /dev/%s", tmp);
	close(tree);
	close(target);
	close(etc);
	close(dev);
	close(root);
}

/* Beyond the slides: /etc/hosts and /etc/hostname — replaces: nothing
 *
 * The container's host name is NAME, but nothing resolves it. With no route
 * out, `getent hosts NAME` waits 20 s for DNS and fails, and whatever looks
 * its own name up stalls. runb writes what docker writes. /etc/hosts gets
 * localhost for both address families, and the container's address with its
 * host name. With --net none, that address is 127.0.1.1. It also gets one line
 * per --add-host. runb writes /etc/hostname too. Both files are bound in the
 * same way as resolv.conf.
 */
static void hosts_set(const struct config *cfg, const struct run *run)
{
	char *hosts = NULL, name[80];
	size_t len = 0;
	FILE *f = open_memstream(&hosts, &len);

	if (!f)
		die("/etc/hosts: open_memstream");
	fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
		cfg->net == NET_BRIDGE ? inet_ntoa(run->ip) : "127.0.1.1", cfg->hostname);
	for (int i = 0; i < cfg->n_add_hosts; i++)
		fputs(cfg->add_hosts[i], f);
	if (fclose(f) != 0)
		die("/etc/hosts: write");
	etc_bind_file(cfg, "hosts", hosts);
	free(hosts);
	snprintf(name, sizeof(name), "%s\n", cfg->hostname);
	etc_bind_file(cfg, "hostname", name);
}

static void dns_set(const struct config *cfg)
{
	char *conf = NULL;
	size_t len = 0;
	FILE *f;

	if (cfg->net != NET_BRIDGE && !cfg->n_dns && !cfg->n_dns_search)
		return;  /* with --net none, runb binds no resolv.conf, unless one was asked for */
	f = open_memstream(&conf, &len);
	if (!f)
		die("/etc/resolv.conf: open_memstream");
	for (int i = 0; i < cfg->n_dns; i++)
		fprintf(f, "nameserver %s\n", cfg->dns[i]);
	if (!cfg->n_dns)
		fputs("nameserver 8.8.8.8\n", f);
	for (int i = 0; i < cfg->n_dns_search; i++)
		fprintf(f, "%s%s%s", i ? " " : "search ", cfg->dns_search[i],
			i + 1 == cfg->n_dns_search ? "\n" : "");
	if (fclose(f) != 0)
		die("/etc/resolv.conf: write");
	trace(cfg->tr, 0, "echo \"nameserver 8.8.8.8\" > $CONTAINER_FS/etc/resolv.conf",
	      "%d nameserver line(s), bound over /etc/resolv.conf", cfg->n_dns ? cfg->n_dns : 1);
	etc_bind_file(cfg, "resolv.conf", conf);
	free(conf);
}

/* Beyond the slides: -w/--workdir DIR — replaces: the slide's / (capsh's cwd)
 *
 * DIR is made as root when it is missing, as docker does. The command's user
 * enters it just before the exec. DIR belongs to the container, and a link in
 * it may point anywhere, /proc/self/fd/N included. Such a link may come from
 * the image, from an earlier run, or from another container through a shared
 * volume. So each component is resolved beneath the container's root, with
 * openat2 and RESOLVE_IN_ROOT, where ".." and absolute links stop at the root.
 * No magic links are followed (RESOLVE_NO_MAGICLINKS), such as /proc/PID/fd/N
 * or /proc/PID/cwd. DIR is entered by descriptor (fchdir), never by path
 * (runc's CVE-2024-21626). */
static int workdir_open(const char *path, unsigned long long flags)
{
	struct open_how how = { .flags = flags | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (root < 0)
		die("--workdir: open /");
	do
		fd = sys_openat2(root, path, &how);
	while (fd < 0 && errno == EAGAIN);
	close(root);
	return fd;
}

static void workdir_make(const struct config *cfg)
{
	char parent[PATH_MAX], base[NAME_MAX + 1];
	const char *last = NULL;  /* where the component under way begins */
	int dir;

	if (!cfg->workdir)
		return;
	for (const char *p = cfg->workdir; ; p++) {
		if ((*p == '/' || *p == '\0') && last && p > last) {
			snprintf(parent, sizeof(parent), "%.*s", (int)(last - cfg->workdir), cfg->workdir);
			snprintf(base, sizeof(base), "%.*s", (int)(p - last), last);
			dir = workdir_open(parent, O_PATH | O_DIRECTORY);
			if (dir < 0)
				die("--workdir: open %s (in the container's root)", parent);
			if (mkdirat(dir, base, 0755) < 0 && errno != EEXIST)
				die("--workdir: mkdir %s%s", parent, base);
			close(dir);
		}
		if (*p == '\0')
			break;
		if (*p == '/')
			last = p + 1;
	}
}

/* Beyond the slides: --read-only — replaces: nothing
 * This makes the root mount read-only, with mount_setattr on "/", not recursively.
 * /dev, /dev/shm, /dev/mqueue, /proc, and the --tmpfs and --volume mounts stay as
 * they are. /tmp is not writable unless asked for (--tmpfs /tmp), as with docker's
 * --read-only. It is the last of the mounts, because the mount points of the name
 * files and of the workdir are made before it. */
static void root_make_readonly(const struct config *cfg)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int root;

	if (!cfg->read_only)
		return;
	trace(cfg->tr, 0, "docker run --read-only", "mount -o remount,bind,ro /");
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || sys_mount_setattr(root, 0, &ro) < 0)
		die("--read-only: mount -o remount,bind,ro /");
	close(root);
}

/* Beyond the slides: --sysctl — replaces: docker run --sysctl, runc's linux.sysctl
 *
 * Some kernel settings belong to a namespace: net.* to the network namespace,
 * kernel.shm*, msg* and sem, and fs.mqueue.* to the IPC one. The container's
 * own are written in the container's /proc/sys, which runb mounted (slide 29)
 * and which it makes read-only next. The key is a dotted name (opt_sysctl()),
 * its file found beneath /proc with no link followed.
 */
static void sysctls_set(const struct config *cfg)
{
	char path[PATH_MAX];
	int proc, fd;

	if (!cfg->n_sysctls)
		return;
	proc = fs_open_verified("proc", PROC_SUPER_MAGIC, "procfs");
	for (int i = 0; i < cfg->n_sysctls; i++) {
		const char *kv = cfg->sysctls[i];
		size_t klen = strcspn(kv, "=");

		snprintf(path, sizeof(path), "sys/%.*s", (int)klen, kv);
		for (char *p = path + 4; *p; p++)
			*p = *p == '.' ? '/' : *p;
		trace(cfg->tr, 0, "docker run --sysctl", "echo %s > /proc/%s", kv + klen + 1, path);
		fd = open_beneath(proc, path, O_WRONLY);
		if (fd < 0)
			die("--sysctl %.*s: open /proc/%s", (int)klen, kv, path);
		write_fd(fd, path, kv + klen + 1);
		close(fd);
	}
	close(proc);
}

/* Run the steps above, in the order that the child runs them after the root switch. */
static void fs_after_root_switch(const struct config *cfg, const struct run *run)
{
	sysctls_set(cfg);              /* --sysctl, while /proc/sys is writable */
	fs_mask_kernel_files(cfg);     /* /proc and /sys masked */
	cg_mount_inside(cfg, run->cg_v2);  /* /sys/fs/cgroup, read-only */
	user_mounts_all(cfg, run);     /* --volume, --tmpfs */
	hosts_set(cfg, run);           /* /etc/hosts, /etc/hostname */
	dns_set(cfg);                  /* runb.sh: echo nameserver ... > etc/resolv.conf */
	workdir_make(cfg);             /* -w */
	root_make_readonly(cfg);       /* --read-only, last */
}

/* ------------------------------------------------------------------------ */
/* Part II.6: In the child: the process, to the exec                        */
/* ------------------------------------------------------------------------ */

/* The child keeps these descriptors: its ends of runb's pipes, the network
 * namespace, the --volume trees, --step's terminal, and stdin, stdout and stderr.
 * All others, which are runb's or the caller's, are closed. ROOTFS is its working
 * directory. */
static void child_keep_fds(const struct config *cfg, const struct run *run,
			   const struct handoff *h)
{
	int keep[14 + cfg->n_mounts];
	size_t n = 0;

	keep[n++] = STDIN_FILENO;
	keep[n++] = STDOUT_FILENO;
	keep[n++] = STDERR_FILENO;
	keep[n++] = h->netns_fd;
	keep[n++] = h->join[JOIN_IPC];  /* --ipc, --uts ns:PATH: entered at the next step */
	keep[n++] = h->join[JOIN_UTS];
	keep[n++] = h->alive_r;
	keep[n++] = h->pty_sock[1];
	keep[n++] = h->report[1];
	keep[n++] = h->out[1];
	keep[n++] = h->err[1];
	for (int i = 0; i < cfg->n_mounts; i++)
		keep[n++] = run->volumes[i].tree;
	keep[n++] = cfg->tr->step ? cfg->tr->tty : -1;
	keep[n++] = cfg->oci ? cfg->oci->start_fd : -1;   /* runb-oci create: start's word */
	keep[n++] = cfg->oci ? cfg->oci->stderr_fd : -1;  /* and the caller's stderr */
	fds_keep_only(keep, n);
}

/* Beyond the slides: a session of its own — replaces: nothing
 *
 * The slides' container stays in runb's process group and session. From
 * inside, kill(0, SIGUSR1) reaches runb and the caller's shell, and /dev/tty
 * opens the caller's terminal even when stdin is not a terminal. runb calls
 * setsid(2), as runc does. This gives the container a session and process
 * group of its own, with no controlling terminal. So it cannot name runb's
 * process group, and /dev/tty fails with ENXIO. An interactive container gets
 * a terminal of its own instead (-t, below).
 */
static void ns_new_session(const struct config *cfg)
{
	trace(cfg->tr, 0, "(a session of its own)", "setsid()");
	if (setsid() < 0)
		die("setsid");
}

/* Beyond the slides: --oom-score-adj — replaces: nothing (the command inherits runb's)
 *
 * The score is the process's own, inherited by its children and across exec. So the
 * container's first process sets its own at its first step, and runb exec's set-up
 * process before it enters the container's namespaces: both still see the host's
 * /proc there (exec's stays in the host's PID namespace, where the container's /proc
 * has no /proc/self), and both still hold CAP_SYS_RESOURCE, which a lower score than
 * the one inherited needs. As runc does for config.json's oomScoreAdj.
 */
static void oom_score_set(const struct config *cfg)
{
	char v[16];
	int fd, n;

	if (!cfg->oom_asked)
		return;
	trace(cfg->tr, 0, "(OOM score)", "echo %d > /proc/self/oom_score_adj", cfg->oom_score_adj);
	n = snprintf(v, sizeof(v), "%d", cfg->oom_score_adj);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die("--oom-score-adj: open /proc/self/oom_score_adj");
	if (!fd_is_fs(fd, PROC_SUPER_MAGIC))
		diex("--oom-score-adj: /proc/self/oom_score_adj is not on a procfs");
	if (write(fd, v, n) != n)
		die("--oom-score-adj %d: write /proc/self/oom_score_adj", cfg->oom_score_adj);
	close(fd);
}

/* Run the child's first steps, before slide 27's. The child chooses the descriptors it
 * keeps, starts -v's clock, and takes a session of its own. Then it opens ROOTFS,
 * which it got as its working directory. */
static int child_begin(const struct config *cfg, const struct run *run, const struct handoff *h)
{
	child_keep_fds(cfg, run, h);        /* nothing of the host's but what it needs */
	trace_begin_child(cfg->tr);    /* the child's own clock and host PID, for -v and --step */
	ns_join_enter(cfg, h);         /* --ipc, --uts ns:PATH: those namespaces, not slide 27's */
	oom_score_set(cfg);            /* --oom-score-adj, through the host's /proc */
	ns_new_session(cfg);           /* no way to name runb's session */
	return rootfs_take_over(cfg);  /* ROOTFS by descriptor, not by path */
}

static void rlimits_apply(const struct config *cfg)
{
	trace(cfg->tr, 0, "(limits)", "setrlimit for all %d resources: nofile %llu, core %llu, ...",
	      RLIM_NLIMITS, (unsigned long long)cfg->rlimits[RLIMIT_NOFILE].rlim_cur,
	      (unsigned long long)cfg->rlimits[RLIMIT_CORE].rlim_cur);
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++) {
		int r = rlimit_names[i].resource;
		struct rlimit lim = cfg->rlimits[r], now;

		if (setrlimit(r, &lim) == 0)
			continue;
		if (errno != EPERM || cfg->rlimits_asked & (1u << r) || getrlimit(r, &now) < 0)
			die("setrlimit %s %llu:%llu (--ulimit)", rlimit_names[i].name,
			    (unsigned long long)lim.rlim_cur, (unsigned long long)lim.rlim_max);
		lim.rlim_max = lim.rlim_max > now.rlim_max ? now.rlim_max : lim.rlim_max;
		lim.rlim_cur = lim.rlim_cur > lim.rlim_max ? lim.rlim_max : lim.rlim_cur;
		if (setrlimit(r, &lim) < 0)
			die("setrlimit %s", rlimit_names[i].name);
	}
}

/* Beyond the slides: no_new_privs and seccomp — replaces: nothing
 *
 * The slides' container drops some capabilities with capsh and stops there. It lacks
 * two things:
 *   - A seccomp filter. Every syscall that its capabilities allow is open. This
 *     includes the syscalls that reach kernel state which no namespace isolates:
 *     keyrings, BPF, perf, modules and kexec.
 *   - no_new_privs. Without it, a setuid binary in the image could raise
 *     privileges again.
 *
 * These are the seccomp rules, and what each one stops. Anything not listed is
 * allowed. The tables seccomp_denied and seccomp_arg_rules below hold the calls.
 *   - A foreign architecture is killed. The 32-bit x86 entry (int 0x80) uses
 *     another syscall table, so a filter written with x86_64 numbers would let
 *     it through.
 *   - The x32 ABI on x86_64 gets EPERM. Its calls are the same calls with
 *     __X32_SYSCALL_BIT set, and they would get past our JEQs.
 *   - keyctl, add_key and request_key get EPERM. The kernel keyring is not
 *     namespaced, so these calls reach the host's keys. keyctl can read, link
 *     or revoke keys. add_key can fill the host's key quota and plant keys.
 *     request_key can find host keys, and it may run /sbin/request-key on the
 *     host.
 *   - bpf gets EPERM. It loads kernel programs, and it could detach runb's
 *     device filter.
 *   - perf_event_open gets EPERM. It can watch and profile host processes and
 *     the kernel, and it can read kernel addresses. It is also a large attack
 *     surface.
 *   - userfaultfd gets EPERM. It can stall the kernel mid-copy to win exploit
 *     races. This is a classic exploit primitive.
 *   - init_module, finit_module and delete_module get EPERM. They change the
 *     host's kernel. init_module loads a kernel module from memory, finit_module
 *     loads one from a file, and delete_module unloads the host's modules.
 *   - kexec_load and kexec_file_load get EPERM. They replace the host's kernel
 *     by booting another kernel on the host. kexec_file_load does it from a file.
 *   - open_by_handle_at gets EPERM. It opens any host file by handle, and so
 *     escapes the chroot ("shocker").
 *   - io_uring_setup, io_uring_enter and io_uring_register get EPERM, as in
 *     Docker. The submission rings of io_uring do system calls on the process's
 *     behalf, and this filter never sees them.
 *   - unshare and clone with CLONE_NEWUSER get EPERM. A user namespace regains
 *     every capability that we dropped, for the kernel code that it exposes. For
 *     both calls, the flags are argument 0.
 *   - clone3 gets ENOSYS. Its flags sit in memory that BPF cannot read. So glibc
 *     is made to fall back to clone(2), whose flags we can check, as Docker does.
 *   - ioctl(TIOCSTI) gets EPERM. It pushes keystrokes into the caller's tty, and
 *     so types commands into the terminal that runb was started from.
 *
 * --seccomp=unconfined leaves the filter out, for comparison. See seccomp(2) and
 * Documentation/userspace-api/seccomp_filter.rst.
 */
#if defined(__x86_64__)
#define SECCOMP_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "runb: seccomp_install knows x86_64 and aarch64 only"
#endif

/* Where the low 32 bits of syscall argument i sit in struct seccomp_data. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SECCOMP_ARG_LO(i) (offsetof(struct seccomp_data, args) + sizeof(__u64) * (i))
#else
#define SECCOMP_ARG_LO(i) (offsetof(struct seccomp_data, args) + sizeof(__u64) * (i) + 4)
#endif

/* These syscalls are refused outright, whatever their arguments. The list at the top of
 * this block says what each refusal stops. */
struct seccomp_deny {
	int nr;
	int err;
};

static const struct seccomp_deny seccomp_denied[] = {
	{ SYS_keyctl, EPERM },
	{ SYS_add_key, EPERM },
	{ SYS_request_key, EPERM },
	{ SYS_bpf, EPERM },
	{ SYS_perf_event_open, EPERM },
	{ SYS_userfaultfd, EPERM },
	{ SYS_init_module, EPERM },
	{ SYS_finit_module, EPERM },
	{ SYS_delete_module, EPERM },
	{ SYS_kexec_load, EPERM },
	{ SYS_kexec_file_load, EPERM },
	{ SYS_open_by_handle_at, EPERM },
	{ SYS_io_uring_setup, EPERM },
	{ SYS_io_uring_enter, EPERM },
	{ SYS_io_uring_register, EPERM },
	{ SYS_clone3, ENOSYS },
};

/* These syscalls are refused only for one argument value. With MASK, a call matches
 * when any bit of VAL is set in the argument. Otherwise, it matches when the argument
 * equals VAL. The test looks at the low 32 bits, which is all that the kernel reads of
 * these arguments. The list at the top of this block says what each refusal stops. */
struct seccomp_arg_rule {
	int nr;
	unsigned int arg;
	bool mask;
	uint32_t val;
	int err;
};

static const struct seccomp_arg_rule seccomp_arg_rules[] = {
	{ SYS_unshare, 0, true, CLONE_NEWUSER, EPERM },
	{ SYS_clone, 0, true, CLONE_NEWUSER, EPERM },
	{ SYS_ioctl, 1, false, TIOCSTI, EPERM },
};

/* A classic BPF program being built. 128 instructions leave room for twice the tables. */
BPF_PROGRAM(seccomp_prog, struct sock_filter, 128, "seccomp")

/* Load the syscall number into A after checking the architecture. The numbers in our
 * tables mean something only for the architecture that runb was built for. So any
 * other architecture is killed. */
static void seccomp_emit_arch(struct seccomp_prog *p)
{
	seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						  offsetof(struct seccomp_data, arch)));
	seccomp_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_AUDIT_ARCH, 1, 0));
	seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						  offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
	/* x32 shares AUDIT_ARCH_X86_64 but adds this bit to nr, so none of our JEQs would
	 * match it. */
	seccomp_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1));
	seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
#endif
}

/* Emit one pair of instructions per denied call. If nr is N, the pair returns the
 * errno. Otherwise, it falls through to the next pair. Every jump is over exactly one
 * instruction, so no offset can outgrow BPF's u8 jumps. */
static void seccomp_emit_denied(struct seccomp_prog *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_denied); i++) {
		const struct seccomp_deny *d = &seccomp_denied[i];

		seccomp_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, d->nr, 0, 1));
		seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							      SECCOMP_RET_ERRNO | (d->err & SECCOMP_RET_DATA)));
	}
}

/* Emit five instructions per argument rule. Loading the argument overwrites A, which
 * holds the syscall number. So a matched syscall always ends in its own block, with
 * either the errno or allow. The five instructions are:
 *   nr == N ? next : skip 4;  A = arg;  A matches ? next : skip 1;  ret errno;  ret allow */
static void seccomp_emit_arg_rules(struct seccomp_prog *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_arg_rules); i++) {
		const struct seccomp_arg_rule *r = &seccomp_arg_rules[i];
		unsigned short test = BPF_JMP | (r->mask ? BPF_JSET : BPF_JEQ) | BPF_K;

		seccomp_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, r->nr, 0, 4));
		seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_ARG_LO(r->arg)));
		seccomp_prog_emit(p, (struct sock_filter)BPF_JUMP(test, r->val, 0, 1));
		seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							      SECCOMP_RET_ERRNO | (r->err & SECCOMP_RET_DATA)));
		seccomp_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	}
}

/* Set no_new_privs. After it, execve can no longer raise privileges through setuid bits
 * or file capabilities. It also lets seccomp_install work without CAP_SYS_ADMIN. It is
 * inherited, and it cannot be undone (prctl(2)). */
static void nnp_set(const struct config *cfg)
{
	trace(cfg->tr, 0, "no_new_privs", "prctl(PR_SET_NO_NEW_PRIVS, 1)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_NO_NEW_PRIVS)");
}

/* Install the filter described at the top of this block. Every descendant inherits it.
 * process_finalize() shows where it goes in the order of the steps (seccomp(2)). */
static void seccomp_install(const struct config *cfg)
{
	struct seccomp_prog p = { .len = 0 };
	struct sock_fprog fprog;

	seccomp_emit_arch(&p);
	seccomp_emit_denied(&p);
	seccomp_emit_arg_rules(&p);
	seccomp_prog_emit(&p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	fprog.len = p.len;
	fprog.filter = p.ins;
	trace(cfg->tr, 0, "seccomp", "seccomp(SECCOMP_SET_MODE_FILTER): %u BPF instructions, "
	      "%zu calls denied, %zu argument rules", p.len,
	      ARRAY_SIZE(seccomp_denied),
	      ARRAY_SIZE(seccomp_arg_rules));
	if (sys_seccomp_filter(&fprog) < 0)
		die("seccomp(SECCOMP_SET_MODE_FILTER)");
}

/* Check that slide 33's switch took. A profile of config.json's that comes before it
 * (without no_new_privs) could answer setresuid, setgroups or capset with errno 0
 * and leave the process root with every capability; the calls then "succeed". */
static void creds_check(const struct config *cfg, uint64_t keep)
{
	uint64_t caps = cfg->uid == 0 ? keep : 0, eff, prm;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uid_t r, e, su;
	gid_t gr, ge, sg;

	if (getresuid(&r, &e, &su) < 0 || getresgid(&gr, &ge, &sg) < 0 || sys_capget(&hdr, data) < 0)
		die("capsh: read back the credentials");
	eff = data[0].effective | (uint64_t)data[1].effective << 32;
	prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	if (r != cfg->uid || e != cfg->uid || su != cfg->uid || gr != cfg->gid || ge != cfg->gid ||
	    sg != cfg->gid || eff != caps || prm != caps || getgroups(0, NULL) != cfg->n_groups)
		diex("capsh --uid=%u --gid=%u: the switch did not take (a seccomp profile answering "
		     "setresuid, setgroups or capset?)", (unsigned)cfg->uid, (unsigned)cfg->gid);
}

/* runb's own filter (unless --seccomp=unconfined), then, from runb-oci, config.json's
 * profile (Part III.2): a call must pass both. */
static void seccomp_filters(const struct config *cfg)
{
	if (cfg->seccomp)
		seccomp_install(cfg);
	if (!cfg->profile)
		return;
	trace(cfg->tr, 0, "(config.json's linux.seccomp)", "seccomp(SECCOMP_SET_MODE_FILTER): %u BPF "
	      "instructions", cfg->profile->len);
	if (sys_seccomp_filter((struct sock_fprog *)cfg->profile) < 0)
		die("seccomp(SECCOMP_SET_MODE_FILTER) of config.json's linux.seccomp");
}

static void workdir_enter(const struct config *cfg)
{
	int fd;

	if (!cfg->workdir)
		return;
	fd = workdir_open(cfg->workdir, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ELOOP)
		diex("--workdir: cd %s: a link on its path is a /proc magic link, which runb does not "
		     "follow", cfg->workdir);
	if (fd < 0 || fchdir(fd) < 0)
		die("--workdir: cd %s (as uid %u)", cfg->workdir, (unsigned)cfg->uid);
	close(fd);
}

/* Beyond the slides: --umask — replaces: nothing (the command inherits runb's)
 * The umask is the process's own and inherited across exec, so the process sets it on
 * itself just before, as runc does for config.json's user.umask (podman asks for 0022
 * always). --oom-score-adj is set earlier (oom_score_set). */
static void umask_set(const struct config *cfg)
{
	if (!cfg->umask_asked)
		return;
	trace(cfg->tr, 0, "(umask)", "umask %04o", (unsigned)cfg->umask);
	umask(cfg->umask);
}

/* Beyond the slides: the final steps, then exec — replaces: capsh --inh --uid --gid
 *
 * The container's first process and runb exec's setup share these steps, as in
 * runc's finalizeNamespace, because their order is forced and easy to get wrong:
 *   1. The limits and the umask. setrlimit may raise a hard limit only with
 *      CAP_SYS_RESOURCE.
 *   2. Without no_new_privs (--security-opt no-new-privileges=false), the
 *      seccomp filter comes now, because installing one without no_new_privs
 *      needs CAP_SYS_ADMIN.
 *   3. Slide 33's user and capability sets (caps_switch_user).
 *   4. -w, entered as the command's user, so its permissions are the user's.
 *   5. no_new_privs, and then the filter last. From then on, the process can do
 *      only what the command may do. None of runb's own steps is left that the
 *      filter would refuse.
 */
static void process_finalize(const struct config *cfg, uint64_t caps)
{
	rlimits_apply(cfg);
	umask_set(cfg);
	if (!cfg->nnp)
		seccomp_filters(cfg);
	caps_switch_user(cfg, caps);
	creds_check(cfg, caps);
	workdir_enter(cfg);
	if (cfg->nnp)
		nnp_set(cfg);
	if (cfg->nnp)
		seccomp_filters(cfg);
}

/* Beyond the slides: the container dies with runb — replaces: nothing
 *
 * If runb is killed, by SIGKILL or by the OOM killer, nobody tears the
 * container down. It would run on unseen until some later run sweeps. runb has
 * two guards against this:
 *   1. The child sets PR_SET_PDEATHSIG, so it gets SIGKILL when runb exits. It
 *      sets it after its credential change, which would clear it, and then it
 *      checks that runb is still there (die_with_runb). But this is the
 *      container process's own setting. Its command can reset it, or clear it
 *      by any setuid.
 *   2. So runb also forks a watcher that the container cannot reach. The
 *      watcher is outside the container's PID namespace, in a session of its
 *      own. It holds only a pidfd of PID 1 and the read end of a pipe that runb
 *      alone writes. When runb is gone, for whatever reason, the read returns 0,
 *      and the watcher kills PID 1. This ends the whole PID namespace
 *      (pid_namespaces(7)). After a normal end, PID 1 is gone already, and the
 *      pidfd names no other process, so no PID reuse can fool it.
 */
static void die_with_runb(int alive_r)
{
	struct pollfd p = { .fd = alive_r, .events = POLLIN };

	if (alive_r < 0)
		return;  /* runb-oci create: runb goes, and the caller supervises (Part III.3) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	if (poll(&p, 1, 0) < 0)
		die("poll runb's pipe");
	if (p.revents & (POLLHUP | POLLERR))
		_exit(EXIT_RUNB);
	close(alive_r);
}

/* The child calls this just before the exec. stdin becomes the container's own
 * /dev/null. This is the node on its /dev tmpfs, never the host's, whose inode a root
 * container could chmod. stdout and stderr go into the log pipes. The child's own last
 * lines (-v, --timings) go on to the caller, never into the container's log. They go
 * through a copy of stderr, which the exec closes. */
static void detach_stdio(struct tracer *tr, int out_w, int err_w)
{
	int null = open("/dev/null", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (null < 0 || fstat(null, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3) ||
	    !fd_is_fs(null, TMPFS_MAGIC))
		diex("-d: the container's /dev/null is not the node runb made");
	if (dup2(null, STDIN_FILENO) < 0)
		die("-d: /dev/null as the container's stdin");
	close(null);
	if ((tr->verbose || tr->timings) && (tr->fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
		die("-d: dup stderr for runb's own lines");
	if (dup2(out_w, STDOUT_FILENO) < 0 || dup2(err_w, STDERR_FILENO) < 0)
		die("-d: the container's stdout and stderr to the log");
	close(out_w);
	close(err_w);
}

/* Beyond the slides: an init — replaces: the command as PID 1
 *
 * PID 1 of a PID namespace has two duties that the kernel gives no other
 * process. First, orphans are reparented to it, so it must reap them, or they
 * stay zombies. Second, signals without a handler do not kill it. So a command
 * with no SIGTERM handler ignores a forwarded stop until the timeout. A shell
 * or a server is rarely written for that. With --init, runb's own small init
 * stays PID 1, as `docker run --init` (tini) does. It is this same code, and
 * nothing is added to ROOTFS. The init runs the command as its child, in a
 * process group of its own, which is in the terminal's foreground with -t. It
 * forwards every signal it gets to the command, and it reaps every child. It
 * exits with the command's status, which is 128+N for signal N. Its signals
 * are blocked and taken with sigwaitinfo(2), because blocked signals reach even
 * a namespace's init. It keeps the death signal, which nothing it runs can
 * reset. It is not dumpable, so no process of the container can ptrace it.
 */
static int init_wait(pid_t child, const sigset_t *all)
{
	siginfo_t si;
	int wstatus, status = -1;
	pid_t p;

	for (;;) {
		if (sigwaitinfo(all, &si) < 0) {
			if (errno == EINTR)
				continue;
			die("init: sigwaitinfo");
		}
		if (si.si_signo != SIGCHLD) {
			kill(child, si.si_signo);  /* the child, not PID 1, can die of it */
			continue;
		}
		while ((p = waitpid(-1, &wstatus, WNOHANG)) > 0)  /* reap every child, orphans too */
			if (p == child)
				status = exit_status(wstatus);
		if (status >= 0)
			return status;
	}
}

/* Fork the command's process. In the child, which is to become the command, this
 * function returns. In PID 1, it becomes the init and never returns. */
static void init_start(const struct config *cfg)
{
	sigset_t all;
	pid_t child;
	int proc;

	if (!cfg->init)
		return;
	trace(cfg->tr, 0, "docker run --init", "fork: PID 1 stays runb's init (reaps, forwards "
	      "signals), the command is its child");
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		die("init: sigprocmask");
	child = fork();
	if (child < 0)
		die("init: fork the command");
	if (child == 0) {
		if (setpgid(0, 0) < 0)
			die("init: setpgid");
		if (isatty(STDIN_FILENO) && tcsetpgrp(STDIN_FILENO, getpid()) < 0)
			die("init: tcsetpgrp");  /* SIGTTOU is blocked, so background is fine */
		return;
	}
	{
		const int keep[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };

		fds_keep_only(keep, ARRAY_SIZE(keep));  /* report, --step's tty: the command's */
	}
	not_dumpable();                  /* true since the clone, repeated where it matters */
	proc = fs_open_verified("proc", PROC_SUPER_MAGIC, "procfs");  /* not /proc by name */
	args_scrub("runb-init", proc);   /* no host path, no caller's environment in its memory */
	close(proc);
	exit(init_wait(child, &all));
}

/* Beyond the slides: every signal at its default — replaces: whatever runb inherited
 *
 * A signal that is ignored stays ignored across execve(2). A shell starts a
 * background runb with SIGINT and SIGQUIT ignored, and nohup ignores SIGHUP.
 * Such a runb would hand that on to its container. So, just before the exec,
 * every disposition goes back to the default, and the mask is emptied.
 */
static void signals_default(void)
{
	/* The kernel's struct sigaction, all zero, means SIG_DFL, no flags and no
	 * mask. runb calls the raw rt_sigaction, because glibc's sigaction refuses
	 * its own signals 32 and 33 with EINVAL. A caller may have left those
	 * ignored too. */
	const unsigned long dfl[8] = { 0 };
	sigset_t none;

	/* Every one, not only those /proc/self/status's SigIgn names: after the root
	 * switch /proc is a name in ROOTFS, which a process on the host could rename to a
	 * tree of its own (README: Security), and 62 calls cost some microseconds. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sys_rt_sigaction(sig, dfl) < 0)
			die("rt_sigaction %d SIG_DFL", sig);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		die("sigprocmask");
}

/* Run the child's last steps before slide 33's exec, after process_finalize(). */
static void child_before_exec(const struct config *cfg, const struct handoff *h)
{
	die_with_runb(h->alive_r);     /* not without runb */
	if (h->out[1] >= 0)
		detach_stdio(cfg->tr, h->out[1], h->err[1]);  /* -d sends the output to the log */
	init_start(cfg);               /* with --init, PID 1 stays runb's init */
	signals_default();             /* no disposition inherited from runb */
}

/* ------------------------------------------------------------------------ */
/* Part II.7: The terminal: -t                                              */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: the container's own terminal — replaces: the caller's terminal, passed through
 *
 * A terminal passed through from the caller is the host's pty. It does not
 * exist in the container's own devpts, so `tty` says "not a tty", and ps
 * shows no TTY. It also ties the container to the caller's session. -t is the
 * default when stdin and stdout are terminals. With -t, the child opens a pty
 * in the container's own devpts (slide 32). It makes the pty its controlling
 * terminal, which it can do because it has a session of its own. It also makes
 * the pty its /dev/console. Then it hands the master to runb over a socket
 * (SCM_RIGHTS). runb puts the caller's terminal in raw mode, so ^C, ^Z and
 * every key reach the container's line discipline. runb relays both ways, and
 * SIGWINCH carries size changes over (TIOCSWINSZ). The ledger restores the
 * caller's terminal on every exit. See man 7 pty.
 */

/* The child calls this after the root switch. Open a pty in the container's devpts,
 * and send its master to runb. Return the other end, and put its name in PTS. */
static int pty_send_master(const struct config *cfg, const struct winsize *ws, int sock,
			   char pts[static 32])
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct iovec iov = { .iov_base = "m", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int master, slave, unlock = 0, n;

	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (master < 0)
		die("open /dev/pts/ptmx");
	if (!fd_is_fs(master, DEVPTS_SUPER_MAGIC))
		diex("/dev/pts/ptmx is not on the devpts runb mounted at /dev/pts");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
		die("unlockpt /dev/pts/ptmx");
	if (ws->ws_row && ioctl(master, TIOCSWINSZ, ws) < 0)
		die("pty: TIOCSWINSZ");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		die("open the pty's other end (TIOCGPTPEER)");
	snprintf(pts, 32, "/dev/pts/%d", n);
	trace(cfg->tr, 0, "(-t: a terminal of its own)", "open /dev/pts/ptmx: %s, its controlling "
	      "terminal and /dev/console; the master to runb (SCM_RIGHTS)", pts);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(sock, &msg, 0) < 0)
		die("pty: send the master to runb");
	close(master);
	close(sock);
	return slave;
}

/* Make the pty's other end, SLAVE, the controlling terminal of this process, which
 * leads a session of its own. SLAVE also becomes its stdin, stdout and stderr. */
static void pty_take(int slave, const char *pts)
{
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		die("pty: TIOCSCTTY %s", pts);
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			die("pty: dup2 %s", pts);
}

/* Also make /dev/console. It is an empty file on /dev's tmpfs, and the pty is bound
 * over it, as runc does: a clone of the pty's own mount, attached through the
 * descriptor of the file made in the checked /dev (no name is looked up twice). */
static void pty_make_console(const struct config *cfg, const struct winsize *ws, int sock)
{
	char pts[32];
	int slave = pty_send_master(cfg, ws, sock, pts);
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), dev, fd, tree;

	pty_take(slave, pts);
	if (root < 0)
		die("open /");
	dev = dev_open_verified(root);
	fd = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	tree = sys_open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (fd < 0 || tree < 0 ||
	    sys_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount --bind %s /dev/console", pts);
	close(tree);
	close(fd);
	close(dev);
	close(root);
	close(slave);
}

/* In runb, receive the master that the child sent. Return -1 when the child closed
 * the socket without sending it. */
static int pty_receive_master(int sock)
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int fd;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("pty: receive the master");
	cm = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* -t is the default when stdin and stdout are terminals and runb is in the
 * terminal's foreground. A runb in the background (cmd &, timeout(1)) that
 * changed the terminal's modes would be stopped by SIGTTOU. Job control stops
 * any background job that tries this. With an explicit -t, runb is stopped in
 * that way. */
static bool tty_wanted(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	       tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* Get the size of the caller's terminal, for the container's pty (-t). */
static void tty_get_size(struct winsize *ws)
{
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, ws) < 0)
		ioctl(STDOUT_FILENO, TIOCGWINSZ, ws);
}

/* In runb, put the caller's terminal in raw mode, and note it in the ledger so that
 * it is restored. */
static void tty_make_raw(const struct config *cfg, struct ledger *led)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO))
		return;
	if (tcgetattr(STDIN_FILENO, &led->tty_saved) < 0)
		die("tcgetattr stdin");
	raw = led->tty_saved;
	cfmakeraw(&raw);
	trace(cfg->tr, 0, "(-t)", "the caller's terminal in raw mode (restored at the end)");
	ledger_add(led, MADE_TTY_RAW);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		die("tcsetattr stdin raw");
}

/* On SIGWINCH, the caller's terminal changed size. The container's terminal gets the
 * same size. */
static void tty_pass_size(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* The relay's state holds the bytes read from one side and not yet written to the
 * other. */
struct relay {
	int sock;              /* the master arrives here, and then this is -1 */
	int master;            /* -1 until it arrives, and once the container's side closed */
	int in;                /* stdin, or -1 at its end */
	int pipe;              /* the command's stdin pipe for runb exec without a pty, or -1 */
	bool raw;              /* the caller's terminal is in raw mode */
	char pending[4096];    /* from stdin, for the master */
	size_t npending;
};

/* Write all of BUF to the blocking FD, which is the caller's stdout. */
static void write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return;  /* the caller's stdout went away, but the container goes on */
		buf += w;
		n -= w;
	}
}

/* Copy the container's output, which the master holds, to stdout. With DRAIN, copy
 * until there is no more, because the container ended. A closed pty reads EIO. */
static void relay_out(struct relay *r, bool drain)
{
	char buf[8192];
	ssize_t n;

	do {
		n = read(r->master, buf, sizeof(buf));
		if (n > 0)
			write_all(STDOUT_FILENO, buf, n);
	} while (n > 0 && drain);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(r->master);
		r->master = -1;
	}
}

/* Relay the caller's input. Read stdin while the master takes it. At stdin's end, which
 * happens with a pipe, send the terminal's end-of-file character, so that a shell
 * reading the pty sees EOF too. */
static void relay_in(struct relay *r, bool readable)
{
	ssize_t n;

	if (readable && r->npending == 0) {
		n = read(r->in, r->pending, sizeof(r->pending));
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
			r->in = -1;
			r->pending[0] = 4;  /* ^D, which is VEOF in a pty's default modes */
			n = 1;
		}
		r->npending = n > 0 ? n : 0;
	}
	if (r->npending && r->master >= 0) {
		n = write(r->master, r->pending, r->npending);
		if (n > 0) {
			memmove(r->pending, r->pending + n, r->npending - n);
			r->npending -= n;
		}
	}
}

/* For runb exec without a pty, copy stdin into the command's pipe. The pipe ends
 * when stdin ends. A command that closed its stdin (EPIPE) gets no more. */
static void relay_in_pipe(struct relay *r, bool readable)
{
	ssize_t n;

	if (readable && r->npending == 0) {
		n = read(r->in, r->pending, sizeof(r->pending));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n <= 0)
			goto end;
		r->npending = n;
	}
	if (r->npending) {
		n = write(r->pipe, r->pending, r->npending);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto end;
		if (n > 0) {
			memmove(r->pending, r->pending + n, r->npending - n);
			r->npending -= n;
		}
	}
	return;
end:
	r->in = -1;
	r->npending = 0;
	close(r->pipe);
	r->pipe = -1;
}

/* For runb exec, copy to TO what the command wrote to the pipe *FD. With DRAIN, copy
 * all there is now. The pipe is non-blocking, because a process that the command left
 * behind may keep it open. */
static void relay_pipe(int *fd, int to, bool drain)
{
	char buf[8192];
	ssize_t n;

	do {
		n = read(*fd, buf, sizeof(buf));
		if (n > 0)
			write_all(to, buf, n);
	} while (n > 0 && drain);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || drain) {
		close(*fd);
		*fd = -1;
	}
}

/* runb exec without a pty reads the caller's terminal only in its foreground. In the
 * background, the read fails (EIO) instead of stopping runb (SIGTTIN), and that is the
 * command's end of input. Its output is written as a shell's output would be. */
static void relay_no_job_control(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	if (sigaction(SIGTTIN, &ign, NULL) < 0 || sigaction(SIGTTOU, &ign, NULL) < 0)
		die("sigaction SIGTTIN, SIGTTOU");
}

/* ------------------------------------------------------------------------ */
/* Part II.8: runb beside its container: state, -d, the watcher, the wait   */
/* ------------------------------------------------------------------------ */

/* No descriptor of the caller's may reach the container. So mark all descriptors
 * beyond stdin, stdout and stderr close-on-exec. runb opens its own that way. */
static void fds_cloexec(void)
{
	if (sys_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die("close_range(3, ~0, CLOSE_RANGE_CLOEXEC)");
}

/* runb takes its signals from a signalfd(2) instead of handlers. The signals are
 * blocked from before the clone, and the child unblocks them before the exec. So
 * no signal is lost, and none interrupts a step halfway. */
/* Close the descriptors of FDS that are open, and mark them closed. */
static void fds_close(int *fds[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

static const int fwd_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGPIPE);  /* a caller's stdout that went away is an error, not a death */
	for (size_t i = 0; i < ARRAY_SIZE(fwd_signals); i++)
		sigaddset(set, fwd_signals[i]);
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		die("sigprocmask");
}

/* If a stop signal came while runb was setting up, start no container, and exit
 * with 128+N. teardown() removes what the setup made. */
static void stop_if_signalled(void)
{
	struct timespec now = { 0, 0 };
	sigset_t stop;
	int sig;

	sigemptyset(&stop);
	for (size_t i = 0; i < ARRAY_SIZE(fwd_signals); i++)
		sigaddset(&stop, fwd_signals[i]);
	sig = sigtimedwait(&stop, NULL, &now);
	if (sig > 0)
		exit(128 + sig);
}

/* Beyond the slides: a container that others can find — replaces: nothing
 *
 * runc keeps a state.json per container. runb keeps its state in the lock
 * file that it holds for the container's life (name_lock). The file has one
 * KEY=VALUE per line, with \n and \\ escaped. runb writes it once PID 1
 * exists, and closes it with a line "end". A container is running while its
 * lock is held. So a verb that can take the lock itself knows that the runb
 * which held it is gone. At the end, runb appends "status=N". `runb wait`
 * reads it from its open descriptor, even after the file's name is gone. A
 * detached container's record gets the same lines (see "a record per
 * detached container").
 */

struct state {
	char *text;             /* the file, which the strings below point into */
	pid_t pid;              /* PID 1 of the container, as the host sees it */
	pid_t supervisor;       /* the runb that holds the lock */
	unsigned long long pidns;  /* the inode of its PID namespace, which tells who PID 1 is */
	const char *ip, *rootfs, *workdir;
	unsigned int stop_timeout;
	long long created;      /* the first start, in CLOCK_REALTIME seconds */
	long long started;      /* this run's start, in the same unit (--restart makes more) */
	long long finished;     /* the end of this run, in the same unit */
	bool detached, chroot, nnp, seccomp, cg_v2, complete;
	bool ran;               /* the command runs, so PID 1 is no longer runb's setup */
	bool oom;               /* the OOM killer killed a process of the container */
	bool restarting;        /* it ended, and --restart will run it again */
	bool autoremove;        /* --rm */
	int stop_signal, restart, restart_max, restarts;
	unsigned long long memory, cpu_quota, pids;
	const char *hostname;
	uid_t uid;
	gid_t gid;
	uint64_t caps;
	struct rlimit rlimits[RLIM_NLIMITS];
	char **env, **argv;
	char **ports;           /* -p, each as IP:HOSTPORT->CONTAINERPORT/tcp */
	int status;             /* -1 while it runs */
};

/* The state file has one KEY=VALUE line per field of struct state. A list field has
 * one line per element. The file is written and read through this one table. The
 * supervisor appends RAN and STATUS later (state_mark_ran, state_end). */
enum state_kind { ST_INT, ST_BOOL, ST_UINT, ST_ULL, ST_HEX, ST_LL, ST_STR, ST_STRS, ST_RLIMITS };

struct state_field {
	const char *key;
	enum state_kind kind;
	size_t at;              /* offsetof(struct state, ...) */
	bool appended;          /* written later, and not by state_write */
};

#define STATE_FIELD(key, kind, member, appended) \
	{ key, kind, offsetof(struct state, member), appended }

static const struct state_field state_fields[] = {
	STATE_FIELD("pid", ST_INT, pid, false),
	STATE_FIELD("supervisor", ST_INT, supervisor, false),
	STATE_FIELD("pidns", ST_ULL, pidns, false),
	STATE_FIELD("created", ST_LL, created, false),
	STATE_FIELD("started", ST_LL, started, false),
	STATE_FIELD("ip", ST_STR, ip, false),
	STATE_FIELD("rootfs", ST_STR, rootfs, false),
	STATE_FIELD("detached", ST_BOOL, detached, false),
	STATE_FIELD("chroot", ST_BOOL, chroot, false),
	STATE_FIELD("nnp", ST_BOOL, nnp, false),
	STATE_FIELD("seccomp", ST_BOOL, seccomp, false),
	STATE_FIELD("cg_v2", ST_BOOL, cg_v2, false),
	STATE_FIELD("uid", ST_UINT, uid, false),
	STATE_FIELD("gid", ST_UINT, gid, false),
	STATE_FIELD("caps", ST_HEX, caps, false),
	STATE_FIELD("stop_timeout", ST_UINT, stop_timeout, false),
	STATE_FIELD("stop_signal", ST_INT, stop_signal, false),
	STATE_FIELD("restart", ST_INT, restart, false),
	STATE_FIELD("restart_max", ST_INT, restart_max, false),
	STATE_FIELD("restarts", ST_INT, restarts, false),
	STATE_FIELD("autoremove", ST_BOOL, autoremove, false),
	STATE_FIELD("memory", ST_ULL, memory, false),
	STATE_FIELD("cpu_quota", ST_ULL, cpu_quota, false),
	STATE_FIELD("pids", ST_ULL, pids, false),
	STATE_FIELD("hostname", ST_STR, hostname, false),
	STATE_FIELD("workdir", ST_STR, workdir, false),
	STATE_FIELD("rlimit", ST_RLIMITS, rlimits, false),
	STATE_FIELD("env", ST_STRS, env, false),
	STATE_FIELD("arg", ST_STRS, argv, false),
	STATE_FIELD("port", ST_STRS, ports, false),
	STATE_FIELD("ran", ST_BOOL, ran, true),
	STATE_FIELD("status", ST_INT, status, true),
	STATE_FIELD("finished", ST_LL, finished, true),
	STATE_FIELD("oom", ST_BOOL, oom, true),
	STATE_FIELD("restarting", ST_BOOL, restarting, true),
};

/* Write KEY=VALUE, with \ and newline escaped. */
static void state_put(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (const char *p = value; *p; p++)
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else
			fputc(*p, f);
	fputc('\n', f);
}

/* Write one field of ST as its line or lines. */
static void state_put_field(FILE *f, const struct state_field *sf, const struct state *st)
{
	const void *v = (const char *)st + sf->at;

	switch (sf->kind) {
	case ST_INT:  fprintf(f, "%s=%d\n", sf->key, *(const int *)v); break;
	case ST_BOOL: fprintf(f, "%s=%d\n", sf->key, *(const bool *)v); break;
	case ST_UINT: fprintf(f, "%s=%u\n", sf->key, *(const unsigned int *)v); break;
	case ST_ULL:  fprintf(f, "%s=%llu\n", sf->key, *(const unsigned long long *)v); break;
	case ST_HEX:  fprintf(f, "%s=%llx\n", sf->key, (unsigned long long)*(const uint64_t *)v); break;
	case ST_LL:   fprintf(f, "%s=%lld\n", sf->key, *(const long long *)v); break;
	case ST_STR:
		if (*(const char *const *)v)
			state_put(f, sf->key, *(const char *const *)v);
		break;
	case ST_STRS:
		for (char *const *e = *(char *const *const *)v; e && *e; e++)
			state_put(f, sf->key, *e);
		break;
	case ST_RLIMITS:
		for (int i = 0; i < RLIM_NLIMITS; i++)
			fprintf(f, "%s=%d:%llu:%llu\n", sf->key, i,
				(unsigned long long)((const struct rlimit *)v)[i].rlim_cur,
				(unsigned long long)((const struct rlimit *)v)[i].rlim_max);
		break;
	}
}

/* Write TEXT over the lock file's state, and over the record's state with -d. */
static void state_put_all(const struct ledger *led, const char *text, size_t len)
{
	const int fds[] = { led->lock_fd, led->record_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0 && (pwrite(fds[i], text, len, 0) != (ssize_t)len || ftruncate(fds[i], len) < 0))
			die("state: write %s's state", led->name);
}

/* Append LINE to both files. */
static void state_append(const struct ledger *led, const char *line)
{
	const int fds[] = { led->lock_fd, led->record_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0 && (lseek(fds[i], 0, SEEK_END) < 0 ||
				    write(fds[i], line, strlen(line)) != (ssize_t)strlen(line)))
			warn("state: append %s", line);
}

/* Once PID 1 exists, write what runb ps, exec, stop, kill and wait need to know. */
static void state_write(const struct config *cfg, const struct run *run, const struct ledger *led,
			pid_t pid, long long created)
{
	char ip[INET_ADDRSTRLEN];  /* the ports would overwrite inet_ntoa's shared buffer */
	struct state st = {
		.pid = pid, .supervisor = led->owner, .started = time(NULL), .created = created,
		.stop_signal = cfg->stop_signal, .restart = cfg->restart, .restart_max = cfg->restart_max,
		.restarts = run->restarts, .autoremove = cfg->autoremove, .memory = cfg->memory,
		.cpu_quota = cfg->cpu_quota, .pids = cfg->pids, .hostname = cfg->hostname,
		.ip = cfg->net == NET_BRIDGE ? inet_ntop(AF_INET, &run->ip, ip, sizeof(ip)) : "-",
		.rootfs = cfg->rootfs,
		.detached = cfg->detach, .chroot = cfg->use_chroot, .nnp = cfg->nnp,
		.seccomp = cfg->seccomp, .cg_v2 = run->cg_v2, .uid = cfg->uid, .gid = cfg->gid,
		.caps = cfg->caps, .stop_timeout = cfg->stop_timeout, .workdir = cfg->workdir,
		.env = cfg->env, .argv = cfg->argv,
	};
	char *buf = NULL, path[64];
	size_t len = 0;
	struct stat ns;
	FILE *f = open_memstream(&buf, &len);

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (!f || stat(path, &ns) < 0)
		die("state: stat %s", path);
	st.pidns = ns.st_ino;
	st.ports = calloc(cfg->n_ports + 1, sizeof(char *));
	for (int i = 0; st.ports && i < cfg->n_ports; i++)
		if (asprintf(&st.ports[i], "%s:%u->%u/%s", inet_ntoa(cfg->ports[i].ip), cfg->ports[i].host,
			     cfg->ports[i].ctr, cfg->ports[i].udp ? "udp" : "tcp") < 0)
			die("state: asprintf");
	memcpy(st.rlimits, cfg->rlimits, sizeof(st.rlimits));
	for (size_t i = 0; i < ARRAY_SIZE(state_fields); i++)
		if (!state_fields[i].appended)
			state_put_field(f, &state_fields[i], &st);
	fputs("end\n", f);
	if (fclose(f) != 0)
		die("state: open_memstream");
	state_put_all(led, buf, len);
	free(buf);
}

/* Undo state_put's escapes in place. */
static char *state_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++)
		*w++ = *r == '\\' && r[1] ? (*++r == 'n' ? '\n' : *r) : *r;
	*w = '\0';
	return s;
}

/* Put one line's VALUE into its field of ST. For a list, N says how many elements it
 * holds so far. */
static void state_get_field(const struct state_field *sf, struct state *st, char *value, int *n)
{
	void *v = (char *)st + sf->at;
	unsigned long long soft, hard;
	int r;

	switch (sf->kind) {
	case ST_INT:  *(int *)v = atoi(value); break;
	case ST_BOOL: *(bool *)v = atoi(value) != 0; break;
	case ST_UINT: *(unsigned int *)v = strtoul(value, NULL, 10); break;
	case ST_ULL:  *(unsigned long long *)v = strtoull(value, NULL, 10); break;
	case ST_HEX:  *(uint64_t *)v = strtoull(value, NULL, 16); break;
	case ST_LL:   *(long long *)v = atoll(value); break;
	case ST_STR:  *(const char **)v = state_unescape(value); break;
	case ST_STRS: (*(char ***)v)[(*n)++] = state_unescape(value); break;
	case ST_RLIMITS:
		if (sscanf(value, "%d:%llu:%llu", &r, &soft, &hard) == 3 && r >= 0 && r < RLIM_NLIMITS)
			((struct rlimit *)v)[r] = (struct rlimit){ soft, hard };
		break;
	}
}

static void state_parse(struct state *st)
{
	int lines = 0, n[ARRAY_SIZE(state_fields)] = { 0 };

	for (char *p = st->text; *p; p++)
		lines += *p == '\n';
	st->env = calloc(lines + 1, sizeof(char *));
	st->argv = calloc(lines + 1, sizeof(char *));
	st->ports = calloc(lines + 1, sizeof(char *));
	if (!st->env || !st->argv || !st->ports)
		die("state: calloc");
	st->status = -1;
	for (char *line = st->text, *next, *v; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		st->complete |= strcmp(line, "end") == 0;
		if (!(v = strchr(line, '=')))
			continue;
		*v++ = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(state_fields); i++)
			if (strcmp(line, state_fields[i].key) == 0)
				state_get_field(&state_fields[i], st, v, &n[i]);
	}
}

/* Read FD's whole text into ST. */
static void state_load(int fd, struct state *st)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (fstat(fd, &sb) < 0 || !(st->text = calloc(1, sb.st_size + 1)) ||
	    pread(fd, st->text, sb.st_size, 0) != sb.st_size)
		die("state: read");
	state_parse(st);
}

/* Open NAME's lock file, and tell whether its container runs, which means that the
 * lock is held. Return the descriptor, with its state loaded into ST. Return -1 when
 * there is no lock file. */
static int state_open(const char *name, struct state *st, bool *running)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), STATE_DIR "/%s.lock", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0)
		die("open %s", path);
	*running = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (!*running)
		flock(fd, LOCK_UN);
	state_load(fd, st);
	return fd;
}

/* Read NAME's state. While the container runs (RUNNING), it comes from its lock
 * file, and otherwise from its record. Return the descriptor that it was read from,
 * or -1 when there is neither. */
static int state_find(const char *name, struct state *st, bool *running)
{
	int fd = state_open(name, st, running);

	if (fd >= 0 && *running)
		return fd;
	if (fd >= 0) {
		free(st->text);
		close(fd);
	}
	*running = false;
	fd = record_open(name, "state", O_RDONLY);
	if (fd >= 0)
		state_load(fd, st);
	return fd;
}

/* A verb's NAME must name a container that runs, or one that ended and has a
 * record. Otherwise, print one line and exit with 125. Return the descriptor its
 * state was read from, and put its state in ST. */
static int verb_record(const char *verb, const char *name, struct state *st, bool *running)
{
	int fd;

	if (!valid_name(name))
		diex("%s: invalid NAME '%s'", verb, name);
	fd = state_find(name, st, running);
	if (fd < 0)
		diex("%s: no container %s", verb, name);
	return fd;
}

/* A verb's NAME must name a running container, or, with RESTARTING, one that waits
 * to restart. Otherwise, print one line and exit with 125. Return its lock, and put
 * its state in ST. */
static int state_running(const char *verb, const char *name, struct state *st, bool restarting)
{
	bool running = false;
	int fd;

	if (!valid_name(name))
		diex("%s: invalid NAME '%s'", verb, name);
	fd = state_open(name, st, &running);
	if (fd < 0 || !running || !st->complete || (st->status >= 0 && !(restarting && st->restarting)))
		diex("%s: no running container %s", verb, name);
	return fd;
}

/* Return a pidfd of the container's PID 1, checked to be that process. The check
 * finds the pid in the container's PID namespace (by inode) while the pidfd names a
 * live process. So no PID reuse can make it name another process. */
static int state_pidfd_try(const struct state *st)
{
	char path[64];
	struct stat ns;
	int fd = sys_pidfd_open(st->pid);

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)st->pid);
	if (fd >= 0 && (stat(path, &ns) < 0 || ns.st_ino != st->pidns || sys_pidfd_send_signal(fd, 0) < 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int state_pidfd(const char *verb, const char *name, const struct state *st)
{
	int fd = state_pidfd_try(st);

	if (fd < 0)
		diex("%s: no running container %s (its PID 1 is gone)", verb, name);
	return fd;
}

/* The command runs, because its exec succeeded. From now on, runb exec may enter.
 * Until then, PID 1 is runb's own setup, which no process of the container may see. */
static void state_mark_ran(const struct ledger *led)
{
	state_append(led, "ran=1\n");
}

/* At the end of a run, write its status, its end time, and the OOM killer's part,
 * for runb wait, ps and inspect. */
static void state_end(const struct ledger *led, int status, bool oom)
{
	char line[96];

	snprintf(line, sizeof(line), "status=%d\nfinished=%lld\noom=%d\n", status,
		 (long long)time(NULL), oom);
	state_append(led, line);
}

/* Beyond the slides: -d, --detach — replaces: nothing (docker run -d)
 *
 * runb forks. The child goes on as the container's supervisor, in a session
 * of its own, with no terminal. The caller's runb waits until the command
 * runs, prints NAME, and exits with 0. If something stopped the start, it
 * exits with that status instead (125, 126 or 127). Until then, the
 * supervisor's and the container's errors reach the caller through a pipe.
 * From then on, the container's stdout and stderr go through two more pipes
 * into the record's container.log. The supervisor's own messages go into its
 * runb.log, never into the container's log. At the container's end, the
 * supervisor does all that runb does in the foreground, and the record keeps
 * the status for runb wait, ps and inspect.
 */
/* The supervisor outlives its caller, so it keeps none of the caller's files but
 * stdin, stdout and stderr, which detach_start() replaces. A lock that the caller
 * holds, or a pipe that the caller reads to its end, is free again once runb -d
 * returns. runb calls this before it opens anything of its own. */
static void fds_close_inherited(void)
{
	if (sys_close_range(3, ~0U, 0) < 0)
		die("-d: close_range(3, ~0)");
}

struct detach {
	int err;                /* the caller's runb reads the setup's errors here */
	int started;            /* ... and one byte here once the command runs */
};

static void detach_start(struct detach *d)
{
	int err[2], started[2], devnull, wstatus;
	char buf[4096], c;
	ssize_t n;
	pid_t pid;

	if (pipe2(err, O_CLOEXEC) < 0 || pipe2(started, O_CLOEXEC) < 0)
		die("-d: pipe");
	pid = fork();
	if (pid < 0)
		die("-d: fork the supervisor");
	if (pid > 0) {  /* the caller's runb relays the errors, then the verdict */
		close(err[1]);
		close(started[1]);
		while ((n = read(err[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				write_all(STDERR_FILENO, buf, n);
		if (read(started[0], &c, 1) == 1)
			_exit(0);  /* the supervisor printed NAME */
		if (waitpid(pid, &wstatus, 0) < 0)
			die("-d: wait for the supervisor");
		_exit(exit_status(wstatus));
	}
	close(err[0]);
	close(started[0]);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || setsid() < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(err[1], STDERR_FILENO) < 0)
		die("-d: the supervisor's session and stdio");
	close(devnull);
	close(err[1]);
	d->err = STDERR_FILENO;
	d->started = started[1];
}

/* The supervisor calls this once the command runs. Tell the caller by printing NAME
 * on its stdout. From now on, send runb's own messages to the record's runb.log. */
static void detach_started(const struct config *cfg, struct detach *d)
{
	int fd;

	if (d->started < 0)
		return;  /* for a restart, the caller was told at the first run */
	printf("%s\n", cfg->name);
	if (fflush(stdout) != 0 || write(d->started, "1", 1) != 1)
		warn("-d: tell the caller");
	close(d->started);
	d->started = -1;
	fd = record_open(cfg->name, "runb.log", O_WRONLY | O_CREAT | O_APPEND);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		warn("-d: runb's output to %s/%s/runb.log", RECORD_DIR, cfg->name);
	if (fd >= 0)
		close(fd);
}

/* Beyond the slides: the container's log — replaces: nothing (docker logs)
 *
 * docker keeps stdout and stderr apart, with the time of each line. runb
 * writes each line as the CRI log format has it, and the kubelet writes the
 * same. The format is "TIME STREAM TAG TEXT". TIME is RFC 3339 with
 * nanoseconds in UTC. STREAM is stdout or stderr. TAG is F for a full line,
 * or P for a part. A part is what one read brought before a newline came, and
 * the next line goes on with it. When container.log would pass max-size, it
 * becomes container.log.1, .1 becomes .2, and so on. There are max-file files
 * in all, as docker's local log driver keeps them. The defaults are 20 MiB
 * each and 5 files.
 */
struct log_writer {
	const char *name;       /* NAME, for the record's container.log */
	int fd;
	off_t size;
	unsigned long long max_size;
	unsigned int max_file;
};

/* Give the path of container.log (SUFFIX "") or container.log.N (".N") of NAME's
 * record. */
static void log_name(const char *suffix, char out[static 32])
{
	snprintf(out, 32, "container.log%s", suffix);
}

/* Give the time now, as the log writes it, such as 2026-12-05T20:30:01.123456789Z. */
static void log_time(char out[static 40])
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 40 - n, ".%09ldZ", now.tv_nsec);
}

static void log_writer_open(struct log_writer *lw, int flags)
{
	char file[32];
	struct stat st;

	log_name("", file);
	lw->fd = record_open(lw->name, file, O_WRONLY | O_CREAT | O_APPEND | flags);
	if (lw->fd < 0 || fstat(lw->fd, &st) < 0)
		die("open %s/%s/%s", RECORD_DIR, lw->name, file);
	lw->size = st.st_size;
}

/* Rotate the log. container.log.(N-1) becomes .N, and so on, and container.log
 * becomes .1. Then a new container.log is made. */
static void log_rotate(struct log_writer *lw)
{
	char from[PATH_MAX], to[PATH_MAX], file[32], suffix[16];

	for (unsigned int i = lw->max_file - 1; i > 0; i--) {
		snprintf(suffix, sizeof(suffix), ".%u", i - 1);
		log_name(i > 1 ? suffix : "", file);
		record_path(lw->name, file, from);
		snprintf(suffix, sizeof(suffix), ".%u", i);
		log_name(suffix, file);
		record_path(lw->name, file, to);
		if (rename(from, to) < 0 && errno != ENOENT)
			warn("log: rename %s %s", from, to);
	}
	close(lw->fd);
	log_writer_open(lw, O_TRUNC);
}

/* Write what one read from STREAM brought, as lines of the log. */
static void log_write(struct log_writer *lw, const char *stream, const char *buf, size_t n)
{
	char line[8192 + 64], time[40];

	log_time(time);
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) : n;
		int head = snprintf(line, sizeof(line), "%s %s %c ", time, stream, nl ? 'F' : 'P');

		if (len > sizeof(line) - head - 1)
			len = sizeof(line) - head - 1, nl = NULL;  /* a part, the rest follows */
		memcpy(line + head, buf, len);
		line[head + len] = '\n';
		if (lw->size > 0 && lw->size + head + (off_t)len + 1 > (off_t)lw->max_size)
			log_rotate(lw);
		write_all(lw->fd, line, head + len + 1);
		lw->size += head + len + 1;
		buf += len + (nl != NULL);
		n -= len + (nl != NULL);
	}
}

/* Beyond the slides: -p [IP:]HOSTPORT:CONTAINERPORT — replaces: nothing (docker run -p)
 *
 * docker publishes a container's port on the host with NAT rules and a
 * relay, docker-proxy. runb does the relaying alone, so it needs no firewall
 * rule and works with --net none too. Its sockets listen on the host from
 * the start, before anything is made, so a port in use fails at once (125).
 * A proxy process beside the container (as the watcher: in none of its
 * namespaces but the network one, which it enters only to connect) relays
 * to the container's address (127.0.0.1 with --net none), inside the
 * container's network namespace. It dies with runb (PR_SET_PDEATHSIG) and
 * is killed by teardown().
 *
 * TCP: the proxy accepts each connection and opens one to the container.
 * Many connections run at once, each direction through a buffer of its own,
 * and a half-close is passed on (shutdown(2) SHUT_WR).
 *
 * UDP has no connections, so the proxy keeps a flow per client address, as
 * docker-proxy does: a socket connected to the container's port, which
 * carries the client's datagrams there and the answers back. A flow ends
 * after PROXY_UDP_IDLE seconds without a datagram.
 */
#define PROXY_BUF 16384
#define PROXY_CONNS 1024
#define PROXY_UDP_FLOWS 1024
#define PROXY_UDP_IDLE 90       /* seconds, as docker-proxy's UDP timeout */

struct proxy_conn {
	int fd[2];              /* [0] the client's, on the host; [1] the container's */
	char buf[2][PROXY_BUF]; /* buf[i]: read from fd[i], to be written to fd[!i] */
	size_t len[2], off[2];
	int eof[2];             /* fd[i]: 1 said all (read returned 0), 2 passed on to fd[!i] */
};

struct udp_flow {
	int port;               /* the -p (index in cfg->ports) the client sent to */
	struct sockaddr_in client;
	int fd;                 /* connected to the container's port */
	time_t last;            /* when its last datagram passed (CLOCK_MONOTONIC s) */
};

/* The proxy's state: TCP pairs, UDP flows, and what it polls. */
struct proxy {
	struct proxy_conn *conns[PROXY_CONNS];
	int n, full;            /* pairs; accept while fewer pairs than FULL */
	struct udp_flow flows[PROXY_UDP_FLOWS];
	int nf;
	struct pollfd p[16 + 2 * PROXY_CONNS + PROXY_UDP_FLOWS];
	char dgram[65536];      /* one datagram, either way */
};

/* Each -p's socket, listening on the host, in RUN (descriptors close-on-exec). */
static void ports_listen(const struct config *cfg, struct run *run)
{
	for (int i = 0; i < cfg->n_ports; i++) {
		const struct port *p = &cfg->ports[i];
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p->host), .sin_addr = p->ip };
		int one = 1, fd = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC |
					 SOCK_NONBLOCK, 0);
		const char *udp = p->udp ? "/udp" : "";

		/* TCP: a port in TIME_WAIT is free to bind. Not UDP, where SO_REUSEADDR lets
		 * any other socket that sets it too bind the same port and take its traffic. */
		if (fd < 0 || (!p->udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0))
			die("-p %s:%u%s: socket", inet_ntoa(p->ip), p->host, udp);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			if (errno == EADDRINUSE)
				diex("-p %s:%u:%u%s: port %u%s is in use on the host", inet_ntoa(p->ip),
				     p->host, p->ctr, udp, p->host, udp);
			die("-p %s:%u%s: bind", inet_ntoa(p->ip), p->host, udp);
		}
		if (!p->udp && listen(fd, 128) < 0)
			die("-p %s:%u: listen", inet_ntoa(p->ip), p->host);
		run->port_fds[i] = fd;
	}
}

/* A new connection on listener L (for port P): its pair inside the container. */
static struct proxy_conn *proxy_accept(int l, const struct port *p, struct in_addr to)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p->ctr), .sin_addr = to };
	struct proxy_conn *c;
	int client = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), server;

	struct timeval limit = { .tv_sec = 2 };  /* a server that never accepts holds no one else up */

	if (client < 0)
		return NULL;
	server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = calloc(1, sizeof(*c));
	if (server < 0 || !c || setsockopt(server, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit)) < 0 ||
	    connect(server, (struct sockaddr *)&a, sizeof(a)) < 0 || fcntl(server, F_SETFL, O_NONBLOCK) < 0) {
		close(client);  /* nothing listens there: the client sees its connection closed */
		if (server >= 0)
			close(server);
		free(c);
		return NULL;
	}
	c->fd[0] = client;
	c->fd[1] = server;
	return c;
}

/* Move what C holds on, both ways; false once the pair is done (both ends said all,
 * and all of it went on), or broke. */
static bool proxy_move(struct proxy_conn *c, const struct pollfd p[2])
{
	for (int i = 0; i < 2; i++) {
		ssize_t n;

		if (p[i].revents & (POLLERR | POLLNVAL))
			return false;  /* reset: the pair is over */
		if (!c->eof[i] && c->len[i] == 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(c->fd[i], c->buf[i], PROXY_BUF);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return false;
			c->eof[i] = n == 0;
			c->len[i] = n > 0 ? n : 0;
			c->off[i] = 0;
		}
		if (c->len[i] > c->off[i]) {
			n = write(c->fd[!i], c->buf[i] + c->off[i], c->len[i] - c->off[i]);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return false;
			c->off[i] += n > 0 ? n : 0;
			if (c->off[i] == c->len[i])
				c->len[i] = c->off[i] = 0;
		}
		if (c->eof[i] && c->len[i] == 0 && c->eof[i] != 2) {
			shutdown(c->fd[!i], SHUT_WR);  /* the half-close, passed on */
			c->eof[i] = 2;
		}
	}
	return !(c->eof[0] == 2 && c->eof[1] == 2);
}

static time_t proxy_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* The flow of the client FROM on port I, made when it is new (none when all are taken). */
static struct udp_flow *udp_flow_of(struct proxy *px, const struct config *cfg, int i,
				    const struct sockaddr_in *from, struct in_addr to)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(cfg->ports[i].ctr),
				 .sin_addr = to };
	struct udp_flow *f;

	for (int k = 0; k < px->nf; k++) {
		f = &px->flows[k];
		if (f->port == i && f->client.sin_port == from->sin_port &&
		    f->client.sin_addr.s_addr == from->sin_addr.s_addr)
			return f;
	}
	if (px->nf == PROXY_UDP_FLOWS)
		return NULL;
	f = &px->flows[px->nf];
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (f->fd < 0)
		return NULL;
	if (connect(f->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(f->fd);
		return NULL;
	}
	f->port = i;
	f->client = *from;
	px->nf++;
	return f;
}

/* A datagram from a client on port I's socket L: on to the container, in its flow. */
static void udp_from_client(struct proxy *px, const struct config *cfg, int i, int l,
			    struct in_addr to)
{
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n = recvfrom(l, px->dgram, sizeof(px->dgram), 0, (struct sockaddr *)&from, &len);
	struct udp_flow *f;

	if (n < 0 || len != sizeof(from))
		return;
	f = udp_flow_of(px, cfg, i, &from, to);
	if (!f)
		return;  /* no flow free: the datagram is lost, as UDP may lose it */
	f->last = proxy_now();
	send(f->fd, px->dgram, n, 0);
}

/* An answer in flow F: back to its client, from port L's address. */
static void udp_to_client(struct proxy *px, struct udp_flow *f, int l)
{
	ssize_t n = recv(f->fd, px->dgram, sizeof(px->dgram), 0);

	if (n < 0)
		return;  /* e.g. ECONNREFUSED, which this recv(2) clears: nothing listens there yet */
	f->last = proxy_now();
	sendto(l, px->dgram, n, 0, (struct sockaddr *)&f->client, sizeof(f->client));
}

/* Poll the listeners, the pairs and the flows; return how many were put in px->p. */
static int proxy_poll_set(struct proxy *px, const struct config *cfg, const struct run *run)
{
	int np = cfg->n_ports;

	for (int i = 0; i < cfg->n_ports; i++)
		px->p[i] = (struct pollfd){ .events = POLLIN,
			.fd = cfg->ports[i].udp || px->n < px->full ? run->port_fds[i] : -1 };
	for (int k = 0; k < px->n; k++)
		for (int i = 0; i < 2; i++) {  /* an end with nothing to read or write: not polled */
			struct proxy_conn *c = px->conns[k];
			short ev = (!c->eof[i] && !c->len[i] ? POLLIN : 0) | (c->len[!i] ? POLLOUT : 0);

			px->p[np++] = (struct pollfd){ .fd = ev ? c->fd[i] : -1, .events = ev };
		}
	for (int k = 0; k < px->nf; k++)
		px->p[np++] = (struct pollfd){ .fd = px->flows[k].fd, .events = POLLIN };
	return np;
}

/* What poll found: the pairs' moves, the flows' answers (and their end when idle), then
 * new connections and datagrams. */
static void proxy_serve(struct proxy *px, const struct config *cfg, const struct run *run,
			struct in_addr to)
{
	const struct pollfd *flows = &px->p[cfg->n_ports + 2 * px->n];
	time_t now = proxy_now();

	for (int k = px->nf - 1; k >= 0; k--) {
		/* POLLERR too: an ICMP error (port unreachable) waits on the socket until
		 * recv(2) takes it, and poll(2) would report it again and again */
		if (flows[k].revents & (POLLIN | POLLERR))
			udp_to_client(px, &px->flows[k], run->port_fds[px->flows[k].port]);
		if (now - px->flows[k].last >= PROXY_UDP_IDLE) {
			close(px->flows[k].fd);
			px->flows[k] = px->flows[--px->nf];
		}
	}
	for (int k = px->n - 1; k >= 0; k--)
		if (!proxy_move(px->conns[k], &px->p[cfg->n_ports + 2 * k])) {
			close(px->conns[k]->fd[0]);
			close(px->conns[k]->fd[1]);
			free(px->conns[k]);
			px->conns[k] = px->conns[--px->n];
			px->full = PROXY_CONNS;
		}
	for (int i = 0; i < cfg->n_ports; i++)
		if (!(px->p[i].revents & POLLIN))
			continue;
		else if (cfg->ports[i].udp)
			udp_from_client(px, cfg, i, px->p[i].fd, to);
		else if (px->n < PROXY_CONNS && (px->conns[px->n] = proxy_accept(px->p[i].fd, &cfg->ports[i], to)))
			px->n++;
		else if (errno == EMFILE || errno == ENFILE)
			px->full = px->n;  /* no descriptor free: accept again once a pair has closed */
}

static noreturn void proxy_loop(const struct config *cfg, const struct run *run, struct in_addr to)
{
	struct proxy *px = calloc(1, sizeof(*px));
	int np;

	if (!px)
		_exit(EXIT_RUNB);
	px->full = PROXY_CONNS;
	for (;;) {
		np = proxy_poll_set(px, cfg, run);
		if (poll(px->p, np, px->nf ? 1000 : -1) < 0 && errno != EINTR)
			_exit(EXIT_RUNB);
		proxy_serve(px, cfg, run, to);
	}
}

/* The proxy reads what strangers send: once in the container's network namespace it
 * needs no privilege at all. As many descriptors as it may have, then nobody, no
 * capability, no_new_privs. */
static void proxy_confine(pid_t parent)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct none[2] = { { 0 } };
	struct rlimit nofile;

	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0 || sys_capset(&hdr, none) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(EXIT_RUNB);
	/* A change of uid resets both the parent-death signal and the dumpable flag
	 * (to fs.suid_dumpable): set them again, and go if runb has gone meanwhile. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
	    getppid() != parent)
		_exit(EXIT_RUNB);
}

/* The proxy: forked beside the container once its network exists; it keeps the
 * listeners and the network namespace, and nothing else. */
static void ports_proxy_start(const struct config *cfg, const struct run *run, struct ledger *led,
			      int netns_fd)
{
	struct in_addr to = { htonl(INADDR_LOOPBACK) };
	int keep[16 + 1];
	pid_t parent = getpid(), pid;

	if (!cfg->n_ports)
		return;
	if (cfg->net == NET_BRIDGE)
		to = run->ip;
	trace(cfg->tr, 0, "docker run -p", "fork the proxy: accept on the host, connect to %s in the "
	      "container's netns", inet_ntoa(to));
	pid = fork();
	if (pid < 0)
		die("-p: fork the proxy");
	if (pid > 0) {
		ledger_add(led, MADE_PROXY);
		led->proxy = pid;
		return;
	}
	for (int i = 0; i < cfg->n_ports; i++)
		keep[i] = run->port_fds[i];
	keep[cfg->n_ports] = netns_fd;
	fds_keep_only(keep, cfg->n_ports + 1);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent || setsid() < 0 ||
	    setns(netns_fd, CLONE_NEWNET) < 0)
		_exit(EXIT_RUNB);
	close(netns_fd);
	proxy_confine(parent);
	signal(SIGPIPE, SIG_IGN);
	proxy_loop(cfg, run, to);
}

static pid_t watch_container(const struct config *cfg, int pidfd, int alive_r)
{
	const int keep[] = { alive_r, pidfd };
	struct pollfd p[2] = { { .fd = alive_r, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	pid_t pid;

	trace(cfg->tr, 0, "(the watcher)", "fork; setsid; poll(runb's pipe, PID 1's pidfd): the "
	      "pipe's end first -> pidfd_send_signal(PID 1, SIGKILL)");
	pid = fork();
	if (pid < 0)
		die("fork the watcher");
	if (pid > 0)
		return pid;
	fds_keep_only(keep, ARRAY_SIZE(keep));  /* the two it needs, and no other */
	if (setsid() < 0)
		_exit(EXIT_RUNB);
	while (poll(p, 2, -1) < 0 && errno == EINTR)
		;
	if (!p[1].revents)  /* the pipe ended, so runb is gone, but PID 1 is not */
		sys_pidfd_send_signal(pidfd, SIGKILL);
	_exit(0);  /* PID 1 ended first, so do nothing (--restart starts a watcher per run) */
}

/* This is what wait_container() keeps between two events. */
struct waiting {
	int pidfd;
	int stop_sig;            /* the first forwarded stop signal, or 0 before it */
	bool killed;             /* runb sent SIGKILL */
	struct timespec deadline;
};

/* Return the milliseconds to DEADLINE, for poll(2), or -1 when there is none. */
static int ms_until(const struct waiting *w)
{
	struct timespec now;
	long long ms;

	if (!w->stop_sig || w->killed)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (w->deadline.tv_sec - now.tv_sec) * 1000LL + (w->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the container's PID 1. A
 * PID 1 without a handler ignores them, because the kernel protects a namespace's
 * init. So --stop-timeout seconds later, or at a second signal, runb sends SIGKILL.
 * The kernel always delivers SIGKILL from outside. */
static void forward_signal(const struct config *cfg, struct waiting *w, int sig)
{
	if (sig == 0 || w->stop_sig) {  /* the stop timeout, or a second signal */
		trace(cfg->tr, 0, "docker stop", "pidfd_send_signal(PID 1, SIGKILL)");
		sys_pidfd_send_signal(w->pidfd, SIGKILL);
		w->killed = true;
		return;
	}
	w->stop_sig = sig;
	trace(cfg->tr, 0, "docker stop", "forward %s to PID 1; SIGKILL in %us", strsignal(sig),
	      cfg->stop_timeout);
	sys_pidfd_send_signal(w->pidfd, sig);
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += cfg->stop_timeout;
}

/* This is what wait_container() watches besides the container's PID 1 and runb's own
 * signals. */
struct watch {
	int pty_sock;           /* with -t, the pty's master arrives here */
	int report;             /* "R" before the exec, "E" and errno if it failed, or -1 */
	bool report_r;          /* "R" came */
	bool ran;               /* "R" came and then the pipe's end without "E", so it runs */
	int log_out, log_err;   /* with -d, the container's stdout and stderr ... */
	struct log_writer log;  /* ... go into the record's container.log */
	struct detach *detach;
	const struct ledger *led;  /* gets "ran=1" in the state files, which runb exec waits for */
	bool stopped;           /* runb passed on a stop signal, so no --restart */
	int in, out, err;       /* runb exec's stdin, stdout and stderr pipes, or -1 */
};

/* Read the child's report on its exec. When "R" comes, and then the pipe's end
 * without "E", the command runs. Then -d tells its caller, and -t's relay takes the
 * caller's terminal. The relay waits until now, because until then the child may
 * still pause on the terminal (--step). */
static void watch_report(const struct config *cfg, struct watch *x)
{
	char c;
	int err;
	ssize_t n = read(x->report, &c, 1);

	if (n < 0 && errno == EINTR)
		return;
	if (n == 1 && c == 'R') {
		x->report_r = true;
		return;
	}
	if (n == 1 && c == 'E' && read(x->report, &err, sizeof(err)) == sizeof(err)) {
		errno = err;
		if (cfg->detach)  /* the foreground child printed it on its own stderr */
			warn("exec %s", cfg->argv ? cfg->argv[0] : "/bin/sh");
		x->report_r = false;  /* it did not run */
	}
	x->ran = n == 0 && x->report_r;
	if (x->ran && x->led)
		state_mark_ran(x->led);
	if (x->ran && cfg->detach)
		detach_started(cfg, x->detach);
	close(x->report);
	x->report = -1;
}

/* With -d, copy what the container wrote on STREAM, its pipe *FD, into its log. */
static void watch_log(struct watch *x, int *fd, const char *stream, bool drain)
{
	char buf[8192];
	ssize_t n;

	do {
		n = read(*fd, buf, sizeof(buf));
		if (n > 0)
			log_write(&x->log, stream, buf, n);
	} while (n > 0 && drain);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(*fd);
		*fd = -1;
	}
}

/* These are the descriptors that wait_container() polls, by index. */
enum { P_SIGNAL, P_PID1, P_PTY_SOCK, P_MASTER, P_STDIN, P_REPORT, P_LOG_OUT, P_LOG_ERR, P_EXEC_IN,
       P_EXEC_OUT, P_EXEC_ERR, P_COUNT };

/* Handle a signal that runb got. SIGWINCH resizes the pty, and a stop signal is
 * forwarded. */
static void wait_signal(const struct config *cfg, struct waiting *w, const struct relay *r, int sigfd)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if ((int)si.ssi_signo == SIGWINCH && r->master >= 0)
		tty_pass_size(r->master);
	else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH && si.ssi_signo != SIGPIPE)
		forward_signal(cfg, w, si.ssi_signo);
}

/* Run one round of the relay. It handles the pty's master when it arrives, and the
 * master's output. It copies stdin into the pty or into runb exec's pipe. It also
 * copies runb exec's stdout and stderr. */
static void wait_relay(struct relay *r, struct watch *x, const struct pollfd p[])
{
	if (p[P_PTY_SOCK].revents) {
		r->master = pty_receive_master(r->sock);
		close(r->sock);
		r->sock = -1;
		if (r->master >= 0)
			fcntl(r->master, F_SETFL, O_NONBLOCK);
	}
	if (r->master >= 0 && p[P_MASTER].revents & (POLLIN | POLLHUP | POLLERR))
		relay_out(r, false);
	if (r->in >= 0 && r->pipe >= 0 && (p[P_STDIN].revents || p[P_EXEC_IN].revents))
		relay_in_pipe(r, p[P_STDIN].revents != 0);
	else if (r->in >= 0 && r->pipe < 0 && (p[P_STDIN].revents || (p[P_MASTER].revents & POLLOUT)))
		relay_in(r, p[P_STDIN].revents != 0);
	if (x->out >= 0 && p[P_EXEC_OUT].revents)
		relay_pipe(&x->out, STDOUT_FILENO, false);
	if (x->err >= 0 && p[P_EXEC_ERR].revents)
		relay_pipe(&x->err, STDERR_FILENO, false);
}

/* After PID 1's end, copy what its report, the pty, the log and exec's pipes still
 * hold. */
static void wait_drain(const struct config *cfg, struct relay *r, struct watch *x)
{
	while (x->report >= 0)
		watch_report(cfg, x);
	if (r->master >= 0)
		relay_out(r, true);
	if (x->log_out >= 0)
		watch_log(x, &x->log_out, "stdout", true);
	if (x->log_err >= 0)
		watch_log(x, &x->log_err, "stderr", true);
	if (x->out >= 0)
		relay_pipe(&x->out, STDOUT_FILENO, true);
	if (x->err >= 0)
		relay_pipe(&x->err, STDERR_FILENO, true);
	if (r->pipe >= 0)
		close(r->pipe);
}

/* Wait for the container's PID 1 to end. Meanwhile, forward signals, and relay its
 * terminal or runb exec's pipes. With -d, copy its output into the log. If runb
 * killed PID 1, report the signal that stopped it as 128+N. */
static int wait_container(const struct config *cfg, struct ledger *led, pid_t pid, int pidfd,
			  const sigset_t *set, struct watch *x)
{
	struct waiting w = { .pidfd = pidfd };
	struct relay r = { .sock = x->pty_sock, .master = -1, .in = STDIN_FILENO, .pipe = x->in };
	int sigfd = signalfd(-1, set, SFD_CLOEXEC), wstatus, n;
	bool ended = false;

	if (sigfd < 0)
		die("signalfd");
	while (!ended) {
		bool live = (r.master >= 0 && x->report < 0) || r.pipe >= 0;  /* the relay takes stdin */
		struct pollfd p[P_COUNT] = {
			[P_SIGNAL] = { .fd = sigfd, .events = POLLIN },
			[P_PID1] = { .fd = pidfd, .events = POLLIN },
			[P_PTY_SOCK] = { .fd = r.sock, .events = POLLIN },
			[P_MASTER] = { .fd = r.master, .events = POLLIN | (r.npending ? POLLOUT : 0) },
			[P_STDIN] = { .fd = live && !r.npending ? r.in : -1, .events = POLLIN },
			[P_REPORT] = { .fd = x->report, .events = POLLIN },
			[P_LOG_OUT] = { .fd = x->log_out, .events = POLLIN },
			[P_LOG_ERR] = { .fd = x->log_err, .events = POLLIN },
			[P_EXEC_IN] = { .fd = r.npending ? r.pipe : -1, .events = POLLOUT },
			[P_EXEC_OUT] = { .fd = x->out, .events = POLLIN },
			[P_EXEC_ERR] = { .fd = x->err, .events = POLLIN },
		};

		n = poll(p, P_COUNT, ms_until(&w));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("wait for the container: poll");
		if (n == 0)
			forward_signal(cfg, &w, 0);
		if (p[P_SIGNAL].revents & POLLIN)
			wait_signal(cfg, &w, &r, sigfd);
		wait_relay(&r, x, p);
		if (x->report >= 0 && p[P_REPORT].revents)
			watch_report(cfg, x);
		if (r.master >= 0 && x->report < 0 && !r.raw) {  /* the command runs, so go raw */
			tty_make_raw(cfg, led);
			r.raw = true;
		}
		if (x->log_out >= 0 && p[P_LOG_OUT].revents)
			watch_log(x, &x->log_out, "stdout", false);
		if (x->log_err >= 0 && p[P_LOG_ERR].revents)
			watch_log(x, &x->log_err, "stderr", false);
		ended = p[P_PID1].revents & POLLIN;
	}
	if (waitpid(pid, &wstatus, 0) < 0)
		die("wait for the container (pid %d)", pid);
	wait_drain(cfg, &r, x);
	close(sigfd);
	x->stopped = w.stop_sig != 0;
	if (w.killed && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
		return 128 + w.stop_sig;
	return exit_status(wstatus);
}

/* Beyond the slides: --restart — replaces: nothing (docker run --restart)
 *
 * When the command ends, -d's supervisor may run it again, as docker's
 * restart policies do. The policies are:
 *   - on-failure restarts after a status other than 0. With on-failure:N, it
 *     restarts at most N times.
 *   - always restarts after any end.
 *   - unless-stopped is the same as always for runb, because no daemon
 *     restarts runb after a reboot (see README).
 * The supervisor never restarts after runb stop, which leaves its mark in the
 * record, or after a stop signal to the supervisor. Nor does it restart when
 * the first run's command could not start, because the caller has that
 * error. It waits first. The wait is 100 ms, twice as long at each restart,
 * and at most a minute. It is 100 ms again after a run that lasted 10 s. The
 * cgroups, the network namespace and the address stay. Otherwise, every run
 * gets new namespaces. So a tmpfs --overlay starts empty again, and the
 * --volume trees are opened anew.
 */
static bool record_stopped(const char *name)
{
	int fd = record_open(name, "stopped", O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static bool restart_wanted(const struct config *cfg, const struct run *run, const struct watch *x,
			   int status)
{
	if (cfg->restart == RESTART_NO || x->stopped || record_stopped(cfg->name))
		return false;
	if (!x->ran && run->restarts == 0)
		return false;
	if (cfg->restart == RESTART_ON_FAILURE)
		return status != 0 && (!cfg->restart_max || run->restarts < (int)cfg->restart_max);
	return true;
}

/* Wait the back-off time before the next run. Return false when a stop signal came
 * meanwhile. */
static bool restart_backoff(unsigned int ms, const sigset_t *signals)
{
	struct pollfd p = { .fd = signalfd(-1, signals, SFD_CLOEXEC), .events = POLLIN };
	struct signalfd_siginfo si;
	struct timespec end, now;
	bool stop = false;
	int left = ms;

	if (p.fd < 0)
		die("--restart: signalfd");
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	while (!stop && left > 0) {
		if (poll(&p, 1, left) > 0 && read(p.fd, &si, sizeof(si)) == sizeof(si))
			for (size_t i = 0; i < ARRAY_SIZE(fwd_signals); i++)
				stop |= (int)si.ssi_signo == fwd_signals[i];
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
	}
	close(p.fd);
	return !stop;
}

/* After a run that ended with STATUS, wait, and say whether to run the command again. */
static bool restart_wait(const struct config *cfg, struct run *run, const struct ledger *led,
			 const struct watch *x, int status, const sigset_t *signals)
{
	struct timespec now;

	if (!restart_wanted(cfg, run, x, status))
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - run->began.tv_sec >= 10 || run->backoff_ms == 0)
		run->backoff_ms = 100;
	else if (run->backoff_ms < 60000)
		run->backoff_ms = run->backoff_ms * 2 > 60000 ? 60000 : run->backoff_ms * 2;
	state_append(led, "restarting=1\n");
	errno = 0;
	warn("%s: exited with %d; restart %d in %u ms (--restart)", cfg->name, status,
	     run->restarts + 1, run->backoff_ms);
	if (!restart_backoff(run->backoff_ms, signals) || record_stopped(cfg->name))
		return false;
	run->restarts++;
	for (int i = 0; i < cfg->n_mounts; i++)  /* mounted once, so a new copy for each run */
		if (cfg->mounts[i].host) {
			close(run->volumes[i].tree);
			volume_clone(&cfg->mounts[i], &run->volumes[i]);
		}
	return true;
}

/* ------------------------------------------------------------------------ */
/* Part II.9: The verbs: ps, exec, stop, kill, logs, wait, rm, inspect, stats */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: living with running containers — replaces: nothing
 *
 * runc, crun, docker and machinectl let a user see the containers that run,
 * enter one, stop one from another terminal, read what a background one
 * printed, wait for one to end, and remove what an ended one kept. runb's
 * verbs do that from the lock files in /run/runb, for the containers that
 * run, and from the records in /var/lib/runb, for the detached ones until
 * runb rm. Each verb names its container by NAME. A NAME that is neither
 * gets one line and exit status 125. A verb finds PID 1 through a pidfd
 * checked against the state (state_pidfd), so a PID that the kernel reused
 * names nothing. `runb [OPTIONS] NAME ROOTFS [COMMAND]`, the slides' form,
 * stays as it is. A verb is recognized only as runb's first argument, and a
 * NAME equal to a verb is refused in the slides' form.
 */
/* Read a verb's options with getopt_long over ARGV, where ARGV[0] is the verb. "+"
 * makes the command of runb exec keep its own options. Return the option, or -1 at
 * the end. */
static int verb_getopt(const char *verb, int argc, char **argv, const char *opts,
		       const struct option *longopts)
{
	char spec[32];
	int c;

	snprintf(spec, sizeof(spec), "+:%s", opts);
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c == ':')
		diex("%s: option '%s' needs a value (see runb --help)", verb, argv[optind - 1]);
	if (c == '?')
		diex("%s: unknown option '%s' (see runb --help)", verb, argv[optind - 1]);
	return c;
}

/* Return a verb's NAME, which is its last or only argument before a command. */
static const char *verb_name(const char *verb, int argc, char **argv, bool more)
{
	if (optind >= argc)
		diex("%s: missing NAME (see runb --help)", verb);
	if (!more && optind + 1 < argc)
		diex("%s: unexpected argument '%s' (see runb --help)", verb, argv[optind + 1]);
	return argv[optind];
}

/* This is what ps, inspect and stats show of a container. It holds its NAME, its
 * state, and whether it runs. The state comes from the lock file while the container
 * runs, and otherwise from its record. */
struct listed {
	char name[80];
	struct state st;
	bool running;
};

enum phase { PH_RUNNING, PH_RESTARTING, PH_EXITED };

static enum phase phase_of(const struct listed *c)
{
	if (c->running && c->st.status < 0)
		return PH_RUNNING;
	if (c->running && c->st.restarting)
		return PH_RESTARTING;
	return PH_EXITED;
}

static const char *const phase_names[] = { "running", "restarting", "exited" };

/* Show a duration as docker ps says it, such as "5 seconds", "About a minute" or
 * "3 hours". */
static void duration_text(long long s, char out[static 32])
{
	long long h = (s + 1800) / 3600;

	if (s < 1)
		snprintf(out, 32, "Less than a second");
	else if (s < 60)
		snprintf(out, 32, "%lld second%s", s, s == 1 ? "" : "s");
	else if (s < 120)
		snprintf(out, 32, "About a minute");
	else if (s < 3600)
		snprintf(out, 32, "%lld minutes", s / 60);
	else if (h == 1)
		snprintf(out, 32, "About an hour");
	else if (h < 48)
		snprintf(out, 32, "%lld hours", h);
	else if (h < 24 * 14)
		snprintf(out, 32, "%lld days", h / 24);
	else if (h < 24 * 60)
		snprintf(out, 32, "%lld weeks", h / 24 / 7);
	else if (h < 24 * 730)
		snprintf(out, 32, "%lld months", h / 24 / 30);
	else
		snprintf(out, 32, "%lld years", h / 24 / 365);
}

/* Show STATUS, such as "Up 3 minutes", "Restarting (1) 2 seconds ago" or
 * "Exited (0) 5 minutes ago". */
static void status_text(const struct listed *c, char out[static 80])
{
	long long now = time(NULL);
	char d[32];

	switch (phase_of(c)) {
	case PH_RUNNING:
		duration_text(now - c->st.started, d);
		snprintf(out, 80, "Up %s", d);
		break;
	case PH_RESTARTING:
		duration_text(now - c->st.finished, d);
		snprintf(out, 80, "Restarting (%d) %s ago", c->st.status, d);
		break;
	case PH_EXITED:
		duration_text(now - c->st.finished, d);
		snprintf(out, 80, c->st.status < 0 ? "Exited" : "Exited (%d) %s ago", c->st.status, d);
		break;
	}
}

/* Put in NAMES the names of the machine's containers, each once, up to MAX. These are
 * the containers that run, with a lock held in /run/runb, and those with a record in
 * /var/lib/runb. */
static int names_scan(const char *dir, const char *suffix, char (*names)[80], int n, int max)
{
	size_t sl = strlen(suffix);
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d && errno == ENOENT)
		return n;
	if (!d)
		die("opendir %s", dir);
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		bool seen = false;

		if (len <= sl || len - sl >= 80 || strcmp(e->d_name + len - sl, suffix) != 0)
			continue;
		e->d_name[len - sl] = '\0';
		for (int i = 0; i < n && !seen; i++)
			seen = strcmp(names[i], e->d_name) == 0;
		if (!seen && valid_name(e->d_name))
			snprintf(names[n++], 80, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

/* List every container of the machine with ALL, or else only those that run or
 * restart. The list is sorted by name, and *N gets their number. */
static struct listed *containers_list(bool all, int *n)
{
	enum { MAX = 4096 };
	char (*names)[80] = calloc(MAX, 80);
	struct listed *list = calloc(MAX, sizeof(*list));
	int found, fd;

	if (!names || !list)
		die("calloc");
	found = names_scan(STATE_DIR, ".lock", names, 0, MAX);
	found = names_scan(RECORD_DIR, "", names, found, MAX);
	qsort(names, found, 80, (int (*)(const void *, const void *))strcmp);
	*n = 0;
	for (int i = 0; i < found; i++) {
		struct listed *c = &list[*n];

		snprintf(c->name, sizeof(c->name), "%s", names[i]);
		fd = state_find(c->name, &c->st, &c->running);
		if (fd < 0)
			continue;
		close(fd);
		if (c->running && !c->st.complete)
			continue;  /* it is starting, and its state is not written yet */
		if (all || phase_of(c) != PH_EXITED)
			(*n)++;
	}
	free(names);
	return list;
}

/* Return the length of the UTF-8 character at P, or 0 when the bytes there are not
 * one. As RFC 3629 says, there is no overlong form, no surrogate, and nothing above
 * U+10FFFF. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = *p < 0x80 ? 1 : *p >= 0xc2 && *p < 0xe0 ? 2 : *p >= 0xe0 && *p < 0xf0 ? 3 :
		   *p >= 0xf0 && *p < 0xf5 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0) ||
	    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* Write a JSON string, escaped. A byte that is not UTF-8 becomes U+FFFD, as in
 * docker's output. */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (p && *p) {
		size_t n = utf8_len(p);

		if (n == 0)
			fputs("\\ufffd", f);
		else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

/* Write a JSON array of strings. */
static void json_strs(FILE *f, char *const *v)
{
	fputc('[', f);
	for (char *const *p = v; p && *p; p++) {
		if (p != v)
			fputs(", ", f);
		json_str(f, *p);
	}
	fputc(']', f);
}

/* Write a time as RFC 3339 in UTC, such as 2026-12-05T20:30:01Z. For no time, write
 * docker's zero time. */
static const char *time_text(long long t, char out[static 32])
{
	time_t tt = t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "0001-01-01T00:00:00Z");
	return out;
}

/* Return COMMAND, joined by spaces. */
static void command_text(const struct state *st, char out[static 256])
{
	size_t used = 0;

	out[0] = '\0';
	for (char **a = st->argv; *a && used < 255; a++)
		used += snprintf(out + used, 256 - used, "%s%s", used ? " " : "", *a);
	if (!st->argv[0])
		snprintf(out, 256, "(/bin/bash or /bin/sh)");
}

/* runb ps [-a] [-q] [--filter KEY=VALUE] [--format table|json|TEMPLATE] shows, as
 * docker ps does, the containers that run. With -a, it shows those that ended too.
 * TEMPLATE takes the fields {{.Name}} {{.Status}} {{.State}} {{.Pid}} {{.IP}}
 * {{.Rootfs}} {{.Command}} {{.Uptime}} {{.Restarts}} {{.ExitCode}}, and \t. */
static void ps_field(char out[static 256], const char *f, size_t len, const struct listed *c)
{
	const struct state *st = &c->st;
	long long up = time(NULL) - st->started;
	bool running = phase_of(c) == PH_RUNNING;

	out[0] = '\0';
	if (len == 4 && strncmp(f, "Name", 4) == 0)
		snprintf(out, 256, "%s", c->name);
	else if (len == 6 && strncmp(f, "Status", 6) == 0)
		status_text(c, out);
	else if (len == 5 && strncmp(f, "State", 5) == 0)
		snprintf(out, 256, "%s", phase_names[phase_of(c)]);
	else if (len == 3 && strncmp(f, "Pid", 3) == 0)
		snprintf(out, 256, running ? "%d" : "-", (int)st->pid);
	else if (len == 2 && strncmp(f, "IP", 2) == 0)
		snprintf(out, 256, "%s", st->ip && running ? st->ip : "-");
	else if (len == 6 && strncmp(f, "Rootfs", 6) == 0)
		snprintf(out, 256, "%s", st->rootfs ? st->rootfs : "-");
	else if (len == 7 && strncmp(f, "Command", 7) == 0)
		command_text(st, out);
	else if (len == 6 && strncmp(f, "Uptime", 6) == 0)
		snprintf(out, 256, !running ? "-" : up < 120 ? "%llds" : up < 7200 ? "%lldm" :
			 up < 172800 ? "%lldh" : "%lldd", up < 120 ? up : up < 7200 ? up / 60 :
			 up < 172800 ? up / 3600 : up / 86400);
	else if (len == 8 && strncmp(f, "Restarts", 8) == 0)
		snprintf(out, 256, "%d", st->restarts);
	else if (len == 8 && strncmp(f, "ExitCode", 8) == 0)
		snprintf(out, 256, "%d", running || st->status < 0 ? 0 : st->status);
	else if (len == 5 && strncmp(f, "Ports", 5) == 0)
		for (char **p = st->ports; p && *p; p++)
			snprintf(out + strlen(out), 256 - strlen(out), "%s%s", p == st->ports ? "" : ", ", *p);
	else
		diex("ps: unknown field {{.%.*s}} (Name, Status, State, Pid, IP, Rootfs, Command, "
		     "Uptime, Restarts, ExitCode, Ports)", (int)len, f);
}

/* Print FORMAT with its fields filled in. */
static void ps_line(const char *format, const struct listed *c)
{
	char field[256];

	for (const char *p = format; *p; p++) {
		const char *end;

		if (p[0] == '\\' && p[1] == 't') {
			putchar('\t');
			p++;
		} else if (strncmp(p, "{{.", 3) == 0 && (end = strstr(p, "}}"))) {
			ps_field(field, p + 3, end - p - 3, c);
			fputs(field, stdout);
			p = end + 1;
		} else {
			putchar(*p);
		}
	}
	putchar('\n');
}

/* With --format json, print one object per line. */
static void ps_json(const struct listed *c)
{
	static const char *const keys[] = { "Name", "Status", "State", "Pid", "IP", "Rootfs",
					     "Command", "Restarts", "ExitCode", "Ports" };
	char field[256];

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		ps_field(field, keys[i], strlen(keys[i]), c);
		printf("%s", i ? ", " : "{");
		json_str(stdout, keys[i]);
		fputs(": ", stdout);
		json_str(stdout, field);
	}
	puts("}");
}

/* By default, print a table whose columns fit what they hold. */
static void ps_table(const struct listed *list, int n)
{
	static const char *const heads[] = { "NAME", "STATUS", "PID", "IP", "ROOTFS", "COMMAND" };
	static const char *const fields[] = { "Name", "Status", "Pid", "IP", "Rootfs", "Command" };
	int width[ARRAY_SIZE(heads)];
	char field[256];

	for (size_t k = 0; k < ARRAY_SIZE(heads); k++) {
		width[k] = strlen(heads[k]);
		for (int i = 0; i < n; i++) {
			ps_field(field, fields[k], strlen(fields[k]), &list[i]);
			width[k] = (int)strlen(field) > width[k] ? (int)strlen(field) : width[k];
		}
	}
	for (int i = -1; i < n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(heads); k++) {
			if (i >= 0)
				ps_field(field, fields[k], strlen(fields[k]), &list[i]);
			printf(k + 1 < ARRAY_SIZE(heads) ? "%-*s   " : "%.*s\n", width[k],
			       i < 0 ? heads[k] : field);
		}
}

/* --filter takes name=PART, where PART is a part of NAME, or
 * status=running|restarting|exited. */
static bool ps_wanted(const struct listed *c, const char *filter)
{
	if (!filter)
		return true;
	if (strncmp(filter, "name=", 5) == 0)
		return strstr(c->name, filter + 5) != NULL;
	if (strncmp(filter, "status=", 7) == 0)
		return strcmp(phase_names[phase_of(c)], filter + 7) == 0;
	diex("ps: invalid --filter '%s': expected name=PART or status=running|restarting|exited",
	     filter);
}

static int verb_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' }, { "quiet", no_argument, NULL, 'q' },
		{ "filter", required_argument, NULL, 'f' }, { "format", required_argument, NULL, 'F' },
		{ 0 }
	};
	const char *format = "table", *filter = NULL;
	bool all = false, quiet = false;
	struct listed *list;
	int c, n, shown = 0;

	while ((c = verb_getopt("ps", argc, argv, "aqf:", longopts)) != -1)
		switch (c) {
		case 'a': all = true; break;
		case 'q': quiet = true; break;
		case 'f': filter = optarg; break;
		case 'F': format = optarg; break;
		}
	if (optind < argc)
		diex("ps: unexpected argument '%s' (a container named ps? NAME cannot be a runb verb)",
		     argv[optind]);
	list = containers_list(all, &n);
	for (int i = 0; i < n; i++)
		if (ps_wanted(&list[i], filter))
			list[shown++] = list[i];
	for (int i = 0; i < shown && (quiet || strcmp(format, "table") != 0); i++)
		if (quiet)
			puts(list[i].name);
		else if (strcmp(format, "json") == 0)
			ps_json(&list[i]);
		else
			ps_line(format, &list[i]);
	if (!quiet && strcmp(format, "table") == 0)
		ps_table(list, shown);
	return 0;
}

/* runb inspect NAME... prints each container's state and record as JSON, as docker
 * inspect does. */
static void inspect_one(const struct listed *c, bool first)
{
	static const char *const policies[] = { "no", "on-failure", "always", "unless-stopped" };
	const struct state *st = &c->st;
	char t[32], sig[16], user[32], path[PATH_MAX];
	enum phase ph = phase_of(c);

	printf("%s  {\n    \"Name\": ", first ? "" : ",\n");
	json_str(stdout, c->name);
	printf(",\n    \"Created\": \"%s\",\n    \"Path\": ", time_text(st->created, t));
	json_str(stdout, st->argv[0] ? st->argv[0] : "/bin/sh");
	printf(",\n    \"Args\": ");
	json_strs(stdout, st->argv[0] ? st->argv + 1 : st->argv);
	printf(",\n    \"State\": {\"Status\": \"%s\", \"Running\": %s, \"Restarting\": %s, "
	       "\"OOMKilled\": %s, \"Pid\": %d, \"ExitCode\": %d, ", phase_names[ph],
	       ph == PH_RUNNING ? "true" : "false", ph == PH_RESTARTING ? "true" : "false",
	       st->oom ? "true" : "false", ph == PH_RUNNING ? (int)st->pid : 0,
	       ph == PH_RUNNING || st->status < 0 ? 0 : st->status);
	printf("\"StartedAt\": \"%s\", ", time_text(st->started, t));
	printf("\"FinishedAt\": \"%s\"},\n", time_text(ph == PH_RUNNING ? 0 : st->finished, t));
	printf("    \"RestartCount\": %d,\n    \"Rootfs\": ", st->restarts);
	json_str(stdout, st->rootfs);
	record_path(c->name, "container.log", path);
	printf(",\n    \"LogPath\": ");
	json_str(stdout, st->detached ? path : "");
	snprintf(user, sizeof(user), "%u:%u", (unsigned)st->uid, (unsigned)st->gid);
	printf(",\n    \"Config\": {\"Hostname\": ");
	json_str(stdout, st->hostname);
	printf(", \"User\": \"%s\", \"Env\": ", user);
	json_strs(stdout, st->env);
	printf(", \"Cmd\": ");
	json_strs(stdout, st->argv);
	printf(", \"WorkingDir\": ");
	json_str(stdout, st->workdir ? st->workdir : "/");
	printf(", \"StopSignal\": \"%s\", \"StopTimeout\": %u},\n",
	       signal_name(st->stop_signal ? st->stop_signal : SIGTERM, sig), st->stop_timeout);
	printf("    \"HostConfig\": {\"RestartPolicy\": {\"Name\": \"%s\", \"MaximumRetryCount\": %d}, "
	       "\"AutoRemove\": %s, \"Memory\": %llu, \"NanoCpus\": %llu, \"PidsLimit\": %llu},\n",
	       policies[st->restart >= 0 && st->restart < 4 ? st->restart : 0], st->restart_max,
	       st->autoremove ? "true" : "false", st->memory, st->cpu_quota * 10000, st->pids);
	printf("    \"NetworkSettings\": {\"IPAddress\": ");
	json_str(stdout, st->ip && strcmp(st->ip, "-") != 0 && ph == PH_RUNNING ? st->ip : "");
	printf(", \"Ports\": ");
	json_strs(stdout, st->ports);
	printf("}\n  }");
}

static int verb_inspect(int argc, char **argv)
{
	struct listed c;
	int rc = 0, shown = 0, fd;

	while (verb_getopt("inspect", argc, argv, "", NULL) != -1)
		;
	verb_name("inspect", argc, argv, true);
	printf("[\n");
	for (int i = optind; i < argc; i++) {
		if (!valid_name(argv[i]) || (fd = state_find(argv[i], &c.st, &c.running)) < 0) {
			errno = 0;
			warn("inspect: no container %s", argv[i]);
			rc = EXIT_RUNB;
			continue;
		}
		close(fd);
		snprintf(c.name, sizeof(c.name), "%s", argv[i]);
		inspect_one(&c, shown++ == 0);
	}
	printf("%s]\n", shown ? "\n" : "");
	return rc;
}

/* runb stats [--no-stream] [NAME...] shows the CPU, memory and pids of the running
 * containers, or of each NAME, from their cgroups, as docker stats does. It shows them
 * every second until ^C. With --no-stream, it shows them once, measured over half a
 * second. CPU % is of one CPU, so 200 % means two busy CPUs. */
static void stats_table(const struct listed *list, int n, const struct cg_usage *was,
			const struct cg_usage *now, long long elapsed_ns)
{
	char used[32], limit[32], cpu[16], mem[72], pct[16];

	printf("%-24s   %-8s   %-24s   %-8s   %s\n", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %",
	       "PIDS");
	for (int i = 0; i < n; i++) {
		const struct cg_usage *u = &now[i];

		snprintf(cpu, sizeof(cpu), "%.2f%%", elapsed_ns > 0 && u->cpu_ns >= was[i].cpu_ns ?
			 100.0 * (u->cpu_ns - was[i].cpu_ns) / elapsed_ns : 0.0);
		snprintf(mem, sizeof(mem), "%s / %s", size_short(u->memory, used),
			 size_short(u->limit, limit));
		snprintf(pct, sizeof(pct), "%.2f%%", u->limit ? 100.0 * u->memory / u->limit : 0.0);
		printf("%-24s   %-8s   %-24s   %-8s   %llu\n", list[i].name, cpu, mem, pct, u->pids);
	}
	fflush(stdout);
}

/* List the containers that stats shows. These are each NAME, which must run, or all
 * that run. */
static struct listed *stats_list(int argc, char **argv, int *n)
{
	struct listed *list;
	int fd;

	if (optind == argc) {
		list = containers_list(false, n);
		for (int i = 0, k = *n; i < k; i++)
			if (phase_of(&list[i]) != PH_RUNNING)
				list[i--] = list[--k], *n = k;
		return list;
	}
	list = calloc(argc - optind, sizeof(*list));
	if (!list)
		die("calloc");
	for (*n = 0; optind < argc; optind++, (*n)++) {
		fd = state_running("stats", argv[optind], &list[*n].st, false);
		close(fd);
		list[*n].running = true;
		snprintf(list[*n].name, sizeof(list[*n].name), "%s", argv[optind]);
	}
	return list;
}

static int verb_stats(int argc, char **argv)
{
	static const struct option longopts[] = { { "no-stream", no_argument, NULL, 'n' }, { 0 } };
	bool once = false;
	struct listed *list;
	struct cg_usage *was, *now;
	struct timespec t0, t1;
	int n;

	while (verb_getopt("stats", argc, argv, "", longopts) != -1)
		once = true;
	list = stats_list(argc, argv, &n);
	was = calloc(n + 1, sizeof(*was));
	now = calloc(n + 1, sizeof(*now));
	if (!was || !now)
		die("calloc");
	for (int i = 0; i < n; i++)
		cg_usage_read(list[i].name, list[i].st.cg_v2, &was[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		usleep(once ? 500000 : 1000000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		for (int i = 0; i < n; i++)
			cg_usage_read(list[i].name, list[i].st.cg_v2, &now[i]);
		if (!once && isatty(STDOUT_FILENO))
			fputs("\033[2J\033[H", stdout);  /* a screen of its own, as docker stats */
		stats_table(list, n, was, now, us_between(&t0, &t1) * 1000);
		if (once)
			return 0;
		memcpy(was, now, n * sizeof(*was));
		t0 = t1;
	}
}

/* runb kill [-s SIG] NAME sends SIG to PID 1, as docker kill does. SIG is KILL by
 * default. */
static int verb_kill(int argc, char **argv)
{
	static const struct option longopts[] = { { "signal", required_argument, NULL, 's' }, { 0 } };
	int sig = SIGKILL, c, pidfd;
	const char *name;
	struct state st;

	while ((c = verb_getopt("kill", argc, argv, "s:", longopts)) != -1)
		sig = parse_signal("kill", optarg);
	name = verb_name("kill", argc, argv, false);
	close(state_running("kill", name, &st, false));
	pidfd = state_pidfd("kill", name, &st);
	if (sys_pidfd_send_signal(pidfd, sig) < 0)
		die("kill: signal %d to %s's PID 1", sig, name);
	return 0;
}

/* Stop NAME, which runs. LOCK is its lock, and ST is its state. First, put runb stop's
 * mark in its record, so that no --restart comes after it. Then send SIG to PID 1, and
 * SIGKILL TIMEOUT seconds later if PID 1 is still there. A restarting container has no
 * PID 1, so its supervisor gets SIGTERM instead. Then wait, through the lock, for its
 * runb to tear everything down, so that the container is gone on return. */
static void stop_container(const char *verb, const char *name, int lock, const struct state *st,
			   int sig, unsigned long timeout)
{
	struct pollfd p = { .events = POLLIN };
	int mark = st->detached ? record_open(name, "stopped", O_WRONLY | O_CREAT) : -1;
	int ended;

	if (mark >= 0)
		close(mark);
	p.fd = st->status < 0 ? state_pidfd_try(st) : -1;
	if (p.fd < 0) {  /* restarting, or just ended and about to restart, so its runb ends it */
		int sup = sys_pidfd_open(st->supervisor);  /* first, while it holds the lock */

		if (sup >= 0 && flock(lock, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK &&
		    sys_pidfd_send_signal(sup, SIGTERM) < 0 && errno != ESRCH)
			die("%s: SIGTERM to %s's runb (pid %d)", verb, name, (int)st->supervisor);
		if (sup >= 0)
			close(sup);
	} else {
		if (sys_pidfd_send_signal(p.fd, sig) < 0 && errno != ESRCH)
			die("%s: signal %d to %s's PID 1", verb, sig, name);
		while ((ended = poll(&p, 1, timeout * 1000)) < 0 && errno == EINTR)
			;
		if (ended == 0 && sys_pidfd_send_signal(p.fd, SIGKILL) < 0 && errno != ESRCH)
			die("%s: SIGKILL to %s's PID 1", verb, name);
		close(p.fd);
	}
	while (flock(lock, LOCK_SH) < 0)  /* its runb lets go once everything is removed */
		if (errno != EINTR)
			die("%s: wait for %s's runb", verb, name);
}

/* runb stop [-s SIG] [-t SECONDS] NAME sends SIG, and SIGKILL after SECONDS. SIG is
 * the container's --stop-signal by default, or else TERM. SECONDS is its
 * --stop-timeout by default, which is 10 unless set. */
static int verb_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' }, { "signal", required_argument, NULL, 's' }, { 0 }
	};
	unsigned long timeout = ULONG_MAX;
	const char *name;
	struct state st;
	int c, sig = 0, lock;

	while ((c = verb_getopt("stop", argc, argv, "t:s:", longopts)) != -1)
		if (c == 's')
			sig = parse_signal("stop", optarg);
		else if (!parse_ulong(optarg, 86400, &timeout))
			diex("stop: invalid -t '%s': expected seconds, 0 to 86400", optarg);
	name = verb_name("stop", argc, argv, false);
	lock = state_running("stop", name, &st, true);
	stop_container("stop", name, lock, &st, sig ? sig : st.stop_signal ? st.stop_signal : SIGTERM,
		       timeout != ULONG_MAX ? timeout : st.stop_timeout);
	printf("%s\n", name);
	return 0;
}

/* runb rm [-f] NAME... removes each record, with its state and logs, as docker rm does.
 * A container that runs is refused. With -f, it is killed first, by SIGKILL and with
 * no restart. NAME's lock is held meanwhile, so that no run of NAME starts halfway. */
static int rm_one(const char *name, bool force)
{
	bool running = false, existed;
	char lockname[96];
	struct state st;
	int fd = valid_name(name) ? state_find(name, &st, &running) : -1;

	if (fd < 0) {
		errno = 0;
		warn("rm: no container %s", name);
		return EXIT_RUNB;
	}
	if (running && !force) {
		errno = 0;
		warn("rm: container %s is running: stop it first (runb stop %s), or rm -f", name, name);
		close(fd);
		return EXIT_RUNB;
	}
	if (running)
		stop_container("rm", name, fd, &st, SIGKILL, 0);
	close(fd);
	snprintf(lockname, sizeof(lockname), "%s.lock", name);
	if (mkdir(STATE_DIR, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", STATE_DIR);
	fd = lock_file(lockname, &existed);
	if (fd < 0) {
		errno = 0;
		warn("rm: container %s was started again meanwhile", name);
		return EXIT_RUNB;
	}
	record_remove(name);
	unlock_file(lockname, fd);
	printf("%s\n", name);
	return 0;
}

static int verb_rm(int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	bool force = false;
	int rc = 0;

	while (verb_getopt("rm", argc, argv, "f", longopts) != -1)
		force = true;
	verb_name("rm", argc, argv, true);
	for (int i = optind; i < argc; i++)
		if (rm_one(argv[i], force) != 0)
			rc = EXIT_RUNB;
	return rc;
}

/* runb wait NAME waits until the container ends, and exits with its status. It reads
 * the status from the open lock file, because its runb writes the status before it lets
 * go of the lock. For a detached container that ended before, it reads the status from
 * the record, any number of times. */
static int verb_wait(int argc, char **argv)
{
	bool running = false;
	const char *name;
	struct state st;
	int fd;

	while (verb_getopt("wait", argc, argv, "", NULL) != -1)
		;
	name = verb_name("wait", argc, argv, false);
	fd = verb_record("wait", name, &st, &running);
	if (running) {
		while (flock(fd, LOCK_SH) < 0)
			if (errno != EINTR)
				die("wait: %s", name);
		state_load(fd, &st);
	}
	if (st.status < 0)
		diex("wait: %s ended without a status: its runb was killed", name);
	return st.status;
}

/* runb logs [-f] [-n N] [-t] [--since WHEN] NAME prints a detached container's output
 * from its record. It reads container.log.N, ..., .1, and then container.log. Each line
 * goes to the stream that it was written to. This works any number of times while the
 * record exists. With -f, it then prints what the container writes, until it ends.
 * -n/--tail N prints the last N lines. -t prints each line's time first. --since prints
 * the lines from WHEN on. WHEN is a time such as 2026-12-05T20:30:00Z or 2026-12-05, a
 * Unix time, or an age such as 30s, 10m or 2h ago. */
struct log_reader {
	bool counting;          /* the first pass of --tail only counts ... */
	long long lines;        /* ... the full lines, and a part at the end */
	long long skip;         /* the full lines to leave out before printing */
	const char *since;      /* --since as the log's TIME, or NULL for all */
	bool timestamps;        /* -t */
	bool mid[2];            /* stdout's or stderr's line was printed in part, and goes on */
	bool last_part;
};

/* Print one line of the log, of LEN bytes, in the form "TIME STREAM TAG TEXT". */
static void log_line(struct log_reader *r, char *line, size_t len)
{
	char *stream = memchr(line, ' ', len), *tag = stream ? memchr(stream + 1, ' ', line + len - stream - 1) : NULL;
	bool full, err;
	FILE *f;

	if (!tag || tag + 3 > line + len || (tag[1] != 'F' && tag[1] != 'P') || tag[2] != ' ')
		return;  /* runb did not write this line */
	*stream++ = '\0';
	full = tag[1] == 'F';
	err = strncmp(stream, "stderr ", 7) == 0;
	if (r->since && strcmp(line, r->since) < 0)
		return;
	if (r->counting) {
		r->lines += full;
		r->last_part = !full;
		return;
	}
	if (r->skip > 0) {
		r->skip -= full;
		return;
	}
	f = err ? stderr : stdout;
	if (err)
		fflush(stdout);
	if (r->timestamps && !r->mid[err])
		fprintf(f, "%s ", line);
	fwrite(tag + 3, 1, line + len - (tag + 3), f);
	if (full)
		fputc('\n', f);
	r->mid[err] = !full;
}

/* log_feed() reads what is left of FD, line by line, and returns how many bytes it
 * read. A line that is not yet whole stays in this buffer. */
struct log_buf {
	char data[65536];
	size_t len;
};

static size_t log_feed(struct log_reader *r, struct log_buf *b, int fd)
{
	size_t total = 0;
	ssize_t n;
	char *p, *nl;

	while ((n = read(fd, b->data + b->len, sizeof(b->data) - b->len)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		total += n;
		b->len += n;
		for (p = b->data; (nl = memchr(p, '\n', b->data + b->len - p)); p = nl + 1)
			log_line(r, p, nl - p);
		b->len -= p - b->data;
		memmove(b->data, p, b->len);
		if (b->len == sizeof(b->data))
			b->len = 0;  /* longer than any line runb writes, so not runb's */
	}
	return total;
}

/* Open NAME's log files, newest first: container.log, .1, .2, and so on. All are
 * opened before any is read, so that a rotation meanwhile neither hides nor repeats
 * a file. A file opened twice, under two names, is kept once. Return how many files
 * are open. */
#define LOG_FILES_MAX 101

static int log_files(const char *name, int fds[LOG_FILES_MAX])
{
	char file[32], suffix[16];
	struct stat st, last = { .st_ino = 0 };
	int n = 0, fd;

	for (int i = 0; i < LOG_FILES_MAX; i++) {
		snprintf(suffix, sizeof(suffix), ".%d", i);
		log_name(i ? suffix : "", file);
		fd = record_open(name, file, O_RDONLY);
		if (fd < 0 && i > 0)
			break;
		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0 || (n && st.st_ino == last.st_ino)) {
			close(fd);
			continue;
		}
		last = st;
		fds[n++] = fd;
	}
	return n;
}

/* Read FDS[FROM-1] down to FDS[0], oldest first, through B. Keep FDS[0] open in *LIVE,
 * or close it. With -f, B then holds the start of a line that is not yet whole. Every
 * other file is closed. */
static void log_read_files(struct log_reader *r, struct log_buf *b, int fds[], int n, int from,
			   int *live)
{
	for (int i = n - 1; i >= 0; i--) {
		if (i < from) {
			b->len = 0;
			log_feed(r, b, fds[i]);
		}
		if (i == 0 && live)
			*live = fds[0];
		else
			close(fds[i]);
	}
}

static void log_read_all(const char *name, struct log_reader *r, struct log_buf *b, int *live)
{
	int fds[LOG_FILES_MAX], n = log_files(name, fds);

	log_read_files(r, b, fds, n, n, live);
}

/* With -f, print what NAME writes from now on into container.log, which is open as
 * FD. Stop when its runb lets go of the lock LOCK. After a rotation, print the files
 * that came after FD's file, and then the new container.log. FD's inode tells where
 * its file is among all of them. It waits (LOG_FOLLOW_WAIT_US) only when the log is
 * quiet, so that it keeps up with a fast writer: a follower that falls max-file files
 * behind misses those that the rotation has removed meanwhile, as docker's does. */
#define LOG_FOLLOW_WAIT_US 100000
static void log_follow(const char *name, struct log_reader *r, struct log_buf *b, int fd, int lock)
{
	int fds[LOG_FILES_MAX], n, k;
	bool running = true, quiet = false;
	struct stat was, now;
	char path[PATH_MAX], file[32];

	log_name("", file);
	record_path(name, file, path);
	while (running) {
		fflush(stdout);
		if (quiet)
			usleep(LOG_FOLLOW_WAIT_US);
		running = flock(lock, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		quiet = log_feed(r, b, fd) == 0;
		if (stat(path, &now) < 0 || fstat(fd, &was) < 0 || now.st_ino == was.st_ino)
			continue;
		quiet = false;
		log_feed(r, b, fd);  /* the rest of the file that was rotated away */
		n = log_files(name, fds);
		for (k = 0; k < n; k++)
			if (fstat(fds[k], &now) == 0 && now.st_ino == was.st_ino)
				break;  /* FD's file is fds[k], and those before it are newer */
		close(fd);
		fd = -1;
		log_read_files(r, b, fds, n, k, &fd);
	}
	if (fd >= 0)
		close(fd);
}

/* Put --since WHEN into OUT, in the form of the log's TIME. */
static void log_since(const char *arg, char out[static 40])
{
	struct tm tm = { 0 };
	char *end, frac[10] = "000000000";
	double n = strtod(arg, &end);
	time_t t = 0;
	size_t len;

	if (end != arg && isdigit((unsigned char)*arg) && end[0] && strchr("smh", end[0]) && !end[1])
		t = time(NULL) - (time_t)(n * (end[0] == 'h' ? 3600 : end[0] == 'm' ? 60 : 1));
	else if (end != arg && isdigit((unsigned char)*arg) && !*end)
		t = (time_t)n;
	else if ((end = strptime(arg, "%Y-%m-%dT%H:%M:%S", &tm)) || (end = strptime(arg, "%Y-%m-%d", &tm)))
		t = timegm(&tm);
	else
		t = -1;
	if (end && *end == '.' && (len = strspn(end + 1, "0123456789")) > 0) {
		memcpy(frac, end + 1, len < 9 ? len : 9);  /* the fraction, to the nanosecond */
		end += 1 + len;
	}
	if (t < 0 || (end && *end && strcmp(end, "Z") != 0 && strchr("smh", *end) == NULL) ||
	    !gmtime_r(&t, &tm))
		diex("logs: invalid --since '%s' (2026-12-05T20:30:00Z, 2026-12-05, a Unix time, or "
		     "30s, 10m, 2h)", arg);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + strlen(out), 40 - strlen(out), ".%sZ", frac);
}

static int verb_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' }, { "tail", required_argument, NULL, 'n' },
		{ "timestamps", no_argument, NULL, 't' }, { "since", required_argument, NULL, 'S' },
		{ 0 }
	};
	struct log_reader r = { .skip = 0 };
	struct log_buf *b = calloc(1, sizeof(*b));
	bool follow = false, running = false;
	unsigned long tail = ULONG_MAX;
	char since[40];
	const char *name;
	struct state st;
	int c, fd, live = -1;

	while ((c = verb_getopt("logs", argc, argv, "fn:t", longopts)) != -1)
		if (c == 'f')
			follow = true;
		else if (c == 't')
			r.timestamps = true;
		else if (c == 'S')
			log_since(optarg, since), r.since = since;
		else if (strcmp(optarg, "all") != 0 && !parse_ulong(optarg, LONG_MAX, &tail))
			diex("logs: invalid --tail '%s': expected a number of lines, or all", optarg);
	name = verb_name("logs", argc, argv, false);
	fd = verb_record("logs", name, &st, &running);
	if (!st.detached)
		diex("logs: %s runs in the foreground: its output goes to its runb's terminal", name);
	if (!b)
		die("calloc");
	if (tail != ULONG_MAX) {
		r.counting = true;
		log_read_all(name, &r, b, NULL);
		r.counting = false;
		r.skip = r.lines + r.last_part > (long long)tail ? r.lines + r.last_part - tail : 0;
	}
	log_read_all(name, &r, b, follow && running ? &live : NULL);
	if (live >= 0)
		log_follow(name, &r, b, live, fd);
	close(fd);
	free(b);
	return 0;
}

/* runb exec [-t|-T] [-e K=V] [--user U[:G]] [-w DIR] NAME COMMAND...
 *
 * runb exec runs a command in a running container. The command is never more
 * privileged than the container's first process, and it holds nothing of the
 * host's (see "What a runb process inside the container may hold"). There
 * are three processes:
 *   - runb stays on the host. It relays the command's stdin, stdout and
 *     stderr, through pipes as docker exec does, or through a pty of the
 *     container's own with -t. It forwards signals, and it exits with the
 *     command's status.
 *   - The setup (exec_setup) is cloned into the container's cgroup, and it
 *     keeps only the pipes. It enters the container's namespaces (pid, mount,
 *     uts, ipc, net and cgroup) with setns(2) on the pidfd of its PID 1. It
 *     confines itself as the first process was, from the state. It drops the
 *     bounding set, and it takes --chroot's root if the container has one.
 *     Then it does the steps of "the final steps, then exec" (Part II.6). Its
 *     own PID namespace stays the host's, so no process of the container can
 *     see it, signal it or open its /proc/PID.
 *   - The command (exec_child) is the only process born in the container's
 *     PID namespace, and it is already confined. The setup makes it runb's
 *     child (CLONE_PARENT) and exits. The command takes its terminal and execs.
 */
static const int exec_ns_flags = CLONE_NEWCGROUP | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
				 CLONE_NEWNET | CLONE_NEWPID;

/* The pipes and socket between runb exec and its two children. */
struct exec_io {
	int in[2], out[2], err[2];  /* command's stdio, with runb's ends in[1], out[0], err[0] */
	int pty[2];                 /* -t's master, sent by the setup over [1] to runb's [0] */
	int pid[2];                 /* the setup tells runb [0] the command's pid over [1] */
	int go[2];                  /* on v1, runb has moved the setup into the cgroup */
};

/* The command is born in the container's PID namespace, already confined. It takes
 * a session of its own and its terminal, and then it execs. */
static noreturn void exec_child(const struct config *cfg, int slave, const char *pts)
{
	int err = cfg->oci && slave < 0 ? cfg->oci->stderr_fd : -1;  /* runb-oci: the caller's */
	const int keep[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, slave, err };

	fds_keep_only(keep, ARRAY_SIZE(keep));
	if (err >= 0 && (dup2(err, STDERR_FILENO) < 0 || close(err) < 0))
		die("exec: the caller's stderr as the command's");
	if (setsid() < 0)
		die("exec: setsid");
	if (slave >= 0) {
		pty_take(slave, pts);
		close(slave);
	}
	signals_default();
	exec_command(cfg, -1);
}

/* exec --user USER[:GROUP] is looked up in the container's own /etc/passwd and
 * /etc/group, from inside its mount namespace, with its root as it is now. */
static void exec_user_resolve(struct config *cfg)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		die("exec: open the container's /");
	user_resolve(cfg, root);
	close(root);
}

/* The setup runs in the container's cgroup, but outside its PID namespace. It enters
 * the container's cgroup namespace only once it is in the container's cgroup. A
 * cgroup2 mounted with nsdelegate, which is systemd's default, refuses a clone into a
 * cgroup that the cloner's cgroup namespace cannot see. So runb cloned it from the
 * host's cgroup namespace. */
static noreturn void exec_setup(const struct config *host_cfg, const struct winsize *ws, int pidfd,
				const struct exec_io *io)
{
	const int keep[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, pidfd, io->pty[1], io->pid[1],
			     host_cfg->oci ? host_cfg->oci->stderr_fd : -1 };
	struct config copy = *host_cfg, *cfg = &copy;
	uint64_t caps = cfg->caps;  /* the container's caps, from its state */
	int slave = -1, proc;
	char c, pts[32] = "";
	pid_t pid;

	if (io->go[1] >= 0)
		close(io->go[1]);  /* else a runb that died would leave the read below waiting */
	if (io->go[0] >= 0 && read(io->go[0], &c, 1) != 1)  /* runb moved us into the v1 cgroup */
		_exit(EXIT_RUNB);
	if (io->in[0] >= 0 && (dup2(io->in[0], STDIN_FILENO) < 0 || dup2(io->out[1], STDOUT_FILENO) < 0 ||
				dup2(io->err[1], STDERR_FILENO) < 0))  /* messages go to runb's relay */
		_exit(EXIT_RUNB);  /* (runb-oci exec: the caller's stdio, as runc gives it) */
	fds_keep_only(keep, ARRAY_SIZE(keep));  /* closes the caller's, runb's cgroup and state */
	caps_drop_bounding(cfg, caps);  /* before setns, as the container's /proc could lie */
	copy.argv = strv_dup(host_cfg->argv);  /* then copy what it needs of the command line */
	copy.env = strv_dup(host_cfg->env);
	copy.name = strdup(host_cfg->name);
	copy.workdir = host_cfg->workdir ? strdup(host_cfg->workdir) : NULL;
	copy.user = host_cfg->user ? strdup(host_cfg->user) : NULL;
	if (!copy.name || (host_cfg->workdir && !copy.workdir) || (host_cfg->user && !copy.user))
		die("strdup");
	proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);  /* the host's, before setns */
	if (proc < 0)
		die("open /proc");
	args_scrub("runb-exec", proc);  /* no host path, no caller's environment left in memory */
	close(proc);
	oom_score_set(cfg);             /* runb-oci exec's oomScoreAdj, through the host's /proc */
	if (setns(pidfd, exec_ns_flags) < 0)
		diex("exec: no running container %s (setns: %s)", cfg->name, strerror(errno));
	close(pidfd);
	if (cfg->use_chroot ? chroot(cfg->rootfs) < 0 || chdir("/") < 0 : chdir("/") < 0)
		die("exec: enter the container's root %s", cfg->rootfs);
	exec_user_resolve(cfg);         /* --user by name, in the container's /etc/passwd */
	if (io->pty[1] >= 0)
		slave = pty_send_master(cfg, ws, io->pty[1], pts);
	process_finalize(cfg, caps);
	/* Use clone(2), not clone3. The seccomp filter checks clone's flags and makes clone3
	 * fail with ENOSYS. */
	pid = sys_clone(CLONE_PARENT);
	if (pid < 0)
		die("exec: clone the command into %s's PID namespace", cfg->name);
	if (pid == 0)
		exec_child(cfg, slave, pts);
	if (write(io->pid[1], &pid, sizeof(pid)) != sizeof(pid))
		die("exec: tell runb the command's pid");
	_exit(0);
}

/* Open the container's cgroup on the host. On v2, open the directory, for
 * CLONE_INTO_CGROUP. On v1, open each controller's tasks file. */
static void exec_open_cgroup(const struct config *cfg, bool v2, int fds[])
{
	char path[PATH_MAX];

	for (size_t i = 0; i < (v2 ? 1 : ARRAY_SIZE(cg_v1_controllers)); i++) {
		cg_path(cfg->name, v2, cg_v1_controllers[i], v2 ? NULL : "tasks", path);
		fds[i] = open(path, v2 ? O_RDONLY | O_DIRECTORY | O_CLOEXEC : O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0)
			diex("exec: no running container %s (open %s: %s)", cfg->name, path, strerror(errno));
	}
}

/* Make the pipes. The command's stdio gets three pipes, and runb's ends are
 * non-blocking, because a process that the command leaves behind may hold the other
 * ends open. With -t, there is the pty's socket. There is also the pid's pipe, and
 * v1's go pipe. */
static void exec_pipes(const struct config *cfg, bool v2, struct exec_io *io)
{
	if (pipe2(io->pid, O_CLOEXEC) < 0)
		die("exec: pipe");
	if (!cfg->oci && (pipe2(io->in, O_CLOEXEC) < 0 || pipe2(io->out, O_CLOEXEC) < 0 ||
			  pipe2(io->err, O_CLOEXEC) < 0))
		die("exec: pipe");
	if (!cfg->oci && (fcntl(io->out[0], F_SETFL, O_NONBLOCK) < 0 ||
			  fcntl(io->err[0], F_SETFL, O_NONBLOCK) < 0))
		die("exec: fcntl O_NONBLOCK");
	if (cfg->tty && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, io->pty) < 0)
		die("exec: socketpair for the pty");
	if (!v2 && pipe2(io->go, O_CLOEXEC) < 0)
		die("exec: pipe");
}

/* Clone the setup into the container's v2 cgroup. On v1, fork it, and then write its
 * pid into each tasks file before it goes on. Return the command's pid, which is a
 * child of runb's. Return 0 when the setup failed. The setup then said why on the
 * command's stderr. */
static pid_t exec_fork(const struct config *cfg, const struct run *run, const int cg[],
		       int container, struct exec_io *io)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	char num[16];
	pid_t setup, pid = 0;
	int wstatus;

	if (run->cg_v2) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = cg[0];
	}
	setup = sys_clone3(&args);
	if (setup < 0)
		die("exec: clone3 into %s's cgroup", cfg->name);
	if (setup == 0)
		exec_setup(cfg, &run->winsize, container, io);
	if (io->in[0] >= 0) {
		close(io->in[0]);
		close(io->out[1]);
		close(io->err[1]);
	}
	close(io->pid[1]);
	if (io->pty[1] >= 0)
		close(io->pty[1]);
	if (!run->cg_v2) {
		snprintf(num, sizeof(num), "%d", (int)setup);
		for (size_t i = 0; i < ARRAY_SIZE(cg_v1_controllers); i++)
			if (write(cg[i], num, strlen(num)) < 0)
				die("exec: echo %s > %s/tasks", num, cg_v1_controllers[i]);
		if (write(io->go[1], "g", 1) != 1)
			die("exec: pipe");
		close(io->go[0]);
		close(io->go[1]);
	}
	if (read(io->pid[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = 0;
	close(io->pid[0]);
	if (waitpid(setup, &wstatus, 0) < 0)
		die("exec: wait for the setup");
	return pid;
}

/* Read runb exec's own options into CL's description. Return NAME. */
static const char *exec_parse(struct cmdline *cl, int argc, char **argv, bool *user_asked)
{
	enum { OPT_USER = 256 };
	static const struct option longopts[] = {
		{ "tty", no_argument, NULL, 't' }, { "no-tty", no_argument, NULL, 'T' },
		{ "env", required_argument, NULL, 'e' }, { "user", required_argument, NULL, OPT_USER },
		{ "workdir", required_argument, NULL, 'w' }, { "interactive", no_argument, NULL, 'i' },
		{ 0 },
	};
	const char *name;
	int c;

	cl->env = calloc(argc, sizeof(*cl->env));
	if (!cl->env)
		die("calloc");
	while ((c = verb_getopt("exec", argc, argv, "itTe:w:", longopts)) != -1) {
		if (c == 't' || c == 'T')
			cl->cfg->tty = c == 't';
		else if (c == 'e')
			opt_env(cl, optarg);
		else if (c == OPT_USER)
			parse_user(cl, optarg);
		else if (c == 'w' && optarg[0] != '/')
			diex("exec: invalid --workdir '%s': must be absolute", optarg);
		else if (c == 'w')
			cl->cfg->workdir = optarg;
		*user_asked |= c == OPT_USER;
	}
	name = verb_name("exec", argc, argv, true);
	if (optind + 1 >= argc)
		diex("exec: missing COMMAND (runb exec NAME COMMAND...)");
	return name;
}

/* Take the container's settings from its state, for the command of runb exec. These
 * are its privileges, its limits, its user unless --user is given, its working
 * directory unless -w is given, and its environment, with each -e on top. */
static void exec_config(struct config *cfg, const struct cmdline *cl, const struct state *st,
			bool user_asked)
{
	char **env;

	cfg->use_chroot = st->chroot;
	snprintf(cfg->rootfs, sizeof(cfg->rootfs), "%s", st->rootfs ? st->rootfs : "/");
	cfg->caps = st->caps;
	cfg->nnp = st->nnp;
	cfg->seccomp = st->seccomp;
	cfg->stop_timeout = st->stop_timeout;  /* a forwarded signal, then SIGKILL, as in runb */
	if (!cfg->workdir)
		cfg->workdir = st->workdir;    /* the container's -w, as in docker exec */
	memcpy(cfg->rlimits, st->rlimits, sizeof(cfg->rlimits));
	cfg->rlimits_asked = 0;
	if (!user_asked) {
		cfg->uid = st->uid;
		cfg->gid = st->gid;
	}
	for (env = st->env; *env; env++)
		;
	cfg->env = calloc(env - st->env + cl->n_env + 1, sizeof(char *));
	if (!cfg->env)
		die("calloc");
	memcpy(cfg->env, st->env, (env - st->env) * sizeof(char *));
	for (int i = 0; i < cl->n_env; i++)
		env_add(cfg->env, cl->env[i]);
	if (cfg->tty < 0)
		cfg->tty = tty_wanted();
}

/* runb exec runs this on the host. It forks the setup and the command (exec_fork). It
 * relays their output and forwards signals until the command ends. */
static int exec_run(const struct config *cfg, struct ledger *led, const struct state *st)
{
	struct run run = { .cg_v2 = st->cg_v2 };  /* the container's, from its state */
	struct watch x = { .pty_sock = -1, .report = -1, .log_out = -1, .log_err = -1,
			   .in = -1, .out = -1, .err = -1 };
	struct exec_io io = { .in = { -1, -1 }, .out = { -1, -1 }, .err = { -1, -1 }, .pty = { -1, -1 },
			      .go = { -1, -1 } };
	int pidfd, child_pidfd, cg[ARRAY_SIZE(cg_v1_controllers)];
	sigset_t signals;
	pid_t pid;

	signals_block(&signals);
	fds_cloexec();
	led->owner = getpid();
	if (on_exit(teardown, led) != 0)
		diex("on_exit: cannot register the teardown");
	pidfd = state_pidfd("exec", cfg->name, st);
	exec_open_cgroup(cfg, run.cg_v2, cg);
	if (cfg->tty)
		tty_get_size(&run.winsize);
	else
		relay_no_job_control();
	exec_pipes(cfg, run.cg_v2, &io);
	pid = exec_fork(cfg, &run, cg, pidfd, &io);
	x.pty_sock = io.pty[0];
	x.in = io.in[1];
	x.out = io.out[0];
	x.err = io.err[0];
	if (pid == 0) {  /* the setup failed, so relay its message, then exit with 125 */
		relay_pipe(&x.err, STDERR_FILENO, true);
		return EXIT_RUNB;
	}
	child_pidfd = sys_pidfd_open(pid);  /* runb's unreaped child, so its pid is not reused */
	if (child_pidfd < 0)
		die("exec: pidfd_open %d", (int)pid);
	return wait_container(cfg, led, pid, child_pidfd, &signals, &x);
}

static int verb_exec(int argc, char **argv)
{
	struct tracer tr = { .verbose = false };
	struct config cfg = { .tr = &tr, .tty = -1, .hostname = "" };
	struct ledger led = { .lock_fd = -1, .lease_fd = -1, .bridge_fd = -1, .record_fd = -1, .tr = &tr };
	struct cmdline cl = { .cfg = &cfg };
	bool user_asked = false;
	struct state st;

	cfg.name = exec_parse(&cl, argc, argv, &user_asked);
	cfg.argv = &argv[optind + 1];
	close(state_running("exec", cfg.name, &st, false));
	if (!st.ran)
		diex("exec: container %s has not started its command yet (try again)", cfg.name);
	exec_config(&cfg, &cl, &st, user_asked);
	return exec_run(&cfg, &led, &st);
}

/* This table has one row for every verb. A verb is recognized only as runb's first
 * argument. A verb that ENTERS puts a process inside the container, so runb first
 * runs from its sealed copy (see "What a runb process inside the container may hold"). */
struct verb_row {
	const char *name;
	int (*run)(int argc, char **argv);
	bool enters;
	const char *usage;      /* after "runb " */
	const char *help;
};

static const struct verb_row verbs[] = {
	{ "ps", verb_ps, false, "ps [-a] [-q] [--filter name=PART|status=S] [--format F]",
	  "the running containers (-a: those that ended too; -q: names;\n"
	  "F: table, json, or {{.Name}} {{.Status}} {{.State}} {{.Pid}}\n"
	  "{{.IP}} {{.Rootfs}} {{.Command}} {{.Uptime}} {{.Restarts}}\n"
	  "{{.ExitCode}} {{.Ports}} and \\t)" },
	{ "exec", verb_exec, true, "exec [-i] [-t|-T] [-e KEY=VAL] [--user UID[:GID]] [-w DIR] NAME COMMAND...",
	  "COMMAND in its namespaces and cgroup, with its privileges" },
	{ "stop", verb_stop, false, "stop [-s SIG] [-t SECONDS] NAME",
	  "SIG (default its --stop-signal, TERM) to its PID 1, SIGKILL\n"
	  "after SECONDS (default its --stop-timeout, 10); no restart" },
	{ "kill", verb_kill, false, "kill [-s SIGNAL] NAME", "SIGNAL (default KILL) to its PID 1" },
	{ "logs", verb_logs, false, "logs [-f] [-n N] [-t] [--since WHEN] NAME",
	  "what a detached one printed, stdout and stderr apart (-f:\n"
	  "follow until it ends; -n/--tail: the last N lines; -t: times)" },
	{ "wait", verb_wait, false, "wait NAME", "until it ends; exit with its status" },
	{ "rm", verb_rm, false, "rm [-f] NAME...", "remove a detached one's record (-f: kill it first)" },
	{ "inspect", verb_inspect, false, "inspect NAME...", "its state and settings as JSON" },
	{ "stats", verb_stats, false, "stats [--no-stream] [NAME...]",
	  "CPU, memory and pids of the running ones, every second" },
};

static const struct verb_row *verb_of(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(word, verbs[i].name) == 0)
			return &verbs[i];
	return NULL;
}

/* Every verb first sweeps what crashed runs left, as every start does. A crashed run
 * is one whose runb got SIGKILL, for example. So ps, wait and logs never show a
 * container whose runb is gone as one that runs. */
static void verb_sweep(void)
{
	struct tracer tr = { .verbose = false };
	struct ledger live = { .owner = getpid(), .lock_fd = -1, .lease_fd = -1, .bridge_fd = -1, .record_fd = -1,
			       .tr = &tr };
	struct statfs st;

	if (access(STATE_DIR, F_OK) < 0)
		return;
	live.cg_v2 = statfs(CG_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
	sweep_crashed_runs(&live);
}

static int verb_run(const struct verb_row *v, int argc, char **argv)
{
	optind = 1;
	opterr = 0;
	if (geteuid() != 0)
		diex("%s: must be run as root (try: sudo runb %s ...)", v->name, v->name);
	verb_sweep();
	return v->run(argc, argv);
}

/* Print --help. It shows the usage lines, the options (options_usage), the verbs, and
 * the exit statuses. */
static void usage(FILE *out)
{
	fputs("usage: runb [OPTIONS] NAME ROOTFS [COMMAND [ARG...]]\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "       runb %s\n", verbs[i].usage);
	fputs("Run COMMAND (default /bin/bash, or /bin/sh) in a container NAME whose root is ROOTFS.\n\n", out);
	options_usage(out);
	fputs("\nThe verbs, for a container NAME that runs (or, detached, has ended):\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		fprintf(out, "  %-19s", verbs[i].name);
		for (const char *p = verbs[i].help; *p; p++)
			*p == '\n' ? fputs("\n                     ", out) : fputc(*p, out);
		fputc('\n', out);
	}
	fputs("\nExit status: 125 runb failed, 126 COMMAND cannot be executed, 127 not found,\n"
	      "otherwise COMMAND's own (128+N when signal N killed it).\n", out);
}

/* ======================================================================== */
/* Part III: the OCI front-end. runb called as runb-oci reads a bundle's     */
/* config.json, the file Docker, podman and containerd give a runtime.       */
/* ======================================================================== */

/*
 * The OCI runtime specification describes a container as a JSON file,
 * config.json, in a directory called the bundle. runc, crun and youki read it;
 * so does runb when it is called by the name runb-oci (make install makes that
 * link, and busybox dispatches on its name the same way). runb's own verbs and
 * the OCI ones share names but not syntax, so the name tells them apart.
 *
 * config.json is the command line written as JSON: Part III turns each field
 * it reads into the runb option that asks for the same thing, and main() then
 * runs that command line, through the same parse_args() and the same engine.
 * So every check of Part II.1 holds for config.json too, and -v shows the same
 * slides. A field runb cannot honour yet is refused in one line that names it,
 * and the run never starts; a field the specification lets a runtime ignore
 * (annotations, unknown properties) is ignored.
 *
 *   III.1  JSON, as RFC 8259 defines it: a strict reader
 *          json_parse()                                   <- oci_read_config()
 *   III.2  config.json onto runb's command line
 *          oci_read_config()                              <- oci_engine()
 *   III.3  The container's life: create, start, state, kill, delete
 *          oci_state_make(), oci_created()                <- main()
 *          oci_wait_start()                               <- container_main()
 *          oci_state_read()                               <- oci_command_line()
 *   III.4  The OCI command line: runb-oci and its verbs
 *          oci_called(), oci_command_line()               <- main()
 *          oci_spec(), oci_features()                     <- oci_command_line()
 */

/* ------------------------------------------------------------------------ */
/* Part III.1: JSON, as RFC 8259 defines it: a strict reader                */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: JSON — replaces: the JSON library a Go runtime has built in
 *
 * The reader turns the whole text into a flat array of tokens, one per value,
 * in the order they appear; an object's or array's members follow it. Each
 * token knows how many tokens its value spans, so a reader skips a member in
 * one step. Nothing is decoded until it is asked for. The reader is strict:
 * no trailing comma, no comment, no leading zero, no control character or
 * invalid UTF-8 in a string, nothing after the value, and no deeper nesting
 * than JSON_DEPTH (a thousand nested arrays would otherwise exhaust the stack).
 * A bad byte is reported by its offset, and the run never starts.
 */
#define JSON_DEPTH 64
#define JSON_MAX_SIZE (4 << 20)   /* a docker config.json with its seccomp profile is ~40 KiB */

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };

struct json_token {
	enum json_type type;
	size_t start, end;      /* the value's text: a string's without its quotes */
	int members;            /* an array's elements, an object's key/value pairs */
	int span;               /* tokens this value takes, itself included */
};

struct json {
	const char *file;       /* for messages: the file the text came from */
	const char *text;
	size_t len, pos;
	struct json_token *tok;
	int n, cap;
};

static noreturn void json_fail(const struct json *j, const char *what)
{
	diex("%s: byte %zu: %s: not valid JSON (RFC 8259)", j->file, j->pos, what);
}

static void json_space(struct json *j)
{
	while (j->pos < j->len && j->text[j->pos] && strchr(" \t\r\n", j->text[j->pos]))
		j->pos++;
}

static int json_new_token(struct json *j, enum json_type type)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 256;
		j->tok = realloc(j->tok, j->cap * sizeof(*j->tok));
		if (!j->tok)
			die("%s: realloc", j->file);
	}
	j->tok[j->n] = (struct json_token){ .type = type, .start = j->pos, .span = 1 };
	return j->n++;
}

/* A string, from its opening quote. Escapes are checked here and decoded by json_decode(). */
static void json_string(struct json *j)
{
	int t = json_new_token(j, JSON_STRING);
	const unsigned char *s = (const unsigned char *)j->text;

	j->tok[t].start = ++j->pos;
	while (j->pos < j->len && s[j->pos] != '"') {
		size_t n = 1;

		if (s[j->pos] < 0x20)
			json_fail(j, "a control character in a string");
		if (s[j->pos] == '\\') {
			if (j->pos + 1 >= j->len || !s[j->pos + 1] || !strchr("\"\\/bfnrtu", s[j->pos + 1]))
				json_fail(j, "an unknown escape in a string");
			n = s[j->pos + 1] == 'u' ? 6 : 2;
			for (size_t i = 2; i < n; i++)
				if (j->pos + i >= j->len || !isxdigit(s[j->pos + i]))
					json_fail(j, "\\u without four hex digits");
		} else if (s[j->pos] >= 0x80 && !(n = utf8_len(s + j->pos))) {  /* Part II.9 */
			json_fail(j, "invalid UTF-8 in a string");
		}
		j->pos += n;
	}
	if (j->pos >= j->len)
		json_fail(j, "a string without its closing quote");
	j->tok[t].end = j->pos++;
}

/* A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static void json_number(struct json *j)
{
	int t = json_new_token(j, JSON_NUMBER);
	const char *s = j->text;
	size_t p = j->pos, digits;

	p += s[p] == '-';
	digits = strspn(s + p, "0123456789");
	if (digits == 0 || (s[p] == '0' && digits > 1))
		json_fail(j, "a number must start with one digit, or 0 alone");
	p += digits;
	if (p < j->len && s[p] == '.') {
		if (!(digits = strspn(s + ++p, "0123456789"))) {
			j->pos = p;
			json_fail(j, "no digit after a decimal point");
		}
		p += digits;
	}
	if (p < j->len && (s[p] == 'e' || s[p] == 'E')) {
		p += 1 + (s[p + 1] == '+' || s[p + 1] == '-');
		if (!(digits = strspn(s + p, "0123456789"))) {
			j->pos = p;
			json_fail(j, "no digit in an exponent");
		}
		p += digits;
	}
	j->pos = p;
	j->tok[t].end = p;
}

/* A scalar value whole, or the opening bracket of an array or object, whose token is
 * then left open for json_parse() to fill. Returns true for a bracket. */
static bool json_value_begin(struct json *j)
{
	static const struct { const char *word; enum json_type type; } words[] = {
		{ "null", JSON_NULL }, { "false", JSON_FALSE }, { "true", JSON_TRUE },
	};
	char c;

	json_space(j);
	if (j->pos >= j->len)
		json_fail(j, "the text ends where a value should be");
	c = j->text[j->pos];
	if (c == '{' || c == '[') {
		json_new_token(j, c == '{' ? JSON_OBJECT : JSON_ARRAY);
		j->pos++;
		return true;
	}
	if (c == '"')
		json_string(j);
	else if (c == '-' || isdigit((unsigned char)c))
		json_number(j);
	else {
		size_t i = 0;

		while (i < ARRAY_SIZE(words) &&
		       strncmp(j->text + j->pos, words[i].word, strlen(words[i].word)) != 0)
			i++;
		if (i == ARRAY_SIZE(words))
			json_fail(j, "not a value");
		json_new_token(j, words[i].type);
		j->pos += strlen(words[i].word);
		j->tok[j->n - 1].end = j->pos;
	}
	return false;
}

/* In an object, before each value: its key, a string, and a colon. */
static void json_key(struct json *j)
{
	json_space(j);
	if (j->pos >= j->len || j->text[j->pos] != '"')
		json_fail(j, "an object's key must be a string");
	json_string(j);
	json_space(j);
	if (j->pos >= j->len || j->text[j->pos] != ':')
		json_fail(j, "a ':' must follow an object's key");
	j->pos++;
}

/* Is the next byte C? Then take it. */
static bool json_take(struct json *j, char c)
{
	json_space(j);
	if (j->pos >= j->len || j->text[j->pos] != c)
		return false;
	j->pos++;
	return true;
}

/* Close the innermost open array or object: its end and its span are known now. */
static void json_close(struct json *j, const int open[], int *depth)
{
	struct json_token *t = &j->tok[open[--*depth]];

	t->end = j->pos;
	t->span = j->n - (int)(t - j->tok);
}

/* Parse the LEN bytes of TEXT, which came from FILE and ends with a NUL after them
 * (utf8_len() stops there), as one JSON value. The open
 * arrays and objects are on a stack of their own, not on the C stack, so nesting
 * has a limit of its own: JSON_DEPTH. */
static void json_parse(struct json *j, const char *file, const char *text, size_t len)
{
	int open[JSON_DEPTH], depth = 0;

	*j = (struct json){ .file = file, .text = text, .len = len };
	for (;;) {
		if (depth && j->tok[open[depth - 1]].type == JSON_OBJECT)
			json_key(j);
		if (json_value_begin(j)) {
			if (depth == JSON_DEPTH)
				json_fail(j, "nested deeper than 64");
			open[depth++] = j->n - 1;
			if (!json_take(j, j->tok[j->n - 1].type == JSON_OBJECT ? '}' : ']'))
				continue;       /* its first member comes next */
			json_close(j, open, &depth);
		}
		/* a value is complete: it is a member of the innermost open one, which may end */
		for (;;) {
			bool object;

			if (depth == 0) {
				json_space(j);
				if (j->pos != j->len)
					json_fail(j, "more after the value");
				return;
			}
			object = j->tok[open[depth - 1]].type == JSON_OBJECT;
			j->tok[open[depth - 1]].members++;
			if (json_take(j, ','))
				break;
			if (!json_take(j, object ? '}' : ']'))
				json_fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
			json_close(j, open, &depth);
		}
	}
}


/* The four hex digits at S, which json_string() checked (sscanf would take strlen of
 * the whole rest of the text, for each \u). */
static unsigned int json_hex4(const char *s)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 4 | (isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
	return v;
}

/* Write code point CP at O in UTF-8; return where the next goes. */
static char *utf8_put(char *o, unsigned int cp)
{
	int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };

	for (int i = n - 1; i > 0; i--, cp >>= 6)
		o[i] = 0x80 | (cp & 0x3f);
	o[0] = lead[n] | cp;
	return o + n;
}

/* The string token T, its escapes decoded, in a new buffer. \u0000 is refused, since
 * no C string can hold it; a \u surrogate must be half of a pair. */
static char *json_decode(const struct json *j, int t, const char *field)
{
	const struct json_token *k = &j->tok[t];
	char *out = malloc(k->end - k->start + 1), *o = out;

	if (!out)
		die("%s: malloc", field);
	for (size_t p = k->start; p < k->end; p++) {
		const char *s = j->text + p;
		unsigned int cp, lo;

		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		p++;
		if (s[1] != 'u') {
			*o++ = strchr("\"\\/", s[1]) ? s[1] : "\b\f\n\r\t"[strchr("bfnrt", s[1]) - "bfnrt"];
			continue;
		}
		cp = json_hex4(s + 2);
		p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && s[6] == '\\' && s[7] == 'u' &&
		    (lo = json_hex4(s + 8)) >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (cp >= 0xd800 && cp <= 0xdfff) {
			diex("config.json: %s: \\u%04x is half a surrogate pair", field, cp);
		}
		if (cp == 0)
			diex("config.json: %s: \\u0000: runb takes no NUL in a string", field);
		o = utf8_put(o, cp);
	}
	*o = '\0';
	return out;
}

/* The value of KEY in object OBJ, or -1 when OBJ has no such member. runc reads
 * config.json with Go's encoding/json, which decodes a key's escapes, matches a key to
 * a field ignoring case, and merges a key given twice. So that runb never reads another
 * field than runc would, a key that is KEY but for case, or that is given twice, is
 * refused. */
static int json_get(const struct json *j, int obj, const char *key)
{
	int found = -1, t = obj + 1;

	if (j->tok[obj].type != JSON_OBJECT)
		return -1;
	for (int m = 0; m < j->tok[obj].members; m++, t += 1 + j->tok[t + 1].span) {
		const struct json_token *k = &j->tok[t];
		size_t n = k->end - k->start;
		char *name = memchr(j->text + k->start, '\\', n) ? json_decode(j, t, "a key") : NULL;
		const char *s = name ? name : j->text + k->start;
		size_t len = name ? strlen(name) : n;

		if (len == strlen(key) && strncasecmp(s, key, len) == 0) {
			if (strncmp(s, key, len) != 0)
				diex("%s: key '%.*s': runb reads '%s' only as written (runc would read this "
				     "as '%s')", j->file, (int)len, s, key, key);
			if (found >= 0)
				diex("%s: key '%s' given twice in one object", j->file, key);
			found = t + 1;
		}
		free(name);
	}
	return found;
}

/* ------------------------------------------------------------------------ */
/* Part III.2: config.json onto runb's command line                         */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: config.json — replaces: runb's options, written as JSON
 *
 * Each field runb reads becomes the option that asks the same of the engine;
 * the table oci_fields[] lists them. A field's reader checks the JSON type
 * (a number where a string belongs is refused, naming the field), and the
 * option's own check in Part II.1 then judges the value, as on the command
 * line. Where runb departs from what the specification says, README says so.
 */
struct oci {
	struct json j;
	const char *bundle;     /* --bundle, absolute */
	char **argv;            /* the command line being built: runb OPTIONS ID ROOTFS ARGS */
	int argc, cap;
	char **args;            /* process.args */
	int n_args;
	char *rootfs;           /* root.path, made absolute */
	bool tty;               /* process.terminal */
	bool nnp;               /* process.noNewPrivileges; false when it is missing */
	bool net_joined;        /* linux.namespaces: the network one has a path (--net ns:PATH) */
	char *hooks;            /* hooks, as config.json's text, for create, start and delete */
	int n_hooks;
	const struct sock_fprog *profile;  /* linux.seccomp, compiled */
	char *seccomp;          /* linux.seccomp, as config.json's text, kept for exec */
};

/* Add "OPTION VALUE" (or OPTION alone when VALUE is NULL) to the command line. */
static void oci_opt(struct oci *o, const char *option, const char *value)
{
	if (o->argc + 3 > o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->argv = realloc(o->argv, o->cap * sizeof(*o->argv));
		if (!o->argv)
			die("config.json: realloc");
	}
	o->argv[o->argc++] = (char *)option;
	if (value)
		o->argv[o->argc++] = strdup(value);
	if (value && !o->argv[o->argc - 1])
		die("config.json: strdup");
}

/* FIELD's token T must be of TYPE (for a boolean, either). */
static void oci_want(const struct oci *o, int t, enum json_type type, const char *field)
{
	static const char *const names[] = { "null", "a boolean", "a boolean", "a number",
					     "a string", "an array", "an object" };
	enum json_type got = o->j.tok[t].type == JSON_TRUE ? JSON_FALSE : o->j.tok[t].type;

	if (got != (type == JSON_TRUE ? JSON_FALSE : type))
		diex("config.json: %s: expected %s, not %s", field, names[type], names[got]);
}

/* FIELD, a whole number from 0 to MAX. */
static unsigned long long oci_uint(const struct oci *o, int t, unsigned long long max,
				   const char *field)
{
	const struct json_token *k = &o->j.tok[t];
	unsigned long long v = 0;

	oci_want(o, t, JSON_NUMBER, field);
	for (size_t p = k->start; p < k->end; p++) {
		if (!isdigit((unsigned char)o->j.text[p]))
			diex("config.json: %s: expected a whole number from 0 to %llu", field, max);
		if ((unsigned)(o->j.text[p] - '0') > max || v > (max - (o->j.text[p] - '0')) / 10)
			diex("config.json: %s: larger than %llu", field, max);
		v = v * 10 + (o->j.text[p] - '0');
	}
	return v;
}

/* FIELD, a limit: -1 (no limit, returned as -1) or a whole number from 0 to MAX. */
static long long oci_limit(const struct oci *o, int t, long long max, const char *field)
{
	const struct json_token *k = &o->j.tok[t];

	if (k->type == JSON_NUMBER && k->end - k->start == 2 && !memcmp(o->j.text + k->start, "-1", 2))
		return -1;
	return oci_uint(o, t, max, field);
}

static char *oci_string(const struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_STRING, field);
	return json_decode(&o->j, t, field);
}

static bool oci_bool(const struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_TRUE, field);
	return o->j.tok[t].type == JSON_TRUE;
}

/* FIELD, an array of strings, as a NULL-terminated list. */
static char **oci_strings(const struct oci *o, int t, const char *field)
{
	char **v;

	oci_want(o, t, JSON_ARRAY, field);
	v = calloc(o->j.tok[t].members + 1, sizeof(*v));
	if (!v)
		die("%s: calloc", field);
	for (int i = 0, e = t + 1; i < o->j.tok[t].members; i++, e += o->j.tok[e].span)
		v[i] = oci_string(o, e, field);
	return v;
}

/* A field runb cannot honour yet: refused, unless it is empty (null, "", [], false, 0, or
 * an object of such). */
static bool oci_empty(const struct oci *o, int t)
{
	const struct json_token *k = &o->j.tok[t];

	if (k->type == JSON_OBJECT) {  /* {"weight": 0}, as docker writes blockIO: empty too */
		for (int i = 0, m = t + 1; i < k->members; i++, m += 1 + o->j.tok[m + 1].span)
			if (!oci_empty(o, m + 1))
				return false;
		return true;
	}
	return k->type == JSON_NULL || k->type == JSON_FALSE ||
	       (k->type == JSON_STRING && k->end == k->start) ||
	       (k->type == JSON_ARRAY && k->members == 0) ||
	       (k->type == JSON_NUMBER && k->end - k->start == 1 && o->j.text[k->start] == '0');
}

static void oci_unsupported(const struct oci *o, int t, const char *field, const char *why)
{
	if (!oci_empty(o, t))
		diex("config.json: %s: not supported by runb-oci: %s", field, why);
}

static void oci_root(struct oci *o, int t, const char *field)
{
	int path = json_get(&o->j, t, "path"), ro = json_get(&o->j, t, "readonly");
	char *p;

	oci_want(o, t, JSON_OBJECT, field);  /* else json_get() found nothing */
	if (path < 0)
		diex("config.json: root.path: missing");
	p = oci_string(o, path, "root.path");
	if (p[0] == '/')
		o->rootfs = p;
	else if (asprintf(&o->rootfs, "%s/%s", o->bundle, p) < 0)
		die("root.path: asprintf");
	if (ro >= 0 && oci_bool(o, ro, "root.readonly"))
		oci_opt(o, "--read-only", NULL);
}

static void oci_hostname(struct oci *o, int t, const char *field)
{
	char *name = oci_string(o, t, field);

	if (*name)  /* "": none asked for; runb's default, ID, stays */
		oci_opt(o, "--hostname", name);
}

/* process.user: uid and gid, additionalGids and umask. */
static void oci_user(struct oci *o, int t, const char *field)
{
	int uid = json_get(&o->j, t, "uid"), gid = json_get(&o->j, t, "gid"), x;
	char user[32], groups[32 * 11 + 1];

	oci_want(o, t, JSON_OBJECT, field);
	snprintf(user, sizeof(user), "%llu:%llu",
		 uid < 0 ? 0 : oci_uint(o, uid, UINT32_MAX - 1, "process.user.uid"),
		 gid < 0 ? 0 : oci_uint(o, gid, UINT32_MAX - 1, "process.user.gid"));
	oci_opt(o, "--user", user);
	groups[0] = '\0';  /* exactly additionalGids, none of ROOTFS's /etc/group, as runc */
	if ((x = json_get(&o->j, t, "additionalGids")) >= 0) {
		oci_want(o, x, JSON_ARRAY, "process.user.additionalGids");
		if (o->j.tok[x].members > 32)
			diex("config.json: process.user.additionalGids: more than 32 groups");
		for (int i = 0, g = x + 1, n = 0; i < o->j.tok[x].members; i++, g++)
			n += snprintf(groups + n, sizeof(groups) - n, "%s%llu", i ? "," : "",
				      oci_uint(o, g, UINT32_MAX - 1, "process.user.additionalGids[]"));
	}
	oci_opt(o, "--groups", groups);
	if ((x = json_get(&o->j, t, "umask")) >= 0) {
		snprintf(user, sizeof(user), "%llo", oci_uint(o, x, 0777, "process.user.umask"));
		oci_opt(o, "--umask", user);
	}
	if ((x = json_get(&o->j, t, "username")) >= 0)
		oci_unsupported(o, x, "process.user.username", "only on Windows");
}

/* process.capabilities: runb has one set, the bounding set. A root command gets it as
 * its effective and permitted sets, a non-root command none (Part I, slide 33), and
 * the inheritable and ambient sets stay empty. So effective and permitted must be
 * part of bounding, and inheritable and ambient empty. */
static uint64_t oci_cap_set(const struct oci *o, int t, const char *field)
{
	uint64_t set = 0;

	oci_want(o, t, JSON_ARRAY, field);
	for (int i = 0, e = t + 1; i < o->j.tok[t].members; i++, e += o->j.tok[e].span) {
		char name[64];
		char *cap = oci_string(o, e, field);
		size_t c = 0;

		snprintf(name, sizeof(name), "%s", strncasecmp(cap, "CAP_", 4) == 0 ? cap + 4 : cap);
		while (c < ARRAY_SIZE(cap_names) && strcasecmp(cap_names[c], name) != 0)
			c++;
		if (c == ARRAY_SIZE(cap_names))
			diex("config.json: %s: unknown capability '%s'", field, cap);
		set |= 1ULL << c;
		free(cap);
	}
	return set;
}

static void oci_capabilities(struct oci *o, int t, const char *field)
{
	static const char *const sets[] = { "effective", "permitted" };
	int b = json_get(&o->j, t, "bounding"), x;
	uint64_t bounding = 0;

	oci_want(o, t, JSON_OBJECT, field);
	if (b >= 0)
		bounding = oci_cap_set(o, b, "process.capabilities.bounding");
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		char f[64];

		snprintf(f, sizeof(f), "process.capabilities.%s", sets[i]);
		x = json_get(&o->j, t, sets[i]);
		if (x >= 0 && oci_cap_set(o, x, f) != bounding)
			diex("config.json: %s: not supported by runb-oci: other than the bounding set "
			     "(runb gives root the bounding set, and another user none)", f);
	}
	if ((x = json_get(&o->j, t, "inheritable")) >= 0)
		oci_unsupported(o, x, "process.capabilities.inheritable", "runb leaves it empty "
				"(CVE-2022-24769)");
	if ((x = json_get(&o->j, t, "ambient")) >= 0)
		oci_unsupported(o, x, "process.capabilities.ambient", "runb leaves it empty");
	for (int c = 0; c < 64; c++)
		if (bounding & (1ULL << c))
			oci_opt(o, "--cap-add", cap_names[c]);
}

/* A limit of process.rlimits as --ulimit writes it: 2^64 - 1 (RLIM_INFINITY) is unlimited. */
static const char *oci_rlim(const struct oci *o, int t, const char *field, char v[static 24])
{
	unsigned long long n = oci_uint(o, t, UINT64_MAX, field);

	if (n == RLIM_INFINITY)
		return "unlimited";
	snprintf(v, 24, "%llu", n);
	return v;
}

/* process.rlimits: [{"type": "RLIMIT_NOFILE", "soft": N, "hard": N}] as --ulimit. */
static void oci_rlimits(struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_ARRAY, field);
	for (int i = 0, r = t + 1; i < o->j.tok[t].members; i++, r += o->j.tok[r].span) {
		int type = json_get(&o->j, r, "type");
		int soft = json_get(&o->j, r, "soft"), hard = json_get(&o->j, r, "hard");
		char *name, limit[96], v[2][24];

		oci_want(o, r, JSON_OBJECT, "process.rlimits[]");
		if (type < 0 || soft < 0 || hard < 0)
			diex("config.json: process.rlimits[%d]: needs type, soft and hard", i);
		name = oci_string(o, type, "process.rlimits[].type");
		if (strncmp(name, "RLIMIT_", 7) != 0 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(name))
			diex("config.json: process.rlimits[%d].type: '%s' is no RLIMIT_ name", i, name);
		for (char *p = name; *p; p++)
			*p = tolower((unsigned char)*p);
		snprintf(limit, sizeof(limit), "%s=%s:%s", name + 7,
			 oci_rlim(o, soft, "process.rlimits[].soft", v[0]),
			 oci_rlim(o, hard, "process.rlimits[].hard", v[1]));
		oci_opt(o, "--ulimit", limit);
		free(name);
	}
}

/* linux.namespaces: runb makes new pid, uts, ipc, mount, cgroup and network
 * namespaces (slide 27), so each of the first four must be asked for, new. A new
 * network namespace is runb's --net none: only lo, as runc gives. */
/* linux.namespaces[].path: a network, IPC or UTS namespace to join, as runb's --net,
 * --ipc, --uts ns:PATH (Part II.2); the others runb makes itself. K is the index in
 * oci_namespaces()'s types[]. A joined UTS namespace keeps its host name, so config.json
 * may not ask for one, as runc refuses it. */
static void oci_join(struct oci *o, size_t k, int path)
{
	static const char *const option[] = { [1] = "--uts", [2] = "--ipc", [4] = "--net" };
	char *p, *v;
	int h;

	if (k >= ARRAY_SIZE(option) || !option[k]) {
		oci_unsupported(o, path, "linux.namespaces[].path", "runb joins a network, IPC or "
				"UTS namespace, and makes the others itself");
		return;
	}
	p = oci_string(o, path, "linux.namespaces[].path");
	if (p[0] != '/')
		diex("config.json: linux.namespaces[].path: '%s' is not absolute", p);
	if (asprintf(&v, "ns:%s", p) < 0)
		die("linux.namespaces[].path: asprintf");
	if (k == 1 && (h = json_get(&o->j, 0, "hostname")) >= 0 && !oci_empty(o, h))
		diex("config.json: hostname: a joined UTS namespace keeps its own host name");
	oci_opt(o, option[k], v);
	o->net_joined |= k == 4;
	free(v);
	free(p);
}

static void oci_namespaces(struct oci *o, int t, const char *field)
{
	static const char *const types[] = { "pid", "uts", "ipc", "mount", "network", "cgroup",
					     "user", "time" };
	unsigned int have = 0;
	size_t k;

	oci_want(o, t, JSON_ARRAY, field);
	for (int i = 0, ns = t + 1; i < o->j.tok[t].members; i++, ns += o->j.tok[ns].span) {
		int type, path;
		char *name;

		oci_want(o, ns, JSON_OBJECT, "linux.namespaces[]");
		if ((type = json_get(&o->j, ns, "type")) < 0)
			diex("config.json: linux.namespaces[%d].type: missing", i);
		name = oci_string(o, type, "linux.namespaces[].type");
		for (k = 0; k < ARRAY_SIZE(types) && strcmp(name, types[k]) != 0; k++)
			;
		if (k == ARRAY_SIZE(types))
			diex("config.json: linux.namespaces[%d].type: unknown '%s'", i, name);
		if (k >= 6)
			diex("config.json: linux.namespaces: not supported by runb-oci: a %s "
			     "namespace", name);
		if ((path = json_get(&o->j, ns, "path")) >= 0)
			oci_join(o, k, path);
		have |= 1u << k;
		free(name);
	}
	for (k = 0; k < 5; k++)  /* the cgroup namespace runb makes anyway (slide 28) */
		if (!(have & (1u << k)))
			diex("config.json: linux.namespaces: not supported by runb-oci: the host's "
			     "%s namespace (runb always makes a new one)", types[k]);
}

/* linux.resources: memory, cpu and pids as -m, --cpus and --pids. The device rules
 * may only deny: runb allows the slide's devices itself (Part II.4). */
/* A device rule of linux.resources.devices. runb's own allow-list (dev_allowed(),
 * Part II.4) is what the container may open, as runc adds its default devices to any
 * rules. So a rule that allows is taken when it names one of those devices (or
 * /dev/console, which runb gives as the pty), and a rule that denies when it names
 * none of them, or every device; any other rule would get less or more than asked. */
static void oci_device_rule(const struct oci *o, int rule, int i)
{
	int allow = json_get(&o->j, rule, "allow"), type = json_get(&o->j, rule, "type");
	int major = json_get(&o->j, rule, "major"), minor = json_get(&o->j, rule, "minor");
	struct dev_rule known[DEV_ALLOWED + 1];
	char field[64], *ty = NULL;
	long long ma = -1, mi = -1;
	bool allows, listed = false;

	snprintf(field, sizeof(field), "linux.resources.devices[%d]", i);
	oci_want(o, rule, JSON_OBJECT, field);
	if (allow < 0)
		diex("config.json: %s.allow: missing", field);
	allows = oci_bool(o, allow, field);
	if (type >= 0)
		ty = oci_string(o, type, field);
	if (major >= 0)
		ma = oci_limit(o, major, UINT32_MAX, field);
	if (minor >= 0)
		mi = oci_limit(o, minor, UINT32_MAX, field);
	if (!allows && (!ty || strcmp(ty, "a") == 0) && ma < 0 && mi < 0)
		return;  /* deny every device: runb's list alone is allowed */
	dev_allowed(known);
	known[DEV_ALLOWED] = (struct dev_rule){ 'c', 5, 1, "console" };
	for (size_t k = 0; k < ARRAY_SIZE(known); k++) {
		bool type_c = ty && strcmp(ty, "c") == 0;

		if (allows)  /* exactly a device of the list (-1: any minor, as pts/N) */
			listed |= type_c && ma == known[k].major && mi == known[k].minor;
		else         /* any device of the list among those it covers */
			listed |= (type_c || !ty || strcmp(ty, "a") == 0) &&
				  (ma < 0 || ma == known[k].major) &&
				  (mi < 0 || known[k].minor < 0 || mi == known[k].minor);
	}
	if (allows != listed)
		diex("config.json: %s: not supported by runb-oci: a rule that %s a device runb %s "
		     "(runb's list: null, zero, full, tty, random, urandom, ptmx, pts/N)", field,
		     allows ? "allows" : "denies", allows ? "does not allow" : "allows");
}

static void oci_resources(struct oci *o, int t, const char *field)
{
	int mem = json_get(&o->j, t, "memory"), cpu = json_get(&o->j, t, "cpu");
	int pids = json_get(&o->j, t, "pids"), dev = json_get(&o->j, t, "devices"), x;
	long long lim;
	char v[64];

	oci_want(o, t, JSON_OBJECT, field);
	if (mem >= 0)
		oci_want(o, mem, JSON_OBJECT, "linux.resources.memory");
	if (cpu >= 0)
		oci_want(o, cpu, JSON_OBJECT, "linux.resources.cpu");
	if (pids >= 0)
		oci_want(o, pids, JSON_OBJECT, "linux.resources.pids");
	if (dev >= 0)
		oci_want(o, dev, JSON_ARRAY, "linux.resources.devices");
	if (mem >= 0 && (x = json_get(&o->j, mem, "limit")) >= 0 &&
	    (lim = oci_limit(o, x, INT64_MAX, "linux.resources.memory.limit")) >= 0) {
		snprintf(v, sizeof(v), "%lld", lim);
		oci_opt(o, "--memory", v);
	}
	if (mem >= 0 && (x = json_get(&o->j, mem, "swap")) >= 0) {  /* memory and swap, as runc */
		snprintf(v, sizeof(v), "%lld", oci_limit(o, x, INT64_MAX, "linux.resources.memory.swap"));
		oci_opt(o, "--memory-swap", v);
	}
	if (cpu >= 0 && (x = json_get(&o->j, cpu, "quota")) >= 0 &&
	    (lim = oci_limit(o, x, 1LL << 40, "linux.resources.cpu.quota")) > 0) {
		int p = json_get(&o->j, cpu, "period");
		unsigned long long period = p < 0 ? CG_CPU_PERIOD :
					    oci_uint(o, p, 1000000, "linux.resources.cpu.period");

		if (period < 1000)
			diex("config.json: linux.resources.cpu.period: below 1000 µs");
		lim = lim * CG_CPU_PERIOD / period;
		snprintf(v, sizeof(v), "%lld.%05lld", lim / CG_CPU_PERIOD, lim % CG_CPU_PERIOD);
		oci_opt(o, "--cpus", v);
	}
	if (cpu >= 0 && (x = json_get(&o->j, cpu, "shares")) >= 0 &&
	    (lim = oci_uint(o, x, 262144, "linux.resources.cpu.shares")) > 0) {
		snprintf(v, sizeof(v), "%lld", lim);
		oci_opt(o, "--cpu-shares", v);
	}
	if (pids >= 0 && (x = json_get(&o->j, pids, "limit")) >= 0 &&
	    (lim = oci_limit(o, x, INT32_MAX, "linux.resources.pids.limit")) > 0) {
		snprintf(v, sizeof(v), "%lld", lim);
		oci_opt(o, "--pids", v);
	}
	for (int i = 0, rule = dev + 1; dev >= 0 && i < o->j.tok[dev].members;
	     i++, rule += o->j.tok[rule].span)
		oci_device_rule(o, rule, i);
}

/* linux.seccomp — replaces: libseccomp, which runc and crun compile profiles with
 *
 * The profile becomes a classic BPF program here, before anything is made, and
 * the child installs it after runb's own filter (seccomp_filters(), Part II.6),
 * so each call must pass both. The program checks the architecture, loads the
 * call's number, and tries the profile's rules in their order, each name of a
 * rule in turn: the first rule whose number and argument conditions match
 * gives its action; none gives defaultAction. An argument condition compares
 * the whole 64-bit argument, as two 32-bit words (BPF's width), high word
 * first. A name this architecture lacks is skipped, as libseccomp skips it.
 * Departures: only this build's architecture runs (runb's own filter kills
 * any other, and x32), and the actions are those the kernel has without a
 * listener: ALLOW, ERRNO, KILL (the thread), KILL_PROCESS, TRAP and LOG.
 */
static const char *const syscall_names[] = {  /* by number, as asm/unistd_64.h has them */
#if defined(__x86_64__)
	"read", "write", "open", "close", "stat", "fstat", "lstat", "poll", "lseek", "mmap",
	"mprotect", "munmap", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl",
	"pread64", "pwrite64", "readv", "writev", "access", "pipe", "select", "sched_yield",
	"mremap", "msync", "mincore", "madvise", "shmget", "shmat", "shmctl", "dup", "dup2",
	"pause", "nanosleep", "getitimer", "alarm", "setitimer", "getpid", "sendfile", "socket",
	"connect", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "bind",
	"listen", "getsockname", "getpeername", "socketpair", "setsockopt", "getsockopt", "clone",
	"fork", "vfork", "execve", "exit", "wait4", "kill", "uname", "semget", "semop", "semctl",
	"shmdt", "msgget", "msgsnd", "msgrcv", "msgctl", "fcntl", "flock", "fsync", "fdatasync",
	"truncate", "ftruncate", "getdents", "getcwd", "chdir", "fchdir", "rename", "mkdir",
	"rmdir", "creat", "link", "unlink", "symlink", "readlink", "chmod", "fchmod", "chown",
	"fchown", "lchown", "umask", "gettimeofday", "getrlimit", "getrusage", "sysinfo", "times",
	"ptrace", "getuid", "syslog", "getgid", "setuid", "setgid", "geteuid", "getegid",
	"setpgid", "getppid", "getpgrp", "setsid", "setreuid", "setregid", "getgroups",
	"setgroups", "setresuid", "getresuid", "setresgid", "getresgid", "getpgid", "setfsuid",
	"setfsgid", "getsid", "capget", "capset", "rt_sigpending", "rt_sigtimedwait",
	"rt_sigqueueinfo", "rt_sigsuspend", "sigaltstack", "utime", "mknod", "uselib",
	"personality", "ustat", "statfs", "fstatfs", "sysfs", "getpriority", "setpriority",
	"sched_setparam", "sched_getparam", "sched_setscheduler", "sched_getscheduler",
	"sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "mlock",
	"munlock", "mlockall", "munlockall", "vhangup", "modify_ldt", "pivot_root", "_sysctl",
	"prctl", "arch_prctl", "adjtimex", "setrlimit", "chroot", "sync", "acct", "settimeofday",
	"mount", "umount2", "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "iopl",
	"ioperm", "create_module", "init_module", "delete_module", "get_kernel_syms",
	"query_module", "quotactl", "nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall",
	"security", "gettid", "readahead", "setxattr", "lsetxattr", "fsetxattr", "getxattr",
	"lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr",
	"lremovexattr", "fremovexattr", "tkill", "time", "futex", "sched_setaffinity",
	"sched_getaffinity", "set_thread_area", "io_setup", "io_destroy", "io_getevents",
	"io_submit", "io_cancel", "get_thread_area", "lookup_dcookie", "epoll_create",
	"epoll_ctl_old", "epoll_wait_old", "remap_file_pages", "getdents64", "set_tid_address",
	"restart_syscall", "semtimedop", "fadvise64", "timer_create", "timer_settime",
	"timer_gettime", "timer_getoverrun", "timer_delete", "clock_settime", "clock_gettime",
	"clock_getres", "clock_nanosleep", "exit_group", "epoll_wait", "epoll_ctl", "tgkill",
	"utimes", "vserver", "mbind", "set_mempolicy", "get_mempolicy", "mq_open", "mq_unlink",
	"mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr", "kexec_load", "waitid",
	"add_key", "request_key", "keyctl", "ioprio_set", "ioprio_get", "inotify_init",
	"inotify_add_watch", "inotify_rm_watch", "migrate_pages", "openat", "mkdirat", "mknodat",
	"fchownat", "futimesat", "newfstatat", "unlinkat", "renameat", "linkat", "symlinkat",
	"readlinkat", "fchmodat", "faccessat", "pselect6", "ppoll", "unshare", "set_robust_list",
	"get_robust_list", "splice", "tee", "sync_file_range", "vmsplice", "move_pages",
	"utimensat", "epoll_pwait", "signalfd", "timerfd_create", "eventfd", "fallocate",
	"timerfd_settime", "timerfd_gettime", "accept4", "signalfd4", "eventfd2", "epoll_create1",
	"dup3", "pipe2", "inotify_init1", "preadv", "pwritev", "rt_tgsigqueueinfo",
	"perf_event_open", "recvmmsg", "fanotify_init", "fanotify_mark", "prlimit64",
	"name_to_handle_at", "open_by_handle_at", "clock_adjtime", "syncfs", "sendmmsg", "setns",
	"getcpu", "process_vm_readv", "process_vm_writev", "kcmp", "finit_module",
	"sched_setattr", "sched_getattr", "renameat2", "seccomp", "getrandom", "memfd_create",
	"kexec_file_load", "bpf", "execveat", "userfaultfd", "membarrier", "mlock2",
	"copy_file_range", "preadv2", "pwritev2", "pkey_mprotect", "pkey_alloc", "pkey_free",
	"statx", "io_pgetevents", "rseq", [424] = "pidfd_send_signal", "io_uring_setup",
	"io_uring_enter", "io_uring_register", "open_tree", "move_mount", "fsopen", "fsconfig",
	"fsmount", "fspick", "pidfd_open", "clone3", "close_range", "openat2", "pidfd_getfd",
	"faccessat2", "process_madvise", "epoll_pwait2", "mount_setattr", "quotactl_fd",
	"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "memfd_secret",
	"process_mrelease", "futex_waitv", "set_mempolicy_home_node",
#endif
};

static int syscall_number(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(syscall_names); i++)
		if (syscall_names[i] && strcmp(syscall_names[i], name) == 0)
			return i;
	return -1;
}

BPF_PROGRAM(profile_prog, struct sock_filter, BPF_MAXINSNS, "config.json's linux.seccomp")

#define PROFILE_FAIL 0xff  /* a jump to the rule's end, patched by profile_rule() */

/* An action of the profile, and for ERRNO its errno (ERR, or else DFLT), as BPF's return. */
static uint32_t oci_seccomp_action(const struct oci *o, int t, int err, uint32_t dflt,
				   const char *field)
{
	static const struct { const char *name; uint32_t ret; } actions[] = {
		{ "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW }, { "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO },
		{ "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD },
		{ "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD },
		{ "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS },
		{ "SCMP_ACT_TRAP", SECCOMP_RET_TRAP }, { "SCMP_ACT_LOG", SECCOMP_RET_LOG },
	};
	char *a = oci_string(o, t, field);

	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(a, actions[i].name) == 0)
			return actions[i].ret != SECCOMP_RET_ERRNO ? actions[i].ret : SECCOMP_RET_ERRNO |
			       (err >= 0 ? (uint32_t)oci_uint(o, err, SECCOMP_RET_DATA, field) : dflt);
	diex("config.json: %s: action '%s': not supported by runb-oci (ALLOW, ERRNO, KILL, "
	     "KILL_THREAD, KILL_PROCESS, TRAP, LOG)", field, a);
}

/* One argument condition, C of O: code that falls through when it holds, and jumps
 * to PROFILE_FAIL when it does not. A is clobbered. */
static void profile_condition(struct profile_prog *p, const struct oci *o, int c, const char *field)
{
	static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT",
		"SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ" };
	enum { EQ, NE, LT, LE, GT, GE, MASKED_EQ } op = 0;
	int index = json_get(&o->j, c, "index"), value = json_get(&o->j, c, "value");
	int two = json_get(&o->j, c, "valueTwo"), opt = json_get(&o->j, c, "op");
	unsigned long long v, v2;
	uint32_t lo, hi;
	char *name;

	oci_want(o, c, JSON_OBJECT, field);
	if (index < 0 || value < 0 || opt < 0)
		diex("config.json: %s: index, value and op are needed", field);
	name = oci_string(o, opt, field);
	while (op < ARRAY_SIZE(ops) && strcmp(name, ops[op]) != 0)
		op++;
	if (op == ARRAY_SIZE(ops))
		diex("config.json: %s: op '%s': not a libseccomp comparison", field, name);
	index = oci_uint(o, index, 5, field);
	lo = SECCOMP_ARG_LO(index);
	hi = lo + (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 4 : -4);
	v = oci_uint(o, value, ULLONG_MAX, field);
	v2 = two >= 0 ? oci_uint(o, two, ULLONG_MAX, field) : 0;
#define LD(off) profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off))
#define J(code, k, jt, jf) profile_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | (code) | BPF_K, k, jt, jf))
	switch (op) {
	case EQ:         /* hi == hv && lo == lv */
	case MASKED_EQ:  /* (hi & hv) == hv2 && (lo & lv) == lv2 */
		for (int w = 0; w < 2; w++) {
			unsigned long long want = op == EQ ? v : v2;

			LD(w ? lo : hi);
			if (op == MASKED_EQ)
				profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
										  (uint32_t)(w ? v : v >> 32)));
			J(BPF_JEQ, (uint32_t)(w ? want : want >> 32), 0, PROFILE_FAIL);
		}
		break;
	case NE:         /* hi != hv || lo != lv */
		LD(hi);
		J(BPF_JEQ, (uint32_t)(v >> 32), 0, 2);
		LD(lo);
		J(BPF_JEQ, (uint32_t)v, PROFILE_FAIL, 0);
		break;
	case GT:         /* hi > hv, or hi == hv and lo > lv (or >= for GE) */
	case GE:
		LD(hi);
		J(BPF_JGT, (uint32_t)(v >> 32), 3, 0);
		J(BPF_JEQ, (uint32_t)(v >> 32), 0, PROFILE_FAIL);
		LD(lo);
		J(op == GT ? BPF_JGT : BPF_JGE, (uint32_t)v, 0, PROFILE_FAIL);
		break;
	case LT:         /* hi < hv, or hi == hv and lo < lv (or <= for LE) */
	case LE:
		LD(hi);
		J(BPF_JGE, (uint32_t)(v >> 32), 0, 3);
		J(BPF_JEQ, (uint32_t)(v >> 32), 0, PROFILE_FAIL);
		LD(lo);
		J(op == LT ? BPF_JGE : BPF_JGT, (uint32_t)v, PROFILE_FAIL, 0);
		break;
	}
#undef LD
#undef J
}

/* One rule for call NR: "nr == NR ? (its conditions ? return RET : next) : next". The
 * conditions clobber A, so a rule with any reloads the number at its end. */
static void profile_rule(struct profile_prog *p, const struct oci *o, int nr, int args, uint32_t ret,
			 const char *field)
{
	unsigned int at = p->len, body;

	profile_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 0));
	for (int i = 0, c = args + 1; args >= 0 && i < o->j.tok[args].members; i++, c += o->j.tok[c].span)
		profile_condition(p, o, c, field);
	profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, ret));
	if (p->len > at + 2)
		profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
								  offsetof(struct seccomp_data, nr)));
	body = p->len - at - 1;
	if (body > 0xfe)
		diex("config.json: %s: too many conditions for one rule", field);
	p->ins[at].jf = body;  /* not this call: past the rule */
	for (unsigned int k = at + 1; k < p->len; k++) {  /* a condition failed: to the reload */
		if (BPF_CLASS(p->ins[k].code) != BPF_JMP)
			continue;
		if (p->ins[k].jt == PROFILE_FAIL)
			p->ins[k].jt = p->len - 1 - (k + 1);
		if (p->ins[k].jf == PROFILE_FAIL)
			p->ins[k].jf = p->len - 1 - (k + 1);
	}
}

/* linux.seccomp, compiled: the program the child installs (seccomp_filters()). */
static void oci_seccomp(struct oci *o, int t, const char *field)
{
	int dflt = json_get(&o->j, t, "defaultAction"), err = json_get(&o->j, t, "defaultErrnoRet");
	int rules = json_get(&o->j, t, "syscalls"), x;
	struct profile_prog *p = calloc(1, sizeof(*p));
	struct sock_fprog *prog = calloc(1, sizeof(*prog));
	uint32_t dflt_ret, dflt_errno;
	char name[64];

	oci_want(o, t, JSON_OBJECT, field);
	if (!p || !prog)
		die("%s: calloc", field);
	if (dflt < 0)
		diex("config.json: %s.defaultAction: missing", field);
	if (!ARRAY_SIZE(syscall_names))
		diex("config.json: %s: runb compiles profiles for x86_64 only", field);
	dflt_errno = err >= 0 ? (uint32_t)oci_uint(o, err, SECCOMP_RET_DATA, field) : EPERM;
	dflt_ret = oci_seccomp_action(o, dflt, err, EPERM, "linux.seccomp.defaultAction");
	for (const char *const *f = (const char *const[]){ "flags", "listenerPath", "listenerMetadata", NULL };
	     *f; f++)
		if ((x = json_get(&o->j, t, *f)) >= 0)
			oci_unsupported(o, x, *f, "runb's filter takes no flags and has no listener");
	profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, arch)));
	profile_prog_emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_AUDIT_ARCH, 1, 0));
	profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, nr)));
	if (rules >= 0)
		oci_want(o, rules, JSON_ARRAY, "linux.seccomp.syscalls");
	for (int i = 0, r = rules + 1; rules >= 0 && i < o->j.tok[rules].members; i++, r += o->j.tok[r].span) {
		int names = json_get(&o->j, r, "names"), action = json_get(&o->j, r, "action");
		int args = json_get(&o->j, r, "args");
		uint32_t ret;

		snprintf(name, sizeof(name), "linux.seccomp.syscalls[%d]", i);
		oci_want(o, r, JSON_OBJECT, name);
		if (names < 0 || action < 0)
			diex("config.json: %s: names and action are needed", name);
		ret = oci_seccomp_action(o, action, json_get(&o->j, r, "errnoRet"), dflt_errno, name);
		if (args >= 0)
			oci_want(o, args, JSON_ARRAY, name);
		oci_want(o, names, JSON_ARRAY, name);
		for (int n = 0, s = names + 1; n < o->j.tok[names].members; n++, s++) {
			char *call = oci_string(o, s, name);
			int nr = syscall_number(call);

			if (nr >= 0)
				profile_rule(p, o, nr, args, ret, name);
			free(call);
		}
	}
	profile_prog_emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, dflt_ret));
	prog->len = p->len;
	prog->filter = p->ins;
	o->profile = prog;
	o->seccomp = strndup(o->j.text + o->j.tok[t].start, o->j.tok[t].end - o->j.tok[t].start);
	if (!o->seccomp)
		die("%s: strndup", field);
}

/* hooks: each one checked here (oci_hook_check()); create, start and delete run them
 * (Part III.3), from the text kept in ROOT/ID/state.json. */
static void oci_hook_check(const struct oci *o, int h, const char *field)
{
	int path = json_get(&o->j, h, "path"), x;
	char *p;

	oci_want(o, h, JSON_OBJECT, field);
	if (path < 0 || (p = oci_string(o, path, field))[0] != '/')
		diex("config.json: %s.path: missing, or not absolute", field);
	free(p);
	if ((x = json_get(&o->j, h, "args")) >= 0)
		free(oci_strings(o, x, field));
	if ((x = json_get(&o->j, h, "env")) >= 0)
		free(oci_strings(o, x, field));
	if ((x = json_get(&o->j, h, "timeout")) >= 0 && oci_uint(o, x, 86400, field) == 0)
		diex("config.json: %s.timeout: 0; it must be above 0", field);
}

static const char *const oci_hook_kinds[] = { "prestart", "createRuntime", "createContainer",
					      "startContainer", "poststart", "poststop" };

static void oci_hooks(struct oci *o, int t, const char *field)
{
	const struct json_token *k = &o->j.tok[t];
	char name[64];
	int x;

	oci_want(o, t, JSON_OBJECT, field);
	for (size_t i = 0; i < ARRAY_SIZE(oci_hook_kinds); i++) {
		if ((x = json_get(&o->j, t, oci_hook_kinds[i])) < 0)
			continue;
		oci_want(o, x, JSON_ARRAY, field);
		for (int n = 0, h = x + 1; n < o->j.tok[x].members; n++, h += o->j.tok[h].span) {
			snprintf(name, sizeof(name), "hooks.%s[%d]", oci_hook_kinds[i], n);
			oci_hook_check(o, h, name);
		}
	}
	o->hooks = strndup(o->j.text + k->start, k->end - k->start);
	for (size_t i = 0; i < ARRAY_SIZE(oci_hook_kinds); i++)
		if ((x = json_get(&o->j, t, oci_hook_kinds[i])) >= 0)
			o->n_hooks += o->j.tok[x].members;
	if (!o->hooks)
		die("hooks: strndup");
}

/* linux.sysctl: each KEY: VALUE becomes --sysctl KEY=VALUE, which checks KEY. */
static void oci_sysctl(struct oci *o, int t, const char *field)
{
	char *kv;

	oci_want(o, t, JSON_OBJECT, field);
	for (int i = 0, k = t + 1; i < o->j.tok[t].members; i++, k += 1 + o->j.tok[k + 1].span) {
		char *key = json_decode(&o->j, k, field), *value = oci_string(o, k + 1, field);

		if (asprintf(&kv, "%s=%s", key, value) < 0)
			die("%s: asprintf", field);
		oci_opt(o, "--sysctl", kv);
	}
}

/* linux.cgroupsPath: read, and not followed. runb's cgroup is runb/ID, where runb's
 * own verbs, the crash sweep and delete find it (README: runb-oci). */
static void oci_cgroups_path(struct oci *o, int t, const char *field)
{
	free(oci_string(o, t, field));
}

/* maskedPaths and readonlyPaths: each must be one runb masks anyway (fs_masks[],
 * Part II.5), since runb masks no other. */
static void oci_masks(struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_ARRAY, field);
	for (int i = 0, e = t + 1; i < o->j.tok[t].members; i++, e += o->j.tok[e].span) {
		char *path = oci_string(o, e, field), full[PATH_MAX];
		size_t m = 0;

		for (; m < ARRAY_SIZE(fs_masks); m++) {
			snprintf(full, sizeof(full), "/%s/%s", fs_masks[m].fs, fs_masks[m].path);
			if (strcmp(full, path) == 0)
				break;
		}
		if (m == ARRAY_SIZE(fs_masks))
			diex("config.json: %s: not supported by runb-oci: %s (runb masks its own list, "
			     "README's)", field, path);
		free(path);
	}
}

/* Is OPT one of the comma-free words in the space-separated list WORDS? */
static bool oci_word_in(const char *opt, const char *words)
{
	size_t n = strlen(opt);

	for (const char *w = words; *w; w += strcspn(w, " "), w += *w == ' ')
		if (strcspn(w, " ") == n && strncmp(w, opt, n) == 0)
			return true;
	return false;
}

/* What mounts[I].options ask for: a bind, read-only, the words of mount_words[] (nosuid,
 * nodev, noexec), and a tmpfs's size= and mode=; runb's --volume and --tmpfs take them. */
struct oci_mount_opts {
	bool bind, ro, copyup;
	struct user_mount words;  /* its attr: mount_words[] as asked */
	char data[128];
};

/* Append to OUT (of SIZE bytes) the words of mount_words[] that ATTR holds, each after a
 * comma. */
static void oci_mount_words(unsigned attr, char *out, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_words); i++)
		if (attr & mount_words[i].attr)
			snprintf(out + strlen(out), size - strlen(out), ",%s", mount_words[i].word);
}

static void oci_mount_options(struct oci *o, int opts, int i, const char *d,
			      struct oci_mount_opts *mo)
{
	for (int k = 0, e = opts + 1; opts >= 0 && k < o->j.tok[opts].members;
	     k++, e += o->j.tok[e].span) {
		char *opt = oci_string(o, e, "mounts[].options");
		size_t used = strlen(mo->data);

		mo->bind |= oci_word_in(opt, "bind rbind");
		mo->ro |= strcmp(opt, "ro") == 0;
		mo->copyup |= strcmp(opt, "tmpcopyup") == 0;
		if (mount_word(&mo->words, opt))
			;
		else if ((strncmp(opt, "size=", 5) == 0 || strncmp(opt, "mode=", 5) == 0) &&
		    snprintf(mo->data + used, sizeof(mo->data) - used, "%s%s", used ? "," : "",
			     opt) >= (int)(sizeof(mo->data) - used))
			diex("config.json: mounts[%d].options: size= and mode= longer than %zu bytes",
			     i, sizeof(mo->data) - 1);
		else if (!oci_word_in(opt, "bind rbind ro rw private rprivate strictatime relatime "
				      "tmpcopyup") &&  /* atime: not a matter of safety */
			 strncmp(opt, "size=", 5) != 0 && strncmp(opt, "mode=", 5) != 0)
			diex("config.json: mounts[%d].options: not supported by runb-oci: '%s' on %s",
			     i, opt, d);
		free(opt);
	}
}

/* mounts[I]: what the slides mount (proc, /dev, /dev/pts, ...) is runb's own and is made
 * as Part I makes it; a bind is --volume, a tmpfs elsewhere --tmpfs. */
static void oci_mount(struct oci *o, int m, int i)
{
	int dst = json_get(&o->j, m, "destination"), type = json_get(&o->j, m, "type");
	int src = json_get(&o->j, m, "source"), opts = json_get(&o->j, m, "options"), x;
	char *d, *ty = type < 0 ? strdup("") : oci_string(o, type, "mounts[].type"), *s = NULL;
	char spec[PATH_MAX * 2 + 160], words[32] = "";
	int n;
	struct oci_mount_opts mo = { .bind = strcmp(ty, "bind") == 0 };

	oci_want(o, m, JSON_OBJECT, "mounts[]");
	if (dst < 0)
		diex("config.json: mounts[%d].destination: missing", i);
	d = oci_string(o, dst, "mounts[].destination");
	if (opts >= 0)
		oci_want(o, opts, JSON_ARRAY, "mounts[].options");
	for (size_t k = 0; k < ARRAY_SIZE(fs_mounts); k++)
		if (d[0] == '/' && strcmp(d + 1, fs_mounts[k].target) == 0 &&
		    strcmp(ty, fs_mounts[k].type) == 0)
			return;  /* Part I's own mount, with Part I's options */
	if (strcmp(d, "/sys/fs/cgroup") == 0 && strcmp(ty, "cgroup") == 0)
		return;  /* Part II.5's, read-only */
	if ((x = json_get(&o->j, m, "uidMappings")) >= 0 || (x = json_get(&o->j, m, "gidMappings")) >= 0)
		oci_unsupported(o, x, "mounts[].uidMappings", "runb makes no id-mapped mount");
	oci_mount_options(o, opts, i, d, &mo);
	if (mo.bind && src >= 0)
		s = oci_string(o, src, "mounts[].source");
	if (d[0] != '/' || strchr(d, ':') || (mo.bind && (!s || strchr(s, ':') ||
						   (s[0] != '/' && strchr(o->bundle, ':')))))
		diex("config.json: mounts[%d]: not supported by runb-oci: a bind needs a source, the "
		     "destination must be absolute, and no path may hold ':' (runb's --volume)", i);
	oci_mount_words(mo.bind ? mo.words.attr : mo.words.attr & MOUNT_ATTR_NOEXEC, words,
			sizeof(words));  /* a tmpfs is nosuid and nodev anyway */
	if (mo.copyup && !mo.bind)
		strcat(words, ",tmpcopyup");  /* 20 bytes at most before it: it fits */
	if (mo.bind)
		n = snprintf(spec, sizeof(spec), "%s%s%s:%s:%s%s", s[0] == '/' ? "" : o->bundle,
			     s[0] == '/' ? "" : "/", s, d, mo.ro ? "ro" : "rw", words);
	else if (strcmp(ty, "tmpfs") == 0 && !mo.ro)
		n = snprintf(spec, sizeof(spec), "%s%s%s%s", d, mo.data[0] || words[0] ? ":" : "",
			     mo.data, mo.data[0] ? words : words + (words[0] == ','));
	else
		diex("config.json: mounts[%d]: not supported by runb-oci: type '%s' on %s", i, ty, d);
	if (n < 0 || (size_t)n >= sizeof(spec))
		diex("config.json: mounts[%d]: a path longer than %d bytes", i, PATH_MAX - 1);
	oci_opt(o, mo.bind ? "--volume" : "--tmpfs", spec);
	free(s);
	free(ty);
	free(d);
}

static void oci_mounts(struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_ARRAY, field);
	for (int i = 0, e = t + 1; i < o->j.tok[t].members; i++, e += o->j.tok[e].span)
		oci_mount(o, e, i);
}

static void oci_args(struct oci *o, int t, const char *field)
{
	o->args = oci_strings(o, t, field);
	o->n_args = o->j.tok[t].members;
	if (o->n_args == 0)
		diex("config.json: process.args: empty: it needs the command to run");
}

static void oci_env(struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_ARRAY, field);
	for (int i = 0, e = t + 1; i < o->j.tok[t].members; i++, e += o->j.tok[e].span) {
		char *kv = oci_string(o, e, "process.env[]");

		if (!strchr(kv, '=') || kv[0] == '=')  /* runb's -e KEY would take runb's own */
			diex("config.json: process.env[%d]: '%s' is not KEY=VALUE", i, kv);
		oci_opt(o, "--env", kv);
	}
}

static void oci_cwd(struct oci *o, int t, const char *field)
{
	oci_opt(o, "--workdir", oci_string(o, t, field));
}

static void oci_terminal(struct oci *o, int t, const char *field)
{
	o->tty = oci_bool(o, t, field);
}

static void oci_nnp(struct oci *o, int t, const char *field)
{
	o->nnp = oci_bool(o, t, field);
}

/* process.oomScoreAdj: an integer, -1000 to 1000, which --oom-score-adj checks. */
static void oci_oom_score_adj(struct oci *o, int t, const char *field)
{
	const struct json_token *k = &o->j.tok[t];
	char *v;

	oci_want(o, t, JSON_NUMBER, field);
	v = strndup(o->j.text + k->start, k->end - k->start);
	if (!v)
		die("%s: strndup", field);
	if (strspn(v + (*v == '-'), "0123456789") != strlen(v + (*v == '-')) || strlen(v) > 5 ||
	    abs(atoi(v)) > 1000)
		diex("config.json: %s: expected a whole number from -1000 to 1000", field);
	oci_opt(o, "--oom-score-adj", v);
	free(v);
}

static void oci_version(struct oci *o, int t, const char *field)
{
	char *v = oci_string(o, t, field);

	if (strncmp(v, "1.", 2) != 0)
		diex("config.json: ociVersion: '%s': runb-oci reads version 1 of the specification", v);
	free(v);
}

/* An object that holds fields runb reads (process, linux, ...). */
static void oci_object(struct oci *o, int t, const char *field)
{
	oci_want(o, t, JSON_OBJECT, field);
}

/* The fields runb reads, by their path in config.json, each with its reader. An
 * object comes before its fields, so that its type is checked first. A field that
 * neither this table nor the next names is ignored, as the specification asks of a
 * runtime. */
static const struct { const char *path; void (*read)(struct oci *o, int t, const char *field); }
oci_fields[] = {
	{ "ociVersion", oci_version },
	{ "root", oci_root },
	{ "hostname", oci_hostname },
	{ "process", oci_object },
	{ "process.args", oci_args },
	{ "process.env", oci_env },
	{ "process.cwd", oci_cwd },
	{ "process.terminal", oci_terminal },
	{ "process.user", oci_user },
	{ "process.capabilities", oci_capabilities },
	{ "process.rlimits", oci_rlimits },
	{ "process.noNewPrivileges", oci_nnp },
	{ "process.oomScoreAdj", oci_oom_score_adj },
	{ "mounts", oci_mounts },
	{ "linux", oci_object },
	{ "linux.namespaces", oci_namespaces },
	{ "linux.resources", oci_resources },
	{ "linux.maskedPaths", oci_masks },
	{ "linux.sysctl", oci_sysctl },
	{ "hooks", oci_hooks },
	{ "linux.seccomp", oci_seccomp },
	{ "linux.cgroupsPath", oci_cgroups_path },
	{ "linux.readonlyPaths", oci_masks },
};

/* The fields runb cannot honour yet, each with the reason: refused unless empty. */
static const struct { const char *path, *why; } oci_unsupported_fields[] = {
	{ "process.apparmorProfile", "runb has no AppArmor profiles" },
	{ "process.selinuxLabel", "runb has no SELinux labels" },
	{ "process.ioPriority", "runb sets no I/O priority" },
	{ "process.scheduler", "runb sets no scheduler" },
	{ "linux.uidMappings", "runb makes no user namespace" },
	{ "linux.gidMappings", "runb makes no user namespace" },
	{ "linux.devices", "runb makes the slide's devices only" },
	{ "linux.rootfsPropagation", "runb's root is private" },
	{ "linux.mountLabel", "runb has no SELinux labels" },
	{ "linux.intelRdt", "runb has no RDT" },
	{ "linux.personality", "runb sets no personality" },
	{ "linux.timeOffsets", "runb makes no time namespace" },
	{ "linux.resources.memory.reservation", "runb sets no soft memory limit" },
	{ "linux.resources.memory.kernel", "runb sets no kernel memory limit" },
	{ "linux.resources.memory.swappiness", "runb leaves swappiness as it is" },
	{ "linux.resources.cpu.cpus", "runb pins no CPUs" },
	{ "linux.resources.cpu.mems", "runb pins no memory nodes" },
	{ "linux.resources.cpu.realtimeRuntime", "runb sets no real-time budget" },
	{ "linux.resources.blockIO", "runb sets no I/O limits" },
	{ "linux.resources.cpu.idle", "runb sets no idle policy" },
	{ "linux.resources.cpu.burst", "runb sets no CPU burst" },
	{ "linux.resources.memory.disableOOMKiller", "the OOM killer stays on" },
	{ "linux.resources.memory.checkBeforeUpdate", "runb updates no limit" },
	{ "linux.netDevices", "runb moves no network device" },
	{ "process.execCPUAffinity", "runb pins no CPUs" },
	{ "linux.resources.hugepageLimits", "runb sets no huge page limits" },
	{ "linux.resources.network", "runb sets no network classes" },
	{ "linux.resources.rdma", "runb sets no RDMA limits" },
	{ "linux.resources.unified", "runb writes no cgroup v2 files it does not know" },
	{ "hooks.createContainer", "runb runs no hook inside the container before its root switch" },
	{ "hooks.startContainer", "runb runs no hook inside the container" },
	{ "domainname", "runb sets no NIS domain name" },
};

/* The value at PATH ("linux.resources"), or -1 when a part of it is missing. */
static int oci_lookup(const struct oci *o, const char *path)
{
	char key[64];
	int t = 0;

	for (const char *p = path; t >= 0 && *p; p += strcspn(p, ".") + (p[strcspn(p, ".")] == '.')) {
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(p, "."), p);
		t = json_get(&o->j, t, key);
	}
	return t;
}

/* Read each field of oci_fields[] that config.json has, and refuse each of
 * oci_unsupported_fields[] that it has and is not empty. */
static void oci_read_fields(struct oci *o)
{
	int t;

	oci_want(o, 0, JSON_OBJECT, "the top level");
	for (size_t i = 0; i < ARRAY_SIZE(oci_fields); i++)
		if ((t = oci_lookup(o, oci_fields[i].path)) >= 0)
			oci_fields[i].read(o, t, oci_fields[i].path);
	for (size_t i = 0; i < ARRAY_SIZE(oci_unsupported_fields); i++)
		if ((t = oci_lookup(o, oci_unsupported_fields[i].path)) >= 0)
			oci_unsupported(o, t, oci_unsupported_fields[i].path, oci_unsupported_fields[i].why);
}

/* Read a small regular file whole, NUL-terminated; its length into *LEN. */
static char *read_small_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);  /* a FIFO would block */
	struct stat st;
	ssize_t got;
	char *text;

	if (fd < 0 || fstat(fd, &st) < 0)
		die("open %s", path);
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		diex("%s: not a regular file of at most %zu bytes", path, max);
	text = malloc(st.st_size + 1);
	if (!text || (got = read(fd, text, st.st_size)) < 0)
		die("read %s", path);
	if (got != st.st_size)
		diex("read %s: it changed while runb read it", path);
	text[got] = '\0';
	close(fd);
	*len = got;
	return text;
}

/* Read BUNDLE/config.json whole and turn it into runb's command line for ID, in O. */
static void oci_read_config(struct oci *o, const char *id)
{
	char path[PATH_MAX], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/config.json", o->bundle);
	text = read_small_file(path, JSON_MAX_SIZE, &len);
	json_parse(&o->j, "config.json", text, len);
	oci_opt(o, "--cap-drop", "ALL");  /* no process.capabilities: none at all */
	oci_opt(o, "--pids", "0");        /* no pids.limit (or 0, or -1): none, as runc reads it */
	oci_read_fields(o);
	if (oci_lookup(o, "root") < 0 || oci_lookup(o, "process.args") < 0)
		diex("config.json: root.path and process.args: missing");
	if (oci_lookup(o, "linux.namespaces") < 0)
		diex("config.json: linux.namespaces: missing (runb makes new pid, uts, ipc and "
		     "mount namespaces, and these must be asked for)");
	if (!o->nnp)
		oci_opt(o, "--security-opt", "no-new-privileges=false");
	if (!o->net_joined)
		oci_opt(o, "--net", "none");  /* a new network namespace: lo only, as runc gives */
	oci_opt(o, o->tty ? "--tty" : "--no-tty", NULL);
	oci_opt(o, "--", NULL);
	oci_opt(o, id, NULL);
	oci_opt(o, o->rootfs, NULL);
	for (int i = 0; i < o->n_args; i++)
		oci_opt(o, o->args[i], NULL);
	o->argv[o->argc] = NULL;
}

/* runb-oci exec --process FILE: a process object, as config.json's process is, read by
 * the same rows of oci_fields[] (and refused by the same rows of the other table) into
 * the runb options for ID's new process. */
static void oci_read_process(struct oci *o, const char *path, const char *id)
{
	size_t len, n = strlen("process.");
	char *text = read_small_file(path, JSON_MAX_SIZE, &len), *doc;
	int t;

	if (asprintf(&doc, "{\"process\":%s}", text) < 0)
		die("%s: asprintf", path);
	free(text);
	json_parse(&o->j, path, doc, strlen(doc));
	oci_opt(o, "runb", NULL);
	oci_opt(o, "--cap-drop", "ALL");
	for (size_t i = 0; i < ARRAY_SIZE(oci_fields); i++)
		if (strncmp(oci_fields[i].path, "process.", n) == 0 &&
		    (t = oci_lookup(o, oci_fields[i].path)) >= 0)
			oci_fields[i].read(o, t, oci_fields[i].path);
	for (size_t i = 0; i < ARRAY_SIZE(oci_unsupported_fields); i++)
		if (strncmp(oci_unsupported_fields[i].path, "process.", n) == 0 &&
		    (t = oci_lookup(o, oci_unsupported_fields[i].path)) >= 0)
			oci_unsupported(o, t, oci_unsupported_fields[i].path, oci_unsupported_fields[i].why);
	if (oci_lookup(o, "process.args") < 0)
		diex("%s: args: missing", path);
	if (!o->nnp)
		oci_opt(o, "--security-opt", "no-new-privileges=false");
	oci_opt(o, o->tty ? "--tty" : "--no-tty", NULL);
	oci_opt(o, "--", NULL);
	oci_opt(o, id, NULL);
	oci_opt(o, "/", NULL);  /* parse_args() wants a ROOTFS; exec enters the container's own */
	for (int i = 0; i < o->n_args; i++)
		oci_opt(o, o->args[i], NULL);
	o->argv[o->argc] = NULL;
}

/* ------------------------------------------------------------------------ */
/* Part III.3: The container's life: create, start, state, kill, delete   */
/* ------------------------------------------------------------------------ */

/* Beyond the slides: a container in two calls — replaces: runb NAME ROOTFS, in one
 *
 * Docker (through containerd's shim), podman (through conmon) and containerd
 * start a container in two calls, and supervise it themselves:
 *   - create does all that runb NAME ROOTFS does, up to the exec. The first
 *     process then waits on ROOT/ID/exec.fifo, a FIFO it holds open for
 *     reading and writing, so its read blocks until a byte comes (runc's
 *     exec.fifo, read the other way round). create writes the pid file and
 *     exits. The caller made itself a child subreaper, so the waiting
 *     process becomes its child, and the caller waits for it.
 *   - start writes that byte. The process reads it, and execs; start returns
 *     once the exec has closed the process's end (oci_wait_exec). If the
 *     process is gone, the FIFO has no reader, and start's open fails with
 *     ENXIO.
 *   - state, kill, exec and delete find the process again by its PID,
 *     checked against its PID namespace's inode and its start time. So a
 *     reused PID never names another process.
 *   - delete unwinds what create made on the host: the same ledger entries
 *     the crash sweep unwinds for a dead run, and ROOT/ID.
 * No runb process stays: no supervisor, no watcher, no record. While it waits,
 * the first process holds only what runb NAME ROOTFS's does at its exec, plus
 * the FIFO, which its exec closes. It is runb's code, not dumpable, and no
 * process of the container exists yet.
 *
 * The callers read runb's errors in the --log file: with --log-format json,
 * containerd takes the last {"level":"error","msg":...} line. runb's lines go
 * there through a pipe to a small process of its own, which writes each as
 * such a line and ends when the last writer closes the pipe. The caller's own
 * stderr is the container's: the child puts it back before it waits.
 */
#define OCI_ROOT "/run/runb-oci"   /* --root's default, as runc's is /run/runc */

enum oci_status { OCI_CREATED, OCI_RUNNING, OCI_STOPPED, OCI_PAUSED };
static const char *const oci_status_names[] = { "created", "running", "stopped", "paused" };

/* The time now, as RFC 3339 with nanoseconds, in UTC, as runc's state shows it. */
static void oci_time_now(char out[static 40])
{
	struct timespec t;
	struct tm tm;
	char s[24];

	clock_gettime(CLOCK_REALTIME, &t);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t.tv_sec, &tm));
	snprintf(out, 40, "%s.%09ldZ", s, t.tv_nsec);
}

/* The lines runb writes on stderr, as JSON lines in LOG; the pipe's reading end is IN.
 * A line of runb's own ("runb: ...") is an error, or a warning when it says so; a -v
 * line is "debug". */
static noreturn void oci_log_writer(int in, int log)
{
	const int keep[] = { in, log };
	char *line = NULL, *buf = NULL, now[40];
	size_t cap = 0, size;
	ssize_t n;
	FILE *f, *out;

	fds_keep_only(keep, ARRAY_SIZE(keep));
	f = fdopen(in, "r");
	while (f && (n = getline(&line, &cap, f)) > 0) {
		bool own = strncmp(line, "runb: ", 6) == 0;
		const char *level = !own ? "debug" : strncmp(line + 6, "warning", 7) ? "error" : "warning";

		line[n - (line[n - 1] == '\n')] = '\0';
		oci_time_now(now);
		out = open_memstream(&buf, &size);
		if (!out)
			_exit(1);
		fprintf(out, "{\"level\":\"%s\",\"msg\":", level);
		json_str(out, own ? line + 6 : line);
		fprintf(out, ",\"time\":\"%s\"}\n", now);
		fclose(out);
		if (write(log, buf, size) < 0)
			_exit(1);
		free(buf);
	}
	_exit(0);
}

/* An on_exit(3) handler of runb-oci's with --log-format json: close runb's end of the
 * pipe, and wait (a second at most) until the writer has put every line in the log,
 * so the caller that reads it on runb-oci's exit finds them there. */
struct log_writer_pid {
	pid_t owner, writer;    /* runb-oci, and its writer: only the owner waits */
};

static void oci_log_flush(int status, void *arg)
{
	const struct log_writer_pid *w = arg;
	struct pollfd p = { .fd = -1, .events = POLLIN };

	(void)status;
	if (getpid() != w->owner)
		return;  /* a child of runb-oci's, which inherited the handler */
	close(STDERR_FILENO);
	p.fd = sys_pidfd_open(w->writer);
	if (p.fd >= 0 && poll(&p, 1, 1000) == 1)
		waitpid(w->writer, NULL, 0);
}

/* --log FILE: from here on runb's own lines go into FILE, as they are (text) or
 * through oci_log_writer() (json). Returns a copy of the caller's stderr, for the
 * container. */
static int oci_log_open(const char *path, bool json)
{
	int log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC, 0600);
	int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3), p[2];
	struct log_writer_pid *w;
	pid_t pid;

	if (log < 0 || saved < 0)
		die("--log %s", path);
	if (json) {
		if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0)
			die("--log-format json: a pipe and a process to write %s", path);
		if (pid == 0)
			oci_log_writer(p[0], log);
		if (!(w = malloc(sizeof(*w))))
			die("--log: malloc");
		*w = (struct log_writer_pid){ .owner = getpid(), .writer = pid };
		if (on_exit(oci_log_flush, w) != 0)
			diex("on_exit: cannot register the log's flush");
		close(p[0]);
		close(log);
		log = p[1];
	}
	if (dup2(log, STDERR_FILENO) < 0)
		die("--log %s: dup2", path);
	close(log);
	return saved;
}

/* mkdir -p PATH, 0700 for what it makes, as runc does for its --root. */
static void mkdir_p(const char *path)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char was = *p;

		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			die("--root: mkdir %s", dir);
		if (!(*p = was))
			break;
	}
}

/* Make ROOT/ID, and its exec.fifo, which the child keeps open until start. A second
 * create of ID fails here. The ledger removes ROOT/ID if create fails after this. */
static void oci_state_make(struct oci_run *r, struct ledger *led)
{
	char fifo[PATH_MAX];

	if (mkdir(r->dir, 0700) < 0)
		errno == EEXIST ? diex("create: container %s already exists", r->id)
				: die("create: mkdir %s", r->dir);
	led->oci_state = r->dir;
	ledger_add(led, MADE_OCI_STATE);
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", r->dir);
	if (mkfifo(fifo, 0600) < 0)
		die("create: mkfifo %s", fifo);
	r->start_fd = open(fifo, O_RDWR | O_CLOEXEC);  /* O_RDWR: never blocks, never EOF */
	if (r->start_fd < 0)
		die("create: open %s", fifo);
}

/* In the child, the last step before the exec: tell runb it is set up, give the
 * container the caller's stderr, and wait for runb-oci start's byte. */
static void oci_wait_start(const struct config *cfg, int report)
{
	const struct oci_run *r = cfg->oci;
	char c;
	ssize_t n;

	trace(cfg->tr, 0, "(runb-oci create: wait for start)", "read(ROOT/ID/exec.fifo)");
	trace_flush(cfg->tr);
	if (write(report, "W", 1) != 1)
		die("create: tell runb the container is set up");
	close(report);
	if (r->stderr_fd >= 0 && !cfg->tty && dup2(r->stderr_fd, STDERR_FILENO) < 0)
		die("create: the caller's stderr as the container's");
	if (r->stderr_fd >= 0) {
		close(r->stderr_fd);
		cfg->tr->verbose = cfg->tr->timings = false;  /* the rest of -v is the log's, not the container's */
	}
	do
		n = read(r->start_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die("create: wait for start: read exec.fifo");
	close(r->start_fd);
}

/* --console-socket: send the pty's master, which the child sent over SOCK, to the
 * caller's socket at PATH, as runc does (SCM_RIGHTS). runb keeps no copy. */
static void oci_console_send(const char *path, int sock)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct iovec iov = { .iov_base = "/dev/ptmx", .iov_len = 9 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int master = pty_receive_master(sock), fd;

	if (master < 0)
		return;  /* the child failed; its report says so */
	if (strlen(path) >= sizeof(to.sun_path))
		diex("--console-socket %s: longer than %zu bytes", path, sizeof(to.sun_path) - 1);
	strcpy(to.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		die("--console-socket %s: connect", path);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(fd, &msg, 0) < 0)
		die("--console-socket %s: send the pty's master", path);
	close(fd);
	close(master);
}

/* PATH made absolute against the current directory. */
static const char *oci_absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return path;
	if (!getcwd(cwd, sizeof(cwd)))
		die("%s: getcwd", path);
	if (asprintf(&abs, "%s%s%s", cwd, strcmp(path, ".") ? "/" : "",
		     strcmp(path, ".") ? path : "") < 0)
		die("%s: asprintf", path);
	return abs;
}

/* FILE (state.json, the pid file) written whole, then renamed over the old one. */
static void oci_write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die("create: open %s", tmp);
	write_fd(fd, tmp, text);
	if (close(fd) < 0 || rename(tmp, path) < 0)
		die("create: write %s", path);
}

/* When process PID started, in clock ticks since boot (field 22 of /proc/PID/stat);
 * 0 when it is gone. With its PID namespace's inode, it tells a reused PID, as runc's
 * state tells it: both numbers alone can come round again. */
static unsigned long long proc_start_time(pid_t pid, char *state)
{
	char path[64], line[1024], *p;
	unsigned long long t = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) &&
	    sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu", state, &t) != 2)
		t = 0;
	fclose(f);
	return t;
}

/* ROOT/ID/state.json: the specification's state, less its status, which state
 * finds each time, plus the PID namespace's inode and the start time, which tell a
 * reused PID. */
static void oci_state_write(const struct oci_run *r, pid_t pid)
{
	char path[PATH_MAX], now[40], ns[64], *text = NULL;
	struct stat st;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	char state;
	unsigned long long started = proc_start_time(pid, &state);

	snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", (int)pid);
	if (!f || stat(ns, &st) < 0 || !started)
		die("create: stat %s", ns);
	oci_time_now(now);
	fprintf(f, "{\"ociVersion\":\"1.0.2\",\"id\":\"%s\",\"pid\":%d,\"pidns\":%llu,"
		"\"started\":%llu,\"bundle\":", r->id, (int)pid, (unsigned long long)st.st_ino, started);
	json_str(f, r->bundle);
	fprintf(f, ",\"created\":\"%s\",\"hooks\":%s,\"seccomp\":%s}\n", now, r->hooks ? r->hooks : "{}",
		r->seccomp ? r->seccomp : "null");
	if (fclose(f) != 0)
		die("create: state.json");
	snprintf(path, sizeof(path), "%s/state.json", r->dir);
	oci_write_file(path, text);
	free(text);
}

/* Beyond the slides: hooks — replaces: nothing (docker sets its network up in one)
 *
 * config.json may name programs to run at points of the container's life, each
 * given the container's state (runb-oci state's JSON) on its stdin:
 * prestart and createRuntime once create has set the container up, poststart
 * after start, poststop after delete. Docker's network set-up,
 * libnetwork-setkey, is a prestart hook. A failed prestart or createRuntime
 * hook fails create; a failed poststart or poststop hook is a warning, as the
 * specification asks. A hook runs on the host, as runb-oci's child, with
 * nothing of runb's but stderr (its stdout goes there too), and its timeout is
 * kept with a pidfd. Departure: runc runs prestart and createRuntime just
 * before the root switch, runb just after it, while the first process waits.
 */

/* The state, as runb-oci state prints it and as a hook reads it. */
static void oci_state_json(FILE *f, const char *id, enum oci_status st, pid_t pid,
			   const char *bundle, const char *created)
{
	fprintf(f, "{\n  \"ociVersion\": \"1.0.2\",\n  \"id\": \"%s\",\n  \"status\": \"%s\",\n"
		"  \"pid\": %d,\n  \"bundle\": ", id, oci_status_names[st], st == OCI_STOPPED ? 0 : (int)pid);
	json_str(f, bundle);
	if (created) {
		fprintf(f, ",\n  \"created\": ");
		json_str(f, created);
	}
	fprintf(f, "\n}\n");
}

/* Wait for hook PID, at most TIMEOUT seconds (0: no limit). Return its status, or -1
 * when it ran out of time and was killed. */
static int oci_hook_wait(pid_t pid, unsigned long long timeout)
{
	struct pollfd p = { .fd = sys_pidfd_open(pid), .events = POLLIN };
	int wstatus, n = 1;

	if (p.fd < 0)
		die("hook: pidfd_open %d", pid);
	if (timeout)
		do
			n = poll(&p, 1, timeout * 1000);
		while (n < 0 && errno == EINTR);
	if (n == 0)
		sys_pidfd_send_signal(p.fd, SIGKILL);
	close(p.fd);
	if (waitpid(pid, &wstatus, 0) < 0)
		die("hook: wait for %d", pid);
	return n == 0 ? -1 : exit_status(wstatus);
}

/* Run hook H of O, FIELD, with STATE on its stdin. Return its status, or -1 for a
 * timeout. */
static int oci_hook_run(const struct oci *o, int h, const char *field, const char *state,
			const char *bundle)
{
	int x = json_get(&o->j, h, "path"), sv[2];
	char *path = oci_string(o, x, field), *none[] = { NULL }, *argv0[] = { path, NULL }, **argv, **env;
	unsigned long long timeout = (x = json_get(&o->j, h, "timeout")) >= 0 ?
				     oci_uint(o, x, 86400, field) : 0;
	pid_t pid;

	argv = (x = json_get(&o->j, h, "args")) >= 0 ? oci_strings(o, x, field) : argv0;
	env = (x = json_get(&o->j, h, "env")) >= 0 ? oci_strings(o, x, field) : none;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || (pid = fork()) < 0)
		die("%s: a socket and a process for %s", field, path);
	if (pid == 0) {
		const int keep[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };

		if (dup2(sv[1], STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			die("%s: its stdin and stdout", field);
		if (chdir(bundle) < 0)  /* as runc's: never ROOTFS, which the image controls */
			die("%s: cd %s", field, bundle);
		fds_keep_only(keep, ARRAY_SIZE(keep));
		signals_default();
		execve(path, argv[0] ? argv : argv0, env);
		die("%s: exec %s", field, path);
	}
	close(sv[1]);
	if (send(sv[0], state, strlen(state), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		warn("%s: write the state to %s", field, path);
	close(sv[0]);
	return oci_hook_wait(pid, timeout);
}

/* Run the hooks of KIND in HOOKS (a token of O), in order, with the state ST of the
 * container R. A failure ends create when FATAL, and is a warning otherwise. */
static void oci_hooks_run(const struct oci *o, int hooks, const char *kind, const char *id,
			  enum oci_status st, pid_t pid, const char *bundle, bool fatal)
{
	int list = hooks >= 0 ? json_get(&o->j, hooks, kind) : -1, status;
	char field[64], *state = NULL;
	size_t size;
	FILE *f;

	if (list < 0 || o->j.tok[list].members == 0)
		return;
	if (!(f = open_memstream(&state, &size)))
		die("hooks: open_memstream");
	oci_state_json(f, id, st, pid, bundle, NULL);
	if (fclose(f) != 0)
		die("hooks: the state");
	for (int n = 0, h = list + 1; n < o->j.tok[list].members; n++, h += o->j.tok[h].span) {
		snprintf(field, sizeof(field), "hooks.%s[%d]", kind, n);
		status = oci_hook_run(o, h, field, state, bundle);
		if (status != 0 && fatal)
			diex("%s: %s", field, status < 0 ? "ran out of time, killed" : "failed");
		if (status != 0)
			warn("warning: %s: %s (status %d)", field, status < 0 ? "ran out of time" : "failed",
			     status);
	}
	free(state);
}

/* Keep only the lock in the ledger: what create made is delete's to remove now. The
 * lock file goes at exit, so the crash sweep never takes the container for a dead run. */
static void ledger_hand_over(struct ledger *led)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < led->n; i++)
		if (led->made[i] == MADE_LOCK)
			led->made[kept++] = MADE_LOCK;
	led->n = kept;
}

/* After the clone, in runb-oci create: send the console, wait for the child's word
 * that it is set up, write the state and the pid file, and go. */
static noreturn void oci_created(const struct config *cfg, struct ledger *led, struct handoff *h,
				 pid_t pid, int pidfd)
{
	struct oci_run *r = cfg->oci;
	int *child_ends[] = { &h->pty_sock[1], &h->report[1], &r->start_fd };
	char c = 0, text[24];
	int wstatus;

	fds_close(child_ends, ARRAY_SIZE(child_ends));
	if (cfg->tty)
		oci_console_send(r->console, h->pty_sock[0]);
	if (read(h->report[0], &c, 1) != 1 || c != 'W') {
		if (waitpid(pid, &wstatus, 0) < 0)
			die("create: wait for the container's first process");
		diex("create %s: the container's first process ended in its set-up (status %d)",
		     r->id, exit_status(wstatus));
	}
	if (r->hooks) {
		struct oci h = { .j.tok = NULL };

		json_parse(&h.j, "hooks", r->hooks, strlen(r->hooks));
		oci_hooks_run(&h, 0, "prestart", r->id, OCI_CREATED, pid, r->bundle, true);
		oci_hooks_run(&h, 0, "createRuntime", r->id, OCI_CREATED, pid, r->bundle, true);
	}
	oci_state_write(r, pid);
	if (r->pid_file) {
		snprintf(text, sizeof(text), "%d", (int)pid);
		oci_write_file(r->pid_file, text);
	}
	ledger_hand_over(led);
	close(pidfd);
	exit(0);
}

/* A runb-oci command line, as read: the global options, the verb, and its options. */
struct oci_call {
	const char *root, *log;  /* --root, --log */
	bool json, debug;        /* --log-format json, --debug */
	const char *verb, *id, *more;  /* VERB ... ID [MORE] */
	const char *bundle, *pid_file, *console, *format;  /* --bundle, ... */
	bool all, force;         /* kill --all, delete --force */
	bool detach;             /* exec --detach */
	const char *process;     /* exec --process */
	int caller_stderr;       /* with --log: the caller's stderr, for the container; or -1 */
	struct oci o;            /* run and create: config.json, and the runb command line */
};

/* A container as runb-oci's verbs find it: ROOT/ID/state.json, and its status. */
struct oci_state {
	struct oci o;           /* state.json, parsed */
	char dir[PATH_MAX];
	const char *id;
	char *bundle, *created;
	pid_t pid;
	unsigned long long pidns, started;
	int hooks;              /* config.json's hooks, a token of state.json; or -1 */
	int pidfd;              /* the first process, while it lives; or -1 */
	enum oci_status status;
};

/* Is the first process alive, and the one create made? Keep its pidfd if so: the
 * checks come after the pidfd is open, so it names the process they found. */
static bool oci_alive(struct oci_state *s)
{
	char path[64], state = 'X';
	struct stat ns;

	s->pidfd = sys_pidfd_open(s->pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)s->pid);
	return s->pidfd >= 0 && stat(path, &ns) == 0 && ns.st_ino == s->pidns &&
	       proc_start_time(s->pid, &state) == s->started && state != 'Z' && state != 'X';
}

/* Is container ID's cgroup frozen (v2's cgroup.freeze)? v1's runb cgroups have no freezer. */
static bool oci_frozen(const char *id)
{
	char path[PATH_MAX], c = '0';
	int fd;

	cg_path(id, true, NULL, "cgroup.freeze", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, &c, 1) < 0)
		c = '0';
	if (fd >= 0)
		close(fd);
	return c == '1';
}

/* Find container ID under ROOT, and its status. */
static void oci_state_read(const char *root, const char *id, const char *verb, struct oci_state *s)
{
	char path[PATH_MAX + 16], *text;
	size_t len;
	int t;

	s->id = id;
	snprintf(s->dir, sizeof(s->dir), "%s/%s", root, id);
	snprintf(path, sizeof(path), "%s/state.json", s->dir);
	if (!valid_name(id) || access(path, F_OK) < 0)
		diex("%s: container %s does not exist", verb, id);
	text = read_small_file(path, 1 << 16, &len);
	json_parse(&s->o.j, "state.json", text, len);
	if ((t = json_get(&s->o.j, 0, "pid")) < 0)
		diex("%s: no pid", path);
	s->pid = oci_uint(&s->o, t, INT_MAX, "pid");
	if ((t = json_get(&s->o.j, 0, "pidns")) < 0)
		diex("%s: no pidns", path);
	s->pidns = oci_uint(&s->o, t, ULLONG_MAX, "pidns");
	if ((t = json_get(&s->o.j, 0, "started")) < 0)
		diex("%s: no started", path);
	s->started = oci_uint(&s->o, t, ULLONG_MAX, "started");
	s->bundle = oci_string(&s->o, json_get(&s->o.j, 0, "bundle"), "bundle");
	s->created = oci_string(&s->o, json_get(&s->o.j, 0, "created"), "created");
	s->hooks = json_get(&s->o.j, 0, "hooks");
	snprintf(path, sizeof(path), "%s/exec.fifo", s->dir);
	if (!oci_alive(s))
		s->status = OCI_STOPPED;
	else if (access(path, F_OK) == 0)
		s->status = OCI_CREATED;
	else
		s->status = oci_frozen(s->id) ? OCI_PAUSED : OCI_RUNNING;
}

/* runb-oci state ID: the specification's state, as JSON. */
static int oci_state_show(struct oci_state *s, const struct oci_call *c)
{
	(void)c;
	oci_state_json(stdout, s->id, s->status, s->pid, s->bundle, s->created);
	return 0;
}

/* Wait until the first process has gone past its exec: its descriptor of exec.fifo,
 * the FIFO's only reader, is closed by the exec (or by its death), and then poll(2)
 * reports POLLERR to a writer. Until then PID 1 is still runb's code, whose
 * /proc/PID/exe is the host's runb: state says created, and exec is refused (Part
 * II.0, point 4). As runc start returns once its init has exec'd. */
static void oci_wait_exec(int fd, const char *id)
{
	struct pollfd p = { .fd = fd, .events = 0 };  /* POLLERR: no reader left */
	int n;

	do
		n = poll(&p, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("start %s: wait for its exec", id);
}

/* runb-oci start ID: the byte the first process waits for. */
static int oci_start(struct oci_state *s, const struct oci_call *c)
{
	char path[PATH_MAX + 16];
	int fd;

	(void)c;
	if (s->status != OCI_CREATED)
		diex("start %s: cannot start a container that is %s", s->id, oci_status_names[s->status]);
	snprintf(path, sizeof(path), "%s/exec.fifo", s->dir);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && (errno == ENXIO || errno == ENOENT))
		diex("start %s: container not running", s->id);
	if (fd < 0 || write(fd, "S", 1) != 1)
		die("start %s: write %s", s->id, path);
	oci_wait_exec(fd, s->id);
	close(fd);
	if (unlink(path) < 0 && errno != ENOENT)
		die("start %s: rm %s", s->id, path);
	oci_hooks_run(&s->o, s->hooks, "poststart", s->id, OCI_RUNNING, s->pid, s->bundle, false);
	return 0;
}

/* The PIDs in container ID's cgroup, for kill --all and ps. */
static FILE *oci_cgroup_procs(const char *id)
{
	char path[PATH_MAX];
	struct statfs st;
	FILE *f;

	if (statfs(CG_ROOT, &st) < 0)
		die("statfs %s", CG_ROOT);
	cg_path(id, st.f_type == CGROUP2_SUPER_MAGIC, "pids", "cgroup.procs", path);
	if (!(f = fopen(path, "re")))
		die("open %s", path);
	return f;
}

/* runb-oci kill [--all] ID [SIGNAL]: SIGNAL (default TERM) to the first process, or
 * with --all to every process in the container's cgroup. */
static int oci_kill(struct oci_state *s, const struct oci_call *c)
{
	int sig = c->more ? parse_signal("kill", c->more) : SIGTERM, pid;
	FILE *f;

	if (s->status == OCI_STOPPED)
		diex("kill %s: container not running", s->id);
	if (!c->all) {
		if (sys_pidfd_send_signal(s->pidfd, sig) < 0)
			die("kill %s: signal %d", s->id, sig);
		return 0;
	}
	f = oci_cgroup_procs(s->id);
	while (fscanf(f, "%d", &pid) == 1)
		if (kill(pid, sig) < 0 && errno != ESRCH)
			die("kill --all %s: signal %d to %d", s->id, sig, pid);
	fclose(f);
	return 0;
}

/* runb-oci ps [--format table|json] ID: the host PIDs of the container's processes. */
static int oci_ps(struct oci_state *s, const struct oci_call *c)
{
	const char *format = c->format;
	bool json = format && strcmp(format, "json") == 0;
	FILE *f;
	int pid, n = 0;

	if (format && !json && strcmp(format, "table") != 0)
		diex("ps: --format '%s': table or json", format);
	f = oci_cgroup_procs(s->id);
	printf(json ? "[" : "PID\n");
	while (fscanf(f, "%d", &pid) == 1)
		printf(json ? "%s%d" : "%.0s%d\n", n++ ? "," : "", pid);
	printf(json ? "]\n" : "");
	fclose(f);
	return 0;
}

/* runb-oci pause ID, resume ID (docker pause): every process of the container stopped
 * by the cgroup's freezer, and let go. On v2 each cgroup has cgroup.freeze; runb waits
 * until cgroup.events says frozen. runb's v1 cgroups have no freezer hierarchy. */
static int oci_freeze(struct oci_state *s, bool freeze)
{
	char path[PATH_MAX], events[256];
	struct statfs st;
	int fd;
	ssize_t n;

	if (statfs(CG_ROOT, &st) < 0 || st.f_type != CGROUP2_SUPER_MAGIC)
		diex("%s %s: runb freezes on cgroup v2 only (its v1 cgroups have no freezer)",
		     freeze ? "pause" : "resume", s->id);
	if (s->status != (freeze ? OCI_RUNNING : OCI_PAUSED))
		diex("%s %s: container not %s", freeze ? "pause" : "resume", s->id,
		     freeze ? "running" : "paused");
	cg_path(s->id, true, NULL, "cgroup.freeze", path);
	write_file(path, freeze ? "1" : "0");
	cg_path(s->id, true, NULL, "cgroup.events", path);
	for (int tries = 0; freeze && tries < 2000; tries++) {  /* 10 s at most */
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read(fd, events, sizeof(events) - 1)) < 0)
			die("pause %s: read %s", s->id, path);
		close(fd);
		events[n] = '\0';
		if (strstr(events, "frozen 1"))
			return 0;
		usleep(5000);
	}
	if (freeze)
		diex("pause %s: not frozen after 10 s", s->id);
	return 0;
}

static int oci_pause(struct oci_state *s, const struct oci_call *c)
{
	(void)c;
	return oci_freeze(s, true);
}

static int oci_resume(struct oci_state *s, const struct oci_call *c)
{
	(void)c;
	return oci_freeze(s, false);
}

/* runb-oci delete [--force] ID: kill a created container (or with --force a running
 * one), then unwind what create left, under the ID's lock, as teardown() would. */
static int oci_delete(struct oci_state *s, const struct oci_call *c)
{
	struct tracer tr = { .verbose = false };
	struct statfs st;
	struct ledger led = {
		.owner = getpid(), .name = s->id, .tr = &tr, .lease_fd = -1, .bridge_fd = -1,
		.record_fd = -1, .oci_state = s->dir, .n = 4,
		.made = { MADE_LOCK, MADE_OCI_STATE, MADE_CGROUP, MADE_NETNS },
	};
	char lock[80];
	bool existed;

	if ((s->status == OCI_RUNNING || s->status == OCI_PAUSED) && !c->force)
		diex("delete %s: cannot delete a container that is %s (stop it, or --force)", s->id,
		     oci_status_names[s->status]);
	snprintf(lock, sizeof(lock), "%s.lock", s->id);
	if (mkdir(STATE_DIR, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", STATE_DIR);
	if ((led.lock_fd = lock_file(lock, &existed)) < 0)
		diex("delete %s: a runb of that name is running", s->id);
	if (s->status != OCI_STOPPED && sys_pidfd_send_signal(s->pidfd, SIGKILL) < 0)
		die("delete %s: kill", s->id);
	if (statfs(CG_ROOT, &st) < 0)
		die("statfs %s", CG_ROOT);
	led.cg_v2 = st.f_type == CGROUP2_SUPER_MAGIC;
	ledger_unwind(&led);
	oci_hooks_run(&s->o, s->hooks, "poststop", s->id, OCI_STOPPED, s->pid, s->bundle, false);
	return 0;
}

/* Beyond the slides: runb-oci exec — replaces: runb exec, as the engines call it
 *
 * docker exec and podman exec ask for one more process in a running container:
 * exec --process FILE, FILE being a process object as config.json's. runb
 * reads it with the same rows as config.json's process, and runs it with runb
 * exec's machinery (Part II.9): a setup outside the container's PID namespace
 * joins the other namespaces and the cgroup, confines itself (the process's
 * capabilities, no_new_privs, runb's filter and config.json's seccomp profile,
 * read again from the bundle), and clones the process into the PID namespace.
 * The process gets the caller's stdio, or with a terminal a pty whose master
 * goes over --console-socket; with --detach runb-oci writes --pid-file and
 * goes, and the process becomes the caller's child.
 */
static int oci_exec(struct oci_state *s, const struct oci_call *c)
{
	struct tracer tr = { .verbose = false };
	struct config cfg = { .tr = &tr, .tty = -1, .hostname = "", .seccomp = true, .nnp = true };
	struct oci_run r = { .id = s->id, .bundle = s->bundle, .console = c->console,
			     .stderr_fd = c->caller_stderr, .start_fd = -1 };
	struct run run = { .volumes = NULL };
	struct exec_io io = { .in = { -1, -1 }, .out = { -1, -1 }, .err = { -1, -1 }, .pty = { -1, -1 },
			      .go = { -1, -1 } };
	struct oci p = { .bundle = s->bundle };
	int profile = json_get(&s->o.j, 0, "seccomp");
	struct cmdline cl = { .cfg = &cfg };
	int cg[ARRAY_SIZE(cg_v1_controllers)], wstatus;
	struct statfs st;
	char text[24];
	pid_t pid;

	if (!c->process)
		diex("exec %s: --process FILE is needed (runb-oci takes no COMMAND words)", s->id);
	if (s->status != OCI_RUNNING)
		diex("exec %s: container not running", s->id);
	oci_read_process(&p, c->process, s->id);
	if (p.tty != !!c->console)
		diex("exec: terminal is %s, so --console-socket is %s", p.tty ? "true" : "false",
		     p.tty ? "needed" : "not taken");
	if (profile >= 0 && s->o.j.tok[profile].type != JSON_NULL)  /* as create read it */
		oci_seccomp(&s->o, profile, "linux.seccomp");
	rlimits_default(&cfg);
	parse_args(&cfg, &cl, p.argc, p.argv);
	cfg.profile = s->o.profile;
	cfg.oci = &r;
	cfg.argv = p.args;
	if (statfs(CG_ROOT, &st) < 0)
		die("statfs %s", CG_ROOT);
	run.cg_v2 = st.f_type == CGROUP2_SUPER_MAGIC;
	fds_cloexec();
	exec_open_cgroup(&cfg, run.cg_v2, cg);
	exec_pipes(&cfg, run.cg_v2, &io);
	pid = exec_fork(&cfg, &run, cg, s->pidfd, &io);
	if (cfg.tty)
		oci_console_send(c->console, io.pty[0]);
	if (pid == 0)
		diex("exec %s: the process's set-up failed (its line is above)", s->id);
	if (c->pid_file) {
		snprintf(text, sizeof(text), "%d", (int)pid);
		oci_write_file(oci_absolute(c->pid_file), text);
	}
	if (c->detach)
		return 0;
	if (waitpid(pid, &wstatus, 0) < 0)
		die("exec %s: wait for %d", s->id, (int)pid);
	return exit_status(wstatus);
}

/* ------------------------------------------------------------------------ */
/* Part III.4: The OCI command line: runb-oci and its verbs                 */
/* ------------------------------------------------------------------------ */

/* Is runb called as runb-oci (a link, or a copy by that name)? */
static bool oci_called(const char *argv0)
{
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;

	return strcmp(base, "runb-oci") == 0;
}

static noreturn void oci_usage(FILE *out, int status)
{
	fprintf(out,
		"usage: runb-oci [GLOBAL OPTIONS] VERB [OPTIONS] ...\n"
		"  run [--bundle DIR] ID           create and start ID, wait, pass its status on\n"
		"  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] ID\n"
		"                                  set ID up; its first process waits for start\n"
		"  start ID                        let it run its process.args\n"
		"  state ID                        the specification's state, as JSON\n"
		"  kill [--all] ID [SIGNAL]        SIGNAL (default TERM) to it, or to all in it\n"
		"  delete [--force] ID             remove a stopped (or with --force any) ID\n"
		"  exec --process FILE [--detach] [--pid-file FILE] [--console-socket SOCKET] ID\n"
		"                                  one more process in it, as FILE describes\n"
		"  ps [--format table|json] ID     the host PIDs of its processes\n"
		"  pause ID, resume ID             freeze and thaw it (cgroup v2)\n"
		"  spec [--bundle DIR]             write DIR/config.json of runb's defaults\n"
		"  features                        what runb-oci honours, as JSON\n"
		"global options: --root DIR (default " OCI_ROOT "), --log FILE, --log-format\n"
		"text|json, --debug, --version, --help; --criu and --rootless are accepted,\n"
		"--systemd-cgroup is refused. create also takes --no-pivot, --no-new-keyring\n"
		"and --preserve-fds 0, and means nothing by them.\n"
		"\n"
		"runb as an OCI runtime. DIR/config.json (default: the current directory)\n"
		"becomes runb's own command line, run by the same engine; --debug shows that\n"
		"line, then runb's -v trace, slide by slide (README: runb-oci).\n");
	exit(status);
}

/* --debug: the command line config.json became, one line, words with a space quoted. */
static void oci_show(const struct oci *o)
{
	char line[4096];
	size_t n = snprintf(line, sizeof(line), "[runb] config.json ->");

	for (int i = 0; i < o->argc && n < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n,
			      !*o->argv[i] || strpbrk(o->argv[i], " \t'") ? " '%s'" : " %s",
			      o->argv[i]);
	fprintf(stderr, "%s\n", line);
}

/* runb-oci spec — replaces: runc spec
 *
 * A config.json that asks for what runb does by default, written from the
 * tables Part I and Part II run: the slides' mounts (fs_mounts[]) and the
 * cgroup, SET_CAPS (caps_kept[]), runb's masks (fs_masks[]), slide 27's
 * namespaces, the pids limit, and the slide's shell. So `runb-oci spec`, then
 * `runb-oci run ID`, runs the container `runb ID rootfs sh` runs (with only
 * lo: --net none). As runc spec does, it writes BUNDLE/config.json, never over
 * one that exists, and root.path is "rootfs".
 */
static void oci_spec_list(FILE *f, const char *key, const char *const *items, size_t n,
			  const char *end)
{
	fprintf(f, "%s[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : " ", f);
		json_str(f, items[i]);
	}
	fprintf(f, " ]%s", end);
}

static void oci_spec_process(FILE *f)
{
	const char *caps[ARRAY_SIZE(caps_kept)], *env[] = { "PATH=" CONTAINER_PATH, "TERM=xterm" };
	char names[ARRAY_SIZE(caps_kept)][32];

	for (size_t i = 0; i < ARRAY_SIZE(caps_kept); i++) {
		for (size_t c = 0; c <= strlen(caps_kept[i].name); c++)
			names[i][c] = toupper((unsigned char)caps_kept[i].name[c]);
		caps[i] = names[i];
	}
	fputs("  \"process\": {\n    \"terminal\": false,\n"
	      "    \"user\": { \"uid\": 0, \"gid\": 0 },\n", f);
	oci_spec_list(f, "    \"args\": ", (const char *[]){ "sh" }, 1, ",\n");
	oci_spec_list(f, "    \"env\": ", env, ARRAY_SIZE(env), ",\n");
	fputs("    \"cwd\": \"/\",\n    \"capabilities\": {\n", f);
	oci_spec_list(f, "      \"bounding\": ", caps, ARRAY_SIZE(caps), ",\n");
	oci_spec_list(f, "      \"effective\": ", caps, ARRAY_SIZE(caps), ",\n");
	oci_spec_list(f, "      \"permitted\": ", caps, ARRAY_SIZE(caps), "\n");
	fputs("    },\n    \"noNewPrivileges\": true\n  },\n", f);
}

static void oci_spec_mounts(FILE *f)
{
	char opts[128], dst[64];
	const char *words[16];

	fputs("  \"mounts\": [\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(fs_mounts); i++) {
		size_t n = 0;

		fs_options(&fs_mounts[i], opts);
		for (char *w = strtok(opts, ","); w && n < ARRAY_SIZE(words); w = strtok(NULL, ","))
			words[n++] = w;
		snprintf(dst, sizeof(dst), "/%s", fs_mounts[i].target);
		fprintf(f, "    { \"destination\": \"%s\", \"type\": \"%s\", \"source\": \"%s\", ", dst,
			fs_mounts[i].type, fs_mounts[i].type);
		oci_spec_list(f, "\"options\": ", words, n, " },\n");
	}
	fputs("    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", "
	      "\"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n  ],\n", f);
}

static void oci_spec_linux(FILE *f)
{
	const char *masked[ARRAY_SIZE(fs_masks)], *ro[ARRAY_SIZE(fs_masks)];
	char paths[ARRAY_SIZE(fs_masks)][64];
	size_t n_masked = 0, n_ro = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fs_masks); i++) {
		snprintf(paths[i], sizeof(paths[i]), "/%s/%s", fs_masks[i].fs, fs_masks[i].path);
		if (fs_masks[i].readonly)
			ro[n_ro++] = paths[i];
		else
			masked[n_masked++] = paths[i];
	}
	fprintf(f, "  \"linux\": {\n    \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, "
		"{ \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, "
		"{ \"type\": \"cgroup\" } ],\n    \"resources\": { \"pids\": { \"limit\": %d }, "
		"\"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n", PIDS_DEFAULT);
	oci_spec_list(f, "    \"maskedPaths\": ", masked, n_masked, ",\n");
	oci_spec_list(f, "    \"readonlyPaths\": ", ro, n_ro, "\n  }\n");
}

static void oci_spec(const char *bundle)
{
	char path[PATH_MAX];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		diex("spec: %s exists: remove it first", path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		die("spec: create %s", path);
	fputs("{\n  \"ociVersion\": \"1.0.2\",\n", f);
	oci_spec_process(f);
	fputs("  \"root\": { \"path\": \"rootfs\", \"readonly\": false },\n"
	      "  \"hostname\": \"runb\",\n", f);
	oci_spec_mounts(f);
	oci_spec_linux(f);
	fputs("}\n", f);
	if (fclose(f) != 0)
		die("spec: write %s", path);
}

/* runb-oci features — replaces: runc features
 *
 * What runb-oci run honours, as the runtime specification's features document
 * says it: the namespaces it makes, every capability it knows, the mount
 * options it reads, cgroup v1 and v2 (no systemd driver), and no hooks,
 * seccomp profile, AppArmor or SELinux yet. An engine that reads it learns
 * what it may ask.
 */
static void oci_features(void)
{
	char name[40];

	printf("{\n  \"ociVersionMin\": \"1.0.0\",\n  \"ociVersionMax\": \"1.0.2\",\n"
	       "  \"hooks\": [ \"prestart\", \"createRuntime\", \"poststart\", \"poststop\" ],\n"
	       "  \"mountOptions\": [ \"bind\", \"rbind\", \"ro\", \"rw\", \"private\", \"rprivate\", "
	       "\"nosuid\", \"nodev\", \"noexec\", \"tmpcopyup\", \"strictatime\", \"relatime\" ],\n"
	       "  \"linux\": {\n"
	       "    \"namespaces\": [ \"pid\", \"network\", \"ipc\", \"uts\", \"mount\", \"cgroup\" ],\n"
	       "    \"capabilities\": [");
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++) {
		snprintf(name, sizeof(name), "CAP_%s", cap_names[i]);
		for (char *p = name; *p; p++)
			*p = toupper((unsigned char)*p);
		printf("%s\"%s\"", i ? ", " : " ", name);
	}
	printf(" ],\n    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": false, "
	       "\"systemdUser\": false },\n    \"seccomp\": { \"enabled\": %s, \"actions\": [ "
	       "\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_THREAD\", "
	       "\"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_TRAP\", \"SCMP_ACT_LOG\" ], \"operators\": [ "
	       "\"SCMP_CMP_EQ\", \"SCMP_CMP_NE\", \"SCMP_CMP_LT\", \"SCMP_CMP_LE\", \"SCMP_CMP_GT\", "
	       "\"SCMP_CMP_GE\", \"SCMP_CMP_MASKED_EQ\" ] },\n"
	       "    \"apparmor\": { \"enabled\": false },\n    \"selinux\": { \"enabled\": false }\n"
	       "  }\n}\n", ARRAY_SIZE(syscall_names) ? "true" : "false");  /* x86_64's names only */
}

/* runb-oci's global options, before its verb. runc's --criu and --rootless (but for
 * true) are accepted and mean nothing here; --systemd-cgroup is refused. */
static void oci_global_options(struct oci_call *c, int argc, char **argv)
{
	static const struct option global[] = {
		{ "root", required_argument, NULL, 'r' }, { "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' }, { "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' }, { "criu", required_argument, NULL, 'C' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	int o;

	optind = 0;  /* 0: glibc starts afresh */
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+", global, NULL)) != -1) {
		if (o == '?')
			diex("runb-oci: unknown option '%s' (runb-oci --help)", argv[optind - 1]);
		if (o == 'V') {
			printf("runb-oci version %s\nspec: 1.0.2\n", RUNB_VERSION);
			exit(0);
		}
		if (o == 'h')
			oci_usage(stdout, 0);
		if (o == 's')
			diex("runb-oci: --systemd-cgroup: runb manages its cgroups itself, under runb/ID; "
			     "use the cgroupfs driver");
		if (o == 'R' && strcmp(optarg, "true") == 0)
			diex("runb-oci: --rootless true: runb runs as root only");
		if (o == 'f' && strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
			diex("runb-oci: --log-format '%s': text or json", optarg);
		c->root = o == 'r' ? optarg : c->root;
		c->log = o == 'l' ? optarg : c->log;
		c->json = o == 'f' ? strcmp(optarg, "json") == 0 : c->json;
		c->debug |= o == 'd';
	}
	if (optind == argc)
		oci_usage(stderr, EXIT_RUNB);
	if (c->root[0] != '/')
		diex("runb-oci: --root %s: an absolute path, please", c->root);
}

/* The verbs' options, each with the verbs that take it. conmon and containerd's shim
 * give them as --flag value or --flag=value; getopt_long reads both. */
static const struct { struct option opt; const char *verbs; } oci_options[] = {
	{ { "bundle", required_argument, NULL, 'b' }, " run create spec " },
	{ { "pid-file", required_argument, NULL, 'p' }, " create exec " },
	{ { "console-socket", required_argument, NULL, 'c' }, " create exec " },
	{ { "preserve-fds", required_argument, NULL, 'F' }, " run create exec " },
	{ { "process", required_argument, NULL, 'x' }, " exec " },
	{ { "detach", no_argument, NULL, 'D' }, " exec " },
	{ { "tty", no_argument, NULL, 't' }, " exec " },  /* process.terminal decides */
	{ { "no-pivot", no_argument, NULL, 'P' }, " run create " },       /* runb pivots anyway */
	{ { "no-new-keyring", no_argument, NULL, 'K' }, " run create " }, /* runb makes none */
	{ { "all", no_argument, NULL, 'a' }, " kill " },
	{ { "force", no_argument, NULL, 'f' }, " delete " },
	{ { "format", required_argument, NULL, 'o' }, " ps " },
};

/* The verbs, with what follows the options: ID (or not), and how many more words.
 * ON is the verb of a container that exists; run and create go to the engine. */
static const struct oci_verb {
	const char *name;
	bool takes_id;
	int more;
	int (*on)(struct oci_state *s, const struct oci_call *c);
} oci_verbs[] = {
	{ "run", true, 0, NULL }, { "create", true, 0, NULL },
	{ "start", true, 0, oci_start }, { "state", true, 0, oci_state_show },
	{ "kill", true, 1, oci_kill }, { "delete", true, 0, oci_delete }, { "ps", true, 0, oci_ps },
	{ "exec", true, 0, oci_exec }, { "pause", true, 0, oci_pause }, { "resume", true, 0, oci_resume },
	{ "spec", false, 0, NULL }, { "features", false, 0, NULL },
};

/* VERB [OPTIONS] [ID [MORE...]], the N words at V, into C. */
static void oci_verb_args(struct oci_call *c, const struct oci_verb *verb, int n, char **v)
{
	struct option opts[ARRAY_SIZE(oci_options) + 1] = { { 0 } };
	char word[32];
	int o, i;

	for (size_t k = 0; k < ARRAY_SIZE(oci_options); k++)
		opts[k] = oci_options[k].opt;
	optind = 0;
	while ((o = getopt_long(n, v, "+", opts, &i)) != -1) {
		snprintf(word, sizeof(word), " %s ", verb->name);
		if (o == '?' || !strstr(oci_options[i].verbs, word))
			diex("runb-oci %s: unknown option '%s' (runb-oci --help)", v[0], v[optind - 1]);
		if (o == 'F' && strcmp(optarg, "0") != 0)
			diex("runb-oci %s: --preserve-fds %s: runb passes no descriptors beyond 0, 1 "
			     "and 2", v[0], optarg);
		c->bundle = o == 'b' ? optarg : c->bundle;
		c->pid_file = o == 'p' ? optarg : c->pid_file;
		c->console = o == 'c' ? optarg : c->console;
		c->format = o == 'o' ? optarg : c->format;
		c->process = o == 'x' ? optarg : c->process;
		c->all |= o == 'a';
		c->force |= o == 'f';
		c->detach |= o == 'D';
	}
	if (verb->takes_id && (optind == n || n - optind - 1 > verb->more))
		diex("runb-oci %s: expected ID%s after the options (runb-oci --help)", v[0],
		     verb->more ? " [SIGNAL]" : "");
	if (!verb->takes_id && optind != n)
		diex("runb-oci %s: unexpected argument '%s' (runb-oci --help)", v[0], v[optind]);
	c->id = verb->takes_id ? v[optind] : NULL;
	c->more = verb->takes_id && optind + 1 < n ? v[optind + 1] : NULL;
	c->bundle = oci_absolute(c->bundle);
}

/* run and create: config.json as runb's command line, into ARGC and ARGV. create's
 * own part of the description is returned. */
static struct oci_run *oci_engine(struct oci_call *c, int *argc, char ***argv, int caller_stderr,
				  const struct sock_fprog **profile)
{
	bool create = strcmp(c->verb, "create") == 0;
	struct oci_run *r = create ? calloc(1, sizeof(*r)) : NULL;
	char *dir;

	c->o.bundle = c->bundle;
	oci_opt(&c->o, "runb", NULL);
	if (c->debug)
		oci_opt(&c->o, "--verbose", NULL);
	oci_read_config(&c->o, c->id);
	if (c->debug)
		oci_show(&c->o);
	*argc = c->o.argc;
	*argv = c->o.argv;
	*profile = c->o.profile;
	if (!create && c->o.n_hooks)
		diex("run: config.json has hooks, which runb runs with create, start and delete only");
	if (!create)
		return NULL;
	if (!r)
		die("create: calloc");
	if (c->o.tty != !!c->console)
		diex("create: process.terminal is %s, so --console-socket is %s", c->o.tty ? "true" : "false",
		     c->o.tty ? "needed" : "not taken");
	mkdir_p(c->root);
	if (asprintf(&dir, "%s/%s", c->root, c->id) < 0)
		die("create: asprintf");
	if (access(dir, F_OK) == 0)  /* before runb's own checks of NAME; mkdir decides a race */
		diex("create: container %s already exists", c->id);
	*r = (struct oci_run){ .id = c->id, .bundle = c->bundle, .dir = dir, .console = c->console,
			       .pid_file = c->pid_file ? oci_absolute(c->pid_file) : NULL,
			       .stderr_fd = caller_stderr, .start_fd = -1, .hooks = c->o.hooks,
			       .seccomp = c->o.seccomp };
	return r;
}

/* runb-oci [GLOBAL OPTIONS] VERB ...: run and create replace ARGC and ARGV with the
 * runb command line config.json describes (create's part of the description is
 * returned); every other verb does its work here and exits. */
static struct oci_run *oci_command_line(int *argc, char ***argv, const struct sock_fprog **profile)
{
	struct oci_call c = { .root = OCI_ROOT, .bundle = ".", .caller_stderr = -1 };
	const struct oci_verb *verb = NULL;
	struct oci_state s = { .pidfd = -1 };
	int caller_stderr = -1;
	char **v;

	oci_global_options(&c, *argc, *argv);
	v = *argv + optind;
	c.verb = v[0];
	for (size_t i = 0; i < ARRAY_SIZE(oci_verbs); i++)
		if (strcmp(v[0], oci_verbs[i].name) == 0)
			verb = &oci_verbs[i];
	if (!verb)
		diex("runb-oci: unknown command '%s' (runb-oci --help)", v[0]);
	oci_verb_args(&c, verb, *argc - optind, v);
	if (verb->on == oci_exec)
		self_seal(*argv);  /* exec puts a process inside: from runb's sealed copy (Part II.0) */
	if (c.log && strcmp(c.verb, "run") != 0)
		caller_stderr = c.caller_stderr = oci_log_open(c.log, c.json);  /* runb's lines */
	if (strcmp(c.verb, "spec") == 0)
		oci_spec(c.bundle);
	else if (strcmp(c.verb, "features") == 0)
		oci_features();
	else if (!verb->on)
		return oci_engine(&c, argc, argv, caller_stderr, profile);
	else {
		oci_state_read(c.root, c.id, c.verb, &s);
		exit(verb->on(&s, &c));
	}
	exit(0);
}

/* ======================================================================== */
/* The spines: container_main() reads like core.sh, main() like runb.sh.     */
/* ======================================================================== */

/* The container's first process, from its clone (slide 27) to its exec. */
static noreturn void container_main(const struct config *cfg, const struct run *run,
				   const struct handoff *h)
{
	uint64_t caps = cfg->caps;  /* what caps_usable() left of SET_CAPS and the options */
	int rootfd, devfd;

	rootfd = child_begin(cfg, run, h);  /* beyond the slides: its descriptors, a session, ROOTFS */

	fs_make_private(cfg);          /* slide 27: unshare's implied --propagation private */
	cg_join(cfg, run);             /* slide 28: cgclassify -g ... $$ */
	ns_unshare_cgroup(cfg);        /* slide 28: unshare --cgroup */
	rootfd = overlay_mount(cfg, rootfd);  /* beyond the slides: --overlay */

	fs_mount_all(cfg, rootfd);     /* slides 29-30: mkdir -p && mount -t ... */
	devfd = dev_open_verified(rootfd);  /* beyond the slides: the tmpfs just mounted */
	dev_make_nodes(cfg, devfd);    /* slide 31: mknod -m 666 ... */
	dev_link_ptmx(cfg, devfd);     /* slide 32: the terminal */
	dev_link_stdio(cfg, devfd);    /* slide 32: ln -s /proc/self/fd ... */
	close(devfd);

	if (!cfg->join[JOIN_UTS])
		uts_set_hostname(cfg);  /* slide 33: hostname runB (a joined UTS keeps its own) */
	caps_drop_bounding(cfg, caps); /* slide 33: capsh --drop */
	net_ns_enter(cfg, h->netns_fd, rootfd);  /* slide 33: ip netns exec */
	if (cfg->use_chroot)           /* slide 33: capsh --chroot */
		root_chroot(cfg, rootfd);
	else
		root_pivot(cfg, rootfd);
	close(rootfd);
	fs_after_root_switch(cfg, run);  /* beyond the slides: masks, volumes, names files, -w */
	if (h->pty_sock[1] >= 0)
		pty_make_console(cfg, &run->winsize, h->pty_sock[1]);  /* beyond the slides: -t */
	process_finalize(cfg, caps);   /* slide 33: capsh --uid --gid --inh (and limits, seccomp) */
	child_before_exec(cfg, h);     /* beyond the slides: death signal, -d's log, --init */
	if (cfg->oci)
		oci_wait_start(cfg, h->report[1]);  /* beyond the slides: runb-oci create, until start */
	exec_command(cfg, cfg->oci ? -1 : h->report[1]);  /* slide 33: capsh -- -c "/bin/bash" */
}

/* The command line, and what it alone decides: --help, --version, what is missing,
 * a NAME that is a verb. Nothing is made yet, so --init's runb, which stays inside
 * the container as its PID 1, can start again from a sealed copy of itself here (see
 * "What a runb process inside the container may hold"). Returns ROOTFS as given. */
static const char *runb_command_line(struct config *cfg, int argc, char **argv)
{
	struct cmdline cl = { 0 };
	const char *rootfs = parse_args(cfg, &cl, argc, argv);

	if (cl.help || cl.version) {
		cl.help ? usage(stdout) : (void)printf("runb %s\n", RUNB_VERSION);
		exit(0);
	}
	if (!rootfs && !cfg->name)
		diex("missing NAME and ROOTFS (usage: runb [OPTIONS] NAME ROOTFS [COMMAND...]; runb --help)");
	if (!rootfs)
		diex("missing ROOTFS: '%s' is not a verb; to start a container: runb NAME ROOTFS "
		     "(runb --help)", cfg->name);
	if (verb_of(cfg->name))
		diex("invalid NAME '%s': it is a runb verb (runb %s ...); choose another NAME",
		     cfg->name, cfg->name);
	if (cfg->init)
		self_seal(argv);
	return rootfs;
}

/* Before runb.sh's first line: the options, ROOTFS opened once, the NAME lock,
 * what crashed runs left swept, and the checks that may refuse to start. The
 * description CFG is complete when it returns; RUN has what runb found. */
static void runb_start(struct config *cfg, struct run *run, struct ledger *led, struct handoff *h,
		       struct detach *d, sigset_t *signals, int argc, char **argv)
{
	bool crashed;

	const char *rootfs;

	clock_gettime(CLOCK_MONOTONIC, &cfg->tr->start);
	rlimits_default(cfg);
	rootfs = runb_command_line(cfg, argc, argv);
	if (cfg->detach)
		fds_close_inherited();     /* -d: the caller's files stay the caller's */
	h->rootfd = rootfs_open(cfg, rootfs);
	rootfs_check_command(cfg, h->rootfd);  /* before anything is written into it */
	user_resolve(cfg, h->rootfd);  /* --user by name, its groups and HOME */
	ports_listen(cfg, run);        /* -p: a port in use fails here, before anything is made */
	if (cfg->tty < 0)
		cfg->tty = tty_wanted();
	volumes_open(cfg, run);        /* a missing HOST fails before anything is made */
	ns_join_open(cfg, h);          /* --net, --ipc, --uts ns:PATH: the same */
	signals_block(signals);        /* a signal during setup waits for stop_if_signalled() */
	fds_cloexec();
	if (cfg->detach)
		detach_start(d);       /* -d: from here on this process is the supervisor */
	led->owner = getpid();
	led->name = cfg->name;
	if (on_exit(trace_at_exit, cfg->tr) != 0 || on_exit(teardown, led) != 0)
		diex("on_exit: cannot register the teardown");
	step_open(cfg);
	if (cfg->overlay == OVERLAY_NONE)
		rootfs_warn_if_open(cfg, h->rootfd);
	name_lock(cfg, led, &crashed);
	record_remove(cfg->name);      /* a former run's record: a new run of NAME replaces it */
	overlay_dir_prepare(cfg, led, h->rootfd);  /* --overlay's layers, on disk */
	if (cfg->detach)
		record_make(cfg, led);  /* -d: a record of its own, until runb rm */
	cg_detect(cfg, run);           /* slide 25: which cgroup version */
	cg_check_mounted(run);         /* v1: each hierarchy there, or say which is not */
	led->cg_v2 = cfg->tr->cg_v2 = run->cg_v2;
	if (crashed)
		sweep_crashed_run(led, cfg->name);
	sweep_crashed_runs(led);
	net_ns_check_free(cfg);
	if (cfg->net == NET_BRIDGE)
		net_check_subnet_free(cfg);
}

/* The pipes and sockets between runb and its child, made just before the clone. */
static void runb_handoff(const struct config *cfg, struct run *run, struct handoff *h,
			 struct watch *x)
{
	int alive[2] = { -1, -1 };

	if (!cfg->oci && pipe2(alive, O_CLOEXEC) < 0)  /* runb-oci create: runb goes first */
		die("pipe");
	h->alive_r = alive[0];
	h->alive_w = alive[1];
	if (cfg->tty) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, h->pty_sock) < 0)
			die("socketpair for the pty");
		tty_get_size(&run->winsize);
	}
	if (pipe2(h->report, O_CLOEXEC) < 0)  /* the child's word that it execs (exec_command) */
		die("pipe");
	x->report_r = x->ran = false;  /* a new run's word (--restart) */
	if (cfg->detach) {
		if (x->log.fd < 0) {
			x->log = (struct log_writer){ .name = cfg->name, .max_size = cfg->log_max_size,
						      .max_file = cfg->log_max_file };
			log_writer_open(&x->log, 0);
		}
		if (pipe2(h->out, O_CLOEXEC) < 0 || pipe2(h->err, O_CLOEXEC) < 0)
			die("-d: pipe");
		fcntl(h->out[0], F_SETFL, O_NONBLOCK);
		fcntl(h->err[0], F_SETFL, O_NONBLOCK);
	}
}

/* After the clone, in runb: the state for the verbs, the watcher, the wait,
 * the status. Returns the command's exit status. */
static int runb_supervise(const struct config *cfg, struct run *run, struct ledger *led,
			  struct handoff *h, struct watch *x, pid_t pid, int pidfd,
			  const sigset_t *signals)
{
	int *child_ends[] = { &h->pty_sock[1], &h->report[1], &h->out[1], &h->err[1], &h->alive_r };
	int *spent[] = { &h->alive_w, &h->pty_sock[0], &x->report, &x->log_out, &x->log_err };
	pid_t watcher;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &cfg->tr->cloned);
	clock_gettime(CLOCK_MONOTONIC, &run->began);
	cfg->tr->pending[0] = '\0';    /* -v: the clone's line is the child's (trace_begin_child) */
	if (!run->created)
		run->created = time(NULL);
	state_write(cfg, run, led, pid, run->created);  /* for runb ps, exec, stop, kill, wait */
	watcher = watch_container(cfg, pidfd, h->alive_r);  /* the container dies with runb */
	fds_close(child_ends, ARRAY_SIZE(child_ends));  /* alive_w stays open while it runs */
	x->pty_sock = h->pty_sock[0];
	x->report = h->report[0];
	x->log_out = h->out[0];
	x->log_err = h->err[0];
	x->led = led;
	status = wait_container(cfg, led, pid, pidfd, signals, x);
	clock_gettime(CLOCK_MONOTONIC, &cfg->tr->ended);
	led->keep_record = (led->keep_record || x->ran) && !cfg->autoremove;
	state_end(led, status, cg_oom_check(cfg, run, status));
	fds_close(spent, ARRAY_SIZE(spent));  /* the watcher sees PID 1's end, and goes */
	close(pidfd);
	if (waitpid(watcher, NULL, 0) < 0)
		warn("wait for the watcher");
	return status;
}

int main(int argc, char **argv)
{
	struct tracer tr = { .verbose = false };
	struct config cfg = {
		.net = NET_BRIDGE, .stop_timeout = 10, .seccomp = true,
		.stop_signal = SIGTERM, .log_max_size = 20ULL << 20, .log_max_file = 5,
		.subnet = NET_SUBNET, .prefix = NET_PREFIX, .bridge = NET_BRIDGE_NAME, .tty = -1, .tr = &tr, .nnp = true,
		.pids = PIDS_DEFAULT,
	};
	struct run run = { .volumes = NULL };
	struct ledger led = { .lock_fd = -1, .lease_fd = -1, .bridge_fd = -1, .record_fd = -1, .tr = &tr };
	struct handoff h = { .rootfd = -1, .netns_fd = -1, .pty_sock = { -1, -1 },
			     .report = { -1, -1 }, .out = { -1, -1 }, .err = { -1, -1 } };
	struct detach d = { .err = -1, .started = -1 };
	struct watch x = { .pty_sock = -1, .report = -1, .log_out = -1, .log_err = -1,
			   .log = { .fd = -1 }, .detach = &d, .in = -1, .out = -1, .err = -1 };
	const struct config *c;
	char veth[IFNAMSIZ];
	sigset_t signals;
	int pidfd = -1, status;
	pid_t pid;

	const struct verb_row *verb;

	not_dumpable();                                /* beyond the slides: no trace, no /proc/PID */
	if (oci_called(argv[0]))
		cfg.oci = oci_command_line(&argc, &argv, &cfg.profile);  /* Part III: config.json */
	verb = argc > 1 ? verb_of(argv[1]) : NULL;
	if (verb && verb->enters)
		self_seal(argv);                       /* beyond the slides: runb exec from a sealed copy */
	if (verb)
		return verb_run(verb, argc - 1, argv + 1);  /* beyond the slides: runb ps, exec, ... */
	runb_start(&cfg, &run, &led, &h, &d, &signals, argc, argv);  /* beyond the slides */
	c = &cfg;                                      /* from here on, the description is fixed */
	if (c->oci)
		oci_state_make(c->oci, &led);          /* beyond the slides: runb-oci create's ROOT/ID */

	/* runb.sh */
	cg_create(c, &run, &led);                      /* slide 25: cgcreate -g cpu,memory,pids:NAME */
	cg_set_limits(c, &run);                        /* beyond the slides: -m, --cpus, --pids */
	cg_devices(c, &run);                           /* beyond the slides: the device allow-list */
	h.netns_fd = c->join[JOIN_NET] ? net_ns_attach(c, &led, &h) :  /* beyond: --net ns:PATH */
		     net_ns_add(c, &led);              /* slide 26: ip netns add $CONTAINER_NET_NS */
	if (c->net == NET_BRIDGE) {
		net_lease(c, &run, &led);              /* beyond the slides: an address of its own */
		veth_name(c, led.owner, veth);
		bridge_enter(c, &led, veth);           /* beyond the slides: a bridge per --subnet */
		net_host_side(c, &run, h.netns_fd, veth);  /* slide 26: ip link add $VETH ...; brctl addif */
		bridge_entered(c, &led);
	}
	if (!c->join[JOIN_NET])
		net_configure_container(c, &run, h.netns_fd);  /* slide 26: ip netns exec ... ip addr */
	ports_proxy_start(c, &run, &led, h.netns_fd);  /* beyond the slides: -p */
	do {
		runb_handoff(c, &run, &h, &x);         /* beyond the slides: the child's pipes */
		stop_if_signalled();
		rootfs_hand_over(c, h.rootfd);
		pid = ns_clone_container(c, &run, &pidfd);  /* slide 27: unshare ... --fork bash $CORE */
		if (pid == 0)
			container_main(c, &run, &h);   /* core.sh, in the child */
		if (c->oci)
			oci_created(c, &led, &h, pid, pidfd);  /* beyond the slides: the caller supervises */
		status = runb_supervise(c, &run, &led, &h, &x, pid, pidfd, &signals);  /* until it ends */
	} while (restart_wait(c, &run, &led, &x, status, &signals));  /* beyond the slides: --restart */
	exit(status);                                  /* trap ... EXIT: teardown() */
}
