/*
 * rttx - socket send traffic generator for recvtop tests.
 *
 * Makes socket sends (sendto(), send(), sendmsg(), sendmmsg(), write(),
 * writev(), sendfile(), splice() and io_uring) with exactly known counts,
 * one process per scenario, and prints what it did as JSON, so that tests
 * can compare the tracer's send numbers with it.
 *
 *   rttx [--count N] [--size S] [--vlen V] [--expect FILE]
 *        [--scenarios LIST] [--gate FILE] [--linger-ms MS]
 *
 * --linger-ms MS: the stream scenarios and eagain keep their socket open
 * MS ms after the last send (the tracepoint backend tells a socketpair from a pipe by
 * /proc while it is open).
 *
 * N = --count (default 200), S = --size (1..65507, default 1000),
 * V = --vlen (sendmmsg's vector length, 1..1024, default 8).  --expect
 * FILE: the JSON goes to FILE instead of stdout.  --gate FILE: every
 * sender names itself (rtx-<scenario>) and then waits, polling without
 * any socket call, until FILE exists; a test can find the senders' pids
 * (for recvtop -p) before the traffic starts.
 *
 * Scenarios (LIST is comma separated, default all of them); N sends of
 * S bytes each unless said otherwise:
 *   sendto4   UDP/IPv4, unconnected, sendto() with the destination
 *   send6     UDP/IPv6 (::1), connected, send()
 *   sendmsg4  UDP/IPv4, sendmsg() with msg_name and 2 iovecs
 *   sendmmsg  UDP/IPv4, sendmmsg() of V messages with msg_name (the last
 *             call gets what is left); "send_calls" counts messages (N),
 *             "syscalls" the sendmmsg() calls (ceil(N/V) unless the
 *             kernel takes fewer messages than asked)
 *   write4    TCP/IPv4, write() of S bytes (a short write is continued
 *             by another write(); every write() that returned > 0 is a
 *             call, so send_calls >= N and send_bytes = N*S)
 *   writev6   TCP/IPv6, writev() of 3 iovecs, S bytes in all, as write4
 *   ustream   AF_UNIX SOCK_STREAM socketpair(), write(), as write4
 *   udgram    AF_UNIX SOCK_DGRAM, sendto() to a path bound in a
 *             temporary directory
 *   sendfile  TCP/IPv4, N times a whole unlinked temporary file of S*64
 *             bytes by sendfile(sock, file, &off, left) until it is all
 *             sent; send_bytes = N*S*64, send_calls = the sendfile()
 *             calls (every one returns > 0)
 *   splice    TCP/IPv4, per message a write() of S bytes into a pipe
 *             (not a send) and splice() from the pipe to the socket until
 *             all S bytes moved; send_calls = the splice() calls
 *   uring     TCP/IPv4, one IORING_OP_SEND of S bytes per message
 *             (liburing, submit and wait); a short completion gets
 *             another SQE for the rest; send_calls = completions
 *   eagain    AF_UNIX SOCK_DGRAM socketpair(), non-blocking, the peer
 *             never reads: send() of S bytes until one fails with EAGAIN,
 *             then N more send()s that all fail with EAGAIN; send_calls
 *             all of them, send_bytes those that succeeded, send_errors
 *             and eagain the failed ones (N + 1)
 *   files     no socket send at all: N write()s of S bytes to an unlinked
 *             temporary file and N write()s of min(S, 512) bytes to a
 *             pipe that the sink drains; send_calls and send_bytes 0
 *
 * Every sender also makes noise that is no send: three times (before its
 * first send, halfway, after its last) a write() of 256 bytes to an
 * unlinked temporary file and one of 256 bytes to a pipe whose read end
 * it keeps and never reads (768 bytes, the pipe buffer holds them).
 * "file_writes" and "pipe_writes" count every write() the sender made to
 * a regular file or a pipe, whatever for (splice's pipe writes too).
 *
 * JSON (one line): {"processes":[...]}, per scenario
 *   {"pid":P,"comm":"rtx-sendto4","scenario":"sendto4","via":"send:sendto",
 *    "send_calls":N,"send_bytes":B,"send_errors":E,"eagain":A,
 *    ["syscalls":C,] "sock_family":"inet","proto":"udp",
 *    "file_writes":F,"pipe_writes":W}
 * sock_family is "inet", "inet6" or "unix", proto "tcp", "udp" or "unix"
 * (of the one socket the scenario sends on, as recvtop names them);
 * files has neither.  via: "send:sendto" (sendto4, send6, udgram,
 * eagain), "send:sendmsg", "send:sendmmsg", "send:write" (write4,
 * writev6, ustream, and files), "send:sendfile", "send:splice",
 * "send:io_uring".  Only sendmmsg has "syscalls".
 *
 * Process layout:
 *
 *   rttx (parent: no socket calls, waits for all children, prints JSON)
 *    +- rtx-<scenario>   one sender per scenario, single-threaded: all of
 *        |               the scenario's sends and no other socket
 *        |               send/write; the noise writes; no receive at all
 *        +- rtx-sink     the scenario's receiving end (all but eagain):
 *                        drains the socket (files: the pipe) and checks
 *                        every byte; makes no send
 *
 * Flow control: the blocking stream scenarios and udgram need none
 * (AF_UNIX datagrams are never dropped).  For UDP the sink's receive
 * buffer is made big and the sender keeps at most W datagrams
 * unreceived, W derived from that buffer (see dgram_fit()), waiting
 * for the sink's counter in a MAP_SHARED mapping: no pipe, no ack, so
 * nothing is dropped and the sender makes no read at all.  sendmmsg: a
 * vector that does not fit the window is an error.  uring the same way
 * keeps at most a quarter of its (big) send buffer unreceived, so that
 * its sends (no MSG_WAITALL) do not complete short when the sink lags;
 * should one anyway, the rest goes in another SQE and counts as a call.
 *
 * Results travel from the children to the parent through the same
 * mapping.  Exit status: 0 if every scenario did exactly what it claims
 * (and its sink got every byte), 1 on a failure, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <liburing.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RT_TOOL "rttx"
#include "rtcommon.h"

#define MAX_SIZE	65507		/* largest IPv4 UDP payload */
#define MAX_COUNT	100000000ULL
#define MAX_VLEN	1024		/* UIO_MAXIOV, sendmmsg's limit */
#define MAX_SCENARIOS	64
#define MAX_WINDOW	4096		/* datagrams in flight */
#define SAFE_S		10		/* a stuck peer */
#define SINK_BUF	65536
#define NOISE_LEN	256		/* bytes per noise write */
#define FILES_PIPE_MAX	512		/* files: bytes per pipe write */
#define FILES_WRAP	(4ULL << 20)	/* files: the file stays this small */
#define SENDFILE_MUL	64		/* sendfile: file of S*64 bytes */
#define EAGAIN_FILL_MAX	1000000		/* eagain: sends before EAGAIN */

