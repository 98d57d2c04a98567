#!/bin/bash
# kill -9 at random points of `recvtop top` (batch), `recvtop record` and
# `recvtop --batch -- CMD`: during startup, while tracing, while draining
# or finishing.  Each death is frozen first (SIGSTOP, then SIGKILL) so the
# test knows what the run had made.  Then, alternately, the next recvtop
# start or `recvtop reset` must remove exactly the dead run's instance
# recvtop-PID, probe group recvtop_PID (a uprobe group made in its name:
# this host has no kprobes) and the recording's temp files, and nothing
# else: another tool's instance (with an event enabled and filtered), its
# uprobe (enabled at the top level and in its instance), an instance that
# only looks like recvtop's, and a live recording run with its instance,
# its look-alike group and its temp files all stay as they were.
# A command whose recvtop died before tracing started must not run.
#
# RT_SEED=N repeats a run's random points (the seed is printed).
. "$RT_TOP/tests/lib/rt.sh"
. "$RT_TOP/tests/reliability/lib.sh"
need_root "kill -9"
ensure_tracefs
O="$RT_OUT/rel-kill9"
rm -rf "$O"
mkdir -p "$O"
seed=${RT_SEED:-$(( $$ % 32768 ))}
RANDOM=$seed
diag "seed $seed (RT_SEED=$seed repeats these kill points)"

LIVE=""		# the bystander: a live recording run
dead_pids=""
cleanup() {
	local p
	for p in $dead_pids; do
		rel_remove_fake_group "$p"
		[ -f "$O/cmd.$p" ] && kill -9 "$(cat "$O/cmd.$p")" 2>/dev/null
	done
	if [ -n "$LIVE" ]; then
		rel_remove_fake_group "$LIVE"
		kill -INT "$LIVE" 2>/dev/null
		wait "$LIVE" 2>/dev/null
	fi
	rel_fixtures_remove
	cleanup_all
}
trap cleanup EXIT

rel_fixtures_create || { fail "other tools' fixtures created"; exit 1; }
[ "$REL_UPROBE" = 1 ] || diag "no uprobe on /bin/true here: probe groups not checked"

# the bystander: a live recording (it records nothing: -c matches no task)
"$RECVTOP" record --no-kallsyms -c rt-bystander -o "$O/live.dat" \
	>"$O/live.out" 2>"$O/live.err" &
LIVE=$!
rt_wait_started "$LIVE" || { fail "the bystander recording started"; exit 1; }
[ "$REL_UPROBE" = 1 ] && rel_fake_group "$LIVE"
live_state() {
	echo "live instance: $([ -d "$T/instances/recvtop-$LIVE" ] && echo present) tracing_on=$(cat "$T/instances/recvtop-$LIVE/tracing_on" 2>/dev/null)"
	echo "live temp files: $(ls -A "$O" | grep -c "^\.live\.dat\.rt$LIVE\.")"
	echo "live list: $([ -f "/run/recvtop/files-$LIVE" ] && echo present)"
	[ "$REL_UPROBE" = 1 ] &&
		echo "live look-alike group: $(grep -c "recvtop_$LIVE/" "$T/uprobe_events")"
}
before="$(rel_fixtures_state; live_state)"
diag "bystander: recording run $LIVE"

# what of run PID is left: instance, group, temp files, temp-file list
left_of() {	# left_of PID
	local out
	out=$(leftovers_of "$1")
	[ -n "$(ls -A "$O" | grep "\.rt$1\.\(tmp\|cpu[0-9]*\)$")" ] && out="$out temp-files"
	[ -e "/run/recvtop/files-$1" ] && out="$out temp-list"
	echo $out
}

cleaner=0
# judge one death: freeze, kill, then let reset or the next run clean up
judge() {	# judge LABEL PID
	local label=$1 pid=$2 state had how out
	if kill -STOP "$pid" 2>/dev/null; then
		state="killed: instance $([ -d "$T/instances/recvtop-$pid" ] && echo yes || echo no)"
		state="$state, tracing_on $(cat "$T/instances/recvtop-$pid/tracing_on" 2>/dev/null || echo -)"
	else
		state="it had ended by itself"
	fi
	echo "$state" >"$O/state.$pid"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	dead_pids="$dead_pids $pid"
	# the probe group a kprobe-backend run would have left, enabled in
	# its instance (removing it then needs the instance gone first)
	[ "$REL_UPROBE" = 1 ] && rel_fake_group "$pid" "recvtop-$pid"
	had=$(left_of "$pid")
	cleaner=$((cleaner + 1))
	if [ $((cleaner % 2)) = 1 ]; then
		how="recvtop reset"
		out=$("$RECVTOP" reset 2>&1)
		is "$?" 0 "$label: reset exits 0"
		if [ -n "$had" ]; then
			like "$out" "recvtop[-_]$pid" "$label: reset names what it removed of pid $pid"
		fi
	else
		how="the next run"
		timeout 60 "$RECVTOP" -b -n 1 -d 0.1 >/dev/null 2>"$O/next.err"
		is "$?" 0 "$label: the next run exits 0"
	fi
	is "$(left_of "$pid")" "" "$label ($state; left: ${had:-nothing}): $how removed all of it"
	is "$(rel_fixtures_state; live_state)" "$before" \
		"$label: other tools' state and the live run are untouched"
}

