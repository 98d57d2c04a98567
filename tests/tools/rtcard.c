// SPDX-License-Identifier: GPL-2.0
/*
 * rtcard - cardinality workloads for recvtop's reliability tests: many
 * processes, or many distinct senders, each with exactly known receive
 * calls.
 *
 *   rtcard procs --procs N [--calls K] [--size S] [--parallel P]
 *                [--comm NAME] [--hold-ms MS] [--expect FILE]
 *	N short-lived processes (comm "rtc-proc", or NAME: any bytes, cut
 *	to 15 by the kernel), at most P alive at once, each living MS more
 *	after its receives (default 0).
 *	Each sends itself K datagrams of S bytes on a socketpair, receives
 *	them with K recv() calls (recvfrom without an address), then makes
 *	one more that fails with EAGAIN: K + 1 calls, K * S bytes, 1 error
 *	(EAGAIN) per process.  The parent (comm "rtcard") receives nothing.
 *
 *   rtcard peers --peers N [--calls K] [--size S] [--expect FILE]
 *	One process (comm "rtc-peers") receives K datagrams of S bytes from
 *	each of N distinct IPv4 senders 127.A.B.C (C in 1..254, A from 1),
 *	all from the same source port: one UDP socket sends them with
 *	IP_PKTINFO choosing the source address per datagram.  The receiver
 *	checks every sender address.  Batches are small enough for the
 *	receive buffer, so nothing is dropped.
 *
 * The expectations go to FILE (default stdout) as one JSON object.
 * Exit status 0 only when every call happened as planned.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_N 10000000UL
#define MAX_SIZE 1400UL
#define BATCH 64

static struct {
	int mode;			/* 0 procs, 1 peers */
	unsigned long n, calls, size, parallel, hold_ms;
	const char *expect;
	const char *comm;
} opt = { .calls = 2, .size = 32, .parallel = 8, .comm = "rtc-proc" };

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("rtcard: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long num(const char *name, const char *s, unsigned long min,
			 unsigned long max)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		die("%s: expected a number", name);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		die("%s: '%s' is not a number in %lu..%lu", name, s, min, max);
	return v;
}

static void parse_args(int argc, char **argv)
{
	if (argc < 2)
		die("usage: rtcard procs|peers ... (see the source)");
	if (!strcmp(argv[1], "procs"))
		opt.mode = 0;
	else if (!strcmp(argv[1], "peers"))
		opt.mode = 1;
	else
		die("unknown mode '%s'", argv[1]);
	if (opt.mode == 1)
		opt.calls = 1;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--procs") && opt.mode == 0)
			opt.n = num(a, v, 1, MAX_N);
		else if (!strcmp(a, "--peers") && opt.mode == 1)
			opt.n = num(a, v, 1, MAX_N);
		else if (!strcmp(a, "--calls"))
			opt.calls = num(a, v, 1, 1000);
		else if (!strcmp(a, "--size"))
			opt.size = num(a, v, 1, MAX_SIZE);
		else if (!strcmp(a, "--parallel") && opt.mode == 0)
			opt.parallel = num(a, v, 1, 256);
		else if (!strcmp(a, "--hold-ms") && opt.mode == 0)
			opt.hold_ms = num(a, v, 1, 60000);
		else if (!strcmp(a, "--comm") && opt.mode == 0 && v && *v)
			opt.comm = v;
		else if (!strcmp(a, "--expect") && v && *v)
			opt.expect = v;
		else
			die("unknown or incomplete argument '%s'", a);
		i++;
	}
	if (!opt.n)
		die("%s mode needs %s N", argv[1],
		    opt.mode ? "--peers" : "--procs");
}

static FILE *open_expect(void)
{
	FILE *f = opt.expect ? fopen(opt.expect, "we") : stdout;

	if (!f)
		die("cannot open %s: %s", opt.expect, strerror(errno));
	return f;
}

static void close_expect(FILE *f)
{
	if (fflush(f) || ferror(f) || (f != stdout && fclose(f)))
		die("writing %s failed: %s", opt.expect ? opt.expect : "stdout",
		    strerror(errno));
}

/* ---- procs ---- */

static void __attribute__((noreturn)) proc_child(void)
{
	char buf[MAX_SIZE + 1];
	int sv[2];

	prctl(PR_SET_NAME, opt.comm, 0, 0, 0);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		_exit(10);
	memset(buf, 'p', sizeof(buf));
	for (unsigned long k = 0; k < opt.calls; k++)
		if (send(sv[1], buf, opt.size, 0) != (ssize_t)opt.size)
			_exit(11);
	for (unsigned long k = 0; k < opt.calls; k++)
		if (recvfrom(sv[0], buf, sizeof(buf), 0, NULL, NULL) !=
		    (ssize_t)opt.size)
			_exit(12);
	if (recvfrom(sv[0], buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL) != -1 ||
	    errno != EAGAIN)
		_exit(13);
	if (opt.hold_ms)
		usleep((useconds_t)(opt.hold_ms * 1000));
	_exit(0);
}

