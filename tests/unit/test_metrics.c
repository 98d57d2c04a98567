// SPDX-License-Identifier: GPL-2.0
/* The exporter's metrics stage: series, rendering, negotiation, config. */
#include <stdlib.h>
#include <unistd.h>

#include "recvtop/httpd.h"
#include "recvtop/metrics.h"
#include "recvtop/stats.h"
#include "recvtop/taskinfo.h"
#include "recvtop/webcfg.h"
#include "unit.h"

struct mx_world {
	struct taskinfo *tasks;
	struct stats stats;
	struct metrics m;
	u64 ts;
};

static bool never_alive(int pid)
{
	(void)pid;
	return false;
}

static void mx_setup(struct mx_world *w, unsigned int labels, u32 max)
{
	struct metrics_opts o = {
		.labels = labels, .max_series = max,
		.grace_ns = 10 * NSEC_PER_SEC, .sends = true,
		.version = "0.1.0", .backend = "sock", .kernel = "6.18",
	};

	memset(w, 0, sizeof(*w));
	w->tasks = taskinfo_new(RT_TASKS_STORED);
	CHECK(w->tasks);
	CHECK_EQ(stats_init(&w->stats, w->tasks, NULL), 0);
	CHECK_EQ(metrics_init(&w->m, &o), 0);
	w->m.alive = never_alive;
	w->ts = NSEC_PER_SEC;
}

static void mx_teardown(struct mx_world *w)
{
	metrics_free(&w->m);
	stats_free(&w->stats);
	taskinfo_free(w->tasks);
}

static void mx_recv(struct mx_world *w, int tid, s64 ret, u8 via, u64 lat)
{
	struct rt_recv_call c = {
		.ts = w->ts, .tid = tid, .fd = 3, .ret = ret, .via = via,
		.latency = lat, .has_latency = lat != 0,
		.sk = 0x1000 + (u64)tid, .family = 2, .protocol = 17,
	};

	stats_add_recv(&w->stats, &c);
}

/* end the interval in the stats and add it to the series */
static void mx_interval(struct mx_world *w)
{
	w->ts += NSEC_PER_SEC;
	stats_end_interval(&w->stats, w->ts);
	metrics_add_interval(&w->m, &w->stats, w->ts);
}

static char *mx_text(struct mx_world *w, enum metrics_format fmt)
{
	struct mx_buf b = { 0 };

	CHECK_EQ(metrics_render(&w->m, fmt, &b), 0);
	return b.p;
}

TEST(metrics_series_add_up_intervals)
{
	struct mx_world w;
	char *t;

	mx_setup(&w, 0, 100);
	taskinfo_put(w.tasks, 10, 10, 0, "srv");
	taskinfo_put(w.tasks, 11, 10, 0, "srv");
	taskinfo_put(w.tasks, 20, 20, 0, "srv");	/* same name */
	mx_recv(&w, 10, 100, RT_RX_RECVFROM, 1500);
	mx_recv(&w, 11, 50, RT_RX_READ, 0);
	mx_interval(&w);
	mx_recv(&w, 20, 7, RT_RX_RECVMSG, 3000);
	mx_recv(&w, 20, -11, RT_RX_RECVMSG, 0);
	mx_interval(&w);
	t = mx_text(&w, MX_PROMETHEUS);
	CHECK_CONTAINS(t, "\nrecvtop_receive_calls_total{comm=\"srv\","
		       "container=\"\"} 4\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"\"} 157\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_errors_total{comm=\"srv\","
		       "container=\"\"} 1\n");
	CHECK_CONTAINS(t, "# TYPE recvtop_receive_bytes_total counter\n");
	CHECK_CONTAINS(t, "recvtop_build_info{version=\"0.1.0\",backend=\"sock\","
		       "kernel=\"6.18\"} 1\n");
	/* two latencies: 1500 ns below 2^11, 3000 below 2^12 */
	CHECK_CONTAINS(t, "recvtop_receive_latency_seconds_bucket{comm=\"srv\","
		       "container=\"\","
		       "le=\"0.000001024\"} 0\n");
	CHECK_CONTAINS(t, "recvtop_receive_latency_seconds_bucket{comm=\"srv\","
		       "container=\"\","
		       "le=\"0.000002048\"} 1\n");
	CHECK_CONTAINS(t, "recvtop_receive_latency_seconds_bucket{comm=\"srv\","
		       "container=\"\","
		       "le=\"0.000004096\"} 2\n");
	CHECK_CONTAINS(t, "le=\"+Inf\"} 2\n");
	CHECK_CONTAINS(t, "recvtop_receive_latency_seconds_sum{comm=\"srv\","
		       "container=\"\"} "
		       "0.000004500\n");
	CHECK_CONTAINS(t, "recvtop_receive_latency_seconds_count{comm=\"srv\","
		       "container=\"\"} 2\n");
	CHECK(!strstr(t, "# EOF"));
	free(t);
	mx_teardown(&w);
}

