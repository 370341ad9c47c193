/* ckpt_check.h: validation of a checkpoint against a described model (issue 3, section 2):
 * every parameter model_params() names present with its shape (pos_embed may carry another
 * square grid: resized at load time), unexpected tensors reported, parameter counts, and the
 * file's sha256 against the hash in its own file name and, for a model named through a
 * metafile, in the metafile's Weights URL. */
#ifndef MMCC_CKPT_CHECK_H
#define MMCC_CKPT_CHECK_H

#include <stddef.h>

#include "ckpt.h"
#include "model.h"

typedef struct ckpt_report {
  size_t expected;            /* parameters the model has */
  size_t present;             /* ... found with an acceptable shape */
  size_t tensors;             /* tensors in the checkpoint */
  size_t unexpected;          /* checkpoint tensors the model does not use */
  int shape_errors;           /* missing or wrongly shaped tensors (each reported) */
  long long params_raw;       /* elements of every checkpoint tensor */
  long long params_loaded;    /* of the expected tensors, pos_embed on the config grid */
  long long params_model;     /* model_param_count() */
  long long params_metafile;  /* metafile Parameters, -1 when unknown */
  int grid_ckpt, grid_model;  /* pos_embed grid side in the checkpoint / the config; 0 = n/a */
  int dtypes;                 /* bit (1 << ckpt_dtype) for every dtype seen */
  char sha256[65];            /* "" when not computed */
  char hash_name[9];          /* from the file name's "-<8 hex>" suffix, "" when absent */
  char hash_url[9];           /* from the metafile Weights URL (METAFILE MODEL only), or "" */
  int hash_checked;           /* sha256 compared with at least one of them */
  int hash_errors;
} ckpt_report;

/* Tensor names, shapes and counts; each problem is one diagnostic naming PATH and the tensor.
 * 0 when the checkpoint fits, -1 otherwise (the report is filled either way). */
/* COUNT equals the metafile's Parameters, rounded to that figure's precision (some
 * metafiles give 0.01 M: 25560000 for 25,557,032). */
int ckpt_params_match(long long count, long long metafile);
int ckpt_check_tensors(const model_desc *m, const ckpt *c, const char *path, ckpt_report *r);
/* sha256 of PATH against the file name's suffix and (when M came from a metafile) the Weights
 * URL's. 0, or -1 after a diagnostic on a mismatch. */
int ckpt_check_hash(const model_desc *m, const char *path, ckpt_report *r);
/* "-<8 hex digits>" at the end of NAME's last path component before its extension
 * ("..._20221220-b384e830.pth" -> "b384e830", lower case). 0, or -1 (OUT "") when there is
 * none. */
int ckpt_hash_suffix(const char *name, char out[9]);

#endif
