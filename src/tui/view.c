// SPDX-License-Identifier: GPL-2.0
/* The TUI's tables: columns, layout, filter and sort (terminal thread). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/batch.h"
#include "recvtop/tui_view.h"

/* ---- the columns of each view ---- */

static const struct tui_col proc_cols[] = {
	{ "PID", "process id", TF_PID, 0, 7, 7, 0, TC_ASC, 'P', 0 },
	{ "COMM", "command name", TF_NAME, 0, 15, 8, 0, TC_LEFT | TC_ASC, 'n', 0 },
	{ "CONTAINER", "container id or service unit, - for the host", TF_CONT, 0, 16, 12, 10, TC_LEFT | TC_ASC, 'C', 4 },
	{ "CALLS/s", "receive calls per second", TF_RATE, TV_CALLS, 9, 9, 1, 0, 'c', 0 },
	{ "BYTES/s", "bytes received per second", TF_BRATE, TV_BYTES, 9, 9, 2, 0, 'b', 0 },
	{ "TXCALLS/s", "send calls per second", TF_RATE, TV_TX_CALLS, 9, 9, 6, 0, 'x', 0 },
	{ "TXBYTES/s", "bytes sent per second", TF_BRATE, TV_TX_BYTES, 9, 9, 3, 0, 'X', 0 },
	{ "ERR/s", "failed calls per second", TF_RATE, TV_ERRORS, 7, 7, 5, 0, 'e', 0 },
	{ "EAGAIN/s", "EAGAIN returns per second", TF_RATE, TV_EAGAIN, 8, 8, 8, 0, 'g', 0 },
	{ "AVG", "average latency (last interval)", TF_NS, TV_LAT_AVG, 8, 8, 6, 0, 'a', 0 },
	{ "P99", "99th percentile latency (last interval)", TF_NS, TV_LAT_P99, 8, 8, 3, 0, 'l', 5 },
	{ "MAX", "highest latency (last interval)", TF_NS, TV_LAT_MAX, 8, 8, 7, 0, 'm', 0 },
	{ "CALLS", "receive calls in total", TF_COUNT, TV_T_CALLS, 10, 10, 2, 0, 't', 0 },
	{ "BYTES", "bytes received in total", TF_BYTES, TV_T_BYTES, 9, 9, 4, 0, 'T', 0 },
	{ "TXCALLS", "send calls in total", TF_COUNT, TV_T_TX_CALLS, 10, 10, 9, 0, 'w', 0 },
	{ "TXBYTES", "bytes sent in total", TF_BYTES, TV_T_TX_BYTES, 9, 9, 6, 0, 'W', 0 },
};

static const struct tui_col peer_cols[] = {
	{ "FAMILY", "address family", TF_FAMILY, 0, 6, 6, 3, TC_LEFT | TC_ASC, 'f', 0 },
	{ "ADDRESS", "sender address", TF_ADDR, 0, 39, 15, 0, TC_LEFT | TC_ASC, 'a', 0 },
	{ "PORT", "sender port", TF_PORT, 0, 5, 5, 1, TC_ASC, 'o', 0 },
	{ "PROTO", "protocol: tcp, udp, unix, raw, other", TF_PPROTO, 0, 5, 5, 3, TC_LEFT | TC_ASC, 'R', 0 },
	{ "LOCAL PORT", "our port of the connection (TCP), - not known", TF_LPORT, 0, 10, 5, 3, TC_ASC, 'L', 0 },
	{ "CALLS/s", "receive calls per second", TF_RATE, TV_CALLS, 9, 9, 1, 0, 'c', 0 },
	{ "BYTES/s", "bytes received per second", TF_BRATE, TV_BYTES, 9, 9, 2, 0, 'b', 0 },
	{ "CALLS", "receive calls in total", TF_COUNT, TV_T_CALLS, 10, 10, 4, 0, 't', 0 },
	{ "BYTES", "bytes received in total", TF_BYTES, TV_T_BYTES, 9, 9, 5, 0, 'T', 0 },
	{ "TXBYTES/s", "bytes sent to it per second", TF_BRATE, TV_TX_BYTES, 9, 9, 6, 0, 'X', 0 },
	{ "TXBYTES", "bytes sent to it in total", TF_BYTES, TV_T_TX_BYTES, 9, 9, 7, 0, 'W', 0 },
	{ "TOP PROCESS", "process that received the most from it", TF_TOP, 0, 22, 12, 3, TC_LEFT | TC_ASC, 'P', 0 },
};

