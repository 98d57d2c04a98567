# tmux helpers for the TUI suites: a private tmux server, a pane running a
# shell that runs recvtop and records its exit status and stty settings.
# Set O (output dir) before use; call tmux_cleanup in the suite's trap.
SOCK="rt-tui-$$"
TUI_PID=""

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

tmux_cleanup() {
	if [ -n "$TUI_PID" ] && kill -0 "$TUI_PID" 2>/dev/null; then
		kill -TERM "$TUI_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$TUI_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$TUI_PID" 2>/dev/null
	fi
	tm kill-server 2>/dev/null
}

screen() { tm capture-pane -p -t t; }

# wait until the screen matches an extended regex (default 15 s)
wait_screen() {	# wait_screen REGEX [TENTHS]
	local n=0 max=${2:-150}
	while [ $n -lt "$max" ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# the row of a process in the Processes view: "PID COMM ... CALLS BYTES"
row_of() { screen | awk -v p="$1" '$1 == p'; }

# pid of the TUI run in the pane (the shell's child)
tui_pid() {
	local sh n=0
	sh=$(tm display -p -t t '#{pane_pid}')
	while [ $n -lt 100 ]; do
		TUI_PID=$(pgrep -P "$sh" -x "$(basename "$RECVTOP")" | head -n 1)
		[ -n "$TUI_PID" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# a shell in a pane (80x24 unless ROWS/COLS are set), recvtop ARGS in it
tmux_start() {	# tmux_start NAME ARGS...
	local name=$1
	shift
	local n=0
	rm -f "$O/$name.exit" "$O/$name.stty.after"
	tm kill-server 2>/dev/null
	# a server that is still going away refuses clients for a moment
	until tm new-session -d -s t -x "${COLS:-80}" -y "${ROWS:-24}" \
		"env -u TMUX LANG=C.UTF-8 bash --norc --noprofile" 2>/dev/null; do
		n=$((n + 1))
		[ $n -ge 20 ] && return 1
		sleep 0.2
	done
	tm send-keys -t t "stty -g > $O/$name.stty.before; clear; " \
		"$RECVTOP $* 2> $O/$name.err; echo EXIT=\$? > $O/$name.exit; " \
		"stty -g > $O/$name.stty.after; clear" Enter
	tui_pid
}

# after the run: exit status and terminal state
check_terminal() {	# check_terminal NAME WANT_STATUS_REGEX WHAT
	local name=$1 want=$2 what=$3 n=0
	while [ ! -s "$O/$name.stty.after" ] && [ $n -lt 150 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	like "$(cat "$O/$name.exit" 2>/dev/null)" "^EXIT=($want)\$" \
		"$what: exit status $want"
	is "$(cat "$O/$name.stty.after" 2>/dev/null)" \
		"$(cat "$O/$name.stty.before")" "$what: stty settings restored"
	is "$(tm display -p -t t '#{alternate_on} #{cursor_flag}')" "0 1" \
		"$what: normal screen, cursor visible"
}
