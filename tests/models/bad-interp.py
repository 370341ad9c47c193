# pillow, but bilinear (as upstream configs/clip/vit-large-p14_headless.py leaves it).
_base_ = ['./deit-tiny.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
