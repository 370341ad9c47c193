#!/usr/bin/env bash
# cost: 606 (seconds alone; tests/run starts the costliest suites first)
# resnet.sh: the ResNet family (issue 10) up to the lowering: front end, checkpoints, the
# independent reference, and the runtime ops the lowering will call.
#
#   1. every config in tests/resnet (tiny per block type / stem variant, full-size ResNet-18,
#      ResNet-50, V1c/V1d-50, ResNeXt-50 32x4d, SE-ResNet-50, CIFAR ResNet-18): mmcc inspect
#      --tensors lists the same state-dict names, shapes and parameter count as the reference
#      tests/py/resnet_ref.py builds (its own reading of upstream)
#   2. tests/resnet/metafile.yml (upstream's numbers): parameters == metafile Parameters at the
#      metafile's precision (0.01 M)
#   3. refusals: unsupported settings name the config key (file:line:col, exit 1, under
#      ASan/UBSan); every tiny config through the ASan/UBSan mmcc build (--no-build): exit 0,
#      no report
#   4. checkpoints from tests/py/make_resnet_ckpt.py: mmcc check accepts them (int64
#      num_batches_tracked, or none), refuses a missing buffer and an int64 weight; the
#      reference loads them strictly and gives informative logits; the reference equals
#      torchvision's ResNet-18/50 and ResNeXt-50 on the full-size checkpoints
#   5. runtime/mmrt_conv.h against torch (tests/resnet/ops_check.py), for the skx and haswell
#      kernels (+ an ASan/UBSan build): 1e-5 relative, identical bytes for 1/2/3-way splits
#   6. the ops composed into whole networks by hand (tests/resnet/net_driver.c walking mmcc's
#      ResNet description, weights from the checkpoint folded by compiler/fold_bn.c) against
#      the reference: every tiny config at an odd input size (57: odd grids, clipped ceil-mode
#      pools) natively and under ASan/UBSan, ResNet-50 at 224; ResNet-18, ResNeXt-50,
#      SE-ResNet-50 and CIFAR ResNet-18 with MMCC_TEST_FULL=1. Batch 1 and 3, 1e-5 relative,
#      identical bytes for 1/2/3-way splits
#   7. compiled libraries (compiler/lower_resnet.c): per tiny config, `mmcc build` with its
#      checkpoint, tests/codegen/run_model.c linked with only lib<id>.a -lm -lpthread, the
#      header's input size, logits within 1e-5 x max|logit| of the reference at batch 1 and 3,
#      identical bytes for 1, 2 and 3 threads; two libraries rebuilt with ASan/UBSan (batch 3,
#      3 threads, parity); Winograd forced (--winograd 2 / 4 / off; targets x86_64, haswell,
#      generic): the ops present, parity at batch 1 and 3, identical bytes for 1/2/3 threads,
#      one ASan/UBSan rebuild, the option's refusals (exit 2); pixels in (<id>_classify_rgb8 vs OpenCV + the reference,
#      tests/resnet/pixels_check.py) for the in1k (cv2 bilinear ResizeEdge 256 + CenterCrop
#      224) and the CIFAR pipeline; full size: ResNet-50 (default; its peak RSS of one call
#      <= weights + 32 MiB), ResNet-18, ResNeXt-50 32x4d, SE-ResNet-50, CIFAR ResNet-18
#      (MMCC_TEST_FULL=1), batch 1 and 3, 1/2/3 threads; in tiny-bottleneck's generated code
#      the in-place bottleneck ends and the stem's patches in a buffer of their own; per
#      tiny config, the head's image loop and the batched tail, a batch of 3 the same bytes
#      as its images alone
set -u
. "$ROOT/tests/lib.sh"

RN=$ROOT/tests/resnet
REF=$ROOT/tests/py/resnet_ref.py
MK=$ROOT/tests/py/make_resnet_ckpt.py
configs=$(cd "$RN" && grep -l '^model = dict(' *.py | grep -v '^bad-\|^_')
tiny=$(cd "$RN" && ls tiny-*.py)
bads=$(cd "$RN" && ls bad-*.py)
models=$(awk '/^Models:/ {m = 1} m && /^  - Name:/ {print $3}' "$RN/metafile.yml")
n_cfg=$(echo "$configs" | wc -w); n_tiny=$(echo "$tiny" | wc -w); n_bad=$(echo "$bads" | wc -w)
n_models=$(echo "$models" | wc -w)
n_ops=$("$PY" "$RN/ops_check.py" --list 2>/dev/null || echo 0)
n_kern=3  # skx, haswell, haswell under ASan/UBSan
full="resnet50:224 resnet18:224 resnext50-32x4d:224 seresnet50:224 resnet18_cifar:32"
n_full=$(echo "$full" | wc -w)
lib_san="tiny-se tiny-v1d"; n_lib_san=$(echo "$lib_san" | wc -w)
wino_cases="tiny-basic:2 tiny-basic:4 tiny-basic:off tiny-bottleneck:2 tiny-bottleneck:4
  tiny-caffe:4 tiny-cifar:4 tiny-se:2 tiny-v1c:4 tiny-v1d:2 tiny-v1d:4 tiny-bottleneck:4:haswell
  tiny-basic:2:generic"
