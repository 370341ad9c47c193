# ViT as mmpretrain v1.2.0 configs/vision_transformer/ builds it at img_size 384
# (metafile Parameters: 304715752).
_base_ = ['./_pipeline_1x.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='l',
        img_size=384,
        patch_size=16,
        drop_rate=0.1),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=1000, in_channels=1024))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=384, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=384),
    dict(type='PackInputs'),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
