/* tests/mem/mem_lib.c: a library's weights after its first calls (runtime/mmrt_mem.c,
 * templates/api.c.m4). Compiled with `-include shim.h` (M_FORWARD, M_WS, M_C, M_H, M_W,
 * M_OUT, M_BLOB: the library's weights_blob_ symbol).
 *   mem_lib OUT BLOB_BYTES THREADS   three threads make the first calls at once (2 images,
 *   each its own workspace, num_threads = THREADS), then one more call on 2 threads when
 *   THREADS > 1 (else 1); prints "<the calls' logits equal: 1/0> <Anonymous kB of the blob's
 *   whole pages> <their kB>" and writes the last call's logits to OUT */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smaps.h"

#define N 2
#define T 3
extern const unsigned char M_BLOB[];
static float *in, *out[T + 1];
static void *ws[T + 1];
static pthread_barrier_t bar;
static int rc[T], threads;

static void *call(void *arg) {
  const int t = (int)(intptr_t)arg;
  pthread_barrier_wait(&bar);
  rc[t] = M_FORWARD(in, N, out[t], ws[t], threads);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  threads = atoi(argv[3]);
  const size_t bytes = strtoull(argv[2], NULL, 10), in_n = (size_t)N * M_C * M_H * M_W;
  in = malloc(in_n * sizeof *in);
  for (int t = 0; t <= T; t++) {
    out[t] = calloc((size_t)N * M_OUT, sizeof(float));
    ws[t] = aligned_alloc(64, ((size_t)M_WS + 63) / 64 * 64);
    if (!out[t] || !ws[t]) return 2;
  }
  if (!in) return 2;
  srand(11);
  for (size_t i = 0; i < in_n; i++) in[i] = (float)rand() / RAND_MAX - 0.5f;
  pthread_t th[T];
  pthread_barrier_init(&bar, NULL, T);
  for (int t = 0; t < T; t++) pthread_create(&th[t], NULL, call, (void *)(intptr_t)t);
  for (int t = 0; t < T; t++) pthread_join(th[t], NULL);
  for (int t = 0; t < T; t++)
    if (rc[t]) return 3;
  if (M_FORWARD(in, N, out[T], ws[T], threads > 1 ? 2 : 1)) return 3;
  int same = 1;
  for (int t = 0; t < T; t++) same &= !memcmp(out[t], out[T], (size_t)N * M_OUT * sizeof(float));
  /* Anonymous kB of the mappings inside the blob's whole pages */
  const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t a = ((uintptr_t)M_BLOB + pg - 1) / pg * pg, e = ((uintptr_t)M_BLOB + bytes) / pg * pg;
  const long anon = smaps_anon_kb(a, e, 1);
  if (anon < 0) return 2;
  printf("%d %ld %ld\n", same, anon, (long)((e > a ? e - a : 0) / 1024));
  FILE *o = fopen(argv[1], "wb");
  if (!o || fwrite(out[T], sizeof(float), (size_t)N * M_OUT, o) != (size_t)N * M_OUT) return 2;
  return fclose(o) ? 2 : 0;
}
