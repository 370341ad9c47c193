/* bench/xcore.c: what it costs one core to store over, or read, lines another core holds,
 * the traffic between two threads of a team when each product's output is read by both
 * (bench/results/NOTES.md, nineteenth session). Thread A on CPU 0, thread B on CPU 1, a
 * buffer of 154 KB (ViT-B/32's activations: 50 x 768 floats); per round B touches the
 * buffer, then A (timed) works on it:
 *   local        A stores over lines it stored itself (B idle)
 *   store-shared A stores over lines B has just read
 *   store-nt     the same with non-temporal stores
 *   read-remote  A reads lines B has just stored
 * Build and run: cc -O2 -mavx512f -o /tmp/xcore bench/xcore.c -lpthread && /tmp/xcore
 * (an AVX-512 x86-64 CPU and 2 CPUs). Not part of any library or of `make test`. */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FLOATS = 50 * 768, ROUNDS = 2000 };
enum { LOCAL, STORE_SHARED, STORE_NT, READ_REMOTE, MODES };
static const char *const names[MODES] = {"local", "store-shared", "store-nt", "read-remote"};

static float *buf;
static atomic_int turn; /* odd: B's turn in round (turn + 1) / 2, even: A's */
static int mode;
static volatile float sink;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static float sum(void) {
  __m512 a = _mm512_setzero_ps();
  for (int i = 0; i < FLOATS; i += 16) a = _mm512_add_ps(a, _mm512_load_ps(buf + i));
  return _mm512_reduce_add_ps(a);
}

static void store(float v, int nt) {
  for (int i = 0; i < FLOATS; i += 16)
    if (nt)
      _mm512_stream_ps(buf + i, _mm512_set1_ps(v + (float)i));
    else
      _mm512_store_ps(buf + i, _mm512_set1_ps(v + (float)i));
  if (nt) _mm_sfence();
}

static void *thread_b(void *arg) {
  pin(1);
  for (int r = 1; r <= ROUNDS; r++) {
    while (atomic_load(&turn) != 2 * r - 1) ;
    if (mode == READ_REMOTE) store((float)r, 0);
    else sink = sum();
    atomic_store(&turn, 2 * r);
  }
  return arg;
}

int main(void) {
  buf = aligned_alloc(64, FLOATS * sizeof(float));
  memset(buf, 0, FLOATS * sizeof(float));
  pin(0);
  for (mode = 0; mode < MODES; mode++) {
    pthread_t b;
    atomic_store(&turn, 0);
    if (mode != LOCAL) pthread_create(&b, NULL, thread_b, NULL);
    double t = 0;
    for (int r = 1; r <= ROUNDS; r++) {
      if (mode != LOCAL) {
        atomic_store(&turn, 2 * r - 1);
        while (atomic_load(&turn) != 2 * r) ;
      }
      const double t0 = now();
      if (mode == READ_REMOTE) sink = sum();
      else store((float)r, mode == STORE_NT);
      t += now() - t0;
    }
    if (mode != LOCAL) pthread_join(b, NULL);
    t /= ROUNDS;
    printf("%-13s %7.2f us for %zu KB (%.1f GB/s)\n", names[mode], t * 1e6,
           FLOATS * sizeof(float) / 1024, FLOATS * sizeof(float) / t / 1e9);
  }
  return 0;
}