enum scen {
	SC_SENDTO4,
	SC_SEND6,
	SC_SENDMSG4,
	SC_SENDMMSG,
	SC_WRITE4,
	SC_WRITEV6,
	SC_USTREAM,
	SC_UDGRAM,
	SC_SENDFILE,
	SC_SPLICE,
	SC_URING,
	SC_EAGAIN,
	SC_FILES,
	SC_NR
};

static const struct scen_info {
	const char *name;
	const char *via;
	const char *family;		/* NULL: no socket (files) */
	const char *proto;
} scen_info[SC_NR] = {
	[SC_SENDTO4]	= { "sendto4",	"send:sendto",	 "inet",  "udp" },
	[SC_SEND6]	= { "send6",	"send:sendto",	 "inet6", "udp" },
	[SC_SENDMSG4]	= { "sendmsg4",	"send:sendmsg",	 "inet",  "udp" },
	[SC_SENDMMSG]	= { "sendmmsg",	"send:sendmmsg", "inet",  "udp" },
	[SC_WRITE4]	= { "write4",	"send:write",	 "inet",  "tcp" },
	[SC_WRITEV6]	= { "writev6",	"send:write",	 "inet6", "tcp" },
	[SC_USTREAM]	= { "ustream",	"send:write",	 "unix",  "unix" },
	[SC_UDGRAM]	= { "udgram",	"send:sendto",	 "unix",  "unix" },
	[SC_SENDFILE]	= { "sendfile",	"send:sendfile", "inet",  "tcp" },
	[SC_SPLICE]	= { "splice",	"send:splice",	 "inet",  "tcp" },
	[SC_URING]	= { "uring",	"send:io_uring", "inet",  "tcp" },
	[SC_EAGAIN]	= { "eagain",	"send:sendto",	 "unix",  "unix" },
	[SC_FILES]	= { "files",	"send:write",	 NULL,	  NULL },
};

#define ALL_SCENARIOS "sendto4,send6,sendmsg4,sendmmsg,write4,writev6," \
	"ustream,udgram,sendfile,splice,uring,eagain,files"

/* One per sender, in a MAP_SHARED mapping; the sink fills in its part. */
struct result {
	int done;			/* the sender finished its plan */
	pid_t pid;
	char comm[16];
	unsigned long long send_calls;
	unsigned long long send_bytes;
	unsigned long long send_errors;
	unsigned long long eagain;
	unsigned long long syscalls;	/* sendmmsg() calls */
	unsigned long long file_writes;	/* write() to a regular file */
	unsigned long long pipe_writes;	/* write() to a pipe */
	/* the sink's side */
	unsigned long long rcvd;	/* datagrams (streams: bytes) so far,
					   atomic */
	unsigned long long sink_bytes;
	int sink_ok;
};

static struct opts {
	unsigned long long count;
	unsigned long size;
	unsigned long vlen;
	const char *expect;
	const char *scenarios;
	const char *gate;
	unsigned long linger_ms;
} opt;

static pid_t g_sink = -1;		/* this sender's sink */
static char g_tmpdir[64];		/* udgram: owned by the sender */
static char g_upath[108];
static int g_noise_fd = -1;		/* the noise file */
static int g_noise_pipe[2] = { -1, -1 };

