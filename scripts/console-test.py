#!/usr/bin/env python3
"""`just test-console`: boot the system in profile=run, type at the nx console through QEMU's
serial input, and check every answer; then check that neither the console's transcript nor the
disk holds keystored's secret key (scripts/check-key-leak.py).

The guest runs under icount (its proof ends in about a second of wall time); while it waits
for input its clock jumps ahead, which the console does not mind. QEMU is stopped by its own
PID. Exit status: 0 pass, 1 an answer was wrong or the key leaked, 2 infrastructure error
(missing tool, build failure), 124 no answer in time.
"""

import os
import re
import select
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LOG = os.path.join(ROOT, "build", "logs", "console", "uart.log")
PROMPT = "nx> "
BOOT_TIMEOUT_S = 120
ANSWER_TIMEOUT_S = 20


class Timeout(Exception):
    pass


class Console:
    def __init__(self, cmd):
        os.makedirs(os.path.dirname(LOG), exist_ok=True)
        self.log = open(LOG, "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=ROOT)
        self.out = ""

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
        head, _, self.out = self.out.partition(text)
        return head

    def type(self, keys):
        """Type `keys` (slowly, like a person: the UART FIFO holds 16 bytes) and return the
        console's answer up to the next prompt."""
        for i in range(0, len(keys), 8):
            self.proc.stdin.write(keys[i:i + 8].encode())
            self.proc.stdin.flush()
            time.sleep(0.02)
        return self.read_until(PROMPT, ANSWER_TIMEOUT_S)

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
]


def main():
    if subprocess.run(["bash", "-c", "source scripts/lib/common.sh && nx_build_rv"], cwd=ROOT).returncode != 0:
        print("console-test: error: build of build-rv failed", file=sys.stderr)
        return 2
    qemu = subprocess.run(["bash", "-c", 'source scripts/lib/common.sh && nx_qemu_cmd 1 "shift=0,sleep=off" run '
                           '&& printf "%s\\0" "$NX_DISK_USED" "${NX_QEMU[@]}"'], cwd=ROOT, capture_output=True,
                          text=True)
    if qemu.returncode != 0:
        print("console-test: error: cannot build the QEMU command", file=sys.stderr)
        return 2
    disk, *qemu_cmd = [a for a in qemu.stdout.split("\0") if a]
    cmd = qemu_cmd + ["-display", "none", "-monitor", "none", "-serial", "stdio"]
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
        for keys, want, what in checks:
            got = lines_after_echo(con.type(keys))
            ok = any(want in l for l in got) if want is not None else any(l.startswith("error:") for l in got)
            print(f"console-test: {'ok  ' if ok else 'FAIL'} {what}")
            if not ok:
                failed += 1
                print(f"  typed {keys!r}, want a line with {want or 'error:'!r}, got:")
                for l in got[:12]:
                    print(f"    {l}")
    except Timeout as exc:
        print(f"console-test: TIMEOUT {exc} (log: {LOG})")
        return 124
    finally:
        con.stop()
    print(f"console-test: {len(checks) - failed} of {len(checks)} checks passed (log: {os.path.relpath(LOG, ROOT)})")
    # Nothing the console printed, nor the disk, holds keystored's secret key.
    leak = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "check-key-leak.py"), LOG, disk],
                          cwd=ROOT)
    if leak.returncode == 2:
        return 2
    return 1 if failed or leak.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
