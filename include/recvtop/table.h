/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TABLE_H
#define RECVTOP_TABLE_H

#include "recvtop/common.h"

/*
 * A bounded hash table of fixed-size rows, for the stats tables.
 *
 * Every row starts with struct rt_row; the key lives at key_off inside the
 * row.  Rows are never freed or moved until table_clear(), so pointers to
 * them stay valid.  Once cap rows exist, new keys all land in one "other"
 * row (flag RT_ROW_OTHER), so memory stays bounded whatever the input.
 * Rows touched since the last table_next_interval() are on the dirty list.
 */

#define RT_ROW_OTHER 0x1

struct rt_row {
	u32 gen;	/* interval generation that last touched the row */
	u32 flags;
	u32 nr;		/* row number (RT_ROW_NR_OTHER for the other row) */
};

struct rt_table {
	size_t row_size;
	size_t key_off;
	size_t key_size;
	u32 cap;		/* most distinct rows (the other row excluded) */
	u32 nr_rows;
	u32 mask;		/* index size - 1 */
	u32 *index;		/* row number + 1; 0 = empty slot */
	u8 **chunks;
	u32 nr_chunks;
	u8 *other;		/* allocated when first needed */
	u64 other_hits;		/* lookups that went to the other row */
	u32 *dirty;
	u32 nr_dirty;
	u32 dirty_cap;
	u32 *last_dirty;	/* the dirty list of the interval before */
	u32 nr_last_dirty;
	u32 last_dirty_cap;
	bool last_other_dirty;
	u32 gen;
	bool other_dirty;
	bool no_dirty;		/* no interval tracking (lookup tables) */
};

int table_init(struct rt_table *t, size_t row_size, size_t key_off,
	       size_t key_size, u32 cap);
void table_free(struct rt_table *t);
/* Drop every row (memory kept for reuse) */
void table_clear(struct rt_table *t);

u32 table_hash(const void *key, size_t len);

/*
 * The row for key, created zeroed (key copied in) when absent.  Marks the
 * row dirty for the current interval.  Returns NULL only when memory runs
 * out; returns the other row when the table is full.
 */
void *table_get(struct rt_table *t, const void *key);
/* The row for key, or NULL; does not create or mark dirty */
void *table_find(const struct rt_table *t, const void *key);
/* A row got from table_get earlier is used again: mark it dirty */
static inline void table_touch(struct rt_table *t, void *row);

/* Row number i (0 <= i < nr_rows) */
static inline void *table_row(const struct rt_table *t, u32 i)
{
	return t->chunks[i >> 10] + (size_t)(i & 1023) * t->row_size;
}

/* Rows touched in the current interval, then the other row if touched */
u32 table_dirty_count(const struct rt_table *t);
void *table_dirty_row(const struct rt_table *t, u32 i);
/* Start a new interval: the dirty list becomes the "last" list */
void table_next_interval(struct rt_table *t);
/* Rows touched in the interval completed by the last table_next_interval */
u32 table_last_count(const struct rt_table *t);
void *table_last_row(const struct rt_table *t, u32 i);
/* the row number of table_last_row(t, i); RT_ROW_NR_OTHER: the other row */
#define RT_ROW_NR_OTHER UINT32_MAX
u32 table_last_nr(const struct rt_table *t, u32 i);
/* the other row, created (and marked dirty) if needed; NULL: no memory */
void *table_get_other(struct rt_table *t);
/* All rows, other row last (if it exists) */
u32 table_count(const struct rt_table *t);
void *table_any_row(const struct rt_table *t, u32 i);

int table_mark_dirty(struct rt_table *t, struct rt_row *row);

static inline void table_touch(struct rt_table *t, void *row)
{
	if (((struct rt_row *)row)->gen != t->gen)
		table_mark_dirty(t, row);
}

#endif
