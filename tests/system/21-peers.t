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

# 1. IPv4, clients bound to local ports 42100..42104
"$RECVTOP" --batch --json -- "$RTPEER" --conns 5 --lport 42100 --req 1234 \
	--resp 5678 --expect "$O/v4.json" >"$O/v4.out" 2>"$O/v4.err"
is "$?" 0 "IPv4 ($backend): exit status"
is "$(cat "$O/v4.err")" "" "IPv4: nothing on stderr"
$PEERCHECK "$O/v4.json" "$O/v4.out" "IPv4 ($backend)"
ok $? "IPv4: every peer exact"
is "$(python3 -c 'import json,sys; print(sorted({p["local_port"] for p in json.loads(open(sys.argv[1]).read().splitlines()[-1])["peers"] if p["local_port"] != json.load(open(sys.argv[2]))["port"]}))' "$O/v4.out" "$O/v4.json")" \
	"[42100, 42101, 42102, 42103, 42104]" "IPv4: the client rows' local ports are the ones bound"

# 2. IPv6 on ::1
"$RECVTOP" --batch --json -- "$RTPEER" --family 6 --conns 3 --req 999 \
	--resp 77 --expect "$O/v6.json" >"$O/v6.out" 2>"$O/v6.err"
is "$?" 0 "IPv6: exit status"
$PEERCHECK "$O/v6.json" "$O/v6.out" "IPv6 ::1 ($backend)"
ok $? "IPv6: every peer exact"

# 3. 1,000 short connections: connect, one request, close
"$RECVTOP" --batch --json -- "$RTPEER" --conns 1000 --req 100 --resp 200 \
	--expect "$O/short.json" >"$O/short.out" 2>"$O/short.err"
is "$?" 0 "1,000 short connections: exit status"
$PEERCHECK "$O/short.json" "$O/short.out" "1,000 short connections"
ok $? "1,000 short connections: every peer exact"
is "$($RTCHECK summary "$O/short.out" lost)" 0 "1,000 short connections: lost 0"

# 4. the tracepoint backend sees descriptors, not sockets: it says so
"$RECVTOP" --batch --backend tracepoint -- "$RTPEER" --conns 2 \
	>"$O/tp.out" 2>"$O/tp.err"
is "$?" 0 "tracepoint backend: exit status"
like "$(cat "$O/tp.out")" "PEERS: sender addresses are not visible on the tracepoint backend \(it sees descriptors, not sockets: no TCP peers either\)" \
	"tracepoint backend: the text view says peers are not visible"
like "$("$RECVTOP" probes --backend tracepoint)" "TCP peers: not visible" \
	"probes --backend tracepoint: TCP peers not visible"
like "$("$RECVTOP" probes)" "TCP peers: sock:inet_sock_set_state" \
	"probes: TCP peers from sock:inet_sock_set_state"

check_clean $$ "peers suite"
[ -z "$(grep -l recvtop "$T"/dynamic_events 2>/dev/null)" ] ||
	diag "dynamic_events: $(grep recvtop "$T"/dynamic_events)"
done_testing
