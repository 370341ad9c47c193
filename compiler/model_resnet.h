/* model_resnet.h: the ResNet family's backbone description (ResNet, ResNetV1c, ResNetV1d,
 * ResNeXt, SEResNet, ResNet_CIFAR) and its geometry, unit by unit.
 *
 * model_resnet.c extracts it from the config (model_desc.resnet points here) and is the one
 * place that knows the network's shape: the parameter list (model_params.c) and the lowering
 * both walk resnet_stem() / resnet_blocks(), so they cannot disagree on a channel count, a
 * stride or a state-dict name. */
#ifndef MMCC_MODEL_RESNET_H
#define MMCC_MODEL_RESNET_H

#include <stddef.h>

#include "cfg.h"

struct model_desc;

typedef enum { RESNET_BASIC, RESNET_BOTTLENECK } resnet_block_kind;

typedef struct resnet_desc {
  char *type;              /* backbone type as written ("ResNet", "ResNetV1d", ...) */
  int type_line, type_col; /* where model.backbone.type is written (for diagnostics) */
  int depth;
  resnet_block_kind block;
  int num_stages;          /* 1..4 */
  int stage_blocks[4];
  int strides[4];
  int in_channels, stem_channels, base_channels, expansion;
  int deep_stem;           /* stem = three 3x3 ConvModules (V1c, V1d) instead of conv1 7x7 */
  int avg_down;            /* shortcut of a strided block: AvgPool(stride) then 1x1 conv (V1d) */
  int caffe_style;         /* Bottleneck stride on conv1 (1x1) instead of conv2 (3x3) */
  int cifar;               /* ResNet_CIFAR: conv1 3x3 stride 1, no max-pool */
  int groups, width_per_group;  /* ResNeXt (1, 64 otherwise: no change) */
  int se_ratio;            /* SEResNet: SE after bn3 with make_divisible(C / se_ratio, 8); 0 = none */
  double bn_eps;           /* every BatchNorm's eps (norm_cfg, default 1e-5) */
  int out_index;           /* the one supported out_indices entry: num_stages - 1 */
  int out_channels;        /* channels of the last stage's output */
} resnet_desc;

/* One convolution (bias-free, as every ResNet conv) followed by its BatchNorm. */
typedef struct resnet_conv {
  char name[64];           /* state-dict prefix of the conv ("backbone.layer1.0.conv2") */
  char bn[64];             /* ... of its BatchNorm ("backbone.layer1.0.bn2") */
  int cin, cout, k, stride, pad, groups;
} resnet_conv;

/* One residual block, in execution order:
 *   y = relu(bn(conv[0](x))); ...; y = bn(conv[nconv-1](y))   (ReLU between, not after last)
 *   y = y * sigmoid(se.conv2(relu(se.conv1(mean_hw(y)))))       when se_channels > 0
 *   s = x, or bn(down(avgpool_{stride}(x) when down_pool else x))   when has_down
 *   out = relu(y + s)
 * down_pool: AvgPool2d(kernel = stride = down_pool, ceil_mode=True, count_include_pad=False). */
typedef struct resnet_block {
  int stage, index;        /* layer{stage+1}.{index} */
  int nconv;               /* 2 (BasicBlock) or 3 (Bottleneck) */
  resnet_conv conv[3];
  int has_down, down_pool; /* down_pool = the pool's kernel/stride, 0 = no pool */
  resnet_conv down;
  int se_channels;         /* squeeze width; 0 = no SE */
  char se[64];             /* "backbone.layer1.0.se_layer" (convs .conv1.conv, .conv2.conv, with bias) */
} resnet_block;

/* backbone.type is one of the six supported types. */
int resnet_is_type(const char *type);
#define RESNET_TYPES "ResNet, ResNetV1c, ResNetV1d, ResNeXt, SEResNet, ResNet_CIFAR"

/* model.backbone -> m->resnet (allocated), also m->img_size (the geometry used when the test
 * pipeline has neither crop nor resize: 32 for ResNet_CIFAR, 224 otherwise) and
 * m->in_channels. 0, or -1 after a diagnostic naming the config key. */
int resnet_extract(const char *file, const cfg_value *model, struct model_desc *m);
/* After neck and head are read: the backbone's last-stage featmap must be reduced by a
 * GlobalAveragePooling neck, and a head must take out_channels inputs; sets m->output_dim. */
int resnet_check_dataflow(const char *file, const cfg_value *model, struct model_desc *m);
void resnet_free(resnet_desc *r);
/* The description as one JSON object (mmcc inspect's "backbone"). */
void resnet_json(const resnet_desc *r, strbuf *b);

/* The stem's convolutions (1 or 3) in order, each followed by BN and ReLU; *maxpool is set
 * when a MaxPool2d(3, stride 2, padding 1) follows. Returns the count. */
int resnet_stem(const resnet_desc *r, resnet_conv out[3], int *maxpool);
/* Every residual block in order; returns the count (free *out with free()). */
size_t resnet_blocks(const resnet_desc *r, resnet_block **out);
/* Squeeze width of an SE layer on C channels with ratio R (mmpretrain make_divisible(C // R, 8)). */
int resnet_se_channels(int channels, int ratio);

/* The backbone's parameters (model.h param_spec, in state_dict order, BatchNorm buffers
 * included; BUFFER as param_spec.buffer: 0, PARAM_BUFFER, PARAM_COUNTER) appended through ADD. */
typedef void (*resnet_param_fn)(void *ctx, int buffer, int ndim, const long long *shape,
                                const char *name);
void resnet_params(const resnet_desc *r, resnet_param_fn add, void *ctx);

#endif
