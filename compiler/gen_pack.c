/* gen_pack.c: weights.bin, the blob the generated library embeds: every tensor the forward
 * pass reads, in gen_plan.c's layout, with what depends only on weights folded in:
 *   - cls_token + pos_embed[0] (one row), pos_embed[1:] + the patch Conv2d bias;
 *   - q rows of qkv (weight and bias) times head_dim^-0.5;
 *   - layer scale gamma1 / gamma2 into the rows of proj / fc2 (weight and bias);
 * and every product's weight [N, K] packed into the micro-kernel's panels of WR output
 * features: element (k, r) of panel j is W[j*WR + r][k] at panel[k*WR + r] (ORDER PANEL
 * LAYOUT, runtime/mmrt_gemm.h), tail rows and the spare k-step zero. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "util.h"

typedef struct writer {
  FILE *f;
  const char *path;
  size_t pos;
  int failed;
} writer;

static void put(writer *wr, const void *data, size_t n) {
  if (wr->failed || n == 0) return;
  if (fwrite(data, 1, n, wr->f) != n) {
    diag_error(wr->path, 0, 0, "cannot write weights");
    wr->failed = 1;
  }
  wr->pos += n;
}

/* Zero padding up to OFF (the planned offset of the next item). */
static void seek_to(writer *wr, size_t off) {
  static const char zeros[64];
  if (!wr->failed && wr->pos > off) {
    diag_error(wr->path, 0, 0, "internal error: blob item at %zu written out of order", off);
    wr->failed = 1;
  }
  while (!wr->failed && wr->pos < off) {
    size_t n = off - wr->pos < sizeof zeros ? off - wr->pos : sizeof zeros;
    put(wr, zeros, n);
  }
}

static const wtensor *need(const gen_plan *p, const char *name, long long numel) {
  const wtensor *t = weights_find(p->w, name);
  long long n = 1;
  if (!t) {
    diag_error(p->m->config_path, 0, 0, "weights: tensor '%s' missing", name);
    return NULL;
  }
  for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
  if (n != numel) {
    diag_error(p->m->config_path, 0, 0, "weights: tensor '%s' has %lld elements, expected %lld",
               name, n, numel);
    return NULL;
  }
  return t;
}

static void put_vec(writer *wr, size_t off, const float *v, size_t n) {
  seek_to(wr, off);
  put(wr, v, n * sizeof(float));
}

/* W [N, K] row-major (row n scaled by scale[n] when scale is given) -> panels of R rows. */
static void put_packed(writer *wr, size_t off, const float *w, const float *scale, int N, int K,
                       int R) {
  size_t pf = gen_panel_floats(K, R);
  float *panel = xmalloc(pf * sizeof(float));
  seek_to(wr, off);
  for (int j = 0; j < (N + R - 1) / R; j++) {
    memset(panel, 0, pf * sizeof(float));
    for (int r = 0; r < R && j * R + r < N; r++) {
      const int n = j * R + r;
      const float s = scale ? scale[n] : 1.0f;
      const float *row = w + (size_t)n * K;
      for (int k = 0; k < K; k++) panel[(size_t)k * R + r] = scale ? row[k] * s : row[k];
    }
    put(wr, panel, pf * sizeof(float));
  }
  free(panel);
}

static const wtensor *layer_tensor(const gen_plan *p, int l, const char *suffix, long long n) {
  char name[160];
  snprintf(name, sizeof name, "backbone.layers.%d.%s", l, suffix);
  return need(p, name, n);
}

