# deit-tiny is in VisionTransformer's arch table, not in DeiT3's
_base_ = ['../tiny/t04-deit3.py']
model = dict(backbone=dict(arch='deit-tiny'),
             head=dict(in_channels=192))
