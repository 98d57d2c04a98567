// SPDX-License-Identifier: GPL-2.0
/* Which descriptors are sockets (tracepoint backend), from fd markers. */
#include <stdlib.h>
#include <string.h>

#include "recvtop/fdclass.h"
#include "recvtop/table.h"

#define NO_PEND 0u

struct fd_key {
	int tgid;
	int fd;
};

struct fd_row {
	struct rt_row hdr;
	struct fd_key key;
	u32 pgen;		/* the process's generation it belongs to */
	u8 kind;		/* enum rt_fd_kind */
	u16 family, protocol;
	u16 stale;		/* markers still to come for asks forgotten */
	u32 head, tail;		/* waiting receives, 1-based, NO_PEND */
	u32 npend;
};

struct pend {
	struct rt_recv_call call;
	u32 next;		/* 1-based, NO_PEND */
};

struct fdclass {
	struct stats *stats;
	struct rt_table rows;
	struct pend *pend;
	u32 free_head;		/* 1-based free list */
	u32 gens[RT_FDCLASS_GENS];
	rt_fd_ask_fn ask;
	void *ask_ctx;
};

static void pend_init(struct fdclass *f)
{
	for (u32 i = 0; i < RT_FDCLASS_PENDING; i++)
		f->pend[i].next = i + 2 <= RT_FDCLASS_PENDING ? i + 2 : NO_PEND;
	f->free_head = 1;
}

struct fdclass *fdclass_new(struct stats *stats)
{
	struct fdclass *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->pend = calloc(RT_FDCLASS_PENDING, sizeof(*f->pend));
	if (!f->pend || table_init(&f->rows, sizeof(struct fd_row),
				   offsetof(struct fd_row, key),
				   sizeof(struct fd_key), RT_FDCLASS_ROWS)) {
		free(f->pend);
		free(f);
		return NULL;
	}
	f->rows.no_dirty = true;
	f->stats = stats;
	pend_init(f);
	return f;
}

void fdclass_free(struct fdclass *f)
{
	if (!f)
		return;
	table_free(&f->rows);
	free(f->pend);
	free(f);
}

void fdclass_set_ask(struct fdclass *f, rt_fd_ask_fn ask, void *ctx)
{
	f->ask = ask;
	f->ask_ctx = ctx;
}

static inline u32 *gen_of(struct fdclass *f, int tgid)
{
	return &f->gens[(u32)tgid & (RT_FDCLASS_GENS - 1)];
}

enum release {
	REL_COUNT,		/* a socket: they are receives */
	REL_FILE,		/* not a socket: they were no receives */
	REL_LOST,		/* no answer: receives maybe, never counted */
};

/* a read or write of a descriptor nobody could tell */
static void count_unknown(struct fdclass *f, const struct rt_recv_call *call)
{
	if (call->tx)
		f->stats->ival.unknown_writes++;
	else
		f->stats->ival.unknown_reads++;
}

/* the waiting receives of a row: counted or dropped */
static void pend_release(struct fdclass *f, struct fd_row *r,
			 enum release how)
{
	u32 i = r->head;

	while (i != NO_PEND) {
		struct pend *p = &f->pend[i - 1];
		u32 next = p->next;

		if (how == REL_COUNT) {
			p->call.family = r->family;
			p->call.protocol = r->protocol;
			stats_add_recv(f->stats, &p->call);
		} else if (how == REL_LOST) {
			count_unknown(f, &p->call);
		}
		p->next = f->free_head;
		f->free_head = i;
		i = next;
	}
	r->head = r->tail = NO_PEND;
	r->npend = 0;
}

static void pend_add(struct fdclass *f, struct fd_row *r,
		     const struct rt_recv_call *call)
{
	u32 i = f->free_head;
	struct pend *p;

	if (i == NO_PEND) {
		count_unknown(f, call);	/* no room: never counted */
		return;
	}
	p = &f->pend[i - 1];
	f->free_head = p->next;
	p->call = *call;
	p->call.peer = NULL;	/* reads have no sender address */
	p->next = NO_PEND;
	if (r->tail != NO_PEND)
		f->pend[r->tail - 1].next = i;
	else
		r->head = i;
	r->tail = i;
	r->npend++;
}

/* what is known of the row now: a row of an older generation knows nothing */
static struct fd_row *row_current(struct fdclass *f, int tgid, int fd,
				  bool create)
{
	struct fd_key k = { .tgid = tgid, .fd = fd };
	struct fd_row *r = create ? table_get(&f->rows, &k) :
				    table_find(&f->rows, &k);
	u32 gen = *gen_of(f, tgid);

	if (!r)
		return NULL;
	if (r->hdr.flags & RT_ROW_OTHER) {
		/* full: start over (deterministic, so a replay does too) */
		fdclass_clear(f);
		return create ? row_current(f, tgid, fd, true) : NULL;
	}
	if (r->pgen != gen) {
		/* the process exec'ed or is another one: its asks' answers
		 * may still come, and are not for this one */
		if (r->kind == RT_FD_ASKED)
			r->stale++;
		pend_release(f, r, REL_LOST);
		r->kind = RT_FD_UNKNOWN;
		r->pgen = gen;
	}
	return r;
}

