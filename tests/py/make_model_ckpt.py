"""Makes a torch.save checkpoint in mmpretrain's key layout for a ViT config, with seeded
random values at scales that keep every layer's activations O(1) (so that a comparison of
logits exercises all of the model):

    make_model_ckpt.py CONFIG.py OUT.pth [--seed N] [--pos-grid G]
                       [--dtype float32|float16|bfloat16] [--drop NAME] [--scale REGEX=F]

--pos-grid G stores backbone.pos_embed for a G x G patch grid instead of the config's
img_size grid, as the real 384/448 checkpoints do (1+24x24 rows for p16@384, 1+12x12 and
1+14x14 for p32@384/448); mmpretrain resizes it when loading. Names and shapes come from
vit_ref.Spec (the reference's own reading of the upstream code), not from mmcc.
--drop NAME leaves one tensor out (for error tests).
--scale REGEX=F multiplies the tensors whose names match REGEX by F (e.g. small activations
into a LayerNorm, where its eps matters: sensitivity checks).
Buffers (ClsBatchNormNeck's BatchNorm1d running_mean, running_var and the int64
num_batches_tracked) are written too, in state_dict order, as mmpretrain saves them.
The file is {'meta': {'dataset_meta': {'classes': [...]}}, 'state_dict': {...}}."""
import math
import os
import re
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.dirname(__file__))
from vit_ref import Spec, read_config  # noqa: E402


def values(name, shape, g):
    n = torch.randn(*shape, generator=g)
    if name.endswith('cls_token') or name.endswith('pos_embed'):
        return 0.5 * n
    if name.endswith('running_mean'):
        return 0.3 * n
    if name.endswith('running_var'):
        return 0.5 + torch.rand(*shape, generator=g)  # positive, around 1
    if 'gamma' in name:
        return 0.5 + 0.1 * n
    last = name.rsplit('.', 2)[-2]
    if len(shape) == 1 and name.endswith('.weight') and (last.startswith('ln') or
                                                         last.endswith('norm')):
        return 1.0 + 0.2 * n
    if len(shape) == 1:
        return 0.2 * n
    fan_in = math.prod(shape[1:])
    return n / math.sqrt(fan_in)


def main(argv):
    cfg_path, out = argv[0], argv[1]
    opts = dict(zip(argv[2::2], argv[3::2]))
    seed = int(opts.get('--seed', 0))
    dtype = {'float32': torch.float32, 'float16': torch.float16,
             'bfloat16': torch.bfloat16}[opts.get('--dtype', 'float32')]
    spec = Spec(read_config(cfg_path))
    g = torch.Generator().manual_seed(seed)
    sd = OrderedDict()
    shapes = dict(spec.params())
    bufs = {n: (shape, dt) for n, shape, dt in spec.buffers()}
    for name in spec.state_keys():
        if name in bufs:
            shape, dt = bufs[name]
            if dt == torch.int64:
                sd[name] = torch.tensor(1000, dtype=torch.int64)  # a batch count
            else:
                sd[name] = values(name, shape, g).to(dtype).contiguous()
            continue
        shape = shapes[name]
        if name == 'backbone.pos_embed' and '--pos-grid' in opts:
            gg = int(opts['--pos-grid'])
            shape = (1, spec.pos_extra + gg * gg, shape[2])
        v = values(name, shape, g)
        if '--scale' in opts:
            pat, f = opts['--scale'].rsplit('=', 1)
            if re.fullmatch(pat, name):
                v = v * float(f)
        sd[name] = v.to(dtype).contiguous()
    sd.pop(opts.get('--drop'), None)
    classes = [f'class{i}' for i in range(spec.num_classes)]
    torch.save({'meta': {'dataset_meta': {'classes': classes}}, 'state_dict': sd}, out)


if __name__ == '__main__':
    main(sys.argv[1:])
