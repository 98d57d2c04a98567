// SPDX-License-Identifier: GPL-2.0
/* The TUI's model: table snapshots and recent raw events (run thread). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/tui_model.h"

#define P99 0.99

/* ---- snapshots ---- */

struct tui_snap *tui_snap_new(void)
{
	return calloc(1, sizeof(struct tui_snap));
}

void tui_snap_free(struct tui_snap *s)
{
	if (!s)
		return;
	free(s->recs);
	free(s->name_at);
	free(s->names);
	free(s->procs_of);
	free(s);
}

/* ---- container names: copied into the snapshot as records need them ---- */

/* the fill starts: no name copied yet; -1 on out of memory */
static int names_begin(struct tui_snap *s, const struct taskinfo *ti)
{
	u32 n = taskinfo_container_count(ti) + 1;

	if (n > s->name_at_cap) {
		u32 *na = realloc(s->name_at, n * sizeof(*na));

		if (!na)
			return -1;
		s->name_at = na;
		s->name_at_cap = n;
	}
	memset(s->name_at, 0, n * sizeof(*s->name_at));
	s->name_at_nr = n;
	s->names_len = 0;
	return 0;
}

/* copy the name of container id once per fill (s NULL: no snapshot) */
static void name_keep(struct tui_snap *s, const struct taskinfo *ti, u32 id)
{
	const char *name;
	u32 len;

	if (!s || !id || id >= s->name_at_nr || s->name_at[id])
		return;
	name = taskinfo_container_name(ti, id);
	len = (u32)strlen(name) + 1;
	if (s->names_len + len > s->names_cap) {
		u32 cap = s->names_cap ? s->names_cap : 4096;
		char *nn;

		while (cap < s->names_len + len)
			cap *= 2;
		nn = realloc(s->names, cap);
		if (!nn)
			return;		/* shown as "?" */
		s->names = nn;
		s->names_cap = cap;
	}
	memcpy(s->names + s->names_len, name, len);
	s->name_at[id] = s->names_len + 1;
	s->names_len += len;
}

const char *tui_snap_cont_name(const struct tui_snap *s, u32 id)
{
	if (!id)
		return "";
	if (id >= s->name_at_nr || !s->name_at[id])
		return "?";
	return s->names + s->name_at[id] - 1;
}

/* process names for a table copy: a small cache before the lookup */
#define COMM_CACHE 1024

struct comm_cache {
	struct {
		int tgid;
		const char *comm;
	} e[COMM_CACHE];
};

static const char *comm_of(struct comm_cache *cc, const struct stats *st,
			   int tgid)
{
	u32 h = ((u32)tgid * 2654435761u) >> 22;
	const struct rt_proc_row *p;

	if (cc->e[h].comm && cc->e[h].tgid == tgid)
		return cc->e[h].comm;
	p = table_find(&st->procs, &tgid);
	cc->e[h].tgid = tgid;
	cc->e[h].comm = p && p->comm[0] ? p->comm : "?";
	return cc->e[h].comm;
}

/*
 * hist32_quantile() from the top: p99 sits in the highest buckets, so
 * walking down from the bucket of the maximum takes a few steps instead
 * of a few hundred.  Same answer (the ceil(q * n)-th smallest value).
 */
static u64 quantile_from_top(const struct rt_hist32 *h, u64 n, double q,
			     u64 max)
{
	double r = ceil(q * (double)n);
	u64 want, above = 0, hi;

	if (!n)
		return 0;
	want = r < 1 ? 1 : r > (double)n ? n : (u64)r;
	for (int i = (int)hist_bucket(max); i >= 0; i--) {
		if (above + h->b[i] > n - want) {
			hi = hist_bucket_high((unsigned int)i);
			return hi < max ? hi : max;
		}
		above += h->b[i];
	}
	return hist32_quantile(h, n, q, max);
}

