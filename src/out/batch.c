// SPDX-License-Identifier: GPL-2.0
/* Batch output: text snapshots and JSON lines. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "recvtop/batch.h"
#include "recvtop/signals.h"
#include "recvtop/taskinfo.h"

#define P99 0.99

/* ---- ordering ---- */

static int cmp_u64_desc(u64 a, u64 b)
{
	return (a < b) - (a > b);
}

static int cmp_int_asc(int a, int b)
{
	return (a > b) - (a < b);
}

static int cmp_counters(const struct rt_counters *x,
			const struct rt_counters *y)
{
	int r = cmp_u64_desc(x->calls + x->tx_calls, y->calls + y->tx_calls);

	return r ? r : cmp_u64_desc(x->bytes + x->tx_bytes,
				    y->bytes + y->tx_bytes);
}

/*
 * cmp_KIND_total() and cmp_KIND_last(): qsort comparators of the rows of
 * type by their totals or their last interval, through cmp_KIND(x, y,
 * what x has, what y has); of(row, member) says what a row has
 */
#define COUNTERS_OF(r, m) (&(r)->m)
#define COUNT_OF(r, m) ((r)->m.count)
#define CMP_TOTAL_LAST(kind, type, of)					\
	static int cmp_##kind##_total(const void *a, const void *b)	\
	{								\
		const type *x = *(void *const *)a, *y = *(void *const *)b; \
									\
		return cmp_##kind(x, y, of(x, total), of(y, total));	\
	}								\
	static int cmp_##kind##_last(const void *a, const void *b)	\
	{								\
		const type *x = *(void *const *)a, *y = *(void *const *)b; \
									\
		return cmp_##kind(x, y, of(x, last), of(y, last));	\
	}

/* the other row always sorts last */
#define OTHER_LAST(x, y)						\
	do {								\
		bool ox = (x)->hdr.flags & RT_ROW_OTHER;		\
		bool oy = (y)->hdr.flags & RT_ROW_OTHER;		\
		if (ox != oy)						\
			return ox ? 1 : -1;				\
	} while (0)

int rt_cmp_proc_calls(const void *a, const void *b)
{
	const struct rt_proc_row *x = *(void *const *)a, *y = *(void *const *)b;
	int r;

	OTHER_LAST(x, y);
	r = cmp_counters(&x->total, &y->total);
	return r ? r : cmp_int_asc(x->tgid, y->tgid);
}

int rt_cmp_proc_last(const void *a, const void *b)
{
	const struct rt_proc_row *x = *(void *const *)a, *y = *(void *const *)b;
	int r;

	OTHER_LAST(x, y);
	r = cmp_counters(&x->last, &y->last);
	return r ? r : cmp_int_asc(x->tgid, y->tgid);
}

static int cmp_peer(const struct rt_peer_row *x, const struct rt_peer_row *y,
		    const struct rt_counters *cx, const struct rt_counters *cy)
{
	int r;

	OTHER_LAST(x, y);
	r = cmp_counters(cx, cy);
	return r ? r : memcmp(&x->key, &y->key, sizeof(x->key));
}

CMP_TOTAL_LAST(peer, struct rt_peer_row, COUNTERS_OF)

static int cmp_sock(const struct rt_sock_row *x, const struct rt_sock_row *y,
		    const struct rt_counters *cx, const struct rt_counters *cy)
{
	int r = cmp_counters(cx, cy);

	if (r)
		return r;
	r = cmp_int_asc(x->key.tgid, y->key.tgid);
	if (r)
		return r;
	r = cmp_int_asc(x->key.fd, y->key.fd);
	return r ? r : (x->key.sk > y->key.sk) - (x->key.sk < y->key.sk);
}

CMP_TOTAL_LAST(sock, struct rt_sock_row, COUNTERS_OF)

static int cmp_reader(const struct rt_reader_row *x,
		      const struct rt_reader_row *y, u64 nx, u64 ny)
{
	int r;

	OTHER_LAST(x, y);
	r = cmp_u64_desc(nx, ny);
	if (!r)
		r = cmp_int_asc(x->key.reader_tgid, y->key.reader_tgid);
	if (!r)
		r = cmp_int_asc(x->key.target_tgid, y->key.target_tgid);
	return r ? r : cmp_int_asc(x->key.via, y->key.via);
}

