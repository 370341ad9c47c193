/* cfg_parse.c: recursive-descent parser for the Python subset of mmengine config files.
 * Grammar follows CPython's (Grammar/python.gram, 3.8-era LL(1) form); error messages give
 * file:line:col of the offending token. */
#include "cfg_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 150

typedef struct {
  cfg_arena *a;
  const char *file;
  cfg_token *toks;
  long n, pos;
  int depth;
} parser;

/* ORDER KEYWORDS: Python's reserved words (never names). */
static const char *const KEYWORDS[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
    "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
    "try", "while", "with", "yield", NULL};

static int is_keyword(const cfg_token *t) {
  if (t->kind != TK_NAME) return 0;
  for (int k = 0; KEYWORDS[k]; k++)
    if (!strcmp(t->text, KEYWORDS[k])) return 1;
  return 0;
}

static cfg_token *peek(parser *p) { return &p->toks[p->pos]; }
static cfg_token *peek2(parser *p) { return &p->toks[p->pos + 1 < p->n ? p->pos + 1 : p->pos]; }
static cfg_token *next(parser *p) {
  cfg_token *t = &p->toks[p->pos];
  if (p->pos + 1 < p->n) p->pos++;
  return t;
}

static int is_op(const cfg_token *t, const char *op) { return t->kind == TK_OP && !strcmp(t->text, op); }
static int is_kw(const cfg_token *t, const char *kw) { return t->kind == TK_NAME && !strcmp(t->text, kw); }

static void describe(const cfg_token *t, char *buf, size_t n) {
  switch (t->kind) {
    case TK_EOF: snprintf(buf, n, "end of file"); break;
    case TK_NEWLINE: snprintf(buf, n, "end of line"); break;
    case TK_INDENT: snprintf(buf, n, "indent"); break;
    case TK_DEDENT: snprintf(buf, n, "dedent"); break;
    case TK_STRING: snprintf(buf, n, "string literal"); break;
    default: snprintf(buf, n, "'%.40s'", t->text);
  }
}

static void *perr(parser *p, const cfg_token *t, const char *what) {
  char d[64];
  describe(t, d, sizeof d);
  diag_error(p->file, t->line, t->col, "invalid syntax: %s (near %s)", what, d);
  return NULL;
}

static int expect_op(parser *p, const char *op) {
  if (is_op(peek(p), op)) { next(p); return 0; }
  char msg[48];
  snprintf(msg, sizeof msg, "expected '%s'", op);
  perr(p, peek(p), msg);
  return -1;
}

static cfg_expr *mk(parser *p, cfg_ex_kind k, const cfg_token *at) {
  cfg_expr *e = cfg_arena_alloc(p->a, sizeof *e);
  e->kind = k;
  e->line = at->line;
  e->col = at->col;
  return e;
}

/* growable arrays of pointers in the arena */
typedef struct { void **v; int n, cap; } vec;
static void vpush(parser *p, vec *v, void *x) {
  if (v->n == v->cap) {
    int cap = v->cap ? v->cap * 2 : 4;
    void **nv = cfg_arena_alloc(p->a, (size_t)cap * sizeof *nv);
    if (v->n) memcpy(nv, v->v, (size_t)v->n * sizeof *nv);
    v->v = nv;
    v->cap = cap;
  }
  v->v[v->n++] = x;
}

static cfg_expr *parse_test(parser *p);
static cfg_expr *parse_or_expr(parser *p);
static cfg_expr *parse_or_test(parser *p);
static cfg_expr *parse_atom_expr(parser *p);

static int enter(parser *p) {
  if (++p->depth > MAX_DEPTH) {
    perr(p, peek(p), "expression nested too deeply");
    return -1;
  }
  return 0;
}

/* {====================================================================== f-strings */

static cfg_expr *fstring_parts(parser *p, const cfg_token *at, const char *s, size_t n, int raw,
                               int nest);

static cfg_expr *fstr_literal(parser *p, const cfg_token *at, strbuf *lit, int raw) {
  cfg_expr *e = mk(p, EX_STR, at);
  char *out;
  size_t outlen, bad;
  if (cfg_lex_unescape(p->a, lit->s ? lit->s : "", lit->len, raw, &out, &outlen, &bad) < 0) {
    diag_error(p->file, at->line, at->col, "malformed escape sequence in f-string");
    return NULL;
  }
  e->str = out;
  e->len = outlen;
  lit->len = 0;
  if (lit->s) lit->s[0] = 0;
  return e;
}

