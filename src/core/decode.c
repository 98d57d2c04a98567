// SPDX-License-Identifier: GPL-2.0
/* The decode stage: event payloads -> typed events, offsets cached per id. */
#include <arpa/inet.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <traceevent/event-parse.h>

#include "recvtop/decode.h"

enum slot {
	S_FD, S_SIZE, S_FLAGS, S_ADDR, S_RET,
	S_KLEN, S_FAM, S_PORT, S_IP4, S_IP6,
	S_TPID, S_TTGID, S_TCOMM, S_MODE,
	S_PID, S_REQUEST, S_BUF,
	S_FDIN, S_SK, S_FAMILY, S_PROTO,
	S_NEWFD, S_MAXFD, S_CHILD, S_TYPE,
	S_FDOUT, S_OUTFD, S_NAME,
	S_COMM, S_CLONE, S_NEWCOMM, S_DSTROOT, S_DSTPATH,
	S_SKADDR, S_OLDST, S_NEWST, S_SPORT, S_DPORT,
	S_SADDR, S_DADDR, S_SADDR6, S_DADDR6, S_LPORT,
	S_USFLAGS, S_ROOT, S_PATH,
	S_NR,
};

#define SL_VALID	0x1
#define SL_SIGNED	0x2
#define SL_DYNAMIC	0x4

struct slot_info {
	u16 off;
	u16 size;
	u8 flags;
};

struct event_desc {
	u16 kind;
	u16 sc;
	u64 need;		/* slots that must exist */
	u32 min_size;		/* a record holds every needed slot */
	struct slot_info s[S_NR];
};

struct decoder {
	struct event_desc **by_id;
	u32 nr_ids;
	bool swap;
	unsigned int known;
	bool has_recv, has_mem, has_sock, has_addr, has_conn, has_uaddr;
	const char *backend;
	struct event_desc *descs;
	unsigned int nr_descs;
};

static const char *const slot_names[S_NR] = {
	[S_FD] = "fd", [S_SIZE] = "size", [S_FLAGS] = "flags",
	[S_ADDR] = "addr", [S_RET] = "ret", [S_KLEN] = "klen",
	[S_FAM] = "fam", [S_PORT] = "port", [S_IP4] = "ip4", [S_IP6] = "ip6",
	[S_TPID] = "tpid", [S_TTGID] = "ttgid", [S_TCOMM] = "tcomm",
	[S_MODE] = "mode", [S_PID] = "pid", [S_REQUEST] = "request",
	[S_BUF] = "buf", [S_FDIN] = "fd_in", [S_SK] = "sk",
	[S_FAMILY] = "family", [S_PROTO] = "protocol",
	[S_NEWFD] = "newfd", [S_MAXFD] = "max_fd", [S_CHILD] = "child_pid",
	[S_TYPE] = "type", [S_FDOUT] = "fd_out", [S_OUTFD] = "out_fd",
	[S_NAME] = "name", [S_COMM] = "comm", [S_CLONE] = "clone_flags",
	[S_NEWCOMM] = "newcomm", [S_DSTROOT] = "dst_root",
	[S_DSTPATH] = "dst_path",
	[S_SKADDR] = "skaddr", [S_OLDST] = "oldstate",
	[S_NEWST] = "newstate", [S_SPORT] = "sport", [S_DPORT] = "dport",
	[S_SADDR] = "saddr", [S_DADDR] = "daddr", [S_SADDR6] = "saddr_v6",
	[S_DADDR6] = "daddr_v6", [S_LPORT] = "lport",
	[S_USFLAGS] = "unshare_flags", [S_ROOT] = "root", [S_PATH] = "path",
};

/* RT_EV_FD_CLOSE's sc: which call */
enum { FC_CLOSE, FC_DUP, FC_RANGE };
/* RT_EV_SOCKET_ENTER's and _EXIT's sc */
enum { SN_SOCKET, SN_ACCEPT };
/* RT_EV_NETNS_ENTER's sc */
enum { NS_UNSHARE, NS_SETNS };

#define B(x) (1ull << (x))

struct known_event {
	const char *system;	/* "recvtop_" matches any recvtop group */
	const char *name;
	u16 kind;
	u16 sc;
	u64 need;
	u64 want;		/* optional slots */
};

#define RX_FUNC(f) \
	{ "recvtop_", f, RT_EV_SOCK_ENTER, 0, \
	  B(S_SK) | B(S_FAMILY) | B(S_PROTO) | B(S_FLAGS), B(S_LPORT) }, \
	{ "recvtop_", f "_ret", RT_EV_SOCK_EXIT, 0, B(S_RET), 0 }

/* a protocol's send function: sc 1 */
#define TX_FUNC(f) \
	{ "recvtop_", f, RT_EV_SOCK_ENTER, 1, \
	  B(S_SK) | B(S_FAMILY) | B(S_PROTO), \
	  B(S_NAME) | B(S_KLEN) | B(S_FAM) | B(S_PORT) | B(S_IP4) | B(S_IP6) }, \
	{ "recvtop_", f "_ret", RT_EV_SOCK_EXIT, 1, B(S_RET), 0 }

