/* bench/prof.c: the per-op profile of a library built with `mmcc build --profile`, for
 * bench/prof. Compiled with `-include shim.h` mapping the library's names to M_FORWARD, M_WS,
 * M_C, M_H, M_W, M_OUT, M_PROFILE (<id>_profile), M_RESET, M_OPS and M_OP (the entry type).
 *
 *   prof BATCH THREADS CALLS
 *
 * One warm-up call, then CALLS calls, each with the counters reset before and read after;
 * every figure is the median over the calls (per op, so a disturbed call does not spoil the
 * table). Prints the forward's wall time, then three tables: per op (in forward order),
 * by kind (the runtime function) and by role (the op's label up to " + ", block numbers
 * such as ".0" removed, so ResNet's 16 bottlenecks give one row per stage and conv). Columns:
 *   ms      thread 0's wall clock per forward, barrier wait included (sums to the forward)
 *   %       of the sum of the ms column
 *   work tN thread N's wall clock until it reached the barrier ending the op
 *   wait tN thread N's wall clock in that barrier (with 2+ threads: imbalance, barrier cost,
 *           and any time a partner thread was descheduled)
 *   cpu tN  thread N's CPU time over the same span
 *   GF/s    2 x multiply-adds of the op's products / ms (all threads together)
 *   GF/s/core  the same per second of CPU time of the threads (summed): comparable to the
 *           1-thread FMA probe, and much less disturbed by other jobs than wall time */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXT 4 /* thread columns printed */

typedef struct { double wall, work[MAXT], wait[MAXT], cpu[MAXT], calls, gflop; } fig;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* label up to " + ", without ".<digits>" path components */
static void role_of(const char *label, char *r, size_t cap) {
  size_t n = 0;
  for (const char *c = label; *c && n + 1 < cap; c++) {
    if (!strncmp(c, " + ", 3)) break;
    if (*c == '.' && c[1] >= '0' && c[1] <= '9') {
      const char *d = c + 1;
      while (*d >= '0' && *d <= '9') d++;
      if (*d == '.' || *d == 0 || *d == ' ') {
        c = d - 1;
        continue;
      }
    }
    r[n++] = *c;
  }
  r[n] = 0;
}

static void head(const char *what, int nt) {
  printf("\n| %s | ms | %% |", what);
  for (int t = 0; t < nt; t++) printf(" work t%d |", t);
  if (nt > 1)
    for (int t = 0; t < nt; t++) printf(" wait t%d |", t);
  for (int t = 0; t < nt; t++) printf(" cpu t%d |", t);
  printf(" GF/s | GF/s/core |\n|---|---:|---:|");
  for (int t = 0; t < (nt > 1 ? 3 : 2) * nt; t++) printf("---:|");
  printf("---:|---:|\n");
}

static void row(const char *name, const fig *f, double total, int nt) {
  printf("| %s | %.3f | %.1f |", name, f->wall, 100 * f->wall / total);
  for (int t = 0; t < nt; t++) printf(" %.3f |", f->work[t]);
  if (nt > 1)
    for (int t = 0; t < nt; t++) printf(" %.3f |", f->wait[t]);
  for (int t = 0; t < nt; t++) printf(" %.3f |", f->cpu[t]);
  double cpu = 0;
  for (int t = 0; t < nt; t++) cpu += f->cpu[t];
  if (f->gflop > 0) printf(" %.1f | %.1f |\n", f->gflop * 1e3 / f->wall, f->gflop * 1e3 / cpu);
  else printf(" | |\n");
}

