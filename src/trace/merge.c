// SPDX-License-Identifier: GPL-2.0
/* Per-CPU page queues and their timestamp-ordered merge. */
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>

#include "recvtop/merge.h"

struct page_queue {
	void **pages;		/* ring */
	u32 head, count, cap;
	struct kbuffer *kbuf;
	bool loaded;		/* head page is in kbuf */
	bool first;		/* next event is the page's first */
	s64 missed;		/* of the loaded page */
	void *cur;		/* current event payload, NULL: page done */
	u64 cur_ts;
};

struct cpu_merge {
	int nr_cpus;
	unsigned int page_size;
	struct page_queue *q;
	/*
	 * Events come in runs from one CPU: after a scan, the CPU taken can
	 * go on without another scan while its next event still comes
	 * before the runner-up's ((time, cpu) order, as the scan's).
	 */
	int run_cpu;			/* -1: scan */
	u64 run_ts;			/* the runner-up's time */
	int run_next;			/* the runner-up's CPU (nr_cpus: none) */
	merge_need_fn need;
	void *need_ctx;
	void **pool;
	u32 nr_pool, pool_cap;
	unsigned int queued;
};

struct cpu_merge *merge_new(struct tep_handle *tep, int nr_cpus,
			    unsigned int page_size)
{
	struct cpu_merge *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->nr_cpus = nr_cpus;
	m->page_size = page_size;
	m->run_cpu = -1;
	m->q = calloc((size_t)nr_cpus, sizeof(*m->q));
	if (!m->q)
		goto fail;
	for (int i = 0; i < nr_cpus; i++) {
		m->q[i].kbuf = tep_kbuffer(tep);
		if (!m->q[i].kbuf)
			goto fail;
	}
	return m;
fail:
	merge_free(m);
	return NULL;
}

void merge_free(struct cpu_merge *m)
{
	if (!m)
		return;
	merge_clear(m);
	for (int i = 0; m->q && i < m->nr_cpus; i++) {
		if (m->q[i].kbuf)
			kbuffer_free(m->q[i].kbuf);
		free(m->q[i].pages);
	}
	for (u32 i = 0; i < m->nr_pool; i++)
		free(m->pool[i]);
	free(m->pool);
	free(m->q);
	free(m);
}

int merge_nr_cpus(const struct cpu_merge *m)
{
	return m->nr_cpus;
}

unsigned int merge_page_size(const struct cpu_merge *m)
{
	return m->page_size;
}

void *merge_page_buf(struct cpu_merge *m)
{
	if (m->nr_pool)
		return m->pool[--m->nr_pool];
	return malloc(m->page_size);
}

void merge_drop_page(struct cpu_merge *m, void *page)
{
	if (!page)
		return;
	if (m->nr_pool == m->pool_cap) {
		u32 ncap = m->pool_cap ? m->pool_cap * 2 : 64;
		void **np = realloc(m->pool, ncap * sizeof(*np));

		if (!np) {
			free(page);
			return;
		}
		m->pool = np;
		m->pool_cap = ncap;
	}
	m->pool[m->nr_pool++] = page;
}

int merge_commit_page(struct cpu_merge *m, int cpu, void *page)
{
	struct page_queue *q;

	if (cpu < 0 || cpu >= m->nr_cpus) {
		merge_drop_page(m, page);
		return -1;
	}
	q = &m->q[cpu];
	if (q->count == q->cap) {
		u32 ncap = q->cap ? q->cap * 2 : 16;
		void **np = malloc(ncap * sizeof(*np));

		if (!np) {
			merge_drop_page(m, page);
			return -1;
		}
		for (u32 i = 0; i < q->count; i++)
			np[i] = q->pages[(q->head + i) % q->cap];
		free(q->pages);
		q->pages = np;
		q->head = 0;
		q->cap = ncap;
	}
	q->pages[(q->head + q->count) % q->cap] = page;
	q->count++;
	m->queued++;
	/* a new page may hold the next event: scan again */
	m->run_cpu = -1;
	return 0;
}

static void pop_page(struct cpu_merge *m, struct page_queue *q)
{
	merge_drop_page(m, q->pages[q->head]);
	q->head = (q->head + 1) % q->cap;
	q->count--;
	m->queued--;
	q->loaded = false;
	if (m->need)
		m->need(m->need_ctx, (int)(q - m->q));
}

