// SPDX-License-Identifier: GPL-2.0
/* Thread -> process resolution, cached, storable in recordings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
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
	struct rt_task task;	/* now */
	struct rt_task first;	/* when the row was made: what a recording
				 * stores, so a replay starts where the
				 * live run started and applies the same
				 * events */
	bool first_stored;	/* a replay: a recording gave first's
				 * cgroup and netns */
	u8 ns_pending;		/* an unshare/setns entered: NS_* */
};

/* an unshare or setns under way on a thread */
enum { NS_NONE, NS_MAYBE, NS_SURE };

/*
 * The netns a thread had after each unshare or setns that returned 0, in
 * the order they were applied: live, what /proc said then (0 for "not
 * known": a CLONE_NEWNET thread that was gone); a replay takes each
 * thread's next one, so it says what the live run said.
 */
struct ns_change {
	int tid;
	bool used;		/* a replay took it */
	u64 netns;
};
#define NS_CHANGES_CAP 65536

/*
 * RT_TASK_* flags taskinfo keeps to itself (never stored).  A task made
 * by task_newtask inherits its parent's cgroup and netns, but
 * CLONE_NEWNET, an unshare(2) or setns(2) before its first use, and
 * CLONE_INTO_CGROUP can put it elsewhere: those are read from /proc on
 * the task's first use if it still runs (the parent's stay when it is
 * gone, but for CLONE_NEWNET: not known), and kept as the row's first
 * state when the event made the row, so a recording replays them.
 * Later unshare and setns calls are events (taskinfo_netns_exit).
 */
#define TASK_NETNS_STALE	0x80000000u
#define TASK_CGROUP_STALE	0x40000000u
#define TASK_MADE_BY_EVENT	0x20000000u
#define TASK_NETNS_NEW		0x10000000u	/* CLONE_NEWNET: not the
							 * parent's netns */
#define TASK_STALE		(TASK_NETNS_STALE | TASK_CGROUP_STALE)
#define TASK_PRIVATE		(TASK_STALE | TASK_MADE_BY_EVENT | \
				 TASK_NETNS_NEW)

#define CLONE_THREAD_FLAG	0x00010000ULL
#define CLONE_INTO_CGROUP_FLAG	0x200000000ULL

/*
 * Interned strings: ids are index + 1, looked up by an open-addressed
 * index of ids (0 = empty) sized to twice the cap.
 */
struct strtab {
	char **str;
	u32 *aux;		/* cgroups: the container id; containers: kind */
	u32 nr, cap;
	u32 *index;
	u32 mask;
};

/* known threads of a process other than its leader: a rename of a
 * process that has none touches one row */
struct proc_row {
	struct rt_row hdr;
	int tgid;
	u32 threads;
};

struct taskinfo {
	enum rt_task_resolver resolver;
	struct rt_table tasks;
	struct rt_table procs;
	bool procs_full;	/* counts lost: a rename looks at every row */
	struct strtab cgroups;
	struct strtab conts;
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
	struct ns_change *ns_changes;
	u32 nr_ns_changes, cap_ns_changes;
	u32 ns_first_unused;	/* a replay: changes before it are used */
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
	if (table_init(&ti->procs, sizeof(struct proc_row),
		       offsetof(struct proc_row, tgid), sizeof(int), TASK_CAP)) {
		table_free(&ti->tasks);
		free(ti);
		return NULL;
	}
	ti->procs.no_dirty = true;
	return ti;
}

/* a row of t's thread is made (+1) or its tgid given up (-1) */
static void count_thread(struct taskinfo *ti, const struct rt_task *t,
			 int delta)
{
	struct proc_row *r;

	if (t->tid == t->tgid || t->tgid <= 0)
		return;
	r = delta > 0 ? table_get(&ti->procs, &t->tgid) :
			table_find(&ti->procs, &t->tgid);
	if (!r || (r->hdr.flags & RT_ROW_OTHER)) {
		ti->procs_full = true;
		return;
	}
	if (delta > 0)
		r->threads++;
	else if (r->threads)
		r->threads--;
}

