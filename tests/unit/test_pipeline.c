// SPDX-License-Identifier: GPL-2.0
/* merge + decode + correlate + stats + intervals, on synthetic pages */
#include <stdlib.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/pipeline.h"
#include "unit.h"

#define MS 1000000ULL

struct world {
	struct tep_handle *tep;
	struct decoder *dec;
	struct cpu_merge *merge;
	struct taskinfo *tasks;
	struct stats stats;
	struct correlator *corr;
	struct pipeline pipe;
	int intervals;
	u64 ends[64];
	u64 calls[64];
	u64 lost[64];
	bool final[64];
};

static void on_iv(void *ctx, struct pipeline *p, const struct rt_interval *iv)
{
	struct world *w = ctx;

	if (w->intervals < 64) {
		w->ends[w->intervals] = iv->end_ts;
		w->calls[w->intervals] = p->stats->last.calls;
		w->lost[w->intervals] = p->stats->last.lost;
		w->final[w->intervals] = iv->final;
	}
	w->intervals++;
}

static void world_init(struct world *w, u64 interval, unsigned int max)
{
	memset(w, 0, sizeof(*w));
	w->tep = fixture_tep();
	w->dec = decoder_new(w->tep);
	w->merge = merge_new(w->tep, 4, FX_PAGE);
	w->tasks = taskinfo_new(RT_TASKS_STORED);
	stats_init(&w->stats, w->tasks, NULL);
	w->corr = correlator_new(&w->stats, true);
	pipeline_init(&w->pipe, w->dec, w->corr, &w->stats, interval, max,
		      on_iv, w);
}

static void world_free(struct world *w)
{
	correlator_free(w->corr);
	stats_free(&w->stats);
	taskinfo_free(w->tasks);
	merge_free(w->merge);
	decoder_free(w->dec);
	tep_free(w->tep);
}

static void push(struct world *w, int cpu, struct fx_page *p)
{
	void *buf = merge_page_buf(w->merge);

	memcpy(buf, p->data, FX_PAGE);
	merge_commit_page(w->merge, cpu, buf);
}

static struct rt_proc_row *proc(struct world *w, int tgid)
{
	return table_find(&w->stats.procs, &tgid);
}

TEST(pipeline_pairs_across_cpus_in_time_order)
{
	struct world w;
	struct fx_page c0, c1;
	struct rt_proc_row *p;
	u8 b[128];

	world_init(&w, 1000 * MS, 0);
	taskinfo_put(w.tasks, 100, 100, 0, "mover");
	/* the thread enters on CPU 0 and returns on CPU 1 */
	fx_page_init(&c0, 1000);
	fx_page_add(&c0, 1000, b, fx_print(b, 1, "recvtop: start"));
	fx_page_add(&c0, 2000, b, fx_sys_enter_recvfrom(b, 100, 3, 64, 0, 0));
	fx_page_add(&c0, 9000, b, fx_sys_enter_recvfrom(b, 100, 3, 64, 0, 0));
	fx_page_init(&c1, 5000);
	fx_page_add(&c1, 5000, b, fx_sys_exit(b, FX_EXIT_RECVFROM, 100, 10));
	fx_page_add(&c1, 12000, b, fx_sys_exit(b, FX_EXIT_RECVFROM, 100, 20));
	/* queue CPU 1 first: the merge must still go by time */
	push(&w, 1, &c1);
	push(&w, 0, &c0);
	pipeline_feed_merge(&w.pipe, w.merge, UINT64_MAX);
	pipeline_finish(&w.pipe);
	p = proc(&w, 100);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->total.calls, 2);
		CHECK_EQ(p->total.bytes, 30);
		CHECK_EQ(p->total.lat_n, 2);
		CHECK_EQ(p->total.lat_sum, 3000 + 3000);
		CHECK_EQ(p->total.lat_max, 3000);
	}
	CHECK_EQ(w.stats.total.unpaired, 0);
	CHECK_EQ(w.stats.total.events, 4);
	CHECK_EQ(w.intervals, 1);
	CHECK(w.final[0]);
	world_free(&w);
}

