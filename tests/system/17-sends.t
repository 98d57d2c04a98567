#!/bin/bash
# Sends beside receives, exact against the generator (rttx): sendto and
# send (UDP v4/v6, unix dgram), sendmsg, every message of sendmmsg, write
# and writev on TCP v4/v6 and a unix stream socketpair, sendfile and
# splice into TCP, io_uring SEND, EAGAIN on a full unix socket; the
# senders' file and pipe writes beside them count nothing, nor does a
# process that only writes files and pipes.  On the default backend (sock
# here) and the tracepoint backend (which cannot see io_uring and splice,
# and sees sendmmsg's messages but not their bytes); --direction rx and
# tx; a recording's report and replay give the live sends; the text view
# has the TX columns.
. "$RT_TOP/tests/lib/rt.sh"
need_root "sends"
ensure_tracefs
O="$RT_OUT/sends"
rm -rf "$O"
mkdir -p "$O"
trap cleanup_all EXIT
RTTX="$RT_TOOLS/rttx"
backend=$("$RECVTOP" probes 2>/dev/null | sed -n 's/^backend: \([a-z]*\).*/\1/p')

# 1. every send at once, the default backend; 50 ms intervals add up
"$RECVTOP" --batch --json -d 0.05 -- "$RTTX" --count 1000 --size 900 \
	--vlen 16 --expect "$O/all.json" >"$O/all.out" 2>"$O/all.err"
is "$?" 0 "every send ($backend): exit status"
is "$(cat "$O/all.err")" "" "every send ($backend): nothing on stderr"
$RTCHECK compare-tx "$O/all.json" "$O/all.out" --backend "$backend" \
	--label "$backend"
ok $? "every send scenario exact on the $backend backend (send_calls, send_bytes, send_errors, by_via, its socket)"
is "$($RTCHECK summary "$O/all.out" lost)" 0 "every send: lost 0"

# 2. the tracepoint backend forced; the stream sockets stay open a moment
"$RECVTOP" --batch --json --backend tracepoint -- "$RTTX" --count 1000 \
	--size 900 --vlen 16 --linger-ms 1500 --expect "$O/tp.json" \
	>"$O/tp.out" 2>"$O/tp.err"
is "$?" 0 "every send (tracepoint): exit status"
$RTCHECK compare-tx "$O/tp.json" "$O/tp.out" --backend tracepoint \
	--label "tracepoint"
ok $? "every send scenario exact on the tracepoint backend; io_uring, splice: none; sendmmsg: no bytes"
files=$(python3 -c 'import json,sys; print(sum(p.get("file_writes", 0) + p.get("pipe_writes", 0) for p in json.load(open(sys.argv[1]))["processes"]))' "$O/tp.json")
[ "$files" -ge 400 ]
ok $? "the senders wrote files and pipes beside the sockets ($files writes)"

# 3. --direction: rx counts no send, tx no receive (the sinks receive)
for d in rx tx; do
	"$RECVTOP" --batch --json --direction $d -- "$RTTX" --count 300 \
		--scenarios sendto4,write4 --expect "$O/dir-$d.json" \
		>"$O/dir-$d.out" 2>"$O/dir-$d.err"
	is "$?" 0 "--direction $d: exit status"
done
read -r rx_sends rx_recvs < <(python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(sum(p["send_calls"] for p in s["processes"]), sum(p["bytes"] for p in s["processes"] if p["comm"] == "rtx-sink"))' "$O/dir-rx.out")
is "$rx_sends" 0 "--direction rx: no send counted"
is "$rx_recvs" 600000 "--direction rx: the sinks' receives counted (600000 bytes)"
read -r tx_sends tx_recvs < <(python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(sum(p["send_calls"] for p in s["processes"] if p["comm"].startswith("rtx-") and p["comm"] != "rtx-sink"), sum(p["calls"] for p in s["processes"]))' "$O/dir-tx.out")
is "$tx_sends" 600 "--direction tx: the senders' sends counted (600)"
is "$tx_recvs" 0 "--direction tx: no receive counted"
like "$("$RECVTOP" probes --direction tx)" "receives: not traced \(--direction tx\)" \
	"probes --direction tx: says receives are not traced"
like "$("$RECVTOP" --direction sideways -b 2>&1)" "^recvtop: --direction 'sideways': must be rx, tx or both" \
	"--direction sideways: refused, and why"

# 4. record -> report and replay carry the sends
"$RECVTOP" record --no-kallsyms -o "$O/tx.dat" -- "$RTTX" --count 500 \
	--size 700 --expect "$O/rec.json" >/dev/null 2>"$O/rec.err"
is "$?" 0 "record: exit status"
"$RECVTOP" report --json -i "$O/tx.dat" >"$O/rep.out" 2>"$O/rep.err"
is "$?" 0 "report: exit status"
$RTCHECK compare-tx "$O/rec.json" "$O/rep.out" --backend "$backend" \
	--label "recorded (report)"
ok $? "report of the recording: every send exact"
"$RECVTOP" --batch --json -i "$O/tx.dat" >"$O/replay.out" 2>"$O/replay.err"
is "$?" 0 "replay: exit status"
$RTCHECK compare-tx "$O/rec.json" "$O/replay.out" --backend "$backend" \
	--label "recorded (replay)"
ok $? "replay of the recording: every send exact"
if [ "$backend" = sock ]; then
	n=$(trace-cmd report -i "$O/tx.dat" 2>/dev/null | grep -c 'rtx-write4-[0-9]* .*sock_send_length:')
	is "$n" 500 "trace-cmd report prints write4's 500 sock_send_length events"
fi

# 4b. the tracepoint backend's recording: its fd markers tell the
#     writes on sockets from the file and pipe writes in report and replay
"$RECVTOP" record --no-kallsyms --backend tracepoint -o "$O/tp.dat" -- \
	"$RTTX" --count 500 --size 700 --linger-ms 1500 \
	--scenarios sendto4,write4,writev6,ustream,sendfile,eagain,files \
	--expect "$O/tprec.json" >/dev/null 2>"$O/tprec.err"
is "$?" 0 "record (tracepoint): exit status"
"$RECVTOP" report --json -i "$O/tp.dat" >"$O/tprep.out" 2>"$O/tprep.err"
is "$?" 0 "report (tracepoint): exit status"
$RTCHECK compare-tx "$O/tprec.json" "$O/tprep.out" --backend tracepoint \
	--label "recorded on the tracepoint backend (report)"
ok $? "report of the tracepoint recording: every send exact"
"$RECVTOP" --batch --json -i "$O/tp.dat" >"$O/tpreplay.out" 2>"$O/tpreplay.err"
$RTCHECK compare-tx "$O/tprec.json" "$O/tpreplay.out" --backend tracepoint \
	--label "recorded on the tracepoint backend (replay)"
ok $? "replay of the tracepoint recording: every send exact"

# 5. the text view: a sender's row with its TX columns
"$RECVTOP" --batch -- "$RTTX" --count 400 --size 500 --scenarios write4 \
	--expect "$O/txt.json" >"$O/txt.out" 2>&1
is "$?" 0 "text: exit status"
like "$(sed -n '/summary/,$p' "$O/txt.out" | grep -E ' rtx-write4 +[0-9]+ ' | head -1)" \
	" rtx-write4 +0 +0 +0 +0 +400 +200000 +0 .* send:write$" \
	"text: write4's row: no receives, 400 sends, 200000 bytes, VIA send:write"
check_clean $$ "sends"
done_testing
