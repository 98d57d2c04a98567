// SPDX-License-Identifier: GPL-2.0
/* The connection table and TCP peers: sk -> remote address, local port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "fixture_corr.h"
#include "recvtop/conntab.h"
#include "recvtop/decode.h"
#include "recvtop/netscan.h"
#include "recvtop/tui_model.h"
#include "unit.h"

#define SK1 0xffff888000a01000ull
#define SK2 0xffff888000a02000ull

static struct rt_addr a4(u8 last, u16 port)
{
	struct rt_addr a;

	memset(&a, 0, sizeof(a));
	a.family = RT_FAM_INET;
	a.raw_family = AF_INET;
	a.len = 4;
	a.port = port;
	a.addr[0] = 10;
	a.addr[3] = last;
	return a;
}

static void state(struct conntab *t, u64 ts, u64 sk, int st, u16 lport,
		  u8 last, u16 rport)
{
	struct rt_addr l = a4(1, lport), r = a4(last, rport);

	conntab_state(t, ts, sk, st, IPPROTO_TCP, &l, &r);
}

TEST(conntab_connect_establish_close_grace)
{
	struct conntab *t = conntab_new(16);
	const struct rt_conn *c;

	CHECK(conntab_find(t, SK1) == NULL);
	/* connect() sets SYN_SENT before it picks the local port */
	state(t, 100, SK1, RT_TCP_SYN_SENT, 0, 9, 6379);
	c = conntab_find(t, SK1);
	CHECK(c != NULL);
	CHECK_EQ(c ? c->local_port : 1, 0);
	state(t, 200, SK1, RT_TCP_ESTABLISHED, 41000, 9, 6379);
	c = conntab_find(t, SK1);
	CHECK_EQ(c ? c->local_port : 0, 41000);
	CHECK_EQ(c ? c->remote.port : 0, 6379);
	CHECK_EQ(c ? c->remote.addr[3] : 0, 9);
	CHECK_EQ(c ? c->state : 0, RT_TCP_ESTABLISHED);
	/* a listener and an unconnected state name no peer */
	state(t, 210, SK2, RT_TCP_LISTEN, 80, 0, 0);
	CHECK(conntab_find(t, SK2) == NULL);
	CHECK_EQ(conntab_count(t), 1);
	/* closed: still there for the data queued before the close */
	state(t, 300, SK1, RT_TCP_CLOSE, 41000, 9, 6379);
	c = conntab_find(t, SK1);
	CHECK(c != NULL);
	CHECK(c && c->closed_ts == 300);
	state(t, 300 + RT_CONN_GRACE_NS - 1, SK2, RT_TCP_SYN_RECV, 80, 5,
	      5000);
	CHECK(conntab_find(t, SK1) != NULL);
	/* gone once the grace time has passed (at the next state change) */
	state(t, 300 + RT_CONN_GRACE_NS, SK2, RT_TCP_ESTABLISHED, 80, 5,
	      5000);
	CHECK(conntab_find(t, SK1) == NULL);
	CHECK_EQ(conntab_count(t), 1);
	conntab_free(t);
}

TEST(conntab_sk_reused_after_close_keeps_the_new_connection)
{
	struct conntab *t = conntab_new(16);
	const struct rt_conn *c;

	state(t, 100, SK1, RT_TCP_ESTABLISHED, 41000, 9, 6379);
	state(t, 200, SK1, RT_TCP_CLOSE, 41000, 9, 6379);
	/* the struct sock freed and made again for another connection */
	state(t, 300, SK1, RT_TCP_SYN_RECV, 80, 7, 50000);
	state(t, 400, SK1, RT_TCP_ESTABLISHED, 80, 7, 50000);
	/* the old close's grace ends: the new connection stays */
	state(t, 200 + RT_CONN_GRACE_NS, SK2, RT_TCP_ESTABLISHED, 1, 1, 1);
	c = conntab_find(t, SK1);
	CHECK(c != NULL);
	CHECK_EQ(c ? c->remote.port : 0, 50000);
	CHECK_EQ(c ? c->local_port : 0, 80);
	CHECK(c && !c->closed_ts);
	conntab_free(t);
}

