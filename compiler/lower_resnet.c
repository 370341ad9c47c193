/* lower_resnet.c: a ResNet-family classifier as IR ops (ir.h). It walks model_resnet.c's
 * geometry (resnet_stem / resnet_blocks: the one place that knows channel counts, strides
 * and state-dict names) and emits, activations NHWC:
 *
 *   per image of the chunk (IR_IMAGES):
 *     x = hwc(img); per stem conv: x = relu(bn(conv(x))); [x = maxpool3x3/2(x)]
 *     per block of the head: as below
 *   per block of the tail, on the chunk's images at once (batched ops):
 *     s = x, or bn(down([avgpool_ceil](x)))
 *              y = relu(bn(conv1(x))); ...; y = bn(convN(y))
 *              SE: y = y * sigmoid(conv2(relu(conv1(mean_hw(y)))))
 *              x = relu(y + s)
 *   f = mean_hw(x) (GlobalAveragePooling); logits = head.fc(f)
 *
 * A convolution is two ops: its patches packed as activation panels (every group), then the
 * product with the weights packed at compile time, BatchNorm folded in (IR_FOLD_CONV), bias,
 * residual add and ReLU in the product's epilogue. Without SE the residual add and the last
 * ReLU are the last conv's epilogue. Every activation is its own buffer: the planner lets
 * buffers whose lifetimes do not overlap share bytes.
 *
 * The tail: the blocks from 14 x 14 outputs on (ResNet-50 at 224: stages 3 and 4, 85% of
 * its weights for 15% of its pixels) run on the chunk's RESNET_CHUNK images together, so
 * that their weights stream from memory once per chunk; the head before them one image at
 * a time, where an image's activations (ResNet-50: 0.4 - 3.2 MB each) fill the caches. Its
 * last output holds each image's result (ir_buf.image_floats). ResNet-50, batch 8, AMD EPYC
 * Zen 5 VM, alternating runs: 2 threads 153-158 ms -> 146-148 (chunk 2) and 143-145
 * (chunk 4), 1 thread 276-281 -> 266-275 and 262-267; batch 1 level; workspace 12.5 MB ->
 * 15.3 and 24.1 MB, of which a batch-1 call touches the same ~11 MB (bench/results/NOTES.md,
 * twenty-fifth session). A tail from 28 x 28 on (stage 2 too; chunk 2: 22.7 MB) was within
 * those runs' noise of chunk 2's. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "model.h"
#include "model_resnet.h"
#include "util.h"

#define RESNET_CHUNK 4
#define RESNET_TAIL_PIXELS (14 * 14) /* a block whose output has this many pixels or fewer */

typedef struct act { int buf, h, w, c; } act;

typedef struct lower {
  ir_graph *g;
  const model_desc *m;
  const resnet_desc *r;
  int xp, img, out, nbuf;
  int wm; /* the Winograd products (-1 until a convolution needs them) */
  int B;  /* images an op runs on: 1 in the head (an image loop), the chunk's in the tail */
} lower;

static int unsupported(const model_desc *m, const char *what) {
  diag_error(m->config_path, 0, 0, "model '%s': %s is not supported by mmcc build", m->name,
             what);
  return -1;
}

static ir_op *op(lower *L, ir_kind kind, const char *label, char *shape) {
  ir_op *o = ir_op_add(L->g, kind, label);
  o->shape = shape; /* taken */
  o->batched = L->B > 1;
  return o;
}

/* A new activation buffer [h, w, c] named NAME (of each image an op runs on). */
static act newact(lower *L, const char *name, int h, int w, int c) {
  char *what = L->B > 1 ? xasprintf("%d x [%d,%d,%d] NHWC", L->B, h, w, c)
                        : xasprintf("[%d,%d,%d] NHWC", h, w, c);
  act a = {ir_buf_add(L->g, name, IR_BUF_WS, 0, what), h, w, c};
  free(what);
  ir_buf_need(L->g, a.buf, (size_t)L->B * h * w * c);
  L->nbuf++;
  return a;
}

