/* pth_zip.c: zip container of torch.save (see pth_zip.h). Format: PKWARE APPNOTE.TXT 6.3,
 * sections 4.3.6 (local header), 4.3.12 (central directory), 4.3.14-16 (ZIP64 end records),
 * 4.5.3 (ZIP64 extra field). torch writes it through miniz (caffe2/serialize/inline_container.cc):
 * method 0 (stored), an extra field of 'Z' padding so that data starts on a 64-byte boundary,
 * and always a ZIP64 end record + locator. Only what such files use is accepted. */
#include "pth_zip.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum {
  SIG_LOCAL = 0x04034b50,
  SIG_CENTRAL = 0x02014b50,
  SIG_EOCD = 0x06054b50,
  SIG_EOCD64 = 0x06064b50,
  SIG_LOCATOR64 = 0x07064b50,
  LOCAL_SIZE = 30,
  CENTRAL_SIZE = 46,
  EOCD_SIZE = 22,
  EOCD64_SIZE = 56,
  LOCATOR64_SIZE = 20,
  MAX_ENTRIES = 1 << 22
};

/* {====================================================================== bounded reads */

/* The only way this file touches the mapping: N bytes at OFF, or NULL after a "truncated"
 * diagnostic naming WHAT (as lundump.c's loadBlock). */
static const uint8_t *load_block(const pth_zip *z, uint64_t off, uint64_t n, const char *what) {
  if (off > z->size || n > z->size - off) {
    diag_error(z->path, 0, 0,
               "truncated zip archive: %s at offset %llu needs %llu bytes, the file has %llu",
               what, (unsigned long long)off, (unsigned long long)n,
               (unsigned long long)z->size);
    return NULL;
  }
  return z->base + off;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* }====================================================================== */

/* {====================================================================== end records */

typedef struct { uint64_t count, cd_offset, cd_size; } cdir_info;

/* The end-of-central-directory record is the last 22 bytes plus a comment (at most 64 KiB);
 * a candidate counts only when its comment length reaches exactly the end of the file. */
static int find_eocd(const pth_zip *z, uint64_t *at) {
  uint64_t lo = z->size > EOCD_SIZE + 0xffff ? z->size - EOCD_SIZE - 0xffff : 0;
  const uint8_t *tail = load_block(z, lo, z->size - lo, "end of the archive");
  if (tail && z->size - lo >= EOCD_SIZE) {
    for (uint64_t i = z->size - lo - EOCD_SIZE + 1; i-- > 0;) {
      const uint8_t *p = tail + i;  /* i + 22 <= size - lo: inside the block */
      if (rd32(p) == SIG_EOCD && lo + i + EOCD_SIZE + rd16(p + 20) == z->size) {
        *at = lo + i;
        return 0;
      }
    }
  }
  diag_error(z->path, 0, 0,
             "truncated or damaged zip archive: no end-of-central-directory record in the "
             "last %llu bytes",
             (unsigned long long)(z->size - lo));
  return -1;
}

static int read_end_records(const pth_zip *z, cdir_info *ci) {
  uint64_t eocd;
  const uint8_t *p, *l;
  if (find_eocd(z, &eocd) < 0 || !(p = load_block(z, eocd, EOCD_SIZE, "end record")))
    return -1;
  if (rd16(p + 4) != 0 && rd16(p + 4) != 0xffff) {
    diag_error(z->path, 0, 0, "multi-disk zip archives are not supported (offset %llu)",
               (unsigned long long)eocd);
    return -1;
  }
  ci->count = rd16(p + 10);
  ci->cd_size = rd32(p + 12);
  ci->cd_offset = rd32(p + 16);
  if (eocd >= LOCATOR64_SIZE &&
      rd32(l = load_block(z, eocd - LOCATOR64_SIZE, LOCATOR64_SIZE, "ZIP64 locator")) ==
          SIG_LOCATOR64) {
    uint64_t loc = eocd - LOCATOR64_SIZE, e64off = rd64(l + 8);
    const uint8_t *e;
    if (!(e = load_block(z, e64off, EOCD64_SIZE, "ZIP64 end-of-central-directory record")))
      return -1;
    if (rd32(e) != SIG_EOCD64) {
      diag_error(z->path, 0, 0,
                 "damaged zip archive: bad ZIP64 end-of-central-directory signature at offset "
                 "%llu (locator at %llu)",
                 (unsigned long long)e64off, (unsigned long long)loc);
      return -1;
    }
    ci->count = rd64(e + 32);
    ci->cd_size = rd64(e + 40);
    ci->cd_offset = rd64(e + 48);
  } else if (ci->count == 0xffff || ci->cd_size == 0xffffffffu ||
             ci->cd_offset == 0xffffffffu) {
    diag_error(z->path, 0, 0,
               "damaged zip archive: end record at offset %llu needs a ZIP64 locator, none found",
               (unsigned long long)eocd);
    return -1;
  }
  if (ci->count > MAX_ENTRIES || ci->count > ci->cd_size / CENTRAL_SIZE) {
    diag_error(z->path, 0, 0,
               "damaged zip archive: %llu entries cannot fit a central directory of %llu bytes "
               "(or exceed the limit of %d)",
               (unsigned long long)ci->count, (unsigned long long)ci->cd_size, MAX_ENTRIES);
    return -1;
  }
  return 0;
}

