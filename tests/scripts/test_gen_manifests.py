#!/usr/bin/env python3
"""The manifest generators (scripts/gen-manifest.py, scripts/gen-abilities.py) refuse every bad
manifest with one line `gen-<name>: FILE: PATH: WHAT`, exit 1, write no C and never print a
Python traceback. Each bad manifest is a real one (manifests/) with one thing broken.

The generators' main() runs in this process (a process each would take a second of CPU for
the imports); an exception out of it fails the test as a traceback would. One test per
generator runs it as the build does, in its own process."""

import contextlib
import copy
import importlib.util
import io
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
from abi import KERNEL, define  # noqa: E402

TASK_TABLE = define("KS_MAX_TASKS", "config.h", KERNEL)
SYSTEM = os.path.join(ROOT, "manifests", "system.json")
ABILITIES = os.path.join(ROOT, "manifests", "abilities.json")
SYSTEM_SCHEMA = os.path.join(ROOT, "schemas", "system_v1.schema.json")
ABILITY_SCHEMA = os.path.join(ROOT, "schemas", "ability_v1_1.schema.json")


def generator(name):
    """The module of scripts/<name>.py."""
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), os.path.join(ROOT, "scripts", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def real(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Generator:
    """Runs one generator on a manifest written to a temporary folder (a mixin of each
    generator's unittest.TestCase)."""

    name = ""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="test_gen_")
        self.addCleanup(self.tmp.cleanup)
        self.outs = [os.path.join(self.tmp.name, n) for n in self.out_names]

    def write(self, content, file="bad.json"):
        path = os.path.join(self.tmp.name, file)
        data = content if isinstance(content, bytes) else json.dumps(content, indent=1).encode()
        with open(path, "wb") as f:
            f.write(data)
        return path

    def run_gen(self, manifest):
        """The generator's main() on `manifest`: its exit status, stdout and stderr."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = self.module.main(self.inputs(manifest) + self.outs)
        return Run(rc, out.getvalue(), err.getvalue())

    def test_bad_manifest_in_own_process_exits_1_without_traceback(self):
        manifest = self.write(b"[NaN]")
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", self.name + ".py")] +
                           self.inputs(manifest) + self.outs, capture_output=True, text=True, timeout=120)
        self.assertNotIn("Traceback", r.stderr)
        self.assertEqual((r.returncode, r.stderr), (1, f"{self.name}: {manifest}: [0]: NaN is not a JSON number\n"))

    def refuse(self, content, where, what, file=None):
        """The generator refuses `content` with exactly `gen-<name>: FILE: where: what`."""
        manifest = self.write(content)
        r = self.run_gen(manifest)
        self.assertNotIn("Traceback", r.stderr)
        self.assertEqual(r.stderr, f"{self.name}: {file or manifest}: {where}: {what}\n")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        for out in self.outs:
            self.assertFalse(os.path.exists(out), f"{out} written for a refused manifest")

    def accept(self, content):
        r = self.run_gen(self.write(content))
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        for out in self.outs:
            self.assertTrue(os.path.exists(out))


class GenManifest(Generator, unittest.TestCase):
    name = "gen-manifest"
    module = generator(name)
    out_names = ["nx_manifest.h", "nx_manifest.c", "ks_boot_table.c"]

    def inputs(self, manifest):
        return [manifest, SYSTEM_SCHEMA]

    def setUp(self):
        super().setUp()
        self.doc = real(SYSTEM)
        self.text = json.dumps(self.doc, indent=1)
        self.fg = json.dumps(self.doc["timer_slack_ms"], indent=1).split("\n")[1].strip().rstrip(",")

    def with_fg(self, value):
        """The real manifest's text with timer_slack_ms.fg written as `value`."""
        text = self.text.replace(self.fg, f'"fg": {value}', 1)
        self.assertNotEqual(text, self.text)
        return text.encode()

    def test_real_manifest_is_accepted(self):
        self.accept(self.doc)

    def test_nan_is_refused(self):
        self.refuse(self.with_fg("NaN"), "timer_slack_ms.fg", "NaN is not a JSON number")

    def test_infinity_is_refused(self):
        self.refuse(self.with_fg("Infinity"), "timer_slack_ms.fg", "Infinity is not a JSON number")
        self.refuse(self.with_fg("-Infinity"), "timer_slack_ms.fg", "-Infinity is not a JSON number")

    def test_huge_integer_is_refused(self):
        self.refuse(self.with_fg("1" + "0" * 400), "timer_slack_ms.fg",
                    "a number of 401 digits is out of range (2^64 or more)")

    def test_integer_at_2_pow_64_is_refused_one_below_reaches_the_schema(self):
        self.refuse(self.with_fg(str(1 << 64)), "timer_slack_ms.fg", f"{1 << 64} is out of range (2^64 or more)")
        self.refuse(self.with_fg(str((1 << 64) - 1)), "timer_slack_ms.fg",
                    f"{(1 << 64) - 1} is greater than the maximum of 60000")

    def test_huge_exponent_is_refused(self):
        self.refuse(self.with_fg("1e400"), "timer_slack_ms.fg", "1e400 is out of range (2^64 or more)")
        self.refuse(self.with_fg("1e-99999999999999999999"), "timer_slack_ms.fg",
                    "1e-99999999999999999999 has an exponent out of range")

    def test_nesting_past_32_is_refused_32_is_parsed(self):
        deep = "[" * 1000 + "]" * 1000
        self.refuse(self.with_fg(deep), "timer_slack_ms.fg" + "[0]" * 30,
                    "nested deeper than 32 arrays and objects")
        # The document, timer_slack_ms and 30 arrays make 32: parsed, then refused by the schema.
        self.refuse(self.with_fg("[" * 30 + "]" * 30), "timer_slack_ms.fg", "an array is not of type integer")

    def test_non_utf8_is_refused_at_its_string(self):
        name = self.doc["services"][0]["name"]
        data = self.text.replace(f'"{name}"', f'"{name}\udcff"', 1).encode("utf-8", "surrogateescape")
        offset = data.index(b"\xff")
        self.refuse(data, "services[0].name", f"not UTF-8: byte 0xff at offset {offset}")

    def test_lone_surrogate_is_refused(self):
        name = self.doc["services"][0]["name"]
        self.refuse(self.text.replace(f'"{name}"', f'"{name}\\ud800"', 1).encode(), "services[0].name",
                    "lone surrogate \\ud800: not a character")

    def test_not_json_is_refused(self):
        self.refuse(b"", "(top)", "not JSON: Expecting value (line 1, column 1)")
        self.refuse(b"[]", "(top)", "an array is not of type object")

    def test_missing_file_is_refused(self):
        missing = os.path.join(self.tmp.name, "missing.json")
        r = self.run_gen(missing)
        self.assertEqual((r.returncode, r.stderr),
                         (1, f"gen-manifest: {missing}: (top): cannot read: No such file or directory\n"))

    def test_each_missing_section_is_named(self):
        for key in ["schema_version", "supervisor", "release_key", "timer_slack_ms", "services", "fixtures", "policy"]:
            with self.subTest(key=key):
                doc = copy.deepcopy(self.doc)
                del doc[key]
                self.refuse(doc, key, "missing: the schema requires it")
        doc = copy.deepcopy(self.doc)
        del doc["services"][1]["ops"]
        self.refuse(doc, "services[1].ops", "missing: the schema requires it")

    def test_key_the_schema_does_not_allow_is_named(self):
        doc = copy.deepcopy(self.doc)
        doc["colour"] = "red"
        self.refuse(doc, "colour", 'key "colour" is not allowed here (allowed: schema_version, supervisor, service_supervisor, '
                                   "release_key, timer_slack_ms, fixtures, services, state_grants, policy)")
        doc = copy.deepcopy(self.doc)
        doc["services"][2]["colour"] = "red"
        self.refuse(doc, "services[2].colour",
                    'key "colour" is not allowed here (allowed: name, image, qos, page_quota, restart, rights, ops)')

    def test_duplicate_key_is_refused(self):
        self.refuse(self.text.replace('"supervisor":', '"supervisor": "x", "supervisor":', 1).encode(),
                    "supervisor", "key given twice in one object")

    def test_name_with_trailing_newline_is_refused(self):
        doc = copy.deepcopy(self.doc)
        name = doc["services"][0]["name"]
        doc["services"][0]["name"] = name + "\n"
        self.refuse(doc, "services[0].name", f'"{name}\\n" does not match ^[a-z][a-z0-9_-]{{0,30}}$')
        doc = copy.deepcopy(self.doc)
        op = next(iter(doc["services"][1]["ops"]))
        doc["services"][1]["ops"][op + "\n"] = doc["services"][1]["ops"].pop(op)
        self.refuse(doc, f'services[1].ops["{op}\\n"]', f'key "{op}\\n" does not match ^[a-z][a-z0-9_]{{0,23}}$')
        doc = copy.deepcopy(self.doc)
        doc["policy"][0]["op"] += "\n"
        self.refuse(doc, "policy[0].op", f'"{doc["policy"][0]["op"][:-1]}\\n" does not match ^[a-z][a-z0-9_]{{0,23}}$')

    def test_service_names_making_one_c_identifier_are_refused(self):
        doc = copy.deepcopy(self.doc)
        n = len(doc["services"])
        doc["services"] += [{"name": "ab-c", "image": "echo", "qos": "bg", "rights": [], "ops": {}},
                            {"name": "ab_c", "image": "echo", "qos": "bg", "rights": [], "ops": {}}]
        self.refuse(doc, f"services[{n + 1}].name",
                    f'"ab_c" makes the C identifier NX_SVC_AB_C, as services[{n}].name "ab-c" does')

    def test_op_names_making_one_c_identifier_are_refused(self):
        doc = copy.deepcopy(self.doc)
        n = len(doc["services"])
        doc["services"] += [{"name": "ab", "image": "echo", "qos": "bg", "rights": [], "ops": {"c_op_d": 1}},
                            {"name": "ab_op_c", "image": "echo", "qos": "bg", "rights": [], "ops": {"d": 1}}]
        self.refuse(doc, f"services[{n + 1}].ops.d",
                    f'"d" makes the C identifier AB_OP_C_OP_D, as services[{n}].ops.c_op_d "c_op_d" does')

    def test_service_name_making_another_services_id_macro_is_refused(self):
        doc = copy.deepcopy(self.doc)
        n = len(doc["services"])
        doc["services"] += [{"name": "ab", "image": "echo", "qos": "bg", "rights": [], "ops": {}},
                            {"name": "ab_id", "image": "echo", "qos": "bg", "rights": [], "ops": {}}]
        self.refuse(doc, f"services[{n + 1}].name",
                    f'"ab_id" makes the C identifier NX_SVC_AB_ID, as services[{n}].name "ab" does')

    def boot_of(self, always, profiled=0):
        """The real services, `always` fixtures started in every boot and `profiled` in profile=p."""
        doc = copy.deepcopy(self.doc)
        doc["state_grants"] = []
        doc["fixtures"] = [{"name": f"fx{i}", "image": "fixture", "qos": "bg"} for i in range(always)]
        doc["fixtures"] += [{"name": f"fp{i}", "image": "fixture", "qos": "bg", "profiles": ["p"]}
                            for i in range(profiled)]
        return doc

    def test_boot_tasks_filling_the_task_table_are_accepted(self):
        services = len(self.doc["services"])
        self.accept(self.boot_of(TASK_TABLE - services))
        self.accept(self.boot_of(TASK_TABLE - services - 1, 1))

    def test_boot_task_past_the_task_table_is_refused(self):
        services = len(self.doc["services"])
        always = TASK_TABLE - services + 1
        self.refuse(self.boot_of(always), f"fixtures[{always - 1}]",
                    f"too many boot tasks: a boot without a profile word starts {TASK_TABLE + 1}, the kernel's "
                    f"task table holds {TASK_TABLE} (KS_MAX_TASKS, kernel-shim/config.h)")

    def test_boot_task_past_the_task_table_in_one_profile_is_refused(self):
        services = len(self.doc["services"])
        always = TASK_TABLE - services - 2
        self.refuse(self.boot_of(always, 3), f"fixtures[{always + 2}]",
                    f"too many boot tasks: profile=p starts {TASK_TABLE + 1}, the kernel's "
                    f"task table holds {TASK_TABLE} (KS_MAX_TASKS, kernel-shim/config.h)")

    def test_unwritable_output_is_reported(self):
        self.outs[0] = os.path.join(self.tmp.name, "no", "nx_manifest.h")
        r = self.run_gen(self.write(self.doc))
        self.assertEqual((r.returncode, r.stderr),
                         (1, f"gen-manifest: {self.outs[0]}: (top): cannot write: No such file or directory\n"))


class GenAbilities(Generator, unittest.TestCase):
    name = "gen-abilities"
    module = generator(name)
    out_names = ["nx_abilities.h", "nx_abilities.c"]
    system = SYSTEM

    def inputs(self, manifest):
        return [manifest, ABILITY_SCHEMA, self.system]

    def setUp(self):
        super().setUp()
        self.doc = real(ABILITIES)

    def with_initial(self, value):
        """The real manifest with abilities[0].policy.initial_ms written as `value`."""
        doc = copy.deepcopy(self.doc)
        doc["abilities"][0]["policy"] = {"initial_ms": "@VALUE@"}
        return json.dumps(doc).replace('"@VALUE@"', value).encode()

    def test_real_manifest_is_accepted(self):
        self.accept(self.doc)

    def test_nan_is_refused(self):
        self.refuse(self.with_initial("NaN"), "abilities[0].policy.initial_ms", "NaN is not a JSON number")

    def test_infinity_is_refused(self):
        self.refuse(self.with_initial("Infinity"), "abilities[0].policy.initial_ms", "Infinity is not a JSON number")

    def test_huge_numbers_are_refused(self):
        self.refuse(self.with_initial("1" + "0" * 30), "abilities[0].policy.initial_ms",
                    "a number of 31 digits is out of range (2^64 or more)")
        self.refuse(self.with_initial("1e999999999999"), "abilities[0].policy.initial_ms",
                    "1e999999999999 is out of range (2^64 or more)")

    def test_factor_with_more_significant_digits_than_held_exactly_is_refused(self):
        doc = copy.deepcopy(self.doc)
        doc["abilities"][0]["policy"] = {"factor": "@VALUE@"}
        text = json.dumps(doc)
        self.refuse(text.replace('"@VALUE@"', "1." + "0" * 30 + "1").encode(), "abilities[0].policy.factor",
                    "1." + "0" * 30 + "1 has more than 28 significant digits")
        # 28 digits are held exactly: a fourth decimal is still seen
        self.refuse(text.replace('"@VALUE@"', "1." + "0" * 26 + "1").encode(), "abilities[0].policy.factor",
                    "1." + "0" * 26 + "1 is not a multiple of 0.001")

    def test_deep_nesting_is_refused(self):
        self.refuse(("[" * 100000 + "]" * 100000).encode(), "[0]" * 32, "nested deeper than 32 arrays and objects")

    def test_non_utf8_is_refused(self):
        data = json.dumps(self.doc).replace('"hello"', '"hel\udcfelo"', 1).encode("utf-8", "surrogateescape")
        offset = data.index(b"\xfe")
        self.refuse(data, "abilities[0].name", f"not UTF-8: byte 0xfe at offset {offset}")
        self.refuse(b"\xff{}", "(top)", "not UTF-8: byte 0xff at offset 0")

    def test_missing_sections_are_named(self):
        for key in ["schema_version", "abilities"]:
            with self.subTest(key=key):
                doc = copy.deepcopy(self.doc)
                del doc[key]
                self.refuse(doc, key, "missing: the schema requires it")
        doc = copy.deepcopy(self.doc)
        del doc["abilities"][1]["image"]
        self.refuse(doc, "abilities[1].image", "missing: the OS manifest needs it")

    def test_key_the_schema_does_not_allow_is_named(self):
        doc = copy.deepcopy(self.doc)
        doc["abilities"][0]["colour"] = 1
        self.refuse(doc, "abilities[0].colour",
                    'key "colour" is not allowed here (allowed: name, image, start_mode, policy)')

    def test_duplicate_key_is_refused(self):
        text = json.dumps(self.doc).replace('"name": "hello"', '"name": "hello", "name": "hello"', 1)
        self.refuse(text.encode(), "abilities[0].name", "key given twice in one object")

    def test_name_with_trailing_newline_is_refused(self):
        doc = copy.deepcopy(self.doc)
        doc["abilities"][0]["name"] += "\n"
        self.refuse(doc, "abilities[0].name", '"hello\\n" does not match ^[a-z][a-z0-9_-]{0,31}$')

    def test_image_with_trailing_newline_is_refused(self):
        doc = copy.deepcopy(self.doc)
        doc["abilities"][0]["image"] += "\n"
        self.refuse(doc, "abilities[0].image", '"abilities\\n" does not match ^[A-Za-z0-9._/-]{1,64}$')

    def test_name_listed_twice_is_refused(self):
        doc = copy.deepcopy(self.doc)
        doc["abilities"].append(copy.deepcopy(doc["abilities"][0]))
        n = len(doc["abilities"]) - 1
        self.refuse(doc, f"abilities[{n}].name", "ability hello listed twice (also abilities[0].name)")

    def test_bad_system_manifest_is_refused_by_its_name(self):
        sysdoc = real(SYSTEM)
        text = json.dumps(sysdoc).replace('"fg": ', '"fg": NaN, "x": ', 1)
        self.system = self.write(text.encode(), "system.json")
        self.refuse(self.doc, "timer_slack_ms.fg", "NaN is not a JSON number", file=self.system)


if __name__ == "__main__":
    unittest.main()
