#!/usr/bin/env python3
"""Unit tests for scripts/check-key-leak.py on made-up transcripts and disk images."""

import contextlib
import importlib.util
import io
import os
import struct
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "check-key-leak.py")
spec = importlib.util.spec_from_file_location("check_key_leak", SCRIPT)
kl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kl)
markers_spec = importlib.util.spec_from_file_location(
    "check_markers", os.path.join(HERE, "..", "..", "scripts", "check-markers.py"))
cm = importlib.util.module_from_spec(markers_spec)
markers_spec.loader.exec_module(cm)

with open(kl.RNG_FILE, "rb") as f:
    SEED = f.read()[:kl.SEED_LEN]
PUBKEY = kl.public_key(SEED).hex()
SECRETS = kl.secrets(SEED)
GOOD = f"statefsd: ready\nkeystored: key created pubkey={PUBKEY}\nkeystored: ready\nSELFTEST: end\n".encode()


def seed_record(key=kl.SEED_KEY, value=SEED, kind=kl.RECORD_PUT):
    """A statefs record as docs/statefs.md lays it out (the CRC is not looked at)."""
    return struct.pack("<IBBHQII", kl.RECORD_MAGIC, kind, len(key), len(value), 7, 1, 0) + key + value


class CheckKeyLeakTest(unittest.TestCase):
    def run_main(self, transcript, disk=None):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "uart.log")
            with open(log, "wb") as f:
                f.write(transcript)
            argv = [log]
            if disk is not None:
                argv.append(os.path.join(d, "disk.img"))
                with open(argv[1], "wb") as f:
                    f.write(disk)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                rc = kl.main(argv)
            return rc, out.getvalue()

    def test_clean_transcript_and_disk_pass(self):
        disk = bytes(1024) + seed_record() + bytes(1024) + seed_record()
        rc, out = self.run_main(GOOD, disk)
        self.assertEqual(rc, 0, out)
        self.assertIn("the seed only in 2 record(s)", out)

    def test_seed_in_hex_in_the_transcript_fails(self):
        for text in (SEED[4:12].hex(), SEED[24:32].hex().upper(), " ".join(f"{b:02x}" for b in SEED[:8])):
            rc, out = self.run_main(GOOD + f"debug: {text}\n".encode())
            self.assertEqual(rc, 1, text)
            self.assertIn("transcript, in hex: 1 window(s) of the seed", out)

    def test_seed_raw_in_the_transcript_fails(self):
        rc, out = self.run_main(GOOD + SEED[10:18] + b"\n")
        self.assertEqual(rc, 1)
        self.assertIn("transcript, raw: 1 window(s) of the seed, the first its bytes 10..17", out)

    def test_seven_bytes_of_the_seed_are_not_a_leak(self):
        rc, out = self.run_main(GOOD + SEED[:7].hex().encode() + b"\n", bytes(64) + SEED[:7] + bytes(64))
        self.assertEqual(rc, 0, out)

    def test_signing_scalar_and_prefix_in_the_transcript_fail(self):
        for name in ("hashed scalar", "clamped scalar", "nonce prefix"):
            rc, out = self.run_main(GOOD + SECRETS[name].hex().encode() + b"\n")
            self.assertEqual(rc, 1, name)
            self.assertIn(f"in hex: 25 window(s) of the {name}", out)

    def test_seed_on_the_disk_outside_its_record_fails(self):
        for disk in (bytes(100) + SEED + bytes(100),
                     seed_record(key=b"/selftest/stolen"),
                     seed_record(key=b"/keystored/seeD"),
                     seed_record(kind=2),
                     seed_record(value=SEED + b"x")):
            rc, out = self.run_main(GOOD, disk)
            self.assertEqual(rc, 1, disk[:40])
            self.assertIn("disk, outside keystored's seed record: 25 window(s) of the seed", out)

    def test_scalar_on_the_disk_fails(self):
        rc, out = self.run_main(GOOD, seed_record() + SECRETS["clamped scalar"])
        self.assertEqual(rc, 1)
        self.assertIn("25 window(s) of the clamped scalar", out)

    def test_another_public_key_fails_as_unchecked(self):
        other = GOOD.replace(PUBKEY.encode(), b"00" * 32)
        rc, out = self.run_main(other)
        self.assertEqual(rc, 1)
        self.assertIn("nothing was checked", out)

    def test_no_key_line_fails(self):
        rc, out = self.run_main(b"statefsd: ready\n")
        self.assertEqual(rc, 1)
        self.assertIn("nothing to check against", out)

    def test_missing_disk_is_a_usage_error(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            rc = kl.main([os.devnull, "/nonexistent/disk.img"])
        self.assertEqual(rc, 2)
        self.assertIn("cannot read disk image", err.getvalue())


class CheckMarkersKeyLeakTest(unittest.TestCase):
    """check-markers.py --key-leak DISK: the leak check in the marker checker's process."""

    def run_markers(self, ladder, transcript, disk):
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, n) for n in ("ladder", "uart.log", "disk.img")]
            for path, data in zip(paths, (ladder.encode(), transcript, disk)):
                with open(path, "wb") as f:
                    f.write(data)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                rc = cm.main([paths[0], paths[1], "--key-leak", paths[2]])
            return rc, out.getvalue()

    def test_ladder_and_clean_disk_pass_with_both_reports(self):
        rc, out = self.run_markers("keystored: ready\nSELFTEST: end\n", GOOD, seed_record())
        self.assertEqual(rc, 0, out)
        self.assertIn("check-markers: ok", out)
        self.assertIn("check-key-leak: ok", out)

    def test_leak_after_a_passing_ladder_is_status_3(self):
        rc, out = self.run_markers("SELFTEST: end\n", GOOD, bytes(64) + SEED + bytes(64))
        self.assertEqual(rc, 3, out)
        self.assertIn("check-markers: ok", out)
        self.assertIn("check-key-leak: FAIL", out)

    def test_failed_ladder_is_status_1_and_skips_the_leak_check(self):
        rc, out = self.run_markers("SELFTEST: never\n", GOOD, bytes(64) + SEED + bytes(64))
        self.assertEqual(rc, 1, out)
        self.assertNotIn("check-key-leak", out)

    def test_missing_disk_is_status_2(self):
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as d:
            ladder, log = os.path.join(d, "ladder"), os.path.join(d, "uart.log")
            with open(ladder, "w", encoding="ascii") as f:
                f.write("SELFTEST: end\n")
            with open(log, "wb") as f:
                f.write(GOOD)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                rc = cm.main([ladder, log, "--key-leak", os.path.join(d, "none.img")])
        self.assertEqual(rc, 2, out.getvalue())


if __name__ == "__main__":
    unittest.main()
