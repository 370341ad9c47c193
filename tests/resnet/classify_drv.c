/* classify_drv.c: a compiled ResNet library's pixels-in entry point, for pixels_check.py.
 * Compiled with -include SHIM.h (the generated <id>.h and M_CLASSIFY, M_BGR, M_WS, M_OUT)
 * and linked with only lib<id>.a -lm -lpthread.
 *   classify_drv IMG.bgr W H OUT.f32   IMG: H rows of W pixels, bytes B, G, R (as OpenCV
 *                                      decodes a file); writes M_OUT logits */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: classify_drv IMG.bgr W H OUT.f32\n");
    return 2;
  }
  const int w = atoi(argv[2]), h = atoi(argv[3]);
  const size_t n = (size_t)w * h * 3;
  uint8_t *px = malloc(n ? n : 1);
  float logits[M_OUT];
  void *ws = aligned_alloc(64, ((size_t)M_WS + 63) / 64 * 64);
  FILE *f = fopen(argv[1], "rb");
  if (w <= 0 || h <= 0 || !px || !ws || !f || fread(px, 1, n, f) != n) {
    fprintf(stderr, "classify_drv: cannot read %s\n", argv[1]);
    return 1;
  }
  fclose(f);
  const int rc = M_CLASSIFY(px, w, h, 3 * w, M_BGR, logits, ws, 1);
  if (rc != 0) {
    fprintf(stderr, "classify_drv: classify returned %d\n", rc);
    return 1;
  }
  f = fopen(argv[4], "wb");
  if (!f || fwrite(logits, sizeof *logits, M_OUT, f) != M_OUT || fclose(f) != 0) {
    fprintf(stderr, "classify_drv: cannot write %s\n", argv[4]);
    return 1;
  }
  free(px);
  free(ws);
  return 0;
}
