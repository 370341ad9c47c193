# EVA-L (v1.2.0 configs/_base_/models/eva/eva-l.py): a BEiTViT backbone
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='BEiTViT',
        arch='l',
        img_size=224,
        patch_size=14,
        layer_scale_init_value=0.0,
        out_type='avg_featmap',
        use_abs_pos_emb=True,
        use_rel_pos_bias=False,
        use_shared_rel_pos_bias=False,
        layer_cfgs=dict(bias=True),
    ),
    neck=None,
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=1024,
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
    ))
