#!/bin/bash
# A hostile or unusual environment, beyond tests/system/30-errors.t (which
# covers: tracefs not mounted -> recvtop mounts it; not mountable -> says
# how; tracefs read-only; not root for `recvtop -b`).  Here:
#   - only the old debugfs path (/sys/kernel/debug/tracing): recvtop works
#     there, exactly, and leaves nothing behind;
#   - the debugfs path only, read-only: one line, exit 1;
#   - not root, for every subcommand that touches tracefs (top, record,
#     reset, probes): one line, exit 1, no file written;
#   - tracefs not mounted and not mountable, for record and reset too;
#   - tracefs read-only, for record (no file, no temp files) and reset.
# Each case runs in a private mount namespace (unshare -m --propagation
# private); the shared tracefs superblock is never remounted: read-only
# is a bind mount with its own flag.  After every case: no instance, no
# /run/recvtop list, no output or temp file, the host's mounts unchanged.
. "$RT_TOP/tests/lib/rt.sh"
. "$RT_TOP/tests/reliability/lib.sh"
need_root "environment"
ensure_tracefs
O="$RT_OUT/rel-environment"
rm -rf "$O"
mkdir -p "$O"
chmod 0777 "$O"
D=/sys/kernel/debug
trap cleanup_all EXIT

mounts_before=$(sort /proc/self/mountinfo | awk '{print $5, $9}')
inst_before=$(ls "$T/instances" | sort)

# nothing of any run left: instances, lists, files in $O but the logs
nothing_left() {	# nothing_left LABEL
	is "$(ls "$T/instances" | sort)" "$inst_before" "$1: no instance left"
	[ ! -e /run/recvtop ] || [ -z "$(ls -A /run/recvtop)" ]
	ok $? "$1: no temp-file list left"
	is "$(ls -A "$O" | grep -v '\.\(out\|err\|exp\|sh\)$')" "" \
		"$1: no recording or temp file written"
}

# one clear line on stderr, exit 1, nothing on stdout
one_line() {	# one_line LABEL RC REGEX
	is "$2" 1 "$1: exit status 1"
	is "$(grep -c . "$O/case.err")" 1 "$1: exactly one line on stderr"
	like "$(cat "$O/case.err")" "^recvtop: $3" "$1: says what is wrong"
	is "$(grep -c . "$O/case.out")" 0 "$1: nothing on stdout"
}

# 1. only the debugfs path: works, exact counts, cleans up
cat >"$O/debugfs.sh" <<EOF
umount $T 2>/dev/null
grep -q ' $T tracefs ' /proc/mounts && exit 9
mountpoint -q $D || mount -t debugfs nodev $D || exit 9
ls $D/tracing/instances >/dev/null || exit 9
'$RECVTOP' probes 2>&1 | sed -n 's/^tracefs: //p' >'$O/debugfs.dir.out'
'$RECVTOP' --json -- '$RTGEN' --scenarios udp4,tcp,eagain --count 500 \
	--expect '$O/debugfs.exp' >'$O/debugfs.out' 2>'$O/debugfs.err'
echo \$? >'$O/debugfs.rc.out'
'$RECVTOP' record --no-kallsyms -o '$O/debugfs.dat' -- '$RTGEN' --scenarios udp4 \
	--count 300 >/dev/null 2>'$O/debugfs.rec.err'
echo \$? >'$O/debugfs.rec.rc.out'
'$RECVTOP' report --json -i '$O/debugfs.dat' >'$O/debugfs.rep.out' 2>&1
rm -f '$O/debugfs.dat'
ls $D/tracing/instances | grep '^recvtop-' >'$O/debugfs.left.out'
'$RECVTOP' reset >'$O/debugfs.reset.out' 2>&1
echo \$? >>'$O/debugfs.reset.out'
EOF
unshare -m --propagation private sh "$O/debugfs.sh"
rc=$?
if [ $rc = 9 ]; then
	skip "only the debugfs path" "cannot mount debugfs in a private namespace here"
