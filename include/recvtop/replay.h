/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_REPLAY_H
#define RECVTOP_REPLAY_H

#include "recvtop/cli.h"

/*
 * `recvtop top -i FILE.dat`: a recording played through the same decode,
 * correlate, stats and views as a live run, with intervals cut from the
 * file's own time stamps (and the live run's delay, kept in its markers),
 * so each interval shows what the live view showed.  In the TUI: play,
 * pause, speed, step, seek and jump, stepping back at once through the
 * per-interval history (history.h).  In batch mode (--batch, --json, or
 * stdout not a terminal): the interval lines and the summary, as fast as
 * it can unless --speed paces it.
 */
int replay_run(const struct rt_options *o);

#endif