CMP_TOTAL_LAST(reader, struct rt_reader_row, COUNT_OF)

static int cmp_cont(const struct rt_cont_row *x, const struct rt_cont_row *y,
		    const struct rt_counters *cx, const struct rt_counters *cy)
{
	int r;

	OTHER_LAST(x, y);
	r = cmp_counters(cx, cy);
	return r ? r : (x->container > y->container) -
		       (x->container < y->container);
}

CMP_TOTAL_LAST(cont, struct rt_cont_row, COUNTERS_OF)

/* rows of the last interval (last == true) or all rows, sorted */
static size_t collect(struct batch_out *b, const struct rt_table *t, bool last,
		      int (*cmp)(const void *, const void *))
{
	u32 n = last ? table_last_count(t) : table_count(t);

	if (n > b->cap) {
		void **nr = realloc(b->rows, n * sizeof(*nr));

		if (!nr)
			return 0;
		b->rows = nr;
		b->cap = n;
	}
	for (u32 i = 0; i < n; i++)
		b->rows[i] = last ? table_last_row(t, i) : table_any_row(t, i);
	if (n > 1)
		qsort(b->rows, n, sizeof(*b->rows), cmp);
	return n;
}

void batch_free(struct batch_out *b)
{
	free(b->rows);
	b->rows = NULL;
	b->cap = 0;
}

/* ---- formatting ---- */

void rt_format_ns(char *buf, size_t len, u64 ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
}

/* the names of mask's vias from bit first to bit last - 1, after o */
static size_t format_mask(char *buf, size_t len, size_t o, unsigned int vias,
			  int first, int last)
{
	for (int i = first; i < last && o < len; i++) {
		int n;

		if (!(vias & (1u << i)))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
			     i < RT_RX_NR ? rt_rx_via_name((enum rt_rx_via)i) :
			     rt_tx_via_name((enum rt_tx_via)(i - RT_RX_NR)));
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return o < len ? o : len - 1;
}

void rt_format_via_mask(char *buf, size_t len, unsigned int vias)
{
	buf[0] = 0;
	format_mask(buf, len, 0, vias, 0, RT_RX_NR + RT_TX_NR);
	if (!buf[0])
		snprintf(buf, len, "-");
}

void rt_format_vias(char *buf, size_t len, const struct rt_via_counts *v,
		    u64 peeks)
{
	unsigned int vias = 0;
	size_t o;

	for (int i = 0; i < RT_RX_NR; i++)
		if (v->calls[i])
			vias |= 1u << i;
	for (int i = 0; i < RT_TX_NR; i++)
		if (v->tx_calls[i])
			vias |= 1u << RT_VIA_TX_BIT(i);
	buf[0] = 0;
	o = format_mask(buf, len, 0, vias, 0, RT_RX_NR);
	if (peeks && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s", o ? "+peek" :
				      "peek");
	if (o < len)
		format_mask(buf, len, o, vias, RT_RX_NR, RT_RX_NR + RT_TX_NR);
	if (!buf[0])
		snprintf(buf, len, "-");
}

void rt_format_bytes(char *buf, size_t len, u64 v)
{
	if (v < 100000)
		snprintf(buf, len, "%" PRIu64, v);
	else if (v < 100000ULL << 10)
		snprintf(buf, len, "%.1fK", (double)v / 1024);
	else if (v < 100000ULL << 20)
		snprintf(buf, len, "%.1fM", (double)v / (1 << 20));
	else
		snprintf(buf, len, "%.1fG", (double)v / (1 << 30));
}

/* a JSON string: names and cgroup paths are bytes, invalid UTF-8 in them
 * becomes U+FFFD so that every line stays JSON */
void rt_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	fputc('"', f);
	while (n) {
		size_t l = rt_utf8_len(p, n);

		if (!l) {
			fputs("\\ufffd", f);
			l = 1;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite(p, 1, l, f);
		}
		p += l;
		n -= l;
	}
	fputc('"', f);
}

