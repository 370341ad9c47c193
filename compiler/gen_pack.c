/* gen_pack.c: weights.bin, the blob the generated library embeds: every weight of the IR
 * (ir.h) at the offset plan.c gave it, made from the checkpoint's tensors by its fold:
 *   IR_FOLD_VEC   a vector, rows below qrows times qscale, or times a row-scale tensor;
 *   IR_FOLD_ADD   src[src_off + i] + add[i % add_len] (cls_token + pos_embed[0]; pos_embed
 *                 plus the patch conv bias);
 *   IR_FOLD_PACK  a product's weight [N, K] (rows scaled likewise) packed into the
 *                 micro-kernel's panels of WR output features: element (k, r) of panel j is
 *                 W[j*WR + r][k] at panel[k*WR + r] (ORDER PANEL LAYOUT,
 *                 runtime/mmrt_panel.h), tail rows and the spare k-step zero.
 * The lowering decides the folds (e.g. head_dim^-0.5 into q, layer scale into proj / fc2).
 * --precision bf16: the product weights (ir_weight.bf16) are rounded to bfloat16 after
 * every fold (round to nearest even, NaN kept): IR_FOLD_PACK and IR_FOLD_CONV (per group)
 * packed in bf16 panels (ORDER BF16 PANEL LAYOUT, runtime/mmrt_bf16_panel.h), a plain
 * matrix (SE) row-major; the other weights (biases, norms, tokens) stay fp32. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fold_bn.h"
#include "gen.h"
#include "util.h"
#include "../runtime/mmrt_bf16_panel.h"
#include "../runtime/mmrt_wino_tab.h"

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
  if (numel >= 0 && n != numel) {
    diag_error(p->m->config_path, 0, 0, "weights: tensor '%s' has %lld elements, expected %lld",
               name, n, numel);
    return NULL;
  }
  return t;
}

static long long numel_of(const wtensor *t) {
  long long n = 1;
  for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
  return n;
}

/* Scale of row r: qscale below qrows, else the scale tensor's element, else none (1). */
static int row_scaled(const ir_weight *w, const wtensor *sc, int r, float *s) {
  if (r < w->qrows) {
    *s = w->qscale;
    return 1;
  }
  if (sc) {
    *s = sc->data[r];
    return 1;
  }
  return 0;
}

/* BatchNorm (eval) of K features as x * s[k] + t[k], in double. */
static int bn_affine(const gen_plan *p, const ir_bn *bn, int K, double **s, double **t) {
  const wtensor *mean = need(p, bn->mean, K), *var = need(p, bn->var, K);
  const wtensor *g = bn->w ? need(p, bn->w, K) : NULL, *b = bn->b ? need(p, bn->b, K) : NULL;
  if (!mean || !var || (bn->w && !g) || (bn->b && !b)) return -1;
  *s = xmalloc((size_t)K * sizeof(double));
  *t = xmalloc((size_t)K * sizeof(double));
  for (int k = 0; k < K; k++) {
    (*s)[k] = (g ? g->data[k] : 1.0) / sqrt((double)var->data[k] + bn->eps);
    (*t)[k] = (b ? b->data[k] : 0.0) - mean->data[k] * (*s)[k];
  }
  return 0;
}

/* IR_FOLD_CONV / IR_FOLD_CONV_BIAS: the conv weight with its BatchNorm folded in
 * (compiler/fold_bn.c), [rows, cols] in (ky, kx, ci) column order, or the bias [rows]. */
static float *fold_conv(const gen_plan *p, const ir_weight *w) {
  const int cout = w->rows, cin = (int)(w->src_numel / cout) / (w->kh * w->kh);
  const wtensor *src = need(p, w->src, w->src_numel);
  const wtensor *mean = need(p, w->bn.mean, cout), *var = need(p, w->bn.var, cout);
  const wtensor *g = need(p, w->bn.w, cout), *b = need(p, w->bn.b, cout);
  if (!src || !mean || !var || !g || !b) return NULL;
  float *wf = xmalloc((size_t)w->src_numel * sizeof(float));
  float *bf = xmalloc((size_t)cout * sizeof(float));
  fold_bn_conv(src->data, cout, cin, w->kh, w->kh, g->data, b->data, mean->data, var->data,
               w->bn.eps, NULL, wf, bf);
  const int want_w = w->fold != IR_FOLD_CONV_BIAS; /* IR_FOLD_CONV, IR_FOLD_WINO */
  free(want_w ? bf : wf);
  return want_w ? wf : bf;
}

/* IR_FOLD_WINO: the folded 3x3 weight V [cout, (ky, kx, ci)] transformed for F(m, 3):
 * U_xi[o][ci] = sum over ky, kx of G[i][ky] g[ky][kx] G[j][kx] (xi = i * A + j, g the
 * kernel of o and ci), in double, rounded once; each xi's [cout, cin] packed in panels. */
