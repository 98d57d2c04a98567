#!/bin/bash
# recvtop record / recvtop report: files that trace-cmd 3.1.6 and a
# KernelShark-style reader open without a word, with exactly the
# generator's events; recvtop report with exactly the generator's numbers
# on recvtop's and on trace-cmd's files; SIGINT, abort and a full disk.
. "$RT_TOP/tests/lib/rt.sh"
need_root "recording"
ensure_tracefs
O="$RT_OUT/record"
rm -rf "$O"
mkdir -p "$O"
FULL="$O/full"
DATCHECK="python3 $RT_TOP/tests/lib/datcheck.py"
TCREC="$RT_TOP/tests/lib/tc-record"
RTDAT="$RT_TOOLS/rtdat"
RTGEN="$RT_TOOLS/rtgen"

cleanup() {
	mountpoint -q "$FULL" 2>/dev/null && umount "$FULL"
	cleanup_all
}
trap cleanup EXIT

if ! command -v trace-cmd >/dev/null; then
	skip "trace-cmd checks" "trace-cmd not installed"
	done_testing
	exit 0
fi
backend=$("$RECVTOP" probes 2>/dev/null | sed -n 's/^backend: \([a-z]*\).*/\1/p')
ncpu=$(getconf _NPROCESSORS_CONF)
diag "backend $backend, $ncpu CPUs"

no_temps() {	# no_temps DIR DESCRIPTION
	local left
	left=$(ls -A "$1" | grep '\.rt[0-9]*\.\(tmp\|cpu[0-9]*\)$')
	is "$left" "" "$2: no temp files left"
}

# recording of the generator, checked by every reader: v6, v7, v7+zstd
check_file() {	# check_file LABEL FILE EXPECT.json
	local label=$1 f=$2 exp=$3 n want
	trace-cmd report -i "$f" >"$f.report" 2>"$f.report.err"
	is "$?" 0 "$label: trace-cmd report exits 0"
	is "$(cat "$f.report.err")" "" "$label: trace-cmd report says nothing on stderr"
	if [ "$backend" = tracepoint ]; then
		$DATCHECK tcreport "$exp" "$f.report" --label "$label: trace-cmd report"
		ok $? "$label: trace-cmd report shows exactly the generated calls"
	fi
	trace-cmd report --debug -i "$f" >/dev/null 2>"$f.debug.err"
	is "$(grep -ci 'unknown option\|warning\|error' "$f.debug.err")" 0 \
		"$label: trace-cmd report --debug warns about nothing"
	like "$(trace-cmd dump -v -i "$f" 2>&1)" "is a valid trace-cmd file" \
		"$label: trace-cmd dump -v: valid"
	trace-cmd dump --summary -i "$f" >"$f.summary" 2>&1
	is "$?" 0 "$label: trace-cmd dump --summary accepts it"
	is "$(trace-cmd dump --options -i "$f" 2>&1 | grep -c 'Unknown option')" 0 \
		"$label: no unknown options"
	like "$(trace-cmd report --stat -i "$f" 2>&1)" "CPU: 0" \
		"$label: report --stat shows the kernel's per-CPU stats"
	like "$(trace-cmd report --stat -i "$f" 2>&1 | grep -c 'data recorded at offset=0x')" "^[1-9]" \
		"$label: report --stat shows where each CPU's data is"
	like "$(trace-cmd dump --cmd-lines -i "$f" 2>&1)" " rtg-udp4" \
		"$label: saved command lines name the generator"
	"$RTDAT" "$f" >"$f.rtdat" 2>&1
	is "$?" 0 "$label: KernelShark-style reader opens it"
	is "$(sed -n 's/^cpus //p' "$f.rtdat")" "$ncpu" \
		"$label: tep_get_cpus() is the CPU count"
	# (the libc uprobes' events print as ufromN_PID:, umsgN_PID:)
	n=$(grep -c ': sys_\|: print:\|recvtop_\|: u\(from\|msg\)[0-9]*_[0-9]*:\|: sock_recv_length:\|: sock_send_length:\|: task_newtask:\|: task_rename:\|: cgroup_attach_task:\|: inet_sock_set_state:' "$f.report")
	is "$(sed -n 's/^events //p' "$f.rtdat")" "$n" \
		"$label: KernelShark-style reader sees every event trace-cmd prints ($n)"
	is "$(sed -n 's/^unknown //p;s/^order //p' "$f.rtdat" | tr '\n' ' ')" "0 ok " \
		"$label: no unknown events, time in order on every CPU"
	is "$(trace-cmd report --cpus -i "$f" 2>/dev/null | sed -n 's/^ *\([0-9][0-9]*\)$/\1/p' | tr '\n' ' ')" \
		"$(awk '$1 == "cpu" && $3 > 0 { printf "%s ", $2 }' "$f.rtdat")" \
		"$label: report --cpus lists exactly the CPUs with events"
	if [ "$backend" = tracepoint ]; then
		want=$(python3 -c 'import json,sys; print(sum(p["calls"] for p in json.load(open(sys.argv[1]))["processes"]))' "$exp")
		is "$(sed -n 's/^event syscalls:sys_enter_recvfrom //p' "$f.rtdat")" "$want" \
			"$label: KernelShark-style reader: $want recvfrom entries"
	fi
	"$RECVTOP" report --json -i "$f" >"$f.json" 2>"$f.json.err"
	is "$?" 0 "$label: recvtop report exits 0"
	is "$(cat "$f.json.err")" "" "$label: recvtop report says nothing on stderr"
	$DATCHECK report "$exp" "$f.json" --backend "$backend" --label "$label: recvtop report"
	ok $? "$label: recvtop report gives the generator's numbers"
	is "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["events"])' "$f.json")" "$n" \
		"$label: recvtop report counts the events trace-cmd prints"
}

