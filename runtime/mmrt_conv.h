/* mmrt_conv.h: the convolutional network ops (ResNet family) on top of mmrt_gemm.h:
 * convolution as a product (explicit im2col into activation panels, weights packed by mmcc
 * with BatchNorm folded in: compiler/fold_bn.c), bias + residual add + ReLU in the product's
 * epilogue, max-pool, the shortcut's ceil-mode average pool, global average pool and the SE
 * layer. Include mmrt_gemm.h's target macros first.
 *
 * Activations are NHWC: image b, row y, column x, channel c at
 *   x[((b * H + y) * W + x) * ldx + c]
 * (ldx = the tensor's channel count), so a convolution's output is the product's row-major C
 * with ldc = its channel count, and a 1x1 convolution reads its input rows in place.
 *
 * Work is split by the caller: every function takes a range (activation panels p0..p1,
 * weight panels j0..j1, rows r0..r1, or channels c0..c1) and writes only what that range
 * owns, with the same arithmetic in the same order whatever the split, so the results are
 * bitwise identical for any thread count. Phases that read another range's output (pack ->
 * product, SE squeeze -> excite -> scale) need a barrier between them. Nothing allocates.
 *
 * Convolution, per group g (groups G, cin = Cin / G input and cout = Cout / G output
 * channels each): M = B * OH * OW output pixels, K = kh * kw * cin in (ky, kx, ci) order,
 *   1. mmrt_conv_pack(xp, x, ..., c0 = g * cin, p0, p1)     panels of the patches
 *   2. mmrt_conv_gemm(xp, wp + g * MMRT_PACKED_FLOATS(cout, K, MMRT_WR), ..., g, j0, j1)
 * where wp holds, per group, the rows g*cout .. g*cout+cout-1 of fold_bn_conv()'s (Cout, K)
 * matrix as weight panels (MMRT_WR rows each, mmrt_gemm.h's layout). A 1x1 stride-1
 * convolution with G = 1 may pack with mmrt_pack_rows straight from the input rows. */
#ifndef MMRT_CONV_H
#define MMRT_CONV_H

#include "mmrt.h"
#include "mmrt_gemm.h"
#include "mmrt_tile_asm.h"

/* Output extent of a convolution / pooling window along one axis (floor mode). */
#define MMRT_CONV_OUT(n, k, s, pad) (((n) + 2 * (pad) - (k)) / (s) + 1)
/* ... of AvgPool2d(kernel = stride = s, ceil_mode=True, padding 0). */
#define MMRT_POOL_CEIL_OUT(n, s) (((n) + (s) - 1) / (s))


/* Activation panels p0..p1-1 of the patch matrix of one group: row t = (b, oy, ox), column
 * (ky, kx, ci) = input channel c0 + ci at (oy * s - pad + ky, ox * s - pad + kx), zero
 * outside the image. */
MMRT_INLINE void mmrt_conv_pack(float *restrict dst, const float *restrict x, int B, int H,
                                int W, int ldx, int c0, int cin, int kh, int kw, int s,
                                int pad, int OH, int OW, int p0, int p1) {
  const int R = MMRT_XR, K = kh * kw * cin, ps = MMRT_PANEL_FLOATS(K, R);
  const int M = B * OH * OW;
#if MMRT_XR == 12
  /* per kernel row ky: the kw pixels of a patch row are adjacent in NHWC, so when the
   * group spans every channel (cin == ldx) and no row of the panel is clipped, the kw * cin
   * columns are one contiguous run per row; else one run of cin per (ky, kx) */
  for (int p = p0; p < p1; p++) {
    float *restrict d = dst + (size_t)p * ps;
    int b[12], oy[12], ox[12], ok[12];
    for (int r = 0; r < R; r++) {
      const int t = p * R + r;
      ok[r] = t < M;
      b[r] = t / (OH * OW), oy[r] = t / OW % OH, ox[r] = t % OW;
    }
    for (int ky = 0; ky < kh; ky++) {
      const float *rows[12];
      int whole = cin == ldx;
      for (int r = 0; r < R && whole; r++) {
        const int iy = oy[r] * s - pad + ky, ix = ox[r] * s - pad;
        if (ok[r] && iy >= 0 && iy < H && (ix < 0 || ix + kw > W)) whole = 0;
      }
      if (whole) {
        for (int r = 0; r < R; r++) {
          const int iy = oy[r] * s - pad + ky, ix = ox[r] * s - pad;
          rows[r] = ok[r] && iy >= 0 && iy < H
                        ? x + ((size_t)(b[r] * H + iy) * W + ix) * ldx + c0 : 0;
        }
        mmrt_tr12(d + (size_t)ky * kw * cin * R, rows, kw * cin);
        continue;
      }
      for (int kx = 0; kx < kw; kx++) {
        for (int r = 0; r < R; r++) {
          const int iy = oy[r] * s - pad + ky, ix = ox[r] * s - pad + kx;
          rows[r] = ok[r] && iy >= 0 && iy < H && ix >= 0 && ix < W
                        ? x + ((size_t)(b[r] * H + iy) * W + ix) * ldx + c0 : 0;
        }
        mmrt_tr12(d + (size_t)(ky * kw + kx) * cin * R, rows, cin);
      }
    }
    for (int i = K * R; i < ps; i++) d[i] = 0.0f;
  }
  return;
#endif
  for (int p = p0; p < p1; p++) {
    float *restrict d = dst + (size_t)p * ps;
    for (int r = 0; r < R; r++) {
      const int t = p * R + r;
      if (t >= M) {
        for (int k = 0; k < K; k++) d[k * R + r] = 0.0f;
        continue;
      }
      const int b = t / (OH * OW), oy = t / OW % OH, ox = t % OW;
      for (int ky = 0; ky < kh; ky++) {
        const int iy = oy * s - pad + ky;
        for (int kx = 0; kx < kw; kx++) {
          const int ix = ox * s - pad + kx;
          float *restrict dk = d + (size_t)((ky * kw + kx) * cin) * R + r;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
            for (int ci = 0; ci < cin; ci++) dk[ci * R] = 0.0f;
          } else {
            const float *restrict sx = x + ((size_t)(b * H + iy) * W + ix) * ldx + c0;
            for (int ci = 0; ci < cin; ci++) dk[ci * R] = sx[ci];
          }
        }
      }
    }
    for (int i = K * R; i < ps; i++) d[i] = 0.0f;
  }
}

/* Epilogue of a convolution (or of the head's product): v = acc + bias[n]
 * (+ residual[t, n]) (then max(v, 0) when relu). Columns are the group's. */
typedef struct mmrt_conv_epi {
  const float *bias;      /* the group's first output channel */
  const float *residual;  /* NULL, or element (t, n) at residual[t * ldr + n] */
  int ldr, relu;
} mmrt_conv_epi;

MMRT_INLINE void mmrt_conv_epilogue(const void *ctx, float *c, int ts, int ns, int t0, int mt,
                                    int n0, int nn) {
  const mmrt_conv_epi *e = (const mmrt_conv_epi *)ctx;
  if (ns == 1) { /* row-major C: the same operations, in loops the compiler vectorises */
    const float *restrict bias = e->bias + n0;
    for (int t = 0; t < mt; t++) {
      float *restrict ct = c + (size_t)t * ts;
      const float *restrict res = e->residual ? e->residual + (size_t)(t0 + t) * e->ldr + n0 : 0;
      if (res)
        for (int n = 0; n < nn; n++) ct[n] = ct[n] + bias[n] + res[n];
      else
        for (int n = 0; n < nn; n++) ct[n] = ct[n] + bias[n];
      if (e->relu)
        for (int n = 0; n < nn; n++) ct[n] = ct[n] > 0.0f ? ct[n] : 0.0f;
    }
    return;
  }
  for (int t = 0; t < mt; t++) {
    float *restrict ct = c + (size_t)t * ts;
    const float *restrict res = e->residual ? e->residual + (size_t)(t0 + t) * e->ldr + n0 : 0;
    for (int n = 0; n < nn; n++) {
      float v = ct[n * ns] + e->bias[n0 + n];
      if (res) v += res[n];
      if (e->relu) v = v > 0.0f ? v : 0.0f;
      ct[n * ns] = v;
    }
  }
}

