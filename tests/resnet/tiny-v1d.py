# Tiny fixture: ResNetV1d: deep stem + avg_down shortcut (AvgPool2d before the 1x1 conv)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNetV1d', depth=18, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1), out_indices=(2, ), stem_channels=8, base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=4, in_channels=32))
