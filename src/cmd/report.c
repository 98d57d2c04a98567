// SPDX-License-Identifier: GPL-2.0
/* `recvtop report`: whole-file totals of a recording. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/batch.h"
#include "recvtop/file_run.h"
#include "recvtop/pipeline.h"
#include "recvtop/report.h"
#include "recvtop/signals.h"


static const char *compression_name(const struct dat_meta *m)
{
	if (m->version < 7)
		return "none";
	return m->compress == DAT_COMPRESS_ZSTD ? "zstd" : "none";
}

static double secs(u64 ns)
{
	return (double)ns / 1e9;
}

static u64 cpu_lost(const struct file_cpu_stats *s)
{
	u64 k = s->overrun + s->commit_overrun + s->dropped;

	return s->have_kstats && k > s->missed ? k : s->missed;
}

static void print_file_text(struct file_run *r, FILE *f)
{
	const struct dat_meta *m = file_source_meta(r->fs);
	u64 first = file_source_first_ts(r->fs), last = file_source_last_ts(r->fs);

	fprintf(f, "recvtop  report  %s  (trace-cmd file version %d, "
		"compression %s, clock %s, %d CPUs)\n", r->path, m->version,
		compression_name(m), m->clock[0] ? m->clock : "local",
		file_source_nr_cpus(r->fs));
	fprintf(f, "start %.6f  end %.6f  duration %.6fs  events %" PRIu64
		"\n", secs(first), secs(last), secs(last - first),
		file_source_events(r->fs));
	fprintf(f, "%4s %10s %8s %8s %10s\n", "CPU", "EVENTS", "PAGES",
		"LOST", "OVERRUN");
	for (int i = 0; i < file_source_nr_cpus(r->fs); i++) {
		const struct file_cpu_stats *s = file_source_cpu_stats(r->fs, i);

		fprintf(f, "%4d %10" PRIu64 " %8" PRIu64 " %8" PRIu64, i,
			s->events, s->pages, cpu_lost(s));
		if (s->have_kstats)
			fprintf(f, " %10" PRIu64 "\n", s->overrun);
		else
			fprintf(f, " %10s\n", "-");
	}
	fputc('\n', f);
}

static void print_file_json(struct file_run *r, FILE *f)
{
	const struct dat_meta *m = file_source_meta(r->fs);
	u64 first = file_source_first_ts(r->fs), last = file_source_last_ts(r->fs);
	u64 lost = 0;

	fputs("{\"type\":\"file\",\"file\":", f);
	rt_json_string(f, r->path);
	fprintf(f, ",\"version\":%d,\"compression\":\"%s\",\"clock\":",
		m->version, compression_name(m));
	rt_json_string(f, m->clock[0] ? m->clock : "local");
	fprintf(f, ",\"recvtop\":%s,\"start\":%.9f,\"end\":%.9f,"
		"\"duration\":%.9f,\"events\":%" PRIu64,
		m->recvtop.data ? "true" : "false", secs(first), secs(last),
		secs(last - first), file_source_events(r->fs));
	for (int i = 0; i < file_source_nr_cpus(r->fs); i++)
		lost += cpu_lost(file_source_cpu_stats(r->fs, i));
	fprintf(f, ",\"lost\":%" PRIu64 ",\"cpus\":[", lost);
	for (int i = 0; i < file_source_nr_cpus(r->fs); i++) {
		const struct file_cpu_stats *s = file_source_cpu_stats(r->fs, i);

		fprintf(f, "%s{\"cpu\":%d,\"events\":%" PRIu64 ",\"pages\":%"
			PRIu64 ",\"lost\":%" PRIu64 ",\"missed_pages\":%" PRIu64,
			i ? "," : "", i, s->events, s->pages, cpu_lost(s),
			s->missed_pages);
		if (s->have_kstats)
			fprintf(f, ",\"overrun\":%" PRIu64 ",\"commit_overrun\":%"
				PRIu64 ",\"dropped\":%" PRIu64, s->overrun,
				s->commit_overrun, s->dropped);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

int report_run(const struct rt_options *o)
{
	struct file_run r;
	struct batch_out out = { .f = stdout, .json = o->json };
	int status;

	status = file_run_open(&r, o, 0, NULL, NULL);
	if (status)
		return status;
	do {
		status = file_run_feed(&r, UINT64_MAX, 0);
	} while (status == 0 && !rt_stop_requested);
	if (status == 1)
		status = 0;
	if (status)
		goto out;
	out.info = &r.info;
	if (o->json)
		print_file_json(&r, stdout);
	else
		print_file_text(&r, stdout);
	batch_print_summary(&out, &r.pipe);
	if (out.write_error && !rt_output_broken) {
		rt_err("writing the output failed: %s", strerror(errno));
		status = RT_EXIT_RUNTIME;
	}
out:
	batch_free(&out);
	file_run_close(&r);
	if (rt_output_broken)
		signals_die_of_sigpipe();
	return status;
}
