// SPDX-License-Identifier: GPL-2.0
/* The live run: session, live source, pipeline, views; always cleaned up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "recvtop/batch.h"
#include "recvtop/live.h"
#include "recvtop/pipeline.h"
#include "recvtop/probes.h"
#include "recvtop/session.h"
#include "recvtop/signals.h"
#include "recvtop/taskinfo.h"
#include "recvtop/top.h"

/* events younger than this may still be being written on another CPU */
#define ORDER_MARGIN_NS (2 * NSEC_PER_MSEC)
#define MAX_WAIT_MS 200

int top_check_host(void)
{
	char err[512];

	if (geteuid() != 0) {
		rt_err("must be run as root: tracefs instances and probes "
		       "need CAP_SYS_ADMIN");
		return RT_EXIT_RUNTIME;
	}
	if (session_find_tracefs(err, sizeof(err))) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	return 0;
}

int top_reset(const struct rt_options *o)
{
	int ret = top_check_host();
	int n;

	(void)o;
	if (ret)
		return ret;
	n = session_reset_stale(stdout);
	if (n < 0)
		return RT_EXIT_RUNTIME;
	if (!n)
		printf("nothing to remove: no instance or probe group of a "
		       "dead recvtop run\n");
	return 0;
}

int top_probes(const struct rt_options *o)
{
	struct rt_catalog *cat = malloc(sizeof(*cat));
	char err[512];
	int ret = top_check_host();

	if (ret || !cat) {
		free(cat);
		return ret ? ret : RT_EXIT_RUNTIME;
	}
	if (probe_catalog_build(cat, o->backend, getpid(), err, sizeof(err))) {
		/* still show what is there, then the reason */
		probe_catalog_print(cat, stdout);
		fflush(stdout);
		rt_err("%s", err);
		free(cat);
		return RT_EXIT_RUNTIME;
	}
	probe_catalog_print(cat, stdout);
	free(cat);
	return 0;
}

/* every thread of the -p processes, for set_event_pid */
static int collect_tids(const struct rt_options *o, int **tids_out,
			unsigned int *nr_out)
{
	unsigned int nr = 0, cap = 64;
	int *tids = malloc(cap * sizeof(*tids));

	if (!tids)
		return -1;
	for (unsigned int i = 0; i < o->nr_pids; i++) {
		char path[64];
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "/proc/%d/task", o->pids[i]);
		d = opendir(path);
		if (!d) {
			rt_err("-p %d: no such process", o->pids[i]);
			free(tids);
			return -2;
		}
		while ((de = readdir(d))) {
			int tid = atoi(de->d_name);

			if (tid <= 0)
				continue;
			if (nr == cap) {
				int *nt = realloc(tids, cap * 2 * sizeof(*nt));

				if (!nt) {
					closedir(d);
					free(tids);
					return -1;
				}
				tids = nt;
				cap *= 2;
			}
			tids[nr++] = tid;
		}
		closedir(d);
	}
	*tids_out = tids;
	*nr_out = nr;
	return 0;
}

struct child {
	pid_t pid;
	int go_fd;		/* write end: closing it starts the command */
	int status;
	bool reaped;
};

