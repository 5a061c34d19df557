# Shared by the scripts: paths, the build step and the QEMU command line.
# Sourced, not run. Callers set `set -u`.

# (Parameter expansion instead of dirname: a lane's wrappers start as few processes as they can.)
nx_dir_of() {
	if [[ $1 == */* ]]; then printf '%s\n' "${1%/*}"; else printf '.\n'; fi
}
NX_ROOT=$(cd "$(nx_dir_of "${BASH_SOURCE[0]}")/../.." && pwd)
NX_BUILD_RV="$NX_ROOT/build-rv"
NX_KERNEL="$NX_BUILD_RV/kernel-shim/kernel.elf"

# Configure (once) and build the cross tree. Returns non-zero on failure.
nx_build_rv() {
	if [[ ! -f "$NX_BUILD_RV/build.ninja" ]]; then
		meson setup "$NX_BUILD_RV" "$NX_ROOT" --cross-file "$NX_ROOT/cross/riscv64-virt.ini" >/dev/null || return 1
	fi
	ninja -C "$NX_BUILD_RV" >/dev/null || { ninja -C "$NX_BUILD_RV" 2>&1 | tail -30 >&2; return 1; }
}

# The disk: a raw image of NX_DISK_BYTES, all zeros when made. nx_disk_prepare PATH makes it
# afresh, unless DISK_KEEP=1 and it exists (a second boot on the same disk), in which case its
# size is checked. Returns non-zero on failure.
NX_DISK_BYTES=$((512 * 1024))
nx_disk_prepare() {
	local disk=$1
	if [[ ${DISK_KEEP:-0} == 1 && -e $disk ]]; then
		[[ $(stat -c %s "$disk") == "$NX_DISK_BYTES" ]] && return 0
		echo "disk $disk is not $NX_DISK_BYTES bytes; remove it or unset DISK_KEEP" >&2
		return 1
	fi
	local dir
	dir=$(nx_dir_of "$disk")
	{ [[ -d $dir ]] || mkdir -p "$dir"; } && : >"$disk" && truncate -s "$NX_DISK_BYTES" "$disk"
}

# profile=faults: entropy that runs out. The rng backend reads a FIFO holding the first
# NX_RNG_FINITE_BYTES of the seed file, held open for writing by this shell (file descriptor
# NX_RNG_FD) and never written again: once those bytes are read, QEMU's read() answers EAGAIN
# and the guest's request stays unfilled, as a drained hardware source would leave it. (A
# plain file at its end makes QEMU spin on read() returning 0 and freeze the guest,
# docs/kernel.md.) selftest learns the size from the boot argument rngbytes=<n>.
NX_RNG_FINITE_BYTES=96
nx_rng_fifo() {
	local fifo=$1
	mkdir -p "$(nx_dir_of "$fifo")" && rm -f "$fifo" && mkfifo "$fifo" || return 1
	exec {NX_RNG_FD}<>"$fifo" || return 1
	head -c "$NX_RNG_FINITE_BYTES" "$NX_ROOT/tests/data/virtio-rng.bin" >&"$NX_RNG_FD"
}

# Fill the array NX_QEMU with the QEMU command for `$1` harts, and prepare its disk (its
# path in NX_DISK_USED).
# $2: icount setting ("off" for real-time, multi-threaded TCG).
# $3: profile, passed as the kernel command line profile=<name> (default "default").
# Environment: NX_DISK (default build/disks/<profile>-smp<N>.img, <profile>-mttcg-smp<N>.img
# without icount), DISK_KEEP=1 (boot on the disk as the last boot left it), NX_BOOTARGS
# (more words for the kernel command line, e.g. blkcut=3).
nx_qemu_cmd() {
	local smp=$1 icount=$2 profile=${3:-default} lane
	lane=$profile-smp$smp
	[[ $icount == off ]] && lane=$profile-mttcg-smp$smp
	# Without icount the guest's clock is the host's: selftest then allows timer lateness.
	local clock=
	[[ $icount == off ]] && clock=clock=real
	local disk=${NX_DISK:-$NX_ROOT/build/disks/$lane.img}
	nx_disk_prepare "$disk" || return 1
	NX_DISK_USED=$disk
	local rng=$NX_ROOT/tests/data/virtio-rng.bin rngbytes=
	if [[ $profile == faults ]]; then
		rng=$NX_ROOT/build/rng/$lane.fifo
		nx_rng_fifo "$rng" || return 1
		rngbytes=rngbytes=$NX_RNG_FINITE_BYTES
	fi
	NX_QEMU=(qemu-system-riscv64
		-machine virt,aclint=on
		-bios default
		-kernel "$NX_KERNEL"
		-append "profile=$profile${NX_BOOTARGS:+ $NX_BOOTARGS}${clock:+ $clock}${rngbytes:+ $rngbytes}"
		-smp "$smp"
		-m 128M
		-global virtio-mmio.force-legacy=off
		# virtio-rng on a modern (version 2) virtio-mmio transport, fed from a fixed file so
		# the bytes are known (selftest compares them). QEMU livelocks once a file backend
		# is exhausted, so the file covers every byte a boot reads; profile=faults reads a
		# finite FIFO instead (nx_rng_fifo). Commas in a path are doubled.
		-object "rng-random,id=rng0,filename=${rng//,/,,}"
		-device virtio-rng-device,rng=rng0
		# virtio-blk on a modern transport (docs/kernel.md, "Block device"). cache=unsafe:
		# QEMU ignores flushes, which would otherwise wait for the host's disk (power cuts
		# are simulated in the guest, so the host's durability does not matter).
		-drive "file=${disk//,/,,},if=none,format=raw,id=hd0,cache=unsafe"
		-device virtio-blk-device,drive=hd0,serial=nxos-disk0)
	if [[ $icount == off ]]; then
		NX_QEMU+=(-accel tcg,thread=multi)
	else
		NX_QEMU+=(-icount "$icount")
	fi
}
