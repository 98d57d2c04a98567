// SPDX-License-Identifier: GPL-2.0
/* The TUI's screen state and keys (terminal thread). */
#include <curses.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "recvtop/cli.h"
#include "recvtop/tui_screen.h"

#define MESSAGE_NS (4 * NSEC_PER_SEC)
#define KEY_ESC 27
#define KEY_CTRL(c) ((c) & 0x1f)

void tui_screen_init(struct tui_screen *sc)
{
	memset(sc, 0, sizeof(*sc));
	for (int v = 0; v < TUI_NR_VIEWS; v++)
		sc->sort[v] = tui_view_default_sort((enum tui_view)v);
	sc->live = true;
}

void tui_screen_free(struct tui_screen *sc)
{
	tui_list_free(&sc->list);
}

void tui_screen_message(struct tui_screen *sc, bool error, const char *fmt,
			...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sc->status, sizeof(sc->status), fmt, ap);
	va_end(ap);
	sc->status_error = error;
	sc->status_until = rt_now_mono_ns() + MESSAGE_NS;
}

/* rows of the table body on this terminal */
static u32 body_rows(const struct tui_screen *sc)
{
	int n = sc->rows - 5;

	return n > 1 ? (u32)n : 1;
}

static void keep_sel_visible(struct tui_screen *sc)
{
	u32 page = body_rows(sc);

	if (!sc->list.n) {
		sc->sel = sc->top = 0;
		return;
	}
	if (sc->sel >= sc->list.n)
		sc->sel = sc->list.n - 1;
	if (sc->sel < sc->top)
		sc->top = sc->sel;
	if (sc->sel >= sc->top + page)
		sc->top = sc->sel - page + 1;
	/* no empty space below the last row when scrolled */
	if (sc->top + page > sc->list.n)
		sc->top = sc->list.n > page ? sc->list.n - page : 0;
}

static void remember_sel(struct tui_screen *sc)
{
	const struct tui_snap *s = sc->snap;

	/* a snapshot of the view before: the selection waits for its own */
	if (s && s->view != sc->view)
		return;
	sc->have_sel = false;
	if (!s || sc->sel >= sc->list.n)
		return;
	tui_rec_key(s->view, &s->recs[sc->list.idx[sc->sel]], &sc->sel_key);
	sc->have_sel = true;
}

void tui_screen_refilter(struct tui_screen *sc)
{
	const struct tui_snap *s = sc->snap;

	sc->list_dirty = false;
	if (!s) {
		sc->list.n = 0;
		return;
	}
	if (s->view != sc->view)
		return;
	if (tui_list_build(&sc->list, s, sc->sort[s->view],
			   sc->invert[s->view], sc->filter,
			   sc->cont_drill && s->view == TUI_PROCS ?
			   (long)sc->cont_id : -1))
		tui_screen_message(sc, true, "out of memory");
	/* the selection follows its row (most often it stays in place) */
	if (sc->have_sel && sc->sel_key.view == s->view) {
		struct tui_key k;

		if (sc->sel < sc->list.n) {
			tui_rec_key(s->view, &s->recs[sc->list.idx[sc->sel]],
				    &k);
			if (tui_key_eq(&k, &sc->sel_key))
				goto found;
		}
		for (u32 i = 0; i < sc->list.n; i++) {
			tui_rec_key(s->view, &s->recs[sc->list.idx[i]], &k);
			if (tui_key_eq(&k, &sc->sel_key)) {
				sc->sel = i;
				break;
			}
		}
	}
found:
	keep_sel_visible(sc);
	remember_sel(sc);
}

static void move_sel(struct tui_screen *sc, long delta)
{
	long n = sc->list.n, sel = (long)sc->sel + delta;

	if (!n)
		return;
	if (sel < 0)
		sel = 0;
	if (sel >= n)
		sel = n - 1;
	sc->sel = (u32)sel;
	keep_sel_visible(sc);
	remember_sel(sc);
}

static bool scroll_key(int ch, long page, long *delta)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		*delta = -1;
		return true;
	case KEY_DOWN:
	case 'j':
		*delta = 1;
		return true;
	case KEY_PPAGE:
		*delta = -page;
		return true;
	case KEY_NPAGE:
		*delta = page;
		return true;
	case KEY_HOME:
		*delta = -(1L << 40);
		return true;
	case KEY_END:
		*delta = 1L << 40;
		return true;
	default:
		return false;
	}
}

