#!/usr/bin/env python3
"""Check a UART transcript against an ordered marker ladder.

Usage: check-markers.py LADDER UART_LOG [--forbidden FILE]... [--key-leak DISK_IMAGE]

Ladder file: one marker per line, in the order the transcript must show them.
  - `# ...` and blank lines are ignored.
  - `[name]` starts a phase; failures name the phase of the first missing marker.
  - `re:PATTERN` is a Python regular expression searched in each line.
  - anything else is a fixed string: it matches a line equal to it, or a line that starts
    with it followed by a space (so `backoff ms=500` does not match `backoff ms=5000`).
  - a line `{`, chains of markers separated by lines `|`, a line `}`: a group, for lines that
    tasks running side by side print interleaved in any way. Each chain is ordered as a
    ladder is, starting after the marker before the group; chains do not share lines (a
    marker takes the first line that no earlier chain took). The marker after the group must
    match a line after all of them. Groups do not nest; no chain is empty.
Each marker must match a line after the line that matched the marker before it.

Forbidden files (same syntax, no phases needed; --forbidden may be given more than once): no
transcript line may match any entry of any of them.

--key-leak: once the ladder has passed, run scripts/check-key-leak.py on the transcript and
DISK_IMAGE in this process (a lane then starts one Python interpreter, not two).

Exit status: 0 all markers seen and nothing forbidden (and no key leak), 1 marker failure,
2 usage or infrastructure error, 3 key leak (check-key-leak.py's failure).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

TAIL_LINES = 40


class Marker:
    """One marker. A plain class, not a dataclass: `dataclasses` (with `inspect`) and
    `argparse` were most of this checker's start-up time, which every lane pays."""

    __slots__ = ("text", "phase", "lineno", "regex", "group", "chain")

    def __init__(self, text: str, phase: str, lineno: int, regex: re.Pattern[str] | None,
                 group: int | None = None, chain: int = 0) -> None:
        self.text = text  # as written in the file
        self.phase = phase
        self.lineno = lineno
        self.regex = regex
        self.group = group  # markers of one { } group share a number
        self.chain = chain  # and markers of one chain in it a number

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Marker) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __hash__(self) -> int:
        return hash((self.text, self.phase, self.lineno))

    def matches(self, line: str) -> bool:
        if self.regex is not None:
            return self.regex.search(line) is not None
        return line == self.text or line.startswith(self.text + " ")


class LadderError(Exception):
    pass


def parse_ladder(text: str, source: str = "<ladder>") -> list[Marker]:
    markers: list[Marker] = []
    phase = "main"
    groups = 0
    group: int | None = None  # the open group's number
    chain = 0  # the open chain's number in it
    opened = 0  # where the group opened

    def chain_done(lineno: int) -> None:
        if not markers or markers[-1].group != group or markers[-1].chain != chain:
            raise LadderError(f"{source}:{lineno}: empty chain in the group of line {opened}")

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line or line.lstrip().startswith("#"):
            continue
        if line == "{":
            if group is not None:
                raise LadderError(f"{source}:{lineno}: a group inside the group of line {opened}")
            group, chain, opened, groups = groups, 0, lineno, groups + 1
            continue
        if line in ("|", "}"):
            if group is None:
                raise LadderError(f"{source}:{lineno}: '{line}' outside a group")
            chain_done(lineno)
            if line == "|":
                chain += 1
            else:
                group = None
            continue
        if line.startswith("[") and line.endswith("]"):
            if group is not None:
                raise LadderError(f"{source}:{lineno}: a phase inside the group of line {opened}")
            phase = line[1:-1].strip() or "main"
            continue
        regex = None
        if line.startswith("re:"):
            try:
                regex = re.compile(line[3:])
            except re.error as exc:
                raise LadderError(f"{source}:{lineno}: bad regex: {exc}") from exc
        markers.append(Marker(line, phase, lineno, regex, group, chain if group is not None else 0))
    if group is not None:
        raise LadderError(f"{source}:{opened}: group not closed")
    return markers


def clean(line: str) -> str:
    return line.rstrip("\r\n").rstrip()


