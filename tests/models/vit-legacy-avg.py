# mmcls 0.x / CLIP-commit backbone options: output_cls_token=False + avg_token=True gives the
# ln2-normed mean of the patch tokens; the class token and ln1 still exist.
_base_ = ['./_pipeline_1x.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='deit-t',
        img_size=224,
        patch_size=16,
        output_cls_token=False,
        avg_token=True),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=10, in_channels=192))
