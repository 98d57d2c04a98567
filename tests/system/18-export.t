#!/bin/bash
# recvtop export: Debian's prometheus scrapes a test instance every second
# and its query API gives exactly the batch JSON of the same traffic;
# promtool accepts the output; OpenMetrics when asked for; --labels split
# the same totals; GET/HEAD only; hostile clients (idle, slowloris,
# oversized headers, garbage, non-readers) never stall a scrape past 2 s
# nor grow memory; pid churn with --max-series keeps exact totals in an
# (other) series and flat memory; the container label of a generator and
# a memory reader in a fake container's cgroup (removed by the trap); gone
# processes' series go after --series-grace; TLS and basic auth from --web-config; IPv6 listening;
# bad input refused with one line; SIGTERM/SIGINT exit 0, tracefs clean.
. "$RT_TOP/tests/lib/rt.sh"
need_root "export"
ensure_tracefs
O="$RT_OUT/export"
rm -rf "$O"
mkdir -p "$O"
PROMCHECK="/usr/bin/python3 $RT_TOP/tests/lib/promcheck.py"
RTGEN="$RT_TOOLS/rtgen"
RTCARD="$RT_TOOLS/rtcard"
P=19431			# test ports: P .. P+9
kids=()
# a fake container's cgroup (section 5), in the v2 hierarchy of this
# process's mountinfo (/sys/fs/cgroup or a hybrid host's .../unified)
V2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
CBASE="/rt18-$$"
finish() {
	local d
	for k in "${kids[@]}"; do
		kill -TERM "$k" 2>/dev/null
	done
	for k in "${kids[@]}"; do
		wait "$k" 2>/dev/null
	done
	if [ -n "$V2" ] && [ -d "$V2$CBASE" ]; then
		for d in $(find "$V2$CBASE" -depth -type d); do
			while read -r p; do
				echo "$p" >"$V2/cgroup.procs" 2>/dev/null
			done <"$d/cgroup.procs"
		done
		find "$V2$CBASE" -depth -type d -exec rmdir {} + 2>/dev/null
	fi
	cleanup_all
}
trap finish EXIT

