/* mmrt_ukr.h: the interface of mmcc's own fp32 gemm micro-kernels (one per code path), the
 * one place that documents it. All paths read the same panels (runtime/mmrt_panel.h):
 * weights in panels of MMRT_UKR_WR = 32 output features, activations in panels of
 * MMRT_UKR_XR = 12 tokens, so the weights of a multi-path library are stored once and the
 * generated forward is the same C for every path.
 *
 * mmrt_ukr_<path>(nn, mt, kc, w, x, accumulate, c, ts, ns, pf, pfl) computes one C tile of
 * mt <= 12 tokens and nn <= 32 output features:
 *   C[t][n] = (accumulate ? C[t][n] : 0) + sum_{k < kc} x[k*12 + t] * w[k*32 + n]
 * the sum taken in order of k (one rounding chain per element, FMA where the path has it),
 * element (t, n) of C at c[t*ts + n*ns]. w and x are 64-byte aligned panel pointers (at a
 * k offset); rows of a panel past nn / mt are read (they are zero) but never written.
 * Nothing is read past k-step kc - 1. pf, pfl: pfl 64-byte lines from pf (the caller's next
 * weight block; may be NULL with pfl 0) to bring into L2 during the call, a few per k-step
 * rather than all at its start: a burst of L2 prefetches that miss to memory holds the
 * line fill buffers that the kernel's own L1 misses need (measured in bench/results/NOTES.md).
 * A prefetch changes no result. A kernel's result depends only on its arguments, so
 * a product is bitwise identical for any thread count on one path; paths differ in their
 * rounding (FMA or not), so results are not identical across paths.
 *
 * The kernels are compiled with function target attributes (mmrt_ukr_<path>.c), so the
 * runtime is compiled with plain flags and a CPU check (mmrt_cpu_supports) must come first.
 * Paths: skx (AVX-512F), haswell (AVX2 + FMA, the 32-wide panel walked as two 16-wide
 * halves, 12 tokens as two 6-token halves), generic (portable C, any CPU). */
#ifndef MMRT_UKR_H
#define MMRT_UKR_H

#include "mmrt_panel.h"

#define MMRT_UKR_WR MMRT_OWN_WR
#define MMRT_UKR_XR MMRT_OWN_XR

typedef void mmrt_ukr_fn(int nn, int mt, int kc, const float *w, const float *x,
                         int accumulate, float *c, long ts, long ns, const char *pf,
                         int pfl);

/* mmrt_ukr_<path>_join(nn, mt, kc, w, x, xn, accumulate, c, ts, pf, pfl): the same for a
 * tile of mt = 13 or 14 tokens, 0..11 from the panel x and 12.. from xn (the next panel at
 * the same k offset: a short last panel's 1-2 tokens), C row-major (ns = 1). skx computes
 * them in one tile (a panel of 1-2 tokens alone runs its 4-token form, bound by the FMA
 * latency: ~40% of a full tile's time for a twelfth of the work); the others make the two
 * calls. The bytes are those of the two calls either way. */
typedef void mmrt_ukr_join_fn(int nn, int mt, int kc, const float *w, const float *x,
                              const float *xn, int accumulate, float *c, long ts,
                              const char *pf, int pfl);
/* the most tokens a joined tile takes from the next panel (mt <= MMRT_UKR_XR + this) */
#define MMRT_UKR_JOIN_MAX 2

/* a joined tile as the two calls it stands for (paths without a tile of their own) */
#define MMRT_UKR_JOIN_BY_TWO_CALLS(attr, name, ukr)                                       \
  attr void name(int nn, int mt, int kc, const float *w, const float *x, const float *xn, \
                 int accumulate, float *c, long ts, const char *pf, int pfl) {             \
    ukr(nn, MMRT_UKR_XR, kc, w, x, accumulate, c, ts, 1, pf, pfl);                         \
    ukr(nn, mt - MMRT_UKR_XR, kc, w, xn, accumulate, c + MMRT_UKR_XR * ts, ts, 1, 0, 0);   \
  }

/* mmrt_ukr_<path>_few(nnl, mt, kc, w, wps, x, accumulate, c, ts): the same as the np =
 * MMRT_UKR_FEW_PANELS(mt) calls mmrt_ukr_<path>(q < np - 1 ? 32 : nnl, mt, kc, w + q * wps,
 * x, accumulate, c + q * 32, ts, 1, NULL, 0) for mt <= MMRT_UKR_FEW_MT tokens, weight
 * panels wps floats apart (C row-major), their k loops interleaved: a product of
 * a few tokens (a batch-1 classifier head: ResNet-50's 2048 -> 1000, 8 MB) streams its
 * weights from memory with ~4 k-steps per 128 bytes, and one sequential stream, the
 * plain kernel's, drew ~19 GB/s where np interleaved streams drew 29-37 (AMD EPYC Zen 5
 * VM, one thread: bench/results/NOTES.md). No software prefetch: the hardware
 * prefetchers follow the np streams. */
typedef void mmrt_ukr_few_fn(int nnl, int mt, int kc, const float *w, long wps,
                             const float *x, int accumulate, float *c, long ts);
#define MMRT_UKR_FEW_MT 4
#define MMRT_UKR_FEW_PANELS(mt) ((mt) <= 3 ? 4 : 3) /* 24 accumulators at most */

/* the few-token tile as the calls it stands for (paths without one of their own) */
#define MMRT_UKR_FEW_BY_CALLS(attr, name, ukr)                                            \
  attr void name(int nnl, int mt, int kc, const float *w, long wps, const float *x,       \
                 int accumulate, float *c, long ts) {                                      \
    const int np = MMRT_UKR_FEW_PANELS(mt);                                                \
    for (int q = 0; q < np; q++)                                                           \
      ukr(q < np - 1 ? MMRT_UKR_WR : nnl, mt, kc, w + q * wps, x, accumulate,              \
          c + q * MMRT_UKR_WR, ts, 1, 0, 0);                                               \
  }

#if defined(__x86_64__)
mmrt_ukr_fn mmrt_ukr_skx, mmrt_ukr_haswell;
mmrt_ukr_join_fn mmrt_ukr_skx_join, mmrt_ukr_haswell_join;
mmrt_ukr_few_fn mmrt_ukr_skx_few, mmrt_ukr_haswell_few;
#endif
mmrt_ukr_fn mmrt_ukr_generic;
mmrt_ukr_join_fn mmrt_ukr_generic_join;
mmrt_ukr_few_fn mmrt_ukr_generic_few;

#endif
