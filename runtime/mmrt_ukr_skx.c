/* mmrt_ukr_skx.c: the AVX-512 path's micro-kernel (runtime/mmrt_ukr.h): a 12 x 32 tile in
 * 24 zmm accumulators, per k-step two loads of the weight row and 12 broadcast FMAs (8 or 4
 * for a short tile, MMRT_TILE_NT; 13 or 14 for a tile that takes a short last panel's
 * tokens with it, mmrt_ukr_skx_join). */
#include "mmrt_ukr.h"
#include "mmrt_tr8.h"
#include "mmrt_tile_asm.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SKX __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* one k-step: weights w[0..31], tokens x[0..11] (and xn[0..NT-13], the next panel's) */
#define STEP(w, x, xn)                                                                  \
  do {                                                                                  \
    const __m512 w0 = _mm512_load_ps(w), w1 = _mm512_load_ps((w) + 16);                \
    _Pragma("GCC unroll 14")                                                            \
    for (int t = 0; t < NT; t++) {                                                      \
      const __m512 b = _mm512_set1_ps(t < 12 ? (x)[t] : (xn)[t - 12]);                  \
      a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);                                            \
      a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);                                            \
    }                                                                                   \
  } while (0)

/* d[f * 12 + t] (+= when accumulate) = a[t][f] for tokens t < 12 and features f < 16: the
 * 16 x 16 transpose of a[0..11] and four zero rows, its 16 columns of 12 joined into 12
 * full vectors (mmrt_tr16_put12). */
SKX static inline __attribute__((always_inline)) void transpose_out(const __m512 *a, float *d,
                                                                   int accumulate) {
  __m512 r[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++) r[i] = i < 12 ? a[i] : _mm512_setzero_ps();
  mmrt_tr16(r);
  mmrt_tr16_put12(d, r, accumulate);
}

/* The full tile's k loop (NT 12) in assembly (mmrt_tile_asm.h): the same steps and
 * prefetches as STEP's loop in tile_nt, accumulators out to acc. Token t of k-step s of a
 * block at x + (s * 12 + t) * 4 bytes. */
