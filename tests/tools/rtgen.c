/*
 * rtgen - socket receive traffic generator for recvtop tests.
 *
 * Produces receive system calls (recvfrom() in the older scenarios, also
 * recvmsg(), recvmmsg(), read(), readv() and io_uring in the newer ones)
 * with exactly known counts in several processes and prints what it did
 * as JSON, so that tests can compare the tracer's output with it.
 *
 *   rtgen [--count N] [--size S] [--expect FILE] [--scenarios LIST]
 *         [--hold-ms MS] [--linger-ms MS] [--vlen V] [--gate FILE]
 *   rtgen flood --seconds T [--size S] [--procs P] [--expect FILE]
 *         [--gate FILE]
 *   rtgen steady --seconds T --rate R [--size S] [--expect FILE]
 *         [--gate FILE]
 *
 * --linger-ms MS: the stream scenarios (read4, readv6, ustream, uring)
 * keep their socket open MS ms after the last receive.
 *
 * --gate FILE: every receiver names itself (rtg-<scenario>) and then
 * waits, without any receive call, until FILE exists; a test can find
 * the receivers' pids (for recvtop -p) before the traffic starts.
 *
 * Scenarios (default mode; N = --count, S = --size):
 *   default (DEFAULT_SCENARIOS): udp4, udp6, tcp, recv, eagain, ebadf,
 *   unix: N recvfrom() (recv() in "recv"), as their names say.
 *   --scenarios only (EXTRA_SCENARIOS), N receives of S bytes each:
 *   thread    udp4's calls made by 4 short-lived threads in turn
 *   recvmsg4  UDP/IPv4, recvmsg() with msg_name
 *   recvmsg6  UDP/IPv6, recvmsg() with msg_name
 *   recvmmsg  UDP/IPv4, recvmmsg() of --vlen V (1..64, default 8)
 *             datagrams with msg_name; every call but maybe the last gets
 *             a full vector (the last asks for what is left); "calls"
 *             counts datagrams, "syscalls" recvmmsg() calls (ceil(N/V))
 *   read4     TCP/IPv4, read() of exactly S bytes
 *   readv6    TCP/IPv6, readv() of 2 iovecs, S bytes in all
 *   peek      UDP/IPv4, per datagram a recvfrom(MSG_PEEK) without an
 *             address then a recvfrom() with one: "calls" 2N, "peeks" N,
 *             "bytes" N*S (the peeks' bytes are not counted)
 *   ustream   AF_UNIX SOCK_STREAM socketpair(), read()
 *   udgram    AF_UNIX SOCK_DGRAM, the unix scenario's two sockets bound
 *             in a temporary directory, recvmsg() with msg_name
 *   tcp6      TCP/IPv6, recvfrom(MSG_WAITALL), as tcp
 *   uring     TCP/IPv4, one IORING_OP_RECV per message (liburing), one
 *             io_uring_enter() submitting it and waiting for its
 *             completion ("syscalls"); "calls" are completions with res > 0
 *   noise     no socket receive at all ("calls" and "bytes" 0): N read()s
 *             of 64 KiB from an unlinked 4 MiB temporary file and N read()s
 *             of min(S, PIPE_BUF) bytes from a pipe that its helper
 *             writes ("file_reads", "pipe_reads")
 *   reuse     one descriptor number used N times over for a file and then
 *             a socket: open a file, read() S bytes of it, close it;
 *             socket(AF_INET, SOCK_DGRAM) on the same number, a datagram
 *             of S bytes sent to itself, read() it, close it.  "calls" N
 *             and "bytes" N*S are the socket reads only ("file_reads")
 *
 * JSON: {"processes":[...],"peers":[...],"readers":[]}.  A process entry
 * has pid, comm, scenario, calls, bytes, errors, eagain; the scenarios of
 * the second list but noise add "sock_family" and "proto" (of the one
 * socket they receive on, named as recvtop names them); those of
 * the second list add "via" (the receive API: "recvmsg", "recvmmsg",
 * "read" (also readv, and noise's reads), "recvfrom", "io_uring") and
 * their extra keys above.  A peer entry (family, addr, port, calls,
 * bytes, pid) counts the receives that copied the sender's address out:
 * udp4, udp6, unix, thread, recvmsg4, recvmsg6, recvmmsg (per datagram),
 * peek (the non-peek calls only) and udgram; the stream scenarios have
 * none.
 *
 * Process layout (default mode):
 *
 *   rtgen (parent, makes no receive calls, waits for all children)
 *    +- rtg-<scenario>   one receiver per scenario, single-threaded (but
 *        |               "thread", whose calls are made by short-lived
 *        |               threads one after another); all
 *        |               receive calls of the scenario happen here
 *        +- rtg-send     helper (every scenario but eagain, ebadf);
 *                        only sendto()/write() on the socket (noise: on
 *                        its pipe), plus read() on a pipe for flow
 *                        control acks (datagram scenarios, read4, readv6,
 *                        ustream, uring); never a receive on a socket
 *
 * Flow control (datagram scenarios): the sender sends batches of B
 * datagrams and waits for a one byte ack on a pipe before the next batch;
 * B is derived from the receiver's effective SO_RCVBUF so a batch always
 * fits and nothing is dropped (recvmmsg: B is a multiple of V, so acks
 * fall between calls, and a V that does not fit is an error).  Every
 * datagram carries its sequence number and the receiver checks length,
 * source address and content.
 *
 * Flow control (read4, readv6, ustream, uring): the sender writes message
 * i+1 only after the receiver acked message i, and the receiver's
 * SO_RCVLOWAT is S, so its blocking read() (uring: a poll() before the
 * SQE) waits until the whole message is queued and one receive of S
 * bytes gets exactly one message; a short one is fatal.  tcp and tcp6
 * stream without acks and use MSG_WAITALL.
 *
 * Results travel from the children to the parent through a MAP_SHARED
 * anonymous mapping, so the parent does no read()/recv*() at all.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <liburing.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RT_TOOL "rtgen"
#include "rtcommon.h"

#define RECV_BUF_LEN	65536
#define MAX_SIZE	65507		/* largest IPv4 UDP payload */
#define MAX_COUNT	100000000ULL
#define MAX_PROCS	256
#define MAX_SCENARIOS	64
#define RCVTIMEO_SAFE_S	10		/* default mode: a stuck peer */
#define RCVTIMEO_FLOOD_MS 100		/* flood/steady: end of run */
#define MAX_BATCH	256
#define MAX_VLEN	64		/* recvmmsg: --vlen */
#define NOISE_FILE_LEN	(4 << 20)	/* noise: temporary file */
#define NOISE_CHUNK	65536		/* noise: bytes per file read */

enum scen {
	SC_UDP4,
	SC_UDP6,
	SC_TCP,
	SC_RECV,
	SC_EAGAIN,
	SC_EBADF,
	SC_UNIX,
	SC_THREAD,
	/* selectable with --scenarios only, not in DEFAULT_SCENARIOS */
	SC_RECVMSG4,
	SC_RECVMSG6,
	SC_RECVMMSG,
	SC_READ4,
	SC_READV6,
	SC_PEEK,
	SC_USTREAM,
	SC_UDGRAM,
	SC_TCP6,
	SC_URING,
	SC_NOISE,
	SC_REUSE,
	/* the modes' scenarios, not selectable */
	SC_FLOOD,
	SC_STEADY,
	SC_NR
};

