# tests/build: a tiny CLIP-style ViT for the library-mechanics suite (tests/suites/build.sh):
# embed 24 (not a multiple of 16 or 12), 2 layers, 3 heads of 8, patch 8 on 40x40 -> 1+25
# tokens, pre_norm (no conv bias), 10 classes.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=24, num_layers=2, num_heads=3, feedforward_channels=40),
        img_size=40,
        patch_size=8,
        pre_norm=True,
        drop_rate=0.1),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=10, in_channels=24))
data_preprocessor = dict(
    num_classes=10, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=44, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=40),
    dict(type='PackInputs'),
]))