static void cleanup(void)
{
	if (g_sink > 0) {
		kill(g_sink, SIGKILL);
		waitpid(g_sink, NULL, 0);
		g_sink = -1;
	}
	if (g_upath[0])
		unlink(g_upath);
	if (g_tmpdir[0])
		rmdir(g_tmpdir);
	g_upath[0] = g_tmpdir[0] = '\0';
}

static void usage(void)
{
	printf("usage: rttx [--count N] [--size S] [--vlen V] [--expect FILE]\n"
	       "            [--scenarios LIST] [--gate FILE] [--linger-ms MS]\n"
	       "  --count N      sends per scenario (default 200)\n"
	       "  --size S       bytes per send, 1..%d (default 1000)\n"
	       "  --vlen V       sendmmsg's vector length, 1..%d (default 8)\n"
	       "  --expect FILE  write the JSON to FILE (default stdout)\n"
	       "  --gate FILE    senders wait for FILE to exist before any socket call\n"
	       "  --linger-ms MS stream and eagain sockets stay open MS ms after the last send\n"
	       "scenarios: %s (default all)\n",
	       MAX_SIZE, MAX_VLEN, ALL_SCENARIOS);
}

static void *xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);

	if (!p)
		die("malloc(%zu): %s", len, strerror(errno));
	return p;
}

/* ---------------------------------------------------------------- args */

static void parse_args(int argc, char **argv)
{
	const char *v;
	int i;

	opt.count = 200;
	opt.size = 1000;
	opt.vlen = 8;
	opt.scenarios = ALL_SCENARIOS;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			exit(0);
		} else if ((v = opt_value(argc, argv, &i, "--count"))) {
			opt.count = parse_ull("--count", v, 1, MAX_COUNT);
		} else if ((v = opt_value(argc, argv, &i, "--size"))) {
			opt.size = parse_ull("--size", v, 1, MAX_SIZE);
		} else if ((v = opt_value(argc, argv, &i, "--vlen"))) {
			opt.vlen = parse_ull("--vlen", v, 1, MAX_VLEN);
		} else if ((v = opt_value(argc, argv, &i, "--expect"))) {
			if (!*v)
				usage_error("--expect: empty file name");
			opt.expect = v;
		} else if ((v = opt_value(argc, argv, &i, "--scenarios"))) {
			opt.scenarios = v;
		} else if ((v = opt_value(argc, argv, &i, "--linger-ms"))) {
			opt.linger_ms = parse_ull("--linger-ms", v, 0, 600000);
		} else if ((v = opt_value(argc, argv, &i, "--gate"))) {
			if (!*v)
				usage_error("--gate: empty file name");
			opt.gate = v;
		} else {
			usage_error("unknown argument '%s'", a);
		}
	}
}

/* ------------------------------------------------------------- helpers */

/* stream byte at offset x (sendfile: x is the offset in the file) */
static unsigned char pat(unsigned long long x)
{
	return (unsigned char)(x * 7u + (x >> 8) * 13u + (x >> 16) * 17u + 0x5a);
}

static void fill_pat(unsigned char *p, size_t len, unsigned long long off)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(off + i);
}

