/* model_resnet.c: the ResNet family's backbone (model_resnet.h): config -> resnet_desc, and
 * the network's geometry unit by unit.
 *
 * Upstream, mmpretrain v1.2.0 (defaults and semantics cited by file):
 *   [RN]   mmpretrain/models/backbones/resnet.py  ResNet(depth, in_channels=3,
 *          stem_channels=64, base_channels=64, expansion=None, num_stages=4,
 *          strides=(1, 2, 2, 2), dilations=(1, 1, 1, 1), out_indices=(3, ), style='pytorch',
 *          deep_stem=False, avg_down=False, frozen_stages=-1, conv_cfg=None,
 *          norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False, with_cp=False,
 *          zero_init_residual=True, init_cfg=[...], drop_path_rate=0.0);
 *          arch_settings 18/34 BasicBlock (2,2,2,2)/(3,4,6,3), 50/101/152 Bottleneck
 *          (3,4,6,3)/(3,4,23,3)/(3,8,36,3); stage i: out = base_channels * expansion * 2^i;
 *          Bottleneck mid = out / expansion; ResLayer: block 0 gets the stride and a shortcut
 *          when stride != 1 or in != out; ResNetV1c = deep_stem, ResNetV1d = deep_stem +
 *          avg_down (both pass them to ResNet themselves: giving them again is an error).
 *   [RNX]  .../resnext.py  ResNeXt(depth 50/101/152, groups=1, width_per_group=4):
 *          mid = groups * width_per_group * mid // base_channels when groups != 1 (its
 *          assert mid % base_channels == 0 always holds: mid = base_channels * 2^i).
 *   [SE]   .../seresnet.py  SEResNet(depth 50/101/152, se_ratio=16); SE after bn3, before the
 *          add; mmpretrain/models/utils/se_layer.py + make_divisible.py: squeeze =
 *          make_divisible(C // ratio, 8), 1x1 convs with bias, ReLU then Sigmoid.
 *   [CIF]  .../resnet_cifar.py  ResNet_CIFAR(depth, deep_stem=False): conv1 3x3 stride 1
 *          pad 1, no max-pool; deep_stem is refused (assert).
 *   BatchNorm: mmcv build_norm_layer 'BN' = nn.BatchNorm2d, eps default 1e-5.
 * frozen_stages, norm_eval, with_cp, zero_init_residual, drop_path_rate (identity at eval) and
 * init_cfg do not change inference and are ignored. dilations other than 1 are refused. */
#include "model_resnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_get.h"
#include "util.h"

static const char *const types[] = {"ResNet", "ResNetV1c", "ResNetV1d", "ResNeXt", "SEResNet",
                                    "ResNet_CIFAR", NULL};

int resnet_is_type(const char *type) {
  for (const char *const *t = types; type && *t; t++)
    if (!strcmp(*t, type)) return 1;
  return 0;
}

/* [RN] ResNet.__init__ arguments; the subclasses add their own below. */
static const char *const rn_keys[] = {
    "type", "depth", "in_channels", "stem_channels", "base_channels", "expansion",
    "num_stages", "strides", "dilations", "out_indices", "style", "deep_stem", "avg_down",
    "frozen_stages", "conv_cfg", "norm_cfg", "norm_eval", "with_cp", "zero_init_residual",
    "init_cfg", "drop_path_rate", "groups", "width_per_group", "se_ratio", NULL};

static int known(const char *const *keys, const char *k) {
  for (; *keys; keys++)
    if (!strcmp(*keys, k)) return 1;
  return 0;
}

/* A list/tuple of NUM_STAGES positive ints (strides, dilations). */
static int int_seq(const char *file, const cfg_value *bb, const char *key, int n, int def,
                   int out[4]) {
  const cfg_value *v = cfg_get(bb, key);
  for (int i = 0; i < 4; i++) out[i] = def;
  if (!v) {
    if (n != 4)  /* [RN] assert len(strides) == len(dilations) == num_stages */
      return mget_error(file, bb, "num_stages=%d needs '%s' with %d entries (the default has 4)",
                        n, key, n);
    return 0;
  }
  if (cfg_kind_of(v) != CFG_LIST && cfg_kind_of(v) != CFG_TUPLE)
    return mget_error(file, v, "'%s' must be a list or tuple of %d ints", key, n);
  if ((int)cfg_len(v) != n)
    return mget_error(file, v, "'%s' has %zu entries; num_stages is %d", key, cfg_len(v), n);
  for (int i = 0; i < n; i++) {
    const cfg_value *x = cfg_at(v, i);
    if (cfg_kind_of(x) != CFG_INT || cfg_int(x) < 1 || cfg_int(x) > 8)
      return mget_error(file, x, "'%s' entries must be ints in 1..8", key);
    out[i] = (int)cfg_int(x);
  }
  return 0;
}