TEST(conntab_full_table_drops_new_but_closed_make_room)
{
	struct conntab *t = conntab_new(4);
	struct rt_addr r = a4(3, 443);

	for (u64 i = 0; i < 4; i++)
		state(t, 100 + i, SK1 + i * 0x1000, RT_TCP_ESTABLISHED,
		      (u16)(40000 + i), 3, 443);
	CHECK_EQ(conntab_count(t), 4);
	state(t, 200, SK1 + 4 * 0x1000, RT_TCP_ESTABLISHED, 40004, 3, 443);
	CHECK(conntab_find(t, SK1 + 4 * 0x1000) == NULL);
	CHECK_EQ(conntab_dropped(t), 1);
	CHECK_EQ(conntab_add(t, SK1 + 5 * 0x1000, 1, IPPROTO_TCP, &r,
			     RT_CONN_PROCNET), -1);
	CHECK_EQ(conntab_dropped(t), 2);
	/* a closed one gives its room, within its grace time */
	state(t, 300, SK1, RT_TCP_CLOSE, 40000, 3, 443);
	state(t, 301, SK1 + 4 * 0x1000, RT_TCP_ESTABLISHED, 40004, 3, 443);
	CHECK(conntab_find(t, SK1 + 4 * 0x1000) != NULL);
	CHECK(conntab_find(t, SK1) == NULL);
	CHECK_EQ(conntab_count(t), 4);
	conntab_free(t);
}

static int count_procnet(const struct rt_conn *c, void *ctx)
{
	(*(int *)ctx) += c->local_port;
	return 0;
}

/* many inserts and removals against a plain array: the probing stays right */
TEST(conntab_random_churn_matches_model)
{
	enum { N = 512 };
	struct conntab *t = conntab_new(N);
	static u16 model[N];	/* remote port per sk, 0: none */
	u64 ts = 1;
	unsigned int seed = 7;
	int sum = 0;
	struct rt_addr r = a4(2, 22);

	memset(model, 0, sizeof(model));
	for (int step = 0; step < 20000; step++) {
		unsigned int i = (unsigned int)rand_r(&seed) % N;
		u64 sk = 0xffff888100000000ull + (u64)i * 0x800;

		/* every close expires at once: grace from far back */
		ts += RT_CONN_GRACE_NS;
		if (model[i] && rand_r(&seed) % 2) {
			state(t, ts, sk, RT_TCP_CLOSE, 1, 2, model[i]);
			model[i] = 0;
		} else {
			u16 port = (u16)(1 + rand_r(&seed) % 60000);

			state(t, ts, sk, RT_TCP_ESTABLISHED, 1, 2, port);
			model[i] = port;
		}
		/* the next state change expires the close above */
		state(t, ts + RT_CONN_GRACE_NS, 0xffff8881ffff0000ull,
		      RT_TCP_ESTABLISHED, 1, 2, 1);
	}
	for (unsigned int i = 0; i < N; i++) {
		u64 sk = 0xffff888100000000ull + (u64)i * 0x800;
		const struct rt_conn *c = conntab_find(t, sk);

		if (model[i]) {
			CHECK(c != NULL);
			if (c && c->remote.port != model[i])
				CHECK_EQ(c->remote.port, model[i]);
		} else if (c) {
			CHECK(c->closed_ts != 0);
		}
	}
	CHECK_EQ(conntab_add(t, 0xffff888200000000ull, 7, IPPROTO_TCP, &r,
			     RT_CONN_PROCNET), 0);
	CHECK_EQ(conntab_add(t, 0xffff888200001000ull, 8, IPPROTO_TCP, &r,
			     RT_CONN_PROCNET), 0);
	conntab_each(t, RT_CONN_PROCNET, count_procnet, &sum);
	CHECK_EQ(sum, 15);
	conntab_free(t);
}

/* process 50 "srv" on thread 51 */
static void pw_init(struct fx_corr *w)
{
	fx_corr_init(w, false, true);
	taskinfo_put(w->tasks, 51, 50, 0, "srv");
}

static void feed_state(struct fx_corr *w, u64 sk, int st, u16 lport,
		       u8 last, u16 rport)
{
	struct rt_event ev = { .kind = RT_EV_SOCK_STATE, .tid = 0 };

	ev.sock_state.sk = sk;
	ev.sock_state.newstate = st;
	ev.sock_state.protocol = IPPROTO_TCP;
	ev.sock_state.local = a4(1, lport);
	ev.sock_state.remote = a4(last, rport);
	fx_corr_feed(w, &ev);
}

static void feed_sock(struct fx_corr *w, u16 kind, u64 sk, s32 ret)
{
	struct rt_event ev = fx_corr_sock_event(kind, 51, sk, IPPROTO_TCP);

	ev.sock.ret = ret;
	fx_corr_feed(w, &ev);
}

