/* model.h: the typed model description: what mmcc knows about one model variant, extracted
 * from the resolved config (and the metafile entry, when the model was named through one).
 * This is the contract between the front end and everything after it (checkpoint
 * validation, weight loading, code generation, compiled preprocessing).
 *
 * Semantics follow mmpretrain's VisionTransformer / heads / test pipeline; model.c documents,
 * with the upstream file it follows, every default it fills in. */
#ifndef MMCC_MODEL_H
#define MMCC_MODEL_H

#include <stddef.h>

/* What the backbone hands on (mmpretrain 1.x `out_type`; 0.x configs are mapped onto it:
 * output_cls_token=True -> CLS_TOKEN, else FEATMAP; 0.x avg_token -> AVG_FEATMAP). */
typedef enum { VIT_OUT_CLS_TOKEN, VIT_OUT_FEATMAP, VIT_OUT_AVG_FEATMAP, VIT_OUT_RAW } vit_out_type;
/* NECK_CLS_BN: mmpretrain ClsBatchNormNeck = BatchNorm1d on the backbone's (B, C) vector,
 * eval mode: (x - running_mean) / sqrt(running_var + eps) [* weight + bias when affine]. */
typedef enum { NECK_NONE, NECK_GAP, NECK_CLS_BN } neck_kind;
/* HEAD_DEIT: DeiTClsHead = VisionTransformerClsHead plus layers.head_dist; at test time
 * (head(cls) + head_dist(dist)) / 2, both through the shared pre_logits + Tanh if hidden_dim. */
typedef enum { HEAD_NONE, HEAD_VIT_CLS, HEAD_LINEAR, HEAD_DEIT } head_kind;
/* The backbone class (model.backbone.type). VisionTransformer's fields above describe all
 * four; what differs is in the fields after "ViT family" below. BB_MOCOV3 (MoCoV3ViT) has
 * VisionTransformer's fields exactly: it differs only in its arguments and arch table (model.c). */
typedef enum { BB_VIT, BB_DEIT_DISTILLED, BB_DEIT3, BB_MOCOV3 } backbone_kind;
typedef enum { EDGE_SHORT, EDGE_LONG } resize_edge;
/* NORM_MMCV: 0.x pipeline Normalize = mmcv.imnormalize: (x - mean) * (1 / std) in float32.
 * NORM_DIV:  1.x data_preprocessor: (x - mean) / std in float32. */
typedef enum { NORM_NONE, NORM_MMCV, NORM_DIV } norm_style;

typedef struct model_desc {
  /* ---- identity and metafile card (strings NULL / numbers < 0 when unknown) ---- */
  char *name;              /* metafile Name, or the config file name without .py */
  char *config_path;       /* path of the config file as opened */
  char *metafile;          /* NULL for a CONFIG.py model */
  char *weights_url;       /* metafile Weights */
  long long flops, metafile_parameters;
  double top1, top5;       /* < 0 when absent */
  char **training_data;    /* NULL-terminated */

  /* ---- backbone: VisionTransformer ---- */
  char *arch;              /* as given ("b", "base", or "custom" for a dict) */
  int embed_dims, num_layers, num_heads, feedforward_channels;
  int img_size[2];         /* [H, W] the backbone is built for (pos_embed grid = img/patch) */
  int patch_size, in_channels;
  int qkv_bias;            /* attn qkv Linear has a bias */
  int pre_norm;            /* LayerNorm after patch embedding + pos_embed */
  int patch_bias;          /* patch-embedding Conv2d has a bias (false when pre_norm) */
  int final_norm;          /* backbone.ln1 over the tokens after the last layer */
  int with_cls_token;
  int num_extra_tokens;    /* 1 with a class token, else 0 */
  vit_out_type out_type;
  int avg_norm;            /* AVG_FEATMAP: a LayerNorm (backbone.ln2) on the averaged tokens */
  double norm_eps;         /* every LayerNorm's eps (default 1e-6) */
  double layer_scale_init_value; /* 0: no layer scale (gamma1/gamma2 parameters otherwise) */
  char *interpolate_mode;  /* pos_embed resize mode, "bicubic" */
  int out_index;           /* the one supported out_indices entry, normalised (num_layers-1) */

  /* ---- neck and head ---- */
  neck_kind neck;
  head_kind head;
  int num_classes;         /* 0 for a headless model */
  int head_in_channels;
  int hidden_dim;          /* VisionTransformerClsHead pre_logits Linear + Tanh; 0 = none */
  int output_dim;          /* what the compiled model outputs per image: num_classes, or the
                              backbone feature width for a headless model */

  /* ---- preprocessing (the test pipeline, in the order it runs) ---- */
  int resize_scale;        /* short/long edge target S; 0 = no resize */
  resize_edge resize_edge;
  char *resize_backend;    /* "pillow" or "cv2" (only what mmcc implements is accepted) */
  char *resize_interp;     /* "bicubic", "bilinear", ... */
  int crop_size[2];        /* [H, W]; 0 = no crop */
  norm_style norm;
  double mean[3], std[3];  /* RGB order when to_rgb, else the image's channel order */
  int to_rgb;              /* BGR decode -> RGB before normalising */

  /* ---- compiled geometry and size ---- */
  int input_size[2];       /* [H, W] the compiled model takes: crop size, or --input-size */
  long long parameters;    /* computed, pos_embed on the img_size grid */

  /* ---- added after the first contract (additive) ---- */
  char *metafile_config;   /* the metafile's Config string as written (relative to the
                              repository root); NULL for a CONFIG.py model */

  /* ---- ViT family (issue 8; additive). For a plain VisionTransformer these are: BB_VIT,
   * dist_token 0, pos_extra = num_extra_tokens, pos_before_tokens 0, pre_norm_used =
   * pre_norm, ffn_norm_ln1 0 ---- */
  backbone_kind backbone;
  int dist_token;          /* backbone.dist_token exists: tokens are [cls, dist, patches]
                              (num_extra_tokens 2; DistilledVisionTransformer) */
  int pos_extra;           /* rows of pos_embed before the grid rows: num_extra_tokens, or 0
                              for DeiT3, whose pos_embed covers the patches only */
  int pos_before_tokens;   /* DeiT3: pos_embed is added to the patch tokens BEFORE the class
                              token is prepended (the class token gets no position) */
  int pre_norm_used;       /* pre_norm LayerNorm applied after pos_embed (DistilledVisionTransformer
                              builds backbone.pre_norm when asked but never applies it) */
  int ffn_norm_ln1;        /* DeiT3: the FFN branch normalises with layers.i.ln1 again;
                              layers.i.ln2 exists in the state dict but is never applied */
  double neck_eps;         /* NECK_CLS_BN: BatchNorm1d eps (default 1e-6) */
  int neck_affine;         /* NECK_CLS_BN: neck.bn.weight / neck.bn.bias exist */
  int neck_in_channels;    /* NECK_CLS_BN: input_features */
  /* Set when the description is complete but mmcc build cannot compile it yet (the lowering
   * for it does not exist): model_check_buildable() reports it at this place. */
  char *nyc_what;          /* e.g. "model.backbone.type='DeiT3'"; NULL: buildable */
  char *nyc_file;
  int nyc_line, nyc_col;
  struct resnet_desc *resnet; /* non-NULL: the backbone is of the ResNet family
                              (model_resnet.h); of the ViT backbone fields only in_channels
                              and img_size (geometry without crop) are then set */
} model_desc;

