// SPDX-License-Identifier: GPL-2.0
/* the replay history: the view at interval k equals a run stopped at k */
#include <stdlib.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/history.h"
#include "unit.h"

#define MS 1000000ULL
#define NR_IV 12

struct hw {
	struct tep_handle *tep;
	struct decoder *dec;
	struct cpu_merge *merge;
	struct taskinfo *tasks;
	struct stats stats, view;
	struct correlator *corr;
	struct pipeline pipe;
	struct history *hist;
};

static void hw_iv(void *ctx, struct pipeline *p, const struct rt_interval *iv)
{
	struct hw *w = ctx;

	(void)p;
	if (w->hist)
		history_record(w->hist, iv);
}

static void flush(struct hw *w, struct fx_page *p, int cpu)
{
	void *buf = merge_page_buf(w->merge);

	memcpy(buf, p->data, FX_PAGE);
	merge_commit_page(w->merge, cpu, buf);
}

/* add to cpu's page, starting a new one when it is full */
static void add(struct hw *w, struct fx_page *pg, int cpu, u64 t,
		const u8 *b, u32 len)
{
	if (fx_page_add(&pg[cpu], t, b, len)) {
		flush(w, &pg[cpu], cpu);
		fx_page_init(&pg[cpu], t);
		fx_page_add(&pg[cpu], t, b, len);
	}
}

/* kprobe traffic: 5 processes, peers, sockets, readers; varied activity */
static void hw_pages(struct hw *w)
{
	struct fx_page pg[2];
	u8 b[128];
	u64 t = 1000;

	fx_page_init(&pg[0], t);
	fx_page_init(&pg[1], t);
	add(w, pg, 0, t, b, fx_print(b, 1, "recvtop: start delay=100000000"));
	srand(7);
	for (int i = 0; i < 1400; i++) {
		int tid = 100 + rand() % 5, cpu = rand() % 2;
		u64 lat = 1000 + (u64)(rand() % 50000);

		t += 700000 + (u64)(rand() % 200000);
		if (i % 7 == 3) {
			/* a reader now and then */
			add(w, pg, cpu, t, b,
			    fx_k_mm(b, tid, 900 + tid % 2, 900 + tid % 2,
				    "victim", i % 2 ? 0x12 : 0x0a));
			add(w, pg, cpu, t + 10, b,
			    fx_k_ret(b, FX_K_MM_ACCESS_RET, tid,
				     i % 3 ? 1 : -13));
			continue;
		}
		add(w, pg, cpu, t, b, fx_k_recvfrom(b, tid, 3 + tid % 2, 1500,
						     0, 1));
		add(w, pg, cpu, t + 5, b,
		    fx_k_addr4(b, tid, 16, "10.0.0.1",
			       (u16)(7000 + rand() % 30)));
		/* the return may land on the other CPU */
		add(w, pg, (cpu + i) % 2, t + lat, b,
		    fx_k_ret(b, FX_K_RECVFROM_RET, tid,
			     i % 11 ? 100 + tid : -11));
	}
	flush(w, &pg[0], 0);
	flush(w, &pg[1], 1);
}

/* the five processes: two in a container, one in a service, two on the
 * host; the readers' targets in the container */
static void hw_tasks(struct taskinfo *ti)
{
	static const char *paths[] = {
		"/kubepods.slice/cri-containerd-"
		"0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef.scope",
		"/system.slice/web.service",
		"/user.slice",
	};
	static const int tids[] = { 100, 101, 102, 103, 104, 900, 901 };
	static const int where[] = { 0, 0, 1, 2, 2, 0, 0 };

	for (size_t i = 0; i < ARRAY_SIZE(tids); i++) {
		taskinfo_put(ti, tids[i], tids[i], 0, "hw");
		taskinfo_set_attr(ti, tids[i],
				  taskinfo_cgroup_intern(ti, paths[where[i]]),
				  4026531840ULL + (u64)where[i]);
	}
}

