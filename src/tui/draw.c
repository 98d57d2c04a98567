// SPDX-License-Identifier: GPL-2.0
/* The TUI's drawing: header, tables, help, drill-down (terminal thread). */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "recvtop/batch.h"
#include "recvtop/tui_screen.h"

#define LINE_MAX_BYTES 2048
#define P99 0.99

enum role {
	R_NORMAL = 0,
	R_TITLE,	/* "recvtop" and the drill-down title */
	R_TAB,		/* the current view's tab */
	R_COLHDR,	/* table header */
	R_SORTHDR,	/* the sort column's title */
	R_SEL,		/* the selected row */
	R_ALERT,	/* lost events, errors */
	R_NOTE,		/* what a view cannot show; paused */
	R_DIM,		/* the (other) row, idle rows */
	R_BAR,		/* histogram bars */
	R_NR,
};

static attr_t attrs[R_NR];

void tui_draw_init(struct tui_screen *sc)
{
	const char *nc = getenv("NO_COLOR");

	sc->color = has_colors() && !(nc && nc[0]);
	attrs[R_NORMAL] = A_NORMAL;
	attrs[R_TITLE] = A_BOLD;
	if (sc->color && start_color() == OK) {
		short bg = COLOR_BLACK;

		if (use_default_colors() == OK)
			bg = -1;
		init_pair(1, COLOR_BLACK, COLOR_CYAN);
		init_pair(2, COLOR_BLACK, COLOR_GREEN);
		init_pair(3, COLOR_WHITE, COLOR_RED);
		init_pair(4, COLOR_YELLOW, bg);
		init_pair(5, COLOR_BLUE, bg);
		init_pair(6, COLOR_CYAN, bg);
		attrs[R_TAB] = COLOR_PAIR(1) | A_BOLD;
		attrs[R_COLHDR] = COLOR_PAIR(2);
		attrs[R_SORTHDR] = COLOR_PAIR(1) | A_BOLD;
		attrs[R_SEL] = COLOR_PAIR(1);
		attrs[R_ALERT] = COLOR_PAIR(3) | A_BOLD;
		attrs[R_NOTE] = COLOR_PAIR(4) | A_BOLD;
		attrs[R_DIM] = COLOR_PAIR(5) | A_BOLD;
		attrs[R_BAR] = COLOR_PAIR(6);
	} else {
		sc->color = false;
		attrs[R_TAB] = A_REVERSE | A_BOLD;
		attrs[R_COLHDR] = A_UNDERLINE;
		attrs[R_SORTHDR] = A_UNDERLINE | A_BOLD;
		attrs[R_SEL] = A_REVERSE;
		attrs[R_ALERT] = A_REVERSE | A_BOLD;
		attrs[R_NOTE] = A_BOLD;
		attrs[R_DIM] = A_DIM;
		attrs[R_BAR] = A_NORMAL;
	}
}

/* ---- text that fits ---- */

