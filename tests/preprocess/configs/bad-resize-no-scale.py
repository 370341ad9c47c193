# mmcv Resize without scale
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', backend='cv2'),
    dict(type='PackInputs'),
]))

