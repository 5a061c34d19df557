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
# libsodium's source package (below), and the reference its differential test compares with.
need dpkg-dev have_cmd dpkg-source
need python3-cryptography have_pymod cryptography
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
# npm's `just` is a Node.js script that starts the native binary the package ships: measured
# here 1.8 s of Node start-up per call (load 18) against 0.04 s for the binary. Link the
# binary into /usr/local/bin, ahead of npm's bin directory on the usual PATH.
if [[ "$(head -c 2 "$(command -v just)")" == "#!" ]]; then
	natives=("$(npm root -g)"/rust-just/node_modules/rust-just-linux-*/bin/just)
	native=${natives[0]}
	if [[ -x $native ]]; then
		SUDO=""
		[[ $(id -u) -eq 0 ]] || SUDO="sudo"
		$SUDO ln -sf "$native" /usr/local/bin/just || die "cannot link $native into /usr/local/bin"
		hash -r
		say "just: the native binary ($native) is first on PATH as $(command -v just)"
	fi
fi

# libsodium, the image's only third-party code (docs/crypto.md): Debian's source package of
# this machine's release, fetched with Debian's tools into .deps/libsodium (git-ignored).
# apt checks the package's files against the archive's signed index; this script pins the
# .dsc's sha256 and checks the tarballs against the .dsc; dpkg-source applies Debian's
# patches. The VERIFIED stamp, which src/crypto/meson.build requires, is written last.
SODIUM_VERSION=1.0.18-1+deb12u1
SODIUM_DSC_SHA256=2c23c57b5a9385dab5a1916014c9b5f2cdd7dadeb8a35b28c1bfb603ce7095c4
SODIUM_PATCH=CVE-2025-69277.patch
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SODIUM_DIR=$ROOT/.deps/libsodium
SODIUM_STAMP="libsodium $SODIUM_VERSION, .dsc sha256 $SODIUM_DSC_SHA256, $SODIUM_PATCH applied"

fetch_libsodium() {
	local stage dl apt_dir log dsc
	mkdir -p "$ROOT/.deps" || die "cannot make $ROOT/.deps"
	stage=$(mktemp -d "$ROOT/.deps/libsodium.XXXXXX") || die "cannot make a folder in $ROOT/.deps"
	trap 'rm -rf "$stage"' EXIT
	dl=$stage/download
	apt_dir=$stage/apt
	log=$stage/log
	mkdir -p "$dl" "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	/usr/bin/python3 "$ROOT/scripts/lib/deb_src_entries.py" >"$apt_dir/sources.list.d/debian-src.sources" \
		2>"$log" || die "cannot derive a deb-src entry: $(cat "$log")"
	# A private apt configuration: the machine's own lists, cache and sources stay untouched.
	local -a apt_opts=(
		-o Dir::Etc::SourceList=/dev/null
		-o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
		-o "Dir::State::Lists=$apt_dir/lists"
		-o "Dir::Cache=$apt_dir/cache"
	)
	say "fetching libsodium $SODIUM_VERSION (Debian source package, private apt configuration)"
	apt-get "${apt_opts[@]}" update >"$log" 2>&1 ||
		die "apt-get update of the deb-src index failed (entries from /etc/apt/sources.list*): $(tail -3 "$log")"
	# Run as root, apt downloads as the unprivileged _apt user: let it write the folder.
	if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then
		chown _apt "$dl"
	fi
	(cd "$dl" && apt-get "${apt_opts[@]}" source --download-only "libsodium=$SODIUM_VERSION") >"$log" 2>&1 ||
		die "apt-get source libsodium=$SODIUM_VERSION failed (no longer in the archive? docs/crypto.md says how to move the pin): $(tail -3 "$log")"
	if [[ $(id -u) -eq 0 ]]; then
		chown -R root: "$dl"
	fi
	dsc=$dl/libsodium_$SODIUM_VERSION.dsc
	[[ -f $dsc ]] || die "apt-get source left no $(basename "$dsc")"
	local got
	got=$(sha256sum "$dsc" | cut -d' ' -f1)
	[[ $got == "$SODIUM_DSC_SHA256" ]] ||
		die "$(basename "$dsc") has sha256 $got, but scripts/setup.sh pins $SODIUM_DSC_SHA256: refused"
	# Each file the .dsc lists, at the size and sha256 the .dsc states.
	local n=0 sum size name
	while read -r sum size name; do
		[[ -f $dl/$name ]] || die "$name, listed in the .dsc, was not downloaded"
		[[ $(stat -c %s "$dl/$name") == "$size" ]] || die "$name is not the .dsc's $size bytes: refused"
		[[ $(sha256sum "$dl/$name" | cut -d' ' -f1) == "$sum" ]] ||
			die "$name does not have the .dsc's sha256 $sum: refused"
		n=$((n + 1))
	done < <(sed -n '/^Checksums-Sha256:/,/^[^ ]/s/^ //p' "$dsc")
	((n == 2)) || die "the .dsc lists $n files under Checksums-Sha256, expected the orig and debian tarballs"
	dpkg-source --no-copy -x "$dsc" "$stage/src" >"$log" 2>&1 || die "dpkg-source -x failed: $(tail -3 "$log")"
	grep -qx "$SODIUM_PATCH" "$stage/src/.pc/applied-patches" 2>/dev/null ||
		die "dpkg-source did not apply Debian's $SODIUM_PATCH (log: $(tail -3 "$log"))"
	rm -rf "$apt_dir" "$log" "$SODIUM_DIR"
	chmod 755 "$stage"
	printf '%s\n' "$SODIUM_STAMP" >"$stage/VERIFIED"
	mv "$stage" "$SODIUM_DIR" || die "cannot move the verified tree to $SODIUM_DIR"
	trap - EXIT
	say "libsodium $SODIUM_VERSION: .dsc and tarballs verified, $SODIUM_PATCH applied (.deps/libsodium/src)"
}

if [[ -f $SODIUM_DIR/VERIFIED && $(<"$SODIUM_DIR/VERIFIED") == "$SODIUM_STAMP" && -d $SODIUM_DIR/src/src/libsodium ]]; then
	say "libsodium $SODIUM_VERSION: present and verified (.deps/libsodium)"
else
	fetch_libsodium
fi

# Final check: every tool the build and tests call.
for tool in riscv64-unknown-elf-gcc qemu-system-riscv64 meson ninja just clang-14 frama-c valgrind; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing after setup"
done
say "ready"