int tui_fit(char *dst, size_t len, const char *src, int cols, bool utf8)
{
	size_t o = 0;
	int used = 0;
	mbstate_t st;

	memset(&st, 0, sizeof(st));
	while (*src && used < cols && o + 8 < len) {
		unsigned char c = (unsigned char)*src;

		if (c < 0x80) {
			dst[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
			src++;
			used++;
			continue;
		}
		if (utf8) {
			wchar_t wc;
			size_t n = mbrtowc(&wc, src, strlen(src), &st);
			int w;

			if (n != (size_t)-1 && n != (size_t)-2 && n > 0 &&
			    (w = wcwidth(wc)) >= 0) {
				if (used + w > cols)
					break;
				memcpy(dst + o, src, n);
				o += n;
				src += n;
				used += w;
				continue;
			}
			memset(&st, 0, sizeof(st));
		}
		dst[o++] = '?';
		src++;
		used++;
	}
	dst[o] = 0;
	return used;
}

/* put text at y, x, at most cols columns; returns columns used */
static int put(int y, int x, int cols, enum role r, const char *text,
	       const struct tui_screen *sc)
{
	char buf[LINE_MAX_BYTES];
	int n;

	if (cols <= 0)
		return 0;
	n = tui_fit(buf, sizeof(buf), text, cols, sc->utf8);
	attrset(attrs[r]);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return n;
}

/* a whole line in one role, padded to the width */
static void put_line(int y, enum role r, const char *text,
		     const struct tui_screen *sc)
{
	int n;

	attrset(attrs[r]);
	n = put(y, 0, sc->cols, r, text, sc);
	attrset(attrs[r]);
	for (int x = n; x < sc->cols; x++)
		mvaddch(y, x, ' ');
	attrset(A_NORMAL);
}

/* ---- header ---- */

struct seg {
	char text[160];
	enum role role;
	int prio;		/* 0 stays longest */
};

/* one line of segments; the least important go first when narrow */
static void put_segs(int y, struct seg *segs, int n,
		     const struct tui_screen *sc)
{
	bool drop[16] = { false };
	int width = 0, x = 0;

	for (int i = 0; i < n; i++)
		width += (int)strlen(segs[i].text) + (i ? 2 : 0);
	while (width > sc->cols) {
		int worst = -1;

		for (int i = 0; i < n; i++)
			if (!drop[i] && (worst < 0 ||
					 segs[i].prio >= segs[worst].prio))
				worst = i;
		if (worst < 0)
			break;
		drop[worst] = true;
		width -= (int)strlen(segs[worst].text) + 2;
	}
	for (int i = 0; i < n && x < sc->cols; i++) {
		if (drop[i])
			continue;
		if (x)
			x += 2;
		x += put(y, x, sc->cols - x, segs[i].role, segs[i].text, sc);
	}
}

static void format_elapsed(char *buf, size_t len, double s)
{
	u64 t = s > 0 ? (u64)s : 0;

	snprintf(buf, len, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, t / 3600,
		 t / 60 % 60, t % 60);
}

static struct seg *seg_add(struct seg *segs, int *n, int prio,
			   enum role role)
{
	struct seg *g = &segs[(*n)++];

	g->text[0] = 0;
	g->prio = prio;
	g->role = role;
	return g;
}

static void draw_header(struct tui_screen *sc, u64 now)
{
	const struct tui_snap *s = sc->snap;
	struct seg segs[8], *g;
	int n = 0;
	char tmp[64];
	double elapsed;

	g = seg_add(segs, &n, 0, R_TITLE);
	snprintf(g->text, sizeof(g->text), "recvtop");
	if (s && s->position[0]) {
		/* a replay: where it is stays on screen longest */
		g = seg_add(segs, &n, 0, R_NOTE);
		snprintf(g->text, sizeof(g->text), "%s", s->position);
	}
	g = seg_add(segs, &n, 2, R_NORMAL);
	snprintf(g->text, sizeof(g->text), "%s",
		 s && s->backend ? s->backend : "-");
	g = seg_add(segs, &n, 3, R_NORMAL);
	snprintf(g->text, sizeof(g->text), "%s",
		 s && s->source[0] ? s->source : "live");
	if (s) {
		g = seg_add(segs, &n, 4, R_NORMAL);
		snprintf(g->text, sizeof(g->text), "delay %gs",
			 (double)s->delay_ns / 1e9);
	}
	if (sc->live)
		elapsed = now > sc->started_ns ?
			  (double)(now - sc->started_ns) / 1e9 : 0;
	else
		elapsed = s ? s->time : 0;
	format_elapsed(tmp, sizeof(tmp), elapsed);
	g = seg_add(segs, &n, 1, R_NORMAL);
	snprintf(g->text, sizeof(g->text), "%s %s", sc->live ? "up" : "at",
		 tmp);
	if (sc->paused) {
		g = seg_add(segs, &n, 0, R_NOTE);
		snprintf(g->text, sizeof(g->text), "PAUSED");
	}
	put_segs(0, segs, n, sc);

	n = 0;
	g = seg_add(segs, &n, 0, R_NORMAL);
	if (s && s->has_interval && s->seconds > 0) {
		tui_format_count(tmp, sizeof(tmp),
				 (double)s->events_last / s->seconds, 6);
		snprintf(g->text, sizeof(g->text), "events %s/s", tmp);
	} else {
		snprintf(g->text, sizeof(g->text), "events -");
	}
	if (s && s->has_interval && s->seconds > 0) {
		char b[32];

		g = seg_add(segs, &n, 2, R_NORMAL);
		tui_format_count(tmp, sizeof(tmp),
				 (double)s->rx_calls / s->seconds, 6);
		rt_format_bytes(b, sizeof(b),
				(u64)((double)s->rx_bytes / s->seconds));
		snprintf(g->text, sizeof(g->text), "rx %s/s %s/s", tmp, b);
		g = seg_add(segs, &n, 2, R_NORMAL);
		tui_format_count(tmp, sizeof(tmp),
				 (double)s->tx_calls / s->seconds, 6);
		rt_format_bytes(b, sizeof(b),
				(u64)((double)s->tx_bytes / s->seconds));
		snprintf(g->text, sizeof(g->text), "tx %s/s %s/s", tmp, b);
	}
	if (s && s->lost_run) {
		double pct = 100.0 * (double)s->lost_run /
			     (double)(s->events_run + s->lost_run);

		g = seg_add(segs, &n, 0, R_ALERT);
		tui_format_count(tmp, sizeof(tmp), (double)s->lost_run, 9);
		snprintf(g->text, sizeof(g->text), "lost %s (%.2f%%)", tmp,
			 pct);
	} else {
		g = seg_add(segs, &n, 0, R_NORMAL);
		snprintf(g->text, sizeof(g->text), "lost 0");
	}
	if (sc->filters[0] || sc->filter[0] ||
	    (sc->cont_drill && sc->view == TUI_PROCS)) {
		size_t o;

		g = seg_add(segs, &n, 1, R_NOTE);
		o = (size_t)snprintf(g->text, sizeof(g->text), "filter");
		if (sc->filters[0])
			o += (size_t)snprintf(g->text + o, sizeof(g->text) - o,
					      " %s", sc->filters);
		if (sc->cont_drill && sc->view == TUI_PROCS &&
		    o < sizeof(g->text))
			o += (size_t)snprintf(g->text + o, sizeof(g->text) - o,
					      " container %s", sc->cont_name);
		if (sc->filter[0] && o < sizeof(g->text))
			snprintf(g->text + o, sizeof(g->text) - o, " /%s",
				 sc->filter);
	}
	put_segs(1, segs, n, sc);
}

static void draw_tabs(struct tui_screen *sc, int y)
{
	const struct tui_snap *s = sc->snap;
	bool full = true;
	int x = 0, w = 0;
	char buf[64];

	for (int v = 0; v < TUI_NR_VIEWS; v++)
		w += (int)strlen(tui_view_name((enum tui_view)v)) + 4;
	if (w > sc->cols)
		full = false;
	for (int v = 0; v < TUI_NR_VIEWS; v++) {
		snprintf(buf, sizeof(buf), " %d %s ", v + 1,
			 full ? tui_view_name((enum tui_view)v) :
			 tui_view_short((enum tui_view)v));
		if (!full)
			snprintf(buf, sizeof(buf), "%d%s", v + 1,
				 tui_view_short((enum tui_view)v));
		x += put(y, x, sc->cols - x,
			 (enum tui_view)v == sc->view ? R_TAB : R_NORMAL,
			 buf, sc);
		if (x < sc->cols)
			x += put(y, x, 1, R_NORMAL, " ", sc);
	}
	if (s && s->view == sc->view) {
		snprintf(buf, sizeof(buf), "%u row%s", sc->list.n,
			 sc->list.n == 1 ? "" : "s");
		if (x + (int)strlen(buf) + 1 <= sc->cols)
			put(y, sc->cols - (int)strlen(buf), (int)strlen(buf),
			    R_NORMAL, buf, sc);
	}
}

/* ---- tables ---- */

static const char *sort_mark(const struct tui_screen *sc, bool desc)
{
	if (sc->utf8)
		return desc ? "\u25bc" : "\u25b2";
	return desc ? "v" : "^";
}

static void draw_colhdr(struct tui_screen *sc, int y,
			const struct tui_layout *l)
{
	unsigned int nr;
	const struct tui_col *cols = tui_view_cols(sc->snap->view, &nr);
	int sortc = sc->sort[sc->snap->view];
	int x = 0;

	attrset(attrs[R_COLHDR]);
	for (int i = 0; i < sc->cols; i++)
		mvaddch(y, i, ' ');
	for (unsigned int i = 0; i < l->nr; i++) {
		const struct tui_col *c = &cols[l->col[i]];
		int w = l->width[i];
		bool sorted = l->col[i] == sortc;
		int tl = (int)strlen(c->title);
		int mark = sorted && tl < w ? 1 : 0;
		int pad = (c->flags & TC_LEFT) ? 0 : w - tl - mark;

		if (pad < 0)
			pad = 0;
		put(y, x + pad, w - pad, sorted ? R_SORTHDR : R_COLHDR,
		    c->title, sc);
		if (mark) {
			bool desc = !(c->flags & TC_ASC) !=
				    sc->invert[sc->snap->view];

			attrset(attrs[R_SORTHDR]);
			mvaddstr(y, x + pad + tl, sort_mark(sc, desc));
		}
		x += w + 1;
	}
	attrset(A_NORMAL);
}

/* one table row into buf (display columns == sc->cols at most) */
static void format_row(char *buf, size_t len, const struct tui_screen *sc,
		       const struct tui_layout *l, const struct tui_rec *r)
{
	unsigned int nr;
	const struct tui_col *cols = tui_view_cols(sc->snap->view, &nr);
	size_t o = 0;

	for (unsigned int i = 0; i < l->nr && o + 1 < len; i++) {
		const struct tui_col *c = &cols[l->col[i]];
		int w = l->width[i];
		char cell[128], fit[512];
		int used;

		tui_cell(cell, sizeof(cell), c, r, sc->snap, w);
		used = tui_fit(fit, sizeof(fit), cell, w, sc->utf8);
		if (i)
			buf[o++] = ' ';
		if (!(c->flags & TC_LEFT))
			for (; used < w && o + 1 < len; used++)
				buf[o++] = ' ';
		o += (size_t)snprintf(buf + o, len - o, "%s", fit);
		if (c->flags & TC_LEFT && i + 1 < l->nr)
			for (; used < w && o + 1 < len; used++)
				buf[o++] = ' ';
		if (o >= len)
			o = len - 1;
	}
	buf[o] = 0;
}

static const char *empty_reason(const struct tui_screen *sc)
{
	const struct tui_snap *s = sc->snap;

	if (!s->has_interval)
		return "(waiting for the first interval)";
	if (sc->filter[0] && s->nr)
		return "(no row matches the filter; Esc clears it)";
	switch (s->view) {
	case TUI_PEERS:
		return "(no peers seen)";
	case TUI_SOCKS:
		return "(no receive calls on sockets seen)";
	case TUI_READERS:
		return "(no cross-process memory access seen)";
	case TUI_CONTS:
		return "(no receive or send calls seen)";
	default:
		if (sc->cont_drill)
			return "(no process of this container received; Esc "
			       "goes back)";
		return "(no receive calls seen)";
	}
}

static void draw_table(struct tui_screen *sc, int y, int rows)
{
	const struct tui_snap *s = sc->snap;
	struct tui_layout l;
	char line[LINE_MAX_BYTES];
	int body;

	if (!s || s->view != sc->view) {
		put(y + 1, 1, sc->cols - 1, R_NOTE, "(loading)", sc);
		return;
	}
	if (s->view == TUI_PEERS && !s->peers_visible && !s->conns_visible) {
		snprintf(line, sizeof(line), "Sender addresses are not visible "
			 "on the %s backend: they need kprobes or --uprobes, TCP "
			 "peers the sock or kprobe backend (see `recvtop "
			 "probes`).",
			 s->backend);
		put(y + 1, 1, sc->cols - 1, R_NOTE, line, sc);
		return;
	}
	tui_layout_cols(s->view, sc->cols, s->has_conts, &l);
	draw_colhdr(sc, y, &l);
	body = rows - 1;
	if (s->view == TUI_PEERS && !s->peers_visible && body > 1) {
		snprintf(line, sizeof(line), "Sender addresses (UDP) are not "
			 "visible on the %s backend: they need kprobes or "
			 "--uprobes (TCP peers are shown)", s->backend);
		put(y + rows - 1, 0, sc->cols, R_NOTE, line, sc);
		body--;
	}
	if (s->view == TUI_READERS && (!s->peers_visible || s->senders_user) &&
	    body > 1) {
		put(y + rows - 1, 0, sc->cols, R_NOTE, "/proc readers "
		    "(proc_mem, proc_read, madvise) need kprobes; this backend "
		    "sees process_vm_readv/writev and ptrace", sc);
		body--;
	}
	if (!sc->list.n) {
		put(y + 1, 1, sc->cols - 1, R_DIM, empty_reason(sc), sc);
		return;
	}
	for (int i = 0; i < body && sc->top + (u32)i < sc->list.n; i++) {
		u32 at = sc->top + (u32)i;
		const struct tui_rec *r = &s->recs[sc->list.idx[at]];
		enum role role = R_NORMAL;

		format_row(line, sizeof(line), sc, &l, r);
		if (at == sc->sel)
			role = R_SEL;
		else if (r->flags & TUI_REC_OTHER)
			role = R_DIM;
		if (role == R_SEL)
			put_line(y + 1 + i, role, line, sc);
		else
			put(y + 1 + i, 0, sc->cols, role, line, sc);
	}
}

/* ---- help ---- */

static const char *const help_text[] = {
	"recvtop: receive calls and cross-process memory reads, live",
	"",
	"Views",
	"  1 Processes   calls/s, bytes/s, errors/s, EAGAIN/s, latency",
	"                avg/p99/max of the last interval; totals",
	"  2 Peers       sender address and port (kprobe backend only)",
	"  3 Sockets     per process and socket: proto, via, fd",
	"  4 Readers     who reads whose memory: via, count, denied",
	"  5 Containers  per container, service and the host: calls",
	"                and bytes both ways; Enter lists its",
	"                processes, Esc or Backspace goes back",
	"  Tab, S-Tab    next, previous view",
	"",
	"Sorting",
	"  < >  F6       move the sort column left, right (F6: right)",
	"  I             turn the order around",
	"  c b e g       calls/s, bytes/s, errors/s, EAGAIN/s",
	"  a l m         latency avg, p99, max",
	"  t T           total calls, total bytes",
	"  P n           pid, command name",
	"  f o R L       peers: family, port, proto, local port",
	"  f o v k       sockets: fd, proto, via, kernel address",
	"  a             peers: address",
	"  c e s v x N   readers: count, denied, last seen, via,",
	"                target pid, target name; C: count/s",
	"  o O           readers: reader's, target's container",
	"  C             container (Processes, Containers)",
	"  K S #         containers: kind, state, processes",
	"  (the key of the current column turns the order around)",
	"",
	"Other keys",
	"  /             filter rows on comm, pid, container or",
	"                address as you type; Enter keeps it, Esc",
	"                drops it",
	"  Esc           clear the filter; then, in a container's",
	"                processes, back to the Containers view",
	"  Enter         details of the selected row: its recent raw",
	"                events and its latency histogram (in",
	"                Containers: the processes of the container)",
	"  p  space      pause the display (counting goes on)",
	"  d             change the refresh delay (seconds)",
	"  r             reset the totals",
	"  arrows PgUp PgDn Home End   move; j k also",
	"  Ctrl-L        redraw",
	"  ? h F1        this help; any key closes it",
	"  q             quit (Ctrl-C too)",
	"",
	"Rates are per second over the last interval; totals count",
	"since the start or the last reset.  Lost events: the kernel",
	"dropped trace events (a bigger --buffer-kb helps).",
};

/* a replay's keys come first in its help */
static const char *const replay_help[] = {
	"recvtop: replaying a recording (recvtop top -i FILE.dat)",
	"",
	"Time",
	"  p  space      play, pause",
	"  + -           faster, slower: 1x 2x 10x 100x max",
	"  ] [           one interval forward, back (pauses)",
	"  { }           jump to the start, the end",
	"  g             go to a time: 12.5 or 1:30 from the start,",
	"                @EVENT_TIME as trace-cmd report prints it",
	"  (g goes to a time instead of sorting by EAGAIN/s; r does not",
	"  reset: totals follow the recording)",
	"",
};

static const char *help_line(const struct tui_screen *sc, int i)
{
	int nr = sc->live ? 0 : (int)ARRAY_SIZE(replay_help);

	if (i < nr)
		return replay_help[i];
	/* under the replay's keys, the rest without its title line */
	return help_text[i - nr + (nr ? 1 : 0)];
}

static void draw_help(struct tui_screen *sc)
{
	int nr = sc->live ? 0 : (int)ARRAY_SIZE(replay_help);
	int n = (int)ARRAY_SIZE(help_text) + nr - (nr ? 1 : 0);
	int rows = sc->rows - 1;

	if (sc->help_top > n - rows)
		sc->help_top = n - rows > 0 ? n - rows : 0;
	for (int i = 0; i < rows && sc->help_top + i < n; i++)
		put(i, 0, sc->cols, i + sc->help_top == 0 ? R_TITLE : R_NORMAL,
		    help_line(sc, sc->help_top + i), sc);
	put_line(sc->rows - 1, R_COLHDR, n > rows ?
		 "Help: arrows scroll, any other key closes" :
		 "Help: any key closes", sc);
}

/* ---- drill-down ---- */

static const char *errno_name(s64 ret)
{
	switch (-ret) {
	case EAGAIN:
		return "EAGAIN";
	case EBADF:
		return "EBADF";
	case EINTR:
		return "EINTR";
	case EFAULT:
		return "EFAULT";
	case EINVAL:
		return "EINVAL";
	case ENOTSOCK:
		return "ENOTSOCK";
	case ENOTCONN:
		return "ENOTCONN";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ECONNRESET:
		return "ECONNRESET";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ESRCH:
		return "ESRCH";
	case ENOMEM:
		return "ENOMEM";
	default:
		return NULL;
	}
}

static const char *sc_name(unsigned int sc)
{
	switch (sc) {
	case RT_SC_PROCESS_VM_READV:
		return "process_vm_readv";
	case RT_SC_PROCESS_VM_WRITEV:
		return "process_vm_writev";
	case RT_SC_PTRACE:
		return "ptrace";
	case RT_SC_PROCESS_MADVISE:
		return "process_madvise";
	default:
		return "syscall";
	}
}

static void format_ret(char *buf, size_t len, s64 ret)
{
	const char *e = ret < 0 ? errno_name(ret) : NULL;

	if (e)
		snprintf(buf, len, "ret=%" PRId64 " (%s)", ret, e);
	else
		snprintf(buf, len, "ret=%" PRId64, ret);
}

static void format_event(char *buf, size_t len, const struct tui_event *te)
{
	const struct rt_event *ev = &te->ev;
	char a[TUI_ADDR_LEN], r[48];
	int o;

	o = snprintf(buf, len, "%12.6f %3d %7d %7d ", te->time, ev->cpu,
		     te->tgid, ev->tid);
	if (o < 0 || (size_t)o >= len)
		return;
	buf += o;
	len -= (size_t)o;
	switch (ev->kind) {
	case RT_EV_RECV_ENTER:
		snprintf(buf, len, "%-11s fd=%d size=%" PRIu64
			 " flags=0x%x%s",
			 rt_br_name(ev->recv_enter.via),
			 ev->recv_enter.fd, ev->recv_enter.size,
			 ev->recv_enter.flags,
			 ev->recv_enter.has_addr ? " addr" : "");
		break;
	case RT_EV_SOCK_RECV:
		format_ret(r, sizeof(r), ev->sock.ret);
		snprintf(buf, len, "sock_recv   sk=%" PRIx64 " %s %s flags=0x%x",
			 ev->sock.sk, rt_proto_name(rt_proto_of(ev->sock.family,
							       ev->sock.protocol)),
			 r, ev->sock.flags);
		break;
	case RT_EV_SOCK_SEND:
		format_ret(r, sizeof(r), ev->sock.ret);
		snprintf(buf, len, "sock_send   sk=%" PRIx64 " %s %s",
			 ev->sock.sk, rt_proto_name(rt_proto_of(ev->sock.family,
							       ev->sock.protocol)),
			 r);
		break;
	case RT_EV_SOCK_ENTER:
		snprintf(buf, len, "%s sk=%" PRIx64 " %s flags=0x%x",
			 ev->sock.tx ? "sock_out   " : "sock_in    ",
			 ev->sock.sk, rt_proto_name(rt_proto_of(ev->sock.family,
							       ev->sock.protocol)),
			 ev->sock.flags);
		break;
	case RT_EV_SOCK_EXIT:
		format_ret(r, sizeof(r), ev->exit.ret);
		snprintf(buf, len, "%s <- %s", ev->exit.sc ? "sock_out" :
			 "sock_in", r);
		break;
	case RT_EV_RECV_ADDR:
		rt_addr_format(&ev->recv_addr.addr, a, sizeof(a));
		snprintf(buf, len, "sender      %s %s port %u",
			 rt_family_name((enum rt_family)ev->recv_addr.addr.family),
			 a, ev->recv_addr.addr.port);
		break;
	case RT_EV_RECV_EXIT:
		format_ret(r, sizeof(r), ev->exit.ret);
		snprintf(buf, len, "%s <- %s",
			 rt_br_name(ev->exit.sc), r);
		break;
	case RT_EV_MM_ENTER:
		snprintf(buf, len, "mm_access   target=%d/%d (%.16s) mode=0x%x",
			 ev->mm_enter.target_tgid, ev->mm_enter.target_pid,
			 ev->mm_enter.target_comm, ev->mm_enter.mode);
		break;
	case RT_EV_MM_EXIT:
		if (ev->exit.ret < 0 && ev->exit.ret > -4096)
			format_ret(r, sizeof(r), ev->exit.ret);
		else
			snprintf(r, sizeof(r), "ok");
		snprintf(buf, len, "mm_access <- %s", r);
		break;
	case RT_EV_SC_ENTER:
		if (ev->sc_enter.sc == RT_SC_PTRACE)
			snprintf(buf, len, "ptrace      request=%ld target=%d",
				 ev->sc_enter.request,
				 ev->sc_enter.target_pid);
		else
			snprintf(buf, len, "%s target=%d",
				 sc_name(ev->sc_enter.sc),
				 ev->sc_enter.target_pid);
		break;
	case RT_EV_SC_EXIT:
		format_ret(r, sizeof(r), ev->exit.ret);
		snprintf(buf, len, "%s <- %s", sc_name(ev->exit.sc), r);
		break;
	default:
		snprintf(buf, len, "%s", rt_event_kind_name(
				 (enum rt_event_kind)ev->kind));
		break;
	}
}

static void drill_title(char *buf, size_t len, const struct tui_drill *d)
{
	const struct tui_rec *r = &d->rec;
	const struct tui_key *k = &d->key;

	if (k->other) {
		snprintf(buf, len, "(other): the rows beyond the table's cap");
		return;
	}
	switch (k->view) {
	case TUI_PEERS:
		snprintf(buf, len, "Peer %s %s %s port %u, local port %u (%s)",
			 rt_proto_name((enum rt_proto)k->peer.proto),
			 rt_family_name((enum rt_family)k->peer.family),
			 d->found ? tui_rec_addr(r) : "?", k->peer.port,
			 k->peer.local_port, rt_peer_source_name(
				 (enum rt_peer_source)k->peer.source));
		break;
	case TUI_SOCKS:
		if (k->sk)
			snprintf(buf, len, "Socket %016" PRIx64 ": process %d "
				 "(%s) %s fd %d", k->sk, k->id,
				 d->found ? r->name : "?", d->found &&
				 r->kind < RT_PROTO_NR ?
				 rt_proto_name((enum rt_proto)r->kind) : "",
				 d->found ? r->sock.fd : -1);
		else
			snprintf(buf, len, "Socket: process %d (%s) fd %d",
				 k->id, d->found ? r->name : "?", k->id2);
		break;
	case TUI_READERS:
		snprintf(buf, len, "Reader %d (%s) -> target %d (%s) via %s",
			 k->id, d->found ? r->name : "?", k->id2,
			 d->found ? r->name2 : "?",
			 rt_via_name((enum rt_via)k->kind));
		break;
	default:
		snprintf(buf, len, "Process %d (%s)", k->id,
			 d->found ? r->name : "?");
		break;
	}
}

static void drill_summary(char *buf, size_t len, const struct tui_drill *d,
			  const struct tui_snap *s)
{
	const struct tui_rec *r = &d->rec;
	char b[32], b2[32];
	double secs = s && s->seconds > 0 ? s->seconds : 1;

	if (!d->found) {
		snprintf(buf, len, "not in the tables (now): reset, or not "
			 "seen since");
		return;
	}
	if (d->key.view == TUI_READERS) {
		snprintf(buf, len, "count %" PRIu64 "  denied %" PRIu64
			 "  last interval %" PRIu64 " (%" PRIu64 " denied)",
			 r->v[TV_T_CALLS], r->v[TV_T_ERRORS], r->v[TV_CALLS],
			 r->v[TV_ERRORS]);
		return;
	}
	rt_format_bytes(b, sizeof(b), r->v[TV_T_BYTES]);
	tui_format_count(b2, sizeof(b2), (double)r->v[TV_CALLS] / secs, 8);
	snprintf(buf, len, "calls %" PRIu64 " (%s/s)  bytes %s  errors %"
		 PRIu64 "  eagain %" PRIu64, r->v[TV_T_CALLS], b2, b,
		 r->v[TV_T_ERRORS], r->v[TV_T_EAGAIN]);
}

static void draw_hist(struct tui_screen *sc, const struct tui_drill *d,
		      int y, int rows)
{
	u64 groups[64] = { 0 };
	int lo = 64, hi = -1, per;
	u64 peak = 0;
	char line[LINE_MAX_BYTES], a[16], b[16];
	const char *bar = sc->utf8 ? "\u2588" : "#";

	/* one row per power of two, or per several when they do not fit */
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		u64 low = hist_bucket_low(i);
		int g = low < 2 ? 0 : 63 - __builtin_clzll(low);

		if (!d->hist.b[i])
			continue;
		groups[g] += d->hist.b[i];
		if (g < lo)
			lo = g;
		if (g > hi)
			hi = g;
	}
	if (hi < 0) {
		put(y, 2, sc->cols - 2, R_DIM, "(no latencies)", sc);
		return;
	}
	per = (hi - lo + rows) / rows;
	for (int g = lo; g <= hi; g += per) {
		u64 sum = 0;

		for (int k = g; k < g + per && k < 64; k++)
			sum += groups[k];
		if (sum > peak)
			peak = sum;
	}
	for (int g = lo; g <= hi; g += per, y++) {
		int width = sc->cols - 32;
		u64 sum = 0;
		int n, x, top = g + per < 63 ? g + per : 63;

		for (int k = g; k < g + per && k < 64; k++)
			sum += groups[k];
		n = width > 0 && peak ?
		    (int)((double)sum * width / (double)peak + 0.5) : 0;
		rt_format_ns(a, sizeof(a), g ? 1ULL << g : 0);
		rt_format_ns(b, sizeof(b), (1ULL << top) - 1);
		snprintf(line, sizeof(line), "%8s-%-8s %12" PRIu64 " ", a, b,
			 sum);
		x = put(y, 0, sc->cols, R_NORMAL, line, sc);
		attrset(attrs[R_BAR]);
		for (int i = 0; i < n && x + i < sc->cols; i++)
			mvaddstr(y, x + i, bar);
		if (!n && sum && x < sc->cols)
			mvaddstr(y, x, sc->utf8 ? "\u258f" : ".");
		attrset(A_NORMAL);
	}
}

