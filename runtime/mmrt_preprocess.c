/* mmrt_preprocess.c: mmpretrain's test pipeline on raw 8-bit pixels, bit-exact, without malloc.
 *
 * Steps, each as upstream computes it:
 *   1. resize size: mmpretrain ResizeEdge (datasets/transforms/processing.py, v1.2.0) and
 *      mmcls 0.x Resize(size=(S, -1)) (datasets/pipelines/transforms.py): the chosen edge
 *      becomes S, the other int(S * other / edge) (truncation); mmcv 2.x Resize(scale=(w, h))
 *      without keep_ratio: exactly (w, h) (mmrt_edge in the header);
 *   2. the resample, mmcv imresize's two backends:
 *      'pillow' (Image.fromarray -> 'RGB', Image.resize): Pillow src/libImaging/Resample.c,
 *      8 bits per channel: bicubic (a = -0.5, support 2) or bilinear (triangle, support 1),
 *      support scaled when downscaling, 22-bit fixed-point coefficients, horizontal pass into
 *      uint8, then vertical pass, each skipped when its dimension is unchanged;
 *      'cv2' bilinear = cv2.resize(INTER_LINEAR), OpenCV 4.x imgproc/src/resize.cpp on 8-bit
 *      images: two taps per axis with 11-bit weights, horizontal sums in int32, the vertical
 *      blend in the SIMD kernel's arithmetic (see "OpenCV INTER_LINEAR" below);
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

/* The filter and coefficient arithmetic must round exactly as Pillow's and OpenCV's (no FMA
 * contraction, whatever the target flags). */
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
  int s = p->resize_scale, width_edge;
  switch (p->resize_edge) {
  case MMRT_EDGE_FIXED: *rw = p->out_w, *rh = p->out_h; return;
  case MMRT_EDGE_LONG: width_edge = w > h; break;
  case MMRT_EDGE_WIDTH: width_edge = 1; break;
  case MMRT_EDGE_HEIGHT: width_edge = 0; break;
  default: width_edge = w < h; break;
  }
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

/* ---- Pillow coefficients {====================================================== */

