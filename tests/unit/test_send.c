// SPDX-License-Identifier: GPL-2.0
/* Sends: sock_send_length in its brackets, kprobe pairs, syscall exits. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string.h>

#include "fixture_corr.h"
#include "unit.h"

#define ERESTARTSYS 512
#define SK 0xffff888000002000ull

/* process 30 "web": thread 31 and its io_uring worker 32 */
static void tw_init(struct fx_corr *w, bool sock)
{
	fx_corr_init(w, false, sock);
	taskinfo_put(w->tasks, 31, 30, 0, "web");
	taskinfo_put(w->tasks, 32, 30, RT_TASK_IOU, "web");
}

/* a send syscall's entry and exit: bracket RT_BR_TX(via) */
static void tx_enter(struct fx_corr *w, int tid, unsigned int br, int fd,
		     int fd2)
{
	fx_corr_enter(w, tid, br, fd, fd2);
}

static void tx_exit(struct fx_corr *w, int tid, unsigned int br, s64 ret)
{
	fx_corr_exit(w, tid, br, ret);
}

static void sock_send(struct fx_corr *w, int tid, s32 ret)
{
	struct rt_event ev = fx_corr_sock_event(RT_EV_SOCK_SEND, tid, SK,
						IPPROTO_TCP);

	ev.sock.ret = ret;
	fx_corr_feed(w, &ev);
}

/* a protocol send function's entry and return (kprobe backend) */
static void kp_enter(struct fx_corr *w, int tid)
{
	struct rt_event ev = fx_corr_sock_event(RT_EV_SOCK_ENTER, tid, SK,
						IPPROTO_UDP);

	ev.sock.tx = true;
	fx_corr_feed(w, &ev);
}

static void kp_exit(struct fx_corr *w, int tid, s32 ret)
{
	fx_corr_sock_exit(w, tid, true, ret);
}

static struct rt_proc_row *total(struct fx_corr *w)
{
	return fx_corr_total(w, 30);
}

#define TXV(p, v) ((p)->total_via.tx_calls[v])
#define TXB(p, v) ((p)->total_via.tx_bytes[v])

TEST(send_each_socket_send_is_a_call_with_its_via)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	tw_init(&w, true);
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDTO), 5, -1);
	sock_send(&w, 31, 100);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDTO), 100);
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDMSG), 5, -1);
	sock_send(&w, 31, 200);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDMSG), 200);
	sock_send(&w, 31, 300);		/* write(2): no bracket */
	sock_send(&w, 31, -EAGAIN);	/* a non-blocking write */
	sock_send(&w, 32, 50);		/* io_uring worker: io_uring's */
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.tx_calls, 5);
	CHECK_EQ(p->total.tx_bytes, 650);
	CHECK_EQ(p->total.tx_errors, 1);
	CHECK_EQ(p->total.calls, 0);
	CHECK_EQ(TXV(p, RT_TX_SENDTO), 1);
	CHECK_EQ(TXV(p, RT_TX_SENDMSG), 1);
	CHECK_EQ(TXV(p, RT_TX_WRITE), 2);
	CHECK_EQ(TXB(p, RT_TX_WRITE), 300);
	CHECK_EQ(TXV(p, RT_TX_IO_URING), 1);
	CHECK_EQ(w.stats.total.tx_calls, 5);
	CHECK_EQ(w.stats.total.tx_bytes, 650);
	CHECK_EQ(w.stats.total.unpaired, 0);
	fx_corr_free(&w);
}

TEST(send_sendfile_and_splice_are_one_call_of_many_socket_sends)
{
	struct fx_corr w;
	struct rt_proc_row *p;
	struct rt_sock_key k = { .tgid = 30, .fd = -1, .sk = SK };
	struct rt_sock_row *s;

	tw_init(&w, true);
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDFILE), 7, -1);
	for (int i = 0; i < 4; i++)
		sock_send(&w, 31, 65536);
	sock_send(&w, 31, -EAGAIN);	/* the socket is full: it returns */
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDFILE), 4 * 65536);
	/* splice: the socket is fd_out */
	tx_enter(&w, 31, RT_RX_SPLICE, 3, 8);
	sock_send(&w, 31, 1000);
	sock_send(&w, 31, 24);
	tx_exit(&w, 31, RT_RX_SPLICE, 1024);
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.tx_calls, 2);
	CHECK_EQ(p->total.tx_bytes, 4 * 65536 + 1024);
	CHECK_EQ(p->total.tx_errors, 0);
	CHECK_EQ(TXV(p, RT_TX_SENDFILE), 1);
	CHECK_EQ(TXB(p, RT_TX_SENDFILE), 4 * 65536);
	CHECK_EQ(TXV(p, RT_TX_SPLICE), 1);
	CHECK_EQ(TXB(p, RT_TX_SPLICE), 1024);
	s = table_find(&w.stats.socks, &k);
	CHECK(s != NULL);
	CHECK_EQ(s->fd, 8);
	CHECK_EQ(s->total.tx_calls, 2);
	CHECK(s->total_vias & (1u << RT_VIA_TX_BIT(RT_TX_SENDFILE)));
	CHECK(s->total_vias & (1u << RT_VIA_TX_BIT(RT_TX_SPLICE)));
	fx_corr_free(&w);
}

