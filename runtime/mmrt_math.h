/* mmrt_math.h: exp and the exact (erf) GELU, written so that a loop over an array of them
 * vectorises (no branches, no calls, no errno): libm's expf / erff are scalar calls, and a
 * ViT-B forward needs millions of each. Accuracy: mmrt_expf within 2 ulp over its range
 * (Cephes' expf polynomial after a two-constant ln 2 reduction); mmrt_gelu within about
 * 1.2e-7 * |x| absolute (erfc from the Chebyshev-fitted exponent of Numerical Recipes'
 * erfcc, fractional error < 1.2e-7, evaluated with mmrt_expf). */
#ifndef MMRT_MATH_H
#define MMRT_MATH_H

#include <stdint.h>

/* e^x for x in [-87, 88.7]; smaller x give ~1.6e-38 (not 0), larger are clamped. */
static inline float mmrt_expf(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.7f ? 88.7f : x;
  /* n = round(x / ln 2) via the 1.5 * 2^23 trick (round to nearest even) */
  float t = x * 1.44269504088896341f + 12582912.0f;
  float n = t - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  union { float f; int32_t i; } s;
  s.i = ((int32_t)n + 127) << 23;
  return y * s.f;
}

/* GELU(x) = x/2 * (1 + erf(x / sqrt 2)), through erfc(|z|) so that the tails keep their
 * relative accuracy. */
static inline float mmrt_gelu(float x) {
  float z = x * 0.70710678118654752f;
  float a = z < 0.0f ? -z : z;
  float t = 1.0f / (1.0f + 0.5f * a);
  float q = -1.26551223f +
            t * (1.00002368f +
            t * (0.37409196f +
            t * (0.09678418f +
            t * (-0.18628806f +
            t * (0.27886807f +
            t * (-1.13520398f +
            t * (1.48851587f +
            t * (-0.82215223f +
            t * 0.17087277f))))))));
  float half_erfc = 0.5f * t * mmrt_expf(q - a * a);   /* erfc(|z|) / 2 */
  return z < 0.0f ? x * half_erfc : x * (1.0f - half_erfc);
}

#endif
