#!/usr/bin/env python3
"""`just test-console`: first boot as `just run` does (profile=run: no proof, SMP=2, real time)
and report the wall time from QEMU's start to the prompt; then boot the system in
profile=run-proof (the proof, then the console), type at the nx console through QEMU's
serial input, and check every answer; then check that neither the console's transcript nor the
disk holds keystored's secret key (scripts/check-key-leak.py).

The `nx ota` session at the end checks the console's own lines exactly against a model of
updated's slots (OtaModel): the model starts from every ability's built-in slot A and follows
updated's event and ready lines in the transcript (selftest's OTA ladder at boot included), and
it takes image sizes, versions and health windows from the bundle files of build-rv. It stages
hello-3 and switches to it; the version crashes at start, so the crash loop rolls it back,
which the lane waits for (a few seconds of guest time, no wall time under icount).

The guest runs under icount (its proof ends in about a second of wall time); while it waits
for input its clock jumps ahead, which the console does not mind. QEMU is stopped by its own
PID. Exit status: 0 pass, 1 an answer was wrong or the key leaked, 2 infrastructure error
(missing tool, build failure), 124 no answer in time.
"""

import json
import os
import re
import select
import struct
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LOG = os.path.join(ROOT, "build", "logs", "console", "uart.log")
RUN_LOG = os.path.join(ROOT, "build", "logs", "console", "run-prompt.log")
BUILD_RV = os.path.join(ROOT, "build-rv")
ABILITIES = os.path.join(ROOT, "manifests", "abilities.json")
PROMPT = "nx> "
BOOT_TIMEOUT_S = 120
ANSWER_TIMEOUT_S = 20


class Timeout(Exception):
    pass


class Console:
    def __init__(self, cmd, log=LOG):
        os.makedirs(os.path.dirname(log), exist_ok=True)
        self.log = open(log, "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=ROOT)
        self.out = ""
        self.seen = ""  # everything read so far; its last len(self.out) characters are not consumed yet

    def read_until(self, text, timeout_s):
        deadline = time.monotonic() + timeout_s
        while text not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(f"no {text!r} within {timeout_s} s")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise Timeout(f"QEMU exited before {text!r}")
            decoded = chunk.decode("utf-8", errors="replace")
            self.log.write(decoded)
            self.out += decoded
            self.seen += decoded
        head, _, self.out = self.out.partition(text)
        return head

    def type(self, keys):
        """Type `keys` (slowly, like a person: the UART FIFO holds 16 bytes) and return the
        console's answer up to the next prompt. A prompt followed by a prefix of the line
        being typed is the console redrawing it under a background line, not the answer's."""
        for i in range(0, len(keys), 8):
            self.proc.stdin.write(keys[i:i + 8].encode())
            self.proc.stdin.flush()
            time.sleep(0.02)
        typed = re.match(r"[ -~\t]*", keys.split("\r")[0]).group(0).replace("\t", " ")
        answer = self.read_until(PROMPT, ANSWER_TIMEOUT_S)
        while self.redraws(typed):
            answer += PROMPT + self.read_until(PROMPT, ANSWER_TIMEOUT_S)
        return answer

    def redraws(self, typed):
        """Whether the text after the prompt just read is a redraw of (a prefix of) `typed`."""
        if not self.out:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.02)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096).decode("utf-8", errors="replace")
                self.log.write(chunk)
                self.out += chunk
                self.seen += chunk
        shown = self.out.split("\n")[0].rstrip("\r")
        return shown != "" and typed.startswith(shown)

    def consumed(self):
        """The transcript up to the end of the latest answer or line read (not what came after)."""
        return self.seen[:len(self.seen) - len(self.out)]

    def wait_line(self, text, timeout_s):
        """Read up to the end of the next line holding `text`; the line."""
        head = self.read_until(text, timeout_s)
        rest = self.read_until("\n", timeout_s)
        return (head.rpartition("\n")[2] + text + rest).replace("\r", "")

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()


def lines_after_echo(answer):
    """Drop the echoed command line; normalise CR LF."""
    lines = answer.replace("\r", "").split("\n")
    return [l for l in lines[1:] if l]


