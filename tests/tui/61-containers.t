#!/bin/bash
# The TUI's containers, driven through tmux against live traffic: rtgen
# runs in two fake containers (a docker scope and a cri-containerd scope
# made under the cgroup v2 hierarchy, found from /proc/self/mountinfo) and
# rtmem in the second.  The Containers view (5) shows both with exactly
# the generators' bytes and the host row; sorting by CONTAINER orders the
# rows there and in the Processes view; Enter on a container shows exactly
# its processes with the container in the header, Backspace goes back to
# its row; the Memory readers view shows reader and target containers.
# The cgroups are removed by the trap, also when a check fails.
. "$RT_TOP/tests/lib/rt.sh"
need_root "tui containers"
ensure_tracefs
O="$RT_OUT/tui-containers"
mkdir -p "$O"
if ! command -v tmux >/dev/null 2>&1; then
	skip "tui containers" "tmux is not installed"
	done_testing
	exit 0
fi
V2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	    if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
if [ -z "$V2" ] || [ ! -w "$V2/cgroup.procs" ]; then
	skip "tui containers" "no writable cgroup v2 hierarchy"
	done_testing
	exit 0
fi

. "$RT_TOP/tests/lib/tmux.sh"

hex64() {	# hex64 FIRST_DIGIT: 64 hex digits starting with it
	printf '%s%s' "$1" "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n' |
		cut -c2-64)"
}
IDA=$(hex64 1)
IDB=$(hex64 e)
SA=${IDA:0:12}
SB=${IDB:0:12}
TOPA="$V2/rt-tui-$$.slice"
CGA="$TOPA/docker-$IDA.scope"
TOPB="$V2/kubepods-rttui$$.slice"
CGB="$TOPB/cri-containerd-$IDB.scope"

cg_remove() {	# cg_remove DIR...: its processes back to the root, then rmdir
	local d p
	for d in "$@"; do
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			echo "$p" >"$V2/cgroup.procs" 2>/dev/null
		done
		rmdir "$d" 2>/dev/null
	done
}

cleanup() {
	tmux_cleanup
	cleanup_all
	cg_remove "$CGA" "$TOPA" "$CGB" "$TOPB"
}
trap cleanup EXIT

mkdir -p "$CGA" "$CGB"
ok $? "two fake containers under $V2"

