# ResizeEdge's defaults are backend='cv2', interpolation='bilinear': not implemented by mmcc.
_base_ = ['./deit-tiny.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
