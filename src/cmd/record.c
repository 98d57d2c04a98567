// SPDX-License-Identifier: GPL-2.0
/* `recvtop record`: raw ring-buffer pages into a trace-cmd .dat file. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <tracefs/tracefs.h>

#include "recvtop/batch.h"
#include "recvtop/datfile.h"
#include "recvtop/decode.h"
#include "recvtop/record.h"
#include "recvtop/run.h"
#include "recvtop/signals.h"
#include "recvtop/top.h"
#include "recvtop/tui.h"
#include "recvtop/version.h"

#define DEFAULT_OUTPUT "trace.dat"
#define TICK_NS NSEC_PER_SEC
#define SCAN_BLOCK (1u << 20)
/* pages moved per CPU before the others get a turn */
#define PASS_BYTES (4u << 20)

struct recorder {
	const struct rt_options *o;
	struct run *r;
	const char *path;
	bool overwrite;
	struct dat_writer *w;
	struct taskinfo *tasks;		/* the run's (--live) or ours */
	bool own_tasks;
	bool process;			/* the pipeline runs (--live, tracepoint) */
	u64 *done;			/* per CPU: bytes in its data file */
	u64 *scanned;			/* per CPU: bytes looked at */
	bool *moved;			/* per CPU: whole pages this tick */
	u8 *buf;			/* scan buffer / page for plain reads */
	bool splice;			/* tracefs_cpu_write works here */
	u64 events, missed;
	int last_tid;
	/* a plain recording applies the netns syscalls to its tasks as the
	 * pipeline does, so the file logs the same netns changes */
	struct tep_handle *tep;
	struct decoder *dec;
	int write_errno;		/* the first write error */
	bool page_warned;
	bool tty;
	u64 tick_events, tick_ns;
	unsigned int reserved_tasks;	/* the finish reserve covers these */
};

int record_check_output(const char *path, bool force, bool *overwrite)
{
	size_t n = strlen(path);
	struct stat st;
	char magic[DAT_MAGIC_LEN];
	int fd;
	ssize_t got;

	*overwrite = false;
	if (!force && (n < 5 || strcmp(path + n - 4, ".dat"))) {
		rt_err("%s: recordings are named FILE.dat (KernelShark opens "
		       "nothing else); use --force to write it anyway", path);
		return RT_EXIT_USAGE;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		rt_err("%s: %s", path, strerror(errno));
		return RT_EXIT_USAGE;
	}
	if (S_ISDIR(st.st_mode)) {
		rt_err("%s: is a directory", path);
		return RT_EXIT_USAGE;
	}
	if (!S_ISREG(st.st_mode)) {
		if (force && S_ISLNK(st.st_mode)) {
			*overwrite = true;
			return 0;
		}
		rt_err("%s: exists and is not a regular file; not replacing "
		       "it", path);
		return RT_EXIT_USAGE;
	}
	*overwrite = true;
	if (force)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	got = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;
	if (fd >= 0)
		close(fd);
	if (got == (ssize_t)sizeof(magic) &&
	    !memcmp(magic, DAT_MAGIC, DAT_MAGIC_LEN))
		return 0;	/* an older recording: replaced */
	rt_err("%s: exists and is not a trace-cmd or recvtop recording; not "
	       "overwriting it (use another -o, or --force)", path);
	return RT_EXIT_USAGE;
}

/* ---- the file's head: formats, symbols ---- */

struct head_data {
	struct dat_head h;
	struct dat_blob *ftrace, *events;
	char **free_list;
	int nr_free;
};

static char *keep(struct head_data *d, char *p)
{
	char **n = realloc(d->free_list, ((size_t)d->nr_free + 1) *
			   sizeof(*n));

	if (!n) {
		free(p);
		return NULL;
	}
	d->free_list = n;
	d->free_list[d->nr_free++] = p;
	return p;
}

static void head_free(struct head_data *d)
{
	for (int i = 0; i < d->nr_free; i++)
		free(d->free_list[i]);
	free(d->free_list);
	free(d->ftrace);
	free(d->events);
	memset(d, 0, sizeof(*d));
}