static int run_procs(void)
{
	pid_t *pids = calloc(opt.n, sizeof(*pids));
	unsigned long started = 0, alive = 0, bad = 0;
	FILE *f;

	if (!pids)
		die("out of memory");
	f = open_expect();
	prctl(PR_SET_NAME, "rtcard", 0, 0, 0);
	fflush(NULL);
	while (started < opt.n || alive) {
		int st;
		pid_t p;

		if (started < opt.n && alive < opt.parallel) {
			p = fork();
			if (p < 0) {
				if (errno == EAGAIN && alive)
					goto reap;
				die("fork: %s", strerror(errno));
			}
			if (p == 0)
				proc_child();
			pids[started++] = p;
			alive++;
			continue;
		}
reap:
		p = waitpid(-1, &st, 0);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			die("waitpid: %s", strerror(errno));
		}
		alive--;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			bad++;
			fprintf(stderr, "rtcard: child %d failed (status %#x)\n",
				(int)p, st);
		}
	}
	if (bad)
		die("%lu of %lu processes failed; no expectations written", bad,
		    opt.n);
	fprintf(f, "{\"mode\":\"procs\",\"procs\":%lu,\"calls_per_proc\":%lu,"
		"\"bytes_per_proc\":%lu,\"errors_per_proc\":1,\"calls\":%lu,"
		"\"bytes\":%lu,\"errors\":%lu,\"eagain\":%lu,\"parent\":%d,"
		"\"pids\":[", opt.n, opt.calls + 1, opt.calls * opt.size,
		opt.n * (opt.calls + 1), opt.n * opt.calls * opt.size, opt.n,
		opt.n, (int)getpid());
	for (unsigned long i = 0; i < opt.n; i++)
		fprintf(f, "%s%d", i ? "," : "", (int)pids[i]);
	fputs("]}\n", f);
	close_expect(f);
	free(pids);
	return 0;
}

/* ---- peers ---- */

/* sender number i -> 127.A.B.C, C in 1..254 */
static struct in_addr peer_addr(unsigned long i)
{
	unsigned long c = i % 254 + 1, r = i / 254;
	struct in_addr a;

	a.s_addr = htonl((127u << 24) | (u_int32_t)((r / 256 + 1) << 16) |
			 (u_int32_t)((r % 256) << 8) | (u_int32_t)c);
	return a;
}

static void send_from(int fd, const struct sockaddr_in *to, unsigned long i,
		      const char *buf)
{
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = opt.size };
	struct msghdr m = {
		.msg_name = (void *)to, .msg_namelen = sizeof(*to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	struct in_pktinfo pi;

	memset(cbuf, 0, sizeof(cbuf));
	memset(&pi, 0, sizeof(pi));
	pi.ipi_spec_dst = peer_addr(i);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	for (;;) {
		ssize_t r = sendmsg(fd, &m, 0);

		if (r == (ssize_t)opt.size)
			return;
		if (r < 0 && (errno == EINTR || errno == ENOBUFS))
			continue;
		die("sendmsg from %s: %s", inet_ntoa(pi.ipi_spec_dst),
		    r < 0 ? strerror(errno) : "short send");
	}
}

static int run_peers(void)
{
	struct sockaddr_in rx = { .sin_family = AF_INET }, tx = rx, from;
	socklen_t len = sizeof(rx);
	int rfd, sfd, big = 4 << 20;
	char buf[MAX_SIZE + 1];
	unsigned long total = opt.n * opt.calls, sent = 0, got = 0;
	struct timeval tv = { .tv_sec = 5 };
	FILE *f = open_expect();

	prctl(PR_SET_NAME, "rtc-peers", 0, 0, 0);
	memset(buf, 'q', sizeof(buf));
	rx.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rfd < 0 || sfd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(rfd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(rfd, (struct sockaddr *)&rx, sizeof(rx)) ||
	    getsockname(rfd, (struct sockaddr *)&rx, &len))
		die("bind receiver: %s", strerror(errno));
	/* any address, one port: the source address comes per datagram */
	len = sizeof(tx);
	if (bind(sfd, (struct sockaddr *)&tx, sizeof(tx)) ||
	    getsockname(sfd, (struct sockaddr *)&tx, &len))
		die("bind sender: %s", strerror(errno));

	while (got < total) {
		unsigned long b = 0;

		/* peer i's k-th datagram is number k * N + i */
		while (b < BATCH && sent < total) {
			send_from(sfd, &rx, sent % opt.n, buf);
			sent++;
			b++;
		}
		while (b--) {
			struct in_addr want = peer_addr(got % opt.n);
			ssize_t r;

			len = sizeof(from);
			r = recvfrom(rfd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &len);
			if (r != (ssize_t)opt.size)
				die("recvfrom: %s", r < 0 ? strerror(errno) :
				    "unexpected size");
			if (from.sin_addr.s_addr != want.s_addr ||
			    from.sin_port != tx.sin_port)
				die("datagram %lu from %s:%u, expected %s", got,
				    inet_ntoa(from.sin_addr),
				    ntohs(from.sin_port), inet_ntoa(want));
			got++;
		}
	}
	fprintf(f, "{\"mode\":\"peers\",\"peers\":%lu,\"calls_per_peer\":%lu,"
		"\"bytes_per_peer\":%lu,\"calls\":%lu,\"bytes\":%lu,"
		"\"pid\":%d,\"comm\":\"rtc-peers\",\"port\":%u,"
		"\"first\":\"%s\",", opt.n, opt.calls, opt.calls * opt.size,
		total, total * opt.size, (int)getpid(), ntohs(tx.sin_port),
		inet_ntoa(peer_addr(0)));
	fprintf(f, "\"last\":\"%s\"}\n", inet_ntoa(peer_addr(opt.n - 1)));
	close_expect(f);
	return 0;
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	return opt.mode ? run_peers() : run_procs();
}
