/* cfg_eval_impl.h: what the evaluator's two files share: cfg_eval.c (names, operators,
 * expressions, statements) and cfg_builtin.c (builtins, methods, format specs). */
#ifndef MMCC_CFG_EVAL_IMPL_H
#define MMCC_CFG_EVAL_IMPL_H

#include "cfg_eval.h"
#include "util.h"

typedef struct cfge_scope { struct cfge_scope *up; cfg_value *vars; } cfge_scope;

typedef struct {
  cfg_arena *a;
  const char *file;
  cfg_value *globals;
  cfge_scope *sc;
  int depth;
  int skip_base;
} cfge_ctx;

/* a position-only value: the "made here" template for results */
typedef struct { cfg_value v; } cfge_pos;

typedef struct {
  cfg_value **pos;
  size_t npos;
  cfg_value *kw;  /* dict str -> value, or NULL when none */
} cfge_args;

/* longest list (items) or string (bytes) mmcc builds */
#ifndef CFGE_MAX_SEQ_LEN /* the fuzz build lowers it (tests/fuzz/fuzz.mk) */
#define CFGE_MAX_SEQ_LEN (1u << 22)
#endif

static inline int is_intlike(const cfg_value *v) { return v->kind == CFG_INT || v->kind == CFG_BOOL; }
static inline int is_num(const cfg_value *v) { return is_intlike(v) || v->kind == CFG_FLOAT; }
static inline double as_double(const cfg_value *v) { return v->kind == CFG_FLOAT ? v->f : (double)v->i; }
static inline int is_seq(const cfg_value *v) { return v->kind == CFG_LIST || v->kind == CFG_TUPLE; }

/* cfg_eval.c */
cfge_pos cfge_at(cfge_ctx *E, const cfg_expr *e);
/* The string of B (str(), repr(), f-strings, str.format) at e, freeing B; an error when
 * longer than CFGE_MAX_SEQ_LEN (so also when repr stopped at CFG_MAX_REPR_BYTES). */
cfg_value *cfge_str_of(cfge_ctx *E, strbuf *b, const cfg_expr *e);
/* prints "file:line:col: error: ..." at e; returns NULL */
cfg_value *cfge_err(cfge_ctx *E, const cfg_expr *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
cfg_value *cfge_overflow(cfge_ctx *E, const cfg_expr *e);
cfg_value *cfge_key_error(cfge_ctx *E, const cfg_expr *e, const cfg_value *key);  /* KeyError: repr(key) */
size_t cfge_u8_len(const char *s, size_t n);                /* code points */
size_t cfge_u8_offset(const char *s, size_t n, size_t cp);  /* byte offset of code point cp */
cfg_value *cfge_iterate(cfge_ctx *E, cfg_value *v, const cfg_expr *e); /* items as a fresh list */
cfg_value *cfge_binop(cfge_ctx *E, const char *op, cfg_value *x, cfg_value *y, const cfg_expr *e);
/* -1/0/1, 2 unordered (NaN), -2 not comparable (error printed) */
int cfge_compare(cfge_ctx *E, const char *op, cfg_value *x, cfg_value *y, const cfg_expr *e, int depth);

/* cfg_builtin.c */
cfg_value *cfge_call(cfge_ctx *E, cfg_value *fn, cfge_args *A, const cfg_expr *e);
int cfge_format(cfge_ctx *E, strbuf *out, cfg_value *v, const char *spec, const cfg_expr *e); /* format(v, spec) */
int cfge_convert(strbuf *out, cfg_value *v, char conv);     /* !r / !s / !a */
const char *const *cfge_methods(const cfg_value *v);        /* method names of v's type, or NULL */
int cfge_in_list(const char *const *l, const char *s);
/* the value to store into container: ConfigDicts copy what they store (ConfigDict._hook) */
cfg_value *cfge_store(cfge_ctx *E, cfg_value *container, cfg_value *v, const cfg_expr *e);
int cfge_seq_index(cfge_ctx *E, cfg_value *seq, cfg_value *idx, size_t *out, const cfg_expr *e, int for_insert);

#endif
