// SPDX-License-Identifier: GPL-2.0
/* The connection table: sk -> remote address and local port. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "recvtop/conntab.h"

/* a closed entry waiting for its grace time to end */
struct closed_ref {
	u64 sk;
	u64 ts;
	u32 seq;
};

struct conntab {
	u32 cap;		/* most entries */
	u32 mask;		/* slots - 1 (twice cap, a power of two) */
	u32 used;
	u32 seq;
	u64 dropped;
	struct rt_conn *slots;	/* allocated with the first entry */
	struct closed_ref *ring;	/* cap closed entries, oldest first */
	u32 ring_head, ring_len;
};

struct conntab *conntab_new(u32 cap)
{
	struct conntab *t = calloc(1, sizeof(*t));
	u32 n = 16;

	if (!t)
		return NULL;
	t->cap = cap ? cap : 1;
	while (n < 2 * t->cap)
		n <<= 1;
	t->mask = n - 1;
	return t;
}

void conntab_free(struct conntab *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->ring);
	free(t);
}

void conntab_clear(struct conntab *t)
{
	if (t->slots)
		memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	t->used = 0;
	t->ring_head = t->ring_len = 0;
}

static int tab_alloc(struct conntab *t)
{
	if (t->slots)
		return 0;
	t->slots = calloc((size_t)t->mask + 1, sizeof(*t->slots));
	t->ring = calloc(t->cap, sizeof(*t->ring));
	if (!t->slots || !t->ring) {
		free(t->slots);
		free(t->ring);
		t->slots = NULL;
		t->ring = NULL;
		return -1;
	}
	return 0;
}

static inline u32 sk_hash(u64 sk)
{
	/* struct sock addresses are aligned: mix the high bits down */
	sk ^= sk >> 33;
	sk *= 0xff51afd7ed558ccdull;
	sk ^= sk >> 33;
	return (u32)sk;
}

/* the slot of sk, or the empty one where it would go */
static struct rt_conn *slot_of(const struct conntab *t, u64 sk)
{
	for (u32 i = sk_hash(sk) & t->mask;; i = (i + 1) & t->mask) {
		struct rt_conn *c = &t->slots[i];

		if (c->sk == sk || !c->sk)
			return c;
	}
}

const struct rt_conn *conntab_find(const struct conntab *t, u64 sk)
{
	const struct rt_conn *c;

	if (!t->slots || !sk)
		return NULL;
	c = slot_of(t, sk);
	return c->sk ? c : NULL;
}

