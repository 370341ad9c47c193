/* model.c: resolved config (+ metafile entry) -> model_desc (model.h).
 *
 * Every default filled in here is upstream's, cited by file:
 *   [VIT]  mmpretrain v1.2.0 mmpretrain/models/backbones/vision_transformer.py
 *   [VIT0] the CLIP commit 5b266d9e7c mmcls/models/backbones/vision_transformer.py (0.x option
 *          names output_cls_token / avg_token; mmcls v0.25 has the same minus avg_token)
 *   [VITH] mmpretrain v1.2.0 mmpretrain/models/heads/vision_transformer_head.py
 *   [LIN]  mmpretrain v1.2.0 mmpretrain/models/heads/linear_head.py
 *   [GAP]  mmpretrain v1.2.0 mmpretrain/models/necks/gap.py
 *   [DEIT] mmpretrain v1.2.0 mmpretrain/models/backbones/deit.py (DistilledVisionTransformer)
 *   [DEIT3] mmpretrain v1.2.0 mmpretrain/models/backbones/deit3.py
 *   [DEITH] mmpretrain v1.2.0 mmpretrain/models/heads/deit_head.py (DeiTClsHead)
 *   [BNN]  mmpretrain v1.2.0 mmpretrain/models/necks/mae_neck.py (ClsBatchNormNeck)
 *   [MOCO] mmpretrain v1.2.0 mmpretrain/models/selfsup/mocov3.py (MoCoV3ViT)
 *   [PE]   mmcv v2.1.0 mmcv/cnn/bricks/transformer.py (PatchEmbed, FFN)
 * Preprocessing (the test pipeline) is model_pipe.c; parameter names/shapes model_params.c.
 *
 * What the fields mean for the stages after this one (checkpoint check, codegen):
 *   - num_extra_tokens: rows of pos_embed before the patch rows; with_cls_token says whether
 *     backbone.cls_token exists. Both are 1 for every model mmcc accepts from 0.x options.
 *   - avg_norm: backbone.ln2 exists. It is applied only when out_type == VIT_OUT_AVG_FEATMAP
 *     (a 0.x config with output_cls_token=True and avg_token=True has ln2 but outputs the
 *     class token).
 *   - out_type after the last layer (and ln1 when final_norm): CLS_TOKEN = token 0;
 *     AVG_FEATMAP = ln2(mean of the patch tokens); FEATMAP = the patch tokens as (D, gh, gw),
 *     accepted only with neck == NECK_GAP, which averages them (no LayerNorm); RAW is never
 *     accepted (extraction fails). The vector then goes to the head, or is the output
 *     (output_dim = embed_dims) for a headless model.
 *   - out_index is always num_layers - 1 (other out_indices are rejected).
 *   - input_size need not be a multiple of patch_size: upstream's PatchEmbed (padding='corner')
 *     zero-pads the bottom/right to the next multiple. The pos_embed grid is
 *     ceil(img_size / patch_size) per side.
 *   - interpolate_mode is always "bicubic" (others are rejected).
 *   - The ViT family (model.h "ViT family" fields): DistilledVisionTransformer = a
 *     VisionTransformer with a distillation token after the class token (num_extra_tokens 2,
 *     pos_embed rows for both, pre_norm never applied) whose 'cls_token' output is the pair
 *     (token 0, token 1), taken only by DeiTClsHead; DeiT3 = pos_embed over the patches only,
 *     added before the class token is prepended, layer scale (use_layer_scale), and the FFN
 *     branch normalised by ln1 (ln2 unused); no avg_featmap (it has no backbone ln2).
 *     MoCoV3ViT = a VisionTransformer (BB_VIT's fields exactly) with one more arch and a
 *     few training-only arguments: see mocov3() below. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "meta.h"
#include "model.h"
#include "model_get.h"
#include "model_resnet.h"
#include "model_pipe.h"
#include "util.h"

/* [VIT] VisionTransformer.arch_zoo, the entries mmcc supports.  ORDER: as upstream lists them */
typedef struct vit_arch {
  const char *names[4];
  int embed_dims, num_layers, num_heads, feedforward_channels;
} vit_arch;
/* [VIT] arch_zoo, all of it (DistilledVisionTransformer uses the same table). */
static const vit_arch vit_archs[] = {
    {{"s", "small"}, 768, 8, 8, 768 * 3},
    {{"b", "base"}, 768, 12, 12, 3072},
    {{"l", "large"}, 1024, 24, 16, 4096},
    {{"h", "huge"}, 1280, 32, 16, 5120},
    {{"eva-g", "eva-giant"}, 1408, 40, 16, 6144},
    {{"deit-t", "deit-tiny"}, 192, 12, 3, 192 * 4},
    {{"deit-s", "deit-small", "dinov2-s", "dinov2-small"}, 384, 12, 6, 384 * 4},
    {{"deit-b", "deit-base"}, 768, 12, 12, 768 * 4},
    {{"dinov2-g", "dinov2-giant"}, 1536, 40, 24, 6144},
    {{NULL}, 0, 0, 0, 0},
};
/* [DEIT3] DeiT3.arch_zoo.  ORDER: as upstream lists them */
static const vit_arch deit3_archs[] = {
    {{"s", "small"}, 384, 12, 6, 1536},
    {{"m", "medium"}, 512, 12, 8, 2048},
    {{"b", "base"}, 768, 12, 12, 3072},
    {{"l", "large"}, 1024, 24, 16, 4096},
    {{"h", "huge"}, 1280, 32, 16, 5120},
    {{NULL}, 0, 0, 0, 0},
};
/* [MOCO] MoCoV3ViT.__init__ adds these to VisionTransformer.arch_zoo (arch_zoo.update, after
 * the entries above); 12 heads of 32. */
