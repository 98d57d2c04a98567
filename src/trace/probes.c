// SPDX-License-Identifier: GPL-2.0
/* The probe catalog: backends, probe definitions, BTF offsets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/btf.h>
#include <tracefs/tracefs.h>

#include "recvtop/probes.h"

static const char *const backend_names[] = {
	[RT_BACKEND_AUTO] = "auto",
	[RT_BACKEND_KPROBE] = "kprobe",
	[RT_BACKEND_TRACEPOINT] = "tracepoint",
	[RT_BACKEND_SOCK] = "sock",
};

const char *rt_backend_name(enum rt_backend b)
{
	return b < ARRAY_SIZE(backend_names) ? backend_names[b] : "?";
}

int rt_backend_parse(const char *s, enum rt_backend *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(backend_names); i++) {
		if (!strcmp(s, backend_names[i])) {
			*out = (enum rt_backend)i;
			return 0;
		}
	}
	return -1;
}

static const char *const dir_names[] = {
	[RT_DIR_RX] = "rx", [RT_DIR_TX] = "tx", [RT_DIR_BOTH] = "both",
};

const char *rt_direction_name(unsigned int dir)
{
	return dir && dir < ARRAY_SIZE(dir_names) ? dir_names[dir] : "?";
}

int rt_direction_parse(const char *s, unsigned int *dir)
{
	for (unsigned int i = 1; i < ARRAY_SIZE(dir_names); i++) {
		if (!strcmp(s, dir_names[i])) {
			*dir = i;
			return 0;
		}
	}
	return -1;
}

/* ---- BTF ---- */

/* offset in bytes of member name in a struct, searching anonymous members */
static long btf_member_offset(const struct btf *btf, const struct btf_type *t,
			      const char *name, int depth)
{
	const struct btf_member *m = btf_members(t);
	int n = btf_vlen(t);

	if (depth > 8)
		return -1;
	for (int i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 bits = btf_member_bit_offset(t, (__u32)i);

		if (mname && mname[0]) {
			if (!strcmp(mname, name))
				return (bits % 8 ||
					btf_member_bitfield_size(t, (__u32)i)) ?
				       -1 : (long)(bits / 8);
			continue;
		}
		/* anonymous struct or union: look inside */
		{
			const struct btf_type *mt = btf__type_by_id(btf, m->type);
			long off;

			while (mt && (btf_is_mod(mt) || btf_is_typedef(mt)))
				mt = btf__type_by_id(btf, mt->type);
			if (!mt || !btf_is_composite(mt))
				continue;
			off = btf_member_offset(btf, mt, name, depth + 1);
			if (off >= 0)
				return (long)(bits / 8) + off;
		}
	}
	return -1;
}

/* the kernel's BTF, or a raw BTF file; NULL with the reason in why */
static struct btf *btf_open(const char *path, char *why, size_t len)
{
	struct btf *btf = path ? btf__parse_raw(path) : btf__load_vmlinux_btf();

	if (!btf)
		snprintf(why, len, "cannot load kernel BTF (%s): %s",
			 path ? path : "/sys/kernel/btf/vmlinux",
			 strerror(errno));
	return btf;
}

int probe_btf_task_offsets(const char *btf_path, struct rt_task_offsets *off)
{
	struct btf *btf;
	const struct btf_type *t;
	__s32 id;
	long pid, tgid, comm;

	memset(off, 0, sizeof(*off));
	btf = btf_open(btf_path, off->why, sizeof(off->why));
	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	if (!t) {
		snprintf(off->why, sizeof(off->why),
			 "kernel BTF has no struct task_struct");
		btf__free(btf);
		return -1;
	}
	pid = btf_member_offset(btf, t, "pid", 0);
	tgid = btf_member_offset(btf, t, "tgid", 0);
	comm = btf_member_offset(btf, t, "comm", 0);
	btf__free(btf);
	if (pid < 0 || tgid < 0 || comm < 0) {
		snprintf(off->why, sizeof(off->why),
			 "task_struct in BTF lacks pid, tgid or comm");
		return -1;
	}
	off->pid = (int)pid;
	off->tgid = (int)tgid;
	off->comm = (int)comm;
	off->ok = true;
	return 0;
}

static const struct btf_type *btf_struct(const struct btf *btf,
					 const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	return id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
}

int probe_btf_sock_offsets(const char *btf_path, struct rt_sock_offsets *off)
{
	const struct btf_type *socket, *sock, *common, *msghdr;
	struct btf *btf;
	long sk, base, fam, proto, name, namelen, num;

	memset(off, 0, sizeof(*off));
	btf = btf_open(btf_path, off->why, sizeof(off->why));
	if (!btf)
		return -1;
	socket = btf_struct(btf, "socket");
	sock = btf_struct(btf, "sock");
	common = btf_struct(btf, "sock_common");
	sk = socket ? btf_member_offset(btf, socket, "sk", 0) : -1;
	base = sock ? btf_member_offset(btf, sock, "__sk_common", 0) : -1;
	fam = common ? btf_member_offset(btf, common, "skc_family", 0) : -1;
	num = common ? btf_member_offset(btf, common, "skc_num", 0) : -1;
	/* a bitfield before Linux 5.6: btf_member_offset says -1 */
	proto = sock ? btf_member_offset(btf, sock, "sk_protocol", 0) : -1;
	msghdr = btf_struct(btf, "msghdr");
	name = msghdr ? btf_member_offset(btf, msghdr, "msg_name", 0) : -1;
	namelen = msghdr ? btf_member_offset(btf, msghdr, "msg_namelen", 0) : -1;
	btf__free(btf);
	if (sk < 0 || base < 0 || fam < 0 || proto < 0 || name < 0 ||
	    namelen < 0) {
		snprintf(off->why, sizeof(off->why),
			 "kernel BTF lacks socket.sk, sock.__sk_common."
			 "skc_family, a byte-aligned sock.sk_protocol or "
			 "msghdr.msg_name/msg_namelen");
		return -1;
	}
	off->msg_name = (int)name;
	off->msg_namelen = (int)namelen;
	off->sk = (int)sk;
	off->family = (int)(base + fam);
	off->num = num < 0 ? -1 : (int)(base + num);
	off->protocol = (int)proto;
	off->ok = true;
	return 0;
}

/* ---- kallsyms ---- */

bool probe_kallsyms_has(const char *path, const char *const *syms, int n,
			bool *found)
{
	FILE *f = fopen(path ? path : "/proc/kallsyms", "re");
	char line[512];
	int left = n;

	for (int i = 0; i < n; i++)
		found[i] = false;
	if (!f)
		return false;
	while (left && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, ' ');

		if (!name || !(name = strchr(name + 1, ' ')))
			continue;
		name++;
		name[strcspn(name, "\t\n")] = 0;
		for (int i = 0; i < n; i++) {
			if (!found[i] && !strcmp(name, syms[i])) {
				found[i] = true;
				left--;
			}
		}
	}
	fclose(f);
	return left == 0;
}

