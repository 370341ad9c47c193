/* mmrt_math.h: exp and the exact (erf) GELU, written so that a loop over an array of them
 * vectorises (no branches, no calls, no errno): libm's expf / erff are scalar calls, and a
 * ViT-B forward needs millions of each. Products go through MMRT_FMA: fmaf where the path
 * is compiled with FMA (one instruction, vectorised), a * b + c otherwise (never libm's
 * software fmaf). Every element of a loop, vector body or scalar tail, gets the same
 * correctly rounded operations, so results do not depend on the thread partition.
 * Accuracy (bench/gelu.c against float64 erfc, bench/results/NOTES.md): mmrt_expf within 2
 * ulp over its range (Cephes' expf polynomial after a two-constant ln 2 reduction);
 * mmrt_gelu within 8 ulp with FMA (7.7 over every float in [-20, 20]; erfc from the
 * Chebyshev-fitted exponent of Numerical Recipes' erfcc, fractional error < 1.2e-7, with
 * -x^2/2 carried exactly into the exp's reduction), without FMA 13 ulp for x >= -5 and 66
 * near -13 (z^2 rounded once there). */
#ifndef MMRT_MATH_H
#define MMRT_MATH_H

#include <math.h>
#include <stdint.h>

#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
#define MMRT_FMA(a, b, c) fmaf(a, b, c)
#else
#define MMRT_FMA(a, b, c) ((a) * (b) + (c))
#endif

/* e^(hi + lo) as y * 2^n: n and the polynomial y(r) of the reduced argument, with
 * r = (hi - n C1) + (lo - n C2) so that a large hi known exactly keeps its low bits (hi - n C1
 * is exact: C1 has 9 bits and hi, n C1 are close). */
static inline float mmrt_exp_parts(float hi, float lo, float *n_out) {
  /* n = round((hi + lo) / ln 2) via the 1.5 * 2^23 trick (round to nearest even) */
  float t = MMRT_FMA(hi + lo, 1.44269504088896341f, 12582912.0f);
  float n = t - 12582912.0f;
  float r = MMRT_FMA(n, -0.693359375f, hi);
  r = r + MMRT_FMA(n, 2.12194440e-4f, lo);
  float p = 1.9875691500e-4f;
  p = MMRT_FMA(p, r, 1.3981999507e-3f);
  p = MMRT_FMA(p, r, 8.3334519073e-3f);
  p = MMRT_FMA(p, r, 4.1665795894e-2f);
  p = MMRT_FMA(p, r, 1.6666665459e-1f);
  p = MMRT_FMA(p, r, 5.0000001201e-1f);
  *n_out = n;
  return MMRT_FMA(p * r, r, r) + 1.0f;
}

/* 2^n for integer-valued n in [-126, 127] */
static inline float mmrt_pow2(float n) {
  union { float f; int32_t i; } s;
  s.i = ((int32_t)n + 127) << 23;
  return s.f;
}

/* e^x for x in [-87, 88.7]; smaller x give ~1.6e-38 (not 0, not denormal), larger are
 * clamped. */
static inline float mmrt_expf(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.7f ? 88.7f : x;
  float n, y = mmrt_exp_parts(x, 0.0f, &n);
  return y * mmrt_pow2(n);
}

/* GELU(x) = x/2 * (1 + erf(x / sqrt 2)) = x Phi(x), through erfc(|z|) so that the negative
 * tail keeps its relative accuracy. Below MMRT_GELU_UF, |GELU(x)| < FLT_MIN: the result is 0
 * (within FLT_MIN of the truth) instead of a denormal, which costs a microcode assist per
 * element and tells a classifier nothing. Above 6, Phi(-x) < 2^-25 and x (1 - Phi(-x)) rounds to
 * x, so Phi runs at min(x, 6): every intermediate stays a normal float. */
