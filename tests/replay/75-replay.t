#!/bin/bash
# Replay: `recvtop top -i FILE.dat --json` prints what the live run printed,
# interval by interval, for v6, v7 and v7+zstd recordings; trace-cmd's
# recordings replay with the generator's numbers; -d, -n, -p, -c, --speed;
# files recvtop cannot use say so.
. "$RT_TOP/tests/lib/rt.sh"
need_root "replay"
ensure_tracefs
O="$RT_OUT/replay"
mkdir -p "$O"
TCREC="$RT_TOP/tests/lib/tc-record"
trap cleanup_all EXIT

backend=$("$RECVTOP" probes 2>/dev/null | sed -n 's/^backend: \([a-z]*\).*/\1/p')

# 1. what the live view printed while recording == the replay, line by line
for fmt in "" "--file-version 7" "--compress"; do
	name=v6
	[ "$fmt" = "--file-version 7" ] && name=v7
	[ "$fmt" = "--compress" ] && name=v7z
	"$RECVTOP" record --live --json -d 0.2 $fmt -o "$O/$name.dat" -- \
		"$RT_TOOLS/rtgen" steady --seconds 1.5 --rate 800 \
		--expect "$O/$name.exp" >"$O/$name.live" 2>"$O/$name.rec.err"
	is "$?" 0 "$name: record --live exit status"
	"$RECVTOP" top -i "$O/$name.dat" --json >"$O/$name.replay" 2>"$O/$name.replay.err"
	is "$?" 0 "$name: replay exit status"
	n=$(grep -c '"type":"interval"' "$O/$name.live")
	[ "$n" -ge 6 ]
	ok $? "$name: the live run printed several intervals ($n)"
	if cmp -s "$O/$name.live" "$O/$name.replay"; then
		pass "$name: replay JSON equals the live JSON, all $((n + 1)) lines"
	else
		fail "$name: replay JSON equals the live JSON ($(diff "$O/$name.live" "$O/$name.replay" | head -c 300))"
	fi
	is "$(cat "$O/$name.replay.err")" "" "$name: replay wrote nothing on stderr"
done
# ... and the steady receiver's own count
python3 - "$O/v6.exp" "$O/v6.replay" <<'PY'
import json, sys
exp = json.load(open(sys.argv[1]))["processes"][0]
summ = [json.loads(l) for l in open(sys.argv[2])][-1]
got = {p["pid"]: p for p in summ["processes"]}.get(exp["pid"], {})
ok = got.get("calls") == exp["calls"] and got.get("bytes") == exp["bytes"]
print("%s - the replay counts the steady receiver exactly (%d calls; got %s)"
      % ("ok" if ok else "not ok", exp["calls"], got.get("calls")))
PY

# 2. a delay change the live run made (a marker) is replayed; -d overrides
python3 - "$O/v6.replay" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ivs = [l for l in lines if l["type"] == "interval"]
ok = all(abs(l["seconds"] - 0.2) < 1e-6 for l in ivs[:-1])
print("%s - intervals are cut at the live run's 0.2 s" % ("ok" if ok else "not ok"))
PY
"$RECVTOP" top -i "$O/v6.dat" --json -d 0.5 >"$O/d05.json"
python3 - "$O/v6.replay" "$O/d05.json" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
ivb = [l for l in b if l["type"] == "interval"]
print("%s - -d 0.5 cuts 0.5 s intervals (%s)" % (
    "ok" if all(abs(l["seconds"] - 0.5) < 1e-6 for l in ivb[:-1]) else "not ok",
    [l["seconds"] for l in ivb]))
key = lambda s: sorted((p["pid"], p["calls"], p["bytes"]) for p in s["processes"])
print("%s - -d 0.5: the same totals" % ("ok" if key(a[-1]) == key(b[-1]) else "not ok"))
PY
"$RECVTOP" top -i "$O/v6.dat" --json -n 3 >"$O/n3.json"
is "$(grep -c '"type":"interval"' "$O/n3.json")" 3 "-n 3: three intervals"
is "$(tail -n 1 "$O/n3.json" | grep -c '"type":"summary","time":0.600')" 1 \
	"-n 3: the summary ends with the third interval"