static const char *proc_comm(const struct rt_proc_row *p)
{
	return (p->hdr.flags & RT_ROW_OTHER) ? "(other)" : p->comm;
}

static int proc_pid(const struct rt_proc_row *p)
{
	return (p->hdr.flags & RT_ROW_OTHER) ? -1 : p->tgid;
}

/* a container id's name: "" for the host, "(other)" for an other row */
static const char *cont_name(const struct stats *s, u32 id, bool other)
{
	return other ? "(other)" : taskinfo_container_name(s->tasks, id);
}

const char *rt_cont_kind_name(const struct stats *s, u32 id, bool other)
{
	if (other)
		return "other";
	switch (taskinfo_container_kind(s->tasks, id)) {
	case RT_CONT_CONTAINER:
		return "container";
	case RT_CONT_SERVICE:
		return "service";
	default:
		return "host";
	}
}

/* the text views' container column: "-" for the host */
static const char *cont_text(const struct stats *s, u32 id, bool other)
{
	const char *name = cont_name(s, id, other);

	return name[0] ? name : "-";
}

static void peer_addr(const struct rt_peer_row *r, char *buf, size_t len)
{
	struct rt_addr a;

	if (r->hdr.flags & RT_ROW_OTHER) {
		snprintf(buf, len, "(other)");
		return;
	}
	rt_peer_key_addr(&r->key, &a);
	rt_addr_format(&a, buf, len);
}

static const char *peer_family(const struct rt_peer_row *r)
{
	return rt_family_name((r->hdr.flags & RT_ROW_OTHER) ? RT_FAM_OTHER :
			      (enum rt_family)r->key.family);
}

static const char *peer_proto(const struct rt_peer_row *r)
{
	return rt_proto_name((r->hdr.flags & RT_ROW_OTHER) ? RT_PROTO_OTHER :
			     (enum rt_proto)r->key.proto);
}

/* a socket row's owner, id, family and protocol as text */
struct sock_text {
	int pid;
	const char *comm;
	char id[24];
	const char *family;		/* NULL: not known */
	const char *proto;
};

static enum rt_family family_of_af(u16 af)
{
	switch (af) {
	case AF_INET:
		return RT_FAM_INET;
	case AF_INET6:
		return RT_FAM_INET6;
	case AF_UNIX:
		return RT_FAM_UNIX;
	default:
		return RT_FAM_OTHER;
	}
}

static void sock_text_of(struct sock_text *t, const struct stats *s,
			 const struct rt_sock_row *r)
{
	const struct rt_proc_row *p;

	memset(t, 0, sizeof(*t));
	if (r->hdr.flags & RT_ROW_OTHER) {
		t->pid = -1;
		t->comm = "(other)";
		snprintf(t->id, sizeof(t->id), "(other)");
		return;
	}
	t->pid = r->key.tgid;
	p = table_find(&s->procs, &r->key.tgid);
	t->comm = p ? proc_comm(p) : "";
	if (r->key.sk)
		snprintf(t->id, sizeof(t->id), "%016" PRIx64, r->key.sk);
	else
		snprintf(t->id, sizeof(t->id), "fd:%d", r->key.fd);
	if (r->family) {
		t->family = rt_family_name(family_of_af(r->family));
		t->proto = rt_proto_name(rt_proto_of(r->family, r->protocol));
	}
}

/* ---- JSON ---- */

/* "by_via":{"read":{"calls":N,"bytes":N},...}, the ways used */
static void json_by_via(FILE *f, const struct rt_via_counts *v)
{
	bool first = true;

	fputs(",\"by_via\":{", f);
	for (int i = 0; i < RT_RX_NR; i++) {
		if (!v->calls[i])
			continue;
		fprintf(f, "%s\"%s\":{\"calls\":%" PRIu64 ",\"bytes\":%" PRIu64
			"}", first ? "" : ",", rt_rx_via_name((enum rt_rx_via)i),
			v->calls[i], v->bytes[i]);
		first = false;
	}
	for (int i = 0; i < RT_TX_NR; i++) {
		if (!v->tx_calls[i])
			continue;
		fprintf(f, "%s\"%s\":{\"calls\":%" PRIu64 ",\"bytes\":%" PRIu64
			"}", first ? "" : ",", rt_tx_via_name((enum rt_tx_via)i),
			v->tx_calls[i], v->tx_bytes[i]);
		first = false;
	}
	fputc('}', f);
}

