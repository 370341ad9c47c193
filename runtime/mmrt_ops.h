/* mmrt_ops.h: the ops of mmcc's IR (compiler/ir.h), one inline function each, shared by
 * every generated model. The generated forward pass calls them in order with constant
 * extents and buffers the planner placed; each op splits its own work between the threads
 * of a team (tid of nt) in fixed tiles and the caller puts a barrier after it. Every output
 * element is computed by the same instructions in the same order whatever nt is.
 *
 * Included after mmrt_gemm.h's target macros (MMRT_UKR, MMRT_MR, ...) are defined. */
#ifndef MMRT_OPS_H
#define MMRT_OPS_H

#include <string.h>

#include "mmrt.h"
#include "mmrt_gemm.h"

/* {================================================================== epilogues
 * Run on each finished C tile of a product: element (t, n) at c[t * ts + n * ns]. */

/* + bias[n] */
MMRT_MAYBE_UNUSED static void mmrt_epi_bias(const void *ctx, float *c, int ts, int ns, int t0,
                                            int mt, int n0, int nn) {
  const float *b = (const float *)ctx + n0;
  (void)t0;
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++) c[(size_t)t * ts + n * ns] += b[n];
}

/* GELU(. + bias[n]), exact erf form; C is usually the next product's panels (ts = 1) */
MMRT_MAYBE_UNUSED static void mmrt_epi_bias_gelu(const void *ctx, float *c, int ts, int ns,
                                                 int t0, int mt, int n0, int nn) {
  const float *b = (const float *)ctx + n0;
  (void)t0;
  if (ts == 1 && ns == MMRT_XR && mt == MMRT_XR) {
    /* a full tile of panels is nn * XR contiguous floats: bias, then GELU in one flat loop */
    for (int n = 0; n < nn; n++)
      for (int t = 0; t < MMRT_XR; t++) c[n * MMRT_XR + t] += b[n];
    for (int e = 0; e < nn * MMRT_XR; e++) c[e] = mmrt_gelu(c[e]);
    return;
  }
  for (int n = 0; n < nn; n++)
    for (int t = 0; t < mt; t++)
      c[(size_t)n * ns + t * ts] = mmrt_gelu(c[(size_t)n * ns + t * ts] + b[n]);
}

/* tanh(. + bias[n]) */
MMRT_MAYBE_UNUSED static void mmrt_epi_bias_tanh(const void *ctx, float *c, int ts, int ns,
                                                 int t0, int mt, int n0, int nn) {
  const float *b = (const float *)ctx + n0;
  (void)t0;
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++)
      c[(size_t)t * ts + n * ns] = tanhf(c[(size_t)t * ts + n * ns] + b[n]);
}

/* + a[t][n] of a row-major matrix (e.g. position embeddings, bias folded in) */
typedef struct mmrt_rows { const float *a; int ld; } mmrt_rows;
MMRT_MAYBE_UNUSED static void mmrt_epi_add_rows(const void *ctx, float *c, int ts, int ns,
                                                int t0, int mt, int n0, int nn) {
  const mmrt_rows *r = ctx;
  const float *p = r->a + (size_t)t0 * r->ld + n0;
  for (int t = 0; t < mt; t++)
    for (int n = 0; n < nn; n++) c[(size_t)t * ts + n * ns] += p[(size_t)t * r->ld + n];
}
/* }================================================================== */

/* {================================================================== ops */

/* Image [C, H, W] -> activation panels of its [gh*gw, C*P*P] patches (im2col of a Conv2d with
 * kernel = stride = P, order (c, ky, kx)); pixels past the image (padding='corner') and rows
 * past the last patch are 0. */
MMRT_INLINE void mmrt_op_patches(float *xp, const float *img, int C, int H, int W, int P,
                                 int gw, int patches, int tid, int nt) {
  const int R = MMRT_XR, K = C * P * P, ps = MMRT_PANEL_FLOATS(K, MMRT_XR);
  int p0, p1;
  mmrt_share(MMRT_PANELS(patches, MMRT_XR), tid, nt, &p0, &p1);
  for (int p = p0; p < p1; p++) {
    float *d = xp + (size_t)p * ps;
    for (int r = 0; r < R; r++) {
      const int i = p * R + r, gy = i / gw, gx = i % gw;
      for (int c = 0; c < C; c++)
        for (int ky = 0; ky < P; ky++) {
          const int y = gy * P + ky;
          for (int kx = 0; kx < P; kx++) {
            const int x = gx * P + kx, k = (c * P + ky) * P + kx;
            d[k * R + r] = i < patches && y < H && x < W ? img[((size_t)c * H + y) * W + x] : 0.0f;
          }
        }
    }
    for (int k = K * R; k < ps; k++) d[k] = 0.0f;
  }
}

/* C[M, N] (row stride ldc; += when accumulate) = X[M, K] W[N, K]^T, epilogue on each tile;
 * the threads share the weight panels. */
MMRT_INLINE void mmrt_op_linear(float *c, int ldc, int accumulate, const float *xp, int M,
                                const float *w, int N, int K, mmrt_epilogue epi,
                                const void *ectx, int tid, int nt) {
  int j0, j1;
  mmrt_share(MMRT_PANELS(N, MMRT_WR), tid, nt, &j0, &j1);
  mmrt_gemm(xp, M, w, N, K, c, ldc, accumulate, j0, j1, epi, ectx);
}

