// SPDX-License-Identifier: GPL-2.0
/* Replay: a recording in the live views, with time controls. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recvtop/file_run.h"
#include "recvtop/history.h"
#include "recvtop/replay.h"
#include "recvtop/signals.h"
#include "recvtop/tui.h"
#include "recvtop/tui_screen.h"

/* the history may take this much memory before stepping back restarts */
#define HISTORY_BUDGET (512ULL << 20)
/* a loop wakes at least this often; at "max" speed it reads this long */
#define TICK_MS 40
/* while playing, the header's position is redrawn this often */
#define POSITION_EVERY_NS (250 * NSEC_PER_MSEC)
/* events read between looks at the clock and the keys */
#define FEED_BATCH 20000

static const double speeds[] = { 1, 2, 10, 100, 0 };	/* 0: max */

struct replay {
	const struct rt_options *o;
	struct file_run fr;
	bool open;
	bool eof;		/* the data has ended (and the pipeline) */
	struct stats view;
	bool view_ok;
	struct history *hist;
	bool no_history;	/* budget spent: the view is the pipeline's */
	unsigned int shown;	/* interval on screen (no_history: fr's) */
	struct tui *tui;
	struct batch_out out;
	/* playback */
	bool playing;
	double speed;		/* 0: as fast as possible */
	u64 vt;			/* play position, event time */
	u64 vt_ref, wall_ref;
	u64 refreshed;		/* when the position was last published */
	int status;
};

/* ---- batch ---- */

static void batch_interval(void *ctx, struct pipeline *p,
			   const struct rt_interval *iv)
{
	struct replay *r = ctx;

	batch_print_interval(&r->out, p, iv);
	/* --speed paces the lines as the recording went */
	if (r->speed > 0 && iv->seconds > 0) {
		double s = iv->seconds / r->speed;
		struct timespec ts = {
			.tv_sec = (time_t)s,
			.tv_nsec = (long)((s - floor(s)) * 1e9),
		};

		while (nanosleep(&ts, &ts) && errno == EINTR &&
		       !rt_stop_requested)
			;
	}
}

static int replay_batch(struct replay *r)
{
	const struct rt_options *o = r->o;
	int status;

	r->out.f = stdout;
	r->out.json = o->json;
	r->speed = o->speed_set ? o->speed : 0;
	status = file_run_open(&r->fr, o, o->iterations, batch_interval, r);
	if (status)
		return status;
	r->open = true;
	r->out.info = &r->fr.info;
	do {
		status = file_run_feed(&r->fr, UINT64_MAX, 0);
	} while (!status && !rt_stop_requested);
	if (status == 1 || (rt_stop_requested && !status)) {
		/* Ctrl-C: the summary of what was read */
		if (!r->fr.pipe.done)
			pipeline_finish(&r->fr.pipe);
		batch_print_summary(&r->out, &r->fr.pipe);
		status = 0;
	}
	if (!status && r->out.write_error && !rt_output_broken) {
		rt_err("writing the output failed: %s", strerror(errno));
		status = RT_EXIT_RUNTIME;
	}
	batch_free(&r->out);
	return status;
}

/* ---- the TUI ---- */

static u64 now_ns(void)
{
	return rt_now_mono_ns();
}

static void record_interval(void *ctx, struct pipeline *p,
			    const struct rt_interval *iv)
{
	struct replay *r = ctx;

	(void)p;
	if (!r->no_history && history_record(r->hist, iv))
		r->no_history = true;
}

static u64 t0_of(const struct replay *r)
{
	return r->fr.pipe.have_t0 ? r->fr.pipe.t0 :
	       file_source_first_ts(r->fr.fs);
}

static u64 last_of(const struct replay *r)
{
	u64 last = file_source_last_ts(r->fr.fs);

	return r->eof && r->fr.pipe.stopped ? r->fr.pipe.stop_ts : last;
}

/* intervals the view can show */
static unsigned int known(const struct replay *r)
{
	return r->no_history ? r->fr.pipe.nr_intervals :
	       history_count(r->hist);
}

/* read on until interval k is complete (or the data ends) */
static int read_to(struct replay *r, unsigned int k)
{
	while (!r->eof && r->fr.pipe.nr_intervals < k) {
		int st = file_run_feed(&r->fr, UINT64_MAX, 1);

		if (st < 0 || st > 1)
			return st;
		if (st == 1)
			r->eof = true;
		if (rt_stop_requested)
			return 0;
	}
	return 0;
}

/*
 * Back to interval k without a history: read the recording again from
 * its start, stopping after interval k (the totals need every event
 * before it).
 */
static int restart_to(struct replay *r, unsigned int k)
{
	int status;

	file_run_close(&r->fr);
	r->open = false;
	status = file_run_open(&r->fr, r->o, k ? k : 1, NULL, NULL);
	if (status)
		return status;
	r->open = true;
	r->eof = false;
	tui_bind(r->tui, &r->fr.pipe, &r->fr.info, r->fr.tasks, false, 0);
	tui_set_stats(r->tui, NULL);
	status = read_to(r, k ? k : 1);
	/* the limit is only for getting here: read on from here later */
	r->fr.pipe.max_intervals = 0;
	r->fr.pipe.done = false;
	r->eof = false;
	return status;
}

