/* ppdrv.c: test driver for runtime/mmrt_preprocess.c (tests/suites/preprocess.sh).
 * It includes the runtime source to reach the resampler alone.
 *
 *   ppdrv resize W H RW RH X0 Y0 FW FH   < W*H*3 bytes  > FW*FH*3 bytes
 *       Pillow-style bicubic W x H -> RW x RH, the window (X0, Y0, FW, FH) of the result
 *   ppdrv resample METHOD CN W H RW RH X0 Y0 FW FH   < W*H*CN bytes  > FW*FH*CN bytes
 *       the same with any mmrt_resize METHOD (0 Pillow bicubic, 1 Pillow bilinear, 2 OpenCV
 *       INTER_LINEAR); CN channels (Pillow: 3 only); workspace of exactly the plan's bytes
 *   ppdrv pipe S EDGE CROPH CROPW OUTH OUTW NORM TORGB ORDER W H M0 M1 M2 S0 S1 S2 [METHOD]
 *                                         < W*H*3 bytes  > 3*OUTH*OUTW float32
 *       EDGE, METHOD: mmrt_edge, mmrt_resize values (METHOD defaults to 0, Pillow bicubic)
 *       mmrt_preprocess_rgb8 with a workspace of exactly MMRT_PREPROCESS_WORKSPACE_BYTES;
 *       mean/std given as Python float reprs, converted to float32 as numpy does
 *       (double -> float); on an error code prints "error N" and exits 3
 *   ppdrv topk N K                        < N float32     > K lines "index score"
 *   ppdrv bad                             runs bad-argument cases, one "ok"/"FAIL" line each
 */
#include "../../runtime/mmrt_preprocess.c"

#include <stdio.h>
#include <stdlib.h>

/* the workspace macro is a constant expression, usable in #if and static assertions */
#if MMRT_PREPROCESS_WORKSPACE_BYTES(224, 224, 224) <= MMRT_PREPROCESS_WORKSPACE_BYTES(0, 224, 224)
#error "MMRT_PREPROCESS_WORKSPACE_BYTES is not a preprocessor constant expression"
#endif
_Static_assert(MMRT_PREPROCESS_WORKSPACE_BYTES(448, 448, 448) < (8u << 20), "workspace bound");

static void *xalloc(size_t n) {
  void *p = aligned_alloc(64, n ? (n + 63) & ~(size_t)63 : 64);
  if (!p) {
    fprintf(stderr, "ppdrv: out of memory\n");
    exit(2);
  }
  return p;
}

static void read_all(void *buf, size_t n) {
  if (fread(buf, 1, n, stdin) != n) {
    fprintf(stderr, "ppdrv: short input\n");
    exit(2);
  }
}

typedef struct {
  uint8_t *out;
  int fw; /* bytes per row */
} copy_ctx;
static void copy_sink(void *ctx, int y, const uint8_t *row) {
  copy_ctx *c = ctx;
  memcpy(c->out + (size_t)y * c->fw, row, (size_t)c->fw);
}

static int cmd_resize(int method, int cn, char **a) {
  plan pl;
  copy_ctx c;
  uint8_t *in;
  void *ws;
  memset(&pl, 0, sizeof pl);
  pl.w = atoi(a[0]), pl.h = atoi(a[1]), pl.rw = atoi(a[2]), pl.rh = atoi(a[3]);
  pl.x0 = atoi(a[4]), pl.y0 = atoi(a[5]), pl.fw = atoi(a[6]), pl.fh = atoi(a[7]);
  if (method < 0 || method > MMRT_RESIZE_CV2_LINEAR || cn < 1 || cn > 4 ||
      (method != MMRT_RESIZE_CV2_LINEAR && cn != 3) || pl.w < 1 || pl.h < 1 || pl.rw < 1 ||
      pl.rh < 1 || pl.fw < 1 || pl.fh < 1 || pl.x0 < 0 || pl.y0 < 0 || pl.x0 + pl.fw > pl.rw ||
      pl.y0 + pl.fh > pl.rh) {
    fprintf(stderr, "ppdrv: bad resample arguments\n");
    return 2;
  }
  pl.cn = cn;
  pl.method = (mmrt_resize)method;
  plan_resample(&pl);
  in = xalloc((size_t)pl.w * pl.h * cn);
  read_all(in, (size_t)pl.w * pl.h * cn);
  c.out = xalloc((size_t)pl.fw * pl.fh * cn);
  c.fw = pl.fw * cn;
  ws = xalloc(pl.bytes);
  resample(&pl, in, pl.w * cn, ws, copy_sink, &c);
  fwrite(c.out, 1, (size_t)pl.fw * pl.fh * cn, stdout);
  free(in);
  free(c.out);
  free(ws);
  return 0;
}

