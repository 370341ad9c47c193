/* target.c: the target table (target.h). Sources of the numbers: BLIS 0.9
 * config/<name>/bli_cntx_init_<name>.c (MR, NR, KC of the s datatype), the kernels'
 * GEMM_UKR_SETUP_CT(s, MR, NR, row_major) (C storage preference), the kernel objects of
 * Debian bookworm's libblis.a (`nm -A libblis.a | grep sgemm_`), and facts.md.
 * generic is BLIS's portable C reference kernel (4x16 panels, row-stored C, no SIMD
 * requirement): the fallback on any x86-64 CPU and the reference the optimised targets are
 * compared with.
 * x86_64 is mmcc's own: one library holding the skx, haswell and generic paths on mmcc's
 * micro-kernels (runtime/mmrt_ukr.h), which share the 32 x 12 panels of BLIS's skx kernel;
 * a --precision bf16 library also holds the skx-bf16 path (mmcc's vdpbf16ps kernel), the
 * others widening the one bf16 weight layout for their fp32 kernel.
 * Tests: tests/suites/multipath.sh checks x86_64 (each path natively and under qemu);
 * build.sh and codegen.sh build and check the default, skx and haswell natively;
 * armv8a is cross-built and run under qemu-aarch64 when the cross toolchain and
 * libblis-openmp-dev:arm64 are installed. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "target.h"
#include "util.h"

/* Code generation flags and CPU features of the x86-64 instruction sets, shared by the
 * single-path rows and the paths of x86_64. */
#define SKX_CFLAGS "-mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma"
#define SKX_FEATURES "avx512f avx512dq avx512bw avx512vl avx2 fma"
#define HSW_CFLAGS "-mavx2 -mfma"
#define HSW_FEATURES "avx2 fma"
/* L2 per core assumed by mmrt_gemm_core's blocking (it uses half): 2 MiB, Emerald Rapids'
 * (bench/results). It changes no result: every C tile sums its k blocks in one order. */
#define L2_SERVER (2L * 1024 * 1024)

/* x86_64: every x86-64 CPU, by CPUID at the first call (runtime/mmrt_ukr.h: one panel
 * layout, the weights stored once, the forward compiled once per path).
 * KC 768 (BLIS's skx row has 384): mmcc's kernel keeps its accumulators over a whole k
 * block and prefetches the next weight block meanwhile, so a longer block means fewer
 * C-tile reloads and fewer stalls at block starts. Measured on AMD EPYC (Zen 5 class), 1
 * thread, CPU 0, bench/prof alternating builds: ViT-B p32@224 54.7-55.5 -> 52.2-53.4 ms,
 * p16@224 191-195 -> 185-187, p16@384 619-621 -> 591-593, p32 bf16 (widening) 70-71 -> 66-67;
 * 1536 was no better than 768 at p16 (bench/results/NOTES.md). */
/* The bf16 library's paths, best first like the others: skx-bf16 (mmcc's vdpbf16ps kernel,
 * skx's fp32 kernel for the rest) comes after skx (widening) because skx was faster where
 * measured: ViT-B/16 @224 batch 1, 1 thread, process CPU time per image, x86_64 bf16
 * library, paths forced alternately (bench/ab --precision bf16), Intel Xeon family 6 model
 * 207 (Emerald Rapids class: one vdpbf16ps per 2 cycles): skx 323 ms, skx-bf16 496 ms.
 * So it is taken only when forced (MMRT_PATH=skx-bf16); move it first for CPUs where
 * vdpbf16ps runs at the FMA's rate (not measured here). */
static const target_path x86_64_paths[] = {
  {"skx", SKX_CFLAGS, SKX_FEATURES, NULL, 0},
  {"skx-bf16", SKX_CFLAGS " -mavx512bf16", SKX_FEATURES " avx512bf16", "skx", 1},
  {"haswell", HSW_CFLAGS, HSW_FEATURES, NULL, 0},
  {"generic", "", "", NULL, 0},
};

