#!/usr/bin/env python3
"""Write (or check) the seed corpus of fuzz_elf_check: small ELF images, built field by field.

Usage: gen-elf-seeds.py [--check] [DIR]   (DIR defaults to tests/fuzz/corpus/fuzz_elf_check)

Most seeds pass every rule of kernel-shim/elf.h, each in a different shape (the linker
script's three segments, the smallest image, headers of other types, sixteen headers, a
segment over a 2 MiB boundary, ...), so that the fuzzer starts from accepted images and
mutates them across the rules' bounds; a few break one rule each. File bytes are packed
close together (the kernel copies segments, so offsets need no page alignment), which keeps
every seed under 1.5 KiB.

With --check, compare DIR against what the generator makes instead of writing it.
Exit status: 0 written or matching, 1 mismatch, 2 usage error.
"""

import argparse
import os
import struct
import sys

BASE = 0x40000000
END = 0x80000000 - 4 * 0x1000  # KS_ELF_USER_END: the stack's four pages lie above
PT_LOAD, PT_NOTE, PT_GNU_STACK, PT_RISCV_ATTRIBUTES = 1, 4, 0x6474E551, 0x70000003
X, W, R = 1, 2, 4
DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus",
                       "fuzz_elf_check")


def image(entry, phdrs, phoff=64):
    """An ELF64 RISC-V executable: header, the table at `phoff`, a pattern as each PT_LOAD's file
    bytes. `phdrs` holds (type, flags, offset, vaddr, filesz, memsz, align) tuples."""
    size = max([phoff + 56 * len(phdrs)] + [o + f for t, _, o, _, f, _, _ in phdrs if t == PT_LOAD])
    out = bytearray(size)
    for i, (t, _, off, _, filesz, _, _) in enumerate(phdrs):
        if t == PT_LOAD:
            out[off:off + filesz] = bytes((0x31 * (i + 1) + k) & 0xFF for k in range(filesz))
    out[0:64] = struct.pack("<4sBBB9xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 2, 243, 1, entry, phoff, 0,
                            0, 64, 56, len(phdrs), 64, 0, 0)
    for i, (t, flags, off, vaddr, filesz, memsz, align) in enumerate(phdrs):
        out[phoff + 56 * i:phoff + 56 * (i + 1)] = struct.pack("<IIQQQQQQ", t, flags, off, vaddr, vaddr,
                                                               filesz, memsz, align)
    return bytes(out)


TEXT = (PT_LOAD, R | X, 0x100, BASE, 0x80, 0x80, 0x10)
RODATA = (PT_LOAD, R, 0x180, BASE + 0x1000, 0x40, 0x40, 0x10)
DATA = (PT_LOAD, R | W, 0x1C0, BASE + 0x2000, 0x20, 0x1200, 0x10)
NOTE = (PT_NOTE, R, 0x100, 0, 0x10, 0, 4)


def seeds():
    return {
        # accepted
        "linker-layout": image(BASE, [TEXT, RODATA, DATA]),
        "smallest": image(BASE, [(PT_LOAD, X, 0, BASE, 0, 1, 0)]),
        "other-headers": image(BASE, [TEXT, (PT_GNU_STACK, R | W, 0, 0, 0, 0, 16), RODATA, NOTE, DATA,
                                      (PT_RISCV_ATTRIBUTES, R, 0x1E0, 0, 0x20, 0, 1)], phoff=0x200),
        "sixteen-headers": image(BASE + 0x40, [TEXT, RODATA, DATA] + [NOTE] * 13, phoff=0x1E0),
        "offset-zero-page-align": image(BASE + 0x100, [(PT_LOAD, R | X, 0, BASE, 0x180, 0x180, 0x1000),
                                                       (PT_LOAD, R | W, 0x180, BASE + 0x1000, 0x40, 0x3000, 0x80)]),
        "over-2mib-boundary": image(BASE, [TEXT, RODATA[:3] + (BASE + 0x1FF000, 0x40, 0x2000, 0x10),
                                           DATA[:3] + (END - 0x2000, 0x20, 0x2000, 0x10)]),
        "two-executable-x-only": image(BASE + 0x1010, [TEXT, (PT_LOAD, X, 0x180, BASE + 0x1000, 0x40, 0x40, 4),
                                                       DATA]),
        # refused, one rule each
        "refused-wx-segment": image(BASE, [TEXT, RODATA, DATA[:1] + (R | W | X,) + DATA[2:]]),
        "refused-shared-page": image(BASE, [TEXT[:5] + (0x1001, 0x10), RODATA, DATA]),
        "large-bss": image(BASE, [TEXT, RODATA, DATA[:5] + (0x100000, 0x10)]),
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("dir", nargs="?", default=DEFAULT)
    args = ap.parse_args(argv)
    want = seeds()
    if args.check:
        try:
            have = {n: open(os.path.join(args.dir, n), "rb").read() for n in os.listdir(args.dir)}
        except OSError as e:
            print(f"gen-elf-seeds: cannot read {args.dir}: {e}", file=sys.stderr)
            return 2
        bad = sorted(n for n in set(have) | set(want) if have.get(n) != want.get(n))
        if bad:
            print(f"gen-elf-seeds: {args.dir} differs from the generator: {', '.join(bad)}", file=sys.stderr)
            return 1
        print(f"gen-elf-seeds: {args.dir} ok ({len(have)} seeds)")
        return 0
    os.makedirs(args.dir, exist_ok=True)
    for name, data in want.items():
        with open(os.path.join(args.dir, name), "wb") as f:
            f.write(data)
    print(f"gen-elf-seeds: wrote {len(want)} seeds to {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
