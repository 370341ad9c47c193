/* mmrt_ukr_haswell.c: the AVX2 + FMA path's micro-kernel (runtime/mmrt_ukr.h). 16 ymm
 * registers hold a 6 x 16 tile (12 accumulators, 2 weight vectors, 1 broadcast), so the
 * 12 x 32 tile is done as four sub-tiles: two 16-feature halves of the weight panel (read
 * with the panel's stride of 32) times two 6-token halves of the activation panel. */
#include "mmrt_ukr.h"
#include "mmrt_tr8.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define HSW __attribute__((target("avx2,fma")))

/* a 6 x 16 sub-tile: weights w (stride 32), tokens x (stride 12); nh features, th tokens.
 * Named accumulators (not arrays), so that they stay in registers. */
#define ROW(t) __m256 a##t##0 = _mm256_setzero_ps(), a##t##1 = _mm256_setzero_ps()
#define FMA(t)                                 \
  b = _mm256_broadcast_ss(xk + t);             \
  a##t##0 = _mm256_fmadd_ps(w0, b, a##t##0);   \
  a##t##1 = _mm256_fmadd_ps(w1, b, a##t##1)
#define OUT(t)                               \
  _mm256_store_ps(tile[t], a##t##0);         \
  _mm256_store_ps(tile[t] + 8, a##t##1)

/* k-step o of the unrolled loop: the weights' two vectors, then the 6 tokens */
#define STEP(o)                                                                  \
  do {                                                                           \
    const __m256 w0 = _mm256_load_ps(w + (o) * 32), w1 = _mm256_load_ps(w + (o) * 32 + 8); \
    const float *xk = x + (o) * 12;                                              \
    __m256 b;                                                                    \
    FMA(0); FMA(1); FMA(2); FMA(3); FMA(4); FMA(5);                              \
  } while (0)

/* Four k-steps per iteration, the token panel prefetched 256 bytes ahead into L1 and the C
 * rows before the loop: on the AMD EPYC (Zen 3) VM, CLIP
 * p32@224 batch 1 took 0.81x the time of the plain loop (median of 10 interleaved rounds, the
 * same bytes; bench/results/NOTES.md, "eighth session"): what the loop loses when a neighbour
 * contends for L2 and memory, not its speed on a quiet core. */
HSW static void sub(int nh, int th, int kc, const float *w, const float *x, int accumulate,
                    float *c, long ts, long ns, const char *pf, int pfl) {
  ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5);
  if (ns == 1)
    for (int t = 0; t < th; t++) _mm_prefetch((const char *)(c + t * ts), _MM_HINT_T0);
  int due = 0; /* pfl lines into L2, spread over the kc k-steps (mmrt_ukr.h) */
  if (kc == 0) pfl = 0;
  int k = 0;
  for (; k + 4 <= kc; k += 4, w += 4 * 32, x += 4 * 12) {
    for (due += 4 * pfl; due >= kc; due -= kc, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
    _mm_prefetch((const char *)(x + 64), _MM_HINT_T0);
    STEP(0); STEP(1); STEP(2); STEP(3);
  }
  for (; k < kc; k++, w += 32, x += 12) {
    for (due += pfl; due >= kc; due -= kc, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
    STEP(0);
  }
  float tile[6][16] __attribute__((aligned(32)));
  OUT(0); OUT(1); OUT(2); OUT(3); OUT(4); OUT(5);
  if (ns == 1 && nh == 16) {
    for (int t = 0; t < th; t++) {
      float *r = c + t * ts;
      __m256 v0 = _mm256_load_ps(tile[t]), v1 = _mm256_load_ps(tile[t] + 8);
      if (accumulate) {
        v0 = _mm256_add_ps(_mm256_loadu_ps(r), v0);
        v1 = _mm256_add_ps(_mm256_loadu_ps(r + 8), v1);
      }
      _mm256_storeu_ps(r, v0);
      _mm256_storeu_ps(r + 8, v1);
    }
  } else if (ts == 1 && nh == 16 && th == 6) {
    /* C as activation panels (ns = 12): feature n's 6 tokens are contiguous at c + n ns, so
     * the tile is transposed (mmrt_tr8_lanes, rows 6 and 7 zero) and each feature stored as
     * 4 + 2 floats */
    for (int h8 = 0; h8 < 16; h8 += 8) {
      __m256 r[8], u[8];
      for (int i = 0; i < 6; i++) r[i] = _mm256_load_ps(tile[i] + h8);
      r[6] = r[7] = _mm256_setzero_ps();
      mmrt_tr8_lanes(r, u);
      for (int j = 0; j < 8; j++) { /* tokens 0..3 of feature h8 + j, then 4..5 */
        __m128 lo = j < 4 ? _mm256_castps256_ps128(u[j]) : _mm256_extractf128_ps(u[j - 4], 1);
        __m128 hi = j < 4 ? _mm256_castps256_ps128(u[4 + j]) : _mm256_extractf128_ps(u[j], 1);
        float *e = c + (h8 + j) * ns;
        if (accumulate) {
          lo = _mm_add_ps(_mm_loadu_ps(e), lo);
          hi = _mm_add_ps(_mm_castpd_ps(_mm_load_sd((const double *)(e + 4))), hi);
        }
        _mm_storeu_ps(e, lo);
        _mm_store_sd((double *)(e + 4), _mm_castps_pd(hi));
      }
    }
  } else {
    for (int t = 0; t < th; t++)
      for (int n = 0; n < nh; n++) {
        float *e = c + t * ts + n * ns;
        *e = accumulate ? *e + tile[t][n] : tile[t][n];
      }
  }
}

HSW void mmrt_ukr_haswell(int nn, int mt, int kc, const float *w, const float *x,
                          int accumulate, float *c, long ts, long ns, const char *pf, int pfl) {
  /* the prefetches go with the first sub-tile, so they are issued early in the call */
  for (int h = 0; h < 2 && h * 16 < nn; h++)
    for (int s = 0; s < 2 && s * 6 < mt; s++) {
      const int nh = nn - h * 16 < 16 ? nn - h * 16 : 16, th = mt - s * 6 < 6 ? mt - s * 6 : 6;
      const int first = h == 0 && s == 0;
      sub(nh, th, kc, w + h * 16, x + s * 6, accumulate, c + s * 6 * ts + h * 16 * ns, ts, ns,
          first ? pf : NULL, first ? pfl : 0);
    }
}

MMRT_UKR_JOIN_BY_TWO_CALLS(HSW, mmrt_ukr_haswell_join, mmrt_ukr_haswell)
MMRT_UKR_FEW_BY_CALLS(HSW, mmrt_ukr_haswell_few, mmrt_ukr_haswell)
#else
typedef int mmrt_ukr_haswell_unused; /* not an x86-64 target: nothing here */
#endif
