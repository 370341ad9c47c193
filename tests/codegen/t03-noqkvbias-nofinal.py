# 1.x: qkv without bias, no final norm, norm_cfg without eps (nn.LayerNorm's 1e-5), one
# layer, 5 heads of 6, patch 4 on 24x24: 1+36 = 37 tokens; LinearClsHead on the class token.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=30, num_layers=1, num_heads=5, feedforward_channels=64),
        img_size=24,
        patch_size=4,
        qkv_bias=False,
        final_norm=False,
        norm_cfg=dict(type='LN')),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=5, in_channels=30))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=24, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=24),
    dict(type='PackInputs'),
]))