static void strtab_free(struct strtab *t)
{
	for (u32 i = 0; i < t->nr; i++)
		free(t->str[i]);
	free(t->str);
	free(t->aux);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

static u32 strtab_find(const struct strtab *t, const char *str, u32 *slot)
{
	size_t len = strlen(str);
	u32 i;

	if (!t->index)
		return 0;
	for (i = table_hash(str, len) & t->mask; t->index[i];
	     i = (i + 1) & t->mask) {
		u32 id = t->index[i];

		if (!strcmp(t->str[id - 1], str))
			return id;
	}
	if (slot)
		*slot = i;
	return 0;
}

/* the id of str, added with aux when new; 0: full or no memory */
static u32 strtab_add(struct strtab *t, const char *str, u32 aux)
{
	u32 slot = 0, id;
	char *copy;

	if (!t->index) {
		u32 size = 1024;

		t->index = calloc(size, sizeof(*t->index));
		if (!t->index)
			return 0;
		t->mask = size - 1;
	}
	id = strtab_find(t, str, &slot);
	if (id)
		return id;
	if (t->nr >= RT_CGROUP_CAP)
		return 0;
	if (t->nr == t->cap) {
		u32 ncap = t->cap ? t->cap * 2 : 64;
		char **ns = realloc(t->str, ncap * sizeof(*ns));
		u32 *na;

		if (!ns)
			return 0;
		t->str = ns;
		na = realloc(t->aux, ncap * sizeof(*na));
		if (!na)
			return 0;
		t->aux = na;
		t->cap = ncap;
	}
	/* keep the index at most half full */
	if ((t->nr + 1) * 2 > t->mask + 1) {
		u32 size = (t->mask + 1) * 2;
		u32 *ni = calloc(size, sizeof(*ni));

		if (!ni)
			return 0;
		for (u32 k = 0; k < t->nr; k++) {
			const char *sk = t->str[k];
			u32 j = table_hash(sk, strlen(sk)) & (size - 1);

			while (ni[j])
				j = (j + 1) & (size - 1);
			ni[j] = k + 1;
		}
		free(t->index);
		t->index = ni;
		t->mask = size - 1;
		strtab_find(t, str, &slot);
	}
	copy = strdup(str);
	if (!copy)
		return 0;
	t->str[t->nr] = copy;
	t->aux[t->nr] = aux;
	t->nr++;
	t->index[slot] = t->nr;
	return t->nr;
}

static bool is_hex64(const char *s, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* the 64-hex id of a runtime's scope component, or NULL */
static const char *scope_id(const char *c, size_t len)
{
	static const char *const prefixes[] = {
		"docker-", "cri-containerd-", "crio-", "libpod-",
	};
	static const char suffix[] = ".scope";
	const size_t slen = sizeof(suffix) - 1;

	if (len <= slen || memcmp(c + len - slen, suffix, slen))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t plen = strlen(prefixes[i]);

		if (len == plen + 64 + slen && !memcmp(c, prefixes[i], plen) &&
		    is_hex64(c + plen, 64))
			return c + plen;
	}
	return NULL;
}

/* does a component before end (a docker or kubepods* one) make a bare
 * 64-hex directory a container? */
static bool under_runtime(const char *path, const char *end)
{
	const char *c = path;

	while (c < end) {
		const char *n;
		size_t len;

		while (c < end && *c == '/')
			c++;
		n = c;
		while (n < end && *n != '/')
			n++;
		len = (size_t)(n - c);
		if ((len == 6 && !memcmp(c, "docker", 6)) ||
		    (len >= 8 && !memcmp(c, "kubepods", 8)))
			return true;
		c = n;
	}
	return false;
}

int rt_cgroup_container(const char *path, char *out, size_t len,
			enum rt_cont_kind *kind)
{
	const char *end = path + strlen(path), *svc = NULL, *c, *n;
	size_t svc_len = 0;

	*kind = RT_CONT_NONE;
	if (len)
		out[0] = 0;
	/* innermost first: walk the components from the end */
	for (n = end; n > path;) {
		const char *id;
		size_t clen;

		while (n > path && n[-1] == '/')
			n--;
		c = n;
		while (c > path && c[-1] != '/')
			c--;
		clen = (size_t)(n - c);
		if (!clen)
			break;
		id = scope_id(c, clen);
		if (!id && is_hex64(c, clen) && under_runtime(path, c))
			id = c;
		if (id) {
			if (len < 13)
				return -1;
			memcpy(out, id, 12);
			out[12] = 0;
			*kind = RT_CONT_CONTAINER;
			return 0;
		}
		if (!svc && clen > 8 && !memcmp(n - 8, ".service", 8)) {
			svc = c;
			svc_len = clen;
		}
		n = c;
	}
	if (!svc)
		return 0;
	if (svc_len >= len)
		return -1;
	memcpy(out, svc, svc_len);
	out[svc_len] = 0;
	*kind = RT_CONT_SERVICE;
	return 0;
}

u32 taskinfo_cgroup_intern(struct taskinfo *ti, const char *path)
{
	char name[RT_CONT_NAME_LEN];
	enum rt_cont_kind kind;
	u32 id, cont = 0;

	/* one path a line in recordings: no newlines */
	if (path[0] != '/' || strlen(path) >= RT_CGROUP_PATH_MAX ||
	    strchr(path, '\n'))
		return 0;
	id = strtab_find(&ti->cgroups, path, NULL);
	if (id)
		return id;
	if (!rt_cgroup_container(path, name, sizeof(name), &kind) &&
	    kind != RT_CONT_NONE) {
		cont = strtab_add(&ti->conts, name, kind);
		/* same name, same kind: a unit name never looks like an id */
	}
	return strtab_add(&ti->cgroups, path, cont);
}

const char *taskinfo_cgroup_path(const struct taskinfo *ti, u32 id)
{
	return id && id <= ti->cgroups.nr ? ti->cgroups.str[id - 1] : "";
}

u32 taskinfo_cgroup_container(const struct taskinfo *ti, u32 cgroup)
{
	return cgroup && cgroup <= ti->cgroups.nr ?
		ti->cgroups.aux[cgroup - 1] : 0;
}

unsigned int taskinfo_cgroup_count(const struct taskinfo *ti)
{
	return ti->cgroups.nr;
}

const char *taskinfo_container_name(const struct taskinfo *ti, u32 id)
{
	return id && id <= ti->conts.nr ? ti->conts.str[id - 1] : "";
}

enum rt_cont_kind taskinfo_container_kind(const struct taskinfo *ti, u32 id)
{
	return id && id <= ti->conts.nr ?
		(enum rt_cont_kind)ti->conts.aux[id - 1] : RT_CONT_NONE;
}

unsigned int taskinfo_container_count(const struct taskinfo *ti)
{
	return ti->conts.nr;
}

u32 taskinfo_container_find(const struct taskinfo *ti, const char *name)
{
	return name[0] ? strtab_find(&ti->conts, name, NULL) : 0;
}

u32 taskinfo_cgroup_scope(const struct taskinfo *ti, const char *path,
			  size_t len)
{
	char buf[RT_CGROUP_PATH_MAX], name[RT_CONT_NAME_LEN], *slash;
	enum rt_cont_kind kind;
	u32 id, cont;

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, path, len);
	buf[len] = 0;
	id = strtab_find(&ti->cgroups, buf, NULL);
	cont = id ? ti->cgroups.aux[id - 1] : 0;
	if (!cont)
		return 0;
	/* the directory that names it: its parent names another or none */
	slash = strrchr(buf, '/');
	if (!slash)
		return 0;
	slash[slash == buf ? 1 : 0] = 0;
	if (!rt_cgroup_container(buf, name, sizeof(name), &kind) &&
	    kind != RT_CONT_NONE && !strcmp(name, ti->conts.str[cont - 1]))
		return 0;
	return cont;
}

