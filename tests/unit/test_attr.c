// SPDX-License-Identifier: GPL-2.0
/* Attribution: the cgroup path parser, interning, per-container stats. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recvtop/history.h"
#include "recvtop/pipeline.h"
#include "recvtop/stats.h"
#include "recvtop/taskinfo.h"
#include "unit.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void check_cont(const char *path, const char *want,
		       enum rt_cont_kind want_kind, int line)
{
	char out[RT_CONT_NAME_LEN];
	enum rt_cont_kind kind = 99;
	int ret = rt_cgroup_container(path, out, sizeof(out), &kind);

	if (ret != 0 || strcmp(out, want) || kind != want_kind)
		unit_fail(__FILE__, line, "%s -> ret %d \"%s\" kind %d, want \"%s\" kind %d",
			  path, ret, out, kind, want, want_kind);
}

#define CONT(path, want, kind) check_cont(path, want, kind, __LINE__)

TEST(cgroup_container_runtimes)
{
	CONT("/system.slice/docker-" ID64 ".scope", "0123456789ab",
	     RT_CONT_CONTAINER);
	CONT("/kubepods.slice/kubepods-burstable.slice/"
	     "kubepods-burstable-pod1234_5678.slice/cri-containerd-" ID64 ".scope",
	     "0123456789ab", RT_CONT_CONTAINER);
	CONT("/kubepods.slice/kubepods-besteffort.slice/crio-" ID64B ".scope",
	     "fedcba987654", RT_CONT_CONTAINER);
	CONT("/machine.slice/libpod-" ID64 ".scope", "0123456789ab",
	     RT_CONT_CONTAINER);
	/* cgroupfs driver: bare ids under docker/ and kubepods/ */
	CONT("/docker/" ID64, "0123456789ab", RT_CONT_CONTAINER);
	CONT("/kubepods/burstable/pod1234-5678/" ID64B, "fedcba987654",
	     RT_CONT_CONTAINER);
	CONT("/kubepods/" ID64 "/", "0123456789ab", RT_CONT_CONTAINER);
	/* a container's own sub-cgroups stay the container's */
	CONT("/system.slice/docker-" ID64 ".scope/init.scope", "0123456789ab",
	     RT_CONT_CONTAINER);
}

TEST(cgroup_container_innermost)
{
	/* docker in docker: the inner one */
	CONT("/system.slice/docker-" ID64 ".scope/docker/" ID64B,
	     "fedcba987654", RT_CONT_CONTAINER);
	CONT("/docker/" ID64 "/docker/" ID64B, "fedcba987654",
	     RT_CONT_CONTAINER);
	/* a container inside a service is the container */
	CONT("/system.slice/k3s.service/kubepods/" ID64, "0123456789ab",
	     RT_CONT_CONTAINER);
	/* a service inside a container is still the container */
	CONT("/docker/" ID64 "/nginx.service", "0123456789ab",
	     RT_CONT_CONTAINER);
}

TEST(cgroup_container_services)
{
	CONT("/system.slice/nginx.service", "nginx.service", RT_CONT_SERVICE);
	CONT("/system.slice/system-getty.slice/getty@tty1.service",
	     "getty@tty1.service", RT_CONT_SERVICE);
	/* the user manager's own services: the innermost one */
	CONT("/user.slice/user-1000.slice/user@1000.service/app.slice/"
	     "foo.service", "foo.service", RT_CONT_SERVICE);
	CONT("/user.slice/user-1000.slice/user@1000.service/init.scope",
	     "user@1000.service", RT_CONT_SERVICE);
	/* the docker daemon itself is a service, not a container */
	CONT("/system.slice/docker.service", "docker.service", RT_CONT_SERVICE);
}

TEST(cgroup_container_none)
{
	CONT("/", "", RT_CONT_NONE);
	CONT("", "", RT_CONT_NONE);
	CONT("/init.scope", "", RT_CONT_NONE);
	CONT("/user.slice/user-0.slice/session-3.scope", "", RT_CONT_NONE);
	CONT("/system.slice", "", RT_CONT_NONE);
	/* ".service" alone names no unit */
	CONT("/system.slice/.service", "", RT_CONT_NONE);
}

