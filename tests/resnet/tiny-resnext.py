# Tiny fixture: ResNeXt: grouped 3x3 (groups 4, width 2)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNeXt', depth=50, num_stages=2, strides=(1, 2), dilations=(1, 1), out_indices=(1, ), stem_channels=8, base_channels=8, groups=4, width_per_group=2),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=5, in_channels=64))
