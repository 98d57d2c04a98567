// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics of `recvtop export`: series that add up every interval's
 * stats rows, and their rendering as Prometheus text or OpenMetrics.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/event.h"
#include "recvtop/metrics.h"

/* the latency histogram's buckets: le = 2^k ns, k = LAT_K0 .. LAT_K1 */
#define LAT_K0 10		/* 1.024 us */
#define LAT_K1 34		/* 17.2 s */
#define LAT_NR (LAT_K1 - LAT_K0 + 1)

#define OTHER "(other)"

static bool pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int metrics_init(struct metrics *m, const struct metrics_opts *o)
{
	u32 cap = o->max_series ? o->max_series : RT_EXPORT_MAX_SERIES;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	m->o = *o;
	m->o.max_series = cap;
	m->alive = pid_alive;
	ret |= table_init(&m->procs, sizeof(struct mx_proc),
			  offsetof(struct mx_proc, key),
			  sizeof(struct mx_proc_key), cap);
	ret |= table_init(&m->protos, sizeof(struct mx_proc),
			  offsetof(struct mx_proc, key),
			  sizeof(struct mx_proc_key), cap);
	ret |= table_init(&m->readers, sizeof(struct mx_reader),
			  offsetof(struct mx_reader, key),
			  sizeof(struct mx_reader_key), cap);
	ret |= table_init(&m->peers, sizeof(struct mx_peer),
			  offsetof(struct mx_peer, key),
			  sizeof(struct rt_peer_key), cap);
	m->procs.no_dirty = m->protos.no_dirty = true;
	m->readers.no_dirty = m->peers.no_dirty = true;
	if (ret || pthread_mutex_init(&m->lock, NULL)) {
		table_free(&m->procs);
		table_free(&m->protos);
		table_free(&m->readers);
		table_free(&m->peers);
		return -1;
	}
	return 0;
}

void metrics_free(struct metrics *m)
{
	table_free(&m->procs);
	table_free(&m->protos);
	table_free(&m->readers);
	table_free(&m->peers);
	pthread_mutex_destroy(&m->lock);
}

/* ---- adding an interval ---- */

static void counters_add(struct rt_counters *t, const struct rt_counters *c)
{
	t->calls += c->calls;
	t->bytes += c->bytes;
	t->errors += c->errors;
	t->eagain += c->eagain;
	t->peeks += c->peeks;
	t->lat_n += c->lat_n;
	t->lat_sum += c->lat_sum;
	if (c->lat_max > t->lat_max)
		t->lat_max = c->lat_max;
	t->tx_calls += c->tx_calls;
	t->tx_bytes += c->tx_bytes;
	t->tx_errors += c->tx_errors;
}

static const char *proc_comm(const struct rt_proc_row *p)
{
	return (p->hdr.flags & RT_ROW_OTHER) ? OTHER : p->comm;
}

static void proc_key(struct mx_proc_key *k, const struct metrics *m,
		     const char *comm, u32 container, int tgid, int proto)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->comm, sizeof(k->comm), "%s", comm);
	k->container = container;
	/* pid 0: the stats' own (other) row */
	k->pid = (m->o.labels & RT_LABEL_PID) ? tgid : -1;
	k->proto = proto;
}

static void add_procs(struct metrics *m, const struct stats *s, u64 end_ts)
{
	u32 n = table_last_count(&s->procs);

	for (u32 i = 0; i < n; i++) {
		const struct rt_proc_row *p = table_last_row(&s->procs, i);
		bool other = p->hdr.flags & RT_ROW_OTHER;
		struct mx_proc_key k;
		struct mx_proc *x;

		proc_key(&k, m, proc_comm(p), other ? MX_CONT_OTHER :
			 p->container, other ? 0 : p->tgid, -1);
		x = table_get(&m->procs, &k);
		if (!x)
			continue;
		counters_add(&x->c, &p->last);
		for (int v = 0; v < RT_RX_NR; v++) {
			x->via.calls[v] += p->last_via.calls[v];
			x->via.bytes[v] += p->last_via.bytes[v];
		}
		for (int v = 0; v < RT_TX_NR; v++) {
			x->via.tx_calls[v] += p->last_via.tx_calls[v];
			x->via.tx_bytes[v] += p->last_via.tx_bytes[v];
		}
		for (unsigned int b = 0; b < HIST_BUCKETS; b++)
			x->hist.b[b] += p->last_hist.b[b];
		x->last_tgid = other ? 0 : p->tgid;
		x->last_ts = end_ts;
	}
}

