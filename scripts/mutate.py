#!/usr/bin/env python3
"""One-operator mutation checks: does a host test fail when one operator of a C file changes?

Usage:
  mutate.py FILE --test NAME [--test NAME ...] [--function F ...] [--build DIR] [--san DIR] [--timeout S]
  mutate.py --plan [PLAN] [--only FILE ...] [--build DIR] [--san DIR] [--timeout S]
  mutate.py ... --list              (print the mutants, build and run nothing)

Each mutant is one change to FILE (comments, strings and preprocessor lines are left alone):
  - a relational or equality operator:  <  <->  <=,  >  <->  >=,  ==  <->  !=
  - a logical operator:                  &&  <->  ||
  - a constant operand of a comparison (an integer literal, or an UPPER_CASE name, the token
    just before or just after the operator, past one unary minus): N -> N+1 and N -> N-1,
    a name X -> (X + 1) and (X - 1).
With --function, only the named functions' bodies are mutated. For each mutant in turn the
script writes the file, lets `meson test -C DIR NAME...` rebuild what those tests need and run
them, and notes the outcome: killed (a test failed), timeout (killed too), survived (every test
passed) or not built (the compiler refused it: -Werror). A mutant that every test passes in
DIR (build-host) is run once more in the sanitizer build (--san, default build-host-san:
ASan and UBSan, halting on the first report), where a read one past a table or an array fails
the test that makes it; it is then "killed under ASan/UBSan". The file is always put back, also
on Ctrl-C or SIGTERM. A baseline run before the first mutant must pass in each build used.

A plan (tests/mutation/plan.txt) has one line per file: `FILE FUNCTIONS TESTS...` where
FUNCTIONS is `*` (the whole file) or a comma-separated list. Known equivalent mutants (a change
no test can see because the program means the same) are listed with the reason in
tests/mutation/equivalent.txt as `FILE | FUNCTION | LINE TEXT | N | ORIG -> NEW | why`, LINE TEXT being the
stripped source line and N which occurrence of ORIG on it (1 = first); they are reported as
"equivalent", not as survivors.

Exit status: 0 if no mutant survived but the listed equivalent ones, 1 if one did, 2 on a usage
error, a failed baseline or a file that cannot be read.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PLAN = os.path.join(ROOT, "tests", "mutation", "plan.txt")
DEFAULT_EQUIV = os.path.join(ROOT, "tests", "mutation", "equivalent.txt")

SWAP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "&&": "||", "||": "&&"}
COMPARISON = {"<", "<=", ">", ">=", "==", "!="}
# Longest first: a C punctuator is the longest one that matches.
PUNCT = sorted(["<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
                "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##"], key=len, reverse=True)
TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>(?:0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>""" + "|".join(re.escape(p) for p in PUNCT) + r"""|[^\sA-Za-z0-9_])
  | (?P<space>\s+)
""", re.S | re.X)
CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class Token:
    def __init__(self, kind, text, start):
        self.kind, self.text, self.start = kind, text, start


def tokens(src):
    """The code tokens of `src` (no comments, strings, spaces or preprocessor lines)."""
    out, pos, line_start = [], 0, True
    while pos < len(src):
        if line_start:
            m = re.match(r"[ \t]*#", src[pos:])
            if m:  # a preprocessor line, with its continuations
                end = pos
                while True:
                    nl = src.find("\n", end)
                    if nl < 0:
                        end = len(src)
                        break
                    end = nl + 1
                    if not src[:nl].endswith("\\"):
                        break
                pos = end
                continue
        m = TOKEN.match(src, pos)
        if not m:
            raise ValueError(f"cannot read the character at offset {pos}")
        kind = m.lastgroup
        if kind in ("number", "ident", "punct"):
            out.append(Token(kind, m.group(), pos))
        elif kind == "string":
            out.append(Token("string", m.group(), pos))
        text = m.group()
        if "\n" in text:
            line_start = True
        elif kind != "space" or text.strip(" \t"):
            line_start = False
        pos = m.end()
    return out


