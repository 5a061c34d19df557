#!/usr/bin/env bash
# One-command setup for a Debian bookworm machine.
#
# Idempotent: every requirement is checked first and only what is missing is installed.
# Prints what it installs; fails with a clear message (exit 1) if an install fails.
set -euo pipefail

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Debian package -> a check that is true when the package's piece we use is present.
# The checks look at files and commands, so a machine set up by other means passes too.
declare -a NEED_PKGS=()
need() {
	local pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then
		NEED_PKGS+=("$pkg")
	fi
}
have_cmd() { command -v "$1"; }
have_file() { test -e "$1"; }
have_pymod() { /usr/bin/python3 -c "import $1"; }
have_glob() { compgen -G "$1"; }

need gcc gcc --version
need pkg-config have_cmd pkg-config
need gcc-riscv64-unknown-elf have_cmd riscv64-unknown-elf-gcc
need picolibc-riscv64-unknown-elf have_file /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs
need qemu-system-misc have_cmd qemu-system-riscv64
need qemu-system-data have_file /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin
need meson have_cmd meson
need ninja-build have_cmd ninja
need python3 have_file /usr/bin/python3
need python3-jsonschema have_pymod jsonschema
need libcmocka-dev have_file /usr/include/cmocka.h
need libjson-c-dev have_file /usr/include/json-c/json.h
# Reliability and benchmark tooling used by `just test` and `just bench`.
need clang-14 have_cmd clang-14
need libclang-rt-14-dev have_glob "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a"
need libfuzzer-14-dev have_file /usr/lib/llvm-14/lib/libFuzzer.a
need clang-tidy have_cmd clang-tidy
need cppcheck have_cmd cppcheck
need frama-c-base have_cmd frama-c
need valgrind have_cmd valgrind
need gdb-multiarch have_cmd gdb-multiarch
need npm have_cmd npm

if ((${#NEED_PKGS[@]})); then
	SUDO=""
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: ${NEED_PKGS[*]}"
		SUDO="sudo"
	fi
	say "installing Debian packages: ${NEED_PKGS[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >/dev/null ||
		die "apt-get update failed; check the network and /etc/apt/sources.list"
	$SUDO apt-get install -y -q --no-install-recommends "${NEED_PKGS[@]}" >/tmp/nxos-setup-apt.log 2>&1 ||
		die "apt-get install failed for: ${NEED_PKGS[*]} (log: /tmp/nxos-setup-apt.log)"
else
	say "Debian packages: all present"
fi

if ! command -v just >/dev/null 2>&1; then
	say "installing just from npm (rust-just)"
	SUDO=""
	[[ $(id -u) -eq 0 ]] || SUDO="sudo"
	$SUDO npm install -g --no-fund --no-audit rust-just >/tmp/nxos-setup-npm.log 2>&1 ||
		die "npm install -g rust-just failed (log: /tmp/nxos-setup-npm.log)"
	command -v just >/dev/null 2>&1 || die "just was installed but is not on PATH ($(npm prefix -g)/bin)"
else
	say "just: present ($(just --version))"
fi

# Final check: every tool the build and tests call.
for tool in riscv64-unknown-elf-gcc qemu-system-riscv64 meson ninja just clang-14 frama-c valgrind; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing after setup"
done
say "ready"
