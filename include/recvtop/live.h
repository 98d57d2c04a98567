/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_LIVE_H
#define RECVTOP_LIVE_H

#include <poll.h>

#include "recvtop/common.h"
#include "recvtop/merge.h"
#include "recvtop/session.h"

struct tracefs_cpu;

/*
 * The live source: every CPU's trace_pipe_raw of the session's instance,
 * read a sub-buffer at a time through libtracefs' per-CPU API, into the
 * merge queues.  Pages are read as the merge uses them up: a CPU's next
 * page when its last queued one is done, so what the kernel buffered
 * stays in the kernel's ring and the reader holds a few pages per CPU,
 * however far behind it is.  A page hook sees every page as read
 * (record --live).
 */

struct live_cpu {
	int cpu;
	int fd;
	struct tracefs_cpu *tcpu;
};

typedef int (*live_page_hook)(void *ctx, int cpu, const void *page,
			      unsigned int size);

struct live_source {
	struct rt_session *session;
	struct live_cpu *cpus;
	int nr;			/* CPUs opened */
	int max_cpu;		/* highest CPU number + 1 */
	unsigned int page_size;
	int *by_cpu;		/* CPU number -> index in cpus, -1: none */
	struct pollfd *pfds;
	struct cpu_merge *merge;
	int error;		/* errno of a failed read or hook, 0: none */
	u64 pages, bytes;
	live_page_hook hook;
	void *hook_ctx;
};

int live_source_open(struct live_source *ls, struct rt_session *s,
		     char *err, size_t errlen);
void live_source_close(struct live_source *ls);
/*
 * Wait up to timeout_ms for a CPU buffer to fill (buffer_percent) or
 * extra_fd (-1: none) to become readable; *extra_ready says which.
 */
int live_source_wait(struct live_source *ls, int timeout_ms, int extra_fd,
		     bool *extra_ready);
/* m reads from ls as it needs pages (merge_set_need) */
void live_source_attach(struct live_source *ls, struct cpu_merge *m);
/*
 * Give every CPU whose queue is empty its next page, if the kernel has
 * one; the merge reads the rest as it goes.  Returns pages read, -1 on a
 * read error or when the page hook failed (errno set).
 */
int live_source_prime(struct live_source *ls);
/* 0, or -1 with errno when a read during the merge failed */
int live_source_check(const struct live_source *ls);

#endif
