/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TASKINFO_H
#define RECVTOP_TASKINFO_H

#include "recvtop/common.h"

/*
 * Thread id -> process (thread group) id and process command name.
 *
 * Trace events carry only the thread id.  Live, a thread is resolved from
 * /proc the first time it is seen (falling back to the kernel's
 * saved_cmdlines when it has already exited, taking its thread id as
 * process id).  Every answer is remembered, and a recording stores the
 * whole table, so a replay resolves exactly as the live run did.
 */

#define RT_TASK_GUESSED	0x1	/* process id not known: thread id used */
#define RT_TASK_NOCOMM	0x2	/* command name not known */
#define RT_TASK_IOU	0x4	/* an io_uring worker thread (iou-wrk-,
				 * iou-sqp-): its receives are io_uring's */

struct rt_task {
	int tid;
	int tgid;
	u32 flags;
	u32 cgroup;		/* interned cgroup v2 path id, 0 = not known */
	u32 container;		/* interned container/service id, 0 = none
				 * (the host) */
	u64 netns;		/* network namespace inode, 0 = not known */
	char comm[RT_COMM_LEN];	/* the process's command name */
};

/*
 * Attribution: a thread's cgroup v2 path (the "0::" line of
 * /proc/PID/cgroup, on pure v2 and hybrid hosts alike) is interned once
 * per distinct path, and the container or service it belongs to is
 * derived once per interned path (rt_cgroup_container).  Ids are small
 * numbers local to one taskinfo (a recording stores the paths with the
 * task table); 0 means "not known" for a cgroup and "none" (the host) for
 * a container.
 */
enum rt_cont_kind {
	RT_CONT_NONE = 0,	/* the host: no container, no service */
	RT_CONT_CONTAINER,	/* a runtime's scope: name = 12-hex short id */
	RT_CONT_SERVICE,	/* a systemd unit: name = "nginx.service" */
};

/* at most this many distinct cgroup paths (and containers) are interned;
 * beyond, a task's cgroup is "not known" */
#define RT_CGROUP_CAP 65536
/* longest cgroup path kept (longer ones are not interned) */
#define RT_CGROUP_PATH_MAX 4096
/* a container name: 12 hex digits or a unit name */
#define RT_CONT_NAME_LEN 256

/*
 * The container of cgroup v2 path: the innermost component that is a
 * runtime's scope with a 64-hex id (docker-ID.scope,
 * cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope, or a bare ID
 * directory below a docker or kubepods* component) gives the first 12
 * hex digits of the id; else the innermost "*.service" component gives
 * the unit name; else none.  Writes the name into out (len bytes, "" for
 * none) and the kind; returns 0, or -1 when out is too small for the name
 * (out is then "", kind RT_CONT_NONE).
 */
int rt_cgroup_container(const char *path, char *out, size_t len,
			enum rt_cont_kind *kind);

enum rt_task_resolver {
	RT_TASKS_STORED,	/* only what was stored (replay) */
	RT_TASKS_PROC,		/* /proc, then saved_cmdlines (live) */
};

struct taskinfo;

struct taskinfo *taskinfo_new(enum rt_task_resolver resolver);
void taskinfo_free(struct taskinfo *ti);
/* where saved_cmdlines lives (live); NULL = no fallback */
void taskinfo_set_tracing_dir(struct taskinfo *ti, const char *dir);

/*
 * The task for tid, resolved on first use; never NULL.  hint_comm (may be
 * NULL) is used when nothing better is known.
 */
const struct rt_task *taskinfo_get(struct taskinfo *ti, int tid,
				   const char *hint_comm);
/* Known entry or NULL, without resolving */
const struct rt_task *taskinfo_peek(const struct taskinfo *ti, int tid);
/* Store an entry (replay loads a recording's table this way) */
int taskinfo_put(struct taskinfo *ti, int tid, int tgid, u32 flags,
		 const char *comm);
unsigned int taskinfo_count(const struct taskinfo *ti);
/*
 * Forget every entry (live only: they are resolved again on next use).
 * Pointers got from taskinfo_get before are stale afterwards: the stats'
 * thread cache must be reset with it (stats_reset).
 */
void taskinfo_forget(struct taskinfo *ti);
const struct rt_task *taskinfo_at(const struct taskinfo *ti, unsigned int i);
/* Resolution counters: proc hits, fallbacks */
void taskinfo_counts(const struct taskinfo *ti, u64 *resolved, u64 *guessed);

/*
 * Interned cgroup paths and containers.  taskinfo_cgroup_intern returns
 * the id of path (interned on first use, its container derived then), 0
 * when it cannot (table full, path too long or not absolute).
 */
