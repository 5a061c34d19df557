#!/usr/bin/env python3
"""Replay one trace with lcreplay and check what it printed.

usage: run_trace.py LCREPLAY TRACE

Comment lines at the top of TRACE steer the check:
  # args: ...            extra lcreplay arguments (lcreplay runs in the trace's folder)
  # expect-error: ...    lcreplay must exit 2 with exactly this line on stderr
Otherwise lcreplay must exit 0 and print, object for object and key for key in the same order,
the JSON lines of TRACE's sibling file with the suffix .expected. Spacing does not matter.
"""

import json
import os
import shlex
import subprocess
import sys


def directives(trace):
    found = {}
    with open(trace, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].strip().partition(":")
            if sep and key in ("args", "expect-error"):
                found[key] = value.strip()
    return found


def objects(text, what):
    """Each line as a list of (key, value) pairs, so that key order counts."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            out.append(json.loads(line, object_pairs_hook=list))
        except json.JSONDecodeError as e:
            sys.exit(f"{what} line {n} is not JSON ({e}): {line!r}")
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lcreplay, trace = sys.argv[1], sys.argv[2]
    d = directives(trace)
    run = subprocess.run([os.path.abspath(lcreplay), *shlex.split(d.get("args", "")), os.path.basename(trace)],
                         cwd=os.path.dirname(os.path.abspath(trace)), capture_output=True, text=True, check=False)

    if "expect-error" in d:
        want = d["expect-error"]
        if run.returncode != 2 or run.stderr.strip() != want:
            sys.exit(f"expected exit 2 and stderr {want!r}\n"
                     f"got exit {run.returncode} and stderr {run.stderr.strip()!r}")
        return

    if run.returncode != 0:
        sys.exit(f"expected exit 0, got {run.returncode}; stderr: {run.stderr.strip()!r}")
    expected_file = os.path.splitext(trace)[0] + ".expected"
    with open(expected_file, encoding="utf-8") as f:
        want = objects(f.read(), os.path.basename(expected_file))
    got = objects(run.stdout, "output")
    for n, (w, g) in enumerate(zip(want, got), 1):
        if w != g:
            sys.exit(f"line {n}: expected {json.dumps(dict(w))}\n"
                     f"        got      {json.dumps(dict(g))}"
                     + ("" if dict(w) != dict(g) else "\n(same keys and values, different key order)"))
    if len(want) != len(got):
        extra = (f"first missing: {json.dumps(dict(want[len(got)]))}" if len(want) > len(got)
                 else f"first extra: {json.dumps(dict(got[len(want)]))}")
        sys.exit(f"expected {len(want)} lines, got {len(got)}; {extra}")


if __name__ == "__main__":
    main()
