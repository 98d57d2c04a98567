// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture_corr.h"
#include "unit.h"

/* the tracepoint backend's correlator; mm: memory readers from mm_access */
static void cw_init(struct fx_corr *w, bool mm)
{
	fx_corr_init(w, mm, false);
}

/* a recvfrom given a buffer for the sender's address */
static void enter(struct fx_corr *w, int tid, int fd)
{
	struct rt_event ev = { .kind = RT_EV_RECV_ENTER, .tid = tid };

	ev.recv_enter.fd = fd;
	ev.recv_enter.has_addr = true;
	fx_corr_feed(w, &ev);
}

static void leave(struct fx_corr *w, int tid, s64 ret)
{
	fx_corr_exit(w, tid, RT_RX_RECVFROM, ret);
}

static void addr4(struct fx_corr *w, int tid, int klen, u8 last_octet,
		  u16 port)
{
	fx_corr_addr4(w, tid, klen, last_octet, port);
}

static struct rt_proc_row *proc_total(struct fx_corr *w, int tgid)
{
	return fx_corr_total(w, tgid);
}

TEST(correlate_counts_calls_bytes_errors)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	cw_init(&w, false);
	taskinfo_put(w.tasks, 11, 10, 0, "srv");
	taskinfo_put(w.tasks, 12, 10, 0, "srv");
	enter(&w, 11, 4);
	enter(&w, 12, 5);	/* another thread of the same process */
	leave(&w, 12, 100);
	leave(&w, 11, -EAGAIN);
	enter(&w, 11, 4);
	leave(&w, 11, -EBADF);
	p = proc_total(&w, 10);
	CHECK(p != NULL);
	CHECK_EQ(p->total.calls, 3);
	CHECK_EQ(p->total.bytes, 100);
	CHECK_EQ(p->total.errors, 2);
	CHECK_EQ(p->total.eagain, 1);
	CHECK_EQ(p->total.lat_n, 3);
	CHECK_STR(p->comm, "srv");
	CHECK_EQ(correlator_in_flight(w.c), 0);
	{
		struct rt_sock_key k = { .tgid = 10, .fd = 4 };
		struct rt_sock_row *s = table_find(&w.stats.socks, &k);

		CHECK(s && s->total.calls == 2 && s->total.errors == 2);
	}
	fx_corr_free(&w);
}

TEST(correlate_missed_return_and_orphan_return)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	cw_init(&w, false);
	taskinfo_put(w.tasks, 20, 20, 0, "a");
	enter(&w, 20, 3);
	enter(&w, 20, 3);	/* the first return was lost */
	leave(&w, 20, 5);
	leave(&w, 20, 7);	/* return without entry (started before us) */
	p = proc_total(&w, 20);
	CHECK_EQ(p->total.calls, 2);
	CHECK_EQ(p->total.bytes, 12);
	CHECK_EQ(p->total.lat_n, 1);
	CHECK_EQ(w.stats.total.unpaired, 2);
	fx_corr_free(&w);
}

TEST(correlate_restart_codes_are_not_calls)
{
	struct fx_corr w;
	struct rt_proc_row *p;

	cw_init(&w, false);
	taskinfo_put(w.tasks, 30, 30, 0, "r");
	enter(&w, 30, 3);
	leave(&w, 30, -512);	/* -ERESTARTSYS: the call restarts */
	enter(&w, 30, 3);
	leave(&w, 30, 64);
	p = proc_total(&w, 30);
	CHECK_EQ(p->total.calls, 1);
	CHECK_EQ(w.stats.total.restarts, 1);
	CHECK_EQ(w.stats.total.unpaired, 0);
	CHECK(rt_is_restart_code(-516) && !rt_is_restart_code(-4) &&
	      !rt_is_restart_code(-517));
	fx_corr_free(&w);
}

