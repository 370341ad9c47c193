/* sanitized.c: run under -fsanitize=address,undefined against a library built with the same
 * flags. forward on batch sizes 1..7 and 13 with 1, 3 and 16 threads; preprocess and classify
 * on odd image sizes (1x1 up to a long thin strip), padded strides, both channel orders.
 * Every output must be finite; any sanitizer report fails the run (the suite checks stderr).
 * Exit status 0 when all calls returned OK.
 *   sanitized --high-water   also prints "high-water B": the workspace bytes the sweep wrote
 *                            (the suite's negative control cuts the workspace below it) */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static int bad;

static void check_finite(const float *x, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) {
      printf("%s: non-finite output %zu\n", what, i);
      bad = 1;
      return;
    }
}

int main(int argc, char **argv) {
  void *ws = workspace();
  size_t ws_bytes = ((size_t)K(_WORKSPACE_BYTES) + 63) / 64 * 64 - WORKSPACE_SHORT;
  static const int batches[] = {1, 2, 3, 4, 5, 6, 7, 13}, threads[] = {1, 3, 16};
  static const int sizes[][2] = {{1, 1}, {2, 3}, {7, 5}, {39, 41}, {41, 39}, {63, 17},
                                 {17, 63}, {97, 101}, {1000, 3}, {3, 1000}, {255, 254},
                                 {K(_MAX_IMAGE_SIDE), 1}, {2, K(_MAX_IMAGE_SIDE)}};
  char what[80];
  if (!ws) return 1;
  int high_water = argc == 2 && !strcmp(argv[1], "--high-water");
  if (high_water) memset(ws, 0xa5, ws_bytes); /* else left uninitialised, for memcheck */
  for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
    int n = batches[b];
    /* exactly n images and n outputs: an overrun of either is caught */
    float *x = malloc((size_t)n * IMAGE_FLOATS * sizeof *x), *y = malloc((size_t)n * OUTN * sizeof *y);
    if (!x || !y) return 1;
    fill_floats(x, (size_t)n * IMAGE_FLOATS, 100u + (uint32_t)n);
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
      int rc = FN(_forward)(x, n, y, ws, threads[t]);
      snprintf(what, sizeof what, "forward n=%d threads=%d", n, threads[t]);
      if (rc != K(_OK)) printf("%s: rc %d\n", what, rc), bad = 1;
      else check_finite(y, (size_t)n * OUTN, what);
    }
    free(x);
    free(y);
  }
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    int w = sizes[s][0], h = sizes[s][1];
    for (int pad = 0; pad <= 5; pad += 5) {
      int stride = 3 * w + pad;
      /* the last row is exactly 3 * w bytes: no padding after it */
      size_t bytes = (size_t)stride * (h - 1) + 3 * (size_t)w;
      uint8_t *img = malloc(bytes);
      float *y = malloc(OUTN * sizeof *y), *x = malloc(IMAGE_FLOATS * sizeof *x);
      if (!img || !y || !x) return 1;
      fill_pixels(img, bytes, (uint32_t)(w * 31 + h));
      int order = (w + h + pad) % 2 ? K(_BGR) : K(_RGB);
      int rc = FN(_preprocess_rgb8)(img, w, h, stride, order, x, ws);
      snprintf(what, sizeof what, "preprocess %dx%d stride %d", w, h, stride);
      if (rc != K(_OK)) printf("%s: rc %d\n", what, rc), bad = 1;
      else check_finite(x, IMAGE_FLOATS, what);
      rc = FN(_classify_rgb8)(img, w, h, stride, order, y, ws, 1 + (int)s % 4);
      snprintf(what, sizeof what, "classify %dx%d stride %d", w, h, stride);
      if (rc != K(_OK)) printf("%s: rc %d\n", what, rc), bad = 1;
      else check_finite(y, OUTN, what);
      free(img);
      free(x);
      free(y);
    }
  }
  if (high_water) {
    size_t hw = ws_bytes;
    while (hw > 0 && ((unsigned char *)ws)[hw - 1] == 0xa5) hw--;
    printf("high-water %zu of %zu\n", hw, ws_bytes);
  }
  free(ws);
  return bad;
}
