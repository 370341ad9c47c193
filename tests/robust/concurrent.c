/* concurrent.c: four threads of one product call the library at once, each with its own
 * workspace (two of them asking for 2 and 3 threads of their own): every result must be the
 * bytes a lone call gives. Also built with -fsanitize=thread (library and driver).
 *
 *   concurrent ROUNDS    prints one summary line; exit status 0 when every result matched
 * With -DSHARED_WORKSPACE (robust.sh's negative control for TSan) the callers wrongly share
 * one workspace: a data race ThreadSanitizer must report. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

enum { N = 2, W = 53, H = 37, CALLERS = 4 };
static float x[N * IMAGE_FLOATS], want_fwd[N * OUTN], want_cls[OUTN];
static uint8_t img[W * H * 3];
static int rounds;
#ifdef SHARED_WORKSPACE
static void *shared;
#define CALLER_WORKSPACE() shared
#define CALLER_FREE(ws) (void)(ws)
#else
#define CALLER_WORKSPACE() workspace()
#define CALLER_FREE(ws) free(ws)
#endif

typedef struct caller { int threads, calls, mismatches, errors; } caller;

static void *run(void *arg) {
  caller *c = arg;
  void *ws = CALLER_WORKSPACE();
  float *y = malloc(N * OUTN * sizeof *y);
  if (!ws || !y) { c->errors++; return NULL; }
  for (int r = 0; r < rounds; r++) {
    int rc = FN(_forward)(x, N, y, ws, c->threads);
    c->calls++;
    if (rc != K(_OK)) c->errors++;
    else if (memcmp(y, want_fwd, sizeof want_fwd)) c->mismatches++;
    rc = FN(_classify_rgb8)(img, W, H, 3 * W, K(_RGB), y, ws, c->threads);
    c->calls++;
    if (rc != K(_OK)) c->errors++;
    else if (memcmp(y, want_cls, sizeof want_cls)) c->mismatches++;
  }
  free(y);
  CALLER_FREE(ws);
  return NULL;
}

int main(int argc, char **argv) {
  rounds = argc > 1 ? atoi(argv[1]) : 4;
  fill_floats(x, N * IMAGE_FLOATS, 4242u);
  fill_pixels(img, sizeof img, 99u);
  void *ws = workspace();
  if (!ws || FN(_forward)(x, N, want_fwd, ws, 1) != K(_OK) ||
      FN(_classify_rgb8)(img, W, H, 3 * W, K(_RGB), want_cls, ws, 1) != K(_OK)) {
    printf("lone calls failed\n");
    return 1;
  }
#ifdef SHARED_WORKSPACE
  shared = ws;
#else
  free(ws);
#endif
  caller c[CALLERS] = {{.threads = 1}, {.threads = 2}, {.threads = 3}, {.threads = 1}};
  pthread_t th[CALLERS];
  for (int i = 0; i < CALLERS; i++)
    if (pthread_create(&th[i], NULL, run, &c[i])) { printf("pthread_create failed\n"); return 1; }
  int calls = 0, bad = 0;
  for (int i = 0; i < CALLERS; i++) {
    pthread_join(th[i], NULL);
    calls += c[i].calls;
    bad += c[i].mismatches + c[i].errors;
  }
  printf("%d callers (1, 2, 3, 1 threads each), %d calls: %d mismatched or failed\n", CALLERS,
         calls, bad);
  return bad != 0 || calls != CALLERS * 2 * rounds;
}
