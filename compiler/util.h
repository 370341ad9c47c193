/* util.h: what every stage of mmcc shares: diagnostics, memory, strings, files.
 *
 * Error convention: a function that can fail on bad input prints one diagnostic with
 * diag_error() (naming file and place) and returns -1 (or NULL); its caller passes the
 * failure up without printing again. main() turns it into exit status 1. Usage errors
 * exit 2. Out-of-memory aborts (xmalloc). */
#ifndef MMCC_UTIL_H
#define MMCC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- diagnostics (all to stderr) ---- */
/* "file:line:col: error: msg" ; line/col <= 0 are left out ("file: error: msg"); file NULL
 * gives "mmcc: error: msg". */
void diag_error(const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_warning(const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* "mmcc: msg" */
/* Progress on stderr for long steps: "label: 42%" rewritten in place when stderr is a tty,
 * otherwise printed at 25% steps. progress_done() ends the line. */
void progress(const char *label, uint64_t done, uint64_t total);
void progress_done(const char *label);
int diag_error_count(void);

/* ---- memory: abort with a message on exhaustion ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);  /* the formatted text; caller frees */
void strv_free(char **v);  /* a NULL-terminated array of strings and its strings; NULL is fine */

/* ---- growable string buffer ---- */
typedef struct strbuf { char *s; size_t len, cap; } strbuf;  /* s is always NUL-terminated */
void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_putc(strbuf *b, char c);
void sb_put(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *b, const char *fmt, va_list ap);
void sb_put_utf8(strbuf *b, uint32_t cp);  /* one code point (<= 0x10FFFF) as UTF-8 */
char *sb_take(strbuf *b);  /* returns the string (caller frees), leaves b empty */

/* ---- JSON output helpers ---- */
void json_put_string(strbuf *b, const char *s, size_t n);  /* quoted, escaped, UTF-8 kept */
/* Optional values, null when unknown: a NULL string, a negative count or measure (the
 * convention of the metafile facts). Measures print as fmt_py_float. */
void json_put_opt_string(strbuf *b, const char *s);
void json_put_opt_count(strbuf *b, long long v);
void json_put_opt_float(strbuf *b, double v);
/* Python repr(float): shortest round-trip digits, "255.0", "1e-06", "inf", "nan".
 * (JSON has no inf/nan; callers decide how to print those.) */
void fmt_py_float(char out[32], double v);

/* ---- files and paths ---- */
/* Reads a whole file (NUL-terminated). NULL + diagnostic on failure. */
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const void *data, size_t len);  /* -1 + diagnostic */
int mkdir_p(const char *path);                                   /* -1 + diagnostic */
int rm_rf(const char *path);
int file_exists(const char *path);
int is_dir(const char *path);
char *path_dirname(const char *path);                   /* "a/b/c.py" -> "a/b", "c.py" -> "." */
const char *path_basename(const char *path);            /* pointer into path */
char *path_join(const char *dir, const char *rel);      /* rel absolute -> copy of rel */
char *path_normalize(const char *path);                 /* folds "." and "a/.." textually */

/* Atomic output directory: staging_begin() makes an empty sibling "<final>.tmp.<pid>"
 * (parents created); staging_commit() swaps it with <final> in one rename (then removes the
 * old output); staging_abort() removes it. No half-written <final> is ever visible.
 * staging_remove_of(dir, pid) removes every staging directory process PID made in DIR
 * (for the supervisor of a killed worker). */
char *staging_begin(const char *final_dir);
int staging_commit(const char *staging, const char *final_dir);
void staging_abort(const char *staging);
void staging_remove_of(const char *dir, long pid);

/* Directory holding templates/, runtime/ and examples/classify: env MMCC_SHARE_DIR, else
 * found from the executable (<bin>/../share/mmcc installed, <build>/.. in a source tree).
 * mmcc_share_check() prints an error naming the places looked in and returns -1 when the
 * data is not there. */
const char *mmcc_share_dir(void);
int mmcc_share_check(void);

/* Up to three of NAMES nearest to WORD by edit distance (at most a third of WORD's length
 * + 2 edits), else up to three containing WORD (of 4+ characters), as "'a', 'b'" (caller frees); NULL if none. */
char *closest_names(const char *word, const char *const *names, size_t n);

#endif
