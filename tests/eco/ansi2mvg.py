#!/usr/bin/env python3
"""Turn a terminal capture with SGR escapes (tmux capture-pane -e -p) into
an ImageMagick MVG drawing of the screen, one monospaced cell per
character:

  ansi2mvg.py CAPTURE COLS ROWS > screen.mvg
  convert mvg:screen.mvg screen.png

Handles what tmux emits: reset, bold, dim, reverse, the 8/16 colours,
256-colour and RGB colours, default foreground and background.  Prints the
picture's size as "WIDTHxHEIGHT" on stderr.
"""
import re
import sys

FONT = 'DejaVu-Sans-Mono'
FONT_BOLD = 'DejaVu-Sans-Mono-Bold'
SIZE = 16          # font size in pixels
CW, CH = 10, 20    # cell width (the font's advance at SIZE) and height
BASE = 15          # baseline within a cell
PAD = 10           # border around the screen

FG, BG = '#d8d8d8', '#1c1c1c'
# the 16 terminal colours (a muted xterm-like palette)
PALETTE = ['#1c1c1c', '#d75f5f', '#87af5f', '#d7af5f', '#5f87d7', '#af87d7',
           '#5fafaf', '#d8d8d8',
           '#6c6c6c', '#ff8787', '#afd787', '#ffd787', '#87afff', '#d7afff',
           '#87d7d7', '#ffffff']


def color256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        lv = [0, 95, 135, 175, 215, 255]
        return '#%02x%02x%02x' % (lv[n // 36], lv[n // 6 % 6], lv[n % 6])
    g = 8 + (n - 232) * 10
    return '#%02x%02x%02x' % (g, g, g)


class Attr:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.rev = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.dim, self.rev)

    def sgr(self, params):
        p = [int(x) if x else 0 for x in params.split(';')] if params else [0]
        i = 0
        while i < len(p):
            c = p[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 7:
                self.rev = True
            elif c == 27:
                self.rev = False
            elif 30 <= c <= 37:
                self.fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE[c - 90 + 8]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = PALETTE[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE[c - 100 + 8]
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(p):
                if p[i + 1] == 5 and i + 2 < len(p):
                    col = color256(p[i + 2])
                    i += 2
                elif p[i + 1] == 2 and i + 4 < len(p):
                    col = '#%02x%02x%02x' % tuple(p[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                if c == 38:
                    self.fg = col
                else:
                    self.bg = col
                i += 1
            i += 1

    def colors(self):
        fg = self.fg or FG
        bg = self.bg or BG
        if self.rev:
            fg, bg = bg, fg
        if self.dim:
            fg = '#808080'
        return fg, bg


ESC = re.compile(r'\x1b\[([0-9;]*)([A-Za-z])|\x1b[()][0-9A-B]|\x1b.')


def cells(line, attr):
    """[(char, attr key, fg, bg)] of one captured line."""
    out = []
    pos = 0
    for m in ESC.finditer(line):
        for ch in line[pos:m.start()]:
            out.append((ch, attr.key(), *attr.colors(), attr.bold))
        if m.group(2) == 'm':
            attr.sgr(m.group(1))
        pos = m.end()
    for ch in line[pos:]:
        out.append((ch, attr.key(), *attr.colors(), attr.bold))
    return out


def quote(s):
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def main():
    path, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    w, h = cols * CW + 2 * PAD, rows * CH + 2 * PAD
    out = ['viewbox 0 0 %d %d' % (w, h),
           "fill '%s' rectangle 0,0 %d,%d" % (BG, w, h),
           'font-size %d' % SIZE]
    attr = Attr()
    for y, line in enumerate(lines[:rows]):
        cs = cells(line, attr)[:cols]
        # a line's background continues to the right edge in the attr's
        # colour only when tmux says so; pad with the default
        x = 0
        while x < len(cs):
            e = x
            while e < len(cs) and cs[e][1:] == cs[x][1:]:
                e += 1
            ch, _, fg, bg, bold = cs[x]
            text = ''.join(c[0] for c in cs[x:e])
            px, py = PAD + x * CW, PAD + y * CH
            if bg != BG:
                out.append("fill '%s' rectangle %d,%d %d,%d" %
                           (bg, px, py, px + (e - x) * CW - 1, py + CH - 1))
            if text.strip():
                out.append("font '%s' fill '%s' text %d,%d %s" %
                           (FONT_BOLD if bold else FONT, fg, px, py + BASE,
                            quote(text)))
            x = e
    print('\n'.join(out))
    sys.stderr.write('%dx%d\n' % (w, h))
    return 0


if __name__ == '__main__':
    sys.exit(main())
