# DeiT3 (pos_embed before the class token, layer scale, ln1 for both branches)
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='DeiT3',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=7, in_channels=32))