int taskinfo_set_attr(struct taskinfo *ti, int tid, u32 cgroup, u64 netns)
{
	struct task_row *row = table_find(&ti->tasks, &tid);

	if (!row || (row->hdr.flags & RT_ROW_OTHER))
		return -1;
	row->task.cgroup = cgroup;
	row->task.container = taskinfo_cgroup_container(ti, cgroup);
	row->task.netns = netns;
	return 0;
}

void taskinfo_free(struct taskinfo *ti)
{
	if (!ti)
		return;
	table_free(&ti->tasks);
	table_free(&ti->procs);
	strtab_free(&ti->cgroups);
	strtab_free(&ti->conts);
	free(ti->cmdlines);
	free(ti->tgids);
	free(ti->ns_changes);
	free(ti);
}

void taskinfo_forget(struct taskinfo *ti)
{
	table_clear(&ti->tasks);
	table_clear(&ti->procs);
	ti->procs_full = false;
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

/* the v2 line ("0::PATH") of /proc/TID/cgroup, and /proc/TID/ns/net */
static void resolve_attr(struct taskinfo *ti, struct rt_task *t)
{
	char path[64], buf[RT_CGROUP_PATH_MAX + 256], *p, *nl;
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", t->tid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		for (p = buf; p; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			if (strncmp(p, "0::", 3))
				continue;
			if (nl)
				*nl = 0;
			t->cgroup = taskinfo_cgroup_intern(ti, p + 3);
			t->container = taskinfo_cgroup_container(ti, t->cgroup);
			break;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", t->tid);
	if (!stat(path, &st))
		t->netns = (u64)st.st_ino;
}

/* /proc/TID/status: Tgid; then /proc/TGID/comm for the process name */
static int resolve_proc(struct taskinfo *ti, struct rt_task *t)
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
	resolve_attr(ti, t);
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

	if (ti->resolver == RT_TASKS_PROC && resolve_proc(ti, t) == 0) {
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

/* a task made by task_newtask, first used: see TASK_NETNS_STALE */
static void refresh_attr(struct taskinfo *ti, struct task_row *row)
{
	struct rt_task *t = &row->task;
	u32 stale = t->flags & TASK_STALE;

	t->flags &= ~TASK_STALE;
	if (ti->resolver == RT_TASKS_PROC) {
		struct rt_task fresh = { .tid = t->tid };

		resolve_attr(ti, &fresh);
		if ((stale & TASK_CGROUP_STALE) && fresh.cgroup) {
			t->cgroup = fresh.cgroup;
			t->container = fresh.container;
		}
		if ((stale & TASK_NETNS_STALE) && fresh.netns)
			t->netns = fresh.netns;
		else if ((stale & TASK_NETNS_STALE) &&
			 (t->flags & TASK_NETNS_NEW))
			t->netns = 0;	/* gone: not the parent's */
		if (t->flags & TASK_MADE_BY_EVENT) {
			row->first.cgroup = t->cgroup;
			row->first.container = t->container;
			row->first.netns = t->netns;
		}
		return;
	}
	/* a replay: what the live run read then */
	if ((stale & TASK_CGROUP_STALE) && row->first.cgroup) {
		t->cgroup = row->first.cgroup;
		t->container = row->first.container;
	}
	if ((stale & TASK_NETNS_STALE) &&
	    (row->first.netns || row->first_stored))
		t->netns = row->first.netns;
}

const struct rt_task *taskinfo_get(struct taskinfo *ti, int tid,
				   const char *hint_comm)
{
	static struct rt_task fallback;
	struct task_row *row;

	row = table_find(&ti->tasks, &tid);
	if (row) {
		if (row->task.flags & TASK_STALE)
			refresh_attr(ti, row);
		return &row->task;
	}
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
	row->first = row->task;
	count_thread(ti, &row->task, 1);
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
	if (row->task.tid == tid)
		count_thread(ti, &row->task, -1);
	memset(&row->task, 0, sizeof(row->task));
	row->task.tid = tid;
	row->task.tgid = tgid;
	row->task.flags = flags & ~TASK_PRIVATE;
	copy_comm(row->task.comm, comm ? comm : "");
	row->first = row->task;
	count_thread(ti, &row->task, 1);
	return 0;
}

/* ---- events: names and attribution in ring-buffer order ---- */

static struct task_row *row_of(struct taskinfo *ti, int tid)
{
	struct task_row *row;

	if (tid <= 0)
		return NULL;
	/* resolves on first sight, as any other event's thread */
	taskinfo_get(ti, tid, NULL);
	row = table_find(&ti->tasks, &tid);
	return row && !(row->hdr.flags & RT_ROW_OTHER) ? row : NULL;
}

void taskinfo_task_new(struct taskinfo *ti, int parent, int pid,
		       u64 clone_flags, const char *comm)
{
	struct rt_task from = { 0 };
	const struct rt_task *pt = parent > 0 ? taskinfo_get(ti, parent, NULL)
					      : NULL;
	struct task_row *row;
	struct rt_task *t;
	bool made;

	if (pid <= 0)
		return;
	if (pt)
		from = *pt;
	row = table_find(&ti->tasks, &pid);
	made = !row;
	if (!row)
		row = table_get(&ti->tasks, &pid);
	if (!row || (row->hdr.flags & RT_ROW_OTHER))
		return;
	t = &row->task;
	if (!made)
		count_thread(ti, t, -1);
	memset(t, 0, sizeof(*t));
	t->tid = pid;
	if ((clone_flags & CLONE_THREAD_FLAG) && pt) {
		/* a thread: its process, with the process's name */
		t->tgid = from.tgid;
		t->flags = from.flags & (RT_TASK_GUESSED | RT_TASK_NOCOMM);
		memcpy(t->comm, from.comm, RT_COMM_LEN);
	} else {
		/* a process, named as the thread that made it was */
		t->tgid = pid;
		copy_comm(t->comm, comm && comm[0] ? comm : from.comm);
		if (!t->comm[0]) {
			t->flags |= RT_TASK_NOCOMM;
			strcpy(t->comm, "<...>");
		}
	}
	/* the parent's, unless /proc says otherwise on first use */
	t->cgroup = from.cgroup;
	t->container = from.container;
	t->netns = from.netns;
	t->flags |= TASK_NETNS_STALE;
	if (clone_flags & CLONE_NEWNET)
		t->flags |= TASK_NETNS_NEW;
	if (clone_flags & CLONE_INTO_CGROUP_FLAG)
		t->flags |= TASK_CGROUP_STALE;
	if (made) {
		row->first = *t;
		row->first.flags &= ~TASK_PRIVATE;
		t->flags |= TASK_MADE_BY_EVENT;
	}
	count_thread(ti, t, 1);
}

bool taskinfo_task_rename(struct taskinfo *ti, int pid, const char *comm)
{
	struct task_row *row = row_of(ti, pid);
	char name[RT_COMM_LEN];

	if (!row)
		return false;
	copy_comm(name, comm);
	if (row->task.tgid != pid) {
		/* a thread's own name: the process keeps its name; io_uring
		 * workers name themselves so */
		if (!strncmp(name, "iou-wrk-", 8) ||
		    !strncmp(name, "iou-sqp-", 8))
			row->task.flags |= RT_TASK_IOU;
		return false;
	}
	if (!strcmp(row->task.comm, name) &&
	    !(row->task.flags & RT_TASK_NOCOMM))
		return false;
	/* the process is renamed: every thread of it known (exec renames
	 * mostly processes with none but the leader: one row) */
	{
		struct proc_row *pr = table_find(&ti->procs, &pid);

		if (!ti->procs_full && (!pr || !pr->threads)) {
			memcpy(row->task.comm, name, RT_COMM_LEN);
			row->task.flags &= ~RT_TASK_NOCOMM;
			return true;
		}
	}
	for (u32 i = 0; i < ti->tasks.nr_rows; i++) {
		struct task_row *r = table_row(&ti->tasks, i);

		if (r->task.tgid == pid) {
			memcpy(r->task.comm, name, RT_COMM_LEN);
			r->task.flags &= ~RT_TASK_NOCOMM;
		}
	}
	return true;
}

bool taskinfo_cgroup_attach(struct taskinfo *ti, int pid, const char *path,
			    size_t len)
{
	char buf[RT_CGROUP_PATH_MAX];
	struct task_row *row;
	u32 id;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, path, len);
	buf[len] = 0;
	row = row_of(ti, pid);
	if (!row)
		return false;
	id = taskinfo_cgroup_intern(ti, buf);
	row->task.flags &= ~TASK_CGROUP_STALE;
	if (!id || id == row->task.cgroup)
		return false;
	row->task.cgroup = id;
	row->task.container = taskinfo_cgroup_container(ti, id);
	return true;
}

void taskinfo_netns_enter(struct taskinfo *ti, int tid, bool sure)
{
	struct task_row *row = row_of(ti, tid);

	if (row)
		row->ns_pending = sure ? NS_SURE : NS_MAYBE;
}

static void log_ns_change(struct taskinfo *ti, int tid, u64 netns)
{
	if (ti->nr_ns_changes == ti->cap_ns_changes) {
		u32 cap = ti->cap_ns_changes ? 2 * ti->cap_ns_changes : 16;
		struct ns_change *n;

		if (cap > NS_CHANGES_CAP)
			return;
		n = realloc(ti->ns_changes, cap * sizeof(*n));
		if (!n)
			return;
		ti->ns_changes = n;
		ti->cap_ns_changes = cap;
	}
	ti->ns_changes[ti->nr_ns_changes++] =
		(struct ns_change){ .tid = tid, .netns = netns };
}

/* a replay: tid's next change in the live run's order */
static bool next_ns_change(struct taskinfo *ti, int tid, u64 *netns)
{
	for (u32 i = ti->ns_first_unused; i < ti->nr_ns_changes; i++) {
		struct ns_change *c = &ti->ns_changes[i];

		if (c->used || c->tid != tid)
			continue;
		c->used = true;
		while (ti->ns_first_unused < ti->nr_ns_changes &&
		       ti->ns_changes[ti->ns_first_unused].used)
			ti->ns_first_unused++;
		*netns = c->netns;
		return true;
	}
	return false;
}

bool taskinfo_netns_exit(struct taskinfo *ti, int tid, s64 ret)
{
	struct task_row *row = row_of(ti, tid);
	u64 netns;
	u8 how;

	if (!row)
		return false;
	how = row->ns_pending;
	row->ns_pending = NS_NONE;
	if (ret != 0)
		return false;
	/*
	 * Every call that returned 0 is logged and taken, not only those
	 * whose entry was seen (a plain recording scans CPU by CPU, so an
	 * entry on another CPU may come later): the entry only says whether
	 * a thread that is gone has a netns known no more.
	 */
	netns = row->task.netns;
	if (ti->resolver == RT_TASKS_PROC) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof(path), "/proc/%d/ns/net", tid);
		if (!stat(path, &st))
			netns = (u64)st.st_ino;
		else if (how == NS_SURE)
			netns = 0;	/* gone: not the old one either */
		log_ns_change(ti, tid, netns);
	} else if (!next_ns_change(ti, tid, &netns)) {
		return false;
	}
	row->task.flags &= ~(TASK_NETNS_STALE | TASK_NETNS_NEW);
	if (netns == row->task.netns)
		return false;
	row->task.netns = netns;
	return true;
}