TEST(cgroup_container_bad_ids)
{
	/* 63 and 65 hex digits */
	CONT("/system.slice/docker-" "0123456789abcdef0123456789abcdef"
	     "0123456789abcdef0123456789abcde" ".scope", "", RT_CONT_NONE);
	CONT("/system.slice/docker-" ID64 "0.scope", "", RT_CONT_NONE);
	/* upper case and non-hex */
	CONT("/system.slice/docker-" "0123456789ABCDEF0123456789abcdef"
	     "0123456789abcdef0123456789abcdef" ".scope", "", RT_CONT_NONE);
	CONT("/docker/" "g123456789abcdef0123456789abcdef"
	     "0123456789abcdef0123456789abcdef", "", RT_CONT_NONE);
	/* no .scope, or an unknown runtime */
	CONT("/system.slice/docker-" ID64, "", RT_CONT_NONE);
	CONT("/system.slice/lxc-" ID64 ".scope", "", RT_CONT_NONE);
	/* crio's conmon scope is not the container */
	CONT("/system.slice/crio-conmon-" ID64 ".scope", "", RT_CONT_NONE);
	/* a bare id elsewhere is not a container */
	CONT("/system.slice/" ID64, "", RT_CONT_NONE);
	CONT("/dockers/" ID64, "", RT_CONT_NONE);
	/* but a bad id leaves the service around it */
	CONT("/system.slice/foo.service/docker-123.scope", "foo.service",
	     RT_CONT_SERVICE);
}

TEST(cgroup_container_small_buffer)
{
	char out[32];
	enum rt_cont_kind kind;

	CHECK_EQ(rt_cgroup_container("/docker/" ID64, out, 12, &kind), -1);
	CHECK_STR(out, "");
	CHECK_EQ(kind, RT_CONT_NONE);
	CHECK_EQ(rt_cgroup_container("/a/nginx.service", out, 13, &kind), -1);
	CHECK_EQ(rt_cgroup_container("/a/nginx.service", out, 14, &kind), 0);
	CHECK_STR(out, "nginx.service");
}

TEST(taskinfo_cgroup_interning)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	u32 a, b, c, d;

	a = taskinfo_cgroup_intern(ti, "/system.slice/nginx.service");
	b = taskinfo_cgroup_intern(ti, "/kubepods/" ID64);
	c = taskinfo_cgroup_intern(ti, "/system.slice/nginx.service");
	d = taskinfo_cgroup_intern(ti, "/kubepods/" ID64 "/sub");
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 2);
	CHECK_EQ(c, a);
	CHECK_EQ(d, 3);
	CHECK_EQ(taskinfo_cgroup_count(ti), 3);
	CHECK_STR(taskinfo_cgroup_path(ti, a), "/system.slice/nginx.service");
	CHECK_STR(taskinfo_cgroup_path(ti, 0), "");
	CHECK_STR(taskinfo_cgroup_path(ti, 99), "");
	/* two paths, one container */
	CHECK_EQ(taskinfo_cgroup_container(ti, b),
		 taskinfo_cgroup_container(ti, d));
	CHECK_EQ(taskinfo_container_count(ti), 2);
	CHECK_STR(taskinfo_container_name(ti, taskinfo_cgroup_container(ti, a)),
		  "nginx.service");
	CHECK_EQ(taskinfo_container_kind(ti, taskinfo_cgroup_container(ti, a)),
		 RT_CONT_SERVICE);
	CHECK_STR(taskinfo_container_name(ti, taskinfo_cgroup_container(ti, b)),
		  "0123456789ab");
	CHECK_EQ(taskinfo_container_kind(ti, taskinfo_cgroup_container(ti, b)),
		 RT_CONT_CONTAINER);
	CHECK_STR(taskinfo_container_name(ti, 0), "");
	CHECK_EQ(taskinfo_container_kind(ti, 0), RT_CONT_NONE);
	CHECK_EQ(taskinfo_container_find(ti, "0123456789ab"),
		 taskinfo_cgroup_container(ti, b));
	CHECK_EQ(taskinfo_container_find(ti, "nope"), 0);
	/* the host's root has no container */
	CHECK_EQ(taskinfo_cgroup_container(ti, taskinfo_cgroup_intern(ti, "/")),
		 0);
	/* not absolute: not a cgroup path */
	CHECK_EQ(taskinfo_cgroup_intern(ti, "relative"), 0);
	CHECK_EQ(taskinfo_cgroup_intern(ti, ""), 0);
	taskinfo_free(ti);
}

