// SPDX-License-Identifier: GPL-2.0
/*
 * The TUI's model and tables without a terminal: snapshots of the stats
 * tables, the (other) row, p99 as batch computes it, sort orders and
 * ties, the filter, column layout by width, number formats, text fitting,
 * the drill-down watch, and the pipeline's delay change.
 * Prints TAP-style lines; built by 10-view.t against the sanitized objects.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/pipeline.h"
#include "recvtop/tui_screen.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void is_str(const char *got, const char *want, const char *what)
{
	if (!strcmp(got, want))
		ok(true, "%s", what);
	else
		ok(false, "%s (got '%s', want '%s')", what, got, want);
}

/* ---- snapshots of hand-made records ---- */

static struct tui_rec *add_rec(struct tui_snap *s, int pid, const char *comm,
			       u64 calls, u64 bytes)
{
	struct tui_rec *r;

	if (s->nr == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
	}
	r = &s->recs[s->nr++];
	memset(r, 0, sizeof(*r));
	r->id = pid;
	snprintf(r->name, sizeof(r->name), "%s", comm);
	r->flags = TUI_REC_ACTIVE | TUI_REC_NOLAT;
	r->v[TV_CALLS] = calls;
	r->v[TV_T_CALLS] = calls;
	r->v[TV_BYTES] = bytes;
	r->v[TV_T_BYTES] = bytes;
	return r;
}

/* the list as "pid pid pid" */
static const char *order(struct tui_list *l, const struct tui_snap *s)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = 0;
	for (u32 i = 0; i < l->n && o < sizeof(buf) - 16; i++) {
		const struct tui_rec *r = &s->recs[l->idx[i]];

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
				      r->flags & TUI_REC_OTHER ? "other" :
				      r->name);
	}
	return buf;
}

static int col_of(enum tui_view v, const char *title)
{
	unsigned int nr;
	const struct tui_col *c = tui_view_cols(v, &nr);

	for (unsigned int i = 0; i < nr; i++)
		if (!strcmp(c[i].title, title))
			return (int)i;
	return -1;
}

static void test_sort(void)
{
	struct tui_snap *s = tui_snap_new();
	struct tui_list l;
	struct tui_rec *o;
	int calls = col_of(TUI_PROCS, "CALLS/s");
	int comm = col_of(TUI_PROCS, "COMM");
	int pid = col_of(TUI_PROCS, "PID");
	int p99 = col_of(TUI_PROCS, "P99");

	memset(&l, 0, sizeof(l));
	s->view = TUI_PROCS;
	s->seconds = 1;
	add_rec(s, 30, "c30", 5, 100);
	add_rec(s, 10, "a10", 5, 300);
	add_rec(s, 20, "b20", 9, 200);
	add_rec(s, 5, "kworker/10:1", 1, 0);
	add_rec(s, 6, "kworker/0:1", 1, 0);
	add_rec(s, 7, "kworker/0:0", 1, 0);
	/* a snapshot has the (other) row last */
	o = add_rec(s, -1, "", 50, 1);
	o->flags |= TUI_REC_OTHER;

	tui_list_build(&l, s, calls, false, NULL, -1);
	is_str(order(&l, s), "b20 a10 c30 kworker/10:1 kworker/0:1 kworker/0:0 other",
	       "calls/s descending, ties by pid, (other) last");
	tui_list_build(&l, s, calls, true, NULL, -1);
	is_str(order(&l, s), "kworker/10:1 kworker/0:1 kworker/0:0 a10 c30 b20 other",
	       "inverted: ascending, ties still by pid, (other) last");
	tui_list_build(&l, s, comm, false, NULL, -1);
	is_str(order(&l, s), "a10 b20 c30 kworker/0:0 kworker/0:1 kworker/10:1 other",
	       "comm ascending, exact past 8 bytes");
	tui_list_build(&l, s, comm, true, NULL, -1);
	is_str(order(&l, s), "kworker/10:1 kworker/0:1 kworker/0:0 c30 b20 a10 other",
	       "comm descending");
	tui_list_build(&l, s, pid, false, NULL, -1);
	is_str(order(&l, s), "kworker/10:1 kworker/0:1 kworker/0:0 a10 b20 c30 other",
	       "pid ascending");
	s->recs[0].flags &= ~TUI_REC_NOLAT;
	s->recs[0].v[TV_LAT_P99] = 0;
	s->recs[1].flags &= ~TUI_REC_NOLAT;
	s->recs[1].v[TV_LAT_P99] = 7000;
	tui_list_build(&l, s, p99, false, NULL, -1);
	is_str(order(&l, s), "a10 c30 kworker/10:1 kworker/0:1 kworker/0:0 b20 other",
	       "p99: a latency of 0 ns above rows without one");

	/* a later snapshot of the same table: one more row (before (other)) */
	*o = (struct tui_rec){ 0 };
	s->nr--;
	add_rec(s, 8, "d8", 5, 1);
	o = add_rec(s, -1, "", 50, 1);
	o->flags |= TUI_REC_OTHER;
	tui_list_build(&l, s, calls, false, NULL, -1);
	is_str(order(&l, s), "b20 d8 a10 c30 kworker/10:1 kworker/0:1 kworker/0:0 other",
	       "a new row takes its place among the ties by pid");
	s->epoch++;
	s->recs[0].id = 3;
	tui_list_build(&l, s, calls, false, NULL, -1);
	is_str(order(&l, s), "b20 c30 d8 a10 kworker/10:1 kworker/0:1 kworker/0:0 other",
	       "after a reset (new epoch) the rows are ordered afresh");
	s->recs[0].id = 30;
	s->epoch++;

	tui_list_build(&l, s, calls, false, "KWORKER/0", -1);
	is_str(order(&l, s), "kworker/0:1 kworker/0:0",
	       "filter: case-insensitive substring of comm");
	tui_list_build(&l, s, calls, false, "3", -1);
	is_str(order(&l, s), "c30", "filter: a substring of the pid");
	tui_list_build(&l, s, calls, false, "other", -1);
	is_str(order(&l, s), "other", "filter '(other)' keeps the other row");
	tui_list_build(&l, s, calls, false, "nothing-like-it", -1);
	ok(l.n == 0, "filter with no match: empty list");
	tui_list_free(&l);
	tui_snap_free(s);
}

