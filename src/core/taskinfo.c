// SPDX-License-Identifier: GPL-2.0
/* Thread -> process resolution, cached, storable in recordings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recvtop/table.h"
#include "recvtop/taskinfo.h"

#define TASK_CAP (1u << 22)	/* pid_max limit */
/*
 * A miss rereads the kernel's tables, at most this often: with thousands
 * of processes gone before recvtop reads their events, rereading
 * (hundreds of kB) for each of them would cost more than the events.
 */
#define RELOAD_NS (50 * NSEC_PER_MSEC)

struct task_row {
	struct rt_row hdr;
	int tid;
	struct rt_task task;
};

struct taskinfo {
	enum rt_task_resolver resolver;
	struct rt_table tasks;
	char cmdlines_path[4096];
	char tgids_path[4096];
	/* saved_cmdlines snapshot: sorted pid/comm pairs */
	struct cmdline { int pid; char comm[RT_COMM_LEN]; } *cmdlines;
	size_t nr_cmdlines;
	/* saved_tgids snapshot: sorted pid/tgid pairs */
	struct tgid_pair { int pid, tgid; } *tgids;
	size_t nr_tgids;
	u64 loaded;
	u64 resolved, guessed;
};

struct taskinfo *taskinfo_new(enum rt_task_resolver resolver)
{
	struct taskinfo *ti = calloc(1, sizeof(*ti));

	if (!ti)
		return NULL;
	ti->resolver = resolver;
	if (table_init(&ti->tasks, sizeof(struct task_row),
		       offsetof(struct task_row, tid), sizeof(int), TASK_CAP)) {
		free(ti);
		return NULL;
	}
	ti->tasks.no_dirty = true;
	return ti;
}

void taskinfo_free(struct taskinfo *ti)
{
	if (!ti)
		return;
	table_free(&ti->tasks);
	free(ti->cmdlines);
	free(ti->tgids);
	free(ti);
}

void taskinfo_forget(struct taskinfo *ti)
{
	table_clear(&ti->tasks);
}

void taskinfo_set_tracing_dir(struct taskinfo *ti, const char *dir)
{
	if (dir) {
		snprintf(ti->cmdlines_path, sizeof(ti->cmdlines_path),
			 "%s/saved_cmdlines", dir);
		snprintf(ti->tgids_path, sizeof(ti->tgids_path),
			 "%s/saved_tgids", dir);
	} else {
		ti->cmdlines_path[0] = 0;
		ti->tgids_path[0] = 0;
	}
}