# start an exporter (binary $1) on port $2 with more options; sets EXP
exp_start() {
	local bin=$1 port=$2 name=$3
	shift 3
	"$bin" export --listen "127.0.0.1:$port" "$@" >"$O/$name.out" \
		2>"$O/$name.err" &
	EXP=$!
	kids+=("$EXP")
	rt_wait_started "$EXP" 20 || return 1
	# serving once the first interval is in
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# stop it with a signal; ok when it exits 0 and leaves tracefs clean
exp_stop() {	# exp_stop PID SIGNAL NAME
	kill -"$2" "$1"
	wait "$1"
	is "$?" 0 "$3: SIGTERM/SIGINT ($2) exits 0"
	check_clean "$1" "$3"
}

scrape() {	# scrape PORT FILE [CURL ARGS]
	local port=$1 f=$2
	shift 2
	curl -sf "$@" "http://127.0.0.1:$port/metrics" -o "$f"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# ---- 1. bad input: one line, exit 2, nothing traced ----
for args in "--listen foo" "--listen 127.0.0.1:0x10" "--listen [::1]9000" \
	"--labels pid,color" "--labels proto,via" "--max-series 0" \
	"--series-grace -1" "--web-config $O/none.yml" "-b" "--json"; do
	# shellcheck disable=SC2086
	out=$("$RECVTOP" export $args 2>&1)
	st=$?
	is "$st" 2 "export $args: exit status 2"
	is "$(printf '%s\n' "$out" | wc -l)" 1 "export $args: one line ($out)"
done
like "$("$RECVTOP" export --labels proto,via 2>&1)" "cannot be combined" \
	"--labels proto,via: says why"
like "$("$RECVTOP" export --web-config "$O/none.yml" 2>&1)" \
	"^recvtop: --web-config '$O/none.yml': No such file" \
	"--web-config: a missing file is named"
printf 'tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  min_version: TLS13\n' \
	>"$O/bad1.yml"
printf 'basic_auth_users:\n  alice: plaintext\n' >"$O/bad2.yml"
printf 'http_server_config:\n  http2: true\n' >"$O/bad3.yml"
printf 'basic_auth_users: [\n' >"$O/bad4.yml"
for b in 1 2 3 4; do
	out=$("$RECVTOP" export --web-config "$O/bad$b.yml" 2>&1)
	is "$?" 2 "web config bad$b: exit status 2 ($out)"
done
like "$("$RECVTOP" export --web-config "$O/bad1.yml" 2>&1)" \
	"tls_server_config.min_version is not supported" \
	"web config: an unsupported key is named, not ignored"
like "$("$RECVTOP" export --web-config "$O/bad2.yml" 2>&1)" \
	"alice: not a bcrypt hash" "web config: a plain-text password is refused"
like "$("$RECVTOP" export --web-config "$O/bad4.yml" 2>&1)" \
	"bad4.yml': line [0-9]+:" "web config: a YAML error names the line"

# a port in use: one line naming it, exit 1, tracefs clean
python3 -c 'import socket,time,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' $((P + 9)) &
busy=$!
kids+=("$busy")
sleep 0.5
out=$("$RECVTOP" export --listen 127.0.0.1:$((P + 9)) 2>&1)
st=$?
is "$st" 1 "a port in use: exit status 1"
like "$out" "^recvtop: --listen 127.0.0.1:$((P + 9)): Address already in use$" \
	"a port in use: one line naming the address"
kill "$busy" 2>/dev/null
left=$(ls "$T/instances" | grep '^recvtop-' | while read -r i; do
	[ -d "/proc/${i#recvtop-}" ] || echo "$i"; done)
is "$left" "" "a port in use: no instance left behind"

# ---- 2. Prometheus scrapes the exporter; its API equals batch JSON ----
exp_start "$RECVTOP" "$P" main -d 0.5 --labels pid
ok $? "export started (sanitized build), serving on 127.0.0.1:$P"
MAIN=$EXP
like "$(cat "$O/main.err")" "serving http://127.0.0.1:$P/metrics \(backend [a-z]+\)" \
	"export says where it serves and on which backend"
cat >"$O/prom.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: recvtop
    static_configs:
      - targets: ['127.0.0.1:$P']
EOF
promtool check config "$O/prom.yml" >"$O/promtool-config.out" 2>&1
ok $? "promtool check config accepts the scrape config"
prometheus --config.file="$O/prom.yml" --storage.tsdb.path="$O/tsdb" \
	--web.listen-address=127.0.0.1:$((P + 1)) >"$O/prom.log" 2>&1 &
PROM=$!
kids+=("$PROM")
PURL="http://127.0.0.1:$((P + 1))"
up=""
for _ in $(seq 60); do
	up=$(curl -s "$PURL/api/v1/query?query=up" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null)
	[ "$up" = 1 ] && break
	sleep 0.5
done
is "$up" 1 "prometheus scrapes the exporter (up == 1)"
fmt=$(curl -s "$PURL/api/v1/targets" | python3 -c 'import json,sys; t=json.load(sys.stdin)["data"]["activeTargets"][0]; print(t["health"], t.get("lastError",""))')
is "$fmt" "up " "prometheus's target is healthy, no scrape error"

"$RECVTOP" --batch --json -- "$RTGEN" --count 400 --size 333 \
	--expect "$O/gen.json" >"$O/batch.out" 2>"$O/batch.err"
is "$?" 0 "batch run of the same traffic: exit status"
res=$($PROMCHECK batch-vs-prom "$O/batch.out" "$PURL" rtg- --wait 20)
ok $? "prometheus's query API equals the batch JSON for every generator process (calls, bytes, errors, send_calls, send_bytes): $res"
like "$res" "^[0-9]+ processes equal" "the comparison covered the generator's processes"
read -r gen_bytes gen_pids udp4_pid < <(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["processes"]; print(sum(x["bytes"] for x in p), "|".join(str(x["pid"]) for x in p), [x["pid"] for x in p if x["comm"] == "rtg-udp4"][0])' "$O/gen.json")
q=$(curl -s "$PURL/api/v1/query" --data-urlencode "query=sum(recvtop_receive_bytes_total{pid=~\"$gen_pids\"})" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
is "$q" "$gen_bytes" "prometheus's sum of the generator's receive bytes is the generator's own count"
hq=$(curl -s "$PURL/api/v1/query" --data-urlencode "query=sum(recvtop_receive_latency_seconds_count{pid=\"$udp4_pid\"})" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")')
is "$hq" 400 "the latency histogram counts every rtg-udp4 receive (400)"

# ---- 3. the formats ----
scrape "$P" "$O/text.prom"
ok $? "GET /metrics"
promtool check metrics <"$O/text.prom" >"$O/promtool.out" 2>&1
ok $? "promtool check metrics accepts the text format ($(head -c 200 "$O/promtool.out"))"
$PROMCHECK batch-vs-scrape "$O/batch.out" "$O/text.prom" rtg- >"$O/vs-scrape.out"
ok $? "a scrape equals the batch JSON ($(head -c 200 "$O/vs-scrape.out"))"
ct=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$P/metrics")
is "$ct" "text/plain; version=0.0.4; charset=utf-8" "text format content type"
curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' \
	"http://127.0.0.1:$P/metrics" -o "$O/om.prom" -D "$O/om.hdr"
ok $? "GET /metrics asking for OpenMetrics"
like "$(cat "$O/om.hdr")" "Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8" \
	"OpenMetrics content type"
is "$(tail -n 1 "$O/om.prom")" "# EOF" "OpenMetrics ends with # EOF"
# both taken at the same generation when nothing changed between: retry
for _ in 1 2 3 4 5; do
	scrape "$P" "$O/text2.prom"
	curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' \
		"http://127.0.0.1:$P/metrics" -o "$O/om2.prom"
	grep -v -e 'recvtop_events_total' -e '^recvtop_receive.*comm="\(recvtop\|curl\)"' \
		-e '^recvtop_send.*comm="\(recvtop\|curl\)"' -e 'latency.*comm="\(recvtop\|curl\)"' \
		"$O/text2.prom" >"$O/text2.f"
	grep -v -e 'recvtop_events_total' -e '^recvtop_receive.*comm="\(recvtop\|curl\)"' \
		-e '^recvtop_send.*comm="\(recvtop\|curl\)"' -e 'latency.*comm="\(recvtop\|curl\)"' \
		"$O/om2.prom" >"$O/om2.f"
	$PROMCHECK om "$O/om2.f" "$O/text2.f" >"$O/om-check.out" 2>&1 && break
	sleep 0.3
done
$PROMCHECK om "$O/om2.f" "$O/text2.f" >"$O/om-check.out" 2>&1
ok $? "OpenMetrics parses strictly (prometheus_client) and holds the text format's samples: $(head -c 200 "$O/om-check.out")"
# Prometheus's own Accept header prefers OpenMetrics; q-values decide
acc='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
is "$(curl -s -o /dev/null -w '%{content_type}' -H "Accept: $acc" "http://127.0.0.1:$P/metrics")" \
	"application/openmetrics-text; version=1.0.0; charset=utf-8" "Prometheus's Accept header gets OpenMetrics"
is "$(curl -s -o /dev/null -w '%{content_type}' -H 'Accept: application/openmetrics-text;q=0.2,text/plain;q=0.9' "http://127.0.0.1:$P/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8" "text/plain preferred by q gets the text format"
is "$(curl -s -o /dev/null -w '%{content_type}' -H 'Accept: application/openmetrics-text;version=2.0.0' "http://127.0.0.1:$P/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8" "an OpenMetrics version recvtop does not speak gets the text format"
is "$(grep -c '^recvtop_build_info{version="[^"]*",backend="[a-z]*",kernel="'"$(uname -r)"'"} 1$' "$O/text.prom")" 1 \
	"recvtop_build_info names version, backend and this kernel"

# ---- 4. HTTP: GET and HEAD on /metrics and / only ----
is "$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$P/metrics")" 200 "HEAD /metrics: 200"
is "$(curl -s -I "http://127.0.0.1:$P/metrics" | wc -c | awk '{print ($1 < 1000)}')" 1 "HEAD /metrics: headers only"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "http://127.0.0.1:$P/metrics")" 405 "POST /metrics: 405"
like "$(curl -s -D - -o /dev/null -X DELETE "http://127.0.0.1:$P/metrics")" "Allow: GET, HEAD" "405 names the allowed methods"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/secret")" 404 "GET /secret: 404"
like "$(curl -s "http://127.0.0.1:$P/")" 'href="/metrics"' "GET /: a page linking /metrics"

# ---- 5. --labels: the same totals split further ----
exp_start "$RECVTOP_PLAIN" $((P + 2)) labels -d 0.5 --labels pid,via,peer
ok $? "export --labels pid,via,peer started"
L1=$EXP
exp_start "$RECVTOP_PLAIN" $((P + 3)) proto -d 0.5 --labels proto,pid
ok $? "export --labels proto,pid started"
L2=$EXP
"$RECVTOP" --batch --json -- "$RTGEN" --count 200 --size 111 \
	--expect "$O/gen2.json" >"$O/batch2.out" 2>"$O/batch2.err"
"$RT_TOOLS/rtmem" --reads 30 --writes 4 --peeks 5 --denied 3 \
	--expect "$O/mem.json" >/dev/null
sleep 1.5
scrape $((P + 2)) "$O/labels.prom"
scrape $((P + 3)) "$O/proto.prom"
promtool check metrics <"$O/labels.prom" >"$O/promtool-labels.out" 2>&1
ok $? "promtool accepts --labels pid,via,peer output"
promtool check metrics <"$O/proto.prom" >"$O/promtool-proto.out" 2>&1
ok $? "promtool accepts --labels proto output"
$PROMCHECK batch-vs-scrape "$O/batch2.out" "$O/labels.prom" rtg- >"$O/vs-labels.out"
ok $? "--labels pid,via: summed by pid, equal to the batch JSON ($(head -c 200 "$O/vs-labels.out"))"
$PROMCHECK batch-vs-scrape "$O/batch2.out" "$O/proto.prom" rtg- >"$O/vs-proto.out"
ok $? "--labels proto,pid: summed by pid, equal to the batch JSON ($(head -c 200 "$O/vs-proto.out"))"
for cp in rtg-tcp:tcp rtg-udp4:udp rtg-udp6:udp rtg-unix:unix; do
	c=${cp%:*} p=${cp#*:}
	pid=$(python3 -c 'import json,sys; print([p["pid"] for p in json.load(open(sys.argv[1]))["processes"] if p["comm"] == sys.argv[2]][0])' "$O/gen2.json" "$c")
	is "$($PROMCHECK samples "$O/proto.prom" recvtop_receive_bytes_total pid="$pid" proto="$p")" "22200 1" \
		"--labels proto: $c's bytes are all proto $p"
done
udp4_pid=$(python3 -c 'import json,sys; print([p["pid"] for p in json.load(open(sys.argv[1]))["processes"] if p["comm"] == "rtg-udp4"][0])' "$O/gen2.json")
is "$($PROMCHECK samples "$O/labels.prom" recvtop_receive_calls_total comm=rtg-udp4 pid="$udp4_pid" via=recvfrom)" "200 1" \
	"--labels pid,via: rtg-udp4's pid and via recvfrom carry its 200 calls"
read -r mr md < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["readers"]; print([x["reader_pid"] for x in r if x["reader_comm"] == "rtm-reader"][0], [x["reader_pid"] for x in r if x["reader_comm"] == "rtm-denied"][0])' "$O/mem.json")
for vc in process_vm_readv:30 process_vm_writev:4 ptrace:5; do
	is "$($PROMCHECK samples "$O/labels.prom" recvtop_memory_reads_total reader_pid="$mr" reader_comm=rtm-reader target_comm=rtm-target via="${vc%:*}")" "${vc#*:} 1" \
		"memory readers: rtm-reader's ${vc%:*} count (${vc#*:})"
done
is "$($PROMCHECK samples "$O/labels.prom" recvtop_memory_reads_denied_total reader_pid="$md" via=process_vm_readv)" "3 1" \
	"memory readers: the 3 denied reads of rtm-denied"
is "$($PROMCHECK samples "$O/labels.prom" recvtop_memory_reads_denied_total reader_pid="$mr")" "0 3" \
	"memory readers: rtm-reader was denied nothing"
is "$(grep -c '^recvtop_receive_errors_total{.*via=' "$O/labels.prom")" 0 \
	"--labels via: errors are not split by way"
if grep -q '^peers: ' <("$RECVTOP" probes 2>/dev/null) && "$RECVTOP" probes 2>/dev/null | grep -q 'peers: yes'; then
	like "$(grep '^recvtop_peer_receive_bytes_total' "$O/labels.prom")" 'peer="127.0.0.1"' "--labels peer: peer series"
else
	is "$(grep -c '^# TYPE recvtop_peer_receive_bytes_total counter' "$O/labels.prom")" 1 \
		"--labels peer: the peer families are there (no sender addresses on this backend)"
fi
# the default labels (comm) with a name no other process has
exp_start "$RECVTOP_PLAIN" $((P + 6)) comm -d 0.5
ok $? "export with the default labels started"
L3=$EXP
# (alive a moment: a process gone before recvtop reads its events may
# have no name left to find)
"$RTCARD" procs --procs 20 --calls 5 --size 77 --comm "rtx-$$" --parallel 20 \
	--hold-ms 1000 >/dev/null
sleep 1.5
scrape $((P + 6)) "$O/comm.prom"
is "$($PROMCHECK samples "$O/comm.prom" recvtop_receive_calls_total comm="rtx-$$")" "120 1" \
	"default labels: 20 processes of one name are one series of 120 calls (5 + 1 EAGAIN each)"
is "$($PROMCHECK samples "$O/comm.prom" recvtop_receive_bytes_total comm="rtx-$$")" "7700 1" \
	"default labels: their 7700 bytes"
is "$($PROMCHECK samples "$O/comm.prom" recvtop_receive_errors_total comm="rtx-$$")" "20 1" \
	"default labels: their 20 errors"
is "$(grep -c 'pid=' "$O/comm.prom")" 0 "default labels: no pid label"
# the container label: a generator and a memory reader in a fake
# container's scope, a second generator on the host
if [ -n "$V2" ] && [ -w "$V2/cgroup.procs" ]; then
	cid=$(printf 'rt18-%s' "$$" | sha256sum | cut -c1-64)
	ccg="$CBASE/kubepods.slice/pod1/cri-containerd-$cid.scope"
	mkdir -p "$V2$ccg"
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --scenarios udp4 --count 30 --size 123 --hold-ms 1000' \
		sh "$V2$ccg" "$RTGEN" >/dev/null
	is "$?" 0 "a generator in the fake container $ccg"
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --reads 7 --writes 2 --hold-ms 500' \
		sh "$V2$ccg" "$RT_TOOLS/rtmem" >/dev/null
	is "$?" 0 "a memory reader and its target in the same container"
	sleep 1.5
	scrape $((P + 6)) "$O/cont.prom"
	promtool check metrics <"$O/cont.prom" >"$O/promtool-cont.out" 2>&1
	ok $? "promtool accepts the output with container labels ($(head -c 200 "$O/promtool-cont.out"))"
	is "$($PROMCHECK samples "$O/cont.prom" recvtop_receive_bytes_total comm=rtg-udp4 container="${cid:0:12}")" "3690 1" \
		"container label: the container's receiver is one series of its 3690 bytes, labelled with the short id"
	is "$($PROMCHECK samples "$O/cont.prom" recvtop_send_calls_total comm=rtg-send container="${cid:0:12}")" "30 1" \
		"container label: its sender's 30 sends"
	is "$($PROMCHECK samples "$O/cont.prom" recvtop_receive_bytes_total container="${cid:0:12}")" "3690 2" \
		"container label: nothing else in the container (rtg-udp4 and rtg-send)"
	# (a suite run from a service or a container has that one)
	if sed -n 's/^0:://p' /proc/self/cgroup | grep -Eq '\.service(/|$)|[0-9a-f]{64}'; then
		skip "container label: host processes have the empty container" \
			"this suite runs in a service or container cgroup"
	else
		is "$($PROMCHECK samples "$O/cont.prom" recvtop_receive_bytes_total comm="rtx-$$" container=)" "7700 1" \
			"container label: host processes have the empty container"
	fi
	is "$($PROMCHECK samples "$O/cont.prom" recvtop_memory_reads_total reader_comm=rtm-reader reader_container="${cid:0:12}" target_comm=rtm-target target_container="${cid:0:12}" via=process_vm_readv)" "7 1" \
		"container labels of the memory readers: reader_container and target_container, 7 reads"
	is "$($PROMCHECK samples "$O/cont.prom" recvtop_memory_reads_total reader_container="${cid:0:12}" via=process_vm_writev)" "2 1" \
		"container labels of the memory readers: 2 writes"
else
	skip "container label" "no writable cgroup v2 hierarchy"
fi
exp_stop "$L3" TERM "export with the default labels"
exp_stop "$L1" TERM "export --labels pid,via,peer"
exp_stop "$L2" INT "export --labels proto,pid"

# the tracepoint backend: the same exactness
exp_start "$RECVTOP_PLAIN" $((P + 7)) tp -d 0.5 --labels pid --backend tracepoint
ok $? "export --backend tracepoint started"
TP=$EXP
"$RECVTOP" --batch --json --backend tracepoint -- "$RTGEN" --count 300 \
	--size 222 --linger-ms 1500 --expect "$O/gen3.json" >"$O/batch3.out" 2>"$O/batch3.err"
is "$?" 0 "batch run on the tracepoint backend: exit status"
sleep 1.5
scrape $((P + 7)) "$O/tp.prom"
is "$(grep -c '^recvtop_build_info{.*backend="tracepoint"' "$O/tp.prom")" 1 "build info names the tracepoint backend"
$PROMCHECK batch-vs-scrape "$O/batch3.out" "$O/tp.prom" rtg- >"$O/vs-tp.out"
ok $? "tracepoint backend: a scrape equals the batch JSON ($(head -c 200 "$O/vs-tp.out"))"
exp_stop "$TP" TERM "export --backend tracepoint"

# ---- 6. hostile clients never stall a scrape nor grow memory ----
exp_start "$RECVTOP_PLAIN" $((P + 4)) hostile -d 0.5
ok $? "export for the hostile clients started"
H=$EXP
rss0=$(rss_kb "$H")
fd0=$(ls "/proc/$H/fd" | wc -l)
python3 "$RT_TOP/tests/lib/httphostile.py" 127.0.0.1 $((P + 4)) --idle 300 \
	--slow 100 --big 20 --junk 30 --noread 20 >"$O/hostile.json" 2>"$O/hostile.err"
ok $? "the hostile clients ran ($(head -c 300 "$O/hostile.err"))"
read -r maxs statuses held big junk < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["max_scrape_s"], ",".join(map(str, r["status"])), r["held"], json.dumps(r["big"], separators=(",",":")), json.dumps(r["junk"], separators=(",",":")))' "$O/hostile.json")
is "$statuses" "200,200,200,200,200" "every scrape among 470 hostile connections answered 200 with the metrics"
is "$(awk -v m="$maxs" 'BEGIN {print (m < 2)}')" 1 "the slowest scrape took ${maxs}s (< 2 s)"
is "$held" 470 "470 hostile connections were held during the scrapes"
like "$big" '"431":20|"413":20|"400":20' "oversized headers get an error status, not a hang ($big)"
like "$junk" '"400":|"closed":|"reset":' "garbage requests get 400 or a close ($junk)"
rss1=$(rss_kb "$H")
is "$(( (rss1 - rss0) < 32768 ))" 1 "memory with 470 hostile connections: +$(( (rss1 - rss0) / 1024 )) MB (< 32 MB: 16 KB per connection at most)"
sleep 1
fd1=$(ls "/proc/$H/fd" | wc -l)
is "$(( fd1 <= fd0 + 2 ))" 1 "the connections are gone once the clients close ($fd0 -> $fd1 descriptors)"
exp_stop "$H" TERM "export after hostile clients"

# ---- 7. pid churn: --max-series caps, totals stay exact, memory flat ----
exp_start "$RECVTOP_PLAIN" $((P + 5)) churn -d 0.25 -c rtc-proc --labels pid \
	--max-series 50
ok $? "export -c rtc-proc --labels pid --max-series 50 started"
C=$EXP
"$RTCARD" procs --procs 6000 --calls 3 --size 100 --parallel 8 \
	--expect "$O/churn1.json" >/dev/null
ok $? "6000 short-lived processes, 3 receives each"
sleep 1
scrape $((P + 5)) "$O/churn1.prom"
rss1=$(rss_kb "$C")
is "$($PROMCHECK samples "$O/churn1.prom" recvtop_receive_calls_total)" "24000 51" \
	"6000 pids: 50 series and (other), 24000 calls in total (3 + 1 EAGAIN each)"
is "$($PROMCHECK samples "$O/churn1.prom" recvtop_receive_bytes_total)" "1800000 51" \
	"6000 pids: 1800000 bytes in total"
is "$($PROMCHECK samples "$O/churn1.prom" recvtop_receive_calls_total comm='\(other\)' pid='\(other\)')" "23800 1" \
	"the (other) series holds the 5950 pids beyond the cap (23800 calls)"
"$RTCARD" procs --procs 6000 --calls 3 --size 100 --parallel 8 \
	--expect "$O/churn2.json" >/dev/null
ok $? "6000 more short-lived processes"
sleep 1
scrape $((P + 5)) "$O/churn2.prom"
rss2=$(rss_kb "$C")
is "$($PROMCHECK samples "$O/churn2.prom" recvtop_receive_calls_total)" "48000 51" \
	"12000 pids: still 51 series, 48000 calls exact"
is "$($PROMCHECK samples "$O/churn2.prom" recvtop_receive_errors_total)" "12000 51" \
	"12000 pids: 12000 errors (the EAGAINs) exact"
# the fixed-size tables (thread slots...) fill in pages as new pids hash
# into them: flat is measured between the second and the third batch
"$RTCARD" procs --procs 6000 --calls 3 --size 100 --parallel 8 \
	--expect "$O/churn3.json" >/dev/null
ok $? "6000 more short-lived processes again"
sleep 1
scrape $((P + 5)) "$O/churn3.prom"
rss3=$(rss_kb "$C")
is "$($PROMCHECK samples "$O/churn3.prom" recvtop_receive_calls_total)" "72000 51" \
	"18000 pids: still 51 series, 72000 calls exact"
diag "churn RSS: $rss1 kB after 6000 pids, $rss2 kB after 12000, $rss3 kB after 18000"
is "$(( rss3 - rss2 < 2048 ))" 1 "memory flat under pid churn: +$(( rss3 - rss2 )) kB for the third 6000 pids (< 2 MB)"
exp_stop "$C" TERM "export under pid churn"

# ---- 8. --series-grace: a gone process's series goes ----
exp_start "$RECVTOP_PLAIN" $((P + 6)) grace -d 0.25 -c rtc-proc --labels pid \
	--series-grace 2
ok $? "export --series-grace 2 started"
G=$EXP
"$RTCARD" procs --procs 10 --calls 3 --size 100 --expect "$O/grace.json" >/dev/null
sleep 0.8
scrape $((P + 6)) "$O/grace1.prom"
is "$($PROMCHECK samples "$O/grace1.prom" recvtop_receive_calls_total)" "40 10" \
	"10 processes: 10 series while within the grace period"
sleep 4
scrape $((P + 6)) "$O/grace2.prom"
is "$($PROMCHECK samples "$O/grace2.prom" recvtop_receive_calls_total)" "0 0" \
	"their series are gone 2 s after the processes"
is "$($PROMCHECK samples "$O/grace2.prom" recvtop_exporter_series_dropped_total)" "10 1" \
	"recvtop_exporter_series_dropped_total counts the 10"
exp_stop "$G" TERM "export --series-grace"

# ---- 9. TLS and basic auth ----
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
	-keyout "$O/key.pem" -out "$O/cert.pem" >/dev/null 2>&1
hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 6)))')
printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  alice: %s\n' "$hash" >"$O/web.yml"
"$RECVTOP_PLAIN" export --listen 127.0.0.1:$((P + 7)) --web-config "$O/web.yml" \
	-d 0.5 >"$O/tls.out" 2>"$O/tls.err" &
W=$!
kids+=("$W")
rt_wait_started "$W" 20
sleep 1
like "$(cat "$O/tls.err")" "serving https://127.0.0.1:$((P + 7))/metrics" "export with TLS says https"
is "$(curl -sk -o /dev/null -w '%{http_code}' -u alice:s3cret "https://127.0.0.1:$((P + 7))/metrics")" 200 \
	"TLS and the right password: 200"
is "$(curl -sk -o /dev/null -w '%{http_code}' -u alice:wrong "https://127.0.0.1:$((P + 7))/metrics")" 401 \
	"a wrong password: 401"
is "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$((P + 7))/metrics")" 401 "no credentials: 401"
like "$(curl -sk -D - -o /dev/null "https://127.0.0.1:$((P + 7))/metrics")" 'WWW-Authenticate: Basic realm="recvtop"' \
	"401 asks for basic auth"