static const char *const scen_names[SC_NR] = {
	[SC_UDP4]	= "udp4",
	[SC_UDP6]	= "udp6",
	[SC_TCP]	= "tcp",
	[SC_RECV]	= "recv",
	[SC_EAGAIN]	= "eagain",
	[SC_EBADF]	= "ebadf",
	[SC_UNIX]	= "unix",
	[SC_THREAD]	= "thread",
	[SC_RECVMSG4]	= "recvmsg4",
	[SC_RECVMSG6]	= "recvmsg6",
	[SC_RECVMMSG]	= "recvmmsg",
	[SC_READ4]	= "read4",
	[SC_READV6]	= "readv6",
	[SC_PEEK]	= "peek",
	[SC_USTREAM]	= "ustream",
	[SC_UDGRAM]	= "udgram",
	[SC_TCP6]	= "tcp6",
	[SC_URING]	= "uring",
	[SC_NOISE]	= "noise",
	[SC_REUSE]	= "reuse",
	[SC_FLOOD]	= "flood",
	[SC_STEADY]	= "steady",
};

#define DEFAULT_SCENARIOS "udp4,udp6,tcp,recv,eagain,ebadf,unix"
#define EXTRA_SCENARIOS "thread,recvmsg4,recvmsg6,recvmmsg,read4,readv6,peek," \
	"ustream,udgram,tcp6,uring,noise,reuse"

/*
 * The receive API of the newer scenarios, printed as "via"; the older
 * ones print no "via" key, so their JSON stays as it was.
 */
static const char *const scen_via[SC_NR] = {
	[SC_RECVMSG4]	= "recvmsg",
	[SC_RECVMSG6]	= "recvmsg",
	[SC_RECVMMSG]	= "recvmmsg",
	[SC_READ4]	= "read",
	[SC_READV6]	= "read",
	[SC_PEEK]	= "recvfrom",
	[SC_USTREAM]	= "read",
	[SC_UDGRAM]	= "recvmsg",
	[SC_TCP6]	= "recvfrom",
	[SC_URING]	= "io_uring",
	[SC_NOISE]	= "read",
	[SC_REUSE]	= "read",
};

/*
 * The one socket each of the newer scenarios receives on, printed as
 * "sock_family" and "proto" (as recvtop names them)
 */
static const char *const scen_sock[SC_NR][2] = {
	[SC_RECVMSG4]	= { "inet", "udp" },
	[SC_RECVMSG6]	= { "inet6", "udp" },
	[SC_RECVMMSG]	= { "inet", "udp" },
	[SC_READ4]	= { "inet", "tcp" },
	[SC_READV6]	= { "inet6", "tcp" },
	[SC_PEEK]	= { "inet", "udp" },
	[SC_USTREAM]	= { "unix", "unix" },
	[SC_UDGRAM]	= { "unix", "unix" },
	[SC_TCP6]	= { "inet6", "tcp" },
	[SC_URING]	= { "inet", "tcp" },
};
/* reuse: a new socket each time, so no one "sock_family"/"proto" */

/* extra JSON keys of a process entry (struct result.extra) */
#define X_SYSCALLS	0x1		/* "syscalls" */
#define X_PEEKS		0x2		/* "peeks" */
#define X_NOISE		0x4		/* "file_reads", "pipe_reads" */

/* One per receiving child, in a MAP_SHARED mapping. */
struct result {
	int done;			/* child finished its plan */
	pid_t pid;
	char comm[16];
	unsigned long long calls;
	unsigned long long bytes;
	unsigned long long errors;
	unsigned long long eagain;
	int has_peer;
	char peer_family[8];		/* "inet", "inet6", "unix" */
	char peer_addr[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	unsigned int peer_port;
	unsigned int peer_lport;	/* the receiving socket's port */
	unsigned long long peer_calls;
	unsigned long long peer_bytes;
	double t_start;			/* flood/steady: CLOCK_MONOTONIC */
	double t_last_ok;
	char via[16];			/* "" for the older scenarios */
	char sock_family[8];		/* scen_sock, "" for the older */
	char proto[8];
	unsigned int extra;		/* X_* */
	unsigned long long syscalls;	/* recvmmsg(), io_uring_enter() */
	unsigned long long peeks;	/* MSG_PEEK calls, also in calls */
	unsigned long long file_reads;	/* noise: read() of a file */
	unsigned long long pipe_reads;	/* noise: read() of a pipe */
};

struct opts {
	enum { MODE_DEFAULT, MODE_FLOOD, MODE_STEADY } mode;
	unsigned long long count;
	unsigned long size;
	const char *expect;
	const char *scenarios;
	unsigned long hold_ms;
	unsigned long linger_ms;
	double seconds;
	double rate;
	unsigned long procs;
	const char *gate;
	unsigned long vlen;
	int seen_vlen;
	int seen_count, seen_scen, seen_hold, seen_seconds, seen_rate,
	    seen_procs, seen_size;
};

static struct opts opt;
static pid_t g_sender = -1;		/* helper of this receiver */
static char g_unix_dir[64];		/* unix scenario temp dir */
static char g_unix_rpath[108];
static char g_unix_spath[108];

static void cleanup(void)
{
	if (g_sender > 0) {
		kill(g_sender, SIGKILL);
		waitpid(g_sender, NULL, 0);
		g_sender = -1;
	}
	if (g_unix_rpath[0])
		unlink(g_unix_rpath);
	if (g_unix_spath[0])
		unlink(g_unix_spath);
	if (g_unix_dir[0])
		rmdir(g_unix_dir);
	g_unix_rpath[0] = g_unix_spath[0] = g_unix_dir[0] = '\0';
}

static void usage(void)
{
	printf("usage:\n"
	       "  rtgen [--count N] [--size S] [--expect FILE] [--scenarios LIST] [--hold-ms MS]\n"
	       "        [--linger-ms MS] [--vlen V]\n"
	       "  rtgen flood --seconds T [--size S] [--procs P] [--expect FILE]\n"
	       "  rtgen steady --seconds T --rate R [--size S] [--expect FILE]\n"
	       "  every mode: [--gate FILE] (receivers wait for FILE to exist)\n"
	       "scenarios: %s (the default)\n"
	       "  and, with --scenarios only: %s\n"
	       "  --vlen V: recvmmsg's vector length, 1..%d (default 8)\n",
	       DEFAULT_SCENARIOS, EXTRA_SCENARIOS, MAX_VLEN);
}

/* ---------------------------------------------------------------- args */

static double parse_double(const char *name, const char *s, double min,
			   double max)
{
	double v;
	char *end;

	if (!s || !*s)
		usage_error("%s: expected a number", name);
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		usage_error("%s: invalid number '%s'", name, s);
	if (v < min || v > max)
		usage_error("%s: %s out of range [%g, %g]", name, s, min, max);
	return v;
}

static void parse_args(int argc, char **argv)
{
	int i = 1;
	const char *v;

	opt.mode = MODE_DEFAULT;
	opt.count = 1000;
	opt.size = 64;
	opt.scenarios = DEFAULT_SCENARIOS;
	opt.procs = 1;
	opt.vlen = 8;

	if (argc > 1 && argv[1][0] != '-') {
		if (!strcmp(argv[1], "flood"))
			opt.mode = MODE_FLOOD;
		else if (!strcmp(argv[1], "steady"))
			opt.mode = MODE_STEADY;
		else
			usage_error("unknown mode '%s'", argv[1]);
		opt.size = 16;
		i = 2;
	}

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			exit(0);
		} else if ((v = opt_value(argc, argv, &i, "--count"))) {
			opt.count = parse_ull("--count", v, 1, MAX_COUNT);
			opt.seen_count = 1;
		} else if ((v = opt_value(argc, argv, &i, "--size"))) {
			opt.size = parse_ull("--size", v, 1, MAX_SIZE);
			opt.seen_size = 1;
		} else if ((v = opt_value(argc, argv, &i, "--expect"))) {
			if (!*v)
				usage_error("--expect: empty file name");
			opt.expect = v;
		} else if ((v = opt_value(argc, argv, &i, "--scenarios"))) {
			opt.scenarios = v;
			opt.seen_scen = 1;
		} else if ((v = opt_value(argc, argv, &i, "--hold-ms"))) {
			opt.hold_ms = parse_ull("--hold-ms", v, 0, 3600000);
			opt.seen_hold = 1;
		} else if ((v = opt_value(argc, argv, &i, "--linger-ms"))) {
			opt.linger_ms = parse_ull("--linger-ms", v, 0, 3600000);
			opt.seen_hold = 1;
		} else if ((v = opt_value(argc, argv, &i, "--seconds"))) {
			opt.seconds = parse_double("--seconds", v, 0.001, 86400);
			opt.seen_seconds = 1;
		} else if ((v = opt_value(argc, argv, &i, "--rate"))) {
			opt.rate = parse_double("--rate", v, 1, 10000000);
			opt.seen_rate = 1;
		} else if ((v = opt_value(argc, argv, &i, "--gate"))) {
			if (!*v)
				usage_error("--gate: empty file name");
			opt.gate = v;
		} else if ((v = opt_value(argc, argv, &i, "--vlen"))) {
			opt.vlen = parse_ull("--vlen", v, 1, MAX_VLEN);
			opt.seen_vlen = 1;
		} else if ((v = opt_value(argc, argv, &i, "--procs"))) {
			opt.procs = parse_ull("--procs", v, 1, MAX_PROCS);
			opt.seen_procs = 1;
		} else {
			usage_error("unknown argument '%s'", a);
		}
	}

	if (opt.mode == MODE_DEFAULT) {
		if (opt.seen_seconds || opt.seen_rate || opt.seen_procs)
			usage_error("--seconds/--rate/--procs need the flood or steady mode");
		return;
	}
	if (opt.seen_count || opt.seen_scen || opt.seen_hold || opt.seen_vlen)
		usage_error("--count/--scenarios/--hold-ms/--vlen are not valid in %s mode",
			    opt.mode == MODE_FLOOD ? "flood" : "steady");
	if (!opt.seen_seconds)
		usage_error("%s mode needs --seconds",
			    opt.mode == MODE_FLOOD ? "flood" : "steady");
	if (opt.mode == MODE_FLOOD && opt.seen_rate)
		usage_error("--rate is only valid in steady mode");
	if (opt.mode == MODE_STEADY && !opt.seen_rate)
		usage_error("steady mode needs --rate");
	if (opt.mode == MODE_STEADY && opt.seen_procs)
		usage_error("--procs is only valid in flood mode");
}

