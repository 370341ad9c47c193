/* bench.c: the mmcc side of the benchmark, driven by bench/bench.js. Compiled by bench/run with
 *   -DLIB_H='"<id>.h"' -DID=<id> -DUP=<ID>
 * and linked with lib<id>.a -lm -lpthread only, like any program using the library.
 *
 *   bench first IN.f32 THREADS OUT.f32   one forward of the first image, logits to OUT.f32,
 *                                        then prints "rss_kb N" (peak RSS) and exits: the
 *                                        driver times it from spawn to exit
 *   bench serve IN.f32 MAXBATCH          reads commands on stdin, one reply line each:
 *     run T B N       N timed calls of <id>_forward on B images, T threads
 *                     -> "ms t1 ... tN cpu c1 ... cN" (wall and CPU time of each call, CPU
                        time of all threads; getrusage's resolution is coarse)
 *     logits T B F    one call, the B x NUM_CLASSES logits written to F -> "done"
 *     rss             -> "rss_kb N" (peak resident set so far)
 *     quit
 * IN.f32 holds MAXBATCH images [C, H, W] float32 (the same file ONNX Runtime reads). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include LIB_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(ID, name)
#define K(name) CAT(UP, name)
#define IMAGE_FLOATS ((size_t)K(_INPUT_CHANNELS) * K(_INPUT_HEIGHT) * K(_INPUT_WIDTH))

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* CPU time of the process (all threads, user + system) */
static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* Peak resident set (VmHWM) of this program in kB. Not getrusage's ru_maxrss: Linux carries
 * that across exec, so it would report the spawning process's peak if that was larger. */
static long rss_kb(void) {
  char line[256];
  long kb = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld", &kb) == 1) break;
  fclose(f);
  return kb;
}

static void die(const char *what) {
  fprintf(stderr, "bench: %s\n", what);
  exit(1);
}

static float *read_images(const char *path, int n) {
  float *in = malloc((size_t)n * IMAGE_FLOATS * sizeof *in);
  FILE *f = fopen(path, "rb");
  if (!in || !f) die("cannot read the input file");
  if (fread(in, sizeof *in, (size_t)n * IMAGE_FLOATS, f) != (size_t)n * IMAGE_FLOATS)
    die("input file too short");
  fclose(f);
  return in;
}

static void write_floats(const char *path, const float *x, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(x, sizeof *x, n, f) != n || fclose(f) != 0) die("cannot write logits");
}

int main(int argc, char **argv) {
  if (argc < 4) die("usage: bench first IN.f32 THREADS OUT.f32 | bench serve IN.f32 MAXBATCH");
  const int first = !strcmp(argv[1], "first");
  const int maxb = first ? 1 : atoi(argv[3]);
  if (maxb < 1 || (first && argc < 5)) die("bad arguments");
  float *in = read_images(argv[2], maxb);
  float *out = malloc((size_t)maxb * K(_NUM_CLASSES) * sizeof *out);
  void *ws = aligned_alloc(64, (K(_WORKSPACE_BYTES) + 63) / 64 * 64);
  if (!out || !ws) die("out of memory");
  if (first) {
    if (FN(_forward)(in, 1, out, ws, atoi(argv[3])) != 0) die("forward failed");
    write_floats(argv[4], out, K(_NUM_CLASSES));
    printf("rss_kb %ld\n", rss_kb());
    return 0;
  }
  char line[4096];
  double *t = NULL;
  while (fgets(line, sizeof line, stdin)) {
    int th, b, n;
    char path[2048];
    if (sscanf(line, "run %d %d %d", &th, &b, &n) == 3 && b >= 1 && b <= maxb && n >= 1) {
      t = realloc(t, 2 * (size_t)n * sizeof *t);
      if (!t) die("out of memory");
      for (int r = 0; r < n; r++) {
        double t0 = now_ms(), c0 = cpu_ms();
        if (FN(_forward)(in, b, out, ws, th) != 0) die("forward failed");
        t[r] = now_ms() - t0;
        t[n + r] = cpu_ms() - c0;
      }
      printf("ms");
      for (int r = 0; r < n; r++) printf(" %.4f", t[r]);
      printf(" cpu");
      for (int r = 0; r < n; r++) printf(" %.3f", t[n + r]);
      printf("\n");
    } else if (sscanf(line, "logits %d %d %2047s", &th, &b, path) == 3 && b >= 1 && b <= maxb) {
      if (FN(_forward)(in, b, out, ws, th) != 0) die("forward failed");
      write_floats(path, out, (size_t)b * K(_NUM_CLASSES));
      printf("done\n");
    } else if (!strncmp(line, "rss", 3)) {
      printf("rss_kb %ld\n", rss_kb());
    } else if (!strncmp(line, "quit", 4)) {
      break;
    } else {
      die("bad command");
    }
    fflush(stdout);
  }
  free(t);
  free(in);
  free(out);
  free(ws);
  return 0;
}
