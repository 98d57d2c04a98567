#!/usr/bin/env python3
"""Judge one VM guest run of recvtop on the host.

usage: vmcheck.py DIR LABEL --release PREFIX --smp N --offsets "pid P tgid T comm C"
                   [--arch x86_64|aarch64]

DIR holds the sections the guest printed (tests/vm/guest-init.sh), cut
out of the console log: NAME and NAME.rc per section.  Prints one TAP
line per check ("ok - LABEL: ..." / "not ok - LABEL: ..."); exits 1 if
any failed.  The recvtop JSON comparisons are tests/lib/rtcheck.py's.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import datcheck  # noqa: E402
import peercheck  # noqa: E402
import rtcheck  # noqa: E402

MAXACTIVE = 4096        # recvtop's kretprobes are r4096
# the kprobe backend's events in the guest: the receive functions (entry
# and return; Debian builds all six in), the sender address, mm_access
RX_FUNCS = ("inet_recvmsg", "inet6_recvmsg", "unix_stream_recvmsg",
            "unix_dgram_recvmsg", "netlink_recvmsg", "packet_recvmsg")
TX_FUNCS = ("inet_sendmsg", "inet6_sendmsg", "unix_stream_sendmsg",
            "unix_dgram_sendmsg", "netlink_sendmsg", "packet_sendmsg")
# sendfile and splice into sockets went through sendpage before 6.5
SENDPAGE_FUNCS = ("inet_sendpage", "unix_stream_sendpage")


def events_of(release):
    """the kprobe backend's events on this kernel"""
    funcs = RX_FUNCS + TX_FUNCS + (SENDPAGE_FUNCS if release == "6.1"
                                   else ())
    return tuple(f + r for f in funcs for r in ("", "_ret")) + \
        ("recv_addr", "mm_access", "mm_access_ret")


EVENTS = events_of("6.1")

label = "vm"
sections = ""


def check(cond, what):
    rtcheck.check(cond, "%s: %s" % (label, what))


def text(name):
    try:
        with open(os.path.join(sections, name)) as f:
            return f.read()
    except OSError:
        return None


def rc(name):
    t = text(name + ".rc")
    return None if t is None else t.strip()


def summary(name):
    lines = [l for l in (text(name) or "").splitlines() if l.strip()]
    try:
        last = json.loads(lines[-1]) if lines else None
    except ValueError:
        last = None
    return last if last and last.get("type") == "summary" else None


def load(name):
    """a JSON file of the guest (a generator's expectations), or None"""
    try:
        return json.loads(text(name) or "")
    except ValueError:
        return None


def ran_clean(name, what):
    """the command exited 0 and wrote nothing to stderr"""
    check(text(name + ".out") is not None, "%s ran (section present)" % what)
    check(rc(name + ".out") == "0", "%s exit status 0 (got %s)"
          % (what, rc(name + ".out")))
    err = (text(name + ".err") or "").strip()
    check(err == "", "%s: nothing on stderr (%r)" % (what, err[:300]))


def auto_backend(release):
    """what --backend auto picks: sock from Linux 6.3 (sock_recv_length)"""
    return "kprobe" if release == "6.1" else "sock"


def compare(name, what, backend="kprobe"):
    """rtcheck's exact comparison, its lines labelled with ours"""
    exp = os.path.join(sections, name + ".json")
    out = os.path.join(sections, name + ".out")
    if not os.path.exists(exp) or not (text(name + ".json") or "").strip():
        check(False, "%s: the generator wrote its expectations" % what)
        return None
    rtcheck.compare(exp, out, backend, "%s: %s" % (label, what))
    with open(exp) as f:
        return json.load(f)


def check_env(release, smp, arch):
    env = dict(l.split(" ", 1) for l in (text("env") or "").splitlines()
               if " " in l)
    check(env.get("machine") == arch, "guest machine is %s (got %s)"
          % (arch, env.get("machine")))
    check(env.get("kernel", "").startswith(release + "."),
          "guest runs kernel %s.* (got %s)" % (release, env.get("kernel")))
    check(env.get("cpus") == str(smp), "guest has %d CPUs (got %s)"
          % (smp, env.get("cpus")))
    check(env.get("kprobe_events") == "yes", "guest has kprobe_events")
    want = "no" if release == "6.1" else "yes"
    check(env.get("sock_recv_length") == want,
          "guest's tracefs has sock:sock_recv_length: %s (got %s)"
          % (want, env.get("sock_recv_length")))
    # kernel.io_uring_disabled exists from Linux 6.6; 0 lets rtgen's
    # uring scenario (and any process) create rings
    want = "absent" if release == "6.1" else "0"
    check(env.get("io_uring_disabled") == want,
          "guest's kernel.io_uring_disabled: %s (got %s)"
          % (want, env.get("io_uring_disabled")))


