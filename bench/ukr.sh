#!/usr/bin/env bash
# bench/ukr.sh: builds and runs bench/ukr.c (own micro-kernels vs BLIS's skx kernel; needs
# an AVX-512 CPU and Debian's libblis-openmp-dev). Not part of `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_DIR:-${TMPDIR:-/tmp}/mmcc-bench}/ukr
mkdir -p "$W"
ar p /usr/lib/x86_64-linux-gnu/blis-openmp/libblis.a bli_sgemm_skx_asm_32x12_l2.o >"$W/blis_skx.o"
F="-std=c11 -D_GNU_SOURCE -O3 -Wall -Wextra -I$ROOT/runtime"
SKX="-mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -DMMRT_MR=32 -DMMRT_NR=12 -DMMRT_KC=384 -DMMRT_COL_PREF=1 -DMMRT_L2_BYTES=2097152"
for k in skx haswell generic; do cc $F -c -o "$W/ukr_$k.o" "$ROOT/runtime/mmrt_ukr_$k.c"; done
cc $F $SKX -DMMRT_UKR=bli_sgemm_skx_asm_32x12_l2 -DGEMM_FN=gemm_blis -c -o "$W/g_blis.o" "$ROOT/bench/ukr_gemm.c"
cc $F $SKX -DMMRT_UKR=mmrt_ukr_skx -DMMRT_UKR_OWN=1 -DGEMM_FN=gemm_own -c -o "$W/g_own.o" "$ROOT/bench/ukr_gemm.c"
cc $F -o "$W/ukr" "$ROOT/bench/ukr.c" "$W"/ukr_*.o "$W/g_blis.o" "$W/g_own.o" "$W/blis_skx.o" -lm
echo "CPU: $(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $# -gt 0 ]; then "$W/ukr" "$@"; exit; fi
"$W/ukr" 384 16
"$W/ukr" 768 8
"$W/ukr" gemm 197 3072 768
"$W/ukr" gemm 197 768 3072
"$W/ukr" gemm 50 3072 768
"$W/ukr" gemm 197 3072 768 panels
