/* mmrt_gemm.h: matrix products on a BLIS gemm micro-kernel, with the weights packed by mmcc
 * at compile time and the activations packed here at run time. Everything is inline and
 * takes its extents as arguments, so that generated code, which calls it with constants,
 * gets loops with constant trip counts.
 *
 * The including file defines the target (a row of compiler/target.c):
 *   MMRT_UKR       micro-kernel symbol: with MMRT_UKR_OWN 1, one of mmcc's own kernels
 *                  (runtime/mmrt_ukr.h: 32 x 12, MR 32, NR 12, COL_PREF 1); otherwise a
 *                  BLIS 0.9 sgemm kernel (m <= MR, n <= NR edge tiles handled inside the
 *                  kernel; dim_t and inc_t are 64-bit)
 *   MMRT_UKR_OWN   1 for mmcc's own kernel interface (default 0: BLIS)
 *   MMRT_MR, MMRT_NR, MMRT_KC
 *   MMRT_COL_PREF  1 when the kernel prefers column-stored C: then C^T = W X^T is computed,
 *                  with the weights as the kernel's A operand and the activations as B.
 *   MMRT_L2_BYTES  L2 cache per core, for the blocking of mmrt_gemm_core (the target row's)
 *
 * Every product is C[M,N] (row-major, row stride ldc) = X[M,K] W[N,K]^T: M tokens, N output
 * features. X is packed in panels of XR rows, W in panels of WR output features; whichever
 * the kernel calls A and B; the panel layout is runtime/mmrt_panel.h's (ORDER PANEL LAYOUT). */
#ifndef MMRT_GEMM_H
#define MMRT_GEMM_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif
#include "mmrt_math.h"
#include "mmrt_panel.h"
#include "mmrt_tr8.h"

#define MMRT_XR MMRT_XR_OF(MMRT_MR, MMRT_NR, MMRT_COL_PREF) /* activation panel rows */
#define MMRT_WR MMRT_WR_OF(MMRT_MR, MMRT_NR, MMRT_COL_PREF) /* weight panel rows */
#ifndef MMRT_L2_BYTES
#error "MMRT_L2_BYTES (L2 cache per core) comes from the target row (compiler/target.c)"
#endif
#ifndef MMRT_UKR_OWN
#define MMRT_UKR_OWN 0
#endif

#define MMRT_INLINE static inline __attribute__((always_inline))
#define MMRT_MAYBE_UNUSED __attribute__((unused))

/* BLIS 0.9 auxinfo_t (frame/include/bli_type_defs.h): pack schemas, next micro-panels,
 * imaginary and panel strides, virtual kernel. Only next_a / next_b are ever read by the
 * kernels mmcc uses (the armv8a kernels prefetch through them). */
typedef struct mmrt_auxinfo {
  int schema_a, schema_b;
  const void *a_next, *b_next;
  int64_t is_a, is_b, ps_a, ps_b;
  void *ukr, *params;
} mmrt_auxinfo;

#if MMRT_UKR_OWN
#include "mmrt_ukr.h"
_Static_assert(MMRT_XR == MMRT_UKR_XR && MMRT_WR == MMRT_UKR_WR,
               "mmcc's own kernels read panels of MMRT_OWN_XR tokens, MMRT_OWN_WR features");
mmrt_ukr_fn MMRT_UKR;
/* the kernel's joined tile (runtime/mmrt_ukr.h): MMRT_UKR's name and _join */
#define MMRT_UKR_PASTE_(a, b) a##b
#define MMRT_UKR_PASTE(a, b) MMRT_UKR_PASTE_(a, b)
#define MMRT_UKR_JOIN MMRT_UKR_PASTE(MMRT_UKR, _join)
mmrt_ukr_join_fn MMRT_UKR_JOIN;
#define MMRT_UKR_FEW MMRT_UKR_PASTE(MMRT_UKR, _few)
mmrt_ukr_few_fn MMRT_UKR_FEW;
#else
#define MMRT_UKR_JOIN_MAX 0 /* BLIS's kernels: no joined tile */
void MMRT_UKR(int64_t m, int64_t n, int64_t k, const float *alpha, const float *a,
              const float *b, const float *beta, float *c, int64_t rs_c, int64_t cs_c,
              const mmrt_auxinfo *aux, const void *cntx);
#endif