/* Output channels of group g, weight panels j0..j1-1 of that group (panels of MMRT_WR
 * channels: MMRT_PANELS(cout, MMRT_WR) per group), all M rows. y is NHWC with ldy channels;
 * residual (may be NULL) has the output's shape and ldr channels. */
MMRT_INLINE void mmrt_conv_gemm(const float *xp, int M, const float *wp_g, int cout, int K,
                                float *y, int ldy, const float *bias, const float *residual,
                                int ldr, int relu, int g, int j0, int j1) {
  const mmrt_conv_epi e = {bias + (size_t)g * cout,
                           residual ? residual + (size_t)g * cout : 0, ldr, relu};
  mmrt_gemm(xp, M, wp_g, cout, K, y + (size_t)g * cout, ldy, 0, j0, j1, mmrt_conv_epilogue, &e);
}

/* {================================================================== direct convolution
 * On AVX-512 paths with 12-token / 32-feature panels (MMRT_CONV_DIRECT), a convolution
 * without groups reads its NHWC input in place instead of packing im2col panels: each
 * 12 x 32 C tile is one call of mmrt_conv_tile12 (8, 4: a short last panel; 13: a panel
 * that takes a 1-token last one with it), which broadcasts the 12 tokens' inputs from
 * their rows of the input (one pointer per token and kernel position, a zero row where
 * the window leaves the image; or, when the 12 windows are evenly spaced and unpadded, as
 * in every 1x1 stride-1 convolution and most tiles of the pre-padded stem, four pointers
 * and a stride), walks all K in order with the accumulators in registers, and adds bias
 * (+ residual) (ReLU) before it stores the tile: every output is written once, nothing
 * is packed. A tile's arithmetic depends only on the tile, so the result is the same for
 * any thread split. */
#if defined(__AVX512F__) && MMRT_XR == 12 && MMRT_WR == 32 && !defined(MMRT_CONV_NO_DIRECT)
#define MMRT_CONV_DIRECT 1
/* The zero row stands in for input channels outside the image: cin <= this. */
#define MMRT_CONV_ZERO_FLOATS 2048
static const float mmrt_conv_zeros[MMRT_CONV_ZERO_FLOATS] __attribute__((aligned(64)));
#else
#define MMRT_CONV_DIRECT 0
#define MMRT_CONV_ZERO_FLOATS 0
#endif

/* Whether a convolution (per group cin input channels) runs direct: then its IR_CONV_PACK
 * does nothing and IR_CONV_GEMM reads the input. */
#define MMRT_CONV_IS_DIRECT(G, cin) (MMRT_CONV_DIRECT && (G) == 1 && (cin) <= MMRT_CONV_ZERO_FLOATS)

#if MMRT_CONV_DIRECT
/* Where the 12 tokens of a token panel (and at [12] the next panel's first) read: token t's
 * window has its top-left input pixel at (iy[t], ix[t]) (may be outside: padding), base[t]
 * points at it (any value when outside). Tokens past the last output pixel read the last
 * one's window (their rows are not stored), so nothing is read outside the input or the
 * zero row. */
#define MMRT_CONV_NT_JOINED 13 /* the joined tile: a panel and a 1-token last one */
typedef struct mmrt_conv_geo {
  const float *base[MMRT_CONV_NT_JOINED]; /* [12]: the next panel's first token */
  int iy[MMRT_CONV_NT_JOINED], ix[MMRT_CONV_NT_JOINED];
  long step;   /* bytes from one token's window to the next when all 12 are that far apart
                * and inside the input (no padding); else 0 */
  long step13; /* the same for the 13 tokens */
} mmrt_conv_geo;

/* The convolution: input [H, W] pixels of ldx floats, kernel kh x kw; seg: floats read per
 * run, kx_steps: runs per kernel row (kw runs of cin floats, or one run of kw * cin when
 * there is no padding: a window row is then inside the image). */
typedef struct mmrt_conv_shape {
  int H, W, ldx, kh, kw, seg, kx_steps;
  const float *bias;     /* the tile's first output channel */
  int relu, ldy, ldr;
  int shared;            /* more than one thread: the C tile's lines claimed for writing first */
} mmrt_conv_shape;

/* one k-step: weights w[0..31] against the tokens' inputs r[t][k] */
#define MMRT_CONV_STEP(wv, k)                                           \
  do {                                                                  \
    const __m512 w0 = _mm512_load_ps(wv), w1 = _mm512_load_ps((wv) + 16); \
    _Pragma("GCC unroll 13")                                            \
    for (int t = 0; t < NT; t++) {                                      \
      const __m512 b = _mm512_set1_ps(r[t][k]);                         \
      a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);                            \
      a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);                            \
    }                                                                   \
  } while (0)

/* the same k-step when token t's input is at q[t / 3] + (t % 3) * sb bytes: four pointers
 * and a stride instead of twelve pointers (fewer than x86-64's GPRs, so none is reloaded
 * from the stack in the loop) */
#define MMRT_CONV_STEP_Q(wv, k)                                         \
  do {                                                                  \
    const __m512 w0 = _mm512_load_ps(wv), w1 = _mm512_load_ps((wv) + 16); \
    _Pragma("GCC unroll 13")                                            \
    for (int t = 0; t < NT; t++) {                                      \
      const __m512 b = _mm512_set1_ps(                                  \
          *(const float *)(q[t / 3] + (t % 3) * sb + (k) * 4));         \
      a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);                            \
      a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);                            \
    }                                                                   \
  } while (0)

/* The tile's epilogue in the assembly, for a full tile (12 tokens, 32 output channels) after
 * its last kernel row: y[t * ldy] = relu(acc + bias + res[t * ldr]) straight from the
 * registers (strides in bytes; res may be NULL). The same operations in the same order as
 * mmrt_conv_tile_nt's C epilogue, so the same bytes; what it saves is the accumulators'
 * trip through memory and the C around it. AMD EPYC Zen 5, mmrt_conv_direct alone, CPU 0:
 * 12 x 12 x 32 -> 256 + residual 11.0-11.7 -> 10.4-10.8 us (96 tiles: ~8 ns each), 56 x 56
 * x 64 -> 256 + residual 483-491 -> 458-469 us, -> 64 116-119 -> 112-113 us. */
typedef struct mmrt_conv_q12_out {
  float *y;
  long ldy;
  const float *res;
  long ldr;
  const float *bias;
  int relu;
} mmrt_conv_q12_out;
/* the assembly reads the fields at these offsets */
_Static_assert(offsetof(mmrt_conv_q12_out, ldy) == 8 && offsetof(mmrt_conv_q12_out, res) == 16 &&
                   offsetof(mmrt_conv_q12_out, ldr) == 24 &&
                   offsetof(mmrt_conv_q12_out, bias) == 32 &&
                   offsetof(mmrt_conv_q12_out, relu) == 40,
               "mmrt_conv_q12_out's layout");
/* token t: + its residual row (q1, rows q3 bytes apart), then the y row (q0, q3 apart) */
#define MMRT_CONV_Q12_RES(t, hi)                                                          \
  "vaddps (%[q1]), %%zmm" #t ", %%zmm" #t "\n\t"                                          \
  "vaddps 64(%[q1]), %%zmm" #hi ", %%zmm" #hi "\n\t"                                      \
  "add %[q3], %[q1]\n\t"
