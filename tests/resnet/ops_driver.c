/* ops_driver.c: runs one runtime op of runtime/mmrt_conv.h on inputs written by
 * ops_check.py, once for each work split into P = 1, 2, 3 parts (the parts run in reverse
 * order, one after the other, so that an op reading outside its own part would show), and
 * writes DIR/out1.f32, out2.f32, out3.f32. Weights are folded by compiler/fold_bn.c and
 * packed with mmrt_pack_rows, as mmcc does; convolutions without groups run direct
 * (mmrt_conv_direct, no im2col) where the target has it (MMRT_CONV_DIRECT: AVX-512 with
 * 32 x 12 panels): then the 2-way split is by weight panels, the 3-way by token panels.
 * Built with a target's macros (MMRT_UKR, MMRT_MR,
 * MMRT_NR, MMRT_KC, MMRT_COL_PREF) and linked with BLIS's libblis.a for the kernel.
 *
 *   ops_driver conv DIR B H W CIN COUT K S PAD G RELU RES BN EPS_E9
 *       x.f32 NHWC, w.f32 (COUT, CIN/G, K, K), bn.f32 gamma|beta|mean|var (BN=1) or the
 *       conv bias (BN=0), res.f32 the output's shape when RES=1; eps = EPS_E9 * 1e-9
 *   ops_driver maxpool DIR B H W C K S PAD
 *   ops_driver avgpool DIR B H W C S          (ceil mode, count_include_pad=False)
 *   ops_driver gap DIR B H W C                out (B, C)
 *   ops_driver se DIR B H W C SQ              x, w1 (SQ, C), b1, w2 (C, SQ), b2, res:
 *                                             out = relu(x * sigmoid(...) + res)
 * Exit 0, or 1 with a message (bad arguments, unreadable files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/mmrt_conv.h"
#include "../../compiler/fold_bn.h"

static const char *dir;

static float *alloc_f(size_t n) {
  size_t bytes = ((n + MMRT_XR * 64 + 16) * sizeof(float) + 63) / 64 * 64;
  float *p = aligned_alloc(64, bytes);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
  memset(p, 0xff, bytes);  /* NaN: anything an op forgets to write shows */
  return p;
}

static float *load(const char *name, size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  float *p = alloc_f(n);
  if (!f || fread(p, sizeof *p, n, f) != n || fgetc(f) != EOF) {
    fprintf(stderr, "%s: cannot read %zu floats\n", path, n);
    exit(1);
  }
  fclose(f);
  return p;
}

static void save(int parts, const float *p, size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/out%d.f32", dir, parts);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, sizeof *p, n, f) != n || fclose(f)) {
    fprintf(stderr, "%s: cannot write\n", path);
    exit(1);
  }
}

#define PART(q, P, n) ((int)((long long)(n) * (q) / (P)))

static int conv(int *a) {
  const int B = a[0], H = a[1], W = a[2], Cin = a[3], Cout = a[4], k = a[5], s = a[6],
            pad = a[7], G = a[8], relu = a[9], has_res = a[10], has_bn = a[11];
  const double eps = a[12] * 1e-9;
  if (Cin % G || Cout % G) { fprintf(stderr, "groups must divide the channels\n"); return 1; }
  const int cin = Cin / G, cout = Cout / G, K = k * k * cin;
  const int OH = MMRT_CONV_OUT(H, k, s, pad), OW = MMRT_CONV_OUT(W, k, s, pad), M = B * OH * OW;
  float *x = load("x.f32", (size_t)B * H * W * Cin);
  float *w = load("w.f32", (size_t)Cout * K);
  float *bn = load("bn.f32", (size_t)Cout * (has_bn ? 4 : 1));
  float *res = has_res ? load("res.f32", (size_t)M * Cout) : NULL;
  float *wf = alloc_f((size_t)Cout * K), *bf = alloc_f(Cout);
  if (has_bn)
    fold_bn_conv(w, Cout, cin, k, k, bn, bn + Cout, bn + 2 * Cout, bn + 3 * Cout, eps, NULL, wf, bf);
  else
    fold_bn_conv(w, Cout, cin, k, k, NULL, NULL, NULL, NULL, 0, bn, wf, bf);
  const size_t wg = MMRT_PACKED_FLOATS(cout, K, MMRT_WR);
  const int nj = MMRT_PANELS(cout, MMRT_WR), np = MMRT_PANELS(M, MMRT_XR);
  float *wp = alloc_f(wg * G);
  for (int g = 0; g < G; g++)
    mmrt_pack_rows(wp + g * wg, wf + (size_t)g * cout * K, K, cout, K, MMRT_WR, 0, nj);
  float *xp = alloc_f(MMRT_PACKED_FLOATS(M, K, MMRT_XR)), *y = alloc_f((size_t)M * Cout);
#if MMRT_CONV_DIRECT
  if (MMRT_CONV_IS_DIRECT(G, cin)) { /* read in place: 2 parts by weight panels, 3 by tokens */
    for (int P = 1; P <= 3; P++) {
      memset(y, 0xff, (size_t)M * Cout * sizeof *y);
      for (int q = P - 1; q >= 0; q--) {
        if (P == 2)
          mmrt_conv_direct(y, x, B, H, W, Cin, k, s, pad, OH, OW, wp, Cout, bf, res, relu, 0, np,
                           PART(q, P, nj), PART(q + 1, P, nj), q & 1);
        else
          mmrt_conv_direct(y, x, B, H, W, Cin, k, s, pad, OH, OW, wp, Cout, bf, res, relu,
                           PART(q, P, np), PART(q + 1, P, np), 0, nj, q & 1);
      }
      save(P, y, (size_t)M * Cout);
    }
    return 0;
  }
#endif
  for (int P = 1; P <= 3; P++) {
    memset(y, 0xff, (size_t)M * Cout * sizeof *y);
    for (int g = 0; g < G; g++) {
      for (int q = P - 1; q >= 0; q--)
        mmrt_conv_pack(xp, x, B, H, W, Cin, g * cin, cin, k, k, s, pad, OH, OW,
                       PART(q, P, np), PART(q + 1, P, np));
      for (int q = P - 1; q >= 0; q--)
        mmrt_conv_gemm(xp, M, wp + g * wg, cout, K, y, Cout, bf, res, Cout, relu, g,
                       PART(q, P, nj), PART(q + 1, P, nj));
    }
    save(P, y, (size_t)M * Cout);
  }
  return 0;
}

