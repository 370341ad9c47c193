# 1.x: out_type='avg_featmap' (mean of the patch tokens + ln2) without a class token (0 extra
# tokens: 7x7 = 49 tokens), no final norm, 2 heads of 11, patch 4 on 28x28.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=22, num_layers=2, num_heads=2, feedforward_channels=44),
        img_size=28,
        patch_size=4,
        out_type='avg_featmap',
        with_cls_token=False,
        final_norm=False),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=6, in_channels=22))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=28, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=28),
    dict(type='PackInputs'),
]))