/* many rows: the radix sort agrees with a plain comparison sort */
static int ref_cmp(const void *a, const void *b)
{
	const struct tui_rec *x = a, *y = b;

	if (x->v[TV_T_BYTES] != y->v[TV_T_BYTES])
		return x->v[TV_T_BYTES] < y->v[TV_T_BYTES] ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

static void test_sort_many(void)
{
	struct tui_snap *s = tui_snap_new();
	struct tui_list l;
	struct tui_rec *ref;
	bool same = true;
	u32 n = 50000;

	memset(&l, 0, sizeof(l));
	s->view = TUI_PROCS;
	srand(7);
	for (u32 i = 0; i < n; i++) {
		u64 v = (u64)rand() % 1000;

		if (i % 3 == 0)
			v = ((u64)rand() << 20) ^ (u64)rand();
		add_rec(s, (int)(n - i) * 7 % 400000, "x", 0, v);
	}
	ref = malloc(n * sizeof(*ref));
	memcpy(ref, s->recs, n * sizeof(*ref));
	qsort(ref, n, sizeof(*ref), ref_cmp);
	tui_list_build(&l, s, col_of(TUI_PROCS, "BYTES"), false, NULL, -1);
	for (u32 i = 0; i < n && same; i++)
		same = s->recs[l.idx[i]].id == ref[i].id &&
		       s->recs[l.idx[i]].v[TV_T_BYTES] == ref[i].v[TV_T_BYTES];
	ok(l.n == n && same, "50000 rows by total bytes: same order as qsort");
	free(ref);
	tui_list_free(&l);
	tui_snap_free(s);
}

/* ---- stats tables into snapshots ---- */

static void add_call(struct stats *st, int tid, u64 ts, u64 lat, s64 ret)
{
	struct rt_recv_call c = {
		.ts = ts, .latency = lat, .has_latency = true, .tid = tid,
		.fd = 3, .ret = ret,
	};

	stats_add_recv(st, &c);
}

static void test_snapshot(void)
{
	struct rt_stats_caps caps = { 2, 10, 10, 10, 10 };
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct tui_snap *s = tui_snap_new();
	struct tui_list l;
	struct stats st;
	bool p99_same = true;

	memset(&l, 0, sizeof(l));
	taskinfo_put(ti, 100, 100, 0, "first");
	taskinfo_put(ti, 101, 100, 0, "first");
	taskinfo_put(ti, 200, 200, 0, "second");
	taskinfo_put(ti, 300, 300, 0, "third");
	stats_init(&st, ti, &caps);
	srand(3);
	for (int i = 0; i < 3000; i++)
		add_call(&st, i % 2 ? 100 : 101, 1000 + (u64)i,
			 100 + (u64)rand() % 5000000, i % 10 ? 64 : -11);
	add_call(&st, 200, 5000, 2000, 10);
	add_call(&st, 300, 5001, 2000, 10);
	add_call(&st, 300, 5002, 2000, 10);
	stats_end_interval(&st, 10000);
	add_call(&st, 200, 12000, 3000, 5);
	stats_end_interval(&st, 20000);

	tui_snap_fill(s, TUI_PROCS, &st);
	s->seconds = 1;
	ok(s->nr == 3, "three process rows, the third is (other) (%u)", s->nr);
	tui_list_build(&l, s, col_of(TUI_PROCS, "CALLS"), false, NULL, -1);
	if (l.n == 3) {
		const struct tui_rec *a = &s->recs[l.idx[0]];
		const struct tui_rec *b = &s->recs[l.idx[1]];
		const struct tui_rec *c = &s->recs[l.idx[2]];

		ok(a->id == 100 && !strcmp(a->name, "first") &&
		   a->v[TV_T_CALLS] == 3000 && a->v[TV_T_BYTES] == 2700 * 64 &&
		   a->v[TV_T_ERRORS] == 300 && a->v[TV_T_EAGAIN] == 300,
		   "process 100: both threads, exact totals");
		ok(!(a->flags & TUI_REC_ACTIVE), "process 100 idle last interval");
		ok(b->id == 200 && (b->flags & TUI_REC_ACTIVE) &&
		   b->v[TV_CALLS] == 1 && b->v[TV_T_CALLS] == 2 &&
		   b->v[TV_LAT_AVG] == 3000, "process 200: last interval and total");
		ok((c->flags & TUI_REC_OTHER) && c->v[TV_T_CALLS] == 2,
		   "(other) row holds the process beyond the cap");
	}
	/* p99 as batch computes it, for many histograms */
	for (int round = 0; round < 200 && p99_same; round++) {
		const struct rt_proc_row *p;
		int tgid = 100;
		u64 want;

		for (int i = 0; i < 1 + round * 7; i++)
			add_call(&st, 100, 30000 + (u64)i,
				 (u64)rand() % (1u << (rand() % 30)), 1);
		stats_end_interval(&st, 40000 + (u64)round);
		p = table_find(&st.procs, &tgid);
		want = hist32_quantile(&p->last_hist, p->last.lat_n, 0.99,
				       p->last.lat_max);
		tui_snap_fill(s, TUI_PROCS, &st);
		for (u32 i = 0; i < s->nr; i++)
			if (s->recs[i].id == 100)
				p99_same = s->recs[i].v[TV_LAT_P99] == want;
	}
	ok(p99_same, "p99 from the top equals hist32_quantile (200 histograms)");

	tui_snap_fill(s, TUI_SOCKS, &st);
	ok(s->nr >= 2 && !strcmp(s->recs[0].name, "first") &&
	   s->recs[0].id2 == 3, "sockets: owner's comm and fd");
	stats_free(&st);

	/* a socket the backend knows by its address: proto, vias, last fd */
	{
		struct rt_stats_caps c2 = { 10, 10, 10, 10, 10 };
		struct rt_recv_call rd = {
			.ts = 1, .tid = 200, .fd = -1, .ret = 100,
			.via = RT_RX_READ, .sk = 0xffff888100001000ULL,
			.family = 2, .protocol = 6,
		};
		struct rt_recv_call rm = rd;
		const struct tui_col *cols;
		unsigned int nc;
		char cell[64];
		bool proto = false, via = false, fd = false, sock = false;

		rm.via = RT_RX_RECVMSG;
		rm.fd = 7;
		ok(!stats_init(&st, ti, &c2), "stats for the socket rows");
		stats_add_recv(&st, &rd);
		stats_add_recv(&st, &rm);
		stats_add_recv(&st, &rd);
		stats_end_interval(&st, 100);
		tui_snap_fill(s, TUI_SOCKS, &st);
		ok(s->nr == 1 && s->recs[0].v[TV_T_CALLS] == 3 &&
		   s->recs[0].v[TV_T_BYTES] == 300,
		   "sockets: one row per kernel address, whatever the fd");
		cols = tui_view_cols(TUI_SOCKS, &nc);
		for (unsigned int i = 0; s->nr && i < nc; i++) {
			tui_cell(cell, sizeof(cell), &cols[i], &s->recs[0], s,
				 20);
			if (cols[i].fmt == TF_PROTO)
				proto = !strcmp(cell, "tcp");
			if (cols[i].fmt == TF_SVIAS)
				via = !strcmp(cell, "recvmsg,read");
			if (cols[i].fmt == TF_FD)
				fd = !strcmp(cell, "7");
			if (cols[i].fmt == TF_SOCK)
				sock = !strcmp(cell, "ffff888100001000");
		}
		ok(proto && via && fd && sock,
		   "sockets: PROTO tcp, VIA recvmsg,read, FD 7, SOCK the address");
		ok(tui_view_sort_key(TUI_SOCKS, 'o') >= 0 &&
		   tui_view_sort_key(TUI_SOCKS, 'v') >= 0,
		   "sockets: o and v sort by proto and via");
		stats_free(&st);
	}
	taskinfo_free(ti);
	tui_list_free(&l);
	tui_snap_free(s);
}

static void test_addr(void)
{
	static const u8 ips[][4] = {
		{ 0, 0, 0, 0 }, { 127, 0, 0, 1 }, { 10, 9, 99, 100 },
		{ 255, 255, 255, 255 }, { 1, 20, 3, 240 },
	};
	bool same = true;

	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		struct tui_rec r;
		struct rt_addr a;
		char want[64];

		memset(&r, 0, sizeof(r));
		memset(&a, 0, sizeof(a));
		a.family = r.peer.key.family = RT_FAM_INET;
		a.len = r.peer.key.len = 4;
		memcpy(a.addr, ips[i], 4);
		memcpy(r.peer.key.addr, ips[i], 4);
		rt_addr_format(&a, want, sizeof(want));
		if (strcmp(tui_rec_addr(&r), want)) {
			ok(false, "address %s: got %s", want, r.peer.addr);
			same = false;
		}
	}
	ok(same, "IPv4 text as rt_addr_format makes it");
}

