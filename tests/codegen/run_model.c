/* run_model.c: the product-side test program for a library made by `mmcc build`. Compiled
 * by tests/suites/codegen.sh with `-include shim.h` (which includes the generated <id>.h and
 * maps its names to M_FORWARD, M_WS, M_C, M_H, M_W, M_OUT) and linked with only
 * lib<id>.a -lm -lpthread.
 *
 *   run_model --info                      prints "C H W OUT WORKSPACE_BYTES"
 *   run_model IN.f32 N OUT.f32 THREADS    runs the model on N images, writes N x M_OUT floats */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--info") == 0) {
    printf("%d %d %d %d %llu\n", (int)M_C, (int)M_H, (int)M_W, (int)M_OUT,
           (unsigned long long)M_WS);
    return 0;
  }
  if (argc != 5) {
    fprintf(stderr, "usage: run_model IN.f32 N OUT.f32 THREADS | --info\n");
    return 2;
  }
  int n = atoi(argv[2]), threads = atoi(argv[4]);
  size_t in_n = (size_t)n * M_C * M_H * M_W, out_n = (size_t)n * M_OUT;
  float *in = malloc(in_n * sizeof *in), *out = malloc(out_n * sizeof *out);
  size_t ws_bytes = ((size_t)M_WS + 63) / 64 * 64;
  void *ws = aligned_alloc(64, ws_bytes ? ws_bytes : 64);
  FILE *f = fopen(argv[1], "rb");
  if (!in || !out || !ws || !f || fread(in, sizeof *in, in_n, f) != in_n) {
    fprintf(stderr, "run_model: cannot read %s\n", argv[1]);
    return 1;
  }
  fclose(f);
  int rc = M_FORWARD(in, n, out, ws, threads);
  if (rc != 0) {
    fprintf(stderr, "run_model: forward returned %d\n", rc);
    return 1;
  }
  f = fopen(argv[3], "wb");
  if (!f || fwrite(out, sizeof *out, out_n, f) != out_n || fclose(f) != 0) {
    fprintf(stderr, "run_model: cannot write %s\n", argv[3]);
    return 1;
  }
  free(in);
  free(out);
  free(ws);
  return 0;
}
