#!/usr/bin/env bash
# cost: 433 (seconds alone; tests/run starts the costliest suites first)
# family.sh: numeric parity of `mmcc build` for mmpretrain's ViT family beyond CLIP (issue 8,
# part 2): DistilledVisionTransformer + DeiTClsHead, DeiT3, LinearClsHead, ClsBatchNormNeck,
# featmap/avg_featmap outputs, against the independent PyTorch reference tests/py/vit_ref.py.
#
#   per tiny config (tests/vitfam/tiny/t*.py, tests/codegen/family/f*.py) and per full-size
#   config (deit-tiny distilled, deit3-small, mocov3 vit-small, at 224): a checkpoint in mmpretrain's key layout
#   (tests/py/make_model_ckpt.py), `mmcc build`, tests/codegen/run_model.c linked with only
#   lib<id>.a -lm -lpthread; the header's shapes; logits within 1e-5 x max |ref| at batch 1
#   and 3 (full size: batch 1); and the same bytes for 1, 2 and 3 threads; and for any split
#   of a batch into the library's chunks (9 images at once, against 1 image at once and 3
#   images across a chunk boundary: the same bytes). Tiny configs also
#   go through the ASan/UBSan mmcc (build --no-build, random weights): exit 0, no report.
# The same helpers as codegen.sh (build_lib, parity), kept small here.
set -u
. "$ROOT/tests/lib.sh"

CG=$ROOT/tests/codegen
REFPY=$ROOT/tests/py
V=$ROOT/tests/vitfam
CFLAGS_T="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"

TINY="$(ls "$V"/tiny/t*.py) $(ls "$CG"/family/f*.py)"
# full size: CONFIG (one per backbone type the tiny ones add; small archs to keep CI short)
FULL="$V/configs/deit/deit-tiny-distilled_4xb256_in1k.py
$V/configs/deit3/deit3-small-p16_64xb64_in1k.py
$V/configs/mocov3/benchmarks/vit-small-p16_8xb128-linear-coslr-90e_in1k.py"
n_tiny=$(echo "$TINY" | wc -w)
n_full=$(echo "$FULL" | wc -l)
# tiny: san, build, header, parity n1 n3, threads, chunks; full: build, header, parity n1,
# threads, chunks
plan $(( 7 * n_tiny + 5 * n_full ))

GEN=$OUT/gen; mkdir -p "$GEN"

crop() {  # CONFIG -> "H W" (the test pipeline's crop, read by the reference)
  "$PY" -c "import sys; sys.path.insert(0, '$REFPY'); import vit_ref
print(*vit_ref.crop_size(vit_ref.read_config('$1')))"
}
outdim() {  # CONFIG -> num_classes, or the feature width of a headless model
  "$PY" -c "import sys; sys.path.insert(0, '$REFPY'); import vit_ref
s = vit_ref.Spec(vit_ref.read_config('$1')); print(s.num_classes or s.D)"
}
make_input() {  # FILE N C H W SEED
  "$PY" -c "import numpy as np; r = np.random.RandomState($6)
r.randn($2, $3, $4, $5).astype('<f4').tofile('$1')"
}

