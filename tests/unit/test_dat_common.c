// SPDX-License-Identifier: GPL-2.0
/* Synthetic .dat files: pages built by hand, written by the real writer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_dat.h"

static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

static const char header_event[] =
	"# compressed entry header\n"
	"\ttype_len    :    5 bits\n"
	"\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n"
	"\n"
	"\tpadding     : type == 29\n"
	"\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n"
	"\tdata max type_len  == 28\n";

#define COMMON_FIELDS							\
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static const char fmt_enter[] =
	"name: sys_enter_recvfrom\nID: 2222\nformat:\n" COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * ubuf;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:size_t size;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int flags;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:struct sockaddr * addr;\toffset:48;\tsize:8;\tsigned:0;\n"
	"\tfield:int * addr_len;\toffset:56;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"fd: 0x%08lx, size: 0x%08lx\", ((unsigned long)(REC->fd)), "
	"((unsigned long)(REC->size))\n";

static const char fmt_exit[] =
	"name: sys_exit_recvfrom\nID: 2221\nformat:\n" COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n\n"
	"print fmt: \"0x%lx\", REC->ret\n";

static const char fmt_print[] =
	"name: print\nID: 5\nformat:\n" COMMON_FIELDS
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:0;\n\n"
	"print fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n";

static const struct dat_blob ftrace_blobs[] = {
	{ NULL, fmt_print, sizeof(fmt_print) - 1 },
};

static const struct dat_blob event_blobs[] = {
	{ "syscalls", fmt_enter, sizeof(fmt_enter) - 1 },
	{ "syscalls", fmt_exit, sizeof(fmt_exit) - 1 },
};

void tdat_head(struct dat_head *h)
{
	memset(h, 0, sizeof(*h));
	h->header_page = header_page;
	h->header_page_len = sizeof(header_page) - 1;
	h->header_event = header_event;
	h->header_event_len = sizeof(header_event) - 1;
	h->ftrace = ftrace_blobs;
	h->nr_ftrace = 1;
	h->events = event_blobs;
	h->nr_events = 2;
	h->printk = "0xffffffff81000000 : \"test\\n\"\n";
	h->printk_len = strlen(h->printk);
}

void tdat_page_init(struct tdat_page *p, u64 ts)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->b, &ts, 8);
	p->last_ts = ts;
}

static void put32(struct tdat_page *p, u32 v)
{
	memcpy(p->b + 16 + p->pos, &v, 4);
	p->pos += 4;
}

bool tdat_page_add(struct tdat_page *p, u64 ts, const void *payload,
		   u32 len)
{
	u32 padded = (len + 3) & ~3u;
	u64 delta = ts - p->last_ts;
	bool small = padded && padded <= 112;
	u32 need = 4 + (small ? 0 : 4) + padded + (delta >> 27 ? 8 : 0);
	u64 commit;

	if (p->pos + need > TDAT_PAGE - 16)
		return false;
	if (delta >> 27) {
		/* time extend: the high bits in a second word */
		put32(p, 30 | (u32)((delta & ((1u << 27) - 1)) << 5));
		put32(p, (u32)(delta >> 27));
		delta = 0;
	}
	if (small) {
		put32(p, (padded / 4) | (u32)(delta << 5));
	} else {
		put32(p, (u32)(delta << 5));
		put32(p, len + 4);
	}
	memcpy(p->b + 16 + p->pos, payload, len);
	p->pos += padded;
	p->last_ts = ts;
	p->events++;
	commit = p->pos;
	memcpy(p->b + 8, &commit, 8);
	return true;
}

void tdat_page_set_missed(struct tdat_page *p, s64 count)
{
	u64 commit = p->pos | DAT_MISSED_EVENTS;

	if (count > 0) {
		commit |= DAT_MISSED_STORED;
		memcpy(p->b + 16 + p->pos, &count, 8);
	}
	memcpy(p->b + 8, &commit, 8);
}

static void common(u8 *buf, u16 id, int tid)
{
	memcpy(buf, &id, 2);
	buf[2] = 0;
	buf[3] = 0;
	memcpy(buf + 4, &tid, 4);
}

u32 tdat_enter(u8 *buf, int tid, int fd)
{
	u64 v = (u64)fd, size = 65536;
	int nr = 45;

	memset(buf, 0, 64);
	common(buf, TDAT_ID_ENTER, tid);
	memcpy(buf + 8, &nr, 4);
	memcpy(buf + 16, &v, 8);
	memcpy(buf + 32, &size, 8);
	return 64;
}

u32 tdat_exit(u8 *buf, int tid, s64 ret)
{
	int nr = 45;

	memset(buf, 0, 24);
	common(buf, TDAT_ID_EXIT, tid);
	memcpy(buf + 8, &nr, 4);
	memcpy(buf + 16, &ret, 8);
	return 24;
}

