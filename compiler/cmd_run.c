/* cmd_run.c: 'mmcc run' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc run: not implemented yet\n");
  return 2;
}
