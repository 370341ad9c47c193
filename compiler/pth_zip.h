/* pth_zip.h: the zip container torch.save writes (torch >= 1.6): stored entries, ZIP64
 * end records, data 64-byte aligned. Reads a mapping that the caller owns; entries point
 * into it. Every read of the mapping goes through one bounded primitive (load_block). */
#ifndef MMCC_PTH_ZIP_H
#define MMCC_PTH_ZIP_H

#include <stddef.h>
#include <stdint.h>

typedef struct pth_zip_entry {
  char *name;              /* full name as stored ("archive/data/0") */
  uint64_t offset;         /* of the entry's data in the file */
  uint64_t size;
  uint32_t crc;            /* from the central directory */
} pth_zip_entry;

typedef struct pth_zip {
  const char *path;        /* for diagnostics */
  const uint8_t *base;
  uint64_t size;
  char *prefix;            /* top directory of the first entry ("archive") */
  size_t n;
  pth_zip_entry *entries;  /* sorted by name */
} pth_zip;

/* Parses the central directory of the zip in BASE[0..SIZE). 0, or -1 after a diagnostic
 * naming PATH, the record and its offset (nothing to free then). */
int pth_zip_open(pth_zip *z, const char *path, const uint8_t *base, uint64_t size);
void pth_zip_free(pth_zip *z);
/* The entry "<prefix>/REL", or NULL. */
const pth_zip_entry *pth_zip_find(const pth_zip *z, const char *rel);
/* Checks the entry's CRC-32 (used for the small entries: data.pkl, version, byteorder). */
int pth_zip_check_crc(const pth_zip *z, const pth_zip_entry *e);

#endif
