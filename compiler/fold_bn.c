/* fold_bn.c: BatchNorm (inference: y = (x - mean) / sqrt(var + eps) * gamma + beta, torch
 * nn.BatchNorm2d in eval mode) folded into the convolution before it, so that the runtime
 * runs one product with a bias instead of a product and a normalisation pass:
 *   W'[o] = W[o] * s[o],  b'[o] = beta[o] - mean[o] * s[o],  s[o] = gamma[o] / sqrt(var[o] + eps)
 * computed in double and rounded once to float. The columns are reordered from PyTorch's
 * (ci, ky, kx) to (ky, kx, ci), the order mmrt_conv_pack lays a patch out in (NHWC input). */
#include "fold_bn.h"

#include <math.h>
#include <stddef.h>

void fold_bn_conv(const float *w, int cout, int cin, int kh, int kw, const float *gamma,
                  const float *beta, const float *mean, const float *var, double eps,
                  const float *bias_in, float *w_out, float *b_out) {
  const size_t K = (size_t)kh * kw * cin;
  for (int o = 0; o < cout; o++) {
    const double s = gamma ? (double)gamma[o] / sqrt((double)var[o] + eps) : 1.0;
    for (int ci = 0; ci < cin; ci++)
      for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
          const float v = w[(((size_t)o * cin + ci) * kh + ky) * kw + kx];
          w_out[o * K + ((size_t)ky * kw + kx) * cin + ci] = (float)((double)v * s);
        }
    if (gamma) b_out[o] = (float)((double)beta[o] - (double)mean[o] * s);
    else b_out[o] = bias_in ? bias_in[o] : 0.0f;
  }
}
