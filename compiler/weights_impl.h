/* weights_impl.h: internals shared by weights.c, weights_resize.c and weights_ckpt.c
 * (not a contract: only the weights_* files include it). */
#ifndef MMCC_WEIGHTS_IMPL_H
#define MMCC_WEIGHTS_IMPL_H

#include "model.h"
#include "weights.h"

/* Patch-grid side for an image side (mmcv PatchEmbed pads up to a multiple of the patch). */
int weights_grid_side(int pixels, int patch);
/* Allocates t->data (zeroed) for the spec's shape; copies the name. */
void weights_init_tensor(wtensor *t, const param_spec *s);
long long weights_numel(const wtensor *t);
/* NAME is "pos_embed" or ends in ".pos_embed". */
int weights_is_pos_embed(const char *name);

/* Rounding of the load-time resize's result back to the checkpoint's dtype
 * (mmpretrain's resize_pos_embed ends with `.to(src_weight.dtype)`). */
typedef enum { WROUND_NONE, WROUND_F16, WROUND_BF16 } weights_round;

/* mmpretrain's resize_pos_embed on a [rows, c] float32 table whose first EXTRA rows are
 * extra tokens (copied untouched) followed by an ih x iw grid, to an oh x ow grid:
 * returns a new [extra + oh*ow, c] table (caller frees). An unchanged grid is copied. */
float *weights_resize_pos_embed(const float *src, int extra, int c, int ih, int iw, int oh,
                                int ow, weights_round round);

#endif
