#!/usr/bin/env bash
# `just prove`: Frama-C Eva over the lifecycle core, the IPC codec and the RFC-0025 route
# helper. Each harness tests/prove/prove_<name>.c has entry points `void main_<what>(void)`;
# each entry point is one Eva analysis, with the sources and options listed in
# tests/prove/prove_<name>.eva. Passes when every analysis ends with 0 alarms, every ACSL
# property of the harness valid and no analysis warning. What is proven and under which
# assumptions: docs/reliability.md.
#
#   scripts/prove.sh [HARNESS...]     (names such as prove_wire; default: all)
#   LC_CAPACITY=N scripts/prove.sh prove_lifecycle   the lifecycle core built for N abilities
#                                     (reports in build/prove-lcN/)
#
# Exit status: 0 proven, 1 an alarm, an unproven property or an analysis warning, 2 an
# infrastructure error. Full reports: build/prove/<harness>.<entry>.log.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$NX_ROOT"

die() { printf 'prove: error: %s\n' "$*" >&2; exit 2; }
command -v frama-c >/dev/null || die "frama-c is missing (scripts/setup.sh installs frama-c-base)"

# Every analysis: C11 as the build compiles it, an LP64 machine like rv64's lp64 (the
# assumptions are in docs/reliability.md), the project's headers, and Eva without the
# final dump of every variable.
common=(-c11 -machdep gcc_x86_64 "-cpp-extra-args=-I$NX_ROOT/include" -eva -eva-msg-key=-final-states)
outdir=build/prove
if [[ -n ${LC_CAPACITY:-} ]]; then
	[[ $LC_CAPACITY =~ ^[1-9][0-9]{0,3}$ ]] || die "LC_CAPACITY must be 1..4096"
	common+=("-cpp-extra-args=-DLC_MAX_ABILITIES=${LC_CAPACITY}U")
	outdir=build/prove-lc$LC_CAPACITY
fi

# The figures of one report: prints "alarms valid unknown reached total warnings".
figures() {
	/usr/bin/python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], errors="replace").read()
if "ANALYSIS SUMMARY" not in text:
    sys.exit(1)
summary = text[text.index("ANALYSIS SUMMARY"):]
m = re.search(r"(\d+|No) alarms? generated", summary)
stmts = re.search(r"(\d+) statements reached \(out of (\d+)\)", summary)
if m is None or stmts is None:
    sys.exit(1)
alarms = 0 if m.group(1) == "No" else int(m.group(1))
props = re.findall(r"(\w+)\s+(\d+) valid\s+(\d+) unknown\s+(\d+) invalid\s+(\d+) total", summary)
valid = sum(int(p[1]) for p in props)
unproven = sum(int(p[2]) + int(p[3]) for p in props)
warnings = 0 if "No errors or warnings raised" in summary else 1
print(alarms, valid, unproven, stmts.group(1), stmts.group(2), warnings)
EOF
}

declare -a harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
	for src in tests/prove/prove_*.c; do
		harnesses+=("$(basename "$src" .c)")
	done
fi

mkdir -p "$outdir"
# Every analysis is its own frama-c process: they run side by side, as many at a time as the
# machine has cores (PROVE_JOBS to choose), and are reported in order once all have ended.
njobs=${PROVE_JOBS:-$(nproc 2>/dev/null || echo 1)}
declare -a names=() logs=()
started=$SECONDS
for h in "${harnesses[@]}"; do
	src=tests/prove/$h.c conf=tests/prove/$h.eva
	[[ -f $src ]] || die "$h: no $src"
	[[ -f $conf ]] || die "$h: no $conf"
	# The .eva file: comments (#) and blank lines; lines `entry main_x OPTIONS...` add options
	# for that entry point only; every other word is a source or an option of every entry.
	read -r -a args <<<"$(sed -e 's/#.*//' -e '/^entry /d' "$conf" | tr '\n' ' ')"
	mapfile -t entries < <(sed -n 's/^void \(main_[a-z0-9_]*\)(void)$/\1/p' "$src")
	((${#entries[@]} > 0)) || die "$h: no entry point 'void main_...(void)' in $src"
	for entry in "${entries[@]}"; do
		log=$outdir/$h.$entry.log
		read -r -a own <<<"$(sed -n "s/^entry $entry //p" "$conf" | sed -e 's/#.*//' | tr '\n' ' ')"
		while (($(jobs -rp | wc -l) >= njobs)); do
			wait -n
		done
		(
			t0=$SECONDS
			frama-c "${common[@]}" "$src" "${args[@]}" "${own[@]}" -main "$entry" >"$log" 2>&1
			echo "$? $((SECONDS - t0))" >"$log.rc"
		) &
		names+=("$h $entry")
		logs+=("$log")
	done
done
wait

failed=0 analyses=0 total_alarms=0
for i in "${!names[@]}"; do
	read -r h entry <<<"${names[$i]}"
	log=${logs[$i]}
	read -r rc secs <"$log.rc" 2>/dev/null || { rc=255; secs=0; }
	analyses=$((analyses + 1))
	if ! read -r alarms valid unproven reached stmts warnings < <(figures "$log") || [[ -z ${alarms:-} ]]; then
		failed=1
		printf 'prove: %s %s: FAILED: no Eva summary (frama-c exit %d); report %s\n' "$h" "$entry" "$rc" "$log"
		grep -E 'User Error|\[kernel\].*(error|Error)' "$log" | head -10
		continue
	fi
	total_alarms=$((total_alarms + alarms))
	line="$alarms alarms, $valid properties valid, $unproven unproven, $reached/$stmts statements reached, $secs s"
	if ((rc != 0 || alarms != 0 || unproven != 0 || warnings != 0)); then
		failed=1
		printf 'prove: %s %s: FAILED (%s%s; frama-c exit %d); report %s\n' "$h" "$entry" "$line" \
			"$( ((warnings)) && echo ', analysis warnings')" "$rc" "$log"
		grep -A2 -E '^\[eva:alarm\]|^\[kernel\].*(Error|aborted)|User Error' "$log" | head -30
	else
		printf 'prove: %s %s: %s\n' "$h" "$entry" "$line"
	fi
done
printf 'prove: %d analyses, %d alarms, %d s\n' "$analyses" "$total_alarms" $((SECONDS - started))
exit "$failed"
