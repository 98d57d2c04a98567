#!/usr/bin/env python3
"""Checks for recordings (.dat files) against a generator's expected numbers.

usage:
  datcheck.py report EXPECT.json REPORT.jsonl [--backend B] [--label L]
      recvtop report --json output against rtgen/rtmem --expect output
  datcheck.py same A.jsonl B.jsonl [--label L]
      the summary lines of two runs (live batch vs report) hold the same
      numbers
  datcheck.py tcreport EXPECT.json REPORT.txt [--label L] [--names-may-be-lost]
      trace-cmd report text of a tracepoint-backend recording: per
      receiving process exactly `calls` sys_enter_recvfrom and
      sys_exit_recvfrom lines, the comm shown by name, one buffer size in
      every enter line (0x10000 for udp4), exit return values summing to `bytes`, `errors` negative
      ones of which `eagain` are -11; no unknown events; time never goes
      back on a CPU
Prints one TAP line per check; exits 1 if any failed.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtcheck  # noqa: E402
from rtcheck import check, load_lines  # noqa: E402


def summary_of(path, label):
    lines = load_lines(path)
    ok = bool(lines) and lines[-1].get("type") == "summary"
    check(ok, "%s: output ends with a summary line" % label)
    return lines, (lines[-1] if ok else None)


def report(expect_path, out_path, backend, label):
    """recvtop report --json: the file line, then the summary exact as in
    rtcheck (report prints no interval lines)"""
    lines = load_lines(out_path)
    files = [l for l in lines if l.get("type") == "file"]
    check(len(files) == 1, "%s: one file line" % label)
    if files:
        f = files[0]
        check(f["events"] == sum(c["events"] for c in f["cpus"]),
              "%s: file events (%d) add up over the CPUs" %
              (label, f["events"]))
        check(f["end"] >= f["start"] and
              abs(f["duration"] - (f["end"] - f["start"])) < 1e-6,
              "%s: start, end and duration agree" % label)
    rtcheck.compare_lines(json.load(open(expect_path)), lines, backend,
                          label, False)


def same(a_path, b_path, label):
    _, a = summary_of(a_path, label + " (first)")
    _, b = summary_of(b_path, label + " (second)")
    if a is None or b is None:
        return
    for k in ("backend", "events", "lost", "unpaired", "intervals",
              "processes", "peers", "readers"):
        check(a.get(k) == b.get(k), "%s: same %s (%s / %s)" %
              (label, k, str(a.get(k))[:120], str(b.get(k))[:120]))
    check(abs(a["time"] - b["time"]) < 0.0015,
          "%s: same time %.3f / %.3f" % (label, a["time"], b["time"]))


LINE = re.compile(r"^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+(\S+):\s*(.*)$")


def tcreport(expect_path, text_path, label, names_may_be_lost=False):
    exp = json.load(open(expect_path))
    enters, exits, names = {}, {}, {}
    last = {}
    unknown = 0
    back = 0
    nlines = 0
    with open(text_path, errors="replace") as f:
        first = f.readline()
        check(first.startswith("cpus="), "%s: first line is cpus=N (%s)" %
              (label, first.strip()))
        for line in f:
            if "[UNKNOWN EVENT]" in line or "UNKNOWN" in line:
                unknown += 1
            m = LINE.match(line)
            if not m:
                continue
            nlines += 1
            comm, pid, cpu, ts, ev, rest = m.groups()
            pid = int(pid)
            ts = float(ts)
            if ts < last.get(cpu, 0):
                back += 1
            last[cpu] = ts
            if ev == "sys_enter_recvfrom":
                e = enters.setdefault(pid, [0, set()])
                e[0] += 1
                sm = re.search(r"size: (0x[0-9a-f]+)", rest)
                e[1].add(int(sm.group(1), 16) if sm else None)
                names[pid] = comm
            elif ev == "sys_exit_recvfrom":
                v = int(rest.split()[0], 16)
                if v >= 1 << 63:
                    v -= 1 << 64
                exits.setdefault(pid, []).append(v)
    check(unknown == 0, "%s: no unknown events (%d)" % (label, unknown))
    check(back == 0, "%s: time never goes back on a CPU" % label)
    check(nlines > 0, "%s: %d event lines" % (label, nlines))
    for e in exp.get("processes", []):
        pid = e["pid"]
        what = "%s: %s-%d" % (label, e["comm"], pid)
        ent = enters.get(pid, [0, set()])
        ex = exits.get(pid, [])
        check(ent[0] == e["calls"] and len(ex) == e["calls"],
              what + " has %d enter and %d exit lines (want %d)" %
              (ent[0], len(ex), e["calls"]))
        sizes = ent[1]
        want_size = 0x10000 if e.get("scenario") == "udp4" else None
        check(len(sizes) == 1 and None not in sizes and 0 not in sizes and
              (want_size is None or sizes == {want_size}),
              what + " enter lines all show one buffer size %s" %
              sorted(x for x in sizes if x is not None))
        # the kernel saves a task's name at its next context switch, and
        # skips it when another CPU holds trace_cmdline_lock (a trylock);
        # a burst of calls without a switch in between then shows as <...>
        ok_names = {e["comm"], "<...>"} if names_may_be_lost else {e["comm"]}
        check(names.get(pid) in ok_names, what + " shown as %s" %
              names.get(pid))
        got = (sum(v for v in ex if v >= 0),
               sum(1 for v in ex if v < 0),
               sum(1 for v in ex if v == -11))
        want = (e["bytes"], e["errors"], e["eagain"])
        check(got == want, what + " return values: bytes %d errors %d "
              "eagain %d (want %d %d %d)" % (*got, *want))


def main(argv):
    label = "run"
    backend = None
    names_lost = False
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == "--label":
            label = argv[i + 1]
            i += 2
        elif argv[i] == "--names-may-be-lost":
            names_lost = True
            i += 1
        elif argv[i] == "--backend":
            backend = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) == 3 and args[0] == "report":
        report(args[1], args[2], backend, label)
    elif len(args) == 3 and args[0] == "same":
        same(args[1], args[2], label)
    elif len(args) == 3 and args[0] == "tcreport":
        tcreport(args[1], args[2], label, names_lost)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if rtcheck.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
