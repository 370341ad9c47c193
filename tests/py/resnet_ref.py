"""Independent PyTorch reference for mmpretrain's ResNet family (ResNet, ResNetV1c, ResNetV1d,
ResNeXt, SEResNet, ResNet_CIFAR) + GlobalAveragePooling + LinearClsHead, written from torch
ops and modules (nn.Conv2d, nn.BatchNorm2d, F.max_pool2d, ...), not from mmpretrain's code.
The module tree carries mmpretrain's state-dict names, so load_state_dict(strict=True) checks
a checkpoint's key layout and shapes as mmpretrain would.

What it follows (mmpretrain v1.2.0, read upstream; see compiler/model_resnet.c for the cited
lines): depth table 18/34 BasicBlock, 50/101/152 Bottleneck; stage i out = base_channels *
expansion * 2^i; block 0 of a stage gets the stride and a 1x1 conv + BN shortcut when the
stride or the width changes (avg_down: AvgPool2d(stride, ceil_mode=True,
count_include_pad=False) first, then a stride-1 conv); style 'pytorch' strides the 3x3,
'caffe' the first 1x1; ResNeXt mid = groups * width_per_group * (out / expansion) //
base_channels; SE after the last BN: x * sigmoid(conv2(relu(conv1(mean_hw(x))))), squeeze =
make_divisible(C // ratio, 8); stems: conv1 7x7/2 + BN + ReLU + max-pool 3x3/2 pad 1, deep
stem three 3x3 ConvModules (C/2 stride 2, C/2, C), CIFAR conv1 3x3/1 without max-pool.

    resnet_ref.py CONFIG.py --keys                 JSON: {"parameters": N, "tensors":
                                                   [[name, shape, kind], ...]} in state order
    resnet_ref.py --keys-dir DIR CONFIG.py...      the same into DIR/<config name>.ref.json
    resnet_ref.py CONFIG.py CKPT.pth IN.f32 B OUT.f32
        IN.f32: B preprocessed images, float32 NCHW (3 x H x W each); OUT.f32: B x classes
        logits. The checkpoint must load strictly (num_batches_tracked may be absent).
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from mmcfg_mini import load_config  # noqa: E402

ARCH = {18: ('basic', (2, 2, 2, 2)), 34: ('basic', (3, 4, 6, 3)),
        50: ('bottleneck', (3, 4, 6, 3)), 101: ('bottleneck', (3, 4, 23, 3)),
        152: ('bottleneck', (3, 8, 36, 3))}


def make_divisible(value, divisor=8, min_ratio=0.9):
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if new < min_ratio * value:
        new += divisor
    return new


class Spec:
    """The backbone settings, from model.backbone with upstream's defaults."""

    def __init__(self, cfg):
        model = cfg['model']
        bb = dict(model['backbone'])
        t = bb.pop('type').split('.')[-1]
        self.type = t
        self.depth = bb['depth']
        self.block, blocks = ARCH[self.depth]
        self.num_stages = bb.get('num_stages', 4)
        self.stage_blocks = blocks[:self.num_stages]
        self.strides = tuple(bb.get('strides', (1, 2, 2, 2)))
        self.in_channels = bb.get('in_channels', 3)
        self.stem_channels = bb.get('stem_channels', 64)
        self.base_channels = bb.get('base_channels', 64)
        exp = bb.get('expansion')
        self.expansion = exp if exp is not None else (1 if self.block == 'basic' else 4)
        self.style = bb.get('style', 'pytorch')
        self.deep_stem = t in ('ResNetV1c', 'ResNetV1d') or bb.get('deep_stem', False)
        self.avg_down = t == 'ResNetV1d' or bb.get('avg_down', False)
        self.cifar = t == 'ResNet_CIFAR'
        self.groups = bb.get('groups', 1) if t == 'ResNeXt' else 1
        self.width_per_group = bb.get('width_per_group', 4)
        self.se_ratio = bb.get('se_ratio', 16) if t == 'SEResNet' else 0
        self.eps = (bb.get('norm_cfg') or {}).get('eps', 1e-5)
        head = model['head']
        self.num_classes = head['num_classes']
        self.head_in = head['in_channels']


def bn(c, eps):
    return nn.BatchNorm2d(c, eps=eps)


