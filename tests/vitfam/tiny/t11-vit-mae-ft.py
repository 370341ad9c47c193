# The fine-tuning shape of the MAE, MILAN, MFF, MaskFeat and EVA benchmarks: class token
# kept but left out of the mean, avg_featmap without the final norm (backbone ln2 only),
# no neck, LinearClsHead
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8, drop_path_rate=0.1,
                  out_type='avg_featmap', final_norm=False),
    neck=None,
    head=dict(type='LinearClsHead', num_classes=7, in_channels=32))
