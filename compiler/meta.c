/* meta.c: metafile.yml -> meta_file (see meta.h), through libyaml's document loader.
 * Positions come from libyaml's node marks (0-based; reported 1-based). */
#include "meta.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

typedef struct meta_reader {
  const char *path;
  yaml_document_t *doc;
} meta_reader;

/* {====================================================================== node helpers */

static void node_error(meta_reader *r, const yaml_node_t *n, const char *fmt, const char *a,
                       const char *b) {
  char msg[512];
  snprintf(msg, sizeof msg, fmt, a, b);
  diag_error(r->path, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "%s", msg);
}

static const char *kind_name(const yaml_node_t *n) {
  switch (n->type) {
  case YAML_SCALAR_NODE: return "a scalar";
  case YAML_SEQUENCE_NODE: return "a sequence";
  case YAML_MAPPING_NODE: return "a mapping";
  default: return "nothing";
  }
}

static const char *scalar(const yaml_node_t *n) {
  return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* YAML 1.1 null (as PyYAML resolves it): plain '', '~', 'null', 'Null', 'NULL'. */
static int is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  const char *s = scalar(n);
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
         !strcmp(s, "NULL");
}

/* Value of KEY in mapping M, or NULL. */
static yaml_node_t *map_get(meta_reader *r, const yaml_node_t *m, const char *key) {
  if (!m || m->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(r->doc, p->key);
    if (k && k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), key))
      return yaml_document_get_node(r->doc, p->value);
  }
  return NULL;
}

/* Optional string: NULL when absent/null; -1 when of the wrong kind. */
static int get_string(meta_reader *r, const yaml_node_t *m, const char *key, char **out) {
  yaml_node_t *v = map_get(r, m, key);
  *out = NULL;
  if (!v || is_null(v)) return 0;
  if (v->type != YAML_SCALAR_NODE) {
    node_error(r, v, "'%s' must be a string, not %s", key, kind_name(v));
    return -1;
  }
  *out = xstrdup(scalar(v));
  return 0;
}

/* A plain numeric scalar: 86568424, 4.36e9 (accepted when integral for counts). */
static int parse_number(const yaml_node_t *v, double *out) {
  if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return -1;
  const char *s = scalar(v);
  char buf[64];
  size_t j = 0;
  for (const char *p = s; *p && j + 1 < sizeof buf; p++)
    if (*p != '_') buf[j++] = *p;  /* YAML 1.1 allows digit separators */
  buf[j] = 0;
  if (!*buf) return -1;
  char *end;
  errno = 0;
  double d = strtod(buf, &end);
  if (*end || errno || !isfinite(d)) return -1;
  *out = d;
  return 0;
}

static int get_count(meta_reader *r, const yaml_node_t *m, const char *key, long long *out) {
  yaml_node_t *v = map_get(r, m, key);
  double d;
  if (!v) return 0;  /* keep the inherited/unknown value */
  if (is_null(v)) { *out = -1; return 0; }
  if (parse_number(v, &d) || d < 0 || d != floor(d) || d > 9e18) {
    node_error(r, v, scalar(v) ? "'%s' must be a non-negative integer, not '%s'"
                               : "'%s' must be a non-negative integer, not %s",
               key, scalar(v) ? scalar(v) : kind_name(v));
    return -1;
  }
  *out = (long long)d;
  return 0;
}

static int get_real(meta_reader *r, const yaml_node_t *m, const char *key, double *out) {
  yaml_node_t *v = map_get(r, m, key);
  double d;
  *out = -1;
  if (!v || is_null(v)) return 0;
  if (parse_number(v, &d)) {
    node_error(r, v, scalar(v) ? "'%s' must be a number, not '%s'" : "'%s' must be a number, not %s",
               key, scalar(v) ? scalar(v) : kind_name(v));
    return -1;
  }
  *out = d;
  return 0;
}

