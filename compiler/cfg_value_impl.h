/* cfg_value_impl.h: the representation of config values, shared by the evaluator
 * (cfg_eval.c), the loader (cfg_load.c) and the accessors of cfg.h (cfg_value.c).
 * Consumers outside the front end use cfg.h only. */
#ifndef MMCC_CFG_VALUE_IMPL_H
#define MMCC_CFG_VALUE_IMPL_H

#include "cfg.h"
#include "cfg_lex.h"

/* CFG_OTHER sub-kinds */
typedef enum {
  OT_MODULE,    /* import copy */
  OT_IMPORTED,  /* from pkg import name: an opaque object we never call */
  OT_BUILTIN,   /* len, round, ... and types (dict, list, ...) */
  OT_METHOD,    /* bound method: self + name */
  OT_FUNCTION   /* copy.deepcopy etc. */
} cfg_other_kind;

/* Values deeper than this are refused (self-referencing containers). */
#define CFG_MAX_VALUE_DEPTH 400
/* Most values (containers and their items) one copy may build, and a resolved config may
 * hold, counting a shared list or dict once per place it appears ([[0] * 1000] * 1000 is
 * small but writes out a million): twice the longest list (CFGE_MAX_SEQ_LEN). */
#ifndef CFG_MAX_EXPANDED /* the fuzz build lowers it (tests/fuzz/fuzz.mk) */
#define CFG_MAX_EXPANDED (1u << 23)
#endif
/* repr()/str() of a value stop writing past this many bytes (a list shared inside itself
 * 40 times over would print 2^40 items); callers that make a string of it check the length. */
#define CFG_MAX_REPR_BYTES (1u << 22)

struct cfg_value {
  cfg_kind kind;
  int cfgdict;            /* CFG_DICT: mmengine ConfigDict (attribute access; copies on store) */
  cfg_other_kind other;
  const char *file;
  int line, col;
  long long i;            /* CFG_INT, CFG_BOOL */
  double f;               /* CFG_FLOAT */
  const char *s;          /* CFG_STR (NUL-terminated, slen bytes); CFG_OTHER: name */
  size_t slen;
  cfg_value **items;      /* list/tuple items, dict values */
  cfg_value **keys;       /* dict keys */
  size_t n, cap;
  cfg_value *self;        /* OT_METHOD: receiver */
  cfg_arena *arena;       /* the root of a load owns the arena */
};

cfg_value *cfgv_new(cfg_arena *a, cfg_kind k, const char *file, int line, int col);
cfg_value *cfgv_int(cfg_arena *a, long long v, const cfg_value *at);
cfg_value *cfgv_float(cfg_arena *a, double v, const cfg_value *at);
cfg_value *cfgv_bool(cfg_arena *a, int v, const cfg_value *at);
cfg_value *cfgv_none(cfg_arena *a, const cfg_value *at);
cfg_value *cfgv_str(cfg_arena *a, const char *s, size_t n, const cfg_value *at);
cfg_value *cfgv_seq(cfg_arena *a, cfg_kind k, size_t cap, const cfg_value *at); /* list/tuple/dict */
void cfgv_push(cfg_arena *a, cfg_value *seq, cfg_value *item);

/* dicts: keys compare with Python ==; set replaces in place or appends */
long cfgv_dict_find(const cfg_value *d, const cfg_value *key);
long cfgv_dict_find_str(const cfg_value *d, const char *key);
void cfgv_dict_set(cfg_arena *a, cfg_value *d, cfg_value *key, cfg_value *val);
void cfgv_dict_set_str(cfg_arena *a, cfg_value *d, const char *key, cfg_value *val);
void cfgv_dict_remove(cfg_value *d, size_t idx);

int cfgv_is_hashable(const cfg_value *v);
int cfgv_equal(const cfg_value *a, const cfg_value *b);
int cfgv_truthy(const cfg_value *v);
const char *cfgv_type_name(const cfg_value *v);  /* Python's type(v).__name__ */
void cfgv_repr(strbuf *b, const cfg_value *v);   /* repr(v) */
void cfgv_tostr(strbuf *b, const cfg_value *v);  /* str(v) */

/* copy.deepcopy (keeps ConfigDict-ness). NULL when nested deeper than CFG_MAX_VALUE_DEPTH or
 * when the copy would hold more than CFG_MAX_EXPANDED values (also for the two below). */
cfg_value *cfgv_deepcopy(cfg_arena *a, const cfg_value *v, int depth);
/* mmengine ConfigDict._hook: plain dicts become ConfigDicts (recursively), lists and tuples
 * are rebuilt with hooked items, everything else (ConfigDicts too) is kept as is. */
cfg_value *cfgv_hook(cfg_arena *a, cfg_value *v, int depth);
/* Config._dict_to_config_dict: every dict, at any depth, becomes a fresh ConfigDict. */
cfg_value *cfgv_to_configdict(cfg_arena *a, cfg_value *v, int depth);
/* Depth of nesting (stops counting past CFG_MAX_VALUE_DEPTH). */
int cfgv_depth(const cfg_value *v, int depth);
/* Values in V written out as a tree (a shared list or dict counted at each place it
 * appears); stops counting past LIMIT and below CFG_MAX_VALUE_DEPTH. */
size_t cfgv_expanded(const cfg_value *v, size_t limit);

#endif