/* The Winograd tile side for a convolution (ir_graph.wino; 0: a product of its patches).
 * Only 3x3 stride-1 padding-1 convolutions without groups qualify. The rule (auto): the
 * products of F(4, 3) need tiles enough to fill their panels and to reuse their weights,
 * which are 4x the convolution's (36 of 9 taps), so m = 4 from 28 x 28 outputs (49 tiles
 * and more). At 14 x 14 F(2, 3) still saves about a third of those convolutions' time
 * (AMD EPYC Zen 5, ResNet-50 stage 3) for weights 16/9 of theirs (9 MB more for ResNet-50:
 * within the memory budget of a library, peak RSS <= the model's weights + 32 MB, since
 * the planner places the workspace largest first). At 7 x 7 the products of either read
 * more weight bytes than they save work. */
static int wino_tile(const ir_graph *g, const resnet_conv *cv, int OH, int OW) {
  if (cv->k != 3 || cv->stride != 1 || cv->pad != 1 || cv->groups != 1 || !g->wino) return 0;
  if (g->wino > 0) return g->wino;
  const int side = OH < OW ? OH : OW;
  return side >= 28 ? 4 : side >= 14 ? 2 : 0;
}

/* A convolution's folded weights and bias (two ir_weights named OUT_w and OUT_b, BN CV->bn
 * folded in): W has the layout fields (fold, rows, cols, kh, groups, wino, src_numel) and
 * `what`; the rest comes from CV. Returns the weight's index, the bias's in *bi. */
static int conv_weights(lower *L, const resnet_conv *cv, const char *out, ir_weight w, int *bi) {
  char *wf = xasprintf("%s_w", out), *bf = xasprintf("%s_b", out);
  char *src = xasprintf("%s.weight", cv->name);
  char *mean = xasprintf("%s.running_mean", cv->bn), *var = xasprintf("%s.running_var", cv->bn);
  char *gw = xasprintf("%s.weight", cv->bn), *gb = xasprintf("%s.bias", cv->bn);
  w.field = wf, w.layer = -1, w.src = src;
  w.bn = (ir_bn){mean, var, gw, gb, NULL, L->r->bn_eps};
  const int wi = ir_weight_add(L->g, &w);
  w.field = bf;
  w.fold = IR_FOLD_CONV_BIAS;
  w.cols = 1;
  w.what = "bias of the folded BatchNorm";
  *bi = ir_weight_add(L->g, &w);
  free(wf), free(bf), free(src), free(mean), free(var), free(gw), free(gb);
  return wi;
}

/* The Winograd form of conv(): input transform, A*A products, output transform (three ops),
 * the weights transformed at compile time (IR_FOLD_WINO) and the folded BN's bias. */
