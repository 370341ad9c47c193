# EVA 560px test pipeline (v1.2.0 imagenet_bs16_eva_560.py)
# (only what the test pipeline needs; written here in mmpretrain's layout)
dataset_type = 'ImageNet'
data_preprocessor = dict(
    num_classes=1000,
    mean=[0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255],
    std=[0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255],
    to_rgb=True,
)

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=560, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=560),
    dict(type='PackInputs'),
]
test_dataloader = dict(batch_size=16, dataset=dict(type=dataset_type, pipeline=test_pipeline))
