/* cfg_builtin.c: the builtins (len, round, dict, sorted, ...), the methods of str, dict and
 * list, and Python's format-spec mini-language (f-strings, str.format), for the config
 * evaluator (cfg_eval.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_eval_impl.h"


/* {====================================================================== formatting */

/* format(v, spec): Python's format-spec mini-language for str, int, float. */
int cfge_format(cfge_ctx *E, strbuf *out, cfg_value *v, const char *spec, const cfg_expr *e) {
  if (!*spec) {
    cfgv_tostr(out, v);
    return 0;
  }
  const char *s = spec;
  char fill = ' ', align = 0, sign = '-', type = 0;
  int alt = 0, zero = 0, width = -1, prec = -1;
  char grouping = 0;
  if (s[0] && (s[1] == '<' || s[1] == '>' || s[1] == '^' || s[1] == '=')) { fill = s[0]; align = s[1]; s += 2; }
  else if (s[0] == '<' || s[0] == '>' || s[0] == '^' || s[0] == '=') { align = s[0]; s++; }
  if (*s == '+' || *s == '-' || *s == ' ') sign = *s++;
  if (*s == '#') { alt = 1; s++; }
  if (*s == '0') { zero = 1; s++; }
  if (*s >= '0' && *s <= '9') { width = 0; while (*s >= '0' && *s <= '9' && width < 10000) width = width * 10 + (*s++ - '0'); }
  if (*s == ',' || *s == '_') grouping = *s++;
  if (*s == '.') {
    s++;
    if (!(*s >= '0' && *s <= '9')) { cfge_err(E, e, "format specifier missing precision"); return -1; }
    prec = 0;
    while (*s >= '0' && *s <= '9' && prec < 1000) prec = prec * 10 + (*s++ - '0');
  }
  if (*s) type = *s++;
  if (*s) { cfge_err(E, e, "invalid format specifier '%s'", spec); return -1; }
  if (zero && !align) { fill = '0'; align = '='; }
  strbuf body;
  sb_init(&body);
  char signch = 0;
  int numeric = 0;
  if (!is_num(v) && v->kind != CFG_STR) {
    cfge_err(E, e, "unsupported format string passed to %s.__format__", cfgv_type_name(v));
    sb_free(&body);
    return -1;
  }
  if (v->kind == CFG_STR) {
    if (type && type != 's') { cfge_err(E, e, "unknown format code '%c' for object of type 'str'", type); sb_free(&body); return -1; }
    size_t n = v->slen;
    if (prec >= 0) n = cfge_u8_offset(v->s, v->slen, (size_t)prec);
    sb_put(&body, v->s, n);
    if (!align) align = '<';
  } else if (is_num(v)) {
    numeric = 1;
    if (!align) align = '>';
    int as_int = is_intlike(v) && (!type || strchr("dbxXoc n", type));
    if (as_int) {
      if (prec >= 0) { cfge_err(E, e, "precision not allowed in integer format specifier"); sb_free(&body); return -1; }
      long long x = v->i;
      unsigned long long m = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
      if (x < 0) signch = '-';
      else if (sign == '+') signch = '+';
      else if (sign == ' ') signch = ' ';
      char digits[80];
      int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
      if (type == 'c') { sb_free(&body); cfge_err(E, e, "format code 'c' is not supported"); return -1; }
      int nd = 0;
      do { int dgt = (int)(m % (unsigned)base); digits[nd++] = (char)(dgt < 10 ? '0' + dgt : (type == 'X' ? 'A' : 'a') + dgt - 10); m /= (unsigned)base; } while (m);
      if (alt && base != 10) { sb_putc(&body, '0'); sb_putc(&body, base == 2 ? 'b' : base == 8 ? 'o' : (type == 'X' ? 'X' : 'x')); }
      for (int k = nd - 1; k >= 0; k--) {
        sb_putc(&body, digits[k]);
        if (grouping && k > 0 && k % (base == 10 ? 3 : 4) == 0) sb_putc(&body, grouping);
      }
    } else {
      double x = as_double(v);
      if (signbit(x) && !isnan(x)) { signch = '-'; x = -x; }
      else if (sign == '+') signch = '+';
      else if (sign == ' ') signch = ' ';
      char buf[512];
      char t = type;
      if (t == 'n') t = 'g';
      if (!isfinite(x)) {
        snprintf(buf, sizeof buf, "%s", isnan(x) ? "nan" : "inf");
        if (t == 'E' || t == 'F' || t == 'G') for (char *q = buf; *q; q++) *q = (char)(*q - 32);
      } else if (t == '%') {
        snprintf(buf, sizeof buf, "%.*f%%", prec < 0 ? 6 : prec, x * 100);
      } else if (t == 'f' || t == 'F' || t == 'e' || t == 'E') {
        char f[8];
        snprintf(f, sizeof f, "%%%s.*%c", alt ? "#" : "", t);
        snprintf(buf, sizeof buf, f, prec < 0 ? 6 : prec, x);
      } else if (t == 'g' || t == 'G') {
        char f[8];
        snprintf(f, sizeof f, "%%%s.*%c", alt ? "#" : "", t);
        snprintf(buf, sizeof buf, f, prec < 0 ? 6 : (prec == 0 ? 1 : prec), x);
      } else if (!t && prec < 0) {
        fmt_py_float(buf, x);
      } else if (!t) {
        snprintf(buf, sizeof buf, "%.*g", prec == 0 ? 1 : prec, x);
        if (!strpbrk(buf, ".e")) strcat(buf, ".0");
      } else {
        cfge_err(E, e, "unknown format code '%c' for object of type '%s'", type, cfgv_type_name(v));
        sb_free(&body);
        return -1;
      }
      if (grouping) {
        /* insert separators in the integer part */
        char *dot = buf;
        while (*dot >= '0' && *dot <= '9') dot++;
        size_t ni = (size_t)(dot - buf);
        for (size_t k = 0; k < ni; k++) {
          sb_putc(&body, buf[k]);
          if ((ni - k - 1) % 3 == 0 && k + 1 < ni) sb_putc(&body, grouping);
        }
        sb_puts(&body, dot);
      } else {
        sb_puts(&body, buf);
      }
    }
  }
  size_t len = cfge_u8_len(body.s ? body.s : "", body.len) + (signch ? 1 : 0);
  size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
  size_t left = align == '<' ? 0 : align == '^' ? pad / 2 : pad;
  if (align == '=' && numeric) {
    if (signch) sb_putc(out, signch);
    for (size_t k = 0; k < pad; k++) sb_putc(out, fill);
    sb_put(out, body.s ? body.s : "", body.len);
  } else {
    for (size_t k = 0; k < left; k++) sb_putc(out, fill);
    if (signch) sb_putc(out, signch);
    sb_put(out, body.s ? body.s : "", body.len);
    for (size_t k = left; k < pad; k++) sb_putc(out, fill);
  }
  sb_free(&body);
  return 0;
}

