/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_TUI_SCREEN_H
#define RECVTOP_TUI_SCREEN_H

#include "recvtop/tui_view.h"

/*
 * The TUI's screen: the terminal thread's state (view, sort, filter,
 * scroll, modes) and the ncurses drawing of it.  Everything here runs on
 * the terminal thread; the data comes in as snapshots (tui_model.h).
 */

#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 10
#define TUI_FILTER_LEN 64

enum tui_mode {
	TUI_MODE_TABLE = 0,
	TUI_MODE_HELP,
	TUI_MODE_DRILL,
};

enum tui_prompt {
	TUI_PROMPT_NONE = 0,
	TUI_PROMPT_FILTER,
	TUI_PROMPT_DELAY,
	TUI_PROMPT_SEEK,
};

/* replay's time controls (tui_replay_next() hands them over) */
enum tui_replay_cmd {
	TUI_RP_NONE = 0,
	TUI_RP_PLAY,		/* play / pause */
	TUI_RP_FASTER,
	TUI_RP_SLOWER,
	TUI_RP_FORWARD,		/* one interval */
	TUI_RP_BACK,
	TUI_RP_START,
	TUI_RP_END,
	TUI_RP_SEEK,		/* seek_abs, seek_s */
};

/* what a key asks of the run thread */
enum tui_action {
	TUI_ACT_NONE = 0,
	TUI_ACT_REDRAW,		/* only the screen changed */
	TUI_ACT_VIEW,		/* another table is wanted */
	TUI_ACT_DRILL,		/* open (or close) the drill-down */
	TUI_ACT_RESET,
	TUI_ACT_DELAY,		/* new delay in delay_ns */
	TUI_ACT_REPLAY,		/* replay_cmd (and seek_*) */
	TUI_ACT_QUIT,
};

struct tui_screen {
	/* data, owned by the caller */
	struct tui_snap *snap;
	struct tui_drill *drill;
	bool drill_current;	/* drill holds the row asked for */

	/* the table as shown */
	struct tui_list list;
	bool list_dirty;
	enum tui_view view;		/* the view wanted */
	int sort[TUI_NR_VIEWS];
	bool invert[TUI_NR_VIEWS];
	char filter[TUI_FILTER_LEN];
	char filter_before[TUI_FILTER_LEN];
	u32 top, sel;
	struct tui_key sel_key;
	bool have_sel;
	struct tui_key drill_key;

	/*
	 * Enter on a row of the Containers view: the Processes view of that
	 * container (cont_id; its name as shown in the header); Esc,
	 * Backspace or Left go back to the row and the filter before
	 */
	bool cont_drill;
	u32 cont_id;
	char cont_name[96];
	struct tui_key cont_from;
	char cont_filter_before[TUI_FILTER_LEN];

	enum tui_mode mode;
	enum tui_mode help_from;	/* where the help goes back to */
	int help_top;
	int drill_top;			/* events scrolled back from the end */
	enum tui_prompt prompt;
	char input[TUI_FILTER_LEN];
	bool paused;
	u64 delay_ns;			/* a new delay (TUI_ACT_DELAY) */
	enum tui_replay_cmd replay_cmd;	/* TUI_ACT_REPLAY */
	bool seek_abs;			/* seek_s: an event time, else from
					 * the start of the recording */
	double seek_s;
	char status[160];
	u64 status_until;		/* monotonic ns */
	bool status_error;

	/* the header */
	char filters[256];		/* -p, -c, --cgroup, --container */
	u64 started_ns;			/* live: the clock starts here */
	bool live;

	/* the terminal */
	bool color;
	bool utf8;
	int rows, cols;
};

void tui_screen_init(struct tui_screen *sc);
/* "12.5", "+12.5", "1:30" (from the start) or "@1234.567" (event time) */
int tui_parse_seek(const char *s, bool *abs, double *secs);
void tui_screen_free(struct tui_screen *sc);
/* a new snapshot arrived (or sort/filter changed): rebuild the list */
void tui_screen_refilter(struct tui_screen *sc);
/* set a message for the status line, shown for a few seconds */
void tui_screen_message(struct tui_screen *sc, bool error, const char *fmt,
			...) __printf(3, 4);
/* one key (ncurses code); returns what the run thread must do */
enum tui_action tui_screen_key(struct tui_screen *sc, int ch);

/* ncurses: colours after initscr/newterm (NO_COLOR respected) */
void tui_draw_init(struct tui_screen *sc);
/* draw the whole screen for the current mode and push it out */
void tui_draw(struct tui_screen *sc, u64 now_ns);

/* text fitted to a number of terminal columns, control bytes shown as ? */
int tui_fit(char *dst, size_t len, const char *src, int cols, bool utf8);

#endif
