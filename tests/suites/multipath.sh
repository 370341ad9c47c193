#!/usr/bin/env bash
# multipath.sh: the multi-path target x86_64 (compiler/target.c; issue 13 item 7): one
# library holding the skx, haswell and generic code paths on mmcc's own micro-kernels
# (runtime/mmrt_ukr*.{c,h}), the weights stored once, the path chosen by CPUID at the first
# call (MMRT_PATH=<path> forces one).
#   1. tiny config (tests/codegen/t01: edge tiles everywhere): each path forced natively vs
#      the PyTorch reference tests/py/vit_ref.py (batch 1 and 3), 1/2/3 threads bitwise, and
#      under ASan + UBSan; the unforced choice on this CPU is its best path
#   2. qemu-x86_64: on a Haswell (no AVX-512) the library takes the haswell path (the bytes
#      of the forced haswell path natively) and forcing skx gives E_CPU; on a SandyBridge
#      (AVX, no AVX2) it takes the generic path and forcing haswell gives E_CPU; an unknown
#      forced path gives E_CPU
#   3. full size (deit-tiny at 224, K up to 768: several k blocks): each path vs the
#      reference and bitwise for 1/2 threads; the library is within 5% of the single-path
#      skx library's size, and its weight member is the skx library's, byte for byte
set -u
. "$ROOT/tests/lib.sh"

CG=$ROOT/tests/codegen
REFPY=$ROOT/tests/py
PATHS="skx haswell generic"
CFLAGS_T="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"
SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
# tiny: build + 4 per path (n1, n3, threads, san) + best; qemu: 5; full: ckpt/build x86_64,
# build skx, 2 per path (n1, threads), size, weights once
plan $(( 1 + 4 * 3 + 1 + 5 + 2 + 2 * 3 + 2 ))
GEN=$OUT/gen; mkdir -p "$GEN"

flags=$(grep -m1 '^flags' /proc/cpuinfo)
has() { for f in "$@"; do echo "$flags" | grep -qw "$f" || return 1; done; }
path_ok() {  # PATH: this CPU has the path's instructions (compiler/target.c's features)
  case $1 in
    skx) has avx512f avx512dq avx512bw avx512vl avx2 fma ;;
    haswell) has avx2 fma ;;
    *) return 0 ;;
  esac
}
make_input() {  # FILE N C H W SEED
  "$PY" -c "import numpy as np; r = np.random.RandomState($6)
r.randn($2, $3, $4, $5).astype('<f4').tofile('$1')"
}
# lib TAG CONFIG CKPT TARGET [CFLAGS]: mmcc build -> $GEN/TAG, driver $GEN/TAG.run (sets LIBDIR LIBID)
lib() {
  local tag=$1 cfg=$2 ck=$3 tg=$4 cf=${5:-} name
  name=$(basename "$cfg" .py)
  rm -rf "${GEN:?}/$tag"
  "$MMCC" build "$cfg" --checkpoint "$ck" --target "$tg" --out "$GEN/$tag" --keep-sources \
    >"$GEN/$tag.build.log" 2>&1 || { WHY="mmcc build: $(grep -m2 error "$GEN/$tag.build.log" | tr '\n' ' ')"; return 1; }
  LIBDIR=$GEN/$tag/$name
  LIBID=$(basename "$(ls "$LIBDIR"/*.h)" .h)
  if [ -n "$cf" ]; then
    make -s -C "$LIBDIR" clean >/dev/null 2>&1
    make -s -C "$LIBDIR" CFLAGS="$cf" >"$GEN/$tag.make.log" 2>&1 || { WHY="make CFLAGS=$cf: $(tail -n 3 "$GEN/$tag.make.log" | tr '\n' ' ')"; return 1; }
  fi
  model_shim "$LIBDIR" "$LIBID" >"$GEN/$tag.shim.h"
  cc $CFLAGS_T ${cf:+$SAN} -I"$LIBDIR" -include "$GEN/$tag.shim.h" -o "$GEN/$tag.run" "$CG/run_model.c" \
    "$LIBDIR/lib$LIBID.a" -lm -lpthread >"$GEN/$tag.cc.log" 2>&1 ||
    { WHY="run_model: $(grep -m2 -E 'error|undefined' "$GEN/$tag.cc.log" | tr '\n' ' ')"; return 1; }
}
ref() {  # CONFIG CKPT IN N OUT H W
  "$PY" "$REFPY/vit_ref.py" "$1" "$2" "$3" "$4" "$5" --input-size "$6" "$7" >"$5.log" 2>&1
}
# run TAG PATH IN N OUT THREADS [QEMU-CPU]: forward with MMRT_PATH=PATH ('' = the library's choice)
run() {
  local tag=$1 p=$2 in=$3 n=$4 out=$5 t=$6 q=${7:-}
  if [ -n "$q" ]; then
    MMRT_PATH=$p qemu-x86_64 -cpu "$q" "$GEN/$tag.run" "$in" "$n" "$out" "$t" >"$out.log" 2>&1
  else
    MMRT_PATH=$p "$GEN/$tag.run" "$in" "$n" "$out" "$t" >"$out.log" 2>&1
  fi
}
# parity_path NAME TAG PATH N: the path's output on input N vs the reference $GEN/TAG.ref$N
parity_path() {
  local name=$1 tag=$2 p=$3 n=$4
  if ! path_ok "$p"; then skip "$name" "this CPU lacks the $p path's instructions"; return; fi
  if ! run "$tag" "$p" "$GEN/$tag.in$n" "$n" "$GEN/$tag.$p.out$n" 1; then
    fail "$name" "$(tail -n 2 "$GEN/$tag.$p.out$n.log" | tr '\n' ' ')"; return
  fi
  run_checker "$name" 1 "$PY" "$CG/compare.py" "$GEN/$tag.$p.out$n" "$GEN/$tag.ref$n" "$n" "$name"
}
# threads_path NAME TAG PATH N THREADS...: those thread counts give 1 thread's bytes
threads_path() {
  local name=$1 tag=$2 p=$3 n=$4 t; shift 4
  if ! path_ok "$p"; then skip "$name" "this CPU lacks the $p path's instructions"; return; fi
  for t in "$@"; do
    if ! run "$tag" "$p" "$GEN/$tag.in$n" "$n" "$GEN/$tag.$p.out$n.t$t" "$t"; then
      fail "$name" "$t threads: $(tail -n 2 "$GEN/$tag.$p.out$n.t$t.log" | tr '\n' ' ')"; return
    fi
    cmp -s "$GEN/$tag.$p.out$n" "$GEN/$tag.$p.out$n.t$t" ||
      { fail "$name" "$t threads differ from 1 thread"; return; }
  done
  ok "$name ($* threads = 1 thread, bitwise)"
}

