/* mmrt_preprocess.c: mmpretrain's test pipeline on raw 8-bit pixels, bit-exact, without malloc.
 *
 * Steps, each as upstream computes it:
 *   1. resize size: mmpretrain ResizeEdge (datasets/transforms/processing.py, v1.2.0) and
 *      mmcls 0.x Resize(size=(S, -1)) (datasets/pipelines/transforms.py): the chosen edge
 *      becomes S, the other int(S * other / edge) (truncation);
 *   2. Pillow's bicubic resample (mmcv imresize, backend 'pillow': Image.fromarray -> 'RGB',
 *      Image.resize): Pillow src/libImaging/Resample.c, 8 bits per channel: filter a = -0.5,
 *      support scaled when downscaling, 22-bit fixed-point coefficients, horizontal pass into
 *      uint8, then vertical pass, each skipped when its dimension is unchanged;
 *   3. centre crop (mmcv CenterCrop / mmcls 0.x CenterCrop): offsets int(round((H - h) / 2.)),
 *      round half to even;
 *   4. channel order (to_rgb) and normalisation: mmcv 1.x imnormalize (cv2.subtract with the
 *      float32 mean as float64, cv2.multiply by 1 / float64(std): float32 results) or mmpretrain
 *      1.x ClsDataPreprocessor ((x - mean) / std in float32).
 *
 * Only the pixels inside the crop window are computed: every resampled pixel depends only on
 * its own coefficients, so computing a window gives the same bits as resizing everything and
 * cropping. The vertical pass accumulates each horizontally resampled input row into int32
 * sums for the output rows that use it (integer addition: order does not matter), so the
 * workspace is bounded by the crop size, not by the image. */
#include "mmrt_preprocess.h"

#include <math.h>
#include <string.h>

/* The filter and coefficient arithmetic must round exactly as Pillow's (built without FMA). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#ifdef __FAST_MATH__
#error "mmrt_preprocess.c must not be compiled with -ffast-math: results must be bit-exact"
#endif

#define PRECISION_BITS (32 - 8 - 2) /* Pillow Resample.c: 8 bits result, 2 bits headroom */
#define ALIGN64(n) (((n) + (size_t)63) & ~(size_t)63)

/* ---- resize geometry {====================================================== */

/* Python int(S * a / b) for positive ints: an exact product, a correctly rounded division,
 * truncation. */
static int edge_scale(int s, int a, int b) { return (int)((double)((long long)s * a) / (double)b); }

static void resized_size(const mmrt_pre_params *p, int w, int h, int *rw, int *rh) {
  int s = p->resize_scale;
  int width_edge = p->resize_long_edge ? (w > h) : (w < h);
  if (width_edge) {
    *rw = s;
    *rh = edge_scale(s, h, w);
  } else {
    *rh = s;
    *rw = edge_scale(s, w, h);
  }
}

/* CenterCrop offset: max(0, int(round((img - crop) / 2.))) with round half to even. */
static int crop_offset(int img, int crop) {
  int d = img - crop, k;
  if (d <= 0) return 0;
  k = d / 2;
  if (d % 2 && k % 2) k++;
  return k;
}
/* }====================================================== */

/* ---- Pillow bicubic coefficients {====================================================== */

