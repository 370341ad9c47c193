/* cmd.h: the subcommands of mmcc. Each lives in its own cmd_<name>.c and returns the process
 * exit status: 0 success, 1 bad input (diagnostic already printed), 2 usage error.
 * argv[0] is the command name; argv[1..] its arguments. */
#ifndef MMCC_CMD_H
#define MMCC_CMD_H

/* ORDER CMDS: one line per command; main.c builds its table from this list. */
#define MMCC_COMMANDS(X)                                                                     \
  X(config,  "print a config file, resolved as mmengine would, as JSON")                     \
  X(list,    "list the models of a metafile.yml")                                            \
  X(inspect, "print a model card (metafile facts + model description) as JSON")              \
  X(ckpt,    "list the tensors of a checkpoint (.pth or .safetensors)")                      \
  X(check,   "validate a checkpoint against a model")                                        \
  X(build,   "compile a model variant into a static library")                                \
  X(run,     "build the example program for a generated library and classify images")

#define MMCC_DECLARE_CMD(name, help) int cmd_##name(int argc, char **argv);
MMCC_COMMANDS(MMCC_DECLARE_CMD)
#undef MMCC_DECLARE_CMD

/* Prints "mmcc CMD: error: ..." and "Try 'mmcc CMD --help'." to stderr; returns 2. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv[i] is -h or --help. */
int is_help(const char *arg);

#endif
