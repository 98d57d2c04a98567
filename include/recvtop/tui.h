/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TUI_H
#define RECVTOP_TUI_H

#include <stddef.h>

#include "recvtop/batch.h"
#include "recvtop/cli.h"
#include "recvtop/pipeline.h"

/*
 * The live ncurses view.  Two threads: the run's own thread keeps reading
 * and counting and, after each interval, copies the table on screen into
 * a snapshot; a terminal thread owns ncurses, reads keys and draws
 * snapshots.  Drawing, or a terminal that does not take its output, never
 * holds up the reading of the trace buffers.
 *
 * A live run uses tui_attach_run().  Another driver (replay) binds a
 * pipeline and calls tui_interval() after each interval and tui_wake()
 * at least every 100 ms (and when tui_wake_fd() is readable).
 */

struct tui;
struct run;

/*
 * The header's source (e.g. the file replayed) and, for a replay, the
 * position ("12.3s/60.0s [=====-----] 10x playing"); run thread
 */
typedef void (*tui_source_fn)(void *ctx, char *src, size_t srclen,
			      char *pos, size_t poslen);

/* TUI when stdout is a terminal and neither --batch nor --json is given */
bool tui_wanted(const struct rt_options *o);

struct tui *tui_new(const struct rt_options *o);
void tui_free(struct tui *t);

/*
 * The data: a pipeline (after pipeline_init), what the run found, and
 * the source.  live: the header's clock runs from started_ns (monotonic);
 * otherwise it shows the data's own time.
 */
void tui_bind(struct tui *t, struct pipeline *p,
	      const struct rt_run_info *info, struct taskinfo *tasks,
	      bool live, u64 started_ns);
void tui_set_source(struct tui *t, tui_source_fn fn, void *ctx);
/*
 * How a new delay (key d) takes effect, on the run thread; default: the
 * pipeline's, from the next boundary on.  A live run writes a marker
 * instead, so a recording replays with the same intervals.
 */
typedef void (*tui_delay_fn)(void *ctx, u64 delay_ns);
void tui_set_delay_fn(struct tui *t, tui_delay_fn fn, void *ctx);

/* Take the terminal and start the terminal thread; 0 or -1 (printed) */
int tui_start(struct tui *t);
/* After each interval (the pipeline's interval callback) */
void tui_interval(struct tui *t, const struct rt_interval *iv);
/* the header changed (a replay's position): publish at the next wake */
void tui_refresh(struct tui *t);
/* On every wake-up of the driver's loop; < 0: the user quit */
int tui_wake(struct tui *t, bool fd_ready);
int tui_wake_fd(const struct tui *t);
/* Give the terminal back (also after errors); safe to call twice */
void tui_stop(struct tui *t);

/* ---- replay ---- */

/* draw from this stats instead of the pipeline's (a replay's view) */
void tui_set_stats(struct tui *t, const struct stats *st);
/* drill-down events: only those up to this event time (0: all) */
void tui_set_events_until(struct tui *t, u64 ts);

/* a time control the user asked for (keys space + - [ ] { } g) */
struct tui_replay_req {
	int cmd;		/* enum tui_replay_cmd */
	bool abs;		/* seek: secs is an event time */
	double secs;		/* seek: from the start, or the event time */
};
/* the next one, oldest first; false when none is waiting (run thread) */
bool tui_replay_next(struct tui *t, struct tui_replay_req *req);

/* A live run: its view hooks become the TUI; after run_setup() */
void tui_attach_run(struct tui *t, struct run *r);

#endif