static void add_protos(struct metrics *m, const struct stats *s, u64 end_ts)
{
	u32 n = table_last_count(&s->socks);

	for (u32 i = 0; i < n; i++) {
		const struct rt_sock_row *r = table_last_row(&s->socks, i);
		bool other = r->hdr.flags & RT_ROW_OTHER;
		const struct rt_proc_row *p = NULL;
		struct mx_proc_key k;
		struct mx_proc *x;
		int proto = RT_PROTO_OTHER;

		if (!other)
			p = table_find(&s->procs, &r->key.tgid);
		if (r->family && !other)
			proto = rt_proto_of(r->family, r->protocol);
		proc_key(&k, m, other ? OTHER : p ? proc_comm(p) : "",
			 other || (p && (p->hdr.flags & RT_ROW_OTHER)) ?
			 MX_CONT_OTHER : p ? p->container : 0,
			 other ? 0 : r->key.tgid, proto);
		x = table_get(&m->protos, &k);
		if (!x)
			continue;
		counters_add(&x->c, &r->last);
		x->last_tgid = other ? 0 : r->key.tgid;
		x->last_ts = end_ts;
	}
}

static void add_readers(struct metrics *m, const struct stats *s, u64 end_ts)
{
	u32 n = table_last_count(&s->readers);
	bool pids = m->o.labels & RT_LABEL_PID;

	for (u32 i = 0; i < n; i++) {
		const struct rt_reader_row *r = table_last_row(&s->readers, i);
		bool other = r->hdr.flags & RT_ROW_OTHER;
		struct mx_reader_key k;
		struct mx_reader *x;

		memset(&k, 0, sizeof(k));
		snprintf(k.reader_comm, sizeof(k.reader_comm), "%s",
			 other ? OTHER : r->reader_comm);
		snprintf(k.target_comm, sizeof(k.target_comm), "%s",
			 other ? OTHER : r->target_comm);
		k.reader_pid = !pids ? -1 : other ? 0 : r->key.reader_tgid;
		k.target_pid = !pids ? -1 : other ? 0 : r->key.target_tgid;
		k.reader_container = other ? MX_CONT_OTHER :
			r->reader_container;
		k.target_container = other ? MX_CONT_OTHER :
			r->target_container;
		k.via = other ? RT_VIA_NR : r->key.via;
		x = table_get(&m->readers, &k);
		if (!x)
			continue;
		x->count += r->last.count;
		x->denied += r->last.denied;
		x->last_tgid = other ? 0 : r->key.reader_tgid;
		x->last_ts = end_ts;
	}
}

/* the peers' (other) row: a key no address has */
#define MX_PEER_OTHER 0xff

static void add_peers(struct metrics *m, const struct stats *s, u64 end_ts)
{
	u32 n = table_last_count(&s->peers);

	for (u32 i = 0; i < n; i++) {
		const struct rt_peer_row *r = table_last_row(&s->peers, i);
		struct rt_peer_key k = r->key;
		struct mx_peer *x;

		if (r->hdr.flags & RT_ROW_OTHER) {
			memset(&k, 0, sizeof(k));
			k.family = MX_PEER_OTHER;
		}
		x = table_get(&m->peers, &k);
		if (!x)
			continue;
		counters_add(&x->c, &r->last);
		x->last_ts = end_ts;
	}
}

/*
 * Keep the rows keep() accepts: the table is rebuilt from a copy (its
 * memory is kept for reuse, so churn does not grow it).
 */