/* }====================================================================== */

/* {====================================================================== central directory */

/* ZIP64 extended information (header id 1): the 64-bit values present are those whose 32-bit
 * field is 0xffffffff, in the order usize, csize, local header offset. */
static int read_zip64_extra(const pth_zip *z, const uint8_t *x, uint16_t xlen, uint64_t xoff,
                            uint64_t *usize, uint64_t *csize, uint64_t *lho, const char *name) {
  uint64_t *want[3] = {usize, csize, lho};
  size_t i = 0;
  while (i + 4 <= xlen) {
    uint16_t id = rd16(x + i), len = rd16(x + i + 2);
    if (i + 4 + len > xlen) break;
    if (id == 1) {
      size_t k = i + 4;
      for (int f = 0; f < 3; f++) {
        if (*want[f] != 0xffffffffu) continue;
        if (k + 8 > i + 4 + len) {
          diag_error(z->path, 0, 0, "entry '%s': ZIP64 extra field at offset %llu too short",
                     name, (unsigned long long)(xoff + i));
          return -1;
        }
        *want[f] = rd64(x + k);
        k += 8;
      }
      return 0;
    }
    i += 4 + (size_t)len;
  }
  if (*usize == 0xffffffffu || *csize == 0xffffffffu || *lho == 0xffffffffu) {
    diag_error(z->path, 0, 0, "entry '%s': 32-bit field needs a ZIP64 extra field, none found",
               name);
    return -1;
  }
  return 0;
}

static int read_entry(pth_zip *z, uint64_t *pos, uint64_t cd_end, pth_zip_entry *e) {
  const uint8_t *p, *nm, *x, *lh;
  uint16_t flags, method, nlen, xlen, clen;
  uint64_t csize, usize, lho, data;
  if (*pos > cd_end || cd_end - *pos < CENTRAL_SIZE) {
    diag_error(z->path, 0, 0,
               "damaged zip archive: central directory ends at offset %llu before its last entry",
               (unsigned long long)cd_end);
    return -1;
  }
  if (!(p = load_block(z, *pos, CENTRAL_SIZE, "central directory entry"))) return -1;
  if (rd32(p) != SIG_CENTRAL) {
    diag_error(z->path, 0, 0,
               "damaged zip archive: bad central directory signature at offset %llu",
               (unsigned long long)*pos);
    return -1;
  }
  flags = rd16(p + 8);
  method = rd16(p + 10);
  e->crc = rd32(p + 16);
  csize = rd32(p + 20);
  usize = rd32(p + 24);
  nlen = rd16(p + 28);
  xlen = rd16(p + 30);
  clen = rd16(p + 32);
  lho = rd32(p + 42);
  if (!(nm = load_block(z, *pos + CENTRAL_SIZE, nlen, "central directory entry name")) ||
      !(x = load_block(z, *pos + CENTRAL_SIZE + nlen, xlen, "central directory extra field")))
    return -1;
  e->name = xstrndup((const char *)nm, nlen);
  if (nlen == 0 || memchr(nm, 0, nlen)) {
    diag_error(z->path, 0, 0, "damaged zip archive: bad entry name at offset %llu",
               (unsigned long long)(*pos + CENTRAL_SIZE));
    return -1;
  }
  if (read_zip64_extra(z, x, xlen, *pos + CENTRAL_SIZE + nlen, &usize, &csize, &lho, e->name) < 0)
    return -1;
  if (flags & 1) {
    diag_error(z->path, 0, 0, "entry '%s' is encrypted", e->name);
    return -1;
  }
  if (method != 0 || csize != usize) {
    diag_error(z->path, 0, 0,
               "entry '%s' is compressed (method %u); torch.save stores entries uncompressed "
               "and mmcc reads only those",
               e->name, method);
    return -1;
  }
  *pos += (uint64_t)CENTRAL_SIZE + nlen + xlen + clen;
  /* the data follows the local header, whose name and extra lengths may differ */
  if (!(lh = load_block(z, lho, LOCAL_SIZE, "local file header"))) return -1;
  if (rd32(lh) != SIG_LOCAL) {
    diag_error(z->path, 0, 0, "entry '%s': bad local header signature at offset %llu",
               e->name, (unsigned long long)lho);
    return -1;
  }
  data = lho + LOCAL_SIZE + rd16(lh + 26) + rd16(lh + 28);
  if (!load_block(z, data, usize, e->name)) return -1;
  e->offset = data;
  e->size = usize;
  return 0;
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const pth_zip_entry *)a)->name, ((const pth_zip_entry *)b)->name);
}

