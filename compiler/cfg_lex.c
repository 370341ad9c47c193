/* cfg_lex.c: the tokenizer of the config front end (Python's lexical rules, the subset
 * mmengine config files need), and the arena of a config load. */
#include "cfg_lex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* {====================================================================== arena */

typedef struct cfg_block { struct cfg_block *next; size_t used, cap; } cfg_block;
struct cfg_arena { cfg_block *head; size_t bytes; /* handed out so far */ };

#define ARENA_BLOCK 65536
#define ARENA_HDR ((sizeof(cfg_block) + 15) & ~(size_t)15)

cfg_arena *cfg_arena_new(void) { return xcalloc(1, sizeof(cfg_arena)); }

void cfg_arena_free(cfg_arena *a) {
  if (!a) return;
  for (cfg_block *b = a->head, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(a);
}

size_t cfg_arena_bytes(const cfg_arena *a) { return a->bytes; }

void *cfg_arena_alloc(cfg_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  a->bytes += n;
  cfg_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
    b = xmalloc(ARENA_HDR + cap);
    b->used = 0;
    b->cap = cap;
    /* Big one-off blocks go behind the current block so it keeps being filled. */
    if (a->head && cap != ARENA_BLOCK) {
      b->next = a->head->next;
      a->head->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
  }
  void *p = (char *)b + ARENA_HDR + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *cfg_arena_strndup(cfg_arena *a, const char *s, size_t n) {
  char *p = cfg_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

/* }====================================================================== */

/* {====================================================================== lexer */

#define MAX_BRACKETS 200
#define MAX_INDENTS 100

typedef struct {
  cfg_arena *a;
  const char *file, *src;
  size_t len, pos;
  int line;
  size_t line_start;
  cfg_token *toks;
  size_t ntoks, cap;
  char brackets[MAX_BRACKETS];
  int bracket_line[MAX_BRACKETS], bracket_col[MAX_BRACKETS];
  int depth;
  int indents[MAX_INDENTS];
  int nindent;
} lexer;

static int col_of(lexer *lx, size_t pos) { return (int)(pos - lx->line_start) + 1; }

static int lex_error(lexer *lx, size_t pos, const char *msg, const char *arg) {
  if (arg) diag_error(lx->file, lx->line, col_of(lx, pos), "%s '%s'", msg, arg);
  else diag_error(lx->file, lx->line, col_of(lx, pos), "%s", msg);
  return -1;
}

static cfg_token *push(lexer *lx, cfg_tok_kind k, size_t start, const char *text, size_t n) {
  if (lx->ntoks == lx->cap) {
    size_t cap = lx->cap ? lx->cap * 2 : 256;
    cfg_token *t = cfg_arena_alloc(lx->a, cap * sizeof *t);
    if (lx->ntoks) memcpy(t, lx->toks, lx->ntoks * sizeof *t);
    lx->toks = t;
    lx->cap = cap;
  }
  cfg_token *t = &lx->toks[lx->ntoks++];
  memset(t, 0, sizeof *t);
  t->kind = k;
  t->text = text;
  t->len = n;
  t->line = lx->line;
  t->col = col_of(lx, start);
  return t;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_id_start(unsigned char c) {
  return c == '_' || ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80;
}
static int is_id_char(unsigned char c) { return is_id_start(c) || is_digit(c); }

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 32) >= 'a' && (c | 32) <= 'f') return (c | 32) - 'a' + 10;
  return -1;
}

int cfg_lex_unescape(cfg_arena *a, const char *s, size_t n, int raw, char **out, size_t *outlen,
                     size_t *bad) {
  strbuf b;
  sb_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\' || raw) {
      sb_putc(&b, s[i]);
      if (raw && s[i] == '\\' && i + 1 < n) sb_putc(&b, s[++i]);
      continue;
    }
    if (i + 1 >= n) { sb_putc(&b, '\\'); break; }
    char c = s[++i];
    switch (c) {
      case '\n': break;
      case '\\': sb_putc(&b, '\\'); break;
      case '\'': sb_putc(&b, '\''); break;
      case '"': sb_putc(&b, '"'); break;
      case 'a': sb_putc(&b, '\a'); break;
      case 'b': sb_putc(&b, '\b'); break;
      case 'f': sb_putc(&b, '\f'); break;
      case 'n': sb_putc(&b, '\n'); break;
      case 'r': sb_putc(&b, '\r'); break;
      case 't': sb_putc(&b, '\t'); break;
      case 'v': sb_putc(&b, '\v'); break;
      case 'x': case 'u': case 'U': {
        int nd = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int k = 0; k < nd; k++) {
          int h = i + 1 + (size_t)k < n ? hexval(s[i + 1 + k]) : -1;
          if (h < 0) { sb_free(&b); *bad = i - 1; return -1; }
          cp = cp * 16 + (uint32_t)h;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { sb_free(&b); *bad = i - 1; return -1; }
        i += (size_t)nd;
        sb_put_utf8(&b, cp);
        break;
      }
      case 'N': sb_free(&b); *bad = i - 1; return -1;  /* \N{name}: no name table */
      default:
        if (c >= '0' && c <= '7') {
          uint32_t cp = (uint32_t)(c - '0');
          for (int k = 0; k < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
            cp = cp * 8 + (uint32_t)(s[++i] - '0');
          sb_put_utf8(&b, cp);
        } else {
          sb_putc(&b, '\\');  /* unknown escapes stay as written, as in Python */
          sb_putc(&b, c);
        }
    }
  }
  *out = cfg_arena_strndup(a, b.s ? b.s : "", b.len);
  *outlen = b.len;
  sb_free(&b);
  return 0;
}

