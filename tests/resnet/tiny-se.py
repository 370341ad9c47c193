# Tiny fixture: SEResNet: SE after bn3 (ratio 4)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='SEResNet', depth=50, num_stages=2, strides=(1, 2), dilations=(1, 1), out_indices=(1, ), stem_channels=8, base_channels=8, se_ratio=4),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=5, in_channels=64))
