#!/bin/bash
# Real servers from Debian's packages, each traced by recvtop from its
# start to its end and compared with its own byte counter:
#   - redis-server under redis-benchmark: INFO stats total_net_input_bytes
#     and total_net_output_bytes
#   - memcached under a text-protocol client (sets and gets of many sizes
#     over several connections): stats bytes_read and bytes_written
# Both receive with read(2); redis answers with write(2), memcached with
# sendmsg(2).  recvtop's row for the server must hold exactly the server's
# bytes both ways (sent: the counter plus the reply that carried it, which
# the server counts after it wrote the counter), each by_via its way, on
# every backend the kernel has (the tracepoint backend tells the servers'
# sockets from their files).  Servers listen on 127.0.0.1 test ports and
# are stopped at the end, also on failure.
. "$RT_TOP/tests/lib/rt.sh"
need_root "real servers"
ensure_tracefs
O="$RT_OUT/eco-servers"
rm -rf "$O"
mkdir -p "$O"
SRV=""
cleanup() {
	[ -n "$SRV" ] && kill -KILL "$SRV" 2>/dev/null
	[ -n "$RT_PID" ] && kill -TERM "$RT_PID" 2>/dev/null && wait "$RT_PID" 2>/dev/null
	cleanup_all
}
trap cleanup EXIT

# every backend sees read(2): the default one, and each other one this
# kernel has (the tracepoint backend everywhere; kprobe where it exists)
BACKENDS="auto tracepoint"
[ -e "$T/kprobe_events" ] && [ -e "$T/events/sock/sock_recv_length" ] &&
	BACKENDS="$BACKENDS kprobe"

