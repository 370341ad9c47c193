# 1.x, embed 20 (not a multiple of 12 or 16), 4 heads of 5, 2 layers, patch 4: 1+4x4 = 17
# tokens; patch bias (no pre_norm), final norm, qkv bias, VisionTransformerClsHead.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=20, num_layers=2, num_heads=4, feedforward_channels=36),
        img_size=16,
        patch_size=4),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=7, in_channels=20))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=18, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=16),
    dict(type='PackInputs'),
]))
