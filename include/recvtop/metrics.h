/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_METRICS_H
#define RECVTOP_METRICS_H

#include <pthread.h>

#include "recvtop/cli.h"
#include "recvtop/common.h"
#include "recvtop/hist.h"
#include "recvtop/stats.h"
#include "recvtop/table.h"
#include "recvtop/taskinfo.h"

/*
 * The metrics stage of `recvtop export`: every completed interval's rows
 * (the stats tables' "last" values) are added into series keyed by their
 * label values, so the series only ever grow, as Prometheus counters
 * must, while the stats tables can be emptied under pid churn.  The
 * series are rendered in the Prometheus text format 0.0.4 or OpenMetrics
 * 1.0.0 on a scrape (the run's own thread serves it; a mutex covers the
 * series all the same, so that a server thread could).
 */

#define RT_EXPORT_MAX_SERIES 10000	/* --max-series default */
#define RT_EXPORT_GRACE_S 300		/* --series-grace default */

/* the container label of the stats' (other) rows: not a taskinfo id */
#define MX_CONT_OTHER 0xffffffffu

/* the label values of a process series */
struct mx_proc_key {
	char comm[RT_COMM_LEN];
	u32 container;		/* taskinfo container id (0: the host) */
	int pid;		/* -1: no pid label */
	int proto;		/* enum rt_proto, -1: no proto label */
};

struct mx_proc {
	struct rt_row hdr;
	struct mx_proc_key key;
	struct rt_counters c;
	struct rt_via_counts via;
	struct rt_hist64 hist;
	int last_tgid;		/* the process counted last */
	u64 last_ts;		/* event time of its last count */
};

struct mx_reader_key {
	char reader_comm[RT_COMM_LEN];
	char target_comm[RT_COMM_LEN];
	int reader_pid;		/* -1: no pid label */
	int target_pid;
	u32 reader_container;	/* taskinfo container ids */
	u32 target_container;
	int via;		/* enum rt_via, RT_VIA_NR: other */
};

struct mx_reader {
	struct rt_row hdr;
	struct mx_reader_key key;
	u64 count;
	u64 denied;
	int last_tgid;
	u64 last_ts;
};

struct mx_peer {
	struct rt_row hdr;
	struct rt_peer_key key;
	struct rt_counters c;
	u64 last_ts;
};

struct metrics_opts {
	unsigned int labels;	/* RT_LABEL_* */
	u32 max_series;		/* per table; beyond: one (other) series */
	u64 grace_ns;		/* a gone process's series stays this long */
	bool sends;		/* the send families */
	const char *version;
	const char *backend;
	const char *kernel;
};

enum metrics_format {
	MX_PROMETHEUS = 0,	/* text/plain; version=0.0.4 */
	MX_OPENMETRICS,		/* application/openmetrics-text; 1.0.0 */
};

struct metrics {
	struct metrics_opts o;
	pthread_mutex_t lock;
	struct rt_table procs;		/* by comm (and pid) */
	struct rt_table protos;		/* by comm (and pid) and proto */
	struct rt_table readers;
	struct rt_table peers;
	u64 events;
	u64 lost;			/* from the pages' missed counts */
	u64 kernel_lost;		/* the ring buffer's own count */
	u64 intervals;
	u64 dropped;			/* series removed after the grace */
	u64 gen;			/* bumped by every change */
	u64 last_sweep_ts;
	/* the run's task table: the container ids' names (its interned
	 * names live as long as it does) */
	const struct taskinfo *tasks;
	/* pid liveness, replaceable by the tests */
	bool (*alive)(int pid);
};

/* a growable output buffer */
struct mx_buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

int metrics_init(struct metrics *m, const struct metrics_opts *o);
void metrics_free(struct metrics *m);
/*
 * Add the interval the stats just completed (rows touched in it carry
 * it in "last"); sweeps series of gone processes once per grace/4.
 * Takes the lock.
 */
/* the per-CPU stats' lost count of the run so far (the larger is served) */
void metrics_note_kernel_lost(struct metrics *m, u64 lost);
void metrics_add_interval(struct metrics *m, const struct stats *s,
			  u64 end_ts);
/* the series count of the process families (for the exporter's gauge) */
u32 metrics_series(const struct metrics *m);
/* Render every family into b (appended); takes the lock.  0 or -1 (oom) */
int metrics_render(struct metrics *m, enum metrics_format fmt,
		   struct mx_buf *b);
/* the generation of the series: equal means the same rendering */
u64 metrics_gen(struct metrics *m);

void mx_buf_free(struct mx_buf *b);
/* a label value: escaped (\\ \" \n), invalid UTF-8 as U+FFFD */
void mx_buf_label(struct mx_buf *b, const char *s);

#endif
