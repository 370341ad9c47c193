_base_ = ['./_pipeline_1x.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='SwinTransformer', arch='tiny'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=768))