static cfg_expr *fstring_parts(parser *p, const cfg_token *at, const char *s, size_t n, int raw,
                               int nest) {
  if (nest > 2) { diag_error(p->file, at->line, at->col, "f-string nested too deeply"); return NULL; }
  cfg_expr *f = mk(p, EX_FSTRING, at);
  vec parts = {0};
  strbuf lit;
  sb_init(&lit);
  size_t i = 0;
  while (i < n) {
    char c = s[i];
    if (c == '{' && i + 1 < n && s[i + 1] == '{') { sb_putc(&lit, '{'); i += 2; continue; }
    if (c == '}' && i + 1 < n && s[i + 1] == '}') { sb_putc(&lit, '}'); i += 2; continue; }
    if (c == '}') { sb_free(&lit); diag_error(p->file, at->line, at->col, "f-string: single '}' is not allowed"); return NULL; }
    if (c != '{') {
      sb_putc(&lit, c);
      if (c == '\\' && i + 1 < n) sb_putc(&lit, s[++i]);
      i++;
      continue;
    }
    if (lit.len) {
      cfg_expr *l = fstr_literal(p, at, &lit, raw);
      if (!l) { sb_free(&lit); return NULL; }
      vpush(p, &parts, l);
    }
    /* a field: expression up to '!', ':' or '}' at depth 0 outside quotes */
    size_t start = ++i;
    int depth = 0;
    char quote = 0;
    for (; i < n; i++) {
      char d = s[i];
      if (quote) { if (d == quote) quote = 0; continue; }
      if (d == '\'' || d == '"') quote = d;
      else if (d == '(' || d == '[' || d == '{') depth++;
      else if ((d == ')' || d == ']' || d == '}') && depth > 0) depth--;
      else if (depth == 0 && (d == '}' || d == ':' || (d == '!' && !(i + 1 < n && s[i + 1] == '=')))) break;
    }
    if (i >= n) { sb_free(&lit); diag_error(p->file, at->line, at->col, "f-string: expecting '}'"); return NULL; }
    cfg_expr *field = mk(p, EX_FIELD, at);
    field->str = "";
    field->a = cfg_parse_expr_text(p->a, p->file, s + start, i - start, at->line, at->col);
    if (!field->a) { sb_free(&lit); return NULL; }
    if (s[i] == '!') {
      if (i + 1 >= n || !strchr("rsa", s[i + 1]) || s[i + 1] == 0) {
        sb_free(&lit);
        diag_error(p->file, at->line, at->col, "f-string: invalid conversion character");
        return NULL;
      }
      field->str = s[i + 1] == 'r' ? "r" : s[i + 1] == 's' ? "s" : "a";
      i += 2;
    }
    if (i < n && s[i] == ':') {
      size_t ss = ++i;
      int d2 = 0;
      for (; i < n; i++) {
        if (s[i] == '{') d2++;
        else if (s[i] == '}') { if (d2 == 0) break; d2--; }
      }
      if (i >= n) { sb_free(&lit); diag_error(p->file, at->line, at->col, "f-string: expecting '}'"); return NULL; }
      field->b = fstring_parts(p, at, s + ss, i - ss, raw, nest + 1);
      if (!field->b) { sb_free(&lit); return NULL; }
    }
    if (i >= n || s[i] != '}') { sb_free(&lit); diag_error(p->file, at->line, at->col, "f-string: expecting '}'"); return NULL; }
    i++;
    vpush(p, &parts, field);
  }
  if (lit.len) {
    cfg_expr *l = fstr_literal(p, at, &lit, raw);
    if (!l) { sb_free(&lit); return NULL; }
    vpush(p, &parts, l);
  }
  sb_free(&lit);
  f->items = (cfg_expr **)parts.v;
  f->n = parts.n;
  return f;
}

/* }====================================================================== */

/* {====================================================================== expressions */

static cfg_expr *parse_strings(parser *p) {
  cfg_token *first = peek(p);
  vec parts = {0};
  int any_f = 0;
  strbuf plain;
  sb_init(&plain);
  while (peek(p)->kind == TK_STRING) {
    cfg_token *t = next(p);
    if (t->fstring) {
      any_f = 1;
      cfg_expr *f = fstring_parts(p, t, t->text, t->len, t->raw, 0);
      if (!f) { sb_free(&plain); return NULL; }
      for (int k = 0; k < f->n; k++) vpush(p, &parts, f->items[k]);
    } else {
      cfg_expr *s = mk(p, EX_STR, t);
      s->str = t->text;
      s->len = t->len;
      vpush(p, &parts, s);
      sb_put(&plain, t->text, t->len);
    }
  }
  if (!any_f) {
    cfg_expr *s = mk(p, EX_STR, first);
    s->str = cfg_arena_strndup(p->a, plain.s ? plain.s : "", plain.len);
    s->len = plain.len;
    sb_free(&plain);
    return s;
  }
  sb_free(&plain);
  cfg_expr *f = mk(p, EX_FSTRING, first);
  f->items = (cfg_expr **)parts.v;
  f->n = parts.n;
  return f;
}

static cfg_expr *parse_number(parser *p) {
  cfg_token *t = next(p);
  char *clean = cfg_arena_alloc(p->a, t->len + 1);
  size_t k = 0;
  for (size_t i = 0; i < t->len; i++)
    if (t->text[i] != '_') clean[k++] = t->text[i];
  clean[k] = 0;
  if (t->kind == TK_FLOAT) {
    cfg_expr *e = mk(p, EX_FLOAT, t);
    e->f = strtod(clean, NULL);
    return e;
  }
  cfg_expr *e = mk(p, EX_INT, t);
  int base = 10;
  const char *digits = clean;
  if (clean[0] == '0' && clean[1]) {
    char b = (char)(clean[1] | 32);
    if (b == 'x') base = 16;
    else if (b == 'o') base = 8;
    else if (b == 'b') base = 2;
    else {
      for (const char *q = clean; *q; q++)
        if (*q != '0') return perr(p, t, "leading zeros in decimal integer literals are not permitted");
    }
    if (base != 10) digits = clean + 2;
  }
  if (!*digits) return perr(p, t, "invalid number literal");
  errno = 0;
  char *end;
  unsigned long long v = strtoull(digits, &end, base);
  if (*end) return perr(p, t, "invalid number literal");
  if (errno == ERANGE || v > (unsigned long long)9223372036854775807LL) {
    diag_error(p->file, t->line, t->col, "integer literal %s does not fit in 64 bits", t->text);
    return NULL;
  }
  e->i = (long long)v;
  return e;
}

static cfg_expr *parse_comp_fors(parser *p, cfg_expr *e);
static cfg_expr *parse_star_or_test(parser *p);

/* exprlist as a for-target: expr (',' expr)* [','] -> name or tuple */
static cfg_expr *parse_target_list(parser *p) {
  cfg_token *at = peek(p);
  vec items = {0};
  int comma = 0;
  for (;;) {
    cfg_expr *e;
    if (is_op(peek(p), "*")) {
      cfg_token *s = next(p);
      e = mk(p, EX_STARRED, s);
      if (!(e->a = parse_or_expr(p))) return NULL;
    } else if (!(e = parse_or_expr(p))) return NULL;
    vpush(p, &items, e);
    if (!is_op(peek(p), ",")) break;
    next(p);
    comma = 1;
    if (is_kw(peek(p), "in") || is_op(peek(p), "=")) break;
  }
  if (!comma) return items.v[0];
  cfg_expr *t = mk(p, EX_TUPLE, at);
  t->items = (cfg_expr **)items.v;
  t->n = items.n;
  return t;
}

