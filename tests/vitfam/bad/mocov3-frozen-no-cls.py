# MoCoV3ViT's _freeze_stages sets cls_token.requires_grad: fails without a class token
_base_ = ['../tiny/t13-mocov3.py']
model = dict(backbone=dict(with_cls_token=False, out_type='avg_featmap', frozen_stages=0))
