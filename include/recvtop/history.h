/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_HISTORY_H
#define RECVTOP_HISTORY_H

#include "recvtop/pipeline.h"
#include "recvtop/stats.h"

/*
 * A replay's history: what each interval changed in every stats table,
 * so the view can step back and forth between intervals at once, without
 * reading the file again.
 *
 * The pipeline keeps counting into its own stats ("main"); after each
 * interval, history_record() keeps the rows it touched: their interval
 * counters (and latency buckets), and what cannot be subtracted (total
 * maximum, last seen, top process) as it stood after the interval, linked
 * to the row's previous entry.  A second stats ("view") is then moved to
 * any recorded interval by adding or taking away those changes; the views
 * draw from it.  Memory grows with the rows active per interval; past a
 * budget, recording stops and history_full() says so (the caller then
 * replays from the start to go back).
 */

struct history;

/* main: the pipeline's stats; view: an empty stats with the same caps */
struct history *history_new(struct stats *main, struct stats *view,
			    size_t budget_bytes);
void history_free(struct history *h);

/* after each interval of the pipeline (main's rows carry it in "last") */
int history_record(struct history *h, const struct rt_interval *iv);
/* intervals recorded (1..n) */
unsigned int history_count(const struct history *h);
const struct rt_interval *history_interval(const struct history *h,
					   unsigned int k);
/* the interval holding time ts (event time), 0 before the first */
unsigned int history_find(const struct history *h, u64 ts);
bool history_full(const struct history *h);
size_t history_bytes(const struct history *h);

/* put the view at interval k (0: nothing yet; k <= history_count) */
void history_show(struct history *h, unsigned int k);
unsigned int history_shown(const struct history *h);

#endif
