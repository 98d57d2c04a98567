#!/bin/bash
# Recorder cost: recvtop record vs trace-cmd record on the same workload.
#
#   bench/record/run.sh [-s SECONDS] [-p PROCS] [-b BUFFER_KB] [-n ROUNDS]
#
# Each round runs, for each file format (uncompressed, zstd), trace-cmd
# record and recvtop record with the same per-CPU buffer size, one after
# the other, each recording the same rtgen flood.  Both record system-wide
# the workload, given as their command (recvtop record -- CMD, trace-cmd
# record -F -c CMD: the kernel's event pid filter, children followed),
# then finish their file.  Measured per recording:
#   cpu      user+sys seconds of the recorder (trace-cmd: with its per-CPU
#            recorder processes), including writing the file: everything
#            minus the workload's own time (it runs under its own
#            /usr/bin/time)
#   events   events in the file (tests/tools/rtdat, the same reader for both)
#   lost     overrun + commit overrun + dropped from the file's per-CPU
#            stats (the kernel's own count, both tools store it)
#   cpu/M    cpu seconds per million recorded events
# Needs root, trace-cmd, and a build (BUILD=DIR, default build/; uses the
# plain recvtop binary and build/tools).  trace-cmd record runs through
# tests/lib/tc-record (private mount namespace, see there).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
if [ "$build" = "$top/build" ]; then RECVTOP=$top/recvtop; else RECVTOP=$build/recvtop; fi
RTGEN=$build/tools/rtgen
RTDAT=$build/tools/rtdat
TCREC=$top/tests/lib/tc-record
T=/sys/kernel/tracing
secs=5 procs=2 kb=4096 rounds=3
while getopts s:p:b:n: o; do
	case $o in
	s) secs=$OPTARG ;;
	p) procs=$OPTARG ;;
	b) kb=$OPTARG ;;
	n) rounds=$OPTARG ;;
	*) echo "usage: $0 [-s SECONDS] [-p PROCS] [-b BUFFER_KB] [-n ROUNDS]" >&2
	   exit 2 ;;
	esac
done
for x in "$RECVTOP" "$RTGEN" "$RTDAT"; do
	[ -x "$x" ] || { echo "$0: $x missing: make BUILD=${build#$top/} check-build" >&2; exit 1; }
done
command -v trace-cmd >/dev/null || { echo "$0: trace-cmd not installed" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 1; }

out=$(mktemp -d "${TMPDIR:-/tmp}/rt-bench-record.XXXXXX")
cleanup() {
	"$RECVTOP" reset >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT

stats_lost() {	# lost events per the file's per-CPU stats
	trace-cmd report --stat -i "$1" 2>/dev/null | awk '
		/^overrun:/ { n += $2 } /^commit overrun:/ { n += $3 }
		/^dropped events:/ { n += $3 } END { print n + 0 }'
}

one() {	# one TOOL MODE ROUND
	local tool=$1 mode=$2 f="$out/$1-$2.dat" cpu all gen_cpu ev lost gen
	local work="/usr/bin/time -f %U_%S -o $out/gen.time $RTGEN flood --seconds $secs --procs $procs --expect $out/gen.json"
	rm -f "$f" "$out/gen.json" "$out/gen.time"
	if [ "$tool" = recvtop ]; then
		args=""
		[ "$mode" = zstd ] && args="--compress"
		/usr/bin/time -f "%U %S" -o "$out/time" \
			"$RECVTOP" record $args --buffer-kb "$kb" -o "$f" -- $work \
			>/dev/null 2>"$out/rec.err"
	else
		args="--file-version 6"
		[ "$mode" = zstd ] && args=""
		/usr/bin/time -f "%U %S" -o "$out/time" \
			"$TCREC" $args -b "$kb" -o "$f" -F -c \
			-e syscalls:sys_enter_recvfrom -e syscalls:sys_exit_recvfrom \
			$work >/dev/null 2>"$out/rec.err"
	fi
	if [ ! -s "$out/gen.json" ] || [ ! -s "$f" ]; then
		echo "$tool $mode: the run failed: $(tail -3 "$out/rec.err")" >&2
		return 1
	fi
	# the recorder's own CPU: all of it minus the workload's
	all=$(awk '{ print $1 + $2 }' "$out/time")
	gen_cpu=$(tr '_' ' ' <"$out/gen.time" | awk '{ print $1 + $2 }')
	cpu=$(awk -v a="$all" -v g="$gen_cpu" 'BEGIN { printf "%.3f", a - g }')
	ev=$("$RTDAT" "$f" | sed -n 's/^events //p')
	lost=$(stats_lost "$f")
	gen=$(python3 -c 'import json,sys; print(2 * sum(p["calls"] for p in json.load(open(sys.argv[1]))["processes"]))' "$out/gen.json")
	printf "%-9s %-6s %5s %8s %10s %10s %9s %8.3f\n" "$tool" "$mode" "$3" \
		"$cpu" "$gen" "$ev" "$lost" \
		"$(awk -v c="$cpu" -v e="$ev" 'BEGIN { print e ? c * 1e6 / e : 0 }')" |
		tee -a "$out/results"
}

echo "# recorder cost: ${secs}s rtgen flood x $procs, buffer ${kb} KB per CPU, $rounds rounds"
echo "# $(uname -r), $(nproc) CPUs, $(trace-cmd --version 2>&1 | grep -m1 version)"
printf "%-9s %-6s %5s %8s %10s %10s %9s %8s\n" tool format round cpu_s generated recorded lost cpu/M
for r in $(seq 1 "$rounds"); do
	for mode in plain zstd; do
		one trace-cmd $mode $r
		one recvtop $mode $r
	done
done
echo "# medians"
for tool in trace-cmd recvtop; do
	for mode in plain zstd; do
		awk -v t=$tool -v m=$mode 'BEGIN { k = 0 } $1 == t && $2 == m { c[k] = $8; l[k] = $7; r[k] = $6; k++ }
			function med(a, n,  i, j, x) {
				for (i = 0; i < n; i++) for (j = i + 1; j < n; j++)
					if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
				return a[int(n / 2)] }
			END { if (k) printf "%-9s %-6s cpu/M %.3f s  recorded %d  lost %d\n", t, m, med(c, k), med(r, k), med(l, k) }' \
			"$out/results"
	done
done
