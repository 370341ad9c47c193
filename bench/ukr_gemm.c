/* bench/ukr_gemm.c: one product C = X W^T through mmrt_gemm_core, compiled once per kernel
 * by bench/ukr.sh (-DGEMM_FN=<name> and the target macros), for bench/ukr.c's streaming
 * case (weights larger than L2, as in a forward). */
#include "mmrt_gemm.h"

/* panels: C written as activation panels (mmrt_gemm_panels), else row-major */
void GEMM_FN(const float *xp, int M, const float *wp, int N, int K, float *c, int panels) {
  if (panels)
    mmrt_gemm_panels(xp, M, wp, N, K, c, MMRT_PANEL_FLOATS(N, MMRT_XR), 0, MMRT_PANELS(N, MMRT_WR),
                     NULL, NULL);
  else
    mmrt_gemm(xp, M, wp, N, K, c, N, 0, 0, MMRT_PANELS(N, MMRT_WR), NULL, NULL);
}
