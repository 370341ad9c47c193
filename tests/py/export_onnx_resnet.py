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


def macs_of(model, x):
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, torch.nn.Conv2d):
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