/* Epilogue, run on each finished C tile: rows t0..t0+mt-1, columns n0..n0+nn-1; element
 * (t0 + t, n0 + n) at c[t * ts + n * ns] (ns = 1 for a row-major C; ts = 1, ns = XR for C
 * written as activation panels, see mmrt_gemm_panels). */
typedef void (*mmrt_epilogue)(const void *ctx, float *c, int ts, int ns, int t0, int mt,
                              int n0, int nn);

/* ---- packing ---- */

/* One column block of a panel of 12 rows: d[k * 12 + r] = rows[r][k] (0 when rows[r] is
 * NULL) for k < n: a transpose, done 16 columns at a time in AVX-512 registers when the
 * target has them (the classic 16 x 16 unpack / shuffle transpose, rows 12..15 zero; 16
 * columns stored as 12 full vectors, fewer as masked 12-float rows), 8 at a time in AVX2
 * ones, else element by element. Pure data movement: the bytes are the same either way.
 * Used by the packings of full 12-row panels. */
MMRT_INLINE void mmrt_tr12(float *restrict d, const float *const rows[12], int n) {
  int k = 0;
#if defined(__AVX512F__)
  for (; k < n; k += 16) {
    const int m = n - k < 16 ? n - k : 16;
    const __mmask16 lm = (__mmask16)((1u << m) - 1);
    __m512 r[16];
    for (int i = 0; i < 12; i++)
      r[i] = rows[i] ? _mm512_maskz_loadu_ps(lm, rows[i] + k) : _mm512_setzero_ps();
    for (int i = 12; i < 16; i++) r[i] = _mm512_setzero_ps();
    mmrt_tr16(r);
    if (m == 16) /* 12 full vectors, not 16 masked rows */
      mmrt_tr16_put12(d + (size_t)k * 12, r, 0);
    else
      for (int c = 0; c < m; c++) _mm512_mask_storeu_ps(d + (size_t)(k + c) * 12, 0x0fff, r[c]);
  }
#elif defined(__AVX2__)
  /* AVX2: 8 columns at a time, rows 0..7 and rows 8..11 (4 zero rows added) each by
   * mmrt_tr8_lanes: a column's rows 0..7 are two lanes joined, rows 8..11 one lane */
  for (; k + 8 <= n; k += 8) {
    __m256 r[16], u[8], v[8];
    for (int i = 0; i < 12; i++)
      r[i] = rows[i] ? _mm256_loadu_ps(rows[i] + k) : _mm256_setzero_ps();
    for (int i = 12; i < 16; i++) r[i] = _mm256_setzero_ps();
    mmrt_tr8_lanes(r, u);
    mmrt_tr8_lanes(r + 8, v);
    for (int j = 0; j < 4; j++) {
      _mm256_storeu_ps(d + (size_t)(k + j) * 12, _mm256_permute2f128_ps(u[j], u[4 + j], 0x20));
      _mm256_storeu_ps(d + (size_t)(k + 4 + j) * 12, _mm256_permute2f128_ps(u[j], u[4 + j], 0x31));
      _mm_storeu_ps(d + (size_t)(k + j) * 12 + 8, _mm256_castps256_ps128(v[j]));
      _mm_storeu_ps(d + (size_t)(k + 4 + j) * 12 + 8, _mm256_extractf128_ps(v[j], 1));
    }
  }
#endif
  for (; k < n; k++)
    for (int r = 0; r < 12; r++) d[(size_t)k * 12 + r] = rows[r] ? rows[r][k] : 0.0f;
}

/* Rows r < 12 of a panel at 16 consecutive k, from a row-major block (row stride ld floats):
 * the panel's 192 contiguous floats from that k on, d[j] = src[(j % 12) ld + j / 12], by
 * mmrt_tr12's register transpose (AVX-512 gathers did the same at ~1.8x the time on AMD
 * Zen 5: bench/results/NOTES.md). */
MMRT_INLINE void mmrt_panel_put12x16(float *restrict d, const float *restrict src, int ld) {
  const float *rows[12];
  for (int r = 0; r < 12; r++) rows[r] = src + (size_t)r * ld;
  mmrt_tr12(d, rows, 16);
}

