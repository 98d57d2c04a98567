// SPDX-License-Identifier: GPL-2.0
/*
 * Sender addresses from the libc uprobes (sock backend): the uprobe
 * event after a recvfrom or recvmsg counts its sender as "user", once,
 * and only for a UDP receive with an address the kernel wrote.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "fixture_corr.h"
#include "recvtop/decode.h"
#include "unit.h"

#define SK 0xffff888000002000ull

/* process 30 "dns": thread 31 */
static void uw_init(struct fx_corr *w)
{
	fx_corr_init(w, false, true);
	correlator_set_uprobes(w->c, true);
	taskinfo_put(w->tasks, 31, 30, 0, "dns");
}

/* one recvfrom or recvmsg on a socket of protocol, returning ret */
static void receive(struct fx_corr *w, enum rt_rx_via via, bool has_addr,
		    u16 protocol, s32 ret)
{
	struct rt_event ev = { .kind = RT_EV_RECV_ENTER, .tid = 31 };

	ev.recv_enter.fd = 5;
	ev.recv_enter.fd2 = -1;
	ev.recv_enter.via = (u8)via;
	ev.recv_enter.has_addr = has_addr;
	fx_corr_feed(w, &ev);
	ev = fx_corr_sock_event(RT_EV_SOCK_RECV, 31, SK, protocol);
	ev.sock.ret = ret;
	fx_corr_feed(w, &ev);
	fx_corr_exit(w, 31, via, ret);
}

/* the uprobe after it: 10.0.0.last:53, klen bytes written */
static void uaddr(struct fx_corr *w, enum rt_rx_via via, s64 ret, u64 buf,
		  int klen, u8 last)
{
	struct rt_event ev = { .kind = RT_EV_USER_ADDR, .tid = 31 };

	ev.user_addr.ret = ret;
	ev.user_addr.uaddr = buf;
	ev.user_addr.klen = klen;
	ev.user_addr.via = (u8)via;
	ev.user_addr.addr.family = RT_FAM_INET;
	ev.user_addr.addr.raw_family = AF_INET;
	ev.user_addr.addr.len = 4;
	ev.user_addr.addr.port = 53;
	ev.user_addr.addr.addr[0] = 10;
	ev.user_addr.addr.addr[3] = last;
	fx_corr_feed(w, &ev);
}

static struct rt_peer_row *peer(struct fx_corr *w, u8 last, u8 proto)
{
	struct rt_peer_key k = { .family = RT_FAM_INET, .len = 4,
				 .port = 53, .proto = proto,
				 .source = RT_SRC_USER };

	k.addr[0] = 10;
	k.addr[3] = last;
	return table_find(&w->stats.peers, &k);
}

TEST(uprobe_sender_counts_once_as_user)
{
	struct fx_corr w;
	struct rt_peer_row *pr;
	struct rt_proc_row *p;

	uw_init(&w);
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_UDP, 100);
	uaddr(&w, RT_RX_RECVFROM, 100, 0x7ffd0000, 16, 9);
	receive(&w, RT_RX_RECVMSG, false, IPPROTO_UDP, 60);
	uaddr(&w, RT_RX_RECVMSG, 60, 0x7ffd0000, 16, 9);
	/* a second uprobe event after one receive counts nothing more */
	uaddr(&w, RT_RX_RECVMSG, 60, 0x7ffd0000, 16, 9);
	p = fx_corr_total(&w, 30);
	pr = peer(&w, 9, RT_PROTO_UDP);
	CHECK_EQ(p ? p->total.calls : 0, 2);
	CHECK_EQ(p ? p->total.bytes : 0, 160);
	CHECK(pr != NULL);
	CHECK_EQ(pr ? pr->total.calls : 0, 2);
	CHECK_EQ(pr ? pr->total.bytes : 0, 160);
	CHECK_EQ(pr ? pr->top_tgid : 0, 30);
	CHECK_EQ(correlator_in_flight(w.c), 0);
	fx_corr_free(&w);
}