static void put_wino(writer *wr, const float *v, int cout, int cin, int m, int R) {
  static const double g2[6][3] = MMRT_WINO_G2, g4[6][3] = MMRT_WINO_G4;
  const double(*G)[3] = m == 4 ? g4 : g2;
  const int A = MMRT_WINO_ALPHA(m);
  const size_t pf = ir_panel_floats(cin, R);
  float *panel = xmalloc(pf * sizeof(float));
  for (int xi = 0; xi < A * A; xi++) {
    const int i = xi / A, j = xi % A;
    for (int p = 0; p < (cout + R - 1) / R; p++) {
      memset(panel, 0, pf * sizeof(float));
      for (int r = 0; r < R && p * R + r < cout; r++)
        for (int ci = 0; ci < cin; ci++) {
          const float *k = v + (size_t)(p * R + r) * 9 * cin + ci; /* tap (ky, kx) at k[(3ky+kx)cin] */
          double u = 0.0;
          for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
              u += G[i][ky] * (double)k[(size_t)(ky * 3 + kx) * cin] * G[j][kx];
          panel[(size_t)ci * R + r] = (float)u;
        }
      put(wr, panel, pf * sizeof(float));
    }
  }
  free(panel);
}

/* The weight's values [rows, cols] row-major, every fold applied; NULL after a diagnostic. */
static float *fold(const gen_plan *p, const ir_weight *w) {
  if (w->fold == IR_FOLD_CONV || w->fold == IR_FOLD_CONV_BIAS || w->fold == IR_FOLD_WINO)
    return fold_conv(p, w);
  const int K1 = w->cols - (w->cat ? w->cat_cols : 0);
  const wtensor *src = need(p, w->src, w->src_numel);
  const wtensor *sc = w->scale ? need(p, w->scale, w->rows) : NULL;
  const wtensor *add = w->add ? need(p, w->add, -1) : NULL;
  const wtensor *cat = w->cat ? need(p, w->cat, (long long)w->rows * w->cat_cols) : NULL;
  const wtensor *lin = w->bn.mean && w->fold == IR_FOLD_VEC ? need(p, w->bn.lin, -1) : NULL;
  const size_t n = (size_t)w->rows * w->cols;
  if (!src || (w->scale && !sc) || (w->add && !add) || (w->cat && !cat) ||
      (w->bn.mean && w->fold == IR_FOLD_VEC && !lin))
    return NULL;
  const size_t used = w->fold == IR_FOLD_PACK ? (size_t)w->rows * K1 : n;
  if (w->src_off + (long long)used > numel_of(src)) {
    diag_error(p->m->config_path, 0, 0, "internal error: weight '%s' reads past '%s'", w->field,
               w->src);
    return NULL;
  }
  if (add && numel_of(add) < w->add_off + w->add_len) {
    diag_error(p->m->config_path, 0, 0, "weights: tensor '%s' has %lld elements, expected %lld",
               w->add, numel_of(add), w->add_off + w->add_len);
    return NULL;
  }
  const float *a = src->data + w->src_off;
  float *v = xmalloc(n * sizeof(float));
  for (int r = 0; r < w->rows; r++) {
    float s;
    const int scaled = row_scaled(w, sc, r, &s);
    for (int k = 0; k < w->cols; k++) {
      const size_t i = (size_t)r * w->cols + k;
      if (w->fold == IR_FOLD_ADD)
        v[i] = a[i] + (add ? add->data[w->add_off + (long long)(i % (size_t)w->add_len)] : 0.0f);
      else if (w->fold == IR_FOLD_VEC)
        v[i] = scaled ? a[i] * s : a[i];
      else {
        const float x = k < K1 ? a[(size_t)r * K1 + k] : cat->data[(size_t)r * w->cat_cols + k - K1];
        v[i] = scaled ? x * s : x;
      }
    }
  }
  if (w->bn.mean) {
    const int K = w->fold == IR_FOLD_PACK ? w->cols : (int)(numel_of(lin) / w->rows);
    double *bs, *bt;
    if (bn_affine(p, &w->bn, K, &bs, &bt)) {
      free(v);
      return NULL;
    }
    for (int r = 0; r < w->rows; r++) {
      if (w->fold == IR_FOLD_PACK) {
        for (int k = 0; k < K; k++) v[(size_t)r * K + k] = (float)(v[(size_t)r * K + k] * bs[k]);
      } else {
        double acc = v[r];
        for (int k = 0; k < K; k++) acc += (double)lin->data[(size_t)r * K + k] * bt[k];
        v[r] = (float)acc;
      }
    }
    free(bs);
    free(bt);
  }
  if (w->mul != 0.0f)
    for (size_t i = 0; i < n; i++) v[i] *= w->mul;
  return v;
}

