/* exif.c: the EXIF orientation tag and its application, as OpenCV 4.x does it
 * (imgcodecs exif.cpp ExifReader, loadsave.cpp ApplyExifOrientation).
 *
 * ExifReader: byte order from the first two bytes ("II" little endian; anything else is
 * read big endian), tag mark 0x002A at 2, IFD0 offset at 4, then the IFD0 entries (12 bytes:
 * tag, type, count, value). The first orientation entry (0x0112) gives its 16-bit value.
 * A read past the end stops the parse, keeping what was read; the entries OpenCV decodes
 * (strings, rationals) stop it the same way when their data lies outside the block. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "image.h"

typedef struct tiff {
  const uint8_t *d;
  size_t n;
  int le;
} tiff;

static int u16(const tiff *t, size_t off, uint32_t *v) {
  if (off + 1 >= t->n) return -1;
  *v = t->le ? t->d[off] | (uint32_t)t->d[off + 1] << 8 : (uint32_t)t->d[off] << 8 | t->d[off + 1];
  return 0;
}

static int u32(const tiff *t, size_t off, uint32_t *v) {
  if (off + 3 >= t->n) return -1;
  if (t->le)
    *v = t->d[off] | (uint32_t)t->d[off + 1] << 8 | (uint32_t)t->d[off + 2] << 16 |
         (uint32_t)t->d[off + 3] << 24;
  else
    *v = (uint32_t)t->d[off] << 24 | (uint32_t)t->d[off + 1] << 16 | (uint32_t)t->d[off + 2] << 8 |
         t->d[off + 3];
  return 0;
}

/* The reads ExifReader::parseExifEntry makes for the tags it knows; -1 where it throws. */
static int entry_reads(const tiff *t, uint32_t tag, size_t off) {
  uint32_t v, size, data, ro;
  int rationals = 0;
  switch (tag) {
  case 0x010E:
  case 0x010F:
  case 0x0110:
  case 0x0131:
  case 0x0132:
  case 0x8298: /* strings */
    if (u32(t, off + 4, &size)) return -1;
    data = 8; /* (sic) OpenCV reads short strings at offset 8 of the block */
    if (size > 4 && u32(t, off + 8, &data)) return -1;
    return (size_t)data > t->n || (size_t)data + size > t->n ? -1 : 0;
  case 0x0128:
  case 0x0213: return u16(t, off + 8, &v);
  case 0x011A:
  case 0x011B: rationals = 1; break;
  case 0x013E: rationals = 2; break;
  case 0x0211: rationals = 3; break;
  case 0x013F:
  case 0x0214: rationals = 6; break;
  default: return 0;
  }
  if (u32(t, off + 8, &ro)) return -1;
  for (int i = 0; i < rationals; i++, ro += 8)
    if (u32(t, ro, &v) || u32(t, (size_t)ro + 4, &v)) return -1;
  return 0;
}

int exif_orientation(const uint8_t *d, size_t n) {
  tiff t = {d, n, 0};
  uint32_t mark, off, count, tag, v;
  int orientation = 1, found = 0;
  if (n < 1) return 1;
  t.le = !(n > 1 && d[0] != d[1]) && d[0] == 'I';
  if (u16(&t, 2, &mark) || mark != 0x002A) return 1;
  if (u32(&t, 4, &off) || u16(&t, off, &count)) return 1;
  off += 2;
  for (uint32_t i = 0; i < count; i++, off += 12) {
    if (u16(&t, off, &tag)) break;
    if (tag == 0x0112) {
      if (u16(&t, (size_t)off + 8, &v)) break;
      if (!found) orientation = (int)v, found = 1;
    } else if (entry_reads(&t, tag, off)) {
      break;
    }
  }
  return orientation;
}

/* out(x, y) = in(map): the 8 orientations as flips of the image or of its transpose. */
int image_orient(image *img, int orientation, char *err, size_t errlen) {
  int w = img->width, h = img->height, ow, oh, transpose, flip_x, flip_y;
  uint8_t *out;
  switch (orientation) {
  case 2: transpose = 0, flip_x = 1, flip_y = 0; break; /* flip(img, 1) */
  case 3: transpose = 0, flip_x = 1, flip_y = 1; break; /* flip(img, -1) */
  case 4: transpose = 0, flip_x = 0, flip_y = 1; break; /* flip(img, 0) */
  case 5: transpose = 1, flip_x = 0, flip_y = 0; break; /* transpose */
  case 6: transpose = 1, flip_x = 1, flip_y = 0; break; /* transpose, flip(1) */
  case 7: transpose = 1, flip_x = 1, flip_y = 1; break; /* transpose, flip(-1) */
  case 8: transpose = 1, flip_x = 0, flip_y = 1; break; /* transpose, flip(0) */
  default: img->orientation = 1; return 0; /* 1 and unknown values: as is */
  }
  ow = transpose ? h : w;
  oh = transpose ? w : h;
  out = malloc((size_t)w * h * 3);
  if (!out) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      int sx = flip_x ? ow - 1 - x : x, sy = flip_y ? oh - 1 - y : y; /* in the transposed */
      int ix = transpose ? sy : sx, iy = transpose ? sx : sy;
      memcpy(out + ((size_t)y * ow + x) * 3, img->rgb + ((size_t)iy * w + ix) * 3, 3);
    }
  free(img->rgb);
  img->rgb = out;
  img->width = ow;
  img->height = oh;
  img->orientation = orientation;
  return 0;
}