TEST(send_sendmmsg_counts_messages_not_its_last_failure)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	tw_init(&w, true);
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDMMSG), 5, -1);
	sock_send(&w, 31, 64);
	sock_send(&w, 31, 64);
	sock_send(&w, 31, 64);
	sock_send(&w, 31, -EAGAIN);	/* ends the vector: 3 returned */
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDMMSG), 3);
	/* a vector whose first message fails: the call's error */
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDMMSG), 5, -1);
	sock_send(&w, 31, -ENOBUFS);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDMMSG), -ENOBUFS);
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.tx_calls, 4);
	CHECK_EQ(p->total.tx_bytes, 192);
	CHECK_EQ(p->total.tx_errors, 1);
	fx_corr_free(&w);
}

TEST(send_failed_before_the_socket_restarts_and_lost_events)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	tw_init(&w, true);
	/* EBADF: no socket send, the syscall's failure is the call */
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDTO), 99, -1);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDTO), -EBADF);
	/* a restart is retried: not the user's */
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDMSG), 5, -1);
	sock_send(&w, 31, -ERESTARTSYS);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDMSG), -ERESTARTSYS);
	/* a sendto whose send event was lost: unpaired, not counted */
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDTO), 5, -1);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDTO), 10);
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.tx_calls, 1);
	CHECK_EQ(p->total.tx_errors, 1);
	CHECK_EQ(w.stats.total.restarts, 2);
	CHECK_EQ(w.stats.total.unpaired, 1);
	fx_corr_free(&w);
}

TEST(send_kprobe_pairs_and_a_missed_return)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	tw_init(&w, true);
	/* write(2): entry and return of inet_sendmsg, no bracket */
	kp_enter(&w, 31);
	kp_exit(&w, 31, 500);
	/* sendto: inside the bracket */
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDTO), 6, -1);
	kp_enter(&w, 31);
	kp_exit(&w, 31, 70);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDTO), 70);
	/* sendmsg whose kretprobe missed: counted from the exit */
	tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDMSG), 6, -1);
	kp_enter(&w, 31);
	tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDMSG), 80);
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.tx_calls, 3);
	CHECK_EQ(p->total.tx_bytes, 650);
	CHECK_EQ(TXV(p, RT_TX_WRITE), 1);
	CHECK_EQ(TXV(p, RT_TX_SENDTO), 1);
	CHECK_EQ(TXV(p, RT_TX_SENDMSG), 1);
	CHECK_EQ(TXB(p, RT_TX_SENDMSG), 80);
	CHECK_EQ(w.stats.total.unpaired, 0);
	fx_corr_free(&w);
}

TEST(send_receive_and_send_counters_stay_apart)
{
	struct fx_corr w;
	struct rt_proc_row *p;
	struct rt_event ev = { .kind = RT_EV_SOCK_RECV, .tid = 31 };

	tw_init(&w, true);
	ev.sock.sk = SK;
	ev.sock.family = AF_INET;
	ev.sock.protocol = IPPROTO_TCP;
	ev.sock.ret = 40;
	fx_corr_feed(&w, &ev);
	sock_send(&w, 31, 4000);
	p = total(&w);
	CHECK(p != NULL);
	CHECK_EQ(p->total.calls, 1);
	CHECK_EQ(p->total.bytes, 40);
	CHECK_EQ(p->total.tx_calls, 1);
	CHECK_EQ(p->total.tx_bytes, 4000);
	CHECK_EQ(w.stats.total.calls, 1);
	CHECK_EQ(w.stats.total.bytes, 40);
	CHECK_EQ(p->total_via.calls[RT_RX_READ], 1);
	CHECK_EQ(TXV(p, RT_TX_WRITE), 1);
	fx_corr_free(&w);
}

TEST(send_kprobe_destination_is_a_peer)
{
	struct fx_corr w;
	struct rt_event ev = { .kind = RT_EV_SOCK_ENTER, .tid = 31 };
	struct rt_peer_key k;
	struct rt_peer_row *r;

	tw_init(&w, true);
	ev.sock.sk = SK;
	ev.sock.family = AF_INET;
	ev.sock.protocol = IPPROTO_UDP;
	ev.sock.tx = true;
	ev.sock.has_dst = true;
	ev.sock.dst_klen = 16;
	ev.sock.dst.family = RT_FAM_INET;
	ev.sock.dst.raw_family = AF_INET;
	ev.sock.dst.len = 4;
	ev.sock.dst.port = 53;
	ev.sock.dst.addr[0] = 10;
	ev.sock.dst.addr[3] = 9;
	for (int i = 0; i < 3; i++) {
		tx_enter(&w, 31, RT_BR_TX(RT_TX_SENDTO), 5, -1);
		fx_corr_feed(&w, &ev);
		kp_exit(&w, 31, 40);
		tx_exit(&w, 31, RT_BR_TX(RT_TX_SENDTO), 40);
	}
	/* a connected socket's send names no destination */
	kp_enter(&w, 31);
	kp_exit(&w, 31, 1000);
	stats_end_interval(&w.stats, w.now);
	memset(&k, 0, sizeof(k));
	k.family = RT_FAM_INET;
	k.len = 4;
	k.port = 53;
	k.addr[0] = 10;
	k.addr[3] = 9;
	k.proto = RT_PROTO_UDP;
	r = table_find(&w.stats.peers, &k);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ(r->total.tx_calls, 3);
		CHECK_EQ(r->total.tx_bytes, 120);
		CHECK_EQ(r->total.calls, 0);
		CHECK_EQ(r->top_tgid, 0);
	}
	CHECK_EQ(table_count(&w.stats.peers), 1);
	fx_corr_free(&w);
}
