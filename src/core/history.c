// SPDX-License-Identifier: GPL-2.0
/* A replay's history: per-interval row changes, to move the view back. */
#include <stdlib.h>
#include <string.h>

#include "recvtop/history.h"

enum { HT_PROCS, HT_SOCKS, HT_PEERS, HT_READERS, HT_CONTS, HT_NR };

struct hentry {
	u32 row;		/* row number in main's table (RT_ROW_NR_OTHER) */
	u32 prev;		/* this row's entry before, + 1 (0: first) */
	u8 table;
	u16 nr_buckets;
	u64 buckets;		/* first of them in h->b */
	struct rt_counters d;	/* readers: calls = count, errors = denied */
	u64 lat_max;		/* the row's total maximum after the interval */
	u64 last_seen;
	int top_tgid;		/* peers, after the interval */
	u64 top_bytes;
	u16 vias, total_vias;	/* sockets: in the interval, after it */
	/* processes: cgroup and container after the interval; readers:
	 * reader and target container */
	u32 attr[2];
	u64 netns;		/* processes, after the interval */
};

struct hbucket {
	u16 b;
	u32 n;
};

struct hinterval {
	u64 first;
	u32 nr;
	struct rt_stats_totals d;
	struct rt_interval iv;
};

struct history {
	struct stats *main, *view;
	struct hentry *e;
	u64 nr_e, cap_e;
	struct hbucket *b;
	u64 nr_b, cap_b;
	struct hinterval *iv;
	u32 nr_iv, cap_iv;
	/* per main table: row number -> its newest entry + 1 */
	u32 *latest[HT_NR];
	u32 latest_cap[HT_NR];
	u32 latest_other[HT_NR];
	size_t budget;
	bool full;
	unsigned int shown;
	u32 gen;
};

static struct rt_table *tab(struct stats *s, int t)
{
	switch (t) {
	case HT_PROCS:
		return &s->procs;
	case HT_SOCKS:
		return &s->socks;
	case HT_PEERS:
		return &s->peers;
	case HT_READERS:
		return &s->readers;
	default:
		return &s->conts;
	}
}

struct history *history_new(struct stats *main, struct stats *view,
			    size_t budget_bytes)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->main = main;
	h->view = view;
	h->budget = budget_bytes;
	/* generations of the view's "last interval" marks */
	h->gen = 1u << 30;
	return h;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	free(h->e);
	free(h->b);
	free(h->iv);
	for (int t = 0; t < HT_NR; t++)
		free(h->latest[t]);
	free(h);
}

unsigned int history_count(const struct history *h)
{
	return h->nr_iv;
}

const struct rt_interval *history_interval(const struct history *h,
					   unsigned int k)
{
	return k >= 1 && k <= h->nr_iv ? &h->iv[k - 1].iv : NULL;
}

unsigned int history_find(const struct history *h, u64 ts)
{
	u32 lo = 0, hi = h->nr_iv;

	/* the first interval whose end is at or after ts */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (h->iv[mid].iv.end_ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!h->nr_iv || (lo == 0 && ts < h->iv[0].iv.start_ts))
		return 0;
	return lo < h->nr_iv ? lo + 1 : h->nr_iv;
}

bool history_full(const struct history *h)
{
	return h->full;
}

size_t history_bytes(const struct history *h)
{
	return h->cap_e * sizeof(*h->e) + h->cap_b * sizeof(*h->b) +
	       h->cap_iv * sizeof(*h->iv);
}

unsigned int history_shown(const struct history *h)
{
	return h->shown;
}

static int grow(void **arr, u64 *cap, u64 need, size_t elem)
{
	u64 ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 1024;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, ncap * elem);
	if (!n)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

