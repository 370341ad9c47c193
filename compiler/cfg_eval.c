/* cfg_eval.c: evaluator of config files: Python expression semantics (ints are 64-bit and
 * overflow is an error; int / int is float; // and % floor), names, comprehensions,
 * builtins, methods, and statements with Python's reference semantics (two names bound to
 * one list see the same mutation). mmengine's ConfigDict rules (attribute access, copying on
 * store) apply to dicts that came from _base_. */
#include "cfg_eval.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_EVAL_DEPTH 1000
#define MAX_SEQ_LEN (1u << 22) /* items of a list, bytes of a string */

typedef struct scope { struct scope *up; cfg_value *vars; } scope;

typedef struct {
  cfg_arena *a;
  const char *file;
  cfg_value *globals;
  scope *sc;
  int depth;
  int skip_base;
} ev;

/* a position-only value used as the "made here" template for results */
typedef struct { cfg_value v; } pos;

static pos at(ev *E, const cfg_expr *e) {
  pos p;
  memset(&p, 0, sizeof p);
  p.v.file = E->file;
  p.v.line = e ? e->line : 0;
  p.v.col = e ? e->col : 0;
  return p;
}

static cfg_value *err(ev *E, const cfg_expr *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cfg_value *err(ev *E, const cfg_expr *e, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_error(E->file, e ? e->line : 0, e ? e->col : 0, "%s", msg);
  return NULL;
}

static cfg_value *eval(ev *E, const cfg_expr *e);

static cfg_value *mk_other(ev *E, cfg_other_kind k, const char *name, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_value *v = cfgv_new(E->a, CFG_OTHER, p.v.file, p.v.line, p.v.col);
  v->other = k;
  v->s = cfg_arena_strndup(E->a, name, strlen(name));
  return v;
}

static int is_intlike(const cfg_value *v) { return v->kind == CFG_INT || v->kind == CFG_BOOL; }
static int is_num(const cfg_value *v) { return is_intlike(v) || v->kind == CFG_FLOAT; }
static double as_double(const cfg_value *v) { return v->kind == CFG_FLOAT ? v->f : (double)v->i; }
static int is_seq(const cfg_value *v) { return v->kind == CFG_LIST || v->kind == CFG_TUPLE; }

/* {====================================================================== iteration */

/* Number of UTF-8 code points, and the byte offset of code point i. */
static size_t u8_len(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
  return c;
}

static size_t u8_offset(const char *s, size_t n, size_t cp) {
  size_t c = 0, i = 0;
  for (; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) {
      if (c == cp) return i;
      c++;
    }
  return n;
}

/* The items of an iterable as a fresh list (dicts give their keys, strings their chars). */
static cfg_value *iterate(ev *E, cfg_value *v, const cfg_expr *e) {
  pos p = at(E, e);
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
      size_t n = u8_len(v->s, v->slen);
      r = cfgv_seq(E->a, CFG_LIST, n, &p.v);
      for (size_t i = 0; i < n; i++) {
        size_t b = u8_offset(v->s, v->slen, i), e2 = u8_offset(v->s, v->slen, i + 1);
        r->items[i] = cfgv_str(E->a, v->s + b, e2 - b, &p.v);
      }
      r->n = n;
      return r;
    }
    default:
      return err(E, e, "'%s' object is not iterable", cfgv_type_name(v));
  }
}

/* }====================================================================== */

/* {====================================================================== arithmetic */

