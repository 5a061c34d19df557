#!/usr/bin/env python3
"""`just bench`: measure the project's figures and write docs/perf.md.

Every figure comes from a benchmark run here, never from a timed unit test:
  - lifecycle core: scripts/measure-lifecycle.py (rv64 .text at -Os, RAM per ability,
    host instructions per event under valgrind callgrind), and the same at 32, 256 and 1024
    abilities on one trace shape (lifecycle_scale());
  - IPC: the guest's own instret around echo round trips (profile=bench, SMP=1), its split
    between client, kernel and server (scripts/ipc-profile.py), and the .text of the IPC
    library for rv64;
  - timer slack: timer interrupts taken for 8 BG sleepers with 200 ms slack and for the
    same schedule without slack (profile=bench);
  - Ed25519: guest instructions of key pair, sign and verify of a 64-byte message, in the
    library alone and through keystored (profile=bench); rv64 sizes of the crypto library
    and of the keystored image;
  - updates: guest instructions and ms of staging a demo bundle through updated, and of a
    switch until the new version is ready (profile=bench);
  - proof: wall and guest seconds of each QEMU lane (scripts/qemu-test.sh).
Exit status: 0 written, 1 a run failed, 2 a tool is missing.
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PY = "/usr/bin/python3"
OUT = os.path.join(ROOT, "docs", "perf.md")

TARGETS = {
    "lc_instr": 150,
    "lc_text": 4096,
    "lc_ram": 256,
    "ipc_rt": 1000,
    "lane_wall_s": 2.0,
}


class BenchError(Exception):
    pass


def run(cmd, env=None):
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return p.stdout


def grab(pattern, text, what):
    m = re.search(pattern, text, re.M)
    if m is None:
        raise BenchError(f"no {what} in output")
    return m.groups()


def lifecycle():
    out = run([PY, "scripts/measure-lifecycle.py"])
    text, rodata = grab(r"\.text (\d+) bytes, \.rodata (\d+) bytes", out, "lifecycle sizes")
    per_ability, = grab(r"LC_BYTES_PER_ABILITY (\d+)", out, "RAM per ability")
    lines, events, ticks = grab(r"callgrind over (\d+) trace lines \((\d+) events, (\d+) ticks\)", out, "trace")
    instr, = grab(r"core: \d+ instructions, ([\d.]+) per line", out, "instructions per event")
    return {
        "lc_text": int(text), "lc_rodata": int(rodata), "lc_ram": int(per_ability),
        "lc_instr": float(instr), "lc_lines": int(lines), "lc_events": int(events), "lc_ticks": int(ticks),
    }


# The lifecycle core at scale: 1, 8 and 32 traces of 32 apps (15000 lines each) merged by time,
# so that 32, 256 and 1024 abilities see the same trace shape; 256 and 1024 through the core
# built for 1024 (build-host's lcreplay-1024).
LC_SCALE_LINES_PER_SHARD = 15000


def lifecycle_scale():
    rows = []
    for shards in (1, 8, 32):
        binary = "lcreplay" if shards == 1 else "lcreplay-1024"
        out = run([PY, "scripts/measure-lifecycle.py", "--shards", str(shards),
                   "--events", str(LC_SCALE_LINES_PER_SHARD * shards),
                   "--lcreplay", os.path.join(ROOT, "build-host", "src", "tools", "lcreplay", binary)])
        lines, events, ticks, apps = grab(r"callgrind over (\d+) trace lines \((\d+) events, (\d+) ticks\), (\d+) apps",
                                          out, "scale trace")
        instr, = grab(r"core: \d+ instructions, ([\d.]+) per line", out, "instructions per event")
        per, ram32, ram1024 = grab(r"LC_BYTES_PER_ABILITY (\d+)\); struct lc for 32 abilities (\d+) bytes .*for 1024 "
                                   r"abilities (\d+) bytes", out, "RAM at 32 and 1024")
        rows.append((int(apps), float(instr), int(lines), int(events), int(ticks), binary))
    return {"lc_scale": rows, "lc_per_ability": int(per), "lc_core_32": int(ram32), "lc_core_1024": int(ram1024)}


def ipc_text():
    out = run(["riscv64-unknown-elf-size", "-A", "build-rv/src/ipc/libipc.a"])
    return sum(int(m.group(1)) for m in re.finditer(r"^\.text\S*\s+(\d+)", out, re.M))


def sizes(*paths):
    """(text, data, bss) summed over the objects of `paths` (`size -t`, Berkeley format)."""
    out = run(["riscv64-unknown-elf-size", "-t", *paths])
    text, data, bss = grab(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[0-9a-f]+\s+\(TOTALS\)$", out, "size totals")
    return int(text), int(data), int(bss)


def crypto_sizes():
    return {
        "sodium_size": sizes("build-rv/src/crypto/libsodium_ed25519.a"),
        "sig_size": sizes("build-rv/src/crypto/libsig.a"),
        "keystored_size": sizes("build-rv/src/keystored"),
    }


def lane(smp, profile="default", icount=None, extra=None):
    env = {"SMP": str(smp), "PROFILE": profile}
    env.update(extra or {})
    if icount is not None:
        env["ICOUNT"] = icount
    out = run(["scripts/qemu-test.sh"], env)
    wall, guest = grab(r"wall_ms=(\d+) guest_ms=(\d+)", out, "lane timing")
    log = os.path.join(ROOT, "build", "logs",
                       f"{profile}-{'mttcg-' if icount == 'off' else ''}smp{smp}", "uart.log")
    with open(log, encoding="utf-8", errors="replace") as f:
        transcript = f.read()
    return int(wall), int(guest), transcript


def guest_bench():
    wall, guest, log = lane(1, "bench")
    rt, calls = grab(r"^bench: ipc roundtrip instret=(\d+) calls=(\d+)$", log, "IPC round trip")
    slack, exact, idle = grab(r"^bench: timer wake irqs sleepers=8 sleeps=10 bg_slack=(\d+) no_slack=(\d+) idle=(\d+)$",
                              log, "timer slack")
    figures = {"ipc_rt": int(rt), "ipc_calls": int(calls), "slack_irqs": int(slack), "exact_irqs": int(exact),
               "idle_irqs": int(idle)}
    for key, size, batch in (("sfs_64", 64, 1), ("sfs_4k", 4096, 1), ("sfs_64_batch", 64, 16)):
        instret, sectors, flushes = grab(rf"^bench: statefs put_sync bytes={size} batch={batch} instret=(\d+) "
                                         r"sectors_written_x100=(\d+) flushes_x100=(\d+)$", log, f"statefs {key}")
        figures[key] = (int(instret), int(sectors) / 100, int(flushes) / 100)
    puts, free = grab(r"^bench: statefs fill puts=(\d+) bytes_free=(\d+)$", log, "statefs fill")
    keypair, sign, verify = grab(r"^bench: sig bytes=64 keypair=(\d+) sign=(\d+) verify=(\d+)$", log, "Ed25519")
    ks_sign, ks_verify, rounds = grab(r"^bench: keystored bytes=64 sign=(\d+) verify=(\d+) rounds=(\d+)$", log,
                                      "keystored")
    figures.update({"sig_keypair": int(keypair), "sig_sign": int(sign), "sig_verify": int(verify),
                    "ks_sign": int(ks_sign), "ks_verify": int(ks_verify), "sig_rounds": int(rounds)})
    stage_bytes, stage_i, stage_ms = grab(r"^bench: ota stage bytes=(\d+) instret=(\d+) guest_ms=(\d+)$", log,
                                          "ota stage")
    switch_i, switch_ms = grab(r"^bench: ota switch_to_ready instret=(\d+) guest_ms=(\d+)$", log, "ota switch")
    figures["ota"] = (int(stage_bytes), int(stage_i), int(stage_ms), int(switch_i), int(switch_ms))
    # The next boot on the same disk recovers the journal the bench boot filled.
    _, _, reopen = lane(1, "bench-reopen", extra={"NX_DISK": os.path.join(ROOT, "build", "disks", "bench-smp1.img"),
                                                  "DISK_KEEP": "1"})
    records, instret = grab(r"^statefsd: store open sectors=\d+ keys=\d+ replayed=(\d+) dropped=0 formatted=0 "
                            r"instret=(\d+)$", reopen, "statefs recovery")
    figures["sfs_recovery"] = (int(instret), int(records), int(free))
    return figures


def ipc_split():
    """The round trip by side, from the exec trace of scripts/ipc-profile.py."""
    out = run([PY, "scripts/ipc-profile.py"])
    total, = grab(r"^ipc-profile: round trip \d+: (\d+) guest instructions$", out, "IPC profile")
    client, kernel, server = grab(r"^  client (\d+), kernel (\d+), server (\d+)$", out, "IPC profile split")
    switch, = grab(r"^ipc-profile: context switch \d+: (\d+) kernel instructions", out, "context switch")
    return {"ipc_profiled": int(total), "ipc_client": int(client), "ipc_kernel": int(kernel),
            "ipc_server": int(server), "ipc_switch": int(switch)}


def ipc_oneway():
    """The one-way send of the bench boot guest_bench() ran (its transcript on disk)."""
    with open(os.path.join(ROOT, "build", "logs", "bench-smp1", "uart.log"), encoding="utf-8", errors="replace") as f:
        log = f.read()
    instret, sends = grab(r"^bench: ipc oneway_send instret=(\d+) sends=(\d+)$", log, "IPC one-way send")
    return {"ipc_oneway": int(instret), "ipc_oneway_sends": int(sends)}


def verdict(value, key, lower_is_better=True):
    target = TARGETS[key]
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "**not met**"


def render(f):
    commit = run(["git", "rev-parse", "--short", "HEAD"]).strip()
    lines = [
        "# Performance figures",
        "",
        f"Written by `just bench` (scripts/bench.py) at commit `{commit}`. Instruction counts and sizes",
        "repeat exactly; wall times depend on the machine (2 cores here) and its load.",
        "",
        "| figure | value | target | how it was measured |",
        "|---|---|---|---|",
        f"| lifecycle core: host instructions per event | {f['lc_instr']:.1f} | ≤ {TARGETS['lc_instr']} "
        f"({verdict(f['lc_instr'], 'lc_instr')}) | valgrind `--tool=callgrind` on `lcreplay` over a generated trace of "
        f"{f['lc_lines']} lines ({f['lc_events']} events, {f['lc_ticks']} ticks, 32 apps); inclusive count of "
        "`lc_event` + `lc_advance` minus lcreplay's JSON-printing callback, per line |",
        f"| lifecycle core: `.text` for rv64 at `-Os` | {f['lc_text']} B (+{f['lc_rodata']} B `.rodata`) | ≤ 4096 B "
        f"({verdict(f['lc_text'], 'lc_text')}) | `riscv64-unknown-elf-size -A build-rv/src/lifecycle/liblc.a` |",
        f"| lifecycle core: RAM per ability | {f['lc_ram']} B | ≤ 256 B ({verdict(f['lc_ram'], 'lc_ram')}) | "
        "`LC_BYTES_PER_ABILITY`: `sizeof(struct lc_ability)` incl. its 16-entry crash history, plus its 12 bytes of "
        "timer heap (rv64 layout) |",
    ]
    for apps, instr, nlines, events, ticks, binary in f["lc_scale"]:
        lines.append(
            f"| lifecycle core at {apps} abilities: host instructions per event | {instr:.1f} | ≤ {TARGETS['lc_instr']} "
            f"({verdict(instr, 'lc_instr')}) | as above, `{binary}` over {apps // 32} generated trace"
            f"{'s' if apps > 32 else ''} of 32 apps merged by time (`gen-lifecycle-trace.py --apps 32 --shards {apps // 32}`, {LC_SCALE_LINES_PER_SHARD} "
            f"lines each, cut where the first ends): {nlines} lines ({events} events, {ticks} ticks) |")
    lines += [
        f"| lifecycle core: RAM per ability at any capacity | {f['lc_per_ability']} B | ≤ 256 B "
        f"({verdict(f['lc_per_ability'], 'lc_ram')}) | `LC_BYTES_PER_ABILITY` for rv64: `struct lc_ability` plus its "
        f"timer heap entry (8-byte deadline, 2-byte id) and heap position (2 B); `struct lc` is {f['lc_core_32']} B at "
        f"32 abilities, {f['lc_core_1024']} B at 1024 (`riscv64-unknown-elf-nm -S`) |",
        f"| IPC: guest instructions per request/reply round trip | {f['ipc_rt']} | ≤ {TARGETS['ipc_rt']} "
        f"({verdict(f['ipc_rt'], 'ipc_rt')}) | `rdinstret` in selftest around {f['ipc_calls']} echo calls through "
        "`ipc_route_with_nonce_budgeted` and the kernel (profile=bench, SMP=1: one hart retires client, kernel and "
        "server instructions, and OpenSBI's) |",
        f"| IPC round trip by side: client / kernel / server | {f['ipc_client']} / {f['ipc_kernel']} / "
        f"{f['ipc_server']} | | `just ipc-profile`: QEMU exec trace of one round trip ({f['ipc_profiled']} "
        "instructions, the `rdinstret` reads excluded), each instruction attributed to the task running it |",
        f"| IPC: guest instructions per one-way send | {f['ipc_oneway']} | | `rdinstret` in selftest around "
        f"{f['ipc_oneway_sends']} `NX_SYS_SEND`s of a 40-byte request to echo waiting in its receive (delivered "
        "into its buffer, echo queued, no switch; profile=bench, SMP=1) |",
        f"| IPC: kernel instructions per context switch | {f['ipc_switch']} | | `just ipc-profile`: QEMU exec trace "
        "of the client's `NX_SYS_WAIT` after a one-way send, from its trap to echo's first instruction (block, pick "
        "from the run queue, address-space switch, return) |",
        f"| IPC library `.text` for rv64 | {f['ipc_text']} B | | `riscv64-unknown-elf-size -A build-rv/src/ipc/libipc.a` |",
        f"| timer slack: timer interrupts, 8 BG sleepers × 10 sleeps, 200 ms slack | {f['slack_irqs']} | | "
        "kernel counter `timer_wake_irqs` over the phase (profile=bench); background of an idle phase: "
        f"{f['idle_irqs']} |",
        f"| timer slack: the same schedule without slack (SYS class) | {f['exact_irqs']} | | same counter, same "
        "nominal deadlines |",
    ]
    for key, what in (("sfs_64", "put of 64 B + sync"), ("sfs_4k", "put of 4 KiB + sync"),
                      ("sfs_64_batch", "put of 64 B, 16 puts per sync")):
        instret, sectors, flushes = f[key]
        lines.append(f"| statefs: guest instructions per {what} | {instret} | | `rdinstret` in selftest around "
                     "`statefs_put` (+ `statefs_sync`), 16 rounds (profile=bench, SMP=1: client, kernel, statefsd) |")
        lines.append(f"| statefs: sectors written / flushes per {what} | {sectors:.2f} / {flushes:.2f} | | "
                     "kernel counters `blk.sectors_written`, `blk.flushes` over the same rounds (512-byte sectors) |")
    instret, records, free = f["sfs_recovery"]
    lines.append(f"| statefs: recovery of a full journal (guest instructions) | {instret} | | `rdinstret` around "
                 f"`sfs_open` in statefsd, booting on the disk profile=bench filled ({records} records replayed, "
                 f"{free} bytes of the region left) |")
    lines += [
        f"| Ed25519: guest instructions per key pair from a seed / sign / verify, 64-byte message | "
        f"{f['sig_keypair']} / {f['sig_sign']} / {f['sig_verify']} | | `rdinstret` in selftest around "
        f"`sig_keypair_from_seed` (once), `sig_sign` and `sig_verify` ({f['sig_rounds']} rounds after one not "
        "counted; profile=bench, SMP=1): libsodium's ref10 code alone |",
        f"| keystored: guest instructions per sign / verify request, 64-byte message | {f['ks_sign']} / "
        f"{f['ks_verify']} | | `rdinstret` in selftest around `keystore_sign` and `keystore_verify`, the same "
        "rounds: client, kernel (message as an attachment) and keystored on one hart |",
    ]
    stage_bytes, stage_i, stage_ms, switch_i, switch_ms = f["ota"]
    lines += [
        f"| updated: stage of a {stage_bytes}-byte bundle (guest instructions / guest ms) | {stage_i} / {stage_ms} | | "
        "`rdinstret` and guest time in selftest around `ota_stage` (profile=bench, SMP=1): chunks in, SHA-512, "
        "keystored's verify, the image written and synced in statefsd, the record synced |",
        f"| updated: switch until the new version's ready (guest instructions / guest ms) | {switch_i} / {switch_ms} | | "
        "from `switch` to appmgrd's change notification of the ready: record synced, appmgrd's image, execd "
        "reading and checking the image, the kernel validating and loading it, the ability's start |",
    ]
    for key, what in (("sodium_size", "libsodium's Ed25519 subset (`libsodium_ed25519.a`, 7 files, `-Os`)"),
                      ("sig_size", "the wrapper (`libsig.a`)"),
                      ("keystored_size", "the keystored image (linked: runtime, IPC, crypto after `--gc-sections`)")):
        text, data, bss = f[key]
        lines.append(f"| rv64 size of {what}: text / data / bss | {text} / {data} / {bss} B | | "
                     "`riscv64-unknown-elf-size -t` |")
    for name, key in (("SMP=1 (icount)", "smp1"), ("SMP=2 (icount)", "smp2"), ("SMP=2 MTTCG (no icount)", "mttcg")):
        wall, guest = f[key]
        target = f"≤ 2 s ({verdict(wall / 1000, 'lane_wall_s')})" if key != "mttcg" else "(real time)"
        lines.append(f"| proof lane {name}: wall / guest seconds | {wall / 1000:.2f} s / {guest / 1000:.2f} s | "
                     f"{target} | `scripts/qemu-test.sh` (whole default ladder), `wall_ms` and `SELFTEST: end guest_ms` |")
    lines += [
        "",
        "Notes:",
        "- The deterministic lanes run under `-icount shift=0,sleep=off`: one guest instruction is one",
        "  nanosecond of guest time and idle time costs no wall time, so guest time can exceed wall time.",
        "- The round trip counts everything one hart retires between the two `rdinstret` reads: the",
        "  client's helper (encode, `NX_SYS_CALL`, decode), one trap that sends the request and",
        "  switches straight to the waiting server, the server's decode, policy check, handler and",
        "  encode, one trap (`NX_SYS_REPLY_WAIT`) that sends the reply and switches straight back,",
        "  and the client's decode and copy (docs/kernel.md, \"The IPC fast path\").",
        "- `just ipc-profile` attributes one round trip's instructions to functions from a QEMU",
        "  exec trace; its total is this figure. Before the fast path the round trip took 3868",
        "  instructions (four traps: send, receive, reply, receive; a byte-wise codec).",
        "",
    ]
    return "\n".join(lines)


# --- Whole-process wall time of the lanes as a user runs them, and `just run` to its prompt ---

USER_RUNS = 5


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def timed(cmd, env=None, runs=USER_RUNS):
    """Wall (s), CPU (user+sys of the children, s) and output of `cmd`, `runs` times; it must pass."""
    walls, cpus, outs = [], [], []
    for _ in range(runs):
        before = os.times()
        start = time.monotonic()
        outs.append(run(cmd, env))
        walls.append(time.monotonic() - start)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
    return walls, cpus, outs


def time_to_prompt(runs=USER_RUNS):
    """Wall time (s) from starting `just run` to the console's first prompt, `runs` times."""
    out = []
    for _ in range(runs):
        start = time.monotonic()
        p = subprocess.Popen(["just", "run"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        seen = b""
        try:
            while b"nx> " not in seen:
                if time.monotonic() - start > 120:
                    raise BenchError("just run: no prompt within 120 s")
                ready, _, _ = select.select([p.stdout], [], [], 1.0)
                if ready:
                    chunk = os.read(p.stdout.fileno(), 4096)
                    if not chunk:
                        raise BenchError("just run: QEMU ended before the prompt")
                    seen += chunk
            out.append(time.monotonic() - start)
        finally:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return out


def fmt(values):
    return "median " + f"{median(values):.2f}" + " s (" + ", ".join(f"{v:.2f}" for v in values) + ")"


def user_lanes():
    """Lines of docs/perf.md: each lane's whole command, the wrapper's parts, `just run`."""
    load = os.getloadavg()[0]
    lines = ["", "## Lanes as a user runs them (whole-process wall time)", "",
             f"Measured by `just bench` (scripts/bench.py, user_lanes), host load average {load:.1f} on "
             f"{os.cpu_count()} cores at the start; the build up to date. Wall time is of the whole "
             "process as a user starts it; CPU is user+sys of all its processes (less sensitive to "
             "the host's load than wall time).", "",
             "| command | runs | wall | CPU (median) |", "|---|---|---|---|"]
    just = shutil.which("just")
    qemu_walls = []
    for smp in (1, 2, 3, 4):
        for profile in ("default", "faults"):
            runs = USER_RUNS if (smp, profile) == (1, "default") else 3
            walls, cpus, outs = timed(["just", "test-os"],
                                      {"SMP": str(smp), "PROFILE": profile, "RUN_UNTIL_MARKER": "1"}, runs)
            lines.append(f"| `SMP={smp} PROFILE={profile} RUN_UNTIL_MARKER=1 just test-os` | {runs} | {fmt(walls)} | "
                         f"{median(cpus):.2f} s |")
            if (smp, profile) == (1, "default"):
                qemu_walls = [int(grab(r"^qemu-test: PASS \(.* wall_ms=(\d+)", out, "wall_ms")[0]) / 1000
                              for out in outs]
    parts = [("`just --version` (" + os.path.realpath(just) + ")", ["just", "--version"], None),
             ("the no-op build check (`ninja -C build-rv`)", ["ninja", "-C", "build-rv"], None),
             ("`python3 -c pass`", [PY, "-c", "pass"], None),
             ("scripts/check-markers.py with --key-leak on the SMP=1 transcript and disk (the lane's one "
              "Python process)", [PY, "scripts/check-markers.py", "scripts/markers/default.txt",
              "build/logs/default-smp1/uart.log", "--forbidden", "scripts/markers/forbidden.txt", "--key-leak",
              "build/disks/default-smp1.img"], None)]
    lines.append(f"| part: QEMU in the SMP=1 default runs above (qemu-test's `wall_ms`) | {USER_RUNS} | "
                 f"{fmt(qemu_walls)} | |")
    for what, cmd, env in parts:
        walls, cpus, _ = timed(cmd, env)
        lines.append(f"| part: {what} | {USER_RUNS} | {fmt(walls)} | {median(cpus):.2f} s |")
    prompt = time_to_prompt()
    lines += ["", f"`just run` (profile run: no proof; SMP=2, real time) from the start of `just run` to the first "
              f"`nx> `: {fmt(prompt)} over {USER_RUNS} runs."]
    return "\n".join(lines) + "\n"


def main():
    for tool in ("riscv64-unknown-elf-size", "valgrind", "qemu-system-riscv64", "just"):
        if shutil.which(tool) is None:
            print(f"bench: {tool} not found; run ./scripts/setup.sh", file=sys.stderr)
            return 2
    try:
        run(["just", "build"])
        figures = lifecycle()
        figures.update(lifecycle_scale())
        figures["ipc_text"] = ipc_text()
        figures.update(crypto_sizes())
        figures.update(guest_bench())
        figures.update(ipc_oneway())
        figures.update(ipc_split())
        for key, smp, icount in (("smp1", 1, None), ("smp2", 2, None), ("mttcg", 2, "off")):
            wall, guest, _ = lane(smp, icount=icount)
            figures[key] = (wall, guest)
        user = user_lanes()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    text = render(figures) + user
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    print(f"bench: wrote {os.path.relpath(OUT, ROOT)}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--user-lanes"]:
        try:
            print(user_lanes())
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    sys.exit(main())
