/* cfg_value.c: config values: construction, Python equality/repr, copies with mmengine's
 * ConfigDict rules, the read-only accessors of cfg.h and JSON output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_value_impl.h"

/* {====================================================================== construction */

cfg_value *cfgv_new(cfg_arena *a, cfg_kind k, const char *file, int line, int col) {
  cfg_value *v = cfg_arena_alloc(a, sizeof *v);
  v->kind = k;
  v->file = file;
  v->line = line;
  v->col = col;
  return v;
}

static cfg_value *at_new(cfg_arena *a, cfg_kind k, const cfg_value *at) {
  return at ? cfgv_new(a, k, at->file, at->line, at->col) : cfgv_new(a, k, NULL, 0, 0);
}

cfg_value *cfgv_int(cfg_arena *a, long long v, const cfg_value *at) {
  cfg_value *r = at_new(a, CFG_INT, at);
  r->i = v;
  return r;
}

cfg_value *cfgv_float(cfg_arena *a, double v, const cfg_value *at) {
  cfg_value *r = at_new(a, CFG_FLOAT, at);
  r->f = v;
  return r;
}

cfg_value *cfgv_bool(cfg_arena *a, int v, const cfg_value *at) {
  cfg_value *r = at_new(a, CFG_BOOL, at);
  r->i = v != 0;
  return r;
}

cfg_value *cfgv_none(cfg_arena *a, const cfg_value *at) { return at_new(a, CFG_NONE, at); }

cfg_value *cfgv_str(cfg_arena *a, const char *s, size_t n, const cfg_value *at) {
  cfg_value *r = at_new(a, CFG_STR, at);
  r->s = cfg_arena_strndup(a, s, n);
  r->slen = n;
  return r;
}

cfg_value *cfgv_seq(cfg_arena *a, cfg_kind k, size_t cap, const cfg_value *at) {
  cfg_value *r = at_new(a, k, at);
  if (cap) {
    r->items = cfg_arena_alloc(a, cap * sizeof *r->items);
    if (k == CFG_DICT) r->keys = cfg_arena_alloc(a, cap * sizeof *r->keys);
    r->cap = cap;
  }
  return r;
}

static void grow(cfg_arena *a, cfg_value *s) {
  size_t cap = s->cap ? s->cap * 2 : 4;
  cfg_value **items = cfg_arena_alloc(a, cap * sizeof *items);
  if (s->n) memcpy(items, s->items, s->n * sizeof *items);
  s->items = items;
  if (s->kind == CFG_DICT) {
    cfg_value **keys = cfg_arena_alloc(a, cap * sizeof *keys);
    if (s->n) memcpy(keys, s->keys, s->n * sizeof *keys);
    s->keys = keys;
  }
  s->cap = cap;
}

void cfgv_push(cfg_arena *a, cfg_value *seq, cfg_value *item) {
  if (seq->n == seq->cap) grow(a, seq);
  seq->items[seq->n++] = item;
}

long cfgv_dict_find(const cfg_value *d, const cfg_value *key) {
  for (size_t i = 0; i < d->n; i++)
    if (cfgv_equal(d->keys[i], key)) return (long)i;
  return -1;
}

long cfgv_dict_find_str(const cfg_value *d, const char *key) {
  size_t n = strlen(key);
  for (size_t i = 0; i < d->n; i++)
    if (d->keys[i]->kind == CFG_STR && d->keys[i]->slen == n && !memcmp(d->keys[i]->s, key, n))
      return (long)i;
  return -1;
}

void cfgv_dict_set(cfg_arena *a, cfg_value *d, cfg_value *key, cfg_value *val) {
  long i = cfgv_dict_find(d, key);
  if (i >= 0) { d->items[i] = val; return; }
  if (d->n == d->cap) grow(a, d);
  d->keys[d->n] = key;
  d->items[d->n++] = val;
}

void cfgv_dict_set_str(cfg_arena *a, cfg_value *d, const char *key, cfg_value *val) {
  cfgv_dict_set(a, d, cfgv_str(a, key, strlen(key), val), val);
}