#define X_ADDR(s, t) #t "*4+" #s "*48(%[x])"
SKX static inline __attribute__((always_inline)) void loop12(int kc, const float *w,
                                                             const float *x, const char *pf,
                                                             int pfl, float *acc) {
  long n4 = kc / 4, n1 = kc % 4, iters = n4, due = 0, per = pfl;
  const long load = 0;
  if (n4 == 0)
    for (; pfl > 0; pfl--, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
  __asm__ volatile(
      MMRT_TA_START
      "test %[n4], %[n4]\n\t"
      "jz 3f\n\t"
      "1:\n\t"
      MMRT_TA_PREFETCH_L2
      /* and the tokens 8 k-steps on */
      MMRT_TA_STEP(X_ADDR, 0, "prefetcht0 384(%[x])\n\t")
      MMRT_TA_STEP(X_ADDR, 1, "prefetcht0 448(%[x])\n\t")
      MMRT_TA_STEP(X_ADDR, 2, "prefetcht0 512(%[x])\n\t")
      MMRT_TA_STEP(X_ADDR, 3, "")
      "add $512, %[w]\n\t"
      "add $192, %[x]\n\t"
      "dec %[n4]\n\t"
      "jnz 1b\n\t"
      "3:\n\t"
      "test %[n1], %[n1]\n\t"
      "jz 5f\n\t"
      "4:\n\t"
      MMRT_TA_STEP(X_ADDR, 0, "")
      "add $128, %[w]\n\t"
      "add $48, %[x]\n\t"
      "dec %[n1]\n\t"
      "jnz 4b\n\t"
      "5:\n\t"
      MMRT_TA_END
      : [w] "+&r"(w), [x] "+&r"(x), [n4] "+&r"(n4), [n1] "+&r"(n1), [due] "+&r"(due),
        [pf] "+&r"(pf)
      : [iters] "r"(iters), [per] "r"(per), [acc] "r"(acc), [load] "r"(load),
        [pw] "i"(32 * MMRT_TILE_PF_AHEAD * 4)
      : MMRT_TA_CLOBBERS);
}
#undef X_ADDR

/* The tile with NT >= mt token accumulators, NT a constant (12, 8 or 4: a short last panel
 * of a product costs what its tokens need; 13 or 14: tokens 12.. from the next panel xn;
 * each product's chain is the same for any NT). */
SKX static inline __attribute__((always_inline)) void tile_nt(int nn, int mt, int kc,
                                                                const float *w, const float *x,
                                                                const float *xn,
                                                                int accumulate, float *c,
                                                                long ts, long ns,
                                                                const char *pf, int pfl,
                                                                const int NT) {
  /* Every loop over the accumulators is unrolled with a constant trip count (NT; a row
   * past mt is skipped, not a loop bound): an index the compiler cannot fold keeps a0 / a1
   * in memory, zeroed by rep stos and spilled around the FMAs (the direct convolution's
   * tile had the same: 265 cycles per tile, 26% at K = 64, bench/results/NOTES.md). */
  __m512 a0[14], a1[14];
#pragma GCC unroll 14
  for (int t = 0; t < NT; t++) a0[t] = a1[t] = _mm512_setzero_ps();
  /* the C tile, wanted at the end, for writing (row-major: 2 lines per token; a full tile
   * of an activation panel: 384 contiguous floats) */
  if (ns == 1)
    for (int t = 0; t < mt; t++) {
      MMRT_PREFETCH_W(c + t * ts);
      MMRT_PREFETCH_W(c + t * ts + 31);
    }
  else if (ts == 1 && ns == 12 && nn == 32 && mt == 12)
    for (int l = 0; l < 24; l++) MMRT_PREFETCH_W(c + 16 * l);
  if (NT == 12) { /* the loop below, in assembly */
    float acc[12][32] __attribute__((aligned(64)));
    loop12(kc, w, x, pf, pfl, &acc[0][0]);
#pragma GCC unroll 12
    for (int t = 0; t < 12; t++) {
      a0[t] = _mm512_load_ps(acc[t]);
      a1[t] = _mm512_load_ps(acc[t] + 16);
    }
  } else {
    /* the caller's lines into L2, spread evenly over the loop's kc / 4 iterations (all at
     * once when there are none): pfl per iteration, counted in units of 1 / iterations */
    const int iters = kc / 4;
    int due = 0;
    if (iters == 0)
      for (; pfl > 0; pfl--, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
    int k = 0;
    for (; k + 4 <= kc; k += 4) {
      for (due += pfl; due >= iters; due -= iters, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
      /* into L1 ahead: the weights MMRT_TILE_PF_AHEAD k-steps on (8 lines per 4 steps), the
       * tokens 8 on (3) */
      for (int l = 0; l < 8; l++)
        _mm_prefetch((const char *)(w + 32 * MMRT_TILE_PF_AHEAD + 16 * l), _MM_HINT_T0);
      for (int l = 0; l < 3; l++) _mm_prefetch((const char *)(x + 12 * 8 + 16 * l), _MM_HINT_T0);
      STEP(w, x, xn);
      STEP(w + 32, x + 12, xn + 12);
      STEP(w + 64, x + 24, xn + 24);
      STEP(w + 96, x + 36, xn + 36);
      w += 128;
      x += 48;
      xn += 48;
    }
    for (; k < kc; k++, w += 32, x += 12, xn += 12) STEP(w, x, xn);
  }
  if (ns == 1) {
    /* row-major C: masked vector rows */
    const __mmask16 m0 = nn >= 16 ? 0xffff : (__mmask16)((1u << nn) - 1);
    const __mmask16 m1 = nn >= 32 ? 0xffff : nn <= 16 ? 0 : (__mmask16)((1u << (nn - 16)) - 1);
#pragma GCC unroll 14
    for (int t = 0; t < NT; t++) {
      if (t >= mt) continue;
      float *r = c + t * ts;
      __m512 v0 = a0[t], v1 = a1[t];
      if (accumulate) {
        v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, r), v0);
        v1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, r + 16), v1);
      }
      _mm512_mask_storeu_ps(r, m0, v0);
      _mm512_mask_storeu_ps(r + 16, m1, v1);
    }
  } else if (NT == 12 && ts == 1 && ns == 12 && nn == 32 && mt == 12) {
    /* a full tile written into an activation panel of 12 tokens (mmrt_gemm_panels): 384
     * contiguous floats, feature-major, i.e. the tile transposed, 16 features at a time in
     * registers (gathers from a copy took ~1.8x the time on AMD Zen 5) */
    transpose_out(a0, c, accumulate);
    transpose_out(a1, c + 16 * 12, accumulate);
  } else {
    /* any strides, partial tiles: element by element */
    float tile[14][32] __attribute__((aligned(64)));
#pragma GCC unroll 14
    for (int t = 0; t < NT; t++) {
      _mm512_store_ps(tile[t], a0[t]);
      _mm512_store_ps(tile[t] + 16, a1[t]);
    }
    for (int t = 0; t < mt; t++)
      for (int n = 0; n < nn; n++) {
        float *e = c + t * ts + n * ns;
        *e = accumulate ? *e + tile[t][n] : tile[t][n];
      }
  }
}