# 3. trace-cmd's recordings replay with the generator's numbers
tcev="-e syscalls:sys_enter_recvfrom -e syscalls:sys_exit_recvfrom"
$TCREC -b 8192 -o "$O/tc.dat" $tcev "$RT_TOOLS/rtgen" --count 1200 \
	--expect "$O/tc.exp" >/dev/null 2>"$O/tc.err"
is "$?" 0 "trace-cmd record: exit status"
"$RECVTOP" top -i "$O/tc.dat" --json >"$O/tc.json" 2>"$O/tc.json.err"
is "$?" 0 "replay of trace-cmd's file: exit status"
$RTCHECK compare "$O/tc.exp" "$O/tc.json" --backend tracepoint --label "trace-cmd file" >"$O/tc.check"
ok $? "replay of trace-cmd's file: the generator's numbers ($(grep -c '^not ok' "$O/tc.check") wrong)"

# 4. -p and -c select recorded processes
pid=$(python3 -c 'import json,sys; print([p["pid"] for p in json.load(open(sys.argv[1]))["processes"] if p["comm"]=="rtg-tcp"][0])' "$O/tc.exp")
"$RECVTOP" top -i "$O/tc.dat" --json -p "$pid" | tail -n 1 >"$O/p.json"
is "$(python3 -c 'import json,sys; print([(p["pid"],p["calls"]) for p in json.load(open(sys.argv[1]))["processes"]])' "$O/p.json")" \
	"[($pid, 1200)]" "-p of a recorded process"
"$RECVTOP" top -i "$O/tc.dat" --json -c rtg-eagain | tail -n 1 >"$O/c.json"
is "$(python3 -c 'import json,sys; print([(p["comm"],p["calls"],p["eagain"]) for p in json.load(open(sys.argv[1]))["processes"]])' "$O/c.json")" \
	"[('rtg-eagain', 1200, 1200)]" "-c of a recorded process name"

# 5. --speed paces batch output like the recording (1.5 s at 10x: 0.15 s)
start=$(date +%s%N)
"$RECVTOP" top -i "$O/v6.dat" --json --speed 2 >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -ge 600 ]
ok $? "--speed 2 takes about half the recording's time (${ms} ms for ~1.5 s)"

# 6. files recvtop cannot use
$TCREC -b 1024 -o "$O/sched.dat" -e sched:sched_switch sleep 0.2 >/dev/null 2>&1
"$RECVTOP" top -i "$O/sched.dat" --json >"$O/sched.out" 2>"$O/sched.err"
is "$?" 2 "a file without receive events: exit status 2"
like "$(cat "$O/sched.err")" "^recvtop: $O/sched.dat: holds no receive or memory-reader events" \
	"a file without receive events: says so"
printf 'not a trace file\n' >"$O/junk.dat"
"$RECVTOP" top -i "$O/junk.dat" >/dev/null 2>"$O/junk.err"
is "$?" 2 "a foreign file: exit status 2"
is "$(grep -c . "$O/junk.err")" 1 "a foreign file: one line"
"$RECVTOP" top -i "$O/missing.dat" >/dev/null 2>"$O/missing.err"
is "$?" 2 "a missing file: exit status 2"
like "$(cat "$O/missing.err")" "missing.dat: No such file" "a missing file: says so"
# truncated in the middle of the data: an error, not a crash or a summary
size=$(stat -c %s "$O/v7.dat")
head -c $((size * 2 / 3)) "$O/v7.dat" >"$O/trunc.dat"
"$RECVTOP" top -i "$O/trunc.dat" --json >"$O/trunc.out" 2>"$O/trunc.err"
is "$?" 2 "a truncated file: exit status 2"
is "$(grep -c . "$O/trunc.err")" 1 "a truncated file: one line on stderr"

done_testing
