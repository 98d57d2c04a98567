// SPDX-License-Identifier: GPL-2.0
/* The .dat writer, page parser, metadata parser and file source. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recvtop/correlate.h"
#include "recvtop/decode.h"
#include "recvtop/file_source.h"
#include "recvtop/pipeline.h"
#include "recvtop/record.h"
#include "recvtop/stats.h"
#include "recvtop/taskinfo.h"
#include "test_dat.h"
#include "unit.h"

/* ---- pages ---- */

struct seen {
	u32 n;
	u32 sizes[8];
	u64 ts[8];
};

static void count_event(void *ctx, const u8 *data, u32 size, u64 ts)
{
	struct seen *s = ctx;

	(void)data;
	if (s->n < 8) {
		s->sizes[s->n] = size;
		s->ts[s->n] = ts;
	}
	s->n++;
}

TEST(dat_page_walks_events_and_time)
{
	struct tdat_page p;
	struct dat_page_info info;
	struct seen s = { 0 };
	const char *why = NULL;
	u8 buf[256];

	tdat_page_init(&p, 1000);
	CHECK(tdat_page_add(&p, 1100, buf, tdat_enter(buf, 7, 3)));
	CHECK(tdat_page_add(&p, 1200, buf, tdat_exit(buf, 7, 5)));
	/* 2^28 ns later: needs a time extend */
	CHECK(tdat_page_add(&p, 1200 + (1ULL << 28), buf,
			    tdat_print(buf, 7, "a line longer than one hundred "
				       "and twelve bytes, so that the event "
				       "carries its own length word .........")));
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, count_event,
				&s, &why), 3);
	CHECK_EQ(s.n, 3);
	CHECK_EQ(s.sizes[0], 64);
	CHECK_EQ(s.sizes[1], 24);
	CHECK(s.sizes[2] >= 16 + 100);
	CHECK_EQ(s.ts[0], 1100);
	CHECK_EQ(s.ts[1], 1200);
	CHECK_EQ(s.ts[2], 1200 + (1ULL << 28));
	CHECK_EQ(info.events, 3);
	CHECK_EQ(info.first_ts, 1100);
	CHECK(!info.missed);
}

TEST(dat_page_missed_flags)
{
	struct tdat_page p;
	struct dat_page_info info;
	const char *why;
	u8 buf[64];

	tdat_page_init(&p, 1);
	CHECK(tdat_page_add(&p, 2, buf, tdat_exit(buf, 7, 5)));
	tdat_page_set_missed(&p, 42);
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, NULL, NULL,
				&why), 1);
	CHECK(info.missed);
	CHECK_EQ(info.missed_count, 42);
	tdat_page_set_missed(&p, 0);
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, NULL, NULL,
				&why), 1);
	CHECK(info.missed);
	CHECK_EQ(info.missed_count, -1);
}

TEST(dat_page_rejects_bad_layouts)
{
	struct tdat_page p;
	struct dat_page_info info;
	const char *why = NULL;
	u8 buf[64];
	u64 commit;
	u32 w;

	/* commit larger than the page */
	tdat_page_init(&p, 1);
	commit = TDAT_PAGE;
	memcpy(p.b + 8, &commit, 8);
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, NULL, NULL,
				&why), -1);
	CHECK_CONTAINS(why, "more data than fits");

	/* an event longer than the committed data */
	tdat_page_init(&p, 1);
	CHECK(tdat_page_add(&p, 2, buf, tdat_enter(buf, 7, 3)));
	commit = 40;
	memcpy(p.b + 8, &commit, 8);
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, NULL, NULL,
				&why), -1);
	CHECK_CONTAINS(why, "past the end");

	/* a length word below 4 would make readers walk backwards */
	tdat_page_init(&p, 1);
	w = 0;
	memcpy(p.b + 16, &w, 4);
	w = 2;
	memcpy(p.b + 20, &w, 4);
	commit = 8;
	memcpy(p.b + 8, &commit, 8);
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, NULL, NULL,
				&why), -1);
	CHECK_CONTAINS(why, "bad length");

	/* a stored lost count that would lie outside the page */
	tdat_page_init(&p, 1);
	commit = (TDAT_PAGE - 16 - 4) | DAT_MISSED_EVENTS | DAT_MISSED_STORED;
	memcpy(p.b + 8, &commit, 8);
	for (u32 off = 0; off < TDAT_PAGE - 16 - 4; off += 4) {
		w = 29;		/* padding events of length 0 */
		memcpy(p.b + 16 + off, &w, 4);
	}
	CHECK_EQ(dat_page_parse(p.b, TDAT_PAGE, 8, false, &info, NULL, NULL,
				&why), -1);
	CHECK_CONTAINS(why, "outside the page");
}