static bool add_event(struct head_data *d, const char *sys, const char *ev)
{
	int len = 0;
	char *text;

	text = tracefs_event_file_read(NULL, sys, ev, "format", &len);
	if (!text || len <= 0) {
		free(text);
		rt_err("cannot read the format of %s:%s", sys, ev);
		return false;
	}
	for (unsigned int i = 0; i < d->h.nr_events; i++) {
		if (!strcmp(d->events[i].system, sys) &&
		    d->events[i].len == (size_t)len &&
		    !memcmp(d->events[i].data, text, (size_t)len)) {
			free(text);
			return true;	/* listed twice in the catalog */
		}
	}
	if (!keep(d, text))
		return false;
	d->events[d->h.nr_events].system = sys;
	d->events[d->h.nr_events].data = text;
	d->events[d->h.nr_events].len = (size_t)len;
	d->h.nr_events++;
	return true;
}

static int head_gather(struct recorder *rec, struct head_data *d)
{
	const struct rt_catalog *cat = &rec->r->cat;
	static const char *const sched[] = { "sched_switch", "sched_waking" };
	char **names;
	int len = 0, n = 0;
	char *t;

	memset(d, 0, sizeof(*d));
	t = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!t || len <= 0 || !keep(d, t)) {
		rt_err("cannot read events/header_page of tracefs");
		return -1;
	}
	d->h.header_page = t;
	d->h.header_page_len = (size_t)len;
	t = tracefs_instance_file_read(NULL, "events/header_event", &len);
	if (t && len > 0 && keep(d, t)) {
		d->h.header_event = t;
		d->h.header_event_len = (size_t)len;
	}

	/* every ftrace event format, as trace-cmd stores them */
	names = tracefs_system_events(NULL, "ftrace");
	for (n = 0; names && names[n]; n++)
		;
	d->ftrace = calloc((size_t)n + 1, sizeof(*d->ftrace));
	d->events = calloc((size_t)cat->nr_probes + ARRAY_SIZE(sched) + 1,
			   sizeof(*d->events));
	if (!d->ftrace || !d->events) {
		tracefs_list_free(names);
		rt_err("out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		t = tracefs_event_file_read(NULL, "ftrace", names[i], "format",
					    &len);
		if (!t || len <= 0) {
			free(t);
			continue;
		}
		if (!keep(d, t))
			break;
		d->ftrace[d->h.nr_ftrace].data = t;
		d->ftrace[d->h.nr_ftrace].len = (size_t)len;
		d->h.nr_ftrace++;
	}
	tracefs_list_free(names);
	d->h.ftrace = d->ftrace;

	for (int i = 0; i < cat->nr_probes; i++)
		if (!add_event(d, cat->probes[i].system, cat->probes[i].event))
			return -1;
	if (rec->o->sched)
		for (size_t i = 0; i < ARRAY_SIZE(sched); i++)
			if (!add_event(d, "sched", sched[i]))
				return -1;
	d->h.events = d->events;

	if (!rec->o->no_kallsyms) {
		size_t klen = 0;

		t = rt_read_file("/proc/kallsyms", &klen);
		if (t && keep(d, t)) {
			d->h.kallsyms = t;
			d->h.kallsyms_len = klen;
		}
	}
	t = tracefs_instance_file_read(NULL, "printk_formats", &len);
	if (t && len > 0 && keep(d, t)) {
		d->h.printk = t;
		d->h.printk_len = (size_t)len;
	}
	return 0;
}

/* ---- pages: thread ids, counts ---- */

static void apply_netns_event(struct recorder *rec, const u8 *data, u32 size)
{
	enum rt_event_kind kind;
	struct rt_event ev;
	u16 type;

	/* one lookup by id; only these few are decoded */
	memcpy(&type, data, sizeof(type));
	kind = decoder_kind(rec->dec, type);
	if (kind != RT_EV_NETNS_ENTER && kind != RT_EV_NETNS_EXIT)
		return;
	switch (decode_event(rec->dec, data, size, &ev)) {
	case RT_EV_NETNS_ENTER:
		taskinfo_netns_enter(rec->tasks, ev.tid, ev.netns_enter.sure);
		break;
	case RT_EV_NETNS_EXIT:
		taskinfo_netns_exit(rec->tasks, ev.tid, ev.exit.ret);
		break;
	default:
		break;
	}
}

static void on_event(void *ctx, const u8 *data, u32 size, u64 ts)
{
	struct recorder *rec = ctx;
	s32 tid;

	(void)ts;
	if (size < 8 || !rec->tasks)
		return;
	if (rec->dec)
		apply_netns_event(rec, data, size);
	memcpy(&tid, data + 4, sizeof(tid));
	if (tid == rec->last_tid || tid <= 0)
		return;
	rec->last_tid = tid;
	/* resolve while the thread is still around, as the live view does */
	if (!taskinfo_peek(rec->tasks, tid))
		taskinfo_get(rec->tasks, tid, NULL);
}