/* Panels p0..p1-1 of R rows each, from a row-major matrix (rows of K floats, stride ld). */
MMRT_INLINE void mmrt_pack_rows(float *restrict dst, const float *restrict src, int ld,
                                int rows, int K, int R, int p0, int p1) {
  const int ps = MMRT_PANEL_FLOATS(K, R);
  for (int p = p0; p < p1; p++) {
    float *restrict d = dst + (size_t)p * ps;
    const int r0 = p * R, nr = rows - r0 < R ? rows - r0 : R;
    int k0 = 0;
#if defined(__AVX512F__)
    if (R == 12 && nr == 12) /* the first K / 16 * 16 columns by the transpose */
      for (; k0 + 16 <= K; k0 += 16)
        mmrt_panel_put12x16(d + (size_t)k0 * 12, src + (size_t)r0 * ld + k0, ld);
    if (R == 32) /* attention's keys: 16 x 16 blocks, each column 16 floats, rows past nr 0 */
      for (; k0 + 16 <= K; k0 += 16)
        for (int h = 0; h < 32; h += 16) {
          __m512 t[16];
          for (int r = 0; r < 16; r++)
            t[r] = h + r < nr ? _mm512_loadu_ps(src + (size_t)(r0 + h + r) * ld + k0)
                              : _mm512_setzero_ps();
          mmrt_tr16(t);
          for (int c = 0; c < 16; c++) _mm512_storeu_ps(d + (size_t)(k0 + c) * 32 + h, t[c]);
        }
#elif defined(__AVX2__)
    if (R == 12 && nr == 12) { /* a full panel: the transpose */
      const float *rows[12];
      for (int r = 0; r < 12; r++) rows[r] = src + (size_t)(r0 + r) * ld;
      mmrt_tr12(d, rows, K);
      k0 = K;
    }
#endif
    for (int r = 0; r < nr; r++) {
      const float *restrict s = src + (size_t)(r0 + r) * ld;
      for (int k = k0; k < K; k++) d[k * R + r] = s[k];
    }
    for (int r = nr; r < R; r++) /* (columns before k0: zeroed above) */
      for (int k = k0; k < K; k++) d[k * R + r] = 0.0f;
    for (int i = K * R; i < ps; i++) d[i] = 0.0f;
  }
}

/* Panels p0..p1-1 of R columns each, from a row-major K x N matrix (stride ld): element
 * (k, n) goes to panel n / R. Used for V in attention (keys are the k dimension). */
MMRT_INLINE void mmrt_pack_cols(float *restrict dst, const float *restrict src, int ld,
                                int cols, int K, int R, int p0, int p1) {
  const int ps = MMRT_PANEL_FLOATS(K, R);
  for (int p = p0; p < p1; p++) {
    float *restrict d = dst + (size_t)p * ps;
    const int c0 = p * R, nc = cols - c0 < R ? cols - c0 : R;
    for (int k = 0; k < K; k++) {
      const float *restrict s = src + (size_t)k * ld + c0;
      for (int r = 0; r < nc; r++) d[k * R + r] = s[r];
      for (int r = nc; r < R; r++) d[k * R + r] = 0.0f;
    }
    for (int i = K * R; i < ps; i++) d[i] = 0.0f;
  }
}

/* Sum of n floats in a fixed order: MMRT_SUM_LANES interleaved partial sums (two 512-bit
 * vectors of independent chains: with one vector of 8 the loop waited on each add's
 * latency), added pairwise, then the tail. */
#define MMRT_SUM_LANES 32
/* The partial sums added pairwise (acc[j] += acc[j + w], w = MMRT_SUM_LANES / 2 .. 1). */
MMRT_INLINE float mmrt_sum_halve(float acc[MMRT_SUM_LANES]) {
  for (int w = MMRT_SUM_LANES / 2; w > 0; w /= 2)
    for (int j = 0; j < w; j++) acc[j] += acc[j + w];
  return acc[0];
}
MMRT_INLINE float mmrt_sum(const float *restrict x, int n) {
  float acc[MMRT_SUM_LANES] = {0};
  int k = 0;
  for (; k + MMRT_SUM_LANES <= n; k += MMRT_SUM_LANES)
    for (int j = 0; j < MMRT_SUM_LANES; j++) acc[j] += x[k + j];
  float s = mmrt_sum_halve(acc);
  for (; k < n; k++) s += x[k];
  return s;
}

/* Mean and 1/sqrt(var + eps) of one row (biased variance, two passes, as torch's
 * LayerNorm), both sums in mmrt_sum's order. */