/* ,"send_calls":N,"send_bytes":N,"send_errors":N */
static void json_send(FILE *f, const struct rt_counters *c)
{
	fprintf(f, ",\"send_calls\":%" PRIu64 ",\"send_bytes\":%" PRIu64
		",\"send_errors\":%" PRIu64, c->tx_calls, c->tx_bytes,
		c->tx_errors);
}

static void json_procs(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->procs, last,
			   last ? rt_cmp_proc_last : rt_cmp_proc_calls);
	FILE *f = b->f;

	fputs(",\"processes\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct rt_proc_row *p = b->rows[i];
		const struct rt_counters *c = last ? &p->last : &p->total;
		u64 p99 = last ? hist32_quantile(&p->last_hist, c->lat_n, P99,
						 c->lat_max) :
				 hist64_quantile(&p->total_hist, c->lat_n, P99,
						 c->lat_max);

		bool other = p->hdr.flags & RT_ROW_OTHER;

		fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "",
			proc_pid(p));
		rt_json_string(f, proc_comm(p));
		fputs(",\"cgroup\":", f);
		rt_json_string(f, other ? "" : taskinfo_cgroup_path(s->tasks,
								    p->cgroup));
		fputs(",\"container\":", f);
		rt_json_string(f, cont_name(s, p->container, other));
		fprintf(f, ",\"netns\":%" PRIu64, other ? 0 : p->netns);
		fprintf(f, ",\"calls\":%" PRIu64 ",\"bytes\":%" PRIu64
			",\"errors\":%" PRIu64 ",\"eagain\":%" PRIu64,
			c->calls, c->bytes, c->errors, c->eagain);
		if (c->lat_n || !c->calls)
			fprintf(f, ",\"lat_ns_avg\":%" PRIu64 ",\"lat_ns_p99\":%"
				PRIu64 ",\"lat_ns_max\":%" PRIu64,
				counters_lat_avg(c), p99, c->lat_max);
		else	/* no call of the row had its entry seen */
			fputs(",\"lat_ns_avg\":null,\"lat_ns_p99\":null,"
			      "\"lat_ns_max\":null", f);
		fprintf(f, ",\"lat_calls\":%" PRIu64 ",\"peeks\":%" PRIu64,
			c->lat_n, c->peeks);
		json_send(f, c);
		json_by_via(f, last ? &p->last_via : &p->total_via);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_peers(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->peers, last,
			   last ? cmp_peer_last : cmp_peer_total);
	FILE *f = b->f;
	char addr[128];

	fputs(",\"peers\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct rt_peer_row *r = b->rows[i];
		const struct rt_counters *c = last ? &r->last : &r->total;

		peer_addr(r, addr, sizeof(addr));
		fprintf(f, "%s{\"family\":\"%s\",\"proto\":\"%s\","
			"\"addr\":", i ? "," : "", peer_family(r),
			peer_proto(r));
		rt_json_string(f, addr);
		fprintf(f, ",\"port\":%u,\"local_port\":%u,\"source\":\"%s\","
			"\"calls\":%" PRIu64 ",\"bytes\":%" PRIu64, r->key.port,
			r->key.local_port,
			rt_peer_source_name((enum rt_peer_source)r->key.source),
			c->calls, c->bytes);
		json_send(f, c);
		fprintf(f, ",\"top_pid\":%d}", r->top_tgid);
	}
	fputc(']', f);
}