/* ---- layout, formats, fitting ---- */

static const char *layout_c(enum tui_view v, int width, bool conts)
{
	static char buf[256];
	struct tui_layout l;
	unsigned int nr;
	const struct tui_col *c = tui_view_cols(v, &nr);
	size_t o = 0;
	int used = 0;

	tui_layout_cols(v, width, conts, &l);
	buf[0] = 0;
	for (unsigned int i = 0; i < l.nr; i++) {
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
				      i ? " " : "", c[l.col[i]].title);
		used += l.width[i] + (i ? 1 : 0);
	}
	if (used > width)
		snprintf(buf, sizeof(buf), "too wide: %d > %d", used, width);
	return buf;
}

static const char *layout(enum tui_view v, int width)
{
	return layout_c(v, width, false);
}

static void test_layout(void)
{
	is_str(layout(TUI_PROCS, 80),
	       "PID COMM CALLS/s BYTES/s TXBYTES/s P99 CALLS BYTES",
	       "processes at 80 columns: bytes both ways, the totals");
	is_str(layout(TUI_PROCS, 40), "PID COMM CALLS/s BYTES/s",
	       "processes at 40 columns");
	is_str(layout(TUI_PROCS, 200),
	       "PID COMM CONTAINER CALLS/s BYTES/s TXCALLS/s TXBYTES/s ERR/s "
	       "EAGAIN/s AVG P99 MAX CALLS BYTES TXCALLS TXBYTES",
	       "processes at 200 columns: all");
	is_str(layout(TUI_SOCKS, 40), "PID PROTO COMM CALLS/s",
	       "sockets at 40 columns");
	is_str(layout(TUI_SOCKS, 80),
	       "PID FD PROTO VIA COMM CALLS/s BYTES/s CALLS BYTES",
	       "sockets at 80 columns");
	is_str(layout(TUI_SOCKS, 200),
	       "PID FD PROTO VIA COMM CALLS/s BYTES/s TXCALLS/s TXBYTES/s ERR/s "
	       "AVG MAX CALLS BYTES TXBYTES SOCK",
	       "sockets at 200 columns: all");
	is_str(layout(TUI_PEERS, 40), "ADDRESS PORT CALLS/s",
	       "peers at 40 columns");
	is_str(layout(TUI_READERS, 40), "READER COMM TARGET COUNT",
	       "readers at 40 columns");
	for (int v = 0; v < TUI_NR_VIEWS; v++)
		for (int w = 40; w <= 240; w += 7)
			if (strstr(layout((enum tui_view)v, w), "too wide") ||
			    strstr(layout_c((enum tui_view)v, w, true),
				   "too wide"))
				ok(false, "view %d at %d: %s", v, w,
				   layout((enum tui_view)v, w));

	/* containers: hidden on a host without them unless there is room */
	ok(!strstr(layout(TUI_PROCS, 120), "CONTAINER") &&
	   strstr(layout(TUI_PROCS, 170), "CONTAINER"),
	   "processes without containers: CONTAINER only when all else fits");
	is_str(layout_c(TUI_PROCS, 80, true),
	       "PID COMM CONTAINER CALLS/s BYTES/s TXBYTES/s CALLS BYTES",
	       "processes at 80 columns with containers: CONTAINER for P99");
	is_str(layout_c(TUI_PROCS, 40, true), "PID COMM CALLS/s BYTES/s",
	       "processes at 40 columns with containers: no room for it");
	is_str(layout_c(TUI_READERS, 100, true),
	       "READER COMM RCONT TARGET TCOMM TCONT VIA COUNT DENIED SEEN",
	       "readers at 100 columns with containers: both containers");
	is_str(layout(TUI_READERS, 80),
	       "READER COMM TARGET TCOMM VIA COUNT DENIED COUNT/s SEEN",
	       "readers at 80 columns without containers: as before");
	is_str(layout(TUI_CONTS, 40), "CONTAINER CALLS/s BYTES/s",
	       "containers at 40 columns");
	is_str(layout(TUI_CONTS, 80),
	       "CONTAINER KIND CALLS/s BYTES/s TXBYTES/s CALLS BYTES",
	       "containers at 80 columns");
	is_str(layout(TUI_CONTS, 120),
	       "CONTAINER KIND PROCS CALLS/s BYTES/s TXCALLS/s TXBYTES/s ERR/s "
	       "CALLS BYTES TXCALLS TXBYTES",
	       "containers at 120 columns: all but STATE");
	is_str(layout(TUI_CONTS, 140),
	       "CONTAINER KIND STATE PROCS CALLS/s BYTES/s TXCALLS/s TXBYTES/s "
	       "ERR/s CALLS BYTES TXCALLS TXBYTES",
	       "containers at 140 columns: all");
}

