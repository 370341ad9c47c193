/* cfg_load.c: mmengine's Config.fromfile for old-style .py configs (mmengine v0.10.x,
 * mmengine/config/config.py: _file2dict, _pre_substitute_base_vars, _substitute_base_vars,
 * _merge_a_into_b), in this order per file:
 *   1. textual substitutions: {{ fileDirname }} & co, {{$ENV:default}}, and every
 *      {{_base_.a.b}} replaced by a quoted placeholder string (also inside comments);
 *   2. the _base_ files (the first top-level `_base_ = ...`, a string or a list, paths relative
 *      to this file) are loaded recursively; a key defined by two sibling bases is an error;
 *      each base becomes ConfigDicts (attribute access) and all are bound to the name _base_;
 *   3. the file runs with every `_base_ = ...` assignment removed; the names it binds,
 *      except those starting with "__" and modules/functions, form its dict;
 *   4. placeholder strings are replaced by the _base_ values they name (after the file ran,
 *      so mutations of _base_ show), then the dict is merged over the bases: dicts merge
 *      recursively, everything else replaces; `_delete_=True` replaces a dict wholesale.
 * mmengine 0.3 and 0.10 differ in one observable way: 0.10's ConfigDict copies a list (and
 * converts plain dicts) when it is stored into a ConfigDict (`_base_.x.pipeline = lst`), so a
 * later `lst[0]['k'] = v` does not reach _base_; 0.3 shared the list. mmcc follows 0.10
 * (cfgv_hook), see tests/config/merge/mutate_base/. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_eval.h"
#include "util.h"

#define MAX_BASE_DEPTH 64

typedef struct {
  cfg_arena *a;
  const char *chain[MAX_BASE_DEPTH];  /* real paths of the files being loaded */
  int nchain;
  unsigned placeholder_seq;
  const char *text0;                  /* cfg_load_text: the top file's source (no read) */
  size_t len0;
} loader;

typedef struct { char *placeholder; char *path; } base_var;

/* {====================================================================== substitutions */

