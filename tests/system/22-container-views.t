#!/bin/bash
# The container outputs and filters: four generators, each in a cgroup v2
# directory this suite makes (a cri-containerd scope under a kubepods-like
# path, a bare 64-hex id under docker/, a .service under a slice, and a
# plain directory that is neither: the host), give exactly their own calls
# and bytes in the containers table of a live run, of a recording's report
# and of its replay; processes rows carry the cgroup path, the container
# and the netns inode; the text view has the CONTAINER column and the
# containers table; readers rows both containers; --container (short id,
# full id, unit) and --cgroup (prefix of whole components) keep exactly
# the matching subset, live and from the file; bad values are one line and exit 2.  The cgroups are
# removed by the trap, also when a test fails.
. "$RT_TOP/tests/lib/rt.sh"
need_root "container views"
ensure_tracefs
O="$RT_OUT/container-views"
rm -rf "$O"
mkdir -p "$O"
RTGEN="$RT_TOOLS/rtgen"

# the cgroup v2 hierarchy: /sys/fs/cgroup (pure v2) or a hybrid host's
# /sys/fs/cgroup/unified, from this process's mountinfo
V2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
if [ -z "$V2" ] || [ ! -w "$V2/cgroup.procs" ]; then
	skip "container views" "no writable cgroup v2 hierarchy in /proc/self/mountinfo"
	done_testing
	exit 0
fi
diag "cgroup v2 at $V2"
BASE="/rt22-$$"			# every cgroup of this suite is below it

cleanup() {
	local d
	if [ -d "$V2$BASE" ]; then
		# anything still inside goes back to the root, then the
		# directories go, deepest first
		for d in $(find "$V2$BASE" -depth -type d); do
			while read -r p; do
				echo "$p" >"$V2/cgroup.procs" 2>/dev/null
			done <"$d/cgroup.procs"
		done
		find "$V2$BASE" -depth -type d -exec rmdir {} + 2>/dev/null
	fi
	cleanup_all
}
trap cleanup EXIT

id_of() { printf 'rt22-%s-%s' "$$" "$1" | sha256sum | cut -c1-64; }
ID1=$(id_of 1)
ID2=$(id_of 2)
S1=${ID1:0:12}
S2=${ID2:0:12}
UNIT="rt22-$$.service"
CG1="$BASE/kubepods/burstable/pod7e3f/cri-containerd-$ID1.scope"
CG2="$BASE/docker/$ID2"
CG3="$BASE/system.slice/$UNIT"
CG4="$BASE/host"
for cg in "$CG1" "$CG2" "$CG3" "$CG4"; do
	mkdir -p "$V2$cg" || fail "mkdir $V2$cg"
done
NETNS=$(stat -L -c %i /proc/self/ns/net)

# the traffic: per cgroup one generator (a receiver and its sender), moved
# there before it starts; counts and sizes differ so that every number
# says whose it is
cat >"$O/driver.sh" <<EOF
#!/bin/sh
run_in() {
	sh -c 'echo \$\$ >"\$1/cgroup.procs" && exec "\$2" --scenarios udp4 --count "\$3" --size "\$4" --expect "\$5"' \
		sh "$V2\$1" "$RTGEN" "\$2" "\$3" "\$4" || exit 1
}
run_in "$CG1" 120 100 "$O/g1.json"
run_in "$CG2" 70 300 "$O/g2.json"
run_in "$CG3" 40 50 "$O/g3.json"
run_in "$CG4" 25 8 "$O/g4.json"
EOF
chmod +x "$O/driver.sh"

# "container kind calls bytes errors send_calls send_bytes", a line per row
CONTS='import json, sys
summ = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
summ = [o for o in summ if o.get("type") == "summary"][-1]
for c in summ["containers"]:
    print(c["container"] or "-", c["kind"], c["calls"], c["bytes"], c["errors"],
          c["send_calls"], c["send_bytes"])'
conts() { python3 -c "$CONTS" "$1"; }

# "comm cgroup container netns calls bytes send_calls send_bytes" of the
# summary's processes with calls or sends, sorted
PROCS='import json, sys
summ = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
summ = [o for o in summ if o.get("type") == "summary"][-1]
rows = ["%s %s %s %d %d %d %d %d" % (p["comm"], p["cgroup"] or "-",
        p["container"] or "-", p["netns"], p["calls"], p["bytes"],
        p["send_calls"], p["send_bytes"])
        for p in summ["processes"] if p["calls"] or p["send_calls"]]
print("\n".join(sorted(rows)))'
procs() { python3 -c "$PROCS" "$1"; }

ROW1="$S1 container 120 12000 0 120 12000"
ROW2="$S2 container 70 21000 0 70 21000"
ROW3="$UNIT service 40 2000 0 40 2000"
ROW4="- host 25 200 0 25 200"

# ---- 1. a live run of the driver ----
"$RECVTOP" --json -- "$O/driver.sh" >"$O/live.out" 2>"$O/live.err" &
live_pid=$!
wait "$live_pid"
is "$?" 0 "live run of the four generators: exit status ($(head -c 200 "$O/live.err"))"
for g in 1 2 3 4; do
	[ -s "$O/g$g.json" ] || fail "generator $g wrote its expectation"
