/* main.c: classify images with one mmcc-generated library.
 *
 *   classify [--threads N] [--bench N] [--top K] [--save-input F] [--save-logits F] IMAGE...
 *
 * Decodes each image (JPEG with EXIF orientation, PNG, binary PPM: image.h), calls
 * <id>_classify_rgb8 and prints the top classes with their softmax scores and the time the
 * call took. --bench N repeats the call N times and reports min / median. --save-input and
 * --save-logits write the preprocessed tensor (<id>_preprocess_rgb8) and the logits of the
 * last image as raw float32 (for tests).
 *
 * Built for one library (see the Makefile): MODEL_ID is its id, MODEL_UID the id in upper
 * case, MODEL_HEADER its header "<id>.h". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image.h"
#include MODEL_HEADER

#define PASTE_(a, b) a##_##b
#define PASTE(a, b) PASTE_(a, b)
#define CALL(name) PASTE(MODEL_ID, name) /* CALL(topk) -> <id>_topk */
#define CONST(name) PASTE(MODEL_UID, name) /* CONST(RGB) -> <ID>_RGB */

#define NUM_CLASSES CONST(NUM_CLASSES)
#define WORKSPACE_BYTES CONST(WORKSPACE_BYTES)
#define IN_FLOATS ((size_t)3 * CONST(INPUT_HEIGHT) * CONST(INPUT_WIDTH))

static const char *rc_text(int rc) {
  switch (rc) {
  case -1: return "bad argument";
  case -2: return "image larger than the library accepts";
  case -3: return "empty image";
  case -4: return "this CPU lacks the instructions the library was compiled for";
  case -5: return "the model's test pipeline does not give its input size for this image";
  default: return "error";
  }
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out) {
  char *end;
  long v = s ? strtol(s, &end, 10) : 0;
  if (!s || !*s || *end || v < lo || v > hi) {
    fprintf(stderr, "classify: error: %s needs an integer in %d..%d\n", opt, lo, hi);
    return -1;
  }
  *out = (int)v;
  return 0;
}

static int save(const char *path, const float *v, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(v, sizeof *v, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "%s: error: cannot write\n", path);
    return -1;
  }
  return 0;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: classify [--threads N] [--bench N] [--top K] [--save-input F] [--save-logits F] "
          "IMAGE...\n"
          "Classifies JPEG / PNG / binary PPM images with %s.\n",
          CONST(MODEL_NAME));
}

int main(int argc, char **argv) {
  int threads = 1, bench = 0, top = 5, failed = 0, nimages = 0;
  const char *save_input = NULL, *save_logits = NULL;
  char **images = calloc((size_t)argc, sizeof *images);
  float *logits, *score;
  int *index;
  void *ws;
  double *times = NULL;

  if (!images) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      free(images);
      return 0;
    } else if (!strcmp(a, "--threads")) {
      if (parse_int(a, v, 1, 1024, &threads)) return free(images), 2;
      i++;
    } else if (!strcmp(a, "--bench")) {
      if (parse_int(a, v, 1, 1000000, &bench)) return free(images), 2;
      i++;
    } else if (!strcmp(a, "--top")) {
      if (parse_int(a, v, 1, NUM_CLASSES, &top)) return free(images), 2;
      i++;
    } else if (!strcmp(a, "--save-input") || !strcmp(a, "--save-logits")) {
      if (!v) {
        fprintf(stderr, "classify: error: %s needs a file name\n", a);
        free(images);
        return 2;
      }
      *(a[7] == 'i' ? &save_input : &save_logits) = v;
      i++;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "classify: error: unknown option '%s'\n", a);
      usage(stderr);
      free(images);
      return 2;
    } else {
      images[nimages++] = argv[i];
    }
  }
  if (nimages == 0) {
    usage(stderr);
    free(images);
    return 2;
  }
  logits = malloc(sizeof(float) * NUM_CLASSES);
  score = malloc(sizeof(float) * NUM_CLASSES);
  index = malloc(sizeof(int) * NUM_CLASSES);
  ws = aligned_alloc(64, ((size_t)WORKSPACE_BYTES + 63) / 64 * 64);
  if (bench) times = malloc(sizeof *times * (size_t)bench);
  if (!logits || !score || !index || !ws || (bench && !times)) {
    fprintf(stderr, "classify: error: out of memory (workspace %zu bytes)\n",
            (size_t)WORKSPACE_BYTES);
    return 1;
  }

  /* The library records its weight source ("random:SEED" for mmcc build --weights random). */
  int synthetic = !strncmp(CONST(WEIGHTS_SOURCE), "random", 6);
  if (synthetic)
    fprintf(stderr,
            "classify: WARNING: %s was built with SYNTHETIC WEIGHTS (%s): the classes below\n"
            "classify: WARNING: are MEANINGLESS. Build it with --checkpoint for real use.\n",
            CONST(MODEL_NAME), CONST(WEIGHTS_SOURCE));

  for (int n = 0; n < nimages; n++) {
    const char *path = images[n];
    image img;
    char err[512];
    int rc, k;
    double t0, ms;
    if (image_load(path, &img, err, sizeof err) != 0) {
      fprintf(stderr, "%s: error: %s\n", path, err);
      failed = 1;
      continue;
    }
    t0 = now_ms();
    rc = CALL(classify_rgb8)(img.rgb, img.width, img.height, 3 * img.width, CONST(RGB), logits, ws,
                             threads);
    ms = now_ms() - t0;
    if (rc != 0) {
      fprintf(stderr, "%s: error: %s (code %d)\n", path, rc_text(rc), rc);
      image_free(&img);
      failed = 1;
      continue;
    }
    printf("%s: %d x %d %s%s%s\n", path, img.width, img.height, img.format,
           img.orientation != 1 ? " (EXIF orientation applied)" : "",
           synthetic ? " [synthetic weights: meaningless classes]" : "");
    k = CALL(topk)(logits, top, index, score);
    for (int i = 0; i < k; i++) {
      const char *name = CALL(class_name)(index[i]);
      printf("  %d. %.4f  %s (class %d)\n", i + 1, score[i], name ? name : "?", index[i]);
    }
    printf("  time: %.1f ms (classify_rgb8, %d thread%s)\n", ms, threads, threads > 1 ? "s" : "");
    if (bench) {
      for (int r = 0; r < bench; r++) {
        t0 = now_ms();
        rc = CALL(classify_rgb8)(img.rgb, img.width, img.height, 3 * img.width, CONST(RGB), logits,
                                 ws, threads);
        times[r] = now_ms() - t0;
      }
      qsort(times, (size_t)bench, sizeof *times, cmp_double);
      printf("  bench: %d runs, min %.1f ms, median %.1f ms\n", bench, times[0],
             bench % 2 ? times[bench / 2] : (times[bench / 2 - 1] + times[bench / 2]) / 2);
    }
    if (save_logits && save(save_logits, logits, NUM_CLASSES)) failed = 1;
    if (save_input) {
      float *in = malloc(sizeof(float) * IN_FLOATS);
      rc = in ? CALL(preprocess_rgb8)(img.rgb, img.width, img.height, 3 * img.width, CONST(RGB), in,
                                      ws)
              : -1;
      if (rc != 0) {
        fprintf(stderr, "%s: error: preprocess_rgb8: %s (code %d)\n", path, rc_text(rc), rc);
        failed = 1;
      } else if (save(save_input, in, IN_FLOATS)) {
        failed = 1;
      }
      free(in);
    }
    image_free(&img);
  }
  free(images), free(logits), free(score), free(index), free(times);
  free(ws);
  return failed;
}
