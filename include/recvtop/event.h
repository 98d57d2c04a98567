/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_EVENT_H
#define RECVTOP_EVENT_H

#include "recvtop/common.h"

/*
 * Typed events: what decode makes of a raw trace event, whichever backend
 * wrote it.  Nothing here points into the ring-buffer page except where
 * noted, so an event can be kept after the page is recycled.
 */

enum rt_event_kind {
	RT_EV_NONE = 0,
	RT_EV_RECV_ENTER,	/* receive or send syscall entry: via (a
				 * bracket, enum rt_bracket), fd, size, flags */
	RT_EV_RECV_ADDR,	/* sender address copied by the kernel (kprobe) */
	RT_EV_RECV_EXIT,	/* its return (exit.sc: the bracket) */
	RT_EV_SOCK_RECV,	/* sock:sock_recv_length: one socket receive */
	RT_EV_SOCK_ENTER,	/* a protocol recvmsg's entry (kprobe): sock */
	RT_EV_SOCK_EXIT,	/* its return (kretprobe): exit.ret;
				 * exit.sc 1: a send function's */
	RT_EV_SOCK_SEND,	/* sock:sock_send_length: one socket send */
	RT_EV_MM_ENTER,		/* mm_access entry: target task, mode (kprobe) */
	RT_EV_MM_EXIT,		/* mm_access return */
	RT_EV_SC_ENTER,		/* memory-reader syscall entry (rt_sc) */
	RT_EV_SC_EXIT,		/* memory-reader syscall exit */
	RT_EV_SOCKET_ENTER,	/* socket()/accept() entry (tracepoint) */
	RT_EV_SOCKET_EXIT,	/* its return: the new descriptor */
	RT_EV_FD_CLOSE,		/* close, dup2/dup3 onto, close_range */
	RT_EV_PROC_RESET,	/* exec, or a new task: its fds are others */
	RT_EV_TASK_NEW,		/* task:task_newtask: a thread or process */
	RT_EV_TASK_RENAME,	/* task:task_rename: prctl, comm write, exec */
	RT_EV_CGROUP_ATTACH,	/* cgroup:cgroup_attach_task (v2 only) */
	RT_EV_CGROUP_DIR,	/* cgroup:cgroup_mkdir/_rmdir (v2 only) */
	RT_EV_NETNS_ENTER,	/* unshare(CLONE_NEWNET) or setns entry */
	RT_EV_NETNS_EXIT,	/* their return */
	RT_EV_MARKER,		/* recvtop's own trace_marker line */
	RT_EV_SOCK_STATE,	/* sock:inet_sock_set_state: a TCP socket's
				 * state and 4-tuple */
	RT_EV_USER_ADDR,	/* libc uprobe after recvfrom/recvmsg: its
				 * return and the sender address the kernel
				 * wrote to user memory */
	RT_EV_OTHER,		/* an event recvtop does not interpret */
	RT_EV_NR_KINDS,
};

/* the memory-reader syscalls recvtop follows */
enum rt_sc {
	RT_SC_NONE = 0,
	RT_SC_PROCESS_VM_READV,
	RT_SC_PROCESS_VM_WRITEV,
	RT_SC_PTRACE,
	RT_SC_PROCESS_MADVISE,
	RT_SC_NR,
};

/*
 * How a receive reached the socket.  The syscall ones come from the
 * syscall that brackets it; "read" is read/readv/preadv (and any socket
 * receive outside a bracket on the sock backend).
 */
enum rt_rx_via {
	RT_RX_RECVFROM = 0,
	RT_RX_RECVMSG,
	RT_RX_RECVMMSG,
	RT_RX_READ,
	RT_RX_IO_URING,
	RT_RX_SPLICE,
	RT_RX_NR,
};

/*
 * How a send reached the socket: "write" is write/writev/pwritev2 (and
 * any socket send outside a bracket on the sock and kprobe backends).
 * Named "send:sendto"... in the output.
 */
enum rt_tx_via {
	RT_TX_SENDTO = 0,
	RT_TX_SENDMSG,
	RT_TX_SENDMMSG,
	RT_TX_WRITE,
	RT_TX_IO_URING,
	RT_TX_SPLICE,
	RT_TX_SENDFILE,
	RT_TX_NR,
};