/* ---- probe sets ---- */

static struct rt_probe *add_probe(struct rt_probe *set, int *nr,
				  enum rt_probe_type type, const char *role,
				  const char *system, const char *event)
{
	struct rt_probe *p = &set[(*nr)++];

	memset(p, 0, sizeof(*p));
	p->type = type;
	p->role = role;
	snprintf(p->system, sizeof(p->system), "%s", system);
	snprintf(p->event, sizeof(p->event), "%s", event);
	p->available = true;
	p->dir = RT_DIR_BOTH;
	return p;
}

/* ptrace requests recvtop counts (see rt_ptrace_request_counted) */
#define PTRACE_FILTER \
	"(request >= 1 && request <= 6) || request == 16 || request == 16902"

static void add_memory_tracepoints(struct rt_probe *set, int *nr, bool kprobe)
{
	struct rt_probe *p;

	add_probe(set, nr, RT_PROBE_TRACEPOINT, "process_vm_readv entry",
		  "syscalls", "sys_enter_process_vm_readv");
	add_probe(set, nr, RT_PROBE_TRACEPOINT, "process_vm_readv exit",
		  "syscalls", "sys_exit_process_vm_readv");
	add_probe(set, nr, RT_PROBE_TRACEPOINT, "process_vm_writev entry",
		  "syscalls", "sys_enter_process_vm_writev");
	add_probe(set, nr, RT_PROBE_TRACEPOINT, "process_vm_writev exit",
		  "syscalls", "sys_exit_process_vm_writev");
	p = add_probe(set, nr, RT_PROBE_TRACEPOINT, "ptrace entry",
		      "syscalls", "sys_enter_ptrace");
	snprintf(p->filter, sizeof(p->filter), "%s", PTRACE_FILTER);
	add_probe(set, nr, RT_PROBE_TRACEPOINT, "ptrace exit", "syscalls",
		  "sys_exit_ptrace");
	if (kprobe) {
		/* only labels mm_access calls made inside it */
		p = add_probe(set, nr, RT_PROBE_TRACEPOINT,
			      "process_madvise entry", "syscalls",
			      "sys_enter_process_madvise");
		p->optional = true;
		p = add_probe(set, nr, RT_PROBE_TRACEPOINT,
			      "process_madvise exit", "syscalls",
			      "sys_exit_process_madvise");
		p->optional = true;
	}
}

/*
 * Names and attribution at event time, on every backend: new tasks (a
 * child that renames itself and exits before recvtop reads its events
 * keeps its name), renames (prctl PR_SET_NAME, /proc/PID/comm, exec) and
 * moves between cgroup v2 groups (hierarchy id 0; the v1 hierarchies of
 * a hybrid host are filtered out in the kernel), and network namespace
 * changes.  Optional: without them names, cgroups and netns come from
 * /proc when a thread is first seen.
 */
/*
 * cgroup_mkdir/_rmdir: a container's or service's own cgroup made and
 * removed (whether it still runs).  unshare(CLONE_NEWNET) and setns
 * (flags 0 may be a netns fd): the thread's netns is read again when the
 * call returned 0; rare calls, and every backend has syscall tracepoints
 * on already, so no task pays for them that did not before.
 */
static const struct {
	const char *role, *system, *event, *filter;
} task_tracepoints[] = {
	{ "new task (names)", "task", "task_newtask", NULL },
	{ "task rename (names)", "task", "task_rename", NULL },
	{ "cgroup move (containers)", "cgroup", "cgroup_attach_task",
	  "dst_root == 0" },
	{ "cgroup mkdir (containers)", "cgroup", "cgroup_mkdir", "root == 0" },
	{ "cgroup rmdir (containers)", "cgroup", "cgroup_rmdir", "root == 0" },
	{ "unshare entry (netns)", "syscalls", "sys_enter_unshare",
	  "unshare_flags & 0x40000000" },
	{ "unshare exit (netns)", "syscalls", "sys_exit_unshare", "ret == 0" },
	{ "setns entry (netns)", "syscalls", "sys_enter_setns",
	  "flags == 0 || flags & 0x40000000" },
	{ "setns exit (netns)", "syscalls", "sys_exit_setns", "ret == 0" },
};

static void add_task_tracepoints(struct rt_probe *set, int *nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(task_tracepoints); i++) {
		struct rt_probe *p = add_probe(set, nr, RT_PROBE_TRACEPOINT,
					       task_tracepoints[i].role,
					       task_tracepoints[i].system,
					       task_tracepoints[i].event);

		if (task_tracepoints[i].filter)
			snprintf(p->filter, sizeof(p->filter), "%s",
				 task_tracepoints[i].filter);
		p->optional = true;
	}
}

/*
 * The tracepoint backend: the receive syscalls' entries and exits, and
 * what tells which descriptors are sockets (socket/accept returns; close,
 * dup2/dup3, close_range, exec and fork forget what was known).
 */
#define RX RT_DIR_RX
#define TX RT_DIR_TX
#define BOTH RT_DIR_BOTH

static const struct {
	const char *system, *event, *role;
	bool optional;
	u8 dir;
} tp_receives[] = {
	{ "syscalls", "sys_enter_recvfrom", "recvfrom entry", false, RX },
	{ "syscalls", "sys_exit_recvfrom", "recvfrom return", false, RX },
	{ "syscalls", "sys_enter_recvmsg", "recvmsg entry", false, RX },
	{ "syscalls", "sys_exit_recvmsg", "recvmsg return", false, RX },
	{ "syscalls", "sys_enter_recvmmsg", "recvmmsg entry", false, RX },
	{ "syscalls", "sys_exit_recvmmsg", "recvmmsg return", false, RX },
	{ "syscalls", "sys_enter_read", "read entry", false, RX },
	{ "syscalls", "sys_exit_read", "read return", false, RX },
	{ "syscalls", "sys_enter_readv", "readv entry", false, RX },
	{ "syscalls", "sys_exit_readv", "readv return", false, RX },
	{ "syscalls", "sys_enter_preadv2", "preadv2 entry", true, RX },
	{ "syscalls", "sys_exit_preadv2", "preadv2 return", true, RX },
	{ "syscalls", "sys_enter_sendto", "sendto entry", false, TX },
	{ "syscalls", "sys_exit_sendto", "sendto return", false, TX },
	{ "syscalls", "sys_enter_sendmsg", "sendmsg entry", false, TX },
	{ "syscalls", "sys_exit_sendmsg", "sendmsg return", false, TX },
	{ "syscalls", "sys_enter_sendmmsg", "sendmmsg entry", false, TX },
	{ "syscalls", "sys_exit_sendmmsg", "sendmmsg return", false, TX },
	{ "syscalls", "sys_enter_write", "write entry", false, TX },
	{ "syscalls", "sys_exit_write", "write return", false, TX },
	{ "syscalls", "sys_enter_writev", "writev entry", false, TX },
	{ "syscalls", "sys_exit_writev", "writev return", false, TX },
	{ "syscalls", "sys_enter_pwritev2", "pwritev2 entry", true, TX },
	{ "syscalls", "sys_exit_pwritev2", "pwritev2 return", true, TX },
	{ "syscalls", "sys_enter_sendfile64", "sendfile entry", true, TX },
	{ "syscalls", "sys_exit_sendfile64", "sendfile return", true, TX },
	{ "syscalls", "sys_enter_socket", "socket entry (fd class)", false, BOTH },
	{ "syscalls", "sys_exit_socket", "socket return (fd class)", false, BOTH },
	{ "syscalls", "sys_enter_accept", "accept entry (fd class)", true, BOTH },
	{ "syscalls", "sys_exit_accept", "accept return (fd class)", true, BOTH },
	{ "syscalls", "sys_enter_accept4", "accept4 entry (fd class)", false, BOTH },
	{ "syscalls", "sys_exit_accept4", "accept4 return (fd class)", false, BOTH },
	{ "syscalls", "sys_enter_close", "close (fd class)", false, BOTH },
	{ "syscalls", "sys_enter_dup2", "dup2 (fd class)", true, BOTH },
	{ "syscalls", "sys_enter_dup3", "dup3 (fd class)", false, BOTH },
	{ "syscalls", "sys_enter_close_range", "close_range (fd class)", true, BOTH },
	{ "syscalls", "sys_enter_execve", "execve (fd class)", false, BOTH },
	{ "syscalls", "sys_enter_execveat", "execveat (fd class)", true, BOTH },
	{ "sched", "sched_process_fork", "fork (fd class)", false, BOTH },
};