/* M(t, hi) for the 12 tokens: accumulator registers t (channels 0-15) and hi = 12 + t */
#define MMRT_CONV_Q12_EACH(M)                                                             \
  M(0, 12) M(1, 13) M(2, 14) M(3, 15) M(4, 16) M(5, 17) M(6, 18) M(7, 19) M(8, 20) M(9, 21) \
  M(10, 22) M(11, 23)
#define MMRT_CONV_Q12_ST(t, hi)                                                           \
  "vmovups %%zmm" #t ", (%[q0])\n\t"                                                       \
  "vmovups %%zmm" #hi ", 64(%[q0])\n\t"                                                    \
  "add %[q3], %[q0]\n\t"

/* The 12-token tile's k walk over evenly spaced windows in assembly (mmrt_tile_asm.h):
 * rows kernel rows from rb (rowb bytes apart), each seg k-steps; token t's input at
 * q<t / 3> + (t % 3) * sb bytes, the four pointers walking along the row. The same FMAs in
 * the same order as MMRT_CONV_STEP_Q's loop; the accumulators from acc (load) or zero, and
 * at the end to acc, or with out (a full tile's last kernel rows) through the epilogue into
 * the output rows. */
#define MMRT_CONV_QA(s, t) MMRT_CONV_QA_##t(s)
#define MMRT_CONV_QA_0(s) #s "*4(%[q0])"
#define MMRT_CONV_QA_1(s) #s "*4(%[q0],%[sb],1)"
#define MMRT_CONV_QA_2(s) #s "*4(%[q0],%[sb],2)"
#define MMRT_CONV_QA_3(s) #s "*4(%[q1])"
#define MMRT_CONV_QA_4(s) #s "*4(%[q1],%[sb],1)"
#define MMRT_CONV_QA_5(s) #s "*4(%[q1],%[sb],2)"
#define MMRT_CONV_QA_6(s) #s "*4(%[q2])"
#define MMRT_CONV_QA_7(s) #s "*4(%[q2],%[sb],1)"
#define MMRT_CONV_QA_8(s) #s "*4(%[q2],%[sb],2)"
#define MMRT_CONV_QA_9(s) #s "*4(%[q3])"
#define MMRT_CONV_QA_10(s) #s "*4(%[q3],%[sb],1)"
#define MMRT_CONV_QA_11(s) #s "*4(%[q3],%[sb],2)"
MMRT_INLINE void mmrt_conv_q12(const char *rb, long rowb, long rows, long seg, long sb,
                               const float *w, const char *pf, long pfl, float *acc,
                               long load, const mmrt_conv_q12_out *out) {
  long n4 = seg / 4, n1 = seg % 4, iters = rows * n4, due = 0, n;
  const char *q0, *q1, *q2, *q3;
  if (iters == 0)
    for (; pfl > 0; pfl--, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
  __asm__ volatile(
      MMRT_TA_START
      "1:\n\t" /* a kernel row */
      "mov %[rb], %[q0]\n\t"
      "lea (%[q0],%[sb],2), %[q1]\n\t"
      "add %[sb], %[q1]\n\t"
      "lea (%[q1],%[sb],2), %[q2]\n\t"
      "add %[sb], %[q2]\n\t"
      "lea (%[q2],%[sb],2), %[q3]\n\t"
      "add %[sb], %[q3]\n\t"
      "mov %[n4], %[n]\n\t"
      "test %[n], %[n]\n\t"
      "jz 3f\n\t"
      "2:\n\t"
      MMRT_TA_PREFETCH_L2
      MMRT_TA_STEP(MMRT_CONV_QA, 0, "") MMRT_TA_STEP(MMRT_CONV_QA, 1, "")
      MMRT_TA_STEP(MMRT_CONV_QA, 2, "") MMRT_TA_STEP(MMRT_CONV_QA, 3, "")
      "add $512, %[w]\n\t"
      "add $16, %[q0]\n\t"
      "add $16, %[q1]\n\t"
      "add $16, %[q2]\n\t"
      "add $16, %[q3]\n\t"
      "dec %[n]\n\t"
      "jnz 2b\n\t"
      "3:\n\t"
      "mov %[n1], %[n]\n\t"
      "test %[n], %[n]\n\t"
      "jz 5f\n\t"
      "4:\n\t"
      MMRT_TA_STEP(MMRT_CONV_QA, 0, "")
      "add $128, %[w]\n\t"
      "add $4, %[q0]\n\t"
      "add $4, %[q1]\n\t"
      "add $4, %[q2]\n\t"
      "add $4, %[q3]\n\t"
      "dec %[n]\n\t"
      "jnz 4b\n\t"
      "5:\n\t"
      "add %[rowb], %[rb]\n\t"
      "decq %[rows]\n\t"
      "jnz 1b\n\t"
      "test %[out], %[out]\n\t"
      "jnz 10f\n\t"
      MMRT_TA_END
      "jmp 13f\n\t"
      "10:\n\t" /* the epilogue, from the registers: + bias, + residual, ReLU, store */
      "mov 32(%[out]), %[q2]\n\t"
      "vmovups (%[q2]), %%zmm24\n\t"
      "vmovups 64(%[q2]), %%zmm25\n\t"
      ".irp t,0,1,2,3,4,5,6,7,8,9,10,11\n\t"
      "vaddps %%zmm24, %%zmm\\t, %%zmm\\t\n\t"
      ".endr\n\t"
      ".irp t,12,13,14,15,16,17,18,19,20,21,22,23\n\t"
      "vaddps %%zmm25, %%zmm\\t, %%zmm\\t\n\t"
      ".endr\n\t"
      "mov 16(%[out]), %[q1]\n\t"
      "test %[q1], %[q1]\n\t"
      "jz 11f\n\t"
      "mov 24(%[out]), %[q3]\n\t"
      MMRT_CONV_Q12_EACH(MMRT_CONV_Q12_RES)
      "11:\n\t"
      "cmpl $0, 40(%[out])\n\t"
      "je 12f\n\t"
      "vpxord %%zmm26, %%zmm26, %%zmm26\n\t"
      ".irp t,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23\n\t"
      "vmaxps %%zmm26, %%zmm\\t, %%zmm\\t\n\t" /* max(v, 0): 0 for a NaN, as the C */
      ".endr\n\t"
      "12:\n\t"
      "mov (%[out]), %[q0]\n\t"
      "mov 8(%[out]), %[q3]\n\t"
      MMRT_CONV_Q12_EACH(MMRT_CONV_Q12_ST)
      "13:\n\t"
      : [w] "+&r"(w), [rb] "+&r"(rb), [rows] "+m"(rows), [due] "+&r"(due), [pf] "+&r"(pf),
        [q0] "=&r"(q0), [q1] "=&r"(q1), [q2] "=&r"(q2), [q3] "=&r"(q3), [n] "=&r"(n)
      : [sb] "r"(sb), [n4] "m"(n4), [n1] "m"(n1), [rowb] "m"(rowb), [iters] "m"(iters),
        [per] "m"(pfl), [acc] "r"(acc), [load] "r"(load), [pw] "i"(32 * MMRT_TILE_PF_AHEAD * 4),
        [out] "r"(out)
      : MMRT_TA_CLOBBERS);
}
#undef MMRT_CONV_Q12_RES
#undef MMRT_CONV_Q12_ST
#undef MMRT_CONV_Q12_EACH

/* One C tile: mt <= NT <= 13 tokens (rows y[t * ldy]), nn <= 32 output channels, kernel
 * rows ky0..ky1-1 of the weight panel (w: the first of them), NT a constant
 * (mmrt_conv_tile13/12/8/4). Kernel rows before ky0: their partial sums are in
 * y, reloaded; rows after ky1: the sums are stored to y as they are, no epilogue. A float
 * stored and reloaded is the same float, so the tile's bytes do not depend on the blocks.
 * pf / pfl: lines to bring into L2 meanwhile (the next weight block, or the next token
 * panel's rows: mmrt_conv_direct). */
MMRT_INLINE void mmrt_conv_tile_nt(const mmrt_conv_shape *sh, const mmrt_conv_geo *g,
                                   const float *w, int ky0, int ky1, int nn, int mt, float *y,
                                   const float *res, const char *pf, int pfl, const int NT) {
  /* the shape's fields in locals: the masked stores may alias anything, so GCC reloaded
   * sh->ldy, ldr and relu from memory for every row they touched (no time measured apart) */
  const size_t ldy = (size_t)sh->ldy, ldr = (size_t)sh->ldr;
  const int relu = sh->relu;
  const float *const bias = sh->bias;
  __m512 a0[MMRT_CONV_NT_JOINED], a1[MMRT_CONV_NT_JOINED];
  const __mmask16 m0 = nn >= 16 ? 0xffff : (__mmask16)((1u << nn) - 1);
  const __mmask16 m1 = nn >= 32 ? 0xffff : nn <= 16 ? 0 : (__mmask16)((1u << (nn - 16)) - 1);
#pragma GCC unroll 13
  for (int t = 0; t < NT; t++) a0[t] = a1[t] = _mm512_setzero_ps();
  if (ky0 > 0) {
#pragma GCC unroll 13
    for (int t = 0; t < NT; t++) {
      if (t >= mt) continue;
      a0[t] = _mm512_maskz_loadu_ps(m0, y + (size_t)t * ldy);
      a1[t] = _mm512_maskz_loadu_ps(m1, y + (size_t)t * ldy + 16);
    }
  }
  /* the output rows (and the residual's), wanted at the end, where another core may hold
   * them; on one thread these 24-48 prefetches of lines already on their way (the next
   * token panel's rows go to L2 meanwhile, mmrt_conv_direct) only cost time: ResNet-50's
   * stage-1 and -2 1x1s, AMD EPYC Zen 5, 1 thread, ~1-2% each */
  if (sh->shared)
    for (int t = 0; t < mt; t++) {
      MMRT_PREFETCH_W(y + (size_t)t * ldy);
      MMRT_PREFETCH_W(y + (size_t)t * ldy + 16);
      if (res) {
        __builtin_prefetch(res + (size_t)t * ldr, 0, 3);
        __builtin_prefetch(res + (size_t)t * ldr + 16, 0, 3);
      }
    }
  const int seg = sh->seg, kb = (ky1 - ky0) * sh->kx_steps * seg;
  const long sb = NT == MMRT_CONV_NT_JOINED ? g->step13 : g->step;
  /* lines to prefetch per 4 k-steps in the C loops below (the assembly spreads its own) */
  const int iters = kb / 4 > 0 ? kb / 4 : 1;
  const int per = sb && NT == 12 ? 0 : (pfl + iters - 1) / iters;
  if (sb && NT == 12) { /* as below, in assembly */
    float acc[12][32] __attribute__((aligned(64)));
    if (ky0 > 0)
#pragma GCC unroll 12
      for (int t = 0; t < 12; t++) {
        _mm512_store_ps(acc[t], a0[t]);
        _mm512_store_ps(acc[t] + 16, a1[t]);
      }
    /* a full tile's last kernel rows: the epilogue too */
    const mmrt_conv_q12_out out = {y, (long)(ldy * sizeof(float)), res,
                                   (long)(ldr * sizeof(float)), bias, relu};
    const int whole_tile = ky1 == sh->kh && nn == 32 && mt == 12;
    mmrt_conv_q12((const char *)(g->base[0] + (size_t)ky0 * sh->W * sh->ldx),
                  (long)sh->W * sh->ldx * (long)sizeof(float), ky1 - ky0, seg, sb, w, pf, pfl,
                  &acc[0][0], ky0 > 0, whole_tile ? &out : NULL);
    if (whole_tile) return;
#pragma GCC unroll 12
    for (int t = 0; t < 12; t++) {
      a0[t] = _mm512_load_ps(acc[t]);
      a1[t] = _mm512_load_ps(acc[t] + 16);
    }
  } else if (sb) { /* evenly spaced windows, no padding: one run of kw * cin per kernel row */
    const int NQ = (NT + 2) / 3; /* pointers: token t at q[t / 3] + (t % 3) * sb */
    for (int ky = ky0; ky < ky1; ky++) {
      const char *q[5];
      for (int i = 0; i < NQ; i++)
        q[i] = (const char *)(g->base[0] + (size_t)ky * sh->W * sh->ldx) + 3 * i * sb;
      int k = 0;
      for (; k + 4 <= seg; k += 4) {
        for (int l = 0; l < 8; l++) _mm_prefetch((const char *)(w + 32 * MMRT_TILE_PF_AHEAD + 16 * l), _MM_HINT_T0);
        for (int l = 0; l < per && pfl > 0; l++, pfl--, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
        MMRT_CONV_STEP_Q(w, 0);
        MMRT_CONV_STEP_Q(w + 32, 1);
        MMRT_CONV_STEP_Q(w + 64, 2);
        MMRT_CONV_STEP_Q(w + 96, 3);
        w += 128;
        for (int i = 0; i < NQ; i++) q[i] += 16;
      }
      for (; k < seg; k++, w += 32) {
        MMRT_CONV_STEP_Q(w, 0);
        for (int i = 0; i < NQ; i++) q[i] += 4;
      }
    }
  } else {
    for (int ky = ky0; ky < ky1; ky++)
      for (int kx = 0; kx < sh->kx_steps; kx++) {
        const float *r[MMRT_CONV_NT_JOINED];
        for (int t = 0; t < NT; t++) {
          const int iy = g->iy[t] + ky, ix = g->ix[t] + kx;
          r[t] = (unsigned)iy < (unsigned)sh->H && (unsigned)ix < (unsigned)sh->W
                     ? g->base[t] + ((size_t)ky * sh->W + kx) * sh->ldx : mmrt_conv_zeros;
        }
        int k = 0;
        for (; k + 4 <= seg; k += 4) {
          for (int l = 0; l < 8; l++) _mm_prefetch((const char *)(w + 32 * MMRT_TILE_PF_AHEAD + 16 * l), _MM_HINT_T0);
          for (int l = 0; l < per && pfl > 0; l++, pfl--, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);
          MMRT_CONV_STEP(w, k);
          MMRT_CONV_STEP(w + 32, k + 1);
          MMRT_CONV_STEP(w + 64, k + 2);
          MMRT_CONV_STEP(w + 96, k + 3);
          w += 128;
        }
        for (; k < seg; k++, w += 32) MMRT_CONV_STEP(w, k);
      }
  }
  if (ky1 < sh->kh) { /* partial sums, for the next block of kernel rows */
#pragma GCC unroll 13
    for (int t = 0; t < NT; t++) {
      if (t >= mt) continue;
      _mm512_mask_storeu_ps(y + (size_t)t * ldy, m0, a0[t]);
      _mm512_mask_storeu_ps(y + (size_t)t * ldy + 16, m1, a1[t]);
    }
    return;
  }
  /* epilogue: + bias (+ residual) (ReLU), masked rows of the NHWC output */
  const __m512 b0 = _mm512_maskz_loadu_ps(m0, bias), b1 = _mm512_maskz_loadu_ps(m1, bias + 16);
  const __m512 zero = _mm512_setzero_ps();
  /* unrolled with constant t, so the accumulators stay in registers */
#pragma GCC unroll 13
  for (int t = 0; t < NT; t++) {
    if (t >= mt) continue;
    __m512 v0 = _mm512_add_ps(a0[t], b0), v1 = _mm512_add_ps(a1[t], b1);
    if (res) {
      v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, res + (size_t)t * ldr));
      v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, res + (size_t)t * ldr + 16));
    }
    if (relu) v0 = _mm512_max_ps(v0, zero), v1 = _mm512_max_ps(v1, zero);
    _mm512_mask_storeu_ps(y + (size_t)t * ldy, m0, v0);
    _mm512_mask_storeu_ps(y + (size_t)t * ldy + 16, m1, v1);
  }
}
#undef MMRT_CONV_STEP
#undef MMRT_CONV_STEP_Q