static act conv_wino(lower *L, const resnet_conv *cv, act in, const char *out, const act *res,
                     int relu, int mt, int OH, int OW) {
  ir_graph *g = L->g;
  const int A = mt + 2, T = ((OH + mt - 1) / mt) * ((OW + mt - 1) / mt);
  const int cin = cv->cin, cout = cv->cout;
  char *what = xasprintf("%s 3x3/1, %s folded, Winograd F(%d,3): %d x [%d,%d]", cv->name, cv->bn,
                         mt, A * A, cout, cin);
  int bi;
  const int wi = conv_weights(L, cv, out,
                              (ir_weight){.fold = IR_FOLD_WINO, .src_numel = (long long)cout * 9 * cin,
                                          .rows = cout, .cols = cin, .kh = 3, .groups = 1,
                                          .wino = mt, .what = what},
                              &bi);
  free(what);
  if (L->wm < 0) L->wm = ir_buf_add(g, "wm", IR_BUF_WS, 0, "Winograd products [tiles, A*A, Cout]");
  const int BT = L->B * T; /* the tiles of the op's images */

  act y = newact(L, out, OH, OW, cout);
  ir_op *o = op(L, IR_WINO_PACK, cv->name,
                xasprintf("[%d,%d,%d] -> %d x [%d,%d] panels (F(%d,3) tiles)", in.h, in.w, in.c,
                          A * A, T, cin, mt));
  ir_op_out(o, L->xp);
  ir_op_in(o, in.buf);
  o->c = cin, o->h = in.h, o->w = in.w, o->wino = mt, o->m = T, o->k = cin;
  ir_buf_need(g, L->xp, (size_t)A * A * ir_packed_floats(BT, cin, g->xr));

  o = op(L, IR_WINO_GEMM, cv->name,
         xasprintf("%d x [%d,%d] x [%d,%d]^T -> [%d,%d]", A * A, T, cin, cout, cin, T, cout));
  ir_op_out(o, L->wm);
  ir_op_in(o, L->xp);
  o->wt[0] = wi;
  o->m = T, o->n = cout, o->k = cin, o->wino = mt;
  ir_buf_need(g, L->wm, (size_t)A * A * BT * cout);

  char *label = xasprintf("%s + %s%s%s", cv->name, cv->bn, res ? " + shortcut" : "",
                          relu ? ", ReLU" : "");
  o = op(L, IR_WINO_OUT, label,
         xasprintf("%d x [%d,%d] -> [%d,%d,%d]", A * A, T, cout, OH, OW, cout));
  free(label);
  ir_op_out(o, y.buf);
  ir_op_in(o, L->wm);
  if (res) ir_op_in(o, res->buf);
  o->wt[1] = bi;
  o->m = T, o->n = cout, o->relu = relu, o->oh = OH, o->ow = OW, o->wino = mt;
  return y;
}

/* conv + folded BN (+ residual) (+ ReLU): two ops, two weights. OUT names the result. */
static act conv(lower *L, const resnet_conv *cv, act in, const char *out, const act *res,
                int relu) {
  ir_graph *g = L->g;
  const int G = cv->groups, k = cv->k, K = k * k * (cv->cin / G);
  const int OH = (in.h + 2 * cv->pad - k) / cv->stride + 1;
  const int OW = (in.w + 2 * cv->pad - k) / cv->stride + 1, M = OH * OW;
  const int mt = wino_tile(g, cv, OH, OW);
  if (mt) return conv_wino(L, cv, in, out, res, relu, mt, OH, OW);
  char *what = xasprintf("%s %dx%d/%d%s, %s folded, columns (ky,kx,ci)", cv->name, k, k,
                         cv->stride, G > 1 ? " grouped" : "", cv->bn);
  int bi;
  const int wi = conv_weights(L, cv, out,
                              (ir_weight){.fold = IR_FOLD_CONV, .src_numel = (long long)cv->cout * K,
                                          .rows = cv->cout, .cols = K, .kh = k, .groups = G,
                                          .what = what},
                              &bi);
  free(what);

  act y = newact(L, out, OH, OW, cv->cout);
  char *shape = G > 1 ? xasprintf("[%d,%d,%d] -> %d groups x [%d,%d] panels", in.h, in.w, in.c,
                                  G, M, K)
                      : xasprintf("[%d,%d,%d] -> [%d,%d] panels", in.h, in.w, in.c, M, K);
  ir_op *o = op(L, IR_CONV_PACK, cv->name, shape);
  ir_op_out(o, L->xp);
  ir_op_in(o, in.buf);
  o->c = in.c, o->h = in.h, o->w = in.w, o->kh = k, o->stride = cv->stride, o->pad = cv->pad;
  o->groups = G, o->oh = OH, o->ow = OW, o->m = M, o->k = K;
  ir_buf_need(g, L->xp, (size_t)G * ir_packed_floats(L->B * M, K, g->xr));

  char *label = xasprintf("%s + %s%s%s", cv->name, cv->bn, res ? " + shortcut" : "",
                          relu ? ", ReLU" : "");
  o = op(L, IR_CONV_GEMM, label, xasprintf("[%d,%d] x [%d,%d]^T -> [%d,%d,%d]", M, K,
                                           cv->cout, K, OH, OW, cv->cout));
  free(label);
  ir_op_out(o, y.buf);
  ir_op_in(o, L->xp);
  ir_op_in(o, in.buf); /* read in place by a direct convolution (mmrt_conv.h) */
  if (res) ir_op_in(o, res->buf);
  /* a 1x1's output may overwrite its residual (the bottleneck's end): the direct tile
   * reads each element's residual before it stores that element, once, and the packed path
   * starts its sums from it (mmrt_op_conv_gemm) */
  o->inplace = res && k == 1;
  o->wt[0] = wi;
  o->wt[1] = bi;
  o->m = M, o->n = cv->cout, o->k = K, o->groups = G, o->relu = relu;
  o->c = in.c, o->h = in.h, o->w = in.w, o->kh = k, o->stride = cv->stride, o->pad = cv->pad;
  o->oh = OH, o->ow = OW;
  return y;
}

