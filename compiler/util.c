/* util.c: diagnostics, memory, strings, files (see util.h). */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* {====================================================================== diagnostics */

static int n_errors;

static void vdiag(const char *kind, const char *file, int line, int col, const char *fmt,
                  va_list ap) {
  if (!file) fprintf(stderr, "mmcc: ");
  else if (line > 0 && col > 0) fprintf(stderr, "%s:%d:%d: ", file, line, col);
  else if (line > 0) fprintf(stderr, "%s:%d: ", file, line);
  else fprintf(stderr, "%s: ", file);
  fprintf(stderr, "%s: ", kind);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void diag_error(const char *file, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vdiag("error", file, line, col, fmt, ap);
  va_end(ap);
  n_errors++;
}

void diag_warning(const char *file, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vdiag("warning", file, line, col, fmt, ap);
  va_end(ap);
}

void diag_note(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mmcc: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int diag_error_count(void) { return n_errors; }

void progress(const char *label, uint64_t done, uint64_t total) {
  static int last_pct = -1;
  static const char *last_label;
  int pct = total ? (int)(done * 100 / total) : 100;
  if (label != last_label) { last_label = label; last_pct = -1; }
  if (isatty(2)) {
    if (pct != last_pct) fprintf(stderr, "\rmmcc: %s: %3d%%", label, pct);
  } else if (pct / 25 != last_pct / 25 || last_pct < 0) {
    fprintf(stderr, "mmcc: %s: %d%%\n", label, pct);
  }
  last_pct = pct;
}

void progress_done(const char *label) {
  if (isatty(2)) fprintf(stderr, "\rmmcc: %s: done\n", label);
  else fprintf(stderr, "mmcc: %s: done\n", label);
}

/* }====================================================================== */

/* {====================================================================== memory */

static void oom(size_t n) {
  fprintf(stderr, "mmcc: fatal: out of memory (%zu bytes)\n", n);
  abort();
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom(n * size);
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) oom(n);
  return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n) {
  char *d = xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

void strv_free(char **v) {
  if (v)
    for (char **p = v; *p; p++) free(*p);
  free(v);
}

char *xasprintf(const char *fmt, ...) {
  char *s;
  va_list ap;
  va_start(ap, fmt);
  s = xvasprintf(fmt, ap);
  va_end(ap);
  return s;
}

char *xvasprintf(const char *fmt, va_list ap) {
  strbuf b;
  sb_init(&b);
  sb_vprintf(&b, fmt, ap);
  return b.s;
}

/* }====================================================================== */

/* {====================================================================== strbuf */

void sb_init(strbuf *b) {
  b->cap = 64;
  b->len = 0;
  b->s = xmalloc(b->cap);
  b->s[0] = 0;
}

void sb_free(strbuf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

static void sb_reserve(strbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  while (b->len + extra + 1 > b->cap) b->cap *= 2;
  b->s = xrealloc(b->s, b->cap);
}

void sb_putc(strbuf *b, char c) {
  sb_reserve(b, 1);
  b->s[b->len++] = c;
  b->s[b->len] = 0;
}

void sb_put(strbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

void sb_vprintf(strbuf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  sb_reserve(b, (size_t)n);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void sb_put_utf8(strbuf *b, uint32_t cp) {
  if (cp < 0x80) {
    sb_putc(b, (char)cp);
  } else if (cp < 0x800) {
    sb_putc(b, (char)(0xc0 | cp >> 6));
    sb_putc(b, (char)(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    sb_putc(b, (char)(0xe0 | cp >> 12));
    sb_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
    sb_putc(b, (char)(0x80 | (cp & 0x3f)));
  } else {
    sb_putc(b, (char)(0xf0 | cp >> 18));
    sb_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
    sb_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
    sb_putc(b, (char)(0x80 | (cp & 0x3f)));
  }
}

void sb_printf(strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(b, fmt, ap);
  va_end(ap);
}

char *sb_take(strbuf *b) {
  char *s = b->s;
  sb_init(b);
  return s;
}

/* }====================================================================== */

/* {====================================================================== JSON, floats */

void json_put_string(strbuf *b, const char *s, size_t n) {
  sb_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': sb_puts(b, "\\\""); break;
      case '\\': sb_puts(b, "\\\\"); break;
      case '\n': sb_puts(b, "\\n"); break;
      case '\r': sb_puts(b, "\\r"); break;
      case '\t': sb_puts(b, "\\t"); break;
      case '\b': sb_puts(b, "\\b"); break;
      case '\f': sb_puts(b, "\\f"); break;
      default:
        if (c < 0x20 || c == 0x7f) sb_printf(b, "\\u%04x", c);
        else sb_putc(b, (char)c);
    }
  }
  sb_putc(b, '"');
}

void json_put_opt_string(strbuf *b, const char *s) {
  if (s) json_put_string(b, s, strlen(s));
  else sb_puts(b, "null");
}

void json_put_opt_count(strbuf *b, long long v) {
  if (v < 0) sb_puts(b, "null");
  else sb_printf(b, "%lld", v);
}

void json_put_opt_float(strbuf *b, double v) {
  char f[32];
  if (v < 0) {
    sb_puts(b, "null");
    return;
  }
  fmt_py_float(f, v);
  sb_puts(b, f);
}

/* Python's repr(float): the shortest digit string that reads back to the same double, in
 * fixed notation when the decimal exponent is in [-4, 16), else "d.ddde+XX". */
void fmt_py_float(char out[32], double v) {
  if (isnan(v)) { strcpy(out, "nan"); return; }
  if (isinf(v)) { strcpy(out, v < 0 ? "-inf" : "inf"); return; }
  if (v == 0) { strcpy(out, signbit(v) ? "-0.0" : "0.0"); return; }
  char buf[40];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    if (strtod(buf, NULL) == v) break;
  }
  /* buf = [-]d[.ddd]e(+|-)XX: pull out sign, digits and exponent. */
  char digits[24];
  int nd = 0, neg = 0;
  const char *p = buf;
  if (*p == '-') { neg = 1; p++; }
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9') digits[nd++] = *p;
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  int exp10 = atoi(p + 1);
  char *o = out;
  if (neg) *o++ = '-';
  if (exp10 >= -4 && exp10 < 16) {
    if (exp10 < 0) {
      *o++ = '0'; *o++ = '.';
      for (int i = 0; i < -exp10 - 1; i++) *o++ = '0';
      for (int i = 0; i < nd; i++) *o++ = digits[i];
    } else {
      for (int i = 0; i <= exp10; i++) *o++ = i < nd ? digits[i] : '0';
      *o++ = '.';
      if (nd > exp10 + 1) for (int i = exp10 + 1; i < nd; i++) *o++ = digits[i];
      else *o++ = '0';
    }
    *o = 0;
  } else {
    *o++ = digits[0];
    if (nd > 1) { *o++ = '.'; for (int i = 1; i < nd; i++) *o++ = digits[i]; }
    sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  }
}

/* }====================================================================== */

/* {====================================================================== files */

char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { diag_error(path, 0, 0, "cannot open: %s", strerror(errno)); return NULL; }
  if (is_dir(path)) {  /* fopen succeeds on a directory; the read would fail with EISDIR */
    diag_error(path, 0, 0, "is a directory (a file was expected)");
    fclose(f);
    return NULL;
  }
  strbuf b;
  sb_init(&b);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_put(&b, chunk, n);
  int err = ferror(f);
  fclose(f);
  if (err) { diag_error(path, 0, 0, "read error"); sb_free(&b); return NULL; }
  if (len) *len = b.len;
  return b.s;
}

int write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) { diag_error(path, 0, 0, "cannot create: %s", strerror(errno)); return -1; }
  size_t w = fwrite(data, 1, len, f);
  if (fclose(f) != 0 || w != len) { diag_error(path, 0, 0, "write error: %s", strerror(errno)); return -1; }
  return 0;
}

int mkdir_p(const char *path) {
  char *p = xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      diag_error(p, 0, 0, "cannot create directory: %s", strerror(errno));
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = 0;
  if (mkdir(p, 0777) != 0 && errno != EEXIST) {
    diag_error(p, 0, 0, "cannot create directory: %s", strerror(errno));
    rc = -1;
  } else if (!is_dir(p)) {
    diag_error(p, 0, 0, "exists and is not a directory");
    rc = -1;
  }
  free(p);
  return rc;
}

int rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char *sub = path_join(path, e->d_name);
      rm_rf(sub);
      free(sub);
    }
    closedir(d);
    return rmdir(path);
  }
  return unlink(path);
}

