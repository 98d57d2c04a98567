#!/bin/bash
# Exact counts on this machine's backend: recvtop --batch --json -- generator
# must report exactly the generator's numbers.
. "$RT_TOP/tests/lib/rt.sh"
need_root "exact counts"
ensure_tracefs
O="$RT_OUT/counts"
mkdir -p "$O"
trap cleanup_all EXIT

backend=$("$RECVTOP" probes 2>/dev/null | sed -n 's/^backend: \([a-z]*\).*/\1/p')
diag "backend on this kernel: $backend"

# 1. every receive scenario, default sizes, JSON
"$RECVTOP" --batch --json -- "$RT_TOOLS/rtgen" --expect "$O/gen.json" \
	>"$O/gen.out" 2>"$O/gen.err"
rc=$?
is "$rc" 0 "recvtop -- rtgen exits with rtgen's status"
$RTCHECK compare "$O/gen.json" "$O/gen.out" --backend "$backend" --label rtgen
ok $? "rtgen: all numbers exact"
is "$(cat "$O/gen.err")" "" "rtgen: nothing on stderr"

# 2. other sizes and counts, several intervals
"$RECVTOP" --json -d 0.05 -- "$RT_TOOLS/rtgen" --count 3000 --size 777 \
	--hold-ms 120 --expect "$O/gen2.json" >"$O/gen2.out" 2>"$O/gen2.err"
is "$?" 0 "rtgen --count 3000 --size 777: exit status"
$RTCHECK compare "$O/gen2.json" "$O/gen2.out" --backend "$backend" \
	--label "rtgen 3000x777"
ok $? "rtgen 3000x777: all numbers exact, intervals add up"
n=$(grep -c '"type":"interval"' "$O/gen2.out")
[ "$n" -ge 3 ]
ok $? "several 50 ms intervals were printed ($n)"

# 2b. receives made by threads that have exited before recvtop looks at
# them still count under their process (the kernel's saved_tgids)
"$RECVTOP" --json -d 0.5 -- "$RT_TOOLS/rtgen" --scenarios thread,udp4 \
	--count 2000 --hold-ms 600 --expect "$O/thr.json" >"$O/thr.out" 2>"$O/thr.err"
is "$?" 0 "short-lived threads: exit status"
$RTCHECK compare "$O/thr.json" "$O/thr.out" --backend "$backend" \
	--label "short-lived threads"
ok $? "short-lived threads: counted under their process, exactly"
is "$(tail -n 1 "$O/thr.out" | python3 -c 'import json,sys; print(len([p for p in json.loads(sys.stdin.read())["processes"] if p["calls"]]))')" 2 \
	"short-lived threads: no row per thread (the rows that received)"

# 3. memory readers
"$RECVTOP" --json -- "$RT_TOOLS/rtmem" --reads 300 --writes 40 --peeks 25 \
	--proc --denied 7 --expect "$O/mem.json" >"$O/mem.out" 2>"$O/mem.err"
is "$?" 0 "recvtop -- rtmem exit status"
$RTCHECK compare "$O/mem.json" "$O/mem.out" --backend "$backend" --label rtmem
ok $? "rtmem: reader rows exact (via, target, count, denied)"

# 4. the command's exit status is recvtop's
"$RECVTOP" --json -- sh -c 'exit 7' >/dev/null 2>&1
is "$?" 7 "exits with the command's status"
"$RECVTOP" --json -- sh -c 'kill -TERM $$' >/dev/null 2>&1
is "$?" 143 "a command killed by SIGTERM gives 128+15"
out=$("$RECVTOP" --json -- /nonexistent/command 2>&1 >/dev/null)
rc=$?
is "$rc" 127 "a command that cannot run gives 127"
like "$out" "cannot run '/nonexistent/command'" "and says why"

# 5. text batch output carries the same numbers
"$RECVTOP" --batch -- "$RT_TOOLS/rtgen" --scenarios udp4,eagain --count 500 \
	--expect "$O/txt.json" >"$O/txt.out" 2>&1
udp=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["processes"][0]["pid"])' "$O/txt.json")
line=$(sed -n '/summary/,$p' "$O/txt.out" | awk -v p="$udp" '$1 == p')
like "$line" "^ *$udp rtg-udp4 +500 +32000 +0 +0 " "text summary row of rtg-udp4"
grep -q "PEERS: sender addresses are not visible on the tracepoint" "$O/txt.out" ||
	[ "$backend" != tracepoint ]
ok $? "text view says why peers are empty on the tracepoint backend"

done_testing
