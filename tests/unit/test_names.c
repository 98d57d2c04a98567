// SPDX-License-Identifier: GPL-2.0
/*
 * Names and attribution at event time: task_newtask, task_rename and
 * cgroup_attach_task decoded and applied by the pipeline in ring-buffer
 * order, and a recording's task table and cgroups read back.
 */
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>

#include <traceevent/event-parse.h>

#include "recvtop/correlate.h"
#include "recvtop/decode.h"
#include "recvtop/pipeline.h"
#include "recvtop/stats.h"
#include "recvtop/taskinfo.h"
#include "fixture.h"
#include "unit.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

enum { ID_RENAME = 204, ID_NEWTASK = 205, ID_ATTACH = 538, ID_RECV = 2283 };

/* the formats as Linux 6.18 prints them */
static const struct fx_format formats[] = {
	{ "task", "name: task_rename\nID: 204\n" FX_FORMAT_COMMON
	  "\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:char oldcomm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
	  "\tfield:char newcomm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
	  "\tfield:short oom_score_adj;\toffset:44;\tsize:2;\tsigned:1;\n\n"
	  "print fmt: \"pid=%d oldcomm=%s newcomm=%s oom_score_adj=%hd\", "
	  "REC->pid, REC->oldcomm, REC->newcomm, REC->oom_score_adj\n" },
	{ "task", "name: task_newtask\nID: 205\n" FX_FORMAT_COMMON
	  "\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:char comm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
	  "\tfield:u64 clone_flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	  "\tfield:short oom_score_adj;\toffset:40;\tsize:2;\tsigned:1;\n\n"
	  "print fmt: \"pid=%d comm=%s clone_flags=%llx oom_score_adj=%hd\", "
	  "REC->pid, REC->comm, REC->clone_flags, REC->oom_score_adj\n" },
	{ "cgroup", "name: cgroup_attach_task\nID: 538\n" FX_FORMAT_COMMON
	  "\tfield:int dst_root;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:int dst_level;\toffset:12;\tsize:4;\tsigned:1;\n"
	  "\tfield:u64 dst_id;\toffset:16;\tsize:8;\tsigned:0;\n"
	  "\tfield:int pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	  "\tfield:__data_loc char[] dst_path;\toffset:28;\tsize:4;\tsigned:0;\n"
	  "\tfield:__data_loc char[] comm;\toffset:32;\tsize:4;\tsigned:0;\n\n"
	  "print fmt: \"dst_root=%d dst_id=%llu dst_level=%d dst_path=%s "
	  "pid=%d comm=%s\", REC->dst_root, REC->dst_id, REC->dst_level, "
	  "__get_str(dst_path), REC->pid, __get_str(comm)\n" },
	{ "sock", "name: sock_recv_length\nID: 2283\n" FX_FORMAT_COMMON
	  "\tfield:void * sk;\toffset:8;\tsize:8;\tsigned:0;\n"
	  "\tfield:__u16 family;\toffset:16;\tsize:2;\tsigned:0;\n"
	  "\tfield:__u16 protocol;\toffset:18;\tsize:2;\tsigned:0;\n"
	  "\tfield:int ret;\toffset:20;\tsize:4;\tsigned:1;\n"
	  "\tfield:int flags;\toffset:24;\tsize:4;\tsigned:1;\n\n"
	  "print fmt: \"sk %p ret %d\", REC->sk, REC->ret\n" },
};

#define CLONE_THREAD_ 0x00010000ULL
#define CLONE_NEWNET_ 0x40000000ULL
#define FORK_FLAGS 0x1200000ULL	/* fork(): CLONE_CHILD_SETTID|CLEARTID */
#define THREAD_FLAGS 0x3d0f00ULL	/* pthread_create() */

static u32 head(u8 *b, u16 id, int common_pid)
{
	memset(b, 0, 128);
	memcpy(b, &id, 2);
	memcpy(b + 4, &common_pid, 4);
	return 8;
}

static u32 ev_newtask(u8 *b, int parent, int pid, const char *comm,
		      u64 flags)
{
	head(b, ID_NEWTASK, parent);
	memcpy(b + 8, &pid, 4);
	strncpy((char *)b + 12, comm, 16);
	memcpy(b + 32, &flags, 8);
	return 44;
}

