/* cmd_build.c: 'mmcc build' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_build(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc build: not implemented yet\n");
  return 2;
}
