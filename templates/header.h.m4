MM_FRONT_MATTER
/* MM_ID.h: MM_NAME, compiled by mmcc into lib[[]]MM_ID.a.
 *
 * Model card
 *   name         MM_NAME
 *   config       MM_CONFIG_TEXT
 *   weights      MM_WEIGHTS_TEXT
 *   weights URL  MM_WEIGHTS_URL_TEXT
 *   parameters   MM_PARAMETERS_TEXT
 *   FLOPs        MM_FLOPS_TEXT (metafile)
 *   top-1/top-5  MM_TOP1_TEXT / MM_TOP5_TEXT (metafile, ImageNet-1k val)
 *   input        MM_IN_CHANNELS x MM_IN_H x MM_IN_W float32, m4_ifelse(MM_TO_RGB, 1, [[RGB]], [[channel order as decoded]]), normalised
 *   target       MM_TARGET_NAME (micro-kernel MM_UKR; needs CPU features: MM_CPU_FEATURES_TEXT)
 *   precision    MM_PRECISION_TEXT
m4_ifelse(MM_PROFILE, 1, [[m4_dnl
 *   profile      per-op timers compiled in (mmcc build --profile): MM_ID[[]]_profile below
]])m4_dnl
 *
 * Use (a product needs only this header and lib[[]]MM_ID.a -lm -lpthread, e.g.
 * cc app.c $(PKG_CONFIG_PATH=<this directory> pkg-config --cflags --libs MM_ID)):
 *
 *   void *ws = aligned_alloc(64, MM_ID_UPPER[[]]_WORKSPACE_BYTES);
 *   float logits[MM_ID_UPPER[[]]_[[]]MM_OUT_NAME];
 *   int rc = MM_ID[[]]_classify_rgb8(pixels, w, h, 3 * w, MM_ID_UPPER[[]]_RGB, logits, ws, 2);
 *
 * All entry points are reentrant (nothing is global but the once below), never allocate
 * apart from creating num_threads - 1 threads for the duration of a call, and give bitwise
 * identical results for every thread count.
 *
 * Weights: the first call (any entry point, any number of threads, on Linux) copies the
 * embedded weights, 2 MB at a time and on that call's threads, onto private 4 KB pages at
 * the same addresses, once for the process. The program file's pages hold them in
 * physically contiguous runs, which made products on two threads slower on the AMD EPYC VM
 * mmcc is measured on (ViT-B/16, batch 8: ~10%), and one thread 3-4x slower on a call that
 * follows an idle spell (ResNet-50 after 400 ms of sleep; see bench/results/NOTES.md); heap
 * pages, where a runtime that loads its weights keeps them, did not. Resident memory stays
 * the weights' size, but those pages are no longer dropped and re-read from the file under
 * memory pressure, and that call takes longer (there: ~1.3 ms per MB on one thread).
 * Building src/api.c with -DMMRT_KEEP_WEIGHTS_MAPPED (make CFLAGS='-O3
 * -DMMRT_KEEP_WEIGHTS_MAPPED' in a directory written by mmcc build --keep-sources) leaves
 * them in the file. */
#ifndef MM_ID_UPPER[[]]_H_
#define MM_ID_UPPER[[]]_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* \brief Input tensor of MM_ID[[]]_forward per image: channels x height x width. */
#define MM_ID_UPPER[[]]_INPUT_CHANNELS MM_IN_CHANNELS
#define MM_ID_UPPER[[]]_INPUT_HEIGHT MM_IN_H
#define MM_ID_UPPER[[]]_INPUT_WIDTH MM_IN_W
m4_ifelse(MM_HAS_HEAD, 1, [[m4_dnl
/* \brief Logits per image. */
#define MM_ID_UPPER[[]]_NUM_CLASSES MM_OUTPUT_DIMS
]], [[m4_dnl
/* \brief Features per image (headless model). */
#define MM_ID_UPPER[[]]_OUTPUT_DIM MM_OUTPUT_DIMS
]])m4_dnl
/* \brief Bytes of the workspace every entry point takes (64-byte aligned; enough for any n
 * and every entry point). */
