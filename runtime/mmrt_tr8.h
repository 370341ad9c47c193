/* mmrt_tr8.h: the 8 x 8 float transpose of the AVX2 code, in one place for the runtime's
 * packings (mmrt_gemm.h: mmrt_tr12) and the haswell micro-kernel's panel writes
 * (mmrt_ukr_haswell.c). That file is compiled with function target attributes, not flags,
 * hence the attribute here; any caller with AVX2 enabled inlines it. */
#ifndef MMRT_TR8_H
#define MMRT_TR8_H

#if defined(__x86_64__)
#include <immintrin.h>

/* The unpack and shuffle steps of the transpose of rows r[0..7]: for j < 4, u[j] holds rows
 * 0..3 of column j in its low 128-bit lane and rows 0..3 of column j + 4 in its high lane,
 * u[4 + j] the same for rows 4..7. Column j whole is _mm256_permute2f128_ps(u[j], u[4 + j],
 * 0x20), column j + 4 the same with 0x31. */
__attribute__((target("avx2"), always_inline)) static inline void
mmrt_tr8_lanes(const __m256 r[8], __m256 u[8]) {
  __m256 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int q = 0; q < 8; q += 4) {
    u[q] = _mm256_shuffle_ps(t[q], t[q + 2], 0x44);
    u[q + 1] = _mm256_shuffle_ps(t[q], t[q + 2], 0xee);
    u[q + 2] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0x44);
    u[q + 3] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0xee);
  }
}
#endif

#endif
