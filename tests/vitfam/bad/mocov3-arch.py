# MoCoV3ViT adds 'mocov3-s'/'mocov3-small' to VisionTransformer's archs, nothing else
_base_ = ['../tiny/t13-mocov3.py']
model = dict(backbone=dict(arch='mocov3-base'))