def check_probes(release, offsets):
    out = text("probes.out") or ""
    check(rc("probes.out") == "0", "recvtop probes exit status 0")
    want = {"kprobe": r"^backend: kprobe \(auto: kprobe_events exists",
            "sock": r"^backend: sock \(auto: the kernel has "
                    r"sock:sock_recv_length"}[auto_backend(release)]
    check(re.search(want, out, re.M) is not None,
          "recvtop probes: 'backend: %s (auto: ...)' line"
          % auto_backend(release))
    check(re.search(r"^  kprobe: +available$", out, re.M) is not None,
          "recvtop probes: kprobe backend available")
    o = dict(zip(offsets.split()[::2], offsets.split()[1::2]))
    want = "task_struct offsets (BTF): pid %s, tgid %s, comm %s" \
        % (o.get("pid"), o.get("tgid"), o.get("comm"))
    m = re.search(r"^task_struct offsets \(BTF\): .*$", out, re.M)
    check(m is not None and m.group(0) == want,
          "recvtop probes: '%s' (got '%s')"
          % (want, m.group(0) if m else None))
    mm = "tpid=+%s($arg1):s32 ttgid=+%s($arg1):s32 tcomm=+%s($arg1):string" \
        % (o.get("pid"), o.get("tgid"), o.get("comm"))
    check(mm in out, "recvtop probes: mm_access kprobe uses those offsets")
    # the definitions fetch arguments as $argN (arm64 and x86-64 alike),
    # never by register name (%di, %si ... on x86-64; %x0 ... on arm64)
    defs = re.findall(r"^ +.*? (r[0-9]*:recvtop_[0-9]+/\S+ .*|"
                      r"p:recvtop_[0-9]+/\S+ .*)$", out, re.M)
    regs = [d for d in defs if re.search(r"%[a-z]", d)]
    check(len(defs) > 20 and not regs,
          "recvtop probes: %d kprobe definitions, none names a register "
          "(%s)" % (len(defs), regs[:2]))


def check_gen():
    ran_clean("gen", "rtgen")
    exp = compare("gen", "rtgen")
    summ = summary("gen.out")
    if not exp or not summ:
        return
    fams = sorted(p["family"] for p in exp["peers"])
    check(fams == ["inet", "inet6", "unix"],
          "rtgen expects one sender each of inet, inet6, unix (%s)" % fams)
    # the sender addresses (TCP peers, the connections' own, are checked
    # in check_tcp)
    senders = [p for p in summ["peers"] if p.get("proto") != "tcp"]
    got = sorted((p["family"], p["addr"], p["port"], p["calls"], p["bytes"])
                 for p in senders if p["calls"])
    want = sorted((p["family"], p["addr"], p["port"], p["calls"], p["bytes"])
                  for p in exp["peers"])
    check(got == want, "peer rows that sent are exactly the senders (got %s)"
          % got)
    # the senders name their receivers (sendto): on the kprobe backend
    # each receiver's address is a peer row sent to, as often as it
    # received (recv's too, which asks for no sender address)
    dest = sorted((p["family"], p["send_calls"], p["send_bytes"])
                  for p in senders if not p["calls"])
    want = sorted([(p["family"], p["calls"], p["bytes"])
                   for p in exp["peers"]] +
                  [("inet", p["calls"], p["bytes"])
                   for p in exp["processes"] if p["scenario"] == "recv"])
    check(dest == want, "peer rows sent to are the receivers, each as "
          "often as it received (got %s, want %s)" % (dest, want))
    no_addr = {p["pid"]: p["scenario"] for p in exp["processes"]
               if p["scenario"] in ("tcp", "recv")}
    bogus = [p for p in senders if p.get("top_pid") in no_addr]
    check(len(no_addr) == 2 and not bogus,
          "recv() without address and connected TCP: no sender peer rows (%s)"
          % bogus)
    check(summ.get("lost") == 0, "rtgen: nothing lost (%s)"
          % summ.get("lost"))
    check(summ.get("probe_missed") == 0,
          "rtgen: summary carries probe_missed, 0 (%s)"
          % summ.get("probe_missed"))


def check_auto(release):
    want = auto_backend(release)
    ran_clean("auto", "--backend auto")
    compare("auto", "--backend auto", want)
    summ = summary("auto.out")
    check(summ is not None and summ.get("backend") == want,
          "--backend auto chose %s (got %s)"
          % (want, summ.get("backend") if summ else None))
    check(summ is not None and summ.get("senders") is True,
          "--backend auto sees sender addresses (kprobes)")
    check(summ is not None and summ.get("intervals", 0) >= 2,
          "--backend auto -d 0.25: several intervals (%s)"
          % (summ.get("intervals") if summ else None))


RX_SCENARIOS = ["recvmsg4", "recvmsg6", "recvmmsg", "read4", "readv6", "peek",
                "ustream", "udgram", "tcp6", "uring", "noise"]
# the scenarios whose receives copy a sender's address out (rtgen's peers)
RX_PEERS = {"recvmsg4": "inet", "recvmsg6": "inet6", "recvmmsg": "inet",
            "peek": "inet", "udgram": "unix"}


def report_rows(name, exp, summ):
    """the numbers seen, for the log: scenario calls bytes by_via"""
    procs = {p["pid"]: p for p in summ["processes"]}
    for e in exp["processes"]:
        g = procs.get(e["pid"])
        if g is None:
            print("# %s: %s %s: no row (rtgen: calls %d bytes %d)"
                  % (label, name, e["scenario"], e["calls"], e["bytes"]))
        else:
            print("# %s: %s %s: calls %d bytes %d peeks %s lat_calls %s "
                  "by_via %s (rtgen: calls %d bytes %d)"
                  % (label, name, e["scenario"], g["calls"], g["bytes"],
                     g.get("peeks"), g.get("lat_calls"),
                     json.dumps(g.get("by_via"), sort_keys=True),
                     e["calls"], e["bytes"]))


