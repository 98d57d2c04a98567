#!/bin/bash
# A screenshot of the live TUI for the docs: recvtop runs in a 100x24 tmux
# pane while the generator makes steady traffic in three processes and a
# burst in seven more; once the Processes view shows the burst, the pane
# is captured with its colours (capture-pane -e) and drawn into a PNG with
# ImageMagick (tests/eco/ansi2mvg.py: one DejaVu Sans Mono cell per
# character).  Checks the capture shows the traffic, the PNG has the
# pane's size and the colours, and the run quits with q leaving tracefs
# clean.  The PNG goes to $RT_OUT/eco-shots/tui.png (docs/tui.png with
# RT_DOCS_SHOTS=1).
. "$RT_TOP/tests/lib/rt.sh"
need_root "tui screenshot"
ensure_tracefs
O="$RT_OUT/eco-tui-shot"
SHOTS="$RT_OUT/eco-shots"
rm -rf "$O"
mkdir -p "$O" "$SHOTS"
COLS=100 ROWS=24

missing=""
for c in tmux convert identify python3; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
convert -list font 2>/dev/null | grep -q 'Font: DejaVu-Sans-Mono$' ||
	missing="$missing DejaVu-Sans-Mono(fonts-dejavu-core)"
if [ -n "$missing" ]; then
	skip "TUI screenshot" "missing:$missing"
	done_testing
	exit 0
fi

. "$RT_TOP/tests/lib/tmux.sh"
GEN=""

cleanup() {
	for p in $GEN; do
		kill "$p" 2>/dev/null
	done
	tmux_cleanup
	wait 2>/dev/null
	cleanup_all
}
trap cleanup EXIT

# the plain binary: the screenshot shows what users run
if ! RECVTOP=$RECVTOP_PLAIN tmux_start tui -d 1 || ! rt_wait_started "$TUI_PID" ||
   ! wait_screen "PID +COMM" 100; then
	fail "the TUI started in a ${COLS}x$ROWS tmux pane"
	screen | sed 's/^/# /'
	done_testing
	exit 1
fi
pass "the TUI started in a ${COLS}x$ROWS tmux pane"

# steady traffic at three rates, then a burst in every scenario
for r in "4000 1200" "1500 300" "250 64"; do
	set -- $r
	"$RT_TOOLS/rtgen" steady --seconds 20 --rate "$1" --size "$2" >/dev/null 2>&1 &
	GEN="$GEN $!"
done
wait_screen "rtg-steady +[1-9]" 100
ok $? "the steady generators show up"
sleep 1.5
# the burst runs while the screen is watched: its fast scenarios finish
# within one interval, which is on screen for one second only, and the
# generator itself ends later (its EAGAIN scenario is the slowest)
"$RT_TOOLS/rtgen" --count 20000 >/dev/null 2>&1 &
BURST=$!
GEN="$GEN $BURST"
wait_screen "rtg-udp4 +[1-9][0-9]{3}" 50
ok $? "the burst shows up with its rate"
tm capture-pane -e -p -N -t t >"$O/tui.ansi"
screen >"$O/tui.txt"
tm send-keys -t t q
check_terminal tui 0 "q"
check_clean "$TUI_PID" "TUI"
TUI_PID=""
for p in $GEN; do
	kill "$p" 2>/dev/null
done
wait 2>/dev/null
GEN=""

like "$(head -n 1 "$O/tui.txt")" "^recvtop +(tracepoint|kprobe|sock) +live" "capture: the header"
is "$(grep -c 'rtg-steady' "$O/tui.txt")" 3 "capture: the three steady processes"
is "$(grep -cE 'rtg-(udp4|udp6|tcp|recv|unix|eagain|ebadf) ' "$O/tui.txt")" 7 \
	"capture: the seven burst processes"
like "$(cat "$O/tui.ansi")" $'\e\\[' "capture: with its colours"

python3 "$RT_TOP/tests/eco/ansi2mvg.py" "$O/tui.ansi" $COLS $ROWS \
	>"$O/tui.mvg" 2>"$O/tui.size"
ok $? "the capture drawn as MVG"
convert -size "$(cat "$O/tui.size")" "mvg:$O/tui.mvg" -strip -depth 8 "$O/tui.png" \
	2>"$O/convert.err"
is "$?:$(cat "$O/convert.err")" "0:" "convert renders it without a word"
is "$(identify -format '%wx%h' "$O/tui.png" 2>/dev/null)" "$(cat "$O/tui.size")" \
	"the PNG is the pane's size ($(cat "$O/tui.size"))"
like "$(identify -format '%k' "$O/tui.png" 2>/dev/null)" "^[0-9]{2,}" "the PNG is not blank"
if [ -s "$O/tui.png" ]; then
	cp "$O/tui.png" "$SHOTS/tui.png"
	if [ "${RT_DOCS_SHOTS:-0}" = 1 ]; then
		mkdir -p "$RT_TOP/docs"
		cp "$O/tui.png" "$RT_TOP/docs/tui.png"
		diag "saved docs/tui.png"
	fi
fi
done_testing
