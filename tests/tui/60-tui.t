#!/bin/bash
# The live TUI, driven through tmux (send-keys, capture-pane) against live
# traffic from the generator: exact totals in the Processes view, sorting,
# the incremental filter, help, pause, delay, reset, the drill-down, resize
# to 40x10 and back, and q / SIGTERM / an abort leaving the terminal sane
# (stty settings, cursor, normal screen) and tracefs clean.
. "$RT_TOP/tests/lib/rt.sh"
need_root "tui"
ensure_tracefs
O="$RT_OUT/tui"
mkdir -p "$O"
if ! command -v tmux >/dev/null 2>&1; then
	skip "tui" "tmux is not installed"
	done_testing
	exit 0
fi

. "$RT_TOP/tests/lib/tmux.sh"

cleanup() {
	tmux_cleanup
	cleanup_all
}
trap cleanup EXIT

# the TUI of a live run: wait for its instance and its first table
start_tui() {	# start_tui NAME ARGS...
	tmux_start "$@" && rt_wait_started "$TUI_PID" &&
		wait_screen "PID +COMM" 100
}

# after the run: exit status, terminal state, tracefs
check_exit() {	# check_exit NAME WANT_STATUS_REGEX WHAT
	check_terminal "$1" "$2" "$3"
	check_clean "$TUI_PID" "$3"
	TUI_PID=""
}

expect_of() {	# expect_of FILE SCENARIO KEY
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([p for p in d["processes"] if p["scenario"] == sys.argv[2]][0][sys.argv[3]])' "$@"
}

# ---- the Processes view against the generator ----

# 50 lines: other processes on this host may receive too, ours must show
if ! ROWS=50 start_tui main -d 0.5; then
	fail "TUI started in tmux"
	screen | sed 's/^/# /'
	done_testing
	exit 1
fi
pass "TUI started in an 80x50 tmux pane"
like "$(screen | head -n 1)" "^recvtop +(tracepoint|kprobe|sock) " \
	"header: recvtop and the backend"
like "$(screen | sed -n 2p)" "^events .*lost [0-9]" "header: events and lost"

# --hold-ms: the processes stay until recvtop has seen them (their names)
"$RT_TOOLS/rtgen" --scenarios udp4,tcp,eagain --count 400 --hold-ms 400 \
	--expect "$O/a.json" >/dev/null 2>"$O/a.gen.err"
"$RT_TOOLS/rtgen" --scenarios udp6 --count 900 --size 100 --hold-ms 400 \
	--expect "$O/b.json" >/dev/null 2>"$O/b.gen.err"
U4=$(expect_of "$O/a.json" udp4 pid)
TCP=$(expect_of "$O/a.json" tcp pid)
EAG=$(expect_of "$O/a.json" eagain pid)
U6=$(expect_of "$O/b.json" udp6 pid)

# totals arrive with the interval after the generator ended
wait_screen "^ *$U6 rtg-udp6 .* 900 +90000 *$" 60
ok $? "rtg-udp6 row appears with its totals"
for s in udp4 tcp eagain; do
	f=$O/a.json
	pid=$(expect_of "$f" $s pid)
	want="$(expect_of "$f" $s calls) $(expect_of "$f" $s bytes)"
	got=$(row_of "$pid" | awk '{print $(NF-1), $NF}')
	is "$got" "$want" "rtg-$s ($pid): total calls and bytes exact"
done
got=$(row_of "$U6" | awk '{print $2, $(NF-1), $NF}')
is "$got" "rtg-udp6 900 90000" "rtg-udp6 ($U6): comm, calls, bytes exact"
like "$(row_of "$EAG")" "^ *$EAG rtg-eagain +0 +0 +0 +- +400 +0$" \
	"rtg-eagain: idle rates, no latency this interval, 400 calls, 0 bytes"

# ---- sorting ----

# our processes by pid (the order of ties)
BYPID=$(printf '%s rtg-udp4\n%s rtg-tcp\n%s rtg-eagain\n' "$U4" "$TCP" "$EAG" |
	sort -n | awk '{ printf "%s ", $2 }')
BYPID_BYTES=$(printf '%s rtg-udp4\n%s rtg-tcp\n' "$U4" "$TCP" |
	sort -n | awk '{ printf "%s ", $2 }')

# the order of our four processes as they appear on the screen
order() {
	screen | awk -v a="$U4" -v b="$TCP" -v c="$EAG" -v d="$U6" \
		'$1 == a || $1 == b || $1 == c || $1 == d { printf "%s ", $2 }'
}
tm send-keys -t t t
wait_screen "CALLS▼"
is "$(order)" "rtg-udp6 $BYPID" \
	"t: by total calls (900 first, then the 400s by pid)" ||
	screen | sed 's/^/# /'
