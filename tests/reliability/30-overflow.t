#!/bin/bash
# Ring-buffer overflow: a tiny --buffer-kb against the fastest generator
# (rtgen flood --procs 2).  The traced command reads the kernel's per-CPU
# stats of recvtop's instance (instances/recvtop-PID/per_cpu/cpuN/stats)
# once the flood is over and everything is read; recvtop must report
# exactly overrun + commit overrun + dropped events of those stats:
#   - batch JSON: summary "lost" and "lost_kernel" (and "lost_pages", the
#     ring buffer's missed-event counts)
#   - the live TUI header ("lost N (P%)"), in tmux
#   - a recording: recvtop record's final line, `recvtop report` on the
#     file, and the per-CPU stats trace-cmd shows from the file
# And the calls that are missing are the ones the lost events took: with
# M = generator calls - counted calls and L lost events (K events per
# call: 2, entry and return; 3 on the sock backend, the receive between
# them), |K M - L| <= unpaired events (+2 for the run's own markers); on
# the sock backend a gap that cuts two calls can be off by two per
# unpaired event (a lost receive and exit, or entry and receive).  The
# batch and recording runs trace receives only (--direction rx), so that
# every lost event is one of a receive call's; the TUI run traces both
# directions.  All run with --no-uprobes: a libc uprobe event after a
# receive is one more event per call that can be lost without losing the
# call (the uprobes are system/23's).
. "$RT_TOP/tests/lib/rt.sh"
. "$RT_TOP/tests/reliability/lib.sh"
need_root "overflow"
ensure_tracefs
O="$RT_OUT/rel-overflow"
rm -rf "$O"
mkdir -p "$O"
KB=${RT_OVERFLOW_KB:-64}
SECS=${RT_OVERFLOW_SECONDS:-3}
SOCK="rt-ov-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	command -v tmux >/dev/null 2>&1 && tm kill-server 2>/dev/null
	cleanup_all
}
trap cleanup EXIT

# the traced command, a script: the flood, a second for recvtop to read
# everything, then its instance's stats ($PPID is recvtop); then (TUI)
# time for the header to show them
flood_script() {	# flood_script NAME [SLEEP_AFTER]: prints the script's path
	cat >"$O/$1.sh" <<EOF
'$RTGEN' flood --seconds $SECS --procs 2 --expect '$O/$1.exp' >/dev/null || exit 1
sleep 1
cat /sys/kernel/tracing/instances/recvtop-\$PPID/per_cpu/cpu*/stats >'$O/$1.stats'
sleep ${2:-0}
EOF
	echo "$O/$1.sh"
}

# compare: lost values and the calls of the generator
check_calls() {	# check_calls LABEL EXPECT SUMMARY-JSONL LOST
	python3 - "$@" <<'PY'
import json, sys
label, exp, out, lost = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
e = json.load(open(exp))
s = [json.loads(l) for l in open(out) if l.strip()][-1]
gen = sum(p["calls"] for p in e["processes"])
pids = {p["pid"] for p in e["processes"]}
got = sum(p["calls"] for p in s["processes"] if p["pid"] in pids)
others = [p for p in s["processes"] if p["pid"] not in pids]
m = gen - got
k = 3 if s.get("backend") == "sock" else 2
slack = s.get("unpaired", 0) * (k - 1) + 2
ok = 0 <= m and abs(k * m - lost) <= slack and not others
print(("ok" if ok else "not ok") + " - %s: missing calls match the lost events: "
      "generator %d calls, counted %d, missing %d; %d x missing - lost = %d, "
      "within the slack %d%s" % (label, gen, got, m, k, k * m - lost, slack,
      "" if not others else "; unexpected rows %s" % others))
PY
}

# 1. batch JSON
"$RECVTOP" --json -d 1 --direction rx --no-uprobes --buffer-kb "$KB" -- sh "$(flood_script batch)" \
	>"$O/batch.out" 2>"$O/batch.err"
is "$?" 0 "batch: exit status"
klost=$(rel_kernel_lost "$O/batch.stats")
[ "${klost:-0}" -gt 0 ]
ok $? "batch: a $KB KB buffer overflows under the flood (kernel: $klost lost)"
for key in lost lost_kernel lost_pages; do
	is "$($RTCHECK summary "$O/batch.out" $key)" "$klost" \
		"batch: summary \"$key\" equals the instance's per-CPU stats"
done
check_calls batch "$O/batch.exp" "$O/batch.out" "$klost"

# 2. the TUI header (60 rows: the summary printed after it, containers and
# all, stays on the pane)
if command -v tmux >/dev/null 2>&1; then
	tm new-session -d -s t -x 100 -y 60 \
		"env -u TMUX LANG=C.UTF-8 TERM=xterm bash --norc --noprofile"
	tm send-keys -t t "clear; '$RECVTOP' --no-uprobes --buffer-kb $KB -- sh '$(flood_script tui 4)' \
		2>'$O/tui.err'; echo EXIT=\$? >'$O/tui.exit'" Enter
	n=0
	until [ -s "$O/tui.stats" ] || [ $n -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
	# two intervals after the stats: the header has every page
	sleep 2.5
	tm capture-pane -p -t t >"$O/tui.screen"
	n=0
	until [ -s "$O/tui.exit" ] || [ $n -ge 200 ]; do sleep 0.1; n=$((n + 1)); done
	tm capture-pane -p -t t >"$O/tui.final"
	tklost=$(rel_kernel_lost "$O/tui.stats")
	is "$(cat "$O/tui.exit")" "EXIT=0" "TUI: exit status"
	[ "${tklost:-0}" -gt 0 ]
	ok $? "TUI: the buffer overflows (kernel: $tklost lost)"
	like "$(sed -n 2p "$O/tui.screen")" "lost $tklost \([0-9.]+%\)" \
		"TUI: the header shows the instance's lost events ($tklost)"
	like "$(grep 'summary' "$O/tui.final")" "lost $tklost$" \
		"TUI: the summary after the run says the same"
	tm kill-server 2>/dev/null
else
	skip "TUI header" "tmux is not installed"
fi

# 3. a recording (a smaller buffer: recording keeps up better)
"$RECVTOP" record --no-kallsyms --direction rx --no-uprobes --buffer-kb 8 -o "$O/rec.dat" -- \
	sh "$(flood_script rec)" >"$O/rec.out" 2>"$O/rec.err"
is "$?" 0 "record: exit status"
rklost=$(rel_kernel_lost "$O/rec.stats")
[ "${rklost:-0}" -gt 0 ]
ok $? "record: the buffer overflows (kernel: $rklost lost)"
like "$(tail -n 1 "$O/rec.err")" "^recvtop: recorded [0-9]+ events \($rklost lost\)" \
	"record: the final line gives the instance's lost events"
"$RECVTOP" report --json -i "$O/rec.dat" >"$O/rec.json" 2>"$O/rec.json.err"
is "$?" 0 "report: exit status"
for key in lost lost_kernel lost_pages; do
	is "$($RTCHECK summary "$O/rec.json" $key)" "$rklost" \
		"report: summary \"$key\" equals the stats recvtop read while recording"
done
is "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["lost"])' "$O/rec.json")" \
	"$rklost" "report: the file line's lost equals them too"
is "$(trace-cmd report --stat -i "$O/rec.dat" 2>/dev/null | rel_kernel_lost /dev/stdin)" \
	"$rklost" "trace-cmd report --stat: the file's per-CPU stats say the same"
check_calls report "$O/rec.exp" "$O/rec.json" "$rklost"
rm -f "$O/rec.dat"
done_testing
