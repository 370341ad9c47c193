#!/usr/bin/env bash
# math.sh: the exact-erf GELU of runtime/mmrt_math.h against float64 erfc (libm) on each code
# path's flags (the x86_64 library compiles the forward once per path: templates/Makefile.m4),
# the AVX-512 and AVX2 forms mmrt_gelu16 / mmrt_gelu8 (and the exps) bit for bit against the
# scalar ones, the bias + GELU epilogue of runtime/mmrt_ops.h (whose full tiles use them)
# against gelu(c + bias) element by element, and LayerNorm's statistics against float64 and
# its packing (vector paths for full panels on AVX-512 and AVX2) against the per-element
# formula; the softmax packing of attention (vector paths for full panels, with mmrt_expf16
# on AVX-512) against float64 and bit for bit against its scalar algorithm; mmrt_pack_rows
# (mmrt_tr12's transpose for full 12-row panels on AVX-512 and AVX2) against the
# layout; mmrt_op_patches (the ViT's im2col: the same transpose for patches inside the image)
# against the layout; how mmrt_split_by_weights shares ResNet-50's convolutions; the AVX-512
# and AVX2 micro-kernels mmrt_ukr_skx / mmrt_ukr_haswell bit for bit against an fmaf chain,
# and their few-token forms (_few) against the plain kernels' calls (tests/math/math_check.c).
# GELU accuracy limits, as measured over every float in [-20, 20] (bench/results/NOTES.md,
# "GELU epilogue and softmax exp"): 8 ulp with FMA; the generic path (no FMA) 14 ulp for
# x >= -5 and 70 near -13, where z^2 is rounded once.
set -u
. "$ROOT/tests/lib.sh"
plan 29
src=$ROOT/tests/math/math_check.c
base="-std=c11 -O3 -Wall -Wextra -Werror -fno-math-errno -fno-trapping-math -I$ROOT/runtime"
flags_of() { grep -m1 "^#define ${1}_CFLAGS" "$ROOT/compiler/target.c" | sed 's/^[^"]*"//; s/"$//'; }
has() { for f in "$@"; do grep -qw "$f" /proc/cpuinfo || return 1; done; }
# path  flags  cpu flags needed  limits (all, x >= -5)  checks it prints
run_path() {
  local name=$1 pflags=$2 need=$3 lim=$4 lim5=$5; shift 5
  if [ -n "$need" ] && ! has $need; then
    for c in "$@"; do skip "${c}_$name" "this CPU lacks $need"; done
    return
  fi
  # shellcheck disable=SC2086
  if ! cc $base $pflags -o "$OUT/math_$name" "$src" "$ROOT/runtime/mmrt_ukr_generic.c" \
      "$ROOT/runtime/mmrt_ukr_haswell.c" "$ROOT/runtime/mmrt_ukr_skx.c" -lm \
      >"$OUT/build_$name.log" 2>&1; then
    for c in "$@"; do fail "${c}_$name" "math_check did not build: $(head -c 300 "$OUT/build_$name.log")"; done
    return
  fi
  run_checker "math_check_$name" $# "$OUT/math_$name" "$name" "$lim" "$lim5" 1001
}
run_path skx "$(flags_of SKX)" "avx512f avx512dq avx512bw avx512vl avx2 fma" 8 8 \
  gelu_accuracy gelu16_bitwise expf16_bitwise epi_bias_gelu layernorm pack_rows patches \
  split softmax ukr_bitwise ukr_few_bitwise
run_path haswell "$(flags_of HSW)" "avx2 fma" 8 8 \
  gelu_accuracy gelu8_bitwise expf8_bitwise epi_bias_gelu layernorm pack_rows patches split \
  softmax ukr_bitwise ukr_few_bitwise
run_path generic "" "" 70 14 gelu_accuracy epi_bias_gelu layernorm pack_rows patches split \
  softmax
