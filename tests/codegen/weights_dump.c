/* weights_dump.c: test driver for compiler/weights*.c. Loads a model description from a
 * config (model_from_config), then weights_from_checkpoint (or weights_random) and writes every
 * tensor to OUT: per tensor u32 name length, name, u32 ndim, i64 shape[ndim], float32 data
 * (little-endian, contiguous). Used by tests/codegen/check_weights.py.
 *
 *   weights_dump CONFIG.py (CKPT | --random SEED) OUT [--input-size H W] [--check]
 *
 * --check: weights_from_checkpoint_opts with validation and sha256 verification. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "weights.h"

static int put(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: weights_dump CONFIG.py (CKPT | --random SEED) OUT "
                    "[--input-size H W] [--check]\n");
    return 2;
  }
  int random = strcmp(argv[2], "--random") == 0, check = 0, h = 0, wd = 0;
  if (random && argc < 5) return 2;
  const char *out = argv[random ? 4 : 3];
  for (int i = random ? 5 : 4; i < argc; i++) {
    if (strcmp(argv[i], "--check") == 0) {
      check = 1;
    } else if (strcmp(argv[i], "--input-size") == 0 && i + 2 < argc) {
      h = atoi(argv[i + 1]);
      wd = atoi(argv[i + 2]);
      i += 2;
    } else {
      fprintf(stderr, "weights_dump: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  model_desc m;
  if (model_from_config(argv[1], &m) < 0) return 1;
  if (h) model_set_input_size(&m, h, wd);
  model_weights w;
  weights_load_opts o = {check, check};
  int rc = random  ? weights_random(&m, strtoull(argv[3], NULL, 10), &w)
           : check ? weights_from_checkpoint_opts(&m, argv[2], &o, &w)
                   : weights_from_checkpoint(&m, argv[2], &w);
  if (rc < 0) {
    model_free(&m);
    return 1;
  }
  FILE *f = fopen(out, "wb");
  if (!f) {
    perror(out);
    return 1;
  }
  for (size_t i = 0; i < w.n && rc == 0; i++) {
    const wtensor *t = &w.t[i];
    uint32_t len = (uint32_t)strlen(t->name), nd = (uint32_t)t->ndim;
    int64_t numel = 1, shape[4];
    for (int d = 0; d < t->ndim; d++) numel *= (shape[d] = t->shape[d]);
    rc |= put(f, &len, 4) | put(f, t->name, len) | put(f, &nd, 4) |
          put(f, shape, 8 * (size_t)nd) | put(f, t->data, 4 * (size_t)numel);
  }
  if (fclose(f) != 0 || rc) {
    fprintf(stderr, "weights_dump: cannot write %s\n", out);
    return 1;
  }
  printf("source: %s\n", w.source);
  if (w.classes) printf("classes: %s ...\n", w.classes[0]);
  weights_free(&w);
  model_free(&m);
  return 0;
}