static cfg_expr *parse_comp_fors(parser *p, cfg_expr *e) {
  vec gens = {0};
  while (is_kw(peek(p), "for") || is_kw(peek(p), "async")) {
    if (is_kw(peek(p), "async")) return perr(p, peek(p), "async comprehensions are not supported");
    next(p);
    cfg_comp_for *g = cfg_arena_alloc(p->a, sizeof *g);
    if (!(g->target = parse_target_list(p))) return NULL;
    if (!is_kw(peek(p), "in")) return perr(p, peek(p), "expected 'in'");
    next(p);
    if (!(g->iter = parse_or_test(p))) return NULL;
    vec conds = {0};
    while (is_kw(peek(p), "if")) {
      next(p);
      cfg_expr *c = parse_or_test(p);
      if (!c) return NULL;
      vpush(p, &conds, c);
    }
    g->conds = (cfg_expr **)conds.v;
    g->nconds = conds.n;
    vpush(p, &gens, g);
  }
  /* gens holds pointers to cfg_comp_for; flatten into an array of structs */
  e->ngens = gens.n;
  e->gens = cfg_arena_alloc(p->a, (size_t)gens.n * sizeof *e->gens);
  for (int k = 0; k < gens.n; k++) e->gens[k] = *(cfg_comp_for *)gens.v[k];
  return e;
}

static cfg_expr *parse_star_or_test(parser *p) {
  if (is_op(peek(p), "*")) {
    cfg_token *s = next(p);
    cfg_expr *e = mk(p, EX_STARRED, s);
    if (!(e->a = parse_or_expr(p))) return NULL;
    return e;
  }
  return parse_test(p);
}

/* The contents of ( ) or [ ] after the opening bracket, up to the closing one. */
static cfg_expr *parse_seq_display(parser *p, cfg_token *open, const char *close, cfg_ex_kind kind) {
  vec items = {0};
  int comma = 0;
  while (!is_op(peek(p), close)) {
    cfg_expr *e = parse_star_or_test(p);
    if (!e) return NULL;
    if (items.n == 0 && (is_kw(peek(p), "for") || is_kw(peek(p), "async"))) {
      if (e->kind == EX_STARRED) return perr(p, peek(p), "iterable unpacking cannot be used in comprehension");
      cfg_expr *c = mk(p, kind == EX_LIST ? EX_LISTCOMP : EX_GENEXP, open);
      c->a = e;
      if (!parse_comp_fors(p, c)) return NULL;
      if (expect_op(p, close) < 0) return NULL;
      return c;
    }
    vpush(p, &items, e);
    if (!is_op(peek(p), ",")) break;
    next(p);
    comma = 1;
  }
  if (expect_op(p, close) < 0) return NULL;
  if (kind == EX_TUPLE && items.n == 1 && !comma) {
    cfg_expr *only = items.v[0];
    if (only->kind == EX_STARRED) return perr(p, open, "cannot use starred expression here");
    return only; /* parenthesized expression */
  }
  cfg_expr *e = mk(p, kind, open);
  e->items = (cfg_expr **)items.v;
  e->n = items.n;
  return e;
}

static cfg_expr *parse_brace(parser *p, cfg_token *open) {
  vec keys = {0}, vals = {0};
  int is_set = -1; /* unknown until the first item */
  while (!is_op(peek(p), "}")) {
    cfg_expr *k = NULL, *v = NULL;
    if (is_op(peek(p), "**")) {
      if (is_set == 1) return perr(p, peek(p), "'**' in a set display");
      next(p);
      is_set = 0;
      if (!(v = parse_or_expr(p))) return NULL;
    } else {
      if (!(k = parse_star_or_test(p))) return NULL;
      if (is_op(peek(p), ":")) {
        if (is_set == 1 || k->kind == EX_STARRED) return perr(p, peek(p), "unexpected ':'");
        next(p);
        is_set = 0;
        if (!(v = parse_test(p))) return NULL;
      } else {
        if (is_set == 0) return perr(p, peek(p), "expected ':'");
        is_set = 1;
      }
    }
    if (keys.n == 0 && is_kw(peek(p), "for")) {
      cfg_expr *c = mk(p, is_set ? EX_SETCOMP : EX_DICTCOMP, open);
      if (!k) return perr(p, peek(p), "dict unpacking cannot be used in dict comprehension");
      c->a = k;
      c->b = v;
      if (!parse_comp_fors(p, c)) return NULL;
      if (expect_op(p, "}") < 0) return NULL;
      return c;
    }
    vpush(p, &keys, k);
    vpush(p, &vals, v);
    if (!is_op(peek(p), ",")) break;
    next(p);
  }
  if (expect_op(p, "}") < 0) return NULL;
  cfg_expr *e = mk(p, is_set == 1 ? EX_SET : EX_DICT, open);
  e->items = (cfg_expr **)keys.v;
  e->vals = (cfg_expr **)vals.v;
  e->n = keys.n;
  return e;
}

static cfg_expr *parse_atom(parser *p) {
  cfg_token *t = peek(p);
  switch (t->kind) {
    case TK_INT: case TK_FLOAT: return parse_number(p);
    case TK_STRING: return parse_strings(p);
    case TK_NAME: {
      if (is_kw(t, "None")) { next(p); return mk(p, EX_NONE, t); }
      if (is_kw(t, "True")) { next(p); return mk(p, EX_TRUE, t); }
      if (is_kw(t, "False")) { next(p); return mk(p, EX_FALSE, t); }
      if (is_keyword(t)) return perr(p, t, "unexpected keyword");
      next(p);
      cfg_expr *e = mk(p, EX_NAME, t);
      e->str = t->text;
      e->len = t->len;
      return e;
    }
    case TK_OP:
      if (is_op(t, "(")) { next(p); return parse_seq_display(p, t, ")", EX_TUPLE); }
      if (is_op(t, "[")) { next(p); return parse_seq_display(p, t, "]", EX_LIST); }
      if (is_op(t, "{")) { next(p); return parse_brace(p, t); }
      if (is_op(t, "...")) { next(p); return mk(p, EX_ELLIPSIS, t); }
      return perr(p, t, "expected an expression");
    default:
      return perr(p, t, "expected an expression");
  }
}

