#!/bin/bash
# Data safety of recordings, beyond tests/record/70-record.t (which checks
# mode 0600 of a default v6 file, --no-kallsyms of v7 files, SIGINT, two
# SIGTERMs, a disk that fills while recording):
#   A. mode 0600 whatever the umask (000), for v7+zstd and --live files, a
#      replaced recording that was 0644, a --force'd file that was 0666,
#      and the temp files while recording;
#   B. --no-kallsyms leaves the kernel's symbols out of v6 and --live
#      files (trace-cmd dump, and not one symbol line in the bytes);
#   C. SIGTERM and SIGHUP: a finished, valid file with every event it
#      claims (system-wide, and with a COMMAND that gets the signal); a
#      second signal while finishing: a valid file or none, never half;
#   D. the disk full when the recording finishes (data in, 64 KB left):
#      the space reserved at the start finishes it, valid and complete;
#      a write refused in the middle of finishing (the file size limit
#      lowered with prlimit once the data is in): no file, one line
#      saying so, exit 1.
# Always: no temp file, no /run/recvtop list, tracefs clean.
. "$RT_TOP/tests/lib/rt.sh"
. "$RT_TOP/tests/reliability/lib.sh"
need_root "data safety"
ensure_tracefs
O="$RT_OUT/rel-datasafety"
rm -rf "$O"
mkdir -p "$O"
FULL="$O/full"
RTDAT="$RT_TOOLS/rtdat"
GEN=""
cleanup() {
	[ -n "$GEN" ] && kill "$GEN" 2>/dev/null
	mountpoint -q "$FULL" 2>/dev/null && umount "$FULL"
	cleanup_all
}
trap cleanup EXIT
if ! command -v trace-cmd >/dev/null 2>&1; then
	skip "data safety" "trace-cmd is not installed"
	done_testing
	exit 0
fi

no_temps() {	# no_temps DIR LABEL
	is "$(ls -A "$1" | grep '\.rt[0-9]*\.\(tmp\|cpu[0-9]*\)$')" "" "$2: no temp files"
	[ ! -e /run/recvtop ] || [ -z "$(ls -A /run/recvtop)" ]
	ok $? "$2: no temp-file list in /run/recvtop"
}
valid() {	# valid FILE LABEL
	like "$(trace-cmd dump -v -i "$1" 2>&1)" "is a valid trace-cmd file" "$2: trace-cmd says the file is valid"
}
# the file holds every event the final line claims
complete() {	# complete FILE ERRFILE LABEL
	local ev
	ev=$(sed -n 's/^recvtop: recorded \([0-9]*\) events.*/\1/p' "$2")
	is "$("$RTDAT" "$1" 2>/dev/null | sed -n 's/^events //p')" "${ev:-none}" \
		"$3: the file holds every event recvtop says it recorded (${ev:-?})"
}

# ---- A. modes ----
(umask 000
 "$RECVTOP" record --compress -o "$O/z.dat" -- "$RTGEN" --scenarios udp4 --count 200 \
	>/dev/null 2>"$O/z.err"
 "$RECVTOP" record --live --json --no-kallsyms -o "$O/live.dat" -- "$RTGEN" \
	--scenarios udp4 --count 200 >/dev/null 2>"$O/live.err")
is "$(stat -c %a "$O/z.dat")" 600 "umask 000: a v7+zstd recording is 0600"
is "$(stat -c %a "$O/live.dat")" 600 "umask 000: a --live recording is 0600"
cp "$O/z.dat" "$O/old.dat"
chmod 0644 "$O/old.dat"
echo "notes" >"$O/notes.txt"
chmod 0666 "$O/notes.txt"
(umask 000
 "$RECVTOP" record --no-kallsyms -o "$O/old.dat" -- "$RTGEN" --scenarios udp4 --count 100 \
	>/dev/null 2>&1
 "$RECVTOP" record --force --no-kallsyms -o "$O/notes.txt" -- "$RTGEN" --scenarios udp4 \
	--count 100 >/dev/null 2>&1)
