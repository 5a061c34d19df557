#!/usr/bin/env bash
# The persist lane: two boots on one disk. Boot 1 (profile persist-write) starts from a
# fresh disk, writes and syncs through statefsd and drives an ability into blocked; boot 2
# (profile persist-check, DISK_KEEP=1) must find all of it (scripts/markers/persist-*.txt).
#
# Environment: SMP (default 1), RUN_TIMEOUT as scripts/qemu-test.sh.
# Exit status: 0 both boots passed, 1 a boot failed, 2 infrastructure error.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SMP=${SMP:-1}
disk=$NX_ROOT/build/disks/persist-smp$SMP.img
rm -f "$disk" || exit 2
NX_DISK=$disk PROFILE=persist-write SMP=$SMP "$NX_ROOT/scripts/qemu-test.sh" || exit $?
NX_DISK=$disk DISK_KEEP=1 PROFILE=persist-check SMP=$SMP "$NX_ROOT/scripts/qemu-test.sh" || exit $?
echo "persist: smp=$SMP two boots on one disk passed"