/* ---- writer and reader ---- */

struct totals {
	u64 calls, bytes, errors, eagain;
	char comm[RT_COMM_LEN];
	int pid;
	unsigned int nr_procs;
};

/* run a whole file through the pipeline, as recvtop report does */
static int run_file(struct file_source *fs, struct totals *t, u64 *events)
{
	struct decoder *dec = decoder_new(file_source_tep(fs));
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats st;
	struct correlator *corr;
	struct pipeline p;
	char err[256];
	int ret = -1;

	memset(t, 0, sizeof(*t));
	if (!dec || !ti || stats_init(&st, ti, NULL))
		goto out_free;
	corr = correlator_new(&st, false);
	if (!corr)
		goto out_stats;
	if (file_source_load_tasks(fs, ti, err, sizeof(err)) < 0)
		goto out_corr;
	pipeline_init(&p, dec, corr, &st, NSEC_PER_SEC, 0, NULL, NULL);
	file_source_feed(fs, &p, UINT64_MAX);
	pipeline_finish(&p);
	*events = p.events;
	for (u32 i = 0; i < table_count(&st.procs); i++) {
		const struct rt_proc_row *r = table_any_row(&st.procs, i);

		t->calls += r->total.calls;
		t->bytes += r->total.bytes;
		t->errors += r->total.errors;
		t->eagain += r->total.eagain;
		t->pid = r->tgid;
		snprintf(t->comm, sizeof(t->comm), "%s", r->comm);
		t->nr_procs++;
	}
	ret = 0;
out_corr:
	correlator_free(corr);
out_stats:
	stats_free(&st);
out_free:
	taskinfo_free(ti);
	decoder_free(dec);
	return ret;
}

static void roundtrip(int version, bool zstd)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = {
		.version = version, .zstd = zstd, .cpus = 3,
		.calls = { 700, 650, 0 }, .markers = true, .tasks = true,
		.missed_page = 2,
	};
	char path[300], err[512] = "";
	struct file_source *fs;
	struct totals t;
	struct stat st;
	u64 events = 0, lost = 0;

	CHECK(dir != NULL);
	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/rt.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	fs = file_source_open(path, err, sizeof(err));
	CHECK(fs != NULL);
	if (!fs) {
		printf("# %s\n", err);
		tdat_rmdir(dir);
		return;
	}
	CHECK_EQ(file_source_meta(fs)->version, version);
	CHECK_EQ(file_source_meta(fs)->compress,
		 zstd ? DAT_COMPRESS_ZSTD : DAT_COMPRESS_NONE);
	CHECK_STR(file_source_meta(fs)->clock, "mono");
	CHECK_EQ(file_source_nr_cpus(fs), 3);
	/* opening reads almost nothing of the data */
	CHECK(file_source_events(fs) < 2 + 2 * 700 + 2 * 650);
	CHECK(file_source_kernel_lost(fs, &lost));
	CHECK_EQ(lost, 4);
	CHECK_STR(file_source_recvtop_value(fs, "backend"), "tracepoint");
	CHECK_STR(file_source_meta(fs)->cmdlines.data, "4242 rtg-thread\n1 init\n");
	CHECK(file_source_has_tasks(fs));
	CHECK_EQ(run_file(fs, &t, &events), 0);
	/* counted as the pages were read */
	CHECK_EQ(file_source_events(fs), 2 + 2 * 700 + 2 * 650);
	CHECK_EQ(file_source_cpu_stats(fs, 0)->events, 2 + 2 * 700);
	CHECK_EQ(file_source_cpu_stats(fs, 1)->events, 2 * 650);
	CHECK_EQ(file_source_cpu_stats(fs, 2)->events, 0);
	CHECK_EQ(file_source_cpu_stats(fs, 0)->missed_pages, 1);
	CHECK_EQ(file_source_cpu_stats(fs, 0)->missed, 5);
	CHECK_EQ(events, file_source_events(fs));
	CHECK_EQ(file_source_read_count(fs), file_source_events(fs));
	/* both threads belong to one process, per recvtop's table */
	CHECK_EQ(t.nr_procs, 1);
	CHECK_EQ(t.pid, TDAT_TGID);
	CHECK_STR(t.comm, "rtg-test");
	CHECK_EQ(t.calls, 1350);
	CHECK_EQ(t.errors, 140 + 130);
	CHECK_EQ(t.eagain, 270);
	CHECK_EQ(t.bytes, 100 * (1350 - 270));
	file_source_close(fs);
	tdat_rmdir(dir);
}