static u32 ev_rename(u8 *b, int by, int pid, const char *oldc,
		     const char *newc)
{
	head(b, ID_RENAME, by);
	memcpy(b + 8, &pid, 4);
	strncpy((char *)b + 12, oldc, 16);
	strncpy((char *)b + 28, newc, 16);
	return 48;
}

static u32 ev_attach(u8 *b, int by, int root, int pid, const char *path)
{
	size_t plen = strlen(path) + 1;
	u32 loc = (u32)(40 | (plen << 16)), cloc;
	u32 end = 40 + (u32)plen;

	head(b, ID_ATTACH, by);
	memcpy(b + 8, &root, 4);
	memcpy(b + 24, &pid, 4);
	memcpy(b + 28, &loc, 4);
	memcpy(b + 40, path, plen);
	cloc = end | (3u << 16);
	memcpy(b + 32, &cloc, 4);
	memcpy(b + end, "sh", 3);
	return (end + 3 + 3) & ~3u;
}

static u32 ev_recv(u8 *b, int tid, u64 sk, int ret)
{
	u16 fam = 2, proto = 17;

	head(b, ID_RECV, tid);
	memcpy(b + 8, &sk, 8);
	memcpy(b + 16, &fam, 2);
	memcpy(b + 18, &proto, 2);
	memcpy(b + 20, &ret, 4);
	return 28;
}

struct world {
	struct tep_handle *tep;
	struct decoder *dec;
	struct taskinfo *tasks;
	struct stats stats;
	struct correlator *corr;
	struct pipeline pipe;
	u64 now;
};

static void world_init(struct world *w, struct taskinfo *tasks)
{
	memset(w, 0, sizeof(*w));
	w->dec = fixture_decoder(formats, ARRAY_SIZE(formats), &w->tep);
	w->tasks = tasks;
	stats_init(&w->stats, tasks, NULL);
	w->corr = correlator_new(&w->stats, false);
	correlator_set_sock(w->corr, true);
	pipeline_init(&w->pipe, w->dec, w->corr, &w->stats, NSEC_PER_SEC, 0,
		      NULL, NULL);
	w->now = 1000;
}

static void world_free(struct world *w)
{
	correlator_free(w->corr);
	stats_free(&w->stats);
	decoder_free(w->dec);
	tep_free(w->tep);
}

static void feed(struct world *w, const u8 *b, u32 n)
{
	struct rt_raw raw = { .data = b, .size = n, .ts = w->now };

	w->now += 100;
	pipeline_feed(&w->pipe, &raw);
}

static struct rt_proc_row *proc(struct world *w, int tgid)
{
	return table_find(&w->stats.procs, &tgid);
}

static struct rt_cont_row *cont(struct world *w, const char *name)
{
	u32 id = taskinfo_container_find(w->tasks, name);

	return id ? table_find(&w->stats.conts, &id) : NULL;
}

TEST(names_decode_task_events)
{
	struct tep_handle *tep;
	struct decoder *d = fixture_decoder(formats, ARRAY_SIZE(formats), &tep);
	struct rt_event ev;
	u8 b[256];
	u32 n;

	CHECK(d != NULL);
	if (!d)
		return;
	n = ev_newtask(b, 10, 11, "parent-name", FORK_FLAGS);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_TASK_NEW);
	CHECK_EQ(ev.tid, 10);
	CHECK_EQ(ev.task_new.pid, 11);
	CHECK_EQ(ev.task_new.clone_flags, FORK_FLAGS);
	CHECK_STR(ev.task_new.comm, "parent-name");
	/* a full 15-byte name */
	n = ev_rename(b, 11, 11, "parent-name", "abcdefghijklmno");
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_TASK_RENAME);
	CHECK_EQ(ev.task_rename.pid, 11);
	CHECK_STR(ev.task_rename.comm, "abcdefghijklmno");
	n = ev_attach(b, 1, 0, 11, "/kubepods/" ID64);
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_CGROUP_ATTACH);
	CHECK_EQ(ev.cgroup_attach.pid, 11);
	CHECK_EQ(ev.cgroup_attach.root, 0);
	CHECK_EQ(ev.cgroup_attach.path_len, strlen("/kubepods/" ID64));
	CHECK(!memcmp(ev.cgroup_attach.path, "/kubepods/" ID64,
		      ev.cgroup_attach.path_len));
	/* a dst_path pointing past the record */
	b[30] = 0xff;
	b[31] = 0x7f;
	CHECK_EQ(decode_event(d, b, n, &ev), RT_EV_NONE);
	/* too short for the needed fields */
	n = ev_newtask(b, 10, 11, "x", FORK_FLAGS);
	CHECK_EQ(decode_event(d, b, 20, &ev), RT_EV_NONE);
	decoder_free(d);
	tep_free(tep);
}