static void json_socks(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->socks, last,
			   last ? cmp_sock_last : cmp_sock_total);
	FILE *f = b->f;
	struct sock_text t;

	fputs(",\"sockets\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct rt_sock_row *r = b->rows[i];
		const struct rt_counters *c = last ? &r->last : &r->total;
		unsigned int vias = last ? r->last_vias : r->total_vias;
		bool first = true;

		sock_text_of(&t, s, r);
		fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "", t.pid);
		rt_json_string(f, t.comm);
		fprintf(f, ",\"sock\":\"%s\",\"fd\":%d", t.id,
			(r->hdr.flags & RT_ROW_OTHER) ? -1 : r->fd);
		if (t.family)
			fprintf(f, ",\"family\":\"%s\",\"proto\":\"%s\"",
				t.family, t.proto);
		else
			fputs(",\"family\":null,\"proto\":null", f);
		fputs(",\"via\":[", f);
		for (int v = 0; v < RT_RX_NR + RT_TX_NR; v++) {
			if (!(vias & (1u << v)))
				continue;
			fprintf(f, "%s\"%s\"", first ? "" : ",", v < RT_RX_NR ?
				rt_rx_via_name((enum rt_rx_via)v) :
				rt_tx_via_name((enum rt_tx_via)(v - RT_RX_NR)));
			first = false;
		}
		fprintf(f, "],\"calls\":%" PRIu64 ",\"bytes\":%" PRIu64
			",\"errors\":%" PRIu64 ",\"eagain\":%" PRIu64
			",\"peeks\":%" PRIu64, c->calls, c->bytes,
			c->errors, c->eagain, c->peeks);
		json_send(f, c);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_readers(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->readers, last,
			   last ? cmp_reader_last : cmp_reader_total);
	FILE *f = b->f;

	fputs(",\"readers\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct rt_reader_row *r = b->rows[i];
		const struct rt_reader_counters *c = last ? &r->last : &r->total;
		bool other = r->hdr.flags & RT_ROW_OTHER;

		fprintf(f, "%s{\"reader_pid\":%d,\"reader_comm\":",
			i ? "," : "", other ? -1 : r->key.reader_tgid);
		rt_json_string(f, other ? "(other)" : r->reader_comm);
		fputs(",\"reader_container\":", f);
		rt_json_string(f, cont_name(s, r->reader_container, other));
		fprintf(f, ",\"target_pid\":%d,\"target_comm\":",
			other ? -1 : r->key.target_tgid);
		rt_json_string(f, other ? "(other)" : r->target_comm);
		fputs(",\"target_container\":", f);
		rt_json_string(f, cont_name(s, r->target_container, other));
		fprintf(f, ",\"via\":\"%s\",\"count\":%" PRIu64
			",\"denied\":%" PRIu64 "}",
			other ? "other" : rt_via_name((enum rt_via)r->key.via),
			c->count, c->denied);
	}
	fputc(']', f);
}

static void json_conts(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->conts, last,
			   last ? cmp_cont_last : cmp_cont_total);
	FILE *f = b->f;

	fputs(",\"containers\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct rt_cont_row *r = b->rows[i];
		const struct rt_counters *c = last ? &r->last : &r->total;
		bool other = r->hdr.flags & RT_ROW_OTHER;

		fprintf(f, "%s{\"container\":", i ? "," : "");
		rt_json_string(f, cont_name(s, r->container, other));
		fprintf(f, ",\"kind\":\"%s\",\"stopped\":%s,\"calls\":%"
			PRIu64 ",\"bytes\":%" PRIu64 ",\"errors\":%" PRIu64,
			rt_cont_kind_name(s, r->container, other),
			r->stopped ? "true" : "false", c->calls, c->bytes,
			c->errors);
		json_send(f, c);
		fputc('}', f);
	}
	fputc(']', f);
}

/* ---- text ---- */

