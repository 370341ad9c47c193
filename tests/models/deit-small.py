# DeiT-small (mmpretrain v1.2.0 deit metafile Parameters: 22050664); upper-case arch name.
_base_ = ['./_pipeline_1x.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer', arch='DeiT-Small', patch_size=16),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=1000, in_channels=384))
