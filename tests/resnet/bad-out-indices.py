# Refused: out_indices (tests/suites/resnet.sh expects an error naming it)
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=512))