/* ------------------------------------------------------------- helpers */

/* one receive of exactly --size bytes, counted; anything else ends the run */
static void count_exact(struct result *res, const char *what,
			unsigned long long i, ssize_t r)
{
	res->calls++;
	if (r < 0) {
		res->errors++;
		die("%s #%llu: %s", what, i, strerror(errno));
	}
	if ((unsigned long)r != opt.size)
		die("%s #%llu: got %zd bytes, expected %lu", what, i, r,
		    opt.size);
}

/*
 * A receiver blocks SIGCHLD (its sender's exit).  Normally an ignored
 * signal never wakes a sleeping task, but under ptrace (strace) it does,
 * and a recvfrom() with SO_RCVTIMEO then fails with EINTR instead of being
 * restarted, which would add an unplanned error.  A blocked signal only
 * stays pending and wakes nobody.
 */
static void block_sigchld(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die_errno("sigprocmask");
}

static void child_init(enum scen sc, pid_t parent, const char *comm)
{
	g_is_child = 1;
	if (prctl(PR_SET_NAME, comm, 0, 0, 0))
		die_errno("prctl(PR_SET_NAME)");
	snprintf(g_tag, sizeof(g_tag), "rtgen[%s pid %d]", scen_names[sc],
		 (int)getpid());
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		die_errno("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		die("parent exited early");
	block_sigchld();
	/* the gate: no receive call before the test opens it */
	while (opt.gate && access(opt.gate, F_OK))
		sleep_ms(10);
}

static unsigned int ss_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void ss_addr_str(const struct sockaddr_storage *ss, char *buf,
			size_t len)
{
	const void *a;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		die_errno("inet_ntop");
}

/* Is 'got' (as filled in by recvfrom) the same endpoint as 'want'? */
static int same_inet(const struct sockaddr_storage *got, socklen_t gotlen,
		     const struct sockaddr_storage *want)
{
	if (got->ss_family != want->ss_family)
		return 0;
	if (want->ss_family == AF_INET) {
		const struct sockaddr_in *g = (const void *)got;
		const struct sockaddr_in *w = (const void *)want;

		return gotlen == sizeof(*g) && g->sin_port == w->sin_port &&
		       g->sin_addr.s_addr == w->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *g = (const void *)got;
		const struct sockaddr_in6 *w = (const void *)want;

		return gotlen == sizeof(*g) && g->sin6_port == w->sin6_port &&
		       !memcmp(&g->sin6_addr, &w->sin6_addr, sizeof(w->sin6_addr));
	}
}

static void wait_sender(void)
{
	int st;
	pid_t pid = g_sender;

	if (pid <= 0)
		return;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			die_errno("waitpid(sender)");
	}
	g_sender = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("sender pid %d failed (%s %d)", (int)pid,
		    WIFEXITED(st) ? "exit status" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void set_peer(struct result *res, const char *family,
		     const char *addr, unsigned int port)
{
	res->has_peer = 1;
	snprintf(res->peer_family, sizeof(res->peer_family), "%s", family);
	snprintf(res->peer_addr, sizeof(res->peer_addr), "%s", addr);
	res->peer_port = port;
}

/* ------------------------------------------------------ default senders */

/* a sender waits for the receiver's one byte ack (a pipe read) */
static void wait_ack(int ackfd, unsigned long long sent)
{
	ssize_t r;
	char c;

	do {
		r = read(ackfd, &c, 1);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		die_errno("sender: read(ack pipe)");
	if (r == 0)
		die("sender: receiver went away after %llu messages", sent);
}

/*
 * Datagram sender: N datagrams of S bytes in batches of B, waiting for a
 * one byte ack from the receiver on 'ackfd' between batches.
 */
static void __attribute__((noreturn))
dgram_sender(int fd, const struct sockaddr *dst, socklen_t dstlen,
	     unsigned long batch, int ackfd)
{
	unsigned char *buf = malloc(opt.size);
	unsigned long long i;

	if (!buf)
		die_errno("malloc");
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		if (i && i % batch == 0)
			wait_ack(ackfd, i);
		fill_payload(buf, opt.size, (uint32_t)i);
		r = sendto(fd, buf, opt.size, 0, dst, dstlen);
		if (r < 0)
			die("sender: sendto #%llu: %s", i, strerror(errno));
		if ((unsigned long)r != opt.size)
			die("sender: sendto #%llu sent %zd of %lu bytes", i, r,
			    opt.size);
	}
	free(buf);
	close(fd);
	_exit(0);
}

static void __attribute__((noreturn)) tcp_sender(int fd)
{
	unsigned char *buf = malloc(opt.size);
	unsigned long long i;

	if (!buf)
		die_errno("malloc");
	for (i = 0; i < opt.count; i++) {
		fill_payload(buf, opt.size, (uint32_t)i);
		write_all(fd, buf, opt.size, "sender", NULL);
	}
	free(buf);
	if (close(fd))
		die_errno("sender: close");
	_exit(0);
}

static pid_t fork_sender(void)
{
	pid_t self = getpid();
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork(sender)");
	if (pid == 0) {
		if (prctl(PR_SET_NAME, "rtg-send", 0, 0, 0))
			die_errno("prctl(PR_SET_NAME)");
		snprintf(g_tag + strlen(g_tag), sizeof(g_tag) - strlen(g_tag),
			 " sender pid %d", (int)getpid());
		g_sender = -1;
		/* the receiver owns the unix paths */
		g_unix_rpath[0] = g_unix_spath[0] = g_unix_dir[0] = '\0';
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
			die_errno("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != self)
			die("receiver exited early");
		return 0;
	}
	g_sender = pid;
	return pid;
}

/* ------------------------------------------------------ default scenarios */

static void send_ack(int ackfd)
{
	char c = 'a';

	write_all(ackfd, &c, 1, "ack pipe", NULL);
}

/* the receive loop of a datagram scenario, over calls [from, to) */
struct dgram_rx {
	enum scen sc;
	struct result *res;
	int rfd, ackfd;
	unsigned long batch;
	unsigned char *buf;
	struct sockaddr_storage *saddr;
	unsigned long long from, to;
};

/*
 * One recvmsg() with msg_name set and one iovec; the datagram must not be
 * truncated.  Returns what recvmsg() returned, the sender's address in
 * 'from' (of *flen bytes) and its length in *flen.
 */
static ssize_t recvmsg_one(int fd, void *buf, size_t len, void *from,
			   socklen_t *flen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = from,
		.msg_namelen = *flen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t r;

	memset(from, 0, *flen);
	r = recvmsg(fd, &mh, 0);
	*flen = mh.msg_namelen;
	if (r >= 0 && (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		die("recvmsg: datagram truncated (msg_flags 0x%x)", mh.msg_flags);
	return r;
}

/*
 * SC_PEEK: a recvfrom(MSG_PEEK) without an address before each normal
 * recvfrom(); it counts in calls and peeks, not in bytes nor peers.
 */
static void dgram_peek(struct dgram_rx *rx, unsigned long long i)
{
	ssize_t r = recvfrom(rx->rfd, rx->buf, RECV_BUF_LEN, MSG_PEEK, NULL,
			     NULL);

	rx->res->calls++;
	rx->res->peeks++;
	if (r < 0) {
		rx->res->errors++;
		die("recvfrom(MSG_PEEK) #%llu: %s", i, strerror(errno));
	}
	if ((unsigned long)r != opt.size)
		die("recvfrom(MSG_PEEK) #%llu: got %zd bytes, expected %lu", i,
		    r, opt.size);
	check_payload(rx->buf, opt.size, (uint32_t)i);
}

static void dgram_receive(struct dgram_rx *rx)
{
	struct sockaddr_storage from;
	socklen_t flen;
	unsigned long long i;
	const char *what = rx->sc == SC_RECV ? "recv" :
			   rx->sc == SC_RECVMSG4 || rx->sc == SC_RECVMSG6 ?
			   "recvmsg" : "recvfrom";

	for (i = rx->from; i < rx->to; i++) {
		ssize_t r;

		if (rx->sc == SC_PEEK)
			dgram_peek(rx, i);
		if (rx->sc == SC_RECV) {
			r = recv(rx->rfd, rx->buf, RECV_BUF_LEN, 0);
		} else if (rx->sc == SC_RECVMSG4 || rx->sc == SC_RECVMSG6) {
			flen = sizeof(from);
			r = recvmsg_one(rx->rfd, rx->buf, RECV_BUF_LEN, &from,
					&flen);
		} else {
			memset(&from, 0, sizeof(from));
			flen = sizeof(from);
			r = recvfrom(rx->rfd, rx->buf, RECV_BUF_LEN, 0,
				     (struct sockaddr *)&from, &flen);
		}
		count_exact(rx->res, what, i, r);
		if (rx->sc != SC_RECV && !same_inet(&from, flen, rx->saddr))
			die("%s #%llu: datagram from an unexpected address", what,
			    i);
		check_payload(rx->buf, opt.size, (uint32_t)i);
		rx->res->bytes += (unsigned long long)r;
		if (rx->sc != SC_RECV) {
			rx->res->peer_calls++;
			rx->res->peer_bytes += (unsigned long long)r;
		}
		if ((i + 1) % rx->batch == 0 && i + 1 < opt.count)
			send_ack(rx->ackfd);
	}
}

/*
 * SC_RECVMMSG: recvmmsg() calls of --vlen datagrams (the last one asks
 * for what is left), each datagram with its msg_name.  The batch is a
 * multiple of vlen, so every ack falls between two calls; flags 0, so a
 * call blocks until its vector is full.
 */
static void dgram_receive_mmsg(struct dgram_rx *rx)
{
	struct mmsghdr mm[MAX_VLEN];
	struct iovec iov[MAX_VLEN];
	struct sockaddr_storage from[MAX_VLEN];
	unsigned char *bufs = malloc((size_t)MAX_SIZE * opt.vlen);
	unsigned long long i = 0;

	if (!bufs)
		die_errno("malloc");
	while (i < opt.count) {
		unsigned int want, k;
		int r;

		want = opt.count - i < opt.vlen ? (unsigned int)(opt.count - i) :
						  (unsigned int)opt.vlen;
		memset(mm, 0, sizeof(mm));
		memset(from, 0, sizeof(from));
		for (k = 0; k < want; k++) {
			iov[k].iov_base = bufs + (size_t)MAX_SIZE * k;
			iov[k].iov_len = MAX_SIZE;
			mm[k].msg_hdr.msg_name = &from[k];
			mm[k].msg_hdr.msg_namelen = sizeof(from[k]);
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		r = recvmmsg(rx->rfd, mm, want, 0, NULL);
		rx->res->syscalls++;
		if (r < 0) {
			rx->res->errors++;
			die("recvmmsg at datagram #%llu: %s", i, strerror(errno));
		}
		if ((unsigned int)r != want)
			die("recvmmsg at datagram #%llu: got %d datagrams, expected %u",
			    i, r, want);
		for (k = 0; k < want; k++, i++) {
			const struct msghdr *mh = &mm[k].msg_hdr;

			rx->res->calls++;
			if (mm[k].msg_len != opt.size ||
			    (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
				die("recvmmsg datagram #%llu: got %u bytes (flags 0x%x), expected %lu",
				    i, mm[k].msg_len, mh->msg_flags, opt.size);
			if (!same_inet(&from[k], mh->msg_namelen, rx->saddr))
				die("recvmmsg datagram #%llu: from an unexpected address",
				    i);
			check_payload(iov[k].iov_base, opt.size, (uint32_t)i);
			rx->res->bytes += opt.size;
			rx->res->peer_calls++;
			rx->res->peer_bytes += opt.size;
		}
		if (i % rx->batch == 0 && i < opt.count)
			send_ack(rx->ackfd);
	}
	free(bufs);
}

static void *dgram_thread(void *arg)
{
	dgram_receive(arg);
	return NULL;
}

/*
 * SC_THREAD: the calls are made by THREAD_WORKERS threads one after
 * another, each exiting as soon as its share is done, while the process
 * lives on: a tracer must still count them under the process.
 */
#define THREAD_WORKERS 4

static void run_dgram_inet(enum scen sc, struct result *res, int family)
{
	struct sockaddr_storage raddr, saddr;
	socklen_t rlen, slen;
	unsigned char *buf = malloc(RECV_BUF_LEN);
	int rfd, sfd, pfd[2], rcvbuf;
	unsigned long batch;
	char addr[INET6_ADDRSTRLEN];
	struct dgram_rx rx;

	if (!buf)
		die_errno("malloc");
	rfd = loopback_socket(family, SOCK_DGRAM, &raddr, &rlen);
	sfd = loopback_socket(family, SOCK_DGRAM, &saddr, &slen);
	rcvbuf = set_big_rcvbuf(rfd);
	batch = dgram_fit(rcvbuf, opt.size, MAX_BATCH);
	if (sc == SC_RECVMMSG) {
		/* whole vectors per batch, and a batch must fit */
		if (batch < opt.vlen)
			die("--vlen %lu: only %lu datagrams of %lu bytes fit the receive buffer (%d bytes)",
			    opt.vlen, batch, opt.size, rcvbuf);
		batch -= batch % opt.vlen;
		res->extra |= X_SYSCALLS;
	}
	set_rcvtimeo(rfd, RCVTIMEO_SAFE_S, 0);
	if (pipe2(pfd, O_CLOEXEC))
		die_errno("pipe2");

	if (fork_sender() == 0) {
		close(rfd);
		close(pfd[1]);
		dgram_sender(sfd, (struct sockaddr *)&raddr, rlen, batch, pfd[0]);
	}
	close(sfd);
	close(pfd[0]);

	if (sc == SC_PEEK)
		res->extra |= X_PEEKS;
	if (sc != SC_RECV) {
		ss_addr_str(&saddr, addr, sizeof(addr));
		set_peer(res, family == AF_INET ? "inet" : "inet6", addr,
			 ss_port(&saddr));
		res->peer_lport = ss_port(&raddr);
	}

	sleep_ms(opt.hold_ms);
	rx = (struct dgram_rx){ sc, res, rfd, pfd[1], batch, buf, &saddr,
				0, opt.count };
	if (sc == SC_THREAD) {
		for (int t = 0; t < THREAD_WORKERS; t++) {
			struct dgram_rx part = rx;
			pthread_t th;

			part.from = opt.count * (unsigned long long)t /
				    THREAD_WORKERS;
			part.to = opt.count * (unsigned long long)(t + 1) /
				  THREAD_WORKERS;
			if (pthread_create(&th, NULL, dgram_thread, &part) ||
			    pthread_join(th, NULL))
				die("cannot run a receiving thread");
		}
	} else if (sc == SC_RECVMMSG) {
		dgram_receive_mmsg(&rx);
	} else {
		dgram_receive(&rx);
	}
	close(pfd[1]);
	close(rfd);
	wait_sender();
	free(buf);
}

static void run_tcp(struct result *res, int family)
{
	struct sockaddr_storage from;
	socklen_t flen;
	unsigned char *buf = malloc(opt.size);
	int cfd, afd;
	unsigned long long i;

	if (!buf)
		die_errno("malloc");
	stream_pair(family, &afd, &cfd, 0);
	set_rcvtimeo(afd, RCVTIMEO_SAFE_S, 0);

	if (fork_sender() == 0) {
		close(afd);
		tcp_sender(cfd);
	}
	close(cfd);

	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		memset(&from, 0xa5, sizeof(from));
		flen = sizeof(from);
		r = recvfrom(afd, buf, opt.size, MSG_WAITALL,
			     (struct sockaddr *)&from, &flen);
		res->calls++;
		if (r < 0) {
			res->errors++;
			die("recvfrom #%llu: %s", i, strerror(errno));
		}
		if ((unsigned long)r != opt.size)
			die("recvfrom #%llu: got %zd bytes, expected %lu (MSG_WAITALL)",
			    i, r, opt.size);
		if (flen != 0)
			die("recvfrom #%llu: kernel filled a %u byte address for a connected TCP socket",
			    i, (unsigned int)flen);
		check_payload(buf, opt.size, (uint32_t)i);
		res->bytes += (unsigned long long)r;
	}
	/* no EOF read: exactly N receive calls */
	close(afd);
	wait_sender();
	free(buf);
}

/*
 * Stream sender, one message in flight: message i+1 is written only after
 * the receiver acked message i on 'ackfd' (read() on a pipe, the only
 * read this process makes).
 */
static void __attribute__((noreturn)) stream_sender_acked(int fd, int ackfd)
{
	unsigned char *buf = malloc(opt.size);
	unsigned long long i;

	if (!buf)
		die_errno("malloc");
	for (i = 0; i < opt.count; i++) {
		if (i)
			wait_ack(ackfd, i);
		fill_payload(buf, opt.size, (uint32_t)i);
		write_all(fd, buf, opt.size, "sender", NULL);
	}
	free(buf);
	if (close(fd))
		die_errno("sender: close");
	_exit(0);
}

/*
 * Wait until a whole message is queued.  poll() honours SO_RCVLOWAT but
 * may report a partial message early (memory pressure, a small window),
 * so FIONREAD has the last word.
 */
static void wait_queued(int fd, unsigned long long i)
{
	double deadline = now_mono() + RCVTIMEO_SAFE_S;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r, queued;

	for (;;) {
		r = poll(&p, 1, RCVTIMEO_SAFE_S * 1000);
		if (r < 0 && errno != EINTR)
			die_errno("poll");
		if (ioctl(fd, FIONREAD, &queued))
			die_errno("ioctl(FIONREAD)");
		if (queued >= 0 && (unsigned long)queued >= opt.size)
			return;
		if (now_mono() >= deadline)
			die("message #%llu: %d of %lu bytes queued after %d s", i,
			    queued, opt.size, RCVTIMEO_SAFE_S);
		if (r > 0)
			sleep_ms(1);
	}
}

/*
 * SC_URING: one IORING_OP_RECV of --size bytes; one io_uring_enter()
 * submits it and waits for its completion.  The message is already
 * queued (wait_queued), so the receive completes inline with all of it.
 * Returns the completion's res.
 */
static int uring_recv(struct io_uring *ring, struct result *res, int fd,
		      void *buf, unsigned long long i)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int r;

	wait_queued(fd, i);
	sqe = io_uring_get_sqe(ring);
	if (!sqe)
		die("io_uring: no free SQE");
	io_uring_prep_recv(sqe, fd, buf, opt.size, 0);
	r = io_uring_submit_and_wait(ring, 1);
	res->syscalls++;
	if (r != 1)
		die("io_uring_submit_and_wait #%llu: %s", i,
		    r < 0 ? strerror(-r) : "SQE not submitted");
	r = io_uring_peek_cqe(ring, &cqe);
	if (r)
		die("io_uring #%llu: no completion: %s", i, strerror(-r));
	r = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return r;
}

/*
 * read4, readv6, ustream, uring: one read()/readv()/IORING_OP_RECV of
 * exactly --size bytes per message, and no other receive call (no EOF
 * read).  A read returns exactly one message because the sender has at
 * most one in flight (it waits for an ack) and SO_RCVLOWAT = size makes
 * the blocking read wait until the whole message is queued (uring: see
 * wait_queued); anything else is fatal.  TCP gets a big, locked receive
 * buffer, so a whole message always fits the window.
 */
static void run_stream_acked(enum scen sc, struct result *res, int family)
{
	unsigned char *buf = malloc(opt.size);
	unsigned long long i;
	int rfd, sfd, pfd[2], lowat = (int)opt.size;
	const char *what = sc == SC_READV6 ? "readv" :
			   sc == SC_URING ? "io_uring recv" : "read";
	struct io_uring ring;

	if (!buf)
		die_errno("malloc");
	if (sc == SC_URING) {
		int e = io_uring_queue_init(4, &ring, 0);

		if (e)
			die("io_uring_queue_init: %s", strerror(-e));
		res->extra |= X_SYSCALLS;
	}
	stream_pair(family, &rfd, &sfd, 1);
	if (setsockopt(rfd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)))
		die_errno("setsockopt(SO_RCVLOWAT)");
	set_rcvtimeo(rfd, RCVTIMEO_SAFE_S, 0);
	if (pipe2(pfd, O_CLOEXEC))
		die_errno("pipe2");

	if (fork_sender() == 0) {
		close(rfd);
		close(pfd[1]);
		stream_sender_acked(sfd, pfd[0]);
	}
	close(sfd);
	close(pfd[0]);

	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		if (sc == SC_READV6) {
			struct iovec iov[2] = {
				{ buf, (opt.size + 1) / 2 },
				{ buf + (opt.size + 1) / 2, opt.size / 2 },
			};

			r = readv(rfd, iov, 2);
		} else if (sc == SC_URING) {
			r = uring_recv(&ring, res, rfd, buf, i);
			if (r < 0) {
				errno = -(int)r;
				r = -1;
			}
		} else {
			r = read(rfd, buf, opt.size);
		}
		count_exact(res, what, i, r);
		check_payload(buf, opt.size, (uint32_t)i);
		res->bytes += (unsigned long long)r;
		if (i + 1 < opt.count)
			send_ack(pfd[1]);
	}
	/* --linger-ms: the socket stays open a while after its reads */
	sleep_ms(opt.linger_ms);
	close(pfd[1]);
	close(rfd);
	if (sc == SC_URING)
		io_uring_queue_exit(&ring);
	wait_sender();
	free(buf);
}

static void run_eagain(struct result *res)
{
	struct sockaddr_storage a;
	socklen_t alen;
	unsigned char *buf = malloc(RECV_BUF_LEN);
	unsigned long long i;
	int fd;

	if (!buf)
		die_errno("malloc");
	fd = loopback_socket(AF_INET, SOCK_DGRAM, &a, &alen);
	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		ssize_t r = recvfrom(fd, buf, RECV_BUF_LEN, MSG_DONTWAIT, NULL,
				     NULL);

		res->calls++;
		if (r >= 0)
			die("recvfrom #%llu: unexpectedly received %zd bytes", i, r);
		res->errors++;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			die("recvfrom #%llu: expected EAGAIN, got %s", i,
			    strerror(errno));
		res->eagain++;
	}
	close(fd);
	free(buf);
}

static void run_ebadf(struct result *res)
{
	struct sockaddr_storage from;
	socklen_t flen;
	unsigned char buf[256];
	unsigned long long i;
	int fd;

	fd = dup(STDERR_FILENO);
	if (fd < 0)
		die_errno("dup");
	if (close(fd))
		die_errno("close");
	/* nothing in this process opens files from here on */
	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		die("fd %d is unexpectedly open", fd);
	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		memset(&from, 0, sizeof(from));
		flen = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		res->calls++;
		if (r >= 0)
			die("recvfrom #%llu on closed fd %d returned %zd", i, fd, r);
		res->errors++;
		if (errno != EBADF)
			die("recvfrom #%llu: expected EBADF, got %s", i,
			    strerror(errno));
	}
}

static int unix_dgram_bound(const char *path, struct sockaddr_un *sun,
			    socklen_t *len)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_errno("socket(AF_UNIX)");
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		die("unix path too long: %s", path);
	strcpy(sun->sun_path, path);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   strlen(path) + 1);
	if (bind(fd, (struct sockaddr *)sun, *len))
		die("bind %s: %s", path, strerror(errno));
	return fd;
}

