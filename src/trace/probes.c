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
	const struct btf_type *socket, *sock, *common;
	struct btf *btf;
	long sk, base, fam, proto;

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
	/* a bitfield before Linux 5.6: btf_member_offset says -1 */
	proto = sock ? btf_member_offset(btf, sock, "sk_protocol", 0) : -1;
	btf__free(btf);
	if (sk < 0 || base < 0 || fam < 0 || proto < 0) {
		snprintf(off->why, sizeof(off->why),
			 "kernel BTF lacks socket.sk, sock.__sk_common."
			 "skc_family or a byte-aligned sock.sk_protocol");
		return -1;
	}
	off->sk = (int)sk;
	off->family = (int)(base + fam);
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
 * The tracepoint backend: the receive syscalls' entries and exits, and
 * what tells which descriptors are sockets (socket/accept returns; close,
 * dup2/dup3, close_range, exec and fork forget what was known).
 */
static const struct {
	const char *system, *event, *role;
	bool optional;
} tp_receives[] = {
	{ "syscalls", "sys_enter_recvfrom", "recvfrom entry", false },
	{ "syscalls", "sys_exit_recvfrom", "recvfrom return", false },
	{ "syscalls", "sys_enter_recvmsg", "recvmsg entry", false },
	{ "syscalls", "sys_exit_recvmsg", "recvmsg return", false },
	{ "syscalls", "sys_enter_recvmmsg", "recvmmsg entry", false },
	{ "syscalls", "sys_exit_recvmmsg", "recvmmsg return", false },
	{ "syscalls", "sys_enter_read", "read entry", false },
	{ "syscalls", "sys_exit_read", "read return", false },
	{ "syscalls", "sys_enter_readv", "readv entry", false },
	{ "syscalls", "sys_exit_readv", "readv return", false },
	{ "syscalls", "sys_enter_preadv2", "preadv2 entry", true },
	{ "syscalls", "sys_exit_preadv2", "preadv2 return", true },
	{ "syscalls", "sys_enter_socket", "socket entry (fd class)", false },
	{ "syscalls", "sys_exit_socket", "socket return (fd class)", false },
	{ "syscalls", "sys_enter_accept", "accept entry (fd class)", true },
	{ "syscalls", "sys_exit_accept", "accept return (fd class)", true },
	{ "syscalls", "sys_enter_accept4", "accept4 entry (fd class)", false },
	{ "syscalls", "sys_exit_accept4", "accept4 return (fd class)", false },
	{ "syscalls", "sys_enter_close", "close (fd class)", false },
	{ "syscalls", "sys_enter_dup2", "dup2 (fd class)", true },
	{ "syscalls", "sys_enter_dup3", "dup3 (fd class)", false },
	{ "syscalls", "sys_enter_close_range", "close_range (fd class)", true },
	{ "syscalls", "sys_enter_execve", "execve (fd class)", false },
	{ "syscalls", "sys_enter_execveat", "execveat (fd class)", true },
	{ "sched", "sched_process_fork", "fork (fd class)", false },
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
		/* recvtop's own reads of the ring buffers are none of it */
		if (strcmp(tp_receives[i].system, "sched"))
			snprintf(p->filter, sizeof(p->filter),
				 "common_pid != %s", cat->group + 8);
	}
	add_memory_tracepoints(cat->tp_set, nr, false);
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

/* syscalls whose enter/exit say how a socket receive came */
static const struct probe_name brackets[] = {
	{ "recvfrom", false }, { "recvmsg", false },
	{ "recvmmsg", false }, { "io_uring_enter", true },
	{ "splice", true },
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
		snprintf(ev, sizeof(ev), "sys_exit_%s", brackets[i].name);
		p = add_probe(set, nr, RT_PROBE_TRACEPOINT, roles[i][1],
			      "syscalls", ev);
		p->optional = brackets[i].optional;
	}
}

static void build_sock_set(struct rt_catalog *cat, bool have_kprobes)
{
	struct rt_probe *set = cat->sock_set;
	int *nr = &cat->nr_sock_set;

	add_probe(set, nr, RT_PROBE_TRACEPOINT, "socket receive", "sock",
		  "sock_recv_length");
	add_brackets(set, nr);
	if (have_kprobes)
		add_addr_mm_kprobes(cat, set, nr, true);
	add_memory_tracepoints(set, nr, have_kprobes);
}

