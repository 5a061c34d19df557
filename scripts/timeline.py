#!/usr/bin/env python3
"""Draw the ability lifecycle timeline of an OS transcript as an SVG picture.

usage: timeline.py UART_LOG [-o OUT.svg] [--lcreplay PATH]

appmgrd prints one line per state change of an ability:

    appmgrd: change t=<ms> app=<name> from=<state> to=<state> reason=<reason>[ delay_ms=<n>][ timeout=1]

with states and reasons spelled as lcreplay prints them; delay_ms comes exactly with a change
into backoff. updated prints one line per update event of an ability (proto/ota.h):

    updated: event t=<ms> app=<name> event=<staged|switched|committed|rolled_back> version=<n> slot=<a|b>[ why=<why>]

with version 1..4294967295, and why (crash_loop, no_ready, wrong_version, reboot, request or
appmgrd) exactly with rolled_back. timeline.py turns both kinds into lcreplay's JSON lines, in
the transcript's order, and draws them with `lcreplay --from-changes --svg OUT`, the renderer
of `lcreplay --svg`: the same changes give the same picture, byte for byte, and each update
event becomes a mark on its ability's lane ("v2 staged", "v3 rolled back"). Each kind must be
in time order by itself: the two services read the clock independently, so an event may be
printed after a change of a later time. Other lines are ignored. A malformed change or event
line is reported with its line number and skipped.

OUT defaults to timeline.svg next to the log; lcreplay to the one in build-host/.
Exit status: 0 drawn; 1 drawn, but some change or event lines were malformed and left out;
2 nothing drawn (bad arguments, unreadable log, lcreplay missing or failing).
"""

import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LCREPLAY = os.path.join(ROOT, "build-host", "src", "tools", "lcreplay", "lcreplay")

MARK = "appmgrd: change "
LINE = re.compile(r"appmgrd: change t=(?P<t>[0-9]+) app=(?P<app>\S+) from=(?P<from>\S+) to=(?P<to>\S+)"
                  r" reason=(?P<reason>\S+)(?: delay_ms=(?P<delay>[0-9]+))?(?P<timeout> timeout=1)?")
FORM = "appmgrd: change t=<ms> app=<name> from=<state> to=<state> reason=<reason>[ delay_ms=<n>][ timeout=1]"
EVENT_MARK = "updated: event "
EVENT_LINE = re.compile(r"updated: event t=(?P<t>[0-9]+) app=(?P<app>\S+) event=(?P<event>\S+)"
                        r" version=(?P<version>[0-9]+) slot=(?P<slot>\S+)(?: why=(?P<why>\S+))?")
EVENT_FORM = ("updated: event t=<ms> app=<name> event=<staged|switched|committed|rolled_back> version=<n>"
              " slot=<a|b>[ why=<why>]")
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
STATES = ("stopped", "starting", "runningFg", "runningBg", "stopping", "crashed", "backoff", "blocked")
REASONS = ("none", "crash", "policy", "oom", "signal", "request")
EVENTS = ("staged", "switched", "committed", "rolled_back")
SLOTS = ("a", "b")
WHYS = ("crash_loop", "no_ready", "wrong_version", "reboot", "request", "appmgrd")
T_MAX = 1 << 58  # LC_T_MAX
MS_MAX = 86400000  # LC_MS_MAX: no delay is longer
APPS_MAX = 32  # LC_MAX_ABILITIES of the OS image (appmgrd), whatever lcreplay was built with
VERSION_MAX = (1 << 32) - 1  # a bundle's version is a u32


class Malformed(Exception):
    pass


def fail(msg):
    print(f"timeline.py: {msg}", file=sys.stderr)
    sys.exit(2)


def common(m, last_t, apps):
    """Check what change and event lines share: the time and the app."""
    t = int(m["t"])
    if t > T_MAX:
        raise Malformed(f"t={t} is beyond {T_MAX} ms")
    if t < last_t:
        raise Malformed(f"time goes backwards ({t} after {last_t})")
    if not NAME.fullmatch(m["app"]):
        raise Malformed(f"bad app name {m['app']!r} (want ^[a-z][a-z0-9_-]{{0,31}}$)")
    if m["app"] not in apps and len(apps) == APPS_MAX:
        raise Malformed(f"more than {APPS_MAX} apps ({m['app']!r} is one too many)")
    return t