TEST(taskinfo_cgroup_many)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	char path[64];
	bool ok = true;

	/* the index grows past its first size; every id stays findable */
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/s/u%d.service", i);
		if (taskinfo_cgroup_intern(ti, path) != (u32)i + 1)
			ok = false;
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(path, sizeof(path), "/s/u%d.service", i);
		if (taskinfo_cgroup_intern(ti, path) != (u32)i + 1)
			ok = false;
	}
	CHECK(ok);
	CHECK_EQ(taskinfo_cgroup_count(ti), 5000);
	CHECK_EQ(taskinfo_container_count(ti), 5000);
	CHECK_STR(taskinfo_container_name(ti, 4321), "u4320.service");
	taskinfo_free(ti);
}

TEST(taskinfo_proc_attr_self)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_PROC);
	const struct rt_task *t = taskinfo_get(ti, getpid(), NULL);
	char *text = rt_read_file("/proc/self/cgroup", NULL), *p;
	struct stat st;

	CHECK(text != NULL);
	CHECK_EQ(stat("/proc/self/ns/net", &st), 0);
	CHECK_EQ(t->netns, st.st_ino);
	p = text ? strstr(text, "0::") : NULL;
	if (p && (p == text || p[-1] == '\n')) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = 0;
		CHECK(t->cgroup != 0);
		CHECK_STR(taskinfo_cgroup_path(ti, t->cgroup), p + 3);
	} else {
		/* a v1-only host: not known */
		CHECK_EQ(t->cgroup, 0);
	}
	free(text);
	taskinfo_free(ti);
}

static void add_rx(struct stats *s, int tid, s64 ret)
{
	struct rt_recv_call c = { .tid = tid, .fd = 3, .ret = ret };

	stats_add_recv(s, &c);
}

static void add_tx(struct stats *s, int tid, s64 ret)
{
	struct rt_recv_call c = { .tid = tid, .fd = 3, .ret = ret, .tx = true };

	stats_add_recv(s, &c);
}

static struct rt_cont_row *cont_row(struct stats *s, u32 id)
{
	return table_find(&s->conts, &id);
}

