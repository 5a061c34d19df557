#!/usr/bin/env bash
# The power-cut lane (docs/statefs.md): the power-cut workload (profile powercut) runs once
# to its end, then once per block write k = 1, 2, ... with the kernel's blkcut=k knob, each
# time on a fresh disk, until a run ends before its k-th write. After every cut the machine
# boots again on the same disk (profile powercut-check, pcsynced=<the last op the cut run
# saw synced>), and selftest checks that the store recovered a state no older than that
# sync. The last line sums what the check boots reported:
#   SELFTEST: statefs powercut ok cuts=<cut boots> synced_lost=<synced ops lost>
#
# Environment: SMP (default 1), PC_MAX_WRITES (default 200: the sweep's bound).
# Exit status: 0 every cut recovered, 1 a boot failed or the sweep did not end, 2 infrastructure error.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SMP=${SMP:-1}
MAX=${PC_MAX_WRITES:-200}
logs=$NX_ROOT/build/logs/powercut-sweep
disk=$NX_ROOT/build/disks/powercut-sweep.img
mkdir -p "$logs" || exit 2
fail() { echo "powercut: FAIL $*"; exit 1; }

run() { # run NAME BOOTARGS PROFILE [DISK_KEEP]: one boot; prints nothing, returns its status
	local name=$1 args=$2 profile=$3 keep=${4:-0}
	NX_DISK=$disk DISK_KEEP=$keep NX_BOOTARGS=$args PROFILE=$profile SMP=$SMP \
		UART_LOG=$logs/$name.log "$NX_ROOT/scripts/qemu-test.sh" >"$logs/$name.out" 2>&1
}

run whole "" powercut || fail "the workload without a cut: $(tail -1 "$logs/whole.out")"
cuts=0 lost=0 k=1
while ((k <= MAX)); do
	run "cut-$k" "blkcut=$k" powercut
	rc=$?
	if ((rc == 0)); then
		break
	fi
	((rc == 3)) || fail "cut at write $k: $(tail -1 "$logs/cut-$k.out")"
	synced=$(sed -n 's/^statefs: powercut synced op=\([0-9]*\)$/\1/p' "$logs/cut-$k.log" | tail -n 1)
	run "check-$k" "pcsynced=${synced:-0}" powercut-check 1 ||
		fail "check after the cut at write $k (synced op ${synced:-0}): $(tail -1 "$logs/check-$k.out"), log $logs/check-$k.log"
	l=$(sed -n 's/^SELFTEST: statefs powercut check ok synced=[0-9]* recovered=[0-9]* lost=\([0-9]*\)$/\1/p' "$logs/check-$k.log")
	[[ -n $l ]] || fail "check after the cut at write $k printed no result"
	cuts=$((cuts + 1))
	lost=$((lost + l))
	k=$((k + 1))
done
((k <= MAX)) || fail "the workload still had a write $MAX to cut (PC_MAX_WRITES)"
((cuts > 0)) || fail "no cut happened: the workload wrote nothing"
echo "SELFTEST: statefs powercut ok cuts=$cuts synced_lost=$lost"
