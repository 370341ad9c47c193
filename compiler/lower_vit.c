/* lower_vit.c: mmpretrain's VisionTransformer classifier as IR ops (ir.h). The only file
 * that knows this architecture: which ops in which order, on which buffers, with which
 * weights folded how (mmpretrain v1.2.0 models/backbones/vision_transformer.py forward):
 *
 *   x = [cls_token + pos_embed[0] ; patch_embed(img) + pos_embed[1:]]   (conv bias in pos)
 *   x = pre_norm(x)                                                      (pre_norm)
 *   per layer: x += proj(attn(ln1(x))) * gamma1;  x += fc2(GELU(fc1(ln2(x)))) * gamma2
 *   out_type cls_token: ln1(x[0]);  avg_featmap / featmap + GAP: ln2(mean(ln1(x[extra:])))
 *   head: [tanh(pre_logits(.))] -> fc -> logits (or the features, headless)
 *
 * Folded at compile time: q rows of qkv (weight, bias) * head_dim^-0.5; layer scale into
 * proj / fc2 rows; cls_token + pos_embed[0]; the patch conv bias into pos_embed[1:].
 *
 * MoCoV3ViT (mmpretrain v1.2.0 models/selfsup/mocov3.py) is a VisionTransformer subclass
 * that keeps its forward: it lowers as one, with no option of its own. Its fixed 2-D sin-cos
 * position embedding is written into the pos_embed nn.Parameter by init_weights (and only
 * without a 'Pretrained' init_cfg), so it is in the state dict: the checkpoint's pos_embed
 * is used as for any ViT, nothing is computed here. Its arch and arguments: model.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "model.h"
#include "util.h"

/* Images per pass of the forward (ir_graph.chunk): every op runs on the token rows of that
 * many images at once, so each weight panel is read from memory once per pass and reused by
 * at least CHUNK_ROWS rows (one image of 197 tokens reuses it too little: the products stream
 * their weights at 72-80% of the FMA peak, bench/results/NOTES.md); at most CHUNK_MAX images,
 * because the workspace holds the activations of a whole chunk. */
#define CHUNK_ROWS 1024
#define CHUNK_MAX 8

typedef struct lower {
  ir_graph *g;
  const model_desc *m;
  int T, D, F, H, HD, patches, extra, pk;
  int x, xp, qkv, kp, vp, hp, aq, as, ap, feat, hid, img, out; /* buffers */
} lower;

static int unsupported(const model_desc *m, const char *what) {
  diag_error(m->config_path, 0, 0, "model '%s': %s is not supported by mmcc build", m->name,
             what);
  return -1;
}

/* {================================================================== weights */

static int wvec(lower *L, int layer, const char *field, const char *src, int n, const char *scale,
                float qscale, int qrows, const char *what) {
  ir_weight w = {0};
  w.field = (char *)field;
  w.layer = layer;
  w.fold = IR_FOLD_VEC;
  w.src = (char *)src;
  w.src_numel = n;
  w.scale = (char *)scale;
  w.qscale = qscale;
  w.qrows = qrows;
  w.rows = n;
  w.cols = 1;
  w.what = (char *)what;
  return ir_weight_add(L->g, &w);
}

static int wpack(lower *L, int layer, const char *field, const char *src, int rows, int cols,
                 const char *scale, float qscale, int qrows, const char *what) {
  ir_weight w = {0};
  w.field = (char *)field;
  w.layer = layer;
  w.fold = IR_FOLD_PACK;
  w.src = (char *)src;
  w.src_numel = (long long)rows * cols;
  w.scale = (char *)scale;
  w.qscale = qscale;
  w.qrows = qrows;
  w.rows = rows;
  w.cols = cols;
  w.what = (char *)what;
  return ir_weight_add(L->g, &w);
}

/* Per-layer weights: "backbone.layers.<l>.<suffix>". */
static char *lname(int l, const char *suffix) {
  return xasprintf("backbone.layers.%d.%s", l, suffix);
}

