#!/usr/bin/env bash
# build.sh: the mechanics of `mmcc build` and of the libraries it makes (numeric parity is
# tests/suites/codegen.sh's):
#   1. bad arguments (exit 2) and bad input (exit 1, nothing left behind)
#   2. output layout: exactly one header and one archive at the top level, weights embedded
#      with .incbin (never as C text), Makefile, pkg-config file, BLIS licence notice
#   3. only <id>_* symbols global (nm); a product linked with only lib<id>.a -lm -lpthread;
#      two mmcc libraries plus BLIS's own libblis.a in one program
#   4. determinism: identical logits for 1, 2, 3, 5, 16 and 64 threads, never more than
#      MAX_THREADS running (tests/build/threads.c); identical output bytes when the same
#      command runs twice
#   the API's promises (tests/build/api_checks.c): topk's order, softmax, clamps and error
#      codes; class_name for no names, ImageNet's and a checkpoint's; classify's error codes
#   5. atomicity: a failing build leaves no output directory (and no staging directory)
#   6. the generated Makefile rebuilds the library (--no-build, then make with CC/CFLAGS)
#   7. METAFILE --all, --input-size, --target, a bundled CLIP p32 variant (random weights)
set -u
. "$ROOT/tests/lib.sh"

TB=$ROOT/tests/build
CLIP=$ROOT/configs/clip
G=$OUT/gen
mkdir -p "$G"
THREADS="2 3 5 16 64"   # each against 1 thread; 64 is clamped to MAX_THREADS (16)
N_API=12                # the lines api_checks.c prints (its API_CHECKS)
# the plan: 58 fixed checks, one per thread count, api_checks three times (tiny-a without
# class names, tiny-b with ImageNet's, tiny-a from a checkpoint with its own)
plan $(( 58 + $(echo $THREADS | wc -w) + 3 * N_API ))

if [ ! -x "$MMCC" ]; then
  fail build "no $MMCC (run make)"
  exit 0
fi

# {================================================================== 1. arguments
expect_status usage_no_args 2 "$MMCC" build
expect_status usage_unknown_option 2 "$MMCC" build "$TB/tiny-a.py" --weights random --frobnicate
expect_status usage_no_weights 2 "$MMCC" build "$TB/tiny-a.py"
expect_status usage_bad_weights 2 "$MMCC" build "$TB/tiny-a.py" --weights gaussian
expect_status usage_bad_seed 2 "$MMCC" build "$TB/tiny-a.py" --weights random:x1
expect_status usage_both_weights 2 "$MMCC" build "$TB/tiny-a.py" --weights random --checkpoint x.pth
expect_status usage_bad_target 2 "$MMCC" build "$TB/tiny-a.py" --weights random --target pdp11
expect_status usage_bad_input_size 2 "$MMCC" build "$TB/tiny-a.py" --weights random --input-size 0x5
expect_status usage_all_needs_dir 2 "$MMCC" build "$TB/metafile.yml" --all
expect_status usage_metafile_needs_model 2 "$MMCC" build "$TB/metafile.yml" --weights random
expect_status usage_missing_value 2 "$MMCC" build "$TB/tiny-a.py" --out
check help "$MMCC" build --help
expect_error missing_checkpoint "nope\.pth" "$MMCC" build "$TB/tiny-a.py" --checkpoint "$OUT/nope.pth" --out "$G/bad1"
[ ! -e "$G/bad1/tiny-a" ] && ok missing_checkpoint_no_output || fail missing_checkpoint_no_output "output left behind"
expect_error missing_config "no-such\.py" "$MMCC" build "$TB/no-such.py" --weights random --out "$G/bad2"
expect_error unknown_model "no-such-model" "$MMCC" build "$TB/metafile.yml" no-such-model --weights random --root "$TB" --out "$G/bad3"
# }==================================================================

