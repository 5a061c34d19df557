#!/usr/bin/env bash
# Boot the OS image in QEMU, record the UART transcript and check it against the marker ladder;
# then check that keystored's secret key is neither in the transcript nor on the disk outside
# its own record (scripts/check-key-leak.py).
#
# Environment:
#   SMP=1..4            harts (default 1)
#   PROFILE=name        ladder scripts/markers/<name>.txt (default: default)
#   RUN_UNTIL_MARKER=1  stop QEMU as soon as the final marker "SELFTEST: end" appears
#   RUN_TIMEOUT=90s     wall-time limit (s or m suffix, or plain seconds)
#   UART_LOG=path       transcript (default build/logs/<profile>-smp<N>/uart.log, or
#                       build/logs/<profile>-mttcg-smp<N>/uart.log with ICOUNT=off)
#   ICOUNT=setting      QEMU -icount setting (default shift=0,sleep=off); "off" runs
#                       without icount on multi-threaded TCG (real concurrency)
#   NX_DISK=path        the disk image (default build/disks/<lane>.img, made afresh: 1 MiB of zeros)
#   DISK_KEEP=1         boot on the disk as the last boot left it (made only when missing)
#   NX_BOOTARGS=words   more kernel command line, e.g. "blkcut=3 blktear=1" (docs/kernel.md)
#   CUT_LADDER=path     ladder for a boot that blkcut powered off (default scripts/markers/cut.txt)
#
# Exit status: 0 pass, 1 marker failure or key leak, 2 infrastructure error, 3 powered off by
# the kernel's blkcut knob (QEMU's own exit status 3) with the cut ladder passed, 124 timeout.
set -uo pipefail
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib/common.sh"; else source lib/common.sh; fi

SMP=${SMP:-1}
PROFILE=${PROFILE:-default}
RUN_TIMEOUT=${RUN_TIMEOUT:-90s}
RUN_UNTIL_MARKER=${RUN_UNTIL_MARKER:-0}
ICOUNT=${ICOUNT:-shift=0,sleep=off}
lane_dir=$PROFILE-smp$SMP
[[ $ICOUNT == off ]] && lane_dir=$PROFILE-mttcg-smp$SMP
UART_LOG=${UART_LOG:-$NX_ROOT/build/logs/$lane_dir/uart.log}
FINAL_MARKER="SELFTEST: end"
CUT_STATUS=3 # KS_BLK_POWER_CUT_STATUS (kernel-shim/blk.h)
CUT_MARKER="kernel: power cut after block write"
CUT_LADDER=${CUT_LADDER:-$NX_ROOT/scripts/markers/cut.txt}

infra() { printf 'qemu-test: error: %s\n' "$*" >&2; exit 2; }

[[ $SMP =~ ^[1-4]$ ]] || infra "SMP must be 1..4, not '$SMP'"
case $RUN_TIMEOUT in
*m) limit=$((${RUN_TIMEOUT%m} * 60)) ;;
*s) limit=${RUN_TIMEOUT%s} ;;
*) limit=$RUN_TIMEOUT ;;
esac
[[ $limit =~ ^[0-9]+$ ]] || infra "RUN_TIMEOUT must look like 90s, 2m or 90, not '$RUN_TIMEOUT'"
ladder="$NX_ROOT/scripts/markers/$PROFILE.txt"
[[ -f $ladder ]] || infra "no ladder for profile '$PROFILE' ($ladder)"
for tool in qemu-system-riscv64 meson ninja /usr/bin/python3; do
	command -v "$tool" >/dev/null 2>&1 || infra "$tool not found; run ./scripts/setup.sh"
done
nx_build_rv || infra "build of build-rv failed"

log_dir=$(nx_dir_of "$UART_LOG")
[[ -d $log_dir ]] || mkdir -p "$log_dir" || infra "cannot create $log_dir"
: >"$UART_LOG" || infra "cannot write $UART_LOG"
qemu_err="${UART_LOG%.log}.qemu-stderr"
nx_qemu_cmd "$SMP" "$ICOUNT" "$PROFILE" || infra "cannot prepare the disk image"

# While QEMU runs, this shell reads the transcript as it grows, a line at a time, and notes
# the lines it needs afterwards. The wait between looks (TICK_S) is a read with a timeout on
# a pipe that nobody writes: the loop starts no process, which on a loaded 2-core machine
# cost more wall time than the lane itself (a grep and a sleep every 10 ms).
TICK_S=0.01
exec {tick_fd}<> <(:) || infra "cannot make the wait pipe"
start=$EPOCHREALTIME
"${NX_QEMU[@]}" -display none -monitor none -serial stdio >"$UART_LOG" 2>"$qemu_err" </dev/null &
qemu_pid=$!
exec {log_fd}<"$UART_LOG" || infra "cannot read $UART_LOG"

