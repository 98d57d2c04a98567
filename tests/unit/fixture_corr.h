/* SPDX-License-Identifier: GPL-2.0 */
/* A correlator on fresh stats, fed typed events on a clock of its own. */
#ifndef RECVTOP_FIXTURE_CORR_H
#define RECVTOP_FIXTURE_CORR_H

#include "recvtop/correlate.h"

struct fx_corr {
	struct taskinfo *tasks;
	struct stats stats;
	struct correlator *c;
	u64 now;		/* the next event's time */
	u64 step;		/* ns from one event to the next */
};

/*
 * mm_access and sock as correlator_new() and correlator_set_sock() take
 * them; no tasks yet, the clock at 1000 ns, 100 ns a step
 */
void fx_corr_init(struct fx_corr *w, bool mm_access, bool sock);
void fx_corr_free(struct fx_corr *w);
/* ev at the clock, which then moves on by w->step (by step) */
void fx_corr_feed(struct fx_corr *w, struct rt_event *ev);
void fx_corr_feed_step(struct fx_corr *w, struct rt_event *ev, u64 step);
/* a receive or send syscall's entry on fd (fd2: splice's fd_out, else
 * -1) and its exit: bracket br */
void fx_corr_enter(struct fx_corr *w, int tid, unsigned int br, int fd,
		   int fd2);
void fx_corr_exit(struct fx_corr *w, int tid, unsigned int br, s64 ret);
/* an event of kind on socket sk (AF_INET, protocol), to fill in */
struct rt_event fx_corr_sock_event(u16 kind, int tid, u64 sk, u16 protocol);
/* a protocol recvmsg's (tx: send function's) return (kprobe backend) */
void fx_corr_sock_exit(struct fx_corr *w, int tid, bool tx, s64 ret);
/* the kernel copies the sender's address, klen bytes: 10.0.0.last:port */
void fx_corr_addr4(struct fx_corr *w, int tid, int klen, u8 last, u16 port);
/* the interval ends: process tgid's row */
struct rt_proc_row *fx_corr_total(struct fx_corr *w, int tgid);

#endif
