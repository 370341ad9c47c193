/* cmd_config.c: 'mmcc config' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_config(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc config: not implemented yet\n");
  return 2;
}