TEST(dat_roundtrip_v6)
{
	roundtrip(6, false);
}

TEST(dat_roundtrip_v7)
{
	roundtrip(7, false);
}

TEST(dat_roundtrip_v7_zstd)
{
	roundtrip(7, true);
}

TEST(dat_without_table_uses_cmdlines)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = 6, .cpus = 1, .calls = { 10 } };
	char path[300], err[512] = "";
	struct file_source *fs;
	struct totals t;
	u64 events;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/plain.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	fs = file_source_open(path, err, sizeof(err));
	CHECK(fs != NULL);
	if (fs) {
		CHECK(!file_source_has_tasks(fs));
		CHECK(!file_source_recvtop_value(fs, "backend"));
		CHECK_EQ(run_file(fs, &t, &events), 0);
		CHECK_EQ(t.pid, TDAT_TID);
		CHECK_STR(t.comm, "rtg-thread");
		CHECK_EQ(t.calls, 10);
		file_source_close(fs);
	}
	tdat_rmdir(dir);
}

TEST(dat_time_order_and_limits)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = 7, .cpus = 2, .calls = { 300, 300 } };
	char path[300], err[512] = "";
	struct file_source *fs;
	struct rt_raw raw;
	u64 last = 0, n = 0, mid;
	bool ordered = true;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/order.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	fs = file_source_open(path, err, sizeof(err));
	CHECK(fs != NULL);
	if (!fs) {
		tdat_rmdir(dir);
		return;
	}
	mid = file_source_first_ts(fs) + 100000;
	/* nothing past the limit comes out */
	while (file_source_next(fs, mid, &raw) == 1) {
		ordered &= raw.ts >= last && raw.ts <= mid;
		last = raw.ts;
		n++;
	}
	CHECK(ordered);
	CHECK(n > 0 && n < 1200);
	CHECK(file_source_peek_ts(fs) > mid);
	while (file_source_next(fs, UINT64_MAX, &raw) == 1) {
		ordered &= raw.ts >= last;
		last = raw.ts;
		n++;
	}
	CHECK(ordered);
	CHECK_EQ(n, 1200);
	CHECK_EQ(file_source_peek_ts(fs), UINT64_MAX);
	file_source_close(fs);
	tdat_rmdir(dir);
}

static void seek_check(bool zstd)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = 7, .zstd = zstd, .cpus = 2,
			       .calls = { 900, 800 } };
	char path[300], err[512] = "";
	struct file_source *fs;
	struct rt_raw raw;
	u64 target, first, after = 0, all = 0;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/seek.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	fs = file_source_open(path, err, sizeof(err));
	CHECK(fs != NULL);
	if (!fs) {
		tdat_rmdir(dir);
		return;
	}
	/* the number of events at or after target, by reading them all */
	target = file_source_first_ts(fs) +
		 (file_source_last_ts(fs) - file_source_first_ts(fs)) / 2;
	while (file_source_next(fs, UINT64_MAX, &raw) == 1) {
		all++;
		after += raw.ts >= target;
	}
	CHECK_EQ(all, 3400);
	CHECK(after > 0 && after < all);
	CHECK_EQ(file_source_seek(fs, target), 0);
	CHECK(file_source_next(fs, UINT64_MAX, &raw) == 1);
	first = raw.ts;
	CHECK(first >= target);
	all = 1;
	while (file_source_next(fs, UINT64_MAX, &raw) == 1)
		all++;
	CHECK_EQ(all, after);
	/* and back to the start */
	CHECK_EQ(file_source_seek(fs, 0), 0);
	all = 0;
	while (file_source_next(fs, UINT64_MAX, &raw) == 1)
		all++;
	CHECK_EQ(all, 3400);
	file_source_close(fs);
	tdat_rmdir(dir);
}

TEST(dat_seek_uncompressed)
{
	seek_check(false);
}

TEST(dat_seek_zstd)
{
	seek_check(true);
}

/* ---- bad input: one clear reason, never a crash ---- */

