#!/usr/bin/env python3
"""Pack and sign an ability bundle (include/proto/bundle.h, docs/ota.md).

Usage: pack-bundle.py [options] ABILITY VERSION

  --elf PATH         the ability's ELF image
  --images DIR       or: the built images' folder, where the image the document names is
                     DIR/<image>.stripped (one of --elf and --images is required)
  --elf-check PATH   nx-elfcheck, the kernel's ELF validator as a host tool (required)
  --out PATH         the bundle to write (required)
  --abilities PATH   the ability manifest the document comes from (default manifests/abilities.json)
  --doc PATH         take the document from this file instead (one ability, the same schema)
  --schema PATH      the ability schema (default schemas/ability_v1_1.schema.json)
  --seed PATH        the release key's seed, 64 hex digits (default keys/release-demo.seed)
  --bad-signature    flip one bit of the signature (a demonstration bundle that must be refused)

The document is the ability's entry of the manifest (with the manifest's `defaults`) as a
document of its own: {"abilities": [entry], "defaults": ..., "schema_version": "1.1"}, keys
sorted, no spaces. It must pass the schema and name ABILITY. VERSION is 1..4294967295 in
decimal. The image must pass the kernel's validator (nx-elfcheck) at the default quota. The
signature is Ed25519 (python3-cryptography) over "nxos-bundle-v1\\0" and the SHA-512 of every byte
before it.

Exit status: 0 written; 1 refused (the first line on stderr says why: unknown ability, bad
version, a document failing the schema, an image the kernel would refuse, a bundle over its
bounds); 2 usage error. Nothing is written unless every check passed.
"""

import argparse
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(HERE, "lib"))
from abi import define  # noqa: E402
from ability_doc import Validator, load  # noqa: E402

try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
except ImportError:
    sys.exit("pack: python3-cryptography is missing: run ./scripts/setup.sh")

BUNDLE_H = "proto/bundle.h"
MAGIC = b"NXAB"
# The signature covers SIG_DOMAIN and the SHA-512 of everything before it (proto/bundle.h).
SIG_DOMAIN = b"nxos-bundle-v1\0"
FORMAT = define("BUNDLE_FORMAT", BUNDLE_H)
HEADER_LEN = define("BUNDLE_HEADER_LEN", BUNDLE_H)
DOC_MAX = define("BUNDLE_DOC_MAX", BUNDLE_H)
ELF_MAX = define("NX_SPAWN_ELF_MAX", "nx/abi.h")
NAME_MAX = define("NX_NAME_MAX")
NAME = re.compile(rf"^[a-z][a-z0-9_-]{{0,{NAME_MAX - 1}}}$")
VERSION = re.compile(r"^[1-9][0-9]{0,9}$")


class Refused(Exception):
    pass


def schema_errors(doc, schema):
    errors = sorted(Validator(schema).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors]


def plain(path):
    """The JSON document at `path` with binary floats: what the bundle's bytes are made from
    (each float prints back as the shortest text that reads as it, e.g. 1.001)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def document(ability, args, schema):
    """The bundle's document for `ability`, checked against the schema, as bytes."""
    where = args.doc if args.doc is not None else args.abilities
    exact, raw = load(where), plain(where)
    if args.doc is None:
        problems = schema_errors(exact, schema)
        if problems:
            raise Refused(f"{where}: fails the ability schema: {problems[0]}")
        picked = [i for i, a in enumerate(exact["abilities"]) if a["name"] == ability]
        if not picked:
            known = ", ".join(a["name"] for a in exact["abilities"])
            raise Refused(f"unknown ability {ability} (the manifest has: {known})")

        def one(doc):
            out = {"schema_version": doc["schema_version"], "abilities": [doc["abilities"][picked[0]]]}
            if "defaults" in doc:
                out["defaults"] = doc["defaults"]
            return out
        exact, raw = one(exact), one(raw)
    problems = schema_errors(exact, schema)
    if problems:
        raise Refused(f"{where}: the document fails the ability schema: {problems[0]}")
    names = [a["name"] for a in exact["abilities"]]
    if names != [ability]:
        raise Refused(f"{where}: the document must describe exactly the ability {ability}, not {names}")
    # Keys sorted, no spaces: the same input gives the same bytes.
    data = json.dumps(raw, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if len(data) > DOC_MAX:
        raise Refused(f"the document is {len(data)} bytes, above the bundle's {DOC_MAX}")
    return data


def image(path, checker):
    with open(path, "rb") as f:
        data = f.read(ELF_MAX + 1)
    if not data:
        raise Refused(f"{path}: empty image")
    if len(data) > ELF_MAX:
        raise Refused(f"{path}: the image is above the {ELF_MAX} bytes the kernel spawns from")
    run = subprocess.run([checker, path], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        why = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[0]
        raise Refused(f"the kernel would refuse the image: {why}")
    return data


def seed_of(path):
    with open(path, encoding="ascii") as f:
        text = f.read().strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise Refused(f"{path}: not a seed (64 lowercase hex digits)")
    return bytes.fromhex(text)


def pack(ability, version, doc, elf, seed, bad_signature):
    header = MAGIC + struct.pack("<I", FORMAT) + ability.encode().ljust(NAME_MAX + 1, b"\0")
    header += struct.pack("<III", version, len(doc), len(elf))
    assert len(header) == HEADER_LEN
    body = header + doc + elf
    message = SIG_DOMAIN + hashlib.sha512(body).digest()
    signature = bytearray(Ed25519PrivateKey.from_private_bytes(seed).sign(message))
    if bad_signature:
        signature[0] ^= 0x01
    return body + bytes(signature)


def main(argv):
    p = argparse.ArgumentParser(prog="pack-bundle.py", description="Pack and sign an ability bundle.")
    p.add_argument("ability")
    p.add_argument("version")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--elf")
    where.add_argument("--images")
    p.add_argument("--elf-check", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--abilities", default=os.path.join(ROOT, "manifests", "abilities.json"))
    p.add_argument("--doc")
    p.add_argument("--schema", default=os.path.join(ROOT, "schemas", "ability_v1_1.schema.json"))
    p.add_argument("--seed", default=os.path.join(ROOT, "keys", "release-demo.seed"))
    p.add_argument("--bad-signature", action="store_true")
    args = p.parse_args(argv)
    try:
        if not NAME.match(args.ability):
            raise Refused(f"bad ability name {args.ability!r}: 1..{NAME_MAX} bytes of [a-z][a-z0-9_-]*")
        if not VERSION.match(args.version) or int(args.version) > 0xFFFFFFFF:
            raise Refused(f"bad version {args.version!r}: a decimal number 1..4294967295")
        schema = load(args.schema)
        doc = document(args.ability, args, schema)
        elf_path = args.elf
        if elf_path is None:
            name = json.loads(doc)["abilities"][0].get("image")
            if name is None:
                raise Refused(f"the document of {args.ability} names no image: give --elf")
            elf_path = os.path.join(args.images, f"{name}.stripped")
        elf = image(elf_path, args.elf_check)
        bundle = pack(args.ability, int(args.version), doc, elf, seed_of(args.seed), args.bad_signature)
    except (OSError, json.JSONDecodeError, Refused) as exc:
        print(f"pack: {exc}", file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(bundle)
    os.replace(tmp, args.out)
    print(f"pack: {args.out}: {args.ability} version {args.version}, {len(bundle)} bytes "
          f"(document {len(doc)}, image {len(elf)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
