/* mmrt_wino.h: a 3x3 stride-1 convolution (padding 1, no groups) by Winograd's minimal
 * filtering F(m x m, 3 x 3), m = 2 or 4 (the transforms: mmrt_wino_tab.h). The output is
 * cut into T = ceil(OH / m) x ceil(OW / m) tiles of m x m pixels; with A = m + 2:
 *   1. mmrt_op_wino_pack: each tile's A x A input window d (zero outside the image),
 *      V = B^T d B per channel, written as A * A activation-panel matrices [T, Cin]
 *      (matrix xi = i * A + j holds element (i, j) of every tile's V);
 *   2. mmrt_op_wino_gemm: A * A products M_xi [T, Cout] = V_xi U_xi^T with the weights
 *      U = G g G^T that mmcc transformed and packed at compile time (BatchNorm folded in
 *      before: compiler/gen_pack.c), on the BLIS micro-kernel, stored [T, A * A, Cout] so
 *      that a tile's products are one contiguous block for step 3;
 *   3. mmrt_op_wino_out: Y = A^T M A per tile and output channel, + bias (+ residual)
 *      (ReLU), into the NHWC output where the tile is inside it.
 * The products do (A / m)^2 / 9 of a direct convolution's multiply-adds: 16 / 36 for m = 2,
 * 36 / 144 for m = 4. Each phase reads what the previous one wrote on every thread: the
 * caller puts a barrier after each. Every element's arithmetic is fixed by its tile and
 * channel (vectors of MMRT_WINO_VL channels, the product's fixed k order), so the bytes are
 * the same for any thread count. Nothing allocates: the tiles of one panel are transformed
 * in a stack block of A * A * MMRT_XR * MMRT_WINO_VL floats (27 KB for m = 4). */
#ifndef MMRT_WINO_H
#define MMRT_WINO_H

#include "mmrt.h"
#include "mmrt_gemm.h"
#include "mmrt_wino_tab.h"

#include <string.h>

#define MMRT_WINO_VL 16 /* channels per step: one AVX-512 vector, two AVX2 ones */
#define MMRT_WINO_TILES(n, m) (((n) + (m) - 1) / (m))
/* Floats of the A * A transformed-input matrices [T, Cin] (activation panels), of the
 * transformed weights [Cout, Cin] (weight panels; plan.c sizes them the same way) and of the
 * products [T, A * A, Cout] (row-major: the A * A products of a tile side by side). */
#define MMRT_WINO_XP_FLOATS(m, T, Cin) \
  ((size_t)MMRT_WINO_ALPHA(m) * MMRT_WINO_ALPHA(m) * MMRT_PACKED_FLOATS(T, Cin, MMRT_XR))
#define MMRT_WINO_W_FLOATS(m, Cout, Cin) \
  ((size_t)MMRT_WINO_ALPHA(m) * MMRT_WINO_ALPHA(m) * MMRT_PACKED_FLOATS(Cout, Cin, MMRT_WR))
#define MMRT_WINO_M_FLOATS(m, T, Cout) \
  ((size_t)MMRT_WINO_ALPHA(m) * MMRT_WINO_ALPHA(m) * (size_t)(T) * (Cout))

/* MMRT_WINO_VL channels as one value (GCC's vector extension: one zmm with AVX-512, split
 * by the compiler elsewhere); loads and stores unaligned. Only through pointers into
 * always-inlined code, so no vector crosses a call. */
typedef float mmrt_wv __attribute__((vector_size(MMRT_WINO_VL * 4)));
#define MMRT_WV_LD(v, p) memcpy(&(v), (p), sizeof(mmrt_wv))
#define MMRT_WV_ST(p, v) memcpy((p), &(v), sizeof(mmrt_wv))

/* The first n <= VL channels at s as a vector (the others 0), and back. */
MMRT_INLINE void mmrt_wv_load_n(mmrt_wv *v, const float *s, int n) {
  if (n == MMRT_WINO_VL) {
    MMRT_WV_LD(*v, s);
  } else {
    float e[MMRT_WINO_VL] = {0};
    for (int q = 0; q < n; q++) e[q] = s[q];
    MMRT_WV_LD(*v, e);
  }
}

MMRT_INLINE void mmrt_wv_store_n(float *d, const mmrt_wv *v, int n) {
  if (n == MMRT_WINO_VL) {
    MMRT_WV_ST(d, *v);
  } else {
    float e[MMRT_WINO_VL];
    MMRT_WV_ST(e, *v);
    for (int q = 0; q < n; q++) d[q] = e[q];
  }
}

/* The 1-D transforms of mmrt_wino_tab.h's B^T (input, A values to A) and A^T (products, A
 * values to m) written out with their common terms: element k of the input at s[k * ss],
 * of the output at o[k * os]. Their order of operations is fixed, so the bits are. */
