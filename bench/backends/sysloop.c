// SPDX-License-Identifier: GPL-2.0
/*
 * sysloop: a process that only makes syscalls no tracer follows
 * (getppid) for SECONDS and prints how many it made per second.  With any
 * syscall tracepoint enabled, every task takes the kernel's syscall slow
 * path; this measures what that costs a process that is not traced.
 *
 *   sysloop SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2, t0, t;
	unsigned long long n = 0;

	if (secs <= 0) {
		fprintf(stderr, "usage: sysloop SECONDS\n");
		return 2;
	}
	t0 = now();
	do {
		for (int i = 0; i < 10000; i++)
			syscall(SYS_getppid);
		n += 10000;
		t = now();
	} while (t - t0 < secs);
	printf("%.0f %.2f\n", (double)n / (t - t0), (t - t0) * 1e9 / (double)n);
	return 0;
}