/* Training Data: a string or a sequence of strings. */
static int get_string_list(meta_reader *r, const yaml_node_t *m, const char *key,
                           char ***out) {
  yaml_node_t *v = map_get(r, m, key);
  if (!v) return 0;
  if (*out) {  /* the model's own list replaces an inherited one */
    strv_free(*out);
    *out = NULL;
  }
  if (is_null(v)) return 0;
  if (v->type == YAML_SCALAR_NODE) {
    *out = xcalloc(2, sizeof **out);
    (*out)[0] = xstrdup(scalar(v));
    return 0;
  }
  if (v->type != YAML_SEQUENCE_NODE) {
    node_error(r, v, "'%s' must be a string or a list of strings, not %s", key, kind_name(v));
    return -1;
  }
  size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start), j = 0;
  *out = xcalloc(n + 1, sizeof **out);
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
       it++) {
    yaml_node_t *e = yaml_document_get_node(r->doc, *it);
    if (!e || e->type != YAML_SCALAR_NODE) {
      node_error(r, e ? e : v, "'%s' entries must be strings, not %s", key,
                 e ? kind_name(e) : "nothing");
      return -1;
    }
    (*out)[j++] = xstrdup(scalar(e));
  }
  return 0;
}

static int expect_kind(meta_reader *r, const yaml_node_t *n, yaml_node_type_t t,
                       const char *what) {
  if (n->type == t) return 0;
  node_error(r, n, "%s must be %s", what,
             t == YAML_MAPPING_NODE ? "a mapping" : t == YAML_SEQUENCE_NODE ? "a sequence"
                                                                           : "a scalar");
  return -1;
}

/* }====================================================================== */

/* {====================================================================== models */

/* Metadata fields (from a collection first, then the model's own over them). */
static int read_metadata(meta_reader *r, const yaml_node_t *md, meta_model *mm) {
  if (!md || is_null(md)) return 0;
  if (expect_kind(r, md, YAML_MAPPING_NODE, "'Metadata'")) return -1;
  if (get_count(r, md, "FLOPs", &mm->flops) || get_count(r, md, "Parameters", &mm->parameters))
    return -1;
  return get_string_list(r, md, "Training Data", &mm->training_data);
}

/* Results: the first entry whose Metrics have a `Top 1 Accuracy`. */
static int read_results(meta_reader *r, const yaml_node_t *res, meta_model *mm) {
  if (!res || is_null(res)) return 0;
  if (expect_kind(r, res, YAML_SEQUENCE_NODE, "'Results'")) return -1;
  for (yaml_node_item_t *it = res->data.sequence.items.start; it < res->data.sequence.items.top;
       it++) {
    yaml_node_t *e = yaml_document_get_node(r->doc, *it);
    if (!e) continue;
    if (expect_kind(r, e, YAML_MAPPING_NODE, "a 'Results' entry")) return -1;
    yaml_node_t *metrics = map_get(r, e, "Metrics");
    if (!metrics || is_null(metrics)) continue;
    if (expect_kind(r, metrics, YAML_MAPPING_NODE, "'Metrics'")) return -1;
    if (!map_get(r, metrics, "Top 1 Accuracy")) continue;
    if (get_real(r, metrics, "Top 1 Accuracy", &mm->top1) ||
        get_real(r, metrics, "Top 5 Accuracy", &mm->top5))
      return -1;
    break;
  }
  return 0;
}

static const yaml_node_t *find_collection(meta_reader *r, const yaml_node_t *colls,
                                          const char *name) {
  if (!colls || colls->type != YAML_SEQUENCE_NODE || !name) return NULL;
  for (yaml_node_item_t *it = colls->data.sequence.items.start;
       it < colls->data.sequence.items.top; it++) {
    yaml_node_t *c = yaml_document_get_node(r->doc, *it);
    yaml_node_t *n = map_get(r, c, "Name");
    if (n && scalar(n) && !strcmp(scalar(n), name)) return c;
  }
  return NULL;
}

