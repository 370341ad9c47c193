/* weights.h: the parameters of one model variant as float32 arrays, ready for code
 * generation: read from a validated checkpoint (or synthesised), converted to float32, and with
 * everything that depends only on weights and the compiled geometry already folded:
 *   - backbone.pos_embed resized as mmpretrain does it: checkpoint grid -> config img_size grid
 *     (load-time hook) -> input grid (every forward); bicubic, align_corners=False, A=-0.75,
 *     class token row untouched. The tensor returned has 1+gh*gw rows for the INPUT grid.
 * Names and shapes are model_params()'s (model.h), except pos_embed's row count. */
#ifndef MMCC_WEIGHTS_H
#define MMCC_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct wtensor {
  char *name;
  int ndim;
  long long shape[4];
  float *data;             /* owned, contiguous */
} wtensor;

typedef struct model_weights {
  size_t n;
  wtensor *t;              /* in model_params() order */
  char *source;            /* "checkpoint PATH (sha256 ...)" or "random:SEED" for the card */
  char sha256[65];         /* of the checkpoint file, "" for random weights */
  char **classes;          /* meta.dataset_meta.classes, NULL-terminated, or NULL */
} model_weights;

/* From a checkpoint that ckpt validation accepted. 0, or -1 after a diagnostic. */
int weights_from_checkpoint(const model_desc *m, const char *ckpt_path, model_weights *w);
/* The same, running the validation itself first when asked (ckpt_check.h: tensor names and
 * shapes as 'mmcc check' reports them; sha256 against the file name's / metafile URL's hash,
 * unless --no-verify), on the one opened checkpoint and with the one sha256 computation.
 * (Added by the weights owner; weights_from_checkpoint == both flags 0.) */
typedef struct weights_load_opts {
  int validate;            /* ckpt_check_tensors() before reading */
  int verify;              /* ckpt_check_hash() too */
} weights_load_opts;
int weights_from_checkpoint_opts(const model_desc *m, const char *ckpt_path,
                                 const weights_load_opts *o, model_weights *w);
/* Deterministic synthetic weights with sane scales (LayerNorm weight 1, small normal-ish
 * Linear weights): meaningless for classification, for demos and benchmarks. */
int weights_random(const model_desc *m, uint64_t seed, model_weights *w);
const wtensor *weights_find(const model_weights *w, const char *name);
void weights_free(model_weights *w);

/* Exposed for tests: PyTorch's F.interpolate(mode='bicubic', align_corners=False) of a
 * [C, ih, iw] float32 grid to [C, oh, ow] (A = -0.75, clamped border indices). */
void resize_bicubic_torch(const float *src, int c, int ih, int iw, float *dst, int oh, int ow);

#endif