/* A string literal starting at lx->pos (after its prefix letters, given in prefix). */
static int lex_string(lexer *lx, size_t start, const char *prefix, size_t plen) {
  int raw = 0, f = 0;
  for (size_t i = 0; i < plen; i++) {
    char c = (char)(prefix[i] | 32);
    if (c == 'r') raw = 1;
    else if (c == 'f') f = 1;
    else if (c == 'b') return lex_error(lx, start, "bytes literals are not supported", NULL);
  }
  const char *s = lx->src;
  char q = s[lx->pos];
  int triple = lx->pos + 2 < lx->len && s[lx->pos + 1] == q && s[lx->pos + 2] == q;
  size_t body = lx->pos + (triple ? 3 : 1), i = body;
  int start_line = lx->line;
  size_t start_line_start = lx->line_start;
  for (;;) {
    if (i >= lx->len) {
      lx->line = start_line;
      lx->line_start = start_line_start;
      return lex_error(lx, start, triple ? "unterminated triple-quoted string" : "unterminated string", NULL);
    }
    char c = s[i];
    if (c == '\\') {
      if (i + 1 < lx->len && s[i + 1] == '\n') { lx->line++; lx->line_start = i + 2; }
      i += 2;
      continue;
    }
    if (c == '\n') {
      if (!triple) {
        lx->line = start_line;
        lx->line_start = start_line_start;
        return lex_error(lx, start, "unterminated string", NULL);
      }
      lx->line++;
      lx->line_start = i + 1;
    }
    if (c == q && (!triple || (i + 2 < lx->len && s[i + 1] == q && s[i + 2] == q))) break;
    i++;
  }
  size_t body_end = i;
  lx->pos = i + (triple ? 3 : 1);
  /* The token's position is where the literal starts. */
  int end_line = lx->line;
  size_t end_ls = lx->line_start;
  lx->line = start_line;
  lx->line_start = start_line_start;
  cfg_token *t = push(lx, TK_STRING, start, NULL, 0);
  lx->line = end_line;
  lx->line_start = end_ls;
  t->raw = raw;
  if (f) {
    t->fstring = 1;
    t->text = cfg_arena_strndup(lx->a, s + body, body_end - body);
    t->len = body_end - body;
    return 0;
  }
  char *out;
  size_t outlen, bad;
  if (cfg_lex_unescape(lx->a, s + body, body_end - body, raw, &out, &outlen, &bad) < 0) {
    diag_error(lx->file, t->line, t->col, "malformed escape sequence in string");
    return -1;
  }
  t->text = out;
  t->len = outlen;
  return 0;
}

