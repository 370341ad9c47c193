/* model_pipe.c: the test-time preprocessing of a resolved config -> model_desc fields
 * (resize, crop, normalisation, input geometry).
 *
 * Two config generations (issue 2, section 4):
 *   1.x: pipeline = test_dataloader.dataset.pipeline; normalisation from data_preprocessor
 *        (model.data_preprocessor when the model has one, else the top-level one, as
 *        mmpretrain's runner does: model.setdefault('data_preprocessor', cfg.data_preprocessor)).
 *   0.x: pipeline = data.test.pipeline, with Normalize inside it.
 * Transform defaults, by file:
 *   [RE]  mmpretrain v1.2.0 datasets/transforms/processing.py ResizeEdge(scale, edge='short',
 *         backend='cv2', interpolation='bilinear')
 *   [RS0] mmcls v0.25.0 datasets/pipelines/transforms.py Resize(size, interpolation='bilinear',
 *         adaptive_side='short', backend='cv2'); size (S, -1) = adaptive, an int = (S, S)
 *   [RS2] mmcv v2.1.0 transforms/processing.py Resize(scale=None, scale_factor=None,
 *         keep_ratio=False, backend='cv2', interpolation='bilinear'); an int scale S = (S, S),
 *         a pair is (w, h); without keep_ratio the image becomes exactly (w, h)
 *   [CC0] same file: CenterCrop(crop_size int | (h, w), efficientnet_style=False)
 *   [CC1] mmcv v2.1.0 transforms/processing.py CenterCrop(crop_size int | (w, h), auto_pad=False)
 *   [NM0] mmcls v0.25.0 Normalize(mean, std, to_rgb=True) = mmcv.imnormalize
 *   [DP]  mmpretrain v1.2.0 models/utils/data_preprocessor.py ClsDataPreprocessor(mean=None,
 *         std=None, to_rgb=False)
 * mmcc implements the resize (mmcv imresize) with backend='pillow', interpolation 'bicubic' or
 * 'bilinear', and backend='cv2', interpolation='bilinear' (the defaults): resize_methods[].
 *
 * What the fields mean (both generations compute the same thing):
 *   resize_scale S, EDGE_SHORT: w < h -> (w, h) = (S, int(S*h/w)), else (int(S*w/h), S);
 *   EDGE_LONG: w > h -> (S, int(S*h/w)), else (int(S*w/h), S); EDGE_WIDTH: (S, int(S*h/w));
 *   EDGE_HEIGHT: (int(S*w/h), S). (0.x skips the resize when the edge already equals S;
 *   a resize to the same size is a copy in Pillow and OpenCV, so no difference.)
 *   EDGE_FIXED ([RS2] without keep_ratio): exactly input_size; resize_scale = max(w, h) (any
 *   non-zero value says "there is a resize"); no crop may follow.
 *   crop_size [H, W], centre offsets int(round((h - H) / 2.)) (mmcv/mmcls CenterCrop).
 *   norm: NORM_MMCV (0.x Normalize) or NORM_DIV (1.x data_preprocessor), mean/std in the
 *   channel order after the optional BGR->RGB swap (to_rgb); NORM_NONE: mean 0, std 1.
 *   input_size: crop size, else the fixed resize size, else (S, S), else the backbone img_size. */
#include <string.h>

#include "cfg.h"
#include "model.h"
#include "model_get.h"
#include "model_pipe.h"
#include "util.h"

#define SUPPORTED_TRANSFORMS                                                                 \
  "LoadImageFromFile, Resize (size=(S, -1), or scale=S / (w, h)), ResizeEdge, CenterCrop, "   \
  "Normalize, ImageToTensor, ToTensor, Collect, PackInputs, PackClsInputs"

/* mmcv imresize's (backend, interpolation) pairs mmcc reproduces bit for bit, and the
 * runtime's resampler for each (runtime/mmrt_preprocess.h mmrt_resize). */
static const struct resize_method {
  const char *backend, *interp, *rt;
} resize_methods[] = {
    {"pillow", "bicubic", "MMRT_RESIZE_PIL_BICUBIC"},
    {"pillow", "bilinear", "MMRT_RESIZE_PIL_BILINEAR"},
    {"cv2", "bilinear", "MMRT_RESIZE_CV2_LINEAR"},
};
#define N_RESIZE_METHODS (sizeof resize_methods / sizeof resize_methods[0])
#define SUPPORTED_RESIZE                                                                      \
  "backend='pillow' with interpolation 'bicubic' or 'bilinear', and backend='cv2' with "      \
  "interpolation 'bilinear'"

