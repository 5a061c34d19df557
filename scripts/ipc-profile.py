#!/usr/bin/env python3
"""Where one IPC round trip's guest instructions go (`just ipc-profile`).

Boots profile=bench at SMP=1 under icount with QEMU logging every executed instruction
(-singlestep -d exec,nochain, streamed through a FIFO, nothing stored), takes the window
between the two `rdinstret` reads of one echo round trip in src/selftest/st_bench.c, and
attributes each instruction to a function of the client (selftest), the kernel or the server
(echo, image testsvc). The task that runs is followed through the kernel's satp writes.

It also measures a context switch through the run queue: in the one-way send benchmark
(`ipc_oneway`), after the counted send the client waits for echo's reply (NX_SYS_WAIT), blocks,
and the kernel switches to echo, which the send queued; the figure is the kernel
instructions from that trap to echo's first instruction (the same iteration N).

    scripts/ipc-profile.py [--call N] [--top K] [--trace FILE]

N picks the round trip (default 20: after the benchmark's 8 warm-up calls). The total is
the same figure `just bench` reports for that call. --trace writes that round trip's
instructions to FILE, one line each in the order they ran: side, function, address and the
disassembled instruction. Exit status: 0 done, 1 the window was
not found, 2 a tool is missing.
"""

import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, "build-rv")
ELFS = {
    "client": os.path.join(BUILD, "src", "selftest"),
    "server": os.path.join(BUILD, "src", "testsvc"),
    "kernel": os.path.join(BUILD, "kernel-shim", "kernel.elf"),
}
KERNEL_BASE = 0x80000000
TRACE = re.compile(rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")


class Symbols:
    """Function symbols of one ELF, for address lookup."""

    def __init__(self, elf):
        out = subprocess.run(["riscv64-unknown-elf-nm", "-n", "--defined-only", elf], check=True,
                             capture_output=True, text=True).stdout
        pairs = sorted((int(f[0], 16), f[2]) for f in (line.split() for line in out.splitlines())
                       if len(f) >= 3 and f[1] in "tTWw")
        self.addrs = [a for a, _ in pairs]
        self.names = [n for _, n in pairs]

    def name(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else "?"


def disassembly(elf):
    return subprocess.run(["riscv64-unknown-elf-objdump", "-d", elf], check=True, capture_output=True,
                          text=True).stdout


def pcs_of(dis, pattern, function=None):
    """Addresses of the instructions whose text matches `pattern` (in `function` only, if given)."""
    pcs, inside = [], function is None
    for line in dis.splitlines():
        head = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if head is not None and function is not None:
            inside = head.group(1).split(".")[0] == function
        elif inside and re.search(pattern, line):
            pcs.append(int(line.split(":")[0], 16))
    return pcs


def qemu_command(log_path, uart_path):
    script = (f'source "{ROOT}/scripts/lib/common.sh"; nx_qemu_cmd 1 shift=0,sleep=off bench; '
              'printf "%s\\0" "${NX_QEMU[@]}"')
    argv = subprocess.run(["bash", "-c", script], check=True, capture_output=True, text=True).stdout
    return [a for a in argv.split("\0") if a] + [
        "-display", "none", "-monitor", "none", "-serial", f"file:{uart_path}",
        "-singlestep", "-d", "exec,nochain", "-D", log_path]


def switch_window(log, after_pc, satp_pcs, call):
    """Kernel instructions from the trap after `after_pc` (the client) to the next user
    instruction, in the `call`-th such window that switched address space; None if none."""
    seen, armed, count, switched = 0, False, None, False
    for line in log:
        m = TRACE.match(line)
        if m is None:
            continue
        pc = int(m.group(1), 16)
        if count is None:
            if pc == after_pc:
                armed = True
            elif armed and pc >= KERNEL_BASE:
                count, switched = 1, pc in satp_pcs
            continue
        if pc >= KERNEL_BASE:
            count += 1
            switched = switched or pc in satp_pcs
            continue
        if switched:
            seen += 1
            if seen == call:
                return count
        armed, count = False, None
    return None


def instruction_text(dis):
    """Address -> disassembled instruction text, from objdump -d output."""
    text = {}
    for line in dis.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t[0-9a-f]+\s*\t(.*)$", line)
        if m is not None:
            text[int(m.group(1), 16)] = m.group(2).replace("\t", " ")
    return text


def write_trace(path, steps, syms):
    texts = {side: instruction_text(disassembly(elf)) for side, elf in ELFS.items()}
    with open(path, "w", encoding="utf-8") as out:
        for side, pc in steps:
            out.write(f"{side:<6} {syms[side].name(pc):<40} {pc:#010x}  {texts[side].get(pc, '?')}\n")


def profile(call, trace_path=None):
    client_dis = disassembly(ELFS["client"])
    start_pc, end_pc = pcs_of(client_dis, r"\trdinstret\t", "ipc_roundtrip")[:2]
    oneway_after_pc = pcs_of(client_dis, r"\trdinstret\t", "ipc_oneway")[1]
    satp_pcs = set(pcs_of(disassembly(ELFS["kernel"]), r"\tcsrw\tsatp,"))
    syms = {side: Symbols(elf) for side, elf in ELFS.items()}
    counts = collections.Counter()
    segments = []  # (side, instructions) in the order they ran
    switch = None
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "exec.log")
        os.mkfifo(fifo)
        qemu = subprocess.Popen(qemu_command(fifo, os.path.join(tmp, "uart.log")),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            seen = 0
            window = None  # the window being read: (counts, segments, task, switched, switches)
            with open(fifo, "rb") as log:
                for line in log:
                    m = TRACE.match(line)
                    if m is None:
                        continue
                    pc = int(m.group(1), 16)
                    # Every task is linked at the same addresses, so another task may execute
                    # start_pc too: a window is one round trip only if it reaches end_pc after
                    # exactly two address-space switches (to the server and back).
                    if pc == start_pc:
                        window = (collections.Counter(), [], "client", False, 0)
                        steps = []
                        continue
                    if window is None:
                        continue
                    w_counts, w_segments, task, switched, switches = window
                    if pc == end_pc:
                        window = None
                        if switches == 2:
                            seen += 1
                            if seen == call:
                                counts, segments = w_counts, w_segments
                                if trace_path is not None:
                                    write_trace(trace_path, steps, syms)
                                switch = switch_window(log, oneway_after_pc, satp_pcs, call)
                                break
                        continue
                    if pc >= KERNEL_BASE:
                        side = "kernel"
                        if pc in satp_pcs:
                            switched, switches = True, switches + 1
                    else:
                        if switched:
                            task = "server" if task == "client" else "client"
                            switched = False
                        side = task
                    w_counts[(side, syms[side].name(pc))] += 1
                    steps.append((side, pc))
                    if w_segments and w_segments[-1][0] == side:
                        w_segments[-1][1] += 1
                    else:
                        w_segments.append([side, 1])
                    window = (w_counts, w_segments, task, switched, switches)
                else:
                    return None
        finally:
            qemu.kill()
            qemu.wait()
    return counts, segments, switch


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--call", type=int, default=20, help="which round trip (1-based; default 20)")
    ap.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    ap.add_argument("--trace", metavar="FILE", help="write the round trip's instructions, in order, to FILE")
    args = ap.parse_args()
    for tool in ("qemu-system-riscv64", "riscv64-unknown-elf-nm", "riscv64-unknown-elf-objdump"):
        if shutil.which(tool) is None:
            print(f"ipc-profile: {tool} not found; run ./scripts/setup.sh", file=sys.stderr)
            return 2
    if subprocess.run(["just", "build-rv"], cwd=ROOT, stdout=subprocess.DEVNULL).returncode != 0:
        print("ipc-profile: build failed", file=sys.stderr)
        return 2
    result = profile(args.call, args.trace)
    if result is None:
        print(f"ipc-profile: round trip {args.call} not found in the trace", file=sys.stderr)
        return 1
    counts, segments, switch = result
    total = sum(counts.values())
    print(f"ipc-profile: round trip {args.call}: {total} guest instructions")
    by_side = collections.Counter()
    for (side, _), n in counts.items():
        by_side[side] += n
    print("  " + ", ".join(f"{side} {by_side[side]}" for side in ("client", "kernel", "server")))
    print("  in order: " + " -> ".join(f"{side} {n}" for side, n in segments))
    print(f"  {'instructions':>12}  function")
    for (side, name), n in counts.most_common(args.top):
        print(f"  {n:>12}  {side}: {name}")
    if switch is None:
        print(f"ipc-profile: context switch {args.call} not found in the trace", file=sys.stderr)
        return 1
    print(f"ipc-profile: context switch {args.call}: {switch} kernel instructions (NX_SYS_WAIT that blocks, "
          "to the first instruction of the task it switches to)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
