// SPDX-License-Identifier: GPL-2.0
/*
 * pipebench: the hot path (merge -> decode -> correlate -> stats) on
 * synthetic ring-buffer pages, so its cost can be counted exactly
 * (valgrind --tool=callgrind) independent of machine load.
 *
 *   pipebench [EVENTS] [CPUS] [THREADS] [kprobe]
 *
 * Builds EVENTS events of recvfrom traffic (entry/return pairs, plus the
 * sender address on the kprobe backend) from THREADS threads spread over
 * CPUS per-CPU buffers, then times their processing and prints ns/event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/pipeline.h"

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

struct cpu_pages {
	struct fx_page *pages;
	size_t nr, cap;
	u64 ts;
};

static struct fx_page *cur_page(struct cpu_pages *c)
{
	if (!c->nr || c->nr == c->cap) {
		if (c->nr == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->pages = realloc(c->pages, c->cap * sizeof(*c->pages));
		}
		fx_page_init(&c->pages[c->nr++], c->ts);
	}
	return &c->pages[c->nr - 1];
}

static void add(struct cpu_pages *c, const u8 *b, u32 len)
{
	c->ts += 150;
	if (fx_page_add(cur_page(c), c->ts, b, len)) {
		if (c->nr == c->cap) {
			c->cap *= 2;
			c->pages = realloc(c->pages, c->cap * sizeof(*c->pages));
		}
		fx_page_init(&c->pages[c->nr++], c->ts);
		fx_page_add(&c->pages[c->nr - 1], c->ts, b, len);
	}
}

int main(int argc, char **argv)
{
	long events = argc > 1 ? atol(argv[1]) : 2000000;
	int cpus = argc > 2 ? atoi(argv[2]) : 2;
	int threads = argc > 3 ? atoi(argv[3]) : 8;
	int kprobe = argc > 4 && !strcmp(argv[4], "kprobe");
	struct cpu_pages *cp = calloc((size_t)cpus, sizeof(*cp));
	struct tep_handle *tep = fixture_tep();
	struct decoder *dec = decoder_new(tep);
	struct cpu_merge *m = merge_new(tep, cpus, FX_PAGE);
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats st;
	struct correlator *corr;
	struct pipeline p;
	long made = 0;
	u64 t0, t1, pages = 0;
	u8 b[128];

	stats_init(&st, ti, NULL);
	corr = correlator_new(&st, true);
	pipeline_init(&p, dec, corr, &st, 1000000000ULL, 0, NULL, NULL);
	for (int t = 0; t < threads; t++)
		taskinfo_put(ti, 1000 + t, 1000 + t % 4, 0, "bench");
	for (int c = 0; c < cpus; c++)
		cp[c].ts = 1000;

	while (made < events) {
		for (int t = 0; t < threads && made < events; t++) {
			struct cpu_pages *c = &cp[t % cpus];
			int tid = 1000 + t;

			add(c, b, kprobe ? fx_k_recvfrom(b, tid, 3, 1500, 0,
							 0x7ff0) :
				  fx_sys_enter_recvfrom(b, tid, 3, 1500, 0,
							0x7ff0));
			made++;
			if (kprobe) {
				add(c, b, fx_k_addr4(b, tid, 16, "10.0.0.1",
						     (u16)(4000 + t)));
				made++;
			}
			/* the return lands on the next CPU: a migration */
			c = &cp[(t + 1) % cpus];
			if (c->ts < cp[t % cpus].ts)
				c->ts = cp[t % cpus].ts;
			add(c, b, kprobe ? fx_k_ret(b, FX_K_RECVFROM_RET, tid,
						    64) :
				  fx_sys_exit(b, FX_EXIT_RECVFROM, tid, 64));
			made++;
		}
	}

	t0 = now_ns();
	for (int c = 0; c < cpus; c++) {
		for (size_t i = 0; i < cp[c].nr; i++) {
			void *buf = merge_page_buf(m);

			memcpy(buf, cp[c].pages[i].data, FX_PAGE);
			merge_commit_page(m, c, buf);
			pages++;
		}
	}
	pipeline_feed_merge(&p, m, UINT64_MAX);
	pipeline_finish(&p);
	t1 = now_ns();

	printf("events %ld pages %llu cpus %d threads %d backend %s: "
	       "%.1f ns/event, calls %llu, unpaired %llu\n", made,
	       (unsigned long long)pages, cpus, threads,
	       kprobe ? "kprobe" : "tracepoint",
	       (double)(t1 - t0) / (double)made,
	       (unsigned long long)st.total.calls,
	       (unsigned long long)st.total.unpaired);
	correlator_free(corr);
	stats_free(&st);
	taskinfo_free(ti);
	merge_free(m);
	decoder_free(dec);
	tep_free(tep);
	for (int c = 0; c < cpus; c++)
		free(cp[c].pages);
	free(cp);
	return 0;
}
