/* cmd_build.c: 'mmcc build': model description + weights -> DIR/<model name>/ holding
 * <id>.h and lib<id>.a (compiler/gen.h does the work). Output is staged and swapped into
 * place, so a failed build leaves no partial directory; each build runs in a supervised
 * worker (jobs.h), so an interrupted one does not either, and --all runs several at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "gen.h"
#include "jobs.h"
#include "meta.h"
#include "model.h"
#include "target.h"
#include "util.h"
#include "weights.h"

static const char build_help[] =
    "usage: mmcc build METAFILE MODEL (--checkpoint FILE | --weights random[:SEED]) [options]\n"
    "       mmcc build METAFILE --all (--checkpoint-dir DIR | --weights random[:SEED]) [options]\n"
    "       mmcc build CONFIG.py (--checkpoint FILE | --weights random[:SEED]) [options]\n"
    "\n"
    "Compiles a model variant into DIR/<model name>/: <id>.h and lib<id>.a (self-contained:\n"
    "a program links it with -lm -lpthread only), plus the generated sources, a Makefile\n"
    "(honouring CC, AR, CFLAGS) and <id>.pc. A CONFIG.py build is named after the file.\n"
    "\n"
    "options:\n"
    "  --checkpoint FILE      the trained weights (.pth or .safetensors), validated as\n"
    "                         'mmcc check' does\n"
    "  --checkpoint-dir DIR   with --all: each model's checkpoint is DIR/<file name of its\n"
    "                         Weights URL>; models without one are reported and skipped\n"
    "  --weights random[:SEED]  synthetic weights (meaningless for classification; for demos\n"
    "                         and benchmarks)\n"
    "  --out DIR              output directory (default: generated)\n"
    "  --target T             code generation target (default: the best for this CPU)\n"
    "  --precision P          fp32 (default) or bf16: the weights of every matrix product\n"
    "                         rounded to bfloat16 at compile time (half the weight blob),\n"
    "                         product inputs rounded to bfloat16, sums and everything else\n"
    "                         fp32; a vdpbf16ps kernel on target skx-bf16 (and the\n"
    "                         skx-bf16 path of x86_64), else the bf16 weights are widened\n"
    "                         for the target's fp32 kernel\n"
    "  --winograd W           auto (default), off, 2 or 4: 3x3 stride-1 convolutions (ResNet\n"
    "                         family) by Winograd's F(m x m, 3 x 3), which does 16/36 (m = 2)\n"
    "                         or 36/144 (m = 4) of the multiply-adds, at a few 1e-7 of the\n"
    "                         largest logit; auto: m = 4 where the output is 28 x 28 or\n"
    "                         larger, m = 2 from 14 x 14, none below (smaller ones gain\n"
    "                         less than their weights grow: 4x for m = 4, 16/9 for\n"
    "                         m = 2); off: every convolution as a product of its\n"
    "                         patches; 2 or 4: every one that can, with that tile;\n"
    "                         fp32 only\n"
    "  --input-size H[xW]     compile for this input instead of the test pipeline's crop;\n"
    "                         the compiled test pipeline is adapted (with a warning, as this\n"
    "                         departs from the config): crop := HxW, resize scale S :=\n"
    "                         S * max(H, W) / max(crop), rounded half up, at least max(H, W)\n"
    "  --root DIR             directory the metafile's Config paths are relative to\n"
    "  --no-build             write the sources and Makefile, do not compile\n"
    "  --no-verify            skip the checkpoint's sha256 check against its name and URL\n"
    "  --keep-sources         keep src/weights.bin and the objects (needed only to rerun the\n"
    "                         generated Makefile); by default the weights are kept once, in\n"
    "                         lib<id>.a, which roughly halves the disk a build needs\n"
    "  --profile              time every op of the forward (calls, wall-clock and thread CPU\n"
    "                         ns per thread, flops per op), read with <id>_profile() (see\n"
    "                         <id>.h); for finding where time goes, not for shipping: the\n"
    "                         counters are process-wide, so concurrent calls mix them\n"
    "  -j N, --jobs N         with --all: build N variants at once (default: the number of\n"
    "                         CPUs, here %d), one progress line per variant; each CLIP ViT-B\n"
    "                         variant takes about 0.35 GB of memory and 1.4 GB of disk\n"
    "                         while it is built\n"
    "\n"
    "Interrupted (SIGINT, SIGTERM, SIGHUP), a build removes its staging directory and leaves\n"
    "the previous DIR/<model name> as it was.\n"
    "exit status: 0 success, 1 bad input (the message names the file and place) or a failed\n"
    "build (with --all: any variant failed), 2 usage.\n"
    "\n"
    "targets:";

typedef struct build_opts {
  const char *checkpoint, *checkpoint_dir, *out, *root;
  const target *t;
  int random, size[2], build, verify, keep_sources, jobs, bf16, profile;
  unsigned long long seed;
  char *command;
  int wino; /* --winograd: -1 auto, 0 off, 2 or 4 */
} build_opts;