static void child_init(const char *comm, const char *name)
{
	pid_t parent = getppid();

	g_is_child = 1;
	if (prctl(PR_SET_NAME, comm, 0, 0, 0))
		die_errno("prctl(PR_SET_NAME)");
	snprintf(g_tag, sizeof(g_tag), "rttx: %s[%d]", name, (int)getpid());
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		die_errno("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent || parent == 1)
		die("parent exited early");
	/* the gate: no socket call before the test opens it */
	while (opt.gate && access(opt.gate, F_OK))
		sleep_us(10000);
}

/* an unlinked temporary file, open for reading and writing */
static int tmp_file(void)
{
	char path[] = "/tmp/rttx-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd < 0)
		die("mkostemp %s: %s", path, strerror(errno));
	if (unlink(path))
		die("unlink %s: %s", path, strerror(errno));
	return fd;
}

static void noise_init(void)
{
	g_noise_fd = tmp_file();
	if (pipe2(g_noise_pipe, O_CLOEXEC))
		die_errno("pipe2");
}

/* one round of noise: a file write and a pipe write, no send */
static void noise(struct result *res)
{
	unsigned char buf[NOISE_LEN];

	memset(buf, 'n', sizeof(buf));
	write_all(g_noise_fd, buf, sizeof(buf), "noise file",
		  &res->file_writes);
	write_all(g_noise_pipe[1], buf, sizeof(buf), "noise pipe",
		  &res->pipe_writes);
}

static void noise_exit(struct result *res)
{
	noise(res);
	close(g_noise_fd);
	close(g_noise_pipe[0]);
	close(g_noise_pipe[1]);
	g_noise_fd = g_noise_pipe[0] = g_noise_pipe[1] = -1;
}

/* halfway through the plan: the middle round of noise */
static void noise_half(struct result *res, unsigned long long i)
{
	if (i == opt.count / 2)
		noise(res);
}

/* ---------------------------------------------------------------- sinks */

static pid_t fork_sink(const char *name)
{
	pid_t self = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork(sink)");
	if (pid == 0) {
		if (prctl(PR_SET_NAME, "rtx-sink", 0, 0, 0))
			die_errno("prctl(PR_SET_NAME)");
		snprintf(g_tag, sizeof(g_tag), "rttx: %s sink[%d]", name,
			 (int)getpid());
		g_sink = -1;
		/* the sender owns the temporary paths */
		g_upath[0] = g_tmpdir[0] = '\0';
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
			die_errno("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != self)
			die("sender exited early");
		return 0;
	}
	g_sink = pid;
	return pid;
}

static void wait_sink(struct result *res)
{
	pid_t pid = g_sink;
	int st;

	if (pid <= 0)
		return;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			die_errno("waitpid(sink)");
	}
	g_sink = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) || !res->sink_ok)
		die("sink pid %d failed (%s %d)", (int)pid,
		    WIFSIGNALED(st) ? "signal" : "exit status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* N datagrams of exactly S bytes, in order; counts them in res->rcvd */
static void __attribute__((noreturn)) sink_dgram(struct result *res, int fd)
{
	unsigned char *buf = xmalloc(SINK_BUF);
	unsigned long long i;

	set_rcvtimeo(fd, SAFE_S, 0);
	for (i = 0; i < opt.count; i++) {
		ssize_t r = recv(fd, buf, SINK_BUF, 0);

		if (r < 0)
			die("recv #%llu: %s", i, errno == EAGAIN ?
			    "timed out" : strerror(errno));
		if ((unsigned long)r != opt.size)
			die("recv #%llu: got %zd bytes, expected %lu", i, r,
			    opt.size);
		check_payload(buf, opt.size, (uint32_t)i);
		res->sink_bytes += (unsigned long long)r;
		__atomic_store_n(&res->rcvd, i + 1, __ATOMIC_RELEASE);
	}
	free(buf);
	close(fd);
	res->sink_ok = 1;
	_exit(0);
}

/*
 * A stream until EOF: exactly 'total' bytes, byte k being pat(k), or
 * with a period (sendfile's file) ref[k % period]
 */
static void __attribute__((noreturn))
sink_stream(struct result *res, int fd, unsigned char *ref,
	    unsigned long long period, unsigned long long total)
{
	unsigned char *buf = xmalloc(SINK_BUF);
	unsigned long long got = 0, pos = 0;
	struct stat st;

	if (fstat(fd, &st))
		die_errno("fstat");
	if (S_ISSOCK(st.st_mode))
		set_rcvtimeo(fd, SAFE_S, 0);
	for (;;) {
		ssize_t r = read(fd, buf, SINK_BUF), k;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read at byte %llu of %llu: %s", got, total,
			    errno == EAGAIN ? "timed out" : strerror(errno));
		if (r == 0)
			break;
		if (got + (unsigned long long)r > total)
			die("got more than %llu bytes", total);
		for (k = 0; ref && k < r;) {
			size_t len = (size_t)(period - pos);

			if (len > (size_t)(r - k))
				len = (size_t)(r - k);
			if (memcmp(buf + k, ref + pos, len))
				die("corrupted stream in bytes %llu..%llu",
				    got + (unsigned long long)k,
				    got + (unsigned long long)k + len - 1);
			k += (ssize_t)len;
			pos += len;
			if (pos == period)
				pos = 0;
		}
		for (k = 0; !ref && k < r; k++) {
			if (buf[k] != pat(pos))
				die("corrupted stream at byte %llu",
				    got + (unsigned long long)k);
			pos++;
		}
		got += (unsigned long long)r;
		__atomic_store_n(&res->rcvd, got, __ATOMIC_RELEASE);
	}
	res->sink_bytes = got;
	if (got != total)
		die("got %llu bytes, expected %llu", got, total);
	free(ref);
	free(buf);
	close(fd);
	res->sink_ok = 1;
	_exit(0);
}

/* ---------------------------------------------------------------- sends */

/* one send call that returned r; an error ends the run */
static void count_send(struct result *res, ssize_t r, const char *what,
		       unsigned long long i)
{
	res->send_calls++;
	if (r < 0) {
		res->send_errors++;
		die("%s #%llu: %s", what, i, strerror(errno));
	}
	if (r == 0)
		die("%s #%llu returned 0", what, i);
	res->send_bytes += (unsigned long long)r;
}

/* a datagram send must take the whole datagram */
static void count_dgram(struct result *res, ssize_t r, const char *what,
			unsigned long long i)
{
	count_send(res, r, what, i);
	if ((unsigned long)r != opt.size)
		die("%s #%llu sent %zd of %lu bytes", what, i, r, opt.size);
}

/*
 * Keep at most 'window' datagrams (uring: bytes) unreceived: before
 * sending up to datagram (byte) 'upto' (exclusive), wait for the sink's
 * counter.  The window must not be smaller than one send.  No system
 * call but nanosleep() and, when waiting, waitpid(WNOHANG) on the sink.
 */
static void flow_wait(struct result *res, unsigned long long upto,
		      unsigned long window)
{
	double deadline = 0;

	while (upto > __atomic_load_n(&res->rcvd, __ATOMIC_ACQUIRE) + window) {
		int st;

		if (!deadline)
			deadline = now_mono() + SAFE_S;
		else if (now_mono() > deadline)
			die("sink stuck at datagram/byte %llu for %d s",
			    __atomic_load_n(&res->rcvd, __ATOMIC_ACQUIRE), SAFE_S);
		if (waitpid(g_sink, &st, WNOHANG) == g_sink) {
			g_sink = -1;
			die("sink exited early");
		}
		sleep_us(50);
	}
}