static cfg_expr *parse_subscript(parser *p) {
  cfg_token *at = peek(p);
  cfg_expr *lo = NULL, *hi = NULL, *st = NULL;
  if (!is_op(peek(p), ":")) {
    if (!(lo = parse_star_or_test(p))) return NULL;
    if (!is_op(peek(p), ":")) return lo;
  }
  next(p); /* ':' */
  if (!is_op(peek(p), ":") && !is_op(peek(p), "]") && !is_op(peek(p), ","))
    if (!(hi = parse_test(p))) return NULL;
  if (is_op(peek(p), ":")) {
    next(p);
    if (!is_op(peek(p), "]") && !is_op(peek(p), ","))
      if (!(st = parse_test(p))) return NULL;
  }
  cfg_expr *s = mk(p, EX_SLICE, at);
  s->a = lo;
  s->b = hi;
  s->c = st;
  return s;
}

static cfg_expr *parse_call(parser *p, cfg_expr *fn, cfg_token *open) {
  cfg_expr *c = mk(p, EX_CALL, open);
  c->line = fn->line;
  c->col = fn->col;
  c->a = fn;
  vec args = {0}, names = {0};
  int seen_kw = 0;
  while (!is_op(peek(p), ")")) {
    cfg_token *t = peek(p);
    const char *name = NULL;
    cfg_expr *e;
    if (is_op(t, "*") || is_op(t, "**")) {
      next(p);
      name = t->text[1] ? "**" : "*";
      if (!(e = parse_test(p))) return NULL;
      if (name[1]) seen_kw = 1;
    } else if (t->kind == TK_NAME && is_op(peek2(p), "=") && !is_keyword(t)) {
      next(p);
      next(p);
      name = t->text;
      if (!(e = parse_test(p))) return NULL;
      seen_kw = 1;
    } else {
      if (!(e = parse_test(p))) return NULL;
      if (is_kw(peek(p), "for")) {
        cfg_expr *g = mk(p, EX_GENEXP, t);
        g->a = e;
        if (!parse_comp_fors(p, g)) return NULL;
        e = g;
      }
      if (seen_kw) return perr(p, t, "positional argument follows keyword argument");
    }
    vpush(p, &args, e);
    vpush(p, &names, (void *)name);
    if (!is_op(peek(p), ",")) break;
    next(p);
  }
  if (expect_op(p, ")") < 0) return NULL;
  c->items = (cfg_expr **)args.v;
  c->ops = (const char **)names.v;
  c->n = args.n;
  return c;
}

static cfg_expr *parse_atom_expr(parser *p) {
  if (is_kw(peek(p), "await")) {
    /* parsed (it may appear in a block that never runs); evaluating it is an error */
    cfg_token *t = next(p);
    if (enter(p) < 0) return NULL;
    cfg_expr *u = mk(p, EX_UNARY, t);
    u->str = "await";
    u->a = parse_atom_expr(p);
    p->depth--;
    return u->a ? u : NULL;
  }
  cfg_expr *e = parse_atom(p);
  while (e) {
    cfg_token *t = peek(p);
    if (is_op(t, "(")) {
      next(p);
      if (enter(p) < 0) return NULL;
      e = parse_call(p, e, t);
      p->depth--;
    } else if (is_op(t, "[")) {
      next(p);
      if (enter(p) < 0) return NULL;
      cfg_expr *s = mk(p, EX_SUBSCRIPT, t);
      s->line = e->line;
      s->col = e->col;
      s->a = e;
      vec items = {0};
      int comma = 0;
      for (;;) {
        cfg_expr *x = parse_subscript(p);
        if (!x) return NULL;
        vpush(p, &items, x);
        if (!is_op(peek(p), ",")) break;
        next(p);
        comma = 1;
        if (is_op(peek(p), "]")) break;
      }
      if (expect_op(p, "]") < 0) return NULL;
      p->depth--;
      if (comma) {
        cfg_expr *tup = mk(p, EX_TUPLE, t);
        tup->items = (cfg_expr **)items.v;
        tup->n = items.n;
        s->b = tup;
      } else {
        s->b = items.v[0];
      }
      e = s;
    } else if (is_op(t, ".")) {
      next(p);
      cfg_token *name = peek(p);
      if (name->kind != TK_NAME || is_keyword(name)) return perr(p, name, "expected an attribute name");
      next(p);
      cfg_expr *at = mk(p, EX_ATTR, name);
      at->line = e->line;
      at->col = e->col;
      at->a = e;
      at->str = name->text;
      at->len = name->len;
      e = at;
    } else {
      break;
    }
  }
  return e;
}

static cfg_expr *parse_factor(parser *p);

static cfg_expr *parse_power(parser *p) {
  cfg_expr *e = parse_atom_expr(p);
  if (e && is_op(peek(p), "**")) {
    cfg_token *t = next(p);
    cfg_expr *b = mk(p, EX_BINOP, t);
    b->line = e->line;
    b->col = e->col;
    b->str = "**";
    b->a = e;
    if (!(b->b = parse_factor(p))) return NULL;
    return b;
  }
  return e;
}

static cfg_expr *parse_factor(parser *p) {
  cfg_token *t = peek(p);
  if (is_op(t, "-") || is_op(t, "+") || is_op(t, "~")) {
    next(p);
    if (enter(p) < 0) return NULL;
    cfg_expr *u = mk(p, EX_UNARY, t);
    u->str = t->text;
    u->a = parse_factor(p);
    p->depth--;
    return u->a ? u : NULL;
  }
  return parse_power(p);
}

typedef cfg_expr *(*sub_parser)(parser *);

static cfg_expr *parse_binary(parser *p, sub_parser sub, const char *const *ops) {
  cfg_expr *e = sub(p);
  while (e) {
    cfg_token *t = peek(p);
    int hit = 0;
    for (int k = 0; ops[k]; k++)
      if (is_op(t, ops[k])) hit = 1;
    if (!hit) break;
    next(p);
    cfg_expr *b = mk(p, EX_BINOP, t);
    b->line = e->line;
    b->col = e->col;
    b->str = t->text;
    b->a = e;
    if (!(b->b = sub(p))) return NULL;
    e = b;
  }
  return e;
}

