/* image.c: read a file, recognise its format by signature (as OpenCV does), decode. */
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int image_decode(const uint8_t *data, size_t size, image *img, char *err, size_t errlen) {
  memset(img, 0, sizeof *img);
  img->orientation = 1;
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return image_decode_jpeg(data, size, img, err, errlen);
  if (size >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
    return image_decode_png(data, size, img, err, errlen);
  if (size >= 2 && data[0] == 'P' && data[1] == '6')
    return image_decode_ppm(data, size, img, err, errlen);
  if (size == 0)
    snprintf(err, errlen, "empty file");
  else
    snprintf(err, errlen, "unsupported image format (JPEG, PNG and binary PPM are read)");
  return -1;
}

int image_load(const char *path, image *img, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  uint8_t *data;
  long n;
  int rc;
  struct stat st;
  memset(img, 0, sizeof *img);
  if (!f) {
    snprintf(err, errlen, "cannot open: %s", strerror(errno));
    return -1;
  }
  /* fopen succeeds on a directory, whose "size" is LONG_MAX: say what it is */
  if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, S_ISDIR(st.st_mode) ? "is a directory (an image file was expected)"
                                              : "not a regular file");
    fclose(f);
    return -1;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    snprintf(err, errlen, "cannot read (not a regular file?)");
    fclose(f);
    return -1;
  }
  if ((unsigned long)n > IMAGE_MAX_FILE_BYTES) {
    snprintf(err, errlen, "file of %ld bytes is larger than the %u-byte limit", n,
             IMAGE_MAX_FILE_BYTES);
    fclose(f);
    return -1;
  }
  data = malloc(n > 0 ? (size_t)n : 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
    snprintf(err, errlen, data ? "read error" : "out of memory");
    free(data);
    fclose(f);
    return -1;
  }
  fclose(f);
  rc = image_decode(data, (size_t)n, img, err, errlen);
  free(data);
  if (rc != 0) image_free(img);
  return rc;
}

void image_free(image *img) {
  free(img->rgb);
  img->rgb = NULL;
}