static void layer_weights(lower *L, int l, int ffn_norm_ln1) {
  const model_desc *m = L->m;
  const int D = L->D, F = L->F;
  const float qs = (float)(1.0 / sqrt((double)L->HD)); /* attention's scale, into q */
  char *n[14];
  int k = 0;
  char *g1 = m->layer_scale_init_value > 0 ? lname(l, "attn.gamma1.weight") : NULL;
  char *g2 = m->layer_scale_init_value > 0 ? lname(l, "ffn.gamma2.weight") : NULL;
  wvec(L, l, "ln1_w", n[k++] = lname(l, "ln1.weight"), D, NULL, 0, 0, "");
  wvec(L, l, "ln1_b", n[k++] = lname(l, "ln1.bias"), D, NULL, 0, 0, "");
  wpack(L, l, "qkv_w", n[k++] = lname(l, "attn.qkv.weight"), 3 * D, D, NULL, qs, D,
        "q rows * head_dim^-0.5");
  if (m->qkv_bias)
    wvec(L, l, "qkv_b", n[k++] = lname(l, "attn.qkv.bias"), 3 * D, NULL, qs, D,
         "q part * head_dim^-0.5");
  wpack(L, l, "proj_w", n[k++] = lname(l, "attn.proj.weight"), D, D, g1, 0, 0,
        g1 ? "rows * gamma1" : "");
  wvec(L, l, "proj_b", n[k++] = lname(l, "attn.proj.bias"), D, g1, 0, 0, g1 ? "* gamma1" : "");
  if (!ffn_norm_ln1) { /* DeiT3 builds ln2 but normalises the FFN input with ln1 */
    wvec(L, l, "ln2_w", n[k++] = lname(l, "ln2.weight"), D, NULL, 0, 0, "");
    wvec(L, l, "ln2_b", n[k++] = lname(l, "ln2.bias"), D, NULL, 0, 0, "");
  }
  wpack(L, l, "fc1_w", n[k++] = lname(l, "ffn.layers.0.0.weight"), F, D, NULL, 0, 0,
        "");
  wvec(L, l, "fc1_b", n[k++] = lname(l, "ffn.layers.0.0.bias"), F, NULL, 0, 0, "");
  wpack(L, l, "fc2_w", n[k++] = lname(l, "ffn.layers.1.weight"), D, F, g2, 0, 0,
        g2 ? "rows * gamma2" : "");
  wvec(L, l, "fc2_b", n[k++] = lname(l, "ffn.layers.1.bias"), D, g2, 0, 0, g2 ? "* gamma2" : "");
  for (int i = 0; i < k; i++) free(n[i]);
  free(g1);
  free(g2);
}
/* }================================================================== */

/* {================================================================== ops */

static ir_op *op(lower *L, ir_kind kind, const char *label, const char *shape) {
  ir_op *o = ir_op_add(L->g, kind, label);
  o->shape = xstrdup(shape);
  return o;
}

static char *shape2(int a, int b) { return xasprintf("[%d,%d]", a, b); }

/* The per-image, per-head geometry the K/V packing and the attention op share: T tokens of
 * D features in H heads of HD, K and V packed per head in panels of WR. */
static void attn_shape(ir_op *o, int T, int D, int H, int HD, int WR) {
  o->batched = 1;
  o->m = T;
  o->n = D;
  o->heads = H;
  o->head_dim = HD;
  o->kps = ir_packed_floats(T, HD, WR);
  o->vps = ir_packed_floats(HD, T, WR);
}

/* OUT = epi(IN panels [M, K] x W [N, K]^T); accumulate adds into OUT. M rows per image: the
 * product runs on the rows of all the chunk's images at once (batched). */
static ir_op *linear(lower *L, const char *label, int out, int in, int M, int N, int K, int w,
                     int b, ir_epi epi, int accumulate, int panels) {
  const size_t rows = (size_t)L->g->chunk * M;
  char *a = shape2(M, K), *c = shape2(M, N), *s = xasprintf("%s -> %s", a, c);
  ir_op *o = op(L, IR_LINEAR, label, s);
  free(a);
  free(c);
  free(s);
  ir_op_out(o, out);
  ir_op_in(o, in);
  if (accumulate) ir_op_in(o, out);
  o->batched = 1;
  o->wt[0] = w;
  o->wt[1] = b;
  o->epi = b < 0 ? IR_EPI_NONE : epi;
  o->accumulate = accumulate;
  o->panels = panels;
  o->m = M;
  o->n = N;
  o->k = K;
  o->ldc = panels ? (int)ir_panel_floats(N, L->g->xr) : N;
  ir_buf_need(L->g, in, ir_packed_floats((int)rows, K, L->g->xr));
  ir_buf_need(L->g, out, panels ? ir_packed_floats((int)rows, N, L->g->xr) : rows * N);
  return o;
}

