# keep_ratio=True (mmcv rescale) is refused
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=384, keep_ratio=True),
    dict(type='PackInputs'),
]))