static u32 table_sweep(struct rt_table *t, bool (*keep)(struct metrics *,
				const void *, u64), struct metrics *m, u64 now)
{
	u32 n = t->nr_rows, kept = 0, dropped;
	u8 *copy, *other = NULL;

	if (!n)
		return 0;
	copy = malloc((size_t)n * t->row_size);
	if (!copy)
		return 0;
	for (u32 i = 0; i < n; i++) {
		const void *row = table_row(t, i);

		if (keep(m, row, now))
			memcpy(copy + (size_t)kept++ * t->row_size, row,
			       t->row_size);
	}
	dropped = n - kept;
	if (dropped) {
		if (t->other) {
			other = malloc(t->row_size);
			if (other)
				memcpy(other, t->other, t->row_size);
		}
		table_clear(t);
		for (u32 i = 0; i < kept; i++) {
			const u8 *src = copy + (size_t)i * t->row_size;
			u8 *dst = table_get(t, src + t->key_off);

			if (dst)
				memcpy(dst + sizeof(struct rt_row),
				       src + sizeof(struct rt_row),
				       t->row_size - sizeof(struct rt_row));
		}
		if (other) {
			u8 *dst = table_get_other(t);

			if (dst)
				memcpy(dst + sizeof(struct rt_row),
				       other + sizeof(struct rt_row),
				       t->row_size - sizeof(struct rt_row));
			free(other);
		}
	}
	free(copy);
	return dropped;
}

static bool idle(const struct metrics *m, u64 last_ts, u64 now)
{
	return now > last_ts && now - last_ts >= m->o.grace_ns;
}

static bool keep_proc(struct metrics *m, const void *row, u64 now)
{
	const struct mx_proc *x = row;
	int pid = x->key.pid > 0 ? x->key.pid : x->last_tgid;

	return !idle(m, x->last_ts, now) || m->alive(pid);
}

static bool keep_reader(struct metrics *m, const void *row, u64 now)
{
	const struct mx_reader *x = row;

	return !idle(m, x->last_ts, now) || m->alive(x->last_tgid);
}

static bool keep_peer(struct metrics *m, const void *row, u64 now)
{
	const struct mx_peer *x = row;

	return !idle(m, x->last_ts, now);
}

static void sweep(struct metrics *m, u64 now)
{
	u64 every = m->o.grace_ns / 4;

	if (every < NSEC_PER_SEC)
		every = NSEC_PER_SEC;
	if (!m->last_sweep_ts) {
		m->last_sweep_ts = now;
		return;
	}
	if (now - m->last_sweep_ts < every)
		return;
	m->last_sweep_ts = now;
	m->dropped += table_sweep(&m->procs, keep_proc, m, now);
	m->dropped += table_sweep(&m->protos, keep_proc, m, now);
	m->dropped += table_sweep(&m->readers, keep_reader, m, now);
	m->dropped += table_sweep(&m->peers, keep_peer, m, now);
}

void metrics_note_kernel_lost(struct metrics *m, u64 lost)
{
	pthread_mutex_lock(&m->lock);
	if (lost > m->kernel_lost) {
		m->kernel_lost = lost;
		m->gen++;
	}
	pthread_mutex_unlock(&m->lock);
}

void metrics_add_interval(struct metrics *m, const struct stats *s,
			  u64 end_ts)
{
	pthread_mutex_lock(&m->lock);
	m->tasks = s->tasks;
	add_procs(m, s, end_ts);
	if (m->o.labels & RT_LABEL_PROTO)
		add_protos(m, s, end_ts);
	add_readers(m, s, end_ts);
	if (m->o.labels & RT_LABEL_PEER)
		add_peers(m, s, end_ts);
	m->events += s->last.events;
	m->lost += s->last.lost;
	m->intervals++;
	sweep(m, end_ts);
	m->gen++;
	pthread_mutex_unlock(&m->lock);
}

u32 metrics_series(const struct metrics *m)
{
	return table_count(&m->procs) + table_count(&m->protos) +
	       table_count(&m->readers) + table_count(&m->peers);
}

u64 metrics_gen(struct metrics *m)
{
	u64 g;

	pthread_mutex_lock(&m->lock);
	g = m->gen;
	pthread_mutex_unlock(&m->lock);
	return g;
}

/* ---- the output buffer ---- */

