# cost: 115 (seconds alone; tests/run starts the costliest suites first)
# Compiled test pipeline (runtime/mmrt_preprocess.c), ImageNet class names, the example
# product examples/classify (image decoding, EXIF) and 'mmcc run'. References: Pillow
# (resize), tests/py/pipeline_ref.py (mmpretrain's pipeline), OpenCV (decoding), numpy (top-k),
# upstream's class list (its sha256). With real generated libraries (mmcc build), also the
# end-to-end logits against tests/py/vit_ref.py.
source "$ROOT/tests/lib.sh"
T="$ROOT/tests/preprocess"
# The check lines each checker prints (its case lists; run_checker fails a checker that prints
# another number), and the plan: their sum plus the suite's own 9 checks.
N_BAD=27 N_RESIZE=112 N_PIPELINE_BIG=228 N_TOPK=6 N_DECODE=50 N_CLASSIFY=34
N_E2E=$(( 3 * 3 * 2 ))   # 2 models (5 with MMCC_TEST_FULL=1) x 3 images x 3 checks
[ -n "${MMCC_TEST_FULL:-}" ] && N_E2E=$(( 3 * 3 * 5 ))
plan $(( N_BAD + N_RESIZE + N_PIPELINE_BIG + N_TOPK + N_DECODE + N_CLASSIFY + N_E2E + 9 ))
CC=${CC:-cc}
STD="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# ---- drivers -------------------------------------------------------------------------------
if ! $CC $STD -O2 -o "$OUT/ppdrv" "$T/ppdrv.c" -lm 2>"$OUT/build.err" ||
   ! $CC $STD $SAN -o "$OUT/ppdrv-san" "$T/ppdrv.c" -lm 2>>"$OUT/build.err"; then
  fail build-ppdrv "$(head -c 400 "$OUT/build.err")"
  exit 1
fi
ok build-ppdrv

# ---- bad arguments (sanitized) --------------------------------------------------------------
run_checker bad-arguments "$N_BAD" "$OUT/ppdrv-san" bad

# ---- resize vs Pillow, pipeline vs pipeline_ref, top-k vs numpy -----------------------------
run_checker resize "$N_RESIZE" "$PY" "$T/check_resize.py" "$OUT/ppdrv-san"
run_checker pipeline "$N_PIPELINE_BIG" "$PY" "$T/check_pipeline.py" "$OUT/ppdrv" --big
# the same sweep with the sanitized driver (workspace of exactly the documented size)
"$PY" "$T/check_pipeline.py" "$OUT/ppdrv-san" >"$OUT/pipeline-san.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -q '^FAIL' "$OUT/pipeline-san.out" || ! grep -q '^ok' "$OUT/pipeline-san.out"; then
  fail pipeline-sanitized "$(grep -m3 '^FAIL\|Error' "$OUT/pipeline-san.out" | tr '\n' ' ')"
else
  ok "pipeline-sanitized ($(grep -c '^ok' "$OUT/pipeline-san.out") cases)"
fi
run_checker topk "$N_TOPK" "$PY" "$T/check_topk.py" "$OUT/ppdrv-san"

# ---- ImageNet-1k class names ------------------------------------------------------------------
cat >"$OUT/classes.c" <<'EOF'
#include <stdio.h>
#include "mmrt_preprocess.h"
int main(void) {
  for (int i = 0; i < 1000; i++) printf("%s%s", i ? "\n" : "", mmrt_imagenet1k_classes[i]);
  return 0;
}
EOF
if $CC $STD -I"$ROOT/runtime" -o "$OUT/classes" "$OUT/classes.c" "$ROOT/runtime/imagenet1k_classes.c" 2>"$OUT/classes.err"; then
  # sha256 of '\n'.join(IMAGENET_CATEGORIES), mmpretrain v1.2.0 datasets/categories.py
  # (the same list as mmcls 0.x's ImageNet.CLASSES)
  want=a40d9be82eb4738becd1dd69991b89f87f309975e860a6f3f45395d8c06a7e0d
  got=$("$OUT/classes" | sha256sum | cut -d' ' -f1)
  if [ "$got" = "$want" ] && [ "$("$OUT/classes" | head -n1)" = "tench, Tinca tinca" ]; then
    ok imagenet1k-class-names
  else
    fail imagenet1k-class-names "sha256 $got, wanted $want (mmpretrain's IMAGENET_CATEGORIES)"
  fi