/* The tile at four widths, so that a last token panel of 1-8 tokens (196 = 16 x 12 + 4 at
 * 14 x 14) does not cost a full one: each product's chain is the same for any width (one
 * FMA per k-step, in order), so only the time changes. Up to 4 tokens (8 accumulators) the
 * FMA latency bounds the time, not the width: a 1-token panel still costs ~40% of a full
 * one. So where the last panel has one token (49 = 3 x 12 + 13 at 7 x 7, ResNet's stage 4),
 * the panel before it takes it: 13 tokens, 26 accumulators, two weight vectors and the
 * broadcast in 29 of AVX-512's 32 registers. */
typedef void mmrt_conv_tile_fn(const mmrt_conv_shape *sh, const mmrt_conv_geo *g,
                               const float *w, int ky0, int ky1, int nn, int mt, float *y,
                               const float *res, const char *pf, int pfl);
#define MMRT_CONV_TILE_AT(NT)                                                                  \
  static __attribute__((noinline)) void mmrt_conv_tile##NT(                                    \
      const mmrt_conv_shape *sh, const mmrt_conv_geo *g, const float *w, int ky0, int ky1,    \
      int nn, int mt, float *y, const float *res, const char *pf, int pfl) {                  \
    mmrt_conv_tile_nt(sh, g, w, ky0, ky1, nn, mt, y, res, pf, pfl, NT);                       \
  }