void merge_set_need(struct cpu_merge *m, merge_need_fn fn, void *ctx)
{
	m->need = fn;
	m->need_ctx = ctx;
}

/*
 * Make q->cur the next event of this CPU, loading pages as needed.  A page
 * with lost events but no event still has to report them: it yields one
 * lost-only record (cur == NULL, first set).
 */
static bool queue_ready(struct cpu_merge *m, struct page_queue *q)
{
	while (q->count) {
		if (!q->loaded) {
			void *page = q->pages[q->head];
			unsigned long long ts;

			if (kbuffer_load_subbuffer(q->kbuf, page) < 0) {
				pop_page(m, q);
				continue;
			}
			q->loaded = true;
			q->first = true;
			q->missed = kbuffer_missed_events(q->kbuf);
			q->cur = kbuffer_read_event(q->kbuf, &ts);
			q->cur_ts = ts;
			if (!q->cur && q->missed) {
				q->cur_ts = kbuffer_subbuf_timestamp(q->kbuf, page);
				return true;
			}
		}
		if (q->cur)
			return true;
		if (q->first && q->missed)
			return true;
		pop_page(m, q);
	}
	return false;
}

/* (time, cpu) order: the scan takes the lowest CPU of equal times */
static inline bool before(u64 ts, int cpu, u64 ts2, int cpu2)
{
	return ts < ts2 || (ts == ts2 && cpu < cpu2);
}

/* the CPU whose next event comes first, and the runner-up */
static struct page_queue *oldest(struct cpu_merge *m, int *cpu)
{
	struct page_queue *best = NULL, *second = NULL;
	int bcpu = 0, scpu = m->nr_cpus;

	if (m->run_cpu >= 0) {
		struct page_queue *q = &m->q[m->run_cpu];

		/* still inside the current page, still first */
		if (q->cur && before(q->cur_ts, m->run_cpu, m->run_ts,
				     m->run_next)) {
			*cpu = m->run_cpu;
			return q;
		}
	}
	for (int i = 0; i < m->nr_cpus; i++) {
		struct page_queue *q = &m->q[i];

		if (!queue_ready(m, q))
			continue;
		if (!best || q->cur_ts < best->cur_ts) {
			second = best;
			scpu = bcpu;
			best = q;
			bcpu = i;
		} else if (!second || q->cur_ts < second->cur_ts) {
			second = q;
			scpu = i;
		}
	}
	if (!best) {
		m->run_cpu = -1;
		return NULL;
	}
	*cpu = bcpu;
	m->run_cpu = bcpu;
	m->run_ts = second ? second->cur_ts : UINT64_MAX;
	m->run_next = second ? scpu : m->nr_cpus;
	return best;
}

u64 merge_peek_ts(struct cpu_merge *m)
{
	int cpu;
	struct page_queue *q = oldest(m, &cpu);

	return q ? q->cur_ts : UINT64_MAX;
}

bool merge_next(struct cpu_merge *m, u64 watermark, struct rt_raw *out)
{
	int cpu = 0;
	struct page_queue *q = oldest(m, &cpu);

	if (!q || q->cur_ts > watermark)
		return false;
	out->cpu = cpu;
	out->ts = q->cur_ts;
	out->missed = q->first ? q->missed : 0;
	q->first = false;
	if (!q->cur) {
		/* lost-only page */
		out->data = NULL;
		out->size = 0;
		q->missed = 0;
		pop_page(m, q);
		return true;
	}
	out->data = q->cur;
	out->size = (unsigned int)kbuffer_event_size(q->kbuf);
	/* advance now; the page stays loaded until its last event is
	 * taken, and pages are only recycled on the next call */
	{
		unsigned long long ts;

		q->cur = kbuffer_next_event(q->kbuf, &ts);
		q->cur_ts = ts;
	}
	return true;
}

unsigned int merge_queued_pages(const struct cpu_merge *m)
{
	return m->queued;
}

unsigned int merge_cpu_queued(const struct cpu_merge *m, int cpu)
{
	return cpu >= 0 && cpu < m->nr_cpus ? m->q[cpu].count : 0;
}

void merge_clear(struct cpu_merge *m)
{
	merge_need_fn need = m->need;

	m->need = NULL;
	m->run_cpu = -1;
	for (int i = 0; m->q && i < m->nr_cpus; i++) {
		struct page_queue *q = &m->q[i];

		while (q->count)
			pop_page(m, q);
		q->cur = NULL;
	}
	m->need = need;
}
