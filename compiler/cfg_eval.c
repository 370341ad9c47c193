/* cfg_eval.c: evaluator of config files: Python expression semantics (ints are 64-bit and
 * overflow is an error; int / int is float; // and % floor), names, comprehensions, and
 * statements with Python's reference semantics (two names bound to one list see the same
 * mutation). mmengine's ConfigDict rules (attribute access, copying on store) apply to dicts
 * that came from _base_. Builtins, methods and format specs are in cfg_builtin.c. */
#include "cfg_eval_impl.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVAL_DEPTH 1000

cfge_pos cfge_at(cfge_ctx *E, const cfg_expr *e) {
  cfge_pos p;
  memset(&p, 0, sizeof p);
  p.v.file = E->file;
  p.v.line = e ? e->line : 0;
  p.v.col = e ? e->col : 0;
  return p;
}

/* a repr cut short at CFG_MAX_REPR_BYTES must be too long to become a string */
_Static_assert(CFG_MAX_REPR_BYTES >= CFGE_MAX_SEQ_LEN, "repr limit below the string limit");

cfg_value *cfge_str_of(cfge_ctx *E, strbuf *b, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_value *r = b->len > CFGE_MAX_SEQ_LEN ? cfge_err(E, e, "string too long")
                                           : cfgv_str(E->a, b->s ? b->s : "", b->len, &p.v);
  sb_free(b);
  return r;
}

cfg_value *cfge_err(cfge_ctx *E, const cfg_expr *e, const char *fmt, ...) {
  char *msg;
  va_list ap;
  va_start(ap, fmt);
  msg = xvasprintf(fmt, ap);
  va_end(ap);
  diag_error(E->file, e ? e->line : 0, e ? e->col : 0, "%s", msg);
  free(msg);
  return NULL;
}

static cfg_value *eval(cfge_ctx *E, const cfg_expr *e);

static cfg_value *mk_other(cfge_ctx *E, cfg_other_kind k, const char *name, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_value *v = cfgv_new(E->a, CFG_OTHER, p.v.file, p.v.line, p.v.col);
  v->other = k;
  v->s = cfg_arena_strndup(E->a, name, strlen(name));
  return v;
}


/* {====================================================================== iteration */

/* Number of UTF-8 code points, and the byte offset of code point i. */
size_t cfge_u8_len(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
  return c;
}

size_t cfge_u8_offset(const char *s, size_t n, size_t cp) {
  size_t c = 0, i = 0;
  for (; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) {
      if (c == cp) return i;
      c++;
    }
  return n;
}

/* The byte offsets where code points 0..n-1 of S start, and LEN at [n] (n = cfge_u8_len):
 * one walk, for loops over every code point (asking cfge_u8_offset for each one made them
 * quadratic: zip() of an 89,000-character string took minutes). The caller frees it. */
static size_t *u8_starts(const char *s, size_t len, size_t n) {
  size_t *o = xmalloc((n + 1) * sizeof *o), c = 0;
  for (size_t i = 0; i < len && c < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) o[c++] = i;
  o[n] = len;
  return o;
}

/* The items of an iterable as a fresh list (dicts give their keys, strings their chars). */
cfg_value *cfge_iterate(cfge_ctx *E, cfg_value *v, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_value *r;
  switch (v->kind) {
    case CFG_LIST: case CFG_TUPLE:
      r = cfgv_seq(E->a, CFG_LIST, v->n, &p.v);
      for (size_t i = 0; i < v->n; i++) r->items[i] = v->items[i];
      r->n = v->n;
      return r;
    case CFG_DICT:
      r = cfgv_seq(E->a, CFG_LIST, v->n, &p.v);
      for (size_t i = 0; i < v->n; i++) r->items[i] = v->keys[i];
      r->n = v->n;
      return r;
    case CFG_STR: {
      size_t n = cfge_u8_len(v->s, v->slen);
      r = cfgv_seq(E->a, CFG_LIST, n, &p.v);
      size_t *o = u8_starts(v->s, v->slen, n);
      for (size_t i = 0; i < n; i++) r->items[i] = cfgv_str(E->a, v->s + o[i], o[i + 1] - o[i], &p.v);
      free(o);
      r->n = n;
      return r;
    }
    default:
      return cfge_err(E, e, "'%s' object is not iterable", cfgv_type_name(v));
  }
}

/* }====================================================================== */

/* {====================================================================== arithmetic */

cfg_value *cfge_overflow(cfge_ctx *E, const cfg_expr *e) {
  return cfge_err(E, e, "integer overflow: mmcc computes with 64-bit integers");
}

cfg_value *cfge_key_error(cfge_ctx *E, const cfg_expr *e, const cfg_value *key) {
  strbuf b;
  sb_init(&b);
  cfgv_repr(&b, key);
  cfge_err(E, e, "KeyError: %s", b.s);
  sb_free(&b);
  return NULL;
}

static double py_fmod(double x, double y) {
  double m = fmod(x, y);
  if (m) { if ((y < 0) != (m < 0)) m += y; }
  else m = copysign(0.0, y);
  return m;
}

/* Python's float floor division (Objects/floatobject.c float_divmod) */
static double py_floordiv(double vx, double wx) {
  double mod = fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod) { if ((wx < 0) != (mod < 0)) div -= 1.0; }
  double fd;
  if (div) {
    fd = floor(div);
    if (div - fd > 0.5) fd += 1.0;
  } else {
    fd = copysign(0.0, vx / wx);
  }
  return fd;
}

