#!/bin/busybox sh
# /init of the recvtop VM test guest (busybox sh: the guest has no bash).
#
# Runs recvtop on the kprobe backend (and, in step 2, --backend auto: sock
# on 6.12) against the generators and prints
# everything the host needs on the console, in sections:
#   @@BEGIN NAME            the lines of one file or command output
#   ...
#   @@END NAME rc=N t=S     N: exit status of the command (or 0 for a
#                           file); S: the guest's uptime in seconds
# The host (tests/vm/50-kprobe-vm.t) cuts the sections out of the console
# log and checks them there (with tests/lib/rtcheck.py and
# tests/vm/vmcheck.py).  Nothing is judged in the guest.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs nodev /sys/kernel/tracing
# keep kernel messages off the console: they would cut into our lines
dmesg -n 1
ip link set lo up
# memcached, run as root, takes the identity of a user
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >/etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' >/etc/group
cd /tmp || poweroff -f

T=/sys/kernel/tracing
RT=/bin/recvtop
BUF=16384	# per-CPU ring buffer (KB): nothing may be lost

# emit NAME FILE [RC]
emit() {
	echo "@@BEGIN $1"
	cat "$2" 2>/dev/null
	echo "@@END $1 rc=${3:-0} t=$(cut -d' ' -f1 /proc/uptime)"
}

# a step that hangs must not hold the boot until the host's timeout
STEP_S=120

# how long the tracepoint runs' stream and eagain sockets stay open after
# their last call (ms): the tracepoint backend tells a socketpair from a
# pipe through /proc/PID/fd when it reads the event, so the socket must
# outlive recvtop's lag.  The emulated arm64 guest runs 2-3 times slower
# than the x86-64 one (more with the x86-64 tier beside it): 1000 ms was
# once too short there (6.1, rttx eagain, family None)
case "$(uname -m)" in
aarch64) LINGER=5000 ;;
*) LINGER=1000 ;;
esac

# run NAME CMD...: output and error output of CMD as NAME.out, NAME.err
run() {
	name=$1
	shift
	timeout $STEP_S "$@" >"/tmp/$name.out" 2>"/tmp/$name.err"
	rc=$?
	emit "$name.out" "/tmp/$name.out" $rc
	emit "$name.err" "/tmp/$name.err" $rc
}

# what the host must know to judge the output
{
	echo "kernel $(uname -r)"
	echo "machine $(uname -m)"
	echo "cpus $(grep -c ^processor /proc/cpuinfo)"
	echo "kprobe_events $([ -e $T/kprobe_events ] && echo yes || echo no)"
	echo "sock_recv_length $([ -e $T/events/sock/sock_recv_length ] && echo yes || echo no)"
	# Linux 6.6+: 1 or 2 would keep rtgen's uring scenario from running
	echo "io_uring_disabled $(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo absent)"
} >/tmp/env
emit env /tmp/env

run probes $RT probes

# 0. another tool's kprobe, in its own group, enabled at the top level and
#    (filtered) in its own instance: every run below, `recvtop reset` and
#    the cleanups after kill -9 must leave it exactly as it is (checked in
#    step 6c, then removed before step 7)
#    (the syscall wrapper's name is the architecture's: __x64_sys_*,
#    __arm64_sys_*)
case "$(uname -m)" in
aarch64) getppid=__arm64_sys_getppid ;;
*) getppid=__x64_sys_getppid ;;
esac
echo "p:othertool/keep $getppid" >>$T/kprobe_events
echo 1 >$T/events/othertool/keep/enable
mkdir $T/instances/othertool
echo 'common_pid != 0' >$T/instances/othertool/events/othertool/keep/filter
echo 1 >$T/instances/othertool/events/othertool/keep/enable
other_state() {
	echo "kprobe $(grep -c '^p:othertool/keep ' $T/kprobe_events)"
	echo "enabled $(cat $T/events/othertool/keep/enable 2>/dev/null)"
	echo "instance $(cat $T/instances/othertool/events/othertool/keep/enable 2>/dev/null)"
	echo "filter $(cat $T/instances/othertool/events/othertool/keep/filter 2>/dev/null)"
}
other_state >/tmp/other.before
emit other.before /tmp/other.before

# 1. every recvfrom scenario, exact per-process counts and peers
run gen $RT --backend kprobe --batch --json --buffer-kb $BUF -- \
	/bin/rtgen --expect /tmp/gen.json