static void draw_drill(struct tui_screen *sc)
{
	const struct tui_drill *d = sc->drill;
	char line[LINE_MAX_BYTES], p50[16], p90[16], p99[16], mx[16], avg[16];
	int y, hist_rows, ev_rows, first;

	put_line(sc->rows - 1, R_COLHDR, "Details: Esc/Enter back, arrows "
		 "scroll events, p pause, q quit", sc);
	if (!d || !sc->drill_current) {
		put(0, 0, sc->cols, R_NOTE, "(loading)", sc);
		return;
	}
	drill_title(line, sizeof(line), d);
	put_line(0, R_TAB, line, sc);
	drill_summary(line, sizeof(line), d, sc->snap);
	put(1, 0, sc->cols, R_NORMAL, line, sc);
	rt_format_ns(avg, sizeof(avg), d->hist_n ? d->hist_sum / d->hist_n : 0);
	rt_format_ns(p50, sizeof(p50), hist64_quantile(&d->hist, d->hist_n,
						       0.5, d->hist_max));
	rt_format_ns(p90, sizeof(p90), hist64_quantile(&d->hist, d->hist_n,
						       0.9, d->hist_max));
	rt_format_ns(p99, sizeof(p99), hist64_quantile(&d->hist, d->hist_n,
						       P99, d->hist_max));
	rt_format_ns(mx, sizeof(mx), d->hist_max);
	snprintf(line, sizeof(line), "latency (%s): n=%" PRIu64 " avg %s p50 "
		 "%s p90 %s p99 %s max %s", d->hist_of_row ?
		 "since start or reset" : "calls seen since opened",
		 d->hist_n, avg, p50, p90, p99, mx);
	put(2, 0, sc->cols, R_TITLE, line, sc);

	/* the rest: histogram above, events below */
	y = 3;
	if (d->key.view == TUI_PEERS && !d->key.other) {
		size_t o = (size_t)snprintf(line, sizeof(line),
					    "receiving processes (%u):",
					    d->all_procs);

		for (u32 i = 0; i < d->nr_procs && o < sizeof(line); i++) {
			char b[16];

			rt_format_bytes(b, sizeof(b), d->procs[i].bytes);
			o += (size_t)snprintf(line + o, sizeof(line) - o,
					      "%s %d %s %s", i ? "," : "",
					      d->procs[i].tgid,
					      d->procs[i].comm, b);
		}
		if (!d->all_procs && o < sizeof(line))
			snprintf(line + o, sizeof(line) - o, " none yet");
		put(y++, 0, sc->cols, R_NORMAL, line, sc);
	}
	hist_rows = (sc->rows - 1 - y) / 2 - 1;
	if (hist_rows > 12)
		hist_rows = 12;
	if (hist_rows < 1)
		hist_rows = 1;
	draw_hist(sc, d, y, hist_rows);
	y += hist_rows;
	snprintf(line, sizeof(line), "        TIME CPU     PID     TID EVENT "
		 "(%" PRIu64 " seen, newest last)", d->seen);
	put_line(y++, R_COLHDR, line, sc);
	ev_rows = sc->rows - 1 - y;
	if (ev_rows <= 0)
		return;
	if (!d->nr) {
		put(y, 1, sc->cols - 1, R_DIM, d->key.other ?
		    "(no raw events are kept for the (other) row)" :
		    "(no recent raw events of this row yet)", sc);
		return;
	}
	if (sc->drill_top > (int)d->nr - ev_rows)
		sc->drill_top = (int)d->nr - ev_rows > 0 ?
				(int)d->nr - ev_rows : 0;
	first = (int)d->nr - ev_rows - sc->drill_top;
	if (first < 0)
		first = 0;
	for (int i = 0; i < ev_rows && first + i < (int)d->nr; i++) {
		format_event(line, sizeof(line), &d->ev[first + i]);
		put(y + i, 0, sc->cols, R_NORMAL, line, sc);
	}
}

