// SPDX-License-Identifier: GPL-2.0
/*
 * The kprobe backend's receives: a protocol recvmsg's entry and return
 * paired per thread, inside the syscall brackets the sock backend uses;
 * a return the kretprobe missed, recovered from the syscall's exit.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "fixture_corr.h"
#include "recvtop/decode.h"
#include "unit.h"

#define SK 0xffff888000002000ull

/* process 30 "srv": thread 31; 10 ns between events but where told */
static void kw_init(struct fx_corr *w)
{
	fx_corr_init(w, true, true);
	w->step = 10;
	taskinfo_put(w->tasks, 31, 30, 0, "srv");
}

static void sys_enter(struct fx_corr *w, enum rt_rx_via via, int fd)
{
	fx_corr_enter(w, 31, via, fd, -1);
}

static void sys_exit(struct fx_corr *w, enum rt_rx_via via, s64 ret)
{
	fx_corr_exit(w, 31, via, ret);
}

/* entry of inet_recvmsg (a UDP socket), then step ns until what follows */
static void rx_enter(struct fx_corr *w, u32 flags, u64 step)
{
	struct rt_event ev = fx_corr_sock_event(RT_EV_SOCK_ENTER, 31, SK,
						IPPROTO_UDP);

	ev.sock.flags = flags;
	fx_corr_feed_step(w, &ev, step);
}

static void rx_exit(struct fx_corr *w, s64 ret)
{
	fx_corr_sock_exit(w, 31, false, ret);
}

static void addr(struct fx_corr *w, u8 last)
{
	fx_corr_addr4(w, 31, 16, last, 5353);
}

static struct rt_proc_row *total(struct fx_corr *w)
{
	return fx_corr_total(w, 30);
}

static struct rt_peer_row *peer(struct fx_corr *w, u8 last)
{
	for (u32 i = 0; i < table_count(&w->stats.peers); i++) {
		struct rt_peer_row *p = table_any_row(&w->stats.peers, i);

		if (p && p->key.len == 4 && p->key.addr[3] == last)
			return p;
	}
	return NULL;
}

TEST(kprobe_rx_pairs_entry_and_return_into_one_receive)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	kw_init(&w);
	/* read(2): no bracket, the latency is the protocol's */
	rx_enter(&w, 0, 700);
	rx_exit(&w, 300);
	/* recvfrom with its sender */
	sys_enter(&w, RT_RX_RECVFROM, 5);
	rx_enter(&w, 0, 50);
	rx_exit(&w, 100);
	addr(&w, 7);
	sys_exit(&w, RT_RX_RECVFROM, 100);
	/* a peek: a call, no bytes */
	sys_enter(&w, RT_RX_RECVMSG, 5);
	rx_enter(&w, MSG_PEEK, 50);
	rx_exit(&w, 64);
	addr(&w, 7);
	sys_exit(&w, RT_RX_RECVMSG, 64);
	p = total(&w);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_EQ(p->total.calls, 3);
	CHECK_EQ(p->total.bytes, 400);
	CHECK_EQ(p->total.peeks, 1);
	CHECK_EQ(p->total.lat_n, 3);
	CHECK_EQ(p->total.lat_max, 700);	/* the read's own entry */
	CHECK_EQ(p->total_via.calls[RT_RX_READ], 1);
	CHECK_EQ(p->total_via.bytes[RT_RX_READ], 300);
	CHECK_EQ(p->total_via.calls[RT_RX_RECVFROM], 1);
	CHECK_EQ(p->total_via.calls[RT_RX_RECVMSG], 1);
	CHECK(peer(&w, 7) != NULL);
	if (peer(&w, 7)) {
		CHECK_EQ(peer(&w, 7)->total.calls, 1);	/* not the peek */
		CHECK_EQ(peer(&w, 7)->total.bytes, 100);
	}
	CHECK_EQ(w.stats.total.unpaired, 0);
	CHECK_EQ(correlator_in_flight(w.c), 0);
out:
	fx_corr_free(&w);
}

