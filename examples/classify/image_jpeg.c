/* image_jpeg.c: JPEG through libjpeg(-turbo), as OpenCV 4.6's JpegDecoder (grfmt_jpeg.cpp)
 * with IMREAD_COLOR: the library's default decoding (JDCT_ISLOW, fancy upsampling), output
 * JCS_RGB for 1- and 3-component images, JCS_CMYK for 4-component ones (converted as
 * OpenCV's icvCvt_CMYK2BGR). The first APP1 segment is kept for the EXIF orientation.
 * Stricter than OpenCV: a truncated file (libjpeg's "premature end" warning) is an error. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "image.h"

typedef struct jerr {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char *err;
  size_t errlen;
} jerr;

static void fail(j_common_ptr ci, const char *what) {
  jerr *e = (jerr *)ci->err;
  char msg[JMSG_LENGTH_MAX];
  e->pub.format_message(ci, msg);
  snprintf(e->err, e->errlen, "%s: %s", what, msg);
  longjmp(e->jb, 1);
}

static void on_error(j_common_ptr ci) { fail(ci, "bad JPEG"); }

static void on_message(j_common_ptr ci, int level) {
  /* level -1 is a warning about corrupt data; only a premature end is fatal here */
  if (level == -1 && ci->err->msg_code == JWRN_JPEG_EOF) fail(ci, "truncated JPEG");
}

/* OpenCV icvCvt_CMYK2BGR_8u_C4C3R (Adobe's inverted CMYK), written to RGB order. */
static void cmyk_row(const uint8_t *cmyk, uint8_t *rgb, int w) {
  for (int x = 0; x < w; x++, cmyk += 4, rgb += 3) {
    int k = cmyk[3];
    rgb[0] = (uint8_t)(k - ((255 - cmyk[0]) * k >> 8));
    rgb[1] = (uint8_t)(k - ((255 - cmyk[1]) * k >> 8));
    rgb[2] = (uint8_t)(k - ((255 - cmyk[2]) * k >> 8));
  }
}

typedef struct state {
  struct jpeg_decompress_struct ci;
  jerr e;
  uint8_t *rgb, *row;
  int orientation;
} state;

int image_decode_jpeg(const uint8_t *data, size_t size, image *img, char *err, size_t errlen) {
  state *s = calloc(1, sizeof *s);
  int w, h, cmyk;
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  s->ci.err = jpeg_std_error(&s->e.pub);
  s->e.pub.error_exit = on_error;
  s->e.pub.emit_message = on_message;
  s->e.err = err;
  s->e.errlen = errlen;
  s->orientation = 1;
  if (setjmp(s->e.jb)) {
    jpeg_destroy_decompress(&s->ci);
    free(s->rgb);
    free(s->row);
    free(s);
    return -1;
  }
  jpeg_create_decompress(&s->ci);
  jpeg_mem_src(&s->ci, data, (unsigned long)size);
  jpeg_save_markers(&s->ci, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&s->ci, TRUE);
  if (s->ci.image_width > IMAGE_MAX_SIDE || s->ci.image_height > IMAGE_MAX_SIDE) {
    snprintf(err, errlen, "image is %u x %u, larger than the %d x %d limit", s->ci.image_width,
             s->ci.image_height, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
    longjmp(s->e.jb, 1);
  }
  for (jpeg_saved_marker_ptr m = s->ci.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1) { /* OpenCV: the first APP1, its TIFF block after 6 bytes */
      if (m->data_length > 6) s->orientation = exif_orientation(m->data + 6, m->data_length - 6);
      break;
    }
  cmyk = s->ci.num_components == 4;
  s->ci.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress(&s->ci);
  w = (int)s->ci.output_width;
  h = (int)s->ci.output_height;
  if (w < 1 || h < 1 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE ||
      (int)s->ci.output_components != (cmyk ? 4 : 3)) {
    snprintf(err, errlen, "unsupported JPEG (%d x %d, %d components)", w, h,
             s->ci.output_components);
    longjmp(s->e.jb, 1);
  }
  s->rgb = malloc((size_t)w * h * 3);
  s->row = malloc((size_t)w * 4);
  if (!s->rgb || !s->row) {
    snprintf(err, errlen, "out of memory for %d x %d pixels", w, h);
    longjmp(s->e.jb, 1);
  }
  while (s->ci.output_scanline < s->ci.output_height) {
    uint8_t *dst = s->rgb + (size_t)s->ci.output_scanline * w * 3;
    JSAMPROW r = cmyk ? s->row : dst;
    if (jpeg_read_scanlines(&s->ci, &r, 1) != 1) fail((j_common_ptr)&s->ci, "truncated JPEG");
    if (cmyk) cmyk_row(s->row, dst, w);
  }
  jpeg_finish_decompress(&s->ci);
  jpeg_destroy_decompress(&s->ci);
  img->width = w;
  img->height = h;
  img->rgb = s->rgb;
  img->format = "jpeg";
  free(s->row);
  {
    int o = s->orientation;
    free(s);
    return image_orient(img, o, err, errlen);
  }
}