void cfgv_dict_remove(cfg_value *d, size_t idx) {
  memmove(d->keys + idx, d->keys + idx + 1, (d->n - idx - 1) * sizeof *d->keys);
  memmove(d->items + idx, d->items + idx + 1, (d->n - idx - 1) * sizeof *d->items);
  d->n--;
}

/* }====================================================================== */

/* {====================================================================== Python semantics */

static int is_num(const cfg_value *v) { return v->kind == CFG_INT || v->kind == CFG_FLOAT || v->kind == CFG_BOOL; }

int cfgv_is_hashable(const cfg_value *v) {
  if (v->kind == CFG_LIST || v->kind == CFG_DICT) return 0;
  if (v->kind == CFG_TUPLE)
    for (size_t i = 0; i < v->n; i++)
      if (!cfgv_is_hashable(v->items[i])) return 0;
  return 1;
}

static int equal_depth(const cfg_value *a, const cfg_value *b, int depth) {
  if (a == b) return 1;
  if (depth > CFG_MAX_VALUE_DEPTH) return 0;
  if (is_num(a) && is_num(b)) {
    if (a->kind != CFG_FLOAT && b->kind != CFG_FLOAT) return a->i == b->i;
    double x = a->kind == CFG_FLOAT ? a->f : (double)a->i;
    double y = b->kind == CFG_FLOAT ? b->f : (double)b->i;
    return x == y;
  }
  if (a->kind != b->kind) return 0;
  switch (a->kind) {
    case CFG_NONE: return 1;
    case CFG_STR: return a->slen == b->slen && !memcmp(a->s, b->s, a->slen);
    case CFG_LIST: case CFG_TUPLE:
      if (a->n != b->n) return 0;
      for (size_t i = 0; i < a->n; i++)
        if (!equal_depth(a->items[i], b->items[i], depth + 1)) return 0;
      return 1;
    case CFG_DICT:
      if (a->n != b->n) return 0;
      for (size_t i = 0; i < a->n; i++) {
        long j = cfgv_dict_find(b, a->keys[i]);
        if (j < 0 || !equal_depth(a->items[i], b->items[j], depth + 1)) return 0;
      }
      return 1;
    case CFG_OTHER:
      return a->other == b->other && a->other != OT_METHOD && a->s && b->s && !strcmp(a->s, b->s);
    default: return 0;
  }
}

int cfgv_equal(const cfg_value *a, const cfg_value *b) { return equal_depth(a, b, 0); }

int cfgv_truthy(const cfg_value *v) {
  switch (v->kind) {
    case CFG_NONE: return 0;
    case CFG_BOOL: case CFG_INT: return v->i != 0;
    case CFG_FLOAT: return v->f != 0;
    case CFG_STR: return v->slen != 0;
    case CFG_LIST: case CFG_TUPLE: case CFG_DICT: return v->n != 0;
    default: return 1;
  }
}

const char *cfgv_type_name(const cfg_value *v) {
  if (v->kind == CFG_DICT && v->cfgdict) return "ConfigDict";
  if (v->kind == CFG_OTHER) {
    switch (v->other) {
      case OT_MODULE: return "module";
      case OT_BUILTIN: return "builtin_function_or_method";
      case OT_METHOD: return "method";
      default: return "function";
    }
  }
  return cfg_kind_name(v->kind);
}

static void repr_str(strbuf *b, const char *s, size_t n) {
  int has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
  char q = has_sq && !has_dq ? '"' : '\'';
  sb_putc(b, q);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\') sb_puts(b, "\\\\");
    else if (c == (unsigned char)q) { sb_putc(b, '\\'); sb_putc(b, q); }
    else if (c == '\n') sb_puts(b, "\\n");
    else if (c == '\r') sb_puts(b, "\\r");
    else if (c == '\t') sb_puts(b, "\\t");
    else if (c < 0x20 || c == 0x7f) sb_printf(b, "\\x%02x", c);
    else sb_putc(b, (char)c);
  }
  sb_putc(b, q);
}

/* containers being printed, to print a self-reference as [...] / {...} like Python */
typedef struct { const cfg_value *open[CFG_MAX_VALUE_DEPTH + 2]; } repr_stack;

