#!/bin/bash
# Hostile input that reaches tracefs: -c NAME (the kernel filter
# comm == "NAME" of every event), -p PID,... (set_event_pid) and
# --buffer-kb (buffer_size_kb).  Each value is either refused with one
# clear line and exit 2 (values that must be refused are marked), or
# accepted; then
#   - the instance's files say exactly what was asked: every enabled event
#     has the filter comm == "NAME" (joined to the probe's own filter as
#     "(FILTER) && comm == ..."; sock:inet_sock_set_state, which runs in
#     whatever task a softirq interrupts, keeps none), set_event_pid holds exactly the
#     process's threads, buffer_size_kb the size;
#   - the filter means exactly that name: processes named NAME are
#     counted, each exact, and decoys (the name one byte shorter, or what
#     a glob would match) are not;
#   - no other tracefs file changed (the top level, the other instances,
#     every event's enable/filter/trigger outside recvtop's instance).
. "$RT_TOP/tests/lib/rt.sh"
. "$RT_TOP/tests/reliability/lib.sh"
need_root "hostile input"
ensure_tracefs
O="$RT_OUT/rel-hostile"
rm -rf "$O"
mkdir -p "$O"
SLEEPER=""
cleanup() {
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	cleanup_all
}
trap cleanup EXIT

# the traced command: the instance's files, then the named processes and
# the decoys (2 each, 3 calls each)
cat >"$O/dump.sh" <<EOF
I=$T/instances/recvtop-\$PPID
out=\$1
{
	grep -H . \$I/events/*/*/enable | grep -v ':0\$' | sed "s|^\$I/events/||"
	grep -H . \$I/events/*/*/filter | grep -v ':none\$' | sed "s|^\$I/events/||"
	echo "set_event_pid:\$(cat \$I/set_event_pid)"
	echo "buffer_size_kb:\$(cat \$I/buffer_size_kb)"
} >"\$out.inst"
[ -n "\$2" ] || exit 0
'$RTCARD' procs --procs 2 --comm "\$2" --expect "\$out.name.json" || exit 1
[ -n "\$3" ] || exit 0
'$RTCARD' procs --procs 2 --comm "\$3" --expect "\$out.decoy.json" || exit 1
EOF

rel_global_snapshot "$O/global.0"
# (the scratch instance of the buffer checks is gone again when compared)
global_same() {	# global_same LABEL
	rel_global_snapshot "$O/global.1"
	diff "$O/global.0" "$O/global.1" >"$O/global.diff"
	ok $? "$1: no other tracefs file changed$(head -c 200 "$O/global.diff" | tr '\n' ' ' | sed 's/^./ (&/; s/.$/&)/')"
}

refused() {	# refused LABEL REGEX: the last run refused with one line, exit 2
	is "$RC" 2 "$1: refused, exit status 2"
	is "$(grep -c . "$O/case.err")" 1 "$1: one line on stderr"
	like "$(cat "$O/case.err")" "^recvtop: $2" "$1: says why"
	is "$(grep -c . "$O/case.out")" 0 "$1: nothing on stdout"
}

# the baseline: the probes' own filters, and which events are enabled
"$RECVTOP" --json -- sh "$O/dump.sh" "$O/base" >/dev/null 2>"$O/base.err"
is "$?" 0 "baseline run"

# ---- -c ----
# R: must be refused; A: must be accepted; ?: either.  DECOY: another
# process name the filter must not match ("" for none)
n=0
while IFS=$'\t' read -r want name decoy why; do
	n=$((n + 1))
	[ "$name" = EMPTY ] && name=""
	name=$(printf '%b' "$name")
	decoy=$(printf '%b' "$decoy")
	label="-c $why"
	"$RECVTOP" --json -c "$name" -- sh "$O/dump.sh" "$O/c$n" "$name" "$decoy" \
		>"$O/case.out" 2>"$O/case.err"
	RC=$?
	if [ "$want" = R ]; then
		refused "$label" "-c"
		global_same "$label"
		continue
	fi
	if [ "$RC" = 2 ] && [ "$want" = "?" ]; then
		refused "$label" "-c"
		global_same "$label"
		continue
	fi
	is "$RC" 0 "$label: accepted, exit status 0"
	cp "$O/case.out" "$O/c$n.out"
	python3 - "$label" "$O/base.inst" "$O/c$n" "$name" <<'PY'