static void text_procs(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->procs, last,
			   last ? rt_cmp_proc_last : rt_cmp_proc_calls);
	FILE *f = b->f;

	fprintf(f, "%7s %-16s %10s %10s %8s %8s %10s %10s %8s %9s %9s %9s "
		"%-16s %s\n", "PID", "COMM", "CALLS", "BYTES", "ERRORS",
		"EAGAIN", "TX_CALLS", "TX_BYTES", "TX_ERR", "LAT_AVG",
		"LAT_P99", "LAT_MAX", "CONTAINER", "VIA");
	for (size_t i = 0; i < n; i++) {
		const struct rt_proc_row *p = b->rows[i];
		const struct rt_counters *c = last ? &p->last : &p->total;
		u64 p99 = last ? hist32_quantile(&p->last_hist, c->lat_n, P99,
						 c->lat_max) :
				 hist64_quantile(&p->total_hist, c->lat_n, P99,
						 c->lat_max);
		char avg[16], q[16], max[16], via[160];

		if (c->lat_n) {
			rt_format_ns(avg, sizeof(avg), counters_lat_avg(c));
			rt_format_ns(q, sizeof(q), p99);
			rt_format_ns(max, sizeof(max), c->lat_max);
		} else {
			strcpy(avg, "-");
			strcpy(q, "-");
			strcpy(max, "-");
		}
		rt_format_vias(via, sizeof(via), last ? &p->last_via :
			       &p->total_via, c->peeks);
		fprintf(f, "%7d %-16s %10" PRIu64 " %10" PRIu64 " %8" PRIu64
			" %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64
			" %9s %9s %9s %-16s %s\n", proc_pid(p), proc_comm(p),
			c->calls, c->bytes, c->errors, c->eagain, c->tx_calls,
			c->tx_bytes, c->tx_errors, avg, q, max,
			cont_text(s, p->container, p->hdr.flags & RT_ROW_OTHER),
			via);
	}
	if (!n)
		fprintf(f, "  (no receive or send calls)\n");
}

static void text_peers(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n;
	FILE *f = b->f;
	char addr[128];

	if (!b->info->peers_visible && !b->info->conns_visible) {
		fprintf(f, "PEERS: sender addresses are not visible on the %s "
			"backend without kprobes or --uprobes (it sees "
			"descriptors, not sockets: no TCP peers either)\n",
			b->info->backend);
		return;
	}
	n = collect(b, &s->peers, last, last ? cmp_peer_last : cmp_peer_total);
	fprintf(f, "%-6s %-5s %-40s %6s %6s %-6s %10s %10s %10s %10s %7s\n",
		"FAMILY", "PROTO", "PEER", "PORT", "LPORT", "SOURCE", "CALLS",
		"BYTES", "TX_CALLS", "TX_BYTES", "TOP_PID");
	for (size_t i = 0; i < n; i++) {
		const struct rt_peer_row *r = b->rows[i];
		const struct rt_counters *c = last ? &r->last : &r->total;

		peer_addr(r, addr, sizeof(addr));
		fprintf(f, "%-6s %-5s %-40s %6u %6u %-6s %10" PRIu64 " %10"
			PRIu64 " %10" PRIu64 " %10" PRIu64 " %7d\n",
			peer_family(r), peer_proto(r), addr, r->key.port,
			r->key.local_port,
			rt_peer_source_name((enum rt_peer_source)r->key.source),
			c->calls, c->bytes, c->tx_calls, c->tx_bytes,
			r->top_tgid);
	}
	if (!n)
		fprintf(f, "  (no peers)\n");
	if (!b->info->conns_visible)
		fprintf(f, "  (TCP peers are not visible on the %s backend: it "
			"sees descriptors, not sockets)\n", b->info->backend);
	if (b->info->senders_user)
		fprintf(f, "  (UDP senders from libc uprobes: read from the "
			"receivers' memory, source user)\n");
	if (!b->info->peers_visible)
		fprintf(f, "  (UDP sender addresses are not visible on the %s "
			"backend: they need kprobes, or the libc uprobes of "
			"--uprobes)\n",
			b->info->backend);
	if (b->info->start_unusable)
		fprintf(f, "  (%u TCP connections older than the run are not "
			"named: the socket tables show no socket addresses; "
			"kernel.kptr_restrict 1 shows them to root)\n",
			b->info->start_unusable);
}

