#!/usr/bin/env bash
# install.sh: what a new user runs into (issue 13) and an interrupted build (issue 12):
#   1. relocatable mmcc: make install into a temp prefix from a copy of the tree, the copy
#      removed, a model built and run from another directory; make uninstall; a clear
#      error (directory, MMCC_SHARE_DIR) when the data is missing
#   2. the pkg-config line of the README links and runs
#   3. disk: the weights kept once (in the archive) unless --keep-sources; no objects
#   4. mmcc run warns on every run of a library built with --weights random
#   5. errors: directories as config / metafile / image, a missing library directory,
#      the SYNTHETIC WEIGHTS warning only after validation, near-miss model names
#   6. --all -j 2: one progress line per model, no staging left
#   7. build interrupted by SIGINT / SIGTERM at several points: previous output
#      byte-identical, no staging directory, no process left
# What passed is removed from $OUT at the end (logs kept); a failure keeps everything.
set -u
. "$ROOT/tests/lib.sh"
plan 47

FAILED=0
# counted, so that the outputs are removed only when everything passed
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: ${2:-(no reason given)}"; }

TB=$ROOT/tests/build
G=$OUT/gen
mkdir -p "$G"
if [ ! -x "$MMCC" ]; then
  echo "FAIL install: no $MMCC (run make)"
  exit 1
fi
SAN=$MMCC
[ -x "$MMCC_SAN" ] && SAN=$MMCC_SAN

# a 48 x 40 binary PPM
ppm() { { printf 'P6\n48 40\n255\n'; head -c $((48 * 40 * 3)) /dev/urandom; } >"$1"; }
ppm "$G/img.ppm"

# {================================================================== 1. relocatable
P=$OUT/prefix
COPY=$OUT/tree
mkdir -p "$COPY"
# a copy of the tree (the build directory too, timestamps kept, so make has little to do)
# (never the test outputs: $OUT, this copy's destination, may be inside the tree)
(cd "$ROOT" && tar --exclude=./.git --exclude='./tests/out*' --exclude=./generated \
   --exclude=./build-san --exclude="./${OUT#"$ROOT"/}" -cf - .) | (cd "$COPY" && tar xf -)
if make -C "$COPY" -j2 >"$OUT/copy-make.log" 2>&1 &&
    make -C "$COPY" install PREFIX=/opt/mmcc DESTDIR="$P" >"$OUT/install.log" 2>&1; then
  ok install_runs
else
  fail install_runs "$(tail -n 3 "$OUT/copy-make.log" "$OUT/install.log" | tr '\n' ' ')"
fi
I=$P/opt/mmcc
[ -x "$I/bin/mmcc" ] && [ -f "$I/share/mmcc/templates/common.m4" ] &&
  [ -f "$I/share/mmcc/runtime/mmrt.h" ] && [ -f "$I/share/mmcc/examples/classify/Makefile" ] &&
  ok install_layout || fail install_layout "$(cd "$P" && find . -maxdepth 5 | head -20 | tr '\n' ' ')"
rm -rf "$COPY"
mkdir -p "$OUT/elsewhere"
if (cd "$OUT/elsewhere" && env -u MMCC_SHARE_DIR "$I/bin/mmcc" build "$TB/tiny-a.py" \
      --weights random:2 --out lib) >"$OUT/inst-build.log" 2>&1 &&
    [ -f "$OUT/elsewhere/lib/tiny-a/libtiny_a.a" ]; then
  ok installed_mmcc_builds_without_tree
  if (cd "$OUT/elsewhere" && env -u MMCC_SHARE_DIR "$I/bin/mmcc" run lib/tiny-a "$G/img.ppm") \
      >"$OUT/inst-run.log" 2>&1 && grep -q 'class' "$OUT/inst-run.log"; then
    ok installed_mmcc_runs
  else
    fail installed_mmcc_runs "$(tail -n 3 "$OUT/inst-run.log" | tr '\n' ' ')"
  fi
