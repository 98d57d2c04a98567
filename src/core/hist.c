// SPDX-License-Identifier: GPL-2.0
/* Latency histograms: bucket bounds, folding, quantiles. */
#include <math.h>

#include "recvtop/hist.h"

u64 hist_bucket_low(unsigned int i)
{
	unsigned int msb, sub;

	if (i < HIST_SUB)
		return i;
	msb = i / HIST_SUB + HIST_SUB_BITS - 1;
	sub = i % HIST_SUB;
	return ((u64)(HIST_SUB + sub)) << (msb - HIST_SUB_BITS);
}

u64 hist_bucket_high(unsigned int i)
{
	if (i >= HIST_BUCKETS - 1)
		return UINT64_MAX;
	return hist_bucket_low(i + 1) - 1;
}

void hist64_fold(struct rt_hist64 *total, const struct rt_hist32 *ival)
{
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		total->b[i] += ival->b[i];
}

static u64 rank_of(u64 n, double q)
{
	double r = ceil(q * (double)n);

	if (r < 1)
		r = 1;
	if (r > (double)n)
		r = (double)n;
	return (u64)r;
}

static u64 clip(unsigned int i, u64 max)
{
	u64 hi = hist_bucket_high(i);

	return hi < max ? hi : max;
}

/* the bucket counts of either width, as one walk */
static u64 quantile(const u32 *b32, const u64 *b64, u64 n, double q, u64 max)
{
	u64 want, seen = 0;

	if (!n)
		return 0;
	want = rank_of(n, q);
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += b32 ? b32[i] : b64[i];
		if (seen >= want)
			return clip(i, max);
	}
	return max;
}

u64 hist32_quantile(const struct rt_hist32 *h, u64 n, double q, u64 max)
{
	return quantile(h->b, NULL, n, q, max);
}

u64 hist64_quantile(const struct rt_hist64 *h, u64 n, double q, u64 max)
{
	return quantile(NULL, h->b, n, q, max);
}