MMRT_CONV_TILE_AT(13)
MMRT_CONV_TILE_AT(12)
MMRT_CONV_TILE_AT(8)
MMRT_CONV_TILE_AT(4)
#undef MMRT_CONV_TILE_AT

/* The tile of token panel i (of M tokens; ie: the end of its block): the joined tile when
 * the next panel, in the same block, is a 1-token last one (*join 1), else 12, 8 or 4 wide;
 * *mt: its tokens. */
static inline mmrt_conv_tile_fn *mmrt_conv_pick(int M, int i, int ie, int *mt, int *join) {
  const int t0 = i * 12;
  *join = M - t0 == MMRT_CONV_NT_JOINED && i + 1 < ie;
  *mt = *join ? MMRT_CONV_NT_JOINED : M - t0 < 12 ? M - t0 : 12;
  return *join ? mmrt_conv_tile13
         : MMRT_TILE_NT(*mt) == 12 ? mmrt_conv_tile12
         : MMRT_TILE_NT(*mt) == 8 ? mmrt_conv_tile8 : mmrt_conv_tile4;
}

/* Token panels per block: their windows are worked out once per block, and each weight
 * panel is read once per block. */
#define MMRT_CONV_IBLOCK 16

/* A weight panel of more than MMRT_L2_BYTES / 4 is read in blocks of kernel rows (32 x kw x
 * cin floats each) of at most MMRT_L2_BYTES / 8, so that the block and the next one,
 * prefetched beside it, stay in L2 with the tiles' inputs. AMD EPYC Zen 5 (1 MB L2), a
 * 3 x 3 convolution at 7 x 7 x 512 (576 KB panels), weights from memory: 1.29 -> 1.22 ms
 * with one row per block, 1.25 with two; at 14 x 14 x 256 (288 KB) blocks lost 1%. */
#define MMRT_CONV_KROWS(k, rowbytes)                                                   \
  ((k) * (rowbytes) <= MMRT_L2_BYTES / 4 ? (k)                                         \
   : MMRT_L2_BYTES / 8 / (rowbytes) < 1 ? 1 : (int)(MMRT_L2_BYTES / 8 / (rowbytes)))

/* y [M, Cout] (NHWC, M = B * OH * OW) = conv(x [B, H, W, Cin]) + bias (+ residual [M, Cout])
 * (ReLU) for weight panels j0..j1-1 (of 32 output channels) and token panels i0..i1-1 (of
 * 12 output pixels); wp: fold_bn_conv()'s (Cout, K) matrix in weight panels. Weight panel
 * j's tiles are done for a block of token panels before panel j + 1, one block of kernel
 * rows (MMRT_CONV_KROWS) after another, and the next weight block is prefetched into L2
 * meanwhile. shared: more than one thread runs the op (the tiles then claim their output
 * lines for writing as they start; mmrt_conv_tile_nt). Not inlined: inlined at each of
 * ResNet-50's 53 calls it made the skx path's code 920 KB instead of 130 KB and its compile
 * 7x slower, for no speed. */
