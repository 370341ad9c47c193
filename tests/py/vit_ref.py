"""Independent PyTorch reference of mmpretrain's ViT image classifier, written from torch ops.

Covers mmpretrain's ViT family: VisionTransformer (mmpretrain v1.2.0 and the 0.x-style backbone
of the CLIP commit 5b266d9e7c: models/backbones/vision_transformer.py, models/utils/attention.py,
models/utils/embed.py, mmcv's PatchEmbed/FFN), DistilledVisionTransformer
(models/backbones/deit.py), DeiT3 (models/backbones/deit3.py), MoCoV3ViT
(models/selfsup/mocov3.py: a VisionTransformer with one more arch), the GlobalAveragePooling and
ClsBatchNormNeck (models/necks/mae_neck.py) necks, and the VisionTransformerClsHead /
DeiTClsHead (models/heads/deit_head.py) / LinearClsHead heads (or none). Every architecture parameter and
default is derived here from the resolved config, following the upstream code, never from
mmcc. mmpretrain itself is not importable here (and not needed).

    vit_ref.py CONFIG.py|CONFIG.json CHECKPOINT.pth IN.f32 N OUT.f32 [--input-size H W]
               [--direct-pos] [--ln-eps EPS] [--gelu-tanh]

IN.f32 holds N x in_channels x H x W float32 (little-endian, contiguous); OUT.f32 receives
N x num_classes (headless: N x feature width). H x W defaults to the test pipeline's crop size.
--direct-pos: the wrong use of a checkpoint whose pos_embed grid differs from img_size's
(resized once, straight to the input grid) for sensitivity checks.
--ln-eps EPS, --gelu-tanh: other deliberately WRONG variants for sensitivity checks (every
LayerNorm with EPS instead of the config's; GELU's tanh approximation instead of erf).
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, __import__('os').path.dirname(__file__))
from mmcfg_mini import load_config  # noqa: E402

# VisionTransformer.arch_zoo (v1.2.0; the CLIP commit has the same entries minus dinov2)
ARCH_ZOO = {}
DEIT3_ARCH_ZOO = {}  # DeiT3.arch_zoo (v1.2.0)
for keys, v in [
    (['s', 'small'], (384, 12, 6, 1536)),
    (['m', 'medium'], (512, 12, 8, 2048)),
    (['b', 'base'], (768, 12, 12, 3072)),
    (['l', 'large'], (1024, 24, 16, 4096)),
    (['h', 'huge'], (1280, 32, 16, 5120)),
]:
    for k in keys:
        DEIT3_ARCH_ZOO[k] = dict(zip(['embed_dims', 'num_layers', 'num_heads',
                                      'feedforward_channels'], v))
for keys, v in [
    (['s', 'small'], (768, 8, 8, 768 * 3)),
    (['b', 'base'], (768, 12, 12, 3072)),
    (['l', 'large'], (1024, 24, 16, 4096)),
    (['h', 'huge'], (1280, 32, 16, 5120)),
    (['eva-g', 'eva-giant'], (1408, 40, 16, 6144)),
    (['deit-t', 'deit-tiny'], (192, 12, 3, 192 * 4)),
    (['deit-s', 'deit-small', 'dinov2-s', 'dinov2-small'], (384, 12, 6, 384 * 4)),
    (['deit-b', 'deit-base'], (768, 12, 12, 768 * 4)),
    (['dinov2-g', 'dinov2-giant'], (1536, 40, 24, 6144)),
]:
    for k in keys:
        ARCH_ZOO[k] = dict(zip(['embed_dims', 'num_layers', 'num_heads',
                                'feedforward_channels'], v))


# MoCoV3ViT.__init__: arch_zoo.update() with its ViT-small (12 heads of 32, unlike 's')
MOCOV3_ARCH_ZOO = dict(ARCH_ZOO)
for k in ['mocov3-s', 'mocov3-small']:
    MOCOV3_ARCH_ZOO[k] = dict(embed_dims=384, num_layers=12, num_heads=12,
                              feedforward_channels=1536)


def to_2tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x, x)


class Spec:
    """The model as upstream builds it from the config."""

    def __init__(self, cfg):
        model = cfg['model']
        bb = model['backbone']
        kind = str(bb.get('type')).split('.')[-1]
        if kind not in ('VisionTransformer', 'DistilledVisionTransformer', 'DeiT3', 'MoCoV3ViT'):
            raise SystemExit(f"vit_ref: backbone {bb.get('type')!r} is not of the ViT family")
        self.kind = kind
        # deit.py: DistilledVisionTransformer(arch='deit-base', ...) forces with_cls_token
        if kind == 'DistilledVisionTransformer' and 'with_cls_token' in bb:
            raise SystemExit('vit_ref: DistilledVisionTransformer takes no with_cls_token')
        if kind == 'DeiT3' and ('pre_norm' in bb or 'layer_scale_init_value' in bb):
            raise SystemExit('vit_ref: DeiT3 has no pre_norm / layer_scale_init_value argument')
        arch = bb.get('arch', 'deit-base' if kind == 'DistilledVisionTransformer' else 'base')
        if isinstance(arch, str):
            a = {'DeiT3': DEIT3_ARCH_ZOO, 'MoCoV3ViT': MOCOV3_ARCH_ZOO}.get(
                kind, ARCH_ZOO)[arch.lower()]
        else:
            a = arch
        self.D = a['embed_dims']
        self.L = a['num_layers']
        self.heads = a['num_heads']
        self.F = a['feedforward_channels']
        self.img_size = to_2tuple(bb.get('img_size', 224))
        self.patch = bb.get('patch_size', 16)
        self.in_ch = bb.get('in_channels', 3)
        self.qkv_bias = bb.get('qkv_bias', True)
        # norm_cfg default dict(type='LN', eps=1e-6); a given norm_cfg without eps builds
        # nn.LayerNorm with its own default 1e-5 (mmcv build_norm_layer)
        norm_cfg = bb.get('norm_cfg', dict(type='LN', eps=1e-6))
        assert norm_cfg.get('type') in ('LN', 'LayerNorm'), norm_cfg
        self.eps = norm_cfg.get('eps', 1e-5)
        self.final_norm = bb.get('final_norm', True)
        self.with_cls = bb.get('with_cls_token', True)
        self.pre_norm = bb.get('pre_norm', False)
        patch_cfg = bb.get('patch_cfg', {}) or {}
        self.patch_bias = patch_cfg.get('bias', not self.pre_norm)
        self.layer_scale = bb.get('layer_scale_init_value', 0.)
        if kind == 'DeiT3':
            # attention.py: use_layer_scale -> `layer_scale_init_value or 1e-5`; DeiT3FFN gamma2
            self.layer_scale = 1e-5 if bb.get('use_layer_scale', True) else 0.
        self.mode = bb.get('interpolate_mode', 'bicubic')
        out_indices = bb.get('out_indices', -1)
        out_indices = [out_indices] if isinstance(out_indices, int) else list(out_indices)
        out_indices = [i + self.L if i < 0 else i for i in out_indices]
        if out_indices != [self.L - 1]:
            raise SystemExit(f'vit_ref: out_indices {out_indices}: only the last layer')
        # 0.x generation (CLIP commit): output_cls_token / avg_token instead of out_type
        self.gen0 = 'out_type' not in bb and ('output_cls_token' in bb or 'avg_token' in bb)
        if self.gen0:
            self.output_cls_token = bb.get('output_cls_token', True)
            self.avg_token = bb.get('avg_token', False)
            if self.output_cls_token and not self.with_cls:
                raise SystemExit('vit_ref: output_cls_token needs with_cls_token')
            self.extra = 1          # the class token always exists in the 0.x backbone
            self.has_cls_param = True
            self.avg_norm = self.avg_token
        else:
            self.out_type = bb.get('out_type', 'cls_token')
            if not self.with_cls and self.out_type == 'cls_token':
                raise SystemExit('vit_ref: with_cls_token must be True for out_type cls_token')
            self.extra = 1 if self.with_cls else 0
            self.has_cls_param = self.with_cls
            self.avg_norm = self.out_type == 'avg_featmap'
        if kind == 'MoCoV3ViT':
            self.mocov3_init(bb)
        # extra tokens before the patches, and pos_embed rows before the grid rows
        self.dist = kind == 'DistilledVisionTransformer'
        if self.dist:
            self.extra = 2                  # [cls, dist, patches]
        self.pos_extra = 0 if kind == 'DeiT3' else self.extra
        if kind == 'DeiT3' and self.avg_norm:
            raise SystemExit('vit_ref: DeiT3 builds no ln2: avg_featmap fails upstream')
        # deit.py forward never applies pre_norm (the module exists when asked for)
        self.apply_pre_norm = self.pre_norm and not self.dist
        self.grid = tuple(math.ceil(s / self.patch) for s in self.img_size)
        neck = model.get('neck')
        self.neck = None if neck is None else neck['type']
        if self.neck not in (None, 'GlobalAveragePooling', 'ClsBatchNormNeck'):
            raise SystemExit(f'vit_ref: neck {self.neck} unsupported')
        if self.neck == 'ClsBatchNormNeck':
            self.bn_C = neck['input_features']
            self.bn_affine = neck.get('affine', False)
            self.bn_eps = neck.get('eps', 1e-6)
        head = model.get('head')
        self.head = None if head is None else head['type']
        self.hidden_dim = None
        self.num_classes = 0
        if self.head in ('VisionTransformerClsHead', 'DeiTClsHead'):
            self.num_classes = head['num_classes']
            self.head_in = head['in_channels']
            self.hidden_dim = head.get('hidden_dim')
            self.head_act = (head.get('act_cfg') or dict(type='Tanh'))['type']
        elif self.head == 'LinearClsHead':
            self.num_classes = head['num_classes']
            self.head_in = head['in_channels']
        elif self.head is not None:
            raise SystemExit(f'vit_ref: head {self.head} unsupported')

    def mocov3_init(self, bb):
        """What MoCoV3ViT.__init__ adds to VisionTransformer's: requires_grad switches
        (nothing at test time), and three ways to fail. pos_embed stays an nn.Parameter (its
        sin-cos values come from init_weights when not 'Pretrained'): a checkpoint tensor."""
        if self.gen0:                        # 1.x only: VisionTransformer raises TypeError
            raise SystemExit('vit_ref: MoCoV3ViT takes no output_cls_token / avg_token')
        if 'patch_size' not in bb:          # self.patch_size = kwargs['patch_size']
            raise SystemExit("vit_ref: MoCoV3ViT reads kwargs['patch_size'] (KeyError)")
        if bb.get('stop_grad_conv1', False) and not self.patch_bias:
            raise SystemExit('vit_ref: MoCoV3ViT stop_grad_conv1 needs the patch conv bias')
        frozen = bb.get('frozen_stages', -1)
        if frozen >= 0 and not self.with_cls:  # cls_token.requires_grad on None
            raise SystemExit('vit_ref: MoCoV3ViT frozen_stages >= 0 needs the class token')
        if frozen > self.L:                  # self.layers[i - 1], i up to frozen_stages
            raise SystemExit('vit_ref: MoCoV3ViT frozen_stages beyond the last layer')

    def params(self):
        """(name, shape) in state_dict order, as upstream registers them."""
        D, F_ = self.D, self.F
        p = []
        if self.has_cls_param:
            p.append(('backbone.cls_token', (1, 1, D)))
        p.append(('backbone.pos_embed', (1, self.grid[0] * self.grid[1] + self.pos_extra, D)))
        if self.dist:  # registered after VisionTransformer.__init__
            p.append(('backbone.dist_token', (1, 1, D)))
        p.append(('backbone.patch_embed.projection.weight', (D, self.in_ch, self.patch, self.patch)))
        if self.patch_bias:
            p.append(('backbone.patch_embed.projection.bias', (D,)))
        for i in range(self.L):
            b = f'backbone.layers.{i}.'
            p += [(b + 'ln1.weight', (D,)), (b + 'ln1.bias', (D,)),
                  (b + 'attn.qkv.weight', (3 * D, D))]
            if self.qkv_bias:
                p.append((b + 'attn.qkv.bias', (3 * D,)))
            p += [(b + 'attn.proj.weight', (D, D)), (b + 'attn.proj.bias', (D,))]
            if self.layer_scale > 0:
                p.append((b + 'attn.gamma1.weight', (D,)))
            p += [(b + 'ln2.weight', (D,)), (b + 'ln2.bias', (D,)),
                  (b + 'ffn.layers.0.0.weight', (F_, D)), (b + 'ffn.layers.0.0.bias', (F_,)),
                  (b + 'ffn.layers.1.weight', (D, F_)), (b + 'ffn.layers.1.bias', (D,))]
            if self.layer_scale > 0:
                p.append((b + 'ffn.gamma2.weight', (D,)))
        if self.pre_norm:
            p += [('backbone.pre_norm.weight', (D,)), ('backbone.pre_norm.bias', (D,))]
        if self.final_norm:
            p += [('backbone.ln1.weight', (D,)), ('backbone.ln1.bias', (D,))]
        if self.avg_norm:
            p += [('backbone.ln2.weight', (D,)), ('backbone.ln2.bias', (D,))]
        if self.neck == 'ClsBatchNormNeck' and self.bn_affine:
            p += [('neck.bn.weight', (self.bn_C,)), ('neck.bn.bias', (self.bn_C,))]
        if self.head in ('VisionTransformerClsHead', 'DeiTClsHead'):
            w = self.head_in
            if self.hidden_dim is not None:
                p += [('head.layers.pre_logits.weight', (self.hidden_dim, self.head_in)),
                      ('head.layers.pre_logits.bias', (self.hidden_dim,))]
                w = self.hidden_dim
            p += [('head.layers.head.weight', (self.num_classes, w)),
                  ('head.layers.head.bias', (self.num_classes,))]
            if self.head == 'DeiTClsHead':
                p += [('head.layers.head_dist.weight', (self.num_classes, w)),
                      ('head.layers.head_dist.bias', (self.num_classes,))]
        elif self.head == 'LinearClsHead':
            p += [('head.fc.weight', (self.num_classes, self.head_in)),
                  ('head.fc.bias', (self.num_classes,))]
        return p

    def buffers(self):
        """(name, shape, dtype) of the registered buffers in the state dict (BatchNorm1d)."""
        if self.neck != 'ClsBatchNormNeck':
            return []
        return [('neck.bn.running_mean', (self.bn_C,), torch.float32),
                ('neck.bn.running_var', (self.bn_C,), torch.float32),
                ('neck.bn.num_batches_tracked', (), torch.int64)]

    def state_keys(self):
        """Every key load_state_dict(strict=True) would demand, in state_dict order (the
        neck's buffers come after its parameters, the head after the neck)."""
        names = [n for n, _ in self.params()]
        bufs = [n for n, _, _ in self.buffers()]
        heads = [n for n in names if n.startswith('head.')]
        return [n for n in names if not n.startswith('head.')] + bufs + heads


def resize_pos_embed(pos_embed, src_shape, dst_shape, mode, num_extra_tokens):
    """models/utils/embed.py resize_pos_embed: early return for equal grids; the extra
    tokens are kept; the grid goes through F.interpolate(align_corners=False) in float32 and
    back to the source dtype."""
    if src_shape[0] == dst_shape[0] and src_shape[1] == dst_shape[1]:
        return pos_embed
    _, L, C = pos_embed.shape
    src_h, src_w = src_shape
    assert L == src_h * src_w + num_extra_tokens, (L, src_shape, num_extra_tokens)
    extra = pos_embed[:, :num_extra_tokens]
    w = pos_embed[:, num_extra_tokens:].reshape(1, src_h, src_w, C).permute(0, 3, 1, 2)
    dst = F.interpolate(w.float(), size=dst_shape, align_corners=False, mode=mode)
    dst = torch.flatten(dst, 2).transpose(1, 2).to(w.dtype)
    return torch.cat((extra, dst), dim=1)


def load_state(spec, ckpt_path, direct_pos=False):
    """torch.load + mmengine's state-dict unwrapping + the backbone's _prepare_pos_embed
    hook + load_state_dict's copy into float32 parameters. direct_pos (a deliberately WRONG
    variant, for showing that the tests notice): skip the load-time resize and use the
    checkpoint's own grid as the one the forward resizes from."""
    obj = torch.load(ckpt_path, map_location='cpu')
    sd = obj
    for key in ('state_dict', 'model', 'module'):
        if isinstance(obj, dict) and key in obj:
            sd = obj[key]
            break
    sd = {(k[7:] if k.startswith('module.') else k): v for k, v in sd.items()}
    name = 'backbone.pos_embed'
    want_rows = spec.grid[0] * spec.grid[1] + spec.pos_extra
    if name in sd:
        pe = sd[name]
        # VisionTransformer's hook drops a class row the model lacks; DeiT3's has none
        if (not spec.gen0 and not spec.with_cls and spec.kind != 'DeiT3'
                and pe.shape[1] == want_rows + 1):
            pe = pe[:, 1:]
        if tuple(pe.shape) != (1, want_rows, spec.D):
            side = int(math.sqrt(pe.shape[1] - spec.pos_extra))
            if direct_pos:
                spec.grid = (side, side)
            else:
                pe = resize_pos_embed(pe, (side, side), spec.grid, spec.mode, spec.pos_extra)
        sd[name] = pe
    params = {}
    for n, shape in spec.params():
        t = sd[n]
        if n == name and direct_pos:
            shape = tuple(t.shape)
        assert tuple(t.shape) == tuple(shape), (n, tuple(t.shape), shape)
        params[n] = t.to(torch.float32).contiguous()
    for n, shape, _ in spec.buffers():
        if n.endswith('num_batches_tracked'):
            continue  # not used in eval mode
        t = sd[n]
        assert tuple(t.shape) == tuple(shape), (n, tuple(t.shape), shape)
        params[n] = t.to(torch.float32).contiguous()
    return params


def checkpoint_keys(ckpt_path):
    """The state-dict keys of a checkpoint, unwrapped as load_state does."""
    obj = torch.load(ckpt_path, map_location='cpu')
    sd = obj
    for key in ('state_dict', 'model', 'module'):
        if isinstance(obj, dict) and key in obj:
            sd = obj[key]
            break
    return [(k[7:] if k.startswith('module.') else k) for k in sd]


def layer_norm(x, p, name, eps):
    return F.layer_norm(x, (x.shape[-1],), p[name + '.weight'], p[name + '.bias'], eps)


def linear(x, p, name):
    return F.linear(x, p[name + '.weight'], p.get(name + '.bias'))


def backbone(spec, p, x):
    B, _, H, W = x.shape
    P = spec.patch
    # mmcv PatchEmbed: AdaptivePadding(padding='corner') pads bottom/right to whole patches
    pad_h = max((math.ceil(H / P) - 1) * P + P - H, 0)
    pad_w = max((math.ceil(W / P) - 1) * P + P - W, 0)
    if pad_h or pad_w:
        x = F.pad(x, [0, pad_w, 0, pad_h])
    x = F.conv2d(x, p['backbone.patch_embed.projection.weight'],
                 p.get('backbone.patch_embed.projection.bias'), stride=P)
    hw = (x.shape[2], x.shape[3])
    x = x.flatten(2).transpose(1, 2)
    pos = resize_pos_embed(p['backbone.pos_embed'], spec.grid, hw, spec.mode, spec.pos_extra)
    if spec.kind == 'DeiT3':
        # deit3.py: positions on the patch tokens first, then the class token (no position)
        x = x + pos
        if spec.has_cls_param:
            x = torch.cat((p['backbone.cls_token'].expand(B, -1, -1), x), dim=1)
    else:
        tokens = []
        if spec.has_cls_param:
            tokens.append(p['backbone.cls_token'].expand(B, -1, -1))
        if spec.dist:  # deit.py: [cls, dist, patches]
            tokens.append(p['backbone.dist_token'].expand(B, -1, -1))
        if tokens:  # (no cat without extra tokens: keeps x's memory layout, as upstream)
            x = torch.cat(tokens + [x], dim=1)
        x = x + pos
    if spec.apply_pre_norm:
        x = layer_norm(x, p, 'backbone.pre_norm', spec.eps)
    if spec.gen0 and not spec.with_cls:
        x = x[:, 1:]
    D, Hn = spec.D, spec.heads
    hd = D // Hn
    for i in range(spec.L):
        b = f'backbone.layers.{i}.'
        # attention (models/utils/attention.py MultiheadAttention)
        y = layer_norm(x, p, b + 'ln1', spec.eps)
        N = y.shape[1]
        qkv = linear(y, p, b + 'attn.qkv').reshape(B, N, 3, Hn, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        # scaled_dot_product_attention_pyimpl (torch < 2.0): a division by sqrt(head_dim),
        # not a product with its inverse (the bits differ unless head_dim is a power of 4)
        att = q @ k.transpose(-2, -1) / (q.size(-1) ** 0.5)
        att = att.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, N, D)
        y = linear(y, p, b + 'attn.proj')
        if spec.layer_scale > 0:
            y = y * p[b + 'attn.gamma1.weight']
        x = x + y
        # FFN (mmcv FFN / DeiT3FFN: Linear, GELU, Linear; identity added). DeiT3's layer
        # normalises the FFN input with ln1 again (its ln2 is built but never applied).
        y = layer_norm(x, p, b + ('ln1' if spec.kind == 'DeiT3' else 'ln2'), spec.eps)
        y = F.gelu(linear(y, p, b + 'ffn.layers.0.0'))
        y = linear(y, p, b + 'ffn.layers.1')
        if spec.layer_scale > 0:
            y = y * p[b + 'ffn.gamma2.weight']
        x = x + y
        if i == spec.L - 1 and spec.final_norm:
            x = layer_norm(x, p, 'backbone.ln1', spec.eps)
    # output formatting of the last layer
    if spec.gen0:
        if spec.with_cls:
            patch = x[:, 1:].reshape(B, *hw, D).permute(0, 3, 1, 2)
            cls = x[:, 0]
        else:
            patch = x.reshape(B, *hw, D).permute(0, 3, 1, 2)
            cls = None
        if spec.avg_token:
            patch = patch.permute(0, 2, 3, 1).reshape(B, hw[0] * hw[1], D).mean(dim=1)
            patch = layer_norm(patch, p, 'backbone.ln2', spec.eps)
        return [patch, cls] if spec.output_cls_token else patch
    if spec.out_type == 'raw':
        return x
    if spec.out_type == 'cls_token':
        return (x[:, 0], x[:, 1]) if spec.dist else x[:, 0]
    patch = x[:, spec.extra:]
    if spec.out_type == 'featmap':
        return patch.reshape(B, *hw, -1).permute(0, 3, 1, 2)
    return layer_norm(patch.mean(dim=1), p, 'backbone.ln2', spec.eps)


def activation(name, x):
    return {'Tanh': torch.tanh, 'ReLU': F.relu, 'GELU': F.gelu, 'Sigmoid': torch.sigmoid}[name](x)


def forward(spec, p, x):
    feat = backbone(spec, p, x)
    if spec.neck == 'ClsBatchNormNeck':
        # mae_neck.py: BatchNorm1d(C, affine, eps) in eval mode on each backbone output
        if not isinstance(feat, torch.Tensor) or feat.dim() != 2:
            raise SystemExit('vit_ref: ClsBatchNormNeck needs (B, C) features')
        feat = F.batch_norm(feat, p['neck.bn.running_mean'], p['neck.bn.running_var'],
                            p.get('neck.bn.weight'), p.get('neck.bn.bias'), training=False,
                            eps=spec.bn_eps)
    if spec.neck == 'GlobalAveragePooling':
        if not isinstance(feat, torch.Tensor) or feat.dim() != 4:
            raise SystemExit('vit_ref: GlobalAveragePooling needs a (B, C, H, W) feature map')
        feat = F.adaptive_avg_pool2d(feat, 1).view(feat.size(0), -1)
    if isinstance(feat, tuple) and spec.head != 'DeiTClsHead':
        raise SystemExit('vit_ref: only DeiTClsHead takes the (cls, dist) pair')
    if spec.head == 'VisionTransformerClsHead':
        if spec.gen0:
            if not isinstance(feat, list):
                raise SystemExit('vit_ref: the 0.x VisionTransformerClsHead needs '
                                 'output_cls_token=True')
            cls = feat[1]
        else:
            cls = feat[-1] if isinstance(feat, list) else feat
        if spec.hidden_dim is not None:
            cls = activation(spec.head_act, linear(cls, p, 'head.layers.pre_logits'))
        return linear(cls, p, 'head.layers.head')
    if spec.head == 'DeiTClsHead':
        # deit_head.py: (cls, dist) through the shared pre_logits + act when hidden_dim,
        # then (head(cls) + head_dist(dist)) / 2
        if not (isinstance(feat, tuple) and len(feat) == 2):
            raise SystemExit('vit_ref: DeiTClsHead needs the (cls, dist) pair')
        cls, dist = feat
        if spec.hidden_dim is not None:
            cls = activation(spec.head_act, linear(cls, p, 'head.layers.pre_logits'))
            dist = activation(spec.head_act, linear(dist, p, 'head.layers.pre_logits'))
        return (linear(cls, p, 'head.layers.head') + linear(dist, p, 'head.layers.head_dist')) / 2
    if spec.head == 'LinearClsHead':
        if not isinstance(feat, torch.Tensor):
            raise SystemExit('vit_ref: LinearClsHead needs one tensor')
        return linear(feat, p, 'head.fc')
    if not isinstance(feat, torch.Tensor) or feat.dim() != 2:
        raise SystemExit('vit_ref: a headless model must produce (B, C) features')
    return feat


def read_config(path):
    if path.endswith('.json'):
        with open(path) as f:
            return json.load(f)
    return load_config(path)


def main(argv):
    if len(argv) < 5:
        raise SystemExit(__doc__)
    cfg = read_config(argv[0])
    spec = Spec(cfg)
    n = int(argv[3])
    if '--input-size' in argv:
        i = argv.index('--input-size')
        H, W = int(argv[i + 1]), int(argv[i + 2])
    else:
        H, W = crop_size(cfg)
    torch.set_num_threads(1)
    if '--ln-eps' in argv:
        spec.eps = float(argv[argv.index('--ln-eps') + 1])
    if '--gelu-tanh' in argv:   # this process only: F.gelu as the tanh approximation
        erf_gelu = F.gelu
        F.gelu = lambda x, approximate='none': erf_gelu(x, approximate='tanh')
    params = load_state(spec, argv[1], direct_pos='--direct-pos' in argv)
    import numpy as np
    x = torch.from_numpy(np.fromfile(argv[2], dtype='<f4').reshape(n, spec.in_ch, H, W).copy())
    with torch.no_grad():
        out = forward(spec, params, x)
    out.detach().numpy().astype('<f4').tofile(argv[4])


def crop_size(cfg):
    """The test pipeline's CenterCrop size (1.x test_dataloader or 0.x data.test)."""
    pipe = None
    if 'test_dataloader' in cfg:
        pipe = cfg['test_dataloader']['dataset']['pipeline']
    elif 'data' in cfg:
        pipe = cfg['data']['test']['pipeline']
    for t in pipe or []:
        if t['type'] == 'CenterCrop':
            return to_2tuple(t['crop_size'])
    raise SystemExit('vit_ref: no CenterCrop in the test pipeline; pass --input-size H W')


if __name__ == '__main__':
    main(sys.argv[1:])