/* ---- containers: the conts table, names, sort, the drill-down filter ---- */

static const char *cell_of(const struct tui_snap *s, const struct tui_rec *r,
			   enum tui_view v, const char *title)
{
	static char buf[128];
	unsigned int nr;
	const struct tui_col *c = tui_view_cols(v, &nr);

	buf[0] = 0;
	for (unsigned int i = 0; i < nr; i++)
		if (!strcmp(c[i].title, title))
			tui_cell(buf, sizeof(buf), &c[i], r, s, 20);
	return buf;
}

/* the list as "name:bytes ..." of a column's cells */
static const char *cells(struct tui_list *l, const struct tui_snap *s,
			 const char *title)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = 0;
	for (u32 i = 0; i < l->n && o < sizeof(buf) - 64; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
				      i ? " " : "",
				      cell_of(s, &s->recs[l->idx[i]], s->view,
					      title));
	return buf;
}

static void send_call(struct stats *st, int tid, u64 ts, s64 ret)
{
	struct rt_recv_call c = {
		.ts = ts, .tid = tid, .fd = 4, .ret = ret,
		.via = RT_TX_SENDTO, .tx = true,
	};

	stats_add_recv(st, &c);
}

static void test_containers(void)
{
	static const char *const a_path = "/kubepods.slice/kubepods-pod1.slice/"
		"cri-containerd-"
		"fe01020304050607080910111213141516171819202122232425262728293031"
		".scope";
	static const char *const b_path = "/system.slice/docker-"
		"0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
		".scope";
	static const char *const c_path = "/system.slice/nginx.service";
	struct rt_stats_caps caps = { 10, 10, 10, 10, 3 };
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct tui_snap *s = tui_snap_new();
	struct tui_list l;
	struct stats st;
	u32 a, b, c, ca, cb;
	int cont = col_of(TUI_CONTS, "CONTAINER");
	int pcont = col_of(TUI_PROCS, "CONTAINER");
	struct tui_key k;
	struct tui_rec found;

	memset(&l, 0, sizeof(l));
	taskinfo_put(ti, 100, 100, 0, "web");
	taskinfo_put(ti, 101, 101, 0, "db");
	taskinfo_put(ti, 102, 102, 0, "cache");
	taskinfo_put(ti, 103, 103, 0, "nginx");
	taskinfo_put(ti, 104, 104, 0, "hostd");
	taskinfo_put(ti, 105, 105, 0, "worker");
	a = taskinfo_cgroup_intern(ti, a_path);
	b = taskinfo_cgroup_intern(ti, b_path);
	c = taskinfo_cgroup_intern(ti, c_path);
	ok(a && b && c, "three cgroups interned");
	taskinfo_set_attr(ti, 100, a, 1);
	taskinfo_set_attr(ti, 101, a, 1);
	taskinfo_set_attr(ti, 102, b, 1);
	taskinfo_set_attr(ti, 103, c, 1);
	taskinfo_set_attr(ti, 105, b, 1);
	ca = taskinfo_cgroup_container(ti, a);
	cb = taskinfo_cgroup_container(ti, b);
	ok(!stats_init(&st, ti, &caps), "stats with 3 container rows");
	/* a: 2 processes, 3 receives of 100; b: 1 of 7 and 2 sends of 50;
	 * the host: 1 of 1000; the service goes to (other) (cap 3: a, b,
	 * the host, then other) */
	add_call(&st, 100, 10, 10, 100);
	add_call(&st, 101, 11, 10, 100);
	add_call(&st, 101, 12, 10, 100);
	add_call(&st, 102, 13, 10, 7);
	send_call(&st, 102, 14, 50);
	send_call(&st, 102, 15, 50);
	add_call(&st, 104, 16, 10, 1000);
	add_call(&st, 103, 17, 10, 5);
	send_call(&st, 105, 18, 9);
	stats_end_interval(&st, 1000);

	tui_snap_fill(s, TUI_CONTS, &st);
	s->seconds = 1;
	ok(s->nr == 4 && s->has_conts, "containers: a, b, the host, (other) "
	   "(%u rows)", s->nr);
	tui_list_build(&l, s, cont, false, NULL, -1);
	is_str(cells(&l, s, "CONTAINER"), "- 0a1b2c3d4e5f fe0102030405 (other)",
	       "by CONTAINER: the host first, 12-hex short ids, (other) last");
	is_str(cells(&l, s, "KIND"), "host container container -",
	       "KIND of each");
	is_str(cells(&l, s, "BYTES"), "1000 7 300 5", "BYTES received exact");
	is_str(cells(&l, s, "TXBYTES"), "0 109 0 0",
	       "TXBYTES: b's two processes' sends");
	is_str(cells(&l, s, "PROCS"), "1 2 2 0",
	       "PROCS: processes whose latest call (a send too) was in it");
	tui_list_build(&l, s, cont, true, NULL, -1);
	is_str(cells(&l, s, "CONTAINER"), "fe0102030405 0a1b2c3d4e5f - (other)",
	       "CONTAINER inverted");
	tui_list_build(&l, s, col_of(TUI_CONTS, "BYTES/s"), false, NULL, -1);
	is_str(cells(&l, s, "CONTAINER"), "- fe0102030405 0a1b2c3d4e5f (other)",
	       "default order: bytes/s");
	tui_list_build(&l, s, cont, false, "FE01", -1);
	is_str(cells(&l, s, "CONTAINER"), "fe0102030405",
	       "filter on the container's name");
	tui_list_build(&l, s, cont, false, "host", -1);
	is_str(cells(&l, s, "CONTAINER"), "-", "filter 'host': the host row");
	tui_rec_key(TUI_CONTS, &s->recs[l.idx[0]], &k);
	ok(tui_find_rec(&st, &k, &found) && found.v[TV_T_BYTES] == 1000 &&
	   found.cont == 0, "the host row found again by its key");

	/* processes: the CONTAINER column, its sort, the drill-down filter */
	tui_snap_fill(s, TUI_PROCS, &st);
	s->seconds = 1;
	tui_list_build(&l, s, pcont, false, NULL, -1);
	is_str(order(&l, s), "hostd cache worker web db nginx",
	       "processes by CONTAINER: host, 0a1b..., fe01..., then "
	       "nginx.service, ties by pid");
	is_str(cells(&l, s, "CONTAINER"),
	       "- 0a1b2c3d4e5f 0a1b2c3d4e5f fe0102030405 fe0102030405 "
	       "nginx.service",
	       "CONTAINER cells: -, the unit name, short ids");
	tui_list_build(&l, s, pcont, false, NULL, (long)ca);
	is_str(order(&l, s), "web db", "drill-down to a: exactly its processes");
	tui_list_build(&l, s, pcont, false, NULL, 0);
	is_str(order(&l, s), "hostd", "drill-down to the host");
	tui_list_build(&l, s, pcont, false, NULL, (long)cb);
	is_str(order(&l, s), "cache worker",
	       "drill-down to b: worker, which only sent, too");
	tui_list_build(&l, s, pcont, false, "nginx.serv", -1);
	is_str(order(&l, s), "nginx", "filter on a process's container");
	stats_free(&st);
	taskinfo_free(ti);
	tui_list_free(&l);
	tui_snap_free(s);
}

