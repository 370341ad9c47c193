/* gen_plan.c: the decisions code generation makes before writing anything: the compiled
 * geometry, which output stage the model needs, the byte layout of the packed weight blob
 * and the workspace plan. Each layout formula here has a twin in the generated code
 * (model.c.m4 static-asserts that the workspace plans agree). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "util.h"

char *gen_c_identifier(const char *name) {
  strbuf b;
  sb_init(&b);
  if (!isalpha((unsigned char)name[0])) sb_putc(&b, 'm');
  for (const char *s = name; *s; s++)
    sb_putc(&b, isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_');
  char *r = sb_take(&b);
  sb_free(&b);
  return r;
}

/* ORDER PANEL LAYOUT: runtime/mmrt_gemm.h MMRT_PANEL_FLOATS / MMRT_PACKED_FLOATS. */
size_t gen_panel_floats(int K, int R) { return ((size_t)(K + 1) * R + 15) / 16 * 16; }

size_t gen_packed_floats(int N, int K, int R) {
  return (size_t)((N + R - 1) / R) * gen_panel_floats(K, R);
}

static size_t align64(size_t b) { return (b + 63) / 64 * 64; }
static size_t floats(size_t n) { return align64(n * sizeof(float)); }
static size_t max2(size_t a, size_t b) { return a > b ? a : b; }

/* Reserves BYTES at the blob cursor, 64-byte aligned; returns the offset. */
static size_t take(size_t *cursor, size_t bytes) {
  size_t off = *cursor;
  *cursor = align64(off + bytes);
  return off;
}

static int unsupported(const model_desc *m, const char *what) {
  diag_error(m->config_path, 0, 0, "model '%s': %s is not supported by mmcc build", m->name,
             what);
  return -1;
}

