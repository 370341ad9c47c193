_base_ = [
    '../_base_/models/eva/eva-l.py',
    '../_base_/datasets/imagenet_bs16_eva_196.py',
]

model = dict(backbone=dict(img_size=196))
