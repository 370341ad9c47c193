_base_ = [
    '../_base_/models/deit3/deit3-base-p16-384.py',
    '../_base_/datasets/imagenet_bs64_deit3_384.py',
]

train_dataloader = dict(batch_size=64)
