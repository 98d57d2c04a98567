// SPDX-License-Identifier: GPL-2.0
/* The sock backend's correlation: brackets, via, peeks, recvmmsg, io_uring. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "fixture_corr.h"
#include "recvtop/decode.h"
#include "unit.h"

#define ERESTARTSYS 512

/* process 20 "srv": thread 21 and its io_uring worker 22 */
static void sw_init(struct fx_corr *w)
{
	fx_corr_init(w, false, true);
	taskinfo_put(w->tasks, 21, 20, 0, "srv");
	taskinfo_put(w->tasks, 22, 20, RT_TASK_IOU, "srv");
}

static void sys_enter(struct fx_corr *w, int tid, enum rt_rx_via via, int fd)
{
	fx_corr_enter(w, tid, via, fd, -1);
}

static void sys_exit(struct fx_corr *w, int tid, enum rt_rx_via via, s64 ret)
{
	fx_corr_exit(w, tid, via, ret);
}

static void sock(struct fx_corr *w, int tid, s32 ret, u32 flags)
{
	struct rt_event ev = fx_corr_sock_event(RT_EV_SOCK_RECV, tid,
						0xffff888000001000ull,
						IPPROTO_UDP);

	ev.sock.ret = ret;
	ev.sock.flags = flags;
	fx_corr_feed(w, &ev);
}

static void addr(struct fx_corr *w, int tid, u8 last)
{
	fx_corr_addr4(w, tid, 16, last, 53);
}

static struct rt_proc_row *total(struct fx_corr *w)
{
	return fx_corr_total(w, 20);
}

TEST(sock_each_receive_is_a_call_with_its_via)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	sw_init(&w);
	sys_enter(&w, 21, RT_RX_RECVFROM, 5);
	sock(&w, 21, 100, 0);
	sys_exit(&w, 21, RT_RX_RECVFROM, 100);
	sys_enter(&w, 21, RT_RX_RECVMSG, 5);
	sock(&w, 21, 200, 0);
	sys_exit(&w, 21, RT_RX_RECVMSG, 200);
	sock(&w, 21, 300, 0);		/* read(2): no bracket */
	sock(&w, 21, -EAGAIN, 0);	/* a non-blocking read */
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.calls, 4);
	CHECK_EQ(p->total.bytes, 600);
	CHECK_EQ(p->total.errors, 1);
	CHECK_EQ(p->total.eagain, 1);
	CHECK_EQ(p->total.lat_n, 2);	/* reads have no entry */
	CHECK_EQ(p->total_via.calls[RT_RX_RECVFROM], 1);
	CHECK_EQ(p->total_via.bytes[RT_RX_RECVFROM], 100);
	CHECK_EQ(p->total_via.calls[RT_RX_RECVMSG], 1);
	CHECK_EQ(p->total_via.calls[RT_RX_READ], 2);
	CHECK_EQ(p->total_via.bytes[RT_RX_READ], 300);
	CHECK_EQ(correlator_in_flight(w.c), 0);
	fx_corr_free(&w);
}

TEST(sock_recvmmsg_counts_datagrams_not_the_closing_eagain)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	sw_init(&w);
	sys_enter(&w, 21, RT_RX_RECVMMSG, 5);
	for (int i = 0; i < 5; i++)
		sock(&w, 21, 64, 0);
	sock(&w, 21, -EAGAIN, MSG_DONTWAIT);	/* the vector's end */
	sys_exit(&w, 21, RT_RX_RECVMMSG, 5);
	/* a recvmmsg whose first receive fails is one failed call */
	sys_enter(&w, 21, RT_RX_RECVMMSG, 5);
	sock(&w, 21, -EAGAIN, MSG_DONTWAIT);
	sys_exit(&w, 21, RT_RX_RECVMMSG, -EAGAIN);
	p = total(&w);
	CHECK_EQ(p->total.calls, 6);
	CHECK_EQ(p->total.bytes, 320);
	CHECK_EQ(p->total.errors, 1);
	CHECK_EQ(p->total.lat_n, 2);	/* the first of each vector */
	CHECK_EQ(p->total_via.calls[RT_RX_RECVMMSG], 6);
	fx_corr_free(&w);
}