free_port() {	# free_port BASE: the first port from BASE nobody listens on
	local p=$1
	while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

# the server's process: the command recvtop runs (its only child)
server_pid() {	# server_pid NAME
	local i=0 p
	while [ $i -lt 100 ]; do
		p=$(pgrep -P "$RT_PID" -x "$1")
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# the server's row of recvtop's summary: "bytes calls by_via-keys
# read-bytes send-bytes send-via-bytes" (the receive keys of by_via; the
# send one's bytes: VIA given)
row_of() {	# row_of FILE PID VIA
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = lines[-1] if lines and lines[-1].get("type") == "summary" else None
rows = [p for p in (s or {}).get("processes", []) if p["pid"] == int(sys.argv[2])]
if not rows:
    print("none")
else:
    p = rows[0]
    v = p.get("by_via", {})
    print(p["bytes"], p["calls"],
          ",".join(sorted(k for k in v if not k.startswith("send:"))) or "-",
          v.get("read", {}).get("bytes", 0), p.get("send_bytes"),
          ",".join(sorted(k for k in v if k.startswith("send:"))) or "-",
          v.get(sys.argv[3], {}).get("bytes", 0))
PY
}

# stop the server, then its row against its own counter
judge() {	# judge NAME OUT WANT COUNTER MIN_BYTES WANT_TX TX_COUNTER TX_VIA
	local name="$1 ($BK)" out=$2 want=$3 counter=$4 min=$5 spid=$SRV
	local want_tx=$6 tx_counter=$7 tx_via=$8
	kill -TERM "$SRV"
	wait "$RT_PID"
	is "$?" 0 "recvtop ends with $name's status (SIGTERM: a clean shutdown)"
	SRV=""
	RT_PID=""
	set -- $(row_of "$out" "$spid" "$tx_via")
	diag "$name $counter $want, $tx_counter $want_tx; recvtop bytes ${1:-?} calls ${2:-?} via ${3:-?}, sent ${5:-?} via ${6:-?}"
	[ -n "$want" ] && [ "$want" -gt "$min" ]
	ok $? "$name counted a real load ($counter $want > $min)"
	is "${1:-none}" "$want" "$name: recvtop's bytes equal $counter"
	is "${3:-}" "read" "$name: every receive by_via read"
	is "${4:-}" "$want" "$name: by_via read holds every byte"
	[ -n "$want_tx" ] && [ "$want_tx" -gt "$min" ]
	ok $? "$name sent a real load ($tx_counter $want_tx > $min)"
	is "${5:-none}" "$want_tx" "$name: recvtop's send_bytes equal $tx_counter"
	is "${6:-}" "$tx_via" "$name: every send by_via $tx_via"
	is "${7:-}" "$want_tx" "$name: by_via $tx_via holds every byte sent"
}

for BK in $BACKENDS; do
# ---- redis ----
if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
	port=$(free_port 26379)
	rt_bg "$O/redis-$BK" --batch --json --backend "$BK" -- redis-server --port "$port" \
		--bind 127.0.0.1 --save '' --appendonly no --dir "$O" \
		--logfile "$O/redis.log"
	rt_wait_started "$RT_PID"
	SRV=$(server_pid redis-server)
	ok $? "redis-server runs under recvtop --backend $BK (pid ${SRV:-?}, port $port)"
	i=0
	until [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	redis-benchmark -p "$port" -q -n 20000 -c 8 -d 100 -t set,get,lpush,incr \
		>"$O/bench.out" 2>&1
	is "$?" 0 "redis-benchmark ($BK): exit status"
	# INFO on a socket of our own: its reply's exact size on the wire
	python3 - "$port" >"$O/info.txt" 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"INFO stats\r\n")
buf = b""
while b"\r\n" not in buf or len(buf) < int(buf[1:buf.index(b"\r\n")]) + buf.index(b"\r\n") + 4:
    chunk = s.recv(65536)
    if not chunk:
        raise SystemExit("connection closed")
    buf += chunk
s.close()
for line in buf.decode().splitlines():
    if line.startswith("total_net_"):
        print(line.replace(":", " "))
print("reply_bytes", len(buf))
PY
	want=$(sed -n 's/^total_net_input_bytes //p' "$O/info.txt")
	out_b=$(sed -n 's/^total_net_output_bytes //p' "$O/info.txt")
	reply=$(sed -n 's/^reply_bytes //p' "$O/info.txt")
	judge redis-server "$O/redis-$BK.out" "$want" "INFO total_net_input_bytes" 1000000 \
		"$(( ${out_b:-0} + ${reply:-0} ))" "INFO total_net_output_bytes + its reply" send:write
else
	skip "redis-server against INFO stats" "redis-server or redis-benchmark missing (scripts/install-deps.sh)"
fi

# ---- memcached ----
if command -v memcached >/dev/null; then
	port=$(free_port 21211)
	rt_bg "$O/mc-$BK" --batch --json --backend "$BK" -- memcached -l 127.0.0.1 -p "$port" -U 0 \
		-u nobody -t 2 -m 64
	rt_wait_started "$RT_PID"
	SRV=$(server_pid memcached)
	ok $? "memcached runs under recvtop --backend $BK (pid ${SRV:-?}, port $port)"
	python3 - "$port" >"$O/mc.client" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        break
    except OSError:
        time.sleep(0.1)
def cmd(s, data, want):
    s.sendall(data)
    buf = b""
    while not buf.endswith(want):
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    return buf
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
n = 0
for i in range(4000):
    s = conns[i % 4]
    size = 1 + (i * 7919) % 20000
    key = b"k%d" % (i % 500)
    cmd(s, b"set %s 0 0 %d\r\n" % (key, size) + b"x" * size + b"\r\n", b"STORED\r\n")
    cmd(s, b"get %s\r\n" % key, b"END\r\n")
    n += 2
for s in conns:
    s.close()
s = socket.create_connection(("127.0.0.1", port))
raw = cmd(s, b"stats\r\n", b"END\r\n")
out = raw.decode()
s.close()
for line in out.splitlines():
    if line.startswith("STAT bytes_read ") or line.startswith("STAT bytes_written "):
        print(line.split()[1], line.split()[2])
print("reply_bytes", len(raw))
print("commands", n)
PY
	is "$?" 0 "memcached client ($BK): exit status"
	want=$(sed -n 's/^bytes_read //p' "$O/mc.client")
	out_b=$(sed -n 's/^bytes_written //p' "$O/mc.client")
	reply=$(sed -n 's/^reply_bytes //p' "$O/mc.client")
	judge memcached "$O/mc-$BK.out" "$want" "stats bytes_read" 10000000 \
		"$(( ${out_b:-0} + ${reply:-0} ))" "stats bytes_written + its reply" send:sendmsg
else
	skip "memcached against stats bytes_read" "memcached missing (scripts/install-deps.sh)"
fi
done
check_clean $$ "real servers"
done_testing
