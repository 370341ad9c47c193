# Refused: deep_stem (tests/suites/resnet.sh expects an error naming it)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNetV1c', depth=50, deep_stem=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=2048))
