/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TASKINFO_H
#define RECVTOP_TASKINFO_H

#include "recvtop/common.h"

/*
 * Thread id -> process (thread group) id and process command name.
 *
 * Trace events carry only the thread id.  Live, a thread is resolved from
 * /proc the first time it is seen (falling back to the kernel's
 * saved_cmdlines when it has already exited, taking its thread id as
 * process id).  Every answer is remembered, and a recording stores the
 * whole table, so a replay resolves exactly as the live run did.
 */

#define RT_TASK_GUESSED	0x1	/* process id not known: thread id used */
#define RT_TASK_NOCOMM	0x2	/* command name not known */
#define RT_TASK_IOU	0x4	/* an io_uring worker thread (iou-wrk-,
				 * iou-sqp-): its receives are io_uring's */

struct rt_task {
	int tid;
	int tgid;
	u32 flags;
	char comm[RT_COMM_LEN];	/* the process's command name */
};

enum rt_task_resolver {
	RT_TASKS_STORED,	/* only what was stored (replay) */
	RT_TASKS_PROC,		/* /proc, then saved_cmdlines (live) */
};

struct taskinfo;

struct taskinfo *taskinfo_new(enum rt_task_resolver resolver);
void taskinfo_free(struct taskinfo *ti);
/* where saved_cmdlines lives (live); NULL = no fallback */
void taskinfo_set_tracing_dir(struct taskinfo *ti, const char *dir);

/*
 * The task for tid, resolved on first use; never NULL.  hint_comm (may be
 * NULL) is used when nothing better is known.
 */
const struct rt_task *taskinfo_get(struct taskinfo *ti, int tid,
				   const char *hint_comm);
/* Known entry or NULL, without resolving */
const struct rt_task *taskinfo_peek(const struct taskinfo *ti, int tid);
/* Store an entry (replay loads a recording's table this way) */
int taskinfo_put(struct taskinfo *ti, int tid, int tgid, u32 flags,
		 const char *comm);
unsigned int taskinfo_count(const struct taskinfo *ti);
/*
 * Forget every entry (live only: they are resolved again on next use).
 * Pointers got from taskinfo_get before are stale afterwards: the stats'
 * thread cache must be reset with it (stats_reset).
 */
void taskinfo_forget(struct taskinfo *ti);
const struct rt_task *taskinfo_at(const struct taskinfo *ti, unsigned int i);
/* Resolution counters: proc hits, fallbacks */
void taskinfo_counts(const struct taskinfo *ti, u64 *resolved, u64 *guessed);

/* Serialised form, one line per task: "tid tgid flags comm\n" */
char *taskinfo_serialize(const struct taskinfo *ti, size_t *len);
int taskinfo_deserialize(struct taskinfo *ti, const char *text, size_t len);

#endif
