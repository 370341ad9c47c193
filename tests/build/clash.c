/* clash.c: two mmcc libraries and BLIS itself in one program (tests/suites/build.sh): links
 * only if each library keeps its runtime and its copy of the BLIS kernel local. Takes the
 * address of the BLIS kernel so that the linker pulls the same member from libblis.a. */
#include <stdio.h>
#include <stdlib.h>

#include "tiny_a.h"
#include "tiny_b.h"

void bli_sgemm_haswell_asm_6x16(void);
void bli_sgemm_skx_asm_32x12_l2(void);
const char *bli_info_get_version_str(void);

int main(void) {
  void *ws_a = aligned_alloc(64, (TINY_A_WORKSPACE_BYTES + 63) / 64 * 64);
  void *ws_b = aligned_alloc(64, (TINY_B_WORKSPACE_BYTES + 63) / 64 * 64);
  float *in_a = calloc(3 * TINY_A_INPUT_HEIGHT * TINY_A_INPUT_WIDTH, sizeof(float));
  float *in_b = calloc(3 * TINY_B_INPUT_HEIGHT * TINY_B_INPUT_WIDTH, sizeof(float));
  float out_a[TINY_A_NUM_CLASSES], out_b[TINY_B_NUM_CLASSES];
  int ra = tiny_a_forward(in_a, 1, out_a, ws_a, 2), rb = tiny_b_forward(in_b, 1, out_b, ws_b, 1);
  printf("blis %s, kernels at %p %p; tiny_a %d %g, tiny_b %d %g\n", bli_info_get_version_str(),
         (void *)bli_sgemm_haswell_asm_6x16, (void *)bli_sgemm_skx_asm_32x12_l2, ra, out_a[0],
         rb, out_b[0]);
  return ra || rb;
}
