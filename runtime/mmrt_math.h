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

/* The constants, each in one place for the scalar functions and their 16-lane forms below:
 * the exp's reduction (1/ln 2, the 1.5 * 2^23 rounding trick, ln 2 = C1 + C2) and Cephes'
 * expf polynomial P5..P0; the Chebyshev-fitted erfc exponent Q9..Q0 (Numerical Recipes'
 * erfcc); the clamps. */
#define MMRT_LOG2E 1.44269504088896341f
#define MMRT_ROUND 12582912.0f
#define MMRT_LN2_C1 0.693359375f
#define MMRT_LN2_C2 (-2.12194440e-4f)
#define MMRT_EXP_P5 1.9875691500e-4f
#define MMRT_EXP_P4 1.3981999507e-3f
#define MMRT_EXP_P3 8.3334519073e-3f
#define MMRT_EXP_P2 4.1665795894e-2f
#define MMRT_EXP_P1 1.6666665459e-1f
#define MMRT_EXP_P0 5.0000001201e-1f
#define MMRT_EXP_LO (-87.0f)
#define MMRT_EXP_HI 88.7f
#define MMRT_ERFC_Q9 0.17087277f
#define MMRT_ERFC_Q8 (-0.82215223f)
#define MMRT_ERFC_Q7 1.48851587f
#define MMRT_ERFC_Q6 (-1.13520398f)
#define MMRT_ERFC_Q5 0.27886807f
#define MMRT_ERFC_Q4 (-0.18628806f)
#define MMRT_ERFC_Q3 0.09678418f
#define MMRT_ERFC_Q2 0.37409196f
#define MMRT_ERFC_Q1 1.00002368f
#define MMRT_ERFC_Q0 (-1.26551223f)
#define MMRT_RSQRT2 0.70710678118654752f
#define MMRT_GELU_CAP 6.0f /* Phi runs at min(x, 6): see mmrt_gelu */

/* e^(hi + lo) as y * 2^n: n and the polynomial y(r) of the reduced argument, with
 * r = (hi - n C1) + (lo - n C2) so that a large hi known exactly keeps its low bits (hi - n C1
 * is exact: C1 has 9 bits and hi, n C1 are close). */
static inline float mmrt_exp_parts(float hi, float lo, float *n_out) {
  /* n = round((hi + lo) / ln 2) via the 1.5 * 2^23 trick (round to nearest even) */
  float t = MMRT_FMA(hi + lo, MMRT_LOG2E, MMRT_ROUND);
  float n = t - MMRT_ROUND;
  float r = MMRT_FMA(n, -MMRT_LN2_C1, hi);
  r = r + MMRT_FMA(n, -MMRT_LN2_C2, lo);
  float p = MMRT_EXP_P5;
  p = MMRT_FMA(p, r, MMRT_EXP_P4);
  p = MMRT_FMA(p, r, MMRT_EXP_P3);
  p = MMRT_FMA(p, r, MMRT_EXP_P2);
  p = MMRT_FMA(p, r, MMRT_EXP_P1);
  p = MMRT_FMA(p, r, MMRT_EXP_P0);
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
  x = x < MMRT_EXP_LO ? MMRT_EXP_LO : x;
  x = x > MMRT_EXP_HI ? MMRT_EXP_HI : x;
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
  xc = xc > MMRT_GELU_CAP ? MMRT_GELU_CAP : xc;
  float a = (xc < 0.0f ? -xc : xc) * MMRT_RSQRT2;   /* |z| */
  float t = 1.0f / MMRT_FMA(0.5f, a, 1.0f);
  float q = MMRT_ERFC_Q9;
  q = MMRT_FMA(q, t, MMRT_ERFC_Q8);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q7);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q6);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q5);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q4);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q3);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q2);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q1);
  q = MMRT_FMA(q, t, MMRT_ERFC_Q0);
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
/* 16-lane forms of the functions above, for the AVX-512 path's epilogue and softmax: the same
 * operations in the same order, so the same bits (tests/suites/math.sh sweeps bit patterns).
 * Written with intrinsics because the compiler's vectorisation of the scalar ones turns each
 * ?: into compares and blends (~65 instructions per 16 GELUs against ~45 here): the clamps are
 * vmaxps / vminps (which keep a NaN, as the ?: do), the sign selects masked moves. */
#define MMRT_V(c) _mm512_set1_ps(c)

