#!/bin/bash
# The man pages and recvtop's own help: every page renders without a
# warning (groff -ww, man -l, mandoc -Tlint when installed) and has the
# sections a man page needs; --help of every command is short, exits 0 and
# lists exactly the options its man page lists (and the reverse); every
# key of the TUI's help screen is in recvtop(1); every JSON key a live run
# and a report print is described, and every metric name a live recvtop
# export serves; --version and the pages' version agree
# with include/recvtop/version.h.
. "$RT_TOP/tests/lib/rt.sh"
O="$RT_OUT/eco-man"
rm -rf "$O"
mkdir -p "$O"
MAN="$RT_TOP/man"
SYNC="python3 $RT_TOP/tests/eco/mansync.py"
pages="recvtop recvtop-record recvtop-report recvtop-export"
cmds="top record report reset probes export"
version=$(sed -n 's/^#define RT_VERSION "\(.*\)"/\1/p' "$RT_TOP/include/recvtop/version.h")
PIDS=""

cleanup() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ "$(id -u)" = 0 ] && cleanup_all
	rm -rf "$O/tmp"
}
trap cleanup EXIT

# ---- --help and --version ----

for c in $cmds; do
	"$RECVTOP" "$c" --help >"$O/help.$c" 2>"$O/help.$c.err"
	is "$?:$(cat "$O/help.$c.err")" "0:" "recvtop $c --help: exit 0, nothing on stderr"
	like "$(head -n 1 "$O/help.$c")" "^usage: recvtop( \[top\])? ?$c|^usage: recvtop \[top\]" \
		"recvtop $c --help: starts with its usage"
	is "$(awk 'length($0) > 80' "$O/help.$c")" "" "recvtop $c --help: no line longer than 80 columns"
	is "$(grep -c -- '-h, --help' "$O/help.$c"):$(grep -c -- '-V, --version' "$O/help.$c")" \
		"1:1" "recvtop $c --help: lists -h and -V"
	is "$("$RECVTOP" "$c" --version 2>&1; echo "rc=$?")" "recvtop $version
rc=0" "recvtop $c --version: 'recvtop $version', exit 0"
	is "$("$RECVTOP" "$c" -V 2>&1)" "recvtop $version" "recvtop $c -V: the same"
	is "$("$RECVTOP" "$c" -h 2>&1)" "$(cat "$O/help.$c")" "recvtop $c -h: the same as --help"
done
is "$("$RECVTOP" --help 2>&1)" "$(cat "$O/help.top")" "recvtop --help is recvtop top --help"
is "$("$RECVTOP" help 2>&1)" "$(cat "$O/help.top")" "recvtop help is recvtop --help"
is "$("$RECVTOP" --version 2>&1)" "recvtop $version" "recvtop --version: 'recvtop $version'"
is "$(sed -n '/^commands:/,/^$/p' "$O/help.top" | awk 'NF && !/:$/ { print $1 }' | tr '\n' ' ')" \
	"top record report reset probes export " "recvtop --help lists every command"
"$RECVTOP" record --bogus >/dev/null 2>"$O/bogus.err"
is "$?" 2 "an unknown option: exit 2"
like "$(cat "$O/bogus.err")" "try --help" "an unknown option points to --help"

# ---- README ----

readme="$RT_TOP/README.md"
grep -qxF 'scripts/install-deps.sh && ./configure && make && ./recvtop' "$readme" &&
	grep -qxF 'scripts/install-deps.sh && ./configure && make check' "$readme"
ok $? "README: the two quick-start commands, as CI runs them"
missing=""
for img in $(sed -n 's/.*](\(docs\/[^)]*\)).*/\1/p' "$readme"); do
	[ -s "$RT_TOP/$img" ] || missing="$missing $img"
done
is "$missing" "" "README: the screenshots it shows exist ($(sed -n 's/.*](\(docs\/[^)]*\)).*/\1/p' "$readme" | tr '\n' ' '))"
is "$(grep -c '](docs/.*\.png)' "$readme")" 2 "README: shows the TUI and the KernelShark screenshots"

# the rest reads the pages as groff renders them
if ! command -v groff >/dev/null 2>&1; then
	skip "man pages: rendering, options, keys and JSON keys against the code" \
		"groff is not installed (apt-get install groff-base)"
	done_testing
	exit
fi

# ---- the pages render cleanly ----

