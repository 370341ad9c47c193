# 0.x backbone options (CLIP commit): avg_token=True, output_cls_token=False: the head gets
# ln2(mean of the patch tokens); LinearClsHead. 3 heads of 6, patch 8 on 24x24: 1+9 tokens.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=18, num_layers=2, num_heads=3, feedforward_channels=24),
        img_size=24,
        patch_size=8,
        avg_token=True,
        output_cls_token=False),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=4, in_channels=18))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=24, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=24),
    dict(type='PackInputs'),
]))