static void build_tracepoint_set(struct rt_catalog *cat)
{
	int *nr = &cat->nr_tp_set;

	for (size_t i = 0; i < ARRAY_SIZE(tp_receives); i++) {
		struct rt_probe *p = add_probe(cat->tp_set, nr,
					       RT_PROBE_TRACEPOINT,
					       tp_receives[i].role,
					       tp_receives[i].system,
					       tp_receives[i].event);

		p->optional = tp_receives[i].optional;
		if (tp_receives[i].dir)
			p->dir = tp_receives[i].dir;
		/* recvtop's own reads of the ring buffers are none of it */
		if (strcmp(tp_receives[i].system, "sched"))
			snprintf(p->filter, sizeof(p->filter),
				 "common_pid != %s", cat->group + 8);
	}
	add_memory_tracepoints(cat->tp_set, nr, false);
	add_task_tracepoints(cat->tp_set, nr);
}

/*
 * Event names carry the run's pid ("recvfrom_1234"): kprobe_profile lists
 * probes by event name only, so two runs' misses would otherwise mix.
 */
static struct rt_probe *add_kprobe_to(struct rt_catalog *cat,
				      struct rt_probe *set, int *nr,
				      enum rt_probe_type type,
				      const char *role, const char *kind,
				      const char *symbol)
{
	char event[RT_NAME_LEN];
	struct rt_probe *p;

	snprintf(event, sizeof(event), "%.32s_%.16s", kind,
		 cat->group + 8);
	p = add_probe(set, nr, type, role, cat->group, event);
	snprintf(p->symbol, sizeof(p->symbol), "%s", symbol);
	return p;
}

static struct rt_probe *add_kprobe(struct rt_catalog *cat,
				   enum rt_probe_type type, const char *role,
				   const char *kind, const char *symbol)
{
	return add_kprobe_to(cat, cat->kprobe_set, &cat->nr_kprobe_set, type,
			     role, kind, symbol);
}

/* sender address and memory readers: the kprobe backend's, and the sock
 * backend's where kprobes exist */
static void add_addr_mm_kprobes(struct rt_catalog *cat, struct rt_probe *set,
				int *nr, bool optional)
{
	const struct rt_task_offsets *o = &cat->task;
	struct rt_probe *p;

	p = add_kprobe_to(cat, set, nr, RT_PROBE_KPROBE, "sender address",
			  "recv_addr", "move_addr_to_user");
	p->dir = RT_DIR_RX;
	strcpy(p->fetchargs, "klen=$arg2:s32 fam=+0($arg1):u16 "
	       "port=+2($arg1):u16 ip4=+4($arg1):u32 ip6=+8($arg1):x8[16]");
	strcpy(p->filter, "klen > 1");
	p->optional = optional;

	p = add_kprobe_to(cat, set, nr, RT_PROBE_KPROBE,
			  "memory reader entry", "mm_access", "mm_access");
	if (o->ok)
		snprintf(p->fetchargs, sizeof(p->fetchargs),
			 "tpid=+%d($arg1):s32 ttgid=+%d($arg1):s32 "
			 "tcomm=+%d($arg1):string mode=$arg2:x32",
			 o->pid, o->tgid, o->comm);
	else
		strcpy(p->fetchargs, "tpid=+PID($arg1):s32 "
		       "ttgid=+TGID($arg1):s32 tcomm=+COMM($arg1):string "
		       "mode=$arg2:x32");
	p->optional = true;
	p = add_kprobe_to(cat, set, nr, RT_PROBE_KRETPROBE,
			  "memory reader return", "mm_access_ret", "mm_access");
	strcpy(p->fetchargs, "ret=$retval:s64");
	p->maxactive = 4096;
	p->optional = true;
}

/*
 * The protocols' recvmsg functions: every receive from a socket of these
 * families reaches one of them through sock_recvmsg_nosec (an inline, not
 * probeable itself).  unix_seqpacket_recvmsg calls unix_dgram_recvmsg,
 * so only the latter is probed.
 */
/* a kernel function or syscall the probe sets name, and if they need it */
struct probe_name {
	const char *name;
	bool optional;
};

static const struct probe_name rx_funcs[] = {
	{ "inet_recvmsg", false },
	{ "inet6_recvmsg", true },
	{ "unix_stream_recvmsg", true },
	{ "unix_dgram_recvmsg", true },
	{ "netlink_recvmsg", true },
	{ "packet_recvmsg", true },
};

/*
 * The protocols' send functions: every send of these families reaches
 * one (sock_sendmsg_nosec, an inline); on kernels before 6.5 sendfile
 * and splice into TCP, UDP and unix-stream sockets take sendpage
 * instead (one call per page).
 */
static const struct probe_name tx_funcs[] = {
	{ "inet_sendmsg", false },
	{ "inet6_sendmsg", true },
	{ "unix_stream_sendmsg", true },
	{ "unix_dgram_sendmsg", true },
	{ "netlink_sendmsg", true },
	{ "packet_sendmsg", true },
	{ "inet_sendpage", true },
	{ "unix_stream_sendpage", true },
};

/* syscalls whose enter/exit say how a socket receive or send came */
static const struct bracket {
	const char *name;
	bool optional;
	u8 dir;
} brackets[] = {
	{ "recvfrom", false, RX }, { "recvmsg", false, RX },
	{ "recvmmsg", false, RX }, { "io_uring_enter", true, BOTH },
	{ "splice", true, BOTH }, { "sendto", false, TX },
	{ "sendmsg", false, TX }, { "sendmmsg", false, TX },
	{ "sendfile64", true, TX },
};

