"""Numbers of the C headers under include/ (the kernel/user ABI in include/nx/, the formats in
include/proto/), read from the headers themselves so that the scripts never hold a second
copy of a limit."""

import os
import re

INCLUDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include")


def define(name, header="nx/frame.h"):
    """The integer value of `#define <name> <number>` in include/<header>."""
    with open(os.path.join(INCLUDE, header), encoding="utf-8") as f:
        m = re.search(rf"^#define {name} (\d+)[uUlL]*(\s*/\*.*\*/)?\s*$", f.read(), re.M)
    if m is None:
        raise KeyError(f"include/{header} defines no {name}")
    return int(m.group(1))