static int cmd_pipe(char **a, int method) {
  mmrt_pre_params p;
  int order, w, h, rc;
  size_t ws_bytes, in_bytes, out_n;
  uint8_t *in;
  float *out;
  void *ws;
  memset(&p, 0, sizeof p);
  p.resize_scale = atoi(a[0]);
  p.resize_edge = (mmrt_edge)atoi(a[1]);
  p.resize_method = (mmrt_resize)method;
  p.crop_h = atoi(a[2]);
  p.crop_w = atoi(a[3]);
  p.out_h = atoi(a[4]);
  p.out_w = atoi(a[5]);
  p.norm = (mmrt_norm)atoi(a[6]);
  p.to_rgb = atoi(a[7]);
  order = atoi(a[8]);
  w = atoi(a[9]);
  h = atoi(a[10]);
  for (int i = 0; i < 3; i++) {
    p.mean[i] = (float)strtod(a[11 + i], NULL);
    p.std[i] = (float)strtod(a[14 + i], NULL);
  }
  in_bytes = (size_t)(w > 0 ? w : 1) * (h > 0 ? h : 1) * 3;
  in = xalloc(in_bytes);
  read_all(in, (size_t)(w > 0 ? w : 0) * (h > 0 ? h : 0) * 3);
  out_n = (size_t)p.out_h * p.out_w * 3;
  out = xalloc(out_n * sizeof(float));
  ws_bytes = MMRT_PREPROCESS_WORKSPACE_BYTES(p.resize_scale, p.out_h, p.out_w);
  ws = xalloc(ws_bytes);
  rc = mmrt_preprocess_rgb8(&p, in, w, h, w * 3, order, out, ws);
  if (rc != MMRT_OK) {
    printf("error %d\n", rc);
    free(in), free(out), free(ws);
    return 3;
  }
  fwrite(out, sizeof(float), out_n, stdout);
  free(in), free(out), free(ws);
  return 0;
}

static int cmd_topk(char **a) {
  int n = atoi(a[0]), k = atoi(a[1]), rc;
  float *l = xalloc((size_t)n * sizeof(float)), *s = xalloc((size_t)k * sizeof(float));
  int *idx = xalloc((size_t)k * sizeof(int));
  read_all(l, (size_t)n * sizeof(float));
  rc = mmrt_topk(l, n, k, idx, s);
  if (rc >= 0)
    for (int i = 0; i < rc; i++) printf("%d %.9g\n", idx[i], s[i]);
  else
    printf("error %d\n", rc);
  free(l), free(s), free(idx);
  return rc >= 0 ? 0 : 3;
}

/* ---- bad arguments: each case must return its code, touch nothing it was not given ---- */
static int bad_case(const char *name, int want, const mmrt_pre_params *p, int w, int h, int stride,
                    int order, int null_px, int null_out, int misalign) {
  static uint8_t px[64 * 64 * 3];
  float *out = xalloc(3 * 224 * 224 * sizeof(float));
  size_t wsb = MMRT_PREPROCESS_WORKSPACE_BYTES(224, 224, 224);
  uint8_t *ws = xalloc(wsb + 64);
  int rc = mmrt_preprocess_rgb8(p, null_px ? NULL : px, w, h, stride, order, null_out ? NULL : out,
                                misalign ? ws + 4 : ws);
  free(out);
  free(ws);
  if (rc == want) {
    printf("ok bad-%s\n", name);
    return 0;
  }
  printf("FAIL bad-%s: returned %d, wanted %d\n", name, rc, want);
  return 1;
}

