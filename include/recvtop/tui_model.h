/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TUI_MODEL_H
#define RECVTOP_TUI_MODEL_H

#include "recvtop/common.h"
#include "recvtop/event.h"
#include "recvtop/hist.h"
#include "recvtop/stats.h"

/*
 * The TUI's model: what the run's thread hands to the terminal thread.
 *
 * After each interval (and when the screen asks for another view), the
 * run's thread copies the rows of the table on screen into a snapshot of
 * plain records; the terminal thread filters, sorts and draws snapshots
 * and never touches the stats tables, so drawing (and a terminal that does
 * not read its output) never holds up the reading of the trace buffers.
 *
 * The drill-down's raw events come from a ring of the last typed events
 * that the pipeline's event hook fills without allocating, and, while a
 * drill-down is open, from a small "watch" ring of the events of that row.
 */

enum tui_view {
	TUI_PROCS = 0,
	TUI_PEERS,
	TUI_SOCKS,
	TUI_READERS,
	TUI_CONTS,		/* containers, services and the host */
	TUI_NR_VIEWS,
};

/* value slots of a record; readers use CALLS/ERRORS for count/denied */
enum tui_val {
	TV_CALLS = 0,		/* last interval */
	TV_BYTES,
	TV_ERRORS,
	TV_EAGAIN,
	TV_LAT_AVG,
	TV_LAT_P99,
	TV_LAT_MAX,
	TV_T_CALLS,		/* totals */
	TV_T_BYTES,
	TV_T_ERRORS,
	TV_T_EAGAIN,
	TV_LAST_SEEN,		/* event time */
	TV_TX_CALLS,		/* sends, last interval */
	TV_TX_BYTES,
	TV_T_TX_CALLS,		/* sends, totals */
	TV_T_TX_BYTES,
	TV_PROCS,		/* containers: processes whose latest call was
				 * in it (since the start or reset) */
	TUI_NR_VALS,
};

#define TUI_REC_OTHER	0x1	/* the cardinality cap's "(other)" row */
#define TUI_REC_ACTIVE	0x2	/* had events in the last interval */
#define TUI_REC_NOLAT	0x4	/* no latency known in the last interval */
#define TUI_REC_ADDR	0x8	/* peer.addr holds the address text */
#define TUI_REC_STOPPED	0x10	/* container: its own cgroup was removed */

#define TUI_ADDR_LEN 48

/* one table row, copied */
struct tui_rec {
	u32 flags;
	int id;			/* process; socket owner; reader; peer: top pid */
	int id2;		/* socket: fd of its key; reader: target pid */
	u16 kind;		/* reader: via; peer: family; socket: proto;
				 * container: enum rt_cont_kind */
	u16 port;		/* peer */
	char name[RT_COMM_LEN];	/* comm of id */
	/*
	 * taskinfo container ids (0: the host), names in the snapshot
	 * (tui_snap_cont_name): process: its latest call's; reader: the
	 * reader's and the target's; container: its own
	 */
	u32 cont, cont2;
	union {
		char name2[RT_COMM_LEN];	/* reader: target comm */
		struct {
			struct rt_peer_key key;
			char addr[TUI_ADDR_LEN];
		} peer;
		struct {
			u64 sk;		/* kernel address, 0: keyed by fd */
			int fd;		/* the last descriptor seen, -1 */
			u16 vias;	/* as rt_sock_row's, in total */
		} sock;
	};
	u64 v[TUI_NR_VALS];
};

/* what identifies a row across snapshots */
struct tui_key {
	u8 view;
	u8 other;
	u16 kind;
	int id, id2;
	struct rt_peer_key peer;
	u64 sk;			/* socket */
};

struct tui_snap {
	u64 seq;		/* the screen's request this answers */
	enum tui_view view;
	/*
	 * recs[i] is row i of the table (the (other) row last): rows keep
	 * their place from one snapshot to the next until the tables are
	 * reset, which changes epoch
	 */
	u32 epoch;
	const char *backend;
	bool peers_visible;
	bool senders_user;	/* the senders come from libc uprobes */
	bool conns_visible;	/* TCP peers */
	bool has_interval;	/* an interval was completed */
	unsigned int interval_nr;
	double seconds;		/* length of the last interval */
	double time;		/* its end, seconds since the start */
	u64 end_ts;		/* its end, event time (for ages) */
	u64 events_last, lost_last;	/* last interval */
	/* receives and sends in the last interval, all processes */
	u64 rx_calls, rx_bytes, tx_calls, tx_bytes;
	u64 events_run, lost_run;	/* the whole run */
	u64 delay_ns;
	char source[96];	/* "live", or the file replayed */
	char position[64];	/* replay: where, how fast, playing or not */
	u32 nr;
	u32 cap;
	struct tui_rec *recs;
	/* a container or service was seen (not only the host) */
	bool has_conts;
	/* the records' container names, copied: id -> offset + 1 */
	u32 *name_at;
	u32 name_at_nr, name_at_cap;
	char *names;
	u32 names_len, names_cap;
	/* containers: processes per container id (a fill's scratch) */
	u32 *procs_of;
	u32 procs_of_cap;
};

