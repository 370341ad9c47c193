# pre_norm=True builds the patch Conv2d without a bias: MoCoV3ViT's stop_grad_conv1 fails on it
_base_ = ['../tiny/t13-mocov3.py']
model = dict(backbone=dict(pre_norm=True, stop_grad_conv1=True))