MMRT_INLINE void mmrt_row_stats(const float *restrict x, int n, float eps, float *mean,
                                float *rstd) {
  const float m = mmrt_sum(x, n) / (float)n;
  float acc[MMRT_SUM_LANES] = {0};
  int k = 0;
  for (; k + MMRT_SUM_LANES <= n; k += MMRT_SUM_LANES)
    for (int j = 0; j < MMRT_SUM_LANES; j++) {
      const float d = x[k + j] - m;
      acc[j] += d * d;
    }
  float v = mmrt_sum_halve(acc);
  for (; k < n; k++) v += (x[k] - m) * (x[k] - m);
  *mean = m;
  *rstd = 1.0f / sqrtf(v / (float)n + eps);
}

#if defined(__AVX512F__) && MMRT_XR == 12
/* A full panel of 12 rows (AVX-512): 16 columns at a time, each row's 16 normalised into a
 * 12 x 16 tile that mmrt_panel_put12x16 writes out. The same operations per element as
 * mmrt_pack_layernorm's loop (no FMA: -std=c11 does not contract it), so the same bits; the
 * scalar loop's strided stores cost 3-4x the time (bench/results/NOTES.md). */
MMRT_INLINE void mmrt_pack_layernorm12(float *restrict d, const float *restrict src, int ld,
                                       int K, const float *restrict g,
                                       const float *restrict b, float eps) {
  float mean[12], rstd[12], tile[12 * 16] __attribute__((aligned(64)));
  for (int r = 0; r < 12; r++) mmrt_row_stats(src + (size_t)r * ld, K, eps, &mean[r], &rstd[r]);
  int k = 0;
  for (; k + 16 <= K; k += 16) {
    const __m512 gv = _mm512_loadu_ps(g + k), bv = _mm512_loadu_ps(b + k);
    for (int r = 0; r < 12; r++) {
      const __m512 x = _mm512_loadu_ps(src + (size_t)r * ld + k);
      const __m512 c =
          _mm512_mul_ps(_mm512_sub_ps(x, _mm512_set1_ps(mean[r])), _mm512_set1_ps(rstd[r]));
      _mm512_store_ps(tile + r * 16, _mm512_add_ps(_mm512_mul_ps(c, gv), bv));
    }
    mmrt_panel_put12x16(d + (size_t)k * 12, tile, 16);
  }
  for (; k < K; k++)
    for (int r = 0; r < 12; r++)
      d[k * 12 + r] = (src[(size_t)r * ld + k] - mean[r]) * rstd[r] * g[k] + b[k];
}

/* Softmax of 12 rows (AVX-512; the caller's panel): each row's maximum, exps and sum in
 * vectors (mmrt_expf16 is bitwise mmrt_expf, the last n % 16 columns by a masked one; the
 * maximum does not depend on the order of its comparisons; the sum is mmrt_sum's: 32
 * interleaved lanes added in the exp pass, mmrt_sum_halve, then the last n % 32 in order),
 * then the panel written 16 columns at a time through a tile. */
