#!/bin/bash
# UDP sender addresses without kprobes: uprobes after the syscall
# instructions of libc's recvfrom and recvmsg (source "user").  Senders
# on distinct bound addresses and ports (127.0.0.x, ::1) send known counts
# and bytes to rtudp's receiver, a process started after recvtop (its
# libc is recvtop's file: uprobes attach to the inode); exact per sender
# for recvfrom and recvmsg, IPv4 and IPv6; recv() (no address) gives no
# row; without --uprobes (the default) none; on the tracepoint backend
# too; a recording's
# report and replay equal the live run and trace-cmd opens it; kill -9
# then recvtop reset leaves no recvtop uprobe.
. "$RT_TOP/tests/lib/rt.sh"
need_root "uprobes"
ensure_tracefs
O="$RT_OUT/uprobes"
rm -rf "$O"
mkdir -p "$O"
RTUDP="$RT_TOOLS/rtudp"
UDPCHECK="python3 $RT_TOP/tests/lib/udpcheck.py"

if [ ! -e "$T/uprobe_events" ] || [ -e "$T/kprobe_events" ]; then
	skip "uprobes" "the uprobe path is for kernels with uprobes and without kprobes"
	done_testing
	exit 0
fi

finish() {
	[ -n "${RT_PID:-}" ] && kill "$RT_PID" 2>/dev/null
	cleanup_all
}
trap finish EXIT

# hw NAME "RECVTOP-ARGS" RTUDP-ARGS...: recvtop host-wide around rtudp
hw() {
	local name=$1 rtargs=$2
	shift 2
	# shellcheck disable=SC2086
	rt_bg "$O/$name" $rtargs
	rt_wait_started "$RT_PID" || diag "$name: recvtop did not start tracing"
	"$RTUDP" "$@" --expect "$O/$name.json" >/dev/null 2>"$O/$name.udp.err"
	UDP_ST=$?
	sleep 0.5
	kill -INT "$RT_PID"
	wait "$RT_PID"
	RT_ST=$?
	check_clean "$RT_PID" "$name"
	RT_PID=
}
JSON="--batch --json -d 0.2 --uprobes"

# 0. they are off by default, and probes says why and what they cost
"$RECVTOP" probes >"$O/probes-default.out" 2>&1
like "$(cat "$O/probes-default.out")" "sender addresses from libc uprobes: no \(off unless --uprobes" \
	"probes: the uprobes are off by default"
like "$(cat "$O/probes-default.out")" "their cost: bench/backends.*calls/s" \
	"probes: says what they cost"
# recvtop probes --uprobes lists them: the libc file, its build-id, the sites
"$RECVTOP" probes --uprobes >"$O/probes.out" 2>&1
libc=$(sed -n 's/^  libc \([^ ]*\) build-id \([0-9a-f]*\):.*/\1/p' "$O/probes.out" | head -1)
bid=$(sed -n 's/^  libc \([^ ]*\) build-id \([0-9a-f]*\):.*/\2/p' "$O/probes.out" | head -1)
like "$(cat "$O/probes.out")" "sender addresses from libc uprobes \(source user\)" \
	"probes: says sender addresses come from libc uprobes"
like "$(cat "$O/probes.out")" "not covered: programs that bypass libc \(static binaries, Go" \
	"probes: says binaries bypassing libc are not covered"
want_bid=$(readelf -n "$libc" 2>/dev/null | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
is "$bid" "$want_bid" "probes: the build-id of $libc is readelf's"
n=$(grep -c '^  rec[a-z]* sender (user) *p:recvtop_[0-9]*/u[a-z]*[0-9]*_[0-9]* .*libc.so.6:0x' "$O/probes.out")
is "$n" 4 "probes: 4 uprobe definitions (2 syscall sites each in recvfrom and recvmsg)"

# 1. recvfrom, IPv4, three senders on 127.0.0.2..4
hw from4 "$JSON" --api recvfrom --port 23501 --senders 3 --sport 23600 --count 40 --size 100
is "$UDP_ST/$RT_ST" "0/0" "recvfrom IPv4: rtudp and recvtop exit 0"
is "$(cat "$O/from4.err")" "" "recvfrom IPv4: nothing on stderr"
$UDPCHECK "$O/from4.json" "$O/from4.out"
ok $? "recvfrom IPv4: every sender's row exact (udp, source user), from a process started after recvtop"
is "$($RTCHECK summary "$O/from4.out" senders)" true "summary: senders true with uprobes"

# 2. recvmsg, IPv4 and IPv6
hw msg4 "$JSON" --api recvmsg --port 23502 --senders 3 --sport 23610 --count 30 --size 200
is "$UDP_ST/$RT_ST" "0/0" "recvmsg IPv4: rtudp and recvtop exit 0"
$UDPCHECK "$O/msg4.json" "$O/msg4.out"
ok $? "recvmsg IPv4: every sender's row exact"
hw msg6 "$JSON" --api recvmsg --family 6 --port 23503 --senders 2 --sport 23620 --count 25 --size 300
is "$UDP_ST/$RT_ST" "0/0" "recvmsg IPv6: rtudp and recvtop exit 0"
$UDPCHECK "$O/msg6.json" "$O/msg6.out"
ok $? "recvmsg IPv6 (::1): every sender's row exact"
hw from6 "$JSON" --api recvfrom --family 6 --port 23504 --senders 2 --sport 23630 --count 25 --size 50
is "$UDP_ST/$RT_ST" "0/0" "recvfrom IPv6: rtudp and recvtop exit 0"
$UDPCHECK "$O/from6.json" "$O/from6.out"
ok $? "recvfrom IPv6 (::1): every sender's row exact"

# 3. recv(): a NULL address, no peer row; its receives still counted
hw recv "$JSON" --api recv --port 23505 --senders 2 --sport 23640 --count 20 --size 100
is "$UDP_ST/$RT_ST" "0/0" "recv: rtudp and recvtop exit 0"
$UDPCHECK "$O/recv.json" "$O/recv.out" --none
ok $? "recv (NULL address): no sender row"
is "$(python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1]) if "\"summary\"" in l][-1]; print(sum(p["calls"] for p in s["processes"] if p["comm"] == "rtu-recv"))' "$O/recv.out")" 41 \
	"recv: the receiver's 41 receives counted"