/* a send syscall's entry and exit (bracket RT_BR_TX(via)) */
#define TX_SYSCALL(name, via, fd, want) \
	{ "syscalls", "sys_enter_" name, RT_EV_RECV_ENTER, RT_BR_TX(via), \
	  B(fd), want }, \
	{ "syscalls", "sys_exit_" name, RT_EV_RECV_EXIT, RT_BR_TX(via), \
	  B(S_RET), 0 }

static const struct known_event known_events[] = {
	/* kprobe backend: recvtop's own group */
	{ "recvtop_", "recvfrom", RT_EV_RECV_ENTER, RT_RX_RECVFROM,
	  B(S_FD), B(S_SIZE) | B(S_FLAGS) | B(S_ADDR) },
	{ "recvtop_", "recvfrom_ret", RT_EV_RECV_EXIT, RT_RX_RECVFROM,
	  B(S_RET), 0 },
	{ "recvtop_", "recv_addr", RT_EV_RECV_ADDR, 0,
	  B(S_KLEN) | B(S_FAM) | B(S_PORT) | B(S_IP4) | B(S_IP6), 0 },
	/* libc uprobes (sock and tracepoint backends): "ufromN", "umsgN" */
	{ "recvtop_", "ufrom", RT_EV_USER_ADDR, RT_RX_RECVFROM,
	  B(S_RET) | B(S_ADDR) | B(S_KLEN) | B(S_FAM) | B(S_PORT) | B(S_IP4) |
	  B(S_IP6), 0 },
	{ "recvtop_", "umsg", RT_EV_USER_ADDR, RT_RX_RECVMSG,
	  B(S_RET) | B(S_ADDR) | B(S_KLEN) | B(S_FAM) | B(S_PORT) | B(S_IP4) |
	  B(S_IP6), 0 },
	{ "recvtop_", "mm_access", RT_EV_MM_ENTER, 0,
	  B(S_TPID) | B(S_TTGID) | B(S_MODE), B(S_TCOMM) },
	{ "recvtop_", "mm_access_ret", RT_EV_MM_EXIT, 0, B(S_RET), 0 },
	/* the kprobe backend's receives: a protocol's recvmsg */
	RX_FUNC("inet_recvmsg"),
	RX_FUNC("inet6_recvmsg"),
	RX_FUNC("unix_stream_recvmsg"),
	RX_FUNC("unix_dgram_recvmsg"),
	RX_FUNC("netlink_recvmsg"),
	RX_FUNC("packet_recvmsg"),
	/* and its sends */
	TX_FUNC("inet_sendmsg"),
	TX_FUNC("inet6_sendmsg"),
	TX_FUNC("unix_stream_sendmsg"),
	TX_FUNC("unix_dgram_sendmsg"),
	TX_FUNC("netlink_sendmsg"),
	TX_FUNC("packet_sendmsg"),
	TX_FUNC("inet_sendpage"),
	TX_FUNC("unix_stream_sendpage"),
	/* the send syscalls (brackets on the sock and kprobe backends) */
	TX_SYSCALL("sendto", RT_TX_SENDTO, S_FD, B(S_FLAGS)),
	TX_SYSCALL("sendmsg", RT_TX_SENDMSG, S_FD, B(S_FLAGS)),
	TX_SYSCALL("sendmmsg", RT_TX_SENDMMSG, S_FD, B(S_FLAGS)),
	TX_SYSCALL("write", RT_TX_WRITE, S_FD, 0),
	TX_SYSCALL("writev", RT_TX_WRITE, S_FD, 0),
	TX_SYSCALL("pwritev2", RT_TX_WRITE, S_FD, 0),
	TX_SYSCALL("sendfile64", RT_TX_SENDFILE, S_OUTFD, 0),
	/* tracepoint backend (the kprobe backend uses the memory ones too) */
	{ "syscalls", "sys_enter_recvfrom", RT_EV_RECV_ENTER, RT_RX_RECVFROM,
	  B(S_FD), B(S_SIZE) | B(S_FLAGS) | B(S_ADDR) },
	{ "syscalls", "sys_exit_recvfrom", RT_EV_RECV_EXIT, RT_RX_RECVFROM,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_read", RT_EV_RECV_ENTER, RT_RX_READ,
	  B(S_FD), 0 },
	{ "syscalls", "sys_exit_read", RT_EV_RECV_EXIT, RT_RX_READ,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_readv", RT_EV_RECV_ENTER, RT_RX_READ,
	  B(S_FD), 0 },
	{ "syscalls", "sys_exit_readv", RT_EV_RECV_EXIT, RT_RX_READ,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_preadv2", RT_EV_RECV_ENTER, RT_RX_READ,
	  B(S_FD), 0 },
	{ "syscalls", "sys_exit_preadv2", RT_EV_RECV_EXIT, RT_RX_READ,
	  B(S_RET), 0 },
	/* which descriptors are sockets (tracepoint backend) */
	{ "syscalls", "sys_enter_socket", RT_EV_SOCKET_ENTER, SN_SOCKET,
	  B(S_FAMILY) | B(S_TYPE) | B(S_PROTO), 0 },
	{ "syscalls", "sys_exit_socket", RT_EV_SOCKET_EXIT, SN_SOCKET,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_accept", RT_EV_SOCKET_ENTER, SN_ACCEPT,
	  B(S_FD), 0 },
	{ "syscalls", "sys_exit_accept", RT_EV_SOCKET_EXIT, SN_ACCEPT,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_accept4", RT_EV_SOCKET_ENTER, SN_ACCEPT,
	  B(S_FD), 0 },
	{ "syscalls", "sys_exit_accept4", RT_EV_SOCKET_EXIT, SN_ACCEPT,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_close", RT_EV_FD_CLOSE, FC_CLOSE,
	  B(S_FD), 0 },
	{ "syscalls", "sys_enter_dup2", RT_EV_FD_CLOSE, FC_DUP,
	  B(S_NEWFD), 0 },
	{ "syscalls", "sys_enter_dup3", RT_EV_FD_CLOSE, FC_DUP,
	  B(S_NEWFD), 0 },
	{ "syscalls", "sys_enter_close_range", RT_EV_FD_CLOSE, FC_RANGE,
	  B(S_FD) | B(S_MAXFD), B(S_FLAGS) },
	{ "syscalls", "sys_enter_execve", RT_EV_PROC_RESET, 1, 0, 0 },
	{ "syscalls", "sys_enter_execveat", RT_EV_PROC_RESET, 1, 0, 0 },
	{ "sched", "sched_process_fork", RT_EV_PROC_RESET, 0,
	  B(S_CHILD), 0 },
	/* sock backend: the socket receive, and the syscalls that say how */
	{ "sock", "sock_recv_length", RT_EV_SOCK_RECV, 0,
	  B(S_SK) | B(S_RET), B(S_FAMILY) | B(S_PROTO) | B(S_FLAGS) },
	{ "sock", "sock_send_length", RT_EV_SOCK_SEND, 0,
	  B(S_SK) | B(S_RET), B(S_FAMILY) | B(S_PROTO) },
	{ "syscalls", "sys_enter_recvmsg", RT_EV_RECV_ENTER, RT_RX_RECVMSG,
	  B(S_FD), B(S_FLAGS) },
	{ "syscalls", "sys_exit_recvmsg", RT_EV_RECV_EXIT, RT_RX_RECVMSG,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_recvmmsg", RT_EV_RECV_ENTER, RT_RX_RECVMMSG,
	  B(S_FD), B(S_FLAGS) },
	{ "syscalls", "sys_exit_recvmmsg", RT_EV_RECV_EXIT, RT_RX_RECVMMSG,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_io_uring_enter", RT_EV_RECV_ENTER,
	  RT_RX_IO_URING, B(S_FD), 0 },
	{ "syscalls", "sys_exit_io_uring_enter", RT_EV_RECV_EXIT,
	  RT_RX_IO_URING, B(S_RET), 0 },
	{ "syscalls", "sys_enter_splice", RT_EV_RECV_ENTER, RT_RX_SPLICE,
	  B(S_FDIN), B(S_FDOUT) },
	{ "syscalls", "sys_exit_splice", RT_EV_RECV_EXIT, RT_RX_SPLICE,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_process_vm_readv", RT_EV_SC_ENTER,
	  RT_SC_PROCESS_VM_READV, B(S_PID), 0 },
	{ "syscalls", "sys_exit_process_vm_readv", RT_EV_SC_EXIT,
	  RT_SC_PROCESS_VM_READV, B(S_RET), 0 },
	{ "syscalls", "sys_enter_process_vm_writev", RT_EV_SC_ENTER,
	  RT_SC_PROCESS_VM_WRITEV, B(S_PID), 0 },
	{ "syscalls", "sys_exit_process_vm_writev", RT_EV_SC_EXIT,
	  RT_SC_PROCESS_VM_WRITEV, B(S_RET), 0 },
	{ "syscalls", "sys_enter_ptrace", RT_EV_SC_ENTER, RT_SC_PTRACE,
	  B(S_PID) | B(S_REQUEST), 0 },
	{ "syscalls", "sys_exit_ptrace", RT_EV_SC_EXIT, RT_SC_PTRACE,
	  B(S_RET), 0 },
	{ "syscalls", "sys_enter_process_madvise", RT_EV_SC_ENTER,
	  RT_SC_PROCESS_MADVISE, 0, 0 },
	{ "syscalls", "sys_exit_process_madvise", RT_EV_SC_EXIT,
	  RT_SC_PROCESS_MADVISE, B(S_RET), 0 },
	/* names and attribution at event time, on every backend */
	{ "task", "task_newtask", RT_EV_TASK_NEW, 0,
	  B(S_PID) | B(S_COMM) | B(S_CLONE), 0 },
	{ "task", "task_rename", RT_EV_TASK_RENAME, 0,
	  B(S_PID) | B(S_NEWCOMM), 0 },
	{ "cgroup", "cgroup_attach_task", RT_EV_CGROUP_ATTACH, 0,
	  B(S_PID) | B(S_DSTROOT) | B(S_DSTPATH), 0 },
	{ "cgroup", "cgroup_mkdir", RT_EV_CGROUP_DIR, 0,
	  B(S_ROOT) | B(S_PATH), 0 },
	{ "cgroup", "cgroup_rmdir", RT_EV_CGROUP_DIR, 1,
	  B(S_ROOT) | B(S_PATH), 0 },
	{ "syscalls", "sys_enter_unshare", RT_EV_NETNS_ENTER, NS_UNSHARE,
	  B(S_USFLAGS), 0 },
	{ "syscalls", "sys_exit_unshare", RT_EV_NETNS_EXIT, 0, B(S_RET), 0 },
	{ "syscalls", "sys_enter_setns", RT_EV_NETNS_ENTER, NS_SETNS,
	  0, B(S_FLAGS) },
	{ "syscalls", "sys_exit_setns", RT_EV_NETNS_EXIT, 0, B(S_RET), 0 },
	/* TCP connections: sk -> 4-tuple (sock and kprobe backends) */
	{ "sock", "inet_sock_set_state", RT_EV_SOCK_STATE, 0,
	  B(S_SKADDR) | B(S_NEWST) | B(S_SPORT) | B(S_DPORT) | B(S_FAMILY) |
	  B(S_SADDR) | B(S_DADDR) | B(S_SADDR6) | B(S_DADDR6),
	  B(S_OLDST) | B(S_PROTO) },
	{ "ftrace", "print", RT_EV_MARKER, 0, B(S_BUF), 0 },
};

