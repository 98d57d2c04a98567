/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_MERGE_H
#define RECVTOP_MERGE_H

#include "recvtop/common.h"

struct tep_handle;

/*
 * Per-CPU queues of raw ring-buffer pages and a timestamp-ordered walk over
 * all of them.  Sources put pages in (live reads, file reads); the pipeline
 * takes events out in timestamp order, never past a watermark, so that an
 * entry and a return on different CPUs are seen in the order they happened.
 */

struct rt_raw {
	const void *data;	/* payload from common_type; NULL: lost-only */
	unsigned int size;
	u64 ts;
	int cpu;
	s64 missed;		/* lost before this page: >0 count, -1 unknown */
};

struct cpu_merge;

struct cpu_merge *merge_new(struct tep_handle *tep, int nr_cpus,
			    unsigned int page_size);
void merge_free(struct cpu_merge *m);
int merge_nr_cpus(const struct cpu_merge *m);
unsigned int merge_page_size(const struct cpu_merge *m);

/* A page buffer to fill for cpu; then merge_commit_page() or drop it */
void *merge_page_buf(struct cpu_merge *m);
void merge_drop_page(struct cpu_merge *m, void *page);
/* Queue a filled page (page_size bytes) for cpu; takes ownership */
int merge_commit_page(struct cpu_merge *m, int cpu, void *page);

/*
 * The next event in timestamp order if its timestamp <= watermark.  The
 * data stays valid until the next call.  Returns false when none is ready.
 */
bool merge_next(struct cpu_merge *m, u64 watermark, struct rt_raw *out);
/* oldest timestamp waiting, or UINT64_MAX */
u64 merge_peek_ts(struct cpu_merge *m);
/* pages queued, all CPUs */
unsigned int merge_queued_pages(const struct cpu_merge *m);
/* pages queued for one CPU (the one being read counts until it is done) */
unsigned int merge_cpu_queued(const struct cpu_merge *m, int cpu);
/* drop everything queued */
void merge_clear(struct cpu_merge *m);
/*
 * Called when a CPU's page has been used up (a file source reads the
 * next one then); it may queue pages for that CPU.
 */
typedef void (*merge_need_fn)(void *ctx, int cpu);
void merge_set_need(struct cpu_merge *m, merge_need_fn fn, void *ctx);

#endif
