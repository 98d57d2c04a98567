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

#include "recvtop/file_source.h"
#include "recvtop/pipeline.h"
#include "recvtop/taskinfo.h"

#define SCAN_BLOCK (1u << 20)

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

struct lost_page {
	u64 ts;
	s64 missed;
};

struct fs_cpu {
	struct tep_record *rec;		/* this CPU's next event */
	bool started, done;
	struct lost_page *lost;		/* pages with lost events only */
	u32 nr_lost, lost_cap, lost_pos;
	u64 *page_off;			/* uncompressed: every page */
	u64 *page_last;			/* its last event time (0: none) */
	u32 nr_pages, pages_cap;
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
	struct tep_record *cur;		/* handed out by the last next() */
	u64 events, first_ts, last_ts;
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

/* ---- the check of every page, and the index ---- */

static int add_lost(struct fs_cpu *c, u64 ts, s64 missed)
{
	if (c->nr_lost == c->lost_cap) {
		u32 cap = c->lost_cap ? c->lost_cap * 2 : 8;
		struct lost_page *n = realloc(c->lost, cap * sizeof(*n));

		if (!n)
			return -1;
		c->lost = n;
		c->lost_cap = cap;
	}
	c->lost[c->nr_lost].ts = ts;
	c->lost[c->nr_lost].missed = missed;
	c->nr_lost++;
	return 0;
}

static int add_page(struct fs_cpu *c, u64 off, u64 last)
{
	if (c->nr_pages == c->pages_cap) {
		u32 cap = c->pages_cap ? c->pages_cap * 2 : 64;
		u64 *o = realloc(c->page_off, cap * sizeof(*o));
		u64 *l;

		if (!o)
			return -1;
		c->page_off = o;
		l = realloc(c->page_last, cap * sizeof(*l));
		if (!l)
			return -1;
		c->page_last = l;
		c->pages_cap = cap;
	}
	c->page_off[c->nr_pages] = off;
	c->page_last[c->nr_pages] = last;
	c->nr_pages++;
	return 0;
}

/* one page of CPU cpu; off is its file offset (0: compressed) */
static int scan_page(struct file_source *fs, int cpu, const void *page,
		     u64 off, bool index, char *err, size_t errlen)
{
	struct file_cpu_stats *st = &fs->stats[cpu];
	struct fs_cpu *c = &fs->cpu[cpu];
	struct dat_page_info info;
	const char *why = NULL;
	int n;

	n = dat_page_parse(page, fs->meta.page_size, fs->meta.commit_size,
			   fs->swap, &info, NULL, NULL, &why);
	if (n < 0) {
		snprintf(err, errlen, "corrupt: CPU %d, page %llu: %s", cpu,
			 (unsigned long long)st->pages, why);
		return -1;
	}
	st->pages++;
	if (info.missed) {
		st->missed_pages++;
		st->missed += info.missed_count > 0 ? (u64)info.missed_count :
			      1;
		if (!n && add_lost(c, info.ts, info.missed_count))
			goto oom;
	}
	if (n) {
		if (!st->events)
			st->first_ts = info.first_ts;
		st->last_ts = info.last_ts;
		st->events += (u64)n;
	}
	if (index && add_page(c, off, n ? info.last_ts : 0))
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int scan_cpu(struct file_source *fs, const struct dat_cpu_data *d,
		    char *err, size_t errlen)
{
	u32 ps = fs->meta.page_size;
	u8 *buf = NULL, *scratch = NULL;
	int ret = -1;

	if (!fs->meta.data_compressed) {
		buf = malloc(SCAN_BLOCK);
		if (!buf)
			goto oom;
		for (u64 done = 0; done < d->size;) {
			size_t n = d->size - done > SCAN_BLOCK ? SCAN_BLOCK :
				   (size_t)(d->size - done);

			if (dat_pread_full(fs->fd, buf, n, d->offset + done)) {
				snprintf(err, errlen, "cannot read CPU %d's "
					 "data: %s", d->cpu, strerror(errno));
				goto out;
			}
			for (size_t p = 0; p < n; p += ps)
				if (scan_page(fs, d->cpu, buf + p,
					      d->offset + done + p, true, err,
					      errlen))
					goto out;
			done += n;
		}
	} else {
		struct dat_chunk *ch;
		u32 nr;

		if (dat_chunks_read(fs->fd, &fs->meta, d, &ch, &nr, err,
				    errlen))
			goto out;
		for (u32 i = 0; i < nr; i++) {
			u8 *nb = realloc(buf, ch[i].usize);
			u8 *ns = realloc(scratch, ch[i].csize ? ch[i].csize : 1);

			if (nb)
				buf = nb;
			if (ns)
				scratch = ns;
			if (!nb || !ns) {
				free(ch);
				goto oom;
			}
			if (dat_chunk_decompress(fs->fd, &ch[i], scratch, buf)) {
				snprintf(err, errlen, "corrupt: CPU %d's "
					 "compressed chunk %u does not "
					 "decompress", d->cpu, i);
				free(ch);
				goto out;
			}
			for (u32 p = 0; p < ch[i].usize; p += ps)
				if (scan_page(fs, d->cpu, buf + p, 0, false,
					      err, errlen)) {
					free(ch);
					goto out;
				}
		}
		free(ch);
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(buf);
	free(scratch);
	return ret;
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
	if (fs->cur)
		tracecmd_free_record(fs->cur);
	for (int i = 0; fs->cpu && i < fs->nr_cpus; i++) {
		if (fs->cpu[i].rec)
			tracecmd_free_record(fs->cpu[i].rec);
		free(fs->cpu[i].lost);
		free(fs->cpu[i].page_off);
		free(fs->cpu[i].page_last);
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
	for (int i = 0; i < fs->meta.nr_cpu_data; i++) {
		const struct dat_cpu_data *d = &fs->meta.cpu[i];
		const struct file_cpu_stats *st = &fs->stats[d->cpu];

		if (d->size && scan_cpu(fs, d, err, errlen))
			goto fail;
		if (!st->events)
			continue;
		if (!fs->events || st->first_ts < fs->first_ts)
			fs->first_ts = st->first_ts;
		if (st->last_ts > fs->last_ts)
			fs->last_ts = st->last_ts;
		fs->events += st->events;
	}
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

static const char *tasks_start(const struct file_source *fs)
{
	const char *p = fs->meta.recvtop.data;

	if (!p)
		return NULL;
	p += strlen(DAT_RECVTOP_TAG);
	while (*p) {
		const char *nl;

		if (!strncmp(p, "tasks ", 6))
			return p;
		nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
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

/* ---- reading in time order ---- */

static void cpu_start(struct file_source *fs, int cpu)
{
	struct fs_cpu *c = &fs->cpu[cpu];

	if (c->started)
		return;
	c->started = true;
	c->rec = tracecmd_read_cpu_first(fs->h, cpu);
}

/* the CPU whose next item is oldest; *lost: it is a lost-only page */
static int oldest(struct file_source *fs, u64 *ts, bool *lost)
{
	int best = -1;
	u64 bts = UINT64_MAX;

	for (int i = 0; i < fs->nr_cpus; i++) {
		struct fs_cpu *c = &fs->cpu[i];

		cpu_start(fs, i);
		if (c->lost_pos < c->nr_lost &&
		    (!c->rec || c->lost[c->lost_pos].ts <= c->rec->ts)) {
			if (best < 0 || c->lost[c->lost_pos].ts < bts) {
				best = i;
				bts = c->lost[c->lost_pos].ts;
				*lost = true;
			}
			continue;
		}
		if (c->rec && (best < 0 || c->rec->ts < bts)) {
			best = i;
			bts = c->rec->ts;
			*lost = false;
		}
	}
	*ts = bts;
	return best;
}

u64 file_source_peek_ts(struct file_source *fs)
{
	bool lost;
	u64 ts;

	return oldest(fs, &ts, &lost) < 0 ? UINT64_MAX : ts;
}

int file_source_next(struct file_source *fs, u64 until, struct rt_raw *raw)
{
	bool lost = false;
	u64 ts;
	int cpu;
	struct fs_cpu *c;

	if (fs->cur) {
		tracecmd_free_record(fs->cur);
		fs->cur = NULL;
	}
	cpu = oldest(fs, &ts, &lost);
	if (cpu < 0 || ts > until || fs->error[0])
		return 0;
	/*
	 * A crafted time stamp (or a lost-events page's) far from the rest
	 * would have the pipeline cut intervals for ages: stop there.
	 */
	if (!fs->have_first_out) {
		fs->have_first_out = true;
		fs->first_out = ts;
	} else if (ts > fs->first_out && ts - fs->first_out > fs->span_limit) {
		snprintf(fs->error, sizeof(fs->error), "corrupt: an event "
			 "%.0f s after the first lies outside the recording",
			 (double)(ts - fs->first_out) / 1e9);
		return 0;
	}
	c = &fs->cpu[cpu];
	raw->cpu = cpu;
	raw->ts = ts;
	if (lost) {
		raw->data = NULL;
		raw->size = 0;
		raw->missed = c->lost[c->lost_pos].missed;
		c->lost_pos++;
		return 1;
	}
	fs->cur = c->rec;
	raw->data = fs->cur->data;
	raw->size = (unsigned int)fs->cur->size;
	raw->missed = fs->cur->missed_events;
	c->rec = tracecmd_read_data(fs->h, cpu);
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

int file_source_seek(struct file_source *fs, u64 ts)
{
	if (fs->cur) {
		tracecmd_free_record(fs->cur);
		fs->cur = NULL;
	}
	fs->read_count = 0;
	fs->error[0] = 0;
	fs->have_first_out = false;
	for (int i = 0; i < fs->nr_cpus; i++) {
		struct fs_cpu *c = &fs->cpu[i];
		u32 lo = 0, hi = c->nr_pages;

		if (c->rec)
			tracecmd_free_record(c->rec);
		c->rec = NULL;
		c->started = true;
		/* lost-only pages from the target time on */
		c->lost_pos = 0;
		while (c->lost_pos < c->nr_lost && c->lost[c->lost_pos].ts < ts)
			c->lost_pos++;
		/* the first page whose last event is at or after ts */
		while (lo < hi) {
			u32 mid = lo + (hi - lo) / 2;

			if (c->page_last[mid] && c->page_last[mid] >= ts)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (c->nr_pages && lo == c->nr_pages)
			continue;	/* nothing that late on this CPU */
		if (lo > 0) {
			int rcpu = -1;

			c->rec = tracecmd_read_at(fs->h, c->page_off[lo], &rcpu);
			if (c->rec && rcpu != i) {
				tracecmd_free_record(c->rec);
				c->rec = NULL;
			}
		}
		if (!c->rec)
			c->rec = tracecmd_read_cpu_first(fs->h, i);
		while (c->rec && c->rec->ts < ts) {
			tracecmd_free_record(c->rec);
			c->rec = tracecmd_read_data(fs->h, i);
		}
	}
	return 0;
}