/* put the view at interval k */
static int show(struct replay *r, unsigned int k)
{
	int status = 0;

	if (k > known(r))
		status = read_to(r, k);
	if (status)
		return status;
	if (k > known(r))
		k = known(r);
	if (r->no_history) {
		if (k < r->fr.pipe.nr_intervals)
			status = restart_to(r, k);
		r->shown = r->fr.pipe.nr_intervals;
	} else {
		history_show(r->hist, k);
		r->shown = k;
	}
	if (r->shown) {
		const struct rt_interval *iv = r->no_history ? NULL :
					       history_interval(r->hist, r->shown);
		struct rt_interval cur;

		if (!iv) {
			memset(&cur, 0, sizeof(cur));
			cur.nr = r->fr.pipe.nr_intervals;
			cur.end_ts = r->fr.pipe.cut_ts;
			cur.time = pipeline_time(&r->fr.pipe, cur.end_ts);
			iv = &cur;
		}
		tui_interval(r->tui, iv);
		tui_set_events_until(r->tui, iv->end_ts);
	} else {
		struct rt_interval none;

		memset(&none, 0, sizeof(none));
		none.end_ts = t0_of(r);
		tui_interval(r->tui, &none);
		tui_set_events_until(r->tui, t0_of(r));
	}
	return 0;
}

static u64 shown_end(const struct replay *r)
{
	const struct rt_interval *iv;

	if (!r->shown)
		return t0_of(r);
	if (r->no_history)
		return r->fr.pipe.cut_ts;
	iv = history_interval(r->hist, r->shown);
	return iv ? iv->end_ts : t0_of(r);
}

static void set_ref(struct replay *r)
{
	r->wall_ref = now_ns();
	r->vt_ref = r->vt;
}

static bool at_end(const struct replay *r)
{
	return r->eof && r->shown >= known(r);
}

static void change_speed(struct replay *r, int dir)
{
	int n = (int)ARRAY_SIZE(speeds), i;

	/* the position of the current speed in the list (max last) */
	for (i = 0; i < n; i++) {
		double s = speeds[i];

		if (r->speed == 0 ? s == 0 : s != 0 && s >= r->speed)
			break;
	}
	if (i == n)
		i = n - 1;
	if (dir > 0 && speeds[i] == r->speed && i < n - 1)
		i++;
	else if (dir < 0 && i > 0 && (speeds[i] == r->speed || r->speed == 0 ||
				     speeds[i] > r->speed))
		i--;
	r->speed = speeds[i];
	set_ref(r);
}

/* the interval holding event time ts, reading on as far as needed */
static int find_interval(struct replay *r, u64 ts, unsigned int *k)
{
	const struct pipeline *p = &r->fr.pipe;

	while (!r->eof && (!p->have_t0 || p->cut_ts < ts)) {
		int st = read_to(r, p->nr_intervals + 1);

		if (st)
			return st;
		if (rt_stop_requested)
			return 0;
	}
	if (!r->no_history) {
		*k = history_find(r->hist, ts);
		return 0;
	}
	*k = 0;
	while (*k < p->nr_intervals && t0_of(r) + (u64)(*k) * p->interval_ns < ts)
		(*k)++;
	return 0;
}

static int handle(struct replay *r, const struct tui_replay_req *q)
{
	unsigned int k = 0;
	int st = 0;

	switch (q->cmd) {
	case TUI_RP_PLAY:
		if (!r->playing && at_end(r)) {
			st = show(r, 0);
			r->vt = t0_of(r);
		}
		r->playing = !r->playing;
		set_ref(r);
		break;
	case TUI_RP_FASTER:
		change_speed(r, 1);
		break;
	case TUI_RP_SLOWER:
		change_speed(r, -1);
		break;
	case TUI_RP_FORWARD:
		r->playing = false;
		st = show(r, r->shown + 1);
		r->vt = shown_end(r);
		break;
	case TUI_RP_BACK:
		r->playing = false;
		st = show(r, r->shown ? r->shown - 1 : 0);
		r->vt = shown_end(r);
		break;
	case TUI_RP_START:
		st = show(r, 0);
		r->vt = t0_of(r);
		set_ref(r);
		break;
	case TUI_RP_END:
		st = read_to(r, UINT32_MAX);
		if (!st)
			st = show(r, known(r));
		r->vt = shown_end(r);
		r->playing = false;
		break;
	case TUI_RP_SEEK: {
		double ns = q->secs * 1e9;
		u64 ts = q->abs ? (u64)ns : t0_of(r) + (u64)ns;

		st = find_interval(r, ts, &k);
		if (!st)
			st = show(r, k);
		r->vt = ts < t0_of(r) ? t0_of(r) : ts;
		set_ref(r);
		break;
	}
	default:
		break;
	}
	return st;
}

