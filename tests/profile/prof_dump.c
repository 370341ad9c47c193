/* prof_dump.c: runs a library made by `mmcc build` for tests/suites/profile.sh. Compiled with
 * `-include shim.h` (M_FORWARD, M_WS, M_C, M_H, M_W, M_OUT; with -DPROF also M_PROFILE,
 * M_RESET, M_OPS, M_OP, M_MAXT, M_EBAD of a --profile library) and linked with lib<id>.a
 * -lm -lpthread only.
 *
 *   prof_dump IN.f32 N THREADS OUT.f32   N images -> OUT.f32 (logits); with -DPROF the
 *   counters are reset first and printed after one call, one tab-separated line per op:
 *     op I KIND FLOPS CALLS0 IMAGES0 WALL0 WORK0 CPU0 CALLS1 IMAGES1 LABEL
 *   (0 and 1: threads 0 and 1), then "badargs" and the return codes of four calls with
 *   bad arguments, "ops" and M_OPS. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: prof_dump IN.f32 N THREADS OUT.f32\n");
    return 2;
  }
  const int n = atoi(argv[2]), threads = atoi(argv[3]);
  const size_t in_n = (size_t)n * M_C * M_H * M_W, out_n = (size_t)n * M_OUT;
  float *in = malloc(in_n * sizeof *in), *out = malloc(out_n * sizeof *out);
  void *ws = aligned_alloc(64, ((size_t)M_WS + 63) / 64 * 64);
  FILE *f = fopen(argv[1], "rb");
  if (!in || !out || !ws || !f || fread(in, sizeof *in, in_n, f) != in_n) {
    fprintf(stderr, "prof_dump: cannot read %s\n", argv[1]);
    return 1;
  }
  fclose(f);
#ifdef PROF
  M_RESET();
#endif
  if (M_FORWARD(in, n, out, ws, threads)) {
    fprintf(stderr, "prof_dump: forward failed\n");
    return 1;
  }
  f = fopen(argv[4], "wb");
  if (!f || fwrite(out, sizeof *out, out_n, f) != out_n || fclose(f) != 0) {
    fprintf(stderr, "prof_dump: cannot write %s\n", argv[4]);
    return 1;
  }
#ifdef PROF
  for (int i = 0; i < M_OPS; i++) {
    M_OP a, b;
    if (M_PROFILE(i, 0, &a) || M_PROFILE(i, 1, &b)) {
      fprintf(stderr, "prof_dump: profile(%d) failed\n", i);
      return 1;
    }
    printf("op\t%d\t%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%s\n", i, a.kind,
           a.flops, a.calls, a.images, a.wall_ns, a.work_ns, a.cpu_ns, b.calls, b.images,
           a.label);
  }
  M_OP e;
  printf("badargs\t%d\t%d\t%d\t%d\t%d\n", M_EBAD, M_PROFILE(-1, 0, &e), M_PROFILE(M_OPS, 0, &e),
         M_PROFILE(0, M_MAXT, &e), M_PROFILE(0, 0, NULL));
  printf("ops\t%d\n", (int)M_OPS);
#endif
  free(in);
  free(out);
  free(ws);
  return 0;
}
