#!/bin/bash
# KernelShark opens a recording of `recvtop record --sched`: Debian's
# kernelshark runs under Xvfb (xvfb-run) as an ordinary user (nobody: as
# root it opens with a warning dialog about root privileges), given its
# own copy of the 0600 recording.  It must show its main window titled with
# the file, open no other window (no error dialog), print nothing but its
# "Loading" line and the kvm_combo plugin's note (printed for every trace
# that is not a KVM host/guest pair, trace-cmd's own files too), and still
# run when it is killed.  The screen is saved as a PNG
# ($RT_OUT/eco-shots/kernelshark.png; into docs/ with RT_DOCS_SHOTS=1).
# Xvfb, kernelshark and the recording run are gone afterwards and tracefs
# is clean.
. "$RT_TOP/tests/lib/rt.sh"
need_root "kernelshark"
ensure_tracefs
O="$RT_OUT/eco-kernelshark"
SHOTS="$RT_OUT/eco-shots"
rm -rf "$O"
mkdir -p "$O" "$SHOTS"
W=""
KS_PID=""
XLOCK=""

missing=""
for c in kernelshark xvfb-run import identify setpriv timeout python3; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
id nobody >/dev/null 2>&1 || missing="$missing user-nobody"
if [ -n "$missing" ]; then
	skip "KernelShark opens a recording" "missing:$missing (scripts/install-deps.sh: kernelshark xvfb xauth imagemagick)"
	done_testing
	exit 0
fi

cleanup() {
	[ -n "$KS_PID" ] && kill -KILL "$KS_PID" 2>/dev/null
	# an Xvfb that xvfb-run left (its lock file names its pid)
	if [ -n "$XLOCK" ] && [ -f "$XLOCK" ]; then
		xp=$(tr -dc 0-9 <"$XLOCK")
		[ -n "$xp" ] && [ "$(cat "/proc/$xp/comm" 2>/dev/null)" = Xvfb ] &&
			kill -TERM "$xp" 2>/dev/null
	fi
	[ -n "$W" ] && rm -rf "$W"
	cleanup_all
}
trap cleanup EXIT

# ---- the recording ----

"$RECVTOP" record --sched -o "$O/ks.dat" -- "$RT_TOOLS/rtgen" --count 200 \
	>"$O/record.out" 2>"$O/record.err" &
rec_pid=$!
wait "$rec_pid"
is "$?" 0 "recvtop record --sched -- rtgen: exit 0"
check_clean "$rec_pid" "recvtop record --sched"
is "$(stat -c %a "$O/ks.dat" 2>/dev/null)" 600 "the recording is mode 0600"
trace-cmd report -i "$O/ks.dat" >"$O/ks.report" 2>/dev/null
like "$(grep -c 'sched_switch:' "$O/ks.report")" "^[1-9]" "trace-cmd report shows sched_switch events"
like "$(grep -c 'recvfrom' "$O/ks.report")" "^[1-9]" "trace-cmd report shows the receive events"

# ---- KernelShark under Xvfb ----

W=$(mktemp -d /tmp/rt-kernelshark.XXXXXX)
cp "$O/ks.dat" "$W/ks.dat"
chown -R nobody: "$W"
chmod 700 "$W"

# runs inside xvfb-run: kernelshark as nobody, until its window is drawn
cat >"$O/session.sh" <<'EOF'
W=$1 O=$2 XWINS=$3
echo "$DISPLAY" >"$O/display"
cp "$XAUTHORITY" "$W/xauth" && chown nobody: "$W/xauth"
HOME=$W XDG_RUNTIME_DIR=$W XAUTHORITY=$W/xauth \
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	kernelshark -geometry 1280x800+0+0 "$W/ks.dat" >"$O/ks.out" 2>"$O/ks.err" &
ks=$!
echo "$ks" >"$O/ks.pid"
n=0
# the main window, titled with the file, within 60 s
until python3 "$XWINS" 2>/dev/null | grep -q ' viewable .* "Kernel Shark ('; do
	n=$((n + 1))
	if [ $n -ge 600 ] || ! kill -0 "$ks" 2>/dev/null; then
		echo "no window" >"$O/result"
		python3 "$XWINS" >"$O/tree" 2>&1
		kill -KILL "$ks" 2>/dev/null
		exit 1
	fi
	sleep 0.1