static int is_word(char c) { return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'); }
static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* {{\s*NAME\s*}} at s (NAME literal): returns the length matched, or 0. */
static size_t match_braced(const char *s, const char *name) {
  if (s[0] != '{' || s[1] != '{') return 0;
  size_t i = 2;
  while (is_ws(s[i])) i++;
  size_t n = strlen(name);
  if (strncmp(s + i, name, n)) return 0;
  i += n;
  while (is_ws(s[i])) i++;
  if (s[i] != '}' || s[i + 1] != '}') return 0;
  return i + 2;
}

static int line_of(const char *src, size_t off) {
  int line = 1;
  for (size_t i = 0; i < off; i++) if (src[i] == '\n') line++;
  return line;
}

/* Config._substitute_predefined_vars and Config._substitute_env_variables */
static char *substitute_vars(const char *display, const char *abs, const char *src) {
  char *dir = path_dirname(abs);
  const char *base = path_basename(abs);
  const char *dot = strrchr(base, '.');
  char *noext = dot && dot != base ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
  const char *ext = dot && dot != base ? dot : "";
  const char *names[4] = {"fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname"};
  const char *vals[4] = {dir, base, noext, ext};
  strbuf b;
  sb_init(&b);
  for (size_t i = 0; src[i];) {
    size_t m = 0;
    int k;
    for (k = 0; k < 4 && !m; k++) m = match_braced(src + i, names[k]);
    if (m) { sb_puts(&b, vals[k - 1]); i += m; continue; }
    /* {{['"]?\s*$NAME\s*:\s*DEFAULT\s*['"]?}} */
    if (src[i] == '{' && src[i + 1] == '{') {
      size_t j = i + 2;
      if (src[j] == '\'' || src[j] == '"') j++;
      while (is_ws(src[j])) j++;
      if (src[j] == '$' && is_word(src[j + 1])) {
        size_t ns = ++j;
        while (is_word(src[j])) j++;
        size_t ne = j;
        while (is_ws(src[j])) j++;
        if (src[j] == ':') {
          j++;
          while (is_ws(src[j])) j++;
          size_t ds = j;
          /* the default: shortest run of non-space up to optional quote and }} */
          size_t de = ds;
          int ok = 0;
          for (;; de++) {
            size_t t = de;
            while (is_ws(src[t])) t++;
            if (src[t] == '\'' || src[t] == '"') t++;
            if (src[t] == '}' && src[t + 1] == '}') { j = t + 2; ok = 1; break; }
            if (!src[de] || is_ws(src[de])) break;
          }
          if (ok) {
            char *var = xstrndup(src + ns, ne - ns);
            const char *env = getenv(var);
            char *val = env ? xstrdup(env) : xstrndup(src + ds, de - ds);
            if (!*val) {
              diag_error(display, line_of(src, i), 0, "environment variable '%s' is not set and the config gives no default", var);
              free(var); free(val); free(dir); free(noext); sb_free(&b);
              return NULL;
            }
            sb_puts(&b, val);
            free(var);
            free(val);
            i = j;
            continue;
          }
        }
      }
    }
    sb_putc(&b, src[i++]);
  }
  free(dir);
  free(noext);
  char *r = sb_take(&b);
  sb_free(&b); /* sb_take leaves b initialised */
  return r;
}

/* Config._pre_substitute_base_vars: {{\s*_base_\.([\w.]+)\s*}} -> "placeholder" */
static char *substitute_base_refs(loader *L, const char *src, base_var **vars, int *nvars) {
  strbuf b;
  sb_init(&b);
  for (size_t i = 0; src[i];) {
    if (src[i] == '{' && src[i + 1] == '{') {
      size_t j = i + 2;
      while (is_ws(src[j])) j++;
      if (!strncmp(src + j, "_base_.", 7) && (is_word(src[j + 7]) || src[j + 7] == '.')) {
        size_t ps = j + 7, pe = ps;
        while (is_word(src[pe]) || src[pe] == '.') pe++;
        size_t k = pe;
        while (is_ws(src[k])) k++;
        if (src[k] == '}' && src[k + 1] == '}') {
          char *path = cfg_arena_strndup(L->a, src + ps, pe - ps);
          const char *ph = NULL;
          for (int v = 0; v < *nvars; v++)
            if (!strcmp((*vars)[v].path, path)) ph = (*vars)[v].placeholder;
          if (!ph) {
            base_var *nv = cfg_arena_alloc(L->a, (size_t)(*nvars + 1) * sizeof *nv);
            if (*nvars) memcpy(nv, *vars, (size_t)*nvars * sizeof *nv);
            char *name = xasprintf("_%s_%06x", path, (0x5eed00u + ++L->placeholder_seq * 7919u) & 0xffffffu);
            nv[*nvars].placeholder = cfg_arena_strndup(L->a, name, strlen(name));
            nv[*nvars].path = path;
            free(name);
            ph = nv[*nvars].placeholder;
            *vars = nv;
            (*nvars)++;
          }
          sb_printf(&b, "\"%s\"", ph);
          i = k + 2;
          continue;
        }
      }
    }
    sb_putc(&b, src[i++]);
  }
  char *r = sb_take(&b);
  sb_free(&b); /* sb_take leaves b initialised */
  return r;
}

/* Config._substitute_base_vars: strings equal to a placeholder (dict values, list and tuple
 * items, at any depth) become the _base_ value they name. */
static cfg_value *resolve_refs(loader *L, const char *file, cfg_value *v, base_var *vars, int nvars,
                               cfg_value *base, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) {
    diag_error(file, v->line, v->col, "value nested too deeply (circular reference?)");
    return NULL;
  }
  if (v->kind == CFG_STR) {
    for (int k = 0; k < nvars; k++) {
      if (strcmp(v->s, vars[k].placeholder)) continue;
      cfg_value *cur = base;
      char *path = xstrdup(vars[k].path);
      for (char *part = strtok(path, "."); part; part = strtok(NULL, ".")) {
        long i = cur->kind == CFG_DICT ? cfgv_dict_find_str(cur, part) : -1;
        if (i < 0) {
          diag_error(file, v->line, v->col, "{{_base_.%s}}: %s", vars[k].path,
                     cur->kind == CFG_DICT ? "no such key in the _base_ files" : "not a dict on the way");
          free(path);
          return NULL;
        }
        cur = cur->items[i];
      }
      free(path);
      return cur;
    }
    return v;
  }
  if (v->kind == CFG_LIST || v->kind == CFG_TUPLE || v->kind == CFG_DICT) {
    for (size_t i = 0; i < v->n; i++) {
      cfg_value *r = resolve_refs(L, file, v->items[i], vars, nvars, base, depth + 1);
      if (!r) return NULL;
      v->items[i] = r;
    }
  }
  return v;
}