static void repr_depth(strbuf *b, const cfg_value *v, int depth, repr_stack *st) {
  if (b->len > CFG_MAX_REPR_BYTES) return;  /* the caller sees the length and fails */
  if (depth > CFG_MAX_VALUE_DEPTH) { sb_puts(b, "..."); return; }
  if (v->kind == CFG_LIST || v->kind == CFG_TUPLE || v->kind == CFG_DICT) {
    for (int k = 0; k < depth; k++)
      if (st->open[k] == v) {
        sb_puts(b, v->kind == CFG_LIST ? "[...]" : v->kind == CFG_DICT ? "{...}" : "(...)");
        return;
      }
    st->open[depth] = v;
  } else {
    st->open[depth] = NULL;
  }
  char buf[32];
  switch (v->kind) {
    case CFG_NONE: sb_puts(b, "None"); break;
    case CFG_BOOL: sb_puts(b, v->i ? "True" : "False"); break;
    case CFG_INT: sb_printf(b, "%lld", v->i); break;
    case CFG_FLOAT: fmt_py_float(buf, v->f); sb_puts(b, buf); break;
    case CFG_STR: repr_str(b, v->s, v->slen); break;
    case CFG_LIST: case CFG_TUPLE:
      sb_putc(b, v->kind == CFG_LIST ? '[' : '(');
      for (size_t i = 0; i < v->n; i++) {
        if (i) sb_puts(b, ", ");
        repr_depth(b, v->items[i], depth + 1, st);
      }
      if (v->kind == CFG_TUPLE && v->n == 1) sb_putc(b, ',');
      sb_putc(b, v->kind == CFG_LIST ? ']' : ')');
      break;
    case CFG_DICT:
      sb_putc(b, '{');
      for (size_t i = 0; i < v->n; i++) {
        if (i) sb_puts(b, ", ");
        repr_depth(b, v->keys[i], depth + 1, st);
        sb_puts(b, ": ");
        repr_depth(b, v->items[i], depth + 1, st);
      }
      sb_putc(b, '}');
      break;
    case CFG_OTHER:
      if (v->other == OT_MODULE) sb_printf(b, "<module '%s'>", v->s);
      else sb_printf(b, "<%s %s>", cfgv_type_name(v), v->s ? v->s : "?");
      break;
  }
}

void cfgv_repr(strbuf *b, const cfg_value *v) {
  repr_stack *st = xmalloc(sizeof *st);
  repr_depth(b, v, 0, st);
  free(st);
}

void cfgv_tostr(strbuf *b, const cfg_value *v) {
  if (v->kind == CFG_STR) sb_put(b, v->s, v->slen);
  else cfgv_repr(b, v);
}

/* How copy_tree treats dicts (see cfgv_deepcopy, cfgv_hook, cfgv_to_configdict). */
typedef enum { COPY_DEEP, COPY_HOOK, COPY_TO_CONFIGDICT } copy_mode;

/* V with its lists, tuples and dicts rebuilt (keys and scalars shared); NULL when nested
 * deeper than CFG_MAX_VALUE_DEPTH or when the *budget of values is used up. COPY_DEEP keeps
 * each dict's ConfigDict-ness, the other modes make every rebuilt dict a ConfigDict;
 * COPY_HOOK keeps a ConfigDict as it is. */
static cfg_value *copy_tree(cfg_arena *a, const cfg_value *v, int depth, copy_mode mode,
                            size_t *budget) {
  if (depth > CFG_MAX_VALUE_DEPTH) return NULL;
  if (v->kind != CFG_LIST && v->kind != CFG_TUPLE && v->kind != CFG_DICT) return (cfg_value *)v;
  if (mode == COPY_HOOK && v->kind == CFG_DICT && v->cfgdict) return (cfg_value *)v;
  if (*budget <= v->n) return NULL;
  *budget -= v->n + 1;
  cfg_value *r = cfgv_seq(a, v->kind, v->n, v);
  r->cfgdict = mode == COPY_DEEP ? v->cfgdict : v->kind == CFG_DICT;
  for (size_t i = 0; i < v->n; i++) {
    cfg_value *x = copy_tree(a, v->items[i], depth + 1, mode, budget);
    if (!x) return NULL;
    if (v->kind == CFG_DICT) r->keys[i] = v->keys[i];
    r->items[i] = x;
  }
  r->n = v->n;
  return r;
}

