_base_ = [
    '../_base_/models/eva/eva-g.py',
    '../_base_/datasets/imagenet_bs16_eva_560.py',
]

model = dict(backbone=dict(img_size=560))
