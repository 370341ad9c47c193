/* mmrt_bf16_panel.h: the bf16 facts both sides read: the generated code and the runtime
 * (mmrt_bf16.h) and mmcc, which rounds and packs the weights and plans the per-thread
 * scratch with the same macros (compiler/plan.c, gen_plan.c, gen_pack.c include this file).
 * Plain C, no intrinsics.
 *
 * ORDER BF16 PANEL LAYOUT: a matrix of N rows and K columns in bfloat16 is stored as panels
 * of R rows; within a panel, columns go in pairs (k even, k + 1): element (k, r) at
 * panel[(k / 2) * 2R + 2r + k % 2], so the two values of a pair are one 32-bit word, as
 * vdpbf16ps reads them; an odd K gets a zero column, rows past the end are zero, and a panel
 * occupies MMRT_BF16_PANEL_HALVES(K, R) 16-bit halves rounded up to 64 bytes. */
#ifndef MMRT_BF16_PANEL_H
#define MMRT_BF16_PANEL_H

#include <stdint.h>
#include <string.h>

#include "mmrt_panel.h"

#define MMRT_BF16_PAIRS(K) (((K) + 1) / 2)
#define MMRT_BF16_PANEL_HALVES(K, R) ((MMRT_BF16_PAIRS(K) * 2 * (R) + 31) / 32 * 32)
#define MMRT_BF16_PACKED_HALVES(N, K, R) ((size_t)MMRT_PANELS(N, R) * MMRT_BF16_PANEL_HALVES(K, R))

/* Workspace of the bf16 products (floats; the planner takes the largest over the products):
 * the activations of one product made ready for it, shared by the threads: with vdpbf16ps
 * (DP 1) converted to bf16 panels of XR rows, else (widening) rounded to bf16 values in fp32
 * panels; and per thread, for widening only, one k block of one weight panel widened to fp32
 * (with the spare k-step the fp32 kernels read). */
#define MMRT_BF16_ACT_FLOATS(M, K, XR, DP) \
  ((DP) ? (MMRT_BF16_PACKED_HALVES(M, K, XR) + 1) / 2 : MMRT_PACKED_FLOATS(M, K, XR))
/* ... one activation panel of K columns in that buffer (convolutions: each group's panels
 * follow the previous group's). */
#define MMRT_BF16_ACT_PANEL_FLOATS(K, XR, DP) \
  ((DP) ? (size_t)MMRT_BF16_PANEL_HALVES(K, XR) / 2 : (size_t)MMRT_PANEL_FLOATS(K, XR))
#define MMRT_BF16_WBLK_FLOATS(KC, WR, DP) ((DP) ? 0 : (size_t)MMRT_PANEL_FLOATS(KC, WR))

/* float -> bfloat16 bits, round to nearest even (torch's rule: denormals are rounded, not
 * flushed; an overflow gives inf); a NaN stays a NaN (quietened, sign kept). */
static inline uint16_t mmrt_bf16_from_f32(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
  return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/* bfloat16 bits -> float (exact). */
static inline float mmrt_f32_from_bf16(uint16_t h) {
  const uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

#endif
