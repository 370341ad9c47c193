# Headless backbone, no pipeline normalisation and no data_preprocessor: mmcc warns.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer', arch='deit-t', img_size=64, patch_size=16,
                  pre_norm=True))
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=64, backend='pillow', interpolation='bicubic'),
    dict(type='PackInputs'),
]))