is "$(stat -c %a "$O/old.dat")" 600 "a replaced recording that was 0644 is 0600"
is "$(stat -c %a "$O/notes.txt")" 600 "a file replaced with --force that was 0666 is 0600"
# the temp files, while recording
(umask 000; exec "$RECVTOP" record --no-kallsyms -o "$O/tmpmode.dat") >/dev/null 2>&1 &
pid=$!
rt_wait_started "$pid"
modes=$(stat -c %a "$O"/.tmpmode.dat.rt$pid.* 2>/dev/null | sort -u | tr '\n' ' ')
list=$(stat -c %a "/run/recvtop/files-$pid" 2>/dev/null)
kill -INT "$pid"
wait "$pid"
is "$modes" "600 " "umask 000: the temp files are 0600 while recording"
is "$list" "600" "the list of temp files in /run/recvtop is 0600"
is "$(stat -c %a "$O/tmpmode.dat")" 600 "umask 000: the finished file is 0600"
no_temps "$O" "modes"

# ---- B. --no-kallsyms ----
"$RECVTOP" record --no-kallsyms -o "$O/nok6.dat" -- "$RTGEN" --scenarios udp4 --count 200 \
	>/dev/null 2>&1
"$RECVTOP" record -o "$O/k6.dat" -- "$RTGEN" --scenarios udp4 --count 200 >/dev/null 2>&1
sym=$(awk '$3 == "_stext" || $3 == "startup_64" {print $2 " " $3; exit}' /proc/kallsyms)
like "$(trace-cmd dump --summary -i "$O/nok6.dat")" "Kallsyms, 0 bytes" \
	"--no-kallsyms, file version 6: no symbols in the file"
like "$(trace-cmd dump --summary -i "$O/live.dat")" "Kallsyms, 0 bytes" \
	"--no-kallsyms --live: no symbols in the file"
is "$(grep -c -a -F "$sym" "$O/nok6.dat")" 0 "--no-kallsyms: not one symbol line ('$sym') in the bytes"
[ "$(grep -c -a -F "$sym" "$O/k6.dat")" -ge 1 ]
ok $? "without it, the same symbol line is in the file (the check can see it)"
"$RECVTOP" report -i "$O/nok6.dat" >/dev/null 2>&1
ok $? "--no-kallsyms: recvtop report reads the file"

# ---- C. signals ----
for sig in TERM HUP; do
	"$RTGEN" flood --seconds 4 --procs 1 >/dev/null 2>&1 &
	GEN=$!
	"$RECVTOP" record --no-kallsyms -o "$O/$sig.dat" >/dev/null 2>"$O/$sig.err" &
	pid=$!
	rt_wait_started "$pid"
	sleep 1
	kill -"$sig" "$pid"
	wait "$pid"
	is "$?" 0 "SIG$sig (system-wide): exit status 0"
	check_clean "$pid" "SIG$sig"
	no_temps "$O" "SIG$sig"
	valid "$O/$sig.dat" "SIG$sig"
	complete "$O/$sig.dat" "$O/$sig.err" "SIG$sig"
	is "$(trace-cmd report -i "$O/$sig.dat" 2>/dev/null | grep -c 'recvtop: st[ao][rp]')" 2 \
		"SIG$sig: the start and stop markers are in the file"
	wait "$GEN" 2>/dev/null
	GEN=""
	rm -f "$O/$sig.dat"

	# with a command: the signal is passed on; recvtop ends with its status
	"$RECVTOP" record --no-kallsyms -o "$O/c$sig.dat" -- "$RTGEN" flood --seconds 8 \
		--procs 1 >/dev/null 2>"$O/c$sig.err" &
	pid=$!
	rt_wait_started "$pid"
	sleep 1
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	n=$(kill -l "$sig")
	is "$rc" $((128 + n)) "SIG$sig with a command: the command got it; recvtop exits with its status"
	check_clean "$pid" "SIG$sig with a command"
	no_temps "$O" "SIG$sig with a command"
	valid "$O/c$sig.dat" "SIG$sig with a command"
	complete "$O/c$sig.dat" "$O/c$sig.err" "SIG$sig with a command"
	rm -f "$O/c$sig.dat"
done