static const char *const TERM_OPS[] = {"*", "/", "//", "%", "@", NULL};
static const char *const ARITH_OPS[] = {"+", "-", NULL};
static const char *const SHIFT_OPS[] = {"<<", ">>", NULL};
static const char *const AND_OPS[] = {"&", NULL};
static const char *const XOR_OPS[] = {"^", NULL};
static const char *const OR_OPS[] = {"|", NULL};

static cfg_expr *parse_term(parser *p) { return parse_binary(p, parse_factor, TERM_OPS); }
static cfg_expr *parse_arith(parser *p) { return parse_binary(p, parse_term, ARITH_OPS); }
static cfg_expr *parse_shift(parser *p) { return parse_binary(p, parse_arith, SHIFT_OPS); }
static cfg_expr *parse_and_expr(parser *p) { return parse_binary(p, parse_shift, AND_OPS); }
static cfg_expr *parse_xor_expr(parser *p) { return parse_binary(p, parse_and_expr, XOR_OPS); }
static cfg_expr *parse_or_expr(parser *p) { return parse_binary(p, parse_xor_expr, OR_OPS); }

static const char *comp_op(parser *p) {
  cfg_token *t = peek(p);
  static const char *const ops[] = {"<", ">", "==", ">=", "<=", "!=", NULL};
  for (int k = 0; ops[k]; k++)
    if (is_op(t, ops[k])) { next(p); return ops[k]; }
  if (is_kw(t, "in")) { next(p); return "in"; }
  if (is_kw(t, "not") && is_kw(peek2(p), "in")) { next(p); next(p); return "not in"; }
  if (is_kw(t, "is")) {
    next(p);
    if (is_kw(peek(p), "not")) { next(p); return "is not"; }
    return "is";
  }
  return NULL;
}

static cfg_expr *parse_comparison(parser *p) {
  cfg_token *at = peek(p);
  cfg_expr *e = parse_or_expr(p);
  if (!e) return NULL;
  const char *op = comp_op(p);
  if (!op) return e;
  vec items = {0}, ops = {0};
  vpush(p, &items, e);
  while (op) {
    vpush(p, &ops, (void *)op);
    cfg_expr *r = parse_or_expr(p);
    if (!r) return NULL;
    vpush(p, &items, r);
    op = comp_op(p);
  }
  cfg_expr *c = mk(p, EX_COMPARE, at);
  c->items = (cfg_expr **)items.v;
  c->ops = (const char **)ops.v;
  c->n = items.n;
  return c;
}

static cfg_expr *parse_not_test(parser *p) {
  cfg_token *t = peek(p);
  if (is_kw(t, "not")) {
    next(p);
    if (enter(p) < 0) return NULL;
    cfg_expr *u = mk(p, EX_UNARY, t);
    u->str = "not";
    u->a = parse_not_test(p);
    p->depth--;
    return u->a ? u : NULL;
  }
  return parse_comparison(p);
}

static cfg_expr *parse_boolop(parser *p, sub_parser sub, const char *kw) {
  cfg_token *at = peek(p);
  cfg_expr *e = sub(p);
  if (!e || !is_kw(peek(p), kw)) return e;
  vec items = {0};
  vpush(p, &items, e);
  while (is_kw(peek(p), kw)) {
    next(p);
    cfg_expr *r = sub(p);
    if (!r) return NULL;
    vpush(p, &items, r);
  }
  cfg_expr *b = mk(p, EX_BOOLOP, at);
  b->str = kw;
  b->items = (cfg_expr **)items.v;
  b->n = items.n;
  return b;
}

static cfg_expr *parse_and_test(parser *p) { return parse_boolop(p, parse_not_test, "and"); }
static cfg_expr *parse_or_test(parser *p) { return parse_boolop(p, parse_and_test, "or"); }

/* lambda params: test  -- parameters skipped loosely (never evaluated) */
static cfg_expr *parse_lambda(parser *p) {
  cfg_token *t = next(p);
  while (!is_op(peek(p), ":")) {
    cfg_token *x = peek(p);
    if (x->kind == TK_NEWLINE || x->kind == TK_EOF || is_op(x, ")") || is_op(x, "]") || is_op(x, "}"))
      return perr(p, x, "expected ':' in lambda");
    if (is_op(x, "=")) {
      next(p);
      if (!parse_test(p)) return NULL;
      continue;
    }
    next(p);
  }
  next(p);
  cfg_expr *l = mk(p, EX_LAMBDA, t);
  if (!(l->a = parse_test(p))) return NULL;
  return l;
}

static cfg_expr *parse_test(parser *p) {
  if (enter(p) < 0) return NULL;
  cfg_expr *r;
  if (is_kw(peek(p), "lambda")) {
    r = parse_lambda(p);
  } else {
    cfg_token *at = peek(p);
    r = parse_or_test(p);
    if (r && is_kw(peek(p), "if")) {
      next(p);
      cfg_expr *c = mk(p, EX_IFEXP, at);
      c->b = r;
      r = NULL;
      if ((c->a = parse_or_test(p))) {
        if (!is_kw(peek(p), "else")) perr(p, peek(p), "expected 'else' after 'if' expression");
        else {
          next(p);
          if ((c->c = parse_test(p))) r = c;
        }
      }
    }
    if (r && is_op(peek(p), ":=")) r = perr(p, peek(p), "assignment expressions (:=) are not supported");
  }
  p->depth--;
  return r;
}

