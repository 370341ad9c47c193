# MAE linear-probe test pipeline (v1.2.0 imagenet_bs32_pil_resize.py)
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
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
test_dataloader = dict(batch_size=64, dataset=dict(type=dataset_type, pipeline=test_pipeline))