else
  fail installed_mmcc_builds_without_tree "$(tail -n 3 "$OUT/inst-build.log" | tr '\n' ' ')"
  fail installed_mmcc_runs "no library"
fi
# the executable alone, without its data: an error naming where it looked and the variable
mkdir -p "$OUT/lonely/bin"
cp "$I/bin/mmcc" "$OUT/lonely/bin/" 2>/dev/null
expect_error data_missing_names_dirs_and_env "$OUT/lonely/share/mmcc.*MMCC_SHARE_DIR" \
  env -u MMCC_SHARE_DIR "$OUT/lonely/bin/mmcc" build "$TB/tiny-a.py" --weights random --out "$OUT/lonely/out"
[ ! -e "$OUT/lonely/out" ] && ok data_missing_no_output || fail data_missing_no_output "output left"
expect_error share_env_wrong_names_it "/nonexistent-share.*MMCC_SHARE_DIR" \
  env MMCC_SHARE_DIR=/nonexistent-share "$MMCC" build "$TB/tiny-a.py" --weights random --out "$OUT/lonely/out"
if MMCC_SHARE_DIR="$I/share/mmcc" "$OUT/lonely/bin/mmcc" build "$TB/tiny-a.py" --weights random \
    --no-build --out "$OUT/lonely/out2" >"$OUT/env.log" 2>&1; then ok share_env_used
else fail share_env_used "$(tail -n 2 "$OUT/env.log" | tr '\n' ' ')"; fi
"$MMCC" --help 2>&1 | grep -q MMCC_SHARE_DIR && grep -q MMCC_SHARE_DIR "$ROOT/README.md" &&
  ok share_env_documented || fail share_env_documented "not in mmcc --help or README.md"
make -C "$ROOT" uninstall PREFIX=/opt/mmcc DESTDIR="$P" >"$OUT/uninstall.log" 2>&1
[ ! -e "$I/bin/mmcc" ] && [ ! -e "$I/share/mmcc" ] && ok uninstall ||
  fail uninstall "$(cd "$P" && find . | head | tr '\n' ' ')"
# }==================================================================

# {================================================================== 2-4. pkg-config, disk, run
A=$G/a/tiny-a
if "$MMCC" build "$TB/tiny-a.py" --weights random:5 --out "$G/a" >"$G/a.log" 2>&1; then
  ok build_tiny_a
else
  fail build_tiny_a "$(grep -m3 error "$G/a.log" | tr '\n' ' ')"
fi
cat >"$G/app.c" <<'EOF'
#include <stdio.h>
#include "tiny_a.h"
static float ws[TINY_A_WORKSPACE_BYTES / sizeof(float)] __attribute__((aligned(64)));
static float in[TINY_A_INPUT_CHANNELS * TINY_A_INPUT_HEIGHT * TINY_A_INPUT_WIDTH];
int main(void) {
  float logits[TINY_A_NUM_CLASSES];
  int rc = tiny_a_forward(in, 1, logits, ws, 2);
  printf("rc %d logit0 %g\n", rc, logits[0]);
  return rc != 0;
}
EOF
# the README's line, verbatim apart from the directory and -o (PKG_CONFIG_PATH set only for
# pkg-config: the command substitution runs before cc)
if (cd "$G" && unset PKG_CONFIG_PATH && cc app.c $(PKG_CONFIG_PATH=$A pkg-config --cflags --libs tiny_a) -o app) \
    >"$G/pc.log" 2>&1 && "$G/app" >>"$G/pc.log" 2>&1; then
  ok pkg_config_line_links_and_runs
else
  fail pkg_config_line_links_and_runs "$(tail -n 3 "$G/pc.log" | tr '\n' ' ')"
fi
grep -q '^Libs:.*-ltiny_a -lm -lpthread' "$A/tiny_a.pc" && ok pkg_config_libs_complete ||
  fail pkg_config_libs_complete "$(grep '^Libs' "$A/tiny_a.pc")"
