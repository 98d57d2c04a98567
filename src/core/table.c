// SPDX-License-Identifier: GPL-2.0
/* Bounded hash tables for the stats stage. */
#include <stdlib.h>
#include <string.h>

#include "recvtop/table.h"

#define CHUNK_ROWS 1024

int table_init(struct rt_table *t, size_t row_size, size_t key_off,
	       size_t key_size, u32 cap)
{
	memset(t, 0, sizeof(*t));
	t->row_size = row_size;
	t->key_off = key_off;
	t->key_size = key_size;
	t->cap = cap ? cap : 1;
	t->mask = 255;
	t->index = calloc(t->mask + 1, sizeof(*t->index));
	t->gen = 1;
	return t->index ? 0 : -1;
}

void table_free(struct rt_table *t)
{
	for (u32 i = 0; i < t->nr_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->index);
	free(t->other);
	free(t->dirty);
	free(t->last_dirty);
	memset(t, 0, sizeof(*t));
}

void table_clear(struct rt_table *t)
{
	memset(t->index, 0, (size_t)(t->mask + 1) * sizeof(*t->index));
	for (u32 i = 0; i < t->nr_chunks; i++)
		memset(t->chunks[i], 0, CHUNK_ROWS * t->row_size);
	if (t->other)
		memset(t->other, 0, t->row_size);
	t->nr_rows = 0;
	t->other_hits = 0;
	t->nr_dirty = 0;
	t->other_dirty = false;
	t->nr_last_dirty = 0;
	t->last_other_dirty = false;
	t->gen++;
}

/*
 * Keys are 4 to 28 bytes: 8 bytes at a time through a multiply-rotate
 * mix, then a murmur finaliser (the index uses the low bits).
 */
