/* mmrt_tile_asm.h: the k-steps of the AVX-512 12-token x 32-feature tile (mmrt_ukr_skx's and
 * mmrt_conv.h's direct tile) as assembly text for GCC inline assembly, in the one place both
 * read it. Why assembly: GCC 12 keeps 24 accumulators, two weight vectors and the broadcasts
 * in AVX-512's 32 registers only in the simplest loop; in the tiles' loops (prefetches, a
 * second pointer walk) it spilled 2-3 accumulators per 4 k-steps and added register copies
 * (bench/results/NOTES.md, twenty-ninth session).
 *
 * Registers: the accumulator of token t, features 0-15, in zmm<t>; features 16-31 in
 * zmm<12 + t>; the k-step's weights in zmm24 / zmm25; the broadcasts rotate over zmm26-31.
 * Each accumulator gets one FMA per k-step, in order of k, as the C tiles do: the same
 * bytes. The operand named w is the weight pointer (32 floats per k-step, 64-byte aligned);
 * ADDR(s, t) is the address text of token t's input at k-step s (0-3) of a block of four.
 * The accumulators travel through memory (acc: 12 x 32 floats, 64-byte aligned, token-major)
 * at the start and end of a tile's assembly, never inside its loop (24 vector operands
 * would pass GCC's limit of 30). Every operand the assembly writes is early-clobber
 * ("+&r", "=&r"): without it GCC gave the loop count and the input holding the same value
 * (mmrt_ukr_skx: iters = kc / 4) one register, and the L2 prefetches ran ahead of their
 * block (a 48-token product 10-20% slower). Labels 6-9 are the macros' own. */
#ifndef MMRT_TILE_ASM_H
#define MMRT_TILE_ASM_H

/* token t's input broadcast into zmm<r>, times both weight vectors into its accumulators */
#define MMRT_TA_BF(ADDR, s, t, hi, r)                                                    \
  "vbroadcastss " ADDR(s, t) ", %%zmm" #r "\n\t"                                         \
  "vfmadd231ps %%zmm24, %%zmm" #r ", %%zmm" #t "\n\t"                                    \
  "vfmadd231ps %%zmm25, %%zmm" #r ", %%zmm" #hi "\n\t"

/* k-step s of a block of four: the weights at w + s * 128 bytes, then the 12 tokens; among
 * them the prefetches of that k-step's weights MMRT_TILE_PF_AHEAD k-steps on into L1 (2
 * lines; operand pw: that distance in bytes) and the text P (more prefetches), spread among
 * the FMAs as GCC scheduled the C loop's (a burst at the loop's top was not measured apart
 * from the early-clobber fault below). */
#define MMRT_TA_STEP(ADDR, s, P)                                                          \
  "vmovaps " #s "*128(%[w]), %%zmm24\n\t"                                                \
  "vmovaps " #s "*128+64(%[w]), %%zmm25\n\t"                                             \
  MMRT_TA_BF(ADDR, s, 0, 12, 26) MMRT_TA_BF(ADDR, s, 1, 13, 27)                          \
  MMRT_TA_BF(ADDR, s, 2, 14, 28)                                                         \
  "prefetcht0 %c[pw]+" #s "*128(%[w])\n\t"                                               \
  MMRT_TA_BF(ADDR, s, 3, 15, 29)                                                         \
  MMRT_TA_BF(ADDR, s, 4, 16, 30) MMRT_TA_BF(ADDR, s, 5, 17, 31)                          \
  P                                                                                      \
  MMRT_TA_BF(ADDR, s, 6, 18, 26) MMRT_TA_BF(ADDR, s, 7, 19, 27)                          \
  MMRT_TA_BF(ADDR, s, 8, 20, 28)                                                         \
  "prefetcht0 %c[pw]+" #s "*128+64(%[w])\n\t"                                            \
  MMRT_TA_BF(ADDR, s, 9, 21, 29)                                                         \
  MMRT_TA_BF(ADDR, s, 10, 22, 30) MMRT_TA_BF(ADDR, s, 11, 23, 31)

/* the caller's next weight block into L2, spread evenly over the loop's iterations (pfl
 * lines in all, counted in units of 1 / iterations): due += per; while (due >= iters)
 * { prefetch pf; pf += 64; due -= iters; } Local labels 7 and 8. */
#define MMRT_TA_PREFETCH_L2                                                               \
  "add %[per], %[due]\n\t"                                                               \
  "7:\n\t"                                                                               \
  "cmp %[iters], %[due]\n\t"                                                             \
  "jl 8f\n\t"                                                                            \
  "prefetcht1 (%[pf])\n\t"                                                               \
  "add $64, %[pf]\n\t"                                                                   \
  "sub %[iters], %[due]\n\t"                                                             \
  "jmp 7b\n\t"                                                                           \
  "8:\n\t"

/* accumulators: zeroed (load 0) or loaded from acc, and stored to acc */
#define MMRT_TA_START                                                                     \
  "test %[load], %[load]\n\t"                                                            \
  "jnz 9f\n\t"                                                                           \
  "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"                                                    \
  ".irp r,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23\n\t"              \
  "vmovaps %%zmm0, %%zmm\\r\n\t"                                                         \
  ".endr\n\t"                                                                            \
  "jmp 6f\n\t"                                                                           \
  "9:\n\t"                                                                               \
  ".irp t,0,1,2,3,4,5,6,7,8,9,10,11\n\t"                                                 \
  "vmovaps \\t*128(%[acc]), %%zmm\\t\n\t"                                                \
  ".endr\n\t"                                                                            \
  ".irp t,12,13,14,15,16,17,18,19,20,21,22,23\n\t"                                       \
  "vmovaps (\\t-12)*128+64(%[acc]), %%zmm\\t\n\t"                                        \
  ".endr\n\t"                                                                            \
  "6:\n\t"
#define MMRT_TA_END                                                                       \
  ".irp t,0,1,2,3,4,5,6,7,8,9,10,11\n\t"                                                 \
  "vmovaps %%zmm\\t, \\t*128(%[acc])\n\t"                                                \
  ".endr\n\t"                                                                            \
  ".irp t,12,13,14,15,16,17,18,19,20,21,22,23\n\t"                                       \
  "vmovaps %%zmm\\t, (\\t-12)*128+64(%[acc])\n\t"                                        \
  ".endr\n\t"

/* what every tile's assembly clobbers */
#define MMRT_TA_CLOBBERS                                                                  \
  "cc", "memory", "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8",    \
      "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17",       \
      "zmm18", "zmm19", "zmm20", "zmm21", "zmm22", "zmm23", "zmm24", "zmm25", "zmm26",      \
      "zmm27", "zmm28", "zmm29", "zmm30", "zmm31"

#endif