/* }====================================================================== */

/* {====================================================================== merge */

/* Config._merge_a_into_b(a, b) with allow_list_keys=False: returns a new dict. */
static cfg_value *merge(loader *L, const char *file, cfg_value *a, cfg_value *b, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) {
    diag_error(file, a->line, a->col, "config nested too deeply");
    return NULL;
  }
  cfg_value *r = cfgv_seq(L->a, CFG_DICT, b->n + a->n, b);
  r->cfgdict = b->cfgdict;
  for (size_t i = 0; i < b->n; i++) { r->keys[i] = b->keys[i]; r->items[i] = b->items[i]; }
  r->n = b->n;
  for (size_t i = 0; i < a->n; i++) {
    cfg_value *k = a->keys[i], *v = a->items[i];
    long j = cfgv_dict_find(r, k);
    if (v->kind == CFG_DICT) {
      int del = 0;
      if (j >= 0) {
        /* `k in b and not v.pop('_delete_', False)`: popped only when b has k */
        long d = cfgv_dict_find_str(v, "_delete_");
        if (d >= 0) {
          del = cfgv_truthy(v->items[d]);
          cfgv_dict_remove(v, (size_t)d);
        }
      }
      if (j >= 0 && !del) {
        cfg_value *old = r->items[j];
        if (old->kind != CFG_DICT) {
          strbuf kb;
          sb_init(&kb);
          cfgv_tostr(&kb, k);
          diag_error(v->file ? v->file : file, v->line, v->col,
                     "'%s' is a dict in this config but a %s in its _base_, so it cannot be merged "
                     "(set _delete_=True to replace it)", kb.s, cfgv_type_name(old));
          sb_free(&kb);
          return NULL;
        }
        cfg_value *m = merge(L, file, v, old, depth + 1);
        if (!m) return NULL;
        r->items[j] = m;
        continue;
      }
    }
    cfgv_dict_set(L->a, r, k, v);
  }
  return r;
}

/* }====================================================================== */

/* {====================================================================== files */

static cfg_value *load(loader *L, const char *display, int depth);

static const cfg_stmt *find_base_assign(const cfg_module *m) {
  for (int k = 0; k < m->n; k++) {
    const cfg_stmt *s = m->stmts[k];
    if (s->kind == ST_ASSIGN && s->targets[0]->kind == EX_NAME && !strcmp(s->targets[0]->str, "_base_")) return s;
  }
  return NULL;
}

