# Tiny fixture: Bottleneck, caffe style (stride on the 1x1), expansion 2
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50, num_stages=2, strides=(2, 2), dilations=(1, 1), out_indices=(1, ), stem_channels=8, base_channels=8, expansion=2, style='caffe'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=6, in_channels=32))
