/* cfg_eval.h: runs a parsed config file the way Python's exec() would, for the subset of
 * Python that mmengine config files use. Values live in the load's arena. */
#ifndef MMCC_CFG_EVAL_H
#define MMCC_CFG_EVAL_H

#include "cfg_parse.h"
#include "cfg_value_impl.h"

/* Executes the statements of m with globals (a dict: names the file binds are stored there,
 * in binding order). When skip_base_assign is set, assignments whose first target is the
 * name _base_ are skipped, at any depth (mmengine's RemoveAssignFromAST). Statements that
 * are not supported fail only when they would run (so an `if __name__ == '__main__':` block,
 * which never runs, may hold anything Python accepts). Returns 0, or -1 after a diagnostic. */
int cfg_eval_module(cfg_arena *a, const char *file, const cfg_module *m, cfg_value *globals,
                    int skip_base_assign);

/* Evaluates one expression with no names bound except builtins (for the _base_ list).
 * NULL after a diagnostic. */
cfg_value *cfg_eval_expr(cfg_arena *a, const char *file, const cfg_expr *e);

#endif
