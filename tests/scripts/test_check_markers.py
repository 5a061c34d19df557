#!/usr/bin/env python3
"""Unit tests for scripts/check-markers.py on small transcripts."""

import contextlib
import importlib.util
import io
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "check-markers.py")
spec = importlib.util.spec_from_file_location("check_markers", SCRIPT)
cm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cm)

LADDER = """\
# boot first
[boot]
re:^kernel: boot hart=\\d+ harts=\\d+$
[ability]
appmgrd: backoff ms=500
appmgrd: backoff ms=1000
[end]
SELFTEST: end
"""

FORBIDDEN = """\
re:panic
SELFTEST: FAIL
"""

GOOD = """\
OpenSBI banner
kernel: boot hart=0 harts=2
appmgrd: backoff ms=500
noise
appmgrd: backoff ms=1000
SELFTEST: end guest_ms=1234
"""


class CheckMarkersTest(unittest.TestCase):
    def run_main(self, ladder, transcript, forbidden=None):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for name, text in (("ladder", ladder), ("uart", transcript), ("forbidden", forbidden)):
                p = os.path.join(d, name)
                if text is not None:
                    with open(p, "w", encoding="utf-8") as f:
                        f.write(text)
                paths.append(p)
            argv = [paths[0], paths[1]]
            if forbidden is not None:
                argv += ["--forbidden", paths[2]]
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                rc = cm.main(argv)
            return rc, out.getvalue()

    def test_ordered_ladder_passes(self):
        rc, out = self.run_main(LADDER, GOOD, FORBIDDEN)
        self.assertEqual(rc, 0, out)
        self.assertIn("ok (4 markers", out)

    def test_missing_marker_names_phase_and_marker(self):
        rc, out = self.run_main(LADDER, GOOD.replace("appmgrd: backoff ms=1000\n", ""), FORBIDDEN)
        self.assertEqual(rc, 1)
        self.assertIn("first_failed_phase: ability", out)
        self.assertIn("missing_marker: appmgrd: backoff ms=1000", out)
        self.assertIn("last 40 UART lines", out)

    def test_out_of_order_marker_is_missing(self):
        swapped = GOOD.replace("appmgrd: backoff ms=500\n", "").replace(
            "SELFTEST: end", "appmgrd: backoff ms=500\nSELFTEST: end")
        rc, out = self.run_main(LADDER, swapped)
        self.assertEqual(rc, 1)
        self.assertIn("missing_marker: appmgrd: backoff ms=1000", out)

    def test_fixed_marker_does_not_match_longer_number(self):
        rc, out = self.run_main("appmgrd: backoff ms=500\n", "appmgrd: backoff ms=5000\n")
        self.assertEqual(rc, 1)
        self.assertIn("missing_marker: appmgrd: backoff ms=500", out)

    def test_fixed_marker_matches_with_trailing_fields(self):
        rc, _ = self.run_main("SELFTEST: end\n", "SELFTEST: end guest_ms=7\r\n")
        self.assertEqual(rc, 0)

    def test_forbidden_line_fails_even_with_all_markers(self):
        rc, out = self.run_main(LADDER, GOOD + "kernel: panic: trap scause=0x5\n", FORBIDDEN)
        self.assertEqual(rc, 1)
        self.assertIn("forbidden_marker: re:panic", out)
        self.assertIn("forbidden_line: kernel: panic: trap scause=0x5", out)

    def test_every_forbidden_file_applies(self):
        with tempfile.TemporaryDirectory() as d:
            paths = {}
            for name, text in (("ladder", LADDER), ("uart", GOOD + "kernel: task timed ended: page fault\n"),
                               ("f1", FORBIDDEN), ("f2", "re:^kernel: task timed ended\n")):
                paths[name] = os.path.join(d, name)
                with open(paths[name], "w", encoding="utf-8") as f:
                    f.write(text)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                one = cm.main([paths["ladder"], paths["uart"], "--forbidden", paths["f1"]])
                both = cm.main([paths["ladder"], paths["uart"], "--forbidden", paths["f1"], "--forbidden", paths["f2"]])
            self.assertEqual(one, 0, out.getvalue())
            self.assertEqual(both, 1, out.getvalue())
            self.assertIn("forbidden_marker: re:^kernel: task timed ended", out.getvalue())

    def test_selftest_fail_is_forbidden(self):
        rc, out = self.run_main(LADDER, "SELFTEST: FAIL ipc route\n" + GOOD, FORBIDDEN)
        self.assertEqual(rc, 1)
        self.assertIn("forbidden_marker: SELFTEST: FAIL", out)

    def test_tail_is_limited_to_forty_lines(self):
        transcript = "".join(f"line {i}\n" for i in range(100))
        rc, out = self.run_main("never\n", transcript)
        self.assertEqual(rc, 1)
        self.assertIn("line 99", out)
        self.assertIn("line 60", out)
        self.assertNotIn("line 59\n", out)

    GROUP_LADDER = ("statefsd: ready\n{\nappmgrd: ready\n|\nkeystored: key created\nkeystored: ready\n}\n"
                    "selftest: start\n")

    def test_group_chains_interleave_in_any_way(self):
        for middle in ("appmgrd: ready\nkeystored: key created\nkeystored: ready\n",
                       "keystored: key created\nappmgrd: ready\nkeystored: ready\n",
                       "keystored: key created\nnoise\nkeystored: ready\nappmgrd: ready\n"):
            rc, out = self.run_main(self.GROUP_LADDER, "statefsd: ready\n" + middle + "selftest: start\n")
            self.assertEqual(rc, 0, middle + out)
            self.assertIn("ok (5 markers", out)

    def test_group_chain_keeps_its_order(self):
        transcript = "statefsd: ready\nkeystored: ready\nappmgrd: ready\nkeystored: key created\nselftest: start\n"
        rc, out = self.run_main(self.GROUP_LADDER, transcript)
        self.assertEqual(rc, 1)
        self.assertIn("missing_marker: keystored: ready", out)
        self.assertIn("markers_matched: 3", out)

    def test_group_member_before_the_marker_before_the_group_is_missing(self):
        transcript = "keystored: key created\nkeystored: ready\nstatefsd: ready\nappmgrd: ready\nselftest: start\n"
        rc, out = self.run_main(self.GROUP_LADDER, transcript)
        self.assertEqual(rc, 1)
        self.assertIn("missing_marker: keystored: key created", out)
        self.assertIn("markers_matched: 2", out)

    def test_marker_after_a_group_must_follow_every_member(self):
        transcript = "statefsd: ready\nappmgrd: ready\nkeystored: key created\nselftest: start\nkeystored: ready\n"
        rc, out = self.run_main(self.GROUP_LADDER, transcript)
        self.assertEqual(rc, 1)
        self.assertIn("missing_marker: selftest: start", out)

    def test_group_chains_take_distinct_lines(self):
        rc, out = self.run_main("{\nre:ready\n|\nre:ready\n}\n", "a: ready\n")
        self.assertEqual(rc, 1)
        self.assertIn("markers_matched: 1", out)
        rc, out = self.run_main("{\nre:ready\n|\nre:ready\n}\n", "a: ready\nb: ready\n")
        self.assertEqual(rc, 0, out)

    def test_unbalanced_nested_or_empty_groups_are_usage_errors(self):
        for ladder, why in (("{\na\n", "group not closed"), ("a\n}\n", "outside a group"),
                            ("a\n|\nb\n", "outside a group"), ("{\n{\na\n}\n}\n", "inside"),
                            ("{\n}\na\n", "empty chain"), ("{\na\n|\n}\n", "empty chain"),
                            ("{\n[phase]\na\n}\n", "phase inside")):
            rc, out = self.run_main(ladder, GOOD)
            self.assertEqual(rc, 2, ladder)
            self.assertIn(why, out)

    def test_bad_regex_is_a_usage_error(self):
        rc, out = self.run_main("re:(unclosed\n", GOOD)
        self.assertEqual(rc, 2)
        self.assertIn("bad regex", out)

    def test_empty_ladder_is_a_usage_error(self):
        rc, _ = self.run_main("# nothing\n", GOOD)
        self.assertEqual(rc, 2)

    def test_missing_transcript_is_a_usage_error(self):
        rc, out = self.run_main(LADDER, None)
        self.assertEqual(rc, 2)
        self.assertIn("cannot read transcript", out)


if __name__ == "__main__":
    unittest.main()
