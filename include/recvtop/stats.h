/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_STATS_H
#define RECVTOP_STATS_H

#include "recvtop/common.h"
#include "recvtop/event.h"
#include "recvtop/hist.h"
#include "recvtop/table.h"
#include "recvtop/taskinfo.h"

/*
 * The stats stage: what correlate hands over, aggregated into tables by
 * process, socket, peer and reader->target.  Each row counts the current
 * interval; table rows are folded into totals at the end of the interval
 * (stats_end_interval), so the per-event work touches one set of counters.
 */

enum rt_via {
	RT_VIA_PROCESS_VM_READV = 0,
	RT_VIA_PROCESS_VM_WRITEV,
	RT_VIA_PROC_MEM,
	RT_VIA_PROC_READ,
	RT_VIA_PTRACE,
	RT_VIA_MADVISE,
	RT_VIA_NR,
};

const char *rt_via_name(enum rt_via via);

/* a completed receive (or, tx, send) call, from correlate */
struct rt_recv_call {
	u64 ts;			/* return time */
	u64 latency;		/* ns, entry to return */
	bool has_latency;	/* false: the entry was not seen */
	int tid;
	int fd;
	s64 ret;
	const struct rt_addr *peer;	/* NULL: no sender address; else
					 * the remote side (a receive's
					 * sender, a send's destination) */
	u16 peer_lport;		/* our port of the connection, 0: not known */
	bool peer_user;		/* the address came from user memory */
	u8 via;			/* enum rt_rx_via; tx: enum rt_tx_via */
	bool tx;		/* a send */
	bool more;		/* tx: more bytes of the call counted just
				 * before (sendfile, splice): no new call */
	bool peek;		/* MSG_PEEK: a call, no bytes */
	u64 sk;			/* the socket (kernel address), 0: not known */
	u16 family;		/* AF_* of sk */
	u16 protocol;		/* IPPROTO_* of sk */
};

/* a memory access attempt, from correlate */
struct rt_mem_access {
	u64 ts;
	int tid;		/* the reader thread */
	int target_tid;		/* the target thread (or process) id */
	int target_tgid;	/* 0 when not known from the event */
	const char *target_comm;	/* from the event, may be NULL */
	u8 via;			/* enum rt_via */
	bool denied;
};

struct rt_counters {
	u64 calls;
	u64 bytes;
	u64 errors;
	u64 eagain;
	u64 peeks;		/* MSG_PEEK calls (in calls, not in bytes) */
	u64 lat_n;		/* calls with a known latency */
	u64 lat_sum;
	u64 lat_max;
	/* sends */
	u64 tx_calls;
	u64 tx_bytes;
	u64 tx_errors;
};

/* a process's receives by the way they came (enum rt_rx_via), and its
 * sends (enum rt_tx_via) */
struct rt_via_counts {
	u64 calls[RT_RX_NR];
	u64 bytes[RT_RX_NR];
	u64 tx_calls[RT_TX_NR];
	u64 tx_bytes[RT_TX_NR];
};

/* a socket row's vias: bit v for a receive via, RT_VIA_TX_BIT(v) for a
 * send via */
#define RT_VIA_TX_BIT(v)	(RT_RX_NR + (v))

struct rt_proc_row {
	struct rt_row hdr;
	int tgid;			/* key */
	char comm[RT_COMM_LEN];
	/* the attribution of its latest counted event (taskinfo ids) */
	u32 cgroup, container;
	u64 netns;
	u32 last_gen;			/* interval whose values are in last */
	struct rt_counters ival, last, total;
	struct rt_via_counts ival_via, last_via, total_via;
	struct rt_hist32 ival_hist, last_hist;
	struct rt_hist64 total_hist;
	u64 last_seen;			/* event time */
};

/*
 * A socket of a process: its kernel address where the backend sees it
 * (sock, kprobe: fd is -1 in the key), else its descriptor (sk 0).
 */
struct rt_sock_key {
	int tgid;
	int fd;
	u64 sk;
};

