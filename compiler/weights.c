/* weights.c: float32 model weights for code generation (weights.h): the shared pieces
 * (tensor allocation, lookup, freeing, the pos_embed geometry) and synthetic weights.
 * Checkpoint loading is weights_ckpt.c; the bicubic pos_embed resize is weights_resize.c. */
#include "weights.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "weights_impl.h"

/* {====================================================================== shared */

/* Patch grid of an image side: mmcv's PatchEmbed pads the input up to a multiple of the
 * stride (AdaptivePadding, padding='corner'), so a partial patch still counts. */
int weights_grid_side(int pixels, int patch) { return (pixels + patch - 1) / patch; }

void weights_init_tensor(wtensor *t, const param_spec *s) {
  t->name = xstrdup(s->name);
  t->ndim = s->ndim;
  long long numel = 1;
  for (int d = 0; d < 4; d++) {
    t->shape[d] = d < s->ndim ? s->shape[d] : 0;
    if (d < s->ndim) numel *= s->shape[d];
  }
  t->data = xcalloc((size_t)(numel > 0 ? numel : 1), sizeof(float));
}

long long weights_numel(const wtensor *t) {
  long long n = 1;
  for (int d = 0; d < t->ndim; d++) n *= t->shape[d];
  return n;
}

int weights_is_pos_embed(const char *name) {
  size_t n = strlen(name), k = strlen("pos_embed");
  return n >= k && strcmp(name + n - k, "pos_embed") == 0 && (n == k || name[n - k - 1] == '.');
}

const wtensor *weights_find(const model_weights *w, const char *name) {
  for (size_t i = 0; i < w->n; i++)
    if (strcmp(w->t[i].name, name) == 0) return &w->t[i];
  return NULL;
}

void weights_free(model_weights *w) {
  if (!w) return;
  for (size_t i = 0; i < w->n; i++) {
    free(w->t[i].name);
    free(w->t[i].data);
  }
  free(w->t);
  free(w->source);
  strv_free(w->classes);
  memset(w, 0, sizeof *w);
}

/* }====================================================================== */

/* {====================================================================== synthetic weights */

/* splitmix64 (Steele, Lea, Flood 2014): a fixed, portable generator; no libc rand. */
static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Mean 0, variance 1, bounded by +-2*sqrt(3): the Irwin-Hall sum of four uniforms. Integer
 * and float arithmetic only, so the values are the same on every platform. */
static float normalish(uint64_t *s) {
  double sum = 0;
  for (int i = 0; i < 4; i++) sum += (double)(splitmix64(s) >> 11) * 0x1.0p-53;
  return (float)((sum - 2.0) * 1.7320508075688772);
}

/* FNV-1a, so that each tensor's values depend on its name and the seed, not on its rank. */
static uint64_t name_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
  return h;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A 1-d ".weight" of a LayerNorm: mmpretrain names them ln1, ln2, pre_norm (and norm). */
static int is_norm_weight(const char *name) {
  if (!ends_with(name, ".weight")) return 0;
  const char *last = name + strlen(name) - strlen(".weight");
  const char *mod = last;
  while (mod > name && mod[-1] != '.') mod--;
  size_t n = (size_t)(last - mod);
  return (n >= 2 && strncmp(mod, "ln", 2) == 0) || (n >= 4 && strncmp(mod, "norm", 4) == 0) ||
         (n == 8 && strncmp(mod, "pre_norm", 8) == 0);
}

static void fill_random(const model_desc *m, wtensor *t, uint64_t seed) {
  uint64_t s = seed ^ name_hash(t->name);
  splitmix64(&s);
  long long n = weights_numel(t);
  float scale = 0.02f, offset = 0.0f;
  if (t->ndim == 1 && strstr(t->name, "gamma")) {
    /* layer scale: around its init value */
    offset = m->layer_scale_init_value > 0 ? (float)m->layer_scale_init_value : 0.1f;
    scale = offset * 0.1f;
  } else if (t->ndim == 1 && is_norm_weight(t->name)) {
    offset = 1.0f;
    scale = 0.05f;
  } else if (t->ndim == 1) {
    scale = 0.02f;            /* biases */
  }
  for (long long i = 0; i < n; i++) t->data[i] = offset + scale * normalish(&s);
}

int weights_random(const model_desc *m, uint64_t seed, model_weights *w) {
  memset(w, 0, sizeof *w);
  param_spec *specs = NULL;
  size_t n = model_params(m, &specs);
  w->t = xcalloc(n ? n : 1, sizeof *w->t);
  w->n = n;
  /* (a ResNet has no patches and no pos_embed: patch_size 0) */
  int gh = m->patch_size > 0 ? weights_grid_side(m->input_size[0], m->patch_size) : 0;
  int gw = m->patch_size > 0 ? weights_grid_side(m->input_size[1], m->patch_size) : 0;
  for (size_t i = 0; i < n; i++) {
    param_spec s = specs[i];
    if (weights_is_pos_embed(s.name) && s.ndim == 3)  /* made for the input grid directly */
      s.shape[1] = (long long)m->pos_extra + (long long)gh * gw;
    weights_init_tensor(&w->t[i], &s);
    fill_random(m, &w->t[i], seed);
  }
  model_params_free(specs, n);
  w->source = xasprintf("random:%llu", (unsigned long long)seed);
  w->sha256[0] = '\0';
  w->classes = NULL;
  return 0;
}

/* }====================================================================== */
