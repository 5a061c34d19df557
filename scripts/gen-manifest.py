#!/usr/bin/env python3
"""Turn the system manifest into C, one part for each side of the kernel/user boundary.

Usage: gen-manifest.py MANIFEST.json SCHEMA.json OUT.h OUT.c BOOT.c

- OUT.h, OUT.c (nx_manifest.h/.c, user side): service names and ids, op codes, the
  authority table that servers check, and the release key that signs ability bundles.
- BOOT.c (ks_boot_table.c, kernel side): the boot table of kernel-shim/boot.h, per boot
  task only what the kernel needs: image, name, rights, QoS class, page quota, timer slack,
  the resolved id of its supervisor (the service supervisor for a service with a `restart`
  policy, the root supervisor for every other task), and the command-line words it is started for
  ("profile=<p>" for each of its profiles). No op code or policy reaches the kernel.

The manifest is read strictly (scripts/lib/manifest_json.py: UTF-8, JSON without NaN or
Infinity, bounded nesting and numbers, no key twice), validated against its JSON schema (its
patterns match whole names: no trailing newline) and checked for what the schema cannot state
before any C is written: unique task names and task ids, op codes unique within a service,
every policy rule naming a known service, op and caller, state grants to known tasks, a
supervisor that is a service, no two names that make one C identifier ("a-b" and "a_b" both
make NX_SVC_A_B), and no boot with more tasks than the kernel's task table holds (KS_MAX_TASKS,
read from kernel-shim/config.h; the kernel panics on the first task past it). A problem prints
`gen-manifest: FILE: PATH: WHAT`, PATH the JSON path of the offending value (`services[3].name`,
`(top)` for the whole file), writes nothing and exits 1; a wrong argument count exits 2.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from abi import KERNEL, define  # noqa: E402
from manifest_json import DocError, check_schema, json_path, load, show, validate, write_outputs  # noqa: E402

# The kernel's task table: every boot task of one boot must fit in it, or the kernel panics
# creating the first that does not (kernel-shim/main.c, start_boot_tasks).
TASK_TABLE = define("KS_MAX_TASKS", "config.h", KERNEL)
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
QOS = {"sys": "NX_QOS_SYS", "fg": "NX_QOS_FG", "bg": "NX_QOS_BG", "idle": "NX_QOS_IDLE"}
RIGHTS = {"spawn": "NX_RIGHT_SPAWN", "kill": "NX_RIGHT_KILL", "set_qos": "NX_RIGHT_SET_QOS",
          "rng": "NX_RIGHT_RNG", "poweroff": "NX_RIGHT_POWEROFF", "console": "NX_RIGHT_CONSOLE",
          "blk": "NX_RIGHT_BLK"}


def fnv1a64(name: str) -> int:
    h = FNV_OFFSET
    for b in name.encode():
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def tasks(doc):
    """(path, task) of every boot task, in the boot table's order: services, then fixtures."""
    return [(f"{part}[{i}]", t) for part in ("services", "fixtures") for i, t in enumerate(doc[part])]


def check(doc):
    """Raise DocError for what the schema cannot state."""
    first, ids = {}, {}
    for path, t in tasks(doc):
        name, tid = t["name"], fnv1a64(t["name"])
        if name in first:
            raise DocError(f"{path}.name", f"task name {name} listed twice (also {first[name]}.name)")
        if tid in ids:
            raise DocError(f"{path}.name", f"task id of {name} (FNV-1a-64) is also the id of {ids[tid]}.name")
        first[name] = ids[tid] = path
    services = {s["name"]: (i, s) for i, s in enumerate(doc["services"])}
    if doc["supervisor"] not in services:
        raise DocError("supervisor", f"{doc['supervisor']} is not a service")
    restarted = [s["name"] for s in doc["services"] if "restart" in s]
    if restarted and doc.get("service_supervisor") not in services:
        raise DocError("service_supervisor", f"services {', '.join(restarted)} have a restart policy but no "
                                             "service_supervisor is a service")
    for key in ("supervisor", "service_supervisor"):
        sup = doc.get(key)
        if sup in restarted:
            raise DocError(f"services[{services[sup][0]}].restart", f"supervisor {sup} has a restart policy")
    for i, g in enumerate(doc.get("state_grants", [])):
        if g["caller"] not in first:
            raise DocError(f"state_grants[{i}].caller", f"unknown task {g['caller']}")
    for name, (i, s) in services.items():
        if fnv1a64(name) == 0:
            raise DocError(f"services[{i}].name", f"service id of {name} is 0, the wildcard")
        codes = {}
        for op, code in s["ops"].items():
            if code in codes:
                raise DocError(json_path(["services", i, "ops", op]), f"op code {code} is also op {codes[code]}'s")
            codes[code] = op
    seen = {}
    for i, rule in enumerate(doc["policy"]):
        svc, op = rule["service"], rule["op"]
        if svc not in services:
            raise DocError(f"policy[{i}].service", f"unknown service {svc}")
        if op not in services[svc][1]["ops"]:
            raise DocError(f"policy[{i}].op", f"service {svc} has no op {op}")
        if (svc, op) in seen:
            raise DocError(f"policy[{i}]", f"{svc}.{op} listed twice (also policy[{seen[svc, op]}])")
        seen[svc, op] = i
        for j, caller in enumerate(rule["callers"]):
            if caller != "*" and caller not in services:
                raise DocError(f"policy[{i}].callers[{j}]", f"unknown service {caller}")
    macros(doc)
    boot_tasks_fit(doc)


