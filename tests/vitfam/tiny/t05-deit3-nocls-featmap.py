# DeiT3 without layer scale and without a class token, featmap + GAP + LinearClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='DeiT3',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8,
                  use_layer_scale=False, with_cls_token=False, out_type='featmap'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=7, in_channels=32))
