// SPDX-License-Identifier: GPL-2.0
/* The correlate stage: per-thread pairing of entries, addresses, returns. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include "recvtop/conntab.h"
#include "recvtop/correlate.h"
#include "recvtop/fdclass.h"

#define EAGAIN_RET (-(s64)EAGAIN)

/* kernel-internal restart codes (include/linux/errno.h) */
#define ERESTARTSYS		512
#define ERESTART_RESTARTBLOCK	516

/* include/linux/ptrace.h */
#define PTRACE_MODE_READ	0x01
#define PTRACE_MODE_ATTACH	0x02
#define PTRACE_MODE_FSCREDS	0x08

#define ST_RECV		0x1
#define ST_ADDR		0x2
#define ST_MM		0x4
#define ST_SC		0x8
#define ST_PEND		0x10	/* the last socket receive may get its
				 * sender's address */
#define ST_SKIN		0x20	/* inside a protocol recvmsg (kprobe) */
#define ST_NEWSOCK	0x40	/* in socket() or accept() (tracepoint) */
#define ST_SKOUT	0x80	/* inside a protocol send function (kprobe) */
#define ST_UPEND	0x100	/* a recvfrom/recvmsg ended: its sender may
				 * come from the libc uprobe after it */

/*
 * The kprobe pairing is one code for receives and sends: where the
 * direction is a constant (tx), each caller gets its own copy, as fast
 * as two written out.
 */
#define rt_always_inline inline __attribute__((always_inline))

/* ST_SKIN or ST_SKOUT: the protocol call in flight, receive or send */
static inline u32 st_sk(bool tx)
{
	return tx ? ST_SKOUT : ST_SKIN;
}

/* a protocol recvmsg's or send function's entry, kept to its return */
struct sk_entry {
	u64 sk;
	u16 family, protocol, lport;
	u32 flags;
};

struct thread_slot {
	int tid;		/* 0 = empty */
	u32 state;
	/* receive or send syscall in flight (a bracket on the sock
	 * backend) */
	u64 recv_ts;
	int fd;
	int fd2;		/* splice: fd_out */
	u8 via;			/* the bracket (see enum rt_tx_via) */
	u32 flags;		/* MSG_* of the syscall */
	u16 nsock;		/* socket receives seen inside it */
	bool has_addr;		/* recvfrom: an address buffer was given */
	struct rt_addr addr;
	struct rt_recv_call pend;	/* ST_PEND: that receive */
	union {
		/* ST_SKIN, ST_SKOUT: a protocol recvmsg's (sk[0]) and send
		 * function's (sk[1]) entry (kprobe backend) */
		struct {
			struct sk_entry sk[2];
			u64 sk_ts;		/* the receive's entry */
			int tx_dst_klen;	/* the send's destination;
						 * 0: it named none */
			struct rt_addr tx_dst;
		};
		/* ST_NEWSOCK: socket()'s arguments, accept()'s listener
		 * (tracepoint backend) */
		struct {
			int ns_fd;
			u16 ns_family, ns_type, ns_protocol;
		};
	};
	/* mm_access in flight */
	u64 mm_ts;
	int mm_tid, mm_tgid;
	u32 mm_mode;
	char mm_comm[RT_COMM_LEN];
	/* memory-reader syscall in flight */
	u16 sc;
	int sc_target;
	long sc_request;
};

struct correlator {
	struct stats *stats;
	bool mm_access;
	bool sock;		/* calls from sock:sock_recv_length */
	bool uprobes;		/* sender addresses from libc uprobes */
	unsigned int used;
	struct thread_slot *slots;
	/* tracepoint backend: which descriptors are sockets */
	struct fdclass *fdc;	/* made when first needed */
	rt_fd_ask_fn ask;
	void *ask_ctx;
	/* TCP connections: sk -> remote address, local port */
	struct conntab *conns;
};

struct correlator *correlator_new(struct stats *stats, bool mm_access)
{
	struct correlator *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->slots = calloc(RT_CORR_SLOTS, sizeof(*c->slots));
	c->conns = conntab_new(RT_CONN_CAP);
	if (!c->slots || !c->conns) {
		free(c->slots);
		conntab_free(c->conns);
		free(c);
		return NULL;
	}
	c->stats = stats;
	c->mm_access = mm_access;
	return c;
}

void correlator_set_ask(struct correlator *c, rt_fd_ask_fn ask, void *ctx)
{
	c->ask = ask;
	c->ask_ctx = ctx;
	if (c->fdc)
		fdclass_set_ask(c->fdc, ask, ctx);
}

/* the descriptor classes, made on the first event that needs them */
static struct fdclass *fdc_get(struct correlator *c)
{
	if (!c->fdc) {
		c->fdc = fdclass_new(c->stats);
		if (c->fdc)
			fdclass_set_ask(c->fdc, c->ask, c->ask_ctx);
	}
	return c->fdc;
}

