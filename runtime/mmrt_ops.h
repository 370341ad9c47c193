/* mmrt_ops.h: the ops of mmcc's IR (compiler/ir.h), one inline function each, shared by
 * every generated model. The generated forward pass calls them in order with constant
 * extents and buffers the planner placed; each op splits its own work between the threads
 * of a team in fixed tiles (a static share for thread tid of nt, or runs claimed from the
 * team: mmrt_claim) and the caller puts a barrier after it. Every output element is computed
 * by the same instructions in the same order whatever nt is and whoever takes its tile.
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
#if defined(__AVX512F__) && defined(__FMA__) && MMRT_XR == 12
  if (ts == 1 && ns == 12 && nn % 4 == 0) {
    /* 4 features x 12 tokens = 3 vectors: lane l of vector v is feature n + (16 v + l) / 12,
     * token (16 v + l) % 12, its bias put there by a permute; mmrt_gelu16 is bitwise
     * mmrt_gelu (and no scalar stores before vector loads of the same lines). A short last
     * panel (mt < 12, e.g. 50 = 4 x 12 + 2 tokens) reads and writes only its tokens' lanes. */
    const __m512i f0 = _mm512_set_epi32(1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i f1 = _mm512_set_epi32(2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1);
    const __m512i f2 = _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2);
    __mmask16 k[3] = {0xffff, 0xffff, 0xffff};
    if (mt < 12) { /* lanes of tokens < mt only */
      k[0] = k[1] = k[2] = 0;
      for (int l = 0; l < 48; l++)
        if (l % 12 < mt) k[l / 16] |= (__mmask16)(1u << (l % 16));
    }
    /* 8 features (6 vectors) at a time through mmrt_gelu16n, the last 4 (3) alone */
    int n = 0;
    for (; n + 8 <= nn; n += 8) {
      __m512 v[6];
      float *e = c + n * 12;
      for (int h = 0; h < 2; h++) {
        const __m512 bv = _mm512_maskz_loadu_ps(0xf, b + n + 4 * h);
        const float *eh = e + 48 * h;
        v[3 * h] = _mm512_add_ps(_mm512_maskz_loadu_ps(k[0], eh), _mm512_permutexvar_ps(f0, bv));
        v[3 * h + 1] =
            _mm512_add_ps(_mm512_maskz_loadu_ps(k[1], eh + 16), _mm512_permutexvar_ps(f1, bv));
        v[3 * h + 2] =
            _mm512_add_ps(_mm512_maskz_loadu_ps(k[2], eh + 32), _mm512_permutexvar_ps(f2, bv));
      }
      mmrt_gelu16n(v, 6);
      for (int i = 0; i < 6; i++) _mm512_mask_storeu_ps(e + 16 * i, k[i % 3], v[i]);
    }
    for (; n < nn; n += 4) {
      const __m512 bv = _mm512_maskz_loadu_ps(0xf, b + n);
      float *e = c + n * 12;
      __m512 v[3] = {
          _mm512_add_ps(_mm512_maskz_loadu_ps(k[0], e), _mm512_permutexvar_ps(f0, bv)),
          _mm512_add_ps(_mm512_maskz_loadu_ps(k[1], e + 16), _mm512_permutexvar_ps(f1, bv)),
          _mm512_add_ps(_mm512_maskz_loadu_ps(k[2], e + 32), _mm512_permutexvar_ps(f2, bv))};
      mmrt_gelu16n(v, 3);
      for (int i = 0; i < 3; i++) _mm512_mask_storeu_ps(e + 16 * i, k[i], v[i]);
    }
    return;
  }
