/* net_driver.c: a whole ResNet-family forward composed by hand from the runtime ops
 * (runtime/mmrt_conv.h), walking model_resnet.c's geometry (resnet_stem / resnet_blocks)
 * with the weights read from a checkpoint and folded by compiler/fold_bn.c: the wiring the
 * lowering will generate, checked end to end against tests/py/resnet_ref.py by
 * net_check.py before the lowering exists. A test program: it allocates freely.
 *
 *   net_driver CONFIG.py CKPT IN.f32 B S OUT_PREFIX
 *       IN.f32: B images, float32 NCHW, S x S; writes OUT_PREFIX{1,2,3}.f32 (B x classes
 *       logits) for the work split into 1, 2 and 3 parts (parts run in reverse order).
 * Built with a target's macros (see ops_driver.c), linked with the compiler's objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/mmrt_conv.h"
#include "ckpt.h"
#include "fold_bn.h"
#include "model.h"
#include "model_resnet.h"

static ckpt *ck;
static int P;  /* parts of the current run */

#define PART(q, n) ((int)((long long)(n) * (q) / P))

static float *falloc(size_t n) {
  size_t bytes = ((n + MMRT_XR * 64 + 16) * sizeof(float) + 63) / 64 * 64;
  float *p = aligned_alloc(64, bytes);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
  memset(p, 0xff, bytes);  /* NaN */
  return p;
}

static float *tensor(const char *prefix, const char *suffix, size_t numel) {
  char name[160];
  snprintf(name, sizeof name, "%s%s", prefix, suffix);
  const ckpt_tensor *t = ckpt_find(ck, name);
  if (!t || (size_t)ckpt_numel(t) != numel) {
    fprintf(stderr, "tensor %s missing or not %zu elements\n", name, numel);
    exit(1);
  }
  float *p = falloc(numel);
  ckpt_read_f32(t, p);
  return p;
}

typedef struct { int B, H, W, C; float *d; } act;

/* conv + folded BN (+ residual) (+ ReLU); BN_PREFIX NULL: the conv's own bias (head, SE). */
static act conv(const resnet_conv *cv, const char *bn_prefix, const char *bias_name, act in,
                const float *res, int relu, double eps) {
  const int G = cv->groups, cin = cv->cin / G, cout = cv->cout / G, k = cv->k;
  const int K = k * k * cin;
  const int OH = MMRT_CONV_OUT(in.H, k, cv->stride, cv->pad);
  const int OW = MMRT_CONV_OUT(in.W, k, cv->stride, cv->pad), M = in.B * OH * OW;
  float *w = tensor(cv->name, ".weight", (size_t)cv->cout * K);
  float *wf = falloc((size_t)cv->cout * K), *bf = falloc(cv->cout);
  if (bn_prefix) {
    float *g = tensor(bn_prefix, ".weight", cv->cout), *b = tensor(bn_prefix, ".bias", cv->cout);
    float *mu = tensor(bn_prefix, ".running_mean", cv->cout);
    float *var = tensor(bn_prefix, ".running_var", cv->cout);
    fold_bn_conv(w, cv->cout, cin, k, k, g, b, mu, var, eps, NULL, wf, bf);
    free(g), free(b), free(mu), free(var);
  } else {
    float *b = tensor(bias_name, "", cv->cout);
    fold_bn_conv(w, cv->cout, cin, k, k, NULL, NULL, NULL, NULL, 0, b, wf, bf);
    free(b);
  }
  const size_t wg = MMRT_PACKED_FLOATS(cout, K, MMRT_WR);
  const int nj = MMRT_PANELS(cout, MMRT_WR), np = MMRT_PANELS(M, MMRT_XR);
  float *wp = falloc(wg * G), *xp = falloc(MMRT_PACKED_FLOATS(M, K, MMRT_XR));
  for (int g = 0; g < G; g++)
    mmrt_pack_rows(wp + g * wg, wf + (size_t)g * cout * K, K, cout, K, MMRT_WR, 0, nj);
  act out = {in.B, OH, OW, cv->cout, falloc((size_t)M * cv->cout)};
  for (int g = 0; g < G; g++) {
    for (int q = P - 1; q >= 0; q--)
      mmrt_conv_pack(xp, in.d, in.B, in.H, in.W, in.C, g * cin, cin, k, k, cv->stride, cv->pad,
                     OH, OW, PART(q, np), PART(q + 1, np));
    for (int q = P - 1; q >= 0; q--)
      mmrt_conv_gemm(xp, M, wp + g * wg, cout, K, out.d, cv->cout, bf, res, cv->cout, relu, g,
                     PART(q, nj), PART(q + 1, nj));
  }
  free(w), free(wf), free(bf), free(wp), free(xp);
  return out;
}

