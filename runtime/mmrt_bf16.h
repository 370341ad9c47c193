/* mmrt_bf16.h: the products of a --precision bf16 library (issue 11): weights rounded to
 * bfloat16 by mmcc and packed in the bf16 panel layout (mmrt_bf16_panel.h), activations
 * rounded to bfloat16 here as they are packed for the product, sums in fp32. Siblings of
 * mmrt_gemm_core / mmrt_op_linear (mmrt_gemm.h, mmrt_ops.h) with the same C, epilogue and
 * thread-sharing contract; attention's products (no weights) stay fp32. The convolutions
 * and SE ops of the ResNet family follow at the end (siblings of mmrt_conv.h's).
 * A multi-path (x86_64) library compiles this once per path, MMRT_BF16_DP set per path,
 * over one weight layout and one workspace plan (the largest of both kinds). 
 *
 * The including file defines, besides mmrt_gemm.h's target macros:
 *   MMRT_BF16_DP  1: mmcc's own micro-kernel on vdpbf16ps (AVX512_BF16; a tile of 32 output
 *                 features x XR tokens, one pair of k per instruction, weights as the vector
 *                 operand and a token's pair broadcast);
 *                 0: the weight panels are widened to fp32 one k block at a time (exact) and
 *                 the target's fp32 kernel runs on the rounded activations.
 * Either way an output is sum_k bf16(x) * bf16(w) in fp32; only the summation order differs
 * (vdpbf16ps adds the odd k of a pair first, and flushes denormals).
 * A bf16 product is two ops with a barrier between: mmrt_op_bf16_pack makes the activation
 * panels ready (the threads share the panels) into a workspace buffer, then
 * mmrt_op_linear_bf16 / _panels_bf16 (the threads share the weight panels), with a per-thread
 * widened weight block when widening (sizes: MMRT_BF16_ACT_FLOATS, MMRT_BF16_WBLK_FLOATS,
 * planned by mmcc). Each C tile is computed whole by one thread with the same instructions
 * whatever the thread count, so results are bitwise identical for any count. */
#ifndef MMRT_BF16_H
#define MMRT_BF16_H

#include "mmrt_bf16_panel.h"
#include "mmrt_conv.h"
#include "mmrt_gemm.h"

#if MMRT_BF16_DP
#include <immintrin.h>
#endif

/* Activation panels p0..p1-1 (fp32, XR rows, K columns) -> the same panels with every value
 * rounded to bf16 (still fp32). */
MMRT_INLINE void mmrt_bf16_round_panels(float *restrict dst, const float *restrict src, int K,
                                        int np) {
  const size_t n = (size_t)np * MMRT_PANEL_FLOATS(K, MMRT_XR);
  for (size_t i = 0; i < n; i++) dst[i] = mmrt_f32_from_bf16(mmrt_bf16_from_f32(src[i]));
}

#if MMRT_BF16_DP
_Static_assert(MMRT_WR == 32, "the vdpbf16ps kernel computes 32 output features per tile");

/* Activation panels (fp32, XR rows) -> bf16 panels of XR rows (ORDER BF16 PANEL LAYOUT). */
MMRT_INLINE void mmrt_bf16_pack_panels(uint16_t *restrict dst, const float *restrict src, int K,
                                       int np) {
  const int R = MMRT_XR, kp = MMRT_BF16_PAIRS(K);
  const int xs = MMRT_PANEL_FLOATS(K, R), xh = MMRT_BF16_PANEL_HALVES(K, R);
  for (int i = 0; i < np; i++) {
    const float *restrict s = src + (size_t)i * xs;
    uint16_t *restrict d = dst + (size_t)i * xh;
    for (int p = 0; p < K / 2; p++)
      for (int t = 0; t < R; t++) {
        d[p * 2 * R + 2 * t] = mmrt_bf16_from_f32(s[2 * p * R + t]);
        d[p * 2 * R + 2 * t + 1] = mmrt_bf16_from_f32(s[(2 * p + 1) * R + t]);
      }
    if (K % 2)
      for (int t = 0; t < R; t++) {
        d[(kp - 1) * 2 * R + 2 * t] = mmrt_bf16_from_f32(s[(K - 1) * R + t]);
        d[(kp - 1) * 2 * R + 2 * t + 1] = 0;
      }
  }
}

