# DeiT3 384 test pipeline (v1.2.0 imagenet_bs64_deit3_384.py)
# (only what the test pipeline needs; written here in mmpretrain's layout)
dataset_type = 'ImageNet'
data_preprocessor = dict(
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=384, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=384),
    dict(type='PackInputs'),
]
test_dataloader = dict(batch_size=64, dataset=dict(type=dataset_type, pipeline=test_pipeline))
