#!/usr/bin/env bash
# profile.sh: `mmcc build --profile` (per-op timers, compiler/gen_emit.c; the profile API in
# <id>.h) on two tiny ViTs and a tiny ResNet, each built with and without --profile:
#   code_same   the profiling model.c is the plain one plus the mm_prof_* lines and its
#               front-matter line (the op calls are the same); the plain header declares no
#               profile API
#   op_functions  the plain model.c has one noinline function per op outside a layer loop
#               (compiler/gen_emit.c: the C compiler's time stays linear), each one call
#               into runtime/mmrt_ops.h, and forward_chunk calls each exactly once, in order,
#               with no op of its own outside a layer loop
#   bitwise_tT  both libraries give the same logits bytes (3 images, T = 1, 2 threads)
#   check_profile.py (5 per model): one entry per timed op, flops x images equal to an
#               independent count of the products (config shapes / PyTorch hooks), calls per
#               layer, times ordered, bad arguments refused
# and bench/prof.c (the bench's reader) runs on one of them.
set -u
. "$ROOT/tests/lib.sh"

MODELS="vit:$ROOT/tests/codegen/t01-d20-p4.py vit:$ROOT/tests/codegen/t04-hidden-tanh-ls.py resnet:$ROOT/tests/resnet/resnet18_cifar.py"
n_models=$(echo $MODELS | wc -w)
plan $(( n_models * (2 + 1 + 1 + 2 + 5) + 1 ))

CFT="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"
DRV=$ROOT/tests/profile/prof_dump.c
W=$OUT/w; mkdir -p "$W"

# shim DIR ID PROF -> DIR.shim.h
shim() {
  local dir=$1 id=$2 up
  up=$(echo "$id" | tr '[:lower:]' '[:upper:]')
  {
    model_shim "$dir" "$id"
    if [ "$3" = 1 ]; then
      printf '#define M_PROFILE %s_profile\n#define M_RESET %s_profile_reset\n#define M_OPS %s_PROFILE_OPS\n' "$id" "$id" "$up"
      printf '#define M_OP %s_profile_op\n#define M_MAXT %s_MAX_THREADS\n#define M_EBAD %s_E_BAD_ARGUMENT\n' "$id" "$up" "$up"
    fi
  } >"$dir.shim.h"
}

# build TAG FAMILY CFG CKPT PROF -> $W/TAG.run (0 on success); check line build_TAG
build() {
  local tag=$1 fam=$2 cfg=$3 ck=$4 prof=$5 name dir id flag=
  name=$(basename "$cfg" .py)
  [ "$prof" = 1 ] && flag=--profile
  # shellcheck disable=SC2086
  if ! "$MMCC" build "$cfg" --checkpoint "$ck" --out "$W/$tag" $flag >"$W/$tag.log" 2>&1; then
    fail "build_$tag" "mmcc build $flag: $(grep -m2 error "$W/$tag.log" | tr '\n' ' ')"; return 1
  fi
  dir=$W/$tag/$name
  id=$(basename "$(ls "$dir"/*.h | head -1)" .h)
  shim "$dir" "$id" "$prof"
  local pd=; [ "$prof" = 1 ] && pd=-DPROF
  # shellcheck disable=SC2086
  if ! cc $CFT $pd -I"$dir" -include "$dir.shim.h" -o "$W/$tag.run" "$DRV" "$dir/lib$id.a" \
      -lm -lpthread >"$W/$tag.cc.log" 2>&1; then
    fail "build_$tag" "prof_dump does not link: $(grep -m2 -E 'error|undefined' "$W/$tag.cc.log" | tr '\n' ' ')"
    return 1
  fi
  echo "$dir" >"$W/$tag.dir"
  ok "build_$tag"
}

