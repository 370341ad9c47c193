# DeiT-tiny as mmpretrain v1.2.0 configs/deit/deit-tiny_4xb256_in1k.py builds it
# (metafile Parameters: 5717416).
_base_ = ['./_pipeline_1x.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer', arch='deit-tiny', img_size=224, patch_size=16),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=1000, in_channels=192))