# 1. v6 (default), with the kernel symbols
"$RECVTOP" record -o "$O/v6.dat" -- "$RTGEN" --count 2000 --expect "$O/v6.exp" \
	>"$O/v6.out" 2>"$O/v6.err" &
pid=$!
wait $pid
is "$?" 0 "record -- rtgen: exits with rtgen's status"
check_clean $pid "record v6"
like "$(cat "$O/v6.err")" "^recvtop: recorded [0-9]+ events \(0 lost\) to $O/v6.dat: [0-9]+ bytes$" \
	"record: final line with events, lost and size"
is "$(stat -c %a "$O/v6.dat")" 600 "record: the file is mode 0600"
is "$(stat -c %s "$O/v6.dat")" "$(sed -n 's/.*: \([0-9]*\) bytes$/\1/p' "$O/v6.err")" \
	"record: the final line gives the file size"
no_temps "$O" "record v6"
like "$(head -c 10 "$O/v6.dat" | od -An -c | tr -s ' ')" "027 \\\\b D t r a c i n g" \
	"record: trace-cmd magic"
like "$(grep Version "$O/v6.dat.summary" 2>/dev/null; trace-cmd dump --summary -i "$O/v6.dat")" "6[[:space:]]+\[Version\]" \
	"record: version 6 by default"
like "$(trace-cmd dump --summary -i "$O/v6.dat")" "Kallsyms, [1-9][0-9]* bytes" \
	"record: kernel symbols stored"
like "$(trace-cmd dump --clock -i "$O/v6.dat")" "\[mono\]" "record: the mono clock"
check_file v6 "$O/v6.dat" "$O/v6.exp"
like "$(trace-cmd report --check-events -i "$O/v6.dat" 2>&1; echo rc=$?)" "rc=0" \
	"v6: trace-cmd report --check-events: all formats parse"

# 2. v7 uncompressed, and v7 + zstd
for kind in "--file-version 7" "--compress"; do
	name=v7; [ "$kind" = --compress ] && name=v7z
	"$RECVTOP" record $kind --no-kallsyms -o "$O/$name.dat" -- "$RTGEN" --count 1500 \
		--expect "$O/$name.exp" >"$O/$name.out" 2>"$O/$name.err"
	is "$?" 0 "record $kind: exit status"
	like "$(trace-cmd dump --summary -i "$O/$name.dat")" "7[[:space:]]+\[Version\]" \
		"record $kind: version 7"
	if [ $name = v7z ]; then
		like "$(trace-cmd dump --summary -i "$O/$name.dat")" "zstd[[:space:]]+\[Compression" \
			"record --compress: zstd"
	else
		like "$(trace-cmd dump --summary -i "$O/$name.dat")" "none[[:space:]]+\[Compression" \
			"record --file-version 7: uncompressed"
	fi
	like "$(trace-cmd dump --summary -i "$O/$name.dat")" "Kallsyms, 0 bytes" \
		"record $kind --no-kallsyms: no symbols"
	check_file "$name" "$O/$name.dat" "$O/$name.exp"
