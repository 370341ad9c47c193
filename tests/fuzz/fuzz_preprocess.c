/* fuzz_preprocess.c: libFuzzer harness for the argument space of a generated library's
 * <id>_preprocess_rgb8 (runtime/mmrt_preprocess.c behind the generated api.c). Two tiny
 * libraries are built at fuzz time with `mmcc build ... --weights random` (see
 * tests/fuzz/fuzz.mk): tiny_a (short edge 44, crop 40 x 40) and tiny_b (short edge 16,
 * crop 16 x 16).
 *
 * Input: byte 0 picks the library and the misuse (NULL pointers, misaligned workspace, bad
 * channel order), bytes 1-4 width and height (little-endian 16 bits each: top bit set,
 * -4 .. 8195; clear, -4 .. 255, so that most runs are fast), byte 5 the row padding (-8 ..
 * 247 bytes beyond 3 * width), the rest the pixels (repeated to fill the image). The image
 * buffer is exactly as large as the rows need, so any read outside them is an ASan report.
 * Images are cut to MAX_IMAGE_BYTES (fewer rows): every side from -4 to 8195 stays reachable
 * (8195 x 2, 2 x 8195), only large areas are not, and they cost 30x per run without taking
 * another path (coefficient tables and buffers depend on the sides, not the area).
 * Properties checked on success: every output float is written and finite; the same pixels
 * packed (stride 3 * width) with R and B swapped and the other channel order give the same
 * bits. Every return code must be one of the documented ones. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tiny_a.h"
#include "tiny_b.h"

#define MAX_IMAGE_BYTES (64u << 10)
#define WS_BYTES (TINY_A_WORKSPACE_BYTES > TINY_B_WORKSPACE_BYTES ? TINY_A_WORKSPACE_BYTES : TINY_B_WORKSPACE_BYTES)
#define OUT_A (3 * TINY_A_INPUT_HEIGHT * TINY_A_INPUT_WIDTH)
#define OUT_B (3 * TINY_B_INPUT_HEIGHT * TINY_B_INPUT_WIDTH)
#define OUT_MAX (OUT_A > OUT_B ? OUT_A : OUT_B)

typedef int (*pre_fn)(const uint8_t *, int, int, int, int, float *, void *);

static void *ws;
static float out1[OUT_MAX], out2[OUT_MAX];

/* The harness's own loops are not code under test: no coverage feedback from them (its
 * comparison tracing cost as much as the library's). */
#define NO_COV __attribute__((no_sanitize("coverage")))

/* fills DST with SRC repeated (or 0x80 when SRC is empty), by doubling copies */
NO_COV static void fill(uint8_t *dst, size_t bytes, const uint8_t *src, size_t n) {
  if (!n) { memset(dst, 0x80, bytes); return; }
  size_t done = n < bytes ? n : bytes;
  memcpy(dst, src, done);
  while (done < bytes) {
    size_t k = done < bytes - done ? done : bytes - done;
    memcpy(dst + done, dst, k);
    done += k;
  }
}

/* the W x H pixels of IMG (row stride STRIDE) packed, R and B swapped */
NO_COV static void pack_swapped(uint8_t *d, const uint8_t *img, int w, int h, long long stride) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++, d += 3) {
      const uint8_t *s = img + (size_t)y * stride + 3 * x;
      d[0] = s[2]; d[1] = s[1]; d[2] = s[0];
    }
}

NO_COV static int all_finite(const float *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

NO_COV static void set_nan(float *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = NAN;
}

static int side(unsigned v) { return v & 0x8000 ? (int)((v & 0x7fff) % 8200) - 4 : (int)(v % 260) - 4; }

static int known_rc(int rc) {
  return rc == TINY_A_OK || rc == TINY_A_E_BAD_ARGUMENT || rc == TINY_A_E_IMAGE_TOO_LARGE ||
         rc == TINY_A_E_EMPTY_IMAGE || rc == TINY_A_E_CPU || rc == TINY_A_E_IMAGE_SHAPE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 6) return 0;
  if (!ws) ws = aligned_alloc(64, WS_BYTES);
  int lib = data[0] & 1, misuse = data[0] >> 1 & 7, order = data[0] >> 4 & 1;
  int w = side(data[1] | data[2] << 8), h = side(data[3] | data[4] << 8);
  int pad = (int)data[5] - 8;
  const uint8_t *px = data + 6;
  size_t npx = size - 6;
  pre_fn pre = lib ? tiny_b_preprocess_rgb8 : tiny_a_preprocess_rgb8;
  size_t nout = lib ? OUT_B : OUT_A;
  long long stride = (long long)(w > 0 ? w : 1) * 3 + pad;
  if (stride < 1) stride = 1;
  /* keep the buffer bounded: fewer rows for very large images */
  if (w > 0 && h > 0 && (unsigned long long)stride * h > MAX_IMAGE_BYTES) h = (int)(MAX_IMAGE_BYTES / stride);
  size_t bytes = w > 0 && h > 0 && stride >= 3LL * w ? (size_t)(stride * (h - 1) + 3LL * w) : 1;
  uint8_t *img = malloc(bytes);
  fill(img, bytes, px, npx);
  set_nan(out1, nout);

  const uint8_t *a_px = img;
  float *a_out = out1;
  void *a_ws = ws;
  int a_order = order;
  switch (misuse) {
    case 1: a_px = NULL; break;
    case 2: a_out = NULL; break;
    case 3: a_ws = NULL; break;
    case 4: a_ws = (char *)ws + 16; break;
    case 5: a_order = data[0] & 0x80 ? -1 : 2; break;
    default: break;
  }
  int rc = pre(a_px, w, h, (int)stride, a_order, a_out, a_ws);
  if (!known_rc(rc)) __builtin_trap();
  if (misuse >= 1 && misuse <= 5 && rc == TINY_A_OK) __builtin_trap();  /* misuse accepted */
  if (rc == TINY_A_OK) {
    if (!all_finite(out1, nout)) __builtin_trap();  /* unwritten or not finite */
    /* packed copy, R and B swapped, other order: the same bits */
    uint8_t *packed = malloc((size_t)w * h * 3);
    pack_swapped(packed, img, w, h, stride);
    set_nan(out2, nout);
    if (pre(packed, w, h, 3 * w, !order, out2, ws) != TINY_A_OK) __builtin_trap();
    if (memcmp(out1, out2, nout * sizeof *out1)) __builtin_trap();
    free(packed);
  }
  free(img);
  return 0;
}