static void hw_init(struct hw *w, unsigned int max, bool with_history)
{
	memset(w, 0, sizeof(*w));
	w->tep = fixture_tep();
	w->dec = decoder_new(w->tep);
	w->merge = merge_new(w->tep, 2, FX_PAGE);
	w->tasks = taskinfo_new(RT_TASKS_STORED);
	hw_tasks(w->tasks);
	stats_init(&w->stats, w->tasks, NULL);
	stats_init(&w->view, w->tasks, NULL);
	w->corr = correlator_new(&w->stats, true);
	pipeline_init(&w->pipe, w->dec, w->corr, &w->stats, 1000 * MS, max,
		      hw_iv, w);
	if (with_history)
		w->hist = history_new(&w->stats, &w->view, 64u << 20);
	hw_pages(w);
	pipeline_feed_merge(&w->pipe, w->merge, UINT64_MAX);
	pipeline_finish(&w->pipe);
}

static void hw_free(struct hw *w)
{
	history_free(w->hist);
	correlator_free(w->corr);
	stats_free(&w->stats);
	stats_free(&w->view);
	taskinfo_free(w->tasks);
	merge_free(w->merge);
	decoder_free(w->dec);
	tep_free(w->tep);
}

static bool same_counters(const struct rt_counters *a,
			  const struct rt_counters *b)
{
	return a->calls == b->calls && a->bytes == b->bytes &&
	       a->errors == b->errors && a->eagain == b->eagain &&
	       a->lat_n == b->lat_n && a->lat_sum == b->lat_sum &&
	       a->lat_max == b->lat_max && a->tx_calls == b->tx_calls &&
	       a->tx_bytes == b->tx_bytes && a->tx_errors == b->tx_errors;
}

/* every counted row of ref is in view with the same numbers, and the
 * view has no other counted row */
static void compare(struct hw *ref, struct hw *h, unsigned int k)
{
	struct stats *r = &ref->stats, *v = &h->view;
	u32 counted = 0;

	CHECK_EQ(v->total.events, r->total.events);
	CHECK_EQ(v->total.calls, r->total.calls);
	CHECK_EQ(v->last.calls, r->last.calls);
	for (u32 i = 0; i < table_count(&r->procs); i++) {
		struct rt_proc_row *a = table_any_row(&r->procs, i), *b;

		b = table_find(&v->procs, &a->tgid);
		if (!b) {
			unit_fail(__FILE__, __LINE__, "k=%u: pid %d missing",
				  k, a->tgid);
			continue;
		}
		if (!same_counters(&a->total, &b->total))
			unit_fail(__FILE__, __LINE__, "k=%u pid %d: totals "
				  "%llu/%llu calls", k, a->tgid,
				  (unsigned long long)b->total.calls,
				  (unsigned long long)a->total.calls);
		if (memcmp(&a->total_hist, &b->total_hist,
			   sizeof(a->total_hist)))
			unit_fail(__FILE__, __LINE__, "k=%u pid %d: histogram",
				  k, a->tgid);
		CHECK_EQ(stats_row_in_last(v, b->last_gen),
			 stats_row_in_last(r, a->last_gen));
		if (stats_row_in_last(r, a->last_gen)) {
			CHECK(same_counters(&a->last, &b->last));
			CHECK(!memcmp(&a->last_hist, &b->last_hist,
				      sizeof(a->last_hist)));
		}
		CHECK_STR(b->comm, a->comm);
		CHECK_EQ(b->cgroup, a->cgroup);
		CHECK_EQ(b->container, a->container);
		CHECK_EQ(b->netns, a->netns);
	}
	for (u32 i = 0; i < table_count(&v->procs); i++)
		counted += ((struct rt_proc_row *)
			    table_any_row(&v->procs, i))->total.calls != 0;
	CHECK_EQ(counted, table_count(&r->procs));
	for (u32 i = 0; i < table_count(&r->peers); i++) {
		struct rt_peer_row *a = table_any_row(&r->peers, i), *b;

		b = table_find(&v->peers, &a->key);
		CHECK(b && same_counters(&a->total, &b->total) &&
		      b->top_tgid == a->top_tgid &&
		      b->top_bytes == a->top_bytes);
	}
	for (u32 i = 0; i < table_count(&r->readers); i++) {
		struct rt_reader_row *a = table_any_row(&r->readers, i), *b;

		b = table_find(&v->readers, &a->key);
		CHECK(b && b->total.count == a->total.count &&
		      b->total.denied == a->total.denied &&
		      b->last_seen == a->last_seen &&
		      b->reader_container == a->reader_container &&
		      b->target_container == a->target_container);
	}
	/* three containers: the container, the service, the host */
	CHECK_EQ(table_count(&r->conts), 3);
	for (u32 i = 0; i < table_count(&r->conts); i++) {
		struct rt_cont_row *a = table_any_row(&r->conts, i), *b;

		b = table_find(&v->conts, &a->container);
		CHECK(b && same_counters(&a->total, &b->total) &&
		      b->last_seen == a->last_seen);
		if (!b)
			continue;
		CHECK_EQ(stats_row_in_last(v, b->last_gen),
			 stats_row_in_last(r, a->last_gen));
		if (stats_row_in_last(r, a->last_gen))
			CHECK(same_counters(&a->last, &b->last));
	}
	for (u32 i = 0; i < table_count(&r->socks); i++) {
		struct rt_sock_row *a = table_any_row(&r->socks, i), *b;

		b = table_find(&v->socks, &a->key);
		CHECK(b && same_counters(&a->total, &b->total));
	}
}

