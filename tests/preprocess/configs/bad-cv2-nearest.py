# cv2 nearest is not implemented
_base_ = ['../../models/tiny-pipeline.py']
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=40, backend='cv2', interpolation='nearest'),
    dict(type='PackInputs'),
]))

