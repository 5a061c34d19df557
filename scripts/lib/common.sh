# Shared by the scripts: paths, the build step and the QEMU command line.
# Sourced, not run. Callers set `set -u`.

NX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NX_BUILD_RV="$NX_ROOT/build-rv"
NX_KERNEL="$NX_BUILD_RV/kernel-shim/kernel.elf"

# Configure (once) and build the cross tree. Returns non-zero on failure.
nx_build_rv() {
	if [[ ! -f "$NX_BUILD_RV/build.ninja" ]]; then
		meson setup "$NX_BUILD_RV" "$NX_ROOT" --cross-file "$NX_ROOT/cross/riscv64-virt.ini" >/dev/null || return 1
	fi
	ninja -C "$NX_BUILD_RV" >/dev/null || { ninja -C "$NX_BUILD_RV" 2>&1 | tail -30 >&2; return 1; }
}

# Fill the array NX_QEMU with the QEMU command for `$1` harts.
# $2: icount setting ("off" for real-time, multi-threaded TCG).
# $3: profile, passed as the kernel command line profile=<name> (default "default").
nx_qemu_cmd() {
	local smp=$1 icount=$2 profile=${3:-default}
	NX_QEMU=(qemu-system-riscv64
		-machine virt,aclint=on
		-bios default
		-kernel "$NX_KERNEL"
		-append "profile=$profile"
		-smp "$smp"
		-m 128M
		-global virtio-mmio.force-legacy=off
		# virtio-rng on a modern (version 2) virtio-mmio transport, fed from a fixed file so
		# the bytes are known (selftest compares them). QEMU livelocks once a file backend
		# is exhausted, so the file covers every byte a boot reads. Commas in a path are doubled.
		-object "rng-random,id=rng0,filename=${NX_ROOT//,/,,}/tests/data/virtio-rng.bin"
		-device virtio-rng-device,rng=rng0)
	if [[ $icount == off ]]; then
		NX_QEMU+=(-accel tcg,thread=multi)
	else
		NX_QEMU+=(-icount "$icount")
	fi
}