static const struct tui_col sock_cols[] = {
	{ "PID", "process id", TF_PID, 0, 7, 7, 0, TC_ASC, 'P', 0 },
	{ "FD", "file descriptor (the last one seen)", TF_FD, 0, 5, 5, 2, TC_ASC, 'f', 0 },
	{ "PROTO", "protocol: tcp, udp, unix, raw, other", TF_PROTO, 0, 5, 5, 1, TC_LEFT | TC_ASC, 'o', 0 },
	{ "VIA", "how it was read or written: recvfrom, read, send:write...", TF_SVIAS, 0, 12, 8, 3, TC_LEFT | TC_ASC, 'v', 0 },
	{ "COMM", "command name", TF_NAME, 0, 15, 10, 1, TC_LEFT | TC_ASC, 'n', 0 },
	{ "CALLS/s", "receive calls per second", TF_RATE, TV_CALLS, 9, 9, 0, 0, 'c', 0 },
	{ "BYTES/s", "bytes received per second", TF_BRATE, TV_BYTES, 9, 9, 1, 0, 'b', 0 },
	{ "TXCALLS/s", "send calls per second", TF_RATE, TV_TX_CALLS, 9, 9, 6, 0, 'x', 0 },
	{ "TXBYTES/s", "bytes sent per second", TF_BRATE, TV_TX_BYTES, 9, 9, 5, 0, 'X', 0 },
	{ "ERR/s", "failed calls per second", TF_RATE, TV_ERRORS, 7, 7, 5, 0, 'e', 0 },
	{ "AVG", "average latency (last interval)", TF_NS, TV_LAT_AVG, 8, 8, 6, 0, 'a', 0 },
	{ "MAX", "highest latency (last interval)", TF_NS, TV_LAT_MAX, 8, 8, 7, 0, 'm', 0 },
	{ "CALLS", "receive calls in total", TF_COUNT, TV_T_CALLS, 10, 10, 2, 0, 't', 0 },
	{ "BYTES", "bytes received in total", TF_BYTES, TV_T_BYTES, 9, 9, 4, 0, 'T', 0 },
	{ "TXBYTES", "bytes sent in total", TF_BYTES, TV_T_TX_BYTES, 9, 9, 7, 0, 'W', 0 },
	{ "SOCK", "the socket's kernel address", TF_SOCK, 0, 16, 16, 8, TC_LEFT | TC_ASC, 'k', 0 },
};

static const struct tui_col reader_cols[] = {
	{ "READER", "reading process id", TF_PID, 0, 7, 7, 0, TC_ASC, 'P', 0 },
	{ "COMM", "reader's command name", TF_NAME, 0, 15, 8, 0, TC_LEFT | TC_ASC, 'n', 0 },
	{ "RCONT", "reader's container or service, - for the host", TF_CONT, 0, 16, 12, 10, TC_LEFT | TC_ASC, 'o', 4 },
	{ "TARGET", "target process id", TF_ID2, 0, 7, 7, 1, TC_ASC, 'x', 0 },
	{ "TCOMM", "target's command name", TF_NAME2, 0, 15, 8, 3, TC_LEFT | TC_ASC, 'N', 0 },
	{ "TCONT", "target's container or service, - for the host", TF_CONT2, 0, 16, 12, 10, TC_LEFT | TC_ASC, 'O', 4 },
	{ "VIA", "how it read", TF_VIA, 0, 17, 9, 1, TC_LEFT | TC_ASC, 'v', 0 },
	{ "COUNT", "accesses in total", TF_COUNT, TV_T_CALLS, 8, 8, 0, 0, 'c', 0 },
	{ "DENIED", "accesses denied in total", TF_COUNT, TV_T_ERRORS, 7, 7, 1, 0, 'e', 0 },
	{ "COUNT/s", "accesses per second", TF_RATE, TV_CALLS, 8, 8, 4, 0, 'C', 0 },
	{ "SEEN", "time since the last access", TF_AGE, TV_LAST_SEEN, 7, 7, 2, 0, 's', 0 },
};

