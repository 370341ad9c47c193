# Tiny fixture: ResNet_CIFAR: 3x3 stride-1 stem, no max-pool
_base_ = ['./_pipeline_cifar.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, num_stages=2, strides=(1, 2), dilations=(1, 1), out_indices=(1, ), stem_channels=8, base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=16))