tm send-keys -t t n
wait_screen "COMM▲"
is "$(order)" "rtg-eagain rtg-tcp rtg-udp4 rtg-udp6 " "n: by name"
tm send-keys -t t n
wait_screen "COMM▼"
is "$(order)" "rtg-udp6 rtg-udp4 rtg-tcp rtg-eagain " "n again: name reversed"
tm send-keys -t t T
wait_screen "BYTES▼"
is "$(order)" "rtg-udp6 ${BYPID_BYTES}rtg-eagain " \
	"T: by total bytes (90000, the 25600s by pid, 0)"
tm send-keys -t t '<'
wait_screen "CALLS▼"
is "$(order)" "rtg-udp6 $BYPID" "<: one column left"

# ---- the incremental filter ----

tm send-keys -t t /
tm send-keys -t t -l "rtg-udp"
wait_screen "filter \(comm, pid, address\): rtg-udp"
ok $? "/ opens the filter prompt and echoes the text"
is "$(order)" "rtg-udp6 rtg-udp4 " "filter rtg-udp: only the udp rows" ||
	screen | sed 's/^/# /'
screen | awk 'NR > 4 && NF > 5 && $2 !~ /rtg-udp/ { bad = 1 } END { exit bad }'
ok $? "filter: no row without rtg-udp in its name"
tm send-keys -t t Enter
wait_screen "filter /rtg-udp"
ok $? "Enter keeps the filter (shown in the header)"
tm send-keys -t t /
tm send-keys -t t C-u
tm send-keys -t t -l "$TCP"
sleep 0.5
is "$(order)" "rtg-tcp " "filter on a pid: that process"
tm send-keys -t t Escape
sleep 0.5
is "$(order)" "rtg-udp6 rtg-udp4 " "Esc in the prompt: the filter before"
tm send-keys -t t Escape
wait_screen "rtg-eagain"
is "$(order)" "rtg-udp6 $BYPID" "Esc clears the filter"

# ---- help ----

tm send-keys -t t '?'
wait_screen "^Sorting"
ok $? "? opens the help"
like "$(screen)" "< >  F6 +move the sort column" "help lists the keys"
tm send-keys -t t x
wait_screen "PID +COMM"
ok $? "any key closes the help"
tm send-keys -t t F1
wait_screen "^Views"
ok $? "F1 opens the help"
tm send-keys -t t Escape
wait_screen "PID +COMM"
ok $? "Esc closes it"

# ---- views ----

tm send-keys -t t 3
wait_screen "PID +FD +PROTO +VIA +COMM"
# every socket of the host has a row: the generator's, filtered by its pid
tm send-keys -t t /
tm send-keys -t t -l "$U6"
tm send-keys -t t Enter
wait_screen "^ *$U6 " 30
like "$(screen | awk -v p="$U6" '$1 == p')" "^ *$U6 +[0-9]+ +(udp|-) +recvfrom +rtg-udp6 .* 900 +90000( +[0-9a-f]{16})? *$" \
	"3: Sockets view, the udp6 socket: fd, udp, recvfrom, its totals"
tm send-keys -t t Escape
wait_screen "PID +FD +PROTO +VIA +COMM"
tm send-keys -t t 2
wait_screen "Sender addresses are not visible|ADDRESS"
# senders from kprobes, else from the libc uprobes where the kernel has them
if [ ! -e /sys/kernel/tracing/kprobe_events ] &&
   ! "$RECVTOP" probes 2>/dev/null | grep -q '^sender addresses from libc uprobes (source user)'; then
	like "$(screen)" "Sender addresses (\(UDP\) )?are not visible on the (tracepoint|sock) backend: they need kprobes" \
		"2: Peers view says in one line why sender addresses are missing"
else
	like "$(screen)" "127\.0\.0\.1" "2: Peers view shows the loopback sender"
fi
"$RT_TOOLS/rtmem" --reads 50 --writes 7 --peeks 5 --denied 3 --hold-ms 300 \
	--expect "$O/m.json" >/dev/null 2>"$O/m.err"
tm send-keys -t t 4
wait_screen "READER +COMM"
ok $? "4: Memory readers view"
# the rows this backend sees (tracepoint: process_vm_* and ptrace)
python3 - "$O/m.json" >"$O/m.want" <<'PY'
import json, sys
short = {"process_vm_readv": "vm_readv", "process_vm_writev": "vm_writev",
         "ptrace": "ptrace"}
for r in json.load(open(sys.argv[1]))["readers"]:
    if r["via"] in short:
        print(r["reader_pid"], r["target_pid"], short[r["via"]], r["count"],
              r["denied"])
