#define _POSIX_C_SOURCE 200809L
/* product.c: what a product does with a library made by `mmcc build`, linked with nothing
 * but lib<id>.a -lm -lpthread (tests/suites/build.sh). Compiled with
 *   -DLIB_H='"<id>.h"' -DID=<id> -DUP=<ID>
 *
 *   product N THREADS OUT.f32   forward on N deterministic images; logits to OUT.f32;
 *                               prints the first logits, top-3 of image 0 and the time
 *   product --checks            argument checks, preprocessing + classify, class names */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include LIB_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(ID, name)
#define K(name) CAT(UP, name)


static float *inputs(int n) {
  size_t k = (size_t)n * K(_INPUT_CHANNELS) * K(_INPUT_HEIGHT) * K(_INPUT_WIDTH);
  float *x = malloc(k * sizeof *x);
  uint32_t s = 12345;
  for (size_t i = 0; i < k; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
  return x;
}

static int checks(void *ws) {
  int bad = 0;
  float out[OUTN];
  float *x = inputs(1);
  if (FN(_forward)(x, 1, out, (char *)ws + 4, 1) != K(_E_BAD_ARGUMENT)) {
    printf("misaligned workspace accepted\n");
    bad = 1;
  }
  if (FN(_forward)(x, -1, out, ws, 1) != K(_E_BAD_ARGUMENT)) {
    printf("n = -1 accepted\n");
    bad = 1;
  }
  if (FN(_forward)(NULL, 1, out, ws, 1) != K(_E_BAD_ARGUMENT)) {
    printf("NULL input accepted\n");
    bad = 1;
  }
  if (FN(_forward)(x, 0, out, ws, 1) != K(_OK)) {
    printf("n = 0 rejected\n");
    bad = 1;
  }
  /* a 57 x 43 RGB image through the compiled pipeline */
  int w = 57, h = 43;
  uint8_t *img = malloc((size_t)w * h * 3);
  for (int i = 0; i < w * h * 3; i++) img[i] = (uint8_t)(i * 7 + i / 5);
  int rc = FN(_classify_rgb8)(img, w, h, 3 * w, K(_RGB), out, ws, 2);
  if (rc != 0) {
    printf("classify_rgb8 returned %d\n", rc);
    bad = 1;
  }
  int idx[3];
  float sc[3];
  rc = FN(_topk)(out, 3, idx, sc);
  printf("topk rc %d:", rc);
  for (int i = 0; i < 3; i++) {
    const char *name = FN(_class_name)(idx[i]);
    printf(" %d %.4f (%s)", idx[i], sc[i], name ? name : "no name");
  }
  printf("\n");
  if (FN(_class_name)(-1) != NULL || FN(_class_name)(OUTN) != NULL) {
    printf("class_name out of range not NULL\n");
    bad = 1;
  }
  if (FN(_classify_rgb8)(img, 0, h, 3 * w, K(_RGB), out, ws, 1) == 0) {
    printf("empty image accepted\n");
    bad = 1;
  }
  free(img);
  free(x);
  return bad;
}

int main(int argc, char **argv) {
  void *ws = aligned_alloc(64, (K(_WORKSPACE_BYTES) + 63) / 64 * 64);
  if (argc == 2 && !strcmp(argv[1], "--checks")) {
    int bad = checks(ws);
    free(ws);
    return bad;
  }
  if (argc != 4) {
    fprintf(stderr, "usage: product N THREADS OUT.f32 | --checks\n");
    return 2;
  }
  int n = atoi(argv[1]), threads = atoi(argv[2]);
  float *x = inputs(n), *out = malloc((size_t)n * OUTN * sizeof *out);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = FN(_forward)(x, n, out, ws, threads);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc != 0) {
    fprintf(stderr, "forward returned %d\n", rc);
    return 1;
  }
  FILE *f = fopen(argv[3], "wb");
  if (!f || fwrite(out, sizeof *out, (size_t)n * OUTN, f) != (size_t)n * OUTN || fclose(f)) return 1;
  printf("%s: %d image(s), %d thread(s), %.1f ms; logits[0..2] = %.6g %.6g %.6g\n",
         K(_MODEL_NAME), n, threads,
         (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, out[0], out[1], out[2]);
  free(x);
  free(out);
  free(ws);
  return 0;
}