/*
 * A receive or send syscall's return on the tracepoint backend: read,
 * readv, write, writev and sendfile count if their descriptor is a
 * socket; recvmmsg's and sendmmsg's return is the number of datagrams
 * (their bytes are in user memory: not seen).
 */
static void recv_exit_classify(struct correlator *c, struct rt_recv_call *call)
{
	struct fdclass *f = fdc_get(c);
	bool only_sock = call->tx ? call->via == RT_TX_WRITE ||
				    call->via == RT_TX_SENDFILE :
				    call->via == RT_RX_READ;
	bool mmsg = call->tx ? call->via == RT_TX_SENDMMSG :
			       call->via == RT_RX_RECVMMSG;
	s64 n = 1;

	if (!f) {
		if (!only_sock)
			stats_add_recv(c->stats, call);
		return;
	}
	if (only_sock && call->fd < 0) {
		/* its entry was lost */
		if (call->tx)
			c->stats->ival.unknown_writes++;
		else
			c->stats->ival.unknown_reads++;
		return;
	}
	if (mmsg && call->ret > 0) {
		/* every datagram a call, the latency on the first */
		n = call->ret;
		call->ret = 0;
	}
	/* the first one learns the socket's family and protocol */
	fdclass_recv(f, stats_tgid_of(c->stats, call->tid), call, only_sock);
	call->has_latency = false;
	for (s64 i = 1; i < n; i++)
		stats_add_recv(c->stats, call);
}

/* what socket() and accept() returned: a socket */
static void newsock_exit(struct correlator *c, struct thread_slot *s,
			 const struct rt_event *ev)
{
	struct fdclass *f;
	u16 family = 0, protocol = 0;
	int tgid;

	if (!s || !(s->state & ST_NEWSOCK))
		return;
	s->state &= ~ST_NEWSOCK;
	if (ev->exit.ret < 0 || ev->exit.ret > 0x7fffffff ||
	    !(f = fdc_get(c)))
		return;
	tgid = stats_tgid_of(c->stats, ev->tid);
	if (s->ns_fd >= 0) {
		/* accept: the listener's family and protocol, if known */
		fdclass_lookup(f, tgid, s->ns_fd, &family, &protocol);
	} else {
		family = s->ns_family;
		protocol = s->ns_protocol;
		if (!protocol && (family == AF_INET || family == AF_INET6)) {
			switch (s->ns_type & 0xf) {
			case SOCK_STREAM:
				protocol = IPPROTO_TCP;
				break;
			case SOCK_DGRAM:
				protocol = IPPROTO_UDP;
				break;
			default:
				break;
			}
		}
	}
	fdclass_socket(f, tgid, (int)ev->exit.ret, family, protocol);
}

void correlator_set_sock(struct correlator *c, bool sock)
{
	c->sock = sock;
}

void correlator_set_uprobes(struct correlator *c, bool uprobes)
{
	c->uprobes = uprobes;
}

void correlator_free(struct correlator *c)
{
	if (!c)
		return;
	fdclass_free(c->fdc);
	conntab_free(c->conns);
	free(c->slots);
	free(c);
}

struct conntab *correlator_conns(struct correlator *c)
{
	return c->conns;
}

/*
 * The connection a socket receive or send is on: its remote side is
 * the call's peer (where no address came with it)
 */
static inline void conn_peer(struct correlator *c, struct rt_recv_call *call)
{
	const struct rt_conn *conn = conntab_find(c->conns, call->sk);

	if (!conn)
		return;
	call->peer = &conn->remote;
	call->peer_lport = conn->local_port;
	if (!call->family) {
		call->family = conn->remote.raw_family;
		call->protocol = conn->protocol;
	}
}

unsigned int correlator_in_flight(const struct correlator *c)
{
	return c->used;
}

void correlator_clear(struct correlator *c)
{
	memset(c->slots, 0, RT_CORR_SLOTS * sizeof(*c->slots));
	c->used = 0;
}

static inline u32 slot_hash(int tid)
{
	return ((u32)tid * 2654435761u) & (RT_CORR_SLOTS - 1);
}

static struct thread_slot *slot_find(struct correlator *c, int tid)
{
	for (u32 i = slot_hash(tid);; i = (i + 1) & (RT_CORR_SLOTS - 1)) {
		struct thread_slot *s = &c->slots[i];

		if (s->tid == tid)
			return s;
		if (!s->tid)
			return NULL;
	}
}

static struct thread_slot *slot_get(struct correlator *c, int tid)
{
	struct thread_slot *s;
	u32 i;

