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
 * pipeline has no resize, resizes the long edge, the width or the height, or crops nothing),
 * as mmpretrain would then feed the backbone a tensor of another size. Never happens for a
 * short-edge resize to S followed by a centre crop of at most S, nor for a FIXED resize. */
#define MMRT_E_IMAGE_SHAPE (-5)

#define MMRT_ORDER_RGB 0
#define MMRT_ORDER_BGR 1

typedef enum { MMRT_NORM_NONE = 0, MMRT_NORM_MMCV = 1, MMRT_NORM_DIV = 2 } mmrt_norm;

/* Which size the resize gives a W x H image (S = resize_scale; int() truncates):
 *   SHORT  (mmpretrain ResizeEdge edge='short', mmcls 0.x Resize(size=(S, -1))):
 *          w < h -> (S, int(S*h/w)), else (int(S*w/h), S)
 *   LONG   w > h -> (S, int(S*h/w)), else (int(S*w/h), S)
 *   WIDTH  (S, int(S*h/w));  HEIGHT (int(S*w/h), S)
 *   FIXED  (mmcv Resize(scale=(w, h)), keep_ratio=False): (out_w, out_h); needs no crop. */
typedef enum {
  MMRT_EDGE_SHORT = 0, MMRT_EDGE_LONG = 1, MMRT_EDGE_WIDTH = 2, MMRT_EDGE_HEIGHT = 3,
  MMRT_EDGE_FIXED = 4
} mmrt_edge;

/* The resampler (mmcv imresize's backend and interpolation), each bit-exact on 8-bit images:
 *   PIL_BICUBIC   backend='pillow', 'bicubic' (Pillow 9.x Resample.c)
 *   PIL_BILINEAR  backend='pillow', 'bilinear'
 *   CV2_LINEAR    backend='cv2', 'bilinear' = cv2.resize(..., INTER_LINEAR) (OpenCV 4.x) */
typedef enum {
  MMRT_RESIZE_PIL_BICUBIC = 0, MMRT_RESIZE_PIL_BILINEAR = 1, MMRT_RESIZE_CV2_LINEAR = 2
} mmrt_resize;

typedef struct mmrt_pre_params {
  int resize_scale;       /* 0: no resize; else S above (FIXED: any value > 0) */
  mmrt_edge resize_edge;
  mmrt_resize resize_method;
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
 * their bounds; each part is 64-byte aligned (Pillow; OpenCV's linear resize needs less: two
 * int32 rows, one uint8 row and two-tap tables). A constant expression (usable in #if too). */
#define MMRT_PREPROCESS_WORKSPACE_BYTES(resize_scale, out_h, out_w)                      \
  ((resize_scale) > 0 ? 12UL * (out_h) * (out_w) + 24UL * ((out_h) + (out_w)) +          \
                            8UL * MMRT_MAX_IMAGE_SIDE * 4 + 1024UL                       \
                      : 64UL)

/* pixels: height rows of width pixels, 3 bytes each in channel_order, rows stride_bytes apart.
 * out_chw: 3 x out_h x out_w floats. workspace: 64-byte aligned, >= the macro above.
 * Returns MMRT_OK or an MMRT_E_* code (MMRT_E_BAD_ARGUMENT also for a misaligned workspace or
 * inconsistent params); never allocates, never reads outside the image rows it is given.
 * Bit-exact with mmpretrain's pipeline (Pillow or OpenCV resize, float32 normalisation): see
 * the head of mmrt_preprocess.c; tests/suites/preprocess.sh and resize.sh check it. */
int mmrt_preprocess_rgb8(const mmrt_pre_params *p, const uint8_t *pixels, int width, int height,
                         int stride_bytes, int channel_order, float *out_chw, void *workspace);

/* Softmax over n logits, the k largest (ties: lower index first) into index/score.
 * Returns the number written, min(k, n), or MMRT_E_BAD_ARGUMENT (NULL, n < 1, k < 0).
 * NaN logits rank last. */
int mmrt_topk(const float *logits, int n, int k, int *index, float *score);

/* mmpretrain's ImageNet-1k class names ('tench, Tinca tinca', ...), 1000 entries. */
extern const char *const mmrt_imagenet1k_classes[1000];

#endif