int gen_plan_make(gen_plan *p, const model_desc *m, const model_weights *w, const target *t,
                  const char *command) {
  memset(p, 0, sizeof *p);
  p->m = m;
  p->w = w;
  p->t = t;
  p->command = command;

  /* ---- what the model computes ---- */
  if (m->out_index != m->num_layers - 1)
    return unsupported(m, "an out_indices other than the last layer");
  if (m->embed_dims <= 0 || m->num_heads <= 0 || m->embed_dims % m->num_heads)
    return unsupported(m, "embed_dims not a multiple of num_heads");
  switch (m->out_type) {
  case VIT_OUT_CLS_TOKEN:
    if (m->neck != NECK_NONE) return unsupported(m, "a neck after out_type='cls_token'");
    if (!m->with_cls_token) return unsupported(m, "out_type='cls_token' without a class token");
    p->pool = "cls";
    break;
  case VIT_OUT_AVG_FEATMAP:
    if (m->neck != NECK_NONE) return unsupported(m, "a neck after out_type='avg_featmap'");
    p->pool = "avg";
    break;
  case VIT_OUT_FEATMAP:
    if (m->neck != NECK_GAP)
      return unsupported(m, "out_type='featmap' without a GlobalAveragePooling neck");
    if (m->avg_norm) return unsupported(m, "avg_norm with out_type='featmap'");
    p->pool = "avg";
    break;
  default:
    return unsupported(m, "out_type='raw'");
  }
  p->has_head = m->head != HEAD_NONE;
  if (p->has_head && m->head_in_channels != m->embed_dims)
    return unsupported(m, "a head whose in_channels differ from embed_dims");
  if (m->hidden_dim > 0 && m->head != HEAD_VIT_CLS)
    return unsupported(m, "hidden_dim outside VisionTransformerClsHead");

  /* ---- geometry ---- */
  p->in_c = m->in_channels;
  p->in_h = m->input_size[0];
  p->in_w = m->input_size[1];
  p->patch = m->patch_size;
  if (p->in_h <= 0 || p->in_w <= 0 || p->patch <= 0) return unsupported(m, "an empty input");
  p->grid_h = (p->in_h + p->patch - 1) / p->patch;  /* PatchEmbed padding='corner' */
  p->grid_w = (p->in_w + p->patch - 1) / p->patch;
  p->patches = p->grid_h * p->grid_w;
  p->patch_k = p->in_c * p->patch * p->patch;
  p->extra = m->num_extra_tokens;
  p->tokens = p->extra + p->patches;
  p->dims = m->embed_dims;
  p->layers = m->num_layers;
  p->heads = m->num_heads;
  p->head_dim = m->embed_dims / m->num_heads;
  p->ffn = m->feedforward_channels;
  p->feat = m->embed_dims;
  p->hidden = m->head == HEAD_VIT_CLS && m->hidden_dim > 0 ? m->hidden_dim : 0;
  p->out_dim = p->has_head ? m->num_classes : m->embed_dims;
  p->xr = t->col_pref ? t->nr : t->mr;
  p->wr = t->col_pref ? t->mr : t->nr;
  p->qblock = (64 + p->xr - 1) / p->xr * p->xr;

  p->id = gen_c_identifier(m->name);
  p->id_upper = xstrdup(p->id);
  for (char *s = p->id_upper; *s; s++) *s = (char)toupper((unsigned char)*s);

  /* ---- blob layout (gen_pack.c writes in this order) ---- */
  const int D = p->dims, F = p->ffn, WR = p->wr;
  size_t cur = 0;
  p->off_cls_pos = p->extra ? take(&cur, (size_t)D * 4) : 0;
  p->off_pos = take(&cur, (size_t)p->patches * D * 4);
  p->off_patch_w = take(&cur, gen_packed_floats(D, p->patch_k, WR) * 4);
  if (m->pre_norm) {
    p->off_pre_norm_w = take(&cur, (size_t)D * 4);
    p->off_pre_norm_b = take(&cur, (size_t)D * 4);
  }
  p->off_layer0 = cur;
  size_t sizes[GEN_F_COUNT] = {
      [GEN_F_LN1_W] = (size_t)D * 4, [GEN_F_LN1_B] = (size_t)D * 4,
      [GEN_F_QKV_W] = gen_packed_floats(3 * D, D, WR) * 4,
      [GEN_F_QKV_B] = m->qkv_bias ? (size_t)3 * D * 4 : 0,
      [GEN_F_PROJ_W] = gen_packed_floats(D, D, WR) * 4, [GEN_F_PROJ_B] = (size_t)D * 4,
      [GEN_F_LN2_W] = (size_t)D * 4, [GEN_F_LN2_B] = (size_t)D * 4,
      [GEN_F_FC1_W] = gen_packed_floats(F, D, WR) * 4, [GEN_F_FC1_B] = (size_t)F * 4,
      [GEN_F_FC2_W] = gen_packed_floats(D, F, WR) * 4, [GEN_F_FC2_B] = (size_t)D * 4,
  };
  size_t lcur = 0;
  for (int f = 0; f < GEN_F_COUNT; f++) p->loff[f] = take(&lcur, sizes[f]);
  p->layer_stride = lcur;
  cur += lcur * (size_t)p->layers;
  if (m->final_norm) {
    p->off_ln1_w = take(&cur, (size_t)D * 4);
    p->off_ln1_b = take(&cur, (size_t)D * 4);
  }
  if (m->avg_norm && !strcmp(p->pool, "avg")) {
    p->off_ln2_w = take(&cur, (size_t)D * 4);
    p->off_ln2_b = take(&cur, (size_t)D * 4);
  }
  if (p->hidden) {
    p->off_pre_logits_w = take(&cur, gen_packed_floats(p->hidden, p->feat, WR) * 4);
    p->off_pre_logits_b = take(&cur, (size_t)p->hidden * 4);
  }
  if (p->has_head) {
    const int in = p->hidden ? p->hidden : p->feat;
    p->off_head_w = take(&cur, gen_packed_floats(p->out_dim, in, WR) * 4);
    p->off_head_b = take(&cur, (size_t)p->out_dim * 4);
  }
  p->blob_bytes = cur;
  if (cur > 0x7fffffff) return unsupported(m, "a weight blob of 2 GiB or more");

  /* ---- workspace (model.c.m4 "workspace" section) ---- */
  const int T = p->tokens, XR = p->xr, HD = p->head_dim, H = p->heads;
  size_t xp = gen_packed_floats(T, D, XR);
  xp = max2(xp, gen_packed_floats(p->patches, p->patch_k, XR));
  xp = max2(xp, gen_packed_floats(1, p->feat, XR));
  xp = max2(xp, gen_packed_floats(1, p->hidden + 1, XR));
  p->xp_floats = xp;
  size_t ws_u = floats((size_t)T * D) + floats(xp);
  size_t end_attn = ws_u + floats((size_t)T * 3 * D) +
                    floats((size_t)H * gen_packed_floats(T, HD, WR)) +
                    floats((size_t)H * gen_packed_floats(HD, T, WR));
  size_t end_ffn = ws_u + floats(gen_packed_floats(T, F, XR));
  size_t ws_att = max2(end_attn, end_ffn) + floats((size_t)p->feat) + floats((size_t)p->hidden + 1);
  size_t s_ld = ((size_t)T + 15) / 16 * 16;
  size_t att = floats(gen_packed_floats(p->qblock, HD, XR)) + floats((size_t)p->qblock * s_ld) +
               floats(gen_packed_floats(p->qblock, T, XR));
  p->forward_ws_bytes = ws_att + 16 /* MMRT_MAX_THREADS */ * att;
  return 0;
}

void gen_plan_free(gen_plan *p) {
  free(p->id);
  free(p->id_upper);
  p->id = p->id_upper = NULL;
}
