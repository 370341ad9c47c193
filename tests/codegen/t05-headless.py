# 1.x headless: the output is the class token (28 wide); 7 heads of 4, one layer, patch 4 on
# 20x20: 1+25 = 26 tokens.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=28, num_layers=1, num_heads=7, feedforward_channels=30),
        img_size=20,
        patch_size=4))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=20, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=20),
    dict(type='PackInputs'),
]))