/*
 * The syscall a receive or send event brackets (RT_EV_RECV_ENTER's via,
 * RT_EV_RECV_EXIT's exit.sc): the receive vias, then the send-only
 * syscalls at RT_BR_TX(via).  io_uring_enter and splice serve both ways
 * (RT_RX_IO_URING, RT_RX_SPLICE).
 */
#define RT_BR_TX(v)	(RT_RX_NR + (v))
#define RT_BR_NR	RT_BR_TX(RT_TX_NR)

static inline bool rt_br_is_tx(unsigned int br)
{
	return br >= RT_RX_NR;
}

/* the send via of a bracket; RT_TX_WRITE for a receive-only one */
static inline enum rt_tx_via rt_br_tx_via(unsigned int br)
{
	if (br == RT_RX_IO_URING)
		return RT_TX_IO_URING;
	if (br == RT_RX_SPLICE)
		return RT_TX_SPLICE;
	if (br >= RT_RX_NR && br < RT_BR_NR)
		return (enum rt_tx_via)(br - RT_RX_NR);
	return RT_TX_WRITE;
}

/* socket protocols as recvtop groups them */
enum rt_proto {
	RT_PROTO_TCP = 0,
	RT_PROTO_UDP,
	RT_PROTO_UNIX,
	RT_PROTO_RAW,
	RT_PROTO_OTHER,
	RT_PROTO_NR,
};

enum rt_family {
	RT_FAM_INET = 0,
	RT_FAM_INET6,
	RT_FAM_UNIX,
	RT_FAM_OTHER,
	RT_FAM_NR,
};

#define RT_ADDR_BYTES 22	/* ip6 is 16; a unix path prefix up to 22 */

struct rt_addr {
	u8 family;		/* enum rt_family */
	u8 len;			/* bytes used in addr[] */
	u16 port;		/* host order */
	u16 raw_family;		/* AF_* as the kernel stored it */
	u8 addr[RT_ADDR_BYTES];	/* network order for inet/inet6 */
};

/*
 * recvtop's own trace_marker lines: "recvtop: start delay=NS" when
 * tracing starts (NS: the refresh interval), "recvtop: delay NS" when the
 * live view's delay changes, "recvtop: stop" at the end.  The pipeline
 * cuts intervals by them, so a replay cuts the live run's intervals.
 */
/* what a process's descriptor is, as fd markers say (RT_FD_UNKNOWN: gone) */
enum rt_fd_kind {
	RT_FD_UNKNOWN = 0,	/* never asked, or forgotten; gone */
	RT_FD_ASKED,		/* the marker has not come back yet */
	RT_FD_SOCKET,
	RT_FD_FILE,		/* a file, pipe, tty...: not a receive */
};

enum rt_marker {
	RT_MARK_START = 1,
	RT_MARK_STOP,
	RT_MARK_DELAY,
	RT_MARK_FD,		/* "fd TGID FD sock FAMILY PROTOCOL|file|gone" */
	RT_MARK_OTHER,
};

