#!/usr/bin/env python3
"""Limits that a C header and a JSON schema or a script both state agree: each has one
source (include/nx/, kernel-shim/config.h), and whatever cannot include it is checked against
it here."""

import importlib.util
import json
import os
import re
import sys
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
from abi import KERNEL, define  # noqa: E402

NAME_MAX = define("NX_NAME_MAX")


class Limits(unittest.TestCase):
    def test_system_manifest_names_are_task_names(self):
        with open(os.path.join(ROOT, "schemas", "system_v1.schema.json"), encoding="utf-8") as f:
            pattern = re.compile(json.load(f)["$defs"]["name"]["pattern"])
        self.assertTrue(pattern.match("a" * NAME_MAX), f"a {NAME_MAX}-byte name is refused")
        self.assertFalse(pattern.match("a" * (NAME_MAX + 1)), f"a {NAME_MAX + 1}-byte name is accepted")

    def test_boot_task_bound_of_the_generator_is_the_kernels_task_table(self):
        path = os.path.join(ROOT, "scripts", "gen-manifest.py")
        spec = importlib.util.spec_from_file_location("gen_manifest", path)
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        table = define("KS_MAX_TASKS", "config.h", KERNEL)
        self.assertEqual(gen.TASK_TABLE, table)
        self.assertEqual(table, define("NX_TASK_MAX", "nx/abi.h"))


if __name__ == "__main__":
    unittest.main()