static struct rt_peer_row *peer_of(struct fx_corr *w, u8 last, u16 port,
				   u16 lport)
{
	struct rt_peer_key k;

	memset(&k, 0, sizeof(k));
	k.family = RT_FAM_INET;
	k.len = 4;
	k.port = port;
	k.addr[0] = 10;
	k.addr[3] = last;
	k.proto = RT_PROTO_TCP;
	k.source = RT_SRC_KERNEL;
	k.local_port = lport;
	return table_find(&w->stats.peers, &k);
}

TEST(tcp_peer_of_a_connection_counts_receives_and_sends)
{
	struct fx_corr w;
	struct rt_peer_row *pr;

	pw_init(&w);
	feed_state(&w, SK1, RT_TCP_SYN_RECV, 6379, 9, 41000);
	feed_state(&w, SK1, RT_TCP_ESTABLISHED, 6379, 9, 41000);
	/* a recvmsg: the peer is the connection's, no address to wait for */
	fx_corr_enter(&w, 51, RT_RX_RECVMSG, 5, -1);
	feed_sock(&w, RT_EV_SOCK_RECV, SK1, 100);
	fx_corr_exit(&w, 51, RT_RX_RECVMSG, 100);
	feed_sock(&w, RT_EV_SOCK_RECV, SK1, 50);	/* a read */
	feed_sock(&w, RT_EV_SOCK_SEND, SK1, 700);	/* a write */
	feed_sock(&w, RT_EV_SOCK_RECV, SK1, -EAGAIN);	/* no bytes, no peer */
	/* the close is stamped before the last read of queued data */
	feed_state(&w, SK1, RT_TCP_CLOSE, 6379, 9, 41000);
	feed_sock(&w, RT_EV_SOCK_RECV, SK1, 30);
	feed_sock(&w, RT_EV_SOCK_RECV, SK2, 999);	/* not a known one */
	stats_end_interval(&w.stats, w.now);
	pr = peer_of(&w, 9, 41000, 6379);
	CHECK(pr != NULL);
	CHECK_EQ(pr ? pr->total.calls : 0, 3);
	CHECK_EQ(pr ? pr->total.bytes : 0, 180);
	CHECK_EQ(pr ? pr->total.tx_calls : 0, 1);
	CHECK_EQ(pr ? pr->total.tx_bytes : 0, 700);
	CHECK_EQ(pr ? pr->top_tgid : 0, 50);
	CHECK_EQ(w.stats.peers.nr_rows, 1);
	fx_corr_free(&w);
}

/* the host kernel's (6.18) format of sock:inet_sock_set_state */
static const char state_fmt[] =
	"name: inet_sock_set_state\nID: 2287\n" FX_FORMAT_COMMON
	"\tfield:const void * skaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:int oldstate;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:int newstate;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\tfield:__u16 sport;\toffset:24;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 dport;\toffset:26;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 family;\toffset:28;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 protocol;\toffset:30;\tsize:2;\tsigned:0;\n"
	"\tfield:__u8 saddr[4];\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:__u8 daddr[4];\toffset:36;\tsize:4;\tsigned:0;\n"
	"\tfield:__u8 saddr_v6[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:__u8 daddr_v6[16];\toffset:56;\tsize:16;\tsigned:0;\n\n"
	"print fmt: \"sport=%hu dport=%hu\", REC->sport, REC->dport\n";