static void run_unix(enum scen sc, struct result *res)
{
	struct sockaddr_un raddr, saddr, from;
	socklen_t rlen, slen, flen, want_len;
	unsigned char *buf = malloc(RECV_BUF_LEN);
	const unsigned long batch = 64;
	unsigned long long i;
	int rfd, sfd, pfd[2];
	const char *what = sc == SC_UDGRAM ? "recvmsg" : "recvfrom";

	if (!buf)
		die_errno("malloc");
	strcpy(g_unix_dir, "/tmp/rtgen-XXXXXX");
	if (!mkdtemp(g_unix_dir)) {
		g_unix_dir[0] = '\0';
		die_errno("mkdtemp");
	}
	snprintf(g_unix_rpath, sizeof(g_unix_rpath), "%s/recv", g_unix_dir);
	rfd = unix_dgram_bound(g_unix_rpath, &raddr, &rlen);
	snprintf(g_unix_spath, sizeof(g_unix_spath), "%s/send", g_unix_dir);
	sfd = unix_dgram_bound(g_unix_spath, &saddr, &slen);
	want_len = slen;
	set_rcvtimeo(rfd, RCVTIMEO_SAFE_S, 0);
	if (pipe2(pfd, O_CLOEXEC))
		die_errno("pipe2");

	if (fork_sender() == 0) {
		close(rfd);
		close(pfd[1]);
		dgram_sender(sfd, (struct sockaddr *)&raddr, rlen, batch, pfd[0]);
	}
	close(sfd);
	close(pfd[0]);
	set_peer(res, "unix", g_unix_spath, 0);

	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		memset(&from, 0, sizeof(from));
		flen = sizeof(from);
		if (sc == SC_UDGRAM)
			r = recvmsg_one(rfd, buf, RECV_BUF_LEN, &from, &flen);
		else
			r = recvfrom(rfd, buf, RECV_BUF_LEN, 0,
				     (struct sockaddr *)&from, &flen);
		count_exact(res, what, i, r);
		if (from.sun_family != AF_UNIX || flen != want_len ||
		    strcmp(from.sun_path, g_unix_spath))
			die("%s #%llu: datagram from an unexpected address", what,
			    i);
		check_payload(buf, opt.size, (uint32_t)i);
		res->bytes += (unsigned long long)r;
		res->peer_calls++;
		res->peer_bytes += (unsigned long long)r;
		if ((i + 1) % batch == 0 && i + 1 < opt.count)
			send_ack(pfd[1]);
	}
	close(pfd[1]);
	close(rfd);
	wait_sender();
	cleanup();
	free(buf);
}