emit gen.json /tmp/gen.json

# 2. --backend auto: kprobe on 6.1, sock on 6.12; several intervals
run auto $RT --backend auto --json -d 0.25 --buffer-kb $BUF -- \
	/bin/rtgen --scenarios udp4,udp6,recv,unix --count 400 --size 777 \
	--hold-ms 300 --expect /tmp/auto.json
emit auto.json /tmp/auto.json

# 2a. every receive API of rtgen at once, --backend auto (sock on 6.12,
#     kprobe on 6.1: each exact with its via), then recvmmsg with the
#     shortest and the longest vector; where auto picks sock, the same
#     on the kprobe backend forced
run rx $RT --backend auto --batch --json --buffer-kb $BUF -- \
	/bin/rtgen --scenarios recvmsg4,recvmsg6,recvmmsg,read4,readv6,peek,ustream,udgram,tcp6,uring,noise \
	--count 500 --size 200 --vlen 16 --expect /tmp/rx.json
emit rx.json /tmp/rx.json
for v in 1 64; do
	run mm$v $RT --backend auto --batch --json --buffer-kb $BUF -- \
		/bin/rtgen --scenarios recvmmsg --count 500 --size 64 \
		--vlen $v --expect /tmp/mm$v.json
	emit mm$v.json /tmp/mm$v.json
done
if [ -e $T/events/sock/sock_recv_length ]; then
	run rxk $RT --backend kprobe --batch --json --buffer-kb $BUF -- \
		/bin/rtgen --scenarios recvmsg4,recvmsg6,recvmmsg,read4,readv6,peek,ustream,udgram,tcp6,uring,noise \
		--count 500 --size 200 --vlen 16 --expect /tmp/rxk.json
	emit rxk.json /tmp/rxk.json
	run mmk64 $RT --backend kprobe --batch --json --buffer-kb $BUF -- \
		/bin/rtgen --scenarios recvmmsg --count 500 --size 64 \
		--vlen 64 --expect /tmp/mmk64.json
	emit mmk64.json /tmp/mmk64.json
fi
# the tracepoint backend forced: the stream scenarios keep their sockets
# open a moment (a socketpair is told from a pipe through /proc); with
# the libc uprobes (--uprobes), whose UDP senders are checked exactly
run rxt $RT --backend tracepoint --uprobes --batch --json --buffer-kb $BUF -- \
	/bin/rtgen --scenarios recvmsg4,recvmsg6,recvmmsg,read4,readv6,peek,ustream,udgram,tcp6,uring,noise,reuse \
	--count 500 --size 200 --vlen 16 --linger-ms $LINGER --expect /tmp/rxt.json
emit rxt.json /tmp/rxt.json

# 2e. TCP peers (sock:inet_sock_set_state): rtpeer's client on chosen
#     local ports and its server, 200 short connections, IPv4 and ::1, by
#     --backend auto (sock on 6.12, kprobe on 6.1) and, on 6.12, kprobe.
#     recvtop runs host-wide (stopped by SIGINT once rtpeer is done): a
#     connection's state changes run in whatever task the network softirq
#     interrupted, which the pid filter of -- COMMAND would drop
tcp_run() {	# tcp_run NAME BACKEND RTPEER-ARGS...
	name=$1
	bk=$2
	shift 2
	$RT --backend $bk --batch --json -d 0.5 --buffer-kb $BUF \
		>/tmp/$name.out 2>/tmp/$name.err &
	p=$!
	(sleep $STEP_S; kill -9 $p 2>/dev/null) &
	wd=$!
	# its first interval's line: printed once every event is enabled
	# (a new instance's tracing_on is 1 before they are)
	n=0
	while [ $n -lt 600 ] && kill -0 $p 2>/dev/null &&
	      [ ! -s /tmp/$name.out ]; do
		sleep 0.1
		n=$((n + 1))
	done
	timeout $STEP_S /bin/rtpeer "$@" --expect /tmp/$name.json \
		>/dev/null 2>/tmp/$name.peer.err
	prc=$?
	sleep 1
	kill -INT $p
	wait $p
	rc=$?
	kill $wd 2>/dev/null
	[ $prc = 0 ] || rc=$prc
	cat /tmp/$name.peer.err >>/tmp/$name.err
	emit $name.out /tmp/$name.out $rc
	emit $name.err /tmp/$name.err $rc
	emit $name.json /tmp/$name.json
}
tcp_run tcp4 auto --conns 200 --lport 22100 --req 1234 --resp 5678
tcp_run tcp6 auto --family 6 --conns 50 --req 999 --resp 77
if [ -e $T/events/sock/sock_send_length ]; then
	tcp_run tcpk kprobe --conns 200 --lport 22400 --req 4321 --resp 8765
