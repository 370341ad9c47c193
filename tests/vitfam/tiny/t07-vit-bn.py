# MAE linear-probe shape: class token + ClsBatchNormNeck (affine=False, eps 1e-6) +
# VisionTransformerClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8,
                  out_type='cls_token', final_norm=True),
    neck=dict(type='ClsBatchNormNeck', input_features=32),
    head=dict(type='VisionTransformerClsHead', num_classes=7, in_channels=32))
