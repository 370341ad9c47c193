/* safetensors.c: reader for the safetensors format (see safetensors.h). The header is parsed
 * by a small JSON reader that knows the schema; unknown fields are skipped (depth-bounded). */
#include "safetensors.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { MAX_HEADER = 100 << 20, MAX_DEPTH = 64 };

typedef struct jreader {
  const char *path;
  const char *s;           /* header text */
  size_t n, pos;
} jreader;

static int jfail(jreader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jfail(jreader *r, const char *fmt, ...) {
  char *msg;
  va_list ap;
  va_start(ap, fmt);
  msg = xvasprintf(fmt, ap);
  va_end(ap);
  diag_error(r->path, 0, 0, "safetensors header offset %zu: %s", r->pos + 8, msg);
  free(msg);
  return -1;
}

/* {====================================================================== JSON */

static void skip_ws(jreader *r) {
  while (r->pos < r->n && strchr(" \t\r\n", r->s[r->pos]) && r->s[r->pos]) r->pos++;
}

/* The next non-blank character (not consumed), or -1 at the end. */
static int peek(jreader *r) {
  skip_ws(r);
  return r->pos < r->n ? (unsigned char)r->s[r->pos] : -1;
}

static int expect(jreader *r, char c) {
  if (peek(r) != c) {
    if (r->pos >= r->n) return jfail(r, "truncated header: '%c' expected", c);
    return jfail(r, "'%c' expected", c);
  }
  r->pos++;
  return 0;
}

static int hex4(jreader *r, unsigned *u) {
  *u = 0;
  if (r->n - r->pos < 4) return jfail(r, "truncated \\u escape");
  for (int i = 0; i < 4; i++) {
    char c = r->s[r->pos++];
    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
    if (d > 15) return jfail(r, "bad \\u escape");
    *u = *u << 4 | d;
  }
  return 0;
}

/* A JSON string into *OUT (caller frees); NUL characters are refused. */
static int jstring(jreader *r, char **out) {
  strbuf b;
  *out = NULL;
  if (expect(r, '"') < 0) return -1;
  sb_init(&b);
  for (;;) {
    char c;
    if (r->pos >= r->n) {
      sb_free(&b);
      return jfail(r, "truncated header: unterminated string");
    }
    c = r->s[r->pos++];
    if (c == '"') break;
    if ((unsigned char)c < 0x20) {
      sb_free(&b);
      return jfail(r, "control character in a string");
    }
    if (c != '\\') {
      sb_putc(&b, c);
      continue;
    }
    if (r->pos >= r->n) {
      sb_free(&b);
      return jfail(r, "truncated header: unterminated string");
    }
    c = r->s[r->pos++];
    switch (c) {
      case '"': case '\\': case '/': sb_putc(&b, c); break;
      case 'b': sb_putc(&b, '\b'); break;
      case 'f': sb_putc(&b, '\f'); break;
      case 'n': sb_putc(&b, '\n'); break;
      case 'r': sb_putc(&b, '\r'); break;
      case 't': sb_putc(&b, '\t'); break;
      case 'u': {
        unsigned u, lo;
        if (hex4(r, &u) < 0) goto bad;
        if (u >= 0xd800 && u < 0xdc00) {
          if (r->n - r->pos < 2 || r->s[r->pos] != '\\' || r->s[r->pos + 1] != 'u') {
            jfail(r, "unpaired surrogate in \\u escape");
            goto bad;
          }
          r->pos += 2;
          if (hex4(r, &lo) < 0) goto bad;
          if (lo < 0xdc00 || lo > 0xdfff) {
            jfail(r, "unpaired surrogate in \\u escape");
            goto bad;
          }
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        } else if (u >= 0xdc00 && u < 0xe000) {
          jfail(r, "unpaired surrogate in \\u escape");
          goto bad;
        }
        if (u == 0) {
          jfail(r, "NUL character in a string");
          goto bad;
        }
        sb_put_utf8(&b, u);
        break;
      }
      default:
        jfail(r, "bad escape '\\%c'", c);
        goto bad;
    }
  }
  *out = sb_take(&b);
  sb_free(&b);
  return 0;
bad:
  sb_free(&b);
  return -1;
}

static int jint(jreader *r, int64_t *v) {
  int neg = 0, digits = 0;
  uint64_t u = 0;
  if (peek(r) == '-') {
    neg = 1;
    r->pos++;
  }
  while (r->pos < r->n && r->s[r->pos] >= '0' && r->s[r->pos] <= '9') {
    if (u > ((uint64_t)INT64_MAX - 9) / 10) return jfail(r, "integer too large");
    u = u * 10 + (uint64_t)(r->s[r->pos++] - '0');
    digits++;
  }
  if (!digits) return jfail(r, "integer expected");
  if (r->pos < r->n && strchr(".eE", r->s[r->pos]) && r->s[r->pos])
    return jfail(r, "integer expected, not a fraction");
  *v = neg ? -(int64_t)u : (int64_t)u;
  return 0;
}

/* Skips any JSON value (for fields mmcc does not use). */
static int jskip(jreader *r, int depth) {
  int c = peek(r);
  char *s;
  if (depth > MAX_DEPTH) return jfail(r, "nested deeper than %d", MAX_DEPTH);
  if (c == '"') {
    if (jstring(r, &s) < 0) return -1;
    free(s);
    return 0;
  }
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    r->pos++;
    if (peek(r) == close) {
      r->pos++;
      return 0;
    }
    for (;;) {
      if (c == '{') {
        if (jstring(r, &s) < 0) return -1;
        free(s);
        if (expect(r, ':') < 0) return -1;
      }
      if (jskip(r, depth + 1) < 0) return -1;
      if (peek(r) == ',') {
        r->pos++;
        continue;
      }
      return expect(r, close);
    }
  }
  if (c == -1) return jfail(r, "truncated header: value expected");
  /* number, true, false, null */
  {
    size_t start = r->pos;
    while (r->pos < r->n && strchr("+-.0123456789eEtruefalsn", r->s[r->pos]) && r->s[r->pos])
      r->pos++;
    if (r->pos == start) return jfail(r, "value expected");
  }
  return 0;
}

