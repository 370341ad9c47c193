MM_FRONT_MATTER
/* api.c: the public entry points of lib[[]]MM_ID.a (MM_ID.h). Compiled without the
 * target's code-generation flags: it checks the CPU before calling into model.c. */
m4_ifelse(MM_PROFILE, 1, [[m4_dnl
#define _POSIX_C_SOURCE 200809L /* --profile: clock_gettime */
#include <time.h>
]])m4_dnl
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "MM_ID.h"
#include "internal.h"
#include "mmrt.h"
#include "mmrt_preprocess.h"

#define CPU_FEATURES "MM_CPU_FEATURES"
#define IMAGE_FLOATS ((size_t)MM_IN_CHANNELS * MM_IN_H * MM_IN_W)
#define IMAGE_BYTES (((IMAGE_FLOATS * sizeof(float)) + 63) / 64 * 64)
#define PRE_BYTES MMRT_PREPROCESS_WORKSPACE_BYTES(MM_RESIZE_SCALE, MM_IN_H, MM_IN_W)

/* classify_rgb8 uses [image | max(preprocess, forward)]; forward alone uses the start. */
_Static_assert(MM_ID_UPPER[[]]_WORKSPACE_BYTES >= IMAGE_BYTES + MM_FORWARD_WORKSPACE_BYTES &&
               MM_ID_UPPER[[]]_WORKSPACE_BYTES >= IMAGE_BYTES + PRE_BYTES,
               "workspace size in MM_ID.h too small");

_Static_assert(MM_ID_UPPER[[]]_MAX_THREADS == MMRT_MAX_THREADS, "thread cap in MM_ID.h and mmrt.h differ");
_Static_assert(MM_ID_UPPER[[]]_MAX_IMAGE_SIDE == MMRT_MAX_IMAGE_SIDE, "image size cap in MM_ID.h differs");
/* The public return codes are the runtime's: entry points pass runtime codes through. */
_Static_assert(MM_ID_UPPER[[]]_E_BAD_ARGUMENT == MMRT_E_BAD_ARGUMENT &&
               MM_ID_UPPER[[]]_E_IMAGE_TOO_LARGE == MMRT_E_IMAGE_TOO_LARGE &&
               MM_ID_UPPER[[]]_E_EMPTY_IMAGE == MMRT_E_EMPTY_IMAGE &&
               MM_ID_UPPER[[]]_E_CPU == MMRT_E_CPU &&
               MM_ID_UPPER[[]]_E_IMAGE_SHAPE == MMRT_E_IMAGE_SHAPE,
               "return codes in MM_ID.h and the runtime differ");

/* The test pipeline of MM_CONFIG_TEXT. */
static const mmrt_pre_params pre = {
  .resize_scale = MM_RESIZE_SCALE,
  .resize_edge = MM_RESIZE_EDGE,
  .resize_method = MM_RESIZE_METHOD,
  .crop_h = MM_CROP_H,
  .crop_w = MM_CROP_W,
  .out_h = MM_IN_H,
  .out_w = MM_IN_W,
  .to_rgb = MM_TO_RGB,
  .norm = MM_NORM,
  .mean = {MM_MEAN0, MM_MEAN1, MM_MEAN2},
  .std = {MM_STD0, MM_STD1, MM_STD2},
};

/* The weights onto private anonymous pages, once, by the first call (on its threads),
 * before its forward reads them (runtime/mmrt_mem.c says why and when); compiled with
 * -DMMRT_KEEP_WEIGHTS_MAPPED they stay in the program's file mapping. */
extern const unsigned char MM_ID[[]]_weights_blob_[];
static pthread_once_t weights_once = PTHREAD_ONCE_INIT;
static _Atomic int weights_movers; /* the threads of the call that moves them */
static void weights_move(void) {
  (void)mmrt_weights_to_anon(MM_ID[[]]_weights_blob_, MM_BLOB_BYTES, weights_movers);
}
static void weights_private(int num_threads) {
#ifndef MMRT_KEEP_WEIGHTS_MAPPED
  if (!atomic_load_explicit(&weights_movers, memory_order_relaxed)) /* written once, not per call */
    atomic_store_explicit(&weights_movers, num_threads > 1 ? num_threads : 1, memory_order_relaxed);
  pthread_once(&weights_once, weights_move);
#else
  (void)num_threads;
#endif
}

m4_ifelse(MM_PATHS, [[]], [[m4_dnl
int MM_ID[[]]_forward(const float *in, int n, float *out, void *workspace, int num_threads) {
  if (n < 0 || (n > 0 && (!in || !out || !workspace)) || ((uintptr_t)workspace & 63))
    return MM_ID_UPPER[[]]_E_BAD_ARGUMENT;
  if (!mmrt_cpu_supports(CPU_FEATURES)) return MM_ID_UPPER[[]]_E_CPU;
  weights_private(num_threads);
  if (n > 0) mm_forward(in, n, out, workspace, num_threads);
  return MM_ID_UPPER[[]]_OK;
}
]], [[m4_dnl
/* The code paths of this library (model.c compiled once per path, same weights, same
 * workspace), best first. The first whose CPU features this CPU has is taken, at the
 * first call; the environment variable MMRT_PATH=<name> forces one (E_CPU when the CPU
 * lacks its features or no path has that name). Results are bitwise identical for a given
 * path and thread count, not across paths. */
MM_PATH_DECLS[[]]m4_dnl
typedef void forward_fn(const float *in, int n, float *out, void *workspace, int num_threads);
static const struct {
  const char *name, *features;
  forward_fn *forward;
} paths[] = {
MM_PATH_TABLE};
#define NPATHS ((int)(sizeof paths / sizeof *paths))

/* index of the path to take, NPATHS when none (chosen once; a race only repeats the same
 * choice) */
static int choose(void) {
  static _Atomic int chosen = -1;
  int c = chosen;
  if (c >= 0) return c;
  const char *force = getenv("MMRT_PATH");
  c = NPATHS;
  for (int i = 0; i < NPATHS && c == NPATHS; i++)
    if ((!force || !force[0] || !strcmp(force, paths[i].name)) &&
        mmrt_cpu_supports(paths[i].features))
      c = i;
  chosen = c;
  return c;
}

int MM_ID[[]]_forward(const float *in, int n, float *out, void *workspace, int num_threads) {
  if (n < 0 || (n > 0 && (!in || !out || !workspace)) || ((uintptr_t)workspace & 63))
    return MM_ID_UPPER[[]]_E_BAD_ARGUMENT;
  const int c = choose();
  if (c == NPATHS) return MM_ID_UPPER[[]]_E_CPU;
  weights_private(num_threads);
  if (n > 0) paths[c].forward(in, n, out, workspace, num_threads);
  return MM_ID_UPPER[[]]_OK;
}
]])m4_dnl