/*
 * recvtop's own probes are "KIND_PID" in group "recvtop_PID" (older
 * recordings: plain "KIND"): the name without that suffix
 */
static void probe_kind(const struct tep_event *ev, char *kind, size_t len)
{
	const char *pid = ev->system + 8;
	size_t n = strlen(ev->name), plen = strlen(pid);

	snprintf(kind, len, "%s", ev->name);
	if (plen && n > plen + 1 && ev->name[n - plen - 1] == '_' &&
	    !strcmp(ev->name + n - plen, pid) && n - plen - 1 < len)
		kind[n - plen - 1] = 0;
	/* the uprobes are numbered per syscall site: "ufrom0", "umsg3" */
	if (!strncmp(kind, "ufrom", 5) || !strncmp(kind, "umsg", 4)) {
		size_t k = strlen(kind);

		while (k && kind[k - 1] >= '0' && kind[k - 1] <= '9')
			k--;
		if (k < strlen(kind))
			kind[k] = 0;
	}
}

static const struct known_event *classify(const struct tep_event *ev)
{
	bool ours = !strncmp(ev->system, "recvtop_", 8);
	char kind[RT_COMM_LEN * 4];

	if (ours)
		probe_kind(ev, kind, sizeof(kind));
	for (size_t i = 0; i < ARRAY_SIZE(known_events); i++) {
		const struct known_event *k = &known_events[i];

		if (!strcmp(k->system, "recvtop_")) {
			if (ours && !strcmp(kind, k->name))
				return k;
		} else if (!strcmp(ev->system, k->system) &&
			   !strcmp(ev->name, k->name)) {
			return k;
		}
	}
	return NULL;
}

