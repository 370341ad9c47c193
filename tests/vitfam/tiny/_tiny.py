# Shared parts of the tiny ViT-family configs: a 32x32 test pipeline (1.x layout).
# The configs use a small custom arch: 32 wide, 2 layers, 2 heads, FFN 64, 8x8 patches.
data_preprocessor = dict(
    num_classes=7,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=36, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]
test_dataloader = dict(batch_size=4, dataset=dict(type='ImageNet', pipeline=test_pipeline))