static double bicubic(double x) {
  const double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

static double bilinear(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

/* Pillow's struct filter: the kernel and its support at scale 1. */
typedef struct pil_filter {
  double (*fn)(double);
  double support;
} pil_filter;
static const pil_filter pil_bicubic = {bicubic, 2.0}, pil_bilinear = {bilinear, 1.0};

/* Largest coefficient count per output pixel for in -> out (Pillow's ksize). */
static int coeff_count(const pil_filter *f, int in, int out) {
  double filterscale = (double)in / out;
  if (filterscale < 1.0) filterscale = 1.0;
  return (int)ceil(f->support * filterscale) * 2 + 1;
}

/* Fixed-point coefficients for the output pixels first .. first+n-1 of an in -> out resample:
 * bounds[2i] = first input index, bounds[2i+1] = count, k[i*ksize ..] the weights. The double
 * weights are recomputed in the second loop (the same expression gives the same bits) so no
 * double buffer is needed. */
static void coeffs(const pil_filter *f, int in, int out, int first, int n, int ksize,
                   int32_t *bounds, int32_t *k) {
  double scale = (double)in / out, filterscale = scale, support, ss;
  if (filterscale < 1.0) filterscale = 1.0;
  support = f->support * filterscale;
  ss = 1.0 / filterscale;
  for (int i = 0; i < n; i++) {
    double center = 0.0 + (first + i + 0.5) * scale, ww = 0.0;
    int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
    int32_t *ki = k + (size_t)i * ksize;
    if (xmin < 0) xmin = 0;
    if (xmax > in) xmax = in;
    xmax -= xmin;
    for (int x = 0; x < xmax; x++) ww += f->fn((x + xmin - center + 0.5) * ss);
    for (int x = 0; x < xmax; x++) {
      double w = f->fn((x + xmin - center + 0.5) * ss);
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

/* ---- the plan {====================================================== */

typedef struct plan {
  int w, h, rw, rh; /* input and resized sizes */
  int x0, y0, fw, fh; /* crop window in the resized image; fw x fh = out_w x out_h */
  int cn; /* interleaved channels: 3 (the OpenCV resampler takes any, for the tests) */
  mmrt_resize method;
  const pil_filter *filter; /* Pillow methods */
  int need_h, need_v; /* the passes that run (neither: a crop only) */
  int kh, kv; /* Pillow coefficient counts */
  size_t bytes; /* workspace needed */
} plan;

/* The passes and the workspace of a plan whose sizes, window, cn and method are set. */
static void plan_resample(plan *pl) {
  size_t n = (size_t)pl->fw * pl->cn;
  pl->filter = pl->method == MMRT_RESIZE_PIL_BILINEAR ? &pil_bilinear : &pil_bicubic;
  pl->need_h = pl->rw != pl->w;
  pl->need_v = pl->rh != pl->h;
  pl->kh = pl->kv = 0;
  pl->bytes = 0;
  if (!pl->need_h && !pl->need_v) return;
  if (pl->method == MMRT_RESIZE_CV2_LINEAR) {
    /* OpenCV changes nothing when the size is unchanged; one changed axis runs both passes */
    pl->need_h = pl->need_v = 1;
    pl->bytes = ALIGN64((size_t)pl->fw * 4) + ALIGN64((size_t)pl->fw * 4) +
                ALIGN64((size_t)pl->fh * 4) + ALIGN64((size_t)pl->fh * 4) + 2 * ALIGN64(n * 4) +
                ALIGN64(n);
    return;
  }
  pl->kh = pl->need_h ? coeff_count(pl->filter, pl->w, pl->rw) : 0;
  pl->kv = pl->need_v ? coeff_count(pl->filter, pl->h, pl->rh) : 0;
  pl->bytes = ALIGN64((size_t)pl->fw * pl->kh * 4) + ALIGN64((size_t)pl->fw * 8) +
              ALIGN64((size_t)pl->fh * pl->kv * 4) + ALIGN64((size_t)pl->fh * 8) + ALIGN64(n) +
              ALIGN64(n * pl->fh * 4);
}

static int make_plan(const mmrt_pre_params *p, int w, int h, plan *pl) {
  int cw, ch;
  memset(pl, 0, sizeof *pl);
  pl->w = w;
  pl->h = h;
  pl->rw = w;
  pl->rh = h;
  pl->cn = 3;
  pl->method = p->resize_method;
  if (p->resize_scale > 0) resized_size(p, w, h, &pl->rw, &pl->rh);
  if (pl->rw < 1 || pl->rh < 1) return MMRT_E_IMAGE_SHAPE;
  cw = p->crop_w > 0 ? p->crop_w : pl->rw;
  ch = p->crop_h > 0 ? p->crop_h : pl->rh;
  pl->x0 = crop_offset(pl->rw, cw);
  pl->y0 = crop_offset(pl->rh, ch);
  pl->fw = (pl->x0 + cw < pl->rw ? pl->x0 + cw : pl->rw) - pl->x0;
  pl->fh = (pl->y0 + ch < pl->rh ? pl->y0 + ch : pl->rh) - pl->y0;
  if (pl->fw != p->out_w || pl->fh != p->out_h) return MMRT_E_IMAGE_SHAPE;
  plan_resample(pl);
  return MMRT_OK;
}

/* Row sink: receives the fh window rows (fw interleaved pixels, input channel order). */
typedef void (*row_sink)(void *ctx, int y, const uint8_t *row);
/* }====================================================== */

/* ---- Pillow resample {====================================================== */

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

/* Pillow's resample of the whole image (3 channels), restricted to pl's window; ws holds
 * pl->bytes. */
static void pil_resample(const plan *pl, const uint8_t *pixels, int stride, void *ws_,
                         row_sink sink, void *ctx) {
  uint8_t *ws = ws_, *row;
  int32_t *bh, *kh, *bv, *kv, *acc;
  size_t n = (size_t)pl->fw * 3;

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
  if (pl->need_h) coeffs(pl->filter, pl->w, pl->rw, pl->x0, pl->fw, pl->kh, bh, kh);

  if (!pl->need_v) { /* horizontal pass only: rows y0 .. y0+fh-1 of the input */
    for (int y = 0; y < pl->fh; y++) {
      hpass(pixels + (size_t)(pl->y0 + y) * stride, pl->fw, pl->kh, bh, kh, row);
      sink(ctx, y, row);
    }
    return;
  }

  /* Vertical pass: every input row the window needs goes through the horizontal pass once
   * and is added, weighted, to the sums of the output rows whose support contains it. */
  coeffs(pl->filter, pl->h, pl->rh, pl->y0, pl->fh, pl->kv, bv, kv);
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
/* }====================================================== */

/* ---- OpenCV INTER_LINEAR {====================================================== */
/* cv2.resize(src, (rw, rh), interpolation=INTER_LINEAR) on uint8, OpenCV 4.x
 * (imgproc/src/resize.cpp: the coefficient loops of cv::resize, HResizeLinear, and
 * VResizeLinearVec_32s8u; names from memory, the sources were not at hand). The arithmetic
 * was fitted to cv2's outputs (facts-families.md section 6) and is checked against
 * python3-opencv 4.6 itself by tests/suites/resize.sh:
 *   per axis, scale = 1 / ((double)dst / src); for output d: f = (float)((d + 0.5) * scale
 *   - 0.5), s = floor(f), f -= s; weights lrintf((1 - f) * 2048), lrintf(f * 2048) (round
 *   half to even, like cvRound);
 *   horizontally, s < 0 and s >= src - 1 become the edge pixel with f = 0; vertically f is
 *   kept and the two row indices are clamped to the image;
 *   h = p[s] * a0 + p[s + 1] * a1 (exact in int32); then per column
 *   out = (((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16) + 2) >> 2, the SIMD kernel's
 *   16-bit multiply-high arithmetic, which OpenCV uses for every column (a plain
 *   (h0 * b0 + h1 * b1 + 2^21) >> 22 differs from cv2 in about 12 % of the pixels).
 * OpenCV's exact-2x INTER_AREA shortcut gives the same bytes (weights 1024, 1024). */

#define CV_COEF_BITS 11 /* INTER_RESIZE_COEF_BITS */
#define CV_COEF_ONE (1 << CV_COEF_BITS)

/* Source index and weight pair of the output pixels first .. first+n-1 along one axis. */
static void cv2_coeffs(int in, int out, int first, int n, int horizontal, int32_t *ofs,
                       int16_t *wt) {
  double scale = 1.0 / ((double)out / in);
  for (int i = 0; i < n; i++) {
    float f = (float)((first + i + 0.5) * scale - 0.5);
    int s = (int)floorf(f);
    f -= (float)s;
    if (horizontal && s < 0) s = 0, f = 0.f;
    if (horizontal && s >= in - 1) s = in - 1, f = 0.f;
    ofs[i] = s;
    wt[2 * i] = (int16_t)lrintf((1.f - f) * CV_COEF_ONE);
    wt[2 * i + 1] = (int16_t)lrintf(f * CV_COEF_ONE);
  }
}

/* Horizontal pass of one input row into fw * cn int32 sums. */
static void cv2_hrow(const uint8_t *src, int in_w, int cn, int fw, const int32_t *xofs,
                     const int16_t *alpha, int32_t *dst) {
  for (int x = 0; x < fw; x++) {
    int s0 = xofs[x], s1 = s0 + 1 < in_w ? s0 + 1 : s0; /* s0 = in_w - 1 has weight 0 on s1 */
    int32_t a0 = alpha[2 * x], a1 = alpha[2 * x + 1];
    const uint8_t *p0 = src + (size_t)s0 * cn, *p1 = src + (size_t)s1 * cn;
    for (int c = 0; c < cn; c++) dst[(size_t)x * cn + c] = p0[c] * a0 + p1[c] * a1;
  }
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static void cv2_resample(const plan *pl, const uint8_t *pixels, int stride, void *ws_,
                         row_sink sink, void *ctx) {
  uint8_t *ws = ws_, *row;
  size_t n = (size_t)pl->fw * pl->cn;
  int32_t *xofs, *yofs, *hbuf[2];
  int16_t *alpha, *beta;
  int hrow[2] = {-1, -1}; /* the input row each horizontal buffer holds */

  xofs = (int32_t *)ws;
  ws += ALIGN64((size_t)pl->fw * 4);
  alpha = (int16_t *)ws;
  ws += ALIGN64((size_t)pl->fw * 4);
  yofs = (int32_t *)ws;
  ws += ALIGN64((size_t)pl->fh * 4);
  beta = (int16_t *)ws;
  ws += ALIGN64((size_t)pl->fh * 4);
  hbuf[0] = (int32_t *)ws;
  ws += ALIGN64(n * 4);
  hbuf[1] = (int32_t *)ws;
  ws += ALIGN64(n * 4);
  row = ws;
  cv2_coeffs(pl->w, pl->rw, pl->x0, pl->fw, 1, xofs, alpha);
  cv2_coeffs(pl->h, pl->rh, pl->y0, pl->fh, 0, yofs, beta);

  for (int y = 0; y < pl->fh; y++) {
    int r[2] = {clampi(yofs[y], 0, pl->h - 1), clampi(yofs[y] + 1, 0, pl->h - 1)};
    const int32_t *h[2];
    /* each needed input row is computed once when y moves on (rows are non-decreasing);
     * a new row never overwrites the other row this output row needs */
    for (int k = 0; k < 2; k++) {
      int b = hrow[0] == r[k] ? 0 : hrow[1] == r[k] ? 1 : -1;
      if (b < 0) {
        b = hrow[0] == r[1 - k] ? 1 : 0;
        cv2_hrow(pixels + (size_t)r[k] * stride, pl->w, pl->cn, pl->fw, xofs, alpha, hbuf[b]);
        hrow[b] = r[k];
      }
      h[k] = hbuf[b];
    }
    {
      int32_t b0 = beta[2 * y], b1 = beta[2 * y + 1];
      for (size_t i = 0; i < n; i++)
        row[i] = (uint8_t)((((h[0][i] >> 4) * b0 >> 16) + ((h[1][i] >> 4) * b1 >> 16) + 2) >> 2);
    }
    sink(ctx, y, row);
  }
}
/* }====================================================== */

/* ---- the pipeline {====================================================== */

/* The resize of pl (crop window only), rows to sink; ws holds pl->bytes. */
static void resample(const plan *pl, const uint8_t *pixels, int stride, void *ws, row_sink sink,
                     void *ctx) {
  if (!pl->need_h && !pl->need_v) { /* crop only */
    for (int y = 0; y < pl->fh; y++)
      sink(ctx, y, pixels + (size_t)(pl->y0 + y) * stride + (size_t)pl->cn * pl->x0);
    return;
  }
  if (pl->method == MMRT_RESIZE_CV2_LINEAR) cv2_resample(pl, pixels, stride, ws, sink, ctx);
  else pil_resample(pl, pixels, stride, ws, sink, ctx);
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
      p->out_w > MMRT_MAX_IMAGE_SIDE || (unsigned)p->norm > MMRT_NORM_DIV ||
      (unsigned)p->resize_edge > MMRT_EDGE_FIXED ||
      (unsigned)p->resize_method > MMRT_RESIZE_CV2_LINEAR ||
      (p->resize_edge == MMRT_EDGE_FIXED && (p->crop_h > 0 || p->crop_w > 0)))
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