static int parse_size(const char *v, int size[2]) {
  char *end;
  long h = strtol(v, &end, 10), w = h;
  if (*end == 'x') w = strtol(end + 1, &end, 10);
  if (*end || h < 1 || w < 1 || h > 8192 || w > 8192) return -1;
  size[0] = (int)h;
  size[1] = (int)w;
  return 0;
}

static int parse_weights(const char *v, build_opts *o) {
  if (strncmp(v, "random", 6)) return -1;
  o->random = 1;
  o->seed = 0;
  if (v[6] == 0) return 0;
  if (v[6] != ':' || !v[7]) return -1;
  char *end;
  o->seed = strtoull(v + 7, &end, 10);
  return *end || v[7] == '-' ? -1 : 0;
}

/* Validation as 'mmcc check' does it, then the weights: one open, one hash of the file. */
static int load_weights(const model_desc *m, const char *path, int verify, model_weights *w) {
  const weights_load_opts opts = {.validate = 1, .verify = verify};
  return weights_from_checkpoint_opts(m, path, &opts, w);
}

/* Builds one described model into o->out/<name>. 0 or -1 (diagnostic printed). */
static int build_model(model_desc *m, const char *ckpt_path, const build_opts *o) {
  model_weights w;
  if (model_check_buildable(m)) return -1;  /* before reading any weights */
  if (o->size[0]) model_set_input_size(m, o->size[0], o->size[1]);
  if (o->random) {
    if (weights_random(m, o->seed, &w)) return -1;
  } else if (load_weights(m, ckpt_path, o->verify, &w)) {
    return -1;
  }
  gen_plan p;
  int rc = -1;
  if (!m->name[0] || strchr(m->name, '/') || m->name[0] == '.') {
    diag_error(m->metafile ? m->metafile : m->config_path, 0, 0,
               "model name '%s' cannot name an output directory", m->name);
    weights_free(&w);
    return -1;
  }
  if (gen_plan_make_prec(&p, m, &w, o->t, o->command, o->bf16, o->wino) == 0) {
    p.profile = o->profile;
    char *final_dir = path_join(o->out, m->name);
    char *staging = staging_begin(final_dir);
    if (staging) {
      diag_note("building %s for %s%s%s (%dx%d input) in %s", m->name, o->t->name,
                o->bf16 ? ", precision bf16" : "", o->profile ? ", profiling" : "", p.in_h,
                p.in_w, final_dir);
      rc = gen_build(&p, staging, o->build);
      if (rc == 0 && o->build && !o->keep_sources) rc = gen_lib_trim(staging);
      if (rc == 0) rc = staging_commit(staging, final_dir);
      else staging_abort(staging);
      if (rc == 0 && o->build)
        diag_note("%s: %s/%s.h and lib%s.a (workspace %zu bytes); link a program with\n"
                  "  cc app.c -I%s %s/lib%s.a -lm -lpthread",
                  m->name, final_dir, p.id, p.id, p.ws_bytes, final_dir, final_dir, p.id);
      else if (rc == 0)
        diag_note("%s: sources in %s; build with make -C %s", m->name, final_dir, final_dir);
      free(staging);
    }
    free(final_dir);
  }
  gen_plan_free(&p);
  weights_free(&w);
  return rc;
}

/* The work of one worker: build model i of the list. */
typedef struct build_list {
  const char *metafile;       /* NULL: one model, described in `one` */
  model_desc *one;
  const char *const *names;
  char **ckpts;
  const build_opts *o;
} build_list;