static int lex_number(lexer *lx) {
  const char *s = lx->src;
  size_t start = lx->pos, i = start;
  int is_float = 0;
  if (s[i] == '0' && i + 1 < lx->len && strchr("xXoObB", s[i + 1]) && s[i + 1]) {
    i += 2;
    while (i < lx->len && (hexval(s[i]) >= 0 || s[i] == '_')) i++;
  } else {
    while (i < lx->len && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
    if (i < lx->len && s[i] == '.') {
      is_float = 1;
      i++;
      while (i < lx->len && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
    }
    if (i < lx->len && (s[i] | 32) == 'e') {
      size_t j = i + 1;
      if (j < lx->len && (s[j] == '+' || s[j] == '-')) j++;
      if (j < lx->len && is_digit((unsigned char)s[j])) {
        is_float = 1;
        i = j;
        while (i < lx->len && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
      }
    }
  }
  if (i < lx->len && ((s[i] | 32) == 'j'))
    return lex_error(lx, start, "complex numbers are not supported", NULL);
  if (i < lx->len && is_id_char((unsigned char)s[i]))
    return lex_error(lx, start, "invalid number literal", NULL);
  push(lx, is_float ? TK_FLOAT : TK_INT, start, cfg_arena_strndup(lx->a, s + start, i - start),
       i - start);
  lx->pos = i;
  return 0;
}

static const char *const OPS3[] = {"**=", "//=", ">>=", "<<=", "...", NULL};
static const char *const OPS2[] = {"**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=",
                                   "%=", "&=", "|=", "^=", "->", ":=", "<<", ">>", "@=", NULL};
static const char OPS1[] = "+-*/%<>=()[]{},:.;@&|^~";

static int lex_op(lexer *lx) {
  const char *s = lx->src + lx->pos;
  size_t start = lx->pos;
  size_t rem = lx->len - lx->pos;
  for (int k = 0; OPS3[k]; k++)
    if (rem >= 3 && !memcmp(s, OPS3[k], 3)) {
      push(lx, TK_OP, start, OPS3[k], 3);
      lx->pos += 3;
      return 0;
    }
  for (int k = 0; OPS2[k]; k++)
    if (rem >= 2 && !memcmp(s, OPS2[k], 2)) {
      push(lx, TK_OP, start, OPS2[k], 2);
      lx->pos += 2;
      return 0;
    }
  const char *p = *s ? strchr(OPS1, *s) : NULL;
  if (!p) {
    char what[16];
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f) snprintf(what, sizeof what, "%c", c);
    else snprintf(what, sizeof what, "\\x%02x", c);
    return lex_error(lx, start, "invalid character", what);
  }
  char c = *s;
  if (c == '(' || c == '[' || c == '{') {
    if (lx->depth >= MAX_BRACKETS) return lex_error(lx, start, "too many nested brackets", NULL);
    lx->bracket_line[lx->depth] = lx->line;
    lx->bracket_col[lx->depth] = col_of(lx, start);
    lx->brackets[lx->depth++] = c;
  } else if (c == ')' || c == ']' || c == '}') {
    char want = c == ')' ? '(' : c == ']' ? '[' : '{';
    if (lx->depth == 0) return lex_error(lx, start, "unmatched", c == ')' ? ")" : c == ']' ? "]" : "}");
    if (lx->brackets[lx->depth - 1] != want) {
      diag_error(lx->file, lx->line, col_of(lx, start),
                 "closing '%c' does not match '%c' opened at line %d", c,
                 lx->brackets[lx->depth - 1], lx->bracket_line[lx->depth - 1]);
      return -1;
    }
    lx->depth--;
  }
  push(lx, TK_OP, start, cfg_arena_strndup(lx->a, p, 1), 1);
  lx->pos++;
  return 0;
}

/* Start of a logical line: measure indentation, emit INDENT/DEDENT. Returns 1 when the line
 * is blank or a comment (skip it), 0 otherwise, -1 on error. */
static int lex_indent(lexer *lx) {
  const char *s = lx->src;
  int width = 0;
  size_t i = lx->pos;
  while (i < lx->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f')) {
    if (s[i] == '\t') width = (width / 8 + 1) * 8;
    else if (s[i] == ' ') width++;
    else width = 0;
    i++;
  }
  lx->pos = i;
  if (i >= lx->len || s[i] == '\n' || s[i] == '#' || (s[i] == '\r' && i + 1 < lx->len && s[i + 1] == '\n'))
    return 1;
  if (s[i] == '\\' && i + 1 < lx->len && s[i + 1] == '\n') return 0;
  int cur = lx->indents[lx->nindent - 1];
  if (width > cur) {
    if (lx->nindent >= MAX_INDENTS) return lex_error(lx, i, "too many levels of indentation", NULL);
    lx->indents[lx->nindent++] = width;
    push(lx, TK_INDENT, i, "", 0);
  } else {
    while (width < lx->indents[lx->nindent - 1]) {
      lx->nindent--;
      push(lx, TK_DEDENT, i, "", 0);
    }
    if (width != lx->indents[lx->nindent - 1])
      return lex_error(lx, i, "unindent does not match any outer indentation level", NULL);
  }
  return 0;
}

static int check_utf8(lexer *lx) {
  const unsigned char *s = (const unsigned char *)lx->src;
  int line = 1;
  size_t ls = 0;
  for (size_t i = 0; i < lx->len;) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (c == 0) { diag_error(lx->file, line, (int)(i - ls) + 1, "source contains a NUL byte"); return -1; }
    if (c == 0xC0 || c == 0xC1 || n < 0) goto bad;
    for (int k = 1; k <= n; k++)
      if (i + (size_t)k >= lx->len || (s[i + k] & 0xC0) != 0x80) goto bad;
    if (c == '\n') { line++; ls = i + 1; }
    i += (size_t)n + 1;
    continue;
  bad:
    diag_error(lx->file, line, (int)(i - ls) + 1, "invalid UTF-8 byte 0x%02x", c);
    return -1;
  }
  return 0;
}

long cfg_lex(cfg_arena *a, const char *file, const char *src, size_t len, cfg_token **out) {
  lexer lx;
  memset(&lx, 0, sizeof lx);
  lx.a = a;
  lx.file = file;
  lx.src = src;
  lx.len = len;
  lx.line = 1;
  lx.nindent = 1;
  if (check_utf8(&lx) < 0) return -1;
  if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3)) lx.pos = 3; /* BOM */
  int at_line_start = 1;
  while (lx.pos < lx.len) {
    if (at_line_start && lx.depth == 0) {
      int r = lex_indent(&lx);
      if (r < 0) return -1;
      at_line_start = 0;
      if (r == 1) {
        /* blank or comment line: skip to its end */
        while (lx.pos < lx.len && src[lx.pos] != '\n') lx.pos++;
        if (lx.pos < lx.len) { lx.pos++; lx.line++; lx.line_start = lx.pos; }
        at_line_start = 1;
        continue;
      }
    }
    char c = src[lx.pos];
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r') { lx.pos++; continue; }
    if (c == '#') { while (lx.pos < lx.len && src[lx.pos] != '\n') lx.pos++; continue; }
    if (c == '\\') {
      size_t j = lx.pos + 1;
      if (j < lx.len && src[j] == '\r') j++;
      if (j < lx.len && src[j] == '\n') { lx.pos = j + 1; lx.line++; lx.line_start = lx.pos; continue; }
      if (j >= lx.len) return lex_error(&lx, lx.pos, "unexpected end of file after line continuation", NULL);
      return lex_error(&lx, lx.pos, "unexpected character after line continuation", NULL);
    }
    if (c == '\n') {
      if (lx.depth == 0) {
        push(&lx, TK_NEWLINE, lx.pos, "", 0);
        at_line_start = 1;
      }
      lx.pos++;
      lx.line++;
      lx.line_start = lx.pos;
      continue;
    }
    if (is_id_start((unsigned char)c)) {
      size_t start = lx.pos, i = lx.pos;
      while (i < lx.len && is_id_char((unsigned char)src[i])) i++;
      /* string prefixes: r, f, b, u, rb, fr, ... */
      if (i < lx.len && (src[i] == '\'' || src[i] == '"') && i - start <= 2) {
        int ok = 1;
        for (size_t k = start; k < i; k++) if (!strchr("rRfFbBuU", src[k])) ok = 0;
        if (ok) {
          lx.pos = i;
          if (lex_string(&lx, start, src + start, i - start) < 0) return -1;
          continue;
        }
      }
      push(&lx, TK_NAME, start, cfg_arena_strndup(a, src + start, i - start), i - start);
      lx.pos = i;
      continue;
    }
    if (is_digit((unsigned char)c) || (c == '.' && lx.pos + 1 < lx.len && is_digit((unsigned char)src[lx.pos + 1]))) {
      if (lex_number(&lx) < 0) return -1;
      continue;
    }
    if (c == '\'' || c == '"') {
      if (lex_string(&lx, lx.pos, "", 0) < 0) return -1;
      continue;
    }
    if (lex_op(&lx) < 0) return -1;
  }
  if (lx.depth > 0) {
    diag_error(file, lx.bracket_line[lx.depth - 1], lx.bracket_col[lx.depth - 1],
               "'%c' was never closed", lx.brackets[lx.depth - 1]);
    return -1;
  }
  if (lx.ntoks && lx.toks[lx.ntoks - 1].kind != TK_NEWLINE && lx.toks[lx.ntoks - 1].kind != TK_DEDENT)
    push(&lx, TK_NEWLINE, lx.pos, "", 0);
  while (lx.nindent > 1) {
    lx.nindent--;
    push(&lx, TK_DEDENT, lx.pos, "", 0);
  }
  push(&lx, TK_EOF, lx.pos, "", 0);
  *out = lx.toks;
  return (long)lx.ntoks;
}

/* }====================================================================== */
