#!/usr/bin/env python3
"""udpcheck EXPECT.json OUT [DESC] [--none] [--source S]: the UDP sender
rows of a recvtop JSON output (its last summary, or a report's) equal
rtudp's --expect exactly: one row per sender (addr, port) with proto udp,
the source given (user by default), the calls and bytes sent.  --none:
no row for any of the senders (recv() names no address).  Prints a
diagnosis and exits 1 on a mismatch."""
import json
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    none = '--none' in sys.argv
    source = 'user'
    if '--source' in sys.argv:
        source = sys.argv[sys.argv.index('--source') + 1]
        args.remove(source)
    exp = json.load(open(args[0]))
    summ = None
    for line in open(args[1]):
        line = line.strip()
        if not line.startswith('{'):
            continue
        o = json.loads(line)
        if o.get('type') == 'summary':
            summ = o
    if summ is None:
        print('# no summary in %s' % args[1])
        return 1
    want = {(s['addr'], s['port']): (s['calls'], s['bytes'])
            for s in exp['senders']}
    got = {}
    for p in summ['peers']:
        key = (p['addr'], p['port'])
        if key in want:
            if key in got:
                print('# two rows for %s:%d' % key)
                return 1
            got[key] = p
    bad = 0
    if none:
        for key, p in got.items():
            print('# unexpected row %s' % p)
            bad = 1
        return bad
    for key, (calls, nbytes) in want.items():
        p = got.get(key)
        if p is None:
            print('# no row for %s:%d' % key)
            bad = 1
            continue
        if (p['calls'], p['bytes'], p['proto'], p['source']) != \
                (calls, nbytes, 'udp', source):
            print('# %s:%d: got calls %d bytes %d proto %s source %s, want '
                  '%d %d udp %s' % (key + (p['calls'], p['bytes'], p['proto'],
                                           p['source'], calls, nbytes,
                                           source)))
            bad = 1
    return bad


sys.exit(main())
