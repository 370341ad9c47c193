/* math_check.c: the exact-erf GELU of runtime/mmrt_math.h against an independent reference
 * (float64 erfc from libm), and its 16-lane AVX-512 form (mmrt_gelu16, used by the bias + GELU
 * epilogue of runtime/mmrt_ops.h) against the scalar one, bit for bit; LayerNorm's row
 * statistics against float64, and the LayerNorm packing (whose full panels take a vector
 * path on AVX-512) against the per-element formula, bit for bit; mmrt_expf16 against
 * mmrt_expf bit for bit, and the softmax packing (attention's P) against float64 and, bit for
 * bit, against its scalar algorithm. Prints the suite's
 * ok / FAIL lines (tests/suites/math.sh) and exits 1 after a FAIL; compiled once per path's flags.
 *   math_check NAME MAX_ULP MAX_ULP_ABOVE_M5 [STEP]
 * Accuracy: over every STEP-th float in [-20, 20], ulp of the float-rounded reference where
 * x >= MMRT_GELU_UF and |ref| >= FLT_MIN; elsewhere (where mmrt_gelu returns 0 on purpose, or
 * the result is below FLT_MIN) the absolute error must stay below 2 FLT_MIN (measured: 2.2e-38,
 * bench/results/NOTES.md). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MMRT_UKR_OWN 1
#define MMRT_L2_BYTES (2L * 1024 * 1024)
#define MMRT_MR 32
#define MMRT_NR 12
#define MMRT_KC 384
#define MMRT_COL_PREF 1
#define MMRT_UKR mmrt_ukr_generic
#include "mmrt_ops.h"
#include "mmrt_ukr.h"

#define MMRT_STR_(x) #x
#define MMRT_STR(x) MMRT_STR_(x)

static double ulp_of(double r) {
  float f = (float)fabs(r);
  if (f < FLT_MIN) return ldexp(1.0, -149);
  int e;
  frexpf(f, &e);
  return ldexp(1.0, e - 24);
}

static float from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static int same(float a, float b) { /* bitwise, any NaN equal to any NaN */
  return (a != a && b != b) || memcmp(&a, &b, 4) == 0;
}

/* VEC (LANES floats from in to out) == SCALAR bit for bit (any NaN equal to any NaN) on bit
 * patterns 0, s, 2s, ... < 2^32 */
typedef void vec_fn(const float *in, float *out);
static MMRT_MAYBE_UNUSED int sweep(const char *name, const char *what, int lanes, vec_fn *vec,
                                   float (*scalar)(float), uint64_t s) {
  uint64_t bad = 0, tested = 0;
  float in[16] __attribute__((aligned(64))), out[16] __attribute__((aligned(64)));
  uint32_t first = 0;
  for (uint64_t i = 0; i < (1ull << 32); i += (uint64_t)lanes * s) {
    for (int l = 0; l < lanes; l++) in[l] = from_bits((uint32_t)(i + (uint64_t)l * s));
    vec(in, out);
    for (int l = 0; l < lanes; l++, tested++)
      if (!same(out[l], scalar(in[l])) && bad++ == 0) memcpy(&first, &in[l], 4);
  }
  if (!bad)
    printf("ok %s_bitwise_%s (%llu bit patterns: identical to the scalar function)\n", what, name,
           (unsigned long long)tested);
  else
    printf("FAIL %s_bitwise_%s: %llu of %llu differ, first at bits 0x%08x\n", what, name,
           (unsigned long long)bad, (unsigned long long)tested, first);
  return bad != 0;
}

