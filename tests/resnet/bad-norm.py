# Refused: norm_cfg (tests/suites/resnet.sh expects an error naming it)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='GN', num_groups=32)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=512))