/* One tile: C[t][n] (+)= sum over kp pairs of x(t) . w(n), t < mt, n < nn; element (t, n)
 * of C at c[t * ts + n * ns]. w: a weight panel of 32 features, x: an activation panel. */
MMRT_INLINE void mmrt_bf16_tile(int kp, const uint16_t *restrict w, const uint16_t *restrict x,
                                float *restrict c, int ts, int ns, int mt, int nn,
                                int accumulate) {
  enum { XR = MMRT_XR };
  __m512 acc[XR][2];
#pragma GCC unroll 16
  for (int t = 0; t < XR; t++) acc[t][0] = acc[t][1] = _mm512_setzero_ps();
  const int32_t *restrict xw = (const int32_t *)x;
  for (int p = 0; p < kp; p++) {
    const __m512bh w0 = (__m512bh)_mm512_loadu_si512(w + (size_t)p * 64);
    const __m512bh w1 = (__m512bh)_mm512_loadu_si512(w + (size_t)p * 64 + 32);
#pragma GCC unroll 16
    for (int t = 0; t < XR; t++) {
      const __m512bh b = (__m512bh)_mm512_set1_epi32(xw[(size_t)p * XR + t]);
      acc[t][0] = _mm512_dpbf16_ps(acc[t][0], w0, b);
      acc[t][1] = _mm512_dpbf16_ps(acc[t][1], w1, b);
    }
  }
  if (ns == 1) {
    const __mmask16 m0 = nn >= 16 ? 0xffff : (__mmask16)((1u << nn) - 1);
    const __mmask16 m1 = nn >= 32 ? 0xffff : nn <= 16 ? 0 : (__mmask16)((1u << (nn - 16)) - 1);
#pragma GCC unroll 16
    for (int t = 0; t < XR; t++) {
      if (t >= mt) break;
      float *r = c + (size_t)t * ts;
      __m512 v0 = acc[t][0], v1 = acc[t][1];
      if (accumulate) {
        v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, r), v0);
        v1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, r + 16), v1);
      }
      _mm512_mask_storeu_ps(r, m0, v0);
      _mm512_mask_storeu_ps(r + 16, m1, v1);
    }
    return;
  }
  float tile[XR][32] __attribute__((aligned(64)));
#pragma GCC unroll 16
  for (int t = 0; t < XR; t++) {
    _mm512_store_ps(tile[t], acc[t][0]);
    _mm512_store_ps(tile[t] + 16, acc[t][1]);
  }
  for (int n = 0; n < nn; n++)
    for (int t = 0; t < mt; t++) {
      float *e = c + (size_t)t * ts + (size_t)n * ns;
      *e = accumulate ? *e + tile[t][n] : tile[t][n];
    }
}

/* C = X W^T (+ C when accumulate) for weight panels j0..j1-1, as mmrt_gemm_core (PANELS: C
 * written as the next product's activation panels, ldc floats apart). */
/* Activation panels p0..p1-1 made ready for a bf16 product (mmrt_op_bf16_pack). */
MMRT_INLINE void mmrt_bf16_ready(float *act, const float *xp, int K, int p0, int p1) {
  mmrt_bf16_pack_panels((uint16_t *)act + (size_t)p0 * MMRT_BF16_PANEL_HALVES(K, MMRT_XR),
                        xp + (size_t)p0 * MMRT_PANEL_FLOATS(K, MMRT_XR), K, p1 - p0);
}

