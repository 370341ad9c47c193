/* product.c: one bf16 product of runtime/mmrt_bf16.h, for tests/suites/bf16.sh. Compiled with
 * a target's macros (MMRT_UKR, MMRT_MR, MMRT_NR, MMRT_KC, MMRT_COL_PREF, MMRT_BF16_DP) and
 * linked with that target's BLIS kernel object.
 *
 *   product M N K MODE X.f32 W.f32 B.f32 C0.f32 OUT.f32 THREADS
 *
 * X [M, K], W [N, K], B [N], C0 [M, N] (MODE acc: the C added to) float32; MODE rows, acc or
 * panels. W is rounded and packed here in the bf16 panel layout (ORDER BF16 PANEL LAYOUT), X
 * packed as fp32 activation panels; mmrt_op_bf16_pack runs once per thread id
 * (0..THREADS-1), then the product once per thread id (each with its own widened weight
 * block), as the team does with a barrier between; OUT receives C [M, N] row-major. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmrt_ops.h"
#include "mmrt_bf16.h"

static float *load(const char *path, size_t n) {
  float *p = malloc(n * sizeof(float) + 1);
  FILE *f = fopen(path, "rb");
  if (!p || !f || fread(p, sizeof(float), n, f) != n) {
    fprintf(stderr, "product: cannot read %zu floats from %s\n", n, path);
    exit(1);
  }
  fclose(f);
  return p;
}

static void *zalloc(size_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) exit(1);
  memset(p, 0, (bytes + 63) / 64 * 64);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 11) {
    fprintf(stderr, "usage: product M N K MODE X W B C0 OUT THREADS\n");
    return 2;
  }
  const int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]), nt = atoi(argv[10]);
  const char *mode = argv[4];
  const int panels = !strcmp(mode, "panels"), acc = !strcmp(mode, "acc");
  float *x = load(argv[5], (size_t)M * K), *w = load(argv[6], (size_t)N * K);
  float *b = load(argv[7], (size_t)N), *c0 = load(argv[8], (size_t)M * N);
  const int XR = MMRT_XR, WR = MMRT_WR;
  float *xp = zalloc(MMRT_PACKED_FLOATS(M, K, XR) * sizeof(float));
  mmrt_pack_rows(xp, x, K, M, K, XR, 0, MMRT_PANELS(M, XR));
  uint16_t *wp = zalloc(MMRT_BF16_PACKED_HALVES(N, K, WR) * sizeof(uint16_t));
  for (int n = 0; n < N; n++)
    for (int k = 0; k < K; k++)
      wp[(size_t)(n / WR) * MMRT_BF16_PANEL_HALVES(K, WR) + (size_t)(k / 2) * 2 * WR +
         2 * (n % WR) + k % 2] = mmrt_bf16_from_f32(w[(size_t)n * K + k]);
  const size_t af = MMRT_BF16_ACT_FLOATS(M, K, XR, MMRT_BF16_DP);
  const size_t wf = MMRT_BF16_WBLK_FLOATS(MMRT_KC, WR, MMRT_BF16_DP);
  const int ps = MMRT_PANEL_FLOATS(N, XR);
  float *c = zalloc((panels ? MMRT_PACKED_FLOATS(M, N, XR) : (size_t)M * N) * sizeof(float));
  if (acc) memcpy(c, c0, (size_t)M * N * sizeof(float));
  float *act = zalloc(af * sizeof(float));
  for (size_t i = 0; i < af; i++) act[i] = 1e30f; /* nothing may read it unwritten */
  for (int tid = 0; tid < nt; tid++) mmrt_op_bf16_pack(act, xp, M, K, tid, nt);
  /* (the team's barrier) */
  for (int tid = 0; tid < nt; tid++) {
    float *wblk = wf ? zalloc(wf * sizeof(float)) : NULL;
    for (size_t i = 0; i < wf; i++) wblk[i] = 1e30f;
    if (panels)
      mmrt_op_linear_panels_bf16(c, ps, act, M, wp, N, K, mmrt_epi_bias, b, wblk, tid, nt);
    else
      mmrt_op_linear_bf16(c, N, acc, act, M, wp, N, K, mmrt_epi_bias, b, wblk, tid, nt);
    free(wblk);
  }
  float *out = malloc((size_t)M * N * sizeof(float) + 1);
  for (int t = 0; t < M; t++)
    for (int n = 0; n < N; n++)
      out[(size_t)t * N + n] =
          panels ? c[(size_t)(t / XR) * ps + (size_t)n * XR + t % XR] : c[(size_t)t * N + n];
  FILE *f = fopen(argv[9], "wb");
  if (!f || fwrite(out, sizeof(float), (size_t)M * N, f) != (size_t)M * N || fclose(f)) return 1;
  return 0;
}