done
is "$(conts "$O/live.out")" "$ROW1
$ROW2
$ROW3
$ROW4" "live: the containers table holds each cgroup's exact calls, bytes and sends, the host row the rest"
is "$(procs "$O/live.out")" "$(printf '%s\n' \
	"rtg-send $CG1 $S1 $NETNS 0 0 120 12000" \
	"rtg-send $CG2 $S2 $NETNS 0 0 70 21000" \
	"rtg-send $CG3 $UNIT $NETNS 0 0 40 2000" \
	"rtg-send $CG4 - $NETNS 0 0 25 200" \
	"rtg-udp4 $CG1 $S1 $NETNS 120 12000 0 0" \
	"rtg-udp4 $CG2 $S2 $NETNS 70 21000 0 0" \
	"rtg-udp4 $CG3 $UNIT $NETNS 40 2000 0 0" \
	"rtg-udp4 $CG4 - $NETNS 25 200 0 0" | sort)" \
	"live: every process row has its cgroup path, its container and the netns inode"
pid1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processes"][0]["pid"])' "$O/g1.json")
is "$(python3 -c 'import json,sys
o = [json.loads(l) for l in open(sys.argv[1])][-1]
print(sum(1 for i in [json.loads(l) for l in open(sys.argv[1])] if i["type"] == "interval"
          for c in i["containers"] if c["container"] == sys.argv[2]) > 0,
      [p["container"] for p in o["processes"] if p["pid"] == int(sys.argv[3])])' \
	"$O/live.out" "$S1" "$pid1")" "True ['$S1']" \
	"live: interval lines carry the containers array too; rtg-udp4 of the first generator is in $S1"
check_clean "$live_pid" "live run"

# ---- 2. the same in the text view ----
"$RECVTOP" --batch -- "$O/driver.sh" >"$O/text.out" 2>"$O/text.err"
is "$?" 0 "text batch run: exit status"
sum=$(sed -n '/summary/,$p' "$O/text.out")
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processes"][0]["pid"])' "$O/g3.json")
like "$(printf '%s\n' "$sum" | grep '^ *PID ')" "LAT_MAX +CONTAINER +VIA$" \
	"text: the processes table has a CONTAINER column before VIA"
like "$(printf '%s\n' "$sum" | awk -v p="$pid" '$1 == p')" \
	"^ *$pid rtg-udp4 +40 +2000 .* $UNIT +recvfrom$" "text: the service's receiver shows its unit"
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["processes"][0]["pid"])' "$O/g4.json")
like "$(printf '%s\n' "$sum" | awk -v p="$pid" '$1 == p')" \
	"^ *$pid rtg-udp4 +25 +200 .* - +recvfrom$" "text: the host's receiver shows -"
is "$(printf '%s\n' "$sum" | sed -n '/^CONTAINER /,/^ *PID /p' | sed '$d' | tr -s ' ')" \
	"CONTAINER KIND STATE CALLS BYTES ERRORS TX_CALLS TX_BYTES TX_ERR
$S1 container running 120 12000 0 120 12000 0
$S2 container running 70 21000 0 70 21000 0
$UNIT service running 40 2000 0 40 2000 0
- host - 25 200 0 25 200 0" "text: the containers table, busiest first"

# ---- 3. filters on a live run ----
"$RECVTOP" --json --container "$S1" -- "$O/driver.sh" >"$O/f1.out" 2>"$O/f1.err"
is "$?" 0 "live --container SHORT: exit status"
is "$(conts "$O/f1.out")" "$ROW1" "live --container $S1: only that container's row"
is "$(procs "$O/f1.out" | awk '{print $1, $3}' | tr '\n' ' ')" \
	"rtg-send $S1 rtg-udp4 $S1 " "live --container $S1: only its two processes"
"$RECVTOP" --json --cgroup "$BASE/system.slice" -- "$O/driver.sh" >"$O/f2.out" 2>"$O/f2.err"
is "$(conts "$O/f2.out")" "$ROW3" "live --cgroup $BASE/system.slice: only the service below it"

# ---- 4. a recording: report and replay, unfiltered and filtered ----
"$RECVTOP" record -o "$O/c.dat" -- "$O/driver.sh" >"$O/rec.out" 2>"$O/rec.err"
is "$?" 0 "record of the four generators: exit status ($(head -c 200 "$O/rec.err"))"
"$RECVTOP" report -i "$O/c.dat" --json >"$O/rep.out" 2>"$O/rep.err"
is "$?" 0 "report --json: exit status ($(head -c 200 "$O/rep.err"))"
is "$(conts "$O/rep.out")" "$ROW1
$ROW2
$ROW3
$ROW4" "report --json: the same containers table as the live run"
is "$(procs "$O/rep.out")" "$(procs "$O/live.out")" \
	"report --json: the same cgroup, container and netns per process as live"
