/* gen.h: code generation: from a model description, its float32 weights and a target, a
 * directory holding <id>.h, lib<id>.a and everything they are built from.
 *
 *   gen_plan.c   decisions: geometry, the layout of the packed weight blob, the workspace
 *   gen_pack.c   weights.bin: weights folded and packed into the kernel's panel layout
 *   gen_emit.c   m4 definitions from the plan, expansion of templates/ *.m4
 *   gen_lib.c    runtime copy, BLIS kernel extraction, Makefile run, library checks
 * gen_build() runs them in that order into an output directory the caller stages. */
#ifndef MMCC_GEN_H
#define MMCC_GEN_H

#include <stddef.h>

#include "model.h"
#include "target.h"
#include "weights.h"

/* Fields of each layer's weights, in blob order (ORDER LAYER FIELDS: model.c.m4's
 * layer_weights initialiser names them MM_LOFF_<NAME>). */
#define GEN_LAYER_FIELDS(X) \
  X(LN1_W) X(LN1_B) X(QKV_W) X(QKV_B) X(PROJ_W) X(PROJ_B) \
  X(LN2_W) X(LN2_B) X(FC1_W) X(FC1_B) X(FC2_W) X(FC2_B)
#define GEN_FIELD_ENUM(n) GEN_F_##n,
enum { GEN_LAYER_FIELDS(GEN_FIELD_ENUM) GEN_F_COUNT };
#undef GEN_FIELD_ENUM

typedef struct gen_plan {
  const model_desc *m;
  const model_weights *w;
  const target *t;
  char *id, *id_upper;             /* C identifier from the model name, and upper-cased */
  const char *command;             /* the mmcc command line, for front matter */

  /* geometry (compiled input) */
  int in_c, in_h, in_w, patch, grid_h, grid_w, patches, patch_k, extra, tokens;
  int dims, layers, heads, head_dim, ffn, feat, hidden, out_dim, has_head, qblock;
  const char *pool;                /* "cls" (class token) or "avg" (mean of patch tokens) */
  int xr, wr;                      /* activation / weight panel widths */

  /* blob layout: byte offsets (64-byte aligned) */
  size_t off_cls_pos, off_pos, off_patch_w, off_pre_norm_w, off_pre_norm_b;
  size_t off_layer0, layer_stride, loff[GEN_F_COUNT];
  size_t off_ln1_w, off_ln1_b, off_ln2_w, off_ln2_b;
  size_t off_pre_logits_w, off_pre_logits_b, off_head_w, off_head_b;
  size_t blob_bytes;

  /* workspace */
  size_t xp_floats, forward_ws_bytes, preprocess_ws_bytes, ws_bytes;
  int max_image_side;              /* MMRT_MAX_IMAGE_SIDE of the runtime */
} gen_plan;

/* gen_plan.c: fills everything but preprocess_ws_bytes, ws_bytes and max_image_side
 * (gen_lib_prepare does those). 0, or -1 after a diagnostic (an unsupported option). */
int gen_plan_make(gen_plan *p, const model_desc *m, const model_weights *w, const target *t,
                  const char *command);
void gen_plan_free(gen_plan *p);
/* "vit-base-p16_clip-openai-pre_3rdparty_in1k" -> "vit_base_p16_clip_openai_pre_3rdparty_in1k" */
char *gen_c_identifier(const char *name);

/* Packed panel layout (ORDER PANEL LAYOUT, runtime/mmrt_gemm.h): floats per panel of R rows
 * for k-length K, and floats of a packed [N, K] matrix. */
size_t gen_panel_floats(int K, int R);
size_t gen_packed_floats(int N, int K, int R);

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
/* Runs argv (argv[0] searched in PATH) in directory CWD (NULL: current), stdout to OUT_PATH
 * (NULL: inherit), stderr to ERR_PATH (NULL: inherit). Returns the exit status, or -1 when it
 * could not run. */
int gen_run(const char *cwd, char *const argv[], const char *out_path, const char *err_path);

/* The whole pipeline into DIR (which must exist and be empty). */
int gen_build(gen_plan *p, const char *dir, int build_library);

#endif