/* ResizeEdge edge / 0.x adaptive_side names, indexed by resize_edge (EDGE_FIXED last). */
static const char *const edge_names[] = {"short", "long", "width", "height", "fixed"};
static const char *const rt_edges[] = {"MMRT_EDGE_SHORT", "MMRT_EDGE_LONG", "MMRT_EDGE_WIDTH",
                                       "MMRT_EDGE_HEIGHT", "MMRT_EDGE_FIXED"};
_Static_assert(EDGE_FIXED == 4 && sizeof edge_names / sizeof *edge_names == 5 &&
                   sizeof rt_edges / sizeof *rt_edges == 5,
               "edge tables and resize_edge values differ");

static const char *const noop_transforms[] = {"LoadImageFromFile", "ImageToTensor", "ToTensor",
                                              "Collect", "PackInputs", "PackClsInputs", NULL};

typedef struct pipe_ctx {
  const char *file;
  model_desc *m;
  int legacy;                      /* 0.x pipeline (data.test) */
  const cfg_value *resize, *crop, *normalize;
  int fixed[2];                    /* [RS2] target [H, W] */
} pipe_ctx;

static int is_noop(const char *t) {
  for (const char *const *p = noop_transforms; *p; p++)
    if (!strcmp(*p, t)) return 1;
  return 0;
}

/* backend / interpolation: only what mmcc implements. */
static int resize_method(pipe_ctx *c, const cfg_value *tr, const char *what) {
  const char *backend, *interp;
  if (mget_str(c->file, tr, "backend", "cv2", &backend) ||
      mget_str(c->file, tr, "interpolation", "bilinear", &interp))
    return -1;
  c->m->resize_backend = xstrdup(backend);
  c->m->resize_interp = xstrdup(interp);
  for (size_t k = 0; k < N_RESIZE_METHODS; k++)
    if (!strcmp(backend, resize_methods[k].backend) && !strcmp(interp, resize_methods[k].interp))
      return 0;
  const cfg_value *b = cfg_get(tr, "backend"), *i = cfg_get(tr, "interpolation");
  int backend_known = !strcmp(backend, "pillow") || !strcmp(backend, "cv2");
  const cfg_value *at = backend_known ? i : b;
  return mget_error(c->file, at ? at : tr,
                    "%s with backend='%s', interpolation='%s'%s is not supported; mmcc "
                    "implements " SUPPORTED_RESIZE,
                    what, backend, interp,
                    !b && !i ? " (the transform's defaults)"
                    : !b     ? " (backend: the default)"
                    : !i     ? " (interpolation: the default)"
                             : "");
}

/* ResizeEdge edge / 0.x Resize adaptive_side: the same four policies (see the header). */
static int edge_kind(pipe_ctx *c, const cfg_value *at, const char *edge) {
  for (int e = EDGE_SHORT; e < EDGE_FIXED; e++)
    if (!strcmp(edge, edge_names[e])) {
      c->m->resize_edge = (resize_edge)e;
      return 0;
    }
  return mget_error(c->file, at, "resize edge '%s' is not supported; supported: short, long, "
                                 "width, height", edge);
}

/* [RE] ResizeEdge(scale, edge, backend, interpolation). */
static int resize_edge_1x(pipe_ctx *c, const cfg_value *tr) {
  const cfg_value *sc = cfg_get(tr, "scale");
  const char *edge;
  long long s;
  if (!sc) return mget_error(c->file, tr, "ResizeEdge needs 'scale'");
  if (mget_int(c->file, tr, "scale", 0, &s) || mget_str(c->file, tr, "edge", "short", &edge))
    return -1;
  if (s <= 0 || s > 65536) return mget_error(c->file, sc, "ResizeEdge scale must be in 1..65536");
  c->m->resize_scale = (int)s;
  if (edge_kind(c, cfg_get(tr, "edge") ? cfg_get(tr, "edge") : tr, edge)) return -1;
  return resize_method(c, tr, "ResizeEdge");
}