static double bicubic(double x) {
  const double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

/* Largest coefficient count per output pixel for in -> out (Pillow's ksize). */
static int coeff_count(int in, int out) {
  double filterscale = (double)in / out;
  if (filterscale < 1.0) filterscale = 1.0;
  return (int)ceil(2.0 * filterscale) * 2 + 1;
}

/* Fixed-point coefficients for the output pixels first .. first+n-1 of an in -> out resample:
 * bounds[2i] = first input index, bounds[2i+1] = count, k[i*ksize ..] the weights. The double
 * weights are recomputed in the second loop (the same expression gives the same bits) so no
 * double buffer is needed. */
static void coeffs(int in, int out, int first, int n, int ksize, int32_t *bounds, int32_t *k) {
  double scale = (double)in / out, filterscale = scale, support, ss;
  if (filterscale < 1.0) filterscale = 1.0;
  support = 2.0 * filterscale;
  ss = 1.0 / filterscale;
  for (int i = 0; i < n; i++) {
    double center = 0.0 + (first + i + 0.5) * scale, ww = 0.0;
    int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
    int32_t *ki = k + (size_t)i * ksize;
    if (xmin < 0) xmin = 0;
    if (xmax > in) xmax = in;
    xmax -= xmin;
    for (int x = 0; x < xmax; x++) ww += bicubic((x + xmin - center + 0.5) * ss);
    for (int x = 0; x < xmax; x++) {
      double w = bicubic((x + xmin - center + 0.5) * ss);
      if (ww != 0.0) w /= ww;
      ki[x] = w < 0 ? (int32_t)(-0.5 + w * (1 << PRECISION_BITS))
                    : (int32_t)(0.5 + w * (1 << PRECISION_BITS));
    }
    for (int x = xmax; x < ksize; x++) ki[x] = 0;
    bounds[2 * i] = xmin;
    bounds[2 * i + 1] = xmax;
  }
}

static uint8_t clip8(int32_t v) {
  if (v < 0) return 0;
  v >>= PRECISION_BITS;
  return (uint8_t)(v > 255 ? 255 : v);
}
/* }====================================================== */

/* ---- the pipeline {====================================================== */

typedef struct plan {
  int w, h, rw, rh; /* input and resized sizes */
  int x0, y0, fw, fh; /* crop window in the resized image; fw x fh = out_w x out_h */
  int need_h, need_v; /* Pillow's passes that run */
  int kh, kv; /* coefficient counts */
  size_t bytes; /* workspace needed */
} plan;

static int make_plan(const mmrt_pre_params *p, int w, int h, plan *pl) {
  int cw, ch;
  memset(pl, 0, sizeof *pl);
  pl->w = w;
  pl->h = h;
  pl->rw = w;
  pl->rh = h;
  if (p->resize_scale > 0) resized_size(p, w, h, &pl->rw, &pl->rh);
  if (pl->rw < 1 || pl->rh < 1) return MMRT_E_IMAGE_SHAPE;
  cw = p->crop_w > 0 ? p->crop_w : pl->rw;
  ch = p->crop_h > 0 ? p->crop_h : pl->rh;
  pl->x0 = crop_offset(pl->rw, cw);
  pl->y0 = crop_offset(pl->rh, ch);
  pl->fw = (pl->x0 + cw < pl->rw ? pl->x0 + cw : pl->rw) - pl->x0;
  pl->fh = (pl->y0 + ch < pl->rh ? pl->y0 + ch : pl->rh) - pl->y0;
  if (pl->fw != p->out_w || pl->fh != p->out_h) return MMRT_E_IMAGE_SHAPE;
  pl->need_h = pl->rw != w;
  pl->need_v = pl->rh != h;
  if (pl->need_h || pl->need_v) {
    pl->kh = pl->need_h ? coeff_count(w, pl->rw) : 0;
    pl->kv = pl->need_v ? coeff_count(h, pl->rh) : 0;
    pl->bytes = ALIGN64((size_t)pl->fw * pl->kh * 4) + ALIGN64((size_t)pl->fw * 8) +
                ALIGN64((size_t)pl->fh * pl->kv * 4) + ALIGN64((size_t)pl->fh * 8) +
                ALIGN64((size_t)pl->fw * 3) + ALIGN64((size_t)pl->fh * pl->fw * 3 * 4);
  }
  return MMRT_OK;
}

/* Where output channel c comes from in an input pixel, and the normalisation. */
typedef struct chan {
  int src[3];
  mmrt_norm norm;
  float mean[3], std[3];
  double mean64[3], stdinv64[3];
} chan;

static void make_chan(const mmrt_pre_params *p, int channel_order, chan *c) {
  /* mmpretrain holds images as BGR; to_rgb makes them RGB. */
  int want_rgb = p->to_rgb != 0, have_rgb = channel_order == MMRT_ORDER_RGB;
  for (int i = 0; i < 3; i++) {
    c->src[i] = want_rgb == have_rgb ? i : 2 - i;
    c->mean[i] = p->mean[i];
    c->std[i] = p->std[i];
    c->mean64[i] = (double)p->mean[i];
    c->stdinv64[i] = 1 / (double)p->std[i];
  }
  c->norm = p->norm;
}

static float normalize(const chan *c, int ch, uint8_t v) {
  switch (c->norm) {
  case MMRT_NORM_MMCV: { /* cv2.subtract / cv2.multiply: float64 arithmetic, float32 stores */
    float d = (float)((double)v - c->mean64[ch]);
    return (float)((double)d * c->stdinv64[ch]);
  }
  case MMRT_NORM_DIV: return ((float)v - c->mean[ch]) / c->std[ch];
  default: return (float)v;
  }
}

/* One output row (fw pixels, interleaved input channel order) into the CHW output. */
static void emit_row(const chan *c, const uint8_t *row, int fw, float *out, size_t plane) {
  for (int ch = 0; ch < 3; ch++) {
    int s = c->src[ch];
    float *o = out + ch * plane;
    for (int x = 0; x < fw; x++) o[x] = normalize(c, ch, row[3 * x + s]);
  }
}

/* Horizontal pass for one input row: fw window pixels. */
static void hpass(const uint8_t *in, int fw, int ksize, const int32_t *bounds, const int32_t *k,
                  uint8_t *out) {
  for (int x = 0; x < fw; x++) {
    const uint8_t *src = in + 3 * (size_t)bounds[2 * x];
    const int32_t *kx = k + (size_t)x * ksize;
    int32_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
    for (int i = 0, n = bounds[2 * x + 1]; i < n; i++) {
      s0 += src[3 * i] * kx[i];
      s1 += src[3 * i + 1] * kx[i];
      s2 += src[3 * i + 2] * kx[i];
    }
    out[3 * x] = clip8(s0);
    out[3 * x + 1] = clip8(s1);
    out[3 * x + 2] = clip8(s2);
  }
}

/* Row sink: receives the fh window rows (fw interleaved pixels, input channel order). */
typedef void (*row_sink)(void *ctx, int y, const uint8_t *row);

/* Pillow's resample of the whole image, restricted to pl's window; ws holds pl->bytes. */
static void resample(const plan *pl, const uint8_t *pixels, int stride, void *ws_, row_sink sink,
                     void *ctx) {
  uint8_t *ws = ws_, *row;
  int32_t *bh, *kh, *bv, *kv, *acc;
  size_t n = (size_t)pl->fw * 3;

  if (!pl->need_h && !pl->need_v) { /* crop only */
    for (int y = 0; y < pl->fh; y++)
      sink(ctx, y, pixels + (size_t)(pl->y0 + y) * stride + 3 * (size_t)pl->x0);
    return;
  }
  kh = (int32_t *)ws;
  ws += ALIGN64((size_t)pl->fw * pl->kh * 4);
  bh = (int32_t *)ws;
  ws += ALIGN64((size_t)pl->fw * 8);
  kv = (int32_t *)ws;
  ws += ALIGN64((size_t)pl->fh * pl->kv * 4);
  bv = (int32_t *)ws;
  ws += ALIGN64((size_t)pl->fh * 8);
  row = ws;
  ws += ALIGN64(n);
  acc = (int32_t *)ws;
  if (pl->need_h) coeffs(pl->w, pl->rw, pl->x0, pl->fw, pl->kh, bh, kh);

  if (!pl->need_v) { /* horizontal pass only: rows y0 .. y0+fh-1 of the input */
    for (int y = 0; y < pl->fh; y++) {
      hpass(pixels + (size_t)(pl->y0 + y) * stride, pl->fw, pl->kh, bh, kh, row);
      sink(ctx, y, row);
    }
    return;
  }

  /* Vertical pass: every input row the window needs goes through the horizontal pass once
   * and is added, weighted, to the sums of the output rows whose support contains it. */
  coeffs(pl->h, pl->rh, pl->y0, pl->fh, pl->kv, bv, kv);
  {
    int first = bv[0], last = bv[2 * (pl->fh - 1)] + bv[2 * (pl->fh - 1) + 1], lo = 0;
    for (size_t i = 0; i < n * pl->fh; i++) acc[i] = 1 << (PRECISION_BITS - 1);
    for (int iy = first; iy < last; iy++) {
      const uint8_t *src = pixels + (size_t)iy * stride;
      if (pl->need_h) {
        hpass(src, pl->fw, pl->kh, bh, kh, row);
        src = row;
      } else {
        src += 3 * (size_t)pl->x0;
      }
      /* support ends are non-decreasing: rows before lo are complete */
      while (lo < pl->fh && bv[2 * lo] + bv[2 * lo + 1] <= iy) lo++;
      for (int j = lo; j < pl->fh && bv[2 * j] <= iy; j++) {
        int32_t kj = kv[(size_t)j * pl->kv + (iy - bv[2 * j])], *a = acc + (size_t)j * n;
        for (size_t i = 0; i < n; i++) a[i] += src[i] * kj;
      }
    }
    for (int y = 0; y < pl->fh; y++) {
      int32_t *a = acc + (size_t)y * n;
      for (size_t i = 0; i < n; i++) row[i] = clip8(a[i]);
      sink(ctx, y, row);
    }
  }
}

typedef struct emit_ctx {
  chan c;
  int fw;
  size_t plane;
  float *out;
} emit_ctx;

static void emit_sink(void *ctx, int y, const uint8_t *row) {
  emit_ctx *e = ctx;
  emit_row(&e->c, row, e->fw, e->out + (size_t)y * e->fw, e->plane);
}

int mmrt_preprocess_rgb8(const mmrt_pre_params *p, const uint8_t *pixels, int width, int height,
                         int stride_bytes, int channel_order, float *out_chw, void *workspace) {
  plan pl;
  emit_ctx e;
  int rc;

  if (!p || !pixels || !out_chw || !workspace || ((uintptr_t)workspace & 63))
    return MMRT_E_BAD_ARGUMENT;
  if (channel_order != MMRT_ORDER_RGB && channel_order != MMRT_ORDER_BGR)
    return MMRT_E_BAD_ARGUMENT;
  if (p->resize_scale < 0 || p->resize_scale > MMRT_MAX_IMAGE_SIDE || p->crop_h < 0 ||
      p->crop_w < 0 || p->out_h < 1 || p->out_w < 1 || p->out_h > MMRT_MAX_IMAGE_SIDE ||
      p->out_w > MMRT_MAX_IMAGE_SIDE || (unsigned)p->norm > MMRT_NORM_DIV)
    return MMRT_E_BAD_ARGUMENT;
  if (p->norm != MMRT_NORM_NONE)
    for (int i = 0; i < 3; i++)
      if (!(p->std[i] != 0.0f) || !isfinite(p->std[i]) || !isfinite(p->mean[i]))
        return MMRT_E_BAD_ARGUMENT;
  if (width < 1 || height < 1) return MMRT_E_EMPTY_IMAGE;
  if (width > MMRT_MAX_IMAGE_SIDE || height > MMRT_MAX_IMAGE_SIDE) return MMRT_E_IMAGE_TOO_LARGE;
  if (stride_bytes < 3 * width) return MMRT_E_BAD_ARGUMENT;
  rc = make_plan(p, width, height, &pl);
  if (rc != MMRT_OK) return rc;
  /* make_plan's need never exceeds the documented bound; refuse rather than overrun. */
  if (pl.bytes > MMRT_PREPROCESS_WORKSPACE_BYTES(p->resize_scale, p->out_h, p->out_w))
    return MMRT_E_BAD_ARGUMENT;

  make_chan(p, channel_order, &e.c);
  e.fw = pl.fw;
  e.plane = (size_t)pl.fh * pl.fw;
  e.out = out_chw;
  resample(&pl, pixels, stride_bytes, workspace, emit_sink, &e);
  return MMRT_OK;
}
/* }====================================================== */

/* ---- top-k {====================================================== */

/* Ordering key: NaN sorts with -inf (then by index). */
static double key(float v) { return isnan(v) ? -INFINITY : (double)v; }

/* (a, ia) ranks before (b, ib): larger value first, ties by lower index. */
static int before(double a, int ia, double b, int ib) { return a > b || (a == b && ia < ib); }

int mmrt_topk(const float *logits, int n, int k, int *index, float *score) {
  double m = -INFINITY, sum = 0.0, pv = 0.0;
  int pi = -1;
  if (!logits || !index || !score || n < 1 || k < 0) return MMRT_E_BAD_ARGUMENT;
  if (k > n) k = n;
  for (int i = 0; i < n; i++)
    if (key(logits[i]) > m) m = key(logits[i]);
  if (!isfinite(m)) m = 0.0;
  for (int i = 0; i < n; i++) sum += exp(key(logits[i]) - m);
  for (int r = 0; r < k; r++) {
    int best = -1;
    double bv = 0.0;
    for (int i = 0; i < n; i++) {
      double v = key(logits[i]);
      if (pi >= 0 && !before(pv, pi, v, i)) continue; /* already taken */
      if (best < 0 || before(v, i, bv, best)) {
        best = i;
        bv = v;
      }
    }
    index[r] = best;
    score[r] = (float)(exp(bv - m) / sum);
    pv = bv;
    pi = best;
  }
  return k;
}
/* }====================================================== */
