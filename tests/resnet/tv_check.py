"""Cross-checks the reference (tests/py/resnet_ref.py) against torchvision's own ResNet /
ResNeXt (separate code, same architecture as mmpretrain's style='pytorch' ResNet): the
mmpretrain-layout checkpoint is loaded into both (torchvision names: 'backbone.' dropped,
head.fc -> fc; strict), and their logits on seeded images must agree within 1e-5 x max|logit|.

    tv_check.py CONFIG.py CKPT.pth ARCH      ARCH: resnet18 | resnet50 | resnext50_32x4d
Prints one line; exit 0 when they agree, 1 otherwise."""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'py'))
from resnet_ref import build, load  # noqa: E402


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    cfg, ckpt, arch = argv
    ref = load(build(cfg), ckpt)
    sd = torch.load(ckpt, map_location='cpu')['state_dict']
    tv_sd = {}
    for k, v in sd.items():
        k = k[len('backbone.'):] if k.startswith('backbone.') else k.replace('head.fc.', 'fc.')
        tv_sd[k] = v
    tv = getattr(torchvision.models, arch)(num_classes=ref.head.fc.out_features)
    tv.load_state_dict(tv_sd, strict=True)
    tv.eval()
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        a, b = ref(x), tv(x)
    err = float((a - b).abs().max() / b.abs().max())
    print(f'{arch}: max |ref - torchvision| = {err:.3g} x max|logit|; logit std {float(b.std()):.3g}')
    return 0 if err <= 1e-5 and float(b.std()) > 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
