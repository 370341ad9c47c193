/* mmrt_wino_tab.h: the Winograd transforms F(m x m, 3 x 3) of a 3x3 stride-1 convolution
 * (Lavin & Gray 2016), in the one place both sides read them: mmcc transforms the weights
 * with G at compile time (compiler/gen_pack.c, in double), the runtime the input tiles with
 * B^T and the products with A^T (runtime/mmrt_wino.h). An output tile of m x m pixels needs
 * an input tile of A x A = (m + 2) x (m + 2); per tile and channel pair the A * A products
 * replace 9 m^2 multiply-adds:
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A       (g: 3x3 kernel, d: A x A input tile)
 * m = 2 (A = 4, 16 products for 36) and m = 4 (A = 6, 36 for 144). Rows of each matrix as
 * initialisers; plain macros, no includes. */
#ifndef MMRT_WINO_TAB_H
#define MMRT_WINO_TAB_H

#define MMRT_WINO_ALPHA(m) ((m) + 2)

/* F(2x2, 3x3) */
#define MMRT_WINO_BT2 {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
#define MMRT_WINO_G2 {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
#define MMRT_WINO_AT2 {{1, 1, 1, 0}, {0, 1, -1, -1}}

/* F(4x4, 3x3) */
#define MMRT_WINO_BT4                                                                  \
  {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0}, \
   {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}}
#define MMRT_WINO_G4                                                                     \
  {{1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},     \
   {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}}
#define MMRT_WINO_AT4                                                                   \
  {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}}

#endif