TEST(decode_inet_sock_set_state_v4_and_v6)
{
	static const struct fx_format fmts[] = { { "sock", state_fmt } };
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(fmts, ARRAY_SIZE(fmts), &tep);
	struct rt_event ev;
	u8 b[72];
	u16 id = 2287, sport = 6379, dport = 41000, fam = AF_INET, proto = 6;
	s32 pid = 0, olds = RT_TCP_SYN_RECV, news = RT_TCP_ESTABLISHED;
	u64 sk = 0xffff888012345678ull;
	char text[64];

	CHECK(d != NULL);
	if (!d)
		return;
	memset(b, 0, sizeof(b));
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	memcpy(b + 8, &sk, 8);
	memcpy(b + 16, &olds, 4);
	memcpy(b + 20, &news, 4);
	memcpy(b + 24, &sport, 2);
	memcpy(b + 26, &dport, 2);
	memcpy(b + 28, &fam, 2);
	memcpy(b + 30, &proto, 2);
	b[32] = 127, b[35] = 1;			/* saddr 127.0.0.1 */
	b[36] = 10, b[37] = 1, b[38] = 2, b[39] = 3;	/* daddr */
	CHECK_EQ(decode_event(d, b, 72, &ev), RT_EV_SOCK_STATE);
	CHECK_EQ(ev.sock_state.sk, sk);
	CHECK_EQ(ev.sock_state.oldstate, RT_TCP_SYN_RECV);
	CHECK_EQ(ev.sock_state.newstate, RT_TCP_ESTABLISHED);
	CHECK_EQ(ev.sock_state.protocol, IPPROTO_TCP);
	CHECK_EQ(ev.sock_state.local.port, 6379);
	CHECK_EQ(ev.sock_state.remote.port, 41000);
	rt_addr_format(&ev.sock_state.remote, text, sizeof(text));
	CHECK_STR(text, "10.1.2.3");
	rt_addr_format(&ev.sock_state.local, text, sizeof(text));
	CHECK_STR(text, "127.0.0.1");
	fam = AF_INET6;
	memcpy(b + 28, &fam, 2);
	b[56 + 15] = 1;				/* daddr_v6 ::1 */
	CHECK_EQ(decode_event(d, b, 72, &ev), RT_EV_SOCK_STATE);
	CHECK_EQ(ev.sock_state.remote.family, RT_FAM_INET6);
	rt_addr_format(&ev.sock_state.remote, text, sizeof(text));
	CHECK_STR(text, "::1");
	CHECK_EQ(decode_event(d, b, 60, &ev), RT_EV_NONE);	/* short */
	decoder_free(d);
	tep_free(tep);
}

/* a /proc/net/tcp as the 6.18 kernel prints it (kptr_restrict 1, root) */
static const char tcp4_text[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
	"retrnsmt   uid  timeout inode\n"
	"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 "
	"00000000     0        0 1357 1 ffff88810330b780 100 0 0 10 0\n"
	"   1: 0100007F:18EB 0100007F:A410 01 00000000:00000000 00:00000000 "
	"00000000     0        0 22334 1 ffff8881adbb6d00 20 4 30 10 -1\n"
	"   2: 0100007F:A410 0100007F:18EB 01 00000000:00000000 00:00000000 "
	"00000000     0        0 22335 1 ffff8881adbb7a00 20 4 30 10 -1\n"
	"   3: 0100007F:A412 0100007F:18EB 06 00000000:00000000 03:00001770 "
	"00000000     0        0 0 3 ffff8881adbb8000\n"
	"   4: 0100007F:A414 0100007F:18EB 01 00000000:00000000 00:00000000 "
	"00000000     0        0 22336 1 000000007335fbf5 20 4 30 10 -1\n"
	"   5: garbage\n";

static const char tcp6_text[] =
	"  sl  local_address                         remote_address"
	"                        st tx_queue rx_queue tr tm->when retrnsmt"
	"   uid  timeout inode\n"
	"   0: 00000000000000000000000001000000:1F90 "
	"00000000000000000000000001000000:C350 01 00000000:00000000 "
	"00:00000000 00000000     0        0 4444 1 ffff888112340000 20 4 "
	"0 10 -1\n";

TEST(netscan_parses_tcp_and_tcp6_rows)
{
	struct conntab *t = conntab_new(64);
	struct netscan_info ni;
	const struct rt_conn *c;
	char text[64];

	memset(&ni, 0, sizeof(ni));
	/* the garbage row does not parse; the listener and the TIME_WAIT
	 * row name nothing; a hashed address is unusable */
	CHECK_EQ(netscan_parse(tcp4_text, false, t, &ni), 1);
	CHECK_EQ(ni.conns, 2);
	CHECK_EQ(ni.unusable, 1);
	c = conntab_find(t, 0xffff8881adbb6d00ull);
	CHECK(c != NULL);
	CHECK_EQ(c ? c->local_port : 0, 6379);
	CHECK_EQ(c ? c->remote.port : 0, 0xa410);
	if (c) {
		rt_addr_format(&c->remote, text, sizeof(text));
		CHECK_STR(text, "127.0.0.1");
		CHECK_EQ(c->origin, RT_CONN_PROCNET);
	}
	CHECK(conntab_find(t, 0xffff88810330b780ull) == NULL);
	CHECK(conntab_find(t, 0xffff8881adbb8000ull) == NULL);
	CHECK_EQ(netscan_parse(tcp6_text, true, t, &ni), 0);
	c = conntab_find(t, 0xffff888112340000ull);
	CHECK(c != NULL);
	CHECK_EQ(c ? c->local_port : 0, 8080);
	CHECK_EQ(c ? c->remote.port : 0, 50000);
	if (c) {
		rt_addr_format(&c->remote, text, sizeof(text));
		CHECK_STR(text, "::1");
	}
	CHECK_EQ(ni.conns, 3);
	conntab_free(t);
}

TEST(conntab_serialize_round_trip)
{
	struct conntab *t = conntab_new(64), *u = conntab_new(64);
	struct netscan_info ni;
	size_t len = 0;
	char *text, *line;
	int n = 0;

	memset(&ni, 0, sizeof(ni));
	netscan_parse(tcp4_text, false, t, &ni);
	netscan_parse(tcp6_text, true, t, &ni);
	/* a connection seen only by its state events is not written */
	state(t, 100, SK1, RT_TCP_ESTABLISHED, 1, 2, 3);
	text = conntab_serialize(t, RT_CONN_PROCNET, &len);
	CHECK(text != NULL);
	CHECK_EQ(len, strlen(text));
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		CHECK_EQ(conntab_parse_line(u, line), 0);
		n++;
	}
	CHECK_EQ(n, 3);
	for (u64 sk = 0; sk < 3; sk++) {
		static const u64 sks[] = { 0xffff8881adbb6d00ull,
					   0xffff8881adbb7a00ull,
					   0xffff888112340000ull };
		const struct rt_conn *a = conntab_find(t, sks[sk]);
		const struct rt_conn *b = conntab_find(u, sks[sk]);

		CHECK(a && b);
		if (a && b) {
			CHECK_EQ(a->local_port, b->local_port);
			CHECK_EQ(a->protocol, b->protocol);
			CHECK(!memcmp(&a->remote, &b->remote,
				      sizeof(a->remote)));
		}
	}
	CHECK(conntab_find(u, SK1) == NULL);
	CHECK_EQ(conntab_parse_line(u, "conn 0 1 6 2 80 0100007f"), -1);
	CHECK_EQ(conntab_parse_line(u, "conn ffff1 1 6 2 80 01007f"), -1);
	CHECK_EQ(conntab_parse_line(u, "conn ffff1 1 6 10 80 0100007f"), -1);
	CHECK_EQ(conntab_parse_line(u, "conn ffff1 1 6 2 0 0100007f"), -1);
	CHECK_EQ(conntab_parse_line(u, "conn ffff1 1 6 2 80 0100007f x"), -1);
	free(text);
	conntab_free(t);
	conntab_free(u);
}