static void add(fig *a, const fig *b, int nt) {
  a->wall += b->wall;
  for (int t = 0; t < nt; t++)
    a->work[t] += b->work[t], a->wait[t] += b->wait[t], a->cpu[t] += b->cpu[t];
  a->calls += b->calls;
  a->gflop += b->gflop;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: prof BATCH THREADS CALLS\n");
    return 2;
  }
  const int n = atoi(argv[1]), threads = atoi(argv[2]), calls = atoi(argv[3]);
  const int nt = threads < MAXT ? threads : MAXT;
  const size_t in_n = (size_t)n * M_C * M_H * M_W, out_n = (size_t)n * M_OUT;
  float *in = malloc(in_n * sizeof *in), *out = malloc(out_n * sizeof *out);
  void *ws = aligned_alloc(64, ((size_t)M_WS + 63) / 64 * 64);
  /* per op, per call: wall, calls, work[t], cpu[t], images (thread 0), wait[t] */
  const int per = 3 + 3 * MAXT;
  double *v = calloc((size_t)M_OPS * calls * per, sizeof *v), *fw = malloc(calls * sizeof *fw);
  double *tmp = malloc(calls * sizeof *tmp);
  if (!in || !out || !ws || !v || !fw || !tmp || n < 1 || threads < 1 || calls < 1) return 1;
  srand(7);
  for (size_t i = 0; i < in_n; i++) in[i] = (float)rand() / RAND_MAX - 0.5f;
  if (M_FORWARD(in, n, out, ws, threads)) return 1;
  long long flops[M_OPS];
  const char *label[M_OPS], *kind[M_OPS], *shape[M_OPS];
  for (int c = 0; c < calls; c++) {
    M_RESET();
    double t0 = now_ms();
    if (M_FORWARD(in, n, out, ws, threads)) return 1;
    fw[c] = now_ms() - t0;
    for (int i = 0; i < M_OPS; i++)
      for (int t = 0; t < nt; t++) {
        M_OP e;
        if (M_PROFILE(i, t, &e)) return 1;
        double *x = v + ((size_t)i * calls + c) * per;
        if (t == 0) {
          x[0] = e.wall_ns * 1e-6;
          x[1] = (double)e.calls;
          flops[i] = e.flops, label[i] = e.label, kind[i] = e.kind, shape[i] = e.shape;
          x[2 + 2 * MAXT] = (double)e.images;
        }
        x[2 + t] = e.work_ns * 1e-6;
        x[3 + 2 * MAXT + t] = (e.wall_ns - e.work_ns) * 1e-6;
        x[2 + MAXT + t] = e.cpu_ns * 1e-6;
      }
  }
  fig f[M_OPS], total = {0};
  for (int i = 0; i < M_OPS; i++) {
    double *x = v + (size_t)i * calls * per;
    memset(&f[i], 0, sizeof f[i]);
    for (int c = 0; c < calls; c++) tmp[c] = x[(size_t)c * per];
    f[i].wall = median(tmp, calls);
    for (int c = 0; c < calls; c++) tmp[c] = x[(size_t)c * per + 1];
    f[i].calls = median(tmp, calls);
    for (int t = 0; t < nt; t++) {
      for (int c = 0; c < calls; c++) tmp[c] = x[(size_t)c * per + 2 + t];
      f[i].work[t] = median(tmp, calls);
      for (int c = 0; c < calls; c++) tmp[c] = x[(size_t)c * per + 3 + 2 * MAXT + t];
      f[i].wait[t] = median(tmp, calls);
      for (int c = 0; c < calls; c++) tmp[c] = x[(size_t)c * per + 2 + MAXT + t];
      f[i].cpu[t] = median(tmp, calls);
    }
    for (int c = 0; c < calls; c++) tmp[c] = x[(size_t)c * per + 2 + 2 * MAXT];
    f[i].gflop = (double)flops[i] * median(tmp, calls) * 1e-9;
    add(&total, &f[i], nt);
  }
  double sum = 0;
  for (size_t i = 0; i < out_n; i++) sum += out[i];
  const double fmed = median(fw, calls), fmin = fw[0]; /* median sorts */
  printf("batch %d, %d thread(s), %d calls (median per op over the calls); forward wall ms: "
         "median %.2f, min %.2f; sum of the op medians %.2f; %.3f GFLOP per forward; logits "
         "checksum %.6g\n",
         n, threads, calls, fmed, fmin, total.wall, total.gflop, sum);

  head("op (kind; shape per image) x calls per forward", nt);
  for (int i = 0; i < M_OPS; i++) {
    char name[512];
    snprintf(name, sizeof name, "%d. %s (%s; %s) x%g", i, label[i], kind[i], shape[i],
             f[i].calls);
    row(name, &f[i], total.wall, nt);
  }
  row("all", &total, total.wall, nt);

  /* by kind, by role: first-seen order */
  for (int pass = 0; pass < 2; pass++) {
    head(pass ? "role" : "kind", nt);
    char seen[M_OPS][128];
    int ns = 0;
    for (int i = 0; i < M_OPS; i++) {
      char key[128];
      if (pass) role_of(label[i], key, sizeof key);
      else snprintf(key, sizeof key, "%s", kind[i]);
      int done = 0;
      for (int s = 0; s < ns; s++) done |= !strcmp(seen[s], key);
      if (done) continue;
      snprintf(seen[ns++], sizeof seen[0], "%s", key);
      fig g = {0};
      for (int j = i; j < M_OPS; j++) {
        char k2[128];
        if (pass) role_of(label[j], k2, sizeof k2);
        else snprintf(k2, sizeof k2, "%s", kind[j]);
        if (!strcmp(k2, key)) add(&g, &f[j], nt);
      }
      row(key, &g, total.wall, nt);
    }
  }
  free(in);
  free(out);
  free(ws);
  free(v);
  free(fw);
  free(tmp);
  return 0;
}
