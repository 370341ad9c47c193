# 0.x layout (data.test.pipeline with Normalize) and 0.x backbone options: featmap output
# (output_cls_token=False) pooled by GlobalAveragePooling, LinearClsHead; custom arch dict,
# rectangular img_size, layer scale, hidden-free head, BGR normalisation (to_rgb=False).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=64, num_layers=3, num_heads=4, feedforward_channels=128),
        img_size=(96, 64),
        patch_size=8,
        qkv_bias=False,
        output_cls_token=False,
        norm_cfg=dict(type='LN'),
        out_indices=[2]),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))
img_norm_cfg = dict(mean=[103.53, 116.28, 123.675], std=[57.375, 57.12, 58.395], to_rgb=False)
data = dict(
    test=dict(
        type='CustomDataset',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', size=(110, -1), adaptive_side='long', backend='pillow',
                 interpolation='bicubic'),
            dict(type='CenterCrop', crop_size=(96, 64)),
            dict(type='Normalize', **img_norm_cfg),
            dict(type='ImageToTensor', keys=['img']),
            dict(type='Collect', keys=['img']),
        ]))
