# 1.x CLIP-like: pre_norm (no patch bias), embed 36, 3 heads of 12, 3 layers, patch 8; the
# backbone is built for 32x32 (4x4 grid) but the crop is 40 (5x5 grid): pos_embed is resized
# in the forward, 1+5x5 = 26 tokens.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=36, num_layers=3, num_heads=3, feedforward_channels=50),
        img_size=32,
        patch_size=8,
        pre_norm=True),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=10, in_channels=36))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=40, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=40),
    dict(type='PackInputs'),
]))
