# 0.x backbone options: output_cls_token=False gives the patch feature map, pooled by the
# GlobalAveragePooling neck, LinearClsHead. Built for 12x12 (3x3 grid), crop 16 (4x4 grid):
# pos_embed resized in the forward; 1+16 = 17 tokens. 2 heads of 13.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=26, num_layers=2, num_heads=2, feedforward_channels=30),
        img_size=12,
        patch_size=4,
        output_cls_token=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=3, in_channels=26))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=16, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=16),
    dict(type='PackInputs'),
]))