static int pack_layer(const gen_plan *p, writer *wr, int l) {
  const int D = p->dims, F = p->ffn, R = p->wr;
  const size_t base = p->off_layer0 + (size_t)l * p->layer_stride;
  const wtensor *ln1w = layer_tensor(p, l, "ln1.weight", D);
  const wtensor *ln1b = layer_tensor(p, l, "ln1.bias", D);
  const wtensor *qkvw = layer_tensor(p, l, "attn.qkv.weight", 3LL * D * D);
  const wtensor *qkvb = p->m->qkv_bias ? layer_tensor(p, l, "attn.qkv.bias", 3LL * D) : NULL;
  const wtensor *projw = layer_tensor(p, l, "attn.proj.weight", (long long)D * D);
  const wtensor *projb = layer_tensor(p, l, "attn.proj.bias", D);
  const wtensor *ln2w = layer_tensor(p, l, "ln2.weight", D);
  const wtensor *ln2b = layer_tensor(p, l, "ln2.bias", D);
  const wtensor *fc1w = layer_tensor(p, l, "ffn.layers.0.0.weight", (long long)F * D);
  const wtensor *fc1b = layer_tensor(p, l, "ffn.layers.0.0.bias", F);
  const wtensor *fc2w = layer_tensor(p, l, "ffn.layers.1.weight", (long long)D * F);
  const wtensor *fc2b = layer_tensor(p, l, "ffn.layers.1.bias", D);
  const wtensor *g1 = NULL, *g2 = NULL;
  if (p->m->layer_scale_init_value > 0) {
    g1 = layer_tensor(p, l, "attn.gamma1.weight", D);
    g2 = layer_tensor(p, l, "ffn.gamma2.weight", D);
    if (!g1 || !g2) return -1;
  }
  if (!ln1w || !ln1b || !qkvw || (p->m->qkv_bias && !qkvb) || !projw || !projb || !ln2w ||
      !ln2b || !fc1w || !fc1b || !fc2w || !fc2b)
    return -1;

  /* q rows scaled by head_dim^-0.5 (attention's scale, folded) */
  float *qscale = xmalloc(3 * (size_t)D * sizeof(float));
  const float s = (float)(1.0 / sqrt((double)p->head_dim));
  for (int i = 0; i < 3 * D; i++) qscale[i] = i < D ? s : 1.0f;
  float *vec = xmalloc(3 * (size_t)D * sizeof(float));

  put_vec(wr, base + p->loff[GEN_F_LN1_W], ln1w->data, D);
  put_vec(wr, base + p->loff[GEN_F_LN1_B], ln1b->data, D);
  put_packed(wr, base + p->loff[GEN_F_QKV_W], qkvw->data, qscale, 3 * D, D, R);
  if (qkvb) {
    for (int i = 0; i < 3 * D; i++) vec[i] = qkvb->data[i] * qscale[i];
    put_vec(wr, base + p->loff[GEN_F_QKV_B], vec, 3 * (size_t)D);
  }
  put_packed(wr, base + p->loff[GEN_F_PROJ_W], projw->data, g1 ? g1->data : NULL, D, D, R);
  for (int i = 0; i < D; i++) vec[i] = projb->data[i] * (g1 ? g1->data[i] : 1.0f);
  put_vec(wr, base + p->loff[GEN_F_PROJ_B], vec, D);
  put_vec(wr, base + p->loff[GEN_F_LN2_W], ln2w->data, D);
  put_vec(wr, base + p->loff[GEN_F_LN2_B], ln2b->data, D);
  put_packed(wr, base + p->loff[GEN_F_FC1_W], fc1w->data, NULL, F, D, R);
  put_vec(wr, base + p->loff[GEN_F_FC1_B], fc1b->data, F);
  put_packed(wr, base + p->loff[GEN_F_FC2_W], fc2w->data, g2 ? g2->data : NULL, D, F, R);
  for (int i = 0; i < D; i++) vec[i] = fc2b->data[i] * (g2 ? g2->data[i] : 1.0f);
  put_vec(wr, base + p->loff[GEN_F_FC2_B], vec, D);
  free(qscale);
  free(vec);
  return 0;
}

static int pack_norm(const gen_plan *p, writer *wr, const char *name, size_t off_w, size_t off_b) {
  char n[96];
  snprintf(n, sizeof n, "%s.weight", name);
  const wtensor *w = need(p, n, p->dims);
  snprintf(n, sizeof n, "%s.bias", name);
  const wtensor *b = need(p, n, p->dims);
  if (!w || !b) return -1;
  put_vec(wr, off_w, w->data, p->dims);
  put_vec(wr, off_b, b->data, p->dims);
  return 0;
}

