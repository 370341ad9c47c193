# Resize kinds of the ViT and ResNet families' test pipelines (issue 10's preprocessing, issue 8's
# ViT pipelines): OpenCV's cv2.resize INTER_LINEAR (the ResizeEdge default), Pillow bilinear,
# ResizeEdge width/height/long, mmcv Resize(scale) without keep_ratio, CIFAR's no-resize.
# References: python3-opencv's cv2.resize and Pillow themselves (tests/preprocess/
# check_resample.py), tests/py/pipeline_ref.py for whole pipelines (check_families.py), and
# libraries from 'mmcc build' against pipeline_ref reading the same configs (check_lib_pipeline.py).
# Config errors: exit 1 and file:line:col naming the transform key, also under ASan/UBSan.
source "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 1
T=tests/preprocess
C=$T/configs
CC=${CC:-cc}
STD="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
GOOD=(resnet-cv2 v1c-pil-bilinear deit-fixed edge-height cifar)
BAD=(bad-keep-ratio bad-scale-factor bad-fixed-crop bad-edge bad-cv2-nearest bad-resize-no-scale)
LIBS=(resnet-cv2 v1c-pil-bilinear deit-fixed cifar)
# W H pairs fed to each library: both orientations, 1x1, a 1-row-like strip, the crop size,
# CIFAR's 32x32, a big photo
IMGS=(400 300 300 400 1 1 333 2 40 32 32 32 1200 1600)
NIMG=$(( ${#IMGS[@]} / 2 ))

R=$("$PY" $T/check_resample.py --count) || R=0
F=$("$PY" $T/check_families.py --count) || F=0
plan "$(( 1 + R + 2 * F + 2 * ${#GOOD[@]} + 2 * ${#BAD[@]} + 2 + ${#LIBS[@]} * (1 + NIMG) ))"

# skip_n NAME N WHY: N skip lines (checks that could not run)
skip_n() { local i; for ((i = 0; i < $2; i++)); do skip "$1-$i" "$3"; done; }

# ---- the resamplers against cv2 / Pillow, and the family pipelines against pipeline_ref --------
if $CC $STD -O2 -o "$OUT/ppdrv" $T/ppdrv.c -lm 2>"$OUT/build.err" &&
   $CC $STD $SAN -o "$OUT/ppdrv-san" $T/ppdrv.c -lm 2>>"$OUT/build.err"; then
  ok build-ppdrv
  run_checker resample "$R" "$PY" $T/check_resample.py "$OUT/ppdrv-san"
  run_checker families "$F" "$PY" $T/check_families.py "$OUT/ppdrv"
  run_checker families-san "$F" "$PY" $T/check_families.py "$OUT/ppdrv-san"
else
  fail build-ppdrv "$(head -c 400 "$OUT/build.err")"
  skip_n resample "$R" "the test driver did not build"
  skip_n families "$((2 * F))" "the test driver did not build"
fi

# ---- the configs: accepted steps (mmcc inspect), refused ones (exit 1, file:line:col) ----------
declare -A WANT=(
  [resnet-cv2]="p['resize'] == dict(scale=40, edge='short', backend='cv2', interpolation='bilinear') and p['crop_size'] == [32, 32] and d['input_size'] == [32, 32] and p['to_rgb']"
  [v1c-pil-bilinear]="p['resize'] == dict(scale=40, edge='short', backend='pillow', interpolation='bilinear') and p['crop_size'] == [32, 32]"
  [deit-fixed]="p['resize']['edge'] == 'fixed' and p['resize']['backend'] == 'pillow' and p['resize']['interpolation'] == 'bicubic' and p['crop_size'] is None and d['input_size'] == [32, 40]"
  [edge-height]="p['resize'] == dict(scale=32, edge='height', backend='cv2', interpolation='bilinear') and p['crop_size'] is None and d['input_size'] == [32, 32]"
  [cifar]="p['resize'] is None and p['crop_size'] is None and not p['to_rgb'] and d['input_size'] == [32, 32] and d['mean'] == [125.307, 122.961, 113.8575]"
)
for mm in "$MMCC" "$MMCC_SAN"; do
  sfx=$([ "$mm" = "$MMCC" ] || echo -san)
  for g in "${GOOD[@]}"; do
    if [ ! -x "$mm" ]; then skip "inspect-$g$sfx" "$mm not built (make san)"; continue; fi
    "$mm" inspect $C/$g.py >"$OUT/$g$sfx.json" 2>"$OUT/$g$sfx.err"; rc=$?
    why=$("$PY" -c "
import json, sys
d = json.load(open(sys.argv[1])); p = d['preprocess']
if not (${WANT[$g]}): print('got', p, d['input_size'])" "$OUT/$g$sfx.json" 2>&1)
    if [ $rc -ne 0 ] || grep -q -E 'Sanitizer|runtime error' "$OUT/$g$sfx.err"; then
      fail "inspect-$g$sfx" "exit $rc: $(head -c 300 "$OUT/$g$sfx.err")"
    elif [ -n "$why" ]; then fail "inspect-$g$sfx" "$(echo "$why" | tail -n 2 | tr '\n' ' ')"
    else ok "inspect-$g$sfx"; fi
  done
  E="$C/bad"
  if [ ! -x "$mm" ]; then skip_n "refuse$sfx" "${#BAD[@]}" "$mm not built (make san)"; continue; fi
  expect_error "refuse-keep-ratio$sfx" "$E-keep-ratio\.py:5:[0-9]+: error: Resize keep_ratio=True is not supported" "$mm" inspect $E-keep-ratio.py
  expect_error "refuse-scale-factor$sfx" "$E-scale-factor\.py:5:[0-9]+: error: Resize with scale_factor is not supported" "$mm" inspect $E-scale-factor.py
  expect_error "refuse-fixed-then-crop$sfx" "$E-fixed-crop\.py:6:[0-9]+: error: CenterCrop after Resize\(scale=\.\.\.\) is not supported" "$mm" inspect $E-fixed-crop.py
  expect_error "refuse-edge$sfx" "$E-edge\.py:5:[0-9]+: error: resize edge 'diagonal' is not supported; supported: short, long, width, height" "$mm" inspect $E-edge.py
  expect_error "refuse-cv2-nearest$sfx" "$E-cv2-nearest\.py:5:[0-9]+: error: ResizeEdge with backend='cv2', interpolation='nearest' is not supported; mmcc implements backend='pillow' with interpolation 'bicubic' or 'bilinear', and backend='cv2' with interpolation 'bilinear'" "$mm" inspect $E-cv2-nearest.py
  expect_error "refuse-resize-no-scale$sfx" "$E-resize-no-scale\.py:5:[0-9]+: error: Resize needs 'scale'" "$mm" inspect $E-resize-no-scale.py
done

# --input-size with a fixed-size Resize: the resize follows the new input size (no crop to adapt)
"$MMCC" inspect $C/deit-fixed.py --input-size 48x64 >"$OUT/adapt.json" 2>"$OUT/adapt.err"
if [ $? -eq 0 ] && grep -q "deit-fixed.py: warning: input size 48x64 (HxW) differs from the test pipeline's output: the compiled test pipeline was adapted from (resize to 32x40, no crop) to (resize to 48x64, no crop)" "$OUT/adapt.err" &&
   "$PY" -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (d['input_size'] == [48, 64] and d['preprocess']['resize']['edge'] == 'fixed' and d['preprocess']['crop_size'] is None))" "$OUT/adapt.json"; then
  ok input-size-fixed-resize
else
  fail input-size-fixed-resize "$(head -c 300 "$OUT/adapt.err")"
fi
# the code generator's path for the new defines under ASan/UBSan
if [ -x "$MMCC_SAN" ]; then
  "$MMCC_SAN" build $C/resnet-cv2.py --weights random --out "$OUT/lib-san" >"$OUT/san-build.log" 2>&1; rc=$?
  if [ $rc -ne 0 ] || grep -q -E 'Sanitizer|runtime error' "$OUT/san-build.log"; then
    fail build-sanitized "exit $rc: $(grep -m1 -E 'Sanitizer|runtime error|error' "$OUT/san-build.log")"
  elif ! grep -q 'resize_method = MMRT_RESIZE_CV2_LINEAR' "$OUT/lib-san/resnet-cv2/src/api.c"; then
    fail build-sanitized "api.c does not select MMRT_RESIZE_CV2_LINEAR"
  else ok build-sanitized; fi
else
  skip build-sanitized "$MMCC_SAN not built (make san)"
fi

# ---- generated libraries (mmcc build, random weights) against pipeline_ref ----------------------
for l in "${LIBS[@]}"; do
  id=${l//-/_}; idu=${id^^}; D="$OUT/lib/$l"
  if "$MMCC" build $C/$l.py --weights random --out "$OUT/lib" >"$OUT/$l.build" 2>&1 &&
     "$MMCC" config $C/$l.py >"$OUT/$l.json" 2>>"$OUT/$l.build" &&
     sed -e "s/@IDU@/$idu/g" -e "s/@ID@/$id/g" $T/e2e_drv.c.in >"$OUT/$l-drv.c" &&
     $CC -std=c11 -Wall -Werror -o "$OUT/$l-drv" "$OUT/$l-drv.c" -I"$D" "$D/lib$id.a" -lm -lpthread >>"$OUT/$l.build" 2>&1; then
    ok "e2e-build-$l"
    h=$(sed -n "s/^#define ${idu}_INPUT_HEIGHT \([0-9]*\)$/\1/p" "$D/$id.h")
    w=$(sed -n "s/^#define ${idu}_INPUT_WIDTH \([0-9]*\)$/\1/p" "$D/$id.h")
    "$OUT/$l-drv" "$OUT/$l.f32" "${IMGS[@]}" >"$OUT/$l.rc" 2>"$OUT/$l.drv.err"
    run_checker "e2e-$l" "$NIMG" "$PY" $T/check_lib_pipeline.py "e2e-$l" "$OUT/$l.json" "$OUT/$l.rc" \
      "$OUT/$l.f32" "$h" "$w" "${IMGS[@]}"
  else
    fail "e2e-build-$l" "$(grep -m2 -E 'error' "$OUT/$l.build" | head -c 400)"
    skip_n "e2e-$l" "$NIMG" "the library did not build"
  fi
done
exit 0