/*
 * A parent forks a child that renames itself, receives, and exits before
 * anything resolves it: the child's receives are under its own name, the
 * parent's under the parent's; a thread of the child keeps the process
 * name though it names itself.
 */
TEST(names_fork_rename_exit)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct world w;
	u8 b[256];

	taskinfo_put(ti, 100, 100, 0, "daemon");
	world_init(&w, ti);
	feed(&w, b, ev_recv(b, 100, 0x1000, 10));
	feed(&w, b, ev_newtask(b, 100, 101, "daemon", FORK_FLAGS));
	feed(&w, b, ev_recv(b, 101, 0x2000, 20));
	feed(&w, b, ev_rename(b, 101, 101, "daemon", "worker"));
	feed(&w, b, ev_recv(b, 101, 0x2000, 300));
	/* a thread of the worker, named by itself */
	feed(&w, b, ev_newtask(b, 101, 102, "worker", THREAD_FLAGS));
	feed(&w, b, ev_rename(b, 102, 102, "worker", "worker-io"));
	feed(&w, b, ev_recv(b, 102, 0x2000, 4000));
	pipeline_finish(&w.pipe);

	CHECK_EQ(proc(&w, 100)->total.bytes, 10);
	CHECK_STR(proc(&w, 100)->comm, "daemon");
	/* the child counted 20 as "daemon" then 300 + 4000 as "worker": the
	 * row keeps the latest name */
	CHECK_EQ(proc(&w, 101)->total.bytes, 4320);
	CHECK_STR(proc(&w, 101)->comm, "worker");
	CHECK(proc(&w, 102) == NULL);
	CHECK_EQ(taskinfo_peek(ti, 102)->tgid, 101);
	CHECK_STR(taskinfo_peek(ti, 102)->comm, "worker");
	CHECK_EQ(w.stats.total.events, 8);
	world_free(&w);
	taskinfo_free(ti);
}

/* a process renamed while its threads were known renames every thread */
TEST(names_leader_rename_renames_threads)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct world w;
	u8 b[256];

	taskinfo_put(ti, 200, 200, 0, "old");
	taskinfo_put(ti, 201, 200, 0, "old");
	taskinfo_put(ti, 300, 300, 0, "other");
	world_init(&w, ti);
	feed(&w, b, ev_recv(b, 201, 0x1, 5));
	/* a rename by another thread of the process (/proc/PID/comm) */
	feed(&w, b, ev_rename(b, 201, 200, "old", "new"));
	feed(&w, b, ev_recv(b, 201, 0x1, 7));
	pipeline_finish(&w.pipe);
	CHECK_STR(taskinfo_peek(ti, 200)->comm, "new");
	CHECK_STR(taskinfo_peek(ti, 201)->comm, "new");
	CHECK_STR(taskinfo_peek(ti, 300)->comm, "other");
	CHECK_STR(proc(&w, 200)->comm, "new");
	CHECK_EQ(proc(&w, 200)->total.bytes, 12);
	/* the recording keeps the names the rows were made with */
	{
		size_t len;
		char *text = taskinfo_serialize(ti, &len);

		CHECK_STR(text, "200 200 0 old\n201 200 0 old\n300 300 0 other\n");
		free(text);
	}
	world_free(&w);
	taskinfo_free(ti);
}

