# patch padding: img_size 30 with 8x8 patches is a 4x4 grid after zero padding; the
# featmap output + GAP + VisionTransformerClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=30, patch_size=8,
                  out_type='featmap'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='VisionTransformerClsHead', num_classes=7, in_channels=32))
