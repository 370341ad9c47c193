# avg_featmap (backbone ln2) + ClsBatchNormNeck(affine=True, eps=1e-5) + LinearClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8,
                  out_type='avg_featmap'),
    neck=dict(type='ClsBatchNormNeck', input_features=32, affine=True, eps=1e-5),
    head=dict(type='LinearClsHead', num_classes=7, in_channels=32))