static const struct tui_col cont_cols[] = {
	{ "CONTAINER", "container id or service unit, - for the host", TF_CONT, 0, 20, 12, 0, TC_LEFT | TC_ASC, 'C', 0 },
	{ "KIND", "container, service or host", TF_KIND, 0, 9, 9, 3, TC_LEFT | TC_ASC, 'K', 0 },
	{ "STATE", "running, or stopped: its cgroup was removed", TF_STATE, 0, 7, 7, 7, TC_LEFT | TC_ASC, 'S', 0 },
	{ "PROCS", "processes whose latest call was in it", TF_COUNT, TV_PROCS, 5, 5, 4, 0, '#', 0 },
	{ "CALLS/s", "receive calls per second", TF_RATE, TV_CALLS, 9, 9, 1, 0, 'c', 0 },
	{ "BYTES/s", "bytes received per second", TF_BRATE, TV_BYTES, 9, 9, 1, 0, 'b', 0 },
	{ "TXCALLS/s", "send calls per second", TF_RATE, TV_TX_CALLS, 9, 9, 5, 0, 'x', 0 },
	{ "TXBYTES/s", "bytes sent per second", TF_BRATE, TV_TX_BYTES, 9, 9, 2, 0, 'X', 0 },
	{ "ERR/s", "failed calls per second", TF_RATE, TV_ERRORS, 7, 7, 6, 0, 'e', 0 },
	{ "CALLS", "receive calls in total", TF_COUNT, TV_T_CALLS, 10, 10, 2, 0, 't', 0 },
	{ "BYTES", "bytes received in total", TF_BYTES, TV_T_BYTES, 9, 9, 1, 0, 'T', 0 },
	{ "TXCALLS", "send calls in total", TF_COUNT, TV_T_TX_CALLS, 10, 10, 6, 0, 'w', 0 },
	{ "TXBYTES", "bytes sent in total", TF_BYTES, TV_T_TX_BYTES, 9, 9, 3, 0, 'W', 0 },
};

static const struct {
	const struct tui_col *cols;
	unsigned int nr;
	const char *name, *short_name;
	int def_sort;
} views[TUI_NR_VIEWS] = {
	[TUI_PROCS] = { proc_cols, ARRAY_SIZE(proc_cols), "Processes", "Proc", 3 },
	[TUI_PEERS] = { peer_cols, ARRAY_SIZE(peer_cols), "Peers", "Peer", 3 },
	[TUI_SOCKS] = { sock_cols, ARRAY_SIZE(sock_cols), "Sockets", "Sock", 5 },
	[TUI_READERS] = { reader_cols, ARRAY_SIZE(reader_cols), "Memory readers", "Mem", 7 },
	[TUI_CONTS] = { cont_cols, ARRAY_SIZE(cont_cols), "Containers", "Cont", 4 },
};

const struct tui_col *tui_view_cols(enum tui_view v, unsigned int *nr)
{
	*nr = views[v].nr;
	return views[v].cols;
}

const char *tui_view_name(enum tui_view v)
{
	return views[v].name;
}

const char *tui_view_short(enum tui_view v)
{
	return views[v].short_name;
}

int tui_view_default_sort(enum tui_view v)
{
	return views[v].def_sort;
}

int tui_view_sort_key(enum tui_view v, int key)
{
	for (unsigned int i = 0; i < views[v].nr; i++)
		if (views[v].cols[i].key == key)
			return (int)i;
	return -1;
}

static u8 col_prio(const struct tui_col *c, bool conts)
{
	return conts && c->cprio ? c->cprio : c->prio;
}

void tui_layout_cols(enum tui_view v, int width, bool conts,
		     struct tui_layout *l)
{
	const struct tui_col *cols = views[v].cols;
	unsigned int nr = views[v].nr;
	bool take[TUI_MAX_COLS] = { false };
	u8 w[TUI_MAX_COLS];
	int used = 0;

	/* take columns by priority, at their smallest, while they fit */
	for (u8 prio = 0; prio < 16; prio++) {
		bool stop = false;

		for (unsigned int i = 0; i < nr; i++) {
			int need;

			if (col_prio(&cols[i], conts) != prio)
				continue;
			need = cols[i].min + (used ? 1 : 0);
			if (used + need > width) {
				stop = true;
				break;
			}
			take[i] = true;
			w[i] = cols[i].min;
			used += need;
		}
		if (stop)
			break;
	}
	/* then let the flexible ones grow, in screen order */
	for (unsigned int i = 0; i < nr; i++) {
		int grow;

		if (!take[i] || cols[i].width <= w[i])
			continue;
		grow = cols[i].width - w[i];
		if (grow > width - used)
			grow = width - used;
		if (grow > 0) {
			w[i] = (u8)(w[i] + grow);
			used += grow;
		}
	}
	l->nr = 0;
	for (unsigned int i = 0; i < nr; i++) {
		if (!take[i])
			continue;
		l->col[l->nr] = (u8)i;
		l->width[l->nr] = w[i];
		l->nr++;
	}
}

