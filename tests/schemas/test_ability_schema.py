#!/usr/bin/env python3
"""schemas/ability_v1_1.schema.json: the good and bad example documents, and agreement with the
lifecycle core's header and with lcreplay.

usage: test_ability_schema.py [LCREPLAY]  (without it, the lcreplay checks are skipped)

Numbers are loaded as decimal.Decimal and integral decimals count as integers, as JSON Schema
defines them: with binary floats python-jsonschema rejects valid factors such as 1.001 under
multipleOf 0.001 (1.001 / 0.001 = 1000.9999999999999).
"""

import os
import re
import subprocess
import sys
import unittest

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
from ability_doc import Validator, load  # noqa: E402
SCHEMA = os.path.join(ROOT, "schemas", "ability_v1_1.schema.json")
HEADER = os.path.join(ROOT, "include", "lc", "lifecycle.h")
LCREPLAY = sys.argv[1] if len(sys.argv) > 1 else None

# Each bad example and the keyword that must reject it.
BAD = {
    "abilities-not-array.json": "type",
    "bad-name.json": "pattern",
    "bad-start-mode.json": "enum",
    "cpu-budget-above-a-minute.json": "maximum",
    "empty-image.json": "pattern",
    "fg-cpu-limit-above-one-day.json": "maximum",
    "factor-above-100.json": "maximum",
    "factor-as-string.json": "type",
    "factor-below-one.json": "minimum",
    "factor-four-decimals.json": "multipleOf",
    "health-window-zero.json": "minimum",
    "initial-ms-zero.json": "minimum",
    "loop-threshold-above-history.json": "maximum",
    "max-ms-above-one-day.json": "maximum",
    "missing-abilities.json": "required",
    "missing-name.json": "required",
    "missing-schema-version.json": "required",
    "ms-not-integer.json": "type",
    "name-too-long.json": "pattern",
    "negative-stable-reset.json": "minimum",
    "negative-fg-cpu-limit.json": "minimum",
    "negative-timer-slack.json": "minimum",
    "stop-timeout-zero.json": "minimum",
    "too-many-abilities.json": "maxItems",
    "unknown-ability-key.json": "additionalProperties",
    "unknown-policy-key.json": "additionalProperties",
    "unknown-top-level-key.json": "additionalProperties",
    "wrong-schema-version.json": "const",
}


def examples(kind):
    folder = os.path.join(HERE, kind)
    return sorted((name, os.path.join(folder, name)) for name in os.listdir(folder) if name.endswith(".json"))


def lcreplay(policy_file):
    return subprocess.run([LCREPLAY, "--policy", policy_file], input="", capture_output=True, text=True, check=False)


class AbilitySchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = load(SCHEMA)
        cls.validator = Validator(cls.schema)

    def test_schema_is_a_valid_2020_12_schema(self):
        jsonschema.Draft202012Validator.check_schema(self.schema)

    def test_good_examples_are_valid(self):
        for name, path in examples("good"):
            with self.subTest(name):
                errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                          for e in self.validator.iter_errors(load(path))]
                self.assertEqual(errors, [], f"{name}: expected valid")

    def test_bad_examples_fail_for_their_reason(self):
        self.assertEqual(sorted(BAD), [name for name, _ in examples("bad")],
                         "every bad example needs its expected keyword in BAD")
        for name, path in examples("bad"):
            with self.subTest(name):
                keywords = sorted({e.validator for e in self.validator.iter_errors(load(path))})
                self.assertIn(BAD[name], keywords, f"{name}: expected a {BAD[name]!r} error, got {keywords}")

    def test_defaults_and_bounds_match_the_core(self):
        with open(HEADER, encoding="utf-8") as f:
            header = f.read()

        def macro(name):
            return int(re.search(rf"#define {name} (\d+)U?\b", header).group(1))

        core_defaults = dict(re.findall(r"\.(\w+) = (\d+)", re.search(
            r"#define LC_POLICY_DEFAULT(.*?)\n\n", header, re.S).group(1)))
        policy = self.schema["$defs"]["policy"]["properties"]
        for key, value in core_defaults.items():
            with self.subTest(key):
                if key == "factor_milli":
                    self.assertEqual(policy["factor"]["default"] * 1000, int(value))
                else:
                    self.assertEqual(policy[key]["default"], int(value), f"default of {key}")
        defs = self.schema["$defs"]
        self.assertEqual(defs["ms"]["maximum"], macro("LC_MS_MAX"))
        self.assertEqual(policy["loop_threshold"]["maximum"], macro("LC_HISTORY_LEN"))
        self.assertEqual(policy["factor"]["minimum"] * 1000, macro("LC_FACTOR_MILLI_MIN"))
        self.assertEqual(policy["factor"]["maximum"] * 1000, macro("LC_FACTOR_MILLI_MAX"))
        self.assertEqual(self.schema["properties"]["abilities"]["maxItems"], macro("LC_MAX_ABILITIES"))

    @unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
    def test_lcreplay_accepts_exactly_the_valid_documents(self):
        for name, path in examples("good"):
            with self.subTest(name):
                run = lcreplay(path)
                self.assertEqual(run.returncode, 0, f"{name}: expected exit 0, got {run.returncode}: {run.stderr}")
        for name, path in examples("bad"):
            with self.subTest(name):
                run = lcreplay(path)
                self.assertEqual(run.returncode, 2, f"{name}: expected exit 2, got {run.returncode}")
                self.assertTrue(run.stderr.startswith(f"lcreplay: {path}: "),
                                f"{name}: expected a message naming the file, got {run.stderr!r}")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