def function_ranges(src, toks, names):
    """Offsets [start, end) of the bodies of the functions called `names` (definitions only)."""
    ranges = []
    for name in names:
        found = False
        for i, t in enumerate(toks):
            if t.kind != "ident" or t.text != name or i + 1 >= len(toks) or toks[i + 1].text != "(":
                continue
            # Its definition: the parameter list's `)` is followed by `{`.
            depth, j = 0, i + 1
            while j < len(toks):
                depth += {"(": 1, ")": -1}.get(toks[j].text, 0)
                if depth == 0:
                    break
                j += 1
            if j + 1 >= len(toks) or toks[j + 1].text != "{":
                continue
            depth, k = 0, j + 1
            while k < len(toks):
                depth += {"{": 1, "}": -1}.get(toks[k].text, 0)
                if depth == 0:
                    break
                k += 1
            ranges.append((toks[j + 1].start, toks[k].start + 1))
            found = True
            break
        if not found:
            raise ValueError(f"no definition of {name}()")
    return ranges


def constant_mutants(tok):
    if tok.kind == "number":
        m = re.match(r"(0[xX][0-9a-fA-F]+|[0-9]+)([uUlL]*)$", tok.text)
        value, suffix = int(m.group(1), 0), m.group(2)
        out = [str(value + 1) + suffix]
        if value > 0:
            out.append(str(value - 1) + suffix)
        else:
            out.append("(-1)")
        return out
    return [f"({tok.text} + 1)", f"({tok.text} - 1)"]


def is_constant(toks, i):
    t = toks[i]
    if t.kind == "number":
        return True
    if t.kind != "ident" or not CONSTANT_NAME.match(t.text):
        return False
    # Not a function-like macro, a member, or an array being indexed.
    if i + 1 < len(toks) and toks[i + 1].text in ("(", "["):
        return False
    return not (i > 0 and toks[i - 1].text in (".", "->"))


def mutants(src, ranges=None):
    """Every mutant of `src` as (start, end, original, replacement)."""
    toks = tokens(src)
    inside = (lambda pos: True) if not ranges else (lambda pos: any(a <= pos < b for a, b in ranges))
    out, seen = [], set()

    def add(tok, new):
        key = (tok.start, new)
        if inside(tok.start) and key not in seen:
            seen.add(key)
            out.append((tok.start, tok.start + len(tok.text), tok.text, new))

    for i, t in enumerate(toks):
        if t.kind != "punct" or t.text not in SWAP:
            continue
        add(t, SWAP[t.text])
        if t.text not in COMPARISON:
            continue
        j = i + 1
        if j < len(toks) and toks[j].text == "-":
            j += 1
        if j < len(toks) and is_constant(toks, j):
            for new in constant_mutants(toks[j]):
                add(toks[j], new)
        if i > 0 and is_constant(toks, i - 1):
            for new in constant_mutants(toks[i - 1]):
                add(toks[i - 1], new)
    out.sort()
    return out


def line_of(src, pos):
    start = src.rfind("\n", 0, pos) + 1
    end = src.find("\n", pos)
    return src.count("\n", 0, pos) + 1, start, src[start:end if end >= 0 else len(src)]


def function_at(toks, pos):
    """The name of the function whose definition's body holds offset `pos`, or "-" outside any."""
    depth, i = 0, 0
    while i < len(toks):
        t = toks[i]
        if t.text == "{":
            depth += 1
        elif t.text == "}":
            depth -= 1
        elif depth == 0 and t.kind == "ident" and i + 1 < len(toks) and toks[i + 1].text == "(":
            try:
                (start, end), = function_ranges(None, toks[i:], [t.text])
            except ValueError:
                start = end = -1
            if toks[i + 1].start < start and start <= pos < end:
                return t.text
        i += 1
    return "-"