static __attribute__((noinline)) void mmrt_conv_direct(float *y, const float *x, int B, int H,
                                                       int W, int Cin, int k, int s, int pad,
                                                       int OH, int OW, const float *wp,
                                                       int Cout, const float *bias,
                                                       const float *residual, int relu,
                                                       int i0, int i1, int j0, int j1,
                                                       int shared) {
  const int M = B * OH * OW, K = k * k * Cin, whole = pad == 0;
  const size_t ws = MMRT_PANEL_FLOATS(K, 32), rowf = (size_t)32 * k * Cin;
  const int kyb = MMRT_CONV_KROWS(k, rowf * sizeof(float)); /* kernel rows per block */
  /* weights of at most MMRT_L2_BYTES / 8 (ResNet-50's 1x1 convolutions at 56 x 56 and most
   * at 28 x 28, and its stem) stay in L2 whatever the order: then a token panel's tiles run
   * one after another, so that its output rows (and the residual's) are written (read)
   * whole, one after the other, rather than 128 bytes of every row of a block per weight
   * panel. Intel Xeon (family 6 model 167), a 1x1 64 -> 256 + residual at 56 x 56, 1
   * thread: 418-423 -> 387-400 ns per tile. Their panels are not blocked (kyb == k).
   * Meanwhile the next token panel's residual rows (else its output rows) are brought into
   * L2, spread over this panel's tiles, where the call covers whole rows (all weight
   * panels): ResNet-50 on the Intel Xeon, 1 thread, the stem 1.53 -> 1.37 ms, stage 1's
   * 64 -> 256 + residual 2.17 -> 2.05 ms (three; bench/results/NOTES.md). Also token-major:
   * ops of at least 16 weight panels (512 output channels) whose weights fit in L2 / 2 (the
   * same Intel Xeon, 1 thread): stage 2's 128 -> 512 + residual 0.62-0.67 -> 0.59-0.60 ms
   * each, its downsample 1.22-1.25 -> 1.19; with fewer panels (512 -> 128, 512 -> 256) or
   * more weights (stage 3's 256 -> 1024, 1 MB) token-major was 2-3% slower (on the AMD EPYC
   * Zen 5 VM the rule measured level either way: bench/results/NOTES.md). */
  const size_t wbytes = (size_t)(j1 - j0) * ws * sizeof(float);
  const int token_major = wbytes <= MMRT_L2_BYTES / 8 ||
                          (j1 - j0 >= 16 && wbytes <= MMRT_L2_BYTES / 2);
  const int rows_ahead = j1 - j0 == MMRT_PANELS(Cout, 32); /* whole output rows */
  mmrt_conv_shape sh = {H, W, Cin, k, k, whole ? k * Cin : Cin, whole ? 1 : k,
                        bias, relu, Cout, Cout, shared};
  mmrt_conv_geo geo[MMRT_CONV_IBLOCK];
  for (int ib = i0; ib < i1; ib += MMRT_CONV_IBLOCK) {
    const int ie = ib + MMRT_CONV_IBLOCK < i1 ? ib + MMRT_CONV_IBLOCK : i1, nb = ie - ib;
    for (int i = ib; i < ie; i++) {
      /* the panel's first token's image, row and column by division, the next ones by
       * counting (three divisions per token were ~40 ns per token panel: a 56 x 56 x 64 ->
       * 64 1x1 on AMD EPYC Zen 5, 137 -> 127 us); tokens past the end as the last */
      mmrt_conv_geo *g = &geo[i - ib];
      const int m0 = i * 12; /* < M: i < i1 <= the token panels */
      int b = m0 / (OH * OW), oy = m0 / OW % OH, ox = m0 % OW;
      for (int t = 0; t < MMRT_CONV_NT_JOINED; t++) {
        g->iy[t] = oy * s - pad, g->ix[t] = ox * s - pad;
        g->base[t] = x + (((ptrdiff_t)b * H + g->iy[t]) * W + g->ix[t]) * Cin;
        if (i * 12 + t + 1 < M && ++ox == OW) {
          ox = 0;
          if (++oy == OH) oy = 0, b++;
        }
      }
    }
    for (int i = ib; i < ie; i++) { /* evenly spaced windows (no padding, one output row) */
      mmrt_conv_geo *g = &geo[i - ib];
      const ptrdiff_t d = g->base[1] - g->base[0];
      int even = pad == 0 && d > 0;
      for (int t = 2; t < 12 && even; t++) even = g->base[t] - g->base[t - 1] == d;
      g->step = even ? (long)(d * sizeof(float)) : 0;
      g->step13 = even && g->base[12] - g->base[11] == d ? g->step : 0;
    }
    if (token_major) { /* all weight panels of a token panel in turn: its output rows */
      for (int i = ib; i < ie; i++) {
        const int t0 = i * 12;
        int mt, join;
        mmrt_conv_tile_fn *tile = mmrt_conv_pick(M, i, ie, &mt, &join);
        const int tn = t0 + mt, nt = M - tn < 12 ? M - tn : 12; /* the next panel's rows */
        const char *pf = (const char *)((residual ? residual : y) + (size_t)tn * Cout);
        const int lines = rows_ahead && nt > 0 ? (int)((size_t)nt * Cout * sizeof(float) / 64) : 0;
        for (int j = j0; j < j1; j++) {
          const int n0 = j * 32, nn = Cout - n0 < 32 ? Cout - n0 : 32;
          const int l0 = lines * (j - j0) / (j1 - j0), l1 = lines * (j - j0 + 1) / (j1 - j0);
          sh.bias = bias + n0;
          tile(&sh, &geo[i - ib], wp + (size_t)j * ws, 0, k, nn, mt,
               y + (size_t)t0 * Cout + n0, residual ? residual + (size_t)t0 * Cout + n0 : NULL,
               pf + (size_t)l0 * 64, l1 - l0);
        }
        i += join;
      }
      continue;
    }
    for (int j = j0; j < j1; j++) {
      const int n0 = j * 32, nn = Cout - n0 < 32 ? Cout - n0 : 32;
      sh.bias = bias + n0;
      for (int ky0 = 0; ky0 < k; ky0 += kyb) {
        const int ky1 = ky0 + kyb < k ? ky0 + kyb : k;
        const float *w = wp + (size_t)j * ws + ky0 * rowf;
        /* the next weight block: of this panel, else the next panel's first, else the first
         * of the next token block; its lines shared out over this block's tiles */
        const char *pf = ky1 < k ? (const char *)(w + (ky1 - ky0) * rowf)
                         : j + 1 < j1 ? (const char *)(wp + (size_t)(j + 1) * ws)
                         : ie < i1 ? (const char *)(wp + (size_t)j0 * ws) : NULL;
        const int nky = ky1 < k && k - ky1 < kyb ? k - ky1 : kyb; /* its kernel rows */
        const int lines = (int)(nky * rowf * sizeof(float) / 64);
        for (int i = ib; i < ie; i++) {
          const int t0 = i * 12;
          int mt, join;
          mmrt_conv_tile_fn *tile = mmrt_conv_pick(M, i, ie, &mt, &join);
          const int l0 = pf ? lines * (i - ib) / nb : 0;
          const int l1 = pf ? lines * (i - ib + 1 + join) / nb : 0;
          tile(&sh, &geo[i - ib], w, ky0, ky1, nn, mt, y + (size_t)t0 * Cout + n0,
              residual ? residual + (size_t)t0 * Cout + n0 : NULL,
              pf ? pf + (size_t)l0 * 64 : NULL, l1 - l0);
          i += join;
        }
      }
    }
  }
}
#endif
/* }================================================================== */

/* MaxPool2d(k, stride s, padding pad) (padding never wins), output rows r0..r1-1 of the
 * B * OH rows. */
MMRT_INLINE void mmrt_maxpool(float *restrict y, const float *restrict x, int H, int W, int C,
                              int k, int s, int pad, int OH, int OW, int r0, int r1) {
  for (int r = r0; r < r1; r++) {
    const int b = r / OH, oy = r % OH;
    for (int ox = 0; ox < OW; ox++) {
      float *restrict d = y + ((size_t)r * OW + ox) * C;
      int first = 1;
      for (int ky = 0; ky < k; ky++) {
        const int iy = oy * s - pad + ky;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < k; kx++) {
          const int ix = ox * s - pad + kx;
          if (ix < 0 || ix >= W) continue;
          const float *restrict sx = x + ((size_t)(b * H + iy) * W + ix) * C;
          if (first)
            for (int c = 0; c < C; c++) d[c] = sx[c];
          else
            for (int c = 0; c < C; c++) d[c] = sx[c] > d[c] ? sx[c] : d[c];
          first = 0;
        }
      }
    }
  }
}

/* AvgPool2d(kernel = stride = s, ceil_mode=True, count_include_pad=False): the mean of the
 * window's pixels inside the image (the last window may be clipped), summed in (ky, kx)
 * order. Output rows r0..r1-1 of the B * OH rows, OH = MMRT_POOL_CEIL_OUT(H, s). */
MMRT_INLINE void mmrt_avgpool_ceil(float *restrict y, const float *restrict x, int H, int W,
                                   int C, int s, int OH, int OW, int r0, int r1) {
  for (int r = r0; r < r1; r++) {
    const int b = r / OH, oy = r % OH, y0 = oy * s, y1 = y0 + s < H ? y0 + s : H;
    for (int ox = 0; ox < OW; ox++) {
      const int x0 = ox * s, x1 = x0 + s < W ? x0 + s : W;
      float *restrict d = y + ((size_t)r * OW + ox) * C;
      for (int c = 0; c < C; c++) d[c] = 0.0f;
      for (int iy = y0; iy < y1; iy++)
        for (int ix = x0; ix < x1; ix++) {
          const float *restrict sx = x + ((size_t)(b * H + iy) * W + ix) * C;
          for (int c = 0; c < C; c++) d[c] += sx[c];
        }
      const float n = (float)((y1 - y0) * (x1 - x0));
      for (int c = 0; c < C; c++) d[c] /= n;
    }
  }
}

/* Global average pool: y[b * C + c] = mean over the HW pixels of image b, channels
 * c0..c1-1 (pixels summed in order). */
MMRT_INLINE void mmrt_gap(float *restrict y, const float *restrict x, int B, int HW, int C,
                          int c0, int c1) {
  for (int b = 0; b < B; b++) {
    float *restrict d = y + (size_t)b * C;
    for (int c = c0; c < c1; c++) d[c] = 0.0f;
    for (int p = 0; p < HW; p++) {
      const float *restrict sx = x + ((size_t)b * HW + p) * C;
      for (int c = c0; c < c1; c++) d[c] += sx[c];
    }
    for (int c = c0; c < c1; c++) d[c] /= (float)HW;
  }
}

