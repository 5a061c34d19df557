#!/usr/bin/env python3
"""Lifecycle timelines: `lcreplay --svg`, `lcreplay --from-changes` and scripts/timeline.py.

usage: test_timeline.py LCREPLAY [GROUP]

GROUP (one meson test each): examples, transcript, bounds, bad_input, updates, docs; all if absent.
"""

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRACES = os.path.join(ROOT, "tests", "lifecycle", "traces")
TIMELINE = os.path.join(ROOT, "scripts", "timeline.py")
GEN = os.path.join(ROOT, "scripts", "gen-lifecycle-trace.py")
DOC_SVG = os.path.join(ROOT, "docs", "ability", "crash-then-block.svg")
DOC_UPDATE_SVG = os.path.join(ROOT, "docs", "ability", "update-rollback.svg")
OVERVIEW = os.path.join(ROOT, "docs", "ability", "overview.md")
# What lcreplay drew for sample.uart.log before update events existed, byte for byte.
SAMPLE_SVG = os.path.join(HERE, "sample.svg")
# selftest's OTA ladder as appmgrd and updated printed it for hello, times shifted by -16 s.
UPDATE_LOG = os.path.join(HERE, "update.uart.log")
SVG = "{http://www.w3.org/2000/svg}"
LCREPLAY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
# The capacity lcreplay's core was built with (meson's lc_capacity, passed in the environment).
CAPACITY = int(os.environ.get("LC_CAPACITY", "32"))
CHANGES_MAX = 4096
UPDATES_MAX = 4096 // 4


def run(args, stdin=None, cwd=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True, cwd=cwd, check=False)


