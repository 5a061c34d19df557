#!/usr/bin/env python3
"""Turn the ability manifest into C: the abilities appmgrd runs and their merged policies.

Usage: gen-abilities.py MANIFEST.json SCHEMA.json SYSTEM.json OUT.h OUT.c

The manifest is read strictly (scripts/lib/manifest_json.py: UTF-8, JSON without NaN or
Infinity, bounded nesting and numbers, no key twice; numbers exact, integral decimals such as
500.0 counting as integers, as JSON Schema defines them), validated against the ability schema
(its patterns match whole names: no trailing newline), then checked for what the schema cannot
state: at least one ability; unique names; names the kernel takes as task names (at most 31
bytes) that no boot task of the system manifest SYSTEM.json uses (itself read strictly and
validated against schemas/system_v1.schema.json); an image (a built-in image name) and a start
mode for each; and max_ms >= initial_ms in each merged policy (the schema's defaults, then the
manifest's `defaults`, then the ability's own `policy`). `factor` becomes thousandths exactly.
A problem prints `gen-abilities: FILE: PATH: WHAT`, PATH the JSON path of the offending value
(`abilities[2].policy.factor`, `(top)` for the whole file), writes no C and exits 1; a wrong
argument count exits 2.
"""

import decimal
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from abi import define  # noqa: E402
from manifest_json import DocError, check_schema, load, validate, write_outputs  # noqa: E402

# The system manifest's schema: SYSTEM.json is read for its boot tasks' names, checked first.
SYSTEM_SCHEMA = os.path.join(HERE, "..", "schemas", "system_v1.schema.json")
# The kernel's task names (and built-in image names) hold at most NX_NAME_MAX bytes.
TASK_NAME_MAX = define("NX_NAME_MAX")
IMAGE_NAME = re.compile(rf"[a-z][a-z0-9_-]{{0,{TASK_NAME_MAX - 1}}}")
MODES = {"fg": "APPMGR_MODE_FG", "bg": "APPMGR_MODE_BG"}
LC_KEYS = ["initial_ms", "factor", "max_ms", "loop_threshold", "loop_window_ms", "stable_reset_ms",
           "start_timeout_ms", "stop_timeout_ms"]
FGBG_KEYS = ["cpu_budget_ms_per_min", "timer_slack_fg_ms", "timer_slack_bg_ms"]
# Keys in struct nx_ability, not in appmgr_policy: the update policy (docs/ota.md) and the
# foreground CPU limit (docs/ability/appmgrd.md).
OTA_KEYS = ["health_window_ms", "fg_cpu_limit_ms"]
C_FIELDS = {"factor": "factor_milli", "timer_slack_fg_ms": "slack_fg_ms", "timer_slack_bg_ms": "slack_bg_ms"}


def merged_policy(schema, doc, ability, where):
    """The ability's policy over the manifest's `defaults` over the schema's, as c_policy()."""
    props = schema["$defs"]["policy"]["properties"]
    policy = {key: props[key]["default"] for key in LC_KEYS + FGBG_KEYS + OTA_KEYS}
    policy.update(doc.get("defaults", {}))
    policy.update(ability.get("policy", {}))
    return c_policy(policy, where)


def c_policy(policy, where):
    """A policy's keys as the C fields hold them: integers, `factor` in thousandths."""
    if policy["max_ms"] < policy["initial_ms"]:
        raise DocError(where, f"merged policy: max_ms {policy['max_ms']} is below initial_ms {policy['initial_ms']}")
    out = {key: int(value) for key, value in policy.items() if key != "factor"}
    milli = decimal.Decimal(policy["factor"]) * 1000
    if milli != milli.to_integral_value():
        raise DocError(where, f"merged policy: factor {policy['factor']} has more than 3 decimals")
    out["factor"] = int(milli)
    return out