static void add_brackets(struct rt_probe *set, int *nr)
{
	static char roles[ARRAY_SIZE(brackets)][2][40];

	for (size_t i = 0; i < ARRAY_SIZE(brackets); i++) {
		char ev[RT_NAME_LEN];
		struct rt_probe *p;

		snprintf(roles[i][0], sizeof(roles[i][0]), "%s entry",
			 brackets[i].name);
		snprintf(roles[i][1], sizeof(roles[i][1]), "%s exit",
			 brackets[i].name);
		snprintf(ev, sizeof(ev), "sys_enter_%s", brackets[i].name);
		p = add_probe(set, nr, RT_PROBE_TRACEPOINT, roles[i][0],
			      "syscalls", ev);
		p->optional = brackets[i].optional;
		p->dir = brackets[i].dir;
		snprintf(ev, sizeof(ev), "sys_exit_%s", brackets[i].name);
		p = add_probe(set, nr, RT_PROBE_TRACEPOINT, roles[i][1],
			      "syscalls", ev);
		p->optional = brackets[i].optional;
		p->dir = brackets[i].dir;
	}
}

/* TCP connections by their sk: the peers of connected sockets */
static void add_conn_tracepoint(struct rt_probe *set, int *nr)
{
	struct rt_probe *p = add_probe(set, nr, RT_PROBE_TRACEPOINT,
				       "TCP connection state", "sock",
				       "inet_sock_set_state");

	p->optional = true;
	p->any_task = true;
}

static void build_sock_set(struct rt_catalog *cat, bool have_kprobes)
{
	struct rt_probe *set = cat->sock_set;
	int *nr = &cat->nr_sock_set;
	struct rt_probe *p;

	p = add_probe(set, nr, RT_PROBE_TRACEPOINT, "socket receive", "sock",
		      "sock_recv_length");
	p->dir = RT_DIR_RX;
	p = add_probe(set, nr, RT_PROBE_TRACEPOINT, "socket send", "sock",
		      "sock_send_length");
	p->dir = RT_DIR_TX;
	add_conn_tracepoint(set, nr);
	add_brackets(set, nr);
	if (have_kprobes)
		add_addr_mm_kprobes(cat, set, nr, true);
	add_memory_tracepoints(set, nr, have_kprobes);
	add_task_tracepoints(set, nr);
}

/*
 * A protocol function's entry (the struct sock, its family and protocol;
 * receives: the flags) and r4096 return, for each of funcs
 */
static void add_sock_funcs(struct rt_catalog *cat,
			   const struct probe_name *funcs, size_t n,
			   char (*roles)[2][48], u8 dir)
{
	const struct rt_sock_offsets *o = &cat->sock;
	const char *flags = dir == RT_DIR_RX ? " flags=$arg4:x32" : "";
	char dst[200], lport[48] = "";

	for (size_t i = 0; i < n; i++) {
		const char *sym = funcs[i].name;
		char kind[RT_NAME_LEN];
		struct rt_probe *p;

		snprintf(roles[i][0], sizeof(roles[i][0]), "%s entry", sym);
		snprintf(roles[i][1], sizeof(roles[i][1]), "%s return", sym);
		p = add_kprobe(cat, RT_PROBE_KPROBE, roles[i][0], sym, sym);
		/*
		 * a send's destination, where the caller gave one: the
		 * kernel's copy of it (msg_name), read only when it is
		 * not NULL (name)
		 */
		dst[0] = 0;
		if (dir == RT_DIR_TX && o->ok && strstr(sym, "sendmsg"))
			snprintf(dst, sizeof(dst), " name=+%d($arg2):x64 "
				 "klen=+%d($arg2):s32 fam=+0(+%d($arg2)):u16 "
				 "port=+2(+%d($arg2)):u16 ip4=+4(+%d($arg2)):u32 "
				 "ip6=+8(+%d($arg2)):x8[16]", o->msg_name,
				 o->msg_namelen, o->msg_name, o->msg_name,
				 o->msg_name, o->msg_name);
		/* a receive's local port: a UDP sender's row names it */
		if (dir == RT_DIR_RX && o->ok && o->num >= 0)
			snprintf(lport, sizeof(lport), " lport=+%d(+%d($arg1))"
				 ":u16", o->num, o->sk);
		if (o->ok)
			snprintf(p->fetchargs, sizeof(p->fetchargs),
				 "sk=+%d($arg1):x64 family=+%d(+%d($arg1)):u16 "
				 "protocol=+%d(+%d($arg1)):u16%s%s%s",
				 o->sk, o->family, o->sk, o->protocol, o->sk,
				 flags, lport, dst);
		else
			snprintf(p->fetchargs, sizeof(p->fetchargs),
				 "sk=+SK($arg1):x64 "
				 "family=+FAMILY(+SK($arg1)):u16 "
				 "protocol=+PROTOCOL(+SK($arg1)):u16%s", flags);
		p->optional = funcs[i].optional;
		p->dir = dir;
		snprintf(kind, sizeof(kind), "%s_ret", sym);
		p = add_kprobe(cat, RT_PROBE_KRETPROBE, roles[i][1], kind, sym);
		strcpy(p->fetchargs, "ret=$retval:s32");
		p->maxactive = 4096;
		p->optional = funcs[i].optional;
		p->dir = dir;
	}
}

static void build_kprobe_set(struct rt_catalog *cat)
{
	static char rx_roles[ARRAY_SIZE(rx_funcs)][2][48];
	static char tx_roles[ARRAY_SIZE(tx_funcs)][2][48];
	struct rt_probe *set = cat->kprobe_set;
	int *nr = &cat->nr_kprobe_set;

	add_sock_funcs(cat, rx_funcs, ARRAY_SIZE(rx_funcs), rx_roles,
		       RT_DIR_RX);
	add_sock_funcs(cat, tx_funcs, ARRAY_SIZE(tx_funcs), tx_roles,
		       RT_DIR_TX);
	add_conn_tracepoint(set, nr);
	add_brackets(set, nr);
	add_addr_mm_kprobes(cat, set, nr, false);
	add_memory_tracepoints(set, nr, true);
	add_task_tracepoints(set, nr);
}

static bool tracepoint_exists(const char *system, const char *event)
{
	return tracefs_event_file_exists(NULL, system, event, "format");
}

/* is an entry kprobe one of the receive ones (fetching struct sock)? */
static bool is_rx_entry(const struct rt_probe *p)
{
	if (p->type != RT_PROBE_KPROBE)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(rx_funcs); i++)
		if (!strcmp(p->symbol, rx_funcs[i].name))
			return true;
	return false;
}

