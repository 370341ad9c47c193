_base_ = [
    '../../_base_/datasets/imagenet_bs32_pil_resize.py',
]

# MoCoV3ViT: a VisionTransformer with fixed 2-D sin-cos position embeddings and a
# 'mocov3-small' arch, from mmpretrain/models/selfsup/mocov3.py
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
        loss=dict(type='CrossEntropyLoss')))
