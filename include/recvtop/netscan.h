/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_NETSCAN_H
#define RECVTOP_NETSCAN_H

#include "recvtop/common.h"
#include "recvtop/conntab.h"

/*
 * The TCP connections older than the run, from the kernel's socket
 * tables: /proc/PID/net/tcp and tcp6 of one process in each network
 * namespace (namespaces told apart by the inode of /proc/PID/ns/net),
 * read once at start.  Each row carries the socket's kernel address
 * (%pK): real for root when kernel.kptr_restrict is 1; with 0 the
 * kernel prints a hash of it, with 2 zeros, and those rows name nothing
 * (counted in unusable).  Listeners, TIME_WAIT, closed and request
 * sockets are skipped.
 */

struct netscan_info {
	u32 netns;		/* namespaces read */
	u32 conns;		/* connections added */
	u32 unusable;		/* rows without a real socket address */
	u32 full;		/* rows the connection table had no room for */
};

/*
 * Read every namespace's tables under proc ("/proc"; another root for
 * tests) into t (origin RT_CONN_PROCNET).  Returns 0, or -1 when proc
 * cannot be listed.
 */
int netscan_read(const char *proc, struct conntab *t,
		 struct netscan_info *info);
/*
 * One table's text (a /proc/net/tcp or tcp6 file) into t; v6: tcp6.
 * Returns the rows that did not parse.
 */
u32 netscan_parse(const char *text, bool v6, struct conntab *t,
		  struct netscan_info *info);

#endif
