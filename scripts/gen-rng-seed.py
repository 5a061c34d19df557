#!/usr/bin/env python3
"""Write (or check) tests/data/virtio-rng.bin: the bytes QEMU's virtio-rng hands the guest.

Usage: gen-rng-seed.py [--check] [FILE]   (FILE defaults to tests/data/virtio-rng.bin)

The bytes come from SplitMix64 with a fixed seed, written here rather than taken from
Python's `random`, so the file is the same on every Python version. QEMU's rng-random
backend reads the file in order and delivers each byte once; a request after the last
byte makes QEMU 7.2 hang (see kernel-shim/virtio.h). Size it for every byte a test run
reads.

With --check, compare FILE against what the generator makes instead of writing it.
Exit status: 0 written or matching, 1 mismatch, 2 usage error.
"""

import argparse
import os
import sys

SEED = 0x6E786F73_72616E64  # "nxosrand"
SIZE = 4096
MASK64 = (1 << 64) - 1
DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "virtio-rng.bin")


def splitmix64(state):
    """Yield SplitMix64 outputs (Steele, Lea, Flood 2014) from `state`."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def seed_bytes(size=SIZE):
    out = bytearray()
    for word in splitmix64(SEED):
        if len(out) >= size:
            break
        out += word.to_bytes(8, "little")
    return bytes(out[:size])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("file", nargs="?", default=DEFAULT)
    args = ap.parse_args(argv)
    want = seed_bytes()
    if args.check:
        try:
            with open(args.file, "rb") as f:
                have = f.read()
        except OSError as e:
            print(f"gen-rng-seed: cannot read {args.file}: {e}", file=sys.stderr)
            return 2
        if have != want:
            first = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
            print(f"gen-rng-seed: {args.file} differs from the generator: {len(have)} bytes "
                  f"(want {len(want)}), first difference at offset {first}", file=sys.stderr)
            return 1
        print(f"gen-rng-seed: {args.file} ok ({len(have)} bytes)")
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.file)), exist_ok=True)
    with open(args.file, "wb") as f:
        f.write(want)
    print(f"gen-rng-seed: wrote {len(want)} bytes to {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
