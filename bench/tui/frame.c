// SPDX-License-Identifier: GPL-2.0
/*
 * frame: how long one TUI frame takes with 100,000 rows in a table.
 *
 * A frame is what the terminal thread does when a snapshot arrives or a
 * key changes the order: filter, sort, lay out and draw the visible rows,
 * and push the changes to a terminal (here a pty drained by a thread, as
 * a terminal emulator would).  Also timed: the run thread's copy of the
 * stats table into a snapshot (once per interval).
 *
 *   frame [-n ROWS] [-f FRAMES] [-W COLS] [-H LINES]
 */
#include <curses.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recvtop/tui_screen.h"

static int master = -1;

static void *drain(void *arg)
{
	char buf[65536];

	(void)arg;
	while (read(master, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, u64 *ns, int n)
{
	qsort(ns, (size_t)n, sizeof(*ns), cmp_u64);
	printf("%-44s median %7.3f ms  p90 %7.3f ms  max %7.3f ms\n", what,
	       ns[n / 2] / 1e6, ns[n * 9 / 10] / 1e6, ns[n - 1] / 1e6);
}

/*
 * stats tables with `rows` rows each: `rows` processes; `rows` sockets and
 * as many peers, received by 1000 of those processes
 */
static void fill_stats(struct stats *st, struct taskinfo *ti, u32 rows)
{
	struct rt_stats_caps caps = { rows, rows, rows, rows };
	struct rt_addr a;

	if (stats_init(st, ti, &caps))
		exit(1);
	memset(&a, 0, sizeof(a));
	a.family = RT_FAM_INET;
	a.len = 4;
	for (u32 i = 0; i < rows; i++) {
		int tid = 1000 + (int)i;
		char comm[16];
		struct rt_recv_call c = {
			.ts = 1000 + i, .latency = 1000 + (i * 7919) % 100000,
			.has_latency = true, .tid = tid, .fd = -1,
			.ret = (s64)(i % 1500),
		};

		snprintf(comm, sizeof(comm), "proc-%u", i % 997);
		taskinfo_put(ti, tid, tid, 0, comm);
		for (u32 k = 0; k <= i % 5; k++)
			stats_add_recv(st, &c);
	}
	for (u32 i = 0; i < rows; i++) {
		struct rt_recv_call c = {
			.ts = 1000 + i, .latency = 1000 + (i * 7919) % 100000,
			.has_latency = true, .tid = 1000 + (int)(i % 1000),
			.fd = 3 + (int)(i / 1000), .ret = (s64)(i % 1500),
			.peer = &a,
		};

		a.addr[0] = 10;
		a.addr[1] = (u8)(i >> 16);
		a.addr[2] = (u8)(i >> 8);
		a.addr[3] = (u8)i;
		a.port = (u16)(1024 + i % 60000);
		for (u32 k = 0; k <= i % 3; k++)
			stats_add_recv(st, &c);
	}
	stats_end_interval(st, 2000000000ULL);
}

int main(int argc, char **argv)
{
	u32 rows = 100000;
	int frames = 200, cols = 80, lines = 24, opt;
	struct winsize ws;
	struct stats st;
	struct taskinfo *ti;
	struct tui_snap *snap;
	struct tui_screen sc;
	pthread_t th;
	int slave;
	FILE *out, *in;
	SCREEN *scr;
	u64 *ns;

	while ((opt = getopt(argc, argv, "n:f:W:H:")) != -1) {
		switch (opt) {
		case 'n':
			rows = (u32)atoi(optarg);
			break;
		case 'f':
			frames = atoi(optarg);
			break;
		case 'W':
			cols = atoi(optarg);
			break;
		case 'H':
			lines = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: frame [-n ROWS] [-f FRAMES] "
				"[-W COLS] [-H LINES]\n");
			return 2;
		}
	}
	ns = calloc((size_t)frames, sizeof(*ns));
	ti = taskinfo_new(RT_TASKS_STORED);
	snap = tui_snap_new();
	if (!ns || !ti || !snap)
		return 1;
	fill_stats(&st, ti, rows);

	memset(&ws, 0, sizeof(ws));
	ws.ws_row = (unsigned short)lines;
	ws.ws_col = (unsigned short)cols;
	if (openpty(&master, &slave, NULL, NULL, &ws)) {
		perror("openpty");
		return 1;
	}
	pthread_create(&th, NULL, drain, NULL);
	out = fdopen(slave, "w");
	in = fdopen(dup(slave), "r");
	setenv("TERM", "xterm-256color", 0);
	scr = newterm(NULL, out, in);
	if (!scr) {
		fprintf(stderr, "newterm failed\n");
		return 1;
	}
	set_term(scr);
	tui_screen_init(&sc);
	tui_draw_init(&sc);
	sc.rows = LINES;
	sc.cols = COLS;
	sc.started_ns = rt_now_mono_ns();

	printf("%u rows, %dx%d terminal, %d frames each\n", rows, COLS, LINES,
	       frames);
	for (int v = 0; v < TUI_NR_VIEWS; v++) {
		static const char *const names[] = {
			"processes", "peers", "sockets", "readers"
		};
		char what[96];
		u64 t0;

		if (v == TUI_READERS)
			continue;	/* no reader rows in this data */
		for (int f = 0; f < frames; f++) {
			t0 = rt_now_mono_ns();
			tui_snap_fill(snap, (enum tui_view)v, &st);
			ns[f] = rt_now_mono_ns() - t0;
		}
		snap->seconds = 1;
		snap->has_interval = true;
		snap->backend = "tracepoint";
		snap->peers_visible = true;
		snap->delay_ns = NSEC_PER_SEC;
		snprintf(what, sizeof(what), "copy %s table (run thread)",
			 names[v]);
		report(what, ns, frames);

		sc.snap = snap;
		sc.view = (enum tui_view)v;
		/*
		 * each frame: a new snapshot arrived: filter, sort, draw (a
		 * new copy each time: peer addresses are formatted again)
		 */
		for (int pass = 0; pass < 3; pass++) {
			unsigned int nr;
			const struct tui_col *c = tui_view_cols(sc.view, &nr);

			sc.filter[0] = 0;
			if (pass == 1)
				sc.sort[v] = 1;	/* a text column */
			if (pass == 2)
				snprintf(sc.filter, sizeof(sc.filter), "%s",
					 v == TUI_PEERS ? "10.0.1" : "proc-12");
			for (int f = 0; f < frames; f++) {
				if (v == TUI_PEERS)
					for (u32 i = 0; i < snap->nr; i++)
						snap->recs[i].flags &=
							~TUI_REC_ADDR;
				t0 = rt_now_mono_ns();
				sc.list_dirty = true;
				/* scroll a little so rows change on screen */
				sc.sel = sc.top = (u32)(f * 7) % (rows / 2);
				tui_draw(&sc, t0);
				ns[f] = rt_now_mono_ns() - t0;
			}
			snprintf(what, sizeof(what), "frame %s by %s%s%s",
				 names[v], c[sc.sort[v]].title,
				 sc.filter[0] ? " /" : "", sc.filter);
			report(what, ns, frames);
			sc.sort[v] = tui_view_default_sort(sc.view);
		}
	}
	endwin();
	delscreen(scr);
	tui_screen_free(&sc);
	tui_snap_free(snap);
	stats_free(&st);
	taskinfo_free(ti);
	free(ns);
	close(master);
	return 0;
}