TEST(stats_containers_split)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats s;
	u32 svc, ctr, svc_c, ctr_c;
	struct rt_proc_row *p;

	stats_init(&s, ti, NULL);
	svc = taskinfo_cgroup_intern(ti, "/system.slice/nginx.service");
	ctr = taskinfo_cgroup_intern(ti, "/kubepods/pod1/" ID64);
	svc_c = taskinfo_cgroup_container(ti, svc);
	ctr_c = taskinfo_cgroup_container(ti, ctr);
	taskinfo_put(ti, 10, 10, 0, "web");
	taskinfo_put(ti, 11, 10, 0, "web");
	taskinfo_put(ti, 20, 20, 0, "host");
	taskinfo_set_attr(ti, 10, svc, 4026531840ULL);
	taskinfo_set_attr(ti, 11, svc, 4026531840ULL);

	add_rx(&s, 10, 100);
	add_rx(&s, 11, 50);
	add_tx(&s, 10, 7);
	add_rx(&s, 20, 1000);
	/* the process moves into the container mid-interval */
	taskinfo_set_attr(ti, 10, ctr, 4026532000ULL);
	taskinfo_set_attr(ti, 11, ctr, 4026532000ULL);
	stats_tasks_changed(&s);
	add_rx(&s, 10, 30);
	add_tx(&s, 11, 3);
	stats_end_interval(&s, 10);

	CHECK_EQ(cont_row(&s, svc_c)->total.bytes, 150);
	CHECK_EQ(cont_row(&s, svc_c)->total.calls, 2);
	CHECK_EQ(cont_row(&s, svc_c)->total.tx_bytes, 7);
	CHECK_EQ(cont_row(&s, ctr_c)->total.bytes, 30);
	CHECK_EQ(cont_row(&s, ctr_c)->total.tx_bytes, 3);
	CHECK_EQ(cont_row(&s, ctr_c)->total.tx_calls, 1);
	CHECK_EQ(cont_row(&s, 0)->total.bytes, 1000);
	CHECK_EQ(table_count(&s.conts), 3);
	CHECK_EQ(table_last_count(&s.conts), 3);
	CHECK(stats_row_in_last(&s, cont_row(&s, ctr_c)->last_gen));
	CHECK_EQ(cont_row(&s, ctr_c)->last.bytes, 30);
	/* the process row has its latest event's attribution */
	{
		int tgid = 10;

		p = table_find(&s.procs, &tgid);
	}
	CHECK(p != NULL);
	CHECK_EQ(p->total.bytes, 180);
	CHECK_EQ(p->cgroup, ctr);
	CHECK_EQ(p->container, ctr_c);
	CHECK_EQ(p->netns, 4026532000ULL);

	/* a second interval touches only the container */
	add_rx(&s, 10, 5);
	stats_end_interval(&s, 20);
	CHECK_EQ(table_last_count(&s.conts), 1);
	CHECK_EQ(cont_row(&s, ctr_c)->total.bytes, 35);
	CHECK_EQ(cont_row(&s, ctr_c)->last.bytes, 5);
	CHECK_EQ(cont_row(&s, svc_c)->total.bytes, 150);

	/* a service's cgroup removed in an interval without calls: the
	 * interval keeps its row (history records it) */
	CHECK(!cont_row(&s, svc_c)->stopped);
	stats_set_cont_stopped(&s, svc_c, true);
	stats_set_cont_stopped(&s, 12345, true);	/* no row: nothing */
	stats_end_interval(&s, 25);
	CHECK(cont_row(&s, svc_c)->stopped);
	CHECK(!cont_row(&s, ctr_c)->stopped);
	CHECK_EQ(table_last_count(&s.conts), 1);
	CHECK_EQ(cont_row(&s, svc_c)->last.calls, 0);

	stats_reset(&s, 30);
	CHECK_EQ(table_count(&s.conts), 0);
	stats_free(&s);
	taskinfo_free(ti);
}

TEST(stats_containers_cap)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct rt_stats_caps caps = { 10, 10, 10, 10, 2 };
	struct stats s;
	char path[64];

	stats_init(&s, ti, &caps);
	for (int i = 1; i <= 4; i++) {
		snprintf(path, sizeof(path), "/s/u%d.service", i);
		taskinfo_put(ti, i, i, 0, "p");
		taskinfo_set_attr(ti, i, taskinfo_cgroup_intern(ti, path), 0);
		add_rx(&s, i, 10 * i);
	}
	stats_end_interval(&s, 10);
	CHECK_EQ(s.conts.nr_rows, 2);
	CHECK(s.conts.other != NULL);
	CHECK_EQ(((struct rt_cont_row *)s.conts.other)->total.bytes, 70);
	stats_free(&s);
	taskinfo_free(ti);
}

