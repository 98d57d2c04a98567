/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_UPROBES_H
#define RECVTOP_UPROBES_H

#include <stdio.h>
#include <sys/types.h>

#include "recvtop/common.h"

/*
 * Sender addresses from user memory where the kernel has no kprobes:
 * uprobes on the instruction after each syscall instruction of libc's
 * recvfrom and recvmsg.  There the syscall has returned (its result in
 * the return register) and its argument registers still hold the
 * caller's source-address pointer (recvfrom) or msghdr (recvmsg).
 *
 * Discovery: the libc.so.6 files mapped by the traced processes (and by
 * recvtop itself, so processes started later with the same libc are
 * covered: uprobes attach to the file's inode), one per file identity
 * (st_dev, st_ino); for each, .dynsym gives the functions, the build-id
 * note names the build, and the function bytes the syscall sites.
 */

enum rt_ufunc {
	RT_UFUNC_RECVFROM = 0,
	RT_UFUNC_RECVMSG,
	RT_UFUNC_NR,
};

#define RT_USITES_MAX	4	/* syscall sites per function kept */
#define RT_LIBC_MAX	4	/* distinct libc files probed */
#define RT_BUILD_ID_MAX	20

enum rt_uarch {
	RT_UARCH_X86_64 = 1,
	RT_UARCH_ARM64,
};

struct rt_libc {
	char path[256];		/* as the probe names it */
	dev_t dev;
	ino_t ino;
	enum rt_uarch arch;
	u8 build_id[RT_BUILD_ID_MAX];
	int build_id_len;
	struct {
		u64 vaddr;		/* the symbol */
		u64 size;
		int nr_sites;
		u64 site[RT_USITES_MAX];	/* file offsets of the
						 * instruction after each
						 * syscall instruction */
	} fn[RT_UFUNC_NR];
	char why[160];		/* when not usable */
};

const char *rt_ufunc_name(enum rt_ufunc f);

/*
 * Read an ELF libc: machine, build-id, recvfrom and recvmsg, their
 * syscall sites.  Returns 0, or -1 with a one-line reason in lc->why.
 */
int uprobe_libc_scan(const char *path, struct rt_libc *lc);

/*
 * The distinct libc.so.6 files mapped by pids (all processes when
 * nr_pids is 0) and by recvtop itself, scanned; at most max.  Returns
 * how many were found (a file that could not be scanned is kept, with
 * its reason: the caller tells).
 */
int uprobe_libc_find(const int *pids, unsigned int nr_pids,
		     struct rt_libc *out, int max);

/* "ab12..." */
void uprobe_build_id_hex(const struct rt_libc *lc, char *buf, size_t len);

#endif