TEST(metrics_openmetrics_names_families_without_total)
{
	struct mx_world w;
	char *t;

	mx_setup(&w, 0, 100);
	taskinfo_put(w.tasks, 10, 10, 0, "srv");
	mx_recv(&w, 10, 100, RT_RX_RECVFROM, 0);
	mx_interval(&w);
	t = mx_text(&w, MX_OPENMETRICS);
	CHECK_CONTAINS(t, "# TYPE recvtop_receive_bytes counter\n"
		       "# UNIT recvtop_receive_bytes bytes\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"\"} 100\n");
	CHECK_CONTAINS(t, "# TYPE recvtop_build info\n");
	CHECK_CONTAINS(t, "# TYPE recvtop_receive_latency_seconds histogram\n"
		       "# UNIT recvtop_receive_latency_seconds seconds\n");
	CHECK(strlen(t) > 6 && !strcmp(t + strlen(t) - 6, "# EOF\n"));
	free(t);
	mx_teardown(&w);
}

TEST(metrics_pid_and_via_labels)
{
	struct mx_world w;
	char *t;

	mx_setup(&w, RT_LABEL_PID | RT_LABEL_VIA, 100);
	taskinfo_put(w.tasks, 10, 10, 0, "srv");
	taskinfo_put(w.tasks, 20, 20, 0, "srv");
	mx_recv(&w, 10, 100, RT_RX_RECVFROM, 0);
	mx_recv(&w, 10, 30, RT_RX_READ, 0);
	mx_recv(&w, 20, 5, RT_RX_READ, 0);
	mx_interval(&w);
	t = mx_text(&w, MX_PROMETHEUS);
	CHECK_CONTAINS(t, "recvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"\",pid=\"10\","
		       "via=\"recvfrom\"} 100\n");
	CHECK_CONTAINS(t, "recvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"\",pid=\"10\","
		       "via=\"read\"} 30\n");
	CHECK_CONTAINS(t, "recvtop_receive_calls_total{comm=\"srv\","
		       "container=\"\",pid=\"20\","
		       "via=\"read\"} 1\n");
	/* errors are per process, not per way */
	CHECK_CONTAINS(t, "recvtop_receive_errors_total{comm=\"srv\","
		       "container=\"\",pid=\"10\"} 0\n");
	free(t);
	mx_teardown(&w);
}

TEST(metrics_cap_sends_the_rest_to_other)
{
	struct mx_world w;
	char *t;

	mx_setup(&w, RT_LABEL_PID, 3);
	for (int pid = 100; pid < 110; pid++) {
		taskinfo_put(w.tasks, pid, pid, 0, "worker");
		mx_recv(&w, pid, 10, RT_RX_RECVFROM, 0);
	}
	mx_interval(&w);
	t = mx_text(&w, MX_PROMETHEUS);
	CHECK_CONTAINS(t, "recvtop_receive_bytes_total{comm=\"(other)\","
		       "container=\"(other)\","
		       "pid=\"(other)\"} 70\n");
	CHECK_EQ(table_count(&w.m.procs), 4);
	free(t);
	mx_teardown(&w);
}

TEST(metrics_gone_series_dropped_after_grace)
{
	struct mx_world w;
	char *t;

	mx_setup(&w, RT_LABEL_PID, 100);
	taskinfo_put(w.tasks, 10, 10, 0, "gone");
	taskinfo_put(w.tasks, 20, 20, 0, "busy");
	mx_recv(&w, 10, 10, RT_RX_RECVFROM, 0);
	mx_interval(&w);
	for (int i = 0; i < 12; i++) {
		mx_recv(&w, 20, 1, RT_RX_RECVFROM, 0);
		mx_interval(&w);
	}
	t = mx_text(&w, MX_PROMETHEUS);
	CHECK(!strstr(t, "comm=\"gone\""));
	CHECK_CONTAINS(t, "recvtop_receive_bytes_total{comm=\"busy\","
		       "container=\"\",pid=\"20\"} 12\n");
	CHECK_CONTAINS(t, "recvtop_exporter_series_dropped_total 1\n");
	free(t);
	mx_teardown(&w);
}

#define MX_ID64 "0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