/* testlist_star_expr: a tuple when there is a comma */
static cfg_expr *parse_testlist(parser *p) {
  cfg_token *at = peek(p);
  cfg_expr *e = parse_star_or_test(p);
  if (!e || !is_op(peek(p), ",")) return e;
  vec items = {0};
  vpush(p, &items, e);
  while (is_op(peek(p), ",")) {
    next(p);
    cfg_token *t = peek(p);
    if (t->kind == TK_NEWLINE || is_op(t, "=") || is_op(t, ";") || t->kind == TK_EOF ||
        (t->kind == TK_OP && t->text[1] == '=' && t->text[0] != '=' && t->text[0] != '!' &&
         t->text[0] != '<' && t->text[0] != '>'))
      break;
    if (!(e = parse_star_or_test(p))) return NULL;
    vpush(p, &items, e);
  }
  cfg_expr *tup = mk(p, EX_TUPLE, at);
  tup->items = (cfg_expr **)items.v;
  tup->n = items.n;
  return tup;
}

/* }====================================================================== */

/* {====================================================================== statements */

static cfg_stmt *parse_stmt(parser *p);

static cfg_stmt *mks(parser *p, cfg_st_kind k, const cfg_token *at) {
  cfg_stmt *s = cfg_arena_alloc(p->a, sizeof *s);
  s->kind = k;
  s->line = at->line;
  s->col = at->col;
  return s;
}

static const char *check_target(const cfg_expr *e, int aug) {
  switch (e->kind) {
    case EX_NAME: case EX_ATTR: case EX_SUBSCRIPT: return NULL;
    case EX_TUPLE: case EX_LIST:
      if (aug) return "illegal expression for augmented assignment";
      for (int k = 0; k < e->n; k++) {
        const cfg_expr *x = e->items[k]->kind == EX_STARRED ? e->items[k]->a : e->items[k];
        const char *w = check_target(x, 0);
        if (w) return w;
      }
      return NULL;
    case EX_CALL: return "cannot assign to function call";
    case EX_INT: case EX_FLOAT: case EX_STR: case EX_NONE: case EX_TRUE: case EX_FALSE:
      return "cannot assign to literal";
    default: return "cannot assign to expression";
  }
}

static char *dotted_name(parser *p) {
  strbuf b;
  sb_init(&b);
  for (;;) {
    cfg_token *t = peek(p);
    if (t->kind != TK_NAME || is_keyword(t)) { sb_free(&b); perr(p, t, "expected a module name"); return NULL; }
    next(p);
    sb_puts(&b, t->text);
    if (!is_op(peek(p), ".")) break;
    next(p);
    sb_putc(&b, '.');
  }
  char *s = cfg_arena_strndup(p->a, b.s, b.len);
  sb_free(&b);
  return s;
}

static const char *opt_as(parser *p) {
  if (!is_kw(peek(p), "as")) return NULL;
  next(p);
  cfg_token *t = peek(p);
  if (t->kind != TK_NAME || is_keyword(t)) { perr(p, t, "expected a name after 'as'"); return ""; }
  next(p);
  return t->text;
}

static cfg_stmt *parse_import(parser *p) {
  cfg_token *t = next(p);
  cfg_stmt *s = mks(p, ST_IMPORT, t);
  vec names = {0}, as = {0};
  for (;;) {
    char *n = dotted_name(p);
    if (!n) return NULL;
    const char *a = opt_as(p);
    if (a && !*a) return NULL;
    vpush(p, &names, n);
    vpush(p, &as, (void *)a);
    if (!is_op(peek(p), ",")) break;
    next(p);
  }
  s->names = (const char **)names.v;
  s->asnames = (const char **)as.v;
  s->nnames = names.n;
  return s;
}

static cfg_stmt *parse_from(parser *p) {
  cfg_token *t = next(p);
  cfg_stmt *s = mks(p, ST_FROM, t);
  strbuf b;
  sb_init(&b);
  while (is_op(peek(p), ".") || is_op(peek(p), "...")) sb_puts(&b, next(p)->text);
  if (!is_kw(peek(p), "import")) {
    char *n = dotted_name(p);
    if (!n) { sb_free(&b); return NULL; }
    sb_puts(&b, n);
  }
  s->module = cfg_arena_strndup(p->a, b.s ? b.s : "", b.len);
  sb_free(&b);
  if (!is_kw(peek(p), "import")) return perr(p, peek(p), "expected 'import'");
  next(p);
  vec names = {0}, as = {0};
  if (is_op(peek(p), "*")) {
    next(p);
    vpush(p, &names, "*");
    vpush(p, &as, NULL);
  } else {
    int paren = is_op(peek(p), "(");
    if (paren) next(p);
    for (;;) {
      cfg_token *n = peek(p);
      if (n->kind != TK_NAME || is_keyword(n)) return perr(p, n, "expected a name to import");
      next(p);
      const char *a = opt_as(p);
      if (a && !*a) return NULL;
      vpush(p, &names, (void *)n->text);
      vpush(p, &as, (void *)a);
      if (!is_op(peek(p), ",")) break;
      next(p);
      if (paren && is_op(peek(p), ")")) break;
    }
    if (paren && expect_op(p, ")") < 0) return NULL;
  }
  s->names = (const char **)names.v;
  s->asnames = (const char **)as.v;
  s->nnames = names.n;
  return s;
}

/* Skips a simple statement we do not run, up to ';' or the end of the line. */
static cfg_stmt *skip_simple(parser *p, const char *what) {
  cfg_token *t = next(p);
  cfg_stmt *s = mks(p, ST_UNSUPPORTED, t);
  s->what = what;
  while (peek(p)->kind != TK_NEWLINE && peek(p)->kind != TK_EOF && !is_op(peek(p), ";")) {
    if (is_op(peek(p), "(") || is_op(peek(p), "[") || is_op(peek(p), "{")) {
      /* skip the bracketed group: brackets are balanced by the lexer */
      int d = 0;
      do {
        cfg_token *x = next(p);
        if (is_op(x, "(") || is_op(x, "[") || is_op(x, "{")) d++;
        else if (is_op(x, ")") || is_op(x, "]") || is_op(x, "}")) d--;
      } while (d > 0 && peek(p)->kind != TK_EOF);
    } else {
      next(p);
    }
  }
  return s;
}