static const vit_arch mocov3_archs[] = {
    {{"mocov3-s", "mocov3-small"}, 384, 12, 12, 1536},
    {{NULL}, 0, 0, 0, 0},
};
#define ARCH_DICT "or a dict with embed_dims, num_layers, num_heads, feedforward_channels"

/* Every VisionTransformer.__init__ argument of [VIT] and [VIT0]; anything else is an error
 * (upstream raises TypeError). */
static const char *const vit_keys[] = {
    "type", "arch", "img_size", "patch_size", "in_channels", "out_indices", "drop_rate",
    "drop_path_rate", "qkv_bias", "norm_cfg", "final_norm", "out_type", "with_cls_token",
    "frozen_stages", "interpolate_mode", "layer_scale_init_value", "patch_cfg", "layer_cfgs",
    "pre_norm", "init_cfg", "avg_token", "output_cls_token", NULL};
/* [DEIT] DistilledVisionTransformer(arch='deit-base', *args, **kwargs) passes
 * with_cls_token=True itself (a config giving it is a TypeError upstream); 1.x keys only. */
static const char *const distilled_keys[] = {
    "type", "arch", "img_size", "patch_size", "in_channels", "out_indices", "drop_rate",
    "drop_path_rate", "qkv_bias", "norm_cfg", "final_norm", "out_type", "frozen_stages",
    "interpolate_mode", "layer_scale_init_value", "patch_cfg", "layer_cfgs", "pre_norm",
    "init_cfg", NULL};
/* [DEIT3] DeiT3.__init__ */
static const char *const deit3_keys[] = {
    "type", "arch", "img_size", "patch_size", "in_channels", "out_indices", "drop_rate",
    "drop_path_rate", "qkv_bias", "norm_cfg", "final_norm", "out_type", "with_cls_token",
    "use_layer_scale", "interpolate_mode", "patch_cfg", "layer_cfgs", "init_cfg", NULL};
/* [MOCO] MoCoV3ViT(stop_grad_conv1, frozen_stages, norm_eval, init_cfg, **kwargs): the rest
 * goes to VisionTransformer (1.x names only; its own frozen_stages stays -1). */
static const char *const mocov3_keys[] = {
    "type", "arch", "img_size", "patch_size", "in_channels", "out_indices", "drop_rate",
    "drop_path_rate", "qkv_bias", "norm_cfg", "final_norm", "out_type", "with_cls_token",
    "frozen_stages", "interpolate_mode", "layer_scale_init_value", "patch_cfg", "layer_cfgs",
    "pre_norm", "init_cfg", "stop_grad_conv1", "norm_eval", NULL};

#define BACKBONES "VisionTransformer, DistilledVisionTransformer, DeiT3, " RESNET_TYPES ", MoCoV3ViT"
#define NECKS "None, GlobalAveragePooling, ClsBatchNormNeck"
#define HEADS "VisionTransformerClsHead, DeiTClsHead, LinearClsHead, None"

/* Backbones of mmpretrain that are ViT-like but need a kind of op mmcc does not have: a hint
 * after the "not supported" error. */
static const struct { const char *type, *why; } vit_like[] = {
    {"BEiTViT", "relative position bias"},
    {"BEiTPretrainViT", "relative position bias"},
    {"ViTEVA02", "rotary position embedding and SwiGLU"},
    {"MAEViT", "a masked pre-training backbone"},
    {NULL, NULL},
};

static int known_key(const char *const *keys, const char *k) {
  for (; *keys; keys++)
    if (!strcmp(*keys, k)) return 1;
  return 0;
}

/* {====================================================================== backbone */

/* The names of TABLE then MORE (NULL: none), for messages ("s/small, b/base, ..."). */
static char *arch_list(const vit_arch *table, const vit_arch *more) {
  strbuf b;
  sb_init(&b);
  for (int i = 0; i < 2; i++)
    for (const vit_arch *t = i ? more : table; t && t->names[0]; t++) {
      if (b.len) sb_puts(&b, ", ");
      for (int k = 0; k < 4 && t->names[k]; k++) sb_printf(&b, "%s%s", k ? "/" : "", t->names[k]);
    }
  sb_puts(&b, ", " ARCH_DICT);
  return b.s;
}

static const vit_arch *arch_find(const vit_arch *table, const char *name) {
  for (const vit_arch *t = table; t->names[0]; t++)
    for (int k = 0; k < 4 && t->names[k]; k++)
      if (!strcmp(name, t->names[k])) return t;
  return NULL;
}

