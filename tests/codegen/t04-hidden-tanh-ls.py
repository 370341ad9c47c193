# 1.x: VisionTransformerClsHead with a hidden layer (hidden_dim 17 + Tanh), layer scale 0.1,
# 2 heads of 12, patch 8 on 32x32: 1+16 = 17 tokens.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=24, num_layers=2, num_heads=2, feedforward_channels=40),
        img_size=32,
        patch_size=8,
        layer_scale_init_value=0.1),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=9, in_channels=24, hidden_dim=17))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=32, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]))
