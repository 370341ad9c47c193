/* cmd_config.c: 'mmcc config FILE.py': the config resolved as mmengine's
 * Config.fromfile(FILE).to_dict() holds it, as one JSON object on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"

static void help(FILE *f) {
  fprintf(f,
          "usage: mmcc config [--compact | --indent N] FILE.py\n"
          "\n"
          "Resolves an mmengine-style Python config (its _base_ chain merged, {{_base_.x}}\n"
          "substituted, _delete_ applied) and prints it as one JSON object on stdout:\n"
          "dicts in insertion order, lists and tuples as arrays, None as null, floats as\n"
          "Python's repr() prints them (NaN/Infinity as Python's json module writes them),\n"
          "strings as UTF-8. Modules and functions are left out, as mmengine drops them.\n"
          "\n"
          "options:\n"
          "  --indent N   indent nested values by N spaces (default 2)\n"
          "  --compact    one line\n"
          "\n"
          "exit status: 0 success, 1 bad config (file:line:col: error: ...), 2 usage.\n");
}

int cmd_config(int argc, char **argv) {
  const char *file = NULL;
  int indent = 2;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      help(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--compact")) {
      indent = 0;
    } else if (!strcmp(argv[i], "--indent")) {
      if (i + 1 >= argc) return usage_error("config", "--indent needs a number");
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 0 || n > 16) return usage_error("config", "--indent wants 0..16, got '%s'", argv[i]);
      indent = (int)n;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error("config", "unknown option '%s'", argv[i]);
    } else if (file) {
      return usage_error("config", "one config file at a time (got '%s' and '%s')", file, argv[i]);
    } else {
      file = argv[i];
    }
  }
  if (!file) return usage_error("config", "missing FILE.py");
  cfg_value *root = cfg_load_file(file);
  if (!root) return 1;
  strbuf out;
  sb_init(&out);
  cfg_to_json(root, &out, indent);
  sb_putc(&out, '\n');
  cfg_free(root);
  int ok = fwrite(out.s, 1, out.len, stdout) == out.len && fflush(stdout) == 0;
  sb_free(&out);
  if (!ok) {
    fprintf(stderr, "mmcc config: error: cannot write to stdout\n");
    return 1;
  }
  return 0;
}
