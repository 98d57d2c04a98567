# Helpers of the reliability suites (tests/reliability/NN-*.t).  Source it
# after tests/lib/rt.sh.  Fixtures stand for other tracing tools on the
# host; every suite removes its own in its EXIT trap (rel_fixtures_remove).

RTGEN="$RT_TOOLS/rtgen"
RTCARD="$RT_TOOLS/rtcard"

# uprobe target: the first executable segment of /bin/true
rel_uprobe_off() {
	readelf -lW /bin/true 2>/dev/null |
		awk '$1 == "LOAD" && / R E / {print $2; exit}'
}

# Other tools' state, named after this suite's pid:
#   instance othertool-rt-$$ with a syscall event enabled and filtered,
#   its own uprobe group othertool_rt$$ (enabled at the top level and in
#   that instance, filtered there), and an instance whose name only looks
#   like recvtop's (recvtop-notapid$$).
REL_OTHER_INST="othertool-rt-$$"
REL_OTHER_GROUP="othertool_rt$$"
REL_FAKE_INST="recvtop-notapid$$"
REL_UPROBE=0

rel_fixtures_create() {
	local off
	mkdir "$T/instances/$REL_OTHER_INST" "$T/instances/$REL_FAKE_INST" || return 1
	echo 'common_pid != 1' \
		>"$T/instances/$REL_OTHER_INST/events/syscalls/sys_enter_getpid/filter"
	echo 1 >"$T/instances/$REL_OTHER_INST/events/syscalls/sys_enter_getpid/enable"
	off=$(rel_uprobe_off)
	if [ -n "$off" ] &&
	   echo "p:$REL_OTHER_GROUP/probe /bin/true:$off" >>"$T/uprobe_events" 2>/dev/null; then
		REL_UPROBE=1
		echo 1 >"$T/events/$REL_OTHER_GROUP/probe/enable"
		echo 'common_pid > 1' \
			>"$T/instances/$REL_OTHER_INST/events/$REL_OTHER_GROUP/probe/filter"
		echo 1 >"$T/instances/$REL_OTHER_INST/events/$REL_OTHER_GROUP/probe/enable"
	fi
	return 0
}

# everything about the fixtures that a careless cleanup could change
rel_fixtures_state() {
	local i="$T/instances/$REL_OTHER_INST"
	echo "other instance: $([ -d "$i" ] && echo present) tracing_on=$(cat "$i/tracing_on" 2>/dev/null)"
	echo "other instance set_event: $(sort "$i/set_event" 2>/dev/null | tr '\n' ' ')"
	echo "other instance getpid filter: $(cat "$i/events/syscalls/sys_enter_getpid/filter" 2>/dev/null)"
	echo "look-alike instance: $([ -d "$T/instances/$REL_FAKE_INST" ] && echo present)"
	if [ "$REL_UPROBE" = 1 ]; then
		echo "uprobe: $(grep -c "^p:$REL_OTHER_GROUP/probe " "$T/uprobe_events")"
		echo "uprobe enabled at top: $(cat "$T/events/$REL_OTHER_GROUP/probe/enable" 2>/dev/null)"
		echo "uprobe in other instance: $(cat "$i/events/$REL_OTHER_GROUP/probe/enable" 2>/dev/null) $(cat "$i/events/$REL_OTHER_GROUP/probe/filter" 2>/dev/null)"
	fi
}

rel_fixtures_remove() {
	local i="$T/instances/$REL_OTHER_INST"
	if [ -d "$i" ]; then
		echo 0 >"$i/events/syscalls/sys_enter_getpid/enable" 2>/dev/null
		echo 0 >"$i/events/syscalls/sys_enter_getpid/filter" 2>/dev/null
		rmdir "$i" 2>/dev/null
	fi
	rmdir "$T/instances/$REL_FAKE_INST" 2>/dev/null
	if grep -q "^p:$REL_OTHER_GROUP/" "$T/uprobe_events" 2>/dev/null; then
		echo 0 >"$T/events/$REL_OTHER_GROUP/probe/enable" 2>/dev/null
		echo "-:$REL_OTHER_GROUP/" >>"$T/uprobe_events" 2>/dev/null
	fi
}

# a uprobe group named like a recvtop run's (recvtop_PID), to stand for the
# probes a kprobe-backend run leaves (this host has no kprobes)
rel_fake_group() {	# rel_fake_group PID [INSTANCE-TO-ENABLE-IT-IN]
	local off
	off=$(rel_uprobe_off)
	[ -n "$off" ] || return 1
	echo "p:recvtop_$1/recvfrom_$1 /bin/true:$off" >>"$T/uprobe_events" 2>/dev/null || return 1
	if [ -n "${2:-}" ] && [ -d "$T/instances/$2" ]; then
		echo 1 >"$T/instances/$2/events/recvtop_$1/recvfrom_$1/enable" 2>/dev/null
	fi
	return 0
}

rel_remove_fake_group() {	# rel_remove_fake_group PID
	grep -q "recvtop_$1/" "$T/uprobe_events" 2>/dev/null || return 0
	echo 0 >"$T/events/recvtop_$1/enable" 2>/dev/null
	echo "-:recvtop_$1/" >>"$T/uprobe_events" 2>/dev/null
}

# the global tracefs files a run must never change: top-level settings and
# every event's enable/filter/trigger at the top level and in the other
# instances (not recvtop's own), plus the dynamic event lists
rel_global_snapshot() {	# rel_global_snapshot OUTFILE
	{
		for f in tracing_on buffer_size_kb buffer_total_size_kb \
			 trace_clock current_tracer set_event set_event_pid \
			 set_event_notrace_pid tracing_cpumask trace_options \
			 saved_cmdlines_size buffer_percent events/enable \
			 dynamic_events uprobe_events kprobe_events; do
			[ -r "$T/$f" ] || continue
			echo "== $f"
			cat "$T/$f" 2>/dev/null
		done
		echo "== instances"
		ls "$T/instances" | grep -v '^recvtop-[0-9]*$'
		for base in "$T" $(ls -d "$T"/instances/* 2>/dev/null |
				   grep -v '/recvtop-[0-9]*$'); do
			echo "== events of ${base#$T}"
			grep -H . "$base"/events/*/*/enable "$base"/events/*/*/filter \
				"$base"/events/*/*/trigger 2>/dev/null |
				grep -v ':0$\|:none$\|# Available triggers:\|^[^:]*:# ' |
				sed "s|^$base/||"
		done
	} >"$1"
}

# resident memory (kB) and open descriptors of a process
rel_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
rel_nr_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# the kernel's lost events of an instance: overrun + commit overrun +
# dropped events, over every CPU
rel_kernel_lost() {	# rel_kernel_lost STATS-FILES...
	awk '/^overrun:/ {s += $2} /^commit overrun:/ {s += $3}
	     /^dropped events:/ {s += $3} END {print s + 0}' "$@"
}

# a random delay in seconds with millisecond resolution, lo..hi ms
rel_rand_s() {	# rel_rand_s LO_MS HI_MS
	local ms=$(( $1 + RANDOM % ($2 - $1 + 1) ))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}