static void text_socks(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->socks, last,
			   last ? cmp_sock_last : cmp_sock_total);
	FILE *f = b->f;
	struct sock_text t;
	char fd[16], via[160];

	fprintf(f, "%7s %-16s %-16s %5s %-6s %-5s %10s %10s %8s %10s %10s %8s "
		"%s\n", "PID", "COMM", "SOCK", "FD", "FAMILY", "PROTO", "CALLS",
		"BYTES", "ERRORS", "TX_CALLS", "TX_BYTES", "TX_ERR", "VIA");
	for (size_t i = 0; i < n; i++) {
		const struct rt_sock_row *r = b->rows[i];
		const struct rt_counters *c = last ? &r->last : &r->total;

		sock_text_of(&t, s, r);
		if (r->fd >= 0 && !(r->hdr.flags & RT_ROW_OTHER))
			snprintf(fd, sizeof(fd), "%d", r->fd);
		else
			snprintf(fd, sizeof(fd), "-");
		rt_format_via_mask(via, sizeof(via),
				   last ? r->last_vias : r->total_vias);
		fprintf(f, "%7d %-16s %-16s %5s %-6s %-5s %10" PRIu64 " %10"
			PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8"
			PRIu64 " %s\n", t.pid, t.comm, t.id, fd,
			t.family ? t.family : "-", t.proto ? t.proto : "-",
			c->calls, c->bytes, c->errors, c->tx_calls, c->tx_bytes,
			c->tx_errors, via);
	}
	if (!n)
		fprintf(f, "  (no receive or send calls on sockets)\n");
}

static void text_readers(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->readers, last,
			   last ? cmp_reader_last : cmp_reader_total);
	FILE *f = b->f;

	fprintf(f, "%7s %-16s %7s %-16s %-18s %8s %7s %-16s %s\n", "READER",
		"COMM", "TARGET", "COMM", "VIA", "COUNT", "DENIED",
		"READER_CONTAINER", "TARGET_CONTAINER");
	for (size_t i = 0; i < n; i++) {
		const struct rt_reader_row *r = b->rows[i];
		const struct rt_reader_counters *c = last ? &r->last : &r->total;
		bool other = r->hdr.flags & RT_ROW_OTHER;

		fprintf(f, "%7d %-16s %7d %-16s %-18s %8" PRIu64 " %7" PRIu64
			" %-16s %s\n", other ? -1 : r->key.reader_tgid,
			other ? "(other)" : r->reader_comm,
			other ? -1 : r->key.target_tgid,
			other ? "(other)" : r->target_comm,
			other ? "other" : rt_via_name((enum rt_via)r->key.via),
			c->count, c->denied,
			cont_text(s, r->reader_container, other),
			cont_text(s, r->target_container, other));
	}
	if (!n)
		fprintf(f, "  (no cross-process memory access)\n");
}

static void text_conts(struct batch_out *b, const struct stats *s, bool last)
{
	size_t n = collect(b, &s->conts, last,
			   last ? cmp_cont_last : cmp_cont_total);
	FILE *f = b->f;

	fprintf(f, "%-16s %-9s %-7s %10s %10s %8s %10s %10s %8s\n",
		"CONTAINER", "KIND", "STATE", "CALLS", "BYTES", "ERRORS",
		"TX_CALLS", "TX_BYTES", "TX_ERR");
	for (size_t i = 0; i < n; i++) {
		const struct rt_cont_row *r = b->rows[i];
		const struct rt_counters *c = last ? &r->last : &r->total;
		bool other = r->hdr.flags & RT_ROW_OTHER;

		fprintf(f, "%-16s %-9s %-7s %10" PRIu64 " %10" PRIu64 " %8"
			PRIu64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64 "\n",
			cont_text(s, r->container, other),
			rt_cont_kind_name(s, r->container, other),
			other || !r->container ? "-" :
			r->stopped ? "stopped" : "running", c->calls,
			c->bytes, c->errors, c->tx_calls, c->tx_bytes,
			c->tx_errors);
	}
	if (!n)
		fprintf(f, "  (no receive or send calls)\n");
}

static void check_output(struct batch_out *b)
{
	if (fflush(b->f) == EOF || ferror(b->f)) {
		b->write_error = true;
		if (errno == EPIPE)
			rt_output_broken = 1;
		rt_stop_requested = 1;
	}
}