/* ---- formatting ---- */

void tui_format_count(char *buf, size_t len, double v, int width)
{
	static const char units[] = "kMGTPE";
	int n;

	if (v < 0)
		v = 0;
	if (v > 0 && v < 9.95 && v != (double)(u64)v)
		n = snprintf(buf, len, "%.1f", v);
	else
		n = snprintf(buf, len, "%.0f", v);
	if (n <= width)
		return;
	for (unsigned int u = 0; u < sizeof(units) - 1; u++) {
		v /= 1000;
		if (v < 999.95) {
			snprintf(buf, len, v < 9.995 ? "%.2f%c" :
				 v < 99.95 ? "%.1f%c" : "%.0f%c", v,
				 units[u]);
			return;
		}
	}
	snprintf(buf, len, "%.0e", v);
}

void tui_format_age(char *buf, size_t len, double s)
{
	u64 t;

	if (s < 0)
		s = 0;
	if (s < 10) {
		snprintf(buf, len, "%.1fs", s);
		return;
	}
	t = (u64)s;
	if (t < 60)
		snprintf(buf, len, "%" PRIu64 "s", t);
	else if (t < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", t / 60,
			 t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", t / 3600,
			 t / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", t / 86400,
			 t / 3600 % 24);
}

static const char *via_short(unsigned int via)
{
	static const char *const names[RT_VIA_NR] = {
		[RT_VIA_PROCESS_VM_READV] = "vm_readv",
		[RT_VIA_PROCESS_VM_WRITEV] = "vm_writev",
		[RT_VIA_PROC_MEM] = "proc_mem",
		[RT_VIA_PROC_READ] = "proc_read",
		[RT_VIA_PTRACE] = "ptrace",
		[RT_VIA_MADVISE] = "madvise",
	};

	return via < RT_VIA_NR ? names[via] : "other";
}

const char *tui_cont_kind_name(unsigned int kind)
{
	switch (kind) {
	case RT_CONT_CONTAINER:
		return "container";
	case RT_CONT_SERVICE:
		return "service";
	default:
		return "host";
	}
}