/* norm_cfg: BN (or SyncBN, the same at inference), eps default 1e-5. */
static int bn_cfg(const char *file, const cfg_value *bb, resnet_desc *r) {
  const cfg_value *nc = cfg_get(bb, "norm_cfg");
  r->bn_eps = 1e-5;
  if (!nc) return 0;
  if (cfg_kind_of(nc) != CFG_DICT) return mget_error(file, nc, "'norm_cfg' must be a dict");
  const char *t = mget_type(nc);
  if (!t || (strcmp(t, "BN") && strcmp(t, "BN2d") && strcmp(t, "SyncBN")))
    return mget_error(file, nc, "unsupported norm_cfg type '%s'; supported: BN, BN2d, SyncBN",
                      t ? t : "(none)");
  static const char *const keys[] = {"type", "eps", "requires_grad", "momentum", NULL};
  for (size_t i = 0; i < cfg_len(nc); i++)
    if (!known(keys, cfg_key_at(nc, i)))
      return mget_error(file, cfg_at(nc, i), "norm_cfg '%s' is not supported (only eps)",
                        cfg_key_at(nc, i));
  if (mget_num(file, nc, "eps", 1e-5, &r->bn_eps)) return -1;
  if (!(r->bn_eps > 0 && r->bn_eps < 1))
    return mget_error(file, cfg_get(nc, "eps"), "norm_cfg eps must be in (0, 1)");
  return 0;
}

static int out_indices(const char *file, const cfg_value *bb, resnet_desc *r) {
  const cfg_value *v = cfg_get(bb, "out_indices");
  long long idx = r->num_stages - 1;
  if (v) {
    const cfg_value *x = v;
    if (cfg_kind_of(v) == CFG_LIST || cfg_kind_of(v) == CFG_TUPLE) {
      if (cfg_len(v) != 1)
        return mget_error(file, v, "out_indices with %zu entries is not supported (mmcc: the "
                                   "last stage only, (%d, ))", cfg_len(v), r->num_stages - 1);
      x = cfg_at(v, 0);
    }
    if (cfg_kind_of(x) != CFG_INT) return mget_error(file, x, "out_indices must be ints");
    idx = cfg_int(x);
    if (idx < 0) idx += r->num_stages;  /* [RN] negative indices count from the end */
    if (idx != r->num_stages - 1)
      return mget_error(file, x, "out_indices=(%lld, ) is not supported (mmcc: the last stage "
                                 "only, (%d, ))", cfg_int(x), r->num_stages - 1);
  }
  r->out_index = (int)idx;
  return 0;
}

/* conv_cfg None or a plain Conv2d. */
static int conv_cfg(const char *file, const cfg_value *bb) {
  const cfg_value *c = cfg_get(bb, "conv_cfg");
  if (!c || cfg_kind_of(c) == CFG_NONE) return 0;
  const char *t = cfg_kind_of(c) == CFG_DICT ? mget_type(c) : NULL;
  if (t && (!strcmp(t, "Conv2d") || !strcmp(t, "Conv")) && cfg_len(c) == 1) return 0;
  return mget_error(file, c, "conv_cfg is not supported (mmcc: None or dict(type='Conv2d'))");
}

static int int_in(const char *file, const cfg_value *bb, const char *key, long long def,
                  long long lo, long long hi, int *out) {
  long long v;
  if (mget_int(file, bb, key, def, &v)) return -1;
  if (v < lo || v > hi)
    return mget_error(file, cfg_get(bb, key), "'%s'=%lld must be in %lld..%lld", key, v, lo, hi);
  *out = (int)v;
  return 0;
}