void mx_buf_free(struct mx_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool buf_room(struct mx_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void buf_put(struct mx_buf *b, const char *s, size_t n)
{
	if (!buf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void buf_str(struct mx_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void __printf(2, 3) buf_fmt(struct mx_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!buf_room(b, 64))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!buf_room(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void mx_buf_label(struct mx_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t l = rt_utf8_len(p, n);

		if (!l) {
			buf_str(b, "\xef\xbf\xbd");
			l = 1;
		} else if (*p == '\\') {
			buf_str(b, "\\\\");
		} else if (*p == '"') {
			buf_str(b, "\\\"");
		} else if (*p == '\n') {
			buf_str(b, "\\n");
		} else {
			buf_put(b, (const char *)p, l);
		}
		p += l;
		n -= l;
	}
}

/* ---- rendering ---- */

enum mx_type { MX_COUNTER, MX_GAUGE, MX_HISTOGRAM, MX_INFO };

struct family {
	const char *name;	/* without _total (counters) or _info */
	enum mx_type type;
	const char *unit;	/* OpenMetrics UNIT, NULL: none */
	const char *help;
};

static const char *const type_names[] = {
	[MX_COUNTER] = "counter",
	[MX_GAUGE] = "gauge",
	[MX_HISTOGRAM] = "histogram",
	[MX_INFO] = "info",
};

static void family_head(struct mx_buf *b, enum metrics_format fmt,
			const struct family *f)
{
	if (fmt == MX_OPENMETRICS) {
		buf_fmt(b, "# TYPE %s %s\n", f->name, type_names[f->type]);
		if (f->unit)
			buf_fmt(b, "# UNIT %s %s\n", f->name, f->unit);
		buf_fmt(b, "# HELP %s %s\n", f->name, f->help);
		return;
	}
	/* the text format names a counter family with its _total */
	buf_fmt(b, "# HELP %s%s %s\n", f->name,
		f->type == MX_COUNTER ? "_total" :
		f->type == MX_INFO ? "_info" : "", f->help);
	buf_fmt(b, "# TYPE %s%s %s\n", f->name,
		f->type == MX_COUNTER ? "_total" :
		f->type == MX_INFO ? "_info" : "",
		f->type == MX_INFO ? "gauge" : type_names[f->type]);
}

/* a container label's value: "" for the host */
static void cont_label(struct mx_buf *b, const struct metrics *m, u32 id,
		       bool other)
{
	if (other || id == MX_CONT_OTHER)
		buf_str(b, OTHER);
	else if (id && m->tasks)
		mx_buf_label(b, taskinfo_container_name(m->tasks, id));
}

/* the label set of a process series, without the braces */
static void proc_label_set(struct mx_buf *b, const struct metrics *m,
			   const struct mx_proc *x, bool proto_table)
{
	bool other = x->hdr.flags & RT_ROW_OTHER;

	buf_str(b, "comm=\"");
	mx_buf_label(b, other ? OTHER : x->key.comm);
	buf_str(b, "\",container=\"");
	cont_label(b, m, x->key.container, other);
	buf_str(b, "\"");
	if (m->o.labels & RT_LABEL_PID) {
		if (other || x->key.pid <= 0)
			buf_str(b, ",pid=\"" OTHER "\"");
		else
			buf_fmt(b, ",pid=\"%d\"", x->key.pid);
	}
	if (proto_table)
		buf_fmt(b, ",proto=\"%s\"", other ? OTHER :
			rt_proto_name((enum rt_proto)x->key.proto));
}

typedef u64 (*proc_value_fn)(const struct mx_proc *x);

static u64 v_calls(const struct mx_proc *x) { return x->c.calls; }
static u64 v_bytes(const struct mx_proc *x) { return x->c.bytes; }
static u64 v_errors(const struct mx_proc *x) { return x->c.errors; }
static u64 v_tx_calls(const struct mx_proc *x) { return x->c.tx_calls; }
static u64 v_tx_bytes(const struct mx_proc *x) { return x->c.tx_bytes; }
static u64 v_tx_errors(const struct mx_proc *x) { return x->c.tx_errors; }

/*
 * One counter family over a process table.  by_via: one sample per way
 * (0 receive vias, 1 send vias, -1 none), with vcount/vbytes choosing
 * the calls or bytes array.
 */
static void render_proc_family(struct mx_buf *b, enum metrics_format fmt,
			       const struct metrics *m,
			       const struct rt_table *t, bool proto_table,
			       const struct family *f, proc_value_fn value,
			       int by_via, bool bytes)
{
	u32 n = table_count(t);

	family_head(b, fmt, f);
	for (u32 i = 0; i < n; i++) {
		const struct mx_proc *x = table_any_row(t, i);

		if (by_via < 0) {
			buf_fmt(b, "%s_total{", f->name);
			proc_label_set(b, m, x, proto_table);
			buf_fmt(b, "} %" PRIu64 "\n", value(x));
			continue;
		}
		for (int v = 0; v < (by_via ? RT_TX_NR : RT_RX_NR); v++) {
			u64 val;
			const char *name;

			if (by_via) {
				val = bytes ? x->via.tx_bytes[v] :
					x->via.tx_calls[v];
				if (!x->via.tx_calls[v] && !x->via.tx_bytes[v])
					continue;
				/* "send:write" -> "write" */
				name = rt_tx_via_name((enum rt_tx_via)v) + 5;
			} else {
				val = bytes ? x->via.bytes[v] : x->via.calls[v];
				if (!x->via.calls[v] && !x->via.bytes[v])
					continue;
				name = rt_rx_via_name((enum rt_rx_via)v);
			}
			buf_fmt(b, "%s_total{", f->name);
			proc_label_set(b, m, x, false);
			buf_fmt(b, ",via=\"%s\"} %" PRIu64 "\n", name, val);
		}
	}
}

/* 2^k ns in seconds, exactly */
static void fmt_le(char *buf, size_t len, int k)
{
	u64 ns = 1ULL << k;

	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, (u64)(ns / NSEC_PER_SEC),
		 (u64)(ns % NSEC_PER_SEC));
	/* no trailing zeros: "0.000001024", "1.073741824", "2" */
	for (char *e = buf + strlen(buf) - 1; *e == '0'; e--)
		*e = 0;
	if (buf[strlen(buf) - 1] == '.')
		buf[strlen(buf) - 1] = 0;
}

/* a number and a newline, without printf */
static void buf_u64_nl(struct mx_buf *b, u64 v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	tmp[--i] = '\n';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

static void render_latency(struct mx_buf *b, enum metrics_format fmt,
			   const struct metrics *m)
{
	static const struct family f = {
		"recvtop_receive_latency_seconds", MX_HISTOGRAM, "seconds",
		"Time from a receive's entry to its return, where the backend "
		"sees both (buckets hold latencies below le)."
	};
	/* the log-linear bucket of each power of two, and its le="..." */
	static unsigned int first[LAT_NR];
	static char le[LAT_NR][40];
	static bool init;
	struct mx_buf lb = { 0 };	/* one series' label set */
	u32 n = table_count(&m->procs);

	if (!init) {
		for (int k = LAT_K0; k <= LAT_K1; k++) {
			char v[32];

			first[k - LAT_K0] = hist_bucket(1ULL << k);
			fmt_le(v, sizeof(v), k);
			snprintf(le[k - LAT_K0], sizeof(le[0]), ",le=\"%s\"} ", v);
		}
		init = true;
	}
	family_head(b, fmt, &f);
	for (u32 i = 0; i < n; i++) {
		const struct mx_proc *x = table_any_row(&m->procs, i);
		unsigned int bi = 0;
		u64 cum = 0;

		if (!x->c.lat_n)
			continue;
		lb.len = 0;
		proc_label_set(&lb, m, x, false);
		if (lb.oom) {
			b->oom = true;
			break;
		}
		for (int k = 0; k < LAT_NR; k++) {
			/* every bucket below 2^k ns */
			for (; bi < first[k]; bi++)
				cum += x->hist.b[bi];
			buf_str(b, "recvtop_receive_latency_seconds_bucket{");
			buf_put(b, lb.p, lb.len);
			buf_str(b, le[k]);
			buf_u64_nl(b, cum);
		}
		buf_str(b, "recvtop_receive_latency_seconds_bucket{");
		buf_put(b, lb.p, lb.len);
		buf_str(b, ",le=\"+Inf\"} ");
		buf_u64_nl(b, x->c.lat_n);
		buf_fmt(b, "%s_sum{%s} %" PRIu64 ".%09" PRIu64 "\n", f.name, lb.p,
			(u64)(x->c.lat_sum / NSEC_PER_SEC),
			(u64)(x->c.lat_sum % NSEC_PER_SEC));
		buf_fmt(b, "%s_count{%s} ", f.name, lb.p);
		buf_u64_nl(b, x->c.lat_n);
	}
	mx_buf_free(&lb);
}

static void reader_labels(struct mx_buf *b, const struct metrics *m,
			  const struct mx_reader *x)
{
	bool other = x->hdr.flags & RT_ROW_OTHER;

	buf_str(b, "reader_comm=\"");
	mx_buf_label(b, other ? OTHER : x->key.reader_comm);
	buf_str(b, "\",reader_container=\"");
	cont_label(b, m, x->key.reader_container, other);
	buf_str(b, "\",target_comm=\"");
	mx_buf_label(b, other ? OTHER : x->key.target_comm);
	buf_str(b, "\",target_container=\"");
	cont_label(b, m, x->key.target_container, other);
	buf_fmt(b, "\",via=\"%s\"", other || x->key.via >= RT_VIA_NR ?
		OTHER : rt_via_name((enum rt_via)x->key.via));
	if (m->o.labels & RT_LABEL_PID) {
		if (other || x->key.reader_pid <= 0)
			buf_str(b, ",reader_pid=\"" OTHER "\",target_pid=\""
				OTHER "\"");
		else
			buf_fmt(b, ",reader_pid=\"%d\",target_pid=\"%d\"",
				x->key.reader_pid, x->key.target_pid);
	}
}

static void render_readers(struct mx_buf *b, enum metrics_format fmt,
			   const struct metrics *m)
{
	static const struct family fr = {
		"recvtop_memory_reads", MX_COUNTER, NULL,
		"Attempts of a process to read or write another process's "
		"memory, denied ones included."
	};
	static const struct family fd = {
		"recvtop_memory_reads_denied", MX_COUNTER, NULL,
		"Memory access attempts the kernel denied."
	};
	u32 n = table_count(&m->readers);

	for (int pass = 0; pass < 2; pass++) {
		family_head(b, fmt, pass ? &fd : &fr);
		for (u32 i = 0; i < n; i++) {
			const struct mx_reader *x = table_any_row(&m->readers,
								  i);

			buf_fmt(b, "%s_total{", pass ? fd.name : fr.name);
			reader_labels(b, m, x);
			buf_fmt(b, "} %" PRIu64 "\n", pass ? x->denied :
				x->count);
		}
	}
}

static void peer_labels(struct mx_buf *b, const struct mx_peer *x)
{
	struct rt_addr a;
	char addr[96];

	if (x->key.family == MX_PEER_OTHER ||
	    (x->hdr.flags & RT_ROW_OTHER)) {
		buf_str(b, "family=\"" OTHER "\",peer=\"" OTHER "\",port=\"" OTHER
			"\",proto=\"" OTHER "\",local_port=\"" OTHER "\"");
		return;
	}
	rt_peer_key_addr(&x->key, &a);
	rt_addr_format(&a, addr, sizeof(addr));
	buf_fmt(b, "family=\"%s\",peer=\"",
		rt_family_name((enum rt_family)x->key.family));
	mx_buf_label(b, addr);
	if (a.family == RT_FAM_INET || a.family == RT_FAM_INET6)
		buf_fmt(b, "\",port=\"%u\"", a.port);
	else
		buf_str(b, "\",port=\"\"");
	/* our side: 0 (not known) is an empty label */
	buf_fmt(b, ",proto=\"%s\",local_port=\"",
		rt_proto_name((enum rt_proto)x->key.proto));
	if (x->key.local_port)
		buf_fmt(b, "%u", x->key.local_port);
	buf_str(b, "\"");
}

static void render_peers(struct mx_buf *b, enum metrics_format fmt,
			 const struct metrics *m)
{
	static const struct family fs[] = {
		{ "recvtop_peer_receive_calls", MX_COUNTER, NULL,
		  "Receives whose sender address is this peer." },
		{ "recvtop_peer_receive_bytes", MX_COUNTER, "bytes",
		  "Bytes received from this peer." },
		{ "recvtop_peer_send_calls", MX_COUNTER, NULL,
		  "Sends to this peer." },
		{ "recvtop_peer_send_bytes", MX_COUNTER, "bytes",
		  "Bytes sent to this peer." },
	};
	u32 n = table_count(&m->peers);

	for (size_t fi = 0; fi < ARRAY_SIZE(fs); fi++) {
		if (fi >= 2 && !m->o.sends)
			break;
		family_head(b, fmt, &fs[fi]);
		for (u32 i = 0; i < n; i++) {
			const struct mx_peer *x = table_any_row(&m->peers, i);
			u64 v = fi == 0 ? x->c.calls : fi == 1 ? x->c.bytes :
				fi == 2 ? x->c.tx_calls : x->c.tx_bytes;

			buf_fmt(b, "%s_total{", fs[fi].name);
			peer_labels(b, x);
			buf_fmt(b, "} %" PRIu64 "\n", v);
		}
	}
}

static void render_scalar(struct mx_buf *b, enum metrics_format fmt,
			  const struct family *f, u64 v)
{
	family_head(b, fmt, f);
	buf_fmt(b, "%s%s %" PRIu64 "\n", f->name,
		f->type == MX_COUNTER ? "_total" : "", v);
}

static void render_locked(struct mx_buf *b, enum metrics_format fmt,
			  const struct metrics *m)
{
	static const struct family rx[] = {
		{ "recvtop_receive_calls", MX_COUNTER, NULL,
		  "Completed socket receives (every datagram of a recvmmsg; "
		  "a MSG_PEEK counts, without bytes)." },
		{ "recvtop_receive_bytes", MX_COUNTER, "bytes",
		  "Bytes received from sockets (data consumed)." },
		{ "recvtop_receive_errors", MX_COUNTER, NULL,
		  "Socket receives that returned an error (EAGAIN included)." },
		{ "recvtop_send_calls", MX_COUNTER, NULL,
		  "Socket sends (a sendfile or splice is one call)." },
		{ "recvtop_send_bytes", MX_COUNTER, "bytes",
		  "Bytes sent on sockets." },
		{ "recvtop_send_errors", MX_COUNTER, NULL,
		  "Socket sends that returned an error." },
	};
	static const proc_value_fn values[] = {
		v_calls, v_bytes, v_errors, v_tx_calls, v_tx_bytes, v_tx_errors,
	};
	static const struct family build = {
		"recvtop_build", MX_INFO, NULL,
		"recvtop's version, backend and kernel."
	};
	static const struct family events = {
		"recvtop_events", MX_COUNTER, NULL,
		"Trace events recvtop read from the kernel."
	};
	static const struct family lost = {
		"recvtop_lost_events", MX_COUNTER, NULL,
		"Trace events the kernel dropped (ring buffer full)."
	};
	static const struct family series = {
		"recvtop_exporter_series", MX_GAUGE, NULL,
		"Series recvtop export holds (the --max-series cap applies "
		"to each family group)."
	};
	static const struct family dropped = {
		"recvtop_exporter_series_dropped", MX_COUNTER, NULL,
		"Series removed after their process was gone for the grace "
		"period."
	};
	bool proto = m->o.labels & RT_LABEL_PROTO;
	bool via = m->o.labels & RT_LABEL_VIA;
	const struct rt_table *t = proto ? &m->protos : &m->procs;

	family_head(b, fmt, &build);
	buf_str(b, "recvtop_build_info{version=\"");
	mx_buf_label(b, m->o.version ? m->o.version : "");
	buf_str(b, "\",backend=\"");
	mx_buf_label(b, m->o.backend ? m->o.backend : "");
	buf_str(b, "\",kernel=\"");
	mx_buf_label(b, m->o.kernel ? m->o.kernel : "");
	buf_str(b, "\"} 1\n");

	for (size_t fi = 0; fi < ARRAY_SIZE(rx); fi++) {
		bool tx = fi >= 3;
		bool err = fi == 2 || fi == 5;

		if (tx && !m->o.sends)
			break;
		if (via && !err)
			render_proc_family(b, fmt, m, t, false, &rx[fi], NULL,
					   tx, fi == 1 || fi == 4);
		else
			render_proc_family(b, fmt, m, t, proto, &rx[fi],
					   values[fi], -1, false);
	}
	render_latency(b, fmt, m);
	render_readers(b, fmt, m);
	if (m->o.labels & RT_LABEL_PEER)
		render_peers(b, fmt, m);
	render_scalar(b, fmt, &events, m->events);
	render_scalar(b, fmt, &lost,
		      m->kernel_lost > m->lost ? m->kernel_lost : m->lost);
	render_scalar(b, fmt, &series, metrics_series(m));
	render_scalar(b, fmt, &dropped, m->dropped);
	if (fmt == MX_OPENMETRICS)
		buf_str(b, "# EOF\n");
}

int metrics_render(struct metrics *m, enum metrics_format fmt,
		   struct mx_buf *b)
{
	pthread_mutex_lock(&m->lock);
	render_locked(b, fmt, m);
	pthread_mutex_unlock(&m->lock);
	return b->oom ? -1 : 0;
}
