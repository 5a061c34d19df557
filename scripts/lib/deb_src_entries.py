#!/usr/bin/python3
"""Print deb822 `deb-src` stanzas for this machine's Debian release (scripts/setup.sh).

Reads the `deb` entries of /etc/apt/sources.list, sources.list.d/*.list (one-line format) and
sources.list.d/*.sources (deb822), keeps those whose suite is the release's codename or one
of its -updates, -security, ... suites, and prints each as a `deb-src` stanza with the same
archive, suite, components and Signed-By. Exit status 1 with a message when none is found.
"""
import glob
import re
import sys

APT = "/etc/apt"


def codename():
    with open("/etc/os-release", encoding="utf-8") as f:
        fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    name = fields.get("VERSION_CODENAME", "").strip('"')
    if not name:
        sys.exit("deb_src_entries: no VERSION_CODENAME in /etc/os-release")
    return name


def one_line_entries(path):
    """(uri, suite, components, signed_by) of each `deb` line of a one-line-format file."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        opts = re.search(r"\[([^]]*)\]", line)
        words = re.sub(r"\[[^]]*\]", " ", line).split()
        if len(words) < 4 or words[0] != "deb":
            continue
        signed = re.search(r"signed-by=(\S+)", opts.group(1)) if opts else None
        out.append((words[1], words[2], words[3:], signed.group(1) if signed else ""))
    return out


def deb822_entries(path):
    """(uri, suite, components, signed_by) of each enabled `deb` stanza of a .sources file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.split()
        if "deb" not in fields.get("types", []) or fields.get("enabled", ["yes"])[0] == "no":
            continue
        # A key file; an inline key block (continuation lines) is left to apt's keyrings.
        signed = " ".join(fields.get("signed-by", []))
        if not signed.startswith("/"):
            signed = ""
        for uri in fields.get("uris", []):
            for suite in fields.get("suites", []):
                out.append((uri, suite, fields.get("components", []), signed))
    return out


def main():
    release = codename()
    ours = re.compile(rf"^{re.escape(release)}(-[a-z]+)?$")
    entries = []
    for path in [f"{APT}/sources.list"] + sorted(glob.glob(f"{APT}/sources.list.d/*.list")):
        entries += one_line_entries(path)
    for path in sorted(glob.glob(f"{APT}/sources.list.d/*.sources")):
        entries += deb822_entries(path)
    kept = [e for e in entries if ours.match(e[1])]
    if not kept:
        sys.exit(f"deb_src_entries: no `deb` entry for {release} in {APT}/sources.list*")
    for uri, suite, components, signed in kept:
        print("Types: deb-src")
        print(f"URIs: {uri}")
        print(f"Suites: {suite}")
        print(f"Components: {' '.join(components)}")
        if signed:
            print(f"Signed-By: {signed}")
        print()


if __name__ == "__main__":
    main()
