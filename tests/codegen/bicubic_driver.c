/* bicubic_driver.c: runs resize_bicubic_torch (compiler/weights_resize.c) on a raw float32
 * [C, IH, IW] file and writes the raw float32 [C, OH, OW] result; used by
 * tests/codegen/check_bicubic.py, which compares it with torch's F.interpolate. */
#include <stdio.h>
#include <stdlib.h>

#include "weights.h"

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: bicubic_driver C IH IW OH OW IN.f32 OUT.f32\n");
    return 2;
  }
  int c = atoi(argv[1]), ih = atoi(argv[2]), iw = atoi(argv[3]);
  int oh = atoi(argv[4]), ow = atoi(argv[5]);
  size_t nin = (size_t)c * ih * iw, nout = (size_t)c * oh * ow;
  float *src = malloc(nin * sizeof *src), *dst = malloc(nout * sizeof *dst);
  FILE *f = fopen(argv[6], "rb");
  if (!src || !dst || !f || fread(src, sizeof *src, nin, f) != nin) {
    fprintf(stderr, "bicubic_driver: cannot read %s\n", argv[6]);
    return 1;
  }
  fclose(f);
  resize_bicubic_torch(src, c, ih, iw, dst, oh, ow);
  f = fopen(argv[7], "wb");
  if (!f || fwrite(dst, sizeof *dst, nout, f) != nout || fclose(f) != 0) {
    fprintf(stderr, "bicubic_driver: cannot write %s\n", argv[7]);
    return 1;
  }
  free(src);
  free(dst);
  return 0;
}
