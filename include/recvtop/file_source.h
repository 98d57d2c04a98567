/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_FILE_SOURCE_H
#define RECVTOP_FILE_SOURCE_H

#include "recvtop/common.h"
#include "recvtop/datfile.h"
#include "recvtop/merge.h"

struct tep_handle;
struct tracecmd_input;
struct pipeline;
struct taskinfo;

/*
 * The file source: a .dat file (recvtop's or trace-cmd's, v6 or v7,
 * uncompressed or zstd).  libtracecmd opens it and gives the event
 * formats (in a child first: a file whose metadata crashes the libraries
 * is refused); the pages are then read here, a few at a time, each checked
 * (dat_page_parse) before it is decoded, and go through the same merge as
 * the live source's, so the same pipeline counts the same numbers.
 *
 * Opening reads the metadata and a few pages at each end of every CPU's
 * data: it is quick whatever the size of the file.  A corrupt page further
 * in stops the reading with file_source_error().  Seeking is a binary
 * search over each CPU's pages by their time stamps.
 */

/* per CPU, counted over the pages read so far */
struct file_cpu_stats {
	int cpu;
	u64 pages;
	u64 events;		/* data events in the pages */
	u64 missed_pages;	/* pages flagged "events lost before" */
	u64 missed;		/* lost events they report (unknown = 1) */
	u64 first_ts, last_ts;	/* of the CPU's events */
	bool have_kstats;	/* the kernel's per-CPU stats (CPUSTAT) */
	u64 overrun, commit_overrun, dropped;
};

struct file_source;

struct file_source *file_source_open(const char *path, char *err,
				     size_t errlen);
/* The same for an open file (not taken over); name is for messages */
struct file_source *file_source_open_fd(int fd, const char *name, char *err,
					size_t errlen);
void file_source_close(struct file_source *fs);

const char *file_source_name(const struct file_source *fs);
const struct dat_meta *file_source_meta(const struct file_source *fs);
struct tep_handle *file_source_tep(const struct file_source *fs);
struct tracecmd_input *file_source_handle(const struct file_source *fs);
/* CPUs the data covers (highest CPU with data + 1, or the file's count) */
int file_source_nr_cpus(const struct file_source *fs);
const struct file_cpu_stats *file_source_cpu_stats(const struct file_source *fs,
						   int cpu);
/* events in the pages read so far; the first/last event time of the file */
u64 file_source_events(const struct file_source *fs);
u64 file_source_first_ts(const struct file_source *fs);
u64 file_source_last_ts(const struct file_source *fs);
/*
 * Is the file's time span one a pipeline can cut into intervals of
 * interval_ns?  A crafted time stamp can put events centuries apart;
 * refused (-1, err) beyond a year or ten million intervals.  The same
 * limit then holds for every event handed out (file_source_error).
 */
int file_source_check_span(struct file_source *fs, u64 interval_ns,
			   char *err, size_t errlen);
/* lost events per the kernel's stats kept in the file (CPUSTAT) */
bool file_source_kernel_lost(const struct file_source *fs, u64 *lost);

/*
 * recvtop's own data (see datfile.h): a value by key ("backend",
 * "mm_access", "probe_missed"), NULL when absent or not a recvtop file.
 */
const char *file_source_recvtop_value(const struct file_source *fs,
				      const char *key);
bool file_source_has_tasks(const struct file_source *fs);
struct conntab;
/*
 * Add the recording's TCP connections older than it ("conn" lines) to
 * t; returns how many, or -1 (err set) when one does not parse
 */
int file_source_load_conns(struct file_source *fs, struct conntab *t,
			   char *err, size_t errlen);
/*
 * Fill ti (a RT_TASKS_STORED taskinfo) with the recording's thread table;
 * for a file without one (trace-cmd's), with the saved command lines,
 * each thread taken as its own process.  Returns the number of entries,
 * -1 with a reason in err when recvtop's table is corrupt.
 */
int file_source_load_tasks(struct file_source *fs, struct taskinfo *ti,
			   char *err, size_t errlen);

/*
 * The next event (or lost-events marker, data NULL) in timestamp order if
 * its time is <= until.  raw stays valid until the next call.  Returns 1,
 * 0 when no event up to until is left.
 */
int file_source_next(struct file_source *fs, u64 until, struct rt_raw *raw);
/* time of the next event, UINT64_MAX at the end */
u64 file_source_peek_ts(struct file_source *fs);
/* feed every event up to until into the pipeline; returns how many */
u64 file_source_feed(struct file_source *fs, struct pipeline *p, u64 until);
/* events handed out since the start (or the last seek) */
u64 file_source_read_count(const struct file_source *fs);
/*
 * Why reading stopped before the end (an event far outside the span
 * allowed by file_source_check_span), or NULL.
 */
const char *file_source_error(const struct file_source *fs);
/* position every CPU at its first event with time >= ts; 0 or -1 */
int file_source_seek(struct file_source *fs, u64 ts);

#endif
