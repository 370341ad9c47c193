/* mmrt_cpu.c: does this CPU have the instructions the library's micro-kernel uses?
 * Compiled without the target's code-generation flags, so it runs anywhere. The feature
 * names are those of the target table (compiler/target.c). */
#include <string.h>

#include "mmrt.h"

static int has(const char *f, size_t n) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#define MMRT_FEATURE(name) \
  if (n == sizeof name - 1 && !memcmp(f, name, n)) return __builtin_cpu_supports(name) != 0;
  MMRT_FEATURE("sse4.2")
  MMRT_FEATURE("avx")
  MMRT_FEATURE("avx2")
  MMRT_FEATURE("fma")
  MMRT_FEATURE("avx512f")
  MMRT_FEATURE("avx512dq")
  MMRT_FEATURE("avx512bw")
  MMRT_FEATURE("avx512vl")
  MMRT_FEATURE("avx512bf16")
#undef MMRT_FEATURE
  return 0;
#elif defined(__aarch64__)
  /* Advanced SIMD is part of the armv8-a baseline. */
  return (n == 4 && !memcmp(f, "neon", 4)) || (n == 5 && !memcmp(f, "asimd", 5));
#else
  (void)f;
  (void)n;
  return 0;
#endif
}

int mmrt_cpu_supports(const char *features) {
  const char *p = features;
  while (*p) {
    while (*p == ' ') p++;
    size_t n = strcspn(p, " ");
    if (n && !has(p, n)) return 0;
    p += n;
  }
  return 1;
}