import json, os, re, sys
label, base, pre = sys.argv[1], sys.argv[2], sys.argv[3]
name = os.fsencode(sys.argv[4])
def parse(path):
    en, fl = set(), {}
    for line in open(path, "rb").read().split(b"\n"):
        if not line:
            continue
        path_, _, val = line.partition(b":")
        # each run's dynamic events (the libc uprobes) carry its pid
        path_ = re.sub(rb"recvtop_[0-9]+/([a-z_]*?[0-9]*)_[0-9]+/",
                       rb"recvtop_N/\1_N/", path_)
        val = re.sub(rb"common_pid != [0-9]+", b"common_pid != N", val)
        if path_.endswith(b"/enable"):
            en.add(path_[:-7])
        elif path_.endswith(b"/filter"):
            fl[path_[:-7]] = val
        else:
            fl[path_] = val
    return en, fl
ben, bfl = parse(base)
en, fl = parse(pre + ".inst")
def t(c, what):
    print(("ok" if c else "not ok") + " - %s: %s" % (label, what))
t(en == ben and en, "the same %d events enabled as without -c" % len(ben))
want = {}
# TCP state changes run in whatever task the softirq interrupts: -c
# leaves them unfiltered (a connection of the named process must be named)
nocomm = {b"sock/inet_sock_set_state"}
for ev in ben:
    expr = b'comm == "' + name + b'"'
    if any(ev.endswith(n) for n in nocomm):
        want[ev] = bfl.get(ev)
        continue
    want[ev] = b"(" + bfl[ev] + b") && " + expr if ev in bfl else expr
got = {ev: fl.get(ev) for ev in ben}
bad = {e.decode(): (got[e], want[e]) for e in ben if got[e] != want[e]}
t(not bad, "every enabled event's filter (but the TCP state's) is exactly %r (bad: %s)"
  % ((b'comm == "' + name + b'"').decode(errors="replace"), list(bad.items())[:2]))
extra = [e for e in fl if e not in ben and b"/" in e]
t(not extra, "no filter on any other event (%s)" % extra[:3])
s = [json.loads(l) for l in open(pre + ".out") if l.strip()][-1]
e = json.load(open(pre + ".name.json"))
rows = {p["pid"]: (p["calls"], p["bytes"], p["errors"]) for p in s["processes"]}
want_rows = {p: (e["calls_per_proc"], e["bytes_per_proc"], 1) for p in e["pids"]}
t(rows == want_rows, "exactly the processes named so, exact (want %s, got %s)"
  % (want_rows, rows))
if os.path.exists(pre + ".decoy.json"):
    d = json.load(open(pre + ".decoy.json"))
    t(not set(d["pids"]) & set(rows), "the decoys are not counted")
PY
	global_same "$label"
