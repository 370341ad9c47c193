# 0.x backbone options: avg_token=True with output_cls_token left True: the backbone returns
# [ln2(mean of patches), class token] and the 0.x VisionTransformerClsHead classifies the
# CLASS TOKEN (`_, cls_token = feats[-1]`); the averaged token is computed but unused.
# 5 heads of 4, one layer, patch 4 on 16x16: 1+16 = 17 tokens.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=20, num_layers=1, num_heads=5, feedforward_channels=32),
        img_size=16,
        patch_size=4,
        avg_token=True),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=8, in_channels=20))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=16, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=16),
    dict(type='PackInputs'),
]))
