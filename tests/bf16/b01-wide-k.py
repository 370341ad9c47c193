# bf16: products with K past one k block (KC 384 on skx, 256 on haswell/generic) and odd K
# (the patch embedding: 3 x 13 x 13 = 507; fc2: 900), token panels past one (1 + 3x3 = 10
# tokens... x batch), embed 392 (not a multiple of 32), 2 layers, 4 heads of 98.
_base_ = './_base_tiny.py'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=392, num_layers=2, num_heads=4, feedforward_channels=900),
        img_size=39,
        patch_size=13),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=37, in_channels=392))
test_dataloader = dict(batch_size=1, dataset=dict(type='CustomDataset', pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=44, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=39),
    dict(type='PackInputs'),
]))
