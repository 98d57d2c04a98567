#!/bin/bash
# Attribution (issue 17): processes in cgroups made here (a fake container
# scope with a 64-hex id under a kubepods-like path, .service units under a
# slice), one moved between cgroups mid-run, one in another network
# namespace; names of processes that rename themselves after fork and exit
# before recvtop reads their events.  Exact per-process and per-container
# counts live (record --live), in report and in replay, and from a plain
# recording.  Everything made here is removed by the trap, also on failure.
. "$RT_TOP/tests/lib/rt.sh"
need_root "containers"
ensure_tracefs
O="$RT_OUT/containers"
rm -rf "$O"
mkdir -p "$O"

# the cgroup v2 mount, wherever this host has it (pure v2: /sys/fs/cgroup;
# hybrid: /sys/fs/cgroup/unified)
V2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	    if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
if [ -z "$V2" ] || [ ! -w "$V2/cgroup.procs" ]; then
	skip "containers" "no writable cgroup v2 hierarchy in /proc/self/mountinfo"
	done_testing
	exit 0
fi
# our own place in it ("0::/..." of this shell), so paths are as the kernel
# prints them
SELF_CG=$(sed -n 's/^0:://p' /proc/self/cgroup)
diag "cgroup v2 at $V2 (this shell in $SELF_CG)"

ID_CT=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ID_MV=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
TOPD="rt19-$$"
REL_CT="/$TOPD/kubepods/burstable/pod8d2e4c1a-19ab-4c1e-9f00-000000000019/$ID_CT"
REL_WEB="/$TOPD/rt19.slice/rt19-web.service"
REL_NS="/$TOPD/rt19.slice/rt19-ns.service"
REL_MVA="/$TOPD/kubepods.slice/kubepods-besteffort.slice/cri-containerd-$ID_MV.scope"
REL_MVB="/$TOPD/rt19.slice/rt19-move.service"
ID_ST=5a5a5a5a5a5a0000111122223333444455556666777788889999aaaabbbbcccc
ID_SB=b0b0b0b0b0b0ffffeeeeddddccccbbbbaaaa99998888777766665555444433ee
REL_ST="/$TOPD/kubepods/besteffort/pod5d2e4c1a-19ab-4c1e-9f00-000000000019/$ID_ST"
REL_RS="/$TOPD/rt19.slice/rt19-restart.service"
REL_SB="/$TOPD/system.slice/docker-$ID_SB.scope"

BG_PIDS=""
cleanup() {
	local p d
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ -d "$V2/$TOPD" ]; then
		# anything still in our groups goes back where this shell is
		for d in $(find "$V2/$TOPD" -depth -type d); do
			while read -r p; do
				echo "$p" >"$V2$SELF_CG/cgroup.procs" 2>/dev/null
			done <"$d/cgroup.procs"
		done
		find "$V2/$TOPD" -depth -type d -exec rmdir {} \; 2>/dev/null
	fi
	cleanup_all
}
trap cleanup EXIT

for rel in "$REL_CT" "$REL_WEB" "$REL_NS" "$REL_MVA" "$REL_MVB" "$REL_ST" \
	"$REL_RS" "$REL_SB/init"; do
	mkdir -p "$V2$rel" || fail "mkdir $V2$rel"
done
HOST_NETNS=$(stat -L -c %i /proc/self/ns/net)

# a process that names itself rt19-mover, sends itself N1 datagrams of S
# bytes on UDP and receives each, says so in READY, waits for GO, then N2
cat >"$O/mover.py" <<'PY'
import ctypes, os, socket, sys, time
n1, n2, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ready, go = sys.argv[4], sys.argv[5]
ctypes.CDLL(None).prctl(15, b"rt19-mover", 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
addr = s.getsockname()
buf = b"m" * size
def run(n):
    for _ in range(n):
        s.sendto(buf, addr)
        if len(s.recvfrom(2 * size)[0]) != size:
            sys.exit(3)
run(n1)
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.01)
run(n2)
PY

# a process that names itself NAME, receives N1 datagrams of 40 bytes on
# UDP, unshare(CLONE_NEWNET)s, writes its new netns inode to INODE,
# receives N2 of 25 bytes on a unix socketpair, then waits for GATE ("-":
# exits at once); with --fork it does all that in a child and waits for it
cat >"$O/nsmv.py" <<'PY'
import ctypes, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
fork = sys.argv[1] == "--fork"
name, n1, n2, inode, gate = sys.argv[2 if fork else 1:][:5]
if fork:
    pid = os.fork()
    if pid:
        sys.exit(os.waitpid(pid, 0)[1] >> 8)