/* An array of integers (at most MAX, else an error naming WHAT). */
static int jints(jreader *r, int64_t *v, int max, int *count, const char *what) {
  *count = 0;
  if (expect(r, '[') < 0) return -1;
  if (peek(r) == ']') {
    r->pos++;
    return 0;
  }
  for (;;) {
    if (*count == max) return jfail(r, "%s has more than %d entries", what, max);
    if (jint(r, &v[(*count)++]) < 0) return -1;
    if (peek(r) == ',') {
      r->pos++;
      continue;
    }
    return expect(r, ']');
  }
}

/* }====================================================================== */

/* {====================================================================== header schema */

static const struct { const char *name; ckpt_dtype dtype; size_t size; } dtypes[] = {
    {"F32", CKPT_F32, 4}, {"F16", CKPT_F16, 2}, {"BF16", CKPT_BF16, 2}, {"F64", CKPT_F64, 8}, {"I64", CKPT_I64, 8}};

static int tensor_entry(jreader *r, st_file *f, char *name, const uint8_t *data,
                        uint64_t data_size) {
  ckpt_tensor *t;
  int64_t offs[2] = {-1, -1};
  int noffs = 0, have_dtype = 0, have_shape = 0;
  size_t esize = 0;
  if (f->n % 16 == 0) f->t = xrealloc(f->t, (f->n + 16) * sizeof *f->t);
  t = &f->t[f->n++];
  memset(t, 0, sizeof *t);
  t->name = name;
  if (expect(r, '{') < 0) return -1;
  if (peek(r) != '}')
    for (;;) {
      char *key;
      if (jstring(r, &key) < 0) return -1;
      if (expect(r, ':') < 0) {
        free(key);
        return -1;
      }
      if (!strcmp(key, "dtype")) {
        char *d;
        size_t i;
        free(key);
        if (jstring(r, &d) < 0) return -1;
        for (i = 0; i < sizeof dtypes / sizeof *dtypes && strcmp(dtypes[i].name, d); i++) {}
        if (i == sizeof dtypes / sizeof *dtypes) {
          diag_error(r->path, 0, 0,
                     "tensor '%s': dtype %s is not supported (F32, F16, BF16, F64, I64 are)", name, d);
          free(d);
          return -1;
        }
        free(d);
        t->dtype = dtypes[i].dtype;
        esize = dtypes[i].size;
        have_dtype = 1;
      } else if (!strcmp(key, "shape")) {
        free(key);
        if (jints(r, t->shape, 8, &t->ndim, "shape") < 0) return -1;
        have_shape = 1;
      } else if (!strcmp(key, "data_offsets")) {
        free(key);
        if (jints(r, offs, 2, &noffs, "data_offsets") < 0) return -1;
      } else {
        free(key);
        if (jskip(r, 1) < 0) return -1;
      }
      if (peek(r) == ',') {
        r->pos++;
        continue;
      }
      break;
    }
  if (expect(r, '}') < 0) return -1;
  if (!have_dtype || !have_shape || noffs != 2) {
    diag_error(r->path, 0, 0, "tensor '%s': header entry lacks %s", name,
               !have_dtype ? "dtype" : !have_shape ? "shape" : "data_offsets [begin, end]");
    return -1;
  }
  {
    uint64_t numel = 1, nbytes;
    for (int i = 0; i < t->ndim; i++) {
      if (t->shape[i] < 0 || __builtin_mul_overflow(numel, (uint64_t)t->shape[i], &numel)) {
        diag_error(r->path, 0, 0, "tensor '%s': bad shape", name);
        return -1;
      }
    }
    if (__builtin_mul_overflow(numel, (uint64_t)esize, &nbytes) || offs[0] < 0 ||
        offs[1] < offs[0] || (uint64_t)(offs[1] - offs[0]) != nbytes) {
      diag_error(r->path, 0, 0,
                 "tensor '%s': data_offsets [%lld, %lld] do not hold %llu elements of %zu bytes",
                 name, (long long)offs[0], (long long)offs[1], (unsigned long long)numel, esize);
      return -1;
    }
    if ((uint64_t)offs[1] > data_size) {
      diag_error(r->path, 0, 0,
                 "truncated file: tensor '%s' ends at data offset %lld, the file has %llu data "
                 "bytes",
                 name, (long long)offs[1], (unsigned long long)data_size);
      return -1;
    }
    t->data = data + offs[0];
    t->nbytes = (size_t)nbytes;
    {
      int64_t s = 1;
      for (int i = t->ndim; i-- > 0;) {
        t->stride[i] = s;
        s *= t->shape[i];
      }
    }
  }
  return 0;
}

