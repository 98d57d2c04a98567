#!/bin/bash
# The tracepoint backend forced (the kernels without kprobes and without
# sock:sock_recv_length): every receive syscall it can see, exact against
# the generator: recvfrom, recvmsg (v4, v6, unix dgram), read and readv
# on sockets (TCP v4/v6, unix stream), MSG_PEEK, recvmmsg (its datagrams,
# whose bytes it cannot see), and none of the file and pipe reads beside
# them (rtgen noise), not even on a descriptor that is a file one moment
# and a socket the next (rtgen reuse); io_uring is not seen at all.  The
# stream scenarios keep their sockets a moment after their reads
# (--linger-ms): a socketpair's descriptors are told from a pipe's through
# /proc, which needs the process still there when its events are read.  A
# recording (whose fd markers say which descriptors were sockets) gives
# the live numbers through report and replay.
. "$RT_TOP/tests/lib/rt.sh"
need_root "tracepoint backend"
ensure_tracefs
O="$RT_OUT/tracepoint"
rm -rf "$O"
mkdir -p "$O"
trap cleanup_all EXIT

ALL=udp4,udp6,tcp,recv,eagain,ebadf,unix,recvmsg4,recvmsg6,recvmmsg,read4,readv6,peek,ustream,udgram,tcp6,uring,noise,reuse
summary_key() {	# summary_key FILE KEY
	python3 "$RT_TOP/tests/lib/rtcheck.py" summary "$1" "$2"
}

# 1. everything at once
"$RECVTOP" --batch --json --backend tracepoint -- "$RT_TOOLS/rtgen" \
	--scenarios "$ALL" --count 2000 --size 200 --vlen 16 --linger-ms 1500 \
	--expect "$O/all.json" >"$O/all.out" 2>"$O/all.err"
is "$?" 0 "every receive: exit status"
is "$(cat "$O/all.err")" "" "every receive: nothing on stderr"
$RTCHECK compare "$O/all.json" "$O/all.out" --backend tracepoint \
	--label "tracepoint"
ok $? "every scenario exact (calls, bytes, by_via, its socket's family and protocol); io_uring: no row; recvmmsg: no bytes"
files=$(python3 -c 'import json,sys; print(sum(p.get("file_reads", 0) for p in json.load(open(sys.argv[1]))["processes"]))' "$O/all.json")
diag "file and pipe reads beside them: $files; unknown_reads $(summary_key "$O/all.out" unknown_reads)"
[ "$files" -ge 4000 ]
ok $? "the generator read files and pipes beside the sockets ($files file reads)"

# 2. recvmmsg vectors: every datagram a call, one latency per syscall
for v in 1 64; do
	"$RECVTOP" --batch --json --backend tracepoint -- "$RT_TOOLS/rtgen" \
		--scenarios recvmmsg --count 1000 --size 64 --vlen $v \
		--expect "$O/mm$v.json" >"$O/mm$v.out" 2>"$O/mm$v.err"
	is "$?" 0 "recvmmsg --vlen $v: exit status"
	$RTCHECK compare "$O/mm$v.json" "$O/mm$v.out" --backend tracepoint \
		--label "recvmmsg vlen $v"
	ok $? "recvmmsg --vlen $v: 1000 datagrams"
	sc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processes"][0]["syscalls"])' "$O/mm$v.json")
	lat=$(python3 -c 'import json,sys; print([p for p in json.loads(open(sys.argv[1]).read().splitlines()[-1])["processes"] if p["comm"] == "rtg-recvmmsg"][0]["lat_calls"])' "$O/mm$v.out")
	is "$lat" "$sc" "recvmmsg --vlen $v: one latency per syscall ($sc)"
done

# 3. the text view
"$RECVTOP" --batch --backend tracepoint -- "$RT_TOOLS/rtgen" \
	--scenarios read4,reuse --count 500 --size 100 --expect "$O/txt.json" \
	>"$O/txt.out" 2>"$O/txt.err"
is "$?" 0 "text: exit status"
like "$(grep -E ' rtg-read4 +[0-9]+ ' "$O/txt.out" | tail -1)" " 500 +50000 +0 +0 .* read$" \
	"text: read4's row, VIA read, with latency"
like "$(grep -E ' rtg-read4 +fd:[0-9]+ ' "$O/txt.out" | tail -1)" " +[0-9]+ +inet +tcp +500 +50000 +0 +0 +0 +0 +read$" \
	"text: read4's socket row by descriptor: inet tcp"
like "$(grep -E ' rtg-reuse +[0-9]+ ' "$O/txt.out" | tail -1)" " 500 +50000 " \
	"text: reuse counts its socket reads only"
like "$(grep '^recvtop  summary' "$O/txt.out")" "backend tracepoint .* unknown_reads [0-9]+  unknown_writes [0-9]+$" \
	"text: the summary line tells the reads never told apart"

# 4. record (plain) -> report and replay
"$RECVTOP" record --no-kallsyms --backend tracepoint -o "$O/tp.dat" -- \
	"$RT_TOOLS/rtgen" --scenarios recvmsg4,read4,readv6,peek,ustream,udgram,tcp6,noise,reuse \
	--count 1000 --size 150 --linger-ms 1500 --expect "$O/rec.json" \
	>/dev/null 2>"$O/rec.err"
is "$?" 0 "record: exit status"
"$RECVTOP" report --json -i "$O/tp.dat" >"$O/rep.out" 2>"$O/rep.err"
is "$?" 0 "report: exit status"
python3 "$RT_TOP/tests/lib/datcheck.py" report "$O/rec.json" "$O/rep.out" \
	--backend tracepoint --label "recorded (report)"
ok $? "report of the recording: each scenario exact"
"$RECVTOP" --batch --json -i "$O/tp.dat" >"$O/replay.out" 2>"$O/replay.err"
is "$?" 0 "replay: exit status"
$RTCHECK compare "$O/rec.json" "$O/replay.out" --backend tracepoint \
	--label "recorded (replay)"
ok $? "replay of the recording: each scenario exact"
n=$(trace-cmd report -i "$O/tp.dat" 2>/dev/null | grep -c 'recvtop: fd [0-9]* [0-9]* \(sock\|file\|gone\)')
[ "$n" -gt 0 ]
ok $? "trace-cmd report shows the fd markers ($n)"
n=$(trace-cmd report -i "$O/tp.dat" 2>/dev/null | grep -c 'rtg-read4-[0-9]* .*sys_exit_read:')
[ "$n" -ge 1000 ]
ok $? "trace-cmd report prints read4's read returns ($n)"

# 5. recvtop probes names the tracepoint backend's probes and limits
"$RECVTOP" probes >"$O/probes.out" 2>&1
is "$?" 0 "probes: exit status"
for e in sys_enter_read sys_exit_readv sys_exit_recvmmsg sys_exit_accept4 \
	sys_enter_close sched_process_fork; do
	grep -q "$e" "$O/probes.out"
	ok $? "probes lists $e"
done
like "$(cat "$O/probes.out")" "slow path" "probes says what syscall tracepoints cost"
check_clean $$ "tracepoint backend"
done_testing