done <<'EOF'
R	a"b	ab	a double quote
R	\x22 || comm != \x22	x	a quote that would end the string and add a clause
R	a\\b	ab	a backslash
R	a\nb	ab	a newline
R	a\tb	ab	a tab
R	\033[31mred	red	a terminal escape
R	a\0177b	ab	DEL
R	abcdefghijklmnop	abcdefghijklmno	16 characters (the kernel keeps 15)
R	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa	aaa	a very long name
R	EMPTY	a	an empty name
A	abcdefghijklmno	abcdefghijklmn	15 characters
A	a&&b	a	&&
A	a||b	a	||
A	a > b	a	> and spaces
A	x) || (1	x	a parenthesis that would close the expression
A	it's	its	a single quote
A	rtg*	rtgx	* (no glob)
A	rt?	rtx	? (no glob)
A	[ab]	a	[ ] (no glob)
A	%s%n%x	%s%n	printf conversions
A	\xc3\xa9t\xc3\xa9	t	non-ASCII (UTF-8)
A	-b	b	a name that looks like an option
A	$(touch x)	touch	shell syntax
A	../../x	x	a path
EOF

# ---- -p ----
sleep 600 &
SLEEPER=$!
P=$SLEEPER
while IFS=$'\t' read -r want val why; do
	[ "$val" = EMPTY ] && val=""
	val=$(printf '%b' "${val//PID/$P}")
	label="-p $why"
	if [ "$want" = R ]; then
		"$RECVTOP" --json -p "$val" >"$O/case.out" 2>"$O/case.err"
		RC=$?
		refused "$label" "-p"
		global_same "$label"
		continue
	fi
	rt_bg "$O/p" --json -d 0.2 -p "$val"
	pid=$RT_PID
	if rt_wait_started "$pid"; then
		got=$(cat "$T/instances/recvtop-$pid/set_event_pid" | sort -n | tr '\n' ' ')
		fork=$(grep -c '^event-fork$' "$T/instances/recvtop-$pid/trace_options")
	fi
	kill -INT "$pid"
	wait "$pid"
	is "$?" 0 "$label: accepted, exit status 0"
	is "$got" "$(ls "/proc/$P/task" | sort -n | tr '\n' ' ')" \
		"$label: set_event_pid holds exactly the process's threads"
	is "${fork:-0}" 1 "$label: event-fork on (its children are followed)"
	global_same "$label"
done <<'EOF'
A	PID	a process id
A	PID,PID	the same id twice
R	PID 	a trailing space
R	PID\n1	a newline
R	PID;1	a semicolon
R	-PID	a minus sign
R	+PID	a plus sign
R	0	zero
R	0x10	hexadecimal
R	99999999999	beyond int
R	PID,,1	an empty item
R	PID,	a trailing comma
R	,PID	a leading comma
R	EMPTY	nothing
R	2147483647	a process that does not exist
EOF
# more ids than -p takes
many=$(seq -s, 1 1025)
"$RECVTOP" --json -p "$many" >"$O/case.out" 2>"$O/case.err"
RC=$?
refused "-p with 1025 ids" "-p: more than 1024 processes"
global_same "-p with 1025 ids"

# ---- --buffer-kb ----
while IFS=$'\t' read -r want val why; do
	[ "$val" = EMPTY ] && val=""
	val=$(printf '%b' "$val")
	label="--buffer-kb $why"
	"$RECVTOP" --json --buffer-kb "$val" -- sh "$O/dump.sh" "$O/b" \
		>"$O/case.out" 2>"$O/case.err"
	RC=$?
	if [ "$want" = R ]; then
		refused "$label" "--buffer-kb"
		global_same "$label"
		continue
	fi
	is "$RC" 0 "$label: accepted, exit status 0"
	# what the kernel makes of that size (whole pages of 4080 data bytes,
	# at least two), asked of a scratch instance
	mkdir "$T/instances/rt-hostile-ref-$$"
	echo "$((val))" >"$T/instances/rt-hostile-ref-$$/buffer_size_kb"
	want_kb=$(cat "$T/instances/rt-hostile-ref-$$/buffer_size_kb")
	rmdir "$T/instances/rt-hostile-ref-$$"
	is "$(sed -n 's/^buffer_size_kb://p' "$O/b.inst")" "$want_kb" \
		"$label: the instance's buffer_size_kb is the kernel's $want_kb for $((val)) kB"
	global_same "$label"
done <<'EOF'
A	64	64
A	1	1 (one page)
A	4097	4097
R	64 	a trailing space
R	64k	a unit
R	0x40	hexadecimal
R	-1	negative
R	0	zero
R	1\n2	a newline
R	16777217	above the maximum
R	99999999999999999999	beyond 64 bits
R	EMPTY	nothing
EOF
# the largest size recvtop takes, more than half the memory available:
# refused before the kernel is asked; one line, exit 1, nothing left
avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
ncpu=$(getconf _NPROCESSORS_CONF)
if [ $((16777216 * ncpu)) -gt "$(( ${avail:-0} / 2 ))" ]; then
	"$RECVTOP" --json --buffer-kb 16777216 >"$O/case.out" 2>"$O/case.err"
	rc=$?
	is "$rc" 1 "--buffer-kb 16777216 ($ncpu x 16 GB, more than the memory available): exit 1"
	is "$(grep -c . "$O/case.err")" 1 "--buffer-kb 16777216: one line on stderr"
	like "$(cat "$O/case.err")" "--buffer-kb 16777216: $ncpu CPUs x 16777216 KB is more than half the memory available" \
		"--buffer-kb 16777216: says it would take too much memory"
	global_same "--buffer-kb 16777216"
else
	skip "--buffer-kb 16777216" "this machine could allocate it"
fi
is "$(ls "$T/instances" | grep -c '^recvtop-')" 0 "no instance left"
done_testing