/* Dot product of n floats in a fixed order. */
MMRT_INLINE float mmrt_dot(const float *restrict a, const float *restrict b, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; j++) acc[j] += a[k + j] * b[k + j];
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; k < n; k++) s += a[k] * b[k];
  return s;
}

/* SE squeeze: h[b * S + i] = relu(w1[i, :] . pooled[b, :] + b1[i]) for i in i0..i1-1
 * (w1 is conv1's (S, C) weight, pooled = mmrt_gap of the block's bn3 output). */
MMRT_INLINE void mmrt_se_squeeze(float *restrict h, const float *restrict pooled,
                                 const float *restrict w1, const float *restrict b1, int B,
                                 int C, int S, int i0, int i1) {
  for (int b = 0; b < B; b++)
    for (int i = i0; i < i1; i++) {
      const float v = mmrt_dot(w1 + (size_t)i * C, pooled + (size_t)b * C, C) + b1[i];
      h[(size_t)b * S + i] = v > 0.0f ? v : 0.0f;
    }
}

/* SE excite: g[b * C + c] = sigmoid(w2[c, :] . h[b, :] + b2[c]) for c in c0..c1-1. */
MMRT_INLINE void mmrt_se_excite(float *restrict g, const float *restrict h,
                                const float *restrict w2, const float *restrict b2, int B,
                                int C, int S, int c0, int c1) {
  for (int b = 0; b < B; b++)
    for (int c = c0; c < c1; c++) {
      const float v = mmrt_dot(w2 + (size_t)c * S, h + (size_t)b * S, S) + b2[c];
      g[(size_t)b * C + c] = 1.0f / (1.0f + mmrt_expf(-v));
    }
}

/* The end of an SE block: y = relu(y * g[b, c] + residual) in place, pixel rows r0..r1-1 of
 * the B * HW rows (residual: same shape, ldr channels). */
MMRT_INLINE void mmrt_scale_add_relu(float *restrict y, const float *restrict g,
                                     const float *restrict residual, int ldr, int HW, int C,
                                     int r0, int r1) {
  for (int r = r0; r < r1; r++) {
    float *restrict d = y + (size_t)r * C;
    const float *restrict gb = g + (size_t)(r / HW) * C;
    const float *restrict res = residual + (size_t)r * ldr;
    for (int c = 0; c < C; c++) {
      const float v = d[c] * gb[c] + res[c];
      d[c] = v > 0.0f ? v : 0.0f;
    }
  }
}

/* {================================================================== ops of the IR
 * One call each in the generated forward pass (compiler/lower_resnet.c, gen_emit.c), on B
 * images at once (NHWC, image after image: the network's head runs one image at a time,
 * its last stages on the chunk's images together so that their weights are read once per
 * chunk): thread tid of nt takes a fixed share (mmrt_share), or the op claims runs
 * (mmrt_claim), and the caller puts a barrier after each call. Which thread computes an
 * element, and how many images share the call, never changes how. */

/* Image [C, H, W] -> NHWC [H + 2 pad, W + 2 pad, C] with a zero border of pad pixels (the
 * first convolution's padding, so that it reads whole window rows); rows shared. */
MMRT_INLINE void mmrt_op_to_hwc(float *restrict y, const float *restrict img, int C, int H,
                                int W, int pad, int tid, int nt) {
  const int PW = W + 2 * pad;
  int r0, r1;
  mmrt_share(H + 2 * pad, tid, nt, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    float *restrict d = y + (size_t)r * PW * C;
    const int iy = r - pad;
    if (iy < 0 || iy >= H) {
      for (int i = 0; i < PW * C; i++) d[i] = 0.0f;
      continue;
    }
    for (int i = 0; i < pad * C; i++) d[i] = d[(size_t)(pad + W) * C + i] = 0.0f;
    for (int x = 0; x < W; x++)
      for (int c = 0; c < C; c++) d[(size_t)(pad + x) * C + c] = img[((size_t)c * H + iy) * W + x];
  }
}

/* Floats of one group's patch panels in xp (groups follow each other). */
#define MMRT_CONV_XP_FLOATS(M, K) MMRT_PACKED_FLOATS(M, K, MMRT_XR)

/* The patch panels of every group of a convolution (k x k, stride s, padding pad, G groups)
 * of the NHWC input [B, H, W, Cin] into xp (M = B * OH * OW rows); the (group, panel) pairs
 * are shared. A 1 x 1 stride-1 convolution without groups packs the input rows as they are. */
MMRT_INLINE void mmrt_op_conv_pack(float *xp, const float *x, int B, int H, int W, int Cin,
                                   int G, int k, int s, int pad, int OH, int OW, int tid,
                                   int nt) {
  const int cin = Cin / G, K = k * k * cin, M = B * OH * OW, np = MMRT_PANELS(M, MMRT_XR);
  const size_t gs = MMRT_CONV_XP_FLOATS(M, K);
  if (MMRT_CONV_IS_DIRECT(G, cin)) return; /* mmrt_op_conv_gemm reads x itself */
  int u0, u1;
  mmrt_share(G * np, tid, nt, &u0, &u1);
  if (k == 1 && s == 1 && pad == 0 && G == 1) {
#if MMRT_XR == 12
    const int ps = MMRT_PANEL_FLOATS(K, 12);
    for (int p = u0; p < u1; p++) { /* the input rows as they are */
      const float *rows[12];
      for (int r = 0; r < 12; r++) rows[r] = p * 12 + r < M ? x + (size_t)(p * 12 + r) * Cin : 0;
      float *d = xp + (size_t)p * ps;
      mmrt_tr12(d, rows, K);
      for (int i = K * 12; i < ps; i++) d[i] = 0.0f;
    }
#else
    mmrt_pack_rows(xp, x, Cin, M, K, MMRT_XR, u0, u1);
#endif
    return;
  }
  for (int u = u0; u < u1;) {
    const int g = u / np, p0 = u % np, p1 = u1 - u < np - p0 ? p0 + (u1 - u) : np;
    mmrt_conv_pack(xp + (size_t)g * gs, x, B, H, W, Cin, g * cin, cin, k, k, s, pad, OH, OW,
                   p0, p1);
    u += p1 - p0;
  }
}

/* How a product is shared: 1 = by weight panels (each thread reads all the activations and
 * its share of the weights, and stores its share of every output row), 0 = by activation
 * panels (its share of the activations, all the weights; its own output rows). Whichever
 * costs less per thread, wf / xf / yf the weights read / activations read / outputs written
 * in all (in one unit: floats, or bytes where their element sizes differ): activations come
 * from the previous op, half written by the other core(s) under a weight split, so reading
 * all of a 3136-pixel stage-1 tensor on every thread costs more than the 64 KB of its
 * weights. And with more than one thread, the lines a weight split stores were, as a rule,
 * read by every core in an op before (its input, or the residual it overwrites), and a
 * store waits until the other cores drop theirs: MMRT_SHARED_STORE_COST reads' worth per
 * float. A share needs at least 2 units per thread (else the other way); shapes are
 * constants in generated code, so the test folds. */
#define MMRT_SHARED_STORE_COST 1.5
/* AMD EPYC Zen 5 VM (2 cores; a line stored over the other core's copy took ~4x a read of a
 * remote line, bench/results/NOTES.md): the factor moves ResNet-50's stage-3 1x1
 * convolutions (196 pixels; 1024 -> 256 and 256 -> 1024 + residual) to activation
 * panels, 0.30-0.35 -> 0.29-0.31 ms each on 2 threads, and keeps its 1x1 downsample there
 * (2 MB of weights; 4-7% slower on activation panels) on weight panels: any value in
 * 1.23-2.11 splits ResNet-50 that way. */
