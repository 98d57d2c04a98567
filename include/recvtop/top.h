/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TOP_H
#define RECVTOP_TOP_H

#include "recvtop/cli.h"

/* `recvtop [top]`: the live run, start to cleanup; returns the exit status */
int top_run(const struct rt_options *o);
/* `recvtop reset` and `recvtop probes` */
int top_reset(const struct rt_options *o);
int top_probes(const struct rt_options *o);
/* common preconditions of every tracefs command: root, tracefs */
int top_check_host(void);

#endif
