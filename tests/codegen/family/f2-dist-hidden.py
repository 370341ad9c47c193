_base_ = '../_base_tiny.py'
model = dict(type='ImageClassifier',
    backbone=dict(type='DistilledVisionTransformer',
        arch=dict(embed_dims=24, num_layers=2, num_heads=2, feedforward_channels=40),
        img_size=32, patch_size=8, pre_norm=True),
    neck=None,
    head=dict(type='DeiTClsHead', num_classes=9, in_channels=24, hidden_dim=13))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=36, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]))