/* noise's helper: N messages of 'len' <= PIPE_BUF bytes into a pipe */
static void __attribute__((noreturn)) pipe_writer(int fd, size_t len)
{
	unsigned char buf[PIPE_BUF];
	unsigned long long i;

	for (i = 0; i < opt.count; i++) {
		fill_payload(buf, len, (uint32_t)i);
		write_all(fd, buf, len, "pipe writer", NULL);
	}
	if (close(fd))
		die_errno("pipe writer: close");
	_exit(0);
}

/*
 * SC_NOISE: reads that are not socket receives, made by the receiver
 * process itself: N read()s of NOISE_CHUNK bytes from an unlinked 4 MiB
 * temporary file (back to its start at its end) and N read()s of
 * min(size, PIPE_BUF) bytes from a pipe that the helper fills.  Pipe
 * writes of at most PIPE_BUF bytes are atomic, so each read returns
 * exactly one message.  calls and bytes stay 0.
 */
static void run_noise(struct result *res)
{
	unsigned char *buf = malloc(NOISE_CHUNK);
	char path[] = "/tmp/rtgen-noise-XXXXXX";
	const size_t pmsg = opt.size < PIPE_BUF ? opt.size : PIPE_BUF;
	const unsigned int chunks = NOISE_FILE_LEN / NOISE_CHUNK;
	unsigned long long i;
	unsigned int k;
	int ffd, pfd[2];

	if (!buf)
		die_errno("malloc");
	ffd = mkostemp(path, O_CLOEXEC);
	if (ffd < 0)
		die("mkostemp %s: %s", path, strerror(errno));
	if (unlink(path))
		die("unlink %s: %s", path, strerror(errno));
	for (k = 0; k < chunks; k++) {
		fill_payload(buf, NOISE_CHUNK, k);
		write_all(ffd, buf, NOISE_CHUNK, "noise file", NULL);
	}
	if (pipe2(pfd, O_CLOEXEC))
		die_errno("pipe2");

	if (fork_sender() == 0) {
		close(ffd);
		close(pfd[0]);
		pipe_writer(pfd[1], pmsg);
	}
	close(pfd[1]);
	res->extra |= X_NOISE;

	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		ssize_t r;

		k = (unsigned int)(i % chunks);
		if (k == 0 && lseek(ffd, 0, SEEK_SET))
			die_errno("lseek");
		r = read(ffd, buf, NOISE_CHUNK);
		res->file_reads++;
		if (r < 0)
			die("file read #%llu: %s", i, strerror(errno));
		if (r != NOISE_CHUNK)
			die("file read #%llu: got %zd bytes, expected %d", i, r,
			    NOISE_CHUNK);
		check_payload(buf, NOISE_CHUNK, k);
		r = read(pfd[0], buf, pmsg);
		res->pipe_reads++;
		if (r < 0)
			die("pipe read #%llu: %s", i, strerror(errno));
		if ((size_t)r != pmsg)
			die("pipe read #%llu: got %zd bytes, expected %zu", i, r,
			    pmsg);
		check_payload(buf, pmsg, (uint32_t)i);
	}
	close(pfd[0]);
	close(ffd);
	wait_sender();
	free(buf);
}

