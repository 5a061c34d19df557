#!/usr/bin/env python3
"""`just pack` (scripts/pack-bundle.py) and the release key.

usage: test_pack_bundle.py BUNDLE_DRIVER NX_ELFCHECK

What pack-bundle.py writes (signed with python3-cryptography, OpenSSL) is parsed by the C
parser and verified by the project's Ed25519 (libsodium) against the system manifest's
release key, through tests/proto/bundle_driver.c; every malformed input is refused with exit
status 1, a first line that says why, and no file written. The image is the seed corpus's
linker-layout ELF (tests/fuzz/corpus/fuzz_elf_check), which the kernel's validator accepts.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PACK = os.path.join(ROOT, "scripts", "pack-bundle.py")
ELF = os.path.join(ROOT, "tests", "fuzz", "corpus", "fuzz_elf_check", "linker-layout")
SEED = os.path.join(ROOT, "keys", "release-demo.seed")
SYSTEM = os.path.join(ROOT, "manifests", "system.json")
DRIVER = sys.argv[1] if len(sys.argv) > 1 else None
ELFCHECK = sys.argv[2] if len(sys.argv) > 2 else None
ELF_MAX = 65536


def release_key():
    with open(SYSTEM, encoding="utf-8") as f:
        return json.load(f)["release_key"]


class Pack(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.dir.name, "out.bundle")

    def tearDown(self):
        self.dir.cleanup()

    def file(self, name, data):
        path = os.path.join(self.dir.name, name)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return path

    def pack(self, ability, version, *extra, elf=ELF):
        args = [sys.executable, PACK, ability, version, "--elf", elf, "--elf-check", ELFCHECK, "--out", self.out]
        return subprocess.run(args + list(extra), capture_output=True, text=True, check=False)

    def driver(self, path):
        return subprocess.run([DRIVER, path, release_key()], capture_output=True, text=True, check=False)

    def packed(self, ability, version, *extra, elf=ELF):
        run = self.pack(ability, version, *extra, elf=elf)
        self.assertEqual(run.returncode, 0, run.stderr)
        return self.driver(self.out)

    def refused(self, why, ability, version, *extra, elf=ELF):
        run = self.pack(ability, version, *extra, elf=elf)
        self.assertEqual(run.returncode, 1, f"expected a refusal ({why}), got {run.returncode}: {run.stdout}")
        first = run.stderr.splitlines()[0] if run.stderr else ""
        self.assertRegex(first, why)
        self.assertFalse(os.path.exists(self.out), "a refused pack wrote its output")

    def test_a_packed_bundle_parses_and_verifies_with_the_manifests_key(self):
        run = self.packed("hello", "2")
        self.assertEqual(run.returncode, 0, run.stdout)
        size = os.path.getsize(ELF)
        self.assertRegex(run.stdout, rf"^ok hello 2 \d+ {size}$")
        with open(self.out, "rb") as f:
            data = f.read()
        doc_len = int(run.stdout.split()[3])
        doc = json.loads(data[52:52 + doc_len])
        self.assertEqual(doc["abilities"], [{"name": "hello", "image": "abilities", "start_mode": "fg"}])
        with open(ELF, "rb") as f:
            self.assertEqual(data[52 + doc_len:-64], f.read(), "the image is carried unchanged")

    def test_packing_twice_gives_the_same_bytes(self):
        self.packed("spinner", "7")
        with open(self.out, "rb") as f:
            first = f.read()
        os.remove(self.out)
        self.packed("spinner", "7")
        with open(self.out, "rb") as f:
            self.assertEqual(f.read(), first)

    def test_a_bad_signature_bundle_parses_but_does_not_verify(self):
        run = self.packed("hello", "4", "--bad-signature")
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stdout.strip(), "signature: signature does not verify")

    def test_versions_1_and_uint32_max_are_taken(self):
        self.assertRegex(self.packed("hello", "1").stdout, r"^ok hello 1 ")
        os.remove(self.out)
        self.assertRegex(self.packed("hello", "4294967295").stdout, r"^ok hello 4294967295 ")

    def test_bad_versions_are_refused(self):
        for version in ["0", "4294967296", "-1", "1.5", "two", "02", ""]:
            with self.subTest(version):
                self.refused(r"^pack: bad version", "hello", version)

    def test_an_unknown_ability_is_refused(self):
        self.refused(r"^pack: unknown ability nobody", "nobody", "2")

    def test_a_bad_ability_name_is_refused(self):
        self.refused(r"^pack: bad ability name", "Hello", "2")
        self.refused(r"^pack: bad ability name", "a" * 32, "2")

    def test_a_document_failing_the_schema_is_refused(self):
        bad = self.file("bad.json", json.dumps({"schema_version": "1.1", "abilities": [
            {"name": "hello", "image": "abilities", "policy": {"factor": 0.5}}]}))
        self.refused(r"^pack: .*bad\.json: the document fails the ability schema: abilities/0/policy/factor",
                     "hello", "2", "--doc", bad)
        extra = self.file("extra.json", json.dumps({"schema_version": "1.1", "abilities": [
            {"name": "hello", "image": "abilities", "colour": "blue"}]}))
        self.refused(r"fails the ability schema", "hello", "2", "--doc", extra)

    def test_a_document_of_another_or_more_abilities_is_refused(self):
        other = self.file("other.json", json.dumps({"schema_version": "1.1", "abilities": [{"name": "spinner"}]}))
        self.refused(r"must describe exactly the ability hello", "hello", "2", "--doc", other)
        two = self.file("two.json", json.dumps({"schema_version": "1.1", "abilities": [{"name": "hello"},
                                                                                       {"name": "x"}]}))
        self.refused(r"must describe exactly the ability hello", "hello", "2", "--doc", two)

    def test_a_document_of_its_own_is_packed_as_given(self):
        doc = self.file("own.json", json.dumps({"schema_version": "1.1", "abilities": [
            {"name": "hello", "policy": {"factor": 1.001, "health_window_ms": 20000}}]}))
        run = self.packed("hello", "3", "--doc", doc)
        self.assertEqual(run.returncode, 0, run.stdout)
        with open(self.out, "rb") as f:
            data = f.read()
        self.assertIn(b'"factor":1.001', data)
        self.assertIn(b'"health_window_ms":20000', data)

    def test_an_image_the_kernel_would_refuse_is_refused(self):
        with open(ELF, "rb") as f:
            good = f.read()
        self.refused(r"^pack: the kernel would refuse the image: .*not a valid task image", "hello", "2",
                     elf=self.file("magic.elf", b"\x7fELG" + good[4:]))
        self.refused(r"^pack: the kernel would refuse the image: .*not a valid task image", "hello", "2",
                     elf=self.file("cut.elf", good[:100]))
        self.refused(r"^pack: .*empty image", "hello", "2", elf=self.file("empty.elf", b""))

    def test_an_image_of_elf_max_bytes_is_taken_and_one_more_refused(self):
        with open(ELF, "rb") as f:
            good = f.read()
        # The validator reads no section header: bytes after the segments change nothing.
        biggest = self.file("max.elf", good + bytes(ELF_MAX - len(good)))
        run = self.packed("hello", "2", elf=biggest)
        self.assertRegex(run.stdout, rf"^ok hello 2 \d+ {ELF_MAX}$")
        os.remove(self.out)
        self.refused(r"above the 65536 bytes the kernel spawns from", "hello", "2",
                     elf=self.file("over.elf", good + bytes(ELF_MAX + 1 - len(good))))

    def test_a_bad_seed_is_refused(self):
        self.refused(r"not a seed", "hello", "2", "--seed", self.file("seed", "12ab\n"))

    def test_a_missing_image_option_is_a_usage_error(self):
        run = subprocess.run([sys.executable, PACK, "hello", "2", "--elf-check", ELFCHECK, "--out", self.out],
                             capture_output=True, text=True, check=False)
        self.assertEqual(run.returncode, 2)


class ReleaseKey(unittest.TestCase):
    def test_the_manifests_release_key_is_the_demo_seeds(self):
        with open(SEED, encoding="ascii") as f:
            seed = bytes.fromhex(f.read().strip())
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.assertEqual(release_key(), public.hex())

    def test_gen_manifest_emits_the_key_for_the_user_side_only(self):
        with tempfile.TemporaryDirectory() as d:
            outs = [os.path.join(d, n) for n in ("nx_manifest.h", "nx_manifest.c", "ks_boot_table.c")]
            run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-manifest.py"), SYSTEM,
                                  os.path.join(ROOT, "schemas", "system_v1.schema.json")] + outs,
                                 capture_output=True, text=True, check=False)
            self.assertEqual(run.returncode, 0, run.stderr)
            texts = []
            for path in outs:
                with open(path, encoding="utf-8") as f:
                    texts.append(f.read())
        body = re.search(r"nx_release_key\[NX_RELEASE_KEY_LEN\] = \{(.*?)\};", texts[1], re.S).group(1)
        self.assertEqual(bytes(int(b, 16) for b in re.findall(r"0x([0-9a-f]{2})", body)).hex(), release_key())
        self.assertIn("#define NX_RELEASE_KEY_LEN 32", texts[0])
        self.assertNotIn("release", texts[2].lower(), "the kernel's boot table carries no key")


if __name__ == "__main__":
    if DRIVER is None or ELFCHECK is None:
        sys.exit("usage: test_pack_bundle.py BUNDLE_DRIVER NX_ELFCHECK")
    unittest.main(argv=sys.argv[:1])
