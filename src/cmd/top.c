// SPDX-License-Identifier: GPL-2.0
/* `recvtop [top]`, `recvtop reset`, `recvtop probes`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recvtop/batch.h"
#include "recvtop/run.h"
#include "recvtop/session.h"
#include "recvtop/signals.h"
#include "recvtop/top.h"
#include "recvtop/tui.h"

int top_check_host(void)
{
	char err[512];

	if (geteuid() != 0) {
		rt_err("must be run as root: tracefs instances and probes "
		       "need CAP_SYS_ADMIN");
		return RT_EXIT_RUNTIME;
	}
	if (session_find_tracefs(err, sizeof(err))) {
		rt_err("%s", err);
		return RT_EXIT_RUNTIME;
	}
	return 0;
}

int top_reset(const struct rt_options *o)
{
	int ret = top_check_host();
	int n;

	(void)o;
	if (ret)
		return ret;
	n = session_reset_stale(stdout);
	if (n < 0)
		return RT_EXIT_RUNTIME;
	if (!n)
		printf("nothing to remove: no instance or probe group of a "
		       "dead recvtop run\n");
	return 0;
}

/* probes --libc-file FILE: what the uprobe discovery finds in one file */
static int probes_libc(const char *path)
{
	struct rt_libc lc;
	char bid[2 * RT_BUILD_ID_MAX + 1];

	if (uprobe_libc_scan(path, &lc)) {
		rt_err("--libc-file: %s", lc.why);
		return RT_EXIT_USAGE;
	}
	uprobe_build_id_hex(&lc, bid, sizeof(bid));
	printf("libc %s\narch %s\nbuild-id %s\n", path,
	       lc.arch == RT_UARCH_ARM64 ? "arm64" : "x86-64", bid);
	for (int f = 0; f < RT_UFUNC_NR; f++) {
		printf("%s 0x%llx", rt_ufunc_name((enum rt_ufunc)f),
		       (unsigned long long)lc.fn[f].vaddr);
		for (int i = 0; i < lc.fn[f].nr_sites; i++)
			printf(" 0x%llx", (unsigned long long)lc.fn[f].site[i]);
		printf("\n");
	}
	return 0;
}

int top_probes(const struct rt_options *o)
{
	struct rt_catalog *cat = malloc(sizeof(*cat));
	char err[512];
	int ret;

	if (o->libc) {
		free(cat);
		return probes_libc(o->libc);
	}
	ret = top_check_host();

	if (ret || !cat) {
		free(cat);
		return ret ? ret : RT_EXIT_RUNTIME;
	}
	if (probe_catalog_build(cat, o->backend, getpid(), err, sizeof(err))) {
		/* still show what is there, then the reason */
		probe_catalog_print(cat, stdout);
		fflush(stdout);
		rt_err("%s", err);
		free(cat);
		return RT_EXIT_RUNTIME;
	}
	probe_catalog_set_direction(cat, o->direction);
	probe_catalog_add_uprobes(cat, NULL, 0, !o->uprobes);
	probe_catalog_print(cat, stdout);
	free(cat);
	return 0;
}

/* ---- the batch view ---- */

static void batch_interval(void *ctx, struct run *r,
			   const struct rt_interval *iv)
{
	batch_print_interval(ctx, &r->pipe, iv);
}

static void batch_summary(void *ctx, struct run *r)
{
	batch_print_summary(ctx, &r->pipe);
}

/* ---- the terminal view ---- */

static int top_run_tui(const struct rt_options *o, struct run *r)
{
	struct tui *t = tui_new(o);
	int status;

	if (!t) {
		rt_err("out of memory");
		free(r);
		return RT_EXIT_RUNTIME;
	}
	status = run_setup(r, false);
	if (!status) {
		tui_attach_run(t, r);
		if (tui_start(t))
			status = RT_EXIT_RUNTIME;
	}
	if (!status)
		status = run_start(r);
	if (!status)
		status = run_loop(r);
	/* every path gives the terminal back before the cleanup */
	tui_stop(t);
	status = run_finish(r, status);
	tui_free(t);
	return status;
}

int top_run(const struct rt_options *o)
{
	struct batch_out out = { .f = stdout, .json = o->json };
	struct run *r;
	int status;

	status = top_check_host();
	if (status)
		return status;
	r = run_new(o);
	if (!r) {
		rt_err("out of memory");
		return RT_EXIT_RUNTIME;
	}
	if (tui_wanted(o))
		return top_run_tui(o, r);
	out.info = &r->info;
	r->view.on_interval = batch_interval;
	r->view.on_summary = batch_summary;
	r->view.ctx = &out;

	status = run_setup(r, false);
	if (!status)
		status = run_start(r);
	if (!status)
		status = run_loop(r);
	if (!status && out.write_error && !rt_output_broken) {
		rt_err("writing the output failed: %s", strerror(errno));
		status = RT_EXIT_RUNTIME;
	}
	status = run_finish(r, status);
	batch_free(&out);
	return status;
}
