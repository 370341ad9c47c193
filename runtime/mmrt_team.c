/* mmrt_team.c: the thread team of mmrt.h.
 *
 * Teams are persistent: a few pools (MMRT_POOLS) in static storage, each with worker threads
 * created the first time a call needs them and parked on a condition variable between
 * calls, so a forward pays a wake-up, not a pthread_create, per call. A caller takes a whole
 * pool for the duration of its call (an atomic flag), so concurrent callers of one library,
 * each with its own workspace and thread count, never share workers or barriers; when every
 * pool is taken, the caller runs on threads created for that call alone (as before the
 * pools existed), which is slower but equally correct.
 * Workers exit and are joined at process exit (pools_shutdown).
 * Waits spin briefly first (stages are short and the team small, so spinning beats sleeping),
 * then sleep, so that idle workers use no CPU and an oversubscribed machine is not burnt. */
#include <pthread.h>
#include <sched.h>

#include "mmrt.h"

/* Pools: at most this many concurrent callers of one library get persistent workers. */
#define MMRT_POOLS 4
/* Spin iterations before sleeping: a few tens of microseconds. */
#define SPINS 4000

/* A hint to the CPU that this is a spin-wait loop. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* mmrt_claim's shares, cleared for the next phase */
static void clear_ranges(mmrt_team *t) {
  for (int i = 0; i < t->n; i++) atomic_store_explicit(&t->range[i].w, 0ull, memory_order_relaxed);
}

static void team_init(mmrt_team *t, int n, void (*fn)(void *, mmrt_team *, int), void *ctx) {
  t->n = n;
  atomic_init(&t->count, 0);
  atomic_init(&t->gen, 0u);
  atomic_init(&t->go, 0);
  atomic_init(&t->sleepers, 0);
  for (int i = 0; i < MMRT_MAX_THREADS; i++) atomic_init(&t->range[i].w, 0ull);
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->cond, NULL);
  t->fn = fn;
  t->ctx = ctx;
}

/* {================================================================== pools */
typedef struct pool pool;
/* seen0: the job generation when the worker was created; it takes part in later jobs only
 * (a worker that starts late must not miss the job it was created for, nor rerun one) */
typedef struct pool_worker { pool *p; int tid; unsigned seen0; } pool_worker;

struct pool {
  atomic_int busy;        /* 1 while a caller owns the pool */
  int ready;              /* mutexes and team initialised (by the first owner) */
  int nworkers;           /* workers created so far: tids 1..nworkers */
  pthread_mutex_t mu;     /* guards job and team.n for the workers' wake-up */
  pthread_cond_t wake;    /* a new job */
  pthread_cond_t done;    /* the last worker of a job finished */
  atomic_uint job;        /* job generation */
  atomic_int pending;     /* workers of the current job still running */
  int sleeping;           /* the owner sleeps on done (under mu) */
  int quit;               /* workers exit (under mu): at process exit, see pools_shutdown */
  pthread_t th[MMRT_MAX_THREADS];
  mmrt_team team;
  pool_worker w[MMRT_MAX_THREADS];
};

static pool pools[MMRT_POOLS];

/* A worker of a pool: waits for a job it takes part in, runs its share, reports. */
static void *pool_main(void *arg) {
  pool_worker *w = arg;
  pool *p = w->p;
  unsigned seen = w->seen0;
  for (;;) {
    for (int s = 0; s < SPINS && atomic_load_explicit(&p->job, memory_order_acquire) == seen; s++)
      cpu_relax();
    pthread_mutex_lock(&p->mu);
    /* a job counts once it is published and includes this worker (team.n is read only
     * under mu, where the owner writes it) */
    for (;;) {
      unsigned j = atomic_load_explicit(&p->job, memory_order_acquire);
      if (p->quit) {
        pthread_mutex_unlock(&p->mu);
        return NULL;
      }
      if (j != seen && w->tid < p->team.n) {
        seen = j;
        break;
      }
      seen = j;
      pthread_cond_wait(&p->wake, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    p->team.fn(p->team.ctx, &p->team, w->tid);
    if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&p->mu);
      if (p->sleeping) pthread_cond_signal(&p->done);
      pthread_mutex_unlock(&p->mu);
    }
  }
  return NULL;
}

/* After fork() only the forking thread exists: forget the workers (and any pool that the
 * fork caught in use belongs to a thread that no longer exists). */
static void pools_atfork_child(void) {
  for (int i = 0; i < MMRT_POOLS; i++) {
    pools[i].ready = 0;
    pools[i].nworkers = 0;
    atomic_store(&pools[i].busy, 0);
  }
}

/* At process exit (or when a shared object holding the library is unloaded), the workers of
 * every idle pool exit and are joined, so no thread outlives the code it runs and leak
 * checkers see every thread's memory returned. A pool still in use by another thread is
 * left alone. */
