/*
 * rtpeer - TCP connections with exactly known bytes per peer, for the
 * peers tests of recvtop.
 *
 *   rtpeer [--family 4|6] [--port P] [--conns N] [--lport L] [--req S]
 *          [--resp R] [--gate FILE] [--ready FILE] [--hold-ms MS]
 *          [--linger-ms MS]
 *          [--expect FILE]
 *
 * A server process (comm rtp-server) listens on 127.0.0.1:P (::1 with
 * --family 6; P 0: a free port) and a client process (rtp-client) makes
 * N connections to it one after another: each connects (bound to local
 * port L+i when --lport L is given, else an ephemeral one), send()s S
 * bytes in one call, recv(MSG_WAITALL)s the R bytes the server send()s
 * back in one call, and closes; the server accept()s, recv(MSG_WAITALL)s
 * the S bytes, send()s R bytes and closes after the client did (it reads
 * the end of the stream first: a recv() returning 0).
 *
 * So per connection, the client's peer (server address, port P, local
 * port the client's) has 1 send call of S bytes and 1 receive of R; the
 * server's peer (client address, client port, local port P) has 1 send
 * of R and 2 receive calls (S bytes, then the end: 0 bytes).
 *
 * --gate FILE: every connection is made first; the bytes flow only once
 * FILE exists (connections older than a recvtop started in between).
 * --ready FILE: written (then renamed into place) when the connections
 * are made and the processes wait at the gate.
 * --hold-ms MS: both processes stay MS ms after the last byte (so a
 * tracer reads their names).
 * --linger-ms MS: with --gate, the client closes its connections MS ms
 * after their bytes flowed, not at once (a tracer started at the gate
 * still finds them open in the socket tables while it starts).
 *
 * --expect FILE: the JSON of what was done:
 *   {"family":"inet","addr":"127.0.0.1","port":P,"server_pid":..,
 *    "client_pid":..,"conns":N,"req":S,"resp":R,"client_ports":[...]}
 */
#define RT_TOOL "rtpeer"
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "rtcommon.h"

#define MAX_CONNS 20000

static pid_t g_server = -1, g_client = -1;

static void cleanup(void)
{
	if (g_is_child)
		return;
	if (g_server > 0)
		kill(g_server, SIGKILL);
	if (g_client > 0)
		kill(g_client, SIGKILL);
}

struct opts {
	int family;
	unsigned int port, lport;
	unsigned long conns, req, resp, hold_ms, linger_ms;
	const char *gate, *ready, *expect;
};

static socklen_t sa_of(const struct opts *o, unsigned int port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (o->family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_loopback;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*s4);
}

static unsigned int port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void wait_gate(const char *gate)
{
	struct stat st;

	while (gate && stat(gate, &st))
		sleep_ms(5);
}

static void recv_exact(int fd, unsigned char *buf, size_t len,
		       const char *what)
{
	ssize_t r = recv(fd, buf, len, MSG_WAITALL);

	if (r < 0)
		die("%s: recv: %s", what, strerror(errno));
	if ((size_t)r != len)
		die("%s: recv returned %zd of %zu bytes", what, r, len);
}

static void send_one(int fd, const unsigned char *buf, size_t len,
		     const char *what)
{
	ssize_t r = send(fd, buf, len, 0);

	if (r < 0)
		die("%s: send: %s", what, strerror(errno));
	if ((size_t)r != len)
		die("%s: send sent %zd of %zu bytes", what, r, len);
}

/* a forked server or client: its name, and a buffer for the larger of
 * the two messages filled with c */
static unsigned char *child_begin(const struct opts *o, const char *role,
				  char c)
{
	size_t big = o->req > o->resp ? o->req : o->resp;
	unsigned char *buf = malloc(big ? big : 1);
	char comm[16];

	g_is_child = 1;
	snprintf(g_tag, sizeof(g_tag), "rtpeer %s", role);
	snprintf(comm, sizeof(comm), "rtp-%s", role);
	prctl(PR_SET_NAME, comm);
	if (!buf)
		die("out of memory");
	memset(buf, c, big ? big : 1);
	return buf;
}

