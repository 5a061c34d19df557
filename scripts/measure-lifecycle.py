#!/usr/bin/env python3
"""Measure the lifecycle core: .text for rv64 at -Os, RAM per ability, instructions per event.

    scripts/measure-lifecycle.py [--events N] [--seed N] [--shards K] [--lcreplay PATH]

Needs both build directories (`just build`) and valgrind. Instructions per event: callgrind
runs lcreplay over a trace of scripts/gen-lifecycle-trace.py (32 apps; with --shards K, K
such traces of 32 apps merged by time: 32 K apps, the same shape); the core's share is the
inclusive count of its entry points lc_event and lc_advance minus that of lcreplay's
on_change callback (JSON printing), divided by the trace's event and tick lines. --lcreplay
picks the binary (build-host's lcreplay-1024 holds 1024 apps).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LIB_RV = os.path.join(ROOT, "build-rv", "src", "lifecycle", "liblc.a")
LCREPLAY = os.path.join(ROOT, "build-host", "src", "tools", "lcreplay", "lcreplay")


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def section_sizes():
    sizes = {}
    for line in run("riscv64-unknown-elf-size", "-A", LIB_RV).splitlines():
        m = re.match(r"(\.text|\.rodata|\.s?data|\.s?bss)\S*\s+(\d+)", line)
        if m:
            sizes[m.group(1)] = sizes.get(m.group(1), 0) + int(m.group(2))
    return sizes


def struct_sizes(tmp, capacity=32):
    """sizeof as the rv64 compiler lays the structs out (LC_MAX_ABILITIES = capacity), read back
    from symbol sizes."""
    src, obj = os.path.join(tmp, "sizes.c"), os.path.join(tmp, "sizes.o")
    with open(src, "w", encoding="utf-8") as f:
        f.write('#include "lc/lifecycle.h"\nchar ability[sizeof(struct lc_ability)];\nchar core[sizeof(struct lc)];\n'
                'char per[LC_BYTES_PER_ABILITY];\n')
    run("riscv64-unknown-elf-gcc", "-march=rv64imac", "-mabi=lp64", "--specs=picolibc.specs", "-ffreestanding",
        f"-DLC_MAX_ABILITIES={capacity}U", "-I", os.path.join(ROOT, "include"), "-c", src, "-o", obj)
    return {w[3]: int(w[1], 16) for w in (line.split() for line in run("riscv64-unknown-elf-nm", "-S", obj).splitlines())}


def inclusive_counts(out_file):
    counts = {}
    text = run("callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file)
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) .*?:(lc_event|lc_advance|print_change|main) \[", line)
        if m:
            counts[m.group(2)] = int(m.group(1).replace(",", ""))
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=120000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shards", type=int, default=1, help="merge K traces of 32 apps (32 K apps)")
    ap.add_argument("--lcreplay", default=LCREPLAY, help="the lcreplay binary (default: build-host's)")
    a = ap.parse_args()
    apps = 32 * a.shards
    for path in (LIB_RV, a.lcreplay):
        if not os.path.exists(path):
            sys.exit(f"measure-lifecycle: {path} is missing; run `just build`")

    with tempfile.TemporaryDirectory() as tmp:
        s = section_sizes()
        print(f"core for rv64imac at -Os: .text {s.get('.text', 0)} bytes, .rodata {s.get('.rodata', 0)} bytes, "
              f"data+bss {sum(v for k, v in s.items() if k not in ('.text', '.rodata'))} bytes")
        z = struct_sizes(tmp)
        big = struct_sizes(tmp, 1024)
        print(f"RAM: struct lc_ability {z['ability']} bytes + {z['per'] - z['ability']} bytes of timer heap per ability "
              f"(LC_BYTES_PER_ABILITY {z['per']}); struct lc for 32 abilities {z['core']} bytes "
              f"({z['core'] / 32:.1f} per ability, shared part included), for 1024 abilities {big['core']} bytes "
              f"({big['core'] / 1024:.1f} per ability)")

        trace = os.path.join(tmp, "long.trace")
        run(sys.executable, os.path.join(ROOT, "scripts", "gen-lifecycle-trace.py"), "--seed", str(a.seed),
            "--events", str(a.events), "--apps", "32", "--shards", str(a.shards), "--capacity", str(apps), "-o", trace)
        with open(trace, encoding="utf-8") as f:
            lines = [line.split() for line in f if line[0].isdigit()]
        ticks = sum(1 for w in lines if w[1] == "-")
        out_file = os.path.join(tmp, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", a.lcreplay, trace],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        c = inclusive_counts(out_file)
        core = c["lc_event"] + c.get("lc_advance", 0) - c["print_change"]
        print(f"callgrind over {len(lines)} trace lines ({len(lines) - ticks} events, {ticks} ticks), {apps} apps:")
        print(f"  core: {core} instructions, {core / len(lines):.1f} per line")
        print(f"  JSON printing (on_change callback): {c['print_change'] / len(lines):.1f} per line")
        print(f"  trace parsing and the rest of lcreplay: {(c['main'] - core - c['print_change']) / len(lines):.1f} per line")
        print(f"  whole lcreplay main: {c['main'] / len(lines):.1f} per line")


if __name__ == "__main__":
    main()
