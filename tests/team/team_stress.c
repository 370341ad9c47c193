/* team_stress.c: the thread team of runtime/mmrt_team.c under load, linked with it directly.
 *
 *   team_stress SUFFIX [nofork]
 *
 * Prints one protocol line per check (ok / FAIL / skip NAME: WHY), NAME = team_<check>SUFFIX:
 *   sequential  200 calls, 1..5 threads in turn (pools grow), each bitwise equal to a serial
 *               computation whose stages read other threads' results across barriers
 *   concurrent  6 caller threads (more than the library has pools) x 60 calls with their own
 *               buffers and thread counts, all equal to the serial result
 *   claimed     mmrt_claim: in each of 40 phases (sizes 0..996, grains 1..3) every unit is
 *               handed to exactly one thread, for 1..5 threads over 100 calls; the last
 *               phase has no barrier after it (the next call must start from 0)
 *   stolen      mmrt_claim's stealing: the last of 2..4 threads sleeps 30 ms before its
 *               first claim, so the others take all of its share (every unit once, none
 *               left to the sleeper)
 *   owned       mmrt_claim's static shares: with 2 threads, each one's first run is the
 *               front half of its own share ([0, 249) and [498, 748) of 997), taken in turn
 *   idle        after the calls, the parked workers use no CPU (< 20 ms in 300 ms)
 *   fork        after fork(), the child's first 2-thread call works (no inherited pool)
 * A deadlock is a failure: alarm() ends the program, and the suite sees no ok line. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmrt.h"

#define N 4099
#define STAGES 6

typedef struct job { float a[N], b[N]; } job;

static void init(job *j) {
  for (int i = 0; i < N; i++) j->a[i] = (float)((i * 2654435761u) % 1000) / 997.0f;
}

/* stage s: b[i] = a[i] * 0.5 + a[(i + 7s + 1) % N] (another thread's element), then back */
static void step(job *j, int s, int lo, int hi) {
  for (int i = lo; i < hi; i++) j->b[i] = j->a[i] * 0.5f + j->a[(i + 7 * s + 1) % N];
}
static void back(job *j, int lo, int hi) {
  for (int i = lo; i < hi; i++) j->a[i] = j->b[i] * 0.75f;
}

static void team_fn(void *ctx, mmrt_team *t, int tid) {
  job *j = ctx;
  int lo, hi;
  mmrt_share(N, tid, t->n, &lo, &hi);
  for (int s = 0; s < STAGES; s++) {
    step(j, s, lo, hi);
    mmrt_team_barrier(t);
    back(j, lo, hi);
    mmrt_team_barrier(t);
  }
}

static job ref;

static int run_one(job *j, int n) {
  init(j);
  mmrt_team_run(n, team_fn, j);
  return memcmp(j->a, ref.a, sizeof ref.a) == 0;
}

static const char *sfx;
static void report(const char *check, int good, const char *why) {
  if (good) printf("ok team_%s%s\n", check, sfx);
  else printf("FAIL team_%s%s: %s\n", check, sfx, why);
  fflush(stdout);
}

typedef struct caller { int id, good; job j; } caller;

static void *caller_main(void *arg) {
  caller *c = arg;
  c->good = 1;
  for (int k = 0; k < 60; k++) c->good &= run_one(&c->j, 1 + (c->id + k) % 3);
  return NULL;
}

#define CU 997
#define PHASES 40
typedef struct cjob { unsigned char count[CU]; int bad; } cjob;

static int phase_total(int ph) { return ph * 389 % CU; }

/* every unit of a phase claimed once: thread 0 checks and clears between two barriers */
static void claim_fn(void *ctx, mmrt_team *t, int tid) {
  cjob *c = ctx;
  int lo, hi;
  for (int ph = 0; ph < PHASES; ph++) {
    while (mmrt_claim(t, tid, phase_total(ph), 1 + ph % 3, &lo, &hi))
      for (int u = lo; u < hi; u++) c->count[u]++;
    if (ph == PHASES - 1) return; /* no barrier: the caller checks this phase */
    mmrt_team_barrier(t);
    if (tid == 0) {
      for (int u = 0; u < CU; u++) c->bad |= c->count[u] != (u < phase_total(ph));
      memset(c->count, 0, sizeof c->count);
    }
    mmrt_team_barrier(t);
  }
}

