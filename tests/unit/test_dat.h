/* SPDX-License-Identifier: GPL-2.0 */
/* Synthetic .dat files for the writer/reader tests (and fuzz seeds). */
#ifndef RECVTOP_TEST_DAT_H
#define RECVTOP_TEST_DAT_H

#include "recvtop/common.h"
#include "recvtop/datfile.h"

#define TDAT_PAGE 4096
#define TDAT_ID_ENTER 2222
#define TDAT_ID_EXIT 2221
#define TDAT_ID_PRINT 5
#define TDAT_TID 4242
#define TDAT_TGID 4240

/* a raw ring-buffer page under construction (64-bit kernel layout) */
struct tdat_page {
	u8 b[TDAT_PAGE];
	u32 pos;		/* bytes of event data used */
	u64 last_ts;
	u32 events;
};

void tdat_page_init(struct tdat_page *p, u64 ts);
/* false when the event does not fit */
bool tdat_page_add(struct tdat_page *p, u64 ts, const void *payload,
		   u32 len);
void tdat_page_set_missed(struct tdat_page *p, s64 count);
/* payloads */
u32 tdat_enter(u8 *buf, int tid, int fd);
u32 tdat_exit(u8 *buf, int tid, s64 ret);
u32 tdat_print(u8 *buf, int tid, const char *text);

struct tdat_opts {
	int version;		/* 6 or 7 */
	bool zstd;
	int cpus;		/* up to 4 */
	u32 calls[4];		/* recvfrom enter+exit pairs per CPU */
	bool markers;		/* "recvtop: start"/"stop" on CPU 0 */
	bool tasks;		/* recvtop's thread table */
	int missed_page;	/* CPU 0 page with lost events (0: none) */
	bool kallsyms;		/* a few kernel symbols */
};

/* the head every synthetic file uses */
void tdat_head(struct dat_head *h);
/* Write a whole file; 0, or -1 with err */
int tdat_write(const char *path, const struct tdat_opts *o, char *err,
	       size_t errlen);
/* a fresh directory under TMPDIR (static buffer) and removing it */
const char *tdat_tmpdir(void);
void tdat_rmdir(const char *dir);

#endif