/* LayerNorm of ROWS rows of X per image (all the chunk's images), in place, or packed into XP
 * when PACK. */
static void norm(lower *L, const char *label, int buf, int rows, int w, int b, int pack) {
  const int D = L->D;
  const int all = L->g->chunk * rows;
  char *s = pack ? xasprintf("[%d,%d] -> panels", rows, D) : shape2(rows, D);
  ir_op *o = op(L, pack ? IR_LAYERNORM_PACK : IR_LAYERNORM, label, s);
  free(s);
  ir_op_out(o, pack ? L->xp : buf);
  ir_op_in(o, buf);
  o->batched = 1;
  o->wt[0] = w;
  o->wt[1] = b;
  o->m = rows;
  o->k = D;
  o->ld = D;
  o->eps = L->m->norm_eps;
  if (pack) ir_buf_need(L->g, L->xp, ir_packed_floats(all, D, L->g->xr));
  ir_buf_need(L->g, buf, (size_t)all * D);
}

/* Rows [rows, K] of IN per image (all the chunk's images) -> activation panels in xp. */
static void pack(lower *L, const char *label, int in, int rows, int K) {
  char *s = xasprintf("[%d,%d] -> panels", rows, K);
  ir_op *o = op(L, IR_PACK, label, s);
  free(s);
  ir_op_out(o, L->xp);
  ir_op_in(o, in);
  o->batched = 1;
  o->m = rows;
  o->k = K;
  o->ld = K;
  ir_buf_need(L->g, L->xp, ir_packed_floats(L->g->chunk * rows, K, L->g->xr));
}

/* Per image: N floats of IN (image i at i * in_step) to OUT (at i * out_step). */
static void copy(lower *L, const char *label, int out, size_t out_step, int in, size_t in_step,
                 int n) {
  char *s = xasprintf("[%d]", n);
  ir_op *o = op(L, IR_COPY, label, s);
  free(s);
  ir_op_out(o, out);
  ir_op_in(o, in);
  o->batched = 1;
  o->ldc = (int)out_step;
  o->ld = (int)in_step;
  o->n = n;
  ir_buf_need(L->g, out, (size_t)(L->g->chunk - 1) * out_step + (size_t)n);
}

