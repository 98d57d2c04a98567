#!/usr/bin/env python3
"""Hostile HTTP clients against recvtop export, while a scraper scrapes.

httphostile.py HOST PORT [--idle N] [--slow N] [--big N] [--junk N]
               [--noread N] [--scrapes N]

Holds N idle connections, N slowloris requests (a header byte every
half second), N requests with oversized headers, N garbage requests and N
clients that ask for /metrics again and again without reading, then
scrapes /metrics the normal way while they are all there.  Prints one JSON
object: the scrapes' times and statuses, what the oversized and garbage
requests got back, and how many hostile connections were held.
"""
import argparse
import json
import socket
import threading
import time
import urllib.request


def connect(host, port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect((host, port))
    return s


def status_of(s):
    try:
        data = s.recv(200)
    except OSError:
        return "reset"
    if not data:
        return "closed"
    parts = data.split(b" ")
    return parts[1].decode() if len(parts) > 1 else "garbage"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--idle", type=int, default=300)
    ap.add_argument("--slow", type=int, default=100)
    ap.add_argument("--big", type=int, default=20)
    ap.add_argument("--junk", type=int, default=30)
    ap.add_argument("--noread", type=int, default=20)
    ap.add_argument("--scrapes", type=int, default=5)
    a = ap.parse_args()
    held = []
    for _ in range(a.idle):
        held.append(connect(a.host, a.port))
    slow = []
    for _ in range(a.slow):
        s = connect(a.host, a.port)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    stop = threading.Event()

    def drip():
        while not stop.is_set():
            for s in slow:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            stop.wait(0.5)

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    big = {}
    for _ in range(a.big):
        s = connect(a.host, a.port)
        try:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
                      b"b" * 65536 + b"\r\n\r\n")
        except OSError:
            pass
        st = status_of(s)
        big[st] = big.get(st, 0) + 1
        held.append(s)
    junk = {}
    for i in range(a.junk):
        s = connect(a.host, a.port)
        try:
            s.sendall(bytes((i * 37 + k) % 256 for k in range(512)) +
                      b"\r\n\r\n")
        except OSError:
            pass
        st = status_of(s)
        junk[st] = junk.get(st, 0) + 1
        held.append(s)
    for _ in range(a.noread):
        s = connect(a.host, a.port, rcvbuf=4096)
        try:
            s.setblocking(False)
            for _ in range(200):
                s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass
        held.append(s)
    times = []
    statuses = []
    for _ in range(a.scrapes):
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(
                    "http://%s:%d/metrics" % (a.host, a.port),
                    timeout=10) as r:
                body = r.read()
                statuses.append(r.status if b"recvtop_events_total" in body
                                else -1)
        except Exception as e:  # noqa: BLE001 - any failure is a result
            statuses.append(str(e)[:60])
        times.append(round(time.monotonic() - t0, 3))
        time.sleep(0.2)
    alive = 0
    for s in slow:
        try:
            s.send(b"a")
            alive += 1
        except OSError:
            pass
    stop.set()
    t.join()
    print(json.dumps({"scrape_s": times, "status": statuses,
                      "max_scrape_s": max(times), "big": big, "junk": junk,
                      "held": len(held) + len(slow), "slow_alive": alive}))
    for s in held + slow:
        s.close()


if __name__ == "__main__":
    main()