/* ... or one of the send ones */
static bool is_tx_entry(const struct rt_probe *p)
{
	if (p->type != RT_PROBE_KPROBE)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(tx_funcs); i++)
		if (!strcmp(p->symbol, tx_funcs[i].name))
			return true;
	return false;
}

/* mark each probe of a set available or not, with the reason */
static void check_set(struct rt_probe *set, int nr, bool have_kprobes,
		      const char *no_kprobe_why, const struct rt_catalog *cat)
{
	const char *syms[RT_MAX_PROBES];
	bool found[RT_MAX_PROBES] = { false };
	int nsyms = 0;

	for (int i = 0; i < nr && have_kprobes; i++)
		if (set[i].type != RT_PROBE_TRACEPOINT)
			syms[nsyms++] = set[i].symbol;
	if (nsyms)
		probe_kallsyms_has(NULL, syms, nsyms, found);
	nsyms = 0;
	for (int i = 0; i < nr; i++) {
		struct rt_probe *p = &set[i];

		p->available = true;
		p->why[0] = 0;
		if (p->type == RT_PROBE_TRACEPOINT) {
			if (!tracepoint_exists(p->system, p->event)) {
				p->available = false;
				snprintf(p->why, sizeof(p->why),
					 "no tracepoint %s:%s", p->system,
					 p->event);
			}
			continue;
		}
		if (!have_kprobes) {
			p->available = false;
			snprintf(p->why, sizeof(p->why), "%s", no_kprobe_why);
			continue;
		}
		if (!found[nsyms++]) {
			p->available = false;
			snprintf(p->why, sizeof(p->why),
				 "symbol %s is not in /proc/kallsyms "
				 "(inlined, renamed, a module not loaded, or "
				 "hidden)", p->symbol);
			continue;
		}
		if (!strcmp(p->symbol, "mm_access") &&
		    p->type == RT_PROBE_KPROBE && !cat->task.ok) {
			p->available = false;
			snprintf(p->why, sizeof(p->why), "%s", cat->task.why);
		} else if ((is_rx_entry(p) || is_tx_entry(p)) &&
			   !cat->sock.ok) {
			p->available = false;
			snprintf(p->why, sizeof(p->why), "%s", cat->sock.why);
		}
	}
	/* a receive function's return is no use without its entry */
	for (int i = 0; i + 1 < nr; i++)
		if ((is_rx_entry(&set[i]) || is_tx_entry(&set[i])) &&
		    !set[i].available &&
		    set[i + 1].type == RT_PROBE_KRETPROBE &&
		    set[i + 1].available) {
			set[i + 1].available = false;
			snprintf(set[i + 1].why, sizeof(set[i + 1].why),
				 "its entry probe is unavailable");
		}
}

/* does every non-optional probe of the set work? first failure in why */
static bool set_usable(const struct rt_probe *set, int nr, char *why,
		       size_t len)
{
	for (int i = 0; i < nr; i++) {
		if (!set[i].available && !set[i].optional) {
			snprintf(why, len, "%s: %s", set[i].role, set[i].why);
			return false;
		}
	}
	return true;
}

int probe_catalog_build(struct rt_catalog *cat, enum rt_backend want,
			int owner_pid, char *err, size_t errlen)
{
	bool have_kprobes;
	char nokp[160] = "";
	bool mm_ok;
	const struct rt_probe *src;
	int nsrc;

	memset(cat, 0, sizeof(*cat));
	cat->dir = RT_DIR_BOTH;
	snprintf(cat->group, sizeof(cat->group), "recvtop_%d", owner_pid);
	probe_btf_task_offsets(NULL, &cat->task);
	probe_btf_sock_offsets(NULL, &cat->sock);

	have_kprobes = tracefs_file_exists(NULL, "kprobe_events");
	if (!have_kprobes)
		snprintf(nokp, sizeof(nokp),
			 "%s/kprobe_events does not exist (kernel built "
			 "without CONFIG_KPROBE_EVENTS)", tracefs_tracing_dir());

	build_kprobe_set(cat);
	build_tracepoint_set(cat);
	build_sock_set(cat, have_kprobes);
	check_set(cat->kprobe_set, cat->nr_kprobe_set, have_kprobes, nokp, cat);
	check_set(cat->tp_set, cat->nr_tp_set, have_kprobes, nokp, cat);
	check_set(cat->sock_set, cat->nr_sock_set, have_kprobes, nokp, cat);
	cat->sock_ok = set_usable(cat->sock_set, cat->nr_sock_set,
				  cat->sock_why, sizeof(cat->sock_why));
	cat->kprobe_ok = set_usable(cat->kprobe_set, cat->nr_kprobe_set,
				    cat->kprobe_why, sizeof(cat->kprobe_why));
	cat->tracepoint_ok = set_usable(cat->tp_set, cat->nr_tp_set,
					cat->tracepoint_why,
					sizeof(cat->tracepoint_why));

	switch (want) {
	case RT_BACKEND_KPROBE:
		if (!cat->kprobe_ok) {
			snprintf(err, errlen, "--backend kprobe cannot work on "
				 "this kernel: %s", cat->kprobe_why);
			return -1;
		}
		cat->backend = RT_BACKEND_KPROBE;
		snprintf(cat->choice_why, sizeof(cat->choice_why),
			 "asked for with --backend kprobe");
		break;
	case RT_BACKEND_SOCK:
		if (!cat->sock_ok) {
			snprintf(err, errlen, "--backend sock cannot work on "
				 "this kernel: %s", cat->sock_why);
			return -1;
		}
		cat->backend = RT_BACKEND_SOCK;
		snprintf(cat->choice_why, sizeof(cat->choice_why),
			 "asked for with --backend sock");
		break;
	case RT_BACKEND_TRACEPOINT:
		if (!cat->tracepoint_ok) {
			snprintf(err, errlen, "--backend tracepoint cannot work "
				 "on this kernel: %s", cat->tracepoint_why);
			return -1;
		}
		cat->backend = RT_BACKEND_TRACEPOINT;
		snprintf(cat->choice_why, sizeof(cat->choice_why),
			 "asked for with --backend tracepoint");
		break;
	default:
		if (cat->sock_ok) {
			cat->backend = RT_BACKEND_SOCK;
			snprintf(cat->choice_why, sizeof(cat->choice_why),
				 "auto: the kernel has sock:sock_recv_length, "
				 "one event per socket receive");
		} else if (cat->kprobe_ok) {
			cat->backend = RT_BACKEND_KPROBE;
			snprintf(cat->choice_why, sizeof(cat->choice_why),
				 "auto: kprobe_events exists and the probed "
				 "symbols are in kallsyms (no "
				 "sock:sock_recv_length)");
		} else if (cat->tracepoint_ok) {
			cat->backend = RT_BACKEND_TRACEPOINT;
			snprintf(cat->choice_why, sizeof(cat->choice_why),
				 "auto: the sock and kprobe backends are "
				 "unavailable");
		} else {
			snprintf(err, errlen, "this kernel has none of the "
				 "probe points recvtop needs: sock: %s; "
				 "kprobe: %s; tracepoint: %s", cat->sock_why,
				 cat->kprobe_why, cat->tracepoint_why);
			return -1;
		}
	}

	/* the chosen set, without unavailable optional probes */
	switch (cat->backend) {
	case RT_BACKEND_KPROBE:
		src = cat->kprobe_set;
		nsrc = cat->nr_kprobe_set;
		break;
	case RT_BACKEND_SOCK:
		src = cat->sock_set;
		nsrc = cat->nr_sock_set;
		break;
	default:
		src = cat->tp_set;
		nsrc = cat->nr_tp_set;
		break;
	}
	mm_ok = cat->backend != RT_BACKEND_TRACEPOINT;
	for (int i = 0; i < nsrc; i++)
		if (!strcmp(src[i].symbol, "mm_access") && !src[i].available)
			mm_ok = false;
	if (cat->backend == RT_BACKEND_SOCK) {
		bool any = false;

		for (int i = 0; i < nsrc; i++)
			if (!strcmp(src[i].symbol, "mm_access"))
				any = true;
		mm_ok = mm_ok && any;
	}
	cat->mm_access = mm_ok;
	for (int i = 0; i < nsrc; i++) {
		if (!src[i].available)
			continue;
		if (!mm_ok && !strcmp(src[i].symbol, "mm_access"))
			continue;
		cat->probes[cat->nr_probes++] = src[i];
	}
	return 0;
}

