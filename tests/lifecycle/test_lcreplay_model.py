#!/usr/bin/env python3
"""Differential test: lcreplay (the C core) against the reference model of
scripts/gen-lifecycle-trace.py on random traces: random valid policies, a fifth of the events
drawn whatever the state, timer ties, and more apps than the core holds.

usage: test_lcreplay_model.py LCREPLAY [CAPACITY]

CAPACITY is the LC_MAX_ABILITIES lcreplay was built with (default 32).
"""

import importlib.util
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "scripts", "gen-lifecycle-trace.py")
spec = importlib.util.spec_from_file_location("gen_lifecycle_trace", GEN)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

LCREPLAY = sys.argv[1] if len(sys.argv) > 1 else None
CAPACITY = int(sys.argv[2]) if len(sys.argv) > 2 else gen.CAPACITY


def replay(lines):
    run = subprocess.run([LCREPLAY], input="\n".join(lines) + "\n", capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise AssertionError(f"lcreplay exited {run.returncode}: {run.stderr.strip()}")
    return [json.loads(line) for line in run.stdout.splitlines()]


class LcreplayAgreesWithTheModel(unittest.TestCase):
    def check(self, seed, apps, events, invalid, random_policies):
        lines, want = gen.generate(seed, apps, events, invalid, random_policies, CAPACITY)
        got = replay(lines)
        for n, (w, g) in enumerate(zip(want, got), 1):
            if w != g:
                self.fail(f"seed {seed}: output line {n}: model {json.dumps(w)}\n"
                          f"{' ' * len(str(seed))}        lcreplay {json.dumps(g)}\n"
                          f"(reproduce: {GEN} --seed {seed} --apps {apps} --events {events} --invalid {invalid}"
                          f" --capacity {CAPACITY}"
                          f"{' --random-policies' if random_policies else ''} --expected model.out)")
        self.assertEqual(len(got), len(want), f"seed {seed}: number of output lines")

    @unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
    def test_random_policies_and_events(self):
        for seed in range(1, 26):
            with self.subTest(seed=seed):
                self.check(seed, apps=5, events=2000, invalid=0.2, random_policies=True)

    @unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
    def test_more_apps_than_the_core_holds(self):
        # The model scans its apps on every event: one seed at a large capacity keeps this short.
        for seed in range(1, 4 if CAPACITY <= 64 else 2):
            with self.subTest(seed=seed):
                self.check(seed, apps=CAPACITY + 4, events=3000, invalid=0.1, random_policies=False)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