struct rt_sock_row {
	struct rt_row hdr;
	struct rt_sock_key key;
	u32 last_gen;
	struct rt_counters ival, last, total;
	u64 last_seen;
	int fd;				/* the last descriptor seen, -1: none */
	u16 family;			/* AF_*, 0: not known */
	u16 protocol;			/* IPPROTO_* */
	u16 ival_vias, last_vias, total_vias;	/* 1 << enum rt_rx_via,
						 * 1 << RT_VIA_TX_BIT() */
};

/* where a peer's address came from */
enum rt_peer_source {
	RT_SRC_KERNEL = 0,	/* a kernel copy or the socket itself */
	RT_SRC_USER,		/* user memory (uprobes) */
};

struct rt_peer_key {
	u8 family;
	u8 len;
	u16 port;
	u8 addr[RT_ADDR_BYTES];
	u8 proto;		/* enum rt_proto */
	u8 source;		/* enum rt_peer_source */
	u16 local_port;		/* 0: not known */
};

const char *rt_peer_source_name(enum rt_peer_source src);
/* the peer's address and port, as an rt_addr for rt_addr_format() */
void rt_peer_key_addr(const struct rt_peer_key *k, struct rt_addr *a);

struct rt_peer_row {
	struct rt_row hdr;
	struct rt_peer_key key;
	u32 last_gen;
	struct rt_counters ival, last, total;
	int top_tgid;			/* process that received most bytes */
	u64 top_bytes;
	u64 last_seen;
};

struct rt_peer_proc_key {
	struct rt_peer_key peer;
	int tgid;
};

struct rt_peer_proc_row {
	struct rt_row hdr;
	struct rt_peer_proc_key key;
	u64 bytes;
};

struct rt_reader_key {
	int reader_tgid;
	int target_tgid;
	int via;
};

struct rt_reader_counters {
	u64 count;
	u64 denied;
};

struct rt_reader_row {
	struct rt_row hdr;
	struct rt_reader_key key;
	char reader_comm[RT_COMM_LEN];
	char target_comm[RT_COMM_LEN];
	/* containers (taskinfo ids) of the latest access */
	u32 reader_container, target_container;
	u32 last_gen;
	struct rt_reader_counters ival, last, total;
	u64 last_seen;
};

/*
 * Receives and sends by container or service (taskinfo container id;
 * 0 = the host), counted at event time with the container the thread was
 * in then: a process that moves between containers splits its counts.
 */
struct rt_cont_row {
	struct rt_row hdr;
	u32 container;			/* key */
	u32 last_gen;
	struct rt_counters ival, last, total;
	u64 last_seen;
	bool stopped;			/* its own cgroup was removed */
};

/* cardinality caps: rows beyond them are counted in an "other" row
 * (containers 0: RT_CAP_CONTAINERS) */
struct rt_stats_caps {
	u32 processes;
	u32 sockets;
	u32 peers;
	u32 readers;
	u32 containers;
};

#define RT_CAP_PROCESSES 10000
#define RT_CAP_SOCKETS 100000
#define RT_CAP_PEERS 100000
#define RT_CAP_READERS 10000
#define RT_CAP_CONTAINERS 10000

struct rt_stats_totals {
	u64 events;
	u64 lost;
	u64 calls;
	u64 bytes;		/* received (peeks: none) */
	u64 tx_calls;		/* sends */
	u64 tx_bytes;
	u64 unpaired;		/* entries or returns without their partner */
	u64 restarts;		/* returns with a kernel restart code */
	u64 filtered;		/* calls dropped by the -p, -c, --cgroup or
				 * --container filter */
	u64 unknown_reads;	/* reads of descriptors never told apart */
	u64 unknown_writes;	/* and writes */
};

/*
 * The rows a thread's calls went to last time, by thread id (direct
 * mapped): most calls come from a thread seen a moment ago, and the
 * three lookups (task, process row, socket row) become one compare.
 */
#define RT_TID_CACHE 1024

struct rt_tid_cache {
	int tid;
	u32 epoch;
	bool wanted;			/* passes -p/-c/--cgroup/--container */
	const struct rt_task *task;
	struct rt_proc_row *proc;
	struct rt_cont_row *cont;	/* of task->container */
	struct rt_sock_key sock_key;	/* of sock */
	struct rt_sock_row *sock;
};

