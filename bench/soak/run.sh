#!/bin/bash
# Soak: recvtop in batch mode (--json -d 1) tracing the fastest generator
# (`rtgen flood --procs 2`) for a long time; recvtop's resident memory
# (VmRSS) and open descriptors (/proc/PID/fd) sampled every few seconds.
#
#   bench/soak/run.sh [-b BUILD] [-s SECONDS] [-i INTERVAL] [-w WARMUP]
#                     [-o OUTDIR] [-r RSS_BOUND_KB] [-n]
#
#   -b BUILD      build directory with recvtop (plain -O2) and tools/rtgen
#                 (default build; RECVTOP=path overrides the binary)
#   -s SECONDS    length of the flood (default 600)
#   -i INTERVAL   seconds between samples (default 5)
#   -w WARMUP     seconds not judged at the start (default 60)
#   -r KB         "flat": after the warm-up, max - min of VmRSS at most
#                 this (default 2048) and the descriptor count constant
#   -o OUTDIR     samples.tsv, recvtop's output, the generator's numbers,
#                 summary.txt (default /tmp/recvtop-soak.PID)
#   -n            do not take the test suites' tracefs lock (the caller
#                 holds it: tests/reliability/40-soak.t)
#
# Prints the summary (also in OUTDIR/summary.txt), one "key value..." per
# line, ending with "verdict ok" (flat, and the counts add up) or
# "verdict FAILED: ..."; exit status 0 only for "ok".  Needs root and
# tracefs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=build secs=600 interval=5 warmup=60 bound=2048 out="" lock=1
while getopts "b:s:i:w:r:o:n" opt; do
	case $opt in
	b) build=$OPTARG ;;
	s) secs=$OPTARG ;;
	i) interval=$OPTARG ;;
	w) warmup=$OPTARG ;;
	r) bound=$OPTARG ;;
	o) out=$OPTARG ;;
	n) lock=0 ;;
	*) sed -n '2,26p' "$0" >&2; exit 2 ;;
	esac
done
case "$build" in /*) ;; *) build="$top/$build" ;; esac
if [ "$build" = "$top/build" ]; then
	rt=${RECVTOP:-$top/recvtop}
else
	rt=${RECVTOP:-$build/recvtop}
fi
gen="$build/tools/rtgen"
out=${out:-/tmp/recvtop-soak.$$}
mkdir -p "$out" || exit 1
for b in "$rt" "$gen"; do
	[ -x "$b" ] || { echo "soak: $b is not built (make BUILD=... check-build)" >&2; exit 1; }
done
if [ "$lock" = 1 ] && [ -w /run ] && command -v flock >/dev/null; then
	exec 9>/run/recvtop-tests.lock
	flock 9
fi

pid=""
trap '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null; wait 2>/dev/null' EXIT
"$rt" --json -d 1 -- "$gen" flood --seconds "$secs" --procs 2 \
	--expect "$out/gen.json" >"$out/recvtop.jsonl" 2>"$out/recvtop.err" &
pid=$!
start=$(date +%s.%N)
printf 't_s\trss_kb\thwm_kb\tfds\tcpu_ticks\n' >"$out/samples.tsv"
while kill -0 "$pid" 2>/dev/null; do
	now=$(date +%s.%N)
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null)
	# a sample of a process that ended meanwhile is not one
	[ -n "$rss" ] && kill -0 "$pid" 2>/dev/null &&
		printf '%s\t%s\t%s\t%s\t%s\n' "$(awk -v a="$now" -v b="$start" 'BEGIN {printf "%.1f", a - b}')" \
			"$rss" "$hwm" "$fds" "$cpu" >>"$out/samples.tsv"
	sleep "$interval"
done
wait "$pid"
rc=$?
pid=""

python3 - "$out" "$warmup" "$bound" "$rc" "$secs" <<'PY' | tee "$out/summary.txt"
import json, os, sys
out, warmup, bound, rc, secs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
rows = [l.split("\t") for l in open(os.path.join(out, "samples.tsv")).read().splitlines()[1:]]
rows = [(float(t), int(r), int(h), int(f), int(c)) for t, r, h, f, c in rows]
after = [r for r in rows if r[0] >= warmup]
print("samples %d (%d after the %.0f s warm-up), recvtop exit status %d" % (len(rows), len(after), warmup, rc))
ok = rc == 0 and len(after) >= 3
why = [] if ok else ["recvtop failed or too few samples"]
if rows:
    print("rss_kb first %d, at warm-up end %d, last %d, peak (VmHWM) %d" %
          (rows[0][1], after[0][1] if after else -1, rows[-1][1], rows[-1][2]))
if after:
    rss = [r[1] for r in after]
    fds = [r[3] for r in after]
    n = len(after)
    mt = sum(r[0] for r in after) / n
    mr = sum(rss) / n
    den = sum((r[0] - mt) ** 2 for r in after)
    slope = sum((r[0] - mt) * (r[1] - mr) for r in after) / den * 60 if den else 0
    cpu = (after[-1][4] - after[0][4]) / os.sysconf("SC_CLK_TCK") / max(after[-1][0] - after[0][0], 1e-9)
    print("rss_kb after warm-up: min %d max %d (max - min %d, bound %d), trend %+.1f kB/min" %
          (min(rss), max(rss), max(rss) - min(rss), bound, slope))
    print("fds after warm-up: min %d max %d" % (min(fds), max(fds)))
    print("recvtop cpu: %.0f%% of one CPU after warm-up" % (100 * cpu))
    flat = max(rss) - min(rss) <= bound and min(fds) == max(fds)
    if not flat:
        why.append("memory or descriptors not flat")
    ok = ok and flat
try:
    exp = json.load(open(os.path.join(out, "gen.json")))
    summ = [json.loads(l) for l in open(os.path.join(out, "recvtop.jsonl")) if l.strip()][-1]
    gen = sum(p["calls"] for p in exp["processes"])
    pids = {p["pid"] for p in exp["processes"]}
    got = sum(p["calls"] for p in summ["processes"] if p["pid"] in pids)
    lost = summ["lost"]
    m = gen - got
    print("generator %d calls in %.1f s (%.0f calls/s); recvtop counted %d, events %d, lost %d, unpaired %d" %
          (gen, exp.get("seconds", secs), exp.get("rate", 0), got, summ["events"], lost, summ.get("unpaired", 0)))
    counts = (lost == 0 and m == 0) or (m >= 0 and abs(2 * m - lost) <= summ.get("unpaired", 0) + 2)
    print("counts %s" % ("exact" if lost == 0 and m == 0 else
                         "consistent with the lost events" if counts else "WRONG"))
    if not counts:
        why.append("counts do not add up")
    ok = ok and counts
except (OSError, ValueError, IndexError, KeyError) as e:
    print("counts unavailable (%s)" % e)
    why.append("no counts")
    ok = False
print("verdict %s" % ("ok" if ok else "FAILED: " + ", ".join(why)))
sys.exit(0 if ok else 1)
PY
