#!/bin/bash
# Replay in the TUI, through tmux: pause, step forward and back, seek, jump
# to the start and the end, speed changes, with the totals on screen at each
# position equal to those of the same intervals in the batch replay (which
# 75-replay.t proves equal to the live run's).
. "$RT_TOP/tests/lib/rt.sh"
need_root "replay tui"
ensure_tracefs
O="$RT_OUT/replay-tui"
mkdir -p "$O"
if ! command -v tmux >/dev/null 2>&1; then
	skip "replay tui" "tmux is not installed"
	done_testing
	exit 0
fi
. "$RT_TOP/tests/lib/tmux.sh"
trap 'tmux_cleanup; cleanup_all' EXIT

"$RECVTOP" record --live --json -d 0.2 -o "$O/rec.dat" -- "$RT_TOOLS/rtgen" steady \
	--seconds 1.5 --rate 800 --expect "$O/rec.exp" >"$O/rec.live" 2>"$O/rec.err"
is "$?" 0 "recording for the replay"
"$RECVTOP" top -i "$O/rec.dat" --json >"$O/batch.json"
PID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processes"][0]["pid"])' "$O/rec.exp")
# total calls of the receiver after each interval: CUM[k]
eval "$(python3 - "$O/batch.json" "$PID" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
pid = int(sys.argv[2])
cum, out = 0, ["CUM[0]=0"]
for l in lines:
    if l["type"] != "interval":
        continue
    cum += sum(p["calls"] for p in l["processes"] if p["pid"] == pid)
    out.append("CUM[%d]=%d" % (l["interval"], cum))
out.append("NIV=%d" % (len(out) - 1))
print("\n".join(out))
PY
)"
[ "${NIV:-0}" -ge 7 ]
ok $? "the recording has several intervals ($NIV)"

# the receiver's total calls as the Processes view shows them (80 cols:
# PID COMM CALLS/s BYTES/s TXBYTES/s P99 CALLS BYTES)
calls_shown() { row_of "$PID" | awk '{print $(NF-1)}'; }

# press a key, then wait for the receiver's total to become want
expect_calls() {	# expect_calls KEYS WANT WHAT
	local keys=$1 want=$2 what=$3 n=0 got
	[ -n "$keys" ] && tm send-keys -t t $keys
	while [ $n -lt 50 ]; do
		got=$(calls_shown)
		[ "$got" = "$want" ] && break
		[ "$want" = "" ] && [ -z "$got" ] && break
		sleep 0.1
		n=$((n + 1))
	done
	is "$got" "$want" "$what"
}

# slowly (0.1x), so the end is far off while keys are sent
if ! tmux_start main top -i "$O/rec.dat" --speed 0.1 ||
   ! wait_screen "PID +COMM" 100; then
	fail "replay TUI started"
	screen | sed 's/^/# /'
	done_testing
	exit 1
fi
pass "replay TUI started in an 80x24 pane"
like "$(screen | head -n 1)" "^recvtop +[0-9.]+s/[0-9.]+s \\[[=-]+\\] 0.1x playing" \
	"header: position, bar, speed and state"
like "$(screen | tail -n 1)" "space play .*\\[\\] step" "the key line shows the replay keys"

tm send-keys -t t ' '
wait_screen "^recvtop .* paused " 30
ok $? "space pauses"
expect_calls "{" "" "{ jumps to the start: nothing counted yet"
like "$(screen | head -n 1)" "^recvtop +0\\.0s/" "{: position 0.0s"
expect_calls "] ] ]" "${CUM[3]}" "] ] ]: the totals after interval 3 (${CUM[3]} calls)"
like "$(screen | head -n 1)" "^recvtop +0\\.6s/" "] ] ]: position 0.6s"
expect_calls "[" "${CUM[2]}" "[: back to interval 2 at once (${CUM[2]} calls)"
expect_calls "g 1 . 0 Enter" "${CUM[5]}" "g 1.0: the interval ending at 1.0 s (${CUM[5]} calls)"
like "$(screen | head -n 1)" "^recvtop +1\\.0s/" "g 1.0: position 1.0s"
expect_calls "}" "${CUM[$NIV]}" "}: the end, every call (${CUM[$NIV]} calls)"
like "$(screen | head -n 1)" " end " "}: the header says end"
expect_calls "[ [" "${CUM[$((NIV - 2))]}" "[ [ from the end: two intervals back"
# the summary of the batch replay has the same total
is "$(tail -n 1 "$O/batch.json" | python3 -c 'import json,sys; print([p["calls"] for p in json.loads(sys.stdin.read())["processes"] if p["pid"]=='"$PID"'][0])')" \
	"${CUM[$NIV]}" "the batch summary has the same total"

# speed: 0.1x, then the steps 1x 2x 10x 100x max
tm send-keys -t t '+'
wait_screen "^recvtop .* 1x " 30
ok $? "+ from 0.1x: 1x"
tm send-keys -t t '+'
wait_screen "^recvtop .* 2x " 30
ok $? "+ doubles the speed"
tm send-keys -t t '+' '+' '+'
wait_screen "^recvtop .* max " 30
ok $? "+ + +: as fast as possible"
tm send-keys -t t '-' '-' '-' '-'
wait_screen "^recvtop .* 1x " 30
ok $? "- - - -: back to 1x"
# play from two intervals before the end, at 100x, to the end
tm send-keys -t t '+' '+' '+' ' '
wait_screen "^recvtop .* end " 50
ok $? "playing at 100x reaches the end"
is "$(calls_shown)" "${CUM[$NIV]}" "at the end: every call"

# help lists the replay keys
tm send-keys -t t '?'
wait_screen "replaying a recording" 30
ok $? "help shows the replay keys"
tm send-keys -t t 'x'

tm send-keys -t t q
check_terminal main 0 "q in a replay"
is "$(grep -c . "$O/main.err")" 0 "nothing on stderr"
TUI_PID=""

# d in the live TUI while recording: the replay cuts the same intervals
tmux_start live record --live -d 0.2 -o "$O/d.dat" -- "$RT_TOOLS/rtgen" \
	steady --seconds 3 --rate 300
wait_screen "PID +COMM" 100
sleep 0.8
tm send-keys -t t d 0 . 5 Enter
check_terminal live 0 "record --live with the TUI"
TUI_PID=""
"$RECVTOP" top -i "$O/d.dat" --json >"$O/d.json"
python3 - "$O/d.json" <<'PY'
import json, sys
ivs = [json.loads(l) for l in open(sys.argv[1])]
secs = [round(l["seconds"], 3) for l in ivs if l["type"] == "interval"][:-1]
i = secs.index(0.5) if 0.5 in secs else -1
ok = i > 2 and set(secs[:i]) == {0.2} and set(secs[i:]) == {0.5}
print("%s - a delay changed with d while recording: the replay's intervals "
      "go from 0.2 s to 0.5 s where the live view's did (%s)"
      % ("ok" if ok else "not ok", secs))
PY

# a narrow terminal keeps the position
ROWS=10 COLS=40 tmux_start narrow top -i "$O/rec.dat" --speed 1
wait_screen "^recvtop +[0-9.]+s/[0-9.]+s" 100
ok $? "40x10: the position stays in the header"
tm send-keys -t t q
check_terminal narrow 0 "q at 40x10"
TUI_PID=""
done_testing