struct rt_event {
	u64 ts;
	int cpu;
	int tid;		/* common_pid: the thread */
	u16 kind;		/* enum rt_event_kind */
	u16 id;			/* trace event id */
	union {
		struct {
			int fd;		/* -1: not known (sendfile: out_fd,
					 * splice: fd_in) */
			int fd2;	/* splice: fd_out, else -1 */
			u32 flags;
			u64 size;
			bool has_addr;
			u8 via;		/* the bracket: enum rt_rx_via, or
					 * RT_BR_TX(enum rt_tx_via) */
		} recv_enter;
		struct {
			u64 sk;		/* the kernel's struct sock address */
			u16 family;	/* AF_* */
			u16 protocol;	/* IPPROTO_*, or 0 */
			u16 lport;	/* a receive's local port (kprobe
					 * backend, inet sockets), or 0 */
			s32 ret;	/* bytes, or -errno */
			u32 flags;	/* MSG_* of the receive */
			bool tx;	/* SOCK_ENTER: a send function's */
			bool has_dst;	/* tx: the destination given */
			int dst_klen;
			struct rt_addr dst;
		} sock;		/* SOCK_RECV, SOCK_SEND, SOCK_ENTER (ret 0) */
		struct {
			struct rt_addr addr;
			int klen;
		} recv_addr;
		struct {
			struct rt_addr addr;
			int klen;	/* the length the kernel wrote */
			s64 ret;	/* the syscall's return */
			u64 uaddr;	/* the user buffer; 0: none asked */
			u8 via;		/* RT_RX_RECVFROM or RT_RX_RECVMSG */
		} user_addr;
		struct {
			s64 ret;
			u16 sc;		/* SC_EXIT: enum rt_sc; RECV_EXIT:
					 * enum rt_rx_via */
		} exit;		/* RECV_EXIT, MM_EXIT, SC_EXIT */
		struct {
			int target_pid;		/* task->pid (thread id) */
			int target_tgid;	/* task->tgid */
			u32 mode;		/* PTRACE_MODE_* */
			char target_comm[RT_COMM_LEN];
		} mm_enter;
		struct {
			u16 sc;			/* enum rt_sc */
			int target_pid;
			long request;		/* ptrace request */
		} sc_enter;
		struct {
			u16 what;		/* enum rt_marker */
			u64 value;		/* delay in ns, 0: none */
			/* RT_MARK_FD: what the descriptor is */
			int tgid, fd;
			u8 fd_kind;		/* enum rt_fd_kind */
			u16 family, protocol;
		} marker;
		struct {
			int fd;			/* accept: the listener; -1 */
			u16 family, type, protocol;	/* socket() */
		} sock_new;
		struct {
			int first, last;
		} fd_close;
		struct {
			int pid;	/* exec: the thread; fork: the child */
			bool exec;
		} proc_reset;
		struct {
			int pid;	/* the new thread; tid is its parent */
			u64 clone_flags;
			char comm[RT_COMM_LEN];	/* the new task's */
		} task_new;
		struct {
			int pid;	/* the renamed thread (tid: the one
					 * that renamed it) */
			char comm[RT_COMM_LEN];	/* its new name */
		} task_rename;
		struct {
			int pid;	/* the moved thread */
			int root;	/* hierarchy id: 0 is cgroup v2 */
			const char *path;	/* into the record: valid
						 * while it is */
			u32 path_len;
		} cgroup_attach;
		struct {
			int root;	/* hierarchy id: 0 is cgroup v2 */
			bool removed;	/* rmdir; else mkdir */
			const char *path;	/* into the record */
			u32 path_len;
		} cgroup_dir;
		struct {
			bool sure;	/* unshare(CLONE_NEWNET), setns with
					 * CLONE_NEWNET; else a setns(fd, 0)
					 * that may join a netns */
		} netns_enter;
		struct {
			u64 sk;		/* skaddr: sk of the receives */
			int oldstate, newstate;	/* TCP_* */
			u16 protocol;	/* IPPROTO_* */
			struct rt_addr local, remote;
		} sock_state;
	};
};

const char *rt_event_kind_name(enum rt_event_kind kind);
const char *rt_family_name(enum rt_family fam);
const char *rt_rx_via_name(enum rt_rx_via via);
/* "send:sendto", "send:write"... */
const char *rt_tx_via_name(enum rt_tx_via via);
/* a bracket's syscall: "recvfrom"... "sendto", "write", "sendfile" */
const char *rt_br_name(unsigned int br);
const char *rt_proto_name(enum rt_proto proto);
/*
 * A socket's family and protocol from its sockfs name (the
 * system.sockprotoname attribute: "TCP", "UDPv6", "UNIX-STREAM"...);
 * family 0xffff for a kind recvtop does not name
 */
void rt_sockproto_parse(const char *name, u16 *family, u16 *protocol);

/* the group of a socket from its AF_* family and IPPROTO_* protocol */
enum rt_proto rt_proto_of(u16 family, u16 protocol);
/* Format an address for output ("127.0.0.1", "::1", "/tmp/sock", "@abstract") */
int rt_addr_format(const struct rt_addr *a, char *buf, size_t len);

#endif