/* arch: a name of TABLE or MORE (a backbone's additions, NULL: none), or a dict. */
static int arch_dims(const char *file, const cfg_value *bb, const vit_arch *table,
                     const vit_arch *more, const char *def, model_desc *m) {
  const cfg_value *a = cfg_get(bb, "arch");
  if (!a || cfg_kind_of(a) == CFG_STR) {
    /* [VIT]/[DEIT3] the name is lower-cased before lookup; default 'base' ([DEIT]
     * 'deit-base') */
    const char *given = a ? cfg_str(a) : def;
    char low[32];
    size_t n = strlen(given);
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
      low[i] = (char)(given[i] >= 'A' && given[i] <= 'Z' ? given[i] + 32 : given[i]);
    low[n] = 0;
    const vit_arch *t = arch_find(table, low);
    if (!t && more) t = arch_find(more, low);
    if (t) {
      m->arch = xstrdup(given);
      m->embed_dims = t->embed_dims;
      m->num_layers = t->num_layers;
      m->num_heads = t->num_heads;
      m->feedforward_channels = t->feedforward_channels;
      return 0;
    }
    char *list = arch_list(table, more);
    mget_error(file, a ? a : bb, "unsupported %s arch '%s'; supported: %s", mget_type(bb),
               given, list);
    free(list);
    return -1;
  }
  if (cfg_kind_of(a) != CFG_DICT) {
    char *list = arch_list(table, more);
    mget_error(file, a, "'arch' must be a string or a dict; supported: %s", list);
    free(list);
    return -1;
  }
  static const char *const need[] = {"embed_dims", "num_layers", "num_heads",
                                     "feedforward_channels"};
  long long v[4];
  for (int i = 0; i < 4; i++) {
    if (!cfg_get(a, need[i]))
      return mget_error(file, a, "custom arch needs the keys embed_dims, num_layers, num_heads "
                                 "and feedforward_channels ('%s' is missing)", need[i]);
    if (mget_int(file, a, need[i], 0, &v[i])) return -1;
    if (v[i] <= 0 || v[i] > 65536)
      return mget_error(file, cfg_get(a, need[i]), "'%s' must be in 1..65536, not %lld",
                        need[i], v[i]);
  }
  m->arch = xstrdup("custom");
  m->embed_dims = (int)v[0];
  m->num_layers = (int)v[1];
  m->num_heads = (int)v[2];
  m->feedforward_channels = (int)v[3];
  if (m->embed_dims % m->num_heads)
    return mget_error(file, a, "embed_dims %d is not a multiple of num_heads %d", m->embed_dims,
                      m->num_heads);
  return 0;
}

/* norm_cfg: [VIT] default dict(type='LN', eps=1e-6); a norm_cfg given without eps gets
 * eps 1e-5 (mmpretrain v1.2.0 models/utils/norm.py build_norm_layer: setdefault('eps', 1e-5);
 * mmcv's build_norm_layer and nn.LayerNorm default to 1e-5 as well). Other LayerNorm
 * arguments (elementwise_affine=False, ...) would change the parameters: refused. */
static int norm_cfg(const char *file, const cfg_value *bb, model_desc *m) {
  const cfg_value *nc = cfg_get(bb, "norm_cfg");
  m->norm_eps = 1e-6;
  if (!nc) return 0;
  if (cfg_kind_of(nc) != CFG_DICT) return mget_error(file, nc, "'norm_cfg' must be a dict");
  const char *t = mget_type(nc);
  if (!t || (strcmp(t, "LN") && strcmp(t, "LayerNorm")))
    return mget_error(file, nc, "unsupported norm_cfg type '%s'; supported: LN",
                      t ? t : "(none)");
  static const char *const norm_keys[] = {"type", "eps", "requires_grad", NULL};
  for (size_t i = 0; i < cfg_len(nc); i++)
    if (!known_key(norm_keys, cfg_key_at(nc, i)))
      return mget_error(file, cfg_at(nc, i), "norm_cfg '%s' is not supported (only eps)",
                        cfg_key_at(nc, i));
  return mget_num(file, nc, "eps", 1e-5, &m->norm_eps);
}

/* An empty dict (or absent): patch_cfg / layer_cfgs overrides are not supported. */
static int empty_dict(const char *file, const cfg_value *bb, const char *key) {
  const cfg_value *v = cfg_get(bb, key);
  if (!v || ((cfg_kind_of(v) == CFG_DICT || cfg_kind_of(v) == CFG_LIST) && cfg_len(v) == 0))
    return 0;
  return mget_error(file, v, "%s '%s' overrides are not supported by mmcc", mget_type(bb), key);
}

/* out_type, class token, extra tokens, avg LayerNorm: [VIT] (1.x out_type) or [VIT0] (0.x
 * output_cls_token / avg_token). Without either set, both mean a class-token output. */
static int output_kind(const char *file, const cfg_value *bb, model_desc *m) {
  const cfg_value *ot = cfg_get(bb, "out_type");
  const cfg_value *oct = cfg_get(bb, "output_cls_token"), *avg = cfg_get(bb, "avg_token");
  if (mget_bool(file, bb, "with_cls_token", 1, &m->with_cls_token)) return -1;
  if (ot && (oct || avg))
    return mget_error(file, ot, "'out_type' (mmpretrain 1.x) cannot be combined with "
                                "'output_cls_token'/'avg_token' (0.x)");
  if (oct || avg) {
    int out_cls, avg_token;
    if (mget_bool(file, bb, "output_cls_token", 1, &out_cls) ||
        mget_bool(file, bb, "avg_token", 0, &avg_token))
      return -1;
    if (out_cls && !m->with_cls_token)  /* [VIT0] assert */
      return mget_error(file, oct ? oct : bb,
                        "with_cls_token must be True when output_cls_token is True");
    if (!m->with_cls_token)
      return mget_error(file, cfg_get(bb, "with_cls_token"),
                        "with_cls_token=False with the 0.x options (the class token is dropped "
                        "after pre_norm) is not supported by mmcc");
    /* [VIT0]: the class token and its pos_embed row always exist; ln2 exists iff avg_token.
     * output_cls_token=True outputs [patch_token, cls_token]; VisionTransformerClsHead (and
     * mmcc for a headless model) takes the class token, so avg_token's ln2 is then unused.
     * output_cls_token=False outputs the patch featmap, or its ln2-normed mean (avg_token). */
    m->num_extra_tokens = 1;
    m->avg_norm = avg_token;
    m->out_type = out_cls ? VIT_OUT_CLS_TOKEN : avg_token ? VIT_OUT_AVG_FEATMAP : VIT_OUT_FEATMAP;
    return 0;
  }
  const char *s;
  if (mget_str(file, bb, "out_type", "cls_token", &s)) return -1;
  if (!strcmp(s, "cls_token")) m->out_type = VIT_OUT_CLS_TOKEN;
  else if (!strcmp(s, "featmap")) m->out_type = VIT_OUT_FEATMAP;
  else if (!strcmp(s, "avg_featmap")) m->out_type = VIT_OUT_AVG_FEATMAP;
  else if (!strcmp(s, "raw")) m->out_type = VIT_OUT_RAW;
  else
    return mget_error(file, ot, "unknown out_type '%s'; supported: cls_token, featmap, "
                                "avg_featmap, raw", s);
  if (!m->with_cls_token && m->out_type == VIT_OUT_CLS_TOKEN)  /* [VIT] ValueError */
    return mget_error(file, cfg_get(bb, "with_cls_token"),
                      "with_cls_token must be True when out_type is 'cls_token'");
  m->num_extra_tokens = m->with_cls_token;  /* [VIT]: no cls_token parameter without it */
  m->avg_norm = m->out_type == VIT_OUT_AVG_FEATMAP;
  return 0;
}