static void layer(lower *L, int ffn_norm_ln1) {
  ir_graph *g = L->g;
  const int T = L->T, D = L->D, H = L->H, HD = L->HD, XR = g->xr, WR = g->wr, n = g->chunk;
  const int qkv_b = ir_weight_find(g, "qkv_b", 0);

  /* attention: x += proj(attn(ln1(x))) */
  norm(L, "ln1", L->x, T, ir_weight_find(g, "ln1_w", 0), ir_weight_find(g, "ln1_b", 0), 1);
  linear(L, "qkv", L->qkv, L->xp, T, 3 * D, D, ir_weight_find(g, "qkv_w", 0), qkv_b,
         IR_EPI_BIAS, 0, 0);
  char *s = xasprintf("%d x k, v [%d,%d]", H, T, HD);
  ir_op *o = op(L, IR_KV_PACK, "pack k, v per head", s);
  free(s);
  ir_op_out(o, L->kp);
  ir_op_out(o, L->vp);
  ir_op_in(o, L->qkv);
  attn_shape(o, T, D, H, HD, WR);
  ir_buf_need(g, L->kp, (size_t)n * H * o->kps);
  ir_buf_need(g, L->vp, (size_t)n * H * o->vps);

  s = xasprintf("%d x softmax([%d,%d]) v -> [%d,%d]", H, T, T, T, D);
  o = op(L, IR_ATTENTION, "attention", s);
  free(s);
  ir_op_out(o, L->xp);
  ir_op_out(o, L->aq);
  ir_op_out(o, L->as);
  ir_op_out(o, L->ap);
  ir_op_in(o, L->qkv);
  ir_op_in(o, L->kp);
  ir_op_in(o, L->vp);
  attn_shape(o, T, D, H, HD, WR);
  o->qblock = (64 + XR - 1) / XR * XR; /* query rows per task: a multiple of XR */
  o->lds = (T + 15) / 16 * 16;
  o->ldc = (int)ir_panel_floats(D, XR);
  ir_buf_need(g, L->xp, ir_packed_floats(n * T, D, XR));
  ir_buf_need(g, L->aq, ir_packed_floats(o->qblock, HD, XR));
  ir_buf_need(g, L->aq, (size_t)o->qblock * HD); /* then the block's output rows */
  ir_buf_need(g, L->as, (size_t)o->qblock * o->lds);
  ir_buf_need(g, L->ap, ir_packed_floats(o->qblock, T, XR));
  linear(L, "proj", L->x, L->xp, T, D, D, ir_weight_find(g, "proj_w", 0),
         ir_weight_find(g, "proj_b", 0), IR_EPI_BIAS, 1, 0);

  /* feed-forward: x += fc2(GELU(fc1(ln2(x)))) */
  const char *n2 = ffn_norm_ln1 ? "ln1" : "ln2";
  char *f2w = xasprintf("%s_w", n2), *f2b = xasprintf("%s_b", n2);
  norm(L, n2, L->x, T, ir_weight_find(g, f2w, 0), ir_weight_find(g, f2b, 0), 1);
  free(f2w);
  free(f2b);
  linear(L, "GELU(fc1)", L->hp, L->xp, T, L->F, D, ir_weight_find(g, "fc1_w", 0),
         ir_weight_find(g, "fc1_b", 0), IR_EPI_BIAS_GELU, 0, 1);
  linear(L, "fc2", L->x, L->hp, T, D, L->F, ir_weight_find(g, "fc2_w", 0),
         ir_weight_find(g, "fc2_b", 0), IR_EPI_BIAS, 1, 0);
}
/* }================================================================== */

/* {================================================================== the lowering */

/* The variations of the ViT family (DistilledVisionTransformer, DeiT3, DeiTClsHead,
 * ClsBatchNormNeck) as lowering options, read from the description's ViT-family fields
 * here and nowhere else (model.h; their parity: tests/suites/family.sh). */
typedef struct vit_opts {
  int dist_token;        /* [cls, dist, patches]: pooling hands on both rows */
  int pos_extra;         /* rows of pos_embed before the grid rows */
  int pos_before_tokens; /* DeiT3: positions on the patches only, class token without */
  int pre_norm_used;     /* pre_norm applied (DistilledVisionTransformer builds, never applies) */
  int ffn_norm_ln1;      /* DeiT3: the FFN branch normalises with the layer's ln1 */
  int head_deit;         /* DeiTClsHead: (head(cls) + head_dist(dist)) / 2 */
  int neck_bn;           /* ClsBatchNormNeck: folded into the head's first product */
  int neck_affine, neck_in;
  double neck_eps;
} vit_opts;

static void vit_options(const model_desc *m, vit_opts *o) {
  memset(o, 0, sizeof *o);
  o->dist_token = m->dist_token;
  o->pos_extra = m->pos_extra;
  o->pos_before_tokens = m->pos_before_tokens;
  o->pre_norm_used = m->pre_norm_used;
  o->ffn_norm_ln1 = m->ffn_norm_ln1;
  o->head_deit = m->head == HEAD_DEIT;
  o->neck_bn = m->neck == NECK_CLS_BN;
  o->neck_affine = m->neck_affine;
  o->neck_in = m->neck_in_channels;
  o->neck_eps = m->neck_eps;
}

