/* model_pipe.h: test-pipeline extraction for model.c (internal to the model front end). */
#ifndef MMCC_MODEL_PIPE_H
#define MMCC_MODEL_PIPE_H

#include "cfg.h"
#include "model.h"

/* Fills resize_*, crop_size, norm, mean, std, to_rgb and input_size of M from the resolved
 * config ROOT of FILE (the backbone fields must be set). 0, or -1 after a diagnostic. */
int model_pipe_extract(const char *file, const cfg_value *root, model_desc *m);
/* model_set_input_size(): adapts the test pipeline of M to a compiled input of H x W
 * (documented in model.h), with warnings naming M's config file. */
void model_pipe_adapt(model_desc *m, int h, int w);

#endif
