// SPDX-License-Identifier: GPL-2.0
/* Signal handling: stop, abort, broken output, crashes. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "recvtop/common.h"
#include "recvtop/session.h"
#include "recvtop/signals.h"

volatile sig_atomic_t rt_stop_requested;
volatile sig_atomic_t rt_stop_signal;
volatile sig_atomic_t rt_output_broken;
volatile sig_atomic_t rt_child_exited;
volatile sig_atomic_t rt_resized;
static volatile pid_t child_pid;
static void (*volatile emergency_hook)(void);

static void die_by(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	raise(sig);
	_exit(128 + sig);
}

static void on_stop(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	if (rt_stop_requested) {
		static const char msg[] = "recvtop: aborted; tracing state "
					  "removed\n";

		if (emergency_hook)
			emergency_hook();
		session_emergency_cleanup();
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing to do */
		}
		_exit(128 + sig);
	}
	rt_stop_requested = 1;
	rt_stop_signal = sig;
	/* pass a stop on to the command; the terminal's own SIGINT has
	 * already reached it (same process group), a kill(1) has not */
	if (child_pid > 0 && !(sig == SIGINT && info && info->si_code > 0))
		kill(child_pid, sig);
}

static void on_pipe(int sig)
{
	(void)sig;
	rt_output_broken = 1;
	rt_stop_requested = 1;
}

static void on_chld(int sig)
{
	(void)sig;
	rt_child_exited = 1;
}

static void on_winch(int sig)
{
	(void)sig;
	rt_resized = 1;
}

/*
 * A write past the file size limit (ulimit -f): the write fails with
 * EFBIG and the recording stops as on a full disk, instead of the
 * default action killing recvtop without any cleanup.  A handler, not
 * SIG_IGN: the command recvtop starts gets the default back at exec.
 */
static void on_xfsz(int sig)
{
	(void)sig;
}

static void on_crash(int sig)
{
	if (emergency_hook)
		emergency_hook();
	session_emergency_cleanup();
	die_by(sig);
}

static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static const int others[] = { SIGPIPE, SIGCHLD, SIGWINCH, SIGXFSZ };

void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++)
		sigaction(stops[i], &sa, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_xfsz;
	sigaction(SIGXFSZ, &sa, NULL);

	/* the sanitizers report crashes themselves */
#if !defined(__SANITIZE_ADDRESS__)
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < ARRAY_SIZE(crashes); i++)
		sigaction(crashes[i], &sa, NULL);
#else
	(void)crashes;
	(void)on_crash;
#endif
}

void signals_set_emergency_hook(void (*fn)(void))
{
	emergency_hook = fn;
}

void signals_set_child(pid_t pid)
{
	child_pid = pid;
}

void signals_die_of_sigpipe(void)
{
	die_by(SIGPIPE);
}

void signals_reset_all(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++)
		sigaction(stops[i], &sa, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(crashes); i++)
		sigaction(crashes[i], &sa, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		sigaction(others[i], &sa, NULL);
}

void signals_restore_default(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
