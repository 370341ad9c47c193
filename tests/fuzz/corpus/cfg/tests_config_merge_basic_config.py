# Child over two sibling bases: dicts merge recursively, lists and other values replace,
# base key order is kept and new keys come last.
_base_ = ['./_base_/models/vit.py', '_base_/datasets/imagenet.py']
model = dict(backbone=dict(arch='l', out_indices=(3, ), init_cfg=None, new_key=1),
             head=dict(num_classes=10), neck=dict(type='GlobalAveragePooling'))
img_norm_cfg = dict(mean=[0, 0, 0])
data = dict(test=dict(pipeline=[dict(type='LoadImageFromFile')]))
extra = 1