TEST(sock_failed_before_the_socket_and_restarts)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	sw_init(&w);
	sys_enter(&w, 21, RT_RX_RECVFROM, 99);
	sys_exit(&w, 21, RT_RX_RECVFROM, -EBADF);	/* no socket */
	sys_enter(&w, 21, RT_RX_RECVFROM, 5);
	sock(&w, 21, -ERESTARTSYS, 0);		/* a signal: restarted */
	sys_exit(&w, 21, RT_RX_RECVFROM, -ERESTARTSYS);
	sys_enter(&w, 21, RT_RX_RECVFROM, 5);
	sock(&w, 21, 10, 0);
	sys_exit(&w, 21, RT_RX_RECVFROM, 10);
	/* an io_uring_enter or splice without a socket is no receive */
	sys_enter(&w, 21, RT_RX_IO_URING, 7);
	sys_exit(&w, 21, RT_RX_IO_URING, -EBADF);
	sys_enter(&w, 21, RT_RX_SPLICE, 3);
	sys_exit(&w, 21, RT_RX_SPLICE, 4096);
	p = total(&w);
	CHECK_EQ(p->total.calls, 2);
	CHECK_EQ(p->total.errors, 1);
	CHECK_EQ(p->total.bytes, 10);
	CHECK_EQ(w.stats.total.restarts, 1);
	fx_corr_free(&w);
}

TEST(sock_peek_is_a_call_without_bytes)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	sw_init(&w);
	sys_enter(&w, 21, RT_RX_RECVFROM, 5);
	sock(&w, 21, 64, MSG_PEEK);
	sys_exit(&w, 21, RT_RX_RECVFROM, 64);
	sys_enter(&w, 21, RT_RX_RECVFROM, 5);
	sock(&w, 21, 64, 0);
	sys_exit(&w, 21, RT_RX_RECVFROM, 64);
	sock(&w, 21, 10, MSG_PEEK);		/* a peek by read? recv */
	p = total(&w);
	CHECK_EQ(p->total.calls, 3);
	CHECK_EQ(p->total.peeks, 2);
	CHECK_EQ(p->total.bytes, 64);
	CHECK_EQ(p->total_via.bytes[RT_RX_RECVFROM], 64);
	fx_corr_free(&w);
}

TEST(sock_io_uring_drops_its_first_try_and_labels_workers)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	sw_init(&w);
	sys_enter(&w, 21, RT_RX_IO_URING, 9);
	sock(&w, 21, -EAGAIN, MSG_DONTWAIT);	/* io_uring arms a poll */
	sock(&w, 21, 500, 0);			/* the retry */
	sys_exit(&w, 21, RT_RX_IO_URING, 1);
	sock(&w, 22, 700, 0);			/* in iou-wrk-21 */
	p = total(&w);
	CHECK_EQ(p->total.calls, 2);
	CHECK_EQ(p->total.errors, 0);
	CHECK_EQ(p->total.bytes, 1200);
	CHECK_EQ(p->total_via.calls[RT_RX_IO_URING], 2);
	CHECK_EQ(p->total_via.bytes[RT_RX_IO_URING], 1200);
	CHECK_EQ(p->total_via.calls[RT_RX_READ], 0);
	fx_corr_free(&w);
}

TEST(sock_sender_address_after_the_receive)
{
	struct fx_corr w;
	struct rt_peer_key k = { .family = RT_FAM_INET, .len = 4,
				 .port = 53, .proto = RT_PROTO_UDP };
	struct rt_peer_row *pr;
	struct rt_proc_row *p;

	sw_init(&w);
	k.addr[0] = 10;
	k.addr[3] = 7;
	sys_enter(&w, 21, RT_RX_RECVMMSG, 5);
	sock(&w, 21, 40, 0);
	addr(&w, 21, 7);
	sock(&w, 21, 60, 0);
	addr(&w, 21, 7);
	sock(&w, 21, -EAGAIN, MSG_DONTWAIT);
	sys_exit(&w, 21, RT_RX_RECVMMSG, 2);
	addr(&w, 21, 7);			/* outside: accept() and such */
	p = total(&w);
	pr = table_find(&w.stats.peers, &k);
	CHECK_EQ(p->total.calls, 2);
	CHECK(pr != NULL);
	CHECK_EQ(pr ? pr->total.calls : 0, 2);
	CHECK_EQ(pr ? pr->total.bytes : 0, 100);
	CHECK_EQ(pr ? pr->top_tgid : 0, 20);
	fx_corr_free(&w);
}