else
	is "$rc" 0 "debugfs path: the case ran"
	is "$(cat "$O/debugfs.dir.out")" "$D/tracing" "debugfs path: recvtop uses $D/tracing"
	is "$(cat "$O/debugfs.rc.out")" 0 "debugfs path: a run exits 0"
	is "$(cat "$O/debugfs.err")" "" "debugfs path: nothing on stderr"
	$RTCHECK compare "$O/debugfs.exp" "$O/debugfs.out" --label "debugfs path" >"$O/debugfs.check.out"
	ok $? "debugfs path: exact counts ($(grep -c '^ok' "$O/debugfs.check.out") checks)"
	is "$(cat "$O/debugfs.rec.rc.out")" 0 "debugfs path: record exits 0"
	like "$(cat "$O/debugfs.rep.out")" '"type":"summary"' "debugfs path: the recording reads back"
	is "$(cat "$O/debugfs.left.out")" "" "debugfs path: no instance left (seen through $D/tracing)"
	is "$(tr '\n' ' ' <"$O/debugfs.reset.out" | sed 's/:.* \([0-9]*\) $/ rc=\1/')" \
		"nothing to remove rc=0" "debugfs path: reset works there too"
fi
nothing_left "debugfs path"

# 2. only the debugfs path, and it is read-only (a bind mount of its own)
unshare -m --propagation private sh -c "
	umount $T 2>/dev/null
	mountpoint -q $D || mount -t debugfs nodev $D || exit 9
	ls $D/tracing >/dev/null || exit 9
	mount --bind $D/tracing $D/tracing && mount -o remount,bind,ro $D/tracing || exit 9
	exec '$RECVTOP' -b" >"$O/case.out" 2>"$O/case.err"
rc=$?
if [ $rc = 9 ]; then
	skip "debugfs path read-only" "cannot set up the mounts here"
else
	one_line "debugfs path read-only" $rc \
		"tracefs at $D/tracing is mounted read-only: remount it read-write"
fi
nothing_left "debugfs path read-only"

# 3. not root: every subcommand that needs tracefs
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if nobody true 2>/dev/null && nobody test -x "$RECVTOP"; then
	for args in "-b" "record -o $O/nobody.dat" "reset" "probes" \
		    "--json -- $RTGEN --count 10"; do
		(cd "$O" && nobody "$RECVTOP" $args) >"$O/case.out" 2>"$O/case.err"
		one_line "not root: recvtop $args" $? "must be run as root"
	done
	[ ! -e "$O/nobody.dat" ]
	ok $? "not root: record wrote no file"
else
	skip "not root" "setpriv cannot run $RECVTOP as nobody"
fi
nothing_left "not root"

# 4. tracefs not mounted and not mountable (no CAP_SYS_ADMIN): record, reset
for args in "record --no-kallsyms -o $O/nomount.dat" "reset"; do
	unshare -m --propagation private sh -c "
		umount $T 2>/dev/null; umount $D 2>/dev/null
		grep -q ' tracefs ' /proc/mounts && exit 9
		exec setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
			'$RECVTOP' $args" >"$O/case.out" 2>"$O/case.err"
	rc=$?
	if [ $rc = 9 ]; then
		skip "not mountable: $args" "cannot unmount tracefs here"
		continue
	fi
	one_line "not mountable: recvtop $args" $rc \
		"tracefs is not mounted and mounting it needs root.*mount -t tracefs nodev $T"
done
nothing_left "not mountable"

# 5. tracefs read-only: record writes nothing, reset says so
for args in "record --no-kallsyms -o $O/ro.dat" "reset" "--json -- $RTGEN --count 10"; do
	unshare -m --propagation private sh -c "
		mount --bind $T $T && mount -o remount,bind,ro $T || exit 9
		exec '$RECVTOP' $args" >"$O/case.out" 2>"$O/case.err"
	rc=$?
	if [ $rc = 9 ]; then
		skip "read-only: $args" "cannot make a read-only bind mount here"
		continue
	fi
	one_line "read-only tracefs: recvtop $args" $rc \
		"tracefs at $T is mounted read-only: remount it read-write"
done
nothing_left "read-only tracefs"

mkdir "$T/instances/rt-env-rw-$$" && rmdir "$T/instances/rt-env-rw-$$"
ok $? "the host's tracefs is still writable"
is "$(sort /proc/self/mountinfo | awk '{print $5, $9}')" "$mounts_before" \
	"the host's mounts are as before"
done_testing