/* A plain [rows, cols] weight (SE convs, the head's bias) copied as is. */
static int wplain(lower *L, const char *field, const char *src, int rows, int cols) {
  ir_weight w = {.field = (char *)field, .layer = -1, .fold = IR_FOLD_ADD, .src = (char *)src,
                 .src_numel = (long long)rows * cols, .rows = rows, .cols = cols, .what = ""};
  return ir_weight_add(L->g, &w);
}

/* The output pixels of block BL on input X. */
static int block_pixels(const resnet_block *bl, act x) {
  int h = x.h, w = x.w;
  for (int c = 0; c < bl->nconv; c++) {
    const resnet_conv *cv = &bl->conv[c];
    h = (h + 2 * cv->pad - cv->k) / cv->stride + 1;
    w = (w + 2 * cv->pad - cv->k) / cv->stride + 1;
  }
  return h * w;
}

static act block(lower *L, const resnet_block *bl, act x) {
  ir_graph *g = L->g;
  char p[32], n[48];
  snprintf(p, sizeof p, "l%d_%d", bl->stage + 1, bl->index);
  act s = x;
  if (bl->has_down) {
    act in = x;
    if (bl->down_pool) {
      const int st = bl->down_pool, OH = (x.h + st - 1) / st, OW = (x.w + st - 1) / st;
      snprintf(n, sizeof n, "%s_pool", p);
      in = newact(L, n, OH, OW, x.c);
      ir_op *o = op(L, IR_AVGPOOL, "shortcut AvgPool2d (ceil_mode, count_include_pad=False)",
                    xasprintf("[%d,%d,%d] -> [%d,%d,%d]", x.h, x.w, x.c, OH, OW, x.c));
      ir_op_out(o, in.buf);
      ir_op_in(o, x.buf);
      o->c = x.c, o->h = x.h, o->w = x.w, o->stride = st, o->oh = OH, o->ow = OW;
    }
    snprintf(n, sizeof n, "%s_down", p);
    s = conv(L, &bl->down, in, n, NULL, 0);
  }
  act y = x;
  for (int c = 0; c < bl->nconv; c++) {
    const int last = c == bl->nconv - 1, fuse = last && !bl->se_channels;
    snprintf(n, sizeof n, "%s_c%d", p, c + 1);
    y = conv(L, &bl->conv[c], y, n, fuse ? &s : NULL, !last || fuse);
  }
  if (bl->se_channels) {
    const int C = y.c, S = bl->se_channels, HW = y.h * y.w;
    char *w1n = xasprintf("%s.conv1.conv.weight", bl->se), *b1n = xasprintf("%s.conv1.conv.bias", bl->se);
    char *w2n = xasprintf("%s.conv2.conv.weight", bl->se), *b2n = xasprintf("%s.conv2.conv.bias", bl->se);
    char f[4][48];
    snprintf(f[0], sizeof f[0], "%s_se1_w", p);
    snprintf(f[1], sizeof f[1], "%s_se1_b", p);
    snprintf(f[2], sizeof f[2], "%s_se2_w", p);
    snprintf(f[3], sizeof f[3], "%s_se2_b", p);
    const int w1 = wplain(L, f[0], w1n, S, C), b1 = wplain(L, f[1], b1n, S, 1);
    const int w2 = wplain(L, f[2], w2n, C, S), b2 = wplain(L, f[3], b2n, C, 1);
    free(w1n), free(b1n), free(w2n), free(b2n);
    snprintf(n, sizeof n, "%s_pooled", p);
    const int pooled = ir_buf_add(g, n, IR_BUF_WS, 0, "SE: [C] mean over the pixels");
    snprintf(n, sizeof n, "%s_squeezed", p);
    const int hid = ir_buf_add(g, n, IR_BUF_WS, 0, "SE: [squeeze] relu(conv1)");
    snprintf(n, sizeof n, "%s_gate", p);
    const int gate = ir_buf_add(g, n, IR_BUF_WS, 0, "SE: [C] sigmoid(conv2)");
    ir_buf_need(g, pooled, (size_t)L->B * C), ir_buf_need(g, hid, (size_t)L->B * S);
    ir_buf_need(g, gate, (size_t)L->B * C);
    ir_op *o = op(L, IR_GAP, "SE: mean over the pixels", xasprintf("[%d,%d] -> [%d]", HW, C, C));
    ir_op_out(o, pooled), ir_op_in(o, y.buf);
    o->m = HW, o->c = C;
    o = op(L, IR_SE_SQUEEZE, "SE: relu(conv1 1x1 + bias)", xasprintf("[%d] -> [%d]", C, S));
    ir_op_out(o, hid), ir_op_in(o, pooled);
    o->wt[0] = w1, o->wt[1] = b1, o->c = C, o->n = S;
    o = op(L, IR_SE_EXCITE, "SE: sigmoid(conv2 1x1 + bias)", xasprintf("[%d] -> [%d]", S, C));
    ir_op_out(o, gate), ir_op_in(o, hid);
    o->wt[0] = w2, o->wt[1] = b2, o->c = C, o->n = S;
    o = op(L, IR_SCALE_ADD_RELU, "SE scale + shortcut, ReLU", xasprintf("[%d,%d,%d]", y.h, y.w, C));
    ir_op_out(o, y.buf), ir_op_in(o, gate), ir_op_in(o, s.buf);
    o->m = HW, o->c = C;
  }
  return y;
}