/* [RS0] Resize(size=(S, -1), adaptive_side='short'). */
static int resize_0x(pipe_ctx *c, const cfg_value *tr) {
  const cfg_value *sz = cfg_get(tr, "size");
  if (!sz)
    return mget_error(c->file, tr, "Resize without 'size' (a fixed-scale resize) is not "
                                   "supported; use Resize(size=(S, -1)) or ResizeEdge");
  cfg_kind k = cfg_kind_of(sz);
  if ((k != CFG_LIST && k != CFG_TUPLE) || cfg_len(sz) != 2 ||
      cfg_kind_of(cfg_at(sz, 0)) != CFG_INT || cfg_kind_of(cfg_at(sz, 1)) != CFG_INT ||
      cfg_int(cfg_at(sz, 1)) != -1)
    return mget_error(c->file, sz, "Resize to a fixed size is not supported; mmcc supports "
                                   "size=(S, -1) (edge to S, keeping the aspect ratio)");
  long long s = cfg_int(cfg_at(sz, 0));
  if (s <= 0 || s > 65536) return mget_error(c->file, sz, "Resize size must be in 1..65536");
  const char *side;
  if (mget_str(c->file, tr, "adaptive_side", "short", &side)) return -1;
  c->m->resize_scale = (int)s;
  if (edge_kind(c, cfg_get(tr, "adaptive_side") ? cfg_get(tr, "adaptive_side") : tr, side))
    return -1;
  return resize_method(c, tr, "Resize");
}

/* [RS2] Resize(scale=S | (w, h)), keep_ratio=False, no scale_factor. */
static int resize_mmcv(pipe_ctx *c, const cfg_value *tr) {
  const cfg_value *sc = cfg_get(tr, "scale"), *sf = cfg_get(tr, "scale_factor");
  int wh[2], keep;
  if (sf && cfg_kind_of(sf) != CFG_NONE)
    return mget_error(c->file, sf, "Resize with scale_factor is not supported; mmcc supports "
                                   "Resize(scale=S or (w, h)) without keep_ratio");
  if (!sc || cfg_kind_of(sc) == CFG_NONE)
    return mget_error(c->file, tr, "Resize needs 'scale' (or, 0.x style, 'size')");
  if (mget_bool(c->file, tr, "keep_ratio", 0, &keep)) return -1;
  if (keep)
    return mget_error(c->file, cfg_get(tr, "keep_ratio"),
                      "Resize keep_ratio=True is not supported; use ResizeEdge, or "
                      "Resize(scale=...) without keep_ratio");
  if (mget_pair(c->file, tr, "scale", 0, wh)) return -1;
  if (wh[0] > 65536 || wh[1] > 65536)
    return mget_error(c->file, sc, "Resize scale must be in 1..65536");
  c->fixed[0] = wh[1];
  c->fixed[1] = wh[0];
  c->m->resize_edge = (resize_edge)EDGE_FIXED;
  c->m->resize_scale = wh[0] > wh[1] ? wh[0] : wh[1];
  return resize_method(c, tr, "Resize");
}

/* [CC0] (h, w) / [CC1] (w, h). */
static int center_crop(pipe_ctx *c, const cfg_value *tr) {
  int sz[2], flag;
  if (!cfg_get(tr, "crop_size")) return mget_error(c->file, tr, "CenterCrop needs 'crop_size'");
  if (c->resize && c->m->resize_edge == (resize_edge)EDGE_FIXED)
    return mget_error(c->file, tr, "CenterCrop after Resize(scale=...) is not supported; mmcc "
                                   "supports a fixed-size Resize as the last geometric step");
  if (mget_pair(c->file, tr, "crop_size", 0, sz)) return -1;
  if (mget_bool(c->file, tr, "efficientnet_style", 0, &flag)) return -1;
  if (flag)
    return mget_error(c->file, cfg_get(tr, "efficientnet_style"),
                      "CenterCrop efficientnet_style=True is not supported");
  if (mget_bool(c->file, tr, "auto_pad", 0, &flag)) return -1;
  if (flag)
    return mget_error(c->file, cfg_get(tr, "auto_pad"), "CenterCrop auto_pad=True is not supported");
  c->m->crop_size[0] = c->legacy ? sz[0] : sz[1];
  c->m->crop_size[1] = c->legacy ? sz[1] : sz[0];
  return 0;
}