void probe_catalog_set_direction(struct rt_catalog *cat, unsigned int dir)
{
	int n = 0;

	for (int i = 0; i < cat->nr_probes; i++)
		if (cat->probes[i].dir & dir)
			cat->probes[n++] = cat->probes[i];
	cat->nr_probes = n;
	cat->dir = dir;
}

bool probe_catalog_has_kprobes(const struct rt_catalog *cat)
{
	for (int i = 0; i < cat->nr_probes; i++)
		if (cat->probes[i].type == RT_PROBE_KPROBE ||
		    cat->probes[i].type == RT_PROBE_KRETPROBE)
			return true;
	return false;
}

bool probe_catalog_has_dynevents(const struct rt_catalog *cat)
{
	for (int i = 0; i < cat->nr_probes; i++)
		if (cat->probes[i].type != RT_PROBE_TRACEPOINT)
			return true;
	return false;
}

/* does the chosen set hold this probe? */
static bool catalog_has(const struct rt_catalog *cat, const char *symbol,
			const char *event)
{
	for (int i = 0; i < cat->nr_probes; i++)
		if ((symbol && !strcmp(cat->probes[i].symbol, symbol)) ||
		    (event && !strcmp(cat->probes[i].event, event)))
			return true;
	return false;
}

bool probe_catalog_has_senders(const struct rt_catalog *cat)
{
	return catalog_has(cat, "move_addr_to_user", NULL) || cat->uprobes;
}

/*
 * The fetch arguments at the instruction after the syscall: the return
 * register, and the argument registers the kernel left as they were
 * (x86-64: all but rax, rcx, r11; arm64: all but x0).  recvfrom's
 * src_addr and addrlen pointers; recvmsg's msghdr, whose msg_name (at 0)
 * and msg_namelen (at 8) the kernel updated.  klen is the length the
 * kernel wrote (0: no address, e.g. TCP); addr 0 means none was asked
 * for (the dereferences then fail and their fields are not meaningful).
 */
static void uprobe_fetchargs(enum rt_uarch arch, enum rt_ufunc f, char *buf,
			     size_t len)
{
	const char *ret = arch == RT_UARCH_ARM64 ? "%x0" : "%ax";
	char a[32], alen[32];

	if (f == RT_UFUNC_RECVFROM) {
		snprintf(a, sizeof(a), "%s", arch == RT_UARCH_ARM64 ?
			 "%x4" : "%r8");
		snprintf(alen, sizeof(alen), "+0(%s)",
			 arch == RT_UARCH_ARM64 ? "%x5" : "%r9");
	} else {
		const char *msg = arch == RT_UARCH_ARM64 ? "%x1" : "%si";

		snprintf(a, sizeof(a), "+0(%s)", msg);
		snprintf(alen, sizeof(alen), "+8(%s)", msg);
	}
	snprintf(buf, len, "ret=%s:s64 addr=%s:x64 klen=%s:u32 fam=+0(%s):u16 "
		 "port=+2(%s):u16 ip4=+4(%s):u32 ip6=+8(%s):x8[16]", ret, a,
		 alen, a, a, a, a);
}

void probe_catalog_add_uprobes(struct rt_catalog *cat, const int *pids,
			       unsigned int nr_pids, bool off)
{
	int k = 0;

	cat->uprobes = false;
	cat->uprobes_off = false;
	cat->nr_libcs = 0;
	if (catalog_has(cat, "move_addr_to_user", NULL)) {
		snprintf(cat->uprobes_why, sizeof(cat->uprobes_why),
			 "not needed: the move_addr_to_user kprobe sees "
			 "every sender");
		return;
	}
	if (!(cat->dir & RT_DIR_RX)) {
		snprintf(cat->uprobes_why, sizeof(cat->uprobes_why),
			 "not needed: receives are not traced");
		return;
	}
	if (off) {
		snprintf(cat->uprobes_why, sizeof(cat->uprobes_why),
			 "off unless --uprobes: then every libc recvfrom and "
			 "recvmsg call on the host takes a trap");
		cat->uprobes_off = true;
		return;
	}
	if (!tracefs_file_exists(NULL, "uprobe_events")) {
		snprintf(cat->uprobes_why, sizeof(cat->uprobes_why),
			 "%s/uprobe_events does not exist (kernel built "
			 "without CONFIG_UPROBE_EVENTS)", tracefs_tracing_dir());
		return;
	}
	cat->nr_libcs = uprobe_libc_find(pids, nr_pids, cat->libcs,
					 RT_LIBC_MAX);
	for (int l = 0; l < cat->nr_libcs; l++) {
		const struct rt_libc *lc = &cat->libcs[l];

		if (lc->why[0])
			continue;
		for (int f = 0; f < RT_UFUNC_NR; f++) {
			for (int i = 0; i < lc->fn[f].nr_sites; i++) {
				char ev[RT_NAME_LEN];
				struct rt_probe *p;

				if (cat->nr_probes >= RT_MAX_PROBES)
					break;
				snprintf(ev, sizeof(ev), "%s%d_%.16s",
					 f == RT_UFUNC_RECVFROM ? "ufrom" :
					 "umsg", k++, cat->group + 8);
				p = add_probe(cat->probes, &cat->nr_probes,
					      RT_PROBE_UPROBE, f ==
					      RT_UFUNC_RECVFROM ?
					      "recvfrom sender (user)" :
					      "recvmsg sender (user)",
					      cat->group, ev);
				snprintf(p->path, sizeof(p->path), "%s",
					 lc->path);
				p->offset = lc->fn[f].site[i];
				uprobe_fetchargs(lc->arch, (enum rt_ufunc)f,
						 p->fetchargs,
						 sizeof(p->fetchargs));
				/* data only; recvtop's own reads are not */
				snprintf(p->filter, sizeof(p->filter),
					 "ret > 0 && common_pid != %s",
					 cat->group + 8);
				p->dir = RT_DIR_RX;
				cat->uprobes = true;
			}
		}
	}
	if (!cat->uprobes)
		snprintf(cat->uprobes_why, sizeof(cat->uprobes_why), "%s",
			 cat->nr_libcs ? cat->libcs[0].why :
			 "no libc.so.6 mapped by the traced processes");
}

