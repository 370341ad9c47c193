# frozen_stages beyond the last of the 2 layers: IndexError in MoCoV3ViT's _freeze_stages
_base_ = ['../tiny/t13-mocov3.py']
model = dict(backbone=dict(frozen_stages=3))