/*
 * SC_REUSE: the descriptor that was a file a moment ago is a socket now,
 * and the other way round (see the top of this file)
 */
static void run_reuse(struct result *res)
{
	unsigned char *buf = malloc(opt.size);
	char path[] = "/tmp/rtgen-reuse-XXXXXX";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	unsigned long long i;
	int tfd;

	if (!buf)
		die_errno("malloc");
	tfd = mkostemp(path, O_CLOEXEC);
	if (tfd < 0)
		die("mkostemp %s: %s", path, strerror(errno));
	fill_payload(buf, opt.size, 7);
	write_all(tfd, buf, opt.size, "reuse file", NULL);
	close(tfd);
	res->extra |= X_NOISE;
	sleep_ms(opt.hold_ms);
	for (i = 0; i < opt.count; i++) {
		int ffd = open(path, O_RDONLY | O_CLOEXEC), sfd;
		ssize_t r;

		if (ffd < 0)
			die("open %s: %s", path, strerror(errno));
		r = read(ffd, buf, opt.size);
		res->file_reads++;
		if (r != (ssize_t)opt.size)
			die("reuse file read #%llu: %zd bytes", i, r);
		close(ffd);
		sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sfd != ffd)
			die("reuse #%llu: socket fd %d, the file had %d", i, sfd,
			    ffd);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = 0;
		if (bind(sfd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    getsockname(sfd, (struct sockaddr *)&sin, &slen))
			die_errno("reuse: bind");
		fill_payload(buf, opt.size, (uint32_t)i);
		if (sendto(sfd, buf, opt.size, 0, (struct sockaddr *)&sin,
			   sizeof(sin)) != (ssize_t)opt.size)
			die_errno("reuse: sendto");
		r = read(sfd, buf, opt.size);
		if (r != (ssize_t)opt.size)
			die("reuse socket read #%llu: %zd bytes", i, r);
		check_payload(buf, opt.size, (uint32_t)i);
		res->calls++;
		res->bytes += (unsigned long long)r;
		close(sfd);
	}
	unlink(path);
	free(buf);
}