fi

# 2d. every send API of rttx at once on every backend of this kernel
#     (auto: sock on 6.12, kprobe on 6.1; kprobe and tracepoint forced);
#     the tracepoint run keeps the stream sockets open a moment (a
#     socketpair is told from a pipe through /proc)
run tx $RT --backend auto --batch --json --buffer-kb $BUF -- \
	/bin/rttx --count 300 --size 700 --vlen 16 --expect /tmp/tx.json
emit tx.json /tmp/tx.json
if [ -e $T/events/sock/sock_send_length ]; then
	run txk $RT --backend kprobe --batch --json --buffer-kb $BUF -- \
		/bin/rttx --count 300 --size 700 --vlen 16 --expect /tmp/txk.json
	emit txk.json /tmp/txk.json
fi
run txt $RT --backend tracepoint --batch --json --buffer-kb $BUF -- \
	/bin/rttx --count 300 --size 700 --vlen 16 --linger-ms $LINGER \
	--expect /tmp/txt.json
emit txt.json /tmp/txt.json

# 2c. real servers (Debian's redis-server and memcached) under recvtop on
#     each backend of this kernel, against their own byte counters: the
#     summary (srv-B.out), the server's pid and its counter (srv-B.info)
child_of() {	# child_of PPID NAME: the pid of PPID's child called NAME
	for d in /proc/[0-9]*; do
		set -- $1 $2 $(cat $d/stat 2>/dev/null)
		[ "$4" = "($2)" ] && [ "$6" = "$1" ] && { echo $3; return 0; }
	done
	return 1
}
wait_child() {	# wait_child PPID NAME
	i=0
	while [ $i -lt 300 ]; do
		c=$(child_of $1 $2) && { echo $c; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
servers() {	# servers BACKEND
	b=$1
	$RT --backend $b --batch --json --buffer-kb $BUF -- /bin/redis-server \
		--port 6390 --bind 127.0.0.1 --save '' --appendonly no \
		--dir /tmp >/tmp/redis-$b.out 2>/tmp/redis-$b.err &
	rp=$!
	srv=$(wait_child $rp redis-server)
	i=0
	until [ "$(redis-cli -p 6390 ping 2>/dev/null)" = PONG ] || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	timeout $STEP_S redis-benchmark -p 6390 -q -n 3000 -c 4 -d 100 \
		-t set,get,incr >/dev/null 2>&1
	rc=$?
	{
		echo "server_pid $srv"
		echo "client_rc $rc"
		/bin/rtmc --redis-info 6390
	} >/tmp/redis-$b.info
	kill -TERM $srv
	wait $rp
	emit redis-$b.out /tmp/redis-$b.out $?
	emit redis-$b.info /tmp/redis-$b.info
	$RT --backend $b --batch --json --buffer-kb $BUF -- /bin/memcached \
		-l 127.0.0.1 -p 11390 -U 0 -u nobody -t 2 -m 64 \
		>/tmp/mc-$b.out 2>/tmp/mc-$b.err &
	rp=$!
	srv=$(wait_child $rp memcached)
	timeout $STEP_S /bin/rtmc 11390 1000 4 >/tmp/mc-$b.client 2>&1
	rc=$?
	{
		echo "server_pid $srv"
		echo "client_rc $rc"
		cat /tmp/mc-$b.client
	} >/tmp/mc-$b.info
	kill -TERM $srv
	wait $rp
	emit mc-$b.out /tmp/mc-$b.out $?
	emit mc-$b.info /tmp/mc-$b.info
}
# (the x86-64 guest only: the arm64 one has no redis-server, memcached)
if [ -x /bin/redis-server ] && [ -x /bin/memcached ]; then
	for b in kprobe tracepoint; do
		servers $b
	done
	[ -e $T/events/sock/sock_recv_length ] && servers sock
fi

# 2b. -c: the kernel filter of each probe combined with the comm filter
#     ("(klen > 1) && comm == ..." on the address kprobe)
run comm $RT --backend kprobe --json -c rtg-udp4 --buffer-kb $BUF -- \
	/bin/rtgen --scenarios udp4,udp6,recv --count 300 --expect /tmp/comm.json
emit comm.json /tmp/comm.json

# 3. memory readers through mm_access (and ptrace via tracepoints)
run mem $RT --backend kprobe --json --buffer-kb $BUF -- \
	/bin/rtmem --reads 300 --writes 40 --peeks 25 --proc --denied 7 \
	--expect /tmp/mem.json
emit mem.json /tmp/mem.json

# 3b. the sanitized build (ASan/UBSan) on the kprobe-only paths: address
#     and mm_access decoding never run on a kprobe-less host
if [ -x /bin/recvtop-asan ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
	run asan-gen /bin/recvtop-asan --backend kprobe --json \
		--buffer-kb $BUF -- /bin/rtgen --count 200 \
		--expect /tmp/asan-gen.json
	emit asan-gen.json /tmp/asan-gen.json
	run asan-mem /bin/recvtop-asan --backend kprobe --json \
		--buffer-kb $BUF -- /bin/rtmem --reads 30 --writes 5 --peeks 5 \
		--proc --denied 3 --expect /tmp/asan-mem.json
	emit asan-mem.json /tmp/asan-mem.json
fi

# 3c. a recording on the kprobe backend (the probe group's formats in the
#     file, sender addresses from the kernel's copy) read back by report
#     and by a replay: the generator's numbers, peers included
run krecord $RT record --backend kprobe --no-kallsyms --buffer-kb $BUF \
	-o /tmp/kp.dat -- /bin/rtgen --count 300 --expect /tmp/krec.json
run krec $RT top -i /tmp/kp.dat --json
emit krec.json /tmp/krec.json
run krep $RT report --json -i /tmp/kp.dat
emit krep.json /tmp/krec.json
rm -f /tmp/kp.dat

# 4. return-probe misses: more threads blocked in recvfrom than the
#    kretprobe has instances (r4096); the traced command saves
#    kprobe_profile while recvtop's group still exists.  The threads live
#    on for 5 s after their datagram: recvtop maps a thread to its process
#    through /proc when it processes the thread's first event, and a thread
#    that is gone by then counts as a process of its own (pid = tid)
run miss $RT --backend kprobe --json --buffer-kb $BUF -- \
	/bin/sh -c "/bin/rtblock --threads 4200 --hold-ms 5000 \
		--expect /tmp/miss.json &&
		cat $T/kprobe_profile >/tmp/miss.profile"
emit miss.json /tmp/miss.json
emit miss.profile /tmp/miss.profile

# 5. every other way a run ends removes its instance and probe group:
#    SIGTERM (drain), a second SIGINT (abort: the emergency path), a crash
#    signal (the emergency path), SIGPIPE
started() {	# started PID: the run has its instance, group and tracing on
	n=0
	while [ $n -lt 600 ] && kill -0 $1 2>/dev/null; do
		[ -d $T/instances/recvtop-$1 ] &&
			grep -q "recvtop_$1/" $T/dynamic_events &&
			[ "$(cat $T/instances/recvtop-$1/tracing_on)" = 1 ] &&
			return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
# reap PID: wait for a background run, SIGKILL it after STEP_S; sets rc
reap() {
	(sleep $STEP_S; kill -9 $1 2>/dev/null) &
	wd=$!
	wait $1
	rc=$?
	kill $wd 2>/dev/null
}
leftovers() {	# leftovers PID: what of that run is still in tracefs
	l=""
	[ -d $T/instances/recvtop-$1 ] && l="instance"
	grep -q "recvtop_$1/" $T/dynamic_events && l="$l group"
	echo "${l:-none}"
}
: >/tmp/paths
for sig in TERM INT SEGV; do
	if [ $sig = INT ]; then
		# a command that ignores SIGINT keeps the run alive after the
		# first one
		$RT --backend kprobe --json -d 0.2 -- \
			/bin/sh -c 'trap "" INT; sleep 30' >/tmp/p.out 2>&1 &
	else
		$RT --backend kprobe --json -d 0.2 >/tmp/p.out 2>&1 &
	fi
	pid=$!
	if started $pid; then s=yes; else s=no; fi
	kill -$sig $pid
	[ $sig = INT ] && sleep 1 && kill -INT $pid
	reap $pid
	echo "path $sig started $s rc $rc left $(leftovers $pid)" >>/tmp/paths
	pkill -f 'sleep 30' 2>/dev/null
done
# the reader of the output goes away after the first line
rm -f /tmp/fifo
mkfifo /tmp/fifo
head -n 1 </tmp/fifo >/dev/null &
$RT --backend kprobe --json -d 0.05 >/tmp/fifo 2>/tmp/p.err &
pid=$!
reap $pid
echo "path PIPE started - rc $rc left $(leftovers $pid)" >>/tmp/paths
emit paths /tmp/paths

# 6. kill -9 of a running recvtop leaves its group and instance; reset
#    removes them
$RT --backend kprobe --json -d 1 >/tmp/killed.out 2>&1 &
pid=$!
started $pid
kill -9 $pid
wait $pid
{
	echo "pid $pid"
	ls $T/instances | sed 's/^/instance /'
	sed 's/^/dynevent /' $T/dynamic_events
} >/tmp/killed.state
emit killed.state /tmp/killed.state
run reset $RT reset

# 6b. kill -9 again; this time the next run (not reset) cleans up
$RT --backend kprobe --json -d 1 >/tmp/killed2.out 2>&1 &
pid=$!
started $pid
kill -9 $pid
wait $pid
echo "pid $pid" >/tmp/killed2.state
echo "before $(leftovers $pid)" >>/tmp/killed2.state
timeout $STEP_S $RT --backend kprobe --json -n 1 -d 0.2 >/tmp/next.out 2>&1
echo "next rc $?" >>/tmp/killed2.state
echo "after $(leftovers $pid)" >>/tmp/killed2.state
emit killed2.state /tmp/killed2.state

# 6c. the other tool's kprobe went through all of that untouched
other_state >/tmp/other.after
emit other.after /tmp/other.after
echo 0 >$T/instances/othertool/events/othertool/keep/enable
rmdir $T/instances/othertool
echo 0 >$T/events/othertool/keep/enable
echo '-:othertool/' >>$T/kprobe_events

# 6d. cardinality (one boot: 6.12 with 2 CPUs): 110,000 distinct senders,
#     one datagram each, against the 100,000-row cap of the peer table; the
#     summary is digested here (it is ~10 MB of JSON), with recvtop's
#     memory read by the traced command at its end; receives only (the
#     senders' one destination would be a peer row of its own)
if [ "$(uname -r | cut -d. -f1-2)" = 6.12 ] &&
   [ "$(grep -c ^processor /proc/cpuinfo)" = 2 ] && [ -x /bin/rtcard ]; then
	timeout $STEP_S $RT --backend kprobe --direction rx --json -d 3600 \
		--buffer-kb $BUF -- \
		/bin/sh -c '/bin/rtcard peers --peers 110000 --expect /tmp/peers.json &&
			grep -E "^Vm(RSS|HWM)" /proc/$PPID/status >/tmp/peers.mem' \
		>/tmp/peers.out 2>/tmp/peers.err
	rc=$?
	# busybox: tail -n 1 cuts long lines, and a leading ".*" in a sed
	# expression on a 10 MB line takes minutes; split at '{' first
	grep -F '{"type":"summary"' /tmp/peers.out >/tmp/peers.summary
	{
		echo "rc $rc"
		echo "bytes $(wc -c </tmp/peers.out)"
		sed 's/,"processes":.*//' /tmp/peers.summary
		# one line per peer row: family addr port calls bytes
		tr '{' '\n' </tmp/peers.summary | grep '^"family"' |
			sed 's/^"family":"\([a-z0-9]*\)","proto":"[a-z]*","addr":"\([^"]*\)","port":\([0-9]*\),"local_port":[0-9]*,"source":"[a-z]*","calls":\([0-9]*\),"bytes":\([0-9]*\).*/\1 \2 \3 \4 \5/' \
			>/tmp/peers.rows
		echo "rows $(wc -l </tmp/peers.rows)"
		echo "distinct $(cut -d' ' -f1-3 /tmp/peers.rows | sort -u | wc -l)"
		awk '{ n[$4 " " $5]++; c += $4; b += $5 }
		     $1 == "other" { print "other", $2, $4, $5 }
		     END { for (k in n) print "shape", k, n[k]; print "sum", c, b }' \
			/tmp/peers.rows
		tr '{' '\n' </tmp/peers.summary | grep '^"pid"' | sed 's/^/process /'
		sed 's/^/mem /' /tmp/peers.mem 2>/dev/null
	} >/tmp/peers.digest
	emit peers.digest /tmp/peers.digest
	emit peers.json /tmp/peers.json
	emit peers.err /tmp/peers.err
	rm -f /tmp/peers.out /tmp/peers.summary /tmp/peers.rows
fi

# 6e. recvtop export on the kprobe backend: a scrape gives the generator's
#     numbers per process; SIGTERM ends it with status 0
$RT export --backend kprobe --labels pid --listen 127.0.0.1:19420 -d 0.5 \
	--buffer-kb $BUF >/tmp/kexp.out 2>/tmp/kexp.err &
pid=$!
n=0
while [ $n -lt 100 ] && ! wget -q -O /dev/null http://127.0.0.1:19420/metrics; do
	sleep 0.1
	n=$((n + 1))
done
timeout $STEP_S /bin/rtgen --count 200 --size 321 --expect /tmp/kexp.json >/dev/null
sleep 1.5
wget -q -O /tmp/kexp.prom http://127.0.0.1:19420/metrics
echo "wget rc $?" >/tmp/kexp.state
kill -TERM $pid
wait $pid
echo "rc $?" >>/tmp/kexp.state
echo "left $(leftovers $pid)" >>/tmp/kexp.state
emit kexp.state /tmp/kexp.state
emit kexp.err /tmp/kexp.err
emit kexp.json /tmp/kexp.json
grep -e '^recvtop_receive_' -e '^recvtop_build_info' /tmp/kexp.prom >/tmp/kexp.rows
emit kexp.prom /tmp/kexp.rows
rm -f /tmp/kexp.prom /tmp/kexp.rows

# 6f. attribution on the pure cgroup v2 layout (issue 17): the tracepoint
#     formats, then --backend auto with receivers moved into a fake
#     container scope and a service after tracing started (the receivers
#     are children named after fork), and processes that name themselves
#     and exit at once
for e in task/task_newtask task/task_rename cgroup/cgroup_attach_task; do
	echo "event $e"
	grep 'field:' $T/events/$e/format | grep -v common_
done >/tmp/attr.formats
emit attr.formats /tmp/attr.formats
mkdir -p /sys/fs/cgroup
grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts ||
	mount -t cgroup2 none /sys/fs/cgroup
ACG=/sys/fs/cgroup/kubepods/burstable/pod1/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
WCG=/sys/fs/cgroup/system.slice/rt-web.service
mkdir -p $ACG $WCG
$RT --json -d 0.5 --buffer-kb $BUF >/tmp/attr.out 2>/tmp/attr.err &
pid=$!
n=0
while [ $n -lt 200 ] &&
      [ "$(cat $T/instances/recvtop-$pid/tracing_on 2>/dev/null)" != 1 ]; do
	sleep 0.1
	n=$((n + 1))
done
timeout $STEP_S sh -c "echo \$\$ >$ACG/cgroup.procs && exec /bin/rtgen \
	--scenarios udp4 --count 500 --size 60 --expect /tmp/attr.ct.json" >/dev/null
timeout $STEP_S sh -c "echo \$\$ >$WCG/cgroup.procs && exec /bin/rtgen \
	--scenarios udp4 --count 300 --size 40 --expect /tmp/attr.web.json" >/dev/null
timeout $STEP_S /bin/rtcard procs --procs 20 --comm rt-short \
	--expect /tmp/attr.card.json >/dev/null
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
{
	echo "rc $rc"
	echo "left $(leftovers $pid)"
	echo "netns $(stat -L -c %i /proc/self/ns/net)"
} >/tmp/attr.state
emit attr.state /tmp/attr.state
tail -n 1 /tmp/attr.out >/tmp/attr.summary
emit attr.summary /tmp/attr.summary
emit attr.err /tmp/attr.err
emit attr.ct.json /tmp/attr.ct.json
emit attr.web.json /tmp/attr.web.json
emit attr.card.json /tmp/attr.card.json
rm -f /tmp/attr.out

# 7. what is left in tracefs at the end
{
	ls $T/instances | sed 's/^/instance /'
	sed 's/^/dynevent /' $T/dynamic_events
	sed 's/^/kprobe_event /' $T/kprobe_events
	sed 's/^/kprobe_profile /' $T/kprobe_profile
} >/tmp/final.state
emit final.state /tmp/final.state

echo "@@DONE"
poweroff -f