int pth_zip_open(pth_zip *z, const char *path, const uint8_t *base, uint64_t size) {
  cdir_info ci;
  uint64_t pos, cd_end;
  const char *slash;
  memset(z, 0, sizeof *z);
  z->path = path;
  z->base = base;
  z->size = size;
  if (read_end_records(z, &ci) < 0) return -1;
  if (!load_block(z, ci.cd_offset, ci.cd_size, "central directory")) return -1;
  if (ci.count == 0) {
    diag_error(path, 0, 0, "zip archive has no entries");
    return -1;
  }
  z->entries = xcalloc(ci.count, sizeof *z->entries);
  pos = ci.cd_offset;
  cd_end = ci.cd_offset + ci.cd_size;
  for (z->n = 0; z->n < ci.count; z->n++)
    if (read_entry(z, &pos, cd_end, &z->entries[z->n]) < 0) {
      z->n++;  /* free the name read so far */
      goto fail;
    }
  /* the archive's top directory is the first entry's (not always "archive") */
  slash = strchr(z->entries[0].name, '/');
  if (!slash) {
    diag_error(path, 0, 0,
               "first zip entry '%s' is not inside a directory: not a torch.save archive",
               z->entries[0].name);
    goto fail;
  }
  z->prefix = xstrndup(z->entries[0].name, (size_t)(slash - z->entries[0].name));
  qsort(z->entries, z->n, sizeof *z->entries, cmp_entry);
  return 0;
fail:
  pth_zip_free(z);
  return -1;
}

void pth_zip_free(pth_zip *z) {
  for (size_t i = 0; i < z->n; i++) free(z->entries[i].name);
  free(z->entries);
  free(z->prefix);
  memset(z, 0, sizeof *z);
}

const pth_zip_entry *pth_zip_find(const pth_zip *z, const char *rel) {
  pth_zip_entry key;
  const pth_zip_entry *e;
  key.name = xasprintf("%s/%s", z->prefix, rel);
  e = z->n ? bsearch(&key, z->entries, z->n, sizeof *z->entries, cmp_entry) : NULL;
  free(key.name);
  return e;
}

/* }====================================================================== */

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320), bytewise. */
int pth_zip_check_crc(const pth_zip *z, const pth_zip_entry *e) {
  uint32_t table[256], crc = 0xffffffffu;
  const uint8_t *p = load_block(z, e->offset, e->size, e->name);
  if (!p) return -1;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  for (uint64_t i = 0; i < e->size; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  crc ^= 0xffffffffu;
  if (crc != e->crc) {
    diag_error(z->path, 0, 0,
               "entry '%s' is damaged: CRC-32 %08x, the central directory says %08x",
               e->name, crc, e->crc);
    return -1;
  }
  return 0;
}