int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_dirname(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return xstrdup(".");
  if (slash == path) return xstrdup("/");
  return xstrndup(path, (size_t)(slash - path));
}

const char *path_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

char *path_join(const char *dir, const char *rel) {
  if (rel[0] == '/' || !dir[0] || !strcmp(dir, ".")) return xstrdup(rel);
  size_t n = strlen(dir);
  return xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", rel);
}

char *path_normalize(const char *path) {
  /* Split on '/', drop "." and empty parts, let ".." cancel a preceding normal part. */
  size_t n = strlen(path);
  char **parts = xcalloc(n + 1, sizeof *parts);
  size_t np = 0;
  char *copy = xstrdup(path);
  int absolute = path[0] == '/';
  for (char *tok = strtok(copy, "/"); tok; tok = strtok(NULL, "/")) {
    if (!strcmp(tok, ".")) continue;
    if (!strcmp(tok, "..") && np > 0 && strcmp(parts[np - 1], "..")) { np--; continue; }
    if (!strcmp(tok, "..") && absolute) continue;
    parts[np++] = tok;
  }
  strbuf b;
  sb_init(&b);
  if (absolute) sb_putc(&b, '/');
  for (size_t i = 0; i < np; i++) {
    if (i) sb_putc(&b, '/');
    sb_puts(&b, parts[i]);
  }
  if (b.len == 0) sb_putc(&b, '.');
  free(parts);
  free(copy);
  return b.s;
}

