/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_BATCH_H
#define RECVTOP_BATCH_H

#include <stdio.h>

#include "recvtop/pipeline.h"
#include "recvtop/stats.h"

/*
 * Batch output: a text snapshot or a JSON line per interval, then a
 * summary of totals (design.md's JSON contract).  The row ordering and
 * formatting helpers are shared with the other views.
 */

struct rt_run_info {
	const char *backend;		/* "kprobe" | "tracepoint" */
	bool peers_visible;		/* the backend sees sender addresses */
	bool senders_user;		/* ... from libc uprobes (user memory) */
	bool conns_visible;		/* and TCP peers (inet_sock_set_state) */
	const char *source;		/* "live" or the file name */
	bool have_kernel_lost;		/* ring-buffer stats of the run */
	u64 kernel_lost;
	bool have_probe_missed;		/* kretprobe misses (kprobe_profile) */
	u64 probe_missed;
	/* TCP connections older than the run: named from the socket
	 * tables, and rows there without a usable socket address */
	u32 start_conns;
	u32 start_unusable;
};

struct batch_out {
	FILE *f;
	bool json;
	const struct rt_run_info *info;
	void **rows;			/* scratch for sorting */
	size_t cap;
	bool write_error;
};

void batch_print_interval(struct batch_out *b, const struct pipeline *p,
			  const struct rt_interval *iv);
void batch_print_summary(struct batch_out *b, const struct pipeline *p);
void batch_free(struct batch_out *b);

/* end of the data the summary covers (event time) */
u64 rt_summary_end_ts(const struct pipeline *p);
/* lost events for the summary: the kernel's count when known */
u64 rt_summary_lost(const struct pipeline *p, const struct rt_run_info *info);

/* shared by the views */
int rt_cmp_proc_calls(const void *a, const void *b);	/* totals */
int rt_cmp_proc_last(const void *a, const void *b);	/* last interval */
void rt_format_ns(char *buf, size_t len, u64 ns);
/* "read,recvmsg+peek": the ways a row's receives came, "-" for none */
/* "recvmsg,read": the ways in a mask of 1 << enum rt_rx_via */
void rt_format_via_mask(char *buf, size_t len, unsigned int vias);
void rt_format_vias(char *buf, size_t len, const struct rt_via_counts *v,
		    u64 peeks);
void rt_format_bytes(char *buf, size_t len, u64 bytes);
void rt_json_string(FILE *f, const char *s);
/* a container row's kind: "container", "service", "host" or "other" */
const char *rt_cont_kind_name(const struct stats *s, u32 id, bool other);

#endif
