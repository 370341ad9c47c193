# MoCoV3ViT reads kwargs['patch_size']: a KeyError upstream when the config leaves it out
_base_ = ['../tiny/t13-mocov3.py']
model = dict(
    backbone=dict(_delete_=True, type='MoCoV3ViT',
                  arch=dict(embed_dims=64, num_layers=2, num_heads=2, feedforward_channels=256),
                  img_size=32))