build_lib() {  # TAG CONFIG CKPT -> $GEN/TAG.run; 0 on success (prints ok/FAIL build_TAG)
  local tag=$1 cfg=$2 ck=$3 name libdir hdrs id up outm
  name=$(basename "$cfg" .py)
  rm -rf "$GEN/$tag"
  if ! "$MMCC" build "$cfg" --checkpoint "$ck" --out "$GEN/$tag" >"$GEN/$tag.build.log" 2>&1; then
    fail "build_$tag" "mmcc build: $(grep -m2 error "$GEN/$tag.build.log" | tr '\n' ' ')$(tail -n 2 "$GEN/$tag.build.log" | tr '\n' ' ')"
    return 1
  fi
  libdir=$GEN/$tag/$name
  hdrs=$(ls "$libdir"/*.h 2>/dev/null)
  if [ "$(echo "$hdrs" | grep -c .)" -ne 1 ]; then
    fail "build_$tag" "expected exactly one header in $libdir, found: $hdrs"; return 1
  fi
  id=$(basename "$hdrs" .h)
  up=$(echo "$id" | tr '[:lower:]' '[:upper:]')
  outm="${up}_NUM_CLASSES"
  grep -q "#define ${up}_NUM_CLASSES" "$libdir/$id.h" || outm="${up}_OUTPUT_DIM"
  cat >"$GEN/$tag.shim.h" <<EOF
#include "$id.h"
#define M_FORWARD ${id}_forward
#define M_WS ${up}_WORKSPACE_BYTES
#define M_C ${up}_INPUT_CHANNELS
#define M_H ${up}_INPUT_HEIGHT
#define M_W ${up}_INPUT_WIDTH
#define M_OUT $outm
EOF
  if ! cc $CFLAGS_T -I"$libdir" -include "$GEN/$tag.shim.h" -o "$GEN/$tag.run" "$CG/run_model.c" \
      "$libdir/lib$id.a" -lm -lpthread >"$GEN/$tag.cc.log" 2>&1; then
    fail "build_$tag" "driver does not compile/link with lib$id.a -lm -lpthread: $(grep -m3 -E 'error|undefined' "$GEN/$tag.cc.log" | tr '\n' ' ')"
    return 1
  fi
  ok "build_$tag"
}

# chunks TAG H W OUT: a batch of 9 images (more than one chunk: CLIP-size tokens make chunks of
# 5-8 images, tiny ones of 8) against the same images run 1 (images 0, 5, 8) and 3 (6..8:
# across a chunk boundary) at a time, 2 threads: the same bytes.
chunks() {
  local tag=$1 isz=$(( 3 * $2 * $3 * 4 )) osz=$(( $4 * 4 )) why= i k
  make_input "$GEN/$tag.in9" 9 3 "$2" "$3" 9
  if ! "$GEN/$tag.run" "$GEN/$tag.in9" 9 "$GEN/$tag.out9" 2 >/dev/null 2>&1; then
    why="run of 9 images failed"
  else
    for i in "0 1" "5 1" "8 1" "6 3"; do
      read -r i k <<<"$i"
      dd if="$GEN/$tag.in9" of="$GEN/$tag.in9s" bs="$isz" skip="$i" count="$k" 2>/dev/null
      dd if="$GEN/$tag.out9" of="$GEN/$tag.out9s" bs="$osz" skip="$i" count="$k" 2>/dev/null
      if ! "$GEN/$tag.run" "$GEN/$tag.in9s" "$k" "$GEN/$tag.out9k" 2 >/dev/null 2>&1; then
        why="run of $k image(s) failed"; break
      elif ! cmp -s "$GEN/$tag.out9s" "$GEN/$tag.out9k"; then
        why="images $i..$(( i + k - 1 )) run $k at a time differ from the same images in a batch of 9"
        break
      fi
    done
  fi
  if [ -n "$why" ]; then fail "chunks_$tag" "$why"
  else ok "chunks_$tag (batch 9 vs 1 and 3 at a time, 2 threads: identical bytes)"; fi
}

# model TAG CONFIG SEED BATCH...: the checks of one config (5 for two batches, 4 for one)
model() {
  local tag=$1 cfg=$2 seed=$3; shift 3
  local ck=$GEN/$tag.pth H Wd odim c h w o ws nb t last=
  local rest=$(( 3 + $# ))  # header, parity per batch, threads, chunks
  if ! "$PY" "$REFPY/make_model_ckpt.py" "$cfg" "$ck" --seed "$seed" >"$ck.log" 2>&1; then
    fail "build_$tag" "make_model_ckpt.py: $(tail -n 2 "$ck.log" | tr '\n' ' ')"
  elif ! read -r H Wd < <(crop "$cfg") || ! odim=$(outdim "$cfg"); then
    fail "build_$tag" "vit_ref.py cannot read $cfg"
  elif build_lib "$tag" "$cfg" "$ck"; then
    read -r c h w o ws <<<"$("$GEN/$tag.run" --info)"
    if [ "$c $h $w $o" != "3 $H $Wd $odim" ]; then
      fail "header_$tag" "header says C H W OUT = $c $h $w $o, the reference expects 3 $H $Wd $odim"
    else
      ok "header_$tag (input 3x${h}x${w}, output $o, workspace $ws bytes)"
    fi
    for nb in "$@"; do
      make_input "$GEN/$tag.in$nb" "$nb" 3 "$H" "$Wd" "$nb"
      if ! "$PY" "$REFPY/vit_ref.py" "$cfg" "$ck" "$GEN/$tag.in$nb" "$nb" "$GEN/$tag.ref$nb" \
          --input-size "$H" "$Wd" >"$GEN/$tag.ref.log" 2>&1; then
        fail "parity_${tag}_n$nb" "reference failed: $(tail -n 2 "$GEN/$tag.ref.log" | tr '\n' ' ')"
      elif ! "$GEN/$tag.run" "$GEN/$tag.in$nb" "$nb" "$GEN/$tag.out$nb" 1 >"$GEN/$tag.run.log" 2>&1; then
        fail "parity_${tag}_n$nb" "run_model: $(tail -n 2 "$GEN/$tag.run.log" | tr '\n' ' ')"
      else
        run_checker "parity_${tag}_n$nb" 1 "$PY" "$CG/compare.py" "$GEN/$tag.out$nb" \
          "$GEN/$tag.ref$nb" "$nb" "parity_${tag}_n$nb"
        last=$nb
      fi
    done
    # threads: the largest batch that ran, 2 and 3 threads against 1 thread's bytes
    if [ -z "$last" ]; then fail "threads_$tag" "no 1-thread output (reported above)"
    else
      local why=""
      for t in 2 3; do
        if ! "$GEN/$tag.run" "$GEN/$tag.in$last" "$last" "$GEN/$tag.out$last.t$t" "$t" >/dev/null 2>&1; then
          why="run with $t threads failed"; break
        elif ! cmp -s "$GEN/$tag.out$last" "$GEN/$tag.out$last.t$t"; then
          why="output with $t threads differs from 1 thread"; break
        fi
      done
      if [ -n "$why" ]; then fail "threads_$tag" "$why"
      else ok "threads_$tag (batch $last, 1 2 3 threads: identical bytes)"; fi
    fi
    chunks "$tag" "$H" "$Wd" "$odim"
    rm -rf "$ck" "$GEN/$tag"
    return
  fi
  for i in $(seq 1 "$rest"); do skip "after_build_${tag}_$i" "build_$tag failed (reported above)"; done
  rm -rf "$ck" "$GEN/$tag"
}

if [ ! -x "$MMCC" ]; then
  echo "FAIL family: no $MMCC (run make)"
  exit 1
fi
for cfg in $TINY; do
  n=$(basename "$cfg" .py)
  if [ ! -x "$MMCC_SAN" ]; then skip "san_$n" "no sanitized mmcc at $MMCC_SAN (make test builds it)"
  else
    rm -rf "$GEN/san"
    "$MMCC_SAN" build "$cfg" --weights random:3 --out "$GEN/san" --no-build >"$GEN/san.log" 2>&1; rc=$?
    if [ $rc -ne 0 ]; then fail "san_$n" "exit $rc: $(grep -m1 -E 'Sanitizer|runtime error|error' "$GEN/san.log" | head -c 300)"
    elif grep -q -E 'Sanitizer|runtime error' "$GEN/san.log"; then fail "san_$n" "$(grep -m1 -E 'Sanitizer|runtime error' "$GEN/san.log")"
    else ok "san_$n"; fi
    rm -rf "$GEN/san"
  fi
  model "$n" "$cfg" 21 1 3
done
while read -r cfg; do
  start=$(date +%s)
  model "full-$(basename "$cfg" .py)" "$cfg" 31 1
  echo "# full-$(basename "$cfg" .py): $(( $(date +%s) - start ))s"
done <<< "$FULL"
