#!/usr/bin/env python3
"""Checks of recvtop export's output, for the test suites.

promcheck.py samples FILE METRIC [LABEL=REGEX...]
    print the sum and the number of samples of METRIC (Prometheus text
    or, with --om, OpenMetrics) whose labels match
promcheck.py om FILE.om FILE.txt
    FILE.om parses as strict OpenMetrics and carries the same samples as
    the text format FILE.txt
promcheck.py batch-vs-prom BATCH.jsonl PROM_URL PREFIX [--wait S]
    every process of the batch summary whose comm starts with PREFIX has,
    summed by pid, the same calls, bytes, errors, send_calls, send_bytes
    as Prometheus's query API gives for the exporter's counters (polled
    until equal or S seconds passed); the exporter runs with --labels pid,
    so that other processes of the same names on the host do not count
promcheck.py batch-vs-scrape BATCH.jsonl FILE PREFIX
    the same against one scrape (any --labels with pid: summed by pid)
"""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

from prometheus_client.openmetrics import parser as om_parser
from prometheus_client import parser as text_parser

FIELDS = [("calls", "recvtop_receive_calls_total"),
          ("bytes", "recvtop_receive_bytes_total"),
          ("errors", "recvtop_receive_errors_total"),
          ("send_calls", "recvtop_send_calls_total"),
          ("send_bytes", "recvtop_send_bytes_total")]


def samples(text, om=False):
    p = om_parser if om else text_parser
    out = []
    for fam in p.text_string_to_metric_families(text):
        for s in fam.samples:
            out.append((s.name, dict(s.labels), s.value))
    return out


def batch_by_comm(path, prefix):
    summ = None
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            o = json.loads(line)
            if o.get("type") == "summary":
                summ = o
    if summ is None:
        raise SystemExit("%s: no summary line" % path)
    by = {}
    for p in summ["processes"]:
        if not p["comm"].startswith(prefix):
            continue
        d = by.setdefault(str(p["pid"]), {f: 0 for f, _ in FIELDS})
        for f, _ in FIELDS:
            d[f] += p.get(f, 0)
    return by


def diff(want, got):
    bad = []
    got = {k: v for k, v in got.items() if k in want or any(v.values())}
    for comm, d in sorted(want.items()):
        for f, _ in FIELDS:
            g = got.get(comm, {}).get(f, 0)
            if g != d[f]:
                bad.append("%s %s: batch %d, exporter %d" % (comm, f, d[f],
                                                             g))
    return bad


def scrape_by_comm(text, prefix):
    got = {}
    names = {m: f for f, m in FIELDS}
    for name, labels, value in samples(text):
        if name in names and labels.get("comm", "").startswith(prefix):
            d = got.setdefault(labels["pid"], {f: 0 for f, _ in FIELDS})
            d[names[name]] += int(value)
    return got


def prom_by_pid(url, prefix, pids):
    got = {}
    for f, metric in FIELDS:
        q = 'sum by (pid) (%s{comm=~"%s.*",pid=~"%s"})' % (
            metric, prefix, "|".join(sorted(pids)))
        with urllib.request.urlopen(url + "/api/v1/query?" +
                                    urllib.parse.urlencode({"query": q}),
                                    timeout=5) as r:
            res = json.load(r)
        for row in res["data"]["result"]:
            comm = row["metric"]["pid"]
            got.setdefault(comm, {g: 0 for g, _ in FIELDS})[f] = \
                int(float(row["value"][1]))
    return got


def main(argv):
    cmd = argv[1]
    if cmd == "samples":
        om = "--om" in argv
        args = [a for a in argv[2:] if a != "--om"]
        text = open(args[0]).read()
        want = [a.split("=", 1) for a in args[2:]]
        n = total = 0
        for name, labels, value in samples(text, om):
            if name != args[1]:
                continue
            if all(re.fullmatch(rx, labels.get(k, "")) for k, rx in want):
                n += 1
                total += value
        print("%d %d" % (int(total), n))
        return 0
    if cmd == "om":
        om = samples(open(argv[2]).read(), om=True)
        txt = samples(open(argv[3]).read())
        # the info metric and the counters carry the same values
        key = lambda s: (s[0], tuple(sorted(s[1].items())))  # noqa: E731
        a = {key(s): s[2] for s in om}
        b = {key(s): s[2] for s in txt}
        if a != b:
            only = set(a) ^ set(b)
            print("differ: %s" % sorted(only)[:5])
            for k in set(a) & set(b):
                if a[k] != b[k]:
                    print("value %s: %s vs %s" % (k, a[k], b[k]))
                    break
            return 1
        print("%d samples" % len(a))
        return 0
    if cmd == "batch-vs-scrape":
        bad = diff(batch_by_comm(argv[2], argv[4]),
                   scrape_by_comm(open(argv[3]).read(), argv[4]))
        for b in bad:
            print(b)
        return 1 if bad else 0
    if cmd == "batch-vs-prom":
        wait = float(argv[argv.index("--wait") + 1]) if "--wait" in argv \
            else 0
        want = batch_by_comm(argv[2], argv[4])
        end = time.monotonic() + wait
        while True:
            try:
                bad = diff(want, prom_by_pid(argv[3], argv[4], want))
            except OSError as e:
                bad = ["query failed: %s" % e]
            if not bad or time.monotonic() > end:
                break
            time.sleep(0.5)
        for b in bad:
            print(b)
        if not bad:
            print("%d processes equal" % len(want))
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
