/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_EXPORT_H
#define RECVTOP_EXPORT_H

#include "recvtop/cli.h"

/* `recvtop export`: trace like the live view, serve /metrics until
 * SIGTERM/SIGINT; returns the exit status */
int export_run(const struct rt_options *o);

#endif
