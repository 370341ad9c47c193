# ImageNet test pipeline of the ResNet fixtures: mmpretrain v1.2.0
# configs/_base_/datasets/imagenet_bs256_rsb_a12.py (ResNet-50 rsb-a1/a2): ResizeEdge(236,
# pillow, bicubic) -> CenterCrop(224). (The plain ResNet configs use cv2 bilinear, which mmcc's
# preprocessing does not implement yet; the backbone is what these fixtures test.)
data_preprocessor = dict(
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=236, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
test_dataloader = dict(batch_size=64, dataset=dict(type='ImageNet', pipeline=test_pipeline))
