/* model_get.c: typed reads of config values with positioned diagnostics (model_get.h). */
#include "model_get.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef void diag_fn(const char *file, int line, int col, const char *fmt, ...);

/* DIAG the message at AT's position when AT has one, else at FILE. */
static void report(diag_fn *diag, const char *file, const cfg_value *at, const char *fmt,
                   va_list ap) {
  char *msg = xvasprintf(fmt, ap);
  if (at && cfg_file(at)) diag(cfg_file(at), cfg_line(at), cfg_col(at), "%s", msg);
  else diag(file, 0, 0, "%s", msg);
  free(msg);
}

int mget_error(const char *file, const cfg_value *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(diag_error, file, at, fmt, ap);
  va_end(ap);
  return -1;
}

void mget_warning(const char *file, const cfg_value *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(diag_warning, file, at, fmt, ap);
  va_end(ap);
}

static int type_error(const char *file, const cfg_value *v, const char *key, const char *want) {
  return mget_error(file, v, "'%s' must be %s, not %s", key, want,
                    cfg_kind_name(cfg_kind_of(v)));
}

int mget_int(const char *file, const cfg_value *d, const char *key, long long def,
             long long *out) {
  const cfg_value *v = cfg_get(d, key);
  if (!v) { *out = def; return 0; }
  if (cfg_kind_of(v) != CFG_INT) return type_error(file, v, key, "an int");
  *out = cfg_int(v);
  return 0;
}

int mget_bool(const char *file, const cfg_value *d, const char *key, int def, int *out) {
  const cfg_value *v = cfg_get(d, key);
  if (!v) { *out = def; return 0; }
  /* Python truth value, as upstream's `if qkv_bias:` tests it */
  switch (cfg_kind_of(v)) {
  case CFG_BOOL: *out = cfg_bool(v) != 0; return 0;
  case CFG_INT: *out = cfg_int(v) != 0; return 0;
  case CFG_NONE: *out = 0; return 0;
  default: return type_error(file, v, key, "a bool");
  }
}

int mget_num(const char *file, const cfg_value *d, const char *key, double def, double *out) {
  const cfg_value *v = cfg_get(d, key);
  if (!v) { *out = def; return 0; }
  cfg_kind k = cfg_kind_of(v);
  if (k != CFG_INT && k != CFG_FLOAT && k != CFG_BOOL) return type_error(file, v, key, "a number");
  *out = cfg_num(v);
  return 0;
}

int mget_str(const char *file, const cfg_value *d, const char *key, const char *def,
             const char **out) {
  const cfg_value *v = cfg_get(d, key);
  if (!v) { *out = def; return 0; }
  if (cfg_kind_of(v) != CFG_STR) return type_error(file, v, key, "a string");
  *out = cfg_str(v);
  return 0;
}

static int positive_int(const char *file, const cfg_value *v, const char *key, int *out) {
  if (cfg_kind_of(v) != CFG_INT) return type_error(file, v, key, "an int or a pair of ints");
  long long x = cfg_int(v);
  if (x <= 0 || x > 1000000)
    return mget_error(file, v, "'%s' must be positive (and at most 1000000), not %lld", key, x);
  *out = (int)x;
  return 0;
}

int mget_pair(const char *file, const cfg_value *d, const char *key, int def, int out[2]) {
  const cfg_value *v = cfg_get(d, key);
  if (!v) { out[0] = out[1] = def; return 0; }
  cfg_kind k = cfg_kind_of(v);
  if (k == CFG_LIST || k == CFG_TUPLE) {
    if (cfg_len(v) != 2) return mget_error(file, v, "'%s' must have 2 entries, not %zu", key, cfg_len(v));
    return positive_int(file, cfg_at(v, 0), key, &out[0]) ||
                   positive_int(file, cfg_at(v, 1), key, &out[1])
               ? -1
               : 0;
  }
  if (positive_int(file, v, key, &out[0])) return -1;
  out[1] = out[0];
  return 0;
}

int mget_triple(const char *file, const cfg_value *d, const char *key, double out[3]) {
  const cfg_value *v = cfg_get(d, key);
  cfg_kind k = v ? cfg_kind_of(v) : CFG_NONE;
  if (!v) return mget_error(file, d, "'%s' is missing", key);
  if ((k != CFG_LIST && k != CFG_TUPLE) || cfg_len(v) != 3)
    return mget_error(file, v, "'%s' must be a list of 3 numbers (one per channel)", key);
  for (size_t i = 0; i < 3; i++) {
    const cfg_value *e = cfg_at(v, i);
    cfg_kind ek = cfg_kind_of(e);
    if (ek != CFG_INT && ek != CFG_FLOAT) return type_error(file, e, key, "a list of numbers");
    out[i] = cfg_num(e);
    if (!isfinite(out[i])) return mget_error(file, e, "'%s' entries must be finite", key);
  }
  return 0;
}

const char *mget_type(const cfg_value *d) {
  const cfg_value *t = cfg_get(d, "type");
  if (!t || cfg_kind_of(t) != CFG_STR) return NULL;
  const char *s = cfg_str(t);
  if (!strncmp(s, "mmcls.", 6)) return s + 6;
  if (!strncmp(s, "mmpretrain.", 11)) return s + 11;
  return s;
}