/* ---- status line ---- */

static void draw_status(struct tui_screen *sc, u64 now)
{
	int y = sc->rows - 1;
	char line[256];

	if (sc->prompt == TUI_PROMPT_FILTER) {
		snprintf(line, sizeof(line), "filter (comm, pid, address): %s",
			 sc->filter);
		put_line(y, R_NORMAL, line, sc);
		curs_set(1);
		move(y, (int)strlen(line) < sc->cols ? (int)strlen(line) :
		     sc->cols - 1);
		return;
	}
	if (sc->prompt == TUI_PROMPT_SEEK) {
		snprintf(line, sizeof(line), "go to (seconds from the start, "
			 "M:SS, or @event time): %s", sc->input);
		put_line(y, R_NORMAL, line, sc);
		curs_set(1);
		move(y, (int)strlen(line) < sc->cols ? (int)strlen(line) :
		     sc->cols - 1);
		return;
	}
	if (sc->prompt == TUI_PROMPT_DELAY) {
		snprintf(line, sizeof(line), "delay in seconds (now %g): %s",
			 sc->snap ? (double)sc->snap->delay_ns / 1e9 : 0.0,
			 sc->input);
		put_line(y, R_NORMAL, line, sc);
		curs_set(1);
		move(y, (int)strlen(line) < sc->cols ? (int)strlen(line) :
		     sc->cols - 1);
		return;
	}
	curs_set(0);
	if (sc->status[0] && now < sc->status_until) {
		put_line(y, sc->status_error ? R_ALERT : R_NOTE, sc->status,
			 sc);
		return;
	}
	if (!sc->live) {
		put_line(y, R_COLHDR, sc->cols >= 88 ?
			 "q quit  ? help  space play/pause  +- speed  [] step"
			 "  {} start/end  g go to  1-5 views" :
			 sc->cols >= 64 ?
			 "q quit ?help space play +- speed [] step g go to" :
			 "q quit ?help space play [] step", sc);
		return;
	}
	put_line(y, R_COLHDR, sc->cols >= 88 ?
		 "q quit  ? help  1-5 views  <> sort  / filter  Enter details"
		 "  p pause  d delay  r reset" : sc->cols >= 64 ?
		 "q quit ?help 1-5 views <>sort /filter Enter details p pause" :
		 "q quit  ? help  / filter  <> sort", sc);
}

void tui_draw(struct tui_screen *sc, u64 now)
{
	erase();
	if (sc->rows < TUI_MIN_ROWS || sc->cols < TUI_MIN_COLS) {
		char msg[64];

		snprintf(msg, sizeof(msg), "terminal too small: %dx%d, "
			 "recvtop needs %dx%d", sc->cols, sc->rows,
			 TUI_MIN_COLS, TUI_MIN_ROWS);
		for (int y = 0, o = 0; y < sc->rows && o < (int)strlen(msg);
		     y++, o += sc->cols)
			put(y, 0, sc->cols, R_NOTE, msg + o, sc);
		curs_set(0);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	if (sc->list_dirty)
		tui_screen_refilter(sc);
	switch (sc->mode) {
	case TUI_MODE_HELP:
		curs_set(0);
		draw_help(sc);
		break;
	case TUI_MODE_DRILL:
		curs_set(0);
		draw_drill(sc);
		break;
	default:
		draw_header(sc, now);
		draw_tabs(sc, 2);
		draw_table(sc, 3, sc->rows - 4);
		draw_status(sc, now);
		break;
	}
	wnoutrefresh(stdscr);
	doupdate();
}
