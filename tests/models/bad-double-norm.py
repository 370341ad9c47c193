# Normalize in the pipeline and mean/std in data_preprocessor.
_base_ = ['./deit-tiny.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='Normalize', mean=[0, 0, 0], std=[1, 1, 1]),
    dict(type='PackInputs'),
]))
