# Tiny fixture: BasicBlock, 7x7 stem + max-pool, 2 stages, narrow
_base_ = ['./_pipeline_in1k.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=2, strides=(1, 2), dilations=(1, 1), out_indices=(1, ), stem_channels=8, base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=7, in_channels=16))
