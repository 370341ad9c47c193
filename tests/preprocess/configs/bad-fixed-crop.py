# a crop after a fixed-size Resize is refused
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=40),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]))

