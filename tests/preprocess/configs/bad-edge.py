# an unknown ResizeEdge edge
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=40, edge='diagonal'),
    dict(type='PackInputs'),
]))

