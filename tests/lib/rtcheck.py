#!/usr/bin/env python3
"""Compare recvtop's JSON output with a generator's expected numbers.

usage:
  rtcheck.py compare EXPECT.json OUTPUT.jsonl [--backend B] [--label L]
  rtcheck.py compare-tx EXPECT.json OUTPUT.jsonl [--backend B] [--label L]
                                               sends against rttx's numbers
  rtcheck.py summary OUTPUT.jsonl KEY          print a summary key
Prints one TAP line per check ("ok - ..." / "not ok - ..."); exits 1 if
any check failed.
"""
import json
import sys

VISIBLE_VIA = {
    "tracepoint": {"process_vm_readv", "process_vm_writev", "ptrace"},
    "kprobe": {"process_vm_readv", "process_vm_writev", "ptrace",
               "proc_mem", "proc_read", "madvise"},
}

failed = 0


def check(cond, what):
    global failed
    if cond:
        print("ok - " + what)
    else:
        print("not ok - " + what)
        failed += 1


def load_lines(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                check(False, "%s line %d is JSON (%s)" % (path, n, e))
    return out


def summary_of(lines, backend, label):
    """the run's summary line, checked to end the output and to name the
    backend (the given one, else its own); None without one"""
    check(len(lines) > 0 and lines[-1].get("type") == "summary",
          "%s: output ends with a summary line" % label)
    if not lines or lines[-1].get("type") != "summary":
        return None, backend
    summ = lines[-1]
    backend = backend or summ.get("backend")
    check(summ.get("backend") == backend,
          "%s: backend is %s (got %s)" % (label, backend, summ.get("backend")))
    return summ, backend


def interval_sums(intervals, pid, keys):
    """the process's numbers of keys, added up over the interval lines"""
    tot = {k: 0 for k in keys}
    for iv in intervals:
        for p in iv.get("processes", []):
            if p["pid"] == pid:
                for k in tot:
                    tot[k] += p.get(k, 0)
    return tot


def check_exact(got, e, keys, what):
    """got has e's values of keys (the numbers named when it does)"""
    diffs = ["%s %s != %s" % (k, got.get(k), e[k])
             for k in keys if got.get(k) != e[k]]
    check(not diffs, what + " exact: " + (", ".join(diffs) or " ".join(
        "%s %d" % (k, e[k]) for k in keys if not k.endswith("comm"))))


def check_socket_row(s, want, what, e, via, diffs=()):
    """a sockets row with want's values: the process's numbers, its
    family, protocol and way"""
    diffs = ["%s %s != %s" % (k, s.get(k), v) for k, v in want.items()
             if s.get(k) != v] + list(diffs)
    check(not diffs, what + " socket %s: " % s.get("sock") +
          (", ".join(diffs) or "%s %s via %s, the process's numbers"
           % (e["sock_family"], e["proto"], via)))


def compare(expect_path, out_path, backend, label):
    """a run's interval and summary lines (live batch, replay)"""
    compare_lines(json.load(open(expect_path)), load_lines(out_path),
                  backend, label, True)


def check_socket(summ, e, got, what, backend):
    """the scenario's one socket: a sockets row with the process's
    numbers, its family, protocol and way"""
    rows = [s for s in summ.get("sockets", []) if s["pid"] == e["pid"]]
    check(len(rows) == 1, what + " has one socket row (%d)" % len(rows))
    if len(rows) != 1:
        return
    s = rows[0]
    want = {"comm": e["comm"], "family": e["sock_family"],
            "proto": e["proto"], "via": [e["via"]], "calls": got["calls"],
            "bytes": got["bytes"], "errors": got["errors"],
            "peeks": got.get("peeks", 0)}
    s = dict(s, via=[v for v in s.get("via", [])
                     if not v.startswith("send:")])
    check_socket_row(s, want, what, e, e["via"])
    if backend == "tracepoint":
        check(s.get("sock") == "fd:%d" % s.get("fd", -1) and s["fd"] >= 0,
              what + " socket id is its descriptor (%s)" % s.get("sock"))
        return
    check(isinstance(s.get("sock"), str) and
          len(s["sock"]) == 16 and int(s["sock"], 16) != 0,
          what + " socket id is its kernel address (%s)" % s.get("sock"))


def compare_lines(exp, lines, backend, label, intervals_expected):
    """the summary line exact against the generator's numbers; with
    intervals_expected, the interval lines add up to it (recvtop report
    prints none)"""
    summ, backend = summary_of(lines, backend, label)
    if summ is None:
        return
    intervals = [l for l in lines if l.get("type") == "interval"]
    if intervals_expected:
        check(summ.get("intervals") == len(intervals),
              "%s: summary counts %d intervals" % (label, len(intervals)))

    procs = {p["pid"]: p for p in summ["processes"]}
    for e in exp.get("processes", []):
        got = procs.get(e["pid"])
        what = "%s: process %s (%s)" % (label, e["pid"], e["comm"])
        if backend == "tracepoint" and e.get("via") == "io_uring":
            # no syscall tracepoint sees io_uring's receives
            check(got is None, what + " has no row on the tracepoint "
                  "backend (%s)" % got)
            continue
        if backend == "tracepoint" and e.get("via") == "recvmmsg":
            # the datagrams count; their bytes are in user memory
            e = dict(e, bytes=0)
        if "via" in e and e["calls"] == 0:
            # file and pipe reads (rtgen noise) are no receives
            check(got is None, what + " has no row (%s)" % got)
            continue
        if got is None:
            check(False, what + " is in the summary")
            continue
        check_exact(got, e, ("comm", "calls", "bytes", "errors", "eagain"),
                    what)
        if "via" in e:
            want = {e["via"]: {"calls": e["calls"], "bytes": e["bytes"]}}
            # the receives' ways (a receiver may send too: rtgen's reuse)
            rx = {k: v for k, v in got.get("by_via", {}).items()
                  if not k.startswith("send:")}
            check(rx == want, what + " by_via %s (got %s)" % (want, rx))
            check(got.get("peeks") == e.get("peeks", 0),
                  what + " peeks %d (got %s)" % (e.get("peeks", 0),
                                                 got.get("peeks")))
        if "proto" in e:
            check_socket(summ, e, got, what, backend)
        if intervals_expected:
            tot = interval_sums(intervals, e["pid"],
                                ("calls", "bytes", "errors", "eagain"))
            check(all(tot[k] == got[k] for k in tot),
                  what + " intervals add up to the summary")
        if backend == "sock" and e.get("via") == "read":
            # no syscall bracket: no latency, and none made up
            check(got.get("lat_calls") == 0 and got["lat_ns_avg"] is None,
                  what + " reads have no latency (%s, %s)"
                  % (got.get("lat_calls"), got["lat_ns_avg"]))
        elif got["calls"]:
            check(0 < got["lat_ns_avg"] <= got["lat_ns_max"],
                  what + " 0 < avg latency <= max")
            check(0 < got["lat_ns_p99"] <= got["lat_ns_max"],
                  what + " p99 <= max")

    exp_pids = {e["pid"] for e in exp.get("processes", [])}
    # the sock backend sees senders and /proc readers where kprobes exist
    senders = summ.get("senders", backend == "kprobe")
    # the libc uprobes see recvfrom and recvmsg, not recvmmsg's vector
    # nor unix-dgram senders (only UDP receives wait for them)
    mmsg_pids = {e["pid"] for e in exp.get("processes", [])
                 if e.get("via") == "recvmmsg" or
                 e.get("proto", "unix" if e.get("scenario") in
                       ("unix", "udgram") else "udp") != "udp"} \
        if summ.get("uprobes") else set()
    if senders:
        peers = {(p["family"], p["addr"], p["port"]): p for p in summ["peers"]}
        for e in exp.get("peers", []):
            if e.get("pid") in mmsg_pids:
                key = (e["family"], e["addr"], e["port"])
                check(key not in peers, "%s: no peer %s %s port %s for "
                      "recvmmsg or unix (not seen by the libc uprobes)"
                      % (label, *key))
                continue
            key = (e["family"], e["addr"], e["port"])
            got = peers.get(key)
            what = "%s: peer %s %s port %s" % (label, *key)
            check(got is not None and got["calls"] == e["calls"] and
                  got["bytes"] == e["bytes"],
                  what + " calls %d bytes %d (got %s)" %
                  (e["calls"], e["bytes"],
                   None if got is None else (got["calls"], got["bytes"])))
            if got is not None and "pid" in e:
                check(got.get("top_pid") == e["pid"],
                      what + " top process %d" % e["pid"])
            # our port: the kprobe backend reads the receiving socket's
            # (the sock and tracepoint backends know it for TCP only)
            if got is not None and "local_port" in e and backend == "kprobe":
                check(got.get("local_port") == e["local_port"],
                      what + " local port %d (got %s)"
                      % (e["local_port"], got.get("local_port")))
        want = {(e["family"], e["addr"], e["port"])
                for e in exp.get("peers", []) if e.get("pid") not in mmsg_pids}
        # TCP peers (the connections' own addresses) are not senders
        bogus = [k for k, p in peers.items()
                 if p.get("top_pid") in exp_pids and k not in want and
                 p.get("proto") != "tcp"]
        check(not bogus, "%s: no bogus peer rows for the generator (%s)"
              % (label, bogus))
    else:
        check([p for p in summ["peers"] if p.get("proto") != "tcp"] == [],
              "%s: no sender peer rows on the %s backend" % (label, backend))

    # /proc readers come with the kprobe senders (mm_access), not with
    # the libc uprobes' ones
    vis = VISIBLE_VIA["kprobe" if senders and not summ.get("uprobes")
                      else "tracepoint"]
    readers = {(r["reader_pid"], r["target_pid"], r["via"]): r
               for r in summ["readers"]}
    exp_readers = [e for e in exp.get("readers", []) if e["via"] in vis]
    for e in exp_readers:
        key = (e["reader_pid"], e["target_pid"], e["via"])
        got = readers.get(key)
        what = "%s: reader %s -> %s via %s" % (label, *key)
        if got is None:
            check(False, what + " is in the summary")
            continue
        check_exact(got, e, ("reader_comm", "target_comm", "count", "denied"),
                    what)
    reader_pids = {e["reader_pid"] for e in exp.get("readers", [])}
    want = {(e["reader_pid"], e["target_pid"], e["via"]) for e in exp_readers}
    extra = [k for k in readers if k[0] in reader_pids and k not in want]
    check(not extra, "%s: no unexpected reader rows (%s)" % (label, extra))


# the tracepoint backend: the syscall tracepoints see no io_uring send,
# and splice() is not one of the sends it traces
TX_UNSEEN = {"tracepoint": {"send:io_uring", "send:splice"}}
# ... nor does it know their socket (sendfile: the bytes come from a file)
TX_NO_SOCKET = {"tracepoint": {"send:sendfile", "send:splice",
                               "send:io_uring"}}


def send_vias(by_via):
    """the send entries of a by_via dict, calls and bytes only"""
    return {k: {"calls": v.get("calls"), "bytes": v.get("bytes")}
            for k, v in (by_via or {}).items() if k.startswith("send:")}


def compare_tx(expect_path, out_path, backend, label):
    """a run's summary (and interval lines) against rttx's numbers"""
    exp = json.load(open(expect_path))
    lines = load_lines(out_path)
    summ, backend = summary_of(lines, backend, label)
    if summ is None:
        return
    intervals = [l for l in lines if l.get("type") == "interval"]

    procs = {p["pid"]: p for p in summ.get("processes", [])}
    for e in exp.get("processes", []):
        got = procs.get(e["pid"])
        via = e["via"]
        what = "%s: sender %s (%s, %s)" % (label, e["pid"], e["comm"], via)
        tx_socks = [s for s in summ.get("sockets", [])
                    if s["pid"] == e["pid"] and s.get("send_calls", 0) > 0]
        if intervals:
            tot = interval_sums(intervals, e["pid"],
                                ("send_calls", "send_bytes"))
            want = {k: (got or {}).get(k, 0) for k in tot}
            check(tot == want, what + " intervals add up to the summary "
                  "(%s, summary %s)" % (tot, want))
        if e["send_calls"] == 0 or via in TX_UNSEEN.get(backend, ()):
            # rttx files: file and pipe writes are no sends; or a send
            # that this backend does not see
            why = ("no send" if e["send_calls"] == 0 else
                   "not seen on the %s backend" % backend)
            check(got is None or (got.get("send_calls", 0) == 0 and
                                  got.get("send_bytes", 0) == 0 and
                                  not send_vias(got.get("by_via"))),
                  what + " has no send counted, %s (%s)" % (why, None if
                  got is None else (got.get("send_calls"),
                                    got.get("send_bytes"),
                                    send_vias(got.get("by_via")))))
            check(not tx_socks, what + " has no socket row with sends (%s)"
                  % [s.get("sock") for s in tx_socks])
            continue
        if backend == "tracepoint" and via == "send:sendmmsg":
            # the messages count; their bytes are in user memory
            e = dict(e, send_bytes=0)
        if got is None:
            check(False, what + " is in the summary")
            continue
        check_exact(got, e, ("comm", "send_calls", "send_bytes",
                             "send_errors"), what)
        want = {via: {"calls": e["send_calls"], "bytes": e["send_bytes"]}}
        have = send_vias(got.get("by_via"))
        check(have == want, what + " by_via sends %s (got %s)" % (want, have))
        if "proto" not in e or via in TX_NO_SOCKET.get(backend, ()):
            continue
        check(len(tx_socks) == 1, what + " has one socket row with sends (%d)"
              % len(tx_socks))
        if len(tx_socks) != 1:
            continue
        s = tx_socks[0]
        want = {"comm": e["comm"], "family": e["sock_family"],
                "proto": e["proto"], "send_calls": got.get("send_calls"),
                "send_bytes": got.get("send_bytes"),
                "send_errors": got.get("send_errors")}
        svia = [v for v in s.get("via", []) if v.startswith("send:")]
        check_socket_row(s, want, what, e, via,
                         [] if svia == [via] else
                         ["send via %s != %s" % (svia, [via])])


def parse_opts(rest):
    """--backend B, --label L"""
    backend, label = None, "run"
    while rest:
        if rest[0] == "--backend":
            backend = rest[1]
        elif rest[0] == "--label":
            label = rest[1]
        rest = rest[2:]
    return backend, label


def main(argv):
    if len(argv) >= 4 and argv[1] == "compare":
        backend, label = parse_opts(argv[4:])
        compare(argv[2], argv[3], backend, label)
        return 1 if failed else 0
    if len(argv) >= 4 and argv[1] == "compare-tx":
        backend, label = parse_opts(argv[4:])
        compare_tx(argv[2], argv[3], backend, label)
        return 1 if failed else 0
    if len(argv) == 4 and argv[1] == "summary":
        lines = load_lines(argv[2])
        val = lines[-1].get(argv[3]) if lines else None
        print(json.dumps(val) if not isinstance(val, str) else val)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
