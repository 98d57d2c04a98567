/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_CORRELATE_H
#define RECVTOP_CORRELATE_H

#include "recvtop/common.h"
#include "recvtop/conntab.h"
#include "recvtop/event.h"
#include "recvtop/fdclass.h"
#include "recvtop/stats.h"

/*
 * The correlate stage: pairs entry, address and return events per thread
 * (common_pid is the thread id), so pairing holds whichever CPU buffer each
 * event came from, as long as events arrive in timestamp order.
 *
 *   recvfrom entry -> [sender address] -> recvfrom return   => a call
 *   mm_access entry -> mm_access return (+ the syscall the thread is in)
 *   memory syscall entry -> exit (tracepoint backend; ptrace on both)
 *
 * A second entry on a thread whose return was never seen drops the first
 * (counted as unpaired); a return without its entry still counts the call,
 * without latency.
 */

#define RT_CORR_SLOTS (1u << 16)	/* threads in flight at once */

struct correlator;

/*
 * mm_access: count memory readers from mm_access (kprobe backend) rather
 * than from the process_vm_* syscalls (tracepoint backend).
 */
struct correlator *correlator_new(struct stats *stats, bool mm_access);
void correlator_free(struct correlator *c);
/*
 * sock: the events are the sock backend's.  A receive is then each
 * sock:sock_recv_length; the receive syscalls around it (recvfrom,
 * recvmsg, recvmmsg, io_uring_enter, splice) only say how it came (via),
 * its fd and latency, and count the calls that failed before reaching a
 * socket.  Outside them a receive is a read.
 */
void correlator_set_sock(struct correlator *c, bool sock);
/* sender addresses come from libc uprobes after recvfrom/recvmsg */
void correlator_set_uprobes(struct correlator *c, bool uprobes);
/*
 * The tracepoint backend's question "is this descriptor a socket?" (see
 * fdclass.h): the live run answers it with an fd marker; a replay has
 * none (the markers are in the recording).
 */
void correlator_set_ask(struct correlator *c, rt_fd_ask_fn ask, void *ctx);
void correlate_event(struct correlator *c, const struct rt_event *ev);
/*
 * The TCP connections the correlator names peers by (inet_sock_set_state
 * fills it; a run adds the ones older than itself before the first
 * event)
 */
struct conntab *correlator_conns(struct correlator *c);
/* threads with a call in flight */
unsigned int correlator_in_flight(const struct correlator *c);
/* forget every call in flight (after a reset or a gap in the data) */
void correlator_clear(struct correlator *c);

/* exposed for tests */
bool rt_ptrace_request_counted(long request);
bool rt_is_restart_code(s64 ret);
enum rt_via rt_via_of_mm_access(u32 mode, enum rt_sc in_syscall);

#endif
