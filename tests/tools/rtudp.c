// SPDX-License-Identifier: GPL-2.0
/*
 * rtudp: UDP senders from distinct bound source addresses and ports to
 * one receiver that reads with recvfrom, recvmsg or recv (no address),
 * for the sender-address tests (libc uprobes: tests/system/23-uprobes.t).
 *
 *	rtudp [--api recvfrom|recvmsg|recv] [--family 4|6] [--port P]
 *	      [--senders N] [--sport BASE] [--count C] [--size S]
 *	      [--gate FILE] [--expect FILE]
 *
 * Sender i (0..N-1) binds 127.0.0.(2+i) (IPv4) or ::1 (IPv6) port
 * BASE+i and sends C+i datagrams of S+i bytes to 127.0.0.1 or ::1 port
 * P; the receiver (this process) reads them all.  With --gate, the
 * senders and the receiver wait for FILE to exist first.  --expect writes
 * {"port":P,"api":"...","senders":[{"addr","port","calls","bytes"}...]}.
 */
#define _GNU_SOURCE
#define RT_TOOL "rtudp"
#include <sys/prctl.h>
#include <sys/stat.h>

#include "rtcommon.h"

static pid_t kids[64];
static int nr_kids;

static void cleanup(void)
{
	for (int i = 0; !g_is_child && i < nr_kids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
}

static void sender_addr(int family, int i, unsigned int port,
			struct sockaddr_storage *ss, socklen_t *len,
			char *text, size_t tlen)
{
	memset(ss, 0, sizeof(*ss));
	if (family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(i < 0 ? 1 :
							       2 + i));
		*len = sizeof(*a);
		inet_ntop(AF_INET, &a->sin_addr, text, (socklen_t)tlen);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		*len = sizeof(*a);
		snprintf(text, tlen, "::1");
	}
}

int main(int argc, char **argv)
{
	const char *api = "recvfrom", *gate = NULL, *expect = NULL;
	unsigned long long family = 4, port = 23500, senders = 3, sport = 23600;
	unsigned long long count = 20, size = 100, total = 0;
	struct sockaddr_storage dst;
	socklen_t dlen;
	char text[64];
	unsigned char buf[65536];
	int fd;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if ((v = opt_value(argc, argv, &i, "--api")))
			api = v;
		else if ((v = opt_value(argc, argv, &i, "--family")))
			family = parse_ull("--family", v, 4, 6);
		else if ((v = opt_value(argc, argv, &i, "--port")))
			port = parse_ull("--port", v, 1, 65535);
		else if ((v = opt_value(argc, argv, &i, "--senders")))
			senders = parse_ull("--senders", v, 1, 64);
		else if ((v = opt_value(argc, argv, &i, "--sport")))
			sport = parse_ull("--sport", v, 1, 65000);
		else if ((v = opt_value(argc, argv, &i, "--count")))
			count = parse_ull("--count", v, 1, 100000);
		else if ((v = opt_value(argc, argv, &i, "--size")))
			size = parse_ull("--size", v, 1, 60000);
		else if ((v = opt_value(argc, argv, &i, "--gate")))
			gate = v;
		else if ((v = opt_value(argc, argv, &i, "--expect")))
			expect = v;
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: rtudp [--api recvfrom|recvmsg|recv] "
			       "[--family 4|6] [--port P] [--senders N] "
			       "[--sport BASE] [--count C] [--size S] "
			       "[--gate FILE] [--expect FILE]\n");
			return 0;
		} else {
			usage_error("unknown argument '%s'", argv[i]);
		}
	}
	if (family != 4 && family != 6)
		usage_error("--family: 4 or 6");
	if (strcmp(api, "recvfrom") && strcmp(api, "recvmsg") &&
	    strcmp(api, "recv"))
		usage_error("--api '%s': recvfrom, recvmsg or recv", api);
	if (sport + senders > 65535)
		usage_error("--sport: the senders' ports pass 65535");

	fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die_errno("socket");
	set_big_rcvbuf(fd);
	sender_addr((int)family, -1, (unsigned int)port, &dst, &dlen, text,
		    sizeof(text));
	if (bind(fd, (struct sockaddr *)&dst, dlen))
		die_errno("bind receiver");
	for (unsigned long long i = 0; i < senders; i++)
		total += count + i;

	for (unsigned long long i = 0; i < senders; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die_errno("fork");
		if (pid == 0) {
			struct sockaddr_storage src;
			socklen_t slen;
			int s;

			g_is_child = 1;
			snprintf(g_tag, sizeof(g_tag), "rtudp sender %llu", i);
			prctl(PR_SET_NAME, "rtu-send");
			s = socket(family == 4 ? AF_INET : AF_INET6,
				   SOCK_DGRAM, 0);
			sender_addr((int)family, (int)i,
				    (unsigned int)(sport + i), &src, &slen,
				    text, sizeof(text));
			if (s < 0 || bind(s, (struct sockaddr *)&src, slen))
				die_errno("bind sender");
			while (gate && access(gate, F_OK))
				sleep_ms(10);
			for (unsigned long long k = 0; k < count + i; k++) {
				memset(buf, (int)('a' + i), size + i);
				if (sendto(s, buf, size + i, 0,
					   (struct sockaddr *)&dst, dlen) !=
				    (ssize_t)(size + i))
					die_errno("sendto");
				if (k % 16 == 15)
					sleep_ms(1);
			}
			_exit(0);
		}
		kids[nr_kids++] = pid;
	}
	prctl(PR_SET_NAME, "rtu-recv");
	set_rcvtimeo(fd, 10, 0);
	/* no receive in flight before the gate: a tracer started meanwhile
	 * sees every one from its syscall entry on */
	while (gate && access(gate, F_OK))
		sleep_ms(10);
	for (unsigned long long k = 0; k < total; k++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n;

		if (!strcmp(api, "recvfrom"))
			n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);
		else if (!strcmp(api, "recvmsg"))
			n = recvmsg(fd, &mh, 0);
		else
			n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			die("%s: %s after %llu of %llu datagrams", api,
			    strerror(errno), k, total);
	}
	for (int i = 0; i < nr_kids; i++) {
		int st;

		if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			die("sender %d failed", i);
		kids[i] = 0;
	}
	f = open_expect(expect);
	fprintf(f, "{\"port\":%llu,\"api\":\"%s\",\"senders\":[", port, api);
	for (unsigned long long i = 0; i < senders; i++) {
		struct sockaddr_storage src;
		socklen_t slen;

		sender_addr((int)family, (int)i, (unsigned int)(sport + i),
			    &src, &slen, text, sizeof(text));
		fprintf(f, "%s{\"addr\":\"%s\",\"port\":%llu,\"calls\":%llu,"
			"\"bytes\":%llu}", i ? "," : "", text, sport + i,
			count + i, (count + i) * (size + i));
	}
	fprintf(f, "]}\n");
	return close_expect(f, expect);
}
