// SPDX-License-Identifier: GPL-2.0
/* The pipeline: decode -> correlate -> stats, and interval cutting. */
#include <string.h>

#include "recvtop/pipeline.h"

void pipeline_init(struct pipeline *p, struct decoder *dec,
		   struct correlator *corr, struct stats *stats,
		   u64 interval_ns, unsigned int max_intervals,
		   pipeline_interval_fn fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->dec = dec;
	p->corr = corr;
	p->stats = stats;
	p->interval_ns = interval_ns ? interval_ns : NSEC_PER_SEC;
	p->max_intervals = max_intervals;
	p->follow_marks = true;
	p->on_interval = fn;
	p->ctx = ctx;
}

void pipeline_set_interval(struct pipeline *p, u64 interval_ns)
{
	if (interval_ns)
		p->interval_ns = interval_ns;
}

void pipeline_follow_marks(struct pipeline *p, bool follow)
{
	p->follow_marks = follow;
}

void pipeline_set_event_hook(struct pipeline *p, pipeline_event_fn fn,
			     void *ctx)
{
	p->on_event = fn;
	p->event_ctx = ctx;
}

double pipeline_time(const struct pipeline *p, u64 ts)
{
	if (!p->have_t0 || ts < p->t0)
		return 0;
	return (double)(ts - p->t0) / 1e9;
}

u64 pipeline_next_boundary(const struct pipeline *p)
{
	return p->have_t0 ? p->next_boundary : UINT64_MAX;
}

static void emit(struct pipeline *p, u64 end_ts, bool final)
{
	struct rt_interval iv;
	u64 start = p->cut_ts;

	iv.nr = ++p->nr_intervals;
	iv.start_ts = start;
	iv.end_ts = end_ts;
	iv.time = pipeline_time(p, end_ts);
	iv.seconds = end_ts > start ? (double)(end_ts - start) / 1e9 : 0;
	iv.final = final;
	p->cut_ts = end_ts;
	stats_end_interval(p->stats, end_ts);
	if (p->on_interval)
		p->on_interval(p->ctx, p, &iv);
	if (p->max_intervals && p->nr_intervals >= p->max_intervals)
		p->done = true;
}

static void close_until(struct pipeline *p, u64 ts)
{
	while (!p->done && ts >= p->next_boundary) {
		u64 end = p->next_boundary;

		p->next_boundary += p->interval_ns;
		emit(p, end, false);
	}
}

static void set_t0(struct pipeline *p, u64 ts)
{
	p->t0 = ts;
	p->cut_ts = ts;
	p->next_boundary = ts + p->interval_ns;
	p->stats->ival_start = ts;
}

void pipeline_feed(struct pipeline *p, const struct rt_raw *raw)
{
	struct rt_event ev;
	enum rt_event_kind kind = RT_EV_NONE;

	if (p->done || p->stopped)
		return;
	if (raw->data) {
		ev.ts = raw->ts;
		ev.cpu = raw->cpu;
		kind = decode_event(p->dec, raw->data, raw->size, &ev);
	}

	if (!p->have_t0) {
		p->have_t0 = true;
		p->first_ts = raw->ts;
		set_t0(p, raw->ts);
	}
	if (kind == RT_EV_MARKER && ev.marker.what == RT_MARK_START &&
	    !p->t0_from_marker && !p->nr_intervals) {
		/* the few events before the marker stay in interval 1 */
		p->t0_from_marker = true;
		if (p->follow_marks && ev.marker.value)
			p->interval_ns = ev.marker.value;
		set_t0(p, raw->ts);
	}
	close_until(p, raw->ts);
	if (p->done)
		return;
	if (raw->ts > p->last_ts)
		p->last_ts = raw->ts;

	if (raw->missed) {
		u64 n = raw->missed > 0 ? (u64)raw->missed : 1;

		if (raw->missed < 0)
			p->lost_unknown++;
		p->lost += n;
		stats_add_lost(p->stats, n);
		/* pairs that straddle the gap cannot be trusted */
	}
	p->events++;
	switch (kind) {
	case RT_EV_NONE:
	case RT_EV_OTHER:
		return;
	case RT_EV_MARKER:
		if (ev.marker.what == RT_MARK_STOP) {
			p->stopped = true;
			p->stop_ts = raw->ts;
		} else if (ev.marker.what == RT_MARK_DELAY && p->follow_marks) {
			pipeline_set_interval(p, ev.marker.value);
		} else if (ev.marker.what == RT_MARK_FD) {
			correlate_event(p->corr, &ev);
		}
		return;
	case RT_EV_TASK_NEW:
		stats_add_events(p->stats, 1);
		taskinfo_task_new(p->stats->tasks, ev.tid, ev.task_new.pid,
				  ev.task_new.clone_flags, ev.task_new.comm);
		stats_task_changed(p->stats, ev.task_new.pid);
		break;
	case RT_EV_TASK_RENAME:
		stats_add_events(p->stats, 1);
		if (taskinfo_task_rename(p->stats->tasks, ev.task_rename.pid,
					 ev.task_rename.comm))
			stats_tasks_changed(p->stats);
		break;
	case RT_EV_CGROUP_ATTACH:
		stats_add_events(p->stats, 1);
		if (ev.cgroup_attach.root == 0 &&
		    taskinfo_cgroup_attach(p->stats->tasks,
					   ev.cgroup_attach.pid,
					   ev.cgroup_attach.path,
					   ev.cgroup_attach.path_len))
			stats_task_changed(p->stats, ev.cgroup_attach.pid);
		break;
	case RT_EV_CGROUP_DIR:
		stats_add_events(p->stats, 1);
		if (ev.cgroup_dir.root == 0) {
			u32 c = taskinfo_cgroup_scope(p->stats->tasks,
						      ev.cgroup_dir.path,
						      ev.cgroup_dir.path_len);

			if (c)
				stats_set_cont_stopped(p->stats, c,
						       ev.cgroup_dir.removed);
		}
		break;
	case RT_EV_NETNS_ENTER:
		stats_add_events(p->stats, 1);
		taskinfo_netns_enter(p->stats->tasks, ev.tid,
				     ev.netns_enter.sure);
		break;
	case RT_EV_NETNS_EXIT:
		stats_add_events(p->stats, 1);
		if (taskinfo_netns_exit(p->stats->tasks, ev.tid, ev.exit.ret))
			stats_task_changed(p->stats, ev.tid);
		break;
	default:
		stats_add_events(p->stats, 1);
		correlate_event(p->corr, &ev);
		if (p->on_event)
			p->on_event(p->event_ctx, &ev);
	}
}

u64 pipeline_feed_merge(struct pipeline *p, struct cpu_merge *m,
			u64 watermark)
{
	struct rt_raw raw;
	u64 n = 0;

	while (merge_next(m, watermark, &raw)) {
		pipeline_feed(p, &raw);
		n++;
	}
	return n;
}

void pipeline_advance(struct pipeline *p, u64 watermark)
{
	if (!p->have_t0 || p->stopped)
		return;
	close_until(p, watermark);
}

void pipeline_finish(struct pipeline *p)
{
	u64 end;
	u64 start;

	if (!p->have_t0 || p->done)
		return;
	end = p->stopped ? p->stop_ts : p->last_ts;
	start = p->cut_ts;
	/* boundaries the data reached but no event crossed */
	close_until(p, end);
	if (p->done)
		return;
	if (end > start || !p->nr_intervals)
		emit(p, end > start ? end : start, true);
	p->done = true;
}
