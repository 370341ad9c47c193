# Tiny fixture: Bottleneck (pytorch style), 3 stages, custom strides, bn eps
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1), out_indices=(-1, ), stem_channels=8, base_channels=4, norm_cfg=dict(type='BN', eps=1e-3)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=5, in_channels=64))