static void scan_pages(struct recorder *rec, const u8 *p, size_t len,
		       bool resolve)
{
	u32 ps = rec->r->live.page_size;

	for (size_t off = 0; off + ps <= len; off += ps) {
		struct dat_page_info info;
		const char *why;
		int n = dat_page_parse(p + off, ps, (int)sizeof(long), false,
				       &info, resolve ? on_event : NULL, rec,
				       &why);

		if (n < 0) {
			if (!rec->page_warned)
				rt_warn("a ring-buffer page did not parse (%s); "
					"it is recorded as it is", why);
			rec->page_warned = true;
			continue;
		}
		rec->events += (u64)n;
		if (info.missed)
			rec->missed += info.missed_count > 0 ?
				       (u64)info.missed_count : 1;
	}
}

/* look at the whole pages that reached CPU cpu's file since last time */
static void scan_new(struct recorder *rec, int cpu)
{
	int fd = dat_writer_cpu_fd(rec->w, cpu);
	u32 ps = rec->r->live.page_size;
	u64 end = rec->done[cpu] - rec->done[cpu] % ps;

	while (rec->scanned[cpu] < end) {
		u64 n = end - rec->scanned[cpu];

		if (n > SCAN_BLOCK)
			n = SCAN_BLOCK;
		if (dat_pread_full(fd, rec->buf, (size_t)n, rec->scanned[cpu]))
			return;
		scan_pages(rec, rec->buf, (size_t)n, true);
		rec->scanned[cpu] += n;
	}
}

static bool is_write_error(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO ||
	       e == EROFS || e == EBADF || e == EPERM || e == ENXIO;
}

static void write_failed(struct recorder *rec, int cpu, int e)
{
	if (!rec->write_errno) {
		rec->write_errno = e;
		if (rec->tty)
			fputs("\r\033[K", stderr);
		rt_err("writing %s failed: %s; recording stopped", rec->path,
		       strerror(e));
	}
	if (cpu >= 0) {
		/* keep the whole pages that made it */
		s64 size = dat_writer_cpu_sync(rec->w, cpu, false);

		rec->done[cpu] = size > 0 ? (u64)size : 0;
	}
}

/*
 * The tail (command lines, recvtop's thread table) grows about 50 bytes
 * a thread, its attribution line about 30 more and its cgroup path (when
 * it is a new one) some 60: keep the room to finish the file growing
 * with it, so a disk that fills up still gets a complete file.
 */
#define TAIL_BYTES_PER_TASK 160
#define RESERVE_STEP 4096

static void grow_reserve(struct recorder *rec)
{
	unsigned int n = taskinfo_count(rec->tasks);

	if (n < rec->reserved_tasks || rec->write_errno)
		return;
	rec->reserved_tasks = n + RESERVE_STEP;
	if (dat_writer_reserve_tail(rec->w, (u64)rec->reserved_tasks *
				    TAIL_BYTES_PER_TASK))
		write_failed(rec, -1, ENOSPC);
}

/*
 * Move what CPU c's buffer holds into its file: whole pages by splice
 * (flush: also the partly filled page, by read).  Returns bytes moved,
 * -1 after a write error.
 */