partial="" final_seen=0 guest_ms="" smp_line="" starved_shown=0 cut_seen=0
note_line() {
	local line=${1%$'\r'}
	case $line in
	"$FINAL_MARKER guest_ms="*)
		final_seen=1
		if [[ -z $guest_ms ]]; then
			guest_ms=${line#"$FINAL_MARKER guest_ms="}
			guest_ms=${guest_ms%%[!0-9]*}
		fi
		;;
	"$FINAL_MARKER"*) final_seen=1 ;;
	"SELFTEST: smp parallel "*) [[ -z $smp_line ]] && smp_line=$line ;;
	"SELFTEST: starved start not blamed ok harts=1") starved_shown=1 ;;
	"$CUT_MARKER "*) [[ ${line#"$CUT_MARKER "} =~ ^[0-9]*$ ]] && cut_seen=1 ;;
	esac
	return 0
}
# Note each complete line the transcript has gained since the last look; a line still being
# written waits in `partial`. With "drain" (QEMU has ended), an unterminated rest counts too.
take_lines() {
	local line
	while IFS= read -r line <&"$log_fd"; do
		note_line "$partial$line"
		partial=""
	done
	partial+=$line
	if [[ $1 == drain && -n $partial ]]; then
		note_line "$partial"
		partial=""
	fi
}

timed_out=0 stopped_at_marker=0
deadline_us=$(( ${start/./} + limit * 1000000 ))
while kill -0 "$qemu_pid" 2>/dev/null; do
	take_lines more
	if [[ $RUN_UNTIL_MARKER == 1 ]] && ((final_seen)); then
		stopped_at_marker=1
		kill -TERM "$qemu_pid" 2>/dev/null
		break
	fi
	if (( ${EPOCHREALTIME/./} >= deadline_us )); then
		timed_out=1
		kill -TERM "$qemu_pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			kill -0 "$qemu_pid" 2>/dev/null || break
			read -r -t "$TICK_S" -u "$tick_fd"
		done
		kill -KILL "$qemu_pid" 2>/dev/null
		break
	fi
	read -r -t "$TICK_S" -u "$tick_fd"
done
wait "$qemu_pid"
qemu_rc=$?
wall_ms=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
take_lines drain
exec {log_fd}<&- {tick_fd}<&-

power_cut=0
if ((stopped_at_marker == 0 && timed_out == 0 && qemu_rc == CUT_STATUS && cut_seen)); then
	power_cut=1
	ladder=$CUT_LADDER
fi
forbidden=(--forbidden "$NX_ROOT/scripts/markers/forbidden.txt")
# A service's death is forbidden except in the lanes that kill services on purpose.
case $PROFILE in
faults) ;;
*) forbidden+=(--forbidden "$NX_ROOT/scripts/markers/forbidden-service-death.txt") ;;
esac
# keystored's secret key: in no line of the transcript, nowhere on the disk but its record
# (checked in the same Python process, once the ladder has passed, for a boot that ended as
# it should).
key_leak=()
((timed_out == 0 && power_cut == 0 && (stopped_at_marker == 1 || qemu_rc == 0))) &&
	key_leak=(--key-leak "$NX_DISK_USED")
/usr/bin/python3 "$NX_ROOT/scripts/check-markers.py" "$ladder" "$UART_LOG" "${forbidden[@]}" "${key_leak[@]}"
markers_rc=$?
((markers_rc == 2)) && infra "check-markers or check-key-leak could not run"
leak_rc=0
((markers_rc == 3)) && leak_rc=1 markers_rc=0

# The per-hart proof (profile faults) must have counted as many harts as this lane has; with
# one hart, the starved start must have been shown, not skipped.
if ((markers_rc == 0)) && [[ $PROFILE == faults && $SMP == 1 ]] && ((starved_shown == 0)); then
	echo "qemu-test: with one hart the starved start must be shown: no 'SELFTEST: starved start not blamed ok harts=1'"
	markers_rc=1
fi
if ((markers_rc == 0)) && [[ -n $smp_line && $smp_line != *" harts=$SMP "* ]]; then
	echo "qemu-test: the kernel counted other harts than SMP=$SMP: $smp_line"
	markers_rc=1
fi

lane="profile=$PROFILE smp=$SMP icount=$ICOUNT"
timing="wall_ms=$wall_ms"
if [[ -n $guest_ms ]]; then
	timing+=" guest_ms=$guest_ms"
	((wall_ms > 0)) && timing+=" guest/wall=$((guest_ms / wall_ms)).$((guest_ms * 10 / wall_ms % 10))"
fi

if ((timed_out)); then
	echo "qemu-test: TIMEOUT after $RUN_TIMEOUT ($lane $timing) log=$UART_LOG"
	exit 124
fi
if ((power_cut)); then
	if ((markers_rc != 0)); then
		echo "qemu-test: FAIL power cut, but the cut ladder failed ($lane $timing) log=$UART_LOG"
		exit 1
	fi
	echo "qemu-test: POWER CUT $(grep -o "after block write [0-9]*$" "$UART_LOG" | head -n 1) ($lane $timing) log=$UART_LOG"
	exit 3
fi
if ((stopped_at_marker == 0 && qemu_rc != 0)); then
	echo "qemu-test: FAIL guest powered off with failure status $qemu_rc ($lane $timing) log=$UART_LOG"
	[[ -s $qemu_err ]] && sed 's/^/qemu: /' "$qemu_err" | tail -5
	exit 1
fi
if ((markers_rc != 0)); then
	echo "qemu-test: FAIL ($lane $timing) log=$UART_LOG"
	exit 1
fi
if ((leak_rc != 0)); then
	echo "qemu-test: FAIL key leak ($lane $timing) log=$UART_LOG disk=$NX_DISK_USED"
	exit 1
fi
echo "qemu-test: PASS ($lane $timing)"
exit 0