#define MMRT_GELU_UF (-13.1f)
static inline float mmrt_gelu(float x) {
  float xc = x < MMRT_GELU_UF ? MMRT_GELU_UF : x;
  xc = xc > 6.0f ? 6.0f : xc;
  float a = (xc < 0.0f ? -xc : xc) * 0.70710678118654752f;   /* |z| */
  float t = 1.0f / MMRT_FMA(0.5f, a, 1.0f);
  float q = 0.17087277f;
  q = MMRT_FMA(q, t, -0.82215223f);
  q = MMRT_FMA(q, t, 1.48851587f);
  q = MMRT_FMA(q, t, -1.13520398f);
  q = MMRT_FMA(q, t, 0.27886807f);
  q = MMRT_FMA(q, t, -0.18628806f);
  q = MMRT_FMA(q, t, 0.09678418f);
  q = MMRT_FMA(q, t, 0.37409196f);
  q = MMRT_FMA(q, t, 1.00002368f);
  q = MMRT_FMA(q, t, -1.26551223f);
  /* z^2 = xc^2 / 2 as hi + lo: the halving is exact, and with FMA so is the square's error;
   * z^2 reaches 86, where one rounding of it is a relative error of 4e-6 in erfc */
  float sq = xc * xc;
  float hi = -0.5f * sq;
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
  float lo = MMRT_FMA(-0.5f * xc, xc, -hi);   /* -(xc^2 - sq) / 2, exact */
#else
  float lo = 0.0f;
#endif
  float n, y = mmrt_exp_parts(hi, q + lo, &n);
  /* Phi(-|x|) = erfc(|z|) / 2 = h 2^n may be denormal, x Phi(-|x|) is not (x >= -13.1):
   * GELU = x Phi(x) for x < 0, x - x Phi(-x) otherwise. One formula with constant selects,
   * since in a vector both sides of a select on computed values run, and the compiler may
   * compute a side's discarded lanes as it likes (unclamped); for the same reason the last
   * step is a product, not a select. */
  float xp = xc * (0.5f * t * y) * mmrt_pow2(n);   /* xc: x - 6 Phi(-6) rounds to x above 6, inf stays inf */
  float g = MMRT_FMA(x < 0.0f ? 1.0f : -1.0f, xp, x < 0.0f ? 0.0f : x);
  return g * (x < MMRT_GELU_UF ? 0.0f : 1.0f);
}

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>
/* mmrt_expf on 16 lanes, the same operations in the same order (bitwise the same; the clamps
 * as vmaxps / vminps keep a NaN as the ?: do) */
static inline __m512 mmrt_expf16(__m512 x) {
  const __m512 xc = _mm512_min_ps(_mm512_set1_ps(88.7f), _mm512_max_ps(_mm512_set1_ps(-87.0f), x));
  /* mmrt_exp_parts(xc, 0) */
  const __m512 big = _mm512_set1_ps(12582912.0f), zero = _mm512_setzero_ps();
  const __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(_mm512_add_ps(xc, zero), _mm512_set1_ps(1.44269504088896341f), big), big);
  __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), xc);
  r = _mm512_add_ps(r, _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), zero));
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1.0f));
  const __m512 p2 = _mm512_castsi512_ps(_mm512_slli_epi32(
      _mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23));
  return _mm512_mul_ps(y, p2);
}

/* mmrt_gelu on 16 lanes, the same operations in the same order (so bitwise the same as the
 * scalar function, checked over a sweep of bit patterns by tests/suites/math.sh), written
 * with intrinsics because the compiler's own vectorisation of the scalar one turns each
 * ?: into a compare and blends (~65 vector instructions per 16 elements against ~40 here):
 * the clamps are vmaxps / vminps (which keep a NaN x, as the ?: do), the sign selects
 * masked moves. */
static inline __m512 mmrt_gelu16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
  const __m512 xc = _mm512_min_ps(_mm512_set1_ps(6.0f), _mm512_max_ps(_mm512_set1_ps(MMRT_GELU_UF), x));
  const __m512 a = _mm512_mul_ps(_mm512_abs_ps(xc), _mm512_set1_ps(0.70710678118654752f));
  const __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(_mm512_set1_ps(0.5f), a, one));
  __m512 q = _mm512_set1_ps(0.17087277f);
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.82215223f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(1.48851587f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-1.13520398f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.27886807f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.18628806f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.09678418f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.37409196f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(1.00002368f));
  q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-1.26551223f));
  const __m512 sq = _mm512_mul_ps(xc, xc), hi = _mm512_mul_ps(_mm512_set1_ps(-0.5f), sq);
  const __m512 nhi = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(hi),
                                                          _mm512_set1_epi32(INT32_MIN)));
  const __m512 lo = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_set1_ps(-0.5f), xc), xc, nhi);
  /* mmrt_exp_parts(hi, q + lo) */
  const __m512 l = _mm512_add_ps(q, lo), big = _mm512_set1_ps(12582912.0f);
  const __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(_mm512_add_ps(hi, l), _mm512_set1_ps(1.44269504088896341f), big), big);
  __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), hi);
  r = _mm512_add_ps(r, _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), l));
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), one);
  /* mmrt_pow2(n) */
  const __m512 p2 = _mm512_castsi512_ps(_mm512_slli_epi32(
      _mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23));
  const __m512 xp = _mm512_mul_ps(_mm512_mul_ps(xc, _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), t), y)), p2);
  const __mmask16 neg = _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ);
  const __mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(MMRT_GELU_UF), _CMP_LT_OQ);
  const __m512 g = _mm512_fmadd_ps(_mm512_mask_blend_ps(neg, _mm512_set1_ps(-1.0f), one), xp,
                                   _mm512_mask_mov_ps(x, neg, zero));
  return _mm512_mul_ps(g, _mm512_mask_blend_ps(under, one, zero));
}
#endif

#endif