MMRT_INLINE void mmrt_wino_bt_1d(mmrt_wv *o, int os, const mmrt_wv *s, int ss, int m) {
  const mmrt_wv d0 = s[0], d1 = s[ss], d2 = s[2 * ss], d3 = s[3 * ss];
  if (m == 2) { /* B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] */
    o[0] = d0 - d2, o[os] = d1 + d2, o[2 * os] = d2 - d1, o[3 * os] = d1 - d3;
    return;
  }
  const mmrt_wv d4 = s[4 * ss], d5 = s[5 * ss];
  const mmrt_wv p = d3 + d4, q = d1 + d2, r = d4 - d3, t = d1 - d2, u = d4 - d2, w = d3 - d1;
  o[0] = (4.0f * d0 - 5.0f * d2) + d4;  /* 4 d0 - 5 d2 + d4 */
  o[os] = p - 4.0f * q;                 /* -4 d1 - 4 d2 + d3 + d4 */
  o[2 * os] = r + 4.0f * t;             /* 4 d1 - 4 d2 - d3 + d4 */
  o[3 * os] = u + 2.0f * w;             /* -2 d1 - d2 + 2 d3 + d4 */
  o[4 * os] = u - 2.0f * w;             /* 2 d1 - d2 - 2 d3 + d4 */
  o[5 * os] = (4.0f * d1 - 5.0f * d3) + d5; /* 4 d1 - 5 d3 + d5 */
}

MMRT_INLINE void mmrt_wino_at_1d(mmrt_wv *o, int os, const mmrt_wv *s, int ss, int m) {
  const mmrt_wv m0 = s[0], m1 = s[ss], m2 = s[2 * ss], m3 = s[3 * ss];
  if (m == 2) { /* A^T = [1 1 1 0; 0 1 -1 -1] */
    o[0] = (m0 + m1) + m2, o[os] = (m1 - m2) - m3;
    return;
  }
  const mmrt_wv m4 = s[4 * ss], m5 = s[5 * ss];
  const mmrt_wv a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
  o[0] = (m0 + a) + c;           /* m0 + m1 + m2 + m3 + m4 */
  o[os] = b + 2.0f * d;          /* m1 - m2 + 2 m3 - 2 m4 */
  o[2 * os] = a + 4.0f * c;      /* m1 + m2 + 4 m3 + 4 m4 */
  o[3 * os] = (b + 8.0f * d) + m5; /* m1 - m2 + 8 m3 - 8 m4 + m5 */
}

/* V = B^T d B of one tile for channels c..c+nc-1 (nc <= VL; the others zero): d is the
 * A x A window with its top-left pixel at (iy0, ix0) of the NHWC input [H, W, ldx]; v gets
 * the A * A results, matrix xi at v + xi * vstride. */
MMRT_INLINE void mmrt_wino_in_tile(float *restrict v, int vstride, int m, const float *x, int H,
                                   int W, int ldx, int iy0, int ix0, int c, int nc) {
  const int A = m + 2;
  mmrt_wv d[36], t[36];
  if (nc == MMRT_WINO_VL && iy0 >= 0 && ix0 >= 0 && iy0 + A <= H && ix0 + A <= W) {
    /* inside the image (most tiles): no bounds test per pixel (the input transform of
     * ResNet-50's stages 1-3, Intel Xeon: 4-7% less time) */
    const float *s0 = x + ((size_t)iy0 * W + ix0) * ldx + c;
#pragma GCC unroll 6
    for (int i = 0; i < A; i++)
#pragma GCC unroll 6
      for (int j = 0; j < A; j++) MMRT_WV_LD(d[i * A + j], s0 + ((size_t)i * W + j) * ldx);
  } else {
#pragma GCC unroll 6
    for (int i = 0; i < A; i++) {
      const int iy = iy0 + i;
#pragma GCC unroll 6
      for (int j = 0; j < A; j++) {
        const int ix = ix0 + j;
        const float *s = x + ((size_t)iy * W + ix) * ldx + c;
        if ((unsigned)iy >= (unsigned)H || (unsigned)ix >= (unsigned)W) {
          d[i * A + j] = (mmrt_wv){0};
        } else {
          mmrt_wv_load_n(&d[i * A + j], s, nc);
        }
      }
    }
  }
  /* t = B^T d (down the columns), then V = t B (along the rows) */
#pragma GCC unroll 6
  for (int j = 0; j < A; j++) mmrt_wino_bt_1d(t + j, A, d + j, A, m);
#pragma GCC unroll 6
  for (int i = 0; i < A; i++) mmrt_wino_bt_1d(d + i * A, 1, t + i * A, 1, m);
#pragma GCC unroll 36
  for (int xi = 0; xi < A * A; xi++) MMRT_WV_ST(v + (size_t)xi * vstride, d[xi]);
}