else
  fail imagenet1k-class-names "build: $(head -c 300 "$OUT/classes.err")"
fi

# ---- image decoding vs OpenCV (sanitized decoder) --------------------------------------------
if make -s -C "$ROOT/examples/classify" imgdump O="$OUT" CC="$CC" CFLAGS="$SAN -Werror" \
     LDFLAGS="-fsanitize=address,undefined" >"$OUT/imgdump.build" 2>&1; then
  ok build-imgdump
  run_checker decode "$N_DECODE" "$PY" "$T/check_decode.py" "$OUT/imgdump" "$OUT/decode"
else
  fail build-imgdump "$(head -c 400 "$OUT/imgdump.build")"
fi

# ---- examples/classify against a stand-in library (sanitized), and 'mmcc run' ----------------
M="$OUT/mocklib"
mkdir -p "$M"
cp "$T/mocklib/mock.h" "$T/mocklib/mock.pc" "$M/"
if $CC $STD -O2 -I"$ROOT/runtime" -c -o "$M/mock.o" "$T/mocklib/mock.c" &&
   $CC $STD -O2 -c -o "$M/pre.o" "$ROOT/runtime/mmrt_preprocess.c" &&
   $CC $STD -O2 -c -o "$M/cls.o" "$ROOT/runtime/imagenet1k_classes.c" &&
   ar rcs "$M/libmock.a" "$M/mock.o" "$M/pre.o" "$M/cls.o"; then
  if make -s -C "$ROOT/examples/classify" LIB="$M" ID=mock O="$OUT" CC="$CC" \
       CFLAGS="$SAN -Werror" LDFLAGS="-fsanitize=address,undefined" >"$OUT/classify.build" 2>&1; then
    ok build-classify-via-pkg-config
    run_checker classify "$N_CLASSIFY" "$PY" "$T/check_classify.py" "$OUT/classify" "$OUT/decode" "$MMCC" "$M"
  else
    fail build-classify-via-pkg-config "$(head -c 400 "$OUT/classify.build")"
  fi
else
  fail build-mock-library "cannot build the stand-in library"
fi

# 'mmcc run' under ASan/UBSan (build-san/mmcc; the example itself is built normally)
if [ -x "$MMCC_SAN" ] && [ -f "$M/libmock.a" ]; then
  check mmcc-run-sanitized "$MMCC_SAN" run "$M" "$OUT/decode/orient6.jpg" --top 3 --threads 2
  expect_error mmcc-run-sanitized-bad-image 'truncated JPEG' \
    "$MMCC_SAN" run "$M" "$OUT/decode/bad-truncated-jpeg.img"
  expect_error mmcc-run-sanitized-missing-dir 'error' "$MMCC_SAN" run "$OUT/nonexistent" x.jpg
  expect_status mmcc-run-sanitized-usage 2 "$MMCC_SAN" run "$M" --threads x x.jpg
else
  for n in mmcc-run-sanitized mmcc-run-sanitized-bad-image mmcc-run-sanitized-missing-dir mmcc-run-sanitized-usage; do
    skip "$n" "build-san/mmcc not built (make san) or no stand-in library"
  done
fi

# ---- end to end with libraries from 'mmcc build' ----------------------------------------------
run_checker e2e "$N_E2E" "$PY" "$T/check_e2e.py" "$MMCC" "$OUT/e2e" "$ROOT"
