/* bench/gelu.c: mmrt_gelu (runtime/mmrt_math.h) against float64 erfc, over every float in
 * [-20, 20] (or every STEP-th), then its time per element on fc1-like inputs.
 *   cc -O3 -std=c11 -fno-math-errno -fno-trapping-math [path flags] -Iruntime bench/gelu.c -lm
 *   -o gelu && ./gelu [STEP]          (the flags of a library: templates/Makefile.m4)
 * Error: |g - ref| in ulp of ref rounded to float where x >= MMRT_GELU_UF and |ref| >= FLT_MIN
 * (elsewhere mmrt_gelu returns 0 on purpose: absolute error), max over the range, and where. Time: thread CPU ns per element, median
 * of 15 passes over 197 x 3072 values (N(0, 2) and uniform in [-20, 5]). */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mmrt_math.h"
#ifndef MMRT_GELU_UF   /* an mmrt_math.h before the flush (A/B against an older version) */
#define MMRT_GELU_UF (-INFINITY)
#endif

static double ref_gelu(float x) {   /* x Phi(x), Phi through erfc: no cancellation */
  return (double)x * 0.5 * erfc(-(double)x / sqrt(2.0));
}

static double ulp_of(double r) {
  float f = (float)fabs(r);
  if (f < FLT_MIN) return ldexp(1.0, -149);
  int e;
  frexpf(f, &e);
  return ldexp(1.0, e - 24);
}

static void __attribute__((noinline)) run(float *d, const float *s, int n) {
  for (int i = 0; i < n; i++) d[i] = mmrt_gelu(s[i]);
}

static double cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  uint32_t step = argc > 1 ? (uint32_t)atoi(argv[1]) : 1, lim = 0x41a00000u; /* 20.0f */
  double max_ulp = 0, max_abs = 0, max_tiny = 0, max_ulp_m5 = 0;
  float at_ulp = 0, at_abs = 0;
  long denormal = 0;
  for (int sign = 0; sign < 2; sign++)
    for (uint32_t b = 0; b <= lim; b += step) {
      union { uint32_t i; float f; } u = {b | (uint32_t)sign << 31};
      float g = mmrt_gelu(u.f);
      double r = ref_gelu(u.f), e = fabs((double)g - r);
      if (fabsf(u.f) >= 4 * FLT_MIN && g != 0.0f && fabsf(g) < FLT_MIN) denormal++;
      if (e > max_abs) max_abs = e, at_abs = u.f;
      if (fabs(r) < FLT_MIN || u.f < MMRT_GELU_UF) {   /* flushed to 0 on purpose */
        if (e > max_tiny) max_tiny = e;
        continue;
      }
      double ul = e / ulp_of(r);
      if (ul > max_ulp) max_ulp = ul, at_ulp = u.f;
      if (u.f >= -5.0f && ul > max_ulp_m5) max_ulp_m5 = ul;
    }
  printf("accuracy over [-20, 20] step %u: max %.2f ulp (at x = %.9g), %.2f ulp for x >= -5; "
         "max abs error %.3g (at x = %.9g); where x < MMRT_GELU_UF or |ref| < FLT_MIN: max "
         "abs error %.3g; denormal results for |x| >= 4 FLT_MIN: %ld\n", step, max_ulp, at_ulp,
         max_ulp_m5, max_abs, at_abs, max_tiny, denormal);

  enum { N = 197 * 3072, PASSES = 15 };
  float *s = malloc(N * sizeof *s), *d = malloc(N * sizeof *d);
  const char *name[2] = {"N(0, 2)", "U(-20, 5)"};
  srand(1);
  for (int dist = 0; dist < 2; dist++) {
    for (int i = 0; i < N; i++) {
      double u1 = (rand() + 1.0) / (RAND_MAX + 2.0), u2 = rand() / (RAND_MAX + 1.0);
      s[i] = dist == 0 ? (float)(2.0 * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2))
                       : (float)(-20.0 + 25.0 * u2);
    }
    double t[PASSES];
    for (int p = 0; p < PASSES; p++) {
      double t0 = cpu_ns();
      run(d, s, N);
      t[p] = (cpu_ns() - t0) / N;
    }
    qsort(t, PASSES, sizeof *t, cmp);
    printf("time %-9s: %.3f ns per element (median of %d; min %.3f)\n", name[dist],
           t[PASSES / 2], PASSES, t[0]);
  }
  free(s);
  free(d);
  return 0;
}