MMRT_INLINE int mmrt_split_by_weights(double wf, double xf, double yf, int wunits, int xunits,
                                      int nt) {
  if (xunits < 2 * nt) return 1;
  if (wunits < 2 * nt) return 0;
  return wf > xf + (nt > 1 ? MMRT_SHARED_STORE_COST * yf : 0.0);
}

/* y [M, Cout] (NHWC, M = B * OH * OW: x holds B images) = the packed patches x the folded
 * weights (per group g: the rows g*cout.. of wp's groups of MMRT_PACKED_FLOATS(cout, K, MMRT_WR) floats) + bias
 * (+ residual [M, Cout]) (then ReLU). The threads claim runs of weight panels or of
 * activation panels (mmrt_split_by_weights, mmrt_claim): each C tile sums its k blocks in
 * the same order with the same kernel calls either way, so the bytes do not depend on the
 * split or on which thread takes a run. residual may be y itself for a 1x1 (k = 1; plan.c's
 * in-place ops, fp32 builds): the direct tile (one kernel row block) loads each residual
 * element before it stores that element; the packed path then sums onto it, (residual +
 * product) + bias, instead of adding it in the epilogue after the product overwrote it. */
MMRT_INLINE void mmrt_op_conv_gemm(float *y, const float *xp, int M, const float *wp, int Cout,
                                   int K, int G, const float *bias, const float *residual,
                                   int relu, const float *x, int H, int W, int Cin, int k,
                                   int s, int pad, int OH, int OW, mmrt_team *team,
                                   int tid) {
  const int cout = Cout / G, nj = MMRT_PANELS(cout, MMRT_WR), np = MMRT_PANELS(M, MMRT_XR);
  const int nt = team->n;
  const size_t xs = MMRT_CONV_XP_FLOATS(M, K), ws = MMRT_PACKED_FLOATS(cout, K, MMRT_WR);
  int u0, u1;
  const int onto = residual == y; /* in place: the packed path's sums start from it */
#if MMRT_CONV_DIRECT
  if (MMRT_CONV_IS_DIRECT(G, Cin)) { /* input pixels read: every one, or M windows of k x k */
    const int B = M / (OH * OW);
    const double px = (double)B * H * W < (double)M * k * k ? (double)B * H * W
                                                             : (double)M * k * k;
    if (mmrt_split_by_weights((double)Cout * K, px * Cin, (double)M * Cout, nj, np, nt)) {
      while (mmrt_claim(team, tid, nj, 1, &u0, &u1))
        mmrt_conv_direct(y, x, B, H, W, Cin, k, s, pad, OH, OW, wp, Cout, bias, residual, relu,
                         0, np, u0, u1, nt > 1);
    } else {
      while (mmrt_claim(team, tid, np, 1, &u0, &u1))
        mmrt_conv_direct(y, x, B, H, W, Cin, k, s, pad, OH, OW, wp, Cout, bias, residual, relu,
                         u0, u1, 0, nj, nt > 1);
    }
    return;
  }
#else
  (void)x, (void)H, (void)W, (void)Cin, (void)k, (void)s, (void)pad, (void)OH, (void)OW;
#endif
  if (onto) residual = NULL;
  if (mmrt_split_by_weights((double)G * ws, (double)G * xs, (double)M * Cout, G * nj, np, nt)) {
    /* (group, weight panel) pairs */
    while (mmrt_claim(team, tid, G * nj, 1, &u0, &u1))
      for (int u = u0; u < u1;) {
        const int g = u / nj, j0 = u % nj, j1 = u1 - u < nj - j0 ? j0 + (u1 - u) : nj;
        const mmrt_conv_epi e = {bias + (size_t)g * cout,
                                 residual ? residual + (size_t)g * cout : 0, Cout, relu};
        mmrt_gemm(xp + (size_t)g * xs, M, wp + (size_t)g * ws, cout, K, y + (size_t)g * cout,
                  Cout, onto, j0, j1, mmrt_conv_epilogue, &e);
        u += j1 - j0;
      }
    return;
  }
  while (mmrt_claim(team, tid, np, 1, &u0, &u1)) { /* runs of activation panels, every group */
    const int t0 = u0 * MMRT_XR, mt = (u1 * MMRT_XR < M ? u1 * MMRT_XR : M) - t0;
    for (int g = 0; g < G; g++) {
      const mmrt_conv_epi e = {bias + (size_t)g * cout,
                               residual ? residual + (size_t)t0 * Cout + (size_t)g * cout : 0,
                               Cout, relu};
      mmrt_gemm(xp + (size_t)g * xs + (size_t)u0 * MMRT_PANEL_FLOATS(K, MMRT_XR), mt,
                wp + (size_t)g * ws, cout, K, y + (size_t)t0 * Cout + (size_t)g * cout, Cout,
                onto, 0, nj, mmrt_conv_epilogue, &e);
    }
  }
}

/* MaxPool2d(k, stride s, padding pad) of [H, W, C]; the threads claim runs of output rows. */
MMRT_INLINE void mmrt_op_maxpool(float *y, const float *x, int H, int W, int C, int k, int s,
                                 int pad, int OH, int OW, mmrt_team *team, int tid) {
  int r0, r1;
  while (mmrt_claim(team, tid, OH, 1, &r0, &r1))
    mmrt_maxpool(y, x, H, W, C, k, s, pad, OH, OW, r0, r1);
}

/* AvgPool2d(kernel = stride = s, ceil_mode=True, count_include_pad=False) of B images;
 * rows shared. */
MMRT_INLINE void mmrt_op_avgpool(float *y, const float *x, int B, int H, int W, int C, int s,
                                 int OH, int OW, int tid, int nt) {
  int r0, r1;
  mmrt_share(B * OH, tid, nt, &r0, &r1);
  mmrt_avgpool_ceil(y, x, H, W, C, s, OH, OW, r0, r1);
}

/* Global average pool [B, HW, C] -> [B, C]; channels shared in blocks of 16. */
MMRT_INLINE void mmrt_op_gap(float *y, const float *x, int B, int HW, int C, int tid, int nt) {
  int c0, c1;
  mmrt_share((C + 15) / 16, tid, nt, &c0, &c1);
  mmrt_gap(y, x, B, HW, C, c0 * 16, c1 * 16 < C ? c1 * 16 : C);
}

/* SE of B images: [B, C] -> [B, S] -> [B, C] */
MMRT_INLINE void mmrt_op_se_squeeze(float *h, const float *pooled, const float *w1,
                                    const float *b1, int B, int C, int S, int tid, int nt) {
  int i0, i1;
  mmrt_share(S, tid, nt, &i0, &i1);
  mmrt_se_squeeze(h, pooled, w1, b1, B, C, S, i0, i1);
}

MMRT_INLINE void mmrt_op_se_excite(float *gate, const float *h, const float *w2,
                                   const float *b2, int B, int C, int S, int tid, int nt) {
  int c0, c1;
  mmrt_share(C, tid, nt, &c0, &c1);
  mmrt_se_excite(gate, h, w2, b2, B, C, S, c0, c1);
}

/* y = relu(y * gate[b, c] + residual) in place on [B, HW, C]; pixel rows shared. */
MMRT_INLINE void mmrt_op_scale_add_relu(float *y, const float *gate, const float *residual,
                                        int B, int HW, int C, int tid, int nt) {
  int r0, r1;
  mmrt_share(B * HW, tid, nt, &r0, &r1);
  mmrt_scale_add_relu(y, gate, residual, C, HW, C, r0, r1);
}
/* }================================================================== */

#endif