TEST(correlate_sender_address_only_inside_recvfrom)
{
	struct fx_corr w;
	struct rt_peer_row *peer;
	struct rt_peer_key k;

	cw_init(&w, true);
	taskinfo_put(w.tasks, 40, 40, 0, "udp");
	/* accept/getsockname on a thread not in recvfrom: ignored */
	addr4(&w, 40, 16, 9, 9999);
	enter(&w, 40, 3);
	addr4(&w, 40, 16, 7, 5353);
	leave(&w, 40, 48);
	/* klen 0 (connected TCP) never passes the kernel filter; a klen
	 * too short for the family is refused here */
	enter(&w, 40, 3);
	addr4(&w, 40, 4, 8, 1);
	leave(&w, 40, 10);
	/* a failed call has no sender */
	enter(&w, 40, 3);
	addr4(&w, 40, 16, 7, 5353);
	leave(&w, 40, -EINTR);
	stats_end_interval(&w.stats, w.now);
	CHECK_EQ(w.stats.peers.nr_rows, 1);
	memset(&k, 0, sizeof(k));
	k.family = RT_FAM_INET;
	k.len = 4;
	k.port = 5353;
	k.addr[0] = 10;
	k.addr[3] = 7;
	k.proto = RT_PROTO_UDP;	/* an address the kernel copied out */
	peer = table_find(&w.stats.peers, &k);
	CHECK(peer != NULL);
	if (peer) {
		CHECK_EQ(peer->total.calls, 1);
		CHECK_EQ(peer->total.bytes, 48);
		CHECK_EQ(peer->top_tgid, 40);
	}
	fx_corr_free(&w);
}

