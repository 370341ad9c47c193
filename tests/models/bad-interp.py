# pillow, but lanczos: not implemented by mmcc.
_base_ = ['./deit-tiny.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow', interpolation='lanczos'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