class ConvModule(nn.Module):  # deep stem unit: names conv / bn
    def __init__(self, cin, cout, stride, eps):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn = bn(cout, eps)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class AvgDown(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return F.avg_pool2d(x, self.s, self.s, ceil_mode=True, count_include_pad=False)


class SE(nn.Module):
    def __init__(self, c, ratio):
        super().__init__()
        s = make_divisible(c // ratio, 8)
        self.conv1 = nn.Module()
        self.conv1.conv = nn.Conv2d(c, s, 1, bias=True)
        self.conv2 = nn.Module()
        self.conv2.conv = nn.Conv2d(s, c, 1, bias=True)

    def forward(self, x):
        w = x.mean(dim=(2, 3), keepdim=True)
        w = F.relu(self.conv1.conv(w))
        w = torch.sigmoid(self.conv2.conv(w))
        return x * w


class Block(nn.Module):
    def __init__(self, sp, cin, cout, stride, downsample):
        super().__init__()
        eps = sp.eps
        if sp.block == 'basic':
            self.n = 2
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = bn(cout, eps)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = bn(cout, eps)
        else:
            self.n = 3
            mid = cout // sp.expansion
            if sp.groups != 1:
                mid = sp.groups * sp.width_per_group * mid // sp.base_channels
            s1, s2 = (stride, 1) if sp.style == 'caffe' else (1, stride)
            self.conv1 = nn.Conv2d(cin, mid, 1, s1, 0, bias=False)
            self.bn1 = bn(mid, eps)
            self.conv2 = nn.Conv2d(mid, mid, 3, s2, 1, groups=sp.groups, bias=False)
            self.bn2 = bn(mid, eps)
            self.conv3 = nn.Conv2d(mid, cout, 1, 1, 0, bias=False)
            self.bn3 = bn(cout, eps)
        self.downsample = downsample
        if sp.se_ratio:
            self.se_layer = SE(cout, sp.se_ratio)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        if self.n == 2:
            y = self.bn2(self.conv2(y))
        else:
            y = F.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
        if hasattr(self, 'se_layer'):
            y = self.se_layer(y)
        s = x if self.downsample is None else self.downsample(x)
        return F.relu(y + s)


class Backbone(nn.Module):
    def __init__(self, sp):
        super().__init__()
        self.sp = sp
        if sp.deep_stem:
            h = sp.stem_channels // 2
            self.stem = nn.Sequential(ConvModule(sp.in_channels, h, 2, sp.eps),
                                      ConvModule(h, h, 1, sp.eps),
                                      ConvModule(h, sp.stem_channels, 1, sp.eps))
        else:
            k, s = (3, 1) if sp.cifar else (7, 2)
            self.conv1 = nn.Conv2d(sp.in_channels, sp.stem_channels, k, s, k // 2, bias=False)
            self.bn1 = bn(sp.stem_channels, sp.eps)
        cin, cout = sp.stem_channels, sp.base_channels * sp.expansion
        self.layers = []
        for i, nb in enumerate(sp.stage_blocks):
            blocks = []
            for j in range(nb):
                s = sp.strides[i] if j == 0 else 1
                ds = None
                if j == 0 and (s != 1 or cin != cout):
                    parts = []
                    if sp.avg_down and s != 1:
                        parts.append(AvgDown(s))
                    parts += [nn.Conv2d(cin, cout, 1, 1 if parts else s, bias=False),
                              bn(cout, sp.eps)]
                    ds = nn.Sequential(*parts)
                blocks.append(Block(sp, cin if j == 0 else cout, cout, s, ds))
            name = f'layer{i + 1}'
            self.add_module(name, nn.Sequential(*blocks))
            self.layers.append(name)
            cin, cout = cout, cout * 2
        self.out_channels = cin

    def forward(self, x):
        if self.sp.deep_stem:
            x = self.stem(x)
        else:
            x = F.relu(self.bn1(self.conv1(x)))
        if not self.sp.cifar:
            x = F.max_pool2d(x, 3, 2, 1)
        for name in self.layers:
            x = getattr(self, name)(x)
        return x


class Classifier(nn.Module):
    def __init__(self, sp):
        super().__init__()
        self.backbone = Backbone(sp)
        assert sp.head_in == self.backbone.out_channels, 'head in_channels'
        self.head = nn.Module()
        self.head.fc = nn.Linear(sp.head_in, sp.num_classes)

    def forward(self, x):
        f = self.backbone(x).mean(dim=(2, 3))  # GlobalAveragePooling
        return self.head.fc(f)


def build(config_path):
    return Classifier(Spec(load_config(config_path)))


def tensor_list(model):
    params = {n for n, _ in model.named_parameters()}
    out = []
    for n, t in model.state_dict().items():
        kind = 'weight' if n in params else ('ignored' if n.endswith('num_batches_tracked')
                                             else 'buffer')
        out.append([n, list(t.shape), kind])
    return out


def load(model, ckpt_path):
    obj = torch.load(ckpt_path, map_location='cpu')
    sd = obj.get('state_dict', obj)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if missing or unexpected:
        raise SystemExit(f'{ckpt_path}: missing {missing[:5]}, unexpected {unexpected[:5]}')
    return model.eval()


def keys_json(config_path, f):
    m = build(config_path)
    json.dump({'parameters': sum(p.numel() for p in m.parameters()),
               'tensors': tensor_list(m)}, f)
    f.write('\n')


def main(argv):
    if len(argv) == 2 and argv[1] == '--keys':
        keys_json(argv[0], sys.stdout)
        return 0
    if len(argv) >= 2 and argv[0] == '--keys-dir':
        for c in argv[2:]:
            name = os.path.basename(c)[:-3] if c.endswith('.py') else os.path.basename(c)
            with open(os.path.join(argv[1], name + '.ref.json'), 'w') as f:
                keys_json(c, f)
        return 0
    if len(argv) != 5:
        raise SystemExit(__doc__)
    cfg_path, ckpt_path, in_path, batch, out_path = argv
    m = load(build(cfg_path), ckpt_path)
    x = torch.from_numpy(__import__('numpy').fromfile(in_path, dtype='float32').copy())
    b = int(batch)
    x = x.reshape(b, m.backbone.sp.in_channels, -1)
    hw = x.shape[2]
    h = int(round(hw ** 0.5))
    if h * h != hw:
        raise SystemExit('IN.f32 must hold square images')
    with torch.no_grad():
        y = m(x.reshape(b, -1, h, h))
    y.numpy().astype('float32').tofile(out_path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