static bool is_enter(int ch)
{
	return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

static bool is_backspace(int ch)
{
	return ch == KEY_BACKSPACE || ch == 127 || ch == 8;
}

static enum tui_action prompt_key(struct tui_screen *sc, int ch)
{
	char *buf = sc->prompt == TUI_PROMPT_FILTER ? sc->filter : sc->input;
	size_t len = strlen(buf);

	if (ch == KEY_ESC) {
		if (sc->prompt == TUI_PROMPT_FILTER) {
			memcpy(sc->filter, sc->filter_before,
			       sizeof(sc->filter));
			sc->list_dirty = true;
		}
		sc->prompt = TUI_PROMPT_NONE;
		return TUI_ACT_REDRAW;
	}
	if (is_enter(ch)) {
		enum tui_prompt p = sc->prompt;

		sc->prompt = TUI_PROMPT_NONE;
		if (p == TUI_PROMPT_DELAY) {
			u64 ns;

			if (!sc->input[0])
				return TUI_ACT_REDRAW;
			if (cli_parse_delay(sc->input, &ns)) {
				tui_screen_message(sc, true, "'%s': not a delay "
						   "in seconds (0.01 to 86400)",
						   sc->input);
				return TUI_ACT_REDRAW;
			}
			sc->delay_ns = ns;
			tui_screen_message(sc, false, "delay %gs from the next "
					   "interval on", (double)ns / 1e9);
			return TUI_ACT_DELAY;
		}
		if (p == TUI_PROMPT_SEEK) {
			if (!sc->input[0])
				return TUI_ACT_REDRAW;
			if (tui_parse_seek(sc->input, &sc->seek_abs,
					   &sc->seek_s)) {
				tui_screen_message(sc, true, "'%s': not a time "
						   "(12.5, 1:30, or @EVENT_TIME)",
						   sc->input);
				return TUI_ACT_REDRAW;
			}
			sc->replay_cmd = TUI_RP_SEEK;
			return TUI_ACT_REPLAY;
		}
		return TUI_ACT_REDRAW;
	}
	if (is_backspace(ch)) {
		if (len)
			buf[len - 1] = 0;
	} else if (ch == KEY_CTRL('u')) {
		buf[0] = 0;
	} else if (ch >= 0x20 && ch < 0x7f && len + 1 < TUI_FILTER_LEN) {
		if (sc->prompt == TUI_PROMPT_DELAY &&
		    !((ch >= '0' && ch <= '9') || ch == '.'))
			return TUI_ACT_NONE;
		if (sc->prompt == TUI_PROMPT_SEEK &&
		    !((ch >= '0' && ch <= '9') || strchr(".:@+", ch)))
			return TUI_ACT_NONE;
		buf[len] = (char)ch;
		buf[len + 1] = 0;
	} else {
		return TUI_ACT_NONE;
	}
	if (sc->prompt == TUI_PROMPT_FILTER) {
		/* incremental: the table follows every key */
		sc->list_dirty = true;
		sc->top = 0;
		sc->sel = 0;
		sc->have_sel = false;
	}
	return TUI_ACT_REDRAW;
}

static enum tui_action set_view(struct tui_screen *sc, int v)
{
	v = (v + TUI_NR_VIEWS) % TUI_NR_VIEWS;
	if ((enum tui_view)v == sc->view)
		return TUI_ACT_NONE;
	sc->view = (enum tui_view)v;
	sc->top = sc->sel = 0;
	sc->have_sel = false;
	return TUI_ACT_VIEW;
}

/* a view key: another view, or the whole Processes view again */
static enum tui_action pick_view(struct tui_screen *sc, int v)
{
	if (sc->cont_drill) {
		sc->cont_drill = false;
		sc->list_dirty = true;
		if ((v + TUI_NR_VIEWS) % TUI_NR_VIEWS == (int)sc->view) {
			sc->top = sc->sel = 0;
			sc->have_sel = false;
			return TUI_ACT_REDRAW;
		}
	}
	return set_view(sc, v);
}

/* Enter on a container: the Processes view of its processes */
static enum tui_action cont_enter(struct tui_screen *sc,
				  const struct tui_rec *r)
{
	if (r->flags & TUI_REC_OTHER) {
		tui_screen_message(sc, true, "(other): the containers beyond "
				   "the table's cap are not told apart");
		return TUI_ACT_REDRAW;
	}
	sc->cont_id = r->cont;
	snprintf(sc->cont_name, sizeof(sc->cont_name), "%s", r->cont ?
		 tui_snap_cont_name(sc->snap, r->cont) : "host");
	tui_rec_key(TUI_CONTS, r, &sc->cont_from);
	memcpy(sc->cont_filter_before, sc->filter, sizeof(sc->filter));
	sc->filter[0] = 0;
	sc->cont_drill = true;
	sc->list_dirty = true;
	return set_view(sc, TUI_PROCS);
}

/* back from a container's processes to its row */
static enum tui_action cont_leave(struct tui_screen *sc)
{
	enum tui_action act;

	sc->cont_drill = false;
	memcpy(sc->filter, sc->cont_filter_before, sizeof(sc->filter));
	sc->list_dirty = true;
	act = set_view(sc, TUI_CONTS);
	sc->sel_key = sc->cont_from;
	sc->have_sel = true;
	return act;
}

/* sort by col; picking the column sorted by already turns the order */
static enum tui_action set_sort(struct tui_screen *sc, int col)
{
	unsigned int nr;
	const struct tui_col *cols = tui_view_cols(sc->view, &nr);

	col = (col + (int)nr) % (int)nr;
	if (sc->sort[sc->view] == col)
		sc->invert[sc->view] = !sc->invert[sc->view];
	else
		sc->invert[sc->view] = false;
	sc->sort[sc->view] = col;
	sc->list_dirty = true;
	tui_screen_message(sc, false, "sorted by %s (%s)", cols[col].title,
			   cols[col].what);
	return TUI_ACT_REDRAW;
}

static enum tui_action toggle_pause(struct tui_screen *sc)
{
	sc->paused = !sc->paused;
	tui_screen_message(sc, false, sc->paused ?
			   "paused: the display is frozen, counting goes on" :
			   "resumed");
	return TUI_ACT_REDRAW;
}

int tui_parse_seek(const char *s, bool *abs, double *secs)
{
	double v = 0, part;
	char *end;
	int colons = 0;

	*abs = false;
	if (*s == '@') {
		*abs = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	if (!*s)
		return -1;
	/* [[H:]M:]S(.frac) */
	for (;;) {
		part = strtod(s, &end);
		if (end == s || part < 0)
			return -1;
		v = v * 60 + part;
		if (*end != ':')
			break;
		if (++colons > 2 || *abs)
			return -1;
		s = end + 1;
	}
	if (*end || !(v < 1e12))
		return -1;
	*secs = v;
	return 0;
}

/* replay's time controls; ACT_NONE if ch is not one of them */
static enum tui_action replay_key(struct tui_screen *sc, int ch)
{
	if (sc->live)
		return TUI_ACT_NONE;
	switch (ch) {
	case 'p':
	case ' ':
		sc->replay_cmd = TUI_RP_PLAY;
		return TUI_ACT_REPLAY;
	case '+':
	case '=':
		sc->replay_cmd = TUI_RP_FASTER;
		return TUI_ACT_REPLAY;
	case '-':
		sc->replay_cmd = TUI_RP_SLOWER;
		return TUI_ACT_REPLAY;
	case ']':
		sc->replay_cmd = TUI_RP_FORWARD;
		return TUI_ACT_REPLAY;
	case '[':
		sc->replay_cmd = TUI_RP_BACK;
		return TUI_ACT_REPLAY;
	case '{':
		sc->replay_cmd = TUI_RP_START;
		return TUI_ACT_REPLAY;
	case '}':
		sc->replay_cmd = TUI_RP_END;
		return TUI_ACT_REPLAY;
	case 'g':
		sc->input[0] = 0;
		sc->prompt = TUI_PROMPT_SEEK;
		return TUI_ACT_REDRAW;
	case 'r':
		tui_screen_message(sc, true, "a replay's totals follow the "
				   "recording: { goes back to its start");
		return TUI_ACT_REDRAW;
	default:
		return TUI_ACT_NONE;
	}
}

static enum tui_action drill_key(struct tui_screen *sc, int ch)
{
	long delta;
	enum tui_action act = replay_key(sc, ch);

	if (act != TUI_ACT_NONE && ch != 'g')
		return act;

	switch (ch) {
	case 'q':
		return TUI_ACT_QUIT;
	case KEY_ESC:
	case KEY_LEFT:
	case KEY_BACKSPACE:
	case 127:
	case 8:
	case '\n':
	case '\r':
	case KEY_ENTER:
		sc->mode = TUI_MODE_TABLE;
		return TUI_ACT_DRILL;
	case 'p':
	case ' ':
		return toggle_pause(sc);
	case '?':
	case 'h':
	case KEY_F(1):
		sc->help_from = TUI_MODE_DRILL;
		sc->mode = TUI_MODE_HELP;
		sc->help_top = 0;
		return TUI_ACT_REDRAW;
	default:
		break;
	}
	if (scroll_key(ch, 10, &delta)) {
		/* drill_top counts lines back from the newest event */
		long top = (long)sc->drill_top - delta;

		if (top < 0)
			top = 0;
		if (top > TUI_DRILL_EVENTS)
			top = TUI_DRILL_EVENTS;
		sc->drill_top = (int)top;
		return TUI_ACT_REDRAW;
	}
	return TUI_ACT_NONE;
}

static enum tui_action help_key(struct tui_screen *sc, int ch)
{
	long delta;

	if (ch == 'q')
		return TUI_ACT_QUIT;
	if (scroll_key(ch, 10, &delta)) {
		long top = sc->help_top + delta;

		sc->help_top = top < 0 ? 0 : top > 1000 ? 1000 : (int)top;
		return TUI_ACT_REDRAW;
	}
	sc->mode = sc->help_from;
	return TUI_ACT_REDRAW;
}

enum tui_action tui_screen_key(struct tui_screen *sc, int ch)
{
	long delta;
	int col;

	if (sc->prompt)
		return prompt_key(sc, ch);
	if (ch == KEY_CTRL('l')) {
		clearok(curscr, TRUE);
		return TUI_ACT_REDRAW;
	}
	if (sc->mode == TUI_MODE_HELP)
		return help_key(sc, ch);
	if (sc->mode == TUI_MODE_DRILL)
		return drill_key(sc, ch);
	{
		enum tui_action act = replay_key(sc, ch);

		if (act != TUI_ACT_NONE)
			return act;
	}

	switch (ch) {
	case 'q':
		return TUI_ACT_QUIT;
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
		return pick_view(sc, ch - '1');
	case '\t':
		return pick_view(sc, (int)sc->view + 1);
	case KEY_BTAB:
		return pick_view(sc, (int)sc->view - 1);
	case '<':
	case ',':
		sc->invert[sc->view] = false;
		return set_sort(sc, sc->sort[sc->view] - 1);
	case '>':
	case '.':
	case KEY_F(6):
		sc->invert[sc->view] = false;
		return set_sort(sc, sc->sort[sc->view] + 1);
	case 'I':
		sc->invert[sc->view] = !sc->invert[sc->view];
		sc->list_dirty = true;
		return TUI_ACT_REDRAW;
	case '/':
		memcpy(sc->filter_before, sc->filter, sizeof(sc->filter));
		sc->prompt = TUI_PROMPT_FILTER;
		return TUI_ACT_REDRAW;
	case 'd':
		sc->input[0] = 0;
		sc->prompt = TUI_PROMPT_DELAY;
		return TUI_ACT_REDRAW;
	case 'p':
	case ' ':
		return toggle_pause(sc);
	case 'r':
		tui_screen_message(sc, false, "totals reset");
		return TUI_ACT_RESET;
	case '?':
	case 'h':
	case KEY_F(1):
		sc->help_from = TUI_MODE_TABLE;
		sc->mode = TUI_MODE_HELP;
		sc->help_top = 0;
		return TUI_ACT_REDRAW;
	case KEY_ESC:
		if (!sc->filter[0]) {
			if (sc->cont_drill && sc->view == TUI_PROCS)
				return cont_leave(sc);
			return TUI_ACT_NONE;
		}
		sc->filter[0] = 0;
		sc->list_dirty = true;
		return TUI_ACT_REDRAW;
	case KEY_BACKSPACE:
	case KEY_LEFT:
	case 127:
	case 8:
		if (sc->cont_drill && sc->view == TUI_PROCS)
			return cont_leave(sc);
		return TUI_ACT_NONE;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (!sc->snap || sc->snap->view != sc->view ||
		    sc->sel >= sc->list.n) {
			tui_screen_message(sc, true, "no row to look into");
			return TUI_ACT_REDRAW;
		}
		if (sc->view == TUI_CONTS)
			return cont_enter(sc, &sc->snap->recs[
					  sc->list.idx[sc->sel]]);
		tui_rec_key(sc->snap->view,
			    &sc->snap->recs[sc->list.idx[sc->sel]],
			    &sc->drill_key);
		sc->mode = TUI_MODE_DRILL;
		sc->drill_top = 0;
		sc->drill_current = false;
		return TUI_ACT_DRILL;
	default:
		break;
	}
	if (scroll_key(ch, (long)body_rows(sc), &delta)) {
		move_sel(sc, delta);
		return TUI_ACT_REDRAW;
	}
	if (ch > 0 && ch < 0x80) {
		col = tui_view_sort_key(sc->view, ch);
		if (col >= 0)
			return set_sort(sc, col);
		if (ch > 0x20)
			tui_screen_message(sc, true, "'%c': no such key in "
					   "this view (? for help)", ch);
		return TUI_ACT_REDRAW;
	}
	return TUI_ACT_NONE;
}
