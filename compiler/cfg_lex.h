/* cfg_lex.h: tokens of the Python subset used by mmengine config files, and the arena that
 * holds everything one config load allocates (tokens, AST, values). */
#ifndef MMCC_CFG_LEX_H
#define MMCC_CFG_LEX_H

#include <stddef.h>

/* ---- arena: every allocation lives until cfg_arena_free ---- */
typedef struct cfg_arena cfg_arena;
cfg_arena *cfg_arena_new(void);
void cfg_arena_free(cfg_arena *a);
void *cfg_arena_alloc(cfg_arena *a, size_t n);          /* zeroed, 16-byte aligned */
char *cfg_arena_strndup(cfg_arena *a, const char *s, size_t n);
size_t cfg_arena_bytes(const cfg_arena *a);              /* allocated so far */

typedef enum {
  TK_EOF, TK_NEWLINE, TK_INDENT, TK_DEDENT,
  TK_NAME,    /* identifiers and keywords (the parser tells them apart) */
  TK_INT,     /* text: the literal as written */
  TK_FLOAT,
  TK_STRING,  /* text/len: the decoded bytes; fstring set for f'...' (text = raw body) */
  TK_OP       /* text: the operator or delimiter, e.g. "**=" */
} cfg_tok_kind;

typedef struct {
  cfg_tok_kind kind;
  const char *text;
  size_t len;
  int fstring;     /* TK_STRING: body of an f-string, not yet split into parts */
  int raw;         /* TK_STRING: r-prefix (f-string bodies keep backslashes as written) */
  int line, col;   /* 1-based; col counts bytes */
} cfg_token;

/* Tokenizes src (NUL-terminated, len bytes) as Python does (INDENT/DEDENT, implicit line
 * joining inside brackets, backslash continuation, comments). Tokens go in the arena.
 * Returns the number of tokens (the last is TK_EOF), or -1 after a diagnostic. */
long cfg_lex(cfg_arena *a, const char *file, const char *src, size_t len, cfg_token **out);

/* Decodes the backslash escapes of a string literal body (kept as written when raw).
 * Returns -1 with *bad set to the offset of a malformed escape. */
int cfg_lex_unescape(cfg_arena *a, const char *s, size_t n, int raw, char **out, size_t *outlen,
                     size_t *bad);

#endif
