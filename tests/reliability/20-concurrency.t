#!/bin/bash
# Three tracers at once on the same traffic: recvtop -c rtg-udp6 (a kernel
# comm filter), recvtop -p (two receivers, set_event_pid) and
# `trace-cmd record -e syscalls:sys_enter_recvfrom -e
# syscalls:sys_exit_recvfrom` (tests/lib/tc-record).  The generator's
# receivers wait behind a gate until all three trace.  Each recvtop
# reports exactly its own processes with the generator's numbers;
# trace-cmd's file holds every call of every receiver (2 events per call,
# exact per process); the global tracefs state is as before.
. "$RT_TOP/tests/lib/rt.sh"
. "$RT_TOP/tests/reliability/lib.sh"
need_root "concurrency"
ensure_tracefs
O="$RT_OUT/rel-concurrency"
rm -rf "$O"
mkdir -p "$O"
if ! command -v trace-cmd >/dev/null 2>&1; then
	skip "concurrency with trace-cmd" "trace-cmd is not installed"
	done_testing
	exit 0
fi
GEN="" A="" B="" TC=""
cleanup() {
	touch "$O/gate" "$O/stop"
	for p in $A $B; do kill -INT "$p" 2>/dev/null; done
	wait 2>/dev/null
	cleanup_all
}
trap cleanup EXIT

rel_global_snapshot "$O/global.before"

# the traffic, held at the gate
"$RTGEN" --scenarios udp4,udp6,tcp,recv,eagain,unix --count 4000 \
	--hold-ms 200 --gate "$O/gate" --expect "$O/gen.json" >/dev/null 2>"$O/gen.err" &
GEN=$!
recv_pid() {	# recv_pid COMM: the generator's receiver of that name
	local p n=0
	while [ $n -lt 100 ]; do
		p=$(pgrep -P "$GEN" -x "$1" | head -n 1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
		n=$((n + 1))
	done
	return 1
}
tcp=$(recv_pid rtg-tcp)
unix=$(recv_pid rtg-unix)
[ -n "$tcp" ] && [ -n "$unix" ]
ok $? "the generator's receivers wait at the gate (tcp $tcp, unix $unix)"

# trace-cmd first: it owns the top-level buffer while it runs
"$RT_TOP/tests/lib/tc-record" -b 8192 -o "$O/tc.dat" \
	-e syscalls:sys_enter_recvfrom -e syscalls:sys_exit_recvfrom \
	sh -c "while [ ! -e '$O/stop' ]; do sleep 0.05; done" \
	>"$O/tc.out" 2>"$O/tc.err" &
TC=$!
n=0
until [ "$(cat "$T/events/syscalls/sys_exit_recvfrom/enable")" = 1 ] &&
      [ "$(cat "$T/tracing_on")" = 1 ] && [ -e "$O/tc.dat" ] ||
      [ $n -ge 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
sleep 0.3
"$RECVTOP" --json -d 0.5 -c rtg-udp6 >"$O/a.out" 2>"$O/a.err" &
A=$!
"$RECVTOP" --json -d 0.5 -p "$tcp,$unix" >"$O/b.out" 2>"$O/b.err" &
B=$!
rt_wait_started "$A" && rt_wait_started "$B"
ok $? "both recvtop runs trace next to trace-cmd (runs $A and $B)"

touch "$O/gate"
wait "$GEN"
is "$?" 0 "the generator ran every scenario"
sleep 0.5
kill -INT "$A" "$B"
wait "$A"
is "$?" 0 "recvtop -c exits 0"
wait "$B"
is "$?" 0 "recvtop -p exits 0"
touch "$O/stop"
wait "$TC"
is "$?" 0 "trace-cmd record exits 0"
check_clean "$A" "recvtop -c"
check_clean "$B" "recvtop -p"

python3 - "$O/gen.json" "$O/a.out" "$O/b.out" "$tcp,$unix" <<'PY'
import json, sys
exp = {p["pid"]: p for p in json.load(open(sys.argv[1]))["processes"]}
keys = ("calls", "bytes", "errors", "eagain")
def summary(path):
    lines = [json.loads(l) for l in open(path) if l.strip()]
    return lines[-1] if lines and lines[-1].get("type") == "summary" else None
def judge(label, path, want):
    s = summary(path)
    if s is None:
        print("not ok - %s: ends with a summary" % label)
        return
    got = {p["pid"]: tuple(p[k] for k in keys) for p in s["processes"]}
    w = {pid: tuple(exp[pid][k] for k in keys) for pid in want}
    print(("ok" if got == w else "not ok") +
          " - %s: exactly its processes, exact counts (want %s, got %s)"
          % (label, w, got))
    print(("ok" if s.get("lost") == 0 else "not ok") +
          " - %s: nothing lost (%s)" % (label, s.get("lost")))
udp6 = [p for p, e in exp.items() if e["comm"] == "rtg-udp6"]
judge("recvtop -c rtg-udp6", sys.argv[2], udp6)
judge("recvtop -p tcp,unix", sys.argv[3], [int(x) for x in sys.argv[4].split(",")])
PY

# trace-cmd's file: every call of every receiver, two events each
trace-cmd report -i "$O/tc.dat" >"$O/tc.report" 2>"$O/tc.report.err"
is "$?" 0 "trace-cmd report reads its file"
# three tracers record task names at once: the kernel may skip saving
# one (see datcheck.py), so trace-cmd may show a receiver as <...>
python3 "$RT_TOP/tests/lib/datcheck.py" tcreport "$O/gen.json" "$O/tc.report" \
	--label "trace-cmd's file" --names-may-be-lost
ok $? "trace-cmd's file: exactly the generator's calls, per process"
want=$(python3 -c 'import json,sys; print(2 * sum(p["calls"] for p in json.load(open(sys.argv[1]))["processes"]))' "$O/gen.json")
pids=$(python3 -c 'import json,sys; print("|".join(str(p["pid"]) for p in json.load(open(sys.argv[1]))["processes"]))' "$O/gen.json")
got=$(grep -E -- "-($pids) +\[" "$O/tc.report" | grep -c ': sys_\(enter\|exit\)_recvfrom\|: sys_recvfrom')
is "$got" "$want" "trace-cmd's file: $want recvfrom events of the receivers (calls x 2)"
lost=$(trace-cmd report --stat -i "$O/tc.dat" 2>/dev/null | rel_kernel_lost /dev/stdin)
is "$lost" 0 "trace-cmd's file: the kernel lost nothing (per-CPU stats)"

rel_global_snapshot "$O/global.after"
diff "$O/global.before" "$O/global.after" >"$O/global.diff"
ok $? "global tracefs state as before ($(head -c 300 "$O/global.diff" | tr '\n' ' '))"
done_testing
