/* mmrt_tr8.h: the 8 x 8 float transpose of the AVX2 code and the 16 x 16 one of the AVX-512
 * code, in one place for the runtime's packings (mmrt_gemm.h: mmrt_tr12) and the
 * micro-kernels' panel writes (mmrt_ukr_haswell.c, mmrt_ukr_skx.c). Those files are
 * compiled with function target attributes, not flags, hence the attributes here; any
 * caller with the instruction set enabled inlines them. */
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

/* The 16 x 16 transpose of rows r[0..15] in place (r[c] becomes column c), by unpacks and
 * 128-bit shuffles. */
__attribute__((target("avx512f"), always_inline)) static inline void mmrt_tr16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#pragma GCC unroll 16
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  /* r[4q + j] holds, in 128-bit lane l, rows 4q..4q+3 of column 4l + j */
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);      /* lanes 0,2 of each */
    t[4 + j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xdd);  /* lanes 1,3 */
    t[8 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    t[12 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xdd);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);        /* column j */
    r[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88); /* column 4 + j */
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xdd);      /* column 8 + j */
    r[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xdd); /* column 12 + j */
  }
}

/* After mmrt_tr16 of 12 rows (and four more, any): r[c] holds column c's 12 values in lanes
 * 0..11. The 16 columns as 192 contiguous floats (column c at 12 c), in 12 full vectors,
 * each from two neighbouring columns by one two-source permute: o[3g + q] for columns
 * 4g..4g+3. Stored as 12 vectors, not 16 masked 12-float rows (about half of which straddle
 * two cache lines): a product writing activation panels 193-201 -> 210-212 GFLOP/s on AMD
 * Zen 5 (bench/ukr.sh gemm 400 3072 768 panels; bench/results/NOTES.md). */
__attribute__((target("avx512f"), always_inline)) static inline void
mmrt_tr16_join12(const __m512 r[16], __m512 o[12]) {
  const __m512i j0 = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19);
  const __m512i j1 = _mm512_setr_epi32(4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23);
  const __m512i j2 =
      _mm512_setr_epi32(8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
#pragma GCC unroll 4
  for (int g = 0; g < 4; g++) {
    o[3 * g] = _mm512_permutex2var_ps(r[4 * g], j0, r[4 * g + 1]);
    o[3 * g + 1] = _mm512_permutex2var_ps(r[4 * g + 1], j1, r[4 * g + 2]);
    o[3 * g + 2] = _mm512_permutex2var_ps(r[4 * g + 2], j2, r[4 * g + 3]);
  }
}

/* The joined columns stored at d[0..191] (+= what is there when accumulate). */
__attribute__((target("avx512f"), always_inline)) static inline void
mmrt_tr16_put12(float *d, const __m512 r[16], int accumulate) {
  __m512 o[12];
  mmrt_tr16_join12(r, o);
#pragma GCC unroll 12
  for (int q = 0; q < 12; q++) {
    if (accumulate) o[q] = _mm512_add_ps(_mm512_loadu_ps(d + 16 * q), o[q]);
    _mm512_storeu_ps(d + 16 * q, o[q]);
  }
}
#endif

#endif
