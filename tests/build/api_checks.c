#define _POSIX_C_SOURCE 200809L
/* api_checks.c: the return codes and results the generated header promises, checked through a
 * library made by `mmcc build` (tests/suites/build.sh). Compiled like product.c with
 *   -DLIB_H='"<id>.h"' -DID=<id> -DUP=<ID> -DOUTN=<ID>_NUM_CLASSES
 *
 *   api_checks NAMES PREFIX    NAMES: how class_name must answer:
 *                                none       NULL for every class (no names known)
 *                                imagenet   ImageNet-1k's (first and last, upstream's list)
 *                                table      "class<i>" (make_model_ckpt.py's dataset_meta)
 *
 * Prints API_CHECKS ok/FAIL lines named PREFIX_...; exit status 1 when any failed. Softmax
 * and ranking are recomputed here in double precision, independently of the runtime. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include LIB_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(ID, name)
#define K(name) CAT(UP, name)

#define API_CHECKS 12 /* lines printed; the suite's plan reads this number */

static int failed;
static const char *prefix;

static void report(const char *name, int good, const char *why) {
  if (good) printf("ok %s_%s\n", prefix, name);
  else printf("FAIL %s_%s: %s\n", prefix, name, why), failed = 1;
}

/* rank i before j: larger logit first, ties by lower index (the header's promise) */
static const float *cmp_logits;
static int by_rank(const void *a, const void *b) {
  int i = *(const int *)a, j = *(const int *)b;
  if (cmp_logits[i] != cmp_logits[j]) return cmp_logits[i] > cmp_logits[j] ? -1 : 1;
  return i - j;
}

static void check_topk(void) {
  static float logits[OUTN];
  static int idx[OUTN + 8], want[OUTN];
  static float sc[OUTN + 8];
  char why[200];
  /* a few equal values, to exercise the tie rule */
  for (int i = 0; i < OUTN; i++) logits[i] = (float)((i * 37) % 11) * 0.25f - 1.0f;
  double m = -INFINITY, sum = 0;
  for (int i = 0; i < OUTN; i++) m = logits[i] > m ? logits[i] : m;
  for (int i = 0; i < OUTN; i++) sum += exp(logits[i] - m);
  for (int i = 0; i < OUTN; i++) want[i] = i;
  cmp_logits = logits;
  qsort(want, OUTN, sizeof *want, by_rank);

  int k = OUTN < 5 ? OUTN : 5, rc = FN(_topk)(logits, k, idx, sc), good = rc == k;
  double worst = 0;
  for (int r = 0; good && r < k; r++) {
    good = idx[r] == want[r];
    double d = fabs(sc[r] - exp(logits[want[r]] - m) / sum);
    worst = d > worst ? d : worst;
  }
  snprintf(why, sizeof why, "rc %d (wanted %d); first index %d (wanted %d); max score error %.3g",
           rc, k, idx[0], want[0], worst);
  report("topk_order_and_softmax", good && worst < 1e-6, why);

  rc = FN(_topk)(logits, OUTN + 5, idx, sc);
  good = rc == OUTN;
  double total = 0;
  for (int r = 0; good && r < OUTN; r++) good = idx[r] == want[r], total += sc[r];
  snprintf(why, sizeof why, "k = n + 5: rc %d, wanted %d (clamped to n); sum of scores %.9g",
           rc, OUTN, total);
  report("topk_k_above_n_clamped", good && fabs(total - 1) < 1e-5, why);

  rc = FN(_topk)(logits, 0, idx, sc);
  snprintf(why, sizeof why, "k = 0: rc %d, wanted 0", rc);
  report("topk_k_zero", rc == 0, why);

  int r1 = FN(_topk)(logits, -1, idx, sc), r2 = FN(_topk)(NULL, 3, idx, sc),
      r3 = FN(_topk)(logits, 3, NULL, sc), r4 = FN(_topk)(logits, 3, idx, NULL);
  snprintf(why, sizeof why, "k = -1 / NULL logits / NULL index / NULL score: %d %d %d %d, wanted %d",
           r1, r2, r3, r4, K(_E_BAD_ARGUMENT));
  report("topk_bad_arguments", r1 == K(_E_BAD_ARGUMENT) && r2 == K(_E_BAD_ARGUMENT) &&
                                   r3 == K(_E_BAD_ARGUMENT) && r4 == K(_E_BAD_ARGUMENT), why);
}

