// SPDX-License-Identifier: GPL-2.0
/*
 * rtmc: a memcached text-protocol client for the tests where no Python
 * runs (the VM guests): N "set" of sizes 1..20000 and a "get" of each,
 * spread over C connections, every answer waited for; then "stats" on a
 * new connection, and memcached's own bytes_read and bytes_written
 * printed, with the size of that stats reply (written after the counter
 * was taken):
 *
 *   rtmc PORT [N] [C]        defaults 2000 and 4
 *   -> "bytes_read B\nbytes_written W\nreply_bytes R\ncommands K\n",
 *      exit 0; a message and exit 1 else
 *
 *   rtmc --redis-info PORT
 *   -> redis-server's INFO stats: "total_net_input_bytes I\n
 *      total_net_output_bytes O\nreply_bytes R\n" (R: the reply's size on
 *      the wire, a RESP bulk string)
 *
 * Waits up to 10 s for the server to accept connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 16
#define MAX_VALUE 20000

static void die(const char *what)
{
	fprintf(stderr, "rtmc: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int connect_to(int port, int tries)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timespec ts = { 0, 100000000 };

	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < tries; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		nanosleep(&ts, NULL);
	}
	die("connect");
	return -1;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		p += w;
		n -= (size_t)w;
	}
}

/* one more recv() after the n bytes in buf (of cap); the new n, buf ends
 * with a NUL */
static size_t recv_more(int fd, char *buf, size_t n, size_t cap)
{
	ssize_t r;

	do {
		r = recv(fd, buf + n, cap - 1 - n, 0);
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		errno = r ? errno : ECONNRESET;
		die("recv");
	}
	n += (size_t)r;
	buf[n] = 0;
	return n;
}

/* read until the answer ends with want; the answer stays in buf */
static size_t answer(int fd, char *buf, size_t cap, const char *want)
{
	size_t n = 0, wl = strlen(want);

	for (;;) {
		n = recv_more(fd, buf, n, cap);
		if (n >= wl && !memcmp(buf + n - wl, want, wl))
			return n;
		if (n + 1 >= cap) {
			errno = EMSGSIZE;
			die("answer");
		}
	}
}

/* the value of "name" + digits in text, or -1 */
static long long stat_of(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtoll(p + strlen(name), NULL, 10) : -1;
}

static int redis_info(int port)
{
	static char buf[65536];
	int fd = connect_to(port, 100);
	size_t n = 0;
	long long len = -1;
	char *eol;

	send_all(fd, "INFO stats\r\n", 12);
	for (;;) {
		n = recv_more(fd, buf, n, sizeof(buf));
		eol = strstr(buf, "\r\n");
		if (buf[0] != '$' || (!eol && n + 1 >= sizeof(buf))) {
			errno = EPROTO;
			die("INFO reply");
		}
		if (eol)
			len = strtoll(buf + 1, NULL, 10) + (eol - buf) + 4;
		if (len > 0 && (long long)n >= len)
			break;
		if (n + 1 >= sizeof(buf)) {
			errno = EMSGSIZE;
			die("INFO reply");
		}
	}
	close(fd);
	printf("total_net_input_bytes %lld\ntotal_net_output_bytes %lld\n"
	       "reply_bytes %zu\n", stat_of(buf, "total_net_input_bytes:"),
	       stat_of(buf, "total_net_output_bytes:"), n);
	return 0;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 0;
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	int nc = argc > 3 ? atoi(argv[3]) : 4;
	static char req[MAX_VALUE + 128], buf[MAX_VALUE + 4096];
	int conns[MAX_CONNS], commands = 0;
	size_t reply;

	if (argc == 3 && !strcmp(argv[1], "--redis-info") && atoi(argv[2]) > 0)
		return redis_info(atoi(argv[2]));
	if (port <= 0 || port > 65535 || n <= 0 || nc <= 0 || nc > MAX_CONNS) {
		fprintf(stderr, "usage: rtmc PORT [N] [C<=%d]\n", MAX_CONNS);
		return 2;
	}
	conns[0] = connect_to(port, 100);
	for (int i = 1; i < nc; i++)
		conns[i] = connect_to(port, 1);
	for (int i = 0; i < n; i++) {
		int fd = conns[i % nc];
		int size = 1 + (i * 7919) % MAX_VALUE;
		int h = snprintf(req, sizeof(req), "set k%d 0 0 %d\r\n",
				 i % 500, size);

		memset(req + h, 'x', (size_t)size);
		memcpy(req + h + size, "\r\n", 2);
		send_all(fd, req, (size_t)h + (size_t)size + 2);
		answer(fd, buf, sizeof(buf), "STORED\r\n");
		h = snprintf(req, sizeof(req), "get k%d\r\n", i % 500);
		send_all(fd, req, (size_t)h);
		answer(fd, buf, sizeof(buf), "END\r\n");
		commands += 2;
	}
	for (int i = 0; i < nc; i++)
		close(conns[i]);
	conns[0] = connect_to(port, 1);
	send_all(conns[0], "stats\r\n", 7);
	reply = answer(conns[0], buf, sizeof(buf), "END\r\n");
	close(conns[0]);
	if (stat_of(buf, "STAT bytes_read ") < 0 ||
	    stat_of(buf, "STAT bytes_written ") < 0) {
		fprintf(stderr, "rtmc: no bytes_read or bytes_written in the "
			"stats\n");
		return 1;
	}
	printf("bytes_read %lld\nbytes_written %lld\nreply_bytes %zu\n"
	       "commands %d\n", stat_of(buf, "STAT bytes_read "),
	       stat_of(buf, "STAT bytes_written "), reply, commands);
	return 0;
}
