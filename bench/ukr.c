/* bench/ukr.c: mmcc's own micro-kernels (runtime/mmrt_ukr.h) against BLIS 0.9's skx kernel.
 *   ukr K NT [NV]     operands hot: one 32 x K weight panel, NT token panels of 12 x K
 *   ukr gemm M N K [panels]  a product through mmrt_gemm_core with the weights streaming
 *                     from memory (N x K > L2), BLIS skx kernel vs own skx kernel; C
 *                     row-major or written as activation panels (mmrt_gemm_panels)
 * Variants alternate (A B A B ...) within one run; thread CPU time, best of 15. Build and
 * run: bench/ukr.sh. Not part of any library. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "mmrt_panel.h"
#include "mmrt_ukr.h"

typedef struct {
  int schema_a, schema_b;
  const void *a_next, *b_next;
  int64_t is_a, is_b, ps_a, ps_b;
  void *ukr, *params;
} auxinfo;
void bli_sgemm_skx_asm_32x12_l2(int64_t m, int64_t n, int64_t k, const float *alpha,
                                const float *a, const float *b, const float *beta, float *c,
                                int64_t rs_c, int64_t cs_c, const auxinfo *aux, const void *cntx);

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void blis(int nn, int mt, int kc, const float *w, const float *x, int acc, float *c,
                 long ts, long ns, const char *pf, int pfl) {
  static const float one = 1.0f, zero = 0.0f;
  (void)pf; /* the mmrt_ukr_fn signature; nothing to prefetch in these loops */
  (void)pfl;
  auxinfo aux = {0, 0, w, x, 0, 0, 0, 0, NULL, NULL};
  bli_sgemm_skx_asm_32x12_l2(nn, mt, kc, &one, w, x, acc ? &one : &zero, c, ns, ts, &aux, NULL);
}

void gemm_blis(const float *xp, int M, const float *wp, int N, int K, float *c, int panels);
void gemm_own(const float *xp, int M, const float *wp, int N, int K, float *c, int panels);

static int gemm_case(int M, int N, int K, int panels) {
  const size_t xs = MMRT_PACKED_FLOATS(M, K, 12), ws = MMRT_PACKED_FLOATS(N, K, 32);
  float *x = aligned_alloc(64, xs * 4), *w = aligned_alloc(64, ws * 4);
  const size_t cs = MMRT_PACKED_FLOATS(M, N, 12);
  float *c = aligned_alloc(64, cs * 4), *c2 = aligned_alloc(64, cs * 4);
  if (!x || !w || !c || !c2) return 1;
  memset(c, 0, cs * 4);
  memset(c2, 0, cs * 4);
  srand(2);
  for (size_t i = 0; i < xs; i++) x[i] = (float)rand() / RAND_MAX - 0.5f;
  for (size_t i = 0; i < ws; i++) w[i] = (float)rand() / RAND_MAX - 0.5f;
  gemm_blis(x, M, w, N, K, c, panels);
  gemm_own(x, M, w, N, K, c2, panels);
  printf("M=%d N=%d K=%d, C %s: own-skx and blis-skx products %s\n", M, N, K,
         panels ? "as activation panels" : "row-major", memcmp(c, c2, cs * 4) ? "differ" : "bitwise identical");
  double best[2] = {1e9, 1e9};
  for (int r = 0; r < 15; r++)
    for (int i = 0; i < 2; i++) {
      double t0 = now();
      (i ? gemm_own : gemm_blis)(x, M, w, N, K, c, panels);
      double t = now() - t0;
      if (t < best[i]) best[i] = t;
    }
  printf("blis-skx     %6.1f GFLOP/s\nown-skx      %6.1f GFLOP/s\n", 2.0 * M * N * K / best[0] / 1e9,
         2.0 * M * N * K / best[1] / 1e9);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 5 && !strcmp(argv[1], "gemm"))
    return gemm_case(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argc > 5 && !strcmp(argv[5], "panels"));
  const int K = argc > 1 ? atoi(argv[1]) : 384, NT = argc > 2 ? atoi(argv[2]) : 16;
  const int reps = 15, calls = 200;
  const size_t ws = MMRT_PANEL_FLOATS(K, 32), xs = MMRT_PANEL_FLOATS(K, 12);
  float *w = aligned_alloc(64, ws * 4), *x = aligned_alloc(64, xs * NT * 4);
  float *c = aligned_alloc(64, (size_t)NT * 12 * 32 * 4), *c2 = aligned_alloc(64, (size_t)NT * 12 * 32 * 4);
  srand(1);
  for (size_t i = 0; i < ws; i++) w[i] = (float)rand() / RAND_MAX - 0.5f;
  for (size_t i = 0; i < xs * NT; i++) x[i] = (float)rand() / RAND_MAX - 0.5f;
  struct { const char *name; mmrt_ukr_fn *f; } v[] = {
    {"blis-skx", blis}, {"own-skx", mmrt_ukr_skx}, {"own-haswell", mmrt_ukr_haswell},
    {"own-generic", mmrt_ukr_generic}};
  const int nv = argc > 3 ? atoi(argv[3]) : 4;
  double best[4] = {1e9, 1e9, 1e9, 1e9};
  /* agreement first: own-skx vs blis on one full tile, row-major and panel-strided C */
  blis(32, 12, K, w, x, 0, c, 32, 1, NULL, 0);
  mmrt_ukr_skx(32, 12, K, w, x, 0, c2, 32, 1, NULL, 0);
  double md = 0;
  for (int i = 0; i < 12 * 32; i++) md = fabs(c[i] - c2[i]) > md ? fabs(c[i] - c2[i]) : md;
  printf("K=%d token panels=%d: max |own-skx - blis| on a tile = %g\n", K, NT, md);
  for (int r = 0; r < reps; r++)
    for (int i = 0; i < nv; i++) {
      double t0 = now();
      for (int n = 0; n < calls; n++)
        for (int p = 0; p < NT; p++)
          v[i].f(32, 12, K, w, x + (size_t)p * xs, n > 0, c + (size_t)p * 384, 32, 1, NULL, 0);
      double t = now() - t0;
      if (t < best[i]) best[i] = t;
    }
  for (int i = 0; i < nv; i++)
    printf("%-12s %6.1f GFLOP/s\n", v[i].name, 2.0 * 32 * 12 * K * NT * calls / best[i] / 1e9);
  return 0;
}