PY
[ "$(wc -l <"$O/m.want")" -ge 4 ]
ok $? "rtmem made the rows to look for ($(wc -l <"$O/m.want"))"
wait_screen "^ *$(awk 'NR == 1 { print $1 }' "$O/m.want") " 30
got=$(screen | awk 'NF >= 7 && $1 ~ /^[0-9]+$/ { print $1, $3, $5, $6, $7 }' |
	sort)
missing=$(sort "$O/m.want" | comm -23 - <(echo "$got"))
is "$missing" "" "4: every reader row of rtmem with exact count and denied" ||
	screen | sed 's/^/# /'
tm send-keys -t t Tab
wait_screen "CONTAINER.? +KIND +CALLS/s"
ok $? "Tab: 5 Containers"
like "$(screen | awk '$1 == "-"')" "^- +host " "5: the host's row"
tm send-keys -t t Tab
wait_screen "PID +COMM +CALLS"
ok $? "Tab goes round to Processes"

# ---- drill-down ----

tm send-keys -t t /
tm send-keys -t t -l "$U6"
tm send-keys -t t Enter
wait_screen "filter /$U6"
tm send-keys -t t Home Enter
wait_screen "^Process $U6 \(rtg-udp6\)"
ok $? "Enter opens the details of the selected row"
like "$(screen | sed -n 2p)" "^calls 900 .*bytes 90000" "details: the row's totals"
like "$(screen | sed -n 3p)" "latency .*n=900 " "details: a histogram of its 900 calls"
like "$(screen)" "TIME CPU +PID +TID EVENT" "details: the raw events header"
tm send-keys -t t Escape
wait_screen "PID +COMM"
ok $? "Esc goes back to the table"
tm send-keys -t t Escape
wait_screen "rtg-eagain"

# ---- pause, delay, reset ----

tm send-keys -t t p
wait_screen "PAUSED"
ok $? "p pauses (header says so)"
"$RT_TOOLS/rtgen" --scenarios udp4 --count 333 --hold-ms 400 \
	--expect "$O/c.json" \
	>/dev/null 2>&1
C4=$(expect_of "$O/c.json" udp4 pid)
sleep 1.5
is "$(row_of "$C4")" "" "paused: new traffic is not shown"
tm send-keys -t t ' '
wait_screen "^ *$C4 rtg-udp4 .* 333 +21312 *$" 50
ok $? "space resumes: the traffic counted while paused is there"
tm send-keys -t t d
wait_screen "delay in seconds"
tm send-keys -t t -l "0.25"
tm send-keys -t t Enter
wait_screen "^recvtop .*delay 0\.25s"
ok $? "d: the delay changes to 0.25 s"
tm send-keys -t t r
sleep 1.5
is "$(row_of "$U6")" "" "r: totals reset, the finished processes are gone"

# ---- resize to 40x10 and back ----

tm resize-window -t t -x 40 -y 10
wait_screen "^ +PID +COMM +CALLS/s +BYTES/s *$" 50
ok $? "40x10: the table keeps pid, comm, calls/s, bytes/s"
is "$(screen | awk 'length > 40' | wc -l)" 0 "40x10: no line is wider"
like "$(screen | head -n 1)" "^recvtop" "40x10: header still there"
tm resize-window -t t -x 80 -y 24
wait_screen "CALLS.? +BYTES *$" 50
ok $? "80x24: the total columns are back"
is "$(screen | wc -l)" 24 "80x24: the screen fills 24 lines"

# ---- q ----

tm send-keys -t t q
check_exit main 0 "q"
is "$(cat "$O/main.err")" "" "q: nothing on stderr (ASan quiet too)"

# ---- SIGTERM ----

if start_tui term -d 0.5; then
	kill -TERM "$TUI_PID"
	check_exit term 0 "SIGTERM"
else
	fail "second TUI started"
	screen | sed 's/^/# /'
fi

# ---- a second signal aborts while the TUI owns the terminal ----

if start_tui abort -d 0.5; then
	# whichever of the two comes second aborts: 128 + its number
	kill -INT "$TUI_PID"
	kill -TERM "$TUI_PID"
	check_exit abort "130|143" "abort (second signal)"
	like "$(cat "$O/abort.err")" "aborted" "abort: says so on stderr"
else
	fail "third TUI started"
	screen | sed 's/^/# /'
fi

# ---- no terminal: batch ----

out=$("$RECVTOP" -d 0.2 -n 2 2>&1 | head -n 1)
like "$out" "^recvtop +interval 1 " "stdout not a terminal: batch text"

done_testing