TEST(kprobe_rx_recvmmsg_every_datagram_one_latency)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	kw_init(&w);
	sys_enter(&w, RT_RX_RECVMMSG, 6);
	for (int i = 0; i < 16; i++) {
		rx_enter(&w, 0, 20);
		rx_exit(&w, 64);
		addr(&w, (u8)(i % 2 + 1));
	}
	rx_enter(&w, MSG_DONTWAIT, 20);	/* the vector's end */
	rx_exit(&w, -EAGAIN);
	sys_exit(&w, RT_RX_RECVMMSG, 16);
	p = total(&w);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_EQ(p->total.calls, 16);
	CHECK_EQ(p->total.bytes, 1024);
	CHECK_EQ(p->total.errors, 0);
	CHECK_EQ(p->total.lat_n, 1);
	CHECK(peer(&w, 1) && peer(&w, 1)->total.calls == 8);
	CHECK(peer(&w, 2) && peer(&w, 2)->total.bytes == 512);
	CHECK_EQ(correlator_in_flight(w.c), 0);
out:
	fx_corr_free(&w);
}

TEST(kprobe_rx_missed_return_counted_from_the_syscall_exit)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	kw_init(&w);
	/* r4096 had no free instance: entry, address, syscall exit */
	sys_enter(&w, RT_RX_RECVFROM, 5);
	rx_enter(&w, 0, 50);
	addr(&w, 9);
	sys_exit(&w, RT_RX_RECVFROM, 32);
	/* the same in recvmsg, failing */
	sys_enter(&w, RT_RX_RECVMSG, 5);
	rx_enter(&w, MSG_DONTWAIT, 50);
	sys_exit(&w, RT_RX_RECVMSG, -EAGAIN);
	/* a read's return missed: nothing tells its bytes; the next
	 * entry counts it unpaired */
	rx_enter(&w, 0, 50);
	rx_enter(&w, 0, 50);
	rx_exit(&w, 10);
	/* a return without entry (its entry lost) */
	rx_exit(&w, 10);
	p = total(&w);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_EQ(p->total.calls, 3);
	CHECK_EQ(p->total.bytes, 42);
	CHECK_EQ(p->total.errors, 1);
	CHECK_EQ(p->total.eagain, 1);
	CHECK_EQ(p->total_via.calls[RT_RX_RECVFROM], 1);
	CHECK_EQ(p->total_via.calls[RT_RX_RECVMSG], 1);
	CHECK_EQ(p->total_via.calls[RT_RX_READ], 1);
	CHECK(peer(&w, 9) && peer(&w, 9)->total.calls == 1 &&
	      peer(&w, 9)->total.bytes == 32);
	CHECK_EQ(w.stats.total.unpaired, 2);
	CHECK_EQ(correlator_in_flight(w.c), 0);
out:
	fx_corr_free(&w);
}

#define COMMON_FIELDS FX_FORMAT_COMMON

/* what Linux 6.1 prints for recvtop's inet_recvmsg probes */
static const char entry_fmt[] =
	"name: inet_recvmsg_77\nID: 1601\n" COMMON_FIELDS
	"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 sk;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u16 family;\toffset:24;\tsize:2;\tsigned:0;\n"
	"\tfield:u16 protocol;\toffset:26;\tsize:2;\tsigned:0;\n"
	"\tfield:u32 flags;\toffset:28;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"(%lx) sk=0x%Lx family=%u protocol=%u flags=0x%x\", "
	"REC->__probe_ip, REC->sk, REC->family, REC->protocol, REC->flags\n";

static const char ret_fmt[] =
	"name: inet_recvmsg_ret_77\nID: 1602\n" COMMON_FIELDS
	"\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:s32 ret;\toffset:24;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"(%lx <- %lx) ret=%d\", REC->__probe_func, "
	"REC->__probe_ret_ip, REC->ret\n";

