"""The --precision bf16 reference for the ResNet family: tests/py/resnet_ref.py's model
(independent of mmcc) with the bf16 definition of issue 11 applied in torch:

  - every convolution's BatchNorm is folded into it as mmpretrain's eval-mode BN implies,
    W' = W * s, b' = beta - mean * s, s = gamma / sqrt(var + eps), computed in float64 and
    rounded once to float32 (the fold any inference engine does; mmcc's compiler/fold_bn.c
    documents the same arithmetic), and W' is rounded to bfloat16 with torch's
    `.to(torch.bfloat16)` (round to nearest even);
  - the weights of the other matrix products (SE's two 1x1 convolutions, the head's fc)
    are rounded to bfloat16 as they are;
  - each product's input (the image and every activation a convolution reads, SE's pooled
    and squeezed vectors, the pooled features) is rounded to bfloat16;
  - the products sum in fp32 in mmcc; biases, ReLU, the residual adds, the pools, SE's
    sigmoid and scale stay fp32.

A product input within fp32 noise of a bf16 rounding boundary rounds either way, so two
computations that sum in different orders or precisions differ by a bf16 step somewhere in
many 224 x 224 images, which moves the logits by ~1e-3 x max |logit|. So the reference runs
in float32 (torch's own sums) or, with --float64, everything in float64 (the bf16 roundings
applied to float64 values, which hold every bf16 and fp32 value exactly); a library output
is taken to agree when it is within tolerance of either (tests/py/bf16_compare.py). Measured
on tiny-bottleneck at 64 x 64, 40 images: torch fp32 vs float64 differ beyond 1e-5 on 6
images, mmcc vs float64 on none; on tiny-resnext, 3 images, mmcc vs float64 on one, mmcc vs
torch fp32 on none.

    resnet_ref_bf16.py CONFIG.py CKPT.pth IN.f32 B OUT.f32 [--float64]
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import resnet_ref  # noqa: E402


def bf16(t):
    return t.to(torch.bfloat16).to(t.dtype)


def conv_bn(conv, bn, x):
    """conv + its BatchNorm folded, in bf16 (weights and input), fp32 sums, fp32 bias."""
    s = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    w = (conv.weight.double() * s.reshape(-1, 1, 1, 1)).float().to(x.dtype)
    b = (bn.bias.double() - bn.running_mean.double() * s).float().to(x.dtype)
    return F.conv2d(bf16(x), bf16(w), b, conv.stride, conv.padding, groups=conv.groups)


def se(m, y):
    w = y.mean(dim=(2, 3), keepdim=True)
    c1, c2 = m.conv1.conv, m.conv2.conv
    w = F.relu(F.conv2d(bf16(w), bf16(c1.weight), c1.bias))
    w = torch.sigmoid(F.conv2d(bf16(w), bf16(c2.weight), c2.bias))
    return y * w


def block(bl, x):
    y = F.relu(conv_bn(bl.conv1, bl.bn1, x))
    if bl.n == 2:
        y = conv_bn(bl.conv2, bl.bn2, y)
    else:
        y = F.relu(conv_bn(bl.conv2, bl.bn2, y))
        y = conv_bn(bl.conv3, bl.bn3, y)
    if hasattr(bl, 'se_layer'):
        y = se(bl.se_layer, y)
    s = x
    if bl.downsample is not None:
        parts = list(bl.downsample)
        if isinstance(parts[0], resnet_ref.AvgDown):
            s = parts[0](s)
            parts = parts[1:]
        s = conv_bn(parts[0], parts[1], s)
    return F.relu(y + s)


def forward(m, x):
    bb, sp = m.backbone, m.backbone.sp
    if sp.deep_stem:
        for u in bb.stem:
            x = F.relu(conv_bn(u.conv, u.bn, x))
    else:
        x = F.relu(conv_bn(bb.conv1, bb.bn1, x))
    if not sp.cifar:
        x = F.max_pool2d(x, 3, 2, 1)
    for name in bb.layers:
        for bl in getattr(bb, name):
            x = block(bl, x)
    f = x.mean(dim=(2, 3))
    return F.linear(bf16(f), bf16(m.head.fc.weight), m.head.fc.bias)


def main(argv):
    f64 = '--float64' in argv
    argv = [a for a in argv if a != '--float64']
    if len(argv) != 5:
        raise SystemExit(__doc__)
    cfg_path, ckpt_path, in_path, batch, out_path = argv
    m = resnet_ref.load(resnet_ref.build(cfg_path), ckpt_path)
    b = int(batch)
    x = torch.from_numpy(np.fromfile(in_path, dtype='float32').copy())
    if f64:
        m, x = m.double(), x.double()
    x = x.reshape(b, m.backbone.sp.in_channels, -1)
    h = int(round(x.shape[2] ** 0.5))
    if h * h != x.shape[2]:
        raise SystemExit('IN.f32 must hold square images')
    with torch.no_grad():
        y = forward(m, x.reshape(b, -1, h, h))
    y.numpy().astype('float32').tofile(out_path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
