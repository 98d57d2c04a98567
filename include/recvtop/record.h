/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_RECORD_H
#define RECVTOP_RECORD_H

#include "recvtop/cli.h"

/*
 * `recvtop record [-o FILE.dat] [OPTIONS] [-- COMMAND]`: the live run's
 * probes and filters, every CPU's raw ring-buffer pages written as they
 * are (spliced where the kernel allows) into a trace-cmd compatible file,
 * with recvtop's thread table inside (see datfile.h).  --live also shows
 * the live view, decoded from the same pages.
 */
int record_run(const struct rt_options *o);

/* exposed for tests: may path be written? *overwrite: it exists */
int record_check_output(const char *path, bool force, bool *overwrite);

#endif
