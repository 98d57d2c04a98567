// SPDX-License-Identifier: GPL-2.0
/* `recvtop report`: whole-file totals of a recording. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/batch.h"
#include "recvtop/file_source.h"
#include "recvtop/pipeline.h"
#include "recvtop/report.h"
#include "recvtop/signals.h"

#define DEFAULT_INPUT "trace.dat"

struct report {
	const struct rt_options *o;
	const char *path;
	struct file_source *fs;
	struct decoder *dec;
	struct taskinfo *tasks;
	struct stats stats;
	bool stats_ok;
	struct correlator *corr;
	struct pipeline pipe;
	struct rt_run_info info;
};

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

static void print_file_text(struct report *r, FILE *f)
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

static void print_file_json(struct report *r, FILE *f)
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

static int setup(struct report *r, char *err, size_t errlen)
{
	const char *backend, *v;
	bool mm_access;
	int n;

	r->dec = decoder_new(file_source_tep(r->fs));
	r->tasks = taskinfo_new(RT_TASKS_STORED);
	if (!r->dec || !r->tasks) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	if (file_source_check_span(r->fs, r->o->delay_ns, err, errlen))
		return RT_EXIT_USAGE;
	if (!decoder_has_recv(r->dec) && !decoder_has_mem(r->dec)) {
		snprintf(err, errlen, "holds no receive or memory-reader events "
			 "(record sys_enter/sys_exit_recvfrom, or use recvtop "
			 "record)");
		return RT_EXIT_USAGE;
	}
	n = file_source_load_tasks(r->fs, r->tasks, err, errlen);
	if (n < 0)
		return RT_EXIT_USAGE;
	if (stats_init(&r->stats, r->tasks, NULL)) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	r->stats_ok = true;
	backend = file_source_recvtop_value(r->fs, "backend");
	if (!backend || (strcmp(backend, "kprobe") &&
			 strcmp(backend, "tracepoint")))
		backend = decoder_backend(r->dec);
	if (!backend)
		backend = "tracepoint";
	r->info.backend = !strcmp(backend, "kprobe") ? "kprobe" : "tracepoint";
	r->info.peers_visible = !strcmp(r->info.backend, "kprobe");
	r->info.source = r->path;
	v = file_source_recvtop_value(r->fs, "mm_access");
	mm_access = v ? !strcmp(v, "1") : r->info.peers_visible;
	r->corr = correlator_new(&r->stats, mm_access);
	if (!r->corr) {
		snprintf(err, errlen, "out of memory");
		return RT_EXIT_RUNTIME;
	}
	r->info.have_kernel_lost = file_source_kernel_lost(r->fs,
							   &r->info.kernel_lost);
	v = file_source_recvtop_value(r->fs, "probe_missed");
	if (v) {
		r->info.have_probe_missed = true;
		r->info.probe_missed = strtoull(v, NULL, 10);
	}
	pipeline_init(&r->pipe, r->dec, r->corr, &r->stats, r->o->delay_ns, 0,
		      NULL, NULL);
	return 0;
}

int report_run(const struct rt_options *o)
{
	struct report r = { .o = o };
	struct batch_out out = { .f = stdout, .json = o->json };
	char err[512] = "";
	int status;

	r.path = o->input ? o->input : DEFAULT_INPUT;
	r.fs = file_source_open(r.path, err, sizeof(err));
	if (!r.fs) {
		rt_err("%s: %s", r.path, err);
		return RT_EXIT_USAGE;
	}
	status = setup(&r, err, sizeof(err));
	if (status) {
		rt_err("%s: %s", r.path, err);
		goto out;
	}
	file_source_feed(r.fs, &r.pipe, UINT64_MAX);
	pipeline_finish(&r.pipe);
	if (file_source_error(r.fs)) {
		rt_err("%s: %s", r.path, file_source_error(r.fs));
		status = RT_EXIT_USAGE;
		goto out;
	}
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
	correlator_free(r.corr);
	if (r.stats_ok)
		stats_free(&r.stats);
	taskinfo_free(r.tasks);
	decoder_free(r.dec);
	file_source_close(r.fs);
	if (rt_output_broken)
		signals_die_of_sigpipe();
	return status;
}
