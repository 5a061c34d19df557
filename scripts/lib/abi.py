"""Numbers of the C headers (the kernel/user ABI in include/nx/, the formats in include/proto/,
the kernel's own limits in kernel-shim/config.h), read from the headers themselves so that the
scripts never hold a second copy of a limit."""

import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
INCLUDE = os.path.join(ROOT, "include")
KERNEL = os.path.join(ROOT, "kernel-shim")


def define(name, header="nx/frame.h", folder=INCLUDE):
    """The integer value of `#define <name> <number>` in <folder>/<header> (include/ by default)."""
    with open(os.path.join(folder, header), encoding="utf-8") as f:
        m = re.search(rf"^#define {name} (\d+)[uUlL]*(\s*/\*.*\*/)?\s*$", f.read(), re.M)
    if m is None:
        raise KeyError(f"{os.path.relpath(os.path.join(folder, header), ROOT)} defines no {name}")
    return int(m.group(1))