TEST(stats_container_filter)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats s;
	u32 svc = taskinfo_cgroup_intern(ti, "/system.slice/nginx.service");
	u32 ctr = taskinfo_cgroup_intern(ti, "/kubepods/pod1/" ID64);
	u32 near = taskinfo_cgroup_intern(ti, "/system.slicer/x.service");
	struct rt_mem_access a = { .tid = 1, .target_tid = 2, .via = 0 };
	struct rt_reader_row *r;

	stats_init(&s, ti, NULL);
	taskinfo_put(ti, 1, 1, 0, "svc");
	taskinfo_put(ti, 2, 2, 0, "ctr");
	taskinfo_put(ti, 3, 3, 0, "near");
	taskinfo_put(ti, 4, 4, 0, "unknown");
	taskinfo_set_attr(ti, 1, svc, 0);
	taskinfo_set_attr(ti, 2, ctr, 0);
	taskinfo_set_attr(ti, 3, near, 0);

	/* a prefix of whole components */
	stats_set_container_filter(&s, "/system.slice/", NULL);
	for (int i = 1; i <= 4; i++)
		add_rx(&s, i, i);
	stats_end_interval(&s, 10);
	CHECK_EQ(s.total.bytes, 1);
	CHECK_EQ(s.total.filtered, 3);

	/* the full id picks the container by its short id */
	stats_set_container_filter(&s, NULL, ID64);
	for (int i = 1; i <= 4; i++)
		add_rx(&s, i, 10 * i);
	stats_end_interval(&s, 20);
	CHECK_EQ(s.total.bytes, 1 + 20);

	stats_set_container_filter(&s, NULL, "0123456789ab");
	add_rx(&s, 2, 100);
	stats_set_container_filter(&s, "/", "nginx.service");
	add_rx(&s, 1, 1000);
	add_rx(&s, 2, 1000);
	/* "/" takes every known cgroup, not the unknown */
	stats_set_container_filter(&s, "/", NULL);
	add_rx(&s, 3, 10000);
	add_rx(&s, 4, 10000);
	stats_set_container_filter(&s, NULL, NULL);
	add_rx(&s, 4, 100000);
	stats_end_interval(&s, 30);
	CHECK_EQ(s.total.bytes, 1 + 20 + 100 + 1000 + 10000 + 100000);

	/* readers carry both containers */
	stats_add_mem(&s, &a);
	stats_end_interval(&s, 40);
	CHECK_EQ(table_count(&s.readers), 1);
	r = table_any_row(&s.readers, 0);
	CHECK_EQ(r->reader_container, taskinfo_cgroup_container(ti, svc));
	CHECK_EQ(r->target_container, taskinfo_cgroup_container(ti, ctr));
	CHECK_EQ(r->total.count, 1);
	stats_free(&s);
	taskinfo_free(ti);
}

/* the /proc snapshot taken when tracing starts: this process among the
 * threads, resolved with its attribution; a replay's taskinfo takes none */
TEST(taskinfo_snapshot_proc)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_PROC);
	struct taskinfo *st = taskinfo_new(RT_TASKS_STORED);
	const struct rt_task *t;
	struct stat sb;
	int n = taskinfo_snapshot(ti);

	CHECK(n > 0);
	CHECK_EQ((int)taskinfo_count(ti), n);
	t = taskinfo_peek(ti, getpid());
	CHECK(t != NULL);
	CHECK_EQ(stat("/proc/self/ns/net", &sb), 0);
	if (t) {
		CHECK_EQ(t->tgid, getpid());
		CHECK_EQ(t->netns, sb.st_ino);
	}
	/* a second snapshot adds only threads not known yet */
	CHECK(taskinfo_snapshot(ti) < n);
	CHECK_EQ(taskinfo_snapshot(st), 0);
	CHECK_EQ(taskinfo_count(st), 0);
	taskinfo_free(ti);
	taskinfo_free(st);
}

/* a pid that no task has now: a child that exited and was reaped */
static int gone_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (int)pid;
}

