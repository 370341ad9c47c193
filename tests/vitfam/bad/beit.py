# BEiT-style relative position bias: not part of the ViT family mmcc compiles
_base_ = ['../tiny/_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='BEiTViT', arch='base', img_size=224, patch_size=16),
    neck=None,
    head=dict(type='BEiTV1Head', num_classes=7, in_channels=768))