wino_san=tiny-v1d:4; n_wino=$(echo "$wino_cases" | wc -w)
# 7: per tiny config 5, ASan/UBSan libraries 1 each, Winograd 5 per case + ASan/UBSan 1 +
# refusals 2, pixels 2, full size 4 each + RSS 1, the in-place bottleneck ends 1, the stem's
# panels 1
echo "plan $((n_cfg + n_models + n_bad + n_tiny + 2 * n_tiny + 4 + 4 + n_kern * (n_ops + 1) + 2 + 4 * n_tiny + 2 * n_full + 5 * n_tiny + n_tiny + n_lib_san + 5 * n_wino + 3 + 2 + 4 * n_full + 1 + 1 + 1))"
[ "$n_ops" -gt 0 ] || fail ops_list "ops_check.py --list failed"

# {================================================================== 1. names and shapes
(cd "$RN" && "$PY" "$REF" --keys-dir "$OUT" $configs) >"$OUT/ref-keys.err" 2>&1
for c in $configs; do
  n=${c%.py}
  if "$MMCC_SAN" inspect "$RN/$c" --tensors >"$OUT/$n.card.json" 2>"$OUT/$n.card.err" &&
     [ -s "$OUT/$n.ref.json" ]; then
    check "inspect_keys_$n" "$PY" "$RN/check_keys.py" "$OUT/$n.card.json" "$OUT/$n.ref.json"
  else
    fail "inspect_keys_$n" "$(tail -c 300 "$OUT/$n.card.err" "$OUT/ref-keys.err" | tr '\n' ' ')"
  fi
done
# }==================================================================

# {================================================================== 2. metafile numbers
for mname in $models; do
  if "$MMCC" inspect "$RN/metafile.yml" "$mname" >"$OUT/m.json" 2>"$OUT/m.err"; then
    p=$(grep -o '"parameters": [0-9]*' "$OUT/m.json" | grep -o '[0-9]*$')
    mp=$(grep -o '"metafile_parameters": [0-9]*' "$OUT/m.json" | grep -o '[0-9]*$')
    if [ -n "$p" ] && [ -n "$mp" ] && [ $(( (p + 5000) / 10000 * 10000 )) -eq "$mp" ]; then
      ok "params_metafile_$mname"
    else
      fail "params_metafile_$mname" "parameters ${p:-?} vs metafile ${mp:-?} (0.01 M)"
    fi
  else
    fail "params_metafile_$mname" "$(head -c 300 "$OUT/m.err")"
  fi
done
# }==================================================================

# {================================================================== 3. refusals
for b in $bads; do
  key=$(sed -n '1s/^# Refused: \(.*\) (tests.*/\1/p' "$RN/$b")
  expect_error "refuse_${b%.py}" "$b:[0-9]+:[0-9]+: error: .*$key" "$MMCC_SAN" inspect "$RN/$b"
done
for c in $tiny; do  # the lowering, planner and packer under ASan/UBSan (random weights)
  n=${c%.py}
  rm -rf "$OUT/gen-san"
  "$MMCC_SAN" build "$RN/$c" --weights random:3 --out "$OUT/gen-san" --no-build >"$OUT/san.log" 2>&1; rc=$?
  if [ $rc -ne 0 ]; then fail "san_build_$n" "exit $rc: $(grep -m1 -E 'Sanitizer|runtime error|error' "$OUT/san.log" | head -c 300)"
  elif grep -q -E 'Sanitizer|runtime error' "$OUT/san.log"; then fail "san_build_$n" "$(grep -m1 -E 'Sanitizer|runtime error' "$OUT/san.log")"
  else ok "san_build_$n"; fi
done
rm -rf "$OUT/gen-san"
# }==================================================================

# {================================================================== 4. checkpoints
mkdir -p "$OUT/ck"
for c in $tiny; do
  n=${c%.py}
  if "$PY" "$MK" "$RN/$c" "$OUT/ck/$n.pth" >"$OUT/ck/$n.log" 2>&1; then
    check "ckpt_check_$n" "$MMCC_SAN" check "$RN/$c" --checkpoint "$OUT/ck/$n.pth" --no-verify
    size=$(grep -q ResNet_CIFAR "$RN/$c" && echo 32 || echo 64)
    check "ref_sanity_$n" "$PY" "$RN/ref_sanity.py" "$RN/$c" "$OUT/ck/$n.pth" "$size"
  else
    fail "ckpt_check_$n" "make_resnet_ckpt: $(tail -c 300 "$OUT/ck/$n.log")"
    fail "ref_sanity_$n" "no checkpoint"
  fi