static s64 move_cpu(struct recorder *rec, struct live_cpu *c, bool flush)
{
	int fd = dat_writer_cpu_fd(rec->w, c->cpu);
	u32 ps = rec->r->live.page_size;
	u64 moved = 0;

	while (moved < PASS_BYTES) {
		int n;

		if (rec->splice) {
			n = tracefs_cpu_write(c->tcpu, fd, true);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP) && !moved &&
			    !rec->done[c->cpu]) {
				/* no splice for trace_pipe_raw: read it */
				rec->splice = false;
				continue;
			}
			if (n < 0 && errno == EAGAIN)
				n = 0;	/* no whole page waiting */
		} else {
			n = tracefs_cpu_read(c->tcpu, rec->buf, true);
			if (n > 0) {
				if ((u32)n < ps)
					memset(rec->buf + n, 0, ps - (u32)n);
				if (dat_writer_add_cpu_pages(rec->w, c->cpu,
							     rec->buf, ps)) {
					write_failed(rec, c->cpu, errno);
					return -1;
				}
				n = (int)ps;
			}
		}
		if (n == 0 && flush && rec->splice) {
			/* splice gives whole pages only; read the last one */
			n = tracefs_cpu_flush_write(c->tcpu, fd);
			if (n > 0 && (u32)n % ps) {
				/* a short read: zeros up to a whole page */
				s64 size = dat_writer_cpu_sync(rec->w, c->cpu,
							       true);

				if (size < 0) {
					write_failed(rec, c->cpu, errno);
					return -1;
				}
				n = (int)((u64)size - rec->done[c->cpu]);
			}
		}
		if (n < 0) {
			int e = errno;

			if (e == EAGAIN || e == EINTR)
				break;
			if (is_write_error(e)) {
				write_failed(rec, c->cpu, e);
				return -1;
			}
			rt_err("reading the trace buffer of CPU %d failed: %s",
			       c->cpu, strerror(e));
			return -1;
		}
		if (n == 0)
			break;
		rec->done[c->cpu] += (u64)n;
		moved += (u64)n;
		if (rec->splice) {
			scan_new(rec, c->cpu);
		} else {
			scan_pages(rec, rec->buf, ps, true);
			rec->scanned[c->cpu] = rec->done[c->cpu];
		}
	}
	return (s64)moved;
}

/* every CPU; partial: also CPUs that filled no page lately */
static int move_all(struct recorder *rec, bool flush, bool partial)
{
	struct live_source *ls = &rec->r->live;
	bool again = true;

	while (again) {
		again = false;
		for (int i = 0; i < ls->nr; i++) {
			struct live_cpu *c = &ls->cpus[i];
			bool read_part = flush || (partial && !rec->moved[c->cpu]);
			s64 n = move_cpu(rec, c, read_part);

			if (n < 0)
				return -1;
			if (n > 0)
				rec->moved[c->cpu] = true;
			if ((u64)n >= PASS_BYTES)
				again = true;
		}
	}
	return 0;
}

static void status_line(struct recorder *rec, bool force)
{
	u64 now = rt_now_mono_ns();
	u64 lost = 0;
	double rate;
	char bytes[16];

	if (!rec->tty || (!force && now - rec->tick_ns < TICK_NS))
		return;
	rate = now > rec->tick_ns ? (double)(rec->events - rec->tick_events) *
		1e9 / (double)(now - rec->tick_ns) : 0;
	session_kernel_lost(&rec->r->session, &lost);
	rt_format_bytes(bytes, sizeof(bytes), dat_writer_bytes(rec->w));
	fprintf(stderr, "\rrecvtop: recording %s: %sB, %.0f events/s, %" PRIu64
		" lost\033[K", rec->path, bytes, rate, lost);
	fflush(stderr);
	rec->tick_ns = now;
	rec->tick_events = rec->events;
}

/* record without the live view: splice pages, resolve threads */
static int plain_loop(struct recorder *rec)
{
	struct run *r = rec->r;
	u64 next_tick = rt_now_mono_ns() + TICK_NS;
	int ret = 0;

	rec->tick_ns = rt_now_mono_ns();
	while (!rt_stop_requested && !rec->write_errno) {
		u64 now = rt_now_mono_ns();
		int wait = next_tick > now ?
			   (int)((next_tick - now) / NSEC_PER_MSEC) + 1 : 0;
		bool tick;

		if (run_child_done(r))
			break;
		live_source_wait(&r->live, wait, -1, NULL);
		now = rt_now_mono_ns();
		tick = now >= next_tick;
		/*
		 * A CPU that filled no page in a whole tick gives its partly
		 * filled page too, so threads are resolved within a tick as
		 * in the live view (at most one extra page per CPU and tick).
		 */
		if (move_all(rec, false, tick) && !rec->write_errno) {
			ret = RT_EXIT_RUNTIME;
			break;
		}
		if (tick) {
			grow_reserve(rec);
			status_line(rec, true);
			memset(rec->moved, 0, (size_t)r->session.nr_cpus *
			       sizeof(*rec->moved));
			next_tick = now + TICK_NS;
		}
	}
	session_stop(&r->session);
	if (!rec->write_errno && move_all(rec, true, true) &&
	    !rec->write_errno)
		ret = RT_EXIT_RUNTIME;
	if (probe_catalog_has_kprobes(&r->cat) &&
	    session_probe_misses(&r->session, &r->info.probe_missed) == 0)
		r->info.have_probe_missed = true;
	return ret;
}

