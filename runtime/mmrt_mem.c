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
 * Also on one thread, after the program idles: on the same VM (a Firecracker guest whose
 * kernel runs DAMON over physical memory, sampling every 500 ms), a 1-thread ResNet-50 call
 * that followed 400 ms of sleep took 91-158 ms instead of 32-35 while the weights were the
 * file's, its weight-streaming convolutions 5-10x slower, with no page fault; from private
 * pages 32-42 ms (bench/results/NOTES.md, thirty-second session). A product that classifies a
 * frame now and then is that case, and so was every benchmark round's first call.
 *
 * When: at the first call, by that call's threads at once (two move them in half the time).
 * It costs that call time: on that VM the first write to each new page took ~4.6 us (CLIP
 * ViT-B/16's 330 MB of weights: 0.9 s on one thread; ResNet-50's 118 MB: ~0.15 s).
 *
 * How: for each 2 MB chunk of whole pages inside the blob, map anonymous pages (no huge
 * pages), copy the chunk, and mremap them over it; the file's pages of that chunk leave the
 * process as its copy arrives, so the peak RSS grows by one chunk per thread at most. Pages
 * at the blob's ends that it shares with other data stay where they are. Linux only;
 * elsewhere, or when a call fails, the rest stays mapped from the file (still correct). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* mremap, MREMAP_FIXED, MADV_NOHUGEPAGE */
#endif
#include <stdint.h>
#include <string.h>

#include "mmrt.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>

/* bytes per move: the peak RSS grows by this much per moving thread while the blob moves */
#define MMRT_MOVE_CHUNK (2u << 20)

/* one mover: chunks i, i + n, i + 2n, ... of the pages [a, e) */
typedef struct mmrt_mover {
  uintptr_t a, e;
  int i, n;
  size_t moved;
} mmrt_mover;

static void move_chunks(mmrt_mover *m) {
  for (uintptr_t p = m->a + (uintptr_t)m->i * MMRT_MOVE_CHUNK; p < m->e;
       p += (uintptr_t)m->n * MMRT_MOVE_CHUNK) {
    const size_t n = m->e - p < MMRT_MOVE_CHUNK ? m->e - p : MMRT_MOVE_CHUNK;
    void *t = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED) return;
#ifdef MADV_NOHUGEPAGE
    (void)madvise(t, n, MADV_NOHUGEPAGE); /* 4 KB pages: scattered, as a heap's */
#endif
#ifdef MADV_POPULATE_WRITE
    (void)madvise(t, n, MADV_POPULATE_WRITE); /* one call (Linux 5.14; else the copy faults) */
#endif
    memcpy(t, (const void *)p, n);
    if (mprotect(t, n, PROT_READ) != 0 ||
        mremap(t, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)p) == MAP_FAILED) {
      munmap(t, n);
      return;
    }
    m->moved += n;
  }
}

static void *move_main(void *arg) {
  move_chunks(arg);
  return NULL;
}

size_t mmrt_weights_to_anon(const void *blob, size_t bytes, int threads) {
  const long pg = sysconf(_SC_PAGESIZE);
  if (pg <= 0 || !blob) return 0;
  const uintptr_t a = ((uintptr_t)blob + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
  const uintptr_t e = ((uintptr_t)blob + bytes) & ~((uintptr_t)pg - 1);
  if (e <= a) return 0;
  const uintptr_t chunks = (e - a + MMRT_MOVE_CHUNK - 1) / MMRT_MOVE_CHUNK;
  int n = threads < 1 ? 1 : threads > MMRT_MAX_THREADS ? MMRT_MAX_THREADS : threads;
  n = (uintptr_t)n < chunks ? n : (int)chunks;
  mmrt_mover m[MMRT_MAX_THREADS];
  pthread_t th[MMRT_MAX_THREADS];
  int started[MMRT_MAX_THREADS] = {0};
  for (int i = 0; i < n; i++) m[i] = (mmrt_mover){a, e, i, n, 0};
  for (int i = 1; i < n; i++) started[i] = pthread_create(&th[i], NULL, move_main, &m[i]) == 0;
  move_chunks(&m[0]);
  size_t moved = m[0].moved;
  for (int i = 1; i < n; i++) {
    if (started[i]) pthread_join(th[i], NULL);
    else move_chunks(&m[i]); /* no thread: the caller moves its chunks */
    moved += m[i].moved;
  }
  return moved;
}
#else
size_t mmrt_weights_to_anon(const void *blob, size_t bytes, int threads) {
  (void)blob;
  (void)bytes;
  (void)threads;
  return 0;
}
#endif
