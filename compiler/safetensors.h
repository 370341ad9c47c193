/* safetensors.h: the safetensors format (huggingface/safetensors, docs "Format"): an 8-byte
 * little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, optional
 * "__metadata__": {str: str}}, then the tensor data (offsets relative to its start). */
#ifndef MMCC_SAFETENSORS_H
#define MMCC_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"

typedef struct st_file {
  size_t n;
  ckpt_tensor *t;          /* header order; data points into the mapping, contiguous strides */
  size_t nmeta;
  char **meta_keys;        /* keys of __metadata__ */
} st_file;

/* Parses BASE[0..SIZE) (PATH for diagnostics). 0, or -1 after a diagnostic naming the
 * tensor or the header offset (nothing to free then). */
int st_parse(st_file *f, const char *path, const uint8_t *base, uint64_t size);
void st_free(st_file *f);
/* True when BASE looks like a safetensors file (header length fits, JSON starts with '{'). */
int st_sniff(const uint8_t *base, uint64_t size);

#endif
