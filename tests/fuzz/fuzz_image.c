/* fuzz_image.c: libFuzzer harness for the image decoders of examples/classify (image.c:
 * format sniffing, image_jpeg.c over libjpeg, image_png.c over libpng, image_ppm.c, exif.c):
 * the input is an image file. A decoded image's pixels are all read, so a short buffer shows
 * up under ASan; the EXIF reader also runs on the raw input as a TIFF block. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  image img;
  char err[256];
  err[0] = 0;
  if (image_decode(data, size, &img, err, sizeof err) == 0) {
    unsigned sum = 0;
    if (img.width < 1 || img.height < 1 || img.width > IMAGE_MAX_SIDE || img.height > IMAGE_MAX_SIDE)
      __builtin_trap();
    for (size_t i = 0; i < (size_t)img.width * img.height * 3; i++) sum += img.rgb[i];
    (void)sum;
  } else if (!err[0]) {
    __builtin_trap();  /* a failure must say why */
  }
  image_free(&img);
  int o = exif_orientation(data, size);
  if (o < 1 || o > 8) o = 1;
  (void)o;
  return 0;
}
