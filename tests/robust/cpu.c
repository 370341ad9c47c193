/* cpu.c: the CPU check of the entry points (tests/suites/robust.sh runs it under qemu-x86_64
 * with CPU models that lack the target's features).
 *
 *   cpu OUT.f32    forward on 2 images, then classify_rgb8 on one; prints
 *                  "rc RC E_CPU CODE classify RC2"; writes forward's logits when rc is OK.
 *                  Exit status 0 whenever the calls returned (whatever they returned). */
#include <stdio.h>

#include "common.h"

int main(int argc, char **argv) {
  static float x[2 * IMAGE_FLOATS], y[2 * OUTN];
  void *ws = workspace();
  if (argc != 2 || !ws) return 2;
  fill_floats(x, 2 * IMAGE_FLOATS, 7u);
  static uint8_t img[29 * 31 * 3];
  fill_pixels(img, sizeof img, 5u);
  int rc = FN(_forward)(x, 2, y, ws, 2);
  int rc2 = FN(_classify_rgb8)(img, 29, 31, 3 * 29, K(_RGB), y + OUTN, ws, 1);
  printf("rc %d E_CPU %d classify %d\n", rc, K(_E_CPU), rc2);
  if (rc == K(_OK)) {
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(y, sizeof y, 1, f) != 1 || fclose(f)) return 2;
  }
  free(ws);
  return 0;
}