TEST(history_view_equals_a_run_stopped_there)
{
	struct hw h, ref;
	unsigned int n;
	static const unsigned int order[] = {
		3, 1, 7, 12, 5, 0, 12, 11, 2, 2, 9, 4, 6, 8, 10, 1,
	};

	hw_init(&h, 0, true);
	n = history_count(h.hist);
	CHECK_EQ(n, NR_IV);
	CHECK(!history_full(h.hist));
	/* forward, back and jumping around: always the same as a run
	 * stopped after k intervals */
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		unsigned int k = order[i] > n ? n : order[i];

		history_show(h.hist, k);
		CHECK_EQ(history_shown(h.hist), k);
		if (!k) {
			CHECK_EQ(h.view.total.calls, 0);
			continue;
		}
		hw_init(&ref, k, false);
		compare(&ref, &h, k);
		hw_free(&ref);
	}
	/* the interval of a time */
	CHECK_EQ(history_find(h.hist, history_interval(h.hist, 4)->end_ts), 4);
	CHECK_EQ(history_find(h.hist, history_interval(h.hist, 4)->end_ts + 1),
		 5);
	CHECK_EQ(history_find(h.hist, 0), 0);
	hw_free(&h);
}

TEST(history_stops_at_its_budget)
{
	struct hw h;

	memset(&h, 0, sizeof(h));
	h.tep = fixture_tep();
	h.dec = decoder_new(h.tep);
	h.merge = merge_new(h.tep, 2, FX_PAGE);
	h.tasks = taskinfo_new(RT_TASKS_STORED);
	stats_init(&h.stats, h.tasks, NULL);
	stats_init(&h.view, h.tasks, NULL);
	h.corr = correlator_new(&h.stats, true);
	pipeline_init(&h.pipe, h.dec, h.corr, &h.stats, 1000 * MS, 0, hw_iv,
		      &h);
	h.hist = history_new(&h.stats, &h.view, 1);	/* 1 byte */
	hw_pages(&h);
	pipeline_feed_merge(&h.pipe, h.merge, UINT64_MAX);
	pipeline_finish(&h.pipe);
	CHECK(history_full(h.hist));
	CHECK(history_count(h.hist) <= 1);
	hw_free(&h);
}
