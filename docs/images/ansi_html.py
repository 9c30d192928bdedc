#!/usr/bin/env python3
"""Turns a terminal capture with ANSI SGR escapes (tmux capture-pane -e -p) into a standalone HTML page.

Usage: ansi_html.py CAPTURE TITLE > page.html

Handles what Spectre.Console and plain programs emit: reset, bold, dim, italic, underline, inverse, the 8/16 colours,
256-colour (38;5;n / 48;5;n) and truecolour (38;2;r;g;b / 48;2;r;g;b). Other escapes (cursor moves, OSC) are dropped.
"""
import html
import re
import sys

BASE = ["#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
        "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"


def colour256(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (level, level, level)


def apply(codes, state):
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.clear()
        elif c == 1:
            state["bold"] = True
        elif c == 2:
            state["dim"] = True
        elif c == 3:
            state["italic"] = True
        elif c == 4:
            state["underline"] = True
        elif c == 7:
            state["inverse"] = True
        elif c == 22:
            state.pop("bold", None)
            state.pop("dim", None)
        elif c == 23:
            state.pop("italic", None)
        elif c == 24:
            state.pop("underline", None)
        elif c == 27:
            state.pop("inverse", None)
        elif 30 <= c <= 37:
            state["fg"] = BASE[c - 30]
        elif 90 <= c <= 97:
            state["fg"] = BASE[c - 90 + 8]
        elif 40 <= c <= 47:
            state["bg"] = BASE[c - 40]
        elif 100 <= c <= 107:
            state["bg"] = BASE[c - 100 + 8]
        elif c == 39:
            state.pop("fg", None)
        elif c == 49:
            state.pop("bg", None)
        elif c in (38, 48) and i + 1 < len(codes):
            key = "fg" if c == 38 else "bg"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state[key] = colour256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                state[key] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                i += 4
        i += 1


def style(state):
    fg, bg = state.get("fg", FG), state.get("bg", BG)
    if state.get("inverse"):
        fg, bg = bg, fg
    parts = [f"color:{fg}"]
    if bg != BG:
        parts.append(f"background:{bg}")
    if state.get("bold"):
        parts.append("font-weight:bold")
    if state.get("dim"):
        parts.append("opacity:0.7")
    if state.get("italic"):
        parts.append("font-style:italic")
    if state.get("underline"):
        parts.append("text-decoration:underline")
    return ";".join(parts)


TOKEN = re.compile(r"\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|([^\x1b]+)")


def convert(text):
    out, state = [], {}
    for m in TOKEN.finditer(text):
        if m.group(2) is not None:
            out.append(f'<span style="{style(state)}">{html.escape(m.group(2))}</span>')
        elif m.group(1) is not None:
            apply([int(x) if x else 0 for x in m.group(1).split(";")] or [0], state)
    return "".join(out)


def main():
    capture, title = sys.argv[1], sys.argv[2]
    text = open(capture, encoding="utf-8", errors="replace").read().rstrip("\n") + "\n"
    print(f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{margin:0;background:{BG}}}pre{{margin:0;padding:14px 16px;font:14px/1.35 "DejaVu Sans Mono",monospace;color:{FG}}}</style>
</head><body><pre>{convert(text)}</pre></body></html>""")


if __name__ == "__main__":
    main()
