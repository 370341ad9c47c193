/* cmd_check.c: 'mmcc check (METAFILE MODEL | CONFIG.py) --checkpoint FILE [--no-verify]':
 * validates a checkpoint against the model (ckpt_check.h) and prints a one-screen verdict. */
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "ckpt_check.h"
#include "cmd.h"
#include "model.h"
#include "util.h"

static void help(void) {
  printf(
      "usage: mmcc check METAFILE MODEL --checkpoint FILE [--no-verify] [--root DIR]\n"
      "       mmcc check CONFIG.py --checkpoint FILE [--no-verify]\n"
      "\n"
      "Validates a checkpoint (.pth or .safetensors) against the model: every parameter\n"
      "present with its shape (a pos_embed for another square grid is accepted: it is resized\n"
      "at load time), unexpected tensors listed, the parameter count after the resize compared\n"
      "with the metafile's Parameters, and the file's sha256 compared with the '-<8 hex>'\n"
      "suffix of its own name and, for METAFILE MODEL, of the metafile's Weights URL.\n"
      "\n"
      "  --checkpoint FILE  the checkpoint\n"
      "  --no-verify        do not compute or compare the sha256\n"
      "  --root DIR         directory the metafile's Config paths are relative to\n"
      "                     (default: the nearest ancestor of the metafile where they exist)\n"
      "\n"
      "exit status: 0 the checkpoint fits, 1 it does not (errors on stderr), 2 usage.\n");
}

/* 86568424 -> "86,568,424" */
static const char *grouped(char buf[32], long long v) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v), k = 0;
  if (v < 0) buf[k++] = '-';
  for (int i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) buf[k++] = ',';
    buf[k++] = tmp[i];
  }
  buf[k] = 0;
  return buf;
}

static void print_verdict(const model_desc *m, const ckpt *c, const char *path,
                          const ckpt_report *r, int verify, int ok) {
  char a[32], b[32];
  printf("model       %s (%s)\n", m->name ? m->name : "?", m->config_path ? m->config_path : "?");
  printf("checkpoint  %s: %s, %zu tensors,", path, ckpt_format(c), r->tensors);
  for (int d = CKPT_F32; d <= CKPT_I64; d++)
    if (r->dtypes & 1 << d) printf(" %s", ckpt_dtype_name((ckpt_dtype)d));
  printf("\n");
  if (r->shape_errors)
    printf("tensors     %zu of %zu expected tensors fit; %d missing or wrongly shaped\n",
           r->present, r->expected, r->shape_errors);
  else
    printf("tensors     all %zu expected tensors present with the expected shapes\n",
           r->expected);
  if (r->grid_ckpt && r->grid_model && r->grid_ckpt != r->grid_model)
    printf("pos_embed   checkpoint grid %dx%d, config grid %dx%d: resized at load time (%s)\n",
           r->grid_ckpt, r->grid_ckpt, r->grid_model, r->grid_model,
           m->interpolate_mode ? m->interpolate_mode : "bicubic");
  else if (r->grid_model)
    printf("pos_embed   grid %dx%d, as the config\n", r->grid_model, r->grid_model);
  printf("parameters  %s after the pos_embed resize", grouped(a, r->params_loaded));
  if (r->params_metafile >= 0) printf(" (metafile: %s)", grouped(b, r->params_metafile));
  printf("; the checkpoint holds %s\n", grouped(a, r->params_raw));
  if (r->unexpected)
    printf("unexpected  %zu tensor%s, not used (see the warning)\n", r->unexpected,
           r->unexpected > 1 ? "s" : "");
  else printf("unexpected  none\n");
  if (!verify) {
    printf("sha256      not checked (--no-verify)\n");
  } else if (r->sha256[0]) {
    printf("sha256      %s\n", r->sha256);
    if (r->hash_name[0])
      printf("            %s the file name's -%s\n",
             strncmp(r->sha256, r->hash_name, 8) ? "DIFFERS from" : "matches", r->hash_name);
    if (r->hash_url[0])
      printf("            %s the metafile Weights URL's -%s\n",
             strncmp(r->sha256, r->hash_url, 8) ? "DIFFERS from" : "matches", r->hash_url);
    if (!r->hash_checked)
      printf("            (no '-<8 hex>' suffix in the file name%s to compare with)\n",
             m->metafile ? " or the Weights URL" : "");
  }
  printf("verdict     %s\n", ok ? "OK: the checkpoint fits the model"
                                : "FAILED: the checkpoint does not fit (errors above)");
}

int cmd_check(int argc, char **argv) {
  const char *pos[2] = {NULL, NULL}, *ckpt_path = NULL, *root = NULL;
  int npos = 0, verify = 1, ok;
  model_desc m;
  ckpt_report r;
  ckpt *c;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      help();
      return 0;
    } else if (!strcmp(argv[i], "--checkpoint") || !strcmp(argv[i], "--root")) {
      if (i + 1 == argc) return usage_error("check", "%s needs an argument", argv[i]);
      *(!strcmp(argv[i], "--root") ? &root : &ckpt_path) = argv[i + 1];
      i++;
    } else if (!strcmp(argv[i], "--no-verify")) {
      verify = 0;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error("check", "unknown option '%s'", argv[i]);
    } else if (npos == 2) {
      return usage_error("check", "too many arguments ('%s')", argv[i]);
    } else {
      pos[npos++] = argv[i];
    }
  }
  if (!npos) return usage_error("check", "METAFILE MODEL or CONFIG.py expected");
  if (!ckpt_path) return usage_error("check", "--checkpoint FILE is required");
  if (npos == 1 && root) return usage_error("check", "--root goes with METAFILE MODEL");
  {
    size_t len = strlen(pos[0]);
    int is_py = len > 3 && !strcmp(pos[0] + len - 3, ".py");
    if (npos == 1 && !is_py)
      return usage_error("check", "'%s' is not a CONFIG.py; a METAFILE needs a MODEL name", pos[0]);
    if (npos == 2 && is_py)
      return usage_error("check", "CONFIG.py takes no MODEL name ('%s')", pos[1]);
  }
  memset(&m, 0, sizeof m);
  if ((npos == 2 ? model_from_metafile(pos[0], pos[1], root, &m)
                 : model_from_config(pos[0], &m)) < 0)
    return 1;
  if (!(c = ckpt_open(ckpt_path))) {
    model_free(&m);
    return 1;
  }
  ok = ckpt_check_tensors(&m, c, ckpt_path, &r) == 0;
  if (verify && ckpt_check_hash(&m, ckpt_path, &r) < 0) ok = 0;
  print_verdict(&m, c, ckpt_path, &r, verify, ok);
  ckpt_close(c);
  model_free(&m);
  return ok ? 0 : 1;
}