# 4. by default, and with --no-uprobes after --uprobes: no sender rows,
# senders false, no uprobe
hw off "--batch --json -d 0.2" --api recvfrom --port 23506 --senders 2 --sport 23650 --count 10 --size 100
is "$UDP_ST/$RT_ST" "0/0" "default: rtudp and recvtop exit 0"
$UDPCHECK "$O/off.json" "$O/off.out" --none
ok $? "default: no sender row"
is "$($RTCHECK summary "$O/off.out" senders)" false "default: senders false"
is "$($RTCHECK summary "$O/off.out" uprobes)" false "default: uprobes false"
hw off2 "$JSON --no-uprobes" --api recvfrom --port 23506 --senders 2 --sport 23650 --count 10 --size 100
is "$UDP_ST/$RT_ST" "0/0" "--uprobes --no-uprobes: rtudp and recvtop exit 0"
$UDPCHECK "$O/off2.json" "$O/off2.out" --none
ok $? "--uprobes --no-uprobes: no sender row (the last one wins)"

# 5. the tracepoint backend gets them too
hw tp "$JSON --backend tracepoint" --api recvfrom --port 23507 --senders 3 --sport 23660 --count 20 --size 100
is "$UDP_ST/$RT_ST" "0/0" "tracepoint backend: rtudp and recvtop exit 0"
$UDPCHECK "$O/tp.json" "$O/tp.out"
ok $? "tracepoint backend: every sender's row exact"

# 5b. -p: only the receiver is traced (its libc found through its maps)
rm -f "$O/pid.gate"
"$RTUDP" --api recvfrom --port 23509 --senders 2 --sport 23680 --count 15 --size 90 \
	--gate "$O/pid.gate" --expect "$O/pid.json" >/dev/null 2>"$O/pid.udp.err" &
UDP_PID=$!
sleep 0.3
rt_bg "$O/pid" $JSON -p "$UDP_PID"
rt_wait_started "$RT_PID" || diag "-p: recvtop did not start tracing"
touch "$O/pid.gate"
wait "$UDP_PID"
UDP_ST=$?
sleep 0.5
kill -INT "$RT_PID" 2>/dev/null
wait "$RT_PID"
RT_ST=$?
check_clean "$RT_PID" "-p"
RT_PID=
is "$UDP_ST/$RT_ST" "0/0" "-p RECEIVER: rtudp and recvtop exit 0"
$UDPCHECK "$O/pid.json" "$O/pid.out"
ok $? "-p RECEIVER: every sender's row exact"

# 6. a recording: its report and replay equal the live numbers
hw rec "record --no-kallsyms --uprobes -o $O/rec.dat" --api recvmsg --port 23508 --senders 3 --sport 23670 --count 30 --size 120
is "$UDP_ST/$RT_ST" "0/0" "record: rtudp and recvtop exit 0"
"$RECVTOP" report --json -i "$O/rec.dat" >"$O/rep.out" 2>"$O/rep.err"
is "$?" 0 "report: exit status"
$UDPCHECK "$O/rec.json" "$O/rep.out"
ok $? "report of the recording: every sender's row exact"
"$RECVTOP" --batch --json -i "$O/rec.dat" >"$O/replay.out" 2>"$O/replay.err"
is "$?" 0 "replay: exit status"
$UDPCHECK "$O/rec.json" "$O/replay.out"
ok $? "replay of the recording: every sender's row exact"
n=$(trace-cmd report -i "$O/rec.dat" 2>/dev/null | grep -c 'umsg[0-9]*_[0-9]*:')
is "$n" 93 "trace-cmd report opens the file and prints the 93 recvmsg uprobe events"

# 7. kill -9, then recvtop reset removes the uprobes
rt_bg "$O/kill" $JSON
rt_wait_started "$RT_PID" || diag "kill: recvtop did not start tracing"
grep -q "^p:recvtop_$RT_PID/u" "$T/dynamic_events"
ok $? "kill -9: the run's uprobes are in dynamic_events"
kill -9 "$RT_PID"
wait "$RT_PID" 2>/dev/null
killed=$RT_PID
RT_PID=
"$RECVTOP" reset >"$O/reset.out" 2>&1
is "$?" 0 "reset: exit status"
is "$(grep -c "recvtop_$killed/" "$T/dynamic_events")" 0 \
	"kill -9 then reset: no uprobe of the killed run in dynamic_events"
check_clean "$killed" "kill -9 then reset"

done_testing
