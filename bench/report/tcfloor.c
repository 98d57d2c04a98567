// SPDX-License-Identifier: GPL-2.0
/*
 * tcfloor: the library floor for reading a recording: open it with
 * libtracecmd's public API and iterate every event in time order
 * (tracecmd_iterate_events), doing nothing with them but count.
 *
 *   tcfloor FILE.dat        prints "events N"
 */
#include <stdio.h>

#include <trace-cmd/trace-cmd.h>

static int count(struct tracecmd_input *h, struct tep_record *rec, int cpu,
		 void *data)
{
	(void)h;
	(void)rec;
	(void)cpu;
	(*(unsigned long long *)data)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct tracecmd_input *h;
	unsigned long long n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tcfloor FILE.dat\n");
		return 2;
	}
	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open(argv[1], TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!h) {
		fprintf(stderr, "tcfloor: cannot open %s\n", argv[1]);
		return 1;
	}
	tracecmd_iterate_events(h, NULL, 0, count, &n);
	tracecmd_close(h);
	printf("events %llu\n", n);
	return 0;
}