for p in $pages; do
	f="$MAN/$p.1"
	if [ ! -f "$f" ]; then
		fail "$p.1 exists"
		continue
	fi
	out=$(groff -ww -z -man "$f" 2>&1)
	is "$?:$out" "0:" "$p.1: groff -ww -z -man says nothing"
	# plain text, wide lines, for the checks below
	groff -man -Tascii -rLL=200n -P-cbou "$f" >"$O/$p.txt" 2>/dev/null
	if command -v man >/dev/null 2>&1; then
		MAN_KEEP_STDERR=1 MANWIDTH=80 man --warnings=all -l "$f" \
			>"$O/$p.man" 2>"$O/$p.man.err"
		is "$?:$(cat "$O/$p.man.err")" "0:" "$p.1: man -l renders it without a warning"
		like "$(head -n 5 "$O/$p.man")" "^NAME" "$p.1: man -l shows NAME first"
		is "$(awk 'length($0) > 80' "$O/$p.man" | head -n 3)" "" \
			"$p.1: no line of man -l at 80 columns is longer"
	else
		skip "$p.1: man -l" "man-db is not installed"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		out=$(mandoc -Tlint "$f" 2>&1)
		is "$?:$out" "0:" "$p.1: mandoc -Tlint says nothing"
	else
		skip "$p.1: mandoc -Tlint" "mandoc is not installed"
	fi
	missing=""
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES \
		 EXAMPLES "SEE ALSO"; do
		grep -qx "$s" "$O/$p.txt" || missing="$missing '$s'"
	done
	is "$missing" "" "$p.1: has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, FILES, EXAMPLES, SEE ALSO"
	$SYNC words "$O/$p.txt" "SEE ALSO" "trace-cmd(1)" "kernelshark(1)" "perf-trace(1)" >"$O/$p.seealso"
	ok $? "$p.1: SEE ALSO names trace-cmd(1), kernelshark(1), perf-trace(1)$(sed 's/^/; /' "$O/$p.seealso" | tr -d '\n')"
	is "$(sed -n 's/^\.TH [^ ]* 1 [^ ]* "recvtop \([^"]*\)".*/\1/p' "$f")" \
		"$version" "$p.1: .TH carries version $version"
done
like "$(sed -n '/^NAME/,/^SYNOPSIS/p' "$O/recvtop-record.txt")" "recvtop-record -" \
	"recvtop-record(1): NAME is recvtop-record"
like "$(sed -n '/^NAME/,/^SYNOPSIS/p' "$O/recvtop-export.txt")" "recvtop-export -" \
	"recvtop-export(1): NAME is recvtop-export"

# ---- --help and the man pages list the same options ----

check_opts() {	# check_opts CMD PAGE SECTION [SUBSECTION]
	local c=$1 page=$2
	shift 2
	$SYNC options "$O/$page.txt" "$@" "$O/help.$c" >"$O/sync.$c" 2>&1
	ok $? "recvtop $c: --help and $page(1) list the same options$(sed 's/^/; /' "$O/sync.$c" | tr -d '\n')"
}
check_opts top recvtop OPTIONS "recvtop top"
check_opts reset recvtop OPTIONS "recvtop reset"
check_opts probes recvtop OPTIONS "recvtop probes"
check_opts record recvtop-record OPTIONS
check_opts report recvtop-report OPTIONS
check_opts export recvtop-export OPTIONS
# every command in recvtop(1)
$SYNC words "$O/recvtop.txt" COMMANDS $cmds help >"$O/commands" 2>&1
ok $? "recvtop(1) describes every command$(sed 's/^/; /' "$O/commands" | tr -d '\n')"
$SYNC words "$O/recvtop.txt" "SEE ALSO" "recvtop-record(1)" "recvtop-report(1)" \
	"recvtop-export(1)" >"$O/xref" 2>&1
ok $? "recvtop(1) refers to recvtop-record(1), recvtop-report(1) and recvtop-export(1)$(sed 's/^/; /' "$O/xref" | tr -d '\n')"

# ---- the TUI's keys ----

srcs=$(ls "$RT_TOP"/src/tui/*.c)
# shellcheck disable=SC2086
$SYNC keys live "$O/recvtop.txt" $srcs >"$O/keys.live" 2>&1
ok $? "every key of the TUI's help screen is in recvtop(1) LIVE VIEW, Keys$(sed 's/^/; /' "$O/keys.live" | tr -d '\n')"
# shellcheck disable=SC2086
$SYNC keys replay "$O/recvtop.txt" $srcs >"$O/keys.replay" 2>&1
ok $? "every replay key of the TUI's help screen is in recvtop(1) REPLAY, Replay keys$(sed 's/^/; /' "$O/keys.replay" | tr -d '\n')"
grep -q "no replay keys" "$O/keys.replay" &&
	diag "the help screen lists no replay keys yet"

# ---- the JSON keys of a live run and of a report ----

json_keys() {	# json_keys FILE: every object key, once
	python3 -c 'import json, sys
keys = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
for line in open(sys.argv[1]):
    if line.strip():
        walk(json.loads(line))
print(" ".join(sorted(keys)))' "$1"
}

if [ "$(id -u)" != 0 ] || [ ! -x "$RT_TOOLS/rtgen" ] || [ ! -x "$RT_TOOLS/rtmem" ]; then
	skip "JSON keys of a live run and a report" "needs root and the generators (make check-build)"
	done_testing
	exit
fi
ensure_tracefs
mkdir -p "$O/tmp"
rt_bg "$O/live" --json -n 3 -d 0.5
PIDS="$RT_PID"
live_pid=$RT_PID
if rt_wait_started "$live_pid"; then
	"$RT_TOOLS/rtgen" --count 20 >/dev/null 2>&1
	"$RT_TOOLS/rtmem" --reads 3 --writes 1 >/dev/null 2>&1
fi
wait "$live_pid"
is "$?" 0 "live --json run: exit 0"
check_clean "$live_pid" "live --json run"
keys=$(json_keys "$O/live.out")
like "$keys" "reader_pid" "live --json run: has processes and readers to look at"
# shellcheck disable=SC2086
$SYNC words "$O/recvtop.txt" "JSON OUTPUT" $keys >"$O/keys.json" 2>&1
ok $? "recvtop(1) JSON OUTPUT describes every key of a live run ($(echo $keys | wc -w))$(sed 's/^/; /' "$O/keys.json" | tr -d '\n')"

"$RECVTOP" record -o "$O/tmp/r.dat" -- "$RT_TOOLS/rtgen" --count 20 \
	>"$O/rec.out" 2>"$O/rec.err" &
rec_pid=$!
PIDS="$PIDS $rec_pid"
wait "$rec_pid"
is "$?" 0 "record of the generator: exit 0"
check_clean "$rec_pid" "record"
"$RECVTOP" report -i "$O/tmp/r.dat" --json >"$O/report.json" 2>"$O/report.err"
is "$?" 0 "report --json: exit 0"
file_keys=$(head -n 1 "$O/report.json" >"$O/report.file.json" && json_keys "$O/report.file.json")
sum_keys=$(tail -n +2 "$O/report.json" >"$O/report.sum.json" && json_keys "$O/report.sum.json")
# shellcheck disable=SC2086
$SYNC words "$O/recvtop-report.txt" "JSON OUTPUT" $file_keys >"$O/keys.file" 2>&1
ok $? "recvtop-report(1) JSON OUTPUT describes every key of the file object ($(echo $file_keys | wc -w))$(sed 's/^/; /' "$O/keys.file" | tr -d '\n')"
# shellcheck disable=SC2086
$SYNC words "$O/recvtop.txt" "JSON OUTPUT" $sum_keys >"$O/keys.sum" 2>&1
ok $? "recvtop(1) JSON OUTPUT describes every key of a report's summary$(sed 's/^/; /' "$O/keys.sum" | tr -d '\n')"

# ---- the metric names of a live recvtop export ----

port=19446
"$RECVTOP" export --listen "127.0.0.1:$port" --labels via,peer -d 0.2 \
	>"$O/export.out" 2>"$O/export.err" &
exp_pid=$!
PIDS="$PIDS $exp_pid"
scraped=1
if rt_wait_started "$exp_pid"; then
	"$RT_TOOLS/rtgen" --count 5 >/dev/null 2>&1
	"$RT_TOOLS/rtmem" --reads 2 --writes 1 >/dev/null 2>&1
	for _ in $(seq 50); do
		sleep 0.2
		curl -sf "http://127.0.0.1:$port/metrics" -o "$O/export.prom" &&
			grep -q '^recvtop_receive_latency_seconds_bucket' "$O/export.prom" &&
			grep -q '^recvtop_memory_reads_total' "$O/export.prom" &&
			{ scraped=0; break; }
	done
fi
ok $scraped "recvtop export: a scrape with receives, latencies and memory readers"
kill -TERM "$exp_pid"
wait "$exp_pid"
is "$?" 0 "recvtop export: SIGTERM exits 0"
check_clean "$exp_pid" "recvtop export"
# the families (# TYPE) and the names of the samples
names=$(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p; s/^\([a-z_]*\)[{ ].*/\1/p' "$O/export.prom" | sort -u)
# shellcheck disable=SC2086
$SYNC words "$O/recvtop-export.txt" METRICS $names >"$O/metrics.names" 2>&1
ok $? "recvtop-export(1) METRICS describes every metric name of a scrape ($(echo $names | wc -w))$(sed 's/^/; /' "$O/metrics.names" | tr -d '\n')"
done_testing
