# MoCoV3ViT, the shape of MoCo v3's linear probes (configs/mocov3/benchmarks/vit-*-linear*):
# frozen, stop_grad_conv1, norm_eval, 'Pretrained' init_cfg (all training-only), class token,
# VisionTransformerClsHead without hidden layer; heads of 32 as in 'mocov3-small'
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='MoCoV3ViT',
                  arch=dict(embed_dims=64, num_layers=2, num_heads=2, feedforward_channels=256),
                  img_size=32, patch_size=8, stop_grad_conv1=True, frozen_stages=2,
                  norm_eval=True,
                  init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    head=dict(type='VisionTransformerClsHead', num_classes=7, in_channels=64,
              init_cfg=dict(type='Normal', std=0.01, layer='Linear')))