for m in $MODELS; do
  fam=${m%%:*}; cfg=${m#*:}; n=$(basename "$cfg" .py); n=${n%%-*}
  ck=$W/$n.pth
  if [ "$fam" = vit ]; then "$PY" "$ROOT/tests/py/make_model_ckpt.py" "$cfg" "$ck" --seed 3 >"$W/$n.ck.log" 2>&1
  else "$PY" "$ROOT/tests/py/make_resnet_ckpt.py" "$cfg" "$ck" --seed 3 >"$W/$n.ck.log" 2>&1; fi
  if [ ! -f "$ck" ]; then
    fail "build_$n" "checkpoint: $(tail -c 300 "$W/$n.ck.log")"
    for c in build_${n}_prof code_same_$n op_functions_$n bitwise_${n}_t1 bitwise_${n}_t2 ${n}_ops ${n}_flops ${n}_calls ${n}_times ${n}_badargs; do
      skip "$c" "no checkpoint (reported above)"
    done
    continue
  fi
  b0=0; b1=0
  build "$n" "$fam" "$cfg" "$ck" 0 && b0=1
  build "${n}_prof" "$fam" "$cfg" "$ck" 1 && b1=1
  if [ $b0 = 1 ] && [ $b1 = 1 ]; then
    d0=$(cat "$W/$n.dir"); d1=$(cat "$W/${n}_prof.dir")
    strip() { grep -v -E '^ \* (command|profile): ' "$1" | grep -v 'mm_prof_'; }
    if ! diff <(strip "$d0/src/model.c") <(strip "$d1/src/model.c") >"$W/$n.code.diff"; then
      fail "code_same_$n" "model.c differs beyond the profile lines: $(head -c 300 "$W/$n.code.diff" | tr '\n' ' ')"
    elif ! grep -q -E 'mm_prof_op\(&pm, tid, 0, (n|1)\);' "$d1/src/model.c"; then  # 1: in an image loop
      fail "code_same_$n" "the --profile model.c times no op"
    elif cat "$d0"/*.h "$d0/src/model.c" "$d0/src/api.c" "$d0/src/internal.h" | grep -v '^ \* command:' | grep -q -E 'mm_prof|_profile|PROFILE'; then
      fail "code_same_$n" "the plain library mentions a profile"
    else
      ok "code_same_$n"
    fi
    check "op_functions_$n" "$PY" "$ROOT/tests/profile/check_op_functions.py" "$d0/src/model.c"
    read -r C H Wd <<<"$(grep -E '_INPUT_(CHANNELS|HEIGHT|WIDTH) ' "$d0"/*.h | awk '{print $3}' | tr '\n' ' ')"
    "$PY" -c "import numpy as np; np.random.RandomState(5).randn(3, $C, $H, $Wd).astype('<f4').tofile('$W/$n.in')"
    for t in 1 2; do
      if ! "$W/$n.run" "$W/$n.in" 3 "$t" "$W/$n.t$t.out" >/dev/null 2>"$W/$n.t$t.err"; then
        fail "bitwise_${n}_t$t" "plain library: $(head -c 200 "$W/$n.t$t.err")"
      elif ! "$W/${n}_prof.run" "$W/$n.in" 3 "$t" "$W/$n.p$t.out" >"$W/$n.dump$t" 2>"$W/$n.p$t.err"; then
        fail "bitwise_${n}_t$t" "profiling library: $(head -c 200 "$W/$n.p$t.err")"
      elif ! cmp -s "$W/$n.t$t.out" "$W/$n.p$t.out"; then
        fail "bitwise_${n}_t$t" "the logits differ"
      else
        ok "bitwise_${n}_t$t"
      fi
    done
    if [ -s "$W/$n.dump2" ]; then
      run_checker "${n}_profile" 5 "$PY" "$ROOT/tests/profile/check_profile.py" "$fam" "$cfg" \
        "$W/$n.dump2" 3 2 "$d1/src/model.c" "$n" --input "$C" "$H" "$Wd"
    else
      for c in ops flops calls times badargs; do skip "${n}_$c" "no profile dump (reported above)"; done
    fi
  else
    for c in code_same_$n op_functions_$n bitwise_${n}_t1 bitwise_${n}_t2 ${n}_ops ${n}_flops ${n}_calls ${n}_times ${n}_badargs; do
      skip "$c" "a library did not build (reported above)"
    done
  fi
done

# bench/prof.c on the first model's profiling library
first=$(echo $MODELS | cut -d' ' -f1); n=$(basename "${first#*:}" .py); n=${n%%-*}
if [ -f "$W/${n}_prof.dir" ]; then
  d1=$(cat "$W/${n}_prof.dir"); id=$(basename "$(ls "$d1"/*.h | head -1)" .h)
  cat "$d1.shim.h" >"$W/bench.shim.h"
  if ! cc $CFT -I"$d1" -include "$W/bench.shim.h" -o "$W/bench_prof" "$ROOT/bench/prof.c" "$d1/lib$id.a" -lm -lpthread >"$W/bench.cc.log" 2>&1; then
    fail bench_prof "bench/prof.c does not build: $(grep -m2 -E 'error|undefined' "$W/bench.cc.log" | tr '\n' ' ')"
  elif ! "$W/bench_prof" 2 2 3 >"$W/bench.out" 2>&1; then
    fail bench_prof "bench/prof.c failed: $(tail -c 200 "$W/bench.out")"
  elif [ "$(grep -c '^| all |' "$W/bench.out")" != 1 ] || ! grep -q '^| linear |' "$W/bench.out" || ! grep -q '^| qkv |' "$W/bench.out"; then
    fail bench_prof "tables missing in its output: $(head -c 300 "$W/bench.out" | tr '\n' ' ')"
  else
    ok bench_prof
  fi
else
  skip bench_prof "no profiling library (reported above)"
fi
