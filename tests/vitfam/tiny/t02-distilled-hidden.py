# DistilledVisionTransformer with pre_norm=True (built, never applied; conv without bias)
# + DeiTClsHead with a shared pre_logits/Tanh hidden layer; layer scale on
_base_ = ['./_tiny.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='DistilledVisionTransformer',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
                  img_size=32,
                  patch_size=8, pre_norm=True, layer_scale_init_value=0.1),
    neck=None,
    head=dict(type='DeiTClsHead', num_classes=7, in_channels=32, hidden_dim=24))
