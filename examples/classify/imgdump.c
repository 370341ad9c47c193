/* imgdump.c: decode an image as the classify example does and write its pixels, for tests.
 *   imgdump IMAGE OUT   -> prints "WIDTH HEIGHT ORIENTATION FORMAT", writes BGR bytes to OUT
 * (BGR: the order OpenCV's imread returns). Exit 1 with "IMAGE: error: ..." on a bad image. */
#include <stdio.h>
#include <stdlib.h>

#include "image.h"

int main(int argc, char **argv) {
  image img;
  char err[512];
  FILE *f;
  if (argc != 3) {
    fprintf(stderr, "usage: imgdump IMAGE OUT\n");
    return 2;
  }
  if (image_load(argv[1], &img, err, sizeof err) != 0) {
    fprintf(stderr, "%s: error: %s\n", argv[1], err);
    return 1;
  }
  for (size_t i = 0; i < (size_t)img.width * img.height; i++) {
    uint8_t t = img.rgb[3 * i];
    img.rgb[3 * i] = img.rgb[3 * i + 2];
    img.rgb[3 * i + 2] = t;
  }
  f = fopen(argv[2], "wb");
  if (!f ||
      fwrite(img.rgb, 3, (size_t)img.width * img.height, f) != (size_t)img.width * img.height ||
      fclose(f) != 0) {
    fprintf(stderr, "%s: error: cannot write\n", argv[2]);
    image_free(&img);
    return 1;
  }
  printf("%d %d %d %s\n", img.width, img.height, img.orientation, img.format);
  image_free(&img);
  return 0;
}