/* the drill-down of a peer: the processes that received from it */
TEST(tcp_peer_drill_lists_its_receiving_processes)
{
	struct fx_corr w;
	struct tui_peer_proc procs[2];
	struct rt_peer_key k;
	u32 nr = 0, all;

	pw_init(&w);
	taskinfo_put(w.tasks, 61, 60, 0, "cli");
	taskinfo_put(w.tasks, 71, 70, 0, "other");
	/* one connection's socket shared by three processes (fork) */
	feed_state(&w, SK1, RT_TCP_ESTABLISHED, 6379, 9, 41000);
	feed_sock(&w, RT_EV_SOCK_RECV, SK1, 100);
	for (int tid = 61; tid <= 71; tid += 10) {
		struct rt_event ev = fx_corr_sock_event(RT_EV_SOCK_RECV, tid,
							SK1, IPPROTO_TCP);

		ev.sock.ret = tid == 61 ? 500 : 50;
		fx_corr_feed(&w, &ev);
	}
	stats_end_interval(&w.stats, w.now);
	memset(&k, 0, sizeof(k));
	k.family = RT_FAM_INET;
	k.len = 4;
	k.port = 41000;
	k.addr[0] = 10;
	k.addr[3] = 9;
	k.proto = RT_PROTO_TCP;
	k.local_port = 6379;
	all = tui_peer_procs(&w.stats, &k, procs, 2, &nr);
	CHECK_EQ(all, 3);
	CHECK_EQ(nr, 2);
	CHECK_EQ(procs[0].tgid, 60);
	CHECK_EQ(procs[0].bytes, 500);
	CHECK_STR(procs[0].comm, "cli");
	CHECK_EQ(procs[1].tgid, 50);
	CHECK_EQ(procs[1].bytes, 100);
	CHECK_STR(procs[1].comm, "srv");
	k.local_port = 1;
	CHECK_EQ(tui_peer_procs(&w.stats, &k, procs, 2, &nr), 0);
	CHECK_EQ(nr, 0);
	fx_corr_free(&w);
}
