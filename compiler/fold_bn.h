/* fold_bn.h: BatchNorm folded into the preceding convolution at compile time (fold_bn.c). */
#ifndef MMCC_FOLD_BN_H
#define MMCC_FOLD_BN_H

/* W: a PyTorch Conv2d weight (cout, cin, kh, kw) (cin = per group); gamma, beta, mean, var:
 * the BatchNorm's weight, bias, running_mean, running_var (all NULL: no BatchNorm, then BIAS_IN
 * is the conv's own bias or NULL). Writes the (cout, kh * kw * cin) matrix in the runtime's
 * (ky, kx, ci) column order (runtime/mmrt_conv.h) scaled by gamma / sqrt(var + eps), and the
 * bias beta - mean * gamma / sqrt(var + eps) (+ nothing else: ResNet convs have no bias). */
void fold_bn_conv(const float *w, int cout, int cin, int kh, int kw, const float *gamma,
                  const float *beta, const float *mean, const float *var, double eps,
                  const float *bias_in, float *w_out, float *b_out);

#endif
