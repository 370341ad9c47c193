_base_ = ['./deit-tiny.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='ResizeEdge', scale=224, backend='pillow', interpolation='bicubic'),
    dict(type='PackInputs'),
]))
