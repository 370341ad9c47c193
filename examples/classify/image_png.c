/* image_png.c: PNG through libpng, with the transformations OpenCV 4.6's PngDecoder
 * (grfmt_png.cpp) sets for IMREAD_COLOR: 16-bit samples stripped to 8 (high byte), alpha
 * stripped (not composited), palette expanded, 1/2/4-bit gray expanded, gray -> RGB.
 * An eXIf chunk (before or after the image data) gives the EXIF orientation, applied as for
 * JPEG: OpenCV 4.x does the same. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image.h"

typedef struct src {
  const uint8_t *d;
  size_t n, pos;
  char *err;
  size_t errlen;
} src;

static void read_fn(png_structp p, png_bytep out, png_size_t len) {
  src *s = png_get_io_ptr(p);
  if (len > s->n - s->pos) png_error(p, "truncated PNG");
  memcpy(out, s->d + s->pos, len);
  s->pos += len;
}

static void on_error(png_structp p, png_const_charp msg) {
  src *s = png_get_error_ptr(p);
  snprintf(s->err, s->errlen, "bad PNG: %s", msg);
  png_longjmp(p, 1);
}

static void on_warning(png_structp p, png_const_charp msg) {
  (void)p;
  (void)msg;
}

/* Offset of the first chunk before IEND that does not fit in the file, or 0. libpng would
 * find the file truncated there anyway, but only after allocating the length the chunk
 * claims (eXIf: up to 2 GB from a file of a hundred bytes). */
static size_t chunk_overrun(const uint8_t *d, size_t n) {
  size_t pos = 8;
  while (pos + 8 <= n) {
    uint32_t len = (uint32_t)d[pos] << 24 | (uint32_t)d[pos + 1] << 16 | (uint32_t)d[pos + 2] << 8 | d[pos + 3];
    if (len > n - pos - 8 || n - pos - 8 - len < 4) return pos; /* data and CRC */
    if (!memcmp(d + pos + 4, "IEND", 4)) return 0;
    pos += 12 + (size_t)len;
  }
  return pos;
}

int image_decode_png(const uint8_t *data, size_t size, image *img, char *err, size_t errlen) {
  size_t bad = chunk_overrun(data, size);
  if (bad) {
    snprintf(err, errlen, "bad PNG: truncated PNG (the chunk at offset %zu does not fit in the file)", bad);
    return -1;
  }
  src s = {data, size, 0, err, errlen};
  png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
  png_infop info = p ? png_create_info_struct(p) : NULL, end = p ? png_create_info_struct(p) : NULL;
  uint8_t *volatile rgb = NULL;
  png_bytep *volatile rows = NULL;
  png_uint_32 w, h;
  int depth, type;
  png_uint_32 nexif = 0;
  png_bytep exif = NULL;
  int orientation = 1;
  if (!info || !end) {
    snprintf(err, errlen, "out of memory");
    png_destroy_read_struct(&p, info ? &info : NULL, end ? &end : NULL);
    return -1;
  }
  if (setjmp(png_jmpbuf(p))) {
    png_destroy_read_struct(&p, &info, &end);
    free(rgb);
    free(rows);
    return -1;
  }
  png_set_read_fn(p, &s, read_fn);
  png_read_info(p, info);
  png_get_IHDR(p, info, &w, &h, &depth, &type, NULL, NULL, NULL);
  if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE) {
    snprintf(err, errlen, "image is %u x %u, larger than the %d x %d limit", (unsigned)w,
             (unsigned)h, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
    png_longjmp(p, 1);
  }
  if (depth == 16) png_set_strip_16(p);
  png_set_strip_alpha(p);
  if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(p);
  if (!(type & PNG_COLOR_MASK_COLOR) && depth < 8) png_set_expand_gray_1_2_4_to_8(p);
  if (!(type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(p);
  png_set_interlace_handling(p);
  png_read_update_info(p, info);
  if (png_get_rowbytes(p, info) != (size_t)w * 3) {
    snprintf(err, errlen, "unsupported PNG layout (color type %d, depth %d)", type, depth);
    png_longjmp(p, 1);
  }
  rgb = malloc((size_t)w * h * 3);
  rows = malloc(sizeof *rows * h);
  if (!rgb || !rows) {
    snprintf(err, errlen, "out of memory");
    png_longjmp(p, 1);
  }
  for (png_uint_32 y = 0; y < h; y++) rows[y] = rgb + (size_t)y * w * 3;
  png_read_image(p, rows);
  png_read_end(p, end);
  if (png_get_valid(p, info, PNG_INFO_eXIf))
    png_get_eXIf_1(p, info, &nexif, &exif);
  else if (png_get_valid(p, end, PNG_INFO_eXIf))
    png_get_eXIf_1(p, end, &nexif, &exif);
  if (exif && nexif > 0) orientation = exif_orientation(exif, nexif);
  png_destroy_read_struct(&p, &info, &end);
  free(rows);
  img->rgb = rgb;
  img->width = (int)w;
  img->height = (int)h;
  img->format = "png";
  return image_orient(img, orientation, err, errlen);
}