TEST(taskinfo_netns_changes)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_PROC), *rp;
	int self = getpid(), gone1 = gone_pid(), gone2 = gone_pid();
	char *tasks, *attr;
	size_t tlen, alen;
	struct stat st;
	u64 want[4];
	int n = 0;

	CHECK_EQ(stat("/proc/self/ns/net", &st), 0);
	CHECK_EQ(taskinfo_put(ti, gone1, gone1, 0, "gone1"), 0);
	CHECK_EQ(taskinfo_put(ti, gone2, gone2, 0, "gone2"), 0);
	taskinfo_get(ti, self, NULL);
	CHECK_EQ(taskinfo_set_attr(ti, self, 0, 111), 0);
	CHECK_EQ(taskinfo_set_attr(ti, gone1, 0, 222), 0);
	CHECK_EQ(taskinfo_set_attr(ti, gone2, 0, 333), 0);

	/* a failed call changes nothing; a returned one reads /proc */
	taskinfo_netns_enter(ti, self, true);
	CHECK(!taskinfo_netns_exit(ti, self, -1));
	CHECK_EQ(taskinfo_peek(ti, self)->netns, 111);
	taskinfo_netns_enter(ti, self, false);
	CHECK(taskinfo_netns_exit(ti, self, 0));
	CHECK_EQ(taskinfo_peek(ti, self)->netns, st.st_ino);
	want[n++] = st.st_ino;
	/* gone: after unshare(CLONE_NEWNET) not known, after a setns(fd, 0)
	 * (any kind of namespace) the one it had */
	taskinfo_netns_enter(ti, gone1, true);
	CHECK(taskinfo_netns_exit(ti, gone1, 0));
	CHECK_EQ(taskinfo_peek(ti, gone1)->netns, 0);
	want[n++] = 0;
	taskinfo_netns_enter(ti, gone2, false);
	CHECK(!taskinfo_netns_exit(ti, gone2, 0));
	CHECK_EQ(taskinfo_peek(ti, gone2)->netns, 333);
	want[n++] = 333;
	/* a return whose entry was not seen is taken too */
	CHECK(!taskinfo_netns_exit(ti, self, 0));
	want[n++] = st.st_ino;

	/* a replay of the recording takes the same values in order */
	tasks = taskinfo_serialize(ti, &tlen);
	attr = taskinfo_serialize_attr(ti, &alen);
	CHECK(tasks && attr);
	CHECK_CONTAINS(attr, "\nnetns 4\n");
	rp = taskinfo_new(RT_TASKS_STORED);
	CHECK_EQ(taskinfo_deserialize(rp, tasks, tlen), 0);
	CHECK_EQ(taskinfo_deserialize_attr(rp, attr, alen), 0);
	taskinfo_set_attr(rp, self, 0, 111);
	taskinfo_set_attr(rp, gone1, 0, 222);
	taskinfo_set_attr(rp, gone2, 0, 333);
	taskinfo_netns_enter(rp, self, true);
	CHECK(!taskinfo_netns_exit(rp, self, -1));
	taskinfo_netns_enter(rp, self, false);
	taskinfo_netns_exit(rp, self, 0);
	CHECK_EQ(taskinfo_peek(rp, self)->netns, want[0]);
	taskinfo_netns_enter(rp, gone1, true);
	taskinfo_netns_exit(rp, gone1, 0);
	CHECK_EQ(taskinfo_peek(rp, gone1)->netns, want[1]);
	taskinfo_netns_enter(rp, gone2, false);
	taskinfo_netns_exit(rp, gone2, 0);
	CHECK_EQ(taskinfo_peek(rp, gone2)->netns, want[2]);
	taskinfo_netns_exit(rp, self, 0);
	CHECK_EQ(taskinfo_peek(rp, self)->netns, want[3]);
	/* no logged change left for a thread: it keeps its netns */
	CHECK(!taskinfo_netns_exit(rp, self, 0));
	CHECK_EQ(taskinfo_peek(rp, self)->netns, want[3]);
	taskinfo_free(rp);

	/* a damaged log is refused */
	rp = taskinfo_new(RT_TASKS_STORED);
	CHECK_EQ(taskinfo_deserialize(rp, tasks, tlen), 0);
	attr[alen - 2] = 'x';
	CHECK(taskinfo_deserialize_attr(rp, attr, alen) != 0);
	taskinfo_free(rp);
	free(tasks);
	free(attr);
	taskinfo_free(ti);
}

TEST(taskinfo_clone_newnet_gone)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_PROC), *rp;
	int self = getpid(), a = gone_pid(), b = gone_pid();
	char *tasks, *attr, want[64];
	size_t tlen, alen;

	taskinfo_get(ti, self, NULL);
	CHECK_EQ(taskinfo_set_attr(ti, self, 0, 4242), 0);
	/* gone before first use: CLONE_NEWNET's netns is not known, a plain
	 * child keeps its parent's */
	taskinfo_task_new(ti, self, a, 0x40000000ULL, "newnet");
	taskinfo_task_new(ti, self, b, 0, "plain");
	CHECK_EQ(taskinfo_get(ti, a, NULL)->netns, 0);
	CHECK_EQ(taskinfo_get(ti, b, NULL)->netns, 4242);

	/* a replay says the same: the unknown netns is stored too */
	tasks = taskinfo_serialize(ti, &tlen);
	attr = taskinfo_serialize_attr(ti, &alen);
	CHECK(tasks && attr);
	snprintf(want, sizeof(want), "\n%d 0 0\n", a);
	CHECK_CONTAINS(attr, want);
	rp = taskinfo_new(RT_TASKS_STORED);
	CHECK_EQ(taskinfo_deserialize(rp, tasks, tlen), 0);
	CHECK_EQ(taskinfo_deserialize_attr(rp, attr, alen), 0);
	taskinfo_set_attr(rp, self, 0, 4242);
	taskinfo_task_new(rp, self, a, 0x40000000ULL, "newnet");
	taskinfo_task_new(rp, self, b, 0, "plain");
	CHECK_EQ(taskinfo_get(rp, a, NULL)->netns, 0);
	CHECK_EQ(taskinfo_get(rp, b, NULL)->netns, 4242);
	taskinfo_free(rp);
	free(tasks);
	free(attr);
	taskinfo_free(ti);
}

