#!/bin/bash
# Every exit path leaves tracefs as it was: SIGINT, SIGTERM, SIGHUP (drain and
# summary), a second SIGINT (abort), SIGPIPE, SIGKILL followed by `reset` or
# by the next run; other tools' instances and probes are never touched.
. "$RT_TOP/tests/lib/rt.sh"
need_root "lifecycle"
ensure_tracefs
O="$RT_OUT/lifecycle"
mkdir -p "$O"
FAKE_INST="" FAKE_UPROBE=0
cleanup() {
	[ -n "$FAKE_INST" ] && rmdir "$T/instances/$FAKE_INST" 2>/dev/null
	rmdir "$T/instances/othertool-rt" "$T/instances/recvtop-notapid" 2>/dev/null
	if [ "$FAKE_UPROBE" = 1 ]; then
		echo 0 > "$T/events/othertool_rt/enable" 2>/dev/null
		echo '-:othertool_rt/' >> "$T/uprobe_events" 2>/dev/null
		echo '-:recvtop_999999/' >> "$T/uprobe_events" 2>/dev/null
	fi
	cleanup_all
}
trap cleanup EXIT

# a stop signal: the run drains, prints the summary with the traffic it saw,
# exits 0 and removes everything
for sig in INT TERM HUP; do
	rt_bg "$O/$sig" --json -d 0.2
	pid=$RT_PID
	if ! rt_wait_started "$pid"; then
		fail "SIG$sig: recvtop started"
		continue
	fi
	"$RT_TOOLS/rtgen" --scenarios udp4,eagain --count 700 \
		--expect "$O/$sig.json" >/dev/null
	sleep 0.3
	kill -"$sig" "$pid"
	wait "$pid"
	is "$?" 0 "SIG$sig: exit status 0 after draining"
	$RTCHECK compare "$O/$sig.json" "$O/$sig.out" --label "SIG$sig" >/dev/null
	ok $? "SIG$sig: summary has the traffic with exact counts"
	check_clean "$pid" "SIG$sig"
done

