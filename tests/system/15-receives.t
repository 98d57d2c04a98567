#!/bin/bash
# Every way a socket receive comes, on the sock backend (Linux 6.3+):
# recvmsg (v4, v6, unix dgram), recvmmsg vectors of 1..64, read and readv
# (TCP v4/v6, unix stream), MSG_PEEK, TCP v6 recvfrom and io_uring RECV,
# each exact against the generator: calls, bytes, peeks, and by_via naming
# the one way, and its one socket row (family, proto, via, the numbers); file and pipe reads beside them (rtgen noise) count nothing.
# The same numbers from a recording, through recvtop report.
. "$RT_TOP/tests/lib/rt.sh"
need_root "every receive"
ensure_tracefs
O="$RT_OUT/receives"
rm -rf "$O"
mkdir -p "$O"
trap cleanup_all EXIT

if [ ! -e "$T/events/sock/sock_recv_length" ]; then
	skip "every receive on the sock backend" "the kernel has no sock:sock_recv_length (Linux < 6.3)"
	done_testing
	exit 0
fi
ALL=recvmsg4,recvmsg6,recvmmsg,read4,readv6,peek,ustream,udgram,tcp6,uring,noise

# 1. all of them at once, the default backend (auto: sock)
"$RECVTOP" --batch --json -- "$RT_TOOLS/rtgen" --scenarios "$ALL" \
	--count 3000 --size 333 --vlen 16 --expect "$O/all.json" \
	>"$O/all.out" 2>"$O/all.err"
is "$?" 0 "every receive: exit status"
is "$(cat "$O/all.err")" "" "every receive: nothing on stderr"
$RTCHECK compare "$O/all.json" "$O/all.out" --backend sock --label "every receive"
ok $? "every receive: each scenario exact (calls, bytes, peeks, by_via)"
is "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["unpaired"])' "$O/all.out")" 0 \
	"every receive: nothing unpaired"

# 2. recvmmsg: every vector length from 1 to 64 counts each datagram
for v in 1 2 7 31 64; do
	"$RECVTOP" --batch --json --backend sock -- "$RT_TOOLS/rtgen" --scenarios recvmmsg \
		--count 1000 --size 64 --vlen $v --expect "$O/mm$v.json" \
		>"$O/mm$v.out" 2>"$O/mm$v.err"
	is "$?" 0 "recvmmsg --vlen $v: exit status"
	$RTCHECK compare "$O/mm$v.json" "$O/mm$v.out" --backend sock --label "recvmmsg vlen $v"
	ok $? "recvmmsg --vlen $v: 1000 datagrams, exact"
	sc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processes"][0]["syscalls"])' "$O/mm$v.json")
	lat=$(python3 -c 'import json,sys; print([p for p in json.loads(open(sys.argv[1]).read().splitlines()[-1])["processes"] if p["comm"] == "rtg-recvmmsg"][0]["lat_calls"])' "$O/mm$v.out")
	is "$lat" "$sc" "recvmmsg --vlen $v: one latency per syscall ($sc)"
done

# 3. the text view names the way
"$RECVTOP" --batch -- "$RT_TOOLS/rtgen" --scenarios read4,peek --count 500 \
	--size 100 --expect "$O/txt.json" >"$O/txt.out" 2>"$O/txt.err"
is "$?" 0 "text: exit status"
like "$(grep -E ' rtg-read4 +[0-9]+ ' "$O/txt.out" | tail -1)" " 500 +50000 +0 +0 +0 +0 +0 +- +- +- +- +read$" \
	"text: read4's row, no sends, no latency, CONTAINER - (the host), VIA read"
like "$(grep -E ' rtg-peek +[0-9]+ ' "$O/txt.out" | tail -1)" " 1000 +50000 .* recvfrom\+peek$" \
	"text: peek's row, VIA recvfrom+peek"
like "$(grep -E ' rtg-read4 +[0-9a-f]{16} ' "$O/txt.out" | tail -1)" " +- +inet +tcp +500 +50000 +0 +0 +0 +0 +read$" \
	"text: read4's socket row: its address, no fd, inet tcp, 500 calls, VIA read"
like "$(grep -E ' rtg-peek +[0-9a-f]{16} ' "$O/txt.out" | tail -1)" " +[0-9]+ +inet +udp +1000 +50000 +0 +0 +0 +0 +recvfrom$" \
	"text: peek's socket row: its fd, inet udp, 1000 calls, VIA recvfrom"

# 4. a recording gives the live numbers
"$RECVTOP" record --no-kallsyms -o "$O/all.dat" -- "$RT_TOOLS/rtgen" --scenarios "$ALL" \
	--count 1000 --size 200 --vlen 8 --expect "$O/rec.json" >/dev/null 2>"$O/rec.err"
is "$?" 0 "record: exit status"
"$RECVTOP" report --json -i "$O/all.dat" >"$O/rec.out" 2>"$O/rec.report.err"
is "$?" 0 "report: exit status"
python3 "$RT_TOP/tests/lib/datcheck.py" report "$O/rec.json" "$O/rec.out" --backend sock \
	--label "recorded receives"
ok $? "report of the recording: each scenario exact"
# 9 scenarios x 1000, peek's 2000 receives, noise none
is "$(trace-cmd report -i "$O/all.dat" 2>/dev/null | grep -c '^ *rtg-[a-z0-9]*-[0-9]* .*: sock_recv_length:')" 11000 \
	"trace-cmd report prints the generator's 11000 socket receives"
check_clean $$ "every receive"
done_testing