MMRT_INLINE void mmrt_softmax_pack12(float *restrict d, float *restrict s, int lds, int n) {
  _Static_assert(MMRT_SUM_LANES == 32, "the sum below is mmrt_sum's order for 32 lanes");
  float inv[12], tile[12 * 16] __attribute__((aligned(64)));
  const int n16 = n & ~15, n32 = n & ~31;
  const __mmask16 tail = (__mmask16)((1u << (n - n16)) - 1);
  for (int i = 0; i < 12; i++) {
    float *restrict x = s + (size_t)i * lds;
    __m512 mv = _mm512_set1_ps(x[0]);
    int k = 0;
    for (; k < n16; k += 16) mv = _mm512_max_ps(_mm512_loadu_ps(x + k), mv);
    mv = _mm512_mask_max_ps(mv, tail, _mm512_maskz_loadu_ps(tail, x + k), mv);
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mv));
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(); /* lanes 0..15, 16..31 */
    for (k = 0; k < n32; k += 32) {
      const __m512 e0 = mmrt_expf16(_mm512_sub_ps(_mm512_loadu_ps(x + k), m));
      const __m512 e1 = mmrt_expf16(_mm512_sub_ps(_mm512_loadu_ps(x + k + 16), m));
      _mm512_storeu_ps(x + k, e0);
      _mm512_storeu_ps(x + k + 16, e1);
      a0 = _mm512_add_ps(a0, e0);
      a1 = _mm512_add_ps(a1, e1);
    }
    for (; k < n16; k += 16)
      _mm512_storeu_ps(x + k, mmrt_expf16(_mm512_sub_ps(_mm512_loadu_ps(x + k), m)));
    if (tail)
      _mm512_mask_storeu_ps(x + k, tail,
                            mmrt_expf16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + k), m)));
    /* mmrt_sum_halve's additions in registers (through memory: +50% at 32-50 columns) */
    const __m512 v = _mm512_add_ps(a0, a1);
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v),
                                   _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    float sum = _mm_cvtss_f32(q);
    for (k = n32; k < n; k++) sum += x[k];
    inv[i] = 1.0f / sum;
  }
  const float *rows[12];
  for (int i = 0; i < 12; i++) rows[i] = tile + i * 16;
  for (int k = 0; k < n; k += 16) {
    const __mmask16 cols = k < n16 ? 0xffff : tail;
    for (int i = 0; i < 12; i++)
      _mm512_store_ps(tile + i * 16,
                      _mm512_mul_ps(_mm512_maskz_loadu_ps(cols, s + (size_t)i * lds + k),
                                    _mm512_set1_ps(inv[i])));
    mmrt_tr12(d + (size_t)k * 12, rows, k < n16 ? 16 : n - k);
  }
}
#endif

/* LayerNorm of rows of K floats (stride ld) packed as activation panels p0..p1-1. */
MMRT_INLINE void mmrt_pack_layernorm(float *restrict dst, const float *restrict src, int ld,
                                     int rows, int K, const float *restrict g,
                                     const float *restrict b, float eps, int p0, int p1) {
  const int R = MMRT_XR, ps = MMRT_PANEL_FLOATS(K, R);
  for (int p = p0; p < p1; p++) {
    float *restrict d = dst + (size_t)p * ps;
    const int r0 = p * R, nr = rows - r0 < R ? rows - r0 : R;
#if defined(__AVX512F__) && MMRT_XR == 12
    if (nr == 12) {
      mmrt_pack_layernorm12(d, src + (size_t)r0 * ld, ld, K, g, b, eps);
      for (int i = K * R; i < ps; i++) d[i] = 0.0f;
      continue;
    }
#elif defined(__AVX2__) && MMRT_XR == 12
    if (nr == 12) { /* blocks of columns normalised row by row, then transposed */
      float mean[12], rstd[12], tile[12][64];
      const float *rows[12];
      for (int r = 0; r < 12; r++) {
        mmrt_row_stats(src + (size_t)(r0 + r) * ld, K, eps, &mean[r], &rstd[r]);
        rows[r] = tile[r];
      }
      for (int k0 = 0; k0 < K; k0 += 64) {
        const int kn = K - k0 < 64 ? K - k0 : 64;
        for (int r = 0; r < 12; r++) {
          const float *restrict s = src + (size_t)(r0 + r) * ld + k0;
          for (int k = 0; k < kn; k++)
            tile[r][k] = (s[k] - mean[r]) * rstd[r] * g[k0 + k] + b[k0 + k];
        }
        mmrt_tr12(d + (size_t)k0 * 12, rows, kn);
      }
      for (int i = K * R; i < ps; i++) d[i] = 0.0f;
      continue;
    }
#endif
    for (int r = 0; r < nr; r++) {
      const float *restrict s = src + (size_t)(r0 + r) * ld;
      float mean, rstd;
      mmrt_row_stats(s, K, eps, &mean, &rstd);
      for (int k = 0; k < K; k++) d[k * R + r] = (s[k] - mean) * rstd * g[k] + b[k];
    }
    for (int r = nr; r < R; r++)
      for (int k = 0; k < K; k++) d[k * R + r] = 0.0f;
    for (int i = K * R; i < ps; i++) d[i] = 0.0f;
  }
}

/* LayerNorm in place on rows r0..r1-1 (stride ld). */
MMRT_INLINE void mmrt_layernorm_rows(float *x, int ld, int K, const float *restrict g,
                                     const float *restrict b, float eps, int r0, int r1) {
  for (int r = r0; r < r1; r++) {
    float *restrict s = x + (size_t)r * ld;
    float mean, rstd;
    mmrt_row_stats(s, K, eps, &mean, &rstd);
    for (int k = 0; k < K; k++) s[k] = (s[k] - mean) * rstd * g[k] + b[k];
  }
}

