/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_DECODE_H
#define RECVTOP_DECODE_H

#include "recvtop/common.h"
#include "recvtop/event.h"

struct tep_handle;

/*
 * The decode stage: raw event payloads -> struct rt_event.
 *
 * decoder_new() walks every event the tep knows once, recognises the ones
 * recvtop understands by system and name (its own probe groups
 * "recvtop_*", the syscalls tracepoints, ftrace markers), and caches their
 * field offsets by event id.  decode_event() then does one array lookup
 * and a few bounded loads per event.
 */

struct decoder;

struct decoder *decoder_new(struct tep_handle *tep);
void decoder_free(struct decoder *d);

/* number of event ids recvtop understands in this tep */
unsigned int decoder_known_events(const struct decoder *d);
/* does the tep hold recvfrom / memory-reader events at all? */
bool decoder_has_recv(const struct decoder *d);
bool decoder_has_mem(const struct decoder *d);
/* does it hold sock:sock_recv_length (the sock backend)? */
bool decoder_has_sock(const struct decoder *d);
/* sender addresses (the move_addr_to_user kprobe)? */
bool decoder_has_addr(const struct decoder *d);
/* ... from libc uprobes (user memory)? */
bool decoder_has_uaddr(const struct decoder *d);
/* sock:inet_sock_set_state: TCP connections by their sk */
bool decoder_has_conn(const struct decoder *d);
/* the backend that wrote the events: "sock", "kprobe", "tracepoint" or
 * NULL */
const char *decoder_backend(const struct decoder *d);
/* the kind of event id (RT_EV_OTHER for one recvtop does not use), for a
 * caller that wants a few kinds without decoding the rest */
enum rt_event_kind decoder_kind(const struct decoder *d, unsigned int id);

/*
 * Decode one event payload (starting at common_type).  ts and cpu are
 * filled in by the caller.  Returns the kind; RT_EV_NONE for a payload too
 * short or malformed, RT_EV_OTHER for an event recvtop does not use.
 */
enum rt_event_kind decode_event(const struct decoder *d, const void *data,
				unsigned int size, struct rt_event *ev);

#endif
