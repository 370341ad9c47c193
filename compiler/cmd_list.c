/* cmd_list.c: 'mmcc list METAFILE [--json]': the models of a metafile.yml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "meta.h"
#include "util.h"

static const char list_help[] =
    "usage: mmcc list METAFILE [--json]\n"
    "\n"
    "Lists every model of an mmpretrain metafile.yml: name, config path, parameters, FLOPs,\n"
    "top-1/top-5 accuracy and weights URL ('-' when the metafile does not say). A model\n"
    "without Config, Weights, Parameters, FLOPs or a Top 1 Accuracy, and a model name used\n"
    "twice, get a warning (METAFILE:LINE:COL of the model entry) on stderr.\n"
    "\n"
    "  --json   print a JSON array of objects with the keys name, config, weights,\n"
    "           parameters, flops, top1, top5, training_data, collection (null = unknown)\n"
    "\n"
    "exit status: 0 success (warnings included), 1 bad metafile (METAFILE:LINE:COL: error:\n"
    "...), 2 usage.\n";

static void list_json(const meta_file *mf, strbuf *b) {
  sb_puts(b, "[");
  for (size_t i = 0; i < mf->n_models; i++) {
    const meta_model *m = &mf->models[i];
    sb_puts(b, i ? ",\n  {" : "\n  {");
    sb_puts(b, "\"name\": ");
    json_put_opt_string(b, m->name);
    sb_puts(b, ", \"config\": ");
    json_put_opt_string(b, m->config);
    sb_puts(b, ", \"weights\": ");
    json_put_opt_string(b, m->weights);
    sb_puts(b, ", \"parameters\": ");
    json_put_opt_count(b, m->parameters);
    sb_puts(b, ", \"flops\": ");
    json_put_opt_count(b, m->flops);
    sb_puts(b, ", \"top1\": ");
    json_put_opt_float(b, m->top1);
    sb_puts(b, ", \"top5\": ");
    json_put_opt_float(b, m->top5);
    sb_puts(b, ", \"training_data\": [");
    for (char **t = m->training_data; t && *t; t++) {
      if (t != m->training_data) sb_puts(b, ", ");
      json_put_string(b, *t, strlen(*t));
    }
    sb_puts(b, "], \"collection\": ");
    json_put_opt_string(b, m->collection);
    sb_puts(b, "}");
  }
  sb_puts(b, mf->n_models ? "\n]\n" : "]\n");
}

static void fmt_count(char *out, size_t n, long long v) {
  if (v < 0) snprintf(out, n, "-");
  else snprintf(out, n, "%lld", v);
}

static void fmt_real(char *out, double v) {
  if (v < 0) strcpy(out, "-");
  else fmt_py_float(out, v);
}

static void list_table(const meta_file *mf) {
  printf("%-56s %12s %14s %7s %7s  %s\n", "NAME", "PARAMS", "FLOPS", "TOP1", "TOP5", "CONFIG");
  for (size_t i = 0; i < mf->n_models; i++) {
    const meta_model *m = &mf->models[i];
    char p[32], f[32], t1[32], t5[32];
    fmt_count(p, sizeof p, m->parameters);
    fmt_count(f, sizeof f, m->flops);
    fmt_real(t1, m->top1);
    fmt_real(t5, m->top5);
    printf("%-56s %12s %14s %7s %7s  %s\n", m->name, p, f, t1, t5,
           m->config ? m->config : "-");
    printf("    weights: %s\n", m->weights ? m->weights : "-");
  }
}

/* Issue 2: "missing ones reported": a warning at the model's entry for each fact the model
 * (with what it inherits from its collection) lacks, and for a name used twice (`mmcc inspect`
 * refuses an ambiguous name). */
static void report_missing(const meta_file *mf) {
  for (size_t i = 0; i < mf->n_models; i++) {
    const meta_model *m = &mf->models[i];
    const char *missing[5];
    int n = 0;
    if (!m->config) missing[n++] = "'Config'";
    if (!m->weights) missing[n++] = "'Weights'";
    if (m->parameters < 0) missing[n++] = "'Metadata: Parameters'";
    if (m->flops < 0) missing[n++] = "'Metadata: FLOPs'";
    if (m->top1 < 0) missing[n++] = "'Results' with a 'Top 1 Accuracy'";
    for (int k = 0; k < n; k++)
      diag_warning(mf->path, m->line, m->col, "model '%s' has no %s", m->name, missing[k]);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(mf->models[j].name, m->name)) {
        diag_warning(mf->path, m->line, m->col, "model name '%s' is used twice (first at "
                     "%d:%d); 'mmcc inspect' refuses it as ambiguous", m->name,
                     mf->models[j].line, mf->models[j].col);
        break;
      }
  }
}

int cmd_list(int argc, char **argv) {
  const char *path = NULL;
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      fputs(list_help, stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--json")) json = 1;
    else if (argv[i][0] == '-' && argv[i][1]) return usage_error("list", "unknown option '%s'", argv[i]);
    else if (path) return usage_error("list", "more than one METAFILE");
    else path = argv[i];
  }
  if (!path) return usage_error("list", "missing METAFILE");
  meta_file mf;
  if (meta_load(path, &mf)) return 1;
  report_missing(&mf);
  if (json) {
    strbuf b;
    sb_init(&b);
    list_json(&mf, &b);
    fputs(b.s, stdout);
    sb_free(&b);
  } else {
    list_table(&mf);
  }
  meta_free(&mf);
  return 0;
}
