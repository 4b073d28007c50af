/* udpecho: a UDP echo server for the tests of runb -p .../udp (busybox's nc has no UDP).
 *
 * usage: udpecho PORT
 *   Bind 0.0.0.0:PORT and answer each datagram with "echo: " and the datagram, to
 *   the address it came from, until killed.
 *
 * Build: gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o test/udpecho test/udpecho.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	char in[2048], out[2048 + 8];
	int fd;

	if (argc != 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: udpecho PORT\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[1]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udpecho: bind");
		return 1;
	}
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &len);

		if (n < 0) {
			perror("udpecho: recvfrom");
			return 1;
		}
		memcpy(out, "echo: ", 6);
		memcpy(out + 6, in, n);
		if (sendto(fd, out, n + 6, 0, (struct sockaddr *)&from, len) < 0)
			perror("udpecho: sendto");
	}
}