/* playing: the intervals whose end the play position has passed */
static int advance(struct replay *r)
{
	u64 start = now_ns();
	int st = 0;

	if (!r->playing)
		return 0;
	if (r->speed == 0) {
		/* as fast as possible, but back to the keys every tick */
		while (!at_end(r) && now_ns() - start < TICK_MS * NSEC_PER_MSEC &&
		       !rt_stop_requested) {
			st = show(r, r->shown + 1);
			if (st)
				return st;
		}
		r->vt = shown_end(r);
	} else {
		u64 wall = now_ns() - r->wall_ref;

		r->vt = r->vt_ref + (u64)((double)wall * r->speed);
		while (!at_end(r) && !rt_stop_requested &&
		       now_ns() - start < TICK_MS * NSEC_PER_MSEC) {
			unsigned int next = r->shown + 1;
			u64 end;

			if (next > known(r)) {
				st = read_to(r, next);
				if (st)
					return st;
				if (next > known(r))
					break;
			}
			end = r->no_history ? r->fr.pipe.cut_ts :
			      history_interval(r->hist, next)->end_ts;
			if (end > r->vt)
				break;
			st = show(r, next);
			if (st)
				return st;
		}
	}
	if (at_end(r)) {
		r->playing = false;
		r->vt = last_of(r);
	}
	return 0;
}

/* the header's source (the file) and position: time, bar, speed, state */
static void source_text(void *ctx, char *src, size_t srclen, char *pos,
			size_t poslen)
{
	struct replay *r = ctx;
	u64 t0 = t0_of(r), end = last_of(r);
	u64 at_ts = r->vt < t0 ? t0 : r->vt;
	double dur = end > t0 ? (double)(end - t0) / 1e9 : 0;
	double at = (double)(at_ts - t0) / 1e9;
	char bar[16], speed[16];
	int fill;

	if (at > dur)
		at = dur;
	fill = dur > 0 ? (int)(at / dur * 10 + 0.5) : 0;
	for (int i = 0; i < 10; i++)
		bar[i] = i < fill ? '=' : '-';
	bar[10] = 0;
	if (r->speed == 0)
		snprintf(speed, sizeof(speed), "max");
	else
		snprintf(speed, sizeof(speed), "%gx", r->speed);
	snprintf(src, srclen, "%s", r->fr.path);
	snprintf(pos, poslen, "%.1fs/%.1fs [%s] %s %s", at, dur, bar, speed,
		 r->playing ? "playing" : at_end(r) ? "end" : "paused");
}

static int replay_tui(struct replay *r)
{
	const struct rt_options *o = r->o;
	int status;

	r->speed = o->speed_set ? o->speed : 1;
	status = file_run_open(&r->fr, o, 0, record_interval, r);
	if (status)
		return status;
	r->open = true;
	if (stats_init(&r->view, r->fr.tasks, NULL)) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	r->view_ok = true;
	r->hist = history_new(&r->fr.stats, &r->view, HISTORY_BUDGET);
	r->tui = tui_new(o);
	if (!r->hist || !r->tui) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	tui_bind(r->tui, &r->fr.pipe, &r->fr.info, r->fr.tasks, false, 0);
	tui_set_stats(r->tui, &r->view);
	tui_set_source(r->tui, source_text, r);
	if (tui_start(r->tui))
		return RT_EXIT_RUNTIME;
	r->vt = t0_of(r);
	r->playing = true;
	set_ref(r);
	show(r, 0);

	while (!rt_stop_requested) {
		u64 now;
		struct pollfd pfd = { .fd = tui_wake_fd(r->tui),
				      .events = POLLIN };
		struct tui_replay_req q;
		bool ready;
		int st;

		ready = poll(&pfd, 1, r->playing && r->speed == 0 ? 0 :
			     TICK_MS) > 0;
		if (tui_wake(r->tui, ready) < 0)
			break;
		while (tui_replay_next(r->tui, &q)) {
			st = handle(r, &q);
			if (st)
				return st;
			tui_refresh(r->tui);
		}
		st = advance(r);
		if (st)
			return st;
		now = now_ns();
		if (r->playing && now - r->refreshed > POSITION_EVERY_NS) {
			tui_refresh(r->tui);
			r->refreshed = now;
		}
		if (r->no_history && r->view_ok) {
			/* the budget ran out: draw the pipeline's own stats */
			tui_set_stats(r->tui, NULL);
		}
	}
	return 0;
}

int replay_run(const struct rt_options *o)
{
	struct replay r;
	int status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	signals_install();
	if (tui_wanted(o))
		status = replay_tui(&r);
	else
		status = replay_batch(&r);
	if (r.tui) {
		tui_stop(r.tui);
		tui_free(r.tui);
	}
	history_free(r.hist);
	if (r.view_ok)
		stats_free(&r.view);
	if (r.open)
		file_run_close(&r.fr);
	if (rt_output_broken)
		signals_die_of_sigpipe();
	return status;
}