int MM_ID[[]]_preprocess_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                        int channel_order, float *out_chw, void *workspace) {
  if (!workspace || ((uintptr_t)workspace & 63)) return MM_ID_UPPER[[]]_E_BAD_ARGUMENT;
  return mmrt_preprocess_rgb8(&pre, pixels, width, height, stride_bytes, channel_order,
                              out_chw, workspace);
}

int MM_ID[[]]_classify_rgb8(const uint8_t *pixels, int width, int height, int stride_bytes,
                      int channel_order, float *logits, void *workspace, int num_threads) {
  if (!workspace || ((uintptr_t)workspace & 63) || !logits) return MM_ID_UPPER[[]]_E_BAD_ARGUMENT;
  float *image = workspace;
  char *rest = (char *)workspace + IMAGE_BYTES;
  int rc = mmrt_preprocess_rgb8(&pre, pixels, width, height, stride_bytes, channel_order, image,
                                rest);
  if (rc != 0) return rc;
  return MM_ID[[]]_forward(image, 1, logits, rest, num_threads);
}

int MM_ID[[]]_topk(const float *logits, int k, int *index, float *score) {
  return mmrt_topk(logits, MM_OUTPUT_DIMS, k, index, score);
}

m4_ifelse(MM_CLASSES, table, [[m4_dnl
/* meta.dataset_meta.classes of the checkpoint */
static const char *const classes[MM_OUTPUT_DIMS] = {
MM_CLASS_TABLE};

const char *MM_ID[[]]_class_name(int i) {
  return i >= 0 && i < MM_OUTPUT_DIMS ? classes[i] : NULL;
}
]], MM_CLASSES, imagenet1k, [[m4_dnl
/* ImageNet-1k class names (runtime/mmrt_imagenet1k.c) */
const char *MM_ID[[]]_class_name(int i) {
  return i >= 0 && i < 1000 ? mmrt_imagenet1k_classes[i] : NULL;
}
]], [[m4_dnl
/* no class names known for this model */
const char *MM_ID[[]]_class_name(int i) {
  (void)i;
  return NULL;
}
]])m4_dnl
m4_ifelse(MM_PROFILE, 1, [[m4_dnl

/* ---- mmcc build --profile: counters of each op of forward_chunk (model.c), one row per
 * thread, each row written only by its thread; process-wide (concurrent calls mix) ---- */
static const struct { const char *kind, *label, *shape; long long flops; } prof_ops[] = {
MM_PROF_TABLE};
_Static_assert(sizeof prof_ops / sizeof *prof_ops == MM_ID_UPPER[[]]_PROFILE_OPS, "profile table");
static struct prof_slot { long long calls, images, wall_ns, work_ns, cpu_ns; }
    prof[MMRT_MAX_THREADS][MM_ID_UPPER[[]]_PROFILE_OPS];

static uint64_t prof_ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void mm_prof_start(mm_prof_mark *m) {
  m->wall0 = prof_ns(CLOCK_MONOTONIC);
  m->cpu0 = prof_ns(CLOCK_THREAD_CPUTIME_ID);
}

void mm_prof_work(mm_prof_mark *m) {
  m->cpu1 = prof_ns(CLOCK_THREAD_CPUTIME_ID);
  m->wall1 = prof_ns(CLOCK_MONOTONIC);
}

void mm_prof_op(const mm_prof_mark *m, int tid, int op, int n) {
  struct prof_slot *s = &prof[tid][op];
  s->calls++;
  s->images += n;
  s->wall_ns += (long long)(prof_ns(CLOCK_MONOTONIC) - m->wall0);
  s->work_ns += (long long)(m->wall1 - m->wall0);
  s->cpu_ns += (long long)(m->cpu1 - m->cpu0);
}

int MM_ID[[]]_profile(int op, int thread, MM_ID[[]]_profile_op *e) {
  if (op < 0 || op >= MM_ID_UPPER[[]]_PROFILE_OPS || thread < 0 || thread >= MMRT_MAX_THREADS || !e)
    return MM_ID_UPPER[[]]_E_BAD_ARGUMENT;
  const struct prof_slot *s = &prof[thread][op];
  *e = (MM_ID[[]]_profile_op){prof_ops[op].kind, prof_ops[op].label, prof_ops[op].shape,
                           prof_ops[op].flops, s->calls, s->images, s->wall_ns, s->work_ns,
                           s->cpu_ns};
  return MM_ID_UPPER[[]]_OK;
}

void MM_ID[[]]_profile_reset(void) { memset(prof, 0, sizeof prof); }
]])m4_dnl
