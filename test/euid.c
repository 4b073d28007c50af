/*
 * euid.c - print the real and effective user IDs: "uid R euid E".
 *
 * The setuid test in confinement.bats copies it setuid-root. Run by a non-root
 * user on the host (no no_new_privs) it prints "euid 0"; in runb's container,
 * where no_new_privs is set, the setuid bit must not raise the effective uid.
 * (busybox drops a setuid bit by itself for most applets, so it cannot show
 * this; nor can a host user be assumed: setpriv --reuid needs none.)
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/euid test/euid.c
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("uid %u euid %u\n", (unsigned)getuid(), (unsigned)geteuid());
	return 0;
}