	for (i = slot_hash(tid);; i = (i + 1) & (RT_CORR_SLOTS - 1)) {
		s = &c->slots[i];
		if (s->tid == tid)
			return s;
		if (!s->tid)
			break;
	}
	/* keep a quarter free so probing stays short */
	if (c->used >= RT_CORR_SLOTS - RT_CORR_SLOTS / 4)
		return NULL;
	c->used++;
	s->tid = tid;
	s->state = 0;
	return s;
}

/* linear-probing delete: shift later members of the run back */
static void slot_put(struct correlator *c, struct thread_slot *s)
{
	u32 i = (u32)(s - c->slots), j = i;

	if (s->state)
		return;
	c->used--;
	for (;;) {
		u32 home;

		c->slots[i].tid = 0;
		for (;;) {
			j = (j + 1) & (RT_CORR_SLOTS - 1);
			if (!c->slots[j].tid)
				return;
			home = slot_hash(c->slots[j].tid);
			/* can slot j move to i? (home not in (i, j]) */
			if (i <= j ? (home <= i || home > j) :
				     (home <= i && home > j))
				break;
		}
		c->slots[i] = c->slots[j];
		i = j;
	}
}

bool rt_ptrace_request_counted(long request)
{
	switch (request) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
	case PTRACE_PEEKUSER:
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
	case PTRACE_POKEUSER:
	case PTRACE_ATTACH:
	case PTRACE_SEIZE:
		return true;
	default:
		return false;
	}
}

bool rt_is_restart_code(s64 ret)
{
	return ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK;
}

enum rt_via rt_via_of_mm_access(u32 mode, enum rt_sc in_syscall)
{
	if (in_syscall == RT_SC_PROCESS_VM_WRITEV)
		return RT_VIA_PROCESS_VM_WRITEV;
	if (in_syscall == RT_SC_PROCESS_VM_READV)
		return RT_VIA_PROCESS_VM_READV;
	if (in_syscall == RT_SC_PROCESS_MADVISE)
		return RT_VIA_MADVISE;
	if (mode & PTRACE_MODE_ATTACH)
		/* process_vm_rw_core uses REALCREDS, /proc/PID/mem FSCREDS */
		return (mode & PTRACE_MODE_FSCREDS) ? RT_VIA_PROC_MEM :
			RT_VIA_PROCESS_VM_READV;
	return RT_VIA_PROC_READ;
}

static bool addr_len_usable(const struct rt_addr *a, int klen)
{
	switch (a->family) {
	case RT_FAM_INET:
		return klen >= 8;
	case RT_FAM_INET6:
		return klen >= 24;
	default:
		return klen >= 2;
	}
}

static bool addr_usable(const struct rt_event *ev)
{
	return addr_len_usable(&ev->recv_addr.addr, ev->recv_addr.klen);
}

/*
 * Whether the libc uprobe after this recvfrom or recvmsg will come: a UDP
 * socket's receive (UDP-Lite too) with an address buffer.  A uprobe
 * event whose fetch faults (a NULL buffer) is dropped by the kernel, so
 * the wait is only for receives that can have one: a recvfrom whose
 * entry gave a buffer, any recvmsg (its msg_name is not in the syscall
 * tracepoint: a thread whose last receive was a recvmsg with a NULL
 * msg_name keeps its slot until its next one).  Unix-dgram and other
 * families are left out: a stream socket (D-Bus...) looks the same in
 * the receive event and would keep a slot per short-lived client.
 */
static inline bool upend_wanted(const struct thread_slot *s, u8 via,
				u16 family, u16 protocol)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    (protocol != IPPROTO_UDP && protocol != IPPROTO_UDPLITE))
		return false;
	return via == RT_RX_RECVMSG || (via == RT_RX_RECVFROM && s->has_addr);
}

/* ns from then to now, 0 if the clock went back */
static inline u64 ns_since(u64 now, u64 then)
{
	return now >= then ? now - then : 0;
}

/* a syscall that makes one socket receive or send */
static inline bool via_one(bool tx, u8 via)
{
	return tx ? via == RT_TX_SENDTO || via == RT_TX_SENDMSG :
		    via == RT_RX_RECVFROM || via == RT_RX_RECVMSG;
}

/* one of those or recvmmsg, sendmmsg: a message syscall */
static inline bool via_msg(bool tx, u8 via)
{
	return via_one(tx, via) ||
	       via == (tx ? RT_TX_SENDMMSG : RT_RX_RECVMMSG);
}

