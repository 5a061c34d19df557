#!/usr/bin/env bash
# `just run`: boot the OS image interactively (UART on this terminal; Ctrl-A X quits QEMU).
# PROFILE=run (the default) boots straight to the nx console (type help): the system without
# the proof. PROFILE=run-proof plays the whole proof first (as the tests do), then the console.
# Real time (no icount) so the console feels normal. SMP=N picks the harts (default 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
PROFILE=${PROFILE:-run}
case $PROFILE in
run | run-proof) ;;
*) echo "run: PROFILE must be run or run-proof, not '$PROFILE'" >&2; exit 2 ;;
esac
nx_build_rv || { echo "run: build of build-rv failed" >&2; exit 2; }
nx_qemu_cmd "${SMP:-2}" off "$PROFILE"
echo "run: ${NX_QEMU[*]} -nographic   (Ctrl-A X to quit)"
exec "${NX_QEMU[@]}" -nographic