/* one connection's exchange, server side */
static void serve_one(const struct opts *o, int fd, unsigned char *buf)
{
	if (o->req)
		recv_exact(fd, buf, o->req, "server");
	if (o->resp)
		send_one(fd, buf, o->resp, "server");
}

/* the client's end of one connection, then ours */
static void serve_end(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, 0);

	if (r != 0)
		die("server: expected the end of the stream, recv gave %zd", r);
	close(fd);
}

static void __attribute__((noreturn)) server(const struct opts *o, int lfd,
					     int *fds)
{
	unsigned char *buf = child_begin(o, "server", 'r');
	for (unsigned long i = 0; i < o->conns; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die_errno("accept");
		if (o->gate) {
			/* made now, used once the gate opens */
			fds[i] = fd;
			continue;
		}
		serve_one(o, fd, buf);
		serve_end(fd);
	}
	if (o->gate) {
		/* every exchange, then every end: the client may hold its
		 * connections open after their bytes (--linger-ms) */
		wait_gate(o->gate);
		for (unsigned long i = 0; i < o->conns; i++)
			serve_one(o, fds[i], buf);
		for (unsigned long i = 0; i < o->conns; i++)
			serve_end(fds[i]);
	}
	sleep_ms(o->hold_ms);
	_exit(0);
}

static int client_connect(const struct opts *o, unsigned long i,
			  unsigned int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(o->family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		die_errno("socket");
	if (o->lport) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			die_errno("setsockopt(SO_REUSEADDR)");
		len = sa_of(o, o->lport + (unsigned int)i, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len))
			die("bind to local port %lu: %s", o->lport + i,
			    strerror(errno));
	}
	len = sa_of(o, port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len))
		die_errno("connect");
	return fd;
}

/* one connection's exchange, client side; the caller closes fd */
static void client_one(const struct opts *o, int fd, unsigned char *buf)
{
	if (o->req)
		send_one(fd, buf, o->req, "client");
	if (o->resp)
		recv_exact(fd, buf, o->resp, "client");
}

static void __attribute__((noreturn)) client(const struct opts *o,
					     unsigned int port, int pfd,
					     int *fds)
{
	unsigned char *buf = child_begin(o, "client", 'q');
	for (unsigned long i = 0; i < o->conns; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		unsigned int lp;
		int fd = client_connect(o, i, port);

		if (getsockname(fd, (struct sockaddr *)&ss, &len))
			die_errno("getsockname");
		lp = port_of(&ss);
		if (write(pfd, &lp, sizeof(lp)) != (ssize_t)sizeof(lp))
			die_errno("write to the parent");
		if (o->gate) {
			fds[i] = fd;
			continue;
		}
		client_one(o, fd, buf);
		close(fd);
	}
	close(pfd);
	if (o->gate) {
		wait_gate(o->gate);
		for (unsigned long i = 0; i < o->conns; i++)
			client_one(o, fds[i], buf);
		sleep_ms(o->linger_ms);
		for (unsigned long i = 0; i < o->conns; i++)
			close(fds[i]);
	}
	sleep_ms(o->hold_ms);
	_exit(0);
}

static void write_ready(const char *path)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || close(fd) || rename(tmp, path))
		die("%s: %s", path, strerror(errno));
}

