/* meta.h: mmpretrain metafile.yml (model-index format) read with libyaml.
 *
 * Layout (e.g. mmpretrain configs/clip/metafile.yml):
 *   Collections: [{Name, Metadata: {Training Data, ...}, Paper, README, Code}, ...]
 *   Models: [{Name, Metadata: {FLOPs, Parameters, Training Data}, In Collection,
 *             Results: [{Dataset, Metrics: {Top 1 Accuracy, Top 5 Accuracy}, Task}],
 *             Weights, Config, Converted From}, ...]
 * Unknown keys are ignored. A model takes Metadata it lacks from its collection (model-index
 * inheritance). Required: a mapping with a `Models` sequence, each model a mapping with a
 * string `Name`; anything else missing is recorded as unknown (NULL / -1). A key of the wrong
 * type is an error "metafile.yml:LINE:COL: error: ...". */
#ifndef MMCC_META_H
#define MMCC_META_H

#include <stddef.h>

typedef struct meta_model {
  char *name;
  int line, col;               /* where the model's mapping starts (1-based) */
  char *config;                /* `Config` as written (relative to the repository root); NULL */
  int config_line, config_col; /* position of the Config value, else of the model */
  char *weights;               /* NULL when absent or null */
  char *collection;            /* `In Collection`, NULL when absent */
  long long flops, parameters; /* -1 when absent or null */
  double top1, top5;           /* first result with a `Top 1 Accuracy`; -1 when absent */
  char **training_data;        /* NULL-terminated (a single string becomes one entry) */
} meta_model;

typedef struct meta_file {
  char *path;
  meta_model *models;
  size_t n_models;
} meta_file;

/* Parse PATH. 0, or -1 after a diagnostic "PATH:LINE:COL: error: ..."; mf is then empty. */
int meta_load(const char *path, meta_file *mf);
/* The same for the text TEXT[0..LEN) (PATH names it in diagnostics). */
int meta_parse(const char *path, const char *text, size_t len, meta_file *mf);
void meta_free(meta_file *mf);
/* The model called NAME, or NULL. */
const meta_model *meta_find(const meta_file *mf, const char *name);

#endif