static void test_formats(void)
{
	char b[64];

	tui_format_count(b, sizeof(b), 0, 9);
	is_str(b, "0", "count 0");
	tui_format_count(b, sizeof(b), 0.5, 9);
	is_str(b, "0.5", "a rate below 10 keeps a decimal");
	tui_format_count(b, sizeof(b), 382271.6, 9);
	is_str(b, "382272", "fits: exact");
	tui_format_count(b, sizeof(b), 1234567, 6);
	is_str(b, "1.23M", "too wide: 1.23M");
	tui_format_count(b, sizeof(b), 99999999999.0, 9);
	is_str(b, "100G", "too wide: 100G");
	tui_format_age(b, sizeof(b), 3.25);
	is_str(b, "3.2s", "age 3.2s");
	tui_format_age(b, sizeof(b), 185);
	is_str(b, "3m05s", "age 3m05s");

	if (setlocale(LC_CTYPE, "C.UTF-8")) {
		tui_fit(b, sizeof(b), "a\001b\x7f", 10, true);
		is_str(b, "a?b?", "control bytes shown as ?");
		tui_fit(b, sizeof(b), "h\xc3\xa9llo", 3, true);
		is_str(b, "h\xc3\xa9l", "UTF-8: a character is one column");
		tui_fit(b, sizeof(b), "x\xffy", 10, true);
		is_str(b, "x?y", "invalid UTF-8 shown as ?");
		ok(tui_fit(b, sizeof(b), "\xe4\xb8\xad\xe6\x96\x87", 3, true) == 2 &&
		   !strcmp(b, "\xe4\xb8\xad"), "wide characters take two columns");
	}
	tui_fit(b, sizeof(b), "h\xc3\xa9", 10, false);
	is_str(b, "h??", "not UTF-8: high bytes shown as ?");
}

