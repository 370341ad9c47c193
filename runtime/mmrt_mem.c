/* mmrt_mem.c: the embedded weights moved onto private anonymous pages at the first call.
 *
 * Why: the blob is part of the program's file, so its pages are the page cache's, which on
 * current Linux (6.x, ext4 and others) are large folios: physically contiguous runs of up
 * to 2 MB. ONNX Runtime and every loader read their weights into heap pages instead. On the
 * development VM (AMD EPYC, Zen 5 class; bench/results/NOTES.md, seventeenth session) two
 * threads streaming weights from contiguous memory ran slower, by an amount that changed
 * with where the memory landed: a harness of a ViT-B layer's products on 2 threads, weights
 * in one huge-page buffer, 135 GFLOP/s per core in one run and 200 in the next, on 4 KB heap
 * pages 193-213 every time; CLIP ViT-B/16 at batch 8 on 2 threads 822-910 ms from the file,
 * 780-824 once moved (alternating runs; one thread was not affected). The move keeps the
 * bytes and the addresses (the generated code's pointers stay valid), so it cannot change a
 * result.
 *
 * How: for each chunk of whole pages inside the blob, map anonymous pages (no huge pages),
 * copy the chunk, and mremap them over it; the file's pages of that chunk leave the process
 * as its copy arrives, so the peak RSS grows by one chunk at most. Pages at the blob's ends
 * that it shares with other data stay where they are. Linux only; elsewhere, or when a call
 * fails, the rest stays mapped from the file (still correct, as before). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* mremap, MREMAP_FIXED, MADV_NOHUGEPAGE */
#endif
#include <stdint.h>
#include <string.h>

#include "mmrt.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>

/* bytes per move: the peak RSS grows by this much while the blob moves */
#define MMRT_MOVE_CHUNK (2u << 20)

size_t mmrt_weights_to_anon(const void *blob, size_t bytes) {
  const long pg = sysconf(_SC_PAGESIZE);
  if (pg <= 0 || !blob) return 0;
  const uintptr_t a = ((uintptr_t)blob + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
  const uintptr_t e = ((uintptr_t)blob + bytes) & ~((uintptr_t)pg - 1);
  size_t moved = 0;
  for (uintptr_t p = a; p < e; p += MMRT_MOVE_CHUNK) {
    const size_t n = e - p < MMRT_MOVE_CHUNK ? e - p : MMRT_MOVE_CHUNK;
    void *t = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED) break;
#ifdef MADV_NOHUGEPAGE
    (void)madvise(t, n, MADV_NOHUGEPAGE); /* 4 KB pages: scattered, as a heap's */
#endif
#ifdef MADV_POPULATE_WRITE
    /* populated in one call (Linux 5.14; older: the copy faults them in): on the VM above a
     * third less time than a fault per page (1.7 instead of 2.8 ms per MB) */
    (void)madvise(t, n, MADV_POPULATE_WRITE);
#endif
    memcpy(t, (const void *)p, n);
    if (mprotect(t, n, PROT_READ) != 0 ||
        mremap(t, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)p) == MAP_FAILED) {
      munmap(t, n);
      break;
    }
    moved += n;
  }
  return moved;
}
#else
size_t mmrt_weights_to_anon(const void *blob, size_t bytes) {
  (void)blob;
  (void)bytes;
  return 0;
}
#endif