#endif
  if (ts == 1 && ns == MMRT_XR && mt == MMRT_XR) {
#if defined(__AVX2__) && defined(__FMA__) && MMRT_XR == 12 && !defined(__AVX512F__)
    if (nn % 2 == 0) {
      /* 2 features x 12 tokens = 3 vectors: feature n, n | n + 1 (lanes 4..7), n + 1;
       * mmrt_gelu8 is bitwise mmrt_gelu */
      for (int n = 0; n < nn; n += 2) {
        const __m256 b0 = _mm256_set1_ps(b[n]), b2 = _mm256_set1_ps(b[n + 1]);
        const __m256 b1 = _mm256_blend_ps(b0, b2, 0xf0);
        float *e = c + n * 12;
        _mm256_storeu_ps(e, mmrt_gelu8(_mm256_add_ps(_mm256_loadu_ps(e), b0)));
        _mm256_storeu_ps(e + 8, mmrt_gelu8(_mm256_add_ps(_mm256_loadu_ps(e + 8), b1)));
        _mm256_storeu_ps(e + 16, mmrt_gelu8(_mm256_add_ps(_mm256_loadu_ps(e + 16), b2)));
      }
      return;
    }
#endif
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
/* + the token of each row of a chunk of images of `tokens` rows each: the first `extra` rows
 * of an image get tok[0], tok[1] (class, distillation tokens with their positions), the rest
 * the rows of pos (positions of the patches, with the patch conv's bias) */
typedef struct mmrt_tokens {
  const float *pos;
  int ld, tokens, extra;
  const float *tok[2];
} mmrt_tokens;
MMRT_MAYBE_UNUSED static void mmrt_epi_tokens(const void *ctx, float *c, int ts, int ns, int t0,
                                              int mt, int n0, int nn) {
  const mmrt_tokens *r = ctx;
  for (int t = 0; t < mt; t++) {
    const int i = (t0 + t) % r->tokens;
    const float *p = (i < r->extra ? r->tok[i] : r->pos + (size_t)(i - r->extra) * r->ld) + n0;
    for (int n = 0; n < nn; n++) c[(size_t)t * ts + n * ns] += p[n];
  }
}
/* }================================================================== */

/* {================================================================== ops
 * Ops on the activations of a chunk of n images (n <= the chunk the workspace was planned
 * for): the rows of the images stacked, image after image. */

/* n images [C, H, W] -> activation panels of n x [extra + gh*gw, C*P*P] rows: per image,
 * `extra` zero rows (the tokens, added by mmrt_epi_tokens) then its patches (im2col of a
 * Conv2d with kernel = stride = P, order (c, ky, kx)); pixels past the image
 * (padding='corner') and rows past the last image are 0. */
MMRT_INLINE void mmrt_op_patches(float *xp, const float *img, int n, int C, int H, int W, int P,
                                 int gw, int patches, int extra, int tid, int nt) {
  const int R = MMRT_XR, K = C * P * P, ps = MMRT_PANEL_FLOATS(K, MMRT_XR), T = extra + patches;
  int p0, p1;
  mmrt_share(MMRT_PANELS(n * T, MMRT_XR), tid, nt, &p0, &p1);
  for (int p = p0; p < p1; p++) {
    float *d = xp + (size_t)p * ps;
    /* each row's patch: its image (NULL: a zero row) and top-left pixel (oy, ox) */
    const float *im[MMRT_XR];
    int oy[MMRT_XR], ox[MMRT_XR], inside = 1;
    for (int r = 0; r < R; r++) {
      const int row = p * R + r, b = row / T, i = row % T - extra;
      im[r] = b >= n || i < 0 ? NULL : img + (size_t)b * C * H * W;
      oy[r] = i / gw * P, ox[r] = i % gw * P;
      if (im[r] && (oy[r] + P > H || ox[r] + P > W)) inside = 0;
    }
#if MMRT_XR == 12
    /* every patch inside its image: each (c, ky) row segment of P pixels of the 12 rows by
     * mmrt_tr12's register transpose; the loop below (strided stores) took 0.85 ms of
     * ViT-B/32's batch-8 forward on AMD Zen 5 */
    if (inside) {
      for (int c = 0; c < C; c++)
        for (int ky = 0; ky < P; ky++) {
          const float *rows[12];
          for (int r = 0; r < 12; r++)
            rows[r] = im[r] ? im[r] + ((size_t)c * H + oy[r] + ky) * W + ox[r] : NULL;
          mmrt_tr12(d + (size_t)(c * P + ky) * P * R, rows, P);
        }
      for (int k = K * R; k < ps; k++) d[k] = 0.0f;
      continue;
    }
#else
    (void)inside; /* panels of other than 12 rows: the loop below */
#endif
    for (int r = 0; r < R; r++) {
      if (!im[r]) {
        for (int k = 0; k < K; k++) d[k * R + r] = 0.0f;
        continue;
      }
      for (int c = 0; c < C; c++)
        for (int ky = 0; ky < P; ky++) {
          const int y = oy[r] + ky;
          for (int kx = 0; kx < P; kx++) {
            const int x = ox[r] + kx, k = (c * P + ky) * P + kx;
            d[k * R + r] = y < H && x < W ? im[r][((size_t)c * H + y) * W + x] : 0.0f;
          }
        }
    }
    for (int k = K * R; k < ps; k++) d[k] = 0.0f;
  }
}

/* C[M, N] (row stride ldc; += when accumulate) = X[M, K] W[N, K]^T, epilogue on each tile;
 * the threads claim runs of weight panels (mmrt_claim). */
MMRT_INLINE void mmrt_op_linear(float *c, int ldc, int accumulate, const float *xp, int M,
                                const float *w, int N, int K, mmrt_epilogue epi,
                                const void *ectx, mmrt_team *team, int tid) {
  int j0, j1;
  while (mmrt_claim(team, tid, MMRT_PANELS(N, MMRT_WR), 1, &j0, &j1))
    mmrt_gemm(xp, M, w, N, K, c, ldc, accumulate, j0, j1, epi, ectx);
}

/* The same product written as the next product's activation panels (pstride floats each). */
MMRT_INLINE void mmrt_op_linear_panels(float *c, int pstride, const float *xp, int M,
                                       const float *w, int N, int K, mmrt_epilogue epi,
                                       const void *ectx, mmrt_team *team, int tid) {
  int j0, j1;
  while (mmrt_claim(team, tid, MMRT_PANELS(N, MMRT_WR), 1, &j0, &j1))
    mmrt_gemm_panels(xp, M, w, N, K, c, pstride, j0, j1, epi, ectx);
}

/* LayerNorm of rows [rows, K] (stride ld), written as the next product's activation panels;
 * the threads claim runs of panels. */
MMRT_INLINE void mmrt_op_layernorm_pack(float *xp, const float *x, int ld, int rows, int K,
                                        const float *g, const float *b, float eps,
                                        mmrt_team *team, int tid) {
  int p0, p1;
  while (mmrt_claim(team, tid, MMRT_PANELS(rows, MMRT_XR), 1, &p0, &p1))
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

/* Per image b of n (T rows each): out[b][d] = mean over its rows r0..r1-1 of x[r][d]
 * (stride ld), rows summed in order. */
MMRT_INLINE void mmrt_op_mean_rows(float *out, const float *x, int ld, int T, int r0, int r1,
                                   int K, int n, int tid, int nt) {
  int d0, d1;
  mmrt_share(K, tid, nt, &d0, &d1);
  for (int b = 0; b < n; b++)
    for (int d = d0; d < d1; d++) {
      const float *xb = x + (size_t)b * T * ld;
      float s = 0.0f;
      for (int t = r0; t < r1; t++) s += xb[(size_t)t * ld + d];
      out[(size_t)b * K + d] = s / (float)(r1 - r0);
    }
}

/* Per image b of n: len floats from src + b * sstep to dst + b * dstep. */
MMRT_INLINE void mmrt_op_copy_images(float *dst, size_t dstep, const float *src, size_t sstep,
                                     int len, int n, int tid, int nt) {
  int b0, b1;
  mmrt_share(n, tid, nt, &b0, &b1);
  for (int b = b0; b < b1; b++)
    memcpy(dst + (size_t)b * dstep, src + (size_t)b * sstep, (size_t)len * sizeof(float));
}

/* Per image b of n and head h: K and V of qkv [T, 3*D] per image ([q | k | v], head h at
 * columns h*HD) packed as weight operands: kp + (b*H + h)*kps: [T, HD] (panels over keys),
 * vp + (b*H + h)*vps: [HD, T] (panels over HD). The threads claim runs of (image, head). */
MMRT_INLINE void mmrt_op_kv_pack(float *kp, size_t kps, float *vp, size_t vps, const float *qkv,
                                 int n, int T, int D, int H, int HD, mmrt_team *team, int tid) {
  int h0, h1;
  while (mmrt_claim(team, tid, n * H, 1, &h0, &h1))
    for (int bh = h0; bh < h1; bh++) {
      const float *q = qkv + (size_t)(bh / H) * T * 3 * D + (bh % H) * HD;
      mmrt_pack_rows(kp + (size_t)bh * kps, q + D, 3 * D, T, HD, MMRT_WR, 0,
                     MMRT_PANELS(T, MMRT_WR));
      mmrt_pack_cols(vp + (size_t)bh * vps, q + 2 * D, 3 * D, HD, T, MMRT_WR, 0,
                     MMRT_PANELS(HD, MMRT_WR));
    }
}

/* Rows r0..r1-1 of qp [., HD] into head h's columns of activation panels (xps floats
 * each) as rows g0 + r, one element at a time. */
MMRT_INLINE void mmrt_head_rows_put(float *xp, int xps, const float *qp, size_t g0, int h,
                                    int HD, int r0, int r1) {
  for (int r = r0; r < r1; r++) {
    const size_t g = g0 + r;
    float *d = xp + g / MMRT_XR * xps + (size_t)h * HD * MMRT_XR + g % MMRT_XR;
    for (int k = 0; k < HD; k++) d[(size_t)k * MMRT_XR] = qp[r * HD + k];
  }
}

/* softmax(q k^T) v per image b of n, head h and block of QB query rows (q already scaled by
 * HD^-0.5 through the packed weights): qkv [T, 3*D] per image -> [n*T, D] written as the
 * next product's activation panels (xps floats each; an image's rows start anywhere in a
 * panel). Per-thread scratch: qp [QB, HD] packed q, then the block's output [QB, HD] rows;
 * s [QB, lds] scores, pp [QB, T] packed probabilities. The threads claim (image, head,
 * query block) tasks. */
MMRT_INLINE void mmrt_op_attention(float *xp, int xps, const float *qkv, const float *kp,
                                   size_t kps, const float *vp, size_t vps, float *qp, float *s,
                                   int lds, float *pp, int n, int T, int D, int H, int HD, int QB,
                                   mmrt_team *team, int tid) {
  const int qblocks = (T + QB - 1) / QB, R = MMRT_XR;
  int t0, t1;
  while (mmrt_claim(team, tid, n * H * qblocks, 1, &t0, &t1)) {
    for (int task = t0; task < t1; task++) {
      const int bh = task / qblocks, b = bh / H, h = bh % H, q0 = task % qblocks * QB;
      const int rows = T - q0 < QB ? T - q0 : QB;
      /* [rows, HD] x [T, HD]^T -> [rows, T] scores */
      mmrt_pack_rows(qp, qkv + ((size_t)b * T + q0) * 3 * D + h * HD, 3 * D, rows, HD, R, 0,
                     MMRT_PANELS(rows, R));
      mmrt_gemm(qp, rows, kp + (size_t)bh * kps, T, HD, s, lds, 0, 0, MMRT_PANELS(T, MMRT_WR),
                NULL, NULL);
      mmrt_softmax_pack(pp, s, lds, rows, T);
      /* [rows, T] x [T, HD] -> [rows, HD] rows, then into head h's columns of the panels */
      mmrt_gemm(pp, rows, vp + (size_t)bh * vps, HD, T, qp, HD, 0, 0, MMRT_PANELS(HD, MMRT_WR),
                NULL, NULL);
      /* rows g0 + r of all n * T: an image's rows start anywhere in a panel (50 tokens:
       * image 1 at slot 2), so the rows before the first panel start go one by one, then
       * whole panels 16 columns at a time by the transpose, then the rest one by one */
      const size_t g0 = (size_t)b * T + q0;
      int r = 0;
#if defined(__AVX512F__) && MMRT_XR == 12
      const int skip = (int)((12 - g0 % 12) % 12), lead = skip < rows ? skip : rows;
      mmrt_head_rows_put(xp, xps, qp, g0, h, HD, 0, lead);
      for (r = lead; r + 12 <= rows; r += 12) {
        const size_t g = g0 + r;
        int k = 0;
        for (; k + 16 <= HD; k += 16)
          mmrt_panel_put12x16(xp + g / 12 * xps + (size_t)(h * HD + k) * 12, qp + r * HD + k,
                              HD);
        for (; k < HD; k++)
          for (int i = 0; i < 12; i++)
            xp[g / 12 * xps + (size_t)(h * HD + k) * 12 + i] = qp[(r + i) * HD + k];
      }
#endif
      mmrt_head_rows_put(xp, xps, qp, g0, h, HD, r, rows);
    }
  }
}
/* }================================================================== */

/* the convolutional ops (ResNet family) */
#include "mmrt_conv.h"
#include "mmrt_wino.h"

#endif
