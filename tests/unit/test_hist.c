// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "recvtop/hist.h"
#include "unit.h"

TEST(hist_buckets_cover_every_value_once)
{
	/* consecutive buckets tile the number line without gaps */
	for (unsigned int i = 0; i + 1 < HIST_BUCKETS; i++) {
		CHECK_EQ(hist_bucket_high(i) + 1, hist_bucket_low(i + 1));
		CHECK_EQ(hist_bucket(hist_bucket_low(i)), i);
		CHECK_EQ(hist_bucket(hist_bucket_high(i)), i);
	}
	CHECK_EQ(hist_bucket(0), 0);
	CHECK_EQ(hist_bucket(7), 7);
	CHECK_EQ(hist_bucket(8), 8);
	CHECK_EQ(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
	CHECK_EQ(hist_bucket(1ULL << 50), HIST_BUCKETS - 1);
}

TEST(hist_bucket_width_is_at_most_an_eighth)
{
	for (unsigned int i = HIST_SUB; i + 1 < HIST_BUCKETS; i++) {
		u64 lo = hist_bucket_low(i), hi = hist_bucket_high(i);

		CHECK((hi - lo + 1) * 8 <= lo);
	}
}

TEST(hist_quantiles)
{
	struct rt_hist32 h;
	u64 max = 0;

	memset(&h, 0, sizeof(h));
	/* 990 calls of 1000 ns, 10 of 1 ms */
	for (int i = 0; i < 990; i++)
		hist32_add(&h, 1000);
	for (int i = 0; i < 10; i++)
		hist32_add(&h, 1000000);
	max = 1000000;
	CHECK(hist32_quantile(&h, 1000, 0.99, max) >= 1000);
	CHECK(hist32_quantile(&h, 1000, 0.99, max) < 1000 * 9 / 8 + 1);
	CHECK(hist32_quantile(&h, 1000, 0.995, max) >= 1000000 * 7 / 8);
	CHECK_EQ(hist32_quantile(&h, 1000, 1.0, max), max);
	CHECK_EQ(hist32_quantile(&h, 0, 0.99, max), 0);
}

TEST(hist_fold_keeps_counts)
{
	struct rt_hist32 a;
	struct rt_hist64 t;

	memset(&a, 0, sizeof(a));
	memset(&t, 0, sizeof(t));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 100; i++)
			hist32_add(&a, (u64)i * 1000);
		hist64_fold(&t, &a);
		memset(&a, 0, sizeof(a));
	}
	{
		u64 n = 0;

		for (unsigned int i = 0; i < HIST_BUCKETS; i++)
			n += t.b[i];
		CHECK_EQ(n, 300);
	}
	CHECK_EQ(hist64_quantile(&t, 300, 0.5, 99000) >= 49000, 1);
}