u32 tdat_print(u8 *buf, int tid, const char *text)
{
	u32 len = (u32)strlen(text) + 1;

	memset(buf, 0, 16);
	common(buf, TDAT_ID_PRINT, tid);
	memcpy(buf + 16, text, len);
	return 16 + len;
}

struct cpu_fill {
	struct dat_writer *w;
	int cpu;
	struct tdat_page page;
	int pages;
	int missed_page;
};

static int flush_page(struct cpu_fill *f, u64 next_ts)
{
	if (f->page.events || f->page.pos) {
		if (f->cpu == 0 && f->missed_page && f->pages == f->missed_page)
			tdat_page_set_missed(&f->page, 5);
		if (dat_writer_add_cpu_pages(f->w, f->cpu, f->page.b,
					     TDAT_PAGE))
			return -1;
		f->pages++;
	}
	tdat_page_init(&f->page, next_ts);
	return 0;
}

static int add(struct cpu_fill *f, u64 ts, const u8 *payload, u32 len)
{
	if (tdat_page_add(&f->page, ts, payload, len))
		return 0;
	if (flush_page(f, ts))
		return -1;
	return tdat_page_add(&f->page, ts, payload, len) ? 0 : -1;
}

int tdat_write(const char *path, const struct tdat_opts *o, char *err,
	       size_t errlen)
{
	struct dat_writer_opts wo = {
		.version = o->version,
		.compress = o->zstd ? DAT_COMPRESS_ZSTD : DAT_COMPRESS_NONE,
		.page_size = TDAT_PAGE,
		.nr_cpus = o->cpus,
		.overwrite = true,
	};
	static const char tasks[] = DAT_RECVTOP_TAG
		"backend tracepoint\nmm_access 0\ntasks 2\n"
		"4242 4240 0 rtg-test\n4243 4240 0 rtg-test\n";
	char *stats[4] = {
		"entries: 0\noverrun: 3\ncommit overrun: 0\nbytes: 0\n"
		"dropped events: 1\nread events: 10\n",
		NULL, NULL, NULL,
	};
	struct dat_tail t = {
		.cmdlines = "4242 rtg-thread\n1 init\n",
		.cmdlines_len = 23,
		.recvtop = o->tasks ? tasks : NULL,
		.recvtop_len = sizeof(tasks) - 1,
		.trace_clock = "local global [mono] mono_raw",
		.clock = "mono",
		.uname = "Linux test 6.18 x86_64",
		.version = "recvtop test",
		.cpustats = stats,
	};
	struct dat_writer *w;
	struct dat_head h;
	u8 buf[256];

	w = dat_writer_create(path, &wo, err, errlen);
	if (!w)
		return -1;
	tdat_head(&h);
	if (o->kallsyms) {
		h.kallsyms = "ffffffff81000000 T _text\n"
			     "ffffffff81001000 t do_one_initcall\n"
			     "ffffffffc0000000 t rt_mod_func\t[rt_mod]\n";
		h.kallsyms_len = strlen(h.kallsyms);
	}
	if (dat_writer_write_head(w, &h, err, errlen))
		goto fail;
	for (int cpu = 0; cpu < o->cpus && cpu < 4; cpu++) {
		struct cpu_fill f = { .w = w, .cpu = cpu,
				      .missed_page = o->missed_page };
		u64 ts = 1000000000ULL + (u64)cpu * 3;
		int tid = TDAT_TID + (cpu & 1);

		tdat_page_init(&f.page, ts - 1000);
		if (cpu == 0 && o->markers &&
		    add(&f, ts - 500, buf, tdat_print(buf, 1, "recvtop: start")))
			goto werr;
		for (u32 i = 0; i < o->calls[cpu]; i++) {
			s64 ret = i % 5 == 4 ? -11 : 100;

			if (add(&f, ts, buf, tdat_enter(buf, tid, 3)) ||
			    add(&f, ts + 1000, buf, tdat_exit(buf, tid, ret)))
				goto werr;
			/* now and then a gap that needs a time extend */
			ts += i % 97 == 96 ? (1ULL << 28) : 2000;
		}
		if (cpu == 0 && o->markers) {
			/* a long line: an event with a length word */
			if (add(&f, 1000000000ULL + 100 * NSEC_PER_SEC, buf,
				tdat_print(buf, 1, "recvtop: stop "
					   "...................................."
					   "...................................."
					   "....................................")))
				goto werr;
		}
		if (flush_page(&f, 0))
			goto werr;
	}
	if (dat_writer_finish(w, &t, err, errlen) < 0)
		goto fail;
	dat_writer_free(w);
	return 0;
werr:
	snprintf(err, errlen, "building pages failed");
fail:
	dat_writer_free(w);
	return -1;
}

const char *tdat_tmpdir(void)
{
	static char dir[256];
	const char *base = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/rt-unit-XXXXXX", base ? base : "/tmp");
	return mkdtemp(dir) ? dir : NULL;
}

void tdat_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char p[512];

		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}
