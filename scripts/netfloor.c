/*
 * netfloor.c - the network floor of scripts/bench.sh: the plain floor's
 * namespaces (unshare --pid --uts --ipc --mount --cgroup --net --fork chroot
 * ROOTFS CMD) plus exactly the kernel work runb's default network needs, with
 * the same rtnetlink requests runb sends and nothing else:
 *   a veth pair whose peer is born in the new network namespace as eth0
 *   (IFLA_NET_NS_FD), the host end enslaved to the bridge and up; inside, lo
 *   and eth0 up, the address, the default route.
 * What netfloor costs over the plain floor is the kernel's price for the
 * network; what runb costs over netfloor is runb's own. Like the floor it
 * is a dynamic binary that forks its container and has chroot(1) exec the
 * command, so the two differ by the network only. It needs the bridge
 * (runb-bridge, made by runb's warm-up run) and makes no cgroup, no lock, no
 * lease, no mount.
 *
 * usage: netfloor [-b BRIDGE] -a ADDR/PREFIX [-i N] -g GATEWAY ROOTFS CMD [ARG...]
 *        (-i N: the address plus N, for N of them started at once)
 *
 * Build: cc -O2 -o netfloor netfloor.c   (scripts/bench.sh does)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "netfloor: %s: %s\n", what, strerror(errno));
	exit(125);
}

struct req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rtm;
	};
	char buf[512];
};

static struct rtattr *put(struct req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_SPACE(len);
	return a;
}

static void end(struct req *r, struct rtattr *nest)
{
	nest->rta_len = (char *)r + r->nh.nlmsg_len - (char *)nest;
}

/* Send with NLM_F_ACK, read the ack: 0 or -1 with errno. */
static int talk(int fd, struct req *r)
{
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	ssize_t n;

	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, r, r->nh.nlmsg_len, 0) < 0 || (n = recv(fd, buf, sizeof(buf), 0)) < 0)
		return -1;
	if (nh->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(nh))->error) {
		errno = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		return -1;
	}
	return 0;
}

static int link_up(int fd, int index)
{
	struct req r = { .nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				 .nlmsg_type = RTM_NEWLINK },
			 .ifi = { .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP } };

	return talk(fd, &r);
}

/* The host side, in the caller's netns: veth HOST with its peer eth0 born in NETNS. */
static void host_side(const char *bridge, const char *host, int netns)
{
	struct req r = { .nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				 .nlmsg_type = RTM_NEWLINK,
				 .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL } };
	struct rtattr *info, *data, *peer;
	uint32_t ns = netns, master;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		die("socket");
	put(&r, IFLA_IFNAME, host, strlen(host) + 1);
	info = put(&r, IFLA_LINKINFO, NULL, 0);
	put(&r, IFLA_INFO_KIND, "veth", 4);
	data = put(&r, IFLA_INFO_DATA, NULL, 0);
	peer = put(&r, VETH_INFO_PEER, &(struct ifinfomsg){ 0 }, sizeof(struct ifinfomsg));
	put(&r, IFLA_IFNAME, "eth0", 5);
	put(&r, IFLA_NET_NS_FD, &ns, sizeof(ns));
	end(&r, peer);
	end(&r, data);
	end(&r, info);
	if (talk(fd, &r) < 0)
		die("ip link add veth");
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.nh.nlmsg_type = RTM_NEWLINK;
	r.ifi.ifi_index = if_nametoindex(host);
	master = if_nametoindex(bridge);
	if (!master)
		die(bridge);
	put(&r, IFLA_MASTER, &master, sizeof(master));
	if (talk(fd, &r) < 0)
		die("ip link set master");
	if (link_up(fd, if_nametoindex(host)) < 0)
		die("ip link set up");
	close(fd);
}

/* The container side, in the new netns: lo and eth0 up, the address, the default route. */
static void inside(struct in_addr addr, int prefix, struct in_addr gw)
{
	struct req r = { .nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
				 .nlmsg_type = RTM_NEWADDR,
				 .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL },
			 .ifa = { .ifa_family = AF_INET, .ifa_prefixlen = prefix } };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int eth = if_nametoindex("eth0");

	if (fd < 0 || !eth)
		die("eth0");
	if (link_up(fd, if_nametoindex("lo")) < 0)
		die("ip link set lo up");
	r.ifa.ifa_index = eth;
	put(&r, IFA_LOCAL, &addr, sizeof(addr));
	put(&r, IFA_ADDRESS, &addr, sizeof(addr));
	if (talk(fd, &r) < 0)
		die("ip address add");
	if (link_up(fd, eth) < 0)
		die("ip link set eth0 up");
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.nh.nlmsg_type = RTM_NEWROUTE;
	r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.rtm = (struct rtmsg){ .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
				.rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
				.rtm_type = RTN_UNICAST };
	put(&r, RTA_GATEWAY, &gw, sizeof(gw));
	if (talk(fd, &r) < 0)
		die("ip route add default");
	close(fd);
}

int main(int argc, char **argv)
{
	const char *bridge = "runb-bridge", *a = NULL, *g = NULL;
	struct in_addr addr, gw;
	char host[IFNAMSIZ], path[64], go;
	int c, prefix = 24, sync[2], status, index = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "+b:a:g:i:")) != -1)
		switch (c) {
		case 'b': bridge = optarg; break;
		case 'a': a = optarg; break;
		case 'g': g = optarg; break;
		case 'i': index = atoi(optarg); break;
		default: return 2;
		}
	if (!a || !g || argc - optind < 2)
		return fprintf(stderr, "usage: netfloor [-b BRIDGE] -a ADDR/PREFIX -g GW ROOTFS CMD...\n"), 2;
	if (strchr(a, '/'))
		prefix = atoi(strchr(a, '/') + 1), *strchr(a, '/') = '\0';
	if (inet_pton(AF_INET, a, &addr) != 1 || inet_pton(AF_INET, g, &gw) != 1)
		return fprintf(stderr, "netfloor: bad address\n"), 2;
	addr.s_addr = htonl(ntohl(addr.s_addr) + index);
	if (pipe2(sync, O_CLOEXEC) < 0)
		die("pipe");
	/* unshare --pid --uts --ipc --mount --cgroup --net --fork: the child waits for its veth */
	pid = syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS |
		      CLONE_NEWCGROUP | CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		close(sync[1]);
		if (read(sync[0], &go, 1) != 1)
			_exit(125);
		inside(addr, prefix, gw);
		argv[optind - 1] = "chroot";  /* chroot ROOTFS CMD..., as the floor */
		execvp("chroot", &argv[optind - 1]);
		die("exec chroot");
	}
	close(sync[0]);
	snprintf(host, sizeof(host), "nf%d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	c = open(path, O_RDONLY | O_CLOEXEC);
	if (c < 0)
		die(path);
	host_side(bridge, host, c);
	close(c);
	if (write(sync[1], "g", 1) != 1)
		die("write");
	close(sync[1]);
	if (waitpid(pid, &status, 0) < 0)
		die("wait");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