static int read_model(meta_reader *r, const yaml_node_t *colls, const yaml_node_t *m,
                      meta_model *mm) {
  memset(mm, 0, sizeof *mm);
  mm->flops = mm->parameters = -1;
  mm->top1 = mm->top5 = -1;
  mm->line = (int)m->start_mark.line + 1;
  mm->col = (int)m->start_mark.column + 1;
  if (expect_kind(r, m, YAML_MAPPING_NODE, "a model entry")) return -1;
  yaml_node_t *name = map_get(r, m, "Name");
  if (!name || is_null(name)) {
    node_error(r, m, "model entry has no 'Name'%s%s", "", "");
    return -1;
  }
  if (get_string(r, m, "Name", &mm->name) || get_string(r, m, "Config", &mm->config) ||
      get_string(r, m, "Weights", &mm->weights) ||
      get_string(r, m, "In Collection", &mm->collection))
    return -1;
  yaml_node_t *cfg = map_get(r, m, "Config");
  mm->config_line = cfg ? (int)cfg->start_mark.line + 1 : mm->line;
  mm->config_col = cfg ? (int)cfg->start_mark.column + 1 : mm->col;
  const yaml_node_t *coll = find_collection(r, colls, mm->collection);
  if (coll && read_metadata(r, map_get(r, coll, "Metadata"), mm)) return -1;
  if (read_metadata(r, map_get(r, m, "Metadata"), mm)) return -1;
  return read_results(r, map_get(r, m, "Results"), mm);
}

/* }====================================================================== */

static void free_model(meta_model *mm) {
  free(mm->name);
  free(mm->config);
  free(mm->weights);
  free(mm->collection);
  strv_free(mm->training_data);
}

void meta_free(meta_file *mf) {
  for (size_t i = 0; i < mf->n_models; i++) free_model(&mf->models[i]);
  free(mf->models);
  free(mf->path);
  memset(mf, 0, sizeof *mf);
}

static int read_document(meta_reader *r, meta_file *mf) {
  yaml_node_t *root = yaml_document_get_root_node(r->doc);
  if (!root) {
    diag_error(r->path, 0, 0, "empty metafile (expected a mapping with 'Models')");
    return -1;
  }
  if (expect_kind(r, root, YAML_MAPPING_NODE, "the metafile's top level")) return -1;
  yaml_node_t *colls = map_get(r, root, "Collections");
  if (colls && !is_null(colls) && expect_kind(r, colls, YAML_SEQUENCE_NODE, "'Collections'"))
    return -1;
  yaml_node_t *models = map_get(r, root, "Models");
  if (!models) {
    node_error(r, root, "metafile has no 'Models'%s%s", "", "");
    return -1;
  }
  if (is_null(models)) return 0;
  if (expect_kind(r, models, YAML_SEQUENCE_NODE, "'Models'")) return -1;
  size_t n = (size_t)(models->data.sequence.items.top - models->data.sequence.items.start);
  mf->models = xcalloc(n ? n : 1, sizeof *mf->models);
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *m = yaml_document_get_node(r->doc, models->data.sequence.items.start[i]);
    if (!m) continue;  /* libyaml never hands out dangling ids; be safe anyway */
    mf->n_models++;
    if (read_model(r, colls, m, &mf->models[mf->n_models - 1])) return -1;
  }
  return 0;
}

int meta_load(const char *path, meta_file *mf) {
  size_t len;
  memset(mf, 0, sizeof *mf);
  char *text = read_file(path, &len);
  if (!text) return -1;
  int rc = meta_parse(path, text, len, mf);
  free(text);
  return rc;
}

int meta_parse(const char *path, const char *text, size_t len, meta_file *mf) {
  memset(mf, 0, sizeof *mf);
  yaml_parser_t parser;
  yaml_document_t doc;
  int rc = -1;
  if (!yaml_parser_initialize(&parser)) {
    diag_error(path, 0, 0, "cannot initialise the YAML parser");
    return -1;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    const yaml_mark_t *mk = parser.problem_mark.line || parser.problem_mark.column
                                ? &parser.problem_mark
                                : &parser.context_mark;
    diag_error(path, (int)mk->line + 1, (int)mk->column + 1, "invalid YAML: %s%s%s",
               parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
               parser.context ? parser.context : "");
  } else {
    meta_reader r = {path, &doc};
    mf->path = xstrdup(path);
    rc = read_document(&r, mf);
    yaml_document_delete(&doc);
    if (rc) meta_free(mf);
  }
  yaml_parser_delete(&parser);
  return rc;
}

const meta_model *meta_find(const meta_file *mf, const char *name) {
  for (size_t i = 0; i < mf->n_models; i++)
    if (!strcmp(mf->models[i].name, name)) return &mf->models[i];
  return NULL;
}
