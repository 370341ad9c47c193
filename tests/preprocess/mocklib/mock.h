/* mock.h: a stand-in for an mmcc-generated library (same API shape as templates/header.h.m4)
 * so that examples/classify and 'mmcc run' are tested without the code generator: the real
 * compiled test pipeline (CLIP geometry, 224, mmcv normalisation) and a fake "model" whose
 * logit j is element (j * 149) mod N of the preprocessed input tensor. */
#ifndef MOCK_H_
#define MOCK_H_

#include <stddef.h>
#include <stdint.h>

#define MOCK_INPUT_CHANNELS 3
#define MOCK_INPUT_HEIGHT 224
#define MOCK_INPUT_WIDTH 224
#define MOCK_NUM_CLASSES 1000
#define MOCK_WORKSPACE_BYTES \
  (3UL * 224 * 224 * 4 + 12UL * 224 * 224 + 24UL * 448 + 8UL * 8192 * 4 + 1024)
#define MOCK_MODEL_NAME "mock (examples/classify test stand-in)"
#define MOCK_WEIGHTS_SOURCE "mock" /* as the generated header: "random:SEED" or "checkpoint ..." */
#define MOCK_RGB 0
#define MOCK_BGR 1

int mock_preprocess_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                         int channel_order, float *out_chw, void *workspace);
int mock_classify_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                       int channel_order, float *logits, void *workspace, int num_threads);
int mock_topk(const float *logits, int k, int *index, float *score);
const char *mock_class_name(int i);

#endif