u32 taskinfo_cgroup_intern(struct taskinfo *ti, const char *path);
/* the path of id, "" for 0 or an unknown id */
const char *taskinfo_cgroup_path(const struct taskinfo *ti, u32 id);
/* the container id of an interned cgroup id (0: none) */
u32 taskinfo_cgroup_container(const struct taskinfo *ti, u32 cgroup);
unsigned int taskinfo_cgroup_count(const struct taskinfo *ti);
/* the container's name ("" for 0 or an unknown id) and kind */
const char *taskinfo_container_name(const struct taskinfo *ti, u32 id);
enum rt_cont_kind taskinfo_container_kind(const struct taskinfo *ti, u32 id);
unsigned int taskinfo_container_count(const struct taskinfo *ti);
/* the container id of name, 0 if no task was seen in it */
u32 taskinfo_container_find(const struct taskinfo *ti, const char *name);
/*
 * The container or service whose own cgroup is path (len bytes): the
 * directory that names it (its scope, its unit), not one below; 0 when
 * path is not such a directory or no task was seen in it.
 */
u32 taskinfo_cgroup_scope(const struct taskinfo *ti, const char *path,
			  size_t len);
/* Set a known task's attribution (cgroup id from taskinfo_cgroup_intern;
 * its container follows); -1 if tid is not known */
int taskinfo_set_attr(struct taskinfo *ti, int tid, u32 cgroup, u64 netns);

/*
 * Names and attribution at event time.  Trace events are read up to a
 * second after they happen, so /proc at read time tells the future (a
 * child that renamed itself and exited is gone; a moved process is
 * already in its new cgroup).  The rule:
 *
 *   1. right after the events are enabled, taskinfo_snapshot() reads
 *      every thread in /proc (live only);
 *   2. then the task:task_newtask, task:task_rename and
 *      cgroup:cgroup_attach_task events are applied in ring-buffer order
 *      (taskinfo_task_new, _rename, taskinfo_cgroup_attach), so each
 *      receive, send or memory access is counted under the name and
 *      cgroup its process had when it made it;
 *   3. a thread neither the snapshot nor an event made known is read from
 *      /proc on first sight (a miss, between enabling and the snapshot,
 *      or after lost events).
 *
 * Every row keeps the state it was made with; a recording stores those
 * (taskinfo_serialize, _serialize_attr), and a replay applies the same
 * events in the same order, so it says what the live run said.
 */
/* every thread in /proc not known yet (live only); threads added */
int taskinfo_snapshot(struct taskinfo *ti);
/*
 * task_newtask: parent (the event's common_pid) made pid.  CLONE_THREAD:
 * a thread of parent's process with its name; else a new process named
 * comm.  Both inherit the parent's cgroup and netns; the netns (changed
 * by CLONE_NEWNET, or by an unshare or setns before the task's first
 * use) and, across CLONE_INTO_CGROUP, the cgroup are read from /proc on
 * first use if the task still runs (a CLONE_NEWNET child that is gone
 * then has netns 0, "not known", rather than its parent's).
 */
void taskinfo_task_new(struct taskinfo *ti, int parent, int pid,
		       u64 clone_flags, const char *comm);
/*
 * task_rename of pid (the event's pid field: /proc/TID/comm writes rename
 * another thread of the same process, kthread_create another task).  A
 * thread group leader's rename renames the process: true when a
 * process's name changed (rows cached by thread are stale).
 */
bool taskinfo_task_rename(struct taskinfo *ti, int pid, const char *comm);
/* cgroup_attach_task on the v2 hierarchy: pid is now in path (len bytes);
 * true when its cgroup changed */
bool taskinfo_cgroup_attach(struct taskinfo *ti, int pid, const char *path,
			    size_t len);

/*
 * unshare(2) and setns(2) (the syscalls' tracepoints): an entry that may
 * change tid's netns (sure: CLONE_NEWNET asked for; else a setns whose
 * fd may be a netns), then its return.  A return of 0 (the entry seen or
 * not) gives the thread the netns /proc shows then (live: logged; when
 * the thread is gone, "not known", 0, after a sure entry, else the one it
 * had) or the live run's logged one (replay): true when it changed.
 */
void taskinfo_netns_enter(struct taskinfo *ti, int tid, bool sure);
bool taskinfo_netns_exit(struct taskinfo *ti, int tid, s64 ret);

/* Serialised form, one line per task: "tid tgid flags comm\n" (the state
 * each row was made with) */
char *taskinfo_serialize(const struct taskinfo *ti, size_t *len);
int taskinfo_deserialize(struct taskinfo *ti, const char *text, size_t len);
/*
 * The interned cgroup paths and each task's first attribution:
 * "cgroups N\n" and N paths a line (id = line number), then "attrs M\n"
 * and M lines "tid cgroup netns\n"; then, if any, "netns K\n" and K
 * lines "tid netns\n", the netns changes in the order they were applied.
 * Deserialise after the tasks.
 */
char *taskinfo_serialize_attr(const struct taskinfo *ti, size_t *len);
int taskinfo_deserialize_attr(struct taskinfo *ti, const char *text,
			      size_t len);

#endif
