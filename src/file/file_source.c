// SPDX-License-Identifier: GPL-2.0
/* The file source: a checked .dat file read through libtracecmd. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <trace-cmd/trace-cmd.h>
#include <traceevent/event-parse.h>

#include "recvtop/conntab.h"
#include "recvtop/file_source.h"
#include "recvtop/signals.h"
#include "recvtop/pipeline.h"
#include "recvtop/taskinfo.h"


#if defined(__SANITIZE_ADDRESS__)
/*
 * libtracecmd 1.3.1 leaks the clock name of every version 6 file with a
 * TRACECLOCK option whose text holds a "[clock]" (trace-cmd's own files):
 * it parses the option when the file is opened and the clock after the
 * CPU table again, and the second result overwrites the first.
 * LeakSanitizer's fast unwinder stops in libc's sscanf (libtracecmd has
 * no frame pointers), so that is where the suppression has to match;
 * recvtop itself never has sscanf allocate.  (recvtop's own v6 files
 * avoid it: datfile.c writes the option without brackets.)
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:isoc99_sscanf\nleak:isoc99_vsscanf\n";
}

/* and without the "Suppressions used" note on every such run */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

/* pages read from the file at a time, per CPU */
#define READ_AHEAD_PAGES 64
/* pages with content kept queued in the merge, per CPU */
#define QUEUED_PAGES 2

struct fs_cpu {
	const struct dat_cpu_data *d;	/* NULL: no data for this CPU */
	u64 nr_pages;			/* pages in the file */
	u64 next;			/* next page to hand to the merge */
	/* uncompressed: a read-ahead window of pages */
	u8 *win;
	u64 win_first;			/* page number of win's first page */
	u32 win_pages;
	/* compressed: the chunk table and one decompressed chunk */
	struct dat_chunk *chunks;
	u64 *chunk_first;		/* first page number of each chunk */
	u32 nr_chunks;
	u32 cur_chunk;			/* decompressed in win (-1: none) */
	u8 *scratch;
};

struct file_source {
	char *name;
	int fd;
	struct dat_meta meta;
	struct tracecmd_input *h;
	struct tep_handle *tep;
	int nr_cpus;
	struct fs_cpu *cpu;
	struct file_cpu_stats *stats;
	struct cpu_merge *merge;
	bool primed;			/* every CPU has its pages queued */
	u64 events, first_ts, last_ts;	/* events: read so far */
	u64 read_count;
	bool swap;
	u64 span_limit;			/* ns the handed-out events may span */
	u64 first_out;			/* time of the first one handed out */
	bool have_first_out;
	char error[160];		/* why reading stopped early */
};

const char *file_source_name(const struct file_source *fs)
{
	return fs->name;
}

const struct dat_meta *file_source_meta(const struct file_source *fs)
{
	return &fs->meta;
}

struct tep_handle *file_source_tep(const struct file_source *fs)
{
	return fs->tep;
}

struct tracecmd_input *file_source_handle(const struct file_source *fs)
{
	return fs->h;
}

int file_source_nr_cpus(const struct file_source *fs)
{
	return fs->nr_cpus;
}

const struct file_cpu_stats *file_source_cpu_stats(const struct file_source *fs,
						   int cpu)
{
	return cpu >= 0 && cpu < fs->nr_cpus ? &fs->stats[cpu] : NULL;
}

u64 file_source_events(const struct file_source *fs)
{
	return fs->events;
}

u64 file_source_first_ts(const struct file_source *fs)
{
	return fs->first_ts;
}

u64 file_source_last_ts(const struct file_source *fs)
{
	return fs->last_ts;
}

u64 file_source_read_count(const struct file_source *fs)
{
	return fs->read_count;
}

const char *file_source_error(const struct file_source *fs)
{
	return fs->error[0] ? fs->error : NULL;
}

/* ---- pages ---- */