static int fill_desc(struct event_desc *desc, struct tep_event *ev,
		     const struct known_event *k)
{
	desc->kind = k->kind;
	desc->sc = k->sc;
	desc->need = k->need;
	for (int i = 0; i < S_NR; i++) {
		struct tep_format_field *f;
		struct slot_info *si = &desc->s[i];

		if (!((k->need | k->want) & B(i)))
			continue;
		f = tep_find_field(ev, slot_names[i]);
		if (!f) {
			if (k->need & B(i))
				return -1;
			continue;
		}
		if (f->offset < 0 || f->offset > 0xffff || f->size < 0 ||
		    f->size > 0xffff)
			return -1;
		si->off = (u16)f->offset;
		si->size = (u16)f->size;
		si->flags = SL_VALID;
		if (f->flags & TEP_FIELD_IS_SIGNED)
			si->flags |= SL_SIGNED;
		if (f->flags & TEP_FIELD_IS_DYNAMIC)
			si->flags |= SL_DYNAMIC;
		/* numbers are 1, 2, 4 or 8 bytes, except arrays and strings */
		if ((i == S_SADDR6 || i == S_DADDR6) && si->size != 16)
			return -1;
		if ((i == S_SADDR || i == S_DADDR) && si->size != 4)
			return -1;
		if (i != S_IP6 && i != S_BUF && !(si->flags & SL_DYNAMIC) &&
		    i != S_SADDR6 && i != S_DADDR6 &&
		    i != S_TCOMM && i != S_COMM && i != S_NEWCOMM &&
		    i != S_DSTPATH && si->size != 1 && si->size != 2 &&
		    si->size != 4 && si->size != 8)
			return -1;
		if ((k->need & B(i)) && si->off + si->size > desc->min_size)
			desc->min_size = si->off + si->size;
	}
	return 0;
}

struct decoder *decoder_new(struct tep_handle *tep)
{
	struct decoder *d = calloc(1, sizeof(*d));
	int nr = tep_get_events_count(tep);
	int max_id = 0;
	bool kprobe = false, syscalls_recv = false, sock_tp = false;

	if (!d)
		return NULL;
	d->swap = tep_is_file_bigendian(tep) != tep_is_local_bigendian(tep);
	for (int i = 0; i < nr; i++) {
		struct tep_event *ev = tep_get_event(tep, i);

		if (ev && ev->id > max_id)
			max_id = ev->id;
	}
	d->nr_ids = (u32)max_id + 1;
	d->by_id = calloc(d->nr_ids, sizeof(*d->by_id));
	d->descs = calloc(ARRAY_SIZE(known_events) * 4, sizeof(*d->descs));
	if (!d->by_id || !d->descs)
		goto fail;

