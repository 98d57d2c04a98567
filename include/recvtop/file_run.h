/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_FILE_RUN_H
#define RECVTOP_FILE_RUN_H

#include "recvtop/batch.h"
#include "recvtop/cli.h"
#include "recvtop/file_source.h"
#include "recvtop/pipeline.h"

/*
 * A recording read through the pipeline: the file-source counterpart of
 * a live run (run.h).  `recvtop report` and `recvtop top -i` use it.
 * What the live run knew comes from the file: the thread table, the
 * backend, whether memory readers came from mm_access, the kernel's lost
 * counts and kretprobe misses.
 */

struct file_run {
	const struct rt_options *o;
	const char *path;
	struct file_source *fs;
	struct decoder *dec;
	struct taskinfo *tasks;
	struct stats stats;
	bool stats_ok;
	struct correlator *corr;
	struct pipeline pipe;
	struct rt_run_info info;
};

#define RT_DEFAULT_INPUT "trace.dat"

/*
 * Open o->input (default trace.dat) and set the pipeline up: intervals
 * of o->delay_ns (or the recording's own delay markers when -d was not
 * given), at most max_intervals (0: all), fn after each.  -p and -c of
 * o filter the processes.  Returns 0, or the exit status after printing
 * one line naming the file and the problem.
 */
int file_run_open(struct file_run *fr, const struct rt_options *o,
		  unsigned int max_intervals, pipeline_interval_fn fn,
		  void *ctx);
void file_run_close(struct file_run *fr);
/*
 * Feed events up to event time until; stops early when rt_stop_requested
 * or, with a limit, after that many events.  Returns 0, 1 at the end of
 * the data (the pipeline finished), or the exit status of a corrupt file
 * (printed).
 */
int file_run_feed(struct file_run *fr, u64 until, u64 max_events);

#endif