def check_rx_run(name, what, release, scenarios, backend=None):
    """one rtgen run of the newer scenarios (--backend auto unless
    backend says which was forced)"""
    backend = backend or auto_backend(release)
    ran_clean(name, what)
    exp = load(name + ".json")
    summ = summary(name + ".out")
    check(exp is not None, "%s: rtgen wrote its expectations" % what)
    check(summ is not None, "%s: output ends with a summary" % what)
    if not exp or not summ:
        return None, None
    got = sorted(p["scenario"] for p in exp["processes"])
    check(got == sorted(scenarios), "%s: rtgen ran %s (%s)"
          % (what, ",".join(scenarios), got))
    report_rows(name, exp, summ)
    if backend == "tracepoint":
        check(summ.get("lost") == 0, "%s: lost 0 (%s)"
              % (what, summ.get("lost")))
        check(summ.get("senders") is bool(summ.get("uprobes")),
              "%s: the tracepoint backend sees senders only through libc "
              "uprobes (senders %s, uprobes %s)"
              % (what, summ.get("senders"), summ.get("uprobes")))
    else:
        for k in ("lost", "unpaired"):
            check(summ.get(k) == 0, "%s: %s 0 (%s)"
                  % (what, k, summ.get(k)))
        check(summ.get("senders") is True, "%s: the %s backend sees "
              "senders (move_addr_to_user kprobe)" % (what, backend))
    rtcheck.compare_lines(exp, rtcheck.load_lines(
        os.path.join(sections, name + ".out")), backend,
        "%s: %s (%s)" % (label, what, backend), True)
    procs = {p["pid"]: p for p in summ["processes"]}
    for e in exp["processes"]:
        if e["scenario"] != "recvmmsg":
            continue
        got = procs.get(e["pid"], {}).get("lat_calls")
        check(got == e["syscalls"],
              "%s: recvmmsg: one latency per syscall, %d (got %s)"
              % (what, e["syscalls"], got))
    return exp, summ


def check_rx(release):
    """2a: every receive API, counted exactly (calls, bytes, peeks, by_via,
    the datagrams' senders) by --backend auto (sock on 6.12, kprobe on
    6.1) and, on 6.12, by the kprobe backend forced too"""
    check_rx_one("rx", "every receive", release, auto_backend(release))
    if auto_backend(release) != "kprobe":
        check_rx_one("rxk", "every receive, --backend kprobe", release,
                     "kprobe")
    check_rx_one("rxt", "every receive, --backend tracepoint", release,
                 "tracepoint", RX_SCENARIOS + ["reuse"])


def check_rx_one(name, what, release, backend, scenarios=None):
    exp, summ = check_rx_run(name, what, release,
                             scenarios or RX_SCENARIOS, backend)
    if not exp:
        return
    if backend == "tracepoint":
        check(summ.get("uprobes") is True and summ.get("senders") is True,
              "%s: --uprobes placed the libc uprobes, which name the UDP "
              "senders (uprobes %s, senders %s)"
              % (what, summ.get("uprobes"), summ.get("senders")))
    scen = {p["scenario"]: p for p in exp["processes"]}
    got = sorted((p["pid"], p["family"], p["calls"], p["bytes"])
                 for p in exp["peers"])
    want = sorted((scen[s]["pid"], RX_PEERS[s], scen[s]["calls"] //
                   (2 if s == "peek" else 1), scen[s]["bytes"])
                  for s in RX_PEERS if s in scen)
    check(got == want,
          "%s: rtgen lists one sender for each datagram scenario, its "
          "non-peek receives (%s)" % (what, got))
    procs = {p["pid"]: p for p in summ["processes"]}
    pk = procs.get(scen["peek"]["pid"], {})
    n = scen["peek"]["peeks"]
    check((pk.get("calls"), pk.get("peeks")) == (2 * n, n),
          "%s: peek on %s: %d calls, %d of them peeks (got %s, %s)"
          % (what, backend, 2 * n, n, pk.get("calls"), pk.get("peeks")))


