"""The --precision bf16 reference: tests/py/vit_ref.py's model (independent of mmcc) with the
bf16 definition of issue 11 applied in torch:

  - the weight of every matrix product (patch embedding, qkv, proj, fc1, fc2, pre_logits,
    heads) is rounded to bfloat16 with torch's `.to(torch.bfloat16)` (round to nearest even),
    as the product computes it: when a scale is applied to the product's output rows (the
    attention scale head_dim^-0.5 on q; layer scale gamma1 / gamma2 on proj / fc2), the rows
    of weight x scale are what is rounded (W' = bf16(W * s) / s here, so that vit_ref's own
    later scaling by s (for q a division by sqrt(head_dim)) gives x . bf16(W * s) up to fp32
    rounding);
  - each product's input is rounded to bfloat16 (`.to(torch.bfloat16).float()`);
  - the products sum in fp32; everything else (LayerNorm, softmax, GELU, biases, the
    residual stream, position embeddings, attention's q k^T and p v) is vit_ref's fp32.

A ClsBatchNormNeck (its scale folded into the next product's weight columns) is not covered:
refused.

    vit_ref_bf16.py CONFIG.py CHECKPOINT.pth IN.f32 N OUT.f32 [--input-size H W]
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as TF

sys.path.insert(0, os.path.dirname(__file__))
import vit_ref  # noqa: E402


def bf16(t):
    return t.to(torch.bfloat16).float()


def rounded_rows(w, s):
    """bf16(w * s) / s per row (s: [rows]); rows with s == 0 are 0 (so is w * s)."""
    s = s.reshape(-1, 1).to(torch.float32)
    r = bf16(w * s)
    return torch.where(s != 0, r / torch.where(s != 0, s, torch.ones_like(s)),
                       torch.zeros_like(r))


class Bf16Functional:
    """torch.nn.functional with the products' inputs rounded (their weights are rounded in
    the parameters beforehand, except the patch convolution's, rounded here)."""

    def __getattr__(self, name):
        return getattr(TF, name)

    @staticmethod
    def linear(x, w, b=None):
        return TF.linear(bf16(x), w, b)

    @staticmethod
    def conv2d(x, w, b=None, **kw):
        return TF.conv2d(bf16(x), bf16(w), b, **kw)


def round_params(spec, p):
    if spec.neck == 'ClsBatchNormNeck':
        raise SystemExit('vit_ref_bf16: ClsBatchNormNeck (folded into the head weights) '
                         'is not covered')
    D, hd = spec.D, spec.D // spec.heads
    qs = torch.tensor(1.0 / math.sqrt(hd), dtype=torch.float32)
    for i in range(spec.L):
        b = f'backbone.layers.{i}.'
        w = p[b + 'attn.qkv.weight']
        p[b + 'attn.qkv.weight'] = torch.cat(
            [rounded_rows(w[:D], qs.expand(D)), bf16(w[D:])], dim=0)
        for name, gamma in (('attn.proj.weight', 'attn.gamma1.weight'),
                            ('ffn.layers.1.weight', 'ffn.gamma2.weight')):
            if spec.layer_scale > 0:
                p[b + name] = rounded_rows(p[b + name], p[b + gamma])
            else:
                p[b + name] = bf16(p[b + name])
        p[b + 'ffn.layers.0.0.weight'] = bf16(p[b + 'ffn.layers.0.0.weight'])
    for name in ('head.layers.pre_logits.weight', 'head.layers.head.weight',
                 'head.layers.head_dist.weight', 'head.fc.weight'):
        if name in p:
            p[name] = bf16(p[name])


def main(argv):
    if len(argv) < 5:
        raise SystemExit(__doc__)
    cfg = vit_ref.read_config(argv[0])
    spec = vit_ref.Spec(cfg)
    n = int(argv[3])
    if '--input-size' in argv:
        i = argv.index('--input-size')
        H, W = int(argv[i + 1]), int(argv[i + 2])
    else:
        H, W = vit_ref.crop_size(cfg)
    torch.set_num_threads(1)
    params = vit_ref.load_state(spec, argv[1])
    round_params(spec, params)
    vit_ref.F = Bf16Functional()
    x = torch.from_numpy(np.fromfile(argv[2], dtype='<f4').reshape(n, spec.in_ch, H, W).copy())
    with torch.no_grad():
        out = vit_ref.forward(spec, params, x)
    out.detach().numpy().astype('<f4').tofile(argv[4])


if __name__ == '__main__':
    main(sys.argv[1:])