SKX void mmrt_ukr_skx(int nn, int mt, int kc, const float *w, const float *x, int accumulate,
                      float *c, long ts, long ns, const char *pf, int pfl) {
  switch (MMRT_TILE_NT(mt)) {
  case 12: tile_nt(nn, mt, kc, w, x, x, accumulate, c, ts, ns, pf, pfl, 12); break;
  case 8: tile_nt(nn, mt, kc, w, x, x, accumulate, c, ts, ns, pf, pfl, 8); break;
  default: tile_nt(nn, mt, kc, w, x, x, accumulate, c, ts, ns, pf, pfl, 4); break;
  }
}

_Static_assert(MMRT_UKR_XR + MMRT_UKR_JOIN_MAX <= 14, "the joined tile's arrays hold 14 tokens");
SKX void mmrt_ukr_skx_join(int nn, int mt, int kc, const float *w, const float *x,
                           const float *xn, int accumulate, float *c, long ts, const char *pf,
                           int pfl) {
  /* 13: 26 accumulators, two weight vectors and the broadcast in 32 zmm; 14: GCC spills
   * two or three per 4 k-steps, still ~5-10% faster than 12 + 2 (bench/results/NOTES.md) */
  if (mt == 13)
    tile_nt(nn, 13, kc, w, x, xn, accumulate, c, ts, 1, pf, pfl, 13);
  else
    tile_nt(nn, 14, kc, w, x, xn, accumulate, c, ts, 1, pf, pfl, 14);
}

/* NP weight panels against MT tokens (runtime/mmrt_ukr.h's _few): per k-step the MT
 * broadcasts, then each panel's two weight vectors, so the NP streams advance together;
 * each element's chain is the plain kernel's (one FMA per k-step in order, + C when
 * accumulate). */
SKX static inline __attribute__((always_inline)) void few_nt(int nnl, int kc, const float *w,
                                                            long wps, const float *x,
                                                            int accumulate, float *c, long ts,
                                                            const int NP, const int MT) {
  __m512 a[4][4][2];
#pragma GCC unroll 4
  for (int q = 0; q < NP; q++)
#pragma GCC unroll 4
    for (int t = 0; t < MT; t++) a[q][t][0] = a[q][t][1] = _mm512_setzero_ps();
  for (int k = 0; k < kc; k++, w += 32, x += 12) {
    __m512 b[4];
#pragma GCC unroll 4
    for (int t = 0; t < MT; t++) b[t] = _mm512_set1_ps(x[t]);
#pragma GCC unroll 4
    for (int q = 0; q < NP; q++) {
      const __m512 w0 = _mm512_load_ps(w + q * wps), w1 = _mm512_load_ps(w + q * wps + 16);
#pragma GCC unroll 4
      for (int t = 0; t < MT; t++) {
        a[q][t][0] = _mm512_fmadd_ps(w0, b[t], a[q][t][0]);
        a[q][t][1] = _mm512_fmadd_ps(w1, b[t], a[q][t][1]);
      }
    }
  }
#pragma GCC unroll 4
  for (int q = 0; q < NP; q++) {
    const int nn = q < NP - 1 ? 32 : nnl;
    const __mmask16 m0 = nn >= 16 ? 0xffff : (__mmask16)((1u << nn) - 1);
    const __mmask16 m1 = nn >= 32 ? 0xffff : nn <= 16 ? 0 : (__mmask16)((1u << (nn - 16)) - 1);
#pragma GCC unroll 4
    for (int t = 0; t < MT; t++) {
      float *r = c + t * ts + q * 32;
      __m512 v0 = a[q][t][0], v1 = a[q][t][1];
      if (accumulate) {
        v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, r), v0);
        v1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, r + 16), v1);
      }
      _mm512_mask_storeu_ps(r, m0, v0);
      _mm512_mask_storeu_ps(r + 16, m1, v1);
    }
  }
}

_Static_assert(MMRT_UKR_FEW_MT == 4 && MMRT_UKR_FEW_PANELS(1) == 4 && MMRT_UKR_FEW_PANELS(2) == 4 &&
                   MMRT_UKR_FEW_PANELS(3) == 4 && MMRT_UKR_FEW_PANELS(4) == 3,
               "mmrt_ukr_skx_few's cases");
SKX void mmrt_ukr_skx_few(int nnl, int mt, int kc, const float *w, long wps, const float *x,
                          int accumulate, float *c, long ts) {
  switch (mt) {
  case 1: few_nt(nnl, kc, w, wps, x, accumulate, c, ts, 4, 1); break;
  case 2: few_nt(nnl, kc, w, wps, x, accumulate, c, ts, 4, 2); break;
  case 3: few_nt(nnl, kc, w, wps, x, accumulate, c, ts, 4, 3); break;
  default: few_nt(nnl, kc, w, wps, x, accumulate, c, ts, 3, 4); break;
  }
}
#else
typedef int mmrt_ukr_skx_unused; /* not an x86-64 target: nothing here */
#endif
