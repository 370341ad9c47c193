# with_cls_token=False, avg_featmap, layer scale, no final norm, pre_norm, and a
# VisionTransformerClsHead with hidden_dim (Tanh)
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32, patch_size=8,
                  with_cls_token=False, out_type='avg_featmap', final_norm=False,
                  pre_norm=True, layer_scale_init_value=0.1),
    neck=None,
    head=dict(type='VisionTransformerClsHead', num_classes=7, in_channels=32, hidden_dim=24))
