#!/bin/bash
# TCP peers: each connection's remote address and port and our local
# port, from sock:inet_sock_set_state, exact per peer against rtpeer
# (a TCP server and a client on chosen local ports); IPv6 (::1); 1,000
# short connections; on the tracepoint backend the text view says peers
# are not visible.
. "$RT_TOP/tests/lib/rt.sh"
need_root "peers"
ensure_tracefs
O="$RT_OUT/peers"
rm -rf "$O"
mkdir -p "$O"
trap cleanup_all EXIT
RTPEER="$RT_TOOLS/rtpeer"
PEERCHECK="python3 $RT_TOP/tests/lib/peercheck.py"
backend=$("$RECVTOP" probes 2>/dev/null | sed -n 's/^backend: \([a-z]*\).*/\1/p')

# recvtop runs host-wide (stopped by SIGINT once rtpeer is done): a
# connection's state changes run in whatever task the network softirq
# interrupted, which the pid filter of -p and -- COMMAND drops (see
# recvtop(1), TCP PEERS)
finish() {
	[ -n "${PEER_PID:-}" ] && kill "$PEER_PID" 2>/dev/null
	[ -n "${RT_PID:-}" ] && kill "$RT_PID" 2>/dev/null
	cleanup_all
}
trap finish EXIT

hw() {	# hw NAME RTPEER-ARGS...: recvtop "${HW_RT[@]}" around rtpeer
	local name=$1
	shift
	rt_bg "$O/$name" "${HW_RT[@]}"
	rt_wait_started "$RT_PID" || diag "$name: recvtop did not start tracing"
	"$RTPEER" "$@" --expect "$O/$name.json" >/dev/null 2>"$O/$name.peer.err"
	PEER_ST=$?
	sleep 0.5
	kill -INT "$RT_PID"
	wait "$RT_PID"
	RT_ST=$?
	RT_PID=
}
HW_RT=(--batch --json -d 0.2)

# 1. IPv4, clients bound to local ports 22100..22104 (chosen ports stay
# below the ephemeral range: a TIME_WAIT there would refuse the bind)
hw v4 --conns 5 --lport 22100 --req 1234 --resp 5678
is "$PEER_ST/$RT_ST" "0/0" "IPv4 ($backend): rtpeer and recvtop exit 0"
is "$(cat "$O/v4.err")" "" "IPv4: nothing on stderr"
$PEERCHECK "$O/v4.json" "$O/v4.out" "IPv4 ($backend)"
ok $? "IPv4: every peer exact"
is "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[2])); print(sorted({p["local_port"] for p in json.loads(open(sys.argv[1]).read().splitlines()[-1])["peers"] if p["port"] == e["port"]}))' "$O/v4.out" "$O/v4.json")" \
	"[22100, 22101, 22102, 22103, 22104]" "IPv4: the client rows' local ports are the ones bound"

# 2. IPv6 on ::1
hw v6 --family 6 --conns 3 --req 999 --resp 77
is "$PEER_ST/$RT_ST" "0/0" "IPv6: rtpeer and recvtop exit 0"
$PEERCHECK "$O/v6.json" "$O/v6.out" "IPv6 ::1 ($backend)"
ok $? "IPv6: every peer exact"

# 3. 1,000 short connections: connect, one request, close
hw short --conns 1000 --req 100 --resp 200
is "$PEER_ST/$RT_ST" "0/0" "1,000 short connections: rtpeer and recvtop exit 0"
$PEERCHECK "$O/short.json" "$O/short.out" "1,000 short connections"
ok $? "1,000 short connections: every peer exact"
is "$($RTCHECK summary "$O/short.out" lost)" 0 "1,000 short connections: lost 0"

# 3b. -c filters the named processes' events, not the state changes
# (they run in any task): the client's peers are named
HW_RT=(--batch --json -d 0.2 -c rtp-client)
hw comm --conns 3 --lport 22800 --req 300 --resp 700
is "$PEER_ST/$RT_ST" "0/0" "-c rtp-client: rtpeer and recvtop exit 0"
is "$(python3 -c 'import json,sys
e = json.load(open(sys.argv[1]))
s = json.loads(open(sys.argv[2]).read().splitlines()[-1])
rows = sorted((p["local_port"], p["calls"], p["bytes"], p["send_calls"], p["send_bytes"]) for p in s["peers"] if p["port"] == e["port"] or p["local_port"] == e["port"])
print(rows)' "$O/comm.json" "$O/comm.out")" \
	"[(22800, 1, 700, 1, 300), (22801, 1, 700, 1, 300), (22802, 1, 700, 1, 300)]" \
	"-c rtp-client: the client's three peers exact, the server's not counted"

