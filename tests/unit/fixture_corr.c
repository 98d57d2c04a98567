// SPDX-License-Identifier: GPL-2.0
/* A correlator on fresh stats, fed typed events on a clock of its own. */
#include <netinet/in.h>
#include <sys/socket.h>

#include "fixture_corr.h"

void fx_corr_init(struct fx_corr *w, bool mm_access, bool sock)
{
	w->tasks = taskinfo_new(RT_TASKS_STORED);
	stats_init(&w->stats, w->tasks, NULL);
	w->c = correlator_new(&w->stats, mm_access);
	correlator_set_sock(w->c, sock);
	w->now = 1000;
	w->step = 100;
}

void fx_corr_free(struct fx_corr *w)
{
	correlator_free(w->c);
	stats_free(&w->stats);
	taskinfo_free(w->tasks);
}

void fx_corr_feed_step(struct fx_corr *w, struct rt_event *ev, u64 step)
{
	ev->ts = w->now;
	w->now += step;
	correlate_event(w->c, ev);
}

void fx_corr_feed(struct fx_corr *w, struct rt_event *ev)
{
	fx_corr_feed_step(w, ev, w->step);
}

void fx_corr_enter(struct fx_corr *w, int tid, unsigned int br, int fd,
		   int fd2)
{
	struct rt_event ev = { .kind = RT_EV_RECV_ENTER, .tid = tid };

	ev.recv_enter.fd = fd;
	ev.recv_enter.fd2 = fd2;
	ev.recv_enter.via = (u8)br;
	fx_corr_feed(w, &ev);
}

void fx_corr_exit(struct fx_corr *w, int tid, unsigned int br, s64 ret)
{
	struct rt_event ev = { .kind = RT_EV_RECV_EXIT, .tid = tid };

	ev.exit.ret = ret;
	ev.exit.sc = (u16)br;
	fx_corr_feed(w, &ev);
}

struct rt_event fx_corr_sock_event(u16 kind, int tid, u64 sk, u16 protocol)
{
	struct rt_event ev = { .kind = kind, .tid = tid };

	ev.sock.sk = sk;
	ev.sock.family = AF_INET;
	ev.sock.protocol = protocol;
	return ev;
}

void fx_corr_sock_exit(struct fx_corr *w, int tid, bool tx, s64 ret)
{
	struct rt_event ev = { .kind = RT_EV_SOCK_EXIT, .tid = tid };

	ev.exit.ret = ret;
	ev.exit.sc = tx;
	fx_corr_feed(w, &ev);
}

void fx_corr_addr4(struct fx_corr *w, int tid, int klen, u8 last, u16 port)
{
	struct rt_event ev = { .kind = RT_EV_RECV_ADDR, .tid = tid };

	ev.recv_addr.klen = klen;
	ev.recv_addr.addr.family = RT_FAM_INET;
	ev.recv_addr.addr.raw_family = AF_INET;
	ev.recv_addr.addr.len = 4;
	ev.recv_addr.addr.port = port;
	ev.recv_addr.addr.addr[0] = 10;
	ev.recv_addr.addr.addr[3] = last;
	fx_corr_feed(w, &ev);
}

struct rt_proc_row *fx_corr_total(struct fx_corr *w, int tgid)
{
	stats_end_interval(&w->stats, w->now);
	return table_find(&w->stats.procs, &tgid);
}
