/* sysc: probe, from inside a runb container, each syscall runb's seccomp filter refuses.
 * Prints one line per probe, "NAME ERRNO-NAME" or "NAME OK", e.g. "keyctl EPERM".
 *
 * Every probe uses arguments that fail harmlessly when NO filter is present, so a missing
 * filter shows as a different errno, never as damage to the machine: bad commands, bad
 * flags, bad fds, NULL pointers, names that do not exist. Probes that would succeed
 * unfiltered (new user namespaces) run in a child that exits at once. TIOCSTI is tried on
 * a pipe, which is never a terminal, so nothing can be typed anywhere. The io_uring probes
 * make no ring: setup gets no parameters (EFAULT), enter and register a closed descriptor
 * (EBADF).
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/sysc test/sysc.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

struct errno_name {
	int err;
	const char *name;
};

static const struct errno_name errno_names[] = {
	{ EPERM, "EPERM" },   { ENOSYS, "ENOSYS" }, { ENOENT, "ENOENT" },
	{ EINVAL, "EINVAL" }, { EFAULT, "EFAULT" }, { EBADF, "EBADF" },
	{ ENOTTY, "ENOTTY" }, { EACCES, "EACCES" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENOKEY, "ENOKEY" }, { ENOEXEC, "ENOEXEC" }, { ENODEV, "ENODEV" },
};

/* Print "what OK" or "what ENAME" (the number when the name is not in the table). */
static void report(const char *what, long rc, int err)
{
	if (rc >= 0) {
		printf("%s OK\n", what);
		return;
	}
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
		if (errno_names[i].err == err) {
			printf("%s %s\n", what, errno_names[i].name);
			return;
		}
	}
	printf("%s %d\n", what, err);
}

#define PROBE(what, call)                      \
	do {                                   \
		long rc_;                      \
		errno = 0;                     \
		rc_ = (call);                  \
		report(what, rc_, errno);      \
	} while (0)

/* unshare(CLONE_NEWUSER) in a child: unfiltered it succeeds, and the new user namespace
 * must not change what the later probes see. The child's exit status carries the errno. */
static void probe_unshare_newuser(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		report("unshare(CLONE_NEWUSER) fork", -1, errno);
		return;
	}
	if (pid == 0)
		_exit(syscall(SYS_unshare, CLONE_NEWUSER) < 0 ? errno : 0);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		report("unshare(CLONE_NEWUSER) wait", -1, errno);
		return;
	}
	report("unshare(CLONE_NEWUSER)", WEXITSTATUS(status) ? -1 : 0, WEXITSTATUS(status));
}

/* Raw clone(2) with CLONE_NEWUSER, flags in arg 0 as the filter expects. Without CLONE_VM
 * the child has its own copy of the stack; if one is born it leaves at once. */
static void probe_clone_newuser(void)
{
	long rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	int err = errno;

	if (rc == 0)
		_exit(0);
	if (rc > 0)
		waitpid(rc, NULL, 0);
	report("clone(CLONE_NEWUSER)", rc, err);
}

/* TIOCSTI on a pipe: unfiltered ENOTTY, filtered EPERM. The second probe sets a bit above
 * the low 32, which the kernel ignores for ioctl's cmd: the filter must ignore it too. */
static void probe_tiocsti(void)
{
	int fds[2];
	char c = 'x';

	if (pipe(fds) < 0) {
		report("ioctl(TIOCSTI) pipe", -1, errno);
		return;
	}
	PROBE("ioctl(TIOCSTI)", syscall(SYS_ioctl, fds[0], (unsigned long)TIOCSTI, &c));
	PROBE("ioctl(TIOCSTI|1<<32)", syscall(SYS_ioctl, fds[0], (1UL << 32) | TIOCSTI, &c));
	close(fds[0]);
	close(fds[1]);
}

/* io_uring: setup with no parameters to read (EFAULT; EPERM where the kernel's
 * io_uring_disabled sysctl refuses it), enter and register on a descriptor that is surely
 * closed (EBADF). Not -1: since Linux 6.13 register(-1, ...) is a "blind" operation that
 * answers EINVAL for opcode 0, while every kernel answers EBADF for a closed descriptor. */
static void probe_io_uring(void)
{
	int fd = dup(0);

	if (fd < 0)
		fd = 0;
	else
		close(fd);  /* a number no descriptor has */
	if (fd == 0) {
		report("io_uring dup", -1, errno);
		return;
	}
	PROBE("io_uring_setup", syscall(SYS_io_uring_setup, 0, NULL));
	PROBE("io_uring_enter", syscall(SYS_io_uring_enter, fd, 0, 0, 0, NULL, 0));
	PROBE("io_uring_register", syscall(SYS_io_uring_register, fd, 0, NULL, 0));
}

int main(void)
{
	struct utsname u;

	setvbuf(stdout, NULL, _IOLBF, 0);
	PROBE("getpid", syscall(SYS_getpid));
	PROBE("uname", syscall(SYS_uname, &u));
	PROBE("keyctl", syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0));           /* no such operation */
	PROBE("add_key", syscall(SYS_add_key, "user", "runb-test", NULL, 0, 0)); /* keyring 0 */
	/* no callout string, so no /sbin/request-key upcall: just a failed search */
	PROBE("request_key", syscall(SYS_request_key, "user", "runb-no-such-key", NULL, 0));
	PROBE("bpf", syscall(SYS_bpf, 0x7fff, NULL, 0));                   /* no such command */
	PROBE("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)); /* attr NULL */
	PROBE("userfaultfd", syscall(SYS_userfaultfd, -1));                 /* every flag bit set */
	PROBE("init_module", syscall(SYS_init_module, NULL, 0, ""));        /* empty image */
	PROBE("finit_module", syscall(SYS_finit_module, -1, "", 0));        /* bad fd */
	PROBE("delete_module", syscall(SYS_delete_module, "runb-no-such-module", O_NONBLOCK));
	/* flags 0 with no segments would UNLOAD a loaded kernel: an unknown flag bit and too many
	 * segments each make the kernel refuse before doing anything */
	PROBE("kexec_load", syscall(SYS_kexec_load, 0, 1000, NULL, 0x8000UL));
	/* bit 0 would be KEXEC_FILE_UNLOAD: use an unknown bit, and bad fds */
	PROBE("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0x8000UL));
	PROBE("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, O_RDONLY));
	probe_io_uring();
	probe_unshare_newuser();
	probe_clone_newuser();
	PROBE("clone3", syscall(SYS_clone3, NULL, 0));                      /* size 0 */
	probe_tiocsti();
#if defined(__x86_64__)
	PROBE("x32-getpid", syscall(SYS_getpid | 0x40000000)); /* __X32_SYSCALL_BIT */
#endif
	return 0;
}
