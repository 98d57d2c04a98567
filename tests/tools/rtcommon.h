/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test tools (rtgen, rttx, rtmem) share: dying with a message,
 * options and their numbers, the clock, the datagram payload, loopback
 * sockets and the JSON of --expect.  Each tool is one .c file built on
 * its own; it defines RT_TOOL (its name in messages) and _GNU_SOURCE,
 * includes this after its system headers, and defines
 *
 *	static void cleanup(void);	what die() undoes before exiting
 *
 * g_tag (the name die() prints: RT_TOOL, a child's own) and g_is_child
 * (die() then ends with _exit) are here.
 */
#ifndef RT_TOOLS_COMMON_H
#define RT_TOOLS_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char g_tag[64] = RT_TOOL;
static int g_is_child;

static void cleanup(void);

/*
 * The end of the run: a line on stderr, "who: message" and then; what
 * cleanup() undoes, and the exit with status (_exit in a child)
 */
static inline void __attribute__((format(printf, 4, 5), noreturn))
quit(int status, const char *who, const char *then, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s%s\n", who, msg, then);
	cleanup();
	if (g_is_child)
		_exit(status);
	exit(status);
}

/* an error: exit status 1 */
#define die(...) quit(1, g_tag, "", __VA_ARGS__)
#define die_errno(what) die("%s: %s", (what), strerror(errno))
/* a bad command line: exit status 2 */
#define usage_error(...) quit(2, RT_TOOL, " (try --help)", __VA_ARGS__)

static inline double now_mono(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die_errno("clock_gettime");
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_us(unsigned long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (long)(us % 1000000) * 1000L,
	};

	while (nanosleep(&ts, &ts)) {
		if (errno != EINTR)
			die_errno("nanosleep");
	}
}

static inline void sleep_ms(unsigned long ms)
{
	sleep_us(ms * 1000);
}

/* ---------------------------------------------------------------- args */

static inline unsigned long long parse_ull(const char *name, const char *s,
					   unsigned long long min,
					   unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		usage_error("%s: expected a number, got '%s'", name, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		usage_error("%s: invalid number '%s'", name, s);
	if (v < min || v > max)
		usage_error("%s: %llu out of range [%llu, %llu]", name, v, min, max);
	return v;
}

/* Match "--name value" or "--name=value"; returns the value or NULL. */
static inline const char *opt_value(int argc, char **argv, int *i,
				    const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc)
		usage_error("%s needs a value", name);
	return argv[++*i];
}

/*
 * The scenarios of a comma-separated list into out, at most max: each
 * one of nr names, stride bytes apart (an array of names, or of structs
 * that begin with one); valid: the names an error lists.
 */
static inline int parse_scenarios(const char *list, const void *names,
				  size_t stride, int nr, int *out, int max,
				  const char *valid)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int n = 0;

	if (!copy)
		die_errno("strdup");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int k, found = -1;

		for (k = 0; k < nr; k++) {
			const char *name = *(const char *const *)
				((const char *)names + (size_t)k * stride);

			if (!strcmp(tok, name))
				found = k;
		}
		if (found < 0) {
			fprintf(stderr, RT_TOOL ": unknown scenario '%s' (valid: %s)\n",
				tok, valid);
			free(copy);
			exit(2);
		}
		if (n >= max) {
			free(copy);
			usage_error("too many scenarios (max %d)", max);
		}
		out[n++] = found;
	}
	free(copy);
	if (!n)
		usage_error("--scenarios: empty list");
	return n;
}

/* ------------------------------------------------------------- payload */

/* a message: its sequence number, then a pattern */
static inline void fill_payload(unsigned char *p, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seq * 31u + i * 7u + 0x5a);
	if (len >= sizeof(seq))
		memcpy(p, &seq, sizeof(seq));
}

static inline void check_payload(const unsigned char *p, size_t len,
				 uint32_t seq)
{
	uint32_t got;
	size_t i = 0;

	if (len >= sizeof(seq)) {
		memcpy(&got, p, sizeof(got));
		if (got != seq)
			die("message %u: got sequence number %u (lost or reordered data)",
			    seq, got);
		i = sizeof(seq);
	}
	for (; i < len; i++) {
		if (p[i] != (unsigned char)(seq * 31u + i * 7u + 0x5a))
			die("message %u: corrupted payload at byte %zu", seq, i);
	}
}

/* write() all of buf (count: the write() calls, if not NULL) */
static inline void write_all(int fd, const void *buf, size_t len,
			     const char *what, unsigned long long *count)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (count)
			(*count)++;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("%s: write: %s", what, strerror(errno));
		if (r == 0)
			die("%s: write returned 0", what);
		p += r;
		len -= (size_t)r;
	}
}

/* ------------------------------------------------------------- sockets */

