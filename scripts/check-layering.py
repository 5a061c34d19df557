#!/usr/bin/env python3
"""Check the layering of the tree: which folder may use which (docs/architecture.md).

Usage: check-layering.py [ROOT]      (default: the repository this script is in)

The rules, bottom up. "Standard headers" are the C11 library's; the kernel and the tasks may
also use picolibc's own (<picotls.h>, ...). Quoted includes name a header under include/, a
header of the including file's own folder, or a generated header (nx_manifest.h,
nx_abilities.h).

  abi        include/nx/, src/abi/ (the ABI layer the kernel owns): nx/ headers and standard
             headers only.
  mem        src/mem/ (memcpy, memset): standard headers only.
  kernel     kernel-shim/: its own headers, the ABI layer (nx/) and libc headers only; in
             kernel-shim/meson.build no file or library of src/ but the ABI layer's sources
             (abi_sources) and the memory functions (mem_lib), and no dependency object.
  lifecycle  src/lifecycle/, include/lc/: lc/lifecycle.h and standard headers only.
  statefs    src/statefs/, include/statefs/ (the storage format): statefs/ headers, its own
             folder's and standard headers only.
  ipc        src/ipc/, include/ipc/ (the RFC-0025 helper): ipc/ headers, nx/frame.h (the
             ABI's message format) and standard headers; no kernel vocabulary (nx/abi.h,
             nx/notice.h), no runtime, no protocol.
  crypto     src/crypto/, include/crypto/ (the signature wrapper): crypto/ headers, the
             public headers of libsodium (fetched by setup, .deps/libsodium) and standard
             headers only.
  proto      src/proto/, include/proto/ (service protocols): proto/, ipc/ and nx/ headers.
  ulib       src/ulib/, include/ulib/ (task runtime): ulib/, proto/, ipc/, nx/ headers and
             nx_manifest.h.
  client     src/client/, include/client/ (client libraries of services): client/, ulib/,
             proto/, ipc/, nx/ headers and nx_manifest.h.
  tasks      src/<task>/: public headers (nx/, ipc/, crypto/, proto/, ulib/, client/), the generated ones and
             its own folder's; never a header of another task's folder. In src/meson.build a
             task's sources come from its own folder only.
  core-users only appmgrd (and the host tools in src/tools/) use the lifecycle core, and only
             statefsd the storage format: no other task includes lc/ (statefs/) or gets
             lc_dep (sfs_dep) in src/meson.build.

Each finding prints `layering: <rule>: <file>:<line>: <what>`; exit status 1 if there is any,
0 if none, 2 if the tree cannot be read.
"""

import os
import re
import sys