static int load_bases(loader *L, const char *file, const cfg_module *m, cfg_value *base_cfg, int depth) {
  const cfg_stmt *bs = find_base_assign(m);
  if (!bs) return 0;
  cfg_value *list = cfg_eval_expr(L->a, file, bs->value);
  if (!list) return -1;
  size_t n = list->kind == CFG_LIST ? list->n : 1;
  const char **key_origin = NULL;  /* the base file of each key of base_cfg */
  size_t nko = 0;
  for (size_t i = 0; i < n; i++) {
    cfg_value *item = list->kind == CFG_LIST ? list->items[i] : list;
    if (item->kind != CFG_STR) {
      diag_error(file, bs->line, bs->col, "_base_ must be a string or a list of strings, not a %s holding a %s",
                 cfgv_type_name(list), cfgv_type_name(item));
      return -1;
    }
    if (strstr(item->s, "::")) {
      const char *sep = strstr(item->s, "::");
      diag_error(file, item->line, item->col,
                 "_base_ '%s' is a config of the package '%.*s' (pkg::path); mmcc reads only configs "
                 "given as paths relative to the including file",
                 item->s, (int)(sep - item->s), item->s);
      return -1;
    }
    char *dir = path_dirname(file);
    char *joined = path_join(dir, item->s);
    char *norm = path_normalize(joined);
    free(dir);
    free(joined);
    const char *display = cfg_arena_strndup(L->a, norm, strlen(norm));
    free(norm);
    if (!file_exists(display)) {
      diag_error(file, item->line, item->col, "_base_ file '%s' does not exist", display);
      return -1;
    }
    cfg_value *sub = load(L, display, depth + 1);
    if (!sub) {
      diag_note("  (in _base_ of %s:%d)", file, bs->line);
      return -1;
    }
    for (size_t k = 0; k < sub->n; k++) {
      long j = cfgv_dict_find(base_cfg, sub->keys[k]);
      if (j >= 0) {
        strbuf kb;
        sb_init(&kb);
        cfgv_tostr(&kb, sub->keys[k]);
        diag_error(file, item->line, item->col,
                   "duplicate key '%s' in sibling _base_ files: defined by %s and by %s (mmengine "
                   "forbids a key in two bases)", kb.s, key_origin[j], display);
        sb_free(&kb);
        return -1;
      }
    }
    cfg_value *cd = cfgv_to_configdict(L->a, sub, 0);
    if (!cd) {
      diag_error(display, 0, 0, "config nested too deeply or too large (more than %u lists/dicts "
                 "written out)", CFG_MAX_EXPANDED);
      return -1;
    }
    const char **nk = cfg_arena_alloc(L->a, (nko + cd->n + 1) * sizeof *nk);
    if (nko) memcpy(nk, key_origin, nko * sizeof *nk);
    key_origin = nk;
    for (size_t k = 0; k < cd->n; k++) {
      cfgv_dict_set(L->a, base_cfg, cd->keys[k], cd->items[k]);
      key_origin[nko++] = display;
    }
  }
  return 0;
}

static int dropped_value(const cfg_value *v) { return v->kind == CFG_OTHER; }