/* sendto4, send6, sendmsg4, sendmmsg: UDP over loopback */
static void run_udp(enum scen sc, struct result *res, int family)
{
	struct sockaddr_storage raddr;
	socklen_t rlen;
	unsigned char *buf = xmalloc((size_t)opt.size *
				     (sc == SC_SENDMMSG ? opt.vlen : 1));
	unsigned long window;
	unsigned long long i;
	int rfd, sfd;

	rfd = loopback_socket(family, SOCK_DGRAM, &raddr, &rlen);
	window = dgram_fit(set_big_rcvbuf(rfd), opt.size, MAX_WINDOW);
	if (sc == SC_SENDMMSG && window < opt.vlen)
		die("--vlen %lu: only %lu datagrams of %lu bytes fit the sink's receive buffer",
		    opt.vlen, window, opt.size);
	sfd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sfd < 0)
		die_errno("socket");
	if (sc == SC_SEND6 && connect(sfd, (struct sockaddr *)&raddr, rlen))
		die_errno("connect");
	if (fork_sink(scen_info[sc].name) == 0) {
		close(sfd);
		free(buf);
		sink_dgram(res, rfd);
	}
	close(rfd);

	noise(res);
	if (sc == SC_SENDMMSG) {
		struct mmsghdr *mm = xmalloc(sizeof(*mm) * opt.vlen);
		struct iovec *iov = xmalloc(sizeof(*iov) * opt.vlen);

		i = 0;
		while (i < opt.count) {
			unsigned int want, k;
			int r;

			want = opt.count - i < opt.vlen ?
			       (unsigned int)(opt.count - i) :
			       (unsigned int)opt.vlen;
			flow_wait(res, i + want, window);
			memset(mm, 0, sizeof(*mm) * want);
			for (k = 0; k < want; k++) {
				iov[k].iov_base = buf + (size_t)opt.size * k;
				iov[k].iov_len = opt.size;
				fill_payload(iov[k].iov_base, opt.size,
					     (uint32_t)(i + k));
				mm[k].msg_hdr.msg_name = &raddr;
				mm[k].msg_hdr.msg_namelen = rlen;
				mm[k].msg_hdr.msg_iov = &iov[k];
				mm[k].msg_hdr.msg_iovlen = 1;
			}
			if (i <= opt.count / 2 && opt.count / 2 < i + want)
				noise(res);
			r = sendmmsg(sfd, mm, want, 0);
			res->syscalls++;
			if (r < 0) {
				res->send_errors++;
				die("sendmmsg at message #%llu: %s", i,
				    strerror(errno));
			}
			if (r == 0)
				die("sendmmsg at message #%llu sent nothing", i);
			for (k = 0; k < (unsigned int)r; k++, i++) {
				res->send_calls++;
				if (mm[k].msg_len != opt.size)
					die("sendmmsg message #%llu: %u of %lu bytes",
					    i, mm[k].msg_len, opt.size);
				res->send_bytes += mm[k].msg_len;
			}
		}
		free(iov);
		free(mm);
	} else {
		for (i = 0; i < opt.count; i++) {
			ssize_t r;

			noise_half(res, i);
			flow_wait(res, i + 1, window);
			fill_payload(buf, opt.size, (uint32_t)i);
			if (sc == SC_SENDTO4) {
				r = sendto(sfd, buf, opt.size, 0,
					   (struct sockaddr *)&raddr, rlen);
				count_dgram(res, r, "sendto", i);
			} else if (sc == SC_SEND6) {
				r = send(sfd, buf, opt.size, 0);
				count_dgram(res, r, "send", i);
			} else {
				struct iovec iov[2] = {
					{ buf, opt.size / 2 },
					{ buf + opt.size / 2,
					  opt.size - opt.size / 2 },
				};
				struct msghdr mh = {
					.msg_name = &raddr,
					.msg_namelen = rlen,
					.msg_iov = iov,
					.msg_iovlen = 2,
				};

				r = sendmsg(sfd, &mh, 0);
				count_dgram(res, r, "sendmsg", i);
			}
		}
	}
	noise_exit(res);
	close(sfd);
	wait_sink(res);
	free(buf);
}