int resnet_extract(const char *file, const cfg_value *model, model_desc *m) {
  const cfg_value *bb = cfg_get(model, "backbone"), *tv = cfg_get(bb, "type");
  const char *type = mget_type(bb);
  resnet_desc *r = xcalloc(1, sizeof *r);
  m->resnet = r;
  r->type = xstrdup(type);
  r->type_line = tv ? cfg_line(tv) : 0;
  r->type_col = tv ? cfg_col(tv) : 0;
  const int v1c = !strcmp(type, "ResNetV1c"), v1d = !strcmp(type, "ResNetV1d");
  const int next = !strcmp(type, "ResNeXt"), se = !strcmp(type, "SEResNet");
  r->cifar = !strcmp(type, "ResNet_CIFAR");
  for (size_t i = 0; i < cfg_len(bb); i++) {
    const char *k = cfg_key_at(bb, i);
    int ok = known(rn_keys, k);
    if (!next && (!strcmp(k, "groups") || !strcmp(k, "width_per_group"))) ok = 0;
    if (!se && !strcmp(k, "se_ratio")) ok = 0;
    if ((v1c || v1d) && (!strcmp(k, "deep_stem") || !strcmp(k, "avg_down")))
      return mget_error(file, cfg_at(bb, i), "%s sets '%s' itself (upstream: TypeError, got "
                                             "multiple values)", type, k);
    if (!strcmp(k, "contract_dilation"))
      return mget_error(file, cfg_at(bb, i), "'contract_dilation' (dilated ResNets) is not "
                                             "supported by mmcc");
    if (!ok) return mget_error(file, cfg_at(bb, i), "unknown %s argument '%s'", type, k);
  }
  /* depth -> block kind and stage blocks */
  long long depth;
  if (!cfg_get(bb, "depth")) return mget_error(file, bb, "%s needs 'depth'", type);
  if (mget_int(file, bb, "depth", 0, &depth)) return -1;
  static const struct { int depth, bottleneck, blocks[4]; } arch[] = {
      {18, 0, {2, 2, 2, 2}}, {34, 0, {3, 4, 6, 3}}, {50, 1, {3, 4, 6, 3}},
      {101, 1, {3, 4, 23, 3}}, {152, 1, {3, 8, 36, 3}}};
  int a = -1;
  for (int i = 0; i < 5; i++)
    if (arch[i].depth == depth && (arch[i].bottleneck || !(next || se))) a = i;
  if (a < 0)
    return mget_error(file, cfg_get(bb, "depth"), "invalid depth %lld for %s (%s)", depth, type,
                      next || se ? "50, 101 or 152" : "18, 34, 50, 101 or 152");
  r->depth = (int)depth;
  r->block = arch[a].bottleneck ? RESNET_BOTTLENECK : RESNET_BASIC;
  memcpy(r->stage_blocks, arch[a].blocks, sizeof r->stage_blocks);
  /* widths */
  const char *style;
  int dil[4], def_exp = r->block == RESNET_BOTTLENECK ? 4 : 1;
  if (int_in(file, bb, "in_channels", 3, 1, 64, &r->in_channels) ||
      int_in(file, bb, "stem_channels", 64, 2, 65536, &r->stem_channels) ||
      int_in(file, bb, "base_channels", 64, 1, 65536, &r->base_channels) ||
      int_in(file, bb, "num_stages", 4, 1, 4, &r->num_stages))
    return -1;
  const cfg_value *ev = cfg_get(bb, "expansion");
  if (ev && cfg_kind_of(ev) != CFG_NONE) {
    if (int_in(file, bb, "expansion", def_exp, 1, 64, &r->expansion)) return -1;
    if (r->block == RESNET_BASIC && r->expansion != 1)  /* [RN] BasicBlock asserts it */
      return mget_error(file, ev, "BasicBlock (depth %d) needs expansion 1", r->depth);
  } else {
    r->expansion = def_exp;
  }
  if (int_seq(file, bb, "strides", r->num_stages, 1, r->strides) ||
      int_seq(file, bb, "dilations", r->num_stages, 1, dil) ||
      out_indices(file, bb, r) || bn_cfg(file, bb, r) || conv_cfg(file, bb) ||
      mget_str(file, bb, "style", "pytorch", &style) ||
      mget_bool(file, bb, "deep_stem", v1c || v1d, &r->deep_stem) ||
      mget_bool(file, bb, "avg_down", v1d, &r->avg_down))
    return -1;
  if (!cfg_get(bb, "strides")) r->strides[0] = 1, r->strides[1] = r->strides[2] = r->strides[3] = 2;
  for (int i = 0; i < r->num_stages; i++)
    if (dil[i] != 1)
      return mget_error(file, cfg_get(bb, "dilations"), "dilations other than 1 are not "
                                                        "supported by mmcc (stage %d: %d)", i, dil[i]);
  if (strcmp(style, "pytorch") && strcmp(style, "caffe"))
    return mget_error(file, cfg_get(bb, "style"), "style must be 'pytorch' or 'caffe', not '%s'",
                      style);
  r->caffe_style = !strcmp(style, "caffe");
  if (r->cifar && r->deep_stem)  /* [CIF] assert not deep_stem */
    return mget_error(file, cfg_get(bb, "deep_stem"), "ResNet_CIFAR does not support deep_stem");
  r->groups = 1;
  r->width_per_group = 4;
  if (next && (int_in(file, bb, "groups", 1, 1, 4096, &r->groups) ||
               int_in(file, bb, "width_per_group", 4, 1, 4096, &r->width_per_group)))
    return -1;
  if (se && int_in(file, bb, "se_ratio", 16, 1, 65536, &r->se_ratio)) return -1;
  /* every stage's widths must be whole (mid channels, group divisibility) */
  int out = r->base_channels * r->expansion, in = r->stem_channels;
  for (int i = 0; i < r->num_stages; i++) {
    int mid = out / r->expansion;
    if (r->groups != 1) {
      long long g = (long long)r->groups * r->width_per_group * mid / r->base_channels;
      if (g <= 0 || g > 1 << 20 || g % r->groups)
        return mget_error(file, cfg_get(bb, "groups"), "groups=%d, width_per_group=%d give %lld "
                          "mid channels in stage %d, not a positive multiple of groups",
                          r->groups, r->width_per_group, g, i);
    }
    if (out > 1 << 20) return mget_error(file, bb, "stage %d would have %d channels", i, out);
    in = out;
    out *= 2;
  }
  r->out_channels = in;
  if (r->deep_stem && r->stem_channels % 2)
    return mget_error(file, cfg_get(bb, "stem_channels"), "deep_stem needs an even stem_channels");
  m->in_channels = r->in_channels;
  m->img_size[0] = m->img_size[1] = r->cifar ? 32 : 224;
  return 0;
}