done
# full size: the reference against torchvision; mmcc check through the metafile
tv=0; "$PY" -c 'import torchvision' 2>/dev/null && tv=1
for pair in resnet18:resnet18 resnet50:resnet50 resnext50-32x4d:resnext50_32x4d; do
  n=${pair%%:*} arch=${pair#*:}
  if [ $tv -eq 0 ]; then
    skip "ref_vs_torchvision_$n" "python3-torchvision is not installed (scripts/install-deps --test)"
    [ "$n" = resnet50 ] && skip metafile_check_resnet50 "needs the resnet50 checkpoint made with the torchvision check"
    continue
  fi
  if "$PY" "$MK" "$RN/$n.py" "$OUT/ck/$n.pth" >"$OUT/ck/$n.log" 2>&1; then
    check "ref_vs_torchvision_$n" "$PY" "$RN/tv_check.py" "$RN/$n.py" "$OUT/ck/$n.pth" "$arch"
  else
    fail "ref_vs_torchvision_$n" "make_resnet_ckpt: $(tail -c 300 "$OUT/ck/$n.log")"
  fi
  if [ "$n" = resnet50 ]; then
    check metafile_check_resnet50 "$MMCC" check "$RN/metafile.yml" resnet50_8xb32_in1k \
      --checkpoint "$OUT/ck/$n.pth" --no-verify
  fi
done
# damaged checkpoints
c=$RN/tiny-se.py
if "$PY" "$MK" "$c" "$OUT/ck/drop.pth" --drop backbone.layer1.0.bn3.running_var >/dev/null 2>&1 &&
   "$PY" "$MK" "$c" "$OUT/ck/nobt.pth" --no-batches-tracked >/dev/null 2>&1 &&
   "$PY" "$MK" "$c" "$OUT/ck/int.pth" --int64 backbone.layer1.0.bn1.running_mean >/dev/null 2>&1; then
  expect_error ckpt_missing_buffer "tensor 'backbone.layer1.0.bn3.running_var' is missing" \
    "$MMCC_SAN" check "$c" --checkpoint "$OUT/ck/drop.pth" --no-verify
  # num_batches_tracked is required like every state-dict entry (main's ckpt_check rule)
  expect_error ckpt_without_batches_tracked "tensor 'backbone.bn1.num_batches_tracked' is missing" \
    "$MMCC_SAN" check "$c" --checkpoint "$OUT/ck/nobt.pth" --no-verify
  expect_error ckpt_int64_buffer "tensor 'backbone.layer1.0.bn1.running_mean': storage type torch.LongStorage is not supported" \
    "$MMCC_SAN" check "$c" --checkpoint "$OUT/ck/int.pth" --no-verify
  if "$PY" "$RN/to_safetensors.py" "$OUT/ck/tiny-se.pth" "$OUT/ck/se.safetensors" 2>"$OUT/st.err"; then
    check ckpt_safetensors_int64 "$MMCC_SAN" check "$c" --checkpoint "$OUT/ck/se.safetensors" --no-verify
  else
    fail ckpt_safetensors_int64 "$(tail -c 300 "$OUT/st.err")"
  fi
else
  for n in ckpt_missing_buffer ckpt_without_batches_tracked ckpt_int64_buffer ckpt_safetensors_int64; do
    fail "$n" "make_resnet_ckpt failed"
  done
fi
# }==================================================================

# {================================================================== 5. runtime ops
BLIS=/usr/lib/x86_64-linux-gnu/blis-openmp/libblis.a
CF="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
SKX="-mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -DMMRT_UKR=bli_sgemm_skx_asm_32x12_l2 -DMMRT_MR=32 -DMMRT_NR=12 -DMMRT_KC=384 -DMMRT_COL_PREF=1 -DMMRT_L2_BYTES=2097152"
HSW="-mavx2 -mfma -DMMRT_UKR=bli_sgemm_haswell_asm_6x16 -DMMRT_MR=6 -DMMRT_NR=16 -DMMRT_KC=256 -DMMRT_COL_PREF=0 -DMMRT_L2_BYTES=2097152"
SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
for kern in skx haswell haswell_san; do
  case $kern in
    skx) kf=$SKX need="avx512f avx512dq avx512bw avx512vl avx2 fma" extra=-O2 ;;
    haswell) kf=$HSW need="avx2 fma" extra=-O2 ;;
    haswell_san) kf=$HSW need="avx2 fma" extra=$SAN ;;
  esac
  missing=""; for f in $need; do echo "$flags" | grep -qw "$f" || missing="$missing $f"; done
  if [ -n "$missing" ] || [ ! -f "$BLIS" ]; then
    why=${missing:+this CPU lacks$missing}; why=${why:-no $BLIS}
    skip "ops_build_$kern" "$why"
    for i in $(seq "$n_ops"); do skip "ops_${kern}_case$i" "$why"; done
    continue
  fi
  # shellcheck disable=SC2086
  if cc $CF $extra $kf -o "$OUT/ops_$kern" "$RN/ops_driver.c" "$ROOT/compiler/fold_bn.c" \
      "$BLIS" -lm >"$OUT/ops_$kern.log" 2>&1; then
    ok "ops_build_$kern"
    mkdir -p "$OUT/ops_w_$kern"
    # the driver's buffers live until exit (a test program): leak checking is off for it only
    ASAN_OPTIONS=detect_leaks=0 "$PY" "$RN/ops_check.py" "$OUT/ops_$kern" "$kern" "$OUT/ops_w_$kern" ||
      echo "(ops_check.py exited non-zero for $kern)"
  else
    fail "ops_build_$kern" "$(grep -m3 -E 'error|undefined' "$OUT/ops_$kern.log" | tr '\n' ' ')"
    for i in $(seq "$n_ops"); do fail "ops_${kern}_case$i" "driver did not build"; done
  fi
