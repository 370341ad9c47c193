/* mmrt_panel.h: the packed panel layout, in the one place both sides read it: the generated
 * code and the runtime (through mmrt_gemm.h) and mmcc, which packs the weights and plans the
 * workspace with the same macros (compiler/ir.c includes this file).
 *
 * ORDER PANEL LAYOUT: a matrix of N rows and K columns is stored as panels of R rows; panel
 * j holds rows j*R .. j*R+R-1, element (k, r) at panel[k*R + r]; rows past the end are zero;
 * a panel occupies MMRT_PANEL_FLOATS(K, R) floats = (K + 1) * R rounded up to 16 floats
 * (64 bytes): one spare k-step, because the assembly kernels read one k-step past the end
 * of a panel, and every panel starts 64-byte aligned. Plain macros, no includes. */
#ifndef MMRT_PANEL_H
#define MMRT_PANEL_H

#define MMRT_PANEL_FLOATS(K, R) ((((K) + 1) * (R) + 15) / 16 * 16)
#define MMRT_PANELS(N, R) (((N) + (R) - 1) / (R))
#define MMRT_PACKED_FLOATS(N, K, R) ((size_t)MMRT_PANELS(N, R) * MMRT_PANEL_FLOATS(K, R))
/* Panel rows of the activations (XR) and of the weights (WR, output features) for a kernel
 * of MR x NR that prefers column-stored C (COL_PREF 1: C^T = W X^T, weights as operand A). */
#define MMRT_XR_OF(MR, NR, COL_PREF) ((COL_PREF) ? (NR) : (MR))
#define MMRT_WR_OF(MR, NR, COL_PREF) ((COL_PREF) ? (MR) : (NR))
/* The panels of mmcc's own micro-kernels (runtime/mmrt_ukr.h), shared by all their code
 * paths: weights in panels of 32 output features, activations in panels of 12 tokens (as a
 * column-preferring 32 x 12 kernel: MR 32, NR 12, COL_PREF 1 in the target table). */
#define MMRT_OWN_WR 32
#define MMRT_OWN_XR 12
/* Token accumulators of the AVX-512 tiles (mmrt_ukr_skx, mmrt_conv.h's direct tile) for a
 * tile of MT <= 12 tokens: 12, 8 or 4, so that a short last panel costs what it needs. */
#define MMRT_TILE_NT(MT) ((MT) > 8 ? 12 : (MT) > 4 ? 8 : 4)
/* How far ahead of the k-step being computed the AVX-512 tiles bring their weights into L1,
 * in k-steps of a 32-feature panel (128 bytes each): 4 KB. 8 k-steps (1 KB) before; AMD
 * EPYC Zen 5, alternating builds (bench/results/NOTES.md, eighteenth session): the direct
 * tile on weights from memory, a 1x1 stride-2 14 x 14 x 1024 -> 2048 153-165 -> 161-173
 * GFLOP/s, a 3x3 at 7 x 7 x 512 170 -> 174-178, ResNet-50 on 1 thread -0.4 to -1.8 ms in 7
 * of 8 pairs; then mmrt_ukr_skx on 1 thread faster in 8 of 10 pairs for ViT-B/32, 9 of 10
 * for ResNet-50, 6 of 10 for ViT-B/16. */
#define MMRT_TILE_PF_AHEAD 32
/* MMRT_PREFETCH_W(p): p's line into this core's cache for writing (exclusive), issued by
 * the AVX-512 tiles for their C tile as they start, so that the tile's stores at the end
 * do not wait for the other cores' copies to be invalidated: with 2 threads every
 * activation buffer is read by both cores between two writes. AMD EPYC Zen 5 (2-core KVM;
 * bench/xcore.c, bench/results/NOTES.md nineteenth session): 154 KB stored over lines the
 * other core has just read took 23-27 us (6-7 GB/s), over lines of its own 0.8-1.2 us.
 * x86-64 PREFETCHW (every AVX-512 CPU has it) written out, since the paths' flags lack
 * -mprfchw and GCC then makes __builtin_prefetch(p, 1) a plain prefetcht0; elsewhere the
 * compiler's write prefetch. */
#if defined(__x86_64__) && defined(__GNUC__)
#define MMRT_PREFETCH_W(p) __asm__ volatile("prefetchw %0" : : "m"(*(const char *)(p)))
#else
#define MMRT_PREFETCH_W(p) __builtin_prefetch((p), 1, 3)
#endif

#endif
