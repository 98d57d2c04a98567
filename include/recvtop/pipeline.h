/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_PIPELINE_H
#define RECVTOP_PIPELINE_H

#include "recvtop/common.h"
#include "recvtop/correlate.h"
#include "recvtop/decode.h"
#include "recvtop/merge.h"
#include "recvtop/stats.h"

/*
 * decode -> correlate -> stats, with intervals cut from the events' own
 * timestamps: the run starts at recvtop's "start" marker (or the first
 * event of a file without one), interval k ends at t0 + k * delay, and the
 * run ends at the "stop" marker (or the last event).  Live and replay feed
 * the same events in the same order, so they cut the same intervals and
 * count the same numbers.
 */

struct rt_interval {
	unsigned int nr;	/* 1, 2, ... */
	u64 start_ts, end_ts;
	double time;		/* seconds from the start to end_ts */
	double seconds;		/* length of this interval */
	bool final;		/* the last, possibly partial, interval */
};

struct pipeline;
/* called after the interval was folded: rows carry it in "last" */
typedef void (*pipeline_interval_fn)(void *ctx, struct pipeline *p,
				     const struct rt_interval *iv);
/* called for every typed event after correlate (the TUI's recent events) */
typedef void (*pipeline_event_fn)(void *ctx, const struct rt_event *ev);

struct pipeline {
	struct decoder *dec;
	struct correlator *corr;
	struct stats *stats;
	u64 interval_ns;
	unsigned int max_intervals;	/* 0: no limit */
	pipeline_interval_fn on_interval;
	void *ctx;

	bool have_t0;
	bool t0_from_marker;
	u64 t0;
	u64 cut_ts;			/* where the current interval began */
	bool follow_marks;		/* take the delay from recvtop's markers */
	u64 next_boundary;
	unsigned int nr_intervals;
	bool done;			/* -n reached: ignore the rest */
	bool stopped;			/* stop marker seen */
	u64 stop_ts;
	u64 first_ts, last_ts;
	u64 events;			/* every record fed, any kind */
	u64 lost;
	u64 lost_unknown;		/* pages that lost an unknown number */
	pipeline_event_fn on_event;	/* NULL: none (the usual case) */
	void *event_ctx;
};

void pipeline_init(struct pipeline *p, struct decoder *dec,
		   struct correlator *corr, struct stats *stats,
		   u64 interval_ns, unsigned int max_intervals,
		   pipeline_interval_fn fn, void *ctx);
/* one raw event, in timestamp order */
void pipeline_feed(struct pipeline *p, const struct rt_raw *raw);
/* every event of m up to watermark; returns the number fed */
u64 pipeline_feed_merge(struct pipeline *p, struct cpu_merge *m,
			u64 watermark);
/* no event older than watermark will come: close intervals up to it */
void pipeline_advance(struct pipeline *p, u64 watermark);
/* end of data: emit the last partial interval */
void pipeline_finish(struct pipeline *p);
/*
 * Cut intervals of interval_ns from the next boundary on: the interval
 * under way keeps its length.  Boundaries stay event times, so the same
 * call at the same point of the data cuts the same intervals.
 */
void pipeline_set_interval(struct pipeline *p, u64 interval_ns);
/*
 * Take the delay from the data: "recvtop: start delay=NS" sets the first
 * interval, "recvtop: delay NS" changes it from the next boundary on, as
 * the live run did (the default; a replay with -d turns it off).
 */
void pipeline_follow_marks(struct pipeline *p, bool follow);
/* see every typed event after correlate; the hook must not allocate */
void pipeline_set_event_hook(struct pipeline *p, pipeline_event_fn fn,
			     void *ctx);
/* seconds since the start for an event time */
double pipeline_time(const struct pipeline *p, u64 ts);
/* the event time where the next interval will end (UINT64_MAX: none yet) */
u64 pipeline_next_boundary(const struct pipeline *p);

#endif