cfg_value *cfgv_deepcopy(cfg_arena *a, const cfg_value *v, int depth) {
  size_t budget = CFG_MAX_EXPANDED;
  return copy_tree(a, v, depth, COPY_DEEP, &budget);
}

cfg_value *cfgv_hook(cfg_arena *a, cfg_value *v, int depth) {
  size_t budget = CFG_MAX_EXPANDED;
  return copy_tree(a, v, depth, COPY_HOOK, &budget);
}

cfg_value *cfgv_to_configdict(cfg_arena *a, cfg_value *v, int depth) {
  size_t budget = CFG_MAX_EXPANDED;
  return copy_tree(a, v, depth, COPY_TO_CONFIGDICT, &budget);
}

/* A string counts one value per 16 bytes written out: [s] * 1000000 of a long s is small to
 * build but long to print. */
static void count_tree(const cfg_value *v, int depth, size_t *n, size_t limit) {
  if (depth > CFG_MAX_VALUE_DEPTH || *n > limit) return;
  if (v->kind == CFG_STR) *n += v->slen / 16;
  if (v->kind != CFG_LIST && v->kind != CFG_TUPLE && v->kind != CFG_DICT) return;
  *n += v->n + 1;
  for (size_t i = 0; i < v->n && *n <= limit; i++) count_tree(v->items[i], depth + 1, n, limit);
}

size_t cfgv_expanded(const cfg_value *v, size_t limit) {
  size_t n = 0;
  count_tree(v, 0, &n, limit);
  return n;
}

int cfgv_depth(const cfg_value *v, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) return depth;
  int m = depth;
  if (v->kind == CFG_LIST || v->kind == CFG_TUPLE || v->kind == CFG_DICT)
    for (size_t i = 0; i < v->n; i++) {
      int d = cfgv_depth(v->items[i], depth + 1);
      if (d > m) m = d;
      if (m > CFG_MAX_VALUE_DEPTH) break;
    }
  return m;
}

/* }====================================================================== */

/* {====================================================================== cfg.h accessors */

void cfg_free(cfg_value *root) {
  if (root) cfg_arena_free(root->arena);
}

cfg_kind cfg_kind_of(const cfg_value *v) { return v ? v->kind : CFG_NONE; }

const char *cfg_kind_name(cfg_kind k) {
  /* ORDER CFG_KIND */
  static const char *const names[] = {"NoneType", "bool", "int", "float", "str", "list", "tuple", "dict", "object"};
  return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

const cfg_value *cfg_get(const cfg_value *d, const char *key) {
  if (!d || d->kind != CFG_DICT) return NULL;
  long i = cfgv_dict_find_str(d, key);
  return i < 0 ? NULL : d->items[i];
}

const cfg_value *cfg_lookup(const cfg_value *root, const char *dotted) {
  const cfg_value *v = root;
  const char *p = dotted;
  char part[256];
  while (v && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof part) return NULL;
    memcpy(part, p, n);
    part[n] = 0;
    v = cfg_get(v, part);
    p += n + (dot ? 1 : 0);
  }
  return v;
}

const char *cfg_key_at(const cfg_value *d, size_t i) {
  if (!d || d->kind != CFG_DICT || i >= d->n || d->keys[i]->kind != CFG_STR) return NULL;
  return d->keys[i]->s;
}

size_t cfg_len(const cfg_value *v) {
  if (!v) return 0;
  if (v->kind == CFG_LIST || v->kind == CFG_TUPLE || v->kind == CFG_DICT) return v->n;
  if (v->kind == CFG_STR) return v->slen;
  return 0;
}

const cfg_value *cfg_at(const cfg_value *v, size_t i) {
  if (!v || (v->kind != CFG_LIST && v->kind != CFG_TUPLE && v->kind != CFG_DICT) || i >= v->n) return NULL;
  return v->items[i];
}

int cfg_bool(const cfg_value *v) { return v ? cfgv_truthy(v) : 0; }

