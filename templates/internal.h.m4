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

#endif