MMRT_INLINE void mmrt_gemm_bf16_core(const float *act, int M, const uint16_t *wp, int N, int K,
                                     float *c, int ldc, int panels, int accumulate, int j0,
                                     int j1, mmrt_epilogue epi, const void *ectx,
                                     float *wblk) {
  const int XR = MMRT_XR, WR = MMRT_WR, mp = MMRT_PANELS(M, XR), kp = MMRT_BF16_PAIRS(K);
  const int xh = MMRT_BF16_PANEL_HALVES(K, XR), wh = MMRT_BF16_PANEL_HALVES(K, WR);
  const int ts = panels ? 1 : ldc, ns = panels ? XR : 1;
  const uint16_t *xb = (const uint16_t *)act;
  (void)wblk;
  for (int j = j0; j < j1; j++) {
    const int n0 = j * WR, nn = N - n0 < WR ? N - n0 : WR;
    const uint16_t *w = wp + (size_t)j * wh;
    for (int i = 0; i < mp; i++) {
      const int t0 = i * XR, mt = M - t0 < XR ? M - t0 : XR;
      float *cc = panels ? c + (size_t)i * ldc + (size_t)n0 * XR : c + (size_t)t0 * ldc + n0;
      mmrt_bf16_tile(kp, w, xb + (size_t)i * xh, cc, ts, ns, mt, nn, accumulate);
      if (epi) epi(ectx, cc, ts, ns, t0, mt, n0, nn);
    }
  }
}

#else /* widening: bf16 weight panels -> fp32 one k block at a time, the fp32 kernel */

/* Columns k0..k0+kc-1 of a bf16 weight panel (WR rows) -> fp32 panel rows [k * WR + r],
 * then one zero k-step (the fp32 kernels read one past the end). */
MMRT_INLINE void mmrt_bf16_widen_block(float *restrict dst, const uint16_t *restrict w, int k0,
                                       int kc) {
  const int R = MMRT_WR;
  for (int k = 0; k < kc; k++) {
    const int kk = k0 + k;
    const uint16_t *restrict s = w + (size_t)(kk / 2) * 2 * R + kk % 2;
    for (int r = 0; r < R; r++) dst[(size_t)k * R + r] = mmrt_f32_from_bf16(s[2 * r]);
  }
  for (int r = 0; r < R; r++) dst[(size_t)kc * R + r] = 0.0f;
}

/* Activation panels p0..p1-1 made ready for a bf16 product (mmrt_op_bf16_pack). */
MMRT_INLINE void mmrt_bf16_ready(float *act, const float *xp, int K, int p0, int p1) {
  const size_t ps = MMRT_PANEL_FLOATS(K, MMRT_XR);
  mmrt_bf16_round_panels(act + (size_t)p0 * ps, xp + (size_t)p0 * ps, K, p1 - p0);
}

MMRT_INLINE void mmrt_gemm_bf16_core(const float *act, int M, const uint16_t *wp, int N, int K,
                                     float *c, int ldc, int panels, int accumulate, int j0,
                                     int j1, mmrt_epilogue epi, const void *ectx,
                                     float *wblk) {
  static const float one = 1.0f, zero = 0.0f;
  const int XR = MMRT_XR, WR = MMRT_WR, KC = MMRT_KC;
  const int xs = MMRT_PANEL_FLOATS(K, XR), wh = MMRT_BF16_PANEL_HALVES(K, WR);
  const int mp = MMRT_PANELS(M, XR), kb = (K + KC - 1) / KC;
  const int ts = panels ? 1 : ldc, ns = panels ? XR : 1;
  const float *xr = act;
  mmrt_auxinfo aux = {0, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL};
  for (int j = j0; j < j1; j++) {
    const int n0 = j * WR, nn = N - n0 < WR ? N - n0 : WR;
    for (int b = 0; b < kb; b++) {
      const int k0 = b * KC, kc = K - k0 < KC ? K - k0 : KC;
      const float *beta = k0 == 0 && !accumulate ? &zero : &one;
      mmrt_bf16_widen_block(wblk, wp + (size_t)j * wh, k0, kc);
      for (int i = 0; i < mp; i++) {
        const float *x = xr + (size_t)i * xs + (size_t)k0 * XR;
        const int t0 = i * XR, mt = M - t0 < XR ? M - t0 : XR;
        float *cc = panels ? c + (size_t)i * ldc + (size_t)n0 * XR : c + (size_t)t0 * ldc + n0;
#if MMRT_UKR_OWN /* mmcc's own kernels (x86_64 paths, runtime/mmrt_ukr.h) */
        (void)aux;
        MMRT_UKR(nn, mt, kc, wblk, x, beta == &one, cc, ts, ns, NULL, 0);
#elif MMRT_COL_PREF
        aux.a_next = wblk;
        aux.b_next = x;
        MMRT_UKR(nn, mt, kc, &one, wblk, x, beta, cc, ns, ts, &aux, NULL);
#else
        aux.a_next = x;
        aux.b_next = wblk;
        MMRT_UKR(mt, nn, kc, &one, x, wblk, beta, cc, ts, ns, &aux, NULL);
#endif
        if (k0 + kc == K && epi) epi(ectx, cc, ts, ns, t0, mt, n0, nn);
      }
    }
  }
}
#endif

