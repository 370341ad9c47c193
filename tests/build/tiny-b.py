# tests/build: a second tiny ViT (different shapes, same runtime and kernel inside) so that
# two mmcc libraries are linked into one program: embed 16, 1 layer, 2 heads, patch 4 on
# 16x16 -> 1+16 tokens, a hidden pre_logits layer, 1000 classes (ImageNet class names).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=16, num_layers=1, num_heads=2, feedforward_channels=32),
        img_size=16,
        patch_size=4),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=1000, in_channels=16,
              hidden_dim=20))
data_preprocessor = dict(
    num_classes=1000, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=16, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=16),
    dict(type='PackInputs'),
]))