	for (int i = 0; i < nr; i++) {
		struct tep_event *ev = tep_get_event(tep, i);
		const struct known_event *k;
		struct event_desc *desc;

		if (!ev || ev->id < 0 || !ev->name || !ev->system)
			continue;
		k = classify(ev);
		if (!k)
			continue;
		/* several recvtop groups in one tep: room for four each */
		if (d->nr_descs >= ARRAY_SIZE(known_events) * 4)
			continue;
		desc = &d->descs[d->nr_descs];
		if (fill_desc(desc, ev, k)) {
			memset(desc, 0, sizeof(*desc));
			continue;
		}
		d->nr_descs++;
		d->by_id[ev->id] = desc;
		if (k->kind != RT_EV_MARKER)
			d->known++;
		if (k->kind == RT_EV_RECV_ENTER || k->kind == RT_EV_RECV_EXIT ||
		    k->kind == RT_EV_SOCK_RECV || k->kind == RT_EV_SOCK_ENTER ||
		    k->kind == RT_EV_SOCK_SEND)
			d->has_recv = true;
		if (k->kind == RT_EV_SOCK_RECV || k->kind == RT_EV_SOCK_SEND)
			sock_tp = true;
		if (k->kind == RT_EV_SOCK_RECV || k->kind == RT_EV_SOCK_ENTER ||
		    k->kind == RT_EV_SOCK_SEND)
			d->has_sock = true;
		if (k->kind == RT_EV_RECV_ADDR || k->kind == RT_EV_USER_ADDR)
			d->has_addr = true;
		if (k->kind == RT_EV_USER_ADDR)
			d->has_uaddr = true;
		if (k->kind == RT_EV_SOCK_STATE)
			d->has_conn = true;
		if (k->kind == RT_EV_MM_ENTER || k->kind == RT_EV_SC_ENTER)
			d->has_mem = true;
		if (!strncmp(ev->system, "recvtop_", 8) &&
		    k->kind != RT_EV_USER_ADDR)
			kprobe = true;
		else if (k->kind == RT_EV_RECV_ENTER)
			syscalls_recv = true;
	}
	d->backend = sock_tp ? "sock" : kprobe ? "kprobe" :
		     syscalls_recv || d->has_mem ? "tracepoint" : NULL;
	return d;
fail:
	decoder_free(d);
	return NULL;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	free(d->by_id);
	free(d->descs);
	free(d);
}

unsigned int decoder_known_events(const struct decoder *d)
{
	return d->known;
}

bool decoder_has_recv(const struct decoder *d)
{
	return d->has_recv;
}

bool decoder_has_mem(const struct decoder *d)
{
	return d->has_mem;
}

bool decoder_has_sock(const struct decoder *d)
{
	return d->has_sock;
}

bool decoder_has_addr(const struct decoder *d)
{
	return d->has_addr;
}

bool decoder_has_uaddr(const struct decoder *d)
{
	return d->has_uaddr;
}

bool decoder_has_conn(const struct decoder *d)
{
	return d->has_conn;
}

const char *decoder_backend(const struct decoder *d)
{
	return d->backend;
}

enum rt_event_kind decoder_kind(const struct decoder *d, unsigned int id)
{
	return id < d->nr_ids && d->by_id[id] ?
		(enum rt_event_kind)d->by_id[id]->kind : RT_EV_OTHER;
}

static inline bool slot_ok(const struct slot_info *si, unsigned int size)
{
	return (si->flags & SL_VALID) && (unsigned int)si->off + si->size <= size;
}

/* a number field, sign-extended when the field is signed */
static inline s64 load_num(const struct decoder *d, const u8 *p,
			   const struct slot_info *si)
{
	const u8 *q = p + si->off;
	bool sgn = si->flags & SL_SIGNED;

	switch (si->size) {
	case 1:
		return sgn ? (s64)(int8_t)q[0] : (s64)q[0];
	case 2: {
		u16 v;

		memcpy(&v, q, 2);
		if (d->swap)
			v = __builtin_bswap16(v);
		return sgn ? (s64)(int16_t)v : (s64)v;
	}
	case 4: {
		u32 v;

		memcpy(&v, q, 4);
		if (d->swap)
			v = __builtin_bswap32(v);
		return sgn ? (s64)(int32_t)v : (s64)v;
	}
	default: {
		u64 v;

		memcpy(&v, q, 8);
		if (d->swap)
			v = __builtin_bswap64(v);
		return (s64)v;
	}
	}
}

/* an optional field: def when the record does not hold it */
static inline s64 get(const struct decoder *d, const u8 *p, unsigned int size,
		      const struct event_desc *desc, enum slot s, s64 def)
{
	const struct slot_info *si = &desc->s[s];

	return slot_ok(si, size) ? load_num(d, p, si) : def;
}

/* a needed field: decode_event checked the record holds them all */
static inline s64 need(const struct decoder *d, const u8 *p,
		       const struct event_desc *desc, enum slot s)
{
	return load_num(d, p, &desc->s[s]);
}