static void check_class_names(const char *mode) {
  char why[300];
  const char *lo = FN(_class_name)(-1), *hi = FN(_class_name)(OUTN), *min = FN(_class_name)(INT32_MIN);
  report("class_name_out_of_range_null", !lo && !hi && !min, "class_name(-1 / n / INT_MIN) not NULL");
  int good = 1, bad_i = -1;
  const char *got = NULL;
  if (!strcmp(mode, "none")) {
    for (int i = 0; i < OUTN && good; i++)
      if ((got = FN(_class_name)(i)) != NULL) good = 0, bad_i = i;
  } else if (!strcmp(mode, "imagenet")) {
    const char *first = FN(_class_name)(0), *last = FN(_class_name)(999);
    good = OUTN == 1000 && first && last && !strcmp(first, "tench, Tinca tinca") &&
           !strcmp(last, "toilet tissue, toilet paper, bathroom tissue");
    got = first, bad_i = 0;
  } else if (!strcmp(mode, "table")) {
    char want[32];
    for (int i = 0; i < OUTN && good; i++) {
      snprintf(want, sizeof want, "class%d", i);
      got = FN(_class_name)(i);
      if (!got || strcmp(got, want)) good = 0, bad_i = i;
    }
  } else {
    good = 0;
  }
  snprintf(why, sizeof why, "mode %s: class %d is %s%s%s", mode, bad_i, got ? "'" : "",
           got ? got : "NULL", got ? "'" : "");
  report("class_names", good, why);
}

