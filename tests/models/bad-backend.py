# ResizeEdge's default backend is 'cv2'; cv2 with bicubic (INTER_CUBIC) is not implemented by mmcc.
_base_ = ['./deit-tiny.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