long long cfg_int(const cfg_value *v) {
  if (!v) return 0;
  if (v->kind == CFG_INT || v->kind == CFG_BOOL) return v->i;
  if (v->kind == CFG_FLOAT && isfinite(v->f) && fabs(v->f) < 9.2e18) return (long long)v->f;
  return 0;
}

double cfg_num(const cfg_value *v) {
  if (!v) return 0;
  if (v->kind == CFG_INT || v->kind == CFG_BOOL) return (double)v->i;
  if (v->kind == CFG_FLOAT) return v->f;
  return 0;
}

const char *cfg_str(const cfg_value *v) { return v && v->kind == CFG_STR ? v->s : NULL; }
const char *cfg_file(const cfg_value *v) { return v ? v->file : NULL; }
int cfg_line(const cfg_value *v) { return v ? v->line : 0; }
int cfg_col(const cfg_value *v) { return v ? v->col : 0; }

/* }====================================================================== */

/* {====================================================================== JSON */

/* Floats as Python's json.dumps writes them: repr, and NaN/Infinity/-Infinity. */
static void json_float(strbuf *b, double f) {
  if (isnan(f)) { sb_puts(b, "NaN"); return; }
  if (isinf(f)) { sb_puts(b, f < 0 ? "-Infinity" : "Infinity"); return; }
  char buf[32];
  fmt_py_float(buf, f);
  sb_puts(b, buf);
}

/* json.dumps turns non-string keys into strings: 1 -> "1", True -> "true", None -> "null". */
static void json_key(strbuf *b, const cfg_value *k) {
  strbuf t;
  sb_init(&t);
  switch (k->kind) {
    case CFG_STR: json_put_string(b, k->s, k->slen); sb_free(&t); return;
    case CFG_BOOL: sb_puts(&t, k->i ? "true" : "false"); break;
    case CFG_NONE: sb_puts(&t, "null"); break;
    case CFG_INT: sb_printf(&t, "%lld", k->i); break;
    case CFG_FLOAT: json_float(&t, k->f); break;
    default: cfgv_repr(&t, k);
  }
  json_put_string(b, t.s ? t.s : "", t.len);
  sb_free(&t);
}

static void newline(strbuf *b, int indent, int level) {
  sb_putc(b, '\n');
  for (int i = 0; i < indent * level; i++) sb_putc(b, ' ');
}

static void to_json(const cfg_value *v, strbuf *b, int indent, int level) {
  if (level > CFG_MAX_VALUE_DEPTH) { sb_puts(b, "null"); return; }
  switch (v->kind) {
    case CFG_NONE: sb_puts(b, "null"); break;
    case CFG_BOOL: sb_puts(b, v->i ? "true" : "false"); break;
    case CFG_INT: sb_printf(b, "%lld", v->i); break;
    case CFG_FLOAT: json_float(b, v->f); break;
    case CFG_STR: json_put_string(b, v->s, v->slen); break;
    case CFG_LIST: case CFG_TUPLE:
      sb_putc(b, '[');
      for (size_t i = 0; i < v->n; i++) {
        if (i) sb_putc(b, ',');
        if (indent > 0) newline(b, indent, level + 1);
        else if (i) sb_putc(b, ' ');
        to_json(v->items[i], b, indent, level + 1);
      }
      if (indent > 0 && v->n) newline(b, indent, level);
      sb_putc(b, ']');
      break;
    case CFG_DICT: {
      sb_putc(b, '{');
      int first = 1;
      for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->kind == CFG_OTHER) continue;
        if (!first) sb_putc(b, ',');
        if (indent > 0) newline(b, indent, level + 1);
        else if (!first) sb_putc(b, ' ');
        first = 0;
        json_key(b, v->keys[i]);
        sb_puts(b, ": ");
        to_json(v->items[i], b, indent, level + 1);
      }
      if (indent > 0 && !first) newline(b, indent, level);
      sb_putc(b, '}');
      break;
    }
    case CFG_OTHER: sb_puts(b, "null"); break;
  }
}

void cfg_to_json(const cfg_value *v, strbuf *out, int indent) {
  if (!v) { sb_puts(out, "null"); return; }
  to_json(v, out, indent, 0);
}

/* }====================================================================== */
