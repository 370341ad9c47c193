/* common.h: what the drivers of tests/suites/robust.sh share. Each is compiled with
 *   -DLIB_H='"<id>.h"' -DID=<id> -DUP=<ID> -DOUTN=<ID>_NUM_CLASSES (or _OUTPUT_DIM)
 * against a library made by `mmcc build`. */
#include <stdint.h>
#include <stdlib.h>

#include LIB_H

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(ID, name)
#define K(name) CAT(UP, name)
#define IMAGE_FLOATS ((size_t)K(_INPUT_CHANNELS) * K(_INPUT_HEIGHT) * K(_INPUT_WIDTH))

/* the documented workspace: exactly WORKSPACE_BYTES, rounded up to the 64-byte alignment
 * aligned_alloc needs (so ASan sees an overrun past the documented size, up to that) */
#ifndef WORKSPACE_SHORT
#define WORKSPACE_SHORT 0 /* robust.sh's negative control: bytes taken off the workspace */
#endif
static inline void *workspace(void) {
  return aligned_alloc(64, ((size_t)K(_WORKSPACE_BYTES) + 63) / 64 * 64 - WORKSPACE_SHORT);
}

/* deterministic inputs in [-1, 1) and pixels */
static inline void fill_floats(float *x, size_t n, uint32_t s) {
  for (size_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
}
static inline void fill_pixels(uint8_t *p, size_t n, uint32_t s) {
  for (size_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    p[i] = (uint8_t)(s >> 24);
  }
}