static void build_kprobe_set(struct rt_catalog *cat)
{
	static char roles[ARRAY_SIZE(rx_funcs)][2][48];
	const struct rt_sock_offsets *o = &cat->sock;
	struct rt_probe *set = cat->kprobe_set;
	int *nr = &cat->nr_kprobe_set;

	for (size_t i = 0; i < ARRAY_SIZE(rx_funcs); i++) {
		const char *sym = rx_funcs[i].name;
		char kind[RT_NAME_LEN];
		struct rt_probe *p;

		snprintf(roles[i][0], sizeof(roles[i][0]), "%s entry", sym);
		snprintf(roles[i][1], sizeof(roles[i][1]), "%s return", sym);
		p = add_kprobe(cat, RT_PROBE_KPROBE, roles[i][0], sym, sym);
		if (o->ok)
			snprintf(p->fetchargs, sizeof(p->fetchargs),
				 "sk=+%d($arg1):x64 family=+%d(+%d($arg1)):u16 "
				 "protocol=+%d(+%d($arg1)):u16 flags=$arg4:x32",
				 o->sk, o->family, o->sk, o->protocol, o->sk);
		else
			strcpy(p->fetchargs, "sk=+SK($arg1):x64 "
			       "family=+FAMILY(+SK($arg1)):u16 "
			       "protocol=+PROTOCOL(+SK($arg1)):u16 "
			       "flags=$arg4:x32");
		p->optional = rx_funcs[i].optional;
		snprintf(kind, sizeof(kind), "%s_ret", sym);
		p = add_kprobe(cat, RT_PROBE_KRETPROBE, roles[i][1], kind, sym);
		strcpy(p->fetchargs, "ret=$retval:s32");
		p->maxactive = 4096;
		p->optional = rx_funcs[i].optional;
	}
	add_brackets(set, nr);
	add_addr_mm_kprobes(cat, set, nr, false);
	add_memory_tracepoints(set, nr, true);
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
		} else if (is_rx_entry(p) && !cat->sock.ok) {
			p->available = false;
			snprintf(p->why, sizeof(p->why), "%s", cat->sock.why);
		}
	}
	/* a receive function's return is no use without its entry */
	for (int i = 0; i + 1 < nr; i++)
		if (is_rx_entry(&set[i]) && !set[i].available &&
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

bool probe_catalog_has_kprobes(const struct rt_catalog *cat)
{
	for (int i = 0; i < cat->nr_probes; i++)
		if (cat->probes[i].type != RT_PROBE_TRACEPOINT)
			return true;
	return false;
}

bool probe_catalog_has_peers(const struct rt_catalog *cat)
{
	for (int i = 0; i < cat->nr_probes; i++)
		if (!strcmp(cat->probes[i].symbol, "move_addr_to_user"))
			return true;
	return false;
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
	default:
		snprintf(buf, len, "%s:%s", p->system, p->event);
		break;
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

/* what the chosen kprobe set sees of the receives */
static void print_kprobe_receives(const struct rt_catalog *cat, FILE *f)
{
	bool first = true;

	fprintf(f, "receives: every socket receive (recvfrom, recvmsg, every "
		"datagram of recvmmsg, read/readv, io_uring, UDP and "
		"unix-dgram splice) of the sockets whose recvmsg is probed:");
	for (int i = 0; i < cat->nr_probes; i++) {
		const struct rt_probe *p = &cat->probes[i];

		if (!is_rx_entry(p))
			continue;
		fprintf(f, "%s%s", first ? " " : ", ", p->symbol);
		first = false;
	}
	fprintf(f, "; not seen: other families, TCP and unix-stream splice, "
		"TCP_ZEROCOPY_RECEIVE, mmap rings; a return-probe miss "
		"inside recvfrom/recvmsg is counted from the syscall's exit; "
		"sender addresses: move_addr_to_user kprobe\n");
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
	if (cat->backend == RT_BACKEND_SOCK)
		fprintf(f, "receives: every socket receive (recvfrom, recvmsg, "
			"every datagram of recvmmsg, read/readv, io_uring, "
			"UDP and unix-dgram splice); not seen: TCP and "
			"unix-stream splice, TCP_ZEROCOPY_RECEIVE, mmap "
			"rings; sender addresses: %s\n",
			probe_catalog_has_peers(cat) ? "move_addr_to_user "
			"kprobe" : "not visible (no kprobes)");
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
			"no sender addresses\n");
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
	print_set(f, "sock backend", cat->sock_set, cat->nr_sock_set);
	print_set(f, "kprobe backend", cat->kprobe_set, cat->nr_kprobe_set);
	print_set(f, "tracepoint backend", cat->tp_set, cat->nr_tp_set);
}