int resnet_check_dataflow(const char *file, const cfg_value *model, model_desc *m) {
  const cfg_value *h = cfg_get(model, "head");
  if (m->neck != NECK_GAP)
    return mget_error(file, cfg_get(model, "neck") ? cfg_get(model, "neck") : model,
                      "a %s backbone's featmap must be reduced by a GlobalAveragePooling neck",
                      m->resnet->type);
  if (m->head == HEAD_VIT_CLS)
    return mget_error(file, h, "VisionTransformerClsHead cannot follow a %s backbone "
                               "(LinearClsHead can)", m->resnet->type);
  if (m->head != HEAD_NONE && m->head_in_channels != m->resnet->out_channels)
    return mget_error(file, cfg_get(h, "in_channels"),
                      "head in_channels=%d does not match the backbone's %d output channels",
                      m->head_in_channels, m->resnet->out_channels);
  m->output_dim = m->head != HEAD_NONE ? m->num_classes : m->resnet->out_channels;
  return 0;
}

void resnet_free(resnet_desc *r) {
  if (!r) return;
  free(r->type);
  free(r);
}

/* {====================================================================== geometry */

static void conv(resnet_conv *c, const char *name, const char *bn, int cin, int cout, int k,
                 int stride, int groups) {
  snprintf(c->name, sizeof c->name, "%s", name);
  snprintf(c->bn, sizeof c->bn, "%s", bn);
  c->cin = cin;
  c->cout = cout;
  c->k = k;
  c->stride = stride;
  c->pad = k / 2;
  c->groups = groups;
}

