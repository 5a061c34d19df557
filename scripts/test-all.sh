#!/usr/bin/env bash
# `just test`: every suite and lane, then one summary line "N passed, N failed".
# A failing step does not stop the others; the exit status is 1 if anything failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$NX_ROOT"

passed=0 failed=0
declare -a failures=()

# step NAME CMD...: one counted check.
step() {
	local name=$1; shift
	printf '\n==> %s\n' "$name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

# The unit tests of build directory DIR (built by `just DIR`): each meson test counts on its own.
meson_tests() {
	local label=$1 dir=$2
	printf '\n==> %s (meson test -C %s)\n' "$label" "$dir"
	if ! just "$dir"; then
		failed=$((failed + 1)); failures+=("$dir"); return
	fi
	meson test -C "$dir" --print-errorlogs
	local log=$dir/meson-logs/testlog.json ok bad
	ok=$(/usr/bin/python3 -c 'import json,sys; r=[json.loads(l)["result"] for l in open(sys.argv[1])]; print(sum(x in ("OK","EXPECTEDFAIL","SKIP") for x in r), sum(x not in ("OK","EXPECTEDFAIL","SKIP") for x in r))' "$log") || {
		failed=$((failed + 1)); failures+=("$label: meson testlog"); return
	}
	read -r ok bad <<<"$ok"
	passed=$((passed + ok))
	failed=$((failed + bad))
	((bad == 0)) || failures+=("$label ($bad)")
}

meson_tests "host unit tests" build-host
meson_tests "host unit tests under ASan+UBSan" build-host-san
# Each fuzz target, a few seconds over its seed corpus: a regression run, not a search.
for src in tests/fuzz/fuzz_*.c; do
	target=$(basename "$src" .c)
	step "fuzz $target (3 s)" scripts/fuzz.sh --regression 3 "$target"
done
step "prove: Frama-C Eva, 0 alarms" scripts/prove.sh
step "lint: cppcheck, clang-tidy, warning flags" scripts/lint.sh
# Each deterministic lane twice (SMP=3: no power of two): each run a full marker check, and the
# two transcripts byte-identical (scripts/test-determinism.sh).
for smp in 1 2 3 4; do
	step "os lane + determinism smp=$smp" env SMP=$smp scripts/test-determinism.sh
	step "os faults + determinism smp=$smp" env SMP=$smp PROFILE=faults scripts/test-determinism.sh
done
# Real concurrency at SMP=4 (replaces the SMP=2 lane): the proof, and the per-hart proof of
# profile faults (parallel runs of one class are shown only on the real clock).
step "os lane mttcg smp=4" env SMP=4 ICOUNT=off RUN_TIMEOUT=90s scripts/qemu-test.sh
step "os faults mttcg smp=4" env SMP=4 ICOUNT=off RUN_TIMEOUT=90s PROFILE=faults scripts/qemu-test.sh
step "os persist smp=1 (two boots, one disk)" env SMP=1 scripts/test-persist.sh
step "os persist smp=2 (two boots, one disk)" env SMP=2 scripts/test-persist.sh
step "os power-cut sweep smp=1" env SMP=1 scripts/test-powercut.sh
step "os ota power-cut sweep smp=1" env SMP=1 scripts/test-ota-powercut.sh
step "nx console" /usr/bin/python3 scripts/console-test.py

echo
((failed == 0)) || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
