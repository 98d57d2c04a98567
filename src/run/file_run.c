// SPDX-License-Identifier: GPL-2.0
/* A recording read through the pipeline (report, replay). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/file_run.h"
#include "recvtop/signals.h"

static int setup(struct file_run *fr, unsigned int max_intervals,
		 pipeline_interval_fn fn, void *ctx, char *err, size_t errlen)
{
	const struct rt_options *o = fr->o;
	const char *backend, *v;
	bool mm_access;
	int n;

	fr->dec = decoder_new(file_source_tep(fr->fs));
	fr->tasks = taskinfo_new(RT_TASKS_STORED);
	if (!fr->dec || !fr->tasks) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	if (file_source_check_span(fr->fs, o->delay_ns, err, errlen))
		return RT_EXIT_USAGE;
	if (!decoder_has_recv(fr->dec) && !decoder_has_mem(fr->dec)) {
		snprintf(err, errlen, "holds no receive or memory-reader events "
			 "(record sys_enter/sys_exit_recvfrom, or use recvtop "
			 "record)");
		return RT_EXIT_USAGE;
	}
	if (file_source_load_tasks(fr->fs, fr->tasks, err, errlen) < 0)
		return RT_EXIT_USAGE;
	if (stats_init(&fr->stats, fr->tasks, NULL)) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	fr->stats_ok = true;
	if ((o->nr_pids && stats_set_pid_filter(&fr->stats, o->pids,
						o->nr_pids)) ||
	    (o->comm && stats_set_comm_filter(&fr->stats, o->comm)) ||
	    stats_set_container_filter(&fr->stats, o->cgroup, o->container)) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	backend = file_source_recvtop_value(fr->fs, "backend");
	if (!backend || (strcmp(backend, "kprobe") &&
			 strcmp(backend, "tracepoint") &&
			 strcmp(backend, "sock")))
		backend = decoder_backend(fr->dec);
	if (!backend)
		backend = "tracepoint";
	fr->info.backend = !strcmp(backend, "kprobe") ? "kprobe" :
			   !strcmp(backend, "sock") ? "sock" : "tracepoint";
	fr->info.peers_visible = decoder_has_addr(fr->dec);
	fr->info.senders_user = decoder_has_uaddr(fr->dec);
	fr->info.conns_visible = decoder_has_conn(fr->dec);
	fr->info.source = fr->path;
	v = file_source_recvtop_value(fr->fs, "mm_access");
	mm_access = v ? !strcmp(v, "1") : decoder_has_addr(fr->dec) &&
					  !decoder_has_uaddr(fr->dec);
	fr->corr = correlator_new(&fr->stats, mm_access);
	if (!fr->corr) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	correlator_set_sock(fr->corr, decoder_has_sock(fr->dec));
	correlator_set_uprobes(fr->corr, decoder_has_uaddr(fr->dec));
	n = file_source_load_conns(fr->fs, correlator_conns(fr->corr), err,
				   errlen);
	if (n < 0)
		return RT_EXIT_USAGE;
	fr->info.start_conns = (u32)n;
	fr->info.have_kernel_lost = file_source_kernel_lost(fr->fs,
							    &fr->info.kernel_lost);
	v = file_source_recvtop_value(fr->fs, "probe_missed");
	if (v) {
		fr->info.have_probe_missed = true;
		fr->info.probe_missed = strtoull(v, NULL, 10);
	}
	pipeline_init(&fr->pipe, fr->dec, fr->corr, &fr->stats, o->delay_ns,
		      max_intervals, fn, ctx);
	/* -d given: the user's intervals, not the recording's */
	pipeline_follow_marks(&fr->pipe, !o->delay_set);
	return 0;
}

int file_run_open(struct file_run *fr, const struct rt_options *o,
		  unsigned int max_intervals, pipeline_interval_fn fn,
		  void *ctx)
{
	char err[512] = "";
	int status;

	memset(fr, 0, sizeof(*fr));
	fr->o = o;
	fr->path = o->input ? o->input : RT_DEFAULT_INPUT;
	fr->fs = file_source_open(fr->path, err, sizeof(err));
	if (!fr->fs) {
		rt_err("%s: %s", fr->path, err);
		return RT_EXIT_USAGE;
	}
	status = setup(fr, max_intervals, fn, ctx, err, sizeof(err));
	if (status) {
		rt_err("%s: %s", fr->path, err);
		file_run_close(fr);
	}
	return status;
}

void file_run_close(struct file_run *fr)
{
	correlator_free(fr->corr);
	if (fr->stats_ok)
		stats_free(&fr->stats);
	taskinfo_free(fr->tasks);
	decoder_free(fr->dec);
	file_source_close(fr->fs);
	fr->corr = NULL;
	fr->stats_ok = false;
	fr->tasks = NULL;
	fr->dec = NULL;
	fr->fs = NULL;
}

int file_run_feed(struct file_run *fr, u64 until, u64 max_events)
{
	struct rt_raw raw;
	u64 n = 0;
	bool done;

	while (!fr->pipe.done && !rt_stop_requested &&
	       (!max_events || n < max_events)) {
		if (file_source_next(fr->fs, until, &raw) != 1)
			break;
		pipeline_feed(&fr->pipe, &raw);
		/* the stop marker ends the data as the live run saw it */
		if (fr->pipe.stopped)
			break;
		n++;
	}
	/* peeking may read (and check) the next page */
	done = fr->pipe.done || fr->pipe.stopped ||
	       (!rt_stop_requested && file_source_peek_ts(fr->fs) == UINT64_MAX);
	if (file_source_error(fr->fs)) {
		rt_err("%s: %s", fr->path, file_source_error(fr->fs));
		return RT_EXIT_USAGE;
	}
	if (!done)
		return 0;
	pipeline_finish(&fr->pipe);
	return 1;
}
