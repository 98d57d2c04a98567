/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_RUN_H
#define RECVTOP_RUN_H

#include <sys/types.h>

#include "recvtop/batch.h"
#include "recvtop/cli.h"
#include "recvtop/live.h"
#include "recvtop/pipeline.h"
#include "recvtop/probes.h"
#include "recvtop/session.h"
#include "recvtop/taskinfo.h"

struct tep_handle;
struct run;

/*
 * A live run from start to cleanup: catalog, session, live source,
 * pipeline, and a view that receives intervals.  `recvtop top` and
 * `recvtop record --live` are both a run with a different view and hooks.
 */

struct run_view {
	/* an interval was completed (rows carry it in "last") */
	void (*on_interval)(void *ctx, struct run *r,
			    const struct rt_interval *iv);
	/*
	 * Called on every wake-up of the loop, after new data was
	 * processed, and when wake_fd is readable.  Return < 0 to stop
	 * the run (as a first Ctrl-C does).
	 */
	int (*on_wake)(void *ctx, struct run *r, bool fd_ready);
	/* the end: print the summary, restore the terminal ... */
	void (*on_summary)(void *ctx, struct run *r);
	void *ctx;
	int wake_fd;		/* also poll this fd (-1: none) */
	int max_wait_ms;	/* wake at least this often (0: 200 ms) */
};

struct run_child {
	pid_t pid;
	int go_fd;		/* closing it lets the command exec */
	int go_rfd;		/* the pipe's read end, kept until go */
	int err_fd;		/* exec failure errno comes here */
	int status;
	bool reaped;
};

struct run {
	const struct rt_options *o;
	struct rt_catalog cat;
	struct rt_session session;
	struct rt_session_opts session_opts;
	struct live_source live;
	struct tep_handle *tep;
	struct decoder *dec;
	struct cpu_merge *merge;
	struct taskinfo *tasks;
	struct stats stats;
	bool stats_ok;
	struct correlator *corr;
	struct pipeline pipe;
	struct rt_run_info info;
	struct run_child child;
	struct run_view view;
	u64 started_ns;		/* CLOCK_MONOTONIC at start */
	u64 asks;		/* fd markers written (tracepoint backend) */
	/* the TCP connections older than the run (socket tables read at
	 * start), as a recording keeps them (conntab_serialize) */
	char *start_conns;
	size_t start_conns_len;
};

/* Allocate a run for these options; NULL on out of memory */
struct run *run_new(const struct rt_options *o);
/*
 * Set up catalog, session and pipeline.  Returns 0, or the exit status to
 * use (the error is already printed).  sched: also record sched events.
 */
int run_setup(struct run *r, bool sched);
/*
 * The same without the pipeline: catalog, session (with the command
 * started but held) and the per-CPU readers only (record without --live).
 */
int run_setup_source(struct run *r, bool sched);
/* the pipeline after run_setup_source (record on the tracepoint backend) */
int run_setup_pipeline(struct run *r);
/* has the command exited (reaped now if so)?  false without a command */
bool run_child_done(struct run *r);
/* Start tracing (and the command); 0 or an exit status */
int run_start(struct run *r);
/* Loop until stopped, then drain; 0 or an exit status */
int run_loop(struct run *r);
/* Tear down; returns the final exit status given the run's own status */
int run_finish(struct run *r, int status);

/* the exit status recvtop uses for the command, after it was reaped */
int run_child_exit_code(const struct run_child *c);

#endif
