/* cfg_parse.h: the syntax tree of a config file (a Python subset) and its parser.
 * Statements the evaluator does not run (for, def, while, ...) are still parsed, loosely,
 * so that they may appear in a block that never runs (if __name__ == '__main__':). */
#ifndef MMCC_CFG_PARSE_H
#define MMCC_CFG_PARSE_H

#include "cfg_lex.h"

typedef enum {
  EX_INT, EX_FLOAT, EX_STR, EX_NONE, EX_TRUE, EX_FALSE, EX_ELLIPSIS,
  EX_NAME,      /* str */
  EX_ATTR,      /* a.str */
  EX_SUBSCRIPT, /* a[b] */
  EX_SLICE,     /* a:b:c, each may be NULL */
  EX_CALL,      /* a(items...), kwnames[i]: NULL positional, "*" / "**" unpacking, else keyword */
  EX_LIST, EX_TUPLE, EX_SET,
  EX_DICT,      /* items = keys (NULL for a **entry), vals = values */
  EX_LISTCOMP, EX_SETCOMP, EX_GENEXP, /* a = element, gens */
  EX_DICTCOMP,  /* a = key, b = value, gens */
  EX_BINOP,     /* a str b ; str is the operator: "+", "//", "**", ... */
  EX_UNARY,     /* str a ; "-", "+", "~", "not" */
  EX_BOOLOP,    /* items joined by str ("and"/"or") */
  EX_COMPARE,   /* items[0] ops[0] items[1] ops[1] ... */
  EX_IFEXP,     /* b if a else c */
  EX_FSTRING,   /* items: EX_STR literal parts and EX_FIELD parts */
  EX_FIELD,     /* {a!conv:b}: a expression, conv in str ("" / "r" / "s" / "a"), b spec (EX_FSTRING) */
  EX_STARRED,   /* *a */
  EX_LAMBDA     /* parsed, never evaluated */
} cfg_ex_kind;

typedef struct cfg_expr cfg_expr;
typedef struct {
  cfg_expr *target, *iter;
  cfg_expr **conds;
  int nconds;
} cfg_comp_for;

struct cfg_expr {
  cfg_ex_kind kind;
  int line, col;
  const char *str;
  size_t len;
  long long i;
  double f;
  cfg_expr *a, *b, *c;
  cfg_expr **items;
  cfg_expr **vals;
  const char **ops;      /* EX_COMPARE operators; EX_CALL keyword names */
  int n;
  cfg_comp_for *gens;
  int ngens;
};

typedef enum {
  ST_EXPR,       /* value */
  ST_ASSIGN,     /* targets[0] = targets[1] = ... = value */
  ST_AUGASSIGN,  /* targets[0] op= value ; op without '=' */
  ST_IMPORT,     /* import names[i] [as asnames[i]] */
  ST_FROM,       /* from module import names[i] [as asnames[i]] ; names[0] "*" for import * */
  ST_IF,         /* if value: body else: orelse (elif = an ST_IF alone in orelse) */
  ST_PASS,
  ST_UNSUPPORTED /* what: "'for' loop", "function definition", ... */
} cfg_st_kind;

typedef struct cfg_stmt cfg_stmt;
struct cfg_stmt {
  cfg_st_kind kind;
  int line, col;
  cfg_expr **targets;
  int ntargets;
  cfg_expr *value;
  const char *op;
  const char *module;
  const char **names, **asnames;
  int nnames;
  cfg_stmt **body, **orelse;
  int nbody, norelse;
  const char *what;
};

typedef struct {
  cfg_stmt **stmts;
  int n;
} cfg_module;

/* Parses a whole file. NULL after a diagnostic "file:line:col: error: ...". */
cfg_module *cfg_parse(cfg_arena *a, const char *file, const char *src, size_t len);

/* Parses one expression from text (used for f-string fields); line/col position the text. */
cfg_expr *cfg_parse_expr_text(cfg_arena *a, const char *file, const char *src, size_t len,
                              int line, int col);

#endif