def boot_tasks_fit(doc):
    """Raise DocError if one boot starts more tasks than the kernel's task table holds. A boot
    starts every task without `profiles` and those naming its profile=<p> word; the bound is
    checked for every profile the manifest names and for a boot naming none (a command line
    with two profile words starts both sets: the runners pass one)."""
    profiles = sorted({p for _, t in tasks(doc) for p in t.get("profiles", [])})
    for p in [None] + profiles:
        started = [path for path, t in tasks(doc) if "profiles" not in t or p in t["profiles"]]
        if len(started) > TASK_TABLE:
            boot = f"profile={p}" if p is not None else "a boot without a profile word"
            raise DocError(started[TASK_TABLE], f"too many boot tasks: {boot} starts {len(started)}, the kernel's "
                                                f"task table holds {TASK_TABLE} (KS_MAX_TASKS, kernel-shim/config.h)")


RESTART_DEFAULTS = {"initial_ms": 500, "max_ms": 15000, "loop_threshold": 5, "loop_window_ms": 60000,
                    "stable_reset_ms": 60000}  # LC_POLICY_DEFAULT (include/lc/lifecycle.h)


def supervisor_of(doc, task) -> str:
    """Who receives the task's exit notice: the service supervisor for a restarted service."""
    return doc["service_supervisor"] if "restart" in task else doc["supervisor"]


def ident(name: str) -> str:
    return name.upper().replace("-", "_")


def c_string(text: str) -> str:
    """A C string literal of `text`: printable ASCII (the schema's patterns), with the quote,
    the backslash and the question mark (trigraphs) escaped."""
    return '"' + "".join("\\" + c if c in '"\\?' else c for c in text) + '"'


def macros(doc):
    """Per service, the macros the header defines for it: [(identifier, value)]. Raises
    DocError where two names map to one C identifier ("a-b" and "a_b" both make NX_SVC_A_B)."""
    out, made = [], {}
    for i, s in enumerate(doc["services"]):
        n, where = ident(s["name"]), f"services[{i}].name"
        here = [(f"NX_SVC_{n}", c_string(s["name"]), where, s["name"]),
                (f"NX_SVC_{n}_ID", f"0x{fnv1a64(s['name']):016x}ULL", where, s["name"])]
        here += [(f"{n}_OP_{ident(op)}", int(code), json_path(["services", i, "ops", op]), op)
                 for op, code in sorted(s["ops"].items(), key=lambda kv: kv[1])]
        for name, _, path, text in here:
            if name in made:
                raise DocError(path, f"{show(text)} makes the C identifier {name}, as {made[name][0]} "
                                     f"{show(made[name][1])} does")
            made[name] = (path, text)
        out.append([(name, value) for name, value, _, _ in here])
    return out


def header(doc) -> str:
    out = ["/* Generated by scripts/gen-manifest.py from manifests/system.json. Do not edit. */",
           "#ifndef NX_MANIFEST_H", "#define NX_MANIFEST_H", "", "#include <stddef.h>", "#include <stdint.h>", "",
           '#include "ulib/policy.h"', ""]
    for service in macros(doc):
        out += [f"#define {name} {value}" for name, value in service] + [""]
    out += [f"#define NX_STATE_GRANT_COUNT {len(doc.get('state_grants', []))}",
            "extern const struct nx_state_grant nx_state_grants[NX_STATE_GRANT_COUNT > 0 ? NX_STATE_GRANT_COUNT : 1];",
            f"#define NX_POLICY_RULE_COUNT {sum(len(r['callers']) for r in doc['policy'])}",
            "extern const struct nx_policy_rule nx_policy_rules[NX_POLICY_RULE_COUNT];", "",
            "/* The services the service supervisor restarts, in manifest order. */",
            f"#define NX_SUPERVISED_COUNT {sum(1 for s in doc['services'] if 'restart' in s)}",
            "extern const struct nx_supervised nx_supervised[NX_SUPERVISED_COUNT > 0 ? NX_SUPERVISED_COUNT : 1];", "",
            "/* The Ed25519 public key that signs ability bundles (docs/ota.md). */",
            "#define NX_RELEASE_KEY_LEN 32",
            "extern const uint8_t nx_release_key[NX_RELEASE_KEY_LEN];", "",
            "#endif", ""]
    return "\n".join(out)