static int reap(pid_t pid, const char *who)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		die_errno("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "rtpeer: the %s failed\n", who);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .family = 4, .conns = 1, .req = 1000, .resp = 3000 };
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned int *ports, port;
	int lfd, one = 1, pp[2], *fds;
	FILE *f;
	int bad;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if ((v = opt_value(argc, argv, &i, "--family")))
			o.family = (int)parse_ull("--family", v, 4, 6);
		else if ((v = opt_value(argc, argv, &i, "--port")))
			o.port = (unsigned int)parse_ull("--port", v, 0, 65535);
		else if ((v = opt_value(argc, argv, &i, "--lport")))
			o.lport = (unsigned int)parse_ull("--lport", v, 1, 65535);
		else if ((v = opt_value(argc, argv, &i, "--conns")))
			o.conns = parse_ull("--conns", v, 1, MAX_CONNS);
		else if ((v = opt_value(argc, argv, &i, "--req")))
			o.req = parse_ull("--req", v, 0, 1 << 20);
		else if ((v = opt_value(argc, argv, &i, "--resp")))
			o.resp = parse_ull("--resp", v, 0, 1 << 20);
		else if ((v = opt_value(argc, argv, &i, "--hold-ms")))
			o.hold_ms = parse_ull("--hold-ms", v, 0, 600000);
		else if ((v = opt_value(argc, argv, &i, "--linger-ms")))
			o.linger_ms = parse_ull("--linger-ms", v, 0, 600000);
		else if ((v = opt_value(argc, argv, &i, "--gate")))
			o.gate = v;
		else if ((v = opt_value(argc, argv, &i, "--ready")))
			o.ready = v;
		else if ((v = opt_value(argc, argv, &i, "--expect")))
			o.expect = v;
		else if (!strcmp(argv[i], "--help")) {
			puts("usage: rtpeer [--family 4|6] [--port P] [--conns N] "
			     "[--lport L] [--req S] [--resp R] [--gate FILE] "
			     "[--ready FILE] [--hold-ms MS] [--linger-ms MS] [--expect FILE]");
			return 0;
		} else
			usage_error("unknown option '%s'", argv[i]);
	}
	if (o.family != 4 && o.family != 6)
		usage_error("--family: 4 or 6");
	if (o.lport && o.lport + o.conns - 1 > 65535)
		usage_error("--lport %u: %lu connections go past 65535", o.lport,
			    o.conns);
	ports = calloc(o.conns, sizeof(*ports));
	fds = calloc(o.conns, sizeof(*fds));
	if (!ports || !fds)
		die("out of memory");

	lfd = socket(o.family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die_errno("socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die_errno("setsockopt(SO_REUSEADDR)");
	len = sa_of(&o, o.port, &ss);
	if (bind(lfd, (struct sockaddr *)&ss, len))
		die("bind to port %u: %s", o.port, strerror(errno));
	if (listen(lfd, 4096))
		die_errno("listen");
	len = sizeof(ss);
	if (getsockname(lfd, (struct sockaddr *)&ss, &len))
		die_errno("getsockname");
	port = port_of(&ss);
	if (pipe(pp))
		die_errno("pipe");

	g_server = fork();
	if (g_server < 0)
		die_errno("fork");
	if (!g_server) {
		close(pp[0]);
		close(pp[1]);
		server(&o, lfd, fds);
	}
	g_client = fork();
	if (g_client < 0)
		die_errno("fork");
	if (!g_client) {
		close(pp[0]);
		close(lfd);
		client(&o, port, pp[1], fds);
	}
	close(pp[1]);
	close(lfd);
	for (unsigned long i = 0; i < o.conns; i++) {
		size_t got = 0;

		while (got < sizeof(ports[i])) {
			ssize_t r = read(pp[0], (char *)&ports[i] + got,
					 sizeof(ports[i]) - got);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				die("the client ended before connection %lu", i);
			got += (size_t)r;
		}
	}
	close(pp[0]);
	if (o.ready) {
		/* the server has accepted them all once the client made
		 * them (the backlog holds every one) */
		write_ready(o.ready);
	}
	bad = reap(g_client, "client");
	g_client = -1;
	bad |= reap(g_server, "server");
	g_server = -1;
	if (bad)
		return 1;
	f = o.expect ? fopen(o.expect, "w") : stdout;
	if (!f)
		die("%s: %s", o.expect, strerror(errno));
	fprintf(f, "{\"family\":\"%s\",\"addr\":\"%s\",\"port\":%u,"
		"\"conns\":%lu,\"req\":%lu,\"resp\":%lu,\"client_ports\":[",
		o.family == 6 ? "inet6" : "inet",
		o.family == 6 ? "::1" : "127.0.0.1", port, o.conns, o.req,
		o.resp);
	for (unsigned long i = 0; i < o.conns; i++)
		fprintf(f, "%s%u", i ? "," : "", ports[i]);
	fprintf(f, "]}\n");
	if (f != stdout && fclose(f))
		die("%s: %s", o.expect, strerror(errno));
	return 0;
}