bool probe_catalog_has_conns(const struct rt_catalog *cat)
{
	return catalog_has(cat, NULL, "inet_sock_set_state");
}

void probe_definition(const struct rt_probe *p, char *buf, size_t len)
{
	switch (p->type) {
	case RT_PROBE_KPROBE:
		snprintf(buf, len, "p:%s/%s %s %s", p->system, p->event,
			 p->symbol, p->fetchargs);
		break;
	case RT_PROBE_KRETPROBE:
		snprintf(buf, len, "r%u:%s/%s %s %s", p->maxactive, p->system,
			 p->event, p->symbol, p->fetchargs);
		break;
	case RT_PROBE_UPROBE:
		snprintf(buf, len, "p:%s/%s %s:0x%llx %s", p->system, p->event,
			 p->path, (unsigned long long)p->offset, p->fetchargs);
		break;
	default:
		snprintf(buf, len, "%s:%s", p->system, p->event);
		break;
	}
}

/*
 * measured by bench/backends (see bench/README.md): what the uprobes cost
 * every process that calls libc's recvfrom or recvmsg, traced or not
 */
#define RT_UPROBE_COST "bench/backends, 2-vCPU KVM guest, Linux 6.18: " \
	"an untraced UDP receiver's recvfrom() flood slowed by 78% with " \
	"them on (190,000 to 41,000 calls/s; 76% with trace-cmd recording " \
	"the same uprobes), against a few per cent without them"

/* the libc files probed for sender addresses, and the limits */
static void print_uprobes(const struct rt_catalog *cat, FILE *f)
{
	char def[640], bid[2 * RT_BUILD_ID_MAX + 1];

	if (!cat->uprobes) {
		fprintf(f, "sender addresses from libc uprobes: no (%s)\n",
			cat->uprobes_why);
		if (cat->uprobes_off)
			fprintf(f, "  their cost: %s\n", RT_UPROBE_COST);
		return;
	}
	fprintf(f, "sender addresses from libc uprobes (source user): after "
		"each syscall instruction of recvfrom and recvmsg in every "
		"libc.so.6 file mapped at start (by recvtop too: processes "
		"started later with the same file are covered, uprobes attach "
		"to the file); not covered: programs that bypass libc (static "
		"binaries, Go, musl, raw syscalls), recvmmsg, sockets "
		"other than UDP (unix-dgram: kprobe backend), libc files "
		"first mapped after the start (another libc in a container "
		"started later); the address is read from the receiver's "
		"memory, which that process could forge; their cost: %s\n",
		RT_UPROBE_COST);
	for (int l = 0; l < cat->nr_libcs; l++) {
		const struct rt_libc *lc = &cat->libcs[l];

		uprobe_build_id_hex(lc, bid, sizeof(bid));
		fprintf(f, "  libc %s build-id %s", lc->path, bid);
		if (lc->why[0]) {
			fprintf(f, ": unusable: %s\n", lc->why);
			continue;
		}
		for (int fn = 0; fn < RT_UFUNC_NR; fn++) {
			fprintf(f, "%s %s 0x%llx:", fn ? ";" : ":",
				rt_ufunc_name((enum rt_ufunc)fn),
				(unsigned long long)lc->fn[fn].vaddr);
			for (int i = 0; i < lc->fn[fn].nr_sites; i++)
				fprintf(f, " 0x%llx", (unsigned long long)
					lc->fn[fn].site[i]);
		}
		fprintf(f, "\n");
	}
	for (int i = 0; i < cat->nr_probes; i++) {
		const struct rt_probe *p = &cat->probes[i];

		if (p->type != RT_PROBE_UPROBE)
			continue;
		probe_definition(p, def, sizeof(def));
		fprintf(f, "  %-26s %s\n", p->role, def);
		fprintf(f, "  %-26s   filter: %s\n", "", p->filter);
	}
}

static void print_set(FILE *f, const char *title, const struct rt_probe *set,
		      int nr)
{
	char def[640];

	fprintf(f, "\n%s:\n", title);
	for (int i = 0; i < nr; i++) {
		const struct rt_probe *p = &set[i];

		probe_definition(p, def, sizeof(def));
		fprintf(f, "  %-26s %s\n", p->role, def);
		if (p->filter[0])
			fprintf(f, "  %-26s   filter: %s\n", "", p->filter);
		if (!p->available)
			fprintf(f, "  %-26s   unavailable%s: %s\n", "",
				p->optional ? " (optional)" : "", p->why);
	}
}

/* the chosen set's probed functions, of the receives or the sends */
static void print_funcs(const struct rt_catalog *cat, FILE *f, bool tx)
{
	bool first = true;

	for (int i = 0; i < cat->nr_probes; i++) {
		const struct rt_probe *p = &cat->probes[i];

		if (!(tx ? is_tx_entry(p) : is_rx_entry(p)))
			continue;
		fprintf(f, "%s%s", first ? " " : ", ", p->symbol);
		first = false;
	}
	if (first)
		fprintf(f, " none");
}

/* what the chosen kprobe set sees of the receives */
static void print_kprobe_receives(const struct rt_catalog *cat, FILE *f)
{
	fprintf(f, "receives: every socket receive (recvfrom, recvmsg, every "
		"datagram of recvmmsg, read/readv, io_uring, UDP and "
		"unix-dgram splice) of the sockets whose recvmsg is probed:");
	print_funcs(cat, f, false);
	fprintf(f, "; not seen: other families, TCP and unix-stream splice, "
		"TCP_ZEROCOPY_RECEIVE, mmap rings; a return-probe miss "
		"inside recvfrom/recvmsg is counted from the syscall's exit; "
		"sender addresses: move_addr_to_user kprobe\n");
}

