// SPDX-License-Identifier: GPL-2.0
/* The live ncurses view: threads, hand-over, terminal take and restore. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "recvtop/run.h"
#include "recvtop/signals.h"
#include "recvtop/tui.h"
#include "recvtop/tui_screen.h"

#define WAKE_MS 100
#define DRILL_EVERY_NS (250 * NSEC_PER_MSEC)
#define UI_TICK_MS 250
#define STOP_WAIT_S 2
#define NR_MSGS 32
#define MSG_LEN 256
#define NR_REPLAY_REQS 32

/* what the terminal thread asks of the run thread */
struct tui_req {
	u64 seq;			/* bumped on every request */
	enum tui_view view;
	bool drill;
	struct tui_key drill_key;
	unsigned int resets;
	u64 delay_ns;			/* 0: no change */
	bool paused;			/* no snapshots unless asked for */
	bool quit;
	/* replay's time controls, a queue */
	struct tui_replay_req rp[NR_REPLAY_REQS];
	unsigned int rp_head, rp_tail;
};

struct tui {
	const struct rt_options *o;
	struct run *run;
	struct pipeline *pipe;
	const struct rt_run_info *info;
	tui_source_fn source_fn;
	void *source_ctx;
	tui_delay_fn delay_fn;
	void *delay_ctx;
	const struct stats *stats;	/* replay: the view's, else NULL */
	u64 events_until;		/* replay: drill-down up to here */

	/* run thread */
	struct tui_events *events;
	struct tui_snap *snap_back;
	struct tui_drill *drill_back;
	struct rt_interval iv;
	bool have_iv;
	bool snap_dirty;
	enum tui_view view;
	u64 seq_done, seq_published;
	unsigned int resets_done;
	bool drill_on;
	struct tui_key drill_key;
	u64 drill_pub_ns, drill_pub_head;

	/* shared, under lock */
	pthread_mutex_t lock;
	struct tui_snap *snap_pending;
	bool snap_fresh;
	struct tui_drill *drill_pending;
	bool drill_fresh;
	struct tui_req req;
	char msgs[NR_MSGS][MSG_LEN];
	unsigned int nr_msgs, msgs_dropped;
	bool msg_new;
	atomic_bool ui_stop;
	atomic_bool ui_done;

	int wake[2];			/* terminal thread -> run thread */
	int notify[2];			/* run thread -> terminal thread */

	/* terminal thread (the run thread before start and after stop) */
	struct tui_screen sc;
	struct tui_snap *snap_front;
	struct tui_drill *drill_front;
	u64 taken_seq, drill_taken_seq;
	SCREEN *scr;
	FILE *in_f;
	bool own_in;
	int in_fd;
	pthread_t thread;
	bool started;
	bool stuck;			/* the terminal thread did not end */
	bool quitting;
};

/* ---- the terminal on every exit path ---- */

static struct {
	volatile sig_atomic_t active;
	int fd;
	struct termios tio;
	bool have_tio;
	char seq[256];
	size_t len;
} term_emerg;

/* async-signal-safe: leave the alternate screen, cursor on, tty modes */
static void tui_term_emergency(void)
{
	if (!term_emerg.active)
		return;
	term_emerg.active = 0;
	if (term_emerg.len &&
	    write(term_emerg.fd, term_emerg.seq, term_emerg.len) < 0) {
		/* nothing more to do from here */
	}
	if (term_emerg.have_tio)
		tcsetattr(term_emerg.fd, TCSANOW, &term_emerg.tio);
}

static void term_emerg_add(const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (term_emerg.len + n >= sizeof(term_emerg.seq))
		return;
	memcpy(term_emerg.seq + term_emerg.len, s, n);
	term_emerg.len += n;
}

static volatile sig_atomic_t tstp_pending;
static volatile int tstp_fd = -1;
static struct sigaction tstp_old;

