"""Reference sanity for a checkpoint made by make_resnet_ckpt.py: resnet_ref loads it (every
tensor, strictly; num_batches_tracked may be absent) and its logits on seeded images at the
config's input size are finite and informative (std > 1e-3, max |logit| < 1e3), batch 1 equal
to row 0 of batch 3 within 1e-5 x max|logit|. Prints one line; exit 0 or 1.

    ref_sanity.py CONFIG.py CKPT.pth SIZE"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'py'))
from resnet_ref import build, load  # noqa: E402


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    m = load(build(argv[0]), argv[1])
    s = int(argv[2])
    x = torch.randn(3, m.backbone.sp.in_channels, s, s, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        y3, y1 = m(x), m(x[:1])
    mx = float(y3.abs().max())
    bad = []
    if not torch.isfinite(y3).all():
        bad.append('non-finite logits')
    elif not (float(y3.std()) > 1e-3 and mx < 1e3):
        bad.append(f'degenerate logits (std {float(y3.std()):.3g}, max {mx:.3g})')
    elif float((y1 - y3[:1]).abs().max()) > 1e-5 * mx:
        bad.append('batch 1 differs from batch 3')
    print('; '.join(bad) if bad else f'logits std {float(y3.std()):.3g}, max {mx:.3g}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