static void __attribute__((noreturn))
scenario_child(enum scen sc, struct result *res, pid_t parent)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "rtg-%s", scen_names[sc]);
	child_init(sc, parent, comm);
	if (prctl(PR_GET_NAME, res->comm, 0, 0, 0))
		die_errno("prctl(PR_GET_NAME)");
	res->pid = getpid();
	if (scen_via[sc])
		snprintf(res->via, sizeof(res->via), "%s", scen_via[sc]);
	if (scen_sock[sc][0]) {
		snprintf(res->sock_family, sizeof(res->sock_family), "%s",
			 scen_sock[sc][0]);
		snprintf(res->proto, sizeof(res->proto), "%s",
			 scen_sock[sc][1]);
	}

	switch (sc) {
	case SC_UDP4:
		run_dgram_inet(sc, res, AF_INET);
		break;
	case SC_UDP6:
		run_dgram_inet(sc, res, AF_INET6);
		break;
	case SC_RECV:
	case SC_THREAD:
	case SC_RECVMSG4:
	case SC_RECVMMSG:
	case SC_PEEK:
		run_dgram_inet(sc, res, AF_INET);
		break;
	case SC_RECVMSG6:
		run_dgram_inet(sc, res, AF_INET6);
		break;
	case SC_TCP:
		run_tcp(res, AF_INET);
		break;
	case SC_TCP6:
		run_tcp(res, AF_INET6);
		break;
	case SC_READ4:
		run_stream_acked(sc, res, AF_INET);
		break;
	case SC_READV6:
		run_stream_acked(sc, res, AF_INET6);
		break;
	case SC_URING:
		run_stream_acked(sc, res, AF_INET);
		break;
	case SC_USTREAM:
		run_stream_acked(sc, res, AF_UNIX);
		break;
	case SC_EAGAIN:
		run_eagain(res);
		break;
	case SC_EBADF:
		run_ebadf(res);
		break;
	case SC_NOISE:
		run_noise(res);
		break;
	case SC_REUSE:
		run_reuse(res);
		break;
	case SC_UNIX:
	case SC_UDGRAM:
		run_unix(sc, res);
		break;
	default:
		die("internal error: scenario %d", (int)sc);
	}
	sleep_ms(opt.hold_ms);
	res->done = 1;
	_exit(0);
}

/* ------------------------------------------------------- flood / steady */

static void ts_add_ns(struct timespec *ts, long long ns)
{
	long long t = ts->tv_nsec + ns;

	ts->tv_sec += (time_t)(t / 1000000000LL);
	ts->tv_nsec = (long)(t % 1000000000LL);
}

static void __attribute__((noreturn))
flood_sender(int fd, double deadline, const struct timespec *start)
{
	unsigned char *buf = malloc(opt.size);
	unsigned long long sent = 0, tick = 0;
	struct timespec next = *start;

	if (!buf)
		die_errno("malloc");
	fill_payload(buf, opt.size, 0);
	for (;;) {
		unsigned long long target;

		if (now_mono() >= deadline)
			break;
		if (opt.mode == MODE_STEADY) {
			/* pace: at tick k the total is floor(R * k / 1000) */
			tick++;
			ts_add_ns(&next, 1000000);
			target = (unsigned long long)(opt.rate * (double)tick / 1000.0);
		} else {
			target = sent + 64;
		}
		while (sent < target) {
			ssize_t r = send(fd, buf, opt.size, 0);

			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == EINTR)
					continue;
				die("sender: send: %s", strerror(errno));
			}
			if ((unsigned long)r != opt.size)
				die("sender: short send %zd", r);
			sent++;
		}
		if (opt.mode == MODE_STEADY) {
			int e;

			while ((e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						    &next, NULL)) == EINTR)
				;
			if (e)
				die("sender: clock_nanosleep: %s", strerror(e));
		}
	}
	free(buf);
	_exit(0);
}