/* [NM0] Normalize(mean, std, to_rgb=True) inside the pipeline. */
static int normalize(pipe_ctx *c, const cfg_value *tr) {
  if (mget_triple(c->file, tr, "mean", c->m->mean) || mget_triple(c->file, tr, "std", c->m->std) ||
      mget_bool(c->file, tr, "to_rgb", 1, &c->m->to_rgb))
    return -1;
  c->m->norm = NORM_MMCV;
  return 0;
}

static int transform(pipe_ctx *c, const cfg_value *tr) {
  const char *t = cfg_kind_of(tr) == CFG_DICT ? mget_type(tr) : NULL;
  if (!t)
    return mget_error(c->file, tr, "a pipeline entry must be a dict with a 'type'; supported: "
                                   SUPPORTED_TRANSFORMS);
  if (is_noop(t)) return 0;
  const cfg_value **slot;
  int (*fn)(pipe_ctx *, const cfg_value *);
  if (!strcmp(t, "ResizeEdge")) slot = &c->resize, fn = resize_edge_1x;
  else if (!strcmp(t, "Resize"))  /* 0.x Resize(size=...) [RS0], else mmcv's [RS2] */
    slot = &c->resize, fn = (cfg_get(tr, "size") || c->legacy) ? resize_0x : resize_mmcv;
  else if (!strcmp(t, "CenterCrop")) slot = &c->crop, fn = center_crop;
  else if (!strcmp(t, "Normalize")) slot = &c->normalize, fn = normalize;
  else
    return mget_error(c->file, cfg_get(tr, "type"),
                      "unsupported transform '%s' in the test pipeline; supported: "
                      SUPPORTED_TRANSFORMS, t);
  if (*slot) return mget_error(c->file, tr, "a second %s in the test pipeline is not supported", t);
  /* mmcc runs resize -> crop -> normalise */
  if ((slot == &c->resize && (c->crop || c->normalize)) || (slot == &c->crop && c->normalize))
    return mget_error(c->file, tr, "%s after %s: mmcc supports the order resize, "
                                   "centre crop, normalise", t,
                      c->normalize ? "Normalize" : "CenterCrop");
  *slot = tr;
  return fn(c, tr);
}

/* data_preprocessor: [DP] to_rgb=False; mean/std optional (std required with mean). */
static int preprocessor(pipe_ctx *c, const cfg_value *root) {
  const cfg_value *dp = cfg_lookup(root, "model.data_preprocessor");
  if (!dp || cfg_kind_of(dp) == CFG_NONE) dp = cfg_get(root, "data_preprocessor");
  if (!dp || cfg_kind_of(dp) == CFG_NONE) return 0;
  if (cfg_kind_of(dp) != CFG_DICT) return mget_error(c->file, dp, "data_preprocessor must be a dict");
  const char *t = mget_type(dp);
  if (t && strcmp(t, "ClsDataPreprocessor"))
    return mget_error(c->file, cfg_get(dp, "type"),
                      "unsupported data_preprocessor '%s'; supported: ClsDataPreprocessor", t);
  const cfg_value *mean = cfg_get(dp, "mean"), *std = cfg_get(dp, "std");
  int to_rgb;
  if (mget_bool(c->file, dp, "to_rgb", 0, &to_rgb)) return -1;
  if (mean && cfg_kind_of(mean) == CFG_NONE) mean = NULL;
  if (std && cfg_kind_of(std) == CFG_NONE) std = NULL;
  if (!mean && !std) {
    if (!c->normalize) c->m->to_rgb = to_rgb;
    return 0;
  }
  if (!mean || !std)
    return mget_error(c->file, dp, "data_preprocessor needs both mean and std");
  if (c->normalize)
    return mget_error(c->file, mean, "normalisation given twice (Normalize in the test pipeline "
                                     "and data_preprocessor mean/std) is not supported");
  if (mget_triple(c->file, dp, "mean", c->m->mean) || mget_triple(c->file, dp, "std", c->m->std))
    return -1;
  c->m->to_rgb = to_rgb;
  c->m->norm = NORM_DIV;
  return 0;
}