CHECKS = [
    # (typed keys, a line the answer must contain, what the check shows)
    ("help\r", "commands:", "help lists the commands"),
    ("help\r", "  nx ota stage <bundle>           stage one (updated checks it and its signature)",
     "help lists the ota commands"),
    ("nx ability list\r", "hello", "list names the demo abilities"),
    ("nx ability start hello\r", "ok", "start is accepted"),
    ("nx ability fg hello\r", None, "fg on a starting ability is refused"),
    ("nx ability stop hello\r", "ok", "stop is accepted"),
    ("nx ability state nosuch\r", "error: appmgrd answered unknown", "unknown ability is reported"),
    ("nx ability start\r", "usage: nx ability start <app>", "a missing argument gets the usage"),
    ("nx ability bogus hello\r", "usage: nx ability list|start|stop|fg|bg|state|policy|unblock|history <app>",
     "an unknown ability operation gets the usage"),
    ("frobnicate\r", "unknown command 'frobnicate' (try help)", "unknown commands are named"),
    ("nx psx\x7f\r", "ID  NAME", "backspace edits the line (nx psx<BS> runs nx ps)"),
    ("nx bogus\x15nx metrics\r", "metricsd: series=", "Ctrl-U clears the line"),
    ("nx ability policy crasher\r", "crasher: initial_ms=500 factor=2.000 max_ms=15000 loop_threshold=5",
     "policy shows the default crash-loop policy"),
    ("nx ability history crasher\r", "crasher: 0 deaths", "history after selftest's unblock is empty"),
    ("nx ability state hello\r", "hello: stop", "state shows the stopping/stopped ability"),
    ("nx state put greeting hello-nxos\r", "ok (durable after nx state sync)", "state put in the console's namespace"),
    ("nx state get greeting\r", "/console/greeting: 10 bytes hello-nxos", "state get reads it back"),
    ("nx state sync\r", "ok: synced", "state sync"),
    ("nx state ls\r", "/console/greeting", "state ls lists the console's keys"),
    ("nx state put /appmgrd/x 1\r", "error: /appmgrd/x: denied: the console may use only keys under /console/",
     "a key outside the console's namespace is denied, clearly"),
    ("nx state del greeting\r", "ok", "state del"),
    ("nx state get greeting\r", "error: /console/greeting: no such key", "a deleted key is gone"),
    # Input paths: a line is run as typed or refused whole (absent: what running it would print).
    ("nx ps" + " " * 91 + "x" * 10 + "\r", "error: line longer than 96 bytes: not run",
     "a line longer than the buffer is refused, not cut short and run", "ID  NAME"),
    ("nx ps" + " " * 91 + "\r", "ID  NAME", "a line of exactly 96 bytes runs"),
    ("nx\tps\r", "ID  NAME", "a tab separates words"),
    ("nx ps\u00e9\r", "error: byte 0xc3 is not printable ASCII: line not run",
     "a non-ASCII byte refuses the line with a message", "ID  NAME"),
    ("\x1b[Anx p\x1b[D\x1bOCs\r", "ID  NAME", "arrow-key escape sequences are consumed, not typed"),
    ("nx ps" + "x" * 100 + "\x15nx ps\r", "ID  NAME", "Ctrl-U clears an overlong line"),
]


# --- nx ota ---------------------------------------------------------------------------------

# The bundles the image ships: demo_bundles of src/meson.build, in its order (nx_bundles.h's).
DEMO_BUNDLES = ("hello-2", "hello-3", "hello-4-badsig")
# Bundle header (include/proto/bundle.h): magic, format, name[32], version, doc_len, elf_len.
BUNDLE_HEADER = struct.Struct("<4sI32sIII")
HEALTH_WINDOW_DEFAULT_MS = 10000  # OTA_HEALTH_WINDOW_DEFAULT_MS
EVENT = re.compile(r"updated: event t=(?P<t>[0-9]+) app=(?P<app>\S+) "
                   r"event=(?P<ev>staged|switched|committed|rolled_back) version=(?P<v>[0-9]+) slot=(?P<slot>[ab])"
                   r"(?: why=\S+)?")