static int metadata(jreader *r, st_file *f) {
  if (expect(r, '{') < 0) return -1;
  if (peek(r) == '}') {
    r->pos++;
    return 0;
  }
  for (;;) {
    char *key;
    if (jstring(r, &key) < 0) return -1;
    if (f->nmeta % 16 == 0) f->meta_keys = xrealloc(f->meta_keys, (f->nmeta + 16) * sizeof(char *));
    f->meta_keys[f->nmeta++] = key;
    if (expect(r, ':') < 0 || jskip(r, 1) < 0) return -1;
    if (peek(r) == ',') {
      r->pos++;
      continue;
    }
    return expect(r, '}');
  }
}

/* }====================================================================== */

int st_sniff(const uint8_t *base, uint64_t size) {
  uint64_t n = 0;
  if (size < 9) return 0;
  for (int i = 8; i-- > 0;) n = n << 8 | base[i];
  return n <= MAX_HEADER && base[8] == '{';
}

int st_parse(st_file *f, const char *path, const uint8_t *base, uint64_t size) {
  jreader r = {path, NULL, 0, 0};
  uint64_t hlen = 0;
  const uint8_t *data;
  memset(f, 0, sizeof *f);
  if (size < 8) {
    diag_error(path, 0, 0, "truncated safetensors file: %llu bytes", (unsigned long long)size);
    return -1;
  }
  for (int i = 8; i-- > 0;) hlen = hlen << 8 | base[i];
  if (hlen > size - 8 || hlen > MAX_HEADER) {
    diag_error(path, 0, 0,
               "truncated safetensors file: header of %llu bytes, the file has %llu after the "
               "length",
               (unsigned long long)hlen, (unsigned long long)(size - 8));
    return -1;
  }
  r.s = (const char *)base + 8;
  r.n = (size_t)hlen;
  data = base + 8 + hlen;
  if (expect(&r, '{') < 0) goto fail;
  if (peek(&r) != '}')
    for (;;) {
      char *key;
      if (jstring(&r, &key) < 0) goto fail;
      if (expect(&r, ':') < 0) {
        free(key);
        goto fail;
      }
      if (!strcmp(key, "__metadata__")) {
        free(key);
        if (metadata(&r, f) < 0) goto fail;
      } else {
        for (size_t i = 0; i < f->n; i++)
          if (!strcmp(f->t[i].name, key)) {
            jfail(&r, "tensor '%s' appears twice", key);
            free(key);
            goto fail;
          }
        if (tensor_entry(&r, f, key, data, size - 8 - hlen) < 0) goto fail;
      }
      if (peek(&r) == ',') {
        r.pos++;
        continue;
      }
      break;
    }
  if (expect(&r, '}') < 0) goto fail;
  if (peek(&r) != -1) {
    jfail(&r, "text after the header object");
    goto fail;
  }
  return 0;
fail:
  st_free(f);
  return -1;
}

void st_free(st_file *f) {
  for (size_t i = 0; i < f->n; i++) free(f->t[i].name);
  free(f->t);
  for (size_t i = 0; i < f->nmeta; i++) free(f->meta_keys[i]);
  free(f->meta_keys);
  memset(f, 0, sizeof *f);
}