int model_pipe_extract(const char *file, const cfg_value *root, model_desc *m) {
  pipe_ctx c = {file, m, 0, NULL, NULL, NULL, {0, 0}};
  const cfg_value *pipe = NULL;
  const cfg_value *tdl = cfg_get(root, "test_dataloader");
  if (tdl && cfg_kind_of(tdl) == CFG_DICT) {
    pipe = cfg_lookup(tdl, "dataset.pipeline");
    if (!pipe) return mget_error(file, tdl, "test_dataloader has no dataset.pipeline");
  } else if ((pipe = cfg_lookup(root, "data.test.pipeline"))) {
    c.legacy = 1;
  }
  m->norm = NORM_NONE;
  m->mean[0] = m->mean[1] = m->mean[2] = 0.0;
  m->std[0] = m->std[1] = m->std[2] = 1.0;
  if (pipe) {
    if (cfg_kind_of(pipe) != CFG_LIST && cfg_kind_of(pipe) != CFG_TUPLE)
      return mget_error(file, pipe, "the test pipeline must be a list of transforms");
    for (size_t i = 0; i < cfg_len(pipe); i++)
      if (transform(&c, cfg_at(pipe, i))) return -1;
  } else {
    mget_warning(file, NULL, "no test pipeline (test_dataloader.dataset.pipeline or "
                             "data.test.pipeline): no resize or crop");
  }
  if (preprocessor(&c, root)) return -1;
  if (m->norm == NORM_NONE) {
    m->mean[0] = m->mean[1] = m->mean[2] = 0.0;
    m->std[0] = m->std[1] = m->std[2] = 1.0;
    mget_warning(file, NULL, "no mean/std (Normalize or data_preprocessor): the model takes "
                             "unnormalised pixel values");
  }
  for (int i = 0; i < 3; i++)
    if (m->std[i] == 0.0) return mget_error(file, c.normalize, "std must not be 0");
  /* a crop larger than the resized image would give inputs smaller than crop_size */
  if (c.crop && m->resize_scale && m->resize_edge == EDGE_SHORT &&
      (m->crop_size[0] > m->resize_scale || m->crop_size[1] > m->resize_scale))
    return mget_error(file, c.crop, "CenterCrop %dx%d is larger than the resized short edge %d",
                      m->crop_size[0], m->crop_size[1], m->resize_scale);
  /* input geometry: crop size, else the resize scale, else the backbone's img_size */
  int *in = m->input_size;
  if (m->crop_size[0]) in[0] = m->crop_size[0], in[1] = m->crop_size[1];
  else if (c.fixed[0]) in[0] = c.fixed[0], in[1] = c.fixed[1];
  else if (m->resize_scale) in[0] = in[1] = m->resize_scale;
  else in[0] = m->img_size[0], in[1] = m->img_size[1];
  return 0;
}

/* {====================================================================== --input-size */

/* The size the pipeline's resize gives a W x H image (model_pipe.c header, as mmpretrain). */
static void resized(const model_desc *m, int w, int h, int *rw, int *rh) {
  int s = m->resize_scale, e = m->resize_edge;
  int by_w = e == EDGE_SHORT  ? w < h  /* which side goes to S */
             : e == EDGE_LONG ? w > h
                              : e == EDGE_WIDTH;
  *rw = w, *rh = h;
  if (!s) return;
  if (e == EDGE_FIXED) {
    *rw = m->input_size[1], *rh = m->input_size[0];
    return;
  }
  if (by_w) *rw = s, *rh = (int)((long long)s * h / w);
  else *rw = (int)((long long)s * w / h), *rh = s;
}

/* Does the pipeline turn a W x H image into exactly input_size? (the runtime's check) */
static int fits(const model_desc *m, int w, int h) {
  int rw, rh;
  resized(m, w, h, &rw, &rh);
  if (m->crop_size[0]) return rw >= m->crop_size[1] && rh >= m->crop_size[0];
  return rw == m->input_size[1] && rh == m->input_size[0];
}

