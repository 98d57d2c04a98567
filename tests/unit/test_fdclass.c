// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoint backend's receives: read/readv count when their
 * descriptor is a socket, known from an fd marker in the trace or from
 * socket()/accept() returns; close, dup2, exec and fork forget; receives
 * wait for the marker and are dropped when it says "file".
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/correlate.h"
#include "recvtop/decode.h"
#include "unit.h"

struct fw {
	struct taskinfo *tasks;
	struct stats stats;
	struct correlator *c;
	u64 now;
	int asked_tgid, asked_fd, asks;
};

static void ask(void *ctx, int tid, int tgid, int fd)
{
	struct fw *w = ctx;

	w->asked_tgid = tgid;
	w->asked_fd = fd;
	w->asks++;
}

static void fw_init(struct fw *w, bool live)
{
	memset(w, 0, sizeof(*w));
	w->tasks = taskinfo_new(RT_TASKS_STORED);
	stats_init(&w->stats, w->tasks, NULL);
	w->c = correlator_new(&w->stats, false);
	correlator_set_sock(w->c, false);
	if (live)
		correlator_set_ask(w->c, ask, w);
	w->now = 1000;
	taskinfo_put(w->tasks, 41, 40, 0, "srv");
	taskinfo_put(w->tasks, 42, 40, 0, "srv");
}

static void fw_free(struct fw *w)
{
	correlator_free(w->c);
	stats_free(&w->stats);
	taskinfo_free(w->tasks);
}

static void feed(struct fw *w, struct rt_event *ev)
{
	ev->ts = w->now;
	w->now += 10;
	correlate_event(w->c, ev);
}

/* a whole syscall: entry on fd, return ret */
static void call(struct fw *w, int tid, enum rt_rx_via via, int fd, s64 ret)
{
	struct rt_event ev = { .kind = RT_EV_RECV_ENTER, .tid = tid };

	ev.recv_enter.fd = fd;
	ev.recv_enter.via = (u8)via;
	feed(w, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.kind = RT_EV_RECV_EXIT;
	ev.tid = tid;
	ev.exit.ret = ret;
	ev.exit.sc = (u16)via;
	feed(w, &ev);
}

static void marker(struct fw *w, int fd, enum rt_fd_kind kind, u16 family,
		   u16 protocol)
{
	struct rt_event ev = { .kind = RT_EV_MARKER, .tid = 999 };

	ev.marker.what = RT_MARK_FD;
	ev.marker.tgid = 40;
	ev.marker.fd = fd;
	ev.marker.fd_kind = (u8)kind;
	ev.marker.family = family;
	ev.marker.protocol = protocol;
	feed(w, &ev);
}

static void fd_close(struct fw *w, int first, int last)
{
	struct rt_event ev = { .kind = RT_EV_FD_CLOSE, .tid = 41 };

	ev.fd_close.first = first;
	ev.fd_close.last = last;
	feed(w, &ev);
}

static void new_socket(struct fw *w, u16 family, u16 type, int fd)
{
	struct rt_event ev = { .kind = RT_EV_SOCKET_ENTER, .tid = 41 };

	ev.sock_new.fd = -1;
	ev.sock_new.family = family;
	ev.sock_new.type = type;
	feed(w, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.kind = RT_EV_SOCKET_EXIT;
	ev.tid = 41;
	ev.exit.ret = fd;
	feed(w, &ev);
}

static struct rt_proc_row *total(struct fw *w)
{
	int tgid = 40;

	stats_end_interval(&w->stats, w->now);
	return table_find(&w->stats.procs, &tgid);
}

TEST(fdclass_reads_wait_for_the_marker)
{
	struct fw w;
	struct rt_proc_row *p;

	fw_init(&w, true);
	call(&w, 41, RT_RX_READ, 5, 100);	/* fd 5: asked */
	call(&w, 42, RT_RX_READ, 5, 50);	/* the other thread: waits */
	call(&w, 41, RT_RX_READ, 3, 4096);	/* fd 3: asked */
	CHECK_EQ(w.asks, 2);
	CHECK_EQ(w.asked_fd, 3);
	CHECK(total(&w) == NULL);		/* nothing counted yet */
	marker(&w, 5, RT_FD_SOCKET, AF_INET, IPPROTO_TCP);
	marker(&w, 3, RT_FD_FILE, 0, 0);
	call(&w, 41, RT_RX_READ, 5, 10);	/* known: counted now */
	call(&w, 41, RT_RX_READ, 3, 4096);	/* a file: never */
	CHECK_EQ(w.asks, 2);
	p = total(&w);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->total.calls, 3);
		CHECK_EQ(p->total.bytes, 160);
		CHECK_EQ(p->total.lat_n, 3);
		CHECK_EQ(p->total_via.calls[RT_RX_READ], 3);
	}
	CHECK_EQ(table_count(&w.stats.socks), 1);
	if (table_count(&w.stats.socks) == 1) {
		struct rt_sock_row *s = table_any_row(&w.stats.socks, 0);

		CHECK_EQ(s->key.fd, 5);
		CHECK_EQ(s->family, AF_INET);
		CHECK_EQ(s->protocol, IPPROTO_TCP);
	}
	CHECK_EQ(w.stats.total.unknown_reads, 0);
	fw_free(&w);
}

