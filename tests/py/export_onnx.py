"""Exports the independent PyTorch reference (vit_ref.py) with a checkpoint's weights to ONNX,
for the side-by-side benchmark with ONNX Runtime (bench/):

    export_onnx.py CONFIG.py CHECKPOINT.pth OUT.onnx [--input-size H W] [--opset N]

The graph is vit_ref.forward() traced by torch.onnx.export (opset 14 by default) with a
dynamic batch axis: input "image" [N, C, H, W] float32, output "logits". The weights are
the graph's initializers. The position embedding is resized to the input grid here, once
(as mmcc does at compile time), so that neither contender pays for it per call; everything
else is what vit_ref computes. Runs on Debian's python3-torch (1.13) alone: the exporter
needs no onnx package.
"""
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, __import__('os').path.dirname(__file__))
import vit_ref  # noqa: E402


class Classifier(torch.nn.Module):
    def __init__(self, spec, params, hw):
        super().__init__()
        self.spec = spec
        params = dict(params)
        grid = tuple(-(-s // spec.patch) for s in hw)
        name = 'backbone.pos_embed'
        params[name] = vit_ref.resize_pos_embed(params[name], spec.grid, grid, spec.mode,
                                                spec.extra)
        spec.grid = grid  # resize_pos_embed in the forward is now the identity
        self.names = list(params)
        for i, n in enumerate(self.names):
            self.register_buffer(f'p{i}', params[n])

    def forward(self, image):
        p = {n: getattr(self, f'p{i}') for i, n in enumerate(self.names)}
        return vit_ref.forward(self.spec, p, image)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    cfg = vit_ref.read_config(argv[0])
    spec = vit_ref.Spec(cfg)
    if '--input-size' in argv:
        i = argv.index('--input-size')
        hw = (int(argv[i + 1]), int(argv[i + 2]))
    else:
        hw = vit_ref.crop_size(cfg)
    opset = int(argv[argv.index('--opset') + 1]) if '--opset' in argv else 14
    torch.set_num_threads(1)
    # the exporter wants LayerNorm's normalized_shape constant, vit_ref takes it from x.shape
    vit_ref.layer_norm = lambda x, p, name, eps: F.layer_norm(
        x, (spec.D,), p[name + '.weight'], p[name + '.bias'], eps)
    params = vit_ref.load_state(spec, argv[1])
    model = Classifier(spec, params, hw).eval()
    x = torch.zeros(1, spec.in_ch, *hw)
    with torch.no_grad():
        torch.onnx.export(model, (x,), argv[2], opset_version=opset,
                          input_names=['image'], output_names=['logits'],
                          dynamic_axes={'image': {0: 'n'}, 'logits': {0: 'n'}},
                          do_constant_folding=True)


if __name__ == '__main__':
    main(sys.argv[1:])
