_base_ = [
    '../_base_/models/deit3/deit3-huge-p14-224.py',
    '../_base_/datasets/imagenet_bs64_deit3_224.py',
]

train_dataloader = dict(batch_size=64)
