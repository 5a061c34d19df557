#!/usr/bin/env bash
# `just debug`: boot the OS image halted at the first instruction with a gdb stub, after
# printing the gdb-multiarch command that attaches with the kernel's and a task's symbols.
#   GDB_PORT=1234  stub port       TASK=appmgrd  task whose symbols to add (all tasks are
#   SMP=1          harts           linked at 0x40000000, so load one task's symbols at a time)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
port=${GDB_PORT:-1234}
task=${TASK:-selftest}
nx_build_rv || { echo "debug: build of build-rv failed" >&2; exit 2; }
[[ -f $NX_BUILD_RV/src/$task ]] || { echo "debug: no task image '$task' in $NX_BUILD_RV/src" >&2; exit 2; }
nx_qemu_cmd "${SMP:-1}" off run
cat <<MSG
debug: QEMU is halted at the reset vector; attach from another terminal with:

  gdb-multiarch $NX_KERNEL \\
    -ex 'set architecture riscv:rv64' \\
    -ex 'target remote localhost:$port' \\
    -ex 'add-symbol-file $NX_BUILD_RV/src/$task' \\
    -ex 'break ks_main' -ex 'continue'

(kernel symbols from kernel.elf; TASK=<name> picks another task's symbols; Ctrl-A X quits QEMU)
MSG
exec "${NX_QEMU[@]}" -nographic -S -gdb "tcp:localhost:$port"
