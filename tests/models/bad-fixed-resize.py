# 0.x Resize to a fixed (h, w) size.
_base_ = ['./vit-custom-0x.py']
data = dict(test=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', size=(96, 64), backend='pillow', interpolation='bicubic'),
    dict(type='Normalize', **_base_.img_norm_cfg),
    dict(type='Collect', keys=['img']),
]))