static void recv_exit(struct correlator *c, struct thread_slot *s,
		      const struct rt_event *ev)
{
	unsigned int br = ev->exit.sc;
	struct rt_recv_call call = {
		.ts = ev->ts,
		.tid = ev->tid,
		.fd = -1,
		.ret = ev->exit.ret,
		.via = (u8)(rt_br_is_tx(br) ? rt_br_tx_via(br) : br),
		.tx = rt_br_is_tx(br),
	};

	if (rt_is_restart_code(ev->exit.ret)) {
		/* the call goes on (restarted) or ends in EINTR later */
		c->stats->ival.restarts++;
		if (s)
			s->state &= ~(ST_RECV | ST_ADDR);
		return;
	}
	if (s && (s->state & ST_RECV) && s->via == br) {
		call.has_latency = true;
		call.latency = ns_since(ev->ts, s->recv_ts);
		call.fd = s->fd;
		call.peek = !call.tx && (s->flags & MSG_PEEK) != 0;
		if (call.tx)
			call.has_latency = false;
		if (s->state & ST_ADDR)
			call.peer = &s->addr;
		s->state &= ~(ST_RECV | ST_ADDR);
		/* the libc uprobe after it may name the sender */
		if (c->uprobes && !call.tx && call.ret > 0 && !call.peek &&
		    via_one(false, call.via) && call.fd >= 0 && fdc_get(c)) {
			u16 fam = 0, proto = 0;

			fdclass_lookup(c->fdc, stats_tgid_of(c->stats, call.tid),
				       call.fd, &fam, &proto);
			if (upend_wanted(s, call.via, fam, proto)) {
				s->pend = call;
				s->state |= ST_UPEND;
			}
		}
	} else {
		if (s)
			s->state &= ~(ST_RECV | ST_ADDR);
		c->stats->ival.unpaired++;
	}
	recv_exit_classify(c, &call);
}

/* ---- sock and kprobe backends: socket receives and sends ---- */

/*
 * Which socket receives and sends are the user's: a restart is retried;
 * recvmmsg ends its vector with a failed non-blocking receive once it
 * has a datagram, sendmmsg at a failed send once it has sent a message
 * (the call returns the messages sent), and a sendfile or splice that
 * moved bytes returns them whatever its last socket send said; io_uring
 * tries without blocking first (-EAGAIN: it waits for the socket and
 * tries again).
 */
static inline bool sock_counted(struct correlator *c,
				const struct thread_slot *br, bool tx, u8 via,
				s32 ret)
{
	if (rt_is_restart_code(ret)) {
		c->stats->ival.restarts++;
		return false;
	}
	if (ret >= 0)
		return true;
	if (br && br->nsock && (tx ? via == RT_TX_SENDMMSG ||
				     via == RT_TX_SENDFILE ||
				     via == RT_TX_SPLICE :
				     via == RT_RX_RECVMMSG))
		return false;
	if (via == (tx ? RT_TX_IO_URING : RT_RX_IO_URING) && ret == EAGAIN_RET)
		return false;
	return true;
}

/*
 * The next socket receive or send counted in bracket br: how many came
 * before it.  A second one in a syscall that makes one means the
 * syscall's exit was lost (and this entry).
 */
static inline u16 bracket_next(struct correlator *c, struct thread_slot *br,
			       bool tx, u8 via)
{
	if (br->nsock && via_one(tx, via))
		c->stats->ival.unpaired++;
	return br->nsock++;
}

/*
 * One socket receive: sock:sock_recv_length, or a protocol recvmsg's
 * entry and return paired (entry_ts: when it entered, else 0)
 */
static void sock_recv(struct correlator *c, const struct rt_event *ev,
		      u64 entry_ts)
{
	struct thread_slot *s = slot_find(c, ev->tid);
	struct thread_slot *br = s && (s->state & ST_RECV) ? s : NULL;
	enum rt_rx_via via = br ? (enum rt_rx_via)br->via : RT_RX_READ;
	struct rt_recv_call call = {
		.ts = ev->ts,
		.tid = ev->tid,
		.fd = br ? br->fd : -1,
		.ret = ev->sock.ret,
		.via = (u8)via,
		.peek = (ev->sock.flags & MSG_PEEK) != 0,
		.sk = ev->sock.sk,
		.family = ev->sock.family,
		.protocol = ev->sock.protocol,
		/* our port, for a sender's row (a connection's: conn_peer) */
		.peer_lport = ev->sock.family == AF_INET ||
			      ev->sock.family == AF_INET6 ? ev->sock.lport : 0,
	};

	if (s)
		s->state &= ~(ST_PEND | ST_UPEND);
	if (!sock_counted(c, br, false, (u8)via, ev->sock.ret)) {
		if (br)
			br->nsock++;
		return;
	}
	conn_peer(c, &call);
	if (br) {
		/* the bracket's first receive has its latency */
		if (!bracket_next(c, br, false, (u8)via)) {
			call.has_latency = true;
			call.latency = ns_since(ev->ts, br->recv_ts);
		}
		/* a splice or io_uring_enter has no fd of the socket */
		if (via == RT_RX_SPLICE || via == RT_RX_IO_URING)
			call.fd = via == RT_RX_SPLICE ? br->fd : -1;
		/* the kernel copies the sender's address after the
		 * receive: the peer is counted when it comes (or came,
		 * before a missed return: see sock_exit_missed) */
		if (call.ret > 0 && via_msg(false, (u8)via) && !call.peer) {
			br->pend = call;
			br->state |= ST_PEND;
		}
	} else if (entry_ts) {
		/* read, readv, io_uring: the protocol's entry and return */
		call.has_latency = true;
		call.latency = ns_since(ev->ts, entry_ts);
	}
	stats_add_recv(c->stats, &call);
}