/* out_indices: [VIT] default -1; negative entries count from num_layers. mmcc compiles the
 * output of the last layer only. */
static int out_indices(const char *file, const cfg_value *bb, model_desc *m) {
  const cfg_value *v = cfg_get(bb, "out_indices");
  long long idx = -1;
  if (v) {
    const cfg_value *e = v;
    cfg_kind k = cfg_kind_of(v);
    if (k == CFG_LIST || k == CFG_TUPLE) {
      if (cfg_len(v) != 1)
        return mget_error(file, v, "mmcc supports a single out_indices entry (the last layer), "
                                   "not %zu", cfg_len(v));
      e = cfg_at(v, 0);
    }
    if (cfg_kind_of(e) != CFG_INT)
      return mget_error(file, e, "'out_indices' must be an int or a list of ints");
    idx = cfg_int(e);
  }
  if (idx < 0) idx += m->num_layers;
  if (idx != m->num_layers - 1)
    return mget_error(file, v, "out_indices %lld: mmcc supports only the last layer (%d, or -1)",
                      idx, m->num_layers - 1);
  m->out_index = (int)idx;
  return 0;
}

/* Records that mmcc build cannot compile this (yet), at AT's place (model.h nyc_*): a family
 * whose front end exists but whose lowering does not (none today). The first
 * reason wins. */
__attribute__((unused)) /* every family compiles today; kept for the next */
static void not_yet_compiled(const char *file, const cfg_value *at, model_desc *m,
                             const char *what) {
  if (m->nyc_what) return;
  m->nyc_what = xstrdup(what);
  m->nyc_file = xstrdup(at && cfg_file(at) ? cfg_file(at) : file);
  m->nyc_line = at && cfg_file(at) ? cfg_line(at) : 0;
  m->nyc_col = at && cfg_file(at) ? cfg_col(at) : 0;
}

/* [MOCO] MoCoV3ViT at test time is its VisionTransformer: forward, _format_output, the
 * load-time pos_embed hook and every state-dict key are inherited unchanged. What it adds:
 *   - the arch 'mocov3-s'/'mocov3-small' (mocov3_archs);
 *   - init_weights: a fixed 2-D sin-cos pos_embed, but only when init_cfg is not
 *     'Pretrained', and into the pos_embed nn.Parameter (requires_grad False): it is in the
 *     state dict and the checkpoint's values are the ones used (the metafile counts its
 *     197 x 384 rows: 22,050,664 for vit-small), so mmcc computes nothing;
 *   - stop_grad_conv1, frozen_stages, norm_eval: requires_grad / train-mode switches only.
 * Its __init__ fails on some settings; mmcc refuses those configs, naming the key. */
static int mocov3(const char *file, const cfg_value *bb, model_desc *m) {
  int stop_grad, norm_eval;
  long long frozen;
  if (mget_bool(file, bb, "stop_grad_conv1", 0, &stop_grad) ||
      mget_bool(file, bb, "norm_eval", 0, &norm_eval) ||
      mget_int(file, bb, "frozen_stages", -1, &frozen))
    return -1;
  if (!cfg_get(bb, "patch_size"))  /* self.patch_size = kwargs['patch_size'] */
    return mget_error(file, bb, "MoCoV3ViT needs model.backbone.patch_size (upstream reads "
                                "kwargs['patch_size']: KeyError without it)");
  if (stop_grad && !m->patch_bias)  /* projection.bias.requires_grad on a None bias */
    return mget_error(file, cfg_get(bb, "stop_grad_conv1"),
                      "MoCoV3ViT model.backbone.stop_grad_conv1=True with pre_norm=True fails "
                      "upstream (the patch Conv2d has no bias to freeze)");
  if (frozen >= 0 && !m->with_cls_token)  /* cls_token.requires_grad on None */
    return mget_error(file, cfg_get(bb, "frozen_stages"),
                      "MoCoV3ViT model.backbone.frozen_stages=%lld with with_cls_token=False "
                      "fails upstream (no class token to freeze)", frozen);
  if (frozen > m->num_layers)  /* self.layers[i - 1] for i up to frozen_stages */
    return mget_error(file, cfg_get(bb, "frozen_stages"),
                      "MoCoV3ViT model.backbone.frozen_stages=%lld is more than its %d layers "
                      "(upstream: IndexError)", frozen, m->num_layers);
  return 0;
}

