/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_PROBES_H
#define RECVTOP_PROBES_H

#include <stdio.h>

#include "recvtop/common.h"
#include "recvtop/event.h"
#include "recvtop/uprobes.h"

/*
 * The probe catalog: what recvtop watches on this kernel.
 *
 * Three backends.  sock (Linux 6.3 and later): sock:sock_recv_length,
 * one event per socket receive whatever the syscall, bracketed by the
 * enter/exit tracepoints of recvfrom, recvmsg, recvmmsg, io_uring_enter
 * and splice that say how it came; where kprobes exist too, the sender
 * address and mm_access kprobes of the kprobe backend join it.  kprobe:
 * the protocols' recvmsg functions (inet_recvmsg, inet6_recvmsg,
 * unix_stream_recvmsg, unix_dgram_recvmsg, netlink_recvmsg,
 * packet_recvmsg), entry (the struct sock, its family and protocol at
 * offsets read from BTF, the flags) and r4096 return (the bytes), paired
 * per thread into what sock_recv_length would say, inside the same
 * syscall brackets; move_addr_to_user for the sender
 * address (from the kernel's copy, filter klen > 1), mm_access
 * entry/return with the target task's pid/tgid/comm at offsets read from
 * BTF; plus the ptrace and process_vm_* syscall tracepoints to label
 * memory readers.  tracepoint: the syscall tracepoints only (no sender
 * address, no /proc readers).
 */

enum rt_backend {
	RT_BACKEND_AUTO = 0,
	RT_BACKEND_KPROBE,
	RT_BACKEND_TRACEPOINT,
	RT_BACKEND_SOCK,
};

const char *rt_backend_name(enum rt_backend b);
int rt_backend_parse(const char *s, enum rt_backend *out);

enum rt_probe_type {
	RT_PROBE_KPROBE,
	RT_PROBE_KRETPROBE,
	RT_PROBE_TRACEPOINT,
	RT_PROBE_UPROBE,	/* libc sender address (path:offset) */
};

#define RT_NAME_LEN 64

struct rt_probe {
	enum rt_probe_type type;
	const char *role;		/* "recvfrom entry" ... */
	char system[RT_NAME_LEN];	/* "recvtop_1234" or "syscalls" */
	char event[RT_NAME_LEN];
	char symbol[RT_NAME_LEN];	/* kprobes */
	char fetchargs[384];		/* kprobes */
	unsigned int maxactive;		/* kretprobes */
	char path[256];			/* uprobes: the file ... */
	u64 offset;			/* ... and the offset in it */
	char filter[192];		/* the probe's own kernel filter */
	bool optional;			/* fine to be missing */
	bool any_task;			/* its events run in any task (softirq):
					 * -c does not filter them */
	u8 dir;				/* RT_DIR_*: what it serves */
	bool available;
	char why[160];			/* when not available */
};

struct rt_task_offsets {
	bool ok;
	int pid, tgid, comm;
	char why[160];
};

/* struct socket and struct sock offsets the receive kprobes fetch */
struct rt_sock_offsets {
	bool ok;
	int sk;			/* socket.sk */
	int family;		/* sock.__sk_common.skc_family */
	int protocol;		/* sock.sk_protocol (a u16 since Linux 5.6) */
	int num;		/* sock.__sk_common.skc_num: the local port
				 * (host order), or -1 */
	int msg_name;		/* msghdr.msg_name: a send's destination */
	int msg_namelen;	/* msghdr.msg_namelen */
	char why[160];
};

#define RT_MAX_PROBES 112

/* --direction: what is traced */
#define RT_DIR_RX	0x1
#define RT_DIR_TX	0x2
#define RT_DIR_BOTH	(RT_DIR_RX | RT_DIR_TX)

const char *rt_direction_name(unsigned int dir);
int rt_direction_parse(const char *s, unsigned int *dir);

struct rt_catalog {
	enum rt_backend backend;	/* the one chosen */
	unsigned int dir;		/* RT_DIR_*: what is traced */
	char group[RT_NAME_LEN];	/* recvtop_PID */
	bool mm_access;			/* readers from mm_access kprobes */
	struct rt_probe probes[RT_MAX_PROBES];	/* the chosen backend's */
	int nr_probes;
	/* for `recvtop probes` */
	bool kprobe_ok, tracepoint_ok, sock_ok;
	char kprobe_why[256], tracepoint_why[256], sock_why[256];
	char choice_why[320];
	struct rt_task_offsets task;
	struct rt_sock_offsets sock;
	struct rt_probe kprobe_set[RT_MAX_PROBES];
	int nr_kprobe_set;
	struct rt_probe tp_set[RT_MAX_PROBES];
	int nr_tp_set;
	struct rt_probe sock_set[RT_MAX_PROBES];
	int nr_sock_set;
	/* sender addresses from libc uprobes (uprobes.h) */
	bool uprobes;			/* some are in probes[] */
	bool uprobes_off;		/* only because --uprobes was not given */
	char uprobes_why[200];		/* when none are */
	struct rt_libc libcs[RT_LIBC_MAX];
	int nr_libcs;
};

/* does the chosen set hold kprobes (a group to remove, misses to read)? */
bool probe_catalog_has_kprobes(const struct rt_catalog *cat);
/* ... or any dynamic event (kprobes, uprobes: a group to remove)? */
bool probe_catalog_has_dynevents(const struct rt_catalog *cat);
/* does it see sender addresses (move_addr_to_user, or libc uprobes)? */
bool probe_catalog_has_senders(const struct rt_catalog *cat);
/* TCP connections by their sk (sock:inet_sock_set_state)? */
bool probe_catalog_has_conns(const struct rt_catalog *cat);

/*
 * Work out both backends on this kernel and choose one.  Returns 0, or -1
 * with a one-line reason in err when the wanted backend cannot work.
 */
int probe_catalog_build(struct rt_catalog *cat, enum rt_backend want,
			int owner_pid, char *err, size_t errlen);
/* Keep only the chosen set's probes that serve dir (RT_DIR_*) */
void probe_catalog_set_direction(struct rt_catalog *cat, unsigned int dir);
/*
 * Where the chosen set has no move_addr_to_user kprobe and receives are
 * traced: uprobes after the syscalls of libc's recvfrom and recvmsg in
 * the libc files of pids (every process when nr_pids is 0) and of
 * recvtop itself.  off: --no-uprobes.
 */
void probe_catalog_add_uprobes(struct rt_catalog *cat, const int *pids,
			       unsigned int nr_pids, bool off);
/* The full text of `recvtop probes` */
void probe_catalog_print(const struct rt_catalog *cat, FILE *f);
/* Kernel-syntax definition of a kprobe ("p:G/E sym args"), for display */
void probe_definition(const struct rt_probe *p, char *buf, size_t len);

/* task_struct pid/tgid/comm offsets from BTF (path NULL: the kernel's) */
int probe_btf_task_offsets(const char *btf_path, struct rt_task_offsets *off);
/* struct socket/sock offsets from BTF (path NULL: the kernel's) */
int probe_btf_sock_offsets(const char *btf_path, struct rt_sock_offsets *off);
/* Is this exact symbol in /proc/kallsyms (or the given file)? */
bool probe_kallsyms_has(const char *kallsyms_path, const char *const *syms,
			int n, bool *found);

#endif
