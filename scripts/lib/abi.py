"""Numbers of the kernel/user ABI (include/nx/), read from the C headers themselves so that
the build scripts never hold a second copy of a limit."""

import os
import re

INCLUDE_NX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "nx")


def define(name, header="frame.h"):
    """The integer value of `#define <name> <number>` in include/nx/<header>."""
    with open(os.path.join(INCLUDE_NX, header), encoding="utf-8") as f:
        m = re.search(rf"^#define {name} (\d+)[uUlL]*\s*$", f.read(), re.M)
    if m is None:
        raise KeyError(f"include/nx/{header} defines no {name}")
    return int(m.group(1))
