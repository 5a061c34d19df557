#!/usr/bin/env bash
# `just run`: boot the OS image interactively (UART on this terminal; Ctrl-A X quits QEMU).
# profile=run: the same system and proof as the tests, then the nx console (type help) instead
# of a power-off. Real time (no icount) so the console feels normal. SMP=N picks the harts
# (default 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
nx_build_rv || { echo "run: build of build-rv failed" >&2; exit 2; }
nx_qemu_cmd "${SMP:-2}" off run
echo "run: ${NX_QEMU[*]} -nographic   (Ctrl-A X to quit)"
exec "${NX_QEMU[@]}" -nographic
