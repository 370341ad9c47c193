/* mmrt.h: the runtime every mmcc-generated library carries (internal header, not installed).
 *
 * Small and dependency-free apart from libc, libm and pthreads:
 *   - a thread team: run one function SPMD-style on N threads (N = 1 creates no thread),
 *     with a barrier between stages; the workers persist, parked, between calls
 *     (mmrt_team.c);
 *   - the CPU feature check (mmrt_cpu.c, compiled without target flags so that it runs on
 *     any x86-64 / aarch64 CPU);
 *   - the embedded weights moved onto private anonymous pages at the first call
 *     (mmrt_mem.c);
 *   - vectorisable exp / erf / tanh (mmrt_math.h) and activation packing plus the
 *     micro-kernel loop nest (mmrt_gemm.h), both inline so generated code specialises them
 *     for its constant shapes.
 * Every symbol defined here is made local when the library is linked (ld -r + objcopy
 * --keep-global-symbols), so two libraries carrying their own copy link into one program. */
#ifndef MMRT_H
#define MMRT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/* Error codes of the generated entry points (the public header repeats them). */
#define MMRT_OK 0
#define MMRT_E_BAD_ARGUMENT (-1)
#define MMRT_E_CPU (-4)

/* Upper bound on threads: per-thread scratch is part of the constant workspace size. */
#define MMRT_MAX_THREADS 16

/* ---- thread team ---- */
typedef struct mmrt_team {
  int n;                   /* threads taking part (the caller is thread 0) */
  atomic_int count;        /* arrivals at the current barrier */
  atomic_uint gen;         /* barrier generation */
  atomic_int go;           /* 1 once n is final and workers may start */
  atomic_int sleepers;     /* threads blocked on cond (after spinning in vain) */
  /* thread i's unclaimed units of this phase (mmrt_claim), each on a cache line of its own:
   * 0 until set, then MMRT_RANGE_SET | first << 32 | end */
  struct { _Alignas(64) _Atomic unsigned long long w; } range[MMRT_MAX_THREADS];
  pthread_mutex_t mu;
  pthread_cond_t cond;
  void (*fn)(void *ctx, struct mmrt_team *team, int tid);
  void *ctx;
} mmrt_team;

/* Runs fn(ctx, team, tid) for tid = 0..n-1 (n clamped to 1..MMRT_MAX_THREADS), tid 0 on the
 * calling thread, and returns when all have returned. Workers are created on first need
 * and then parked between calls (asleep after a brief spin); concurrent callers each get a
 * team of their own. If threads cannot be created, fewer run: work partitions must not
 * change results with the thread count (they never do in generated code: fixed tiles,
 * fixed summation order). */
void mmrt_team_run(int n, void (*fn)(void *, mmrt_team *, int), void *ctx);
/* All threads of the team wait here until every one has arrived. */
void mmrt_team_barrier(mmrt_team *t);

/* Partition of [0, total) within one phase (between two barriers): each call hands the
 * calling thread tid a run [*lo, *hi) and returns 1, or 0 once every unit is taken. Thread
 * i owns the static share [total i / n, total (i + 1) / n) and takes it from the front,
 * half of what is left at a time, so its units are the same from op to op and what it
 * wrote stays in its own core's caches (a line written on the other core can cost a
 * memory access to read). Once its share is gone it takes the back half of what another
 * thread has left: a thread slowed by another job on its core (a shared VM, a busy sibling
 * hyperthread) gets help instead of keeping the others waiting at the barrier. Which
 * thread does a unit never changes how: callers compute each unit alone, in a fixed order
 * within it, so results stay bitwise identical. One claimed loop per phase: the barrier's
 * last arriver clears the shares (mmrt_team_barrier; a new job starts clear). grain: the
 * smallest run handed out (but never more than is left). One thread takes it all. */
#define MMRT_RANGE_SET (1ull << 63)
static inline unsigned long long mmrt_range_word(int first, int end) {
  return MMRT_RANGE_SET | (unsigned long long)first << 32 | (unsigned)end;
}
static inline int mmrt_claim(mmrt_team *t, int tid, int total, int grain, int *lo, int *hi) {
  const int n = t->n;
  for (int i = 0; i < n; i++) {
    const int j = (tid + i) % n; /* its own share first */
    _Atomic unsigned long long *r = &t->range[j].w;
    unsigned long long w = atomic_load_explicit(r, memory_order_relaxed);
    if (!(w & MMRT_RANGE_SET)) { /* first look this phase: set it (or see who did) */
      const unsigned long long v = mmrt_range_word((int)((long long)total * j / n),
                                                   (int)((long long)total * (j + 1) / n));
      if (atomic_compare_exchange_strong_explicit(r, &w, v, memory_order_relaxed,
                                                  memory_order_relaxed))
        w = v;
    }
    for (;;) {
      const int f = (int)(w >> 32 & 0x7fffffff), b = (int)(unsigned)w, left = b - f;
      if (left <= 0) break;
      int run = n == 1 ? left : i == 0 ? (left + 1) / 2 : left / 2;
      run = run > grain ? run : grain;
      run = run < left ? run : left;
      const unsigned long long v = i == 0 ? mmrt_range_word(f + run, b) : mmrt_range_word(f, b - run);
      if (atomic_compare_exchange_weak_explicit(r, &w, v, memory_order_relaxed,
                                                memory_order_relaxed)) {
        *lo = i == 0 ? f : b - run, *hi = i == 0 ? f + run : b;
        return 1;
      }
    }
  }
  return 0;
}

/* Static partition of [0, total) into t->n parts: part tid is [*lo, *hi). */
static inline void mmrt_share(int total, int tid, int n, int *lo, int *hi) {
  *lo = (int)((long long)total * tid / n);
  *hi = (int)((long long)total * (tid + 1) / n);
}

/* ---- CPU features ---- */
/* 1 when this CPU has every feature in the space-separated list FEATURES ("avx2 fma"); an
 * empty list is always supported. */
int mmrt_cpu_supports(const char *features);

/* ---- weights' memory ---- */
/* Moves the whole pages of [blob, blob + bytes) onto private anonymous 4 KB pages with the
 * same bytes at the same addresses (Linux; elsewhere nothing), on up to THREADS threads
 * (the caller and transient ones); returns the bytes moved. Call it once, while no other
 * thread reads the blob (api.c: pthread_once). Why and when: mmrt_mem.c. */
size_t mmrt_weights_to_anon(const void *blob, size_t bytes, int threads);

#endif