void tui_cell(char *buf, size_t len, const struct tui_col *c,
	      const struct tui_rec *r, const struct tui_snap *s, int width)
{
	bool other = r->flags & TUI_REC_OTHER;
	double secs = s->seconds > 0 ? s->seconds : 1;
	u64 v = r->v[c->val];

	switch (c->fmt) {
	case TF_PID:
	case TF_ID2:
		if (other)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%d", c->fmt == TF_PID ? r->id :
				 r->id2);
		break;
	case TF_NAME:
		snprintf(buf, len, "%s", other ? "(other)" : r->name);
		break;
	case TF_NAME2:
		snprintf(buf, len, "%s", other ? "(other)" : r->name2);
		break;
	case TF_TOP:
		if (other || r->id <= 0)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%d %s", r->id, r->name);
		break;
	case TF_ADDR:
		snprintf(buf, len, "%s", tui_rec_addr(r));
		break;
	case TF_PORT:
		if (other || r->kind == RT_FAM_UNIX)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%u", r->port);
		break;
	case TF_FAMILY:
		snprintf(buf, len, "%s", rt_family_name((enum rt_family)r->kind));
		break;
	case TF_VIA:
		if (other)
			snprintf(buf, len, "other");
		else if (width >= 17)
			snprintf(buf, len, "%s", rt_via_name((enum rt_via)r->kind));
		else
			snprintf(buf, len, "%s", via_short(r->kind));
		break;
	case TF_FD:
		if (other || r->sock.fd < 0)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%d", r->sock.fd);
		break;
	case TF_PROTO:
		snprintf(buf, len, "%s", other || r->kind >= RT_PROTO_NR ? "-" :
			 rt_proto_name((enum rt_proto)r->kind));
		break;
	case TF_PPROTO:
		snprintf(buf, len, "%s", other ? "-" :
			 rt_proto_name((enum rt_proto)r->peer.key.proto));
		break;
	case TF_LPORT:
		if (other || !r->peer.key.local_port)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%u", r->peer.key.local_port);
		break;
	case TF_SVIAS:
		if (other)
			snprintf(buf, len, "-");
		else
			rt_format_via_mask(buf, len, r->sock.vias);
		break;
	case TF_SOCK:
		if (other || !r->sock.sk)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%016" PRIx64, r->sock.sk);
		break;
	case TF_RATE:
		tui_format_count(buf, len, (double)v / secs, width);
		break;
	case TF_BRATE:
		rt_format_bytes(buf, len, (u64)((double)v / secs + 0.5));
		break;
	case TF_COUNT:
		tui_format_count(buf, len, (double)v, width);
		break;
	case TF_BYTES:
		rt_format_bytes(buf, len, v);
		break;
	case TF_NS:
		if (r->flags & TUI_REC_NOLAT)
			snprintf(buf, len, "-");
		else
			rt_format_ns(buf, len, v);
		break;
	case TF_AGE:
		if (!v)
			snprintf(buf, len, "-");
		else
			tui_format_age(buf, len, s->end_ts > v ?
				       (double)(s->end_ts - v) / 1e9 : 0);
		break;
	case TF_CONT:
	case TF_CONT2: {
		u32 id = c->fmt == TF_CONT ? r->cont : r->cont2;

		if (other)
			snprintf(buf, len, "(other)");
		else
			snprintf(buf, len, "%s", id ? tui_snap_cont_name(s, id) :
				 "-");
		break;
	}
	case TF_KIND:
		snprintf(buf, len, "%s", other ? "-" : tui_cont_kind_name(r->kind));
		break;
	case TF_STATE:
		snprintf(buf, len, "%s", other || !r->cont ? "-" :
			 (r->flags & TUI_REC_STOPPED) ? "stopped" : "running");
		break;
	default:
		buf[0] = 0;
		break;
	}
}

/* ---- filter ---- */