static int backbone(const char *file, const cfg_value *model, model_desc *m) {
  const cfg_value *bb = cfg_get(model, "backbone");
  if (!bb || cfg_kind_of(bb) != CFG_DICT)
    return mget_error(file, bb ? bb : model, "model has no backbone dict");
  const char *type = mget_type(bb);
  const cfg_value *tv = cfg_get(bb, "type") ? cfg_get(bb, "type") : bb;
  const char *const *keys;
  const vit_arch *table = vit_archs, *more = NULL;
  const char *def_arch = "base";
  if (type && !strcmp(type, "VisionTransformer")) {
    m->backbone = BB_VIT;
    keys = vit_keys;
  } else if (type && !strcmp(type, "DistilledVisionTransformer")) {
    m->backbone = BB_DEIT_DISTILLED;
    keys = distilled_keys;
    def_arch = "deit-base";
  } else if (type && !strcmp(type, "DeiT3")) {
    m->backbone = BB_DEIT3;
    keys = deit3_keys;
    table = deit3_archs;
  } else if (type && !strcmp(type, "MoCoV3ViT")) {
    m->backbone = BB_MOCOV3;
    keys = mocov3_keys;
    more = mocov3_archs;
  } else {
    const char *why = NULL;
    for (int i = 0; type && vit_like[i].type; i++)
      if (!strcmp(type, vit_like[i].type)) why = vit_like[i].why;
    /* EVA's classifiers are BEiTViT with both relative position biases off (absolute
     * position embedding instead): still BEiT's layer, but the hint would be wrong */
    int rel = 1, shared = 0;
    if (why && !strcmp(type, "BEiTViT") &&
        (mget_bool(file, bb, "use_rel_pos_bias", 1, &rel) ||
         mget_bool(file, bb, "use_shared_rel_pos_bias", 0, &shared)))
      return -1;
    if (why && !strcmp(type, "BEiTViT") && !rel && !shared) why = NULL;
    return mget_error(file, tv, "model.backbone.type='%s' is not supported%s%s%s (supported: "
                      BACKBONES ")", type ? type : "(none)", why ? ": it needs " : "",
                      why ? why : "", why ? ", which mmcc does not implement" : "");
  }
  for (size_t i = 0; i < cfg_len(bb); i++)
    if (!known_key(keys, cfg_key_at(bb, i)))
      return mget_error(file, cfg_at(bb, i), "unknown %s argument '%s' (model.backbone.%s)",
                        type, cfg_key_at(bb, i), cfg_key_at(bb, i));
  long long in_ch;
  int patch[2];
  const char *interp;
  if (arch_dims(file, bb, table, more, def_arch, m) ||
      mget_pair(file, bb, "img_size", 224, m->img_size) ||
      mget_pair(file, bb, "patch_size", 16, patch) ||
      mget_int(file, bb, "in_channels", 3, &in_ch) ||
      mget_bool(file, bb, "qkv_bias", 1, &m->qkv_bias) ||
      mget_bool(file, bb, "final_norm", 1, &m->final_norm) ||
      mget_bool(file, bb, "pre_norm", 0, &m->pre_norm) ||
      mget_num(file, bb, "layer_scale_init_value", 0.0, &m->layer_scale_init_value) ||
      mget_str(file, bb, "interpolate_mode", "bicubic", &interp) || norm_cfg(file, bb, m) ||
      empty_dict(file, bb, "patch_cfg") || empty_dict(file, bb, "layer_cfgs") ||
      output_kind(file, bb, m) || out_indices(file, bb, m))
    return -1;
  if (patch[0] != patch[1])
    return mget_error(file, cfg_get(bb, "patch_size"), "mmcc supports square patches only");
  if (in_ch <= 0 || in_ch > 64)
    return mget_error(file, cfg_get(bb, "in_channels"), "in_channels must be in 1..64");
  if (m->layer_scale_init_value < 0)  /* [VIT] `> 0` builds LayerScale; negative is odd */
    return mget_error(file, cfg_get(bb, "layer_scale_init_value"),
                      "layer_scale_init_value must be >= 0");
  m->patch_size = patch[0];
  m->in_channels = (int)in_ch;
  m->patch_bias = !m->pre_norm;  /* [VIT] PatchEmbed bias=not pre_norm ("e.g., CLIP") */
  m->pre_norm_used = m->pre_norm;
  m->pos_extra = m->num_extra_tokens;
  m->interpolate_mode = xstrdup(interp);
  if (strcmp(interp, "bicubic"))
    return mget_error(file, cfg_get(bb, "interpolate_mode"),
                      "unsupported interpolate_mode '%s'; supported: bicubic", interp);
  if (m->backbone == BB_MOCOV3) return mocov3(file, bb, m);
  if (m->backbone == BB_DEIT_DISTILLED) {
    /* [DEIT] num_extra_tokens = 2, dist_token registered after the ViT parameters; forward
     * concatenates [cls, dist, patches], adds pos_embed (both extra rows kept as they are
     * by resize_pos_embed) and never applies pre_norm. */
    m->dist_token = 1;
    m->num_extra_tokens = m->pos_extra = 2;
    m->pre_norm_used = 0;
  } else if (m->backbone == BB_DEIT3) {
    /* [DEIT3] no pre_norm argument (conv bias kept); pos_embed (1, h*w, C) added before the
     * class token is prepended; use_layer_scale (default True) builds attn.gamma1 and
     * ffn.gamma2 (LayerScale, init 1e-5 as attention.py's `layer_scale_init_value or 1e-5`);
     * DeiT3TransformerEncoderLayer.forward applies ln1 before both branches. */
    int ls;
    if (mget_bool(file, bb, "use_layer_scale", 1, &ls)) return -1;
    m->layer_scale_init_value = ls ? 1e-5 : 0;
    m->pos_extra = 0;
    m->pos_before_tokens = 1;
    m->ffn_norm_ln1 = 1;
    if (m->out_type == VIT_OUT_AVG_FEATMAP)  /* upstream: AttributeError, no backbone ln2 */
      return mget_error(file, cfg_get(bb, "out_type"),
                        "model.backbone.out_type='avg_featmap' does not work with DeiT3 "
                        "(upstream builds no backbone ln2 for it)");
  }
  return 0;
}