int cfge_convert(strbuf *out, cfg_value *v, char conv) {
  if (conv == 'r' || conv == 'a') cfgv_repr(out, v);
  else cfgv_tostr(out, v);
  return 0;
}

/* }====================================================================== */

/* {====================================================================== calls */


static cfg_value *cfge_kwarg(cfge_args *A, const char *name) {
  if (!A->kw) return NULL;
  long i = cfgv_dict_find_str(A->kw, name);
  return i < 0 ? NULL : A->kw->items[i];
}

static int no_kwargs(cfge_ctx *E, cfge_args *A, const char *fn, const cfg_expr *e) {
  if (A->kw && A->kw->n) {
    cfge_err(E, e, "%s() takes no keyword argument '%s'", fn, A->kw->keys[0]->s);
    return -1;
  }
  return 0;
}

/* only the keyword names in allowed (NULL-terminated) */
static int only_kwargs(cfge_ctx *E, cfge_args *A, const char *fn, const char *const *allowed, const cfg_expr *e) {
  if (!A->kw) return 0;
  for (size_t i = 0; i < A->kw->n; i++) {
    int ok = 0;
    for (int k = 0; allowed[k]; k++) if (!strcmp(allowed[k], A->kw->keys[i]->s)) ok = 1;
    if (!ok) { cfge_err(E, e, "%s() got an unexpected keyword argument '%s'", fn, A->kw->keys[i]->s); return -1; }
  }
  return 0;
}

static int nargs(cfge_ctx *E, cfge_args *A, const char *fn, size_t lo, size_t hi, const cfg_expr *e) {
  if (A->npos < lo || A->npos > hi) {
    if (lo == hi) cfge_err(E, e, "%s() takes exactly %zu argument%s (%zu given)", fn, lo, lo == 1 ? "" : "s", A->npos);
    else cfge_err(E, e, "%s() takes from %zu to %zu arguments (%zu given)", fn, lo, hi, A->npos);
    return -1;
  }
  return 0;
}

static cfg_value *round_value(cfge_ctx *E, cfg_value *x, cfg_value *nd, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if (!is_num(x)) return cfge_err(E, e, "type %s doesn't define __round__ method", cfgv_type_name(x));
  if (nd && nd->kind != CFG_NONE && !is_intlike(nd))
    return cfge_err(E, e, "'%s' object cannot be interpreted as an integer", cfgv_type_name(nd));
  int has_nd = nd && nd->kind != CFG_NONE;
  if (is_intlike(x)) {
    if (!has_nd || nd->i >= 0) return cfgv_int(E->a, x->i, &p.v);
    if (nd->i < -18) return cfgv_int(E->a, 0, &p.v);
    long long pw = 1;
    for (long long k = 0; k < -nd->i; k++) pw *= 10;
    long long q = x->i / pw, r = x->i % pw;
    if (r < 0) { r += pw; q--; }
    if (2 * r > pw || (2 * r == pw && (q & 1))) q++;
    long long out;
    if (__builtin_mul_overflow(q, pw, &out)) return cfge_overflow(E, e);
    return cfgv_int(E->a, out, &p.v);
  }
  double f = x->f;
  if (!has_nd) {
    if (!isfinite(f)) return cfge_err(E, e, "cannot convert float %s to integer", isnan(f) ? "NaN" : "infinity");
    double r = nearbyint(f); /* default rounding mode: half to even, as Python */
    if (fabs(r) >= 9.2233720368547758e18) return cfge_overflow(E, e);
    return cfgv_int(E->a, (long long)r, &p.v);
  }
  if (!isfinite(f) || f == 0) return cfgv_float(E->a, f, &p.v);
  long long n = nd->i;
  if (n > 323) return cfgv_float(E->a, f, &p.v);
  if (n < -308) return cfgv_float(E->a, copysign(0.0, f), &p.v);
  if (n >= 0) {
    /* printf rounds the exact binary value correctly (half-even on exact ties), as
     * Python's round() does through _Py_dg_dtoa */
    char buf[512];
    snprintf(buf, sizeof buf, "%.*f", (int)n, f);
    return cfgv_float(E->a, strtod(buf, NULL), &p.v);
  }
  double pw = pow(10.0, (double)-n);
  double y = f / pw, z = nearbyint(y);
  if (fabs(y - z) == 0.5) z = 2.0 * nearbyint(y / 2.0);
  return cfgv_float(E->a, z * pw, &p.v);
}

static cfg_value *to_int(cfge_ctx *E, cfg_value *x, cfg_value *base, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if (base && x->kind != CFG_STR) return cfge_err(E, e, "int() can't convert non-string with explicit base");
  if (is_intlike(x)) return cfgv_int(E->a, x->i, &p.v);
  if (x->kind == CFG_FLOAT) {
    if (!isfinite(x->f)) return cfge_err(E, e, "cannot convert float %s to integer", isnan(x->f) ? "NaN" : "infinity");
    double t = trunc(x->f);
    if (fabs(t) >= 9.2233720368547758e18) return cfge_overflow(E, e);
    return cfgv_int(E->a, (long long)t, &p.v);
  }
  if (x->kind == CFG_STR) {
    int b = 10;
    if (base) {
      if (!is_intlike(base)) return cfge_err(E, e, "int() base must be an integer");
      b = (int)base->i;
    }
    char *clean = cfg_arena_alloc(E->a, x->slen + 1);
    size_t k = 0;
    const char *s = x->s;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    for (; *s; s++) if (*s != '_') clean[k++] = *s;
    while (k && (clean[k - 1] == ' ' || clean[k - 1] == '\t' || clean[k - 1] == '\n')) k--;
    clean[k] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(clean, &end, b);
    if (!k || *end || errno) {
      if (errno == ERANGE) return cfge_overflow(E, e);
      strbuf r;
      sb_init(&r);
      cfgv_repr(&r, x);
      cfg_value *res = cfge_err(E, e, "invalid literal for int() with base %d: %s", b, r.s);
      sb_free(&r);
      return res;
    }
    return cfgv_int(E->a, v, &p.v);
  }
  return cfge_err(E, e, "int() argument must be a string or a number, not '%s'", cfgv_type_name(x));
}

