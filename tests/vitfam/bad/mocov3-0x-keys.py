# MoCoV3ViT exists in mmpretrain 1.x only: VisionTransformer's 0.x output_cls_token is a TypeError
_base_ = ['../tiny/t13-mocov3.py']
model = dict(backbone=dict(output_cls_token=True))
