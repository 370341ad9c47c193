# MAE/MaskFeat fine-tuning layout (mmpretrain v1.2.0 configs/maskfeat/benchmarks/
# vit-base-p16_8xb256-coslr-100e_in1k.py): avg_featmap + ln2, no final norm, LinearClsHead.
# The module layout of v1.2.0 has 86567656 parameters (ln2 replaces ln1); upstream's metafile
# says 86566120, one LayerNorm fewer: counted before mmpretrain 75dceaa7 "Add ln to vit
# avg_featmap output (#1447)" added ln2 (all of its avg_featmap ViTs differ by one LayerNorm),
# so the test counts from the layout instead.
_base_ = ['./_pipeline_1x.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='base',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        out_type='avg_featmap',
        final_norm=False,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=768))
