/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_REPORT_H
#define RECVTOP_REPORT_H

#include "recvtop/cli.h"

/*
 * `recvtop report [-i FILE.dat] [--json]`: whole-file totals of a
 * recording (recvtop's or trace-cmd's) in the batch summary's tables and
 * JSON keys, after a description of the file: start and end time,
 * duration, events and lost events per CPU.
 */
int report_run(const struct rt_options *o);

#endif