__attribute__((destructor)) static void pools_shutdown(void) {
  for (int i = 0; i < MMRT_POOLS; i++) {
    pool *p = &pools[i];
    if (atomic_exchange_explicit(&p->busy, 1, memory_order_acquire)) continue;
    if (p->ready && p->nworkers > 0) {
      pthread_mutex_lock(&p->mu);
      p->quit = 1;
      pthread_cond_broadcast(&p->wake);
      pthread_mutex_unlock(&p->mu);
      for (int t = 1; t <= p->nworkers; t++) pthread_join(p->th[t], NULL);
      p->ready = 0; /* a later call (another destructor) starts afresh */
      p->nworkers = 0;
    }
    atomic_store_explicit(&p->busy, 0, memory_order_release);
  }
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void register_atfork(void) { pthread_atfork(NULL, NULL, pools_atfork_child); }

/* Runs the job on pool p (owned by the caller); 0 when p cannot run it. */
static int pool_run(pool *p, int n, void (*fn)(void *, mmrt_team *, int), void *ctx) {
  if (!p->ready) {
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->job, 0u);
    atomic_init(&p->pending, 0);
    p->sleeping = 0;
    p->quit = 0;
    team_init(&p->team, 1, NULL, NULL);
    p->nworkers = 0;
    p->ready = 1;
  }
  while (p->nworkers < n - 1) {
    pool_worker *w = &p->w[p->nworkers + 1];
    w->p = p;
    w->tid = p->nworkers + 1;
    w->seen0 = atomic_load_explicit(&p->job, memory_order_relaxed);
    if (pthread_create(&p->th[w->tid], NULL, pool_main, w) != 0) break;
    p->nworkers++;
  }
  if (n > p->nworkers + 1) n = p->nworkers + 1; /* fewer threads: same results */
  if (n == 1) return 0;
  p->team.fn = fn;
  p->team.ctx = ctx;
  atomic_store_explicit(&p->pending, n - 1, memory_order_relaxed);
  pthread_mutex_lock(&p->mu);
  p->team.n = n;
  clear_ranges(&p->team); /* published by job */
  atomic_fetch_add_explicit(&p->job, 1u, memory_order_acq_rel);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  fn(ctx, &p->team, 0);
  for (int s = 0; s < SPINS && atomic_load_explicit(&p->pending, memory_order_acquire); s++)
    cpu_relax();
  if (atomic_load_explicit(&p->pending, memory_order_acquire)) {
    pthread_mutex_lock(&p->mu);
    p->sleeping = 1;
    while (atomic_load_explicit(&p->pending, memory_order_acquire))
      pthread_cond_wait(&p->done, &p->mu);
    p->sleeping = 0;
    pthread_mutex_unlock(&p->mu);
  }
  return 1;
}
/* }================================================================== */

/* {================================================================== one-call threads */
typedef struct transient { mmrt_team *team; int tid; } transient;

static void *transient_main(void *arg) {
  transient *w = arg;
  mmrt_team *t = w->team;
  int spins = 0;
  while (!atomic_load_explicit(&t->go, memory_order_acquire))
    if (++spins > 256) sched_yield();
  if (w->tid < t->n) t->fn(t->ctx, t, w->tid);
  return NULL;
}

/* Threads that live for this call only: when every pool is in use. */
static void run_transient(int n, void (*fn)(void *, mmrt_team *, int), void *ctx) {
  mmrt_team t;
  pthread_t th[MMRT_MAX_THREADS];
  transient w[MMRT_MAX_THREADS];
  int started = 1;
  team_init(&t, n, fn, ctx);
  for (int i = 1; i < n; i++) {
    w[i].team = &t;
    w[i].tid = i;
    if (pthread_create(&th[i], NULL, transient_main, &w[i]) != 0) break;
    started++;
  }
  t.n = started; /* workers read n only after go */
  atomic_store_explicit(&t.go, 1, memory_order_release);
  fn(ctx, &t, 0);
  for (int i = 1; i < started; i++) pthread_join(th[i], NULL);
  pthread_cond_destroy(&t.cond);
  pthread_mutex_destroy(&t.mu);
}
/* }================================================================== */

void mmrt_team_run(int n, void (*fn)(void *, mmrt_team *, int), void *ctx) {
  if (n < 1) n = 1;
  if (n > MMRT_MAX_THREADS) n = MMRT_MAX_THREADS;
  if (n > 1) {
    pthread_once(&atfork_once, register_atfork);
    for (int i = 0; i < MMRT_POOLS; i++) {
      pool *p = &pools[i];
      if (atomic_exchange_explicit(&p->busy, 1, memory_order_acquire)) continue;
      int ran = pool_run(p, n, fn, ctx);
      atomic_store_explicit(&p->busy, 0, memory_order_release);
      if (ran) return;
      n = 1; /* not even one worker could be created */
      break;
    }
    if (n > 1) { /* every pool is in use by another caller */
      run_transient(n, fn, ctx);
      return;
    }
  }
  mmrt_team t;
  team_init(&t, 1, fn, ctx);
  fn(ctx, &t, 0);
  pthread_cond_destroy(&t.cond);
  pthread_mutex_destroy(&t.mu);
}

void mmrt_team_barrier(mmrt_team *t) {
  if (t->n == 1) {
    clear_ranges(t);
    return;
  }
  unsigned gen = atomic_load_explicit(&t->gen, memory_order_acquire);
  if (atomic_fetch_add_explicit(&t->count, 1, memory_order_acq_rel) == t->n - 1) {
    atomic_store_explicit(&t->count, 0, memory_order_relaxed);
    /* every thread is here, done with this phase's claims: the next phase starts clear */
    clear_ranges(t);
    pthread_mutex_lock(&t->mu);
    atomic_store_explicit(&t->gen, gen + 1, memory_order_release);
    if (atomic_load_explicit(&t->sleepers, memory_order_relaxed)) pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->mu);
    return;
  }
  for (int spins = 0; spins < SPINS; spins++) {
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