/* ---- the drill-down watch ---- */

static struct rt_event ev_of(u16 kind, int tid, u64 ts, int fd)
{
	struct rt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.tid = tid;
	e.ts = ts;
	if (kind == RT_EV_RECV_ENTER)
		e.recv_enter.fd = fd;
	if (kind == RT_EV_RECV_EXIT)
		e.exit.ret = 10;
	return e;
}

static void test_watch(void)
{
	struct tui_events *e = calloc(1, sizeof(*e));
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct tui_key k;
	struct rt_event ev;

	taskinfo_put(ti, 10, 10, 0, "a");
	taskinfo_put(ti, 11, 10, 0, "a");
	taskinfo_put(ti, 20, 20, 0, "b");
	e->tasks = ti;
	/* before the drill-down opens: only the ring */
	ev = ev_of(RT_EV_RECV_ENTER, 11, 100, 4);
	tui_events_hook(e, &ev);
	memset(&k, 0, sizeof(k));
	k.view = TUI_PROCS;
	k.id = 10;
	tui_watch_start(e, &k);
	ok(e->watch.head == 1, "opening seeds the watch from the ring");
	ev = ev_of(RT_EV_RECV_ENTER, 20, 150, 4);
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_RECV_EXIT, 11, 350, 0);
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_RECV_EXIT, 20, 400, 0);
	tui_events_hook(e, &ev);
	ok(e->watch.head == 2 && e->watch.ev[1].tid == 11,
	   "the watch keeps its process's events only");
	ok(e->watch.hist_n == 1 && e->watch.hist_sum == 250,
	   "and their latency (250 ns)");

	/* a socket: the process and the fd */
	k.view = TUI_SOCKS;
	k.id = 10;
	k.id2 = 5;
	tui_watch_start(e, &k);
	ev = ev_of(RT_EV_RECV_ENTER, 10, 1000, 4);
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_RECV_EXIT, 10, 1100, 0);
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_RECV_ENTER, 10, 1200, 5);
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_RECV_EXIT, 10, 1500, 0);
	tui_events_hook(e, &ev);
	ok(e->watch.hist_n == 1 && e->watch.hist_sum == 300 &&
	   e->watch.ev[e->watch.head - 1].ts == 1500,
	   "socket watch: calls on that fd only");

	/* a socket known by its kernel address: its socket events */
	k.id2 = -1;
	k.sk = 0xabc0;
	tui_watch_start(e, &k);
	ev = ev_of(RT_EV_SOCK_ENTER, 10, 2000, 0);
	ev.sock.sk = 0xabc0;
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_SOCK_EXIT, 10, 2400, 0);
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_SOCK_RECV, 10, 2500, 0);
	ev.sock.sk = 0xdef0;
	tui_events_hook(e, &ev);
	ev = ev_of(RT_EV_SOCK_RECV, 10, 2600, 0);
	ev.sock.sk = 0xabc0;
	tui_events_hook(e, &ev);
	ok(e->watch.head == 3 && e->watch.hist_n == 1 &&
	   e->watch.hist_sum == 400 && e->watch.ev[2].ts == 2600,
	   "socket watch by address: its entry, return and receive only");
	tui_watch_start(e, NULL);
	ok(!e->watch.active, "closing stops the watch");
	taskinfo_free(ti);
	free(e);
}

