# 0.x options with output_cls_token left True: the backbone hands on [patch, cls].
_base_ = ['./vit-legacy-avg.py']
model = dict(backbone=dict(output_cls_token=True))
