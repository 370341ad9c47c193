/* weights_ckpt.c: weights_from_checkpoint (weights.h): every parameter model_params() names,
 * read from the checkpoint as float32, with backbone.pos_embed folded for the compiled input.
 *
 * pos_embed follows mmpretrain (v1.2.0 and the CLIP commit 5b266d9e7c alike),
 * models/backbones/vision_transformer.py:
 *   _prepare_pos_embed (load-time state-dict hook): without a class token, a checkpoint row
 *     count one larger than the model's loses its first row; if the shape then differs from
 *     the model's, the checkpoint grid is taken as square, side int(sqrt(L - extra)), and
 *     resized to patch_embed.init_out_size (the img_size grid) with resize_pos_embed, whose
 *     result is cast back to the checkpoint's dtype;
 *   forward: resize_pos_embed(pos_embed, patch_resolution (img_size grid), input grid),
 *     which returns early when the grids are equal (models/utils/embed.py). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "ckpt_check.h"
#include "util.h"
#include "weights.h"
#include "weights_impl.h"

static void shape_str(char *buf, size_t n, int ndim, const long long *shape) {
  size_t k = 0;
  k += (size_t)snprintf(buf + k, n - k, "[");
  for (int d = 0; d < ndim && k < n; d++)
    k += (size_t)snprintf(buf + k, n - k, "%s%lld", d ? ", " : "", shape[d]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

static int same_shape(const ckpt_tensor *t, const param_spec *s) {
  if (t->ndim != s->ndim) return 0;
  for (int d = 0; d < s->ndim; d++)
    if (t->shape[d] != s->shape[d]) return 0;
  return 1;
}

static int shape_error(const char *path, const ckpt_tensor *t, const param_spec *s) {
  char want[96], got[96];
  long long sh[8];
  for (int d = 0; d < t->ndim && d < 8; d++) sh[d] = t->shape[d];
  shape_str(want, sizeof want, s->ndim, s->shape);
  shape_str(got, sizeof got, t->ndim < 8 ? t->ndim : 8, sh);
  diag_error(path, 0, 0, "tensor '%s': expected shape %s, found %s", s->name, want, got);
  return -1;
}

/* backbone.pos_embed: checkpoint grid -> img_size grid -> input grid, as float32 rows. */
static int load_pos_embed(const model_desc *m, const char *path, const ckpt_tensor *t,
                          const param_spec *s, wtensor *out) {
  const int extra = m->pos_extra;  /* pos_embed rows before the grid (0 for DeiT3) */
  const long long D = s->shape[2];
  if (t->ndim != 3 || t->shape[0] != 1 || t->shape[2] != D) return shape_error(path, t, s);
  long long rows = t->shape[1];
  float *all = xmalloc((size_t)(rows * D) * sizeof(float));
  ckpt_read_f32(t, all);
  const float *src = all;
  /* no class token: a checkpoint made with one loses its first row (VisionTransformer's
   * load hook; DeiT3's pos_embed never has a class row) */
  if (!m->with_cls_token && !m->pos_before_tokens && rows == s->shape[1] + 1) {
    src += D;
    rows -= 1;
  }
  int img_h = weights_grid_side(m->img_size[0], m->patch_size);
  int img_w = weights_grid_side(m->img_size[1], m->patch_size);
  int in_h = weights_grid_side(m->input_size[0], m->patch_size);
  int in_w = weights_grid_side(m->input_size[1], m->patch_size);
  float *on_img;
  if (rows != s->shape[1]) {
    /* load-time resize from the (square) checkpoint grid */
    long long cells = rows - extra;
    int side = cells > 0 ? (int)sqrt((double)cells) : 0;
    if (cells <= 0 || (long long)side * side != cells) {
      diag_error(path, 0, 0,
                 "tensor '%s': %lld rows do not form %d extra token(s) + a square patch grid "
                 "(the model has %d + %dx%d); mmpretrain cannot resize it",
                 s->name, rows, extra, extra, img_h, img_w);
      free(all);
      return -1;
    }
    weights_round r = t->dtype == CKPT_F16 ? WROUND_F16 : t->dtype == CKPT_BF16 ? WROUND_BF16
                                                                               : WROUND_NONE;
    on_img = weights_resize_pos_embed(src, extra, (int)D, side, side, img_h, img_w, r);
  } else {
    on_img = xmalloc((size_t)(rows * D) * sizeof(float));
    memcpy(on_img, src, (size_t)(rows * D) * sizeof(float));
  }
  free(all);
  /* every forward: img_size grid -> input grid (skipped when equal) */
  param_spec fin = *s;
  fin.shape[1] = extra + (long long)in_h * in_w;
  weights_init_tensor(out, &fin);
  free(out->data);
  out->data = weights_resize_pos_embed(on_img, extra, (int)D, img_h, img_w, in_h, in_w,
                                       WROUND_NONE);
  free(on_img);
  return 0;
}

static char **copy_classes(const char *const *cls) {
  if (!cls) return NULL;
  size_t n = 0;
  while (cls[n]) n++;
  char **out = xcalloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++) out[i] = xstrdup(cls[i]);
  return out;
}

int weights_from_checkpoint(const model_desc *m, const char *ckpt_path, model_weights *w) {
  weights_load_opts o = {0, 0};
  return weights_from_checkpoint_opts(m, ckpt_path, &o, w);
}

int weights_from_checkpoint_opts(const model_desc *m, const char *ckpt_path,
                                 const weights_load_opts *o, model_weights *w) {
  memset(w, 0, sizeof *w);
  ckpt *c = ckpt_open(ckpt_path);
  if (!c) return -1;
  ckpt_report r;
  memset(&r, 0, sizeof r);
  if ((o->validate && ckpt_check_tensors(m, c, ckpt_path, &r) < 0) ||
      (o->verify && ckpt_check_hash(m, ckpt_path, &r) < 0)) {
    ckpt_close(c);
    return -1;
  }
  char hex[65];
  if (r.sha256[0]) {
    memcpy(hex, r.sha256, sizeof hex);
  } else if (ckpt_sha256(ckpt_path, hex) < 0) {
    ckpt_close(c);
    return -1;
  }
  param_spec *specs = NULL;
  size_t n = model_params(m, &specs);
  w->t = xcalloc(n ? n : 1, sizeof *w->t);
  int rc = 0;
  size_t done = 0;
  for (; done < n && rc == 0; done++) {
    const param_spec *s = &specs[done];
    const ckpt_tensor *t = ckpt_find(c, s->name);
    if (!t) {
      diag_error(ckpt_path, 0, 0, "tensor '%s' is missing (the model needs it)", s->name);
      rc = -1;
    } else if (weights_is_pos_embed(s->name) && s->ndim == 3) {
      rc = load_pos_embed(m, ckpt_path, t, s, &w->t[done]);
    } else if (!same_shape(t, s)) {
      rc = shape_error(ckpt_path, t, s);
    } else {
      weights_init_tensor(&w->t[done], s);
      ckpt_read_f32(t, w->t[done].data);
    }
    if (rc == 0) w->n = done + 1;
  }
  model_params_free(specs, n);
  if (rc == 0) {
    memcpy(w->sha256, hex, sizeof w->sha256);
    w->source = xasprintf("checkpoint %s (sha256 %s)", path_basename(ckpt_path), hex);
    w->classes = copy_classes(ckpt_classes(c));
  }
  ckpt_close(c);
  if (rc < 0) weights_free(w);
  return rc;
}
