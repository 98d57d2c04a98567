#!/bin/bash
# Bad input and a hostile environment: one clear line on stderr, the right
# exit status (2 usage, 1 runtime), nothing on stdout, nothing left behind.
. "$RT_TOP/tests/lib/rt.sh"
need_root "errors"
ensure_tracefs
O="$RT_OUT/errors"
mkdir -p "$O"
trap cleanup_all EXIT

instances_before=$(ls "$T/instances" | sort)

expect_error() {	# expect_error STATUS REGEX DESCRIPTION -- ARGS...
	local want=$1 re=$2 what=$3
	shift 4
	"$@" >"$O/out" 2>"$O/err"
	local rc=$?
	is "$rc" "$want" "$what: exit status $want"
	is "$(grep -c . "$O/err")" 1 "$what: exactly one line on stderr"
	like "$(cat "$O/err")" "^recvtop: .*$re" "$what: says what is wrong"
	is "$(grep -c . "$O/out")" 0 "$what: nothing on stdout"
}

expect_error 2 "unknown option '--frobnicate'" "unknown option" -- \
	"$RECVTOP" --frobnicate
expect_error 2 "-p 999999999: no such process" "dead pid" -- \
	"$RECVTOP" -b -p 999999999
expect_error 2 "'12ab' is not a process id" "pid not a number" -- \
	"$RECVTOP" -b -p 12ab
expect_error 2 "not a delay" "bad delay" -- "$RECVTOP" -d soon

if [ ! -e "$T/kprobe_events" ]; then
	expect_error 1 "--backend kprobe cannot work on this kernel: .*kprobe_events does not exist" \
		"--backend kprobe without kprobes" -- "$RECVTOP" -b --backend kprobe
else
	skip "--backend kprobe without kprobes" "this kernel has kprobes"
fi

# not root
chmod o+x "$RT_TOP" "$(dirname "$RECVTOP")" 2>/dev/null
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	expect_error 1 "must be run as root" "not root" -- \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$RECVTOP" -b
else
	skip "not root" "setpriv cannot switch to nobody"
fi

# tracefs not mounted: recvtop mounts it (in a private mount namespace)
unshare -m --propagation private sh -c "
	umount $T 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null
	umount /sys/kernel/debug 2>/dev/null
	grep -q ' $T tracefs ' /proc/mounts && exit 9
	'$RECVTOP' --json -n 1 -d 0.1 >'$O/mount.out' 2>'$O/mount.err' || exit \$?
	grep -q ' $T tracefs ' /proc/mounts" 
is "$?" 0 "tracefs not mounted: recvtop mounts it and runs"

# not mounted and not mountable (no CAP_SYS_ADMIN): says how to mount it
unshare -m --propagation private sh -c "
	umount $T 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
	exec setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
		'$RECVTOP' -b" >"$O/out" 2>"$O/err"
is "$?" 1 "tracefs not mountable: exit status 1"
like "$(cat "$O/err")" "tracefs is not mounted and mounting it needs root.*mount -t tracefs nodev $T" \
	"tracefs not mountable: one line that says how to mount it"

# tracefs read-only: instances cannot be created.  Only this namespace's
# mount is made read-only (a bind mount with its own flag); a plain
# "remount,ro" would turn the shared superblock read-only for everyone.
unshare -m --propagation private sh -c "
	mount --bind $T $T && mount -o remount,bind,ro $T || exit 9
	exec '$RECVTOP' -b" >"$O/out" 2>"$O/err"
rc=$?
if [ "$rc" = 9 ]; then
	skip "tracefs read-only" "cannot remount tracefs read-only here"
else
	is "$rc" 1 "tracefs read-only: exit status 1"
	is "$(grep -c . "$O/err")" 1 "tracefs read-only: one line on stderr"
	like "$(cat "$O/err")" "tracefs at $T is mounted read-only: remount it read-write" \
		"tracefs read-only: says so and how to fix it"
fi

mkdir "$T/instances/rt-rw-check" && rmdir "$T/instances/rt-rw-check"
ok $? "the host's tracefs is still writable"
is "$(ls "$T/instances" | sort)" "$instances_before" \
	"no error path left an instance behind"
! grep -q recvtop "$T/dynamic_events"
ok $? "no error path left a probe group behind"
done_testing