# {================================================================== 1. tiny, each path
cfg=$CG/t01-d20-p4.py
ck=$GEN/t01.pth
H=16; Wd=16
if "$PY" "$REFPY/make_model_ckpt.py" "$cfg" "$ck" --seed 31 >"$ck.log" 2>&1 && lib tiny "$cfg" "$ck" x86_64; then
  ok "build_tiny_x86_64 ($(ar t "$LIBDIR/lib$LIBID.a" | tr '\n' ' '))"
  tiny_ok=1
  for n in 1 3; do
    make_input "$GEN/tiny.in$n" "$n" 3 $H $Wd $((40 + n))
    ref "$cfg" "$ck" "$GEN/tiny.in$n" "$n" "$GEN/tiny.ref$n" $H $Wd || tiny_ok=0
  done
else
  fail build_tiny_x86_64 "${WHY:-make_model_ckpt: $(tail -n 2 "$ck.log" | tr '\n' ' ')}"
  tiny_ok=0
fi
san_ok=0
if [ $tiny_ok = 1 ]; then lib tiny_san "$cfg" "$ck" x86_64 "$SAN" && san_ok=1; fi
for p in $PATHS; do
  if [ $tiny_ok = 1 ]; then
    parity_path "parity_tiny_${p}_n1" tiny "$p" 1
    parity_path "parity_tiny_${p}_n3" tiny "$p" 3
    threads_path "threads_tiny_$p" tiny "$p" 3 2 3
  else
    for c in n1 n3; do fail "parity_tiny_${p}_$c" "no tiny library or reference"; done
    fail "threads_tiny_$p" "no tiny library or reference"
  fi
  if [ $san_ok = 1 ] && ! path_ok "$p"; then
    skip "asan_ubsan_tiny_$p" "this CPU lacks the $p path's instructions"
  elif [ $san_ok = 1 ]; then
    if run tiny_san "$p" "$GEN/tiny.in3" 3 "$GEN/tiny_san.$p.out" 3 &&
        ! grep -q -E 'Sanitizer|runtime error' "$GEN/tiny_san.$p.out.log"; then
      run_checker "asan_ubsan_tiny_$p" 1 "$PY" "$CG/compare.py" "$GEN/tiny_san.$p.out" "$GEN/tiny.ref3" 3 "asan_ubsan_tiny_$p"
    else
      fail "asan_ubsan_tiny_$p" "$(grep -m2 -E 'Sanitizer|runtime error|returned' "$GEN/tiny_san.$p.out.log" | tr '\n' ' ')"
    fi
  else
    fail "asan_ubsan_tiny_$p" "${WHY:-no tiny library}"
  fi
done
# the library's own choice on this CPU: its best path
best=generic; path_ok haswell && best=haswell; path_ok skx && best=skx
if [ $tiny_ok = 1 ] && run tiny "" "$GEN/tiny.in3" 3 "$GEN/tiny.default.out3" 1 &&
    cmp -s "$GEN/tiny.default.out3" "$GEN/tiny.$best.out3"; then
  ok "default_path_is_best ($best on this CPU)"
