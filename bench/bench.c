/* bench.c: single-image latency of a library made by `mmcc build`. Compiled by bench.sh with
 *   -DLIB_H='"<id>.h"' -DID=<id> -DUP=<ID>
 * and linked with lib<id>.a -lm -lpthread.
 *
 *   bench THREADS RUNS   one warm-up call, then RUNS calls of <id>_forward on one image;
 *                        prints the min and median wall time, and the CPU time per call
 *                        (user + system of all threads; on a busy machine min CPU time /
 *                        threads is a better estimate of the unloaded latency) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include LIB_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(ID, name)
#define K(name) CAT(UP, name)

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1, runs = argc > 2 ? atoi(argv[2]) : 10;
  if (runs < 1) runs = 1;
  size_t n_in = (size_t)K(_INPUT_CHANNELS) * K(_INPUT_HEIGHT) * K(_INPUT_WIDTH);
  float *in = malloc(n_in * sizeof *in), *out = malloc(4096 * sizeof *out);
  void *ws = aligned_alloc(64, (K(_WORKSPACE_BYTES) + 63) / 64 * 64);
  double *t = malloc(runs * sizeof *t), *c = malloc(runs * sizeof *c);
  for (size_t i = 0; i < n_in; i++) in[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
  if (FN(_forward)(in, 1, out, ws, threads) != 0) {
    fprintf(stderr, "bench: forward failed\n");
    return 1;
  }
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms(), c0 = cpu_ms();
    FN(_forward)(in, 1, out, ws, threads);
    t[r] = now_ms() - t0;
    c[r] = cpu_ms() - c0;
  }
  qsort(t, runs, sizeof *t, cmp_double);
  qsort(c, runs, sizeof *c, cmp_double);
  printf("threads %d: min %.1f ms, median %.1f ms wall; min %.1f ms CPU (%d runs)\n", threads,
         t[0], t[runs / 2], c[0], runs);
  free(in);
  free(out);
  free(ws);
  free(t);
  free(c);
  return 0;
}
