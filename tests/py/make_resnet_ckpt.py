"""Makes a torch.save checkpoint in mmpretrain's key layout for a ResNet-family config, with
realistic BatchNorm statistics: weights are seeded (He-scaled convs), then the running
mean/var are measured by a train-mode pass over seeded random images (cumulative average,
as BN tracks them in training) after the BN affine parameters are drawn around 1 / 0 (the
last BN of each block smaller, as trained residual nets have), so every layer's activations
stay O(1) and a logit comparison exercises the whole network. num_batches_tracked are int64.

    make_resnet_ckpt.py CONFIG.py OUT.pth [--seed N] [--calib-size S] [--drop NAME]
                        [--no-batches-tracked] [--int64 NAME]

Names and shapes come from resnet_ref (the reference's own reading of upstream), not from
mmcc. --drop NAME leaves one tensor out (for error tests); --no-batches-tracked leaves out
every num_batches_tracked (older checkpoints); --int64 NAME stores that tensor as int64. The file is {'meta': {...}, 'state_dict'}."""
import os
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.dirname(__file__))
from resnet_ref import build  # noqa: E402


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cfg, out = argv[0], argv[1]
    seed, calib, drop, no_bnt, as_int = 0, 0, None, False, None
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == '--seed':
            seed = int(argv[i + 1]); i += 2
        elif a == '--calib-size':
            calib = int(argv[i + 1]); i += 2
        elif a == '--drop':
            drop = argv[i + 1]; i += 2
        elif a == '--int64':
            as_int = argv[i + 1]; i += 2
        elif a == '--no-batches-tracked':
            no_bnt = True; i += 1
        else:
            raise SystemExit(f'unknown argument {a}\n{__doc__}')
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    m = build(cfg)
    sp = m.backbone.sp
    calib = calib or (32 if sp.cifar else 64)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if p.dim() == 4:  # conv: He init
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                p.copy_(torch.randn(p.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            elif name.startswith('head.fc.weight'):
                p.copy_(torch.randn(p.shape, generator=g) * (1.0 / p.shape[1]) ** 0.5)
            else:  # biases (SE convs, head) and BN affine, reset below
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
        for name, mod in m.named_modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                last = name.endswith('bn3') or (sp.block == 'basic' and name.endswith('bn2'))
                lo, hi = (0.2, 0.6) if last else (0.6, 1.4)
                mod.weight.copy_(lo + (hi - lo) * torch.rand(mod.weight.shape, generator=g))
                mod.bias.copy_(0.1 * torch.randn(mod.bias.shape, generator=g))
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.reset_running_stats()
                mod.momentum = None  # cumulative average over the calibration batches
        m.train()
        for _ in range(2):
            m(torch.randn(4, sp.in_channels, calib, calib, generator=g))
        m.eval()
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                # a channel the calibration images never excite must not divide by ~0
                v = mod.running_var
                v.clamp_(min=0.05 * float(v.mean()) + 1e-4)
                mod.num_batches_tracked.fill_(int(torch.randint(1, 10**6, (1,), generator=g)))
    sd = OrderedDict()
    for k, v in m.state_dict().items():
        if k == drop or (no_bnt and k.endswith('num_batches_tracked')):
            continue
        sd[k] = v.to(torch.int64) if k == as_int else v.clone()
    torch.save({'meta': {'seed': seed, 'config': os.path.basename(cfg)}, 'state_dict': sd}, out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