/*
 * One socket send: sock:sock_send_length, or a protocol send function's
 * entry and return paired.  Inside a send syscall (or io_uring_enter,
 * splice) it is that syscall's; outside any, a write.  A sendfile or
 * splice makes one socket send per pipe load (on 6.1, per page): the
 * first is the call, the others add their bytes to it.
 */
static void sock_send(struct correlator *c, const struct rt_event *ev)
{
	struct thread_slot *s = slot_find(c, ev->tid);
	struct thread_slot *br = s && (s->state & ST_RECV) &&
				 rt_br_tx_via(s->via) != RT_TX_WRITE ? s : NULL;
	enum rt_tx_via via = br ? rt_br_tx_via(br->via) : RT_TX_WRITE;
	struct rt_recv_call call = {
		.ts = ev->ts,
		.tid = ev->tid,
		.fd = -1,
		.ret = ev->sock.ret,
		.via = (u8)via,
		.tx = true,
		.sk = ev->sock.sk,
		.family = ev->sock.family,
		.protocol = ev->sock.protocol,
	};

	/* the destination the caller named (kprobe backend) */
	if (ev->sock.has_dst && ev->sock.dst.family != RT_FAM_OTHER &&
	    addr_len_usable(&ev->sock.dst, ev->sock.dst_klen))
		call.peer = &ev->sock.dst;
	if (!sock_counted(c, br, true, (u8)via, ev->sock.ret)) {
		if (br)
			br->nsock++;
		return;
	}
	if (!call.peer)
		conn_peer(c, &call);
	if (br) {
		call.more = bracket_next(c, br, true, (u8)via) &&
			    (via == RT_TX_SENDFILE || via == RT_TX_SPLICE);
		if (via == RT_TX_SPLICE)
			call.fd = br->fd2;
		else if (via != RT_TX_IO_URING)
			call.fd = br->fd;
	}
	stats_add_recv(c->stats, &call);
}

/* ---- kprobe backend: a protocol call's entry and return ---- */

/* a protocol recvmsg's or send function's entry, kept to its return */
static rt_always_inline void sk_enter(struct correlator *c,
				      struct thread_slot *s,
				      const struct rt_event *ev, bool tx)
{
	struct sk_entry *e = &s->sk[tx];

	/* a second entry: the first one's return was lost (outside a
	 * recvfrom/recvmsg nothing tells a receive's bytes) */
	if (s->state & st_sk(tx))
		c->stats->ival.unpaired++;
	s->state |= st_sk(tx);
	e->sk = ev->sock.sk;
	e->family = ev->sock.family;
	e->protocol = ev->sock.protocol;
	e->lport = ev->sock.lport;
	e->flags = ev->sock.flags;
	if (!tx) {
		/* a sender address from now on is this receive's */
		s->state &= ~ST_PEND;
		s->sk_ts = ev->ts;
	} else if (ev->sock.has_dst) {
		s->tx_dst_klen = ev->sock.dst_klen;
		s->tx_dst = ev->sock.dst;
	} else {
		s->tx_dst_klen = 0;
	}
}

/*
 * The protocol call in flight on s ends, at its return or its syscall's
 * exit (ev): with its entry, one socket receive or send (entry_ts: a
 * receive's entry, else 0).
 */
static rt_always_inline void sk_call_end(struct correlator *c,
					 struct thread_slot *s, bool tx,
					 const struct rt_event *ev,
					 u64 entry_ts)
{
	const struct sk_entry *e = &s->sk[tx];
	struct rt_event sev;

	s->state &= ~st_sk(tx);
	memset(&sev, 0, sizeof(sev));
	sev.kind = tx ? RT_EV_SOCK_SEND : RT_EV_SOCK_RECV;
	sev.ts = ev->ts;
	sev.cpu = ev->cpu;
	sev.tid = ev->tid;
	sev.sock.sk = e->sk;
	sev.sock.family = e->family;
	sev.sock.protocol = e->protocol;
	sev.sock.lport = e->lport;
	sev.sock.flags = e->flags;
	sev.sock.ret = (s32)ev->exit.ret;
	if (!tx) {
		sock_recv(c, &sev, entry_ts);
		return;
	}
	sev.sock.has_dst = s->tx_dst_klen > 0;
	sev.sock.dst_klen = s->tx_dst_klen;
	sev.sock.dst = s->tx_dst;
	sock_send(c, &sev);
}