libc.prctl(15, name.encode(), 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
for _ in range(int(n1)):
    s.sendto(b"u" * 40, s.getsockname())
    if len(s.recv(100)) != 40:
        os._exit(3)
if libc.unshare(0x40000000) != 0:
    os._exit(4)
with open(inode, "w") as f:
    f.write("%d\n" % os.stat("/proc/self/ns/net").st_ino)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
for _ in range(int(n2)):
    a.send(b"x" * 25)
    if len(b.recv(100)) != 25:
        os._exit(3)
while gate != "-" and not os.path.exists(gate):
    time.sleep(0.02)
os._exit(0)
PY

# 1. a receiver already waiting in rt19-web.service when tracing starts
# (the /proc snapshot), released by the gate
sh -c "echo \$\$ >'$V2$REL_WEB/cgroup.procs' && exec '$RT_TOOLS/rtgen' \
	--scenarios udp4 --count 700 --size 48 --gate '$O/gate' \
	--expect '$O/web.json'" >"$O/web.out" 2>&1 &
WEB=$!
BG_PIDS="$BG_PIDS $WEB"
for i in $(seq 100); do
	pgrep -P "$WEB" -x rtg-udp4 >/dev/null && break
	sleep 0.05
done

rt_bg "$O/live" record --live --json -d 0.5 -o "$O/live.dat"
LIVE=$RT_PID
BG_PIDS="$BG_PIDS $LIVE"
"$RECVTOP" record -o "$O/plain.dat" >"$O/plain.out" 2>"$O/plain.err" &
PLAIN=$!
BG_PIDS="$BG_PIDS $PLAIN"
rt_wait_started "$LIVE" || fail "record --live started"
rt_wait_started "$PLAIN" || fail "record started"
# tracing is on before each recorder reads /proc (the threads already
# there, taskinfo.h), so a receiver released at once could be gone before
# that snapshot reaches it (seen once: the web receiver had no cgroup)
sleep 1
touch "$O/gate"

# 2. moved into the fake container after tracing started (cgroup_attach_task),
# its receiver a child named after fork; the memory reader there too
sh -c "echo \$\$ >'$V2$REL_CT/cgroup.procs' && exec '$RT_TOOLS/rtgen' \
	--scenarios udp4 --count 900 --size 100 --expect '$O/ct.json'" \
	>"$O/ct.out" 2>&1
is "$?" 0 "rtgen in the container scope exits 0"
sh -c "echo \$\$ >'$V2$REL_CT/cgroup.procs' && exec '$RT_TOOLS/rtmem' \
	--expect '$O/mem.json'" >"$O/mem.out" 2>&1
is "$?" 0 "rtmem in the container scope exits 0"

# 3. in another network namespace (its own loopback), in rt19-ns.service.
# unshare(2) changes a netns with no event: a new task's netns is read from
# /proc when recvtop first meets it (here: its rename after fork), so the
# receiver waits 1.5 s before its receives, longer than recvtop's lag
unshare -n sh -c "ip link set lo up && echo \$\$ >'$V2$REL_NS/cgroup.procs' &&
	stat -L -c %i /proc/self/ns/net >'$O/ns.inode' &&
	exec '$RT_TOOLS/rtgen' --scenarios udp4 --count 400 --size 30 \
	--hold-ms 1500 --expect '$O/ns.json'" >"$O/ns.out" 2>&1
is "$?" 0 "rtgen in a new network namespace exits 0"

# 4. short-lived processes that name themselves after fork and exit at once
"$RT_TOOLS/rtcard" procs --procs 40 --calls 3 --size 64 --parallel 8 \
	--comm rt19-short --expect "$O/card.json" >/dev/null 2>&1
is "$?" 0 "rtcard exits 0"

# 5. moved from a cri-containerd scope to rt19-move.service mid-run
sh -c "echo \$\$ >'$V2$REL_MVA/cgroup.procs' && exec /usr/bin/python3 \
	'$O/mover.py' 300 200 77 '$O/mv.ready' '$O/mv.go'" >"$O/mv.out" 2>&1 &
MOVER=$!
BG_PIDS="$BG_PIDS $MOVER"
for i in $(seq 200); do
	[ -e "$O/mv.ready" ] && break
	sleep 0.05
done
echo "$MOVER" >"$V2$REL_MVB/cgroup.procs"
is "$(sed -n 's/^0:://p' "/proc/$MOVER/cgroup")" "$REL_MVB" "the mover moved"
touch "$O/mv.go"
wait "$MOVER"
is "$?" 0 "the mover exits 0"

# 6. unshare(CLONE_NEWNET) after counted calls: a process that stays until
# recvtop has read its events (its netns is the new one), and a child that
# exits at once (its new netns is read if it still runs, else "not known",
# 0: never the one it left)
/usr/bin/python3 "$O/nsmv.py" rt19-nsmv 120 80 "$O/nsmv.inode" "$O/nsmv.go" \
	>"$O/nsmv.out" 2>&1 &
NSMV=$!
BG_PIDS="$BG_PIDS $NSMV"
/usr/bin/python3 "$O/nsmv.py" --fork rt19-nsgone 30 20 "$O/nsgone.inode" - \
	>"$O/nsgone.out" 2>&1
is "$?" 0 "the child that unshares and exits at once exits 0"
for i in $(seq 200); do
	[ -s "$O/nsmv.inode" ] && break
	sleep 0.05
done
wait "$WEB"
is "$?" 0 "rtgen in rt19-web.service exits 0"

# 7. containers that stop (cgroup_rmdir of their own cgroup): a container
# scope removed once its receiver exited (stopped), a service removed and
# made again (running), and a cgroup below a container removed (the
# container still runs)
for spec in "st:$REL_ST:210:50" "rs:$REL_RS:170:60" "sb:$REL_SB/init:130:70"; do
	IFS=: read -r tag rel cnt sz <<<"$spec"
	sh -c "echo \$\$ >'$V2$rel/cgroup.procs' && exec '$RT_TOOLS/rtgen' \
		--scenarios udp4 --count $cnt --size $sz --expect '$O/$tag.json'" \
		>"$O/$tag.out" 2>&1
	is "$?" 0 "rtgen in $rel exits 0"
done
# the kernel empties a cgroup a moment after its last task is reaped
rm_cg() {
	local i
	for i in $(seq 100); do
		rmdir "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}
rm_cg "$V2$REL_ST"
ok $? "the container scope is removed"
rm_cg "$V2$REL_RS" && mkdir "$V2$REL_RS"
ok $? "the service's cgroup is removed and made again"
rm_cg "$V2$REL_SB/init"
ok $? "the cgroup below the docker scope is removed"

sleep 1.2
kill -INT "$LIVE" "$PLAIN"
wait "$LIVE"
is "$?" 0 "record --live exits 0"
wait "$PLAIN"
is "$?" 0 "record exits 0"
check_clean "$LIVE" "record --live"
check_clean "$PLAIN" "record"
touch "$O/nsmv.go"
wait "$NSMV"
is "$?" 0 "the process that unshared exits 0"
BG_PIDS=""

tail -n 1 "$O/live.out" >"$O/live.summary"
"$RECVTOP" report --json -i "$O/live.dat" >"$O/report.json" 2>"$O/report.err"
is "$?" 0 "report of the live recording exits 0"
"$RECVTOP" top -i "$O/live.dat" --batch --json >"$O/replay.out" 2>"$O/replay.err"
is "$?" 0 "replay of the live recording exits 0"
tail -n 1 "$O/replay.out" >"$O/replay.summary"
"$RECVTOP" report --json -i "$O/plain.dat" >"$O/plain.json" 2>"$O/plain.report.err"
is "$?" 0 "report of the plain recording exits 0"
trace-cmd report -i "$O/live.dat" >"$O/live.tc" 2>/dev/null
is "$?" 0 "trace-cmd report opens the recording"
is "$(grep -c 'task_rename:.*newcomm=rt19-mover' "$O/live.tc")" 1 \
	"trace-cmd report shows the mover's rename"

export V2 REL_CT REL_WEB REL_NS REL_MVA REL_MVB HOST_NETNS O ID_ST ID_SB
for src in live.summary report.json replay.summary plain.json; do
	python3 - "$src" <<'PY'
import json, os, sys
E = os.environ
O = E["O"]
label = sys.argv[1].split(".")[0]
summ = [json.loads(l) for l in open(os.path.join(O, sys.argv[1])) if l.strip()][-1]
host_ns = int(E["HOST_NETNS"])
ns_ino = int(open(os.path.join(O, "ns.inode")).read())
procs = {p["pid"]: p for p in summ["processes"]}
conts = {c["container"]: c for c in summ.get("containers", [])}
n = 0

def check(cond, what):
    print(("ok" if cond else "not ok") + " - %s: %s" % (label, what))

def gen(name, cgroup, container, netns):
    exp = json.load(open(os.path.join(O, name + ".json")))
    for want in exp["processes"]:
        got = procs.get(want["pid"], {})
        check(got.get("comm") == want["comm"] and
              got.get("calls") == want["calls"] and
              got.get("bytes") == want["bytes"],
              "%s receiver %s: %d calls %d bytes (got %s)"
              % (name, want["comm"], want["calls"], want["bytes"],
                 (got.get("comm"), got.get("calls"), got.get("bytes"))))
        check((got.get("cgroup"), got.get("container"), got.get("netns")) ==
              (cgroup, container, netns),
              "%s receiver: cgroup %s container %r netns %d (got %s)"
              % (name, cgroup, container, netns,
                 (got.get("cgroup"), got.get("container"), got.get("netns"))))
    c = conts.get(container, {})
    calls = sum(p["calls"] for p in exp["processes"])
    nbytes = sum(p["bytes"] for p in exp["processes"])
    return calls, nbytes

ct = E["REL_CT"].rsplit("/", 1)[1][:12]
# the container scope holds rtgen and rtmem: receives only rtgen's
calls, nbytes = gen("ct", E["REL_CT"], ct, host_ns)
c = conts.get(ct, {})
check(c.get("kind") == "container" and c.get("calls") == calls and
      c.get("bytes") == nbytes,
      "container %s: kind container, %d calls %d bytes (got %s)"
      % (ct, calls, nbytes, (c.get("kind"), c.get("calls"), c.get("bytes"))))
for svc, rel, ns in (("rt19-web.service", E["REL_WEB"], host_ns),
                     ("rt19-ns.service", E["REL_NS"], ns_ino)):
    calls, nbytes = gen("web" if "web" in svc else "ns", rel, svc, ns)
    c = conts.get(svc, {})
    check(c.get("kind") == "service" and c.get("calls") == calls and
          c.get("bytes") == nbytes,
          "service %s: %d calls %d bytes (got %s)"
          % (svc, calls, nbytes, (c.get("kind"), c.get("calls"), c.get("bytes"))))
check(ns_ino != host_ns, "the new network namespace differs from the host's")

# the mover: 300 x 77 in the cri-containerd scope, 200 x 77 after the move
mv = [p for p in summ["processes"] if p["comm"] == "rt19-mover"]
check(len(mv) == 1 and mv[0]["calls"] == 500 and mv[0]["bytes"] == 500 * 77
      and mv[0]["send_calls"] == 500 and mv[0]["send_bytes"] == 500 * 77,
      "the mover: one process rt19-mover, 500 receives and sends of 77 bytes "
      "(got %s)" % [(p["pid"], p["calls"], p["bytes"], p["send_bytes"]) for p in mv])
if mv:
    check((mv[0]["cgroup"], mv[0]["container"]) == (E["REL_MVB"], "rt19-move.service"),
          "the mover's row: its latest cgroup (got %s)"
          % ((mv[0]["cgroup"], mv[0]["container"]),))
mva = E["REL_MVA"].rsplit("-", 1)[1][:12]
a, b = conts.get(mva, {}), conts.get("rt19-move.service", {})
check((a.get("kind"), a.get("calls"), a.get("bytes"), a.get("send_bytes")) ==
      ("container", 300, 300 * 77, 300 * 77),
      "container %s before the move: 300 x 77 each way (got %s)"
      % (mva, (a.get("kind"), a.get("calls"), a.get("bytes"), a.get("send_bytes"))))
check((b.get("kind"), b.get("calls"), b.get("bytes"), b.get("send_bytes")) ==
      ("service", 200, 200 * 77, 200 * 77),
      "rt19-move.service after the move: 200 x 77 each way (got %s)"
      % ((b.get("kind"), b.get("calls"), b.get("bytes"), b.get("send_bytes")),))

# stopped and running containers and services
for name, tag, stopped in ((E["ID_ST"][:12], "st", True),
                           ("rt19-restart.service", "rs", False),
                           (E["ID_SB"][:12], "sb", False)):
    exp = json.load(open(os.path.join(O, tag + ".json")))
    calls = sum(p["calls"] for p in exp["processes"])
    nbytes = sum(p["bytes"] for p in exp["processes"])
    c = conts.get(name, {})
    check((c.get("calls"), c.get("bytes"), c.get("stopped")) ==
          (calls, nbytes, stopped),
          "%s: %d calls %d bytes, stopped %s (got %s)"
          % (name, calls, nbytes, stopped,
             (c.get("calls"), c.get("bytes"), c.get("stopped"))))
check(all(c.get("stopped") is False for n, c in conts.items()
          if n not in (E["ID_ST"][:12],)),
      "every other container and service runs (stopped: %s)"
      % [n for n, c in conts.items() if c.get("stopped") is not False])

# unshare(CLONE_NEWNET) after counted calls
ins = lambda n: int(open(os.path.join(O, n + ".inode")).read())
for comm, calls, nbytes, allowed in (
        ("rt19-nsmv", 200, 120 * 40 + 80 * 25, (ins("nsmv"),)),
        ("rt19-nsgone", 50, 30 * 40 + 20 * 25, (0, ins("nsgone")))):
    rows = [p for p in summ["processes"] if p["comm"] == comm]
    check(len(rows) == 1 and rows[0]["calls"] == calls and
          rows[0]["bytes"] == nbytes and rows[0]["netns"] in allowed and
          host_ns not in allowed,
          "%s: %d calls %d bytes, netns after its unshare %s, not the "
          "host's %d (got %s)" % (comm, calls, nbytes,
                                  " or ".join(map(str, allowed)), host_ns,
                                  [(p["calls"], p["bytes"], p["netns"])
                                   for p in rows]))

# short-lived processes that renamed themselves after fork
card = json.load(open(os.path.join(O, "card.json")))
bad = [(pid, procs.get(pid, {}).get("comm"), procs.get(pid, {}).get("bytes"))
       for pid in card["pids"]
       if procs.get(pid, {}).get("comm") != "rt19-short"
       or procs.get(pid, {}).get("calls") != card["calls_per_proc"]
       or procs.get(pid, {}).get("bytes") != card["bytes_per_proc"]]
check(not bad, "%d short-lived processes named rt19-short, %d calls %d bytes "
      "each (wrong: %s)" % (len(card["pids"]), card["calls_per_proc"],
                            card["bytes_per_proc"], bad[:5]))

# the memory reader and its target, both in the container scope
mem = json.load(open(os.path.join(O, "mem.json")))
rd = {(r["reader_pid"], r["target_pid"], r["via"]): r for r in summ["readers"]}
for want in mem["readers"]:
    got = rd.get((want["reader_pid"], want["target_pid"], want["via"]), {})
    check((got.get("reader_comm"), got.get("target_comm"), got.get("count"),
           got.get("reader_container"), got.get("target_container")) ==
          (want["reader_comm"], want["target_comm"], want["count"], ct, ct),
          "reader %s -> %s %s: %d, both in %s (got %s)"
          % (want["reader_comm"], want["target_comm"], want["via"],
             want["count"], ct,
             (got.get("reader_comm"), got.get("target_comm"), got.get("count"),
              got.get("reader_container"), got.get("target_container"))))
PY
done

# the text view: STATE
"$RECVTOP" report -i "$O/live.dat" >"$O/report.txt" 2>&1
like "$(grep "^${ID_ST:0:12} " "$O/report.txt")" "^${ID_ST:0:12} +container +stopped +210 +10500 " \
	"report (text): the removed container scope is stopped"
like "$(grep '^rt19-restart.service ' "$O/report.txt")" " service +running +170 +10200 " \
	"report (text): the service made again runs"

# the recording keeps the cgroup paths (recvtop's block, before "tasks")
python3 - "$O/live.dat" "$REL_CT" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
i = data.find(b"recvtop-data 1\n")
j = data.find(b"\ntasks ", i)
block = data[i:j].decode(errors="replace").split("\n") if i >= 0 and j > i else []
paths = []
if "cgroups" in " ".join(block[:8]):
    k = [n for n, l in enumerate(block) if l.startswith("cgroups ")][0]
    paths = block[k + 1:k + 1 + int(block[k].split()[1])]
print(("ok" if sys.argv[2] in paths else "not ok") +
      " - the recording stores the interned cgroup paths (%d, the container's among them)"
      % len(paths))
PY
done_testing
