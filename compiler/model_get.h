/* model_get.h: typed reads of resolved config values for model extraction (model.c,
 * model_pipe.c), with positioned diagnostics "file:line:col: error: ...".
 * Internal to the model front end. A key whose value is None counts as given (and is then a
 * type error) except where a getter says otherwise. */
#ifndef MMCC_MODEL_GET_H
#define MMCC_MODEL_GET_H

#include "cfg.h"

/* Prints an error at AT's position (or at FILE when AT has none); returns -1. */
int mget_error(const char *file, const cfg_value *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mget_warning(const char *file, const cfg_value *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* d[key] with a default when absent; -1 after a diagnostic when of the wrong type. */
int mget_int(const char *file, const cfg_value *d, const char *key, long long def,
             long long *out);
int mget_bool(const char *file, const cfg_value *d, const char *key, int def, int *out);
int mget_num(const char *file, const cfg_value *d, const char *key, double def, double *out);
int mget_str(const char *file, const cfg_value *d, const char *key, const char *def,
             const char **out);
/* An int S (-> S, S) or a 2-sequence of ints (mmcv to_2tuple); positive. */
int mget_pair(const char *file, const cfg_value *d, const char *key, int def, int out[2]);
/* Three numbers (a list or tuple). */
int mget_triple(const char *file, const cfg_value *d, const char *key, double out[3]);

/* The registry type of a dict: "type" without a scope prefix ("mmcls.X", "mmpretrain.X"). */
const char *mget_type(const cfg_value *d);

#endif
