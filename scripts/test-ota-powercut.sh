#!/usr/bin/env bash
# The OTA power-cut lane (docs/ota.md, "Power cuts"): the update workload (profile ota-cut:
# hello-2 into slot b by stage, switch and commit, then hello-3 into slot a by stage and
# switch, rolled back by its crash loop) runs once to its end, then once per block write
# k = 1, 2, ... with the kernel's blkcut=k knob, each time on a fresh disk, until a run ends
# before its k-th write. After every cut the machine boots again on the same disk (profile
# ota-cut-check, otaack=<the last step the cut run saw acknowledged, 0..6>), and selftest
# checks that no trial is left, the active slot is one that ran, nothing acknowledged was
# lost, hello runs as the active version, and an update still goes through. A check that
# reports a rollback must show updated's why=reboot line before selftest starts, and one that
# reports none must show no such line.
# The last line sums what the check boots reported:
#   SELFTEST: ota powercut ok cuts=<cut boots> rolled_back=<boots that rolled a trial back>
#     staged_lost=<boots missing an acknowledged stage>
#
# Environment: SMP (default 1), OTA_MAX_WRITES (default 200: the sweep's bound).
# Exit status: 0 every cut recovered, 1 a boot failed or the sweep did not end, 2 infrastructure error.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SMP=${SMP:-1}
MAX=${OTA_MAX_WRITES:-200}
logs=$NX_ROOT/build/logs/ota-powercut-sweep
disk=$NX_ROOT/build/disks/ota-powercut-sweep.img
mkdir -p "$logs" || exit 2
fail() { echo "ota-powercut: FAIL $*"; exit 1; }

run() { # run NAME BOOTARGS PROFILE [DISK_KEEP]: one boot; prints nothing, returns its status
	local name=$1 args=$2 profile=$3 keep=${4:-0}
	NX_DISK=$disk DISK_KEEP=$keep NX_BOOTARGS=$args PROFILE=$profile SMP=$SMP \
		UART_LOG=$logs/$name.log "$NX_ROOT/scripts/qemu-test.sh" >"$logs/$name.out" 2>&1
}

reboot_line='^updated: event t=[0-9]* app=hello event=rolled_back version=\(2 slot=b\|3 slot=a\) why=reboot$'
start=$EPOCHREALTIME
run whole "" ota-cut || fail "the workload without a cut: $(tail -1 "$logs/whole.out")"
cuts=0 rolled=0 lost=0 k=1
while ((k <= MAX)); do
	run "cut-$k" "blkcut=$k" ota-cut
	rc=$?
	if ((rc == 0)); then
		break
	fi
	((rc == 3)) || fail "cut at write $k: $(tail -1 "$logs/cut-$k.out")"
	ack=$(sed -n 's/^ota-cut: ack=\([0-6]\) .*$/\1/p' "$logs/cut-$k.log" | tail -n 1)
	ack=${ack:-0}
	run "check-$k" "otaack=$ack" ota-cut-check 1 ||
		fail "check after the cut at write $k (ack $ack): $(tail -1 "$logs/check-$k.out"), log $logs/check-$k.log"
	result=$(sed -n 's/^SELFTEST: ota powercut check ok ack=[0-6] active=[12] staged=\([0-2]\) rolled_back=\([01]\)$/\1 \2/p' \
		"$logs/check-$k.log")
	[[ -n $result ]] || fail "check after the cut at write $k printed no result"
	read -r staged r <<<"$result"
	# The rollback the check reports is the one updated did at boot, before selftest started.
	seen=$(sed '/^selftest: start$/q' "$logs/check-$k.log" | grep -c "$reboot_line")
	((seen == r)) || fail "check after the cut at write $k reports rolled_back=$r, the transcript shows $seen why=reboot lines"
	cuts=$((cuts + 1))
	rolled=$((rolled + r))
	# hello-2's stage acknowledged (ack 1): one slot holds a stored image; hello-3's too (ack 4): two.
	((staged < (ack >= 4 ? 2 : ack >= 1 ? 1 : 0))) && lost=$((lost + 1))
	echo "ota-powercut: write $k cut: ack=$ack staged=$staged rolled_back=$r"
	k=$((k + 1))
done
((k <= MAX)) || fail "the workload still had a write $MAX to cut (OTA_MAX_WRITES)"
((cuts > 0)) || fail "no cut happened: the workload wrote nothing"
wall_ms=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
echo "ota-powercut: $cuts cuts, $((2 * cuts + 2)) boots, wall_ms=$wall_ms"
echo "SELFTEST: ota powercut ok cuts=$cuts rolled_back=$rolled staged_lost=$lost"