static act block(const resnet_desc *r, const resnet_block *bl, act x) {
  act s = x, y = x;
  if (bl->has_down) {
    act in = x;
    if (bl->down_pool) {
      const int st = bl->down_pool, OH = MMRT_POOL_CEIL_OUT(x.H, st), OW = MMRT_POOL_CEIL_OUT(x.W, st);
      in = (act){x.B, OH, OW, x.C, falloc((size_t)x.B * OH * OW * x.C)};
      for (int q = P - 1; q >= 0; q--)
        mmrt_avgpool_ceil(in.d, x.d, x.H, x.W, x.C, st, OH, OW, PART(q, x.B * OH), PART(q + 1, x.B * OH));
    }
    s = conv(&bl->down, bl->down.bn, NULL, in, NULL, 0, r->bn_eps);
    if (in.d != x.d) free(in.d);
  }
  for (int c = 0; c < bl->nconv; c++) {
    const int last = c == bl->nconv - 1;
    act n = conv(&bl->conv[c], bl->conv[c].bn, NULL, y, last && !bl->se_channels ? s.d : NULL,
                 !last || !bl->se_channels ? 1 : 0, r->bn_eps);
    if (y.d != x.d) free(y.d);
    y = n;
  }
  if (bl->se_channels) {
    const int B = y.B, C = y.C, S = bl->se_channels, HW = y.H * y.W;
    char n[96];
    float *pooled = falloc((size_t)B * C), *h = falloc((size_t)B * S), *g = falloc((size_t)B * C);
    snprintf(n, sizeof n, "%s.conv1.conv", bl->se);
    float *w1 = tensor(n, ".weight", (size_t)S * C), *b1 = tensor(n, ".bias", S);
    snprintf(n, sizeof n, "%s.conv2.conv", bl->se);
    float *w2 = tensor(n, ".weight", (size_t)C * S), *b2 = tensor(n, ".bias", C);
    for (int q = P - 1; q >= 0; q--) mmrt_gap(pooled, y.d, B, HW, C, PART(q, C), PART(q + 1, C));
    for (int q = P - 1; q >= 0; q--) mmrt_se_squeeze(h, pooled, w1, b1, B, C, S, PART(q, S), PART(q + 1, S));
    for (int q = P - 1; q >= 0; q--) mmrt_se_excite(g, h, w2, b2, B, C, S, PART(q, C), PART(q + 1, C));
    for (int q = P - 1; q >= 0; q--)
      mmrt_scale_add_relu(y.d, g, s.d, C, HW, C, PART(q, B * HW), PART(q + 1, B * HW));
    free(pooled), free(h), free(g), free(w1), free(b1), free(w2), free(b2);
  }
  if (s.d != x.d) free(s.d);
  return y;
}

static float *forward(const model_desc *m, const float *nchw, int B, int S) {
  const resnet_desc *r = m->resnet;
  act x = {B, S, S, r->in_channels, falloc((size_t)B * S * S * r->in_channels)};
  for (int b = 0; b < B; b++)  /* NCHW -> NHWC */
    for (int c = 0; c < x.C; c++)
      for (int i = 0; i < S * S; i++)
        x.d[((size_t)b * S * S + i) * x.C + c] = nchw[((size_t)b * x.C + c) * S * S + i];
  resnet_conv stem[3];
  int maxpool, ns = resnet_stem(r, stem, &maxpool);
  for (int i = 0; i < ns; i++) {
    act n = conv(&stem[i], stem[i].bn, NULL, x, NULL, 1, r->bn_eps);
    free(x.d);
    x = n;
  }
  if (maxpool) {
    const int OH = MMRT_CONV_OUT(x.H, 3, 2, 1), OW = MMRT_CONV_OUT(x.W, 3, 2, 1);
    act n = {B, OH, OW, x.C, falloc((size_t)B * OH * OW * x.C)};
    for (int q = P - 1; q >= 0; q--)
      mmrt_maxpool(n.d, x.d, x.H, x.W, x.C, 3, 2, 1, OH, OW, PART(q, B * OH), PART(q + 1, B * OH));
    free(x.d);
    x = n;
  }
  resnet_block *bl;
  size_t nb = resnet_blocks(r, &bl);
  for (size_t i = 0; i < nb; i++) {
    act n = block(r, &bl[i], x);
    free(x.d);
    x = n;
  }
  free(bl);
  act f = {B, 1, 1, x.C, falloc((size_t)B * x.C)};
  for (int q = P - 1; q >= 0; q--) mmrt_gap(f.d, x.d, B, x.H * x.W, x.C, PART(q, x.C), PART(q + 1, x.C));
  free(x.d);
  resnet_conv fc = {"head.fc", "", x.C, m->num_classes, 1, 1, 0, 1};
  act y = conv(&fc, NULL, "head.fc.bias", f, NULL, 0, 0);
  free(f.d);
  return y.d;
}

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: see net_driver.c\n"); return 1; }
  model_desc m;
  if (model_from_config(argv[1], &m)) return 1;
  if (!m.resnet || m.head != HEAD_LINEAR) { fprintf(stderr, "not a ResNet classifier\n"); return 1; }
  if (!(ck = ckpt_open(argv[2]))) return 1;
  const int B = atoi(argv[4]), S = atoi(argv[5]);
  const size_t n = (size_t)B * m.resnet->in_channels * S * S;
  float *in = falloc(n);
  FILE *f = fopen(argv[3], "rb");
  if (B <= 0 || S <= 0 || !f || fread(in, sizeof *in, n, f) != n) {
    fprintf(stderr, "%s: cannot read %zu floats\n", argv[3], n);
    return 1;
  }
  fclose(f);
  for (P = 1; P <= 3; P++) {
    float *y = forward(&m, in, B, S);
    char path[512];
    snprintf(path, sizeof path, "%s%d.f32", argv[6], P);
    FILE *o = fopen(path, "wb");
    if (!o || fwrite(y, sizeof *y, (size_t)B * m.num_classes, o) != (size_t)B * m.num_classes ||
        fclose(o)) {
      fprintf(stderr, "%s: cannot write\n", path);
      return 1;
    }
    free(y);
  }
  free(in);
  ckpt_close(ck);
  model_free(&m);
  return 0;
}