# 1. recvtop top, batch, system-wide
for phase in startup tracing draining startup tracing draining; do
	label="top $phase"
	"$RTGEN" flood --seconds 2 --procs 1 >/dev/null 2>&1 &
	gen=$!
	"$RECVTOP" -b -d 0.2 >"$O/top.out" 2>&1 &
	pid=$!
	case $phase in
	startup) sleep "$(rel_rand_s 0 150)" ;;
	tracing) rt_wait_started "$pid"; sleep "$(rel_rand_s 50 600)" ;;
	draining) rt_wait_started "$pid"; sleep 0.5; kill -INT "$pid"
		  sleep "$(rel_rand_s 0 40)" ;;
	esac
	judge "$label" "$pid"
	wait "$gen" 2>/dev/null
done

# 2. recvtop record
for phase in startup tracing finishing startup tracing finishing; do
	label="record $phase"
	"$RTGEN" flood --seconds 2 --procs 1 >/dev/null 2>&1 &
	gen=$!
	n=$((cleaner + 1))
	"$RECVTOP" record --no-kallsyms -o "$O/k$n.dat" >"$O/rec.out" 2>&1 &
	pid=$!
	case $phase in
	startup) sleep "$(rel_rand_s 0 200)" ;;
	tracing) rt_wait_started "$pid"; sleep "$(rel_rand_s 50 800)" ;;
	finishing) rt_wait_started "$pid"; sleep 1; kill -INT "$pid"
		   sleep "$(rel_rand_s 0 120)" ;;
	esac
	judge "$label" "$pid"
	if [ -e "$O/k$n.dat" ]; then
		"$RECVTOP_PLAIN" report -i "$O/k$n.dat" >/dev/null 2>&1
		ok $? "$label: the recording it finished before dying is valid"
	fi
	rm -f "$O/k$n.dat"
	wait "$gen" 2>/dev/null
done

# 3. recvtop --batch -- CMD; the command notes that it ran and its pid
for phase in startup startup tracing draining startup tracing draining; do
	label="-- CMD $phase"
	n=$((cleaner + 1))
	rm -f "$O/ran.$n"
	"$RECVTOP" --batch -d 0.2 -- sh -c "echo \$\$ >'$O/ran.$n'; exec '$RTGEN' \
		--scenarios udp4,tcp --count 3000 --hold-ms 300" >"$O/cmd.out" 2>&1 &
	pid=$!
	case $phase in
	startup) sleep "$(rel_rand_s 0 150)" ;;
	tracing) rt_wait_started "$pid"; sleep "$(rel_rand_s 20 300)" ;;
	draining)
		# the command is over: recvtop drains and prints the summary
		rt_wait_started "$pid"
		for _ in $(seq 100); do
			[ -f "$O/ran.$n" ] && ! kill -0 "$(cat "$O/ran.$n")" 2>/dev/null && break
			sleep 0.05
		done
		sleep "$(rel_rand_s 0 30)" ;;
	esac
	judge "$label" "$pid"
	[ -f "$O/ran.$n" ] && cp "$O/ran.$n" "$O/cmd.$pid"
	sleep 0.3
	if [ $phase = startup ] && ! grep -q 'tracing_on 1' "$O/state.$pid"; then
		[ ! -f "$O/ran.$n" ]
		ok $? "$label: recvtop died before tracing started: the command did not run"
	fi
	[ -f "$O/ran.$n" ] && kill -9 "$(cat "$O/ran.$n")" 2>/dev/null
done

# the bystander ends normally: its file is complete, nothing of it is left
kill -INT "$LIVE"
wait "$LIVE"
is "$?" 0 "the live recording run ends normally after all that"
"$RECVTOP_PLAIN" report -i "$O/live.dat" >/dev/null 2>&1
ok $? "the live run's recording is valid"
rel_remove_fake_group "$LIVE"
is "$(left_of "$LIVE")" "" "the live run removed its own state"
LIVE=""
[ ! -d /run/recvtop ] || [ -z "$(ls -A /run/recvtop)" ]
ok $? "no temp-file list is left in /run/recvtop"
done_testing
