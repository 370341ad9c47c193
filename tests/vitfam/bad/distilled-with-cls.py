# DistilledVisionTransformer passes with_cls_token=True itself (TypeError upstream)
_base_ = ['../tiny/t01-distilled.py']
model = dict(backbone=dict(with_cls_token=True))
