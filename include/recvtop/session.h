/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_SESSION_H
#define RECVTOP_SESSION_H

#include <limits.h>
#include <stdio.h>

#include "recvtop/common.h"
#include "recvtop/probes.h"

struct tracefs_instance;
struct tracefs_dynevent;
struct tep_handle;

/*
 * The session owns what a run creates in tracefs: the instance
 * recvtop-PID and the dynamic-event group recvtop_PID.  Everything it
 * creates is removed by session_close(), and by session_emergency_cleanup()
 * (async-signal-safe) when the run is aborted by a signal.  Runs killed
 * with SIGKILL are cleaned up by the next run or `recvtop reset`.
 */

struct rt_session_opts {
	unsigned int buffer_kb;		/* per CPU; 0 = recvtop's default */
	const char *comm;		/* -c: kernel filter on comm */
	const int *tids;		/* set_event_pid (threads) */
	unsigned int nr_tids;
	bool follow_fork;		/* options/event-fork */
	bool sched;			/* also sched_switch + sched_waking */
	u64 delay_ns;			/* the view's interval, in the start marker */
};

#define RT_DEFAULT_BUFFER_KB 8192

struct rt_session {
	const struct rt_catalog *cat;
	struct tracefs_instance *inst;
	char name[RT_NAME_LEN];
	struct tracefs_dynevent *dyn[RT_MAX_PROBES];
	int nr_dyn;
	int nr_cpus;
	bool sched;
	int marker_fd;
	u64 delay_ns;
	bool tracing;
	char tracing_dir[1024];
};

/*
 * Find tracefs (mounting it at /sys/kernel/tracing if it is not mounted)
 * and check the caller may use it.  Returns 0, or -1 with a reason.
 */
int session_find_tracefs(char *err, size_t errlen);

/* Create instance, probes, filters; tracing stays off */
int session_open(struct rt_session *s, const struct rt_catalog *cat,
		 const struct rt_session_opts *o, char *err, size_t errlen);
/* Turn tracing on and write the start marker */
int session_start(struct rt_session *s);
/* Write the stop marker and turn tracing off (buffers stay readable) */
int session_stop(struct rt_session *s);
/* Remove everything the session created; safe to call twice */
void session_close(struct rt_session *s);

/* A tep holding the formats of the session's events (and ftrace/print) */
struct tep_handle *session_tep(struct rt_session *s);
/* Write "recvtop: TEXT" into the session's buffer */
int session_mark(struct rt_session *s, const char *text);
/* The live view's delay changes from the next interval on */
int session_mark_delay(struct rt_session *s, u64 delay_ns);
/* Lost events per the kernel (overrun + commit overrun + dropped), all CPUs */
int session_kernel_lost(struct rt_session *s, u64 *lost);
/* The kernel's per-CPU stats text (for recordings) */
char *session_cpu_stats(struct rt_session *s, int cpu);
/* kprobe_profile misses of the session's probes */
int session_probe_misses(struct rt_session *s, u64 *missed);

/* file descriptors the emergency path must close before rmdir */
void session_register_fd(int fd);
void session_unregister_fd(int fd);
/*
 * Files a run is writing (a recording's temp files): the emergency path
 * unlinks them.  Returns -1 (errno set) when the path cannot be kept.
 */
int session_register_path(const char *path);
void session_unregister_path(const char *path);
/*
 * async-signal-safe: unlink the registered files, tracing off, close fds,
 * rmdir, remove the group
 */
void session_emergency_cleanup(void);

/*
 * Remove instances recvtop-PID and groups recvtop_PID whose PID is no
 * longer a running recvtop.  Reports each removal on f (may be NULL).
 * Returns the number of things removed, -1 on error.
 */
int session_reset_stale(FILE *f);
/* is pid a live recvtop process? */
bool session_pid_alive(int pid);

#endif