/* Resolve CONFIG.py and extract the description (name = file name without .py).
 * 0, or -1 after a diagnostic naming the config file and place. */
int model_from_config(const char *config_path, model_desc *m);
/* Find MODEL in METAFILE, resolve its Config relative to ROOT (NULL: the nearest ancestor of
 * the metafile under which the config path exists), extract, and fill the card. */
int model_from_metafile(const char *metafile, const char *model_name, const char *root,
                        model_desc *m);
/* Override the compiled input geometry (--input-size H x W). When H x W differs from what the
 * test pipeline produces (its crop size), the compiled test pipeline is adapted so that it
 * produces H x W (else classify_rgb8 would reject every image), with a warning on stderr
 * saying from what to what, since this departs from the config's (mmpretrain's) pipeline:
 *   crop_size := [H, W];
 *   resize_scale S (when there is a resize) keeps the pipeline's resize/crop ratio:
 *     S' = S * max(H, W) / max(crop_h, crop_w), rounded to nearest with halves up, and never
 *     below max(H, W) (what the crop needs after a short-edge resize); a pipeline without a
 *     crop uses the previous input size in place of the crop (and stays without a crop).
 * A second warning when the adapted pipeline still cannot give H x W for typical images
 * (300x400 and 400x300 HxW; e.g. no crop, or a long-edge resize): classify_rgb8 returns the
 * image-shape error for those. Same H x W as now: nothing changes. */
void model_set_input_size(model_desc *m, int h, int w);
/* mmcc build's front-end gate: 0 when the code generator compiles this description, else -1
 * after "FILE:LINE:COL: error: KEY is not yet compiled by mmcc build ..." (nyc_* above).
 * mmcc inspect and mmcc check accept these descriptions. */
int model_check_buildable(const model_desc *m);
void model_free(model_desc *m);

/* The parameters the described model has, with mmpretrain's state-dict names
 * ("backbone.cls_token", "backbone.layers.0.attn.qkv.weight", "head.layers.head.bias", ...),
 * in module order, shapes as PyTorch stores them (pos_embed on the img_size grid). */
/* buffer: 0 for an nn.Parameter; else a registered buffer, in the state dict but not
 * counted by model_param_count(): PARAM_BUFFER (BatchNorm running statistics, used) or
 * PARAM_COUNTER (num_batches_tracked: an int64 scalar, unused at inference). */
enum { PARAM_BUFFER = 1, PARAM_COUNTER = 2 };
typedef struct param_spec { char *name; int ndim; long long shape[4]; int buffer; } param_spec;
size_t model_params(const model_desc *m, param_spec **specs);  /* returns count; free with: */
void model_params_free(param_spec *specs, size_t n);
long long model_param_count(const model_desc *m);  /* nn.Parameters only, as metafiles count */

#endif