# a command in a cgroup: the shell moves itself there, then execs
in_cg() {	# in_cg CGROUP COMMAND ARGS...
	local cg=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

expect_sum() {	# expect_sum FILE KEY: the sum over its processes
	python3 -c 'import json,sys
print(sum(p[sys.argv[2]] for p in json.load(open(sys.argv[1]))["processes"]))' "$@"
}
expect_pids() {	# expect_pids FILE: its processes' pids, sorted
	python3 -c 'import json,sys
print(" ".join(sorted(str(p["pid"]) for p in json.load(open(sys.argv[1]))["processes"])))' "$@"
}

# 140x40: every column of the Containers view fits
if ! COLS=140 ROWS=40 tmux_start main -d 0.5 || ! rt_wait_started "$TUI_PID" ||
   ! wait_screen "PID +COMM" 100; then
	fail "TUI started in tmux"
	screen | sed 's/^/# /'
	done_testing
	exit 1
fi
pass "TUI started in a 140x40 tmux pane"

in_cg "$CGA" "$RT_TOOLS/rtgen" --scenarios udp4,tcp --count 300 \
	--hold-ms 600 --expect "$O/a.json" >/dev/null 2>"$O/a.gen.err"
ok $? "rtgen udp4,tcp in container $SA"
in_cg "$CGB" "$RT_TOOLS/rtgen" --scenarios udp6 --count 500 --size 100 \
	--hold-ms 600 --expect "$O/b.json" >/dev/null 2>"$O/b.gen.err"
ok $? "rtgen udp6 in container $SB"
A_CALLS=$(expect_sum "$O/a.json" calls)
A_BYTES=$(expect_sum "$O/a.json" bytes)
B_CALLS=$(expect_sum "$O/b.json" calls)
B_BYTES=$(expect_sum "$O/b.json" bytes)
A_PIDS=$(expect_pids "$O/a.json")
B_PIDS=$(expect_pids "$O/b.json")
is "$A_CALLS $A_BYTES $B_CALLS $B_BYTES" "600 38400 500 50000" \
	"the generators' numbers"

# ---- the Containers view ----

row() { screen | awk -v c="$1" '$1 == c'; }
tm send-keys -t t 5
wait_screen "CONTAINER.? +KIND +STATE +PROCS"
ok $? "5: the Containers view"
like "$(screen | sed -n 3p)" "5 Containers" "the tab of view 5"
# CONTAINER KIND STATE PROCS CALLS/s BYTES/s TXCALLS/s TXBYTES/s ERR/s CALLS
# BYTES TXCALLS TXBYTES
wait_screen "^$SA +container .* $A_CALLS +$A_BYTES +[0-9]+ +[0-9]+ *$" 60
got=$(row "$SA" | awk '{ print $2, $3, $4, $(NF-3), $(NF-2), $(NF-1), $NF }')
# its processes: the two receivers and their two senders (rtg-send)
is "$got" "container running 4 $A_CALLS $A_BYTES 600 $A_BYTES" \
	"container $SA: 4 processes, calls and bytes received exact, the sends" ||
	screen | sed 's/^/# /'
wait_screen "^$SB +container .* $B_CALLS +$B_BYTES +[0-9]+ +[0-9]+ *$" 30
got=$(row "$SB" | awk '{ print $2, $3, $4, $(NF-3), $(NF-2), $(NF-1), $NF }')
is "$got" "container running 2 $B_CALLS $B_BYTES 500 $B_BYTES" \
	"container $SB: 2 processes, calls and bytes exact, the sends" ||
	screen | sed 's/^/# /'
like "$(row -)" "^- +host " "the host row"

# sorted by CONTAINER: the host, then the ids in order
conts_order() {
	screen | awk -v a="$SA" -v b="$SB" \
		'NR > 4 && ($1 == a || $1 == b || $1 == "-") { printf "%s ", $1 }'
}
tm send-keys -t t C
wait_screen "CONTAINER▲"
is "$(conts_order)" "- $SA $SB " "C: by container, ascending"
tm send-keys -t t C
wait_screen "CONTAINER▼"
is "$(conts_order)" "$SB $SA - " "C again: descending"

# ---- Enter: the processes of a container ----

tm send-keys -t t /
tm send-keys -t t -l "$SA"
tm send-keys -t t Enter
wait_screen "filter /$SA"
tm send-keys -t t Home Enter
wait_screen "filter container $SA"
ok $? "Enter: the header names the container"
wait_screen "PID +COMM +CONTAINER"
procs() {	# the receivers' pids of the Processes view's rows
	screen | awk 'NR > 4 && $1 ~ /^[0-9]+$/ && $2 != "rtg-send" { print $1 }' |
		sort | xargs
}
senders() {	# how many senders the Processes view shows
	screen | awk 'NR > 4 && $1 ~ /^[0-9]+$/ && $2 == "rtg-send"' | wc -l
}
is "$(procs) + $(senders)" "$A_PIDS + 2" \
	"the drill-down lists exactly $SA's processes: its receivers, 2 senders" ||
	screen | sed 's/^/# /'
is "$(screen | awk 'NR > 4 && $1 ~ /^[0-9]+$/ && $3 != c' c="$SA")" "" \
	"every row shows container $SA"
tm send-keys -t t BSpace
wait_screen "CONTAINER.? +KIND +STATE +PROCS"
ok $? "Backspace: back to the Containers view"
like "$(screen | sed -n 2p)" "filter /$SA" "the filter before is back"
tm send-keys -t t Escape
tm send-keys -t t /
tm send-keys -t t -l "$SB"
tm send-keys -t t Enter Home Enter
wait_screen "filter container $SB"
is "$(procs) + $(senders)" "$B_PIDS + 1" \
	"Enter on $SB: exactly its processes (a receiver, a sender)"
tm send-keys -t t Escape
wait_screen "CONTAINER.? +KIND +STATE +PROCS"
ok $? "Esc also goes back"
tm send-keys -t t Escape

# ---- the Processes view sorted by container ----

tm send-keys -t t 1
wait_screen "PID +COMM +CONTAINER"
tm send-keys -t t C
wait_screen "CONTAINER▲"
like "$(screen | sed -n 5p)" "^ *[0-9]+ .* - " \
	"1, C: the host's processes (-) first" || screen | sed 's/^/# /'
tm send-keys -t t C
wait_screen "CONTAINER▼"
# the host has more processes than lines: ours come first now, each
# container's rows by pid
ours=$(screen | sed -n '5,10p' | awk '{ printf "%s ", $3 }')
is "$ours" "$SB $SB $SA $SA $SA $SA " \
	"C again: descending by container ($SB's 2 rows, then $SA's 4)" ||
	screen | sed 's/^/# /'
screen | sed -n '5,10p' | awk '$3 == c && $1 <= last { bad = 1 }
	{ c = $3; last = $1 } END { exit bad }'
ok $? "ties by pid within each container"

# ---- memory readers in a container ----

in_cg "$CGB" "$RT_TOOLS/rtmem" --reads 20 --writes 0 --peeks 0 \
	--hold-ms 300 --expect "$O/m.json" >/dev/null 2>"$O/m.err"
ok $? "rtmem in container $SB"
RD=$(python3 -c 'import json,sys
r = [r for r in json.load(open(sys.argv[1]))["readers"]
     if r["via"] == "process_vm_readv"][0]
print(r["reader_pid"], r["target_pid"], r["count"])' "$O/m.json")
set -- $RD
tm send-keys -t t 4
wait_screen "READER +COMM +RCONT +TARGET +TCOMM +TCONT"
ok $? "4: the readers view has RCONT and TCONT"
wait_screen "^ *$1 .* $2 .*vm_readv +$3 " 30
like "$(screen | awk -v r="$1" -v t="$2" '$1 == r && $4 == t && $7 ~ /readv/')" \
	"^ *$1 +[^ ]+ +$SB +$2 +[^ ]+ +$SB +(vm_readv|process_vm_readv) +$3 " \
	"reader and target in $SB, the count exact" || screen | sed 's/^/# /'

# ---- a container stops (its scope removed), then starts again ----

tm send-keys -t t 5
wait_screen "CONTAINER.? +KIND +STATE +PROCS"
for i in $(seq 100); do
	rmdir "$CGB" 2>/dev/null && break
	sleep 0.02
done
[ ! -d "$CGB" ]
ok $? "the scope of $SB is removed"
wait_screen "^$SB +container +stopped " 30
ok $? "STATE: $SB is stopped" || screen | sed 's/^/# /'
like "$(row "$SA")" "^$SA +container +running " "$SA still runs"
tm send-keys -t t S
wait_screen "STATE▲"
is "$(conts_order)" "- $SA $SB " "S: by state (the host, running, stopped)"
mkdir "$CGB"
wait_screen "^$SB +container +running " 30
ok $? "STATE: $SB runs again once its scope is made again" ||
	screen | sed 's/^/# /'

tm send-keys -t t q
check_terminal main 0 "q"
check_clean "$TUI_PID" "q"
TUI_PID=""
is "$(cat "$O/main.err")" "" "nothing on stderr (ASan quiet too)"

# ---- a replay shows the same containers ----

"$RECVTOP" record -o "$O/rec.dat" -- sh -c '
	echo $$ >"$1/cgroup.procs" &&
	"$3" --scenarios udp4,tcp --count 300 --hold-ms 600 \
		--expect "$4/ra.json" >/dev/null &&
	echo $$ >"$2/cgroup.procs" &&
	"$3" --scenarios udp6 --count 500 --size 100 --hold-ms 600 \
		--expect "$4/rb.json" >/dev/null' sh "$CGA" "$CGB" \
	"$RT_TOOLS/rtgen" "$O" >"$O/rec.out" 2>"$O/rec.err"
is "$?" 0 "a recording of rtgen in $SA, then in $SB"
if ! COLS=120 ROWS=40 tmux_start replay top -i "$O/rec.dat" --speed max ||
   ! wait_screen "PID +COMM" 100; then
	fail "the replay TUI started"
	screen | sed 's/^/# /'
else
	wait_screen "^recvtop .* end " 100
	tm send-keys -t t 5
	wait_screen "CONTAINER.? +KIND +PROCS"
	got=$(row "$SA" | awk '{ print $2, $(NF-3), $(NF-2) }')
	is "$got" "container $A_CALLS $A_BYTES" \
		"replay: container $SA's calls and bytes as live" ||
		screen | sed 's/^/# /'
	got=$(row "$SB" | awk '{ print $2, $(NF-3), $(NF-2) }')
	is "$got" "container $B_CALLS $B_BYTES" \
		"replay: container $SB's calls and bytes as live" ||
		screen | sed 's/^/# /'
	tm send-keys -t t 1
	wait_screen "PID +COMM +CONTAINER"
	ok $? "replay: the Processes view has the CONTAINER column"
	tm send-keys -t t q
	check_terminal replay 0 "q in the replay"
	is "$(cat "$O/replay.err")" "" "replay: nothing on stderr"
fi

# ---- --container: the header names the filter, the view holds only it ----

if ! COLS=120 ROWS=40 tmux_start replayf top -i "$O/rec.dat" --speed max \
	--container "$SA" || ! wait_screen "PID +COMM" 100; then
	fail "the replay TUI with --container started"
	screen | sed 's/^/# /'
else
	wait_screen "^recvtop .* end " 100
	like "$(screen | sed -n 2p)" "filter --container $SA" \
		"--container $SA: the header names the filter" ||
		screen | sed 's/^/# /'
	tm send-keys -t t 5
	wait_screen "CONTAINER.? +KIND +PROCS"
	got=$(row "$SA" | awk '{ print $2, $(NF-3), $(NF-2) }')
	is "$got" "container $A_CALLS $A_BYTES" \
		"--container $SA: its calls and bytes as live" ||
		screen | sed 's/^/# /'
	is "$(row "$SB")" "" "--container $SA: $SB has no row"
	tm send-keys -t t q
	check_terminal replayf 0 "q in the filtered replay"
	is "$(cat "$O/replayf.err")" "" "filtered replay: nothing on stderr"
fi

done_testing