#define MM_ID_UPPER[[]]_WORKSPACE_BYTES MM_WORKSPACE_BYTES
#define MM_ID_UPPER[[]]_WORKSPACE_ALIGNMENT 64
/* \brief Largest image side MM_ID[[]]_classify_rgb8 / _preprocess_rgb8 accept (larger:
 * MM_ID_UPPER[[]]_E_IMAGE_TOO_LARGE); the workspace covers images up to this size. */
#define MM_ID_UPPER[[]]_MAX_IMAGE_SIDE MM_MAX_IMAGE_SIDE
/* \brief num_threads above this are treated as this many. */
#define MM_ID_UPPER[[]]_MAX_THREADS MM_MAX_THREADS

/* \brief The test pipeline, as compiled into MM_ID[[]]_preprocess_rgb8: resize the
 * MM_RESIZE_EDGE_TEXT edge to MM_RESIZE_SCALE (MM_RESIZE_TEXT), center crop MM_CROP_H x MM_CROP_W,
 * then (x - mean) / std per channel, in the channel order the backbone receives. */
#define MM_ID_UPPER[[]]_MEAN_0 MM_MEAN0
#define MM_ID_UPPER[[]]_MEAN_1 MM_MEAN1
#define MM_ID_UPPER[[]]_MEAN_2 MM_MEAN2
#define MM_ID_UPPER[[]]_STD_0 MM_STD0
#define MM_ID_UPPER[[]]_STD_1 MM_STD1
#define MM_ID_UPPER[[]]_STD_2 MM_STD2
#define MM_ID_UPPER[[]]_TO_RGB MM_TO_RGB
#define MM_ID_UPPER[[]]_RESIZE_SCALE MM_RESIZE_SCALE

/* \brief Model card as constants. */
#define MM_ID_UPPER[[]]_MODEL_NAME MM_NAME_C
#define MM_ID_UPPER[[]]_CONFIG MM_CONFIG_C
#define MM_ID_UPPER[[]]_WEIGHTS_URL MM_WEIGHTS_URL_C
#define MM_ID_UPPER[[]]_WEIGHTS_SOURCE MM_WEIGHTS_SOURCE_C
#define MM_ID_UPPER[[]]_PARAMETERS MM_PARAMETERS
#define MM_ID_UPPER[[]]_FLOPS MM_FLOPS            /* (-1LL): unknown */
#define MM_ID_UPPER[[]]_TOP1 MM_TOP1              /* percent; (-1.0): unknown */
#define MM_ID_UPPER[[]]_TOP5 MM_TOP5
/* \brief Arithmetic of the products: "fp32", or "bf16" (weights and product inputs
 * rounded to bfloat16, sums in fp32; everything else fp32). */
#define MM_ID_UPPER[[]]_PRECISION "MM_PRECISION"

/* \brief channel_order values: bytes R, G, B or B, G, R per pixel. */
#define MM_ID_UPPER[[]]_RGB 0
#define MM_ID_UPPER[[]]_BGR 1

/* \brief Return codes. */
#define MM_ID_UPPER[[]]_OK 0
#define MM_ID_UPPER[[]]_E_BAD_ARGUMENT (-1)    /* NULL pointer, n < 0, workspace not 64-byte aligned, ... */
#define MM_ID_UPPER[[]]_E_IMAGE_TOO_LARGE (-2) /* a side above MM_ID_UPPER[[]]_MAX_IMAGE_SIDE */
#define MM_ID_UPPER[[]]_E_EMPTY_IMAGE (-3)
m4_ifelse(MM_PATHS, [[]], [[m4_dnl
#define MM_ID_UPPER[[]]_E_CPU (-4)             /* this CPU lacks MM_CPU_FEATURES_TEXT */
]], [[m4_dnl
#define MM_ID_UPPER[[]]_E_CPU (-4)             /* the environment variable MMRT_PATH names a code path (MM_PATHS) this CPU lacks, or none */
]])m4_dnl
#define MM_ID_UPPER[[]]_E_IMAGE_SHAPE (-5)     /* the compiled test pipeline cannot give the input size for this image (e.g. its resized short side is below the crop) */