static void rec_counters(struct tui_rec *r, const struct rt_counters *last,
			 const struct rt_counters *total, bool active)
{
	if (active) {
		r->flags |= TUI_REC_ACTIVE;
		r->v[TV_CALLS] = last->calls;
		r->v[TV_BYTES] = last->bytes;
		r->v[TV_ERRORS] = last->errors;
		r->v[TV_EAGAIN] = last->eagain;
		r->v[TV_LAT_AVG] = counters_lat_avg(last);
		r->v[TV_LAT_MAX] = last->lat_max;
		r->v[TV_TX_CALLS] = last->tx_calls;
		r->v[TV_TX_BYTES] = last->tx_bytes;
		if (!last->lat_n)
			r->flags |= TUI_REC_NOLAT;
	} else {
		r->flags |= TUI_REC_NOLAT;
	}
	r->v[TV_T_CALLS] = total->calls;
	r->v[TV_T_BYTES] = total->bytes;
	r->v[TV_T_ERRORS] = total->errors;
	r->v[TV_T_EAGAIN] = total->eagain;
	r->v[TV_T_TX_CALLS] = total->tx_calls;
	r->v[TV_T_TX_BYTES] = total->tx_bytes;
}

static void rec_proc(struct tui_rec *r, struct tui_snap *s,
		     const struct stats *st, const struct rt_proc_row *p)
{
	bool active = stats_row_in_last(st, p->last_gen);

	memset(r, 0, sizeof(*r));
	if (p->hdr.flags & RT_ROW_OTHER) {
		r->flags = TUI_REC_OTHER;
		r->id = -1;
	} else {
		r->id = p->tgid;
		memcpy(r->name, p->comm, RT_COMM_LEN);
		r->name[RT_COMM_LEN - 1] = 0;
		r->cont = p->container;
		name_keep(s, st->tasks, p->container);
	}
	rec_counters(r, &p->last, &p->total, active);
	if (active && p->last.lat_n)
		r->v[TV_LAT_P99] = quantile_from_top(&p->last_hist,
						     p->last.lat_n, P99,
						     p->last.lat_max);
	r->v[TV_LAST_SEEN] = p->last_seen;
}

static void rec_sock(struct tui_rec *r, const struct stats *st,
		     struct comm_cache *cc, const struct rt_sock_row *s)
{
	memset(r, 0, sizeof(*r));
	if (s->hdr.flags & RT_ROW_OTHER) {
		r->flags = TUI_REC_OTHER;
		r->id = -1;
		r->id2 = -1;
	} else {
		r->id = s->key.tgid;
		r->id2 = s->key.fd;
		r->sock.sk = s->key.sk;
		r->sock.fd = s->fd;
		r->sock.vias = s->total_vias;
		r->kind = s->family ? (u16)rt_proto_of(s->family, s->protocol) :
				      RT_PROTO_NR;
		snprintf(r->name, sizeof(r->name), "%s",
			 comm_of(cc, st, s->key.tgid));
	}
	rec_counters(r, &s->last, &s->total,
		     stats_row_in_last(st, s->last_gen));
	r->v[TV_LAST_SEEN] = s->last_seen;
}

static void rec_peer(struct tui_rec *r, const struct stats *st,
		     struct comm_cache *cc, const struct rt_peer_row *p)
{
	memset(r, 0, sizeof(*r));
	/* the address text is made when needed (tui_rec_addr) */
	r->peer.key = p->key;
	if (p->hdr.flags & RT_ROW_OTHER) {
		r->flags = TUI_REC_OTHER;
		r->kind = RT_FAM_OTHER;
		r->id = -1;
	} else {
		r->kind = p->key.family;
		r->port = p->key.port;
		r->id = p->top_tgid;
		if (p->top_tgid)
			snprintf(r->name, sizeof(r->name), "%s",
				 comm_of(cc, st, p->top_tgid));
	}
	rec_counters(r, &p->last, &p->total,
		     stats_row_in_last(st, p->last_gen));
	r->v[TV_LAST_SEEN] = p->last_seen;
}