/* the slot that remembers a main row's newest entry */
static u32 *latest_slot(struct history *h, int t, u32 row)
{
	if (row == RT_ROW_NR_OTHER)
		return &h->latest_other[t];
	if (row >= h->latest_cap[t]) {
		u32 ncap = h->latest_cap[t] ? h->latest_cap[t] : 1024;
		u32 *n;

		while (ncap <= row)
			ncap *= 2;
		n = realloc(h->latest[t], ncap * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + h->latest_cap[t], 0,
		       (ncap - h->latest_cap[t]) * sizeof(*n));
		h->latest[t] = n;
		h->latest_cap[t] = ncap;
	}
	return &h->latest[t][row];
}

static int record_row(struct history *h, int t, u32 nr, const void *row)
{
	struct hentry *e;
	u32 *slot = latest_slot(h, t, nr);

	if (!slot || grow((void **)&h->e, &h->cap_e, h->nr_e + 1,
			  sizeof(*h->e)))
		return -1;
	e = &h->e[h->nr_e];
	memset(e, 0, sizeof(*e));
	e->table = (u8)t;
	e->row = nr;
	e->prev = *slot;
	e->buckets = h->nr_b;
	switch (t) {
	case HT_PROCS: {
		const struct rt_proc_row *p = row;

		e->d = p->last;
		e->lat_max = p->total.lat_max;
		e->last_seen = p->last_seen;
		e->attr[0] = p->cgroup;
		e->attr[1] = p->container;
		e->netns = p->netns;
		for (u32 i = 0; i < HIST_BUCKETS; i++) {
			if (!p->last_hist.b[i])
				continue;
			if (grow((void **)&h->b, &h->cap_b, h->nr_b + 1,
				 sizeof(*h->b)))
				return -1;
			h->b[h->nr_b].b = (u16)i;
			h->b[h->nr_b].n = p->last_hist.b[i];
			h->nr_b++;
			e->nr_buckets++;
		}
		break;
	}
	case HT_SOCKS: {
		const struct rt_sock_row *s = row;

		e->d = s->last;
		e->lat_max = s->total.lat_max;
		e->last_seen = s->last_seen;
		e->vias = s->last_vias;
		e->total_vias = s->total_vias;
		break;
	}
	case HT_PEERS: {
		const struct rt_peer_row *p = row;

		e->d = p->last;
		e->lat_max = p->total.lat_max;
		e->last_seen = p->last_seen;
		e->top_tgid = p->top_tgid;
		e->top_bytes = p->top_bytes;
		break;
	}
	case HT_READERS: {
		const struct rt_reader_row *r = row;

		e->d.calls = r->last.count;
		e->d.errors = r->last.denied;
		e->last_seen = r->last_seen;
		e->attr[0] = r->reader_container;
		e->attr[1] = r->target_container;
		break;
	}
	default: {
		const struct rt_cont_row *c = row;

		e->d = c->last;
		e->lat_max = c->total.lat_max;
		e->last_seen = c->last_seen;
		e->attr[0] = c->stopped;
		break;
	}
	}
	h->nr_e++;
	*slot = (u32)h->nr_e;
	return 0;
}

int history_record(struct history *h, const struct rt_interval *iv)
{
	struct hinterval *hi;
	u64 cap_iv = h->cap_iv;

	if (h->full)
		return -1;
	if (history_bytes(h) > h->budget ||
	    grow((void **)&h->iv, &cap_iv, (u64)h->nr_iv + 1, sizeof(*h->iv)))
		goto full;
	h->cap_iv = (u32)cap_iv;
	hi = &h->iv[h->nr_iv];
	hi->first = h->nr_e;
	hi->d = h->main->last;
	hi->iv = *iv;
	for (int t = 0; t < HT_NR; t++) {
		const struct rt_table *tb = tab(h->main, t);
		u32 n = table_last_count(tb);

		for (u32 i = 0; i < n; i++)
			if (record_row(h, t, table_last_nr(tb, i),
				       table_last_row(tb, i)))
				goto full;
	}
	hi->nr = (u32)(h->nr_e - hi->first);
	h->nr_iv++;
	return 0;
full:
	h->full = true;
	return -1;
}

/* ---- moving the view ---- */