/* }====================================================================== */

/* {====================================================================== neck and head */

static int neck(const char *file, const cfg_value *model, model_desc *m) {
  const cfg_value *n = cfg_get(model, "neck");
  m->neck = NECK_NONE;
  if (!n || cfg_kind_of(n) == CFG_NONE) return 0;
  const char *t = cfg_kind_of(n) == CFG_DICT ? mget_type(n) : NULL;
  const cfg_value *tv = cfg_kind_of(n) == CFG_DICT && cfg_get(n, "type") ? cfg_get(n, "type") : n;
  if (t && !strcmp(t, "ClsBatchNormNeck")) {
    /* [BNN] ClsBatchNormNeck(input_features, affine=False, eps=1e-6, init_cfg=None):
     * nn.BatchNorm1d(input_features, affine, eps) on each backbone output */
    static const char *const bn_keys[] = {"type", "input_features", "affine", "eps",
                                          "init_cfg", NULL};
    for (size_t i = 0; i < cfg_len(n); i++)
      if (!known_key(bn_keys, cfg_key_at(n, i)))
        return mget_error(file, cfg_at(n, i), "unknown ClsBatchNormNeck argument "
                          "'model.neck.%s'", cfg_key_at(n, i));
    const cfg_value *inf = cfg_get(n, "input_features");
    long long c;
    if (!inf) return mget_error(file, n, "model.neck: ClsBatchNormNeck needs 'input_features'");
    if (mget_int(file, n, "input_features", 0, &c) ||
        mget_bool(file, n, "affine", 0, &m->neck_affine) ||
        mget_num(file, n, "eps", 1e-6, &m->neck_eps))
      return -1;
    if (c <= 0 || c > INT_MAX / 2)
      return mget_error(file, inf, "input_features=%lld must be positive", c);
    if (!(m->neck_eps > 0))
      return mget_error(file, cfg_get(n, "eps"), "ClsBatchNormNeck eps must be positive");
    m->neck_in_channels = (int)c;
    m->neck = NECK_CLS_BN;
    return 0;
  }
  if (!t || strcmp(t, "GlobalAveragePooling"))
    return mget_error(file, tv, "model.neck.type='%s' is not supported (supported: " NECKS ")",
                      t ? t : cfg_kind_name(cfg_kind_of(n)));
  long long dim;
  if (mget_int(file, n, "dim", 2, &dim)) return -1;  /* [GAP] default dim=2 */
  if (dim != 2)
    return mget_error(file, cfg_get(n, "dim"), "GlobalAveragePooling dim=%lld is not supported "
                                               "(mmcc: dim=2 over a featmap)", dim);
  m->neck = NECK_GAP;
  return 0;
}

static int head(const char *file, const cfg_value *model, model_desc *m) {
  const cfg_value *h = cfg_get(model, "head");
  m->head = HEAD_NONE;
  if (!h || cfg_kind_of(h) == CFG_NONE) return 0;
  const char *t = cfg_kind_of(h) == CFG_DICT ? mget_type(h) : NULL;
  const cfg_value *tv = cfg_kind_of(h) == CFG_DICT && cfg_get(h, "type") ? cfg_get(h, "type") : h;
  if (t && !strcmp(t, "VisionTransformerClsHead")) m->head = HEAD_VIT_CLS;
  else if (t && !strcmp(t, "DeiTClsHead")) m->head = HEAD_DEIT;
  else if (t && !strcmp(t, "LinearClsHead")) m->head = HEAD_LINEAR;
  else if (t && !strncmp(t, "MultiLabel", 10))
    return mget_error(file, tv, "model.head.type='%s' is not supported: multi-label heads "
                      "(sigmoid scores, thresholds) are not compiled by mmcc (supported: "
                      HEADS ")", t);
  else
    return mget_error(file, tv, "model.head.type='%s' is not supported (supported: " HEADS ")",
                      t ? t : cfg_kind_name(cfg_kind_of(h)));
  const cfg_value *nc = cfg_get(h, "num_classes"), *ic = cfg_get(h, "in_channels");
  if (!nc || !ic)
    return mget_error(file, h, "%s needs num_classes and in_channels", t);
  long long ncl, inc;
  if (mget_int(file, h, "num_classes", 0, &ncl) || mget_int(file, h, "in_channels", 0, &inc))
    return -1;
  if (ncl <= 0 || ncl > INT_MAX / 2)  /* [VITH]/[LIN]: ValueError for num_classes <= 0 */
    return mget_error(file, nc, "num_classes=%lld must be a positive integer", ncl);
  if (inc <= 0 || inc > INT_MAX / 2)
    return mget_error(file, ic, "in_channels=%lld must be a positive integer", inc);
  m->num_classes = (int)ncl;
  m->head_in_channels = (int)inc;
  if (m->head == HEAD_VIT_CLS || m->head == HEAD_DEIT) {
    /* [VITH] ([DEITH] is a subclass) hidden_dim=None: no pre_logits layer; act_cfg=dict(type='Tanh') */
    const cfg_value *hd = cfg_get(h, "hidden_dim");
    if (hd && cfg_kind_of(hd) != CFG_NONE) {
      long long v;
      if (mget_int(file, h, "hidden_dim", 0, &v)) return -1;
      if (v <= 0 || v > INT_MAX / 2)
        return mget_error(file, hd, "hidden_dim=%lld must be positive", v);
      m->hidden_dim = (int)v;
      const cfg_value *act = cfg_get(h, "act_cfg");
      const char *at = act && cfg_kind_of(act) == CFG_DICT ? mget_type(act) : "Tanh";
      if (!at || strcmp(at, "Tanh"))
        return mget_error(file, act, "unsupported head act_cfg '%s'; supported: Tanh",
                          at ? at : "(no type)");
    }
  }
  return 0;
}