/* ---- the pipeline: a new delay from the next boundary on ---- */

static u64 cuts[16][2];
static int nr_cuts;

static void on_iv(void *ctx, struct pipeline *p, const struct rt_interval *iv)
{
	(void)ctx;
	(void)p;
	if (nr_cuts < 16) {
		cuts[nr_cuts][0] = iv->start_ts;
		cuts[nr_cuts][1] = iv->end_ts;
		nr_cuts++;
	}
}

static void feed_at(struct pipeline *p, u64 ts)
{
	struct rt_raw raw;

	memset(&raw, 0, sizeof(raw));
	raw.ts = ts;
	pipeline_feed(p, &raw);
}

static void test_delay(void)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats st;
	struct pipeline p;
	char got[256];
	size_t o = 0;

	stats_init(&st, ti, NULL);
	pipeline_init(&p, NULL, NULL, &st, 1000, 0, on_iv, NULL);
	feed_at(&p, 5000);		/* t0 */
	feed_at(&p, 5500);
	pipeline_set_interval(&p, 250);	/* within [5000, 6000) */
	feed_at(&p, 6600);
	pipeline_finish(&p);
	for (int i = 0; i < nr_cuts; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%llu-%llu",
				      i ? " " : "",
				      (unsigned long long)cuts[i][0],
				      (unsigned long long)cuts[i][1]);
	is_str(got, "5000-6000 6000-6250 6250-6500 6500-6600",
	       "delay change: the interval under way keeps its length");
	stats_free(&st);
	taskinfo_free(ti);
}

int main(void)
{
	test_sort();
	test_sort_many();
	test_snapshot();
	test_addr();
	test_layout();
	test_containers();
	test_formats();
	test_watch();
	test_delay();
	printf("# %d tests, %d failed\n", n_tests, n_failed);
	return n_failed ? 1 : 0;
}
