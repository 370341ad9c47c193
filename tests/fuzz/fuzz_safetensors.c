/* fuzz_safetensors.c: libFuzzer harness for the safetensors reader (safetensors.c): the input
 * is a .safetensors file as a mapping; every tensor is checked to lie inside it and read back
 * as float32 (ckpt.c's ckpt_read_f32). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"

#define MAX_READ_ELEMS (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  st_file f;
  (void)st_sniff(data, size);
  if (st_parse(&f, "fuzz.safetensors", data, size) == 0) {
    for (size_t i = 0; i < f.n; i++) {
      const ckpt_tensor *t = &f.t[i];
      const uint8_t *p = t->data;
      if (t->nbytes && (p < data || p > data + size || t->nbytes > (size_t)(data + size - p)))
        __builtin_trap();  /* a view outside the file */
      int64_t n = ckpt_numel(t);
      if (n < 0) __builtin_trap();
      if (n > MAX_READ_ELEMS) continue;
      float *dst = malloc((size_t)(n ? n : 1) * sizeof *dst);
      ckpt_read_f32(t, dst);
      free(dst);
      (void)strlen(t->name);
    }
    for (size_t i = 0; i < f.nmeta; i++) (void)strlen(f.meta_keys[i]);
    st_free(&f);
  }
  return 0;
}