int lower_resnet(const model_desc *m, ir_graph *g) {
  const resnet_desc *r = m->resnet;
  if (m->neck != NECK_GAP) return unsupported(m, "a ResNet without a GlobalAveragePooling model.neck");
  if (m->head != HEAD_LINEAR) return unsupported(m, "a ResNet without a LinearClsHead model.head");
  if (m->input_size[0] <= 0 || m->input_size[1] <= 0)
    return unsupported(m, "an empty input (the test pipeline's crop / --input-size)");
  lower L = {g, m, r, -1, -1, -1, 0, -1, 1};
  g->chunk = RESNET_CHUNK;
  g->in_c = r->in_channels;
  g->in_h = m->input_size[0];
  g->in_w = m->input_size[1];
  g->out_dim = m->num_classes;
  L.img = ir_buf_add(g, "img", IR_BUF_IMAGE, 0, "the input image");
  L.out = ir_buf_add(g, "out", IR_BUF_OUT, 0, "the output");
  L.xp = ir_buf_add(g, "xp", IR_BUF_WS, 0, "activation panels of the next product");
  op(&L, IR_IMAGES, "the head, one image at a time", xstrdup(""));

  resnet_conv stem[3];
  int maxpool;
  const int ns = resnet_stem(r, stem, &maxpool);
  /* the image gets the first convolution's padding as a zero border, so that convolution
   * reads whole rows of its windows (kw * 3 floats) and has no padding of its own */
  const int p0 = stem[0].pad;
  act x = newact(&L, "x", g->in_h + 2 * p0, g->in_w + 2 * p0, g->in_c);
  ir_op *o = op(&L, IR_TO_HWC, p0 ? "image to NHWC, zero border" : "image to NHWC",
                xasprintf("[%d,%d,%d] -> [%d,%d,%d]", g->in_c, g->in_h, g->in_w, x.h, x.w, x.c));
  ir_op_out(o, x.buf), ir_op_in(o, L.img);
  o->c = x.c, o->h = g->in_h, o->w = g->in_w, o->pad = p0;
  stem[0].pad = 0;
  /* The stem's patches (ResNet-50: 12544 x 147, 7.4 MB) get a buffer of their own, dead
   * after the stem, so that the panels every later product shares are sized by those
   * products and the planner reuses the stem's bytes (ResNet-50's workspace 15.7 -> 11.9 MB). */
  const int xp = L.xp;
  L.xp = ir_buf_add(g, "stem_xp", IR_BUF_WS, 0, "the stem's patches in activation panels");
  for (int i = 0; i < ns; i++) {
    char n[16];
    snprintf(n, sizeof n, "stem%d", i + 1);
    x = conv(&L, &stem[i], x, n, NULL, 1);
  }
  L.xp = xp;
  if (maxpool) {
    const int OH = (x.h + 2 - 3) / 2 + 1, OW = (x.w + 2 - 3) / 2 + 1;
    act y = newact(&L, "stem_pool", OH, OW, x.c);
    o = op(&L, IR_MAXPOOL, "MaxPool2d(3, stride 2, padding 1)",
           xasprintf("[%d,%d,%d] -> [%d,%d,%d]", x.h, x.w, x.c, OH, OW, x.c));
    ir_op_out(o, y.buf), ir_op_in(o, x.buf);
    o->c = x.c, o->h = x.h, o->w = x.w, o->kh = 3, o->stride = 2, o->pad = 1, o->oh = OH, o->ow = OW;
    x = y;
  }
  resnet_block *bl;
  const size_t nb = resnet_blocks(r, &bl);
  for (size_t i = 0; i <= nb; i++) {
    if (L.B == 1 && (i == nb || block_pixels(&bl[i], x) <= RESNET_TAIL_PIXELS)) {
      /* the tail starts: x holds each image's result */
      op(&L, IR_END, "", xstrdup(""));
      L.B = g->chunk;
      g->bufs[x.buf].image_floats = (size_t)x.h * x.w * x.c;
      ir_buf_need(g, x.buf, (size_t)L.B * x.h * x.w * x.c);
    }
    if (i < nb) x = block(&L, &bl[i], x);
  }
  free(bl);

  /* neck: GlobalAveragePooling; head: fc */
  const int C = x.c, NC = m->num_classes;
  const int feat = ir_buf_add(g, "feat", IR_BUF_WS, 0, "[C] pooled features");
  ir_buf_need(g, feat, (size_t)L.B * C);
  o = op(&L, IR_GAP, "neck: GlobalAveragePooling", xasprintf("[%d,%d,%d] -> [%d]", x.h, x.w, C, C));
  ir_op_out(o, feat), ir_op_in(o, x.buf);
  o->m = x.h * x.w, o->c = C;
  ir_weight hw = {.field = "head_w", .layer = -1, .fold = IR_FOLD_PACK, .src = "head.fc.weight",
                  .src_numel = (long long)NC * C, .rows = NC, .cols = C, .what = ""};
  const int whd = ir_weight_add(g, &hw);
  const int bhd = wplain(&L, "head_b", "head.fc.bias", NC, 1);
  o = op(&L, IR_PACK, "features", xasprintf("[1,%d] -> panels", C));
  ir_op_out(o, L.xp), ir_op_in(o, feat);
  o->m = 1, o->k = C, o->ld = C;
  ir_buf_need(g, L.xp, ir_packed_floats(L.B, C, g->xr));
  o = op(&L, IR_LINEAR, "head.fc: logits", xasprintf("[1,%d] -> [1,%d]", C, NC));
  ir_op_out(o, L.out), ir_op_in(o, L.xp);
  o->wt[0] = whd, o->wt[1] = bhd, o->epi = IR_EPI_BIAS;
  o->m = 1, o->n = NC, o->k = C, o->ldc = NC;
  return 0;
}