/* ---- record --live: the live run, its pages written as they are read ---- */

static int live_hook(void *ctx, int cpu, const void *page, unsigned int size)
{
	struct recorder *rec = ctx;

	if (rec->write_errno)
		return 0;
	if (dat_writer_add_cpu_pages(rec->w, cpu, page, size)) {
		write_failed(rec, -1, errno);
		return 0;
	}
	rec->done[cpu] += size;
	scan_pages(rec, page, size, false);
	return 0;
}

/*
 * The live view of record --live: the TUI on a terminal, batch lines
 * otherwise, as `recvtop top`; wrapped so that a write error stops the
 * run as a first Ctrl-C does.
 */
struct live_view {
	struct recorder *rec;
	struct batch_out out;
	struct tui *tui;
	struct run_view inner;		/* the TUI's hooks */
	bool quiet;			/* no view: record, tracepoint */
};

static void view_interval(void *ctx, struct run *r,
			  const struct rt_interval *iv)
{
	struct live_view *v = ctx;

	if (v->tui)
		v->inner.on_interval(v->inner.ctx, r, iv);
	else if (!v->quiet)
		batch_print_interval(&v->out, &r->pipe, iv);
}

static int view_wake(void *ctx, struct run *r, bool ready)
{
	struct live_view *v = ctx;

	grow_reserve(v->rec);
	if (v->rec->write_errno)
		return -1;
	/* record on the tracepoint backend: the status line of a plain one */
	if (v->quiet)
		status_line(v->rec, false);
	if (v->tui && v->inner.on_wake)
		return v->inner.on_wake(v->inner.ctx, r, ready);
	return 0;
}

static void view_summary(void *ctx, struct run *r)
{
	struct live_view *v = ctx;

	if (v->tui) {
		if (v->inner.on_summary)
			v->inner.on_summary(v->inner.ctx, r);
	} else if (!v->quiet) {
		batch_print_summary(&v->out, &r->pipe);
	}
}

static int live_view_setup(struct live_view *v, struct run *r)
{
	if (!v->quiet && tui_wanted(v->rec->o)) {
		v->tui = tui_new(v->rec->o);
		if (!v->tui) {
			rt_err("out of memory");
			return RT_EXIT_RUNTIME;
		}
		tui_attach_run(v->tui, r);
		v->inner = r->view;
		r->view.wake_fd = v->inner.wake_fd;
		r->view.max_wait_ms = v->inner.max_wait_ms;
	}
	r->view.on_interval = view_interval;
	r->view.on_wake = view_wake;
	r->view.on_summary = view_summary;
	r->view.ctx = v;
	return 0;
}

/* ---- the file's tail: command lines, recvtop's data, facts ---- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* the kernel's saved_cmdlines, plus every thread recvtop resolved */
static char *build_cmdlines(struct recorder *rec, size_t *len)
{
	char *kern = tracefs_instance_file_read(NULL, "saved_cmdlines", NULL);
	unsigned int nt = taskinfo_count(rec->tasks);
	size_t klen = kern ? strlen(kern) : 0;
	size_t cap = klen + (size_t)nt * (12 + RT_COMM_LEN) + 2, off = 0;
	char *out = malloc(cap);
	int *pids = NULL;
	size_t np = 0;

	if (!out) {
		free(kern);
		return NULL;
	}
	if (kern) {
		size_t lines = 1;

		for (const char *p = kern; *p; p++)
			lines += *p == '\n';
		pids = malloc(lines * sizeof(*pids));
		for (char *p = kern; pids && *p;) {
			char *nl = strchr(p, '\n');
			char *end;
			long pid = strtol(p, &end, 10);

			if (end != p && *end == ' ')
				pids[np++] = (int)pid;
			if (!nl)
				break;
			p = nl + 1;
		}
		if (pids)
			qsort(pids, np, sizeof(*pids), cmp_int);
		memcpy(out, kern, klen);
		off = klen;
		if (off && out[off - 1] != '\n')
			out[off++] = '\n';
	}
	for (unsigned int i = 0; i < nt; i++) {
		const struct rt_task *t = taskinfo_at(rec->tasks, i);

		if ((t->flags & RT_TASK_NOCOMM) || !t->comm[0] ||
		    (pids && bsearch(&t->tid, pids, np, sizeof(*pids),
				     cmp_int)))
			continue;
		off += (size_t)snprintf(out + off, cap - off, "%d %s\n",
					t->tid, t->comm);
	}
	out[off] = 0;
	free(pids);
	free(kern);
	*len = off;
	return out;
}