static void __attribute__((noreturn))
flood_child(struct result *res, pid_t parent)
{
	struct sockaddr_storage raddr, saddr, from;
	socklen_t rlen, slen, flen;
	unsigned char *buf = malloc(RECV_BUF_LEN);
	struct timespec start;
	double deadline;
	int rfd, sfd;
	char addr[INET6_ADDRSTRLEN];
	enum scen sc = opt.mode == MODE_FLOOD ? SC_FLOOD : SC_STEADY;
	const char *comm = opt.mode == MODE_FLOOD ? "rtg-flood" : "rtg-steady";

	child_init(sc, parent, comm);
	if (prctl(PR_GET_NAME, res->comm, 0, 0, 0))
		die_errno("prctl(PR_GET_NAME)");
	res->pid = getpid();
	if (!buf)
		die_errno("malloc");

	rfd = loopback_socket(AF_INET, SOCK_DGRAM, &raddr, &rlen);
	sfd = loopback_socket(AF_INET, SOCK_DGRAM, &saddr, &slen);
	set_big_rcvbuf(rfd);
	set_rcvtimeo(rfd, 0, RCVTIMEO_FLOOD_MS * 1000);
	if (connect(sfd, (struct sockaddr *)&raddr, rlen))
		die_errno("connect");
	ss_addr_str(&saddr, addr, sizeof(addr));
	set_peer(res, "inet", addr, ss_port(&saddr));
	res->peer_lport = ss_port(&raddr);

	if (clock_gettime(CLOCK_MONOTONIC, &start))
		die_errno("clock_gettime");
	res->t_start = start.tv_sec + start.tv_nsec / 1e9;
	res->t_last_ok = res->t_start;
	deadline = res->t_start + opt.seconds;

	if (fork_sender() == 0) {
		close(rfd);
		flood_sender(sfd, deadline, &start);
	}
	close(sfd);

	for (;;) {
		ssize_t r;

		flen = sizeof(from);
		r = recvfrom(rfd, buf, RECV_BUF_LEN, 0, (struct sockaddr *)&from,
			     &flen);
		res->calls++;
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				die("recvfrom: %s", strerror(errno));
			res->errors++;
			res->eagain++;
			/* a timeout after the deadline ends the run */
			if (now_mono() >= deadline)
				break;
			continue;
		}
		if ((unsigned long)r != opt.size)
			die("recvfrom: got %zd bytes, expected %lu", r, opt.size);
		if (!same_inet(&from, flen, &saddr))
			die("recvfrom: datagram from an unexpected address");
		res->bytes += (unsigned long long)r;
		res->peer_calls++;
		res->peer_bytes += (unsigned long long)r;
		res->t_last_ok = now_mono();
	}
	close(rfd);
	wait_sender();
	free(buf);
	res->done = 1;
	_exit(0);
}

/* ---------------------------------------------------------------- output */

static void write_json(FILE *f, const struct result *res, const char *const *scen,
		       int n, int timing)
{
	int i, first = 1;

	fputs("{\"processes\":[", f);
	for (i = 0; i < n; i++) {
		const struct result *r = &res[i];

		fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)r->pid);
		json_str(f, r->comm);
		fputs(",\"scenario\":", f);
		json_str(f, scen[i]);
		fprintf(f, ",\"calls\":%llu,\"bytes\":%llu,\"errors\":%llu,\"eagain\":%llu",
			r->calls, r->bytes, r->errors, r->eagain);
		if (r->via[0]) {
			fputs(",\"via\":", f);
			json_str(f, r->via);
		}
		if (r->proto[0]) {
			fputs(",\"sock_family\":", f);
			json_str(f, r->sock_family);
			fputs(",\"proto\":", f);
			json_str(f, r->proto);
		}
		if (r->extra & X_SYSCALLS)
			fprintf(f, ",\"syscalls\":%llu", r->syscalls);
		if (r->extra & X_PEEKS)
			fprintf(f, ",\"peeks\":%llu", r->peeks);
		if (r->extra & X_NOISE)
			fprintf(f, ",\"file_reads\":%llu,\"pipe_reads\":%llu",
				r->file_reads, r->pipe_reads);
		fputc('}', f);
	}
	fputs("],\"peers\":[", f);
	for (i = 0; i < n; i++) {
		const struct result *r = &res[i];

		if (!r->has_peer || !r->peer_calls)
			continue;
		fprintf(f, "%s{\"family\":", first ? "" : ",");
		json_str(f, r->peer_family);
		fputs(",\"addr\":", f);
		json_str(f, r->peer_addr);
		fprintf(f, ",\"port\":%u,\"local_port\":%u,\"calls\":%llu,"
			"\"bytes\":%llu,\"pid\":%d}", r->peer_port,
			r->peer_lport, r->peer_calls, r->peer_bytes,
			(int)r->pid);
		first = 0;
	}
	fputs("],\"readers\":[]", f);
	if (timing) {
		double t0 = 0, t1 = 0, secs;
		unsigned long long ok = 0;

		for (i = 0; i < n; i++) {
			if (!i || res[i].t_start < t0)
				t0 = res[i].t_start;
			if (!i || res[i].t_last_ok > t1)
				t1 = res[i].t_last_ok;
			ok += res[i].calls - res[i].errors;
		}
		secs = t1 - t0;
		fprintf(f, ",\"seconds\":%.6f,\"rate\":%.1f", secs,
			secs > 0 ? (double)ok / secs : 0.0);
	}
	fputs("}\n", f);
}

static int emit(FILE *f, const struct result *res, const char *const *scen,
		int n, int timing)
{
	write_json(f, res, scen, n, timing);
	return close_expect(f, opt.expect);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	int scen[MAX_SCENARIOS > MAX_PROCS ? MAX_SCENARIOS : MAX_PROCS] = { SC_UDP4 };
	const char *names[MAX_SCENARIOS > MAX_PROCS ? MAX_SCENARIOS : MAX_PROCS];
	pid_t pids[MAX_SCENARIOS > MAX_PROCS ? MAX_SCENARIOS : MAX_PROCS];
	struct result *res;
	FILE *out;
	size_t maplen;
	pid_t self = getpid();
	int n, i, started, failed = 0, rc;

	parse_args(argc, argv);
	if (opt.mode == MODE_DEFAULT) {
		n = parse_scenarios(opt.scenarios, scen_names,
				    sizeof(scen_names[0]), SC_FLOOD, scen,
				    MAX_SCENARIOS,
				    DEFAULT_SCENARIOS "," EXTRA_SCENARIOS);
	} else {
		n = opt.mode == MODE_FLOOD ? (int)opt.procs : 1;
		for (i = 0; i < n; i++)
			scen[i] = opt.mode == MODE_FLOOD ? SC_FLOOD : SC_STEADY;
	}
	for (i = 0; i < n; i++)
		names[i] = scen_names[scen[i]];

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
			fprintf(stderr, "rtgen: fork: %s\n", strerror(errno));
			failed = 1;
			break;
		}
		if (pid == 0) {
			if (opt.mode == MODE_DEFAULT)
				scenario_child(scen[started], &res[started], self);
			flood_child(&res[started], self);
		}
		pids[started] = pid;
	}

	for (i = 0; i < started; i++) {
		int r = wait_scenario(pids[i], names[i], &res[i].done);

		if (r < 0)
			return 1;
		failed |= r;
	}
	if (failed) {
		fprintf(stderr, "rtgen: failed, no expectations written\n");
		munmap(res, maplen);
		if (out != stdout)
			fclose(out);
		return 1;
	}
	rc = emit(out, res, names, n, opt.mode != MODE_DEFAULT);
	munmap(res, maplen);
	return rc;
}
