#!/usr/bin/env python3
"""List the top-level windows of the X display $DISPLAY, one per line:

  0xID STATE WxH+X+Y "NAME" "CLASS"

STATE is viewable, unviewable or unmapped; NAME the window's WM_NAME (its
title), CLASS the class part of WM_CLASS ("" when it has none).  Only
libX11 is needed (through ctypes), so the tests need no x11-utils
(xwininfo).  Exit status 1 if the display cannot be opened.
"""
import ctypes
import ctypes.util
import sys


class XWindowAttributes(ctypes.Structure):
    _fields_ = [('x', ctypes.c_int), ('y', ctypes.c_int),
                ('width', ctypes.c_int), ('height', ctypes.c_int),
                ('border_width', ctypes.c_int), ('depth', ctypes.c_int),
                ('visual', ctypes.c_void_p), ('root', ctypes.c_ulong),
                ('class_', ctypes.c_int), ('bit_gravity', ctypes.c_int),
                ('win_gravity', ctypes.c_int),
                ('backing_store', ctypes.c_int),
                ('backing_planes', ctypes.c_ulong),
                ('backing_pixel', ctypes.c_ulong),
                ('save_under', ctypes.c_int), ('colormap', ctypes.c_ulong),
                ('map_installed', ctypes.c_int), ('map_state', ctypes.c_int),
                ('all_event_masks', ctypes.c_long),
                ('your_event_mask', ctypes.c_long),
                ('do_not_propagate_mask', ctypes.c_long),
                ('override_redirect', ctypes.c_int),
                ('screen', ctypes.c_void_p)]


class XClassHint(ctypes.Structure):
    _fields_ = [('res_name', ctypes.c_void_p), ('res_class', ctypes.c_void_p)]


STATES = {0: 'unmapped', 1: 'unviewable', 2: 'viewable'}


def main():
    name = ctypes.util.find_library('X11') or 'libX11.so.6'
    x = ctypes.CDLL(name)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                             ctypes.POINTER(ctypes.c_ulong),
                             ctypes.POINTER(ctypes.c_ulong),
                             ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                             ctypes.POINTER(ctypes.c_uint)]
    x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                             ctypes.POINTER(ctypes.c_char_p)]
    x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                       ctypes.POINTER(XWindowAttributes)]
    x.XGetClassHint.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                ctypes.POINTER(XClassHint)]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]

    dpy = x.XOpenDisplay(None)
    if not dpy:
        sys.stderr.write('xwins: cannot open display\n')
        return 1
    root = x.XDefaultRootWindow(dpy)
    r, p = ctypes.c_ulong(), ctypes.c_ulong()
    kids = ctypes.POINTER(ctypes.c_ulong)()
    n = ctypes.c_uint()
    if not x.XQueryTree(dpy, root, ctypes.byref(r), ctypes.byref(p),
                        ctypes.byref(kids), ctypes.byref(n)):
        return 1
    for i in range(n.value):
        w = kids[i]
        a = XWindowAttributes()
        if not x.XGetWindowAttributes(dpy, w, ctypes.byref(a)):
            continue
        title = ctypes.c_char_p()
        t = ''
        if x.XFetchName(dpy, w, ctypes.byref(title)) and title.value:
            t = title.value.decode('utf-8', 'replace')
            x.XFree(title)
        hint = XClassHint()
        c = ''
        if x.XGetClassHint(dpy, w, ctypes.byref(hint)):
            if hint.res_class:
                c = ctypes.string_at(hint.res_class).decode('utf-8',
                                                            'replace')
            if hint.res_name:
                x.XFree(hint.res_name)
            if hint.res_class:
                x.XFree(hint.res_class)
        print('0x%x %s %dx%d+%d+%d "%s" "%s"' %
              (w, STATES.get(a.map_state, '?'), a.width, a.height, a.x, a.y,
               t, c))
    if kids:
        x.XFree(kids)
    x.XCloseDisplay(dpy)
    return 0


if __name__ == '__main__':
    sys.exit(main())
