# DistilledVisionTransformer featmap (both extra tokens dropped) + GAP + LinearClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='DistilledVisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32,
                  patch_size=8, out_type='featmap'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=7, in_channels=32))