/* V [N, K] rounded to bf16 and packed in bf16 panels of R rows. */
static void put_bf16_panels(writer *wr, const float *v, int N, int K, int R) {
  const size_t ph = MMRT_BF16_PANEL_HALVES(K, R);
  uint16_t *panel = xmalloc(ph * sizeof(uint16_t));
  for (int j = 0; j < MMRT_PANELS(N, R); j++) {
    memset(panel, 0, ph * sizeof(uint16_t));
    for (int r = 0; r < R && j * R + r < N; r++)
      for (int k = 0; k < K; k++)
        panel[(size_t)(k / 2) * 2 * R + 2 * r + k % 2] =
            mmrt_bf16_from_f32(v[(size_t)(j * R + r) * K + k]);
    put(wr, panel, ph * sizeof(uint16_t));
  }
  free(panel);
}

static int pack_weight(const gen_plan *p, writer *wr, const ir_weight *w) {
  float *v = fold(p, w);
  if (!v) return -1;
  seek_to(wr, w->off);
  if (w->bf16 && w->fold == IR_FOLD_PACK) {
    put_bf16_panels(wr, v, w->rows, w->cols, p->g.wr);
  } else if (w->bf16 && w->fold == IR_FOLD_CONV) { /* each group's rows in its own panels */
    const int G = w->groups, N = w->rows / G, K = w->cols;
    for (int gi = 0; gi < G; gi++) put_bf16_panels(wr, v + (size_t)gi * N * K, N, K, p->g.wr);
  } else if (w->bf16) { /* a plain matrix (SE's 1x1 convolutions): row-major bf16 */
    const size_t n = (size_t)w->rows * w->cols;
    uint16_t *h = xmalloc((n ? n : 1) * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) h[i] = mmrt_bf16_from_f32(v[i]);
    put(wr, h, n * sizeof(uint16_t));
    free(h);
  } else if (w->fold == IR_FOLD_WINO) {
    put_wino(wr, v, w->rows, w->cols, w->wino, p->g.wr);
  } else if (w->fold == IR_FOLD_CONV) { /* each group's rows in its own panels */
    const int R = p->g.wr, G = w->groups, N = w->rows / G, K = w->cols;
    const size_t pf = ir_panel_floats(K, R);
    float *panel = xmalloc(pf * sizeof(float));
    for (int gi = 0; gi < G; gi++)
      for (int j = 0; j < (N + R - 1) / R; j++) {
        memset(panel, 0, pf * sizeof(float));
        for (int r = 0; r < R && j * R + r < N; r++)
          for (int k = 0; k < K; k++)
            panel[(size_t)k * R + r] = v[(size_t)(gi * N + j * R + r) * K + k];
        put(wr, panel, pf * sizeof(float));
      }
    free(panel);
  } else if (w->fold == IR_FOLD_PACK) {
    const int R = p->g.wr, N = w->rows, K = w->cols;
    const size_t pf = ir_panel_floats(K, R);
    float *panel = xmalloc(pf * sizeof(float));
    for (int j = 0; j < (N + R - 1) / R; j++) {
      memset(panel, 0, pf * sizeof(float));
      for (int r = 0; r < R && j * R + r < N; r++)
        for (int k = 0; k < K; k++) panel[(size_t)k * R + r] = v[(size_t)(j * R + r) * K + k];
      put(wr, panel, pf * sizeof(float));
    }
    free(panel);
  } else {
    put(wr, v, (size_t)w->rows * w->cols * sizeof(float));
  }
  free(v);
  return 0;
}

static int cmp_off(const void *a, const void *b) {
  const ir_weight *x = *(const ir_weight *const *)a, *y = *(const ir_weight *const *)b;
  return x->off < y->off ? -1 : x->off > y->off;
}

static int pack_all(const gen_plan *p, writer *wr) {
  const ir_graph *g = &p->g;
  const char *label = "packing weights";
  const ir_weight **order = xmalloc((size_t)(g->nwts ? g->nwts : 1) * sizeof *order);
  for (int i = 0; i < g->nwts; i++) order[i] = &g->wts[i];
  qsort(order, (size_t)g->nwts, sizeof *order, cmp_off);
  int rc = 0;
  for (int i = 0; rc == 0 && i < g->nwts; i++) {
    if (i % 16 == 0) progress(label, (uint64_t)i, (uint64_t)g->nwts);
    rc = pack_weight(p, wr, order[i]);
  }
  free(order);
  if (rc) return -1;
  progress(label, (uint64_t)g->nwts, (uint64_t)g->nwts);
  progress_done(label);
  seek_to(wr, g->blob_bytes);
  if (!wr->failed && wr->pos != g->blob_bytes) {
    diag_error(wr->path, 0, 0, "internal error: blob is %zu bytes, planned %zu", wr->pos,
               g->blob_bytes);
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