done
# }==================================================================

# {================================================================== 6. whole networks
# The compiler's objects (except main.o) as archives, for net_driver.c.
NETK="$HSW" netk=haswell
echo "$flags" | grep -qw avx512f && echo "$flags" | grep -qw avx512bw && NETK="$SKX" netk=skx
net_build() {  # NAME OBJDIR EXTRA-FLAGS
  local name=$1 objs
  objs=$(ls "$2"/*.o 2>/dev/null | grep -v '/main\.o$')
  rm -f "$OUT/lib$name.a"
  # shellcheck disable=SC2086
  if [ -n "$objs" ] && ar rcs "$OUT/lib$name.a" $objs 2>"$OUT/$name.log" &&
     cc $CF $3 -I"$ROOT/compiler" -o "$OUT/$name" "$RN/net_driver.c" "$OUT/lib$name.a" "$BLIS" \
       -lyaml -lm >>"$OUT/$name.log" 2>&1; then
    ok "build_$name"
  else
    fail "build_$name" "no objects in $2, or: $(grep -m3 -E 'error|undefined' "$OUT/$name.log" | tr '\n' ' ')"
    return 1
  fi
}
declare -A have_net
net_run() {  # DRIVER-NAME CONFIG:SIZE... (2 checks each)
  local drv=$1 tag=${1#net_} cases=() c n; shift
  for c in "$@"; do
    n=${c%%.py:*}
    if [ ! -f "$OUT/ck/$n.pth" ] || [ -z "${have_net[$drv]:-}" ]; then
      local why="no checkpoint"; [ -z "${have_net[$drv]:-}" ] && why="net_driver did not build"
      fail "net_${tag}_${n}_b1" "$why"; fail "net_${tag}_${n}_b3" "$why"
    else
      cases+=("$RN/$n.py:$OUT/ck/$n.pth:${c##*:}")
    fi
  done
  [ ${#cases[@]} -gt 0 ] || return
  ASAN_OPTIONS=detect_leaks=0 "$PY" "$RN/net_check.py" "$OUT/$drv" "$tag" "$OUT/net_w/$drv" "${cases[@]}" ||
    echo "(net_check.py exited non-zero for $drv)"
}
mkdir -p "$OUT/net_w"
net_build "net_$netk" "$ROOT/build" "-O2 $NETK" && have_net[net_$netk]=1
net_build net_haswell_san "$ROOT/build-san" "$SAN $HSW" && have_net[net_haswell_san]=1
tiny_cases=(); for c in $tiny; do tiny_cases+=("$c:57"); done
full_cases=()
for pair in $full; do
  n=${pair%%:*} size=${pair#*:}
  if [ "$n" != resnet50 ] && [ -z "${MMCC_TEST_FULL:-}" ]; then
    skip "net_${netk}_${n}_b1" "full size: set MMCC_TEST_FULL=1 (make test-full)"
    skip "net_${netk}_${n}_b3" "full size: set MMCC_TEST_FULL=1 (make test-full)"
    continue
  fi
  [ -f "$OUT/ck/$n.pth" ] || "$PY" "$MK" "$RN/$n.py" "$OUT/ck/$n.pth" >"$OUT/ck/$n.log" 2>&1
  full_cases+=("$n.py:$size")
done
net_run "net_$netk" "${tiny_cases[@]}" "${full_cases[@]}"
net_run net_haswell_san "${tiny_cases[@]}"
# }==================================================================

# {================================================================== 7. compiled libraries
CG=$ROOT/tests/codegen
GEN=$OUT/lib; mkdir -p "$GEN"
CFT="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"
insize() { grep -q ResNet_CIFAR "$RN/$1.py" && echo 32 || echo 224; }
make_input() {  # FILE N SIZE SEED
  "$PY" -c "import numpy as np; np.random.RandomState($4).randn($2, 3, $3, $3).astype('<f4').tofile('$1')"
}
# lib_build NAME [TAG [BUILD-ARGS...]] -> $GEN/TAG/NAME (the library), $GEN/TAG.shim.h,
# $GEN/TAG.run (TAG defaults to NAME); check build_TAG; 0 on success
lib_build() {
  local n=$1 tag=${2:-$1} ck=$OUT/ck/$1.pth dir id up
  shift; [ $# -gt 0 ] && shift
  rm -rf "${GEN:?}/$tag" "$GEN/$tag.lib"
  if [ ! -f "$ck" ]; then fail "build_$tag" "no checkpoint (make_resnet_ckpt.py failed above)"; return 1; fi
  if ! "$MMCC" build "$RN/$n.py" --checkpoint "$ck" --out "$GEN/$tag" "$@" >"$GEN/$tag.build.log" 2>&1; then
    fail "build_$tag" "mmcc build $*: $(grep -m2 error "$GEN/$tag.build.log" | tr '\n' ' ')"; return 1
  fi
  dir=$GEN/$tag/$n
  id=$(basename "$(ls "$dir"/*.h | head -1)" .h); up=$(echo "$id" | tr '[:lower:]' '[:upper:]')
  cat >"$GEN/$tag.shim.h" <<EOF
#include "$id.h"
#define M_FORWARD ${id}_forward
#define M_CLASSIFY ${id}_classify_rgb8
#define M_BGR ${up}_BGR
#define M_WS ${up}_WORKSPACE_BYTES
#define M_C ${up}_INPUT_CHANNELS
#define M_H ${up}_INPUT_HEIGHT
#define M_W ${up}_INPUT_WIDTH
#define M_OUT ${up}_NUM_CLASSES
EOF
  # shellcheck disable=SC2086
  if ! cc $CFT -I"$dir" -include "$GEN/$tag.shim.h" -o "$GEN/$tag.run" "$CG/run_model.c" \
      "$dir/lib$id.a" -lm -lpthread >"$GEN/$tag.cc.log" 2>&1; then
    fail "build_$tag" "run_model does not link with lib$id.a -lm -lpthread: $(grep -m2 -E 'error|undefined' "$GEN/$tag.cc.log" | tr '\n' ' ')"
    return 1
  fi
  echo "$dir/lib$id.a" >"$GEN/$tag.lib"
  ok "build_$tag"
}
# lib_parity TAG RUN NAME BATCH THREADS: parity_TAG_bBATCH
lib_parity() {
  local tag=$1 run=$2 n=$3 b=$4 t=$5 size
  size=$(insize "$n")
  make_input "$GEN/$n.in$b" "$b" "$size" "$b"
  if ! "$PY" "$REF" "$RN/$n.py" "$OUT/ck/$n.pth" "$GEN/$n.in$b" "$b" "$GEN/$n.ref$b" >"$GEN/$n.ref.log" 2>&1; then
    fail "parity_${tag}_b$b" "reference: $(tail -n 2 "$GEN/$n.ref.log" | tr '\n' ' ')"
  elif ! "$run" "$GEN/$n.in$b" "$b" "$GEN/$n.$tag.out$b.t$t" "$t" >"$GEN/$n.run.log" 2>&1; then
    fail "parity_${tag}_b$b" "run_model: $(tail -c 300 "$GEN/$n.run.log" | tr '\n' ' ')"
  else
    run_checker "parity_${tag}_b$b" 1 "$PY" "$CG/compare.py" "$GEN/$n.$tag.out$b.t$t" \
      "$GEN/$n.ref$b" "$b" "parity_${tag}_b$b"
  fi
}
lib_threads() {  # NAME [TAG]: batch 3, 2 and 3 threads against 1 thread's bytes (threads_TAG)
  local n=$1 tag=${2:-$1} t why=""
  [ -f "$GEN/$n.$tag.out3.t1" ] || { fail "threads_$tag" "no 1-thread output (reported above)"; return; }
  for t in 2 3; do
    if ! "$GEN/$tag.run" "$GEN/$n.in3" 3 "$GEN/$n.$tag.out3.t$t" "$t" >/dev/null 2>&1; then why="$t threads: run failed"; break
    elif ! cmp -s "$GEN/$n.$tag.out3.t1" "$GEN/$n.$tag.out3.t$t"; then why="$t threads differ from 1 thread"; break; fi
  done
  if [ -n "$why" ]; then fail "threads_$tag" "$why"; else ok "threads_$tag (batch 3, 1 2 3 threads: identical bytes)"; fi
}
lib_model() {  # NAME [header]: build (+ header) + parity at batch 1 and 3 + threads
  local n=$1 size c h w o ws k=3
  [ "${2:-}" = header ] && k=4
  if ! lib_build "$n"; then
    for i in $(seq $k); do skip "after_build_${n}_$i" "build_$n failed (reported above)"; done
    return
  fi
  if [ "${2:-}" = header ]; then
    size=$(insize "$n")
    read -r c h w o ws <<<"$("$GEN/$n.run" --info)"
    if [ "$c $h $w" = "3 $size $size" ]; then ok "header_$n (3x${h}x${w} -> $o, workspace $ws bytes)"
    else fail "header_$n" "C H W = $c $h $w, wanted 3 $size $size"; fi
  fi
  lib_parity "$n" "$GEN/$n.run" "$n" 1 1
  lib_parity "$n" "$GEN/$n.run" "$n" 3 1
  lib_threads "$n"
}
if [ ! -x "$MMCC" ]; then echo "FAIL resnet_lib: no $MMCC (run make)"; exit 1; fi
for c in $tiny; do lib_model "${c%.py}" header; done
# lower_resnet.c's chunk: the head (stem and the blocks before 14 x 14) runs one image at a
# time in an image loop, the tail on the chunk's images at once (batched ops). Each
# image's logits are the same bytes in lib_model's batch of 3 (one chunk of three) as alone
# at batch 1, and the generated forward has the one image loop and the batched tail.
chunk_check() {  # NAME
  local n=$1 src=$GEN/$1/$1/src/model.c size bytes i why=""
  if [ ! -f "$src" ] || [ ! -f "$GEN/$n.$n.out3.t1" ]; then
    fail "chunk_$n" "no generated model.c or batch-3 output (reported above)"; return
  fi
  size=$(insize "$n"); bytes=$((3 * size * size * 4))
  : >"$GEN/$n.alone3"
  for i in 0 1 2; do
    dd if="$GEN/$n.in3" of="$GEN/$n.in1.$i" bs="$bytes" skip="$i" count=1 status=none
    if ! "$GEN/$n.run" "$GEN/$n.in1.$i" 1 "$GEN/$n.out1.$i" 1 >/dev/null 2>&1; then why="image $i alone: run failed"; break; fi
    cat "$GEN/$n.out1.$i" >>"$GEN/$n.alone3"
  done
  local loops tail
  loops=$(grep -c 'for (int im = 0; im < n; im++)' "$src")
  # convolutions on the chunk's images (M = n * pixels), and whether any has an output of
  # 14 x 14 or fewer pixels (then the tail has some)
  tail=$("$PY" - "$src" <<'PYEOF'
import re, sys
s = open(sys.argv[1]).read()
calls = re.findall(r'mmrt_op_(conv_gemm|wino_out)\(([^;]*)\);', s)
small = batched = 0
for kind, args in calls:
    a = [x.strip() for x in args.split(',')]
    oh, ow = (a[17], a[18]) if kind == 'conv_gemm' else (a[6], a[7])
    small += int(oh) * int(ow) <= 196
    batched += (a[2].startswith('n * ') if kind == 'conv_gemm' else a[5] == 'n')
print(batched, 1 if small else 0)
PYEOF
)
  if [ -n "$why" ]; then fail "chunk_$n" "$why"
  elif ! cmp -s "$GEN/$n.alone3" "$GEN/$n.$n.out3.t1"; then fail "chunk_$n" "batch 3 differs from its images run alone"
  elif [ "$loops" != 1 ] || ! case "$tail" in "0 0" | [1-9]*" 1") true ;; *) false ;; esac; then
    fail "chunk_$n" "$loops image loops; batched convolutions, any output <= 14x14: ${tail:-?} (want 1 loop, batched ones iff small ones)"
  else ok "chunk_$n (batch 3 = each image alone, bytes; 1 image loop, ${tail% *} batched convolutions)"; fi
}
for c in $tiny; do chunk_check "${c%.py}"; done
# plan.c's in-place ops: every bottleneck's last 1x1 (a residual, kernel 1) writes over its
# residual in tiny-bottleneck's generated code (13 blocks), which lib_model above ran against
# the reference at batch 1 and 3 and for 1/2/3 threads
inplace_check() {  # NAME BLOCKS
  local src=$GEN/$1/$1/src/model.c got
  if [ ! -f "$src" ]; then fail "inplace_$1" "no generated model.c (build_$1 failed above)"; return; fi
  got=$("$PY" - "$src" <<'PYEOF'
import re, sys
s = open(sys.argv[1]).read()
off = dict(re.findall(r'^#define WS_(\w+) (\d+)', s, re.M))
n = same = 0
for args in re.findall(r'mmrt_op_conv_gemm\(([^;]*)\);', s):
    a = [x.strip() for x in args.split(',')]
    if a[8] != 'NULL' and a[14] == '1':
        n += 1
        same += off.get(a[0].upper()) is not None and off.get(a[0].upper()) == off.get(a[8].upper())
print(n, same)
PYEOF
)
  if [ "$got" = "$2 $2" ]; then ok "inplace_$1 ($2 bottleneck ends: each output at its residual's workspace offset)"
  else fail "inplace_$1" "1x1 convolutions with a residual, and of those in place: ${got:-?} (wanted $2 $2)"; fi
}
inplace_check tiny-bottleneck 13
# lower_resnet.c: the stem's patches in a buffer of their own, dead before the panels every
# later product shares are first used (ResNet-50: 12544 x 147 floats that no other product
# needs; sized by them, the shared panels kept 7.4 MB for the whole forward)
stem_check() {  # NAME
  local src=$GEN/$1/$1/src/model.c got
  if [ ! -f "$src" ]; then fail "stem_panels_$1" "no generated model.c (build_$1 failed above)"; return; fi
  got=$("$PY" - "$src" <<'PYEOF'
import re, sys
s = open(sys.argv[1]).read()
life = {n: (int(a), int(b)) for n, a, b in re.findall(r'^#define WS_(\w+) \d+ /\*.*ops (\d+)\.\.(\d+)', s, re.M)}
if 'STEM_XP' not in life or 'XP' not in life:
    print('no', sorted(life)[:6])
else:
    print('ok' if life['XP'][0] > life['STEM_XP'][1] else 'overlap', life['STEM_XP'], life['XP'])
PYEOF
)
  case $got in
    ok*) ok "stem_panels_$1 (stem patches ops ${got#ok }; the shared panels after)" ;;
    *) fail "stem_panels_$1" "want the stem's patches in a buffer of their own, dead before the shared panels: $got" ;;
  esac
}
stem_check tiny-bottleneck
# ASan/UBSan: the generated sources rebuilt with the sanitizers (as robust.sh does)
SANL="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
lib_san_parity() {  # NAME TAG [BUILD-ARGS...]: parity_asan_ubsan_TAG_b3 (3 threads)
  local n=$1 tag=$2 d lib; shift 2
  d=$GEN/$tag-san/$n
  if [ ! -f "$GEN/$tag.lib" ]; then fail "parity_asan_ubsan_${tag}_b3" "no library (build_$tag failed above)"; return; fi
  rm -rf "$GEN/$tag-san"
  lib=$(basename "$(cat "$GEN/$tag.lib")")
  # shellcheck disable=SC2086
  if ! "$MMCC" build "$RN/$n.py" --checkpoint "$OUT/ck/$n.pth" --no-build --out "$GEN/$tag-san" "$@" >"$GEN/$tag.san.log" 2>&1 ||
     ! make -s -C "$d" CFLAGS="$SANL" >>"$GEN/$tag.san.log" 2>&1 ||
     ! cc -std=c11 -D_GNU_SOURCE $SANL -I"$d" -include "$GEN/$tag.shim.h" -o "$GEN/$tag.san.run" \
       "$CG/run_model.c" "$d/$lib" -lm -lpthread >>"$GEN/$tag.san.log" 2>&1; then
    fail "parity_asan_ubsan_${tag}_b3" "build with CFLAGS='$SANL': $(grep -m2 -E 'error|undefined' "$GEN/$tag.san.log" | tr '\n' ' ')"
  else
    lib_parity "asan_ubsan_$tag" "$GEN/$tag.san.run" "$n" 3 3
  fi
  rm -rf "$GEN/$tag-san"
}
for n in $lib_san; do lib_san_parity "$n" "$n"; done
# Winograd: every 3x3 stride-1 convolution forced to F(2,3) or F(4,3) (edge tiles clipped
# at 14 x 14 and 7 x 7; auto, m = 4 from 28 x 28, is what every other library here uses),
# on the x86_64 target and on haswell and generic; off: none. Per case: the build, the
# Winograd ops in the generated forward (or none), parity at batch 1 and 3, identical bytes
# for 1, 2 and 3 threads; one case rebuilt with ASan/UBSan.
for cs in $wino_cases; do
  IFS=: read -r n w tg <<<"$cs"
  tag=$n-wino$w${tg:+-$tg}
  if ! lib_build "$n" "$tag" --winograd "$w" ${tg:+--target "$tg"}; then
    for i in 1 2 3 4; do skip "after_build_${tag}_$i" "build_$tag failed (reported above)"; done
    [ "$cs" = "$wino_san" ] && skip "parity_asan_ubsan_${tag}_b3" "build_$tag failed (reported above)"
    continue
  fi
  nw=$(grep -c 'mmrt_op_wino_gemm(' "$GEN/$tag/$n/src/model.c")
  if [ "$w" = off ] && [ "$nw" -eq 0 ]; then ok "wino_ops_$tag (none)"
  elif [ "$w" != off ] && [ "$nw" -gt 0 ] && grep -q "F($w,3)" "$GEN/$tag/$n/src/model.c"; then ok "wino_ops_$tag ($nw convolutions)"
  else fail "wino_ops_$tag" "$nw mmrt_op_wino_gemm calls in the forward (--winograd $w)"; fi
  lib_parity "$tag" "$GEN/$tag.run" "$n" 1 1
  lib_parity "$tag" "$GEN/$tag.run" "$n" 3 1
  lib_threads "$n" "$tag"
  [ "$cs" = "$wino_san" ] && lib_san_parity "$n" "$tag" --winograd "$w" ${tg:+--target "$tg"}
  rm -rf "${GEN:?}/$tag"
done
# the option's refusals: exit 2 (usage), the message, no output
wino_usage() {  # NAME REGEX ARGS...
  local c=$1 re=$2; shift 2
  rm -rf "$GEN/wu"
  "$MMCC" build "$RN/tiny-basic.py" --weights random --out "$GEN/wu" "$@" >"$GEN/wu.log" 2>&1; local rc=$?
  if [ $rc -eq 2 ] && grep -q -E -- "$re" "$GEN/wu.log" && [ ! -e "$GEN/wu" ]; then ok "$c (exit 2, message, no output)"
  else fail "$c" "exit $rc, output $([ -e "$GEN/wu" ] && echo left || echo none): $(head -c 300 "$GEN/wu.log")"; fi
}
wino_usage winograd_bad_value "bad --winograd '3' \(want auto, off, 2 or 4\)" --winograd 3
wino_usage winograd_bf16 "--winograd 4 is fp32 only" --winograd 4 --precision bf16
# pixels in: the compiled test pipeline + forward against OpenCV + the reference
pixels() {  # NAME W H SCALE CROP TO_RGB MEAN STD
  local n=$1; shift
  if [ ! -f "$GEN/$n.lib" ]; then fail "pixels_$n" "no library (build_$n failed above)"; return; fi
  if ! cc $CFT -I"$(dirname "$(cat "$GEN/$n.lib")")" -include "$GEN/$n.shim.h" -o "$GEN/$n.cls" \
      "$RN/classify_drv.c" "$(cat "$GEN/$n.lib")" -lm -lpthread >"$GEN/$n.cls.log" 2>&1; then
    fail "pixels_$n" "classify_drv: $(grep -m2 -E 'error|undefined' "$GEN/$n.cls.log" | tr '\n' ' ')"; return
  fi
  run_checker "pixels_$n" 1 "$PY" "$RN/pixels_check.py" "pixels_$n" "$GEN/$n.cls" "$RN/$n.py" \
    "$OUT/ck/$n.pth" "$@"
}
pixels tiny-basic 301 233 256 224 1 123.675,116.28,103.53 58.395,57.12,57.375
pixels tiny-cifar 32 32 0 0 0 125.307,122.961,113.8575 51.5865,50.847,51.255
for c in $tiny; do rm -rf "${GEN:?}/${c%.py}"; done
# full size
for pair in $full; do
  n=${pair%%:*}
  if [ "$n" != resnet50 ] && [ -z "${MMCC_TEST_FULL:-}" ]; then
    for k in "build_$n" "parity_${n}_b1" "parity_${n}_b3" "threads_$n"; do
      skip "$k" "full size: set MMCC_TEST_FULL=1 (make test-full)"
    done
    continue
  fi
  [ -f "$OUT/ck/$n.pth" ] || "$PY" "$MK" "$RN/$n.py" "$OUT/ck/$n.pth" >"$OUT/ck/$n.log" 2>&1
  start=$(date +%s)
  lib_model "$n"
  echo "# full size $n: $(( $(date +%s) - start ))s"
  if [ "$n" = resnet50 ]; then
    # peak RSS of one call (1 image, 1 thread) against the embedded weights + 32 MiB
    blob=$(grep -o 'blob embedded by weights.S ([0-9]* bytes' "$GEN/$n/$n/src/model.c" 2>/dev/null | grep -o '[0-9]*')
    if [ ! -f "$GEN/$n.lib" ] || [ -z "$blob" ]; then fail rss_resnet50 "no library (build_resnet50 failed above)"
    elif ! /usr/bin/time -f '%M' -o "$GEN/rss" "$GEN/$n.run" "$GEN/$n.in1" 1 "$GEN/rss.out" 1 >/dev/null 2>&1; then
      fail rss_resnet50 "run_model failed under /usr/bin/time"
    else
      kb=$(tail -n 1 "$GEN/rss"); lim=$(( blob / 1024 + 32 * 1024 ))
      if [ "$kb" -le "$lim" ]; then ok "rss_resnet50 (peak $kb KiB <= weights $(( blob / 1024 )) KiB + 32 MiB)"
      else fail rss_resnet50 "peak RSS $kb KiB > weights $(( blob / 1024 )) KiB + 32 MiB"; fi
    fi
  fi
  rm -rf "${GEN:?}/$n"
done
# }==================================================================