static char *slurp(const char *path, size_t *len)
{
	return rt_read_file(path, len);
}

static int put_file(const char *path, const void *d, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int ret = fd >= 0 && write(fd, d, len) == (ssize_t)len ? 0 : -1;

	if (fd >= 0)
		close(fd);
	return ret;
}

static void expect_refused(const char *path, const char *why)
{
	char err[512] = "";
	struct file_source *fs = file_source_open(path, err, sizeof(err));

	CHECK(fs == NULL);
	if (fs)
		file_source_close(fs);
	else if (why)
		CHECK_CONTAINS(err, why);
	CHECK(err[0] != 0);
	CHECK(strchr(err, '\n') == NULL);
}

static void truncations(int version, bool zstd)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = version, .zstd = zstd, .cpus = 2,
			       .calls = { 200, 100 }, .markers = true,
			       .tasks = true };
	char path[300], cut[320], err[512];
	size_t len = 0;
	char *data;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/whole.dat", dir);
	snprintf(cut, sizeof(cut), "%s/cut.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	data = slurp(path, &len);
	CHECK(data != NULL);
	for (size_t at = 0; data && at < len; at += 61) {
		char e2[512] = "";
		struct file_source *fs;

		CHECK_EQ(put_file(cut, data, at), 0);
		/*
		 * v7 without its last section (STRINGS, descriptions only)
		 * is a whole file; any other cut is refused.
		 */
		if (version == 7 && data[at] == DAT_OPT_STRINGS &&
		    data[at + 1] == 0) {
			fs = file_source_open(cut, e2, sizeof(e2));
			CHECK(fs != NULL);
			file_source_close(fs);
			continue;
		}
		expect_refused(cut, NULL);
	}
	free(data);
	tdat_rmdir(dir);
}

TEST(dat_truncated_files_are_refused)
{
	truncations(6, false);
	truncations(7, false);
	truncations(7, true);
}

static void corrupt_at(const char *dir, const char *whole, size_t off,
		       const void *bytes, size_t n, const char *why)
{
	char path[320];
	size_t len = 0;
	char *data = slurp(whole, &len);

	snprintf(path, sizeof(path), "%s/bad.dat", dir);
	CHECK(data && off + n <= len);
	if (!data || off + n > len) {
		free(data);
		return;
	}
	memcpy(data + off, bytes, n);
	CHECK_EQ(put_file(path, data, len), 0);
	expect_refused(path, why);
	free(data);
}

TEST(dat_corrupt_files_are_refused)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = 6, .cpus = 1, .calls = { 50 },
			       .markers = true };
	char path[300], err[512];
	struct dat_meta m;
	u64 big = ~0ULL;
	int fd;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/v6.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	fd = open(path, O_RDONLY);
	CHECK_EQ(dat_meta_read(fd, &m, err, sizeof(err)), 0);
	close(fd);
	corrupt_at(dir, path, 0, "X", 1, "not a trace-cmd .dat file");
	corrupt_at(dir, path, 10, "5", 1, "versions 6 and 7");
	corrupt_at(dir, path, 13, "\x03", 1, "long size");
	corrupt_at(dir, path, 14, "\x00\x10\x01\x00", 4, "page size");
	/* header_page size far past the end */
	corrupt_at(dir, path, 18 + 12, &big, 8, "header_page");
	/* a page that claims more than a page */
	{
		u64 commit = 8000;

		corrupt_at(dir, path, m.cpu[0].offset + 8, &commit, 8,
			   "CPU 0, page 0");
	}
	/* the CPU table pointing past the end */
	{
		char *data;
		size_t len = 0;
		char *fly;

		data = slurp(path, &len);
		fly = data ? memmem(data, len, "flyrecord", 10) : NULL;
		CHECK(fly != NULL);
		if (fly)
			corrupt_at(dir, path, (size_t)(fly - data) + 10 + 8,
				   &big, 8, "truncated");
		free(data);
	}
	dat_meta_free(&m);
	tdat_rmdir(dir);
}

TEST(dat_foreign_input_is_refused)
{
	const char *dir = tdat_tmpdir();
	char path[300];

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/empty.dat", dir);
	CHECK_EQ(put_file(path, "", 0), 0);
	expect_refused(path, "not a trace-cmd .dat file");
	snprintf(path, sizeof(path), "%s/text.dat", dir);
	CHECK_EQ(put_file(path, "hello, world\n", 13), 0);
	expect_refused(path, "not a trace-cmd .dat file");
	expect_refused(dir, "is a directory");
	expect_refused("/dev/null", "not a regular file");
	snprintf(path, sizeof(path), "%s/missing.dat", dir);
	expect_refused(path, "No such file");
	tdat_rmdir(dir);
}