u32 table_hash(const void *key, size_t len)
{
	const u8 *p = key;
	u64 h = 0x9e3779b97f4a7c15ULL ^ len;

	while (len >= 8) {
		u64 v;

		memcpy(&v, p, 8);
		h ^= v * 0xff51afd7ed558ccdULL;
		h = ((h << 31) | (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
		p += 8;
		len -= 8;
	}
	if (len) {
		u64 v = 0;

		memcpy(&v, p, len);
		h ^= v * 0xff51afd7ed558ccdULL;
		h = ((h << 31) | (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (u32)h;
}

/* equal keys; the common sizes without a call */
static inline bool key_eq(const void *a, const void *b, size_t len)
{
	if (len == 4)
		return *(const u32 *)a == *(const u32 *)b;
	if (len == 8) {
		u64 x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	return !memcmp(a, b, len);
}

static inline const void *row_key(const struct rt_table *t, const void *row)
{
	return (const u8 *)row + t->key_off;
}

static int grow_index(struct rt_table *t)
{
	u32 nsize = (t->mask + 1) * 2;
	u32 *nindex = calloc(nsize, sizeof(*nindex));

	if (!nindex)
		return -1;
	for (u32 i = 0; i < t->nr_rows; i++) {
		u32 h = table_hash(row_key(t, table_row(t, i)), t->key_size);

		while (nindex[h & (nsize - 1)])
			h++;
		nindex[h & (nsize - 1)] = i + 1;
	}
	free(t->index);
	t->index = nindex;
	t->mask = nsize - 1;
	return 0;
}

static int mark_dirty(struct rt_table *t, struct rt_row *row, u32 nr)
{
	if (row->gen == t->gen || t->no_dirty)
		return 0;
	row->gen = t->gen;
	if (row->flags & RT_ROW_OTHER) {
		t->other_dirty = true;
		return 0;
	}
	if (t->nr_dirty == t->dirty_cap) {
		u32 ncap = t->dirty_cap ? t->dirty_cap * 2 : 256;
		u32 *nd = realloc(t->dirty, ncap * sizeof(*nd));

		if (!nd)
			return -1;
		t->dirty = nd;
		t->dirty_cap = ncap;
	}
	t->dirty[t->nr_dirty++] = nr;
	return 0;
}

static void *get_other(struct rt_table *t)
{
	struct rt_row *row;

	if (!t->other) {
		t->other = calloc(1, t->row_size);
		if (!t->other)
			return NULL;
	}
	row = (struct rt_row *)t->other;
	row->flags |= RT_ROW_OTHER;
	row->nr = RT_ROW_NR_OTHER;
	t->other_hits++;
	mark_dirty(t, row, 0);
	return row;
}

int table_mark_dirty(struct rt_table *t, struct rt_row *row)
{
	return mark_dirty(t, row, row->nr);
}

void *table_find(const struct rt_table *t, const void *key)
{
	u32 h = table_hash(key, t->key_size);

	for (;; h++) {
		u32 slot = t->index[h & t->mask];
		void *row;

		if (!slot)
			return NULL;
		row = table_row(t, slot - 1);
		if (key_eq(row_key(t, row), key, t->key_size))
			return row;
	}
}

void *table_get(struct rt_table *t, const void *key)
{
	u32 h = table_hash(key, t->key_size);
	u32 *slotp;
	struct rt_row *row;
	u32 nr;

	for (;; h++) {
		slotp = &t->index[h & t->mask];
		if (!*slotp)
			break;
		row = table_row(t, *slotp - 1);
		if (key_eq(row_key(t, row), key, t->key_size)) {
			if (row->gen != t->gen && mark_dirty(t, row, *slotp - 1))
				return NULL;
			return row;
		}
	}

	if (t->nr_rows >= t->cap)
		return get_other(t);

	nr = t->nr_rows;
	if ((nr >> 10) >= t->nr_chunks) {
		u8 **nc = realloc(t->chunks, (t->nr_chunks + 1) * sizeof(*nc));

		if (!nc)
			return NULL;
		t->chunks = nc;
		t->chunks[t->nr_chunks] = calloc(CHUNK_ROWS, t->row_size);
		if (!t->chunks[t->nr_chunks])
			return NULL;
		t->nr_chunks++;
	}
	row = table_row(t, nr);
	memset(row, 0, t->row_size);
	row->nr = nr;
	memcpy((u8 *)row + t->key_off, key, t->key_size);
	*slotp = nr + 1;
	t->nr_rows++;
	if (mark_dirty(t, row, nr))
		return NULL;
	/* keep the load factor under 1/2 */
	if (t->nr_rows * 2 > t->mask + 1 && grow_index(t))
		return NULL;
	return row;
}

u32 table_dirty_count(const struct rt_table *t)
{
	return t->nr_dirty + (t->other_dirty ? 1 : 0);
}

void *table_dirty_row(const struct rt_table *t, u32 i)
{
	if (i < t->nr_dirty)
		return table_row(t, t->dirty[i]);
	return t->other;
}

void table_next_interval(struct rt_table *t)
{
	u32 *tmp = t->last_dirty;
	u32 cap = t->last_dirty_cap;

	t->last_dirty = t->dirty;
	t->last_dirty_cap = t->dirty_cap;
	t->nr_last_dirty = t->nr_dirty;
	t->last_other_dirty = t->other_dirty;
	t->dirty = tmp;
	t->dirty_cap = cap;
	t->nr_dirty = 0;
	t->other_dirty = false;
	t->gen++;
}

u32 table_last_nr(const struct rt_table *t, u32 i)
{
	return i < t->nr_last_dirty ? t->last_dirty[i] : RT_ROW_NR_OTHER;
}

void *table_get_other(struct rt_table *t)
{
	void *row = get_other(t);

	if (row)
		t->other_hits--;	/* not a lookup that overflowed */
	return row;
}

u32 table_last_count(const struct rt_table *t)
{
	return t->nr_last_dirty + (t->last_other_dirty ? 1 : 0);
}

void *table_last_row(const struct rt_table *t, u32 i)
{
	if (i < t->nr_last_dirty)
		return table_row(t, t->last_dirty[i]);
	return t->other;
}

/* the other row exists once a key went to it (table_clear() zeroes it) */
static bool other_used(const struct rt_table *t)
{
	return t->other && (((struct rt_row *)t->other)->flags & RT_ROW_OTHER);
}

u32 table_count(const struct rt_table *t)
{
	return t->nr_rows + (other_used(t) ? 1 : 0);
}

void *table_any_row(const struct rt_table *t, u32 i)
{
	if (i < t->nr_rows)
		return table_row(t, i);
	return t->other;
}