static char *build_recvtop_block(struct recorder *rec, size_t *len)
{
	struct run *r = rec->r;
	size_t tlen = 0, alen = 0;
	char *tasks = taskinfo_serialize(rec->tasks, &tlen);
	char *attr = taskinfo_serialize_attr(rec->tasks, &alen);
	char missed[48] = "";
	char *out = NULL;
	int n;

	if (!tasks || !attr) {
		free(tasks);
		free(attr);
		return NULL;
	}
	if (r->info.have_probe_missed)
		snprintf(missed, sizeof(missed), "probe_missed %" PRIu64 "\n",
			 r->info.probe_missed);
	/* the connections older than the run ("conn ..." lines), then
	 * the cgroups and attribution before the tasks, which run to the
	 * end of the block (dat-format.md; readers skip lines they do not
	 * know) */
	n = asprintf(&out, "%sbackend %s\nmm_access %d\nrecvtop %s\n%s%s"
		     "%stasks %u\n%s", DAT_RECVTOP_TAG,
		     rt_backend_name(r->cat.backend), r->cat.mm_access ? 1 : 0,
		     RT_VERSION, missed, r->start_conns ? r->start_conns : "",
		     attr, taskinfo_count(rec->tasks), tasks);
	free(tasks);
	free(attr);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return out;
}

static s64 finish_file(struct recorder *rec, char *err, size_t errlen)
{
	struct run *r = rec->r;
	int ncpu = r->session.nr_cpus;
	char **stats = calloc((size_t)ncpu, sizeof(*stats));
	struct dat_tail t = { 0 };
	char clock[32] = "mono";
	char uname_buf[1024];
	struct utsname u;
	char *tc;
	s64 size = -1;

	tc = tracefs_instance_file_read(r->session.inst, "trace_clock", NULL);
	if (tc) {
		char *b = strchr(tc, '['), *e = b ? strchr(b, ']') : NULL;

		tc[strcspn(tc, "\n")] = 0;
		if (b && e && e - b - 1 > 0 &&
		    (size_t)(e - b - 1) < sizeof(clock))
			snprintf(clock, sizeof(clock), "%.*s",
				 (int)(e - b - 1), b + 1);
	}
	t.cmdlines = build_cmdlines(rec, &t.cmdlines_len);
	t.recvtop = build_recvtop_block(rec, &t.recvtop_len);
	t.trace_clock = tc;
	t.clock = clock;
	if (uname(&u) == 0) {
		snprintf(uname_buf, sizeof(uname_buf), "%s %s %s %s",
			 u.sysname, u.nodename, u.release, u.machine);
		t.uname = uname_buf;
	}
	t.version = "recvtop " RT_VERSION;
	for (int i = 0; stats && i < ncpu; i++)
		stats[i] = session_cpu_stats(&r->session, i);
	t.cpustats = stats;
	if (!t.cmdlines || !t.recvtop || !stats)
		snprintf(err, errlen, "out of memory");
	else
		size = dat_writer_finish(rec->w, &t, err, errlen);
	for (int i = 0; stats && i < ncpu; i++)
		free(stats[i]);
	free(stats);
	free((char *)t.cmdlines);
	free((char *)t.recvtop);
	free(tc);
	return size;
}

