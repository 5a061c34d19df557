#!/usr/bin/env python3
"""Generate a deterministic lcreplay trace, and what lcreplay must print for it.

    gen-lifecycle-trace.py [--seed N] [--apps N] [--events N] [--invalid P] [--random-policies]
                           [--capacity N] [--shards K] [--expected FILE] [-o TRACE]

The same arguments always give the same trace. Events follow each app's state as a small
reference model of the lifecycle rules (docs/ability/overview.md) sees it, so most are
accepted; a share --invalid of them is drawn at random whatever the state. --expected writes
the model's output, one JSON object per line, for comparison with lcreplay's. --capacity is
the core's (LC_MAX_ABILITIES, 32 by default): apps past it are refused with "full".

--shards K merges, by time, K traces of --apps apps each (seeds seed .. seed+K-1, apps
named sKK-appNN, --events / K lines each), cut where the first of them ends: each app sees the
same kind of event stream at the same rate as in one trace, only K times as many apps share
the core. That is how the core is
measured at 32, 256 and 1024 abilities on the same trace shape (`--apps 32 --shards 1/8/32`).

Uses: a long trace for measuring the core (`--apps 32 --events 120000`), and many short
random ones for the differential test tests/lifecycle/test_lcreplay_model.py.
"""

import argparse
import heapq
import json
import random
import sys

DEFAULT_POLICY = {
    "initial_ms": 500, "factor": 2000, "max_ms": 15000, "loop_threshold": 5, "loop_window_ms": 60000,
    "stable_reset_ms": 60000, "start_timeout_ms": 5000, "stop_timeout_ms": 5000,
}  # factor in thousandths
RESTARTS = ("crash", "oom", "signal")
REASONS = ("none", "crash", "policy", "oom", "signal", "request")
RUNNING = ("starting", "runningFg", "runningBg")
HISTORY_LEN = 16
CAPACITY = 32


class App:
    def __init__(self, name, order):
        self.name, self.order = name, order
        self.policy = dict(DEFAULT_POLICY)
        self.state, self.reason = "stopped", "none"
        self.count, self.delay = 0, 0
        self.deaths = []  # times of the last HISTORY_LEN restartable deaths
        self.ready_at = None  # time of ready in the current run, if it got that far
        self.deadline = None  # the pending timer, if any


