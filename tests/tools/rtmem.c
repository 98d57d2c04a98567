/*
 * rtmem - cross-process memory reader for recvtop tests.
 *
 *   rtmem [--reads N] [--writes W] [--peeks P] [--proc] [--denied D]
 *         [--expect FILE] [--hold-ms MS]
 *
 * Processes:
 *
 *   rtm-reader  this program (renamed with PR_SET_NAME at start); makes
 *               every counted access except the denied ones
 *   rtm-target  forked child holding a buffer with a known pattern; it is
 *               the target of ALL reader rows (process_vm_readv,
 *               process_vm_writev, ptrace, proc_mem, proc_read) and of the
 *               denied row
 *   rtm-denied  forked child that drops to uid/gid 65534 and tries
 *               process_vm_readv on rtm-target (root owned), D times, each
 *               failing with EPERM
 *
 * Sequence:
 *   1. target fills its buffer, publishes its address in a MAP_SHARED page
 *      and stops itself with raise(SIGSTOP) (a plain group stop, no
 *      ptrace); the reader waits for that with waitpid(WUNTRACED)
 *   2. --hold-ms sleep
 *   3. while the target is stopped: N x process_vm_readv (content checked
 *      every time), W x process_vm_writev into a separate write area,
 *      --proc: open + one 2 KiB pread of /proc/T/mem (within one page)
 *      and open + one read of /proc/T/environ, then the rtm-denied child
 *   4. kill(SIGCONT); the target checks the written area itself and
 *      reports through the shared page; if P > 0 it then calls
 *      PTRACE_TRACEME and raise(SIGSTOP) (a ptrace signal-delivery stop),
 *      otherwise just raise(SIGSTOP) again; reader waits with waitpid
 *   5. P x ptrace(PTRACE_PEEKDATA) (value checked every time); no other
 *      ptrace request is made by the reader
 *   6. --hold-ms sleep, then kill(SIGKILL) the target and reap it
 *
 * The reader itself makes no read() calls except the /proc ones above.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RT_TOOL "rtmem"
#include "rtcommon.h"

#define MAX_OPS		10000000ULL
#define AREA_SIZE	(64 * 1024)
#define RD_OFF		100		/* read area: crosses page boundaries */
#define RD_LEN		8192
#define WR_OFF		(32 * 1024 + 16)
#define WR_LEN		1024
/*
 * /proc/PID/mem is read with one pread of PROC_LEN bytes that stays inside
 * one page (RD_OFF + PROC_LEN <= 4096), so the kernel's mem_rw() does a
 * single access_remote_vm() chunk for it.
 */
#define PROC_LEN	2048
#define NOBODY		65534

/* Shared between reader and target (MAP_SHARED | MAP_ANONYMOUS). */
struct ctl {
	uintptr_t rd_addr;
	uintptr_t wr_addr;
	int write_checked;		/* target looked at the write area */
	int write_ok;
	char msg[256];			/* target's failure message */
};

static struct {
	unsigned long long reads, writes, peeks, denied;
	int proc;
	const char *expect;
	unsigned long hold_ms;
} opt = {
	.reads = 100,
	.writes = 10,
	.peeks = 10,
};

static pid_t g_target = -1;
static pid_t g_denied = -1;
static struct ctl *g_ctl;

/* the children, from the parent */
static void cleanup(void)
{
	if (g_is_child)
		return;
	if (g_denied > 0) {
		kill(g_denied, SIGKILL);
		waitpid(g_denied, NULL, 0);
		g_denied = -1;
	}
	if (g_target > 0) {
		kill(g_target, SIGKILL);
		waitpid(g_target, NULL, 0);
		g_target = -1;
	}
}

static void usage(void)
{
	printf("usage: rtmem [--reads N] [--writes W] [--peeks P] [--proc] [--denied D]\n"
	       "             [--expect FILE] [--hold-ms MS]\n"
	       "defaults: --reads 100 --writes 10 --peeks 10 --denied 0 --hold-ms 0\n");
}