TEST(taskinfo_cgroup_scope_dirs)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	const char *scope = "/kubepods.slice/kubepods-pod1.slice/"
			    "cri-containerd-" ID64 ".scope";
	const char *below = "/kubepods.slice/kubepods-pod1.slice/"
			    "cri-containerd-" ID64 ".scope/init";
	const char *svc = "/system.slice/nginx.service";
	u32 a = taskinfo_cgroup_intern(ti, scope);
	u32 b = taskinfo_cgroup_intern(ti, below);
	u32 c = taskinfo_cgroup_intern(ti, svc);
	u32 ca = taskinfo_cgroup_container(ti, a);

	CHECK(a && b && c && ca);
	CHECK_EQ(taskinfo_cgroup_container(ti, b), ca);
	/* the scope names the container; a cgroup below it does not */
	CHECK_EQ(taskinfo_cgroup_scope(ti, scope, strlen(scope)), ca);
	CHECK_EQ(taskinfo_cgroup_scope(ti, below, strlen(below)), 0);
	CHECK_EQ(taskinfo_cgroup_scope(ti, svc, strlen(svc)),
		 taskinfo_cgroup_container(ti, c));
	/* a path given with its length, not its terminator */
	CHECK_EQ(taskinfo_cgroup_scope(ti, below, strlen(scope)), ca);
	/* not interned, or no container */
	CHECK_EQ(taskinfo_cgroup_scope(ti, "/system.slice/other.service", 27),
		 0);
	CHECK_EQ(taskinfo_cgroup_scope(ti, "/kubepods.slice", 15), 0);
	taskinfo_free(ti);
}

/* the TUI replay's history steps a container's state with the interval */
TEST(history_container_stopped)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats s, v;
	struct history *h;
	struct rt_interval iv = { 0 };
	struct rt_cont_row *r;
	u32 cg, c;

	stats_init(&s, ti, NULL);
	stats_init(&v, ti, NULL);
	h = history_new(&s, &v, 1u << 20);
	CHECK(h != NULL);
	cg = taskinfo_cgroup_intern(ti, "/kubepods/pod1/" ID64);
	c = taskinfo_cgroup_container(ti, cg);
	taskinfo_put(ti, 10, 10, 0, "web");
	taskinfo_set_attr(ti, 10, cg, 0);
	for (unsigned int k = 1; k <= 4; k++) {
		if (k == 1 || k == 4)
			add_rx(&s, 10, 100);
		if (k == 2)
			stats_set_cont_stopped(&s, c, true);
		if (k == 3)
			stats_set_cont_stopped(&s, c, false);
		iv.nr = k;
		iv.start_ts = iv.end_ts;
		iv.end_ts = 10 * k;
		stats_end_interval(&s, iv.end_ts);
		CHECK_EQ(history_record(h, &iv), 0);
	}
	for (unsigned int k = 1; k <= 4; k++) {
		history_show(h, k);
		r = cont_row(&v, c);
		CHECK(r != NULL);
		if (r)
			CHECK_EQ(r->stopped, k == 2);
		if (r)
			CHECK_EQ(r->total.bytes, k == 4 ? 200 : 100);
	}
	/* and back */
	history_show(h, 2);
	r = cont_row(&v, c);
	CHECK(r && r->stopped);
	history_show(h, 1);
	r = cont_row(&v, c);
	CHECK(r && !r->stopped);
	history_free(h);
	stats_free(&s);
	stats_free(&v);
	taskinfo_free(ti);
}
