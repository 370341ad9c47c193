/* demo.c: the smallest product. It links one mmcc library (lib<id>.a -lm -lpthread),
 * classifies a synthetic 640x480 picture with <id>_classify_rgb8 and prints the top-5 classes
 * and how long the calls took at 1 and 2 threads.
 *
 * Build: cc -O2 -DMODEL_ID=<id> -DMODEL_HEADER='"<id>.h"' -I DIR demo.c DIR/lib<id>.a -lm -lpthread */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include MODEL_HEADER

#define PASTE_(a, b) a##_##b
#define PASTE(a, b) PASTE_(a, b)
#define API(name) PASTE(MODEL_ID, name)

/* <ID>_* constants: the header's upper-case prefix, passed as MODEL_ID_UPPER. */
#define CONST(name) PASTE(MODEL_ID_UPPER, name)

enum { IMG_W = 640, IMG_H = 480, RUNS = 5 };

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void) {
  /* A smooth synthetic picture: a colour gradient with a bright disc. */
  static uint8_t pixels[IMG_H][IMG_W][3];
  for (int y = 0; y < IMG_H; y++)
    for (int x = 0; x < IMG_W; x++) {
      int dx = x - IMG_W / 2, dy = y - IMG_H / 2, disc = dx * dx + dy * dy < 120 * 120;
      pixels[y][x][0] = (uint8_t)(disc ? 250 : x * 255 / IMG_W);
      pixels[y][x][1] = (uint8_t)(disc ? 220 : y * 255 / IMG_H);
      pixels[y][x][2] = (uint8_t)(disc ? 40 : 128);
    }

  void *ws = aligned_alloc(64, CONST(WORKSPACE_BYTES));
  float logits[CONST(NUM_CLASSES)];
  if (!ws) return 1;
  printf("model      %s\n", CONST(MODEL_NAME));
  printf("input      %dx%d RGB picture -> %d x %d x %d tensor (compiled test pipeline)\n", IMG_W,
         IMG_H, CONST(INPUT_CHANNELS), CONST(INPUT_HEIGHT), CONST(INPUT_WIDTH));
  printf("workspace  %zu bytes\n", (size_t)CONST(WORKSPACE_BYTES));

  for (int threads = 1; threads <= 2; threads++) {
    double best = 1e30;
    for (int r = 0; r < RUNS; r++) {
      double t0 = now_ms();
      int rc = API(classify_rgb8)(&pixels[0][0][0], IMG_W, IMG_H, IMG_W * 3, CONST(RGB), logits,
                                  ws, threads);
      double dt = now_ms() - t0;
      if (rc != 0) {
        fprintf(stderr, "demo: classify_rgb8 failed with code %d\n", rc);
        return 1;
      }
      if (dt < best) best = dt;
    }
    printf("latency    %.1f ms per image with %d thread%s (best of %d)\n", best, threads,
           threads > 1 ? "s" : "", RUNS);
  }

  int index[5];
  float score[5];
  int k = API(topk)(logits, 5, index, score);
  printf("top-%d:\n", k);
  for (int i = 0; i < k; i++) {
    const char *name = API(class_name)(index[i]);
    printf("  %5.2f%%  %4d  %s\n", 100.0 * score[i], index[i], name ? name : "?");
  }
  free(ws);
  return 0;
}