TEST(uprobe_sender_none_without_an_address)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	uw_init(&w);
	/* recv(): no buffer, no wait for a uprobe (its fetch would fault
	 * and the kernel drop the event): the slot is free again */
	receive(&w, RT_RX_RECVFROM, false, IPPROTO_UDP, 10);
	CHECK_EQ(correlator_in_flight(w.c), 0);
	/* a NULL msg_name that still made an event: addr 0 */
	receive(&w, RT_RX_RECVMSG, false, IPPROTO_UDP, 11);
	uaddr(&w, RT_RX_RECVMSG, 11, 0, 16, 1);
	/* the kernel wrote no address (klen 0) */
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_UDP, 12);
	uaddr(&w, RT_RX_RECVFROM, 12, 0x7ffd0000, 0, 2);
	/* not this receive's: another return value, another syscall */
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_UDP, 13);
	uaddr(&w, RT_RX_RECVFROM, 99, 0x7ffd0000, 16, 3);
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_UDP, 14);
	uaddr(&w, RT_RX_RECVMSG, 14, 0x7ffd0000, 16, 4);
	/* a TCP socket's recvfrom with a buffer (the kernel writes none;
	 * whatever the buffer held is not a sender) */
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_TCP, 15);
	uaddr(&w, RT_RX_RECVFROM, 15, 0x7ffd0000, 16, 5);
	/* an error, and a uprobe event with no receive before it */
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_UDP, -11);
	uaddr(&w, RT_RX_RECVFROM, 16, 0x7ffd0000, 16, 6);
	p = fx_corr_total(&w, 30);
	CHECK_EQ(p ? p->total.calls : 0, 7);
	CHECK_EQ(w.stats.peers.nr_rows, 0);
	CHECK_EQ(correlator_in_flight(w.c), 0);
	fx_corr_free(&w);
}

TEST(uprobe_sender_ignored_when_uprobes_are_off)
{
	struct fx_corr w;

	fx_corr_init(&w, false, true);
	taskinfo_put(w.tasks, 31, 30, 0, "dns");
	receive(&w, RT_RX_RECVFROM, true, IPPROTO_UDP, 100);
	CHECK_EQ(correlator_in_flight(w.c), 0);
	uaddr(&w, RT_RX_RECVFROM, 100, 0x7ffd0000, 16, 9);
	CHECK_EQ(w.stats.peers.nr_rows, 0);
	fx_corr_free(&w);
}

/* the host kernel's (6.18) format of recvtop's recvmsg uprobe */
static const char umsg_fmt[] =
	"name: umsg3_777\nID: 2327\n" FX_FORMAT_COMMON
	"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:s64 ret;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\tfield:u64 addr;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 klen;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:u16 fam;\toffset:36;\tsize:2;\tsigned:0;\n"
	"\tfield:u16 port;\toffset:38;\tsize:2;\tsigned:0;\n"
	"\tfield:u32 ip4;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:u8 ip6[16];\toffset:44;\tsize:16;\tsigned:0;\n\n"
	"print fmt: \"(%lx) ret=%Ld\", REC->__probe_ip, REC->ret\n";

TEST(decode_uprobe_sender_event)
{
	static const struct fx_format fmts[] = {
		{ "recvtop_777", umsg_fmt },
	};
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(fmts, ARRAY_SIZE(fmts), &tep);
	struct rt_event ev;
	u8 b[64];
	u16 id = 2327, fam = AF_INET6, port = htons(40002);
	s32 pid = 4243;
	s64 ret = 512;
	u64 buf = 0x7ffd12345678ull;
	u32 klen = 28;
	static const u8 ip6[16] = { [15] = 1 };

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(decoder_has_addr(d));
	CHECK(decoder_has_uaddr(d));
	/* a uprobe is not the kprobe backend */
	CHECK(decoder_backend(d) == NULL);
	memset(b, 0, sizeof(b));
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	memcpy(b + 16, &ret, 8);
	memcpy(b + 24, &buf, 8);
	memcpy(b + 32, &klen, 4);
	memcpy(b + 36, &fam, 2);
	memcpy(b + 38, &port, 2);
	memcpy(b + 44, ip6, 16);
	CHECK_EQ(decode_event(d, b, 60, &ev), RT_EV_USER_ADDR);
	CHECK_EQ(ev.tid, 4243);
	CHECK_EQ(ev.user_addr.ret, 512);
	CHECK_EQ(ev.user_addr.uaddr, buf);
	CHECK_EQ(ev.user_addr.klen, 28);
	CHECK_EQ(ev.user_addr.via, RT_RX_RECVMSG);
	CHECK_EQ(ev.user_addr.addr.family, RT_FAM_INET6);
	CHECK_EQ(ev.user_addr.addr.port, 40002);
	CHECK(!memcmp(ev.user_addr.addr.addr, ip6, 16));
	CHECK_EQ(decode_event(d, b, 40, &ev), RT_EV_NONE);	/* short */
	decoder_free(d);
	tep_free(tep);
}