static cfg_value *to_float(cfge_ctx *E, cfg_value *x, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if (is_num(x)) return cfgv_float(E->a, as_double(x), &p.v);
  if (x->kind == CFG_STR) {
    const char *s = x->s;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    char *clean = cfg_arena_alloc(E->a, x->slen + 1);
    size_t k = 0;
    for (; *s; s++) if (*s != '_') clean[k++] = *s;
    while (k && (clean[k - 1] == ' ' || clean[k - 1] == '\t' || clean[k - 1] == '\n')) k--;
    clean[k] = 0;
    char *end;
    double v = strtod(clean, &end);
    /* strtod also reads hex floats and "infinity"; Python's float() reads the latter too */
    if (!k || *end || strpbrk(clean, "xX")) {
      strbuf r;
      sb_init(&r);
      cfgv_repr(&r, x);
      cfg_value *res = cfge_err(E, e, "could not convert string to float: %s", r.s);
      sb_free(&r);
      return res;
    }
    return cfgv_float(E->a, v, &p.v);
  }
  return cfge_err(E, e, "float() argument must be a string or a number, not '%s'", cfgv_type_name(x));
}

static int type_matches(cfg_value *x, const char *t) {
  if (!strcmp(t, "int")) return is_intlike(x);
  if (!strcmp(t, "bool")) return x->kind == CFG_BOOL;
  if (!strcmp(t, "float")) return x->kind == CFG_FLOAT;
  if (!strcmp(t, "str")) return x->kind == CFG_STR;
  if (!strcmp(t, "list")) return x->kind == CFG_LIST;
  if (!strcmp(t, "tuple")) return x->kind == CFG_TUPLE;
  if (!strcmp(t, "dict")) return x->kind == CFG_DICT;
  return -1;
}

static cfg_value *minmax(cfge_ctx *E, cfge_args *A, int want_max, const cfg_expr *e) {
  const char *fn = want_max ? "max" : "min";
  static const char *const allowed[] = {"default", NULL};
  if (only_kwargs(E, A, fn, allowed, e) < 0) return NULL;
  if (A->npos == 0) return cfge_err(E, e, "%s expected at least 1 argument, got 0", fn);
  cfg_value *items;
  if (A->npos == 1) {
    if (!(items = cfge_iterate(E, A->pos[0], e))) return NULL;
  } else {
    cfge_pos p = cfge_at(E, e);
    items = cfgv_seq(E->a, CFG_LIST, A->npos, &p.v);
    for (size_t i = 0; i < A->npos; i++) items->items[i] = A->pos[i];
    items->n = A->npos;
  }
  if (items->n == 0) {
    cfg_value *d = cfge_kwarg(A, "default");
    if (d) return d;
    return cfge_err(E, e, "%s() arg is an empty sequence", fn);
  }
  cfg_value *best = items->items[0];
  for (size_t i = 1; i < items->n; i++) {
    int c = cfge_compare(E, want_max ? ">" : "<", items->items[i], best, e, 0);
    if (c == -2) return NULL;
    if ((want_max && c == 1) || (!want_max && c == -1)) best = items->items[i];
  }
  return best;
}

static void reverse_values(cfg_value **v, size_t n) {
  for (size_t i = 0; i < n / 2; i++) {
    cfg_value *t = v[i];
    v[i] = v[n - 1 - i];
    v[n - 1 - i] = t;
  }
}

static void reverse_items(cfg_value *seq) { reverse_values(seq->items, seq->n); }

/* Stable sort by "<". REVERSE as CPython's list.sort (listobject.c): reverse, sort, reverse
 * again, so that equal elements keep their original order (sorting then reversing would
 * flip them: sorted([1, 1.0, True], reverse=True) is [1, 1.0, True]). */
static int sort_values(cfge_ctx *E, cfg_value **v, size_t n, int reverse, const cfg_expr *e) {
  if (reverse) reverse_values(v, n);
  /* insertion sort: stable, and cfge_compare() may fail */
  for (size_t i = 1; i < n; i++) {
    cfg_value *x = v[i];
    size_t j = i;
    while (j > 0) {
      int c = cfge_compare(E, "<", x, v[j - 1], e, 0);
      if (c == -2) return -1;
      if (c != -1) break;
      v[j] = v[j - 1];
      j--;
    }
    v[j] = x;
  }
  if (reverse) reverse_values(v, n);
  return 0;
}

static cfg_value *dict_from_args(cfge_ctx *E, cfge_args *A, const char *fn, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  if (A->npos > 1) return cfge_err(E, e, "%s expected at most 1 argument, got %zu", fn, A->npos);
  cfg_value *d = cfgv_seq(E->a, CFG_DICT, 0, &p.v);
  if (A->npos == 1) {
    cfg_value *src = A->pos[0];
    if (src->kind == CFG_DICT) {
      for (size_t i = 0; i < src->n; i++) cfgv_dict_set(E->a, d, src->keys[i], src->items[i]);
    } else {
      cfg_value *items = cfge_iterate(E, src, e);
      if (!items) return NULL;
      for (size_t i = 0; i < items->n; i++) {
        cfg_value *pair = items->items[i];
        cfg_value *kv = pair->kind == CFG_STR ? cfge_iterate(E, pair, e) : pair;
        if (!kv) return NULL;
        if (!is_seq(kv) || kv->n != 2)
          return cfge_err(E, e, "dictionary update sequence element #%zu has length %zu; 2 is required", i,
                     is_seq(kv) ? kv->n : cfg_len(kv));
        if (!cfgv_is_hashable(kv->items[0])) return cfge_err(E, e, "unhashable type: '%s'", cfgv_type_name(kv->items[0]));
        cfgv_dict_set(E->a, d, kv->items[0], kv->items[1]);
      }
    }
  }
  if (A->kw)
    for (size_t i = 0; i < A->kw->n; i++) cfgv_dict_set(E->a, d, A->kw->keys[i], A->kw->items[i]);
  return d;
}