static cfg_stmt *parse_small(parser *p) {
  cfg_token *t = peek(p);
  if (is_kw(t, "pass")) { next(p); return mks(p, ST_PASS, t); }
  if (is_kw(t, "import")) return parse_import(p);
  if (is_kw(t, "from")) return parse_from(p);
  static const char *const simple[][2] = {
      {"del", "'del' statement"}, {"return", "'return' outside function"},
      {"raise", "'raise' statement"}, {"global", "'global' statement"},
      {"nonlocal", "'nonlocal' statement"}, {"assert", "'assert' statement"},
      {"break", "'break' outside loop"}, {"continue", "'continue' outside loop"},
      {"yield", "'yield' outside function"}, {NULL, NULL}};
  for (int k = 0; simple[k][0]; k++)
    if (is_kw(t, simple[k][0])) {
      if (is_kw(t, "del") || is_kw(t, "assert") || is_kw(t, "return") || is_kw(t, "raise")) {
        /* parse the operands for syntax */
        next(p);
        cfg_stmt *s = mks(p, ST_UNSUPPORTED, t);
        s->what = simple[k][1];
        if (peek(p)->kind != TK_NEWLINE && !is_op(peek(p), ";") && peek(p)->kind != TK_EOF) {
          if (!parse_testlist(p)) return NULL;
          if (is_kw(peek(p), "from")) { next(p); if (!parse_test(p)) return NULL; }
        }
        return s;
      }
      return skip_simple(p, simple[k][1]);
    }
  if (is_keyword(t) && !is_kw(t, "not") && !is_kw(t, "lambda") && !is_kw(t, "None") &&
      !is_kw(t, "True") && !is_kw(t, "False") && !is_kw(t, "await"))
    return perr(p, t, "unexpected keyword");
  cfg_expr *e = parse_testlist(p);
  if (!e) return NULL;
  cfg_token *op = peek(p);
  if (op->kind == TK_OP && op->len >= 2 && op->text[op->len - 1] == '=' && strcmp(op->text, "==") &&
      strcmp(op->text, "!=") && strcmp(op->text, "<=") && strcmp(op->text, ">=") && strcmp(op->text, ":=")) {
    next(p);
    const char *w = check_target(e, 1);
    if (w) { diag_error(p->file, e->line, e->col, "%s", w); return NULL; }
    cfg_stmt *s = mks(p, ST_AUGASSIGN, t);
    s->targets = cfg_arena_alloc(p->a, sizeof *s->targets);
    s->targets[0] = e;
    s->ntargets = 1;
    s->op = cfg_arena_strndup(p->a, op->text, op->len - 1);
    if (!(s->value = parse_testlist(p))) return NULL;
    return s;
  }
  if (is_op(op, ":")) {
    /* annotated assignment: the annotation is parsed, never evaluated */
    next(p);
    const char *w = check_target(e, 1);
    if (w) { diag_error(p->file, e->line, e->col, "%s", w); return NULL; }
    if (!parse_test(p)) return NULL;
    if (!is_op(peek(p), "=")) return mks(p, ST_PASS, t);
    next(p);
    cfg_stmt *s = mks(p, ST_ASSIGN, t);
    s->targets = cfg_arena_alloc(p->a, sizeof *s->targets);
    s->targets[0] = e;
    s->ntargets = 1;
    if (!(s->value = parse_testlist(p))) return NULL;
    return s;
  }
  if (!is_op(op, "=")) {
    cfg_stmt *s = mks(p, ST_EXPR, t);
    s->value = e;
    return s;
  }
  vec targets = {0};
  vpush(p, &targets, e);
  cfg_expr *value = NULL;
  while (is_op(peek(p), "=")) {
    next(p);
    if (!(value = parse_testlist(p))) return NULL;
    if (is_op(peek(p), "=")) vpush(p, &targets, value);
  }
  for (int k = 0; k < targets.n; k++) {
    cfg_expr *x = targets.v[k];
    const char *w = check_target(x, 0);
    if (w) { diag_error(p->file, x->line, x->col, "%s", w); return NULL; }
  }
  cfg_stmt *s = mks(p, ST_ASSIGN, t);
  s->targets = (cfg_expr **)targets.v;
  s->ntargets = targets.n;
  s->value = value;
  return s;
}

/* simple_stmt (';' simple_stmt)* NEWLINE ; several statements come back through out */
static int parse_simple_line(parser *p, vec *out) {
  for (;;) {
    cfg_stmt *s = parse_small(p);
    if (!s) return -1;
    vpush(p, out, s);
    if (!is_op(peek(p), ";")) break;
    next(p);
    if (peek(p)->kind == TK_NEWLINE) break;
  }
  if (peek(p)->kind == TK_EOF) return 0;
  if (peek(p)->kind != TK_NEWLINE) { perr(p, peek(p), "expected end of statement"); return -1; }
  next(p);
  return 0;
}

static int parse_suite(parser *p, cfg_stmt ***body, int *nbody) {
  vec v = {0};
  if (expect_op(p, ":") < 0) return -1;
  if (peek(p)->kind != TK_NEWLINE) {
    if (parse_simple_line(p, &v) < 0) return -1;
  } else {
    next(p);
    if (peek(p)->kind != TK_INDENT) { perr(p, peek(p), "expected an indented block"); return -1; }
    next(p);
    if (++p->depth > MAX_DEPTH) { perr(p, peek(p), "blocks nested too deeply"); return -1; }
    while (peek(p)->kind != TK_DEDENT && peek(p)->kind != TK_EOF) {
      cfg_stmt *s = parse_stmt(p);
      if (!s) return -1;
      vpush(p, &v, s);
    }
    p->depth--;
    if (peek(p)->kind == TK_DEDENT) next(p);
  }
  *body = (cfg_stmt **)v.v;
  *nbody = v.n;
  return 0;
}

static cfg_stmt *parse_if(parser *p) {
  cfg_token *t = next(p); /* if / elif */
  cfg_stmt *s = mks(p, ST_IF, t);
  if (!(s->value = parse_test(p))) return NULL;
  if (parse_suite(p, &s->body, &s->nbody) < 0) return NULL;
  if (is_kw(peek(p), "elif")) {
    cfg_stmt *e = parse_if(p);
    if (!e) return NULL;
    s->orelse = cfg_arena_alloc(p->a, sizeof *s->orelse);
    s->orelse[0] = e;
    s->norelse = 1;
  } else if (is_kw(peek(p), "else")) {
    next(p);
    if (parse_suite(p, &s->orelse, &s->norelse) < 0) return NULL;
  }
  return s;
}