/* What the backbone (+ neck) hands on must be one vector per image of width embed_dims. */
static int check_dataflow(const char *file, const cfg_value *model, model_desc *m) {
  const cfg_value *n = cfg_get(model, "neck"), *h = cfg_get(model, "head");
  int vector = m->out_type == VIT_OUT_CLS_TOKEN || m->out_type == VIT_OUT_AVG_FEATMAP;
  /* [DEIT] a 'cls_token' output is the pair (cls, dist): only [DEITH] takes a pair, and
   * [DEITH] takes nothing else (it unpacks its input into two tensors). */
  int pair = m->backbone == BB_DEIT_DISTILLED && m->out_type == VIT_OUT_CLS_TOKEN;
  if (pair && m->head != HEAD_DEIT)
    return mget_error(file, h ? h : n ? n : cfg_get(model, "backbone"),
                      "model.head: a DistilledVisionTransformer with out_type='cls_token' "
                      "outputs a (cls_token, dist_token) pair, which only DeiTClsHead takes%s",
                      m->neck != NECK_NONE ? " (and no neck)" : "");
  if (m->head == HEAD_DEIT && (!pair || m->neck != NECK_NONE))
    return mget_error(file, cfg_get(h, "type") ? cfg_get(h, "type") : h,
                      "model.head.type='DeiTClsHead' needs the (cls_token, dist_token) pair of "
                      "a DistilledVisionTransformer with out_type='cls_token' and no neck");
  if (m->neck == NECK_CLS_BN) {
    /* [BNN] BatchNorm1d over (B, C): the output must be one vector per image */
    if (m->out_type != VIT_OUT_CLS_TOKEN && m->out_type != VIT_OUT_AVG_FEATMAP)
      return mget_error(file, n, "model.neck: ClsBatchNormNeck (a BatchNorm1d) needs a (B, C) "
                                 "backbone output (out_type 'cls_token' or 'avg_featmap'), not "
                                 "out_type='%s'", m->out_type == VIT_OUT_RAW ? "raw" : "featmap");
    if (m->neck_in_channels != m->embed_dims)
      return mget_error(file, cfg_get(n, "input_features"),
                        "ClsBatchNormNeck input_features=%d does not match the backbone's "
                        "embed_dims=%d", m->neck_in_channels, m->embed_dims);
  }
  if (m->neck == NECK_GAP && m->out_type != VIT_OUT_FEATMAP)
    return mget_error(file, n, "GlobalAveragePooling needs the backbone's out_type 'featmap' "
                               "(output_cls_token=False in 0.x configs)");
  if (m->neck == NECK_GAP) vector = 1;
  const cfg_value *bb = cfg_get(model, "backbone");
  const cfg_value *why = cfg_get(bb, "out_type") ? cfg_get(bb, "out_type")
                         : cfg_get(bb, "output_cls_token") ? cfg_get(bb, "output_cls_token")
                         : h ? h : bb;
  if (!vector)
    return mget_error(file, why,
                      "the backbone's %s output must be reduced to a vector (out_type "
                      "'cls_token'/'avg_featmap', or 'featmap' with a GlobalAveragePooling neck)",
                      m->out_type == VIT_OUT_RAW ? "'raw'" : "'featmap'");
  int legacy = cfg_get(bb, "output_cls_token") || cfg_get(bb, "avg_token");
  if (m->head == HEAD_LINEAR && legacy && m->out_type == VIT_OUT_CLS_TOKEN)
    /* [VIT0] output_cls_token=True hands on a [patch_token, cls_token] list, which
     * LinearClsHead cannot take (VisionTransformerClsHead takes its last item) */
    return mget_error(file, h, "LinearClsHead cannot take the 0.x [patch_token, cls_token] "
                               "output (set output_cls_token=False)");
  if (m->head != HEAD_NONE && m->head_in_channels != m->embed_dims)
    return mget_error(file, cfg_get(h, "in_channels"),
                      "head in_channels=%d does not match the backbone's embed_dims=%d",
                      m->head_in_channels, m->embed_dims);
  m->output_dim = m->head != HEAD_NONE ? m->num_classes : m->embed_dims;
  return 0;
}

/* }====================================================================== */

static int extract(const char *file, const cfg_value *root, model_desc *m) {
  const cfg_value *model = cfg_get(root, "model");
  if (!model || cfg_kind_of(model) != CFG_DICT)
    return mget_error(file, model, "the config defines no 'model' dict");
  const char *t = mget_type(model);
  if (!t || strcmp(t, "ImageClassifier"))
    return mget_error(file, cfg_get(model, "type") ? cfg_get(model, "type") : model,
                      "unsupported model type '%s'; supported: ImageClassifier",
                      t ? t : "(no type)");
  const cfg_value *bbv = cfg_get(model, "backbone");
  if (resnet_is_type(mget_type(bbv))) {  /* model_resnet.c */
    if (resnet_extract(file, model, m) || neck(file, model, m) || head(file, model, m) ||
        resnet_check_dataflow(file, model, m) || model_pipe_extract(file, root, m))
      return -1;  /* compiled by lower_resnet.c */
  } else if (backbone(file, model, m) || neck(file, model, m) || head(file, model, m) ||
             check_dataflow(file, model, m) || model_pipe_extract(file, root, m)) {
    return -1;
  }
  m->parameters = model_param_count(m);
  return 0;
}