void fdclass_recv(struct fdclass *f, int tgid, struct rt_recv_call *call,
		  bool only_socket)
{
	struct fd_row *r;

	if (call->fd < 0) {
		/* a receive whatever it was on; a read: nobody can tell */
		if (only_socket)
			count_unknown(f, call);
		else
			stats_add_recv(f->stats, call);
		return;
	}
	r = row_current(f, tgid, call->fd, true);
	if (!r) {
		count_unknown(f, call);	/* out of memory */
		return;
	}
	switch (r->kind) {
	case RT_FD_SOCKET:
		call->family = r->family;
		call->protocol = r->protocol;
		stats_add_recv(f->stats, call);
		return;
	case RT_FD_FILE:
		if (!only_socket)	/* the answer was for an older fd */
			stats_add_recv(f->stats, call);
		return;
	case RT_FD_UNKNOWN:
		r->kind = RT_FD_ASKED;
		if (f->ask)
			f->ask(f->ask_ctx, call->tid, tgid, call->fd);
		/* fall through */
	default:
		if (only_socket)
			pend_add(f, r, call);
		else
			stats_add_recv(f->stats, call);
		return;
	}
}

void fdclass_marker(struct fdclass *f, int tgid, int fd, enum rt_fd_kind kind,
		    u16 family, u16 protocol)
{
	struct fd_row *r = row_current(f, tgid, fd, false);

	if (!r)
		return;
	if (r->stale) {
		r->stale--;	/* the answer to an ask forgotten since */
		return;
	}
	if (r->kind != RT_FD_ASKED)
		return;
	switch (kind) {
	case RT_FD_SOCKET:
		r->kind = RT_FD_SOCKET;
		r->family = family;
		r->protocol = protocol;
		/* calls counted before the answer (sendto, recvfrom...) */
		stats_set_sock_family(f->stats, tgid, fd, family, protocol);
		pend_release(f, r, REL_COUNT);
		break;
	case RT_FD_FILE:
		r->kind = RT_FD_FILE;
		pend_release(f, r, REL_FILE);
		break;
	default:
		/* gone before it could be asked: ask again next time */
		r->kind = RT_FD_UNKNOWN;
		pend_release(f, r, REL_LOST);
		break;
	}
}

void fdclass_close(struct fdclass *f, int tgid, int first, int last)
{
	u32 gen = *gen_of(f, tgid);

	if (first < 0 || last < first)
		return;
	/* close_range(3, ~0U): the first 4096 (an exec, which usually
	 * follows it, forgets the rest) */
	if ((u32)(last - first) > 4096)
		last = first + 4096;
	for (int fd = first; fd <= last; fd++) {
		struct fd_key k = { .tgid = tgid, .fd = fd };
		struct fd_row *r = table_find(&f->rows, &k);

		if (!r || (r->hdr.flags & RT_ROW_OTHER) || r->pgen != gen)
			continue;
		if (r->kind == RT_FD_ASKED)
			r->stale++;
		pend_release(f, r, REL_LOST);
		r->kind = RT_FD_UNKNOWN;
	}
}

void fdclass_reset_process(struct fdclass *f, int tgid)
{
	(*gen_of(f, tgid))++;
}

void fdclass_socket(struct fdclass *f, int tgid, int fd, u16 family,
		    u16 protocol)
{
	struct fd_row *r = row_current(f, tgid, fd, true);

	if (!r)
		return;
	if (r->kind == RT_FD_ASKED) {
		/* an answer for an older descriptor whose close was lost */
		r->stale++;
		pend_release(f, r, REL_LOST);
	}
	r->kind = RT_FD_SOCKET;
	r->family = family;
	r->protocol = protocol;
}

bool fdclass_lookup(struct fdclass *f, int tgid, int fd, u16 *family,
		    u16 *protocol)
{
	struct fd_row *r = row_current(f, tgid, fd, false);

	if (!r || r->kind != RT_FD_SOCKET)
		return false;
	*family = r->family;
	*protocol = r->protocol;
	return true;
}

void fdclass_clear(struct fdclass *f)
{
	u32 n = f->rows.nr_rows;

	for (u32 i = 0; i < n; i++)
		pend_release(f, table_row(&f->rows, i), REL_LOST);
	table_clear(&f->rows);
	pend_init(f);
}