/* The ops. First the activations X [M, K] (fp32 panels) made ready into ACT, the threads
 * sharing the panels (a barrier follows); then the product (mmrt_ops.h's mmrt_op_linear /
 * _panels with bf16 weights), the threads sharing the weight panels; WBLK: this thread's
 * widened weight block (unused with vdpbf16ps). */
MMRT_INLINE void mmrt_op_bf16_pack(float *act, const float *xp, int M, int K, int tid, int nt) {
  int p0, p1;
  mmrt_share(MMRT_PANELS(M, MMRT_XR), tid, nt, &p0, &p1);
  if (p0 < p1) mmrt_bf16_ready(act, xp, K, p0, p1);
}

MMRT_INLINE void mmrt_op_linear_bf16(float *c, int ldc, int accumulate, const float *act, int M,
                                     const uint16_t *w, int N, int K, mmrt_epilogue epi,
                                     const void *ectx, float *wblk, int tid, int nt) {
  int j0, j1;
  mmrt_share(MMRT_PANELS(N, MMRT_WR), tid, nt, &j0, &j1);
  mmrt_gemm_bf16_core(act, M, w, N, K, c, ldc, 0, accumulate, j0, j1, epi, ectx, wblk);
}

MMRT_INLINE void mmrt_op_linear_panels_bf16(float *c, int pstride, const float *act, int M,
                                            const uint16_t *w, int N, int K, mmrt_epilogue epi,
                                            const void *ectx, float *wblk, int tid, int nt) {
  int j0, j1;
  mmrt_share(MMRT_PANELS(N, MMRT_WR), tid, nt, &j0, &j1);
  mmrt_gemm_bf16_core(act, M, w, N, K, c, pstride, 1, 0, j0, j1, epi, ectx, wblk);
}

/* {================================================================== convolutions (ResNet)
 * The siblings of mmrt_conv.h's mmrt_op_conv_gemm and SE ops (same split rule,
 * mmrt_split_by_weights, same epilogue):
 * the patch panels packed by mmrt_op_conv_pack (fp32, every group) are made ready by
 * mmrt_op_conv_bf16_pack (a barrier follows), then the product reads them with the bf16
 * weights (per group MMRT_BF16_PACKED_HALVES(cout, K, MMRT_WR) halves). */

/* Floats of one activation panel made ready (the groups' panels follow each other). */
#define MMRT_BF16_XPANEL(K) MMRT_BF16_ACT_PANEL_FLOATS(K, MMRT_XR, MMRT_BF16_DP)

MMRT_INLINE void mmrt_op_conv_bf16_pack(float *act, const float *xp, int M, int K, int G,
                                        int tid, int nt) {
  int p0, p1;
  mmrt_share(G * MMRT_PANELS(M, MMRT_XR), tid, nt, &p0, &p1);
  if (p0 < p1) mmrt_bf16_ready(act, xp, K, p0, p1);
}

