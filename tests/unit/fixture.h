/* SPDX-License-Identifier: GPL-2.0 */
/* Test fixtures: a tep with real event formats, and ring-buffer pages. */
#ifndef RECVTOP_FIXTURE_H
#define RECVTOP_FIXTURE_H

#include "recvtop/common.h"

struct tep_handle;

/* event ids in the fixture tep (as on a 6.18 boot, plus a kprobe group) */
enum {
	FX_PRINT = 5,
	FX_EXIT_RECVFROM = 2221,
	FX_ENTER_RECVFROM = 2222,
	FX_EXIT_PTRACE = 230,
	FX_ENTER_PTRACE = 231,
	FX_EXIT_VM_READV = 1500,
	FX_ENTER_VM_READV = 1501,
	FX_EXIT_VM_WRITEV = 1502,
	FX_ENTER_VM_WRITEV = 1503,
	FX_K_RECVFROM = 3000,
	FX_K_RECVFROM_RET = 3001,
	FX_K_RECV_ADDR = 3002,
	FX_K_MM_ACCESS = 3003,
	FX_K_MM_ACCESS_RET = 3004,
	FX_UNRELATED = 3100,
};

struct tep_handle *fixture_tep(void);

/* the common fields of every event format, as tracefs prints them */
#define FX_FORMAT_COMMON						\
	"format:\n"							\
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

struct fx_format {
	const char *system;
	const char *text;
};

struct decoder;

/*
 * A decoder of just these formats (8-byte longs), its tep in *tep; NULL
 * (and *tep NULL) when a format does not parse
 */
struct decoder *fixture_decoder(const struct fx_format *f, unsigned int n,
				struct tep_handle **tep);

#define FX_PAGE 4096

struct fx_page {
	u8 data[FX_PAGE];
	u32 off;		/* bytes of event data used */
	u64 base, last;		/* page and last event timestamps */
};

void fx_page_init(struct fx_page *p, u64 ts);
/* append one event; ts must not go backwards within a page */
int fx_page_add(struct fx_page *p, u64 ts, const void *payload, u32 len);
/* mark lost events before this page (count < 0: unknown count) */
void fx_page_missed(struct fx_page *p, long long count);

/* payloads; each returns its length */
u32 fx_sys_enter_recvfrom(u8 *b, int pid, int fd, u64 size, u32 flags,
			  u64 addr);
u32 fx_sys_exit(u8 *b, u16 id, int pid, s64 ret);
u32 fx_sys_enter_pid(u8 *b, u16 id, int pid, long target, long request);
u32 fx_k_recvfrom(u8 *b, int pid, int fd, u64 size, u32 flags, u64 addr);
u32 fx_k_ret(u8 *b, u16 id, int pid, s64 ret);
u32 fx_k_addr4(u8 *b, int pid, int klen, const char *ip, u16 port);
u32 fx_k_addr6(u8 *b, int pid, int klen, const char *ip, u16 port);
u32 fx_k_addr_unix(u8 *b, int pid, const char *path, int abstract);
u32 fx_k_mm(u8 *b, int pid, int tpid, int ttgid, const char *tcomm,
	    u32 mode);
u32 fx_print(u8 *b, int pid, const char *text);
u32 fx_unrelated(u8 *b, int pid);

#endif
