/* peak_main.h: the driver shared by the peak probes (fma_peak.c, bf16_peak.c). The including
 * file defines loop() (one thread's timed work) and FLOPS_PER_LOOP (the flops one loop() call
 * performs); main runs loop() on THREADS threads at once, 5 times, and prints the best rate.
 *
 *   PROBE THREADS   prints "gflops G" (best of 5 timed runs, all threads together) */
#ifndef PEAK_MAIN_H
#define PEAK_MAIN_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (n < 1 || n > 64) n = 1;
  double best = 0;
  for (int rep = 0; rep < 5; rep++) {
    pthread_t th[64];
    double t0 = now();
    for (int i = 1; i < n; i++)
      if (pthread_create(&th[i], NULL, loop, NULL) != 0) return 1;
    loop(NULL);
    for (int i = 1; i < n; i++) pthread_join(th[i], NULL);
    double g = (double)n * FLOPS_PER_LOOP / (now() - t0) / 1e9;
    if (g > best) best = g;
  }
  printf("gflops %.1f\n", best);
  return 0;
}

#endif