TEST(metrics_container_labels)
{
	struct mx_world w;
	struct rt_mem_access a = { .tid = 30, .target_tid = 10 };
	u32 ctr, svc;
	char *t;

	mx_setup(&w, 0, 100);
	ctr = taskinfo_cgroup_intern(w.tasks, "/kubepods/pod1/cri-containerd-"
				     MX_ID64 ".scope");
	svc = taskinfo_cgroup_intern(w.tasks, "/system.slice/nginx.service");
	/* one name in a container, a service and on the host */
	taskinfo_put(w.tasks, 10, 10, 0, "srv");
	taskinfo_put(w.tasks, 20, 20, 0, "srv");
	taskinfo_put(w.tasks, 30, 30, 0, "srv");
	taskinfo_put(w.tasks, 40, 40, 0, "srv");
	CHECK_EQ(taskinfo_set_attr(w.tasks, 10, ctr, 0), 0);
	CHECK_EQ(taskinfo_set_attr(w.tasks, 20, ctr, 0), 0);
	CHECK_EQ(taskinfo_set_attr(w.tasks, 30, svc, 0), 0);
	mx_recv(&w, 10, 100, RT_RX_RECVFROM, 0);
	mx_recv(&w, 20, 20, RT_RX_RECVFROM, 0);
	mx_recv(&w, 30, 3, RT_RX_RECVFROM, 0);
	mx_recv(&w, 40, 4, RT_RX_RECVFROM, 0);
	stats_add_mem(&w.stats, &a);
	mx_interval(&w);
	t = mx_text(&w, MX_PROMETHEUS);
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"0123456789ab\"} 120\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"nginx.service\"} 3\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"srv\","
		       "container=\"\"} 4\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_calls_total{comm=\"srv\","
		       "container=\"0123456789ab\"} 2\n");
	CHECK_EQ(table_count(&w.m.procs), 3);
	CHECK_CONTAINS(t, "\nrecvtop_memory_reads_total{reader_comm=\"srv\","
		       "reader_container=\"nginx.service\",target_comm=\"srv\","
		       "target_container=\"0123456789ab\",via=\"process_vm_readv\"}"
		       " 1\n");
	free(t);
	mx_teardown(&w);
}

TEST(metrics_container_other_series)
{
	struct mx_world w;
	u32 ctr;
	char *t;

	/* beyond the cap, the (other) series is (other) in every label */
	mx_setup(&w, 0, 1);
	ctr = taskinfo_cgroup_intern(w.tasks, "/docker/" MX_ID64);
	taskinfo_put(w.tasks, 10, 10, 0, "a");
	taskinfo_put(w.tasks, 20, 20, 0, "b");
	taskinfo_put(w.tasks, 30, 30, 0, "c");
	CHECK_EQ(taskinfo_set_attr(w.tasks, 20, ctr, 0), 0);
	mx_recv(&w, 10, 1, RT_RX_RECVFROM, 0);
	mx_recv(&w, 20, 10, RT_RX_RECVFROM, 0);
	mx_recv(&w, 30, 100, RT_RX_RECVFROM, 0);
	mx_interval(&w);
	t = mx_text(&w, MX_PROMETHEUS);
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"a\","
		       "container=\"\"} 1\n");
	CHECK_CONTAINS(t, "\nrecvtop_receive_bytes_total{comm=\"(other)\","
		       "container=\"(other)\"} 110\n");
	free(t);
	mx_teardown(&w);
}

TEST(metrics_label_values_escaped_and_utf8)
{
	struct mx_buf b = { 0 };

	mx_buf_label(&b, "a\"b\\c\nd");
	CHECK_STR(b.p, "a\\\"b\\\\c\\nd");
	mx_buf_free(&b);
	mx_buf_label(&b, "x\xff\xc3\xa9y\xe2\x82");
	CHECK_STR(b.p, "x\xef\xbf\xbd\xc3\xa9y\xef\xbf\xbd\xef\xbf\xbd");
	mx_buf_free(&b);
}

TEST(httpd_negotiates_by_q)
{
	CHECK_EQ(httpd_negotiate(NULL), MX_PROMETHEUS);
	CHECK_EQ(httpd_negotiate("*/*"), MX_PROMETHEUS);
	CHECK_EQ(httpd_negotiate("application/openmetrics-text;version=1.0.0,"
				 "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
		 MX_OPENMETRICS);
	CHECK_EQ(httpd_negotiate("application/openmetrics-text"), MX_OPENMETRICS);
	CHECK_EQ(httpd_negotiate("application/openmetrics-text;q=0.2, "
				 "text/plain;q=0.9"), MX_PROMETHEUS);
	CHECK_EQ(httpd_negotiate("application/openmetrics-text;version=0.0.1"),
		 MX_PROMETHEUS);
	CHECK_EQ(httpd_negotiate("application/openmetrics-text;q=0"),
		 MX_PROMETHEUS);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(webcfg_users_and_errors)
{
	char dir[] = "/tmp/rt-webcfg-XXXXXX";
	char path[64], err[512];
	struct webcfg w;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	/* "pw" with bcrypt cost 4 */
	write_text(path, "basic_auth_users:\n  bob: "
		   "$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW\n");
	CHECK_EQ(webcfg_load(&w, path, err, sizeof(err)), 0);
	CHECK_EQ(w.nr_users, 1);
	CHECK(webcfg_check(&w, "bob", "pw"));
	CHECK(webcfg_check(&w, "bob", "pw"));	/* remembered */
	CHECK(!webcfg_check(&w, "bob", "wrong"));
	CHECK(!webcfg_check(&w, "eve", "pw"));
	CHECK(!webcfg_check(&w, NULL, NULL));
	webcfg_free(&w);
	write_text(path, "color: blue\n");
	CHECK_EQ(webcfg_load(&w, path, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "'color' is not supported");
	write_text(path, "tls_server_config:\n  cert_file: nope.pem\n"
		   "  key_file: nope.pem\n");
	CHECK_EQ(webcfg_load(&w, path, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "cert_file");
	CHECK_CONTAINS(err, "nope.pem");
	unlink(path);
	rmdir(dir);
}