/* One row's softmax numerators in place, x[k] = exp(x[k] - max), and 1 / their sum. */
MMRT_INLINE float mmrt_softmax_exps(float *restrict x, int n) {
  float mx[8] = {x[0], x[0], x[0], x[0], x[0], x[0], x[0], x[0]};
  int k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; j++) mx[j] = x[k + j] > mx[j] ? x[k + j] : mx[j];
  for (; k < n; k++) mx[0] = x[k] > mx[0] ? x[k] : mx[0];
  float m = mx[0];
  for (int j = 1; j < 8; j++) m = mx[j] > m ? mx[j] : m;
  for (k = 0; k < n; k++) x[k] = mmrt_expf(x[k] - m);
  return 1.0f / mmrt_sum(x, n);
}

/* Softmax of rows 0..rows-1 of s (stride lds, n valid columns, overwritten), written as
 * activation panels of K = n for the next product (P V). */
MMRT_INLINE void mmrt_softmax_pack(float *restrict dst, float *restrict s, int lds, int rows,
                                   int n) {
  const int R = MMRT_XR, ps = MMRT_PANEL_FLOATS(n, R);
  int r0 = 0;
#if defined(__AVX512F__) && defined(__FMA__) && MMRT_XR == 12
  for (; r0 + 12 <= rows; r0 += 12)
    mmrt_softmax_pack12(dst + (size_t)(r0 / 12) * ps, s + (size_t)r0 * lds, lds, n);
#elif defined(__AVX2__) && MMRT_XR == 12
  /* full panels: each row scaled in place (the products the loop below stores), then the
   * panel written by the transpose */
  for (; r0 + 12 <= rows; r0 += 12) {
    const float *rp[12];
    for (int i = 0; i < 12; i++) {
      float *restrict x = s + (size_t)(r0 + i) * lds;
      const float inv = mmrt_softmax_exps(x, n);
      for (int k = 0; k < n; k++) x[k] *= inv;
      rp[i] = x;
    }
    mmrt_tr12(dst + (size_t)(r0 / 12) * ps, rp, n);
  }
#endif
  for (int r = r0; r < rows; r++) {
    float *restrict x = s + (size_t)r * lds;
    const float inv = mmrt_softmax_exps(x, n);
    float *restrict d = dst + (size_t)(r / R) * ps + r % R;
    for (int k = 0; k < n; k++) d[k * R] = x[k] * inv;
  }
  const int np = MMRT_PANELS(rows, R);
  for (int r = rows; r < np * R; r++) {
    float *restrict d = dst + (size_t)(r / R) * ps + r % R;
    for (int k = 0; k < n; k++) d[k * R] = 0.0f;
  }
  for (int p = 0; p < np; p++)
    for (int i = n * R; i < ps; i++) dst[(size_t)p * ps + i] = 0.0f;
}

/* ---- the product ---- */

/* C = X W^T (+ C when accumulate) for weight panels j0..j1-1 (output features
 * j0*WR .. min(j1*WR, N)-1), all M rows; the epilogue (may be NULL) sees each tile once
 * its last k block is done. Every C tile sums its k blocks of KC in the same order with the
 * same kernel calls whatever the loop order and the thread partition, so results are
 * bitwise identical for any thread count. With PANELS, C is not row-major but written
 * straight into activation panels for the next product, ldc floats apart (element (t, n) at
 * c[(t / XR) * ldc + n * XR + t % XR]); the kernel then writes a tile through its
 * general-stride path.
 * Loop order: activation panels in blocks (i) of at most MMRT_L2_BYTES / 2 per group of k
 * blocks (g); within them each weight panel (j) is read from memory once and reused across
 * every token panel while it is in L1/L2, its k blocks in order, and the next weight block is
 * prefetched into L2 in shares, one per kernel call over the token panels (mmcc's own kernels
 * spread their share over their k loop; before a BLIS kernel it is issued at once), so the
 * kernels find it there. wnext (may be NULL): the weights the caller multiplies next; after
 * the last block their first one is that next block (taken to be as long as this product's
 * first), so a run of small products, such as Winograd's A * A, does not start each one
 * from memory. */