# 4. connections older than the run, found in the socket tables
# (/proc/PID/net/tcp): their sk address is real for root only with
# kernel.kptr_restrict 1 (0 prints a hash), set for these runs and put
# back on every exit path
kptr_old=$(cat /proc/sys/kernel/kptr_restrict)
restore_kptr() {
	echo "$kptr_old" >/proc/sys/kernel/kptr_restrict
}
finish_kptr() {
	restore_kptr
	finish
}
trap finish_kptr EXIT
[ "$kptr_old" = 0 ] && echo 1 >/proc/sys/kernel/kptr_restrict

# PRE NAME ARGS...: rtpeer ARGS makes its connections, then recvtop ARGS
# of $PRE_RT starts host-wide, the gate opens, the bytes flow; recvtop is
# stopped (SIGINT) once rtpeer is done.  The gate opens once tracing is
# on, which is before recvtop reads the socket tables: the client keeps
# its connections open 1.5 s after their bytes, so that read finds them
# however loaded the host is (closed by then, they would not be named)
pre() {
	local name=$1
	shift
	rm -f "$O/$name.gate" "$O/$name.ready"
	"$@" --gate "$O/$name.gate" --ready "$O/$name.ready" \
		--linger-ms 1500 --expect "$O/$name.json" &
	PEER_PID=$!
	n=0
	while [ ! -e "$O/$name.ready" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	rt_bg "$O/$name" "${PRE_RT[@]}"
	rt_wait_started "$RT_PID" || diag "$name: recvtop did not start tracing"
	touch "$O/$name.gate"
	wait "$PEER_PID"
	PEER_ST=$?
	PEER_PID=
	sleep 0.3
	kill -INT "$RT_PID"
	wait "$RT_PID"
	RT_ST=$?
	RT_PID=
}

PRE_RT=(--batch --json -d 0.2)
pre old "$RTPEER" --conns 4 --lport 22200 --req 4321 --resp 8765
is "$PEER_ST/$RT_ST" "0/0" "connections older than the run: rtpeer and recvtop exit 0"
$PEERCHECK "$O/old.json" "$O/old.out" "connections older than the run"
ok $? "connections older than the run: every peer exact (named from /proc/net/tcp)"

# 5. a server in another network namespace (lo up), live and older
rt_bg "$O/ns" --batch --json -d 0.2
rt_wait_started "$RT_PID" || diag "ns: recvtop did not start tracing"
unshare -n sh -c "ip link set lo up && exec \"$RTPEER\" --conns 3 --lport 22300 --req 222 --resp 333 --expect \"$O/ns.json\"" \
	2>"$O/ns.peer.err"
PEER_ST=$?
sleep 0.5
kill -INT "$RT_PID"
wait "$RT_PID"
RT_ST=$?
RT_PID=
is "$PEER_ST/$RT_ST" "0/0" "another network namespace: rtpeer and recvtop exit 0"
$PEERCHECK "$O/ns.json" "$O/ns.out" "another network namespace"
ok $? "another network namespace: every peer exact"
pre nsold unshare -n sh -c "ip link set lo up && exec \"\$0\" \"\$@\"" \
	"$RTPEER" --family 6 --conns 3 --lport 22400 --req 5555 --resp 66
is "$PEER_ST/$RT_ST" "0/0" "older connections in another namespace: rtpeer and recvtop exit 0"
$PEERCHECK "$O/nsold.json" "$O/nsold.out" "older connections in another namespace (IPv6)"
ok $? "older connections in another namespace: every peer exact (its /proc/PID/net/tcp6 read)"

# 6. a recording keeps them: its report and replay equal the live numbers
PRE_RT=(record --no-kallsyms -o "$O/pre.dat")
pre rec "$RTPEER" --conns 3 --lport 22500 --req 1111 --resp 2222
is "$PEER_ST/$RT_ST" "0/0" "record with older connections: rtpeer and recvtop exit 0"
grep -a -c '^conn ffff' "$O/pre.dat" >"$O/rec.conns"
[ "$(cat "$O/rec.conns")" -ge 6 ]
ok $? "record: the start-time connection table is in the file ($(cat "$O/rec.conns") conn lines)"
"$RECVTOP" report --json -i "$O/pre.dat" >"$O/rep.out" 2>"$O/rep.err"
is "$?" 0 "report: exit status"
$PEERCHECK "$O/rec.json" "$O/rep.out" "report of the recording"
ok $? "report of the recording: every peer exact"
"$RECVTOP" --batch --json -i "$O/pre.dat" >"$O/replay.out" 2>"$O/replay.err"
is "$?" 0 "replay: exit status"
$PEERCHECK "$O/rec.json" "$O/replay.out" "replay of the recording"
ok $? "replay of the recording: every peer exact"
"$RECVTOP" record --no-kallsyms -o "$O/live.dat" -- "$RTPEER" --conns 20 \
	--req 300 --resp 400 --expect "$O/live.json" >/dev/null 2>"$O/live.err"
is "$?" 0 "record of new connections: exit status"
"$RECVTOP" report --json -i "$O/live.dat" >"$O/lrep.out" 2>"$O/lrep.err"
$PEERCHECK "$O/live.json" "$O/lrep.out" "report of new connections"
ok $? "report of new connections: every peer exact (from the recorded inet_sock_set_state)"
n=$(trace-cmd report -i "$O/live.dat" 2>/dev/null | grep -c 'inet_sock_set_state:.*newstate=TCP_ESTABLISHED')
[ "$n" -ge 40 ]
ok $? "trace-cmd report opens the file and prints its inet_sock_set_state events ($n ESTABLISHED, want >= 40)"
restore_kptr
if [ "$kptr_old" = 0 ]; then
	# the control: with kptr_restrict 0 the tables show hashes, so the
	# same connections are not named, and the text view says why
	PRE_RT=(--batch -d 0.2)
	pre hashed "$RTPEER" --conns 2 --lport 22600 --req 10 --resp 20
	like "$(cat "$O/hashed.out")" "TCP connections older than the run are not named: the socket tables show no socket addresses; kernel.kptr_restrict 1 shows them to root" \
		"kptr_restrict 0: the text view says the older connections are not named, and why"
	port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$O/hashed.json")
	! grep -Eq "127\.0\.0\.1 +$port " "$O/hashed.out"
	ok $? "kptr_restrict 0: no peer row names the older connections (port $port)"
else
	skip "kptr_restrict 0 control" "kernel.kptr_restrict is $kptr_old here"
fi

# 7. the exporter's peer series carry proto and local_port
PROMCHECK="/usr/bin/python3 $RT_TOP/tests/lib/promcheck.py"
# a fixed test port below the ephemeral range (32768-60999): a port from
# there can be an earlier connection's local port (EADDRINUSE)
EP=19452
rt_bg "$O/exp" export --listen "127.0.0.1:$EP" --labels peer -d 0.2
rt_wait_started "$RT_PID"
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$EP/metrics" -o /dev/null && break
	sleep 0.1
done
"$RTPEER" --conns 2 --lport 22700 --req 4000 --resp 9000 \
	--expect "$O/exp.json" >/dev/null
sleep 1
curl -sf "http://127.0.0.1:$EP/metrics" -o "$O/exp.prom"
ok $? "export: scraped"
kill -INT "$RT_PID"
wait "$RT_PID"
is "$?" 0 "export: exit status after SIGINT"
RT_PID=
sp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$O/exp.json")
is "$($PROMCHECK samples "$O/exp.prom" recvtop_peer_receive_bytes_total family=inet peer=127.0.0.1 port="$sp" proto=tcp local_port=22700)" "9000 1" \
	"export --labels peer: the client's peer (port $sp, local port 22700, tcp) received 9000 bytes"
is "$($PROMCHECK samples "$O/exp.prom" recvtop_peer_send_bytes_total peer=127.0.0.1 port=22701 proto=tcp local_port="$sp")" "9000 1" \
	"export --labels peer: the server's peer (port 22701, local port $sp) was sent 9000 bytes"

# 8. the tracepoint backend sees descriptors, not sockets: it says so
# (without the libc uprobes, which name UDP senders there: system/23)
"$RECVTOP" --batch --backend tracepoint --no-uprobes -- "$RTPEER" --conns 2 \
	>"$O/tp.out" 2>"$O/tp.err"
is "$?" 0 "tracepoint backend: exit status"
like "$(cat "$O/tp.out")" "PEERS: sender addresses are not visible on the tracepoint backend without kprobes or --uprobes \(it sees descriptors, not sockets: no TCP peers either\)" \
	"tracepoint backend: the text view says peers are not visible"
like "$("$RECVTOP" probes --backend tracepoint)" "TCP peers: not visible" \
	"probes --backend tracepoint: TCP peers not visible"
like "$("$RECVTOP" probes)" "TCP peers: sock:inet_sock_set_state" \
	"probes: TCP peers from sock:inet_sock_set_state"

check_clean $$ "peers suite"
[ -z "$(grep -l recvtop "$T"/dynamic_events 2>/dev/null)" ] ||
	diag "dynamic_events: $(grep recvtop "$T"/dynamic_events)"
done_testing
