/*
 * resolve.c - look NAME up through the C library: "resolve NAME" prints each
 * address getaddrinfo(3) returns, one per line, or the error and exits 2.
 *
 * docker-compat.bats runs it in the container to show that the container's own
 * host name resolves at once from the /etc/hosts runb binds there. Static
 * glibc (2.34 on) has the "files" and "dns" sources built in, and with no
 * /etc/nsswitch.conf (the busybox rootfs has none) it reads /etc/hosts
 * first: a name missing there would go to DNS instead, and stall. (The
 * linker warns that a static getaddrinfo needs glibc's shared libraries at
 * run time: not for "files", built into libc since 2.34.)
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/resolve test/resolve.c
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res, *ai;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: resolve NAME\n");
		return 2;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;  /* one entry per address, not one per socket type */
	rc = getaddrinfo(argv[1], NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "resolve %s: %s\n", argv[1], gai_strerror(rc));
		return 2;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET6 ?
			(const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
			(const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

		if (inet_ntop(ai->ai_family, a, buf, sizeof(buf)))
			printf("%s\n", buf);
	}
	freeaddrinfo(res);
	return 0;
}