/* linear-probing delete: later members of the run move back */
static void slot_delete(struct conntab *t, struct rt_conn *c)
{
	u32 i = (u32)(c - t->slots), j = i;

	t->used--;
	for (;;) {
		u32 home;

		t->slots[i].sk = 0;
		for (;;) {
			j = (j + 1) & t->mask;
			if (!t->slots[j].sk)
				return;
			home = sk_hash(t->slots[j].sk) & t->mask;
			if (i <= j ? (home <= i || home > j) :
				     (home <= i && home > j))
				break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
}

/* the oldest closed entry goes (if it is still that connection) */
static void ring_pop(struct conntab *t)
{
	struct closed_ref *r = &t->ring[t->ring_head];
	struct rt_conn *c = slot_of(t, r->sk);

	if (c->sk && c->seq == r->seq && c->closed_ts)
		slot_delete(t, c);
	t->ring_head = (t->ring_head + 1) % t->cap;
	t->ring_len--;
}

/* closed entries whose grace time ended by ts */
static void expire(struct conntab *t, u64 ts)
{
	while (t->ring_len) {
		const struct closed_ref *r = &t->ring[t->ring_head];

		if (r->ts + RT_CONN_GRACE_NS > ts)
			return;
		ring_pop(t);
	}
}

/* the slot for a new entry of sk, NULL when the table is full */
static struct rt_conn *slot_new(struct conntab *t, u64 sk)
{
	struct rt_conn *c;

	if (tab_alloc(t))
		return NULL;
	c = slot_of(t, sk);
	if (c->sk)
		return c;
	/* closed entries make room, oldest first */
	while (t->used >= t->cap && t->ring_len)
		ring_pop(t);
	if (t->used >= t->cap)
		return NULL;
	c = slot_of(t, sk);
	t->used++;
	return c;
}

void conntab_state(struct conntab *t, u64 ts, u64 sk, int newstate,
		   u16 protocol, const struct rt_addr *local,
		   const struct rt_addr *remote)
{
	struct rt_conn *c;

	if (!sk)
		return;
	if (t->ring_len)
		expire(t, ts);
	if (newstate == RT_TCP_CLOSE) {
		struct closed_ref *r;

		c = t->slots ? slot_of(t, sk) : NULL;
		if (!c || !c->sk || c->closed_ts)
			return;
		c->closed_ts = ts ? ts : 1;
		c->state = RT_TCP_CLOSE;
		if (t->ring_len == t->cap)
			ring_pop(t);
		r = &t->ring[(t->ring_head + t->ring_len) % t->cap];
		r->sk = sk;
		r->ts = ts;
		r->seq = c->seq;
		t->ring_len++;
		return;
	}
	/* a listener has no peer; no peer port: not connected yet */
	if (newstate == RT_TCP_LISTEN || !remote->port ||
	    remote->family == RT_FAM_OTHER)
		return;
	c = slot_new(t, sk);
	if (!c) {
		t->dropped++;
		return;
	}
	if (!c->sk || c->closed_ts || c->state == RT_TCP_SYN_SENT ||
	    c->state == RT_TCP_SYN_RECV) {
		/* a new connection of sk (or it gets its tuple complete:
		 * connect() sets SYN_SENT before it picks the port) */
		if (!c->sk || c->closed_ts)
			c->seq = ++t->seq;
		c->sk = sk;
		c->closed_ts = 0;
		c->origin = RT_CONN_EVENT;
	}
	c->state = (u8)newstate;
	c->protocol = protocol;
	c->local_port = local->port;
	c->remote = *remote;
}

int conntab_add(struct conntab *t, u64 sk, u16 local_port, u16 protocol,
		const struct rt_addr *remote, enum rt_conn_origin origin)
{
	struct rt_conn *c;

	if (!sk)
		return 0;
	c = slot_new(t, sk);
	if (!c) {
		t->dropped++;
		return -1;
	}
	if (c->sk)
		return 0;
	c->sk = sk;
	c->seq = ++t->seq;
	c->closed_ts = 0;
	c->state = RT_TCP_ESTABLISHED;
	c->origin = (u8)origin;
	c->protocol = protocol;
	c->local_port = local_port;
	c->remote = *remote;
	return 0;
}

u32 conntab_count(const struct conntab *t)
{
	return t->used;
}

u64 conntab_dropped(const struct conntab *t)
{
	return t->dropped;
}

int conntab_each(const struct conntab *t, enum rt_conn_origin origin,
		 int (*fn)(const struct rt_conn *c, void *ctx), void *ctx)
{
	if (!t->slots)
		return 0;
	for (u32 i = 0; i <= t->mask; i++) {
		const struct rt_conn *c = &t->slots[i];
		int ret;

		if (!c->sk || c->origin != origin)
			continue;
		ret = fn(c, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

struct ser {
	char *buf;
	size_t len, cap;
};

static int ser_one(const struct rt_conn *c, void *ctx)
{
	struct ser *s = ctx;
	int n;

	if (s->cap - s->len < 128) {
		size_t ncap = s->cap < 2048 ? 4096 : s->cap * 2;
		char *nb = realloc(s->buf, ncap);

		if (!nb)
			return -1;
		s->buf = nb;
		s->cap = ncap;
	}
	n = snprintf(s->buf + s->len, s->cap - s->len, "conn %llx %u %u %u %u ",
		     (unsigned long long)c->sk, c->local_port, c->protocol,
		     c->remote.raw_family, c->remote.port);
	s->len += (size_t)n;
	for (unsigned int i = 0; i < c->remote.len && i < RT_ADDR_BYTES; i++)
		s->len += (size_t)snprintf(s->buf + s->len, s->cap - s->len,
					   "%02x", c->remote.addr[i]);
	s->buf[s->len++] = '\n';
	s->buf[s->len] = 0;
	return 0;
}

char *conntab_serialize(const struct conntab *t, enum rt_conn_origin origin,
			size_t *len)
{
	struct ser s = { 0 };

	s.buf = malloc(1);
	if (!s.buf)
		return NULL;
	s.buf[0] = 0;
	s.cap = 1;
	if (conntab_each(t, origin, ser_one, &s)) {
		free(s.buf);
		return NULL;
	}
	*len = s.len;
	return s.buf;
}

int conntab_parse_line(struct conntab *t, const char *line)
{
	unsigned long long sk;
	unsigned int lport, proto, fam, rport;
	char hex[2 * 16 + 2];
	struct rt_addr a;
	size_t hlen;
	int n = 0;

	if (sscanf(line, "conn %llx %u %u %u %u %33s%n", &sk, &lport, &proto,
		   &fam, &rport, hex, &n) != 6 || line[n] || !sk ||
	    lport > 0xffff || proto > 0xffff || rport > 0xffff || !rport)
		return -1;
	hlen = strlen(hex);
	memset(&a, 0, sizeof(a));
	if (fam == AF_INET && hlen == 8) {
		a.family = RT_FAM_INET;
		a.len = 4;
	} else if (fam == AF_INET6 && hlen == 32) {
		a.family = RT_FAM_INET6;
		a.len = 16;
	} else {
		return -1;
	}
	if (strspn(hex, "0123456789abcdef") != hlen)
		return -1;
	for (unsigned int i = 0; i < a.len; i++) {
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		a.addr[i] = (u8)strtoul(b, NULL, 16);
	}
	a.raw_family = (u16)fam;
	a.port = (u16)rport;
	conntab_add(t, sk, (u16)lport, (u16)proto, &a, RT_CONN_PROCNET);
	return 0;
}