/* udgram: AF_UNIX datagrams to a bound path; blocking, never dropped */
static void run_udgram(struct result *res)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t slen;
	unsigned char *buf = xmalloc(opt.size);
	unsigned long long i;
	int rfd, sfd, snd = 4 << 20;

	strcpy(g_tmpdir, "/tmp/rttx-XXXXXX");
	if (!mkdtemp(g_tmpdir)) {
		g_tmpdir[0] = '\0';
		die_errno("mkdtemp");
	}
	snprintf(g_upath, sizeof(g_upath), "%s/sink", g_tmpdir);
	strcpy(sun.sun_path, g_upath);
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   strlen(g_upath) + 1);
	rfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rfd < 0 || sfd < 0)
		die_errno("socket(AF_UNIX, SOCK_DGRAM)");
	if (bind(rfd, (struct sockaddr *)&sun, slen))
		die("bind %s: %s", g_upath, strerror(errno));
	/* a big datagram must fit the send buffer */
	if (setsockopt(sfd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)))
		setsockopt(sfd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (fork_sink("udgram") == 0) {
		close(sfd);
		free(buf);
		sink_dgram(res, rfd);
	}
	close(rfd);

	noise(res);
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		noise_half(res, i);
		fill_payload(buf, opt.size, (uint32_t)i);
		r = sendto(sfd, buf, opt.size, 0, (struct sockaddr *)&sun, slen);
		count_dgram(res, r, "sendto", i);
	}
	noise_exit(res);
	close(sfd);
	wait_sink(res);
	cleanup();
	free(buf);
}

/* write() all of a message, one call per write() that returned > 0 */
static void write_msg(struct result *res, int fd, const unsigned char *p,
		      size_t len, unsigned long long i)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		count_send(res, r, "write", i);
		p += r;
		len -= (size_t)r;
	}
}

/* writev() all of a message of 3 iovecs, continuing a short one */
static void writev_msg(struct result *res, int fd, unsigned char *p,
		       unsigned long long i)
{
	const size_t a = (opt.size + 2) / 3, b = (opt.size + 1) / 3;
	struct iovec iov[3] = {
		{ p, a },
		{ p + a, b },
		{ p + a + b, opt.size - a - b },
	};
	struct iovec *v = iov;
	int n = 3;

	while (n) {
		ssize_t r = writev(fd, v, n);
		size_t left;

		count_send(res, r, "writev", i);
		left = (size_t)r;
		while (n && left >= v->iov_len) {
			left -= v->iov_len;
			v++;
			n--;
		}
		if (n) {
			v->iov_base = (char *)v->iov_base + left;
			v->iov_len -= left;
		}
		/* skip empty iovecs left at the end (a size below 3) */
		while (n && !v->iov_len) {
			v++;
			n--;
		}
	}
}

/* sendfile: the whole file, sendfile() until all of it is sent */
static void sendfile_all(struct result *res, int sfd, int ffd, size_t len,
			 unsigned long long i)
{
	off_t off = 0;

	while ((size_t)off < len) {
		ssize_t r = sendfile(sfd, ffd, &off, len - (size_t)off);

		count_send(res, r, "sendfile", i);
	}
	if ((size_t)off != len)
		die("sendfile #%llu: offset %lld, expected %zu", i,
		    (long long)off, len);
}

/* splice: S bytes into the pipe (not a send), then splice() them out */
static void splice_msg(struct result *res, int sfd, const int pfd[2],
		       const unsigned char *p, unsigned long long i)
{
	size_t moved = 0;

	write_all(pfd[1], p, opt.size, "splice pipe", &res->pipe_writes);
	while (moved < opt.size) {
		ssize_t r = splice(pfd[0], NULL, sfd, NULL, opt.size - moved, 0);

		count_send(res, r, "splice", i);
		moved += (size_t)r;
	}
}

/*
 * uring: IORING_OP_SEND, one submit-and-wait per SQE, until all is sent.
 * Without MSG_WAITALL a send that finds the send buffer full completes
 * short, so at most 'window' bytes may be unreceived by the sink when
 * an SQE goes in (see run_stream()).
 */
static void uring_msg(struct io_uring *ring, struct result *res, int sfd,
		      const unsigned char *p, unsigned long long i,
		      unsigned long window)
{
	size_t off = 0;

	while (off < opt.size) {
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int r;

		flow_wait(res, res->send_bytes + (opt.size - off), window);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			die("io_uring: no free SQE");
		io_uring_prep_send(sqe, sfd, p + off, opt.size - off, 0);
		r = io_uring_submit_and_wait(ring, 1);
		if (r != 1)
			die("io_uring_submit_and_wait #%llu: %s", i,
			    r < 0 ? strerror(-r) : "SQE not submitted");
		r = io_uring_peek_cqe(ring, &cqe);
		if (r)
			die("io_uring #%llu: no completion: %s", i, strerror(-r));
		r = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		if (r < 0) {
			errno = -r;
			count_send(res, -1, "io_uring send", i);
		}
		count_send(res, r, "io_uring send", i);
		off += (size_t)r;
	}
}

