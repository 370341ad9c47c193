"""bf16_deviation.py: helpers of bench/bf16_deviation.

    bf16_deviation.py images OUT.f32 N H W      N normalised images [3, H, W]: a random 8x8
        colour field upsampled bicubically (smooth regions and edges, like a photo at low
        frequency) plus 10% pixel noise, each channel scaled to mean 0, std 1 (as the ImageNet
        normalisation leaves a photo, roughly); seeded.
    bf16_deviation.py compare FP32.f32 BF16.f32 N MODEL TARGET   one markdown table row.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F


def images(out, n, h, w):
    g = torch.Generator().manual_seed(12)
    low = torch.randn(n, 3, 8, 8, generator=g)
    x = F.interpolate(low, size=(h, w), mode='bicubic', align_corners=False)
    x = x + 0.1 * torch.randn(n, 3, h, w, generator=g)
    x = (x - x.mean(dim=(2, 3), keepdim=True)) / x.std(dim=(2, 3), keepdim=True)
    x.numpy().astype('<f4').tofile(out)


def compare(a, b, n, model, target):
    f = np.fromfile(a, dtype='<f4').reshape(n, -1).astype(np.float64)
    h = np.fromfile(b, dtype='<f4').reshape(n, -1).astype(np.float64)
    if not (np.isfinite(f).all() and np.isfinite(h).all()):
        raise SystemExit('bf16_deviation: non-finite logits')
    d = np.abs(f - h)
    rel = d.max() / np.abs(f).max()
    per = np.median(d.max(axis=1) / np.abs(f).max(axis=1))
    top1 = (f.argmax(axis=1) == h.argmax(axis=1)).mean()
    t5f = np.sort(np.argsort(-f, axis=1)[:, :5], axis=1)
    t5h = np.sort(np.argsort(-h, axis=1)[:, :5], axis=1)
    top5 = (t5f == t5h).all(axis=1).mean()
    print(f'| {model} | {target} | {n} | {rel:.2e} | {per:.2e} | {100 * top1:.1f}% | '
          f'{100 * top5:.1f}% | {f.std():.2f} |')


if __name__ == '__main__':
    a = sys.argv[1:]
    if a and a[0] == 'images':
        images(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a and a[0] == 'compare':
        compare(a[1], a[2], int(a[3]), a[4], a[5])
    else:
        raise SystemExit(__doc__)