/* FIXED: the resize gives SIZE [H, W] */
static void describe(strbuf *b, const model_desc *m, int scale, const int crop[2],
                     const int size[2]) {
  if (scale && m->resize_edge == (resize_edge)EDGE_FIXED)
    sb_printf(b, "resize to %dx%d", size[0], size[1]);
  else if (scale) sb_printf(b, "resize %s edge %d", edge_names[m->resize_edge], scale);
  else sb_puts(b, "no resize");
  if (crop[0]) sb_printf(b, ", crop %dx%d", crop[0], crop[1]);
  else sb_puts(b, ", no crop");
}

/* A compiled input size H x W other than the test pipeline's output: the compiled pipeline
 * must produce H x W, or classify_rgb8 rejects every image. Rules (documented in model.h):
 *   crop_size := [H, W];
 *   resize scale S (when the pipeline resizes) keeps the pipeline's resize-to-crop ratio:
 *     S' = S * max(H, W) / max(crop_h, crop_w), rounded to nearest (halves up), and never
 *     below max(H, W) (a short-edge resize must leave room for the crop); without a crop the
 *     old input size stands in for the crop.
 * This departs from the config's test pipeline, so a warning says what changed; a second
 * warning when typical images (4:3, both orientations) still cannot give H x W. */
void model_pipe_adapt(model_desc *m, int h, int w) {
  int old_scale = m->resize_scale, old_crop[2] = {m->crop_size[0], m->crop_size[1]};
  int old_in[2] = {m->input_size[0], m->input_size[1]};
  int ref = m->crop_size[0] ? (m->crop_size[0] > m->crop_size[1] ? m->crop_size[0]
                                                                  : m->crop_size[1])
                            : (m->input_size[0] > m->input_size[1] ? m->input_size[0]
                                                                   : m->input_size[1]);
  int big = h > w ? h : w;
  m->input_size[0] = h;
  m->input_size[1] = w;
  if (!ref) return;  /* not extracted from a config (no pipeline to adapt) */
  if (m->crop_size[0]) m->crop_size[0] = h, m->crop_size[1] = w;
  if (m->resize_scale) {
    long long s2 = ((long long)2 * m->resize_scale * big + ref) / (2LL * ref);
    if (s2 < big) s2 = big;
    m->resize_scale = s2 > 65536 ? 65536 : (int)s2;
  }
  if (m->resize_scale && m->resize_edge == (resize_edge)EDGE_FIXED) m->resize_scale = big;
  strbuf from, to;
  sb_init(&from);
  sb_init(&to);
  describe(&from, m, old_scale, old_crop, old_in);
  describe(&to, m, m->resize_scale, m->crop_size, m->input_size);
  diag_warning(m->config_path, 0, 0, "input size %dx%d (HxW) differs from the test pipeline's output: "
               "the compiled test pipeline was adapted from (%s) to (%s); this departs from the "
               "config's test pipeline (mmpretrain would feed the model the old size)",
               h, w, from.s, to.s);
  if (!fits(m, 400, 300) || !fits(m, 300, 400)) {
    int rw, rh;
    resized(m, 400, 300, &rw, &rh);
    diag_warning(m->config_path, 0, 0, "with (%s), typical images cannot give the %dx%d "
                 "input (HxW; e.g. a 300x400 image is resized to %dx%d%s): classify_rgb8 will "
                 "return the image-shape error for them", to.s, h, w, rh, rw,
                 m->crop_size[0] ? ", smaller than the crop" : ", and there is no crop");
  }
  sb_free(&from);
  sb_free(&to);
}

/* }====================================================================== */

/* {====================================================================== names */

const char *model_pipe_edge_name(int edge) {
  return edge >= EDGE_SHORT && edge <= EDGE_FIXED ? edge_names[edge] : "?";
}

const char *model_pipe_rt_edge(const model_desc *m) {
  int e = m->resize_edge;
  return e >= EDGE_SHORT && e <= EDGE_FIXED ? rt_edges[e] : rt_edges[EDGE_SHORT];
}

const char *model_pipe_rt_method(const model_desc *m) {
  for (size_t k = 0; k < N_RESIZE_METHODS && m->resize_backend && m->resize_interp; k++)
    if (!strcmp(m->resize_backend, resize_methods[k].backend) &&
        !strcmp(m->resize_interp, resize_methods[k].interp))
      return resize_methods[k].rt;
  return resize_methods[0].rt; /* no resize: unused */
}

/* }====================================================================== */
