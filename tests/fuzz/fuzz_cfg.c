/* fuzz_cfg.c: libFuzzer harness for the config front end (cfg_lex.c -> cfg_parse.c ->
 * cfg_eval.c -> cfg_builtin.c -> cfg_load.c): the input is the source of a top-level .py
 * config, loaded as `mmcc config` loads it (substitutions, _base_ files, merge), then printed
 * as JSON. Two _base_ files exist next to it (a.py, b.py, written once at start-up) so the
 * inheritance and merge code runs too. Errors are expected; crashes, sanitizer reports and
 * leaks are findings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "util.h"

static char dir_path[64], top[256];

static void remove_dir(void) {
  char path[256];
  const char *names[] = {"a.py", "b.py"};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir_path, names[i]);
    unlink(path);
  }
  rmdir(dir_path);
}

static void write_base(const char *dir, const char *name, const char *text) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f)) { perror(path); abort(); }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  char tmpl[] = "/tmp/mmcc-fuzz-cfg.XXXXXX";
  const char *dir = mkdtemp(tmpl);
  if (!dir) { perror("mkdtemp"); abort(); }
  write_base(dir, "a.py",
             "model = dict(type='ImageClassifier', backbone=dict(type='VisionTransformer', "
             "arch='b', img_size=224, patch_size=16), neck=None,\n"
             "    head=dict(type='VisionTransformerClsHead', num_classes=1000, in_channels=768))\n"
             "test_pipeline = [dict(type='LoadImageFromFile'), dict(type='ResizeEdge', scale=256, "
             "edge='short'), dict(type='CenterCrop', crop_size=224), dict(type='PackInputs')]\n"
             "data_preprocessor = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], "
             "to_rgb=True)\n");
  write_base(dir, "b.py",
             "test_dataloader = dict(batch_size=1, dataset=dict(type='ImageNet', pipeline={{_base_.x}}))\n"
             "x = [1, (2, 3), {'k': None}]\n");
  snprintf(top, sizeof top, "%s/input.py", dir);
  /* the directory stays for the process's life (a.py/b.py are read by every input) */
  snprintf(dir_path, sizeof dir_path, "%s", dir);
  atexit(remove_dir);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cfg_value *root = cfg_load_text(top, (const char *)data, size);
  if (root) {
    strbuf b;
    sb_init(&b);
    cfg_to_json(root, &b, 2);
    sb_free(&b);
    cfg_free(root);
  }
  return 0;
}