static inline __m512 mmrt_exp_parts16(__m512 hi, __m512 lo, __m512 *n_out) {
  const __m512 t = _mm512_fmadd_ps(_mm512_add_ps(hi, lo), MMRT_V(MMRT_LOG2E), MMRT_V(MMRT_ROUND));
  const __m512 n = _mm512_sub_ps(t, MMRT_V(MMRT_ROUND));
  __m512 r = _mm512_fmadd_ps(n, MMRT_V(-MMRT_LN2_C1), hi);
  r = _mm512_add_ps(r, _mm512_fmadd_ps(n, MMRT_V(-MMRT_LN2_C2), lo));
  __m512 p = MMRT_V(MMRT_EXP_P5);
  p = _mm512_fmadd_ps(p, r, MMRT_V(MMRT_EXP_P4));
  p = _mm512_fmadd_ps(p, r, MMRT_V(MMRT_EXP_P3));
  p = _mm512_fmadd_ps(p, r, MMRT_V(MMRT_EXP_P2));
  p = _mm512_fmadd_ps(p, r, MMRT_V(MMRT_EXP_P1));
  p = _mm512_fmadd_ps(p, r, MMRT_V(MMRT_EXP_P0));
  *n_out = n;
  return _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), MMRT_V(1.0f));
}

static inline __m512 mmrt_pow2_16(__m512 n) {
  return _mm512_castsi512_ps(
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23));
}

static inline __m512 mmrt_expf16(__m512 x) {
  const __m512 xc = _mm512_min_ps(MMRT_V(MMRT_EXP_HI), _mm512_max_ps(MMRT_V(MMRT_EXP_LO), x));
  __m512 n;
  const __m512 y = mmrt_exp_parts16(xc, _mm512_setzero_ps(), &n);
  return _mm512_mul_ps(y, mmrt_pow2_16(n));
}

/* mmrt_gelu16 of m vectors (a constant where this is inlined, <= MMRT_GELU16_MAX), each step
 * taken for all m before the next: one GELU is a chain of ~40 dependent operations (~130
 * cycles), and with the chains one after another in the instruction stream the
 * out-of-order window held two or three of them, so the FMA pipes waited on latency. */
#define MMRT_GELU16_MAX 8
#define MMRT_GELU16_EACH _Pragma("GCC unroll 8") for (int j = 0; j < m; j++)
static inline __attribute__((always_inline)) void mmrt_gelu16n(__m512 *v, const int m) {
  const __m512 one = MMRT_V(1.0f), zero = _mm512_setzero_ps();
  __m512 xc[MMRT_GELU16_MAX], t[MMRT_GELU16_MAX], q[MMRT_GELU16_MAX], hi[MMRT_GELU16_MAX];
  __m512 lo[MMRT_GELU16_MAX], n[MMRT_GELU16_MAX], y[MMRT_GELU16_MAX];
  MMRT_GELU16_EACH xc[j] =
      _mm512_min_ps(MMRT_V(MMRT_GELU_CAP), _mm512_max_ps(MMRT_V(MMRT_GELU_UF), v[j]));
  MMRT_GELU16_EACH {
    const __m512 a = _mm512_mul_ps(_mm512_abs_ps(xc[j]), MMRT_V(MMRT_RSQRT2));
    t[j] = _mm512_div_ps(one, _mm512_fmadd_ps(MMRT_V(0.5f), a, one));
  }
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(MMRT_V(MMRT_ERFC_Q9), t[j], MMRT_V(MMRT_ERFC_Q8));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q7));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q6));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q5));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q4));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q3));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q2));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q1));
  MMRT_GELU16_EACH q[j] = _mm512_fmadd_ps(q[j], t[j], MMRT_V(MMRT_ERFC_Q0));
  MMRT_GELU16_EACH {
    hi[j] = _mm512_mul_ps(MMRT_V(-0.5f), _mm512_mul_ps(xc[j], xc[j]));
    const __m512 nhi = _mm512_castsi512_ps(
        _mm512_xor_si512(_mm512_castps_si512(hi[j]), _mm512_set1_epi32(INT32_MIN)));
    lo[j] = _mm512_add_ps(q[j], _mm512_fmadd_ps(_mm512_mul_ps(MMRT_V(-0.5f), xc[j]), xc[j], nhi));
  }
  MMRT_GELU16_EACH y[j] = mmrt_exp_parts16(hi[j], lo[j], &n[j]);
  MMRT_GELU16_EACH {
    const __m512 h = _mm512_mul_ps(_mm512_mul_ps(MMRT_V(0.5f), t[j]), y[j]);
    const __m512 xp = _mm512_mul_ps(_mm512_mul_ps(xc[j], h), mmrt_pow2_16(n[j]));
    const __mmask16 neg = _mm512_cmp_ps_mask(v[j], zero, _CMP_LT_OQ);
    const __mmask16 under = _mm512_cmp_ps_mask(v[j], MMRT_V(MMRT_GELU_UF), _CMP_LT_OQ);
    const __m512 g = _mm512_fmadd_ps(_mm512_mask_blend_ps(neg, MMRT_V(-1.0f), one), xp,
                                     _mm512_mask_mov_ps(v[j], neg, zero));
    v[j] = _mm512_mul_ps(g, _mm512_mask_blend_ps(under, one, zero));
  }
}

