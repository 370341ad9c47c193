#!/usr/bin/env bash
# cost: 557 (seconds alone; tests/run starts the costliest suites first)
# codegen.sh: weight loading (compiler/weights*.c) and numeric parity of the libraries that
# `mmcc build` generates, against the independent PyTorch reference tests/py/vit_ref.py.
#
#   1. bicubic pos_embed resize vs torch's F.interpolate (bit-exact vs the portable kernel)
#   2. weights_from_checkpoint / weights_random through tests/codegen/weights_dump
#   3. every tiny config in tests/codegen/t*.py: checkpoint (tests/py/make_model_ckpt.py),
#      `mmcc build`, tests/codegen/run_model.c linked with only lib<id>.a -lm -lpthread,
#      batch 1 and 3, logits vs vit_ref.py: max |diff| <= 1e-5 x max |ref| (measured ~1e-6)
#   4. pos_embed grids that differ from img_size's (load-time + forward resize); the targets
#      haswell and generic against the reference; 1, 2, 3, 5, 16 and 64 threads
#   5. sensitivity: the reference with a wrong LayerNorm eps, GELU's tanh form, or the
#      pos_embed resize skipped differs from the right one by more than the tolerance
#   6. full size: bundled configs/clip p32 at 224/384/448 and p16 at 224 with checkpoints
#      shaped like the real ones; all six with MMCC_TEST_FULL=1
set -u
. "$ROOT/tests/lib.sh"

CG=$ROOT/tests/codegen
REFPY=$ROOT/tests/py
CFLAGS_T="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"

# {================================================================== the plan
# counted from the data the sections below loop over
n_t=$(ls "$CG"/t*.py | wc -l)                     # tiny configs
n_bic=$("$PY" "$CG/check_bicubic.py" --count)      # bicubic grid pairs (two modes)
n_full=4; [ "${MMCC_TEST_FULL:-0}" = 1 ] && n_full=6
THREADS="2 3 5 16 64"                              # against 1 thread (64: clamped to 16)
n_weights=$(( 2 * n_t + 2 * 5 + 2 + 2 + 2 + 1 + 6 ))  # ckpt x t*, t02 variants, rect, p32-384, random x 2, asan, errors
# 4 per t* (build, header, parity n1 n3); threads; u10 x 2; grid6 + pos_resize_matters;
# small + ln_eps + gelu; haswell, generic; random; rect (n1 n3); 3 per full model, its
# threads and pos_resize check, and the skip that stands for p16@384/448 without FULL
n_build=$(( 4 * n_t + 1 + 2 + 4 + 5 + 6 + 3 + 4 + 3 * n_full + 1 + 1 + (6 - n_full) / 2 ))
plan $(( 3 + 2 * n_bic + n_weights + n_build ))
# }==================================================================

