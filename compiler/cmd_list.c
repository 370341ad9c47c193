/* cmd_list.c: 'mmcc list' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_list(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc list: not implemented yet\n");
  return 2;
}
