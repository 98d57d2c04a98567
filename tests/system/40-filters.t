#!/bin/bash
# -p and -c select exactly the processes asked for, with exact counts.
. "$RT_TOP/tests/lib/rt.sh"
need_root "filters"
ensure_tracefs
O="$RT_OUT/filters"
mkdir -p "$O"
trap 'kill $GEN_A $GEN_B 2>/dev/null; cleanup_all' EXIT

# -c: only tasks called rtg-udp6 (a kernel filter on comm)
"$RECVTOP" --json -c rtg-udp6 -- "$RT_TOOLS/rtgen" --count 1500 \
	--expect "$O/c.json" >"$O/c.out" 2>"$O/c.err"
is "$?" 0 "-c: exit status"
python3 - "$O/c.json" "$O/c.out" <<'PY'
import json, sys
exp = json.load(open(sys.argv[1]))
summ = [json.loads(l) for l in open(sys.argv[2])][-1]
want = [p for p in exp["processes"] if p["comm"] == "rtg-udp6"][0]
got = summ["processes"]
ok = (len(got) == 1 and got[0]["pid"] == want["pid"] and
      got[0]["calls"] == want["calls"] and got[0]["bytes"] == want["bytes"])
print(("ok" if ok else "not ok") +
      " - -c rtg-udp6: only that process, calls %d bytes %d (got %s)"
      % (want["calls"], want["bytes"],
         [(p["comm"], p["calls"], p["bytes"]) for p in got]))
PY

# -p: one receiver among two generators running at once
"$RT_TOOLS/rtgen" --scenarios udp4 --count 2000 --hold-ms 1500 \
	--expect "$O/a.json" >/dev/null 2>&1 &
GEN_A=$!
"$RT_TOOLS/rtgen" --scenarios udp4 --count 900 --hold-ms 1500 \
	--expect "$O/b.json" >/dev/null 2>&1 &
GEN_B=$!
# the receivers are the generators' children named rtg-udp4
for i in $(seq 50); do
	recv_a=$(pgrep -P "$GEN_A" -x rtg-udp4)
	[ -n "$recv_a" ] && break
	sleep 0.05
done
rt_bg "$O/p" --json -d 0.5 -p "$recv_a"
pid=$RT_PID
rt_wait_started "$pid"
wait "$GEN_A" "$GEN_B"
sleep 0.3
kill -INT "$pid"
wait "$pid"
is "$?" 0 "-p: exit status"
python3 - "$O/a.json" "$O/b.json" "$O/p.out" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["processes"][0]
b = json.load(open(sys.argv[2]))["processes"][0]
summ = [json.loads(l) for l in open(sys.argv[3])][-1]
got = {p["pid"]: p for p in summ["processes"]}
print(("ok" if list(got) == [a["pid"]] else "not ok") +
      " - -p: only the chosen process (%d; got %s; not %d)"
      % (a["pid"], list(got), b["pid"]))
p = got.get(a["pid"], {})
print(("ok" if p.get("calls") == a["calls"] and p.get("bytes") == a["bytes"]
       else "not ok") + " - -p: exact counts (%d calls, %d bytes; got %s)"
      % (a["calls"], a["bytes"], (p.get("calls"), p.get("bytes"))))
PY
check_clean "$pid" "-p run"
done_testing