static void check_images(void *ws) {
  enum { W = 61, H = 47 };
  static uint8_t img[H * W * 3];
  static float a[OUTN], b[OUTN], x[K(_INPUT_CHANNELS) * K(_INPUT_HEIGHT) * K(_INPUT_WIDTH)];
  char why[200];
  for (int i = 0; i < H * W * 3; i++) img[i] = (uint8_t)(i * 13 + i / 7);
  char *odd = (char *)ws + 4;

  int e1 = FN(_classify_rgb8)(img, 0, H, 3 * W, K(_RGB), a, ws, 1);
  int e2 = FN(_classify_rgb8)(img, W, 0, 3 * W, K(_RGB), a, ws, 1);
  int e3 = FN(_preprocess_rgb8)(img, -3, H, 3 * W, K(_RGB), x, ws);
  snprintf(why, sizeof why, "width 0 / height 0 / width -3: %d %d %d, wanted %d", e1, e2, e3,
           K(_E_EMPTY_IMAGE));
  report("empty_image", e1 == K(_E_EMPTY_IMAGE) && e2 == K(_E_EMPTY_IMAGE) && e3 == K(_E_EMPTY_IMAGE), why);

  /* never read: the size is refused before any pixel is touched */
  e1 = FN(_classify_rgb8)(img, K(_MAX_IMAGE_SIDE) + 1, 1, 3 * (K(_MAX_IMAGE_SIDE) + 1), K(_RGB), a, ws, 1);
  e2 = FN(_preprocess_rgb8)(img, 1, K(_MAX_IMAGE_SIDE) + 1, 3, K(_BGR), x, ws);
  snprintf(why, sizeof why, "side MAX_IMAGE_SIDE + 1: %d %d, wanted %d", e1, e2, K(_E_IMAGE_TOO_LARGE));
  report("image_too_large", e1 == K(_E_IMAGE_TOO_LARGE) && e2 == K(_E_IMAGE_TOO_LARGE), why);

  int r[7] = {
    FN(_classify_rgb8)(NULL, W, H, 3 * W, K(_RGB), a, ws, 1),
    FN(_classify_rgb8)(img, W, H, 3 * W, K(_RGB), NULL, ws, 1),
    FN(_classify_rgb8)(img, W, H, 3 * W, K(_RGB), a, odd, 1),
    FN(_classify_rgb8)(img, W, H, 3 * W, 2, a, ws, 1),
    FN(_classify_rgb8)(img, W, H, 3 * W - 1, K(_RGB), a, ws, 1),
    FN(_preprocess_rgb8)(img, W, H, 3 * W, K(_RGB), x, NULL),
    FN(_preprocess_rgb8)(img, W, H, 3 * W, K(_RGB), NULL, ws),
  };
  int good = 1;
  for (int i = 0; i < 7; i++) good &= r[i] == K(_E_BAD_ARGUMENT);
  snprintf(why, sizeof why, "NULL pixels, NULL logits, odd workspace, order 2, short stride, "
           "NULL workspace, NULL out: %d %d %d %d %d %d %d, wanted %d", r[0], r[1], r[2], r[3],
           r[4], r[5], r[6], K(_E_BAD_ARGUMENT));
  report("classify_preprocess_bad_arguments", good, why);

  int f[4] = {
    FN(_forward)(x, -1, a, ws, 1), FN(_forward)(NULL, 1, a, ws, 1),
    FN(_forward)(x, 1, NULL, ws, 1), FN(_forward)(x, 1, a, odd, 1),
  };
  int f0 = FN(_forward)(NULL, 0, NULL, ws, 1);
  snprintf(why, sizeof why, "n -1, NULL in, NULL out, odd workspace: %d %d %d %d (wanted %d); n 0: %d",
           f[0], f[1], f[2], f[3], K(_E_BAD_ARGUMENT), f0);
  report("forward_bad_arguments", f[0] == K(_E_BAD_ARGUMENT) && f[1] == K(_E_BAD_ARGUMENT) &&
                                      f[2] == K(_E_BAD_ARGUMENT) && f[3] == K(_E_BAD_ARGUMENT) &&
                                      f0 == K(_OK), why);

  /* classify = preprocess, then forward (the same bytes); BGR = the same pixels swapped */
  int c1 = FN(_classify_rgb8)(img, W, H, 3 * W, K(_RGB), a, ws, 2);
  int p1 = FN(_preprocess_rgb8)(img, W, H, 3 * W, K(_RGB), x, ws);
  int p2 = FN(_forward)(x, 1, b, ws, 1);
  snprintf(why, sizeof why, "rc %d %d %d; logits %s", c1, p1, p2,
           memcmp(a, b, sizeof a) ? "differ" : "equal");
  report("classify_is_preprocess_then_forward", c1 == K(_OK) && p1 == K(_OK) && p2 == K(_OK) &&
                                                    !memcmp(a, b, sizeof a), why);
  static uint8_t bgr[H * W * 3];
  for (int i = 0; i < H * W; i++)
    bgr[3 * i] = img[3 * i + 2], bgr[3 * i + 1] = img[3 * i + 1], bgr[3 * i + 2] = img[3 * i];
  int c2 = FN(_classify_rgb8)(bgr, W, H, 3 * W, K(_BGR), b, ws, 1);
  snprintf(why, sizeof why, "rc %d; logits %s", c2, memcmp(a, b, sizeof a) ? "differ" : "equal");
  report("classify_bgr_order", c2 == K(_OK) && !memcmp(a, b, sizeof a), why);
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--count")) {
    printf("%d\n", API_CHECKS);
    return 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: api_checks none|imagenet|table PREFIX | --count\n");
    return 2;
  }
  prefix = argv[2];
  void *ws = aligned_alloc(64, (K(_WORKSPACE_BYTES) + 63) / 64 * 64);
  if (!ws) return 1;
  check_topk();
  check_class_names(argv[1]);
  check_images(ws);
  free(ws);
  return failed;
}