STANDARD = {
    "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h", "inttypes.h", "iso646.h",
    "limits.h", "locale.h", "math.h", "setjmp.h", "signal.h", "stdalign.h", "stdarg.h",
    "stdatomic.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "stdnoreturn.h",
    "string.h", "tgmath.h", "threads.h", "time.h", "uchar.h", "wchar.h", "wctype.h",
}
# Headers picolibc adds for bare-metal code (the kernel's TLS set-up).
PICOLIBC = {"picotls.h"}
GENERATED = {"nx_manifest.h", "nx_abilities.h", "nx_bundles.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXT = (".c", ".h", ".S")
# Libraries that one task alone runs: include folder -> (meson dependency, the task).
OWNED = {"lc": ("lc_dep", "appmgrd"), "statefs": ("sfs_dep", "statefsd")}
# Folders of src/ that are libraries, not tasks.
LIBRARIES = {"abi", "mem", "lifecycle", "statefs", "ipc", "crypto", "proto", "ulib", "client", "tools"}
# libsodium's public headers, which the signature wrapper alone includes.
SODIUM = re.compile(r"^(crypto_[a-z0-9_]+|utils|export)\.h$")


class Checker:
    def __init__(self, root):
        self.root = root
        self.findings = []

    def fail(self, rule, path, line, what):
        self.findings.append(f"layering: {rule}: {os.path.relpath(path, self.root)}:{line}: {what}")

    def sources(self, *folders):
        for folder in folders:
            top = os.path.join(self.root, folder)
            for dirpath, _, files in os.walk(top):
                for name in sorted(files):
                    if name.endswith(SOURCE_EXT):
                        yield os.path.join(dirpath, name)

    @staticmethod
    def includes(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                m = INCLUDE.match(text)
                if m:
                    yield number, m.group(1) == "<", m.group(2)

    def check_folder(self, rule, folders, allowed, libc=STANDARD, local=False):
        """Every include of the files under `folders`: a system header in `libc`, a header of
        the file's own folder when `local`, or a quoted header `allowed(name)` accepts."""
        for path in self.sources(*folders):
            for line, system, name in self.includes(path):
                if system:
                    if name not in libc:
                        self.fail(rule, path, line, f"<{name}> is not a standard header")
                    continue
                if local and "/" not in name and os.path.exists(os.path.join(os.path.dirname(path), name)):
                    continue
                if not allowed(name):
                    self.fail(rule, path, line, f'"{name}" is not allowed here')

    def check_includes(self):
        self.check_folder("abi", ["include/nx", "src/abi"], lambda n: n.startswith("nx/"))
        self.check_folder("mem", ["src/mem"], lambda n: False)
        self.check_folder("kernel", ["kernel-shim"], lambda n: n.startswith("nx/"), STANDARD | PICOLIBC, local=True)
        self.check_folder("lifecycle", ["src/lifecycle", "include/lc"], lambda n: n == "lc/lifecycle.h")
        self.check_folder("statefs", ["src/statefs", "include/statefs"], lambda n: n.startswith("statefs/"),
                          local=True)
        self.check_folder("ipc", ["src/ipc", "include/ipc"], lambda n: n.startswith("ipc/") or n == "nx/frame.h")
        self.check_folder("crypto", ["src/crypto", "include/crypto"],
                          lambda n: n.startswith("crypto/") or SODIUM.match(n) is not None)
        self.check_folder("proto", ["src/proto", "include/proto"], lambda n: n.split("/")[0] in ("proto", "ipc", "nx"))
        self.check_folder("ulib", ["src/ulib", "include/ulib"],
                          lambda n: n.split("/")[0] in ("ulib", "proto", "ipc", "nx") or n == "nx_manifest.h")
        self.check_folder("client", ["src/client", "include/client"],
                          lambda n: n.split("/")[0] in ("client", "ulib", "proto", "ipc", "nx") or n == "nx_manifest.h")
        for task in self.tasks():
            self.check_task(task)

    def check_task(self, task):
        """A task's includes: public headers, generated ones, its own folder's; lc/ only for
        the core's users."""
        for path in self.sources(os.path.join("src", task)):
            for line, system, name in self.includes(path):
                top = name.split("/")[0]
                if system:
                    if name not in STANDARD | PICOLIBC:
                        self.fail("tasks", path, line, f"<{name}> is not a libc header")
                elif top in OWNED:
                    if task != OWNED[top][1]:
                        self.fail("core-users", path, line, f'"{name}": only {OWNED[top][1]} uses {top}/')
                elif top in ("nx", "ipc", "crypto", "proto", "ulib", "client") or name in GENERATED:
                    continue
                elif "/" in name or not os.path.exists(os.path.join(os.path.dirname(path), name)):
                    self.fail("tasks", path, line, f'"{name}" is not a public header or one of {task}\'s own')

    def tasks(self):
        src = os.path.join(self.root, "src")
        return sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)) and d not in LIBRARIES)

    def check_kernel_meson(self):
        path = os.path.join(self.root, "kernel-shim", "meson.build")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for number, text in enumerate(lines, 1):
            code = text.split("#", 1)[0]
            for m in re.finditer(r"'([^']*)'", code):
                if re.search(r"(^|/|\.\./)src/", m.group(1)):
                    self.fail("kernel", path, number, f"source or path {m.group(1)} from src/")
            if re.search(r"\bdependencies\s*:", code):
                self.fail("kernel", path, number, "a dependency object (the kernel links no library of src/)")
            for name in re.findall(r"\b([a-z_]+_(?:lib|dep|sources))\b", code):
                if name not in ("abi_sources", "mem_lib", "kernel_sources"):
                    self.fail("kernel", path, number, f"{name} is not the ABI layer or the memory functions")
            if re.search(r"\bulib\b", code):
                self.fail("kernel", path, number, "the task runtime (ulib)")

    def check_task_meson(self):
        """src/meson.build: each `'<task>': ...` entry (up to the next one) names files of the
        task's own folder only, and lc_dep only for the core's users."""
        path = os.path.join(self.root, "src", "meson.build")
        with open(path, encoding="utf-8") as f:
            text = "\n".join(l.split("#", 1)[0] for l in f.read().splitlines())
        for block in re.finditer(r"^(tasks|task_deps) = \{$(.*?)^\}$", text, re.M | re.S):
            self.check_task_block(path, text, block.start(2), block.group(2))

    def check_task_block(self, path, text, at, body):
        keys = list(re.finditer(r"'([a-z0-9_-]+)'\s*:", body))
        for k, m in enumerate(keys):
            task = m.group(1)
            rest = body[m.end():keys[k + 1].start() if k + 1 < len(keys) else len(body)]
            line = text.count("\n", 0, at + m.start()) + 1
            for src in re.findall(r"'([^']+\.[cS])'", rest):
                if src.split("/")[0] != task:
                    self.fail("tasks", path, line, f"task {task} builds {src}, a file of another folder")
            for dep, owner in OWNED.values():
                if re.search(rf"\b{dep}\b", rest) and task != owner:
                    self.fail("core-users", path, line, f"task {task} links {dep}, which only {owner} may")

    def run(self):
        self.check_includes()
        self.check_kernel_meson()
        self.check_task_meson()
        return self.findings


def main(argv):
    root = argv[0] if argv else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isdir(os.path.join(root, "kernel-shim")) or not os.path.isdir(os.path.join(root, "src")):
        print(f"layering: {root} is not the repository's root", file=sys.stderr)
        return 2
    findings = Checker(root).run()
    for f in findings:
        print(f)
    if findings:
        print(f"layering: {len(findings)} finding(s); the rules are at the top of scripts/check-layering.py")
        return 1
    print("layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