/* Step 1: the transformed input of the NHWC images [B, H, W, Cin] (output H x W, padding 1;
 * the B images' tiles one after another, T = B x the tiles of an image).
 * The threads claim runs of (panel of MMRT_XR tiles, block of MMRT_WINO_VL channels) units,
 * panel-major: a unit's bytes do not depend on who computes it, and a thread slowed by its
 * core (the VM, another job) gives the back of its share away instead of holding up the
 * barrier (a fixed share of whole panels also put 3 of 5 panels on one thread at 7 x 7
 * tiles; ResNet-50, 2 threads: wino_pack 1.81 -> 1.00 ms, bench/results/NOTES.md). */
MMRT_INLINE void mmrt_op_wino_pack(float *xp, const float *x, int B, int H, int W, int Cin,
                                   int m, mmrt_team *team, int tid) {
  const int A = m + 2, AA = A * A, R = MMRT_XR, TW = MMRT_WINO_TILES(W, m);
  const int TI = MMRT_WINO_TILES(H, m) * TW, T = B * TI, np = MMRT_PANELS(T, R);
  const int ncb = (Cin + MMRT_WINO_VL - 1) / MMRT_WINO_VL;
  const int ps = MMRT_PANEL_FLOATS(Cin, R);
  const size_t xs = MMRT_PACKED_FLOATS(T, Cin, R);
  float tmp[36][MMRT_XR][MMRT_WINO_VL]; /* [xi][tile of the panel][channel] */
  int u0, u1;
  while (mmrt_claim(team, tid, np * ncb, 1, &u0, &u1))
    for (int u = u0; u < u1; u++) {
      const int p = u / ncb, c = u % ncb * MMRT_WINO_VL;
      const int nc = Cin - c < MMRT_WINO_VL ? Cin - c : MMRT_WINO_VL;
      int rows = 0;
      for (int r = 0; r < R && p * R + r < T; r++, rows++) {
        const int t = (p * R + r) % TI, b = (p * R + r) / TI;
        mmrt_wino_in_tile(tmp[0][r], R * MMRT_WINO_VL, m, x + (size_t)b * H * W * Cin, H, W,
                          Cin, t / TW * m - 1, t % TW * m - 1, c, nc);
      }
      for (int xi = 0; xi < AA; xi++) {
        float *d = xp + (size_t)xi * xs + (size_t)p * ps + (size_t)c * R;
#if MMRT_XR == 12
        const float *rp[12];
        for (int r = 0; r < 12; r++) rp[r] = r < rows ? tmp[xi][r] : NULL;
        mmrt_tr12(d, rp, nc);
#else
        for (int q = 0; q < nc; q++)
          for (int r = 0; r < R; r++) d[q * R + r] = r < rows ? tmp[xi][r][q] : 0.0f;
#endif
      }
      if (c + nc == Cin) /* the panel's last channels: its spare k-step too */
        for (int xi = 0; xi < AA; xi++) {
          float *d = xp + (size_t)xi * xs + (size_t)p * ps;
          for (int i = Cin * R; i < ps; i++) d[i] = 0.0f;
        }
    }
}

/* Step 2: M_xi = V_xi U_xi^T for the A * A matrices. Two ways to share them out:
 * - by tiles, when the transformed weights of all A * A matrices fit in half the L2
 *   (MMRT_L2_BYTES): each thread claims runs of tile panels and multiplies them by every
 *   matrix's weights (read by every thread, but from L2). Step 1 and step 3 share the tiles
 *   the same way, so on 2 threads a thread multiplies the panels it transformed and
 *   transforms back the products it made: none of the three steps reads lines the other
 *   core wrote. ResNet-50's stage 1 (56 x 56, 64 channels, 0.6 MB of F(4) weights) on AMD
 *   EPYC Zen 5, 2 threads: input transform 102-114 -> 55-60 us, output transform 44 -> 26,
 *   products 148-155 -> 151-163 (bench/results/NOTES.md, twenty-eighth session).
 * - else by (xi, weight panel) pairs, so that each thread streams only its share of the
 *   weights (stage 2's are 2.4 MB, stage 3's 4.2 MB; by tiles their products were 1.5x
 *   slower on 2 threads). Where a run goes on to the next matrix, its product's last weight
 *   block prefetches that matrix's first (mmrt_gemm_core's wnext): with 2 to 8 weight
 *   panels per matrix, each first panel read from memory by the kernel itself cost
 *   ResNet-50 3-5% on 1 thread in a slow state of the development VM, ~1% or nothing in a
 *   fast one (twenty-seventh session).
 * Either way each C tile is one kernel call per k block in the same order: the same bytes. */