/* ORDER TARGETS: the first row fitting the host is the default. */
static const target targets[] = {
  /* name     triplet                 cc       prefix
   * kernel                           member object
   * MR  NR  KC   col  cflags        cpu features   machine   L2   paths */
  {"x86_64", "x86_64-linux-gnu", "cc", "",
   "mmrt_ukr", NULL,
   32, 12, 768, 1, "", "", "x86_64", L2_SERVER,
   x86_64_paths, (int)(sizeof x86_64_paths / sizeof *x86_64_paths), 0},
  {"skx", "x86_64-linux-gnu", "cc", "",
   "bli_sgemm_skx_asm_32x12_l2", "bli_sgemm_skx_asm_32x12_l2.o",
   32, 12, 384, 1, SKX_CFLAGS, SKX_FEATURES, "x86_64", L2_SERVER, NULL, 0, 0},
  /* skx's fp32 parts plus mmcc's own bf16 kernel on vdpbf16ps (runtime/mmrt_bf16.h; BLIS
   * 0.9 has none): Cooper Lake, Sapphire Rapids and later, AMD Zen 4/5. Never the fp32
   * default; the default of --precision bf16 where the CPU has it. */
  {"skx-bf16", "x86_64-linux-gnu", "cc", "",
   "bli_sgemm_skx_asm_32x12_l2", "bli_sgemm_skx_asm_32x12_l2.o",
   32, 12, 384, 1, SKX_CFLAGS " -mavx512bf16", SKX_FEATURES " avx512bf16", "x86_64", L2_SERVER,
   NULL, 0, 1},
  {"haswell", "x86_64-linux-gnu", "cc", "",
   "bli_sgemm_haswell_asm_6x16", "bli_gemm_haswell_asm_d6x8.o",
   6, 16, 256, 0, HSW_CFLAGS, HSW_FEATURES, "x86_64", L2_SERVER, NULL, 0, 0},
  {"generic", "x86_64-linux-gnu", "cc", "",
   "bli_sgemm_generic_ref", "bli_gemm_generic_ref.o",
   4, 16, 256, 0, "", "", "x86_64", L2_SERVER, NULL, 0, 0},
  {"armv8a", "aarch64-linux-gnu", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-",
   "bli_sgemm_armv8a_asm_8x12", "bli_gemm_armv8a_asm_d6x8.o",
   8, 12, 640, 1, "", "", "aarch64", L2_SERVER, NULL, 0, 0},
};

int target_count(void) { return (int)(sizeof targets / sizeof *targets); }

const target *target_at(int i) { return i >= 0 && i < target_count() ? &targets[i] : NULL; }

const target *target_find(const char *name) {
  for (int i = 0; i < target_count(); i++)
    if (!strcmp(targets[i].name, name)) return &targets[i];
  return NULL;
}

static int host_supports(const char *features) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const char *p = features;
  while (*p) {
    while (*p == ' ') p++;
    size_t n = strcspn(p, " ");
    char f[32];
    if (n == 0) break;
    if (n >= sizeof f) return 0;
    memcpy(f, p, n);
    f[n] = 0;
    int ok = !strcmp(f, "avx2")       ? __builtin_cpu_supports("avx2")
             : !strcmp(f, "fma")      ? __builtin_cpu_supports("fma")
             : !strcmp(f, "avx512f")  ? __builtin_cpu_supports("avx512f")
             : !strcmp(f, "avx512dq") ? __builtin_cpu_supports("avx512dq")
             : !strcmp(f, "avx512bw") ? __builtin_cpu_supports("avx512bw")
             : !strcmp(f, "avx512vl") ? __builtin_cpu_supports("avx512vl")
             : !strcmp(f, "avx512bf16") ? __builtin_cpu_supports("avx512bf16")
                                      : 0;
    if (!ok) return 0;
    p += n;
  }
  return 1;
#else
  return features[0] == 0;
#endif
}

const target *target_default(void) {
  struct utsname u;
  if (uname(&u) != 0) return NULL;
  for (int i = 0; i < target_count(); i++)
    if (!strcmp(targets[i].machine, u.machine) && host_supports(targets[i].cpu_features))
      return &targets[i];
  return NULL;
}

int target_path_in(const target_path *q, int bf16) { return bf16 || !q->bf16_dp; }

const char *target_path_ident(const target_path *q, char *buf, int n) {
  snprintf(buf, (size_t)n, "%s", q->name);
  for (char *c = buf; *c; c++)
    if (*c == '-') *c = '_';
  return buf;
}

char *target_blis_archive(const target *t) {
  return xasprintf("/usr/lib/%s/blis-openmp/libblis.a", t->triplet);
}
