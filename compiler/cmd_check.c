/* cmd_check.c: 'mmcc check' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_check(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc check: not implemented yet\n");
  return 2;
}