/* what each backend sees of the sends */
static void print_sends(const struct rt_catalog *cat, FILE *f)
{
	if (!(cat->dir & RT_DIR_TX)) {
		fprintf(f, "sends: not traced (--direction rx)\n");
		return;
	}
	switch (cat->backend) {
	case RT_BACKEND_SOCK:
		fprintf(f, "sends: every socket send (sendto/send, sendmsg, "
			"every message of sendmmsg, write/writev, sendfile and "
			"splice into a socket, io_uring SEND/SEND_ZC/SENDMSG/"
			"WRITE), one call per syscall (a sendfile's or "
			"splice's socket sends add up); not seen: sendfile and "
			"splice into TCP, UDP or unix-stream sockets on Linux "
			"6.3 and 6.4 (sendpage)\n");
		break;
	case RT_BACKEND_KPROBE:
		fprintf(f, "sends: every socket send (sendto/send, sendmsg, "
			"every message of sendmmsg, write/writev, sendfile and "
			"splice, io_uring) of the sockets whose send function "
			"is probed:");
		print_funcs(cat, f, true);
		fprintf(f, " (sendpage: sendfile and splice before Linux "
			"6.5); a return-probe miss inside sendto/sendmsg is "
			"counted from the syscall's exit\n");
		break;
	default:
		fprintf(f, "sends: sendto, send, sendmsg, every message of "
			"sendmmsg (not its bytes: they are in user memory), "
			"write, writev, pwritev2 and sendfile on sockets "
			"(sockets told from files as for reads; writes of a "
			"descriptor closed before it could be told are "
			"unknown_writes); not seen: io_uring, splice\n");
		break;
	}
}

/* measured by bench/backends (see bench/README.md): the slow path's cost */
#define RT_SLOWPATH_COST "bench/backends, 2-vCPU KVM guest, Linux 6.18: " \
	"a process making only getppid() calls, traced by nothing, went " \
	"from 216-219 to 292-294 ns per call, +34%, with any backend on"


void probe_catalog_print(const struct rt_catalog *cat, FILE *f)
{
	struct utsname u;

	if (uname(&u) == 0)
		fprintf(f, "kernel: %s %s %s\n", u.sysname, u.release,
			u.machine);
	fprintf(f, "tracefs: %s\n", tracefs_tracing_dir());
	fprintf(f, "backend: %s (%s)\n", rt_backend_name(cat->backend),
		cat->choice_why);
	fprintf(f, "direction: %s\n", rt_direction_name(cat->dir));
	fprintf(f, "  sock:       %s%s\n", cat->sock_ok ? "available" :
		"unavailable: ", cat->sock_ok ? "" : cat->sock_why);
	fprintf(f, "  kprobe:     %s%s\n", cat->kprobe_ok ? "available" :
		"unavailable: ", cat->kprobe_ok ? "" : cat->kprobe_why);
	fprintf(f, "  tracepoint: %s%s\n", cat->tracepoint_ok ? "available" :
		"unavailable: ", cat->tracepoint_ok ? "" : cat->tracepoint_why);
	if (cat->task.ok)
		fprintf(f, "task_struct offsets (BTF): pid %d, tgid %d, "
			"comm %d\n", cat->task.pid, cat->task.tgid,
			cat->task.comm);
	else
		fprintf(f, "task_struct offsets (BTF): unknown: %s\n",
			cat->task.why);
	if (cat->sock.ok)
		fprintf(f, "socket offsets (BTF): socket.sk %d, sock family %d, "
			"sock protocol %d\n", cat->sock.sk, cat->sock.family,
			cat->sock.protocol);
	else
		fprintf(f, "socket offsets (BTF): unknown: %s\n",
			cat->sock.why);
	if (!(cat->dir & RT_DIR_RX))
		fprintf(f, "receives: not traced (--direction tx)\n");
	else if (cat->backend == RT_BACKEND_SOCK)
		fprintf(f, "receives: every socket receive (recvfrom, recvmsg, "
			"every datagram of recvmmsg, read/readv, io_uring, "
			"UDP and unix-dgram splice); not seen: TCP and "
			"unix-stream splice, TCP_ZEROCOPY_RECEIVE, mmap "
			"rings; sender addresses: %s\n",
			catalog_has(cat, "move_addr_to_user", NULL) ?
			"move_addr_to_user kprobe" : cat->uprobes ?
			"libc uprobes (below)" : "not visible (no kprobes)");
	else if (cat->backend == RT_BACKEND_KPROBE)
		print_kprobe_receives(cat, f);
	else
		fprintf(f, "receives: recvfrom, recv, recvmsg, every datagram "
			"of recvmmsg (not its bytes: they are in user memory), "
			"read, readv and preadv2 on sockets (sockets told from files by "
			"socket()/accept() returns and /proc, the answers "
			"written into the trace as fd markers; reads of a "
			"descriptor closed before it could be told are "
			"unknown_reads); not seen: io_uring, splice; "
			"sender addresses: %s\n", cat->uprobes ?
			"libc uprobes (below)" : "none");
	print_sends(cat, f);
	if (cat->dir & RT_DIR_RX)
		print_uprobes(cat, f);
	if (catalog_has(cat, NULL, "inet_sock_set_state"))
		fprintf(f, "TCP peers: sock:inet_sock_set_state (every "
			"connection from SYN_SENT/SYN_RECV on) and "
			"/proc/PID/net/tcp, tcp6 of each network namespace "
			"at start (older connections)\n");
	else
		fprintf(f, "TCP peers: not visible (%s)\n",
			cat->backend == RT_BACKEND_TRACEPOINT ?
			"the tracepoint backend sees descriptors, not "
			"sockets" : "no sock:inet_sock_set_state");
	fprintf(f, "syscall tracepoints: enabling any of them puts every task "
		"of the host on the syscall slow path (%s)\n",
		RT_SLOWPATH_COST);
	if (cat->backend != RT_BACKEND_TRACEPOINT && cat->mm_access)
		fprintf(f, "memory readers from: mm_access kprobes (+ ptrace "
			"tracepoints)\n");
	else if (cat->backend == RT_BACKEND_KPROBE)
		fprintf(f, "memory readers from: %s\n", cat->mm_access ?
			"mm_access kprobes (+ ptrace tracepoints)" :
			"syscall tracepoints (mm_access unavailable)");
	else
		fprintf(f, "memory readers from: syscall tracepoints "
			"(process_vm_readv/writev, ptrace); no sender "
			"addresses, no /proc/PID/mem readers\n");
	fprintf(f, "names and containers: task:task_newtask and "
		"task:task_rename give each process the name it had when it "
		"received, sent or read (also after it exited); "
		"cgroup:cgroup_attach_task (cgroup v2 only: filter dst_root "
		"== 0) its cgroup and container when it moves; "
		"cgroup:cgroup_rmdir and cgroup_mkdir (root == 0) whether a "
		"container's or service's own cgroup still exists (stopped, "
		"started again); the returns "
		"of unshare(CLONE_NEWNET) and setns its netns, read then from "
		"/proc/TID/ns/net (\"not known\", 0, if the thread is "
		"already gone); threads seen first are read from /proc (the "
		"v2 \"0::\" line of /proc/PID/cgroup, /proc/PID/ns/net)\n");
	print_set(f, "sock backend", cat->sock_set, cat->nr_sock_set);
	print_set(f, "kprobe backend", cat->kprobe_set, cat->nr_kprobe_set);
	print_set(f, "tracepoint backend", cat->tp_set, cat->nr_tp_set);
}
