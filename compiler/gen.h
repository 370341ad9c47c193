/* gen.h: code generation: from a model description, its float32 weights and a target, a
 * directory holding <id>.h, lib<id>.a and everything they are built from.
 *
 *   gen_plan.c   the plan: identity, the model lowered to IR ops (lower_*.c, ir.h) and
 *                laid out (plan.c: weight blob, workspace)
 *   gen_pack.c   weights.bin: each IR weight folded and packed at its planned offset
 *   gen_emit.c   m4 definitions from the plan (forward() printed from the ops), expansion
 *                of templates/ *.m4
 *   gen_lib.c    runtime copy, BLIS kernel extraction, Makefile run, library checks
 * gen_build() runs them in that order into an output directory the caller stages. */
#ifndef MMCC_GEN_H
#define MMCC_GEN_H

#include <stddef.h>

#include "ir.h"
#include "model.h"
#include "target.h"
#include "weights.h"

typedef struct gen_plan {
  const model_desc *m;
  const model_weights *w;
  const target *t;
  char *id, *id_upper;             /* C identifier from the model name, and upper-cased */
  const char *command;             /* the mmcc command line, for front matter */
  ir_graph g;                      /* ops, buffers, weights and their layouts */
  int bf16;                        /* --precision bf16 (g.bf16 too) */
  int profile;                     /* --profile: per-op timers (set after gen_plan_make) */
  int has_head;
  int in_c, in_h, in_w, out_dim;   /* the lowering's input image and output (copied) */

  /* workspace */
  size_t forward_ws_bytes, preprocess_ws_bytes, ws_bytes;
  int max_image_side;              /* MMRT_MAX_IMAGE_SIDE of the runtime */
} gen_plan;

/* gen_plan.c: lowers and plans; fills everything but preprocess_ws_bytes, ws_bytes and
 * max_image_side (gen_lib_prepare does those). 0, or -1 after a diagnostic. */
int gen_plan_make(gen_plan *p, const model_desc *m, const model_weights *w, const target *t,
                  const char *command);
/* The same with --precision bf16 when BF16 and --winograd WINO (ir_graph.wino; gen_plan_make:
 * fp32, auto). */
int gen_plan_make_prec(gen_plan *p, const model_desc *m, const model_weights *w,
                       const target *t, const char *command, int bf16, int wino);
void gen_plan_free(gen_plan *p);
/* "vit-base-p16_clip-openai-pre_3rdparty_in1k" -> "vit_base_p16_clip_openai_pre_3rdparty_in1k" */
char *gen_c_identifier(const char *name);

/* gen_pack.c: writes PATH (the blob of p's layout). 0, or -1 after a diagnostic. */
int gen_pack_weights(const gen_plan *p, const char *path);

/* gen_emit.c: expands every template into DIR (src/ *.c, src/ *.h, src/weights.S, <id>.h,
 * Makefile, <id>.pc). 0, or -1 after a diagnostic. */
int gen_emit(const gen_plan *p, const char *dir);

/* gen_lib.c */
/* Copies the runtime into DIR/src/runtime, extracts the kernel object into DIR/src/blis,
 * writes DIR/src/exports.txt and the BLIS licence notice, and computes
 * p->preprocess_ws_bytes and p->ws_bytes (needed by gen_emit). */
int gen_lib_prepare(gen_plan *p, const char *dir);
/* Runs make in DIR and checks the archive (only <id>_* symbols global). */
int gen_lib_build(const gen_plan *p, const char *dir);
/* After a build: removes src/weights.bin and the objects (the weights then live only in
 * lib<id>.a; 'mmcc build --keep-sources' skips this). 0 or -1 + diagnostic. */
int gen_lib_trim(const char *dir);
/* m4 definitions of the target's kernel and code paths (those of a BF16 library when set),
 * for gen_emit (newly allocated). */
char *gen_lib_target_defs(const target *t, int bf16);
/* Runs argv (argv[0] searched in PATH) in directory CWD (NULL: current), stdout to OUT_PATH
 * (NULL: inherit), stderr to ERR_PATH (NULL: inherit). Returns the exit status, or -1 when it
 * could not run. */
int gen_run(const char *cwd, char *const argv[], const char *out_path, const char *err_path);

/* The whole pipeline into DIR (which must exist and be empty). */
int gen_build(gen_plan *p, const char *dir, int build_library);

#endif