grep -q 'cc app.c $(PKG_CONFIG_PATH=<this directory> pkg-config --cflags --libs tiny_a)' "$A/tiny_a.h" &&
  grep -q -F 'cc app.c $(PKG_CONFIG_PATH=generated/<name> pkg-config --cflags --libs <id>)' "$ROOT/README.md" &&
  ok pkg_config_documented || fail pkg_config_documented "not in the header or README.md"

# disk: weights once (in the archive), no objects; --keep-sources keeps them
objs=$(find "$A" -name '*.o' ! -path '*/src/blis/*' | wc -l)
[ ! -e "$A/src/weights.bin" ] && [ "$objs" -eq 0 ] && ok weights_kept_once ||
  fail weights_kept_once "weights.bin present or $objs objects"
make -C "$A" >"$G/remake.log" 2>&1
grep -q 'not kept.*--keep-sources' "$G/remake.log" && ok trimmed_makefile_explains ||
  fail trimmed_makefile_explains "$(tail -n 2 "$G/remake.log" | tr '\n' ' ')"
if "$MMCC" build "$TB/tiny-a.py" --weights random:5 --keep-sources --out "$G/k" >"$G/k.log" 2>&1 &&
    [ -s "$G/k/tiny-a/src/weights.bin" ] && cmp -s "$G/k/tiny-a/libtiny_a.a" "$A/libtiny_a.a" &&
    touch "$G/k/tiny-a/src/model.c" && make -C "$G/k/tiny-a" >"$G/k.make" 2>&1; then
  ok keep_sources_keeps_and_remakes
else
  fail keep_sources_keeps_and_remakes "$(tail -n 2 "$G/k.log" "$G/k.make" 2>/dev/null | tr '\n' ' ')"
fi

# mmcc run on synthetic weights: a warning on every run; none for a checkpoint's library
for n in 1 2; do
  "$MMCC" run "$A" "$G/img.ppm" >"$G/run$n.out" 2>"$G/run$n.err"
done
grep -q 'SYNTHETIC WEIGHTS' "$G/run1.err" && grep -q 'SYNTHETIC WEIGHTS' "$G/run2.err" &&
  grep -q 'synthetic weights' "$G/run1.out" && ok run_warns_synthetic_every_run ||
  fail run_warns_synthetic_every_run "$(head -c 300 "$G/run2.err")"
CK=$G/tiny-a.pth
if "$PY" "$ROOT/tests/py/make_model_ckpt.py" "$TB/tiny-a.py" "$CK" --seed 3 >"$G/ck.log" 2>&1 &&
    "$MMCC" build "$TB/tiny-a.py" --checkpoint "$CK" --no-verify --out "$G/ck" >>"$G/ck.log" 2>&1 &&
    "$MMCC" run "$G/ck/tiny-a" "$G/img.ppm" >"$G/runck.out" 2>"$G/runck.err"; then
  ! grep -qi 'synthetic' "$G/runck.err" "$G/runck.out" && ok run_no_warning_for_checkpoint ||
    fail run_no_warning_for_checkpoint "warned for a checkpoint's library"
else
  fail run_no_warning_for_checkpoint "$(tail -n 3 "$G/ck.log" "$G/runck.err" 2>/dev/null | tr '\n' ' ')"
fi
# }==================================================================

# {================================================================== 5. errors
mkdir -p "$G/dir.py" "$G/dir.yml"
expect_error config_dir_is_directory "dir\.py.*is a directory" "$SAN" config "$G/dir.py"
expect_error build_config_dir_is_directory "dir\.py.*is a directory" "$SAN" build "$G/dir.py" --weights random --out "$G/x"
expect_error metafile_dir_is_directory "dir\.yml.*is a directory" "$SAN" list "$G/dir.yml"
expect_error inspect_metafile_dir_is_directory "dir\.yml.*is a directory" "$SAN" inspect "$G/dir.yml" tiny-a
expect_error image_dir_is_directory "is a directory" "$MMCC" run "$A" "$G/dir.py"
grep -q '9223372036854775807' "$OUT/last.err" && fail image_dir_no_huge_size "$(head -c 200 "$OUT/last.err")" ||
  ok image_dir_no_huge_size