static cfg_value *overflow(ev *E, const cfg_expr *e) {
  return err(E, e, "integer overflow: mmcc computes with 64-bit integers");
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

static cfg_value *repeat(ev *E, cfg_value *s, long long times, const cfg_expr *e) {
  pos p = at(E, e);
  if (times < 0) times = 0;
  if (s->kind == CFG_STR) {
    if (s->slen && (unsigned long long)times > MAX_SEQ_LEN / s->slen) return err(E, e, "string too long");
    strbuf b;
    sb_init(&b);
    for (long long k = 0; k < times; k++) sb_put(&b, s->s, s->slen);
    cfg_value *r = cfgv_str(E->a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  if (s->n && (unsigned long long)times > MAX_SEQ_LEN / s->n) return err(E, e, "sequence too long");
  cfg_value *r = cfgv_seq(E->a, s->kind, s->n * (size_t)times, &p.v);
  for (long long k = 0; k < times; k++)
    for (size_t i = 0; i < s->n; i++) r->items[r->n++] = s->items[i];
  return r;
}

static cfg_value *concat(ev *E, cfg_value *x, cfg_value *y, const cfg_expr *e) {
  pos p = at(E, e);
  if ((x->kind == CFG_STR ? x->slen + y->slen : x->n + y->n) > MAX_SEQ_LEN)
    return err(E, e, "%s too long for mmcc", x->kind == CFG_STR ? "string" : "sequence");
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

static cfg_value *int_pow(ev *E, long long b, long long x, const cfg_expr *e) {
  pos p = at(E, e);
  long long r = 1;
  while (x > 0) {
    if (x & 1) { if (__builtin_mul_overflow(r, b, &r)) return overflow(E, e); }
    x >>= 1;
    if (x && __builtin_mul_overflow(b, b, &b)) return overflow(E, e);
  }
  return cfgv_int(E->a, r, &p.v);
}

static cfg_value *binop(ev *E, const char *op, cfg_value *x, cfg_value *y, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_arena *a = E->a;
  if (is_intlike(x) && is_intlike(y)) {
    long long u = x->i, w = y->i, r;
    switch (op[0]) {
      case '+': if (__builtin_add_overflow(u, w, &r)) return overflow(E, e); return cfgv_int(a, r, &p.v);
      case '-': if (__builtin_sub_overflow(u, w, &r)) return overflow(E, e); return cfgv_int(a, r, &p.v);
      case '*':
        if (op[1] == '*') {
          if (w < 0) {
            if (u == 0) return err(E, e, "zero to a negative power");
            return cfgv_float(a, pow((double)u, (double)w), &p.v);
          }
          return int_pow(E, u, w, e);
        }
        if (__builtin_mul_overflow(u, w, &r)) return overflow(E, e);
        return cfgv_int(a, r, &p.v);
      case '/':
        if (w == 0) return err(E, e, op[1] ? "integer division or modulo by zero" : "division by zero");
        if (op[1] == '/') {
          if (u == LLONG_MIN && w == -1) return overflow(E, e);
          long long q = u / w;
          if ((u % w != 0) && ((u < 0) != (w < 0))) q--;
          return cfgv_int(a, q, &p.v);
        }
        return cfgv_float(a, (double)u / (double)w, &p.v);
      case '%': {
        if (w == 0) return err(E, e, "integer division or modulo by zero");
        if (w == -1) return cfgv_int(a, 0, &p.v);
        long long m = u % w;
        if (m != 0 && ((m < 0) != (w < 0))) m += w;
        return cfgv_int(a, m, &p.v);
      }
      case '&': return x->kind == CFG_BOOL && y->kind == CFG_BOOL ? cfgv_bool(a, (int)(u & w), &p.v) : cfgv_int(a, u & w, &p.v);
      case '|': return x->kind == CFG_BOOL && y->kind == CFG_BOOL ? cfgv_bool(a, (int)(u | w), &p.v) : cfgv_int(a, u | w, &p.v);
      case '^': return x->kind == CFG_BOOL && y->kind == CFG_BOOL ? cfgv_bool(a, (int)(u ^ w), &p.v) : cfgv_int(a, u ^ w, &p.v);
      case '<':
        if (w < 0) return err(E, e, "negative shift count");
        if (w >= 63 || (u != 0 && (u > (LLONG_MAX >> w) || u < (LLONG_MIN >> w)))) {
          if (u == 0) return cfgv_int(a, 0, &p.v);
          return overflow(E, e);
        }
        return cfgv_int(a, (long long)((unsigned long long)u << w), &p.v);
      case '>':
        if (w < 0) return err(E, e, "negative shift count");
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
          if (u == 0 && w < 0) return err(E, e, "zero to a negative power");
          if (u < 0 && w != floor(w)) return err(E, e, "negative number to a fractional power (complex result)");
          double r = pow(u, w);
          if (isinf(r) && isfinite(u) && isfinite(w)) return err(E, e, "float overflow in '**'");
          return cfgv_float(a, r, &p.v);
        }
        return cfgv_float(a, u * w, &p.v);
      case '/':
        if (w == 0) return err(E, e, op[1] ? "float floor division by zero" : "float division by zero");
        return cfgv_float(a, op[1] ? py_floordiv(u, w) : u / w, &p.v);
      case '%':
        if (w == 0) return err(E, e, "float modulo by zero");
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
    return err(E, e, "'%%' string formatting is not supported; use f-strings or str.format()");
  if (!strcmp(op, "|") && x->kind == CFG_DICT && y->kind == CFG_DICT) {
    cfg_value *r = cfgv_seq(a, CFG_DICT, x->n + y->n, &p.v);
    for (size_t i = 0; i < x->n; i++) cfgv_dict_set(a, r, x->keys[i], x->items[i]);
    for (size_t i = 0; i < y->n; i++) cfgv_dict_set(a, r, y->keys[i], y->items[i]);
    return r;
  }
  return err(E, e, "unsupported operand type(s) for %s: '%s' and '%s'", op, cfgv_type_name(x),
             cfgv_type_name(y));
}

/* -1 less, 0 equal, 1 greater; -2 not comparable (error printed) */
static int compare(ev *E, const char *op, cfg_value *x, cfg_value *y, const cfg_expr *e, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) { err(E, e, "comparison nested too deeply"); return -2; }
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
      return compare(E, op, x->items[i], y->items[i], e, depth + 1);
    }
    return x->n < y->n ? -1 : x->n > y->n;
  }
  err(E, e, "'%s' not supported between instances of '%s' and '%s'", op, cfgv_type_name(x), cfgv_type_name(y));
  return -2;
}

static int contains(ev *E, cfg_value *hay, cfg_value *needle, const cfg_expr *e) {
  switch (hay->kind) {
    case CFG_STR:
      if (needle->kind != CFG_STR) { err(E, e, "'in <string>' requires string as left operand, not %s", cfgv_type_name(needle)); return -1; }
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
      if (!cfgv_is_hashable(needle)) { err(E, e, "unhashable type: '%s'", cfgv_type_name(needle)); return -1; }
      return cfgv_dict_find(hay, needle) >= 0;
    default:
      err(E, e, "argument of type '%s' is not iterable", cfgv_type_name(hay));
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

/* {====================================================================== formatting */

/* format(v, spec): Python's format-spec mini-language for str, int, float. */
static int format_value(ev *E, strbuf *out, cfg_value *v, const char *spec, const cfg_expr *e) {
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
    if (!(*s >= '0' && *s <= '9')) { err(E, e, "format specifier missing precision"); return -1; }
    prec = 0;
    while (*s >= '0' && *s <= '9' && prec < 1000) prec = prec * 10 + (*s++ - '0');
  }
  if (*s) type = *s++;
  if (*s) { err(E, e, "invalid format specifier '%s'", spec); return -1; }
  if (zero && !align) { fill = '0'; align = '='; }
  strbuf body;
  sb_init(&body);
  char signch = 0;
  int numeric = 0;
  if (!is_num(v) && v->kind != CFG_STR) {
    err(E, e, "unsupported format string passed to %s.__format__", cfgv_type_name(v));
    sb_free(&body);
    return -1;
  }
  if (v->kind == CFG_STR) {
    if (type && type != 's') { err(E, e, "unknown format code '%c' for object of type 'str'", type); sb_free(&body); return -1; }
    size_t n = v->slen;
    if (prec >= 0) n = u8_offset(v->s, v->slen, (size_t)prec);
    sb_put(&body, v->s, n);
    if (!align) align = '<';
  } else if (is_num(v)) {
    numeric = 1;
    if (!align) align = '>';
    int as_int = is_intlike(v) && (!type || strchr("dbxXoc n", type));
    if (as_int) {
      if (prec >= 0) { err(E, e, "precision not allowed in integer format specifier"); sb_free(&body); return -1; }
      long long x = v->i;
      unsigned long long m = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
      if (x < 0) signch = '-';
      else if (sign == '+') signch = '+';
      else if (sign == ' ') signch = ' ';
      char digits[80];
      int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
      if (type == 'c') { sb_free(&body); err(E, e, "format code 'c' is not supported"); return -1; }
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
        err(E, e, "unknown format code '%c' for object of type '%s'", type, cfgv_type_name(v));
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
  size_t len = u8_len(body.s ? body.s : "", body.len) + (signch ? 1 : 0);
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

static int convert(strbuf *out, cfg_value *v, char conv) {
  if (conv == 'r' || conv == 'a') cfgv_repr(out, v);
  else cfgv_tostr(out, v);
  return 0;
}

/* }====================================================================== */

/* {====================================================================== names */

/* ORDER BUILTINS */
static const char *const BUILTINS[] = {
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len",
    "list", "max", "min", "print", "range", "repr", "reversed", "round", "sorted", "str",
    "sum", "tuple", "zip", NULL};

static cfg_value *lookup(ev *E, const char *name, const cfg_expr *e) {
  for (scope *s = E->sc; s; s = s->up) {
    long i = cfgv_dict_find_str(s->vars, name);
    if (i >= 0) return s->vars->items[i];
  }
  long i = cfgv_dict_find_str(E->globals, name);
  if (i >= 0) return E->globals->items[i];
  for (int k = 0; BUILTINS[k]; k++)
    if (!strcmp(BUILTINS[k], name)) return mk_other(E, OT_BUILTIN, name, e);
  /* exec() without __name__ in globals finds the builtins module's own __name__ */
  if (!strcmp(name, "__name__")) { pos p = at(E, e); return cfgv_str(E->a, "builtins", 8, &p.v); }
  if (!strcmp(name, "__file__") || !strcmp(name, "__doc__")) return err(E, e, "name '%s' is not defined", name);
  static const char *const unsupported[] = {"map", "filter", "getattr", "setattr", "hasattr", "type", "set",
                                            "frozenset", "open", "eval", "exec", "__import__", "globals",
                                            "locals", "vars", "iter", "next", "divmod", "pow", "hex",
                                            "oct", "bin", "chr", "ord", "hash", "id", "callable", "format",
                                            "ascii", "object", "super", "property", "slice", NULL};
  for (int k = 0; unsupported[k]; k++)
    if (!strcmp(unsupported[k], name)) return err(E, e, "builtin '%s' is not supported by mmcc's config evaluator", name);
  return err(E, e, "name '%s' is not defined", name);
}

/* }====================================================================== */

/* {====================================================================== calls */

typedef struct {
  cfg_value **pos;
  size_t npos;
  cfg_value *kw;  /* dict str -> value, or NULL when none */
} args_t;

static cfg_value *kwarg(args_t *A, const char *name) {
  if (!A->kw) return NULL;
  long i = cfgv_dict_find_str(A->kw, name);
  return i < 0 ? NULL : A->kw->items[i];
}

static int no_kwargs(ev *E, args_t *A, const char *fn, const cfg_expr *e) {
  if (A->kw && A->kw->n) {
    err(E, e, "%s() takes no keyword argument '%s'", fn, A->kw->keys[0]->s);
    return -1;
  }
  return 0;
}

/* only the keyword names in allowed (NULL-terminated) */
static int only_kwargs(ev *E, args_t *A, const char *fn, const char *const *allowed, const cfg_expr *e) {
  if (!A->kw) return 0;
  for (size_t i = 0; i < A->kw->n; i++) {
    int ok = 0;
    for (int k = 0; allowed[k]; k++) if (!strcmp(allowed[k], A->kw->keys[i]->s)) ok = 1;
    if (!ok) { err(E, e, "%s() got an unexpected keyword argument '%s'", fn, A->kw->keys[i]->s); return -1; }
  }
  return 0;
}

static int nargs(ev *E, args_t *A, const char *fn, size_t lo, size_t hi, const cfg_expr *e) {
  if (A->npos < lo || A->npos > hi) {
    if (lo == hi) err(E, e, "%s() takes exactly %zu argument%s (%zu given)", fn, lo, lo == 1 ? "" : "s", A->npos);
    else err(E, e, "%s() takes from %zu to %zu arguments (%zu given)", fn, lo, hi, A->npos);
    return -1;
  }
  return 0;
}

static cfg_value *round_value(ev *E, cfg_value *x, cfg_value *nd, const cfg_expr *e) {
  pos p = at(E, e);
  if (!is_num(x)) return err(E, e, "type %s doesn't define __round__ method", cfgv_type_name(x));
  if (nd && nd->kind != CFG_NONE && !is_intlike(nd))
    return err(E, e, "'%s' object cannot be interpreted as an integer", cfgv_type_name(nd));
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
    if (__builtin_mul_overflow(q, pw, &out)) return overflow(E, e);
    return cfgv_int(E->a, out, &p.v);
  }
  double f = x->f;
  if (!has_nd) {
    if (!isfinite(f)) return err(E, e, "cannot convert float %s to integer", isnan(f) ? "NaN" : "infinity");
    double r = nearbyint(f); /* default rounding mode: half to even, as Python */
    if (fabs(r) >= 9.2233720368547758e18) return overflow(E, e);
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

static cfg_value *to_int(ev *E, cfg_value *x, cfg_value *base, const cfg_expr *e) {
  pos p = at(E, e);
  if (base && x->kind != CFG_STR) return err(E, e, "int() can't convert non-string with explicit base");
  if (is_intlike(x)) return cfgv_int(E->a, x->i, &p.v);
  if (x->kind == CFG_FLOAT) {
    if (!isfinite(x->f)) return err(E, e, "cannot convert float %s to integer", isnan(x->f) ? "NaN" : "infinity");
    double t = trunc(x->f);
    if (fabs(t) >= 9.2233720368547758e18) return overflow(E, e);
    return cfgv_int(E->a, (long long)t, &p.v);
  }
  if (x->kind == CFG_STR) {
    int b = 10;
    if (base) {
      if (!is_intlike(base)) return err(E, e, "int() base must be an integer");
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
      if (errno == ERANGE) return overflow(E, e);
      strbuf r;
      sb_init(&r);
      cfgv_repr(&r, x);
      cfg_value *res = err(E, e, "invalid literal for int() with base %d: %s", b, r.s);
      sb_free(&r);
      return res;
    }
    return cfgv_int(E->a, v, &p.v);
  }
  return err(E, e, "int() argument must be a string or a number, not '%s'", cfgv_type_name(x));
}

static cfg_value *to_float(ev *E, cfg_value *x, const cfg_expr *e) {
  pos p = at(E, e);
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
      cfg_value *res = err(E, e, "could not convert string to float: %s", r.s);
      sb_free(&r);
      return res;
    }
    return cfgv_float(E->a, v, &p.v);
  }
  return err(E, e, "float() argument must be a string or a number, not '%s'", cfgv_type_name(x));
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

static cfg_value *minmax(ev *E, args_t *A, int want_max, const cfg_expr *e) {
  const char *fn = want_max ? "max" : "min";
  static const char *const allowed[] = {"default", NULL};
  if (only_kwargs(E, A, fn, allowed, e) < 0) return NULL;
  if (A->npos == 0) return err(E, e, "%s expected at least 1 argument, got 0", fn);
  cfg_value *items;
  if (A->npos == 1) {
    if (!(items = iterate(E, A->pos[0], e))) return NULL;
  } else {
    pos p = at(E, e);
    items = cfgv_seq(E->a, CFG_LIST, A->npos, &p.v);
    for (size_t i = 0; i < A->npos; i++) items->items[i] = A->pos[i];
    items->n = A->npos;
  }
  if (items->n == 0) {
    cfg_value *d = kwarg(A, "default");
    if (d) return d;
    return err(E, e, "%s() arg is an empty sequence", fn);
  }
  cfg_value *best = items->items[0];
  for (size_t i = 1; i < items->n; i++) {
    int c = compare(E, want_max ? ">" : "<", items->items[i], best, e, 0);
    if (c == -2) return NULL;
    if ((want_max && c == 1) || (!want_max && c == -1)) best = items->items[i];
  }
  return best;
}

static int sort_values(ev *E, cfg_value **v, size_t n, const cfg_expr *e) {
  /* insertion sort: stable, and compare() may fail */
  for (size_t i = 1; i < n; i++) {
    cfg_value *x = v[i];
    size_t j = i;
    while (j > 0) {
      int c = compare(E, "<", x, v[j - 1], e, 0);
      if (c == -2) return -1;
      if (c != -1) break;
      v[j] = v[j - 1];
      j--;
    }
    v[j] = x;
  }
  return 0;
}

static cfg_value *dict_from_args(ev *E, args_t *A, const char *fn, const cfg_expr *e) {
  pos p = at(E, e);
  if (A->npos > 1) return err(E, e, "%s expected at most 1 argument, got %zu", fn, A->npos);
  cfg_value *d = cfgv_seq(E->a, CFG_DICT, 0, &p.v);
  if (A->npos == 1) {
    cfg_value *src = A->pos[0];
    if (src->kind == CFG_DICT) {
      for (size_t i = 0; i < src->n; i++) cfgv_dict_set(E->a, d, src->keys[i], src->items[i]);
    } else {
      cfg_value *items = iterate(E, src, e);
      if (!items) return NULL;
      for (size_t i = 0; i < items->n; i++) {
        cfg_value *pair = items->items[i];
        cfg_value *kv = pair->kind == CFG_STR ? iterate(E, pair, e) : pair;
        if (!kv) return NULL;
        if (!is_seq(kv) || kv->n != 2)
          return err(E, e, "dictionary update sequence element #%zu has length %zu; 2 is required", i,
                     is_seq(kv) ? kv->n : cfg_len(kv));
        if (!cfgv_is_hashable(kv->items[0])) return err(E, e, "unhashable type: '%s'", cfgv_type_name(kv->items[0]));
        cfgv_dict_set(E->a, d, kv->items[0], kv->items[1]);
      }
    }
  }
  if (A->kw)
    for (size_t i = 0; i < A->kw->n; i++) cfgv_dict_set(E->a, d, A->kw->keys[i], A->kw->items[i]);
  return d;
}

static cfg_value *call_builtin(ev *E, const char *fn, args_t *A, const cfg_expr *e) {
  pos p = at(E, e);
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
    cfg_value *items = iterate(E, A->pos[0], e);
    if (!items || sort_values(E, items->items, items->n, e) < 0) return NULL;
    cfg_value *rev = kwarg(A, "reverse");
    if (rev && cfgv_truthy(rev))
      for (size_t i = 0; i < items->n / 2; i++) {
        cfg_value *t = items->items[i];
        items->items[i] = items->items[items->n - 1 - i];
        items->items[items->n - 1 - i] = t;
      }
    return items;
  }
  if (!strcmp(fn, "enumerate")) {
    static const char *const allowed[] = {"start", NULL};
    if (only_kwargs(E, A, fn, allowed, e) < 0 || nargs(E, A, fn, 1, 2, e) < 0) return NULL;
    cfg_value *st = A->npos > 1 ? A->pos[1] : kwarg(A, "start");
    if (st && !is_intlike(st)) return err(E, e, "'%s' object cannot be interpreted as an integer", cfgv_type_name(st));
    cfg_value *items = iterate(E, A->pos[0], e);
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
      if (!(its[i] = iterate(E, A->pos[i], e))) return NULL;
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
      if (!is_intlike(A->pos[i])) return err(E, e, "'%s' object cannot be interpreted as an integer", cfgv_type_name(A->pos[i]));
    if (A->npos == 1) hi = A->pos[0]->i;
    else { lo = A->pos[0]->i; hi = A->pos[1]->i; if (A->npos == 3) st = A->pos[2]->i; }
    if (st == 0) return err(E, e, "range() arg 3 must not be zero");
    double count = st > 0 ? ceil(((double)hi - (double)lo) / (double)st) : ceil(((double)lo - (double)hi) / (double)-st);
    if (count < 0) count = 0;
    if (count > MAX_SEQ_LEN) return err(E, e, "range() too long for mmcc (%g items)", count);
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
    cfg_value *r = cfgv_str(a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  if (!strcmp(fn, "repr")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    strbuf b;
    sb_init(&b);
    cfgv_repr(&b, A->pos[0]);
    cfg_value *r = cfgv_str(a, b.s, b.len, &p.v);
    sb_free(&b);
    return r;
  }
  if (!strcmp(fn, "list") || !strcmp(fn, "tuple")) {
    if (nargs(E, A, fn, 0, 1, e) < 0) return NULL;
    cfg_value *r = A->npos ? iterate(E, A->pos[0], e) : cfgv_seq(a, CFG_LIST, 0, &p.v);
    if (!r) return NULL;
    r->kind = fn[0] == 'l' ? CFG_LIST : CFG_TUPLE;
    r->file = p.v.file; r->line = p.v.line; r->col = p.v.col;
    return r;
  }
  if (!strcmp(fn, "reversed")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    if (A->pos[0]->kind == CFG_DICT && 0) return NULL;
    cfg_value *r = iterate(E, A->pos[0], e);
    if (!r) return NULL;
    for (size_t i = 0; i < r->n / 2; i++) {
      cfg_value *t = r->items[i];
      r->items[i] = r->items[r->n - 1 - i];
      r->items[r->n - 1 - i] = t;
    }
    return r;
  }
  if (!strcmp(fn, "len")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *x = A->pos[0];
    if (x->kind == CFG_STR) return cfgv_int(a, (long long)u8_len(x->s, x->slen), &p.v);
    if (is_seq(x) || x->kind == CFG_DICT) return cfgv_int(a, (long long)x->n, &p.v);
    return err(E, e, "object of type '%s' has no len()", cfgv_type_name(x));
  }
  if (!strcmp(fn, "abs")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *x = A->pos[0];
    if (is_intlike(x)) {
      if (x->i == LLONG_MIN) return overflow(E, e);
      return cfgv_int(a, x->i < 0 ? -x->i : x->i, &p.v);
    }
    if (x->kind == CFG_FLOAT) return cfgv_float(a, fabs(x->f), &p.v);
    return err(E, e, "bad operand type for abs(): '%s'", cfgv_type_name(x));
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
    cfg_value *items = iterate(E, A->pos[0], e);
    if (!items) return NULL;
    cfg_value *acc = A->npos > 1 ? A->pos[1] : cfgv_int(a, 0, &p.v);
    if (acc->kind == CFG_STR) return err(E, e, "sum() can't sum strings [use ''.join(seq) instead]");
    for (size_t i = 0; i < items->n; i++)
      if (!(acc = binop(E, "+", acc, items->items[i], e))) return NULL;
    return acc;
  }
  if (!strcmp(fn, "all") || !strcmp(fn, "any")) {
    if (nargs(E, A, fn, 1, 1, e) < 0) return NULL;
    cfg_value *items = iterate(E, A->pos[0], e);
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
      if (m < 0) return err(E, e, "isinstance() arg 2 must be a type or tuple of types mmcc knows (int, float, bool, str, list, tuple, dict)");
      if (m) return cfgv_bool(a, 1, &p.v);
    }
    return cfgv_bool(a, 0, &p.v);
  }
  return err(E, e, "builtin '%s' is not supported", fn);
}

static cfg_value *str_method(ev *E, cfg_value *self, const char *m, args_t *A, const cfg_expr *e);
static cfg_value *dict_method(ev *E, cfg_value *self, const char *m, args_t *A, const cfg_expr *e);
static cfg_value *list_method(ev *E, cfg_value *self, const char *m, args_t *A, const cfg_expr *e);

static const char *const STR_METHODS[] = {"format", "join", "upper", "lower", "strip", "lstrip",
                                          "rstrip", "replace", "split", "startswith", "endswith",
                                          "capitalize", "title", NULL};
static const char *const DICT_METHODS[] = {"get", "keys", "values", "items", "copy", "update",
                                           "pop", "setdefault", NULL};
static const char *const LIST_METHODS[] = {"append", "extend", "insert", "pop", "index", "count",
                                           "copy", "remove", "reverse", "sort", NULL};
static const char *const TUPLE_METHODS[] = {"index", "count", NULL};

static int in_list(const char *const *l, const char *s) {
  for (int k = 0; l[k]; k++) if (!strcmp(l[k], s)) return 1;
  return 0;
}

static cfg_value *call(ev *E, cfg_value *fn, args_t *A, const cfg_expr *e) {
  if (fn->kind != CFG_OTHER) return err(E, e, "'%s' object is not callable", cfgv_type_name(fn));
  switch (fn->other) {
    case OT_BUILTIN: return call_builtin(E, fn->s, A, e);
    case OT_FUNCTION:
      if (!strcmp(fn->s, "copy.deepcopy") || !strcmp(fn->s, "copy.copy")) {
        if (no_kwargs(E, A, fn->s, e) < 0 || nargs(E, A, fn->s, 1, 2, e) < 0) return NULL;
        cfg_value *x = A->pos[0];
        if (fn->s[5] == 'd') {
          cfg_value *r = cfgv_deepcopy(E->a, x, 0);
          return r ? r : err(E, e, "value nested too deeply to copy (circular reference?)");
        }
        if (x->kind == CFG_LIST || x->kind == CFG_DICT) {
          pos p = at(E, e);
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
      return err(E, e, "function '%s' is not supported", fn->s);
    case OT_METHOD:
      if (fn->self->kind == CFG_STR) return str_method(E, fn->self, fn->s, A, e);
      if (fn->self->kind == CFG_DICT) return dict_method(E, fn->self, fn->s, A, e);
      return list_method(E, fn->self, fn->s, A, e);
    case OT_MODULE:
      return err(E, e, "'module' object is not callable");
    case OT_IMPORTED:
    default:
      return err(E, e, "cannot call '%s': it comes from a Python package, which mmcc does not import", fn->s);
  }
}

/* }====================================================================== */

/* {====================================================================== methods */

static cfg_value *str_format(ev *E, cfg_value *self, args_t *A, const cfg_expr *e) {
  pos p = at(E, e);
  strbuf out;
  sb_init(&out);
  const char *s = self->s;
  size_t n = self->slen, auto_idx = 0;
  int used_auto = 0, used_manual = 0;
  for (size_t i = 0; i < n;) {
    char c = s[i];
    if (c == '{' && i + 1 < n && s[i + 1] == '{') { sb_putc(&out, '{'); i += 2; continue; }
    if (c == '}' && i + 1 < n && s[i + 1] == '}') { sb_putc(&out, '}'); i += 2; continue; }
    if (c == '}') { sb_free(&out); return err(E, e, "Single '}' encountered in format string"); }
    if (c != '{') { sb_putc(&out, c); i++; continue; }
    size_t j = i + 1;
    int depth = 1;
    while (j < n && depth) { if (s[j] == '{') depth++; else if (s[j] == '}') depth--; if (depth) j++; }
    if (j >= n) { sb_free(&out); return err(E, e, "Single '{' encountered in format string"); }
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
      if (used_manual) { sb_free(&out); return err(E, e, "cannot switch from manual field specification to automatic field numbering"); }
      used_auto = 1;
      if (auto_idx >= A->npos) { sb_free(&out); return err(E, e, "Replacement index %zu out of range for positional args tuple", auto_idx); }
      v = A->pos[auto_idx++];
    } else if (field[0] >= '0' && field[0] <= '9') {
      if (used_auto) { sb_free(&out); return err(E, e, "cannot switch from automatic field numbering to manual field specification"); }
      used_manual = 1;
      size_t idx = (size_t)strtoul(field, NULL, 10);
      if (idx >= A->npos) { sb_free(&out); return err(E, e, "Replacement index %zu out of range for positional args tuple", idx); }
      v = A->pos[idx];
    } else {
      char save = field[nl];
      field[nl] = 0;
      v = kwarg(A, field);
      if (!v) { sb_free(&out); return err(E, e, "KeyError: '%s' in str.format()", field); }
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
        if (idx < 0) { sb_free(&out); return err(E, e, "'%s' object has no attribute '%s'", cfgv_type_name(v), q); }
        v = v->items[idx];
        q[k] = save;
        q += k;
      } else {
        q++;
        char *close = strchr(q, ']');
        if (!close) { sb_free(&out); return err(E, e, "Missing ']' in format string"); }
        *close = 0;
        int numeric = *q && strspn(q, "0123456789") == strlen(q);
        if (numeric && is_seq(v)) {
          size_t idx = (size_t)strtoul(q, NULL, 10);
          if (idx >= v->n) { sb_free(&out); return err(E, e, "index out of range in str.format()"); }
          v = v->items[idx];
        } else if (v->kind == CFG_DICT) {
          long idx = numeric ? -1 : cfgv_dict_find_str(v, q);
          if (numeric) {
            pos kp = at(E, e);
            idx = cfgv_dict_find(v, cfgv_int(E->a, strtoll(q, NULL, 10), &kp.v));
          }
          if (idx < 0) { sb_free(&out); return err(E, e, "KeyError: '%s' in str.format()", q); }
          v = v->items[idx];
        } else {
          sb_free(&out);
          return err(E, e, "'%s' object is not subscriptable", cfgv_type_name(v));
        }
        q = close + 1;
      }
    }
    cfg_value *shown = v;
    if (conv) {
      if (!strchr("rsa", conv)) { sb_free(&out); return err(E, e, "Unknown conversion specifier %c", conv); }
      strbuf c;
      sb_init(&c);
      convert(&c, v, conv);
      shown = cfgv_str(E->a, c.s ? c.s : "", c.len, &p.v);
      sb_free(&c);
    }
    if (spec && strchr(spec, '{')) { sb_free(&out); return err(E, e, "nested replacement fields in format specs are not supported"); }
    if (format_value(E, &out, shown, spec ? spec : "", e) < 0) { sb_free(&out); return NULL; }
  }
  cfg_value *r = cfgv_str(E->a, out.s ? out.s : "", out.len, &p.v);
  sb_free(&out);
  return r;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static cfg_value *str_method(ev *E, cfg_value *self, const char *m, args_t *A, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_arena *a = E->a;
  if (!strcmp(m, "format")) return str_format(E, self, A, e);
  if (no_kwargs(E, A, m, e) < 0) return NULL;
  const char *s = self->s;
  size_t n = self->slen;
  if (!strcmp(m, "join")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    cfg_value *items = iterate(E, A->pos[0], e);
    if (!items) return NULL;
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < items->n; i++) {
      if (items->items[i]->kind != CFG_STR) {
        sb_free(&b);
        return err(E, e, "sequence item %zu: expected str instance, %s found", i, cfgv_type_name(items->items[i]));
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
    if (chars && chars->kind != CFG_STR) return err(E, e, "%s arg must be None or str", m);
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
    if (old->kind != CFG_STR || new->kind != CFG_STR) return err(E, e, "replace() arguments must be str");
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
    if (sep && (sep->kind != CFG_STR || sep->slen == 0)) return err(E, e, sep->kind == CFG_STR ? "empty separator" : "must be str or None");
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
      if (pre->kind != CFG_STR) return err(E, e, "%s first arg must be str or a tuple of str", m);
      if (pre->slen <= n && !memcmp(m[0] == 's' ? s : s + n - pre->slen, pre->s, pre->slen)) return cfgv_bool(a, 1, &p.v);
    }
    return cfgv_bool(a, 0, &p.v);
  }
  return err(E, e, "'str' method '%s' is not supported", m);
}

static cfg_value *store_value(ev *E, cfg_value *container, cfg_value *v, const cfg_expr *e) {
  if (container->kind == CFG_DICT && container->cfgdict) {
    cfg_value *h = cfgv_hook(E->a, v, 0);
    if (!h) return err(E, e, "value nested too deeply (circular reference?)");
    return h;
  }
  return v;
}

/* ConfigDict.update merges nested dicts (mmengine config.py ConfigDict.update); dict.update
 * replaces. */
static int dict_update(ev *E, cfg_value *self, cfg_value *other, const cfg_expr *e, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) { err(E, e, "value nested too deeply"); return -1; }
  for (size_t i = 0; i < other->n; i++) {
    cfg_value *k = other->keys[i], *v = other->items[i];
    long j = cfgv_dict_find(self, k);
    if (self->cfgdict && j >= 0 && self->items[j]->kind == CFG_DICT && v->kind == CFG_DICT) {
      if (dict_update(E, self->items[j], v, e, depth + 1) < 0) return -1;
    } else {
      cfg_value *s = store_value(E, self, v, e);
      if (!s) return -1;
      cfgv_dict_set(E->a, self, k, s);
    }
  }
  return 0;
}

static cfg_value *dict_method(ev *E, cfg_value *self, const char *m, args_t *A, const cfg_expr *e) {
  pos p = at(E, e);
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
    if (!cfgv_is_hashable(A->pos[0])) return err(E, e, "unhashable type: '%s'", cfgv_type_name(A->pos[0]));
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
    if (m[0] == 'p') {
      strbuf b;
      sb_init(&b);
      cfgv_repr(&b, A->pos[0]);
      cfg_value *r = err(E, e, "KeyError: %s", b.s);
      sb_free(&b);
      return r;
    }
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

static int seq_index(ev *E, cfg_value *seq, cfg_value *idx, size_t *out, const cfg_expr *e, int for_insert) {
  if (!is_intlike(idx)) {
    err(E, e, "%s indices must be integers or slices, not %s", cfgv_type_name(seq), cfgv_type_name(idx));
    return -1;
  }
  long long n = seq->kind == CFG_STR ? (long long)u8_len(seq->s, seq->slen) : (long long)seq->n;
  long long i = idx->i;
  if (i < 0) i += n;
  if (for_insert) {
    if (i < 0) i = 0;
    if (i > n) i = n;
  } else if (i < 0 || i >= n) {
    err(E, e, "%s index out of range", cfgv_type_name(seq));
    return -1;
  }
  *out = (size_t)i;
  return 0;
}

static cfg_value *list_method(ev *E, cfg_value *self, const char *m, args_t *A, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_arena *a = E->a;
  if (!strcmp(m, "sort")) {
    static const char *const allowed[] = {"reverse", NULL};
    if (only_kwargs(E, A, m, allowed, e) < 0 || nargs(E, A, m, 0, 0, e) < 0) return NULL;
    if (sort_values(E, self->items, self->n, e) < 0) return NULL;
    cfg_value *rev = kwarg(A, "reverse");
    if (rev && cfgv_truthy(rev))
      for (size_t i = 0; i < self->n / 2; i++) {
        cfg_value *t = self->items[i];
        self->items[i] = self->items[self->n - 1 - i];
        self->items[self->n - 1 - i] = t;
      }
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
    if (m[0] == 'i') return err(E, e, "%s.index(x): x not in %s", cfgv_type_name(self), cfgv_type_name(self));
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
    if (self->n >= MAX_SEQ_LEN) return err(E, e, "list too long");
    cfgv_push(a, self, A->pos[0]);
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(m, "extend")) {
    if (nargs(E, A, m, 1, 1, e) < 0) return NULL;
    cfg_value *items = iterate(E, A->pos[0], e);
    if (!items) return NULL;
    if (self->n + items->n > MAX_SEQ_LEN) return err(E, e, "list too long");
    for (size_t i = 0; i < items->n; i++) cfgv_push(a, self, items->items[i]);
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(m, "insert")) {
    if (nargs(E, A, m, 2, 2, e) < 0) return NULL;
    size_t i;
    if (seq_index(E, self, A->pos[0], &i, e, 1) < 0) return NULL;
    cfgv_push(a, self, A->pos[1]);
    memmove(self->items + i + 1, self->items + i, (self->n - 1 - i) * sizeof *self->items);
    self->items[i] = A->pos[1];
    return cfgv_none(a, &p.v);
  }
  if (!strcmp(m, "pop")) {
    if (nargs(E, A, m, 0, 1, e) < 0) return NULL;
    if (self->n == 0) return err(E, e, "pop from empty list");
    size_t i = self->n - 1;
    if (A->npos && seq_index(E, self, A->pos[0], &i, e, 0) < 0) return NULL;
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
    return err(E, e, "list.remove(x): x not in list");
  }
  if (!strcmp(m, "reverse")) {
    if (nargs(E, A, m, 0, 0, e) < 0) return NULL;
    for (size_t i = 0; i < self->n / 2; i++) {
      cfg_value *t = self->items[i];
      self->items[i] = self->items[self->n - 1 - i];
      self->items[self->n - 1 - i] = t;
    }
    return cfgv_none(a, &p.v);
  }
  return err(E, e, "'%s' method '%s' is not supported", cfgv_type_name(self), m);
}

/* }====================================================================== */

/* {====================================================================== expressions */

static cfg_value *get_attr(ev *E, cfg_value *v, const char *name, const cfg_expr *e) {
  const char *const *methods = v->kind == CFG_STR ? STR_METHODS : v->kind == CFG_DICT ? DICT_METHODS
                             : v->kind == CFG_LIST ? LIST_METHODS : v->kind == CFG_TUPLE ? TUPLE_METHODS : NULL;
  if (methods && in_list(methods, name)) {
    cfg_value *m = mk_other(E, OT_METHOD, name, e);
    m->self = v;
    return m;
  }
  if (v->kind == CFG_DICT && v->cfgdict) {
    long i = cfgv_dict_find_str(v, name);
    if (i >= 0) return v->items[i];
    return err(E, e, "'ConfigDict' object has no attribute '%s'", name);
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
    return err(E, e, "'%s' object has no attribute '%s'%s", cfgv_type_name(v), name,
               v->kind == CFG_DICT ? " (attribute access works on dicts from _base_ only, as in mmengine)" : "");
  return err(E, e, "'%s' object has no attribute '%s'", cfgv_type_name(v), name);
}

static int slice_bound(ev *E, const cfg_expr *x, long long *out, const cfg_expr *e) {
  if (!x) return 0;
  cfg_value *v = eval(E, x);
  if (!v) return -1;
  if (v->kind == CFG_NONE) return 0;
  if (!is_intlike(v)) { err(E, e, "slice indices must be integers or None"); return -1; }
  *out = v->i;
  return 1;
}

static cfg_value *do_slice(ev *E, cfg_value *v, const cfg_expr *sl, const cfg_expr *e) {
  pos p = at(E, e);
  long long lo = 0, hi = 0, st = 1;
  int has_lo, has_hi, has_st;
  if ((has_lo = slice_bound(E, sl->a, &lo, e)) < 0 || (has_hi = slice_bound(E, sl->b, &hi, e)) < 0 ||
      (has_st = slice_bound(E, sl->c, &st, e)) < 0)
    return NULL;
  if (!has_st) st = 1;
  if (st == 0) return err(E, e, "slice step cannot be zero");
  if (!is_seq(v) && v->kind != CFG_STR) return err(E, e, "'%s' object is not subscriptable", cfgv_type_name(v));
  long long n = v->kind == CFG_STR ? (long long)u8_len(v->s, v->slen) : (long long)v->n;
  /* PySlice_AdjustIndices */
  if (!has_lo) lo = st < 0 ? n - 1 : 0;
  else { if (lo < 0) { lo += n; if (lo < 0) lo = st < 0 ? -1 : 0; } else if (lo >= n) lo = st < 0 ? n - 1 : n; }
  if (!has_hi) hi = st < 0 ? -1 : n;
  else { if (hi < 0) { hi += n; if (hi < 0) hi = st < 0 ? -1 : 0; } else if (hi >= n) hi = st < 0 ? n - 1 : n; }
  if (v->kind == CFG_STR) {
    strbuf b;
    sb_init(&b);
    for (long long i = lo; st > 0 ? i < hi : i > hi; i += st) {
      size_t s0 = u8_offset(v->s, v->slen, (size_t)i), s1 = u8_offset(v->s, v->slen, (size_t)i + 1);
      sb_put(&b, v->s + s0, s1 - s0);
    }
    cfg_value *r = cfgv_str(E->a, b.s ? b.s : "", b.len, &p.v);
    sb_free(&b);
    return r;
  }
  cfg_value *r = cfgv_seq(E->a, v->kind, 0, &p.v);
  for (long long i = lo; st > 0 ? i < hi : i > hi; i += st) cfgv_push(E->a, r, v->items[i]);
  return r;
}

static cfg_value *subscript(ev *E, cfg_value *v, cfg_value *k, const cfg_expr *e) {
  if (v->kind == CFG_DICT) {
    if (!cfgv_is_hashable(k)) return err(E, e, "unhashable type: '%s'", cfgv_type_name(k));
    long i = cfgv_dict_find(v, k);
    if (i < 0) {
      strbuf b;
      sb_init(&b);
      cfgv_repr(&b, k);
      cfg_value *r = err(E, e, "KeyError: %s", b.s);
      sb_free(&b);
      return r;
    }
    return v->items[i];
  }
  if (is_seq(v) || v->kind == CFG_STR) {
    size_t i;
    if (seq_index(E, v, k, &i, e, 0) < 0) return NULL;
    if (v->kind == CFG_STR) {
      pos p = at(E, e);
      size_t s0 = u8_offset(v->s, v->slen, i), s1 = u8_offset(v->s, v->slen, i + 1);
      return cfgv_str(E->a, v->s + s0, s1 - s0, &p.v);
    }
    return v->items[i];
  }
  return err(E, e, "'%s' object is not subscriptable", cfgv_type_name(v));
}

/* items of a display with *unpacking */
static cfg_value *eval_items(ev *E, cfg_ex_kind kind, cfg_expr **items, int n, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_value *r = cfgv_seq(E->a, kind == EX_LIST ? CFG_LIST : CFG_TUPLE, (size_t)n, &p.v);
  for (int k = 0; k < n; k++) {
    if (items[k]->kind == EX_STARRED) {
      cfg_value *v = eval(E, items[k]->a);
      cfg_value *it = v ? iterate(E, v, items[k]) : NULL;
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

static int assign(ev *E, const cfg_expr *target, cfg_value *v);

static int comp_loop(ev *E, const cfg_expr *c, int g, cfg_value *out) {
  if (g == c->ngens) {
    if (c->kind == EX_DICTCOMP) {
      cfg_value *k = eval(E, c->a);
      cfg_value *v = k ? eval(E, c->b) : NULL;
      if (!v) return -1;
      if (!cfgv_is_hashable(k)) { err(E, c->a, "unhashable type: '%s'", cfgv_type_name(k)); return -1; }
      cfgv_dict_set(E->a, out, k, v);
    } else {
      cfg_value *v = eval(E, c->a);
      if (!v) return -1;
      if (out->n >= MAX_SEQ_LEN) { err(E, c, "comprehension too long"); return -1; }
      cfgv_push(E->a, out, v);
    }
    return 0;
  }
  const cfg_comp_for *f = &c->gens[g];
  cfg_value *src = eval(E, f->iter);
  cfg_value *items = src ? iterate(E, src, f->iter) : NULL;
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

static cfg_value *eval_comp(ev *E, const cfg_expr *e) {
  pos p = at(E, e);
  if (e->kind == EX_SETCOMP) return err(E, e, "set comprehensions are not supported (sets are not JSON values)");
  scope sc = {E->sc, cfgv_seq(E->a, CFG_DICT, 0, &p.v)};
  E->sc = &sc;
  cfg_value *out = cfgv_seq(E->a, e->kind == EX_DICTCOMP ? CFG_DICT : CFG_LIST, 0, &p.v);
  int r = comp_loop(E, e, 0, out);
  E->sc = sc.up;
  return r < 0 ? NULL : out;
}

static cfg_value *eval_call(ev *E, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_value *fn = eval(E, e->a);
  if (!fn) return NULL;
  args_t A = {0};
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
      cfg_value *it = iterate(E, v, e->items[k]);
      if (!it) return NULL;
      cfg_value **np = cfg_arena_alloc(E->a, (A.npos + it->n + cap) * sizeof *np);
      memcpy(np, A.pos, A.npos * sizeof *np);
      memcpy(np + A.npos, it->items, it->n * sizeof *np);
      A.pos = np;
      A.npos += it->n;
      cap = A.npos + cap;
    } else {
      if (!A.kw) A.kw = cfgv_seq(E->a, CFG_DICT, 0, &p.v);
      if (!strcmp(name, "**")) {
        if (v->kind != CFG_DICT) return err(E, e->items[k], "argument after ** must be a mapping, not %s", cfgv_type_name(v));
        for (size_t i = 0; i < v->n; i++) {
          if (v->keys[i]->kind != CFG_STR) return err(E, e->items[k], "keywords must be strings");
          if (cfgv_dict_find(A.kw, v->keys[i]) >= 0)
            return err(E, e->items[k], "got multiple values for keyword argument '%s'", v->keys[i]->s);
          cfgv_dict_set(E->a, A.kw, v->keys[i], v->items[i]);
        }
      } else {
        if (cfgv_dict_find_str(A.kw, name) >= 0) return err(E, e->items[k], "keyword argument repeated: %s", name);
        cfgv_dict_set_str(E->a, A.kw, name, v);
      }
    }
  }
  return call(E, fn, &A, e);
}

static cfg_value *eval_fstring(ev *E, const cfg_expr *e) {
  pos p = at(E, e);
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
      convert(&c, v, part->str[0]);
      v = cfgv_str(E->a, c.s ? c.s : "", c.len, &p.v);
      sb_free(&c);
    }
    const char *spec = "";
    if (part->b) {
      cfg_value *sv = eval_fstring(E, part->b);
      if (!sv) { sb_free(&b); return NULL; }
      spec = sv->s;
    }
    if (format_value(E, &b, v, spec, part) < 0) { sb_free(&b); return NULL; }
  }
  cfg_value *r = cfgv_str(E->a, b.s ? b.s : "", b.len, &p.v);
  sb_free(&b);
  return r;
}

static cfg_value *eval_inner(ev *E, const cfg_expr *e) {
  pos p = at(E, e);
  cfg_arena *a = E->a;
  switch (e->kind) {
    case EX_INT: return cfgv_int(a, e->i, &p.v);
    case EX_FLOAT: return cfgv_float(a, e->f, &p.v);
    case EX_STR: return cfgv_str(a, e->str, e->len, &p.v);
    case EX_NONE: return cfgv_none(a, &p.v);
    case EX_TRUE: return cfgv_bool(a, 1, &p.v);
    case EX_FALSE: return cfgv_bool(a, 0, &p.v);
    case EX_ELLIPSIS: return err(E, e, "Ellipsis is not supported");
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
    case EX_SLICE: return err(E, e, "slice outside of a subscript");
    case EX_CALL: return eval_call(E, e);
    case EX_LIST: case EX_TUPLE: return eval_items(E, e->kind, e->items, e->n, e);
    case EX_SET: return err(E, e, "sets are not supported (not JSON values)");
    case EX_DICT: {
      cfg_value *d = cfgv_seq(a, CFG_DICT, (size_t)e->n, &p.v);
      for (int k = 0; k < e->n; k++) {
        if (!e->items[k]) {
          cfg_value *m = eval(E, e->vals[k]);
          if (!m) return NULL;
          if (m->kind != CFG_DICT) return err(E, e->vals[k], "'%s' object is not a mapping", cfgv_type_name(m));
          for (size_t i = 0; i < m->n; i++) cfgv_dict_set(a, d, m->keys[i], m->items[i]);
          continue;
        }
        cfg_value *key = eval(E, e->items[k]);
        cfg_value *val = key ? eval(E, e->vals[k]) : NULL;
        if (!val) return NULL;
        if (!cfgv_is_hashable(key)) return err(E, e->items[k], "unhashable type: '%s'", cfgv_type_name(key));
        cfgv_dict_set(a, d, key, val);
      }
      return d;
    }
    case EX_LISTCOMP: case EX_SETCOMP: case EX_GENEXP: case EX_DICTCOMP: return eval_comp(E, e);
    case EX_BINOP: {
      cfg_value *x = eval(E, e->a);
      cfg_value *y = x ? eval(E, e->b) : NULL;
      return y ? binop(E, e->str, x, y, e) : NULL;
    }
    case EX_UNARY: {
      if (!strcmp(e->str, "await")) return err(E, e, "'await' is not supported in a config file");
      cfg_value *x = eval(E, e->a);
      if (!x) return NULL;
      if (!strcmp(e->str, "not")) return cfgv_bool(a, !cfgv_truthy(x), &p.v);
      if (e->str[0] == '-') {
        if (is_intlike(x)) { if (x->i == LLONG_MIN) return overflow(E, e); return cfgv_int(a, -x->i, &p.v); }
        if (x->kind == CFG_FLOAT) return cfgv_float(a, -x->f, &p.v);
      } else if (e->str[0] == '+') {
        if (is_intlike(x)) return cfgv_int(a, x->i, &p.v);
        if (x->kind == CFG_FLOAT) return cfgv_float(a, x->f, &p.v);
      } else if (is_intlike(x)) {
        return cfgv_int(a, ~x->i, &p.v);
      }
      return err(E, e, "bad operand type for unary %s: '%s'", e->str, cfgv_type_name(x));
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
          int c = compare(E, op, x, y, e, 0);
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
    case EX_FIELD: return err(E, e, "internal: f-string field outside an f-string");
    case EX_STARRED: return err(E, e, "can't use starred expression here");
    case EX_LAMBDA: return err(E, e, "lambda is not supported in a config file (mmengine drops functions)");
  }
  return err(E, e, "internal: unknown expression");
}

static cfg_value *eval(ev *E, const cfg_expr *e) {
  if (++E->depth > MAX_EVAL_DEPTH) {
    E->depth--;
    return err(E, e, "expression nested too deeply");
  }
  cfg_value *v = eval_inner(E, e);
  E->depth--;
  return v;
}

/* }====================================================================== */

/* {====================================================================== statements */

static int bind_name(ev *E, const char *name, cfg_value *v) {
  cfg_value *vars = E->sc ? E->sc->vars : E->globals;
  pos p;
  memset(&p, 0, sizeof p);
  p.v.file = v->file;
  p.v.line = v->line;
  p.v.col = v->col;
  long i = cfgv_dict_find_str(vars, name);
  if (i >= 0) vars->items[i] = v;
  else cfgv_dict_set(E->a, vars, cfgv_str(E->a, name, strlen(name), &p.v), v);
  return 0;
}

static int assign(ev *E, const cfg_expr *t, cfg_value *v) {
  switch (t->kind) {
    case EX_NAME: return bind_name(E, t->str, v);
    case EX_ATTR: {
      cfg_value *obj = eval(E, t->a);
      if (!obj) return -1;
      if (obj->kind == CFG_DICT && obj->cfgdict) {
        cfg_value *s = store_value(E, obj, v, t);
        if (!s) return -1;
        cfgv_dict_set_str(E->a, obj, t->str, s);
        return 0;
      }
      err(E, t, "'%s' object has no attribute '%s'%s", cfgv_type_name(obj), t->str,
          obj->kind == CFG_DICT ? " (attribute assignment works on dicts from _base_ only, as in mmengine)" : "");
      return -1;
    }
    case EX_SUBSCRIPT: {
      cfg_value *obj = eval(E, t->a);
      if (!obj) return -1;
      if (t->b->kind == EX_SLICE) { err(E, t, "slice assignment is not supported"); return -1; }
      cfg_value *k = eval(E, t->b);
      if (!k) return -1;
      if (obj->kind == CFG_DICT) {
        if (!cfgv_is_hashable(k)) { err(E, t->b, "unhashable type: '%s'", cfgv_type_name(k)); return -1; }
        cfg_value *s = store_value(E, obj, v, t);
        if (!s) return -1;
        cfgv_dict_set(E->a, obj, k, s);
        return 0;
      }
      if (obj->kind == CFG_LIST) {
        size_t i;
        if (seq_index(E, obj, k, &i, t, 0) < 0) return -1;
        obj->items[i] = v;
        return 0;
      }
      err(E, t, "'%s' object does not support item assignment", cfgv_type_name(obj));
      return -1;
    }
    case EX_TUPLE: case EX_LIST: {
      cfg_value *items = iterate(E, v, t);
      if (!items) return -1;
      for (int k = 0; k < t->n; k++)
        if (t->items[k]->kind == EX_STARRED) { err(E, t->items[k], "starred assignment is not supported"); return -1; }
      if (items->n != (size_t)t->n) {
        err(E, t, items->n > (size_t)t->n ? "too many values to unpack (expected %d)" : "not enough values to unpack (expected %d)", t->n);
        return -1;
      }
      for (int k = 0; k < t->n; k++)
        if (assign(E, t->items[k], items->items[k]) < 0) return -1;
      return 0;
    }
    default:
      err(E, t, "cannot assign to this expression");
      return -1;
  }
}

static int aug_assign(ev *E, const cfg_stmt *s) {
  const cfg_expr *t = s->targets[0];
  cfg_value *obj = NULL, *key = NULL, *cur;
  if (t->kind == EX_NAME) {
    if (!(cur = lookup(E, t->str, t))) return -1;
  } else if (t->kind == EX_ATTR) {
    if (!(obj = eval(E, t->a)) || !(cur = get_attr(E, obj, t->str, t))) return -1;
  } else {
    if (t->b->kind == EX_SLICE) { err(E, t, "slice assignment is not supported"); return -1; }
    if (!(obj = eval(E, t->a)) || !(key = eval(E, t->b)) || !(cur = subscript(E, obj, key, t))) return -1;
  }
  cfg_value *rhs = eval(E, s->value);
  if (!rhs) return -1;
  cfg_value *res;
  if (cur->kind == CFG_LIST && !strcmp(s->op, "+")) {
    /* list += iterable extends in place: every alias sees it */
    cfg_value *items = iterate(E, rhs, s->value);
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
    if (!(res = binop(E, s->op, cur, rhs, &where))) return -1;
  }
  if (t->kind == EX_NAME) return bind_name(E, t->str, res);
  if (t->kind == EX_ATTR) {
    if (!(obj->kind == CFG_DICT && obj->cfgdict)) {
      err(E, t, "'%s' object has no attribute '%s'", cfgv_type_name(obj), t->str);
      return -1;
    }
    cfg_value *sv = store_value(E, obj, res, t);
    if (!sv) return -1;
    cfgv_dict_set_str(E->a, obj, t->str, sv);
    return 0;
  }
  if (obj->kind == CFG_DICT) {
    cfg_value *sv = store_value(E, obj, res, t);
    if (!sv) return -1;
    cfgv_dict_set(E->a, obj, key, sv);
    return 0;
  }
  if (obj->kind == CFG_LIST) {
    size_t i;
    if (seq_index(E, obj, key, &i, t, 0) < 0) return -1;
    obj->items[i] = res;
    return 0;
  }
  err(E, t, "'%s' object does not support item assignment", cfgv_type_name(obj));
  return -1;
}

static int exec_block(ev *E, cfg_stmt **stmts, int n);

static int is_base_assign(const cfg_stmt *s) {
  return s->kind == ST_ASSIGN && s->targets[0]->kind == EX_NAME && !strcmp(s->targets[0]->str, "_base_");
}

static int exec_stmt(ev *E, const cfg_stmt *s) {
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
          err(E, &here, "'from %s import *' is not supported", s->module);
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
      err(E, &here, "%s is not supported in a config file (mmcc evaluates the Python subset mmengine configs use)", s->what);
      return -1;
  }
  return 0;
}

static int exec_block(ev *E, cfg_stmt **stmts, int n) {
  for (int k = 0; k < n; k++)
    if (exec_stmt(E, stmts[k]) < 0) return -1;
  return 0;
}

int cfg_eval_module(cfg_arena *a, const char *file, const cfg_module *m, cfg_value *globals,
                    int skip_base_assign) {
  ev E;
  memset(&E, 0, sizeof E);
  E.a = a;
  E.file = file;
  E.globals = globals;
  E.skip_base = skip_base_assign;
  return exec_block(&E, m->stmts, m->n);
}

cfg_value *cfg_eval_expr(cfg_arena *a, const char *file, const cfg_expr *e) {
  ev E;
  memset(&E, 0, sizeof E);
  E.a = a;
  E.file = file;
  E.globals = cfgv_seq(a, CFG_DICT, 0, NULL);
  return eval(&E, e);
}

/* }====================================================================== */