static int child_spawn(struct child *c, char **argv)
{
	int go[2], failed[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(failed, O_CLOEXEC)) {
		rt_err("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		rt_err("cannot fork: %s", strerror(errno));
		return -1;
	}
	if (c->pid == 0) {
		char b;
		int e;

		close(go[1]);
		close(failed[0]);
		signal(SIGPIPE, SIG_DFL);
		/* wait until tracing is on (or the parent is gone) */
		if (read(go[0], &b, 1) != 0)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(failed[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(failed[1]);
	c->go_fd = go[1];
	/* keep the failure pipe to report exec errors */
	c->status = failed[0];
	return 0;
}

/* start the command; returns -1 if it could not be executed */
static int child_go(struct child *c, const char *name)
{
	int e = 0, fd = c->status;
	ssize_t n;

	close(c->go_fd);
	c->go_fd = -1;
	n = read(fd, &e, sizeof(e));
	close(fd);
	c->status = 0;
	if (n == (ssize_t)sizeof(e)) {
		rt_err("cannot run '%s': %s", name, strerror(e));
		return -1;
	}
	return 0;
}

static void child_reap(struct child *c, bool block)
{
	int st;
	pid_t r;

	if (c->pid <= 0 || c->reaped)
		return;
	do {
		r = waitpid(c->pid, &st, block ? 0 : WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == c->pid) {
		c->reaped = true;
		c->status = st;
	}
}

static int child_exit_code(const struct child *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return RT_EXIT_RUNTIME;
}

static void child_abandon(struct child *c)
{
	if (c->pid <= 0 || c->reaped)
		return;
	if (c->go_fd >= 0) {
		/* never started: make sure it does not run */
		kill(c->pid, SIGKILL);
		close(c->go_fd);
		c->go_fd = -1;
		close(c->status);
	}
	child_reap(c, true);
}

struct run {
	const struct rt_options *o;
	struct rt_catalog cat;
	struct rt_session session;
	struct live_source live;
	struct tep_handle *tep;
	struct decoder *dec;
	struct cpu_merge *merge;
	struct taskinfo *tasks;
	struct stats stats;
	bool stats_ok;
	struct correlator *corr;
	struct pipeline pipe;
	struct rt_run_info info;
	struct batch_out out;
	struct child child;
};

static void on_interval(void *ctx, struct pipeline *p,
			const struct rt_interval *iv)
{
	struct run *r = ctx;

	batch_print_interval(&r->out, p, iv);
}

static void run_free(struct run *r)
{
	live_source_close(&r->live);
	session_close(&r->session);
	correlator_free(r->corr);
	if (r->stats_ok)
		stats_free(&r->stats);
	taskinfo_free(r->tasks);
	merge_free(r->merge);
	decoder_free(r->dec);
	if (r->tep)
		tep_free(r->tep);
	batch_free(&r->out);
}

static int run_setup(struct run *r, char *err, size_t errlen)
{
	const struct rt_options *o = r->o;
	struct rt_session_opts so = {
		.buffer_kb = o->buffer_kb,
		.comm = o->comm,
	};
	int *tids = NULL;
	unsigned int nr_tids = 0;
	int ret;

	if (probe_catalog_build(&r->cat, o->backend, getpid(), err, errlen))
		return -1;
	if (o->nr_pids) {
		ret = collect_tids(o, &tids, &nr_tids);
		if (ret == -2)
			return -2;
		if (ret) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		so.tids = tids;
		so.nr_tids = nr_tids;
		so.follow_fork = true;
	} else if (o->command) {
		if (child_spawn(&r->child, o->command)) {
			snprintf(err, errlen, "cannot start '%s'",
				 o->command[0]);
			return -1;
		}
		so.tids = &r->child.pid;
		so.nr_tids = 1;
		so.follow_fork = true;
	}
	ret = session_open(&r->session, &r->cat, &so, err, errlen);
	free(tids);
	if (ret)
		return -1;
	if (live_source_open(&r->live, &r->session, err, errlen))
		return -1;
	r->tep = session_tep(&r->session);
	if (!r->tep) {
		snprintf(err, errlen, "cannot read the event formats of %s",
			 r->session.name);
		return -1;
	}
	r->dec = decoder_new(r->tep);
	r->merge = merge_new(r->tep, r->live.max_cpu, r->live.page_size);
	r->tasks = taskinfo_new(RT_TASKS_PROC);
	if (!r->dec || !r->merge || !r->tasks) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!decoder_has_recv(r->dec)) {
		snprintf(err, errlen, "the kernel's event formats for the "
			 "recvfrom probes could not be parsed");
		return -1;
	}
	taskinfo_set_tracing_dir(r->tasks, r->session.tracing_dir);
	if (stats_init(&r->stats, r->tasks, NULL)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->stats_ok = true;
	if (o->nr_pids && stats_set_pid_filter(&r->stats, o->pids, o->nr_pids)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->corr = correlator_new(&r->stats, r->cat.mm_access);
	if (!r->corr) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pipeline_init(&r->pipe, r->dec, r->corr, &r->stats, o->delay_ns,
		      o->iterations, on_interval, r);
	r->info.backend = rt_backend_name(r->cat.backend);
	r->info.peers_visible = r->cat.backend == RT_BACKEND_KPROBE;
	r->info.source = "live";
	r->out.f = stdout;
	r->out.json = o->json;
	r->out.info = &r->info;
	return 0;
}

/* read and process everything up to watermark */
static int run_pump(struct run *r, u64 watermark)
{
	if (live_source_drain(&r->live, r->merge, 0) < 0) {
		rt_err("reading the trace buffers of %s failed: %s",
		       r->session.name, strerror(errno));
		return -1;
	}
	pipeline_feed_merge(&r->pipe, r->merge, watermark);
	pipeline_advance(&r->pipe, watermark);
	return 0;
}

static int wait_ms(struct run *r)
{
	u64 now = rt_now_mono_ns();
	u64 nb = pipeline_next_boundary(&r->pipe);
	u64 due;

	if (nb == UINT64_MAX)
		return 10;
	due = nb + ORDER_MARGIN_NS;
	if (due <= now)
		return 0;
	if (due - now > (u64)MAX_WAIT_MS * NSEC_PER_MSEC)
		return MAX_WAIT_MS;
	return (int)((due - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

static int run_loop(struct run *r)
{
	while (!rt_stop_requested && !r->pipe.done) {
		if (r->child.pid > 0) {
			child_reap(&r->child, false);
			if (r->child.reaped)
				break;
		}
		live_source_wait(&r->live, wait_ms(r));
		if (run_pump(r, rt_now_mono_ns() - ORDER_MARGIN_NS))
			return -1;
	}
	return 0;
}

/* stop tracing, drain every buffer, close the last interval */
static int run_drain(struct run *r)
{
	int n;

	session_stop(&r->session);
	do {
		n = live_source_drain(&r->live, r->merge, 0);
		if (n < 0) {
			rt_err("reading the trace buffers of %s failed: %s",
			       r->session.name, strerror(errno));
			return -1;
		}
		pipeline_feed_merge(&r->pipe, r->merge, UINT64_MAX);
	} while (n > 0);
	pipeline_finish(&r->pipe);
	if (session_kernel_lost(&r->session, &r->info.kernel_lost) == 0)
		r->info.have_kernel_lost = true;
	if (r->cat.backend == RT_BACKEND_KPROBE &&
	    session_probe_misses(&r->session, &r->info.probe_missed) == 0)
		r->info.have_probe_missed = true;
	return 0;
}

int top_run(const struct rt_options *o)
{
	struct run *r = calloc(1, sizeof(*r));
	char err[1024] = "";
	int ret, status = RT_EXIT_RUNTIME;

	if (!r) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	r->o = o;
	r->child.go_fd = -1;
	ret = top_check_host();
	if (ret) {
		free(r);
		return ret;
	}
	signals_install();
	session_reset_stale(NULL);

	ret = run_setup(r, err, sizeof(err));
	if (ret) {
		if (ret == -1)
			rt_err("%s", err);
		status = ret == -2 ? RT_EXIT_USAGE : RT_EXIT_RUNTIME;
		goto out;
	}
	signals_set_child(r->child.pid);
	if (session_start(&r->session)) {
		rt_err("cannot start tracing in %s: %s", r->session.name,
		       strerror(errno));
		goto out;
	}
	if (r->child.pid > 0 && child_go(&r->child, o->command[0])) {
		status = 127;
		goto out;
	}
	if (run_loop(r) || run_drain(r))
		goto out;
	batch_print_summary(&r->out, &r->pipe);
	status = RT_EXIT_OK;
	if (r->out.write_error && !rt_output_broken) {
		rt_err("writing the output failed: %s", strerror(errno));
		status = RT_EXIT_RUNTIME;
	}
out:
	run_free(r);
	if (r->child.pid > 0) {
		if (status == RT_EXIT_OK) {
			child_reap(&r->child, true);
			status = child_exit_code(&r->child);
		} else {
			child_abandon(&r->child);
		}
	}
	free(r);
	if (rt_output_broken)
		signals_die_of_sigpipe();
	return status;
}
