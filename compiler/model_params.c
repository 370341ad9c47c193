/* model_params.c: the parameters of a described model (model.h: model_params), named and
 * shaped exactly as PyTorch's state_dict() of the mmpretrain model holds them.
 *
 * Order = state_dict order: a module's own nn.Parameters first (in registration order), then
 * its children in registration order. Sources (mmpretrain v1.2.0; the CLIP commit 5b266d9e7c
 * registers the same modules in the same order):
 *   models/backbones/vision_transformer.py  VisionTransformer.__init__: cls_token, pos_embed
 *     (own parameters), then patch_embed, layers, pre_norm, ln1 (final_norm), ln2 (avg_featmap);
 *     TransformerEncoderLayer: ln1, attn, ln2, ffn.
 *   models/utils/attention.py  MultiheadAttention: qkv (bias = qkv_bias), proj (bias),
 *     gamma1 = LayerScale (weight) when layer_scale_init_value > 0.
 *   mmcv/cnn/bricks/transformer.py  PatchEmbed.projection Conv2d (bias = not pre_norm);
 *     FFN.layers = Sequential(Sequential(Linear, act, Dropout), Linear, Dropout) ->
 *     ffn.layers.0.0 (fc1), ffn.layers.1 (fc2); gamma2 = LayerScale (weight) when
 *     layer_scale_init_value > 0.
 *   models/heads/vision_transformer_head.py  layers = Sequential(pre_logits?, act?, head).
 *   models/heads/linear_head.py  fc.
 *   models/necks/gap.py  GlobalAveragePooling: no parameters.
 *   models/backbones/deit.py  DistilledVisionTransformer registers dist_token after
 *     VisionTransformer.__init__, so it follows cls_token and pos_embed.
 *   models/backbones/deit3.py  DeiT3: cls_token, pos_embed (grid rows only); layers as
 *     above with DeiT3FFN (layers.0.0, layers.1, gamma2); no pre_norm.
 *   models/heads/deit_head.py  DeiTClsHead: VisionTransformerClsHead's layers + head_dist.
 *   models/necks/mae_neck.py  ClsBatchNormNeck: bn = BatchNorm1d: weight, bias (affine),
 *     then the buffers running_mean, running_var, num_batches_tracked (an int64 scalar,
 *     unused in eval mode). */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

typedef struct param_list {
  param_spec *v;
  size_t n, cap;
} param_list;

static void add(param_list *l, int ndim, long long d0, long long d1, long long d2, long long d3,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void add(param_list *l, int ndim, long long d0, long long d1, long long d2, long long d3,
                const char *fmt, ...) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 64;
    l->v = xrealloc(l->v, l->cap * sizeof *l->v);
  }
  param_spec *p = &l->v[l->n++];
  va_list ap;
  va_start(ap, fmt);
  p->name = xvasprintf(fmt, ap);
  va_end(ap);
  p->ndim = ndim;
  p->shape[0] = d0;
  p->shape[1] = d1;
  p->shape[2] = d2;
  p->shape[3] = d3;
  p->buffer = 0;
}

/* nn.Linear(in, out, bias): weight (out, in), bias (out). */
static void linear(param_list *l, const char *name, long long in, long long out, int bias) {
  add(l, 2, out, in, 0, 0, "%s.weight", name);
  if (bias) add(l, 1, out, 0, 0, 0, "%s.bias", name);
}

static void layer_norm(param_list *l, const char *name, long long d) {
  add(l, 1, d, 0, 0, 0, "%s.weight", name);
  add(l, 1, d, 0, 0, 0, "%s.bias", name);
}