def trace_args(trace):
    """The `# args:` of a trace in tests/lifecycle/traces, without --until (the transcript has none)."""
    with open(trace, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# args:"):
                words = shlex.split(line[len("# args:"):])
                if "--until" in words:
                    at = words.index("--until")
                    del words[at:at + 2]
                return words
    return []


def transcript(json_lines, noise=True):
    """What appmgrd prints for lcreplay's changes, among other OS output; refusals are not printed."""
    out = ["kernel: boot hart=0 harts=1", "appmgrd: ready"] if noise else []
    for line in json_lines.splitlines():
        o = json.loads(line)
        if "error" in o:
            continue
        text = "appmgrd: change t={t} app={app} from={from} to={to} reason={reason}".format(**o)
        if "delay_ms" in o:
            text += f" delay_ms={o['delay_ms']}"
        if o.get("timeout"):
            text += " timeout=1"
        out.append(text)
        if noise:
            out.append("SELFTEST: something ok")
    return "".join(line + "\n" for line in out)


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            return f.read()

    def write(self, name, text):
        with open(self.path(name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return self.path(name)

    def lcreplay(self, *args, stdin=None, cwd=None, status=0):
        r = run([LCREPLAY, *args], stdin=stdin, cwd=cwd)
        self.assertEqual(r.returncode, status, f"lcreplay {' '.join(args)}: stderr {r.stderr.strip()!r}")
        return r

    def svg_of_trace(self, trace, name="trace.svg", extra=()):
        """lcreplay --svg on a trace (run in its folder, with its # args:); its stdout and the SVG."""
        out = self.path(name)
        r = self.lcreplay(*trace_args(trace), *extra, "--svg", out, os.path.basename(trace),
                          cwd=os.path.dirname(trace))
        return r.stdout, self.read(out)

    def timeline(self, log, out, status=0):
        r = run([sys.executable, TIMELINE, log, "-o", out, "--lcreplay", LCREPLAY])
        self.assertEqual(r.returncode, status, f"timeline.py {log}: stderr {r.stderr.strip()!r}")
        return r

    def parse(self, svg, what):
        try:
            return ET.fromstring(svg.encode("utf-8"))
        except ET.ParseError as e:
            self.fail(f"{what} is not well-formed XML: {e}")

    def lanes(self, root):
        return [g.get("data-app") for g in root.iter(SVG + "g") if g.get("class") == "lane"]

    def texts(self, root):
        return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


@unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
class Examples(Case):
    """The two shared example traces drawn by lcreplay --svg."""

    def test_crash_then_block_is_one_lane_with_crashes_and_backoffs(self):
        _, svg = self.svg_of_trace(os.path.join(TRACES, "crash-then-block.trace"))
        root = self.parse(svg, "crash-then-block.svg")
        self.assertEqual(self.lanes(root), ["cam"])
        texts = self.texts(root)
        for label in ("backoff 500 ms", "backoff 1 s", "backoff 2 s", "backoff 4 s"):
            self.assertIn(label, texts)
        self.assertEqual(texts.count("crash"), 5, f"one crash label per death; labels: {texts}")
        self.assertIn("Ability lifecycle: 1 ability, 22 state changes, 0 to 9.2 s", texts)
        ends = [t.text for t in root.iter(SVG + "text") if t.get("class") == "end"]
        self.assertEqual(ends, ["starting"], "the state cam ends in, right of its lane")

    def test_happy_path_is_one_lane_ending_stopped_on_request(self):
        _, svg = self.svg_of_trace(os.path.join(TRACES, "happy-path.trace"))
        root = self.parse(svg, "happy-path.svg")
        self.assertEqual(self.lanes(root), ["mail"])
        texts = self.texts(root)
        self.assertIn("request", texts)
        self.assertFalse([t for t in texts if t.startswith("backoff ")], f"no backoff in the happy path: {texts}")

    def test_legend_names_the_eight_states_and_the_timeout_mark(self):
        _, svg = self.svg_of_trace(os.path.join(TRACES, "happy-path.trace"))
        texts = self.texts(self.parse(svg, "happy-path.svg"))
        for name in ("stopped", "starting", "runningFg", "runningBg", "stopping", "crashed", "backoff", "blocked",
                     "timeout"):
            self.assertIn(name, texts)

    def test_timeouts_are_marked_and_labelled(self):
        _, svg = self.svg_of_trace(os.path.join(TRACES, "timeouts.trace"))
        texts = self.texts(self.parse(svg, "timeouts.svg"))
        self.assertIn("crash (start timeout)", texts)
        self.assertIn("oom (stop timeout)", texts)

    def test_one_lane_per_app_in_the_order_of_first_changes(self):
        _, svg = self.svg_of_trace(os.path.join(TRACES, "capacity-full.trace"))
        self.assertEqual(self.lanes(self.parse(svg, "capacity-full.svg")),
                         [f"a{i:02}" for i in range(min(33, CAPACITY))])

    def test_two_runs_give_the_same_bytes(self):
        for name in ("crash-then-block", "happy-path"):
            with self.subTest(trace=name):
                trace = os.path.join(TRACES, name + ".trace")
                _, first = self.svg_of_trace(trace, "first.svg")
                _, second = self.svg_of_trace(trace, "second.svg")
                self.assertEqual(first, second)

    def test_svg_leaves_the_json_lines_as_they_were(self):
        for name in ("crash-then-block", "happy-path"):
            with self.subTest(trace=name):
                trace = os.path.join(TRACES, name + ".trace")
                stdout, _ = self.svg_of_trace(trace)
                self.assertEqual(stdout, self.lcreplay(trace).stdout)


@unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
class Transcript(Case):
    """The transcript path (timeline.py) gives the bytes of the trace path for the same changes."""

    def assert_same_picture(self, trace_svg, log_svg, what):
        if trace_svg != log_svg:
            want, got = trace_svg.splitlines(), log_svg.splitlines()
            n = next((i for i, (w, g) in enumerate(zip(want, got)) if w != g), min(len(want), len(got)))
            self.fail(f"{what}: the pictures differ first at line {n + 1}:\n"
                      f"  lcreplay --svg: {want[n] if n < len(want) else '(the end)'}\n"
                      f"  timeline.py:    {got[n] if n < len(got) else '(the end)'}")

    def test_sample_transcript_draws_the_sample_trace(self):
        _, want = self.svg_of_trace(os.path.join(HERE, "sample.trace"))
        r = self.timeline(os.path.join(HERE, "sample.uart.log"), self.path("log.svg"))
        self.assertEqual(r.stderr, "")
        self.assertEqual(r.stdout, f"wrote {self.path('log.svg')} (34 changes)\n")
        got = self.read(self.path("log.svg"))
        self.assert_same_picture(want, got, "sample")
        self.assertEqual(self.lanes(self.parse(got, "sample")), ["cam", "mail", "slow"])

    def test_crlf_line_ends_change_nothing(self):
        _, want = self.svg_of_trace(os.path.join(HERE, "sample.trace"))
        log = self.write("crlf.log", self.read(os.path.join(HERE, "sample.uart.log")).replace("\n", "\r\n"))
        self.timeline(log, self.path("log.svg"))
        self.assert_same_picture(want, self.read(self.path("log.svg")), "sample with CRLF")

    def test_default_output_is_timeline_svg_next_to_the_log(self):
        log = self.write("uart.log", self.read(os.path.join(HERE, "sample.uart.log")))
        r = run([sys.executable, TIMELINE, log, "--lcreplay", LCREPLAY])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(self.path("timeline.svg")), "timeline.svg next to the log")

    def test_every_rule_trace_as_a_transcript(self):
        for name in sorted(os.listdir(TRACES)):
            # Past 32 apps (the OS image's capacity) a replay is no transcript the OS can write.
            if not name.endswith(".trace") or (name == "capacity-full.trace" and CAPACITY > 32):
                continue
            with self.subTest(trace=name):
                stdout, want = self.svg_of_trace(os.path.join(TRACES, name))
                log = self.write("uart.log", transcript(stdout))
                self.timeline(log, self.path("log.svg"))
                self.assert_same_picture(want, self.read(self.path("log.svg")), name)

    def test_generated_traces_as_transcripts_and_as_json_lines(self):
        for seed, apps, events in ((1, 3, 200), (2, 8, 1500), (3, 6, 5000)):
            with self.subTest(seed=seed):
                trace = self.path("gen.trace")
                subprocess.run([sys.executable, GEN, "--seed", str(seed), "--apps", str(apps), "--events",
                                str(events), "-o", trace], check=True)
                r = self.lcreplay("--svg", self.path("trace.svg"), trace)
                want = self.read(self.path("trace.svg"))
                self.lcreplay("--from-changes", "--svg", self.path("json.svg"), stdin=r.stdout)
                self.assert_same_picture(want, self.read(self.path("json.svg")), f"seed {seed}, JSON lines")
                log = self.write("uart.log", transcript(r.stdout))
                self.timeline(log, self.path("log.svg"))
                self.assert_same_picture(want, self.read(self.path("log.svg")), f"seed {seed}, transcript")


@unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
class Bounds(Case):
    def test_drawing_stops_after_the_maximum_with_a_note(self):
        # an app crashing 1 ms after each start, without blocking: 3 changes a crash, 1500 crashes
        lines = ["policy app=svc initial_ms=1 max_ms=1 loop_threshold=0", "0 svc start"]
        lines += [f"{2 * k + 1} svc exit crash" for k in range(1500)]
        trace = self.write("long.trace", "\n".join(lines) + "\n")
        r = self.lcreplay("--svg", self.path("long.svg"), trace)
        self.assertEqual(len(r.stdout.splitlines()), 3 * 1500, "all JSON lines are printed")
        dropped = 3 * 1500 - CHANGES_MAX
        last = json.loads(r.stdout.splitlines()[CHANGES_MAX - 1])["t"]
        self.assertEqual(r.stderr, f"lcreplay: {self.path('long.svg')}: more than {CHANGES_MAX} state changes: drew "
                                   f"the first {CHANGES_MAX}, up to t={last} ms, and left out {dropped}\n")
        svg = self.read(self.path("long.svg"))
        texts = self.texts(self.parse(svg, "long.svg"))
        self.assertIn(f"Ability lifecycle: 1 ability, {CHANGES_MAX} of {3 * 1500} state changes drawn, "
                      f"0 to {last / 1000:g} s", texts)
        self.assertIn(f"Drawing stops at {last / 1000:g} s: only the first {CHANGES_MAX} state changes are drawn, "
                      f"{dropped} more are not.", texts)

    def test_until_runs_the_picture_on(self):
        trace = os.path.join(TRACES, "happy-path.trace")
        _, svg = self.svg_of_trace(trace, extra=("--until", "20000"))
        texts = self.texts(self.parse(svg, "happy-path.svg"))
        self.assertIn("Ability lifecycle: 1 ability, 5 state changes, 0 to 20 s", texts)
        self.assertIn("20 s", texts, "an axis label at 20 s")

    def test_no_changes_is_a_picture_saying_so(self):
        trace = self.write("empty.trace", "# nothing\n100 - tick\n")
        self.lcreplay("--svg", self.path("empty.svg"), trace)
        root = self.parse(self.read(self.path("empty.svg")), "empty.svg")
        self.assertEqual(self.texts(root), ["Ability lifecycle: no state changes"])


@unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
class BadInput(Case):
    def test_unwritable_output_exits_2_naming_it(self):
        out = self.path("missing-dir/out.svg")
        r = self.lcreplay("--svg", out, os.path.join(TRACES, "happy-path.trace"), status=2)
        self.assertEqual(r.stderr, f"lcreplay: cannot write {out}: No such file or directory\n")

    def test_from_changes_needs_svg_and_takes_no_policy(self):
        r = self.lcreplay("--from-changes", stdin="", status=2)
        self.assertEqual(r.stderr, "lcreplay: --from-changes only draws: it needs --svg OUT.svg\n")
        r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"), "--policy", "p.json", stdin="", status=2)
        self.assertEqual(r.stderr, "lcreplay: --from-changes replays nothing: it takes no --policy\n")

    def test_malformed_change_lines_exit_2_with_the_line(self):
        ok = '{"t":5,"app":"cam","from":"stopped","to":"starting","reason":"none"}'
        cases = [
            ("{", "not JSON: the document ends early"),
            ("[1]", "not a JSON object"),
            ('{"t":1,"app":"cam","from":"stopped","to":"starting"}', 'needs "reason"'),
            ('{"t":-1,"app":"cam","from":"stopped","to":"starting","reason":"none"}',
             '"t" must be an integer 0..288230376151711744'),
            ('{"t":7,"app":"Cam","from":"stopped","to":"starting","reason":"none"}',
             'bad app name "Cam" (want ^[a-z][a-z0-9_-]{0,31}$)'),
            ('{"t":7,"app":"cam","from":"stopped","to":"runing","reason":"none"}', 'unknown state "runing"'),
            ('{"t":7,"app":"cam","from":"stopped","to":"starting","reason":"bug"}', 'unknown reason "bug"'),
            ('{"t":7,"app":"cam","from":"runningFg","to":"backoff","reason":"crash"}',
             'a change into backoff needs "delay_ms"'),
            ('{"t":7,"app":"cam","from":"stopped","to":"starting","reason":"none","delay_ms":5}',
             '"delay_ms" belongs to changes into backoff only'),
            ('{"t":7,"app":"cam","from":"stopped","to":"starting","reason":"none","timeout":false}',
             '"timeout" must be true (or left out)'),
            ('{"t":7,"app":"cam","from":"stopped","to":"starting","reason":"none","x":1}', 'unknown key "x"'),
            ('{"t":4,"app":"cam","from":"stopped","to":"starting","reason":"none"}', "time goes backwards (4 after 5)"),
            ('{"t":7,"app":"cam","app":"mail","from":"stopped","to":"starting","reason":"none"}',
             'duplicate key "app"'),
            ('{"t":7,"app":"cam\\u0000x","from":"stopped","to":"starting","reason":"none"}',
             'a NUL (\\u0000) in the string "cam\\u0000x"'),
            ('{"t":7,"app":"cam","from":"stopped","to":"starting","reason":"none","x\\u0000":1}',
             'a NUL (\\u0000) in the key "x\\u0000"'),
            ('{"t":7,"app":"cam","from":"stopped"\0,"to":"starting","reason":"none"}', "a NUL byte at column 36"),
        ]
        for line, why in cases:
            with self.subTest(line=line):
                r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"), stdin=f"{ok}\n\n{line}\n", status=2)
                self.assertEqual(r.stderr, f"lcreplay: line 3: {why}\n")

    def test_impossible_transitions_in_changes_exit_2(self):
        ok = '{"t":5,"app":"cam","from":"stopped","to":"starting","reason":"none"}'
        cases = [("stopped", "runningFg", "none"), ("stopped", "stopped", "none"), ("starting", "backoff", "crash"),
                 ("runningFg", "runningFg", "none"), ("runningBg", "blocked", "crash"), ("stopping", "starting", "none"),
                 ("crashed", "stopped", "crash"), ("backoff", "crashed", "crash"), ("blocked", "starting", "none")]
        for frm, to, reason in cases:
            with self.subTest(frm=frm, to=to):
                change = {"t": 7, "app": "cam", "from": frm, "to": to, "reason": reason}
                if to == "backoff":
                    change["delay_ms"] = 100
                r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"),
                                  stdin=f"{ok}\n{json.dumps(change)}\n", status=2)
                self.assertEqual(r.stderr, f"lcreplay: line 2: impossible transition {frm} -> {to} "
                                           "(the lifecycle core never makes it)\n")
        # each change the core makes is drawn
        possible = [("stopped", "starting"), ("starting", "runningFg"), ("runningFg", "runningBg"),
                    ("runningBg", "stopping"), ("stopping", "crashed"), ("crashed", "backoff"),
                    ("backoff", "starting"), ("starting", "crashed"), ("crashed", "blocked"),
                    ("blocked", "stopped"), ("stopped", "blocked")]
        lines = [json.dumps({"t": i, "app": "cam", "from": frm, "to": to, "reason": "none",
                             **({"delay_ms": 100} if to == "backoff" else {})}) for i, (frm, to) in enumerate(possible)]
        self.lcreplay("--from-changes", "--svg", self.path("x.svg"), stdin="\n".join(lines) + "\n")

    def test_more_apps_in_changes_than_the_core_holds_exit_2(self):
        lines = [f'{{"t":0,"app":"a{i}","from":"stopped","to":"starting","reason":"none"}}' for i in range(CAPACITY + 1)]
        r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"), stdin="\n".join(lines) + "\n", status=2)
        self.assertEqual(r.stderr, f"lcreplay: line {CAPACITY + 1}: more than {CAPACITY} apps\n")

    def test_until_before_the_last_change_exits_2(self):
        line = '{"t":50,"app":"cam","from":"stopped","to":"starting","reason":"none"}\n'
        r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"), "--until", "10", stdin=line, status=2)
        self.assertEqual(r.stderr, "lcreplay: --until 10 is before the last change's time 50\n")

    def test_refusals_in_changes_are_skipped(self):
        stdout, want = self.svg_of_trace(os.path.join(TRACES, "refusals.trace"))
        self.assertIn('"error"', stdout)
        self.lcreplay("--from-changes", "--svg", self.path("json.svg"), stdin=stdout)
        self.assertEqual(self.read(self.path("json.svg")), want)

    def test_timeline_reports_malformed_lines_skips_them_and_exits_1(self):
        good = self.read(os.path.join(HERE, "sample.uart.log")).splitlines()
        first = next(n for n, line in enumerate(good) if line.startswith("appmgrd: change"))
        bad = [
            ("appmgrd: change t=12 app=cam", "not in the form 'appmgrd: change t=<ms> app=<name> from=<state> "
             "to=<state> reason=<reason>[ delay_ms=<n>][ timeout=1]'"),
            ("kerappmgrd: change t=1 app=cam from=stopped to=starting reason=none",
             "'appmgrd: change' does not start the line (output of two harts mixed?)"),
            ("appmgrd: change t=1 app=cam from=stopped to=runing reason=none", "unknown state to=runing"),
            ("appmgrd: change t=1 app=cam from=stopped to=starting reason=bug", "unknown reason reason=bug"),
            ("appmgrd: change t=1 app=Cam from=stopped to=starting reason=none",
             "bad app name 'Cam' (want ^[a-z][a-z0-9_-]{0,31}$)"),
            ("appmgrd: change t=1 app=cam from=runningFg to=backoff reason=crash", "a change into backoff needs delay_ms"),
            ("appmgrd: change t=1 app=cam from=stopped to=starting reason=none delay_ms=5",
             "delay_ms belongs to changes into backoff only"),
            ("appmgrd: change t=288230376151711745 app=cam from=stopped to=starting reason=none",
             "t=288230376151711745 is beyond 288230376151711744 ms"),
        ]
        lines = good[:first + 1]
        lines += [text for text, _ in bad]
        lines += ["appmgrd: change t=99999 app=cam from=stopped to=starting reason=none"] + good[first + 1:]
        # the line at t=99999 is well formed, so the sample's next line goes backwards in time
        log = self.write("bad.log", "\n".join(lines) + "\n")
        r = self.timeline(log, self.path("bad.svg"), status=1)
        want = [f"timeline.py: {log}: line {first + 2 + i}: {why}" for i, (_, why) in enumerate(bad)]
        self.assertEqual(r.stderr.splitlines()[:len(bad)], want)
        self.assertIn(f"line {first + 3 + len(bad)}: time goes backwards (20 after 99999)", r.stderr)

    def test_timeline_skips_exactly_the_malformed_lines(self):
        good = self.read(os.path.join(HERE, "sample.uart.log")).splitlines()
        lines = [line for pair in zip(good, ["appmgrd: change t=oops"] * len(good)) for line in pair]
        log = self.write("bad.log", "\n".join(lines) + "\n")
        self.timeline(log, self.path("bad.svg"), status=1)
        self.timeline(os.path.join(HERE, "sample.uart.log"), self.path("good.svg"))
        self.assertEqual(self.read(self.path("bad.svg")), self.read(self.path("good.svg")))

    def test_timeline_without_change_lines_draws_an_empty_picture(self):
        log = self.write("quiet.log", "kernel: boot hart=0 harts=1\nSELFTEST: end guest_ms=5\n")
        r = self.timeline(log, self.path("quiet.svg"))
        self.assertEqual(r.stderr, f"timeline.py: {log}: no 'appmgrd: change' lines: the picture is empty\n")
        self.assertEqual(self.texts(self.parse(self.read(self.path("quiet.svg")), "quiet.svg")),
                         ["Ability lifecycle: no state changes"])

    def test_timeline_exits_2_without_a_log_lcreplay_or_output(self):
        missing = self.path("missing.log")
        r = self.timeline(missing, self.path("x.svg"), status=2)
        self.assertEqual(r.stderr, f"timeline.py: cannot read {missing}: No such file or directory\n")
        r = run([sys.executable, TIMELINE, os.path.join(HERE, "sample.uart.log"), "--lcreplay", self.path("nope")])
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"timeline.py: no lcreplay at {self.path('nope')}", r.stderr)
        out = self.path("missing-dir/x.svg")
        r = self.timeline(os.path.join(HERE, "sample.uart.log"), out, status=2)
        self.assertEqual(r.stderr, f"lcreplay: cannot write {out}: No such file or directory\n")