static const void *main_row(struct history *h, const struct hentry *e)
{
	const struct rt_table *tb = tab(h->main, e->table);

	return e->row == RT_ROW_NR_OTHER ? tb->other : table_row(tb, e->row);
}

/* the view's row for an entry (created with the main row's identity) */
static void *view_row(struct history *h, const struct hentry *e)
{
	struct rt_table *vt = tab(h->view, e->table);
	const struct rt_table *mt = tab(h->main, e->table);
	const u8 *m = main_row(h, e);
	u8 *v;

	if (e->row == RT_ROW_NR_OTHER)
		return table_get_other(vt);
	v = table_find(vt, m + mt->key_off);
	if (v)
		return v;
	v = table_get(vt, m + mt->key_off);
	if (!v || (((struct rt_row *)v)->flags & RT_ROW_OTHER))
		return v;
	/* names: copied once, they never change */
	switch (e->table) {
	case HT_PROCS:
		memcpy(((struct rt_proc_row *)v)->comm,
		       ((const struct rt_proc_row *)m)->comm, RT_COMM_LEN);
		break;
	case HT_READERS:
		memcpy(((struct rt_reader_row *)v)->reader_comm,
		       ((const struct rt_reader_row *)m)->reader_comm,
		       RT_COMM_LEN);
		memcpy(((struct rt_reader_row *)v)->target_comm,
		       ((const struct rt_reader_row *)m)->target_comm,
		       RT_COMM_LEN);
		break;
	default:
		break;
	}
	return v;
}

static void counters_add(struct rt_counters *t, const struct rt_counters *d,
			 int sign)
{
	t->calls += (u64)sign * d->calls;
	t->bytes += (u64)sign * d->bytes;
	t->errors += (u64)sign * d->errors;
	t->eagain += (u64)sign * d->eagain;
	t->peeks += (u64)sign * d->peeks;
	t->lat_n += (u64)sign * d->lat_n;
	t->lat_sum += (u64)sign * d->lat_sum;
	t->tx_calls += (u64)sign * d->tx_calls;
	t->tx_bytes += (u64)sign * d->tx_bytes;
	t->tx_errors += (u64)sign * d->tx_errors;
}

static void totals_add(struct rt_stats_totals *t,
		       const struct rt_stats_totals *d, int sign)
{
	t->events += (u64)sign * d->events;
	t->lost += (u64)sign * d->lost;
	t->calls += (u64)sign * d->calls;
	t->unpaired += (u64)sign * d->unpaired;
	t->restarts += (u64)sign * d->restarts;
	t->filtered += (u64)sign * d->filtered;
	t->unknown_reads += (u64)sign * d->unknown_reads;
	t->unknown_writes += (u64)sign * d->unknown_writes;
	t->bytes += (u64)sign * d->bytes;
	t->tx_calls += (u64)sign * d->tx_calls;
	t->tx_bytes += (u64)sign * d->tx_bytes;
}