def check(doc, schema, system):
    abilities = doc["abilities"]
    if not abilities:
        raise DocError("abilities", "lists no abilities")
    boot_tasks = {t["name"] for t in system["services"] + system["fixtures"]}
    first = {}
    table = []
    for i, a in enumerate(abilities):
        name, where = a["name"], f"abilities[{i}]"
        if name in first:
            raise DocError(f"{where}.name", f"ability {name} listed twice (also {first[name]}.name)")
        first[name] = where
        if len(name.encode()) > TASK_NAME_MAX:
            raise DocError(f"{where}.name", f"name longer than {TASK_NAME_MAX} bytes (a task name)")
        if name in boot_tasks:
            raise DocError(f"{where}.name", f"{name} is taken by a boot task of the system manifest")
        if "image" not in a:
            raise DocError(f"{where}.image", "missing: the OS manifest needs it")
        if not IMAGE_NAME.fullmatch(a["image"]):
            raise DocError(f"{where}.image", f"{a['image']} is not a built-in image name ({IMAGE_NAME.pattern})")
        if "start_mode" not in a:
            raise DocError(f"{where}.start_mode", "missing: the OS manifest needs it")
        table.append({"name": name, "image": a["image"], "mode": MODES[a["start_mode"]],
                      "policy": merged_policy(schema, doc, a, where)})
    return table


def policy_fields(p, indent):
    return [f"{indent}.{C_FIELDS.get(k, k)} = {p[k]}," for k in LC_KEYS + FGBG_KEYS]


def header(count, default) -> str:
    init = " ".join(line.strip() for line in policy_fields(default, ""))
    return "\n".join([
        "/* Generated by scripts/gen-abilities.py from manifests/abilities.json. Do not edit. */",
        "#ifndef NX_ABILITIES_H", "#define NX_ABILITIES_H", "", '#include "proto/appmgr.h"', "",
        f"#define NX_ABILITY_COUNT {count}",
        "extern const struct nx_ability nx_abilities[NX_ABILITY_COUNT];", "",
        "/** Initializer of a struct appmgr_policy holding the ability schema's defaults. */",
        f"#define NX_ABILITY_POLICY_DEFAULT {{ {init} }}", "", "#endif", ""])


def source(table) -> str:
    out = ["/* Generated by scripts/gen-abilities.py from manifests/abilities.json. Do not edit. */",
           '#include "nx_abilities.h"', "", "const struct nx_ability nx_abilities[NX_ABILITY_COUNT] = {"]
    for a in table:
        p = a["policy"]
        out += ["\t{",
                f'\t\t.name = "{a["name"]}",',
                f'\t\t.image = "{a["image"]}",',
                f"\t\t.start_mode = {a['mode']},",
                f"\t\t.health_window_ms = {p['health_window_ms']},",
                f"\t\t.fg_cpu_limit_ms = {p['fg_cpu_limit_ms']},",
                "\t\t.policy = {"]
        out += policy_fields(p, "\t\t\t")
        out += ["\t\t},", "\t},"]
    out += ["};", ""]
    return "\n".join(out)


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    manifest, schema_path, system_path, out_h, out_c = argv
    where = schema_path
    try:
        schema = load(schema_path)
        check_schema(schema)
        where = SYSTEM_SCHEMA
        system_schema = load(SYSTEM_SCHEMA)
        check_schema(system_schema)
        where = system_path
        system = load(system_path)
        validate(system, system_schema)
        where = manifest
        doc = load(manifest)
        validate(doc, schema)
        table = check(doc, schema, system)
        props = schema["$defs"]["policy"]["properties"]
        where = schema_path
        default = c_policy({key: props[key]["default"] for key in LC_KEYS + FGBG_KEYS}, "$defs.policy")
        texts = {out_h: header(len(table), default), out_c: source(table)}
    except DocError as exc:
        print(f"gen-abilities: {where}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"gen-abilities: {where}: (top): cannot read: {exc.strerror}", file=sys.stderr)
        return 1
    return write_outputs("gen-abilities", texts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