expect_error run_missing_dir "nosuch.*[Nn]o such file or directory" "$SAN" run "$G/nosuch" "$G/img.ppm"
# the SYNTHETIC WEIGHTS warning comes only after the arguments and the model are validated
expect_status usage_error_exit_2 2 "$MMCC" build "$TB/tiny-a.py" --weights random --target pdp11
! grep -q SYNTHETIC "$OUT/last.err" && ok no_warning_on_usage_error || fail no_warning_on_usage_error "warned first"
expect_error unknown_model_suggests "did you mean 'tiny-a'" "$SAN" build "$TB/metafile.yml" tiny-aa --weights random --root "$TB" --out "$G/x"
! grep -q SYNTHETIC "$OUT/last.err" && ok no_warning_on_unknown_model || fail no_warning_on_unknown_model "warned first"
expect_error unknown_model_suggests_inspect "did you mean 'clip-vit-base-p16_openai-pre_3rdparty_in1k'" \
  "$SAN" inspect "$ROOT/configs/clip/metafile.yml" clip-vit-base-p16_openai-pre_3rdparty_inlk
expect_error missing_config_no_warning "no-such\.py" "$MMCC" build "$TB/no-such.py" --weights random --out "$G/x"
! grep -q SYNTHETIC "$OUT/last.err" && ok no_warning_on_missing_config || fail no_warning_on_missing_config "warned first"
[ ! -e "$G/x" ] && ok errors_leave_no_output || fail errors_leave_no_output "$(ls -A "$G/x")"
"$MMCC" list --help | grep -q 'exit status' && "$MMCC" inspect --help | grep -q 'exit status' &&
  ok help_exit_status || fail help_exit_status "list/inspect --help lack the exit-status line"
# }==================================================================

# {================================================================== 6. --all in parallel
expect_status jobs_bad_value 2 "$MMCC" build "$TB/metafile.yml" --all --weights random -j 0
if "$MMCC" build "$TB/metafile.yml" --all --weights random --root "$TB" -j 2 --out "$G/all" \
    >"$G/all.log" 2>&1; then
  [ -f "$G/all/tiny-a/libtiny_a.a" ] && [ -f "$G/all/tiny-b/libtiny_b.a" ] && ok all_parallel_builds ||
    fail all_parallel_builds "libraries missing"
  [ "$(grep -c -E '^mmcc: \[[12]/2\] tiny-[ab]: built in [0-9.]+ s$' "$G/all.log")" -eq 2 ] &&
    ! grep -q 'compiling' "$G/all.log" && ok all_one_line_per_model ||
    fail all_one_line_per_model "$(tr '\n' '|' <"$G/all.log" | head -c 400)"
  grep -q '2 at a time' "$G/all.log" && ok all_runs_two_at_once || fail all_runs_two_at_once "not 2 at a time"
else
  fail all_parallel_builds "$(tail -n 3 "$G/all.log" | tr '\n' ' ')"
  fail all_one_line_per_model "build failed"
  fail all_runs_two_at_once "build failed"
fi
left=$(find "$G/all" -maxdepth 1 -name '*.tmp.*' 2>/dev/null)
[ -z "$left" ] && ok all_no_staging_left || fail all_no_staging_left "$left"
# a failing variant is reported with its log, the others still built
if CC=false "$MMCC" build "$TB/metafile.yml" --all --weights random --root "$TB" -j 2 --out "$G/allf" \
    >"$G/allf.log" 2>&1; then
  fail all_failure_reported "succeeded with CC=false"
else
  [ "$(grep -c 'FAILED in' "$G/allf.log")" -eq 2 ] && grep -q 'error' "$G/allf.log" &&
    [ -z "$(ls -A "$G/allf" 2>/dev/null)" ] && ok all_failure_reported ||
    fail all_failure_reported "$(tail -n 3 "$G/allf.log" | tr '\n' ' ')"
fi
# }==================================================================

