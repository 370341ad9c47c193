/* cmd_inspect.c: 'mmcc inspect' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_inspect(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc inspect: not implemented yet\n");
  return 2;
}
