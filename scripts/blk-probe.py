#!/usr/bin/env python3
"""How long QEMU takes to complete virtio-blk requests, in guest time (docs/kernel.md, "Block device").

Boots profile=blk (src/selftest/st_blk.c: a fixed load through statefsd: puts of 64 B and
4 KiB each followed by a sync, and gets of 4 KiB) with the kernel's blkprobe=1 knob, which
looks at the used ring every 10 ticks of each settle and prints when the request was first
seen complete; requests are grouped by their type and size as the kernel saw them.
Prints, per kind of request, the completion times in ticks of the 10 MHz `time` CSR (one
tick = 100 guest instructions at -icount shift=0) over all runs, the late looks, and the
wall time of each run.

    scripts/blk-probe.py [--runs N] [--smp N] [--drive OPTS] [--global PROP] [--icount SETTING]

--drive sets options of the disk's -drive (e.g. aio=native,cache.direct=on), --global adds
a -global (e.g. virtio-mmio.ioeventfd=off). Exit status: 0 done, 1 a run failed, 2 a tool
is missing or the build failed.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PROBE = re.compile(r"^blk: probe type=(\d+) sectors=(\d+) done_after_ticks=(\d+)$")
LATE = re.compile(r"^blk: late: ")
LOAD = re.compile(r"^blk: load (\S+) requests=\d+ ticks_per_request=(\d+)")
KINDS = {("0", "1"): "read_512", ("0", "8"): "read_4k", ("0", "64"): "read_32k", ("1", "1"): "write_512",
         ("1", "8"): "write_4k", ("1", "64"): "write_32k", ("4", "0"): "flush", ("8", "0"): "get_id"}


def qemu_command(smp, icount, disk):
    script = (f'source "{ROOT}/scripts/lib/common.sh"; nx_build_rv || exit 2; '
              f'NX_DISK="{disk}" NX_BOOTARGS=blkprobe=1 nx_qemu_cmd {smp} "{icount}" blk || exit 2; '
              'printf "%s\\0" "${NX_QEMU[@]}"')
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"blk-probe: cannot build the QEMU command: {out.stderr.strip()}", file=sys.stderr)
        sys.exit(2)
    return [a for a in out.stdout.split("\0") if a]


def drive_with(drive, extra):
    """The -drive value with the options of `extra` added or replacing those of the same key."""
    opts = drive.split(",")
    for opt in extra.split(","):
        key = opt.split("=")[0]
        opts = [o for o in opts if o.split("=")[0] != key] + [opt]
    return ",".join(opts)


def quantile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--drive", default="", help="-drive options to set, e.g. cache=writeback")
    ap.add_argument("--global", dest="glob", default="")
    ap.add_argument("--icount", default="shift=0,sleep=off")
    args = ap.parse_args()
    times = collections.defaultdict(list)
    late = 0
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        for run in range(args.runs):
            cmd = qemu_command(args.smp, args.icount, disk)
            if args.drive:
                i = cmd.index("-drive") + 1
                cmd[i] = drive_with(cmd[i], args.drive)
            if args.glob:
                cmd += ["-global", args.glob]
            start = time.monotonic()
            out = subprocess.run(cmd + ["-display", "none", "-monitor", "none", "-serial", "stdio"],
                                 capture_output=True, text=True, timeout=600)
            walls.append(time.monotonic() - start)
            lines = out.stdout.splitlines()
            if out.returncode != 0 or not any(l.startswith("SELFTEST: end") for l in lines):
                print(f"blk-probe: run {run + 1} failed (exit {out.returncode}); last lines:", file=sys.stderr)
                print("\n".join(lines[-10:]), file=sys.stderr)
                return 1
            for line in lines:
                m = PROBE.match(line)
                if m:
                    times[KINDS.get((m[1], m[2]), f"type{m[1]}x{m[2]}")].append(int(m[3]))
                late += bool(LATE.match(line))
    print(f"blk-probe: runs={args.runs} smp={args.smp} icount={args.icount} drive+={args.drive or '-'} "
          f"global={args.glob or '-'}")
    print(f"{'kind':10} {'n':>4} {'median':>8} {'p90':>8} {'max':>8}  (ticks from notify to completion seen)")
    for kind in KINDS.values():
        v = sorted(times.get(kind, []))
        if v:
            print(f"{kind:10} {len(v):4} {quantile(v, 0.5):8} {quantile(v, 0.9):8} {v[-1]:8}")
    print(f"late looks: {late}; wall s per run: {' '.join(f'{w:.2f}' for w in walls)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
