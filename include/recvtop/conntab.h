/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_CONNTAB_H
#define RECVTOP_CONNTAB_H

#include "recvtop/common.h"
#include "recvtop/event.h"

/*
 * The connection table: a TCP socket's kernel address (sk) -> its
 * remote address and port and its local port, from
 * sock:inet_sock_set_state (every connection from SYN_SENT/SYN_RECV on)
 * and the kernel's socket tables read at start (/proc/PID/net/tcp, tcp6:
 * the connections older than the run).
 *
 * A connection's entry dies at TCP_CLOSE, but not at once: the close can
 * be stamped before the last receive of data queued on the socket (an
 * RST, a FIN handled on another CPU), so a closed entry stays for
 * RT_CONN_GRACE_NS of event time, or until its sk starts a new
 * connection or its room is needed.  The table holds at most cap open
 * connections (its memory is allocated once, when the first comes);
 * beyond that new ones are counted in dropped and not named.
 */

#define RT_CONN_CAP		32768
#define RT_CONN_GRACE_NS	(5 * NSEC_PER_SEC)

/* TCP states (include/net/tcp_states.h) */
enum {
	RT_TCP_ESTABLISHED = 1,
	RT_TCP_SYN_SENT,
	RT_TCP_SYN_RECV,
	RT_TCP_FIN_WAIT1,
	RT_TCP_FIN_WAIT2,
	RT_TCP_TIME_WAIT,
	RT_TCP_CLOSE,
	RT_TCP_CLOSE_WAIT,
	RT_TCP_LAST_ACK,
	RT_TCP_LISTEN,
	RT_TCP_CLOSING,
	RT_TCP_NEW_SYN_RECV,
};

/* where an entry came from */
enum rt_conn_origin {
	RT_CONN_EVENT = 0,	/* inet_sock_set_state */
	RT_CONN_PROCNET,	/* /proc/net/tcp or tcp6 at start */
};

struct rt_conn {
	u64 sk;			/* 0: an empty slot */
	u64 closed_ts;		/* event time of TCP_CLOSE, 0: open */
	u32 seq;		/* which connection of sk this is */
	u16 local_port;
	u16 protocol;		/* IPPROTO_* */
	u8 state;		/* TCP_* last seen */
	u8 origin;		/* enum rt_conn_origin */
	struct rt_addr remote;
};

struct conntab;

struct conntab *conntab_new(u32 cap);
void conntab_free(struct conntab *t);
/* Forget every entry (memory kept) */
void conntab_clear(struct conntab *t);

/*
 * A state change (sock:inet_sock_set_state at event time ts): a new or
 * refreshed entry for any state but LISTEN and CLOSE; CLOSE closes it
 */
void conntab_state(struct conntab *t, u64 ts, u64 sk, int newstate,
		   u16 protocol, const struct rt_addr *local,
		   const struct rt_addr *remote);
/*
 * An open connection known before the run (socket tables): added unless
 * sk has an entry already.  Returns 0, or -1 when the table is full.
 */
int conntab_add(struct conntab *t, u64 sk, u16 local_port, u16 protocol,
		const struct rt_addr *remote, enum rt_conn_origin origin);
/* The entry of sk (open or closed within the grace time), or NULL */
const struct rt_conn *conntab_find(const struct conntab *t, u64 sk);

/* entries now (open and closed), and open connections not kept */
u32 conntab_count(const struct conntab *t);
u64 conntab_dropped(const struct conntab *t);
/* Every entry of origin, in no order, to fn (stop at non-zero) */
int conntab_each(const struct conntab *t, enum rt_conn_origin origin,
		 int (*fn)(const struct rt_conn *c, void *ctx), void *ctx);

/*
 * The entries of origin as text for a recording, one line each:
 * "conn SK LOCAL_PORT PROTOCOL AF RPORT ADDR\n" (SK hex, ADDR the
 * remote address's bytes in hex).  NULL when memory runs out.
 */
char *conntab_serialize(const struct conntab *t, enum rt_conn_origin origin,
			size_t *len);
/*
 * One such line (without its newline) into t; 0, or -1 if it does not
 * parse
 */
int conntab_parse_line(struct conntab *t, const char *line);

#endif