class Model:
    """The lifecycle rules, written from the issue's text, independently of the C core."""

    def __init__(self, capacity=CAPACITY):
        self.capacity = capacity
        self.apps = {}
        self.out = []

    def app(self, name):
        if name not in self.apps and len(self.apps) < self.capacity:
            self.apps[name] = App(name, len(self.apps))
        return self.apps.get(name)

    def change(self, a, t, to, reason, delay=None, timeout=False):
        line = {"t": t, "app": a.name, "from": a.state, "to": to, "reason": reason}
        if to == "backoff":
            line["delay_ms"] = delay
        if timeout:
            line["timeout"] = True
        self.out.append(line)
        a.state, a.reason = to, reason
        a.deadline = {"starting": t + a.policy["start_timeout_ms"], "stopping": t + a.policy["stop_timeout_ms"],
                      "backoff": t + (delay or 0)}.get(to)
        if to == "starting":
            a.ready_at = None

    def died(self, a, t, reason, timeout=False):
        if reason not in RESTARTS:
            self.change(a, t, "stopped", reason, timeout=timeout)
            return
        p = a.policy
        a.deaths = (a.deaths + [t])[-HISTORY_LEN:]
        if a.ready_at is not None and p["stable_reset_ms"] and t - a.ready_at >= p["stable_reset_ms"]:
            a.count = 0
        a.count = min(a.count + 1, 65535)
        recent = sum(1 for d in a.deaths if t - d < p["loop_window_ms"])
        self.change(a, t, "crashed", reason, timeout=timeout)
        if p["loop_threshold"] and recent >= p["loop_threshold"]:
            self.change(a, t, "blocked", reason, timeout=timeout)
            return
        a.delay = p["initial_ms"] if a.count == 1 else min(p["max_ms"], a.delay * p["factor"] // 1000)
        self.change(a, t, "backoff", reason, delay=a.delay, timeout=timeout)

    def advance(self, now):
        while True:
            due = [a for a in self.apps.values() if a.deadline is not None and a.deadline <= now]
            if not due:
                return
            a = min(due, key=lambda x: (x.deadline, x.order))
            t = a.deadline
            if a.state == "starting":
                self.died(a, t, "crash", timeout=True)
            elif a.state == "stopping":
                self.died(a, t, a.reason, timeout=True)
            else:
                self.change(a, t, "starting", a.reason)

    def event(self, t, name, ev, arg=None):
        self.advance(t)
        a = self.app(name)
        if a is None:
            return self.refuse(t, name, ev, "full")
        s = a.state
        if ev == "start" and s == "stopped":
            self.change(a, t, "starting", "none")
        elif ev == "start" and s == "blocked":
            self.refuse(t, name, ev, "blocked")
        elif ev == "ready" and s == "starting":
            a.ready_at = t
            self.change(a, t, "runningFg" if arg == "fg" else "runningBg", "none")
        elif ev == "fg" and s == "runningBg":
            self.change(a, t, "runningFg", "none")
        elif ev == "bg" and s == "runningFg":
            self.change(a, t, "runningBg", "none")
        elif ev == "stop" and s in RUNNING:
            self.change(a, t, "stopping", "request")
        elif ev == "stop" and s == "backoff":
            self.change(a, t, "stopped", "request")
        elif ev == "kill" and s in RUNNING:
            self.change(a, t, "stopping", arg)
        elif ev == "exit" and s == "stopping":
            self.died(a, t, a.reason)
        elif ev == "exit" and s in RUNNING:
            self.died(a, t, arg)
        elif ev == "unblock" and s == "blocked":
            a.deaths, a.count, a.delay = [], 0, 0
            self.change(a, t, "stopped", "none")
        else:
            self.refuse(t, name, ev, "invalid_transition")
        return None

    def refuse(self, t, name, ev, error):
        self.out.append({"t": t, "app": name, "event": ev, "error": error})


def random_policy(rng):
    initial = rng.randint(1, 2000)
    return {
        "initial_ms": initial, "factor": rng.randint(1000, 4000), "max_ms": rng.randint(initial, 30000),
        "loop_threshold": rng.randint(0, 6), "loop_window_ms": rng.randint(1, 20000),
        "stable_reset_ms": rng.choice((0, rng.randint(1, 20000))), "start_timeout_ms": rng.randint(1, 6000),
        "stop_timeout_ms": rng.randint(1, 6000),
    }


def policy_line(name, p):
    words = [f"{k}={v // 1000}.{v % 1000:03d}" if k == "factor" else f"{k}={v}" for k, v in p.items()]
    return f"policy app={name} " + " ".join(words)


def valid_event(rng, state):
    """An event the state accepts (None: let time pass), weighted like a plausible workload."""
    reason = rng.choice(("crash", "crash", "crash", "oom", "signal", "policy", "none"))
    choices = {
        "stopped": [(("start",), 1)],
        "starting": [(("ready", "fg"), 6), (("ready", "bg"), 2), (("exit", "crash"), 1), (("stop",), 1)],
        "runningFg": [(("bg",), 4), (("stop",), 2), (("kill", reason), 1), (("exit", reason), 3)],
        "runningBg": [(("fg",), 4), (("stop",), 2), (("kill", reason), 1), (("exit", reason), 3)],
        "stopping": [(("exit", rng.choice(REASONS)), 1)],
        "backoff": [(("stop",), 1), (None, 6)],
        "blocked": [(("unblock",), 1)],
    }[state]
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def any_event(rng):
    ev = rng.choice(("start", "ready", "fg", "bg", "stop", "kill", "exit", "unblock"))
    arg = rng.choice(("fg", "bg")) if ev == "ready" else rng.choice(REASONS) if ev in ("kill", "exit") else None
    return (ev, arg) if arg else (ev,)


def generate(seed, apps, events, invalid, random_policies, capacity=CAPACITY, prefix=""):
    rng = random.Random(seed)
    model = Model(capacity)
    names = [f"{prefix}app{i:02d}" for i in range(apps)]
    lines = [f"# gen-lifecycle-trace.py --seed {seed} --apps {apps} --events {events} --invalid {invalid}"
             + (" --random-policies" if random_policies else "") + (f" --capacity {capacity}" if capacity != CAPACITY else "")]
    if random_policies:
        for name in names[:capacity]:
            p = random_policy(rng)
            model.app(name).policy = p
            lines.append(policy_line(name, p))
    t = 0
    for _ in range(events):
        t += rng.choices((0, rng.randint(1, 50), rng.randint(50, 500), rng.randint(2000, 10000)),
                         weights=(20, 55, 24, 1))[0]
        model.advance(t)
        # Processes mostly answer soon: an app that is starting or stopping is likely to act next.
        waiting = [a.name for a in model.apps.values() if a.state in ("starting", "stopping")]
        name = rng.choice(waiting if waiting and rng.random() < 0.7 else names)
        app = model.apps.get(name)
        ev = any_event(rng) if rng.random() < invalid else valid_event(rng, app.state if app else "stopped")
        if ev is None:
            lines.append(f"{t} - tick")
            continue
        lines.append(f"{t} {name} {' '.join(ev)}")
        model.event(t, name, *ev)
    return lines, model.out


def generate_shards(seed, apps, events, invalid, random_policies, shards):
    """`shards` traces of `apps` apps each, merged by time (ties: shard order) and cut where the
    first of them ends, so that no app idles on past its own trace's end; no model output."""
    parts = []
    for k in range(shards):
        lines, _ = generate(seed + k, apps, events // shards + (k < events % shards), invalid, random_policies,
                            capacity=apps, prefix=f"s{k:02d}-")
        body = [line for line in lines if not line.startswith("#")]
        policies = [line for line in body if line.startswith("policy ")]
        timed = [(int(line.split()[0]), k, n, line) for n, line in enumerate(body) if line[0].isdigit()]
        parts.append((policies, timed))
    head = [f"# gen-lifecycle-trace.py --seed {seed} --apps {apps} --events {events} --invalid {invalid}"
            + (" --random-policies" if random_policies else "") + f" --shards {shards}"]
    policies = [line for p, _ in parts for line in p]
    end = min(timed[-1][0] for _, timed in parts)
    return head + policies + [line for t, *_, line in heapq.merge(*(timed for _, timed in parts)) if t <= end]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--apps", type=int, default=32)
    ap.add_argument("--events", type=int, default=120000)
    ap.add_argument("--invalid", type=float, default=0.05, help="share of events drawn whatever the state")
    ap.add_argument("--random-policies", action="store_true", help="a random valid policy line per app")
    ap.add_argument("--capacity", type=int, default=CAPACITY, help="the core's capacity (LC_MAX_ABILITIES)")
    ap.add_argument("--shards", type=int, default=1, help="merge this many traces of --apps apps by time")
    ap.add_argument("--expected", help="write the model's output here (not with --shards)")
    ap.add_argument("-o", "--output", help="write the trace here (default: stdout)")
    a = ap.parse_args()
    if not 1 <= a.capacity <= 4096:
        ap.error("--capacity must be 1..4096")
    if not 1 <= a.apps <= a.capacity + 8:
        ap.error(f"--apps must be 1..{a.capacity + 8}")
    if not 1 <= a.shards <= 100 or (a.shards > 1 and (a.expected or a.apps * a.shards > a.capacity)):
        ap.error("--shards must be 1..100, without --expected, and all apps within --capacity")
    if a.shards > 1:
        lines, out = generate_shards(a.seed, a.apps, a.events, a.invalid, a.random_policies, a.shards), []
    else:
        lines, out = generate(a.seed, a.apps, a.events, a.invalid, a.random_policies, a.capacity)
    with open(a.output, "w", encoding="utf-8") if a.output else sys.stdout as f:
        f.write("\n".join(lines) + "\n")
    if a.expected:
        with open(a.expected, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(o, separators=(",", ":")) + "\n" for o in out)


if __name__ == "__main__":
    main()