static int pack_all(const gen_plan *p, writer *wr) {
  const model_desc *m = p->m;
  const int D = p->dims;
  const char *label = "packing weights";

  /* patch embedding: pos_embed (already on the input grid), class token, conv bias */
  const wtensor *pos = need(p, "backbone.pos_embed", (long long)p->tokens * D);
  const wtensor *cls = p->extra ? need(p, "backbone.cls_token", D) : NULL;
  const wtensor *pw = need(p, "backbone.patch_embed.projection.weight", (long long)D * p->patch_k);
  const wtensor *pb = m->patch_bias ? need(p, "backbone.patch_embed.projection.bias", D) : NULL;
  if (!pos || (p->extra && !cls) || !pw || (m->patch_bias && !pb)) return -1;
  float *rows = xmalloc((size_t)p->patches * D * sizeof(float));
  if (cls) {
    for (int i = 0; i < D; i++) rows[i] = cls->data[i] + pos->data[i];
    put_vec(wr, p->off_cls_pos, rows, D);
  }
  for (int t = 0; t < p->patches; t++)
    for (int i = 0; i < D; i++)
      rows[(size_t)t * D + i] =
          pos->data[(size_t)(p->extra + t) * D + i] + (pb ? pb->data[i] : 0.0f);
  put_vec(wr, p->off_pos, rows, (size_t)p->patches * D);
  free(rows);
  put_packed(wr, p->off_patch_w, pw->data, NULL, D, p->patch_k, p->wr);
  if (m->pre_norm && pack_norm(p, wr, "backbone.pre_norm", p->off_pre_norm_w, p->off_pre_norm_b))
    return -1;

  for (int l = 0; l < p->layers; l++) {
    progress(label, (uint64_t)l, (uint64_t)p->layers);
    if (pack_layer(p, wr, l)) return -1;
  }
  progress(label, (uint64_t)p->layers, (uint64_t)p->layers);
  progress_done(label);

  if (m->final_norm && pack_norm(p, wr, "backbone.ln1", p->off_ln1_w, p->off_ln1_b)) return -1;
  if (m->avg_norm && !strcmp(p->pool, "avg") &&
      pack_norm(p, wr, "backbone.ln2", p->off_ln2_w, p->off_ln2_b))
    return -1;

  if (p->has_head) {
    const int in = p->hidden ? p->hidden : p->feat;
    const char *hw = m->head == HEAD_LINEAR ? "head.fc.weight" : "head.layers.head.weight";
    const char *hb = m->head == HEAD_LINEAR ? "head.fc.bias" : "head.layers.head.bias";
    if (p->hidden) {
      const wtensor *w = need(p, "head.layers.pre_logits.weight", (long long)p->hidden * p->feat);
      const wtensor *b = need(p, "head.layers.pre_logits.bias", p->hidden);
      if (!w || !b) return -1;
      put_packed(wr, p->off_pre_logits_w, w->data, NULL, p->hidden, p->feat, p->wr);
      put_vec(wr, p->off_pre_logits_b, b->data, p->hidden);
    }
    const wtensor *w = need(p, hw, (long long)p->out_dim * in), *b = need(p, hb, p->out_dim);
    if (!w || !b) return -1;
    put_packed(wr, p->off_head_w, w->data, NULL, p->out_dim, in, p->wr);
    put_vec(wr, p->off_head_b, b->data, p->out_dim);
  }
  seek_to(wr, p->blob_bytes);
  if (!wr->failed && wr->pos != p->blob_bytes) {
    diag_error(wr->path, 0, 0, "internal error: blob is %zu bytes, planned %zu", wr->pos,
               p->blob_bytes);
    return -1;
  }
  return wr->failed ? -1 : 0;
}

int gen_pack_weights(const gen_plan *p, const char *path) {
  writer wr = {fopen(path, "wb"), path, 0, 0};
  if (!wr.f) {
    diag_error(path, 0, 0, "cannot create: %s", strerror(errno));
    return -1;
  }
  int rc = pack_all(p, &wr);
  if (fclose(wr.f) != 0 && rc == 0) {
    diag_error(path, 0, 0, "cannot write weights");
    rc = -1;
  }
  return rc;
}
