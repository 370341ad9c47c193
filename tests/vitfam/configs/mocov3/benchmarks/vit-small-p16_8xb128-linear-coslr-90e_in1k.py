_base_ = [
    '../../_base_/datasets/imagenet_bs32_pil_resize.py',
]

# MoCoV3ViT (mmpretrain/models/selfsup/mocov3.py): a VisionTransformer with a 'mocov3-small'
# arch; its fixed 2-D sin-cos pos_embed is a parameter, so it comes with the checkpoint
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='MoCoV3ViT',
        arch='mocov3-small',
        img_size=224,
        patch_size=16,
        stop_grad_conv1=True,
        frozen_stages=12,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=1000,
        in_channels=384,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        init_cfg=dict(type='Normal', std=0.01, layer='Linear'),
    ))