static void init_desc(model_desc *m) {
  memset(m, 0, sizeof *m);
  m->flops = m->metafile_parameters = -1;
  m->top1 = m->top5 = -1;
  m->parameters = -1;
}

int model_from_config(const char *config_path, model_desc *m) {
  init_desc(m);
  cfg_value *root = cfg_load_file(config_path);
  if (!root) return -1;
  const char *base = path_basename(config_path);
  size_t n = strlen(base);
  if (n > 3 && !strcmp(base + n - 3, ".py")) n -= 3;
  m->name = xstrndup(base, n);
  m->config_path = xstrdup(config_path);
  int rc = extract(config_path, root, m);
  cfg_free(root);
  if (rc) model_free(m);
  return rc;
}

/* The nearest ancestor directory of the metafile under which CONFIG exists; the joined path,
 * or NULL. Paths stay relative when the metafile path is. */
static char *find_config(const char *metafile, const char *config) {
  char *dir = path_dirname(metafile);
  for (int depth = 0; depth < 64; depth++) {
    char *joined = path_join(dir, config);
    char *cand = path_normalize(joined);
    free(joined);
    if (file_exists(cand)) { free(dir); return cand; }
    free(cand);
    char *real = realpath(dir, NULL);
    int at_root = !real || !strcmp(real, "/");
    free(real);
    if (at_root) break;
    char *up = path_join(dir, "..");
    free(dir);
    dir = path_normalize(up);
    free(up);
  }
  free(dir);
  return NULL;
}

int model_from_metafile(const char *metafile, const char *model_name, const char *root,
                        model_desc *m) {
  meta_file mf;
  init_desc(m);
  if (meta_load(metafile, &mf)) return -1;
  const meta_model *mm = meta_find(&mf, model_name), *dup = NULL;
  int rc = -1;
  char *cfg_path = NULL;
  for (size_t i = 0; mm && i < mf.n_models && !dup; i++)
    if (&mf.models[i] != mm && !strcmp(mf.models[i].name, model_name)) dup = &mf.models[i];
  if (!mm) {
    const char **names = xcalloc(mf.n_models + 1, sizeof *names);
    for (size_t i = 0; i < mf.n_models; i++) names[i] = mf.models[i].name;
    char *near = closest_names(model_name, names, mf.n_models);
    diag_error(metafile, 0, 0, "no model named '%s'%s%s (%zu models; see 'mmcc list %s')",
               model_name, near ? "; did you mean " : "", near ? near : "", mf.n_models,
               metafile);
    free(near);
    free(names);
  } else if (dup) {
    diag_error(metafile, dup->line, dup->col, "model name '%s' is ambiguous: models at "
               "%d:%d (Config %s) and %d:%d (Config %s) both have it", model_name, mm->line,
               mm->col, mm->config ? mm->config : "none", dup->line, dup->col,
               dup->config ? dup->config : "none");
  } else if (!mm->config) {
    diag_error(metafile, mm->line, mm->col, "model '%s' has no 'Config'", mm->name);
  } else {
    if (root) {
      char *j = path_join(root, mm->config);
      cfg_path = path_normalize(j);
      free(j);
      if (!file_exists(cfg_path)) {
        diag_error(metafile, mm->config_line, mm->config_col,
                   "config '%s' of model '%s' not found under --root %s", mm->config, mm->name,
                   root);
        free(cfg_path);
        cfg_path = NULL;
      }
    } else if (!(cfg_path = find_config(metafile, mm->config))) {
      diag_error(metafile, mm->config_line, mm->config_col,
                 "config '%s' of model '%s' not found under any ancestor directory of the "
                 "metafile (give the repository root with --root)", mm->config, mm->name);
    }
    if (cfg_path && !model_from_config(cfg_path, m)) {
      free(m->name);
      m->name = xstrdup(mm->name);
      m->metafile = xstrdup(metafile);
      m->weights_url = mm->weights ? xstrdup(mm->weights) : NULL;
      m->metafile_config = xstrdup(mm->config);
      m->flops = mm->flops;
      m->metafile_parameters = mm->parameters;
      m->top1 = mm->top1;
      m->top5 = mm->top5;
      size_t nt = 0;
      while (mm->training_data && mm->training_data[nt]) nt++;
      m->training_data = xcalloc(nt + 1, sizeof *m->training_data);
      for (size_t i = 0; i < nt; i++) m->training_data[i] = xstrdup(mm->training_data[i]);
      rc = 0;
    }
  }
  free(cfg_path);
  meta_free(&mf);
  return rc;
}

int model_check_buildable(const model_desc *m) {
  if (!m->nyc_what) return 0;
  diag_error(m->nyc_file, m->nyc_line, m->nyc_col,
             "%s is not yet compiled by mmcc build (model '%s': the description is complete "
             "and 'mmcc inspect'/'mmcc check' accept it, but the code generator has no "
             "lowering for it yet)", m->nyc_what, m->name);
  return -1;
}

void model_set_input_size(model_desc *m, int h, int w) {
  if (h == m->input_size[0] && w == m->input_size[1]) return;
  model_pipe_adapt(m, h, w);
}

void model_free(model_desc *m) {
  free(m->name);
  free(m->config_path);
  free(m->metafile);
  free(m->metafile_config);
  free(m->weights_url);
  strv_free(m->training_data);
  free(m->arch);
  free(m->interpolate_mode);
  free(m->resize_backend);
  free(m->resize_interp);
  free(m->nyc_what);
  free(m->nyc_file);
  resnet_free(m->resnet);
  memset(m, 0, sizeof *m);
}
