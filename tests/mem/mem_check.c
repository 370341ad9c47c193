/* tests/mem/mem_check.c: runtime/mmrt_mem.c's mmrt_weights_to_anon on a file mapping.
 *   mem_check DIR THREADS   moves on THREADS threads; prints one ok/FAIL line per check
 *   (tests/suites/mem.sh):
 *     (each name ends in _t<THREADS>)
 *     move_bytes    it returns the bytes of the whole pages inside the range, no more
 *     move_same     every byte of the mapping reads as before (inside and at the edges)
 *     move_anon     /proc/self/smaps: the moved pages are anonymous, the edge pages are not
 *     move_none     a NULL blob, a range inside one page, 0 bytes: nothing moved, no crash */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmrt.h"
#include "smaps.h"

static int fails;
static int threads;
static void check(int good, const char *name, const char *why) {
  if (good) printf("ok %s_t%d\n", name, threads);
  else printf("FAIL %s_t%d: %s\n", name, threads, why), fails++;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  threads = atoi(argv[2]);
  const size_t pg = (size_t)sysconf(_SC_PAGESIZE), size = 5 * (2u << 20) + 3 * pg + 123;
  char path[4096];
  snprintf(path, sizeof path, "%s/mem_check.bin", argv[1]);
  unsigned char *ref = malloc(size);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (!ref || fd < 0) return 2;
  srand(5);
  for (size_t i = 0; i < size; i++) ref[i] = (unsigned char)rand();
  if (write(fd, ref, size) != (ssize_t)size) return 2;
  unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return 2;
  /* a blob that starts and ends inside pages, as an embedded one does */
  const size_t off = pg + 100, bytes = size - off - pg - 50;
  const uintptr_t a = ((uintptr_t)m + off + pg - 1) / pg * pg, e = ((uintptr_t)m + off + bytes) / pg * pg;
  volatile unsigned char sink = 0;
  for (size_t i = 0; i < size; i += pg) sink ^= m[i]; /* the file's pages mapped first */
  const size_t moved = mmrt_weights_to_anon(m + off, bytes, threads);
  char why[256];
  snprintf(why, sizeof why, "moved %zu bytes, the whole pages inside are %zu", moved, (size_t)(e - a));
  check(moved == e - a, "move_bytes", why);
  check(memcmp(m, ref, size) == 0, "move_same", "the mapping's bytes changed");
  const long anon_in = smaps_anon_kb(a, e, 0), anon_lo = smaps_anon_kb((uintptr_t)m, a, 0),
             anon_hi = smaps_anon_kb(e, (uintptr_t)m + size, 0);
  snprintf(why, sizeof why, "Anonymous %ld kB of %ld inside, %ld / %ld kB in the edge mappings",
           anon_in, (long)((e - a) / 1024), anon_lo, anon_hi);
  check(anon_in == (long)((e - a) / 1024) && anon_lo == 0 && anon_hi == 0, "move_anon", why);
  unsigned char one[64];
  memcpy(one, m + pg / 2, sizeof one);
  const size_t none = mmrt_weights_to_anon(NULL, 100, threads) +
                      mmrt_weights_to_anon(m + 8, pg - 16, threads) +
                      mmrt_weights_to_anon(m + pg, 0, threads);
  check(none == 0 && !memcmp(one, m + pg / 2, sizeof one), "move_none", "something was moved");
  (void)sink;
  munmap(m, size);
  close(fd);
  unlink(path);
  free(ref);
  return fails ? 1 : 0;
}