int resnet_stem(const resnet_desc *r, resnet_conv out[3], int *maxpool) {
  *maxpool = !r->cifar;
  if (r->cifar) {
    conv(&out[0], "backbone.conv1", "backbone.bn1", r->in_channels, r->stem_channels, 3, 1, 1);
    return 1;
  }
  if (!r->deep_stem) {
    conv(&out[0], "backbone.conv1", "backbone.bn1", r->in_channels, r->stem_channels, 7, 2, 1);
    return 1;
  }
  const int half = r->stem_channels / 2;
  conv(&out[0], "backbone.stem.0.conv", "backbone.stem.0.bn", r->in_channels, half, 3, 2, 1);
  conv(&out[1], "backbone.stem.1.conv", "backbone.stem.1.bn", half, half, 3, 1, 1);
  conv(&out[2], "backbone.stem.2.conv", "backbone.stem.2.bn", half, r->stem_channels, 3, 1, 1);
  return 3;
}

int resnet_se_channels(int channels, int ratio) {
  /* make_divisible(value, divisor=8, min_value=None, min_ratio=0.9) */
  const int value = channels / ratio, divisor = 8;
  int v = (int)(value + divisor / 2.0) / divisor * divisor;
  if (v < divisor) v = divisor;
  if (v < 0.9 * value) v += divisor;
  return v;
}

size_t resnet_blocks(const resnet_desc *r, resnet_block **outp) {
  size_t n = 0, k = 0;
  for (int i = 0; i < r->num_stages; i++) n += (size_t)r->stage_blocks[i];
  resnet_block *v = xcalloc(n ? n : 1, sizeof *v);
  int in = r->stem_channels, out = r->base_channels * r->expansion;
  char p[40], a[64], b[64];
  for (int i = 0; i < r->num_stages; i++) {
    int mid = out / r->expansion;
    if (r->groups != 1) mid = r->groups * r->width_per_group * mid / r->base_channels;
    for (int j = 0; j < r->stage_blocks[i]; j++, k++) {
      resnet_block *bl = &v[k];
      const int s = j == 0 ? r->strides[i] : 1, cin = j == 0 ? in : out;
      snprintf(p, sizeof p, "backbone.layer%d.%d", i + 1, j);
      bl->stage = i;
      bl->index = j;
#define NAMES(cv, bn) (snprintf(a, sizeof a, "%s." cv, p), snprintf(b, sizeof b, "%s." bn, p))
      if (r->block == RESNET_BASIC) {
        bl->nconv = 2;
        NAMES("conv1", "bn1");
        conv(&bl->conv[0], a, b, cin, out, 3, s, 1);
        NAMES("conv2", "bn2");
        conv(&bl->conv[1], a, b, out, out, 3, 1, 1);
      } else {
        bl->nconv = 3;
        NAMES("conv1", "bn1");
        conv(&bl->conv[0], a, b, cin, mid, 1, r->caffe_style ? s : 1, 1);
        NAMES("conv2", "bn2");
        conv(&bl->conv[1], a, b, mid, mid, 3, r->caffe_style ? 1 : s, r->groups);
        NAMES("conv3", "bn3");
        conv(&bl->conv[2], a, b, mid, out, 1, 1, 1);
      }
      if (j == 0 && (s != 1 || cin != out)) {
        bl->has_down = 1;
        bl->down_pool = r->avg_down && s != 1 ? s : 0;
        if (bl->down_pool) NAMES("downsample.1", "downsample.2");
        else NAMES("downsample.0", "downsample.1");
        conv(&bl->down, a, b, cin, out, 1, bl->down_pool ? 1 : s, 1);
      }
#undef NAMES
      if (r->se_ratio) {
        bl->se_channels = resnet_se_channels(out, r->se_ratio);
        snprintf(bl->se, sizeof bl->se, "%s.se_layer", p);
      }
    }
    in = out;
    out *= 2;
  }
  *outp = v;
  return n;
}

/* }====================================================================== */

/* {====================================================================== parameters */

static void p_conv(resnet_param_fn add, void *ctx, const resnet_conv *c) {
  long long w[4] = {c->cout, c->cin / c->groups, c->k, c->k};
  char n[96];
  snprintf(n, sizeof n, "%s.weight", c->name);
  add(ctx, 0, 4, w, n);
}

