/* cfg.h: resolved mmengine configs as values: the contract between the config front end
 * (cfg_lex.c -> cfg_parse.c -> cfg_eval.c -> cfg_load.c) and its consumers (model.c,
 * cmd_config.c). Consumers only read values; they never see the AST.
 *
 * A value remembers where it was written (file:line:col of the expression that made it), so
 * consumers can report "configs/clip/x.py:12:5: error: unsupported backbone 'ResNet'". */
#ifndef MMCC_CFG_H
#define MMCC_CFG_H

#include <stddef.h>

#include "util.h"

typedef struct cfg_value cfg_value;

typedef enum {
  CFG_NONE, CFG_BOOL, CFG_INT, CFG_FLOAT, CFG_STR, CFG_LIST, CFG_TUPLE, CFG_DICT,
  CFG_OTHER /* module, function, type...: never in a resolved config's JSON */
} cfg_kind;

/* mmengine's Config.fromfile(path): evaluate the file and its _base_ chain, merge.
 * Returns the root dict, or NULL after printing a diagnostic. The result stays valid until
 * cfg_free(root). */
cfg_value *cfg_load_file(const char *path);
/* The same for a top file whose source is TEXT[0..LEN) (not read from PATH; its _base_ files
 * are still read, relative to PATH). TEXT NULL: read PATH. For the fuzzer. */
cfg_value *cfg_load_text(const char *path, const char *text, size_t len);
void cfg_free(cfg_value *root);

cfg_kind cfg_kind_of(const cfg_value *v);
const char *cfg_kind_name(cfg_kind k);           /* "int", "dict", ... as Python names them */

/* Dicts: key lookup (NULL when absent or when d is not a dict), dotted path lookup through
 * nested dicts ("model.backbone.arch"), and iteration in insertion order. */
const cfg_value *cfg_get(const cfg_value *d, const char *key);
const cfg_value *cfg_lookup(const cfg_value *root, const char *dotted);
const char *cfg_key_at(const cfg_value *d, size_t i);

/* Lists, tuples, dicts: number of items; cfg_at gives item i (a dict's i-th value). */
size_t cfg_len(const cfg_value *v);
const cfg_value *cfg_at(const cfg_value *v, size_t i);

/* Scalars. cfg_num accepts int, float and bool (Python's numeric tower). */
int cfg_bool(const cfg_value *v);
long long cfg_int(const cfg_value *v);
double cfg_num(const cfg_value *v);
const char *cfg_str(const cfg_value *v);          /* NUL-terminated, UTF-8 */

/* Where the value was written (file may be NULL for values made by mmcc itself). */
const char *cfg_file(const cfg_value *v);
int cfg_line(const cfg_value *v);
int cfg_col(const cfg_value *v);

/* JSON as issue 2 specifies: dict -> object (insertion order), list/tuple -> array, None ->
 * null, bool, int, float like Python's repr, str. Modules/functions are left out of dicts. */
void cfg_to_json(const cfg_value *v, strbuf *out, int indent);

#endif