def source(doc) -> str:
    out = ["/* Generated by scripts/gen-manifest.py from manifests/system.json. Do not edit. */",
           '#include "nx_manifest.h"', "",
           "const struct nx_policy_rule nx_policy_rules[NX_POLICY_RULE_COUNT] = {"]
    codes = {s["name"]: s["ops"] for s in doc["services"]}
    for rule in doc["policy"]:
        svc = f"0x{fnv1a64(rule['service']):016x}ULL"
        code = int(codes[rule["service"]][rule["op"]])
        for caller in rule["callers"]:
            cid = "NX_POLICY_ANY" if caller == "*" else f"0x{fnv1a64(caller):016x}ULL"
            out.append(f"\t{{ {svc}, {cid}, {code} }}, /* {rule['service']}.{rule['op']} <- {caller} */")
    out += ["};", "", "const struct nx_state_grant nx_state_grants[NX_STATE_GRANT_COUNT > 0 ? NX_STATE_GRANT_COUNT : 1] = {"]
    for g in doc.get("state_grants", []):
        out.append(f'\t{{ 0x{fnv1a64(g["caller"]):016x}ULL, {c_string(g["prefix"])}, '
                   f'{1 if g["access"] == "write" else 0} }}, /* {g["caller"]} */')
    out += ["};", "",
            "const struct nx_supervised nx_supervised[NX_SUPERVISED_COUNT > 0 ? NX_SUPERVISED_COUNT : 1] = {"]
    for s in doc["services"]:
        if "restart" in s:
            p = {**RESTART_DEFAULTS, **s["restart"]}
            out.append(f'\t{{ {c_string(s["name"])}, {c_string(s["image"])}, {p["initial_ms"]}, {p["max_ms"]}, {p["loop_threshold"]}, '
                       f'{p["loop_window_ms"]}, {p["stable_reset_ms"]} }},')
    out += ["};", ""]
    key = bytes.fromhex(doc["release_key"])
    rows = [", ".join(f"0x{b:02x}" for b in key[i:i + 8]) for i in range(0, len(key), 8)]
    out += ["const uint8_t nx_release_key[NX_RELEASE_KEY_LEN] = {"] + [f"\t{r}," for r in rows] + ["};", ""]
    return "\n".join(out)


def boot_table(doc) -> str:
    """The kernel's boot table: services, then fixtures, in manifest order."""
    out = ["/* Generated by scripts/gen-manifest.py from manifests/system.json. Do not edit. */",
           '#include "boot.h"', "", '#include "nx/abi.h"', "",
           "const struct ks_boot_task ks_boot_tasks[] = {"]
    for _, t in tasks(doc):
        rights = " | ".join(RIGHTS[r] for r in t.get("rights", [])) or "0"
        words = [c_string(f"profile={p}") for p in t.get("profiles", [])]
        out += ["\t{",
                f"\t\t.image = {c_string(t['image'])},",
                f"\t\t.name = {c_string(t['name'])},",
                f"\t\t.supervisor_id = 0x{fnv1a64(supervisor_of(doc, t)):016x}ULL, /* {supervisor_of(doc, t)} */",
                f"\t\t.rights = {rights},",
                f"\t\t.qos = {QOS[t['qos']]},",
                f"\t\t.page_quota = {int(t.get('page_quota', 0))},",
                f"\t\t.slack_fg_ms = {int(doc['timer_slack_ms']['fg'])},",
                f"\t\t.slack_bg_ms = {int(doc['timer_slack_ms']['bg'])},",
                f"\t\t.when = {{ {', '.join(words)} }}," if words else "\t\t.when = { NULL },",
                "\t},"]
    out += ["};", "",
            f"const unsigned ks_boot_task_count = {len(tasks(doc))};", ""]
    return "\n".join(out)


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    manifest, schema_path, out_h, out_c, out_boot = argv
    where = schema_path
    try:
        schema = load(schema_path)
        check_schema(schema)
        where = manifest
        doc = load(manifest)
        validate(doc, schema)
        check(doc)
        texts = {out_h: header(doc), out_c: source(doc), out_boot: boot_table(doc)}
    except DocError as exc:
        print(f"gen-manifest: {where}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"gen-manifest: {where}: (top): cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    return write_outputs("gen-manifest", texts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
