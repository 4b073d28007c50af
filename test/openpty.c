/*
 * openpty.c - check that a pseudo-terminal can be allocated and opened.
 *
 * Usage: openpty            (no arguments; run inside the container)
 *
 * Opens /dev/ptmx, grantpt()s and unlockpt()s the master, asks ptsname()
 * for the slave's path, then stat()s and opens the slave.  This fails when
 * the container's /dev/ptmx allocates ptys in a devpts instance other than
 * the one mounted on the container's /dev/pts (the slave then does not
 * exist there).
 *
 * Output on success (exit status 0), one item per line:
 *   /dev/pts/N                      the slave's path
 *   dev MAJ:MIN pts MAJ:MIN         st_dev of the slave and of /dev/pts:
 *                                   equal when both are the same devpts
 *                                   instance
 *   ok /dev/pts/N
 * On failure, a line "fail: <step>: <error>" and exit status 1.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/openpty test/openpty.c
 */
#define _GNU_SOURCE /* grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void __attribute__((noreturn)) fail(const char *step)
{
    printf("fail: %s: %s\n", step, strerror(errno));
    exit(1);
}

int main(int argc, char **argv)
{
    struct stat slave_st, pts_st;
    const char *name;
    char slave[256];
    int master, fd;

    (void)argv;
    if (argc != 1) {
        printf("fail: usage: openpty (takes no arguments)\n");
        return 1;
    }

    master = open("/dev/ptmx", O_RDWR | O_NOCTTY);
    if (master < 0)
        fail("open /dev/ptmx");
    if (grantpt(master) != 0)
        fail("grantpt");
    if (unlockpt(master) != 0)
        fail("unlockpt");
    name = ptsname(master);
    if (name == NULL)
        fail("ptsname");
    snprintf(slave, sizeof(slave), "%s", name);
    printf("%s\n", slave);

    if (stat(slave, &slave_st) != 0)
        fail("stat slave");
    if (stat("/dev/pts", &pts_st) != 0)
        fail("stat /dev/pts");
    printf("dev %u:%u pts %u:%u\n",
           major(slave_st.st_dev), minor(slave_st.st_dev),
           major(pts_st.st_dev), minor(pts_st.st_dev));

    fd = open(slave, O_RDWR | O_NOCTTY);
    if (fd < 0)
        fail("open slave");
    printf("ok %s\n", slave);

    close(fd);
    close(master);
    return 0;
}
