/* fuzz_zip.c: libFuzzer harness for torch.save checkpoints: the zip reader (pth_zip.c) on the
 * input as a mapping, every entry's bytes touched and CRC checked; then the whole checkpoint
 * path (ckpt.c: zip -> pickle -> tensor views, format sniffing) through a memfd, each tensor
 * read as float32. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "pth_zip.h"

/* The largest tensor read back (a stride-0 view may legally be far larger than the file). */
#define MAX_READ_ELEMS (1u << 20)

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  memfd = memfd_create("mmcc-fuzz-ckpt", 0);
  if (memfd < 0) abort();
  snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
  return 0;
}

void fuzz_ckpt_tensors(const ckpt *c);
void fuzz_ckpt_tensors(const ckpt *c) {
  for (size_t i = 0; i < ckpt_count(c); i++) {
    const ckpt_tensor *t = ckpt_at(c, i);
    int64_t n = ckpt_numel(t);
    if (ckpt_find(c, t->name) != t) __builtin_trap();  /* names are unique */
    if (n < 0) __builtin_trap();
    if (n > MAX_READ_ELEMS) continue;
    float *dst = malloc((size_t)(n ? n : 1) * sizeof *dst);
    ckpt_read_f32(t, dst);
    free(dst);
  }
  for (size_t i = 0; i < ckpt_meta_count(c); i++) (void)ckpt_meta_key(c, i);
  for (size_t i = 0; i < ckpt_top_count(c); i++) (void)ckpt_top_key(c, i);
  for (const char *const *k = ckpt_classes(c); k && *k; k++) (void)*k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pth_zip z;
  if (pth_zip_open(&z, "fuzz.pth", data, size) == 0) {
    unsigned sum = 0;
    for (size_t i = 0; i < z.n; i++) {
      const pth_zip_entry *e = &z.entries[i];
      if (e->offset > size || e->size > size - e->offset) __builtin_trap();  /* outside the file */
      for (uint64_t k = 0; k < e->size; k++) sum += z.base[e->offset + k];
      if (e->size < 4096) (void)pth_zip_check_crc(&z, e);
    }
    (void)pth_zip_find(&z, "data.pkl");
    (void)sum;
    pth_zip_free(&z);
  }
  if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size) abort();
  ckpt *c = ckpt_open(memfd_path);
  if (c) {
    fuzz_ckpt_tensors(c);
    ckpt_close(c);
  }
  return 0;
}