struct stats {
	struct taskinfo *tasks;
	struct rt_tid_cache *cache;
	u32 cache_epoch;		/* bumped when cached rows go stale */
	struct rt_table procs;
	struct rt_table socks;
	struct rt_table peers;
	struct rt_table peer_procs;
	struct rt_table readers;
	struct rt_table conts;
	struct rt_stats_totals ival, last, total;
	u32 completed_gen;	/* generation of the last completed interval */
	u32 resets;		/* stats_reset() calls: the tables' rows restart */
	u64 ival_start, last_start, last_end;	/* event times */
	/* -p filter: processes to keep (sorted), none = all */
	int *pids;
	unsigned int nr_pids;
	/* -c of a replay: the process name recorded */
	char comm[RT_COMM_LEN];
	/* --cgroup: a cgroup v2 path prefix (whole components); "" = all */
	char *cgroup_prefix;
	/* --container: a container name (short id, full 64-hex id or unit
	 * name); "" = all */
	char *container;
};

int stats_init(struct stats *s, struct taskinfo *tasks,
	       const struct rt_stats_caps *caps);
void stats_free(struct stats *s);
/* keep only these processes (copied) */
int stats_set_pid_filter(struct stats *s, const int *pids, unsigned int n);
/* keep only processes of this name (a replay's -c; live, the kernel
 * filters on the thread's name) */
int stats_set_comm_filter(struct stats *s, const char *comm);
/*
 * keep only processes whose cgroup v2 path is cgroup_prefix or below it
 * and whose container or service is container (a 12-hex short id, the
 * full 64-hex id, or a unit name such as nginx.service); NULL or "" for
 * either: no condition.  Tasks whose cgroup is not known pass only
 * without a condition.
 */
int stats_set_container_filter(struct stats *s, const char *cgroup_prefix,
			       const char *container);
/* does the task pass the --cgroup/--container filter? */
bool stats_container_wanted(const struct stats *s, const struct rt_task *t);
/*
 * A task's name or attribution changed (a rename, a cgroup move): rows
 * cached per thread must be looked up again.
 */
static inline void stats_tasks_changed(struct stats *s)
{
	s->cache_epoch++;
}

/* one thread's name, process or attribution changed */
static inline void stats_task_changed(struct stats *s, int tid)
{
	struct rt_tid_cache *e = &s->cache[(u32)tid & (RT_TID_CACHE - 1)];

	if (e->tid == tid)
		e->epoch = 0;
}

void stats_add_recv(struct stats *s, const struct rt_recv_call *c);
/* the process of a thread, through the same cache stats_add_recv uses */
int stats_tgid_of(struct stats *s, int tid);
/* the family and protocol of tgid's socket fd (keyed by descriptor),
 * learnt after calls on it were counted */
void stats_set_sock_family(struct stats *s, int tgid, int fd, u16 family,
			   u16 protocol);
/* the sender of a receive already counted (its address came after it) */
void stats_add_recv_peer(struct stats *s, const struct rt_recv_call *c);
void stats_add_mem(struct stats *s, const struct rt_mem_access *a);
/* a container's or service's own cgroup was removed (or made again): its
 * row, if it has one, says so from this interval on */
void stats_set_cont_stopped(struct stats *s, u32 container, bool stopped);

static inline void stats_add_events(struct stats *s, u64 n)
{
	s->ival.events += n;
}

static inline void stats_add_lost(struct stats *s, u64 n)
{
	s->ival.lost += n;
}

/* Fold the current interval into totals and "last"; start a new one */
void stats_end_interval(struct stats *s, u64 end_ts);
/* Zero every total (the TUI's reset); tables are emptied */
void stats_reset(struct stats *s, u64 now_ts);

/* Derived values for a row's counters */
static inline u64 counters_lat_avg(const struct rt_counters *c)
{
	return c->lat_n ? c->lat_sum / c->lat_n : 0;
}

/* was the row active in the last completed interval? */
static inline bool stats_row_in_last(const struct stats *s, u32 last_gen)
{
	return last_gen && last_gen == s->completed_gen;
}

#endif