/* a raw event as the drill-down shows it */
struct tui_event {
	struct rt_event ev;
	int tgid;
	double time;		/* seconds since the start */
};

#define TUI_DRILL_EVENTS 256
#define TUI_DRILL_PROCS 6

/* a process that received from a peer (drill-down of a peer) */
struct tui_peer_proc {
	int tgid;
	u64 bytes;
	char comm[RT_COMM_LEN];
};

struct tui_drill {
	u64 seq;
	struct tui_key key;
	bool found;		/* the row exists in the tables now */
	struct tui_rec rec;	/* the row now */
	bool hist_of_row;	/* hist: the row's own since start/reset */
	struct rt_hist64 hist;	/* else: calls seen since the drill-down opened */
	u64 hist_n, hist_sum, hist_max;
	u64 seen;		/* events of the row seen by the watch */
	u32 nr;
	struct tui_event ev[TUI_DRILL_EVENTS];	/* oldest first */
	/* a peer: the processes that received the most from it */
	u32 nr_procs, all_procs;
	struct tui_peer_proc procs[TUI_DRILL_PROCS];
};

/* ---- run thread: snapshots ---- */

struct tui_snap *tui_snap_new(void);
void tui_snap_free(struct tui_snap *s);
/* copy the rows of one table; -1 on out of memory (snapshot emptied) */
int tui_snap_fill(struct tui_snap *s, enum tui_view view,
		  const struct stats *st);

/*
 * Peers: the address text of a record, made on first use (not in the
 * copy on the run thread; only for the rows drawn, or all of them once
 * when a filter looks at addresses).  The caller owns the snapshot.
 */
const char *tui_rec_addr(const struct tui_rec *r);
/* the name of a record's container id in its snapshot ("" for the host) */
const char *tui_snap_cont_name(const struct tui_snap *s, u32 id);

/* the key of a record, and whether a record has it */
void tui_rec_key(enum tui_view view, const struct tui_rec *r,
		 struct tui_key *k);
bool tui_key_eq(const struct tui_key *a, const struct tui_key *b);
/* a row of the stats tables as a record; false when it is gone */
bool tui_find_rec(const struct stats *st, const struct tui_key *k,
		  struct tui_rec *out);

/* ---- run thread: recent events (the pipeline's event hook) ---- */

#define TUI_RECENT_EVENTS 4096		/* power of two */
#define TUI_WATCH_EVENTS 1024		/* power of two */
#define TUI_WATCH_PENDING 64		/* power of two */

struct tui_watch_pend {
	int tid;
	u64 ts;			/* entry time; 0 = unknown */
};

#define TUI_WATCH_TIDS 256		/* power of two */

struct tui_watch_tid {
	int tid, tgid;
};

struct tui_watch {
	bool active;
	struct tui_key key;
	struct tui_watch_tid tids[TUI_WATCH_TIDS];	/* tid -> tgid cache */
	struct tui_watch_pend pend[TUI_WATCH_PENDING];	/* in our row */
	struct tui_watch_pend enter[TUI_WATCH_PENDING];	/* any recvfrom */
	u64 head;
	struct rt_event ev[TUI_WATCH_EVENTS];
	struct rt_hist64 hist;
	u64 hist_n, hist_sum, hist_max;
};

struct tui_events {
	struct taskinfo *tasks;
	u64 head;
	struct rt_event ring[TUI_RECENT_EVENTS];
	struct tui_watch watch;
};

/* the pipeline event hook (ctx: struct tui_events) */
void tui_events_hook(void *ctx, const struct rt_event *ev);
/* start watching a row, seeded from the recent ring; stop with NULL */
void tui_watch_start(struct tui_events *e, const struct tui_key *k);
/*
 * The processes that received from peer k, most bytes first, at most max
 * of them into out; returns how many there are in all
 */
u32 tui_peer_procs(const struct stats *st, const struct rt_peer_key *k,
		   struct tui_peer_proc *out, u32 max, u32 *nr_out);
/* fill a drill-down from the watch and the tables */
void tui_drill_fill(struct tui_drill *d, struct tui_events *e,
		    const struct stats *st, u64 t0, u64 until);

#endif