static cfg_value *load(loader *L, const char *display, int depth) {
  if (depth >= MAX_BASE_DEPTH) {
    diag_error(display, 0, 0, "_base_ chain deeper than %d files", MAX_BASE_DEPTH);
    return NULL;
  }
  size_t dl = strlen(display);
  if (dl < 3 || strcmp(display + dl - 3, ".py")) {
    if (dl > 5 && (!strcmp(display + dl - 5, ".yaml") || !strcmp(display + dl - 4, ".yml") || !strcmp(display + dl - 5, ".json")))
      diag_error(display, 0, 0, "only .py configs are supported (mmengine also reads yaml/json configs)");
    else
      diag_error(display, 0, 0, "not a .py config file");
    return NULL;
  }
  size_t len = depth == 0 && L->text0 ? L->len0 : 0;
  char *raw = depth == 0 && L->text0 ? xstrndup(L->text0, len) : read_file(display, &len);
  if (!raw) return NULL;
  if (strlen(raw) != len) {
    diag_error(display, line_of(raw, strlen(raw)), 0, "source contains a NUL byte");
    free(raw);
    return NULL;
  }
  /* Python reads source text with universal newlines: \r\n and \r become \n */
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (raw[i] == '\r') { raw[o++] = '\n'; if (i + 1 < len && raw[i + 1] == '\n') i++; }
    else raw[o++] = raw[i];
  }
  raw[o] = 0;
  len = o;
  char real[PATH_MAX];
  if (!realpath(display, real)) snprintf(real, sizeof real, "%s", display);
  for (int k = 0; k < L->nchain; k++)
    if (!strcmp(L->chain[k], real)) {
      strbuf b;
      sb_init(&b);
      for (int j = k; j < L->nchain; j++) sb_printf(&b, "%s -> ", L->chain[j]);
      sb_puts(&b, real);
      diag_error(display, 0, 0, "circular _base_ inheritance: %s", b.s);
      sb_free(&b);
      free(raw);
      return NULL;
    }
  L->chain[L->nchain++] = cfg_arena_strndup(L->a, real, strlen(real));

  /* mmengine substitutes with the absolute path (osp.abspath) */
  char cwd[PATH_MAX];
  char *abs0 = display[0] == '/' || !getcwd(cwd, sizeof cwd) ? xstrdup(display) : path_join(cwd, display);
  char *abs = path_normalize(abs0);
  free(abs0);
  char *text1 = substitute_vars(display, abs, raw);
  free(abs);
  free(raw);
  if (!text1) return NULL;
  base_var *vars = NULL;
  int nvars = 0;
  char *text = substitute_base_refs(L, text1, &vars, &nvars);
  free(text1);
  char *src = cfg_arena_strndup(L->a, text, strlen(text));
  free(text);

  cfg_module *m = cfg_parse(L->a, display, src, strlen(src));
  if (!m) return NULL;
  for (int k = 0; k < m->n; k++)
    if (m->stmts[k]->kind == ST_UNSUPPORTED && !strcmp(m->stmts[k]->what, "'with' statement")) {
      diag_error(display, m->stmts[k]->line, m->stmts[k]->col,
                 "new-style (lazy import) config: 'with read_base():' is not supported; mmcc reads "
                 "old-style configs with _base_");
      return NULL;
    }

  cfg_value *base_cfg = cfgv_seq(L->a, CFG_DICT, 0, NULL);
  base_cfg->cfgdict = 1;
  base_cfg->file = display;
  if (load_bases(L, display, m, base_cfg, depth) < 0) return NULL;

  cfg_value *globals = cfgv_seq(L->a, CFG_DICT, 0, NULL);
  globals->file = display;
  cfgv_dict_set_str(L->a, globals, "_base_", base_cfg);
  if (cfg_eval_module(L->a, display, m, globals, 1) < 0) return NULL;

  cfg_value *own = cfgv_seq(L->a, CFG_DICT, globals->n, NULL);
  own->file = display;
  for (size_t i = 1; i < globals->n; i++) {
    const char *k = globals->keys[i]->s;
    if (!strncmp(k, "__", 2) || dropped_value(globals->items[i]) || !strcmp(k, "_deprecation_")) continue;
    cfgv_dict_set(L->a, own, globals->keys[i], globals->items[i]);
  }
  /* _substitute_base_vars works on a deep copy */
  cfg_value *copy = cfgv_seq(L->a, CFG_DICT, own->n, NULL);
  copy->file = display;
  for (size_t i = 0; i < own->n; i++) {
    cfg_value *c = cfgv_deepcopy(L->a, own->items[i], 0);
    if (!c) {
      if (cfgv_expanded(own->items[i], CFG_MAX_EXPANDED) > CFG_MAX_EXPANDED)
        diag_error(display, own->items[i]->line, own->items[i]->col,
                   "'%s' is too large: more than %u values when its shared lists and dicts are "
                   "written out", own->keys[i]->s, CFG_MAX_EXPANDED);
      else
        diag_error(display, own->items[i]->line, own->items[i]->col,
                   "'%s' is nested too deeply (does it contain itself?)", own->keys[i]->s);
      return NULL;
    }
    cfgv_dict_set(L->a, copy, own->keys[i], c);
  }
  if (nvars && !resolve_refs(L, display, copy, vars, nvars, base_cfg, 0)) return NULL;
  long bi = cfgv_dict_find_str(copy, "_base_");
  if (bi >= 0) cfgv_dict_remove(copy, (size_t)bi);
  cfg_value *merged = merge(L, display, copy, base_cfg, 0);
  if (!merged) return NULL;
  for (size_t i = 0; i < merged->n;) {
    if (merged->keys[i]->kind == CFG_STR && !strncmp(merged->keys[i]->s, "__", 2)) cfgv_dict_remove(merged, i);
    else i++;
  }
  merged->file = display;
  L->nchain--;
  return merged;
}