#if defined(__AVX512F__) && defined(__FMA__)
static void gelu16(const float *in, float *out) {
  _mm512_store_ps(out, mmrt_gelu16(_mm512_load_ps(in)));
}
static void expf16(const float *in, float *out) {
  _mm512_store_ps(out, mmrt_expf16(_mm512_load_ps(in)));
}
#elif defined(__AVX2__) && defined(__FMA__)
static void gelu8(const float *in, float *out) {
  _mm256_store_ps(out, mmrt_gelu8(_mm256_load_ps(in)));
}
static void expf8(const float *in, float *out) {
  _mm256_store_ps(out, mmrt_expf8(_mm256_load_ps(in)));
}
#endif

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  const char *name = argv[1];
  const double max_ulp = atof(argv[2]), max_ulp_m5 = atof(argv[3]);
  const uint32_t step = argc > 4 ? (uint32_t)atoi(argv[4]) : 1001;
  int failed = 0;

  /* accuracy against float64 x Phi(x) = x erfc(-x / sqrt 2) / 2 */
  double worst = 0, worst_m5 = 0, worst_abs_flush = 0;
  float at = 0;
  uint32_t top;
  const float twenty = 20.0f;
  memcpy(&top, &twenty, 4);
  for (uint64_t i = 0; i < 2ull * top; i += step) { /* |x| <= 20 by bit pattern, both signs */
    const float x = from_bits(i < top ? (uint32_t)i : (uint32_t)(i - top) | 0x80000000u);
    const double ref = (double)x * 0.5 * erfc(-(double)x / sqrt(2.0));
    const float g = mmrt_gelu(x);
    if (x < MMRT_GELU_UF || fabs(ref) < FLT_MIN) {
      worst_abs_flush = fmax(worst_abs_flush, fabs((double)g - ref));
      continue;
    }
    const double u = fabs((double)g - ref) / ulp_of(ref);
    if (u > worst) worst = u, at = x;
    if (x >= -5.0f && u > worst_m5) worst_m5 = u;
  }
  if (worst <= max_ulp && worst_m5 <= max_ulp_m5 && worst_abs_flush < 2 * FLT_MIN)
    printf("ok gelu_accuracy_%s (max %.2f ulp at x = %.9g, %.2f ulp for x >= -5; flushed region abs error %.2g)\n",
           name, worst, at, worst_m5, worst_abs_flush);
  else
    failed = 1, printf("FAIL gelu_accuracy_%s: max %.2f ulp at x = %.9g (limit %g), %.2f for x >= -5 (limit %g), flushed region abs error %.2g (limit 2 FLT_MIN)\n",
           name, worst, at, max_ulp, worst_m5, max_ulp_m5, worst_abs_flush);

#if defined(__AVX512F__) && defined(__FMA__)
  /* the 16-lane forms against the scalar functions, every (step / 8 + 1)-th bit pattern */
  failed |= sweep(name, "gelu16", 16, gelu16, mmrt_gelu, step / 8 + 1);
  failed |= sweep(name, "expf16", 16, expf16, mmrt_expf, step / 8 + 1);
#elif defined(__AVX2__) && defined(__FMA__)
  failed |= sweep(name, "gelu8", 8, gelu8, mmrt_gelu, step / 8 + 1);
  failed |= sweep(name, "expf8", 8, expf8, mmrt_expf, step / 8 + 1);