static int claim_ok(int n) {
  static cjob c;
  memset(&c, 0, sizeof c);
  mmrt_team_run(n, claim_fn, &c);
  for (int u = 0; u < CU; u++) c.bad |= c.count[u] != (u < phase_total(PHASES - 1));
  return !c.bad;
}

/* the last thread arrives late: the others must take its share */
typedef struct sjob { unsigned char count[CU]; int late_units; } sjob;
static void steal_fn(void *ctx, mmrt_team *t, int tid) {
  sjob *c = ctx;
  int lo, hi;
  if (tid == t->n - 1) {
    struct timespec d = {0, 30000000L};
    nanosleep(&d, NULL);
  }
  while (mmrt_claim(t, tid, CU, 1, &lo, &hi))
    for (int u = lo; u < hi; u++) {
      c->count[u]++;
      if (tid == t->n - 1) c->late_units++;
    }
}

static int steal_ok(int n) {
  static sjob c;
  memset(&c, 0, sizeof c);
  mmrt_team_run(n, steal_fn, &c);
  int good = c.late_units == 0;
  for (int u = 0; u < CU; u++) good &= c.count[u] == 1;
  return good;
}

/* thread 0 claims first, then thread 1, then both go on: their first runs are fixed */
typedef struct ojob { atomic_int turn; int first[2][2]; unsigned char count[CU]; } ojob;
static void own_fn(void *ctx, mmrt_team *t, int tid) {
  ojob *c = ctx;
  int lo, hi, first = 1;
  while (atomic_load(&c->turn) < tid) sched_yield();
  while (mmrt_claim(t, tid, CU, 1, &lo, &hi)) {
    if (first) {
      c->first[tid][0] = lo, c->first[tid][1] = hi, first = 0;
      atomic_fetch_add(&c->turn, 1);
      while (atomic_load(&c->turn) < 2) sched_yield();
    }
    for (int u = lo; u < hi; u++) c->count[u]++;
  }
}

static int owned_ok(void) {
  static ojob c;
  memset(&c, 0, sizeof c);
  atomic_init(&c.turn, 0);
  mmrt_team_run(2, own_fn, &c);
  int good = c.first[0][0] == 0 && c.first[0][1] == 249 && c.first[1][0] == 498 &&
             c.first[1][1] == 748;
  for (int u = 0; u < CU; u++) good &= c.count[u] == 1;
  return good;
}

static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static job j1;
static caller callers[6];

int main(int argc, char **argv) {
  sfx = argc > 1 ? argv[1] : "";
  alarm(120);
  init(&ref);
  for (int s = 0; s < STAGES; s++) {
    step(&ref, s, 0, N);
    back(&ref, 0, N);
  }

  int good = 1;
  for (int k = 0; k < 200; k++) good &= run_one(&j1, 1 + k % 5);
  report("sequential", good, "a result differs from the serial computation");

  pthread_t th[6];
  int started = 0;
  for (int i = 0; i < 6; i++) {
    callers[i].id = i;
    if (pthread_create(&th[i], NULL, caller_main, &callers[i]) == 0) started++;
    else break;
  }
  good = started == 6;
  for (int i = 0; i < started; i++) {
    pthread_join(th[i], NULL);
    good &= callers[i].good;
  }
  report("concurrent", good, started == 6 ? "a result differs" : "cannot create caller threads");

  good = 1;
  for (int k = 0; k < 100; k++) good &= claim_ok(1 + k % 5);
  report("claimed", good, "a unit was handed out twice or not at all");

  good = 1;
  for (int k = 0; k < 6; k++) good &= steal_ok(2 + k % 3);
  report("stolen", good, "the late thread's share was not taken by the others, or a unit twice");

  good = 1;
  for (int k = 0; k < 20; k++) good &= owned_ok();
  report("owned", good, "a thread's first run is not the front of its own share");

  double c0 = cpu_ms();
  struct timespec d = {0, 300000000L};
  nanosleep(&d, NULL);
  double used = cpu_ms() - c0;
  char why[80];
  snprintf(why, sizeof why, "%.1f ms CPU while idle for 300 ms", used);
  report("idle", used < 20.0, why);

  if (argc > 2 && !strcmp(argv[2], "nofork")) {
    printf("skip team_fork%s: fork with threads is not supported by this sanitizer\n", sfx);
    return 0;
  }
  pid_t pid = fork();
  if (pid == 0) _exit(run_one(&j1, 2) && run_one(&j1, 3) ? 0 : 1);
  int st = 0;
  good = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  report("fork", good, "the child's team call failed or hung");
  return 0;
}