/*
 * Moves between cgroups split the per-container counts at the move; v1
 * hierarchies (dst_root != 0) change nothing; a forked child inherits
 * its parent's cgroup and netns, a CLONE_NEWNET child not the netns.
 */
TEST(names_cgroup_moves)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	u32 svc = taskinfo_cgroup_intern(ti, "/system.slice/web.service");
	struct world w;
	u8 b[256];

	taskinfo_put(ti, 400, 400, 0, "web");
	taskinfo_set_attr(ti, 400, svc, 4026531840ULL);
	/* as a recording stores a child the live run read from /proc */
	taskinfo_put(ti, 402, 402, 0, "web");
	taskinfo_set_attr(ti, 402, 0, 0);
	{
		const char *text = "cgroups 0\nattrs 1\n402 0 4026532999\n";

		CHECK_EQ(taskinfo_deserialize_attr(ti, text, strlen(text)), 0);
	}
	world_init(&w, ti);
	feed(&w, b, ev_recv(b, 400, 0x1, 100));
	feed(&w, b, ev_attach(b, 1, 3, 400, "/cpu-v1-group"));
	feed(&w, b, ev_recv(b, 400, 0x1, 200));
	feed(&w, b, ev_attach(b, 1, 0, 400, "/kubepods/pod1/" ID64));
	feed(&w, b, ev_recv(b, 400, 0x1, 4000));
	feed(&w, b, ev_newtask(b, 400, 401, "web", FORK_FLAGS));
	feed(&w, b, ev_recv(b, 401, 0x2, 50000));
	feed(&w, b, ev_newtask(b, 400, 402, "web", FORK_FLAGS | CLONE_NEWNET_));
	feed(&w, b, ev_recv(b, 402, 0x3, 600000));
	feed(&w, b, ev_attach(b, 1, 0, 401, "/"));
	feed(&w, b, ev_recv(b, 401, 0x2, 7000000));
	pipeline_finish(&w.pipe);

	CHECK(cont(&w, "web.service") != NULL);
	CHECK(cont(&w, "0123456789ab") != NULL);
	if (!cont(&w, "web.service") || !cont(&w, "0123456789ab"))
		goto out;
	CHECK_EQ(cont(&w, "web.service")->total.bytes, 300);
	CHECK_EQ(cont(&w, "0123456789ab")->total.bytes, 654000);
	{
		u32 host = 0;
		struct rt_cont_row *h = table_find(&w.stats.conts, &host);

		CHECK(h != NULL);
		CHECK_EQ(h ? h->total.bytes : 0, 7000000);
	}
	/* inherited; a replay takes what the live run read */
	CHECK_EQ(taskinfo_peek(ti, 401)->netns, 4026531840ULL);
	CHECK_EQ(taskinfo_peek(ti, 402)->netns, 4026532999ULL);
	CHECK_STR(taskinfo_cgroup_path(ti, taskinfo_peek(ti, 402)->cgroup),
		  "/kubepods/pod1/" ID64);
	CHECK_STR(taskinfo_cgroup_path(ti, proc(&w, 401)->cgroup), "/");
	CHECK_EQ(proc(&w, 401)->container, 0);
	CHECK_STR(taskinfo_container_name(ti, proc(&w, 400)->container),
		  "0123456789ab");
out:
	world_free(&w);
	taskinfo_free(ti);
}

/* live: a new task's netns is read from /proc on first use, its
 * parent's when it is gone, and kept for the recording */