done
# time to load the file, draw, and open any dialog it would open
sleep 5
python3 "$XWINS" >"$O/tree" 2>&1
id=$(sed -n 's/^\(0x[0-9a-f]*\) viewable [^ ]* "Kernel Shark (.*/\1/p' "$O/tree" | head -n 1)
import -window "${id:-root}" "$O/kernelshark.png" 2>"$O/import.err"
if kill -0 "$ks" 2>/dev/null; then
	echo "running" >"$O/result"
else
	echo "exited" >"$O/result"
fi
kill -TERM "$ks" 2>/dev/null
for _ in $(seq 50); do
	kill -0 "$ks" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$ks" 2>/dev/null
wait "$ks" 2>/dev/null
exit 0
EOF

timeout -k 5 120 xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
	bash "$O/session.sh" "$W" "$O" "$RT_TOP/tests/eco/xwins.py" \
	>"$O/xvfb.out" 2>"$O/xvfb.err"
st=$?
KS_PID=$(cat "$O/ks.pid" 2>/dev/null)
disp=$(tr -dc 0-9 <"$O/display" 2>/dev/null)
[ -n "$disp" ] && XLOCK="/tmp/.X$disp-lock"
is "$st" 0 "xvfb-run ran the session (exit 0)$( [ "$st" = 0 ] || sed 's/^/; /' "$O/xvfb.err" | tr -d '\n')"
is "$(cat "$O/result" 2>/dev/null)" running "KernelShark started and was still running 5 s after its window appeared"
like "$(cat "$O/tree" 2>/dev/null)" " viewable 1280x800\\+0\\+0 \"Kernel Shark \\($W/ks.dat\\)\" \"kernelshark\"" \
	"its main window is on screen, titled with the recording"
# (tests/eco/xwins.py lists the top-level windows): only the main window
# may be on screen; a dialog would be a second one
others=$(grep ' viewable ' "$O/tree" 2>/dev/null | grep -v '"Kernel Shark (')
is "$others" "" "no other window on screen (no error or warning dialog)"
unexpected=$(cat "$O/ks.out" "$O/ks.err" 2>/dev/null |
	grep -v -e '^Loading  *"' -e '^plugin "kvm_combo" failed to initialize on stream ' |
	grep -v '^[[:space:]]*$')
is "$unexpected" "" "KernelShark printed no error or warning"
like "$(cat "$O/ks.out" "$O/ks.err" 2>/dev/null)" "Loading +\"$W/ks.dat\"" "KernelShark loaded the recording"

# ---- the screenshot ----

size=$(identify -format '%wx%h' "$O/kernelshark.png" 2>/dev/null)
is "$size" 1280x800 "screenshot of the main window: 1280x800"
colors=$(identify -format '%k' "$O/kernelshark.png" 2>/dev/null)
like "$colors" "^[0-9]{2,}" "the screenshot is not blank ($colors colours)"
if [ -s "$O/kernelshark.png" ]; then
	convert "$O/kernelshark.png" -strip -depth 8 "$SHOTS/kernelshark.png"
	if [ "${RT_DOCS_SHOTS:-0}" = 1 ]; then
		mkdir -p "$RT_TOP/docs"
		cp "$SHOTS/kernelshark.png" "$RT_TOP/docs/kernelshark.png"
		diag "saved docs/kernelshark.png"
	fi
fi

# ---- nothing left running ----

n=0
while [ -n "$XLOCK" ] && [ -e "$XLOCK" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
ok "$( [ -n "$XLOCK" ] && [ ! -e "$XLOCK" ]; echo $?)" "Xvfb is gone (display :$disp)"
ok "$(kill -0 "$KS_PID" 2>/dev/null && echo 1 || echo 0)" "kernelshark is gone"
rm -rf "$W"
W=""
is "$(ls -d /tmp/rt-kernelshark.* 2>/dev/null)" "" "its temp directory is removed"
done_testing