static int cmd_bad(void) {
  mmrt_pre_params p = {.resize_scale = 224, .resize_edge = MMRT_EDGE_SHORT,
                       .resize_method = MMRT_RESIZE_PIL_BICUBIC, .crop_h = 224, .crop_w = 224,
                       .out_h = 224, .out_w = 224, .to_rgb = 1, .norm = MMRT_NORM_DIV,
                       .mean = {1, 2, 3}, .std = {4, 5, 6}},
                  q;
  int f = 0;
  float l[4] = {1, 2, 3, 4}, s[4];
  int idx[4];
  f += bad_case("zero-width", MMRT_E_EMPTY_IMAGE, &p, 0, 10, 30, 0, 0, 0, 0);
  f += bad_case("zero-height", MMRT_E_EMPTY_IMAGE, &p, 10, 0, 30, 0, 0, 0, 0);
  f += bad_case("negative-size", MMRT_E_EMPTY_IMAGE, &p, -5, 10, 30, 0, 0, 0, 0);
  f += bad_case("too-wide", MMRT_E_IMAGE_TOO_LARGE, &p, MMRT_MAX_IMAGE_SIDE + 1, 10,
                3 * (MMRT_MAX_IMAGE_SIDE + 1), 0, 0, 0, 0);
  f +=
      bad_case("too-tall", MMRT_E_IMAGE_TOO_LARGE, &p, 10, MMRT_MAX_IMAGE_SIDE + 1, 30, 0, 0, 0, 0);
  f += bad_case("huge", MMRT_E_IMAGE_TOO_LARGE, &p, 1 << 30, 1 << 30, 1 << 30, 0, 0, 0, 0);
  f += bad_case("stride", MMRT_E_BAD_ARGUMENT, &p, 10, 10, 29, 0, 0, 0, 0);
  f += bad_case("order", MMRT_E_BAD_ARGUMENT, &p, 10, 10, 30, 2, 0, 0, 0);
  f += bad_case("null-pixels", MMRT_E_BAD_ARGUMENT, &p, 10, 10, 30, 0, 1, 0, 0);
  f += bad_case("null-out", MMRT_E_BAD_ARGUMENT, &p, 10, 10, 30, 0, 0, 1, 0);
  f += bad_case("misaligned-workspace", MMRT_E_BAD_ARGUMENT, &p, 10, 10, 30, 0, 0, 0, 1);
  f += bad_case("null-params", MMRT_E_BAD_ARGUMENT, NULL, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.std[1] = 0;
  f += bad_case("zero-std", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.norm = (mmrt_norm)7;
  f += bad_case("norm", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.out_h = 0;
  f += bad_case("out-size", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.resize_scale = -1;
  f += bad_case("resize-scale", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.resize_scale = 0;
  f += bad_case("no-resize-wrong-size", MMRT_E_IMAGE_SHAPE, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.resize_edge = MMRT_EDGE_LONG;
  f += bad_case("long-edge-too-thin", MMRT_E_IMAGE_SHAPE, &q, 64, 10, 192, 0, 0, 0, 0);
  q = p, q.resize_edge = MMRT_EDGE_LONG;
  f += bad_case("long-edge-zero-side", MMRT_E_IMAGE_SHAPE, &q, 64, 1, 192, 0, 0, 0, 0);
  q = p, q.resize_edge = MMRT_EDGE_WIDTH, q.crop_h = 0, q.crop_w = 0;
  f += bad_case("width-edge-wrong-height", MMRT_E_IMAGE_SHAPE, &q, 20, 10, 60, 0, 0, 0, 0);
  q = p, q.resize_edge = MMRT_EDGE_HEIGHT, q.resize_method = MMRT_RESIZE_CV2_LINEAR;
  f += bad_case("height-edge-zero-width", MMRT_E_IMAGE_SHAPE, &q, 1, 300, 3, 0, 0, 0, 0);
  q = p, q.resize_edge = (mmrt_edge)5;
  f += bad_case("edge", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.resize_edge = (mmrt_edge)-1;
  f += bad_case("edge-negative", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.resize_method = (mmrt_resize)3;
  f += bad_case("method", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  q = p, q.resize_edge = MMRT_EDGE_FIXED;
  f += bad_case("fixed-with-crop", MMRT_E_BAD_ARGUMENT, &q, 10, 10, 30, 0, 0, 0, 0);
  if (mmrt_topk(l, 4, -1, idx, s) == MMRT_E_BAD_ARGUMENT &&
      mmrt_topk(NULL, 4, 1, idx, s) == MMRT_E_BAD_ARGUMENT &&
      mmrt_topk(l, 4, 1, NULL, s) == MMRT_E_BAD_ARGUMENT &&
      mmrt_topk(l, 0, 1, idx, s) == MMRT_E_BAD_ARGUMENT)
    printf("ok bad-topk\n");
  else
    printf("FAIL bad-topk: a bad k/n/pointer was accepted\n"), f++;
  if (mmrt_topk(l, 4, 0, idx, s) == 0 && mmrt_topk(l, 4, 9, idx, s) == 4 && idx[0] == 3 &&
      idx[3] == 0)
    printf("ok topk-clamps-k\n");
  else
    printf("FAIL topk-clamps-k: k = 0 / k > n not handled as documented\n"), f++;
  return f ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc == 10 && !strcmp(argv[1], "resize")) return cmd_resize(0, 3, argv + 2);
  if (argc == 12 && !strcmp(argv[1], "resample"))
    return cmd_resize(atoi(argv[2]), atoi(argv[3]), argv + 4);
  if (argc == 19 && !strcmp(argv[1], "pipe")) return cmd_pipe(argv + 2, 0);
  if (argc == 20 && !strcmp(argv[1], "pipe")) return cmd_pipe(argv + 2, atoi(argv[19]));
  if (argc == 4 && !strcmp(argv[1], "topk")) return cmd_topk(argv + 2);
  if (argc == 2 && !strcmp(argv[1], "bad")) return cmd_bad();
  fprintf(stderr, "usage: see the head of ppdrv.c\n");
  return 2;
}
