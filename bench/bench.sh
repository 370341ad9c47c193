#!/usr/bin/env bash
# bench.sh: for CLIP ViT-B p16@224 and p32@224 (bundled configs, synthetic weights): the time
# of `mmcc build` (generate + pack + compile), the library size without the weights, the
# workspace, and single-image latency at 1 and 2 threads.
#
#   bench/bench.sh [--target T] [--runs N] [CONFIG.py ...]     (run `make` first)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MMCC=${MMCC:-$ROOT/build/mmcc}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/mmcc-bench}   # outside the source tree: libraries are ~350 MB
runs=10
opts=()
cfgs=()
while [ $# -gt 0 ]; do
  case $1 in
    --target) opts+=(--target "$2"); shift 2;;
    --runs) runs=$2; shift 2;;
    *) cfgs+=("$1"); shift;;
  esac
done
[ ${#cfgs[@]} -gt 0 ] || cfgs=("$ROOT/configs/clip/vit-base-p16_pt-64xb64_in1k.py"
                               "$ROOT/configs/clip/vit-base-p32_pt-64xb64_in1k.py")
mkdir -p "$WORK"
for cfg in "${cfgs[@]}"; do
  name=$(basename "$cfg" .py)
  rm -rf "${WORK:?}/$name"
  t0=$(date +%s.%N)
  "$MMCC" build "$cfg" --weights random:1 --out "$WORK" "${opts[@]}" >"$WORK/$name.log" 2>&1 ||
    { echo "$name: mmcc build failed, see $WORK/$name.log"; exit 1; }
  t1=$(date +%s.%N)
  dir=$WORK/$name
  id=$(basename "$(ls "$dir"/*.h)" .h); up=$(echo "$id" | tr '[:lower:]' '[:upper:]')
  target=$(sed -n 's/^ \* target: *//p' "$dir/src/model.c" | head -n 1)
  code=$(cd "$dir" && ar p "lib$id.a" code.o | wc -c)
  text=$(cd "$dir" && ar x "lib$id.a" code.o && size code.o | awk 'NR == 2 {print $1 + $2 + $3}' && rm -f code.o)
  ws=$(sed -n "s/^#define ${up}_WORKSPACE_BYTES //p" "$dir/$id.h")
  cc -O2 -I"$dir" -DLIB_H="\"$id.h\"" -DID="$id" -DUP="$up" -o "$WORK/bench_$id" \
    "$ROOT/bench/bench.c" "$dir/lib$id.a" -lm -lpthread
  printf '%s (target %s)\n' "$name" "$target"
  printf '  generate+build   %.1f s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"
  printf '  library code     %s bytes (code.o member; text+data+bss %s bytes; weights separate)\n' "$code" "$text"
  printf '  workspace        %s bytes\n' "$ws"
  for th in 1 2; do printf '  '; "$WORK/bench_$id" "$th" "$runs"; done
done
