/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TUI_VIEW_H
#define RECVTOP_TUI_VIEW_H

#include "recvtop/tui_model.h"

/*
 * The TUI's tables as columns: what each view shows, which columns stay
 * when the terminal is narrow, the sort keys, and the filtered, sorted
 * list of a snapshot's records.  No ncurses here (terminal thread only).
 */

enum tui_fmt {
	TF_PID,		/* id */
	TF_ID2,		/* socket fd, reader target pid */
	TF_NAME,	/* comm of id */
	TF_NAME2,	/* reader target comm */
	TF_TOP,		/* peer: top receiving process "pid comm" */
	TF_ADDR,
	TF_PORT,
	TF_FAMILY,
	TF_VIA,
	TF_FD,		/* socket: its last descriptor */
	TF_PROTO,	/* socket: tcp, udp, unix, raw, other */
	TF_PPROTO,	/* peer: its protocol */
	TF_LPORT,	/* peer: our port of it, "-": not known */
	TF_SVIAS,	/* socket: the ways it was read */
	TF_SOCK,	/* socket: kernel address */
	TF_RATE,	/* v / interval seconds, decimal units */
	TF_BRATE,	/* v / interval seconds, bytes */
	TF_COUNT,	/* v, decimal units when too wide */
	TF_BYTES,	/* v, bytes */
	TF_NS,		/* latency, "-" without one */
	TF_AGE,		/* end of the interval - v (an event time) */
	TF_CONT,	/* container or service of cont, "-" for the host */
	TF_CONT2,	/* reader: the target's container */
	TF_KIND,	/* container: container, service or host */
	TF_STATE,	/* container: running, stopped (- for the host) */
};

#define TC_LEFT	0x1	/* left aligned (text) */
#define TC_ASC	0x2	/* ascending by default (ids, text) */

struct tui_col {
	const char *title;
	const char *what;	/* for the help screen and the status line */
	u8 fmt;
	u8 val;			/* enum tui_val for numbers */
	u8 width;		/* wanted width */
	u8 min;			/* it may shrink down to this */
	u8 prio;		/* 0 is kept longest */
	u8 flags;
	char key;		/* direct sort key, 0: none */
	/*
	 * the priority once a container or service was seen (0: prio):
	 * container columns are the last to be shown on a host without
	 * containers, and take the place of others on a host with them
	 */
	u8 cprio;
};

#define TUI_MAX_COLS 20

const struct tui_col *tui_view_cols(enum tui_view v, unsigned int *nr);
const char *tui_view_name(enum tui_view v);
const char *tui_view_short(enum tui_view v);
/* default sort column of a view */
int tui_view_default_sort(enum tui_view v);
/* the column a direct sort key selects in a view, -1: none */
int tui_view_sort_key(enum tui_view v, int key);

struct tui_layout {
	unsigned int nr;
	u8 col[TUI_MAX_COLS];	/* column numbers, in screen order */
	u8 width[TUI_MAX_COLS];
};

/* the columns that fit into width, dropping by priority (conts: the
 * snapshot has_conts) */
void tui_layout_cols(enum tui_view v, int width, bool conts,
		     struct tui_layout *l);

/* sort keys, compared as one 192-bit number: k[0] first */
struct tui_sort_ent {
	u64 k[3];
	u32 idx;
};

/* the filtered and sorted rows of a snapshot */
struct tui_list {
	u32 *idx;
	u32 n;
	u32 cap;
	struct tui_sort_ent *ent, *tmp;
	/*
	 * The table's rows in identity order (pid; pid and fd; ...), kept
	 * from one snapshot to the next (rows keep their place; new rows are
	 * merged in).  A stable sort on the column alone then leaves ties in
	 * identity order.
	 */
	u32 *byid, *byid_tmp;
	u32 byid_n, byid_cap;
	u32 byid_epoch;
	int byid_view;			/* -1: none yet */
};

/*
 * Filter (case-insensitive substring of comm, pid, container or address;
 * NULL or "" for all), keep only the processes of container cont (a
 * taskinfo container id, 0 the host; -1: all) and sort by column col
 * (inverted: the other direction).  The "(other)" row stays last (not
 * with cont).  Returns -1 on out of memory (list empty).
 */
int tui_list_build(struct tui_list *l, const struct tui_snap *s, int col,
		   bool invert, const char *filter, long cont);
void tui_list_free(struct tui_list *l);
/* does a record of the snapshot match the filter? */
bool tui_rec_matches(const struct tui_snap *s, const struct tui_rec *r,
		     const char *filter);
/* "container", "service", "host" */
const char *tui_cont_kind_name(unsigned int kind);

/* the text of one cell, at most width columns */
void tui_cell(char *buf, size_t len, const struct tui_col *c,
	      const struct tui_rec *r, const struct tui_snap *s, int width);
/* numbers for humans: exact when they fit into width, else k/M/G */
void tui_format_count(char *buf, size_t len, double v, int width);
/* a duration in seconds: "0.4s", "12s", "3m05s", "2h03m" */
void tui_format_age(char *buf, size_t len, double s);

#endif