MMRT_INLINE void mmrt_gemm_core(const float *xp, int M, const float *wp, int N, int K,
                                float *c, int ldc, int panels, int accumulate, int j0, int j1,
                                mmrt_epilogue epi, const void *ectx, const float *wnext) {
  static const float one = 1.0f, zero = 0.0f;
  const int XR = MMRT_XR, WR = MMRT_WR, KC = MMRT_KC;
  const int xs = MMRT_PANEL_FLOATS(K, XR), ws = MMRT_PANEL_FLOATS(K, WR);
  const int mp = MMRT_PANELS(M, XR), kb = (K + KC - 1) / KC;
  const int ts = panels ? 1 : ldc, ns = panels ? XR : 1; /* strides of C along t and n */
  /* block sizes: activation panels of one k block that fit the budget, then k blocks */
  const long budget = MMRT_L2_BYTES / 2, xblock = (long)XR * KC * (long)sizeof(float);
  const int mc = budget / xblock < mp ? (int)(budget / xblock > 0 ? budget / xblock : 1) : mp;
  const int kg = budget / (xblock * mc) < kb ? (int)(budget / (xblock * mc)) : kb;
  mmrt_auxinfo aux = {0, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL};
#if MMRT_UKR_OWN
  /* A few tokens (a batch-1 head): weight panels MMRT_UKR_FEW_PANELS(M) at a time, their
   * k blocks in order, each tile's calls and sums the same as below (runtime/mmrt_ukr.h) */
  if (!panels && M <= MMRT_UKR_FEW_MT) {
    const int P = MMRT_UKR_FEW_PANELS(M);
    for (int j = j0; j < j1; j += P) {
      const int np = j1 - j < P ? j1 - j : P, n0 = j * WR;
      const int nnl = N - (j + np - 1) * WR < WR ? N - (j + np - 1) * WR : WR;
      for (int b = 0; b < kb; b++) {
        const int k0 = b * KC, kc = K - k0 < KC ? K - k0 : KC, acc = k0 > 0 || accumulate;
        const float *w = wp + (size_t)j * ws + (size_t)k0 * WR, *x = xp + (size_t)k0 * XR;
        if (np == P)
          MMRT_UKR_FEW(nnl, M, kc, w, ws, x, acc, c + n0, ldc);
        else
          for (int q = 0; q < np; q++)
            MMRT_UKR(q < np - 1 ? WR : nnl, M, kc, w + (size_t)q * ws, x, acc,
                     c + n0 + q * WR, ldc, 1, NULL, 0);
      }
      if (epi)
        for (int q = 0; q < np; q++)
          epi(ectx, c + n0 + q * WR, ldc, 1, 0, M, n0 + q * WR, q < np - 1 ? WR : nnl);
    }
    (void)wnext;
    return;
  }
#endif
  /* A finished tile's epilogue runs after the next kernel call, not right after its own:
   * then the tile's stores have reached L1 and its loads do not wait on them (a load
   * spanning two of a transposed tile's 12-float stores cannot be forwarded). pc: the tile
   * waiting, if any; the last one after the loops. (With mmrt_gelu16n, ViT-B/32 GELU(fc1)
   * -1.7%: bench/results/NOTES.md.) */
  float *pc = NULL;
  int pt0 = 0, pmt = 0, pn0 = 0, pnn = 0;
  for (int g0 = 0; g0 < kb; g0 += kg) {
    const int g1 = g0 + kg < kb ? g0 + kg : kb;
    for (int i0 = 0; i0 < mp; i0 += mc) {
      const int i1 = i0 + mc < mp ? i0 + mc : mp;
      for (int j = j0; j < j1; j++) {
        const int n0 = j * WR, nn = N - n0 < WR ? N - n0 : WR;
        for (int b = g0; b < g1; b++) {
          const int k0 = b * KC, kc = K - k0 < KC ? K - k0 : KC;
          const float *beta = k0 == 0 && !accumulate ? &zero : &one;
          const int last = k0 + kc == K;
          const float *w = wp + (size_t)j * ws + (size_t)k0 * WR;
          /* the weight block after this one: next k block, else the next panel's first,
           * else (the last of all) wnext's first */
          const char *pf = b + 1 < g1 ? (const char *)(w + (size_t)kc * WR)
                           : j + 1 < j1 ? (const char *)(wp + (size_t)(j + 1) * ws + (size_t)g0 * KC * WR)
                           : g1 == kb && i1 == mp ? (const char *)wnext : NULL;
          const int nb = b + 1 < g1 ? b + 1 : g0, nkc = K - nb * KC < KC ? K - nb * KC : KC;
          const int lines = nkc * WR * (int)sizeof(float) / 64;
          const int share = (lines + (i1 - i0) - 1) / (i1 - i0);
#if MMRT_UKR_OWN /* the kernel spreads its lines over its k loop: any number */
          const int per = share;
#else /* a burst before each call: more than 64 lines lost 5-15% at M = 50 (NOTES.md) */
          const int per = share < 64 ? share : 64;
#endif
          for (int i = i0; i < i1; i++) {
            const float *x = xp + (size_t)i * xs + (size_t)k0 * XR;
            const int t0 = i * XR;
            /* a panel followed by a last one of 1..MMRT_UKR_JOIN_MAX tokens takes them */
            const int join = MMRT_UKR_OWN && !panels && i + 1 < i1 && M - t0 > XR &&
                             M - t0 <= XR + MMRT_UKR_JOIN_MAX;
            const int mt = join ? M - t0 : M - t0 < XR ? M - t0 : XR;
            float *cc = panels ? c + (size_t)i * ldc + (size_t)n0 * XR : c + (size_t)t0 * ldc + n0;
            /* this call's share of the next weight block's lines (two shares when joined) */
            const int l0 = (i - i0) * per, lp = per * (1 + join);
            const int pfl = !pf ? 0 : l0 + lp < lines ? lp : lines > l0 ? lines - l0 : 0;
#if !MMRT_UKR_OWN /* BLIS kernels take no lines: issued here, before the call */
            for (int l = l0; l < l0 + pfl; l++) __builtin_prefetch(pf + (size_t)l * 64, 0, 2);
#endif
            /* the operands of the next call, for kernels that prefetch through auxinfo */
            const float *xn = i + 1 < i1 ? x + xs : xp + (size_t)i0 * xs + (size_t)k0 * XR;
            const float *wn = i + 1 < i1 ? w : pf ? (const float *)pf : w;
#if MMRT_UKR_OWN
            (void)xn;
            (void)wn;
            (void)aux;
            if (join)
              MMRT_UKR_JOIN(nn, mt, kc, w, x, x + xs, beta == &one, cc, ts,
                            pf ? pf + (size_t)l0 * 64 : NULL, pfl);
            else
              MMRT_UKR(nn, mt, kc, w, x, beta == &one, cc, ts, ns,
                       pf ? pf + (size_t)l0 * 64 : NULL, pfl);
#elif MMRT_COL_PREF
            aux.a_next = wn;
            aux.b_next = xn;
            MMRT_UKR(nn, mt, kc, &one, w, x, beta, cc, ns, ts, &aux, NULL);
#else
            aux.a_next = xn;
            aux.b_next = wn;
            MMRT_UKR(mt, nn, kc, &one, x, w, beta, cc, ts, ns, &aux, NULL);
#endif
            if (pc) epi(ectx, pc, ts, ns, pt0, pmt, pn0, pnn);
            pc = NULL;
            if (last && epi) pc = cc, pt0 = t0, pmt = mt, pn0 = n0, pnn = nn;
            i += join;
          }
        }
      }
    }
  }
  if (pc) epi(ectx, pc, ts, ns, pt0, pmt, pn0, pnn);
}

/* C row-major with row stride ldc. */
MMRT_INLINE void mmrt_gemm(const float *xp, int M, const float *wp, int N, int K, float *c,
                           int ldc, int accumulate, int j0, int j1, mmrt_epilogue epi,
                           const void *ectx) {
  mmrt_gemm_core(xp, M, wp, N, K, c, ldc, 0, accumulate, j0, j1, epi, ectx, NULL);
}

/* C written as activation panels for the next product (no packing pass): panels of
 * pstride floats (MMRT_PANEL_FLOATS(K of the next product, XR)); c is where column 0 of
 * this product goes in the first panel. */
MMRT_INLINE void mmrt_gemm_panels(const float *xp, int M, const float *wp, int N, int K,
                                  float *c, int pstride, int j0, int j1, mmrt_epilogue epi,
                                  const void *ectx) {
  mmrt_gemm_core(xp, M, wp, N, K, c, pstride, 1, 0, j0, j1, epi, ectx, NULL);
}

#endif
