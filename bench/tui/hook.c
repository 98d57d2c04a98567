// SPDX-License-Identifier: GPL-2.0
/*
 * hook: what the TUI adds to the hot path, per event.
 *
 * Feeds the same recvfrom entry/return events (the tracepoint formats of
 * the unit fixture, 8 threads in 4 processes) through decode -> correlate
 * -> stats three times: without an event hook (batch), with the TUI's
 * recent-events ring, and with the ring plus an open drill-down watching
 * one process.  Prints ns per event, best of several rounds.
 *
 *   hook [-n EVENTS] [-r ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/pipeline.h"
#include "recvtop/tui_model.h"

#define NR_TIDS 8

static double run(struct tep_handle *tep, u8 (*payload)[64], u32 *len,
		  u32 n, int mode)
{
	struct decoder *dec = decoder_new(tep);
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct tui_events *ev = calloc(1, sizeof(*ev));
	struct stats st;
	struct correlator *corr;
	struct pipeline p;
	struct rt_raw raw;
	u64 t0, t1;

	for (int i = 0; i < NR_TIDS; i++)
		taskinfo_put(ti, 100 + i, 100 + i / 2, 0, "bench");
	if (!dec || !ti || !ev || stats_init(&st, ti, NULL))
		exit(1);
	corr = correlator_new(&st, false);
	pipeline_init(&p, dec, corr, &st, NSEC_PER_SEC, 0, NULL, NULL);
	ev->tasks = ti;
	if (mode >= 1)
		pipeline_set_event_hook(&p, tui_events_hook, ev);
	if (mode == 2) {
		struct tui_key k;

		memset(&k, 0, sizeof(k));
		k.view = TUI_PROCS;
		k.id = 101;
		tui_watch_start(ev, &k);
	}
	memset(&raw, 0, sizeof(raw));
	t0 = rt_now_mono_ns();
	for (u32 i = 0; i < n; i++) {
		raw.data = payload[i % (2 * NR_TIDS)];
		raw.size = len[i % (2 * NR_TIDS)];
		raw.ts = 1000000 + (u64)i * 500;
		raw.cpu = (int)(i & 1);
		pipeline_feed(&p, &raw);
	}
	t1 = rt_now_mono_ns();
	pipeline_finish(&p);
	if (st.total.calls != n / 2) {
		fprintf(stderr, "counted %llu calls, fed %u\n",
			(unsigned long long)st.total.calls, n / 2);
		exit(1);
	}
	correlator_free(corr);
	stats_free(&st);
	free(ev);
	taskinfo_free(ti);
	decoder_free(dec);
	return (double)(t1 - t0) / n;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
		"no hook (batch)", "TUI ring of recent events",
		"ring + drill-down watch open"
	};
	u32 n = 5000000, len[2 * NR_TIDS];
	int rounds = 5, opt;
	u8 payload[2 * NR_TIDS][64];
	struct tep_handle *tep = fixture_tep();

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			n = (u32)atoi(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else
			return 2;
	}
	n &= ~1u;
	if (!tep)
		return 1;
	/* entry, return, entry, return ... of thread 100 + (i / 2) % 8 */
	for (int i = 0; i < NR_TIDS; i++) {
		len[2 * i] = fx_sys_enter_recvfrom(payload[2 * i], 100 + i, 3 + i,
						   65536, 0, 0);
		len[2 * i + 1] = fx_sys_exit(payload[2 * i + 1],
					     FX_EXIT_RECVFROM, 100 + i, 64);
	}
	printf("%u events (recvfrom entry + return, %d threads), best of %d\n",
	       n, NR_TIDS, rounds);
	for (int mode = 0; mode < 3; mode++) {
		double best = 1e9;

		for (int r = 0; r < rounds; r++) {
			double v = run(tep, payload, len, n, mode);

			if (v < best)
				best = v;
		}
		printf("  %-32s %6.1f ns/event\n", names[mode], best);
	}
	tep_free(tep);
	return 0;
}