TEST(pipeline_watermark_holds_back_later_events)
{
	struct world w;
	struct fx_page c0;
	u8 b[128];

	world_init(&w, 1000 * MS, 0);
	fx_page_init(&c0, 100);
	fx_page_add(&c0, 100, b, fx_sys_enter_recvfrom(b, 7, 3, 64, 0, 0));
	fx_page_add(&c0, 300, b, fx_sys_exit(b, FX_EXIT_RECVFROM, 7, 1));
	push(&w, 0, &c0);
	CHECK_EQ(pipeline_feed_merge(&w.pipe, w.merge, 200), 1);
	CHECK_EQ(merge_peek_ts(w.merge), 300);
	CHECK_EQ(pipeline_feed_merge(&w.pipe, w.merge, 300), 1);
	CHECK_EQ(merge_peek_ts(w.merge), UINT64_MAX);
	world_free(&w);
}

TEST(pipeline_cuts_intervals_from_event_time)
{
	struct world w;
	struct fx_page c0;
	u8 b[128];
	u64 t0 = 5 * MS;

	world_init(&w, 100 * MS, 0);
	taskinfo_put(w.tasks, 50, 50, 0, "gen");
	fx_page_init(&c0, t0 - 10);
	/* an event a few ns before the start marker stays in interval 1 */
	fx_page_add(&c0, t0 - 10, b, fx_sys_enter_recvfrom(b, 50, 3, 8, 0, 0));
	fx_page_add(&c0, t0, b, fx_print(b, 1, "recvtop: start"));
	fx_page_add(&c0, t0 + 10, b, fx_sys_exit(b, FX_EXIT_RECVFROM, 50, 8));
	/* two calls in interval 2, none in 3, one in 4 */
	for (int i = 0; i < 2; i++) {
		u64 t = t0 + 150 * MS + (u64)i * 1000;

		fx_page_add(&c0, t, b, fx_sys_enter_recvfrom(b, 50, 3, 8, 0, 0));
		fx_page_add(&c0, t + 10, b,
			    fx_sys_exit(b, FX_EXIT_RECVFROM, 50, 8));
	}
	fx_page_add(&c0, t0 + 350 * MS, b,
		    fx_sys_enter_recvfrom(b, 50, 3, 8, 0, 0));
	fx_page_add(&c0, t0 + 350 * MS + 5, b,
		    fx_sys_exit(b, FX_EXIT_RECVFROM, 50, 8));
	fx_page_add(&c0, t0 + 420 * MS, b, fx_print(b, 1, "recvtop: stop"));
	/* after the stop marker nothing counts */
	fx_page_add(&c0, t0 + 421 * MS, b,
		    fx_sys_exit(b, FX_EXIT_RECVFROM, 50, 8));
	push(&w, 0, &c0);
	pipeline_feed_merge(&w.pipe, w.merge, UINT64_MAX);
	pipeline_finish(&w.pipe);

	CHECK_EQ(w.pipe.t0, t0);
	CHECK_EQ(w.intervals, 5);
	CHECK_EQ(w.ends[0], t0 + 100 * MS);
	CHECK_EQ(w.ends[1], t0 + 200 * MS);
	CHECK_EQ(w.ends[3], t0 + 400 * MS);
	CHECK_EQ(w.ends[4], t0 + 420 * MS);
	CHECK(w.final[4] && !w.final[3]);
	CHECK_EQ(w.calls[0], 1);
	CHECK_EQ(w.calls[1], 2);
	CHECK_EQ(w.calls[2], 0);
	CHECK_EQ(w.calls[3], 1);
	CHECK_EQ(w.calls[4], 0);
	CHECK_EQ(proc(&w, 50)->total.calls, 4);
	world_free(&w);
}

TEST(pipeline_iterations_limit_and_advance)
{
	struct world w;
	struct fx_page c0;
	u8 b[128];

	world_init(&w, 10 * MS, 2);
	fx_page_init(&c0, 0);
	fx_page_add(&c0, 0, b, fx_print(b, 1, "recvtop: start"));
	push(&w, 0, &c0);
	pipeline_feed_merge(&w.pipe, w.merge, UINT64_MAX);
	/* no events, but time passes: live closes empty intervals */
	pipeline_advance(&w.pipe, 15 * MS);
	CHECK_EQ(w.intervals, 1);
	pipeline_advance(&w.pipe, 100 * MS);
	CHECK_EQ(w.intervals, 2);
	CHECK(w.pipe.done);
	pipeline_finish(&w.pipe);
	CHECK_EQ(w.intervals, 2);
	world_free(&w);
}