/* dynamic (__data_loc) or fixed char array field -> C string */
static void get_string(const struct decoder *d, const u8 *p, unsigned int size,
		       const struct slot_info *si, char *out, size_t outlen)
{
	u32 off = si->off, len = si->size;

	out[0] = 0;
	if (!slot_ok(si, size))
		return;
	if (si->flags & SL_DYNAMIC) {
		u32 loc;

		if (si->size != 4)
			return;
		memcpy(&loc, p + si->off, 4);
		if (d->swap)
			loc = __builtin_bswap32(loc);
		off = loc & 0xffff;
		len = loc >> 16;
	}
	if (off >= size)
		return;
	if (len > size - off || len == 0)
		len = size - off;
	if (len >= outlen)
		len = (u32)outlen - 1;
	memcpy(out, p + off, len);
	out[len] = 0;
}

/* a __data_loc string field in place: its bytes up to the first NUL */
static int get_span(const struct decoder *d, const u8 *p, unsigned int size,
		    const struct slot_info *si, const char **out, u32 *outlen)
{
	u32 loc, off, len;
	const char *nul;

	if (!slot_ok(si, size) || !(si->flags & SL_DYNAMIC) || si->size != 4)
		return -1;
	memcpy(&loc, p + si->off, 4);
	if (d->swap)
		loc = __builtin_bswap32(loc);
	off = loc & 0xffff;
	len = loc >> 16;
	if (off > size || len > size - off)
		return -1;
	nul = memchr(p + off, 0, len);
	*out = (const char *)p + off;
	*outlen = nul ? (u32)(nul - *out) : len;
	return 0;
}

static void decode_addr(const struct decoder *d, const u8 *p,
			unsigned int size, const struct event_desc *desc,
			struct rt_addr *a, int *klenp)
{
	const struct slot_info *ip6 = &desc->s[S_IP6];
	u8 bytes[RT_ADDR_BYTES];
	int klen = (int)get(d, p, size, desc, S_KLEN, 0);
	u16 port_be = (u16)get(d, p, size, desc, S_PORT, 0);
	u32 ip4 = (u32)get(d, p, size, desc, S_IP4, 0);

	memset(a, 0, sizeof(*a));
	*klenp = klen;
	a->raw_family = (u16)get(d, p, size, desc, S_FAM, 0);
	/* the port and address are stored as the kernel had them: in
	 * network order, loaded here as little-endian numbers */
	if (d->swap) {
		port_be = __builtin_bswap16(port_be);
		ip4 = __builtin_bswap32(ip4);
	}
	/* sockaddr bytes 2..23 = port(2) ip4(4) ip6(16) */
	memcpy(bytes, &port_be, 2);
	memcpy(bytes + 2, &ip4, 4);
	memset(bytes + 6, 0, 16);
	if (slot_ok(ip6, size))
		memcpy(bytes + 6, p + ip6->off, ip6->size < 16 ? ip6->size : 16);

	switch (a->raw_family) {
	case AF_INET:
		a->family = RT_FAM_INET;
		a->port = ntohs(port_be);
		memcpy(a->addr, bytes + 2, 4);
		a->len = 4;
		break;
	case AF_INET6:
		a->family = RT_FAM_INET6;
		a->port = ntohs(port_be);
		memcpy(a->addr, bytes + 6, 16);
		a->len = 16;
		break;
	case AF_UNIX: {
		int plen = klen - 2;

		a->family = RT_FAM_UNIX;
		if (plen < 0)
			plen = 0;
		if (plen > RT_ADDR_BYTES)
			plen = RT_ADDR_BYTES;
		memcpy(a->addr, bytes, (size_t)plen);
		/* filesystem names end at their NUL; abstract ones start
		 * with one and use every byte */
		if (plen && bytes[0]) {
			size_t n = strnlen((char *)a->addr, (size_t)plen);

			plen = (int)n;
			memset(a->addr + n, 0, RT_ADDR_BYTES - n);
		}
		a->len = (u8)plen;
		break;
	}
	default:
		a->family = RT_FAM_OTHER;
		a->len = 0;
		break;
	}
}

/*
 * One side of inet_sock_set_state: the port is in host order there, the
 * addresses are the kernel's bytes (network order)
 */
static void state_addr(const struct decoder *d, const u8 *p,
		       const struct event_desc *desc, u16 family,
		       enum slot port, enum slot ip4, enum slot ip6,
		       struct rt_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->raw_family = family;
	a->port = (u16)need(d, p, desc, port);
	if (family == AF_INET6) {
		a->family = RT_FAM_INET6;
		a->len = 16;
		memcpy(a->addr, p + desc->s[ip6].off, 16);
	} else if (family == AF_INET) {
		a->family = RT_FAM_INET;
		a->len = 4;
		memcpy(a->addr, p + desc->s[ip4].off, 4);
	} else {
		a->family = RT_FAM_OTHER;
	}
}

/* "TGID FD sock FAMILY PROTOCOL", "TGID FD file", "TGID FD gone" */
static void parse_fd_marker(const char *s, struct rt_event *ev)
{
	char what[8];
	int tgid, fd, n = 0;
	unsigned int fam = 0, proto = 0;

	ev->marker.what = RT_MARK_OTHER;
	if (sscanf(s, "%d %d %7s %n", &tgid, &fd, what, &n) < 3 || tgid <= 0 ||
	    fd < 0)
		return;
	if (!strcmp(what, "sock")) {
		if (sscanf(s + n, "%u %u", &fam, &proto) != 2 || !fam ||
		    fam > 0xffff || proto > 0xffff)
			return;
		ev->marker.fd_kind = RT_FD_SOCKET;
	} else if (!strcmp(what, "file")) {
		ev->marker.fd_kind = RT_FD_FILE;
	} else if (!strcmp(what, "gone")) {
		ev->marker.fd_kind = RT_FD_UNKNOWN;
	} else {
		return;
	}
	ev->marker.what = RT_MARK_FD;
	ev->marker.tgid = tgid;
	ev->marker.fd = fd;
	ev->marker.family = (u16)fam;
	ev->marker.protocol = (u16)proto;
}

