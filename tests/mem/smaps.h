/* tests/mem/smaps.h: the Anonymous kB of this process's mappings around [a, e), from
 * /proc/self/smaps (its lines are per mapping; a move makes the moved pages mappings of their
 * own). INSIDE: only the mappings wholly inside [a, e), else every one that overlaps it.
 * -1 when smaps cannot be read. For tests/mem/mem_check.c and mem_lib.c. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static long smaps_anon_kb(uintptr_t a, uintptr_t e, int inside) {
  FILE *f = fopen("/proc/self/smaps", "r");
  char line[512];
  int in = 0;
  long anon = 0, kb;
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
      in = inside ? lo >= a && hi <= e : lo < e && hi > a;
    else if (in && sscanf(line, "Anonymous: %ld kB", &kb) == 1) anon += kb;
  }
  fclose(f);
  return anon;
}