class Result:
    __slots__ = ("ok", "matched", "missing", "forbidden", "forbidden_marker")

    def __init__(self, ok: bool, matched: int, missing: Marker | None = None, forbidden: str | None = None,
                 forbidden_marker: Marker | None = None) -> None:
        self.ok = ok
        self.matched = matched
        self.missing = missing
        self.forbidden = forbidden
        self.forbidden_marker = forbidden_marker

    def report(self, lines: Sequence[str]) -> str:
        if self.ok:
            return f"check-markers: ok ({self.matched} markers, {len(lines)} lines)"
        out = ["check-markers: FAIL"]
        if self.forbidden is not None and self.forbidden_marker is not None:
            out.append(f"first_failed_phase: {self.forbidden_marker.phase}")
            out.append(f"forbidden_marker: {self.forbidden_marker.text}")
            out.append(f"forbidden_line: {self.forbidden}")
        if self.missing is not None:
            out.append(f"first_failed_phase: {self.missing.phase}")
            out.append(f"missing_marker: {self.missing.text}")
            out.append(f"markers_matched: {self.matched}")
        out.append(f"--- last {TAIL_LINES} UART lines ---")
        out.extend(lines[-TAIL_LINES:])
        out.append("--- end ---")
        return "\n".join(out)


def check(lines: Sequence[str], ladder: Sequence[Marker], forbidden: Sequence[Marker]) -> Result:
    for line in lines:
        for bad in forbidden:
            if bad.matches(line):
                result = Result(ok=False, matched=0, forbidden=line, forbidden_marker=bad)
                result.matched = count_in_order(lines, ladder)
                return result
    matched = count_in_order(lines, ladder)
    if matched < len(ladder):
        return Result(ok=False, matched=matched, missing=ladder[matched])
    return Result(ok=True, matched=matched)


def first_match(lines: Sequence[str], marker: Marker, start: int, taken: set[int]) -> int | None:
    """Index of the first line from `start` on that `marker` matches and is not `taken`."""
    for at in range(start, len(lines)):
        if at not in taken and marker.matches(lines[at]):
            return at
    return None


def count_in_order(lines: Sequence[str], ladder: Sequence[Marker]) -> int:
    """How many markers the transcript shows in order: the index of the first missing one."""
    pos = 0  # the next step matches from this line on
    i = 0
    while i < len(ladder):
        end = i + 1
        while ladder[i].group is not None and end < len(ladder) and ladder[end].group == ladder[i].group:
            end += 1
        taken: set[int] = set()
        at = pos - 1
        for k in range(i, end):
            start = at + 1 if k > i and ladder[k].chain == ladder[k - 1].chain else pos
            found = first_match(lines, ladder[k], start, taken)
            if found is None:
                return k
            at = found
            taken.add(at)
        pos = max(taken) + 1
        i = end
    return i


def read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as exc:
        raise LadderError(f"cannot read {what} {path}: {exc.strerror}") from exc


def key_leak(uart_log: str, disk: str) -> int:
    """check-key-leak.py's verdict on the transcript and disk: 0, 1 (a leak) or 2."""
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-key-leak.py")
    spec = importlib.util.spec_from_file_location("check_key_leak", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main([uart_log, disk])


def main(argv: Sequence[str]) -> int:
    rest = list(argv)
    forbidden_files = []
    positional = []
    disk = None
    while rest:
        arg = rest.pop(0)
        if arg == "--forbidden" and rest:
            forbidden_files.append(rest.pop(0))
        elif arg.startswith("--forbidden="):
            forbidden_files.append(arg[len("--forbidden="):])
        elif arg == "--key-leak" and rest:
            disk = rest.pop(0)
        else:
            positional.append(arg)
    if len(positional) != 2 or any(a.startswith("-") for a in positional):
        print("usage: check-markers.py LADDER UART_LOG [--forbidden FILE]... [--key-leak DISK_IMAGE]",
              file=sys.stderr)
        return 2
    ladder_file, uart_log = positional
    try:
        ladder = parse_ladder(read_text(ladder_file, "ladder"), ladder_file)
        forbidden = []
        for path in forbidden_files:
            forbidden += parse_ladder(read_text(path, "forbidden list"), path)
        lines = [clean(l) for l in read_text(uart_log, "transcript").splitlines()]
    except LadderError as exc:
        print(f"check-markers: error: {exc}", file=sys.stderr)
        return 2
    if not ladder:
        print(f"check-markers: error: {ladder_file} has no markers", file=sys.stderr)
        return 2
    result = check(lines, ladder, forbidden)
    print(result.report(lines), flush=True)
    if not result.ok:
        return 1
    if disk is None:
        return 0
    leak = key_leak(uart_log, disk)
    return 3 if leak == 1 else leak


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