TEST(decode_kprobe_rx_entry_and_return)
{
	static const struct fx_format fmts[] = {
		{ "recvtop_77", entry_fmt }, { "recvtop_77", ret_fmt },
	};
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(fmts, ARRAY_SIZE(fmts), &tep);
	struct rt_event ev;
	u8 b[32];
	u16 id, fam = AF_INET6, proto = IPPROTO_UDP;
	s32 pid = 5150, ret = -512;
	u32 flags = MSG_PEEK;
	u64 sk = SK;

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(decoder_has_sock(d));
	CHECK(decoder_has_recv(d));
	CHECK_STR(decoder_backend(d), "kprobe");

	memset(b, 0, sizeof(b));
	id = 1601;
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	memcpy(b + 16, &sk, 8);
	memcpy(b + 24, &fam, 2);
	memcpy(b + 26, &proto, 2);
	memcpy(b + 28, &flags, 4);
	CHECK_EQ(decode_event(d, b, 32, &ev), RT_EV_SOCK_ENTER);
	CHECK_EQ(ev.tid, 5150);
	CHECK_EQ(ev.sock.sk, SK);
	CHECK_EQ(ev.sock.family, AF_INET6);
	CHECK_EQ(ev.sock.protocol, IPPROTO_UDP);
	CHECK_EQ(ev.sock.flags, (u32)MSG_PEEK);
	CHECK_EQ(decode_event(d, b, 24, &ev), RT_EV_NONE);	/* short */

	memset(b, 0, sizeof(b));
	id = 1602;
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	memcpy(b + 24, &ret, 4);
	CHECK_EQ(decode_event(d, b, 28, &ev), RT_EV_SOCK_EXIT);
	CHECK_EQ(ev.exit.ret, -512);	/* sign-extended */
	decoder_free(d);
	tep_free(tep);
}

/* the same entry with the local port recvtop fetches since (lport) */
static const char lport_fmt[] =
	"name: inet_recvmsg_78\nID: 1603\n" COMMON_FIELDS
	"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 sk;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u16 family;\toffset:24;\tsize:2;\tsigned:0;\n"
	"\tfield:u16 protocol;\toffset:26;\tsize:2;\tsigned:0;\n"
	"\tfield:u32 flags;\toffset:28;\tsize:4;\tsigned:0;\n"
	"\tfield:u16 lport;\toffset:32;\tsize:2;\tsigned:0;\n\n"
	"print fmt: \"(%lx) sk=0x%Lx family=%u protocol=%u flags=0x%x "
	"lport=%u\", REC->__probe_ip, REC->sk, REC->family, REC->protocol, "
	"REC->flags, REC->lport\n";

TEST(decode_kprobe_rx_entry_local_port)
{
	static const struct fx_format fmts[] = {
		{ "recvtop_78", lport_fmt },
	};
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(fmts, ARRAY_SIZE(fmts), &tep);
	struct rt_event ev;
	u8 b[40];
	u16 id = 1603, fam = AF_INET, proto = IPPROTO_UDP, lport = 5300;
	s32 pid = 5150;
	u64 sk = SK;

	CHECK(d != NULL);
	if (!d)
		return;
	memset(b, 0, sizeof(b));
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	memcpy(b + 16, &sk, 8);
	memcpy(b + 24, &fam, 2);
	memcpy(b + 26, &proto, 2);
	memcpy(b + 32, &lport, 2);
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_SOCK_ENTER);
	CHECK_EQ(ev.sock.lport, 5300);
	decoder_free(d);
	tep_free(tep);
}

TEST(kprobe_rx_sender_row_has_our_local_port)
{
	struct fx_corr w;
	struct rt_event ev;

	kw_init(&w);
	/* recvfrom on a UDP socket bound to port 5300, from .7 */
	sys_enter(&w, RT_RX_RECVFROM, 5);
	ev = fx_corr_sock_event(RT_EV_SOCK_ENTER, 31, SK, IPPROTO_UDP);
	ev.sock.lport = 5300;
	fx_corr_feed_step(&w, &ev, 50);
	rx_exit(&w, 100);
	addr(&w, 7);
	sys_exit(&w, RT_RX_RECVFROM, 100);
	/* a unix socket's entry: no port, whatever the field says */
	sys_enter(&w, RT_RX_RECVFROM, 6);
	ev = fx_corr_sock_event(RT_EV_SOCK_ENTER, 31, SK + 64, 0);
	ev.sock.family = AF_UNIX;
	ev.sock.lport = 77;
	fx_corr_feed_step(&w, &ev, 50);
	rx_exit(&w, 10);
	sys_exit(&w, RT_RX_RECVFROM, 10);
	CHECK(total(&w) != NULL);	/* the interval folded into the totals */
	CHECK(peer(&w, 7) != NULL);
	if (peer(&w, 7)) {
		CHECK_EQ(peer(&w, 7)->key.local_port, 5300);
		CHECK_EQ(peer(&w, 7)->total.calls, 1);
		CHECK_EQ(peer(&w, 7)->total.bytes, 100);
	}
	CHECK_EQ(table_count(&w.stats.peers), 1);
	fx_corr_free(&w);
}
