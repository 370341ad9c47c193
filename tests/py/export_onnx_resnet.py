"""Exports the independent PyTorch reference for the ResNet family (resnet_ref.py) with a
checkpoint's weights to ONNX, for the side-by-side benchmark with ONNX Runtime (bench/), and
counts the model's multiply-adds (convolutions and linear layers, from the reference's modules):

    export_onnx_resnet.py CONFIG.py CHECKPOINT.pth OUT.onnx SIZE [--opset N]
        prints "MACS WEIGHT_BYTES" (weights: the parameters, float32)

The module is traced in eval mode by torch.onnx.export (opset 14 by default) with a dynamic
batch axis: input "image" [N, C, SIZE, SIZE] float32, output "logits". BatchNorm stays in the
graph as the reference has it (ONNX Runtime folds it when it optimises the session)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from resnet_ref import build, load  # noqa: E402


def wino_auto(mod, oh, ow, first):
    """The Winograd tile side `mmcc build --winograd auto` gives a convolution (README: 3x3
    stride 1 padding 1 without groups, m = 4 where the output is 28 x 28 or larger, m = 2
    from 14 x 14, not the first convolution, which reads the image), or 0."""
    plain = tuple(mod.kernel_size) == (3, 3) and tuple(mod.stride) == (1, 1) and \
        tuple(mod.padding) == (1, 1) and mod.groups == 1 and tuple(mod.dilation) == (1, 1)
    if not plain or first:
        return 0
    side = min(oh, ow)
    return 4 if side >= 28 else 2 if side >= 14 else 0


def macs_of(model, x, wino=None):
    """Multiply-adds of one image through the convolutions and linears. wino(mod, OH, OW,
    first) -> m counts a convolution as Winograd F(m x m, 3 x 3)'s products instead:
    (m + 2)^2 per tile of m x m outputs and channel pair."""
    total = [0]
    seen = [0]

    def hook(mod, inp, out):
        if isinstance(mod, torch.nn.Conv2d):
            oh, ow = out.shape[2], out.shape[3]
            m = wino(mod, oh, ow, seen[0] == 0) if wino else 0
            seen[0] += 1
            if m:
                tiles = -(-oh // m) * -(-ow // m)
                total[0] += (m + 2) ** 2 * tiles * mod.in_channels * mod.out_channels
                return
            k = mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
            total[0] += out.numel() // out.shape[0] * k
        else:
            total[0] += mod.in_features * mod.out_features
    hs = [m.register_forward_hook(hook) for m in model.modules()
          if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    return total[0]


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    opset = int(argv[argv.index('--opset') + 1]) if '--opset' in argv else 14
    torch.set_num_threads(1)
    model = load(build(argv[0]), argv[1]).eval()
    s = int(argv[3])
    x = torch.zeros(1, model.backbone.sp.in_channels, s, s)
    macs = macs_of(model, x)
    with torch.no_grad():
        torch.onnx.export(model, (x,), argv[2], opset_version=opset,
                          input_names=['image'], output_names=['logits'],
                          dynamic_axes={'image': {0: 'n'}, 'logits': {0: 'n'}},
                          do_constant_folding=True)
    weights = sum(p.numel() for p in model.parameters()) * 4
    print(macs, weights)


if __name__ == '__main__':
    main(sys.argv[1:])