static int recorder_setup(struct recorder *rec)
{
	struct run *r = rec->r;
	const struct rt_options *o = rec->o;
	struct dat_writer_opts wo = { 0 };
	struct head_data head;
	char err[1024] = "";
	int ncpu = r->session.nr_cpus;
	int ret;

	rec->done = calloc((size_t)ncpu, sizeof(*rec->done));
	rec->scanned = calloc((size_t)ncpu, sizeof(*rec->scanned));
	rec->moved = calloc((size_t)ncpu, sizeof(*rec->moved));
	rec->buf = malloc(SCAN_BLOCK > r->live.page_size ? SCAN_BLOCK :
			  r->live.page_size);
	if (!rec->done || !rec->scanned || !rec->moved || !rec->buf) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	if (rec->process) {
		rec->tasks = r->tasks;
	} else {
		rec->tasks = taskinfo_new(RT_TASKS_PROC);
		if (!rec->tasks) {
			rt_err("out of memory");
			return RT_EXIT_RUNTIME;
		}
		rec->own_tasks = true;
		taskinfo_set_tracing_dir(rec->tasks, r->session.tracing_dir);
		rec->tep = session_tep(&r->session);
		rec->dec = rec->tep ? decoder_new(rec->tep) : NULL;
		if (!rec->dec) {
			rt_err("cannot read the event formats of %s",
			       r->session.name);
			return RT_EXIT_RUNTIME;
		}
	}
	wo.version = o->compress ? 7 : o->file_version ? o->file_version : 6;
	wo.compress = o->compress ? DAT_COMPRESS_ZSTD : DAT_COMPRESS_NONE;
	wo.page_size = r->live.page_size;
	wo.nr_cpus = ncpu;
	wo.overwrite = rec->overwrite;
	rec->w = dat_writer_create(rec->path, &wo, err, sizeof(err));
	if (!rec->w) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	if (head_gather(rec, &head)) {
		head_free(&head);
		return RT_EXIT_RUNTIME;
	}
	ret = dat_writer_write_head(rec->w, &head.h, err, sizeof(err));
	head_free(&head);
	if (ret) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	if (rec->process) {
		r->live.hook = live_hook;
		r->live.hook_ctx = rec;
	}
	return 0;
}

int record_run(const struct rt_options *o)
{
	struct recorder rec = { .o = o, .splice = true };
	struct live_view view = { .rec = &rec };
	char err[1024] = "";
	int status;
	s64 size = -1;
	u64 lost = 0;

	rec.path = o->output ? o->output : DEFAULT_OUTPUT;
	status = record_check_output(rec.path, o->force, &rec.overwrite);
	if (status)
		return status;
	status = top_check_host();
	if (status)
		return status;
	rec.r = run_new(o);
	if (!rec.r) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	rec.tty = !o->live && isatty(STDERR_FILENO);
	if (o->live) {
		view.out.f = stdout;
		view.out.json = o->json;
		view.out.info = &rec.r->info;
		status = run_setup(rec.r, o->sched);
		if (!status)
			status = live_view_setup(&view, rec.r);
	} else {
		status = run_setup_source(rec.r, o->sched);
		/*
		 * The tracepoint backend tells sockets from files by the fd
		 * markers that processing the events writes: it records as
		 * --live does, without a view
		 */
		if (!status && rec.r->cat.backend == RT_BACKEND_TRACEPOINT) {
			status = run_setup_pipeline(rec.r);
			view.quiet = true;
			if (!status)
				status = live_view_setup(&view, rec.r);
		}
	}
	rec.process = o->live || view.quiet;
	if (!status)
		status = recorder_setup(&rec);
	if (!status && view.tui && tui_start(view.tui))
		status = RT_EXIT_RUNTIME;
	if (!status)
		status = run_start(rec.r);
	/* run_start took the run's; ours, as it does (taskinfo.h) */
	if (!status && rec.own_tasks)
		taskinfo_snapshot(rec.tasks);
	if (!status)
		status = rec.process ? run_loop(rec.r) : plain_loop(&rec);
	/* the terminal back before anything more is printed */
	if (view.tui)
		tui_stop(view.tui);
	if (rec.w && (!status || rec.write_errno)) {
		if (rec.tty)
			fputs("\r\033[K", stderr);
		session_kernel_lost(&rec.r->session, &lost);
		size = finish_file(&rec, err, sizeof(err));
		if (size < 0) {
			rt_err("%s", err);
			status = RT_EXIT_RUNTIME;
		} else {
			fprintf(stderr, "recvtop: recorded %" PRIu64 " events "
				"(%" PRIu64 " lost) to %s: %" PRId64 " bytes%s\n",
				rec.events, lost, rec.path, size,
				rec.write_errno ? ", up to the write error" :
				"");
		}
		if (rec.write_errno)
			status = RT_EXIT_RUNTIME;
	}
	if (o->live && !status && view.out.write_error && !rt_output_broken) {
		rt_err("writing the output failed: %s", strerror(errno));
		status = RT_EXIT_RUNTIME;
	}
	dat_writer_free(rec.w);
	if (rec.own_tasks)
		taskinfo_free(rec.tasks);
	decoder_free(rec.dec);
	if (rec.tep)
		tep_free(rec.tep);
	free(rec.done);
	free(rec.scanned);
	free(rec.moved);
	free(rec.buf);
	status = run_finish(rec.r, status);
	tui_free(view.tui);
	batch_free(&view.out);
	return status;
}
