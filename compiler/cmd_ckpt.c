/* cmd_ckpt.c: 'mmcc ckpt' (placeholder until its issue lands). */
#include <stdio.h>

#include "cmd.h"

int cmd_ckpt(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mmcc ckpt: not implemented yet\n");
  return 2;
}