# a second SIGINT aborts: here the run waits for a command that ignores
# SIGINT, after its summary.  The first SIGINT goes out once the command
# ignores it (it has exec'ed sleep): before, it would end the command,
# and recvtop with the command's 128+2, without an abort
rt_bg "$O/abort" --json -- sh -c 'trap "" INT; exec sleep 30'
pid=$RT_PID
rt_wait_started "$pid"
n=0
until cpid=$(pgrep -P "$pid" -x sleep) || [ $n -ge 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -INT "$pid"
sleep 1
kill -INT "$pid"
wait "$pid"
is "$?" 130 "second SIGINT aborts with 128+2"
like "$(cat "$O/abort.err")" "aborted" "abort says so on stderr"
check_clean "$pid" "abort"
[ -n "$cpid" ] && kill "$cpid" 2>/dev/null

# a signal that reaches the command before it has started (still
# recvtop's forked child, waiting for tracing to be on): it ends the
# command as it would end the command itself (128+2), not through
# recvtop's handlers (which made it exit 127)
caught=""
for try in 1 2 3 4 5; do
	rt_bg "$O/early" --json -d 0.2 -- sleep 30
	pid=$RT_PID
	child=""
	for i in $(seq 400); do
		child=$(pgrep -P "$pid" | head -n 1)
		[ -n "$child" ] && break
		sleep 0.005
	done
	if [ -n "$child" ] &&
	   [ "$(cat "/proc/$child/comm" 2>/dev/null)" = recvtop ]; then
		kill -INT "$child"
		caught=$try
	else
		rt_wait_started "$pid"
		kill -TERM "$pid"
	fi
	wait "$pid"
	rc=$?
	[ -n "$caught" ] && break
done
if [ -z "$caught" ]; then
	skip "a signal to the command before it started" "never caught it before exec in 5 tries"
else
	is "$rc" 130 "a SIGINT to the command before it started: recvtop exits with its 128+2 (try $caught)"
	like "$(tail -n 1 "$O/early.out")" '"type":"summary"' "... and prints the summary"
	is "$(cat "$O/early.err")" "" "... and nothing on stderr"
fi
check_clean "$pid" "early signal to the command"

# SIGPIPE: the reader went away
"$RECVTOP" --json -d 0.05 2>"$O/pipe.err" | head -n 1 >/dev/null
rcs=("${PIPESTATUS[@]}")
is "${rcs[0]}" 141 "SIGPIPE ends recvtop as SIGPIPE would (128+13)"
is "$(grep -c . "$O/pipe.err")" 0 "SIGPIPE: nothing on stderr"
# the pid is gone; nothing of any dead run may be left
left=""
for i in $(ls "$T/instances" | grep '^recvtop-[0-9]*$'); do
	[ -d "/proc/${i#recvtop-}" ] || left="$left $i"
done
is "$left" "" "SIGPIPE: no instance of a dead run left"

# SIGKILL leaves the instance; `recvtop reset` removes exactly it
rt_bg "$O/kill" -b -d 0.2
pid=$RT_PID
rt_wait_started "$pid"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
like "$(leftovers_of "$pid")" "instance recvtop-$pid" "SIGKILL leaves the instance behind"
mkdir "$T/instances/othertool-rt" "$T/instances/recvtop-notapid"
out=$("$RECVTOP" reset 2>&1)
is "$?" 0 "reset exits 0"
check_clean "$pid" "SIGKILL + reset"
[ -d "$T/instances/othertool-rt" ] && [ -d "$T/instances/recvtop-notapid" ]
ok $? "reset leaves other tools' instances alone"

# the next run removes a dead run's instance and probe group by itself,
# and nothing else (another tool's enabled uprobe stays)
true &
dead=$!
wait $dead
FAKE_INST="recvtop-$dead"
mkdir "$T/instances/$FAKE_INST"
off=$(readelf -lW /bin/true | awk '$1 == "LOAD" && / R E / {print $2; exit}')
if [ -n "$off" ] &&
   echo "p:othertool_rt/probe /bin/true:$off" >> "$T/uprobe_events" 2>/dev/null &&
   echo "p:recvtop_999999/probe /bin/true:$off" >> "$T/uprobe_events" 2>/dev/null; then
	FAKE_UPROBE=1
	echo 1 > "$T/events/othertool_rt/enable"
fi
"$RECVTOP" -b -n 1 -d 0.1 >/dev/null 2>&1
is "$?" 0 "a run next to leftovers exits 0"
[ ! -d "$T/instances/$FAKE_INST" ]
ok $? "the next run removed the dead run's instance"
[ -d "$T/instances/othertool-rt" ]
ok $? "another tool's instance is untouched"
if [ "$FAKE_UPROBE" = 1 ]; then
	grep -q 'othertool_rt/probe' "$T/uprobe_events" &&
		[ "$(cat "$T/events/othertool_rt/enable")" = 1 ]
	ok $? "another tool's enabled uprobe is untouched"
	! grep -q 'recvtop_999999/' "$T/dynamic_events"
	ok $? "a dead run's probe group was removed"
else
	skip "uprobe coexistence" "cannot create a uprobe on /bin/true"
fi
rmdir "$T/instances/othertool-rt" "$T/instances/recvtop-notapid"

# -n N: exactly N intervals, then the summary
"$RECVTOP" --json -n 3 -d 0.1 >"$O/n3.out" 2>"$O/n3.err"
is "$?" 0 "-n 3 exits 0"
is "$(grep -c '"type":"interval"' "$O/n3.out")" 3 "-n 3 prints 3 intervals"
is "$(tail -n 1 "$O/n3.out" | grep -c '"type":"summary","time":0.300')" 1 \
	"-n 3 -d 0.1: the summary covers 0.300 s"

done_testing