def describe(path, src, toks, m):
    """The mutant's line number and its key in equivalent.txt."""
    start, _, orig, new = m
    number, line_start, text = line_of(src, start)
    line_end = line_start + len(text)
    occurrence = sum(1 for t in toks if line_start <= t.start <= start and t.start < line_end and t.text == orig)
    return number, (path, function_at(toks, start), text.strip(), occurrence, f"{orig} -> {new}")


def key_text(key):
    return " | ".join(str(k) for k in key)


def load_equivalents(path):
    equiv = {}
    if not os.path.exists(path):
        return equiv
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ")]
            if len(parts) != 6 or not parts[3].isdigit():
                raise ValueError(f"{path}:{number}: expected `FILE | FUNCTION | LINE TEXT | N | ORIG -> NEW | why`")
            equiv[(parts[0], parts[1], parts[2], int(parts[3]), parts[4])] = parts[5]
    return equiv


def run_tests(build, names, timeout):
    """'pass', 'fail', 'timeout' or 'build' (the tests' targets did not build), and the output."""
    cmd = ["meson", "test", "-C", build, "-q", "--print-errorlogs"] + names
    # Its own process group, so that a timeout or a signal ends ninja and the tests with it.
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return "timeout", ""
    except BaseException:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise
    if p.returncode == 0:
        return "pass", out
    if "Could not rebuild" in out:
        return "build", out
    return "fail", out


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted(f"signal {signum}")


COUNTS = ("mutants", "killed", "killed_san", "timeout", "build", "equivalent", "survived", "swaps", "swaps_survived")


def baseline(build, rel, tests, timeout):
    status, log = run_tests(build, tests, timeout)
    if status != "pass":
        print(f"mutate: baseline of {rel} in {build} does not pass ({status}):\n{log}", file=sys.stderr)
        raise SystemExit(2)


def check_file(rel, functions, tests, args, equiv):
    path = os.path.join(ROOT, rel)
    with open(path, encoding="utf-8") as f:
        original = f.read()
    toks = tokens(original)
    ranges = function_ranges(original, toks, functions) if functions else None
    ms = mutants(original, ranges)
    scope = ", ".join(functions) if functions else "whole file"
    print(f"mutate: {rel} ({scope}): {len(ms)} mutants; tests: {' '.join(tests)}", flush=True)
    counts = dict.fromkeys(COUNTS, 0)
    counts["mutants"] = len(ms)
    counts["swaps"] = sum(1 for m in ms if m[2] in SWAP)
    if args.list:
        for m in ms:
            number, key = describe(rel, original, toks, m)
            print(f"  {rel}:{number}: {key[4]}  [{key[2]}]")
        return counts

    baseline(args.build, rel, tests, args.timeout)
    san_checked = False
    t0 = time.monotonic()
    try:
        for m in ms:
            start, end, orig, new = m
            with open(path, "w", encoding="utf-8") as f:
                f.write(original[:start] + new + original[end:])
            status, _ = run_tests(args.build, tests, args.timeout)
            where = args.build
            if status == "pass" and args.san:
                # Same program, same tests, with ASan and UBSan: a read past a table shows here.
                if not san_checked:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(original)
                    baseline(args.san, rel, tests, args.timeout)
                    san_checked = True
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(original[:start] + new + original[end:])
                status, _ = run_tests(args.san, tests, args.timeout)
                where = args.san
                if status == "fail":
                    status = "killed_san"
            number, key = describe(rel, original, toks, m)
            if status == "pass":
                why = equiv.get(key)
                if why is not None:
                    counts["equivalent"] += 1
                    print(f"  equivalent {rel}:{number}: {key[4]}  [{key[2]}]  ({why})", flush=True)
                else:
                    counts["survived"] += 1
                    counts["swaps_survived"] += orig in SWAP
                    print(f"  SURVIVED   {rel}:{number}: {key[4]}  [{key[2]}]  (equivalent.txt key: "
                          f"{key_text(key)})", flush=True)
            else:
                status = "killed" if status == "fail" else status
                counts[status] += 1
                if args.verbose:
                    print(f"  {status:10s} {rel}:{number}: {key[4]}  [{key[2]}]  ({where})", flush=True)
                if key in equiv:
                    print(f"  note: {rel}:{number}: listed as equivalent but {status}: {key_text(key)}", flush=True)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
    print(f"mutate: {rel}: {summary(counts)} ({time.monotonic() - t0:.0f} s)", flush=True)
    return counts


