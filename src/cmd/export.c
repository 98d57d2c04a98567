// SPDX-License-Identifier: GPL-2.0
/*
 * `recvtop export`: a live run whose view is the metrics stage, served
 * over HTTP.  Every completed interval is added into the series; the
 * stats tables are emptied when they fill up, so a long-running daemon
 * under pid churn keeps flat memory while its counters keep counting.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "recvtop/export.h"
#include "recvtop/httpd.h"
#include "recvtop/metrics.h"
#include "recvtop/run.h"
#include "recvtop/top.h"
#include "recvtop/version.h"
#include "recvtop/webcfg.h"

struct exporter {
	struct metrics m;
	bool metrics_ok;
	struct webcfg web;
	bool web_ok;
	struct httpd *http;
	u32 resets;		/* stats tables emptied (churn) */
};

/*
 * The series hold every count, so the stats rows are needed only for the
 * interval under way: a table with more rows than this (pid churn), and
 * the task table with more tasks than that, are emptied after the
 * interval was added, so memory stays flat however many pids come and go.
 */
#define STATS_ROWS_KEPT 2048
#define TASKS_KEPT 16384

static bool table_filling(const struct rt_table *t)
{
	return t->nr_rows > (t->cap / 2 < STATS_ROWS_KEPT ? t->cap / 2 :
			     STATS_ROWS_KEPT);
}

static void export_interval(void *ctx, struct run *r,
			    const struct rt_interval *iv)
{
	struct exporter *e = ctx;
	struct stats *s = &r->stats;
	bool tasks = taskinfo_count(r->tasks) > TASKS_KEPT;

	if (r->info.have_kernel_lost)
		metrics_note_kernel_lost(&e->m, r->info.kernel_lost);
	metrics_add_interval(&e->m, s, iv->end_ts);
	if (tasks || table_filling(&s->procs) || table_filling(&s->socks) ||
	    table_filling(&s->peers) || table_filling(&s->peer_procs) ||
	    table_filling(&s->readers)) {
		stats_reset(s, iv->end_ts);
		e->resets++;
	}
	if (tasks)
		taskinfo_forget(r->tasks);
}

/* every wake-up of the run's loop: serve what is ready */
static int export_wake(void *ctx, struct run *r, bool fd_ready)
{
	struct exporter *e = ctx;

	(void)r;
	(void)fd_ready;
	if (e->http)
		httpd_run(e->http);
	return 0;
}

static void export_free(struct exporter *e)
{
	httpd_stop(e->http);
	if (e->metrics_ok)
		metrics_free(&e->m);
	if (e->web_ok)
		webcfg_free(&e->web);
	free(e);
}

static void listen_text(const struct rt_options *o, char *buf, size_t len)
{
	const struct sockaddr_storage *ss = &o->listen_addr;
	char host[INET6_ADDRSTRLEN] = "";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a->sin_port));
	}
}

int export_run(const struct rt_options *o)
{
	struct exporter *e = calloc(1, sizeof(*e));
	struct metrics_opts mo = { 0 };
	struct httpd_opts ho = { 0 };
	static struct utsname u;
	char where[80], err[4400];
	struct run *r;
	int status;

	if (!e) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	/* bad input first: nothing is traced for a config that fails */
	if (o->web_config) {
		if (webcfg_load(&e->web, o->web_config, err, sizeof(err))) {
			rt_err("%s", err);
			export_free(e);
			return RT_EXIT_USAGE;
		}
		e->web_ok = true;
	}
	status = top_check_host();
	if (status) {
		export_free(e);
		return status;
	}
	r = run_new(o);
	if (!r) {
		rt_err("out of memory");
		export_free(e);
		return RT_EXIT_RUNTIME;
	}
	listen_text(o, where, sizeof(where));
	r->view.on_interval = export_interval;
	r->view.ctx = e;
	status = run_setup(r, false);
	if (!status) {
		uname(&u);
		mo.labels = o->labels;
		mo.max_series = o->max_series;
		mo.grace_ns = (u64)(o->grace_s ? o->grace_s :
				    RT_EXPORT_GRACE_S) * NSEC_PER_SEC;
		mo.sends = o->direction & RT_DIR_TX;
		mo.version = RT_VERSION;
		mo.backend = r->info.backend;
		mo.kernel = u.release;
		if (metrics_init(&e->m, &mo)) {
			rt_err("out of memory");
			status = RT_EXIT_RUNTIME;
		} else {
			e->metrics_ok = true;
		}
	}
	if (!status) {
		ho.addr = (const struct sockaddr *)&o->listen_addr;
		ho.addr_len = o->listen_len;
		ho.listen = o->listen ? o->listen : where;
		ho.web = e->web_ok ? &e->web : NULL;
		ho.m = &e->m;
		e->http = httpd_start(&ho, err, sizeof(err));
		if (!e->http) {
			rt_err("%s", err);
			status = RT_EXIT_RUNTIME;
		} else {
			r->view.on_wake = export_wake;
			r->view.wake_fd = httpd_fd(e->http);
			/* idle connections time out between events too */
			r->view.max_wait_ms = 100;
		}
	}
	if (!status)
		status = run_start(r);
	if (!status) {
		fprintf(stderr, "recvtop: serving http%s://%s/metrics "
			"(backend %s)\n", e->web.cert_pem ? "s" : "", where,
			r->info.backend);
		status = run_loop(r);
	}
	/* the server goes first: no scrape reads what run_finish frees */
	httpd_stop(e->http);
	e->http = NULL;
	status = run_finish(r, status);
	export_free(e);
	return status;
}
