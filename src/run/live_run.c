// SPDX-License-Identifier: GPL-2.0
/* A live run: session, live source, pipeline, view; always cleaned up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "recvtop/netscan.h"
#include "recvtop/run.h"
#include "recvtop/signals.h"

/* events younger than this may still be being written on another CPU */
#define ORDER_MARGIN_NS (2 * NSEC_PER_MSEC)
#define DEFAULT_WAIT_MS 200

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

/* ---- the command ---- */

static int child_spawn(struct run_child *c, char **argv)
{
	int go[2], failed[2];

	/*
	 * A pipe, not a socket: the command's own receives are traced and
	 * this read must not be one.  recvtop keeps the read end open until
	 * the go byte is written, so writing it cannot raise SIGPIPE.
	 */
	if (pipe2(go, O_CLOEXEC))
		return -1;
	if (pipe2(failed, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		close(go[0]);
		close(go[1]);
		close(failed[0]);
		close(failed[1]);
		return -1;
	}
	if (c->pid == 0) {
		ssize_t n;
		char b;
		int e;

		close(go[1]);
		close(failed[0]);
		signals_reset_all();
		/*
		 * wait until tracing is on: one byte.  End of file without
		 * it means recvtop gave up or died (kill -9): the command
		 * must not run untraced then.
		 */
		do {
			n = read(go[0], &b, 1);
		} while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(failed[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(failed[1]);
	c->go_rfd = go[0];
	c->go_fd = go[1];
	c->err_fd = failed[0];
	return 0;
}

/* let the command run; -1 if it could not be executed */
static int child_go(struct run_child *c, const char *name)
{
	int e = 0;
	ssize_t n;

	do {
		n = write(c->go_fd, "g", 1);
	} while (n < 0 && errno == EINTR);
	close(c->go_fd);
	close(c->go_rfd);
	c->go_fd = c->go_rfd = -1;
	do {
		n = read(c->err_fd, &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		rt_err("cannot run '%s': %s", name, strerror(e));
		return -1;
	}
	return 0;
}

static void child_reap(struct run_child *c, bool block)
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

int run_child_exit_code(const struct run_child *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return RT_EXIT_RUNTIME;
}

static void child_abandon(struct run_child *c)
{
	if (c->pid <= 0 || c->reaped)
		return;
	if (c->go_fd >= 0) {
		/* never started: make sure it does not run */
		kill(c->pid, SIGKILL);
		close(c->go_fd);
		c->go_fd = -1;
	}
	if (c->go_rfd >= 0) {
		close(c->go_rfd);
		c->go_rfd = -1;
	}
	if (c->err_fd >= 0) {
		close(c->err_fd);
		c->err_fd = -1;
	}
	child_reap(c, true);
}

/* ---- the run ---- */

static void on_interval(void *ctx, struct pipeline *p,
			const struct rt_interval *iv)
{
	struct run *r = ctx;

	(void)p;
	/*
	 * A page that overflowed reports its losses only when the writer
	 * commits the next page on that CPU, so the pages' count can stay
	 * short for as long as a CPU is idle; the views show the kernel's
	 * own per-CPU count, read once an interval.
	 */
	if (session_kernel_lost(&r->session, &r->info.kernel_lost) == 0)
		r->info.have_kernel_lost = true;
	if (r->view.on_interval)
		r->view.on_interval(r->view.ctx, r, iv);
}

struct run *run_new(const struct rt_options *o)
{
	struct run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->o = o;
	r->child.go_fd = r->child.go_rfd = -1;
	r->child.err_fd = -1;
	r->view.wake_fd = -1;
	return r;
}

/*
 * The tracepoint backend asks what a process's descriptor is: a socket's
 * sockfs name says its family and protocol; anything else is a file,
 * pipe, tty...  The answer goes into the trace as an fd marker (see
 * fdclass.h), so that a recording holds it where the live run used it.
 */
static void ask_fd(void *ctx, int tid, int tgid, int fd)
{
	struct run *r = ctx;
	char path[64], name[64], text[96];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, fd);
	n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n < 0 && errno == ENOENT && tgid != tid) {
		/* the thread is gone: its process may not be */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", tgid, fd);
		n = getxattr(path, "system.sockprotoname", name,
			     sizeof(name) - 1);
	}
	if (n > 0) {
		u16 family, protocol;

		name[n] = 0;
		rt_sockproto_parse(name, &family, &protocol);
		snprintf(text, sizeof(text), "fd %d %d sock %u %u", tgid, fd,
			 family, protocol);
	} else if (errno == ENOENT) {
		snprintf(text, sizeof(text), "fd %d %d gone", tgid, fd);
	} else {
		snprintf(text, sizeof(text), "fd %d %d file", tgid, fd);
	}
	r->asks++;
	session_mark(&r->session, text);
}

static int setup_pipeline(struct run *r)
{
	const struct rt_options *o = r->o;

	r->tep = session_tep(&r->session);
	if (!r->tep) {
		rt_err("cannot read the event formats of %s", r->session.name);
		return -1;
	}
	r->dec = decoder_new(r->tep);
	r->merge = merge_new(r->tep, r->live.max_cpu, r->live.page_size);
	if (r->merge)
		live_source_attach(&r->live, r->merge);
	r->tasks = taskinfo_new(RT_TASKS_PROC);
	if (!r->dec || !r->merge || !r->tasks)
		goto oom;
	if (!decoder_has_recv(r->dec)) {
		rt_err("the kernel's event formats for the recvfrom probes "
		       "could not be parsed");
		return -1;
	}
	taskinfo_set_tracing_dir(r->tasks, r->session.tracing_dir);
	if (stats_init(&r->stats, r->tasks, NULL))
		goto oom;
	r->stats_ok = true;
	if (o->nr_pids && stats_set_pid_filter(&r->stats, o->pids, o->nr_pids))
		goto oom;
	/* no backend filters by cgroup in the kernel: the stats do */
	if (stats_set_container_filter(&r->stats, o->cgroup, o->container))
		goto oom;
	r->corr = correlator_new(&r->stats, r->cat.mm_access);
	if (!r->corr)
		goto oom;
	correlator_set_sock(r->corr, r->cat.backend == RT_BACKEND_SOCK ||
			    r->cat.backend == RT_BACKEND_KPROBE);
	correlator_set_uprobes(r->corr, r->cat.uprobes);
	if (r->cat.backend == RT_BACKEND_TRACEPOINT)
		correlator_set_ask(r->corr, ask_fd, r);
	pipeline_init(&r->pipe, r->dec, r->corr, &r->stats, o->delay_ns,
		      o->iterations, on_interval, r);
	r->info.backend = rt_backend_name(r->cat.backend);
	r->info.peers_visible = probe_catalog_has_senders(&r->cat);
	r->info.senders_user = r->cat.uprobes;
	r->info.conns_visible = probe_catalog_has_conns(&r->cat);
	r->info.source = "live";
	return 0;
oom:
	rt_err("out of memory");
	return -1;
}

/* the libc uprobes of the traced processes: -p's, or, for -- COMMAND,
 * which is not started yet, recvtop's own libc (the child's is the same
 * file); every process's without either */
static void add_uprobes(struct run *r)
{
	const struct rt_options *o = r->o;
	int self = getpid();

	probe_catalog_add_uprobes(&r->cat, o->command ? &self : o->pids,
				  o->command ? 1 : o->nr_pids, !o->uprobes);
}

int run_setup_source(struct run *r, bool sched)
{
	const struct rt_options *o = r->o;
	struct rt_session_opts *so = &r->session_opts;
	char err[1024] = "";
	int *tids = NULL;
	unsigned int nr_tids = 0;
	int ret;

	signals_install();
	session_reset_stale(NULL);
	if (probe_catalog_build(&r->cat, o->backend, getpid(), err,
				sizeof(err))) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	probe_catalog_set_direction(&r->cat, o->direction);
	add_uprobes(r);
	so->buffer_kb = o->buffer_kb;
	so->comm = o->comm;
	so->delay_ns = o->delay_ns;
	so->sched = sched;
	if (o->nr_pids) {
		ret = collect_tids(o, &tids, &nr_tids);
		if (ret)
			return ret == -2 ? RT_EXIT_USAGE : RT_EXIT_RUNTIME;
		so->tids = tids;
		so->nr_tids = nr_tids;
		so->follow_fork = true;
	} else if (o->command) {
		if (child_spawn(&r->child, o->command)) {
			rt_err("cannot start '%s': %s", o->command[0],
			       strerror(errno));
			return RT_EXIT_RUNTIME;
		}
		so->tids = &r->child.pid;
		so->nr_tids = 1;
		so->follow_fork = true;
	}
	ret = session_open(&r->session, &r->cat, so, err, sizeof(err));
	free(tids);
	so->tids = NULL;
	so->nr_tids = 0;
	if (ret) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	if (live_source_open(&r->live, &r->session, err, sizeof(err))) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	signals_set_child(r->child.pid);
	return 0;
}

int run_setup_pipeline(struct run *r)
{
	return setup_pipeline(r) ? RT_EXIT_RUNTIME : 0;
}

int run_setup(struct run *r, bool sched)
{
	int ret = run_setup_source(r, sched);

	return ret ? ret : run_setup_pipeline(r);
}

bool run_child_done(struct run *r)
{
	if (r->child.pid <= 0)
		return false;
	child_reap(&r->child, false);
	return r->child.reaped;
}

/*
 * The connections older than the run, from every network namespace's
 * socket tables, read once tracing is on (a connection made meanwhile
 * is in both: its state events come after and win)
 */
static void scan_connections(struct run *r)
{
	struct conntab *own = NULL, *t;
	struct netscan_info ni;

	if (r->cat.backend == RT_BACKEND_TRACEPOINT)
		return;		/* it sees descriptors, not sockets */
	t = r->corr ? correlator_conns(r->corr) :
		      (own = conntab_new(RT_CONN_CAP));
	if (!t || netscan_read("/proc", t, &ni)) {
		conntab_free(own);
		return;
	}
	r->info.start_conns = ni.conns;
	r->info.start_unusable = ni.unusable;
	r->start_conns = conntab_serialize(t, RT_CONN_PROCNET,
					   &r->start_conns_len);
	conntab_free(own);
}

int run_start(struct run *r)
{
	if (session_start(&r->session)) {
		rt_err("cannot start tracing in %s: %s", r->session.name,
		       strerror(errno));
		return RT_EXIT_RUNTIME;
	}
	r->started_ns = rt_now_mono_ns();
	/* the connections first: one that closes before its table is read
	 * is not named, so the read comes as soon after tracing starts as
	 * it can */
	scan_connections(r);
	/* the threads there now; from here on, the events (taskinfo.h) */
	if (r->tasks)
		taskinfo_snapshot(r->tasks);
	if (r->child.pid > 0 && child_go(&r->child, r->o->command[0]))
		return 127;
	return 0;
}

/* read and process everything up to watermark */
static int pump(struct run *r, u64 watermark)
{
	if (live_source_prime(&r->live) < 0)
		goto fail;
	pipeline_feed_merge(&r->pipe, r->merge, watermark);
	if (live_source_check(&r->live) < 0)
		goto fail;
	pipeline_advance(&r->pipe, watermark);
	return 0;
fail:
	rt_err("reading the trace buffers of %s failed: %s",
	       r->session.name, strerror(errno));
	return -1;
}

static int wait_ms(struct run *r)
{
	u64 now = rt_now_mono_ns();
	u64 nb = pipeline_next_boundary(&r->pipe);
	int max = r->view.max_wait_ms ? r->view.max_wait_ms : DEFAULT_WAIT_MS;
	u64 due;

	if (nb == UINT64_MAX)
		return 10;
	due = nb + ORDER_MARGIN_NS;
	if (due <= now)
		return 0;
	if (due - now > (u64)max * NSEC_PER_MSEC)
		return max;
	return (int)((due - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

/*
 * Before the stop marker: the events so far processed, and the answers
 * to the descriptor questions they raised read back (a few rounds: an
 * answer raises no new question, the events beside it may)
 */
static int settle_asks(struct run *r)
{
	for (int round = 0; round < 8; round++) {
		u64 asks = r->asks;

		if (pump(r, rt_now_mono_ns()))
			return -1;
		if (r->asks == asks)
			break;
	}
	return 0;
}

/* stop tracing, drain every buffer, close the last interval */
static int drain(struct run *r)
{
	int n;

	if (r->cat.backend == RT_BACKEND_TRACEPOINT && settle_asks(r))
		return -1;
	session_stop(&r->session);
	do {
		n = live_source_prime(&r->live);
		if (n >= 0) {
			pipeline_feed_merge(&r->pipe, r->merge, UINT64_MAX);
			if (live_source_check(&r->live) < 0)
				n = -1;
		}
		if (n < 0) {
			rt_err("reading the trace buffers of %s failed: %s",
			       r->session.name, strerror(errno));
			return -1;
		}
	} while (n > 0);
	pipeline_finish(&r->pipe);
	if (session_kernel_lost(&r->session, &r->info.kernel_lost) == 0)
		r->info.have_kernel_lost = true;
	if (probe_catalog_has_kprobes(&r->cat) &&
	    session_probe_misses(&r->session, &r->info.probe_missed) == 0)
		r->info.have_probe_missed = true;
	return 0;
}

int run_loop(struct run *r)
{
	while (!rt_stop_requested && !r->pipe.done) {
		bool ready = false;

		if (r->child.pid > 0) {
			child_reap(&r->child, false);
			if (r->child.reaped)
				break;
		}
		live_source_wait(&r->live, wait_ms(r), r->view.wake_fd, &ready);
		if (pump(r, rt_now_mono_ns() - ORDER_MARGIN_NS))
			return RT_EXIT_RUNTIME;
		if (r->view.on_wake && r->view.on_wake(r->view.ctx, r, ready) < 0)
			break;
	}
	if (drain(r))
		return RT_EXIT_RUNTIME;
	if (r->view.on_summary)
		r->view.on_summary(r->view.ctx, r);
	return 0;
}

int run_finish(struct run *r, int status)
{
	live_source_close(&r->live);
	session_close(&r->session);
	correlator_free(r->corr);
	free(r->start_conns);
	if (r->stats_ok)
		stats_free(&r->stats);
	taskinfo_free(r->tasks);
	merge_free(r->merge);
	decoder_free(r->dec);
	if (r->tep)
		tep_free(r->tep);
	if (r->child.pid > 0) {
		if (status == RT_EXIT_OK) {
			child_reap(&r->child, true);
			status = run_child_exit_code(&r->child);
		} else {
			child_abandon(&r->child);
		}
	}
	free(r);
	if (rt_output_broken)
		signals_die_of_sigpipe();
	return status;
}