static void mm(struct fx_corr *w, int tid, int target, u32 mode, s64 ret)
{
	struct rt_event ev = { .kind = RT_EV_MM_ENTER, .tid = tid };

	ev.mm_enter.target_pid = target;
	ev.mm_enter.target_tgid = target;
	ev.mm_enter.mode = mode;
	strcpy(ev.mm_enter.target_comm, "victim");
	fx_corr_feed(w, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.kind = RT_EV_MM_EXIT;
	ev.tid = tid;
	ev.exit.ret = ret;
	fx_corr_feed(w, &ev);
}

static void sc(struct fx_corr *w, int tid, enum rt_sc which, int target,
	       long request, bool exit, s64 ret)
{
	struct rt_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.tid = tid;
	if (!exit) {
		ev.kind = RT_EV_SC_ENTER;
		ev.sc_enter.sc = (u16)which;
		ev.sc_enter.target_pid = target;
		ev.sc_enter.request = request;
	} else {
		ev.kind = RT_EV_SC_EXIT;
		ev.exit.sc = (u16)which;
		ev.exit.ret = ret;
	}
	fx_corr_feed(w, &ev);
}

static struct rt_reader_row *reader(struct fx_corr *w, int r, int t,
				    enum rt_via v)
{
	struct rt_reader_key k;

	memset(&k, 0, sizeof(k));
	k.reader_tgid = r;
	k.target_tgid = t;
	k.via = v;
	return table_find(&w->stats.readers, &k);
}

TEST(correlate_mm_access_via_and_denied)
{
	struct fx_corr w;
	struct rt_reader_row *r;
	s64 kptr = (s64)0xffff888012345678ULL;

	cw_init(&w, true);
	taskinfo_put(w.tasks, 50, 50, 0, "reader");
	taskinfo_put(w.tasks, 60, 60, 0, "victim");
	/* process_vm_writev: the syscall around mm_access names it */
	sc(&w, 50, RT_SC_PROCESS_VM_WRITEV, 60, 0, false, 0);
	mm(&w, 50, 60, 0x12, kptr);
	sc(&w, 50, RT_SC_PROCESS_VM_WRITEV, 0, 0, true, 10);
	sc(&w, 50, RT_SC_PROCESS_VM_READV, 60, 0, false, 0);
	mm(&w, 50, 60, 0x12, -EACCES);
	sc(&w, 50, RT_SC_PROCESS_VM_READV, 0, 0, true, -EPERM);
	mm(&w, 50, 60, 0x0a, kptr);	/* /proc/PID/mem */
	mm(&w, 50, 60, 0x09, kptr);	/* /proc/PID/environ, maps ... */
	mm(&w, 50, 50, 0x09, kptr);	/* itself: not counted */
	stats_end_interval(&w.stats, w.now);
	r = reader(&w, 50, 60, RT_VIA_PROCESS_VM_WRITEV);
	CHECK(r && r->total.count == 1 && r->total.denied == 0);
	r = reader(&w, 50, 60, RT_VIA_PROCESS_VM_READV);
	CHECK(r && r->total.count == 1 && r->total.denied == 1);
	r = reader(&w, 50, 60, RT_VIA_PROC_MEM);
	CHECK(r && r->total.count == 1);
	r = reader(&w, 50, 60, RT_VIA_PROC_READ);
	CHECK(r && r->total.count == 1);
	if (r) {
		CHECK_STR(r->reader_comm, "reader");
		CHECK_STR(r->target_comm, "victim");
	}
	CHECK_EQ(w.stats.readers.nr_rows, 4);
	/* with mm_access on, the syscalls themselves are not counted */
	CHECK(reader(&w, 50, 60, RT_VIA_PTRACE) == NULL);
	fx_corr_free(&w);
}

TEST(correlate_syscall_readers_and_ptrace_requests)
{
	struct fx_corr w;
	struct rt_reader_row *r;

	cw_init(&w, false);
	taskinfo_put(w.tasks, 70, 70, 0, "dbg");
	taskinfo_put(w.tasks, 81, 80, 0, "app");
	sc(&w, 70, RT_SC_PROCESS_VM_READV, 80, 0, false, 0);
	sc(&w, 70, RT_SC_PROCESS_VM_READV, 0, 0, true, 4096);
	sc(&w, 70, RT_SC_PROCESS_VM_READV, 80, 0, false, 0);
	sc(&w, 70, RT_SC_PROCESS_VM_READV, 0, 0, true, -EPERM);
	/* PEEKDATA on thread 81 counts against its process 80 */
	sc(&w, 70, RT_SC_PTRACE, 81, PTRACE_PEEKDATA, false, 0);
	sc(&w, 70, RT_SC_PTRACE, 0, 0, true, 0);
	sc(&w, 70, RT_SC_PTRACE, 81, PTRACE_CONT, false, 0);
	sc(&w, 70, RT_SC_PTRACE, 0, 0, true, 0);
	/* a mismatched exit is not paired, nor an exit without entry
	 * (its entry was filtered out): neither counts as unpaired */
	sc(&w, 70, RT_SC_PTRACE, 81, PTRACE_PEEKDATA, false, 0);
	sc(&w, 70, RT_SC_PROCESS_VM_READV, 0, 0, true, 1);
	sc(&w, 71, RT_SC_PTRACE, 0, 0, true, 0);
	stats_end_interval(&w.stats, w.now);
	r = reader(&w, 70, 80, RT_VIA_PROCESS_VM_READV);
	CHECK(r && r->total.count == 2 && r->total.denied == 1);
	r = reader(&w, 70, 80, RT_VIA_PTRACE);
	CHECK(r && r->total.count == 1);
	CHECK_EQ(w.stats.total.unpaired, 0);
	CHECK(rt_ptrace_request_counted(PTRACE_ATTACH));
	CHECK(rt_ptrace_request_counted(PTRACE_SEIZE));
	CHECK(!rt_ptrace_request_counted(PTRACE_GETREGSET));
	fx_corr_free(&w);
}

TEST(correlate_via_table)
{
	CHECK_EQ(rt_via_of_mm_access(0x12, RT_SC_NONE), RT_VIA_PROCESS_VM_READV);
	CHECK_EQ(rt_via_of_mm_access(0x12, RT_SC_PROCESS_VM_WRITEV),
		 RT_VIA_PROCESS_VM_WRITEV);
	CHECK_EQ(rt_via_of_mm_access(0x0a, RT_SC_NONE), RT_VIA_PROC_MEM);
	CHECK_EQ(rt_via_of_mm_access(0x09, RT_SC_NONE), RT_VIA_PROC_READ);
	CHECK_EQ(rt_via_of_mm_access(0x09, RT_SC_PROCESS_MADVISE),
		 RT_VIA_MADVISE);
}

/* many threads interleaved against a simple model: pairing stays right
 * through the slot table's deletions */
TEST(correlate_random_interleaving_matches_model)
{
	struct fx_corr w;
	enum { N = 3000 };
	static bool open_[N];
	static s64 calls[N];
	u64 total = 0, model_unpaired = 0;

	cw_init(&w, false);
	srand(12345);
	for (int i = 0; i < N; i++)
		taskinfo_put(w.tasks, i + 1, 1, 0, "all");
	for (int step = 0; step < 200000; step++) {
		int t = rand() % N;

		if (!open_[t] || rand() % 10 == 0) {
			if (open_[t])
				model_unpaired++;
			enter(&w, t + 1, 3);
			open_[t] = true;
		} else {
			leave(&w, t + 1, 1);
			open_[t] = false;
			calls[t]++;
			total++;
		}
	}
	{
		struct rt_proc_row *p = proc_total(&w, 1);

		CHECK(p && p->total.calls == total);
		CHECK(p && p->total.lat_n == total);
	}
	CHECK_EQ(w.stats.total.unpaired, model_unpaired);
	{
		unsigned int open_count = 0;

		for (int i = 0; i < N; i++)
			open_count += open_[i];
		CHECK_EQ(correlator_in_flight(w.c), open_count);
	}
	fx_corr_free(&w);
}

TEST(stats_pid_filter_and_caps)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct rt_stats_caps caps = { 3, 10, 10, 10, 10 };
	struct stats s;
	int keep[] = { 2, 4 };

	stats_init(&s, ti, &caps);
	for (int i = 1; i <= 5; i++)
		taskinfo_put(ti, i, i, 0, "p");
	stats_set_pid_filter(&s, keep, 2);
	for (int i = 1; i <= 5; i++) {
		struct rt_recv_call c = { .tid = i, .fd = 1, .ret = 10 };

		stats_add_recv(&s, &c);
	}
	stats_end_interval(&s, 10);
	CHECK_EQ(s.total.calls, 2);
	CHECK_EQ(s.total.filtered, 3);
	stats_set_pid_filter(&s, NULL, 0);
	for (int i = 1; i <= 5; i++) {
		struct rt_recv_call c = { .tid = i, .fd = 1, .ret = 10 };

		stats_add_recv(&s, &c);
	}
	stats_end_interval(&s, 20);
	/* cap 3: pids 2, 4 and the next new one; the rest to "other" */
	CHECK_EQ(s.procs.nr_rows, 3);
	CHECK(s.procs.other != NULL);
	CHECK_EQ(((struct rt_proc_row *)s.procs.other)->total.calls, 2);
	CHECK_EQ(table_last_count(&s.procs), 4);
	stats_reset(&s, 30);
	CHECK_EQ(table_count(&s.procs), 0);
	CHECK_EQ(s.total.calls, 0);
	stats_free(&s);
	taskinfo_free(ti);
}