/* page number p of CPU c into dst (page_size bytes); 0 or -1 (error set) */
static int read_page(struct file_source *fs, int cpu, u64 p, void *dst)
{
	struct fs_cpu *c = &fs->cpu[cpu];
	u32 ps = fs->meta.page_size;

	if (!fs->meta.data_compressed) {
		if (p < c->win_first || p >= c->win_first + c->win_pages) {
			u64 n = c->nr_pages - p;

			if (n > READ_AHEAD_PAGES)
				n = READ_AHEAD_PAGES;
			if (dat_pread_full(fs->fd, c->win, (size_t)(n * ps),
					   c->d->offset + p * ps)) {
				snprintf(fs->error, sizeof(fs->error),
					 "cannot read CPU %d's data: %s", cpu,
					 strerror(errno));
				return -1;
			}
			c->win_first = p;
			c->win_pages = (u32)n;
		}
		memcpy(dst, c->win + (p - c->win_first) * ps, ps);
		return 0;
	}
	/* the chunk holding page p: chunks are read in order, so the
	 * current or the next one, else a search */
	if (c->cur_chunk == UINT32_MAX || p < c->chunk_first[c->cur_chunk] ||
	    p >= c->chunk_first[c->cur_chunk] +
		 c->chunks[c->cur_chunk].usize / ps) {
		u32 lo = 0, hi = c->nr_chunks;

		while (hi - lo > 1) {
			u32 mid = lo + (hi - lo) / 2;

			if (c->chunk_first[mid] <= p)
				lo = mid;
			else
				hi = mid;
		}
		if (dat_chunk_decompress(fs->fd, &c->chunks[lo], c->scratch,
					 c->win)) {
			snprintf(fs->error, sizeof(fs->error), "corrupt: CPU "
				 "%d's compressed chunk %u does not decompress",
				 cpu, lo);
			return -1;
		}
		c->cur_chunk = lo;
	}
	memcpy(dst, c->win + (p - c->chunk_first[c->cur_chunk]) * ps, ps);
	return 0;
}

/*
 * Check page p of CPU cpu and count it.  Returns 1 if it holds events or
 * reports lost ones, 0 if it is empty, -1 when corrupt (error set).
 */
static int check_page(struct file_source *fs, int cpu, u64 p, const void *page,
		      struct dat_page_info *info)
{
	const char *why = NULL;
	int n;

	n = dat_page_parse(page, fs->meta.page_size, fs->meta.commit_size,
			   fs->swap, info, NULL, NULL, &why);
	if (n < 0) {
		snprintf(fs->error, sizeof(fs->error), "corrupt: CPU %d, page "
			 "%llu: %s", cpu, (unsigned long long)p, why);
		return -1;
	}
	return n > 0 || info->missed;
}

/* keep QUEUED_PAGES pages with content queued for cpu */
static int refill(struct file_source *fs, int cpu)
{
	struct fs_cpu *c = &fs->cpu[cpu];
	struct file_cpu_stats *st = &fs->stats[cpu];

	while (c->next < c->nr_pages &&
	       merge_cpu_queued(fs->merge, cpu) < QUEUED_PAGES) {
		struct dat_page_info info;
		void *page = merge_page_buf(fs->merge);
		int r;

		if (!page) {
			snprintf(fs->error, sizeof(fs->error), "out of memory");
			return -1;
		}
		if (read_page(fs, cpu, c->next, page) ||
		    (r = check_page(fs, cpu, c->next, page, &info)) < 0) {
			merge_drop_page(fs->merge, page);
			return -1;
		}
		c->next++;
		st->pages++;
		if (info.missed) {
			st->missed_pages++;
			st->missed += info.missed_count > 0 ?
				      (u64)info.missed_count : 1;
		}
		if (info.events) {
			if (!st->events || info.first_ts < st->first_ts)
				st->first_ts = info.first_ts;
			if (info.last_ts > st->last_ts)
				st->last_ts = info.last_ts;
			st->events += info.events;
			fs->events += info.events;
		}
		if (!r) {
			merge_drop_page(fs->merge, page);
			continue;
		}
		merge_commit_page(fs->merge, cpu, page);
	}
	return 0;
}

/* the merge used up a page of cpu: read the next (errors: fs->error) */
static void need_pages(void *ctx, int cpu)
{
	struct file_source *fs = ctx;

	if (!fs->error[0])
		refill(fs, cpu);
}

static int prime(struct file_source *fs)
{
	for (int i = 0; i < fs->nr_cpus; i++)
		if (fs->cpu[i].d && refill(fs, i))
			return -1;
	fs->primed = true;
	return 0;
}