done

# 3. --live: the live batch view and the file hold the same numbers
"$RECVTOP" record --live --json -d 0.2 --no-kallsyms -o "$O/live.dat" -- \
	"$RTGEN" --count 2000 --hold-ms 300 --expect "$O/live.exp" \
	>"$O/live.out" 2>"$O/live.err"
is "$?" 0 "record --live: exit status"
[ "$(grep -c '"type":"interval"' "$O/live.out")" -ge 2 ]
ok $? "record --live: interval lines while recording"
"$RECVTOP" report --json -d 0.2 -i "$O/live.dat" >"$O/live.json" 2>"$O/live.json.err"
$DATCHECK same "$O/live.out" "$O/live.json" --label "live batch vs report"
ok $? "recvtop report on the --live file gives the live run's totals"
$DATCHECK report "$O/live.exp" "$O/live.json" --backend "$backend" --label "--live file"
ok $? "--live file: the generator's numbers"

# --live on a terminal: the TUI, and the same file
TERM=xterm script -qec "$RECVTOP record --live --no-kallsyms -o $O/tui.dat -- $RTGEN \
	--count 800 --hold-ms 300 --expect $O/tui.exp" /dev/null >"$O/tui.out" 2>&1
is "$?" 0 "record --live on a terminal (TUI): exit status"
like "$(tr '\r' '\n' <"$O/tui.out" | tail -3)" "recorded [0-9]+ events \(0 lost\) to $O/tui.dat" \
	"record --live on a terminal: the final line after the TUI"
"$RECVTOP" report --json -i "$O/tui.dat" >"$O/tui.json" 2>/dev/null
$DATCHECK report "$O/tui.exp" "$O/tui.json" --backend "$backend" --label "--live TUI file"
ok $? "record --live with the TUI: the generator's numbers"

# 4. trace-cmd's own recordings: v7+zstd (its default), v6, v7 none
tcev="-e syscalls:sys_enter_recvfrom -e syscalls:sys_exit_recvfrom"
for kind in "" "--file-version 6" "--compression none"; do
	name=tc7z
	[ "$kind" = "--file-version 6" ] && name=tc6
	[ "$kind" = "--compression none" ] && name=tc7n
	$TCREC $kind -b 8192 -o "$O/$name.dat" $tcev "$RTGEN" --count 1000 --expect "$O/$name.exp" \
		>"$O/$name.tc.out" 2>"$O/$name.tc.err"
	is "$?" 0 "trace-cmd record ${kind:-(default)}: exit status"
	"$RECVTOP" report --json -i "$O/$name.dat" >"$O/$name.json" 2>"$O/$name.json.err"
	is "$?" 0 "report on trace-cmd's $name file: exit status"
	is "$(cat "$O/$name.json.err")" "" "report on trace-cmd's $name file: nothing on stderr"
	$DATCHECK report "$O/$name.exp" "$O/$name.json" --backend tracepoint --label "trace-cmd $name"
	ok $? "report on trace-cmd's $name file: the generator's numbers"
done
# memory readers recorded by trace-cmd
tcmem="-e syscalls:sys_enter_process_vm_readv -e syscalls:sys_exit_process_vm_readv
	-e syscalls:sys_enter_process_vm_writev -e syscalls:sys_exit_process_vm_writev
	-e syscalls:sys_enter_ptrace -e syscalls:sys_exit_ptrace"
$TCREC -b 8192 -o "$O/tcmem.dat" $tcmem "$RT_TOOLS/rtmem" --reads 120 --writes 30 --peeks 15 \
	--denied 4 --expect "$O/tcmem.exp" >/dev/null 2>"$O/tcmem.tc.err"
is "$?" 0 "trace-cmd record of rtmem: exit status"
"$RECVTOP" report --json -i "$O/tcmem.dat" >"$O/tcmem.json" 2>"$O/tcmem.json.err"
is "$?" 0 "report on trace-cmd's rtmem file: exit status"
$DATCHECK report "$O/tcmem.exp" "$O/tcmem.json" --backend tracepoint --label "trace-cmd rtmem"
ok $? "report on trace-cmd's rtmem file: reader rows exact"