TEST(names_newtask_netns_live)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_PROC);
	const struct rt_task *t;
	struct stat st;
	size_t len;
	char *attr, want[64];

	CHECK_EQ(stat("/proc/self/ns/net", &st), 0);
	taskinfo_put(ti, 1 << 30, 1 << 30, 0, "gone-parent");
	taskinfo_set_attr(ti, 1 << 30, 0, 1234);
	/* this very process, "made" by a gone parent: /proc wins */
	taskinfo_task_new(ti, 1 << 30, getpid(), FORK_FLAGS, "me");
	/* a child already gone: the parent's */
	taskinfo_task_new(ti, 1 << 30, (1 << 30) + 1, FORK_FLAGS, "gone");
	t = taskinfo_get(ti, getpid(), NULL);
	CHECK_EQ(t->netns, st.st_ino);
	CHECK_STR(t->comm, "me");
	t = taskinfo_get(ti, (1 << 30) + 1, NULL);
	CHECK_EQ(t->netns, 1234);
	attr = taskinfo_serialize_attr(ti, &len);
	snprintf(want, sizeof(want), "%d 0 %llu\n", getpid(),
		 (unsigned long long)st.st_ino);
	CHECK_CONTAINS(attr, want);
	CHECK_CONTAINS(attr, "1073741825 0 1234\n");
	free(attr);
	taskinfo_free(ti);
}

/* the task table and cgroups a recording stores, read back */
TEST(names_attr_round_trip)
{
	struct taskinfo *a = taskinfo_new(RT_TASKS_STORED);
	struct taskinfo *b = taskinfo_new(RT_TASKS_STORED);
	u32 x = taskinfo_cgroup_intern(a, "/system.slice/a b.service");
	u32 y = taskinfo_cgroup_intern(a, "/docker/" ID64);
	char *tasks, *attr;
	size_t tlen, alen;
	const struct rt_task *t;

	taskinfo_put(a, 1, 1, 0, "one");
	taskinfo_put(a, 2, 1, 0, "one");
	taskinfo_put(a, 3, 3, 0, "three");
	taskinfo_set_attr(a, 1, y, 4026531840ULL);
	taskinfo_set_attr(a, 2, y, 4026531840ULL);
	taskinfo_set_attr(a, 3, x, 0);
	/* set_attr changes the current state; put made the first: the
	 * stored state is put's */
	taskinfo_put(a, 1, 1, 0, "one");
	taskinfo_set_attr(a, 1, y, 4026531840ULL);
	attr = taskinfo_serialize_attr(a, &alen);
	tasks = taskinfo_serialize(a, &tlen);
	CHECK(attr && tasks);
	if (!attr || !tasks)
		goto out;
	CHECK_STR(attr, "cgroups 2\n/system.slice/a b.service\n/docker/" ID64
		  "\nattrs 0\n");
	CHECK_EQ(taskinfo_deserialize(b, tasks, tlen), 0);
	CHECK_EQ(taskinfo_deserialize_attr(b, attr, alen), 0);
	CHECK_EQ(taskinfo_cgroup_count(b), 2);
	CHECK_STR(taskinfo_cgroup_path(b, 2), "/docker/" ID64);
	CHECK_EQ(taskinfo_peek(b, 1)->cgroup, 0);

	/* attribution lines as a live run writes them */
	{
		const char *text = "cgroups 2\n/system.slice/a b.service\n/docker/"
				   ID64 "\nattrs 2\n1 2 4026531840\n3 1 0\n";

		CHECK_EQ(taskinfo_deserialize_attr(b, text, strlen(text)), 0);
		t = taskinfo_peek(b, 1);
		CHECK_EQ(t->cgroup, 2);
		CHECK_STR(taskinfo_container_name(b, t->container),
			  "0123456789ab");
		CHECK_EQ(t->netns, 4026531840ULL);
		t = taskinfo_peek(b, 3);
		CHECK_STR(taskinfo_container_name(b, t->container),
			  "a b.service");
	}
	/* corrupt: unknown task, cgroup out of range, junk, short */
	{
		static const char *const bad[] = {
			"cgroups 1\n/a\nattrs 1\n99 1 0\n",
			"cgroups 1\n/a\nattrs 1\n1 2 0\n",
			"cgroups 1\n/a\nattrs 1\n1 1 0x\n",
			"cgroups 2\n/a\n",
			"cgroups 1\nrelative\nattrs 0\n",
			"cgroups x\n",
		};

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
			if (taskinfo_deserialize_attr(b, bad[i],
						      strlen(bad[i])) != -1)
				unit_fail(__FILE__, __LINE__,
					  "bad attr %zu accepted", i);
	}
out:
	free(attr);
	free(tasks);
	taskinfo_free(a);
	taskinfo_free(b);
}
