# Resize by scale_factor is refused
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale_factor=0.5),
    dict(type='PackInputs'),
]))

