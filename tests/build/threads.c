#define _POSIX_C_SOURCE 200809L
/* threads.c: <id>_forward with T threads gives 1 thread's bytes, and never runs more than
 * <ID>_MAX_THREADS threads at once (the header's clamp). Compiled like product.c and linked
 * with -Wl,--wrap=pthread_create, so that every thread the library starts is counted.
 *
 *   threads N T NAME    forward on N images with 1 and with T threads; prints one line
 *                       "ok NAME ..." or "FAIL NAME: ..."; exit status 1 on FAIL */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include LIB_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(ID, name)
#define K(name) CAT(UP, name)

static atomic_int live, peak;

typedef struct start { void *(*fn)(void *); void *arg; } start;

static void *counted(void *p) {
  start s = *(start *)p;
  free(p);
  int now = atomic_fetch_add(&live, 1) + 1, old = atomic_load(&peak);
  while (now > old && !atomic_compare_exchange_weak(&peak, &old, now)) {}
  void *r = s.fn(s.arg);
  atomic_fetch_sub(&live, 1);
  return r;
}

int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg) {
  start *s = malloc(sizeof *s);
  if (!s) return 11; /* EAGAIN */
  s->fn = fn;
  s->arg = arg;
  int rc = __real_pthread_create(t, a, counted, s);
  if (rc) free(s);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: threads N T NAME\n");
    return 2;
  }
  int n = atoi(argv[1]), t = atoi(argv[2]);
  const char *name = argv[3];
  size_t in_n = (size_t)n * K(_INPUT_CHANNELS) * K(_INPUT_HEIGHT) * K(_INPUT_WIDTH);
  float *x = malloc(in_n * sizeof *x), *a = malloc((size_t)n * OUTN * sizeof *a),
        *b = malloc((size_t)n * OUTN * sizeof *b);
  void *ws = aligned_alloc(64, (K(_WORKSPACE_BYTES) + 63) / 64 * 64);
  if (!x || !a || !b || !ws) return 1;
  uint32_t s = 777;
  for (size_t i = 0; i < in_n; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
  int r1 = FN(_forward)(x, n, a, ws, 1);
  int p1 = atomic_load(&peak);
  int rt = FN(_forward)(x, n, b, ws, t);
  int pt = atomic_load(&peak);
  int cap = (t < K(_MAX_THREADS) ? t : K(_MAX_THREADS)) - 1; /* helpers besides the caller */
  int same = memcmp(a, b, (size_t)n * OUTN * sizeof *a) == 0;
  int good = r1 == K(_OK) && rt == K(_OK) && same && p1 == 0 && pt <= cap && (t < 2 || pt >= 1);
  if (good)
    printf("ok %s (%d images, %d threads requested: identical bytes, at most %d helper threads, "
           "the cap %d)\n", name, n, t, pt, cap);
  else
    printf("FAIL %s: rc %d / %d, %s bytes, %d helper threads with 1 requested, %d with %d "
           "requested (cap %d = min(T, %d) - 1)\n", name, r1, rt, same ? "identical" : "different",
           p1, pt, t, cap, K(_MAX_THREADS));
  free(x);
  free(a);
  free(b);
  free(ws);
  return !good;
}