TEST(pipeline_counts_lost_events_of_pages)
{
	struct world w;
	struct fx_page c0, c1, c2;
	u8 b[128];

	world_init(&w, 1000 * MS, 0);
	fx_page_init(&c0, 10);
	fx_page_add(&c0, 10, b, fx_print(b, 1, "recvtop: start"));
	fx_page_init(&c1, 20);
	fx_page_add(&c1, 20, b, fx_unrelated(b, 2));
	fx_page_missed(&c1, 1234);
	/* a page with a missed mark and no event still reports it */
	fx_page_init(&c2, 30);
	fx_page_missed(&c2, -1);
	push(&w, 0, &c0);
	push(&w, 1, &c1);
	push(&w, 2, &c2);
	pipeline_feed_merge(&w.pipe, w.merge, UINT64_MAX);
	pipeline_finish(&w.pipe);
	CHECK_EQ(w.stats.total.lost, 1235);
	CHECK_EQ(w.pipe.lost_unknown, 1);
	CHECK_EQ(w.lost[0], 1235);
	world_free(&w);
}

TEST(pipeline_time_extend_and_big_pages)
{
	struct world w;
	struct fx_page c0;
	u8 b[128];
	int n = 0;

	world_init(&w, 3600 * 1000 * MS, 0);
	taskinfo_put(w.tasks, 9, 9, 0, "x");
	fx_page_init(&c0, 1);
	/* deltas beyond 2^27 ns need a time-extend record */
	while (fx_page_add(&c0, 1 + (u64)n * 500 * MS, b,
			   fx_sys_enter_recvfrom(b, 9, 3, 8, 0, 0)) == 0 &&
	       fx_page_add(&c0, 2 + (u64)n * 500 * MS, b,
			   fx_sys_exit(b, FX_EXIT_RECVFROM, 9, 1)) == 0)
		n++;
	push(&w, 0, &c0);
	pipeline_feed_merge(&w.pipe, w.merge, UINT64_MAX);
	pipeline_finish(&w.pipe);
	CHECK(n > 30);
	CHECK_EQ(proc(&w, 9)->total.calls, n);
	CHECK_EQ(proc(&w, 9)->total.lat_max, 1);
	world_free(&w);
}

/* "recvtop: start delay=NS" and "recvtop: delay NS" cut the intervals as
 * the live run did; a replay with its own -d ignores them */
static void run_marks(bool follow, struct world *w)
{
	struct fx_page c0;
	u8 b[128];

	world_init(w, 1000 * MS, 0);
	pipeline_follow_marks(&w->pipe, follow);
	fx_page_init(&c0, 0);
	fx_page_add(&c0, 0, b, fx_print(b, 1,
					"recvtop: start delay=100000000"));
	/* the delay changes during interval 2: from boundary 200 ms on */
	fx_page_add(&c0, 150 * MS, b, fx_print(b, 1, "recvtop: delay 50000000"));
	fx_page_add(&c0, 390 * MS, b, fx_unrelated(b, 2));
	fx_page_add(&c0, 395 * MS, b, fx_print(b, 1, "recvtop: stop"));
	push(w, 0, &c0);
	pipeline_feed_merge(&w->pipe, w->merge, UINT64_MAX);
	pipeline_finish(&w->pipe);
}

TEST(pipeline_follows_delay_markers)
{
	struct world w;

	run_marks(true, &w);
	/* 100, 200, then 50 ms steps: 250 300 350, then the stop at 395 */
	CHECK_EQ(w.intervals, 6);
	CHECK_EQ(w.ends[0], 100 * MS);
	CHECK_EQ(w.ends[1], 200 * MS);
	CHECK_EQ(w.ends[2], 250 * MS);
	CHECK_EQ(w.ends[4], 350 * MS);
	CHECK_EQ(w.ends[5], 395 * MS);
	world_free(&w);

	run_marks(false, &w);
	/* -d 1 s given to the replay: one partial interval */
	CHECK_EQ(w.intervals, 1);
	CHECK_EQ(w.ends[0], 395 * MS);
	world_free(&w);
}