int taskinfo_snapshot(struct taskinfo *ti)
{
	DIR *proc;
	struct dirent *de;
	int n = 0;

	if (ti->resolver != RT_TASKS_PROC)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return -1;
	while ((de = readdir(proc))) {
		char path[64];
		DIR *tasks;
		struct dirent *te;
		int pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((te = readdir(tasks))) {
			int tid = atoi(te->d_name);

			if (tid <= 0 || table_find(&ti->tasks, &tid))
				continue;
			taskinfo_get(ti, tid, NULL);
			n++;
		}
		closedir(tasks);
	}
	closedir(proc);
	return n;
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
		const struct task_row *row = table_row(&ti->tasks, i);
		const struct rt_task *t = &row->first;
		int n = snprintf(buf + off, cap - off, "%d %d %u %s\n",
				 t->tid, t->tgid, t->flags & ~TASK_PRIVATE,
				 t->comm);

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

/* a row whose first attribution a recording keeps: a known cgroup or
 * netns, or a CLONE_NEWNET child's unknown one (not its parent's) */
static bool attr_stored(const struct task_row *row)
{
	return row->first.cgroup || row->first.netns ||
	       (row->task.flags & TASK_NETNS_NEW);
}

char *taskinfo_serialize_attr(const struct taskinfo *ti, size_t *len)
{
	size_t cap = 64, off = 0;
	u32 nattr = 0;
	char *buf;
	int n;

	for (u32 i = 0; i < ti->cgroups.nr; i++)
		cap += strlen(ti->cgroups.str[i]) + 1;
	for (u32 i = 0; i < ti->tasks.nr_rows; i++) {
		const struct task_row *row = table_row(&ti->tasks, i);

		if (attr_stored(row))
			nattr++;
	}
	cap += (size_t)nattr * 48 + 32 + (size_t)ti->nr_ns_changes * 40;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	n = snprintf(buf, cap, "cgroups %u\n", ti->cgroups.nr);
	off = (size_t)n;
	for (u32 i = 0; i < ti->cgroups.nr; i++) {
		size_t l = strlen(ti->cgroups.str[i]);

		memcpy(buf + off, ti->cgroups.str[i], l);
		off += l;
		buf[off++] = '\n';
	}
	n = snprintf(buf + off, cap - off, "attrs %u\n", nattr);
	off += (size_t)n;
	for (u32 i = 0; i < ti->tasks.nr_rows; i++) {
		const struct task_row *row = table_row(&ti->tasks, i);

		if (!attr_stored(row))
			continue;
		n = snprintf(buf + off, cap - off, "%d %u %" PRIu64 "\n",
			     row->tid, row->first.cgroup, row->first.netns);
		if (n < 0 || (size_t)n >= cap - off) {
			free(buf);
			return NULL;
		}
		off += (size_t)n;
	}
	/* the netns changes (newer files; older readers stop before) */
	if (ti->nr_ns_changes) {
		n = snprintf(buf + off, cap - off, "netns %u\n",
			     ti->nr_ns_changes);
		off += (size_t)n;
	}
	for (u32 i = 0; i < ti->nr_ns_changes; i++) {
		n = snprintf(buf + off, cap - off, "%d %" PRIu64 "\n",
			     ti->ns_changes[i].tid, ti->ns_changes[i].netns);
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

/* the line at *p (its length in *llen), *p moved past it; NULL at end */
static const char *next_line(const char **p, const char *end, size_t *llen)
{
	const char *line = *p, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	*llen = nl ? (size_t)(nl - line) : (size_t)(end - line);
	*p = nl ? nl + 1 : end;
	return line;
}

/* "netns N" and N lines "tid netns", if the block goes on */
static int load_ns_changes(struct taskinfo *ti, const char *p,
			   const char *end)
{
	unsigned long nr = 0;
	const char *line;
	size_t llen;
	char buf[64];

	line = next_line(&p, end, &llen);
	if (!line || llen < 6 || strncmp(line, "netns ", 6))
		return 0;
	if (llen >= sizeof(buf))
		return -1;
	memcpy(buf, line, llen);
	buf[llen] = 0;
	if (sscanf(buf, "netns %lu", &nr) != 1 || nr > NS_CHANGES_CAP)
		return -1;
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t netns;
		int tid, n = 0;

		line = next_line(&p, end, &llen);
		if (!line || llen >= sizeof(buf))
			return -1;
		memcpy(buf, line, llen);
		buf[llen] = 0;
		if (sscanf(buf, "%d %" SCNu64 "%n", &tid, &netns, &n) != 2 ||
		    (size_t)n != llen || tid <= 0)
			return -1;
		log_ns_change(ti, tid, netns);
		if (ti->nr_ns_changes != i + 1)
			return -1;
	}
	return 0;
}

int taskinfo_deserialize_attr(struct taskinfo *ti, const char *text,
			      size_t len)
{
	const char *p = text, *end = text + len, *line;
	u32 *map = NULL;
	unsigned long nr_cg = 0, nr_attr = 0, i;
	size_t llen;
	char buf[RT_CGROUP_PATH_MAX];
	int ret = -1;

	line = next_line(&p, end, &llen);
	if (!line || llen >= sizeof(buf))
		return -1;
	memcpy(buf, line, llen);
	buf[llen] = 0;
	if (sscanf(buf, "cgroups %lu", &nr_cg) != 1 || nr_cg > RT_CGROUP_CAP)
		return -1;
	map = calloc(nr_cg + 1, sizeof(*map));
	if (!map)
		return -1;
	for (i = 0; i < nr_cg; i++) {
		line = next_line(&p, end, &llen);
		if (!line || !llen || line[0] != '/' || llen >= sizeof(buf))
			goto out;
		memcpy(buf, line, llen);
		buf[llen] = 0;
		map[i + 1] = taskinfo_cgroup_intern(ti, buf);
		if (!map[i + 1])
			goto out;
	}
	line = next_line(&p, end, &llen);
	if (!line || llen >= 64)
		goto out;
	memcpy(buf, line, llen);
	buf[llen] = 0;
	if (sscanf(buf, "attrs %lu", &nr_attr) != 1)
		goto out;
	for (i = 0; i < nr_attr; i++) {
		struct task_row *row;
		unsigned int cg;
		uint64_t netns;
		int tid, n = 0;

		line = next_line(&p, end, &llen);
		if (!line || llen >= 64)
			goto out;
		memcpy(buf, line, llen);
		buf[llen] = 0;
		if (sscanf(buf, "%d %u %" SCNu64 "%n", &tid, &cg, &netns,
			   &n) != 3 || (size_t)n != llen || cg > nr_cg)
			goto out;
		row = table_find(&ti->tasks, &tid);
		if (!row || (row->hdr.flags & RT_ROW_OTHER))
			goto out;
		row->task.cgroup = map[cg];
		row->task.container = taskinfo_cgroup_container(ti, map[cg]);
		row->task.netns = netns;
		row->first.cgroup = row->task.cgroup;
		row->first.container = row->task.container;
		row->first.netns = netns;
		row->first_stored = true;
	}
	ret = load_ns_changes(ti, p, end);
out:
	free(map);
	return ret;
}
