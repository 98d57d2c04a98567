/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_HIST_H
#define RECVTOP_HIST_H

#include "recvtop/common.h"

/*
 * Log-linear latency histogram: values below 8 ns are exact, above that
 * each power of two is split into 8 buckets (at most 12.5% wide).  Values
 * from 2^40 ns (about 18 minutes) up share the last bucket.  The interval
 * histogram uses 32-bit counts and is folded into a 64-bit total at the end
 * of each interval.
 */
#define HIST_SUB_BITS 3
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_MAX_MSB 39
#define HIST_BUCKETS ((HIST_MAX_MSB - HIST_SUB_BITS + 2) * HIST_SUB)

struct rt_hist32 {
	u32 b[HIST_BUCKETS];
};

struct rt_hist64 {
	u64 b[HIST_BUCKETS];
};

static inline unsigned int hist_bucket(u64 v)
{
	unsigned int msb;

	if (v < HIST_SUB)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	if (msb > HIST_MAX_MSB)
		return HIST_BUCKETS - 1;
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB +
	       (unsigned int)((v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

static inline void hist32_add(struct rt_hist32 *h, u64 v)
{
	h->b[hist_bucket(v)]++;
}

/* lowest and highest value that fall into bucket i */
u64 hist_bucket_low(unsigned int i);
u64 hist_bucket_high(unsigned int i);

void hist64_fold(struct rt_hist64 *total, const struct rt_hist32 *ival);
/*
 * Value at quantile q (0 < q <= 1): the upper bound of the bucket holding
 * the ceil(q * n)-th smallest value, clipped to max.  0 when n == 0.
 */
u64 hist32_quantile(const struct rt_hist32 *h, u64 n, double q, u64 max);
u64 hist64_quantile(const struct rt_hist64 *h, u64 n, double q, u64 max);

#endif