# 5. --sched: KernelShark can draw tasks
"$RECVTOP" record --sched --no-kallsyms -o "$O/sched.dat" -- "$RTGEN" --scenarios udp4 \
	--count 300 >/dev/null 2>"$O/sched.err"
is "$?" 0 "record --sched: exit status"
"$RTDAT" "$O/sched.dat" >"$O/sched.rtdat"
[ "$(sed -n 's/^event sched:sched_switch //p' "$O/sched.rtdat")" -gt 0 ]
ok $? "record --sched: sched_switch events in the file"
like "$(trace-cmd report -i "$O/sched.dat" 2>&1 | grep -m1 sched_switch)" ":[0-9]+ \\[[0-9]+\\] [A-Z+]* ==> " \
	"record --sched: trace-cmd formats sched_switch"

# 6. SIGINT in the middle leaves a finished, valid file
"$RECVTOP" record --no-kallsyms -o "$O/int.dat" -- "$RTGEN" flood --seconds 8 --procs 2 \
	>/dev/null 2>"$O/int.err" &
pid=$!
rt_wait_started $pid
sleep 1.5
kill -INT $pid
wait $pid
is "$?" 130 "SIGINT: recvtop ends with the interrupted command's status"
check_clean $pid "SIGINT"
no_temps "$O" "SIGINT"
like "$(trace-cmd dump -v -i "$O/int.dat" 2>&1)" "is a valid trace-cmd file" "SIGINT: the file is valid"
ev=$(sed -n 's/^recvtop: recorded \([0-9]*\) events.*/\1/p' "$O/int.err")
"$RTDAT" "$O/int.dat" >"$O/int.rtdat" 2>&1
is "$(sed -n 's/^events //p' "$O/int.rtdat")" "$ev" \
	"SIGINT: the KernelShark-style reader sees every recorded event ($ev)"
is "$(trace-cmd report -i "$O/int.dat" 2>/dev/null | grep -c ': sys_\|: print:\|: u\(from\|msg\)[0-9]*_[0-9]*:\|: sock_recv_length:\|: sock_send_length:\|: task_newtask:\|: task_rename:\|: cgroup_attach_task:')" "$ev" \
	"SIGINT: trace-cmd report prints every recorded event"
is "$(trace-cmd report -i "$O/int.dat" 2>/dev/null | grep -c 'recvtop: st[ao][rp]')" 2 \
	"SIGINT: the start and stop markers are in the file"

# 7. a second signal aborts: nothing half-written remains
"$RECVTOP" record --compress --no-kallsyms -o "$O/abort.dat" -- "$RTGEN" flood \
	--seconds 8 --procs 2 >/dev/null 2>"$O/abort.err" &
pid=$!
rt_wait_started $pid
sleep 1
kill -TERM $pid
sleep 0.05
kill -TERM $pid
wait $pid
rc=$?
[ "$rc" -ne 0 ]
ok $? "two signals: non-zero exit ($rc)"
check_clean $pid "abort"
no_temps "$O" "abort"
if [ -e "$O/abort.dat" ]; then
	like "$(trace-cmd dump -v -i "$O/abort.dat" 2>&1)" "is a valid trace-cmd file" \
		"abort after the file was finished: it is valid"
else
	pass "abort before the file was finished: no file"
fi

# 8. a full filesystem: a clear error, and no invalid file
mkdir -p "$FULL"
mount -t tmpfs -o size=6m rtfull "$FULL"
"$RECVTOP" record --no-kallsyms -o "$FULL/full.dat" -- "$RTGEN" flood --seconds 3 \
	--procs 2 >/dev/null 2>"$O/full.err" &
pid=$!
wait $pid
is "$?" 1 "full disk: exit status 1"
check_clean $pid "full disk"
like "$(head -1 "$O/full.err")" "^recvtop: writing $FULL/full.dat failed: No space left on device; recording stopped$" \
	"full disk: a clear error"
