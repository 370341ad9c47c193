#!/usr/bin/env bash
# cost: 195 (seconds alone; tests/run starts the costliest suites first)
# fuzz.sh: the libFuzzer harnesses of tests/fuzz/ (clang, ASan + UBSan): build them, replay
# every past finding (tests/fuzz/regress/NAME/), and fuzz each harness for a bounded time
# (MMCC_FUZZ_SECONDS, default 20 s each; 7 harnesses). A finding, a hang or a missing
# toolchain is a failure: CI installs clang through scripts/install-deps --test.
set -u
. "$ROOT/tests/lib.sh"

names=()
for f in "$ROOT"/tests/fuzz/fuzz_*.c; do n=$(basename "$f" .c); names+=("${n#fuzz_}"); done
plan $((1 + 2 * ${#names[@]}))

missing=
command -v clang >/dev/null || missing="clang is not installed"
if [ -z "$missing" ]; then
  rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)
  [ -f "$rt" ] || missing="clang's libFuzzer runtime (libclang_rt.fuzzer) is missing"
fi
if [ -n "$missing" ]; then
  why="$missing (scripts/install-deps --test installs clang and libclang-rt-14-dev)"
  fail fuzz_build "$why"
  for n in "${names[@]}"; do fail "fuzz_regress_$n" "$why"; fail "fuzz_run_$n" "$why"; done
  exit 1
fi

if make -C "$ROOT" -s -j2 fuzz-build >"$OUT/build.log" 2>&1; then
  ok fuzz_build
else
  why="make fuzz-build failed: $(grep -m1 -E 'error|Error' "$OUT/build.log")"
  fail fuzz_build "$why"
  for n in "${names[@]}"; do fail "fuzz_regress_$n" "not built"; fail "fuzz_run_$n" "not built"; done
  exit 1
fi

FUZZ_SECONDS=${MMCC_FUZZ_SECONDS:-20} "$ROOT/tests/fuzz/run" "${names[@]}"