static void parse_args(int argc, char **argv)
{
	const char *v;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			exit(0);
		} else if (!strcmp(a, "--proc")) {
			opt.proc = 1;
		} else if ((v = opt_value(argc, argv, &i, "--reads"))) {
			opt.reads = parse_ull("--reads", v, 0, MAX_OPS);
		} else if ((v = opt_value(argc, argv, &i, "--writes"))) {
			opt.writes = parse_ull("--writes", v, 0, MAX_OPS);
		} else if ((v = opt_value(argc, argv, &i, "--peeks"))) {
			opt.peeks = parse_ull("--peeks", v, 0, MAX_OPS);
		} else if ((v = opt_value(argc, argv, &i, "--denied"))) {
			opt.denied = parse_ull("--denied", v, 0, MAX_OPS);
		} else if ((v = opt_value(argc, argv, &i, "--hold-ms"))) {
			opt.hold_ms = parse_ull("--hold-ms", v, 0, 3600000);
		} else if ((v = opt_value(argc, argv, &i, "--expect"))) {
			if (!*v)
				usage_error("--expect: empty file name");
			opt.expect = v;
		} else {
			usage_error("unknown argument '%s'", a);
		}
	}
	if (opt.denied && geteuid() != 0)
		usage_error("--denied needs root (the denied child switches to uid %d)",
			    NOBODY);
}

static unsigned char rd_byte(size_t i)
{
	return (unsigned char)(i * 13u + (i >> 8) + 0x3c);
}

static unsigned char wr_byte(size_t i)
{
	return (unsigned char)(i * 29u + 0xa7);
}

static void child_common(const char *comm, pid_t parent)
{
	g_is_child = 1;
	g_target = g_denied = -1;
	if (prctl(PR_SET_NAME, comm, 0, 0, 0))
		die_errno("prctl(PR_SET_NAME)");
	snprintf(g_tag, sizeof(g_tag), "rtmem[%s pid %d]", comm, (int)getpid());
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		die_errno("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != parent)
		die("parent exited early");
}

/* ---------------------------------------------------------------- target */

static void target_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void target_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g_ctl->msg, sizeof(g_ctl->msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", g_tag, g_ctl->msg);
	_exit(1);
}

static void __attribute__((noreturn)) target_main(pid_t parent)
{
	unsigned char *area, *rd, *wr;
	size_t i;

	child_common("rtm-target", parent);
	area = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		target_fail("mmap: %s", strerror(errno));
	rd = area + RD_OFF;
	wr = area + WR_OFF;
	for (i = 0; i < RD_LEN; i++)
		rd[i] = rd_byte(i);
	memset(wr, 0, WR_LEN);
	g_ctl->rd_addr = (uintptr_t)rd;
	g_ctl->wr_addr = (uintptr_t)wr;

	/* handshake: ready, stopped until the reader sends SIGCONT */
	if (raise(SIGSTOP))
		target_fail("raise(SIGSTOP): %s", strerror(errno));

	/* the reader is done with its writes: check them here */
	g_ctl->write_ok = 1;
	for (i = 0; i < WR_LEN; i++) {
		unsigned char want = opt.writes ? wr_byte(i) : 0;

		if (wr[i] != want) {
			g_ctl->write_ok = 0;
			break;
		}
	}
	for (i = 0; i < RD_LEN; i++) {
		if (rd[i] != rd_byte(i)) {
			g_ctl->write_ok = 0;
			break;
		}
	}
	g_ctl->write_checked = 1;

	if (opt.peeks && ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		target_fail("PTRACE_TRACEME: %s%s", strerror(errno),
			    errno == EPERM ? " (already traced, e.g. by strace -f?)" : "");
	/* with PTRACE_TRACEME this is a ptrace stop; the reader kills us */
	if (raise(SIGSTOP))
		target_fail("raise(SIGSTOP): %s", strerror(errno));
	for (;;)
		pause();
}

_Static_assert(RD_OFF + PROC_LEN <= 4096, "proc read must fit in one page");
_Static_assert(PROC_LEN <= RD_LEN, "proc read inside the read area");

/* Wait for the target to stop; fail with its own message if it exited. */
static void wait_target_stop(const char *when)
{
	int st;

	while (waitpid(g_target, &st, WUNTRACED) < 0) {
		if (errno != EINTR)
			die_errno("waitpid(target)");
	}
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP)
		return;
	if (WIFSTOPPED(st))
		die("target stopped by signal %d %s", WSTOPSIG(st), when);
	g_target = -1;
	if (WIFEXITED(st))
		die("target exited with status %d %s%s%s", WEXITSTATUS(st), when,
		    g_ctl->msg[0] ? ": " : "", g_ctl->msg);
	die("target killed by signal %d %s", WTERMSIG(st), when);
}

/* ---------------------------------------------------------------- denied */

static void __attribute__((noreturn)) denied_main(pid_t parent, pid_t target)
{
	unsigned char buf[64];
	struct iovec liov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iovec riov = {
		.iov_base = (void *)g_ctl->rd_addr,
		.iov_len = sizeof(buf),
	};
	unsigned long long i;

	child_common("rtm-denied", parent);
	if (setgroups(0, NULL))
		die_errno("setgroups");
	if (setgid(NOBODY))
		die_errno("setgid");
	if (setuid(NOBODY))
		die_errno("setuid");
	if (getuid() != NOBODY || geteuid() != NOBODY || getegid() != NOBODY)
		die("privileges were not dropped");

	for (i = 0; i < opt.denied; i++) {
		ssize_t r = process_vm_readv(target, &liov, 1, &riov, 1, 0);

		if (r >= 0)
			die("process_vm_readv #%llu as uid %d unexpectedly read %zd bytes",
			    i, NOBODY, r);
		if (errno != EPERM)
			die("process_vm_readv #%llu: expected EPERM, got %s", i,
			    strerror(errno));
	}
	_exit(0);
}

static pid_t run_denied(pid_t self)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		die_errno("fork(denied)");
	if (pid == 0)
		denied_main(self, g_target);
	g_denied = pid;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			die_errno("waitpid(denied)");
	}
	g_denied = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("denied child pid %d failed", (int)pid);
	return pid;
}