def summary(c):
    return (f"{c['mutants']} mutants: {c['killed'] + c['killed_san']} killed ({c['killed_san']} of them only "
            f"under ASan/UBSan), {c['timeout']} timed out, {c['build']} not built, {c['equivalent']} equivalent, "
            f"{c['survived']} survived; operator swaps alone: {c['swaps_survived']} of {c['swaps']} survived")


def read_plan(path, only):
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            words = raw.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) < 3:
                raise ValueError(f"{path}:{number}: expected `FILE FUNCTIONS TESTS...`")
            functions = [] if words[1] == "*" else words[1].split(",")
            if not only or words[0] in only:
                entries.append((words[0], functions, words[2:]))
    return entries


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("file", nargs="?", help="C file, relative to the repository")
    p.add_argument("--test", action="append", default=[], help="meson test name (repeat)")
    p.add_argument("--function", action="append", default=[], help="mutate only this function (repeat)")
    p.add_argument("--plan", nargs="?", const=DEFAULT_PLAN, help=f"run a plan (default {DEFAULT_PLAN})")
    p.add_argument("--only", action="append", default=[], help="with --plan: only this file (repeat)")
    p.add_argument("--equivalent", default=DEFAULT_EQUIV, help="known equivalent mutants")
    p.add_argument("--build", default="build-host", help="host build directory (default build-host)")
    p.add_argument("--san", default="build-host-san",
                   help="sanitizer build directory where a survivor is run again (default build-host-san; "
                        "'' for none)")
    p.add_argument("--timeout", type=float, default=60, help="seconds per mutant's build and tests")
    p.add_argument("--list", action="store_true", help="list the mutants only")
    p.add_argument("-v", "--verbose", action="store_true", help="print killed mutants too")
    args = p.parse_args(argv)
    if args.plan:
        if args.file or args.test or args.function:
            p.error("--plan takes no FILE, --test or --function")
        entries = read_plan(args.plan, args.only)
        missing = set(args.only) - {e[0] for e in entries}
        if missing:
            p.error(f"not in {args.plan}: {' '.join(sorted(missing))}")
    else:
        if not args.file or not args.test:
            p.error("give FILE and at least one --test, or --plan")
        entries = [(os.path.relpath(os.path.abspath(args.file), ROOT), args.function, args.test)]
    if not args.list and not os.path.exists(os.path.join(ROOT, args.build, "build.ninja")):
        p.error(f"{args.build} is not a configured build directory (just build-host)")
    if not args.list and args.san and not os.path.exists(os.path.join(ROOT, args.san, "build.ninja")):
        p.error(f"{args.san} is not a configured build directory (just build-host-san, or --san '')")
    equiv = load_equivalents(args.equivalent)
    signal.signal(signal.SIGTERM, on_signal)
    total = dict.fromkeys(COUNTS, 0)
    try:
        for rel, functions, tests in entries:
            for k, v in check_file(rel, functions, tests, args, equiv).items():
                total[k] += v
    except Interrupted as e:
        print(f"mutate: stopped by {e}; the file is restored", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mutate: interrupted; the file is restored", file=sys.stderr)
        return 2
    if len(entries) > 1:
        print(f"mutate: total: {summary(total)}")
    return 1 if total.get("survived") else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError) as e:
        print(f"mutate: {e}", file=sys.stderr)
        sys.exit(2)