/* the entry's changes into (sign 1) or out of (-1) the row's totals */
static void apply_totals(struct history *h, const struct hentry *e, void *v,
			 int sign)
{
	const struct hentry *prev = e->prev ? &h->e[e->prev - 1] : NULL;
	/* what cannot be subtracted: as the row stood */
	const struct hentry *at = sign > 0 ? e : prev;

	switch (e->table) {
	case HT_PROCS: {
		struct rt_proc_row *p = v;
		const struct hbucket *b = &h->b[e->buckets];

		counters_add(&p->total, &e->d, sign);
		p->total.lat_max = at ? at->lat_max : 0;
		p->last_seen = at ? at->last_seen : 0;
		p->cgroup = at ? at->attr[0] : 0;
		p->container = at ? at->attr[1] : 0;
		p->netns = at ? at->netns : 0;
		for (u16 i = 0; i < e->nr_buckets; i++)
			p->total_hist.b[b[i].b] += (u64)sign * b[i].n;
		break;
	}
	case HT_SOCKS: {
		struct rt_sock_row *s = v;

		counters_add(&s->total, &e->d, sign);
		s->total.lat_max = at ? at->lat_max : 0;
		s->last_seen = at ? at->last_seen : 0;
		s->total_vias = at ? at->total_vias : 0;
		break;
	}
	case HT_PEERS: {
		struct rt_peer_row *p = v;

		counters_add(&p->total, &e->d, sign);
		p->total.lat_max = at ? at->lat_max : 0;
		p->last_seen = at ? at->last_seen : 0;
		p->top_tgid = at ? at->top_tgid : 0;
		p->top_bytes = at ? at->top_bytes : 0;
		break;
	}
	case HT_READERS: {
		struct rt_reader_row *r = v;

		r->total.count += (u64)sign * e->d.calls;
		r->total.denied += (u64)sign * e->d.errors;
		r->last_seen = at ? at->last_seen : 0;
		r->reader_container = at ? at->attr[0] : 0;
		r->target_container = at ? at->attr[1] : 0;
		break;
	}
	default: {
		struct rt_cont_row *c = v;

		counters_add(&c->total, &e->d, sign);
		c->total.lat_max = at ? at->lat_max : 0;
		c->last_seen = at ? at->last_seen : 0;
		c->stopped = at ? at->attr[0] != 0 : false;
		break;
	}
	}
}

/* the entry's row shows it as its last interval */
static void apply_last(struct history *h, const struct hentry *e, void *v)
{
	switch (e->table) {
	case HT_PROCS: {
		struct rt_proc_row *p = v;
		const struct hbucket *b = &h->b[e->buckets];

		p->last = e->d;
		memset(&p->last_hist, 0, sizeof(p->last_hist));
		for (u16 i = 0; i < e->nr_buckets; i++)
			p->last_hist.b[b[i].b] = b[i].n;
		p->last_gen = h->gen;
		break;
	}
	case HT_SOCKS:
		((struct rt_sock_row *)v)->last = e->d;
		((struct rt_sock_row *)v)->last_vias = e->vias;
		((struct rt_sock_row *)v)->last_gen = h->gen;
		break;
	case HT_PEERS:
		((struct rt_peer_row *)v)->last = e->d;
		((struct rt_peer_row *)v)->last_gen = h->gen;
		break;
	case HT_READERS: {
		struct rt_reader_row *r = v;

		r->last.count = e->d.calls;
		r->last.denied = e->d.errors;
		r->last_gen = h->gen;
		break;
	}
	default:
		((struct rt_cont_row *)v)->last = e->d;
		((struct rt_cont_row *)v)->last_gen = h->gen;
		break;
	}
}

/* interval k (0: none) becomes the view's last interval */
static void mark_last(struct history *h, unsigned int k)
{
	struct stats *v = h->view;

	h->gen++;
	v->completed_gen = h->gen;
	if (!k) {
		memset(&v->last, 0, sizeof(v->last));
		return;
	}
	for (u64 i = h->iv[k - 1].first;
	     i < h->iv[k - 1].first + h->iv[k - 1].nr; i++) {
		void *row = view_row(h, &h->e[i]);

		if (row)
			apply_last(h, &h->e[i], row);
	}
	v->last = h->iv[k - 1].d;
	v->last_start = h->iv[k - 1].iv.start_ts;
	v->last_end = h->iv[k - 1].iv.end_ts;
}

static void step(struct history *h, unsigned int k, int sign)
{
	const struct hinterval *hi = &h->iv[k - 1];

	for (u64 i = hi->first; i < hi->first + hi->nr; i++) {
		void *row = view_row(h, &h->e[i]);

		if (row)
			apply_totals(h, &h->e[i], row, sign);
	}
	totals_add(&h->view->total, &hi->d, sign);
}

void history_show(struct history *h, unsigned int k)
{
	if (k > h->nr_iv)
		k = h->nr_iv;
	if (k == h->shown)
		return;
	while (h->shown < k)
		step(h, ++h->shown, 1);
	while (h->shown > k)
		step(h, h->shown--, -1);
	mark_last(h, h->shown);
}
