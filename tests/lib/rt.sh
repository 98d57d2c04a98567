# Shared helpers for recvtop's system suites.  Needs root and tracefs.
. "$RT_TOP/tests/lib/tap.sh"

T=/sys/kernel/tracing
RTCHECK="python3 $RT_TOP/tests/lib/rtcheck.py"

need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root"
		done_testing
		exit 0
	fi
}

ensure_tracefs() {
	grep -q " $T tracefs " /proc/mounts || mount -t tracefs nodev "$T"
}

# the tracefs state a dead run with this pid could have left
leftovers_of() {	# leftovers_of PID
	local pid=$1 out=""
	[ -d "$T/instances/recvtop-$pid" ] && out="instance recvtop-$pid"
	if grep -q "recvtop_$pid/" "$T/dynamic_events" 2>/dev/null; then
		out="$out group recvtop_$pid"
	fi
	echo "$out"
}

# ok if the run with this pid left nothing in tracefs
check_clean() {	# check_clean PID DESCRIPTION
	local left
	left=$(leftovers_of "$1")
	if [ -z "$left" ]; then
		ok 0 "$2: tracefs clean"
	else
		ok 1 "$2: tracefs left behind: $left"
	fi
}

# run recvtop in the background; sets RT_PID; output in $1.out/.err
rt_bg() {	# rt_bg OUTBASE ARGS...
	local base=$1
	shift
	"$RECVTOP" "$@" >"$base.out" 2>"$base.err" &
	RT_PID=$!
}

# wait until the run has its instance and started tracing
rt_wait_started() {	# rt_wait_started PID [TIMEOUT_S]
	local pid=$1 n=0 max=$(( ${2:-20} * 10 ))
	while [ $n -lt "$max" ]; do
		if [ -d "$T/instances/recvtop-$pid" ] &&
		   [ "$(cat "$T/instances/recvtop-$pid/tracing_on" 2>/dev/null)" = 1 ]; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# remove whatever a failed test left, so later tests start clean
cleanup_all() {
	"$RECVTOP_PLAIN" reset >/dev/null 2>&1 || "$RECVTOP" reset >/dev/null 2>&1
}
