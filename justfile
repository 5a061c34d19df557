# nxos: `just --list` shows every recipe.
set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @just --list

# Build everything: host libraries, tests and tools, and the RISC-V OS image.
build: build-host build-rv

# Native build (unit tests, host tools).
build-host:
    [ -f build-host/build.ninja ] || meson setup build-host
    ninja -C build-host

# Cross build (kernel, tasks, OS image) against picolibc.
build-rv:
    [ -f build-rv/build.ninja ] || meson setup build-rv --cross-file cross/riscv64-virt.ini
    ninja -C build-rv

# Build and boot the OS image in QEMU on this terminal, straight to the console (PROFILE=run-proof: the proof first).
run:
    scripts/run.sh

# Boot halted with a gdb stub and print the gdb-multiarch command to attach.
debug:
    scripts/debug.sh

# Everything: host tests and every QEMU lane, ending in one "N passed, N failed" line.
test:
    scripts/test-all.sh

# Host unit tests (meson test).
test-host: build-host
    meson test -C build-host --print-errorlogs

# The host unit tests under ASan+UBSan (build-host-san).
test-san: build-host-san
    meson test -C build-host-san --print-errorlogs

# Native build with AddressSanitizer and UndefinedBehaviorSanitizer.
build-host-san:
    [ -f build-host-san/build.ninja ] || meson setup build-host-san -Db_sanitize=address,undefined -Db_lundef=false
    ninja -C build-host-san

# Mutation check (tests/mutation/plan.txt; ARGS e.g. --only FILE): which one-operator changes pass every host test. Slow, not in `just test`.
mutate *ARGS:
    [ -f build-host/build.ninja ] || meson setup build-host
    [ -f build-host-san/build.ninja ] || meson setup build-host-san -Db_sanitize=address,undefined -Db_lundef=false
    scripts/mutate.py --plan {{ARGS}}

# The libFuzzer targets (clang-14, cross/clang-fuzz.ini).
build-fuzz:
    [ -f build-fuzz/build.ninja ] || meson setup build-fuzz --native-file cross/clang-fuzz.ini -Dfuzz=true
    ninja -C build-fuzz

# Fuzz every target (or those named) for FUZZ_SECONDS each (default 60); prints executions.
fuzz *TARGETS:
    scripts/fuzz.sh "${FUZZ_SECONDS:-60}" {{TARGETS}}

# cppcheck and clang-tidy over the tree, and -Wall -Wextra -Werror on every compile.
lint:
    scripts/lint.sh

# Frama-C Eva over the IPC codec, the route helper and the lifecycle core; fails on any alarm.
prove *HARNESSES:
    scripts/prove.sh {{HARNESSES}}

# Frama-C Eva over the lifecycle core built for 1024 abilities (about 3 minutes; not in `just test`).
prove-1024:
    LC_CAPACITY=1024 scripts/prove.sh prove_lifecycle

# QEMU proof: SMP=N runs that lane; unset, SMP=1 then SMP=2.
test-os:
    if [ -n "${SMP:-}" ]; then scripts/qemu-test.sh; else SMP=1 scripts/qemu-test.sh && SMP=2 scripts/qemu-test.sh; fi

# Type at the nx console through QEMU's serial input and check the answers.
test-console:
    /usr/bin/python3 scripts/console-test.py

# Two runs per deterministic lane (SMP=1..4, profiles default and faults) must give byte-identical UART transcripts.
test-os-determinism:
    scripts/test-determinism.sh && PROFILE=faults scripts/test-determinism.sh

# Real concurrency: SMP=4 (or SMP=N) on multi-threaded TCG without icount, same ladder.
test-os-mttcg:
    SMP=${SMP:-4} ICOUNT=off RUN_TIMEOUT=${RUN_TIMEOUT:-90s} scripts/qemu-test.sh

# Two boots on one disk: statefsd's values and a blocked ability must survive (SMP=N).
test-persist:
    SMP=${SMP:-1} scripts/test-persist.sh

# The power-cut sweep: the statefs workload cut after every block write, each cut checked.
test-powercut:
    scripts/test-powercut.sh

# The OTA power-cut sweep: two updates of hello cut after every block write, each cut checked.
test-ota-powercut:
    SMP=${SMP:-1} scripts/test-ota-powercut.sh

# Pack and sign a bundle of ABILITY at VERSION (its image as built) into build/bundles/ (docs/ota.md).
pack ABILITY VERSION: build-host build-rv
    /usr/bin/python3 scripts/pack-bundle.py "{{ABILITY}}" "{{VERSION}}" --images build-rv/kernel-shim \
        --elf-check build-host/src/tools/elfcheck/nx-elfcheck --out "build/bundles/{{ABILITY}}-{{VERSION}}.bundle"

# Benchmarks (instruction counts, sizes, interrupts, lane times) written to docs/perf.md.
bench:
    /usr/bin/python3 scripts/bench.py

# Where one IPC round trip's guest instructions go, function by function (QEMU exec trace).
ipc-profile *ARGS:
    /usr/bin/python3 scripts/ipc-profile.py {{ARGS}}

# Draw the ability lifecycle timeline of an OS transcript into timeline.svg next to it.
timeline LOG="build/logs/default-smp1/uart.log": build-host
    scripts/timeline.py {{LOG}}

# Remove every build output.
clean:
    rm -rf build-host build-rv build build-host-san build-fuzz
