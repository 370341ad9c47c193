# EVA-02: rotary position embedding and SwiGLU
_base_ = ['../tiny/_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='mmpretrain.ViTEVA02', arch='t', img_size=224, patch_size=14),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=7, in_channels=192))