size_t model_params(const model_desc *m, param_spec **specs) {
  param_list l = {0};
  const long long D = m->embed_dims, F = m->feedforward_channels;
  const long long P = m->patch_size;
  /* PatchEmbed.init_out_size (mmcv transformer.py): padding='corner' pads the input up to a
   * multiple of the stride, so the grid is ceil(img_size / patch). */
  const long long grid = (long long)((m->img_size[0] + m->patch_size - 1) / m->patch_size) *
                         ((m->img_size[1] + m->patch_size - 1) / m->patch_size);
  char name[96];

  /* backbone: own parameters */
  if (m->with_cls_token) add(&l, 3, 1, 1, D, 0, "backbone.cls_token");
  add(&l, 3, 1, grid + m->pos_extra, D, 0, "backbone.pos_embed");
  if (m->dist_token) add(&l, 3, 1, 1, D, 0, "backbone.dist_token");
  /* backbone.patch_embed: Conv2d(in_channels, D, kernel = stride = patch) */
  add(&l, 4, D, m->in_channels, P, P, "backbone.patch_embed.projection.weight");
  if (m->patch_bias) add(&l, 1, D, 0, 0, 0, "backbone.patch_embed.projection.bias");
  for (int i = 0; i < m->num_layers; i++) {
    snprintf(name, sizeof name, "backbone.layers.%d.ln1", i);
    layer_norm(&l, name, D);
    snprintf(name, sizeof name, "backbone.layers.%d.attn.qkv", i);
    linear(&l, name, D, 3 * D, m->qkv_bias);
    snprintf(name, sizeof name, "backbone.layers.%d.attn.proj", i);
    linear(&l, name, D, D, 1);
    if (m->layer_scale_init_value > 0)
      add(&l, 1, D, 0, 0, 0, "backbone.layers.%d.attn.gamma1.weight", i);
    snprintf(name, sizeof name, "backbone.layers.%d.ln2", i);
    layer_norm(&l, name, D);
    snprintf(name, sizeof name, "backbone.layers.%d.ffn.layers.0.0", i);
    linear(&l, name, D, F, 1);
    snprintf(name, sizeof name, "backbone.layers.%d.ffn.layers.1", i);
    linear(&l, name, F, D, 1);
    if (m->layer_scale_init_value > 0)
      add(&l, 1, D, 0, 0, 0, "backbone.layers.%d.ffn.gamma2.weight", i);
  }
  if (m->pre_norm) layer_norm(&l, "backbone.pre_norm", D);
  if (m->final_norm) layer_norm(&l, "backbone.ln1", D);
  if (m->avg_norm) layer_norm(&l, "backbone.ln2", D);

  /* neck: GlobalAveragePooling has no parameters */
  if (m->neck == NECK_CLS_BN) {
    const long long C = m->neck_in_channels;
    if (m->neck_affine) layer_norm(&l, "neck.bn", C);  /* weight, bias: (C,) each, as LN's */
    add(&l, 1, C, 0, 0, 0, "neck.bn.running_mean");
    l.v[l.n - 1].buffer = PARAM_BUFFER;
    add(&l, 1, C, 0, 0, 0, "neck.bn.running_var");
    l.v[l.n - 1].buffer = PARAM_BUFFER;
    add(&l, 0, 0, 0, 0, 0, "neck.bn.num_batches_tracked");
    l.v[l.n - 1].buffer = PARAM_COUNTER;
  }
  switch (m->head) {
  case HEAD_VIT_CLS:
  case HEAD_DEIT: {
    const long long in = m->hidden_dim > 0 ? m->hidden_dim : m->head_in_channels;
    if (m->hidden_dim > 0)
      linear(&l, "head.layers.pre_logits", m->head_in_channels, m->hidden_dim, 1);
    linear(&l, "head.layers.head", in, m->num_classes, 1);
    if (m->head == HEAD_DEIT) linear(&l, "head.layers.head_dist", in, m->num_classes, 1);
    break;
  }
  case HEAD_LINEAR:
    linear(&l, "head.fc", m->head_in_channels, m->num_classes, 1);
    break;
  case HEAD_NONE:
    break;
  }
  *specs = l.v;
  return l.n;
}

void model_params_free(param_spec *specs, size_t n) {
  for (size_t i = 0; i < n; i++) free(specs[i].name);
  free(specs);
}

long long model_param_count(const model_desc *m) {
  param_spec *s;
  size_t n = model_params(m, &s);
  long long total = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i].buffer) continue;
    long long k = 1;
    for (int d = 0; d < s[i].ndim; d++) k *= s[i].shape[d];
    total += k;
  }
  model_params_free(s, n);
  return total;
}