static int pool(const char *mode, int *a) {
  const int B = a[0], H = a[1], W = a[2], C = a[3];
  const int mx = !strcmp(mode, "maxpool");
  const int k = a[4], s = mx ? a[5] : a[4], pad = mx ? a[6] : 0;
  const int OH = mx ? MMRT_CONV_OUT(H, k, s, pad) : MMRT_POOL_CEIL_OUT(H, s);
  const int OW = mx ? MMRT_CONV_OUT(W, k, s, pad) : MMRT_POOL_CEIL_OUT(W, s);
  float *x = load("x.f32", (size_t)B * H * W * C), *y = alloc_f((size_t)B * OH * OW * C);
  for (int P = 1; P <= 3; P++) {
    memset(y, 0xff, (size_t)B * OH * OW * C * sizeof *y);
    for (int q = P - 1; q >= 0; q--) {
      if (mx) mmrt_maxpool(y, x, H, W, C, k, s, pad, OH, OW, PART(q, P, B * OH), PART(q + 1, P, B * OH));
      else mmrt_avgpool_ceil(y, x, H, W, C, s, OH, OW, PART(q, P, B * OH), PART(q + 1, P, B * OH));
    }
    save(P, y, (size_t)B * OH * OW * C);
  }
  return 0;
}

static int gap(int *a) {
  const int B = a[0], HW = a[1] * a[2], C = a[3];
  float *x = load("x.f32", (size_t)B * HW * C), *y = alloc_f((size_t)B * C);
  for (int P = 1; P <= 3; P++) {
    memset(y, 0xff, (size_t)B * C * sizeof *y);
    for (int q = P - 1; q >= 0; q--) mmrt_gap(y, x, B, HW, C, PART(q, P, C), PART(q + 1, P, C));
    save(P, y, (size_t)B * C);
  }
  return 0;
}

static int se(int *a) {
  const int B = a[0], HW = a[1] * a[2], C = a[3], S = a[4];
  const size_t n = (size_t)B * HW * C;
  float *x = load("x.f32", n), *w1 = load("w1.f32", (size_t)S * C), *b1 = load("b1.f32", S);
  float *w2 = load("w2.f32", (size_t)C * S), *b2 = load("b2.f32", C), *res = load("res.f32", n);
  float *y = alloc_f(n), *pooled = alloc_f((size_t)B * C), *h = alloc_f((size_t)B * S);
  float *g = alloc_f((size_t)B * C);
  for (int P = 1; P <= 3; P++) {
    memcpy(y, x, n * sizeof *y);
    for (int q = P - 1; q >= 0; q--) mmrt_gap(pooled, y, B, HW, C, PART(q, P, C), PART(q + 1, P, C));
    for (int q = P - 1; q >= 0; q--) mmrt_se_squeeze(h, pooled, w1, b1, B, C, S, PART(q, P, S), PART(q + 1, P, S));
    for (int q = P - 1; q >= 0; q--) mmrt_se_excite(g, h, w2, b2, B, C, S, PART(q, P, C), PART(q + 1, P, C));
    for (int q = P - 1; q >= 0; q--)
      mmrt_scale_add_relu(y, g, res, C, HW, C, PART(q, P, B * HW), PART(q + 1, P, B * HW));
    save(P, y, n);
  }
  return 0;
}

int main(int argc, char **argv) {
  static const struct { const char *mode; int nargs; } modes[] = {
      {"conv", 13}, {"maxpool", 7}, {"avgpool", 5}, {"gap", 4}, {"se", 5}};
  int a[16];
  if (argc < 3) { fprintf(stderr, "usage: see ops_driver.c\n"); return 1; }
  dir = argv[2];
  for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
    if (strcmp(argv[1], modes[m].mode)) continue;
    if (argc != 3 + modes[m].nargs) {
      fprintf(stderr, "%s takes %d numbers\n", argv[1], modes[m].nargs);
      return 1;
    }
    for (int i = 0; i < modes[m].nargs; i++) {
      char *end;
      long v = strtol(argv[3 + i], &end, 10);
      if (*end || v < 0 || v > 1000000000L) { fprintf(stderr, "bad number '%s'\n", argv[3 + i]); return 1; }
      a[i] = (int)v;
    }
    if (!strcmp(argv[1], "conv")) return conv(a);
    if (!strcmp(argv[1], "gap")) return gap(a);
    if (!strcmp(argv[1], "se")) return se(a);
    return pool(argv[1], a);
  }
  fprintf(stderr, "unknown op '%s'\n", argv[1]);
  return 1;
}
