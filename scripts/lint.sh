#!/usr/bin/env bash
# `just lint`: the warning flags of every compile, cppcheck over the whole tree, clang-tidy
# (.clang-tidy) over every C file of the three builds. Scope: docs/reliability.md.
# Exit status: 0 clean, 1 findings, 2 infrastructure error (build, missing tool).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$NX_ROOT"

die() { printf 'lint: error: %s\n' "$*" >&2; exit 2; }
for tool in cppcheck clang-tidy; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh installs it)"
done

# The compilation databases: build-host and build-rv built (the cross code includes the
# generated nx_manifest.h), build-fuzz configured.
[[ -f build-host/build.ninja ]] || meson setup build-host >/dev/null || die "meson setup build-host failed"
ninja -C build-host >/dev/null || die "build-host does not build"
nx_build_rv || die "build-rv does not build"
if [[ ! -f build-fuzz/build.ninja ]]; then
	meson setup build-fuzz --native-file cross/clang-fuzz.ini -Dfuzz=true >/dev/null ||
		die "meson setup build-fuzz failed"
fi

failed=0
fail() { printf 'lint: %s\n' "$*"; failed=1; }

# 1. -Wall -Wextra -Werror on every C compile of every build.
printf '==> warning flags of every compile (build-host, build-rv, build-fuzz)\n'
/usr/bin/python3 - build-host build-rv build-fuzz <<'EOF' || fail "a compile lacks -Wall -Wextra -Werror"
import json, shlex, sys
bad = 0
for build in sys.argv[1:]:
    entries = json.load(open(f"{build}/compile_commands.json"))
    for e in entries:
        if not e["file"].endswith(".c"):
            continue
        args = e.get("arguments") or shlex.split(e["command"])
        missing = [f for f in ("-Wall", "-Wextra", "-Werror") if f not in args]
        if missing:
            bad += 1
            print(f"lint: {build}: {e['file']}: no {' '.join(missing)}")
    print(f"lint: {build}: {len(entries)} compiles checked")
sys.exit(1 if bad else 0)
EOF

# 2. cppcheck over every C source of the tree, cross-only code included.
printf '==> cppcheck\n'
cppcheck --enable=warning,performance,portability --error-exitcode=1 --std=c11 -q -j 2 \
	-I include -I kernel-shim -I build-rv src kernel-shim tests || fail "cppcheck findings"

# 3. clang-tidy. Host code: the files of build-host and the fuzz targets of build-fuzz.
# Cross code: build-rv's commands rewritten for clang (--target=riscv64-unknown-elf, the
# picolibc headers, no GCC-only flags) in build/lint/, with the checks that cannot read
# bare-metal code turned off:
#   performance-no-int-to-ptr: MMIO registers and physical page addresses are integers.
#   bugprone-reserved-identifier, cert-dcl37-c, cert-dcl51-cpp, readability-redundant-declaration:
#     linker-script and toolchain symbols (__kernel_end, __tls_size) are declared by name.
#   misc-no-recursion: the page-table walk recurses once per level (three levels).
#   readability-non-const-parameter: service handlers have the signature of their ops table.
#   cert-fio38-c, misc-non-copyable-objects: picolibc's stdio wants a FILE object
#     (FDEV_SETUP_STREAM).
#   clang-analyzer-core.uninitialized.*, -core.CallAndMessage, -core.UndefinedBinaryOperatorResult:
#     the analyzer cannot see that an `ecall` fills the memory a syscall was given (struct
#     nx_msg_info, nx_task_info), so every read of a syscall's output looks uninitialized.
cross_off=-performance-no-int-to-ptr,-bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp
cross_off+=,-readability-redundant-declaration,-misc-no-recursion,-readability-non-const-parameter
cross_off+=,-cert-fio38-c,-misc-non-copyable-objects,-clang-analyzer-core.uninitialized.*
cross_off+=,-clang-analyzer-core.CallAndMessage,-clang-analyzer-core.UndefinedBinaryOperatorResult

mkdir -p build/lint
/usr/bin/python3 - build-rv/compile_commands.json build/lint/compile_commands.json <<'EOF' ||
import json, shlex, sys
src, dst = sys.argv[1:]
gcc_only = ("-misa-spec", "-Wa,", "--specs", "-fdiagnostics-color", "-flto", "-ffat-lto-objects",
            "-fno-tree-loop-distribute-patterns")
out = []
for e in json.load(open(src)):
    if not e["file"].endswith(".c"):
        continue
    args = iter(shlex.split(e["command"])[1:])
    new = ["clang-14", "--target=riscv64-unknown-elf", "-isystem",
           "/usr/lib/picolibc/riscv64-unknown-elf/include"]
    for a in args:
        if a in ("-MD",):
            continue
        if a in ("-MQ", "-MF", "-o"):
            next(args)
            continue
        if not a.startswith(gcc_only):
            new.append(a)
    out.append({"directory": e["directory"], "file": e["file"], "arguments": new})
json.dump(out, open(dst, "w"), indent=1)
EOF
	die "cannot rewrite build-rv/compile_commands.json"

# The source files of a database, once each, generated ones (in the build directory) left out.
sources() {
	/usr/bin/python3 - "$@" <<'EOF'
import json, os, sys
db, under = sys.argv[1], sys.argv[2]
root = os.getcwd()
seen = set()
for e in json.load(open(db)):
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(path, root)
    if rel.endswith(".c") and rel.startswith(under) and rel not in seen:
        seen.add(rel)
        print(rel)
EOF
}

tidy() {
	local db=$1 what=$2; shift 2
	local -a files
	mapfile -t files
	printf '==> clang-tidy, %s: %d files\n' "$what" "${#files[@]}"
	printf '%s\n' "${files[@]}" | xargs -P 2 -n 1 clang-tidy -p "$db" --quiet "$@" 2>/dev/null ||
		fail "clang-tidy findings ($what)"
}

# Process substitution, not a pipe: tidy must run in this shell for `failed` to count.
# libsodium's sources (.deps/, fetched by scripts/setup.sh) are another project's: its
# compiles are held to the warning flags above, not to this project's lint; the wrapper
# (src/crypto/) is linted like the rest.
# The kernel's files that host tests compile are linted once, as the kernel: cross code.
ours() { grep -v -e '^build' -e '^\.deps/'; }
tidy build-host "host code" < <(sources build-host/compile_commands.json "" | ours | grep -v '^kernel-shim/')
tidy build-fuzz "fuzz targets" < <(sources build-fuzz/compile_commands.json tests/fuzz/)
tidy build/lint "cross code" --checks="$cross_off" < <(sources build/lint/compile_commands.json "" | ours)

((failed == 0)) && printf 'lint: clean\n'
exit "$failed"
