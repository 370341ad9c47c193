/* weights_resize.c: PyTorch's bicubic interpolation (F.interpolate(mode='bicubic',
 * align_corners=False)) and mmpretrain's resize_pos_embed built on it.
 *
 * Follows pytorch aten/src/ATen/native/UpSample.h (area_pixel_compute_scale,
 * area_pixel_compute_source_index, get_cubic_upsample_coefficients, cubic_convolution1/2)
 * and aten/src/ATen/native/cpu/UpSampleKernel.cpp (HelperInterpCubic::compute_indices_weights,
 * the Interpolate<n> recursion of cpu_upsample_generic): float32 arithmetic in the same
 * order, so that results equal torch's CPU kernel bit for bit. This file must be compiled
 * without floating-point contraction (-std=c11 implies -ffp-contract=off with GCC). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "weights.h"
#include "weights_impl.h"

/* {====================================================================== bicubic */

typedef struct cubic_tap { int idx[4]; float w[4]; } cubic_tap;

/* cubic_convolution1: |x| <= 1 */
static float cubic1(float x, float a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
/* cubic_convolution2: 1 < |x| < 2 */
static float cubic2(float x, float a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

/* One output axis: source indices (clamped to the border) and the four weights. */
static void cubic_taps(int in, int out, cubic_tap *taps) {
  /* area_pixel_compute_scale, align_corners=False, no scale given: in / out in float
   * (also for a single output pixel; the 0 for out == 1 is align_corners=True only) */
  float scale = (float)in / (float)out;
  const float a = -0.75f;
  for (int i = 0; i < out; i++) {
    /* area_pixel_compute_source_index(cubic=true): `scale * (dst_index + 0.5) - 0.5`
     * evaluates in double (dst_index + 0.5 is double); torch's kernel takes the floor and
     * the fraction t of that double value and only t becomes float (measured against torch
     * 1.13's CPU kernel: rounding the index to float first changes the weights) */
    double real = (double)scale * ((double)i + 0.5) - 0.5;
    double base_d = floor(real);
    long long base = (long long)base_d;
    float t = (float)(real - base_d);
    /* get_cubic_upsample_coefficients: x1 + 1.0 and 1.0 - t are double, passed as float */
    float x2 = (float)(1.0 - (double)t);
    taps[i].w[0] = cubic2((float)((double)t + 1.0), a);
    taps[i].w[1] = cubic1(t, a);
    taps[i].w[2] = cubic1(x2, a);
    taps[i].w[3] = cubic2((float)((double)x2 + 1.0), a);
    for (int j = 0; j < 4; j++) {
      long long k = base - 1 + j;
      if (k > in - 1) k = in - 1;
      if (k < 0) k = 0;
      taps[i].idx[j] = (int)k;
    }
  }
}

void resize_bicubic_torch(const float *src, int c, int ih, int iw, float *dst, int oh, int ow) {
  cubic_tap *ty = xmalloc((size_t)oh * sizeof *ty);
  cubic_tap *tx = xmalloc((size_t)ow * sizeof *tx);
  cubic_taps(ih, oh, ty);
  cubic_taps(iw, ow, tx);
  for (int ch = 0; ch < c; ch++) {
    const float *plane = src + (size_t)ch * ih * iw;
    float *out = dst + (size_t)ch * oh * ow;
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        /* Interpolate<2>: outer sum over rows of (inner sum over columns), each product
         * `inner * weight`, accumulated left to right in float */
        float acc = 0.0f;
        for (int j = 0; j < 4; j++) {
          const float *row = plane + (size_t)ty[y].idx[j] * iw;
          float inner = row[tx[x].idx[0]] * tx[x].w[0];
          for (int k = 1; k < 4; k++) inner += row[tx[x].idx[k]] * tx[x].w[k];
          if (j == 0) acc = inner * ty[y].w[0];
          else acc += inner * ty[y].w[j];
        }
        out[(size_t)y * ow + x] = acc;
      }
    }
  }
  free(ty);
  free(tx);
}

/* }====================================================================== */

/* {====================================================================== pos_embed */

/* Round to the nearest float16 / bfloat16 value (ties to even), returned as float. */
static float round_f16(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  uint32_t sign = u & 0x80000000u, a = u ^ sign;
  if (a >= 0x7f800000u) return x;                          /* inf, nan */
  if (a >= 0x477ff000u) return sign ? -INFINITY : INFINITY; /* >= 65520 overflows */
  float r;
  if (a < 0x38800000u) {                                   /* half subnormal: step 2^-24 */
    float ax;
    memcpy(&ax, &a, 4);
    r = nearbyintf(ax * 0x1p24f) * 0x1p-24f;
    memcpy(&a, &r, 4);
  } else {
    a = (a + 0x0fffu + ((a >> 13) & 1u)) & ~0x1fffu;
  }
  a |= sign;
  memcpy(&r, &a, 4);
  return r;
}

static float round_bf16(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return x;           /* nan */
  u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  float r;
  memcpy(&r, &u, 4);
  return r;
}

float *weights_resize_pos_embed(const float *src, int extra, int c, int ih, int iw, int oh,
                                int ow, weights_round round) {
  size_t out_rows = (size_t)extra + (size_t)oh * ow;
  float *dst = xmalloc(out_rows * (size_t)c * sizeof(float));
  if (ih == oh && iw == ow) {  /* resize_pos_embed returns early for an unchanged grid */
    memcpy(dst, src, out_rows * (size_t)c * sizeof(float));
    return dst;
  }
  memcpy(dst, src, (size_t)extra * c * sizeof(float));   /* extra tokens untouched */
  /* [ih*iw, c] rows -> [c, ih, iw] planes (mmpretrain reshapes and permutes to NCHW) */
  size_t in_n = (size_t)ih * iw, out_n = (size_t)oh * ow;
  float *planes = xmalloc(in_n * (size_t)c * sizeof(float));
  float *resized = xmalloc(out_n * (size_t)c * sizeof(float));
  const float *grid = src + (size_t)extra * c;
  for (size_t p = 0; p < in_n; p++)
    for (int ch = 0; ch < c; ch++) planes[(size_t)ch * in_n + p] = grid[p * c + ch];
  resize_bicubic_torch(planes, c, ih, iw, resized, oh, ow);
  float *out = dst + (size_t)extra * c;
  for (size_t p = 0; p < out_n; p++)
    for (int ch = 0; ch < c; ch++) {
      float v = resized[(size_t)ch * out_n + p];
      if (round == WROUND_F16) v = round_f16(v);
      else if (round == WROUND_BF16) v = round_bf16(v);
      out[p * c + ch] = v;
    }
  free(planes);
  free(resized);
  return dst;
}

/* }====================================================================== */