static void rec_reader(struct tui_rec *r, struct tui_snap *s,
		       const struct stats *st, const struct rt_reader_row *rr)
{
	memset(r, 0, sizeof(*r));
	if (rr->hdr.flags & RT_ROW_OTHER) {
		r->flags = TUI_REC_OTHER;
		r->id = -1;
		r->id2 = -1;
		r->kind = RT_VIA_NR;
	} else {
		r->id = rr->key.reader_tgid;
		r->id2 = rr->key.target_tgid;
		r->kind = (u16)rr->key.via;
		memcpy(r->name, rr->reader_comm, RT_COMM_LEN);
		memcpy(r->name2, rr->target_comm, RT_COMM_LEN);
		r->name[RT_COMM_LEN - 1] = 0;
		r->name2[RT_COMM_LEN - 1] = 0;
		r->cont = rr->reader_container;
		r->cont2 = rr->target_container;
		name_keep(s, st->tasks, rr->reader_container);
		name_keep(s, st->tasks, rr->target_container);
	}
	r->flags |= TUI_REC_NOLAT;
	if (stats_row_in_last(st, rr->last_gen)) {
		r->flags |= TUI_REC_ACTIVE;
		r->v[TV_CALLS] = rr->last.count;
		r->v[TV_ERRORS] = rr->last.denied;
	}
	r->v[TV_T_CALLS] = rr->total.count;
	r->v[TV_T_ERRORS] = rr->total.denied;
	r->v[TV_LAST_SEEN] = rr->last_seen;
}

static void rec_cont(struct tui_rec *r, struct tui_snap *s,
		     const struct stats *st, const struct rt_cont_row *c)
{
	memset(r, 0, sizeof(*r));
	if (c->hdr.flags & RT_ROW_OTHER) {
		r->flags = TUI_REC_OTHER;
		r->id = -1;
	} else {
		r->cont = c->container;
		r->id = (int)c->container;
		r->kind = (u16)taskinfo_container_kind(st->tasks, c->container);
		if (c->stopped)
			r->flags |= TUI_REC_STOPPED;
		name_keep(s, st->tasks, c->container);
		if (s && c->container < s->procs_of_cap)
			r->v[TV_PROCS] = s->procs_of[c->container];
	}
	rec_counters(r, &c->last, &c->total,
		     stats_row_in_last(st, c->last_gen));
	r->flags |= TUI_REC_NOLAT;
	r->v[TV_LAST_SEEN] = c->last_seen;
}

static const struct rt_table *view_table(const struct stats *st,
					 enum tui_view view)
{
	switch (view) {
	case TUI_CONTS:
		return &st->conts;
	case TUI_PEERS:
		return &st->peers;
	case TUI_SOCKS:
		return &st->socks;
	case TUI_READERS:
		return &st->readers;
	default:
		return &st->procs;
	}
}

static void rec_of_row(struct tui_rec *r, struct tui_snap *s,
		       enum tui_view view, const struct stats *st,
		       struct comm_cache *cc, const void *row)
{
	switch (view) {
	case TUI_CONTS:
		rec_cont(r, s, st, row);
		break;
	case TUI_PEERS:
		rec_peer(r, st, cc, row);
		break;
	case TUI_SOCKS:
		rec_sock(r, st, cc, row);
		break;
	case TUI_READERS:
		rec_reader(r, s, st, row);
		break;
	default:
		rec_proc(r, s, st, row);
		break;
	}
}

static bool counted(const struct rt_counters *c)
{
	return c->calls || c->tx_calls;
}

/* rows exist from their first receive or send on; a replay's view keeps
 * them (zeroed) when it steps back before it */
static bool row_counted(enum tui_view view, const void *row)
{
	switch (view) {
	case TUI_PROCS:
		return counted(&((const struct rt_proc_row *)row)->total);
	case TUI_PEERS:
		return counted(&((const struct rt_peer_row *)row)->total);
	case TUI_SOCKS:
		return counted(&((const struct rt_sock_row *)row)->total);
	case TUI_CONTS:
		return counted(&((const struct rt_cont_row *)row)->total);
	default:
		return ((const struct rt_reader_row *)row)->total.count;
	}
}

/*
 * Whether a container or service was seen (the Processes and Readers
 * views show their CONTAINER columns then), and for the Containers view
 * the processes of each container (by their latest call)
 */
