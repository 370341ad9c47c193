# UNSUPPORTED by mmcc (checked for a clean diagnostic, not for parity).
# 0.x backbone options: with_cls_token=False (the 0.x backbone still owns cls_token and a
# 1+N-row pos_embed, and drops the class token after pre_norm), avg_token + LinearClsHead,
# pre_norm. 2 heads of 7, patch 4 on 20x20: 25 tokens in the encoder.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=14, num_layers=2, num_heads=2, feedforward_channels=28),
        img_size=20,
        patch_size=4,
        pre_norm=True,
        with_cls_token=False,
        output_cls_token=False,
        avg_token=True),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=5, in_channels=14))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=20, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=20),
    dict(type='PackInputs'),
]))
