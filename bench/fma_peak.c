/* fma_peak.c: the CPU's single-precision FMA peak, the yardstick of the benchmark.
 * Each thread runs a loop of independent fused multiply-adds on ACC registers (enough to
 * cover FMA latency x FMA pipes: 4 cycles x 2 pipes = 8 on current x86 cores; 12 leaves
 * margin) and nothing else. Built by bench/run per target:
 *   skx:     cc -O2 -mavx512f -DWIDTH=512   (zmm, 16 floats)
 *   haswell: cc -O2 -mavx2 -mfma -DWIDTH=256 (ymm, 8 floats)
 *
 *   fma_peak THREADS   prints "gflops G" (peak_main.h) */
#define _GNU_SOURCE
#include <pthread.h>

#if WIDTH == 512
#define R "zmm"
#define LANES 16
#elif WIDTH == 256
#define R "ymm"
#define LANES 8
#else
#error "define WIDTH as 512 or 256"
#endif

#define ACC 12
#define ITERS 20000000L
#define F(i) "vfmadd231ps %%" R "12, %%" R "13, %%" R #i "\n\t"

/* ITERS x ACC independent FMAs (acc_i += 1e-7 * 1e-3: no overflow, no denormals), in
 * assembly so that the compiler can neither fold nor spill the accumulators. */
static void *loop(void *arg) {
  static const float m = 1e-3f, c = 1e-7f;
  long n = ITERS;
  (void)arg;
  __asm__ volatile(
      "vbroadcastss %1, %%" R "12\n\t"
      "vbroadcastss %2, %%" R "13\n\t"
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
      : "m"(m), "m"(c)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "cc");
  return NULL;
}

#define FLOPS_PER_LOOP ((double)ITERS * ACC * LANES * 2)
#include "peak_main.h"