TEST(fdclass_close_forgets_and_late_answers_are_ignored)
{
	struct fw w;
	struct rt_proc_row *p;

	fw_init(&w, true);
	/* a file read, closed before the answer; the fd is then a socket */
	call(&w, 41, RT_RX_READ, 4, 512);
	fd_close(&w, 4, 4);
	new_socket(&w, AF_INET, SOCK_DGRAM, 4);
	call(&w, 41, RT_RX_READ, 4, 64);	/* the socket: counted */
	marker(&w, 4, RT_FD_FILE, 0, 0);	/* the first ask's answer */
	call(&w, 41, RT_RX_READ, 4, 64);	/* still the socket */
	/* the socket closed; the fd a file now: asked again */
	fd_close(&w, 3, 10);
	call(&w, 41, RT_RX_READ, 4, 999);
	marker(&w, 4, RT_FD_FILE, 0, 0);
	CHECK_EQ(w.asks, 2);
	p = total(&w);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->total.calls, 2);
		CHECK_EQ(p->total.bytes, 128);
	}
	/* the first read: its fd closed before anyone could tell */
	CHECK_EQ(w.stats.total.unknown_reads, 1);
	if (table_count(&w.stats.socks) == 1) {
		struct rt_sock_row *s = table_any_row(&w.stats.socks, 0);

		CHECK_EQ(s->protocol, IPPROTO_UDP);	/* SOCK_DGRAM */
	}
	fw_free(&w);
}

TEST(fdclass_exec_and_fork_forget_the_process)
{
	struct fw w;
	struct rt_event ev;
	struct rt_proc_row *p;

	fw_init(&w, true);
	new_socket(&w, AF_UNIX, SOCK_STREAM, 7);
	call(&w, 41, RT_RX_READ, 7, 10);
	memset(&ev, 0, sizeof(ev));
	ev.kind = RT_EV_PROC_RESET;
	ev.tid = 42;
	ev.proc_reset.pid = 42;
	ev.proc_reset.exec = true;		/* exec: tgid 40 */
	feed(&w, &ev);
	call(&w, 41, RT_RX_READ, 7, 20);	/* unknown again: asked */
	CHECK_EQ(w.asks, 1);
	marker(&w, 7, RT_FD_UNKNOWN, 0, 0);	/* gone */
	memset(&ev, 0, sizeof(ev));
	ev.kind = RT_EV_PROC_RESET;
	ev.tid = 1;
	ev.proc_reset.pid = 40;			/* a new process 40 */
	feed(&w, &ev);
	call(&w, 41, RT_RX_READ, 7, 30);
	CHECK_EQ(w.asks, 2);
	marker(&w, 7, RT_FD_SOCKET, AF_UNIX, 0);
	p = total(&w);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->total.calls, 2);
		CHECK_EQ(p->total.bytes, 40);
	}
	CHECK_EQ(w.stats.total.unknown_reads, 1);
	fw_free(&w);
}