no_temps "$FULL" "full disk"
if [ -e "$FULL/full.dat" ]; then
	like "$(trace-cmd dump -v -i "$FULL/full.dat" 2>&1)" "is a valid trace-cmd file" \
		"full disk: the file left is valid"
	ev=$(sed -n 's/^recvtop: recorded \([0-9]*\) events.*up to the write error$/\1/p' "$O/full.err")
	is "$("$RTDAT" "$FULL/full.dat" | sed -n 's/^events //p')" "$ev" \
		"full disk: it holds every event it claims ($ev)"
	"$RECVTOP" report -i "$FULL/full.dat" >/dev/null 2>&1
	is "$?" 0 "full disk: recvtop report reads it"
else
	like "$(cat "$O/full.err")" "removed" "full disk: no file, and the error says so"
fi
umount "$FULL"

# 9. names and existing files
"$RECVTOP" record -o "$O/x.txt" -- true >/dev/null 2>"$O/name.err"
is "$?" 2 "record -o x.txt: refused"
like "$(cat "$O/name.err")" "x.txt: recordings are named FILE.dat" "record -o x.txt: says why"
[ ! -e "$O/x.txt" ]
ok $? "record -o x.txt: nothing written"
"$RECVTOP" record --force --no-kallsyms -o "$O/x.txt" -- true >/dev/null 2>&1
is "$?" 0 "record --force -o x.txt: written"
echo "precious notes" >"$O/notes.dat"
"$RECVTOP" record -o "$O/notes.dat" -- true >/dev/null 2>"$O/notes.err"
is "$?" 2 "record over a file that is not a recording: refused"
like "$(cat "$O/notes.err")" "not a trace-cmd or recvtop recording; not overwriting it" \
	"record over a foreign file: says why"
is "$(cat "$O/notes.dat")" "precious notes" "record over a foreign file: file untouched"
cp "$O/v7.dat" "$O/again.dat"
"$RECVTOP" record --no-kallsyms -o "$O/again.dat" -- "$RTGEN" --scenarios eagain --count 10 \
	--expect "$O/again.exp" >/dev/null 2>&1
is "$?" 0 "record over an older recording: replaces it"
"$RECVTOP" report --json -i "$O/again.dat" >"$O/again.json"
$DATCHECK report "$O/again.exp" "$O/again.json" --backend "$backend" --label "replaced file" >/dev/null
ok $? "record over an older recording: the new numbers"
"$RECVTOP" record -o "$O/nodir/x.dat" -- true >/dev/null 2>"$O/nodir.err"
is "$?" 1 "record into a missing directory: exit status 1"
like "$(cat "$O/nodir.err")" "cannot create $O/nodir/\.x\.dat" "record into a missing directory: says why"

# 10. bad input to report: one line naming the file, exit 2
head -c 20000 "$O/v6.dat" >"$O/cut.dat"
"$RECVTOP" report -i "$O/cut.dat" >"$O/cut.out" 2>"$O/cut.err"
is "$?" 2 "report on a truncated file: exit 2"
is "$(wc -l <"$O/cut.err")" 1 "report on a truncated file: one line"
like "$(cat "$O/cut.err")" "^recvtop: $O/cut.dat: truncated" "report on a truncated file: names file and problem"
is "$(cat "$O/cut.out")" "" "report on a truncated file: no output"
"$RECVTOP" report -i "$O/notes.dat" >/dev/null 2>"$O/notes.err"
is "$?" 2 "report on a text file: exit 2"
like "$(cat "$O/notes.err")" "notes.dat: not a trace-cmd .dat file" "report on a text file: says so"
"$RECVTOP" report -i "$O/missing.dat" >/dev/null 2>"$O/missing.err"
is "$?" 2 "report on a missing file: exit 2"
like "$(cat "$O/missing.err")" "missing.dat: No such file or directory" "report on a missing file: says so"

# 11. the status line on a terminal
script -qec "$RECVTOP record --no-kallsyms -o $O/tty.dat -- $RTGEN flood --seconds 2.5" \
	/dev/null >"$O/tty.out" 2>&1
is "$?" 0 "record on a terminal: exit status"
like "$(tr '\r' '\n' <"$O/tty.out")" "recording $O/tty.dat: [0-9.]+[KMG]B, [1-9][0-9]* events/s, [0-9]+ lost" \
	"record on a terminal: status line with bytes, events/s and lost"
like "$(tr '\r' '\n' <"$O/tty.out" | tail -2)" "recorded [0-9]+ events" \
	"record on a terminal: the final line"

rm -f "$O"/*.dat
done_testing
