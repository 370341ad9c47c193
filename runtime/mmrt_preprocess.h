/* mmrt_preprocess.h: the compiled test pipeline (runtime side), shared by every generated
 * library: raw interleaved 8-bit pixels -> the normalised 3 x H x W float tensor the backbone
 * receives, exactly as mmpretrain's test pipeline computes it; and softmax top-k.
 *
 * CONTRACT between runtime/mmrt_preprocess.c (engineer H5) and the generated library
 * (templates, engineer H4): the generated <id>_preprocess_rgb8 / <id>_classify_rgb8 fill a
 * static const mmrt_pre_params from the model description and call these functions. */
#ifndef MMRT_PREPROCESS_H
#define MMRT_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>

/* Largest accepted input image; larger ones return MMRT_E_IMAGE_TOO_LARGE. */
#define MMRT_MAX_IMAGE_SIDE 8192

#define MMRT_OK 0
#define MMRT_E_BAD_ARGUMENT (-1)     /* NULL pointer, stride too small, bad channel order */
#define MMRT_E_IMAGE_TOO_LARGE (-2)  /* width or height > MMRT_MAX_IMAGE_SIDE */
#define MMRT_E_EMPTY_IMAGE (-3)      /* width or height < 1 */
#define MMRT_E_CPU (-4)              /* this CPU lacks the instructions the library needs */
/* The test pipeline does not yield out_h x out_w for this image (possible only when the
 * pipeline has no resize, resizes the long edge, or crops nothing), as mmpretrain would
 * then feed the backbone a tensor of another size. Never happens for short-edge resize to S
 * followed by a centre crop of at most S. */
#define MMRT_E_IMAGE_SHAPE (-5)

#define MMRT_ORDER_RGB 0
#define MMRT_ORDER_BGR 1

typedef enum { MMRT_NORM_NONE = 0, MMRT_NORM_MMCV = 1, MMRT_NORM_DIV = 2 } mmrt_norm;

typedef struct mmrt_pre_params {
  int resize_scale;       /* 0: no resize; else the short (or long) edge target */
  int resize_long_edge;   /* 0: short edge (mmpretrain default), 1: long edge */
  int crop_h, crop_w;     /* 0: no crop */
  int out_h, out_w;       /* the compiled input size; the pipeline result must have it */
  int to_rgb;             /* the pipeline swaps BGR -> RGB (images are decoded as BGR) */
  mmrt_norm norm;
  float mean[3], std[3];  /* in the channel order the backbone receives */
} mmrt_pre_params;

/* Workspace bytes mmrt_preprocess_rgb8 needs for images up to MMRT_MAX_IMAGE_SIDE on both
 * sides, for the given params. A macro so generated headers can make it a constant:
 * MMRT_PREPROCESS_WORKSPACE_BYTES(resize_scale, out_h, out_w). Defined by mmrt_preprocess.c's
 * author below; must be exact or an upper bound.
 * Only the crop window is resampled, so the need depends on the output size alone: int32
 * sums for out_h x out_w x 3 (the vertical pass), one uint8 row, and the fixed-point
 * coefficient tables (out_w x ksize, ksize <= 4 * 8192 / out_w + 3, likewise for out_h) with
 * their bounds; each part is 64-byte aligned. A constant expression (usable in #if too). */
#define MMRT_PREPROCESS_WORKSPACE_BYTES(resize_scale, out_h, out_w)                      \
  ((resize_scale) > 0 ? 12UL * (out_h) * (out_w) + 24UL * ((out_h) + (out_w)) +          \
                            8UL * MMRT_MAX_IMAGE_SIDE * 4 + 1024UL                       \
                      : 64UL)

/* pixels: height rows of width pixels, 3 bytes each in channel_order, rows stride_bytes apart.
 * out_chw: 3 x out_h x out_w floats. workspace: 64-byte aligned, >= the macro above.
 * Returns MMRT_OK or an MMRT_E_* code (MMRT_E_BAD_ARGUMENT also for a misaligned workspace or
 * inconsistent params); never allocates, never reads outside the image rows it is given.
 * Bit-exact with mmpretrain's pipeline (Pillow bicubic, float32 normalisation): see the
 * head of mmrt_preprocess.c; tests/suites/preprocess.sh checks it. */
int mmrt_preprocess_rgb8(const mmrt_pre_params *p, const uint8_t *pixels, int width, int height,
                         int stride_bytes, int channel_order, float *out_chw, void *workspace);

/* Softmax over n logits, the k largest (ties: lower index first) into index/score.
 * Returns the number written, min(k, n), or MMRT_E_BAD_ARGUMENT (NULL, n < 1, k < 0).
 * NaN logits rank last. */
int mmrt_topk(const float *logits, int n, int k, int *index, float *score);

/* mmpretrain's ImageNet-1k class names ('tench, Tinca tinca', ...), 1000 entries. */
extern const char *const mmrt_imagenet1k_classes[1000];

#endif
