# 1.x: out_type='featmap' pooled by GlobalAveragePooling, LinearClsHead, pre_norm, 3 layers,
# 4 heads of 8, patch 8 on 48x48: 1+36 = 37 tokens.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=32, num_layers=3, num_heads=4, feedforward_channels=52),
        img_size=48,
        patch_size=8,
        pre_norm=True,
        out_type='featmap'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=11, in_channels=32))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=48, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=48),
    dict(type='PackInputs'),
]))