static cfg_value *call_builtin(cfge_ctx *E, const char *fn, cfge_args *A, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_arena *a = E->a;
  if (!strcmp(fn, "dict")) return dict_from_args(E, A, "dict", e);
  if (!strcmp(fn, "max") || !strcmp(fn, "min")) return minmax(E, A, fn[1] == 'a', e);
  if (!strcmp(fn, "print")) {
    /* mmengine would print to stdout; mmcc keeps stdout for the JSON */
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < A->npos; i++) {
      if (i) sb_putc(&b, ' ');
      cfgv_tostr(&b, A->pos[i]);
    }
    fprintf(stderr, "%s\n", b.s ? b.s : "");
    sb_free(&b);
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(fn, "sorted")) {
    static const char *const allowed[] = {"reverse", NULL};
    if (only_kwargs(E, A, fn, allowed, e) < 0 || nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *items = cfge_iterate(E, A->pos[0], e), *rev = cfge_kwarg(A, "reverse");
    if (!items || sort_values(E, items->items, items->n, rev && cfgv_truthy(rev), e) < 0)
      return NULL;
    return items;
  }
  if (!strcmp(fn, "enumerate")) {
    static const char *const allowed[] = {"start", NULL};
    if (only_kwargs(E, A, fn, allowed, e) < 0 || nargs(E, A, fn, 1, 2, e) < 0) return NULL;
    cfg_value *st = A->npos > 1 ? A->pos[1] : cfge_kwarg(A, "start");
    if (st && !is_intlike(st)) return cfge_err(E, e, "'%s' object cannot be interpreted as an integer", cfgv_type_name(st));
    cfg_value *items = cfge_iterate(E, A->pos[0], e);
    if (!items) return NULL;
    long long k0 = st ? st->i : 0;
    for (size_t i = 0; i < items->n; i++) {
      cfg_value *t = cfgv_seq(a, CFG_TUPLE, 2, &p.v);
      t->items[0] = cfgv_int(a, k0 + (long long)i, &p.v);
      t->items[1] = items->items[i];
      t->n = 2;
      items->items[i] = t;
    }
    return items;
  }
  if (no_kwargs(E, A, fn, e) < 0) return NULL;
  if (!strcmp(fn, "zip")) {
    cfg_value **its = cfg_arena_alloc(a, (A->npos + 1) * sizeof *its);
    size_t n = A->npos ? (size_t)-1 : 0;
    for (size_t i = 0; i < A->npos; i++) {
      if (!(its[i] = cfge_iterate(E, A->pos[i], e))) return NULL;
      if (its[i]->n < n) n = its[i]->n;
    }
    cfg_value *r = cfgv_seq(a, CFG_LIST, n, &p.v);
    for (size_t k = 0; k < n; k++) {
      cfg_value *t = cfgv_seq(a, CFG_TUPLE, A->npos, &p.v);
      for (size_t i = 0; i < A->npos; i++) t->items[i] = its[i]->items[k];
      t->n = A->npos;
      r->items[k] = t;
    }
    r->n = n;
    return r;
  }
  if (!strcmp(fn, "range")) {
    if (nargs(E, A, fn, 1, 3, e) < 0) return NULL;
    long long lo = 0, hi, st = 1;
    for (size_t i = 0; i < A->npos; i++)
      if (!is_intlike(A->pos[i])) return cfge_err(E, e, "'%s' object cannot be interpreted as an integer", cfgv_type_name(A->pos[i]));
    if (A->npos == 1) hi = A->pos[0]->i;
    else { lo = A->pos[0]->i; hi = A->pos[1]->i; if (A->npos == 3) st = A->pos[2]->i; }
    if (st == 0) return cfge_err(E, e, "range() arg 3 must not be zero");
    double count = st > 0 ? ceil(((double)hi - (double)lo) / (double)st) : ceil(((double)lo - (double)hi) / (double)-st);
    if (count < 0) count = 0;
    if (count > CFGE_MAX_SEQ_LEN) return cfge_err(E, e, "range() too long for mmcc (%g items)", count);
    cfg_value *r = cfgv_seq(a, CFG_LIST, (size_t)count, &p.v);
    for (long long v = lo; st > 0 ? v < hi : v > hi; v += st) {
      cfgv_push(a, r, cfgv_int(a, v, &p.v));
      if ((st > 0 && v > LLONG_MAX - st) || (st < 0 && v < LLONG_MIN - st)) break;
    }
    return r;
  }
  if (!strcmp(fn, "str")) {
    if (nargs(E, A, fn, 0, 1, e) < 0) return NULL;
    if (!A->npos) return cfgv_str(a, "", 0, &p.v);
    strbuf b;
    sb_init(&b);
    cfgv_tostr(&b, A->pos[0]);
    return cfge_str_of(E, &b, e);
  }
  if (!strcmp(fn, "repr")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    strbuf b;
    sb_init(&b);
    cfgv_repr(&b, A->pos[0]);
    return cfge_str_of(E, &b, e);
  }
  if (!strcmp(fn, "list") || !strcmp(fn, "tuple")) {
    if (nargs(E, A, fn, 0, 1, e) < 0) return NULL;
    cfg_value *r = A->npos ? cfge_iterate(E, A->pos[0], e) : cfgv_seq(a, CFG_LIST, 0, &p.v);
    if (!r) return NULL;
    r->kind = fn[0] == 'l' ? CFG_LIST : CFG_TUPLE;
    r->file = p.v.file; r->line = p.v.line; r->col = p.v.col;
    return r;
  }
  if (!strcmp(fn, "reversed")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *r = cfge_iterate(E, A->pos[0], e);
    if (r) reverse_items(r);
    return r;
  }
  if (!strcmp(fn, "len")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *x = A->pos[0];
    if (x->kind == CFG_STR) return cfgv_int(a, (long long)cfge_u8_len(x->s, x->slen), &p.v);
    if (is_seq(x) || x->kind == CFG_DICT) return cfgv_int(a, (long long)x->n, &p.v);
    return cfge_err(E, e, "object of type '%s' has no len()", cfgv_type_name(x));
  }
  if (!strcmp(fn, "abs")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *x = A->pos[0];
    if (is_intlike(x)) {
      if (x->i == LLONG_MIN) return cfge_overflow(E, e);
      return cfgv_int(a, x->i < 0 ? -x->i : x->i, &p.v);
    }
    if (x->kind == CFG_FLOAT) return cfgv_float(a, fabs(x->f), &p.v);
    return cfge_err(E, e, "bad operand type for abs(): '%s'", cfgv_type_name(x));
  }
  if (!strcmp(fn, "round")) {
    if (nargs(E, A, fn, 1, 2, e) < 0) return NULL;
    return round_value(E, A->pos[0], A->npos > 1 ? A->pos[1] : NULL, e);
  }
  if (!strcmp(fn, "int")) {
    if (nargs(E, A, fn, 0, 2, e) < 0) return NULL;
    if (!A->npos) return cfgv_int(a, 0, &p.v);
    return to_int(E, A->pos[0], A->npos > 1 ? A->pos[1] : NULL, e);
  }
  if (!strcmp(fn, "float")) {
    if (nargs(E, A, fn, 0, 1, e) < 0) return NULL;
    if (!A->npos) return cfgv_float(a, 0, &p.v);
    return to_float(E, A->pos[0], e);
  }
  if (!strcmp(fn, "bool")) {
    if (nargs(E, A, fn, 0, 1, e) < 0) return NULL;
    return cfgv_bool(a, A->npos ? cfgv_truthy(A->pos[0]) : 0, &p.v);
  }
  if (!strcmp(fn, "sum")) {
    if (nargs(E, A, fn, 1, 2, e) < 0) return NULL;
    cfg_value *items = cfge_iterate(E, A->pos[0], e);
    if (!items) return NULL;
    cfg_value *acc = A->npos > 1 ? A->pos[1] : cfgv_int(a, 0, &p.v);
    if (acc->kind == CFG_STR) return cfge_err(E, e, "sum() can't sum strings [use ''.join(seq) instead]");
    for (size_t i = 0; i < items->n; i++)
      if (!(acc = cfge_binop(E, "+", acc, items->items[i], e))) return NULL;
    return acc;
  }
  if (!strcmp(fn, "all") || !strcmp(fn, "any")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *items = cfge_iterate(E, A->pos[0], e);
    if (!items) return NULL;
    int want_all = fn[1] == 'l';
    for (size_t i = 0; i < items->n; i++) {
      int t = cfgv_truthy(items->items[i]);
      if (want_all && !t) return cfgv_bool(a, 0, &p.v);
      if (!want_all && t) return cfgv_bool(a, 1, &p.v);
    }
    return cfgv_bool(a, want_all, &p.v);
  }
  if (!strcmp(fn, "isinstance")) {
    if (nargs(E, A, fn, 2, 2, e) < 0) return NULL;
    cfg_value *t = A->pos[1];
    size_t n = t->kind == CFG_TUPLE ? t->n : 1;
    for (size_t i = 0; i < n; i++) {
      cfg_value *ty = t->kind == CFG_TUPLE ? t->items[i] : t;
      int m = ty->kind == CFG_OTHER && ty->other == OT_BUILTIN ? type_matches(A->pos[0], ty->s) : -1;
      if (m < 0) return cfge_err(E, e, "isinstance() arg 2 must be a type or tuple of types mmcc knows (int, float, bool, str, list, tuple, dict)");
      if (m) return cfgv_bool(a, 1, &p.v);
    }
    return cfgv_bool(a, 0, &p.v);
  }
  return cfge_err(E, e, "builtin '%s' is not supported", fn);
}

