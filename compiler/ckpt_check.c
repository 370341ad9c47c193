/* ckpt_check.c: validation of a checkpoint against a model description (see ckpt_check.h).
 * Semantics follow mmpretrain: VisionTransformer._prepare_pos_embed (load-time hook) resizes a
 * checkpoint pos_embed whose token count differs, taking the source grid as
 * sqrt(rows - num_extra_tokens) (models/backbones/vision_transformer.py), so only square
 * grids are accepted; weight URLs end in "-<first 8 hex digits of sha256>.pth"
 * (mmengine/runner/checkpoint.py load_from_http checks them the same way). */
#include "ckpt_check.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { MAX_LISTED = 20 };  /* tensor errors printed one by one; the rest are counted */

static void shape_to(strbuf *b, int ndim, const long long *shape) {
  sb_putc(b, '[');
  for (int i = 0; i < ndim; i++) sb_printf(b, "%s%lld", i ? ", " : "", shape[i]);
  sb_putc(b, ']');
}

static int same_shape(const ckpt_tensor *t, const param_spec *s) {
  if (t->ndim != s->ndim) return 0;
  for (int i = 0; i < s->ndim; i++)
    if (t->shape[i] != s->shape[i]) return 0;
  return 1;
}

/* Side of the square grid held by a pos_embed of ROWS tokens, or 0. */
static int square_grid(long long rows, int extra) {
  long long g, n = rows - extra;
  if (n <= 0) return 0;
  g = (long long)llround(sqrt((double)n));
  return g * g == n && g < 1 << 20 ? (int)g : 0;
}

