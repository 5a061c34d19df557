#!/usr/bin/env python3
"""scripts/gen-abilities.py: the checked-in ability manifest and good manifests become the
expected C table; each bad manifest is refused with its own message and writes no C.

usage: test_gen_abilities.py
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
GEN = os.path.join(ROOT, "scripts", "gen-abilities.py")
SCHEMA = os.path.join(ROOT, "schemas", "ability_v1_1.schema.json")
SYSTEM = os.path.join(ROOT, "manifests", "system.json")
MANIFESTS = os.path.join(HERE, "manifests")

DEFAULTS = {"initial_ms": 500, "factor_milli": 2000, "max_ms": 15000, "loop_threshold": 5,
            "loop_window_ms": 60000, "stable_reset_ms": 60000, "start_timeout_ms": 5000,
            "stop_timeout_ms": 5000, "cpu_budget_ms_per_min": 0, "slack_fg_ms": 5, "slack_bg_ms": 200}

# Each bad manifest and a part of the message that must refuse it.
BAD = {
    "duplicate-name.json": "ability one listed twice",
    "factor-four-decimals.json": "is not a multiple of 0.001",
    "image-path.json": "abilities[0].image: bin/one.elf is not a built-in image name",
    "max-below-initial-after-merge.json": "abilities[1]: merged policy: max_ms 1000 is below initial_ms 2000",
    "name-of-a-boot-task.json": "abilities[0].name: timed is taken by a boot task of the system manifest",
    "name-too-long.json": "name longer than 31 bytes",
    "no-abilities.json": "lists no abilities",
    "no-image.json": "abilities[0].image: missing: the OS manifest needs it",
    "no-start-mode.json": "abilities[0].start_mode: missing: the OS manifest needs it",
    "not-json.json": "Expecting value",
    "schema-unknown-key.json": 'abilities[0].restart: key "restart" is not allowed here',
}


def generate(manifest):
    """Run the generator; returns (exit status, stderr, {name: fields} or None)."""
    with tempfile.TemporaryDirectory() as out:
        out_h, out_c = os.path.join(out, "nx_abilities.h"), os.path.join(out, "nx_abilities.c")
        run = subprocess.run([sys.executable, GEN, manifest, SCHEMA, SYSTEM, out_h, out_c],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            return run.returncode, run.stderr, None if not os.listdir(out) else os.listdir(out)
        with open(out_h, encoding="utf-8") as f:
            count = int(re.search(r"#define NX_ABILITY_COUNT (\d+)", f.read()).group(1))
        with open(out_c, encoding="utf-8") as f:
            table = parse(f.read())
        assert len(table) == count, f"header says {count} abilities, table has {len(table)}"
        return 0, run.stderr, table


def parse(source):
    """{name: {field: value}} from the generated designated initializers, in order."""
    table, current = {}, None
    for field, value in re.findall(r"^\t+\.(\w+) = ([^{\n]+),$", source, re.M):
        if field == "name":
            current = table.setdefault(value.strip('"'), {})
        else:
            current[field] = value.strip('"') if value.startswith('"') else (
                value if value.startswith("APPMGR_") else int(value))
    return table


class GenAbilities(unittest.TestCase):
    def test_checked_in_manifest(self):
        status, err, table = generate(os.path.join(ROOT, "manifests", "abilities.json"))
        self.assertEqual(status, 0, err)
        self.assertEqual(list(table), ["hello", "spinner", "crasher", "sleepy", "stubborn",
                                       "storm-0", "storm-1", "storm-2", "storm-3", "dozer",
                                       "slowpoke"])
        crasher = {k: v for k, v in table["crasher"].items() if k in DEFAULTS}
        self.assertEqual(crasher, DEFAULTS, "crasher must use the default policy")
        self.assertGreater(table["spinner"]["cpu_budget_ms_per_min"], 0)
        self.assertEqual(table["sleepy"]["start_timeout_ms"], 1000)
        self.assertEqual(table["stubborn"]["stop_timeout_ms"], 1000)
        self.assertEqual(table["slowpoke"]["start_timeout_ms"], 60)
        self.assertEqual(table["dozer"]["cpu_budget_ms_per_min"], table["spinner"]["cpu_budget_ms_per_min"])
        for name, fields in table.items():
            with self.subTest(name):
                self.assertEqual(fields["image"], "abilities")
                self.assertIn(fields["start_mode"], ("APPMGR_MODE_FG", "APPMGR_MODE_BG"))

    def test_numbers_are_exact_and_policies_merge_in_order(self):
        status, err, table = generate(os.path.join(MANIFESTS, "good", "exact-numbers.json"))
        self.assertEqual(status, 0, err)
        one = dict(DEFAULTS, factor_milli=1001, max_ms=30000, slack_bg_ms=500)
        two = dict(DEFAULTS, initial_ms=500, factor_milli=2500, max_ms=30000, cpu_budget_ms_per_min=3000,
                   slack_bg_ms=250)
        self.assertEqual({k: v for k, v in table["one"].items() if k in DEFAULTS}, one)
        self.assertEqual({k: v for k, v in table["two"].items() if k in DEFAULTS}, two)
        self.assertEqual(table["one"]["start_mode"], "APPMGR_MODE_FG")
        self.assertEqual(table["two"]["start_mode"], "APPMGR_MODE_BG")
        self.assertEqual(table["one"]["health_window_ms"], 10000, "the schema's default")
        self.assertEqual(table["two"]["health_window_ms"], 25000, "the ability's own, exactly")
        self.assertEqual(table["one"]["fg_cpu_limit_ms"], 10000, "the schema's default")
        self.assertEqual(table["two"]["fg_cpu_limit_ms"], 750, "the ability's own, exactly")

    def test_longest_names_fit_a_task_name(self):
        status, err, table = generate(os.path.join(MANIFESTS, "good", "longest-name.json"))
        self.assertEqual(status, 0, err)
        self.assertEqual(list(table), ["a123456789012345678901234567890"])

    def test_bad_manifests_are_refused_with_their_reason(self):
        folder = os.path.join(MANIFESTS, "bad")
        self.assertEqual(sorted(BAD), sorted(os.listdir(folder)), "every bad manifest needs its message in BAD")
        for name, want in BAD.items():
            with self.subTest(name):
                path = os.path.join(folder, name)
                status, err, written = generate(path)
                self.assertEqual(status, 1, f"{name}: expected exit 1, got {status}: {err}")
                self.assertTrue(err.startswith(f"gen-abilities: {path}: "), f"{name}: {err!r}")
                self.assertIn(want, err, f"{name}: expected {want!r} in {err!r}")
                self.assertIsNone(written, f"{name}: C written despite the error: {written}")


if __name__ == "__main__":
    unittest.main()