/* nn.BatchNorm2d state: weight, bias (parameters), running_mean, running_var,
 * num_batches_tracked (int64 scalar, unused at eval). */
static void p_bn(resnet_param_fn add, void *ctx, const char *name, long long ch) {
  static const char *const sfx[] = {"weight", "bias", "running_mean", "running_var"};
  long long s[4] = {ch, 0, 0, 0};
  char n[96];
  for (int i = 0; i < 4; i++) {
    snprintf(n, sizeof n, "%s.%s", name, sfx[i]);
    add(ctx, i < 2 ? 0 : PARAM_BUFFER, 1, s, n);
  }
  snprintf(n, sizeof n, "%s.num_batches_tracked", name);
  add(ctx, PARAM_COUNTER, 0, s, n);
}

static void p_conv_bn(resnet_param_fn add, void *ctx, const resnet_conv *c) {
  p_conv(add, ctx, c);
  p_bn(add, ctx, c->bn, c->cout);
}

void resnet_params(const resnet_desc *r, resnet_param_fn add, void *ctx) {
  resnet_conv stem[3];
  resnet_block *bl;
  int maxpool, ns = resnet_stem(r, stem, &maxpool);
  for (int i = 0; i < ns; i++) p_conv_bn(add, ctx, &stem[i]);
  size_t nb = resnet_blocks(r, &bl);
  for (size_t i = 0; i < nb; i++) {
    for (int c = 0; c < bl[i].nconv; c++) p_conv_bn(add, ctx, &bl[i].conv[c]);
    if (bl[i].has_down) p_conv_bn(add, ctx, &bl[i].down);
    if (bl[i].se_channels) {  /* SELayer: conv1 C -> S, conv2 S -> C, 1x1 with bias */
      const long long C = bl[i].conv[bl[i].nconv - 1].cout, S = bl[i].se_channels;
      long long w1[4] = {S, C, 1, 1}, b1[1] = {S}, w2[4] = {C, S, 1, 1}, b2[1] = {C};
      char n[96];
      snprintf(n, sizeof n, "%s.conv1.conv.weight", bl[i].se);
      add(ctx, 0, 4, w1, n);
      snprintf(n, sizeof n, "%s.conv1.conv.bias", bl[i].se);
      add(ctx, 0, 1, b1, n);
      snprintf(n, sizeof n, "%s.conv2.conv.weight", bl[i].se);
      add(ctx, 0, 4, w2, n);
      snprintf(n, sizeof n, "%s.conv2.conv.bias", bl[i].se);
      add(ctx, 0, 1, b2, n);
    }
  }
  free(bl);
}

/* }====================================================================== */

void resnet_json(const resnet_desc *r, strbuf *b) {
  char eps[32];
  fmt_py_float(eps, r->bn_eps);
  sb_printf(b, "{\"type\": \"%s\", \"depth\": %d, \"block\": \"%s\", \"num_stages\": %d, "
               "\"stage_blocks\": [", r->type, r->depth,
            r->block == RESNET_BASIC ? "BasicBlock" : "Bottleneck", r->num_stages);
  for (int i = 0; i < r->num_stages; i++) sb_printf(b, i ? ", %d" : "%d", r->stage_blocks[i]);
  sb_puts(b, "], \"strides\": [");
  for (int i = 0; i < r->num_stages; i++) sb_printf(b, i ? ", %d" : "%d", r->strides[i]);
  sb_printf(b, "], \"in_channels\": %d, \"stem_channels\": %d, \"base_channels\": %d, "
               "\"expansion\": %d, \"stem\": \"%s\", \"avg_down\": %s, \"style\": \"%s\", "
               "\"groups\": %d, \"width_per_group\": %d, \"se_ratio\": %d, \"bn_eps\": %s, "
               "\"out_index\": %d, \"out_channels\": %d}",
            r->in_channels, r->stem_channels, r->base_channels, r->expansion,
            r->cifar ? "cifar" : r->deep_stem ? "deep" : "conv7x7",
            r->avg_down ? "true" : "false", r->caffe_style ? "caffe" : "pytorch", r->groups,
            r->width_per_group, r->se_ratio, eps, r->out_index, r->out_channels);
}