READY = re.compile(r"updated: app=(?P<app>\S+) version=[0-9]+ ready t=(?P<t>[0-9]+) health until [0-9]+")
# Lines other tasks print while the console answers; the rest of an answer is the console's.
OTHERS = re.compile(r"^(appmgrd|updated|kernel): |^[a-z][a-z0-9_-]*: ready version [0-9]+$")


def shipped_bundles():
    """The bundles the image ships: name -> (ability, version, bytes, image bytes, health window ms)."""
    out = {}
    for name in DEMO_BUNDLES:
        with open(os.path.join(BUILD_RV, "src", name + ".bundle"), "rb") as f:
            data = f.read()
        _, _, app, version, doc_len, elf_len = BUNDLE_HEADER.unpack_from(data)
        doc = data[BUNDLE_HEADER.size:BUNDLE_HEADER.size + doc_len].decode()
        window = re.search(r'"health_window_ms":([0-9]+)', doc)
        out[name] = (app.rstrip(b"\0").decode(), version, len(data), elf_len,
                     int(window.group(1)) if window else HEALTH_WINDOW_DEFAULT_MS)
    return out


class OtaModel:
    """updated's slots as the transcript's event lines say they are (proto/ota.h's rules)."""

    def __init__(self, transcript, bundles):
        with open(ABILITIES, encoding="utf-8") as f:
            self.order = [a["name"] for a in json.load(f)["abilities"]]
        self.bundles = bundles
        self.apps = {a: {"active": 0, "trial": False, "failed": 0, "last": None, "ready": None,
                         "slots": [["builtin", 1, 0, 0], ["empty", 0, 0, 0]]} for a in self.order}
        for line in transcript.replace("\r", "").split("\n"):
            ev, ready = EVENT.fullmatch(line), READY.fullmatch(line)
            if ev:
                self.event(ev)
            elif ready:
                self.apps[ready["app"]]["ready"] = int(ready["t"])

    def event(self, m):
        a, v, s = self.apps[m["app"]], int(m["v"]), "ab".index(m["slot"])
        slot = a["slots"][s]
        if m["ev"] == "staged":
            _, _, _, elf, window = next(b for b in self.bundles.values() if b[:2] == (m["app"], v))
            a["slots"][s] = ["staged", v, elf, window]
        elif m["ev"] == "switched":
            slot[0], a["trial"], a["ready"] = "trial", True, None
        elif m["ev"] == "committed":
            slot[0], a["active"], a["trial"] = "good", s, False
        else:
            a["slots"][s] = ["failed", v, slot[2], slot[3]] if slot[2] else ["empty", 0, 0, 0]
            a["failed"], a["active"], a["trial"], a["ready"] = v, 1 - s, False, None
        a["last"] = (m["ev"], int(m["t"]))

    def status(self, app):
        """The lines of `nx ota status APP`."""
        a = self.apps[app]
        act = a["active"]
        head = f"{app}: active={'ab'[act]} version={a['slots'][act][1]} trial={'ab'[1 - act] if a['trial'] else 'no'}"
        lines = [head + (f" failed_version={a['failed']}" if a["failed"] else "")]
        for i, (state, version, elf, window) in enumerate(a["slots"]):
            line = f"  slot {'ab'[i]}: {state}" + (f" version={version}" if state != "empty" else "")
            line += f" image_bytes={elf} health_window_ms={window}" if elf else ""
            lines.append(line + (" (active)" if i == act else ""))
        if a["trial"] and a["ready"] is not None:
            lines.append(f"  trial: ready t={a['ready']}, committed at t={a['ready'] + a['slots'][1 - act][3]} "
                         "if it stays up")
        elif a["trial"]:
            lines.append("  trial: waiting for its ready")
        lines.append(f"  last_event={a['last'][0]} t={a['last'][1]}" if a["last"] else "  last_event=none (this boot)")
        return lines

    def summary(self):
        """The lines of `nx ota status`."""
        lines = [f"{'APP':<12} {'ACTIVE':<6} {'TRIAL':<5} {'SLOT_A':<12} {'SLOT_B':<12} LAST_EVENT"]
        for app in self.order:
            a = self.apps[app]
            act = a["active"]
            slots = [s[0] + (f" v{s[1]}" if s[0] != "empty" else "") for s in a["slots"]]
            last = f"{a['last'][0]} t={a['last'][1]}" if a["last"] else "-"
            lines.append(f"{app:<12} {'ab'[act] + ' v' + str(a['slots'][act][1]):<6} "
                         f"{'ab'[1 - act] if a['trial'] else '-':<5} {slots[0]:<12} {slots[1]:<12} {last}")
        return lines

    def bundle_list(self):
        """The lines of `nx ota bundles`."""
        return [f"{'BUNDLE':<16} {'APP':<12} {'VERSION':>7} {'BYTES':>6}"] + [
            f"{name:<16} {app:<12} {version:>7} {size:>6}" for name, (app, version, size, _, _) in self.bundles.items()]