def event_line(t, app, event, version, slot, why=None):
    """An event line as updated prints it."""
    return f"updated: event t={t} app={app} event={event} version={version} slot={slot}" + (f" why={why}" if why else "")


def with_events(lines, events):
    """`lines` with each (after, text) of `events` inserted after the first line containing `after`."""
    out = list(lines)
    for after, text in events:
        at = next(i for i, line in enumerate(out) if after in line)
        out.insert(at + 1, text)
    return "".join(line + "\n" for line in out)


# Update events among sample.uart.log's changes: on cam (one at the time of its fifth crash,
# one earlier than the change printed before it), after the last change on mail, and on an
# app with no change at all.
SAMPLE_EVENTS = [
    ("t=20 app=mail", event_line(30, "cam", "staged", 2, "b")),
    ("t=140 app=mail", event_line(40, "cam", "switched", 2, "b")),
    ("t=8250 app=cam from=crashed to=blocked", event_line(8250, "cam", "rolled_back", 2, "b", "crash_loop")),
    ("t=9040 app=mail", event_line(9050, "extra", "staged", 4294967295, "a")),
    ("SELFTEST: end", event_line(9300, "mail", "committed", 3, "a")),
]
SAMPLE_EVENT_JSON = [
    {"t": 30, "app": "cam", "update": "staged", "version": 2, "slot": "b"},
    {"t": 40, "app": "cam", "update": "switched", "version": 2, "slot": "b"},
    {"t": 8250, "app": "cam", "update": "rolled_back", "version": 2, "slot": "b", "why": "crash_loop"},
    {"t": 9050, "app": "extra", "update": "staged", "version": 4294967295, "slot": "a"},
    {"t": 9300, "app": "mail", "update": "committed", "version": 3, "slot": "a"},
]


@unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
class Updates(Case):
    """updated's event lines: marks on their abilities' lanes; a picture without them as before."""

    def sample_lines(self):
        return self.read(os.path.join(HERE, "sample.uart.log")).splitlines()

    def marks(self, root):
        return [l for l in root.iter(SVG + "line") if l.get("class") == "update"]

    def test_event_lines_are_marks_on_their_abilities_lanes(self):
        log = self.write("uart.log", with_events(self.sample_lines(), SAMPLE_EVENTS))
        r = self.timeline(log, self.path("log.svg"))
        self.assertEqual(r.stderr, "")
        self.assertEqual(r.stdout, f"wrote {self.path('log.svg')} (34 changes, 5 update events)\n")
        root = self.parse(self.read(self.path("log.svg")), "sample with events")
        self.assertEqual(self.lanes(root), ["cam", "mail", "slow", "extra"], "an app with events only gets a lane")
        texts = self.texts(root)
        self.assertIn("Ability lifecycle: 4 abilities, 34 state changes, 5 update events, 0 to 9.3 s", texts,
                      "the picture runs to the last event, after the last change")
        for label in ("v2 staged", "v2 switched", "v2 rolled back", "v4294967295 staged", "v3 committed",
                      "update event"):
            self.assertIn(label, texts)
        tips = ["".join(l.itertext()) for l in self.marks(root)]
        self.assertEqual(tips, ["cam: version 2 staged, slot b, at 30 ms", "cam: version 2 switched, slot b, at 40 ms",
                                "cam: version 2 rolled back, slot b, at 8250 ms (crash_loop)",
                                "mail: version 3 committed, slot a, at 9300 ms",
                                "extra: version 4294967295 staged, slot a, at 9050 ms"])

    def test_a_mark_is_at_the_time_of_its_event_on_the_change_axis(self):
        log = self.write("uart.log", with_events(self.sample_lines(), SAMPLE_EVENTS))
        self.timeline(log, self.path("log.svg"))
        root = self.parse(self.read(self.path("log.svg")), "sample with events")
        crash = next(l for l in root.iter(SVG + "line") if "".join(l.itertext()) == "cam: crash at 8250 ms")
        rollback = next(l for l in self.marks(root) if "rolled back" in "".join(l.itertext()))
        self.assertEqual(rollback.get("x1"), crash.get("x1"), "the rollback mark is where cam's fifth crash is")
        extra = next(g for g in root.iter(SVG + "g") if g.get("data-app") == "extra")
        self.assertFalse([r for r in extra.iter(SVG + "rect") if r.find(SVG + "title") is not None],
                         "a lane without changes has no state bar")

    def test_event_lines_and_json_lines_give_the_same_picture(self):
        log = self.write("uart.log", with_events(self.sample_lines(), SAMPLE_EVENTS))
        self.timeline(log, self.path("log.svg"))
        stdout, _ = self.svg_of_trace(os.path.join(HERE, "sample.trace"))
        self.lcreplay("--from-changes", "--svg", self.path("json.svg"),
                      stdin=stdout + "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in SAMPLE_EVENT_JSON))
        self.assertEqual(self.read(self.path("json.svg")), self.read(self.path("log.svg")))

    def test_without_update_events_the_picture_is_what_it_was_before_them(self):
        # updated's other lines are no events: they change nothing either.
        lines = self.sample_lines()
        lines[5:5] = ["updated: ready", "updated: app=cam version=2 ready t=10 health until 10010",
                      "updated: app=cam bundle refused: bad magic"]
        log = self.write("uart.log", "".join(l + "\n" for l in lines))
        r = self.timeline(log, self.path("log.svg"))
        self.assertEqual((r.stdout, r.stderr), (f"wrote {self.path('log.svg')} (34 changes)\n", ""))
        want = self.read(SAMPLE_SVG)
        self.assertTrue(self.read(self.path("log.svg")) == want, "timeline.py drew sample.uart.log differently")
        _, svg = self.svg_of_trace(os.path.join(HERE, "sample.trace"))
        self.assertTrue(svg == want, "lcreplay --svg drew sample.trace differently")

    def test_malformed_event_lines_are_reported_skipped_and_exit_1(self):
        good = self.sample_lines()
        first = next(n for n, line in enumerate(good) if line.startswith("appmgrd: change"))
        bad = [
            ("updated: event t=12 app=cam", "not in the form 'updated: event t=<ms> app=<name> "
             "event=<staged|switched|committed|rolled_back> version=<n> slot=<a|b>[ why=<why>]'"),
            ("kernelupdated: event t=1 app=cam event=staged version=2 slot=a",
             "'updated: event' does not start the line (output of two harts mixed?)"),
            (event_line(1, "cam", "installed", 2, "a"), "unknown event event=installed"),
            (event_line(1, "cam", "staged", 0, "a"), "version=0 is not 1..4294967295"),
            (event_line(1, "cam", "staged", 4294967296, "a"), "version=4294967296 is not 1..4294967295"),
            (event_line(1, "cam", "staged", 2, "c"), "unknown slot slot=c"),
            (event_line(1, "cam", "rolled_back", 2, "a"), "a rolled_back event needs why"),
            (event_line(1, "cam", "staged", 2, "a", "request"), "why belongs to rolled_back events only"),
            (event_line(1, "cam", "rolled_back", 2, "a", "bored"), "unknown why why=bored"),
            (event_line(1, "Cam", "staged", 2, "a"), "bad app name 'Cam' (want ^[a-z][a-z0-9_-]{0,31}$)"),
            (event_line(288230376151711745, "cam", "staged", 2, "a"),
             "t=288230376151711745 is beyond 288230376151711744 ms"),
            (event_line(5, "cam", "staged", 2, "a") + " why=", "not in the form 'updated: event t=<ms> app=<name> "
             "event=<staged|switched|committed|rolled_back> version=<n> slot=<a|b>[ why=<why>]'"),
        ]
        lines = good[:first + 1] + [text for text, _ in bad]
        # an event at t=60, then one at t=50: events are in time order among themselves
        lines += [event_line(60, "cam", "staged", 2, "a"), event_line(50, "cam", "switched", 2, "a")]
        lines += good[first + 1:]
        log = self.write("bad.log", "\n".join(lines) + "\n")
        r = self.timeline(log, self.path("bad.svg"), status=1)
        want = [f"timeline.py: {log}: line {first + 2 + i}: {why}" for i, (_, why) in enumerate(bad)]
        want.append(f"timeline.py: {log}: line {first + 3 + len(bad)}: time goes backwards (50 after 60)")
        self.assertEqual(r.stderr.splitlines(), want)
        self.assertEqual(r.stdout, f"wrote {self.path('bad.svg')} (34 changes, 1 update events)\n")
        # the malformed lines are left out exactly: the picture is that of the good ones
        good_log = self.write("good.log", with_events(good, [(good[first], event_line(60, "cam", "staged", 2, "a"))]))
        self.timeline(good_log, self.path("good.svg"))
        self.assertEqual(self.read(self.path("bad.svg")), self.read(self.path("good.svg")))

    def test_the_33rd_app_of_changes_and_events_together_is_refused(self):
        lines = [f"appmgrd: change t=0 app=a{i} from=stopped to=starting reason=none" for i in range(31)]
        lines += [event_line(1, "b31", "staged", 2, "a"), event_line(2, "b32", "staged", 2, "a")]
        log = self.write("apps.log", "\n".join(lines) + "\n")
        r = self.timeline(log, self.path("apps.svg"), status=1)
        self.assertEqual(r.stderr, f"timeline.py: {log}: line 33: more than 32 apps ('b32' is one too many)\n")
        self.assertEqual(len(self.lanes(self.parse(self.read(self.path("apps.svg")), "apps.svg"))), 32)

    def test_malformed_update_json_lines_exit_2_with_the_line(self):
        ok = '{"t":5,"app":"cam","update":"staged","version":2,"slot":"a"}'
        cases = [
            ('{"t":6,"app":"cam","update":"staged","version":2}', 'needs "slot"'),
            ('{"t":6,"app":"cam","update":"installed","version":2,"slot":"a"}', 'unknown update "installed"'),
            ('{"t":6,"app":"cam","update":"staged","version":0,"slot":"a"}', '"version" must be an integer 1..4294967295'),
            ('{"t":6,"app":"cam","update":"staged","version":4294967296,"slot":"a"}',
             '"version" must be an integer 1..4294967295'),
            ('{"t":6,"app":"cam","update":"staged","version":"2","slot":"a"}',
             '"version" must be an integer 1..4294967295'),
            ('{"t":6,"app":"cam","update":"staged","version":2,"slot":"c"}', 'unknown slot "c" (want "a" or "b")'),
            ('{"t":6,"app":"cam","update":"rolled_back","version":2,"slot":"a"}', 'a "rolled_back" update needs "why"'),
            ('{"t":6,"app":"cam","update":"staged","version":2,"slot":"a","why":"request"}',
             '"why" belongs to "rolled_back" updates only'),
            ('{"t":6,"app":"cam","update":"rolled_back","version":2,"slot":"a","why":"bored"}', 'unknown why "bored"'),
            ('{"t":6,"app":"cam","update":"staged","version":2,"slot":"a","from":"stopped"}', 'unknown key "from"'),
            ('{"t":6,"app":"Cam","update":"staged","version":2,"slot":"a"}',
             'bad app name "Cam" (want ^[a-z][a-z0-9_-]{0,31}$)'),
            ('{"t":4,"app":"cam","update":"switched","version":2,"slot":"a"}', "update time goes backwards (4 after 5)"),
        ]
        for line, why in cases:
            with self.subTest(line=line):
                r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"), stdin=f"{ok}\n\n{line}\n", status=2)
                self.assertEqual(r.stderr, f"lcreplay: line 3: {why}\n")

    def test_updates_and_changes_are_each_in_time_order_by_themselves(self):
        lines = ['{"t":50,"app":"cam","from":"stopped","to":"starting","reason":"none"}',
                 '{"t":40,"app":"cam","update":"switched","version":2,"slot":"b"}',
                 '{"t":60,"app":"cam","from":"starting","to":"runningFg","reason":"none"}']
        self.lcreplay("--from-changes", "--svg", self.path("x.svg"), stdin="\n".join(lines) + "\n")
        r = self.lcreplay("--from-changes", "--svg", self.path("x.svg"), "--until", "30",
                          stdin='{"t":50,"app":"cam","update":"staged","version":2,"slot":"b"}\n', status=2)
        self.assertEqual(r.stderr, "lcreplay: --until 30 is before the last update event's time 50\n")

    def updates_svg(self, n, changes=()):
        lines = list(changes) + [json.dumps({"t": i, "app": "cam", "update": "staged", "version": i + 1, "slot": "a"})
                                 for i in range(n)]
        self.lcreplay("--from-changes", "--svg", self.path("u.svg"), stdin="\n".join(lines) + "\n")
        return self.texts(self.parse(self.read(self.path("u.svg")), "u.svg"))

    def test_the_first_1024_update_events_are_drawn_and_later_ones_counted(self):
        texts = self.updates_svg(UPDATES_MAX)
        self.assertIn(f"Ability lifecycle: 1 ability, 0 state changes, {UPDATES_MAX} update events, 0 to 1.023 s", texts)
        self.assertFalse([t for t in texts if "not drawn" in t])
        texts = self.updates_svg(UPDATES_MAX + 1)
        self.assertIn(f"Ability lifecycle: 1 ability, 0 state changes, {UPDATES_MAX} of {UPDATES_MAX + 1} update "
                      "events drawn, 0 to 1.023 s", texts)
        self.assertIn(f"1 of {UPDATES_MAX + 1} update events are not drawn: only the first {UPDATES_MAX} are kept, "
                      "and drawing stops at 1.023 s.", texts)

    def test_update_events_after_the_last_change_kept_are_not_drawn(self):
        changes = []
        for k in range(CHANGES_MAX // 2 + 1):
            changes += [json.dumps({"t": k, "app": "svc", "from": "stopped", "to": "starting", "reason": "none"}),
                        json.dumps({"t": k, "app": "svc", "from": "starting", "to": "stopped", "reason": "none"})]
        lines = changes + [json.dumps({"t": CHANGES_MAX, "app": "svc", "update": "staged", "version": 2, "slot": "a"})]
        r = self.lcreplay("--from-changes", "--svg", self.path("u.svg"), stdin="\n".join(lines) + "\n")
        self.assertIn("more than 4096 state changes", r.stderr)
        texts = self.texts(self.parse(self.read(self.path("u.svg")), "u.svg"))
        last = (CHANGES_MAX - 1) // 2
        self.assertIn(f"Ability lifecycle: 1 ability, {CHANGES_MAX} of {CHANGES_MAX + 2} state changes drawn, "
                      f"0 of 1 update events drawn, 0 to {last / 1000:g} s", texts)
        self.assertNotIn("v2 staged", texts)


@unittest.skipUnless(LCREPLAY, "needs the lcreplay path")
class Docs(Case):
    def test_docs_example_is_what_lcreplay_draws_now(self):
        _, want = self.svg_of_trace(os.path.join(TRACES, "crash-then-block.trace"))
        self.assertTrue(self.read(DOC_SVG) == want,
                        "docs/ability/crash-then-block.svg is stale; redraw it with\n"
                        "  build-host/src/tools/lcreplay/lcreplay --svg docs/ability/crash-then-block.svg "
                        "tests/lifecycle/traces/crash-then-block.trace >/dev/null")

    def test_docs_update_example_is_what_timeline_draws_now(self):
        self.timeline(UPDATE_LOG, self.path("update.svg"))
        self.assertTrue(self.read(DOC_UPDATE_SVG) == self.read(self.path("update.svg")),
                        "docs/ability/update-rollback.svg is stale; redraw it with\n"
                        "  scripts/timeline.py tests/timeline/update.uart.log -o docs/ability/update-rollback.svg")

    def test_docs_give_the_line_forms_timeline_checks(self):
        spec = importlib.util.spec_from_file_location("timeline", TIMELINE)
        timeline = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(timeline)
        overview = self.read(OVERVIEW)
        for form in (timeline.FORM, timeline.EVENT_FORM):
            self.assertIn("\n" + form + "\n", overview, "docs/ability/overview.md shows each line form")
            self.assertIn("\n    " + form + "\n", timeline.__doc__, "timeline.py's docstring shows each line form")
        whys = re.search(r"why \(([a-z_, ]+) or ([a-z_]+)\)", " ".join(timeline.__doc__.split()))
        self.assertEqual(whys.group(1).split(", ") + [whys.group(2)], list(timeline.WHYS))


GROUPS = {"examples": Examples, "transcript": Transcript, "bounds": Bounds, "bad_input": BadInput, "updates": Updates,
          "docs": Docs}

if __name__ == "__main__":
    names = [GROUPS[sys.argv[2]].__name__] if len(sys.argv) > 2 else []
    unittest.main(argv=sys.argv[:1] + names, verbosity=2)