"$RECVTOP" report -i "$O/c.dat" >"$O/rep.txt" 2>&1
is "$(sed -n '/^CONTAINER /,/^ *PID /p' "$O/rep.txt" | sed '$d' | tail -n +2 | tr -s ' ' | cut -d' ' -f1-5)" \
	"$S1 container running 120 12000
$S2 container running 70 21000
$UNIT service running 40 2000
- host - 25 200" "report (text): the containers table"

filter() {	# filter DESCRIPTION WANT ARGS...
	local what=$1 want=$2
	shift 2
	"$RECVTOP" report -i "$O/c.dat" --json "$@" >"$O/ff.out" 2>"$O/ff.err"
	is "$?:$(conts "$O/ff.out")" "0:$want" "report $*: $what"
}
filter "the short id keeps one container" "$ROW1" --container "$S1"
filter "the full 64-hex id keeps the same" "$ROW1" --container "$ID1"
filter "a bare id below docker/" "$ROW2" --container "$ID2"
filter "a unit name keeps the service" "$ROW3" --container "$UNIT"
filter "a cgroup prefix keeps what is below it" "$ROW2" --cgroup "$BASE/docker"
filter "a cgroup prefix with a trailing slash" "$ROW2" --cgroup "$BASE/docker/"
filter "the whole tree, busiest first" "$ROW1
$ROW2
$ROW3
$ROW4" --cgroup "$BASE"
filter "the plain directory: the host row alone" "$ROW4" --cgroup "$CG4"
filter "whole components: a prefix of a name is not its parent" "" \
	--cgroup "$BASE/dock"
filter "--cgroup and --container together: both must hold" "$ROW1" \
	--cgroup "$BASE/kubepods" --container "$S1"
filter "--cgroup and --container that exclude each other: nothing" "" \
	--cgroup "$BASE/docker" --container "$S1"
filter "a container no process was in: nothing" "" --container 0123456789ab
"$RECVTOP" report -i "$O/c.dat" --json --container "$S1" >"$O/ff.out" 2>&1
is "$(procs "$O/ff.out" | awk '{print $1, $2}' | tr '\n' ' ')" \
	"rtg-send $CG1 rtg-udp4 $CG1 " "report --container $S1: only its processes"
"$RECVTOP" top -i "$O/c.dat" --batch --json --container "$UNIT" >"$O/rp.out" 2>"$O/rp.err"
is "$?:$(conts "$O/rp.out")" "0:$ROW3" "replay --container $UNIT: the service alone"
"$RECVTOP" top -i "$O/c.dat" --batch --json >"$O/rp2.out" 2>"$O/rp2.err"
is "$(procs "$O/rp2.out")" "$(procs "$O/live.out")" "replay: the same attribution per process as live"

# ---- 5. memory readers: both containers, JSON and text ----
cat >"$O/mem.sh" <<EOF
#!/bin/sh
echo \$\$ >"$V2$CG3/cgroup.procs" && exec "$RT_TOOLS/rtmem" --reads 6 --writes 2 --peeks 3
EOF
chmod +x "$O/mem.sh"
"$RECVTOP" --json -- "$O/mem.sh" >"$O/mem.out" 2>"$O/mem.err"
is "$?" 0 "a memory reader and its target in the service: exit status"
is "$(python3 -c 'import json,sys
o = [json.loads(l) for l in open(sys.argv[1])][-1]
print(" ".join(sorted("%s>%s:%s:%s:%d" % (r["reader_comm"], r["target_comm"], r["reader_container"],
      r["target_container"], r["count"]) for r in o["readers"])))' "$O/mem.out")" \
	"rtm-reader>rtm-target:$UNIT:$UNIT:2 rtm-reader>rtm-target:$UNIT:$UNIT:3 rtm-reader>rtm-target:$UNIT:$UNIT:6" \
	"JSON readers: reader_container and target_container are the service"
"$RECVTOP" --batch -- "$O/mem.sh" >"$O/mem.txt" 2>&1
like "$(sed -n '/summary/,$p' "$O/mem.txt" | grep ' process_vm_readv ')" \
	" rtm-reader .* rtm-target +process_vm_readv +6 +0 $UNIT +$UNIT$" \
	"text readers: READER_CONTAINER and TARGET_CONTAINER"

# ---- 6. bad values: one line, exit 2 ----
for args in "--cgroup relative/path" "--cgroup $V2$CG1" "--cgroup /a//b" \
	"--container ${S1}0" "--container nginx" "--container ${S1^^}"; do
	# shellcheck disable=SC2086
	out=$("$RECVTOP" report -i "$O/c.dat" $args 2>&1)
	st=$?
	is "$st:$(printf '%s\n' "$out" | wc -l)" "2:1" "report $args: exit 2, one line ($out)"
done
out=$("$RECVTOP" record -o "$O/x.dat" --container "$S1" -- true 2>&1)
is "$?:$out" "2:recvtop: --container filters the live view of record (the recording keeps every process: filter it in report or replay): add --live" \
	"record --container without --live: exit 2, says why"
[ ! -e "$O/x.dat" ]
ok $? "record refused: no file written"
done_testing
