/* bf16_peak.c: the CPU's bf16 dot-product peak (AVX512_BF16 vdpbf16ps), the yardstick of a
 * --precision bf16 library, as fma_peak.c is of an fp32 one. Each thread runs a loop of
 * independent vdpbf16ps on ACC zmm accumulators and nothing else; one instruction is 16 lanes
 * x 2 multiply-adds = 64 flops. Built by bench/run: cc -O2 -mavx512f -mavx512bf16.
 *
 *   bf16_peak THREADS   prints "gflops G" (peak_main.h) */
#define _GNU_SOURCE
#include <pthread.h>

#define ACC 12
#define ITERS 20000000L
#define F(i) "vdpbf16ps %%zmm12, %%zmm13, %%zmm" #i "\n\t"

/* ITERS x ACC independent vdpbf16ps (acc_i += 2 x 2^-10 x 2^-10), in assembly so that the
 * compiler can neither fold nor spill the accumulators. */
static void *loop(void *arg) {
  static const unsigned pair = 0x3a803a80u; /* two bf16 2^-10 */
  long n = ITERS;
  (void)arg;
  __asm__ volatile(
      "vpbroadcastd %1, %%zmm12\n\t"
      "vpbroadcastd %1, %%zmm13\n\t"
      "vxorps %%ymm0, %%ymm0, %%ymm0\n\tvmovaps %%ymm0, %%ymm1\n\tvmovaps %%ymm0, %%ymm2\n\t"
      "vmovaps %%ymm0, %%ymm3\n\tvmovaps %%ymm0, %%ymm4\n\tvmovaps %%ymm0, %%ymm5\n\t"
      "vmovaps %%ymm0, %%ymm6\n\tvmovaps %%ymm0, %%ymm7\n\tvmovaps %%ymm0, %%ymm8\n\t"
      "vmovaps %%ymm0, %%ymm9\n\tvmovaps %%ymm0, %%ymm10\n\tvmovaps %%ymm0, %%ymm11\n\t"
      "1:\n\t"
      F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)
      "dec %0\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : "+r"(n)
      : "m"(pair)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "cc");
  return NULL;
}

#define FLOPS_PER_LOOP ((double)ITERS * ACC * 16 * 2 * 2) /* 16 lanes x 2 multiply-adds */
#include "peak_main.h"
