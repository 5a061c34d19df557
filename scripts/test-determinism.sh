#!/usr/bin/env bash
# `just test-os-determinism`: boot the same image twice per lane (SMP=1 to 4, or the lanes
# SMP names, e.g. SMP="3 4") of PROFILE (default: default) under the deterministic icount
# setting and require byte-identical UART transcripts; each run is a full qemu-test.sh check.
# On a difference, print the first differing line of each run.
# Exit status: 0 identical, 1 different (or a run failed), 2 infrastructure error.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

lanes=${SMP:-"1 2 3 4"}
PROFILE=${PROFILE:-default}
status=0
for smp in $lanes; do
	dir="$NX_ROOT/build/logs/determinism-$PROFILE-smp$smp"
	mkdir -p "$dir"
	for run in 1 2; do
		SMP=$smp PROFILE=$PROFILE UART_LOG="$dir/run$run.log" "$NX_ROOT/scripts/qemu-test.sh" >"$dir/run$run.out" 2>&1
		rc=$?
		if ((rc == 2)); then
			cat "$dir/run$run.out" >&2
			exit 2
		fi
		if ((rc != 0)); then
			echo "determinism: smp=$smp run $run failed (exit $rc); see $dir/run$run.out"
			tail -5 "$dir/run$run.out"
			status=1
			continue 2
		fi
	done
	if cmp -s "$dir/run1.log" "$dir/run2.log"; then
		echo "determinism: profile=$PROFILE smp=$smp identical ($(wc -l <"$dir/run1.log") lines, $(wc -c <"$dir/run1.log") bytes)"
	else
		line=$(cmp "$dir/run1.log" "$dir/run2.log" | sed -n 's/.* line \([0-9]*\)$/\1/p')
		echo "determinism: smp=$smp transcripts differ; first differing line $line:"
		echo "  run1: $(sed -n "${line}p" "$dir/run1.log")"
		echo "  run2: $(sed -n "${line}p" "$dir/run2.log")"
		status=1
	fi
done
exit $status
