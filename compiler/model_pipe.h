/* model_pipe.h: test-pipeline extraction for model.c (internal to the model front end). */
#ifndef MMCC_MODEL_PIPE_H
#define MMCC_MODEL_PIPE_H

#include "cfg.h"
#include "model.h"

/* resize_edge values beyond model.h's EDGE_SHORT / EDGE_LONG (ResizeEdge edge='width' /
 * 'height'; EDGE_FIXED: mmcv Resize(scale=(w, h)) without keep_ratio, to exactly
 * input_size, no crop after it). Kept here so that model.h's enum line stays as it is; they
 * are values of resize_edge, never used as switch cases (so -Wswitch has nothing to say). */
enum { EDGE_WIDTH = EDGE_LONG + 1, EDGE_HEIGHT, EDGE_FIXED };

/* Fills resize_*, crop_size, norm, mean, std, to_rgb and input_size of M from the resolved
 * config ROOT of FILE (the backbone fields must be set). 0, or -1 after a diagnostic. */
int model_pipe_extract(const char *file, const cfg_value *root, model_desc *m);
/* model_set_input_size(): adapts the test pipeline of M to a compiled input of H x W
 * (documented in model.h), with warnings naming M's config file. */
void model_pipe_adapt(model_desc *m, int h, int w);

/* "short", "long", "width", "height" or "fixed". */
const char *model_pipe_edge_name(int edge);
/* The runtime's names (runtime/mmrt_preprocess.h) for M's resize, for the generated code:
 * "MMRT_EDGE_SHORT" ... and "MMRT_RESIZE_PIL_BICUBIC" ... (PIL_BICUBIC when no resize). */
const char *model_pipe_rt_edge(const model_desc *m);
const char *model_pipe_rt_method(const model_desc *m);

#endif