# a second signal while the file is being finished aborts: a valid file
# (it was finished first) or none, never a half-written one
i=0
for pair in "TERM TERM" "HUP HUP" "INT HUP" "HUP TERM" "TERM INT"; do
	i=$((i + 1))
	set -- $pair
	"$RTGEN" flood --seconds 3 --procs 2 >/dev/null 2>&1 &
	GEN=$!
	"$RECVTOP" record --no-kallsyms -o "$O/two$i.dat" >/dev/null 2>"$O/two$i.err" &
	pid=$!
	rt_wait_started "$pid"
	sleep 1.5
	kill -"$1" "$pid"
	sleep "$(rel_rand_s 0 1000)"
	kill -"$2" "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	label="SIG$1 then SIG$2 (rc $rc)"
	check_clean "$pid" "$label"
	no_temps "$O" "$label"
	if [ -e "$O/two$i.dat" ]; then
		valid "$O/two$i.dat" "$label: finished before the second signal"
	else
		like "$(cat "$O/two$i.err")" "aborted" "$label: aborted while finishing, no file"
	fi
	wait "$GEN" 2>/dev/null
	GEN=""
	rm -f "$O/two$i.dat"
done

# ---- D. full disk while finishing ----
mkdir -p "$FULL"
mount -t tmpfs -o size=160m rtds "$FULL"
# the workload (10,000 processes: a large table of tasks for the file's
# tail), then the disk filled but 64 KB, then a second for the last pages
cat >"$O/fill.sh" <<EOF
'$RTCARD' procs --procs 10000 --comm rtc-fifteen-ch1 --expect '$O/fill.json' || exit 1
'$RTGEN' flood --seconds 1 --procs 1 >/dev/null || exit 1
sleep 2
dd if=/dev/zero of='$FULL/slack' bs=64k count=1 2>/dev/null
dd if=/dev/zero of='$FULL/filler' bs=64k 2>/dev/null
rm -f '$FULL/slack'
df -k '$FULL' | awk 'NR == 2 {print \$4}' >'$O/fill.free'
sleep 1
EOF
"$RECVTOP_PLAIN" record --no-kallsyms -o "$FULL/fin.dat" -- sh "$O/fill.sh" \
	>/dev/null 2>"$O/fin.err"
rc=$?
diag "disk full at the finish: $(cat "$O/fill.free" 2>/dev/null) kB free; $(tail -n 1 "$O/fin.err")"
is "$rc" 0 "disk full at the finish: exit status 0 (the reserved space finishes the file)"
valid "$FULL/fin.dat" "disk full at the finish"
complete "$FULL/fin.dat" "$O/fin.err" "disk full at the finish"
tail_kb=$(( $(trace-cmd dump --summary -i "$FULL/fin.dat" 2>/dev/null |
	sed -n 's/.*Saved command lines, \([0-9]*\) bytes.*/\1/p') / 1024 ))
[ "${tail_kb:-0}" -gt 64 ]
ok $? "disk full at the finish: the file's tail (${tail_kb:-?} kB of command lines and tasks) needed more than the 64 kB left"
no_temps "$FULL" "disk full at the finish"
umount "$FULL"

# a write refused in the middle of finishing: the file size limit goes
# below what the finished file needs once the data files are written
cat >"$O/limit.sh" <<EOF
'$RTGEN' flood --seconds 1.5 --procs 2 >/dev/null || exit 1
sleep 2
big=\$(stat -c %s '$O'/.lim.dat.rt\$PPID.cpu* | sort -n | tail -n 1)
prlimit --pid \$PPID --fsize=\$((big + 65536))
echo "\$big" >'$O/limit.big'
EOF
"$RECVTOP" record --no-kallsyms -o "$O/lim.dat" -- sh "$O/limit.sh" >/dev/null 2>"$O/lim.err"
rc=$?
diag "limit: largest data file $(cat "$O/limit.big" 2>/dev/null) bytes; stderr: $(tr '\n' '|' <"$O/lim.err")"
is "$rc" 1 "a write refused while finishing: exit status 1"
is "$(grep -c . "$O/lim.err")" 1 "a write refused while finishing: one line on stderr"
like "$(cat "$O/lim.err")" "^recvtop: writing $O/lim.dat failed: File too large \(the unfinished file was removed\)$" \
	"a write refused while finishing: says so, and that the file was removed"
[ ! -e "$O/lim.dat" ]
ok $? "a write refused while finishing: no file"
no_temps "$O" "a write refused while finishing"
is "$(ls "$T/instances" | grep -c '^recvtop-')" 0 "no instance left"
done_testing
