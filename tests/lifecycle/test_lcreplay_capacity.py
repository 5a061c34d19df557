#!/usr/bin/env python3
"""lcreplay at its core's capacity: exactly CAPACITY apps are taken, the next one is refused.

usage: test_lcreplay_capacity.py LCREPLAY CAPACITY

CAPACITY is the LC_MAX_ABILITIES the lcreplay binary was built with (meson passes it). The
refusal is the same at every capacity: an event of the app one past it prints the "full"
refusal and the replay goes on; a policy line for it stops the replay with exit 2.
"""

import json
import subprocess
import sys
import unittest

LCREPLAY = sys.argv[1] if len(sys.argv) > 1 else None
CAPACITY = int(sys.argv[2]) if len(sys.argv) > 2 else 0


def replay(lines):
    return subprocess.run([LCREPLAY], input="\n".join(lines) + "\n", capture_output=True, text=True, check=False)


def name(i):
    return f"a{i:04d}"


@unittest.skipUnless(LCREPLAY and CAPACITY, "needs the lcreplay path and its capacity")
class Capacity(unittest.TestCase):
    def test_exactly_capacity_apps_start_and_the_next_is_refused_full(self):
        lines = [f"0 {name(i)} start" for i in range(CAPACITY + 1)] + [f"10 {name(0)} ready fg",
                                                                      f"10 {name(CAPACITY)} start"]
        run = replay(lines)
        self.assertEqual(run.returncode, 0, run.stderr)
        want = [{"t": 0, "app": name(i), "from": "stopped", "to": "starting", "reason": "none"}
                for i in range(CAPACITY)]
        want.append({"t": 0, "app": name(CAPACITY), "event": "start", "error": "full"})
        want.append({"t": 10, "app": name(0), "from": "starting", "to": "runningFg", "reason": "none"})
        want.append({"t": 10, "app": name(CAPACITY), "event": "start", "error": "full"})
        self.assertEqual([json.loads(line) for line in run.stdout.splitlines()], want)

    def test_policy_lines_for_exactly_capacity_apps_are_accepted(self):
        run = replay([f"policy app={name(i)} initial_ms=250" for i in range(CAPACITY)])
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "", ""))

    def test_a_policy_line_one_past_capacity_stops_the_replay(self):
        run = replay([f"policy app={name(i)} initial_ms=250" for i in range(CAPACITY + 1)])
        self.assertEqual(run.returncode, 2)
        self.assertEqual(run.stderr,
                         f'lcreplay: line {CAPACITY + 1}: cannot add "{name(CAPACITY)}": all {CAPACITY} apps are taken\n')


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