static inline __m512 mmrt_gelu16(__m512 x) {
  __m512 v[1] = {x};
  mmrt_gelu16n(v, 1);
  return v[0];
}
#endif

#if defined(__AVX2__) && defined(__FMA__) && !defined(__AVX512F__)
#include <immintrin.h>
/* 8-lane forms for the AVX2 + FMA path, the 16-lane ones' operations one for one (minps /
 * maxps with the same operand order, the masked moves as blends), so the same bits as the
 * scalar functions (tests/suites/math.sh). */
#define MMRT_V8(c) _mm256_set1_ps(c)

static inline __m256 mmrt_exp_parts8(__m256 hi, __m256 lo, __m256 *n_out) {
  const __m256 t = _mm256_fmadd_ps(_mm256_add_ps(hi, lo), MMRT_V8(MMRT_LOG2E), MMRT_V8(MMRT_ROUND));
  const __m256 n = _mm256_sub_ps(t, MMRT_V8(MMRT_ROUND));
  __m256 r = _mm256_fmadd_ps(n, MMRT_V8(-MMRT_LN2_C1), hi);
  r = _mm256_add_ps(r, _mm256_fmadd_ps(n, MMRT_V8(-MMRT_LN2_C2), lo));
  __m256 p = MMRT_V8(MMRT_EXP_P5);
  p = _mm256_fmadd_ps(p, r, MMRT_V8(MMRT_EXP_P4));
  p = _mm256_fmadd_ps(p, r, MMRT_V8(MMRT_EXP_P3));
  p = _mm256_fmadd_ps(p, r, MMRT_V8(MMRT_EXP_P2));
  p = _mm256_fmadd_ps(p, r, MMRT_V8(MMRT_EXP_P1));
  p = _mm256_fmadd_ps(p, r, MMRT_V8(MMRT_EXP_P0));
  *n_out = n;
  return _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), MMRT_V8(1.0f));
}

static inline __m256 mmrt_pow2_8(__m256 n) {
  return _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23));
}

static inline __m256 mmrt_expf8(__m256 x) {
  const __m256 xc = _mm256_min_ps(MMRT_V8(MMRT_EXP_HI), _mm256_max_ps(MMRT_V8(MMRT_EXP_LO), x));
  __m256 n;
  const __m256 y = mmrt_exp_parts8(xc, _mm256_setzero_ps(), &n);
  return _mm256_mul_ps(y, mmrt_pow2_8(n));
}

static inline __m256 mmrt_gelu8(__m256 x) {
  const __m256 one = MMRT_V8(1.0f), zero = _mm256_setzero_ps();
  const __m256 xc = _mm256_min_ps(MMRT_V8(MMRT_GELU_CAP), _mm256_max_ps(MMRT_V8(MMRT_GELU_UF), x));
  const __m256 a = _mm256_mul_ps(_mm256_andnot_ps(MMRT_V8(-0.0f), xc), MMRT_V8(MMRT_RSQRT2));
  const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(MMRT_V8(0.5f), a, one));
  __m256 q = MMRT_V8(MMRT_ERFC_Q9);
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q8));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q7));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q6));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q5));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q4));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q3));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q2));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q1));
  q = _mm256_fmadd_ps(q, t, MMRT_V8(MMRT_ERFC_Q0));
  const __m256 hi = _mm256_mul_ps(MMRT_V8(-0.5f), _mm256_mul_ps(xc, xc));
  const __m256 nhi = _mm256_xor_ps(hi, MMRT_V8(-0.0f));
  const __m256 lo = _mm256_fmadd_ps(_mm256_mul_ps(MMRT_V8(-0.5f), xc), xc, nhi);
  __m256 n;
  const __m256 y = mmrt_exp_parts8(hi, _mm256_add_ps(q, lo), &n);
  const __m256 h = _mm256_mul_ps(_mm256_mul_ps(MMRT_V8(0.5f), t), y);
  const __m256 xp = _mm256_mul_ps(_mm256_mul_ps(xc, h), mmrt_pow2_8(n));
  const __m256 neg = _mm256_cmp_ps(x, zero, _CMP_LT_OQ);
  const __m256 under = _mm256_cmp_ps(x, MMRT_V8(MMRT_GELU_UF), _CMP_LT_OQ);
  const __m256 g = _mm256_fmadd_ps(_mm256_blendv_ps(MMRT_V8(-1.0f), one, neg), xp,
                                   _mm256_blendv_ps(x, zero, neg));
  return _mm256_mul_ps(g, _mm256_blendv_ps(one, zero, under));
}
#endif

#endif