/* a protocol recvmsg's or send function's return: with its entry, one
 * socket receive or send */
static rt_always_inline void sock_exit(struct correlator *c,
				       struct thread_slot *s,
				       const struct rt_event *ev, bool tx)
{
	if (!s || !(s->state & st_sk(tx))) {
		c->stats->ival.unpaired++;	/* its entry was lost */
		return;
	}
	sk_call_end(c, s, tx, ev, tx ? 0 : s->sk_ts);
}

/*
 * A recvfrom, recvmsg, sendto or sendmsg ends while its protocol call
 * never returned: the kretprobe had no free instance (kprobe_profile
 * counts it as missed).  Such a syscall makes exactly one socket receive
 * or send, and returns what the protocol returned: it is counted from
 * the syscall's exit, a receive's sender from the address copied before.
 */
static void sock_exit_missed(struct correlator *c, struct thread_slot *s,
			     bool tx, const struct rt_event *ev)
{
	bool addr = s->state & ST_ADDR;

	s->state &= ~ST_ADDR;
	sk_call_end(c, s, tx, ev, 0);
	if (addr && (s->state & ST_PEND)) {
		s->state &= ~ST_PEND;
		s->pend.peer = &s->addr;
		stats_add_recv_peer(c->stats, &s->pend);
	}
}

/*
 * Whether a syscall that failed before reaching a socket (EBADF,
 * ENOTSOCK, EFAULT...) is still the user's failed call: a receive
 * syscall but io_uring_enter and splice; a sendto, sendmsg or sendmmsg
 * whose entry was seen.
 */
static bool bracket_fail_counted(bool tx, u8 via, bool paired)
{
	if (tx)
		return paired && via_msg(tx, via);
	return via != RT_RX_IO_URING && via != RT_RX_SPLICE;
}

/*
 * A receive or send syscall's exit on the sock and kprobe backends: it
 * says how its socket receives or sends came, and counts the ones whose
 * protocol call's return was missed (sock_exit_missed) and the calls
 * that failed before reaching a socket.
 */
static void sock_bracket_exit(struct correlator *c, struct thread_slot *s,
			      const struct rt_event *ev)
{
	unsigned int br = ev->exit.sc;
	bool tx = rt_br_is_tx(br);
	u8 via = (u8)(tx ? rt_br_tx_via(br) : br);
	bool paired = s && (s->state & ST_RECV) && s->via == br;
	bool restart = rt_is_restart_code(ev->exit.ret);
	/* a send syscall's exit leaves a protocol recvmsg in flight */
	u32 sk = tx ? ST_SKOUT : ST_SKIN | ST_SKOUT;
	bool seen;

	if (paired && (s->state & st_sk(tx)) && !s->nsock &&
	    via_one(tx, via) && !restart)
		sock_exit_missed(c, s, tx, ev);
	seen = paired && s->nsock > 0;
	if (s) {
		/* a recvfrom's or recvmsg's receive waiting for its sender:
		 * the libc uprobe after the syscall may name it (not a TCP
		 * socket's: the kernel writes no address for those) */
		bool upend = c->uprobes && paired && !tx &&
			     (s->state & ST_PEND) && via_one(false, via) &&
			     s->nsock == 1 && ev->exit.ret == s->pend.ret &&
			     upend_wanted(s, via, s->pend.family,
					  s->pend.protocol);

		if (s->state & sk)
			c->stats->ival.unpaired++;	/* a return lost */
		s->state &= ~(ST_RECV | ST_ADDR | ST_PEND | sk);
		if (upend)
			s->state |= ST_UPEND;
	}
	if (!paired)
		c->stats->ival.unpaired++;	/* its entry was lost */
	else if (!seen && ev->exit.ret >= 0 && via_msg(tx, via))
		c->stats->ival.unpaired++;	/* its receive or send was lost */
	if (restart) {
		/* a send's restart counts here, a receive's at its socket
		 * receive if it had one */
		if (tx || (!seen && bracket_fail_counted(tx, via, paired)))
			c->stats->ival.restarts++;
	} else if (!seen && ev->exit.ret < 0 &&
		   bracket_fail_counted(tx, via, paired)) {
		struct rt_recv_call call = {
			.ts = ev->ts,
			.tid = ev->tid,
			.fd = paired ? s->fd : -1,
			.ret = ev->exit.ret,
			.via = via,
			.tx = tx,
			.has_latency = paired && !tx,
			.latency = paired && !tx ?
				   ns_since(ev->ts, s->recv_ts) : 0,
		};

		stats_add_recv(c->stats, &call);
	}
}

