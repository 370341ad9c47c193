/* mmrt_ukr_generic.c: the portable path's micro-kernel (runtime/mmrt_ukr.h), plain C for
 * any CPU (the compiler may vectorise it with the baseline's SIMD; -std=c11 keeps a
 * separate multiply and add, no contraction). */
#include "mmrt_ukr.h"

void mmrt_ukr_generic(int nn, int mt, int kc, const float *w, const float *x, int accumulate,
                      float *c, long ts, long ns, const char *pf, int pfl) {
  (void)pf; /* no prefetch on the portable path */
  (void)pfl;
  float acc[12][32];
  for (int t = 0; t < 12; t++)
    for (int n = 0; n < 32; n++) acc[t][n] = 0.0f;
  for (int k = 0; k < kc; k++, w += 32, x += 12)
    for (int t = 0; t < 12; t++) {
      const float b = x[t];
      for (int n = 0; n < 32; n++) acc[t][n] += w[n] * b;
    }
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++) {
      float *e = c + t * ts + n * ns;
      *e = accumulate ? *e + acc[t][n] : acc[t][n];
    }
}

MMRT_UKR_JOIN_BY_TWO_CALLS(, mmrt_ukr_generic_join, mmrt_ukr_generic)
MMRT_UKR_FEW_BY_CALLS(, mmrt_ukr_generic_few, mmrt_ukr_generic)