char *staging_begin(const char *final_dir) {
  char *parent = path_dirname(final_dir);
  if (mkdir_p(parent) != 0) { free(parent); return NULL; }
  free(parent);
  char *st = xasprintf("%s.tmp.%ld", final_dir, (long)getpid());  /* see staging_remove_of */
  rm_rf(st);
  if (mkdir(st, 0777) != 0) {
    diag_error(st, 0, 0, "cannot create directory: %s", strerror(errno));
    free(st);
    return NULL;
  }
  return st;
}

/* Swaps the two directories with one renameat2(RENAME_EXCHANGE), so <final> is always
 * either the old or the new output, even if mmcc is killed at any instant; the old output
 * then sits in <staging> and is removed. */
int staging_commit(const char *staging, const char *final_dir) {
  if (is_dir(final_dir)) {
    if (renameat2(AT_FDCWD, staging, AT_FDCWD, final_dir, RENAME_EXCHANGE) != 0) {
      diag_error(final_dir, 0, 0, "cannot replace: %s", strerror(errno));
      return -1;
    }
    rm_rf(staging);
    return 0;
  }
  if (rename(staging, final_dir) != 0) {
    diag_error(final_dir, 0, 0, "cannot rename output into place: %s", strerror(errno));
    return -1;
  }
  return 0;
}

void staging_abort(const char *staging) {
  if (staging) rm_rf(staging);
}

void staging_remove_of(const char *dir, long pid) {
  DIR *d = opendir(dir);
  if (!d) return;
  char *suffix = xasprintf(".tmp.%ld", pid);  /* the name staging_begin gives */
  size_t ls = strlen(suffix);
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len > ls && !strcmp(e->d_name + len - ls, suffix)) {
      char *p = path_join(dir, e->d_name);
      rm_rf(p);
      free(p);
    }
  }
  closedir(d);
  free(suffix);
}

/* Where templates/ and runtime/ are, relative to the executable: <bin>/../share/mmcc after
 * 'make install' (the Makefile's SHARE_SUBDIR), <build>/.. in a source tree (build/mmcc,
 * build-san/mmcc). */
static char *share_candidate(int i) {
  char *exe = realpath("/proc/self/exe", NULL);
  if (!exe) return NULL;
  char *bin = path_dirname(exe);
  char *c = xasprintf(i == 0 ? "%s/../" MMCC_SHARE_SUBDIR : "%s/..", bin);
  char *n = path_normalize(c);
  free(exe);
  free(bin);
  free(c);
  return n;
}

static int share_has_data(const char *dir) {
  char *t = xasprintf("%s/templates/common.m4", dir), *r = xasprintf("%s/runtime", dir);
  int ok = file_exists(t) && is_dir(r);
  free(t);
  free(r);
  return ok;
}

const char *mmcc_share_dir(void) {
  static char *found;
  const char *e = getenv("MMCC_SHARE_DIR");
  if (e && *e) return e;
  if (!found)
    for (int i = 0; i < 2 && !found; i++) {
      char *c = share_candidate(i);
      if (c && share_has_data(c)) found = c;
      else free(c);
    }
  return found ? found : "/nonexistent/share/mmcc";
}

int mmcc_share_check(void) {
  const char *e = getenv("MMCC_SHARE_DIR");
  const char *dir = mmcc_share_dir();
  if (share_has_data(dir)) return 0;
  if (e && *e) {
    diag_error(e, 0, 0, "no mmcc data here (templates/common.m4, runtime/), but the environment "
                        "variable MMCC_SHARE_DIR names this directory");
  } else {
    char *a = share_candidate(0), *b = share_candidate(1);
    diag_error(NULL, 0, 0, "mmcc's data (templates/, runtime/) not found next to the executable: "
               "looked in %s and %s; install with 'make install' or set MMCC_SHARE_DIR to the "
               "directory holding templates/ and runtime/", a ? a : "?", b ? b : "?");
    free(a);
    free(b);
  }
  return -1;
}

/* Levenshtein distance, for "did you mean" suggestions. */
static size_t edit_distance(const char *a, const char *b) {
  size_t n = strlen(b), *row = xcalloc(n + 1, sizeof *row);
  for (size_t j = 0; j <= n; j++) row[j] = j;
  for (size_t i = 1; a[i - 1]; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= n; j++) {
      size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  size_t d = row[n];
  free(row);
  return d;
}

char *closest_names(const char *word, const char *const *names, size_t n) {
  size_t best = (size_t)-1, limit = strlen(word) / 3 + 2;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, names[i]);
    if (d < best) best = d;
  }
  strbuf b;
  sb_init(&b);
  int k = 0;
  for (size_t i = 0; i < n && k < 3; i++)  /* near by edits, else containing WORD */
    if (best <= limit ? edit_distance(word, names[i]) == best
                      : strlen(word) >= 4 && strstr(names[i], word) != NULL)
      sb_printf(&b, "%s'%s'", k++ ? ", " : "", names[i]);
  if (!k) {
    sb_free(&b);
    return NULL;
  }
  return b.s;  /* the buffer itself (sb_take would allocate a fresh empty one) */
}

/* }====================================================================== */