static void mem_report(struct correlator *c, int tid, u64 ts, int target_tid,
		       int target_tgid, const char *comm, enum rt_via via,
		       s64 ret)
{
	struct rt_mem_access a = {
		.ts = ts,
		.tid = tid,
		.target_tid = target_tid,
		.target_tgid = target_tgid,
		.target_comm = comm && comm[0] ? comm : NULL,
		.via = (u8)via,
		.denied = ret == -EPERM || ret == -EACCES,
	};

	stats_add_mem(c->stats, &a);
}

static void mm_exit(struct correlator *c, struct thread_slot *s,
		    const struct rt_event *ev)
{
	enum rt_via via;

	if (!s || !(s->state & ST_MM)) {
		c->stats->ival.unpaired++;
		return;
	}
	s->state &= ~ST_MM;
	via = rt_via_of_mm_access(s->mm_mode, (s->state & ST_SC) ?
				  (enum rt_sc)s->sc : RT_SC_NONE);
	mem_report(c, ev->tid, ev->ts, s->mm_tid, s->mm_tgid, s->mm_comm, via,
		   ev->exit.ret);
}

static void sc_exit(struct correlator *c, struct thread_slot *s,
		    const struct rt_event *ev)
{
	/* an exit whose entry the kernel filter dropped (a ptrace request
	 * recvtop does not count, PTRACE_TRACEME...) is expected */
	if (!s || !(s->state & ST_SC) || s->sc != ev->exit.sc)
		return;
	s->state &= ~ST_SC;
	if (rt_is_restart_code(ev->exit.ret)) {
		c->stats->ival.restarts++;
		return;
	}
	switch (s->sc) {
	case RT_SC_PTRACE:
		if (rt_ptrace_request_counted(s->sc_request))
			mem_report(c, ev->tid, ev->ts, s->sc_target, 0, NULL,
				   RT_VIA_PTRACE, ev->exit.ret);
		break;
	case RT_SC_PROCESS_VM_READV:
	case RT_SC_PROCESS_VM_WRITEV:
		if (!c->mm_access)
			mem_report(c, ev->tid, ev->ts, s->sc_target, 0, NULL,
				   s->sc == RT_SC_PROCESS_VM_READV ?
				   RT_VIA_PROCESS_VM_READV :
				   RT_VIA_PROCESS_VM_WRITEV, ev->exit.ret);
		break;
	default:
		/* process_madvise: only a label for mm_access */
		break;
	}
}

/*
 * The libc uprobe right after a recvfrom or recvmsg returned, in the
 * same thread: the receive was counted at its socket receive (sock) or
 * syscall exit (tracepoint); the sender the kernel wrote into the
 * caller's buffer counts on the peers table now, as "user".  Nothing
 * when no buffer was given (recv(), a NULL src_addr or msg_name), when
 * the kernel wrote no address (klen 0: a connected TCP socket), or when
 * the event is not that receive's.
 */
static void user_addr(struct correlator *c, struct thread_slot *s,
		      const struct rt_event *ev)
{
	const struct rt_addr *a = &ev->user_addr.addr;

	if (!s || !(s->state & ST_UPEND))
		return;
	s->state &= ~ST_UPEND;
	if (!ev->user_addr.uaddr || ev->user_addr.ret != s->pend.ret ||
	    s->pend.via != ev->user_addr.via || a->family == RT_FAM_OTHER ||
	    !addr_len_usable(a, ev->user_addr.klen))
		return;
	s->addr = *a;
	s->pend.peer = &s->addr;
	s->pend.peer_user = true;
	stats_add_recv_peer(c->stats, &s->pend);
}

