#!/usr/bin/env python3
"""Check recvtop's TCP peers against rtpeer's numbers.

usage:
  peercheck.py EXPECT.json OUTPUT.jsonl LABEL
      the summary's peers: one row per connection on each side, exact
  peercheck.py --report EXPECT.json REPORT.json LABEL
      the same in a report's JSON (one object)
Prints TAP lines ("ok - ..." / "not ok - ..."); exits 1 if any failed.

rtpeer's client (local port C) talks to the server (port P): the client's
peer row {addr: server, port: P, local_port: C} has calls 1, bytes resp,
send_calls 1, send_bytes req; the server's row {addr: client (the same
loopback address), port: C, local_port: P} has calls 2 (the request, then
the end of the stream), bytes req, send_calls 1, send_bytes resp.  Every
row is tcp, source kernel, in the expected family.
"""
import json
import sys

failed = 0


def check(cond, what):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed += 1


def main():
    args = sys.argv[1:]
    report = args and args[0] == "--report"
    if report:
        args = args[1:]
    exp_path, out_path, label = args
    exp = json.load(open(exp_path))
    if report:
        summ = json.load(open(out_path))
    else:
        lines = [json.loads(l) for l in open(out_path) if l.strip()]
        summ = lines[-1] if lines else {}
        check(summ.get("type") == "summary",
              "%s: the output ends with a summary" % label)
    check_peers(exp, summ, label)
    return 1 if failed else 0


def check_peers(exp, summ, label, report=check):
    """rtpeer's connections (exp) in a summary's peers, exact; report:
    the TAP check function to use"""
    global check
    saved, check = check, report
    try:
        _check_peers(exp, summ, label)
    finally:
        check = saved


def _check_peers(exp, summ, label):
    peers = summ.get("peers", [])
    rows = {}
    for p in peers:
        key = (p.get("family"), p.get("addr"), p.get("port"),
               p.get("local_port"))
        rows[key] = p
    fam, addr, port = exp["family"], exp["addr"], exp["port"]
    n = exp["conns"]
    want_c = {"proto": "tcp", "source": "kernel", "calls": 1 if exp["resp"] else 0,
              "bytes": exp["resp"], "send_calls": 1 if exp["req"] else 0,
              "send_bytes": exp["req"]}
    want_s = {"proto": "tcp", "source": "kernel",
              "calls": 2 if exp["req"] else 1, "bytes": exp["req"],
              "send_calls": 1 if exp["resp"] else 0,
              "send_bytes": exp["resp"]}
    bad_c, bad_s = [], []
    for cp in exp["client_ports"]:
        for side, key, want, bad in (
                ("client", (fam, addr, port, cp), want_c, bad_c),
                ("server", (fam, addr, cp, port), want_s, bad_s)):
            r = rows.get(key)
            got = {k: r.get(k) for k in want} if r else None
            if got != want:
                bad.append("%s:%s lport %s: %s" % (key[1], key[2], key[3],
                                                   got))
    check(not bad_c, "%s: %d client-side peers (%s:%d from each local port) "
          "exact: calls %d bytes %d send_calls %d send_bytes %d%s" %
          (label, n, addr, port, want_c["calls"], want_c["bytes"],
           want_c["send_calls"], want_c["send_bytes"],
           "" if not bad_c else " (%d wrong, first %s)" % (len(bad_c),
                                                          bad_c[0])))
    check(not bad_s, "%s: %d server-side peers (local port %d) exact: calls "
          "%d bytes %d send_calls %d send_bytes %d%s" %
          (label, n, port, want_s["calls"], want_s["bytes"],
           want_s["send_calls"], want_s["send_bytes"],
           "" if not bad_s else " (%d wrong, first %s)" % (len(bad_s),
                                                          bad_s[0])))
    mine = [p for p in peers if p.get("port") == port or
            p.get("local_port") == port]
    check(len(mine) == 2 * n, "%s: %d peer rows of port %d (want %d)" %
          (label, len(mine), port, 2 * n))


if __name__ == "__main__":
    sys.exit(main())
