# 'mocov3-small' is MoCoV3ViT's arch, not VisionTransformer's
_base_ = ['../tiny/t13-mocov3.py']
model = dict(
    backbone=dict(_delete_=True, type='VisionTransformer', arch='mocov3-small', img_size=32,
                  patch_size=8),
    head=dict(in_channels=384))
