model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer', arch='b', img_size=224, patch_size=16,
                  out_indices=[-1], init_cfg=[dict(type='Kaiming', layer='Conv2d')]),
    neck=dict(type='Old', keep=1),
    head=dict(type='VisionTransformerClsHead', num_classes=1000, in_channels=768))