enum rt_event_kind decode_event(const struct decoder *d, const void *data,
				unsigned int size, struct rt_event *ev)
{
	const u8 *p = data;
	const struct event_desc *desc;
	u16 id;
	s32 pid;

	ev->kind = RT_EV_NONE;
	if (size < 8)
		return RT_EV_NONE;
	memcpy(&id, p, 2);
	memcpy(&pid, p + 4, 4);
	if (d->swap) {
		id = __builtin_bswap16(id);
		pid = (s32)__builtin_bswap32((u32)pid);
	}
	ev->id = id;
	ev->tid = pid;
	if (id >= d->nr_ids || !(desc = d->by_id[id])) {
		ev->kind = RT_EV_OTHER;
		return RT_EV_OTHER;
	}
	/* every needed field lies inside the record */
	if (size < desc->min_size)
		return RT_EV_NONE;

	switch (desc->kind) {
	case RT_EV_RECV_ENTER:
		ev->recv_enter.via = (u8)desc->sc;
		if (desc->s[S_FD].flags & SL_VALID)
			ev->recv_enter.fd = (int)need(d, p, desc, S_FD);
		else if (desc->s[S_OUTFD].flags & SL_VALID)
			ev->recv_enter.fd = (int)need(d, p, desc, S_OUTFD);
		else
			ev->recv_enter.fd = (int)get(d, p, size, desc, S_FDIN,
						     -1);
		ev->recv_enter.fd2 = (int)get(d, p, size, desc, S_FDOUT, -1);
		ev->recv_enter.size = (u64)get(d, p, size, desc, S_SIZE, 0);
		ev->recv_enter.flags = (u32)get(d, p, size, desc, S_FLAGS, 0);
		ev->recv_enter.has_addr = get(d, p, size, desc, S_ADDR, 0) != 0;
		break;
	case RT_EV_SOCKET_ENTER:
		ev->sock_new.fd = desc->sc == SN_ACCEPT ?
				  (int)need(d, p, desc, S_FD) : -1;
		ev->sock_new.family = (u16)get(d, p, size, desc, S_FAMILY, 0);
		ev->sock_new.type = (u16)get(d, p, size, desc, S_TYPE, 0);
		ev->sock_new.protocol = (u16)get(d, p, size, desc, S_PROTO, 0);
		break;
	case RT_EV_FD_CLOSE: {
		/* close_range(CLOSE_RANGE_CLOEXEC) closes nothing now */
		u32 flags = (u32)get(d, p, size, desc, S_FLAGS, 0);

		switch (desc->sc) {
		case FC_DUP:
			ev->fd_close.first = (int)need(d, p, desc, S_NEWFD);
			ev->fd_close.last = ev->fd_close.first;
			break;
		case FC_RANGE: {
			u64 last = (u64)need(d, p, desc, S_MAXFD);

			ev->fd_close.first = (int)need(d, p, desc, S_FD);
			ev->fd_close.last = last > 0x7fffffff ? 0x7fffffff :
					    (int)last;
			if (flags & 4)
				ev->fd_close.last = -1;
			break;
		}
		default:
			ev->fd_close.first = (int)need(d, p, desc, S_FD);
			ev->fd_close.last = ev->fd_close.first;
			break;
		}
		break;
	}
	case RT_EV_PROC_RESET:
		ev->proc_reset.exec = desc->sc;
		ev->proc_reset.pid = desc->sc ? ev->tid :
				     (int)need(d, p, desc, S_CHILD);
		break;
	case RT_EV_TASK_NEW:
		ev->task_new.pid = (int)need(d, p, desc, S_PID);
		ev->task_new.clone_flags = (u64)need(d, p, desc, S_CLONE);
		get_string(d, p, size, &desc->s[S_COMM], ev->task_new.comm,
			   RT_COMM_LEN);
		break;
	case RT_EV_TASK_RENAME:
		ev->task_rename.pid = (int)need(d, p, desc, S_PID);
		get_string(d, p, size, &desc->s[S_NEWCOMM],
			   ev->task_rename.comm, RT_COMM_LEN);
		break;
	case RT_EV_CGROUP_ATTACH:
		ev->cgroup_attach.pid = (int)need(d, p, desc, S_PID);
		ev->cgroup_attach.root = (int)need(d, p, desc, S_DSTROOT);
		if (get_span(d, p, size, &desc->s[S_DSTPATH],
			     &ev->cgroup_attach.path,
			     &ev->cgroup_attach.path_len))
			return RT_EV_NONE;
		break;
	case RT_EV_CGROUP_DIR:
		ev->cgroup_dir.root = (int)need(d, p, desc, S_ROOT);
		ev->cgroup_dir.removed = desc->sc != 0;
		if (get_span(d, p, size, &desc->s[S_PATH],
			     &ev->cgroup_dir.path, &ev->cgroup_dir.path_len))
			return RT_EV_NONE;
		break;
	case RT_EV_NETNS_ENTER:
		/* setns without the field (or flags 0) may join any kind */
		ev->netns_enter.sure = desc->sc == NS_UNSHARE ?
			(need(d, p, desc, S_USFLAGS) & CLONE_NEWNET) != 0 :
			(get(d, p, size, desc, S_FLAGS, 0) & CLONE_NEWNET) != 0;
		break;
	case RT_EV_NETNS_EXIT:
	case RT_EV_SOCKET_EXIT:
	case RT_EV_RECV_EXIT:
	case RT_EV_MM_EXIT:
	case RT_EV_SC_EXIT:
	case RT_EV_SOCK_EXIT:
		/* a long for syscalls, an s32 or s64 for kprobes: load_num
		 * sign-extends signed fields */
		ev->exit.ret = need(d, p, desc, S_RET);
		ev->exit.sc = desc->sc;
		break;
	case RT_EV_RECV_ADDR:
		decode_addr(d, p, size, desc, &ev->recv_addr.addr,
			    &ev->recv_addr.klen);
		break;
	case RT_EV_USER_ADDR:
		ev->user_addr.ret = need(d, p, desc, S_RET);
		ev->user_addr.uaddr = (u64)need(d, p, desc, S_ADDR);
		ev->user_addr.via = (u8)desc->sc;
		decode_addr(d, p, size, desc, &ev->user_addr.addr,
			    &ev->user_addr.klen);
		break;
	case RT_EV_SOCK_RECV:
	case RT_EV_SOCK_SEND:
	case RT_EV_SOCK_ENTER:
		ev->sock.sk = (u64)need(d, p, desc, S_SK);
		ev->sock.ret = desc->kind != RT_EV_SOCK_ENTER ?
			       (s32)need(d, p, desc, S_RET) : 0;
		ev->sock.tx = desc->kind == RT_EV_SOCK_ENTER && desc->sc;
		ev->sock.has_dst = ev->sock.tx &&
				   get(d, p, size, desc, S_NAME, 0) != 0 &&
				   slot_ok(&desc->s[S_FAM], size);
		if (ev->sock.has_dst)
			decode_addr(d, p, size, desc, &ev->sock.dst,
				    &ev->sock.dst_klen);
		ev->sock.family = (u16)get(d, p, size, desc, S_FAMILY, 0);
		ev->sock.protocol = (u16)get(d, p, size, desc, S_PROTO, 0);
		ev->sock.flags = (u32)get(d, p, size, desc, S_FLAGS, 0);
		ev->sock.lport = (u16)get(d, p, size, desc, S_LPORT, 0);
		break;
	case RT_EV_SOCK_STATE: {
		u16 family = (u16)need(d, p, desc, S_FAMILY);

		ev->sock_state.sk = (u64)need(d, p, desc, S_SKADDR);
		ev->sock_state.newstate = (int)need(d, p, desc, S_NEWST);
		ev->sock_state.oldstate = (int)get(d, p, size, desc, S_OLDST,
						   0);
		ev->sock_state.protocol = (u16)get(d, p, size, desc, S_PROTO,
						   IPPROTO_TCP);
		state_addr(d, p, desc, family, S_SPORT, S_SADDR, S_SADDR6,
			   &ev->sock_state.local);
		state_addr(d, p, desc, family, S_DPORT, S_DADDR, S_DADDR6,
			   &ev->sock_state.remote);
		break;
	}
	case RT_EV_MM_ENTER:
		ev->mm_enter.target_pid = (int)need(d, p, desc, S_TPID);
		ev->mm_enter.target_tgid = (int)need(d, p, desc, S_TTGID);
		ev->mm_enter.mode = (u32)need(d, p, desc, S_MODE);
		get_string(d, p, size, &desc->s[S_TCOMM],
			   ev->mm_enter.target_comm, RT_COMM_LEN);
		break;
	case RT_EV_SC_ENTER:
		ev->sc_enter.sc = desc->sc;
		ev->sc_enter.target_pid = (int)get(d, p, size, desc, S_PID, 0);
		ev->sc_enter.request = (long)get(d, p, size, desc, S_REQUEST, 0);
		break;
	case RT_EV_MARKER: {
		char buf[64], *arg;

		get_string(d, p, size, &desc->s[S_BUF], buf, sizeof(buf));
		if (strncmp(buf, "recvtop: ", 9)) {
			ev->kind = RT_EV_OTHER;
			return RT_EV_OTHER;
		}
		ev->marker.value = 0;
		arg = strpbrk(buf + 9, " =\n");
		if (arg && (arg = strpbrk(arg, "0123456789")))
			ev->marker.value = strtoull(arg, NULL, 10);
		if (!strncmp(buf + 9, "start", 5))
			ev->marker.what = RT_MARK_START;
		else if (!strncmp(buf + 9, "stop", 4))
			ev->marker.what = RT_MARK_STOP;
		else if (!strncmp(buf + 9, "delay", 5) && ev->marker.value)
			ev->marker.what = RT_MARK_DELAY;
		else if (!strncmp(buf + 9, "fd ", 3))
			parse_fd_marker(buf + 12, ev);
		else
			ev->marker.what = RT_MARK_OTHER;
		break;
	}
	default:
		return RT_EV_NONE;
	}
	ev->kind = desc->kind;
	return (enum rt_event_kind)desc->kind;
}
