#!/usr/bin/env python3
"""Check that keystored's secret key appears neither in a UART transcript nor on the disk
outside keystored's own statefsd record.

Usage: check-key-leak.py UART_LOG [DISK_IMAGE]

Every boot of the test lanes starts QEMU afresh, so the virtio-rng device serves the bytes
of tests/data/virtio-rng.bin from the start, and keystored, the first task to read rngd,
makes its key from the first 32 of them (a later boot on the same disk loads that seed).
This script derives the key pair from those bytes with Python's `cryptography` (OpenSSL)
and first checks that the public key keystored printed (`keystored: key created|loaded
pubkey=<hex>`) is that key's: then the secrets are known. They are the seed, and the two
halves of SHA-512(seed): the signing scalar (as hashed and as clamped) and the nonce prefix.

The check fails when any SECRET_WINDOW consecutive bytes of a secret are found
  - in the transcript, as raw bytes or as hex (the transcript reduced to its hex digits,
    lower-cased, so "A3 09 99" and "a30999" both count);
  - on the disk, except bytes of the seed inside a statefs put record of the key
    /keystored/seed with a 32-byte value (docs/statefs.md, "Record"): the record's magic,
    type, key length and value length, and the key, precede the value.

Exit status: 0 no leak, 1 a leak (or no key line to check against), 2 usage or
infrastructure error (missing file, no `cryptography` module).
"""

import hashlib
import os
import re
import struct
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RNG_FILE = os.path.join(ROOT, "tests", "data", "virtio-rng.bin")
CACHE = os.path.join(ROOT, "build", "cache", "key-leak-pubkey")
SEED_LEN = 32
SECRET_WINDOW = 8
SEED_KEY = b"/keystored/seed"
RECORD_MAGIC = 0x52534653  # "SFSR"
RECORD_HEADER = 24
RECORD_PUT = 1
KEY_LINE = re.compile(r"^keystored: key (created|loaded) pubkey=([0-9a-f]{64})$", re.M)


class Usage(Exception):
    pass


def public_key(seed):
    """The Ed25519 public key of `seed`. Importing `cryptography` (OpenSSL) is most of this
    script's start-up time, which every lane pays, so the key of the last seed seen is kept in
    build/cache/key-leak-pubkey ("<SHA-512 of the seed> <public key>", both hex); a cache that
    does not name this seed is recomputed."""
    digest = hashlib.sha512(b"check-key-leak cache\0" + seed).hexdigest()
    try:
        with open(CACHE, encoding="ascii") as f:
            cached = f.read().split()
        if len(cached) == 2 and cached[0] == digest and re.fullmatch(r"[0-9a-f]{64}", cached[1]):
            return bytes.fromhex(cached[1])
    except (OSError, UnicodeDecodeError):
        pass
    pub = derive_public_key(seed)
    try:
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        with open(CACHE + ".tmp", "w", encoding="ascii") as f:
            f.write(f"{digest} {pub.hex()}\n")
        os.replace(CACHE + ".tmp", CACHE)
    except OSError:
        pass
    return pub


def derive_public_key(seed):
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError as exc:
        raise Usage(f"Python's cryptography module is missing ({exc}); run ./scripts/setup.sh") from exc
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def secrets(seed):
    """The secret byte strings of the key pair of `seed`, by name."""
    h = hashlib.sha512(seed).digest()
    scalar = bytearray(h[:32])
    scalar[0] &= 248
    scalar[31] &= 127
    scalar[31] |= 64
    return {"seed": seed, "hashed scalar": h[:32], "clamped scalar": bytes(scalar), "nonce prefix": h[32:]}


def windows(secret):
    """(offset, bytes) of every SECRET_WINDOW-byte window of `secret`."""
    return [(i, secret[i:i + SECRET_WINDOW]) for i in range(len(secret) - SECRET_WINDOW + 1)]


def find_all(haystack, needle):
    at = haystack.find(needle)
    while at >= 0:
        yield at
        at = haystack.find(needle, at + 1)


def seed_record_at(disk, value_at):
    """Is `value_at` the value offset of a put record of /keystored/seed with a seed-sized value?"""
    head = value_at - len(SEED_KEY) - RECORD_HEADER
    if head < 0:
        return False
    magic, kind, klen, vlen = struct.unpack_from("<IBBH", disk, head)
    return (magic == RECORD_MAGIC and kind == RECORD_PUT and klen == len(SEED_KEY) and vlen == SEED_LEN
            and disk[value_at - len(SEED_KEY):value_at] == SEED_KEY)


def finding(where, name, hits):
    """One line for the `hits` (window offsets) of secret `name` found `where`."""
    first = hits[0]
    return f"{where}: {len(hits)} window(s) of the {name}, the first its bytes {first}..{first + SECRET_WINDOW - 1}"


def check_transcript(raw, found):
    digits = re.sub(r"[^0-9a-f]", "", raw.decode("latin-1").lower())
    problems = []
    for name, secret in found.items():
        raw_hits = [off for off, w in windows(secret) if w in raw]
        hex_hits = [off for off, w in windows(secret) if w.hex() in digits]
        if raw_hits:
            problems.append(finding("transcript, raw", name, raw_hits))
        if hex_hits:
            problems.append(finding("transcript, in hex", name, hex_hits))
    return problems


def check_disk(disk, found):
    problems = []
    records = set()
    for name, secret in found.items():
        hits = []
        for off, w in windows(secret):
            for at in find_all(disk, w):
                if name == "seed" and seed_record_at(disk, at - off):
                    records.add(at - off)
                else:
                    hits.append((off, at))
        if hits:
            problems.append(finding("disk, outside keystored's seed record", name, [off for off, _ in hits]) +
                            f" at byte {hits[0][1]}")
    return problems, len(records)


def read(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise Usage(f"cannot read {what} {path}: {exc.strerror}") from exc


def main(argv):
    if len(argv) not in (1, 2):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    try:
        raw = read(argv[0], "transcript")
        disk = read(argv[1], "disk image") if len(argv) == 2 else None
        seed = read(RNG_FILE, "entropy file")[:SEED_LEN]
        if len(seed) != SEED_LEN:
            raise Usage(f"{RNG_FILE} holds fewer than {SEED_LEN} bytes")
        want = public_key(seed).hex()
    except Usage as exc:
        print(f"check-key-leak: error: {exc}", file=sys.stderr)
        return 2
    lines = KEY_LINE.findall(raw.decode("latin-1").replace("\r", ""))
    if not lines:
        print(f"check-key-leak: FAIL no 'keystored: key ... pubkey=' line in {argv[0]}: nothing to check against")
        return 1
    if any(pk != want for _, pk in lines):
        print(f"check-key-leak: FAIL keystored's public key is not the key of the first {SEED_LEN} entropy bytes "
              f"({want}): the secrets are unknown, nothing was checked")
        return 1
    found = secrets(seed)
    problems = check_transcript(raw, found)
    records = 0
    if disk is not None:
        disk_problems, records = check_disk(disk, found)
        problems += disk_problems
    for p in problems:
        print(f"check-key-leak: LEAK {p}")
    if problems:
        print(f"check-key-leak: FAIL {len(problems)} finding(s)")
        return 1
    where = f"; disk: the seed only in {records} record(s) of {SEED_KEY.decode()}" if disk is not None else ""
    print(f"check-key-leak: ok (key {lines[0][0]}; no {SECRET_WINDOW} bytes of the seed or SHA-512(seed) in the "
          f"transcript{where})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
