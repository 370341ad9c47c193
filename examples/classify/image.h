/* image.h: image files -> interleaved 8-bit RGB pixels, decoded as mmpretrain's
 * LoadImageFromFile does (OpenCV imread / imdecode, IMREAD_COLOR): JPEG through the system
 * libjpeg(-turbo) with the settings OpenCV uses, EXIF orientation applied as OpenCV applies
 * it; PNG through libpng with OpenCV's transformations (and its eXIf orientation); binary PPM
 * (P6, maxval 255). */
#ifndef CLASSIFY_IMAGE_H
#define CLASSIFY_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Largest side accepted (the compiled pipeline's limit, MMRT_MAX_IMAGE_SIDE). The fuzz
 * harness (tests/fuzz/fuzz_image.c) builds with a smaller one: a JPEG of a hundred bytes may
 * declare 8192 x 8192 pixels, which libjpeg fills in (as OpenCV accepts), slowly under ASan. */
#ifndef IMAGE_MAX_SIDE
#define IMAGE_MAX_SIDE 8192
#endif
/* Largest file read. */
#define IMAGE_MAX_FILE_BYTES (512u << 20)

typedef struct image {
  int width, height;
  uint8_t *rgb; /* height rows of width RGB pixels, no padding */
  const char *format; /* "jpeg", "png", "ppm" */
  int orientation; /* EXIF orientation applied (1 = none) */
} image;

/* Reads and decodes a file. Returns 0, or -1 with a message (no file name) in err. */
int image_load(const char *path, image *img, char *err, size_t errlen);
int image_decode(const uint8_t *data, size_t size, image *img, char *err, size_t errlen);
void image_free(image *img);

/* ---- internal: one file per format ---- */
int image_decode_jpeg(const uint8_t *data, size_t size, image *img, char *err, size_t errlen);
int image_decode_png(const uint8_t *data, size_t size, image *img, char *err, size_t errlen);
int image_decode_ppm(const uint8_t *data, size_t size, image *img, char *err, size_t errlen);

/* EXIF orientation from a TIFF block (an APP1 segment after its 6-byte "Exif\0\0" header),
 * read as OpenCV's ExifReader reads it; 1 when absent or unreadable. */
int exif_orientation(const uint8_t *tiff, size_t size);
/* Applies orientation 2..8 as OpenCV's ApplyExifOrientation (flip / transpose); other
 * values change nothing. Returns 0, or -1 with a message. */
int image_orient(image *img, int orientation, char *err, size_t errlen);

#endif
