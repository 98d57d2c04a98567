#!/usr/bin/env python3
"""Compare what recvtop says about itself with what its man pages say.

  mansync.py options MAN.txt SECTION [SUBSECTION] HELP.txt
      the option tags ("-d, --delay SECONDS") of `recvtop CMD --help`
      against those of the man page's SECTION (and SUBSECTION); prints
      "missing in man: TAG" / "missing in --help: TAG", exit 1 if any
  mansync.py keys live|replay MAN.txt SRC.c...
      every key of the TUI's help screens (the arrays of the sources
      whose name holds "help") against the tags of the man page's "Keys"
      list (LIVE VIEW) or, for a replay's keys (an array or heading named
      for replaying), its "Replay keys" list (REPLAY)
  mansync.py words MAN.txt SECTION WORD...
      every WORD appears as a word in SECTION

MAN.txt is a page rendered as plain text (groff -man -Tascii -P-cbou):
sections start in column 0, subsections in column 3, .TP tags in column 7
with their paragraph in column 14.
"""
import re
import sys

TAG_COL = 7
TEXT_COL = 14


def section(lines, name, sub=None):
    """The lines of a section (and subsection) of a rendered page."""
    out = []
    in_sec, in_sub = False, sub is None
    for l in lines:
        if l and not l[0].isspace():
            # a section heading (or the page's header and footer)
            in_sec, in_sub = l.strip() == name, sub is None
            continue
        if re.match(r'^   \S', l):
            if sub is not None:
                in_sub = l.strip() == sub
            continue
        if in_sec and in_sub:
            out.append(l)
    return out


def tags(lines):
    """The .TP tags of a section: a line of its own in column 7, or the
    start of a line in column 7 whose paragraph follows in column 14."""
    out = []
    for l in lines:
        if len(l) <= TAG_COL or l[TAG_COL].isspace() or \
           l[:TAG_COL].strip():
            continue
        if len(l) > TEXT_COL and l[TEXT_COL - 1] == ' ' and \
           not l[TEXT_COL].isspace() and ' ' not in l[TAG_COL:TEXT_COL - 1].strip():
            out.append(l[TAG_COL:TEXT_COL - 1].strip())
        else:
            out.append(l[TAG_COL:].strip())
    return out


def help_tags(text):
    """The option tags of --help: "  -d, --delay SECONDS   help"."""
    out = []
    for l in text.splitlines():
        m = re.match(r'^  +(-\S.*)$', l)
        if not m:
            continue
        out.append(re.split(r'\s{2,}', m.group(1).strip())[0])
    return out


def cmd_options(man, sec, sub, helpfile):
    lines = open(man).read().splitlines()
    got = [t for t in tags(section(lines, sec, sub)) if t.startswith('-')]
    want = help_tags(open(helpfile).read())
    bad = 0
    for t in want:
        if t not in got:
            print('missing in man: %s' % t)
            bad = 1
    for t in got:
        if t not in want:
            print('missing in --help: %s' % t)
            bad = 1
    if not want:
        print('no options in --help')
        bad = 1
    return bad


C_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def help_screens(src):
    """(name, lines) of every help-text array of a C source (an array of
    strings whose name holds "help")."""
    text = open(src).read()
    out = []
    for m in re.finditer(r'\b(\w*help\w*)\s*\[\]\s*=\s*\{(.*?)\};', text,
                         re.S):
        lines = []
        # adjacent literals on one line join, as in C
        for line in m.group(2).split(',\n'):
            parts = C_STRING.findall(line)
            if parts:
                lines.append(''.join(parts).encode().decode(
                    'unicode_escape'))
        out.append((m.group(1), lines))
    return out


def screen_keys(lines):
    """The keys of a help screen, as (heading, key, line): a key line is
    "  KEYS      what they do", the text starting at column 16 or later
    after two spaces; a heading is a line in column 0; a note in
    parentheses (over one or more lines) holds no keys."""
    out = []
    heading = ''
    in_note = False
    for line in lines:
        if in_note:
            in_note = line.count('(') >= line.count(')') and ')' not in line
            continue
        if line and not line[0].isspace():
            heading = line
            continue
        if not line.startswith('  ') or line[2:3].isspace():
            continue
        if line.strip().startswith('('):
            in_note = line.count('(') > line.count(')')
            continue
        m = None
        for m2 in re.finditer(r' {2,}(?=\S)', line[2:]):
            if m2.end() + 2 >= 16:
                m = m2
                break
        keycol = (line[2:m.start() + 2] if m else line[2:]).strip()
        if not keycol:
            continue
        # views: "1 Processes" -> the digit is the key
        v = re.match(r'^(\d) [A-Z][a-z]+$', keycol)
        keys = [v.group(1)] if v else \
            [k for k in re.split(r'[\s,]+', keycol) if k]
        out += [(heading, k, line.strip()) for k in keys]
    return out


def tag_tokens(t):
    t = t.replace('(', ' ').replace(')', ' ')
    return {k for k in re.split(r'[\s,]+', t) if k} | \
        {k.lower() for k in re.split(r'[\s,]+', t) if k}


def cmd_keys(man, what, srcs):
    """what: "live" (keys under the help screen's other headings, against
    the man page's "Keys") or "replay" (keys under a heading that names
    replaying, against its "Replay keys" under REPLAY)."""
    lines = open(man).read().splitlines()
    known = set()
    if what == 'replay':
        sec, sub = 'REPLAY', 'Replay keys'
    else:
        sec, sub = 'LIVE VIEW', 'Keys'
    for t in tags(section(lines, sec, sub)):
        known |= tag_tokens(t)
    bad = 0
    n = 0
    for src in srcs:
        for name, lines in help_screens(src):
            for heading, k, line in screen_keys(lines):
                # a replay's keys: in an array named for it, or under a
                # heading that names it
                replay = 'replay' in name.lower() or \
                    'replay' in heading.lower()
                if replay != (what == 'replay'):
                    continue
                n += 1
                if k not in known and k.lower() not in known:
                    print('key %r of the help screen (%s) is not in the '
                          'man page (%s, %s)' % (k, line, sec, sub))
                    bad = 1
    if n == 0 and what == 'live':
        print('no keys found in the help screens')
        bad = 1
    if n == 0:
        print('no %s keys in the help screens' % what)
    return bad


def cmd_words(man, sec, words):
    text = '\n'.join(section(open(man).read().splitlines(), sec))
    # undo the renderer's hyphenation at line ends
    text = re.sub(r'(\w)-\n\s*(\w)', r'\1\2', text)
    bad = 0
    for w in words:
        if not re.search(r'(?<![\w])%s(?![\w])' % re.escape(w), text):
            print('%s: not in %s' % (w, sec))
            bad = 1
    return bad


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    what = sys.argv[1]
    if what == 'options':
        a = sys.argv[2:]
        if len(a) == 3:
            return cmd_options(a[0], a[1], None, a[2])
        return cmd_options(a[0], a[1], a[2], a[3])
    if what == 'keys':
        return cmd_keys(sys.argv[3], sys.argv[2], sys.argv[4:])
    if what == 'words':
        return cmd_words(sys.argv[2], sys.argv[3], sys.argv[4:])
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