is "$(curl -s -o /dev/null -w '%{http_code}' -u alice:s3cret "http://127.0.0.1:$((P + 7))/metrics")" 000 \
	"plain HTTP to the TLS port gets no answer"
curl -s --cacert "$O/cert.pem" -u alice:s3cret "https://localhost:$((P + 7))/metrics" | promtool check metrics >/dev/null 2>&1
ok $? "over TLS, verified against the certificate, the metrics pass promtool"
exp_stop "$W" TERM "export with TLS"

# ---- 10. IPv6 and every address ----
"$RECVTOP_PLAIN" export --listen "[::1]:$((P + 8))" -d 0.5 >"$O/v6.out" 2>"$O/v6.err" &
V=$!
kids+=("$V")
rt_wait_started "$V" 20
sleep 1
is "$(curl -sg -o /dev/null -w '%{http_code}' "http://[::1]:$((P + 8))/metrics")" 200 "--listen [::1]:PORT answers on ::1"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((P + 8))/metrics")" 000 "--listen [::1]:PORT: not on 127.0.0.1"
exp_stop "$V" TERM "export on [::1]"
"$RECVTOP_PLAIN" export --listen ":$((P + 8))" -d 0.5 >"$O/any.out" 2>"$O/any.err" &
V=$!
kids+=("$V")
rt_wait_started "$V" 20
sleep 1
is "$(curl -sg -o /dev/null -w '%{http_code}' "http://[::1]:$((P + 8))/metrics")$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((P + 8))/metrics")" 200200 \
	"--listen :PORT answers on IPv6 and IPv4"
exp_stop "$V" TERM "export on :PORT"

# ---- 11. the end: SIGTERM exits 0, cleans tracefs, ASan has nothing ----
kill "$PROM"
wait "$PROM" 2>/dev/null
exp_stop "$MAIN" TERM "export under prometheus (sanitized build)"
is "$(grep -v '^recvtop: serving ' "$O/main.err")" "" "the sanitized exporter printed nothing else (no leak, no error)"
done_testing