static int build_job(size_t i, void *ctx) {
  build_list *l = ctx;
  if (!l->metafile) return build_model(l->one, l->o->checkpoint, l->o);
  model_desc m;
  if (model_from_metafile(l->metafile, l->names[i], l->o->root, &m)) return -1;
  int rc = build_model(&m, l->ckpts[i], l->o);
  model_free(&m);
  return rc;
}

static void synthetic_warning(const char *weights) {
  fprintf(stderr,
          "mmcc: WARNING: --weights %s: SYNTHETIC WEIGHTS. The library computes with made-up\n"
          "mmcc: WARNING: numbers; its outputs are MEANINGLESS for classification (use it for\n"
          "mmcc: WARNING: demos and benchmarks only; build with --checkpoint for real use).\n",
          weights);
}

static int build_all(const char *metafile, const build_opts *o, const char *weights) {
  meta_file mf;
  if (meta_load(metafile, &mf)) return 1;
  if (o->random) synthetic_warning(weights);
  int skipped = 0;
  size_t n = 0;
  const char **names = xcalloc(mf.n_models + 1, sizeof *names);
  char **ckpts = xcalloc(mf.n_models + 1, sizeof *ckpts);
  for (size_t i = 0; i < mf.n_models; i++) {
    const meta_model *mm = &mf.models[i];
    char *ck = NULL;
    if (!o->random) {
      if (!mm->weights) {
        diag_note("%s: no Weights URL in the metafile, skipped", mm->name);
        skipped++;
        continue;
      }
      ck = path_join(o->checkpoint_dir, path_basename(mm->weights));
      if (!file_exists(ck)) {
        diag_note("%s: checkpoint %s not found, skipped", mm->name, ck);
        skipped++;
        free(ck);
        continue;
      }
    }
    names[n] = mm->name;
    ckpts[n++] = ck;
  }
  int par = o->jobs < (int)n ? o->jobs : (int)n;
  if (n)
    diag_note("building %zu variant%s of %s, %d at a time, into %s", n, n == 1 ? "" : "s",
              metafile, par, o->out);
  build_list l = {metafile, NULL, names, ckpts, o};
  int failed = jobs_run(n, names, par, 1, o->out, build_job, &l);
  diag_note("%zu built, %d failed, %d skipped", n - (size_t)failed, failed, skipped);
  for (size_t i = 0; i < n; i++) free(ckpts[i]);
  free(ckpts);
  free(names);
  meta_free(&mf);
  return failed ? 1 : 0;
}