static int check(const model_desc *m, const vit_opts *o) {
  const int has_neck = m->neck != NECK_NONE;
  if (m->out_index != m->num_layers - 1)
    return unsupported(m, "model.backbone.out_indices other than the last layer");
  if (m->embed_dims <= 0 || m->num_heads <= 0 || m->embed_dims % m->num_heads)
    return unsupported(m, "model.backbone embed_dims not a multiple of num_heads");
  switch (m->out_type) {
  case VIT_OUT_CLS_TOKEN:
    if (has_neck && !o->neck_bn) return unsupported(m, "model.neck after model.backbone.out_type='cls_token'");
    if (!m->with_cls_token) return unsupported(m, "model.backbone.out_type='cls_token' without a class token (with_cls_token=False)");
    break;
  case VIT_OUT_AVG_FEATMAP:
    if (has_neck && !o->neck_bn) return unsupported(m, "model.neck after model.backbone.out_type='avg_featmap'");
    break;
  case VIT_OUT_FEATMAP:
    if (o->neck_bn || m->neck != NECK_GAP)
      return unsupported(m, "model.backbone.out_type='featmap' without a GlobalAveragePooling model.neck");
    if (m->avg_norm) return unsupported(m, "model.backbone.avg_norm with out_type='featmap'");
    break;
  default:
    return unsupported(m, "model.backbone.out_type='raw'");
  }
  if (o->head_deit && (!o->dist_token || m->out_type != VIT_OUT_CLS_TOKEN))
    return unsupported(m, "model.head.type='DeiTClsHead' without the (cls, dist) token pair");
  if (o->dist_token && m->out_type == VIT_OUT_CLS_TOKEN && !o->head_deit)
    return unsupported(m, "the (cls, dist) token pair into a model.head other than DeiTClsHead");
  if (o->neck_bn && (o->dist_token || m->head == HEAD_NONE || o->neck_in != m->embed_dims))
    return unsupported(m, "model.neck.type='ClsBatchNormNeck' other than on the features of a classifier");
  if (m->head != HEAD_NONE && m->head_in_channels != m->embed_dims)
    return unsupported(m, "model.head.in_channels different from embed_dims");
  if (m->hidden_dim > 0 && m->head != HEAD_VIT_CLS && !o->head_deit)
    return unsupported(m, "model.head.hidden_dim outside VisionTransformerClsHead");
  if (m->input_size[0] <= 0 || m->input_size[1] <= 0 || m->patch_size <= 0)
    return unsupported(m, "an empty input (model.backbone.img_size / --input-size)");
  return 0;
}

/* The ClsBatchNormNeck fold on the head's first product's weight and bias. */
static void neck_fold(const vit_opts *o, ir_weight *w, const char *lin) {
  if (!o->neck_bn) return;
  w->bn.mean = "neck.bn.running_mean";
  w->bn.var = "neck.bn.running_var";
  w->bn.w = o->neck_affine ? "neck.bn.weight" : NULL;
  w->bn.b = o->neck_affine ? "neck.bn.bias" : NULL;
  w->bn.lin = (char *)lin;
  w->bn.eps = o->neck_eps;
  w->what = w->fold == IR_FOLD_PACK ? "columns * the neck's BatchNorm scale"
                                    : "+ weight x the neck's BatchNorm shift";
}

