/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_DATFILE_H
#define RECVTOP_DATFILE_H

#include <stdio.h>

#include "recvtop/common.h"

/*
 * trace-cmd .dat files, byte by byte (../shared/docs/dat-format.md): a
 * writer of version 6 and version 7 files (uncompressed or zstd), the
 * parser and checker of raw ring-buffer pages, and a strict parser of a
 * file's metadata that the file source runs before libtracecmd sees the
 * file.
 *
 * Where recvtop keeps its own data (the thread table)
 * ---------------------------------------------------
 * A recording carries recvtop's whole tid -> tgid/comm table (and a few
 * run facts) so that a replay resolves threads exactly as the live run
 * did.  trace-cmd has no option for it, and libtracecmd 1.3.1 handles an
 * unknown option id by calling tracecmd_warning("unknown option %d"):
 * `trace-cmd report --debug` prints that line and `trace-cmd dump
 * --options` lists "[Unknown option, size - skipping]".  So recvtop does
 * not use an option of its own.  It appends its block to the saved
 * command lines, after a NUL byte:
 *
 *	"pid comm\n" ... (kernel saved_cmdlines, plus the comms recvtop
 *	resolved)  '\0'  "recvtop-data 1\n" key value lines, the TCP
 *	connections older than the run as "conn SK LPORT PROTOCOL AF RPORT
 *	ADDRHEX\n" lines (conntab_serialize; readers before them skip
 *	them), "tasks N\n", then N lines "tid tgid flags comm\n"
 *	(taskinfo_serialize)
 *
 * The block's size is part of the cmdlines size, so the v6 layout and
 * the v7 CMDLINES section stay exact.  Every reader parses the command
 * lines as one C string (libtracecmd: tep_parse_saved_cmdlines /
 * tracecmd_parse_cmdlines; `trace-cmd dump --cmd-lines` prints it with
 * %s), so everything after the NUL is invisible to them: trace-cmd
 * report (also with --debug), dump --summary/--cmd-lines/-v and
 * KernelShark open such files without a warning (checked with trace-cmd
 * 3.1.6 / libtracecmd 1.3.1, tests/record/70-record.t).
 */

#define DAT_MAGIC "\x17\x08\x44tracing"
#define DAT_MAGIC_LEN 10
#define DAT_RECVTOP_TAG "recvtop-data 1\n"

/* whole pages of uncompressed data per zstd chunk, as trace-cmd does */
#define DAT_PAGES_PER_CHUNK 10

/* option and section ids (trace-cmd-private.h) */
enum dat_option {
	DAT_OPT_DONE = 0,
	DAT_OPT_DATE = 1,
	DAT_OPT_CPUSTAT = 2,
	DAT_OPT_BUFFER = 3,
	DAT_OPT_TRACECLOCK = 4,
	DAT_OPT_UNAME = 5,
	DAT_OPT_HOOK = 6,
	DAT_OPT_OFFSET = 7,
	DAT_OPT_CPUCOUNT = 8,
	DAT_OPT_VERSION = 9,
	DAT_OPT_PROCMAPS = 10,
	DAT_OPT_TRACEID = 11,
	DAT_OPT_TIME_SHIFT = 12,
	DAT_OPT_GUEST = 13,
	DAT_OPT_TSC2NSEC = 14,
	DAT_OPT_STRINGS = 15,
	DAT_OPT_HEADER_INFO = 16,
	DAT_OPT_FTRACE_EVENTS = 17,
	DAT_OPT_EVENT_FORMATS = 18,
	DAT_OPT_KALLSYMS = 19,
	DAT_OPT_PRINTK = 20,
	DAT_OPT_CMDLINES = 21,
	DAT_OPT_BUFFER_TEXT = 22,
};

#define DAT_SEC_FL_COMPRESS 0x1

enum dat_compress {
	DAT_COMPRESS_NONE = 0,
	DAT_COMPRESS_ZSTD,
};

/* ---- raw ring-buffer pages ---- */

#define DAT_MISSED_EVENTS (1ULL << 31)
#define DAT_MISSED_STORED (1ULL << 30)
#define DAT_COMMIT_MASK ((1ULL << 27) - 1)

struct dat_page_info {
	u64 ts;			/* page time stamp */
	u32 commit;		/* bytes of event data */
	bool missed;		/* events were lost before this page */
	s64 missed_count;	/* > 0 when stored, -1 unknown, 0 none */
	u32 events;		/* data events (no padding, no time stamps) */
	u64 first_ts, last_ts;	/* of the data events */
};

/* one data event of a page: payload from common_type */
typedef void (*dat_event_fn)(void *ctx, const u8 *data, u32 size, u64 ts);

/*
 * Check one page (page_size bytes) and walk its events.  commit_size is
 * the size of the header's commit field (8 on 64-bit kernels, 4 on 32),
 * swap is set when the page is in the other byte order.  Every event, its
 * length words and payload must lie inside the committed data.  Returns
 * the number of data events, or -1 with a reason in why.
 */
int dat_page_parse(const void *page, u32 page_size, int commit_size,
		   bool swap, struct dat_page_info *info, dat_event_fn fn,
		   void *ctx, const char **why);

/* ---- writer ---- */

struct dat_blob {
	const char *system;	/* event formats: the system; else unused */
	const char *data;
	size_t len;
};

/* what the file holds before the CPU data; copied into the file at once */
struct dat_head {
	const char *header_page;	/* events/header_page, required */
	size_t header_page_len;
	const char *header_event;	/* events/header_event */
	size_t header_event_len;
	const struct dat_blob *ftrace;	/* events/ftrace/NAME/format */
	unsigned int nr_ftrace;
	const struct dat_blob *events;	/* events/SYS/NAME/format, by system */
	unsigned int nr_events;
	const char *kallsyms;		/* may be NULL */
	size_t kallsyms_len;
	const char *printk;		/* printk_formats, may be NULL */
	size_t printk_len;
};