static int count_conts(struct tui_snap *s, const struct stats *st,
		       enum tui_view view)
{
	u32 n = table_count(&st->conts), np, nc;

	s->has_conts = false;
	for (u32 i = 0; i < n && !s->has_conts; i++) {
		const struct rt_cont_row *c = table_any_row(&st->conts, i);

		if ((c->hdr.flags & RT_ROW_OTHER) || c->container)
			s->has_conts = row_counted(TUI_CONTS, c);
	}
	if (view != TUI_CONTS)
		return 0;
	nc = s->name_at_nr;
	if (nc > s->procs_of_cap) {
		u32 *p = realloc(s->procs_of, nc * sizeof(*p));

		if (!p)
			return -1;
		s->procs_of = p;
		s->procs_of_cap = nc;
	}
	memset(s->procs_of, 0, s->procs_of_cap * sizeof(*s->procs_of));
	np = table_count(&st->procs);
	for (u32 i = 0; i < np; i++) {
		const struct rt_proc_row *p = table_any_row(&st->procs, i);

		if (!(p->hdr.flags & RT_ROW_OTHER) && row_counted(TUI_PROCS, p) &&
		    p->container < nc)
			s->procs_of[p->container]++;
	}
	return 0;
}

int tui_snap_fill(struct tui_snap *s, enum tui_view view,
		  const struct stats *st)
{
	const struct rt_table *t = view_table(st, view);
	u32 n = table_count(t);
	struct comm_cache cc;

	memset(&cc, 0, sizeof(cc));
	s->view = view;
	s->epoch = st->resets;
	s->nr = 0;
	if (names_begin(s, st->tasks) || count_conts(s, st, view))
		return -1;
	if (n > s->cap) {
		struct tui_rec *nr = realloc(s->recs, n * sizeof(*nr));

		if (!nr)
			return -1;
		s->recs = nr;
		s->cap = n;
	}
	for (u32 i = 0; i < n; i++) {
		const void *row = table_any_row(t, i);

		/* a replay stepped back before the row's first call */
		if (!row_counted(view, row))
			continue;
		rec_of_row(&s->recs[s->nr++], s, view, st, &cc, row);
	}
	return 0;
}

const char *tui_rec_addr(const struct tui_rec *cr)
{
	/* the record belongs to the caller's snapshot: the text is cached */
	struct tui_rec *r = (struct tui_rec *)cr;
	struct rt_addr a;

	if (r->flags & TUI_REC_ADDR)
		return r->peer.addr;
	r->flags |= TUI_REC_ADDR;
	if (r->flags & TUI_REC_OTHER) {
		snprintf(r->peer.addr, sizeof(r->peer.addr), "(other)");
		return r->peer.addr;
	}
	if (r->peer.key.family == RT_FAM_INET) {
		/* inet_ntop's text, several times faster */
		char *o = r->peer.addr;

		for (int i = 0; i < 4; i++) {
			unsigned int b = r->peer.key.addr[i];

			if (i)
				*o++ = '.';
			if (b >= 100)
				*o++ = (char)('0' + b / 100);
			if (b >= 10)
				*o++ = (char)('0' + b / 10 % 10);
			*o++ = (char)('0' + b % 10);
		}
		*o = 0;
		return r->peer.addr;
	}
	rt_peer_key_addr(&r->peer.key, &a);
	rt_addr_format(&a, r->peer.addr, sizeof(r->peer.addr));
	return r->peer.addr;
}

/* ---- row identity ---- */

void tui_rec_key(enum tui_view view, const struct tui_rec *r,
		 struct tui_key *k)
{
	memset(k, 0, sizeof(*k));
	k->view = (u8)view;
	k->other = !!(r->flags & TUI_REC_OTHER);
	if (k->other)
		return;
	switch (view) {
	case TUI_PEERS:
		k->peer = r->peer.key;
		break;
	case TUI_SOCKS:
		k->id = r->id;
		k->id2 = r->id2;
		k->sk = r->sock.sk;
		break;
	case TUI_READERS:
		k->id = r->id;
		k->id2 = r->id2;
		k->kind = r->kind;
		break;
	case TUI_CONTS:
		k->id = (int)r->cont;
		break;
	default:
		k->id = r->id;
		break;
	}
}