/* time of the first or last event of a CPU's data, reading few pages */
static int edge_ts(struct file_source *fs, int cpu, bool last, u64 *ts)
{
	struct fs_cpu *c = &fs->cpu[cpu];
	u8 *page = malloc(fs->meta.page_size);
	u64 tries = 0;
	int ret = 0;

	*ts = 0;
	if (!page)
		return -1;
	for (u64 i = 0; i < c->nr_pages && tries < 4096; i++, tries++) {
		u64 p = last ? c->nr_pages - 1 - i : i;
		struct dat_page_info info;
		int r;

		if (read_page(fs, cpu, p, page) ||
		    (r = check_page(fs, cpu, p, page, &info)) < 0) {
			ret = -1;
			break;
		}
		if (info.events) {
			*ts = last ? info.last_ts : info.first_ts;
			break;
		}
	}
	free(page);
	return ret;
}

/* per CPU: where its pages are, and the time span of the whole file */
static int index_cpus(struct file_source *fs, char *err, size_t errlen)
{
	u32 ps = fs->meta.page_size;

	for (int i = 0; i < fs->meta.nr_cpu_data; i++) {
		const struct dat_cpu_data *d = &fs->meta.cpu[i];
		struct fs_cpu *c;
		u64 first, last;

		if (!d->size || d->cpu < 0 || d->cpu >= fs->nr_cpus)
			continue;
		c = &fs->cpu[d->cpu];
		c->d = d;
		c->cur_chunk = UINT32_MAX;
		if (!fs->meta.data_compressed) {
			c->nr_pages = d->size / ps;
			c->win = malloc((size_t)READ_AHEAD_PAGES * ps);
			if (!c->win)
				goto oom;
		} else {
			u64 pages = 0;
			u32 max_usize = 0;
			u32 max_csize = 1;

			if (dat_chunks_read(fs->fd, &fs->meta, d, &c->chunks,
					    &c->nr_chunks, err, errlen))
				return -1;
			c->chunk_first = calloc(c->nr_chunks ? c->nr_chunks : 1,
						sizeof(*c->chunk_first));
			if (!c->chunk_first)
				goto oom;
			for (u32 k = 0; k < c->nr_chunks; k++) {
				c->chunk_first[k] = pages;
				pages += c->chunks[k].usize / ps;
				if (c->chunks[k].usize > max_usize)
					max_usize = c->chunks[k].usize;
				if (c->chunks[k].csize > max_csize)
					max_csize = c->chunks[k].csize;
			}
			c->nr_pages = pages;
			c->win = malloc(max_usize ? max_usize : ps);
			c->scratch = malloc(max_csize);
			if (!c->win || !c->scratch)
				goto oom;
		}
		if (edge_ts(fs, d->cpu, false, &first) ||
		    edge_ts(fs, d->cpu, true, &last)) {
			snprintf(err, errlen, "%s", fs->error);
			return -1;
		}
		if (!first)
			continue;
		if (!fs->first_ts || first < fs->first_ts)
			fs->first_ts = first;
		if (last > fs->last_ts)
			fs->last_ts = last;
	}
	/* the edge reads counted nothing */
	fs->events = 0;
	for (int i = 0; i < fs->nr_cpus; i++) {
		int cpu = fs->stats[i].cpu;

		memset(&fs->stats[i], 0, sizeof(fs->stats[i]));
		fs->stats[i].cpu = cpu;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static u64 stat_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* CPUSTAT texts start "CPU: N\n" (trace-cmd and recvtop) */
static void load_kstats(struct file_source *fs)
{
	for (int i = 0; i < fs->meta.nr_cpustats; i++) {
		const char *t = fs->meta.cpustats[i].data;
		char *end;
		long cpu;

		if (strncmp(t, "CPU: ", 5))
			continue;
		cpu = strtol(t + 5, &end, 10);
		if (end == t + 5 || cpu < 0 || cpu >= fs->nr_cpus)
			continue;
		fs->stats[cpu].have_kstats = true;
		fs->stats[cpu].overrun = stat_value(t, "\noverrun: ");
		fs->stats[cpu].commit_overrun = stat_value(t, "\ncommit overrun: ");
		fs->stats[cpu].dropped = stat_value(t, "\ndropped events: ");
	}
}

#define MAX_SPAN_NS (366ULL * 24 * 3600 * NSEC_PER_SEC)
#define MAX_INTERVALS 10000000ULL

int file_source_check_span(struct file_source *fs, u64 interval_ns,
			   char *err, size_t errlen)
{
	u64 span = fs->last_ts - fs->first_ts;

	fs->span_limit = MAX_SPAN_NS;
	if (interval_ns && interval_ns < MAX_SPAN_NS / MAX_INTERVALS)
		fs->span_limit = interval_ns * MAX_INTERVALS;
	if (!fs->events)
		return 0;
	if (span > MAX_SPAN_NS) {
		snprintf(err, errlen, "corrupt: its events span %.0f days",
			 (double)span / 1e9 / 86400);
		return -1;
	}
	if (span > fs->span_limit) {
		snprintf(err, errlen, "its events span %.0f s: more than %llu "
			 "intervals of %.3f s (use a longer -d)",
			 (double)span / 1e9, MAX_INTERVALS,
			 (double)interval_ns / 1e9);
		return -1;
	}
	return 0;
}

bool file_source_kernel_lost(const struct file_source *fs, u64 *lost)
{
	bool any = false;

	*lost = 0;
	for (int i = 0; i < fs->nr_cpus; i++) {
		const struct file_cpu_stats *s = &fs->stats[i];

		if (!s->have_kstats)
			continue;
		any = true;
		*lost += s->overrun + s->commit_overrun + s->dropped;
	}
	return any;
}

void file_source_close(struct file_source *fs)
{
	if (!fs)
		return;
	merge_free(fs->merge);
	for (int i = 0; fs->cpu && i < fs->nr_cpus; i++) {
		free(fs->cpu[i].win);
		free(fs->cpu[i].chunks);
		free(fs->cpu[i].chunk_first);
		free(fs->cpu[i].scratch);
	}
	if (fs->h)
		tracecmd_close(fs->h);
	free(fs->cpu);
	free(fs->stats);
	dat_meta_free(&fs->meta);
	if (fs->fd >= 0)
		close(fs->fd);
	free(fs->name);
	free(fs);
}

/*
 * libtraceevent 1.7.1 and libtracecmd 1.3.1 crash on some malformed
 * metadata that passes every structural check (event formats above all:
 * tep_parse_event dereferences NULL on mangled field or print-format
 * text).  So libtracecmd reads the metadata once in a child first; a
 * file that kills the child (or takes more than 30 s) is refused, and
 * recvtop itself never runs into the crash.
 */
static int open_in_child(int fd, char *err, size_t errlen)
{
	pid_t pid = fork();
	int st = 0;

	if (pid < 0)
		return 0;	/* cannot check: the checks above must do */
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		struct tracecmd_input *h;
		int hfd;

		/* a crash here is the child's own: no recvtop handler */
		signals_reset_all();
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		alarm(30);
		hfd = dup(fd);
		if (hfd < 0 || lseek(hfd, 0, SEEK_SET) < 0)
			_exit(0);
		h = tracecmd_open_fd(hfd, TRACECMD_FL_LOAD_NO_PLUGINS);
		if (!h)
			_exit(3);
		/* leak checkers (valgrind, LSan) look at the child too */
		tracecmd_close(h);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		snprintf(err, errlen, "libtracecmd cannot open it");
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		snprintf(err, errlen, "corrupt: libtracecmd takes too long "
			 "over its metadata");
	else
		snprintf(err, errlen, "corrupt: its event formats or other "
			 "metadata crash libtracecmd/libtraceevent");
	return -1;
}

struct file_source *file_source_open_fd(int fd, const char *name, char *err,
					size_t errlen)
{
	struct file_source *fs = calloc(1, sizeof(*fs));
	int hfd;

	err[0] = 0;
	if (!fs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fs->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	fs->name = strdup(name);
	if (fs->fd < 0 || !fs->name) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (dat_meta_read(fs->fd, &fs->meta, err, errlen))
		goto fail;
	fs->swap = fs->meta.big_endian !=
		   (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	fs->nr_cpus = fs->meta.cpus;
	fs->cpu = calloc((size_t)fs->nr_cpus, sizeof(*fs->cpu));
	fs->stats = calloc((size_t)fs->nr_cpus, sizeof(*fs->stats));
	if (!fs->cpu || !fs->stats) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (int i = 0; i < fs->nr_cpus; i++)
		fs->stats[i].cpu = i;
	fs->span_limit = MAX_SPAN_NS;
	/* pages are checked as they are read: opening stays quick on
	 * files of any size */
	if (index_cpus(fs, err, errlen))
		goto fail;
	load_kstats(fs);

	/* the file is sound: let libtracecmd at it, quietly */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	if (open_in_child(fs->fd, err, errlen))
		goto fail;
	hfd = fcntl(fs->fd, F_DUPFD_CLOEXEC, 0);
	if (hfd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (lseek(hfd, 0, SEEK_SET) < 0) {
		close(hfd);
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	fs->h = tracecmd_open_fd(hfd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!fs->h) {
		snprintf(err, errlen, "libtracecmd cannot open it");
		goto fail;
	}
	fs->tep = tracecmd_get_tep(fs->h);
	if (!fs->tep || tep_is_old_format(fs->tep) ||
	    tep_get_header_page_size(fs->tep) != fs->meta.commit_size) {
		snprintf(err, errlen, "corrupt: libtracecmd does not read its "
			 "ring-buffer page header as the file says");
		goto fail;
	}
	fs->merge = merge_new(fs->tep, fs->nr_cpus ? fs->nr_cpus : 1,
			      fs->meta.page_size);
	if (!fs->merge) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	merge_set_need(fs->merge, need_pages, fs);
	return fs;
fail:
	if (!err[0])
		snprintf(err, errlen, "cannot be read");
	dat_err_clean(err);
	file_source_close(fs);
	return NULL;
}

struct file_source *file_source_open(const char *path, char *err,
				     size_t errlen)
{
	struct file_source *fs;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	fs = file_source_open_fd(fd, path, err, errlen);
	close(fd);
	return fs;
}

/* ---- recvtop's data ---- */

static size_t len_of_line(const char *p)
{
	return strcspn(p, "\n");
}

/* the value of "key value\n" in recvtop's block (before "tasks") */
const char *file_source_recvtop_value(const struct file_source *fs,
				      const char *key)
{
	static char val[64];
	const char *p = fs->meta.recvtop.data;
	size_t klen = strlen(key);

	if (!p)
		return NULL;
	p += strlen(DAT_RECVTOP_TAG);
	while (*p && strncmp(p, "tasks ", 6)) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == ' ') {
			size_t vlen = len - klen - 1;

			if (vlen >= sizeof(val))
				vlen = sizeof(val) - 1;
			memcpy(val, p + klen + 1, vlen);
			val[vlen] = 0;
			return val;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

/* the recvtop block's first line that starts with tag, looked for up to
 * the line that starts with stop (NULL: to the end), or NULL */
static const char *block_line(const struct file_source *fs, const char *tag,
			      const char *stop)
{
	const char *p = fs->meta.recvtop.data;

	if (!p)
		return NULL;
	p += strlen(DAT_RECVTOP_TAG);
	while (*p && (!stop || strncmp(p, stop, strlen(stop)))) {
		const char *nl;

		if (!strncmp(p, tag, strlen(tag)))
			return p;
		nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

static const char *tasks_start(const struct file_source *fs)
{
	return block_line(fs, "tasks ", NULL);
}

/* "cgroups N" before "tasks" (recordings since attribution), or NULL */
static const char *attr_start(const struct file_source *fs)
{
	return block_line(fs, "cgroups ", "tasks ");
}

bool file_source_has_tasks(const struct file_source *fs)
{
	return tasks_start(fs) != NULL;
}

int file_source_load_tasks(struct file_source *fs, struct taskinfo *ti,
			   char *err, size_t errlen)
{
	const char *t = tasks_start(fs);
	int n = 0;

	if (t) {
		char *end;
		unsigned long want = strtoul(t + 6, &end, 10);
		const char *body = end;
		unsigned long lines = 0;

		if (end == t + 6 || *end != '\n')
			goto corrupt;
		body++;
		for (const char *p = body; *p; p++)
			lines += *p == '\n';
		if (lines != want || (*body && body[strlen(body) - 1] != '\n'))
			goto corrupt;
		if (taskinfo_deserialize(ti, body, strlen(body)))
			goto corrupt;
		/* recordings since attribution: cgroups and netns */
		if (attr_start(fs) &&
		    taskinfo_deserialize_attr(ti, attr_start(fs),
					      (size_t)(t - attr_start(fs))))
			goto corrupt;
		return (int)want;
	}
	/* trace-cmd's file: the command lines, each thread its own process */
	for (const char *p = fs->meta.cmdlines.data; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[64], *end;
		long pid;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = 0;
			pid = strtol(line, &end, 10);
			if (end != line && *end == ' ' && pid > 0 &&
			    pid <= 0x7fffffff && strcmp(end + 1, "<...>") &&
			    !taskinfo_peek(ti, (int)pid) &&
			    taskinfo_put(ti, (int)pid, (int)pid,
					 RT_TASK_GUESSED, end + 1) == 0)
				n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
corrupt:
	snprintf(err, errlen, "corrupt: recvtop's thread table does not "
		 "parse");
	return -1;
}

int file_source_load_conns(struct file_source *fs, struct conntab *t,
			   char *err, size_t errlen)
{
	const char *p = fs->meta.recvtop.data;
	int n = 0;

	if (!p)
		return 0;
	p += strlen(DAT_RECVTOP_TAG);
	while (*p && strncmp(p, "tasks ", 6)) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];

		if (!strncmp(p, "conn ", 5)) {
			if (len >= sizeof(line))
				goto corrupt;
			memcpy(line, p, len);
			line[len] = 0;
			if (conntab_parse_line(t, line))
				goto corrupt;
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
corrupt:
	snprintf(err, errlen, "corrupt: recvtop's connection table does not "
		 "parse (line '%.*s')", (int)(len_of_line(p) > 60 ? 60 :
					      len_of_line(p)), p);
	return -1;
}

/* ---- reading in time order ---- */

/*
 * The pages go through the same merge as the live source's: whatever
 * CPU an event was written on, it comes out in time order, and the same
 * events in the same order give the same numbers.
 */

u64 file_source_peek_ts(struct file_source *fs)
{
	if (fs->error[0])
		return UINT64_MAX;
	if (!fs->primed && prime(fs))
		return UINT64_MAX;
	return merge_peek_ts(fs->merge);
}

int file_source_next(struct file_source *fs, u64 until, struct rt_raw *raw)
{
	if (fs->error[0])
		return 0;
	if (!fs->primed && prime(fs))
		return 0;
	/* pages are read as the merge uses them up (need_pages) */
	if (!merge_next(fs->merge, until, raw) || fs->error[0])
		return 0;
	/*
	 * A crafted time stamp (or a lost-events page's) far from the rest
	 * would have the pipeline cut intervals for ages: stop there.
	 */
	if (!fs->have_first_out) {
		fs->have_first_out = true;
		fs->first_out = raw->ts;
	} else if (raw->ts > fs->first_out &&
		   raw->ts - fs->first_out > fs->span_limit) {
		snprintf(fs->error, sizeof(fs->error), "corrupt: an event "
			 "%.0f s after the first lies outside the recording",
			 (double)(raw->ts - fs->first_out) / 1e9);
		return 0;
	}
	if (raw->data)
		fs->read_count++;
	return 1;
}

u64 file_source_feed(struct file_source *fs, struct pipeline *p, u64 until)
{
	struct rt_raw raw;
	u64 n = 0;

	while (file_source_next(fs, until, &raw) == 1) {
		pipeline_feed(p, &raw);
		n++;
	}
	return n;
}

/* the first page of cpu whose events may reach ts (page times only grow) */
static int seek_cpu(struct file_source *fs, int cpu, u64 ts)
{
	struct fs_cpu *c = &fs->cpu[cpu];
	u8 *page = malloc(fs->meta.page_size);
	u64 lo = 0, hi = c->nr_pages;

	if (!page) {
		snprintf(fs->error, sizeof(fs->error), "out of memory");
		return -1;
	}
	/* the last page whose own time stamp is <= ts */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;
		struct dat_page_info info;

		if (read_page(fs, cpu, mid, page) ||
		    check_page(fs, cpu, mid, page, &info) < 0) {
			free(page);
			return -1;
		}
		if (info.ts <= ts)
			lo = mid;
		else
			hi = mid;
	}
	free(page);
	c->next = lo;
	return 0;
}

int file_source_seek(struct file_source *fs, u64 ts)
{
	struct rt_raw raw;

	merge_clear(fs->merge);
	fs->read_count = 0;
	fs->error[0] = 0;
	fs->have_first_out = false;
	fs->primed = false;
	for (int i = 0; i < fs->nr_cpus; i++) {
		if (!fs->cpu[i].d)
			continue;
		if (seek_cpu(fs, i, ts))
			return -1;
	}
	/* what precedes ts on the chosen pages */
	if (!fs->error[0] && prime(fs) == 0)
		while (ts && merge_next(fs->merge, ts - 1, &raw))
			;
	fs->read_count = 0;
	return fs->error[0] ? -1 : 0;
}