/* ---- writer paths ---- */

static int count_entries(const char *dir)
{
	char cmd[400];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

TEST(dat_writer_leaves_nothing_when_not_finished)
{
	const char *dir = tdat_tmpdir();
	struct dat_writer_opts wo = { .version = 6, .page_size = 4096,
				      .nr_cpus = 4 };
	struct dat_writer *w;
	struct dat_head h;
	char path[300], err[512] = "";

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/t.dat", dir);
	w = dat_writer_create(path, &wo, err, sizeof(err));
	CHECK(w != NULL);
	if (w) {
		tdat_head(&h);
		CHECK_EQ(dat_writer_write_head(w, &h, err, sizeof(err)), 0);
		CHECK_EQ(count_entries(dir), 5);	/* output + 4 CPUs */
		dat_writer_free(w);
	}
	CHECK_EQ(count_entries(dir), 0);
	/* a directory that is not there */
	snprintf(path, sizeof(path), "%s/nodir/t.dat", dir);
	CHECK(dat_writer_create(path, &wo, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "cannot create");
	wo.version = 6;
	wo.compress = DAT_COMPRESS_ZSTD;
	snprintf(path, sizeof(path), "%s/t.dat", dir);
	CHECK(dat_writer_create(path, &wo, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "version 7");
	tdat_rmdir(dir);
}

TEST(dat_writer_keeps_other_files)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = 6, .cpus = 1, .calls = { 5 } };
	struct dat_writer_opts wo = { .version = 6, .page_size = 4096,
				      .nr_cpus = 1 };
	struct dat_writer *w;
	struct dat_head h;
	struct dat_tail t = { .clock = "mono" };
	char path[300], err[512] = "";
	size_t len = 0;
	char *text;

	if (!dir)
		return;
	/* without overwrite, a file that appeared meanwhile is kept */
	snprintf(path, sizeof(path), "%s/race.dat", dir);
	w = dat_writer_create(path, &wo, err, sizeof(err));
	CHECK(w != NULL);
	if (w) {
		tdat_head(&h);
		CHECK_EQ(dat_writer_write_head(w, &h, err, sizeof(err)), 0);
		CHECK_EQ(put_file(path, "mine\n", 5), 0);
		CHECK(dat_writer_finish(w, &t, err, sizeof(err)) < 0);
		CHECK_CONTAINS(err, "not overwriting");
		dat_writer_free(w);
		text = slurp(path, &len);
		CHECK_STR(text, "mine\n");
		free(text);
		unlink(path);
	}
	CHECK_EQ(count_entries(dir), 0);
	/* with overwrite, an older recording is replaced */
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	CHECK_EQ(count_entries(dir), 1);
	tdat_rmdir(dir);
}

TEST(record_output_names)
{
	const char *dir = tdat_tmpdir();
	struct tdat_opts o = { .version = 6, .cpus = 1, .calls = { 1 } };
	char path[300], err[512];
	bool ow;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/new.dat", dir);
	CHECK_EQ(record_check_output(path, false, &ow), 0);
	CHECK(!ow);
	snprintf(path, sizeof(path), "%s/new.txt", dir);
	CHECK_EQ(record_check_output(path, false, &ow), RT_EXIT_USAGE);
	CHECK_EQ(record_check_output(path, true, &ow), 0);
	snprintf(path, sizeof(path), "%s/notes.dat", dir);
	CHECK_EQ(put_file(path, "my notes\n", 9), 0);
	CHECK_EQ(record_check_output(path, false, &ow), RT_EXIT_USAGE);
	CHECK_EQ(record_check_output(path, true, &ow), 0);
	CHECK(ow);
	snprintf(path, sizeof(path), "%s/old.dat", dir);
	CHECK_EQ(tdat_write(path, &o, err, sizeof(err)), 0);
	CHECK_EQ(record_check_output(path, false, &ow), 0);
	CHECK(ow);
	snprintf(path, sizeof(path), "%s/", dir);
	CHECK_EQ(record_check_output(dir, true, &ow), RT_EXIT_USAGE);
	tdat_rmdir(dir);
}
