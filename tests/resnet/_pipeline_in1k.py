# ImageNet test pipeline of the ResNet fixtures: mmpretrain v1.2.0
# configs/_base_/datasets/imagenet_bs32.py (the plain ResNet configs, e.g.
# configs/resnet/resnet50_8xb32_in1k.py): ResizeEdge(256, short) with mmcv's default cv2
# backend and bilinear interpolation (cv2.INTER_LINEAR) -> CenterCrop(224).
data_preprocessor = dict(
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
test_dataloader = dict(batch_size=32, dataset=dict(type='ImageNet', pipeline=test_pipeline))
