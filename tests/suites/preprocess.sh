# Compiled test pipeline (runtime/mmrt_preprocess.c), ImageNet class names, the example
# product examples/classify (image decoding, EXIF) and 'mmcc run'. References: Pillow
# (resize), tests/py/pipeline_ref.py (mmpretrain's pipeline), OpenCV (decoding), numpy (top-k),
# upstream's class list (its sha256). With real generated libraries (mmcc build), also the
# end-to-end logits against tests/py/vit_ref.py.
source "$ROOT/tests/lib.sh"
T="$ROOT/tests/preprocess"
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

# relay NAME SCRIPT ARGS: runs a python check, passes its ok/FAIL lines through; a crash of
# the script without a FAIL line is one failure
relay() {
  local name=$1; shift
  "$PY" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  local rc=$?
  cat "$OUT/$name.out"
  if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$OUT/$name.out"; then
    fail "$name" "exit $rc: $(tail -n 5 "$OUT/$name.err" | tr '\n' ' ')"
  fi
}

# ---- bad arguments (sanitized) --------------------------------------------------------------
"$OUT/ppdrv-san" bad >"$OUT/bad.out" 2>"$OUT/bad.err"
rc=$?
cat "$OUT/bad.out"
if grep -q -E 'Sanitizer|runtime error' "$OUT/bad.err"; then
  fail bad-arguments-sanitizer "$(grep -m1 -E 'Sanitizer|runtime error' "$OUT/bad.err")"
elif [ $rc -ne 0 ] && ! grep -q '^FAIL' "$OUT/bad.out"; then
  fail bad-arguments "driver exit $rc: $(tail -n 3 "$OUT/bad.err" | tr '\n' ' ')"
fi

# ---- resize vs Pillow, pipeline vs pipeline_ref, top-k vs numpy -----------------------------
relay resize "$T/check_resize.py" "$OUT/ppdrv-san"
relay pipeline "$T/check_pipeline.py" "$OUT/ppdrv" --big
# the same sweep with the sanitized driver (workspace of exactly the documented size)
"$PY" "$T/check_pipeline.py" "$OUT/ppdrv-san" >"$OUT/pipeline-san.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -q '^FAIL' "$OUT/pipeline-san.out" || ! grep -q '^ok' "$OUT/pipeline-san.out"; then
  fail pipeline-sanitized "$(grep -m3 '^FAIL\|Error' "$OUT/pipeline-san.out" | tr '\n' ' ')"
else
  ok "pipeline-sanitized ($(grep -c '^ok' "$OUT/pipeline-san.out") cases)"
fi
relay topk "$T/check_topk.py" "$OUT/ppdrv-san"

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
  relay decode "$T/check_decode.py" "$OUT/imgdump" "$OUT/decode"
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
    relay classify "$T/check_classify.py" "$OUT/classify" "$OUT/decode" "$MMCC" "$M"
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
  skip mmcc-run-sanitized "build-san/mmcc not built (make san)"
fi

# ---- end to end with libraries from 'mmcc build' ----------------------------------------------
relay e2e "$T/check_e2e.py" "$MMCC" "$OUT/e2e" "$ROOT"
exit 0