MMRT_INLINE void mmrt_op_conv_gemm_bf16(float *y, const float *act, int M, const uint16_t *wp,
                                        int Cout, int K, int G, const float *bias,
                                        const float *residual, int relu, float *wblk, int tid,
                                        int nt) {
  const int cout = Cout / G, nj = MMRT_PANELS(cout, MMRT_WR), np = MMRT_PANELS(M, MMRT_XR);
  const size_t xs = (size_t)np * MMRT_BF16_XPANEL(K);
  const size_t ws = MMRT_BF16_PACKED_HALVES(cout, K, MMRT_WR);
  int u0, u1;
  /* bytes: bf16 weights (halves) against the fp32-sized activation panels; the outputs'
   * store cost left out here: ResNet-50 bf16 on 2 threads (AMD EPYC Zen 5 VM, 4 alternating
   * pairs) ran 37.3-37.8 ms without it and 37.5-37.8 with it */
  if (mmrt_split_by_weights(2.0 * G * ws, 4.0 * G * xs, 0.0, G * nj, np, nt)) {
    /* (group, weight panel) pairs */
    mmrt_share(G * nj, tid, nt, &u0, &u1);
    for (int u = u0; u < u1;) {
      const int g = u / nj, j0 = u % nj, j1 = u1 - u < nj - j0 ? j0 + (u1 - u) : nj;
      const mmrt_conv_epi e = {bias + (size_t)g * cout,
                               residual ? residual + (size_t)g * cout : 0, Cout, relu};
      mmrt_gemm_bf16_core(act + (size_t)g * xs, M, wp + (size_t)g * ws, cout, K,
                          y + (size_t)g * cout, Cout, 0, 0, j0, j1, mmrt_conv_epilogue, &e,
                          wblk);
      u += j1 - j0;
    }
    return;
  }
  mmrt_share(np, tid, nt, &u0, &u1); /* activation panels, every group */
  if (u0 == u1) return;
  const int t0 = u0 * MMRT_XR, mt = (u1 * MMRT_XR < M ? u1 * MMRT_XR : M) - t0;
  for (int g = 0; g < G; g++) {
    const mmrt_conv_epi e = {bias + (size_t)g * cout,
                             residual ? residual + (size_t)t0 * Cout + (size_t)g * cout : 0,
                             Cout, relu};
    mmrt_gemm_bf16_core(act + (size_t)g * xs + (size_t)u0 * MMRT_BF16_XPANEL(K), mt,
                        wp + (size_t)g * ws, cout, K, y + (size_t)t0 * Cout + (size_t)g * cout,
                        Cout, 0, 0, 0, nj, mmrt_conv_epilogue, &e, wblk);
  }
}

/* SE's 1x1 convolutions on bf16 weights (row-major [rows, n]) and the input rounded to
 * bf16: each product of two bf16 values is exact in fp32; summed in mmrt_dot's order. */
MMRT_INLINE float mmrt_dot_bf16(const uint16_t *restrict w, const float *restrict x, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; j++)
      acc[j] += mmrt_f32_from_bf16(w[k + j]) * mmrt_f32_from_bf16(mmrt_bf16_from_f32(x[k + j]));
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; k < n; k++) s += mmrt_f32_from_bf16(w[k]) * mmrt_f32_from_bf16(mmrt_bf16_from_f32(x[k]));
  return s;
}

MMRT_INLINE void mmrt_op_se_squeeze_bf16(float *h, const float *pooled, const uint16_t *w1,
                                         const float *b1, int B, int C, int S, int tid, int nt) {
  int i0, i1;
  mmrt_share(S, tid, nt, &i0, &i1);
  for (int b = 0; b < B; b++)
    for (int i = i0; i < i1; i++) {
      const float v = mmrt_dot_bf16(w1 + (size_t)i * C, pooled + (size_t)b * C, C) + b1[i];
      h[(size_t)b * S + i] = v > 0.0f ? v : 0.0f;
    }
}

MMRT_INLINE void mmrt_op_se_excite_bf16(float *gate, const float *h, const uint16_t *w2,
                                        const float *b2, int B, int C, int S, int tid, int nt) {
  int c0, c1;
  mmrt_share(C, tid, nt, &c0, &c1);
  for (int b = 0; b < B; b++)
    for (int c = c0; c < c1; c++) {
      const float v = mmrt_dot_bf16(w2 + (size_t)c * S, h + (size_t)b * S, S) + b2[c];
      gate[(size_t)b * C + c] = 1.0f / (1.0f + mmrt_expf(-v));
    }
}
/* }================================================================== */

#endif