TEST(fdclass_replay_takes_the_markers_without_asking)
{
	struct fw w;
	struct rt_proc_row *p;

	fw_init(&w, false);
	call(&w, 41, RT_RX_READ, 5, 100);
	call(&w, 41, RT_RX_RECVMMSG, 5, 3);	/* 3 datagrams, bytes unseen */
	call(&w, 41, RT_RX_RECVFROM, 6, 7);	/* a receive whatever fd is */
	marker(&w, 5, RT_FD_SOCKET, AF_INET6, IPPROTO_UDP);
	marker(&w, 6, RT_FD_SOCKET, AF_INET6, IPPROTO_UDP);
	p = total(&w);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->total.calls, 5);
		CHECK_EQ(p->total.bytes, 107);
		CHECK_EQ(p->total.lat_n, 3);	/* one per syscall */
		CHECK_EQ(p->total_via.calls[RT_RX_RECVMMSG], 3);
		CHECK_EQ(p->total_via.bytes[RT_RX_RECVMMSG], 0);
	}
	fw_free(&w);
}

TEST(fdclass_sockproto_names)
{
	static const struct {
		const char *name;
		u16 family, protocol;
	} t[] = {
		{ "TCP", AF_INET, IPPROTO_TCP },
		{ "TCPv6", AF_INET6, IPPROTO_TCP },
		{ "UDPv6", AF_INET6, IPPROTO_UDP },
		{ "UDP-Lite", AF_INET, IPPROTO_UDPLITE },
		{ "UNIX-STREAM", AF_UNIX, 0 },
		{ "UNIX", AF_UNIX, 0 },
		{ "PINGv6", AF_INET6, IPPROTO_ICMPV6 },
		{ "RAW", AF_INET, IPPROTO_RAW },
		{ "NETLINK", AF_NETLINK, 0 },
		{ "PACKET", AF_PACKET, 0 },
		{ "VSOCK", 0xffff, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		u16 f, p;

		rt_sockproto_parse(t[i].name, &f, &p);
		CHECK_EQ(f, t[i].family);
		CHECK_EQ(p, t[i].protocol);
	}
}

/* as Linux 6.18 prints them */
static const struct fx_format tp_fmts[] = {
	{ "syscalls", "name: sys_enter_read\nID: 700\n" FX_FORMAT_COMMON
	  "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	  "\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
	  "\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n\n"
	  "print fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n" },
	{ "syscalls", "name: sys_exit_read\nID: 699\n" FX_FORMAT_COMMON
	  "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n\n"
	  "print fmt: \"0x%lx\", REC->ret\n" },
	{ "syscalls", "name: sys_enter_close_range\nID: 701\n" FX_FORMAT_COMMON
	  "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	  "\tfield:unsigned int max_fd;\toffset:24;\tsize:8;\tsigned:0;\n"
	  "\tfield:unsigned int flags;\toffset:32;\tsize:8;\tsigned:0;\n\n"
	  "print fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n" },
	{ "syscalls", "name: sys_enter_socket\nID: 702\n" FX_FORMAT_COMMON
	  "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:int family;\toffset:16;\tsize:8;\tsigned:0;\n"
	  "\tfield:int type;\toffset:24;\tsize:8;\tsigned:0;\n"
	  "\tfield:int protocol;\toffset:32;\tsize:8;\tsigned:0;\n\n"
	  "print fmt: \"family: 0x%08lx\", ((unsigned long)(REC->family))\n" },
	{ "sched", "name: sched_process_fork\nID: 703\n" FX_FORMAT_COMMON
	  "\tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;\n"
	  "\tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	  "\tfield:__data_loc char[] child_comm;\toffset:16;\tsize:4;\tsigned:0;\n"
	  "\tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;\n\n"
	  "print fmt: \"pid=%d child=%d\", REC->parent_pid, REC->child_pid\n" },
	{ "ftrace", "name: print\nID: 5\n" FX_FORMAT_COMMON
	  "\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	  "\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:0;\n\n"
	  "print fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n" },
};

static void put_rec(u8 *b, u16 id, s32 pid, const u64 *args, int n)
{
	memset(b, 0, 64);
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	for (int i = 0; i < n; i++)
		memcpy(b + 16 + 8 * i, &args[i], 8);
}

TEST(decode_tracepoint_backend_descriptor_events)
{
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(tp_fmts, ARRAY_SIZE(tp_fmts),
					    &tep);
	struct rt_event ev;
	u8 b[64];
	u64 a[3];
	s64 ret = -11;
	s32 child = 4321;
	const char *m = "recvtop: fd 77 9 sock 10 17\n";

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_STR(decoder_backend(d), "tracepoint");
	a[0] = 12;
	put_rec(b, 700, 50, a, 1);
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_RECV_ENTER);
	CHECK_EQ(ev.recv_enter.fd, 12);
	CHECK_EQ(ev.recv_enter.via, RT_RX_READ);
	put_rec(b, 699, 50, (u64 *)&ret, 1);
	CHECK_EQ(decode_event(d, b, 24, &ev), RT_EV_RECV_EXIT);
	CHECK_EQ(ev.exit.ret, -11);
	CHECK_EQ(ev.exit.sc, RT_RX_READ);
	/* close_range(3, ~0U, 0) and with CLOSE_RANGE_CLOEXEC */
	a[0] = 3;
	a[1] = 0xffffffffu;
	a[2] = 0;
	put_rec(b, 701, 50, a, 3);
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_FD_CLOSE);
	CHECK_EQ(ev.fd_close.first, 3);
	CHECK_EQ(ev.fd_close.last, 0x7fffffff);
	a[2] = 4;
	put_rec(b, 701, 50, a, 3);
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_FD_CLOSE);
	CHECK_EQ(ev.fd_close.last, -1);		/* closes nothing now */
	a[0] = AF_INET6;
	a[1] = SOCK_STREAM | SOCK_NONBLOCK;
	a[2] = 0;
	put_rec(b, 702, 50, a, 3);
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_SOCKET_ENTER);
	CHECK_EQ(ev.sock_new.fd, -1);
	CHECK_EQ(ev.sock_new.family, AF_INET6);
	CHECK_EQ(ev.sock_new.type & 0xf, SOCK_STREAM);
	put_rec(b, 703, 50, NULL, 0);
	memcpy(b + 20, &child, 4);
	CHECK_EQ(decode_event(d, b, 24, &ev), RT_EV_PROC_RESET);
	CHECK_EQ(ev.proc_reset.pid, 4321);
	CHECK(!ev.proc_reset.exec);
	put_rec(b, 5, 50, NULL, 0);
	memcpy(b + 16, m, strlen(m) + 1);
	CHECK_EQ(decode_event(d, b, 16 + (unsigned int)strlen(m) + 1, &ev),
		 RT_EV_MARKER);
	CHECK_EQ(ev.marker.what, RT_MARK_FD);
	CHECK_EQ(ev.marker.tgid, 77);
	CHECK_EQ(ev.marker.fd, 9);
	CHECK_EQ(ev.marker.fd_kind, RT_FD_SOCKET);
	CHECK_EQ(ev.marker.family, AF_INET6);
	CHECK_EQ(ev.marker.protocol, IPPROTO_UDP);
	m = "recvtop: fd 77 9 file\n";
	memcpy(b + 16, m, strlen(m) + 1);
	CHECK_EQ(decode_event(d, b, 16 + (unsigned int)strlen(m) + 1, &ev),
		 RT_EV_MARKER);
	CHECK_EQ(ev.marker.fd_kind, RT_FD_FILE);
	m = "recvtop: fd x 9 sock\n";		/* malformed: not ours */
	memcpy(b + 16, m, strlen(m) + 1);
	decode_event(d, b, 16 + (unsigned int)strlen(m) + 1, &ev);
	CHECK_EQ(ev.marker.what, RT_MARK_OTHER);
	decoder_free(d);
	tep_free(tep);
}
