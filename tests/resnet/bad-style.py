# Refused: style (tests/suites/resnet.sh expects an error naming it)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50, style='tf'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=2048))
