_base_ = ['./vit-legacy-avg.py']
model = dict(backbone=dict(with_cls_token=False))