void correlate_event(struct correlator *c, const struct rt_event *ev)
{
	struct thread_slot *s;

	switch (ev->kind) {
	case RT_EV_RECV_ENTER:
		s = slot_get(c, ev->tid);
		if (!s) {
			c->stats->ival.unpaired++;
			return;
		}
		s->state &= ~(ST_PEND | ST_UPEND);
		if (s->state & (ST_RECV | ST_SKIN | ST_SKOUT))
			c->stats->ival.unpaired++;	/* its return was lost */
		s->state = (s->state & ~(ST_RECV | ST_ADDR | ST_SKIN |
					 ST_SKOUT)) | ST_RECV;
		s->recv_ts = ev->ts;
		s->fd = ev->recv_enter.fd;
		s->fd2 = ev->recv_enter.fd2;
		s->via = ev->recv_enter.via;
		s->flags = ev->recv_enter.flags;
		s->has_addr = ev->recv_enter.has_addr;
		s->nsock = 0;
		return;
	case RT_EV_RECV_ADDR:
		/* move_addr_to_user also serves accept, getsockname...:
		 * only take it inside this thread's receive */
		s = slot_find(c, ev->tid);
		if (!s || !(s->state & ST_RECV) || !addr_usable(ev))
			return;
		if (s->state & ST_PEND) {
			s->state &= ~ST_PEND;
			s->addr = ev->recv_addr.addr;
			s->pend.peer = &s->addr;
			stats_add_recv_peer(c->stats, &s->pend);
		} else if (!c->sock || (s->state & ST_SKIN)) {
			/* sock: a receive whose return probe missed */
			s->addr = ev->recv_addr.addr;
			s->state |= ST_ADDR;
		}
		return;
	case RT_EV_SOCK_RECV:
		sock_recv(c, ev, 0);
		s = slot_find(c, ev->tid);
		break;
	case RT_EV_SOCK_SEND:
		sock_send(c, ev);
		s = slot_find(c, ev->tid);
		break;
	case RT_EV_SOCK_ENTER:
		s = slot_get(c, ev->tid);
		if (!s) {
			c->stats->ival.unpaired++;
			return;
		}
		if (ev->sock.tx)
			sk_enter(c, s, ev, true);
		else
			sk_enter(c, s, ev, false);
		return;
	case RT_EV_SOCK_EXIT:
		s = slot_find(c, ev->tid);
		if (ev->exit.sc)
			sock_exit(c, s, ev, true);
		else
			sock_exit(c, s, ev, false);
		break;
	case RT_EV_RECV_EXIT:
		s = slot_find(c, ev->tid);
		if (c->sock)
			sock_bracket_exit(c, s, ev);
		else
			recv_exit(c, s, ev);
		break;
	case RT_EV_MM_ENTER:
		s = slot_get(c, ev->tid);
		if (!s) {
			c->stats->ival.unpaired++;
			return;
		}
		if (s->state & ST_MM)
			c->stats->ival.unpaired++;
		s->state |= ST_MM;
		s->mm_ts = ev->ts;
		s->mm_tid = ev->mm_enter.target_pid;
		s->mm_tgid = ev->mm_enter.target_tgid;
		s->mm_mode = ev->mm_enter.mode;
		memcpy(s->mm_comm, ev->mm_enter.target_comm, RT_COMM_LEN);
		return;
	case RT_EV_MM_EXIT:
		s = slot_find(c, ev->tid);
		mm_exit(c, s, ev);
		break;
	case RT_EV_SC_ENTER:
		s = slot_get(c, ev->tid);
		if (!s) {
			c->stats->ival.unpaired++;
			return;
		}
		if (s->state & ST_SC)
			c->stats->ival.unpaired++;
		s->state |= ST_SC;
		s->sc = ev->sc_enter.sc;
		s->sc_target = ev->sc_enter.target_pid;
		s->sc_request = ev->sc_enter.request;
		return;
	case RT_EV_SC_EXIT:
		s = slot_find(c, ev->tid);
		sc_exit(c, s, ev);
		break;
	case RT_EV_SOCKET_ENTER:
		s = slot_get(c, ev->tid);
		if (!s)
			return;
		s->state |= ST_NEWSOCK;
		s->ns_fd = ev->sock_new.fd;
		s->ns_family = ev->sock_new.family;
		s->ns_type = ev->sock_new.type;
		s->ns_protocol = ev->sock_new.protocol;
		return;
	case RT_EV_SOCKET_EXIT:
		s = slot_find(c, ev->tid);
		newsock_exit(c, s, ev);
		break;
	case RT_EV_FD_CLOSE:
		if (ev->fd_close.last >= 0 && fdc_get(c))
			fdclass_close(c->fdc, stats_tgid_of(c->stats, ev->tid),
				      ev->fd_close.first, ev->fd_close.last);
		return;
	case RT_EV_PROC_RESET:
		if (fdc_get(c))
			fdclass_reset_process(c->fdc, ev->proc_reset.exec ?
					      stats_tgid_of(c->stats, ev->tid) :
					      ev->proc_reset.pid);
		return;
	case RT_EV_USER_ADDR:
		s = slot_find(c, ev->tid);
		user_addr(c, s, ev);
		break;
	case RT_EV_SOCK_STATE:
		conntab_state(c->conns, ev->ts, ev->sock_state.sk,
			      ev->sock_state.newstate, ev->sock_state.protocol,
			      &ev->sock_state.local, &ev->sock_state.remote);
		return;
	case RT_EV_MARKER:
		if (ev->marker.what == RT_MARK_FD && fdc_get(c))
			fdclass_marker(c->fdc, ev->marker.tgid, ev->marker.fd,
				       (enum rt_fd_kind)ev->marker.fd_kind,
				       ev->marker.family, ev->marker.protocol);
		return;
	default:
		return;
	}
	if (s && !s->state)
		slot_put(c, s);
}
