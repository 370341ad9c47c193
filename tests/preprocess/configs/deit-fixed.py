# DeiT-384 style: mmcv Resize(scale=(w, h)) without keep_ratio, no crop
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(40, 32), backend='pillow', interpolation='bicubic'),
    dict(type='PackInputs'),
]))
data_preprocessor = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