def change(text, last_t, apps):
    """The JSON object lcreplay prints for change line `text`; Malformed says what is wrong."""
    m = LINE.fullmatch(text)
    if not m:
        raise Malformed(f"not in the form {FORM!r}" if text.startswith(MARK)
                        else "'appmgrd: change' does not start the line (output of two harts mixed?)")
    t = common(m, last_t, apps)
    for key in ("from", "to"):
        if m[key] not in STATES:
            raise Malformed(f"unknown state {key}={m[key]}")
    if m["reason"] not in REASONS:
        raise Malformed(f"unknown reason reason={m['reason']}")
    obj = {"t": t, "app": m["app"], "from": m["from"], "to": m["to"], "reason": m["reason"]}
    if (m["to"] == "backoff") != (m["delay"] is not None):
        raise Malformed("a change into backoff needs delay_ms" if m["to"] == "backoff"
                        else "delay_ms belongs to changes into backoff only")
    if m["delay"] is not None:
        if int(m["delay"]) > MS_MAX:
            raise Malformed(f"delay_ms={m['delay']} is beyond {MS_MAX} ms")
        obj["delay_ms"] = int(m["delay"])
    if m["timeout"]:
        obj["timeout"] = True
    return obj


def event(text, last_t, apps):
    """The JSON object lcreplay --from-changes reads for event line `text`; Malformed says what is wrong."""
    m = EVENT_LINE.fullmatch(text)
    if not m:
        raise Malformed(f"not in the form {EVENT_FORM!r}" if text.startswith(EVENT_MARK)
                        else "'updated: event' does not start the line (output of two harts mixed?)")
    t = common(m, last_t, apps)
    if m["event"] not in EVENTS:
        raise Malformed(f"unknown event event={m['event']}")
    version = int(m["version"])
    if not 1 <= version <= VERSION_MAX:
        raise Malformed(f"version={m['version']} is not 1..{VERSION_MAX}")
    if m["slot"] not in SLOTS:
        raise Malformed(f"unknown slot slot={m['slot']}")
    if (m["event"] == "rolled_back") != (m["why"] is not None):
        raise Malformed("a rolled_back event needs why" if m["event"] == "rolled_back"
                        else "why belongs to rolled_back events only")
    obj = {"t": t, "app": m["app"], "update": m["event"], "version": version, "slot": m["slot"]}
    if m["why"] is not None:
        if m["why"] not in WHYS:
            raise Malformed(f"unknown why why={m['why']}")
        obj["why"] = m["why"]
    return obj


def read_changes(log):
    """The log's changes and update events as JSON lines, in the log's order; how many of
    each were read, and how many lines were malformed."""
    lines, bad, apps = [], 0, set()
    kinds = {MARK: [change, 0, 0], EVENT_MARK: [event, 0, 0]}  # parser, last time, count
    with open(log, encoding="utf-8", errors="replace", newline="") as f:
        for n, raw in enumerate(f, 1):
            text = raw.rstrip("\r\n")
            kind = next((kinds[k] for k in kinds if k in text), None)
            if kind is None:
                continue
            try:
                obj = kind[0](text, kind[1], apps)
            except Malformed as e:
                print(f"timeline.py: {log}: line {n}: {e}", file=sys.stderr)
                bad += 1
                continue
            kind[1] = obj["t"]
            kind[2] += 1
            apps.add(obj["app"])
            lines.append(json.dumps(obj, separators=(",", ":")))
    return lines, kinds[MARK][2], kinds[EVENT_MARK][2], bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log", metavar="UART_LOG", help="the OS transcript")
    ap.add_argument("-o", "--output", metavar="OUT.svg", help="default: timeline.svg next to the log")
    ap.add_argument("--lcreplay", default=LCREPLAY, metavar="PATH", help=f"default: {LCREPLAY}")
    args = ap.parse_args()
    out = args.output or os.path.join(os.path.dirname(args.log), "timeline.svg")

    if not os.access(args.lcreplay, os.X_OK):
        fail(f"no lcreplay at {args.lcreplay}: run `just build-host` or pass --lcreplay")
    try:
        lines, changes, events, bad = read_changes(args.log)
    except OSError as e:
        fail(f"cannot read {args.log}: {e.strerror}")
    if not lines:
        print(f"timeline.py: {args.log}: no 'appmgrd: change' lines: the picture is empty", file=sys.stderr)
    run = subprocess.run([args.lcreplay, "--from-changes", "--svg", out], input="".join(l + "\n" for l in lines),
                         text=True, check=False)
    if run.returncode != 0:
        sys.exit(2)
    print(f"wrote {out} ({changes} changes" + (f", {events} update events)" if events else ")"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