TEST(taskinfo_round_trip)
{
	struct taskinfo *a = taskinfo_new(RT_TASKS_STORED);
	struct taskinfo *b = taskinfo_new(RT_TASKS_STORED);
	const struct rt_task *t;
	size_t len;
	char *text;

	taskinfo_put(a, 100, 99, 0, "with space");
	taskinfo_put(a, 101, 101, RT_TASK_GUESSED, "gone");
	text = taskinfo_serialize(a, &len);
	CHECK(text != NULL);
	CHECK_EQ(taskinfo_deserialize(b, text, len), 0);
	t = taskinfo_peek(b, 100);
	CHECK(t && t->tgid == 99);
	CHECK_STR(t ? t->comm : NULL, "with space");
	t = taskinfo_peek(b, 101);
	CHECK(t && t->flags == RT_TASK_GUESSED);
	/* unknown in a stored table: tid stands for the process */
	t = taskinfo_get(b, 555, "hint");
	CHECK(t->tgid == 555 && (t->flags & RT_TASK_GUESSED));
	CHECK_STR(t->comm, "hint");
	CHECK_EQ(taskinfo_deserialize(b, "garbage\n", 8), -1);
	free(text);
	taskinfo_free(a);
	taskinfo_free(b);
}

TEST(taskinfo_resolves_live_threads_from_proc)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_PROC);
	const struct rt_task *t = taskinfo_get(ti, getpid(), NULL);

	CHECK_EQ(t->tgid, getpid());
	CHECK(!(t->flags & RT_TASK_GUESSED));
	CHECK(t->comm[0] != 0);
	taskinfo_free(ti);
}

TEST(taskinfo_falls_back_to_the_kernels_tables)
{
	char dir[] = "/tmp/rt-ti-XXXXXX";
	char path[64];
	struct taskinfo *ti;
	const struct rt_task *t;
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	/* threads far above any pid_max: never in /proc */
	snprintf(path, sizeof(path), "%s/saved_tgids", dir);
	f = fopen(path, "w");
	fprintf(f, "9999901 9999900\n9999900 9999900\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/saved_cmdlines", dir);
	f = fopen(path, "w");
	fprintf(f, "9999901 worker\n9999900 server\n9999902 lonely\n");
	fclose(f);
	ti = taskinfo_new(RT_TASKS_PROC);
	taskinfo_set_tracing_dir(ti, dir);
	/* an exited thread: its process and the process's name */
	t = taskinfo_get(ti, 9999901, NULL);
	CHECK_EQ(t->tgid, 9999900);
	CHECK(!(t->flags & RT_TASK_GUESSED));
	CHECK_STR(t->comm, "server");
	/* unknown process: the thread stands for it, named from cmdlines */
	t = taskinfo_get(ti, 9999902, NULL);
	CHECK_EQ(t->tgid, 9999902);
	CHECK(t->flags & RT_TASK_GUESSED);
	CHECK_STR(t->comm, "lonely");
	taskinfo_free(ti);
	unlink(path);
	snprintf(path, sizeof(path), "%s/saved_tgids", dir);
	unlink(path);
	rmdir(dir);
}