/* write4, writev6, ustream, sendfile, splice, uring: a byte stream */
static void run_stream(enum scen sc, struct result *res, int family)
{
	const size_t flen = (size_t)opt.size * SENDFILE_MUL;
	unsigned long long i, total = opt.count * opt.size, period = 0;
	unsigned char *buf;
	unsigned long window = 0;
	struct io_uring ring;
	int rfd, sfd, ffd = -1, pfd[2] = { -1, -1 };

	if (sc == SC_SENDFILE) {
		/* the file: S*64 bytes of pat(offset) */
		buf = xmalloc(flen);
		fill_pat(buf, flen, 0);
		ffd = tmp_file();
		write_all(ffd, buf, flen, "sendfile file", &res->file_writes);
		total = opt.count * flen;
		period = flen;
	} else {
		buf = xmalloc(opt.size);
	}
	if (sc == SC_SPLICE && pipe2(pfd, O_CLOEXEC))
		die_errno("pipe2");
	stream_pair(family, &rfd, &sfd, 0);
	if (fork_sink(scen_info[sc].name) == 0) {
		close(sfd);
		if (!period) {
			free(buf);
			buf = NULL;
		}
		/* sendfile: the file's bytes, the sink's to free */
		sink_stream(res, rfd, buf, period, total);
	}
	close(rfd);
	if (sc == SC_URING) {
		int e;

		/*
		 * a big send buffer, and at most a quarter of it unreceived:
		 * then a send always finds room for all of its bytes
		 */
		window = (unsigned long)set_big_buf(sfd, 1) / 4;
		if (window < opt.size)
			window = opt.size;
		e = io_uring_queue_init(4, &ring, 0);
		if (e)
			die("io_uring_queue_init: %s", strerror(-e));
	}

	noise(res);
	for (i = 0; i < opt.count; i++) {
		noise_half(res, i);
		if (sc != SC_SENDFILE)
			fill_pat(buf, opt.size, i * opt.size);
		switch (sc) {
		case SC_WRITE4:
		case SC_USTREAM:
			write_msg(res, sfd, buf, opt.size, i);
			break;
		case SC_WRITEV6:
			writev_msg(res, sfd, buf, i);
			break;
		case SC_SENDFILE:
			sendfile_all(res, sfd, ffd, flen, i);
			break;
		case SC_SPLICE:
			splice_msg(res, sfd, pfd, buf, i);
			break;
		case SC_URING:
			uring_msg(&ring, res, sfd, buf, i, window);
			break;
		default:
			die("internal error: scenario %d", (int)sc);
		}
	}
	noise_exit(res);
	if (sc == SC_URING)
		io_uring_queue_exit(&ring);
	/* --linger-ms: the socket stays open a moment after the last send */
	if (opt.linger_ms)
		sleep_us(opt.linger_ms * 1000);
	if (close(sfd))
		die_errno("close");
	if (res->send_bytes != total)
		die("sent %llu bytes, expected %llu", res->send_bytes, total);
	wait_sink(res);
	if (res->sink_bytes != total)
		die("the sink got %llu bytes, expected %llu", res->sink_bytes,
		    total);
	if (ffd >= 0)
		close(ffd);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	free(buf);
}

/*
 * eagain: a non-blocking AF_UNIX datagram socketpair whose peer (kept
 * open here) is never read; fill it until a send() fails with EAGAIN,
 * then N more send()s that must all fail with EAGAIN
 */
static void run_eagain(struct result *res)
{
	unsigned char *buf = xmalloc(opt.size);
	unsigned long long i;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv))
		die_errno("socketpair(AF_UNIX, SOCK_DGRAM)");
	fill_payload(buf, opt.size, 0);

	noise(res);
	for (i = 0;; i++) {
		ssize_t r = send(sv[0], buf, opt.size, 0);

		res->send_calls++;
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				die("send #%llu: %s", i, strerror(errno));
			res->send_errors++;
			res->eagain++;
			break;
		}
		if ((unsigned long)r != opt.size)
			die("send #%llu sent %zd of %lu bytes", i, r, opt.size);
		res->send_bytes += (unsigned long long)r;
		if (i >= EAGAIN_FILL_MAX)
			die("no EAGAIN after %d sends", EAGAIN_FILL_MAX);
	}
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		noise_half(res, i);
		r = send(sv[0], buf, opt.size, 0);
		res->send_calls++;
		if (r >= 0)
			die("send #%llu after EAGAIN sent %zd bytes", i, r);
		res->send_errors++;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			die("send #%llu after EAGAIN: %s", i, strerror(errno));
		res->eagain++;
	}
	noise_exit(res);
	if (opt.linger_ms)
		sleep_us(opt.linger_ms * 1000);
	close(sv[0]);
	close(sv[1]);
	if (res->eagain != opt.count + 1 || !res->send_bytes)
		die("internal error: %llu EAGAIN", res->eagain);
	free(buf);
}

/* files: writes to a file and a pipe only; the sink drains the pipe */
static void run_files(struct result *res)
{
	const size_t m = opt.size < FILES_PIPE_MAX ? opt.size : FILES_PIPE_MAX;
	unsigned char *buf = xmalloc(opt.size);
	unsigned long long i, off = 0;
	int ffd, pfd[2];

	ffd = tmp_file();
	if (pipe2(pfd, O_CLOEXEC))
		die_errno("pipe2");
	if (fork_sink("files") == 0) {
		close(pfd[1]);
		close(ffd);
		free(buf);
		sink_stream(res, pfd[0], NULL, 0, opt.count * m);
	}
	close(pfd[0]);

	noise(res);
	for (i = 0; i < opt.count; i++) {
		noise_half(res, i);
		if (off + opt.size > FILES_WRAP) {
			if (lseek(ffd, 0, SEEK_SET))
				die_errno("lseek");
			off = 0;
		}
		fill_pat(buf, opt.size, off);
		write_all(ffd, buf, opt.size, "file", &res->file_writes);
		off += opt.size;
		fill_pat(buf, m, i * m);
		write_all(pfd[1], buf, m, "pipe", &res->pipe_writes);
	}
	noise_exit(res);
	close(pfd[1]);
	close(ffd);
	wait_sink(res);
	free(buf);
}