static void on_tstp(int sig)
{
	int e = errno;

	(void)sig;
	tstp_pending = 1;
	if (tstp_fd >= 0 && write(tstp_fd, "z", 1) < 0) {
		/* the terminal thread looks at the flag anyway */
	}
	errno = e;
}

/* ---- error lines while the TUI owns the terminal ---- */

static struct tui *sink_tui;

static void poke(int fd)
{
	if (write(fd, "x", 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
}

static void drain_fd(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void tui_err_sink(const char *msg)
{
	struct tui *t = sink_tui;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->nr_msgs < NR_MSGS)
		snprintf(t->msgs[t->nr_msgs++], MSG_LEN, "%s", msg);
	else
		t->msgs_dropped++;
	t->msg_new = true;
	pthread_mutex_unlock(&t->lock);
	poke(t->notify[1]);
}

/* ---- setup ---- */

bool tui_wanted(const struct rt_options *o)
{
	return !o->batch && !o->json && isatty(STDOUT_FILENO);
}

struct tui *tui_new(const struct rt_options *o)
{
	struct tui *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = o;
	t->wake[0] = t->wake[1] = t->notify[0] = t->notify[1] = -1;
	t->in_fd = -1;
	t->events = calloc(1, sizeof(*t->events));
	t->snap_back = tui_snap_new();
	t->snap_pending = tui_snap_new();
	t->snap_front = tui_snap_new();
	t->drill_back = calloc(1, sizeof(*t->drill_back));
	t->drill_pending = calloc(1, sizeof(*t->drill_pending));
	t->drill_front = calloc(1, sizeof(*t->drill_front));
	pthread_mutex_init(&t->lock, NULL);
	tui_screen_init(&t->sc);
	if (!t->events || !t->snap_back || !t->snap_pending ||
	    !t->snap_front || !t->drill_back || !t->drill_pending ||
	    !t->drill_front || pipe2(t->wake, O_CLOEXEC | O_NONBLOCK) ||
	    pipe2(t->notify, O_CLOEXEC | O_NONBLOCK)) {
		tui_free(t);
		return NULL;
	}
	return t;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	tui_stop(t);
	if (t->stuck)
		return;		/* still in use by the terminal thread */
	tui_screen_free(&t->sc);
	for (int i = 0; i < 2; i++) {
		if (t->wake[i] >= 0)
			close(t->wake[i]);
		if (t->notify[i] >= 0)
			close(t->notify[i]);
	}
	pthread_mutex_destroy(&t->lock);
	tui_snap_free(t->snap_back);
	tui_snap_free(t->snap_pending);
	tui_snap_free(t->snap_front);
	free(t->drill_back);
	free(t->drill_pending);
	free(t->drill_front);
	free(t->events);
	free(t);
}

/* the command line's filters, as typed: -p, -c, --cgroup, --container */
static void filters_text(struct tui *t)
{
	const struct rt_options *o = t->o;
	char *b = t->sc.filters;
	size_t len = sizeof(t->sc.filters), n = 0;

	b[0] = 0;
	for (unsigned int i = 0; i < o->nr_pids && n + 16 < len; i++)
		n += (size_t)snprintf(b + n, len - n, "%s%d",
				      i ? "," : "-p ", o->pids[i]);
	if (o->comm && n < len)
		n += (size_t)snprintf(b + n, len - n, "%s-c %s", n ? " " : "",
				      o->comm);
	if (o->cgroup && n < len)
		n += (size_t)snprintf(b + n, len - n, "%s--cgroup %s",
				      n ? " " : "", o->cgroup);
	if (o->container && n < len)
		snprintf(b + n, len - n, "%s--container %s", n ? " " : "",
			 o->container);
}

void tui_bind(struct tui *t, struct pipeline *p,
	      const struct rt_run_info *info, struct taskinfo *tasks,
	      bool live, u64 started_ns)
{
	t->pipe = p;
	t->info = info;
	t->events->tasks = tasks;
	t->sc.live = live;
	t->sc.started_ns = started_ns;
	pipeline_set_event_hook(p, tui_events_hook, t->events);
	filters_text(t);
}

void tui_set_source(struct tui *t, tui_source_fn fn, void *ctx)
{
	t->source_fn = fn;
	t->source_ctx = ctx;
}

void tui_set_delay_fn(struct tui *t, tui_delay_fn fn, void *ctx)
{
	t->delay_fn = fn;
	t->delay_ctx = ctx;
}

void tui_set_stats(struct tui *t, const struct stats *st)
{
	t->stats = st;
}

void tui_set_events_until(struct tui *t, u64 ts)
{
	t->events_until = ts;
}

bool tui_replay_next(struct tui *t, struct tui_replay_req *req)
{
	bool got = false;

	pthread_mutex_lock(&t->lock);
	if (t->req.rp_tail != t->req.rp_head) {
		*req = t->req.rp[t->req.rp_tail % NR_REPLAY_REQS];
		t->req.rp_tail++;
		got = true;
	}
	pthread_mutex_unlock(&t->lock);
	return got;
}

int tui_wake_fd(const struct tui *t)
{
	return t->wake[0];
}

/* ---- run thread ---- */

static const struct stats *shown_stats(const struct tui *t)
{
	return t->stats ? t->stats : t->pipe->stats;
}

static void publish_snap(struct tui *t)
{
	struct tui_snap *s = t->snap_back, *tmp;
	const struct stats *st = shown_stats(t);

	if (tui_snap_fill(s, t->view, st))
		rt_err("out of memory for the %s table",
		       tui_view_name(t->view));
	s->seq = t->seq_done;
	t->seq_published = t->seq_done;
	s->backend = t->info->backend;
	s->peers_visible = t->info->peers_visible;
	s->senders_user = t->info->senders_user;
	s->conns_visible = t->info->conns_visible;
	s->has_interval = t->have_iv;
	s->interval_nr = t->iv.nr;
	s->seconds = t->iv.seconds;
	s->time = t->iv.time;
	s->end_ts = t->iv.end_ts;
	s->events_last = st->last.events;
	s->rx_calls = st->last.calls;
	s->rx_bytes = st->last.bytes;
	s->tx_calls = st->last.tx_calls;
	s->tx_bytes = st->last.tx_bytes;
	s->lost_last = st->last.lost;
	/* a replay's view shows the run up to the interval on screen */
	s->events_run = t->stats ? st->total.events : t->pipe->events;
	s->lost_run = t->stats ? st->total.lost : t->pipe->lost;
	if (!t->stats && t->info->have_kernel_lost &&
	    t->info->kernel_lost > s->lost_run)
		s->lost_run = t->info->kernel_lost;
	s->delay_ns = t->pipe->interval_ns;
	s->position[0] = 0;
	if (t->source_fn)
		t->source_fn(t->source_ctx, s->source, sizeof(s->source),
			     s->position, sizeof(s->position));
	else
		snprintf(s->source, sizeof(s->source), "%s",
			 t->info->source ? t->info->source : "live");

	pthread_mutex_lock(&t->lock);
	tmp = t->snap_pending;
	t->snap_pending = s;
	t->snap_back = tmp;
	t->snap_fresh = true;
	pthread_mutex_unlock(&t->lock);
	t->snap_dirty = false;
	poke(t->notify[1]);
}

static void publish_drill(struct tui *t, u64 now)
{
	struct tui_drill *d = t->drill_back, *tmp;

	tui_drill_fill(d, t->events, shown_stats(t), t->pipe->t0,
		       t->events_until);
	d->seq = t->seq_done;
	pthread_mutex_lock(&t->lock);
	tmp = t->drill_pending;
	t->drill_pending = d;
	t->drill_back = tmp;
	t->drill_fresh = true;
	pthread_mutex_unlock(&t->lock);
	t->drill_pub_ns = now;
	t->drill_pub_head = t->events->watch.head;
	poke(t->notify[1]);
}

void tui_interval(struct tui *t, const struct rt_interval *iv)
{
	t->iv = *iv;
	t->have_iv = true;
	t->snap_dirty = true;
}

void tui_refresh(struct tui *t)
{
	t->snap_dirty = true;
}

int tui_wake(struct tui *t, bool fd_ready)
{
	struct tui_req req;
	bool snap = t->snap_dirty, drill = false;
	u64 now;

	if (fd_ready)
		drain_fd(t->wake[0]);
	if (rt_resized || tstp_pending)
		poke(t->notify[1]);
	pthread_mutex_lock(&t->lock);
	req = t->req;
	t->req.delay_ns = 0;
	pthread_mutex_unlock(&t->lock);

	if (req.quit)
		return -1;
	if (req.resets != t->resets_done && !t->stats) {
		t->resets_done = req.resets;
		stats_reset(t->pipe->stats, t->pipe->last_ts);
		t->have_iv = false;
		if (t->drill_on)
			drill = true;
		snap = true;
	}
	if (req.delay_ns) {
		if (t->delay_fn)
			t->delay_fn(t->delay_ctx, req.delay_ns);
		else
			pipeline_set_interval(t->pipe, req.delay_ns);
		snap = true;
	}
	if (req.view != t->view || req.seq != t->seq_done) {
		t->view = req.view;
		t->seq_done = req.seq;
		snap = true;
	}
	if (req.drill != t->drill_on ||
	    (req.drill && !tui_key_eq(&req.drill_key, &t->drill_key)) ||
	    (drill && req.drill)) {
		t->drill_on = req.drill;
		t->drill_key = req.drill_key;
		tui_watch_start(t->events, req.drill ? &req.drill_key : NULL);
		drill = req.drill;
	}
	/* paused: the screen takes only what it asks for (seq) */
	if (snap && (!req.paused || req.seq != t->seq_published))
		publish_snap(t);
	if (t->drill_on && (drill || !req.paused)) {
		now = rt_now_mono_ns();
		if (drill || snap ||
		    (now - t->drill_pub_ns >= DRILL_EVERY_NS &&
		     t->events->watch.head != t->drill_pub_head))
			publish_drill(t, now);
	}
	return 0;
}

/* ---- terminal thread ---- */

static void ui_request(struct tui *t, enum tui_action act)
{
	struct tui_screen *sc = &t->sc;

	pthread_mutex_lock(&t->lock);
	switch (act) {
	case TUI_ACT_VIEW:
		t->req.view = sc->view;
		break;
	case TUI_ACT_DRILL:
		t->req.drill = sc->mode == TUI_MODE_DRILL;
		t->req.drill_key = sc->drill_key;
		break;
	case TUI_ACT_RESET:
		t->req.resets++;
		break;
	case TUI_ACT_DELAY:
		t->req.delay_ns = sc->delay_ns;
		break;
	case TUI_ACT_REPLAY:
		if (t->req.rp_head - t->req.rp_tail < NR_REPLAY_REQS) {
			struct tui_replay_req *r =
				&t->req.rp[t->req.rp_head % NR_REPLAY_REQS];

			r->cmd = sc->replay_cmd;
			r->abs = sc->seek_abs;
			r->secs = sc->seek_s;
			t->req.rp_head++;
		}
		pthread_mutex_unlock(&t->lock);
		poke(t->wake[1]);
		return;
	case TUI_ACT_QUIT:
		t->req.quit = true;
		break;
	case TUI_ACT_REDRAW:
		if (t->req.paused == sc->paused) {
			pthread_mutex_unlock(&t->lock);
			return;
		}
		/* pause: nothing new; resume: the newest data at once */
		t->req.paused = sc->paused;
		if (sc->paused) {
			pthread_mutex_unlock(&t->lock);
			return;
		}
		break;
	default:
		pthread_mutex_unlock(&t->lock);
		return;
	}
	t->req.seq++;
	pthread_mutex_unlock(&t->lock);
	poke(t->wake[1]);
}

/* take what the run thread published; true if anything changed */
static bool ui_take(struct tui *t)
{
	struct tui_screen *sc = &t->sc;
	bool took = false, took_drill = false, msg = false;
	char last[MSG_LEN] = "";

	pthread_mutex_lock(&t->lock);
	if (t->snap_fresh &&
	    (!sc->paused || t->snap_pending->seq > t->taken_seq)) {
		struct tui_snap *tmp = t->snap_front;

		t->snap_front = t->snap_pending;
		t->snap_pending = tmp;
		t->snap_fresh = false;
		t->taken_seq = t->snap_front->seq;
		took = true;
	}
	if (t->drill_fresh &&
	    (!sc->paused || t->drill_pending->seq > t->drill_taken_seq)) {
		struct tui_drill *tmp = t->drill_front;

		t->drill_front = t->drill_pending;
		t->drill_pending = tmp;
		t->drill_fresh = false;
		t->drill_taken_seq = t->drill_front->seq;
		took_drill = true;
	}
	if (t->msg_new) {
		t->msg_new = false;
		if (t->nr_msgs)
			snprintf(last, sizeof(last), "%s",
				 t->msgs[t->nr_msgs - 1]);
		msg = true;
	}
	pthread_mutex_unlock(&t->lock);

	if (took) {
		sc->snap = t->snap_front;
		sc->list_dirty = true;
	}
	if (took_drill) {
		sc->drill = t->drill_front;
		sc->drill_current = tui_key_eq(&sc->drill->key,
					       &sc->drill_key);
	}
	if (msg && last[0])
		tui_screen_message(sc, true, "%s", last);
	return took || took_drill || msg;
}

static void ui_resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	t->sc.rows = LINES;
	t->sc.cols = COLS;
	clearok(curscr, TRUE);
	t->sc.list_dirty = true;
}

static void ui_suspend(struct tui *t)
{
	endwin();
	term_emerg.active = 0;
	kill(getpid(), SIGSTOP);
	/* resumed: back into curses mode at the next refresh */
	term_emerg.active = 1;
	ui_resize(t);
}

static int ui_timeout(const struct tui *t, u64 now)
{
	u64 ms;

	if (!t->sc.live)
		return UI_TICK_MS;
	/* wake when the clock in the header turns a second */
	ms = 1000 - ((now - t->sc.started_ns) / NSEC_PER_MSEC) % 1000;
	return ms < UI_TICK_MS ? (int)ms + 1 : UI_TICK_MS;
}

static void *ui_main(void *arg)
{
	struct tui *t = arg;
	struct tui_screen *sc = &t->sc;
	bool redraw = true;
	u64 shown_sec = 0, now = rt_now_mono_ns();

	while (!atomic_load(&t->ui_stop)) {
		struct pollfd pfd[2] = {
			{ .fd = t->notify[0], .events = POLLIN },
			{ .fd = t->in_fd, .events = POLLIN },
		};
		u64 sec;

		poll(pfd, t->in_fd >= 0 ? 2 : 1, ui_timeout(t, now));
		if (pfd[0].revents)
			drain_fd(t->notify[0]);
		if (atomic_load(&t->ui_stop))
			break;
		if (tstp_pending) {
			tstp_pending = 0;
			ui_suspend(t);
			redraw = true;
		}
		if (rt_resized) {
			rt_resized = 0;
			ui_resize(t);
			redraw = true;
		}
		if (ui_take(t))
			redraw = true;
		if (t->in_fd >= 0 && pfd[1].revents) {
			int ch, got = 0;

			while ((ch = wgetch(stdscr)) != ERR) {
				enum tui_action act = tui_screen_key(sc, ch);

				got++;
				if (act == TUI_ACT_QUIT) {
					t->quitting = true;
					tui_screen_message(sc, false,
							   "stopping...");
				}
				if (act != TUI_ACT_NONE)
					redraw = true;
				ui_request(t, act);
				/* unpaused: the newest data at once */
				if (ui_take(t))
					redraw = true;
			}
			/* readable but nothing to read: the tty is gone */
			if (!got && (pfd[1].revents & (POLLHUP | POLLERR)))
				t->in_fd = -1;
		}
		now = rt_now_mono_ns();
		sec = (now - sc->started_ns) / NSEC_PER_SEC;
		if (sec != shown_sec ||
		    (sc->status[0] && now >= sc->status_until)) {
			shown_sec = sec;
			if (sc->status[0] && now >= sc->status_until)
				sc->status[0] = 0;
			redraw = true;
		}
		if (redraw) {
			tui_draw(sc, now);
			redraw = false;
		}
	}
	atomic_store(&t->ui_done, true);
	return NULL;
}

static int open_input(struct tui *t)
{
	int fd;

	if (isatty(STDIN_FILENO)) {
		t->in_f = stdin;
		t->in_fd = STDIN_FILENO;
		return 0;
	}
	/* stdin is not the terminal: keys come from the terminal itself */
	fd = open("/dev/tty", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		t->in_f = fdopen(fd, "r");
	if (t->in_f) {
		t->in_fd = fd;
	} else {
		if (fd >= 0)
			close(fd);
		t->in_f = fopen("/dev/null", "r");
		t->in_fd = -1;
	}
	t->own_in = true;
	return t->in_f ? 0 : -1;
}

int tui_start(struct tui *t)
{
	struct tui_screen *sc = &t->sc;
	struct sigaction sa;
	struct termios tio;
	sigset_t block, old;
	const char *term = getenv("TERM");
	int err;

	if (t->started)
		return 0;
	setlocale(LC_CTYPE, "");
	sc->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (open_input(t)) {
		rt_err("cannot open the terminal for keys: %s",
		       strerror(errno));
		return -1;
	}
	term_emerg.fd = STDOUT_FILENO;
	term_emerg.have_tio = tcgetattr(STDOUT_FILENO, &term_emerg.tio) == 0;

	/* our own suspend: ncurses' would run on any thread */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tstp;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, &tstp_old);
	tstp_fd = t->notify[1];

	t->scr = newterm(NULL, stdout, t->in_f);
	if (!t->scr) {
		rt_err("cannot start the terminal view (TERM=%s); try --batch",
		       term ? term : "");
		sigaction(SIGTSTP, &tstp_old, NULL);
		tstp_fd = -1;
		return -1;
	}
	set_term(t->scr);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/*
	 * Ctrl-S must not stop our output (flow control off), and Ctrl-\
	 * must not kill us without a cleanup (SIGQUIT is not handled)
	 */
	if (tcgetattr(STDOUT_FILENO, &tio) == 0) {
		tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		tio.c_cc[VQUIT] = _POSIX_VDISABLE;
		tcsetattr(STDOUT_FILENO, TCSANOW, &tio);
	}
	def_prog_mode();
	term_emerg.len = 0;
	term_emerg_add("rmcup");
	term_emerg_add("sgr0");
	term_emerg_add("cnorm");
	term_emerg_add("rmkx");
	term_emerg.active = 1;
	signals_set_emergency_hook(tui_term_emergency);

	tui_draw_init(sc);
	if (sc->live)
		sc->started_ns = rt_now_mono_ns();
	sc->rows = LINES;
	sc->cols = COLS;
	sink_tui = t;
	rt_err_set_sink(tui_err_sink);

	/* the run thread takes the signals; this one only draws */
	sigfillset(&block);
	sigdelset(&block, SIGSEGV);
	sigdelset(&block, SIGBUS);
	sigdelset(&block, SIGFPE);
	sigdelset(&block, SIGILL);
	sigdelset(&block, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&t->thread, NULL, ui_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	t->started = true;
	if (err) {
		tui_stop(t);
		rt_err("cannot start the terminal thread: %s", strerror(err));
		return -1;
	}
	/* the first picture, before the first interval */
	t->snap_dirty = true;
	return 0;
}

static bool join_ui(struct tui *t)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_WAIT_S;
	return pthread_timedjoin_np(t->thread, NULL, &until) == 0;
}

void tui_stop(struct tui *t)
{
	unsigned int nr, dropped;
	bool joined = true;

	if (!t || !t->started)
		return;
	t->started = false;
	atomic_store(&t->ui_stop, true);
	poke(t->notify[1]);
	if (t->thread)
		joined = join_ui(t);
	rt_err_set_sink(NULL);
	sink_tui = NULL;
	if (joined) {
		endwin();
		delscreen(t->scr);
		term_emerg.active = 0;
	} else {
		/* the terminal does not take output: do not wait for it */
		int fl = fcntl(STDOUT_FILENO, F_GETFL);

		t->stuck = true;
		if (fl >= 0)
			fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
		tui_term_emergency();
		if (fl >= 0)
			fcntl(STDOUT_FILENO, F_SETFL, fl);
	}
	t->scr = NULL;
	signals_set_emergency_hook(NULL);
	tstp_fd = -1;
	sigaction(SIGTSTP, &tstp_old, NULL);
	if (t->own_in && t->in_f)
		fclose(t->in_f);
	t->in_f = NULL;
	t->in_fd = -1;

	pthread_mutex_lock(&t->lock);
	nr = t->nr_msgs;
	dropped = t->msgs_dropped;
	t->nr_msgs = 0;
	t->msgs_dropped = 0;
	pthread_mutex_unlock(&t->lock);
	for (unsigned int i = 0; i < nr; i++)
		fprintf(stderr, "recvtop: %s\n", t->msgs[i]);
	if (dropped)
		fprintf(stderr, "recvtop: (%u more messages)\n", dropped);
	if (!joined)
		fprintf(stderr, "recvtop: the terminal did not take the "
			"screen's output; left it as it was\n");
}

/* ---- a live run ---- */

static void run_interval(void *ctx, struct run *r,
			 const struct rt_interval *iv)
{
	(void)r;
	tui_interval(ctx, iv);
}

static int run_wake(void *ctx, struct run *r, bool fd_ready)
{
	if (tui_wake(ctx, fd_ready) >= 0)
		return 0;
	/* q: a command we started stops as it would on Ctrl-C */
	if (r->child.pid > 0 && !r->child.reaped)
		kill(r->child.pid, SIGTERM);
	return -1;
}

static void run_summary(void *ctx, struct run *r)
{
	struct tui *t = ctx;
	struct batch_out out = { .f = stdout, .info = &r->info };

	tui_stop(t);
	/* the contract: with a command, the summary on the way out */
	if (r->o->command) {
		batch_print_summary(&out, &r->pipe);
		batch_free(&out);
	}
}

/* the delay changes where the marker lands in the data: a replay of a
 * recording of this run cuts the same intervals */
static void run_delay(void *ctx, u64 delay_ns)
{
	struct run *r = ctx;

	if (session_mark_delay(&r->session, delay_ns))
		pipeline_set_interval(&r->pipe, delay_ns);
}

void tui_attach_run(struct tui *t, struct run *r)
{
	t->run = r;
	tui_bind(t, &r->pipe, &r->info, r->tasks, true, rt_now_mono_ns());
	tui_set_delay_fn(t, run_delay, r);
	r->view.on_interval = run_interval;
	r->view.on_wake = run_wake;
	r->view.on_summary = run_summary;
	r->view.ctx = t;
	r->view.wake_fd = tui_wake_fd(t);
	r->view.max_wait_ms = WAKE_MS;
}
