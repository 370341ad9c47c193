m4_dnl model.c.m4: the forward pass of one model, every shape a constant. Expanded by mmcc
m4_dnl (compiler/gen_emit.c) with `m4 -P defs.m4 common.m4 model.c.m4`; the MM_* macros are
m4_dnl documented in templates/README.md. MM_WEIGHTS, MM_WORKSPACE, MM_OPS and MM_FORWARD are C
m4_dnl printed from the model's IR ops (compiler/ir.h): nothing here knows an architecture.
m4_dnl Compiled with the target's code-generation flags (e.g. -mavx2 -mfma): only called
m4_dnl after the CPU check in api.c.
MM_FRONT_MATTER
/* model.c: the forward pass of MM_NAME, read top to bottom like llama2.c's forward(): the
 * weights as a struct of named pointers into the embedded blob, the workspace offsets, the
 * ops of mmcc's IR (each a call into runtime/mmrt_ops.h with its shape, in a function of its
 * own outside a layer loop), then forward_chunk(): the ops in order, on the rows of up to
 * CHUNK images at once (each weight panel is read once per chunk).
 * Threads: every op splits fixed tiles between the threads of a team (statically, or as
 * runs the threads claim: products and attention) and ends at a barrier; every output
 * element is computed by the same instructions in the same order whatever the thread count
 * and whichever thread takes its tile, so results are bitwise identical for any count. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

m4_ifelse(MM_PATHS, [[]], [[m4_dnl
#include "internal.h"

/* ---- target: MM_TARGET_NAME (compiler/target.c) ---- */
#define MMRT_UKR MM_UKR
]], [[m4_dnl
/* ---- target: MM_TARGET_NAME (compiler/target.c), code paths MM_PATHS: this file is
 * compiled once per path (Makefile: -DMMRT_PATH=<path> and the path's flags), giving
 * mm_forward_<path> on the kernel mmrt_ukr_<path> (runtime/mmrt_ukr.h) ---- */
#define MMRT_PASTE_(a, b) a##_##b
#define MMRT_PASTE(a, b) MMRT_PASTE_(a, b)
#define mm_forward MMRT_PASTE(mm_forward, MMRT_PATH)
#ifdef MMRT_UKR_PATH /* a path on another path's fp32 kernel (skx-bf16: skx's) */
#define MMRT_UKR MMRT_PASTE(MM_UKR, MMRT_UKR_PATH)
#else
#define MMRT_UKR MMRT_PASTE(MM_UKR, MMRT_PATH)
#endif
#include "internal.h"

]])m4_dnl
#define MMRT_UKR_OWN MM_UKR_OWN
#define MMRT_L2_BYTES MM_L2_BYTES
#define MMRT_MR MM_MR
#define MMRT_NR MM_NR
#define MMRT_KC MM_KC
#define MMRT_COL_PREF MM_COL_PREF
m4_ifelse(MM_PRECISION, [[bf16]], [[m4_dnl
#define MMRT_CONV_NO_DIRECT 1 /* bf16 convolutions read patch panels rounded by im2col */
]])m4_dnl
#include "mmrt_ops.h"
m4_ifelse(MM_PRECISION, [[bf16]], [[m4_dnl
/* --precision bf16: products on bf16 weights and activations, fp32 sums (mmrt_bf16.h) */
#ifndef MMRT_BF16_DP /* a multi-path library's Makefile gives it per path */
#define MMRT_BF16_DP MM_BF16_DP
#endif
#include "mmrt_bf16.h"
]])m4_dnl

/* ---- the model's extents ---- */
#define IN_CHANNELS MM_IN_CHANNELS
#define IN_H MM_IN_H
#define IN_W MM_IN_W
#define OUTPUT_DIMS MM_OUTPUT_DIMS /* per image */
#define CHUNK MM_CHUNK /* images per pass of forward_chunk (the workspace holds their rows) */
MM_CONSTANTS[[]]m4_dnl
#define IN_FLOATS ((size_t)IN_CHANNELS * IN_H * IN_W)

/* ---- weights: pointers into the blob embedded by weights.S (MM_BLOB_BYTES bytes, folded
 * and packed by mmcc at the planner's offsets); products' weights are packed in panels of
 * MMRT_WR output features ---- */
extern const unsigned char MM_ID[[]]_weights_blob_[];
#define W(off) ((const float *)(MM_ID[[]]_weights_blob_ + (off)))
m4_ifelse(MM_PRECISION, [[bf16]], [[m4_dnl
#define WB(off) ((const uint16_t *)(MM_ID[[]]_weights_blob_ + (off))) /* bf16 panels */
]])m4_dnl

MM_WEIGHTS
/* ---- workspace: byte offsets the planner gave each buffer from its lifetime (buffers
 * whose lifetimes do not overlap share bytes); MM_FORWARD_WS_BYTES bytes in all ---- */
MM_WORKSPACE
/* ---- the ops outside a layer loop, one function each, in the order forward_chunk calls
 * them (compiled apart: a compiler's time grows faster than the size of a function) ---- */
#define MM_OP __attribute__((noinline)) /* one op per function: never merged by inlining */
MM_OPS
/* ---- the forward pass of n <= CHUNK images ---- */

static void forward_chunk(const float *img, int n, float *out, char *ws, mmrt_team *team,
                          int tid) {
  (void)n; /* a model whose ops take one image at a time has a CHUNK of 1 */
MM_FORWARD}

typedef struct forward_ctx {
  const float *in;       /* n x [C, H, W] */
  float *out;            /* n x [OUTPUT_DIMS] */
  int n;
  char *ws;
} forward_ctx;

static void forward_team(void *arg, mmrt_team *team, int tid) {
  const forward_ctx *f = arg;
  for (int i = 0; i < f->n; i += CHUNK)
    forward_chunk(f->in + (size_t)i * IN_FLOATS, f->n - i < CHUNK ? f->n - i : CHUNK,
                  f->out + (size_t)i * OUTPUT_DIMS, f->ws, team, tid);
}

/* Called by api.c after the argument and CPU checks. */
void mm_forward(const float *in, int n, float *out, void *workspace, int num_threads) {
  forward_ctx f = {in, out, n, workspace};
  mmrt_team_run(num_threads, forward_team, &f);
}