static void __attribute__((noreturn))
scenario_child(enum scen sc, struct result *res)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "rtx-%s", scen_info[sc].name);
	child_init(comm, scen_info[sc].name);
	if (prctl(PR_GET_NAME, res->comm, 0, 0, 0))
		die_errno("prctl(PR_GET_NAME)");
	res->pid = getpid();
	noise_init();

	switch (sc) {
	case SC_SENDTO4:
	case SC_SENDMSG4:
	case SC_SENDMMSG:
		run_udp(sc, res, AF_INET);
		break;
	case SC_SEND6:
		run_udp(sc, res, AF_INET6);
		break;
	case SC_WRITE4:
	case SC_SENDFILE:
	case SC_SPLICE:
	case SC_URING:
		run_stream(sc, res, AF_INET);
		break;
	case SC_WRITEV6:
		run_stream(sc, res, AF_INET6);
		break;
	case SC_USTREAM:
		run_stream(sc, res, AF_UNIX);
		break;
	case SC_UDGRAM:
		run_udgram(res);
		break;
	case SC_EAGAIN:
		run_eagain(res);
		break;
	case SC_FILES:
		run_files(res);
		break;
	default:
		die("internal error: scenario %d", (int)sc);
	}

	/* exactly what the scenario claims */
	switch (sc) {
	case SC_EAGAIN:
	case SC_FILES:
		break;
	case SC_SENDTO4:
	case SC_SEND6:
	case SC_SENDMSG4:
	case SC_SENDMMSG:
	case SC_UDGRAM:
		if (res->send_calls != opt.count ||
		    res->send_bytes != opt.count * opt.size ||
		    res->sink_bytes != res->send_bytes)
			die("sent %llu datagrams (%llu bytes), the sink got %llu bytes",
			    res->send_calls, res->send_bytes, res->sink_bytes);
		break;
	default:
		if (res->send_calls < opt.count)
			die("only %llu send calls", res->send_calls);
		break;
	}
	if (sc != SC_EAGAIN && res->send_errors)
		die("%llu send errors", res->send_errors);
	if (sc == SC_FILES && (res->send_calls || res->send_bytes))
		die("internal error: files sent");
	res->done = 1;
	_exit(0);
}

/* ---------------------------------------------------------------- output */

static void write_json(FILE *f, const struct result *res,
		       const int *scen, int n)
{
	int i;

	fputs("{\"processes\":[", f);
	for (i = 0; i < n; i++) {
		const struct scen_info *si = &scen_info[scen[i]];
		const struct result *r = &res[i];

		fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)r->pid);
		json_str(f, r->comm);
		fputs(",\"scenario\":", f);
		json_str(f, si->name);
		fputs(",\"via\":", f);
		json_str(f, si->via);
		fprintf(f, ",\"send_calls\":%llu,\"send_bytes\":%llu,"
			"\"send_errors\":%llu,\"eagain\":%llu",
			r->send_calls, r->send_bytes, r->send_errors, r->eagain);
		if (scen[i] == SC_SENDMMSG)
			fprintf(f, ",\"syscalls\":%llu", r->syscalls);
		if (si->family) {
			fputs(",\"sock_family\":", f);
			json_str(f, si->family);
			fputs(",\"proto\":", f);
			json_str(f, si->proto);
		}
		fprintf(f, ",\"file_writes\":%llu,\"pipe_writes\":%llu}",
			r->file_writes, r->pipe_writes);
	}
	fputs("]}\n", f);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	int scen[MAX_SCENARIOS];
	pid_t pids[MAX_SCENARIOS];
	struct result *res;
	size_t maplen;
	FILE *out;
	int n, i, started, failed = 0;

	parse_args(argc, argv);
	n = parse_scenarios(opt.scenarios, &scen_info[0].name,
			    sizeof(scen_info[0]), SC_NR, scen, MAX_SCENARIOS,
			    ALL_SCENARIOS);

	/* broken pipes/sockets must show up as EPIPE, not kill silently */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die_errno("signal(SIGPIPE)");

	/* fail early on a bad --expect path; stays empty if the run fails */
	out = open_expect(opt.expect);

	maplen = sizeof(*res) * (size_t)n;
	res = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		die_errno("mmap");

	fflush(NULL);
	for (started = 0; started < n; started++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "rttx: fork: %s\n", strerror(errno));
			failed = 1;
			break;
		}
		if (pid == 0)
			scenario_child(scen[started], &res[started]);
		pids[started] = pid;
	}

	for (i = 0; i < started; i++) {
		int r = wait_scenario(pids[i], scen_info[scen[i]].name,
				      &res[i].done);

		if (r < 0)
			return 1;
		failed |= r;
	}
	if (failed) {
		munmap(res, maplen);
		if (out != stdout)
			fclose(out);
		return 1;
	}
	write_json(out, res, scen, n);
	munmap(res, maplen);
	return close_expect(out, opt.expect);
}
