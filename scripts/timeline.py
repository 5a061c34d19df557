#!/usr/bin/env python3
"""Draw the ability lifecycle timeline of an OS transcript as an SVG picture.

usage: timeline.py UART_LOG [-o OUT.svg] [--lcreplay PATH]

appmgrd prints one line per state change of an ability:

    appmgrd: change t=<ms> app=<name> from=<state> to=<state> reason=<reason>[ delay_ms=<n>][ timeout=1]

with states and reasons spelled as lcreplay prints them; delay_ms comes exactly with a change
into backoff. timeline.py turns these lines into lcreplay's JSON lines and draws them with
`lcreplay --from-changes --svg OUT`, the renderer of `lcreplay --svg`: the same changes give
the same picture, byte for byte. Other lines are ignored. A malformed change line is reported
with its line number and skipped.

OUT defaults to timeline.svg next to the log; lcreplay to the one in build-host/.
Exit status: 0 drawn; 1 drawn, but some change lines were malformed and left out;
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
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
STATES = ("stopped", "starting", "runningFg", "runningBg", "stopping", "crashed", "backoff", "blocked")
REASONS = ("none", "crash", "policy", "oom", "signal", "request")
T_MAX = 1 << 58  # LC_T_MAX
MS_MAX = 86400000  # LC_MS_MAX: no delay is longer
APPS_MAX = 32  # LC_MAX_ABILITIES


class Malformed(Exception):
    pass


def fail(msg):
    print(f"timeline.py: {msg}", file=sys.stderr)
    sys.exit(2)


def change(text, last_t, apps):
    """The JSON object lcreplay prints for change line `text`; Malformed says what is wrong."""
    m = LINE.fullmatch(text)
    if not m:
        raise Malformed(f"not in the form {FORM!r}" if text.startswith(MARK)
                        else "'appmgrd: change' does not start the line (output of two harts mixed?)")
    t = int(m["t"])
    if t > T_MAX:
        raise Malformed(f"t={t} is beyond {T_MAX} ms")
    if t < last_t:
        raise Malformed(f"time goes backwards ({t} after {last_t})")
    if not NAME.fullmatch(m["app"]):
        raise Malformed(f"bad app name {m['app']!r} (want ^[a-z][a-z0-9_-]{{0,31}}$)")
    if m["app"] not in apps and len(apps) == APPS_MAX:
        raise Malformed(f"more than {APPS_MAX} apps ({m['app']!r} is one too many)")
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


def read_changes(log):
    """The log's changes as JSON lines, and how many change lines were malformed."""
    lines, bad, last_t, apps = [], 0, 0, set()
    with open(log, encoding="utf-8", errors="replace", newline="") as f:
        for n, raw in enumerate(f, 1):
            text = raw.rstrip("\r\n")
            if MARK not in text:
                continue
            try:
                obj = change(text, last_t, apps)
            except Malformed as e:
                print(f"timeline.py: {log}: line {n}: {e}", file=sys.stderr)
                bad += 1
                continue
            last_t = obj["t"]
            apps.add(obj["app"])
            lines.append(json.dumps(obj, separators=(",", ":")))
    return lines, bad


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
        lines, bad = read_changes(args.log)
    except OSError as e:
        fail(f"cannot read {args.log}: {e.strerror}")
    if not lines:
        print(f"timeline.py: {args.log}: no 'appmgrd: change' lines: the picture is empty", file=sys.stderr)
    run = subprocess.run([args.lcreplay, "--from-changes", "--svg", out], input="".join(l + "\n" for l in lines),
                         text=True, check=False)
    if run.returncode != 0:
        sys.exit(2)
    print(f"wrote {out} ({len(lines)} changes)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