/* The same product written as the next product's activation panels (pstride floats each). */
MMRT_INLINE void mmrt_op_linear_panels(float *c, int pstride, const float *xp, int M,
                                       const float *w, int N, int K, mmrt_epilogue epi,
                                       const void *ectx, int tid, int nt) {
  int j0, j1;
  mmrt_share(MMRT_PANELS(N, MMRT_WR), tid, nt, &j0, &j1);
  mmrt_gemm_panels(xp, M, w, N, K, c, pstride, j0, j1, epi, ectx);
}

/* LayerNorm of rows [rows, K] (stride ld), written as the next product's activation panels. */
MMRT_INLINE void mmrt_op_layernorm_pack(float *xp, const float *x, int ld, int rows, int K,
                                        const float *g, const float *b, float eps, int tid,
                                        int nt) {
  int p0, p1;
  mmrt_share(MMRT_PANELS(rows, MMRT_XR), tid, nt, &p0, &p1);
  mmrt_pack_layernorm(xp, x, ld, rows, K, g, b, eps, p0, p1);
}

/* LayerNorm in place on rows [rows, K] (stride ld). */
MMRT_INLINE void mmrt_op_layernorm(float *x, int ld, int rows, int K, const float *g,
                                   const float *b, float eps, int tid, int nt) {
  int r0, r1;
  mmrt_share(rows, tid, nt, &r0, &r1);
  mmrt_layernorm_rows(x, ld, K, g, b, eps, r0, r1);
}

/* Rows [rows, K] (stride ld) -> activation panels. */
MMRT_INLINE void mmrt_op_pack(float *xp, const float *x, int ld, int rows, int K, int tid,
                              int nt) {
  int p0, p1;
  mmrt_share(MMRT_PANELS(rows, MMRT_XR), tid, nt, &p0, &p1);
  mmrt_pack_rows(xp, x, ld, rows, K, MMRT_XR, p0, p1);
}

/* dst[0 .. n) = src[0 .. n) (one thread: these are single rows). */
MMRT_INLINE void mmrt_op_copy(float *dst, const float *src, int n, int tid) {
  if (tid == 0) memcpy(dst, src, (size_t)n * sizeof(float));
}

/* out[d] = mean over rows r0..r1-1 of x[r][d] (stride ld), rows summed in order. */
MMRT_INLINE void mmrt_op_mean_rows(float *out, const float *x, int ld, int r0, int r1, int K,
                                   int tid, int nt) {
  int d0, d1;
  mmrt_share(K, tid, nt, &d0, &d1);
  for (int d = d0; d < d1; d++) {
    float s = 0.0f;
    for (int t = r0; t < r1; t++) s += x[(size_t)t * ld + d];
    out[d] = s / (float)(r1 - r0);
  }
}

/* Per head h: K and V of qkv [T, 3*D] ([q | k | v], head h at columns h*HD) packed as weight
 * operands: kp + h*kps: [T, HD] (panels over keys), vp + h*vps: [HD, T] (panels over HD). */
MMRT_INLINE void mmrt_op_kv_pack(float *kp, size_t kps, float *vp, size_t vps, const float *qkv,
                                 int T, int D, int H, int HD, int tid, int nt) {
  int h0, h1;
  mmrt_share(H, tid, nt, &h0, &h1);
  for (int h = h0; h < h1; h++) {
    mmrt_pack_rows(kp + (size_t)h * kps, qkv + D + h * HD, 3 * D, T, HD, MMRT_WR, 0,
                   MMRT_PANELS(T, MMRT_WR));
    mmrt_pack_cols(vp + (size_t)h * vps, qkv + 2 * D + h * HD, 3 * D, HD, T, MMRT_WR, 0,
                   MMRT_PANELS(HD, MMRT_WR));
  }
}

/* softmax(q k^T) v per head and block of QB query rows (q already scaled by HD^-0.5 through
 * the packed weights): qkv [T, 3*D] -> [T, D] written as the next product's activation panels
 * (xps floats each). Per-thread scratch: qp [QB, HD] packed, s [QB, lds] scores, pp [QB, T]
 * packed probabilities. */
MMRT_INLINE void mmrt_op_attention(float *xp, int xps, const float *qkv, const float *kp,
                                   size_t kps, const float *vp, size_t vps, float *qp, float *s,
                                   int lds, float *pp, int T, int D, int H, int HD, int QB,
                                   int tid, int nt) {
  const int qblocks = (T + QB - 1) / QB;
  int t0, t1;
  mmrt_share(H * qblocks, tid, nt, &t0, &t1);
  for (int task = t0; task < t1; task++) {
    const int h = task / qblocks, q0 = task % qblocks * QB;
    const int rows = T - q0 < QB ? T - q0 : QB;
    /* [rows, HD] x [T, HD]^T -> [rows, T] scores */
    mmrt_pack_rows(qp, qkv + (size_t)q0 * 3 * D + h * HD, 3 * D, rows, HD, MMRT_XR, 0,
                   MMRT_PANELS(rows, MMRT_XR));
    mmrt_gemm(qp, rows, kp + (size_t)h * kps, T, HD, s, lds, 0, 0, MMRT_PANELS(T, MMRT_WR), NULL,
              NULL);
    mmrt_softmax_pack(pp, s, lds, rows, T);
    /* [rows, T] x [T, HD] -> [rows, HD] into head h's columns */
    mmrt_gemm_panels(pp, rows, vp + (size_t)h * vps, HD, T,
                     xp + (size_t)(q0 / MMRT_XR) * xps + (size_t)h * HD * MMRT_XR, xps, 0,
                     MMRT_PANELS(HD, MMRT_WR), NULL, NULL);
  }
}
/* }================================================================== */

/* the convolutional ops (ResNet family) */
#include "mmrt_conv.h"

#endif
