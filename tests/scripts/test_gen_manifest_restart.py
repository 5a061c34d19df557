#!/usr/bin/env python3
"""scripts/gen-manifest.py and service restart policies: a service with a `restart` block is
supervised by the service supervisor (its boot table entry names it, its policy is in
nx_supervised with the defaults filled in); every other task by the root supervisor; a
manifest that gives a supervisor a restart policy, or restart policies without a service
supervisor, is refused with a message naming it; a key outside the policy's bounds is
refused by the schema, one at the bound is taken."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GEN = os.path.join(ROOT, "scripts", "gen-manifest.py")
SCHEMA = os.path.join(ROOT, "schemas", "system_v1.schema.json")
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3


def fnv(name):
    h = FNV_OFFSET
    for b in name.encode():
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def load():
    with open(os.path.join(ROOT, "manifests", "system.json"), encoding="utf-8") as f:
        return json.load(f)


def service(doc, name):
    return next(s for s in doc["services"] if s["name"] == name)


class GenRestart(unittest.TestCase):
    def run_gen(self, doc):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "system.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            outs = [os.path.join(d, n) for n in ("m.h", "m.c", "boot.c")]
            r = subprocess.run([sys.executable, GEN, path, SCHEMA, *outs], capture_output=True, text=True, check=False)
            texts = []
            for o in outs:
                texts.append(open(o, encoding="utf-8").read() if os.path.exists(o) else "")
            return r, texts

    def test_restarted_services_are_supervised_by_the_service_supervisor_others_by_the_root(self):
        doc = load()
        r, (h, c, boot) = self.run_gen(doc)
        self.assertEqual(r.returncode, 0, r.stderr)
        restarted = [s["name"] for s in doc["services"] if "restart" in s]
        self.assertIn(f"#define NX_SUPERVISED_COUNT {len(restarted)}", h)
        for t in doc["services"] + doc["fixtures"]:
            sup = doc["service_supervisor"] if t["name"] in restarted else doc["supervisor"]
            entry = boot.split(f'.name = "{t["name"]}",', 1)[1].split("},", 1)[0]
            self.assertIn(f".supervisor_id = 0x{fnv(sup):016x}ULL", entry, t["name"])

    def test_keys_left_out_take_the_core_defaults_and_a_bound_is_taken(self):
        doc = load()
        service(doc, "timed")["restart"] = {"loop_threshold": 16}
        r, (_, c, _) = self.run_gen(doc)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('{ "timed", "timed", 500, 15000, 16, 60000, 60000 },', c)

    def test_a_restart_policy_on_a_supervisor_is_refused(self):
        for sup in ("supervisor", "service_supervisor"):
            doc = load()
            service(doc, doc[sup])["restart"] = {}
            r, _ = self.run_gen(doc)
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"supervisor {doc[sup]} has a restart policy", r.stderr)

    def test_restart_policies_without_a_service_supervisor_are_refused(self):
        doc = load()
        del doc["service_supervisor"]
        r, _ = self.run_gen(doc)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no service_supervisor is a service", r.stderr)

    def test_one_past_a_bound_is_refused(self):
        for key, bad in (("loop_threshold", 17), ("initial_ms", 0)):
            doc = load()
            service(doc, "timed")["restart"] = {key: bad}
            r, _ = self.run_gen(doc)
            self.assertEqual(r.returncode, 1, f"{key}={bad} accepted")
            self.assertIn("restart", r.stderr)


if __name__ == "__main__":
    unittest.main()