/* A compound statement mmcc never runs: header skipped to its ':' (brackets are balanced by
 * the lexer), body parsed, then any else/elif/except/finally clauses. */
static cfg_stmt *parse_loose_compound(parser *p, const char *what) {
  cfg_token *t = peek(p);
  cfg_stmt *s = mks(p, ST_UNSUPPORTED, t);
  s->what = what;
  for (;;) {
    next(p);
    int depth = 0;
    while (depth > 0 || !is_op(peek(p), ":")) {
      cfg_token *x = peek(p);
      if (x->kind == TK_NEWLINE || x->kind == TK_EOF) { perr(p, x, "expected ':'"); return NULL; }
      if (is_op(x, "(") || is_op(x, "[") || is_op(x, "{")) depth++;
      else if (is_op(x, ")") || is_op(x, "]") || is_op(x, "}")) depth--;
      next(p);
    }
    cfg_stmt **body;
    int nbody;
    if (parse_suite(p, &body, &nbody) < 0) return NULL;
    if (!s->body) { s->body = body; s->nbody = nbody; }
    cfg_token *c = peek(p);
    if (!(is_kw(c, "else") || is_kw(c, "elif") || is_kw(c, "except") || is_kw(c, "finally"))) break;
  }
  return s;
}

/* One statement (a compound one, or a line of simple ones), appended to out. */
static cfg_stmt *parse_stmt_into(parser *p, vec *out) {
  cfg_token *t = peek(p);
  if (t->kind == TK_INDENT) {
    diag_error(p->file, t->line, t->col, "unexpected indent");
    return NULL;
  }
  if (is_kw(t, "if")) { cfg_stmt *s = parse_if(p); if (s) vpush(p, out, s); return s; }
  static const char *const compound[][2] = {
      {"for", "'for' loop"}, {"while", "'while' loop"}, {"def", "function definition"},
      {"class", "class definition"}, {"with", "'with' statement"}, {"try", "'try' statement"},
      {"async", "'async' statement"}, {NULL, NULL}};
  for (int k = 0; compound[k][0]; k++)
    if (is_kw(t, compound[k][0])) {
      cfg_stmt *s = parse_loose_compound(p, compound[k][1]);
      if (s) vpush(p, out, s);
      return s;
    }
  if (is_kw(t, "else") || is_kw(t, "elif") || is_kw(t, "except") || is_kw(t, "finally"))
    return perr(p, t, "unexpected keyword");
  if (is_op(t, "@")) {
    next(p);
    if (!parse_test(p)) return NULL;
    if (peek(p)->kind != TK_NEWLINE) return perr(p, peek(p), "expected end of line after decorator");
    next(p);
    if (!is_kw(peek(p), "def") && !is_kw(peek(p), "class") && !is_kw(peek(p), "async") && !is_op(peek(p), "@"))
      return perr(p, peek(p), "expected 'def' or 'class' after a decorator");
    return parse_stmt_into(p, out);
  }
  int before = out->n;
  if (parse_simple_line(p, out) < 0) return NULL;
  return out->n > before ? out->v[out->n - 1] : NULL;
}

static cfg_stmt *parse_stmt(parser *p) {
  /* Used inside suites: collect into a one-off vector; a line of several simple statements
   * becomes an always-true ST_IF holding them (only the first line's position matters). */
  vec v = {0};
  cfg_token *t = peek(p);
  if (!parse_stmt_into(p, &v)) return NULL;
  if (v.n == 1) return v.v[0];
  cfg_stmt *blk = mks(p, ST_IF, t);
  blk->value = mk(p, EX_TRUE, t);
  blk->body = (cfg_stmt **)v.v;
  blk->nbody = v.n;
  return blk;
}

cfg_module *cfg_parse(cfg_arena *a, const char *file, const char *src, size_t len) {
  parser p;
  memset(&p, 0, sizeof p);
  p.a = a;
  p.file = file;
  p.n = cfg_lex(a, file, src, len, &p.toks);
  if (p.n < 0) return NULL;
  vec v = {0};
  while (peek(&p)->kind != TK_EOF) {
    if (peek(&p)->kind == TK_NEWLINE) { next(&p); continue; }
    if (peek(&p)->kind == TK_DEDENT) { perr(&p, peek(&p), "unexpected dedent"); return NULL; }
    if (!parse_stmt_into(&p, &v)) return NULL;
  }
  cfg_module *m = cfg_arena_alloc(a, sizeof *m);
  m->stmts = (cfg_stmt **)v.v;
  m->n = v.n;
  return m;
}

cfg_expr *cfg_parse_expr_text(cfg_arena *a, const char *file, const char *src, size_t len,
                              int line, int col) {
  /* Wrap in parentheses so newlines inside the field are joined, as Python does. */
  char *buf = cfg_arena_alloc(a, len + 3);
  buf[0] = '(';
  memcpy(buf + 1, src, len);
  buf[len + 1] = ')';
  buf[len + 2] = 0;
  parser p;
  memset(&p, 0, sizeof p);
  p.a = a;
  p.file = file;
  p.n = cfg_lex(a, file, buf, len + 2, &p.toks);
  if (p.n < 0) return NULL;
  for (long k = 0; k < p.n; k++) {
    /* positions: relative to the string literal holding the field */
    if (p.toks[k].line == 1) p.toks[k].col = col;
    p.toks[k].line += line - 1;
  }
  if (peek(&p)->kind == TK_OP && is_op(peek(&p), "(") && is_op(peek2(&p), ")"))
    return perr(&p, peek(&p), "f-string: empty expression not allowed");
  cfg_expr *e = parse_testlist(&p);
  if (!e) return NULL;
  if (peek(&p)->kind != TK_NEWLINE && peek(&p)->kind != TK_EOF) return perr(&p, peek(&p), "unexpected token in f-string field");
  return e;
}

/* }====================================================================== */