bool tui_key_eq(const struct tui_key *a, const struct tui_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

bool tui_find_rec(const struct stats *st, const struct tui_key *k,
		  struct tui_rec *out)
{
	const struct rt_table *t = view_table(st, (enum tui_view)k->view);
	struct comm_cache cc;
	const void *row;

	if (k->other) {
		u32 n = table_count(t);

		/* the other row comes last, if it exists */
		row = n ? table_any_row(t, n - 1) : NULL;
		if (!row || !(((const struct rt_row *)row)->flags &
			      RT_ROW_OTHER))
			return false;
	} else {
		switch (k->view) {
		case TUI_PEERS:
			row = table_find(t, &k->peer);
			break;
		case TUI_SOCKS: {
			struct rt_sock_key sk = { .tgid = k->id, .fd = k->id2,
						  .sk = k->sk };

			row = table_find(t, &sk);
			break;
		}
		case TUI_CONTS: {
			u32 c = (u32)k->id;

			row = table_find(t, &c);
			break;
		}
		case TUI_READERS: {
			struct rt_reader_key rk;

			memset(&rk, 0, sizeof(rk));
			rk.reader_tgid = k->id;
			rk.target_tgid = k->id2;
			rk.via = k->kind;
			row = table_find(t, &rk);
			break;
		}
		default:
			row = table_find(t, &k->id);
			break;
		}
		if (!row)
			return false;
	}
	memset(&cc, 0, sizeof(cc));
	rec_of_row(out, NULL, (enum tui_view)k->view, st, &cc, row);
	return true;
}

/* ---- recent events and the watch ---- */

/* tid -> tgid, through a small direct-mapped cache */
static int tgid_of(struct tui_watch *w, struct taskinfo *tasks, int tid)
{
	struct tui_watch_tid *c = &w->tids[(u32)tid & (TUI_WATCH_TIDS - 1)];
	const struct rt_task *t;

	if (c->tid == tid)
		return c->tgid;
	t = taskinfo_peek(tasks, tid);
	if (!t)
		return tid;	/* not resolved yet: ask again next time */
	c->tid = tid;
	c->tgid = t->tgid;
	return c->tgid;
}

static struct tui_watch_pend *pend_slot(struct tui_watch_pend *tab, int tid)
{
	return &tab[(u32)tid & (TUI_WATCH_PENDING - 1)];
}

static void watch_keep(struct tui_watch *w, const struct rt_event *ev)
{
	w->ev[w->head & (TUI_WATCH_EVENTS - 1)] = *ev;
	w->head++;
}

static void watch_exit(struct tui_watch *w, const struct rt_event *ev)
{
	struct tui_watch_pend *p = pend_slot(w->pend, ev->tid);

	if (p->tid != ev->tid)
		return;
	watch_keep(w, ev);
	if (p->ts && ev->ts >= p->ts) {
		u64 lat = ev->ts - p->ts;

		w->hist.b[hist_bucket(lat)]++;
		w->hist_n++;
		w->hist_sum += lat;
		if (lat > w->hist_max)
			w->hist_max = lat;
	}
	p->tid = 0;
}

static void watch_enter(struct tui_watch *w, const struct rt_event *ev,
			u64 ts)
{
	struct tui_watch_pend *p = pend_slot(w->pend, ev->tid);

	p->tid = ev->tid;
	p->ts = ts;
	watch_keep(w, ev);
}

static bool peer_is(const struct rt_peer_key *k, const struct rt_addr *a)
{
	return k->family == a->family && k->len == a->len &&
	       k->port == a->port &&
	       !memcmp(k->addr, a->addr, a->len <= RT_ADDR_BYTES ?
		       a->len : RT_ADDR_BYTES);
}

/* a socket event of the watched process, or of the watched socket */
static bool watch_sock_is(struct tui_watch *w, struct taskinfo *tasks,
			  const struct rt_event *ev)
{
	const struct tui_key *k = &w->key;

	switch (k->view) {
	case TUI_PROCS:
		return tgid_of(w, tasks, ev->tid) == k->id;
	case TUI_SOCKS:
		return k->sk && ev->sock.sk == k->sk &&
		       tgid_of(w, tasks, ev->tid) == k->id;
	case TUI_PEERS:
		/* a send that named the peer (kprobe backend) */
		return ev->kind == RT_EV_SOCK_ENTER && ev->sock.has_dst &&
		       peer_is(&k->peer, &ev->sock.dst);
	default:
		return false;
	}
}

static void watch_event(struct tui_watch *w, struct taskinfo *tasks,
			const struct rt_event *ev)
{
	const struct tui_key *k = &w->key;
	struct tui_watch_pend *e;
	/* the histogram is of receives: a send's entry starts none */
	u64 lat_ts = ev->kind == RT_EV_RECV_ENTER &&
		     rt_br_is_tx(ev->recv_enter.via) ? 0 : ev->ts;

	switch (ev->kind) {
	case RT_EV_RECV_ENTER:
		switch (k->view) {
		case TUI_PROCS:
			if (tgid_of(w, tasks, ev->tid) == k->id)
				watch_enter(w, ev, lat_ts);
			break;
		case TUI_SOCKS:
			/* a socket known by its address: its own events */
			if (!k->sk && ev->recv_enter.fd == k->id2 &&
			    tgid_of(w, tasks, ev->tid) == k->id)
				watch_enter(w, ev, lat_ts);
			break;
		case TUI_PEERS:
			/* the address comes later: remember when it began */
			e = pend_slot(w->enter, ev->tid);
			e->tid = ev->tid;
			e->ts = ev->ts;
			break;
		default:
			break;
		}
		return;
	case RT_EV_RECV_ADDR:
		if (k->view == TUI_PEERS) {
			if (peer_is(&k->peer, &ev->recv_addr.addr)) {
				e = pend_slot(w->enter, ev->tid);
				watch_enter(w, ev, e->tid == ev->tid ?
					    e->ts : 0);
			}
		} else if (pend_slot(w->pend, ev->tid)->tid == ev->tid) {
			watch_keep(w, ev);
		}
		return;
	case RT_EV_RECV_EXIT:
		if (k->view != TUI_READERS)
			watch_exit(w, ev);
		return;
	case RT_EV_SOCK_RECV:
	case RT_EV_SOCK_SEND:
	case RT_EV_SOCK_ENTER:
		if (!watch_sock_is(w, tasks, ev))
			return;
		/* a protocol's entry: its return gives the latency (of a
		 * receive) */
		if (ev->kind == RT_EV_SOCK_ENTER && k->view == TUI_SOCKS)
			watch_enter(w, ev, ev->sock.tx ? 0 : ev->ts);
		else
			watch_keep(w, ev);
		return;
	case RT_EV_SOCK_EXIT:
		if (k->view == TUI_SOCKS)
			watch_exit(w, ev);
		else if (k->view == TUI_PROCS &&
			 tgid_of(w, tasks, ev->tid) == k->id)
			watch_keep(w, ev);
		return;
	case RT_EV_MM_ENTER:
	case RT_EV_SC_ENTER:
		if (k->view == TUI_READERS &&
		    tgid_of(w, tasks, ev->tid) == k->id)
			watch_enter(w, ev, ev->ts);
		return;
	case RT_EV_MM_EXIT:
	case RT_EV_SC_EXIT:
		if (k->view == TUI_READERS)
			watch_exit(w, ev);
		return;
	default:
		return;
	}
}

/*
 * The hot path: one copy into the ring; while a drill-down is open, a few
 * comparisons more.  Nothing is allocated.
 */
void tui_events_hook(void *ctx, const struct rt_event *ev)
{
	struct tui_events *e = ctx;

	e->ring[e->head & (TUI_RECENT_EVENTS - 1)] = *ev;
	e->head++;
	if (e->watch.active && !e->watch.key.other)
		watch_event(&e->watch, e->tasks, ev);
}

void tui_watch_start(struct tui_events *e, const struct tui_key *k)
{
	struct tui_watch *w = &e->watch;
	u64 n, i;

	memset(w, 0, sizeof(*w));
	if (!k)
		return;
	w->key = *k;
	w->active = true;
	if (k->other)
		return;
	/* what the recent ring still holds, oldest first */
	n = e->head < TUI_RECENT_EVENTS ? e->head : TUI_RECENT_EVENTS;
	for (i = e->head - n; i < e->head; i++)
		watch_event(w, e->tasks,
			    &e->ring[i & (TUI_RECENT_EVENTS - 1)]);
}

u32 tui_peer_procs(const struct stats *st, const struct rt_peer_key *k,
		   struct tui_peer_proc *out, u32 max, u32 *nr_out)
{
	const struct rt_table *t = &st->peer_procs;
	struct comm_cache cc;
	u32 all = 0, nr = 0;

	memset(&cc, 0, sizeof(cc));
	for (u32 i = 0; i < t->nr_rows; i++) {
		const struct rt_peer_proc_row *r = table_row(t, i);
		u32 at;

		if (memcmp(&r->key.peer, k, sizeof(*k)))
			continue;
		all++;
		/* insertion into the top max, most bytes first */
		for (at = nr; at > 0 && out[at - 1].bytes < r->bytes; at--)
			;
		if (at >= max)
			continue;
		if (nr < max)
			nr++;
		memmove(&out[at + 1], &out[at], (nr - 1 - at) * sizeof(*out));
		out[at].tgid = r->key.tgid;
		out[at].bytes = r->bytes;
		snprintf(out[at].comm, sizeof(out[at].comm), "%s",
			 comm_of(&cc, st, r->key.tgid));
	}
	*nr_out = nr;
	return all;
}

void tui_drill_fill(struct tui_drill *d, struct tui_events *e,
		    const struct stats *st, u64 t0, u64 until)
{
	struct tui_watch *w = &e->watch;
	u64 n, i;

	d->key = w->key;
	d->found = tui_find_rec(st, &w->key, &d->rec);
	if (d->found && w->key.view == TUI_PEERS)
		tui_rec_addr(&d->rec);
	d->nr_procs = d->all_procs = 0;
	if (w->key.view == TUI_PEERS && !w->key.other)
		d->all_procs = tui_peer_procs(st, &w->key.peer, d->procs,
					      TUI_DRILL_PROCS, &d->nr_procs);
	d->hist_of_row = false;
	if (d->found && w->key.view == TUI_PROCS) {
		const struct rt_proc_row *p = NULL;
		const struct rt_table *t = &st->procs;

		if (w->key.other) {
			u32 c = table_count(t);

			p = c ? table_any_row(t, c - 1) : NULL;
		} else {
			p = table_find(t, &w->key.id);
		}
		if (p) {
			d->hist_of_row = true;
			d->hist = p->total_hist;
			d->hist_n = p->total.lat_n;
			d->hist_sum = p->total.lat_sum;
			d->hist_max = p->total.lat_max;
		}
	}
	if (!d->hist_of_row) {
		d->hist = w->hist;
		d->hist_n = w->hist_n;
		d->hist_sum = w->hist_sum;
		d->hist_max = w->hist_max;
	}
	d->seen = w->head;
	n = w->head < TUI_DRILL_EVENTS ? w->head : TUI_DRILL_EVENTS;
	d->nr = 0;
	for (i = 0; i < n; i++) {
		const struct rt_event *ev =
			&w->ev[(w->head - n + i) & (TUI_WATCH_EVENTS - 1)];
		const struct rt_task *t = taskinfo_peek(e->tasks, ev->tid);
		struct tui_event *out;

		/* a replay shown before events it has already read */
		if (until && ev->ts > until)
			continue;
		out = &d->ev[d->nr++];
		out->ev = *ev;
		out->tgid = t ? t->tgid : ev->tid;
		out->time = ev->ts >= t0 ? (double)(ev->ts - t0) / 1e9 : 0;
	}
}
