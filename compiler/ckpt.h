/* ckpt.h: checkpoints (PyTorch zip .pth, safetensors) as a set of named tensors.
 * Implementation: pth_zip.c (zip container), pth_pickle.c (pickle machine), safetensors.c,
 * ckpt.c (this interface), sha256.c. Nothing in a checkpoint is ever executed.
 *
 * The file is mmapped; tensor data points into the mapping. Names are normalised: the
 * state dict is found under 'state_dict', 'model' or 'module' (or is the top object), and a
 * leading "module." is stripped. */
#ifndef MMCC_CKPT_H
#define MMCC_CKPT_H

#include <stddef.h>
#include <stdint.h>

/* CKPT_I64: integer buffers (BatchNorm num_batches_tracked); read as float like the rest. */
typedef enum { CKPT_F32, CKPT_F16, CKPT_BF16, CKPT_F64, CKPT_I64 } ckpt_dtype;

typedef struct ckpt_tensor {
  char *name;
  ckpt_dtype dtype;
  int ndim;
  int64_t shape[8];
  int64_t stride[8];       /* in elements */
  const void *data;        /* first element (storage base + offset), inside the mapping */
  size_t nbytes;           /* numel * element size */
} ckpt_tensor;

typedef struct ckpt ckpt;

/* Opens and parses PATH (format from its content). NULL after a diagnostic naming the file
 * and, where it applies, the entry or tensor. */
ckpt *ckpt_open(const char *path);
void ckpt_close(ckpt *c);

size_t ckpt_count(const ckpt *c);
const ckpt_tensor *ckpt_at(const ckpt *c, size_t i);          /* file order */
const ckpt_tensor *ckpt_find(const ckpt *c, const char *name);
int64_t ckpt_numel(const ckpt_tensor *t);
const char *ckpt_dtype_name(ckpt_dtype d);                    /* "float32", ... */
const char *ckpt_format(const ckpt *c);                       /* "pth" or "safetensors" */

/* Copies T as a contiguous float32 array (any dtype, any strides) into DST (numel floats).
 * A contiguous float32 tensor is one memcpy out of the mapping. */
void ckpt_read_f32(const ckpt_tensor *t, float *dst);

/* meta: the (string) keys of the checkpoint's `meta` dict (epoch, dataset_meta, ...; for
 * safetensors the keys of __metadata__); top: the top-level keys besides the state dict
 * ("meta", "optimizer", ...; none for a bare state dict or safetensors); and
 * meta.dataset_meta.classes when present (NULL-terminated list owned by the ckpt, or NULL). */
size_t ckpt_meta_count(const ckpt *c);
const char *ckpt_meta_key(const ckpt *c, size_t i);
size_t ckpt_top_count(const ckpt *c);
const char *ckpt_top_key(const ckpt *c, size_t i);
const char *const *ckpt_classes(const ckpt *c);

/* sha256 of the whole file as 64 lowercase hex digits (progress shown for large files). */
int ckpt_sha256(const char *path, char hex[65]);

#endif