static cfg_value *str_method(cfge_ctx *E, cfg_value *self, const char *m, cfge_args *A, const cfg_expr *e);
static cfg_value *dict_method(cfge_ctx *E, cfg_value *self, const char *m, cfge_args *A, const cfg_expr *e);
static cfg_value *list_method(cfge_ctx *E, cfg_value *self, const char *m, cfge_args *A, const cfg_expr *e);

static const char *const STR_METHODS[] = {"format", "join", "upper", "lower", "strip", "lstrip",
                                          "rstrip", "replace", "split", "startswith", "endswith",
                                          "capitalize", "title", NULL};
static const char *const DICT_METHODS[] = {"get", "keys", "values", "items", "copy", "update",
                                           "pop", "setdefault", NULL};
static const char *const LIST_METHODS[] = {"append", "extend", "insert", "pop", "index", "count",
                                           "copy", "remove", "reverse", "sort", NULL};
static const char *const TUPLE_METHODS[] = {"index", "count", NULL};

const char *const *cfge_methods(const cfg_value *v) {
  switch (v->kind) {
    case CFG_STR: return STR_METHODS;
    case CFG_DICT: return DICT_METHODS;
    case CFG_LIST: return LIST_METHODS;
    case CFG_TUPLE: return TUPLE_METHODS;
    default: return NULL;
  }
}

int cfge_in_list(const char *const *l, const char *s) {
  for (int k = 0; l[k]; k++) if (!strcmp(l[k], s)) return 1;
  return 0;
}

cfg_value *cfge_call(cfge_ctx *E, cfg_value *fn, cfge_args *A, const cfg_expr *e) {
  if (fn->kind != CFG_OTHER) return cfge_err(E, e, "'%s' object is not callable", cfgv_type_name(fn));
  switch (fn->other) {
    case OT_BUILTIN: return call_builtin(E, fn->s, A, e);
    case OT_FUNCTION:
      if (!strcmp(fn->s, "copy.deepcopy") || !strcmp(fn->s, "copy.copy")) {
        if (no_kwargs(E, A, fn->s, e) < 0 || nargs(E, A, fn->s, 1, 2, e) < 0) return NULL;
        cfg_value *x = A->pos[0];
        if (fn->s[5] == 'd') {
          cfg_value *r = cfgv_deepcopy(E->a, x, 0);
          return r ? r : cfge_err(E, e, "value nested too deeply (circular reference?) or too large to copy "
                                          "(more than %u values written out)", CFG_MAX_EXPANDED);
        }
        if (x->kind == CFG_LIST || x->kind == CFG_DICT) {
          cfge_pos p = cfge_at(E, e);
          cfg_value *r = cfgv_seq(E->a, x->kind, x->n, &p.v);
          r->cfgdict = x->cfgdict;
          for (size_t i = 0; i < x->n; i++) {
            r->items[i] = x->items[i];
            if (x->kind == CFG_DICT) r->keys[i] = x->keys[i];
          }
          r->n = x->n;
          return r;
        }
        return x;
      }
      return cfge_err(E, e, "function '%s' is not supported", fn->s);
    case OT_METHOD:
      if (fn->self->kind == CFG_STR) return str_method(E, fn->self, fn->s, A, e);
      if (fn->self->kind == CFG_DICT) return dict_method(E, fn->self, fn->s, A, e);
      return list_method(E, fn->self, fn->s, A, e);
    case OT_MODULE:
      return cfge_err(E, e, "'module' object is not callable");
    case OT_IMPORTED:
    default:
      return cfge_err(E, e, "cannot call '%s': it comes from a Python package, which mmcc does not import", fn->s);
  }
}

/* }====================================================================== */

/* {====================================================================== methods */