def refused(what, why):
    return [f"error: updated refused {what}: {why}"]


# (typed keys, the console's lines: a list or a function of the model, what the check shows,
#  the updated event the answer must hold as (event, version, slot), or None)
OTA_SESSION = [
    ("nx ota bundles\r", OtaModel.bundle_list, "ota bundles lists the shipped bundles: ability, version, bytes", None),
    ("nx ota status\r", OtaModel.summary, "ota status has a line per ability; hello as selftest left it", None),
    ("nx ota status hello\r", lambda m: m.status("hello"), "ota status hello: both slots and the latest event", None),
    ("nx ota stage hello-4-badsig\r", refused("hello-4-badsig", "bad signature"),
     "a bundle with a broken signature is refused", None),
    ("nx ota stage hello-2\r", refused("hello-2", "not newer than the active version"),
     "staging the active version is refused", None),
    ("nx ota switch hello\r", refused("the switch of hello", "not in this state"),
     "switch with nothing staged is refused", None),
    ("nx ota rollback hello\r", refused("the rollback of hello", "not in this state"),
     "rollback to a failed slot is refused", None),
    ("nx ota stage nosuch\r", ["error: no bundle 'nosuch' in the image (nx ota bundles lists them)"],
     "an unknown bundle is named", None),
    ("nx ota status nosuch\r", ["error: no ability 'nosuch' (nx ability list names them)"],
     "an unknown ability is named", None),
    ("nx ota switch\r", ["usage: nx ota status [app] | bundles | stage <bundle> | switch <app> | rollback <app>"],
     "a missing argument gets the usage", None),
    ("nx ota status hello\r", lambda m: m.status("hello"), "the refusals changed nothing", None),
    ("nx ota stage hello-3\r", ["ok: staged hello version 3 in slot a (nx ota switch hello runs it on trial)"],
     "stage hello-3: version 3 into the inactive slot a", ("staged", 3, "a")),
    ("nx ota status hello\r", lambda m: m.status("hello"), "status shows slot a staged", None),
    ("nx ota switch hello\r", lambda m: ["ok: hello switched"] + m.status("hello"),
     "switch puts version 3 on trial, and the status says so", ("switched", 3, "a")),
]
# Version 3 crashes at start: the crash loop blocks it, updated rolls back and starts version 2.
OTA_WAITS = [("event=rolled_back version=3 slot=a why=crash_loop", "the crash loop rolled version 3 back"),
             ("hello: ready version 2", "version 2 runs again")]
OTA_AFTER = [
    ("nx ota status hello\r", lambda m: m.status("hello"), "status after the rollback: version 2 active, slot a failed",
     None),
]