/* the host kernel's (6.18) formats, as tracefs prints them */
#define COMMON_FIELDS FX_FORMAT_COMMON

static const char sock_fmt[] =
	"name: sock_recv_length\nID: 2283\n" COMMON_FIELDS
	"\tfield:void * sk;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__u16 family;\toffset:16;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 protocol;\toffset:18;\tsize:2;\tsigned:0;\n"
	"\tfield:int ret;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\tfield:int flags;\toffset:24;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"sk address = %p, length = %d\", REC->sk, REC->ret\n";

static const char mmsg_fmt[] =
	"name: sys_enter_recvmmsg\nID: 2208\n" COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:struct mmsghdr * mmsg;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int vlen;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int flags;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:struct __kernel_timespec * timeout;\toffset:48;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n";

static const char splice_fmt[] =
	"name: sys_enter_splice\nID: 1013\n" COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int fd_in;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:loff_t * off_in;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int fd_out;\toffset:32;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"fd_in: 0x%08lx\", ((unsigned long)(REC->fd_in))\n";

TEST(decode_sock_recv_length_and_brackets)
{
	static const struct fx_format fmts[] = {
		{ "sock", sock_fmt }, { "syscalls", mmsg_fmt },
		{ "syscalls", splice_fmt },
	};
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(fmts, ARRAY_SIZE(fmts), &tep);
	struct rt_event ev;
	u8 b[64];
	u16 id;
	s32 pid = 4242, ret = -11, flags = MSG_PEEK | MSG_DONTWAIT;
	u64 sk = 0xffff888012345678ull, v;
	u16 fam = AF_INET6, proto = IPPROTO_TCP;

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(decoder_has_sock(d));
	CHECK(decoder_has_recv(d));
	CHECK_STR(decoder_backend(d), "sock");

	memset(b, 0, sizeof(b));
	id = 2283;
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	memcpy(b + 8, &sk, 8);
	memcpy(b + 16, &fam, 2);
	memcpy(b + 18, &proto, 2);
	memcpy(b + 20, &ret, 4);
	memcpy(b + 24, &flags, 4);
	CHECK_EQ(decode_event(d, b, 28, &ev), RT_EV_SOCK_RECV);
	CHECK_EQ(ev.tid, 4242);
	CHECK_EQ(ev.sock.sk, sk);
	CHECK_EQ(ev.sock.family, AF_INET6);
	CHECK_EQ(ev.sock.protocol, IPPROTO_TCP);
	CHECK_EQ(ev.sock.ret, -11);
	CHECK_EQ(ev.sock.flags, (u32)(MSG_PEEK | MSG_DONTWAIT));
	CHECK_EQ(decode_event(d, b, 20, &ev), RT_EV_NONE);	/* short */

	memset(b, 0, sizeof(b));
	id = 2208;
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	v = 9;
	memcpy(b + 16, &v, 8);
	CHECK_EQ(decode_event(d, b, 56, &ev), RT_EV_RECV_ENTER);
	CHECK_EQ(ev.recv_enter.fd, 9);
	CHECK_EQ(ev.recv_enter.via, RT_RX_RECVMMSG);

	id = 1013;
	memcpy(b, &id, 2);
	v = 3;
	memcpy(b + 16, &v, 8);
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_RECV_ENTER);
	CHECK_EQ(ev.recv_enter.fd, 3);
	CHECK_EQ(ev.recv_enter.via, RT_RX_SPLICE);
	decoder_free(d);
	tep_free(tep);
}

TEST(proto_groups)
{
	CHECK_EQ(rt_proto_of(AF_INET, IPPROTO_TCP), RT_PROTO_TCP);
	CHECK_EQ(rt_proto_of(AF_INET6, IPPROTO_UDP), RT_PROTO_UDP);
	CHECK_EQ(rt_proto_of(AF_UNIX, 0), RT_PROTO_UNIX);
	CHECK_EQ(rt_proto_of(AF_INET, IPPROTO_ICMP), RT_PROTO_RAW);
	CHECK_EQ(rt_proto_of(AF_NETLINK, 0), RT_PROTO_OTHER);
	CHECK_STR(rt_rx_via_name(RT_RX_IO_URING), "io_uring");
	CHECK_STR(rt_proto_name(RT_PROTO_UDP), "udp");
}