static cfg_value *repeat(cfge_ctx *E, cfg_value *s, long long times, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if (times < 0) times = 0;
  /* an empty operand gives an empty result at once: `'' * 10**18` must not loop 10**18 times */
  if ((s->kind == CFG_STR ? s->slen : s->n) == 0) times = 0;
  if (s->kind == CFG_STR) {
    if (s->slen && (unsigned long long)times > CFGE_MAX_SEQ_LEN / s->slen) return cfge_err(E, e, "string too long");
    strbuf b;
    sb_init(&b);
    for (long long k = 0; k < times; k++) sb_put(&b, s->s, s->slen);
    cfg_value *r = cfgv_str(E->a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  if (s->n && (unsigned long long)times > CFGE_MAX_SEQ_LEN / s->n) return cfge_err(E, e, "sequence too long");
  cfg_value *r = cfgv_seq(E->a, s->kind, s->n * (size_t)times, &p.v);
  for (long long k = 0; k < times; k++)
    for (size_t i = 0; i < s->n; i++) r->items[r->n++] = s->items[i];
  return r;
}

static cfg_value *concat(cfge_ctx *E, cfg_value *x, cfg_value *y, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if ((x->kind == CFG_STR ? x->slen + y->slen : x->n + y->n) > CFGE_MAX_SEQ_LEN)
    return cfge_err(E, e, "%s too long for mmcc", x->kind == CFG_STR ? "string" : "sequence");
  if (x->kind == CFG_STR) {
    strbuf b;
    sb_init(&b);
    sb_put(&b, x->s, x->slen);
    sb_put(&b, y->s, y->slen);
    cfg_value *r = cfgv_str(E->a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  cfg_value *r = cfgv_seq(E->a, x->kind, x->n + y->n, &p.v);
  for (size_t i = 0; i < x->n; i++) r->items[r->n++] = x->items[i];
  for (size_t i = 0; i < y->n; i++) r->items[r->n++] = y->items[i];
  return r;
}

static cfg_value *int_pow(cfge_ctx *E, long long b, long long x, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  long long r = 1;
  while (x > 0) {
    if (x & 1) { if (__builtin_mul_overflow(r, b, &r)) return cfge_overflow(E, e); }
    x >>= 1;
    if (x && __builtin_mul_overflow(b, b, &b)) return cfge_overflow(E, e);
  }
  return cfgv_int(E->a, r, &p.v);
}

cfg_value *cfge_binop(cfge_ctx *E, const char *op, cfg_value *x, cfg_value *y, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_arena *a = E->a;
  if (is_intlike(x) && is_intlike(y)) {
    long long u = x->i, w = y->i, r;
    switch (op[0]) {
      case '+': if (__builtin_add_overflow(u, w, &r)) return cfge_overflow(E, e); return cfgv_int(a, r, &p.v);
      case '-': if (__builtin_sub_overflow(u, w, &r)) return cfge_overflow(E, e); return cfgv_int(a, r, &p.v);
      case '*':
        if (op[1] == '*') {
          if (w < 0) {
            if (u == 0) return cfge_err(E, e, "zero to a negative power");
            return cfgv_float(a, pow((double)u, (double)w), &p.v);
          }
          return int_pow(E, u, w, e);
        }
        if (__builtin_mul_overflow(u, w, &r)) return cfge_overflow(E, e);
        return cfgv_int(a, r, &p.v);
      case '/':
        if (w == 0) return cfge_err(E, e, op[1] ? "integer division or modulo by zero" : "division by zero");
        if (op[1] == '/') {
          if (u == LLONG_MIN && w == -1) return cfge_overflow(E, e);
          long long q = u / w;
          if ((u % w != 0) && ((u < 0) != (w < 0))) q--;
          return cfgv_int(a, q, &p.v);
        }
        return cfgv_float(a, (double)u / (double)w, &p.v);
      case '%': {
        if (w == 0) return cfge_err(E, e, "integer division or modulo by zero");
        if (w == -1) return cfgv_int(a, 0, &p.v);
        long long m = u % w;
        if (m != 0 && ((m < 0) != (w < 0))) m += w;
        return cfgv_int(a, m, &p.v);
      }
      case '&': return x->kind == CFG_BOOL && y->kind == CFG_BOOL ? cfgv_bool(a, (int)(u & w), &p.v) : cfgv_int(a, u & w, &p.v);
      case '|': return x->kind == CFG_BOOL && y->kind == CFG_BOOL ? cfgv_bool(a, (int)(u | w), &p.v) : cfgv_int(a, u | w, &p.v);
      case '^': return x->kind == CFG_BOOL && y->kind == CFG_BOOL ? cfgv_bool(a, (int)(u ^ w), &p.v) : cfgv_int(a, u ^ w, &p.v);
      case '<':
        if (w < 0) return cfge_err(E, e, "negative shift count");
        if (w >= 63 || (u != 0 && (u > (LLONG_MAX >> w) || u < (LLONG_MIN >> w)))) {
          if (u == 0) return cfgv_int(a, 0, &p.v);
          return cfge_overflow(E, e);
        }
        return cfgv_int(a, (long long)((unsigned long long)u << w), &p.v);
      case '>':
        if (w < 0) return cfge_err(E, e, "negative shift count");
        return cfgv_int(a, w >= 63 ? (u < 0 ? -1 : 0) : u >> w, &p.v);
    }
  }
  if (is_num(x) && is_num(y) && strchr("+-*/%", op[0]) && strcmp(op, "@")) {
    double u = as_double(x), w = as_double(y);
    switch (op[0]) {
      case '+': return cfgv_float(a, u + w, &p.v);
      case '-': return cfgv_float(a, u - w, &p.v);
      case '*':
        if (op[1] == '*') {
          if (u == 0 && w < 0) return cfge_err(E, e, "zero to a negative power");
          if (u < 0 && w != floor(w)) return cfge_err(E, e, "negative number to a fractional power (complex result)");
          double r = pow(u, w);
          if (isinf(r) && isfinite(u) && isfinite(w)) return cfge_err(E, e, "float overflow in '**'");
          return cfgv_float(a, r, &p.v);
        }
        return cfgv_float(a, u * w, &p.v);
      case '/':
        if (w == 0) return cfge_err(E, e, op[1] ? "float floor division by zero" : "float division by zero");
        return cfgv_float(a, op[1] ? py_floordiv(u, w) : u / w, &p.v);
      case '%':
        if (w == 0) return cfge_err(E, e, "float modulo by zero");
        return cfgv_float(a, py_fmod(u, w), &p.v);
    }
  }
  if (!strcmp(op, "+")) {
    if ((x->kind == CFG_STR && y->kind == CFG_STR) || (x->kind == CFG_LIST && y->kind == CFG_LIST) ||
        (x->kind == CFG_TUPLE && y->kind == CFG_TUPLE))
      return concat(E, x, y, e);
  }
  if (!strcmp(op, "*")) {
    if ((x->kind == CFG_STR || is_seq(x)) && is_intlike(y)) return repeat(E, x, y->i, e);
    if ((y->kind == CFG_STR || is_seq(y)) && is_intlike(x)) return repeat(E, y, x->i, e);
  }
  if (!strcmp(op, "%") && x->kind == CFG_STR)
    return cfge_err(E, e, "'%%' string formatting is not supported; use f-strings or str.format()");
  if (!strcmp(op, "|") && x->kind == CFG_DICT && y->kind == CFG_DICT) {
    cfg_value *r = cfgv_seq(a, CFG_DICT, x->n + y->n, &p.v);
    for (size_t i = 0; i < x->n; i++) cfgv_dict_set(a, r, x->keys[i], x->items[i]);
    for (size_t i = 0; i < y->n; i++) cfgv_dict_set(a, r, y->keys[i], y->items[i]);
    return r;
  }
  return cfge_err(E, e, "unsupported operand type(s) for %s: '%s' and '%s'", op, cfgv_type_name(x),
             cfgv_type_name(y));
}

/* -1 less, 0 equal, 1 greater; -2 not comparable (error printed) */
int cfge_compare(cfge_ctx *E, const char *op, cfg_value *x, cfg_value *y, const cfg_expr *e, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) { cfge_err(E, e, "comparison nested too deeply"); return -2; }
  if (is_num(x) && is_num(y)) {
    if (is_intlike(x) && is_intlike(y)) return x->i < y->i ? -1 : x->i > y->i;
    double u = as_double(x), w = as_double(y);
    if (isnan(u) || isnan(w)) return 2; /* unordered */
    return u < w ? -1 : u > w;
  }
  if (x->kind == CFG_STR && y->kind == CFG_STR) {
    size_t n = x->slen < y->slen ? x->slen : y->slen;
    int c = memcmp(x->s, y->s, n); /* UTF-8 byte order is code point order */
    if (c) return c < 0 ? -1 : 1;
    return x->slen < y->slen ? -1 : x->slen > y->slen;
  }
  if (x->kind == y->kind && is_seq(x)) {
    for (size_t i = 0; i < x->n && i < y->n; i++) {
      if (cfgv_equal(x->items[i], y->items[i])) continue;
      return cfge_compare(E, op, x->items[i], y->items[i], e, depth + 1);
    }
    return x->n < y->n ? -1 : x->n > y->n;
  }
  cfge_err(E, e, "'%s' not supported between instances of '%s' and '%s'", op, cfgv_type_name(x), cfgv_type_name(y));
  return -2;
}

static int contains(cfge_ctx *E, cfg_value *hay, cfg_value *needle, const cfg_expr *e) {
  switch (hay->kind) {
    case CFG_STR:
      if (needle->kind != CFG_STR) { cfge_err(E, e, "'in <string>' requires string as left operand, not %s", cfgv_type_name(needle)); return -1; }
      if (needle->slen == 0) return 1;
      if (needle->slen > hay->slen) return 0;
      for (size_t i = 0; i + needle->slen <= hay->slen; i++)
        if (!memcmp(hay->s + i, needle->s, needle->slen)) return 1;
      return 0;
    case CFG_LIST: case CFG_TUPLE:
      for (size_t i = 0; i < hay->n; i++)
        if (cfgv_equal(hay->items[i], needle)) return 1;
      return 0;
    case CFG_DICT:
      if (!cfgv_is_hashable(needle)) { cfge_err(E, e, "unhashable type: '%s'", cfgv_type_name(needle)); return -1; }
      return cfgv_dict_find(hay, needle) >= 0;
    default:
      cfge_err(E, e, "argument of type '%s' is not iterable", cfgv_type_name(hay));
      return -1;
  }
}

static int is_same(const cfg_value *x, const cfg_value *y) {
  if (x == y) return 1;
  if (x->kind == CFG_NONE && y->kind == CFG_NONE) return 1;
  if (x->kind == CFG_BOOL && y->kind == CFG_BOOL) return x->i == y->i;
  if (x->kind == CFG_OTHER && y->kind == CFG_OTHER && x->other != OT_METHOD) return cfgv_equal(x, y);
  return 0;
}

/* }====================================================================== */

/* {====================================================================== names */

/* ORDER BUILTINS */
static const char *const BUILTINS[] = {
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len",
    "list", "max", "min", "print", "range", "repr", "reversed", "round", "sorted", "str",
    "sum", "tuple", "zip", NULL};

static cfg_value *lookup(cfge_ctx *E, const char *name, const cfg_expr *e) {
  for (cfge_scope *s = E->sc; s; s = s->up) {
    long i = cfgv_dict_find_str(s->vars, name);
    if (i >= 0) return s->vars->items[i];
  }
  long i = cfgv_dict_find_str(E->globals, name);
  if (i >= 0) return E->globals->items[i];
  for (int k = 0; BUILTINS[k]; k++)
    if (!strcmp(BUILTINS[k], name)) return mk_other(E, OT_BUILTIN, name, e);
  /* exec() without __name__ in globals finds the builtins module's own __name__ */
  if (!strcmp(name, "__name__")) { cfge_pos p = cfge_at(E, e); return cfgv_str(E->a, "builtins", 8, &p.v); }
  if (!strcmp(name, "__file__") || !strcmp(name, "__doc__")) return cfge_err(E, e, "name '%s' is not defined", name);
  static const char *const unsupported[] = {"map", "filter", "getattr", "setattr", "hasattr", "type", "set",
                                            "frozenset", "open", "eval", "exec", "__import__", "globals",
                                            "locals", "vars", "iter", "next", "divmod", "pow", "hex",
                                            "oct", "bin", "chr", "ord", "hash", "id", "callable", "format",
                                            "ascii", "object", "super", "property", "slice", NULL};
  for (int k = 0; unsupported[k]; k++)
    if (!strcmp(unsupported[k], name)) return cfge_err(E, e, "builtin '%s' is not supported by mmcc's config evaluator", name);
  return cfge_err(E, e, "name '%s' is not defined", name);
}

/* }====================================================================== */

/* {====================================================================== expressions */

static cfg_value *get_attr(cfge_ctx *E, cfg_value *v, const char *name, const cfg_expr *e) {
  const char *const *methods = cfge_methods(v);
  if (methods && cfge_in_list(methods, name)) {
    cfg_value *m = mk_other(E, OT_METHOD, name, e);
    m->self = v;
    return m;
  }
  if (v->kind == CFG_DICT && v->cfgdict) {
    long i = cfgv_dict_find_str(v, name);
    if (i >= 0) return v->items[i];
    return cfge_err(E, e, "'ConfigDict' object has no attribute '%s'", name);
  }
  if (v->kind == CFG_OTHER && v->other == OT_MODULE) {
    if (!strcmp(v->s, "copy") && (!strcmp(name, "deepcopy") || !strcmp(name, "copy"))) {
      char full[32];
      snprintf(full, sizeof full, "copy.%s", name);
      return mk_other(E, OT_FUNCTION, full, e);
    }
    char *full = xasprintf("%s.%s", v->s, name);
    cfg_value *r = mk_other(E, OT_IMPORTED, full, e);
    free(full);
    return r;
  }
  if (v->kind == CFG_OTHER && v->other == OT_IMPORTED) {
    char *full = xasprintf("%s.%s", v->s, name);
    cfg_value *r = mk_other(E, OT_IMPORTED, full, e);
    free(full);
    return r;
  }
  if (methods || v->kind == CFG_DICT)
    return cfge_err(E, e, "'%s' object has no attribute '%s'%s", cfgv_type_name(v), name,
               v->kind == CFG_DICT ? " (attribute access works on dicts from _base_ only, as in mmengine)" : "");
  return cfge_err(E, e, "'%s' object has no attribute '%s'", cfgv_type_name(v), name);
}

static int slice_bound(cfge_ctx *E, const cfg_expr *x, long long *out, const cfg_expr *e) {
  if (!x) return 0;
  cfg_value *v = eval(E, x);
  if (!v) return -1;
  if (v->kind == CFG_NONE) return 0;
  if (!is_intlike(v)) { cfge_err(E, e, "slice indices must be integers or None"); return -1; }
  *out = v->i;
  return 1;
}

static cfg_value *do_slice(cfge_ctx *E, cfg_value *v, const cfg_expr *sl, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  long long lo = 0, hi = 0, st = 1;
  int has_lo, has_hi, has_st;
  if ((has_lo = slice_bound(E, sl->a, &lo, e)) < 0 || (has_hi = slice_bound(E, sl->b, &hi, e)) < 0 ||
      (has_st = slice_bound(E, sl->c, &st, e)) < 0)
    return NULL;
  if (!has_st) st = 1;
  if (st == 0) return cfge_err(E, e, "slice step cannot be zero");
  if (!is_seq(v) && v->kind != CFG_STR) return cfge_err(E, e, "'%s' object is not subscriptable", cfgv_type_name(v));
  long long n = v->kind == CFG_STR ? (long long)cfge_u8_len(v->s, v->slen) : (long long)v->n;
  /* PySlice_AdjustIndices */
  if (!has_lo) lo = st < 0 ? n - 1 : 0;
  else { if (lo < 0) { lo += n; if (lo < 0) lo = st < 0 ? -1 : 0; } else if (lo >= n) lo = st < 0 ? n - 1 : n; }
  if (!has_hi) hi = st < 0 ? -1 : n;
  else { if (hi < 0) { hi += n; if (hi < 0) hi = st < 0 ? -1 : 0; } else if (hi >= n) hi = st < 0 ? n - 1 : n; }
  if (v->kind == CFG_STR) {
    strbuf b;
    sb_init(&b);
    size_t *o = u8_starts(v->s, v->slen, (size_t)n);
    for (long long i = lo; st > 0 ? i < hi : i > hi; i += st) sb_put(&b, v->s + o[i], o[i + 1] - o[i]);
    free(o);
    cfg_value *r = cfgv_str(E->a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  cfg_value *r = cfgv_seq(E->a, v->kind, 0, &p.v);
  for (long long i = lo; st > 0 ? i < hi : i > hi; i += st) cfgv_push(E->a, r, v->items[i]);
  return r;
}

static cfg_value *subscript(cfge_ctx *E, cfg_value *v, cfg_value *k, const cfg_expr *e) {
  if (v->kind == CFG_DICT) {
    if (!cfgv_is_hashable(k)) return cfge_err(E, e, "unhashable type: '%s'", cfgv_type_name(k));
    long i = cfgv_dict_find(v, k);
    if (i < 0) return cfge_key_error(E, e, k);
    return v->items[i];
  }
  if (is_seq(v) || v->kind == CFG_STR) {
    size_t i;
    if (cfge_seq_index(E, v, k, &i, e, 0) < 0) return NULL;
    if (v->kind == CFG_STR) {
      cfge_pos p = cfge_at(E, e);
      size_t s0 = cfge_u8_offset(v->s, v->slen, i), s1 = cfge_u8_offset(v->s, v->slen, i + 1);
      return cfgv_str(E->a, v->s + s0, s1 - s0, &p.v);
    }
    return v->items[i];
  }
  return cfge_err(E, e, "'%s' object is not subscriptable", cfgv_type_name(v));
}

/* items of a display with *unpacking */
static cfg_value *eval_items(cfge_ctx *E, cfg_ex_kind kind, cfg_expr **items, int n, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_value *r = cfgv_seq(E->a, kind == EX_LIST ? CFG_LIST : CFG_TUPLE, (size_t)n, &p.v);
  for (int k = 0; k < n; k++) {
    if (items[k]->kind == EX_STARRED) {
      cfg_value *v = eval(E, items[k]->a);
      cfg_value *it = v ? cfge_iterate(E, v, items[k]) : NULL;
      if (!it) return NULL;
      for (size_t i = 0; i < it->n; i++) cfgv_push(E->a, r, it->items[i]);
    } else {
      cfg_value *v = eval(E, items[k]);
      if (!v) return NULL;
      cfgv_push(E->a, r, v);
    }
  }
  return r;
}

static int assign(cfge_ctx *E, const cfg_expr *target, cfg_value *v);

static int comp_loop(cfge_ctx *E, const cfg_expr *c, int g, cfg_value *out) {
  if (g == c->ngens) {
    if (c->kind == EX_DICTCOMP) {
      cfg_value *k = eval(E, c->a);
      cfg_value *v = k ? eval(E, c->b) : NULL;
      if (!v) return -1;
      if (!cfgv_is_hashable(k)) { cfge_err(E, c->a, "unhashable type: '%s'", cfgv_type_name(k)); return -1; }
      cfgv_dict_set(E->a, out, k, v);
    } else {
      cfg_value *v = eval(E, c->a);
      if (!v) return -1;
      if (out->n >= CFGE_MAX_SEQ_LEN) { cfge_err(E, c, "comprehension too long"); return -1; }
      cfgv_push(E->a, out, v);
    }
    return 0;
  }
  const cfg_comp_for *f = &c->gens[g];
  cfg_value *src = eval(E, f->iter);
  cfg_value *items = src ? cfge_iterate(E, src, f->iter) : NULL;
  if (!items) return -1;
  for (size_t i = 0; i < items->n; i++) {
    if (assign(E, f->target, items->items[i]) < 0) return -1;
    int keep = 1;
    for (int k = 0; k < f->nconds && keep; k++) {
      cfg_value *cv = eval(E, f->conds[k]);
      if (!cv) return -1;
      keep = cfgv_truthy(cv);
    }
    if (keep && comp_loop(E, c, g + 1, out) < 0) return -1;
  }
  return 0;
}

static cfg_value *eval_comp(cfge_ctx *E, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if (e->kind == EX_SETCOMP) return cfge_err(E, e, "set comprehensions are not supported (sets are not JSON values)");
  cfge_scope sc = {E->sc, cfgv_seq(E->a, CFG_DICT, 0, &p.v)};
  E->sc = &sc;
  cfg_value *out = cfgv_seq(E->a, e->kind == EX_DICTCOMP ? CFG_DICT : CFG_LIST, 0, &p.v);
  int r = comp_loop(E, e, 0, out);
  E->sc = sc.up;
  return r < 0 ? NULL : out;
}

static cfg_value *eval_call(cfge_ctx *E, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_value *fn = eval(E, e->a);
  if (!fn) return NULL;
  cfge_args A = {0};
  A.pos = cfg_arena_alloc(E->a, ((size_t)e->n + 1) * sizeof *A.pos);
  size_t cap = (size_t)e->n + 1;
  for (int k = 0; k < e->n; k++) {
    const char *name = e->ops[k];
    cfg_value *v = eval(E, e->items[k]);
    if (!v) return NULL;
    if (!name) {
      if (A.npos == cap) {
        cfg_value **np = cfg_arena_alloc(E->a, cap * 2 * sizeof *np);
        memcpy(np, A.pos, A.npos * sizeof *np);
        A.pos = np;
        cap *= 2;
      }
      A.pos[A.npos++] = v;
    } else if (!strcmp(name, "*")) {
      cfg_value *it = cfge_iterate(E, v, e->items[k]);
      if (!it) return NULL;
      cfg_value **np = cfg_arena_alloc(E->a, (A.npos + it->n + cap) * sizeof *np);
      if (A.npos) memcpy(np, A.pos, A.npos * sizeof *np);
      if (it->n) memcpy(np + A.npos, it->items, it->n * sizeof *np);  /* f(*()): items NULL */
      A.pos = np;
      A.npos += it->n;
      cap = A.npos + cap;
    } else {
      if (!A.kw) A.kw = cfgv_seq(E->a, CFG_DICT, 0, &p.v);
      if (!strcmp(name, "**")) {
        if (v->kind != CFG_DICT) return cfge_err(E, e->items[k], "argument after ** must be a mapping, not %s", cfgv_type_name(v));
        for (size_t i = 0; i < v->n; i++) {
          if (v->keys[i]->kind != CFG_STR) return cfge_err(E, e->items[k], "keywords must be strings");
          if (cfgv_dict_find(A.kw, v->keys[i]) >= 0)
            return cfge_err(E, e->items[k], "got multiple values for keyword argument '%s'", v->keys[i]->s);
          cfgv_dict_set(E->a, A.kw, v->keys[i], v->items[i]);
        }
      } else {
        if (cfgv_dict_find_str(A.kw, name) >= 0) return cfge_err(E, e->items[k], "keyword argument repeated: %s", name);
        cfgv_dict_set_str(E->a, A.kw, name, v);
      }
    }
  }
  return cfge_call(E, fn, &A, e);
}

static cfg_value *eval_fstring(cfge_ctx *E, const cfg_expr *e) {
  strbuf b;
  sb_init(&b);
  for (int k = 0; k < e->n; k++) {
    const cfg_expr *part = e->items[k];
    if (part->kind == EX_STR) { sb_put(&b, part->str, part->len); continue; }
    cfg_value *v = eval(E, part->a);
    if (!v) { sb_free(&b); return NULL; }
    if (part->str[0]) {
      strbuf c;
      sb_init(&c);
      cfge_convert(&c, v, part->str[0]);
      if (!(v = cfge_str_of(E, &c, part))) { sb_free(&b); return NULL; }
    }
    const char *spec = "";
    if (part->b) {
      cfg_value *sv = eval_fstring(E, part->b);
      if (!sv) { sb_free(&b); return NULL; }
      spec = sv->s;
    }
    if (cfge_format(E, &b, v, spec, part) < 0) { sb_free(&b); return NULL; }
  }
  return cfge_str_of(E, &b, e);
}

static cfg_value *eval_inner(cfge_ctx *E, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_arena *a = E->a;
  switch (e->kind) {
    case EX_INT: return cfgv_int(a, e->i, &p.v);
    case EX_FLOAT: return cfgv_float(a, e->f, &p.v);
    case EX_STR: return cfgv_str(a, e->str, e->len, &p.v);
    case EX_NONE: return cfgv_none(a, &p.v);
    case EX_TRUE: return cfgv_bool(a, 1, &p.v);
    case EX_FALSE: return cfgv_bool(a, 0, &p.v);
    case EX_ELLIPSIS: return cfge_err(E, e, "Ellipsis is not supported");
    case EX_NAME: return lookup(E, e->str, e);
    case EX_ATTR: {
      cfg_value *v = eval(E, e->a);
      return v ? get_attr(E, v, e->str, e) : NULL;
    }
    case EX_SUBSCRIPT: {
      cfg_value *v = eval(E, e->a);
      if (!v) return NULL;
      if (e->b->kind == EX_SLICE) return do_slice(E, v, e->b, e);
      cfg_value *k = eval(E, e->b);
      return k ? subscript(E, v, k, e) : NULL;
    }
    case EX_SLICE: return cfge_err(E, e, "slice outside of a subscript");
    case EX_CALL: return eval_call(E, e);
    case EX_LIST: case EX_TUPLE: return eval_items(E, e->kind, e->items, e->n, e);
    case EX_SET: return cfge_err(E, e, "sets are not supported (not JSON values)");
    case EX_DICT: {
      cfg_value *d = cfgv_seq(a, CFG_DICT, (size_t)e->n, &p.v);
      for (int k = 0; k < e->n; k++) {
        if (!e->items[k]) {
          cfg_value *m = eval(E, e->vals[k]);
          if (!m) return NULL;
          if (m->kind != CFG_DICT) return cfge_err(E, e->vals[k], "'%s' object is not a mapping", cfgv_type_name(m));
          for (size_t i = 0; i < m->n; i++) cfgv_dict_set(a, d, m->keys[i], m->items[i]);
          continue;
        }
        cfg_value *key = eval(E, e->items[k]);
        cfg_value *val = key ? eval(E, e->vals[k]) : NULL;
        if (!val) return NULL;
        if (!cfgv_is_hashable(key)) return cfge_err(E, e->items[k], "unhashable type: '%s'", cfgv_type_name(key));
        cfgv_dict_set(a, d, key, val);
      }
      return d;
    }
    case EX_LISTCOMP: case EX_SETCOMP: case EX_GENEXP: case EX_DICTCOMP: return eval_comp(E, e);
    case EX_BINOP: {
      cfg_value *x = eval(E, e->a);
      cfg_value *y = x ? eval(E, e->b) : NULL;
      return y ? cfge_binop(E, e->str, x, y, e) : NULL;
    }
    case EX_UNARY: {
      if (!strcmp(e->str, "await")) return cfge_err(E, e, "'await' is not supported in a config file");
      cfg_value *x = eval(E, e->a);
      if (!x) return NULL;
      if (!strcmp(e->str, "not")) return cfgv_bool(a, !cfgv_truthy(x), &p.v);
      if (e->str[0] == '-') {
        if (is_intlike(x)) { if (x->i == LLONG_MIN) return cfge_overflow(E, e); return cfgv_int(a, -x->i, &p.v); }
        if (x->kind == CFG_FLOAT) return cfgv_float(a, -x->f, &p.v);
      } else if (e->str[0] == '+') {
        if (is_intlike(x)) return cfgv_int(a, x->i, &p.v);
        if (x->kind == CFG_FLOAT) return cfgv_float(a, x->f, &p.v);
      } else if (is_intlike(x)) {
        return cfgv_int(a, ~x->i, &p.v);
      }
      return cfge_err(E, e, "bad operand type for unary %s: '%s'", e->str, cfgv_type_name(x));
    }
    case EX_BOOLOP: {
      int is_and = e->str[0] == 'a';
      cfg_value *v = NULL;
      for (int k = 0; k < e->n; k++) {
        if (!(v = eval(E, e->items[k]))) return NULL;
        if (cfgv_truthy(v) != is_and) return v;
      }
      return v;
    }
    case EX_COMPARE: {
      cfg_value *x = eval(E, e->items[0]);
      if (!x) return NULL;
      for (int k = 1; k < e->n; k++) {
        cfg_value *y = eval(E, e->items[k]);
        if (!y) return NULL;
        const char *op = e->ops[k - 1];
        int r;
        if (!strcmp(op, "==")) r = cfgv_equal(x, y);
        else if (!strcmp(op, "!=")) r = !cfgv_equal(x, y);
        else if (!strcmp(op, "is")) r = is_same(x, y);
        else if (!strcmp(op, "is not")) r = !is_same(x, y);
        else if (!strcmp(op, "in") || !strcmp(op, "not in")) {
          r = contains(E, y, x, e);
          if (r < 0) return NULL;
          if (op[0] == 'n') r = !r;
        } else {
          int c = cfge_compare(E, op, x, y, e, 0);
          if (c == -2) return NULL;
          if (c == 2) r = 0;
          else if (!strcmp(op, "<")) r = c < 0;
          else if (!strcmp(op, "<=")) r = c <= 0;
          else if (!strcmp(op, ">")) r = c > 0;
          else r = c >= 0;
        }
        if (!r) return cfgv_bool(a, 0, &p.v);
        x = y;
      }
      return cfgv_bool(a, 1, &p.v);
    }
    case EX_IFEXP: {
      cfg_value *c = eval(E, e->a);
      if (!c) return NULL;
      return eval(E, cfgv_truthy(c) ? e->b : e->c);
    }
    case EX_FSTRING: return eval_fstring(E, e);
    case EX_FIELD: return cfge_err(E, e, "internal: f-string field outside an f-string");
    case EX_STARRED: return cfge_err(E, e, "can't use starred expression here");
    case EX_LAMBDA: return cfge_err(E, e, "lambda is not supported in a config file (mmengine drops functions)");
  }
  return cfge_err(E, e, "internal: unknown expression");
}

static cfg_value *eval(cfge_ctx *E, const cfg_expr *e) {
  if (++E->depth > MAX_EVAL_DEPTH) {
    E->depth--;
    return cfge_err(E, e, "expression nested too deeply");
  }
  /* checked at every expression, so a loop that keeps building stops at its next step */
  if (cfg_arena_bytes(E->a) > CFGE_MAX_ARENA_BYTES) {
    E->depth--;
    return cfge_err(E, e, "the config takes more than %zu MiB to evaluate (strings or lists "
                    "built over and over?)", CFGE_MAX_ARENA_BYTES >> 20);
  }
  cfg_value *v = eval_inner(E, e);
  E->depth--;
  return v;
}

/* }====================================================================== */

/* {====================================================================== statements */

static int bind_name(cfge_ctx *E, const char *name, cfg_value *v) {
  cfg_value *vars = E->sc ? E->sc->vars : E->globals;
  cfge_pos p;
  memset(&p, 0, sizeof p);
  p.v.file = v->file;
  p.v.line = v->line;
  p.v.col = v->col;
  long i = cfgv_dict_find_str(vars, name);
  if (i >= 0) vars->items[i] = v;
  else cfgv_dict_set(E->a, vars, cfgv_str(E->a, name, strlen(name), &p.v), v);
  return 0;
}

/* OBJ[KEY] = V, for assignment and augmented assignment (KEY already checked hashable). */
static int store_item(cfge_ctx *E, cfg_value *obj, cfg_value *key, cfg_value *v,
                      const cfg_expr *t) {
  if (obj->kind == CFG_DICT) {
    cfg_value *s = cfge_store(E, obj, v, t);
    if (!s) return -1;
    cfgv_dict_set(E->a, obj, key, s);
    return 0;
  }
  if (obj->kind == CFG_LIST) {
    size_t i;
    if (cfge_seq_index(E, obj, key, &i, t, 0) < 0) return -1;
    obj->items[i] = v;
    return 0;
  }
  cfge_err(E, t, "'%s' object does not support item assignment", cfgv_type_name(obj));
  return -1;
}

static int assign(cfge_ctx *E, const cfg_expr *t, cfg_value *v) {
  switch (t->kind) {
    case EX_NAME: return bind_name(E, t->str, v);
    case EX_ATTR: {
      cfg_value *obj = eval(E, t->a);
      if (!obj) return -1;
      if (obj->kind == CFG_DICT && obj->cfgdict) {
        cfg_value *s = cfge_store(E, obj, v, t);
        if (!s) return -1;
        cfgv_dict_set_str(E->a, obj, t->str, s);
        return 0;
      }
      cfge_err(E, t, "'%s' object has no attribute '%s'%s", cfgv_type_name(obj), t->str,
          obj->kind == CFG_DICT ? " (attribute assignment works on dicts from _base_ only, as in mmengine)" : "");
      return -1;
    }
    case EX_SUBSCRIPT: {
      cfg_value *obj = eval(E, t->a);
      if (!obj) return -1;
      if (t->b->kind == EX_SLICE) { cfge_err(E, t, "slice assignment is not supported"); return -1; }
      cfg_value *k = eval(E, t->b);
      if (!k) return -1;
      if (obj->kind == CFG_DICT && !cfgv_is_hashable(k)) {
        cfge_err(E, t->b, "unhashable type: '%s'", cfgv_type_name(k));
        return -1;
      }
      return store_item(E, obj, k, v, t);
    }
    case EX_TUPLE: case EX_LIST: {
      cfg_value *items = cfge_iterate(E, v, t);
      if (!items) return -1;
      for (int k = 0; k < t->n; k++)
        if (t->items[k]->kind == EX_STARRED) { cfge_err(E, t->items[k], "starred assignment is not supported"); return -1; }
      if (items->n != (size_t)t->n) {
        cfge_err(E, t, items->n > (size_t)t->n ? "too many values to unpack (expected %d)" : "not enough values to unpack (expected %d)", t->n);
        return -1;
      }
      for (int k = 0; k < t->n; k++)
        if (assign(E, t->items[k], items->items[k]) < 0) return -1;
      return 0;
    }
    default:
      cfge_err(E, t, "cannot assign to this expression");
      return -1;
  }
}

static int aug_assign(cfge_ctx *E, const cfg_stmt *s) {
  const cfg_expr *t = s->targets[0];
  cfg_value *obj = NULL, *key = NULL, *cur;
  if (t->kind == EX_NAME) {
    if (!(cur = lookup(E, t->str, t))) return -1;
  } else if (t->kind == EX_ATTR) {
    if (!(obj = eval(E, t->a)) || !(cur = get_attr(E, obj, t->str, t))) return -1;
  } else {
    if (t->b->kind == EX_SLICE) { cfge_err(E, t, "slice assignment is not supported"); return -1; }
    if (!(obj = eval(E, t->a)) || !(key = eval(E, t->b)) || !(cur = subscript(E, obj, key, t))) return -1;
  }
  cfg_value *rhs = eval(E, s->value);
  if (!rhs) return -1;
  cfg_value *res;
  if (cur->kind == CFG_LIST && !strcmp(s->op, "+")) {
    /* list += iterable extends in place: every alias sees it */
    cfg_value *items = cfge_iterate(E, rhs, s->value);
    if (!items) return -1;
    for (size_t i = 0; i < items->n; i++) cfgv_push(E->a, cur, items->items[i]);
    res = cur;
  } else if (cur->kind == CFG_LIST && !strcmp(s->op, "*") && is_intlike(rhs)) {
    cfg_value *r = repeat(E, cur, rhs->i, s->value);
    if (!r) return -1;
    cur->items = r->items;
    cur->n = r->n;
    cur->cap = r->cap;
    res = cur;
  } else if (cur->kind == CFG_DICT && !strcmp(s->op, "|") && rhs->kind == CFG_DICT) {
    for (size_t i = 0; i < rhs->n; i++) cfgv_dict_set(E->a, cur, rhs->keys[i], rhs->items[i]);
    res = cur;
  } else {
    cfg_expr where = *t;
    if (!(res = cfge_binop(E, s->op, cur, rhs, &where))) return -1;
  }
  if (t->kind == EX_NAME) return bind_name(E, t->str, res);
  if (t->kind == EX_ATTR) {
    if (!(obj->kind == CFG_DICT && obj->cfgdict)) {
      cfge_err(E, t, "'%s' object has no attribute '%s'", cfgv_type_name(obj), t->str);
      return -1;
    }
    cfg_value *sv = cfge_store(E, obj, res, t);
    if (!sv) return -1;
    cfgv_dict_set_str(E->a, obj, t->str, sv);
    return 0;
  }
  return store_item(E, obj, key, res, t);
}

static int exec_block(cfge_ctx *E, cfg_stmt **stmts, int n);

static int is_base_assign(const cfg_stmt *s) {
  return s->kind == ST_ASSIGN && s->targets[0]->kind == EX_NAME && !strcmp(s->targets[0]->str, "_base_");
}

static int exec_stmt(cfge_ctx *E, const cfg_stmt *s) {
  cfg_expr here;
  memset(&here, 0, sizeof here);
  here.line = s->line;
  here.col = s->col;
  switch (s->kind) {
    case ST_PASS: return 0;
    case ST_EXPR: return eval(E, s->value) ? 0 : -1;
    case ST_ASSIGN: {
      if (E->skip_base && is_base_assign(s)) return 0;
      cfg_value *v = eval(E, s->value);
      if (!v) return -1;
      for (int k = 0; k < s->ntargets; k++)
        if (assign(E, s->targets[k], v) < 0) return -1;
      return 0;
    }
    case ST_AUGASSIGN: return aug_assign(E, s);
    case ST_IMPORT:
      for (int k = 0; k < s->nnames; k++) {
        const char *full = s->names[k];
        if (s->asnames[k]) {
          if (!strcmp(full, "copy")) bind_name(E, s->asnames[k], mk_other(E, OT_MODULE, "copy", &here));
          else bind_name(E, s->asnames[k], mk_other(E, OT_MODULE, full, &here));
        } else {
          size_t n = strcspn(full, ".");
          char *top = cfg_arena_strndup(E->a, full, n);
          bind_name(E, top, mk_other(E, OT_MODULE, top, &here));
        }
      }
      return 0;
    case ST_FROM:
      for (int k = 0; k < s->nnames; k++) {
        if (!strcmp(s->names[k], "*")) {
          cfge_err(E, &here, "'from %s import *' is not supported", s->module);
          return -1;
        }
        const char *bound = s->asnames[k] ? s->asnames[k] : s->names[k];
        char *full = xasprintf("%s.%s", s->module, s->names[k]);
        cfg_other_kind kind = !strcmp(s->module, "copy") && (!strcmp(s->names[k], "deepcopy") || !strcmp(s->names[k], "copy"))
                                  ? OT_FUNCTION : OT_IMPORTED;
        bind_name(E, bound, mk_other(E, kind, full, &here));
        free(full);
      }
      return 0;
    case ST_IF: {
      cfg_value *c = eval(E, s->value);
      if (!c) return -1;
      if (cfgv_truthy(c)) return exec_block(E, s->body, s->nbody);
      return exec_block(E, s->orelse, s->norelse);
    }
    case ST_UNSUPPORTED:
      cfge_err(E, &here, "%s is not supported in a config file (mmcc evaluates the Python subset mmengine configs use)", s->what);
      return -1;
  }
  return 0;
}

static int exec_block(cfge_ctx *E, cfg_stmt **stmts, int n) {
  for (int k = 0; k < n; k++)
    if (exec_stmt(E, stmts[k]) < 0) return -1;
  return 0;
}

int cfg_eval_module(cfg_arena *a, const char *file, const cfg_module *m, cfg_value *globals,
                    int skip_base_assign) {
  cfge_ctx E;
  memset(&E, 0, sizeof E);
  E.a = a;
  E.file = file;
  E.globals = globals;
  E.skip_base = skip_base_assign;
  return exec_block(&E, m->stmts, m->n);
}

cfg_value *cfg_eval_expr(cfg_arena *a, const char *file, const cfg_expr *e) {
  cfge_ctx E;
  memset(&E, 0, sizeof E);
  E.a = a;
  E.file = file;
  E.globals = cfgv_seq(a, CFG_DICT, 0, NULL);
  return eval(&E, e);
}

/* }====================================================================== */

