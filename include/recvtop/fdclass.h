/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_FDCLASS_H
#define RECVTOP_FDCLASS_H

#include "recvtop/common.h"
#include "recvtop/stats.h"

/*
 * Part of the correlate stage, for the tracepoint backend: which file
 * descriptors are sockets, so that read() and readv() of a socket count
 * and those of files, pipes and ttys do not.
 *
 * The answer for a process's descriptor comes from an "fd" marker in the
 * trace itself ("recvtop: fd TGID FD sock FAMILY PROTOCOL", "... file",
 * "... gone"), which the live run writes the first time it meets the
 * descriptor (it asks /proc through its callback).  Until the marker
 * comes back through the ring buffer, the descriptor's receives wait here;
 * then they count (a socket) or are dropped (not one).  A replay reads the
 * same markers at the same places, so it gives the live numbers exactly.
 *
 * close(), dup2()/dup3() onto a descriptor and close_range() forget what
 * was known of it; exec and a new process with a reused id forget all of
 * the process's.  Receives waiting for a descriptor that is closed before
 * its marker came are not counted: the stats' unknown_reads counts them.
 * socket() and accept() returns tell of a socket without any marker.
 */

#define RT_FDCLASS_ROWS (1u << 18)	/* (process, fd) pairs known at once */
#define RT_FDCLASS_PENDING 65536	/* receives waiting for a marker */
#define RT_FDCLASS_GENS 4096		/* process generations (hashed) */

struct fdclass;

/*
 * ask(ctx, tid, tgid, fd): find out what tid's descriptor fd is and write
 * the marker; NULL in a replay (the recording has the markers)
 */
typedef void (*rt_fd_ask_fn)(void *ctx, int tid, int tgid, int fd);

struct fdclass *fdclass_new(struct stats *stats);
void fdclass_free(struct fdclass *f);
void fdclass_set_ask(struct fdclass *f, rt_fd_ask_fn ask, void *ctx);

/*
 * A read/readv (or any receive) on tgid's fd: counted now if fd is a
 * socket (family and protocol filled in), kept until the marker if not
 * known yet, dropped if not a socket.  only_socket: false for calls that
 * are receives whatever fd is (recvfrom, recvmsg...: only the socket's
 * family is wanted).
 */
void fdclass_recv(struct fdclass *f, int tgid, struct rt_recv_call *call,
		  bool only_socket);
/* an "fd" marker: family 0 and protocol 0 with kind RT_FD_FILE, or gone */
void fdclass_marker(struct fdclass *f, int tgid, int fd, enum rt_fd_kind kind,
		    u16 family, u16 protocol);
/* descriptors first..last of tgid were closed or replaced */
void fdclass_close(struct fdclass *f, int tgid, int first, int last);
/* tgid exec'ed, or is a new process: forget all its descriptors */
void fdclass_reset_process(struct fdclass *f, int tgid);
/* socket() or accept() returned fd: a socket, known from the trace */
void fdclass_socket(struct fdclass *f, int tgid, int fd, u16 family,
		    u16 protocol);
/* is tgid's fd known to be a socket (and of which family, protocol)? */
bool fdclass_lookup(struct fdclass *f, int tgid, int fd, u16 *family,
		    u16 *protocol);
/* forget everything (after a reset of the stats) */
void fdclass_clear(struct fdclass *f);

#endif
