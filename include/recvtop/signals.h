/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_SIGNALS_H
#define RECVTOP_SIGNALS_H

#include <signal.h>
#include <sys/types.h>

/*
 * Signal policy.  SIGINT, SIGTERM, SIGHUP: the first asks the run to stop
 * (stop tracing, drain, print the summary, clean up); the second aborts at
 * once through the session's emergency cleanup.  SIGPIPE: stop quietly;
 * the process ends by SIGPIPE after cleaning up.  Crashes (SEGV, BUS, FPE,
 * ILL, ABRT) run the emergency cleanup, then die as they would have.
 */

extern volatile sig_atomic_t rt_stop_requested;
extern volatile sig_atomic_t rt_stop_signal;	/* signal that asked */
extern volatile sig_atomic_t rt_output_broken;
extern volatile sig_atomic_t rt_child_exited;
extern volatile sig_atomic_t rt_resized;

void signals_install(void);
/*
 * Also run fn (async-signal-safe; NULL: none) on the abort and crash
 * paths, before the session cleanup: the TUI restores the terminal there.
 */
void signals_set_emergency_hook(void (*fn)(void));
/* Forward SIGTERM/SIGHUP/SIGINT-by-kill to this child (0 = none) */
void signals_set_child(pid_t pid);
/* End the process the way the pending SIGPIPE would have */
void signals_die_of_sigpipe(void);
/*
 * Every signal recvtop handles back to its default action, as exec would
 * leave it: in a forked command before exec, so that a signal passed on
 * to a command that has not started yet ends it as it would end the
 * command, and never runs recvtop's cleanup in the child
 */
void signals_reset_all(void);
/* a run has ended normally: a later signal ends the process at once */
void signals_restore_default(void);

#endif
