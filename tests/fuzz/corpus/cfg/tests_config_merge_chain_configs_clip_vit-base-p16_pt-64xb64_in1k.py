_base_ = '../_base_/models/vit-base-p16.py'
model = dict(backbone=dict(pre_norm=True))
