# ClsBatchNormNeck is a BatchNorm1d: it needs (B, C), not a feature map
_base_ = ['../tiny/t07-vit-bn.py']
model = dict(backbone=dict(out_type='featmap'))