# {================================================================== 2. layout
# build_tiny NAME OUTDIR [options]: mmcc build tests/build/NAME.py with random weights
build_tiny() {
  local name=$1 dir=$2; shift 2
  "$MMCC" build "$TB/$name.py" --weights random:5 --out "$dir" "$@" >"$dir.log" 2>&1
}
A=$G/a/tiny-a
if build_tiny tiny-a "$G/a"; then
  ok build_tiny_a
  grep -q 'SYNTHETIC WEIGHTS' "$G/a.log" && grep -q 'MEANINGLESS' "$G/a.log" &&
    ok random_weights_announced || fail random_weights_announced "no loud warning on stderr"
  grep -q 'packing weights' "$G/a.log" && grep -q 'compiling' "$G/a.log" &&
    ok progress_shown || fail progress_shown "no progress for packing / compiling"
  top=$(cd "$A" && ls)
  nh=$(cd "$A" && ls ./*.h 2>/dev/null | wc -l); na=$(cd "$A" && ls ./*.a 2>/dev/null | wc -l)
  if [ "$nh" -eq 1 ] && [ "$na" -eq 1 ] && [ -f "$A/tiny_a.h" ] && [ -f "$A/libtiny_a.a" ]; then
    ok "layout_one_header_one_archive ($(echo $top))"
  else
    fail layout_one_header_one_archive "top level: $(echo $top)"
  fi
  # the weights are kept once, in the archive (src/weights.bin only with --keep-sources)
  miss=""
  for f in Makefile tiny_a.pc src/model.c src/api.c src/weights.S; do
    [ -s "$A/$f" ] || miss="$miss $f"
  done
  [ -e "$A/src/weights.bin" ] && miss="$miss (and src/weights.bin is kept)"
  [ -z "$miss" ] && ok layout_files || fail layout_files "missing:$miss"
  # BLIS's notice comes with a BLIS kernel object (src/blis/); the default x86_64 target's
  # kernels are mmcc's own (runtime/mmrt_ukr*): then neither is there
  if [ -d "$A/src/blis" ]; then
    grep -q 'BLIS' "$A/LICENSE.blis" && grep -qi 'copyright' "$A/LICENSE.blis" &&
      ok blis_licence || fail blis_licence "LICENSE.blis missing or lacks BLIS's notice"
  else
    [ ! -e "$A/LICENSE.blis" ] && ok "blis_licence (no BLIS code, no BLIS notice)" ||
      fail blis_licence "LICENSE.blis without a BLIS kernel object"
  fi
  grep -q '\.incbin "src/weights.bin"' "$A/src/weights.S" && ok weights_incbin ||
    fail weights_incbin "weights.S does not .incbin weights.bin"
  # no weights as C text: the sources stay small and contain no long float tables
  if [ "$(grep -c -E '([-0-9.e]+f?, *){16}' "$A/src/model.c" "$A/src/api.c" | awk -F: '{s+=$2} END {print s}')" -eq 0 ]; then
    ok no_weights_as_c_text
  else
    fail no_weights_as_c_text "number tables in generated C"
  fi
  # the header: standard includes only, the documented names
  inc=$(grep '^#include' "$A/tiny_a.h" | grep -v -E '<(stddef|stdint)\.h>')
  [ -z "$inc" ] && ok header_standard_includes || fail header_standard_includes "$inc"
  miss=""
  for m in TINY_A_INPUT_CHANNELS TINY_A_INPUT_HEIGHT TINY_A_INPUT_WIDTH TINY_A_NUM_CLASSES \
           TINY_A_WORKSPACE_BYTES TINY_A_MEAN_0 TINY_A_STD_2 TINY_A_RGB TINY_A_BGR \
           TINY_A_MODEL_NAME TINY_A_PARAMETERS; do
    grep -q "#define $m " "$A/tiny_a.h" || miss="$miss $m"
  done
  for f in tiny_a_forward tiny_a_classify_rgb8 tiny_a_preprocess_rgb8 tiny_a_topk tiny_a_class_name; do
    grep -q "$f(" "$A/tiny_a.h" || miss="$miss $f"
  done
  [ -z "$miss" ] && ok header_api || fail header_api "missing:$miss"
  grep -q '#define TINY_A_INPUT_HEIGHT 40$' "$A/tiny_a.h" && ok header_input_is_crop ||
    fail header_input_is_crop "$(grep INPUT_HEIGHT "$A/tiny_a.h")"
  # generated code: named constants, shape comments, front matter without timestamps
  grep -q '#define TOKENS 26 ' "$A/src/model.c" && grep -q 'Generated by mmcc' "$A/src/model.c" &&
    ok generated_code_constants || fail generated_code_constants "no TOKENS constant / front matter"
  ! grep -q -E '20[0-9][0-9]-[01][0-9]-[0-3][0-9]|[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' "$A/src/model.c" "$A/tiny_a.h" &&
    ok no_timestamps || fail no_timestamps "date or time in generated files"
else
  fail build_tiny_a "$(grep -m3 error "$G/a.log" | tr '\n' ' ')"
fi
# }==================================================================

# {================================================================== 3. symbols, product, clash
if [ -f "$A/libtiny_a.a" ]; then
  bad=$(nm -g --defined-only "$A/libtiny_a.a" | awk 'NF == 3 {print $3}' | grep -v '^tiny_a_')
  n=$(nm -g --defined-only "$A/libtiny_a.a" | awk 'NF == 3' | wc -l)
  [ -z "$bad" ] && [ "$n" -eq 6 ] && ok "only_id_symbols_global ($n)" ||
    fail only_id_symbols_global "$n global; not tiny_a_*: $(echo $bad)"
  und=$(nm -u "$A/libtiny_a.a" | awk 'NF == 2 {print $2}' | grep -i -E 'omp|bli_' || true)
  [ -z "$und" ] && ok no_blis_or_openmp_needed || fail no_blis_or_openmp_needed "$(echo $und)"
  prod() {  # DIR ID UP OUTN-MACRO EXE
    cc -std=c11 -O2 -Wall -Wextra -Werror -I"$1" -DLIB_H="\"$2.h\"" -DID="$2" -DUP="$3" \
      -DOUTN="$4" -o "$5" "$TB/product.c" "$1/lib$2.a" -lm -lpthread
  }
  helper() {  # DIR ID UP OUTN-MACRO PROGRAM [LDFLAGS]: tests/build/PROGRAM.c -> $G/PROGRAM-ID
    cc -std=c11 -O2 -Wall -Wextra -Werror -I"$1" -DLIB_H="\"$2.h\"" -DID="$2" -DUP="$3" \
      -DOUTN="$4" -o "$G/$5-$2" "$TB/$5.c" "$1/lib$2.a" -lm -lpthread ${6:-} >"$G/$5-$2.log" 2>&1
  }
  if prod "$A" tiny_a TINY_A TINY_A_NUM_CLASSES "$G/prod_a" >"$G/prod_a.log" 2>&1; then
    ok product_links_with_only_lib_m_pthread
    check product_runs "$G/prod_a" 3 1 "$G/a.t1"
    check product_entry_points "$G/prod_a" --checks
  else
    fail product_links_with_only_lib_m_pthread "$(grep -m3 -E 'error|undefined' "$G/prod_a.log" | tr '\n' ' ')"
  fi
  if helper "$A" tiny_a TINY_A TINY_A_NUM_CLASSES threads -Wl,--wrap=pthread_create; then
    for t in $THREADS; do run_checker "threads_tiny_a_$t" 1 "$G/threads-tiny_a" 3 "$t" "threads_tiny_a_$t"; done
  else
    for t in $THREADS; do fail "threads_tiny_a_$t" "threads.c: $(grep -m3 -E 'error|undefined' "$G/threads-tiny_a.log" | tr '\n' ' ')"; done
  fi
  if helper "$A" tiny_a TINY_A TINY_A_NUM_CLASSES api_checks; then
    run_checker api_none "$N_API" "$G/api_checks-tiny_a" none api_none
  else
    fail api_none "api_checks.c: $(grep -m3 -E 'error|undefined' "$G/api_checks-tiny_a.log" | tr '\n' ' ')"
  fi
  B=$G/b/tiny-b
  if build_tiny tiny-b "$G/b" --target haswell; then
    ok build_tiny_b_haswell
    if prod "$B" tiny_b TINY_B TINY_B_NUM_CLASSES "$G/prod_b" >"$G/prod_b.log" 2>&1 &&
        "$G/prod_b" --checks >"$G/prod_b.checks" 2>&1; then
      grep -q 'tench\|goldfish\|shark\|hen\|ostrich\|[a-z]' "$G/prod_b.checks" &&
        ! grep -q 'no name' "$G/prod_b.checks" && ok class_names_imagenet ||
        fail class_names_imagenet "$(head -c 200 "$G/prod_b.checks")"
    else
      fail class_names_imagenet "$(tail -n 3 "$G/prod_b.log" "$G/prod_b.checks" 2>/dev/null | tr '\n' ' ')"
    fi
    if helper "$B" tiny_b TINY_B TINY_B_NUM_CLASSES api_checks; then
      run_checker api_imagenet "$N_API" "$G/api_checks-tiny_b" imagenet api_imagenet
    else
      fail api_imagenet "api_checks.c: $(grep -m3 -E 'error|undefined' "$G/api_checks-tiny_b.log" | tr '\n' ' ')"
    fi
    BLIS_A=/usr/lib/$(gcc -print-multiarch)/blis-openmp/libblis.a
    if cc -std=c11 -O2 -I"$A" -I"$B" -o "$G/clash" "$TB/clash.c" "$A/libtiny_a.a" "$B/libtiny_b.a" \
        "$BLIS_A" -fopenmp -lm -lpthread >"$G/clash.log" 2>&1 && "$G/clash" >>"$G/clash.log" 2>&1; then
      ok two_libraries_and_static_blis
    else
      fail two_libraries_and_static_blis "$(grep -m3 -E 'multiple|error|undefined' "$G/clash.log" | tr '\n' ' ')"
    fi
    if cc -std=c11 -O2 -I"$A" -I"$B" -o "$G/clash2" -x c - -x none "$A/libtiny_a.a" "$B/libtiny_b.a" \
        -lblis -lm -lpthread >"$G/clash2.log" 2>&1 <<EOF
#include <stdio.h>
#include "tiny_a.h"
#include "tiny_b.h"
const char *bli_info_get_version_str(void);
int main(void) { printf("%s %p %p\n", bli_info_get_version_str(), (void *)tiny_a_forward, (void *)tiny_b_forward); return 0; }
EOF
    then "$G/clash2" >/dev/null 2>&1 && ok two_libraries_and_lblis || fail two_libraries_and_lblis "does not run"
    else fail two_libraries_and_lblis "$(grep -m3 -E 'multiple|error|undefined' "$G/clash2.log" | tr '\n' ' ')"
    fi
  else
    fail build_tiny_b_haswell "$(grep -m3 error "$G/b.log" | tr '\n' ' ')"
  fi
fi
# }==================================================================

# the CPU check the entry points run first (runtime/mmrt_cpu.c): the host's features are
# seen, a feature it lacks (or an unknown one) fails the check
cat >"$G/cpu.c" <<'EOF'
#include <stdio.h>
#include "mmrt.h"
int main(void) {
  int host = mmrt_cpu_supports(__builtin_cpu_supports("avx2") ? "avx2 fma" : "sse4.2");
  int none = mmrt_cpu_supports(""), bogus = mmrt_cpu_supports("avx2 no-such-feature");
  int avx512 = mmrt_cpu_supports("avx512f") == (__builtin_cpu_supports("avx512f") != 0);
  printf("%d %d %d %d\n", host, none, bogus, avx512);
  return !(host == 1 && none == 1 && bogus == 0 && avx512);
}
EOF
if cc -std=c11 -I"$ROOT/runtime" -o "$G/cpu" "$G/cpu.c" "$ROOT/runtime/mmrt_cpu.c" >"$G/cpu.log" 2>&1; then
  check cpu_feature_check "$G/cpu"
else
  fail cpu_feature_check "$(head -c 300 "$G/cpu.log")"
fi
# }==================================================================

# {================================================================== 4-6. determinism, atomicity, Makefile
# the same command twice (same --out): identical bytes, sources, weights and archive alike
build_tiny tiny-a "$G/r" && mv "$G/r" "$G/r1"
if build_tiny tiny-a "$G/r"; then
  if diff -r "$G/r1/tiny-a" "$G/r/tiny-a" >"$G/a2.diff" 2>&1; then
    ok output_regenerates_byte_for_byte
  else
    fail output_regenerates_byte_for_byte "$(head -c 300 "$G/a2.diff")"
  fi
else
  fail output_regenerates_byte_for_byte "mmcc build failed: $(grep -m3 error "$G/r.log" | tr '\n' ' ')"
fi
mkdir -p "$G/atomic"
if CC=false "$MMCC" build "$TB/tiny-a.py" --weights random --out "$G/atomic" >"$G/atomic.log" 2>&1; then
  fail failed_build_leaves_nothing "build with CC=false succeeded"
else
  left=$(ls -A "$G/atomic")
  [ -z "$left" ] && ok failed_build_leaves_nothing || fail failed_build_leaves_nothing "left: $left"
  grep -q 'error' "$G/atomic.log" && ok failed_build_reports || fail failed_build_reports "no error message"
fi
# a failing rebuild keeps the previous good output
cp -r "$G/a" "$G/keep"
CC=false "$MMCC" build "$TB/tiny-a.py" --weights random --out "$G/keep" >/dev/null 2>&1
[ -f "$G/keep/tiny-a/libtiny_a.a" ] && diff -q "$G/keep/tiny-a/libtiny_a.a" "$G/a/tiny-a/libtiny_a.a" >/dev/null &&
  ok failed_rebuild_keeps_old || fail failed_rebuild_keeps_old "previous library gone or changed"
if build_tiny tiny-a "$G/nb" --no-build; then
  N=$G/nb/tiny-a
  if [ ! -e "$N/libtiny_a.a" ] && [ -f "$N/Makefile" ]; then ok no_build_writes_sources
  else fail no_build_writes_sources "archive built or Makefile missing"; fi
  if make -C "$N" CC="cc" CFLAGS="-O1" AR=ar >"$G/nb.make.log" 2>&1 && [ -f "$N/libtiny_a.a" ] &&
      grep -q -- '-O1' "$G/nb.make.log"; then
    ok makefile_honours_cc_cflags_ar
  else
    fail makefile_honours_cc_cflags_ar "$(tail -n 3 "$G/nb.make.log" | tr '\n' ' ')"
  fi
else
  fail no_build_writes_sources "$(grep -m3 error "$G/nb.log" | tr '\n' ' ')"
fi
# }==================================================================

# {================================================================== checkpoints, sanitizers
# a checkpoint is validated as `mmcc check` does: its sha256 against the hash in its name
CK=$G/tiny-a_20240101-deadbeef.pth
if "$PY" "$ROOT/tests/py/make_model_ckpt.py" "$TB/tiny-a.py" "$CK" --seed 3 >"$G/ck.log" 2>&1; then
  expect_error checkpoint_hash_checked "sha256.*deadbeef" "$MMCC" build "$TB/tiny-a.py" --checkpoint "$CK" --out "$G/ck"
  [ ! -e "$G/ck/tiny-a" ] && ok checkpoint_hash_no_output || fail checkpoint_hash_no_output "output left behind"
  # the checkpoint's dataset_meta classes become class_name's table
  if "$MMCC" build "$TB/tiny-a.py" --checkpoint "$CK" --no-verify --out "$G/cknames" >"$G/cknames.log" 2>&1 &&
      helper "$G/cknames/tiny-a" tiny_a TINY_A TINY_A_NUM_CLASSES api_checks; then
    run_checker api_table "$N_API" "$G/api_checks-tiny_a" table api_table
  else
    fail api_table "$(grep -m3 -E 'error|undefined' "$G/cknames.log" "$G/api_checks-tiny_a.log" 2>/dev/null | tr '\n' ' ')"
  fi
  if [ -x "$MMCC_SAN" ]; then
    if "$MMCC_SAN" build "$TB/tiny-a.py" --checkpoint "$CK" --no-verify --out "$G/ck" >"$G/ck.san" 2>&1 &&
        ! grep -q -E 'Sanitizer|runtime error' "$G/ck.san"; then
      grep -q 'sha256: *[0-9a-f]\{64\}' "$G/ck/tiny-a/src/model.c" && ok checkpoint_no_verify_asan_clean ||
        fail checkpoint_no_verify_asan_clean "no checkpoint sha256 in the front matter"
    else
      fail checkpoint_no_verify_asan_clean "$(grep -m3 -E 'Sanitizer|runtime error|error' "$G/ck.san" | tr '\n' ' ')"
    fi
  else
    skip checkpoint_no_verify_asan_clean "no $MMCC_SAN (make san)"
  fi
else
  fail checkpoint_hash_checked "make_model_ckpt.py failed: $(tail -n 2 "$G/ck.log" | tr '\n' ' ')"
fi
# }==================================================================

# {================================================================== 7. forms and sizes
if "$MMCC" build "$TB/metafile.yml" --all --checkpoint-dir "$OUT/none" --root "$TB" --out "$G/all" >"$G/all.log" 2>&1; then
  grep -q 'tiny-a: checkpoint .*tiny-a_20240101-0123abcd.pth not found' "$G/all.log" &&
    grep -q 'tiny-b: no Weights' "$G/all.log" && ok all_reports_missing ||
    fail all_reports_missing "$(tail -n 3 "$G/all.log" | tr '\n' ' ')"
else
  fail all_reports_missing "exit status $?: $(tail -n 2 "$G/all.log" | tr '\n' ' ')"
fi
if "$MMCC" build "$TB/metafile.yml" --all --weights random --root "$TB" --out "$G/all2" >"$G/all2.log" 2>&1 &&
    [ -f "$G/all2/tiny-a/libtiny_a.a" ] && [ -f "$G/all2/tiny-b/libtiny_b.a" ]; then
  grep -q 'TINY_A_TOP1 12.50' "$G/all2/tiny-a/tiny_a.h" && ok all_random_with_card ||
    fail all_random_with_card "metafile card not in the header"
else
  fail all_random_with_card "$(grep -m2 error "$G/all2.log" | tr '\n' ' ')"
fi
if build_tiny tiny-a "$G/sz" --input-size 48x32 --no-build; then
  grep -q '#define TINY_A_INPUT_HEIGHT 48$' "$G/sz/tiny-a/tiny_a.h" &&
    grep -q '#define TINY_A_INPUT_WIDTH 32$' "$G/sz/tiny-a/tiny_a.h" && ok input_size_option ||
    fail input_size_option "$(grep INPUT_ "$G/sz/tiny-a/tiny_a.h" | tr '\n' ' ')"
else
  fail input_size_option "$(grep -m2 error "$G/sz.log")"
fi
# the generic row (BLIS's portable reference kernel, no SIMD requirement) as the reference
# for the optimised default target
if build_tiny tiny-a "$G/gen" --target generic; then
  R=$G/gen/tiny-a
  if prod "$R" tiny_a TINY_A TINY_A_NUM_CLASSES "$G/prod_gen" >"$G/gen.cc.log" 2>&1 &&
      "$G/prod_gen" 3 2 "$G/gen.out" >/dev/null 2>&1 && [ -f "$G/a.t1" ]; then
    run_checker generic_reference_kernel_agrees 1 "$PY" -c "
import sys, numpy as np
a = np.fromfile('$G/gen.out', '<f4'); b = np.fromfile('$G/a.t1', '<f4')
d = abs(a - b).max(); m = abs(a).max()
good = a.size == b.size > 0 and d <= 1e-5 * m
print('ok generic_reference_kernel_agrees (max diff %.3g = %.2g x max |ref|)' % (d, d / m) if good
      else 'FAIL generic_reference_kernel_agrees: max diff %g vs max %g' % (d, m))
sys.exit(0 if good else 1)"
  else
    fail generic_reference_kernel_agrees "$(tail -n 3 "$G/gen.cc.log" | tr '\n' ' ')"
  fi
else
  fail generic_reference_kernel_agrees "mmcc build --target generic: $(grep -m2 error "$G/gen.log" | tr '\n' ' ')"
fi
# the aarch64 row of the target table: cross-build, run under qemu, compare with this host's
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null &&
    [ -f /usr/lib/aarch64-linux-gnu/blis-openmp/libblis.a ]; then
  if build_tiny tiny-a "$G/arm" --target armv8a; then
    R=$G/arm/tiny-a
    if aarch64-linux-gnu-gcc -static -std=c11 -O2 -I"$R" -DLIB_H='"tiny_a.h"' -DID=tiny_a -DUP=TINY_A \
        -DOUTN=TINY_A_NUM_CLASSES -o "$G/prod_arm" "$TB/product.c" "$R/libtiny_a.a" -lm -lpthread \
        >"$G/arm.cc.log" 2>&1 && qemu-aarch64 "$G/prod_arm" 3 2 "$G/arm.out" >/dev/null 2>&1 &&
        [ -f "$G/a.t1" ]; then
      run_checker cross_armv8a_qemu 1 "$PY" -c "
import numpy as np, sys
a = np.fromfile('$G/arm.out', '<f4'); b = np.fromfile('$G/a.t1', '<f4')
d = abs(a - b).max(); m = abs(b).max()
good = a.size == b.size > 0 and d <= 1e-5 * m
print('ok cross_armv8a_qemu (max diff %.3g = %.2g x max |x86|)' % (d, d / m) if good
      else 'FAIL cross_armv8a_qemu: max diff %g vs max %g' % (d, m))
sys.exit(0 if good else 1)"
    else
      fail cross_armv8a_qemu "$(tail -n 3 "$G/arm.cc.log" | tr '\n' ' ')"
    fi
  else
    fail cross_armv8a_qemu "mmcc build --target armv8a: $(grep -m2 error "$G/arm.log" | tr '\n' ' ')"
  fi
else
  skip cross_armv8a_qemu "no aarch64-linux-gnu-gcc, qemu-aarch64 or libblis-openmp-dev:arm64"
fi
# a bundled CLIP variant through its metafile entry, random weights
P32=clip-vit-base-p32_laion2b-in12k-pre_3rdparty_in1k
start=$(date +%s%N)
if "$MMCC" build "$CLIP/metafile.yml" "$P32" --weights random:1 --out "$G/clip" >"$G/clip.log" 2>&1; then
  secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
  C=$G/clip/$P32
  id=$(basename "$(ls "$C"/*.h)" .h); up=$(echo "$id" | tr '[:lower:]' '[:upper:]')
  ok "build_clip_p32 (${secs}s, $(du -b "$C/lib$id.a" | cut -f1) bytes with weights)"
  grep -q "#define ${up}_PARAMETERS 88225000LL" "$C/$id.h" && grep -q "${up}_TOP1 " "$C/$id.h" &&
    ok clip_header_card || fail clip_header_card "$(grep -E 'PARAMETERS|TOP1' "$C/$id.h" | tr '\n' ' ')"
  if prod "$C" "$id" "$up" "${up}_NUM_CLASSES" "$G/prod_clip" >"$G/prod_clip.log" 2>&1; then
    check clip_product_runs "$G/prod_clip" 2 1 "$G/clip.t1"
    bad=""
    for t in 2 3; do
      "$G/prod_clip" 2 "$t" "$G/clip.t$t" >"$G/clip.t$t.log" 2>&1 || bad="$bad $t threads: exit $?;"
      cmp -s "$G/clip.t1" "$G/clip.t$t" || bad="$bad $t threads: logits differ from 1 thread;"
    done
    [ -z "$bad" ] && ok threads_identical_clip_p32 || fail threads_identical_clip_p32 "$bad"
    check clip_logits_sane "$PY" -c "
import numpy as np, sys
x = np.fromfile('$G/clip.t1', dtype='<f4').reshape(2, 1000)
sys.exit(0 if np.isfinite(x).all() and x.std() > 0 and not np.array_equal(x[0], x[1]) else 1)"
  else
    fail clip_product_runs "$(grep -m3 -E 'error|undefined' "$G/prod_clip.log" | tr '\n' ' ')"
  fi
  rm -rf "$G/clip"
else
  fail build_clip_p32 "$(grep -m3 error "$G/clip.log" | tr '\n' ' ')"
fi
# }==================================================================