else
  fail default_path_is_best "the unforced output is not the $best path's bytes"
fi
# }==================================================================

# {================================================================== 2. emulated CPUs
# qemu_case NAME CPU PATH EXPECT: EXPECT = a path name (the bytes of that path natively) or E_CPU
qemu_case() {
  local name=$1 cpu=$2 p=$3 want=$4 o=$GEN/tiny.q.$1
  if ! command -v qemu-x86_64 >/dev/null; then skip "$name" "no qemu-x86_64 (Debian: qemu-user)"; return; fi
  if [ $tiny_ok != 1 ]; then fail "$name" "no tiny library"; return; fi
  if [ "$want" = E_CPU ]; then
    if run tiny "$p" "$GEN/tiny.in3" 3 "$o" 2 "$cpu"; then fail "$name" "forward succeeded, E_CPU expected"
    elif grep -q 'forward returned -4' "$o.log"; then ok "$name (E_CPU)"
    else fail "$name" "$(tail -n 2 "$o.log" | tr '\n' ' ')"; fi
    return
  fi
  if ! path_ok "$want"; then skip "$name" "this CPU lacks the $want path: no native bytes to compare"; return; fi
  if ! run tiny "$p" "$GEN/tiny.in3" 3 "$o" 2 "$cpu"; then fail "$name" "$(tail -n 2 "$o.log" | tr '\n' ' ')"; return; fi
  cmp -s "$o" "$GEN/tiny.$want.out3" && ok "$name (the $want path's bytes)" ||
    fail "$name" "output under -cpu $cpu is not the native $want path's"
}
qemu_case qemu_haswell_takes_haswell Haswell-v4 "" haswell
qemu_case qemu_haswell_refuses_skx Haswell-v4 skx E_CPU
qemu_case qemu_sandybridge_takes_generic SandyBridge "" generic
qemu_case qemu_sandybridge_refuses_haswell SandyBridge haswell E_CPU
qemu_case unknown_path_refused Haswell-v4 pdp11 E_CPU
# }==================================================================

# {================================================================== 3. full size
cfg=$ROOT/tests/vitfam/configs/deit/deit-tiny_4xb256_in1k.py
ck=$GEN/deit-tiny.pth
full_ok=0
if "$PY" "$REFPY/make_model_ckpt.py" "$cfg" "$ck" --seed 32 >"$ck.log" 2>&1 && lib full "$cfg" "$ck" x86_64; then
  FULLDIR=$LIBDIR; FULLID=$LIBID
  make_input "$GEN/full.in1" 1 3 224 224 50
  if ref "$cfg" "$ck" "$GEN/full.in1" 1 "$GEN/full.ref1" 224 224; then
    ok build_full_x86_64; full_ok=1
  else
    fail build_full_x86_64 "reference: $(tail -n 2 "$GEN/full.ref1.log" | tr '\n' ' ')"
  fi
else
  fail build_full_x86_64 "${WHY:-make_model_ckpt: $(tail -n 2 "$ck.log" | tr '\n' ' ')}"
fi
skx_ok=0
if [ -f "$ck" ] && lib full_skx "$cfg" "$ck" skx; then ok build_full_skx; skx_ok=1
else fail build_full_skx "${WHY:-no checkpoint}"; fi
for p in $PATHS; do
  if [ $full_ok = 1 ]; then
    parity_path "parity_full_${p}_n1" full "$p" 1
    threads_path "threads_full_$p" full "$p" 1 2
  else
    fail "parity_full_${p}_n1" "no full-size library"; fail "threads_full_$p" "no full-size library"
  fi
done
if [ $full_ok = 1 ] && [ $skx_ok = 1 ]; then
  a=$(stat -c %s "$FULLDIR/lib$FULLID.a"); b=$(stat -c %s "$LIBDIR/lib$LIBID.a")
  if [ $((a * 100)) -le $((b * 105)) ]; then
    ok "size_within_5pct (x86_64 $a bytes, skx $b: +$(( (a - b) * 1000 / b )) per mille)"
  else
    fail size_within_5pct "x86_64 $a bytes, skx $b bytes"
  fi
  mkdir -p "$GEN/wa" "$GEN/wb"
  (cd "$GEN/wa" && ar x "$FULLDIR/lib$FULLID.a" weights.o) && (cd "$GEN/wb" && ar x "$LIBDIR/lib$LIBID.a" weights.o) &&
    cmp -s "$GEN/wa/weights.o" "$GEN/wb/weights.o" &&
    [ "$(ar t "$FULLDIR/lib$FULLID.a" | tr '\n' ' ')" = "code.o weights.o " ] &&
    ok "weights_stored_once (one weights member, the skx library's bytes)" ||
    fail weights_stored_once "the x86_64 library's weight member differs from skx's or is not the only one"
else
  fail size_within_5pct "no x86_64 or skx full-size library"
  fail weights_stored_once "no x86_64 or skx full-size library"
fi
# }==================================================================