int cmd_build(int argc, char **argv) {
  build_opts o = {0};
  const char *pos[3] = {NULL, NULL, NULL}, *target_name = NULL, *weights = NULL;
  const char *precision = NULL;
  int npos = 0, all = 0;
  o.out = "generated";
  o.wino = -1;
  o.build = 1;
  o.verify = 1;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  o.jobs = ncpu > 0 ? (int)ncpu : 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_help(a)) {
      printf(build_help, o.jobs);
      for (int t = 0; t < target_count(); t++)
        printf(" %s%s", target_at(t)->name, target_at(t) == target_default() ? " (default)" : "");
      printf("\n");
      return 0;
    }
    if (!strcmp(a, "--checkpoint") || !strcmp(a, "--checkpoint-dir") || !strcmp(a, "--out") ||
        !strcmp(a, "--target") || !strcmp(a, "--input-size") || !strcmp(a, "--root") ||
        !strcmp(a, "--weights") || !strcmp(a, "-j") || !strcmp(a, "--jobs") ||
        !strcmp(a, "--precision") || !strcmp(a, "--winograd")) {
      if (i + 1 >= argc) return usage_error("build", "%s needs a value", a);
      const char *v = argv[++i];
      if (!strcmp(a, "--checkpoint")) o.checkpoint = v;
      else if (!strcmp(a, "--checkpoint-dir")) o.checkpoint_dir = v;
      else if (!strcmp(a, "--out")) o.out = v;
      else if (!strcmp(a, "--target")) target_name = v;
      else if (!strcmp(a, "--root")) o.root = v;
      else if (!strcmp(a, "--weights")) weights = v;
      else if (!strcmp(a, "--precision")) precision = v;
      else if (!strcmp(a, "--winograd")) {
        if (!strcmp(v, "auto")) o.wino = -1;
        else if (!strcmp(v, "off")) o.wino = 0;
        else if (!strcmp(v, "2") || !strcmp(v, "4")) o.wino = v[0] - '0';
        else return usage_error("build", "bad --winograd '%s' (want auto, off, 2 or 4)", v);
      }
      else if (a[1] == 'j' || !strcmp(a, "--jobs")) {
        char *end;
        long j = strtol(v, &end, 10);
        if (!*v || *end || j < 1 || j > 256)
          return usage_error("build", "bad %s '%s' (want 1..256)", a, v);
        o.jobs = (int)j;
      }
      else if (parse_size(v, o.size))
        return usage_error("build", "bad --input-size '%s' (want H or HxW, 1..8192)", v);
    } else if (!strcmp(a, "--all")) {
      all = 1;
    } else if (!strcmp(a, "--no-build")) {
      o.build = 0;
    } else if (!strcmp(a, "--no-verify")) {
      o.verify = 0;
    } else if (!strcmp(a, "--keep-sources")) {
      o.keep_sources = 1;
    } else if (!strcmp(a, "--profile")) {
      o.profile = 1;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("build", "unknown option '%s'", a);
    } else if (npos < 3) {
      pos[npos++] = a;
    } else {
      return usage_error("build", "too many arguments");
    }
  }

  size_t n0 = pos[0] ? strlen(pos[0]) : 0;
  int config_mode = npos == 1 && !all && n0 > 3 && !strcmp(pos[0] + n0 - 3, ".py");
  if (npos == 0) return usage_error("build", "missing METAFILE MODEL, METAFILE --all or CONFIG.py");
  if (all && npos != 1) return usage_error("build", "--all takes a METAFILE and no MODEL");
  if (!all && !config_mode && npos != 2)
    return usage_error("build", npos == 1 ? "missing MODEL (or --all, or give a CONFIG.py)"
                                          : "too many arguments");
  if (config_mode && o.root) return usage_error("build", "--root applies to a METAFILE only");
  if (weights && parse_weights(weights, &o))
    return usage_error("build", "bad --weights '%s' (want random or random:SEED)", weights);
  if (o.random && (o.checkpoint || o.checkpoint_dir))
    return usage_error("build", "--weights random and a checkpoint exclude each other");
  if (all && !o.random && !o.checkpoint_dir)
    return usage_error("build", "--all needs --checkpoint-dir DIR (or --weights random)");
  if (!all && o.checkpoint_dir) return usage_error("build", "--checkpoint-dir goes with --all");
  if (all && o.checkpoint)
    return usage_error("build", "--all takes --checkpoint-dir, not --checkpoint");
  if (!all && !o.random && !o.checkpoint)
    return usage_error("build", "missing --checkpoint FILE (or --weights random[:SEED])");
  if (precision && strcmp(precision, "fp32") && strcmp(precision, "bf16"))
    return usage_error("build", "bad --precision '%s' (want fp32 or bf16)", precision);
  o.bf16 = precision && !strcmp(precision, "bf16");
  if (o.bf16 && o.wino > 0)
    return usage_error("build", "--winograd %d is fp32 only (the bf16 products take patches)", o.wino);
  if (target_name) {
    o.t = target_find(target_name);
    if (!o.t)
      return usage_error("build", "unknown --target '%s' (see mmcc build --help)", target_name);
  } else {
    o.t = target_default();
    if (!o.t) {
      diag_error(NULL, 0, 0, "no target fits this machine; choose one with --target");
      return 1;
    }
  }
  if (mmcc_share_check()) return 1;

  strbuf cmd;
  sb_init(&cmd);
  sb_puts(&cmd, "mmcc");
  for (int i = 0; i < argc; i++) sb_printf(&cmd, " %s", argv[i]);
  o.command = cmd.s;

  int rc;
  if (all) {
    rc = build_all(pos[0], &o, weights);
  } else {
    model_desc m;
    if (config_mode ? model_from_config(pos[0], &m)
                    : model_from_metafile(pos[0], pos[1], o.root, &m)) {
      rc = 1;
    } else {
      if (o.random) synthetic_warning(weights);  /* after the model is known to exist */
      const char *name = m.name;
      build_list l = {NULL, &m, &name, NULL, &o};
      rc = jobs_run(1, &name, 1, 0, o.out, build_job, &l) ? 1 : 0;
      model_free(&m);
    }
  }
  sb_free(&cmd);
  return rc;
}
