/*
 * rtdat - read a trace-cmd .dat file the way KernelShark opens it, with
 * libtracecmd's public API only, and say what is in it.
 *
 *   rtdat [--no-plugins] FILE.dat
 *
 * KernelShark (libkshark-tepdata.c) does: tracecmd_open_head(file),
 * tracecmd_init_data(), n_cpus = tep_get_cpus(tep), then reads every CPU
 * from tracecmd_read_cpu_first() with tracecmd_read_data().  rtdat does
 * the same and prints, one fact per line:
 *
 *   cpus N                  tep_get_cpus(): 0 means KernelShark sees nothing
 *   cpu C EVENTS            records per CPU
 *   events N                all records
 *   event SYSTEM:NAME N     records per event (by common_type)
 *   unknown N               records whose event id has no format
 *   missed N                records flagged with lost events before them
 *   order ok|BAD            timestamps never decrease within a CPU
 *   comm PID NAME N         for every pid with records: the comm libtracecmd
 *                           knows (saved cmdlines) and its record count
 *
 * Exit status: 0, or 1 when the file cannot be opened (message on stderr).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-cmd.h>

struct count {
	int key;
	unsigned long long n;
};

static struct count *bump(struct count **arr, int *nr, int *cap, int key)
{
	for (int i = 0; i < *nr; i++)
		if ((*arr)[i].key == key)
			return &(*arr)[i];
	if (*nr == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		struct count *n = realloc(*arr, (size_t)ncap * sizeof(*n));

		if (!n) {
			perror("rtdat");
			exit(1);
		}
		*arr = n;
		*cap = ncap;
	}
	(*arr)[*nr].key = key;
	(*arr)[*nr].n = 0;
	return &(*arr)[(*nr)++];
}

static int cmp_key(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

int main(int argc, char **argv)
{
	struct tracecmd_input *h;
	struct tep_handle *tep;
	struct count *ev = NULL, *pids = NULL;
	int nr_ev = 0, cap_ev = 0, nr_pid = 0, cap_pid = 0;
	unsigned long long total = 0, unknown = 0, missed = 0;
	const char *file;
	int flags = 0, cpus;
	int order_ok = 1;

	if (argc == 3 && !strcmp(argv[1], "--no-plugins")) {
		flags = TRACECMD_FL_LOAD_NO_PLUGINS;
		file = argv[2];
	} else if (argc == 2) {
		file = argv[1];
	} else {
		fprintf(stderr, "usage: rtdat [--no-plugins] FILE.dat\n");
		return 2;
	}
	h = tracecmd_open_head(file, flags);
	if (!h) {
		fprintf(stderr, "rtdat: %s: tracecmd_open_head failed\n", file);
		return 1;
	}
	if (tracecmd_init_data(h) < 0) {
		fprintf(stderr, "rtdat: %s: tracecmd_init_data failed\n", file);
		tracecmd_close(h);
		return 1;
	}
	tep = tracecmd_get_tep(h);
	cpus = tep_get_cpus(tep);
	printf("cpus %d\n", cpus);
	for (int cpu = 0; cpu < cpus; cpu++) {
		struct tep_record *rec = tracecmd_read_cpu_first(h, cpu);
		unsigned long long n = 0, last = 0;

		while (rec) {
			int id = tep_data_type(tep, rec);
			int pid = tep_data_pid(tep, rec);

			if (rec->ts < last)
				order_ok = 0;
			last = rec->ts;
			if (!tep_find_event(tep, id))
				unknown++;
			if (rec->missed_events)
				missed++;
			bump(&ev, &nr_ev, &cap_ev, id)->n++;
			bump(&pids, &nr_pid, &cap_pid, pid)->n++;
			n++;
			tracecmd_free_record(rec);
			rec = tracecmd_read_data(h, cpu);
		}
		printf("cpu %d %llu\n", cpu, n);
		total += n;
	}
	printf("events %llu\n", total);
	qsort(ev, (size_t)nr_ev, sizeof(*ev), cmp_key);
	for (int i = 0; i < nr_ev; i++) {
		struct tep_event *e = tep_find_event(tep, ev[i].key);

		if (e)
			printf("event %s:%s %llu\n", e->system, e->name, ev[i].n);
	}
	printf("unknown %llu\n", unknown);
	printf("missed %llu\n", missed);
	printf("order %s\n", order_ok ? "ok" : "BAD");
	qsort(pids, (size_t)nr_pid, sizeof(*pids), cmp_key);
	for (int i = 0; i < nr_pid; i++)
		printf("comm %d %s %llu\n", pids[i].key,
		       tep_data_comm_from_pid(tep, pids[i].key), pids[i].n);
	free(ev);
	free(pids);
	tracecmd_close(h);
	return 0;
}