/* ------------------------------------------------------------ reader ops */

static void do_readv(void)
{
	unsigned char *buf = malloc(RD_LEN);
	struct iovec liov = { .iov_base = buf, .iov_len = RD_LEN };
	struct iovec riov = {
		.iov_base = (void *)g_ctl->rd_addr,
		.iov_len = RD_LEN,
	};
	unsigned long long i;
	size_t k;

	if (!buf)
		die_errno("malloc");
	for (i = 0; i < opt.reads; i++) {
		ssize_t r;

		memset(buf, 0, RD_LEN);
		r = process_vm_readv(g_target, &liov, 1, &riov, 1, 0);
		if (r < 0)
			die("process_vm_readv #%llu: %s", i, strerror(errno));
		if (r != RD_LEN)
			die("process_vm_readv #%llu: read %zd of %d bytes", i, r,
			    RD_LEN);
		for (k = 0; k < RD_LEN; k++) {
			if (buf[k] != rd_byte(k))
				die("process_vm_readv #%llu: wrong data at offset %zu",
				    i, k);
		}
	}
	free(buf);
}

static void do_writev(void)
{
	unsigned char buf[WR_LEN];
	struct iovec liov = { .iov_base = buf, .iov_len = WR_LEN };
	struct iovec riov = {
		.iov_base = (void *)g_ctl->wr_addr,
		.iov_len = WR_LEN,
	};
	unsigned long long i;
	size_t k;

	for (k = 0; k < WR_LEN; k++)
		buf[k] = wr_byte(k);
	for (i = 0; i < opt.writes; i++) {
		ssize_t r = process_vm_writev(g_target, &liov, 1, &riov, 1, 0);

		if (r < 0)
			die("process_vm_writev #%llu: %s", i, strerror(errno));
		if (r != WR_LEN)
			die("process_vm_writev #%llu: wrote %zd of %d bytes", i, r,
			    WR_LEN);
	}
}

static void do_proc_mem(void)
{
	unsigned char *buf = calloc(1, PROC_LEN);
	char path[64];
	ssize_t r;
	size_t k;
	int fd;

	if (!buf)
		die_errno("calloc");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)g_target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	r = pread(fd, buf, PROC_LEN, (off_t)g_ctl->rd_addr);
	if (r < 0)
		die("pread %s: %s", path, strerror(errno));
	if (r != PROC_LEN)
		die("pread %s: read %zd of %d bytes", path, r, PROC_LEN);
	for (k = 0; k < PROC_LEN; k++) {
		if (buf[k] != rd_byte(k))
			die("pread %s: wrong data at offset %zu", path, k);
	}
	close(fd);
	free(buf);
}

/*
 * The target was forked, not exec'd, so its environment block is this
 * program's exec time environment: the envp strings back to back.
 */
static void do_proc_environ(char **envp)
{
	size_t want = 0, cap, off = 0;
	char path[64], *expect, *buf;
	ssize_t r;
	int fd, i;

	for (i = 0; envp[i]; i++)
		want += strlen(envp[i]) + 1;
	expect = malloc(want + 1);
	cap = want + 4096;
	buf = malloc(cap);
	if (!expect || !buf)
		die_errno("malloc");
	for (i = 0; envp[i]; i++) {
		size_t n = strlen(envp[i]) + 1;

		memcpy(expect + off, envp[i], n);
		off += n;
	}

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)g_target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	/* exactly one read call: the kernel returns the whole block at once */
	r = read(fd, buf, cap);
	if (r < 0)
		die("read %s: %s", path, strerror(errno));
	if ((size_t)r != want || memcmp(buf, expect, want))
		die("read %s: got %zd bytes, expected the %zu byte environment",
		    path, r, want);
	close(fd);
	free(buf);
	free(expect);
}

