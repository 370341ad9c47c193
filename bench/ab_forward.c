/* bench/ab_forward.c: times one library's forward for bench/ab (A/B of targets). Compiled
 * with `-include shim.h` mapping the library's names to M_FORWARD, M_WS, M_C, M_H, M_W,
 * M_OUT (as tests/codegen/run_model.c).
 *   ab_forward BATCH THREADS CALLS   one warm-up call, then CALLS timed calls; prints
 *   "<cpu ms min> <cpu ms median> <wall ms min> <wall ms median>" per call (CPU time of
 *   the process, all threads) and a checksum of the logits */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double clk(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  const int n = atoi(argv[1]), threads = atoi(argv[2]), calls = atoi(argv[3]);
  const size_t in_n = (size_t)n * M_C * M_H * M_W, out_n = (size_t)n * M_OUT;
  float *in = malloc(in_n * sizeof *in), *out = malloc(out_n * sizeof *out);
  void *ws = aligned_alloc(64, ((size_t)M_WS + 63) / 64 * 64);
  double *cpu = malloc(calls * sizeof *cpu), *wall = malloc(calls * sizeof *wall);
  if (!in || !out || !ws || !cpu || !wall || calls < 1) return 1;
  srand(7);
  for (size_t i = 0; i < in_n; i++) in[i] = (float)rand() / RAND_MAX - 0.5f;
  if (M_FORWARD(in, n, out, ws, threads)) return 1;
  for (int c = 0; c < calls; c++) {
    double c0 = clk(CLOCK_PROCESS_CPUTIME_ID), w0 = clk(CLOCK_MONOTONIC);
    if (M_FORWARD(in, n, out, ws, threads)) return 1;
    cpu[c] = clk(CLOCK_PROCESS_CPUTIME_ID) - c0;
    wall[c] = clk(CLOCK_MONOTONIC) - w0;
  }
  double sum = 0;
  for (size_t i = 0; i < out_n; i++) sum += out[i];
  qsort(cpu, calls, sizeof *cpu, cmp);
  qsort(wall, calls, sizeof *wall, cmp);
  printf("%.2f %.2f %.2f %.2f %.6g\n", cpu[0], cpu[calls / 2], wall[0], wall[calls / 2], sum);
  return 0;
}
