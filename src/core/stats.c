// SPDX-License-Identifier: GPL-2.0
/* The stats stage: per-process, socket, peer and reader tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/stats.h"

#define EAGAIN_RET (-(s64)EAGAIN)

static const char *const via_names[RT_VIA_NR] = {
	[RT_VIA_PROCESS_VM_READV] = "process_vm_readv",
	[RT_VIA_PROCESS_VM_WRITEV] = "process_vm_writev",
	[RT_VIA_PROC_MEM] = "proc_mem",
	[RT_VIA_PROC_READ] = "proc_read",
	[RT_VIA_PTRACE] = "ptrace",
	[RT_VIA_MADVISE] = "madvise",
};

const char *rt_via_name(enum rt_via via)
{
	return via < RT_VIA_NR ? via_names[via] : "other";
}

int stats_init(struct stats *s, struct taskinfo *tasks,
	       const struct rt_stats_caps *caps)
{
	struct rt_stats_caps def = {
		RT_CAP_PROCESSES, RT_CAP_SOCKETS, RT_CAP_PEERS, RT_CAP_READERS,
		RT_CAP_CONTAINERS
	};
	u32 cap_conts;

	memset(s, 0, sizeof(*s));
	if (!caps)
		caps = &def;
	/* callers that predate the container table leave it 0 */
	cap_conts = caps->containers ? caps->containers : RT_CAP_CONTAINERS;
	s->tasks = tasks;
	if (table_init(&s->procs, sizeof(struct rt_proc_row),
		       offsetof(struct rt_proc_row, tgid), sizeof(int),
		       caps->processes) ||
	    table_init(&s->socks, sizeof(struct rt_sock_row),
		       offsetof(struct rt_sock_row, key),
		       sizeof(struct rt_sock_key), caps->sockets) ||
	    table_init(&s->peers, sizeof(struct rt_peer_row),
		       offsetof(struct rt_peer_row, key),
		       sizeof(struct rt_peer_key), caps->peers) ||
	    table_init(&s->peer_procs, sizeof(struct rt_peer_proc_row),
		       offsetof(struct rt_peer_proc_row, key),
		       sizeof(struct rt_peer_proc_key), caps->peers) ||
	    table_init(&s->readers, sizeof(struct rt_reader_row),
		       offsetof(struct rt_reader_row, key),
		       sizeof(struct rt_reader_key), caps->readers) ||
	    table_init(&s->conts, sizeof(struct rt_cont_row),
		       offsetof(struct rt_cont_row, container), sizeof(u32),
		       cap_conts)) {
		stats_free(s);
		return -1;
	}
	s->peer_procs.no_dirty = true;
	s->cache = calloc(RT_TID_CACHE, sizeof(*s->cache));
	if (!s->cache) {
		stats_free(s);
		return -1;
	}
	s->cache_epoch = 1;
	return 0;
}