# {================================================================== drivers
# The compiler's objects (except main.o) as an archive, so a driver pulls in only what it uses.
ar_ok=0
if ls "$ROOT"/build/*.o >/dev/null 2>&1; then
  objs=$(ls "$ROOT"/build/*.o | grep -v '/main\.o$')
  rm -f "$OUT/libmmcc.a"
  if ar rcs "$OUT/libmmcc.a" $objs 2>"$OUT/ar.err"; then ar_ok=1; fi
fi
san_ok=0
if ls "$ROOT"/build-san/*.o >/dev/null 2>&1; then
  objs=$(ls "$ROOT"/build-san/*.o | grep -v '/main\.o$')
  rm -f "$OUT/libmmcc-san.a"
  if ar rcs "$OUT/libmmcc-san.a" $objs 2>"$OUT/ar.err"; then san_ok=1; fi
fi
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
build_driver() {  # NAME SOURCE [san] -> $OUT/NAME
  local name=$1 src=$2 lib=$OUT/libmmcc.a flags=
  if [ "${3:-}" = san ]; then
    lib=$OUT/libmmcc-san.a; flags=$SAN_FLAGS
    if [ $san_ok -ne 1 ]; then fail "build_$name" "no objects in build-san/ (run make san)"; return 1; fi
  elif [ $ar_ok -ne 1 ]; then fail "build_$name" "no compiler objects in build/ (run make)"; return 1; fi
  if cc $CFLAGS_T $flags -I"$ROOT/compiler" -o "$OUT/$name" "$src" "$lib" -lyaml -lm \
      >"$OUT/$name.build.log" 2>&1; then
    ok "build_$name"
  else
    fail "build_$name" "$(grep -m3 -E 'error|undefined' "$OUT/$name.build.log" | tr '\n' ' ')"
    return 1
  fi
}
have_bicubic=0; have_dump=0
build_driver bicubic_driver "$CG/bicubic_driver.c" && have_bicubic=1
build_driver weights_dump "$CG/weights_dump.c" && have_dump=1
have_san=0
build_driver weights_dump_san "$CG/weights_dump.c" san && have_san=1
# }==================================================================

# {================================================================== 1. bicubic
if [ $have_bicubic -eq 1 ]; then
  mkdir -p "$OUT/bicubic"
  ATEN_CPU_CAPABILITY=default run_checker bicubic_exact "$n_bic" "$PY" "$CG/check_bicubic.py" "$OUT/bicubic_driver" "$OUT/bicubic" exact
  run_checker bicubic_native "$n_bic" "$PY" "$CG/check_bicubic.py" "$OUT/bicubic_driver" "$OUT/bicubic" native
else
  skip bicubic "driver did not build (reported above)"
fi
# }==================================================================

# helpers
crop() {  # CONFIG -> "H W" (the test pipeline's square CenterCrop, read by the reference)
  "$PY" -c "import sys; sys.path.insert(0, '$REFPY'); import vit_ref
print(*vit_ref.crop_size(vit_ref.read_config('$1')))"
}
make_input() {  # FILE N C H W SEED
  "$PY" -c "import numpy as np; r = np.random.RandomState($6)
r.randn($2, $3, $4, $5).astype('<f4').tofile('$1')"
}
make_ckpt() {  # CONFIG OUT.pth [options]
  local cfg=$1 out=$2; shift 2
  "$PY" "$REFPY/make_model_ckpt.py" "$cfg" "$out" "$@" >"$out.log" 2>&1
}

# {================================================================== 2. weights
if [ $have_dump -eq 1 ]; then
  W=$OUT/weights; mkdir -p "$W"
  for cfg in "$CG"/t*.py; do
    n=$(basename "$cfg" .py)
    read -r H Wd < <(crop "$cfg")
    make_ckpt "$cfg" "$W/$n.pth" --seed 11 || { fail "weights_$n" "make_model_ckpt failed"; continue; }
    if "$OUT/weights_dump" "$cfg" "$W/$n.pth" "$W/$n.dump" >"$W/$n.log" 2>&1; then
      ATEN_CPU_CAPABILITY=default run_checker "weights_$n" 2 "$PY" "$CG/check_weights.py" ckpt "$cfg" "$W/$n.pth" "$W/$n.dump" "$H" "$Wd" "weights_$n"
    else
      fail "weights_$n" "weights_dump: $(tail -n 3 "$W/$n.log" | tr '\n' ' ')"
    fi
  done
  # checkpoint grids that differ from img_size's, and half-precision checkpoints (the
  # load-time resize result is cast back to the checkpoint dtype, as mmpretrain does)
  cfg=$CG/t02-prenorm-resize.py
  for v in "grid6:--pos-grid 6" "grid3:--pos-grid 3" "f16grid6:--pos-grid 6 --dtype float16" \
           "bf16grid5:--pos-grid 5 --dtype bfloat16" "f16:--dtype float16"; do
    tag=${v%%:*}; opts=${v#*:}
    # shellcheck disable=SC2086
    make_ckpt "$cfg" "$W/t02-$tag.pth" --seed 12 $opts || { fail "weights_t02_$tag" "make_model_ckpt failed"; continue; }
    if "$OUT/weights_dump" "$cfg" "$W/t02-$tag.pth" "$W/t02-$tag.dump" >"$W/t02-$tag.log" 2>&1; then
      ATEN_CPU_CAPABILITY=default run_checker "weights_t02_$tag" 2 "$PY" "$CG/check_weights.py" ckpt "$cfg" "$W/t02-$tag.pth" "$W/t02-$tag.dump" 40 40 "weights_t02_$tag"
    else
      fail "weights_t02_$tag" "weights_dump: $(tail -n 3 "$W/t02-$tag.log" | tr '\n' ' ')"
    fi
  done
  # non-square input grid (5x4) from the square checkpoint (6x6) and img_size (4x4) grids
  if "$OUT/weights_dump" "$cfg" "$W/t02-grid6.pth" "$W/t02-rect.dump" --input-size 40 32 >"$W/t02-rect.log" 2>&1; then
    ATEN_CPU_CAPABILITY=default run_checker weights_t02_rect 2 "$PY" "$CG/check_weights.py" ckpt "$cfg" "$W/t02-grid6.pth" "$W/t02-rect.dump" 40 32 weights_t02_rect
  else
    fail weights_t02_rect "weights_dump: $(tail -n 3 "$W/t02-rect.log" | tr '\n' ' ')"
  fi
  # full size: p32@384 with a real-shaped 1+12x12 pos_embed (12x12 -> 7x7 -> 12x12)
  cfg=$ROOT/configs/clip/vit-base-p32_pt-64xb64_in1k-384px.py
  if make_ckpt "$cfg" "$W/p32-384.pth" --seed 13 --pos-grid 12; then
    if "$OUT/weights_dump" "$cfg" "$W/p32-384.pth" "$W/p32-384.dump" >"$W/p32-384.log" 2>&1; then
      ATEN_CPU_CAPABILITY=default run_checker weights_clip_p32_384 2 "$PY" "$CG/check_weights.py" ckpt "$cfg" "$W/p32-384.pth" "$W/p32-384.dump" 384 384 weights_clip_p32_384
    else
      fail weights_clip_p32_384 "weights_dump: $(tail -n 3 "$W/p32-384.log" | tr '\n' ' ')"
    fi
  else
    fail weights_clip_p32_384 "make_model_ckpt failed"
  fi
  rm -f "$W/p32-384.pth" "$W/p32-384.dump"
  # synthetic weights: sane through a 12-layer ViT
  for cfg in "$CG/t01-d20-p4.py" "$ROOT/configs/clip/vit-base-p16_pt-64xb64_in1k.py"; do
    n=$(basename "$cfg" .py)
    read -r H Wd < <(crop "$cfg")
    if "$OUT/weights_dump" "$cfg" --random 7 "$W/$n.rand" >"$W/$n.rand.log" 2>&1; then
      run_checker "weights_random_$n" 1 "$PY" "$CG/check_weights.py" random "$cfg" "$W/$n.rand" "$H" "$Wd" "weights_random_$n"
    else
      fail "weights_random_$n" "$(tail -n 3 "$W/$n.rand.log" | tr '\n' ' ')"
    fi
    rm -f "$W/$n.rand"
  done
  # bad checkpoints: named tensor, exit 1 (and no sanitizer report, no leak)
  D=$OUT/weights_dump; [ $have_san -eq 1 ] && D=$OUT/weights_dump_san
  if [ $have_san -eq 1 ]; then
    if "$D" "$CG/t02-prenorm-resize.py" "$W/t02-grid6.pth" "$W/san.dump" >"$W/san.log" 2>&1 &&
       ! grep -q -E 'Sanitizer|runtime error' "$W/san.log"; then
      ok weights_asan_clean
    else
      fail weights_asan_clean "$(grep -m2 -E 'Sanitizer|runtime error|error' "$W/san.log" | tr '\n' ' ')"
    fi
  else
    skip weights_asan_clean "weights_dump_san did not build (reported above)"
  fi
  "$PY" -c "import torch; d = torch.load('$W/t02-grid6.pth'); sd = d['state_dict']
sd['backbone.pos_embed'] = sd['backbone.pos_embed'][:, :20]; torch.save(d, '$W/badpos.pth')" ||
    echo "# making badpos.pth failed (weights_bad_pos_grid fails below)"
  expect_error weights_bad_pos_grid "tensor 'backbone\.pos_embed': 20 rows do not form" \
    "$D" "$CG/t02-prenorm-resize.py" "$W/badpos.pth" "$W/x.dump"
  expect_error weights_not_a_checkpoint "not a checkpoint" \
    "$D" "$CG/t02-prenorm-resize.py" "$CG/t02-prenorm-resize.py" "$W/x.dump"
  # weights_from_checkpoint_opts: validation (ckpt_check.h) and sha256 before reading
  cp "$W/t01-d20-p4.pth" "$W/t01_tiny-deadbeef.pth"
  expect_error weights_opts_hash_mismatch "sha256 is [0-9a-f]{64}, but the file name says -deadbeef" \
    "$D" "$CG/t01-d20-p4.py" "$W/t01_tiny-deadbeef.pth" "$W/x.dump" --check
  h8=$(sha256sum "$W/t01-d20-p4.pth" | cut -c1-8)
  cp "$W/t01-d20-p4.pth" "$W/t01_tiny-$h8.pth"
  if "$D" "$CG/t01-d20-p4.py" "$W/t01_tiny-$h8.pth" "$W/opts.dump" --check >"$W/opts.log" 2>&1 &&
     cmp -s "$W/opts.dump" "$W/t01-d20-p4.dump"; then
    ok weights_opts_validated_load
  else
    fail weights_opts_validated_load "$(tail -n 2 "$W/opts.log" | tr '\n' ' ')"
  fi
  expect_error weights_wrong_shape "tensor 'backbone\.[a-z_.0-9]+'.*expected shape" \
    "$D" "$CG/t03-noqkvbias-nofinal.py" "$W/t01-d20-p4.pth" "$W/x.dump"
  make_ckpt "$CG/t01-d20-p4.py" "$W/t01-drop.pth" --seed 11 --drop backbone.layers.1.attn.qkv.bias ||
    echo "# make_model_ckpt --drop failed (weights_missing_tensor fails below)"
  expect_error weights_missing_tensor "tensor 'backbone\.layers\.1\.attn\.qkv\.bias'.*missing" \
    "$D" "$CG/t01-d20-p4.py" "$W/t01-drop.pth" "$W/x.dump"
else
  skip weights "weights_dump did not build (reported above)"
fi
# }==================================================================

# {================================================================== 3-5. mmcc build
GEN=$OUT/gen; mkdir -p "$GEN"
# build_and_run TAG CONFIG CKPT H W BATCHES... : mmcc build, driver, compare per batch
build_lib() {  # TAG CONFIG CKPT|random:SEED -> sets LIBDIR, LIBID; 0 on success
  local tag=$1 cfg=$2 ck=$3 name
  name=$(basename "$cfg" .py)
  rm -rf "$GEN/$tag"
  # shellcheck disable=SC2086
  local wopt="--checkpoint $ck"
  case $ck in random:*) wopt="--weights $ck";; esac
  if ! "$MMCC" build "$cfg" $wopt --out "$GEN/$tag" ${MMCC_EXTRA:-} >"$GEN/$tag.build.log" 2>&1; then
    fail "build_$tag" "mmcc build: $(grep -m2 -E 'error' "$GEN/$tag.build.log" | tr '\n' ' ')$(tail -n 2 "$GEN/$tag.build.log" | tr '\n' ' ')"
    return 1
  fi
  LIBDIR=$GEN/$tag/$name
  local hdrs; hdrs=$(ls "$LIBDIR"/*.h 2>/dev/null)
  if [ "$(echo "$hdrs" | grep -c .)" -ne 1 ]; then
    fail "build_$tag" "expected exactly one header in $LIBDIR, found: $hdrs"; return 1
  fi
  LIBID=$(basename "$hdrs" .h)
  if [ ! -f "$LIBDIR/lib$LIBID.a" ]; then fail "build_$tag" "no lib$LIBID.a in $LIBDIR"; return 1; fi
  local up; up=$(echo "$LIBID" | tr '[:lower:]' '[:upper:]')
  local outm="${up}_NUM_CLASSES"
  grep -q "#define ${up}_NUM_CLASSES" "$LIBDIR/$LIBID.h" || outm="${up}_OUTPUT_DIM"
  cat >"$GEN/$tag.shim.h" <<EOF
#include "$LIBID.h"
#define M_FORWARD ${LIBID}_forward
#define M_WS ${up}_WORKSPACE_BYTES
#define M_C ${up}_INPUT_CHANNELS
#define M_H ${up}_INPUT_HEIGHT
#define M_W ${up}_INPUT_WIDTH
#define M_OUT $outm
EOF
  if ! cc $CFLAGS_T -I"$LIBDIR" -include "$GEN/$tag.shim.h" -o "$GEN/$tag.run" "$CG/run_model.c" \
      "$LIBDIR/lib$LIBID.a" -lm -lpthread >"$GEN/$tag.cc.log" 2>&1; then
    fail "build_$tag" "driver does not compile/link with lib$LIBID.a -lm -lpthread: $(grep -m3 -E 'error|undefined' "$GEN/$tag.cc.log" | tr '\n' ' ')"
    return 1
  fi
  ok "build_$tag"
}

parity() {  # TAG CONFIG CKPT H W OUTDIM-EXPECTED BATCH... ; needs build_lib done
  # (env REF_EXTRA: more vit_ref.py options)
  local tag=$1 cfg=$2 ck=$3 H=$4 Wd=$5 odim=$6; shift 6
  local info; info=$("$GEN/$tag.run" --info)
  read -r c h w o ws <<<"$info"
  if [ "$c $h $w $o" != "3 $H $Wd $odim" ]; then
    fail "header_$tag" "header says C H W OUT = $c $h $w $o, the reference expects 3 $H $Wd $odim"
  else
    ok "header_$tag (input 3x${h}x${w}, output $o, workspace $ws bytes)"
  fi
  for nb in "$@"; do
    make_input "$GEN/$tag.in$nb" "$nb" 3 "$H" "$Wd" "$nb"
    if ! "$PY" "$REFPY/vit_ref.py" "$cfg" "$ck" "$GEN/$tag.in$nb" "$nb" "$GEN/$tag.ref$nb" \
        --input-size "$H" "$Wd" ${REF_EXTRA:-} >"$GEN/$tag.ref.log" 2>&1; then
      fail "parity_${tag}_n$nb" "reference failed: $(tail -n 2 "$GEN/$tag.ref.log" | tr '\n' ' ')"
      continue
    fi
    if ! "$GEN/$tag.run" "$GEN/$tag.in$nb" "$nb" "$GEN/$tag.out$nb" 1 >"$GEN/$tag.run.log" 2>&1; then
      fail "parity_${tag}_n$nb" "run_model: $(tail -n 2 "$GEN/$tag.run.log" | tr '\n' ' ')"
      continue
    fi
    run_checker "parity_${tag}_n$nb" 1 "$PY" "$CG/compare.py" "$GEN/$tag.out$nb" "$GEN/$tag.ref$nb" "$nb" "parity_${tag}_n$nb"
  done
}

threads_same() {  # TAG N [THREADS]: outputs for each thread count are 1 thread's bytes
  local tag=$1 nb=$2 t
  for t in ${3:-$THREADS}; do
    if ! "$GEN/$tag.run" "$GEN/$tag.in$nb" "$nb" "$GEN/$tag.out$nb.t$t" "$t" >/dev/null 2>&1; then
      fail "threads_$tag" "run with $t threads failed"; return
    fi
    if ! cmp -s "$GEN/$tag.out$nb" "$GEN/$tag.out$nb.t$t"; then
      fail "threads_$tag" "output with $t threads differs from 1 thread"; return
    fi
  done
  ok "threads_$tag (1 $(echo ${3:-$THREADS}) threads: identical bytes)"
}

# sensitive NAME TAG CONFIG CKPT H W N VIT_REF-OPTION...: the reference run with a wrong
# variant differs from the library's output (which parity showed to match the right one)
# by more than the parity tolerance, so parity would catch that mistake
sensitive() {
  local n=$1 tag=$2 cfg=$3 ck=$4 H=$5 Wd=$6 nb=$7; shift 7
  if [ ! -f "$GEN/$tag.out$nb" ]; then fail "$n" "no output of $tag (reported above)"
  elif "$PY" "$REFPY/vit_ref.py" "$cfg" "$ck" "$GEN/$tag.in$nb" "$nb" "$GEN/$tag.wrong$nb" \
      --input-size "$H" "$Wd" "$@" >"$GEN/$tag.wrong.log" 2>&1; then
    run_checker "$n" 1 "$PY" "$CG/compare.py" "$GEN/$tag.out$nb" "$GEN/$tag.wrong$nb" "$nb" "$n" --differ
  else
    fail "$n" "reference $* failed: $(tail -n 2 "$GEN/$tag.wrong.log" | tr '\n' ' ')"
  fi
}

outdim() {  # CONFIG -> num_classes, or the feature width of a headless model
  "$PY" -c "import sys; sys.path.insert(0, '$REFPY'); import vit_ref
s = vit_ref.Spec(vit_ref.read_config('$1')); print(s.num_classes or s.D)"
}

if [ ! -x "$MMCC" ]; then
  fail codegen "no $MMCC (run make)"
else
  for cfg in "$CG"/t*.py; do
    n=$(basename "$cfg" .py)
    read -r H Wd < <(crop "$cfg")
    ck=$GEN/$n.pth
    make_ckpt "$cfg" "$ck" --seed 21 || { fail "build_$n" "make_model_ckpt failed"; continue; }
    build_lib "$n" "$cfg" "$ck" || continue
    parity "$n" "$cfg" "$ck" "$H" "$Wd" "$(outdim "$cfg")" 1 3
  done
  if [ -x "$GEN/t02-prenorm-resize.run" ]; then threads_same t02-prenorm-resize 3
  else fail threads_t02-prenorm-resize "no t02 library (reported above)"; fi

  # a 0.x option mmcc does not support: a positioned diagnostic, no output directory
  cfg=$CG/u10-0x-nocls.py
  if make_ckpt "$cfg" "$GEN/u10.pth" --seed 21; then
    expect_error unsupported_0x_nocls "u10-0x-nocls\.py:[0-9]+:[0-9]+: error: .*with_cls_token" \
      "$MMCC" build "$cfg" --checkpoint "$GEN/u10.pth" --out "$GEN/u10"
    if [ -e "$GEN/u10/u10-0x-nocls" ]; then fail unsupported_0x_nocls_no_output "$GEN/u10/u10-0x-nocls exists"
    else ok unsupported_0x_nocls_no_output; fi
  else
    fail unsupported_0x_nocls "make_model_ckpt failed: $(tail -n 2 "$GEN/u10.pth.log" | tr '\n' ' ')"
  fi

  # 4. a checkpoint whose pos_embed grid (6x6) differs from img_size's (4x4): mmcc must match
  # the reference (6x6 -> 4x4 at load, 4x4 -> 5x5 in the forward), which differs from using
  # the checkpoint's grid directly (6x6 -> 5x5)
  cfg=$CG/t02-prenorm-resize.py
  ck=$GEN/t02-grid6.pth
  if ! make_ckpt "$cfg" "$ck" --seed 22 --pos-grid 6; then
    fail build_t02-grid6 "make_model_ckpt failed: $(tail -n 2 "$ck.log" | tr '\n' ' ')"
  elif build_lib t02-grid6 "$cfg" "$ck"; then
    parity t02-grid6 "$cfg" "$ck" 40 40 10 3
    sensitive pos_resize_matters t02-grid6 "$cfg" "$ck" 40 40 3 --direct-pos
  fi

  # 5. a wrong LayerNorm eps or GELU form, at the parity tolerance: small activations into
  # the pre_norm LayerNorm (patch embedding, pos_embed, class token scaled by 0.01), where
  # eps = 1e-5 instead of the config's 1e-6 moves the logits by percent; erf vs tanh GELU
  # moves them by ~1e-4 x max |ref|
  ck=$GEN/t02-small.pth
  if ! make_ckpt "$cfg" "$ck" --seed 23 --pos-grid 6 --scale 'backbone\.(pos_embed|cls_token|patch_embed\..*)=0.01'; then
    fail build_t02-small "make_model_ckpt failed: $(tail -n 2 "$ck.log" | tr '\n' ' ')"
  elif build_lib t02-small "$cfg" "$ck"; then
    parity t02-small "$cfg" "$ck" 40 40 10 3
    sensitive ln_eps_matters t02-small "$cfg" "$ck" 40 40 3 --ln-eps 1e-5
    sensitive gelu_form_matters t02-small "$cfg" "$ck" 40 40 3 --gelu-tanh
  fi

  # the other x86 targets' numbers (not only that they link): haswell's AVX2 kernel and
  # BLIS's portable generic kernel against the reference
  for tg in haswell generic; do
    MMCC_EXTRA="--target $tg" build_lib "t02-$tg" "$cfg" "$GEN/t02-grid6.pth" &&
      parity "t02-$tg" "$cfg" "$GEN/t02-grid6.pth" 40 40 10 3
  done

  # `mmcc build --weights random:7` computes what the reference computes with the same
  # synthetic weights (weights_dump --random 7; pos_embed made for the input grid, hence
  # vit_ref --direct-pos, which takes the checkpoint's grid as the one to resize from)
  if [ $have_dump -eq 1 ] && "$OUT/weights_dump" "$cfg" --random 7 "$GEN/rand7.dump" >/dev/null 2>&1 &&
     "$PY" "$CG/check_weights.py" topth "$GEN/rand7.dump" "$GEN/rand7.pth"; then
    build_lib t02-random "$cfg" random:7 &&
      REF_EXTRA=--direct-pos parity t02-random "$cfg" "$GEN/rand7.pth" 40 40 10 3
  else
    fail build_t02-random "weights_dump --random / conversion failed"
  fi

  # a rectangular input (--input-size 40x32: 5x4 grid) on a square 4x4 img_size grid
  cfg=$CG/t02-prenorm-resize.py
  MMCC_EXTRA="--input-size 40x32" build_lib t02-rect "$cfg" "$GEN/t02-grid6.pth" &&
    parity t02-rect "$cfg" "$GEN/t02-grid6.pth" 40 32 10 1 3

  # 6. full size
  full=(
    "vit-base-p32_pt-64xb64_in1k:7"
    "vit-base-p32_pt-64xb64_in1k-384px:12"
    "vit-base-p32_pt-64xb64_in1k-448px:14"
    "vit-base-p16_pt-64xb64_in1k:14"
  )
  if [ "${MMCC_TEST_FULL:-0}" = 1 ]; then
    full+=("vit-base-p16_pt-64xb64_in1k-384px:24" "vit-base-p16_pt-64xb64_in1k-448px:28")
  else
    skip full_p16_384_448 "p16@384/448 run with MMCC_TEST_FULL=1 (make test-full)"
  fi
  # the skip above stands for 3 x 2 checks: counted as (6 - n_full) / 2 = 1 in the plan
  for e in "${full[@]}"; do
    n=${e%%:*}; grid=${e#*:}
    cfg=$ROOT/configs/clip/$n.py
    tag=clip-$n
    read -r H Wd < <(crop "$cfg")
    ck=$GEN/$n.pth
    make_ckpt "$cfg" "$ck" --seed 31 --pos-grid "$grid" || { fail "build_$tag" "make_model_ckpt failed"; continue; }
    start=$(date +%s)
    if build_lib "$tag" "$cfg" "$ck"; then
      echo "# $tag: mmcc build took $(( $(date +%s) - start ))s"
      parity "$tag" "$cfg" "$ck" "$H" "$Wd" 1000 2
      [ "$n" = vit-base-p32_pt-64xb64_in1k ] && threads_same "$tag" 2
      # the real 384 checkpoint's grid equals the input grid: using it as is (skipping
      # mmpretrain's 12x12 -> 7x7 -> 12x12 round trip) must give different logits
      if [ "$n" = vit-base-p32_pt-64xb64_in1k-384px ] && [ -f "$GEN/$tag.out2" ]; then
        if "$PY" "$REFPY/vit_ref.py" "$cfg" "$ck" "$GEN/$tag.in2" 2 "$GEN/$tag.direct2" \
            --input-size "$H" "$Wd" --direct-pos >/dev/null 2>&1; then
          run_checker "pos_resize_matters_$tag" 1 "$PY" "$CG/compare.py" "$GEN/$tag.out2" "$GEN/$tag.direct2" 2 "pos_resize_matters_$tag" --differ
        else
          fail "pos_resize_matters_$tag" "reference --direct-pos failed"
        fi
      fi
    fi
    rm -rf "$ck" "$GEN/$tag"
  done
fi
# }==================================================================