def check_mm_sweep(release):
    """2a: recvmmsg with vectors of 1 and 64"""
    runs = [("mm1", 1, None), ("mm64", 64, None)]
    if auto_backend(release) != "kprobe":
        runs.append(("mmk64", 64, "kprobe"))
    for name, v, backend in runs:
        what = "recvmmsg --vlen %d%s" % (
            v, " --backend " + backend if backend else "")
        exp, summ = check_rx_run(name, what, release, ["recvmmsg"],
                                 backend)
        if not exp:
            continue
        e = exp["processes"][0]
        check(e["syscalls"] == -(-e["calls"] // v),
              "%s: rtgen made ceil(%d/%d) = %d syscalls (%d)"
              % (what, e["calls"], v, -(-e["calls"] // v), e["syscalls"]))


def check_tcp(release):
    """2e: TCP peers exact per connection: IPv4 on chosen local ports and
    ::1 by --backend auto, on 6.12 by the kprobe backend too"""
    runs = [("tcp4", auto_backend(release)), ("tcp6", auto_backend(release))]
    if auto_backend(release) != "kprobe":
        runs.append(("tcpk", "kprobe"))
    for name, backend in runs:
        what = "TCP peers (%s), --backend %s" % (name, backend)
        ran_clean(name, what)
        exp, summ = load(name + ".json"), summary(name + ".out")
        if exp is None or summ is None:
            check(False, "%s: rtpeer's expectations and a summary" % what)
            continue
        check(summ.get("backend") == backend, "%s: backend %s (%s)"
              % (what, backend, summ.get("backend")))
        check(summ.get("tcp_peers") is True, "%s: the summary says TCP "
              "peers are named" % what)
        peercheck.check_peers(exp, summ, what, check)


def check_tx(release):
    """2d: every send API of rttx, counted exactly (send_calls, send_bytes,
    send_errors, by_via, its socket) by --backend auto (sock on 6.12,
    kprobe on 6.1), on 6.12 by the kprobe backend forced too, and by the
    tracepoint backend forced (no io_uring, no splice, no sendmmsg bytes)"""
    runs = [("tx", auto_backend(release))]
    if auto_backend(release) != "kprobe":
        runs.append(("txk", "kprobe"))
    runs.append(("txt", "tracepoint"))
    for name, backend in runs:
        what = "every send, --backend %s" % backend
        ran_clean(name, what)
        exp_path = os.path.join(sections, name + ".json")
        out_path = os.path.join(sections, name + ".out")
        if load(name + ".json") is None or summary(name + ".out") is None:
            check(False, "%s: rttx's expectations and a summary" % what)
            continue
        summ = summary(name + ".out")
        check(summ.get("backend") == backend, "%s: backend %s (%s)"
              % (what, backend, summ.get("backend")))
        check(summ.get("lost") == 0, "%s: lost 0 (%s)"
              % (what, summ.get("lost")))
        for e in load(name + ".json")["processes"]:
            g = next((p for p in summ["processes"] if p["pid"] == e["pid"]),
                     {})
            print("# %s: %s %s: send_calls %s send_bytes %s send_errors %s "
                  "(rttx: %d %d %d)" % (label, name, e["scenario"],
                                        g.get("send_calls"),
                                        g.get("send_bytes"),
                                        g.get("send_errors"),
                                        e["send_calls"], e["send_bytes"],
                                        e["send_errors"]))
        rtcheck.compare_tx(exp_path, out_path, backend,
                           "%s: %s" % (label, what))
        # the kprobe backend reads a send's destination (msg_name): one
        # peer row per sink that rttx addressed (sendto4, sendmsg4,
        # sendmmsg over IPv4, udgram's unix path); connected sockets
        # name none
        scen = {e["scenario"]: e for e in load(name + ".json")["processes"]}
        got = sorted((p["family"], p["send_calls"], p["send_bytes"])
                     for p in summ["peers"]
                     if p.get("send_calls") and p.get("proto") != "tcp")
        want = sorted([("inet", scen[x]["send_calls"], scen[x]["send_bytes"])
                       for x in ("sendto4", "sendmsg4", "sendmmsg")] +
                      [("unix", scen["udgram"]["send_calls"],
                        scen["udgram"]["send_bytes"])]) \
            if backend == "kprobe" else []
        check(got == want, "%s: peers sent to: %s (want %s)"
              % (what, got, want))


def check_servers(release):
    """2c: redis-server under redis-benchmark and memcached under rtmc,
    each on every backend of the kernel: the server's row holds exactly
    its own byte counters (INFO total_net_input_bytes and
    total_net_output_bytes, stats bytes_read and bytes_written; what it
    sent plus the reply that carried the counter), every byte received
    by_via read, every byte sent by_via send:write (redis) or
    send:sendmsg (memcached)"""
    backends = ["kprobe", "tracepoint"]
    if auto_backend(release) == "sock":
        backends.append("sock")
    for b in backends:
        for name, key, tx_key, tx_via, minimum in (
                ("redis", "total_net_input_bytes", "total_net_output_bytes",
                 "send:write", 100000),
                ("mc", "bytes_read", "bytes_written", "send:sendmsg",
                 1000000)):
            what = "%s on the %s backend" % (
                "redis-server" if name == "redis" else "memcached", b)
            sec = "%s-%s" % (name, b)
            info = dict(l.split(" ", 1) for l in
                        (text(sec + ".info") or "").splitlines()
                        if " " in l.strip())
            info = {k: v.strip() for k, v in info.items()}
            counter = info.get(key)
            check(info.get("client_rc") == "0",
                  "%s: the client ran (exit %s)" % (what,
                                                    info.get("client_rc")))
            check(rc(sec + ".out") == "0", "%s: recvtop ends with the "
                  "server's status 0 (got %s)" % (what, rc(sec + ".out")))
            summ = summary(sec + ".out")
            check(summ is not None and summ.get("backend") == b,
                  "%s: a summary of the %s backend" % (what, b))
            if not summ or not counter or not info.get("server_pid") or \
                    not info.get(tx_key) or not info.get("reply_bytes"):
                check(False, "%s: server pid and counters known (%s)"
                      % (what, info))
                continue
            want = int(counter)
            want_tx = int(info[tx_key]) + int(info["reply_bytes"])
            rows = [p for p in summ["processes"]
                    if p["pid"] == int(info["server_pid"])]
            got = rows[0] if rows else {}
            via = got.get("by_via", {})
            check(want > minimum, "%s: a real load (%s %d > %d)"
                  % (what, key, want, minimum))
            check(got.get("bytes") == want,
                  "%s: recvtop's bytes %s equal the server's %s %d"
                  % (what, got.get("bytes"), key, want))
            check(via.get("read", {}).get("bytes") == want and
                  [k for k in via if not k.startswith("send:")] == ["read"],
                  "%s: every byte by_via read (%s)" % (what, via))
            check(want_tx > minimum, "%s: a real load sent (%s + its "
                  "reply %d > %d)" % (what, tx_key, want_tx, minimum))
            check(got.get("send_bytes") == want_tx,
                  "%s: recvtop's send_bytes %s equal the server's %s + "
                  "the reply that carried it, %d"
                  % (what, got.get("send_bytes"), tx_key, want_tx))
            check(via.get(tx_via, {}).get("bytes") == want_tx and
                  [k for k in via if k.startswith("send:")] == [tx_via],
                  "%s: every byte sent by_via %s (%s)" % (what, tx_via, via))


def check_comm():
    """-c rtg-udp4: exactly that process and its sender, nothing else"""
    ran_clean("comm", "-c rtg-udp4")
    summ = summary("comm.out")
    exp = load("comm.json")
    if not exp or not summ:
        check(False, "-c rtg-udp4: expectations and summary present")
        return
    want = [(p["pid"], p["comm"], p["calls"], p["bytes"], p["errors"])
            for p in exp["processes"] if p["comm"] == "rtg-udp4"]
    got = [(p["pid"], p["comm"], p["calls"], p["bytes"], p["errors"])
           for p in summ["processes"]]
    check(len(want) == 1 and got == want,
          "-c rtg-udp4: only that process, exact (got %s, want %s)"
          % (got, want))
    want = [(p["family"], p["addr"], p["port"], p["calls"], p["bytes"])
            for p in exp["peers"] if p["family"] == "inet"]
    got = [(p["family"], p["addr"], p["port"], p["calls"], p["bytes"])
           for p in summ["peers"]]
    check(len(want) == 1 and got == want,
          "-c rtg-udp4: only its sender (got %s, want %s)" % (got, want))


def check_mem():
    ran_clean("mem", "rtmem")
    exp = compare("mem", "rtmem")
    if not exp:
        return
    vias = sorted({r["via"] for r in exp["readers"]})
    check(vias == ["proc_mem", "proc_read", "process_vm_readv",
                   "process_vm_writev", "ptrace"],
          "rtmem expects every path (%s)" % vias)
    check(any(r["denied"] > 0 and r["reader_comm"] == "rtm-denied"
              for r in exp["readers"]),
          "rtmem expects a denied reader")


def check_export():
    """recvtop export --backend kprobe: one scrape, the generator's numbers"""
    what = "export --backend kprobe"
    st = text("kexp.state") or ""
    check("wget rc 0" in st, "%s: a scrape answered (%r)" % (what, st))
    check(re.search(r"^rc 0$", st, re.M) is not None,
          "%s: SIGTERM exits 0 (%r)" % (what, st))
    check(re.search(r"^left none$", st, re.M) is not None,
          "%s: tracefs clean after SIGTERM (%r)" % (what, st))
    rows = text("kexp.prom") or ""
    check(re.search(r'^recvtop_build_info\{.*backend="kprobe"', rows, re.M)
          is not None, "%s: build info names the kprobe backend" % what)
    got = {}
    for m in re.finditer(r'^recvtop_receive_(calls|bytes|errors)_total'
                         r'\{comm="([^"]*)",(?:[a-z_]+="[^"]*",)*'
                         r'pid="(\d+)"\} (\d+)$', rows,
                         re.M):
        got[(m.group(3), m.group(1))] = int(m.group(4))
    try:
        with open(os.path.join(sections, "kexp.json")) as f:
            exp = json.load(f)
    except (OSError, ValueError):
        check(False, "%s: the generator wrote its expectations" % what)
        return
    bad = []
    for p in exp["processes"]:
        for k in ("calls", "bytes", "errors"):
            g = got.get((str(p["pid"]), k), 0)
            if g != p[k]:
                bad.append("%s %s: %d, want %d" % (p["comm"], k, g, p[k]))
    check(not bad, "%s: every generator process's calls, bytes, errors "
          "exact in the scrape (%d processes)%s" % (what,
          len(exp["processes"]), ": " + "; ".join(bad[:4]) if bad else ""))


def check_record():
    """record on the kprobe backend; report and replay give the numbers"""
    what = "record --backend kprobe"
    check(rc("krecord.out") == "0", "%s: exit status 0 (got %s)"
          % (what, rc("krecord.out")))
    err = (text("krecord.err") or "").strip()
    check(re.search(r"recorded [0-9]+ events \(0 lost\) to /tmp/kp.dat", err)
          is not None, "%s: its final line (%r)" % (what, err[-200:]))
    ran_clean("krec", "replay of the kprobe recording")
    compare("krec", "replay of the kprobe recording")
    ran_clean("krep", "report on the kprobe recording")
    # report prints the file and the summary, no interval lines: its
    # comparison is datcheck's
    exp = os.path.join(sections, "krep.json")
    if not (text("krep.json") or "").strip():
        check(False, "report on the kprobe recording: expectations present")
    else:
        datcheck.report(exp, os.path.join(sections, "krep.out"), "kprobe",
                        "%s: report on the kprobe recording" % label)
    summ = summary("krep.out")
    check(summ is not None and summ.get("backend") == "kprobe",
          "report on the kprobe recording: backend kprobe (%s)"
          % (summ or {}).get("backend"))


def check_asan():
    """the sanitized recvtop: exact, and not a word from ASan/UBSan"""
    if text("asan-gen.out") is None:
        check(False, "the sanitized recvtop ran in the guest")
        return
    for name, what in (("asan-gen", "ASan recvtop -- rtgen"),
                       ("asan-mem", "ASan recvtop -- rtmem")):
        ran_clean(name, what)
        compare(name, what)


def profile(name):
    """kprobe_profile lines: event -> (hits, missed); 'group/event' on
    newer kernels, just 'event' on older ones"""
    prof = {}
    for line in (text(name) or "").splitlines():
        f = line.split()
        if len(f) == 3:
            # recvtop's event names end in _PID (unique per run)
            ev = re.sub(r"_[0-9]+$", "", f[0].split("/")[-1])
            if ev == "keep" or f[0].startswith("othertool/"):
                continue        # another tool's kprobe (step 0)
            prof[ev] = (int(f[1]), int(f[2]), f[0].split("/")[0])
    return prof


def check_miss():
    ran_clean("miss", "rtblock (return-probe misses)")
    summ = summary("miss.out")
    exp = load("miss.json")
    check(exp is not None, "rtblock wrote its expectations")
    check(summ is not None, "rtblock run ends with a summary")
    if not exp or not summ:
        return
    prof = profile("miss.profile")
    check(sorted(prof) == sorted(EVENTS),
          "kprobe_profile, read while recvtop ran, lists its events (%s)"
          % sorted(prof))
    if sorted(prof) != sorted(EVENTS):
        return
    threads = exp["threads"]
    hits, missed = prof["inet_recvmsg_ret"][0], prof["inet_recvmsg_ret"][1]
    check(prof["inet_recvmsg"][0] >= threads,
          "all %d receives hit the inet_recvmsg kprobe (%d)"
          % (threads, prof["inet_recvmsg"][0]))
    check(hits == MAXACTIVE and missed == threads - MAXACTIVE,
          "r%d: %d returns recorded, %d missed (got %d, %d)"
          % (MAXACTIVE, MAXACTIVE, threads - MAXACTIVE, hits, missed))
    total = sum(v[1] for v in prof.values())
    check("probe_missed" in summ, "summary carries probe_missed")
    check(summ.get("probe_missed") == total and total > 0,
          "summary probe_missed %s == sum of nmissed in kprobe_profile %d"
          % (summ.get("probe_missed"), total))
    procs = {p["pid"]: p for p in summ["processes"]}
    row = procs.get(exp["pid"])
    got = (row["calls"], row["bytes"]) if row else None
    size = exp["bytes"] // threads
    # the returns the kretprobe missed are counted from recvfrom's exit
    check(got == (threads, threads * size),
          "rtblock process row: all %d calls, %d bytes, the %d missed "
          "returns counted from recvfrom's exit (got %s)"
          % (threads, threads * size, missed, got))
    others = [p for p in summ["processes"] if p["pid"] != exp["pid"]]
    check(not others, "rtblock's threads are counted in its process (%s)"
          % [(p["pid"], p["comm"]) for p in others][:5])
    peer = exp["peer"]
    rows = [p for p in summ["peers"] if (p["family"], p["addr"], p["port"])
            == (peer["family"], peer["addr"], peer["port"])]
    check(len(rows) == 1 and rows[0]["calls"] == threads and
          rows[0]["bytes"] == threads * size,
          "sender peer row: %d calls (got %s)"
          % (threads, [(r["calls"], r["bytes"]) for r in rows]))


def state(name):
    out = {"instance": [], "dynevent": [], "kprobe_event": [],
           "kprobe_profile": [], "pid": []}
    for line in (text(name) or "").splitlines():
        k, _, v = line.partition(" ")
        out.setdefault(k, []).append(v)
    return out


def check_paths():
    """every other way a run ends: exit status, nothing left behind"""
    want = {"TERM": "0", "INT": "130", "SEGV": "139", "PIPE": "141"}
    what = {"TERM": "SIGTERM (drain)", "INT": "second SIGINT (abort)",
            "SEGV": "SIGSEGV (crash handler)", "PIPE": "SIGPIPE"}
    got = {}
    for line in (text("paths") or "").splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "path":
            got[f[1]] = {"started": f[3], "rc": f[5], "left": " ".join(f[7:])}
    for sig in ("TERM", "INT", "SEGV", "PIPE"):
        g = got.get(sig)
        check(g is not None and g["started"] in ("yes", "-") and
              g["rc"] == want[sig] and g["left"] == "none",
              "%s: exit status %s, instance and probe group removed (%s)"
              % (what[sig], want[sig], g))


def check_killed():
    st = state("killed.state")
    pid = st["pid"][0] if st["pid"] else "?"
    check(("recvtop-%s" % pid) in st["instance"],
          "after kill -9: instance recvtop-%s is left" % pid)
    group = [d for d in st["dynevent"] if ("recvtop_%s/" % pid) in d]
    check(len(group) == len(EVENTS),
          "after kill -9: group recvtop_%s is left (%d events)"
          % (pid, len(group)))
    check(any(re.match(r"r4096:recvtop_%s/inet_recvmsg_ret_%s " % (pid, pid), d)
              for d in group), "the kernel lists the kretprobe as r4096")
    out = text("reset.out") or ""
    check(rc("reset.out") == "0", "recvtop reset exit status 0")
    check(("removed instance recvtop-%s" % pid) in out and
          ("removed probe group recvtop_%s" % pid) in out,
          "recvtop reset removed instance and group (%r)" % out.strip())


def check_killed2():
    """kill -9, then the next run (not reset) removes the dead run's state"""
    st = dict(l.split(" ", 1) for l in (text("killed2.state") or "").splitlines()
              if " " in l)
    check(st.get("before", "").strip() == "instance group",
          "second kill -9: instance and group left (%s)" % st.get("before"))
    check(st.get("next", "").strip() == "rc 0",
          "the next run exits 0 (%s)" % st.get("next"))
    check(st.get("after", "").strip() == "none",
          "the next run removed the dead run's instance and group (%s)"
          % st.get("after"))


def check_other():
    """another tool's enabled kprobe survived the runs, reset, kill -9s"""
    before = text("other.before")
    after = text("other.after")
    want = "kprobe 1\nenabled 1\ninstance 1\nfilter common_pid != 0\n"
    check(before == want, "another tool's kprobe set up, enabled at the "
          "top level and in its instance (%r)" % before)
    check(after == before, "after every run, reset and both kill -9 "
          "cleanups, the other tool's kprobe is untouched (%r)" % after)


# the peer table's cap (include/recvtop/stats.h RT_CAP_PEERS)
CAP_PEERS = 100000
PEERS_RSS_KB = 96 * 1024    # documented bound of recvtop's memory there


def check_peers(release, smp):
    """110,000 distinct senders against the 100,000-row peer cap"""
    dig = text("peers.digest")
    if dig is None:
        if release == "6.12" and smp == 2:
            check(False, "the cardinality step ran (peers.digest)")
        return
    exp = load("peers.json")
    check(exp is not None, "rtcard peers wrote its expectations (%s)"
          % (text("peers.err") or "").strip()[:200])
    if not exp:
        return
    d = {}
    shapes = {}
    for line in dig.splitlines():
        k, _, v = line.partition(" ")
        if k == "shape":
            calls, nbytes, n = v.split()
            shapes[(int(calls), int(nbytes))] = int(n)
        else:
            d[k] = v
    n = exp["peers"]
    check(d.get("rc") == "0", "cardinality: recvtop exit status 0 (%s)"
          % d.get("rc"))
    head = {}
    for line in dig.splitlines():
        if line.startswith('{"type":"summary"'):
            try:
                head = json.loads(line + "}")
            except ValueError:
                head = {}
    check(head.get("lost") == 0, "cardinality: nothing lost (%s)"
          % head.get("lost"))
    rows = int(d.get("rows", "0"))
    check(rows == CAP_PEERS + 1, "cardinality: %d peers give %d rows + "
          "the other row (got %d rows)" % (n, CAP_PEERS, rows))
    check(d.get("distinct") == str(rows), "cardinality: every row a "
          "distinct peer (%s of %d)" % (d.get("distinct"), rows))
    per = (exp["calls_per_peer"], exp["bytes_per_peer"])
    check(shapes.get(per) == CAP_PEERS, "cardinality: %d rows with exactly "
          "%d call(s), %d bytes each (shapes %s)"
          % (CAP_PEERS, per[0], per[1], shapes))
    other = (d.get("other") or "").split()
    want_other = ["(other)", str((n - CAP_PEERS) * per[0]),
                  str((n - CAP_PEERS) * per[1])]
    check(other == want_other, "cardinality: the other row counts the %d "
          "senders beyond the cap exactly (%s, want %s)"
          % (n - CAP_PEERS, other, want_other))
    check(d.get("sum") == "%d %d" % (exp["calls"], exp["bytes"]),
          "cardinality: rows + other row add up to the generator's %d "
          "calls, %d bytes (%s)" % (exp["calls"], exp["bytes"], d.get("sum")))
    proc = (d.get("process") or "")
    check(proc.startswith('"pid":%d,' % exp["pid"]) and
          '"calls":%d,"bytes":%d,' % (exp["calls"], exp["bytes"]) in proc,
          "cardinality: the receiver's process row is exact (%s)" % proc)
    mems = [l.split() for l in dig.splitlines() if l.startswith("mem ")]
    kb = {m[1].rstrip(":"): int(m[2]) for m in mems if len(m) >= 3}
    print("# %s: recvtop at the peer cap: VmRSS %s kB, VmHWM %s kB"
          % (label, kb.get("VmRSS"), kb.get("VmHWM")))
    check(kb.get("VmHWM", 1 << 30) <= PEERS_RSS_KB,
          "cardinality: recvtop's peak memory %s kB <= %d kB at the cap"
          % (kb.get("VmHWM"), PEERS_RSS_KB))


def check_attr(release):
    """attribution on the pure cgroup v2 layout (guest step 6f)"""
    fmt = text("attr.formats") or ""
    events, cur = {}, None
    for l in fmt.splitlines():
        if l.startswith("event "):
            cur = events.setdefault(l.split()[1], [])
        elif cur is not None and "field:" in l:
            cur.append(l.split("field:")[1].split(";")[0])
    want = {"task/task_newtask": ("pid", "comm", "clone_flags"),
            "task/task_rename": ("pid", "newcomm"),
            "cgroup/cgroup_attach_task": ("dst_root", "pid", "dst_path")}
    for ev, names in want.items():
        have = " ".join(events.get(ev, []))
        check(all(" " + n in " " + have.replace("[", " [").replace("*", " ")
                  for n in names),
              "%s has the fields %s (%s)" % (ev, ", ".join(names), have))
    st = dict(l.split(" ", 1) for l in (text("attr.state") or "").splitlines()
              if " " in l)
    check(st.get("rc") == "0", "attribution run: exit status 0 (got %s)"
          % st.get("rc"))
    check(st.get("left") == "none", "attribution run: tracefs clean "
          "(left %s)" % st.get("left"))
    err = (text("attr.err") or "").strip()
    check(err == "", "attribution run: nothing on stderr (%r)" % err[:300])
    summ = summary("attr.summary")
    if not summ:
        check(False, "attribution run: a summary")
        return
    procs = {p["pid"]: p for p in summ["processes"]}
    conts = {c["container"]: c for c in summ.get("containers", [])}
    ns = int(st.get("netns", "0") or 0)
    cid = "0123456789abcdef" * 4
    for name, cg, cont, kind in (
            ("attr.ct.json", "/kubepods/burstable/pod1/" + cid, cid[:12],
             "container"),
            ("attr.web.json", "/system.slice/rt-web.service",
             "rt-web.service", "service")):
        exp = load(name)
        if not exp:
            check(False, "attribution run: %s written" % name)
            continue
        for w in exp["processes"]:
            g = procs.get(w["pid"], {})
            check((g.get("comm"), g.get("calls"), g.get("bytes"),
                   g.get("cgroup"), g.get("container"), g.get("netns")) ==
                  (w["comm"], w["calls"], w["bytes"], cg, cont, ns),
                  "%s %s: %d calls %d bytes in %s (%s), netns %d (got %s)"
                  % (kind, w["comm"], w["calls"], w["bytes"], cg, cont, ns,
                     (g.get("comm"), g.get("calls"), g.get("bytes"),
                      g.get("cgroup"), g.get("container"), g.get("netns"))))
        c = conts.get(cont, {})
        calls = sum(p["calls"] for p in exp["processes"])
        nbytes = sum(p["bytes"] for p in exp["processes"])
        check((c.get("kind"), c.get("calls"), c.get("bytes")) ==
              (kind, calls, nbytes),
              "%s %s: %d calls %d bytes (got %s)"
              % (kind, cont, calls, nbytes,
                 (c.get("kind"), c.get("calls"), c.get("bytes"))))
    card = load("attr.card.json")
    if not card:
        check(False, "attribution run: rtcard's expectations")
        return
    bad = [(p, procs.get(p, {}).get("comm")) for p in card["pids"]
           if (procs.get(p, {}).get("comm"), procs.get(p, {}).get("bytes"))
           != ("rt-short", card["bytes_per_proc"])]
    check(not bad, "%d processes named after fork, gone at once: rt-short, "
          "%d bytes each (wrong: %s)" % (len(card["pids"]),
                                         card["bytes_per_proc"], bad[:5]))


def check_final():
    st = state("final.state")
    left = [i for i in st["instance"] if i.startswith("recvtop")] + \
        [d for d in st["dynevent"] + st["kprobe_event"] if "recvtop" in d]
    check(text("final.state") is not None and not left,
          "at the end instances/, dynamic_events and kprobe_events hold "
          "nothing of recvtop (%s)" % left)
    check(not st["kprobe_profile"], "at the end kprobe_profile is empty (%s)"
          % st["kprobe_profile"][:3])


def main(argv):
    global label, sections
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    global EVENTS
    sections, label = argv[1], argv[2]
    opts = dict(zip(argv[3::2], argv[4::2]))
    EVENTS = events_of(opts["--release"])
    check(os.path.exists(os.path.join(sections, "final.state")),
          "the guest ran to the end")
    arch = opts.get("--arch", "x86_64")
    check_env(opts["--release"], int(opts["--smp"]), arch)
    check_probes(opts["--release"], opts["--offsets"])
    check_gen()
    check_auto(opts["--release"])
    check_rx(opts["--release"])
    check_mm_sweep(opts["--release"])
    check_tx(opts["--release"])
    check_tcp(opts["--release"])
    if arch == "x86_64":
        # Debian's redis-server and memcached are in the x86-64 guest only
        check_servers(opts["--release"])
    check_comm()
    check_mem()
    check_record()
    check_export()
    check_asan()
    check_miss()
    check_paths()
    check_killed()
    check_killed2()
    check_other()
    check_peers(opts["--release"], int(opts["--smp"]))
    check_attr(opts["--release"])
    check_final()
    return 1 if rtcheck.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
