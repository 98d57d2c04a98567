// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "recvtop/table.h"
#include "unit.h"

struct row {
	struct rt_row hdr;
	int key;
	u64 n;
};

TEST(table_get_creates_and_finds)
{
	struct rt_table t;

	CHECK_EQ(table_init(&t, sizeof(struct row), offsetof(struct row, key),
			    sizeof(int), 100000), 0);
	for (int i = 0; i < 5000; i++) {
		struct row *r = table_get(&t, &i);

		CHECK(r && r->key == i);
		r->n += (u64)i;
	}
	CHECK_EQ(t.nr_rows, 5000);
	for (int i = 0; i < 5000; i++) {
		struct row *r = table_find(&t, &i);

		CHECK(r && r->n == (u64)i);
	}
	{
		int absent = 777777;

		CHECK(table_find(&t, &absent) == NULL);
	}
	table_free(&t);
}

TEST(table_cap_folds_into_other_row)
{
	struct rt_table t;
	struct row *r;

	table_init(&t, sizeof(struct row), offsetof(struct row, key),
		   sizeof(int), 10);
	for (int i = 0; i < 1000; i++) {
		r = table_get(&t, &i);
		CHECK(r != NULL);
		r->n++;
	}
	CHECK_EQ(t.nr_rows, 10);
	CHECK(t.other != NULL);
	r = (struct row *)t.other;
	CHECK(r->hdr.flags & RT_ROW_OTHER);
	CHECK_EQ(r->n, 990);
	CHECK_EQ(t.other_hits, 990);
	CHECK_EQ(table_count(&t), 11);
	table_free(&t);
}

TEST(table_dirty_lists_follow_intervals)
{
	struct rt_table t;
	int k;

	table_init(&t, sizeof(struct row), offsetof(struct row, key),
		   sizeof(int), 4);
	for (k = 0; k < 3; k++) {
		table_get(&t, &k);
		table_get(&t, &k);	/* twice: listed once */
	}
	CHECK_EQ(table_dirty_count(&t), 3);
	table_next_interval(&t);
	CHECK_EQ(table_dirty_count(&t), 0);
	CHECK_EQ(table_last_count(&t), 3);
	k = 1;
	table_get(&t, &k);
	for (k = 10; k < 20; k++)	/* 1 new row, 9 to other */
		table_get(&t, &k);
	CHECK_EQ(table_dirty_count(&t), 3);
	table_next_interval(&t);
	CHECK_EQ(table_last_count(&t), 3);
	CHECK(((struct row *)table_last_row(&t, 2))->hdr.flags & RT_ROW_OTHER);
	table_clear(&t);
	CHECK_EQ(table_count(&t), 0);	/* the zeroed other row is not listed */
	table_free(&t);
}
