MM_FRONT_MATTER
/* internal.h: what the generated files of MM_ID share (not installed; nothing here stays a
 * global symbol of lib[[]]MM_ID.a). */
#ifndef MM_ID_UPPER[[]]_INTERNAL_H
#define MM_ID_UPPER[[]]_INTERNAL_H

#include "mmrt.h"

/* The whole workspace model.c uses for mm_forward (bytes, 64-byte aligned). */
#define MM_FORWARD_WORKSPACE_BYTES MM_FORWARD_WS_BYTES

/* n images [MM_IN_CHANNELS, MM_IN_H, MM_IN_W] -> n x [MM_OUTPUT_DIMS]; arguments checked
 * by the caller, CPU features too (model.c is compiled for the target's instructions). */
void mm_forward(const float *in, int n, float *out, void *workspace, int num_threads);
m4_ifelse(MM_PROFILE, 1, [[m4_dnl

/* mmcc build --profile (api.c): forward_chunk calls mm_prof_start before each op,
 * mm_prof_work when its share is done, mm_prof_op after the barrier that ends it. */
#include <stdint.h>
typedef struct mm_prof_mark { uint64_t wall0, cpu0, wall1, cpu1; } mm_prof_mark;
void mm_prof_start(mm_prof_mark *m);
void mm_prof_work(mm_prof_mark *m);
void mm_prof_op(const mm_prof_mark *m, int tid, int op, int n);
]])m4_dnl

#endif