void stats_free(struct stats *s)
{
	table_free(&s->procs);
	table_free(&s->socks);
	table_free(&s->peers);
	table_free(&s->peer_procs);
	table_free(&s->readers);
	table_free(&s->conts);
	free(s->cgroup_prefix);
	s->cgroup_prefix = NULL;
	free(s->container);
	s->container = NULL;
	free(s->pids);
	s->pids = NULL;
	free(s->cache);
	s->cache = NULL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int stats_set_pid_filter(struct stats *s, const int *pids, unsigned int n)
{
	s->cache_epoch++;
	free(s->pids);
	s->pids = NULL;
	s->nr_pids = 0;
	if (!n)
		return 0;
	s->pids = malloc(n * sizeof(*pids));
	if (!s->pids)
		return -1;
	memcpy(s->pids, pids, n * sizeof(*pids));
	qsort(s->pids, n, sizeof(*pids), cmp_int);
	s->nr_pids = n;
	return 0;
}

int stats_set_comm_filter(struct stats *s, const char *comm)
{
	s->cache_epoch++;
	snprintf(s->comm, sizeof(s->comm), "%s", comm ? comm : "");
	return 0;
}

int stats_set_container_filter(struct stats *s, const char *cgroup_prefix,
			       const char *container)
{
	char *p = NULL, *c = NULL;

	s->cache_epoch++;
	if (cgroup_prefix && cgroup_prefix[0]) {
		size_t len;

		p = strdup(cgroup_prefix);
		if (!p)
			return -1;
		/* "/a/b/" is "/a/b"; "/" stays */
		len = strlen(p);
		while (len > 1 && p[len - 1] == '/')
			p[--len] = 0;
	}
	if (container && container[0]) {
		c = strdup(container);
		if (!c) {
			free(p);
			return -1;
		}
	}
	free(s->cgroup_prefix);
	free(s->container);
	s->cgroup_prefix = p;
	s->container = c;
	return 0;
}

/* name is the container asked for: equal, or want is the full id */
static bool container_matches(const char *name, const char *want)
{
	size_t len = strlen(want);

	if (!strcmp(name, want))
		return true;
	return len == 64 && strlen(name) == 12 && !strncmp(name, want, 12);
}

bool stats_container_wanted(const struct stats *s, const struct rt_task *t)
{
	if (s->cgroup_prefix) {
		const char *path = taskinfo_cgroup_path(s->tasks, t->cgroup);
		size_t len = strlen(s->cgroup_prefix);

		if (!t->cgroup || strncmp(path, s->cgroup_prefix, len))
			return false;
		/* whole components: /a matches /a and /a/b, not /ab */
		if (len > 1 && path[len] && path[len] != '/')
			return false;
	}
	if (s->container &&
	    !container_matches(taskinfo_container_name(s->tasks, t->container),
			       s->container))
		return false;
	return true;
}

static bool task_wanted(const struct stats *s, const struct rt_task *t)
{
	if (s->comm[0] && strcmp(t->comm, s->comm))
		return false;
	if ((s->cgroup_prefix || s->container) && !stats_container_wanted(s, t))
		return false;
	if (!s->nr_pids)
		return true;
	return bsearch(&t->tgid, s->pids, s->nr_pids, sizeof(int), cmp_int);
}

static inline void count_call(struct rt_counters *c, const struct rt_recv_call *call)
{
	if (call->tx) {
		if (!call->more)
			c->tx_calls++;
		if (call->ret > 0)
			c->tx_bytes += (u64)call->ret;
		else if (call->ret < 0)
			c->tx_errors++;
		return;
	}
	c->calls++;
	if (call->peek) {
		/* the data is read again later: a call, no bytes */
		c->peeks++;
		if (call->ret < 0) {
			c->errors++;
			if (call->ret == EAGAIN_RET)
				c->eagain++;
		}
	} else if (call->ret >= 0) {
		c->bytes += (u64)call->ret;
	} else {
		c->errors++;
		if (call->ret == EAGAIN_RET)
			c->eagain++;
	}
	if (call->has_latency) {
		c->lat_n++;
		c->lat_sum += call->latency;
		if (call->latency > c->lat_max)
			c->lat_max = call->latency;
	}
}

void rt_peer_key_addr(const struct rt_peer_key *k, struct rt_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = k->family;
	a->len = k->len;
	a->port = k->port;
	memcpy(a->addr, k->addr, sizeof(a->addr));
}

const char *rt_peer_source_name(enum rt_peer_source src)
{
	return src == RT_SRC_USER ? "user" : "kernel";
}

/*
 * A call's peer: its address, the socket's protocol (an inet address
 * the kernel copied out of a socket of no known protocol came with a
 * datagram: udp), our port, where the address came from
 */
static void peer_key_of(struct rt_peer_key *k, const struct rt_recv_call *call)
{
	const struct rt_addr *a = call->peer;

	memset(k, 0, sizeof(*k));
	k->family = a->family;
	k->len = a->len;
	k->port = a->port;
	memcpy(k->addr, a->addr, a->len <= RT_ADDR_BYTES ? a->len : RT_ADDR_BYTES);
	if (call->family)
		k->proto = (u8)rt_proto_of(call->family, call->protocol);
	else if (a->family == RT_FAM_INET || a->family == RT_FAM_INET6)
		k->proto = RT_PROTO_UDP;
	else if (a->family == RT_FAM_UNIX)
		k->proto = RT_PROTO_UNIX;
	else
		k->proto = RT_PROTO_OTHER;
	k->source = call->peer_user ? RT_SRC_USER : RT_SRC_KERNEL;
	k->local_port = call->peer_lport;
}

/* the thread's cache entry, filled on a miss */
static struct rt_tid_cache *tid_entry(struct stats *s, int tid)
{
	struct rt_tid_cache *e = &s->cache[(u32)tid & (RT_TID_CACHE - 1)];

	if (e->tid == tid && e->epoch == s->cache_epoch)
		return e;
	e->tid = tid;
	e->epoch = s->cache_epoch;
	e->task = taskinfo_get(s->tasks, tid, NULL);
	e->wanted = task_wanted(s, e->task);
	e->proc = NULL;
	e->cont = NULL;
	e->sock = NULL;
	/* an answer taskinfo could not keep must not be kept either */
	if (taskinfo_peek(s->tasks, tid) != e->task)
		e->epoch = 0;
	return e;
}

/* a receive outside any syscall bracket, in an io_uring worker thread,
 * is io_uring's */
static inline unsigned int via_of(const struct rt_recv_call *call,
				  const struct rt_task *task)
{
	if (!(task->flags & RT_TASK_IOU))
		return call->via;
	if (call->tx)
		return call->via == RT_TX_WRITE ? RT_TX_IO_URING : call->via;
	return call->via == RT_RX_READ ? RT_RX_IO_URING : call->via;
}

/* a process's calls by way */
static void count_via(struct rt_via_counts *v, const struct rt_recv_call *call,
		      unsigned int via)
{
	if (call->tx) {
		if (via >= RT_TX_NR)
			return;
		if (!call->more)
			v->tx_calls[via]++;
		if (call->ret > 0)
			v->tx_bytes[via] += (u64)call->ret;
		return;
	}
	if (via < RT_RX_NR) {
		v->calls[via]++;
		if (call->ret > 0 && !call->peek)
			v->bytes[via] += (u64)call->ret;
	}
}

int stats_tgid_of(struct stats *s, int tid)
{
	return tid_entry(s, tid)->task->tgid;
}

void stats_add_recv(struct stats *s, const struct rt_recv_call *call)
{
	struct rt_tid_cache *e = tid_entry(s, call->tid);
	const struct rt_task *task = e->task;
	unsigned int via = via_of(call, task);
	struct rt_proc_row *p;

	if (!e->wanted) {
		if (!call->more)
			s->ival.filtered++;
		return;
	}
	if (call->tx) {
		if (!call->more)
			s->ival.tx_calls++;
		if (call->ret > 0)
			s->ival.tx_bytes += (u64)call->ret;
	} else {
		s->ival.calls++;
		if (call->ret > 0 && !call->peek)
			s->ival.bytes += (u64)call->ret;
	}

	p = e->proc;
	if (p) {
		table_touch(&s->procs, p);
	} else {
		p = table_get(&s->procs, &task->tgid);
		/* the name and attribution of the latest event: a rename or
		 * a move bumps the cache epoch, so this runs again then */
		if (p && !(p->hdr.flags & RT_ROW_OTHER)) {
			memcpy(p->comm, task->comm, RT_COMM_LEN);
			p->cgroup = task->cgroup;
			p->container = task->container;
			p->netns = task->netns;
		}
		e->proc = p;
	}
	if (e->cont) {
		table_touch(&s->conts, e->cont);
	} else {
		e->cont = table_get(&s->conts, &task->container);
	}
	if (e->cont) {
		count_call(&e->cont->ival, call);
		e->cont->last_seen = call->ts;
	}
	if (p) {
		count_call(&p->ival, call);
		count_via(&p->ival_via, call, via);
		if (call->has_latency)
			hist32_add(&p->ival_hist, call->latency);
		p->last_seen = call->ts;
	}

	if (call->sk || call->fd >= 0) {
		struct rt_sock_row *sr = e->sock;
		struct rt_sock_key sk = { .tgid = task->tgid,
					  .fd = call->sk ? -1 : call->fd,
					  .sk = call->sk };

		if (sr && e->sock_key.sk == sk.sk && e->sock_key.fd == sk.fd) {
			table_touch(&s->socks, sr);
		} else {
			sr = table_get(&s->socks, &sk);
			e->sock = sr;
			e->sock_key = sk;
			if (sr && !sr->total.calls && !sr->ival.calls &&
			    !sr->total.tx_calls && !sr->ival.tx_calls)
				sr->fd = -1;
		}
		if (sr) {
			count_call(&sr->ival, call);
			sr->last_seen = call->ts;
			if (call->fd >= 0)
				sr->fd = call->fd;
			if (call->family) {
				sr->family = call->family;
				sr->protocol = call->protocol;
			}
			if (call->tx && via < RT_TX_NR)
				sr->ival_vias |= (u16)(1u << RT_VIA_TX_BIT(via));
			else if (!call->tx && via < RT_RX_NR)
				sr->ival_vias |= (u16)(1u << via);
		}
	}

	if (call->peer)
		stats_add_recv_peer(s, call);
}

void stats_set_sock_family(struct stats *s, int tgid, int fd, u16 family,
			   u16 protocol)
{
	struct rt_sock_key k = { .tgid = tgid, .fd = fd, .sk = 0 };
	struct rt_sock_row *r = table_find(&s->socks, &k);

	if (r && !(r->hdr.flags & RT_ROW_OTHER) && !r->family) {
		r->family = family;
		r->protocol = protocol;
	}
}

void stats_add_recv_peer(struct stats *s, const struct rt_recv_call *call)
{
	struct rt_tid_cache *e;
	struct rt_peer_proc_key ppk;
	struct rt_peer_row *pr;
	struct rt_peer_proc_row *ppr;

	if (!call->peer || (!call->tx && (call->ret < 0 || call->peek)))
		return;
	e = tid_entry(s, call->tid);
	if (!e->wanted)
		return;
	memset(&ppk, 0, sizeof(ppk));
	peer_key_of(&ppk.peer, call);
	ppk.tgid = e->task->tgid;
	pr = table_get(&s->peers, &ppk.peer);
	if (!pr)
		return;
	count_call(&pr->ival, call);
	pr->last_seen = call->ts;
	/* the top process is the one that received the most from it */
	if (call->tx)
		return;
	ppr = table_get(&s->peer_procs, &ppk);
	if (!ppr)
		return;
	ppr->bytes += (u64)call->ret;
	/* counts only grow, so the incremented row is the only one that
	 * can take the lead */
	if (!(ppr->hdr.flags & RT_ROW_OTHER) &&
	    (ppr->bytes > pr->top_bytes || !pr->top_tgid)) {
		pr->top_bytes = ppr->bytes;
		pr->top_tgid = e->task->tgid;
	}
}

void stats_add_mem(struct stats *s, const struct rt_mem_access *a)
{
	const struct rt_task *reader = taskinfo_get(s->tasks, a->tid, NULL);
	struct rt_reader_key key;
	struct rt_reader_row *r;
	int target_tgid = a->target_tgid;
	const char *target_comm = NULL;
	u32 target_container = 0;

	if (!task_wanted(s, reader)) {
		s->ival.filtered++;
		return;
	}
	if (a->target_tid > 0) {
		const struct rt_task *t = taskinfo_get(s->tasks, a->target_tid,
						       a->target_comm);

		if (!target_tgid || !(t->flags & RT_TASK_GUESSED))
			target_tgid = t->tgid;
		target_comm = t->comm;
		target_container = t->container;
	}
	/* a process looking at itself is not a cross-process read */
	if (target_tgid == reader->tgid)
		return;

	memset(&key, 0, sizeof(key));
	key.reader_tgid = reader->tgid;
	key.target_tgid = target_tgid;
	key.via = a->via;
	r = table_get(&s->readers, &key);
	if (!r)
		return;
	/* the names and containers of the latest access (rows are keyed by
	 * process: a rename shows the name it had last) */
	if (!(r->hdr.flags & RT_ROW_OTHER)) {
		memcpy(r->reader_comm, reader->comm, RT_COMM_LEN);
		if (target_comm)
			memcpy(r->target_comm, target_comm, RT_COMM_LEN);
		r->reader_container = reader->container;
		r->target_container = target_container;
	}
	r->ival.count++;
	if (a->denied)
		r->ival.denied++;
	r->last_seen = a->ts;
}

static void fold(struct rt_counters *total, struct rt_counters *last,
		 struct rt_counters *ival)
{
	total->calls += ival->calls;
	total->bytes += ival->bytes;
	total->errors += ival->errors;
	total->eagain += ival->eagain;
	total->peeks += ival->peeks;
	total->lat_n += ival->lat_n;
	total->lat_sum += ival->lat_sum;
	total->tx_calls += ival->tx_calls;
	total->tx_bytes += ival->tx_bytes;
	total->tx_errors += ival->tx_errors;
	if (ival->lat_max > total->lat_max)
		total->lat_max = ival->lat_max;
	*last = *ival;
	memset(ival, 0, sizeof(*ival));
}

void stats_set_cont_stopped(struct stats *s, u32 container, bool stopped)
{
	struct rt_cont_row *r = table_find(&s->conts, &container);

	if (!r || (r->hdr.flags & RT_ROW_OTHER) || r->stopped == stopped)
		return;
	r->stopped = stopped;
	table_touch(&s->conts, r);	/* the interval's history keeps it */
}

void stats_end_interval(struct stats *s, u64 end_ts)
{
	u32 gen = s->procs.gen;
	u32 i, n;

	/* all tables advance their generation together */
	n = table_dirty_count(&s->procs);
	for (i = 0; i < n; i++) {
		struct rt_proc_row *p = table_dirty_row(&s->procs, i);

		fold(&p->total, &p->last, &p->ival);
		for (int v = 0; v < RT_RX_NR; v++) {
			p->total_via.calls[v] += p->ival_via.calls[v];
			p->total_via.bytes[v] += p->ival_via.bytes[v];
		}
		for (int v = 0; v < RT_TX_NR; v++) {
			p->total_via.tx_calls[v] += p->ival_via.tx_calls[v];
			p->total_via.tx_bytes[v] += p->ival_via.tx_bytes[v];
		}
		p->last_via = p->ival_via;
		memset(&p->ival_via, 0, sizeof(p->ival_via));
		hist64_fold(&p->total_hist, &p->ival_hist);
		p->last_hist = p->ival_hist;
		memset(&p->ival_hist, 0, sizeof(p->ival_hist));
		p->last_gen = gen;
	}
	n = table_dirty_count(&s->socks);
	for (i = 0; i < n; i++) {
		struct rt_sock_row *r = table_dirty_row(&s->socks, i);

		fold(&r->total, &r->last, &r->ival);
		r->total_vias |= r->ival_vias;
		r->last_vias = r->ival_vias;
		r->ival_vias = 0;
		r->last_gen = gen;
	}
	n = table_dirty_count(&s->peers);
	for (i = 0; i < n; i++) {
		struct rt_peer_row *r = table_dirty_row(&s->peers, i);

		fold(&r->total, &r->last, &r->ival);
		r->last_gen = gen;
	}
	n = table_dirty_count(&s->conts);
	for (i = 0; i < n; i++) {
		struct rt_cont_row *r = table_dirty_row(&s->conts, i);

		fold(&r->total, &r->last, &r->ival);
		r->last_gen = gen;
	}
	n = table_dirty_count(&s->readers);
	for (i = 0; i < n; i++) {
		struct rt_reader_row *r = table_dirty_row(&s->readers, i);

		r->total.count += r->ival.count;
		r->total.denied += r->ival.denied;
		r->last = r->ival;
		memset(&r->ival, 0, sizeof(r->ival));
		r->last_gen = gen;
	}

	s->total.events += s->ival.events;
	s->total.lost += s->ival.lost;
	s->total.calls += s->ival.calls;
	s->total.tx_calls += s->ival.tx_calls;
	s->total.bytes += s->ival.bytes;
	s->total.tx_bytes += s->ival.tx_bytes;
	s->total.unpaired += s->ival.unpaired;
	s->total.restarts += s->ival.restarts;
	s->total.filtered += s->ival.filtered;
	s->total.unknown_reads += s->ival.unknown_reads;
	s->total.unknown_writes += s->ival.unknown_writes;
	s->last = s->ival;
	memset(&s->ival, 0, sizeof(s->ival));

	s->completed_gen = gen;
	s->last_start = s->ival_start;
	s->last_end = end_ts;
	s->ival_start = end_ts;

	/* the generation must stay equal across tables */
	table_next_interval(&s->socks);
	table_next_interval(&s->peers);
	table_next_interval(&s->readers);
	table_next_interval(&s->conts);
	table_next_interval(&s->procs);
	s->socks.gen = s->peers.gen = s->readers.gen = s->conts.gen =
		s->procs.gen;
}

void stats_reset(struct stats *s, u64 now_ts)
{
	s->cache_epoch++;
	table_clear(&s->procs);
	table_clear(&s->socks);
	table_clear(&s->peers);
	table_clear(&s->peer_procs);
	table_clear(&s->readers);
	table_clear(&s->conts);
	s->socks.gen = s->peers.gen = s->readers.gen = s->conts.gen =
		s->procs.gen;
	memset(&s->ival, 0, sizeof(s->ival));
	memset(&s->last, 0, sizeof(s->last));
	memset(&s->total, 0, sizeof(s->total));
	s->completed_gen = 0;
	s->resets++;
	s->ival_start = s->last_start = s->last_end = now_ts;
}