/* small file read into buf, NUL-terminated; -1 if it cannot be read */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static void copy_comm(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < RT_COMM_LEN - 1 && src[i] && src[i] != '\n'; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static int cmp_cmdline(const void *a, const void *b)
{
	const struct cmdline *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_tgid(const void *a, const void *b)
{
	const struct tgid_pair *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* "pid rest" lines of a kernel table; rest is a comm or a tgid */
static void load_table(const char *path, bool tgids, struct taskinfo *ti)
{
	char *text, *line, *save = NULL;
	size_t n = 0, cap = 0;
	void *arr = NULL;
	size_t elem = tgids ? sizeof(struct tgid_pair) : sizeof(struct cmdline);
	long prev = 0;
	bool sorted = true;	/* saved_tgids comes in pid order */

	text = rt_read_file(path, NULL);
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *end;
		long pid = strtol(line, &end, 10);

		if (end == line || *end != ' ' || pid <= 0)
			continue;
		if (pid < prev)
			sorted = false;
		prev = pid;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			void *na = realloc(arr, ncap * elem);

			if (!na)
				break;
			arr = na;
			cap = ncap;
		}
		if (tgids) {
			struct tgid_pair *t = (struct tgid_pair *)arr + n;

			t->pid = (int)pid;
			t->tgid = atoi(end + 1);
			if (t->tgid <= 0)
				continue;
		} else {
			struct cmdline *c = (struct cmdline *)arr + n;

			c->pid = (int)pid;
			copy_comm(c->comm, end + 1);
		}
		n++;
	}
	free(text);
	if (n && !sorted)
		qsort(arr, n, elem, tgids ? cmp_tgid : cmp_cmdline);
	if (tgids) {
		free(ti->tgids);
		ti->tgids = arr;
		ti->nr_tgids = n;
	} else {
		free(ti->cmdlines);
		ti->cmdlines = arr;
		ti->nr_cmdlines = n;
	}
}

/* the kernel's saved_tgids and saved_cmdlines, reread after a miss */
static void load_kernel_tables(struct taskinfo *ti)
{
	u64 now = rt_now_mono_ns();

	if (!ti->cmdlines_path[0])
		return;
	if (ti->loaded && now - ti->loaded < RELOAD_NS)
		return;
	ti->loaded = now;
	load_table(ti->cmdlines_path, false, ti);
	load_table(ti->tgids_path, true, ti);
}

static int kernel_tgid(struct taskinfo *ti, int pid)
{
	struct tgid_pair key = { .pid = pid }, *hit;

	if (!ti->tgids)
		return 0;
	hit = bsearch(&key, ti->tgids, ti->nr_tgids, sizeof(*ti->tgids),
		      cmp_tgid);
	return hit ? hit->tgid : 0;
}

static const char *cmdline_comm(struct taskinfo *ti, int pid)
{
	struct cmdline key = { .pid = pid }, *hit;

	if (!ti->cmdlines)
		return NULL;
	hit = bsearch(&key, ti->cmdlines, ti->nr_cmdlines,
		      sizeof(*ti->cmdlines), cmp_cmdline);
	return hit ? hit->comm : NULL;
}

/* /proc/TID/status: Tgid; then /proc/TGID/comm for the process name */
static int resolve_proc(struct rt_task *t)
{
	char path[64], buf[2048], *p;
	int tgid = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", t->tid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nTgid:");
	if (p)
		tgid = atoi(p + 6);
	if (tgid <= 0)
		return -1;
	t->tgid = tgid;
	if (tgid != t->tid && (!strncmp(buf, "Name:\tiou-wrk-", 14) ||
			       !strncmp(buf, "Name:\tiou-sqp-", 14)))
		t->flags |= RT_TASK_IOU;
	if (tgid == t->tid && !strncmp(buf, "Name:\t", 6)) {
		copy_comm(t->comm, buf + 6);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", tgid);
	if (read_small(path, buf, sizeof(buf)) > 0)
		copy_comm(t->comm, buf);
	else
		t->flags |= RT_TASK_NOCOMM;
	return 0;
}

static void resolve(struct taskinfo *ti, struct rt_task *t,
		    const char *hint_comm)
{
	const char *comm = NULL;
	int tgid;

	if (ti->resolver == RT_TASKS_PROC && resolve_proc(t) == 0) {
		ti->resolved++;
		return;
	}
	t->tgid = t->tid;
	if (ti->resolver == RT_TASKS_PROC) {
		/* gone already: the kernel remembered it (record-tgid) */
		load_kernel_tables(ti);
		tgid = kernel_tgid(ti, t->tid);
		if (tgid > 0) {
			char path[64], buf[64];

			ti->resolved++;
			t->tgid = tgid;
			snprintf(path, sizeof(path), "/proc/%d/comm", tgid);
			if (read_small(path, buf, sizeof(buf)) > 0) {
				copy_comm(t->comm, buf);
				return;
			}
			comm = cmdline_comm(ti, tgid);
		} else {
			ti->guessed++;
			t->flags |= RT_TASK_GUESSED;
		}
		if (!comm)
			comm = cmdline_comm(ti, t->tid);
		if (comm && strcmp(comm, "<...>")) {
			copy_comm(t->comm, comm);
			return;
		}
	} else {
		ti->guessed++;
		t->flags |= RT_TASK_GUESSED;
	}
	if (hint_comm && hint_comm[0]) {
		copy_comm(t->comm, hint_comm);
		return;
	}
	t->flags |= RT_TASK_NOCOMM;
	strcpy(t->comm, "<...>");
}

const struct rt_task *taskinfo_get(struct taskinfo *ti, int tid,
				   const char *hint_comm)
{
	static struct rt_task fallback;
	struct task_row *row;

	row = table_find(&ti->tasks, &tid);
	if (row)
		return &row->task;
	row = table_get(&ti->tasks, &tid);
	if (!row || (row->hdr.flags & RT_ROW_OTHER)) {
		/* out of memory or pid_max rows: answer without caching */
		memset(&fallback, 0, sizeof(fallback));
		fallback.tid = tid;
		resolve(ti, &fallback, hint_comm);
		return &fallback;
	}
	row->task.tid = tid;
	resolve(ti, &row->task, hint_comm);
	return &row->task;
}

const struct rt_task *taskinfo_peek(const struct taskinfo *ti, int tid)
{
	struct task_row *row = table_find(&ti->tasks, &tid);

	return row ? &row->task : NULL;
}

int taskinfo_put(struct taskinfo *ti, int tid, int tgid, u32 flags,
		 const char *comm)
{
	struct task_row *row = table_get(&ti->tasks, &tid);

	if (!row || (row->hdr.flags & RT_ROW_OTHER))
		return -1;
	row->task.tid = tid;
	row->task.tgid = tgid;
	row->task.flags = flags;
	copy_comm(row->task.comm, comm ? comm : "");
	return 0;
}

unsigned int taskinfo_count(const struct taskinfo *ti)
{
	return ti->tasks.nr_rows;
}

const struct rt_task *taskinfo_at(const struct taskinfo *ti, unsigned int i)
{
	struct task_row *row = table_row(&ti->tasks, i);

	return &row->task;
}

void taskinfo_counts(const struct taskinfo *ti, u64 *resolved, u64 *guessed)
{
	*resolved = ti->resolved;
	*guessed = ti->guessed;
}

char *taskinfo_serialize(const struct taskinfo *ti, size_t *len)
{
	size_t cap = (size_t)ti->tasks.nr_rows * 48 + 1, off = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (u32 i = 0; i < ti->tasks.nr_rows; i++) {
		const struct rt_task *t = taskinfo_at(ti, i);
		int n = snprintf(buf + off, cap - off, "%d %d %u %s\n",
				 t->tid, t->tgid, t->flags, t->comm);

		if (n < 0 || (size_t)n >= cap - off) {
			free(buf);
			return NULL;
		}
		off += (size_t)n;
	}
	buf[off] = 0;
	*len = off;
	return buf;
}

int taskinfo_deserialize(struct taskinfo *ti, const char *text, size_t len)
{
	size_t off = 0;

	while (off < len) {
		const char *line = text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t llen = nl ? (size_t)(nl - line) : len - off;
		char buf[128], comm[RT_COMM_LEN] = "";
		int tid, tgid, n = 0;
		unsigned int flags;

		off += llen + 1;
		if (llen == 0)
			continue;
		if (llen >= sizeof(buf))
			return -1;
		memcpy(buf, line, llen);
		buf[llen] = 0;
		if (sscanf(buf, "%d %d %u %n", &tid, &tgid, &flags, &n) < 3 ||
		    n <= 0 || tid < 0 || tgid < 0)
			return -1;
		copy_comm(comm, buf + n);
		if (taskinfo_put(ti, tid, tgid, flags, comm))
			return -1;
	}
	return 0;
}