/* A module, function or imported object nested in the resolved config (only top-level
 * ones are dropped, as mmengine drops them): path gets its dotted location. */
static const cfg_value *find_other(const cfg_value *v, strbuf *path, int depth) {
  if (depth > CFG_MAX_VALUE_DEPTH) return NULL;
  if (v->kind == CFG_OTHER) return v;
  if (v->kind != CFG_DICT && v->kind != CFG_LIST && v->kind != CFG_TUPLE) return NULL;
  for (size_t i = 0; i < v->n; i++) {
    size_t len = path->len;
    if (v->kind == CFG_DICT) {
      if (len) sb_putc(path, '.');
      cfgv_tostr(path, v->keys[i]);
    } else {
      sb_printf(path, "[%zu]", i);
    }
    const cfg_value *r = find_other(v->items[i], path, depth + 1);
    if (r) return r;
    path->len = len;
    path->s[len] = 0;
  }
  return NULL;
}

cfg_value *cfg_load_file(const char *path) { return cfg_load_text(path, NULL, 0); }

cfg_value *cfg_load_text(const char *path, const char *text, size_t len) {
  loader L;
  memset(&L, 0, sizeof L);
  L.text0 = text;
  L.len0 = len;
  L.a = cfg_arena_new();
  const char *display = cfg_arena_strndup(L.a, path, strlen(path));
  cfg_value *r = load(&L, display, 0);
  if (r) {
    static const char *const reserved[] = {"filename", "text", "pretty_text", "env_variables", NULL};
    for (int k = 0; reserved[k]; k++) {
      long i = cfgv_dict_find_str(r, reserved[k]);
      if (i >= 0) {
        diag_error(display, r->items[i]->line, r->items[i]->col, "'%s' is reserved for config file (mmengine)", reserved[k]);
        r = NULL;
        break;
      }
    }
  }
  /* shared lists and dicts are written out once per place: keep that output bounded */
  if (r && cfgv_expanded(r, CFG_MAX_EXPANDED) > CFG_MAX_EXPANDED) {
    diag_error(display, 0, 0, "resolved config too large: more than %u values when written out "
               "(a list, dict or long string repeated, e.g. [[x] * 1000] * 1000?)", CFG_MAX_EXPANDED);
    r = NULL;
  }
  if (r && cfgv_depth(r, 0) > CFG_MAX_VALUE_DEPTH) {
    diag_error(display, 0, 0, "resolved config nested deeper than %d levels (circular reference?)", CFG_MAX_VALUE_DEPTH);
    r = NULL;
  }
  if (r) {
    strbuf where;
    sb_init(&where);
    const cfg_value *o = NULL;
    for (size_t i = 0; i < r->n && !o; i++) {
      where.len = 0;
      cfgv_tostr(&where, r->keys[i]);
      if (r->items[i]->kind != CFG_OTHER) o = find_other(r->items[i], &where, 0);
    }
    if (o) {
      diag_error(o->file, o->line, o->col,
                 "%s is %s '%s', not a config value: configs that put imported Python objects in "
                 "the config (new-style lazy-import configs) need their package, which mmcc does "
                 "not import", where.s, o->other == OT_MODULE ? "the module" : "the object", o->s);
      r = NULL;
    }
    sb_free(&where);
  }
  if (!r) {
    cfg_arena_free(L.a);
    return NULL;
  }
  /* the root owns the arena: make it a fresh value so sharing cannot confuse cfg_free */
  cfg_value *root = cfgv_seq(L.a, CFG_DICT, r->n, r);
  for (size_t i = 0; i < r->n; i++) { root->keys[i] = r->keys[i]; root->items[i] = r->items[i]; }
  root->n = r->n;
  root->file = display;
  root->line = root->col = 0;
  root->arena = L.a;
  return root;
}

/* }====================================================================== */
