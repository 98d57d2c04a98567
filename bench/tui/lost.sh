#!/bin/bash
# Lost events, TUI against batch, at the highest recvfrom rate this machine
# makes: `rtgen flood --procs 2` traced by `recvtop --batch -- ...` and by
# the TUI (`recvtop -- ...` in an 80x24 tmux pane, a real terminal emulator
# that draws every frame).  Runs alternate so both see the same machine.
#
#   bench/tui/lost.sh [-b BUILD] [-r RUNS] [-s SECONDS] [-k BUFFER_KB...]
#
# Each case prints one line per run (events, lost, lost %) and the median.
# Case "stalled": the TUI's terminal stops taking output for the whole
# flood (its pty is drained only after the run), which would stop a
# single-threaded TUI from reading the trace buffers.
# Needs root, tracefs, tmux, script(1).  Takes the test suites' tracefs
# lock so it does not run beside them.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=build
runs=5
secs=5
kbs=""
while getopts "b:r:s:k:" opt; do
	case $opt in
	b) build=$OPTARG ;;
	r) runs=$OPTARG ;;
	s) secs=$OPTARG ;;
	k) kbs="$kbs $OPTARG" ;;
	*) echo "usage: $0 [-b BUILD] [-r RUNS] [-s SECONDS] [-k BUFFER_KB]" >&2
	   exit 2 ;;
	esac
done
[ -n "$kbs" ] || kbs="default 1024"
case "$build" in /*) ;; *) build="$top/$build" ;; esac
if [ "$build" = "$top/build" ]; then
	RECVTOP=$top/recvtop
else
	RECVTOP=$build/recvtop
fi
RTGEN=$build/tools/rtgen
out=$(mktemp -d /tmp/rt-tui-bench.XXXXXX)
SOCK="rt-tui-bench-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$out"' EXIT

for f in "$RECVTOP" "$RTGEN"; do
	[ -x "$f" ] || { echo "missing $f (make BUILD=... check-build)" >&2; exit 1; }
done

# "events N  lost M" of a summary line
parse() { sed -n 's/.*summary .* events \([0-9]*\)  lost \([0-9]*\).*/\1 \2/p' | tail -n 1; }

run_batch() {	# run_batch BUFFER_ARGS
	"$RECVTOP" --batch "$@" -- "$RTGEN" flood --seconds "$secs" --procs 2 \
		--expect "$out/exp.json" 2>"$out/err" | parse
}

run_tui() {	# run_tui BUFFER_ARGS
	local n=0
	tm kill-server 2>/dev/null
	until tm new-session -d -s b -x 80 -y 24 \
		"env -u TMUX bash --norc --noprofile" 2>/dev/null; do
		n=$((n + 1)); [ $n -ge 20 ] && return 1; sleep 0.2
	done
	tm set-option -t b history-limit 200 >/dev/null
	rm -f "$out/done"
	tm send-keys -t b "clear; $RECVTOP $* -- $RTGEN flood --seconds $secs" \
		" --procs 2 --expect $out/exp.json 2>$out/err; touch $out/done" Enter
	while [ ! -e "$out/done" ]; do sleep 0.2; done
	tm capture-pane -p -J -t b -S -100 | parse
	tm kill-server 2>/dev/null
}

# the TUI's terminal takes nothing until the run is over
run_stalled() {	# run_stalled BUFFER_ARGS
	TERM=xterm script -qfec "stty cols 80 rows 24; $RECVTOP $* -- $RTGEN flood \
--seconds $secs --procs 2 --expect $out/exp.json 2>$out/err" /dev/null |
		{ sleep $((secs + 3)); cat; } | tr -d '\r' | parse
}

median() { sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "-" }'; }

pct_of() { awk -v e="$1" -v l="$2" 'BEGIN { printf "%.3f", 100 * l / (e + l) }'; }

line() {	# line MODE EVENTS LOST
	local pct="-"
	[ -n "$2" ] && [ "$2" -gt 0 ] && pct=$(pct_of "$2" "$3")
	printf "  %-8s events %9s  lost %9s  (%6s%%)  rate %s calls/s\n" "$1" \
		"$2" "$3" "$pct" "$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["rate"]))' "$out/exp.json" 2>/dev/null)"
}

bench() {
	echo "# $(nproc) CPUs, $(uname -r), flood $secs s x 2 processes, $runs runs per mode"
	for kb in $kbs; do
		local args=""
		[ "$kb" != default ] && args="--buffer-kb $kb"
		echo "== buffer ${kb} KB per CPU"
		: >"$out/batch.lost"; : >"$out/tui.lost"; : >"$out/stalled.lost"
		for r in $(seq "$runs"); do
			for mode in batch tui stalled; do
				# shellcheck disable=SC2046
				set -- $(run_$mode $args)
				line "$mode" "${1:-}" "${2:-}"
				[ -n "${2:-}" ] && [ "${1:-0}" -gt 0 ] &&
					pct_of "$1" "$2" >>"$out/$mode.lost" &&
					echo >>"$out/$mode.lost"
			done
		done
		for mode in batch tui stalled; do
			printf "  median lost %-8s %s%%  (runs: %s)\n" "$mode" \
				"$(median <"$out/$mode.lost")" \
				"$(sort -n "$out/$mode.lost" | tr '\n' ' ')"
		done
	done
}

if [ -w /run ] && command -v flock >/dev/null; then
	exec 9>/run/recvtop-tests.lock
	flock 9
fi
bench