static inline void set_rcvtimeo(int fd, long sec, long usec)
{
	struct timeval tv = { .tv_sec = sec, .tv_usec = usec };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die_errno("setsockopt(SO_RCVTIMEO)");
}

/* Ask for a big receive (tx: send) buffer; returns the effective size. */
static inline int set_big_buf(int fd, int tx)
{
	int want = 4 << 20, got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, tx ? SO_SNDBUFFORCE : SO_RCVBUFFORCE,
		       &want, sizeof(want)) &&
	    setsockopt(fd, SOL_SOCKET, tx ? SO_SNDBUF : SO_RCVBUF, &want,
		       sizeof(want)))
		die_errno(tx ? "setsockopt(SO_SNDBUF)" : "setsockopt(SO_RCVBUF)");
	if (getsockopt(fd, SOL_SOCKET, tx ? SO_SNDBUF : SO_RCVBUF, &got, &len))
		die_errno(tx ? "getsockopt(SO_SNDBUF)" : "getsockopt(SO_RCVBUF)");
	return got;
}

static inline int set_big_rcvbuf(int fd)
{
	return set_big_buf(fd, 0);
}

/*
 * Datagrams of size bytes that always fit a receive buffer of rcvbuf
 * (1 to max).  Per datagram memory (truesize) is estimated generously:
 * the data rounded up to a power of two (kmalloc), plus sk_buff and
 * skb_shared_info overhead; then a factor 2 of margin.
 */
static inline unsigned long dgram_fit(int rcvbuf, unsigned long size,
				      unsigned long max)
{
	unsigned long est = 1, n;

	while (est < size + 512)
		est <<= 1;
	est += 1024;
	n = (unsigned long)rcvbuf / (2 * est);
	if (n < 1)
		n = 1;
	if (n > max)
		n = max;
	return n;
}

/* a socket bound to the loopback address of family, *ss its address */
static inline int loopback_socket(int family, int type,
				  struct sockaddr_storage *ss,
				  socklen_t *sslen)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_errno("socket");
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		*sslen = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)ss, *sslen))
		die("bind to %s loopback: %s",
		    family == AF_INET ? "127.0.0.1" : "::1", strerror(errno));
	if (getsockname(fd, (struct sockaddr *)ss, sslen))
		die_errno("getsockname");
	return fd;
}

/*
 * A connected stream pair: TCP over loopback (AF_INET/AF_INET6), or an
 * AF_UNIX socketpair().  *rfd is the receiving end, *sfd the sending
 * one; big_rcvbuf: the listener (so the accepted socket) gets a big
 * receive buffer.
 */
static inline void stream_pair(int family, int *rfd, int *sfd, int big_rcvbuf)
{
	struct sockaddr_storage laddr;
	socklen_t llen;
	int lfd, sv[2];

	if (family == AF_UNIX) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			die_errno("socketpair(AF_UNIX, SOCK_STREAM)");
		*rfd = sv[0];
		*sfd = sv[1];
		return;
	}
	lfd = loopback_socket(family, SOCK_STREAM, &laddr, &llen);
	if (big_rcvbuf)
		set_big_rcvbuf(lfd);
	if (listen(lfd, 1))
		die_errno("listen");
	*sfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*sfd < 0)
		die_errno("socket");
	/* the loopback handshake completes in the kernel before accept() */
	if (connect(*sfd, (struct sockaddr *)&laddr, llen))
		die_errno("connect");
	*rfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*rfd < 0)
		die_errno("accept");
	close(lfd);
}

/* ---------------------------------------------------------- scenarios */

/*
 * Wait for the child that ran scenario name: 0 when it exited 0 having
 * set *done (its plan finished), 1 when not (said on stderr), -1 when
 * waitpid() failed.
 */
static inline int wait_scenario(pid_t pid, const char *name, const int *done)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, RT_TOOL ": waitpid: %s\n",
				strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && *done)
		return 0;
	if (WIFSIGNALED(st))
		fprintf(stderr, RT_TOOL ": scenario %s (pid %d) killed by signal %d\n",
			name, (int)pid, WTERMSIG(st));
	else
		fprintf(stderr, RT_TOOL ": scenario %s (pid %d) failed (exit status %d)\n",
			name, (int)pid, WEXITSTATUS(st));
	return 1;
}

/* ---------------------------------------------------------------- output */

static inline void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* --expect FILE opened (stdout without one), or exit 1 */
static inline FILE *open_expect(const char *path)
{
	FILE *f;

	if (!path)
		return stdout;
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, RT_TOOL ": cannot open %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	return f;
}

/* f of open_expect(path) written out and closed: 0, or 1 (said) */
static inline int close_expect(FILE *f, const char *path)
{
	if (fflush(f) || ferror(f) || (f != stdout && fclose(f))) {
		fprintf(stderr, RT_TOOL ": writing %s failed: %s\n",
			path ? path : "stdout", strerror(errno));
		return 1;
	}
	return 0;
}

#endif