int lower_vit(const model_desc *m, ir_graph *g) {
  vit_opts opt;
  vit_options(m, &opt);
  if (check(m, &opt)) return -1;
  lower L = {0};
  L.g = g;
  L.m = m;
  const int P = m->patch_size, C = m->in_channels;
  const int gh = (m->input_size[0] + P - 1) / P, gw = (m->input_size[1] + P - 1) / P;
  L.patches = gh * gw; /* PatchEmbed padding='corner': the input padded up to the stride */
  L.extra = m->num_extra_tokens;
  L.T = L.extra + L.patches;
  L.D = m->embed_dims;
  L.F = m->feedforward_channels;
  L.H = m->num_heads;
  L.HD = L.D / L.H;
  L.pk = C * P * P;
  const int T = L.T, D = L.D, XR = g->xr;
  g->chunk = (CHUNK_ROWS + T - 1) / T < CHUNK_MAX ? (CHUNK_ROWS + T - 1) / T : CHUNK_MAX;
  const int n = g->chunk;
  const int cls = m->out_type == VIT_OUT_CLS_TOKEN;
  const int pooled = cls && opt.dist_token ? 2 : 1; /* rows the class-token pooling keeps */
  const int hidden =
      (m->head == HEAD_VIT_CLS || opt.head_deit) && m->hidden_dim > 0 ? m->hidden_dim : 0;
  g->in_c = C;
  g->in_h = m->input_size[0];
  g->in_w = m->input_size[1];
  g->out_dim = m->head != HEAD_NONE ? m->num_classes : D;

  /* named extents */
  ir_const_add(g, "PATCH", P, "Conv2d kernel = stride");
  ir_const_add(g, "GRID_H", gh, "ceil(IN_H / PATCH): padding='corner' pads with 0");
  ir_const_add(g, "GRID_W", gw, "");
  ir_const_add(g, "PATCHES", L.patches, "GRID_H * GRID_W");
  ir_const_add(g, "PATCH_K", L.pk, "IN_CHANNELS * PATCH * PATCH, order (c, ky, kx)");
  ir_const_add(g, "EXTRA_TOKENS", L.extra, opt.dist_token ? "class and distillation tokens"
                                                        : "class token");
  ir_const_add(g, "TOKENS", T, "EXTRA_TOKENS + PATCHES");
  ir_const_add(g, "EMBED_DIMS", D, "");
  ir_const_add(g, "QKV_DIMS", 3 * D, "3 * EMBED_DIMS: [q | k | v]");
  ir_const_add(g, "LAYERS", m->num_layers, "");
  ir_const_add(g, "HEADS", L.H, "");
  ir_const_add(g, "HEAD_DIM", L.HD, "");
  ir_const_add(g, "FFN_DIMS", L.F, "");
  if (hidden) ir_const_add(g, "HIDDEN_DIMS", hidden, "head pre_logits width");

  /* buffers */
  L.img = ir_buf_add(g, "img", IR_BUF_IMAGE, 0, "the input image");
  L.out = ir_buf_add(g, "out", IR_BUF_OUT, 0, "the output");
  L.x = ir_buf_add(g, "x", IR_BUF_WS, 0, "[images * tokens, D] the residual stream");
  L.xp = ir_buf_add(g, "xp", IR_BUF_WS, 0, "activation panels of the next product");
  L.qkv = ir_buf_add(g, "qkv", IR_BUF_WS, 0, "[images * tokens, 3*D] q | k | v");
  L.kp = ir_buf_add(g, "kp", IR_BUF_WS, 0, "per image and head: K packed as a weight operand");
  L.vp = ir_buf_add(g, "vp", IR_BUF_WS, 0, "per image and head: V packed as a weight operand");
  L.aq = ir_buf_add(g, "att_q", IR_BUF_WS, 1, "per thread: a block of q, packed, then its output");
  L.as = ir_buf_add(g, "att_s", IR_BUF_WS, 1, "per thread: a block of scores");
  L.ap = ir_buf_add(g, "att_p", IR_BUF_WS, 1, "per thread: a block of probabilities, packed");
  L.hp = ir_buf_add(g, "hp", IR_BUF_WS, 0, "GELU(fc1) as fc2's activation panels");
  L.feat = ir_buf_add(g, "feat", IR_BUF_WS, 0, "[images, D] pooled features");
  L.hid = ir_buf_add(g, "hid", IR_BUF_WS, 0, "[images, hidden] head pre_logits");

  /* weights, in module order */
  int w_cls = -1, w_dist = -1;
  if (m->with_cls_token) { /* DeiT3: the class token has no position */
    ir_weight w = {.field = "cls_pos", .layer = -1, .fold = IR_FOLD_ADD,
                   .src = "backbone.cls_token", .src_numel = D,
                   .add = opt.pos_before_tokens ? NULL : "backbone.pos_embed", .add_len = D,
                   .rows = 1, .cols = D,
                   .what = opt.pos_before_tokens ? "cls_token" : "cls_token + pos_embed[0]"};
    w_cls = ir_weight_add(g, &w);
  }
  if (opt.dist_token) {
    ir_weight w = {.field = "dist_pos", .layer = -1, .fold = IR_FOLD_ADD,
                   .src = "backbone.dist_token", .src_numel = D, .add = "backbone.pos_embed",
                   .add_off = D, .add_len = D, .rows = 1, .cols = D,
                   .what = "dist_token + pos_embed[1]"};
    w_dist = ir_weight_add(g, &w);
  }
  ir_weight wp = {.field = "pos", .layer = -1, .fold = IR_FOLD_ADD, .src = "backbone.pos_embed",
                  .src_off = (long long)opt.pos_extra * D,
                  .src_numel = (long long)(opt.pos_extra + L.patches) * D,
                  .add = m->patch_bias ? "backbone.patch_embed.projection.bias" : NULL,
                  .add_len = D, .rows = L.patches, .cols = D,
                  .what = m->patch_bias ? "pos_embed of the grid, on the input grid, + conv bias"
                                        : "pos_embed of the grid, on the input grid"};
  const int w_pos = ir_weight_add(g, &wp);
  const int w_patch = wpack(&L, -1, "patch_w", "backbone.patch_embed.projection.weight", D, L.pk,
                            NULL, 0, 0, "the patch Conv2d as a product");
  int w_pre[2] = {-1, -1};
  if (opt.pre_norm_used) {
    w_pre[0] = wvec(&L, -1, "pre_norm_w", "backbone.pre_norm.weight", D, NULL, 0, 0, "");
    w_pre[1] = wvec(&L, -1, "pre_norm_b", "backbone.pre_norm.bias", D, NULL, 0, 0, "");
  }
  for (int l = 0; l < m->num_layers; l++) layer_weights(&L, l, opt.ffn_norm_ln1);
  int w_ln1[2] = {-1, -1}, w_ln2[2] = {-1, -1};
  if (m->final_norm) {
    w_ln1[0] = wvec(&L, -1, "ln1_w", "backbone.ln1.weight", D, NULL, 0, 0, "final norm");
    w_ln1[1] = wvec(&L, -1, "ln1_b", "backbone.ln1.bias", D, NULL, 0, 0, "");
  }
  const int avg_norm = m->avg_norm && !cls;
  if (avg_norm) {
    w_ln2[0] = wvec(&L, -1, "ln2_w", "backbone.ln2.weight", D, NULL, 0, 0, "norm after averaging");
    w_ln2[1] = wvec(&L, -1, "ln2_b", "backbone.ln2.bias", D, NULL, 0, 0, "");
  }
  int w_pl[2] = {-1, -1}, w_head[2] = {-1, -1};
  const int in = hidden ? hidden : D, NC = g->out_dim;
  if (hidden) {
    ir_weight w = {.field = "pre_logits_w", .layer = -1, .fold = IR_FOLD_PACK,
                   .src = "head.layers.pre_logits.weight", .src_numel = (long long)hidden * D,
                   .rows = hidden, .cols = D, .what = ""};
    neck_fold(&opt, &w, "head.layers.pre_logits.weight");
    w_pl[0] = ir_weight_add(g, &w);
    ir_weight b = {.field = "pre_logits_b", .layer = -1, .fold = IR_FOLD_VEC,
                   .src = "head.layers.pre_logits.bias", .src_numel = hidden, .rows = hidden,
                   .cols = 1, .what = ""};
    neck_fold(&opt, &b, "head.layers.pre_logits.weight");
    w_pl[1] = ir_weight_add(g, &b);
  }
  if (opt.head_deit) {
    /* (head(c) + head_dist(d)) / 2 = [head | head_dist] / 2 applied to [c | d] */
    ir_weight w = {.field = "head_w", .layer = -1, .fold = IR_FOLD_PACK,
                   .src = "head.layers.head.weight", .src_numel = (long long)NC * in,
                   .cat = "head.layers.head_dist.weight", .cat_cols = in, .mul = 0.5f,
                   .rows = NC, .cols = 2 * in, .what = "[head | head_dist] / 2"};
    w_head[0] = ir_weight_add(g, &w);
    ir_weight b = {.field = "head_b", .layer = -1, .fold = IR_FOLD_ADD,
                   .src = "head.layers.head.bias", .src_numel = NC,
                   .add = "head.layers.head_dist.bias", .add_len = NC, .mul = 0.5f, .rows = NC,
                   .cols = 1, .what = "(head + head_dist) / 2"};
    w_head[1] = ir_weight_add(g, &b);
  } else if (m->head != HEAD_NONE) {
    const int lin = m->head == HEAD_LINEAR;
    const char *hw = lin ? "head.fc.weight" : "head.layers.head.weight";
    ir_weight w = {.field = "head_w", .layer = -1, .fold = IR_FOLD_PACK, .src = (char *)hw,
                   .src_numel = (long long)NC * in, .rows = NC, .cols = in, .what = ""};
    if (!hidden) neck_fold(&opt, &w, hw);
    w_head[0] = ir_weight_add(g, &w);
    ir_weight b = {.field = "head_b", .layer = -1, .fold = IR_FOLD_VEC,
                   .src = lin ? "head.fc.bias" : "head.layers.head.bias", .src_numel = NC,
                   .rows = NC, .cols = 1, .what = ""};
    if (!hidden) neck_fold(&opt, &b, hw);
    w_head[1] = ir_weight_add(g, &b);
  }

  /* patch embedding: one product over every token row of the chunk; the rows of the extra
   * tokens are zero and get their token in the epilogue, the patches their position */
  char *s = xasprintf("[%d,%d,%d] -> [%d,%d] panels%s", C, g->in_h, g->in_w, T, L.pk,
                      L.extra ? " (extra token rows zero)" : "");
  ir_op *o = op(&L, IR_PATCHES, "patches (im2col)", s);
  free(s);
  ir_op_out(o, L.xp);
  ir_op_in(o, L.img);
  o->batched = 1;
  o->c = C;
  o->h = g->in_h;
  o->w = g->in_w;
  o->p = P;
  o->gw = gw;
  o->m = L.patches;
  o->extra = L.extra;
  ir_buf_need(g, L.xp, ir_packed_floats(n * T, L.pk, XR));
  o = linear(&L, L.extra ? "patch embedding + pos_embed, extra tokens" : "patch embedding + pos_embed",
             L.x, L.xp, T, D, L.pk, w_patch, w_pos, IR_EPI_TOKENS, 0, 0);
  if ((w_cls >= 0) + (w_dist >= 0) != L.extra)
    return unsupported(m, "extra tokens other than the class and distillation tokens");
  o->wt[2] = w_cls >= 0 ? w_cls : w_dist;
  o->wt[3] = w_cls >= 0 ? w_dist : -1;
  o->extra = L.extra;
  if (opt.pre_norm_used) norm(&L, "pre_norm", L.x, T, w_pre[0], w_pre[1], 0);

  /* the layers */
  s = xasprintf("%d layers", m->num_layers);
  o = op(&L, IR_LOOP, "layers", s);
  free(s);
  o->count = m->num_layers;
  layer(&L, opt.ffn_norm_ln1);
  op(&L, IR_END, "", "");

  /* token pooling */
  if (cls) {
    copy(&L, pooled == 2 ? "class and distillation tokens" : "class token", L.feat,
         (size_t)pooled * D, L.x, (size_t)T * D, pooled * D);
    if (m->final_norm) norm(&L, "final norm ln1", L.feat, pooled, w_ln1[0], w_ln1[1], 0);
  } else {
    /* on every token: the extra tokens' rows are normalised too, and never read */
    if (m->final_norm)
      norm(&L, "final norm ln1 (the pooling reads the patch tokens)", L.x, T, w_ln1[0],
           w_ln1[1], 0);
    s = xasprintf("[%d,%d] -> [%d]", L.patches, D, D);
    o = op(&L, IR_MEAN_ROWS, "mean of the patch tokens", s);
    free(s);
    ir_op_out(o, L.feat);
    ir_op_in(o, L.x);
    o->batched = 1;
    o->in_off = (size_t)L.extra * D;
    o->m = L.patches;
    o->n = T;
    o->k = D;
    o->ld = D;
    ir_buf_need(g, L.feat, (size_t)n * D);
    if (avg_norm) norm(&L, "ln2", L.feat, 1, w_ln2[0], w_ln2[1], 0);
  }

  /* head (the class and distillation rows of feat side by side are one row of 2 * D) */
  if (m->head == HEAD_NONE) {
    copy(&L, "headless: the features are the output", L.out, D, L.feat, D, D);
  } else {
    int k = pooled * D;
    if (hidden) {
      pack(&L, "features", L.feat, pooled, D);
      linear(&L, "tanh(pre_logits)", L.hid, L.xp, pooled, hidden, D, w_pl[0], w_pl[1],
             IR_EPI_BIAS_TANH, 0, 0);
      k = pooled * hidden;
      pack(&L, "pre_logits", L.hid, 1, k);
    } else {
      pack(&L, "features", L.feat, 1, k);
    }
    linear(&L, "head: logits", L.out, L.xp, 1, g->out_dim, k, w_head[0], w_head[1],
           IR_EPI_BIAS, 0, 0);
  }
  return 0;
}