#endif

  /* the epilogue on tiles written into activation panels (ts 1, ns 12): every element
   * gelu(c + bias[n]) exactly, for full and partial feature counts */
  {
    static float c[32 * 12] __attribute__((aligned(64))), c0[32 * 12], bias[32 + 16];
    srand(7);
    for (int i = 0; i < 32 + 16; i++) bias[i] = (float)rand() / RAND_MAX * 4.0f - 2.0f;
    int bad = 0, tiles = 0;
    for (int nn = 1; nn <= 32; nn++)
      for (int rep = 0; rep < 20; rep++, tiles++) {
        for (int i = 0; i < 32 * 12; i++)
          c0[i] = c[i] = ((float)rand() / RAND_MAX - 0.7f) * (rep < 10 ? 8.0f : 40.0f);
        const int n0 = rep % 8; /* bias offset: the tile's first feature */
        const int mt = rep % 4 == 3 ? 1 + rep % 11 : 12; /* some short last panels */
        mmrt_epi_bias_gelu(bias, c, 1, 12, 0, mt, n0, nn);
        for (int f = 0; f < 32; f++)
          for (int t = 0; t < 12; t++) {
            const float want = f < nn && t < mt ? mmrt_gelu(c0[f * 12 + t] + bias[n0 + f])
                                                : c0[f * 12 + t];
            if (!same(c[f * 12 + t], want)) bad++;
          }
      }
    if (!bad)
      printf("ok epi_bias_gelu_%s (%d tiles of 1..32 features, 12 or 1..11 tokens: gelu(c + bias) bit for bit, nothing past the tile)\n", name, tiles);
    else
      failed = 1, printf("FAIL epi_bias_gelu_%s: %d elements differ from gelu(c + bias[n])\n", name, bad);
  }

  /* LayerNorm: row statistics against float64 (mean within 1e-6 of the rows' spread, rstd
   * within 1e-5 relative), and mmrt_pack_layernorm against (x - mean) rstd g + b per
   * element with those statistics, every panel row and padding included */
  {
    const int T = 197, Ks[3] = {776, 768, 64};
    int bad = 0;
    double worst_m = 0, worst_r = 0;
    for (int ki = 0; ki < 3; ki++) {
      const int K = Ks[ki], ps = MMRT_PANEL_FLOATS(K, 12), np = MMRT_PANELS(T, 12);
      float *x = malloc((size_t)T * K * 4), *g = malloc((size_t)K * 4), *b = malloc((size_t)K * 4);
      float *d = aligned_alloc(64, (size_t)np * ps * 4);
      for (int i = 0; i < T * K; i++) x[i] = ((float)rand() / RAND_MAX - 0.3f) * (1 + i % 7);
      for (int k = 0; k < K; k++) g[k] = 0.5f + (float)rand() / RAND_MAX, b[k] = (float)rand() / RAND_MAX - 0.5f;
      for (size_t i = 0; i < (size_t)np * ps; i++) d[i] = NAN;
      mmrt_pack_layernorm(d, x, K, T, K, g, b, 1e-5f, 0, np);
      for (int t = 0; t < np * 12; t++) {
        float mean = 0, rstd = 0;
        if (t < T) {
          double m = 0, v = 0;
          for (int k = 0; k < K; k++) m += x[(size_t)t * K + k];
          m /= K;
          for (int k = 0; k < K; k++) v += (x[(size_t)t * K + k] - m) * (x[(size_t)t * K + k] - m);
          mmrt_row_stats(x + (size_t)t * K, K, 1e-5f, &mean, &rstd);
          worst_m = fmax(worst_m, fabs(mean - m) / sqrt(v / K));
          worst_r = fmax(worst_r, fabs(rstd * sqrt(v / K + 1e-5) - 1));
        }
        for (int k = 0; k <= K; k++) {
          const float want = t < T && k < K ? (x[(size_t)t * K + k] - mean) * rstd * g[k] + b[k] : 0.0f;
          if (!same(d[(size_t)(t / 12) * ps + k * 12 + t % 12], want)) bad++;
        }
      }
      free(x), free(g), free(b), free(d);
    }
    if (!bad && worst_m < 1e-6 && worst_r < 1e-5)
      printf("ok layernorm_%s (197 rows of 776, 768, 64: packed bit for bit as (x - mean) rstd g + b, padding 0; mean within %.2g of the spread, rstd within %.2g relative of float64)\n",
             name, worst_m, worst_r);
    else
      failed = 1, printf("FAIL layernorm_%s: %d packed elements differ; mean error %.2g of the spread (limit 1e-6), rstd %.2g relative (limit 1e-5)\n",
                         name, bad, worst_m, worst_r);
  }

  /* mmrt_pack_rows into panels of 12 and 32 rows (register transposes: 12 rows on AVX-512 and
   * AVX2, 32 on AVX-512): every element where the layout puts it, padding 0 */
  {
    int bad = 0;
    const int rows = 197, Ks[2] = {776, 64}, Rs[2] = {12, 32};
    for (int ki = 0; ki < 2; ki++)
      for (int ri = 0; ri < 2; ri++) {
        const int K = Ks[ki], R = Rs[ri], ld = K + 5, ps = MMRT_PANEL_FLOATS(K, R), np = MMRT_PANELS(rows, R);
        float *x = malloc((size_t)rows * ld * 4), *d = aligned_alloc(64, (size_t)np * ps * 4);
        for (int i = 0; i < rows * ld; i++) x[i] = (float)i;
        for (size_t i = 0; i < (size_t)np * ps; i++) d[i] = NAN;
        mmrt_pack_rows(d, x, ld, rows, K, R, 0, np);
        for (int t = 0; t < np * R; t++)
          for (int k = 0; k <= K; k++)
            if (!same(d[(size_t)(t / R) * ps + k * R + t % R], t < rows && k < K ? x[(size_t)t * ld + k] : 0.0f)) bad++;
        free(x), free(d);
      }
    if (!bad)
      printf("ok pack_rows_%s (197 rows of 776 and 64 into panels of 12 and 32: every element in place, padding 0)\n", name);
    else
      failed = 1, printf("FAIL pack_rows_%s: %d elements misplaced\n", name, bad);
  }

  /* mmrt_op_patches (a ViT's im2col into activation panels): every element where the layout
   * puts it, against the definition, for patches inside the image (the register transpose)
   * and past its edge (padding='corner', zero pixels), extra token rows and rows past the
   * last image zero, the panel's spare k-step zero */
  {
    int bad = 0, cases = 0;
    const int Ps[3] = {16, 14, 8}, Hs[3] = {64, 70, 36}, Ws[3] = {48, 70, 41};
    for (int ci = 0; ci < 3; ci++)
      for (int extra = 0; extra <= 2; extra += 2, cases++) {
        const int C = 3, P = Ps[ci], H = Hs[ci], W = Ws[ci], n = 2, R = MMRT_XR;
        const int gw = (W + P - 1) / P, gh = (H + P - 1) / P, T = extra + gh * gw, K = C * P * P;
        const int ps = MMRT_PANEL_FLOATS(K, R), np = MMRT_PANELS(n * T, R);
        float *img = malloc((size_t)n * C * H * W * 4), *d = aligned_alloc(64, (size_t)np * ps * 4);
        for (int i = 0; i < n * C * H * W; i++) img[i] = (float)i + 0.5f;
        for (size_t i = 0; i < (size_t)np * ps; i++) d[i] = NAN;
        mmrt_op_patches(d, img, n, C, H, W, P, gw, gh * gw, extra, 0, 1);
        for (int row = 0; row < np * R; row++) {
          const int b = row / T, i = row % T - extra, gy = i / gw, gx = i % gw;
          for (int k = 0; k < ps / R + 1; k++) {
            const size_t at = (size_t)(row / R) * ps + (size_t)k * R + row % R;
            if (at >= (size_t)(row / R + 1) * ps) break;
            const int c = k / (P * P), y = gy * P + k / P % P, x = gx * P + k % P;
            const float want = k < K && b < n && i >= 0 && y < H && x < W
                                   ? img[(((size_t)b * C + c) * H + y) * W + x] : 0.0f;
            if (!same(d[at], want)) bad++;
          }
        }
        free(img), free(d);
      }
    if (!bad)
      printf("ok patches_%s (%d cases: patches 16, 14, 8 inside and past the image edge, 0 or 2 token rows, 2 images: every element in place, padding 0)\n", name, cases);
    else
      failed = 1, printf("FAIL patches_%s: %d elements misplaced\n", name, bad);
  }

  /* mmrt_split_by_weights on ResNet-50's shapes (pixels M, Cin -> Cout, 1x1): how each is
   * shared decides which lines a thread stores over another core's copies, not the bytes */
  {
    static const struct { int M, cin, cout, nt, want; const char *what; } c[] = {
        {3136, 256, 64, 2, 0, "stage 1 1x1 (activations read once)"},
        {196, 1024, 256, 2, 0, "stage 3 conv1 on 2 threads"},
        {196, 256, 1024, 2, 0, "stage 3 conv3 on 2 threads (its stores)"},
        {196, 256, 1024, 1, 1, "stage 3 conv3 on 1 thread (no other core)"},
        {196, 512, 1024, 2, 1, "stage 3 downsample (2 MB of weights)"},
        {49, 512, 2048, 2, 1, "stage 4 conv3"},
        {20, 64, 256, 2, 1, "2 activation panels on 2 threads"},
        {3136, 64, 32, 2, 0, "1 weight panel on 2 threads"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
      const int got = mmrt_split_by_weights((double)c[i].cout * c[i].cin,
                                            (double)c[i].M * c[i].cin,
                                            (double)c[i].M * c[i].cout,
                                            MMRT_PANELS(c[i].cout, 32), MMRT_PANELS(c[i].M, 12),
                                            c[i].nt);
      if (got != c[i].want)
        bad++, printf("# split: %s: %s, want %s\n", c[i].what, got ? "weights" : "activations",
                      c[i].want ? "weights" : "activations");
    }
    if (!bad)
      printf("ok split_%s (%d ResNet-50 shapes shared by weights or activations as intended)\n",
             name, (int)(sizeof c / sizeof *c));
    else
      failed = 1, printf("FAIL split_%s: %d shapes shared the other way\n", name, bad);
  }

  /* softmax into activation panels (attention's P): against float64, and
   * bit for bit the scalar algorithm (max, mmrt_expf(x - max), 1 / mmrt_sum, product) on
   * every row, for rows in full 12-row panels (a vector path on AVX-512) and the rest */
  {
    const int ns[5] = {197, 50, 577, 32, 5}, rows = 53; /* tails of 5, 18, 1, 0 and 5 columns */
    int bad = 0;
    double worst = 0;
    for (int ni = 0; ni < 5; ni++) {
      const int n = ns[ni], lds = n + 3, ps = MMRT_PANEL_FLOATS(n, 12), np = MMRT_PANELS(rows, 12);
      float *x = malloc((size_t)rows * lds * 4), *x0 = malloc((size_t)rows * lds * 4);
      float *d = aligned_alloc(64, (size_t)np * ps * 4), *e = malloc((size_t)n * 4);
      for (int i = 0; i < rows * lds; i++) x0[i] = x[i] = ((float)rand() / RAND_MAX - 0.5f) * (ni == 2 ? 60 : 8);
      for (size_t i = 0; i < (size_t)np * ps; i++) d[i] = NAN;
      mmrt_softmax_pack(d, x, lds, rows, n);
      for (int r = 0; r < np * 12; r++) {
        const float *row = x0 + (size_t)r * lds;
        float m = 0, inv = 0;
        double dm = 0, ds = 0;
        if (r < rows) {
          m = row[0];
          for (int k = 1; k < n; k++) m = row[k] > m ? row[k] : m;
          for (int k = 0; k < n; k++) e[k] = mmrt_expf(row[k] - m);
          inv = 1.0f / mmrt_sum(e, n);
          dm = row[0];
          for (int k = 1; k < n; k++) dm = fmax(dm, row[k]);
          for (int k = 0; k < n; k++) ds += exp(row[k] - dm);
        }
        for (int k = 0; k <= n; k++) {
          const float got = d[(size_t)(r / 12) * ps + k * 12 + r % 12];
          const float want = r < rows && k < n ? e[k] * inv : 0.0f;
          if (!same(got, want)) bad++;
          if (r < rows && k < n) {
            /* relative to the reference, over what float inputs allow: x - max is itself
             * rounded to float (|x - max| 2^-24 relative in the exp), plus 1e-6 */
            const double ref = exp(row[k] - dm) / ds;
            const double tol = 1e-6 + fabs(row[k] - dm) * ldexp(1.0, -24);
            worst = fmax(worst, fabs(got - ref) / fmax(ref, 1e-30) / tol);
          }
        }
      }
      free(x), free(x0), free(d), free(e);
    }
    if (!bad && worst <= 1)
      printf("ok softmax_%s (53 rows of 197, 50, 577, 32, 5: bit for bit the scalar algorithm, padding 0; relative error against float64 at most %.2f of 1e-6 + |x - max| 2^-24)\n", name, worst);
    else
      failed = 1, printf("FAIL softmax_%s: %d elements differ from the scalar algorithm; relative error against float64 %.2f of 1e-6 + |x - max| 2^-24 (limit 1)\n", name, bad, worst);
  }
#if defined(__AVX2__) && defined(__FMA__)
#if defined(__AVX512F__)
#define UKR mmrt_ukr_skx
#else
#define UKR mmrt_ukr_haswell
#endif
#define UKR_NAME MMRT_STR(UKR)
#define UKR_FEW_(u) u##_few
#define UKR_FEW_OF(u) UKR_FEW_(u)
#define UKR_FEW UKR_FEW_OF(UKR)
  /* the path's micro-kernel, mmrt_ukr_skx or mmrt_ukr_haswell (runtime/mmrt_ukr.h's
   * contract; skx writes a full panel tile through a register transpose), against a scalar
   * fmaf chain per element in k order, bit for bit: every nn <= 32, mt <= 12, K in {1, 7, 64,
   * 385}, C row-major (ts 32, ns 1) and as activation panels (ts 1, ns 12), with and without
   * accumulate; nothing outside the tile written */
  {
    static float w[385 * 32] __attribute__((aligned(64))), x[385 * 12] __attribute__((aligned(64)));
    static float c[400], c0[400];
    const int Ks[4] = {1, 7, 64, 385};
    int bad = 0, tiles = 0;
    srand(11);
    for (int ki = 0; ki < 4; ki++)
      for (int nn = 1; nn <= 32; nn++)
        for (int mt = 1; mt <= 12; mt++)
          for (int lay = 0; lay < 4; lay++, tiles++) { /* layout and accumulate */
            const int K = Ks[ki], acc = lay / 2; /* layouts 0, 1: overwrite; 2, 3: accumulate */
            const long ts = lay % 2 ? 1 : 32, ns = lay % 2 ? 12 : 1;
            for (int k = 0; k < K; k++) {
              for (int n = 0; n < 32; n++)
                w[k * 32 + n] = n < nn ? (float)rand() / RAND_MAX - 0.5f : 0.0f;
              for (int t = 0; t < 12; t++)
                x[k * 12 + t] = t < mt ? (float)rand() / RAND_MAX - 0.5f : 0.0f;
            }
            for (int i = 0; i < 400; i++) c0[i] = c[i] = (float)rand() / RAND_MAX;
            UKR(nn, mt, K, w, x, acc, c, ts, ns, NULL, 0);
            for (int i = 0; i < 400; i++) {
              const int t = lay % 2 ? i % 12 : i / 32, n = lay % 2 ? i / 12 : i % 32;
              float want = c0[i];
              if (i < 384 && t < mt && n < nn) {
                float sum = 0.0f;
                for (int k = 0; k < K; k++) sum = fmaf(x[k * 12 + t], w[k * 32 + n], sum);
                want = acc ? c0[i] + sum : sum;
              }
              if (!same(c[i], want)) bad++;
            }
          }
    if (!bad)
      printf("ok ukr_bitwise_%s (%d tiles: %s equals an fmaf chain in k order, row-major and panel C, nothing outside the tile written)\n", name, tiles, UKR_NAME);
    else
      failed = 1, printf("FAIL ukr_bitwise_%s: %d elements differ from the fmaf chain or were written outside the tile\n", name, bad);
  }
  /* the few-token form mmrt_ukr_<path>_few (np weight panels at once: a batch-1 head)
   * against np calls of the plain kernel, bit for bit: mt <= MMRT_UKR_FEW_MT, every nnl of
   * the last panel, K in {1, 7, 64, 385}, with and without accumulate; C row-major with a
   * gap after each row that must stay as it was */
  {
    enum { NPMAX = 4, LDC = NPMAX * 32 + 5 };
    static float w[NPMAX][385 * 32] __attribute__((aligned(64)));
    static float x[385 * 12] __attribute__((aligned(64)));
    static float c[MMRT_UKR_FEW_MT * LDC], c0[MMRT_UKR_FEW_MT * LDC], cw[MMRT_UKR_FEW_MT * LDC];
    const int Ks[4] = {1, 7, 64, 385};
    int bad = 0, tiles = 0;
    srand(12);
    for (int ki = 0; ki < 4; ki++)
      for (int mt = 1; mt <= MMRT_UKR_FEW_MT; mt++)
        for (int nnl = 1; nnl <= 32; nnl++)
          for (int acc = 0; acc < 2; acc++, tiles++) {
            const int K = Ks[ki], np = MMRT_UKR_FEW_PANELS(mt);
            if (np > NPMAX) { bad++; continue; }
            for (int q = 0; q < np; q++)
              for (int k = 0; k < K; k++)
                for (int n = 0; n < 32; n++)
                  w[q][k * 32 + n] = q < np - 1 || n < nnl ? (float)rand() / RAND_MAX - 0.5f : 0.0f;
            for (int k = 0; k < K; k++)
              for (int t = 0; t < 12; t++) x[k * 12 + t] = t < mt ? (float)rand() / RAND_MAX - 0.5f : 0.0f;
            for (int i = 0; i < MMRT_UKR_FEW_MT * LDC; i++) c0[i] = c[i] = cw[i] = (float)rand() / RAND_MAX;
            UKR_FEW(nnl, mt, K, w[0], (long)(w[1] - w[0]), x, acc, c, LDC);
            for (int q = 0; q < np; q++)
              UKR(q < np - 1 ? 32 : nnl, mt, K, w[q], x, acc, cw + q * 32, LDC, 1, NULL, 0);
            for (int i = 0; i < MMRT_UKR_FEW_MT * LDC; i++)
              if (!same(c[i], cw[i])) bad++;
            for (int i = 0; i < MMRT_UKR_FEW_MT * LDC; i++) /* the plain calls' own writes */
              if ((i / LDC >= mt || i % LDC >= (np - 1) * 32 + nnl) && !same(cw[i], c0[i])) bad++;
          }
    if (!bad)
      printf("ok ukr_few_bitwise_%s (%d tiles: %s_few equals its panels' calls of %s, nothing else written)\n", name, tiles, UKR_NAME, UKR_NAME);
    else
      failed = 1, printf("FAIL ukr_few_bitwise_%s: %d elements differ from the plain kernel's calls or were written outside the tiles\n", name, bad);
  }
#endif
  return failed;
}
