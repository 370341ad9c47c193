# Not an upstream config: ViT-B/16 with mean-pooled tokens and a LinearClsHead.
_base_ = [
    '../_base_/datasets/imagenet_bs64_swin_224.py',
]

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='b',
        img_size=224,
        patch_size=16,
        out_type='avg_featmap'),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=768))
