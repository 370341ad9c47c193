# Tiny 1.x model with a short-edge resize 40 + centre crop 32 test pipeline: the zoo suite
# builds it with --input-size 48x40 to check that the compiled pipeline is adapted (review #1).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=64, num_layers=2, num_heads=2, feedforward_channels=128),
                  img_size=32, patch_size=8, out_type='featmap', final_norm=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))
data_preprocessor = dict(mean=[1., 2., 3.], std=[4., 5., 6.], to_rgb=False)
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=40, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]))