static char *utoa_rev(char *end, u64 v)
{
	*--end = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static bool has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

bool tui_rec_matches(const struct tui_snap *s, const struct tui_rec *r,
		     const char *filter)
{
	enum tui_view v = s->view;
	char num[24];

	if (!filter || !filter[0])
		return true;
	if (r->flags & TUI_REC_OTHER)
		return has("(other)", filter);
	switch (v) {
	case TUI_CONTS:
		return has(r->cont ? tui_snap_cont_name(s, r->cont) : "-",
			   filter) || has(tui_cont_kind_name(r->kind), filter);
	case TUI_PROCS:
		if (r->cont && has(tui_snap_cont_name(s, r->cont), filter))
			return true;
		break;
	case TUI_PEERS:
		if (has(tui_rec_addr(r), filter))
			return true;
		if (r->kind != RT_FAM_UNIX &&
		    has(utoa_rev(num + sizeof(num), r->port), filter))
			return true;
		break;
	case TUI_READERS:
		if (has(r->name2, filter) ||
		    has(utoa_rev(num + sizeof(num), (u64)r->id2), filter))
			return true;
		if ((r->cont && has(tui_snap_cont_name(s, r->cont), filter)) ||
		    (r->cont2 && has(tui_snap_cont_name(s, r->cont2), filter)))
			return true;
		break;
	case TUI_SOCKS:
		if (r->kind < RT_PROTO_NR &&
		    !strcasecmp(rt_proto_name((enum rt_proto)r->kind), filter))
			return true;
		break;
	default:
		break;
	}
	if (r->id > 0 && has(utoa_rev(num + sizeof(num), (u64)r->id), filter))
		return true;
	return r->name[0] && has(r->name, filter);
}

/*
 * ---- sort ----
 *
 * The rows are kept in identity order (pid; pid and fd; ...) from one
 * snapshot to the next: rows keep their place in the tables, so only new
 * rows are sorted and merged in.  For a column, every row gets up to
 * three 64-bit keys compared as one number (a value; 16 bytes of text;
 * an address and port) and a stable LSD radix sort orders them in a few
 * passes over the data, skipping bytes that are the same in every row.
 * Ties stay in identity order.
 */

/* 8 bytes from off as a big-endian number (zeros past n) */
static inline u64 be64(const void *p, size_t off, size_t n)
{
	const u8 *b = p;
	u64 k = 0;

	if (off + 8 <= n) {
		memcpy(&k, b + off, 8);
		return __builtin_bswap64(k);
	}
	for (size_t i = off; i < off + 8; i++)
		k = (k << 8) | (i < n ? b[i] : 0);
	return k;
}

static inline u64 ord_int(int x)
{
	return (u64)(s64)x ^ (1ULL << 63);
}

/* the row's identity as two keys */
static void ident(enum tui_view v, const struct tui_rec *r, u64 *hi, u64 *lo)
{
	switch (v) {
	case TUI_PEERS:
		*hi = ((u64)r->peer.key.family << 56) |
		      (be64(r->peer.key.addr, 0, RT_ADDR_BYTES) >> 8);
		*lo = be64(r->peer.key.addr, 7, RT_ADDR_BYTES);
		break;
	case TUI_SOCKS:
		*hi = ((u64)(u32)r->id << 32) | (u32)r->id2;
		*lo = r->sock.sk;
		break;
	case TUI_READERS:
		*hi = ((u64)(u32)r->id << 32) | (u32)r->id2;
		*lo = r->kind;
		break;
	case TUI_CONTS:
		*hi = r->cont;
		*lo = 0;
		break;
	default:
		*hi = (u64)(u32)r->id;
		*lo = 0;
		break;
	}
}

/*
 * The keys of a row for column c (desc turns the column's order).  The
 * rows come in identity order and the sort is stable, so the keys are the
 * column alone: ties stay in identity order.
 */
static void sort_keys(const struct tui_snap *s, const struct tui_col *c,
		      bool desc, const struct tui_rec *r, u64 k[3])
{
	k[1] = k[2] = 0;
	switch (c->fmt) {
	case TF_CONT:
	case TF_CONT2: {
		/* by the name as shown: "-" (the host) first */
		u32 id = c->fmt == TF_CONT ? r->cont : r->cont2;
		const char *t = id ? tui_snap_cont_name(s, id) : "-";
		size_t n = strlen(t);

		k[0] = be64(t, 0, n);
		k[1] = be64(t, 8, n);
		k[2] = be64(t, 16, n);
		break;
	}
	case TF_NAME:
	case TF_NAME2: {
		const char *t = c->fmt == TF_NAME ? r->name : r->name2;

		k[0] = be64(t, 0, RT_COMM_LEN);
		k[1] = be64(t, 8, RT_COMM_LEN);
		break;
	}
	case TF_ADDR:
		k[0] = ((u64)r->peer.key.family << 56) |
		       (be64(r->peer.key.addr, 0, RT_ADDR_BYTES) >> 8);
		k[1] = be64(r->peer.key.addr, 7, RT_ADDR_BYTES);
		/* the port comes from the identity order */
		k[2] = be64(r->peer.key.addr, 14, RT_ADDR_BYTES) << 8;
		break;
	case TF_PID:
	case TF_TOP:
		k[0] = ord_int(r->id);
		break;
	case TF_ID2:
		k[0] = ord_int(r->id2);
		break;
	case TF_PORT:
		k[0] = r->port;
		break;
	case TF_FAMILY:
	case TF_VIA:
	case TF_PROTO:
	case TF_KIND:
		k[0] = r->kind;
		break;
	case TF_STATE:
		k[0] = !r->cont ? 0 : (r->flags & TUI_REC_STOPPED) ? 2 : 1;
		break;
	case TF_PPROTO:
		k[0] = r->peer.key.proto;
		break;
	case TF_LPORT:
		k[0] = r->peer.key.local_port;
		break;
	case TF_FD:
		k[0] = ord_int(r->sock.fd);
		break;
	case TF_SVIAS:
		k[0] = r->sock.vias;
		break;
	case TF_SOCK:
		k[0] = r->sock.sk;
		break;
	case TF_NS:
		/* rows without a latency sort below every latency */
		k[0] = (r->flags & TUI_REC_NOLAT) ? 0 : r->v[c->val] + 1;
		break;
	default:
		k[0] = r->v[c->val];
		break;
	}
	if (desc) {
		k[0] = ~k[0];
		k[1] = ~k[1];
		k[2] = ~k[2];
	}
}

static int cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

/* peers: family, address bytes, port */
static int cmp_peer(const struct rt_peer_key *a, const struct rt_peer_key *b)
{
	int r = cmp_int(a->family, b->family);

	if (!r)
		r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (!r)
		r = cmp_int(a->port, b->port);
	if (!r)
		r = cmp_int(a->proto, b->proto);
	if (!r)
		r = cmp_int(a->local_port, b->local_port);
	if (!r)
		r = cmp_int(a->source, b->source);
	return r ? r : cmp_int(a->len, b->len);
}

/* the identity order of rows */
static int cmp_ident(enum tui_view v, const struct tui_rec *a,
		     const struct tui_rec *b)
{
	int r;

	switch (v) {
	case TUI_PEERS:
		return cmp_peer(&a->peer.key, &b->peer.key);
	case TUI_SOCKS:
		r = cmp_int(a->id, b->id);
		if (!r)
			r = cmp_int(a->id2, b->id2);
		return r ? r : (a->sock.sk > b->sock.sk) -
			       (a->sock.sk < b->sock.sk);
	case TUI_READERS:
		r = cmp_int(a->id, b->id);
		if (!r)
			r = cmp_int(a->id2, b->id2);
		return r ? r : cmp_int(a->kind, b->kind);
	default:
		return cmp_int(a->id, b->id);
	}
}

/* LSD radix over the 24 bytes of k[2], k[1], k[0]; returns the output */
static struct tui_sort_ent *radix(struct tui_sort_ent *a,
				  struct tui_sort_ent *b, u32 n)
{
	u64 and_k[3] = { ~0ULL, ~0ULL, ~0ULL }, or_k[3] = { 0, 0, 0 };
	u32 count[24][256];
	int digit[24], nd = 0;

	/* only the bytes that differ somewhere need a pass */
	for (u32 i = 0; i < n; i++) {
		for (int w = 0; w < 3; w++) {
			and_k[w] &= a[i].k[w];
			or_k[w] |= a[i].k[w];
		}
	}
	for (int d = 0; d < 24; d++) {
		int word = 2 - d / 8, shift = 8 * (d % 8);

		if (((and_k[word] ^ or_k[word]) >> shift) & 0xff)
			digit[nd++] = d;
	}
	memset(count, 0, sizeof(u32) * 256 * (size_t)nd);
	for (u32 i = 0; i < n; i++) {
		for (int j = 0; j < nd; j++) {
			int word = 2 - digit[j] / 8, shift = 8 * (digit[j] % 8);

			count[j][(a[i].k[word] >> shift) & 0xff]++;
		}
	}
	for (int j = 0; j < nd; j++) {
		u32 *c = count[j];
		int word = 2 - digit[j] / 8, shift = 8 * (digit[j] % 8);
		struct tui_sort_ent *t;
		u32 sum = 0;

		for (int i = 0; i < 256; i++) {
			u32 here = c[i];

			c[i] = sum;
			sum += here;
		}
		for (u32 i = 0; i < n; i++)
			b[c[(a[i].k[word] >> shift) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	return a;
}

struct ident_ctx {
	enum tui_view v;
	const struct tui_rec *recs;
};

static int cmp_ent(const void *a, const void *b, void *ctx)
{
	const struct ident_ctx *x = ctx;
	const struct tui_sort_ent *ea = a, *eb = b;

	return cmp_ident(x->v, &x->recs[ea->idx], &x->recs[eb->idx]);
}

static bool same_keys(const struct tui_sort_ent *a,
		      const struct tui_sort_ent *b)
{
	return a->k[0] == b->k[0] && a->k[1] == b->k[1] && a->k[2] == b->k[2];
}

static int grow(struct tui_list *l, u32 n)
{
	u32 *idx, *byid, *byid_tmp;
	struct tui_sort_ent *ent, *tmp;

	if (n <= l->cap)
		return 0;
	idx = realloc(l->idx, n * sizeof(*idx));
	if (idx)
		l->idx = idx;
	byid = realloc(l->byid, n * sizeof(*byid));
	if (byid)
		l->byid = byid;
	byid_tmp = realloc(l->byid_tmp, n * sizeof(*byid_tmp));
	if (byid_tmp)
		l->byid_tmp = byid_tmp;
	ent = realloc(l->ent, n * sizeof(*ent));
	if (ent)
		l->ent = ent;
	tmp = realloc(l->tmp, n * sizeof(*tmp));
	if (tmp)
		l->tmp = tmp;
	if (!idx || !byid || !byid_tmp || !ent || !tmp)
		return -1;
	l->cap = n;
	return 0;
}

/* bring l->byid up to the snapshot's rows [0, rows) */
static void update_byid(struct tui_list *l, const struct tui_snap *s,
			u32 rows)
{
	struct ident_ctx x = { .v = s->view, .recs = s->recs };
	struct tui_sort_ent *sorted;
	u32 from = 0, n = 0, i, j, o;

	if (l->byid_view == (int)s->view && l->byid_epoch == s->epoch &&
	    rows >= l->byid_n)
		from = l->byid_n;
	else
		l->byid_n = 0;
	if (from == rows)
		return;
	/* the new rows, in identity order */
	for (i = from; i < rows; i++) {
		struct tui_sort_ent *e = &l->ent[n++];

		ident(s->view, &s->recs[i], &e->k[0], &e->k[1]);
		e->k[2] = 0;
		e->idx = i;
	}
	sorted = n > 1 ? radix(l->ent, l->tmp, n) : l->ent;
	for (i = 0; i < n;) {
		j = i + 1;
		while (j < n && same_keys(&sorted[j], &sorted[i]))
			j++;
		/* peers whose keys do not cover the whole address */
		if (j - i > 1)
			qsort_r(sorted + i, j - i, sizeof(*sorted), cmp_ent, &x);
		i = j;
	}
	/* merged with the rows known before */
	for (i = 0, j = 0, o = 0; i < l->byid_n || j < n;) {
		if (j == n || (i < l->byid_n &&
			       cmp_ident(s->view, &s->recs[l->byid[i]],
					 &s->recs[sorted[j].idx]) < 0))
			l->byid_tmp[o++] = l->byid[i++];
		else
			l->byid_tmp[o++] = sorted[j++].idx;
	}
	memcpy(l->byid, l->byid_tmp, o * sizeof(*l->byid));
	l->byid_n = o;
	l->byid_view = (int)s->view;
	l->byid_epoch = s->epoch;
}

int tui_list_build(struct tui_list *l, const struct tui_snap *s, int col,
		   bool invert, const char *filter, long cont)
{
	unsigned int nr_cols;
	const struct tui_col *cols = tui_view_cols(s->view, &nr_cols);
	const struct tui_col *c;
	struct tui_sort_ent *sorted;
	bool desc, other;
	u32 n = 0, rows = s->nr;

	l->n = 0;
	if (!l->idx)
		l->byid_view = -1;
	if (grow(l, s->nr))
		return -1;
	if (col < 0 || (unsigned int)col >= nr_cols)
		col = tui_view_default_sort(s->view);
	c = &cols[col];
	desc = !(c->flags & TC_ASC) != invert;
	/* the (other) row is the last record, and always shown last */
	other = rows && (s->recs[rows - 1].flags & TUI_REC_OTHER);
	if (other)
		rows--;
	update_byid(l, s, rows);
	/* keys in record order (the records are read in order), ... */
	for (u32 i = 0; i < rows; i++) {
		const struct tui_rec *r = &s->recs[i];
		struct tui_sort_ent *e = &l->tmp[i];

		if ((cont >= 0 && r->cont != (u32)cont) ||
		    (filter && filter[0] && !tui_rec_matches(s, r, filter))) {
			e->idx = UINT32_MAX;
			continue;
		}
		sort_keys(s, c, desc, r, e->k);
		e->idx = i;
	}
	/* ... then taken in identity order */
	for (u32 j = 0; j < l->byid_n; j++) {
		const struct tui_sort_ent *e = &l->tmp[l->byid[j]];

		if (e->idx != UINT32_MAX)
			l->ent[n++] = *e;
	}
	sorted = n > 1 ? radix(l->ent, l->tmp, n) : l->ent;
	for (u32 i = 0; i < n; i++)
		l->idx[i] = sorted[i].idx;
	/* the processes beyond the cap: in no container known */
	if (other && cont < 0 && tui_rec_matches(s, &s->recs[s->nr - 1], filter))
		l->idx[n++] = s->nr - 1;
	l->n = n;
	return 0;
}

void tui_list_free(struct tui_list *l)
{
	free(l->idx);
	free(l->ent);
	free(l->tmp);
	free(l->byid);
	free(l->byid_tmp);
	memset(l, 0, sizeof(*l));
	l->byid_view = -1;
}