MMRT_INLINE void mmrt_op_wino_gemm(float *mb, const float *xp, const float *wp, int T, int Cin,
                                   int Cout, int m, mmrt_team *team, int tid) {
  const int A = m + 2, AA = A * A, nj = MMRT_PANELS(Cout, MMRT_WR);
  const size_t xs = MMRT_PACKED_FLOATS(T, Cin, MMRT_XR);
  const size_t ws = MMRT_PACKED_FLOATS(Cout, Cin, MMRT_WR);
  int u0, u1;
  if ((double)AA * ws * sizeof(float) <= MMRT_L2_BYTES / 2) {
    /* runs of tile panels (a joined last panel split off computes the same bytes) */
    const int R = MMRT_XR, np = MMRT_PANELS(T, R), ps = MMRT_PANEL_FLOATS(Cin, R);
    while (mmrt_claim(team, tid, np, 1, &u0, &u1)) {
      const int t0 = u0 * R, t1 = u1 * R < T ? u1 * R : T;
      for (int xi = 0; xi < AA; xi++)
        mmrt_gemm_core(xp + (size_t)xi * xs + (size_t)u0 * ps, t1 - t0, wp + (size_t)xi * ws,
                       Cout, Cin, mb + ((size_t)t0 * AA + xi) * Cout, AA * Cout, 0, 0, 0, nj,
                       NULL, NULL, xi + 1 < AA ? wp + (size_t)(xi + 1) * ws : NULL);
    }
    return;
  }
  while (mmrt_claim(team, tid, AA * nj, 1, &u0, &u1))
    for (int u = u0; u < u1;) {
      const int xi = u / nj, j0 = u % nj, j1 = u1 - u < nj - j0 ? j0 + (u1 - u) : nj;
      const float *wnext = j1 == nj && u + (j1 - j0) < u1 ? wp + (size_t)(xi + 1) * ws : NULL;
      mmrt_gemm_core(xp + (size_t)xi * xs, T, wp + (size_t)xi * ws, Cout, Cin,
                     mb + (size_t)xi * Cout, AA * Cout, 0, 0, j0, j1, NULL, NULL, wnext);
      u += j1 - j0;
    }
}

/* Step 3: y [B, OH, OW, Cout] = A^T M A + bias (+ residual, same shape) (ReLU); the
 * threads claim runs of tiles (as step 1). */
MMRT_INLINE void mmrt_op_wino_out(float *y, const float *mb, const float *bias,
                                  const float *residual, int relu, int B, int OH, int OW,
                                  int Cout, int m, mmrt_team *team, int tid) {
  const int A = m + 2, AA = A * A, TW = MMRT_WINO_TILES(OW, m);
  const int TI = MMRT_WINO_TILES(OH, m) * TW;
  int t0, t1;
  while (mmrt_claim(team, tid, B * TI, 1, &t0, &t1))
    for (int u = t0; u < t1; u++) {
      const int t = u % TI, oy0 = t / TW * m, ox0 = t % TW * m;
      const size_t at_image = (size_t)(u / TI) * OH * OW * Cout;
      const float *tile = mb + (size_t)u * AA * Cout;
      for (int n = 0; n < Cout; n += MMRT_WINO_VL) {
        const int nn = Cout - n < MMRT_WINO_VL ? Cout - n : MMRT_WINO_VL;
        mmrt_wv mv[36], u[24], o[16], b;
#pragma GCC unroll 36
        for (int xi = 0; xi < AA; xi++) {
          const float *s = tile + (size_t)xi * Cout + n;
          mmrt_wv_load_n(&mv[xi], s, nn);
        }
        mmrt_wv_load_n(&b, bias + n, nn);
        /* u = A^T M (down the columns: u[i * A + j]), then o = u A (along the rows) */
#pragma GCC unroll 6
        for (int j = 0; j < A; j++) mmrt_wino_at_1d(u + j, A, mv + j, A, m);
#pragma GCC unroll 4
        for (int i = 0; i < m; i++) mmrt_wino_at_1d(o + i * m, 1, u + i * A, 1, m);
        for (int i = 0; i < m && oy0 + i < OH; i++)
          for (int j = 0; j < m && ox0 + j < OW; j++) {
            const size_t at_px = at_image + ((size_t)(oy0 + i) * OW + ox0 + j) * Cout + n;
            mmrt_wv v = o[i * m + j] + b;
            if (residual) {
              mmrt_wv r;
              mmrt_wv_load_n(&r, residual + at_px, nn);
              v = v + r;
            }
            if (relu) { /* the lanes above 0 kept (a NaN drops to 0, as max(v, 0) there) */
              typedef int mmrt_wi __attribute__((vector_size(MMRT_WINO_VL * 4)));
              v = (mmrt_wv)((mmrt_wi)v & (v > 0.0f));
            }
            mmrt_wv_store_n(y + at_px, &v, nn);
          }
      }
    }
}

#endif
