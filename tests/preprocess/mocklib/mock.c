/* mock.c: see mock.h. */
#include "mock.h"

#include "mmrt_preprocess.h"

#define IMAGE_FLOATS (3UL * 224 * 224)

_Static_assert(MOCK_WORKSPACE_BYTES >=
                   IMAGE_FLOATS * 4 + MMRT_PREPROCESS_WORKSPACE_BYTES(224, 224, 224),
               "workspace");

static const mmrt_pre_params pre = {.resize_scale = 224,
                                    .resize_edge = MMRT_EDGE_SHORT,
                                    .crop_h = 224,
                                    .crop_w = 224,
                                    .out_h = 224,
                                    .out_w = 224,
                                    .to_rgb = 1,
                                    .norm = MMRT_NORM_MMCV,
                                    .mean = {0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255},
                                    .std = {0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255}};

int mock_preprocess_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                         int channel_order, float *out_chw, void *workspace) {
  return mmrt_preprocess_rgb8(&pre, pixels, width, height, stride_bytes, channel_order, out_chw,
                              workspace);
}

int mock_classify_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                       int channel_order, float *logits, void *workspace, int num_threads) {
  float *in = workspace;
  int rc;
  if (num_threads < 1 || !logits) return MMRT_E_BAD_ARGUMENT;
  rc = mmrt_preprocess_rgb8(&pre, pixels, width, height, stride_bytes, channel_order, in,
                            (char *)workspace + IMAGE_FLOATS * 4);
  if (rc != MMRT_OK) return rc;
  for (unsigned long j = 0; j < MOCK_NUM_CLASSES; j++) logits[j] = in[j * 149 % IMAGE_FLOATS];
  return MMRT_OK;
}

int mock_topk(const float *logits, int k, int *index, float *score) {
  return mmrt_topk(logits, MOCK_NUM_CLASSES, k, index, score);
}

const char *mock_class_name(int i) { return i >= 0 && i < 1000 ? mmrt_imagenet1k_classes[i] : 0; }