static void do_peeks(void)
{
	const size_t words = RD_LEN / sizeof(long);
	unsigned long long i;

	for (i = 0; i < opt.peeks; i++) {
		size_t w = (size_t)(i % words);
		unsigned char want_bytes[sizeof(long)];
		long got, want;
		size_t k;

		for (k = 0; k < sizeof(long); k++)
			want_bytes[k] = rd_byte(w * sizeof(long) + k);
		memcpy(&want, want_bytes, sizeof(want));
		errno = 0;
		got = ptrace(PTRACE_PEEKDATA, g_target,
			     (void *)(g_ctl->rd_addr + w * sizeof(long)), NULL);
		if (errno)
			die("PTRACE_PEEKDATA #%llu: %s", i, strerror(errno));
		if (got != want)
			die("PTRACE_PEEKDATA #%llu: got %#lx, expected %#lx", i,
			    (unsigned long)got, (unsigned long)want);
	}
}

/* ---------------------------------------------------------------- output */

static void json_row(FILE *f, int *first, pid_t rpid, const char *rcomm,
		     pid_t tpid, const char *via, unsigned long long count,
		     unsigned long long denied)
{
	if (!count)
		return;
	fprintf(f, "%s{\"reader_pid\":%d,\"reader_comm\":\"%s\",\"target_pid\":%d,"
		"\"target_comm\":\"rtm-target\",\"via\":\"%s\",\"count\":%llu,"
		"\"denied\":%llu}",
		*first ? "" : ",", (int)rpid, rcomm, (int)tpid, via, count, denied);
	*first = 0;
}

int main(int argc, char **argv, char **envp)
{
	pid_t self = getpid(), target, denied_pid = -1;
	FILE *out = stdout;
	int first = 1, st;

	parse_args(argc, argv);
	if (prctl(PR_SET_NAME, "rtm-reader", 0, 0, 0))
		die_errno("prctl(PR_SET_NAME)");
	if (opt.expect) {
		out = fopen(opt.expect, "we");
		if (!out)
			die("cannot open %s: %s", opt.expect, strerror(errno));
	}

	g_ctl = mmap(NULL, sizeof(*g_ctl), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g_ctl == MAP_FAILED)
		die_errno("mmap");

	fflush(NULL);
	target = fork();
	if (target < 0)
		die_errno("fork(target)");
	if (target == 0)
		target_main(self);
	g_target = target;
	wait_target_stop("before the first access");

	sleep_ms(opt.hold_ms);
	do_readv();
	do_writev();
	if (opt.proc) {
		do_proc_mem();
		do_proc_environ(envp);
	}
	if (opt.denied)
		denied_pid = run_denied(self);

	if (kill(target, SIGCONT))
		die_errno("kill(SIGCONT)");
	wait_target_stop("after SIGCONT");
	if (!g_ctl->write_checked || !g_ctl->write_ok)
		die("target found wrong data in its buffer after process_vm_writev");
	do_peeks();
	sleep_ms(opt.hold_ms);

	if (kill(target, SIGKILL))
		die_errno("kill(SIGKILL)");
	while (waitpid(target, &st, 0) < 0) {
		if (errno != EINTR)
			die_errno("waitpid(target)");
	}
	g_target = -1;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		die("target ended unexpectedly (status %#x)", st);

	fputs("{\"processes\":[],\"peers\":[],\"readers\":[", out);
	json_row(out, &first, self, "rtm-reader", target, "process_vm_readv",
		 opt.reads, 0);
	json_row(out, &first, self, "rtm-reader", target, "process_vm_writev",
		 opt.writes, 0);
	json_row(out, &first, self, "rtm-reader", target, "ptrace", opt.peeks, 0);
	if (opt.proc) {
		json_row(out, &first, self, "rtm-reader", target, "proc_mem", 1, 0);
		json_row(out, &first, self, "rtm-reader", target, "proc_read", 1, 0);
	}
	json_row(out, &first, denied_pid, "rtm-denied", target,
		 "process_vm_readv", opt.denied, opt.denied);
	fputs("]}\n", out);
	if (fflush(out) || ferror(out) || (out != stdout && fclose(out))) {
		fprintf(stderr, "rtmem: writing %s failed: %s\n",
			opt.expect ? opt.expect : "stdout", strerror(errno));
		return 1;
	}
	munmap(g_ctl, sizeof(*g_ctl));
	return 0;
}