# {================================================================== 7. interrupted builds
# A C compiler that sleeps makes the build last seconds, so it can be killed while
# preparing, while packing and while make runs. (The generated Makefile honours $CC.)
cat >"$G/slowcc" <<'EOF'
#!/bin/sh
sleep 3
exec cc "$@"
EOF
chmod +x "$G/slowcc"
cp -a "$A/.." "$G/prev"   # the previous output: $G/prev/tiny-a
cp -a "$G/prev" "$G/prev.ref"
# interrupt SIG DELAY: starts a build over $G/prev, kills it after DELAY s (or "make": while
# make runs)
interrupt() {
  local sig=$1 delay=$2 n="interrupt_${1}_after_${2}"
  # job control on: the build gets its own process group and SIGINT is not ignored, as for a
  # command typed at a terminal (a script's background jobs ignore SIGINT, and mmcc keeps
  # that); env --default-signal also undoes an ignored SIGINT inherited by this suite (a
  # test run started in the background by a non-interactive shell)
  set -m
  CC=$G/slowcc env --default-signal=INT "$MMCC" build "$TB/tiny-a.py" --weights random:9 --out "$G/prev" >"$G/int.log" 2>&1 &
  local pid=$!
  set +m
  if [ "$delay" = make ]; then  # once make runs (its first compile sleeps 3 s)
    for _ in $(seq 100); do grep -q 'compiling' "$G/int.log" && break; sleep 0.2; done
    sleep 0.5
  else
    sleep "$delay"
  fi
  kill -s "$sig" "$pid"
  wait "$pid"; local rc=$?
  sleep 0.3
  local why=""
  [ $rc -ge 128 ] || why="exit $rc (not killed by the signal: finished before?)"
  diff -r "$G/prev.ref" "$G/prev" >"$G/int.diff" 2>&1 || why="$why previous output changed: $(head -c 200 "$G/int.diff")"
  left=$(find "$G/prev" -maxdepth 1 -name '*.tmp.*')
  [ -z "$left" ] || why="$why staging left: $left"
  pgrep -f "$G/slowcc" >/dev/null && why="$why compiler processes left"
  if [ -z "$why" ]; then ok "$n"; else fail "$n" "$why"; fi
}
interrupt INT 0.2
interrupt TERM 1
interrupt INT make
grep -q 'compiling' "$G/int.log" && ok interrupt_reached_make ||
  fail interrupt_reached_make "the interrupt came before make: $(tail -n 2 "$G/int.log" | tr '\n' ' ')"
interrupt TERM make
# --all with two workers: both stopped, both previous outputs kept
if [ -d "$G/all/tiny-a" ] && cp -a "$G/all" "$G/all.ref"; then
  set -m
  CC=$G/slowcc env --default-signal=INT "$MMCC" build "$TB/metafile.yml" --all --weights random:9 --root "$TB" -j 2 \
    --out "$G/all" >"$G/int-all.log" 2>&1 &
  pid=$!
  set +m
  for _ in $(seq 100); do grep -q 'variants' "$G/int-all.log" && break; sleep 0.2; done
  sleep 2
  kill -s INT "$pid"
  wait "$pid"; rc=$?
  sleep 0.3
  why=""
  [ $rc -ge 128 ] || why="exit $rc (not killed by the signal)"
  diff -r "$G/all.ref" "$G/all" >"$G/int-all.diff" 2>&1 || why="$why previous output changed"
  left=$(find "$G/all" -maxdepth 1 -name '*.tmp.*')
  [ -z "$left" ] || why="$why staging left: $left"
  pgrep -f "$G/slowcc" >/dev/null && why="$why compiler processes left"
  if [ -z "$why" ]; then ok interrupt_all_parallel; else fail interrupt_all_parallel "$why"; fi
else
  fail interrupt_all_parallel "no previous --all output"
fi
# }==================================================================

# Disk: what passed is removed (logs stay); a failure keeps everything for a look.
if [ "$FAILED" -eq 0 ]; then
  rm -rf "$G" "$P" "$OUT/elsewhere" "$OUT/lonely"
fi
exit 0
