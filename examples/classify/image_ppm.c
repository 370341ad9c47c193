/* image_ppm.c: binary PPM (P6) with maxval 255: "P6", width, height, maxval separated by
 * whitespace (and '#' comments), one whitespace byte, then the RGB pixels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

/* Next header number; -1 if missing or too large. */
static long number(const uint8_t *d, size_t n, size_t *pos) {
  long v = 0;
  int digits = 0;
  for (;;) {
    while (*pos < n && strchr(" \t\r\n\v\f", d[*pos]) && d[*pos]) (*pos)++;
    if (*pos < n && d[*pos] == '#')
      while (*pos < n && d[*pos] != '\n') (*pos)++;
    else
      break;
  }
  while (*pos < n && d[*pos] >= '0' && d[*pos] <= '9') {
    v = v * 10 + (d[(*pos)++] - '0');
    if (v > 1000000) return -1;
    digits++;
  }
  return digits ? v : -1;
}

int image_decode_ppm(const uint8_t *d, size_t n, image *img, char *err, size_t errlen) {
  size_t pos = 2, bytes;
  long w = number(d, n, &pos), h = number(d, n, &pos), maxval = number(d, n, &pos);
  if (w < 0 || h < 0 || maxval < 0 || pos >= n || !strchr(" \t\r\n\v\f", d[pos]) || !d[pos]) {
    snprintf(err, errlen, "bad PPM header");
    return -1;
  }
  pos++;
  if (w == 0 || h == 0) {
    snprintf(err, errlen, "empty image (%ld x %ld)", w, h);
    return -1;
  }
  if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE) {
    snprintf(err, errlen, "image is %ld x %ld, larger than the %d x %d limit", w, h, IMAGE_MAX_SIDE,
             IMAGE_MAX_SIDE);
    return -1;
  }
  if (maxval != 255) {
    snprintf(err, errlen, "unsupported PPM maxval %ld (only 255)", maxval);
    return -1;
  }
  bytes = (size_t)w * h * 3;
  if (n - pos < bytes) {
    snprintf(err, errlen, "truncated PPM: %zu of %zu pixel bytes", n - pos, bytes);
    return -1;
  }
  img->rgb = malloc(bytes);
  if (!img->rgb) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  memcpy(img->rgb, d + pos, bytes);
  img->width = (int)w;
  img->height = (int)h;
  img->format = "ppm";
  return 0;
}