static void tensor_error(ckpt_report *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void tensor_error(ckpt_report *r, const char *path, const char *fmt, ...) {
  if (r->shape_errors++ < MAX_LISTED) {
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_error(path, 0, 0, "%s", msg);
    free(msg);
  }
}

/* The checkpoint pos_embed T against the spec S: same shape, or another square grid. */
static int check_pos_embed(const model_desc *m, const ckpt_tensor *t, const param_spec *s,
                           const char *path, ckpt_report *r) {
  strbuf want, got;
  int ok;
  r->grid_model = square_grid(s->shape[1], m->pos_extra);
  if (same_shape(t, s)) {
    r->grid_ckpt = r->grid_model;
    return 1;
  }
  ok = t->ndim == 3 && t->shape[0] == 1 && t->shape[2] == s->shape[2] &&
       (r->grid_ckpt = square_grid(t->shape[1], m->pos_extra)) > 0;
  if (ok) return 1;
  sb_init(&want);
  sb_init(&got);
  shape_to(&want, s->ndim, s->shape);
  {
    long long sh[8];
    for (int i = 0; i < t->ndim; i++) sh[i] = t->shape[i];
    shape_to(&got, t->ndim, sh);
  }
  tensor_error(r, path,
               "tensor '%s': expected shape %s (or [1, %d + g*g, %lld] for another square grid, "
               "resized at load time), found %s",
               t->name, want.s, m->pos_extra, s->shape[2], got.s);
  sb_free(&want);
  sb_free(&got);
  return 0;
}

/* Some metafiles give Parameters rounded to 0.01 M (ResNet's 25560000 for 25,557,032): a
 * count matches when it is equal after rounding (half up) to the metafile figure's trailing
 * zeros, at most 4 of them. */
int ckpt_params_match(long long count, long long metafile) {
  long long g = 1;
  for (int i = 0; i < 4 && metafile % (g * 10) == 0 && metafile; i++) g *= 10;
  return (count + g / 2) / g * g == metafile;
}

int ckpt_check_tensors(const model_desc *m, const ckpt *c, const char *path, ckpt_report *r) {
  param_spec *specs;
  size_t n = model_params(m, &specs), nc = ckpt_count(c);
  char *used = xcalloc(nc + 1, 1);
  strbuf list;
  memset(r, 0, sizeof *r);
  r->expected = n;
  r->tensors = nc;
  r->params_model = model_param_count(m);
  r->params_metafile = m->metafile_parameters;
  for (size_t i = 0; i < nc; i++) {
    r->params_raw += ckpt_numel(ckpt_at(c, i));
    r->dtypes |= 1 << ckpt_at(c, i)->dtype;
  }
  for (size_t i = 0; i < n; i++) {
    const param_spec *s = &specs[i];
    const ckpt_tensor *t = ckpt_find(c, s->name);
    long long numel = 1;
    for (int d = 0; d < s->ndim; d++) numel *= s->shape[d];
    if (t) used[t - ckpt_at(c, 0)] = 1;  /* ckpt_at(c, i) is &array[i] (ckpt.c) */
    if (!t) {
      strbuf want;
      sb_init(&want);
      shape_to(&want, s->ndim, s->shape);
      tensor_error(r, path, "tensor '%s' is missing (the model needs it, shape %s)", s->name,
                   want.s);
      sb_free(&want);
      continue;
    }
    if (!strcmp(s->name, "backbone.pos_embed")) {
      if (!check_pos_embed(m, t, s, path, r)) continue;
    } else if (!same_shape(t, s)) {
      strbuf want, got;
      long long sh[8];
      sb_init(&want);
      sb_init(&got);
      shape_to(&want, s->ndim, s->shape);
      for (int d = 0; d < t->ndim; d++) sh[d] = t->shape[d];
      shape_to(&got, t->ndim, sh);
      tensor_error(r, path, "tensor '%s': expected shape %s, found %s", s->name, want.s, got.s);
      sb_free(&want);
      sb_free(&got);
      continue;
    }
    if ((t->dtype == CKPT_I64) != (s->buffer == PARAM_COUNTER)) {
      tensor_error(r, path, "tensor '%s' is %s, the model needs %s", s->name,
                   ckpt_dtype_name(t->dtype), s->buffer == PARAM_COUNTER ? "an int64 counter"
                                                                         : "floating point");
      continue;
    }
    r->present++;
    if (!s->buffer) r->params_loaded += numel;  /* pos_embed counted on the config grid: after the resize */
  }
  if (r->shape_errors > MAX_LISTED)
    diag_error(path, 0, 0, "... and %d more tensor errors", r->shape_errors - MAX_LISTED);
  /* unexpected tensors: one warning listing them */
  sb_init(&list);
  for (size_t i = 0; i < nc; i++) {
    if (used[i]) continue;
    if (r->unexpected < MAX_LISTED) sb_printf(&list, "%s%s", r->unexpected ? ", " : "",
                                              ckpt_at(c, i)->name);
    r->unexpected++;
  }
  if (r->unexpected)
    diag_warning(path, 0, 0, "%zu unexpected tensor%s (not used by the model): %s%s",
                 r->unexpected, r->unexpected > 1 ? "s" : "", list.s,
                 r->unexpected > MAX_LISTED ? ", ..." : "");
  sb_free(&list);
  free(used);
  model_params_free(specs, n);
  if (!r->shape_errors && r->params_metafile >= 0 &&
      !ckpt_params_match(r->params_loaded, r->params_metafile)) {
    /* A checkpoint that fits the config both ways (every tensor expected and nothing else,
     * as load_state_dict(strict=True)) proves the metafile's count wrong, not the model:
     * e.g. mmpretrain 1.2.0's MAE-style fine-tuned entries leave out avg_featmap's ln2
     * (tests/vitfam/metafile-errata.txt). With unexpected tensors it may be mmcc's reading
     * of the config that is off: an error. */
    if (r->unexpected) {
      diag_error(path, 0, 0,
                 "the model loaded from this checkpoint has %lld parameters, the metafile says "
                 "%lld",
                 r->params_loaded, r->params_metafile);
      return -1;
    }
    diag_warning(path, 0, 0,
                 "the metafile says %lld parameters; the config and this checkpoint agree on "
                 "%lld (every tensor expected, none left over): the metafile's count is off",
                 r->params_metafile, r->params_loaded);
  }
  return r->shape_errors ? -1 : 0;
}

int ckpt_hash_suffix(const char *name, char out[9]) {
  const char *base = strrchr(name, '/'), *end, *dot;
  size_t len;
  base = base ? base + 1 : name;
  end = base + strcspn(base, "?#");  /* a URL's query or fragment is not part of the name */
  dot = NULL;
  for (const char *p = base; p < end; p++)
    if (*p == '.') dot = p;
  if (dot) end = dot;
  len = (size_t)(end - base);
  out[0] = 0;
  if (len < 9 || base[len - 9] != '-') return -1;
  for (int i = 0; i < 8; i++) {
    char ch = base[len - 8 + i];
    if (!isxdigit((unsigned char)ch)) {
      out[0] = 0;  /* no suffix: "...-90e_in1k.pth" is not a hash "-90e" */
      return -1;
    }
    out[i] = (char)tolower((unsigned char)ch);
  }
  out[8] = 0;
  return 0;
}

int ckpt_check_hash(const model_desc *m, const char *path, ckpt_report *r) {
  int rc = 0;
  ckpt_hash_suffix(path, r->hash_name);
  if (!m->metafile || !m->weights_url || ckpt_hash_suffix(m->weights_url, r->hash_url) < 0)
    r->hash_url[0] = 0;
  if (ckpt_sha256(path, r->sha256) < 0) return -1;
  if (r->hash_name[0]) {
    r->hash_checked = 1;
    if (strncmp(r->sha256, r->hash_name, 8)) {
      diag_error(path, 0, 0,
                 "sha256 is %s, but the file name says -%s (damaged or incomplete download?); "
                 "--no-verify skips this check",
                 r->sha256, r->hash_name);
      r->hash_errors++;
      rc = -1;
    }
  }
  if (r->hash_url[0]) {
    r->hash_checked = 1;
    if (strncmp(r->sha256, r->hash_url, 8)) {
      diag_error(path, 0, 0,
                 "sha256 is %s, but the metafile's Weights URL for %s says -%s (not the "
                 "published checkpoint); --no-verify skips this check",
                 r->sha256, m->name ? m->name : "the model", r->hash_url);
      r->hash_errors++;
      rc = -1;
    }
  }
  return rc;
}
