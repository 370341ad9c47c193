# with_cls_token=False, featmap without the final norm, pooled by GlobalAveragePooling,
# LinearClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8,
                  with_cls_token=False, out_type='featmap', final_norm=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=7, in_channels=32))