/* what the file holds after the CPU data is known; see dat_writer_finish */
struct dat_tail {
	const char *cmdlines;		/* "pid comm\n" lines */
	size_t cmdlines_len;
	const char *recvtop;		/* recvtop's block, stored after a NUL */
	size_t recvtop_len;
	const char *trace_clock;	/* TRACECLOCK: the trace_clock file */
	const char *clock;		/* the clock's name, e.g. "mono" */
	const char *uname;		/* "sysname nodename release machine" */
	const char *version;		/* VERSION option */
	char *const *cpustats;		/* per CPU, NULL entries allowed */
};

struct dat_writer_opts {
	int version;			/* 6 or 7 */
	enum dat_compress compress;	/* zstd needs version 7 */
	u32 page_size;			/* ring-buffer sub-buffer size */
	int nr_cpus;
	bool overwrite;			/* the final file may be replaced */
};

struct dat_writer;

/*
 * Start a file that will be called path: the file is built in temp files
 * beside it (".NAME.rtPID.tmp", ".NAME.rtPID.cpuN", mode 0600, removed on
 * every path, also by the emergency cleanup) and appears under its name
 * only when it is complete.  Returns NULL with a reason in err.
 */
struct dat_writer *dat_writer_create(const char *path,
				     const struct dat_writer_opts *o,
				     char *err, size_t errlen);
/* Write everything up to the CPU data; -1 with a reason in err */
int dat_writer_write_head(struct dat_writer *w, const struct dat_head *h,
			  char *err, size_t errlen);
/* The CPU's data file, to splice pages into (append only) */
int dat_writer_cpu_fd(struct dat_writer *w, int cpu);
/*
 * Keep room after the head for a tail of tail_bytes (it grows with the
 * thread table): -1 (ENOSPC) when the disk has no room left for it.
 */
int dat_writer_reserve_tail(struct dat_writer *w, u64 tail_bytes);
/* Append whole pages to the CPU's data; -1 with errno set */
int dat_writer_add_cpu_pages(struct dat_writer *w, int cpu,
			     const void *pages, size_t len);
/*
 * Account for what reached the CPU's file through its fd and make it
 * whole pages: pad a short last page with zeros (pad), or cut it off
 * (after a write error).  Returns the CPU's size, or -1 (errno set).
 */
s64 dat_writer_cpu_sync(struct dat_writer *w, int cpu, bool pad);
/* Total bytes written so far (head and CPU data) */
u64 dat_writer_bytes(const struct dat_writer *w);
/*
 * Write the rest, move the CPU data into the file (compressing it for
 * zstd) and give the file its name.  On failure everything is removed
 * and err says why.  Returns the final file size, or -1.
 */
s64 dat_writer_finish(struct dat_writer *w, const struct dat_tail *t,
		      char *err, size_t errlen);
/* Remove the temp files (unless finished) and free the writer */
void dat_writer_free(struct dat_writer *w);
const char *dat_writer_path(const struct dat_writer *w);

/* ---- metadata parser (for the file source and the fuzzer) ---- */

struct dat_cpu_data {
	int cpu;
	u64 offset;		/* absolute; compressed: the chunk count */
	u64 size;		/* bytes (compressed: without the count) */
};

struct dat_text {
	char *data;		/* NUL-terminated copy */
	size_t len;
};

struct dat_meta {
	int version;
	bool big_endian;
	int long_size;		/* from the file header */
	int commit_size;	/* from header_page: the kernel's long */
	u32 page_size;
	u32 page_header;	/* bytes before event data in a page */
	enum dat_compress compress;
	char compress_name[32];
	char compress_version[32];
	u64 file_size;

	unsigned int nr_ftrace, nr_systems, nr_events;
	u64 kallsyms_len, printk_len;
	struct dat_text cmdlines;	/* up to the first NUL */
	struct dat_text recvtop;	/* recvtop's block, if any */

	int cpus;		/* the v6 count, CPUCOUNT or max id + 1 */
	bool have_cpucount;
	struct dat_cpu_data *cpu;	/* top buffer, nr_cpu_data entries */
	int nr_cpu_data;
	bool data_compressed;

	char clock[32];		/* from TRACECLOCK or the BUFFER option */
	struct dat_text uname, tc_version;
	struct dat_text *cpustats;
	int nr_cpustats;
	unsigned int nr_options, nr_sections;
};

/*
 * Parse and check everything in an open .dat file except the pages: the
 * header, every metadata block and section (decompressing zstd ones), the
 * options and where each CPU's data lies.  Anything a reader would trip
 * over gives -1 and one line in err naming what is wrong.
 */
int dat_meta_read(int fd, struct dat_meta *m, char *err, size_t errlen);
void dat_meta_free(struct dat_meta *m);

/* ZSTD chunks of one CPU's data */
struct dat_chunk {
	u64 offset;		/* of the compressed bytes */
	u32 csize, usize;
};

/* Read and check the chunk table at d->offset; -1 with a reason */
int dat_chunks_read(int fd, const struct dat_meta *m,
		    const struct dat_cpu_data *d, struct dat_chunk **out,
		    u32 *nr, char *err, size_t errlen);
/* Decompress one chunk into out (usize bytes); -1 on bad data */
int dat_chunk_decompress(int fd, const struct dat_chunk *c, void *scratch,
			 void *out);

/* make a message that quotes file bytes one printable line */
void dat_err_clean(char *err);

/* full pread or -1 (short read: errno EIO) */
int dat_pread_full(int fd, void *buf, size_t len, u64 off);

#endif
