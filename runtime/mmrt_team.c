/* mmrt_team.c: the thread team of mmrt.h. Threads live for one call of a generated entry
 * point; between stages they meet at a barrier that spins first (stages are short and the
 * team is small, so spinning beats sleeping) and then sleeps on a condition variable, so
 * that an oversubscribed machine is not burnt by spinning. */
#include <pthread.h>
#include <sched.h>

#include "mmrt.h"

typedef struct worker { mmrt_team *team; int tid; } worker;

/* A hint to the CPU that this is a spin-wait loop. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static void *worker_main(void *arg) {
  worker *w = arg;
  mmrt_team *t = w->team;
  int spins = 0;
  while (!atomic_load_explicit(&t->go, memory_order_acquire))
    if (++spins > 256) sched_yield();
  if (w->tid < t->n) t->fn(t->ctx, t, w->tid);
  return NULL;
}

void mmrt_team_run(int n, void (*fn)(void *, mmrt_team *, int), void *ctx) {
  mmrt_team t;
  pthread_t th[MMRT_MAX_THREADS];
  worker w[MMRT_MAX_THREADS];
  int started = 1;

  if (n < 1) n = 1;
  if (n > MMRT_MAX_THREADS) n = MMRT_MAX_THREADS;
  t.n = n;
  atomic_init(&t.count, 0);
  atomic_init(&t.gen, 0u);
  atomic_init(&t.go, 0);
  atomic_init(&t.sleepers, 0);
  pthread_mutex_init(&t.mu, NULL);
  pthread_cond_init(&t.cond, NULL);
  t.fn = fn;
  t.ctx = ctx;
  for (int i = 1; i < n; i++) {
    w[i].team = &t;
    w[i].tid = i;
    if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0) break;
    started++;
  }
  t.n = started;  /* workers read n only after go */
  atomic_store_explicit(&t.go, 1, memory_order_release);
  fn(ctx, &t, 0);
  for (int i = 1; i < started; i++) pthread_join(th[i], NULL);
  pthread_cond_destroy(&t.cond);
  pthread_mutex_destroy(&t.mu);
}

void mmrt_team_barrier(mmrt_team *t) {
  if (t->n == 1) return;
  unsigned gen = atomic_load_explicit(&t->gen, memory_order_acquire);
  if (atomic_fetch_add_explicit(&t->count, 1, memory_order_acq_rel) == t->n - 1) {
    atomic_store_explicit(&t->count, 0, memory_order_relaxed);
    pthread_mutex_lock(&t->mu);
    atomic_store_explicit(&t->gen, gen + 1, memory_order_release);
    if (atomic_load_explicit(&t->sleepers, memory_order_relaxed)) pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->mu);
    return;
  }
  for (int spins = 0; spins < 4000; spins++) { /* ~0.1-0.5 ms, then sleep */
    if (atomic_load_explicit(&t->gen, memory_order_acquire) != gen) return;
    cpu_relax();
  }
  pthread_mutex_lock(&t->mu);
  atomic_fetch_add_explicit(&t->sleepers, 1, memory_order_relaxed);
  while (atomic_load_explicit(&t->gen, memory_order_acquire) == gen)
    pthread_cond_wait(&t->cond, &t->mu);
  atomic_fetch_sub_explicit(&t->sleepers, 1, memory_order_relaxed);
  pthread_mutex_unlock(&t->mu);
}