def ota_check(con, bundles, keys, want, what, event):
    """Type `keys`; the console's lines must be exactly `want` (after the echo), and the answer
    must hold updated's `event` line if one is given. Prints the outcome; True if it passed."""
    answer = con.type(keys).replace("\r", "").split("\n")
    model = OtaModel(con.consumed(), bundles)
    expected = [keys.rstrip("\r")] + (want(model) if callable(want) else want)
    got = [l for l in answer if l and not OTHERS.search(l)]
    events = [m.group("ev", "v", "slot") for m in map(EVENT.fullmatch, answer) if m]
    ok = got == expected and (event is None or (event[0], str(event[1]), event[2]) in events)
    print(f"console-test: {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        print(f"  typed {keys!r}, want the lines" + (f" and updated's event {event}" if event else "") + ":")
        for l in expected:
            print(f"    {l}")
        print("  got:")
        for l in answer[:24]:
            print(f"    {l}")
    return ok


def ota_session(con):
    """The nx ota checks; how many ran and how many failed."""
    bundles = shipped_bundles()
    failed = 0
    for keys, want, what, event in OTA_SESSION:
        failed += not ota_check(con, bundles, keys, want, what, event)
    for text, what in OTA_WAITS:
        con.wait_line(text, ANSWER_TIMEOUT_S)
        print(f"console-test: ok   {what}")
    for keys, want, what, event in OTA_AFTER:
        failed += not ota_check(con, bundles, keys, want, what, event)
    return len(OTA_SESSION) + len(OTA_WAITS) + len(OTA_AFTER), failed


BLOCKED_CHECKS = 1


def blocked_start(con):
    """crasher crash-loops into blocked; a start then names the reason. Returns failures."""
    con.type("nx ability start crasher\r")
    con.wait_line("appmgrd: blocked crash-loop app=crasher", BOOT_TIMEOUT_S)
    got = lines_after_echo(con.type("nx ability start crasher\r"))
    want = "error: crasher is blocked (crash loop, 5 crashes): nx ability unblock crasher first"
    ok = want in got
    print(f"console-test: {'ok  ' if ok else 'FAIL'} a start of a blocked ability says blocked")
    if not ok:
        print(f"  want {want!r}, got:")
        for l in got[:12]:
            print(f"    {l}")
    con.type("nx ability unblock crasher\r")
    return 0 if ok else 1


def report(ok, what, detail):
    print(f"console-test: {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        for l in detail:
            print(f"    {l}")
    return ok


def echo_redrawn(con):
    """A background line while a line is typed: it goes on a line of its own, never inside
    the echo, and the typed line is redrawn under it and still runs. Returns the checks'
    results (True: passed).

    stubborn ignores its stop, so appmgrd stops it at its 1 s stop timeout and prints that
    while "nx p" is typed: "stubborn\rnx p" goes in one write, so the partial line is in
    the console before the timeout in guest time, whatever the host's timing."""
    con.type("nx ability start stubborn\r")
    con.wait_line("app=stubborn from=starting to=running", ANSWER_TIMEOUT_S)
    start = len(con.seen)
    for part in ("nx abili", "ty stop "):
        con.proc.stdin.write(part.encode())
        con.proc.stdin.flush()
        time.sleep(0.05)
    con.proc.stdin.write(b"stubborn\rnx p")
    con.proc.stdin.flush()
    try:
        con.wait_line("appmgrd: stopped app=stubborn", ANSWER_TIMEOUT_S)
        con.read_until(PROMPT + "nx p", 5)
        redrawn = True
    except Timeout:
        redrawn = False
    text = con.seen[start:].replace("\r", "")
    split = re.search(r"nx p(?!s?(\n|$)).*", text)
    results = [report(redrawn and split is None, "a background line does not split the echo of a typed line",
                      [f"redrawn={redrawn} split={split.group(0) if split else None!r}; transcript tail:"]
                      + text.split("\n")[-8:])]
    got = lines_after_echo(con.type("s\r"))
    results.append(report(any("ID  NAME" in l for l in got), "the redrawn line runs as typed (nx ps)", got[:12]))
    return results


def qemu_command(smp, icount, profile):
    """The disk and the QEMU command of scripts/lib/common.sh for a console boot, or None."""
    qemu = subprocess.run(["bash", "-c", f'source scripts/lib/common.sh && nx_qemu_cmd {smp} "{icount}" {profile} '
                           '&& printf "%s\\0" "$NX_DISK_USED" "${NX_QEMU[@]}"'], cwd=ROOT, capture_output=True,
                          text=True)
    if qemu.returncode != 0:
        return None
    disk, *qemu_cmd = [a for a in qemu.stdout.split("\0") if a]
    return disk, qemu_cmd + ["-display", "none", "-monitor", "none", "-serial", "stdio"]


def time_to_prompt():
    """Boot as `just run` does (profile=run, SMP=2, real time, no proof) and measure the wall
    time from QEMU's start to the first prompt; `help` must answer. Returns failures."""
    prepared = qemu_command(2, "off", "run")
    if prepared is None:
        raise Timeout("cannot build the QEMU command for profile=run")
    start = time.monotonic()
    con = Console(prepared[1], RUN_LOG)
    try:
        con.read_until("nxos console: type help", BOOT_TIMEOUT_S)
        con.read_until(PROMPT, ANSWER_TIMEOUT_S)
        wall_ms = round((time.monotonic() - start) * 1000)
        ok = "commands:" in con.type("help\r")
    finally:
        con.stop()
    print(f"console-test: time to prompt (profile=run smp=2 real time, QEMU start to {PROMPT!r}) wall_ms={wall_ms}")
    print(f"console-test: {'ok  ' if ok else 'FAIL'} profile=run boots straight to a console that answers help")
    return 0 if ok else 1


def main():
    if subprocess.run(["bash", "-c", "source scripts/lib/common.sh && nx_build_rv"], cwd=ROOT).returncode != 0:
        print("console-test: error: build of build-rv failed", file=sys.stderr)
        return 2
    try:
        prompt_failed = time_to_prompt()
    except Timeout as exc:
        print(f"console-test: TIMEOUT profile=run: {exc} (log: {RUN_LOG})")
        return 124
    prepared = qemu_command(1, "shift=0,sleep=off", "run-proof")
    if prepared is None:
        print("console-test: error: cannot build the QEMU command", file=sys.stderr)
        return 2
    disk, cmd = prepared
    con = Console(cmd)
    failed = 0
    checks = list(CHECKS)
    try:
        boot = con.read_until("nxos console: type help", BOOT_TIMEOUT_S)
        con.read_until(PROMPT, ANSWER_TIMEOUT_S)
        # The public key keystored announced at boot is what `nx key pubkey` must print.
        announced = re.search(r"^keystored: key created pubkey=([0-9a-f]{64})\r?$", boot, re.M)
        checks += [
            ("nx key pubkey\r", announced.group(1) if announced else "keystored announced no key",
             "key pubkey prints the public key keystored made at boot"),
            ("nx key private\r", "usage: nx key pubkey", "nx key offers nothing but the public key"),
        ]
        for keys, want, what, *absent in checks:
            got = lines_after_echo(con.type(keys))
            ok = any(want in l for l in got) if want is not None else any(l.startswith("error:") for l in got)
            ok = ok and not any(a in l for a in absent for l in got)
            print(f"console-test: {'ok  ' if ok else 'FAIL'} {what}")
            if not ok:
                failed += 1
                print(f"  typed {keys!r}, want a line with {want or 'error:'!r}, got:")
                for l in got[:12]:
                    print(f"    {l}")
        ran, ota_failed = ota_session(con)
        blocked_failed = blocked_start(con)
        echo = echo_redrawn(con)
        total = len(checks) + ran + BLOCKED_CHECKS + len(echo) + 1
        failed += ota_failed + blocked_failed + echo.count(False) + prompt_failed
    except Timeout as exc:
        print(f"console-test: TIMEOUT {exc} (log: {LOG})")
        return 124
    finally:
        con.stop()
    print(f"console-test: {total - failed} of {total} checks passed (log: {os.path.relpath(LOG, ROOT)})")
    # Nothing the console printed, nor the disk, holds keystored's secret key.
    leak = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "check-key-leak.py"), LOG, disk],
                          cwd=ROOT)
    if leak.returncode == 2:
        return 2
    return 1 if failed or leak.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
