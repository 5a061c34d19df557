#!/usr/bin/env bash
# Run the libFuzzer targets of tests/fuzz (built in build-fuzz), each for SECONDS, and print
# the executions of each. Exit status: 0 all clean, 1 a target failed (crash, sanitizer
# report, failed check, hang), 2 infrastructure error (build, missing target or corpus).
#
#   scripts/fuzz.sh [--regression] SECONDS [TARGET...]
#
# A target is every tests/fuzz/fuzz_*.c (or those named). Each run starts from its checked-in
# seeds, tests/fuzz/corpus/<target>/, which it never writes. New inputs go to
# build-fuzz/corpus/<target>/, so that runs build on each other; with --regression (the
# `just test` steps) they go to a temporary directory, so that a run covers the seeds and
# what it finds itself, nothing else. A failing input is saved in build-fuzz/artifacts/.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$NX_ROOT"

die() { printf 'fuzz: error: %s\n' "$*" >&2; exit 2; }

regression=0
if [[ ${1:-} == --regression ]]; then
	regression=1
	shift
fi
seconds=${1:-}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "usage: scripts/fuzz.sh [--regression] SECONDS [TARGET...]"
shift

build=build-fuzz
if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build" --native-file cross/clang-fuzz.ini -Dfuzz=true >/dev/null ||
		die "meson setup $build failed"
fi
ninja -C "$build" >/dev/null || { ninja -C "$build" 2>&1 | tail -30 >&2; die "build failed"; }

declare -a targets=("$@")
if ((${#targets[@]} == 0)); then
	for src in tests/fuzz/fuzz_*.c; do
		targets+=("$(basename "$src" .c)")
	done
fi

scratch=""
declare -a seed_args=()
if ((regression)); then
	scratch=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$scratch"' EXIT
	# A fixed seed: the regression explores the same sequence of inputs on every run.
	seed_args=(-seed=1)
fi

failed=0
declare -a summary=()
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/$t
	seeds=tests/fuzz/corpus/$t
	[[ -x $bin ]] || die "$t: no $bin (is it listed in tests/fuzz/meson.build?)"
	[[ -d $seeds ]] && compgen -G "$seeds/*" >/dev/null || die "$t: no seed corpus in $seeds/"
	out=${scratch:-$build/corpus}/$t
	mkdir -p "$out" "$build/artifacts/$t" "$build/logs"
	log=$build/logs/$t.log
	# -timeout: one input running longer than this is a hang, reported as a failure.
	"$bin" "${seed_args[@]}" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t/" "$out" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")
	if ((rc != 0)); then
		failed=1
		printf 'fuzz: %s: FAILED (exit %d) after %s executions; log %s\n' "$t" "$rc" "${execs:-?}" "$log"
		grep -E 'check failed|ERROR: |runtime error|SUMMARY|Test unit written' "$log" | head -8
		artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		[[ -n $artifact ]] && printf 'fuzz: reproduce: %s %s\n' "$bin" "$artifact"
		continue
	fi
	line=$(printf '%-16s %10s execs in %3s s (%s/s), corpus %s, cov %s' "$t" "$execs" "$seconds" \
		"$((execs / seconds))" "${corp:-?}" "${cov:-?}")
	printf 'fuzz: %s\n' "$line"
	summary+=("$line")
done

if ((${#targets[@]} > 1)); then
	printf '\nfuzz summary (%s s per target):\n' "$seconds"
	printf '  %s\n' "${summary[@]}"
fi
exit "$failed"
