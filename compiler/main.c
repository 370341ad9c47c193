/* main.c: mmcc's command line: dispatch to the subcommands listed in cmd.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

typedef struct { const char *name, *help; int (*run)(int, char **); } command;

#define MMCC_TABLE_ROW(name, help) {#name, help, cmd_##name},
static const command commands[] = {MMCC_COMMANDS(MMCC_TABLE_ROW)};
#undef MMCC_TABLE_ROW

static void print_help(FILE *f) {
  fprintf(f,
          "usage: mmcc <command> [arguments]\n"
          "\n"
          "mmcc compiles mmpretrain image classifiers (metafile.yml + config + checkpoint)\n"
          "into self-contained C static libraries.\n"
          "\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].help);
  fprintf(f,
          "\n"
          "'mmcc <command> --help' describes a command.\n"
          "exit status: 0 success, 1 bad input (config, metafile, checkpoint, image), 2 usage.\n"
          "\n"
          "environment:\n"
          "  MMCC_SHARE_DIR  directory holding mmcc's templates/, runtime/ and\n"
          "                  examples/classify/ (default: next to the executable,\n"
          "                  <bin>/../share/mmcc after 'make install', the source tree for\n"
          "                  build/mmcc); now: %s\n", mmcc_share_dir());
}

int is_help(const char *arg) { return !strcmp(arg, "-h") || !strcmp(arg, "--help"); }

int usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "mmcc %s: error: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'mmcc %s --help'.\n", cmd);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_help(stderr);
    return 2;
  }
  if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
    print_help(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("mmcc %s\n", MMCC_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "mmcc: error: unknown command '%s'\n", argv[1]);
  print_help(stderr);
  return 2;
}