void batch_print_interval(struct batch_out *b, const struct pipeline *p,
			  const struct rt_interval *iv)
{
	const struct stats *s = p->stats;
	FILE *f = b->f;

	if (b->write_error)
		return;
	if (b->json) {
		fprintf(f, "{\"type\":\"interval\",\"interval\":%u,\"time\":%.3f,"
			"\"seconds\":%.3f,\"backend\":\"%s\",\"events\":%"
			PRIu64 ",\"lost\":%" PRIu64, iv->nr, iv->time,
			iv->seconds, b->info->backend, s->last.events,
			s->last.lost);
		json_procs(b, s, true);
		json_conts(b, s, true);
		json_socks(b, s, true);
		json_peers(b, s, true);
		json_readers(b, s, true);
		fputs("}\n", f);
	} else {
		fprintf(f, "recvtop  interval %u  time %.3fs  backend %s  "
			"events %" PRIu64 "  lost %" PRIu64 "\n", iv->nr,
			iv->time, b->info->backend, s->last.events,
			s->last.lost);
		text_procs(b, s, true);
		text_conts(b, s, true);
		text_socks(b, s, true);
		text_peers(b, s, true);
		text_readers(b, s, true);
		fputc('\n', f);
	}
	check_output(b);
}

u64 rt_summary_end_ts(const struct pipeline *p)
{
	if (p->stopped)
		return p->stop_ts;
	/* -n reached: the end of the last interval (the delay may have
	 * changed on the way, so not t0 + n * delay) */
	if (p->done && p->max_intervals)
		return p->cut_ts;
	return p->last_ts;
}

u64 rt_summary_lost(const struct pipeline *p, const struct rt_run_info *info)
{
	u64 lost = p->stats->total.lost;

	if (info->have_kernel_lost && info->kernel_lost > lost)
		return info->kernel_lost;
	return lost;
}

void batch_print_summary(struct batch_out *b, const struct pipeline *p)
{
	const struct stats *s = p->stats;
	FILE *f = b->f;
	double time = pipeline_time(p, rt_summary_end_ts(p));
	u64 lost = rt_summary_lost(p, b->info);

	if (b->write_error)
		return;
	if (b->json) {
		fprintf(f, "{\"type\":\"summary\",\"time\":%.3f,\"intervals\":%u,"
			"\"backend\":\"%s\",\"events\":%" PRIu64 ",\"lost\":%"
			PRIu64 ",\"unpaired\":%" PRIu64 ",\"senders\":%s", time,
			p->nr_intervals, b->info->backend, s->total.events,
			lost, s->total.unpaired,
			b->info->peers_visible ? "true" : "false");
		fprintf(f, ",\"tcp_peers\":%s,\"uprobes\":%s",
			b->info->conns_visible ? "true" : "false",
			b->info->senders_user ? "true" : "false");
		if (b->info->have_kernel_lost)
			fprintf(f, ",\"lost_kernel\":%" PRIu64 ",\"lost_pages\":%"
				PRIu64, b->info->kernel_lost, s->total.lost);
		if (b->info->have_probe_missed)
			fprintf(f, ",\"probe_missed\":%" PRIu64,
				b->info->probe_missed);
		if (!strcmp(b->info->backend, "tracepoint"))
			fprintf(f, ",\"unknown_reads\":%" PRIu64
				",\"unknown_writes\":%" PRIu64,
				s->total.unknown_reads,
				s->total.unknown_writes);
		json_procs(b, s, false);
		json_conts(b, s, false);
		json_socks(b, s, false);
		json_peers(b, s, false);
		json_readers(b, s, false);
		fputs("}\n", f);
	} else {
		fprintf(f, "recvtop  summary  time %.3fs  intervals %u  backend "
			"%s  events %" PRIu64 "  lost %" PRIu64, time,
			p->nr_intervals, b->info->backend, s->total.events,
			lost);
		if (b->info->have_probe_missed)
			fprintf(f, "  probe_missed %" PRIu64,
				b->info->probe_missed);
		if (!strcmp(b->info->backend, "tracepoint"))
			fprintf(f, "  unknown_reads %" PRIu64
				"  unknown_writes %" PRIu64,
				s->total.unknown_reads,
				s->total.unknown_writes);
		fputc('\n', f);
		text_procs(b, s, false);
		text_conts(b, s, false);
		text_socks(b, s, false);
		text_peers(b, s, false);
		text_readers(b, s, false);
	}
	check_output(b);
}