/* \brief The model: in = n x MM_IN_CHANNELS x MM_IN_H x MM_IN_W floats (exactly what
 * mmpretrain's backbone receives: after normalisation, m4_ifelse(MM_TO_RGB, 1, [[RGB order]], [[channel order unchanged]])),
 * out = n x MM_OUTPUT_DIMS floats. workspace: MM_ID_UPPER[[]]_WORKSPACE_BYTES bytes,
 * 64-byte aligned. num_threads: 1 creates no thread. Returns MM_ID_UPPER[[]]_OK or an
 * error code. */
int MM_ID[[]]_forward(const float *in, int n, float *out, void *workspace, int num_threads);

/* \brief The compiled test pipeline: height rows of width pixels (3 bytes each in
 * channel_order), rows stride_bytes apart -> out_chw, the MM_IN_CHANNELS x MM_IN_H x MM_IN_W
 * input of MM_ID[[]]_forward. */
int MM_ID[[]]_preprocess_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                        int channel_order, float *out_chw, void *workspace);

/* \brief Preprocess one image and run the model: logits = MM_OUTPUT_DIMS floats. */
int MM_ID[[]]_classify_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                      int channel_order, float *logits, void *workspace, int num_threads);

/* \brief Softmax over the MM_OUTPUT_DIMS logits; the k best (ties: lower index first) into
 * index[0..k-1] and score[0..k-1]. Returns the number written or an error code. */
int MM_ID[[]]_topk(const float *logits, int k, int *index, float *score);

/* \brief Name of class i (from the checkpoint's dataset_meta, else ImageNet-1k's for a
 * 1000-class model), or NULL. */
const char *MM_ID[[]]_class_name(int i);
m4_ifelse(MM_PROFILE, 1, [[m4_dnl

/* \brief Per-op profile (built with mmcc build --profile). Each op of the forward (the
 * calls in src/model.c, in order; an op of the layer loop counts once per layer) has
 * counters per thread since the last MM_ID[[]]_profile_reset, summed over calls: */
#define MM_ID_UPPER[[]]_PROFILE_OPS MM_PROF_OPS
typedef struct MM_ID[[]]_profile_op {
  const char *kind;   /* its runtime function without mmrt_op_: "linear", "attention", ... */
  const char *label;  /* the step, as in model.c: "qkv", "ln1", "GELU(fc1)", ... */
  const char *shape;  /* per image ("n x ": on the rows of n images at once) */
  long long flops;    /* per image and call: 2 x the multiply-adds of its products, else 0 */
  long long calls;    /* calls this thread made */
  long long images;   /* images these calls covered (work done: flops x images) */
  long long wall_ns;  /* wall clock from the op's start to leaving the barrier after it */
  long long work_ns;  /* wall clock from the op's start to reaching that barrier */
  long long cpu_ns;   /* this thread's CPU time from the op's start to reaching it */
} MM_ID[[]]_profile_op;
/* \brief The counters of op 0 <= op < MM_ID_UPPER[[]]_PROFILE_OPS on thread 0 <= thread <
 * MM_ID_UPPER[[]]_MAX_THREADS (thread 0: the caller's). MM_ID_UPPER[[]]_OK or
 * MM_ID_UPPER[[]]_E_BAD_ARGUMENT. Process-wide: concurrent calls add to the same counters. */
int MM_ID[[]]_profile(int op, int thread, MM_ID[[]]_profile_op *out);
/* \brief Zero every counter. */
void MM_ID[[]]_profile_reset(void);
]])m4_dnl

#ifdef __cplusplus
}
#endif

#endif