static cfg_value *str_format(cfge_ctx *E, cfg_value *self, cfge_args *A, const cfg_expr *e) {
  strbuf out;
  sb_init(&out);
  const char *s = self->s;
  size_t n = self->slen, auto_idx = 0;
  int used_auto = 0, used_manual = 0;
  for (size_t i = 0; i < n;) {
    char c = s[i];
    if (c == '{' && i + 1 < n && s[i + 1] == '{') { sb_putc(&out, '{'); i += 2; continue; }
    if (c == '}' && i + 1 < n && s[i + 1] == '}') { sb_putc(&out, '}'); i += 2; continue; }
    if (c == '}') { sb_free(&out); return cfge_err(E, e, "Single '}' encountered in format string"); }
    if (c != '{') { sb_putc(&out, c); i++; continue; }
    size_t j = i + 1;
    int depth = 1;
    while (j < n && depth) { if (s[j] == '{') depth++; else if (s[j] == '}') depth--; if (depth) j++; }
    if (j >= n) { sb_free(&out); return cfge_err(E, e, "Single '{' encountered in format string"); }
    /* field: name[.attr|[key]]*[!conv][:spec] */
    char *field = cfg_arena_strndup(E->a, s + i + 1, j - i - 1);
    i = j + 1;
    char *spec = strchr(field, ':');
    char *bang = strchr(field, '!');
    if (bang && spec && bang > spec) bang = NULL;
    if (spec) *spec++ = 0;
    char conv = 0;
    if (bang) { *bang = 0; conv = bang[1]; }
    size_t nl = strcspn(field, ".[");
    cfg_value *v;
    if (nl == 0) {
      if (used_manual) { sb_free(&out); return cfge_err(E, e, "cannot switch from manual field specification to automatic field numbering"); }
      used_auto = 1;
      if (auto_idx >= A->npos) { sb_free(&out); return cfge_err(E, e, "Replacement index %zu out of range for positional args tuple", auto_idx); }
      v = A->pos[auto_idx++];
    } else if (field[0] >= '0' && field[0] <= '9') {
      if (used_auto) { sb_free(&out); return cfge_err(E, e, "cannot switch from automatic field numbering to manual field specification"); }
      used_manual = 1;
      size_t idx = (size_t)strtoul(field, NULL, 10);
      if (idx >= A->npos) { sb_free(&out); return cfge_err(E, e, "Replacement index %zu out of range for positional args tuple", idx); }
      v = A->pos[idx];
    } else {
      char save = field[nl];
      field[nl] = 0;
      v = cfge_kwarg(A, field);
      if (!v) { sb_free(&out); return cfge_err(E, e, "KeyError: '%s' in str.format()", field); }
      field[nl] = save;
    }
    char *q = field + nl;
    while (*q) {
      if (*q == '.') {
        q++;
        size_t k = strcspn(q, ".[");
        char save = q[k];
        q[k] = 0;
        long idx = v->kind == CFG_DICT && v->cfgdict ? cfgv_dict_find_str(v, q) : -1;
        if (idx < 0) { sb_free(&out); return cfge_err(E, e, "'%s' object has no attribute '%s'", cfgv_type_name(v), q); }
        v = v->items[idx];
        q[k] = save;
        q += k;
      } else {
        q++;
        char *close = strchr(q, ']');
        if (!close) { sb_free(&out); return cfge_err(E, e, "Missing ']' in format string"); }
        *close = 0;
        int numeric = *q && strspn(q, "0123456789") == strlen(q);
        if (numeric && is_seq(v)) {
          size_t idx = (size_t)strtoul(q, NULL, 10);
          if (idx >= v->n) { sb_free(&out); return cfge_err(E, e, "index out of range in str.format()"); }
          v = v->items[idx];
        } else if (v->kind == CFG_DICT) {
          long idx = numeric ? -1 : cfgv_dict_find_str(v, q);
          if (numeric) {
            cfge_pos kp = cfge_at(E, e);
            idx = cfgv_dict_find(v, cfgv_int(E->a, strtoll(q, NULL, 10), &kp.v));
          }
          if (idx < 0) { sb_free(&out); return cfge_err(E, e, "KeyError: '%s' in str.format()", q); }
          v = v->items[idx];
        } else {
          sb_free(&out);
          return cfge_err(E, e, "'%s' object is not subscriptable", cfgv_type_name(v));
        }
        q = close + 1;
      }
    }
    cfg_value *shown = v;
    if (conv) {
      if (!strchr("rsa", conv)) { sb_free(&out); return cfge_err(E, e, "Unknown conversion specifier %c", conv); }
      strbuf c;
      sb_init(&c);
      cfge_convert(&c, v, conv);
      if (!(shown = cfge_str_of(E, &c, e))) { sb_free(&out); return NULL; }
    }
    if (spec && strchr(spec, '{')) { sb_free(&out); return cfge_err(E, e, "nested replacement fields in format specs are not supported"); }
    if (cfge_format(E, &out, shown, spec ? spec : "", e) < 0) { sb_free(&out); return NULL; }
  }
  return cfge_str_of(E, &out, e);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static cfg_value *str_method(cfge_ctx *E, cfg_value *self, const char *m, cfge_args *A, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_arena *a = E->a;
  if (!strcmp(m, "format")) return str_format(E, self, A, e);
  if (no_kwargs(E, A, m, e) < 0) return NULL;
  const char *s = self->s;
  size_t n = self->slen;
  if (!strcmp(m, "join")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    cfg_value *items = cfge_iterate(E, A->pos[0], e);
    if (!items) return NULL;
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < items->n; i++) {
      if (items->items[i]->kind != CFG_STR) {
        sb_free(&b);
        return cfge_err(E, e, "sequence item %zu: expected str instance, %s found", i, cfgv_type_name(items->items[i]));
      }
      if (i) sb_put(&b, s, n);
      sb_put(&b, items->items[i]->s, items->items[i]->slen);
    }
    cfg_value *r = cfgv_str(a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  if (!strcmp(m, "upper") || !strcmp(m, "lower") || !strcmp(m, "capitalize") || !strcmp(m, "title")) {
    if (nargs(E, A, m, 0, 0, e) < 0) return NULL;
    cfg_value *r = cfgv_str(a, s, n, &p.v);
    char *o = (char *)r->s;
    int word_start = 1;
    for (size_t i = 0; i < n; i++) {
      char c = o[i];
      int alpha = (c | 32) >= 'a' && (c | 32) <= 'z';
      if (m[0] == 'u' && c >= 'a' && c <= 'z') o[i] = (char)(c - 32);
      else if (m[0] == 'l' && c >= 'A' && c <= 'Z') o[i] = (char)(c + 32);
      else if (m[0] == 'c') o[i] = (char)(i == 0 ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c));
      else if (m[0] == 't' && alpha) o[i] = (char)(word_start ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c));
      word_start = !alpha;
    }
    return r;
  }
  if (!strcmp(m, "strip") || !strcmp(m, "lstrip") || !strcmp(m, "rstrip")) {
    if (nargs(E, A, m, 0, 1, e) < 0) return NULL;
    cfg_value *chars = A->npos && A->pos[0]->kind != CFG_NONE ? A->pos[0] : NULL;
    if (chars && chars->kind != CFG_STR) return cfge_err(E, e, "%s arg must be None or str", m);
    size_t lo = 0, hi = n;
#define STRIPPABLE(c) (chars ? memchr(chars->s, (c), chars->slen) != NULL : is_space(c))
    if (m[0] != 'r') while (lo < hi && STRIPPABLE(s[lo])) lo++;
    if (m[0] != 'l') while (hi > lo && STRIPPABLE(s[hi - 1])) hi--;
#undef STRIPPABLE
    return cfgv_str(a, s + lo, hi - lo, &p.v);
  }
  if (!strcmp(m, "replace")) {
    if (nargs(E, A, m, 2, 3, e) < 0) return NULL;
    cfg_value *old = A->pos[0], *new = A->pos[1];
    if (old->kind != CFG_STR || new->kind != CFG_STR) return cfge_err(E, e, "replace() arguments must be str");
    long long count = A->npos > 2 && is_intlike(A->pos[2]) ? A->pos[2]->i : -1;
    strbuf b;
    sb_init(&b);
    size_t i = 0;
    if (old->slen == 0) {
      /* Python inserts new between every character */
      for (; i <= n && count != 0; count--) {
        sb_put(&b, new->s, new->slen);
        if (i < n) { size_t nx = i + 1; while (nx < n && ((unsigned char)s[nx] & 0xC0) == 0x80) nx++; sb_put(&b, s + i, nx - i); i = nx; }
        else { i = n + 1; break; }
      }
      if (i < n) sb_put(&b, s + i, n - i);
    } else {
      while (i < n) {
        if (count != 0 && i + old->slen <= n && !memcmp(s + i, old->s, old->slen)) {
          sb_put(&b, new->s, new->slen);
          i += old->slen;
          count--;
        } else {
          sb_putc(&b, s[i++]);
        }
      }
    }
    cfg_value *r = cfgv_str(a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  if (!strcmp(m, "split")) {
    if (nargs(E, A, m, 0, 2, e) < 0) return NULL;
    cfg_value *sep = A->npos && A->pos[0]->kind != CFG_NONE ? A->pos[0] : NULL;
    long long maxsplit = A->npos > 1 && is_intlike(A->pos[1]) ? A->pos[1]->i : -1;
    if (sep && (sep->kind != CFG_STR || sep->slen == 0)) return cfge_err(E, e, sep->kind == CFG_STR ? "empty separator" : "must be str or None");
    cfg_value *r = cfgv_seq(a, CFG_LIST, 0, &p.v);
    size_t i = 0;
    if (!sep) {
      for (;;) {
        while (i < n && is_space(s[i])) i++;
        if (i >= n) break;
        size_t j = i;
        if (maxsplit == 0) { size_t k = n; while (k > i && is_space(s[k - 1])) k--; cfgv_push(a, r, cfgv_str(a, s + i, k - i, &p.v)); break; }
        while (j < n && !is_space(s[j])) j++;
        cfgv_push(a, r, cfgv_str(a, s + i, j - i, &p.v));
        maxsplit--;
        i = j;
      }
    } else {
      for (;;) {
        const char *hit = NULL;
        if (maxsplit != 0)
          for (size_t k = i; k + sep->slen <= n; k++)
            if (!memcmp(s + k, sep->s, sep->slen)) { hit = s + k; break; }
        if (!hit) { cfgv_push(a, r, cfgv_str(a, s + i, n - i, &p.v)); break; }
        cfgv_push(a, r, cfgv_str(a, s + i, (size_t)(hit - (s + i)), &p.v));
        i = (size_t)(hit - s) + sep->slen;
        maxsplit--;
      }
    }
    return r;
  }
  if (!strcmp(m, "startswith") || !strcmp(m, "endswith")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    cfg_value *x = A->pos[0];
    size_t k = x->kind == CFG_TUPLE ? x->n : 1;
    for (size_t i = 0; i < k; i++) {
      cfg_value *pre = x->kind == CFG_TUPLE ? x->items[i] : x;
      if (pre->kind != CFG_STR) return cfge_err(E, e, "%s first arg must be str or a tuple of str", m);
      if (pre->slen <= n && !memcmp(m[0] == 's' ? s : s + n - pre->slen, pre->s, pre->slen)) return cfgv_bool(a, 1, &p.v);
    }
    return cfgv_bool(a, 0, &p.v);
  }
  return cfge_err(E, e, "'str' method '%s' is not supported", m);
}

cfg_value *cfge_store(cfge_ctx *E, cfg_value *container, cfg_value *v, const cfg_expr *e) {
  if (container->kind == CFG_DICT && container->cfgdict) {
    cfg_value *h = cfgv_hook(E->a, v, 0);
    if (!h) return cfge_err(E, e, "value nested too deeply (circular reference?) or too large (more than "
                                  "%u values written out)", CFG_MAX_EXPANDED);
    return h;
  }
  return v;
}

/* ConfigDict.update merges nested dicts (mmengine config.py ConfigDict.update); dict.update
 * replaces. */
static int dict_update(cfge_ctx *E, cfg_value *self, cfg_value *other, const cfg_expr *e, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) { cfge_err(E, e, "value nested too deeply"); return -1; }
  for (size_t i = 0; i < other->n; i++) {
    cfg_value *k = other->keys[i], *v = other->items[i];
    long j = cfgv_dict_find(self, k);
    if (self->cfgdict && j >= 0 && self->items[j]->kind == CFG_DICT && v->kind == CFG_DICT) {
      if (dict_update(E, self->items[j], v, e, depth + 1) < 0) return -1;
    } else {
      cfg_value *s = cfge_store(E, self, v, e);
      if (!s) return -1;
      cfgv_dict_set(E->a, self, k, s);
    }
  }
  return 0;
}

static cfg_value *dict_method(cfge_ctx *E, cfg_value *self, const char *m, cfge_args *A, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_arena *a = E->a;
  if (!strcmp(m, "update")) {
    if (nargs(E, A, m, 0, 1, e) < 0) return NULL;
    cfg_value *other = dict_from_args(E, A, "update", e);
    if (!other || dict_update(E, self, other, e, 0) < 0) return NULL;
    return cfgv_none(a, &p.v);
  }
  if (no_kwargs(E, A, m, e) < 0) return NULL;
  if (!strcmp(m, "get") || !strcmp(m, "pop") || !strcmp(m, "setdefault")) {
    if (nargs(E, A, m, 1, 2, e) < 0) return NULL;
    if (!cfgv_is_hashable(A->pos[0])) return cfge_err(E, e, "unhashable type: '%s'", cfgv_type_name(A->pos[0]));
    long i = cfgv_dict_find(self, A->pos[0]);
    if (i >= 0) {
      cfg_value *v = self->items[i];
      if (m[0] == 'p') cfgv_dict_remove(self, (size_t)i);
      return v;
    }
    if (A->npos > 1) {
      if (m[0] == 's') cfgv_dict_set(a, self, A->pos[0], A->pos[1]);
      return A->pos[1];
    }
    if (m[0] == 'p') return cfge_key_error(E, e, A->pos[0]);
    cfg_value *none = cfgv_none(a, &p.v);
    if (m[0] == 's') cfgv_dict_set(a, self, A->pos[0], none);
    return none;
  }
  if (nargs(E, A, m, 0, 0, e) < 0) return NULL;
  if (!strcmp(m, "copy")) {
    cfg_value *r = cfgv_seq(a, CFG_DICT, self->n, &p.v);
    r->cfgdict = self->cfgdict;
    for (size_t i = 0; i < self->n; i++) { r->keys[i] = self->keys[i]; r->items[i] = self->items[i]; }
    r->n = self->n;
    return r;
  }
  cfg_value *r = cfgv_seq(a, CFG_LIST, self->n, &p.v);
  for (size_t i = 0; i < self->n; i++) {
    if (m[0] == 'k') r->items[i] = self->keys[i];
    else if (m[0] == 'v') r->items[i] = self->items[i];
    else {
      cfg_value *t = cfgv_seq(a, CFG_TUPLE, 2, &p.v);
      t->items[0] = self->keys[i];
      t->items[1] = self->items[i];
      t->n = 2;
      r->items[i] = t;
    }
  }
  r->n = self->n;
  return r;
}

int cfge_seq_index(cfge_ctx *E, cfg_value *seq, cfg_value *idx, size_t *out, const cfg_expr *e, int for_insert) {
  if (!is_intlike(idx)) {
    cfge_err(E, e, "%s indices must be integers or slices, not %s", cfgv_type_name(seq), cfgv_type_name(idx));
    return -1;
  }
  long long n = seq->kind == CFG_STR ? (long long)cfge_u8_len(seq->s, seq->slen) : (long long)seq->n;
  long long i = idx->i;
  if (i < 0) i += n;
  if (for_insert) {
    if (i < 0) i = 0;
    if (i > n) i = n;
  } else if (i < 0 || i >= n) {
    cfge_err(E, e, "%s index out of range", cfgv_type_name(seq));
    return -1;
  }
  *out = (size_t)i;
  return 0;
}

static cfg_value *list_method(cfge_ctx *E, cfg_value *self, const char *m, cfge_args *A, const cfg_expr *e) {
  cfge_pos p = cfge_at(E, e);
  cfg_arena *a = E->a;
  if (!strcmp(m, "sort")) {
    static const char *const allowed[] = {"reverse", NULL};
    if (only_kwargs(E, A, m, allowed, e) < 0 || nargs(E, A, m, 0, 0, e) < 0) return NULL;
    cfg_value *rev = cfge_kwarg(A, "reverse");
    if (sort_values(E, self->items, self->n, rev && cfgv_truthy(rev), e) < 0) return NULL;
    return cfgv_none(a, &p.v);
  }
  if (no_kwargs(E, A, m, e) < 0) return NULL;
  if (!strcmp(m, "index") || !strcmp(m, "count")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    long long c = 0;
    for (size_t i = 0; i < self->n; i++)
      if (cfgv_equal(self->items[i], A->pos[0])) {
        if (m[0] == 'i') return cfgv_int(a, (long long)i, &p.v);
        c++;
      }
    if (m[0] == 'i') return cfge_err(E, e, "%s.index(x): x not in %s", cfgv_type_name(self), cfgv_type_name(self));
    return cfgv_int(a, c, &p.v);
  }
  if (!strcmp(m, "copy")) {
    if (nargs(E, A, m, 0, 0, e) < 0) return NULL;
    cfg_value *r = cfgv_seq(a, CFG_LIST, self->n, &p.v);
    for (size_t i = 0; i < self->n; i++) r->items[i] = self->items[i];
    r->n = self->n;
    return r;
  }
  if (!strcmp(m, "append")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    if (self->n >= CFGE_MAX_SEQ_LEN) return cfge_err(E, e, "list too long");
    cfgv_push(a, self, A->pos[0]);
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(m, "extend")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    cfg_value *items = cfge_iterate(E, A->pos[0], e);
    if (!items) return NULL;
    if (self->n + items->n > CFGE_MAX_SEQ_LEN) return cfge_err(E, e, "list too long");
    for (size_t i = 0; i < items->n; i++) cfgv_push(a, self, items->items[i]);
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(m, "insert")) {
    if (nargs(E, A, m, 2, 2, e) < 0) return NULL;
    size_t i;
    if (cfge_seq_index(E, self, A->pos[0], &i, e, 1) < 0) return NULL;
    cfgv_push(a, self, A->pos[1]);
    memmove(self->items + i + 1, self->items + i, (self->n - 1 - i) * sizeof *self->items);
    self->items[i] = A->pos[1];
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(m, "pop")) {
    if (nargs(E, A, m, 0, 1, e) < 0) return NULL;
    if (self->n == 0) return cfge_err(E, e, "pop from empty list");
    size_t i = self->n - 1;
    if (A->npos && cfge_seq_index(E, self, A->pos[0], &i, e, 0) < 0) return NULL;
    cfg_value *v = self->items[i];
    memmove(self->items + i, self->items + i + 1, (self->n - i - 1) * sizeof *self->items);
    self->n--;
    return v;
  }
  if (!strcmp(m, "remove")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    for (size_t i = 0; i < self->n; i++)
      if (cfgv_equal(self->items[i], A->pos[0])) {
        memmove(self->items + i, self->items + i + 1, (self->n - i - 1) * sizeof *self->items);
        self->n--;
        return cfgv_none(a, &p.v);
      }
    return cfge_err(E, e, "list.remove(x): x not in list");
  }
  if (!strcmp(m, "reverse")) {
    if (nargs(E, A, m, 0, 0, e) < 0) return NULL;
    reverse_items(self);
    return cfgv_none(a, &p.v);
  }
  return cfge_err(E, e, "'%s' method '%s' is not supported", cfgv_type_name(self), m);
}

/* }====================================================================== */

